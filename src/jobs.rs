//! Background work: delivering the mail outbox with retries and backoff. On PostgreSQL
//! rows are claimed with `FOR UPDATE SKIP LOCKED`, so several instances never send a mail
//! twice; on SQLite one process owns the file.
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Orbit, Rocket};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::db;
use crate::entities::outbox;
use crate::error::AppResult;
use crate::mail::{Mailer, OutgoingMail};

/// After this many failed attempts a mail is marked failed for the bureau to see.
pub const MAX_ATTEMPTS: i32 = 8;

fn backoff(attempts: i32) -> chrono::Duration {
    // 30 s, 1 min, 2 min, 4 min … capped at 1 h.
    let secs = 30i64 * (1i64 << (attempts - 1).clamp(0, 7));
    chrono::Duration::seconds(secs.min(3600))
}

/// How long a claimed mail is reserved for the worker that claimed it. A worker that dies
/// mid-send leaves the row to be retried after this lease.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);

/// Claims the next due mail in a short transaction: on PostgreSQL with `FOR UPDATE SKIP
/// LOCKED`, so two instances never take the same row. The claim moves `next_attempt_at`
/// forward by the lease, so no other worker picks the row while it is being sent.
async fn claim_next(db: &DatabaseConnection) -> AppResult<Option<outbox::Model>> {
    let txn = if db::is_postgres(db) {
        db.begin().await?
    } else {
        db::begin_write(db).await?
    };
    let mut query = outbox::Entity::find()
        .filter(outbox::Column::SentAt.is_null())
        .filter(outbox::Column::FailedAt.is_null())
        .filter(outbox::Column::NextAttemptAt.lte(Utc::now()))
        .order_by_asc(outbox::Column::Id)
        .limit(1);
    if db::is_postgres(db) {
        query = query.lock_with_behavior(
            sea_orm::sea_query::LockType::Update,
            sea_orm::sea_query::LockBehavior::SkipLocked,
        );
    }
    let Some(row) = query.one(&txn).await? else {
        txn.commit().await?;
        return Ok(None);
    };
    let mut active = row.clone().into_active_model();
    active.next_attempt_at = Set(Utc::now() + LEASE);
    active.attempts = Set(row.attempts + 1);
    let claimed = active.update(&txn).await?;
    txn.commit().await?;
    Ok(Some(claimed))
}

/// Sends every due mail once. Returns how many were sent. No transaction is open while a
/// mail is with the mail server, so a slow server never holds the database.
pub async fn deliver_due(db: &DatabaseConnection, mailer: &dyn Mailer) -> AppResult<usize> {
    let mut sent = 0;
    while let Some(row) = claim_next(db).await? {
        let mail = OutgoingMail {
            to: row.to_addr.clone(),
            subject: row.subject.clone(),
            text: row.body_text.clone(),
            html: row.body_html.clone(),
        };
        let result = mailer.send(&mail).await;
        let attempts = row.attempts;
        let secret = row.secret;
        let mut active = row.into_active_model();
        let failed = result.is_err();
        match result {
            Ok(()) => {
                active.sent_at = Set(Some(Utc::now()));
                active.last_error = Set(None);
                // The bodies may carry single-use links: once delivered they are not kept.
                active.body_text = Set(String::new());
                active.body_html = Set(String::new());
                sent += 1;
            }
            Err(e) => {
                tracing::warn!("mail delivery failed (attempt {attempts}): {e}");
                active.last_error = Set(Some(e));
                if attempts >= MAX_ATTEMPTS {
                    active.failed_at = Set(Some(Utc::now()));
                    if secret {
                        // A reset or invitation link is not kept on the failed-mails list.
                        active.body_text = Set(String::new());
                        active.body_html = Set(String::new());
                    }
                } else {
                    active.next_attempt_at = Set(Utc::now() + backoff(attempts));
                }
            }
        }
        active.update(db).await?;
        if failed {
            // Do not hammer a server that is down: the rest waits for the next round.
            return Ok(sent);
        }
    }
    Ok(sent)
}

/// One round of the quick work: reset-link requests become mails, then the outbox is
/// delivered. Returns how many mails were sent.
pub async fn work_once(
    db: &DatabaseConnection,
    mailer: &dyn Mailer,
    ctx: &crate::domain::context::Context,
) -> AppResult<usize> {
    crate::domain::users::process_reset_requests(db, ctx).await?;
    deliver_due(db, mailer).await
}

/// Forgets what no rule needs any more: old sessions and throttle counts.
pub async fn purge(db: &DatabaseConnection) -> AppResult<()> {
    let now = Utc::now();
    crate::domain::sessions::purge(db, now).await?;
    crate::domain::throttle::purge(db, now).await?;
    Ok(())
}

/// The fairing that runs the worker loop once the server is up.
pub struct Worker;

#[rocket::async_trait]
impl Fairing for Worker {
    fn info(&self) -> Info {
        Info {
            name: "background worker",
            kind: Kind::Liftoff,
        }
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let (Some(db), Some(mailer), Some(config)) = (
            rocket.state::<DatabaseConnection>().cloned(),
            rocket.state::<crate::MailerHandle>().cloned(),
            rocket.state::<crate::config::AppConfig>().cloned(),
        ) else {
            return;
        };
        let ctx = crate::domain::context::Context::new(config.base_url.clone());
        let mut shutdown = rocket.shutdown();
        let mailer: Arc<dyn Mailer> = mailer.0;
        rocket::tokio::spawn(async move {
            // School pairings whose last year has ended complete by themselves (hourly).
            let mut pairings_checked: Option<std::time::Instant> = None;
            loop {
                if let Err(e) = work_once(&db, mailer.as_ref(), &ctx).await {
                    tracing::error!("outbox worker: {e}");
                }
                if pairings_checked.is_none_or(|t| t.elapsed() >= Duration::from_secs(3600)) {
                    pairings_checked = Some(std::time::Instant::now());
                    if let Err(e) = purge(&db).await {
                        tracing::error!("purging old sessions and throttle counts: {e}");
                    }
                    let today = Utc::now().date_naive();
                    if let Err(e) = crate::domain::school_pairings::complete_ended(&db, today).await
                    {
                        tracing::error!("completing ended school pairings: {e}");
                    }
                    if let Err(e) =
                        crate::domain::teacher_pairings::complete_ended(&db, today).await
                    {
                        tracing::error!("completing ended teacher pairings: {e}");
                    }
                    if let Err(e) = crate::domain::reminders::run(&db, Utc::now(), &ctx).await {
                        tracing::error!("year-end reminders: {e}");
                    }
                }
                // What is due grows with the days: once a day every pairing's shortfall.
                let today = crate::domain::types::today();
                if let Err(e) = crate::domain::progress::refresh_daily(&db, today).await {
                    tracing::error!("refreshing how far pairings are behind: {e}");
                }
                rocket::tokio::select! {
                    _ = rocket::tokio::time::sleep(Duration::from_secs(5)) => {}
                    _ = &mut shutdown => break,
                }
            }
        });
    }
}
