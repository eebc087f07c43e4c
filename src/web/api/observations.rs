//! `/api/v1/rubrics`, `/api/v1/observations` and `/api/v1/reflections` (with comments):
//! the same services as the pages, SPEC's field names, `total_score` in reads.
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, put, routes};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize};

use crate::domain::access::Visible;
use crate::domain::context::Context;
use crate::domain::observations::{self as obs, ObservationForm};
use crate::domain::reflections::{self as refl, ReflectionForm};
use crate::domain::rubrics::{self, Band, Rubric, RubricInput, Section};
use crate::domain::types::LessonKind;
use crate::domain::types::de::loose_string;
use crate::domain::{academic_years, paging};
use crate::entities::{comments, observations as obs_rows, reflections as refl_rows};
use crate::error::{AppError, AppResult, Msg};
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, Obj, QueryCheck, created, no_content};
use crate::web::forms::ApiJson;
use crate::web::guards::{BureauAdmin, CurrentUser};

/// A rubric version as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RubricView {
    pub id: i64,
    /// Shared by every version of one template.
    pub code: String,
    pub version: i32,
    pub name: String,
    pub description: String,
    pub is_current: bool,
    pub is_active: bool,
    pub sections: Vec<Section>,
    pub bands: Vec<Band>,
}

impl From<Rubric> for RubricView {
    fn from(r: Rubric) -> Self {
        RubricView {
            id: r.row.id,
            code: r.row.code,
            version: r.row.version,
            name: r.row.name,
            description: r.row.description,
            is_current: r.row.is_current,
            is_active: r.row.is_active,
            sections: r.def.sections,
            bands: r.def.bands,
        }
    }
}

/// The current version of every template.
#[utoipa::path(context_path = "/api/v1", operation_id = "rubrics_list", tag = "rubrics",
    responses(
        (status = 200, description = "Current versions", body = [RubricView]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
#[get("/rubrics")]
pub async fn rubrics_list(
    db: &State<DatabaseConnection>,
    _user: CurrentUser,
) -> AppResult<Json<Vec<RubricView>>> {
    Ok(Json(
        rubrics::list_current(db.inner())
            .await?
            .into_iter()
            .map(RubricView::from)
            .collect(),
    ))
}

/// One version (old versions stay readable for the observations scored with them).
#[utoipa::path(context_path = "/api/v1", operation_id = "rubrics_show", tag = "rubrics",
    params(("id" = i64, Path, description = "Rubric version id")),
    responses(
        (status = 200, description = "The version", body = RubricView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such version", body = ErrorBody),
    ))]
#[get("/rubrics/<id>")]
pub async fn rubrics_show(
    db: &State<DatabaseConnection>,
    _user: CurrentUser,
    id: i64,
) -> AppResult<Json<RubricView>> {
    Ok(Json(rubrics::get(db.inner(), id).await?.into()))
}

/// A new template (bureau).
#[utoipa::path(context_path = "/api/v1", operation_id = "rubrics_create", tag = "rubrics",
    request_body = RubricInput,
    responses(
        (status = 201, description = "Created", body = RubricView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 422, description = "Invalid template", body = ErrorBody),
    ))]
#[post("/rubrics", data = "<body>")]
pub async fn rubrics_create(
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    body: ApiJson<Obj<RubricInput>>,
) -> AppResult<Created<Json<RubricView>>> {
    let user = guard.0;
    let r = rubrics::create(db, &user.actor, &body.0.0).await?;
    Ok(created(format!("/rubrics/{}", r.row.id), r.into()))
}

/// Edit the current version (bureau): when observations were scored with it, the answer
/// is a NEW version (another id); the old one stays for them.
#[utoipa::path(context_path = "/api/v1", operation_id = "rubrics_update", tag = "rubrics",
    params(("id" = i64, Path, description = "Rubric version id (the current one)")),
    request_body = RubricInput,
    responses(
        (status = 200, description = "Saved (possibly as a new version)", body = RubricView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such version", body = ErrorBody),
        (status = 409, description = "Not the current version (`fields.version`)", body = ErrorBody),
        (status = 422, description = "Invalid template", body = ErrorBody),
    ))]
#[put("/rubrics/<id>", data = "<body>")]
pub async fn rubrics_update(
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    id: i64,
    body: ApiJson<Obj<RubricInput>>,
) -> AppResult<Json<RubricView>> {
    let user = guard.0;
    Ok(Json(
        rubrics::update(db, &user.actor, id, &body.0.0)
            .await?
            .into(),
    ))
}

