//! The audit log: who changed what, when, before and after. Written inside the caller's
//! transaction so it never disagrees with the data.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Serialize;

use crate::domain::access::Actor;
use crate::entities::audit_log;
use crate::error::AppResult;

pub async fn record<B: Serialize, A: Serialize>(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    before: Option<&B>,
    after: Option<&A>,
) -> AppResult<()> {
    let before = before.map(serde_json::to_string).transpose()?;
    let after = after.map(serde_json::to_string).transpose()?;
    audit_log::ActiveModel {
        actor_id: Set(actor.map(|a| a.user_id)),
        action: Set(action.to_string()),
        entity: Set(entity.to_string()),
        entity_id: Set(entity_id),
        before: Set(before),
        after: Set(after),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Shorthand for an entry with no before/after payload.
pub async fn note(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
) -> AppResult<()> {
    record::<(), ()>(conn, actor, action, entity, entity_id, None, None).await
}
