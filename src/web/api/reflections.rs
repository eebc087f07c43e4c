//! `/api/v1/reflections`: 教学反思 with their comments.
use chrono::{DateTime, Utc};
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::domain::access::Visible;
use crate::domain::context::Context;
use crate::domain::paging;
use crate::domain::reflections::{self as refl, ReflectionForm};
use crate::domain::types::de::loose_string;
use crate::entities::reflections as refl_rows;
use crate::error::{AppError, AppResult, Msg};
use crate::web::api::observations::{CommentInput, CommentView};
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query};
use crate::web::forms::ApiJson;
use crate::web::guards::CurrentUser;

/// A reflection as the API shows it, with its comments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReflectionView {
    pub id: i64,
    pub teacher_pairing_id: i64,
    pub observation_id: Option<i64>,
    pub author_id: i64,
    pub title: String,
    pub body: String,
    /// Starts at 1, one more with each saved edit; send it back with an edit.
    pub version: i32,
    pub comments: Vec<CommentView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn reflection_view(r: refl_rows::Model, comments: Vec<CommentView>) -> ReflectionView {
    ReflectionView {
        version: r.version,
        id: r.id,
        teacher_pairing_id: r.teacher_pairing_id,
        observation_id: r.observation_id,
        author_id: r.author_id,
        title: r.title,
        body: r.body,
        comments,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

async fn with_comments(
    db: &DatabaseConnection,
    r: Visible<refl_rows::Model>,
) -> AppResult<ReflectionView> {
    let comments = refl::comments_of(db, &r)
        .await?
        .into_iter()
        .map(CommentView::from)
        .collect();
    Ok(reflection_view(r.into_inner(), comments))
}

list_query!(
    /// The query of `GET /reflections`.
    ReflectionsQuery {
        /// The pairing's academic year
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        academic_year_id,
        /// The mentor's or the mentee's school
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_id,
        /// Text in the pairing's subject
        #[param(max_length = 100)]
        subject,
        /// One teacher pairing
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        teacher_pairing_id,
    }
);

/// List reflections the caller may read, newest first (comments are in the single read).
#[utoipa::path(context_path = "/api/v1", operation_id = "reflections_list", tag = "reflections",
    params(ReflectionsQuery),
    responses(
        (status = 200, description = "One page", body = ApiPage<ReflectionView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/reflections")]
pub async fn reflections_list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<ReflectionsQuery>,
) -> AppResult<Json<ApiPage<ReflectionView>>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let filter = refl::Filter {
        academic_year_id: check.id("academic_year_id", query.academic_year_id.as_deref()),
        written: None,
        school_id: check.id("school_id", query.school_id.as_deref()),
        subject: check.text("subject", query.subject.as_deref()),
        teacher_pairing_id: check.id("teacher_pairing_id", query.teacher_pairing_id.as_deref()),
    };
    check.finish()?;
    let paged = paging::fetch(db.inner(), refl::filtered(&user.actor, &filter), request).await?;
    Ok(Json(ApiPage::from_paged(paged, |r| {
        reflection_view(r, Vec::new())
    })))
}

/// One reflection with its comments.
#[utoipa::path(context_path = "/api/v1", operation_id = "reflections_show", tag = "reflections",
    params(("id" = i64, Path, description = "Reflection id")),
    responses(
        (status = 200, description = "The reflection", body = ReflectionView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the caller's pairing", body = ErrorBody),
        (status = 404, description = "No such reflection", body = ErrorBody),
    ))]
#[get("/reflections/<id>")]
pub async fn reflections_show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<ReflectionView>> {
    let (r, _) = refl::get(db.inner(), &user.actor, id).await?;
    Ok(Json(with_comments(db, r).await?))
}

/// What a client sends to write a reflection (documented shape; read as `ReflectionBody`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReflectionInput {
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub teacher_pairing_id: i64,
    #[serde(flatten)]
    pub fields: ReflectionFields,
}

