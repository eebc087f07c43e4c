use sea_orm::entity::prelude::*;
use serde::Serialize;

/// 师徒结对: mentor and mentee (teacher ids), with the work plan (工作方案) as a JSON object
/// and its version number for stale-save detection.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "teacher_pairings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub mentor_id: i64,
    pub mentee_id: i64,
    pub subject: String,
    pub academic_year_id: i64,
    pub school_pairing_id: Option<i64>,
    pub status: crate::domain::types::PairingStatus,
    pub termination_requested_by: Option<i64>,
    pub termination_requested_at: Option<DateTimeUtc>,
    pub termination_request_reason: Option<String>,
    pub terminate_reason: Option<String>,
    pub mentor_end_reason: Option<String>,
    pub mentee_end_reason: Option<String>,
    pub plan: String,
    pub plan_version: i32,
    pub plan_updated_by: Option<i64>,
    pub plan_updated_at: Option<DateTimeUtc>,
    pub published_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub terminated_at: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// How far an active pairing is behind its current term's targets (0: on track; None:
    /// not active). Kept by `domain::progress`; not part of the record people see.
    #[serde(skip)]
    pub shortfall: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
