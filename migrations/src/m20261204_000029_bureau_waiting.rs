//! The self-evaluations waiting for the bureau (signed by the school, or appraised where no
//! other school signs) counted in `tallies` as `self-evaluations:bureau`, kept exact by
//! triggers like the other tallies (issue 15): the bureau's home counted them afresh on
//! every visit, 8,954 index entries on the province set (0.5 ms on SQLite, 1 ms on
//! PostgreSQL).
use sea_orm_migration::prelude::*;

use crate::m20261203_000011_maintained_figures::{Counted, install, uninstall};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tally's name, read by the to-do list.
pub const NAME: &str = "self-evaluations:bureau";

const WAITING: Counted = Counted {
    table: "self_evaluations",
    name_sqlite: "'self-evaluations:bureau'",
    name_postgres: "'self-evaluations:bureau'",
    counts: "(r.status = 'signed' OR (r.status = 'appraised' AND r.signer_school_id IS NULL))",
    columns: "status, signer_school_id",
};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        install(
            manager.get_connection(),
            manager.get_database_backend(),
            &WAITING,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        uninstall(db, manager.get_database_backend(), &WAITING).await?;
        use sea_orm_migration::sea_orm::ConnectionTrait;
        db.execute_unprepared(&format!("DELETE FROM tallies WHERE name = '{NAME}'"))
            .await?;
        Ok(())
    }
}
