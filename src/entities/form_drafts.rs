use sea_orm::entity::prelude::*;
use serde::Serialize;

/// Text typed into a form whose session had expired, kept under a random token (in a
/// cookie) until the writer signs in again and finds it restored on the form.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "form_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token: String,
    pub user_id: Option<i64>,
    pub path: String,
    pub fields: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
