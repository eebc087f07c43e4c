use sea_orm::entity::prelude::*;

use crate::domain::reviews::Mark;

/// The bureau's mark on a school pairing or a teacher pairing for a year (效果评价).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub academic_year_id: i64,
    pub school_pairing_id: Option<i64>,
    pub teacher_pairing_id: Option<i64>,
    pub mark: Mark,
    pub note: String,
    pub marked_by: Option<i64>,
    /// The draft preparing next year made from this mark (a pairing of the same kind).
    pub carried_to_id: Option<i64>,
    pub prepared_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
