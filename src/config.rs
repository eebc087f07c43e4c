//! Configuration: environment variables `TONGXING_*` over an optional `Tongxing.toml`,
//! extracted once at start-up, validated, and kept as managed state.
use std::path::PathBuf;

use rocket::figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct AppConfig {
    #[serde(default = "default_database_url")]
    pub database_url: String,
    #[serde(default)]
    pub smtp_url: Option<String>,
    #[serde(default = "default_mail_from")]
    pub mail_from: String,
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    #[serde(default)]
    pub upload_dir: Option<PathBuf>,
    /// The largest uploaded file (a resource, a photo) in MiB.
    #[serde(default = "default_upload_max_mb")]
    pub upload_max_mb: u64,
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Minutes of inactivity after which a session ends.
    #[serde(default = "default_session_minutes")]
    pub session_minutes: i64,
    /// Run the outbox worker and scheduled jobs in this process.
    #[serde(default = "default_true")]
    pub background_jobs: bool,
    /// Failed sign-ins allowed per account and address within 15 minutes.
    #[serde(default = "default_login_burst")]
    pub login_burst: u32,
    /// The program that reads uploaded files in a separate process (`… read-table`);
    /// unset: this program itself.
    #[serde(default)]
    pub import_reader: Option<PathBuf>,
    /// Log every SQL statement that takes longer than this many milliseconds (its text
    /// only, never its values); unset: none.
    #[serde(default)]
    pub slow_query_ms: Option<u64>,
}

fn default_database_url() -> String {
    "sqlite://data/tongxing.db?mode=rwc".into()
}
fn default_mail_from() -> String {
    "Tongxing <noreply@tongxing.local>".into()
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("data")
}
fn default_upload_max_mb() -> u64 {
    20
}
fn default_base_url() -> String {
    "http://127.0.0.1:8000".into()
}
fn default_session_minutes() -> i64 {
    480
}
fn default_true() -> bool {
    true
}
fn default_login_burst() -> u32 {
    5
}

impl AppConfig {
    /// The figment every command starts from: Rocket's own settings, then `Tongxing.toml`,
    /// then `TONGXING_*` variables.
    pub fn figment() -> Figment {
        // Client addresses (for sign-in throttling) come from the connection, not from an
        // `X-Real-IP` header any client could set; behind a proxy set ROCKET_IP_HEADER.
        Figment::from(rocket::Config::figment())
            .merge(Serialized::default("ip_header", false))
            .merge(Env::prefixed("ROCKET_").only(&["ip_header"]).global())
            .merge(Toml::file("Tongxing.toml"))
            .merge(Env::prefixed("TONGXING_").global())
    }

    pub fn from_figment(figment: &Figment) -> Result<AppConfig, String> {
        let config: AppConfig = figment
            .extract()
            .map_err(|e| format!("invalid configuration: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            return Err(format!(
                "TONGXING_DATABASE_URL must start with sqlite: or postgres:// (got {:?})",
                redact_url(&self.database_url)
            ));
        }
        if let Some(smtp) = &self.smtp_url
            && !(smtp.starts_with("smtp://") || smtp.starts_with("smtps://"))
        {
            return Err(format!(
                "TONGXING_SMTP_URL must start with smtp:// or smtps:// (got {:?})",
                redact_url(smtp)
            ));
        }
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "TONGXING_MAIL_FROM is not a mail address: {:?}",
                self.mail_from
            ));
        }
        if url::Url::parse(&self.base_url).is_err() {
            return Err(format!(
                "TONGXING_BASE_URL is not a URL: {:?}",
                self.base_url
            ));
        }
        if !(1..=1024).contains(&self.upload_max_mb) {
            return Err("TONGXING_UPLOAD_MAX_MB must be between 1 and 1024".into());
        }
        if self.session_minutes < 1 {
            return Err("TONGXING_SESSION_MINUTES must be at least 1".into());
        }
        Ok(())
    }

    pub fn upload_dir(&self) -> PathBuf {
        self.upload_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("uploads"))
    }

    /// The largest uploaded file in bytes.
    pub fn upload_max_bytes(&self) -> u64 {
        self.upload_max_mb * 1024 * 1024
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// Cookies are marked `Secure` when the public address is `https://` (also behind a
    /// TLS-terminating proxy, where Rocket itself sees plain HTTP).
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// `scheme://host[:port]` of the public address, for Origin checks behind a proxy.
    pub fn public_origin(&self) -> Option<String> {
        let url = url::Url::parse(&self.base_url).ok()?;
        Some(url.origin().ascii_serialization())
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// Makes sure the figment carries a secret key: `ROCKET_SECRET_KEY` wins; otherwise a key
/// generated once and kept in `data/secret.key` (mode 0600).
pub fn ensure_secret_key(figment: Figment, data_dir: &std::path::Path) -> Result<Figment, String> {
    let configured = figment
        .extract::<rocket::Config>()
        .map(|c| !c.secret_key.is_zero())
        .unwrap_or(false);
    if configured {
        return Ok(figment);
    }
    let path = data_dir.join("secret.key");
    let key = match std::fs::read_to_string(&path) {
        Ok(key) if !key.trim().is_empty() => key.trim().to_string(),
        _ => {
            std::fs::create_dir_all(data_dir)
                .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
            let key = crate::domain::tokens::new_secret_key();
            write_private(&path, &key)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            key
        }
    };
    Ok(figment.merge(Serialized::default("secret_key", key)))
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// A URL without its password, for messages and logs: `postgres://tx:***@db/tongxing`.
/// A value that does not parse as a URL loses everything between `://` and the last `@`
/// of its authority, so a password never shows whatever the value looks like.
pub fn redact_url(raw: &str) -> String {
    if let Ok(mut u) = url::Url::parse(raw)
        && u.password().is_some()
    {
        let _ = u.set_password(Some("***"));
        return u.to_string();
    }
    match raw.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
                None => raw.to_string(),
            }
        }
        None => raw.to_string(),
    }
}

#[cfg(test)]
mod redact_tests {
    use super::redact_url;

    #[test]
    fn passwords_never_show() {
        for raw in [
            "postgres://tx:hunter2@db.example.cn/tongxing",
            "mysql://tx:hunter2@db/x",
            "smtp://user:hunter2@mail.example.cn:587",
            "http://a:hunter2@x",
            "postgres://tx:hun@ter2@db/x",
            "smtp://user:hunter2@",
        ] {
            let shown = redact_url(raw);
            assert!(
                !shown.contains("hunter2") && !shown.contains("ter2"),
                "{raw} -> {shown}"
            );
        }
        assert_eq!(redact_url("sqlite://data/t.db"), "sqlite://data/t.db");
    }
}
