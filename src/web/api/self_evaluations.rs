//! `/api/v1/self-evaluations` (自我鉴定): a teacher begins the year's document (`POST`),
//! writes its sections (`PUT`) and submits it; the appraising school appraises, the
//! dispatching school signs (seconded teachers only), the bureau verifies — one by one or
//! many at once — and the teacher acknowledges; whoever's turn it is may return it one step
//! back. Each transition is its own endpoint, checked against the transition table.
use chrono::{DateTime, Utc};
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::domain::access::Actor;
use crate::domain::context::Context;
use crate::domain::self_evaluations::{
    self as se, Action, BeginForm, Context as SeContext, Figures, Filter, Grade, SectionsForm,
    Stage, StepForm,
};
use crate::domain::types::de::loose_string;
use crate::domain::workflow;
use crate::entities::self_evaluations as rows;
use crate::error::{AppError, AppResult};
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query};
use crate::web::forms::ApiJson;
use crate::web::guards::CurrentUser;

/// The four sections (师德表现, 教育教学, 帮扶成效, 不足与改进).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Sections {
    /// 师德表现
    #[schema(max_length = 5000)]
    #[serde(deserialize_with = "loose_string")]
    pub ethics: String,
    /// 教育教学
    #[schema(max_length = 5000)]
    #[serde(deserialize_with = "loose_string")]
    pub teaching: String,
    /// 帮扶成效
    #[schema(max_length = 5000)]
    #[serde(deserialize_with = "loose_string")]
    pub results: String,
    /// 不足与改进
    #[schema(max_length = 5000)]
    #[serde(deserialize_with = "loose_string")]
    pub improvement: String,
}

/// A self-evaluation as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SelfEvaluationView {
    pub id: i64,
    pub teacher_id: i64,
    pub academic_year_id: i64,
    /// `mentor`, `mentee` or `seconded`.
    pub context: SeContext,
    /// The teacher's own (dispatching) school.
    pub school_id: i64,
    /// Where the teacher worked this year: it appraises.
    pub appraiser_school_id: i64,
    /// The dispatching school of a seconded teacher: it signs (null otherwise).
    pub signer_school_id: Option<i64>,
    pub sections: Sections,
    pub proposed_grade: Option<Grade>,
    /// The teacher's figures of the year: kept as submitted, counted now before.
    pub figures: Figures,
    /// `draft`, `submitted`, `appraised`, `signed`, `verified` or `acknowledged`.
    pub status: Stage,
    pub appraisal_grade: Option<Grade>,
    pub appraisal_comment: String,
    pub sign_comment: String,
    /// The bureau's grade: `excellent`, `competent`, `basically_competent`, `incompetent`.
    pub final_grade: Option<Grade>,
    pub verify_comment: String,
    /// Why it was last returned (empty once a step is taken again).
    pub return_reason: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub appraised_at: Option<DateTime<Utc>>,
    pub signed_at: Option<DateTime<Utc>>,
    pub verified_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Send this back with `PUT` and the transitions.
    pub version: i32,
    /// What the caller may do now: `edit`, `submit`, `appraise`, `sign`, `verify`,
    /// `acknowledge`, `return`.
    pub actions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(actor: &Actor, m: rows::Model, figures: Figures) -> SelfEvaluationView {
    let actions = workflow::words(&se::actions_of(actor, &m))
        .into_iter()
        .map(String::from)
        .collect();
    SelfEvaluationView {
        id: m.id,
        teacher_id: m.teacher_id,
        academic_year_id: m.academic_year_id,
        context: m.context,
        school_id: m.school_id,
        appraiser_school_id: m.appraiser_school_id,
        signer_school_id: m.signer_school_id,
        sections: Sections {
            ethics: m.ethics,
            teaching: m.teaching,
            results: m.results,
            improvement: m.improvement,
        },
        proposed_grade: m.proposed_grade,
        figures,
        status: m.status,
        appraisal_grade: m.appraisal_grade,
        appraisal_comment: m.appraisal_comment,
        sign_comment: m.sign_comment,
        final_grade: m.final_grade,
        verify_comment: m.verify_comment,
        return_reason: m.return_reason,
        submitted_at: m.submitted_at,
        appraised_at: m.appraised_at,
        signed_at: m.signed_at,
        verified_at: m.verified_at,
        acknowledged_at: m.acknowledged_at,
        version: m.version,
        actions,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// The figures kept at submission, or zeros before (a list does not count them per row).
fn kept_figures(m: &rows::Model) -> Figures {
    serde_json::from_str(&m.figures).unwrap_or_default()
}

/// What a teacher sends to begin the year's self-evaluation (a draft).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SelfEvaluationInput {
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub academic_year_id: i64,
    /// A context the year's data allows: a published pairing as mentor or mentee, a
    /// secondment.
    pub context: SeContext,
}

/// What the author sends to write the draft.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SelfEvaluationEdit {
    /// The version the text began from (409 `version` when it changed).
    #[schema(minimum = 1)]
    pub version: i32,
    pub sections: Sections,
    pub proposed_grade: Option<Grade>,
}

