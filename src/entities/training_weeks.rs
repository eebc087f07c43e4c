use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::domain::training::WeekStatus;

/// 跟岗培训: one week a rural teacher spends at the host (urban) school of a school
/// pairing; planned, then confirmed as attended or missed by the host school.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "training_weeks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_pairing_id: i64,
    pub teacher_id: i64,
    pub host_school_id: i64,
    /// The teacher's (rural) school, the pairing's other side.
    pub guest_school_id: i64,
    pub academic_year_id: i64,
    pub term: i16,
    pub starts_on: Date,
    pub ends_on: Date,
    pub status: WeekStatus,
    pub note: String,
    pub answered_by: Option<i64>,
    pub answered_at: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
