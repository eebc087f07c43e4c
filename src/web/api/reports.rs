//! The bureau's figures and review over the API: `GET /reports/summary` (one year's
//! figures of the whole or a district, the same as the dashboard and the annual report),
//! `/reviews` (the year's pairings with their marks; `PUT` a mark) and
//! `/reviews/prepare-next-year` (`GET` the preview, `POST` to make the drafts).
use rocket::serde::json::Json;
use rocket::{State, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::domain::academic_years;
use crate::domain::annual_report::year_named;
use crate::domain::dashboard::{self, DistrictLine, Figures, Scope};
use crate::domain::reviews::{self, Kind, Mark, MarkFilter, MarkForm, Plan};
use crate::domain::types::PairingStatus;
use crate::entities::{academic_years as years, reviews as rows};
use crate::error::{AppError, AppResult, Msg};
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiQuery, Obj, QueryCheck};
use crate::web::forms::ApiJson;
use crate::web::guards::CurrentUser;

/// One year's figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportSummary {
    /// The academic year's name (`2026-2027`).
    pub year: String,
    /// The district the figures are of; null for the whole.
    pub district: Option<String>,
    pub figures: Figures,
    /// Every district side by side (for the whole only; empty for a district).
    pub districts: Vec<DistrictLine>,
}

/// The query of `GET /reports/summary`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct SummaryQuery {
    /// The academic year's name (`2026-2027`); the current year when absent
    #[param(pattern = r"^20[0-9]{2}-20[0-9]{2}$")]
    pub year: Option<String>,
    /// A district's name (as on its schools); the whole when absent
    #[param(max_length = 100)]
    pub district: Option<String>,
}

/// The year named (checked as a name with the other parameters: 422), or the current one
/// when none is named; 404 for a name that is no year.
async fn year_of(
    db: &DatabaseConnection,
    mut check: QueryCheck,
    year: Option<&str>,
) -> AppResult<years::Model> {
    let name = check.year_name("year", year);
    check.finish()?;
    if name.is_empty() {
        academic_years::current(db).await?.ok_or(AppError::NotFound)
    } else {
        year_named(db, &name).await
    }
}

/// One year's figures of the whole or of a district (the bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "reports_summary", tag = "reports",
    params(SummaryQuery),
    responses(
        (status = 200, description = "The figures", body = ReportSummary),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such year (or no current year), or no school in that district", body = ErrorBody),
        (status = 422, description = "A bad year name", body = ErrorBody),
    ))]
#[get("/reports/summary")]
pub async fn summary(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<SummaryQuery>,
) -> AppResult<Json<ReportSummary>> {
    let db = db.inner();
    dashboard::figures_allowed(&user.actor)?;
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let district = check.text("district", query.district.as_deref());
    let year = year_of(db, check, query.year.as_deref()).await?;
    let district = if district.is_empty() {
        None
    } else if crate::domain::schools::districts(db)
        .await?
        .contains(&district)
    {
        Some(district)
    } else {
        // No school is in that district: like an unknown year.
        return Err(AppError::NotFound);
    };
    let scope = Scope {
        year: year.clone(),
        district: district.clone(),
    };
    let figures = dashboard::figures(db, &user.actor, &scope).await?;
    let districts = if district.is_none() {
        dashboard::by_district(db, &user.actor, &year).await?
    } else {
        Vec::new()
    };
    Ok(Json(ReportSummary {
        year: year.name,
        district,
        figures,
        districts,
    }))
}

/// A pairing of the year with its mark.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    /// `school` or `teacher`.
    pub kind: Kind,
    pub pairing_id: i64,
    /// "supporter → receiver" or "mentor → mentee · subject".
    pub label: String,
    pub pairing_status: PairingStatus,
    /// Null while not marked.
    pub mark: Option<Mark>,
    pub note: String,
    /// Send this back with `PUT` (0 while not marked).
    pub version: i32,
    /// Set once next year was prepared from the mark (it no longer changes).
    pub prepared_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The draft of next year the mark made.
    pub carried_to_id: Option<i64>,
}

fn view(
    kind: Kind,
    pairing_id: i64,
    label: String,
    status: PairingStatus,
    r: Option<rows::Model>,
) -> ReviewView {
    ReviewView {
        kind,
        pairing_id,
        label,
        pairing_status: status,
        mark: r.as_ref().map(|r| r.mark),
        note: r.as_ref().map(|r| r.note.clone()).unwrap_or_default(),
        version: r.as_ref().map_or(0, |r| r.version),
        prepared_at: r.as_ref().and_then(|r| r.prepared_at),
        carried_to_id: r.as_ref().and_then(|r| r.carried_to_id),
    }
}

