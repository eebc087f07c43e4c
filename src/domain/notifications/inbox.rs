//! A user's in-app notifications: the list, marking read, the unread count.
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};

use crate::db::Conn;
use crate::domain::access::Actor;
use crate::domain::paging::{self, PageRequest, Paged};
use crate::entities::notifications;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// How many of the user's notices are unread (one COUNT on an indexed column).
pub async fn unread_count(conn: &impl ConnectionTrait, user_id: i64) -> AppResult<u64> {
    Ok(notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .count(conn)
        .await?)
}

/// The actor's own notices, newest first.
pub async fn list(
    db: &impl Conn,
    actor: &Actor,
    page: PageRequest,
) -> AppResult<Paged<notifications::Model>> {
    let select = notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(actor.user_id))
        .order_by_desc(notifications::Column::CreatedAt)
        .order_by_desc(notifications::Column::Id);
    paging::fetch(db, select, page).await
}

/// The notice's text in `lang`, from its catalogue key and arguments.
pub fn text(lang: Lang, n: &notifications::Model) -> String {
    let args: Vec<(String, String)> = serde_json::from_str::<serde_json::Value>(&n.args)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|m| {
            m.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, v)
                })
                .collect()
        })
        .unwrap_or_default();
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    lang.t_args(&n.message_key, &args)
}

/// Marks one of the actor's own notices read and answers it (another user's: 404).
pub async fn mark_read(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<notifications::Model> {
    let n = notifications::Entity::find_by_id(id)
        .filter(notifications::Column::UserId.eq(actor.user_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if n.read_at.is_some() {
        return Ok(n);
    }
    let mut row = n.into_active_model();
    row.read_at = Set(Some(Utc::now()));
    Ok(row.update(db).await?)
}

/// Marks all of the actor's notices read; answers how many changed.
pub async fn mark_all_read(db: &impl Conn, actor: &Actor) -> AppResult<u64> {
    let res = notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notifications::Column::UserId.eq(actor.user_id))
        .filter(notifications::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
