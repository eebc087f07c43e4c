//! `/api/v1/contributions` (资金/物资帮扶): the giving school's admin records and corrects
//! an item, the receiving school's admin confirms or disputes it; the bureau and both
//! schools' admins read. Money is `value_fen`, integer fen.
use chrono::{DateTime, NaiveDate, Utc};
use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::context::Context;
use crate::domain::contributions::{
    self, ContributionForm, ContributionKind, LedgerAction, LedgerFilter, LedgerStatus, Totals,
};
use crate::domain::workflow;
use crate::entities::contributions as rows;
use crate::error::{AppError, AppResult};
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query, no_content};
use crate::web::forms::ApiJson;
use crate::web::guards::CurrentUser;

/// A ledger item as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContributionView {
    pub id: i64,
    pub school_pairing_id: i64,
    pub giver_school_id: i64,
    pub receiver_school_id: i64,
    pub given_on: NaiveDate,
    pub kind: ContributionKind,
    pub description: String,
    pub quantity: Option<i32>,
    /// The value in fen (分): 12345 is ¥123.45.
    pub value_fen: i64,
    /// Given by the students (学生手拉手).
    pub from_students: bool,
    /// `recorded`, `confirmed` or `disputed`.
    pub status: LedgerStatus,
    /// The receiver's note (why it was disputed).
    pub note: String,
    /// When the receiver confirmed it (null until then).
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Send this back with `PUT`.
    pub version: i32,
    /// What the caller may do now: `edit`, `confirm`, `dispute`, `delete`.
    pub actions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(actor: &Actor, m: rows::Model) -> ContributionView {
    let actions = workflow::words(&contributions::actions_of(actor, &m))
        .into_iter()
        .map(String::from)
        .collect();
    ContributionView {
        id: m.id,
        school_pairing_id: m.school_pairing_id,
        giver_school_id: m.giver_school_id,
        receiver_school_id: m.receiver_school_id,
        given_on: m.given_on,
        kind: m.kind,
        description: m.description,
        quantity: m.quantity,
        value_fen: m.value_fen,
        from_students: m.from_students,
        confirmed_at: (m.status == LedgerStatus::Confirmed)
            .then_some(m.answered_at)
            .flatten(),
        status: m.status,
        note: m.note,
        version: m.version,
        actions,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// What a client sends to record an item (the caller's school gives it).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContributionInput {
    /// An active school pairing of the caller's school.
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub school_pairing_id: i64,
    /// Not in the future.
    pub given_on: NaiveDate,
    pub kind: ContributionKind,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub description: String,
    #[schema(minimum = 1, maximum = 1000000)]
    pub quantity: Option<i32>,
    /// In fen: 12345 is ¥123.45.
    #[schema(minimum = 1, maximum = 1000000000000_i64)]
    pub value_fen: i64,
    pub from_students: Option<bool>,
    /// Sending the same key again returns the item made the first time.
    #[schema(max_length = 100)]
    pub idempotency_key: Option<String>,
}

/// What a client sends to correct an item (the giver, until it is confirmed).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContributionEdit {
    /// The version the edit started from (409 `version` when it changed).
    #[schema(minimum = 1)]
    pub version: i32,
    pub given_on: NaiveDate,
    pub kind: ContributionKind,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub description: String,
    #[schema(minimum = 1, maximum = 1000000)]
    pub quantity: Option<i32>,
    #[schema(minimum = 1, maximum = 1000000000000_i64)]
    pub value_fen: i64,
    pub from_students: Option<bool>,
}

/// The receiver's note: optional to confirm, the reason to dispute.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoteInput {
    #[serde(default, deserialize_with = "crate::domain::types::de::loose_string")]
    #[schema(max_length = 500)]
    pub note: String,
}

/// A page of items with the totals of everything the filter selects.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LedgerPage {
    #[serde(flatten)]
    pub page: ApiPage<ContributionView>,
    /// Confirmed items count; those waiting and disputed are apart.
    pub totals: Totals,
}

list_query!(
    /// The query of `GET /contributions`.
    ContributionsQuery {
        /// School pairing
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_pairing_id,
        /// Given or received by this school
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_id,
        /// Either school in this district
        #[param(max_length = 100)]
        district,
        /// Given within this academic year
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        academic_year_id,
        /// `recorded`, `confirmed` or `disputed`
        #[param(value_type = Option<LedgerStatus>)]
        status,
        /// `funds`, `equipment`, `books` or `other`
        #[param(value_type = Option<ContributionKind>)]
        kind,
    }
);

/// List ledger items the caller may read, latest first, with the filter's totals.
#[utoipa::path(context_path = "/api/v1", operation_id = "contributions_list", tag = "contributions",
    params(ContributionsQuery),
    responses(
        (status = 200, description = "One page of items and the totals", body = LedgerPage),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau or a school admin", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/contributions")]
pub async fn list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<ContributionsQuery>,
) -> AppResult<Json<LedgerPage>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let filter = LedgerFilter {
        school_pairing_id: check.id("school_pairing_id", query.school_pairing_id.as_deref()),
        school_id: check.id("school_id", query.school_id.as_deref()),
        district: check.text("district", query.district.as_deref()),
        academic_year_id: check.id("academic_year_id", query.academic_year_id.as_deref()),
        status: check.word("status", query.status.as_deref(), LedgerStatus::parse),
        kind: check.word("kind", query.kind.as_deref(), ContributionKind::parse),
    };
    check.finish()?;
    let paged = contributions::list(db.inner(), &user.actor, &filter, request).await?;
    let totals = contributions::totals(db.inner(), &user.actor, &filter).await?;
    let actor = user.actor.clone();
    Ok(Json(LedgerPage {
        page: ApiPage::from_paged(paged, |m| view(&actor, m)),
        totals,
    }))
}

