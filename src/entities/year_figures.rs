use sea_orm::entity::prelude::*;

/// Counts by academic year kept by database triggers (migration `m20261204_000023`): for a
/// school (`s:<id>`), a district (`d:<district>`) or the whole (`*`), names such as
/// `tp:active`, `obs:2026-09`, `obs-term:1`, `score:8`, `weeks:attended`, `seconded:1`,
/// `se:signed`, `grade:excellent`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "year_figures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub academic_year_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
