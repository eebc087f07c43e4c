//! Self-evaluations (自我鉴定, issue 14): one per teacher and academic year, written by the
//! teacher in one context (mentor, mentee, seconded), then appraised by the school where the
//! teacher worked this year, signed by the dispatching school (seconded teachers only),
//! verified by the bureau with the final grade, and acknowledged by the teacher. The
//! schools of each step are fixed when the document is begun; the figures the teacher saw
//! are kept when it is submitted.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum SelfEvaluations {
    Table,
    Id,
    TeacherId,
    AcademicYearId,
    Context,
    SchoolId,
    AppraiserSchoolId,
    SignerSchoolId,
    SecondmentId,
    Ethics,
    Teaching,
    Results,
    Improvement,
    ProposedGrade,
    Figures,
    Status,
    SubmittedAt,
    AppraisalGrade,
    AppraisalComment,
    AppraisedBy,
    AppraisedAt,
    SignComment,
    SignedBy,
    SignedAt,
    FinalGrade,
    VerifyComment,
    VerifiedBy,
    VerifiedAt,
    AcknowledgedAt,
    ReturnReason,
    ReturnedBy,
    ReturnedAt,
    Version,
    CreatedAt,
    UpdatedAt,
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
enum Secondments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

/// The grade words this migration wrote; migration 21 renamed the last three to SPEC.md's
/// `competent`, `basically_competent`, `incompetent`.
pub(crate) const GRADES: [&str; 4] = ["excellent", "good", "fair", "poor"];

fn grade_check(column: SelfEvaluations, grades: &[&str]) -> SimpleExpr {
    Expr::col(column)
        .is_null()
        .or(Expr::col(column).is_in(grades.iter().map(|g| String::from(*g))))
}

/// The table, named `table`, with `grades` as the allowed grade words (migration 21 builds
/// it again under another name with the new words).
pub(crate) fn table(table: &str, grades: &[&str]) -> TableCreateStatement {
    let this = Alias::new(table);
    let user_fk = |name: &str, column: SelfEvaluations| {
        ForeignKey::create()
            .name(name)
            .from(this.clone(), column)
            .to(Users::Table, Users::Id)
            .on_delete(ForeignKeyAction::SetNull)
            .to_owned()
    };
    let school_fk = |name: &str, column: SelfEvaluations| {
        ForeignKey::create()
            .name(name)
            .from(this.clone(), column)
            .to(Schools::Table, Schools::Id)
            .to_owned()
    };
    Table::create()
        .table(this.clone())
        .if_not_exists()
        .col(big_pk_auto(SelfEvaluations::Id))
        .col(big_integer(SelfEvaluations::TeacherId))
        .col(big_integer(SelfEvaluations::AcademicYearId))
        .col(
            string_len(SelfEvaluations::Context, 20).check(
                Expr::col(SelfEvaluations::Context)
                    .is_in(["mentor", "mentee", "seconded"].map(String::from)),
            ),
        )
        .col(big_integer(SelfEvaluations::SchoolId))
        .col(big_integer(SelfEvaluations::AppraiserSchoolId))
        // A dispatching school signs only for a seconded teacher.
        .col(
            big_integer_null(SelfEvaluations::SignerSchoolId).check(Expr::cust(
                "(context = 'seconded') = (signer_school_id IS NOT NULL)",
            )),
        )
        .col(big_integer_null(SelfEvaluations::SecondmentId))
        .col(text(SelfEvaluations::Ethics).default(""))
        .col(text(SelfEvaluations::Teaching).default(""))
        .col(text(SelfEvaluations::Results).default(""))
        .col(text(SelfEvaluations::Improvement).default(""))
        .col(
            string_len_null(SelfEvaluations::ProposedGrade, 20)
                .check(grade_check(SelfEvaluations::ProposedGrade, grades)),
        )
        .col(text(SelfEvaluations::Figures).default(""))
        .col(
            string_len(SelfEvaluations::Status, 20).check(
                Expr::col(SelfEvaluations::Status).is_in(
                    [
                        "draft",
                        "submitted",
                        "appraised",
                        "signed",
                        "verified",
                        "acknowledged",
                    ]
                    .map(String::from),
                ),
            ),
        )
        .col(timestamp_with_time_zone_null(SelfEvaluations::SubmittedAt))
        .col(
            string_len_null(SelfEvaluations::AppraisalGrade, 20)
                .check(grade_check(SelfEvaluations::AppraisalGrade, grades)),
        )
        .col(text(SelfEvaluations::AppraisalComment).default(""))
        .col(big_integer_null(SelfEvaluations::AppraisedBy))
        .col(timestamp_with_time_zone_null(SelfEvaluations::AppraisedAt))
        .col(text(SelfEvaluations::SignComment).default(""))
        .col(big_integer_null(SelfEvaluations::SignedBy))
        .col(timestamp_with_time_zone_null(SelfEvaluations::SignedAt))
        .col(
            string_len_null(SelfEvaluations::FinalGrade, 20)
                .check(grade_check(SelfEvaluations::FinalGrade, grades)),
        )
        .col(text(SelfEvaluations::VerifyComment).default(""))
        .col(big_integer_null(SelfEvaluations::VerifiedBy))
        .col(timestamp_with_time_zone_null(SelfEvaluations::VerifiedAt))
        .col(timestamp_with_time_zone_null(
            SelfEvaluations::AcknowledgedAt,
        ))
        .col(text(SelfEvaluations::ReturnReason).default(""))
        .col(big_integer_null(SelfEvaluations::ReturnedBy))
        .col(timestamp_with_time_zone_null(SelfEvaluations::ReturnedAt))
        .col(integer(SelfEvaluations::Version).default(1))
        .col(timestamp_with_time_zone(SelfEvaluations::CreatedAt))
        .col(timestamp_with_time_zone(SelfEvaluations::UpdatedAt))
        .foreign_key(
            ForeignKey::create()
                .name("fk_self_evaluations_teacher")
                .from(this.clone(), SelfEvaluations::TeacherId)
                .to(Teachers::Table, Teachers::Id),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_self_evaluations_year")
                .from(this.clone(), SelfEvaluations::AcademicYearId)
                .to(AcademicYears::Table, AcademicYears::Id),
        )
        .foreign_key(&mut school_fk(
            "fk_self_evaluations_school",
            SelfEvaluations::SchoolId,
        ))
        .foreign_key(&mut school_fk(
            "fk_self_evaluations_appraiser",
            SelfEvaluations::AppraiserSchoolId,
        ))
        .foreign_key(&mut school_fk(
            "fk_self_evaluations_signer",
            SelfEvaluations::SignerSchoolId,
        ))
        .foreign_key(
            ForeignKey::create()
                .name("fk_self_evaluations_secondment")
                .from(this.clone(), SelfEvaluations::SecondmentId)
                .to(Secondments::Table, Secondments::Id)
                .on_delete(ForeignKeyAction::SetNull),
        )
        .foreign_key(&mut user_fk(
            "fk_self_evaluations_appraised_by",
            SelfEvaluations::AppraisedBy,
        ))
        .foreign_key(&mut user_fk(
            "fk_self_evaluations_signed_by",
            SelfEvaluations::SignedBy,
        ))
        .foreign_key(&mut user_fk(
            "fk_self_evaluations_verified_by",
            SelfEvaluations::VerifiedBy,
        ))
        .foreign_key(&mut user_fk(
            "fk_self_evaluations_returned_by",
            SelfEvaluations::ReturnedBy,
        ))
        .to_owned()
}

