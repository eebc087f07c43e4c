//! Server-side sessions. The browser's (encrypted) cookie holds a random secret; the
//! database holds its hash with the user, when it started, when it was last used and when it
//! ended. So signing out ends the session for every copy of the cookie, a changed password
//! or a deactivated account ends all of a user's sessions, and the profile page lists them.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::domain::access::Actor;
use crate::domain::{audit, tokens};
use crate::entities::{sessions, users};
use crate::error::{AppError, AppResult};

/// However active, a session ends this many days after signing in.
pub const MAX_SESSION_DAYS: i64 = 14;
/// Ended and lapsed sessions are forgotten this many days later.
const KEEP_DAYS: i64 = 30;
/// A session that ran out of time this many hours ago or less counts as lapsed (text posted
/// from it may be kept for its user); older, as ended.
const LAPSED_HOURS: i64 = 24;
/// `last_seen_at` and the sliding expiry are written at most once a minute per session.
const TOUCH_SECONDS: i64 = 60;

/// What a session cookie's secret stands for.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// A live session of an active user.
    Active(Box<users::Model>, sessions::Model),
    /// The session ran out of time (idle or too old) for this active user: what they were
    /// typing may be kept for them (see `web::drafts`).
    Lapsed(i64),
    /// Signed out, ended on the server, or the account was deactivated.
    Ended,
    /// No such session.
    Unknown,
}

/// Starts a session for `user` and returns the secret for the cookie.
pub async fn start(
    conn: &impl ConnectionTrait,
    user: &users::Model,
    idle_minutes: i64,
    address: &str,
    user_agent: &str,
) -> AppResult<String> {
    let secret = tokens::random_base64(32);
    let now = Utc::now();
    sessions::ActiveModel {
        user_id: Set(user.id),
        token_hash: Set(tokens::hash_token(&secret)),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + Duration::minutes(idle_minutes)),
        ended_at: Set(None),
        address: Set(address.chars().take(64).collect()),
        user_agent: Set(user_agent.chars().take(200).collect()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(secret)
}

/// Looks a cookie's secret up; a live session's expiry slides forward (written at most once
/// a minute).
pub async fn resolve(
    conn: &impl ConnectionTrait,
    secret: &str,
    idle_minutes: i64,
) -> AppResult<Resolved> {
    let found = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(tokens::hash_token(secret)))
        .find_also_related(users::Entity)
        .one(conn)
        .await?;
    let Some((session, Some(user))) = found else {
        return Ok(Resolved::Unknown);
    };
    if session.ended_at.is_some() || !user.is_active {
        return Ok(Resolved::Ended);
    }
    let now = Utc::now();
    let ends_at = session
        .expires_at
        .min(session.created_at + Duration::days(MAX_SESSION_DAYS));
    if ends_at <= now {
        // Lapsed lately: the writer may still be at the form; long ago: just over.
        return Ok(if now - ends_at < Duration::hours(LAPSED_HOURS) {
            Resolved::Lapsed(user.id)
        } else {
            Resolved::Ended
        });
    }
    let session = if (now - session.last_seen_at).num_seconds() >= TOUCH_SECONDS {
        let mut active: sessions::ActiveModel = session.into();
        active.last_seen_at = Set(now);
        active.expires_at = Set(now + Duration::minutes(idle_minutes));
        active.update(conn).await?
    } else {
        session
    };
    Ok(Resolved::Active(Box::new(user), session))
}

/// Ends the session a cookie's secret stands for (signing out).
pub async fn end_by_secret(conn: &impl ConnectionTrait, secret: &str) -> AppResult<()> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::EndedAt, Expr::value(Utc::now()))
        .filter(sessions::Column::TokenHash.eq(tokens::hash_token(secret)))
        .filter(sessions::Column::EndedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every open session of a user, but `except` (the one making the change), inside the
/// caller's transaction.
pub async fn end_all(
    conn: &impl ConnectionTrait,
    user_id: i64,
    except: Option<i64>,
) -> AppResult<u64> {
    let mut update = sessions::Entity::update_many()
        .col_expr(sessions::Column::EndedAt, Expr::value(Utc::now()))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::EndedAt.is_null());
    if let Some(id) = except {
        update = update.filter(sessions::Column::Id.ne(id));
    }
    Ok(update.exec(conn).await?.rows_affected)
}

/// One's own open sessions, the most recently used first.
pub async fn list_open(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> AppResult<Vec<sessions::Model>> {
    let now = Utc::now();
    Ok(sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(actor.user_id))
        .filter(sessions::Column::EndedAt.is_null())
        .filter(sessions::Column::ExpiresAt.gt(now))
        .filter(sessions::Column::CreatedAt.gt(now - Duration::days(MAX_SESSION_DAYS)))
        .order_by_desc(sessions::Column::LastSeenAt)
        .all(conn)
        .await?)
}

/// Ends one of one's own sessions; anyone else's is "not found".
pub async fn end_own(conn: &impl ConnectionTrait, actor: &Actor, id: i64) -> AppResult<()> {
    let done = sessions::Entity::update_many()
        .col_expr(sessions::Column::EndedAt, Expr::value(Utc::now()))
        .filter(sessions::Column::Id.eq(id))
        .filter(sessions::Column::UserId.eq(actor.user_id))
        .filter(sessions::Column::EndedAt.is_null())
        .exec(conn)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    audit::note(conn, Some(actor), "end-session", "session", Some(id)).await?;
    Ok(())
}

/// Signs out everywhere: every open session of one's own, this one included.
pub async fn end_everywhere(conn: &impl ConnectionTrait, actor: &Actor) -> AppResult<u64> {
    let ended = end_all(conn, actor.user_id, None).await?;
    audit::note(
        conn,
        Some(actor),
        "end-all-sessions",
        "user",
        Some(actor.user_id),
    )
    .await?;
    Ok(ended)
}

/// Forgets sessions that ended or lapsed long ago (the worker calls this).
pub async fn purge(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<u64> {
    let before = now - Duration::days(KEEP_DAYS);
    let done = sessions::Entity::delete_many()
        .filter(
            Condition::any()
                .add(sessions::Column::ExpiresAt.lt(before))
                .add(sessions::Column::EndedAt.lt(before))
                .add(sessions::Column::CreatedAt.lt(before)),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}

/// A short description of a browser from its User-Agent, for the sessions list.
pub fn browser_of(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("MicroMessenger") {
        "WeChat"
    } else if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        ""
    };
    let system = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS") {
        "macOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    match (browser, system) {
        ("", "") => String::new(),
        (b, "") => b.to_string(),
        ("", s) => s.to_string(),
        (b, s) => format!("{b} · {s}"),
    }
}
