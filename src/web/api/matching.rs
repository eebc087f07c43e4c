//! `/api/v1/teacher-pairings/suggestions`: mentor suggestions for a mentee, ranked by a
//! score with its reasons (bureau only).
use rocket::serde::json::Json;
use rocket::{State, get, routes};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::domain::matching;
use crate::domain::teachers::TeacherView;
use crate::domain::types;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::i18n::Lang;
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiQuery, QueryCheck};
use crate::web::guards::BureauAdmin;

/// One reason of a score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReasonView {
    /// A stable code: `match-reason-subject`, `match-reason-grades`,
    /// `match-reason-title-<title>`, `match-reason-honour`, `match-reason-years`,
    /// `match-reason-capacity`, `match-reason-schools-paired`, `match-reason-same-district`.
    #[schema(example = "match-reason-subject")]
    pub code: String,
    /// The reason in words, in the request's language.
    #[schema(example = "同学科：数学")]
    pub text: String,
    /// The points it brought.
    pub points: i64,
}

/// One suggested mentor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestionView {
    pub mentor: TeacherView,
    /// The subject they would be paired in (the mentee's first subject the mentor teaches).
    pub subject: String,
    /// The score: the sum of the reasons' points.
    pub score: i64,
    /// Mentees the mentor can still take this year.
    pub spare_slots: i64,
    pub reasons: Vec<ReasonView>,
}

/// Suggestions for one mentee, best first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestionsView {
    pub mentee_id: i64,
    pub academic_year_id: i64,
    pub max_mentees_per_mentor: i64,
    pub items: Vec<SuggestionView>,
}

/// The query of `GET /teacher-pairings/suggestions`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SuggestionsQuery {
    /// The mentee (a teacher id)
    #[param(value_type = i64, required = true, minimum = 1, maximum = 9007199254740991_i64)]
    pub mentee_id: Option<String>,
    /// Academic year; the current one when omitted
    #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
    pub year_id: Option<String>,
    /// How many suggestions, 1–100, default 20
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

/// Mentor suggestions for a mentee (bureau only): active teachers of other urban and
/// township schools who share a subject and have a free slot in the year, ranked by score.
#[utoipa::path(context_path = "/api/v1", operation_id = "teacher_pairings_suggestions", tag = "teacher-pairings",
    params(SuggestionsQuery),
    responses(
        (status = 200, description = "Suggestions, best first", body = SuggestionsView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Only the bureau", body = ErrorBody),
        (status = 404, description = "No such teacher or academic year", body = ErrorBody),
        (status = 422, description = "A bad, missing or repeated query parameter, or no current academic year", body = ErrorBody),
    ))]
#[get("/teacher-pairings/suggestions")]
pub async fn suggestions(
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    lang: Lang,
    query: ApiQuery<SuggestionsQuery>,
) -> AppResult<Json<SuggestionsView>> {
    let user = guard.0;
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let mentee = check.id("mentee_id", query.mentee_id.as_deref());
    let year = check.id("year_id", query.year_id.as_deref());
    check.finish()?;
    let mut errors = FieldErrors::new();
    if mentee.is_none() {
        errors.add("mentee_id", Msg::new("err-required"));
    }
    let limit = types::number_in(query.limit.as_deref().unwrap_or(""), 1, 100, Some(20))
        .map_err(|m| errors.add("limit", m))
        .unwrap_or(20);
    errors.into_result()?;
    let mentee = mentee.ok_or(AppError::NotFound)?;
    let s = matching::suggest(db.inner(), &user.actor, mentee, year, limit as usize).await?;
    Ok(Json(SuggestionsView {
        mentee_id: s.mentee.id,
        academic_year_id: s.year.id,
        max_mentees_per_mentor: s.max_mentees_per_mentor,
        items: s
            .items
            .into_iter()
            .map(|i| SuggestionView {
                mentor: i.mentor,
                subject: i.subject,
                score: i.points,
                spare_slots: i.spare,
                reasons: i
                    .reasons
                    .iter()
                    .map(|r| ReasonView {
                        code: r.msg.key.clone(),
                        text: lang.msg(&r.msg),
                        points: r.points,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![suggestions]
}
