//! A real browser: headless Chromium through WebDriver (chromedriver) against the app
//! served on a local port. Skipped, loudly, where chromedriver is missing — unless
//! `TONGXING_TEST_REQUIRE_ALL` is set (CI), where a missing browser fails the test.
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use thirtyfour::prelude::*;

use crate::common::{Backend, PASSWORD};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn chromedriver_path() -> Option<String> {
    let path = std::env::var("TONGXING_TEST_CHROMEDRIVER")
        .unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    std::path::Path::new(&path).exists().then_some(path)
}

fn skip_or_fail(why: &str) {
    if std::env::var("TONGXING_TEST_REQUIRE_ALL").is_ok_and(|v| !v.is_empty()) {
        panic!("browser test required but {why}");
    }
    crate::common::skipped(&format!(
        "browser test: {why} (install chromium and chromium-driver)"
    ));
}

pub struct Browser {
    pub driver: WebDriver,
    chromedriver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Option<Browser> {
        let Some(path) = chromedriver_path() else {
            skip_or_fail("chromedriver was not found");
            return None;
        };
        let port = free_port();
        let chromedriver = Command::new(path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = DesiredCapabilities::chrome();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--lang=zh-CN",
            "--window-size=1280,900",
        ] {
            caps.add_arg(arg).expect("chrome arg");
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
            .expect("profile arg");
        // Chinese first, as the bureau's browsers are set up.
        caps.add_experimental_option(
            "prefs",
            serde_json::json!({"intl.accept_languages": "zh-CN,zh"}),
        )
        .expect("language preference");
        if std::path::Path::new("/usr/bin/chromium").exists() {
            caps.set_binary("/usr/bin/chromium")
                .expect("chromium binary");
        }
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..50 {
            match WebDriver::new(&url, caps.clone()).await {
                Ok(driver) => {
                    return Some(Browser {
                        driver,
                        chromedriver,
                        _profile: profile,
                    });
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        panic!("chromedriver did not start a session: {last:?}");
    }

    pub async fn stop(mut self) {
        let _ = self.driver.quit().await;
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
    }
}

/// The app served on a real local port, on its own database.
pub struct Served {
    pub base: String,
    pub db: sea_orm::DatabaseConnection,
    shutdown: rocket::Shutdown,
    _dir: tempfile::TempDir,
}

pub async fn serve(backend: Backend) -> Served {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}/test.db?mode=rwc", dir.path().display()),
        Backend::Postgres => crate::common::postgres_url().await,
    };
    let port = free_port();
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("address", "127.0.0.1"))
        .merge(("port", port))
        .merge((
            "shutdown",
            rocket::config::Shutdown {
                ctrlc: false,
                ..Default::default()
            },
        ))
        .merge(("secret_key", tongxing::domain::tokens::new_secret_key()))
        .merge(("database_url", url.clone()))
        .merge(("data_dir", dir.path().to_path_buf()))
        .merge(("background_jobs", false));
    let mailer = tongxing::mail::RecordingMailer::default();
    let rocket = tongxing::build(figment, Some(Arc::new(mailer)))
        .await
        .expect("build")
        .ignite()
        .await
        .expect("ignite");
    let shutdown = rocket.shutdown();
    tokio::spawn(rocket.launch());
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let db = tongxing::db::connect(&url).await.expect("db");
    Served {
        base,
        db,
        shutdown,
        _dir: dir,
    }
}

impl Served {
    /// The app's upload folder (under its data folder).
    pub fn store(&self) -> tongxing::domain::files::FileStore {
        tongxing::domain::files::FileStore::new(self._dir.path().join("uploads"), 20 << 20)
    }

