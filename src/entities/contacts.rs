use sea_orm::entity::prelude::*;
use serde::Serialize;

/// 联系记录: one contact between the two teachers of a pairing.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub teacher_pairing_id: i64,
    pub kind: String,
    pub contacted_on: Date,
    pub summary: String,
    pub author_id: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
