//! `/api/v1/teacher-pairings`: 师徒结对 with their lifecycle and work plan.
use chrono::{DateTime, Utc};
use rocket::http::Status;
use rocket::response::status::{Created, Custom};
use rocket::serde::json::{Json, Value, json};
use rocket::{State, delete, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::context::Context;
use crate::domain::pairing_lifecycle::{self as lifecycle, Action};
use crate::domain::teacher_pairings::{
    self as tp, PairingFilter, PublishOutcome, TeacherPairingForm,
};
use crate::domain::types::PairingStatus;
use crate::domain::work_plans::{self, PlanForm, WorkPlan};
use crate::entities::teacher_pairings as rows;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query};
use crate::web::forms::ApiJson;
use crate::web::guards::CurrentUser;

/// A teacher pairing as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeacherPairingView {
    pub id: i64,
    pub mentor_id: i64,
    pub mentee_id: i64,
    pub subject: String,
    pub academic_year_id: i64,
    pub school_pairing_id: Option<i64>,
    /// `draft`, `active`, `completed` or `terminated`.
    pub status: String,
    /// What the caller may do now: any of `edit`, `publish`, `request_termination`,
    /// `reject_request`, `terminate`, `record_end_reason`, `observe`, `reflect`,
    /// `contact`, `edit_plan`, `comment`.
    pub actions: Vec<String>,
    pub plan: WorkPlan,
    /// Send this back with `PUT …/plan`.
    pub plan_version: i32,
    pub termination_request_reason: Option<String>,
    pub terminate_reason: Option<String>,
    pub mentor_end_reason: Option<String>,
    pub mentee_end_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub terminated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TeacherPairingView {
    fn new(p: rows::Model, actions: &[Action]) -> Self {
        TeacherPairingView {
            actions: actions.iter().map(|a| a.as_str().to_string()).collect(),
            plan: WorkPlan::parse(&p.plan),
            id: p.id,
            mentor_id: p.mentor_id,
            mentee_id: p.mentee_id,
            subject: p.subject,
            academic_year_id: p.academic_year_id,
            school_pairing_id: p.school_pairing_id,
            status: p.status.as_str().to_string(),
            plan_version: p.plan_version,
            termination_request_reason: p.termination_request_reason,
            terminate_reason: p.terminate_reason,
            mentor_end_reason: p.mentor_end_reason,
            mentee_end_reason: p.mentee_end_reason,
            published_at: p.published_at,
            completed_at: p.completed_at,
            terminated_at: p.terminated_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// Rows as the API shows them to `actor`, with what they may do to each.
async fn views(
    db: &DatabaseConnection,
    actor: &Actor,
    rows: Vec<rows::Model>,
) -> AppResult<Vec<TeacherPairingView>> {
    let actions = tp::actions_of(db, actor, &rows).await?;
    Ok(rows
        .into_iter()
        .zip(actions)
        .map(|(p, a)| TeacherPairingView::new(p, &a))
        .collect())
}

async fn view(
    db: &DatabaseConnection,
    actor: &Actor,
    row: rows::Model,
) -> AppResult<TeacherPairingView> {
    Ok(views(db, actor, vec![row]).await?.remove(0))
}

/// What a client sends to create or replace a draft.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeacherPairingInput {
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub mentor_id: i64,
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub mentee_id: i64,
    #[schema(min_length = 1, max_length = 50, pattern = r"\S", example = "数学")]
    pub subject: String,
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub academic_year_id: i64,
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub school_pairing_id: Option<i64>,
}

/// A reason, for terminations and requests.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReasonInput {
    #[serde(default, deserialize_with = "crate::domain::types::de::loose_string")]
    #[schema(required = true, min_length = 1, max_length = 1000, pattern = r"\S")]
    pub reason: String,
}

/// The plan with the version it was edited from.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanInput {
    /// The version the edit started from.
    #[schema(minimum = 0)]
    pub version: i32,
    pub plan: WorkPlan,
}

/// The plan as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    pub version: i32,
    pub plan: WorkPlan,
    pub updated_at: Option<DateTime<Utc>>,
}

fn plan_view(p: &rows::Model) -> PlanView {
    PlanView {
        version: p.plan_version,
        plan: WorkPlan::parse(&p.plan),
        updated_at: p.plan_updated_at,
    }
}

