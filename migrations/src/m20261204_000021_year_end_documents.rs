//! The rest of the year-end documents (issue 14):
//!
//! - Self-evaluation grades take SPEC.md's words: `good`, `fair`, `poor` become
//!   `competent`, `basically_competent`, `incompetent` (合格 / 基本合格 / 不合格). SQLite
//!   cannot change a CHECK, so there the table is built again under the new words and the
//!   rows copied; PostgreSQL swaps the constraints.
//! - `summaries`: the work summaries (工作总结) of a seconded teacher or a mentor, written by
//!   the teacher and received by their school, and the schools' annual summaries
//!   (学校结对帮扶工作总结) as supporter or as receiver, written by the school and received by
//!   the bureau. The sections are a JSON object, the figures the JSON the author saw when
//!   submitting.
//! - `reminders_sent`: which reminder went to whom about what, so each is sent once.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::m20261204_000018_self_evaluations as m18;

#[derive(DeriveMigrationName)]
pub struct Migration;

const GRADES: [&str; 4] = [
    "excellent",
    "competent",
    "basically_competent",
    "incompetent",
];

const GRADE_COLUMNS: [&str; 3] = ["proposed_grade", "appraisal_grade", "final_grade"];

const COLUMNS: &str = "id, teacher_id, academic_year_id, context, school_id, \
    appraiser_school_id, signer_school_id, secondment_id, ethics, teaching, results, \
    improvement, proposed_grade, figures, status, submitted_at, appraisal_grade, \
    appraisal_comment, appraised_by, appraised_at, sign_comment, signed_by, signed_at, \
    final_grade, verify_comment, verified_by, verified_at, acknowledged_at, return_reason, \
    returned_by, returned_at, version, created_at, updated_at";

/// The column's value in the new words.
fn renamed(column: &str, old: &[&str], new: &[&str]) -> String {
    let cases: String = old
        .iter()
        .zip(new)
        .map(|(o, n)| format!(" WHEN '{o}' THEN '{n}'"))
        .collect();
    format!("CASE {column}{cases} ELSE {column} END")
}

