//! Reflections get the integer `version` the other long texts have (observations' `version`,
//! work plans' `plan_version`): a save sends the version it started from.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Reflections {
    Table,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Reflections::Table)
                    .add_column(
                        ColumnDef::new(Reflections::Version)
                            .integer()
                            .not_null()
                            .default(1),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Reflections::Table)
                    .drop_column(Reflections::Version)
                    .to_owned(),
            )
            .await
    }
}
