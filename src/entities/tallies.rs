use sea_orm::entity::prelude::*;

/// Counts kept by database triggers (migration `m20261203_000011`): `teachers`, `users`,
/// `schools:<kind>`, `observations:<YYYY-MM-DD>`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tallies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub n: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