    pub fn stop(self) {
        self.shutdown.notify();
    }
}

async fn fill(driver: &WebDriver, name: &str, value: &str) -> WebDriverResult<()> {
    let field = driver.find(By::Name(name)).await?;
    field.clear().await?;
    field.send_keys(value).await
}

async fn submit(driver: &WebDriver) -> WebDriverResult<()> {
    driver
        .find(By::Css("main form button.primary"))
        .await?
        .click()
        .await
}

/// Waits (up to 15 s) until the browser has navigated to `path`; a click returns before the
/// next page has loaded.
async fn wait_for_path(driver: &WebDriver, path: &str) -> WebDriverResult<()> {
    for _ in 0..150 {
        if driver.current_url().await?.path() == path {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        driver.current_url().await?.path(),
        path,
        "navigated in time"
    );
    Ok(())
}

/// Runs a browser scenario on SQLite and, when configured, on PostgreSQL.
async fn on_both_backends<F, Fut>(scenario: F)
where
    F: Fn(Backend) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    scenario(Backend::Sqlite).await;
    if std::env::var("TONGXING_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        scenario(Backend::Postgres).await;
    } else {
        crate::common::skipped("on PostgreSQL: TONGXING_TEST_POSTGRES_URL is not set");
    }
}

/// Signs out from a desktop-width page: the account menu opens, then its button.
async fn sign_out(d: &WebDriver) -> WebDriverResult<()> {
    d.find(By::Css(".account summary")).await?.click().await?;
    d.find(By::Css(".account form[action='/logout'] button"))
        .await?
        .click()
        .await
}

/// Signs in on the login page and waits for the page it leads to.
async fn sign_in(
    d: &WebDriver,
    base: &str,
    email: &str,
    password: &str,
    then: &str,
) -> WebDriverResult<()> {
    d.goto(format!("{base}/login")).await?;
    fill(d, "email", email).await?;
    fill(d, "password", password).await?;
    submit(d).await?;
    wait_for_path(d, then).await
}

async fn login_create_school_and_see_it(backend: Backend) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = serve(backend).await;
    tongxing::domain::users::create_admin_cli(&app.db, "boss@bureau.cn", "王局长", PASSWORD)
        .await
        .expect("admin");
    let d = &browser.driver;
    let result: WebDriverResult<()> = async {
        d.goto(format!("{}/schools", app.base)).await?;
        // Not signed in: the login page, which comes back to the list afterwards.
        assert!(d.current_url().await?.path().starts_with("/login"));
        fill(d, "email", "boss@bureau.cn").await?;
        fill(d, "password", PASSWORD).await?;
        submit(d).await?;
        wait_for_path(d, "/schools").await?;

        d.goto(format!("{}/schools/new", app.base)).await?;
        fill(d, "name", "龙冲小学").await?;
        fill(d, "code", "3415020202").await?;
        d.find(By::Css("select[name=kind] option[value=rural]"))
            .await?
            .click()
            .await?;
        d.find(By::Css("select[name=stage] option[value=primary]"))
            .await?
            .click()
            .await?;
        fill(d, "district", "叶集区").await?;
        fill(d, "township", "平岗办事处").await?;
        submit(d).await?;
        for _ in 0..150 {
            if !d.current_url().await?.path().ends_with("/new") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let page = d.source().await?;
        assert!(page.contains("已保存"), "saved flash shown: {page}");

        d.goto(format!("{}/schools", app.base)).await?;
        let list = d.find(By::Css("table.list")).await?.text().await?;
        assert!(list.contains("龙冲小学"), "listed: {list}");
        assert!(list.contains("农村"));
        Ok(())
    }
    .await;
    browser.stop().await;
    app.stop();
    result.expect("browser steps");
}

#[rocket::async_test]
async fn browser_logs_in_creates_a_school_and_sees_it_listed() {
    on_both_backends(login_create_school_and_see_it).await;
}

/// The bureau publishes a teacher pairing from its page; the mentee, on a phone, finds it
/// on the home page and opens it.
async fn publish_a_pairing_and_see_it_on_a_phone(backend: Backend) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use tongxing::entities::{academic_years, teachers};
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = serve(backend).await;
    tongxing::demo::load(&app.db).await.expect("demo data");
    let teacher = |name: &'static str| {
        let db = app.db.clone();
        async move {
            teachers::Entity::find()
                .filter(teachers::Column::Name.eq(name))
                .one(&db)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("demo teacher {name}"))
        }
    };
    let (mentor, mentee) = (teacher("王建华").await, teacher("姚成琳").await);
    let year = academic_years::Entity::find()
        .filter(academic_years::Column::IsCurrent.eq(true))
        .one(&app.db)
        .await
        .unwrap()
        .expect("current year");
    let bureau = tongxing::domain::users::actor_of(
        &tongxing::domain::users::find_by_email(&app.db, "bureau@demo.tongxing.cn")
            .await
            .unwrap()
            .expect("bureau login"),
    );
    // A second subject for the same pair, as a draft.
    let draft = tongxing::domain::teacher_pairings::create(
        &app.db,
        &bureau,
        &tongxing::domain::teacher_pairings::TeacherPairingForm {
            mentor_id: mentor.id.to_string(),
            mentee_id: mentee.id.to_string(),
            subject: "信息技术".into(),
            academic_year_id: year.id.to_string(),
            school_pairing_id: String::new(),
        },
    )
    .await
    .expect("draft");
    let d = &browser.driver;
    let result: WebDriverResult<()> = async {
        let pw = tongxing::demo::DEMO_PASSWORD;
        sign_in(d, &app.base, "bureau@demo.tongxing.cn", pw, "/").await?;
        let page = format!("/teacher-pairings/{}", draft.id);
        d.goto(format!("{}{page}", app.base)).await?;
        d.find(By::Css(format!("form[action='{page}/publish'] button")))
            .await?
            .click()
            .await?;
        for _ in 0..150 {
            if d.source().await?.contains("已发布。") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let head = d.find(By::Css("main h1")).await?.text().await?;
        assert!(head.contains("进行中"), "published: {head}");
        sign_out(d).await?;

        // The mentee, on a phone.
        d.set_window_rect(0, 0, 390, 844).await?;
        sign_in(d, &app.base, "yaochenglin@demo.tongxing.cn", pw, "/").await?;
        d.find(By::Css(format!("main a[href='{page}']")))
            .await?
            .click()
            .await?;
        wait_for_path(d, &page).await?;
        let text = d.find(By::Css("main")).await?.text().await?;
        assert!(
            text.contains("信息技术") && text.contains("王建华"),
            "{text}"
        );
        // Nothing wider than the phone's screen.
        let wide: bool = d
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth + 1;",
                vec![],
            )
            .await?
            .convert()?;
        assert!(!wide, "the pairing page fits a phone");
        Ok(())
    }
    .await;
    browser.stop().await;
    app.stop();
    result.expect("browser steps");
}

