//! Covering indexes for the counts beside the school-to-school lists (the benchmark of
//! issue 13): the bureau's training-week list counted attended, missed and planned weeks
//! by reading all 113,000 rows of the province set on every request (64 req/s), the visit
//! list its visits by kind, the ledger its totals by status. Each count now reads a narrow
//! index instead of the table.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, table, columns): the same SQL on SQLite and PostgreSQL.
const INDEXES: &[(&str, &str, &str)] = &[
    ("ix_training_weeks_status", "training_weeks", "status"),
    (
        "ix_training_weeks_year_status",
        "training_weeks",
        "academic_year_id, status",
    ),
    ("ix_visits_kind", "visits", "kind"),
    (
        "ix_contributions_status_value",
        "contributions",
        "status, value_fen",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, table, columns) in INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