/// One page of pairings, by key.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewPage {
    pub items: Vec<ReviewView>,
    /// Send as `after` for the next page; null on the last.
    pub next_after: Option<i64>,
}

/// The query of `GET /reviews`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ReviewsQuery {
    /// The academic year's name; the current year when absent
    #[param(pattern = r"^20[0-9]{2}-20[0-9]{2}$")]
    pub year: Option<String>,
    /// `school` or `teacher` (default)
    #[param(value_type = Option<Kind>)]
    pub kind: Option<String>,
    /// `renew`, `adjust`, `end`, or `none` for the pairings not marked
    #[param(value_type = Option<MarkFilter>)]
    pub mark: Option<String>,
    /// The pairings after this id (the previous page's `next_after`)
    #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
    pub after: Option<String>,
    /// Rows per page, 1–100, default 50
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// The year's pairings of a kind with their marks, by pairing id (the bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "reviews_list", tag = "reviews",
    params(ReviewsQuery),
    responses(
        (status = 200, description = "One page", body = ReviewPage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such year", body = ErrorBody),
        (status = 422, description = "A bad query parameter", body = ErrorBody),
    ))]
#[get("/reviews")]
pub async fn list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<ReviewsQuery>,
) -> AppResult<Json<ReviewPage>> {
    let db = db.inner();
    reviews::allowed(&user.actor)?;
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let kind = check
        .word("kind", query.kind.as_deref(), Kind::parse)
        .unwrap_or(Kind::Teacher);
    let mark = check
        .word("mark", query.mark.as_deref(), MarkFilter::parse)
        .map(MarkFilter::mark);
    let after = check.id("after", query.after.as_deref()).unwrap_or(0);
    let per_page = check
        .number_in("per_page", query.per_page.as_deref(), 1, 100)
        .unwrap_or(50) as u64;
    let year = year_of(db, check, query.year.as_deref()).await?;
    let mut lines = reviews::lines(db, &user.actor, &year, kind, mark, after, per_page + 1).await?;
    let next_after = if lines.len() as u64 > per_page {
        lines.truncate(per_page as usize);
        lines.last().map(|l| l.pairing_id)
    } else {
        None
    };
    Ok(Json(ReviewPage {
        items: lines
            .into_iter()
            .map(|l| view(l.kind, l.pairing_id, l.label, l.status, l.review))
            .collect(),
        next_after,
    }))
}

/// A mark: renew, adjust or end, with a note (required to adjust or end).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = ReviewMarkInput)]
pub struct MarkInput {
    pub mark: Mark,
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub note: String,
    /// The review's version when read (0 while not marked); 409 `version` when it changed.
    #[schema(minimum = 0)]
    pub version: i32,
}

/// The query of a school pairing's mark.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct MarkQuery {
    /// The academic year's name; the current year when absent
    #[param(pattern = r"^20[0-9]{2}-20[0-9]{2}$")]
    pub year: Option<String>,
}

async fn put_mark(
    db: &DatabaseConnection,
    user: &CurrentUser,
    kind: Kind,
    id: i64,
    year: years::Model,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Json<ReviewView>> {
    let body = body.get()?.0;
    // The words are checked by the service, with their field named.
    let form = MarkForm {
        mark: body
            .get("mark")
            .and_then(|m| m.as_str())
            .unwrap_or_default()
            .to_string(),
        note: match body.get("note") {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(_) => {
                return Err(AppError::invalid(
                    "note",
                    Msg::new("err-api-type").arg("type", "string"),
                ));
            }
        },
        version: match body.get("version") {
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => {
                return Err(AppError::invalid(
                    "version",
                    Msg::new("err-api-type").arg("type", "integer"),
                ));
            }
        },
    };
    let r = reviews::mark(db, &user.actor, kind, id, &year, &form).await?;
    let lines = reviews::lines(db, &user.actor, &year, kind, None, id - 1, 1).await?;
    let line = lines
        .into_iter()
        .find(|l| l.pairing_id == id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(view(kind, id, line.label, line.status, Some(r))))
}

/// Mark a school pairing for a year (the bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "reviews_mark_school_pairing", tag = "reviews",
    params(("id" = i64, Path, description = "School pairing id"), MarkQuery),
    request_body = MarkInput,
    responses(
        (status = 200, description = "Marked", body = ReviewView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing running in that year", body = ErrorBody),
        (status = 409, description = "Changed since read (`fields.version`) or next year prepared from it (`fields.mark`)", body = ErrorBody),
        (status = 422, description = "No mark, a note missing or too long", body = ErrorBody),
    ))]
