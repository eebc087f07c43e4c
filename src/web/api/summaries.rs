//! `/api/v1/work-summaries` (a teacher's 支教工作总结 or 结对帮扶工作总结, received by their
//! school) and `/api/v1/school-summaries` (a school's 学校结对帮扶工作总结 as supporter or
//! receiver, received by the bureau): begun as a draft (`POST`), written (`PUT`), then
//! `submit`, `accept` or `return`, each checked against its transition table. The two are
//! one kind of record in two collections: an id of the other collection answers 404.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::domain::access::Actor;
use crate::domain::context::Context;
use crate::domain::self_evaluations::Figures as TeacherFigures;
use crate::domain::summaries::{
    self as sums, Action, BeginForm, Figures, Filter, Kind, SchoolFigures, Stage, StepForm,
    TextForm,
};
use crate::domain::workflow;
use crate::entities::summaries as rows;
use crate::error::{AppError, AppResult};
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query};
use crate::web::forms::ApiJson;
use crate::web::guards::CurrentUser;

/// A teacher's work summary as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkSummaryView {
    pub id: i64,
    /// `seconded` (支教工作总结) or `mentor` (结对帮扶工作总结).
    pub kind: Kind,
    pub academic_year_id: i64,
    pub teacher_id: i64,
    /// The teacher's school, which receives it.
    pub school_id: i64,
    /// `ethics`, `teaching`, `growth`, `results`, `remaining`.
    pub sections: BTreeMap<String, String>,
    /// The teacher's figures of the year (kept as submitted; in a list, zeros before).
    pub figures: TeacherFigures,
    #[serde(flatten)]
    pub progress: Progress,
}

/// A school's annual summary as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchoolSummaryView {
    pub id: i64,
    /// `supporter` or `receiver`.
    pub kind: Kind,
    pub academic_year_id: i64,
    pub school_id: i64,
    /// `overview`, `practices`, `outcomes`, `problems`, `plans`.
    pub sections: BTreeMap<String, String>,
    /// The school's figures of the year on that side (kept as submitted; in a list,
    /// zeros before).
    pub figures: SchoolFigures,
    #[serde(flatten)]
    pub progress: Progress,
}

/// Where a summary stands and what the caller may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Progress {
    /// `draft`, `submitted` or `accepted`.
    pub status: Stage,
    pub submitted_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub accept_comment: String,
    /// Why it was last returned (empty once submitted again).
    pub return_reason: String,
    /// Send this back with `PUT` and the transitions.
    pub version: i32,
    /// `edit`, `submit`, `accept`, `return`.
    pub actions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn progress(actor: &Actor, m: &rows::Model) -> Progress {
    Progress {
        status: m.status,
        submitted_at: m.submitted_at,
        accepted_at: m.accepted_at,
        accept_comment: m.accept_comment.clone(),
        return_reason: m.return_reason.clone(),
        version: m.version,
        actions: workflow::words(&sums::actions_of(actor, m))
            .into_iter()
            .map(String::from)
            .collect(),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn sections(m: &rows::Model) -> BTreeMap<String, String> {
    sums::sections_of(m)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn work_view(actor: &Actor, m: rows::Model, f: Option<Figures>) -> WorkSummaryView {
    let figures = match f.or_else(|| serde_json::from_str(&m.figures).ok()) {
        Some(Figures::Teacher(t)) => t,
        _ => TeacherFigures::default(),
    };
    WorkSummaryView {
        id: m.id,
        kind: m.kind,
        academic_year_id: m.academic_year_id,
        teacher_id: m.teacher_id.unwrap_or_default(),
        school_id: m.school_id,
        sections: sections(&m),
        figures,
        progress: progress(actor, &m),
    }
}

fn school_view(actor: &Actor, m: rows::Model, f: Option<Figures>) -> SchoolSummaryView {
    let figures = match f.or_else(|| serde_json::from_str(&m.figures).ok()) {
        Some(Figures::School(s)) => s,
        _ => SchoolFigures::default(),
    };
    SchoolSummaryView {
        id: m.id,
        kind: m.kind,
        academic_year_id: m.academic_year_id,
        school_id: m.school_id,
        sections: sections(&m),
        figures,
        progress: progress(actor, &m),
    }
}

/// Begin a work summary (a draft).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkSummaryInput {
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub academic_year_id: i64,
    /// `seconded` (a secondment of the year) or `mentor` (a published pairing as mentor);
    /// a school's kind is refused (422).
    pub kind: Kind,
}

/// Begin a school summary (a draft).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchoolSummaryInput {
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub academic_year_id: i64,
    /// `supporter` or `receiver`: a published school pairing of the year on that side; a
    /// teacher's kind is refused (422).
    pub kind: Kind,
}

/// The author writes the draft: its sections (other keys are ignored).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SummaryEdit {
    /// The version the text began from (409 `version` when it changed).
    #[schema(minimum = 1)]
    pub version: i32,
    /// Section key → text, each at most 10,000 characters.
    pub sections: BTreeMap<String, String>,
}

