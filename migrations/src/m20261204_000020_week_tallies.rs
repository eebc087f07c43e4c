//! Training weeks counted by year and status in `tallies` (`weeks:<year id>:<status>`),
//! kept exact by triggers like the bureau's other figures: the bureau's list of every
//! training week showed its attended, missed and planned counts by reading all 113,000
//! weeks of the province set on each request (8 ms on SQLite even from a covering index).
//! (A plain index on `status` would not do: SQLite takes it for the host school's "weeks
//! to mark", 8 ms, over the host index, 0.08 ms.)
use sea_orm_migration::prelude::*;

use crate::m20261203_000011_maintained_figures::{Counted, install, uninstall};

#[derive(DeriveMigrationName)]
pub struct Migration;

const WEEKS: Counted = Counted {
    table: "training_weeks",
    name_sqlite: "'weeks:' || r.academic_year_id || ':' || r.status",
    name_postgres: "'weeks:' || r.academic_year_id || ':' || r.status",
    counts: "TRUE",
    columns: "academic_year_id, status",
};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        install(
            manager.get_connection(),
            manager.get_database_backend(),
            &WEEKS,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        uninstall(db, manager.get_database_backend(), &WEEKS).await?;
        use sea_orm_migration::sea_orm::ConnectionTrait;
        db.execute_unprepared("DELETE FROM tallies WHERE name LIKE 'weeks:%'")
            .await?;
        Ok(())
    }
}
