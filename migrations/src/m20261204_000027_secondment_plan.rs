//! How many teachers the bureau plans to second (支教) in a year (issue 15: the seed's plan
//! "共安排129名教师 … 现已进行了四年三批轮岗支教达107人次" sets a number the person-times are
//! read against). Empty: no plan for that year.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("academic_years"))
                    .add_column(
                        ColumnDef::new(Alias::new("secondments_planned"))
                            .integer()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("academic_years"))
                    .drop_column(Alias::new("secondments_planned"))
                    .to_owned(),
            )
            .await
    }
}
