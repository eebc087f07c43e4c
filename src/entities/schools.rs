use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "schools")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// The name's pinyin sort key (`migrations::name_key`), kept with the name.
    pub name_key: String,
    pub code: String,
    pub kind: String,
    pub stage: String,
    pub district: String,
    pub township: String,
    pub address: String,
    pub principal: String,
    pub phone: String,
    pub student_count: i32,
    pub teacher_count: i32,
    pub is_active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
