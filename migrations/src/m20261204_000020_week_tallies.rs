//! Training weeks counted by year and status in `tallies` (`weeks:<year id>:<status>`),
//! kept exact by triggers like the bureau's other figures: the bureau's list of every
//! training week showed its attended, missed and planned counts by reading all 113,000
//! weeks of the province set on each request (8 ms on SQLite even from a covering index).
//! That covering index on `status`, briefly made by migration 19, goes again: SQLite took
//! it for the host school's "weeks to mark" (8 ms) over the host index (0.08 ms).
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
        use sea_orm_migration::sea_orm::ConnectionTrait;
        let db = manager.get_connection();
        for index in ["ix_training_weeks_status", "ix_training_weeks_year_status"] {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                .await?;
        }
        install(db, manager.get_database_backend(), &WEEKS).await
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
