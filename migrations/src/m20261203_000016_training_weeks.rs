//! Training weeks (跟岗培训, issue 13): the seed's "one week a month at the urban school"
//! for chosen rural teachers of a school pairing; each week is planned, then confirmed as
//! attended or missed by the host school.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TrainingWeeks {
    Table,
    Id,
    SchoolPairingId,
    TeacherId,
    HostSchoolId,
    GuestSchoolId,
    AcademicYearId,
    Term,
    StartsOn,
    EndsOn,
    Status,
    Note,
    AnsweredBy,
    AnsweredAt,
    CreatedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SchoolPairings {
    Table,
    Id,
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
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AcademicYears {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use TrainingWeeks as T;
        let fk = |name: &str, col: T, table: DynIden, to: DynIden| {
            ForeignKey::create()
                .name(name)
                .from(T::Table, col)
                .to(table, to)
                .to_owned()
        };
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .if_not_exists()
                    .col(big_pk_auto(T::Id))
                    .col(big_integer(T::SchoolPairingId))
                    .col(big_integer(T::TeacherId))
                    .col(big_integer(T::HostSchoolId))
                    .col(big_integer(T::GuestSchoolId))
                    .col(big_integer(T::AcademicYearId))
                    .col(small_integer(T::Term).check(Expr::col(T::Term).is_in([1, 2])))
                    .col(date(T::StartsOn))
                    .col(date(T::EndsOn).check(Expr::col(T::EndsOn).gte(Expr::col(T::StartsOn))))
                    .col(
                        string_len(T::Status, 16).check(
                            Expr::col(T::Status)
                                .is_in(["planned", "attended", "missed"].map(String::from)),
                        ),
                    )
                    .col(string_len(T::Note, 500).default(""))
                    .col(big_integer_null(T::AnsweredBy))
                    .col(timestamp_with_time_zone_null(T::AnsweredAt))
                    .col(big_integer_null(T::CreatedBy))
                    .col(integer(T::Version).default(1))
                    .col(timestamp_with_time_zone(T::CreatedAt))
                    .col(timestamp_with_time_zone(T::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_training_weeks_pairing",
                        T::SchoolPairingId,
                        SchoolPairings::Table.into_iden(),
                        SchoolPairings::Id.into_iden(),
                    ))
                    .foreign_key(&mut fk(
                        "fk_training_weeks_teacher",
                        T::TeacherId,
                        Teachers::Table.into_iden(),
                        Teachers::Id.into_iden(),
                    ))
                    .foreign_key(&mut fk(
                        "fk_training_weeks_host",
                        T::HostSchoolId,
                        Schools::Table.into_iden(),
                        Schools::Id.into_iden(),
                    ))
                    .foreign_key(&mut fk(
                        "fk_training_weeks_guest",
                        T::GuestSchoolId,
                        Schools::Table.into_iden(),
                        Schools::Id.into_iden(),
                    ))
                    .foreign_key(&mut fk(
                        "fk_training_weeks_year",
                        T::AcademicYearId,
                        AcademicYears::Table.into_iden(),
                        AcademicYears::Id.into_iden(),
                    ))
                    .foreign_key(
                        fk(
                            "fk_training_weeks_answered_by",
                            T::AnsweredBy,
                            Users::Table.into_iden(),
                            Users::Id.into_iden(),
                        )
                        .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        fk(
                            "fk_training_weeks_created_by",
                            T::CreatedBy,
                            Users::Table.into_iden(),
                            Users::Id.into_iden(),
                        )
                        .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // One week per teacher and date; the pairing's and the host's weeks by date.
        manager
            .create_index(
                Index::create()
                    .name("ux_training_weeks_teacher_week")
                    .table(T::Table)
                    .col(T::TeacherId)
                    .col(T::StartsOn)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_training_weeks_pairing",
                [T::SchoolPairingId, T::StartsOn],
            ),
            ("ix_training_weeks_host", [T::HostSchoolId, T::StartsOn]),
            ("ix_training_weeks_guest", [T::GuestSchoolId, T::StartsOn]),
            ("ix_training_weeks_year", [T::AcademicYearId, T::StartsOn]),
            ("ix_training_weeks_date", [T::StartsOn, T::Id]),
            ("ix_training_weeks_answered_by", [T::AnsweredBy, T::Id]),
            ("ix_training_weeks_created_by", [T::CreatedBy, T::Id]),
        ] {
            let [a, b] = cols;
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(T::Table)
                        .col(a)
                        .col(b)
                        .if_not_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TrainingWeeks::Table).to_owned())
            .await
    }
}
