use sea_orm::entity::prelude::*;
use serde::Serialize;

/// 听课记录: one lesson observed within a teacher pairing, scored with one rubric version.
/// `scores` is JSON (item id → score); `section_scores` JSON (section id → percent of the
/// section's top); `total_score` and `band` are computed on the server.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "observations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub teacher_pairing_id: i64,
    pub observer_id: i64,
    pub observed_id: i64,
    pub author_id: i64,
    pub observed_on: Date,
    pub grade_class: String,
    pub subject: String,
    pub topic: String,
    pub lesson_kind: String,
    pub mode: String,
    pub recording_url: String,
    pub rubric_id: i64,
    pub scores: String,
    pub section_scores: String,
    pub total_score: f64,
    pub band: String,
    pub strengths: String,
    pub suggestions: String,
    pub comment: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
