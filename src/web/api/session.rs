//! `POST /api/v1/session`: sign in with e-mail and password, setting the session cookie.
use rocket::http::CookieJar;
use rocket::serde::json::{Json, Value, json};
use rocket::{State, delete, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::config::AppConfig;
use crate::domain::throttle::SignInThrottle;
use crate::domain::users::{self, UserView};
use crate::error::AppResult;
use crate::web::api::openapi::ErrorBody;
use crate::web::forms::ApiJson;
use crate::web::guards::{self, ClientInfo, CurrentUser};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SessionRequest {
    pub email: String,
    pub password: String,
}

/// Sign in with e-mail and password; sets the session cookie.
#[utoipa::path(context_path = "/api/v1", operation_id = "session_create", tag = "session", security(()),
    request_body = SessionRequest,
    responses((status = 200, description = "Signed in; the session cookie is set", body = UserView),
               (status = 400, description = "Malformed JSON", body = ErrorBody),
               (status = 401, description = "Wrong e-mail or password", body = ErrorBody),
               (status = 429, description = "Too many attempts", body = ErrorBody)))]
#[post("/session", data = "<body>")]
pub async fn create(
    db: &State<DatabaseConnection>,
    config: &State<AppConfig>,
    throttle: &State<SignInThrottle>,
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    body: ApiJson<SessionRequest>,
) -> AppResult<Json<UserView>> {
    let body = body.get()?;
    let user = users::sign_in(
        db.inner(),
        throttle,
        &body.email,
        &body.password,
        &client.address,
    )
    .await?;
    guards::start_session(db, cookies, &user, config, &client).await?;
    Ok(Json(UserView::from(&user)))
}

/// The signed-in user (by session cookie or bearer token).
#[utoipa::path(context_path = "/api/v1", operation_id = "session_show", tag = "session",
    responses((status = 200, description = "The signed-in user", body = UserView),
               (status = 401, description = "Not signed in", body = ErrorBody)))]
#[get("/session")]
pub fn show(user: CurrentUser) -> Json<UserView> {
    Json(UserView::from(&user.user))
}

/// Sign out: the session ends on the server, so a copy of its cookie no longer works
/// (bearer tokens are revoked on the profile page).
#[utoipa::path(context_path = "/api/v1", operation_id = "session_destroy", tag = "session", security(()),
    responses((status = 200, description = "Signed out: `{\"ok\": true}`")))]
#[delete("/session")]
pub async fn destroy(
    db: &State<DatabaseConnection>,
    cookies: &CookieJar<'_>,
    config: &State<AppConfig>,
) -> AppResult<Json<Value>> {
    guards::end_session(db, cookies, config).await?;
    Ok(Json(json!({"ok": true})))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![create, show, destroy]
}
