//! `/api/v1/teachers`: each school's roster. Staff (bureau, school admins) list and read
//! every teacher; contacts are shown only to the bureau, the teacher's own school admin and
//! the teacher. A school admin manages their own school's teachers; a teacher reads their
//! own record and edits its phone and e-mail.
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::teachers::{self, TeacherFilter, TeacherForm, TeacherView};
use crate::domain::types::{Gender, Title};
use crate::error::AppResult;
use crate::web::api::SubjectName;
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query};
use crate::web::forms::ApiJson;
use crate::web::guards::{CurrentUser, Staff};

/// What a client sends to create or replace a teacher (PUT sends the whole object;
/// omitted optional fields are cleared). Lists may also be sent as one text separated by
/// commas or 、; numbers may be sent as strings. A teacher editing their own record
/// changes only `phone` and `email`; the other fields are ignored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeacherInput {
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub school_id: i64,
    #[schema(min_length = 1, max_length = 50, pattern = r"\S", example = "姚成琳")]
    pub name: String,
    pub gender: Gender,
    /// Unique within the school.
    #[schema(
        min_length = 1,
        max_length = 30,
        pattern = r"^[A-Za-z0-9\-_]+$",
        example = "R001"
    )]
    pub staff_no: String,
    /// 1–5 subjects.
    #[schema(min_items = 1, max_items = 5, example = json!(["数学"]))]
    pub subjects: Vec<SubjectName>,
    #[schema(example = json!(["七年级", "八年级"]))]
    pub grades: Option<Vec<String>>,
    pub title: Title,
    #[schema(minimum = 0, maximum = 60)]
    pub years_teaching: Option<i32>,
    #[schema(example = json!(["骨干教师"]))]
    pub honours: Option<Vec<String>>,
    #[schema(max_length = 30, pattern = r"^[0-9 +()\-]*$")]
    pub phone: Option<String>,
    #[schema(max_length = 254, format = "email")]
    pub email: Option<String>,
}

list_query!(
    /// The query of `GET /teachers`.
    TeachersQuery {
        /// Text in name or staff number
        #[param(max_length = 100)]
        q,
        /// Teachers of one school
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_id,
        /// Teachers of schools in this district
        #[param(max_length = 100)]
        district,
        /// Teachers of this subject
        #[param(max_length = 100)]
        subject,
        /// Professional title
        #[param(inline, value_type = Option<Title>)]
        title,
        /// Also deactivated teachers
        #[param(value_type = Option<bool>)]
        include_inactive,
    }
);

/// List teachers (staff only), by name.
#[utoipa::path(context_path = "/api/v1", operation_id = "teachers_list", tag = "teachers",
    params(TeachersQuery),
    responses(
        (status = 200, description = "One page of teachers", body = ApiPage<TeacherView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Teachers may not list teachers", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/teachers")]
pub async fn list(
    db: &State<DatabaseConnection>,
    guard: Staff,
    query: ApiQuery<TeachersQuery>,
) -> AppResult<Json<ApiPage<TeacherView>>> {
    let query = query.get()?;
    let user = guard.0;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let filter = TeacherFilter {
        q: check.text("q", query.q.as_deref()),
        school_id: check.id("school_id", query.school_id.as_deref()),
        district: check.text("district", query.district.as_deref()),
        subject: check.text("subject", query.subject.as_deref()),
        title: check.word("title", query.title.as_deref(), Title::parse),
        include_inactive: check.flag("include_inactive", query.include_inactive.as_deref()),
        ..Default::default()
    };
    check.finish()?;
    let paged = teachers::list(db.inner(), &user.actor, &filter, request).await?;
    Ok(Json(ApiPage::from_paged(paged, |t| t)))
}

/// One teacher (staff, or the teacher themself).
#[utoipa::path(context_path = "/api/v1", operation_id = "teachers_show", tag = "teachers",
    params(("id" = i64, Path, description = "Teacher id")),
    responses(
        (status = 200, description = "The teacher; `phone` and `email` are null where the caller may not see them", body = TeacherView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Another teacher's record", body = ErrorBody),
        (status = 404, description = "No such teacher", body = ErrorBody),
    ))]
