use sea_orm::entity::prelude::*;
use serde::Serialize;

/// 教学反思 / 成长记录: written by the mentee of a teacher pairing, optionally about one
/// observation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "reflections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub teacher_pairing_id: i64,
    pub observation_id: Option<i64>,
    pub author_id: i64,
    pub title: String,
    pub body: String,
    /// Starts at 1, one more with each saved edit.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
