//! Health checks, security headers, static files.
use rocket::http::Status;

use crate::common::{PASSWORD, each_db};

#[rocket::async_test]
async fn health_and_readiness() {
    each_db(|app| async move {
        let res = app.client.get("/healthz").dispatch().await;
        assert_eq!(res.status(), Status::Ok);
        assert_eq!(res.into_string().await.unwrap(), "ok");
        let res = app.client.get("/readyz").dispatch().await;
        assert_eq!(res.status(), Status::Ok);
    })
    .await;
}

#[rocket::async_test]
async fn pages_carry_security_headers() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        for path in ["/login", "/no-such-page", "/static/app.css"] {
            let res = app.client.get(path).dispatch().await;
            let h = res.headers();
            let csp = h.get_one("Content-Security-Policy").expect("CSP");
            assert!(
                csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
                "{csp}"
            );
            assert!(!csp.contains("unsafe-inline"));
            assert_eq!(h.get_one("X-Content-Type-Options"), Some("nosniff"));
            assert_eq!(h.get_one("Referrer-Policy"), Some("same-origin"));
            assert!(h.get_one("X-Request-Id").is_some());
        }
        // The session cookie is HttpOnly and SameSite=Lax.
        let token = app.csrf().await;
        let res = app
            .client
            .post("/login")
            .header(rocket::http::ContentType::Form)
            .body(crate::common::form_body(&[
                ("_csrf", &token),
                ("email", "boss@bureau.cn"),
                ("password", PASSWORD),
            ]))
            .dispatch()
            .await;
        let cookie = res
            .headers()
            .get("Set-Cookie")
            .find(|c| c.starts_with("tx_session="))
            .expect("session cookie")
            .to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        // No inline script anywhere in the layout.
        let (_, html) = app.get_html("/").await;
        assert!(!html.contains("<script"), "no scripts needed");
    })
    .await;
}

#[rocket::async_test]
async fn the_stylesheet_is_served_from_the_binary() {
    each_db(|app| async move {
        let res = app.client.get("/static/app.css").dispatch().await;
        assert_eq!(res.status(), Status::Ok);
        assert_eq!(res.content_type(), Some(rocket::http::ContentType::CSS));
        assert!(
            res.headers()
                .get_one("Cache-Control")
                .unwrap_or("")
                .contains("max-age")
        );
        let css = res.into_string().await.unwrap();
        assert!(css.contains("font:16px/1.6 system-ui") && css.len() < 20_000);
        let res = app.client.get("/static/other.css").dispatch().await;
        assert_eq!(res.status(), Status::NotFound);
    })
    .await;
}
