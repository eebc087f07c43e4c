//! Test harness: the real application per test on its own database — a fresh SQLite file,
//! and, when `TONGXING_TEST_POSTGRES_URL` is set, a fresh PostgreSQL database too.
#![allow(dead_code)]

use std::future::Future;
use std::sync::Arc;

use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tongxing::domain::access::Actor;
use tongxing::domain::users;
use tongxing::entities;
use tongxing::mail::RecordingMailer;

pub const PASSWORD: &str = "correct-horse-battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub client: Client,
    /// The database URL of this test's own database.
    pub url: String,
    pub db: DatabaseConnection,
    pub mailer: RecordingMailer,
    pub backend: Backend,
    pub data_dir: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn random_name() -> String {
    use rand::Rng;
    let n: u64 = rand::rng().random();
    format!("{n:016x}")
}

/// A `Drop` impl makes closures capture a `TestApp` whole: without it, a test body that
/// uses only some fields (say `app.db`) would let the rest — the temporary directory with
/// the database file — be dropped before the body runs (precise closure capture).
impl Drop for TestApp {
    fn drop(&mut self) {}
}

/// Says that a part of the suite was skipped and why, once per reason, straight to the
/// terminal: the test harness would otherwise swallow it with the passing test's output.
pub fn skipped(why: &str) {
    use std::io::Write;
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    if !said.iter().any(|s| s == why) {
        said.push(why.to_string());
        let _ = writeln!(std::io::stderr(), "SKIPPED {why}");
    }
}

/// Runs `test` on SQLite and, when configured, on PostgreSQL. Without PostgreSQL settings
/// it says loudly that that half was skipped.
pub async fn each_db<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    test(spawn(Backend::Sqlite).await).await;
    if std::env::var("TONGXING_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        test(spawn(Backend::Postgres).await).await;
    } else {
        skipped("on PostgreSQL: TONGXING_TEST_POSTGRES_URL is not set");
    }
}

/// The databases a test that spawns its own apps runs on: SQLite and, when configured,
/// PostgreSQL (said loudly when not).
pub fn backends() -> Vec<Backend> {
    if std::env::var("TONGXING_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        vec![Backend::Sqlite, Backend::Postgres]
    } else {
        skipped("on PostgreSQL: TONGXING_TEST_POSTGRES_URL is not set");
        vec![Backend::Sqlite]
    }
}

pub async fn postgres_url() -> String {
    let base = std::env::var("TONGXING_TEST_POSTGRES_URL").expect("TONGXING_TEST_POSTGRES_URL");
    let admin = Database::connect(base.as_str())
        .await
        .expect("connect to PostgreSQL");
    let name = format!("tx_test_{}", random_name());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let mut url = url::Url::parse(&base).expect("PostgreSQL URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |f| f).await
}

/// Like `spawn`, with a chance to change the configuration.
pub async fn spawn_with(
    backend: Backend,
    configure: impl FnOnce(rocket::figment::Figment) -> rocket::figment::Figment,
) -> TestApp {
    install_log();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}/test.db?mode=rwc", dir.path().display()),
        Backend::Postgres => postgres_url().await,
    };
    let secret = tongxing::domain::tokens::new_secret_key();
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("secret_key", secret))
        .merge(("database_url", url.clone()))
        .merge(("data_dir", dir.path().to_path_buf()))
        .merge(("background_jobs", false))
        .merge(("base_url", "http://tongxing.test"))
        // Uploads are read by the built program in a child process, as in production.
        .merge(("import_reader", env!("CARGO_BIN_EXE_tongxing")));
    let figment = configure(figment);
    let mailer = RecordingMailer::default();
    let rocket = tongxing::build(figment, Some(Arc::new(mailer.clone())))
        .await
        .expect("build app");
    let client = Client::tracked(rocket).await.expect("rocket client");
    let db = tongxing::db::connect(&url)
        .await
        .expect("test db connection");
    TestApp {
        client,
        url: url.clone(),
        db,
        mailer,
        backend,
        data_dir: dir.path().to_path_buf(),
        _dir: dir,
    }
}