/// An observation as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ObservationView {
    pub id: i64,
    pub teacher_pairing_id: i64,
    pub observer_id: i64,
    pub observed_id: i64,
    pub author_id: i64,
    pub observed_on: NaiveDate,
    pub grade_class: String,
    pub subject: String,
    pub topic: String,
    /// `regular`, `open`, `demonstration` or `research`.
    pub lesson_kind: String,
    /// `onsite` or `remote`.
    pub mode: String,
    pub recording_url: String,
    /// The rubric version it was scored with.
    pub rubric_id: i64,
    /// Item id → score.
    #[schema(value_type = Object)]
    pub scores: BTreeMap<String, f64>,
    /// Section id → percent of the section's top.
    #[schema(value_type = Object)]
    pub section_scores: BTreeMap<String, f64>,
    /// 0–100, computed from the rubric's weights.
    pub total_score: f64,
    /// The rubric's grade band for the total.
    pub band: String,
    pub strengths: String,
    pub suggestions: String,
    pub comment: String,
    /// Send it back with an edit.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<obs_rows::Model> for ObservationView {
    fn from(o: obs_rows::Model) -> Self {
        ObservationView {
            id: o.id,
            teacher_pairing_id: o.teacher_pairing_id,
            observer_id: o.observer_id,
            observed_id: o.observed_id,
            author_id: o.author_id,
            observed_on: o.observed_on,
            grade_class: o.grade_class,
            subject: o.subject,
            topic: o.topic,
            lesson_kind: o.lesson_kind,
            mode: o.mode,
            recording_url: o.recording_url,
            rubric_id: o.rubric_id,
            scores: serde_json::from_str(&o.scores).unwrap_or_default(),
            section_scores: serde_json::from_str(&o.section_scores).unwrap_or_default(),
            total_score: o.total_score,
            band: o.band,
            strengths: o.strengths,
            suggestions: o.suggestions,
            comment: o.comment,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// What a client sends to record an observation. `observer_id` and `observed_id` are
/// optional: they follow from who writes (the mentor observes the mentee; the mentee
/// attends the mentor's lesson); when sent they must agree.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ObservationInput {
    #[serde(deserialize_with = "loose_string")]
    pub teacher_pairing_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub observer_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub observed_id: String,
    #[serde(flatten)]
    pub form: ObservationForm,
}

/// List observations the caller may read, newest lesson first.
#[utoipa::path(context_path = "/api/v1", operation_id = "observations_list", tag = "observations",
    params(
        ("academic_year_id" = Option<i64>, Query, description = "Lessons within this academic year"),
        ("term" = Option<String>, Query, description = "`first` or `second` (with `academic_year_id`)"),
        ("school_id" = Option<i64>, Query, description = "The observer's or the observed teacher's school"),
        ("subject" = Option<String>, Query, description = "Text in the subject"),
        ("teacher_pairing_id" = Option<i64>, Query, description = "One teacher pairing"),
        ("lesson_kind" = Option<String>, Query, description = "`regular`, `open`, `demonstration` or `research`"),
        ("observed_id" = Option<i64>, Query, description = "The observed teacher"),
        ("page" = Option<u64>, Query, description = "Page from 1", minimum = 1),
        ("per_page" = Option<u64>, Query, description = "1–100, default 20", minimum = 1, maximum = 100),
    ),
    responses(
        (status = 200, description = "One page", body = ApiPage<ObservationView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad query parameter", body = ErrorBody),
    ))]
#[allow(clippy::too_many_arguments)]
#[get(
    "/observations?<academic_year_id>&<term>&<school_id>&<subject>&<teacher_pairing_id>&<lesson_kind>&<observed_id>&<page>&<per_page>"
)]
pub async fn observations_list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    academic_year_id: Option<&str>,
    term: Option<&str>,
    school_id: Option<&str>,
    subject: Option<&str>,
    teacher_pairing_id: Option<&str>,
    lesson_kind: Option<&str>,
    observed_id: Option<&str>,
    page: Option<&str>,
    per_page: Option<&str>,
) -> AppResult<Json<ApiPage<ObservationView>>> {
    let mut check = QueryCheck::new();
    let request = check.page(page, per_page);
    let year_id = check.id("academic_year_id", academic_year_id);
    let term = check.word("term", term, |t| match t {
        "first" => Some(1u8),
        "second" => Some(2u8),
        _ => None,
    });
    let filter = obs::Filter {
        academic_year_id: year_id,
        term,
        school_id: check.id("school_id", school_id),
        subject: QueryCheck::text(subject),
        teacher_pairing_id: check.id("teacher_pairing_id", teacher_pairing_id),
        lesson_kind: check.word("lesson_kind", lesson_kind, LessonKind::parse),
        observed_id: check.id("observed_id", observed_id),
    };
    if filter.term.is_some() && year_id.is_none() {
        let mut errors = match check.finish() {
            Err(AppError::Invalid(e)) => e,
            _ => crate::error::FieldErrors::new(),
        };
        errors.add("term", Msg::new("obs-err-term-needs-year"));
        return Err(AppError::Invalid(errors));
    }
    check.finish()?;
    let year = match year_id {
        Some(id) => Some(
            academic_years::get(db.inner(), id)
                .await
                .map_err(|_| AppError::invalid("academic_year_id", Msg::new("tp-err-no-year")))?,
        ),
        None => None,
    };
    let paged = paging::fetch(
        db.inner(),
        obs::filtered(&user.actor, &filter, year.as_ref()),
        request,
    )
    .await?;
    Ok(Json(ApiPage::from_paged(paged, ObservationView::from)))
}

