//! `/api/v1/users`: accounts, for the bureau only. The password is write-only; the hash
//! is never shown.
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::context::Context;
use crate::domain::types::Role;
use crate::domain::users::{self, UserFilter, UserForm, UserView};
use crate::error::AppResult;
use crate::web::api::openapi::ErrorBody;
use crate::web::api::{ApiPage, ApiQuery, Obj, QueryCheck, created, list_query};
use crate::web::forms::ApiJson;
use crate::web::guards::{BureauAdmin, CurrentUser};

/// What a client sends to create or replace an account (PUT sends the whole object).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserInput {
    #[schema(max_length = 254, format = "email", example = "yao@school.cn")]
    pub email: String,
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    pub role: Role,
    /// Required for a `school_admin`; ignored otherwise (a teacher's school comes from the
    /// teacher record).
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub school_id: Option<i64>,
    /// Required for a `teacher`: the teacher record this account belongs to (one account
    /// per teacher).
    #[schema(minimum = 1, maximum = 9007199254740991_i64)]
    pub teacher_id: Option<i64>,
    /// Write-only, at least 10 characters. On create, leave it out to mail the user a
    /// link to choose one; on update, leave it out to keep the current password.
    #[schema(write_only, min_length = 10, max_length = 200)]
    pub password: Option<String>,
}

list_query!(
    /// The query of `GET /users`.
    UsersQuery {
        /// Text in name or e-mail
        #[param(max_length = 100)]
        q,
        /// Role of the account
        #[param(inline, value_type = Option<Role>)]
        role,
        /// Accounts of one school
        #[param(value_type = Option<i64>, minimum = 1, maximum = 9007199254740991_i64)]
        school_id,
    }
);

/// List accounts (bureau only), oldest first.
#[utoipa::path(context_path = "/api/v1", operation_id = "users_list", tag = "users",
    params(UsersQuery),
    responses(
        (status = 200, description = "One page of accounts", body = ApiPage<UserView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 422, description = "A bad or repeated query parameter", body = ErrorBody),
    ))]
#[get("/users")]
pub async fn list(
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    query: ApiQuery<UsersQuery>,
) -> AppResult<Json<ApiPage<UserView>>> {
    let query = query.get()?;
    let user = guard.0;
    let mut check = QueryCheck::new();
    let request = query.page(&mut check);
    let filter = UserFilter {
        q: check.text("q", query.q.as_deref()),
        role: check.word("role", query.role.as_deref(), Role::parse),
        school_id: check.id("school_id", query.school_id.as_deref()),
    };
    check.finish()?;
    let paged = users::list(db.inner(), &user.actor, &filter, request).await?;
    Ok(Json(ApiPage::from_paged(paged, |u| UserView::from(&u))))
}

/// One account (bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "users_show", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The account", body = UserView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
    ))]
#[get("/users/<id>")]
pub async fn show(
    db: &State<DatabaseConnection>,
    _guard: BureauAdmin,
    id: i64,
) -> AppResult<Json<UserView>> {
    let found = users::get(db.inner(), id).await?;
    Ok(Json(UserView::from(&found)))
}

/// Create an account (bureau only). Without a password the user is mailed a link to
/// choose one.
#[utoipa::path(context_path = "/api/v1", operation_id = "users_create", tag = "users",
    request_body = UserInput,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 409, description = "The e-mail is taken (`fields.email`), or the teacher has an account (`fields.teacher_id`)", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[post("/users", data = "<body>")]
pub async fn create(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    body: ApiJson<Obj<UserForm>>,
) -> AppResult<Created<Json<UserView>>> {
    policy::require_some(&user.actor, Subject::User, Act::Manage)?;
    let created_user = users::create(db.inner(), &user.actor, &body.get()?.0, &context).await?;
    Ok(created(
        format!("/users/{}", created_user.id),
        UserView::from(&created_user),
    ))
}

/// Replace an account's fields (bureau only; PUT: send the whole object). A changed role
/// or password ends the user's sessions.
#[utoipa::path(context_path = "/api/v1", operation_id = "users_update", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    request_body = UserInput,
    responses(
        (status = 200, description = "Updated", body = UserView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "The e-mail is taken (`fields.email`), the teacher has an account, or one's own role", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
    ))]
#[put("/users/<id>", data = "<body>")]
pub async fn update(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    body: ApiJson<Obj<UserForm>>,
) -> AppResult<Json<UserView>> {
    policy::require_some(&user.actor, Subject::User, Act::Write)?;
    users::get(db.inner(), id).await?;
    let updated = users::update(db.inner(), &user.actor, id, &body.get()?.0).await?;
    Ok(Json(UserView::from(&updated)))
}

/// Deactivate an account (bureau only): its sessions and tokens stop working.
#[utoipa::path(context_path = "/api/v1", operation_id = "users_deactivate", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "Deactivated", body = UserView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
        (status = 409, description = "One's own account", body = ErrorBody),
    ))]
#[post("/users/<id>/deactivate")]
pub async fn deactivate(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<UserView>> {
    let updated = users::set_active(db.inner(), &user.actor, id, false).await?;
    Ok(Json(UserView::from(&updated)))
}

/// Reactivate an account (bureau only).
#[utoipa::path(context_path = "/api/v1", operation_id = "users_reactivate", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "Reactivated", body = UserView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
    ))]
#[post("/users/<id>/reactivate")]
pub async fn reactivate(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Json<UserView>> {
    let updated = users::set_active(db.inner(), &user.actor, id, true).await?;
    Ok(Json(UserView::from(&updated)))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![list, show, create, update, deactivate, reactivate]
}