/// A transition's body. Every field is optional in the document; each step reads its own:
/// `appraise` a `grade` and a `comment`, `sign` a `comment`, `verify` a `final_grade` (and
/// an optional `comment`), `return` a `reason`. `version`, when sent, must be the current
/// one (409 `version`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StepInput {
    pub grade: Option<Grade>,
    pub final_grade: Option<Grade>,
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
    #[schema(max_length = 1000)]
    pub reason: Option<String>,
    #[schema(minimum = 1)]
    pub version: Option<i32>,
}

/// One document of a bulk verification and the version the client read.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Pick {
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub id: i64,
    #[schema(minimum = 1)]
    pub version: i32,
}

/// The bureau verifies these documents with one grade, all or none.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct VerifyManyInput {
    #[schema(min_items = 1, max_items = 200)]
    pub items: Vec<Pick>,
    pub final_grade: Grade,
}

/// How many were verified.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerifiedCount {
    pub verified: usize,
}

list_query!(
    /// The query of `GET /self-evaluations`.
    SelfEvaluationsQuery {
        /// Academic year
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        academic_year_id,
        /// The teacher's, the appraising or the signing school
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_id,
        /// The teacher's school is in this district
        #[param(max_length = 100)]
        district,
        /// `draft` … `acknowledged`
        #[param(value_type = Option<Stage>)]
        status,
        /// `mentor`, `mentee` or `seconded`
        #[param(value_type = Option<SeContext>)]
        context,
    }
);

/// List the self-evaluations the caller may read, newest first (figures as submitted).
#[utoipa::path(context_path = "/api/v1", operation_id = "self_evaluations_list", tag = "self-evaluations",
    params(SelfEvaluationsQuery),
    responses(
        (status = 200, description = "One page", body = ApiPage<SelfEvaluationView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/self-evaluations")]
pub async fn list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<SelfEvaluationsQuery>,
) -> AppResult<Json<ApiPage<SelfEvaluationView>>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let filter = Filter {
        academic_year_id: check.id("academic_year_id", query.academic_year_id.as_deref()),
        school_id: check.id("school_id", query.school_id.as_deref()),
        district: check.text("district", query.district.as_deref()),
        status: check.word("status", query.status.as_deref(), Stage::parse),
        context: check.word("context", query.context.as_deref(), SeContext::parse),
    };
    check.finish()?;
    let paged = se::list(db.inner(), &user.actor, &filter, request).await?;
    let actor = user.actor.clone();
    Ok(Json(ApiPage::from_paged(paged, |m| {
        let f = kept_figures(&m);
        view(&actor, m, f)
    })))
}

async fn shown(
    db: &DatabaseConnection,
    actor: &Actor,
    m: rows::Model,
) -> AppResult<SelfEvaluationView> {
    let f = se::shown_figures(db, &m).await?;
    Ok(view(actor, m, f))
}

