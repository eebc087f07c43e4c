use sea_orm::entity::prelude::*;

/// The bureau's annual report of a year: the sections people write (the figures are read
/// from the data whenever it is shown).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, serde::Serialize)]
#[sea_orm(table_name = "annual_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub academic_year_id: i64,
    pub overview: String,
    pub practices: String,
    pub outcomes: String,
    pub problems: String,
    pub plans: String,
    pub version: i32,
    pub updated_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
