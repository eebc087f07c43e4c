//! Indexes in the lists' order (issue 12): reflections are listed newest first by
//! `created_at, id` and observations by `observed_on, id`; with these a page reads its
//! twenty rows off the index instead of sorting the table, and a deep page skips index
//! entries only.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str, &[&str])] = &[
    (
        "ix_reflections_created",
        "reflections",
        &["created_at", "id"],
    ),
    (
        "ix_observations_date_id",
        "observations",
        &["observed_on", "id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, cols) in INDEXES {
            let mut stmt = Index::create();
            stmt.name(*name).table(Alias::new(*table)).if_not_exists();
            for c in *cols {
                stmt.col(Alias::new(*c));
            }
            manager.create_index(stmt.to_owned()).await?;
        }
        // The date-only index is a prefix of the new one.
        manager
            .drop_index(
                Index::drop()
                    .name("ix_observations_date")
                    .table(Alias::new("observations"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_observations_date")
                    .table(Alias::new("observations"))
                    .col(Alias::new("observed_on"))
                    .to_owned(),
            )
            .await?;
        for (name, table, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new(*table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
