//! `/api/v1/visits` (互访): an admin of either school of an active school pairing records,
//! corrects and removes visits; the bureau and the two schools' people read them. Photos
//! are added on the visit's page and listed here with their addresses.
use chrono::{DateTime, NaiveDate, Utc};
use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::context::Context;
use crate::domain::files::FileStore;
use crate::domain::photos;
use crate::domain::types;
use crate::domain::visits::{self, VisitActivity, VisitFilter, VisitForm, VisitKind};
use crate::entities::visits as rows;
use crate::error::{AppError, AppResult};
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query, no_content};
use crate::web::forms::ApiJson;
use crate::web::guards::CurrentUser;

/// A photo of a visit: its addresses (the signed-in session or a bearer token reads them).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhotoView {
    pub id: i64,
    pub width: i32,
    pub height: i32,
    /// The JPEG (at most 1600 px), without camera data.
    pub url: String,
    /// A 320 px thumbnail.
    pub thumbnail_url: String,
}

/// A visit as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitView {
    pub id: i64,
    pub school_pairing_id: i64,
    pub kind: VisitKind,
    pub host_school_id: i64,
    /// The other school of the pairing.
    pub guest_school_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub teacher_ids: Vec<i64>,
    pub student_count: i32,
    pub activities: Vec<VisitActivity>,
    pub summary: String,
    pub outcome: String,
    /// Student exchanges: the classes paired.
    pub classes: String,
    /// Student exchanges: what the students gave.
    pub gift: String,
    /// The ledger item the gift became (null when none).
    pub contribution_id: Option<i64>,
    pub photos: Vec<PhotoView>,
    /// Send this back with `PUT`.
    pub version: i32,
    /// Whether the caller may change and delete it.
    pub may_change: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(
    actor: &Actor,
    m: rows::Model,
    teacher_ids: Vec<i64>,
    photos: Vec<crate::entities::visit_photos::Model>,
) -> VisitView {
    VisitView {
        may_change: visits::may_change(actor, &m),
        id: m.id,
        school_pairing_id: m.school_pairing_id,
        kind: m.kind,
        host_school_id: m.host_school_id,
        guest_school_id: m.guest_school_id,
        starts_on: m.starts_on,
        ends_on: m.ends_on,
        teacher_ids,
        student_count: m.student_count,
        activities: types::parse_json_list(&m.activities)
            .iter()
            .filter_map(|a| VisitActivity::parse(a))
            .collect(),
        summary: m.summary,
        outcome: m.outcome,
        classes: m.classes,
        gift: m.gift,
        contribution_id: m.contribution_id,
        photos: photos
            .into_iter()
            .map(|p| PhotoView {
                url: format!("/visits/{}/photos/{}", m.id, p.id),
                thumbnail_url: format!("/visits/{}/photos/{}/thumb", m.id, p.id),
                id: p.id,
                width: p.width,
                height: p.height,
            })
            .collect(),
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

async fn full_view(
    db: &DatabaseConnection,
    actor: &Actor,
    row: rows::Model,
) -> AppResult<VisitView> {
    let teachers = visits::teacher_ids(db, row.id).await?;
    let photos = photos::of_visit(db, row.id).await?;
    Ok(view(actor, row, teachers, photos))
}

/// What a client sends to record a visit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitInput {
    /// An active school pairing of the caller's school.
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub school_pairing_id: i64,
    pub kind: VisitKind,
    /// One of the pairing's two schools.
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub host_school_id: i64,
    pub starts_on: NaiveDate,
    /// Not before `starts_on`.
    pub ends_on: NaiveDate,
    /// Teachers of the two schools.
    #[schema(max_items = 200)]
    pub teacher_ids: Option<Vec<i64>>,
    /// Required (at least 1) for a student exchange.
    #[schema(minimum = 0, maximum = 5000)]
    pub student_count: Option<i32>,
    pub activities: Option<Vec<VisitActivity>>,
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub summary: String,
    #[schema(max_length = 4000)]
    pub outcome: Option<String>,
    #[schema(max_length = 200)]
    pub classes: Option<String>,
    #[schema(max_length = 500)]
    pub gift: Option<String>,
    /// Student exchanges: the gift's value in yuan as written ("1,234.56", "1.2万"); it
    /// then becomes a ledger item from the caller's school's students.
    #[schema(max_length = 30)]
    pub gift_value: Option<String>,
    /// Sending the same key again returns the visit made the first time.
    #[schema(max_length = 100)]
    pub idempotency_key: Option<String>,
}

/// What a client sends to correct a visit (the whole object).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitEdit {
    /// The version the edit started from (409 `version` when it changed).
    #[schema(minimum = 1)]
    pub version: i32,
    pub kind: VisitKind,
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub host_school_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[schema(max_items = 200)]
    pub teacher_ids: Option<Vec<i64>>,
    #[schema(minimum = 0, maximum = 5000)]
    pub student_count: Option<i32>,
    pub activities: Option<Vec<VisitActivity>>,
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub summary: String,
    #[schema(max_length = 4000)]
    pub outcome: Option<String>,
    #[schema(max_length = 200)]
    pub classes: Option<String>,
    #[schema(max_length = 500)]
    pub gift: Option<String>,
    #[schema(max_length = 30)]
    pub gift_value: Option<String>,
}

/// A page of visits.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitPage {
    #[serde(flatten)]
    pub page: ApiPage<VisitView>,
}