/// The fields of a reflection, as sent to write or edit one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReflectionFields {
    /// The observation it reflects on (of the same pairing); a reply locks that observation.
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub observation_id: Option<i64>,
    #[schema(max_length = 100)]
    pub title: Option<String>,
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub body: String,
    /// Edits: the `version` read (a stale one is a 409).
    #[schema(minimum = 0)]
    pub version: Option<i64>,
    /// New reflections: a one-time key of this submit; a repeat makes nothing twice.
    #[schema(max_length = 100)]
    pub idempotency_key: Option<String>,
}

/// A reflection body as read (values as text, checked by the domain).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReflectionBody {
    #[serde(deserialize_with = "loose_string")]
    pub teacher_pairing_id: String,
    #[serde(flatten)]
    pub form: ReflectionForm,
}

/// Write a reflection (the mentee of an active pairing); the mentor is told.
#[utoipa::path(context_path = "/api/v1", operation_id = "reflections_create", tag = "reflections",
    request_body = ReflectionInput,
    responses(
        (status = 201, description = "Created", body = ReflectionView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "Not the mentee", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "The pairing is not active", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[post("/reflections", data = "<body>")]
pub async fn reflections_create(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    body: ApiJson<Obj<ReflectionBody>>,
) -> AppResult<Created<Json<ReflectionView>>> {
    let input = body.get()?.0;
    let pairing_id: i64 = input
        .teacher_pairing_id
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("teacher_pairing_id", Msg::new("err-not-a-number")))?;
    let r = refl::create(db.inner(), &user.actor, pairing_id, &input.form, &context).await?;
    Ok(created(
        format!("/reflections/{}", r.id),
        reflection_view(r, Vec::new()),
    ))
}

/// Edit a reflection (its author), sending the `version` read; a stale one is a 409.
#[utoipa::path(context_path = "/api/v1", operation_id = "reflections_update", tag = "reflections",
    params(("id" = i64, Path, description = "Reflection id")),
    request_body = ReflectionFields,
    responses(
        (status = 200, description = "Saved", body = ReflectionView),
        (status = 403, description = "Not the author", body = ErrorBody),
        (status = 404, description = "No such reflection", body = ErrorBody),
        (status = 409, description = "A stale version", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[put("/reflections/<id>", data = "<body>")]
pub async fn reflections_update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<ReflectionForm>>,
) -> AppResult<Json<ReflectionView>> {
    let (r, p) = refl::get(db.inner(), &user.actor, id).await?;
    refl::ensure(&user.actor, &r, &p, refl::ReflAction::Edit)?;
    let r = refl::update(db.inner(), &user.actor, id, &body.get()?.0).await?;
    Ok(Json(with_comments(db, r).await?))
}

/// Comment on a reflection (the mentor or the mentee); the other is told.
#[utoipa::path(context_path = "/api/v1", operation_id = "reflections_comment", tag = "reflections",
    params(("id" = i64, Path, description = "Reflection id")),
    request_body = CommentInput,
    responses(
        (status = 201, description = "Posted", body = CommentView),
        (status = 403, description = "Not in the pairing", body = ErrorBody),
        (status = 404, description = "No such reflection", body = ErrorBody),
        (status = 422, description = "Empty or too long", body = ErrorBody),
        (status = 409, description = "The pairing has ended", body = ErrorBody),
    ))]
#[post("/reflections/<id>/comments", data = "<body>")]
pub async fn reflections_comment(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<CommentInput>>,
) -> AppResult<Created<Json<CommentView>>> {
    let (r, p) = refl::get(db.inner(), &user.actor, id).await?;
    refl::ensure(&user.actor, &r, &p, refl::ReflAction::Comment)?;
    let body = body.get()?.0;
    let c = refl::add_comment(db.inner(), &user.actor, id, &body.body, &context).await?;
    Ok(created(format!("/reflections/{id}"), c.into()))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        reflections_list,
        reflections_show,
        reflections_create,
        reflections_update,
        reflections_comment,
    ]
}
