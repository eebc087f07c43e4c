//! School pairings (学校结对), teacher pairings (师徒结对) with their work plans and
//! comments, secondments (支教/轮岗), and idempotency keys for double-submit-safe actions.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SchoolPairings {
    Table,
    Id,
    SupporterId,
    ReceiverId,
    YearFrom,
    YearTo,
    SupportKinds,
    Status,
    Note,
    TerminationRequestedBy,
    TerminationRequestedAt,
    TerminationRequestReason,
    TerminateReason,
    PublishedAt,
    CompletedAt,
    TerminatedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TeacherPairings {
    Table,
    Id,
    MentorId,
    MenteeId,
    Subject,
    AcademicYearId,
    SchoolPairingId,
    Status,
    TerminationRequestedBy,
    TerminationRequestedAt,
    TerminationRequestReason,
    TerminateReason,
    MentorEndReason,
    MenteeEndReason,
    Plan,
    PlanVersion,
    PlanUpdatedBy,
    PlanUpdatedAt,
    PublishedAt,
    CompletedAt,
    TerminatedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PlanComments {
    Table,
    Id,
    TeacherPairingId,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Secondments {
    Table,
    Id,
    TeacherId,
    FromSchoolId,
    ToSchoolId,
    AcademicYearId,
    Term,
    Batch,
    StartsOn,
    EndsOn,
    Note,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Key,
    UserId,
    Outcome,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
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
enum Users {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<DynIden>,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for col in cols {
        stmt.col(col);
    }
    manager.create_index(stmt.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SchoolPairings::Table)
                    .col(big_pk_auto(SchoolPairings::Id))
                    .col(big_integer(SchoolPairings::SupporterId))
                    .col(big_integer(SchoolPairings::ReceiverId))
                    .col(string(SchoolPairings::YearFrom))
                    .col(string(SchoolPairings::YearTo))
                    .col(text(SchoolPairings::SupportKinds))
                    .col(string(SchoolPairings::Status))
                    .col(text(SchoolPairings::Note))
                    .col(big_integer_null(SchoolPairings::TerminationRequestedBy))
                    .col(timestamp_with_time_zone_null(
                        SchoolPairings::TerminationRequestedAt,
                    ))
                    .col(text_null(SchoolPairings::TerminationRequestReason))
                    .col(text_null(SchoolPairings::TerminateReason))
                    .col(timestamp_with_time_zone_null(SchoolPairings::PublishedAt))
                    .col(timestamp_with_time_zone_null(SchoolPairings::CompletedAt))
                    .col(timestamp_with_time_zone_null(SchoolPairings::TerminatedAt))
                    .col(big_integer_null(SchoolPairings::CreatedBy))
                    .col(timestamp_with_time_zone(SchoolPairings::CreatedAt))
                    .col(timestamp_with_time_zone(SchoolPairings::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_school_pairings_supporter",
                        (SchoolPairings::Table, SchoolPairings::SupporterId),
                        (Schools::Table, Schools::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_school_pairings_receiver",
                        (SchoolPairings::Table, SchoolPairings::ReceiverId),
                        (Schools::Table, Schools::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_school_pairings_supporter",
            SchoolPairings::Table,
            vec![
                SchoolPairings::SupporterId.into_iden(),
                SchoolPairings::Status.into_iden(),
            ],
        )
        .await?;
        index(
            manager,
            "ix_school_pairings_receiver",
            SchoolPairings::Table,
            vec![
                SchoolPairings::ReceiverId.into_iden(),
                SchoolPairings::Status.into_iden(),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TeacherPairings::Table)
                    .col(big_pk_auto(TeacherPairings::Id))
                    .col(big_integer(TeacherPairings::MentorId))
                    .col(big_integer(TeacherPairings::MenteeId))
                    .col(string(TeacherPairings::Subject))
                    .col(big_integer(TeacherPairings::AcademicYearId))
                    .col(big_integer_null(TeacherPairings::SchoolPairingId))
                    .col(string(TeacherPairings::Status))
                    .col(big_integer_null(TeacherPairings::TerminationRequestedBy))
                    .col(timestamp_with_time_zone_null(
                        TeacherPairings::TerminationRequestedAt,
                    ))
                    .col(text_null(TeacherPairings::TerminationRequestReason))
                    .col(text_null(TeacherPairings::TerminateReason))
                    .col(text_null(TeacherPairings::MentorEndReason))
                    .col(text_null(TeacherPairings::MenteeEndReason))
                    .col(text(TeacherPairings::Plan))
                    .col(integer(TeacherPairings::PlanVersion).default(0))
                    .col(big_integer_null(TeacherPairings::PlanUpdatedBy))
                    .col(timestamp_with_time_zone_null(
                        TeacherPairings::PlanUpdatedAt,
                    ))
                    .col(timestamp_with_time_zone_null(TeacherPairings::PublishedAt))
                    .col(timestamp_with_time_zone_null(TeacherPairings::CompletedAt))
                    .col(timestamp_with_time_zone_null(TeacherPairings::TerminatedAt))
                    .col(big_integer_null(TeacherPairings::CreatedBy))
                    .col(timestamp_with_time_zone(TeacherPairings::CreatedAt))
                    .col(timestamp_with_time_zone(TeacherPairings::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_teacher_pairings_mentor",
                        (TeacherPairings::Table, TeacherPairings::MentorId),
                        (Teachers::Table, Teachers::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_teacher_pairings_mentee",
                        (TeacherPairings::Table, TeacherPairings::MenteeId),
                        (Teachers::Table, Teachers::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_teacher_pairings_year",
                        (TeacherPairings::Table, TeacherPairings::AcademicYearId),
                        (AcademicYears::Table, AcademicYears::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_teacher_pairings_school_pairing",
                        (TeacherPairings::Table, TeacherPairings::SchoolPairingId),
                        (SchoolPairings::Table, SchoolPairings::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_teacher_pairings_mentor",
            TeacherPairings::Table,
            vec![
                TeacherPairings::MentorId.into_iden(),
                TeacherPairings::Status.into_iden(),
            ],
        )
        .await?;
        index(
            manager,
            "ix_teacher_pairings_mentee",
            TeacherPairings::Table,
            vec![
                TeacherPairings::MenteeId.into_iden(),
                TeacherPairings::Status.into_iden(),
            ],
        )
        .await?;
        index(
            manager,
            "ix_teacher_pairings_school_pairing",
            TeacherPairings::Table,
            vec![TeacherPairings::SchoolPairingId.into_iden()],
        )
        .await?;
        index(
            manager,
            "ix_teacher_pairings_year",
            TeacherPairings::Table,
            vec![
                TeacherPairings::AcademicYearId.into_iden(),
                TeacherPairings::Status.into_iden(),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PlanComments::Table)
                    .col(big_pk_auto(PlanComments::Id))
                    .col(big_integer(PlanComments::TeacherPairingId))
                    .col(big_integer(PlanComments::AuthorId))
                    .col(text(PlanComments::Body))
                    .col(timestamp_with_time_zone(PlanComments::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_plan_comments_pairing",
                        (PlanComments::Table, PlanComments::TeacherPairingId),
                        (TeacherPairings::Table, TeacherPairings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_plan_comments_author",
                        (PlanComments::Table, PlanComments::AuthorId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_plan_comments_pairing",
            PlanComments::Table,
            vec![PlanComments::TeacherPairingId.into_iden()],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Secondments::Table)
                    .col(big_pk_auto(Secondments::Id))
                    .col(big_integer(Secondments::TeacherId))
                    .col(big_integer(Secondments::FromSchoolId))
                    .col(big_integer(Secondments::ToSchoolId))
                    .col(big_integer(Secondments::AcademicYearId))
                    .col(string(Secondments::Term))
                    .col(integer(Secondments::Batch))
                    .col(date(Secondments::StartsOn))
                    .col(date(Secondments::EndsOn))
                    .col(text(Secondments::Note))
                    .col(timestamp_with_time_zone(Secondments::CreatedAt))
                    .col(timestamp_with_time_zone(Secondments::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_secondments_teacher",
                        (Secondments::Table, Secondments::TeacherId),
                        (Teachers::Table, Teachers::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_secondments_from",
                        (Secondments::Table, Secondments::FromSchoolId),
                        (Schools::Table, Schools::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_secondments_to",
                        (Secondments::Table, Secondments::ToSchoolId),
                        (Schools::Table, Schools::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_secondments_year",
                        (Secondments::Table, Secondments::AcademicYearId),
                        (AcademicYears::Table, AcademicYears::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_secondments_teacher",
            Secondments::Table,
            vec![
                Secondments::TeacherId.into_iden(),
                Secondments::StartsOn.into_iden(),
            ],
        )
        .await?;
        index(
            manager,
            "ix_secondments_year_batch",
            Secondments::Table,
            vec![
                Secondments::AcademicYearId.into_iden(),
                Secondments::Batch.into_iden(),
            ],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(string(IdempotencyKeys::Key).primary_key())
                    .col(big_integer(IdempotencyKeys::UserId))
                    .col(text(IdempotencyKeys::Outcome))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IdempotencyKeys::Table.into_iden(),
            Secondments::Table.into_iden(),
            PlanComments::Table.into_iden(),
            TeacherPairings::Table.into_iden(),
            SchoolPairings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
