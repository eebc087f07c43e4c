//! `/api/v1/tokens`: one's own personal API tokens, for scripts. A new token's secret is
//! in the answer to its creation and never again (only its hash is kept); listing shows
//! names and dates; revoking ends it at once. Everyone signed in manages their own only.
use chrono::{DateTime, Utc};
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, delete, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::domain::users;
use crate::entities::api_tokens as rows;
use crate::error::AppResult;
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{Obj, created, no_content};
use crate::web::forms::ApiJson;
use crate::web::guards::CurrentUser;

/// A token as listed: never its secret.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    /// What the owner called it (the script or machine that uses it).
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// When a request last used it (updated at most every few minutes).
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<rows::Model> for TokenView {
    fn from(t: rows::Model) -> Self {
        TokenView {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
        }
    }
}

/// A new token, with the secret to send as `Authorization: Bearer <token>`. Shown once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NewTokenView {
    #[serde(flatten)]
    pub token: TokenView,
    /// The secret; keep it, it is not shown again.
    pub secret: String,
}

/// What a client sends to make a token.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TokenInput {
    /// A name to recognise it by.
    #[schema(value_type = String, required = true, min_length = 1, max_length = 60, example = "成绩导出脚本")]
    pub name: Option<String>,
}

/// List one's own tokens that are not revoked, newest first.
#[utoipa::path(context_path = "/api/v1", operation_id = "tokens_list", tag = "tokens",
    responses(
        (status = 200, description = "One's tokens", body = Vec<TokenView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
#[get("/tokens")]
pub async fn list(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
) -> AppResult<Json<Vec<TokenView>>> {
    let rows = users::list_tokens(db.inner(), &user.actor).await?;
    Ok(Json(rows.into_iter().map(TokenView::from).collect()))
}

/// Make a token; its secret is in this answer only.
#[utoipa::path(context_path = "/api/v1", operation_id = "tokens_create", tag = "tokens",
    request_body = TokenInput,
    responses(
        (status = 201, description = "Made; `secret` is shown this once", body = NewTokenView),
        (status = 400, description = "Missing or malformed JSON body", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "No name, or longer than 60 characters", body = ErrorBody),
    ))]
#[post("/tokens", data = "<body>")]
pub async fn create(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    body: ApiJson<Obj<TokenInput>>,
) -> AppResult<Created<Json<NewTokenView>>> {
    let (row, secret) = users::create_token(
        db.inner(),
        &user.actor,
        body.get()?.0.name.as_deref().unwrap_or_default(),
    )
    .await?;
    let id = row.id;
    Ok(created(
        format!("/tokens/{id}"),
        NewTokenView {
            token: row.into(),
            secret,
        },
    ))
}

/// Revoke one of one's own tokens; requests with it answer 401 from now on.
#[utoipa::path(context_path = "/api/v1", operation_id = "tokens_revoke", tag = "tokens",
    params(("id" = i64, Path, description = "Token id", minimum = 1)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such token of one's own (or already revoked)", body = ErrorBody),
    ))]
#[delete("/tokens/<id>")]
pub async fn revoke(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<rocket::http::Status> {
    users::revoke_token(db.inner(), &user.actor, id).await?;
    Ok(no_content())
}

pub fn routes() -> Vec<rocket::Route> {
    routes![list, create, revoke]
}
