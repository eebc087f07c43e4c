use sea_orm::entity::prelude::*;
use serde::Serialize;

/// One version of a rubric template (评课表). Versions of one template share `code`; the
/// newest has `is_current`. `definition` is the JSON of sections, items and bands (see
/// `domain::rubrics::Definition`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "rubrics")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub version: i32,
    pub name: String,
    pub description: String,
    pub definition: String,
    pub is_current: bool,
    pub is_active: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
