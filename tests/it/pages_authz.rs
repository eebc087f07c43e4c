//! Who may open which page and post which form: every role against every route of the
//! foundation, with the expected status, and nothing changed where refused.
use rocket::http::Status;

use crate::common::{PASSWORD, TestApp, World, each_db, world};

/// Roles in the order of the expectation arrays.
const ROLES: [&str; 5] = [
    "anonymous",
    "teacher",
    "rural_admin",
    "urban_admin",
    "bureau",
];

fn email(role: &str) -> Option<&'static str> {
    match role {
        "teacher" => Some("mentee@tongxing.test"),
        "rural_admin" => Some("rural@tongxing.test"),
        "urban_admin" => Some("urban@tongxing.test"),
        "bureau" => Some("bureau@tongxing.test"),
        _ => None,
    }
}

const SEE_OTHER: u16 = 303;

fn gets(w: &World) -> Vec<(String, [u16; 5])> {
    let r = w.rural.id;
    let mentee = w.mentee.id;
    let mentor = w.mentor.id;
    let user = w.mentee_user.id;
    vec![
        ("/".into(), [303, 200, 200, 200, 200]),
        ("/schools".into(), [303, 200, 200, 200, 200]),
        ("/schools/new".into(), [303, 403, 403, 403, 200]),
        (format!("/schools/{r}"), [303, 200, 200, 200, 200]),
        (format!("/schools/{r}/edit"), [303, 403, 200, 403, 200]),
        ("/schools/999999".into(), [303, 404, 404, 404, 404]),
        ("/schools/export.csv".into(), [303, 200, 200, 200, 200]),
        ("/teachers".into(), [303, 403, 200, 200, 200]),
        ("/teachers/new".into(), [303, 403, 200, 200, 200]),
        // Of other schools a school admin reads only the teachers paired with theirs (none
        // here); what one may not see answers like a missing record (404).
        (format!("/teachers/{mentee}"), [303, 200, 200, 404, 200]),
        (format!("/teachers/{mentor}"), [303, 404, 404, 200, 200]),
        (
            format!("/teachers/{mentee}/edit"),
            [303, 200, 200, 404, 200],
        ),
        ("/teachers/999999".into(), [303, 404, 404, 404, 404]),
        ("/teachers/export.xlsx".into(), [303, 403, 200, 200, 200]),
        ("/users".into(), [303, 403, 403, 403, 200]),
        ("/users/new".into(), [303, 403, 403, 403, 200]),
        (format!("/users/{user}/edit"), [303, 403, 403, 403, 200]),
        ("/academic-years".into(), [303, 200, 200, 200, 200]),
        ("/academic-years/new".into(), [303, 403, 403, 403, 200]),
        ("/profile".into(), [303, 200, 200, 200, 200]),
        ("/imports/schools".into(), [303, 403, 403, 403, 200]),
        ("/imports/teachers".into(), [303, 403, 200, 200, 200]),
    ]
}

/// Form posts with an empty body: refused (303 to sign in, 403) or rejected as invalid (422).
/// `0` means "not checked for this role" (the post would succeed and change data).
fn posts(w: &World) -> Vec<(String, [u16; 5])> {
    let r = w.rural.id;
    let u = w.urban.id;
    let mentee = w.mentee.id;
    let mentor = w.mentor.id;
    let user = w.mentor_user.id;
    vec![
        ("/schools".into(), [303, 403, 403, 403, 422]),
        (format!("/schools/{r}"), [303, 403, 0, 403, 422]),
        (format!("/schools/{u}/deactivate"), [303, 403, 403, 403, 0]),
        (format!("/schools/{u}/reactivate"), [303, 403, 403, 403, 0]),
        ("/teachers".into(), [303, 403, 422, 422, 422]),
        (format!("/teachers/{mentor}"), [303, 404, 404, 422, 422]),
        (
            format!("/teachers/{mentor}/deactivate"),
            [303, 403, 404, 0, 0],
        ),
        (
            format!("/teachers/{mentee}/deactivate"),
            [303, 403, 0, 404, 0],
        ),
        ("/users".into(), [303, 403, 403, 403, 422]),
        (format!("/users/{user}"), [303, 403, 403, 403, 422]),
        (format!("/users/{user}/deactivate"), [303, 403, 403, 403, 0]),
        (format!("/users/{user}/send-reset"), [303, 403, 403, 403, 0]),
        ("/academic-years".into(), [303, 403, 403, 403, 422]),
    ]
}

/// What a refused request must leave alone: every audited write adds an audit row.
async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "schools",
        "teachers",
        "users",
        "academic_years",
        "audit_log",
        "outbox",
        "api_tokens",
    ] {
        counts.push(app.count(table).await);
    }
    counts
}

#[rocket::async_test]
async fn every_role_against_every_page() {
    each_db(|app| async move {
        let w = world(&app).await;
        // Every unexpected answer is collected, so one run shows them all.
        let mut unexpected = Vec::new();
        for (i, role) in ROLES.iter().enumerate() {
            if let Some(email) = email(role) {
                assert_eq!(
                    app.login(email, PASSWORD).await,
                    Status::SeeOther,
                    "{role} signs in"
                );
            }
            for (path, expected) in gets(&w) {
                let res = app.client.get(path.clone()).dispatch().await;
                if res.status().code != expected[i] {
                    unexpected.push(format!(
                        "GET {path} as {role}: {} (expected {})",
                        res.status().code,
                        expected[i]
                    ));
                    continue;
                }
                if expected[i] == SEE_OTHER {
                    assert!(
                        res.headers()
                            .get_one("Location")
                            .unwrap_or("")
                            .starts_with("/login"),
                        "GET {path} as {role} goes to login"
                    );
                }
            }
            for (path, expected) in posts(&w) {
                if expected[i] == 0 {
                    continue;
                }
                let before = snapshot(&app).await;
                let res = app.post_form(&path, &[]).await;
                if res.status().code != expected[i] {
                    unexpected.push(format!(
                        "POST {path} as {role}: {} (expected {})",
                        res.status().code,
                        expected[i]
                    ));
                }
                assert_eq!(
                    snapshot(&app).await,
                    before,
                    "POST {path} as {role} changed nothing"
                );
            }
            if email(role).is_some() {
                app.logout().await;
            }
        }
        assert!(unexpected.is_empty(), "{unexpected:#?}");
    })
    .await;
}

#[rocket::async_test]
async fn every_page_renders_in_both_languages() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        for (path, expected) in gets(&w) {
            if expected[4] != 200 || path.contains("export") {
                continue;
            }
            for (lang, word) in [("zh-CN", "同行"), ("en", "Tongxing")] {
                let sep = if path.contains('?') { '&' } else { '?' };
                let (status, html) = app.get_html(&format!("{path}{sep}lang={lang}")).await;
                assert_eq!(status, Status::Ok, "{path} in {lang}");
                assert!(
                    html.contains(&format!("<html lang=\"{lang}\">")),
                    "{path} in {lang}"
                );
                assert!(html.contains(word), "{path} in {lang}");
                assert!(
                    !html.contains("Unknown localization"),
                    "{path} in {lang} has a missing key"
                );
            }
        }
    })
    .await;
}