/// The value of `name="_csrf"` in a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    let end = html[start..].find('"').expect("end of CSRF value") + start;
    html[start..end].to_string()
}

/// Percent-encodes a query value.
pub fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

pub fn form_body(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// The services' context in tests: links point at the test address.
pub fn ctx() -> &'static tongxing::domain::context::Context {
    static CTX: std::sync::LazyLock<tongxing::domain::context::Context> =
        std::sync::LazyLock::new(|| {
            tongxing::domain::context::Context::new("http://tongxing.test")
        });
    &CTX
}

impl TestApp {
    /// This client's CSRF token (from a page that has a form).
    pub async fn csrf(&self) -> String {
        let html = self
            .client
            .get("/password-reset")
            .dispatch()
            .await
            .into_string()
            .await
            .unwrap_or_default();
        csrf_in(&html)
    }

    /// Posts a form with this client's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> LocalResponse<'_> {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(path.to_string())
            .header(ContentType::Form)
            .body(form_body(&all))
            .dispatch()
            .await
    }

    pub async fn get_html(&self, path: &str) -> (Status, String) {
        let res = self.client.get(path.to_string()).dispatch().await;
        let status = res.status();
        (status, res.into_string().await.unwrap_or_default())
    }

    pub async fn login(&self, email: &str, password: &str) -> Status {
        let res = self
            .post_form("/login", &[("email", email), ("password", password)])
            .await;
        res.status()
    }

    pub async fn logout(&self) {
        let res = self.post_form("/logout", &[]).await;
        assert_eq!(res.status(), Status::SeeOther);
    }

    /// Doubles a table's rows with copies of every row (new ids), `columns` all but `id`.
    pub async fn double_rows(&self, table: &str, columns: &str) {
        use sea_orm::ConnectionTrait;
        self.db
            .execute_unprepared(&format!(
                "INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}"
            ))
            .await
            .expect("copies of the rows");
    }

    /// Doubles the observations (see `double_rows`).
    pub async fn double_observations(&self) {
        self.double_rows("observations", "teacher_pairing_id, observer_id, observed_id, author_id, observed_on, grade_class, subject, topic, lesson_kind, mode, recording_url, rubric_id, scores, section_scores, total_score, band, strengths, suggestions, comment, version, created_at, updated_at").await;
    }

    /// How many SQL statements the app has run so far.
    /// The app's upload folder, as the file store sees it.
    /// The app's upload store (its folder and its size limit).
    pub fn store(&self) -> tongxing::domain::files::FileStore {
        self.client
            .rocket()
            .state::<tongxing::domain::files::FileStore>()
            .expect("the file store is managed")
            .clone()
    }

    pub fn queries(&self) -> u64 {
        self.client
            .rocket()
            .state::<tongxing::db::QueryCounter>()
            .expect("the app counts its queries")
            .get()
    }

    /// A page's status and the number of SQL statements it ran.
    pub async fn page_queries(&self, path: &str) -> (Status, u64) {
        let before = self.queries();
        let res = self.client.get(path.to_string()).dispatch().await;
        let status = res.status();
        let _ = res.into_string().await;
        (status, self.queries() - before)
    }

    /// Sends JSON to the API with a method, path and body; returns status and JSON.
    pub async fn api(
        &self,
        method: rocket::http::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (Status, serde_json::Value) {
        let mut req = self.client.req(method, path.to_string());
        if let Some(body) = body {
            req = req.header(ContentType::JSON).body(body.to_string());
        }
        let res = req.dispatch().await;
        let status = res.status();
        let text = res.into_string().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn api_with_token(
        &self,
        method: rocket::http::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (Status, serde_json::Value) {
        let mut req = self
            .client
            .req(method, path.to_string())
            .header(Header::new("Authorization", format!("Bearer {token}")));
        if let Some(body) = body {
            req = req.header(ContentType::JSON).body(body.to_string());
        }
        let res = req.dispatch().await;
        let status = res.status();
        let text = res.into_string().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// A bureau admin account, made directly through the service.
    pub async fn bureau(&self, email: &str) -> entities::users::Model {
        users::create_admin_cli(&self.db, email, "教育局管理员", PASSWORD)
            .await
            .expect("create bureau admin")
    }

    pub fn bureau_actor(&self, user: &entities::users::Model) -> Actor {
        users::actor_of(user)
    }

    /// A school made through the service (code must be unique).
    pub async fn school(
        &self,
        admin: &Actor,
        name: &str,
        code: &str,
        kind: &str,
    ) -> entities::schools::Model {
        let form = tongxing::domain::schools::SchoolForm {
            name: name.into(),
            code: code.into(),
            kind: kind.into(),
            stage: "junior".into(),
            district: "连州市".into(),
            township: "三水乡".into(),
            ..Default::default()
        };
        tongxing::domain::schools::create(&self.db, admin, &form)
            .await
            .expect("create school")
    }

    pub async fn teacher(
        &self,
        admin: &Actor,
        school_id: i64,
        name: &str,
        staff_no: &str,
    ) -> entities::teachers::Model {
        let form = tongxing::domain::teachers::TeacherForm {
            school_id: school_id.to_string(),
            name: name.into(),
            gender: "female".into(),
            staff_no: staff_no.into(),
            subjects: "数学".into(),
            grades: "七年级".into(),
            title: "first".into(),
            years_teaching: "5".into(),
            ..Default::default()
        };
        tongxing::domain::teachers::create(&self.db, admin, &form)
            .await
            .expect("create teacher")
    }

    /// An account of any role with the standard password.
    pub async fn user(
        &self,
        admin: &Actor,
        email: &str,
        role: &str,
        school_id: Option<i64>,
        teacher_id: Option<i64>,
    ) -> entities::users::Model {
        let form = users::UserForm {
            email: email.into(),
            name: email.split('@').next().unwrap_or("user").into(),
            role: role.into(),
            school_id: school_id.map(|i| i.to_string()).unwrap_or_default(),
            teacher_id: teacher_id.map(|i| i.to_string()).unwrap_or_default(),
            password: PASSWORD.into(),
        };
        users::create(&self.db, admin, &form, ctx())
            .await
            .expect("create user")
    }

    /// Runs the worker's quick round now (reset requests, then the outbox) and returns the
    /// mails sent so far.
    pub async fn deliver_mail(&self) -> Vec<tongxing::mail::OutgoingMail> {
        tongxing::jobs::work_once(&self.db, &self.mailer, ctx())
            .await
            .expect("deliver outbox");
        self.mailer.sent.lock().expect("mail lock").clone()
    }

    /// A timestamp as a SQL literal in the form this backend's rows hold it.
    pub fn time_literal(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        match self.backend {
            Backend::Sqlite => format!("'{}'", at.format("%Y-%m-%d %H:%M:%S%.f+00:00")),
            Backend::Postgres => format!("'{}'", at.to_rfc3339()),
        }
    }

    /// Lets every session run out of time now (as if idle past its expiry).
    pub async fn lapse_sessions(&self) {
        let now = self.time_literal(chrono::Utc::now());
        self.db
            .execute_unprepared(&format!("UPDATE sessions SET expires_at = {now}"))
            .await
            .expect("lapse sessions");
    }

    /// The one integer a query answers as `n` (`SELECT MAX(id) AS n FROM …`).
    /// The integer column `n` of every row.
    pub async fn scalar_list(&self, sql: &str) -> Vec<i64> {
        self.db
            .query_all_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                sql.to_string(),
            ))
            .await
            .expect("query")
            .iter()
            .map(|row| {
                row.try_get::<i64>("", "n")
                    .or_else(|_| row.try_get::<i32>("", "n").map(i64::from))
                    .expect("an integer")
            })
            .collect()
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                sql.to_string(),
            ))
            .await
            .expect("scalar query")
            .expect("a row");
        row.try_get::<i64>("", "n")
            .or_else(|_| row.try_get::<i32>("", "n").map(i64::from))
            .expect("an integer")
    }

    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("count value")
    }
}

