//! A change stamp for the bureau's dashboard (issue 15): kept by triggers like the other
//! tallies, it goes up with every write to a table the dashboard reads. The dashboard is kept
//! in memory with the stamp it was read after and is read afresh when the stamp has moved, so
//! a page that took some twenty statements is served from four while nothing changes, and
//! never shows what a committed write has changed: the stamp is read before the figures, and
//! a write commits its stamp with its rows.
//!
//! The stamp is the sum of one tally per table (`changes:<table>`), so that a write holds only
//! its own table's row until it commits (a long import of teachers does not hold up the
//! observations being written meanwhile); each row only goes up, and so does the sum.
//! PostgreSQL bumps once per transaction and table (a statement-level trigger that notes in a
//! transaction-local setting that it has bumped); SQLite has only row triggers, one small
//! update in place per row written.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What the stamp's tallies are named after: `changes:<table>`, and `changes:recount` for
/// the year's figures counted afresh (which no trigger sees).
pub const PREFIX: &str = "changes:";

/// The names of the tallies the stamp is the sum of.
pub fn names() -> Vec<String> {
    TABLES
        .iter()
        .chain(&["recount"])
        .map(|t| format!("{PREFIX}{t}"))
        .collect()
}

/// The tables whose rows the bureau's dashboard and to-do list read (the year's kept figures
/// and the other tallies change only with these, by their own triggers, or by
/// `dashboard::recount`, which bumps the stamp itself).
pub const TABLES: &[&str] = &[
    "academic_years",
    "settings",
    "schools",
    "teachers",
    "school_pairings",
    "teacher_pairings",
    "secondments",
    "observations",
    "visits",
    "contributions",
    "training_weeks",
    "self_evaluations",
    "summaries",
];

const EVENTS: [&str; 3] = ["INSERT", "UPDATE", "DELETE"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for name in names() {
            db.execute_unprepared(&format!(
                "INSERT INTO tallies (name, n) VALUES ('{name}', 0)"
            ))
            .await?;
        }
        let bump = |t: &str| format!("UPDATE tallies SET n = n + 1 WHERE name = '{PREFIX}{t}'");
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                for t in TABLES {
                    // Once per transaction: updating one row again and again in a
                    // transaction makes each update slower (an import of 10,000 teachers
                    // took twice as long); one bump commits with the rows all the same.
                    db.execute_unprepared(&format!(
                        "CREATE OR REPLACE FUNCTION stamp_{t}() RETURNS trigger \
                         LANGUAGE plpgsql AS $$ BEGIN \
                         IF current_setting('tongxing.stamped_{t}', true) IS DISTINCT FROM 'y' THEN \
                         {}; PERFORM set_config('tongxing.stamped_{t}', 'y', true); END IF; \
                         RETURN NULL; END $$",
                        bump(t)
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER stamp_{t} AFTER INSERT OR UPDATE OR DELETE ON {t} \
                         FOR EACH STATEMENT EXECUTE FUNCTION stamp_{t}()"
                    ))
                    .await?;
                }
            }
            _ => {
                for t in TABLES {
                    for event in EVENTS {
                        let when = event.to_lowercase();
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER stamp_{t}_{when} AFTER {event} ON {t} \
                             BEGIN {}; END",
                            bump(t)
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                for t in TABLES {
                    db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS stamp_{t} ON {t}"))
                        .await?;
                    db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS stamp_{t}()"))
                        .await?;
                }
            }
            _ => {
                for t in TABLES {
                    for event in EVENTS {
                        let when = event.to_lowercase();
                        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS stamp_{t}_{when}"))
                            .await?;
                    }
                }
            }
        }
        db.execute_unprepared(&format!("DELETE FROM tallies WHERE name LIKE '{PREFIX}%'"))
            .await?;
        Ok(())
    }
}
