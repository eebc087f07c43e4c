//! Nothing typed is lost: a form posted after the session ran out of time is kept (a row
//! under a random token, the token in a cookie) and the writer is sent to sign in; back on
//! the form, the text is filled in again. Kept 7 days, one per form, at most
//! `MAX_PER_USER` per user (the newest win), and only for the user whose session lapsed on
//! this browser, while their account is active, for a form and record that exist and are
//! theirs (the caller checks). A signed-out or unknown browser's post keeps nothing.
use chrono::{Duration, Utc};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::response::Redirect;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::domain::tokens;
use crate::entities::form_drafts;
use crate::error::AppResult;

pub const DRAFT_COOKIE: &str = "tx_draft";
/// How long a kept text waits.
pub const KEEP_DAYS: i64 = 7;
/// The largest text kept (a form body is at most 1 MiB anyway).
const MAX_FIELDS_BYTES: usize = 256 * 1024;
/// Kept texts per user; an older one goes when a newer one comes.
pub const MAX_PER_USER: u64 = 3;

/// Keeps the fields typed for the form at `path` for `keep_for` (the user whose session
/// lapsed, when they may use that form; None keeps nothing) and answers with the way to the
/// login page, which leads back to `path`.
pub async fn keep_and_sign_in(
    db: &DatabaseConnection,
    cookies: &CookieJar<'_>,
    keep_for: Option<i64>,
    path: &str,
    fields: Vec<(String, String)>,
) -> AppResult<Redirect> {
    let fields: Vec<(String, String)> = fields.into_iter().filter(|(k, _)| k != "_csrf").collect();
    let text = serde_json::to_string(&fields)?;
    let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    let Some(user_id) = keep_for.filter(|_| text.len() <= MAX_FIELDS_BYTES) else {
        return Ok(Redirect::to(format!("/login?next={next}")));
    };
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
        // The newest few per user stay.
        let stale: Vec<String> = form_drafts::Entity::find()
            .select_only()
            .column(form_drafts::Column::Token)
            .filter(form_drafts::Column::UserId.eq(user_id))
            .order_by_desc(form_drafts::Column::CreatedAt)
            .limit(100)
            .offset(MAX_PER_USER)
            .into_tuple()
            .all(db)
            .await?;
        if !stale.is_empty() {
            form_drafts::Entity::delete_many()
                .filter(form_drafts::Column::Token.is_in(stale))
                .exec(db)
                .await?;
        }
        cookies.add_private(
            Cookie::build((DRAFT_COOKIE, token))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(rocket::time::Duration::days(KEEP_DAYS)),
        );
    }
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
