use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A teacher who took part in a visit.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "visit_teachers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub visit_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub teacher_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::teachers::Entity",
        from = "Column::TeacherId",
        to = "super::teachers::Column::Id"
    )]
    Teacher,
}

impl ActiveModelBehavior for ActiveModel {}
