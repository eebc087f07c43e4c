//! Security review fixes: server-side sessions (logout ends a session, a sessions list),
//! sign-in throttling counted in the database (shared by every instance), reset-link
//! requests done by the worker, and outbox mails that carry a secret (their bodies are not
//! kept once they failed). The sessions table replaces the users' session epoch.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    SessionEpoch,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    TokenHash,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    EndedAt,
    Address,
    UserAgent,
}

#[derive(DeriveIden)]
enum ThrottleEvents {
    Table,
    Id,
    Kind,
    AccountKey,
    Address,
    HappenedAt,
}

#[derive(DeriveIden)]
enum ResetRequests {
    Table,
    Id,
    Email,
    RequestedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Secret,
}

#[derive(DeriveIden)]
enum FormDrafts {
    Table,
    UserId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(big_pk_auto(Sessions::Id))
                    .col(big_integer(Sessions::UserId))
                    .col(string_len(Sessions::TokenHash, 64))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::EndedAt))
                    .col(string_len(Sessions::Address, 64))
                    .col(string_len(Sessions::UserAgent, 200))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_user")
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_sessions_token")
                    .table(Sessions::Table)
                    .col(Sessions::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .col(Sessions::EndedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_expires")
                    .table(Sessions::Table)
                    .col(Sessions::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ThrottleEvents::Table)
                    .col(big_pk_auto(ThrottleEvents::Id))
                    .col(string_len(ThrottleEvents::Kind, 16))
                    .col(string_len(ThrottleEvents::AccountKey, 254))
                    .col(string_len(ThrottleEvents::Address, 64))
                    .col(timestamp_with_time_zone(ThrottleEvents::HappenedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_throttle_events_account", ThrottleEvents::AccountKey),
            ("ix_throttle_events_address", ThrottleEvents::Address),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(ThrottleEvents::Table)
                        .col(ThrottleEvents::Kind)
                        .col(column)
                        .col(ThrottleEvents::HappenedAt)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_throttle_events_at")
                    .table(ThrottleEvents::Table)
                    .col(ThrottleEvents::HappenedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ResetRequests::Table)
                    .col(big_pk_auto(ResetRequests::Id))
                    .col(string_len(ResetRequests::Email, 254))
                    .col(timestamp_with_time_zone(ResetRequests::RequestedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .add_column(boolean(Outbox::Secret).default(false))
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("ix_form_drafts_user")
                    .table(FormDrafts::Table)
                    .col(FormDrafts::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::SessionEpoch)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(integer(Users::SessionEpoch).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_form_drafts_user")
                    .table(FormDrafts::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Outbox::Table)
                    .drop_column(Outbox::Secret)
                    .to_owned(),
            )
            .await?;
        for table in [
            ResetRequests::Table.into_iden(),
            ThrottleEvents::Table.into_iden(),
            Sessions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
