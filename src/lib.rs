//! Tongxing (同行): urban–rural school and teacher pairing for education bureaus.
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod entities;
pub mod error;
pub mod generate;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod web;

use std::sync::Arc;

use rocket::figment::Figment;
use rocket::{Build, Rocket};

use crate::config::AppConfig;
use crate::mail::Mailer;

/// The mailer the app uses, as managed state.
#[derive(Clone)]
pub struct MailerHandle(pub Arc<dyn Mailer>);

/// Picks the mailer from the configuration: SMTP when a URL is set, else `.eml` files.
pub fn mailer_from_config(config: &AppConfig) -> Result<Arc<dyn Mailer>, String> {
    Ok(match &config.smtp_url {
        Some(url) => Arc::new(mail::SmtpMailer::new(url, &config.mail_from)?),
        None => Arc::new(mail::FileMailer::new(config.mail_dir(), &config.mail_from)?),
    })
}

/// Connects, migrates and assembles the application. A failed migration stops here.
pub async fn build(
    figment: Figment,
    mailer: Option<Arc<dyn Mailer>>,
) -> Result<Rocket<Build>, String> {
    let config = AppConfig::from_figment(&figment)?;
    let figment = config::ensure_secret_key(figment, &config.data_dir)?;
    let figment = web::pages::imports::upload_limits(figment, config.upload_max_bytes());
    let (db, queries) = db::connect_counted(
        &config.database_url,
        config.slow_query_ms.map(std::time::Duration::from_millis),
    )
    .await
    .map_err(|e| {
        format!(
            "cannot open the database {}: {e}",
            config::redact_url(&config.database_url)
        )
    })?;
    db::migrate(&db)
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    let mailer = match mailer {
        Some(m) => m,
        None => mailer_from_config(&config)?,
    };
    let mut rocket = rocket::custom(figment)
        .manage(db)
        .manage(queries)
        .manage(web::pages::home::board_memo())
        .manage(domain::throttle::SignInThrottle::new(config.login_burst))
        .manage(domain::table_reader::TableReader::from_config(
            config.import_reader.clone(),
        ))
        .manage(MailerHandle(mailer))
        .manage(domain::files::FileStore::new(
            config.upload_dir(),
            config.upload_max_bytes(),
        ))
        .attach(web::respond::SecurityHeaders)
        .attach(web::respond::RequestLog)
        .register("/", web::respond::catchers())
        .mount("/", web::pages::routes())
        .mount("/api/v1", web::api::routes());
    if config.background_jobs {
        rocket = rocket.attach(jobs::Worker);
    }
    Ok(rocket.manage(config))
}