#[rocket::async_test]
async fn browser_publishes_a_pairing_and_the_mentee_opens_it_on_a_phone() {
    on_both_backends(publish_a_pairing_and_see_it_on_a_phone).await;
}

/// The audit log on a 375 px phone: its rows turn into cards and nothing is wider than the
/// screen, in both languages, even with a long unbroken value (issue 11 item 4).
#[rocket::async_test]
async fn the_audit_log_fits_a_phone() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = serve(Backend::Sqlite).await;
    tongxing::demo::load(&app.db).await.expect("demo data");
    let bureau = tongxing::domain::users::actor_of(
        &tongxing::domain::users::find_by_email(&app.db, "bureau@demo.tongxing.cn")
            .await
            .unwrap()
            .expect("bureau login"),
    );
    let school = tongxing::domain::schools::get(&app.db, &bureau, 1)
        .await
        .expect("a demo school");
    let mut form = tongxing::domain::schools::SchoolForm::from_model(&school);
    // One unbroken word longer than the phone is wide (shortened on the page to 60 characters).
    form.address =
        "https://map.example.cn/lianzhou/sanshui/an-address-typed-without-any-spaces".into();
    tongxing::domain::schools::update(&app.db, &bureau, school.id, &form)
        .await
        .expect("update");
    let d = &browser.driver;
    let result: WebDriverResult<()> = async {
        let pw = tongxing::demo::DEMO_PASSWORD;
        sign_in(d, &app.base, "bureau@demo.tongxing.cn", pw, "/").await?;
        d.set_window_rect(0, 0, 375, 812).await?;
        for lang in ["zh-CN", "en"] {
            d.goto(format!("{}/audit?lang={lang}", app.base)).await?;
            let width: i64 = d
                .execute("return window.innerWidth;", vec![])
                .await?
                .convert()?;
            assert!(width <= 375, "a phone's width: {width}");
            let fits: bool = d
                .execute(
                    "return document.documentElement.scrollWidth <= window.innerWidth;",
                    vec![],
                )
                .await?
                .convert()?;
            assert!(fits, "{lang}: nothing wider than the phone");
            let display: String = d
                .execute(
                    "return getComputedStyle(document.querySelector('tr.audit-row')).display;",
                    vec![],
                )
                .await?
                .convert()?;
            assert_eq!(display, "block", "{lang}: rows as cards");
            let text = d.find(By::Css("table.audit")).await?.text().await?;
            assert!(
                text.contains("https://map.example.cn/lianzhou"),
                "{lang}: {text}"
            );
            assert!(
                !text.contains('{') && !text.contains("(#"),
                "{lang}: {text}"
            );
        }
        Ok(())
    }
    .await;
    browser.stop().await;
    app.stop();
    result.expect("browser steps");
}

