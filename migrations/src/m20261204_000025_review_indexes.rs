//! Two indexes the benchmark asked for (issue 15): the review's list of a year's teacher
//! pairings in id order read every pairing of the year and sorted them (55 ms on the
//! province set: `(academic_year_id, id)` reads them in order), and the dashboard's visits
//! of a year by kind looked up each visit for its kind (13 ms: `(starts_on, kind)` answers
//! from the index alone).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str, &[&str])] = &[
    (
        "ix_teacher_pairings_year_id",
        "teacher_pairings",
        &["academic_year_id", "id"],
    ),
    ("ix_visits_date_kind", "visits", &["starts_on", "kind"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in INDEXES {
            let mut index = Index::create();
            index.name(*name).table(Alias::new(*table)).if_not_exists();
            for c in *columns {
                index.col(Alias::new(*c));
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
