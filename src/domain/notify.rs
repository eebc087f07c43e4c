//! Mail notifications. A mail is an outbox row written in the same transaction as the
//! change that causes it; `jobs` delivers it later, with retries.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::entities::outbox;
use crate::error::AppResult;
use crate::mail::RenderedMail;

pub async fn queue_mail(
    conn: &impl ConnectionTrait,
    to: &str,
    mail: RenderedMail,
) -> AppResult<i64> {
    let now = Utc::now();
    let row = outbox::ActiveModel {
        to_addr: Set(to.to_string()),
        subject: Set(mail.subject),
        body_text: Set(mail.text),
        body_html: Set(mail.html),
        attempts: Set(0),
        next_attempt_at: Set(now),
        sent_at: Set(None),
        failed_at: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}
