//! The audit log: who changed what, when, before and after. Written inside the caller's
//! transaction so it never disagrees with the data.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Serialize;

use crate::domain::access::Actor;
use crate::entities::audit_log;
use crate::error::AppResult;

/// Every action word the log is written with. Each reads as a sentence in both catalogues
/// (`audit-did-{word}`); a test checks the words written across `src/` are all here.
pub const ACTIONS: &[&str] = &[
    "create",
    "schedule_training",
    "attend",
    "miss",
    "reopen",
    "update",
    "delete",
    "deactivate",
    "reactivate",
    "publish",
    "request_termination",
    "reject_termination",
    "terminate",
    "complete",
    "end_reason",
    "update_plan",
    "comment",
    "make-current",
    "new_version",
    "setup",
    "create-admin",
    "request-reset",
    "send-reset",
    "reset-password",
    "change-password",
    "end-session",
    "end-all-sessions",
    "create-token",
    "revoke-token",
    "retry",
    "confirm",
    "dispute",
    "submit",
    "appraise",
    "sign",
    "verify",
    "acknowledge",
    "return",
    "accept",
    "mark",
    "prepare_next_year",
];

/// Every kind of record the log names. Each has a label for the filter
/// (`audit-entity-{word}`) and a noun for the sentences (`audit-what-{word}`).
pub const ENTITIES: &[&str] = &[
    "school",
    "teacher",
    "user",
    "academic_year",
    "api_token",
    "settings",
    "secondment",
    "contribution",
    "visit",
    "visit_photo",
    "training_week",
    "resource",
    "self_evaluation",
    "summary",
    "annual_report",
    "review",
    "mail",
    "school_pairing",
    "teacher_pairing",
    "rubric",
    "observation",
    "reflection",
    "contact",
    "session",
];

pub async fn record<B: Serialize, A: Serialize>(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    before: Option<&B>,
    after: Option<&A>,
) -> AppResult<()> {
    debug_assert!(
        ACTIONS.contains(&action) && ENTITIES.contains(&entity),
        "audit words {action:?} on {entity:?} need a place in audit::ACTIONS/ENTITIES and the catalogues"
    );
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
