//! Mail delivery through the outbox against a real SMTP listener on 127.0.0.1, and two
//! workers sharing one database.
use std::io;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use tongxing::domain::types::PairingStatus;

use base64::Engine;
use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use sea_orm::ConnectionTrait;
use tongxing::mail::{RecordingMailer, RenderedMail, SmtpMailer};

use crate::common::{PASSWORD, each_db};

/// Recipients and raw text of one received message.
type Received = (Vec<String>, String);

/// An SMTP server that keeps what it receives.
#[derive(Clone, Default)]
struct Sink {
    current: Arc<Mutex<(Vec<String>, Vec<u8>)>>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Handler for Sink {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        let mut current = self.current.lock().unwrap();
        *current = (to.to_vec(), Vec::new());
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.current.lock().unwrap().1.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let (to, data) = self.current.lock().unwrap().clone();
        self.received
            .lock()
            .unwrap()
            .push((to, String::from_utf8_lossy(&data).into_owned()));
        response::OK
    }
}

fn start_smtp(listener: TcpListener) -> Sink {
    let sink = Sink::default();
    let handler = sink.clone();
    std::thread::spawn(move || {
        let mut server = Server::new(handler);
        server.with_name("smtp.test").with_tcp_listener(listener);
        if server.with_ssl(SslConfig::None).is_ok() {
            // serve() runs until the test process ends; its result is not needed.
            let _ = server.serve();
        }
    });
    sink
}

/// An SMTP mailer for a local port nothing listens on (yet).
fn mailer_on_a_dead_port() -> (u16, SmtpMailer) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mailer = SmtpMailer::new(
        &format!("smtp://127.0.0.1:{port}"),
        "Tongxing <noreply@tongxing.test>",
    )
    .unwrap();
    (port, mailer)
}

/// The decoded `Subject:` of a raw message (RFC 2047 encoded words included).
fn subject(raw: &str) -> String {
    let mut lines = raw.lines();
    let mut value = String::new();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("Subject: ") {
            value.push_str(rest);
            for more in lines.by_ref() {
                if more.starts_with(' ') || more.starts_with('\t') {
                    value.push(' ');
                    value.push_str(more.trim());
                } else {
                    break;
                }
            }
            break;
        }
    }
    // Encoded words next to each other join without a space (and may split one character
    // between them, so their bytes are joined before decoding); plain words keep theirs.
    let mut out = String::new();
    let mut bytes: Vec<u8> = Vec::new();
    let mut previous_encoded = false;
    for word in value.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            if !previous_encoded && !out.is_empty() {
                out.push(' ');
            }
            let b64 = &word[10..word.len() - 2];
            bytes.extend(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap_or_default(),
            );
            previous_encoded = true;
        } else {
            out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut bytes)));
            if !out.is_empty() || previous_encoded {
                out.push(' ');
            }
            out.push_str(word);
            previous_encoded = false;
        }
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}

