//! `/api/v1/school-pairings`: 学校结对. The bureau creates and edits drafts, publishes
//! (one, or many at once with an idempotency key) and terminates; a school admin of either
//! side asks for termination; everyone reads the pairings of their own school.
use chrono::{DateTime, Utc};
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::context::Context;
use crate::domain::pairing_lifecycle::{self as lifecycle, Action};
use crate::domain::school_pairings::{self as pairings, PairingFilter, PairingForm, PairingView};
use crate::domain::types::{PairingStatus, SupportKind, de::loose_string};
use crate::error::AppResult;
use crate::web::api::PositiveId;
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query};
use crate::web::forms::ApiJson;
use crate::web::guards::{BureauAdmin, CurrentUser};

/// A school pairing as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchoolPairingView {
    pub id: i64,
    pub supporter_id: i64,
    pub supporter_name: String,
    pub receiver_id: i64,
    pub receiver_name: String,
    /// First academic year, e.g. `2026-2027`.
    pub year_from: String,
    /// Last academic year.
    pub year_to: String,
    /// Any of `staff`, `management`, `funds`, `materials`.
    pub support_kinds: Vec<String>,
    /// `draft`, `active`, `completed` or `terminated`.
    pub status: String,
    /// What the caller may do now: any of `edit`, `publish`, `request_termination`,
    /// `reject_request`, `terminate` (the transitions' paths, with `-` for `_`).
    pub actions: Vec<String>,
    pub note: String,
    pub termination_requested_at: Option<DateTime<Utc>>,
    pub termination_request_reason: Option<String>,
    pub terminate_reason: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub terminated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<PairingView> for SchoolPairingView {
    fn from(v: PairingView) -> Self {
        let p = v.row;
        SchoolPairingView {
            id: p.id,
            supporter_id: p.supporter_id,
            supporter_name: v.supporter_name,
            receiver_id: p.receiver_id,
            receiver_name: v.receiver_name,
            year_from: p.year_from,
            year_to: p.year_to,
            support_kinds: v.kinds,
            status: p.status.as_str().to_string(),
            actions: v.actions.iter().map(|a| a.as_str().to_string()).collect(),
            note: p.note,
            termination_requested_at: p.termination_requested_at,
            termination_request_reason: p.termination_request_reason,
            terminate_reason: p.terminate_reason,
            published_at: p.published_at,
            completed_at: p.completed_at,
            terminated_at: p.terminated_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// What a client sends to create or replace a draft.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SchoolPairingInput {
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub supporter_id: i64,
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub receiver_id: i64,
    #[schema(pattern = r"^20[0-9]{2}-20[0-9]{2}$", example = "2026-2027")]
    pub year_from: String,
    #[schema(pattern = r"^20[0-9]{2}-20[0-9]{2}$", example = "2027-2028")]
    pub year_to: String,
    /// What the supporter gives, at least one kind, each once.
    #[schema(min_items = 1, max_items = 4, example = json!(["staff", "materials"]))]
    pub support_kinds: Vec<SupportKind>,
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// A reason, for terminating or asking to terminate.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReasonInput {
    #[serde(default, deserialize_with = "loose_string")]
    #[schema(required = true, min_length = 1, max_length = 1000, pattern = r"\S")]
    pub reason: String,
}

/// Drafts to publish together, all or none. A repeat with the same `idempotency_key`
/// changes nothing and answers as the first request did.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PublishInput {
    /// The drafts to publish.
    #[serde(default)]
    #[schema(required = true, min_items = 1, max_items = 500, inline, value_type = Vec<PositiveId>)]
    pub ids: Vec<i64>,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub idempotency_key: Option<String>,
}

/// An optional idempotency key for publishing one draft.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct KeyInput {
    #[schema(max_length = 100)]
    pub idempotency_key: Option<String>,
}

async fn one(db: &DatabaseConnection, user: &CurrentUser, id: i64) -> AppResult<SchoolPairingView> {
    Ok(pairings::view(db, &user.actor, id).await?.into())
}

list_query!(
    /// The query of `GET /school-pairings`.
    SchoolPairingsQuery {
        /// Status of the pairing
        #[param(inline, value_type = Option<PairingStatus>)]
        status,
        /// An academic year (`2026-2027`): pairings running in it
        #[param(pattern = r"^20[0-9]{2}-20[0-9]{2}$")]
        year,
        /// Pairings with this school on either side
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_id,
        /// Pairings with a school of this district on either side
        #[param(max_length = 100)]
        district,
        /// Kind of support
        #[param(inline, value_type = Option<SupportKind>)]
        support_kind,
    }
);

