//! `/api/v1/academic-years`: 学年 with their dates; exactly one is current. Anyone signed
//! in reads them; the bureau manages them.
use chrono::{DateTime, NaiveDate, Utc};
use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::domain::academic_years::{self, YearForm};
use crate::domain::access::policy::{self, Act, Subject};
use crate::entities::academic_years as rows;
use crate::error::AppResult;
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query, no_content};
use crate::web::forms::ApiJson;
use crate::web::guards::{BureauAdmin, CurrentUser};

/// An academic year as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearView {
    pub id: i64,
    /// Two consecutive years, e.g. `2026-2027`.
    #[schema(example = "2026-2027")]
    pub name: String,
    pub starts_on: NaiveDate,
    /// When the second term (第二学期) starts.
    pub second_term_starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub is_current: bool,
    /// Teachers the bureau plans to second (支教) in the year; `null`: no plan.
    pub secondments_planned: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<rows::Model> for YearView {
    fn from(y: rows::Model) -> Self {
        YearView {
            id: y.id,
            name: y.name,
            starts_on: y.starts_on,
            second_term_starts_on: y.second_term_starts_on,
            ends_on: y.ends_on,
            is_current: y.is_current,
            secondments_planned: y.secondments_planned,
            created_at: y.created_at,
            updated_at: y.updated_at,
        }
    }
}

/// What a client sends to create or replace an academic year (PUT sends the whole
/// object). Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearInput {
    /// Two consecutive years (`2026-2027`).
    #[schema(pattern = r"^20[0-9]{2}-20[0-9]{2}$", example = "2026-2027")]
    pub name: String,
    #[schema(example = "2026-09-01")]
    pub starts_on: NaiveDate,
    /// Default: 15 February of the second calendar year.
    #[schema(example = "2027-02-15")]
    pub second_term_starts_on: Option<NaiveDate>,
    #[schema(example = "2027-07-15")]
    pub ends_on: NaiveDate,
    /// Makes this the current year (and no other). The first year is always current; the
    /// current year cannot be un-made current, only replaced by making another current.
    pub is_current: Option<bool>,
    /// Teachers the bureau plans to second (支教) in the year, 0 to 100000; absent or
    /// `null`: no plan.
    #[schema(minimum = 0, maximum = 100000, example = 32)]
    pub secondments_planned: Option<i32>,
}

list_query!(
    /// The query of `GET /academic-years`.
    AcademicYearsQuery {}
);

/// List academic years, latest first.
#[utoipa::path(context_path = "/api/v1", operation_id = "academic_years_list", tag = "academic-years",
    params(AcademicYearsQuery),
    responses(
        (status = 200, description = "One page of academic years", body = ApiPage<YearView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/academic-years")]
pub async fn list(
    db: &State<DatabaseConnection>,
    _user: CurrentUser,
    query: ApiQuery<AcademicYearsQuery>,
) -> AppResult<Json<ApiPage<YearView>>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    check.finish()?;
    // A handful of rows: paged in memory.
    let all = academic_years::list(db.inner()).await?;
    let total = all.len() as u64;
    let skip =
        usize::try_from((request.page - 1).saturating_mul(request.per_page)).unwrap_or(usize::MAX);
    let items = all
        .into_iter()
        .skip(skip)
        .take(request.per_page as usize)
        .map(YearView::from)
        .collect();
    Ok(Json(ApiPage {
        items,
        page: request.page,
        per_page: request.per_page,
        total,
        total_exact: true,
    }))
}

/// One academic year.
#[utoipa::path(context_path = "/api/v1", operation_id = "academic_years_show", tag = "academic-years",
    params(("id" = i64, Path, description = "Academic year id")),
    responses(
        (status = 200, description = "The academic year", body = YearView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such year", body = ErrorBody),
    ))]
#[get("/academic-years/<id>")]
pub async fn show(
    db: &State<DatabaseConnection>,
    _user: CurrentUser,
    id: i64,
) -> AppResult<Json<YearView>> {
    Ok(Json(academic_years::get(db.inner(), id).await?.into()))
}

/// Create an academic year (bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "academic_years_create", tag = "academic-years",
    request_body = YearInput,
    responses(
        (status = 201, description = "Created", body = YearView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 409, description = "The name is taken (`fields.name`) or the dates overlap another year (`fields.starts_on`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[post("/academic-years", data = "<body>")]
pub async fn create(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<YearForm>>,
) -> AppResult<Created<Json<YearView>>> {
    // Who may, then what: a caller who may not add years learns nothing about the body.
    policy::require_some(&user.actor, Subject::AcademicYear, Act::Manage)?;
    let year = academic_years::create(db.inner(), &user.actor, &body.get()?.0).await?;
    Ok(created(format!("/academic-years/{}", year.id), year.into()))
}

/// Replace an academic year's fields (bureau only; PUT: send the whole object).
#[utoipa::path(context_path = "/api/v1", operation_id = "academic_years_update", tag = "academic-years",
    params(("id" = i64, Path, description = "Academic year id")),
    request_body = YearInput,
    responses(
        (status = 200, description = "Updated", body = YearView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such year", body = ErrorBody),
        (status = 409, description = "Name taken, dates overlapping, or un-making the current year", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[put("/academic-years/<id>", data = "<body>")]
pub async fn update(
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    id: i64,
    body: ApiJson<Obj<YearForm>>,
) -> AppResult<Json<YearView>> {
    // Refused, then unknown, then invalid.
    let user = guard.0;
    academic_years::get(db.inner(), id).await?;
    let body = body.get()?;
    Ok(Json(
        academic_years::update(db.inner(), &user.actor, id, &body.0)
            .await?
            .into(),
    ))
}

/// Make this the current academic year (bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "academic_years_make_current", tag = "academic-years",
    params(("id" = i64, Path, description = "Academic year id")),
    responses(
        (status = 200, description = "Now current", body = YearView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such year", body = ErrorBody),
    ))]
#[post("/academic-years/<id>/make-current")]
pub async fn make_current(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<YearView>> {
    Ok(Json(
        academic_years::make_current(db.inner(), &user.actor, id)
            .await?
            .into(),
    ))
}

/// Delete an academic year that is not current (bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "academic_years_destroy", tag = "academic-years",
    params(("id" = i64, Path, description = "Academic year id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such year", body = ErrorBody),
        (status = 409, description = "The current year (`fields.is_current`)", body = ErrorBody),
    ))]
#[delete("/academic-years/<id>")]
pub async fn destroy(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Status> {
    academic_years::delete(db.inner(), &user.actor, id).await?;
    Ok(no_content())
}

pub fn routes() -> Vec<rocket::Route> {
    routes![list, show, create, update, make_current, destroy]
}