#[rocket::async_test]
async fn mail_waits_in_the_outbox_while_the_server_is_down_and_goes_out_once_it_is_back() {
    each_db(|app| async move {
        let w = crate::common::world(&app).await;
        // The mentee reads English.
        app.login("mentee@tongxing.test", PASSWORD).await;
        app.post_form("/lang", &[("lang", "en"), ("next", "/")])
            .await;
        app.logout().await;
        let _ = w;
        app.post_form("/password-reset", &[("email", "bureau@tongxing.test")])
            .await;
        app.post_form("/password-reset", &[("email", "mentee@tongxing.test")])
            .await;
        // The requests wait for the worker, which turns them into mails.
        assert_eq!(app.count("outbox").await, 0);
        assert_eq!(app.count("reset_requests").await, 2);
        tongxing::domain::users::process_reset_requests(&app.db, crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(app.count("outbox").await, 2);

        // Nothing listens on the port yet.
        let (port, mailer) = mailer_on_a_dead_port();
        assert_eq!(
            tongxing::jobs::deliver_due(&app.db, &mailer).await.unwrap(),
            0
        );
        assert_eq!(app.count("outbox").await, 2, "kept for later");
        let errors = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM outbox WHERE last_error IS NOT NULL AND sent_at IS NULL",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(
            errors, 1,
            "the first mail failed; the second was not tried against a dead server"
        );

        // The server is back; the backoff has passed.
        let sink = start_smtp(TcpListener::bind(("127.0.0.1", port)).unwrap());
        app.db
            .execute_unprepared("UPDATE outbox SET next_attempt_at = created_at")
            .await
            .unwrap();
        assert_eq!(
            tongxing::jobs::deliver_due(&app.db, &mailer).await.unwrap(),
            2
        );
        let received = sink.received.lock().unwrap().clone();
        assert_eq!(received.len(), 2);
        let to_bureau = received
            .iter()
            .find(|(to, _)| to.iter().any(|t| t.contains("bureau@tongxing.test")))
            .expect("bureau mail");
        assert_eq!(subject(&to_bureau.1), "【同行】重设密码");
        let to_mentee = received
            .iter()
            .find(|(to, _)| to.iter().any(|t| t.contains("mentee@tongxing.test")))
            .expect("mentee mail");
        assert_eq!(subject(&to_mentee.1), "[Tongxing] Reset your password");
        // Sent once: another round sends nothing.
        assert_eq!(
            tongxing::jobs::deliver_due(&app.db, &mailer).await.unwrap(),
            0
        );
        assert_eq!(sink.received.lock().unwrap().len(), 2);
    })
    .await;
}

#[rocket::async_test]
async fn two_workers_on_one_database_send_each_mail_once() {
    each_db(|app| async move {
        for i in 0..30 {
            let mail = RenderedMail {
                subject: format!("mail {i}"),
                text: "x".into(),
                html: "<p>x</p>".into(),
            };
            tongxing::domain::notifications::queue_mail(
                &app.db,
                &format!("user{i}@tongxing.test"),
                mail,
            )
            .await
            .unwrap();
        }
        let (db1, db2) = (
            tongxing::db::connect(&app.url).await.unwrap(),
            tongxing::db::connect(&app.url).await.unwrap(),
        );
        let (m1, m2) = (RecordingMailer::default(), RecordingMailer::default());
        let (a, b) = tokio::join!(
            tongxing::jobs::deliver_due(&db1, &m1),
            tongxing::jobs::deliver_due(&db2, &m2)
        );
        assert_eq!(a.unwrap() + b.unwrap(), 30);
        let mut all: Vec<String> = m1
            .sent
            .lock()
            .unwrap()
            .iter()
            .chain(m2.sent.lock().unwrap().iter())
            .map(|m| m.to.clone())
            .collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 30, "no mail twice");
    })
    .await;
}

/// A pairing published while the mail server is down: the pairing is kept (active, both
/// notices in the app), the mails wait in the outbox and go out, once each and in each
/// recipient's language, when the server is back.
#[rocket::async_test]
async fn a_published_pairing_is_mailed_once_the_smtp_server_is_back() {
    each_db(|app| async move {
        let w = crate::common::world(&app).await;
        let y = crate::teacher_pairings::year(&app, &w, "2026-2027", true).await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        app.post_form("/lang", &[("lang", "en"), ("next", "/")])
            .await;
        app.logout().await;
        let before = app.count("outbox").await;

        let (port, mailer) = mailer_on_a_dead_port();

        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, body) = app
            .api(
                rocket::http::Method::Post,
                "/api/v1/teacher-pairings",
                Some(serde_json::json!({"mentor_id": w.mentor.id, "mentee_id": w.mentee.id, "subject": "数学", "academic_year_id": y})),
            )
            .await;
        assert_eq!(s, rocket::http::Status::Created, "{body}");
        let id = body["id"].as_i64().unwrap();
        let (s, body) = app
            .api(
                rocket::http::Method::Post,
                &format!("/api/v1/teacher-pairings/{id}/publish"),
                None,
            )
            .await;
        assert_eq!(s, rocket::http::Status::Ok, "{body}");
        assert_eq!(app.count("outbox").await, before + 2);

        // The server is down: nothing sent, the change and the mails are kept.
        assert_eq!(
            tongxing::jobs::deliver_due(&app.db, &mailer).await.unwrap(),
            0
        );
        assert_eq!(crate::teacher_pairings::row(&app, id).await.status, PairingStatus::Active);
        assert_eq!(app.count("outbox WHERE sent_at IS NULL").await, before + 2);

        // Back up, and the backoff has passed.
        let sink = start_smtp(TcpListener::bind(("127.0.0.1", port)).unwrap());
        app.db
            .execute_unprepared("UPDATE outbox SET next_attempt_at = created_at")
            .await
            .unwrap();
        assert_eq!(
            tongxing::jobs::deliver_due(&app.db, &mailer).await.unwrap() as i64,
            2 + before
        );
        let received = sink.received.lock().unwrap().clone();
        let to = |addr: &str| {
            received
                .iter()
                .find(|(to, _)| to.iter().any(|t| t.contains(addr)))
                .unwrap_or_else(|| panic!("mail to {addr}"))
                .1
                .clone()
        };
        let raw = to("mentor@tongxing.test");
        assert_eq!(
            subject(&raw),
            "【同行】师徒结对已发布：李明 → 姚成琳",
            "{}",
            &raw[..raw.len().min(1500)]
        );
        assert_eq!(
            subject(&to("mentee@tongxing.test")),
            "[Tongxing] Teacher pairing published: 李明 → 姚成琳"
        );
        // Once each.
        assert_eq!(
            tongxing::jobs::deliver_due(&app.db, &mailer).await.unwrap(),
            0
        );
        assert_eq!(sink.received.lock().unwrap().len() as i64, 2 + before);
    })
    .await;
}