list_query!(
    /// The query of `GET /teacher-pairings`.
    TeacherPairingsQuery {
        /// Academic year id
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        academic_year_id,
        /// Status of the pairing
        #[param(inline, value_type = Option<PairingStatus>)]
        status,
        /// Text in the subject
        #[param(max_length = 100)]
        subject,
        /// The mentor's or mentee's school
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_id,
        /// The district of the mentor's or the mentee's school
        #[param(max_length = 100)]
        district,
        /// The mentor or the mentee
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        teacher_id,
        /// Text in the mentor's or mentee's name
        #[param(max_length = 100)]
        q,
    }
);

/// List the pairings the caller may see, newest first.
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_list", tag = "teacher-pairings",
    params(TeacherPairingsQuery),
    responses(
        (status = 200, description = "One page of pairings", body = ApiPage<TeacherPairingView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/teacher-pairings")]
pub async fn list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<TeacherPairingsQuery>,
) -> AppResult<Json<ApiPage<TeacherPairingView>>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let filter = PairingFilter {
        academic_year_id: check.id("academic_year_id", query.academic_year_id.as_deref()),
        status: check.word("status", query.status.as_deref(), PairingStatus::parse),
        subject: check.text("subject", query.subject.as_deref()),
        school_id: check.id("school_id", query.school_id.as_deref()),
        district: check.text("district", query.district.as_deref()),
        teacher_id: check.id("teacher_id", query.teacher_id.as_deref()),
        name: check.text("q", query.q.as_deref()),
        school_pairing_id: None,
        requested: false,
    };
    check.finish()?;
    let paged = tp::list(db.inner(), &user.actor, &filter, request).await?;
    let items = views(db, &user.actor, paged.items).await?;
    Ok(Json(ApiPage {
        items,
        page: paged.page,
        per_page: paged.per_page,
        total: paged.total,
        total_exact: paged.exact,
    }))
}

/// One pairing.
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_show", tag = "teacher-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    responses(
        (status = 200, description = "The pairing", body = TeacherPairingView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the caller's pairing", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
    ))]
#[get("/teacher-pairings/<id>")]
pub async fn show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<TeacherPairingView>> {
    let p = tp::get(db.inner(), &user.actor, id).await?;
    Ok(Json(view(db, &user.actor, p.into_inner()).await?))
}

/// Create a draft (bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_create", tag = "teacher-pairings",
    request_body = TeacherPairingInput,
    responses(
        (status = 201, description = "Created", body = TeacherPairingView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 422, description = "A rule or field failed", body = ErrorBody),
    ))]
#[post("/teacher-pairings", data = "<body>")]
pub async fn create(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<TeacherPairingForm>>,
) -> AppResult<Created<Json<TeacherPairingView>>> {
    policy::require_some(&user.actor, Subject::TeacherPairing, Act::Manage)?;
    let p = tp::create(db.inner(), &user.actor, &body.get()?.0).await?;
    let location = format!("/teacher-pairings/{}", p.id);
    Ok(created(location, view(db, &user.actor, p).await?))
}

/// Replace a draft's fields (bureau only; 409 when it is no longer a draft).
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_update", tag = "teacher-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    request_body = TeacherPairingInput,
    responses(
        (status = 200, description = "Updated", body = TeacherPairingView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "Not a draft (`fields.status`)", body = ErrorBody),
        (status = 422, description = "A rule or field failed", body = ErrorBody),
    ))]
#[put("/teacher-pairings/<id>", data = "<body>")]
pub async fn update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<TeacherPairingForm>>,
) -> AppResult<Json<TeacherPairingView>> {
    lifecycle::ensure_id::<tp::TeacherPairing>(db.inner(), &user.actor, id, Action::Edit).await?;
    let p = tp::update(db.inner(), &user.actor, id, &body.get()?.0, None).await?;
    Ok(Json(view(db, &user.actor, p).await?))
}

/// Publish a draft (bureau only): it becomes active and both teachers are told. An
/// active pairing is left as it is.
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_publish", tag = "teacher-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    responses(
        (status = 200, description = "Active", body = TeacherPairingView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "Ended, or the mentor is full", body = ErrorBody),
    ))]
#[post("/teacher-pairings/<id>/publish")]
pub async fn publish(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<TeacherPairingView>> {
    tp::get(db.inner(), &user.actor, id).await?;
    let _: PublishOutcome = tp::publish(db.inner(), &user.actor, &[id], None, &context).await?;
    let p = tp::get(db.inner(), &user.actor, id).await?;
    Ok(Json(view(db, &user.actor, p.into_inner()).await?))
}

/// End an active pairing (bureau only), with a reason.
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_terminate", tag = "teacher-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "Terminated", body = TeacherPairingView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "Not active (`fields.status`)", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    ))]
#[post("/teacher-pairings/<id>/terminate", data = "<body>")]
pub async fn terminate(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<ReasonInput>>,
) -> AppResult<Json<TeacherPairingView>> {
    lifecycle::ensure_id::<tp::TeacherPairing>(db.inner(), &user.actor, id, Action::Terminate)
        .await?;
    let body = body.get()?.0;
    let p = tp::terminate(db.inner(), &user.actor, id, &body.reason, &context).await?;
    Ok(Json(view(db, &user.actor, p).await?))
}

