use sea_orm::entity::prelude::*;
use serde::Serialize;

/// 支教/轮岗: a teacher sent from one school to another; `term` is `first`, `second` or
/// `year`; `batch` is the 批次.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "secondments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub teacher_id: i64,
    pub from_school_id: i64,
    pub to_school_id: i64,
    pub academic_year_id: i64,
    pub term: String,
    pub batch: i32,
    pub starts_on: Date,
    pub ends_on: Date,
    pub note: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