/// The table's indexes.
pub(crate) fn indexes() -> Vec<IndexCreateStatement> {
    let mut out = Vec::new();
    for (name, cols, unique) in [
        (
            "ux_self_evaluations_teacher_year",
            &["teacher_id", "academic_year_id"][..],
            true,
        ),
        (
            "ix_self_evaluations_year",
            &["academic_year_id", "status", "id"][..],
            false,
        ),
        ("ix_self_evaluations_status", &["status", "id"][..], false),
        (
            "ix_self_evaluations_school",
            &["school_id", "academic_year_id", "id"][..],
            false,
        ),
        (
            "ix_self_evaluations_appraiser",
            &["appraiser_school_id", "status", "id"][..],
            false,
        ),
        (
            "ix_self_evaluations_signer",
            &["signer_school_id", "status", "id"][..],
            false,
        ),
        (
            "ix_self_evaluations_secondment",
            &["secondment_id"][..],
            false,
        ),
        (
            "ix_self_evaluations_appraised_by",
            &["appraised_by"][..],
            false,
        ),
        ("ix_self_evaluations_signed_by", &["signed_by"][..], false),
        (
            "ix_self_evaluations_verified_by",
            &["verified_by"][..],
            false,
        ),
        (
            "ix_self_evaluations_returned_by",
            &["returned_by"][..],
            false,
        ),
    ] {
        let mut index = Index::create();
        index
            .name(name)
            .table(SelfEvaluations::Table)
            .if_not_exists();
        if unique {
            index.unique();
        }
        for c in cols {
            index.col(Alias::new(*c));
        }
        out.push(index.to_owned());
    }
    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table("self_evaluations", &GRADES))
            .await?;
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SelfEvaluations::Table).to_owned())
            .await
    }
}
