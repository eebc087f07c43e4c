//! The schools' summaries listed newest first (`teacher_id IS NULL ORDER BY id DESC`): with
//! only the unique (teacher, year, kind) index SQLite found the 10,000 school summaries of
//! the province set by it and sorted them all (8 ms a page); `(teacher_id, id)` reads them
//! in order.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_summaries_teacher_id")
                    .table(Alias::new("summaries"))
                    .col(Alias::new("teacher_id"))
                    .col(Alias::new("id"))
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_summaries_teacher_id")
                    .table(Alias::new("summaries"))
                    .to_owned(),
            )
            .await
    }
}
