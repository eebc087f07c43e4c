use sea_orm::entity::prelude::*;
use serde::Serialize;

use crate::domain::resources::{ResourceKind, Visibility};

/// A file of the shared resource library (资源共享), seen by one teacher pairing, one
/// school pairing or everyone. `stored_name` is the generated file name under the upload
/// folder's `resources` area; `file_name` the name it was uploaded as, for the download.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "resources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub kind: ResourceKind,
    pub subject: String,
    pub grade: String,
    pub visibility: Visibility,
    pub school_pairing_id: Option<i64>,
    pub teacher_pairing_id: Option<i64>,
    pub file_name: String,
    #[serde(skip)]
    pub stored_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
