//! Sending mail: SMTP through lettre when `TONGXING_SMTP_URL` is set, `.eml` files under
//! `data/mail/` otherwise, and a recording mailer for tests. One function per mail,
//! rendered in the recipient's language with an HTML and a text part.
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use askama::Template;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::i18n::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A mail ready to go: recipient plus rendered parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[rocket::async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), String>;
}

fn build_message(from: &Mailbox, mail: &OutgoingMail) -> Result<Message, String> {
    let to: Mailbox = mail.to.parse().map_err(|e| format!("bad recipient: {e}"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))
        .map_err(|e| e.to_string())
}

pub struct SmtpMailer {
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("invalid SMTP URL {}: {e}", crate::config::redact_url(url)))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        Ok(SmtpMailer {
            from: from.parse().map_err(|e| format!("invalid sender: {e}"))?,
            transport,
        })
    }
}

#[rocket::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), String> {
        let message = build_message(&self.from, mail)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Writes each mail as an `.eml` file (no SMTP server configured).
pub struct FileMailer {
    from: Mailbox,
    dir: PathBuf,
}

impl FileMailer {
    pub fn new(dir: PathBuf, from: &str) -> Result<Self, String> {
        Ok(FileMailer {
            from: from.parse().map_err(|e| format!("invalid sender: {e}"))?,
            dir,
        })
    }
}

#[rocket::async_trait]
impl Mailer for FileMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), String> {
        let message = build_message(&self.from, mail)?;
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| e.to_string())?;
        let name = format!(
            "{}-{}.eml",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
            crate::domain::tokens::random_base64(6)
        );
        tokio::fs::write(self.dir.join(name), message.formatted())
            .await
            .map_err(|e| e.to_string())
    }
}

/// Keeps mails in memory (tests). `fail` makes every send fail, like a server that is down.
#[derive(Default, Clone)]
pub struct RecordingMailer {
    pub sent: Arc<Mutex<Vec<OutgoingMail>>>,
    pub fail: Arc<std::sync::atomic::AtomicBool>,
}

#[rocket::async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<(), String> {
        if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("recording mailer set to fail".into());
        }
        self.sent
            .lock()
            .map_err(|_| "poisoned".to_string())?
            .push(mail.clone());
        Ok(())
    }
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct PasswordResetHtml<'a> {
    lang: Lang,
    name: &'a str,
    link: &'a str,
    hours: i64,
    welcome: bool,
}

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct PasswordResetText<'a> {
    lang: Lang,
    name: &'a str,
    link: &'a str,
    hours: i64,
    welcome: bool,
}

/// The mail with a password link: `welcome` for a new account, else a reset.
pub fn password_reset(
    lang: Lang,
    name: &str,
    link: &str,
    hours: i64,
    welcome: bool,
) -> RenderedMail {
    let subject = if welcome {
        lang.t("mail-welcome-subject")
    } else {
        lang.t("mail-reset-subject")
    };
    let html = PasswordResetHtml {
        lang,
        name,
        link,
        hours,
        welcome,
    }
    .render()
    .unwrap_or_default();
    let text = PasswordResetText {
        lang,
        name,
        link,
        hours,
        welcome,
    }
    .render()
    .unwrap_or_default();
    RenderedMail {
        subject,
        text,
        html,
    }
}

#[derive(Template)]
#[template(path = "mail/notice.html")]
struct NoticeHtml<'a> {
    lang: Lang,
    name: &'a str,
    body: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/notice.txt")]
struct NoticeText<'a> {
    lang: Lang,
    name: &'a str,
    body: &'a str,
    link: &'a str,
}

/// A notification mail: the notice's title as subject, its text and a link to the page.
pub fn notice(lang: Lang, name: &str, title: &str, body: &str, link: &str) -> RenderedMail {
    RenderedMail {
        subject: format!("{}{}", lang.t("mail-subject-prefix"), title),
        html: NoticeHtml {
            lang,
            name,
            body,
            link,
        }
        .render()
        .unwrap_or_default(),
        text: NoticeText {
            lang,
            name,
            body,
            link,
        }
        .render()
        .unwrap_or_default(),
    }
}
