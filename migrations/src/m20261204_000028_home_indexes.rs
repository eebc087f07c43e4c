//! Indexes the bureau's home asked for (issue 15), each replacing a narrower one:
//!
//! - "Behind their targets": active pairings of a year with a shortfall. With the status a
//!   bound value SQLite may take `(academic_year_id, status)` and read every active pairing
//!   of the year for its shortfall (38,000 rows on the province set, 0.8–4 ms);
//!   `(academic_year_id, status, shortfall)` answers the count from the index alone and
//!   gives the list's order (most behind first). It replaces `(academic_year_id,
//!   shortfall)`, which served only that list.
//! - A district's overdue documents: the oldest waiting at a step in a year whose school is
//!   in the district. `(academic_year_id, status, updated_at)` made each candidate's row be
//!   read for its school (a district holds one school in a hundred: 1–3 ms a step); with
//!   `school_id` last the index answers it (0.1 ms), and the whole's list reads it as before.
//! - The bureau's schools' summaries to receive, first ones by id: PostgreSQL does not read
//!   `(teacher_id, status, id)` in id order under `teacher_id IS NULL`, so it walked the
//!   primary key and dropped 10,000 rows (5 ms); a partial index of the schools' summaries,
//!   `(status, id) WHERE teacher_id IS NULL`, gives them in order on both databases.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An index and its columns.
type Named = (&'static str, &'static [&'static str]);

/// (table, the index made, the index it replaces).
const REPLACED: &[(&str, Named, Named)] = &[
    (
        "teacher_pairings",
        (
            "ix_teacher_pairings_behind",
            &["academic_year_id", "status", "shortfall"],
        ),
        (
            "ix_teacher_pairings_shortfall",
            &["academic_year_id", "shortfall"],
        ),
    ),
    (
        "self_evaluations",
        (
            "ix_self_evaluations_waiting",
            &["academic_year_id", "status", "updated_at", "school_id"],
        ),
        (
            "ix_self_evaluations_waiting_since",
            &["academic_year_id", "status", "updated_at"],
        ),
    ),
    (
        "summaries",
        (
            "ix_summaries_waiting",
            &["academic_year_id", "status", "updated_at", "school_id"],
        ),
        (
            "ix_summaries_waiting_since",
            &["academic_year_id", "status", "updated_at"],
        ),
    ),
];

fn drop(table: &str, name: &str) -> IndexDropStatement {
    Index::drop()
        .name(name)
        .table(Alias::new(table))
        .if_exists()
        .to_owned()
}

fn create(table: &str, name: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table)).if_not_exists();
    for c in columns {
        index.col(Alias::new(*c));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, (name, columns), (old, _)) in REPLACED {
            manager.create_index(create(table, name, columns)).await?;
            manager.drop_index(drop(table, old)).await?;
        }
        // The same statement on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS ix_summaries_schools_waiting \
                 ON summaries (status, id) WHERE teacher_id IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(drop("summaries", "ix_summaries_schools_waiting"))
            .await?;
        for (table, (name, _), (old, old_columns)) in REPLACED {
            manager
                .create_index(create(table, old, old_columns))
                .await?;
            manager.drop_index(drop(table, name)).await?;
        }
        Ok(())
    }
}
