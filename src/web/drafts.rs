//! Nothing typed is lost: a form posted after the session expired is kept (a row under a
//! random token, the token in a cookie) and the writer is sent to sign in; back on the
//! form, the text is filled in again. Kept 7 days, one per form and user; only the user
//! who last signed in on this browser gets it back (without that cookie nothing is kept).
use chrono::{Duration, Utc};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::domain::tokens;
use crate::entities::form_drafts;
use crate::error::AppResult;
use crate::web::guards;

pub const DRAFT_COOKIE: &str = "tx_draft";
/// How long a kept text waits.
pub const KEEP_DAYS: i64 = 7;
/// The largest text kept (a form body is at most 1 MiB anyway).
const MAX_FIELDS_BYTES: usize = 256 * 1024;

/// Keeps the fields typed for the form at `path` and answers with the way to the login
/// page, which leads back to `path`.
pub async fn keep_and_sign_in(
    db: &DatabaseConnection,
    cookies: &CookieJar<'_>,
    path: &str,
    fields: Vec<(String, String)>,
) -> AppResult<Redirect> {
    let fields: Vec<(String, String)> = fields.into_iter().filter(|(k, _)| k != "_csrf").collect();
    let text = serde_json::to_string(&fields)?;
    // Kept only for the user who last signed in here (the cookie is encrypted), one text
    // per form: a new one replaces the old.
    if let Some(user_id) = guards::last_user(cookies)
        && text.len() <= MAX_FIELDS_BYTES
    {
        form_drafts::Entity::delete_many()
            .filter(form_drafts::Column::UserId.eq(user_id))
            .filter(form_drafts::Column::Path.eq(path))
            .exec(db)
            .await?;
        // Old kept texts go first.
        form_drafts::Entity::delete_many()
            .filter(form_drafts::Column::CreatedAt.lt(Utc::now() - Duration::days(KEEP_DAYS)))
            .exec(db)
            .await?;
        let token = tokens::random_base64(24);
        form_drafts::ActiveModel {
            token: Set(token.clone()),
            user_id: Set(Some(user_id)),
            path: Set(path.to_string()),
            fields: Set(text),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await?;
        cookies.add_private(
            Cookie::build((DRAFT_COOKIE, token))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(rocket::time::Duration::days(KEEP_DAYS)),
        );
    }
    let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    Ok(Redirect::to(format!("/login?next={next}&expired=1&kept=1")))
}

/// The fields kept for the form at `path`, for `user_id` (None when there are none).
pub async fn kept_for(
    db: &DatabaseConnection,
    cookies: &CookieJar<'_>,
    path: &str,
    user_id: i64,
) -> AppResult<Option<Vec<(String, String)>>> {
    let Some(token) = cookies
        .get_private(DRAFT_COOKIE)
        .map(|c| c.value().to_string())
    else {
        return Ok(None);
    };
    let Some(row) = form_drafts::Entity::find_by_id(token).one(db).await? else {
        return Ok(None);
    };
    if row.path != path
        || row.user_id != Some(user_id)
        || row.created_at < Utc::now() - Duration::days(KEEP_DAYS)
    {
        return Ok(None);
    }
    Ok(serde_json::from_str(&row.fields).ok())
}

/// Forgets the kept text once the form was saved.
pub async fn forget(db: &DatabaseConnection, cookies: &CookieJar<'_>) -> AppResult<()> {
    if let Some(c) = cookies.get_private(DRAFT_COOKIE) {
        form_drafts::Entity::delete_by_id(c.value().to_string())
            .exec(db)
            .await?;
        cookies.remove_private(Cookie::build(DRAFT_COOKIE).path("/"));
    }
    Ok(())
}