#[put("/reviews/school-pairings/<id>", data = "<body>")]
pub async fn mark_school(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    query: ApiQuery<MarkQuery>,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Json<ReviewView>> {
    let db = db.inner();
    reviews::allowed(&user.actor)?;
    let query = query.get()?;
    let year = year_of(db, QueryCheck::new(), query.year.as_deref()).await?;
    put_mark(db, &user, Kind::School, id, year, body).await
}

/// Mark a teacher pairing of its year (the bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "reviews_mark_teacher_pairing", tag = "reviews",
    params(("id" = i64, Path, description = "Teacher pairing id")),
    request_body = MarkInput,
    responses(
        (status = 200, description = "Marked", body = ReviewView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing (or a draft)", body = ErrorBody),
        (status = 409, description = "Changed since read (`fields.version`) or next year prepared from it (`fields.mark`)", body = ErrorBody),
        (status = 422, description = "No mark, a note missing or too long", body = ErrorBody),
    ))]
#[put("/reviews/teacher-pairings/<id>", data = "<body>")]
pub async fn mark_teacher(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Json<ReviewView>> {
    let db = db.inner();
    reviews::allowed(&user.actor)?;
    let p = crate::domain::teacher_pairings::get(db, &user.actor, id).await?;
    let year = reviews::year_of(db, p.academic_year_id).await?;
    put_mark(db, &user, Kind::Teacher, id, year, body).await
}

async fn prepare(
    db: &DatabaseConnection,
    user: &CurrentUser,
    query: ApiQuery<MarkQuery>,
    apply: bool,
) -> AppResult<Json<Plan>> {
    reviews::allowed(&user.actor)?;
    let query = query.get()?;
    let year = year_of(db, QueryCheck::new(), query.year.as_deref()).await?;
    let plan = reviews::prepare(db, &user.actor, &year, apply, crate::i18n::Lang::Zh).await?;
    if apply && !plan.applied {
        // Nothing was made: each refused pairing with its reason.
        let mut e = crate::error::FieldErrors::new();
        for i in plan
            .items
            .iter()
            .filter(|i| i.outcome == reviews::Outcome::Refused)
        {
            e.add(
                "items",
                Msg::new("review-err-refused-item")
                    .arg("pairing", &i.label)
                    .arg("reason", i.reason.clone().unwrap_or_default()),
            );
        }
        return Err(AppError::Invalid(e));
    }
    Ok(Json(plan))
}

/// What preparing next year from the year's marks would make (nothing is changed).
#[utoipa::path(context_path = "/api/v1", operation_id = "reviews_prepare_preview", tag = "reviews",
    params(MarkQuery),
    responses(
        (status = 200, description = "The preview", body = Plan),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such year", body = ErrorBody),
        (status = 409, description = "Next year is not created (`fields.year`)", body = ErrorBody),
        (status = 422, description = "A bad year name", body = ErrorBody),
    ))]
#[get("/reviews/prepare-next-year")]
pub async fn prepare_preview(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<MarkQuery>,
) -> AppResult<Json<Plan>> {
    prepare(db.inner(), &user, query, false).await
}

/// Make next year's drafts from the year's marks, all in one transaction: renewed and
/// adjusted pairings become drafts, ended and unmarked ones are not carried over, marks
/// prepared before make nothing again. When a rule refuses one draft nothing is made and
/// the answer is 422 naming each refused pairing and its reason (`fields.items`).
#[utoipa::path(context_path = "/api/v1", operation_id = "reviews_prepare_apply", tag = "reviews",
    params(MarkQuery),
    responses(
        (status = 200, description = "Made (`applied` true)", body = Plan),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such year", body = ErrorBody),
        (status = 409, description = "Next year is not created (`fields.year`)", body = ErrorBody),
        (status = 422, description = "A bad year name, or a draft refused by a rule (`fields.items`: nothing was made)", body = ErrorBody),
    ))]
#[post("/reviews/prepare-next-year")]
pub async fn prepare_apply(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<MarkQuery>,
) -> AppResult<Json<Plan>> {
    prepare(db.inner(), &user, query, true).await
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        summary,
        list,
        mark_school,
        mark_teacher,
        prepare_preview,
        prepare_apply
    ]
}
