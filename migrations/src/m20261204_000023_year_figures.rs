//! The bureau dashboard's figures by academic year, kept up to date by triggers (issue 15:
//! the dashboard shows, for a year and a district, teacher pairings by status, observations
//! per month and per term, the score distribution, training weeks by status, teachers
//! seconded per batch and the year-end documents by step and grade — on the province set
//! that is 1,000,000 observations, 113,000 training weeks, 60,000 pairings and 89,000
//! self-evaluations, too many to count on every visit).
//!
//! `year_figures` holds one count per (academic year, scope, name). A record counts three
//! times: for its school (`s:<school id>`), for that school's district (`d:<district>`) and
//! for the whole (`*`). The school a record counts for is the school it concerns: the
//! mentee's for a teacher pairing and its observations, the trainee's (guest) school for a
//! training week, the receiving school for a secondment, the teacher's school for a
//! self-evaluation. Names: `tp:<status>`, `obs:<YYYY-MM>`, `obs-term:<1|2>`,
//! `score:<0..9>` (an observation's total score in tens, 100 in 9), `weeks:<status>`,
//! `seconded:<batch>`, `se:<status>`, `grade:<final grade>`.
//!
//! Row triggers on SQLite, statement triggers with transition tables on PostgreSQL (as
//! for `tallies`); a school moved to another district moves its counts with it. What a
//! record counts for is read when it is written: an observation keeps counting for the
//! school its mentee was at (see `figures::recount` for a full recount).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The dashboard's overdue documents: the oldest few of a year at a step.
const WAITING_SINCE: &[(&str, &str)] = &[
    ("ix_self_evaluations_waiting_since", "self_evaluations"),
    ("ix_summaries_waiting_since", "summaries"),
];

/// What a table adds to `year_figures`: SQL over the row alias `ROW` for the academic year
/// and the school, and its names — (on SQLite, on PostgreSQL, whether the row counts) —
/// and the columns whose change moves them.
pub(crate) struct Measured {
    pub table: &'static str,
    /// The academic year's id; with `years`, `yy.id`.
    pub year: &'static str,
    /// A record that counts in several years (a school pairing from one year to another):
    /// the join condition on `academic_years yy` that finds them.
    pub years: Option<&'static str>,
    pub school: &'static str,
    pub names: &'static [(&'static str, &'static str, &'static str)],
    /// What one record adds (`1`, or an amount such as `ROW.value_fen`).
    pub weight: &'static str,
    pub columns: &'static str,
}

const OBSERVATION_TERM: &str = "CASE WHEN ROW.observed_on >= (SELECT y.second_term_starts_on \
     FROM teacher_pairings p JOIN academic_years y ON y.id = p.academic_year_id \
     WHERE p.id = ROW.teacher_pairing_id) THEN '2' ELSE '1' END";

const MEASURED: &[Measured] = &[
    Measured {
        table: "teacher_pairings",
        years: None,
        weight: "1",
        year: "ROW.academic_year_id",
        school: "(SELECT t.school_id FROM teachers t WHERE t.id = ROW.mentee_id)",
        names: &[("'tp:' || ROW.status", "'tp:' || ROW.status", "TRUE")],
        columns: "status, academic_year_id, mentee_id",
    },
    Measured {
        table: "observations",
        years: None,
        weight: "1",
        year: "(SELECT p.academic_year_id FROM teacher_pairings p \
               WHERE p.id = ROW.teacher_pairing_id)",
        school: "(SELECT t.school_id FROM teacher_pairings p JOIN teachers t \
                 ON t.id = p.mentee_id WHERE p.id = ROW.teacher_pairing_id)",
        names: &[
            (
                "'obs:' || substr(ROW.observed_on, 1, 7)",
                "'obs:' || to_char(ROW.observed_on, 'YYYY-MM')",
                "TRUE",
            ),
            ("'obs-term:' || TERM", "'obs-term:' || TERM", "TRUE"),
            (
                "'score:' || MIN(9, MAX(0, CAST(ROW.total_score / 10 AS INTEGER)))",
                "'score:' || LEAST(9, GREATEST(0, FLOOR(ROW.total_score / 10)::int))",
                "TRUE",
            ),
        ],
        columns: "observed_on, total_score, teacher_pairing_id",
    },
    Measured {
        table: "training_weeks",
        years: None,
        weight: "1",
        year: "ROW.academic_year_id",
        school: "ROW.guest_school_id",
        names: &[("'weeks:' || ROW.status", "'weeks:' || ROW.status", "TRUE")],
        columns: "status, academic_year_id, guest_school_id",
    },
    Measured {
        table: "secondments",
        years: None,
        weight: "1",
        year: "ROW.academic_year_id",
        school: "ROW.to_school_id",
        names: &[(
            "'seconded:' || ROW.batch",
            "'seconded:' || ROW.batch",
            "TRUE",
        )],
        columns: "batch, academic_year_id, to_school_id",
    },
    Measured {
        table: "self_evaluations",
        years: None,
        weight: "1",
        year: "ROW.academic_year_id",
        school: "ROW.school_id",
        names: &[
            ("'se:' || ROW.status", "'se:' || ROW.status", "TRUE"),
            (
                "'grade:' || ROW.final_grade",
                "'grade:' || ROW.final_grade",
                "ROW.final_grade IS NOT NULL",
            ),
        ],
        columns: "status, final_grade, academic_year_id, school_id",
    },
];

