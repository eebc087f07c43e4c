use sea_orm::entity::prelude::*;
use serde::Serialize;

/// A photo of a visit: the re-encoded image (no EXIF data) and its thumbnail, files of
/// the upload folder's `photos` area under generated names.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "visit_photos")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub visit_id: i64,
    #[serde(skip)]
    pub file_name: String,
    #[serde(skip)]
    pub thumb_name: String,
    pub width: i32,
    pub height: i32,
    pub size_bytes: i64,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
