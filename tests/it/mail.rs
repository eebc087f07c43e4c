//! Mail delivery through the outbox against a real SMTP listener on 127.0.0.1, and two
//! workers sharing one database.
use std::io;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

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

/// The decoded `Subject:` of a raw message (RFC 2047 encoded words included).
fn subject(raw: &str) -> String {
    let mut lines = raw.lines();
    let mut value = String::new();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("Subject: ") {
            value.push_str(rest);
            for more in lines.by_ref() {
                if more.starts_with(' ') || more.starts_with('\t') {
                    value.push_str(more.trim());
                } else {
                    break;
                }
            }
            break;
        }
    }
    // Encoded words next to each other join without a space; plain words keep theirs.
    let mut out = String::new();
    let mut previous_encoded = false;
    for word in value.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            let b64 = &word[10..word.len() - 2];
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap_or_default();
            out.push_str(&String::from_utf8(bytes).unwrap_or_default());
            previous_encoded = true;
        } else {
            if !out.is_empty() || previous_encoded {
                out.push(' ');
            }
            out.push_str(word);
            previous_encoded = false;
        }
    }
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
        assert_eq!(app.count("outbox").await, 2);

        // Nothing listens on the port yet.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mailer = SmtpMailer::new(
            &format!("smtp://127.0.0.1:{port}"),
            "Tongxing <noreply@tongxing.test>",
        )
        .unwrap();
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
            tongxing::domain::notify::queue_mail(&app.db, &format!("user{i}@tongxing.test"), mail)
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