#[get("/teachers/<id>")]
pub async fn show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<TeacherView>> {
    Ok(Json(teachers::get_view(db.inner(), &user.actor, id).await?))
}

/// Add a teacher (the bureau, or the admin of the teacher's school).
#[utoipa::path(context_path = "/api/v1", operation_id = "teachers_create", tag = "teachers",
    request_body = TeacherInput,
    responses(
        (status = 201, description = "Created", body = TeacherView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed to add teachers to this school", body = ErrorBody),
        (status = 409, description = "The staff number is taken in this school (`fields.staff_no`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[post("/teachers", data = "<body>")]
pub async fn create(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<TeacherForm>>,
) -> AppResult<Created<Json<TeacherView>>> {
    policy::require_some(&user.actor, Subject::Teacher, Act::Manage)?;
    let teacher = teachers::create(db.inner(), &user.actor, &body.get()?.0).await?;
    let view = teachers::get_view(db.inner(), &user.actor, teacher.id).await?;
    Ok(created(format!("/teachers/{}", teacher.id), view))
}

/// Replace a teacher's fields (PUT: send the whole object). Staff of the teacher's school
/// edit everything; the teacher edits only `phone` and `email`.
#[utoipa::path(context_path = "/api/v1", operation_id = "teachers_update", tag = "teachers",
    params(("id" = i64, Path, description = "Teacher id")),
    request_body = TeacherInput,
    responses(
        (status = 200, description = "Updated", body = TeacherView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed to edit this teacher", body = ErrorBody),
        (status = 404, description = "No such teacher", body = ErrorBody),
        (status = 409, description = "The staff number is taken in this school (`fields.staff_no`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[put("/teachers/<id>", data = "<body>")]
pub async fn update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<TeacherForm>>,
) -> AppResult<Json<TeacherView>> {
    let t = teachers::get(db.inner(), &user.actor, id).await?;
    policy::require(
        &user.actor,
        Subject::Teacher,
        Act::Write,
        policy::to_teacher(&user.actor, t.school_id, t.id),
    )?;
    teachers::update(db.inner(), &user.actor, id, &body.get()?.0).await?;
    Ok(Json(teachers::get_view(db.inner(), &user.actor, id).await?))
}

/// Deactivate a teacher (the bureau, or the admin of the teacher's school).
#[utoipa::path(context_path = "/api/v1", operation_id = "teachers_deactivate", tag = "teachers",
    params(("id" = i64, Path, description = "Teacher id")),
    responses(
        (status = 200, description = "Deactivated", body = TeacherView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed to manage this teacher", body = ErrorBody),
        (status = 404, description = "No such teacher", body = ErrorBody),
    ))]
#[post("/teachers/<id>/deactivate")]
pub async fn deactivate(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<TeacherView>> {
    teachers::set_active(db.inner(), &user.actor, id, false).await?;
    Ok(Json(teachers::get_view(db.inner(), &user.actor, id).await?))
}

/// Reactivate a teacher (the bureau, or the admin of the teacher's school).
#[utoipa::path(context_path = "/api/v1", operation_id = "teachers_reactivate", tag = "teachers",
    params(("id" = i64, Path, description = "Teacher id")),
    responses(
        (status = 200, description = "Reactivated", body = TeacherView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed to manage this teacher", body = ErrorBody),
        (status = 404, description = "No such teacher", body = ErrorBody),
    ))]
#[post("/teachers/<id>/reactivate")]
pub async fn reactivate(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<TeacherView>> {
    teachers::set_active(db.inner(), &user.actor, id, true).await?;
    Ok(Json(teachers::get_view(db.inner(), &user.actor, id).await?))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![list, show, create, update, deactivate, reactivate]
}
