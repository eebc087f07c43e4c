//! `/api/v1/observations` (听课记录, with comments): the same services as the pages,
//! SPEC's field names, `total_score` in reads. The comment shapes are shared with
//! `reflections`.
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, put, routes};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::{Deserialize, Serialize};

use crate::domain::context::Context;
use crate::domain::observations::{self as obs, ObservationForm};
use crate::domain::types::de::loose_string;
use crate::domain::types::{LessonKind, LessonMode, YearTerm};
use crate::domain::{academic_years, paging};
use crate::entities::{comments, observations as obs_rows};
use crate::error::{AppError, AppResult, Msg};
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query, no_content};
use crate::web::forms::ApiJson;
use crate::web::guards::CurrentUser;

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
/// attends the mentor's lesson); when sent they must agree. (Read as `ObservationBody`;
/// this is its documented shape, which every body is checked against first.)
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ObservationInput {
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub teacher_pairing_id: i64,
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub observer_id: Option<i64>,
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub observed_id: Option<i64>,
    /// The scoring template (an active, current version).
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub rubric_id: i64,
    #[serde(flatten)]
    pub fields: ObservationFields,
}

/// The fields of an observation, as sent to record or edit one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ObservationFields {
    /// The day of the lesson: not in the future, not before the pairing began.
    pub observed_on: chrono::NaiveDate,
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = r"\S",
        example = "七年级（2）班"
    )]
    pub grade_class: String,
    /// The pairing's subject when left out.
    #[schema(max_length = 50)]
    pub subject: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"\S",
        example = "二元一次方程组的解法"
    )]
    pub topic: String,
    /// A mentee records only `demonstration` and `open` lessons (the mentor's).
    pub lesson_kind: LessonKind,
    /// `onsite` when left out.
    pub mode: Option<LessonMode>,
    /// An `http` or `https` address of a recording.
    #[schema(max_length = 500, pattern = r"^(https?://\S+)?$")]
    pub recording_url: Option<String>,
    /// Item id → score: a number within the item's scale, or a level's word.
    pub scores: Option<BTreeMap<String, ScoreValue>>,
    #[schema(max_length = 5000)]
    pub strengths: Option<String>,
    #[schema(max_length = 5000)]
    pub suggestions: Option<String>,
    #[schema(max_length = 5000)]
    pub comment: Option<String>,
    /// Edits: the `version` read (a stale one is a 409).
    #[schema(minimum = 0)]
    pub version: Option<i64>,
    /// New records: a one-time key of this submit; a repeat makes nothing twice.
    #[schema(max_length = 100)]
    pub idempotency_key: Option<String>,
}

/// A score as sent: a number, or the word of one of the item's levels.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ScoreValue {
    Number(f64),
    Level(LevelWord),
}

/// A level's word (优, 良, 合格…).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(value_type = String, min_length = 1, max_length = 20)]
pub struct LevelWord(pub String);

/// An observation body as read (values as text, checked by the domain).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ObservationBody {
    #[serde(deserialize_with = "loose_string")]
    pub teacher_pairing_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub observer_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub observed_id: String,
    #[serde(flatten)]
    pub form: ObservationForm,
}

list_query!(
    /// The query of `GET /observations`.
    ObservationsQuery {
        /// Lessons within this academic year
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        academic_year_id,
        /// `first` or `second`: that term of `academic_year_id`, or of the current year
        #[param(inline, value_type = Option<YearTerm>)]
        term,
        /// The observer's or the observed teacher's school
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_id,
        /// Text in the subject
        #[param(max_length = 100)]
        subject,
        /// One teacher pairing
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        teacher_pairing_id,
        /// Kind of lesson
        #[param(inline, value_type = Option<LessonKind>)]
        lesson_kind,
        /// The observed teacher
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        observed_id,
    }
);