/// One ledger item.
#[utoipa::path(context_path = "/api/v1", operation_id = "contributions_show", tag = "contributions",
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The item", body = ContributionView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such item (or not visible)", body = ErrorBody),
    ))]
#[get("/contributions/<id>")]
pub async fn show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<ContributionView>> {
    let row = contributions::get(db.inner(), &user.actor, id).await?;
    Ok(Json(view(&user.actor, row)))
}

/// The body (checked against the document already) as the form the services read.
fn form_of(body: serde_json::Value) -> AppResult<ContributionForm> {
    serde_json::from_value(body).map_err(|_| AppError::bad_request("error-400-text"))
}

/// Record an item: the caller's school gives it to the other school of the pairing.
#[utoipa::path(context_path = "/api/v1", operation_id = "contributions_create", tag = "contributions",
    request_body = ContributionInput,
    responses(
        (status = 201, description = "Recorded", body = ContributionView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin of either school of the pairing", body = ErrorBody),
        (status = 404, description = "No such school pairing (or not visible)", body = ErrorBody),
        (status = 409, description = "The pairing is not active (`fields.school_pairing_id`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[post("/contributions", data = "<body>")]
pub async fn create(
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Created<Json<ContributionView>>> {
    policy::require_some(&user.actor, Subject::Contribution, Act::Manage)?;
    let body = body.get()?.0;
    let pairing_id = body["school_pairing_id"].as_i64().unwrap_or_default();
    let row = contributions::create(
        db.inner(),
        &user.actor,
        pairing_id,
        &form_of(body)?,
        &context,
    )
    .await?;
    Ok(created(
        format!("/contributions/{}", row.id),
        view(&user.actor, row),
    ))
}

/// Correct an item (PUT: the whole object) until the receiver confirms it; a disputed item
/// is recorded again.
#[utoipa::path(context_path = "/api/v1", operation_id = "contributions_update", tag = "contributions",
    params(("id" = i64, Path, description = "Item id")),
    request_body = ContributionEdit,
    responses(
        (status = 200, description = "Saved", body = ContributionView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the giving school", body = ErrorBody),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "Confirmed (`fields.status`) or changed since read (`fields.version`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[put("/contributions/<id>", data = "<body>")]
pub async fn update(
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<serde_json::Value>>,
) -> AppResult<Json<ContributionView>> {
    // Who may not edit it hears so before the body is read.
    let before = contributions::get(db.inner(), &user.actor, id).await?;
    contributions::ensure(&user.actor, &before, LedgerAction::Edit)?;
    let body = body.get()?.0;
    let row = contributions::update(db.inner(), &user.actor, id, &form_of(body)?, &context).await?;
    Ok(Json(view(&user.actor, row)))
}

async fn answer(
    db: &DatabaseConnection,
    context: &Context,
    user: &CurrentUser,
    id: i64,
    action: LedgerAction,
    body: ApiJson<Obj<NoteInput>>,
) -> AppResult<Json<ContributionView>> {
    let body = body.get()?.0;
    let row = contributions::answer(db, &user.actor, id, action, &body.note, context).await?;
    Ok(Json(view(&user.actor, row)))
}

/// The receiving school confirms the item (an optional note).
#[utoipa::path(context_path = "/api/v1", operation_id = "contributions_confirm", tag = "contributions",
    params(("id" = i64, Path, description = "Item id")),
    request_body = NoteInput,
    responses(
        (status = 200, description = "Confirmed", body = ContributionView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the receiving school", body = ErrorBody),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "Already answered (`fields.status`)", body = ErrorBody),
    ))]
#[post("/contributions/<id>/confirm", data = "<body>")]
pub async fn confirm(
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<NoteInput>>,
) -> AppResult<Json<ContributionView>> {
    answer(db.inner(), &context, &user, id, LedgerAction::Confirm, body).await
}

/// The receiving school disputes the item, saying why.
#[utoipa::path(context_path = "/api/v1", operation_id = "contributions_dispute", tag = "contributions",
    params(("id" = i64, Path, description = "Item id")),
    request_body = NoteInput,
    responses(
        (status = 200, description = "Disputed", body = ContributionView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the receiving school", body = ErrorBody),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "Already answered (`fields.status`)", body = ErrorBody),
        (status = 422, description = "No note", body = ErrorBody),
    ))]
#[post("/contributions/<id>/dispute", data = "<body>")]
pub async fn dispute(
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<NoteInput>>,
) -> AppResult<Json<ContributionView>> {
    answer(db.inner(), &context, &user, id, LedgerAction::Dispute, body).await
}

/// Delete an item that is not confirmed (the giving school, or the bureau).
#[utoipa::path(context_path = "/api/v1", operation_id = "contributions_destroy", tag = "contributions",
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Neither the giving school nor the bureau", body = ErrorBody),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "Confirmed (`fields.status`)", body = ErrorBody),
    ))]
#[delete("/contributions/<id>")]
pub async fn destroy(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Status> {
    contributions::delete(db.inner(), &user.actor, id).await?;
    Ok(no_content())
}

pub fn routes() -> Vec<rocket::Route> {
    routes![list, show, create, update, confirm, dispute, destroy]
}
