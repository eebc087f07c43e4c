use sea_orm::entity::prelude::*;

/// One failed sign-in (`kind` "sign_in") or one reset-link request (`kind` "reset"), by
/// account and network address: the throttle counts these rows, so every instance sharing
/// the database sees the same counts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "throttle_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub account_key: String,
    pub address: String,
    pub happened_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
