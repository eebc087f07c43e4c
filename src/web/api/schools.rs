//! `/api/v1/schools`: the roster. Anyone signed in reads; the bureau creates and
//! (de)activates; the bureau or the school's own admin edits.
use chrono::{DateTime, Utc};
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::schools::{self, SchoolFilter, SchoolForm};
use crate::domain::types::{SchoolKind, Stage};
use crate::entities::schools as rows;
use crate::error::AppResult;
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query};
use crate::web::forms::ApiJson;
use crate::web::guards::CurrentUser;

/// A school as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchoolView {
    pub id: i64,
    pub name: String,
    /// 学校标识码, unique, upper-case.
    pub code: String,
    /// `urban`, `township` or `rural`.
    pub kind: String,
    /// `primary`, `junior`, `senior`, `complete` or `nine_year`.
    pub stage: String,
    pub district: String,
    pub township: String,
    pub address: String,
    pub principal: String,
    pub phone: String,
    pub student_count: i32,
    pub teacher_count: i32,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<rows::Model> for SchoolView {
    fn from(s: rows::Model) -> Self {
        SchoolView {
            id: s.id,
            name: s.name,
            code: s.code,
            kind: s.kind,
            stage: s.stage,
            district: s.district,
            township: s.township,
            address: s.address,
            principal: s.principal,
            phone: s.phone,
            student_count: s.student_count,
            teacher_count: s.teacher_count,
            is_active: s.is_active,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// What a client sends to create or replace a school (PUT sends the whole object;
/// omitted optional fields are cleared). Numbers may also be sent as strings.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchoolInput {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"\S",
        example = "龙塘小学"
    )]
    pub name: String,
    /// 学校标识码: 4–20 letters and digits.
    #[schema(pattern = r"^[A-Za-z0-9]{4,20}$", example = "4418821001")]
    pub code: String,
    #[schema(example = "rural")]
    pub kind: SchoolKind,
    #[schema(example = "primary")]
    pub stage: Stage,
    #[schema(min_length = 1, max_length = 50, pattern = r"\S", example = "连州市")]
    pub district: String,
    #[schema(max_length = 50)]
    pub township: Option<String>,
    #[schema(max_length = 200)]
    pub address: Option<String>,
    #[schema(max_length = 50)]
    pub principal: Option<String>,
    #[schema(max_length = 30, pattern = r"^[0-9 +()\-]*$")]
    pub phone: Option<String>,
    #[schema(minimum = 0, maximum = 100000)]
    pub student_count: Option<i32>,
    #[schema(minimum = 0, maximum = 10000)]
    pub teacher_count: Option<i32>,
}

list_query!(
    /// The query of `GET /schools`.
    SchoolsQuery {
        /// Text in name, code, district or township
        #[param(max_length = 100)]
        q,
        /// Kind of school
        #[param(inline, value_type = Option<SchoolKind>)]
        kind,
        /// School stage
        #[param(inline, value_type = Option<Stage>)]
        stage,
        /// Exact district
        #[param(max_length = 100)]
        district,
        /// Also deactivated schools
        #[param(value_type = Option<bool>)]
        include_inactive,
    }
);

/// List schools (active ones unless `include_inactive`), by name.
#[utoipa::path(context_path = "/api/v1", operation_id = "schools_list", tag = "schools",
    params(SchoolsQuery),
    responses(
        (status = 200, description = "One page of schools", body = ApiPage<SchoolView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/schools")]
pub async fn list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<SchoolsQuery>,
) -> AppResult<Json<ApiPage<SchoolView>>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let filter = SchoolFilter {
        q: check.text("q", query.q.as_deref()),
        kind: check.word("kind", query.kind.as_deref(), SchoolKind::parse),
        stage: check.word("stage", query.stage.as_deref(), Stage::parse),
        district: check.text("district", query.district.as_deref()),
        include_inactive: check.flag("include_inactive", query.include_inactive.as_deref()),
        ..Default::default()
    };
    check.finish()?;
    let paged = schools::list(db.inner(), &user.actor, &filter, request).await?;
    Ok(Json(ApiPage::from_paged(paged, SchoolView::from)))
}

/// One school.
#[utoipa::path(context_path = "/api/v1", operation_id = "schools_show", tag = "schools",
    params(("id" = i64, Path, description = "School id")),
    responses(
        (status = 200, description = "The school", body = SchoolView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such school", body = ErrorBody),
    ))]
#[get("/schools/<id>")]
pub async fn show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<SchoolView>> {
    let school = schools::get(db.inner(), &user.actor, id).await?;
    Ok(Json(school.into()))
}

/// Create a school (bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "schools_create", tag = "schools",
    request_body = SchoolInput,
    responses(
        (status = 201, description = "Created", body = SchoolView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 409, description = "The code is taken (`fields.code`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[post("/schools", data = "<body>")]
pub async fn create(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<SchoolForm>>,
) -> AppResult<Created<Json<SchoolView>>> {
    policy::require_some(&user.actor, Subject::School, Act::Manage)?;
    let school = schools::create(db.inner(), &user.actor, &body.get()?.0).await?;
    Ok(created(format!("/schools/{}", school.id), school.into()))
}

/// Replace a school's fields (PUT: send the whole object). The bureau, or the school's
/// own admin.
#[utoipa::path(context_path = "/api/v1", operation_id = "schools_update", tag = "schools",
    params(("id" = i64, Path, description = "School id")),
    request_body = SchoolInput,
    responses(
        (status = 200, description = "Updated", body = SchoolView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed to edit this school", body = ErrorBody),
        (status = 404, description = "No such school", body = ErrorBody),
        (status = 409, description = "The code is taken (`fields.code`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[put("/schools/<id>", data = "<body>")]
pub async fn update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<SchoolForm>>,
) -> AppResult<Json<SchoolView>> {
    // An unknown school is a 404 whatever the body says (schools are public to readers).
    schools::get(db.inner(), &user.actor, id).await?;
    schools::may_edit(&user.actor, id)?;
    let school = schools::update(db.inner(), &user.actor, id, &body.get()?.0).await?;
    Ok(Json(school.into()))
}

/// Deactivate a school (bureau only); it disappears from lists and choices.
#[utoipa::path(context_path = "/api/v1", operation_id = "schools_deactivate", tag = "schools",
    params(("id" = i64, Path, description = "School id")),
    responses(
        (status = 200, description = "Deactivated", body = SchoolView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such school", body = ErrorBody),
    ))]
#[post("/schools/<id>/deactivate")]
pub async fn deactivate(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<SchoolView>> {
    let school = schools::set_active(db.inner(), &user.actor, id, false).await?;
    Ok(Json(school.into()))
}

/// Reactivate a school (bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "schools_reactivate", tag = "schools",
    params(("id" = i64, Path, description = "School id")),
    responses(
        (status = 200, description = "Reactivated", body = SchoolView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such school", body = ErrorBody),
    ))]
#[post("/schools/<id>/reactivate")]
pub async fn reactivate(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<SchoolView>> {
    let school = schools::set_active(db.inner(), &user.actor, id, true).await?;
    Ok(Json(school.into()))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![list, show, create, update, deactivate, reactivate]
}
