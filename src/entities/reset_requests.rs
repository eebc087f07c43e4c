use sea_orm::entity::prelude::*;

/// A "forgot password" request waiting for the worker, which looks the address up and
/// mails a link if it belongs to an active account: the request itself answers in the same
/// time whether or not the address is known.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reset_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub email: String,
    pub requested_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