/// List observations the caller may read, newest lesson first.
#[utoipa::path(context_path = "/api/v1", operation_id = "observations_list", tag = "observations",
    params(ObservationsQuery),
    responses(
        (status = 200, description = "One page", body = ApiPage<ObservationView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/observations")]
pub async fn observations_list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<ObservationsQuery>,
) -> AppResult<Json<ApiPage<ObservationView>>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let year_id = check.id("academic_year_id", query.academic_year_id.as_deref());
    let term = check
        .word("term", query.term.as_deref(), YearTerm::parse)
        .map(YearTerm::number);
    let filter = obs::Filter {
        academic_year_id: year_id,
        term,
        school_id: check.id("school_id", query.school_id.as_deref()),
        subject: check.text("subject", query.subject.as_deref()),
        teacher_pairing_id: check.id("teacher_pairing_id", query.teacher_pairing_id.as_deref()),
        lesson_kind: check.word(
            "lesson_kind",
            query.lesson_kind.as_deref(),
            LessonKind::parse,
        ),
        observed_id: check.id("observed_id", query.observed_id.as_deref()),
    };
    check.finish()?;
    // The year whose dates (or whose term's) bound the lessons: the one asked for, or the
    // current one for a term alone. An unknown year, or a term with no current year,
    // matches nothing, like any other filter on an unknown id.
    let year = match year_id {
        Some(id) => match academic_years::get(db.inner(), id).await {
            Ok(y) => Some(y),
            Err(AppError::NotFound) => return Ok(Json(ApiPage::empty(request))),
            Err(e) => return Err(e),
        },
        None if filter.term.is_some() => match academic_years::current(db.inner()).await? {
            Some(y) => Some(y),
            None => return Ok(Json(ApiPage::empty(request))),
        },
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
    input: &ObservationBody,
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
    body: ApiJson<Obj<ObservationBody>>,
) -> AppResult<Created<Json<ObservationView>>> {
    let input = body.get()?.0;
    let pairing_id: i64 = input
        .teacher_pairing_id
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("teacher_pairing_id", Msg::new("err-not-a-number")))?;
    check_people(db.inner(), &user, pairing_id, &input).await?;
    let o = obs::create(db.inner(), &user.actor, pairing_id, &input.form, &context).await?;
    Ok(created(format!("/observations/{}", o.id), o.into()))
}

/// Edit an observation (its author, until the observed teacher replies). Send the
/// `version` you read; a stale one is a 409 on `version`, a locked one a 409 on `locked`.
#[utoipa::path(context_path = "/api/v1", operation_id = "observations_update", tag = "observations",
    params(("id" = i64, Path, description = "Observation id")),
    request_body = ObservationFields,
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
    let (o, p) = obs::get(db.inner(), &user.actor, id).await?;
    obs::ensure(db.inner(), &user.actor, &o, &p, obs::ObsAction::Edit).await?;
    Ok(Json(
        obs::update(db.inner(), &user.actor, id, &body.get()?.0)
            .await?
            .into(),
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
    obs::delete(db.inner(), &user.actor, id).await?;
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
pub struct CommentInput {
    #[serde(default, deserialize_with = "loose_string")]
    #[schema(required = true, min_length = 1, max_length = 2000, pattern = r"\S")]
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
        (status = 409, description = "The pairing has ended", body = ErrorBody),
    ))]
#[post("/observations/<id>/comments", data = "<body>")]
pub async fn observations_comment(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<CommentInput>>,
) -> AppResult<Created<Json<CommentView>>> {
    let (o, p) = obs::get(db.inner(), &user.actor, id).await?;
    obs::ensure(db.inner(), &user.actor, &o, &p, obs::ObsAction::Comment).await?;
    let body = body.get()?.0;
    let c = obs::add_comment(db.inner(), &user.actor, id, &body.body, &context).await?;
    Ok(created(format!("/observations/{id}"), c.into()))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        observations_list,
        observations_show,
        observations_create,
        observations_update,
        observations_destroy,
        observations_comment,
    ]
}