/// A transition's body: `accept` reads an optional `comment`, `return` a `reason`;
/// `version`, when sent, must be the current one (409 `version`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SummaryStepInput {
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
    #[schema(minimum = 1)]
    pub version: Option<i32>,
}

list_query!(
    /// The query of `GET /work-summaries` and `GET /school-summaries`.
    SummariesQuery {
        /// Academic year
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        academic_year_id,
        /// The school that writes or receives it
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_id,
        /// That school is in this district
        #[param(max_length = 100)]
        district,
        /// `draft`, `submitted` or `accepted`
        #[param(value_type = Option<Stage>)]
        status,
        /// `seconded`, `mentor` (work) or `supporter`, `receiver` (school)
        #[param(value_type = Option<Kind>)]
        kind,
    }
);

async fn list_of(
    db: &DatabaseConnection,
    user: &CurrentUser,
    query: ApiQuery<SummariesQuery>,
    work: bool,
) -> AppResult<crate::domain::paging::Paged<rows::Model>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let filter = Filter {
        academic_year_id: check.id("academic_year_id", query.academic_year_id.as_deref()),
        school_id: check.id("school_id", query.school_id.as_deref()),
        district: check.text("district", query.district.as_deref()),
        status: check.word("status", query.status.as_deref(), Stage::parse),
        kind: check.word("kind", query.kind.as_deref(), Kind::parse),
        work: Some(work),
    };
    check.finish()?;
    sums::list(db, &user.actor, &filter, request).await
}

/// One summary of the collection (`work`: teachers'), else 404.
async fn one_of(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    work: bool,
) -> AppResult<rows::Model> {
    let m = sums::get(db, actor, id).await?;
    if m.kind.is_work() != work {
        return Err(AppError::NotFound);
    }
    Ok(m)
}

async fn begin(
    db: &DatabaseConnection,
    actor: &Actor,
    body: serde_json::Value,
    work: bool,
) -> AppResult<rows::Model> {
    let form: BeginForm =
        serde_json::from_value(body).map_err(|_| AppError::bad_request("error-400-text"))?;
    if let Some(k) = Kind::parse(&form.kind)
        && k.is_work() != work
    {
        return Err(AppError::invalid(
            "kind",
            crate::error::Msg::new("err-choose"),
        ));
    }
    sums::begin(db, actor, &form).await
}

async fn write(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    body: ApiJson<Obj<serde_json::Value>>,
    work: bool,
) -> AppResult<rows::Model> {
    let before = one_of(db, actor, id, work).await?;
    sums::ensure(actor, &before, Action::Edit)?;
    let body: SummaryEdit = serde_json::from_value(body.get()?.0)
        .map_err(|_| AppError::bad_request("error-400-text"))?;
    sums::save(
        db,
        actor,
        id,
        &TextForm {
            sections: body.sections,
            version: body.version.to_string(),
        },
    )
    .await
}

async fn step(
    db: &DatabaseConnection,
    context: &Context,
    actor: &Actor,
    id: i64,
    action: Action,
    body: ApiJson<Obj<serde_json::Value>>,
    work: bool,
) -> AppResult<rows::Model> {
    let before = one_of(db, actor, id, work).await?;
    sums::ensure(actor, &before, action)?;
    let body: SummaryStepInput = serde_json::from_value(body.get()?.0)
        .map_err(|_| AppError::bad_request("error-400-text"))?;
    let form = StepForm {
        comment: body.comment.unwrap_or_default(),
        reason: body.reason.unwrap_or_default(),
        version: body.version.unwrap_or(before.version).to_string(),
    };
    sums::act(db, actor, id, action, &form, context).await
}

/// List the work summaries the caller may read, newest first.
#[utoipa::path(context_path = "/api/v1", operation_id = "work_summaries_list", tag = "work-summaries",
    params(SummariesQuery),
    responses(
        (status = 200, description = "One page", body = ApiPage<WorkSummaryView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/work-summaries")]
pub async fn work_list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<SummariesQuery>,
) -> AppResult<Json<ApiPage<WorkSummaryView>>> {
    let paged = list_of(db.inner(), &user, query, true).await?;
    let actor = user.actor.clone();
    Ok(Json(ApiPage::from_paged(paged, |m| {
        work_view(&actor, m, None)
    })))
}

/// One work summary with the teacher's figures.
#[utoipa::path(context_path = "/api/v1", operation_id = "work_summaries_show", tag = "work-summaries",
    params(("id" = i64, Path, description = "Summary id")),
    responses(
        (status = 200, description = "The summary", body = WorkSummaryView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such work summary (or not visible)", body = ErrorBody),
    ))]