/// The growth chart on a phone and on a desktop, in both languages: the drawing for the
/// width is the one shown, every word in it is at least 12 px on screen, and nothing is
/// clipped or wider than the screen.
#[rocket::async_test]
async fn the_growth_chart_reads_on_a_phone() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = serve(Backend::Sqlite).await;
    tongxing::demo::load(&app.db).await.expect("demo data");
    let yao = tongxing::domain::users::find_by_email(&app.db, "yaochenglin@demo.tongxing.cn")
        .await
        .unwrap()
        .expect("demo mentee");
    let teacher = yao.teacher_id.expect("a teacher");
    let d = &browser.driver;
    let result: WebDriverResult<()> = async {
        let pw = tongxing::demo::DEMO_PASSWORD;
        sign_in(d, &app.base, "yaochenglin@demo.tongxing.cn", pw, "/").await?;
        for (width, shown) in [(375, ".chart-narrow"), (1280, ".chart-wide")] {
            d.set_window_rect(0, 0, width, 900).await?;
            for lang in ["zh-CN", "en"] {
                d.goto(format!("{}/teachers/{teacher}/growth?lang={lang}", app.base))
                    .await?;
                // (visible drawing, smallest text in px on screen, texts outside the drawing,
                //  page wider than the window)
                let (visible, smallest, outside, overflow): (String, f64, Vec<String>, bool) = d
                    .execute(
                        r#"
const svgs = [...document.querySelectorAll('figure.chart svg')]
  .filter(s => s.getBoundingClientRect().width > 0);
const svg = svgs[0];
const box = svg.getBoundingClientRect();
let smallest = 1e9; const outside = [];
for (const t of svg.querySelectorAll('text')) {
  if (!t.textContent.trim()) continue;
  const r = t.getBoundingClientRect();
  // The type's size on screen: its size in the drawing times the drawing's scale.
  smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
  if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
    outside.push(t.textContent);
}
return [svgs.length === 1 ? svg.parentElement.className : 'shown: ' + svgs.length,
        smallest, outside, document.documentElement.scrollWidth > window.innerWidth];"#,
                        vec![],
                    )
                    .await?
                    .convert()?;
                assert_eq!(format!(".{visible}"), shown, "{width} {lang}");
                assert!(smallest >= 12.0, "{width} {lang}: text of {smallest} px");
                assert!(outside.is_empty(), "{width} {lang}: clipped {outside:?}");
                assert!(!overflow, "{width} {lang}: wider than the screen");
            }
        }
        Ok(())
    }
    .await;
    browser.stop().await;
    app.stop();
    result.expect("browser steps");
}

