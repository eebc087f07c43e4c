//! Covering indexes for the counts beside the school-to-school lists (the benchmark of
//! issue 13): the visit list counts its visits by kind, the ledger its totals by status,
//! each by reading the whole table; they now read a narrow index instead. (The training
//! weeks' counts are kept in `tallies`, migration 20.)
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, table, columns): the same SQL on SQLite and PostgreSQL.
const INDEXES: &[(&str, &str, &str)] = &[
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