/// List school pairings the caller may see (the bureau all, others their school's), newest
/// first.
#[utoipa::path(context_path = "/api/v1", operation_id = "school_pairings_list", tag = "school-pairings",
    params(SchoolPairingsQuery),
    responses(
        (status = 200, description = "One page of pairings", body = ApiPage<SchoolPairingView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/school-pairings")]
pub async fn list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ApiQuery<SchoolPairingsQuery>,
) -> AppResult<Json<ApiPage<SchoolPairingView>>> {
    let query = query.get()?;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let year = check.year_name("year", query.year.as_deref());
    let filter = PairingFilter {
        status: check.word("status", query.status.as_deref(), PairingStatus::parse),
        kind: check.word(
            "support_kind",
            query.support_kind.as_deref(),
            SupportKind::parse,
        ),
        school_id: check.id("school_id", query.school_id.as_deref()),
        district: check.text("district", query.district.as_deref()),
        year,
        ..Default::default()
    };
    check.finish()?;
    let paged = pairings::list(db.inner(), &user.actor, &filter, request).await?;
    Ok(Json(ApiPage::from_paged(paged, SchoolPairingView::from)))
}

/// One school pairing.
#[utoipa::path(context_path = "/api/v1", operation_id = "school_pairings_show", tag = "school-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    responses(
        (status = 200, description = "The pairing", body = SchoolPairingView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such pairing (or not one of the caller's school)", body = ErrorBody),
    ))]
#[get("/school-pairings/<id>")]
pub async fn show(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<SchoolPairingView>> {
    Ok(Json(one(db, &user, id).await?))
}

/// Create a draft (bureau only). Rules: two different active schools, `year_to` not
/// before `year_from`, no other draft or active pairing of the same schools (either
/// direction) in overlapping years, the supporter under `max_receivers_per_supporter`.
#[utoipa::path(context_path = "/api/v1", operation_id = "school_pairings_create", tag = "school-pairings",
    request_body = SchoolPairingInput,
    responses(
        (status = 201, description = "Created (a draft)", body = SchoolPairingView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 409, description = "A duplicate, a reversal (`fields.receiver_id`) or the supporter's cap (`fields.supporter_id`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[post("/school-pairings", data = "<body>")]
pub async fn create(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<PairingForm>>,
) -> AppResult<Created<Json<SchoolPairingView>>> {
    policy::require_some(&user.actor, Subject::SchoolPairing, Act::Manage)?;
    let p = pairings::create(db.inner(), &user.actor, &body.get()?.0).await?;
    let view = one(db, &user, p.id).await?;
    Ok(created(format!("/school-pairings/{}", p.id), view))
}

/// Replace a draft's fields (bureau only; drafts only).
#[utoipa::path(context_path = "/api/v1", operation_id = "school_pairings_update", tag = "school-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    request_body = SchoolPairingInput,
    responses(
        (status = 200, description = "Updated", body = SchoolPairingView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "Not a draft (`fields.status`), or a rule refused it", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[put("/school-pairings/<id>", data = "<body>")]
pub async fn update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<PairingForm>>,
) -> AppResult<Json<SchoolPairingView>> {
    lifecycle::ensure_id::<pairings::SchoolPairing>(db.inner(), &user.actor, id, Action::Edit)
        .await?;
    pairings::update(db.inner(), &user.actor, id, &body.get()?.0, None).await?;
    Ok(Json(one(db, &user, id).await?))
}

/// Publish one draft (bureau only): it becomes active and both schools' admins are told.
#[utoipa::path(context_path = "/api/v1", operation_id = "school_pairings_publish", tag = "school-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    request_body(content = Option<KeyInput>, description = "Optional idempotency key"),
    responses(
        (status = 200, description = "Published", body = SchoolPairingView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "Not a draft (`fields.status`), or a rule refused it", body = ErrorBody),
    ))]
#[post("/school-pairings/<id>/publish", data = "<body>")]
pub async fn publish(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    body: Option<ApiJson<Obj<KeyInput>>>,
) -> AppResult<Json<SchoolPairingView>> {
    pairings::get(db.inner(), &user.actor, id).await?;
    let key = match body {
        Some(b) => b.get()?.0.idempotency_key,
        None => None,
    };
    pairings::publish(db.inner(), &user.actor, &[id], key.as_deref(), &context).await?;
    Ok(Json(one(db, &user, id).await?))
}

/// Publish several drafts at once (bureau only): all or none; the refusal names the
/// pairing and the reason (`fields.ids`).
#[utoipa::path(context_path = "/api/v1", operation_id = "school_pairings_publish_many", tag = "school-pairings",
    request_body = PublishInput,
    responses(
        (status = 200, description = "The published pairings", body = Vec<SchoolPairingView>),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "One of the ids is no pairing (nothing is published)", body = ErrorBody),
        (status = 409, description = "The key was used by someone else", body = ErrorBody),
        (status = 422, description = "No ids, or one of them cannot be published (`fields.ids`)", body = ErrorBody),
    ))]
