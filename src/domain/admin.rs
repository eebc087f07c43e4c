//! The bureau's views of the machinery: the audit log with filters and a compact diff,
//! and mails that could not be delivered (with a retry).
use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::Value;

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::audit;
use crate::domain::paging::{self, PageRequest, Paged};
use crate::domain::types;
use crate::entities::{audit_log, outbox, users};
use crate::error::{AppError, AppResult};

/// The audit list's filters.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// A user id, or text in the actor's name or e-mail.
    pub actor: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// One changed key: before → after, as short texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub key: String,
    pub before: String,
    pub after: String,
}

/// An audit entry as the page shows it.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub entry: audit_log::Model,
    pub actor_name: String,
    pub link: Option<String>,
    pub changes: Vec<Change>,
}

fn short(v: Option<&Value>) -> String {
    let s = match v {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if s.chars().count() > 80 {
        let mut cut: String = s.chars().take(79).collect();
        cut.push('…');
        cut
    } else {
        s
    }
}

/// The keys whose values differ between two JSON texts (objects compared key by key;
/// anything else as a whole).
pub fn diff(before: Option<&str>, after: Option<&str>) -> Vec<Change> {
    let parse = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<Value>(s).ok());
    let (b, a) = (parse(before), parse(after));
    let ignored = ["updated_at", "created_at"];
    match (&b, &a) {
        (
            Some(Value::Object(_)) | None | Some(Value::Null),
            Some(Value::Object(_)) | None | Some(Value::Null),
        ) => {
            let empty = serde_json::Map::new();
            let bo = b.as_ref().and_then(Value::as_object).unwrap_or(&empty);
            let ao = a.as_ref().and_then(Value::as_object).unwrap_or(&empty);
            let keys: BTreeSet<&String> = bo.keys().chain(ao.keys()).collect();
            keys.into_iter()
                .filter(|k| !ignored.contains(&k.as_str()))
                .filter(|k| {
                    bo.get(*k).unwrap_or(&Value::Null) != ao.get(*k).unwrap_or(&Value::Null)
                })
                .map(|k| Change {
                    key: k.clone(),
                    before: short(bo.get(k)),
                    after: short(ao.get(k)),
                })
                .collect()
        }
        _ if b != a => vec![Change {
            key: String::new(),
            before: short(b.as_ref()),
            after: short(a.as_ref()),
        }],
        _ => Vec::new(),
    }
}

/// The page of an audited entity, where there is one.
fn link_of(entity: &str, id: Option<i64>) -> Option<String> {
    match (entity, id) {
        ("school", Some(id)) => Some(format!("/schools/{id}")),
        ("teacher", Some(id)) => Some(format!("/teachers/{id}")),
        ("user", Some(id)) => Some(format!("/users/{id}/edit")),
        ("secondment", Some(id)) => Some(format!("/secondments/{id}/edit")),
        ("settings", _) => Some("/settings".to_string()),
        _ => None,
    }
}

/// The entity words that occur in the log, for the filter's select.
pub async fn entities_in_use(db: &impl Conn) -> AppResult<Vec<String>> {
    let words: Vec<String> = audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Entity)
        .distinct()
        .order_by_asc(audit_log::Column::Entity)
        .into_tuple()
        .all(db)
        .await?;
    Ok(words)
}

/// One page of the log, newest first.
pub async fn audit_list(
    db: &impl Conn,
    actor: &Actor,
    f: &AuditFilter,
    page: PageRequest,
) -> AppResult<Paged<AuditRow>> {
    policy::require_some(actor, Subject::AuditLog, Act::List)?;
    use audit_log::Column as C;
    let mut c = Condition::all();
    let who = f.actor.trim();
    if !who.is_empty() {
        if let Ok(id) = who.parse::<i64>() {
            c = c.add(C::ActorId.eq(id));
        } else {
            let pattern = types::contains(who);
            c = c.add(
                C::ActorId.in_subquery(
                    Query::select()
                        .column(users::Column::Id)
                        .from(users::Entity)
                        .cond_where(
                            Condition::any()
                                .add(Expr::col(users::Column::Name).like(pattern.clone()))
                                .add(Expr::col(users::Column::Email).like(pattern)),
                        )
                        .to_owned(),
                ),
            );
        }
    }
    if !f.entity.trim().is_empty() {
        c = c.add(C::Entity.eq(f.entity.trim()));
    }
    if let Some(id) = f.entity_id {
        c = c.add(C::EntityId.eq(id));
    }
    if let Some(d) = f.from {
        let at = Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
        c = c.add(C::CreatedAt.gte(at));
    }
    if let Some(d) = f.to
        && let Some(next) = d.succ_opt()
    {
        let at = Utc.from_utc_datetime(&next.and_hms_opt(0, 0, 0).unwrap_or_default());
        c = c.add(C::CreatedAt.lt(at));
    }
    let select = audit_log::Entity::find().filter(c).order_by_desc(C::Id);
    let paged = paging::fetch(db, select, page).await?;
    let ids: Vec<i64> = paged.items.iter().filter_map(|e| e.actor_id).collect();
    let names: HashMap<i64, String> = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(paged.map(|entry| AuditRow {
        actor_name: entry
            .actor_id
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_default(),
        link: link_of(&entry.entity, entry.entity_id),
        changes: diff(entry.before.as_deref(), entry.after.as_deref()),
        entry,
    }))
}

/// Mails the worker gave up on, most recent first.
pub async fn failed_mails(
    db: &impl Conn,
    actor: &Actor,
    page: PageRequest,
) -> AppResult<Paged<outbox::Model>> {
    policy::require_some(actor, Subject::MailFailure, Act::List)?;
    let select = outbox::Entity::find()
        .filter(outbox::Column::FailedAt.is_not_null())
        .filter(outbox::Column::SentAt.is_null())
        .order_by_desc(outbox::Column::FailedAt)
        .order_by_desc(outbox::Column::Id);
    paging::fetch(db, select, page).await
}

/// Puts a failed mail back in the queue, to be tried again now.
pub async fn retry_mail(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<()> {
    policy::require_some(actor, Subject::MailFailure, Act::Write)?;
    let txn = db::begin_write(db).await?;
    let row = outbox::Entity::find_by_id(id)
        .filter(outbox::Column::FailedAt.is_not_null())
        .filter(outbox::Column::SentAt.is_null())
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.secret {
        // Its link was not kept: the person asks for a new one (or the bureau sends it).
        return Err(AppError::conflict("id", "err-mail-secret-retry"));
    }
    let mut active = row.into_active_model();
    active.failed_at = Set(None);
    active.attempts = Set(0);
    active.next_attempt_at = Set(Utc::now());
    active.update(&txn).await?;
    audit::note(&txn, Some(actor), "retry", "mail", Some(id)).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_shows_only_changed_keys() {
        let d = diff(
            Some(r#"{"a":1,"b":"x","updated_at":"1"}"#),
            Some(r#"{"a":2,"b":"x","c":null,"updated_at":"2"}"#),
        );
        assert_eq!(
            d,
            vec![Change {
                key: "a".into(),
                before: "1".into(),
                after: "2".into()
            }]
        );
        assert_eq!(diff(None, Some(r#"{"a":"y"}"#))[0].before, "—");
        assert!(diff(None, None).is_empty());
    }
}
