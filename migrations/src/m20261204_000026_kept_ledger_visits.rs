//! The rest of the dashboard's figures kept in `year_figures` (issue 15: on the province set
//! the bureau home counted a year's school pairings and the schools in them, its visits by
//! kind and its ledger by status on every visit — 3,333 pairings, 6,666 visits and 8,747
//! ledger items, 7 ms of its 17): triggers as in migration 23.
//!
//! Names: `sp` (school pairings running in the year, not drafts, for the receiving
//! school), `paired:<school id>` (how many of those a school is in, either side: the schools
//! paired are the names with a count above zero), `visits:<kind>` (visits begun in the
//! year, for the pairing's receiving school) and `fen:<status>` (the ledger's value in fen,
//! given in the year, for the receiving school). A record is in the academic year whose
//! dates hold it, read when it is written; changing a year's dates recounts
//! (`dashboard::recount_in`).
//!
//! Also three indexes the same measurement asked for: the bureau's waiting school summaries
//! (`teacher_id IS NULL AND status = 'submitted'` read each submitted summary),
//! the districts side by side (seven names of every district; without `n`, so that the
//! reads of one scope keep to the primary key's order) and the ledger by date.
use sea_orm_migration::prelude::*;

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m20261204_000023_year_figures::{
    Measured, fill, install_district_move, install_triggers, uninstall_triggers,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

const RUNNING: &str = "ROW.status <> 'draft'";

pub(crate) const MEASURED: &[Measured] = &[
    Measured {
        table: "school_pairings",
        year: "yy.id",
        years: Some("yy.name >= ROW.year_from AND yy.name <= ROW.year_to"),
        school: "ROW.receiver_id",
        names: &[
            ("'sp'", "'sp'", RUNNING),
            (
                "'paired:' || ROW.supporter_id",
                "'paired:' || ROW.supporter_id",
                RUNNING,
            ),
            (
                "'paired:' || ROW.receiver_id",
                "'paired:' || ROW.receiver_id",
                RUNNING,
            ),
        ],
        weight: "1",
        columns: "status, year_from, year_to, supporter_id, receiver_id",
    },
    Measured {
        table: "visits",
        year: "(SELECT y.id FROM academic_years y \
               WHERE ROW.starts_on >= y.starts_on AND ROW.starts_on <= y.ends_on)",
        years: None,
        school: "(SELECT p.receiver_id FROM school_pairings p WHERE p.id = ROW.school_pairing_id)",
        names: &[("'visits:' || ROW.kind", "'visits:' || ROW.kind", "TRUE")],
        weight: "1",
        columns: "starts_on, kind, school_pairing_id",
    },
    Measured {
        table: "contributions",
        year: "(SELECT y.id FROM academic_years y \
               WHERE ROW.given_on >= y.starts_on AND ROW.given_on <= y.ends_on)",
        years: None,
        school: "ROW.receiver_school_id",
        names: &[("'fen:' || ROW.status", "'fen:' || ROW.status", "TRUE")],
        weight: "ROW.value_fen",
        columns: "status, value_fen, given_on, receiver_school_id",
    },
];

/// The statements that count this migration's records into `year_figures`.
pub fn fill_statements(backend: sea_orm_migration::sea_orm::DbBackend) -> Vec<String> {
    fill(MEASURED, backend)
}

const INDEXES: &[(&str, &str, &[&str])] = &[
    (
        "ix_summaries_teacher_status",
        "summaries",
        &["teacher_id", "status", "id"],
    ),
    (
        "ix_year_figures_name",
        "year_figures",
        &["academic_year_id", "name", "scope"],
    ),
    (
        "ix_contributions_date_status",
        "contributions",
        &["given_on", "status", "value_fen"],
    ),
];

/// Migration 23's trigger that moves a school's counts to its new district.
const DISTRICT_MOVE: (&str, &str) = ("figures_schools_district", "schools");

/// Adds `delta` to the `schools-paired` count of `row`'s year and scope.
fn schools_paired(row: &str, delta: &str) -> String {
    format!(
        "INSERT INTO year_figures (academic_year_id, scope, name, n) \
         VALUES ({row}.academic_year_id, {row}.scope, 'schools-paired', {delta}) \
         ON CONFLICT (academic_year_id, scope, name) DO UPDATE SET n = year_figures.n + excluded.n"
    )
}

/// A `paired:` count that becomes positive adds a school paired, one that falls to zero
/// takes it away (rows of `year_figures` are deleted only all at once, by a recount).
async fn install_schools_paired(
    db: &impl ConnectionTrait,
    backend: DbBackend,
) -> Result<(), DbErr> {
    match backend {
        DbBackend::Postgres => {
            db.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION figures_schools_paired() RETURNS trigger \
                 LANGUAGE plpgsql AS $$ BEGIN \
                 IF TG_OP = 'INSERT' THEN \
                   IF NEW.n > 0 THEN {}; END IF; \
                 ELSIF (OLD.n > 0) <> (NEW.n > 0) THEN {}; END IF; \
                 RETURN NULL; END $$",
                schools_paired("NEW", "1"),
                schools_paired("NEW", "CASE WHEN NEW.n > 0 THEN 1 ELSE -1 END"),
            ))
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER figures_schools_paired AFTER INSERT OR UPDATE OF n ON year_figures \
                 FOR EACH ROW WHEN (NEW.name LIKE 'paired:%') \
                 EXECUTE FUNCTION figures_schools_paired()",
            )
            .await?;
        }
        _ => {
            db.execute_unprepared(&format!(
                "CREATE TRIGGER IF NOT EXISTS figures_schools_paired_insert AFTER INSERT \
                 ON year_figures WHEN NEW.name LIKE 'paired:%' AND NEW.n > 0 BEGIN {}; END",
                schools_paired("NEW", "1")
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER IF NOT EXISTS figures_schools_paired_update AFTER UPDATE OF n \
                 ON year_figures WHEN NEW.name LIKE 'paired:%' AND (OLD.n > 0) <> (NEW.n > 0) \
                 BEGIN {}; END",
                schools_paired("NEW", "CASE WHEN NEW.n > 0 THEN 1 ELSE -1 END")
            ))
            .await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        install_schools_paired(db, backend).await?;
        uninstall_triggers(db, backend, &[], &[DISTRICT_MOVE]).await?;
        install_district_move(db, backend, "'schools-paired'").await?;
        for statement in fill_statements(backend) {
            db.execute_unprepared(&statement).await?;
        }
        install_triggers(db, backend, MEASURED).await?;
        for (name, table, columns) in INDEXES {
            let mut index = Index::create();
            index.name(*name).table(Alias::new(*table)).if_not_exists();
            for c in *columns {
                index.col(Alias::new(*c));
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        uninstall_triggers(
            db,
            backend,
            MEASURED,
            &[
                ("figures_schools_paired", "year_figures"),
                ("figures_schools_paired_insert", "year_figures"),
                ("figures_schools_paired_update", "year_figures"),
            ],
        )
        .await?;
        uninstall_triggers(db, backend, &[], &[DISTRICT_MOVE]).await?;
        install_district_move(db, backend, "").await?;
        for (name, table, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        db.execute_unprepared(
            "DELETE FROM year_figures WHERE name IN ('sp', 'schools-paired') \
             OR name LIKE 'paired:%' OR name LIKE 'visits:%' OR name LIKE 'fen:%'",
        )
        .await?;
        Ok(())
    }
}