#[get("/work-summaries/<id>")]
pub async fn work_show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<WorkSummaryView>> {
    let m = one_of(db.inner(), &user.actor, id, true).await?;
    let f = sums::shown_figures(db.inner(), &m).await?;
    Ok(Json(work_view(&user.actor, m, Some(f))))
}

/// A teacher begins a work summary of a year.
#[utoipa::path(context_path = "/api/v1", operation_id = "work_summaries_create", tag = "work-summaries",
    request_body = WorkSummaryInput,
    responses(
        (status = 201, description = "Begun", body = WorkSummaryView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a teacher or a school admin", body = ErrorBody),
        (status = 409, description = "Begun already (`fields.kind`)", body = ErrorBody),
        (status = 422, description = "No such year, or a kind the data does not allow", body = ErrorBody),
    ))]
#[post("/work-summaries", data = "<body>")]
pub async fn work_create(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Created<Json<WorkSummaryView>>> {
    sums::may_begin(&user.actor)?;
    let m = begin(db.inner(), &user.actor, body.get()?.0, true).await?;
    let f = sums::shown_figures(db.inner(), &m).await?;
    Ok(created(
        format!("/work-summaries/{}", m.id),
        work_view(&user.actor, m, Some(f)),
    ))
}

/// The teacher writes the draft.
#[utoipa::path(context_path = "/api/v1", operation_id = "work_summaries_update", tag = "work-summaries",
    params(("id" = i64, Path, description = "Summary id")),
    request_body = SummaryEdit,
    responses(
        (status = 200, description = "Saved", body = WorkSummaryView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the author", body = ErrorBody),
        (status = 404, description = "No such work summary", body = ErrorBody),
        (status = 409, description = "Submitted (`fields.status`) or changed since read (`fields.version`)", body = ErrorBody),
        (status = 422, description = "A section too long", body = ErrorBody),
    ))]
#[put("/work-summaries/<id>", data = "<body>")]
pub async fn work_update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Json<WorkSummaryView>> {
    let m = write(db.inner(), &user.actor, id, body, true).await?;
    let f = sums::shown_figures(db.inner(), &m).await?;
    Ok(Json(work_view(&user.actor, m, Some(f))))
}

/// List the school summaries the caller may read, newest first.
#[utoipa::path(context_path = "/api/v1", operation_id = "school_summaries_list", tag = "school-summaries",
    params(SummariesQuery),
    responses(
        (status = 200, description = "One page", body = ApiPage<SchoolSummaryView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/school-summaries")]
pub async fn school_list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<SummariesQuery>,
) -> AppResult<Json<ApiPage<SchoolSummaryView>>> {
    let paged = list_of(db.inner(), &user, query, false).await?;
    let actor = user.actor.clone();
    Ok(Json(ApiPage::from_paged(paged, |m| {
        school_view(&actor, m, None)
    })))
}

/// One school summary with the school's figures.
#[utoipa::path(context_path = "/api/v1", operation_id = "school_summaries_show", tag = "school-summaries",
    params(("id" = i64, Path, description = "Summary id")),
    responses(
        (status = 200, description = "The summary", body = SchoolSummaryView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such school summary (or not visible)", body = ErrorBody),
    ))]
#[get("/school-summaries/<id>")]
pub async fn school_show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<SchoolSummaryView>> {
    let m = one_of(db.inner(), &user.actor, id, false).await?;
    let f = sums::shown_figures(db.inner(), &m).await?;
    Ok(Json(school_view(&user.actor, m, Some(f))))
}

/// A school's admin begins its annual summary of a year.
#[utoipa::path(context_path = "/api/v1", operation_id = "school_summaries_create", tag = "school-summaries",
    request_body = SchoolSummaryInput,
    responses(
        (status = 201, description = "Begun", body = SchoolSummaryView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a teacher or a school admin", body = ErrorBody),
        (status = 409, description = "Begun already (`fields.kind`)", body = ErrorBody),
        (status = 422, description = "No such year, or a side the data does not allow", body = ErrorBody),
    ))]
