//! `/api/v1/secondments` (支教 / 轮岗): the bureau and the dispatching school's admin
//! write; both schools' admins and the teacher read.
use chrono::{DateTime, NaiveDate, Utc};
use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::secondments::{self, SecondmentFilter, SecondmentForm};
use crate::entities::secondments as rows;
use crate::error::AppResult;
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query, no_content};
use crate::web::forms::ApiJson;
use crate::web::guards::CurrentUser;

/// A secondment as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SecondmentView {
    pub id: i64,
    pub teacher_id: i64,
    /// The dispatching school.
    pub from_school_id: i64,
    /// The receiving school.
    pub to_school_id: i64,
    pub academic_year_id: i64,
    /// `first`, `second` or `year`.
    pub term: String,
    /// 批次, 1–20.
    pub batch: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<rows::Model> for SecondmentView {
    fn from(m: rows::Model) -> Self {
        SecondmentView {
            id: m.id,
            teacher_id: m.teacher_id,
            from_school_id: m.from_school_id,
            to_school_id: m.to_school_id,
            academic_year_id: m.academic_year_id,
            term: m.term,
            batch: m.batch,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            note: m.note,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// What a client sends to create or replace a secondment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SecondmentInput {
    /// A teacher of the dispatching school.
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub teacher_id: i64,
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub from_school_id: i64,
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub to_school_id: i64,
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub academic_year_id: i64,
    /// `first`, `second` or `year`.
    #[schema(example = "year")]
    pub term: secondments::Term,
    #[schema(minimum = 1, maximum = 20)]
    pub batch: i32,
    /// Within the academic year.
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

list_query!(
    /// The query of `GET /secondments`.
    SecondmentsQuery {
        /// Academic year id
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        academic_year_id,
        /// Batch (批次)
        #[param(value_type = Option<i32>, minimum = 1, maximum = 20)]
        batch,
        /// Dispatching school
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        from_school_id,
        /// Receiving school
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        to_school_id,
        /// Teacher
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        teacher_id,
        /// Text in the teacher's name
        #[param(max_length = 100)]
        q,
    }
);

/// List secondments the caller may read, newest start first.
#[utoipa::path(context_path = "/api/v1", operation_id = "secondments_list", tag = "secondments",
    params(SecondmentsQuery),
    responses(
        (status = 200, description = "One page of secondments", body = ApiPage<SecondmentView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/secondments")]
pub async fn list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<SecondmentsQuery>,
) -> AppResult<Json<ApiPage<SecondmentView>>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let filter = SecondmentFilter {
        academic_year_id: check.id("academic_year_id", query.academic_year_id.as_deref()),
        batch: check
            .number_in("batch", query.batch.as_deref(), 1, secondments::MAX_BATCH)
            .map(|b| b as i32),
        from_school_id: check.id("from_school_id", query.from_school_id.as_deref()),
        to_school_id: check.id("to_school_id", query.to_school_id.as_deref()),
        teacher_id: check.id("teacher_id", query.teacher_id.as_deref()),
        q: check.text("q", query.q.as_deref()),
        between: None,
    };
    check.finish()?;
    let paged = secondments::list(db.inner(), &user.actor, &filter, request).await?;
    Ok(Json(ApiPage::from_paged(paged, SecondmentView::from)))
}

/// One secondment.
#[utoipa::path(context_path = "/api/v1", operation_id = "secondments_show", tag = "secondments",
    params(("id" = i64, Path, description = "Secondment id")),
    responses(
        (status = 200, description = "The secondment", body = SecondmentView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such secondment (or not visible)", body = ErrorBody),
    ))]
#[get("/secondments/<id>")]
pub async fn show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<SecondmentView>> {
    Ok(Json(
        secondments::get(db.inner(), &user.actor, id).await?.into(),
    ))
}

/// Create a secondment (the bureau, or the dispatching school's admin).
#[utoipa::path(context_path = "/api/v1", operation_id = "secondments_create", tag = "secondments",
    request_body = SecondmentInput,
    responses(
        (status = 201, description = "Created", body = SecondmentView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Neither the bureau nor the dispatching school", body = ErrorBody),
        (status = 422, description = "Invalid fields (an overlapping secondment on `starts_on`)", body = ErrorBody),
    ))]
#[post("/secondments", data = "<body>")]
pub async fn create(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<SecondmentForm>>,
) -> AppResult<Created<Json<SecondmentView>>> {
    policy::require_some(&user.actor, Subject::Secondment, Act::Manage)?;
    let row = secondments::create(db.inner(), &user.actor, &body.get()?.0).await?;
    Ok(created(format!("/secondments/{}", row.id), row.into()))
}

/// Replace a secondment (PUT: the whole object).
#[utoipa::path(context_path = "/api/v1", operation_id = "secondments_update", tag = "secondments",
    params(("id" = i64, Path, description = "Secondment id")),
    request_body = SecondmentInput,
    responses(
        (status = 200, description = "Saved", body = SecondmentView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Neither the bureau nor the dispatching school", body = ErrorBody),
        (status = 404, description = "No such secondment", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[put("/secondments/<id>", data = "<body>")]
pub async fn update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<SecondmentForm>>,
) -> AppResult<Json<SecondmentView>> {
    let before = secondments::get(db.inner(), &user.actor, id).await?;
    policy::require(
        &user.actor,
        Subject::Secondment,
        Act::Write,
        policy::to_school(&user.actor, before.from_school_id),
    )?;
    let row = secondments::update(db.inner(), &user.actor, id, &body.get()?.0).await?;
    Ok(Json(row.into()))
}

/// Delete a secondment.
#[utoipa::path(context_path = "/api/v1", operation_id = "secondments_destroy", tag = "secondments",
    params(("id" = i64, Path, description = "Secondment id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Neither the bureau nor the dispatching school", body = ErrorBody),
        (status = 404, description = "No such secondment", body = ErrorBody),
    ))]
#[delete("/secondments/<id>")]
pub async fn destroy(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Status> {
    secondments::delete(db.inner(), &user.actor, id).await?;
    Ok(no_content())
}

pub fn routes() -> Vec<rocket::Route> {
    routes![list, show, create, update, destroy]
}
