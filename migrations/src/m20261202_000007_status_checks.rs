//! Statuses are stored as their English words; the schema now refuses any other word.
//! PostgreSQL gets a CHECK constraint. SQLite cannot add a constraint to an existing table
//! without rebuilding it (and the tables other tables refer to cannot be rebuilt inside the
//! migration's transaction), so there two triggers per column refuse the same rows with
//! the same message; tables created from now on declare CHECK in CREATE TABLE on both.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, column, the words allowed).
const CHECKS: &[(&str, &str, &[&str])] = &[
    (
        "school_pairings",
        "status",
        &["draft", "active", "completed", "terminated"],
    ),
    (
        "teacher_pairings",
        "status",
        &["draft", "active", "completed", "terminated"],
    ),
];

fn words(allowed: &[&str]) -> String {
    allowed
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, column, allowed) in CHECKS {
            let list = words(allowed);
            match manager.get_database_backend() {
                DbBackend::Sqlite => {
                    for (when, event) in [
                        ("insert", "INSERT".to_string()),
                        ("update", format!("UPDATE OF {column}")),
                    ] {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER IF NOT EXISTS ck_{table}_{column}_{when} \
                             BEFORE {event} ON {table} \
                             WHEN NEW.{column} NOT IN ({list}) \
                             BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_{table}_{column}'); END"
                        ))
                        .await?;
                    }
                }
                _ => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE {table} ADD CONSTRAINT ck_{table}_{column} \
                         CHECK ({column} IN ({list}))"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (table, column, _) in CHECKS {
            match manager.get_database_backend() {
                DbBackend::Sqlite => {
                    for when in ["insert", "update"] {
                        db.execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS ck_{table}_{column}_{when}"
                        ))
                        .await?;
                    }
                }
                _ => {
                    db.execute_unprepared(&format!(
                        "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS ck_{table}_{column}"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }
}
