//! An index for every foreign-key column and the columns lists filter by that had none
//! (a join, a filter or a cascading check on them scanned the whole table).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index name, table, column).
const INDEXES: &[(&str, &str, &str)] = &[
    ("ix_users_school", "users", "school_id"),
    ("ix_password_resets_user", "password_resets", "user_id"),
    ("ix_api_tokens_user", "api_tokens", "user_id"),
    ("ix_plan_comments_author", "plan_comments", "author_id"),
    (
        "ix_secondments_from_school",
        "secondments",
        "from_school_id",
    ),
    ("ix_secondments_to_school", "secondments", "to_school_id"),
    ("ix_observations_observer", "observations", "observer_id"),
    ("ix_observations_author", "observations", "author_id"),
    ("ix_reflections_author", "reflections", "author_id"),
    ("ix_comments_author", "comments", "author_id"),
    ("ix_contacts_author", "contacts", "author_id"),
    ("ix_audit_log_actor", "audit_log", "actor_id"),
    ("ix_pending_imports_user", "pending_imports", "user_id"),
    ("ix_idempotency_keys_user", "idempotency_keys", "user_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, column) in INDEXES {
            manager
                .create_index(
                    Index::create()
                        .name(*name)
                        .table(Alias::new(*table))
                        .col(Alias::new(*column))
                        .if_not_exists()
                        .to_owned(),
                )
                .await?;
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
