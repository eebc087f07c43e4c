use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::domain::summaries::{Kind, Stage};

/// A year-end summary: a teacher's work summary (支教工作总结 / 结对帮扶工作总结), received by
/// their school, or a school's annual summary (学校结对帮扶工作总结) as supporter or receiver,
/// received by the bureau.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "summaries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: Kind,
    pub academic_year_id: i64,
    /// The author of a work summary; none for a school's.
    pub teacher_id: Option<i64>,
    /// The school that writes an annual summary, or receives a teacher's work summary.
    pub school_id: i64,
    /// The sections as a JSON object (section key → text).
    pub sections: String,
    /// The figures as they stood when it was submitted (JSON); empty before.
    pub figures: String,
    pub status: Stage,
    pub submitted_at: Option<DateTimeUtc>,
    pub submitted_by: Option<i64>,
    pub accept_comment: String,
    pub accepted_by: Option<i64>,
    pub accepted_at: Option<DateTimeUtc>,
    /// Why it was last sent back (kept until it is submitted again).
    pub return_reason: String,
    pub returned_by: Option<i64>,
    pub returned_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
