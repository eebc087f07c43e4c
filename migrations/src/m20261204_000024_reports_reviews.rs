//! The bureau's annual report (one per academic year: the five sections people write, the
//! figures being read from the data) and the effectiveness review (效果评价: per pairing and
//! year, the bureau's mark — renew, adjust or end — with a note; preparing next year
//! records which draft each mark made).
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AnnualReports {
    Table,
    Id,
    AcademicYearId,
    Overview,
    Practices,
    Outcomes,
    Problems,
    Plans,
    Version,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Reviews {
    Table,
    Id,
    AcademicYearId,
    SchoolPairingId,
    TeacherPairingId,
    Mark,
    Note,
    MarkedBy,
    CarriedToId,
    PreparedAt,
    Version,
    CreatedAt,
    UpdatedAt,
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

#[derive(DeriveIden)]
enum SchoolPairings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TeacherPairings {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AnnualReports::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AnnualReports::Id))
                    .col(big_integer(AnnualReports::AcademicYearId))
                    .col(text(AnnualReports::Overview).default(""))
                    .col(text(AnnualReports::Practices).default(""))
                    .col(text(AnnualReports::Outcomes).default(""))
                    .col(text(AnnualReports::Problems).default(""))
                    .col(text(AnnualReports::Plans).default(""))
                    .col(integer(AnnualReports::Version).default(1))
                    .col(big_integer_null(AnnualReports::UpdatedBy))
                    .col(timestamp_with_time_zone(AnnualReports::CreatedAt))
                    .col(timestamp_with_time_zone(AnnualReports::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_annual_reports_year")
                            .from(AnnualReports::Table, AnnualReports::AcademicYearId)
                            .to(AcademicYears::Table, AcademicYears::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_annual_reports_updated_by")
                            .from(AnnualReports::Table, AnnualReports::UpdatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Reviews::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Reviews::Id))
                    .col(big_integer(Reviews::AcademicYearId))
                    .col(big_integer_null(Reviews::SchoolPairingId))
                    .col(
                        big_integer_null(Reviews::TeacherPairingId).check(Expr::cust(
                            "(school_pairing_id IS NULL) <> (teacher_pairing_id IS NULL)",
                        )),
                    )
                    .col(
                        string_len(Reviews::Mark, 20).check(
                            Expr::col(Reviews::Mark)
                                .is_in(["renew", "adjust", "end"].map(String::from)),
                        ),
                    )
                    .col(text(Reviews::Note).default(""))
                    .col(big_integer_null(Reviews::MarkedBy))
                    .col(big_integer_null(Reviews::CarriedToId))
                    .col(timestamp_with_time_zone_null(Reviews::PreparedAt))
                    .col(integer(Reviews::Version).default(1))
                    .col(timestamp_with_time_zone(Reviews::CreatedAt))
                    .col(timestamp_with_time_zone(Reviews::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reviews_year")
                            .from(Reviews::Table, Reviews::AcademicYearId)
                            .to(AcademicYears::Table, AcademicYears::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reviews_school_pairing")
                            .from(Reviews::Table, Reviews::SchoolPairingId)
                            .to(SchoolPairings::Table, SchoolPairings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reviews_teacher_pairing")
                            .from(Reviews::Table, Reviews::TeacherPairingId)
                            .to(TeacherPairings::Table, TeacherPairings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reviews_marked_by")
                            .from(Reviews::Table, Reviews::MarkedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        let indexes = [
            (
                "ux_annual_reports_year",
                "annual_reports",
                &["academic_year_id"][..],
                true,
            ),
            (
                "ix_annual_reports_updated_by",
                "annual_reports",
                &["updated_by"][..],
                false,
            ),
            (
                "ux_reviews_school_pairing",
                "reviews",
                &["school_pairing_id", "academic_year_id"][..],
                true,
            ),
            (
                "ux_reviews_teacher_pairing",
                "reviews",
                &["teacher_pairing_id", "academic_year_id"][..],
                true,
            ),
            (
                "ix_reviews_year",
                "reviews",
                &["academic_year_id", "id"][..],
                false,
            ),
            ("ix_reviews_marked_by", "reviews", &["marked_by"][..], false),
        ];
        for (name, table, columns, unique) in indexes {
            let mut index = Index::create();
            index.name(name).table(Alias::new(table)).if_not_exists();
            for c in columns {
                index.col(Alias::new(*c));
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Reviews::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AnnualReports::Table).to_owned())
            .await
    }
}
