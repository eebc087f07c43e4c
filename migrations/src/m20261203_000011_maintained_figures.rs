//! The bureau's figures, kept up to date instead of counted on every visit (issue 12: the
//! bureau home counted 150,000 teachers, 155,000 accounts and a term's 250,000
//! observations per load).
//!
//! - `tallies` holds one count per name: `teachers` and `users` (active ones),
//!   `schools:<kind>` (active schools of a kind) and `observations:<YYYY-MM-DD>`
//!   (observations on a day; a term's count is the sum over its days). Triggers keep it
//!   exact whatever writes the rows — a service, an import, the generator: row triggers on
//!   SQLite, statement triggers with transition tables on PostgreSQL (one update per
//!   statement, so a bulk insert does not update the same row a thousand times).
//! - `teacher_pairings.shortfall`: how far an active pairing is behind its current term's
//!   targets (0: on track; NULL: not active), written by the services in the transaction
//!   of every write that moves it and refreshed for every pairing once a day (the targets
//!   due grow with the days), so "behind" is one indexed read.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What a table adds to the tallies: (table, the name of a row's tally as SQL over the
/// row alias `r`, on SQLite and on PostgreSQL, whether the row counts, the columns whose
/// change moves it).
pub(crate) struct Counted {
    pub table: &'static str,
    pub name_sqlite: &'static str,
    pub name_postgres: &'static str,
    pub counts: &'static str,
    pub columns: &'static str,
}

const COUNTED: &[Counted] = &[
    Counted {
        table: "teachers",
        name_sqlite: "'teachers'",
        name_postgres: "'teachers'",
        counts: "r.is_active",
        columns: "is_active",
    },
    Counted {
        table: "users",
        name_sqlite: "'users'",
        name_postgres: "'users'",
        counts: "r.is_active",
        columns: "is_active",
    },
    Counted {
        table: "schools",
        name_sqlite: "'schools:' || r.kind",
        name_postgres: "'schools:' || r.kind",
        counts: "r.is_active",
        columns: "is_active, kind",
    },
    Counted {
        table: "observations",
        name_sqlite: "'observations:' || r.observed_on",
        name_postgres: "'observations:' || to_char(r.observed_on, 'YYYY-MM-DD')",
        counts: "TRUE",
        columns: "observed_on",
    },
];

/// SQLite: add `delta` to the tally of row `row` (NEW or OLD) if it counts.
fn sqlite_add(c: &Counted, row: &str, delta: i32) -> String {
    let name = c.name_sqlite.replace("r.", &format!("{row}."));
    let counts = c.counts.replace("r.", &format!("{row}."));
    format!(
        "INSERT INTO tallies (name, n) SELECT {name}, {delta} WHERE {counts} \
         ON CONFLICT (name) DO UPDATE SET n = n + excluded.n;"
    )
}

/// PostgreSQL: the rows of a transition table as (name, delta) pairs.
fn postgres_rows(c: &Counted, table: &str, delta: i32) -> String {
    format!(
        "SELECT {name} AS name, {delta} AS d FROM {table} r WHERE {counts}",
        name = c.name_postgres,
        counts = c.counts
    )
}

/// Counts `c`'s rows into `tallies` as they stand and installs the triggers that keep the
/// counts exact (shared with later migrations that count other tables).
pub(crate) async fn install(
    db: &impl ConnectionTrait,
    backend: DbBackend,
    c: &Counted,
) -> Result<(), DbErr> {
    let name = match backend {
        DbBackend::Postgres => c.name_postgres,
        _ => c.name_sqlite,
    };
    db.execute_unprepared(&format!(
        "INSERT INTO tallies (name, n) SELECT {name}, COUNT(*) FROM {table} r \
             WHERE {counts} GROUP BY 1",
        table = c.table,
        counts = c.counts
    ))
    .await?;
    let t = c.table;
    match backend {
        DbBackend::Postgres => {
            let upsert = |rows: String| {
                format!(
                    "INSERT INTO tallies (name, n) SELECT name, SUM(d) FROM ({rows}) x \
                         GROUP BY name HAVING SUM(d) <> 0 \
                         ON CONFLICT (name) DO UPDATE SET n = tallies.n + EXCLUDED.n"
                )
            };
            let events = [
                (
                    "insert",
                    "INSERT",
                    "REFERENCING NEW TABLE AS new_rows",
                    upsert(postgres_rows(c, "new_rows", 1)),
                ),
                (
                    "delete",
                    "DELETE",
                    "REFERENCING OLD TABLE AS old_rows",
                    upsert(postgres_rows(c, "old_rows", -1)),
                ),
                (
                    "update",
                    "UPDATE",
                    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                    upsert(format!(
                        "{} UNION ALL {}",
                        postgres_rows(c, "old_rows", -1),
                        postgres_rows(c, "new_rows", 1)
                    )),
                ),
            ];
            for (when, event, referencing, body) in events {
                db.execute_unprepared(&format!(
                    "CREATE OR REPLACE FUNCTION tally_{t}_{when}() RETURNS trigger \
                         LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$"
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER tally_{t}_{when} AFTER {event} ON {t} {referencing} \
                         FOR EACH STATEMENT EXECUTE FUNCTION tally_{t}_{when}()"
                ))
                .await?;
            }
        }
        _ => {
            let events = [
                ("insert", "INSERT".to_string(), sqlite_add(c, "NEW", 1)),
                ("delete", "DELETE".to_string(), sqlite_add(c, "OLD", -1)),
                (
                    "update",
                    format!("UPDATE OF {}", c.columns),
                    format!("{} {}", sqlite_add(c, "OLD", -1), sqlite_add(c, "NEW", 1)),
                ),
            ];
            for (when, event, body) in events {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER IF NOT EXISTS tally_{t}_{when} AFTER {event} ON {t} \
                         BEGIN {body} END"
                ))
                .await?;
            }
        }
    }
    Ok(())
}

/// Drops `c`'s triggers.
pub(crate) async fn uninstall(
    db: &impl ConnectionTrait,
    backend: DbBackend,
    c: &Counted,
) -> Result<(), DbErr> {
    for when in ["insert", "delete", "update"] {
        let t = c.table;
        match backend {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS tally_{t}_{when} ON {t}"))
                    .await?;
                db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS tally_{t}_{when}()"))
                    .await?;
            }
            _ => {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS tally_{t}_{when}"))
                    .await?;
            }
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("tallies"))
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Alias::new("name"))
                            .string_len(100)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("n"))
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        for c in COUNTED {
            install(db, backend, c).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("teacher_pairings"))
                    .add_column(ColumnDef::new(Alias::new("shortfall")).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_teacher_pairings_shortfall")
                    .table(Alias::new("teacher_pairings"))
                    .col(Alias::new("academic_year_id"))
                    .col(Alias::new("shortfall"))
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for c in COUNTED {
            uninstall(db, manager.get_database_backend(), c).await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("ix_teacher_pairings_shortfall")
                    .table(Alias::new("teacher_pairings"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("teacher_pairings"))
                    .drop_column(Alias::new("shortfall"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new("tallies")).to_owned())
            .await
    }
}