#[post("/school-summaries", data = "<body>")]
pub async fn school_create(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Created<Json<SchoolSummaryView>>> {
    sums::may_begin(&user.actor)?;
    let m = begin(db.inner(), &user.actor, body.get()?.0, false).await?;
    let f = sums::shown_figures(db.inner(), &m).await?;
    Ok(created(
        format!("/school-summaries/{}", m.id),
        school_view(&user.actor, m, Some(f)),
    ))
}

/// The school writes the draft.
#[utoipa::path(context_path = "/api/v1", operation_id = "school_summaries_update", tag = "school-summaries",
    params(("id" = i64, Path, description = "Summary id")),
    request_body = SummaryEdit,
    responses(
        (status = 200, description = "Saved", body = SchoolSummaryView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the school's admin", body = ErrorBody),
        (status = 404, description = "No such school summary", body = ErrorBody),
        (status = 409, description = "Submitted (`fields.status`) or changed since read (`fields.version`)", body = ErrorBody),
        (status = 422, description = "A section too long", body = ErrorBody),
    ))]
#[put("/school-summaries/<id>", data = "<body>")]
pub async fn school_update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Json<SchoolSummaryView>> {
    let m = write(db.inner(), &user.actor, id, body, false).await?;
    let f = sums::shown_figures(db.inner(), &m).await?;
    Ok(Json(school_view(&user.actor, m, Some(f))))
}

macro_rules! transition {
    ($name:ident, $path:literal, $op:literal, $tag:literal, $work:expr, $view:ident, $mk:ident, $action:expr, $doc:literal, $ok:literal, $bad:literal) => {
        #[doc = $doc]
        #[utoipa::path(context_path = "/api/v1", operation_id = $op, tag = $tag,
            params(("id" = i64, Path, description = "Summary id")),
            request_body = SummaryStepInput,
            responses(
                (status = 200, description = $ok, body = $view),
                (status = 400, description = "Malformed JSON", body = ErrorBody),
                (status = 401, description = "Not signed in", body = ErrorBody),
                (status = 403, description = "Not the one who takes this step", body = ErrorBody),
                (status = 404, description = "No such summary (or not visible)", body = ErrorBody),
                (status = 409, description = "Not at this step (`fields.status`) or changed since read (`fields.version`)", body = ErrorBody),
                (status = 422, description = $bad, body = ErrorBody),
            ))]
        #[post($path, data = "<body>")]
        pub async fn $name(
            context: Context,
            db: &State<DatabaseConnection>,
            user: CurrentUser,
            id: i64,
            body: ApiJson<Obj<serde_json::Value>>,
        ) -> AppResult<Json<$view>> {
            let m = step(db.inner(), &context, &user.actor, id, $action, body, $work).await?;
            let f = sums::shown_figures(db.inner(), &m).await?;
            Ok(Json($mk(&user.actor, m, Some(f))))
        }
    };
}

transition!(
    work_submit,
    "/work-summaries/<id>/submit",
    "work_summaries_submit",
    "work-summaries",
    true,
    WorkSummaryView,
    work_view,
    Action::Submit,
    "The teacher submits the summary to their school: every section written; the figures are kept.",
    "Submitted",
    "A section missing"
);
transition!(
    work_accept,
    "/work-summaries/<id>/accept",
    "work_summaries_accept",
    "work-summaries",
    true,
    WorkSummaryView,
    work_view,
    Action::Accept,
    "An admin of the teacher's school marks it received (an optional `comment`).",
    "Received",
    "A comment too long"
);
transition!(
    work_return,
    "/work-summaries/<id>/return",
    "work_summaries_return",
    "work-summaries",
    true,
    WorkSummaryView,
    work_view,
    Action::Return,
    "An admin of the teacher's school returns it to the draft with a `reason`.",
    "Returned",
    "No reason"
);
transition!(
    school_submit,
    "/school-summaries/<id>/submit",
    "school_summaries_submit",
    "school-summaries",
    false,
    SchoolSummaryView,
    school_view,
    Action::Submit,
    "The school submits its summary to the bureau: every section written; the figures are kept.",
    "Submitted",
    "A section missing"
);
transition!(
    school_accept,
    "/school-summaries/<id>/accept",
    "school_summaries_accept",
    "school-summaries",
    false,
    SchoolSummaryView,
    school_view,
    Action::Accept,
    "The bureau marks it received (an optional `comment`).",
    "Received",
    "A comment too long"
);
transition!(
    school_return,
    "/school-summaries/<id>/return",
    "school_summaries_return",
    "school-summaries",
    false,
    SchoolSummaryView,
    school_view,
    Action::Return,
    "The bureau returns it to the draft with a `reason`.",
    "Returned",
    "No reason"
);

pub fn routes() -> Vec<rocket::Route> {
    routes![
        work_list,
        work_show,
        work_create,
        work_update,
        work_submit,
        work_accept,
        work_return,
        school_list,
        school_show,
        school_create,
        school_update,
        school_submit,
        school_accept,
        school_return
    ]
}