/// The worker waits longer after each failure and, after `MAX_ATTEMPTS`, marks the mail
/// failed; the bureau sees it on the failed-mails page.
#[rocket::async_test]
async fn the_worker_backs_off_and_gives_up_after_max_attempts() {
    each_db(|app| async move {
        let w = crate::common::world(&app).await;
        let _ = w;
        let mail = RenderedMail {
            subject: "结对通知".into(),
            text: "x".into(),
            html: "<p>x</p>".into(),
        };
        let id = tongxing::domain::notifications::queue_mail(&app.db, "nobody@tongxing.test", mail)
            .await
            .unwrap();
        let row = || async {
            use sea_orm::EntityTrait;
            tongxing::entities::outbox::Entity::find_by_id(id)
                .one(&app.db)
                .await
                .unwrap()
                .unwrap()
        };
        let failing = RecordingMailer::default();
        failing
            .fail
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let mut waits = Vec::new();
        for attempt in 1..=tongxing::jobs::MAX_ATTEMPTS {
            let started = chrono::Utc::now();
            assert_eq!(
                tongxing::jobs::deliver_due(&app.db, &failing)
                    .await
                    .unwrap(),
                0
            );
            let r = row().await;
            assert_eq!(r.attempts, attempt);
            assert!(r.last_error.is_some());
            if attempt < tongxing::jobs::MAX_ATTEMPTS {
                assert!(r.failed_at.is_none(), "attempt {attempt}");
                waits.push((r.next_attempt_at - started).num_seconds());
                // Not due yet: another round does not try it.
                tongxing::jobs::deliver_due(&app.db, &failing)
                    .await
                    .unwrap();
                assert_eq!(row().await.attempts, attempt, "waits for the backoff");
                app.db
                    .execute_unprepared("UPDATE outbox SET next_attempt_at = created_at")
                    .await
                    .unwrap();
            } else {
                assert!(r.failed_at.is_some(), "marked failed");
            }
        }
        // 30 s, then doubling: each wait longer than the one before.
        assert!((25..=35).contains(&waits[0]), "{waits:?}");
        assert!(waits.windows(2).all(|p| p[1] > p[0]), "{waits:?}");
        // A failed mail is not tried again, even when due.
        app.db
            .execute_unprepared("UPDATE outbox SET next_attempt_at = created_at")
            .await
            .unwrap();
        let ok = RecordingMailer::default();
        tongxing::jobs::deliver_due(&app.db, &ok).await.unwrap();
        assert!(ok.sent.lock().unwrap().is_empty());
        // The bureau sees it.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, html) = app.get_html("/mail-failures").await;
        assert_eq!(s, rocket::http::Status::Ok);
        assert!(html.contains("nobody@tongxing.test"), "{html}");
    })
    .await;
}