async fn regrade(manager: &SchemaManager<'_>, old: &[&str], new: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Sqlite => {
            // One script on one connection: the pool's other connections could still hold
            // the old schema between the drop and the rename.
            let backend = manager.get_database_backend();
            let select = COLUMNS
                .split(", ")
                .map(|c| c.trim())
                .map(|c| {
                    if GRADE_COLUMNS.contains(&c) {
                        renamed(c, old, new)
                    } else {
                        c.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            let mut script = format!(
                "{};\nINSERT INTO self_evaluations_next ({COLUMNS}) SELECT {select} FROM self_evaluations;\n\
                 DROP TABLE self_evaluations;\n\
                 ALTER TABLE self_evaluations_next RENAME TO self_evaluations;\n",
                backend.build(&m18::table("self_evaluations_next", new))
            );
            for index in m18::indexes() {
                script.push_str(&backend.build(&index).to_string());
                script.push_str(";\n");
            }
            db.execute_unprepared(&script).await?;
        }
        _ => {
            for column in GRADE_COLUMNS {
                db.execute_unprepared(&format!(
                    "ALTER TABLE self_evaluations DROP CONSTRAINT IF EXISTS \
                     self_evaluations_{column}_check; \
                     ALTER TABLE self_evaluations DROP CONSTRAINT IF EXISTS \
                     ck_self_evaluations_{column}; \
                     UPDATE self_evaluations SET {column} = {value}; \
                     ALTER TABLE self_evaluations ADD CONSTRAINT ck_self_evaluations_{column} \
                     CHECK ({column} IS NULL OR {column} IN ({words}))",
                    value = renamed(column, old, new),
                    words = new
                        .iter()
                        .map(|g| format!("'{g}'"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ))
                .await?;
            }
        }
    }
    Ok(())
}

#[derive(DeriveIden, Clone, Copy)]
enum Summaries {
    Table,
    Id,
    Kind,
    AcademicYearId,
    TeacherId,
    SchoolId,
    Sections,
    Figures,
    Status,
    SubmittedAt,
    SubmittedBy,
    AcceptComment,
    AcceptedBy,
    AcceptedAt,
    ReturnReason,
    ReturnedBy,
    ReturnedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum RemindersSent {
    Table,
    Id,
    Kind,
    Subject,
    UserId,
    SentAt,
}

#[derive(DeriveIden)]
enum Teachers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

fn index(
    table: impl IntoIden + Copy,
    name: &str,
    cols: &[&str],
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table).if_not_exists();
    if unique {
        index.unique();
    }
    for c in cols {
        index.col(Alias::new(*c));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// On SQLite too: the table is dropped and built again; a failure half-way must leave
    /// the old one.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        regrade(manager, &m18::GRADES, &GRADES).await?;

        let user_fk = |name: &str, column: Summaries| {
            ForeignKey::create()
                .name(name)
                .from(Summaries::Table, column)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::SetNull)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(Summaries::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Summaries::Id))
                    .col(string_len(Summaries::Kind, 20).check(
                        Expr::col(Summaries::Kind).is_in(
                            ["seconded", "mentor", "supporter", "receiver"].map(String::from),
                        ),
                    ))
                    .col(big_integer(Summaries::AcademicYearId))
                    // A teacher writes the work summaries, a school the annual ones.
                    .col(big_integer_null(Summaries::TeacherId).check(Expr::cust(
                        "(kind IN ('seconded', 'mentor')) = (teacher_id IS NOT NULL)",
                    )))
                    .col(big_integer(Summaries::SchoolId))
                    .col(text(Summaries::Sections).default("{}"))
                    .col(text(Summaries::Figures).default(""))
                    .col(
                        string_len(Summaries::Status, 20).check(
                            Expr::col(Summaries::Status)
                                .is_in(["draft", "submitted", "accepted"].map(String::from)),
                        ),
                    )
                    .col(timestamp_with_time_zone_null(Summaries::SubmittedAt))
                    .col(big_integer_null(Summaries::SubmittedBy))
                    .col(text(Summaries::AcceptComment).default(""))
                    .col(big_integer_null(Summaries::AcceptedBy))
                    .col(timestamp_with_time_zone_null(Summaries::AcceptedAt))
                    .col(text(Summaries::ReturnReason).default(""))
                    .col(big_integer_null(Summaries::ReturnedBy))
                    .col(timestamp_with_time_zone_null(Summaries::ReturnedAt))
                    .col(integer(Summaries::Version).default(1))
                    .col(timestamp_with_time_zone(Summaries::CreatedAt))
                    .col(timestamp_with_time_zone(Summaries::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_summaries_year")
                            .from(Summaries::Table, Summaries::AcademicYearId)
                            .to(AcademicYears::Table, AcademicYears::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_summaries_teacher")
                            .from(Summaries::Table, Summaries::TeacherId)
                            .to(Teachers::Table, Teachers::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_summaries_school")
                            .from(Summaries::Table, Summaries::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .foreign_key(&mut user_fk(
                        "fk_summaries_submitted_by",
                        Summaries::SubmittedBy,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_summaries_accepted_by",
                        Summaries::AcceptedBy,
                    ))
                    .foreign_key(&mut user_fk(
                        "fk_summaries_returned_by",
                        Summaries::ReturnedBy,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "ux_summaries_teacher",
                &["teacher_id", "academic_year_id", "kind"][..],
                true,
            ),
            (
                "ix_summaries_school",
                &["school_id", "status", "id"][..],
                false,
            ),
            (
                "ix_summaries_year",
                &["academic_year_id", "status", "id"][..],
                false,
            ),
            ("ix_summaries_status", &["status", "id"][..], false),
            ("ix_summaries_submitted_by", &["submitted_by"][..], false),
            ("ix_summaries_accepted_by", &["accepted_by"][..], false),
            ("ix_summaries_returned_by", &["returned_by"][..], false),
        ] {
            manager
                .create_index(index(Summaries::Table, name, cols, unique))
                .await?;
        }
        // One annual summary per school, year and side (a teacher's are unique above).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS ux_summaries_school_year \
                 ON summaries (school_id, academic_year_id, kind) WHERE teacher_id IS NULL",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RemindersSent::Table)
                    .if_not_exists()
                    .col(big_pk_auto(RemindersSent::Id))
                    .col(string_len(RemindersSent::Kind, 40))
                    .col(string_len(RemindersSent::Subject, 100))
                    .col(big_integer(RemindersSent::UserId))
                    .col(timestamp_with_time_zone(RemindersSent::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reminders_sent_user")
                            .from(RemindersSent::Table, RemindersSent::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                RemindersSent::Table,
                "ux_reminders_sent",
                &["kind", "subject", "user_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                RemindersSent::Table,
                "ix_reminders_sent_user",
                &["user_id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RemindersSent::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Summaries::Table).to_owned())
            .await?;
        regrade(manager, &GRADES, &m18::GRADES).await
    }
}
