//! The bureau's views of the machinery: the audit log with filters, read as words (see
//! `audit_view`), and mails that could not be delivered (with a retry).
use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::audit;
use crate::domain::audit_view::{Change, Named, Names};
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

/// An audit entry as the page shows it: who, which record, what changed — in words.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub entry: audit_log::Model,
    /// Who made it; `None` for the system (and people not signed in: setting up, asking
    /// for or using a reset link).
    pub actor: Option<Named>,
    /// The record, by name with a link to its page.
    pub record: Option<Named>,
    pub changes: Vec<Change>,
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
    let names = Names::load(db, &paged.items).await?;
    Ok(paged.map(|entry| AuditRow {
        actor: names.actor(&entry),
        record: names.record(&entry),
        changes: names.changes(&entry),
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
