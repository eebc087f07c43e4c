//! One-time keys of forms and API requests: the first submit claims the key in its
//! transaction and records what it made; a repeat (a second click, a retried send) finds it
//! and answers the same thing without doing it again.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, Set};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::entities::idempotency_keys;
use crate::error::{AppError, AppResult, Msg};

/// A key as stored: scoped to its user and to one kind of request, so that one person's
/// key can neither answer nor block another person's request.
pub fn stored_key(actor: &Actor, scope: &str, key: &str) -> String {
    format!("{}:{scope}:{key}", actor.user_id)
}

/// The key as stored (see `stored_key`); `None` when none was sent.
pub fn scoped(actor: &Actor, scope: &str, key: &str) -> AppResult<Option<String>> {
    let key = key.trim();
    if key.is_empty() {
        return Ok(None);
    }
    if key.chars().count() > 100 {
        return Err(AppError::invalid(
            "idempotency_key",
            Msg::new("err-too-long").arg("max", 100),
        ));
    }
    Ok(Some(stored_key(actor, scope, key)))
}

/// The id an earlier request with this key made (a key of another user is refused).
pub async fn earlier(
    db: &impl ConnectionTrait,
    actor: &Actor,
    key: &str,
) -> AppResult<Option<i64>> {
    let Some(row) = idempotency_keys::Entity::find_by_id(key.to_string())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.user_id != actor.user_id {
        return Err(AppError::conflict(
            "idempotency_key",
            "err-idempotency-key-used",
        ));
    }
    Ok(row.outcome.parse().ok())
}

/// What claiming a key found.
pub enum Claim {
    /// The key is this request's: go on in the transaction.
    Claimed(DatabaseTransaction),
    /// A concurrent request with the same key finished first (its transaction was given up):
    /// answer what it made.
    Done(Option<i64>),
}

/// Claims the key in `txn`; a concurrent request with the same key waits here for the first.
pub async fn claim(
    db: &impl Conn,
    txn: DatabaseTransaction,
    actor: &Actor,
    key: &str,
) -> AppResult<Claim> {
    let claimed = idempotency_keys::ActiveModel {
        key: Set(key.to_string()),
        user_id: Set(actor.user_id),
        outcome: Set(String::new()),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await;
    match claimed {
        Ok(_) => Ok(Claim::Claimed(txn)),
        Err(e) if db::is_unique_violation(&e) => {
            drop(txn);
            Ok(Claim::Done(earlier(db, actor, key).await?))
        }
        Err(e) => Err(e.into()),
    }
}

/// Records what the claimed key made, in the same transaction.
pub async fn record(txn: &impl ConnectionTrait, key: &str, id: i64) -> AppResult<()> {
    idempotency_keys::ActiveModel {
        key: Set(key.to_string()),
        outcome: Set(id.to_string()),
        ..Default::default()
    }
    .update(txn)
    .await?;
    Ok(())
}
