//! The two-sided support ledger (资金/物资帮扶, issue 13): an item of money or material one
//! school of a school pairing gives the other, recorded by the giving school and
//! confirmed or disputed by the receiving one. Money is integer fen.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Contributions {
    Table,
    Id,
    SchoolPairingId,
    GiverSchoolId,
    ReceiverSchoolId,
    GivenOn,
    Kind,
    Description,
    Quantity,
    ValueFen,
    FromStudents,
    Status,
    Note,
    RecordedBy,
    AnsweredBy,
    AnsweredAt,
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
enum Users {
    Table,
    Id,
}

fn one_of(column: Contributions, words: &[&str]) -> SimpleExpr {
    Expr::col(column).is_in(words.iter().map(|w| String::from(*w)))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Contributions::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Contributions::Id))
                    .col(big_integer(Contributions::SchoolPairingId))
                    .col(big_integer(Contributions::GiverSchoolId))
                    .col(big_integer(Contributions::ReceiverSchoolId))
                    .col(date(Contributions::GivenOn))
                    .col(string_len(Contributions::Kind, 16).check(one_of(
                        Contributions::Kind,
                        &["funds", "equipment", "books", "other"],
                    )))
                    .col(string_len(Contributions::Description, 500))
                    .col(integer_null(Contributions::Quantity))
                    .col(
                        big_integer(Contributions::ValueFen)
                            .check(Expr::col(Contributions::ValueFen).gt(0)),
                    )
                    .col(boolean(Contributions::FromStudents).default(false))
                    .col(string_len(Contributions::Status, 16).check(one_of(
                        Contributions::Status,
                        &["recorded", "confirmed", "disputed"],
                    )))
                    .col(string_len(Contributions::Note, 500).default(""))
                    .col(big_integer_null(Contributions::RecordedBy))
                    .col(big_integer_null(Contributions::AnsweredBy))
                    .col(timestamp_with_time_zone_null(Contributions::AnsweredAt))
                    .col(integer(Contributions::Version).default(1))
                    .col(timestamp_with_time_zone(Contributions::CreatedAt))
                    .col(timestamp_with_time_zone(Contributions::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contributions_pairing")
                            .from(Contributions::Table, Contributions::SchoolPairingId)
                            .to(SchoolPairings::Table, SchoolPairings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contributions_giver")
                            .from(Contributions::Table, Contributions::GiverSchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contributions_receiver")
                            .from(Contributions::Table, Contributions::ReceiverSchoolId)
                            .to(Schools::Table, Schools::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contributions_recorded_by")
                            .from(Contributions::Table, Contributions::RecordedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contributions_answered_by")
                            .from(Contributions::Table, Contributions::AnsweredBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // The list's order, and each side's and pairing's items by date.
        for (name, cols) in [
            (
                "ix_contributions_recorded_by",
                [Contributions::RecordedBy, Contributions::Id],
            ),
            (
                "ix_contributions_answered_by",
                [Contributions::AnsweredBy, Contributions::Id],
            ),
            (
                "ix_contributions_date",
                [Contributions::GivenOn, Contributions::Id],
            ),
            (
                "ix_contributions_pairing",
                [Contributions::SchoolPairingId, Contributions::GivenOn],
            ),
            (
                "ix_contributions_giver",
                [Contributions::GiverSchoolId, Contributions::GivenOn],
            ),
            (
                "ix_contributions_receiver",
                [Contributions::ReceiverSchoolId, Contributions::GivenOn],
            ),
        ] {
            let [a, b] = cols;
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Contributions::Table)
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
            .drop_table(Table::drop().table(Contributions::Table).to_owned())
            .await
    }
}
