//! Partial indexes on what waits for someone (issue 12): the homes list pending
//! termination requests and count drafts on every visit; with no request pending, finding
//! none walked all 60,000 teacher pairings twice (18–88 ms of the bureau home's 50). An
//! index of only the rows with a request (or in draft) answers at once.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (name, table, condition): the same SQL on SQLite and PostgreSQL.
const INDEXES: &[(&str, &str, &str)] = &[
    (
        "ix_teacher_pairings_requested",
        "teacher_pairings",
        "termination_requested_at IS NOT NULL",
    ),
    (
        "ix_school_pairings_requested",
        "school_pairings",
        "termination_requested_at IS NOT NULL",
    ),
    (
        "ix_teacher_pairings_draft",
        "teacher_pairings",
        "status = 'draft'",
    ),
    (
        "ix_school_pairings_draft",
        "school_pairings",
        "status = 'draft'",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, table, condition) in INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS {name} ON {table} (id) WHERE {condition}"
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
