//! `/api/v1/resources` (资源共享): search the library, upload a file (multipart), fetch a
//! file, and remove one's own (the bureau any). Who sees a resource is the policy's.
use chrono::{DateTime, Utc};
use rocket::data::Capped;
use rocket::form::FromForm;
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::domain::access::Actor;
use crate::domain::files::FileStore;
use crate::domain::resources::{self, ResourceFilter, ResourceForm, ResourceKind, Visibility};
use crate::entities::resources as rows;
use crate::error::AppResult;
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, QueryCheck, created, list_query, no_content};
use crate::web::forms::ApiMultipart;
use crate::web::guards::CurrentUser;
use crate::web::pages::resources::{Attachment, attachment, upload_of};

/// A resource of the library as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResourceView {
    pub id: i64,
    pub title: String,
    pub kind: ResourceKind,
    pub subject: String,
    pub grade: String,
    pub visibility: Visibility,
    /// Set when `visibility` is `school_pairing`.
    pub school_pairing_id: Option<i64>,
    /// Set when `visibility` is `teacher_pairing`.
    pub teacher_pairing_id: Option<i64>,
    /// The name it was uploaded as.
    pub file_name: String,
    /// The type found in its content.
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: Option<i64>,
    /// Where to fetch the file (an attachment).
    pub download_url: String,
    /// Whether the caller may delete it.
    pub may_delete: bool,
    pub created_at: DateTime<Utc>,
}

fn view(actor: &Actor, m: rows::Model) -> ResourceView {
    ResourceView {
        may_delete: resources::may_delete(actor, &m),
        download_url: format!("/api/v1/resources/{}/file", m.id),
        id: m.id,
        title: m.title,
        kind: m.kind,
        subject: m.subject,
        grade: m.grade,
        visibility: m.visibility,
        school_pairing_id: m.school_pairing_id,
        teacher_pairing_id: m.teacher_pairing_id,
        file_name: m.file_name,
        content_type: m.content_type,
        size_bytes: m.size_bytes,
        uploaded_by: m.uploaded_by,
        created_at: m.created_at,
    }
}

/// A page of resources.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResourcePage {
    #[serde(flatten)]
    pub page: ApiPage<ResourceView>,
}

list_query!(
    /// The query of `GET /resources`.
    ResourcesQuery {
        /// A resource kind
        #[param(value_type = Option<ResourceKind>)]
        kind,
        /// Subject, exactly
        #[param(max_length = 100)]
        subject,
        /// Grade, exactly
        #[param(max_length = 100)]
        grade,
        /// Shared with this school pairing
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_pairing_id,
        /// Shared with this teacher pairing
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        teacher_pairing_id,
        /// `true`: only what the caller uploaded
        #[param(value_type = Option<bool>)]
        mine,
    }
);

/// Search the resources the caller may see, newest first.
#[utoipa::path(context_path = "/api/v1", operation_id = "resources_list", tag = "resources",
    params(ResourcesQuery),
    responses(
        (status = 200, description = "One page of resources", body = ResourcePage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/resources")]
pub async fn list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<ResourcesQuery>,
) -> AppResult<Json<ResourcePage>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let filter = ResourceFilter {
        kind: check.word("kind", query.kind.as_deref(), ResourceKind::parse),
        subject: check.text("subject", query.subject.as_deref()),
        grade: check.text("grade", query.grade.as_deref()),
        school_pairing_id: check.id("school_pairing_id", query.school_pairing_id.as_deref()),
        teacher_pairing_id: check.id("teacher_pairing_id", query.teacher_pairing_id.as_deref()),
        mine: check.flag("mine", query.mine.as_deref()),
    };
    check.finish()?;
    let paged = resources::list(db.inner(), &user.actor, &filter, request).await?;
    let actor = user.actor.clone();
    Ok(Json(ResourcePage {
        page: ApiPage::from_paged(paged, |m| view(&actor, m)),
    }))
}

/// One resource.
#[utoipa::path(context_path = "/api/v1", operation_id = "resources_show", tag = "resources",
    params(("id" = i64, Path, description = "Resource id")),
    responses(
        (status = 200, description = "The resource", body = ResourceView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such resource (or not shared with the caller)", body = ErrorBody),
    ))]