/// Ask the bureau to end an active pairing (the mentor, the mentee or their school admins).
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_request_termination", tag = "teacher-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "Requested", body = TeacherPairingView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not one of the pairing's people", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "Not active (`fields.status`)", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    ))]
#[post("/teacher-pairings/<id>/request-termination", data = "<body>")]
pub async fn request_termination(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<ReasonInput>>,
) -> AppResult<Json<TeacherPairingView>> {
    lifecycle::ensure_id::<tp::TeacherPairing>(
        db.inner(),
        &user.actor,
        id,
        Action::RequestTermination,
    )
    .await?;
    let body = body.get()?.0;
    let p = tp::request_termination(db.inner(), &user.actor, id, &body.reason, &context).await?;
    Ok(Json(view(db, &user.actor, p).await?))
}

/// Turn down a termination request (bureau only): the pairing goes on and the person who
/// asked is told.
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_reject_request", tag = "teacher-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    responses(
        (status = 200, description = "Request turned down", body = TeacherPairingView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "Not active or no request (`fields.status`)", body = ErrorBody),
    ))]
#[post("/teacher-pairings/<id>/reject-request")]
pub async fn reject_request(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<TeacherPairingView>> {
    tp::get(db.inner(), &user.actor, id).await?;
    let p = tp::reject_request(db.inner(), &user.actor, id, &context).await?;
    Ok(Json(view(db, &user.actor, p).await?))
}

/// The work plan (工作方案) and its version.
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_plan_show", tag = "teacher-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    responses(
        (status = 200, description = "The plan", body = PlanView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the caller's pairing", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
    ))]
#[get("/teacher-pairings/<id>/plan")]
pub async fn plan_show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<PlanView>> {
    let p = tp::get(db.inner(), &user.actor, id).await?;
    Ok(Json(plan_view(&p)))
}

/// Save the work plan (the mentor or the bureau). `version` must be the one read; a
/// stale save is refused with 409 and the current plan in `current`.
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_plan_update", tag = "teacher-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    request_body = PlanInput,
    responses(
        (status = 200, description = "Saved", body = PlanView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the mentor or the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "Stale version: `error.fields.version`, and `current` holds the plan as it is now", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[put("/teacher-pairings/<id>/plan", data = "<body>")]
pub async fn plan_update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    lang: Lang,
    id: i64,
    body: ApiJson<Obj<Value>>,
) -> AppResult<Result<Json<PlanView>, Custom<Json<Value>>>> {
    lifecycle::ensure_id::<tp::TeacherPairing>(db.inner(), &user.actor, id, Action::EditPlan)
        .await?;
    let body = body.get()?.0;
    let version = body.get("version").cloned().unwrap_or(Value::Null);
    let plan = body.get("plan").cloned().unwrap_or(Value::Null);
    if !plan.is_object() && !plan.is_null() {
        return Err(AppError::invalid(
            "plan",
            crate::error::Msg::new("tp-err-plan-object"),
        ));
    }
    let form = PlanForm::from_json(&version, &plan);
    match work_plans::save_plan(db.inner(), &user.actor, id, &form).await? {
        Ok(p) => Ok(Ok(Json(plan_view(&p)))),
        Err(stale) => {
            let err = AppError::conflict("version", "tp-err-stale-plan");
            let mut body = crate::web::respond::error_json(&err, lang);
            body["current"] = json!({
                "version": stale.version,
                "plan": stale.current,
                "updated_by": stale.updated_by,
                "updated_at": stale.updated_at,
            });
            Ok(Err(Custom(Status::Conflict, Json(body))))
        }
    }
}

/// Delete a draft teacher pairing with its plan comments (bureau only); a published one is never deleted.
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_destroy", tag = "teacher-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "Not a draft (`fields.status`)", body = ErrorBody),
    ))]
#[delete("/teacher-pairings/<id>")]
pub async fn destroy(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<rocket::http::Status> {
    tp::delete_draft(db.inner(), &user.actor, id).await?;
    Ok(crate::web::api::no_content())
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        list,
        show,
        create,
        update,
        publish,
        terminate,
        request_termination,
        reject_request,
        plan_show,
        plan_update,
        destroy
    ]
}
