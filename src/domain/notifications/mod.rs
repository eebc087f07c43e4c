//! Notifications: a notice in the user's inbox (`inbox`: the list, read marks, the unread
//! count) and a mail, an outbox row written in the same transaction as the change that
//! causes it; `jobs` delivers it later, with retries, and the bureau sees the ones that
//! failed.
pub mod inbox;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::domain::context::Context;
use crate::entities::outbox;
use crate::error::AppResult;
use crate::mail::RenderedMail;

pub async fn queue_mail(
    conn: &impl ConnectionTrait,
    to: &str,
    mail: RenderedMail,
) -> AppResult<i64> {
    queue(conn, to, mail, false).await
}

/// A mail that carries a secret (a reset or invitation link): if it fails for good, its
/// bodies are cleared rather than kept on the failed-mails list.
pub async fn queue_secret_mail(
    conn: &impl ConnectionTrait,
    to: &str,
    mail: RenderedMail,
) -> AppResult<i64> {
    queue(conn, to, mail, true).await
}

async fn queue(
    conn: &impl ConnectionTrait,
    to: &str,
    mail: RenderedMail,
    secret: bool,
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
        secret: Set(secret),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}

/// What happened, for the people it concerns: a Fluent key family `notice-<kind>` with its
/// arguments (`-title` for the list and mail subject, `-body` for the text) and the page
/// it is about.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: &'static str,
    pub args: Vec<(String, String)>,
    pub link: String,
}

impl Notice {
    pub fn new(kind: &'static str, link: impl Into<String>) -> Self {
        Notice {
            kind,
            args: Vec::new(),
            link: link.into(),
        }
    }

    pub fn arg(mut self, name: &str, value: impl ToString) -> Self {
        self.args.push((name.to_string(), value.to_string()));
        self
    }

    pub fn title(&self, lang: crate::i18n::Lang) -> String {
        lang.msg(&self.msg("title"))
    }

    pub fn body(&self, lang: crate::i18n::Lang) -> String {
        lang.msg(&self.msg("body"))
    }

    fn msg(&self, part: &str) -> crate::error::Msg {
        let mut msg = crate::error::Msg::new(format!("notice-{}-{part}", self.kind));
        msg.args = self.args.clone();
        msg
    }
}

/// Tells one user: an in-app notification, and a mail in their language (when they are
/// active and have an address) — both inside the caller's transaction.
pub async fn notify(
    conn: &impl ConnectionTrait,
    user: &crate::entities::users::Model,
    notice: &Notice,
    ctx: &Context,
) -> AppResult<()> {
    let args: serde_json::Map<String, serde_json::Value> = notice
        .args
        .iter()
        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
        .collect();
    crate::entities::notifications::ActiveModel {
        user_id: Set(user.id),
        kind: Set(notice.kind.to_string()),
        message_key: Set(format!("notice-{}-title", notice.kind)),
        args: Set(serde_json::Value::Object(args).to_string()),
        link: Set(notice.link.clone()),
        read_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    if user.is_active && !user.email.is_empty() {
        let lang = user
            .locale
            .as_deref()
            .and_then(crate::i18n::Lang::parse)
            .unwrap_or_default();
        let link = format!("{}{}", ctx.base_url.trim_end_matches('/'), notice.link);
        let mail = crate::mail::notice(
            lang,
            &user.name,
            &notice.title(lang),
            &notice.body(lang),
            &link,
        );
        queue_mail(conn, &user.email, mail).await?;
    }
    Ok(())
}

/// Tells every active admin of a school.
pub async fn notify_school_admins(
    conn: &impl ConnectionTrait,
    school_id: i64,
    notice: &Notice,
    ctx: &Context,
) -> AppResult<usize> {
    use crate::entities::users;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let admins = users::Entity::find()
        .filter(users::Column::SchoolId.eq(school_id))
        .filter(users::Column::Role.eq(crate::domain::types::Role::SchoolAdmin.as_str()))
        .filter(users::Column::IsActive.eq(true))
        .all(conn)
        .await?;
    for admin in &admins {
        notify(conn, admin, notice, ctx).await?;
    }
    Ok(admins.len())
}

/// Tells every active bureau administrator.
pub async fn notify_bureau(
    conn: &impl ConnectionTrait,
    notice: &Notice,
    ctx: &Context,
) -> AppResult<()> {
    use crate::entities::users;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let bureau = users::Entity::find()
        .filter(users::Column::Role.eq(crate::domain::types::Role::BureauAdmin.as_str()))
        .filter(users::Column::IsActive.eq(true))
        .all(conn)
        .await?;
    for u in &bureau {
        notify(conn, u, notice, ctx).await?;
    }
    Ok(())
}

/// Tells one user by id, if the account still exists.
pub async fn notify_user(
    conn: &impl ConnectionTrait,
    user_id: i64,
    notice: &Notice,
    ctx: &Context,
) -> AppResult<()> {
    use crate::entities::users;
    use sea_orm::EntityTrait;
    if let Some(u) = users::Entity::find_by_id(user_id).one(conn).await? {
        notify(conn, &u, notice, ctx).await?;
    }
    Ok(())
}
