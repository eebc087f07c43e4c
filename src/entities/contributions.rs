use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::domain::contributions::{ContributionKind, LedgerStatus};

/// 资金/物资帮扶: one item of money or material a school of a school pairing gives the
/// other; `value_fen` in fen; recorded by the giver, confirmed or disputed (with `note`)
/// by the receiver.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "contributions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub school_pairing_id: i64,
    pub giver_school_id: i64,
    pub receiver_school_id: i64,
    pub given_on: Date,
    pub kind: ContributionKind,
    pub description: String,
    pub quantity: Option<i32>,
    pub value_fen: i64,
    pub from_students: bool,
    pub status: LedgerStatus,
    pub note: String,
    pub recorded_by: Option<i64>,
    pub answered_by: Option<i64>,
    pub answered_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
