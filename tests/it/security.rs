//! The security review's findings (issue 8), each as a regression test on SQLite and
//! PostgreSQL: crafted workbooks, kept form texts, secrets in logs, sign-in throttling,
//! server-side sessions, integrity holes, and the smaller items.
use std::io::{Cursor, Read, Write};

use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client;
use sea_orm::{ConnectionTrait, EntityTrait};
use tongxing::domain::{observations as obs, reflections as refl, secondments, users};

use crate::auth::{session_cookie, session_secret};
use crate::common::{self, Backend, PASSWORD, TestApp, each_db, world};
use crate::imports::upload;
use crate::observations::{began_days_ago, classroom, full_form};
use crate::teacher_pairings::setup;

// ---- 1. crafted workbooks ----

/// A real one-sheet workbook (with a shared-strings part), rebuilt with some parts
/// replaced or added.
fn workbook_with(replace: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "学校名称").unwrap();
    sheet.write_string(1, 0, "三元中学").unwrap();
    let original = book.save_to_buffer().unwrap();
    let mut source = zip::ZipArchive::new(Cursor::new(original)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..source.len() {
        let mut entry = source.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if let Some((_, new)) = replace.iter().find(|(n, _)| *n == name) {
            data = new.clone();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&data).unwrap();
    }
    for (name, data) in replace {
        if source.by_name(name).is_err() {
            out.start_file(name.to_string(), options).unwrap();
            out.write_all(data).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

async fn healthy(app: &TestApp) {
    let res = app.client.get("/healthz").dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    assert_eq!(res.into_string().await.unwrap(), "ok");
}

#[rocket::async_test]
async fn a_crafted_or_bombed_workbook_is_refused_and_the_server_keeps_answering() {
    each_db(|app| async move {
        let w = world(&app).await;
        let _ = w;
        app.login("bureau@tongxing.test", PASSWORD).await;
        // Declares 10^15 shared strings: the reader would reserve that many before reading
        // one, the allocation fails and the process aborts.
        let crafted = workbook_with(&[(
            "xl/sharedStrings.xml",
            br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1000000000000000" uniqueCount="1000000000000000"><si><t>x</t></si></sst>"#
                .to_vec(),
        )]);
        assert!(crafted.len() < 8 * 1024, "a small file: {}", crafted.len());
        // A zip bomb: 100 MiB of sheet that packs into a few hundred KiB.
        let mut sheet = br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#.to_vec();
        sheet.resize(100 * 1024 * 1024, b' ');
        sheet.extend_from_slice(b"</sheetData></worksheet>");
        let bomb = workbook_with(&[("xl/worksheets/sheet1.xml", sheet)]);
        assert!(bomb.len() < 1024 * 1024, "small: {}", bomb.len());
        // Under the total but packed far tighter than any spreadsheet: 8 MiB of one byte.
        let dense = workbook_with(&[("xl/media/padding.bin", vec![b'a'; 8 * 1024 * 1024])]);
        for (name, file) in [("crafted", crafted), ("bomb", bomb), ("dense", dense)] {
            let res = upload(&app, "schools", &format!("{name}.xlsx"), &file).await;
            assert_eq!(res.status(), Status::UnprocessableEntity, "{name}");
            let html = res.into_string().await.unwrap();
            assert!(html.contains("解压后过大"), "{name}: the message says why");
            healthy(&app).await;
        }
        assert_eq!(app.count("pending_imports").await, 0);
        assert_eq!(app.count("schools").await, 2, "the world's two, nothing added");
        // Control: the same workbook untouched is read as usual.
        let fine = workbook_with(&[]);
        let res = upload(&app, "schools", "fine.xlsx", &fine).await;
        let html = res.into_string().await.unwrap();
        assert!(!html.contains("解压后过大"), "{html}");
        healthy(&app).await;
    })
    .await;
}

/// Should a file still make the reader abort (the check above missed something), only the
/// reader's own process ends: here a reader that aborts on every file.
#[rocket::async_test]
async fn a_reader_that_aborts_takes_only_its_own_process_down() {
    use std::os::unix::fs::PermissionsExt;
    use tongxing::domain::table_reader::TableReader;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("aborting-reader");
    std::fs::write(&script, "#!/bin/sh\nkill -ABRT $$\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let reader = TableReader::Program(script);
    let answer = reader.read(b"a,b\n1,2\n".to_vec()).await.unwrap();
    assert_eq!(answer.unwrap_err().key, "import-err-unreadable");
    // A reader that cannot be started (the program replaced by an upgrade): the file is
    // read in this process, behind the same checks.
    let gone = TableReader::Program(dir.path().join("no-such-program"));
    let table = gone.read(b"a,b\n1,2\n".to_vec()).await.unwrap().unwrap();
    assert_eq!(table.rows.len(), 1);
    // The real reader, in its own process, reads the same file.
    let real = TableReader::Program(env!("CARGO_BIN_EXE_tongxing").into());
    let table = real.read(b"a,b\n1,2\n".to_vec()).await.unwrap().unwrap();
    assert_eq!(table.header, vec!["a", "b"]);
    assert_eq!(table.rows.len(), 1);
}

// ---- 2. kept form texts ----

async fn post_reflection(app: &TestApp, pairing: i64, body: &str) -> (Status, String) {
    let res = app
        .post_form(
            &format!("/teacher-pairings/{pairing}/reflections"),
            &[("title", "反思"), ("body", body)],
        )
        .await;
    let to = res
        .headers()
        .get_one("Location")
        .unwrap_or_default()
        .to_string();
    (res.status(), to)
}

#[rocket::async_test]
async fn kept_texts_are_only_for_an_active_writer_of_a_real_form_and_a_few_at_most() {
    each_db(|app| async move {
        let (w, y, pid) = setup(&app).await;
        let text = "今天的课我尝试了分层教学。".repeat(200);

        // Signed out on purpose: nothing is kept, whatever cookie is left.
        app.login("mentee@tongxing.test", PASSWORD).await;
        app.logout().await;
        for _ in 0..20 {
            let (s, to) = post_reflection(&app, pid, &text).await;
            assert_eq!(s, Status::SeeOther);
            assert!(!to.contains("kept=1"), "{to}");
        }
        assert_eq!(app.count("form_drafts").await, 0);

        // A lapsed session posting to pairings that do not exist or are not hers.
        let other = app
            .teacher(&w.bureau_actor, w.rural.id, "别的老师", "R900")
            .await;
        let mentor2 = app
            .teacher(&w.bureau_actor, w.urban.id, "别的师傅", "U900")
            .await;
        let theirs_id =
            crate::teacher_pairings::paired(&app, &w, mentor2.id, other.id, "数学", y).await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        app.lapse_sessions().await;
        for id in [999_999, theirs_id] {
            let (s, to) = post_reflection(&app, id, &text).await;
            assert_eq!(s, Status::SeeOther);
            assert!(!to.contains("kept=1"), "{id}: {to}");
            app.login("mentee@tongxing.test", PASSWORD).await;
            app.lapse_sessions().await;
        }
        assert_eq!(app.count("form_drafts").await, 0);

        // Her own form, a hundred times: one text kept (the newest).
        for i in 0..100 {
            let (_, to) = post_reflection(&app, pid, &format!("{i}:{text}")).await;
            assert!(to.contains("kept=1"), "{to}");
            app.login("mentee@tongxing.test", PASSWORD).await;
            app.lapse_sessions().await;
        }
        assert_eq!(app.count("form_drafts").await, 1);

        // At most a few per user across forms: she writes in five pairings.
        let mut pairings = vec![pid];
        for n in 0..4 {
            let m = app
                .teacher(
                    &w.bureau_actor,
                    w.urban.id,
                    &format!("师傅{n}"),
                    &format!("UX{n}"),
                )
                .await;
            let p_id = crate::teacher_pairings::paired(
                &app,
                &w,
                m.id,
                w.mentee.id,
                &format!("科目{n}"),
                y,
            )
            .await;
            pairings.push(p_id);
        }
        for p in &pairings {
            app.login("mentee@tongxing.test", PASSWORD).await;
            app.lapse_sessions().await;
            let (_, to) = post_reflection(&app, *p, &format!("in {p}")).await;
            assert!(to.contains("kept=1"), "{to}");
        }
        assert_eq!(
            app.count("form_drafts").await,
            tongxing::web::drafts::MAX_PER_USER as i64
        );
        // The newest were kept: the last pairing's text comes back.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let last = pairings[pairings.len() - 1];
        let (_, html) = app
            .get_html(&format!("/teacher-pairings/{last}/reflections/new"))
            .await;
        assert!(html.contains(&format!("in {last}")), "restored");

        // A deactivated account's lapsed session keeps nothing.
        app.db
            .execute_unprepared("DELETE FROM form_drafts")
            .await
            .unwrap();
        app.lapse_sessions().await;
        users::set_active(&app.db, &w.bureau_actor, w.mentee_user.id, false)
            .await
            .unwrap();
        let (_, to) = post_reflection(&app, pid, &text).await;
        assert!(!to.contains("kept=1"), "{to}");
        assert_eq!(app.count("form_drafts").await, 0);
        assert_eq!(app.count("reflections").await, 0);
    })
    .await;
}

// ---- 3. no secret in logs ----

#[rocket::async_test]
async fn the_log_has_no_reset_token_and_startup_errors_no_password() {
    let log = crate::common::captured_log();
    each_db(|app| async move {
        let w = world(&app).await;
        let _ = w;
        app.post_form("/password-reset", &[("email", "mentee@tongxing.test")])
            .await;
        let mails = app.deliver_mail().await;
        let link = mails
            .iter()
            .flat_map(|m| m.text.lines())
            .find(|l| l.contains("/password-reset/"))
            .expect("a link")
            .trim()
            .to_string();
        let path = link.trim_start_matches("http://tongxing.test").to_string();
        let token = path.trim_start_matches("/password-reset/").to_string();
        assert!(token.len() > 20);
        let (s, _) = app.get_html(&path).await;
        assert_eq!(s, Status::Ok);
        let (s, _) = app
            .get_html(&format!("/login?next={}", common::enc(&path)))
            .await;
        assert_eq!(s, Status::Ok);
        let res = app
            .post_form(
                &path,
                &[
                    ("password", "a-new-password-1"),
                    ("confirm", "a-new-password-1"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let text = String::from_utf8_lossy(&log.0.lock().unwrap()).to_string();
        assert!(
            text.contains("/password-reset/[redacted]"),
            "the requests are logged: {text}"
        );
        assert!(!text.contains(&token), "no token in the log: {text}");
    })
    .await;

    // Start-up errors name the variable but never the password.
    let dir = tempfile::tempdir().unwrap();
    let base = || {
        rocket::Config::figment()
            .merge(("log_level", "off"))
            .merge(("secret_key", tongxing::domain::tokens::new_secret_key()))
            .merge(("data_dir", dir.path().to_path_buf()))
            .merge(("background_jobs", false))
    };
    for (key, value) in [
        ("database_url", "mysql://tx:hunter2-secret@db/x"),
        (
            "database_url",
            "postgres://tx:hunter2-secret@127.0.0.1:1/tongxing",
        ),
        ("smtp_url", "http://mail:hunter2-secret@mail.example.cn"),
        ("smtp_url", "smtp://mail:hunter2-secret@bad host:99999"),
    ] {
        let mut figment = base().merge((key, value));
        if key == "smtp_url" {
            figment = figment.merge((
                "database_url",
                format!("sqlite://{}/t.db?mode=rwc", dir.path().display()),
            ));
        }
        let Err(err) = tongxing::build(figment, None).await else {
            panic!("{value} should stop the start");
        };
        assert!(!err.contains("hunter2"), "{value}: {err}");
    }
}

// ---- 4. sign-in throttling ----

/// Signs in on `client` (a browser) from network address `ip` with `user_agent`.
async fn sign_in_as(
    client: &Client,
    email: &str,
    password: &str,
    ip: &str,
    user_agent: &str,
) -> Status {
    let headers = || {
        [
            Header::new("X-Real-IP", ip.to_string()),
            Header::new("User-Agent", user_agent.to_string()),
        ]
    };
    let mut get = client.get("/password-reset");
    for h in headers() {
        get = get.header(h);
    }
    let html = get.dispatch().await.into_string().await.unwrap_or_default();
    let token = common::csrf_in(&html);
    let mut post = client
        .post("/login")
        .header(ContentType::Form)
        .body(common::form_body(&[
            ("_csrf", &token),
            ("email", email),
            ("password", password),
        ]));
    for h in headers() {
        post = post.header(h);
    }
    post.dispatch().await.status()
}

async fn sign_in_from(client: &Client, email: &str, password: &str, ip: &str) -> Status {
    sign_in_as(client, email, password, ip, "").await
}

/// Signs in on `client` (another browser) with a User-Agent; returns its session secret.
async fn browser_sign_in(client: &Client, email: &str, user_agent: &str) -> String {
    let status = sign_in_as(client, email, PASSWORD, "127.0.0.1", user_agent).await;
    assert_eq!(status, Status::SeeOther, "{email} signs in");
    client
        .cookies()
        .get_private("tx_session")
        .expect("signed in")
        .value()
        .to_string()
}

/// A second instance of the app on the same database (as behind a load balancer).
async fn second_instance(app: &TestApp) -> Client {
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("secret_key", tongxing::domain::tokens::new_secret_key()))
        .merge(("database_url", app.url.clone()))
        .merge(("data_dir", app.data_dir.clone()))
        .merge(("background_jobs", false))
        .merge(("base_url", "http://tongxing.test"));
    let rocket = tongxing::build(figment, None).await.unwrap();
    Client::tracked(rocket).await.unwrap()
}

#[rocket::async_test]
async fn sign_in_throttling_counts_failures_and_cannot_lock_the_real_user_out() {
    each_db(|app| async move {
        let w = world(&app).await;
        let c = &app.client;
        // Only failures count: the bureau signs in twenty times from one address.
        for _ in 0..20 {
            assert_eq!(
                sign_in_from(c, "bureau@tongxing.test", PASSWORD, "10.1.1.1").await,
                Status::SeeOther
            );
        }
        // A school's teachers all sign in through one address at a 教研 meeting.
        let mut emails = Vec::new();
        for n in 0..30 {
            let t = app
                .teacher(
                    &w.bureau_actor,
                    w.rural.id,
                    &format!("教师{n}"),
                    &format!("T{n}"),
                )
                .await;
            let email = format!("t{n}@tongxing.test");
            app.user(&w.bureau_actor, &email, "teacher", None, Some(t.id))
                .await;
            emails.push(email);
        }
        for (n, email) in emails.iter().enumerate() {
            if n % 3 == 0 {
                // Some mistype once first.
                assert_eq!(
                    sign_in_from(c, email, "typo-password", "10.2.2.2").await,
                    Status::UnprocessableEntity
                );
            }
            assert_eq!(
                sign_in_from(c, email, PASSWORD, "10.2.2.2").await,
                Status::SeeOther,
                "{email}"
            );
        }

        // An attack on the bureau admin from one address: that address is stopped …
        for _ in 0..5 {
            assert_eq!(
                sign_in_from(c, "bureau@tongxing.test", "guess-guess-1", "66.6.6.6").await,
                Status::UnprocessableEntity
            );
        }
        assert_eq!(
            sign_in_from(c, "bureau@tongxing.test", PASSWORD, "66.6.6.6").await,
            Status::TooManyRequests
        );
        // … from many addresses: each that failed now waits a growing delay …
        for n in 0..20 {
            let ip = format!("77.7.7.{n}");
            assert_eq!(
                sign_in_from(c, "bureau@tongxing.test", "guess-guess-2", &ip).await,
                Status::UnprocessableEntity,
                "{ip}: a first try is answered"
            );
        }
        assert_eq!(
            sign_in_from(c, "bureau@tongxing.test", "guess-guess-3", "77.7.7.0").await,
            Status::TooManyRequests
        );
        // … while the real admin, from her own office, signs in at once.
        assert_eq!(
            sign_in_from(c, "bureau@tongxing.test", PASSWORD, "10.9.9.9").await,
            Status::SeeOther
        );

        // The counts live in the database: a second instance sees the first one's.
        let other = second_instance(&app).await;
        for _ in 0..5 {
            assert_eq!(
                sign_in_from(c, "mentor@tongxing.test", "wrong-wrong-1", "10.3.3.3").await,
                Status::UnprocessableEntity
            );
        }
        assert_eq!(
            sign_in_from(&other, "mentor@tongxing.test", PASSWORD, "10.3.3.3").await,
            Status::TooManyRequests
        );

        // A huge typed address is cut before it becomes a key.
        let huge = format!("{}@tongxing.test", "x".repeat(20_000));
        assert_eq!(
            sign_in_from(c, &huge, "whatever-123", "10.4.4.4").await,
            Status::UnprocessableEntity
        );
        let longest = app
            .scalar("SELECT MAX(LENGTH(account_key)) AS n FROM throttle_events")
            .await;
        assert!(longest <= 254, "{longest}");
    })
    .await;
}

// ---- 5. sessions end when they should ----

/// The status of `path` asked with a copy of a session cookie (as another browser would).
async fn replay(app: &TestApp, path: &str, secret: &str) -> Status {
    app.client
        .get(path.to_string())
        .private_cookie(session_cookie(secret))
        .dispatch()
        .await
        .status()
}

#[rocket::async_test]
async fn logout_ends_the_session_on_the_server_for_every_copy_of_the_cookie() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let secret = session_secret(&app);
        app.logout().await;
        for path in ["/schools", "/api/v1/session"] {
            let res = app
                .client
                .get(path)
                .private_cookie(session_cookie(&secret))
                .dispatch()
                .await;
            assert!(
                matches!(res.status(), Status::SeeOther | Status::Unauthorized),
                "{path}: {}",
                res.status()
            );
        }
        assert_eq!(app.count("sessions WHERE ended_at IS NULL").await, 0);
        // The API's sign-out likewise.
        let (s, _) = app
            .api(
                rocket::http::Method::Post,
                "/api/v1/session",
                Some(serde_json::json!({"email": "boss@bureau.cn", "password": PASSWORD})),
            )
            .await;
        assert_eq!(s, Status::Ok);
        let secret = session_secret(&app);
        let (s, _) = app
            .api(rocket::http::Method::Delete, "/api/v1/session", None)
            .await;
        assert_eq!(s, Status::Ok);
        assert_eq!(
            replay(&app, "/api/v1/session", &secret).await,
            Status::Unauthorized
        );
    })
    .await;
}

#[rocket::async_test]
async fn a_password_change_ends_other_sessions_and_tokens_and_the_bureau_ends_reset_links() {
    each_db(|app| async move {
        let w = world(&app).await;
        // The mentor on a phone (another browser) and at a desk (this client).
        let phone_browser = second_instance(&app).await;
        let phone = browser_sign_in(&phone_browser, "mentor@tongxing.test", "Android").await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        let res = app.post_form("/profile/tokens", &[("name", "脚本")]).await;
        let html = res.into_string().await.unwrap();
        let token = regex::Regex::new(r"tx_[A-Za-z0-9_-]{20,}")
            .unwrap()
            .find(&html)
            .expect("token shown")
            .as_str()
            .to_string();
        let desk = session_secret(&app);
        assert_ne!(phone, desk);
        let res = app
            .post_form(
                "/profile/password",
                &[
                    ("current", PASSWORD),
                    ("password", "a-brand-new-pass-1"),
                    ("confirm", "a-brand-new-pass-1"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (s, _) = app.get_html("/profile").await;
        assert_eq!(s, Status::Ok, "this session goes on");
        assert_eq!(
            replay(&app, "/profile", &phone).await,
            Status::SeeOther,
            "the phone's session ended"
        );
        let (s, _) = app
            .api_with_token(rocket::http::Method::Get, "/api/v1/session", &token, None)
            .await;
        assert_eq!(s, Status::Unauthorized, "the token ended");
        app.logout().await;

        // A reset link is open when the bureau sets the password: the link ends.
        app.post_form("/password-reset", &[("email", "mentee@tongxing.test")])
            .await;
        let mails = app.deliver_mail().await;
        let link = mails
            .iter()
            .filter(|m| m.to == "mentee@tongxing.test")
            .flat_map(|m| m.text.lines())
            .find(|l| l.contains("/password-reset/"))
            .expect("link")
            .trim()
            .trim_start_matches("http://tongxing.test")
            .to_string();
        let (s, _) = app.get_html(&link).await;
        assert_eq!(s, Status::Ok);
        let form = users::UserForm {
            email: "mentee@tongxing.test".into(),
            name: "姚成琳".into(),
            role: "teacher".into(),
            school_id: String::new(),
            teacher_id: w.mentee.id.to_string(),
            password: "set-by-the-bureau-1".into(),
        };
        users::update(&app.db, &w.bureau_actor, w.mentee_user.id, &form)
            .await
            .unwrap();
        let (s, _) = app.get_html(&link).await;
        assert_eq!(s, Status::BadRequest, "the open link ended");
        assert_eq!(
            app.login("mentee@tongxing.test", "set-by-the-bureau-1")
                .await,
            Status::SeeOther
        );
    })
    .await;
}

#[rocket::async_test]
async fn the_profile_lists_sessions_and_signs_out_one_or_everywhere() {
    each_db(|app| async move {
        let w = world(&app).await;
        // Someone else's session (her own browser), to be left alone.
        let her_browser = second_instance(&app).await;
        let hers = browser_sign_in(&her_browser, "mentee@tongxing.test", "Firefox/120").await;
        let her_id = app
            .scalar(&format!(
                "SELECT MAX(id) AS n FROM sessions WHERE user_id = {}",
                w.mentee_user.id
            ))
            .await;
        // The mentor signs in on a phone, then at his desk; signing in twice on the desk
        // leaves one session there, not two.
        let phone_ua =
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36";
        let phone_browser = second_instance(&app).await;
        let phone = browser_sign_in(&phone_browser, "mentor@tongxing.test", phone_ua).await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (s, html) = app.get_html("/profile").await;
        assert_eq!(s, Status::Ok);
        assert_eq!(html.matches("class=\"session-row\"").count(), 2, "{html}");
        assert!(html.contains("Chrome · Android") && html.contains("本设备"));
        // Another user's session id: not found, and it goes on.
        let res = app
            .post_form(&format!("/profile/sessions/{her_id}/end"), &[])
            .await;
        assert_eq!(res.status(), Status::NotFound);
        assert_eq!(
            replay(&app, "/profile", &hers).await,
            Status::Ok,
            "hers is untouched"
        );
        // The phone is signed out from the desk.
        let phone_id = app
            .scalar(&format!(
                "SELECT MIN(id) AS n FROM sessions WHERE user_id = {} AND ended_at IS NULL",
                w.mentor_user.id
            ))
            .await;
        let res = app
            .post_form(&format!("/profile/sessions/{phone_id}/end"), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(replay(&app, "/profile", &phone).await, Status::SeeOther);
        let (s, html) = app.get_html("/profile").await;
        assert_eq!(s, Status::Ok);
        assert_eq!(html.matches("class=\"session-row\"").count(), 1);
        // Sign out everywhere: this session too.
        let desk = session_secret(&app);
        let res = app.post_form("/profile/sessions/end-all", &[]).await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(res.headers().get_one("Location"), Some("/login"));
        assert_eq!(replay(&app, "/profile", &desk).await, Status::SeeOther);
        assert_eq!(
            app.count(&format!(
                "sessions WHERE user_id = {} AND ended_at IS NULL",
                w.mentor_user.id
            ))
            .await,
            0
        );
        assert_eq!(
            app.count(&format!(
                "sessions WHERE user_id = {} AND ended_at IS NULL",
                w.mentee_user.id
            ))
            .await,
            1
        );
    })
    .await;
}

// ---- 6. integrity holes ----

async fn end_pairing(app: &TestApp, w: &common::World, pid: i64) {
    tongxing::domain::teacher_pairings::terminate(
        &app.db,
        &w.bureau_actor,
        pid,
        "调动",
        crate::common::ctx(),
    )
    .await
    .unwrap();
}

#[rocket::async_test]
async fn an_ended_pairing_takes_no_edit_link_change_or_comment() {
    each_db(|app| async move {
        let (w, _y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        let r = classroom(&app).await;
        let mentor = users::actor_of(&w.mentor_user);
        let mentee = users::actor_of(&w.mentee_user);
        let fields = full_form(
            &r,
            &(tongxing::domain::types::today() - chrono::Duration::days(2)).to_string(),
            5.0,
        );
        let form: obs::ObservationForm = obs::ObservationForm::from_pairs(&fields);
        let o = obs::create(&app.db, &mentor, pid, &form, crate::common::ctx())
            .await
            .unwrap();
        let o2 = obs::create(&app.db, &mentor, pid, &form, crate::common::ctx())
            .await
            .unwrap();
        let rf = refl::ReflectionForm {
            observation_id: o.id.to_string(),
            title: "课后反思".into(),
            body: "第一段。\n\n第二段。".into(),
            ..Default::default()
        };
        let reflection = refl::create(&app.db, &mentee, pid, &rf, crate::common::ctx())
            .await
            .unwrap();
        // While active: the link to the observation cannot be moved, since it is what
        // locks the mentor's observation; an empty choice keeps it.
        let edit = refl::ReflectionForm {
            observation_id: o2.id.to_string(),
            version: refl::version_of(&reflection),
            ..rf.clone()
        };
        let err = refl::update(&app.db, &mentee, reflection.id, &edit)
            .await
            .unwrap_err();
        assert!(
            err.field_errors()
                .is_some_and(|e| e.get("observation_id").is_some()),
            "{err:?}"
        );
        let edit = refl::ReflectionForm {
            observation_id: String::new(),
            version: refl::version_of(&reflection),
            ..rf.clone()
        };
        let reflection = refl::update(&app.db, &mentee, reflection.id, &edit)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(reflection.observation_id, Some(o.id), "the link stays");
        let err = obs::update(
            &app.db,
            &mentor,
            o.id,
            &obs::ObservationForm {
                version: "1".into(),
                ..form.clone()
            },
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, tongxing::error::AppError::Conflict { .. }),
            "still locked: {err:?}"
        );
        let comments_before = app.count("comments").await;
        let plan_comments_before = app.count("plan_comments").await;
        end_pairing(&app, &w, pid).await;

        // Ended: no edit of the reflection (even keeping the link), no comments anywhere —
        // and the pages no longer offer them.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (s, html) = app
            .get_html(&format!("/reflections/{}", reflection.id))
            .await;
        assert_eq!(s, Status::Ok);
        assert!(
            !html.contains("/comments\"") && !html.contains("/edit\""),
            "{html}"
        );
        let (s, html) = app.get_html(&format!("/observations/{}", o.id)).await;
        assert_eq!(s, Status::Ok);
        assert!(!html.contains(&format!("/observations/{}/comments", o.id)));
        let (s, html) = app.get_html(&format!("/teacher-pairings/{pid}")).await;
        assert_eq!(s, Status::Ok);
        assert!(!html.contains(&format!("/teacher-pairings/{pid}/comments")));
        let (s, _) = app
            .get_html(&format!("/reflections/{}/edit", reflection.id))
            .await;
        assert_eq!(s, Status::Conflict);
        let res = app
            .post_form(
                &format!("/reflections/{}", reflection.id),
                &[
                    ("observation_id", &o.id.to_string()),
                    ("title", "改了"),
                    ("body", "改了"),
                    ("version", &refl::version_of(&reflection)),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::Conflict);
        for path in [
            format!("/reflections/{}/comments", reflection.id),
            format!("/observations/{}/comments", o.id),
            format!("/teacher-pairings/{pid}/comments"),
        ] {
            let res = app.post_form(&path, &[("body", "还有一句")]).await;
            assert!(
                matches!(res.status(), Status::Conflict | Status::SeeOther),
                "{path}: {}",
                res.status()
            );
        }
        for (who, actor) in [("mentor", &mentor), ("mentee", &mentee)] {
            let err = obs::add_comment(&app.db, actor, o.id, "晚到的评论", crate::common::ctx())
                .await
                .unwrap_err();
            assert!(
                matches!(err, tongxing::error::AppError::Conflict { .. }),
                "{who}: {err:?}"
            );
            let err = refl::add_comment(
                &app.db,
                actor,
                reflection.id,
                "晚到的评论",
                crate::common::ctx(),
            )
            .await
            .unwrap_err();
            assert!(
                matches!(err, tongxing::error::AppError::Conflict { .. }),
                "{who}: {err:?}"
            );
            let err = tongxing::domain::work_plans::add_comment(&app.db, actor, pid, "晚到")
                .await
                .unwrap_err();
            assert!(
                matches!(err, tongxing::error::AppError::Conflict { .. }),
                "{who}: {err:?}"
            );
        }
        let err = tongxing::domain::work_plans::add_comment(&app.db, &w.bureau_actor, pid, "晚到")
            .await
            .unwrap_err();
        assert!(
            matches!(err, tongxing::error::AppError::Conflict { .. }),
            "{err:?}"
        );
        assert_eq!(app.count("comments").await, comments_before);
        assert_eq!(app.count("plan_comments").await, plan_comments_before);
        let now = tongxing::entities::reflections::Entity::find_by_id(reflection.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now, reflection, "unchanged");
    })
    .await;
}

#[rocket::async_test]
async fn concurrent_changes_cannot_both_land() {
    each_db(|app| async move {
        let (w, y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        let r = classroom(&app).await;
        let mentor = users::actor_of(&w.mentor_user);
        let (db1, db2) = (
            tongxing::db::connect(&app.url).await.unwrap(),
            tongxing::db::connect(&app.url).await.unwrap(),
        );
        // The bureau's termination is under way (its transaction holds the pairing's row)
        // when the mentor saves an observation: the save waits for it, then sees the
        // pairing ended and is refused. Without the row lock the observation would land in
        // an ended pairing.
        let fields = full_form(
            &r,
            &(tongxing::domain::types::today() - chrono::Duration::days(1)).to_string(),
            0.0,
        );
        let form = obs::ObservationForm::from_pairs(&fields);
        let terminating = tongxing::db::begin_write(&db2).await.unwrap();
        if app.backend == Backend::Postgres {
            terminating
                .execute_unprepared(&format!(
                    "SELECT id FROM teacher_pairings WHERE id = {pid} FOR UPDATE"
                ))
                .await
                .unwrap();
        }
        let (made, ()) = tokio::join!(
            obs::create(&db1, &mentor, pid, &form, crate::common::ctx()),
            async {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                terminating
                    .execute_unprepared(&format!(
                        "UPDATE teacher_pairings SET status = 'terminated' WHERE id = {pid}"
                    ))
                    .await
                    .unwrap();
                terminating.commit().await.unwrap();
            }
        );
        let err = made.expect_err("refused once the pairing ended");
        assert!(
            matches!(err, tongxing::error::AppError::Conflict { .. }),
            "{err:?}"
        );
        assert_eq!(app.count("observations").await, 0);

        // Two overlapping secondments of one teacher saved at once.
        let s = |from: &str, to: &str| secondments::SecondmentForm {
            teacher_id: w.mentor.id.to_string(),
            from_school_id: w.urban.id.to_string(),
            to_school_id: w.rural.id.to_string(),
            academic_year_id: y.to_string(),
            term: "first".into(),
            batch: "1".into(),
            starts_on: from.into(),
            ends_on: to.into(),
            note: String::new(),
        };
        let (a, b) = (s("2026-09-01", "2026-12-31"), s("2026-10-01", "2027-01-20"));
        let (r1, r2) = tokio::join!(
            secondments::create(&db1, &w.bureau_actor, &a),
            secondments::create(&db2, &w.bureau_actor, &b)
        );
        assert_eq!(
            [r1.is_ok(), r2.is_ok()].iter().filter(|ok| **ok).count(),
            1,
            "{r1:?} {r2:?}"
        );
        assert_eq!(app.count("secondments").await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn two_first_run_setups_at_once_make_one_admin() {
    each_db(|app| async move {
        let (db1, db2) = (
            tongxing::db::connect(&app.url).await.unwrap(),
            tongxing::db::connect(&app.url).await.unwrap(),
        );
        // A first setup is half-way (its transaction has the setup lock) when a second one
        // is submitted: the second waits, then finds the first's admin and is refused.
        let first = tongxing::db::begin_write(&db2).await.unwrap();
        tongxing::db::lock_key(&first, tongxing::db::LOCK_FIRST_ADMIN)
            .await
            .unwrap();
        let (second, ()) = tokio::join!(
            users::create_first_admin(&db1, "two@bureau.cn", "乙", PASSWORD),
            async {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                first
                    .execute_unprepared(
                        "INSERT INTO users (email, name, role, password_hash, is_active, created_at, updated_at) \
                         VALUES ('one@bureau.cn', '甲', 'bureau_admin', 'x', TRUE, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                    )
                    .await
                    .unwrap();
                first.commit().await.unwrap();
            }
        );
        assert!(
            matches!(second, Err(tongxing::error::AppError::Forbidden)),
            "{second:?}"
        );
        assert_eq!(app.count("users").await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn idempotency_keys_belong_to_their_user() {
    each_db(|app| async move {
        let (w, y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        // A second pair with its own mentor.
        let m2 = app
            .teacher(&w.bureau_actor, w.urban.id, "王老师", "U777")
            .await;
        let e2 = app
            .teacher(&w.bureau_actor, w.rural.id, "陈老师", "R777")
            .await;
        let m2_user = app
            .user(
                &w.bureau_actor,
                "m2@tongxing.test",
                "teacher",
                None,
                Some(m2.id),
            )
            .await;
        let p2_id = crate::teacher_pairings::paired(&app, &w, m2.id, e2.id, "数学", y).await;
        began_days_ago(&app, p2_id, 30).await;
        let r = classroom(&app).await;
        let mut fields = full_form(
            &r,
            &(tongxing::domain::types::today() - chrono::Duration::days(1)).to_string(),
            0.0,
        );
        fields.push(("idempotency_key".into(), "same-key-1".into()));
        let form = obs::ObservationForm::from_pairs(&fields);
        let first = obs::create(
            &app.db,
            &users::actor_of(&w.mentor_user),
            pid,
            &form,
            crate::common::ctx(),
        )
        .await
        .unwrap();
        // Another mentor who happens to send the same key records his own observation.
        let second = obs::create(
            &app.db,
            &users::actor_of(&m2_user),
            p2_id,
            &form,
            crate::common::ctx(),
        )
        .await
        .unwrap();
        assert_ne!(first.id, second.id);
        assert_eq!(second.teacher_pairing_id, p2_id);
        // Each one's repeat answers their own.
        let again = obs::create(
            &app.db,
            &users::actor_of(&m2_user),
            p2_id,
            &form,
            crate::common::ctx(),
        )
        .await
        .unwrap();
        assert_eq!(again.id, second.id);
        assert_eq!(app.count("observations").await, 2);
    })
    .await;
}

// ---- 7. smaller ----

#[rocket::async_test]
async fn a_reset_request_does_the_same_work_for_known_and_unknown_addresses() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        for email in ["boss@bureau.cn", "nobody@bureau.cn"] {
            let res = app.post_form("/password-reset", &[("email", email)]).await;
            assert_eq!(res.status(), Status::Ok);
        }
        // The request only queued both; the worker looks them up.
        assert_eq!(app.count("reset_requests").await, 2);
        assert_eq!(app.count("password_resets").await, 0);
        assert_eq!(app.count("outbox").await, 0);
        let mails = app.deliver_mail().await;
        assert_eq!(mails.len(), 1);
        assert_eq!(app.count("reset_requests").await, 0);
        assert_eq!(app.count("password_resets").await, 1);
        // A flood for one address is cut off after a few.
        for _ in 0..10 {
            app.post_form("/password-reset", &[("email", "boss@bureau.cn")])
                .await;
        }
        assert!(app.count("reset_requests").await <= 3);
    })
    .await;
}

#[rocket::async_test]
async fn a_failed_reset_mail_keeps_no_link_and_is_not_sent_again() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.bureau("other@bureau.cn").await;
        app.post_form("/password-reset", &[("email", "boss@bureau.cn")])
            .await;
        tongxing::domain::users::process_reset_requests(&app.db, crate::common::ctx())
            .await
            .unwrap();
        let failing = tongxing::mail::RecordingMailer::default();
        failing
            .fail
            .store(true, std::sync::atomic::Ordering::SeqCst);
        for _ in 0..tongxing::jobs::MAX_ATTEMPTS {
            tongxing::jobs::deliver_due(&app.db, &failing)
                .await
                .unwrap();
            app.db
                .execute_unprepared("UPDATE outbox SET next_attempt_at = created_at")
                .await
                .unwrap();
        }
        let row = tongxing::entities::outbox::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(row.failed_at.is_some() && row.secret);
        assert!(
            row.body_text.is_empty() && row.body_html.is_empty(),
            "no link kept"
        );
        app.login("other@bureau.cn", PASSWORD).await;
        let (s, html) = app.get_html("/mail-failures").await;
        assert_eq!(s, Status::Ok);
        assert!(
            html.contains("已删除") && !html.contains("/retry"),
            "{html}"
        );
        let res = app
            .post_form(&format!("/mail-failures/{}/retry", row.id), &[])
            .await;
        assert!(
            matches!(res.status(), Status::Conflict | Status::SeeOther),
            "{}",
            res.status()
        );
        let after = tongxing::entities::outbox::Entity::find_by_id(row.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after, row, "not queued again");
    })
    .await;
}

#[rocket::async_test]
async fn strict_transport_security_only_behind_https() {
    let app = common::spawn_with(Backend::Sqlite, |f| {
        f.merge(("base_url", "https://tongxing.example.cn"))
    })
    .await;
    let res = app.client.get("/login").dispatch().await;
    let hsts = res
        .headers()
        .get_one("Strict-Transport-Security")
        .map(String::from);
    assert!(hsts.is_some_and(|h| h.contains("max-age=")));
    let plain = common::spawn(Backend::Sqlite).await;
    let res = plain.client.get("/login").dispatch().await;
    assert!(res.headers().get_one("Strict-Transport-Security").is_none());
}

#[rocket::async_test]
async fn the_demo_counts_real_accounts_before_loading() {
    each_db(|app| async move {
        assert_eq!(tongxing::demo::real_accounts(&app.db).await.unwrap(), 0);
        tongxing::demo::load(&app.db).await.unwrap();
        assert_eq!(
            tongxing::demo::real_accounts(&app.db).await.unwrap(),
            0,
            "demo accounts are not real ones"
        );
        app.bureau("boss@bureau.cn").await;
        assert_eq!(tongxing::demo::real_accounts(&app.db).await.unwrap(), 1);
    })
    .await;
}