/// One observation.
#[utoipa::path(context_path = "/api/v1", operation_id = "observations_show", tag = "observations",
    params(("id" = i64, Path, description = "Observation id")),
    responses(
        (status = 200, description = "The observation", body = ObservationView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the caller's pairing", body = ErrorBody),
        (status = 404, description = "No such observation", body = ErrorBody),
    ))]
#[get("/observations/<id>")]
pub async fn observations_show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<ObservationView>> {
    Ok(Json(obs::get(db.inner(), &user.actor, id).await?.0.into()))
}

/// The sent observer and observed must be who the caller's role in the pairing says.
async fn check_people(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    pairing_id: i64,
    input: &ObservationInput,
) -> AppResult<()> {
    let p = crate::domain::teacher_pairings::get(db, &user.actor, pairing_id).await?;
    let (observer, observed) = if user.actor.is_teacher_self(p.mentee_id) {
        (p.mentee_id, p.mentor_id)
    } else {
        (p.mentor_id, p.mentee_id)
    };
    let mut errors = crate::error::FieldErrors::new();
    for (field, sent, expected) in [
        ("observer_id", &input.observer_id, observer),
        ("observed_id", &input.observed_id, observed),
    ] {
        if !sent.trim().is_empty() && sent.trim() != expected.to_string() {
            errors.add(field, Msg::new("obs-err-people"));
        }
    }
    errors.into_result()
}

/// Record an observation (the mentor or the mentee of an active pairing).
#[utoipa::path(context_path = "/api/v1", operation_id = "observations_create", tag = "observations",
    request_body = ObservationInput,
    responses(
        (status = 201, description = "Created", body = ObservationView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not in the pairing", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "The pairing is not active", body = ErrorBody),
        (status = 422, description = "Invalid fields (`scores.<item id>` for a score)", body = ErrorBody),
    ))]
#[post("/observations", data = "<body>")]
pub async fn observations_create(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    body: ApiJson<Obj<ObservationInput>>,
) -> AppResult<Created<Json<ObservationView>>> {
    let input = body.0.0;
    let pairing_id: i64 = input
        .teacher_pairing_id
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("teacher_pairing_id", Msg::new("err-not-a-number")))?;
    check_people(db.inner(), &user, pairing_id, &input).await?;
    let o = obs::create(db, &user.actor, pairing_id, &input.form, &context).await?;
    Ok(created(format!("/observations/{}", o.id), o.into()))
}

/// Edit an observation (its author, until the observed teacher replies). Send the
/// `version` you read; a stale one is a 409 on `version`, a locked one a 409 on `locked`.
#[utoipa::path(context_path = "/api/v1", operation_id = "observations_update", tag = "observations",
    params(("id" = i64, Path, description = "Observation id")),
    request_body = ObservationForm,
    responses(
        (status = 200, description = "Saved", body = ObservationView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "Not the author", body = ErrorBody),
        (status = 404, description = "No such observation", body = ErrorBody),
        (status = 409, description = "Locked after the reply, or a stale version", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[put("/observations/<id>", data = "<body>")]
pub async fn observations_update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<ObservationForm>>,
) -> AppResult<Json<ObservationView>> {
    Ok(Json(
        obs::update(db, &user.actor, id, &body.0.0).await?.into(),
    ))
}

/// Delete an observation (bureau only; the audit log keeps it).
#[utoipa::path(context_path = "/api/v1", operation_id = "observations_destroy", tag = "observations",
    params(("id" = i64, Path, description = "Observation id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such observation", body = ErrorBody),
    ))]
