//! Accounts, schools, teachers, academic years, tokens, the mail outbox, the audit log
//! and pending imports.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Schools {
    Table,
    Id,
    Name,
    Code,
    Kind,
    Stage,
    District,
    Township,
    Address,
    Principal,
    Phone,
    StudentCount,
    TeacherCount,
    IsActive,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Teachers {
    Table,
    Id,
    SchoolId,
    Name,
    Gender,
    StaffNo,
    Subjects,
    Grades,
    Title,
    YearsTeaching,
    Honours,
    Phone,
    Email,
    IsActive,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    Role,
    SchoolId,
    TeacherId,
    PasswordHash,
    IsActive,
    Locale,
    SessionEpoch,
    LastLoginAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
    Id,
    Name,
    StartsOn,
    SecondTermStartsOn,
    EndsOn,
    IsCurrent,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PasswordResets {
    Table,
    Id,
    UserId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    ToAddr,
    Subject,
    BodyText,
    BodyHtml,
    Attempts,
    NextAttemptAt,
    SentAt,
    FailedAt,
    LastError,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    Entity,
    EntityId,
    Before,
    After,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PendingImports {
    Table,
    Id,
    UserId,
    Kind,
    Payload,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Schools::Table)
                    .col(big_pk_auto(Schools::Id))
                    .col(string(Schools::Name))
                    .col(string(Schools::Code))
                    .col(string(Schools::Kind))
                    .col(string(Schools::Stage))
                    .col(string(Schools::District))
                    .col(string(Schools::Township))
                    .col(string(Schools::Address))
                    .col(string(Schools::Principal))
                    .col(string(Schools::Phone))
                    .col(integer(Schools::StudentCount))
                    .col(integer(Schools::TeacherCount))
                    .col(boolean(Schools::IsActive).default(true))
                    .col(timestamp_with_time_zone(Schools::CreatedAt))
                    .col(timestamp_with_time_zone(Schools::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_schools_code")
                    .table(Schools::Table)
                    .col(Schools::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_schools_district")
                    .table(Schools::Table)
                    .col(Schools::District)
                    .col(Schools::Name)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Teachers::Table)
                    .col(big_pk_auto(Teachers::Id))
                    .col(big_integer(Teachers::SchoolId))
                    .col(string(Teachers::Name))
                    .col(string(Teachers::Gender))
                    .col(string(Teachers::StaffNo))
                    .col(text(Teachers::Subjects))
                    .col(text(Teachers::Grades))
                    .col(string(Teachers::Title))
                    .col(integer(Teachers::YearsTeaching))
                    .col(text(Teachers::Honours))
                    .col(string(Teachers::Phone))
                    .col(string(Teachers::Email))
                    .col(boolean(Teachers::IsActive).default(true))
                    .col(timestamp_with_time_zone(Teachers::CreatedAt))
                    .col(timestamp_with_time_zone(Teachers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_teachers_school")
                            .from(Teachers::Table, Teachers::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_teachers_school_staff_no")
                    .table(Teachers::Table)
                    .col(Teachers::SchoolId)
                    .col(Teachers::StaffNo)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(big_pk_auto(Users::Id))
                    .col(string(Users::Email))
                    .col(string(Users::Name))
                    .col(string(Users::Role))
                    .col(big_integer_null(Users::SchoolId))
                    .col(big_integer_null(Users::TeacherId))
                    .col(string(Users::PasswordHash))
                    .col(boolean(Users::IsActive).default(true))
                    .col(string_null(Users::Locale))
                    .col(integer(Users::SessionEpoch).default(0))
                    .col(timestamp_with_time_zone_null(Users::LastLoginAt))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_school")
                            .from(Users::Table, Users::SchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_users_teacher")
                            .from(Users::Table, Users::TeacherId)
                            .to(Teachers::Table, Teachers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_users_email")
                    .table(Users::Table)
                    .col(Users::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One account per teacher record (NULLs, accounts without a teacher, may repeat).
        manager
            .create_index(
                Index::create()
                    .name("ux_users_teacher")
                    .table(Users::Table)
                    .col(Users::TeacherId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AcademicYears::Table)
                    .col(big_pk_auto(AcademicYears::Id))
                    .col(string(AcademicYears::Name))
                    .col(date(AcademicYears::StartsOn))
                    .col(date(AcademicYears::SecondTermStartsOn))
                    .col(date(AcademicYears::EndsOn))
                    .col(boolean(AcademicYears::IsCurrent).default(false))
                    .col(timestamp_with_time_zone(AcademicYears::CreatedAt))
                    .col(timestamp_with_time_zone(AcademicYears::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_academic_years_name")
                    .table(AcademicYears::Table)
                    .col(AcademicYears::Name)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PasswordResets::Table)
                    .col(big_pk_auto(PasswordResets::Id))
                    .col(big_integer(PasswordResets::UserId))
                    .col(string(PasswordResets::TokenHash))
                    .col(timestamp_with_time_zone(PasswordResets::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordResets::UsedAt))
                    .col(timestamp_with_time_zone(PasswordResets::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_password_resets_user")
                            .from(PasswordResets::Table, PasswordResets::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_password_resets_token")
                    .table(PasswordResets::Table)
                    .col(PasswordResets::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(big_pk_auto(ApiTokens::Id))
                    .col(big_integer(ApiTokens::UserId))
                    .col(string(ApiTokens::Name))
                    .col(string(ApiTokens::TokenHash))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_api_tokens_user")
                            .from(ApiTokens::Table, ApiTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_api_tokens_hash")
                    .table(ApiTokens::Table)
                    .col(ApiTokens::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(big_pk_auto(Outbox::Id))
                    .col(string(Outbox::ToAddr))
                    .col(string(Outbox::Subject))
                    .col(text(Outbox::BodyText))
                    .col(text(Outbox::BodyHtml))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .col(timestamp_with_time_zone_null(Outbox::FailedAt))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_due")
                    .table(Outbox::Table)
                    .col(Outbox::SentAt)
                    .col(Outbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(big_integer_null(AuditLog::ActorId))
                    .col(string(AuditLog::Action))
                    .col(string(AuditLog::Entity))
                    .col(big_integer_null(AuditLog::EntityId))
                    .col(text_null(AuditLog::Before))
                    .col(text_null(AuditLog::After))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_log_entity")
                    .table(AuditLog::Table)
                    .col(AuditLog::Entity)
                    .col(AuditLog::EntityId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PendingImports::Table)
                    .col(big_pk_auto(PendingImports::Id))
                    .col(big_integer(PendingImports::UserId))
                    .col(string(PendingImports::Kind))
                    .col(text(PendingImports::Payload))
                    .col(timestamp_with_time_zone(PendingImports::CreatedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PendingImports::Table.into_iden(),
            AuditLog::Table.into_iden(),
            Outbox::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            PasswordResets::Table.into_iden(),
            AcademicYears::Table.into_iden(),
            Users::Table.into_iden(),
            Teachers::Table.into_iden(),
            Schools::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