/// The paper forms print on A4: the demo's 鉴定表 of 李启成 (every signature block filled),
/// 段岗小学's annual summary and 李启成's secondment summary, printed to PDF by Chromium in both languages — each a PDF
/// of one or two A4 pages with no menu in it. With `TONGXING_SCREENSHOTS` set the PDFs are
/// kept there for people to look at.
#[rocket::async_test]
async fn the_year_end_forms_print_on_a4() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = serve(Backend::Sqlite).await;
    tongxing::demo::load(&app.db).await.expect("demo data");
    let se_id = app_scalar(&app, "SELECT MIN(id) AS n FROM self_evaluations").await;
    let sum_id = app_scalar(
        &app,
        "SELECT MIN(id) AS n FROM summaries WHERE teacher_id IS NULL",
    )
    .await;
    let work_id = app_scalar(
        &app,
        "SELECT MIN(id) AS n FROM summaries WHERE teacher_id IS NOT NULL",
    )
    .await;
    let keep = std::env::var("TONGXING_SCREENSHOTS").ok();
    let d = &browser.driver;
    let result: WebDriverResult<()> = async {
        sign_in(d, &app.base, "bureau@demo.tongxing.cn", tongxing::demo::DEMO_PASSWORD, "/").await?;
        for (path, name) in [
            (format!("/self-evaluations/{se_id}/print"), "self-evaluation"),
            (format!("/summaries/{sum_id}/print"), "school-summary"),
            (format!("/summaries/{work_id}/print"), "work-summary"),
        ] {
            for lang in ["zh-CN", "en"] {
                d.goto(format!("{}{path}?lang={lang}", app.base)).await?;
                let a4 = thirtyfour::common::print::PrintParameters {
                    page: thirtyfour::common::print::PrintPage { width: 21.0, height: 29.7 },
                    margin: thirtyfour::common::print::PrintMargins { top: 0.0, bottom: 0.0, left: 0.0, right: 0.0 },
                    ..Default::default()
                };
                let pdf = d.print_page(a4).await?;
                assert!(pdf.starts_with(b"%PDF"), "{name} {lang}: a PDF");
                let text = String::from_utf8_lossy(&pdf);
                let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
                assert!((1..=2).contains(&pages), "{name} {lang}: {pages} pages");
                // A4 is 595 × 842 points.
                assert!(text.contains("/MediaBox [0 0 595") , "{name} {lang}: not A4");
                if let Some(dir) = &keep {
                    std::fs::create_dir_all(dir).expect("folder");
                    std::fs::write(std::path::Path::new(dir).join(format!("print-{name}-{lang}.pdf")), &pdf)
                        .expect("keep the PDF");
                }
                // On paper: no menu, no language switch, the signature blocks there.
                let shown: Vec<bool> = d
                    .execute(
                        r#"matchMedia('print'); return [!!document.querySelector('article.paper'), document.querySelectorAll('tr.sign').length >= 1];"#,
                        vec![],
                    )
                    .await?
                    .convert()?;
                assert_eq!(shown, vec![true, true], "{name} {lang}");
            }
        }
        Ok(())
    }
    .await;
    browser.stop().await;
    app.stop();
    result.expect("browser steps");
}

async fn app_scalar(app: &Served, sql: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .expect("query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a number")
}