/// The rows `m` adds for the source `from` (empty on SQLite's row triggers) read as `row`.
pub(crate) fn rows(m: &Measured, backend: DbBackend, row: &str, from: &str, delta: i32) -> String {
    m.names
        .iter()
        .map(|(sqlite, postgres, counts)| {
            let name = match backend {
                DbBackend::Postgres => postgres,
                _ => sqlite,
            }
            .replace("TERM", OBSERVATION_TERM);
            let (from, counts) = match (m.years, from.is_empty()) {
                (None, _) => (String::from(from), String::from(*counts)),
                (Some(on), true) => (
                    "FROM academic_years yy".into(),
                    format!("{on} AND {counts}"),
                ),
                (Some(on), false) => (
                    format!("{from} JOIN academic_years yy ON {on}"),
                    String::from(*counts),
                ),
            };
            format!(
                "SELECT {year} AS y, {school} AS sc, {name} AS nm, {delta} * ({weight}) AS d \
                 {from} WHERE {counts}",
                year = m.year,
                school = m.school,
                weight = m.weight,
            )
            .replace("ROW.", &format!("{row}."))
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Adds `rows` to their school's, district's and the whole's counts.
pub(crate) fn upsert(rows: &str) -> String {
    format!(
        "INSERT INTO year_figures (academic_year_id, scope, name, n) \
         SELECT x.y, CASE k.k WHEN 1 THEN 's:' || x.sc WHEN 2 THEN 'd:' || s.district \
         ELSE '*' END, x.nm, SUM(x.d) \
         FROM ({rows}) x JOIN schools s ON s.id = x.sc \
         CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) k \
         WHERE x.y IS NOT NULL \
         GROUP BY 1, 2, 3 HAVING SUM(x.d) <> 0 \
         ON CONFLICT (academic_year_id, scope, name) DO UPDATE SET n = year_figures.n + excluded.n"
    )
}

/// The statements that count every row as it stands into an empty `year_figures` (the
/// migration's first fill and `figures::recount`).
pub fn fill_statements(backend: DbBackend) -> Vec<String> {
    fill(MEASURED, backend)
}

pub(crate) fn fill(measured: &[Measured], backend: DbBackend) -> Vec<String> {
    measured
        .iter()
        .map(|m| upsert(&rows(m, backend, "r", &format!("FROM {} r", m.table), 1)))
        .collect()
}

/// A school's counts follow it to another district (all but the names `kept_apart`, as
/// an SQL list, which keep themselves).
fn district_move(new: &str, old: &str, kept_apart: &str) -> String {
    let apart = if kept_apart.is_empty() {
        String::new()
    } else {
        format!("AND f.name NOT IN ({kept_apart}) ")
    };
    format!(
        "INSERT INTO year_figures (academic_year_id, scope, name, n) \
         SELECT f.academic_year_id, 'd:' || k.district, f.name, SUM(k.sign * f.n) \
         FROM year_figures f CROSS JOIN (SELECT {new}.district AS district, 1 AS sign \
         UNION ALL SELECT {old}.district, -1) k \
         WHERE f.scope = 's:' || {new}.id {apart}\
         GROUP BY 1, 2, 3 HAVING SUM(k.sign * f.n) <> 0 \
         ON CONFLICT (academic_year_id, scope, name) DO UPDATE SET n = year_figures.n + excluded.n"
    )
}

/// The triggers that keep `measured` counted.
pub(crate) async fn install_triggers(
    db: &impl ConnectionTrait,
    backend: DbBackend,
    measured: &[Measured],
) -> Result<(), DbErr> {
    for m in measured {
        let t = m.table;
        match backend {
            DbBackend::Postgres => {
                let events = [
                    (
                        "insert",
                        "INSERT",
                        "REFERENCING NEW TABLE AS new_rows",
                        upsert(&rows(m, backend, "r", "FROM new_rows r", 1)),
                    ),
                    (
                        "delete",
                        "DELETE",
                        "REFERENCING OLD TABLE AS old_rows",
                        upsert(&rows(m, backend, "r", "FROM old_rows r", -1)),
                    ),
                    (
                        "update",
                        "UPDATE",
                        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                        upsert(&format!(
                            "{} UNION ALL {}",
                            rows(m, backend, "r", "FROM old_rows r", -1),
                            rows(m, backend, "r", "FROM new_rows r", 1)
                        )),
                    ),
                ];
                for (when, event, referencing, body) in events {
                    db.execute_unprepared(&format!(
                        "CREATE OR REPLACE FUNCTION figures_{t}_{when}() RETURNS trigger \
                         LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$"
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER figures_{t}_{when} AFTER {event} ON {t} {referencing} \
                         FOR EACH STATEMENT EXECUTE FUNCTION figures_{t}_{when}()"
                    ))
                    .await?;
                }
            }
            _ => {
                let events = [
                    (
                        "insert",
                        "INSERT".to_string(),
                        upsert(&rows(m, backend, "NEW", "", 1)),
                    ),
                    (
                        "delete",
                        "DELETE".to_string(),
                        upsert(&rows(m, backend, "OLD", "", -1)),
                    ),
                    (
                        "update",
                        format!("UPDATE OF {}", m.columns),
                        upsert(&format!(
                            "{} UNION ALL {}",
                            rows(m, backend, "OLD", "", -1),
                            rows(m, backend, "NEW", "", 1)
                        )),
                    ),
                ];
                for (when, event, body) in events {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER IF NOT EXISTS figures_{t}_{when} AFTER {event} ON {t} \
                         BEGIN {body}; END"
                    ))
                    .await?;
                }
            }
        }
    }
    Ok(())
}

async fn install(db: &impl ConnectionTrait, backend: DbBackend) -> Result<(), DbErr> {
    install_triggers(db, backend, MEASURED).await?;
    install_district_move(db, backend, "").await
}

/// The trigger that moves a school's counts with it to another district (replaced by a
/// later migration that keeps some names apart).
pub(crate) async fn install_district_move(
    db: &impl ConnectionTrait,
    backend: DbBackend,
    kept_apart: &str,
) -> Result<(), DbErr> {
    match backend {
        DbBackend::Postgres => {
            db.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION figures_schools_district() RETURNS trigger \
                 LANGUAGE plpgsql AS $$ BEGIN {}; RETURN NULL; END $$",
                district_move("NEW", "OLD", kept_apart)
            ))
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER figures_schools_district AFTER UPDATE OF district ON schools \
                 FOR EACH ROW WHEN (OLD.district IS DISTINCT FROM NEW.district) \
                 EXECUTE FUNCTION figures_schools_district()",
            )
            .await?;
        }
        _ => {
            db.execute_unprepared(&format!(
                "CREATE TRIGGER IF NOT EXISTS figures_schools_district AFTER UPDATE OF district \
                 ON schools WHEN OLD.district IS NOT NEW.district BEGIN {}; END",
                district_move("NEW", "OLD", kept_apart)
            ))
            .await?;
        }
    }
    Ok(())
}