#[delete("/observations/<id>")]
pub async fn observations_destroy(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<rocket::http::Status> {
    obs::delete(db, &user.actor, id).await?;
    Ok(no_content())
}

/// A comment as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    pub id: i64,
    pub author_id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<obs::CommentView> for CommentView {
    fn from(c: obs::CommentView) -> Self {
        CommentView {
            id: c.comment.id,
            author_id: c.comment.author_id,
            author_name: c.author_name,
            body: c.comment.body,
            created_at: c.comment.created_at,
        }
    }
}

impl From<comments::Model> for CommentView {
    fn from(c: comments::Model) -> Self {
        CommentView {
            id: c.id,
            author_id: c.author_id,
            author_name: String::new(),
            body: c.body,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CommentInput {
    #[serde(deserialize_with = "loose_string")]
    pub body: String,
}

/// Comment on an observation (the mentor or the mentee); the observed teacher's comment is
/// their reply and locks the observation.
#[utoipa::path(context_path = "/api/v1", operation_id = "observations_comment", tag = "observations",
    params(("id" = i64, Path, description = "Observation id")),
    request_body = CommentInput,
    responses(
        (status = 201, description = "Posted", body = CommentView),
        (status = 403, description = "Not in the pairing", body = ErrorBody),
        (status = 404, description = "No such observation", body = ErrorBody),
        (status = 422, description = "Empty or too long", body = ErrorBody),
    ))]
#[post("/observations/<id>/comments", data = "<body>")]
pub async fn observations_comment(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<CommentInput>>,
) -> AppResult<Created<Json<CommentView>>> {
    let c = obs::add_comment(db, &user.actor, id, &body.0.0.body, &context).await?;
    Ok(created(format!("/observations/{id}"), c.into()))
}

/// A reflection as the API shows it, with its comments.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReflectionView {
    pub id: i64,
    pub teacher_pairing_id: i64,
    pub observation_id: Option<i64>,
    pub author_id: i64,
    pub title: String,
    pub body: String,
    /// Send it back with an edit.
    pub version: String,
    pub comments: Vec<CommentView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn reflection_view(r: refl_rows::Model, comments: Vec<CommentView>) -> ReflectionView {
    ReflectionView {
        version: refl::version_of(&r),
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

/// List reflections the caller may read, newest first (comments are in the single read).
#[utoipa::path(context_path = "/api/v1", operation_id = "reflections_list", tag = "reflections",
    params(
        ("academic_year_id" = Option<i64>, Query, description = "The pairing's academic year"),
        ("school_id" = Option<i64>, Query, description = "The mentor's or the mentee's school"),
        ("subject" = Option<String>, Query, description = "Text in the pairing's subject"),
        ("teacher_pairing_id" = Option<i64>, Query, description = "One teacher pairing"),
        ("page" = Option<u64>, Query, description = "Page from 1", minimum = 1),
        ("per_page" = Option<u64>, Query, description = "1–100, default 20", minimum = 1, maximum = 100),
    ),
    responses(
        (status = 200, description = "One page", body = ApiPage<ReflectionView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad query parameter", body = ErrorBody),
    ))]
#[get(
    "/reflections?<academic_year_id>&<school_id>&<subject>&<teacher_pairing_id>&<page>&<per_page>"
)]
#[allow(clippy::too_many_arguments)]
pub async fn reflections_list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    academic_year_id: Option<&str>,
    school_id: Option<&str>,
    subject: Option<&str>,
    teacher_pairing_id: Option<&str>,
    page: Option<&str>,
    per_page: Option<&str>,
) -> AppResult<Json<ApiPage<ReflectionView>>> {
    let mut check = QueryCheck::new();
    let request = check.page(page, per_page);
    let filter = refl::Filter {
        academic_year_id: check.id("academic_year_id", academic_year_id),
        written: None,
        school_id: check.id("school_id", school_id),
        subject: QueryCheck::text(subject),
        teacher_pairing_id: check.id("teacher_pairing_id", teacher_pairing_id),
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

/// What a client sends to write a reflection.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReflectionInput {
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
    body: ApiJson<Obj<ReflectionInput>>,
) -> AppResult<Created<Json<ReflectionView>>> {
    let input = body.0.0;
    let pairing_id: i64 = input
        .teacher_pairing_id
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("teacher_pairing_id", Msg::new("err-not-a-number")))?;
    let r = refl::create(db, &user.actor, pairing_id, &input.form, &context).await?;
    Ok(created(
        format!("/reflections/{}", r.id),
        reflection_view(r, Vec::new()),
    ))
}

/// Edit a reflection (its author), sending the `version` read; a stale one is a 409.
#[utoipa::path(context_path = "/api/v1", operation_id = "reflections_update", tag = "reflections",
    params(("id" = i64, Path, description = "Reflection id")),
    request_body = ReflectionForm,
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
    let r = refl::update(db, &user.actor, id, &body.0.0).await?;
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
    ))]
#[post("/reflections/<id>/comments", data = "<body>")]
pub async fn reflections_comment(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<CommentInput>>,
) -> AppResult<Created<Json<CommentView>>> {
    let c = refl::add_comment(db, &user.actor, id, &body.0.0.body, &context).await?;
    Ok(created(format!("/reflections/{id}"), c.into()))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        rubrics_list,
        rubrics_show,
        rubrics_create,
        rubrics_update,
        observations_list,
        observations_show,
        observations_create,
        observations_update,
        observations_destroy,
        observations_comment,
        reflections_list,
        reflections_show,
        reflections_create,
        reflections_update,
        reflections_comment
    ]
}
