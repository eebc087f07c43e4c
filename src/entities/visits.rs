use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::domain::visits::VisitKind;

/// 互访: a visit between the two schools of a school pairing, hosted by one of them.
/// `activities` is a JSON list of `VisitActivity` words; `classes` and `gift` belong to
/// student visits (学生手拉手), whose gift may have become ledger item `contribution_id`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "visits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_pairing_id: i64,
    pub kind: VisitKind,
    pub host_school_id: i64,
    pub guest_school_id: i64,
    pub starts_on: Date,
    pub ends_on: Date,
    pub student_count: i32,
    pub activities: String,
    pub summary: String,
    pub outcome: String,
    pub classes: String,
    pub gift: String,
    pub contribution_id: Option<i64>,
    pub recorded_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
