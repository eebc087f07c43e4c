//! Exchange visits (互访, issue 13): a leader, teacher, training or student visit between
//! the two schools of a school pairing, hosted by one of them, with the teachers who took
//! part and the photos taken (stored re-encoded, without their EXIF data, as files under
//! the upload folder; the rows name them). A student visit may have become a ledger item
//! (what the students gave).
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Visits {
    Table,
    Id,
    SchoolPairingId,
    Kind,
    HostSchoolId,
    GuestSchoolId,
    StartsOn,
    EndsOn,
    StudentCount,
    Activities,
    Summary,
    Outcome,
    Classes,
    Gift,
    ContributionId,
    RecordedBy,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum VisitTeachers {
    Table,
    VisitId,
    TeacherId,
}

#[derive(DeriveIden)]
enum VisitPhotos {
    Table,
    Id,
    VisitId,
    FileName,
    ThumbName,
    Width,
    Height,
    SizeBytes,
    UploadedBy,
    CreatedAt,
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
enum Contributions {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Visits::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Visits::Id))
                    .col(big_integer(Visits::SchoolPairingId))
                    .col(
                        string_len(Visits::Kind, 16).check(
                            Expr::col(Visits::Kind).is_in(
                                ["leader", "teacher", "training", "student"].map(String::from),
                            ),
                        ),
                    )
                    .col(big_integer(Visits::HostSchoolId))
                    .col(big_integer(Visits::GuestSchoolId))
                    .col(date(Visits::StartsOn))
                    .col(
                        date(Visits::EndsOn)
                            .check(Expr::col(Visits::EndsOn).gte(Expr::col(Visits::StartsOn))),
                    )
                    .col(
                        integer(Visits::StudentCount)
                            .default(0)
                            .check(Expr::col(Visits::StudentCount).gte(0)),
                    )
                    .col(string_len(Visits::Activities, 200).default("[]"))
                    .col(text(Visits::Summary))
                    .col(text(Visits::Outcome).default(""))
                    .col(string_len(Visits::Classes, 200).default(""))
                    .col(string_len(Visits::Gift, 500).default(""))
                    .col(big_integer_null(Visits::ContributionId))
                    .col(big_integer_null(Visits::RecordedBy))
                    .col(integer(Visits::Version).default(1))
                    .col(timestamp_with_time_zone(Visits::CreatedAt))
                    .col(timestamp_with_time_zone(Visits::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_visits_pairing",
                        (Visits::Table, Visits::SchoolPairingId),
                        (SchoolPairings::Table, SchoolPairings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_visits_host",
                        (Visits::Table, Visits::HostSchoolId),
                        (Schools::Table, Schools::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_visits_guest",
                        (Visits::Table, Visits::GuestSchoolId),
                        (Schools::Table, Schools::Id),
                    ))
                    .foreign_key(
                        fk(
                            "fk_visits_contribution",
                            (Visits::Table, Visits::ContributionId),
                            (Contributions::Table, Contributions::Id),
                        )
                        .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        fk(
                            "fk_visits_recorded_by",
                            (Visits::Table, Visits::RecordedBy),
                            (Users::Table, Users::Id),
                        )
                        .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(VisitTeachers::Table)
                    .if_not_exists()
                    .col(big_integer(VisitTeachers::VisitId))
                    .col(big_integer(VisitTeachers::TeacherId))
                    .primary_key(
                        Index::create()
                            .col(VisitTeachers::VisitId)
                            .col(VisitTeachers::TeacherId),
                    )
                    .foreign_key(
                        fk(
                            "fk_visit_teachers_visit",
                            (VisitTeachers::Table, VisitTeachers::VisitId),
                            (Visits::Table, Visits::Id),
                        )
                        .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut fk(
                        "fk_visit_teachers_teacher",
                        (VisitTeachers::Table, VisitTeachers::TeacherId),
                        (Teachers::Table, Teachers::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(VisitPhotos::Table)
                    .if_not_exists()
                    .col(big_pk_auto(VisitPhotos::Id))
                    .col(big_integer(VisitPhotos::VisitId))
                    .col(string_len(VisitPhotos::FileName, 64))
                    .col(string_len(VisitPhotos::ThumbName, 64))
                    .col(integer(VisitPhotos::Width))
                    .col(integer(VisitPhotos::Height))
                    .col(big_integer(VisitPhotos::SizeBytes))
                    .col(big_integer_null(VisitPhotos::UploadedBy))
                    .col(timestamp_with_time_zone(VisitPhotos::CreatedAt))
                    .foreign_key(
                        fk(
                            "fk_visit_photos_visit",
                            (VisitPhotos::Table, VisitPhotos::VisitId),
                            (Visits::Table, Visits::Id),
                        )
                        .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        fk(
                            "fk_visit_photos_uploaded_by",
                            (VisitPhotos::Table, VisitPhotos::UploadedBy),
                            (Users::Table, Users::Id),
                        )
                        .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, cols) in [
            ("ix_visits_date", "visits", &["starts_on", "id"][..]),
            (
                "ix_visits_pairing",
                "visits",
                &["school_pairing_id", "starts_on"][..],
            ),
            (
                "ix_visits_host",
                "visits",
                &["host_school_id", "starts_on"][..],
            ),
            (
                "ix_visits_guest",
                "visits",
                &["guest_school_id", "starts_on"][..],
            ),
            ("ix_visits_contribution", "visits", &["contribution_id"][..]),
            ("ix_visits_recorded_by", "visits", &["recorded_by"][..]),
            (
                "ix_visit_teachers_teacher",
                "visit_teachers",
                &["teacher_id", "visit_id"][..],
            ),
            (
                "ix_visit_photos_visit",
                "visit_photos",
                &["visit_id", "id"][..],
            ),
            (
                "ix_visit_photos_uploaded_by",
                "visit_photos",
                &["uploaded_by"][..],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Alias::new(table)).if_not_exists();
            for c in cols {
                index.col(Alias::new(*c));
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["visit_photos", "visit_teachers", "visits"] {
            manager
                .drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        Ok(())
    }
}