#[get("/resources/<id>")]
pub async fn show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<ResourceView>> {
    let row = resources::get(db.inner(), &user.actor, id).await?;
    Ok(Json(view(&user.actor, row)))
}

/// The file of a resource, as an attachment.
#[utoipa::path(context_path = "/api/v1", operation_id = "resources_file", tag = "resources",
    params(("id" = i64, Path, description = "Resource id")),
    responses(
        (status = 200, description = "The file, with `Content-Disposition: attachment` and the type found in its content (PDF, Office, JPEG, PNG, MP4 or UTF-8 text)", content_type = "*/*", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such resource (or not shared with the caller)", body = ErrorBody),
    ))]
#[get("/resources/<id>/file")]
pub async fn file(
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Attachment> {
    attachment(db.inner(), store.inner(), &user, id).await
}

/// The multipart body of an upload.
#[derive(FromForm)]
pub struct ApiUpload<'r> {
    #[field(default = String::new())]
    title: String,
    #[field(default = String::new())]
    kind: String,
    #[field(default = String::new())]
    subject: String,
    #[field(default = String::new())]
    grade: String,
    #[field(default = String::new())]
    visibility: String,
    #[field(default = String::new())]
    school_pairing_id: String,
    #[field(default = String::new())]
    teacher_pairing_id: String,
    #[field(default = String::new())]
    idempotency_key: String,
    file: Option<Capped<TempFile<'r>>>,
}

/// What a client sends to upload a resource (`multipart/form-data`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResourceInput {
    /// The file: PDF, Word, Excel, PowerPoint (old or new formats), JPEG, PNG, MP4 or
    /// UTF-8 text, its content agreeing with its name's extension, within the upload limit.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    pub kind: ResourceKind,
    #[schema(max_length = 40)]
    pub subject: Option<String>,
    #[schema(max_length = 40)]
    pub grade: Option<String>,
    pub visibility: Visibility,
    /// With `visibility` `school_pairing`: an active pairing of the caller's school.
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub school_pairing_id: Option<i64>,
    /// With `visibility` `teacher_pairing`: an active pairing the caller is in (a school
    /// admin: of their school).
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub teacher_pairing_id: Option<i64>,
    /// Sending the same key again returns the resource made the first time.
    #[schema(max_length = 100)]
    pub idempotency_key: Option<String>,
}

/// Upload a resource.
#[utoipa::path(context_path = "/api/v1", operation_id = "resources_create", tag = "resources",
    request_body(content = ResourceInput, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Uploaded", body = ResourceView),
        (status = 400, description = "Not a multipart body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "A cookie session from another site", body = ErrorBody),
        (status = 422, description = "Invalid fields, or a file too large, empty, of a type not taken, or whose content is not what its name says (`fields.file`)", body = ErrorBody),
    ))]
#[post("/resources", data = "<upload>")]
pub async fn create(
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    upload: ApiMultipart<ApiUpload<'_>>,
) -> AppResult<Created<Json<ResourceView>>> {
    let upload = upload.0;
    let form = ResourceForm {
        title: upload.title,
        kind: upload.kind,
        subject: upload.subject,
        grade: upload.grade,
        visibility: upload.visibility,
        school_pairing_id: upload.school_pairing_id,
        teacher_pairing_id: upload.teacher_pairing_id,
        idempotency_key: upload.idempotency_key,
    };
    let file = upload_of(upload.file, store.max_bytes).await?;
    let row = resources::create(db.inner(), store.inner(), &user.actor, &form, file).await?;
    let id = row.id;
    Ok(created(format!("/resources/{id}"), view(&user.actor, row)))
}

/// Delete a resource and its file (the uploader, or the bureau).
#[utoipa::path(context_path = "/api/v1", operation_id = "resources_destroy", tag = "resources",
    params(("id" = i64, Path, description = "Resource id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the uploader", body = ErrorBody),
        (status = 404, description = "No such resource (or not shared with the caller)", body = ErrorBody),
    ))]
#[delete("/resources/<id>")]
pub async fn destroy(
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Status> {
    resources::delete(db.inner(), store.inner(), &user.actor, id).await?;
    Ok(no_content())
}

pub fn routes() -> Vec<rocket::Route> {
    routes![list, show, file, create, destroy]
}