async fn uninstall(db: &impl ConnectionTrait, backend: DbBackend) -> Result<(), DbErr> {
    uninstall_triggers(
        db,
        backend,
        MEASURED,
        &[("figures_schools_district", "schools")],
    )
    .await
}

/// Drops the triggers of `measured` and the `others` (name, table).
pub(crate) async fn uninstall_triggers(
    db: &impl ConnectionTrait,
    backend: DbBackend,
    measured: &[Measured],
    others: &[(&str, &str)],
) -> Result<(), DbErr> {
    let mut triggers: Vec<(String, &str)> =
        others.iter().map(|(n, t)| (String::from(*n), *t)).collect();
    for m in measured {
        for when in ["insert", "delete", "update"] {
            triggers.push((format!("figures_{}_{when}", m.table), m.table));
        }
    }
    for (name, table) in triggers {
        match backend {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name} ON {table}"))
                    .await?;
                db.execute_unprepared(&format!("DROP FUNCTION IF EXISTS {name}()"))
                    .await?;
            }
            _ => {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
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
                    .table(Alias::new("year_figures"))
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Alias::new("academic_year_id"))
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("scope"))
                            .string_len(220)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Alias::new("name")).string_len(60).not_null())
                    .col(
                        ColumnDef::new(Alias::new("n"))
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .primary_key(
                        Index::create()
                            .col(Alias::new("academic_year_id"))
                            .col(Alias::new("scope"))
                            .col(Alias::new("name")),
                    )
                    .to_owned(),
            )
            .await?;
        for statement in fill_statements(backend) {
            db.execute_unprepared(&statement).await?;
        }
        install(db, backend).await?;
        for (name, table) in WAITING_SINCE {
            manager
                .create_index(
                    Index::create()
                        .name(*name)
                        .table(Alias::new(*table))
                        .col(Alias::new("academic_year_id"))
                        .col(Alias::new("status"))
                        .col(Alias::new("updated_at"))
                        .if_not_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        uninstall(manager.get_connection(), manager.get_database_backend()).await?;
        for (name, table) in WAITING_SINCE {
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Alias::new("year_figures")).to_owned())
            .await
    }
}
