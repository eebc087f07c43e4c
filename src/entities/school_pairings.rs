use sea_orm::entity::prelude::*;
use serde::Serialize;

/// 学校结对: `support_kinds` holds a JSON array of `staff`, `management`, `funds`,
/// `materials`; `year_from`/`year_to` are academic-year names (`2026-2027`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "school_pairings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub supporter_id: i64,
    pub receiver_id: i64,
    pub year_from: String,
    pub year_to: String,
    pub support_kinds: String,
    pub status: crate::domain::types::PairingStatus,
    pub note: String,
    pub termination_requested_by: Option<i64>,
    pub termination_requested_at: Option<DateTimeUtc>,
    pub termination_request_reason: Option<String>,
    pub terminate_reason: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub terminated_at: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