#[post("/school-pairings/publish", data = "<body>")]
pub async fn publish_many(
    db: &State<DatabaseConnection>,
    context: Context,
    guard: BureauAdmin,
    body: ApiJson<Obj<PublishInput>>,
) -> AppResult<Json<Vec<SchoolPairingView>>> {
    let user = guard.0;
    let input = body.get()?.0;
    let rows = pairings::publish(
        db.inner(),
        &user.actor,
        &input.ids,
        input.idempotency_key.as_deref(),
        &context,
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(one(db, &user, r.id).await?);
    }
    Ok(Json(out))
}

/// Terminate an active pairing (bureau only), with a reason; both schools are told.
#[utoipa::path(context_path = "/api/v1", operation_id = "school_pairings_terminate", tag = "school-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "Terminated", body = SchoolPairingView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "Not active (`fields.status`)", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    ))]
#[post("/school-pairings/<id>/terminate", data = "<body>")]
pub async fn terminate(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<ReasonInput>>,
) -> AppResult<Json<SchoolPairingView>> {
    lifecycle::ensure_id::<pairings::SchoolPairing>(db.inner(), &user.actor, id, Action::Terminate)
        .await?;
    let body = body.get()?.0;
    pairings::terminate(db.inner(), &user.actor, id, &body.reason, &context).await?;
    Ok(Json(one(db, &user, id).await?))
}

/// Ask the bureau to terminate an active pairing (a school admin of either side).
#[utoipa::path(context_path = "/api/v1", operation_id = "school_pairings_request_termination", tag = "school-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "Requested; the bureau is told", body = SchoolPairingView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a school admin", body = ErrorBody),
        (status = 404, description = "No such pairing (or not one of the caller's school)", body = ErrorBody),
        (status = 409, description = "Not active, or already requested (`fields.status`)", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    ))]
#[post("/school-pairings/<id>/request-termination", data = "<body>")]
pub async fn request_termination(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<ReasonInput>>,
) -> AppResult<Json<SchoolPairingView>> {
    lifecycle::ensure_id::<pairings::SchoolPairing>(
        db.inner(),
        &user.actor,
        id,
        Action::RequestTermination,
    )
    .await?;
    let body = body.get()?.0;
    pairings::request_termination(db.inner(), &user.actor, id, &body.reason, &context).await?;
    Ok(Json(one(db, &user, id).await?))
}

/// Turn down a termination request (bureau only): the pairing stays active.
#[utoipa::path(context_path = "/api/v1", operation_id = "school_pairings_reject_request", tag = "school-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    responses(
        (status = 200, description = "Request cleared; the requester is told", body = SchoolPairingView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "No pending request (`fields.status`)", body = ErrorBody),
    ))]
#[post("/school-pairings/<id>/reject-request")]
pub async fn reject_request(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<SchoolPairingView>> {
    pairings::reject_request(db.inner(), &user.actor, id, &context).await?;
    Ok(Json(one(db, &user, id).await?))
}

/// Delete a draft school pairing (bureau only); a published one is never deleted.
#[utoipa::path(context_path = "/api/v1", operation_id = "school_pairings_destroy", tag = "school-pairings",
    params(("id" = i64, Path, description = "Pairing id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such pairing", body = ErrorBody),
        (status = 409, description = "Not a draft, or teacher pairings belong to it (`fields.status`)", body = ErrorBody),
    ))]
#[delete("/school-pairings/<id>")]
pub async fn destroy(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<rocket::http::Status> {
    pairings::delete_draft(db.inner(), &user.actor, id).await?;
    Ok(crate::web::api::no_content())
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        list,
        show,
        create,
        update,
        publish,
        publish_many,
        terminate,
        request_termination,
        reject_request,
        destroy
    ]
}
