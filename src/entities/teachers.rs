use sea_orm::entity::prelude::*;
use serde::Serialize;

/// `subjects`, `grades` and `honours` hold JSON arrays of strings (portable across databases).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "teachers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_id: i64,
    pub name: String,
    /// The name's pinyin sort key (`migrations::name_key`), kept with the name.
    pub name_key: String,
    pub gender: String,
    pub staff_no: String,
    pub subjects: String,
    pub grades: String,
    pub title: String,
    pub years_teaching: i32,
    pub honours: String,
    pub phone: String,
    pub email: String,
    pub is_active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