/// Standard world: a bureau admin, two schools with an admin each, two teachers with accounts.
pub struct World {
    pub bureau: entities::users::Model,
    pub bureau_actor: Actor,
    pub urban: entities::schools::Model,
    pub rural: entities::schools::Model,
    pub urban_admin: entities::users::Model,
    pub rural_admin: entities::users::Model,
    pub mentor: entities::teachers::Model,
    pub mentee: entities::teachers::Model,
    pub mentor_user: entities::users::Model,
    pub mentee_user: entities::users::Model,
}

pub async fn world(app: &TestApp) -> World {
    let bureau = app.bureau("bureau@tongxing.test").await;
    let actor = users::actor_of(&bureau);
    let urban = app
        .school(&actor, "连州市实验学校", "4418820001", "urban")
        .await;
    let rural = app.school(&actor, "三元中学", "4418820002", "rural").await;
    let urban_admin = app
        .user(
            &actor,
            "urban@tongxing.test",
            "school_admin",
            Some(urban.id),
            None,
        )
        .await;
    let rural_admin = app
        .user(
            &actor,
            "rural@tongxing.test",
            "school_admin",
            Some(rural.id),
            None,
        )
        .await;
    let mentor = app.teacher(&actor, urban.id, "李明", "U001").await;
    let mentee = app.teacher(&actor, rural.id, "姚成琳", "R001").await;
    let mentor_user = app
        .user(
            &actor,
            "mentor@tongxing.test",
            "teacher",
            None,
            Some(mentor.id),
        )
        .await;
    let mentee_user = app
        .user(
            &actor,
            "mentee@tongxing.test",
            "teacher",
            None,
            Some(mentee.id),
        )
        .await;
    World {
        bureau,
        bureau_actor: actor,
        urban,
        rural,
        urban_admin,
        rural_admin,
        mentor,
        mentee,
        mentor_user,
        mentee_user,
    }
}