/// One self-evaluation with its figures.
#[utoipa::path(context_path = "/api/v1", operation_id = "self_evaluations_show", tag = "self-evaluations",
    params(("id" = i64, Path, description = "Self-evaluation id")),
    responses(
        (status = 200, description = "The document", body = SelfEvaluationView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such document (or not visible)", body = ErrorBody),
    ))]
#[get("/self-evaluations/<id>")]
pub async fn show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<SelfEvaluationView>> {
    let row = se::get(db.inner(), &user.actor, id).await?;
    Ok(Json(shown(db.inner(), &user.actor, row).await?))
}

/// A teacher begins the year's self-evaluation as a draft (the sections follow with `PUT`).
#[utoipa::path(context_path = "/api/v1", operation_id = "self_evaluations_create", tag = "self-evaluations",
    request_body = SelfEvaluationInput,
    responses(
        (status = 201, description = "Begun", body = SelfEvaluationView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a teacher", body = ErrorBody),
        (status = 409, description = "Begun already this year (`fields.academic_year_id`)", body = ErrorBody),
        (status = 422, description = "No such year, or a context the data does not allow", body = ErrorBody),
    ))]
#[post("/self-evaluations", data = "<body>")]
pub async fn create(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Created<Json<SelfEvaluationView>>> {
    se::may_begin(&user.actor)?;
    let body = body.get()?.0;
    let form: BeginForm =
        serde_json::from_value(body).map_err(|_| AppError::bad_request("error-400-text"))?;
    let row = se::begin(db.inner(), &user.actor, &form).await?;
    Ok(created(
        format!("/self-evaluations/{}", row.id),
        shown(db.inner(), &user.actor, row).await?,
    ))
}

/// The author writes the draft (PUT: the four sections and the proposed grade).
#[utoipa::path(context_path = "/api/v1", operation_id = "self_evaluations_update", tag = "self-evaluations",
    params(("id" = i64, Path, description = "Self-evaluation id")),
    request_body = SelfEvaluationEdit,
    responses(
        (status = 200, description = "Saved", body = SelfEvaluationView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the author", body = ErrorBody),
        (status = 404, description = "No such document", body = ErrorBody),
        (status = 409, description = "Submitted (`fields.status`) or changed since read (`fields.version`)", body = ErrorBody),
        (status = 422, description = "A section too long", body = ErrorBody),
    ))]
#[put("/self-evaluations/<id>", data = "<body>")]
pub async fn update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Json<SelfEvaluationView>> {
    let before = se::get(db.inner(), &user.actor, id).await?;
    se::ensure(&user.actor, &before, Action::Edit)?;
    let body: SelfEvaluationEdit = serde_json::from_value(body.get()?.0)
        .map_err(|_| AppError::bad_request("error-400-text"))?;
    let form = SectionsForm {
        ethics: body.sections.ethics,
        teaching: body.sections.teaching,
        results: body.sections.results,
        improvement: body.sections.improvement,
        proposed_grade: body
            .proposed_grade
            .map(|g| g.as_str().to_string())
            .unwrap_or_default(),
        version: body.version.to_string(),
    };
    let row = se::save(db.inner(), &user.actor, id, &form).await?;
    Ok(Json(shown(db.inner(), &user.actor, row).await?))
}