list_query!(
    /// The query of `GET /visits`.
    VisitsQuery {
        /// School pairing
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_pairing_id,
        /// Hosted or visited by this school
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_id,
        /// Either school in this district
        #[param(max_length = 100)]
        district,
        /// Begun within this academic year
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        academic_year_id,
        /// `leader`, `teacher`, `training` or `student`
        #[param(value_type = Option<VisitKind>)]
        kind,
        /// Visits this teacher took part in
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        teacher_id,
    }
);

/// List the visits the caller may read, latest first.
#[utoipa::path(context_path = "/api/v1", operation_id = "visits_list", tag = "visits",
    params(VisitsQuery),
    responses(
        (status = 200, description = "One page of visits", body = VisitPage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/visits")]
pub async fn list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<VisitsQuery>,
) -> AppResult<Json<VisitPage>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let filter = VisitFilter {
        school_pairing_id: check.id("school_pairing_id", query.school_pairing_id.as_deref()),
        school_id: check.id("school_id", query.school_id.as_deref()),
        district: check.text("district", query.district.as_deref()),
        academic_year_id: check.id("academic_year_id", query.academic_year_id.as_deref()),
        kind: check.word("kind", query.kind.as_deref(), VisitKind::parse),
        teachers: check
            .id("teacher_id", query.teacher_id.as_deref())
            .into_iter()
            .collect(),
    };
    check.finish()?;
    let mut paged = visits::list(db.inner(), &user.actor, &filter, request).await?;
    let items = std::mem::take(&mut paged.items);
    let ids: Vec<i64> = items.iter().map(|v| v.id).collect();
    // Participants and photos of the whole page: two queries.
    let mut teachers = visits::teachers_of(db.inner(), &ids).await?;
    let mut photos = photos::of_visits(db.inner(), &ids).await?;
    let actor = user.actor.clone();
    let views: Vec<VisitView> = items
        .into_iter()
        .map(|m| {
            let t = teachers.remove(&m.id).unwrap_or_default();
            let p = photos.remove(&m.id).unwrap_or_default();
            view(&actor, m, t, p)
        })
        .collect();
    Ok(Json(VisitPage {
        page: ApiPage::from_paged(paged.with_items(views), |v| v),
    }))
}

/// One visit.
#[utoipa::path(context_path = "/api/v1", operation_id = "visits_show", tag = "visits",
    params(("id" = i64, Path, description = "Visit id")),
    responses(
        (status = 200, description = "The visit", body = VisitView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such visit (or not visible)", body = ErrorBody),
    ))]
#[get("/visits/<id>")]
pub async fn show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<VisitView>> {
    let row = visits::get(db.inner(), &user.actor, id).await?;
    Ok(Json(full_view(db.inner(), &user.actor, row).await?))
}

/// The body (checked against the document already) as the form the services read.
fn form_of(body: serde_json::Value) -> AppResult<VisitForm> {
    serde_json::from_value(body).map_err(|_| AppError::bad_request("error-400-text"))
}

/// Record a visit on an active school pairing of the caller's school.
#[utoipa::path(context_path = "/api/v1", operation_id = "visits_create", tag = "visits",
    request_body = VisitInput,
    responses(
        (status = 201, description = "Recorded", body = VisitView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin of either school of the pairing", body = ErrorBody),
        (status = 404, description = "No such school pairing (or not visible)", body = ErrorBody),
        (status = 409, description = "The pairing is not active (`fields.school_pairing_id`)", body = ErrorBody),
        (status = 422, description = "Invalid fields (the host, the dates, a participant from another school…)", body = ErrorBody),
    ))]
#[post("/visits", data = "<body>")]
pub async fn create(
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Created<Json<VisitView>>> {
    policy::require_some(&user.actor, Subject::Visit, Act::Manage)?;
    let body = body.get()?.0;
    let pairing_id = body["school_pairing_id"].as_i64().unwrap_or_default();
    let row = visits::create(
        db.inner(),
        &user.actor,
        pairing_id,
        &form_of(body)?,
        &context,
    )
    .await?;
    let id = row.id;
    Ok(created(
        format!("/visits/{id}"),
        full_view(db.inner(), &user.actor, row).await?,
    ))
}

/// Correct a visit (PUT: the whole object).
#[utoipa::path(context_path = "/api/v1", operation_id = "visits_update", tag = "visits",
    params(("id" = i64, Path, description = "Visit id")),
    request_body = VisitEdit,
    responses(
        (status = 200, description = "Saved", body = VisitView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin of either school", body = ErrorBody),
        (status = 404, description = "No such visit", body = ErrorBody),
        (status = 409, description = "Changed since read (`fields.version`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[put("/visits/<id>", data = "<body>")]
pub async fn update(
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Json<VisitView>> {
    // Who may not change it hears so before the body is read.
    let before = visits::get(db.inner(), &user.actor, id).await?;
    if !visits::may_change(&user.actor, &before) {
        return Err(AppError::Forbidden);
    }
    let body = body.get()?.0;
    let row = visits::update(db.inner(), &user.actor, id, &form_of(body)?, &context).await?;
    Ok(Json(full_view(db.inner(), &user.actor, row).await?))
}

/// Delete a visit with its photos (a ledger item made from its gift stays).
#[utoipa::path(context_path = "/api/v1", operation_id = "visits_destroy", tag = "visits",
    params(("id" = i64, Path, description = "Visit id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin of either school", body = ErrorBody),
        (status = 404, description = "No such visit", body = ErrorBody),
    ))]
#[delete("/visits/<id>")]
pub async fn destroy(
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Status> {
    visits::delete(db.inner(), store.inner(), &user.actor, id).await?;
    Ok(no_content())
}

pub fn routes() -> Vec<rocket::Route> {
    routes![list, show, create, update, destroy]
}