/// Everything this test binary logs (a global subscriber, set once: the requests may be
/// handled on any of the runtime's threads), for the test that no secret is logged.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() < 64 * 1024 * 1024 {
            log.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The global log of the test binary, installed by the first app a test starts: errors
/// (a request that failed with a 500 logs its cause) go to the test output, so a rare
/// failure can be read rather than guessed. The app's debug lines go to `Captured` only
/// once `captured_log` is called (the no-secrets test), to keep the rest of the run light.
fn install_log() -> &'static (Captured, CaptureSwitch) {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    static LOG: std::sync::OnceLock<(Captured, CaptureSwitch)> = std::sync::OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let (filter, switch) =
            tracing_subscriber::reload::Layer::new(tracing_subscriber::EnvFilter::new("off"));
        let subscriber = tracing_subscriber::registry()
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(log.clone())
                    .with_ansi(false)
                    .with_filter(filter),
            )
            .with(
                tracing_subscriber::fmt::layer()
                    .with_test_writer()
                    .with_ansi(false)
                    .with_filter(tracing_subscriber::filter::LevelFilter::ERROR),
            );
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        (log, switch)
    })
}

type CaptureSwitch =
    tracing_subscriber::reload::Handle<tracing_subscriber::EnvFilter, tracing_subscriber::Registry>;

/// Everything the app logs at debug from now on, for the test that no secret is logged.
pub fn captured_log() -> &'static Captured {
    let (log, switch) = install_log();
    switch
        .reload(tracing_subscriber::EnvFilter::new("tongxing=debug"))
        .expect("switch the capture on");
    log
}