async fn step(
    db: &DatabaseConnection,
    context: &Context,
    user: &CurrentUser,
    id: i64,
    action: Action,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Json<SelfEvaluationView>> {
    // Who may not take the step hears so before the body is read.
    let before = se::get(db, &user.actor, id).await?;
    se::ensure(&user.actor, &before, action)?;
    let body: StepInput = serde_json::from_value(body.get()?.0)
        .map_err(|_| AppError::bad_request("error-400-text"))?;
    let grade = if action == Action::Verify {
        body.final_grade
    } else {
        body.grade
    };
    let form = StepForm {
        grade: grade.map(|g| g.as_str().to_string()).unwrap_or_default(),
        comment: body.comment.unwrap_or_default(),
        reason: body.reason.unwrap_or_default(),
        version: body.version.unwrap_or(before.version).to_string(),
    };
    let row = se::act(db, &user.actor, id, action, &form, context).await?;
    Ok(Json(shown(db, &user.actor, row).await?))
}

macro_rules! transition {
    ($name:ident, $path:literal, $op:literal, $action:expr, $doc:literal, $ok:literal, $bad:literal) => {
        #[doc = $doc]
        #[utoipa::path(context_path = "/api/v1", operation_id = $op, tag = "self-evaluations",
            params(("id" = i64, Path, description = "Self-evaluation id")),
            request_body = StepInput,
            responses(
                (status = 200, description = $ok, body = SelfEvaluationView),
                (status = 400, description = "Malformed JSON", body = ErrorBody),
                (status = 401, description = "Not signed in", body = ErrorBody),
                (status = 403, description = "Not the one who takes this step", body = ErrorBody),
                (status = 404, description = "No such document (or not visible)", body = ErrorBody),
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
        ) -> AppResult<Json<SelfEvaluationView>> {
            step(db.inner(), &context, &user, id, $action, body).await
        }
    };
}

transition!(
    submit,
    "/self-evaluations/<id>/submit",
    "self_evaluations_submit",
    Action::Submit,
    "The author submits the draft: every section written and a grade proposed; the figures are kept.",
    "Submitted",
    "A section or the proposed grade missing"
);
transition!(
    appraise,
    "/self-evaluations/<id>/appraise",
    "self_evaluations_appraise",
    Action::Appraise,
    "The appraising school (where the teacher worked) gives its grade and opinion.",
    "Appraised",
    "No grade or no opinion"
);
transition!(
    sign,
    "/self-evaluations/<id>/sign",
    "self_evaluations_sign",
    Action::Sign,
    "The dispatching school of a seconded teacher signs with its opinion.",
    "Signed",
    "No opinion"
);
transition!(
    verify,
    "/self-evaluations/<id>/verify",
    "self_evaluations_verify",
    Action::Verify,
    "The bureau verifies with the final grade (`final_grade`) and an optional remark.",
    "Verified",
    "No final grade"
);
transition!(
    acknowledge,
    "/self-evaluations/<id>/acknowledge",
    "self_evaluations_acknowledge",
    Action::Acknowledge,
    "The teacher confirms having seen the result (not agreement).",
    "Acknowledged",
    "Never (nothing to check)"
);
transition!(
    return_step,
    "/self-evaluations/<id>/return",
    "self_evaluations_return",
    Action::Return,
    "Whoever's turn it is returns the document one step back with a `reason`.",
    "Returned",
    "No reason"
);

/// The bureau verifies several documents with one final grade, all or none.
#[utoipa::path(context_path = "/api/v1", operation_id = "self_evaluations_verify_many", tag = "self-evaluations",
    request_body = VerifyManyInput,
    responses(
        (status = 200, description = "All verified", body = VerifiedCount),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "One of them does not exist; none verified", body = ErrorBody),
        (status = 409, description = "One is not waiting for verification or changed since read; none verified", body = ErrorBody),
        (status = 422, description = "No items, too many, or a bad grade", body = ErrorBody),
    ))]
#[post("/self-evaluations/verify-many", data = "<body>")]
pub async fn verify_many(
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Json<VerifiedCount>> {
    if !se::may_verify(&user.actor) {
        return Err(AppError::Forbidden);
    }
    let body: VerifyManyInput = serde_json::from_value(body.get()?.0)
        .map_err(|_| AppError::bad_request("error-400-text"))?;
    let picks: Vec<(i64, i32)> = body.items.iter().map(|p| (p.id, p.version)).collect();
    let n = se::verify_many(
        db.inner(),
        &user.actor,
        &picks,
        body.final_grade.as_str(),
        &context,
    )
    .await?;
    Ok(Json(VerifiedCount { verified: n }))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        list,
        show,
        create,
        update,
        submit,
        appraise,
        sign,
        verify,
        acknowledge,
        return_step,
        verify_many
    ]
}
