//! Two app instances on one database with nothing shared in memory but the cookie secret
//! (issue 12): a session made on one works on the other, signing out on one ends it on
//! both, and failed sign-ins are counted in the database, whichever instance saw them.
use rocket::http::{ContentType, Status};

use crate::common::{Backend, PASSWORD, TestApp, enc, spawn_with};

async fn pair(backend: Backend) -> (TestApp, TestApp) {
    let secret = tongxing::domain::tokens::new_secret_key();
    let s1 = secret.clone();
    let a = spawn_with(backend, move |f| f.merge(("secret_key", s1))).await;
    let url = a.url.clone();
    let b = spawn_with(backend, move |f| {
        f.merge(("secret_key", secret)).merge(("database_url", url))
    })
    .await;
    (a, b)
}

async fn home_on(app: &TestApp, from: &TestApp) -> (Status, String) {
    let mut req = app.client.get("/");
    for c in from.client.cookies().iter() {
        req = req.cookie(c.clone());
    }
    let res = req.dispatch().await;
    let status = res.status();
    (status, res.into_string().await.unwrap_or_default())
}

async fn check(backend: Backend) {
    let (a, b) = pair(backend).await;
    a.bureau("boss@bureau.cn").await;
    assert_eq!(a.login("boss@bureau.cn", PASSWORD).await, Status::SeeOther);
    // The cookie A set is a session on B too.
    let (status, html) = home_on(&b, &a).await;
    assert_eq!(status, Status::Ok);
    assert!(
        html.contains("教育局管理员"),
        "signed in on B as the same user"
    );
    // Signing out on A ends the session everywhere.
    let cookies: Vec<_> = a.client.cookies().iter().cloned().collect();
    a.logout().await;
    let mut req = b.client.get("/");
    for c in cookies {
        req = req.cookie(c);
    }
    assert_eq!(
        req.dispatch().await.status(),
        Status::SeeOther,
        "ended on B"
    );

    // Failed sign-ins on A and on B add up (the throttle counts in the database).
    let before = a.count("throttle_events").await;
    for app in [&a, &b] {
        let token = app.csrf().await;
        let res = app
            .client
            .post("/login")
            .header(ContentType::Form)
            .body(format!(
                "email={}&password=wrong-password&next=&_csrf={}",
                enc("boss@bureau.cn"),
                enc(&token)
            ))
            .dispatch()
            .await;
        assert_ne!(res.status(), Status::SeeOther);
    }
    assert_eq!(
        a.count("throttle_events").await,
        before + 2,
        "one table, both instances"
    );
}

#[rocket::async_test]
async fn two_instances_share_sessions_and_throttling_through_the_database() {
    check(Backend::Sqlite).await;
    if std::env::var("TONGXING_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        check(Backend::Postgres).await;
    } else {
        crate::common::skipped("on PostgreSQL: TONGXING_TEST_POSTGRES_URL is not set");
    }
}
