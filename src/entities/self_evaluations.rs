use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::domain::self_evaluations::{Context, Grade, Stage};

/// 自我鉴定: a teacher's year-end self-evaluation and the opinion of each step.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "self_evaluations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub teacher_id: i64,
    pub academic_year_id: i64,
    pub context: Context,
    /// The teacher's own (dispatching) school when the document was begun.
    pub school_id: i64,
    /// The school where the teacher worked this year: it appraises.
    pub appraiser_school_id: i64,
    /// The dispatching school of a seconded teacher: it signs.
    pub signer_school_id: Option<i64>,
    pub secondment_id: Option<i64>,
    /// 师德表现
    pub ethics: String,
    /// 教育教学
    pub teaching: String,
    /// 帮扶成效
    pub results: String,
    /// 不足与改进
    pub improvement: String,
    pub proposed_grade: Option<Grade>,
    /// The figures as they stood when it was submitted (JSON); empty before.
    pub figures: String,
    pub status: Stage,
    pub submitted_at: Option<DateTimeUtc>,
    pub appraisal_grade: Option<Grade>,
    pub appraisal_comment: String,
    pub appraised_by: Option<i64>,
    pub appraised_at: Option<DateTimeUtc>,
    pub sign_comment: String,
    pub signed_by: Option<i64>,
    pub signed_at: Option<DateTimeUtc>,
    pub final_grade: Option<Grade>,
    pub verify_comment: String,
    pub verified_by: Option<i64>,
    pub verified_at: Option<DateTimeUtc>,
    pub acknowledged_at: Option<DateTimeUtc>,
    /// Why it was last sent one step back (kept until the next step is taken).
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