/// Screenshots of the main pages at desktop and phone width in both languages, for people
/// to look at: runs only when `TONGXING_SCREENSHOTS` names a folder.
#[rocket::async_test]
async fn screenshot_tour() {
    let Ok(dir) = std::env::var("TONGXING_SCREENSHOTS") else {
        eprintln!("screenshot tour not run: set TONGXING_SCREENSHOTS=<folder> to make them");
        return;
    };
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = serve(Backend::Sqlite).await;
    let d = &browser.driver;
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let shoot = |name: String| {
        let path = std::path::PathBuf::from(&dir).join(format!("{name}.png"));
        async move { d.screenshot(&path).await }
    };
    let result: WebDriverResult<()> = async {
        d.goto(format!("{}/setup", app.base)).await?;
        shoot("setup-zh-desktop".into()).await?;
        tongxing::demo::load(&app.db).await.expect("demo data");
        // 姚成琳 has asked to end her pairing, so the bureau's pairing page shows a pending
        // request with its buttons and the timeline its reason.
        let yao = tongxing::domain::users::find_by_email(&app.db, "yaochenglin@demo.tongxing.cn")
            .await
            .unwrap()
            .expect("demo mentee");
        tongxing::domain::teacher_pairings::request_termination(
            &app.db,
            &tongxing::domain::users::actor_of(&yao),
            1,
            "下学期调往县城学校任教",
            crate::common::ctx(),
        )
        .await
        .expect("request");
        // A draft school pairing for next year (number 8), for the draft's pages (publish,
        // edit, delete).
        let bureau = tongxing::domain::users::actor_of(
            &tongxing::domain::users::find_by_email(&app.db, "bureau@demo.tongxing.cn")
                .await
                .unwrap()
                .expect("demo bureau"),
        );
        tongxing::domain::school_pairings::create(
            &app.db,
            &bureau,
            &tongxing::domain::school_pairings::PairingForm {
                supporter_id: "4".into(),
                receiver_id: "9".into(),
                year_from: "2027-2028".into(),
                year_to: "2027-2028".into(),
                support_kinds: vec!["staff".into()],
                ..Default::default()
            },
        )
        .await
        .expect("a draft");
        // The library holds what 第一中学 shared with 三元中学, what 姚成琳's mentor shared
        // with her, and a case for everyone.
        let store = app.store();
        for (email, title, kind, visibility, sp, tp, name) in [
            ("yizhong@demo.tongxing.cn", "七年级数学集体备课记录", "case", "school_pairing", "1", "", "备课记录.txt"),
            ("wangjianhua@demo.tongxing.cn", "《有理数的加法》教学设计", "lesson_plan", "teacher_pairing", "", "1", "有理数的加法.txt"),
            ("yizhong@demo.tongxing.cn", "导学案的设计与使用", "theory", "everyone", "", "", "导学案.txt"),
        ] {
            let who = tongxing::domain::users::find_by_email(&app.db, email)
                .await
                .unwrap()
                .expect("demo account");
            tongxing::domain::resources::create(
                &app.db,
                &store,
                &tongxing::domain::users::actor_of(&who),
                &tongxing::domain::resources::ResourceForm {
                    title: title.into(),
                    kind: kind.into(),
                    subject: "数学".into(),
                    grade: "七年级".into(),
                    visibility: visibility.into(),
                    school_pairing_id: sp.into(),
                    teacher_pairing_id: tp.into(),
                    ..Default::default()
                },
                Some(tongxing::domain::resources::Upload {
                    name: name.into(),
                    bytes: Ok(title.as_bytes().to_vec()),
                }),
            )
            .await
            .expect("a resource");
        }
        // 姚成琳 has written and submitted her self-evaluation; 三元中学 appraises it.
        {
            use tongxing::domain::self_evaluations as se;
            let yao_actor = tongxing::domain::users::actor_of(&yao);
            let year = tongxing::domain::academic_years::current(&app.db)
                .await
                .unwrap()
                .expect("a current year");
            let d = se::begin(
                &app.db,
                &yao_actor,
                &se::BeginForm {
                    academic_year_id: year.id.to_string(),
                    context: "mentee".into(),
                },
            )
            .await
            .expect("begin");
            let d = se::save(
                &app.db,
                &yao_actor,
                d.id,
                &se::SectionsForm {
                    ethics: "热爱教育事业，遵守教师职业道德，关心每一名学生。".into(),
                    teaching: "认真备课、上课，每周听师傅的课两节，写好教学反思，尝试导学案教学。".into(),
                    results: "课堂教学评分从 68 分提高到 84 分，所教班级数学成绩由年级第五提高到第二。".into(),
                    improvement: "课堂提问的层次还不够，下学期继续跟师傅学习分层教学。".into(),
                    proposed_grade: "competent".into(),
                    version: d.version.to_string(),
                },
            )
            .await
            .expect("save");
            se::act(
                &app.db,
                &yao_actor,
                d.id,
                se::Action::Submit,
                &se::StepForm {
                    version: d.version.to_string(),
                    ..Default::default()
                },
                crate::common::ctx(),
            )
            .await
            .expect("submit");
            // 三元中学 appraises it: it waits for the bureau's verification (the bulk form).
            let sanyuan = tongxing::domain::users::actor_of(
                &tongxing::domain::users::find_by_email(&app.db, "sanyuan@demo.tongxing.cn")
                    .await
                    .unwrap()
                    .expect("demo school admin"),
            );
            se::act(
                &app.db,
                &sanyuan,
                d.id,
                se::Action::Appraise,
                &se::StepForm {
                    grade: "excellent".into(),
                    comment: "该同志虚心好学，进步明显，年度考核优秀。".into(),
                    version: (d.version + 1).to_string(),
                    ..Default::default()
                },
                crate::common::ctx(),
            )
            .await
            .expect("appraise");
        }
        // The failed-mails page shows a notice that gave up and a reset mail whose link was
        // removed.
        for (to, secret) in [("liming@demo.tongxing.cn", false), ("yaochenglin@demo.tongxing.cn", true)] {
            use sea_orm::ConnectionTrait;
            app.db
                .execute_unprepared(&format!(
                    "INSERT INTO outbox (to_addr, subject, body_text, body_html, attempts, next_attempt_at, failed_at, last_error, created_at, secret) \
                     VALUES ('{to}', '【同行】通知', '', '', 8, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'connection refused', CURRENT_TIMESTAMP, {secret})"
                ))
                .await
                .expect("failed mail");
        }
        d.goto(format!("{}/login", app.base)).await?;
        shoot("login-zh-desktop".into()).await?;
        // TONGXING_SCREENSHOT_PAGES: the pages to shoot (then every role shoots every page);
        // TONGXING_SCREENSHOT_ROLES: which of bureau, teacher, school sign in.
        let chosen_pages = std::env::var("TONGXING_SCREENSHOT_PAGES").is_ok();
        let roles = std::env::var("TONGXING_SCREENSHOT_ROLES")
            .unwrap_or_else(|_| "bureau,teacher,school".into());
        let pages: Vec<String> = std::env::var("TONGXING_SCREENSHOT_PAGES")
            .unwrap_or_else(|_| "/,/schools,/schools/new,/schools/1,/teachers,/teachers/1,/users,/academic-years,/profile,/imports/teachers".into())
            .split(',')
            .map(String::from)
            .collect();
        for (email, label) in [("bureau@demo.tongxing.cn", "bureau"), ("yaochenglin@demo.tongxing.cn", "teacher"), ("sanyuan@demo.tongxing.cn", "school")] {
            if !roles.split(',').any(|r| r.trim() == label) {
                continue;
            }
            sign_in(d, &app.base, email, tongxing::demo::DEMO_PASSWORD, "/").await?;
            for lang in ["zh-CN", "en"] {
                // TONGXING_SCREENSHOT_HEIGHT makes tall shots of long pages.
                let tall: u32 = std::env::var("TONGXING_SCREENSHOT_HEIGHT")
                    .ok()
                    .and_then(|h| h.parse().ok())
                    .unwrap_or(0);
                for (width, height, size) in [(1280u32, 900u32.max(tall), "desktop"), (375, 812u32.max(tall), "phone")] {
                    d.set_window_rect(0, 0, width, height).await?;
                    for page in &pages {
                        if !chosen_pages && label != "bureau" && !["/", "/profile", "/schools"].contains(&page.as_str()) {
                            continue;
                        }
                        let sep = if page.contains('?') { '&' } else { '?' };
                        d.goto(format!("{}{page}{sep}lang={lang}", app.base)).await?;
                        let slug = page.trim_matches('/').replace(['/', '?', '=', '&'], "-");
                        let slug = if slug.is_empty() { "home".to_string() } else { slug };
                        shoot(format!("{label}-{slug}-{lang}-{size}")).await?;
                    }
                }
            }
            d.set_window_rect(0, 0, 1280, 900).await?;
            d.goto(format!("{}/profile", app.base)).await?;
            sign_out(d).await?;
        }
        Ok(())
    }
    .await;
    browser.stop().await;
    app.stop();
    result.expect("screenshot tour");
}
