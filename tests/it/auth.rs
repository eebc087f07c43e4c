//! Sign-in, setup, sessions, CSRF, throttling, password reset.
use rocket::http::{ContentType, Status};
use sea_orm::ConnectionTrait;

use crate::common::{self, PASSWORD, each_db};

#[rocket::async_test]
async fn setup_page_exists_only_until_the_first_user() {
    each_db(|app| async move {
        let (status, html) = app.get_html("/").await;
        assert_eq!(status, Status::SeeOther, "{html}");
        let (status, html) = app.get_html("/setup").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("首次设置"));

        // A bad form keeps what was typed and says what is wrong per field.
        let res = app
            .post_form(
                "/setup",
                &[
                    ("name", "王局长"),
                    ("email", "not-an-email"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("value=\"王局长\""), "name kept");
        assert!(html.contains("电子邮箱格式不正确"));
        assert!(html.contains("密码至少 10 个字符"));
        assert_eq!(app.count("users").await, 0);

        let res = app
            .post_form(
                "/setup",
                &[
                    ("name", "王局长"),
                    ("email", "Admin@Bureau.cn"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(app.count("users").await, 1);
        // Signed in straight away.
        let (status, html) = app.get_html("/").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("教育局工作台"));

        // Gone now, for everybody.
        let (status, _) = app.get_html("/setup").await;
        assert_eq!(status, Status::NotFound);
        let res = app
            .post_form(
                "/setup",
                &[("name", "x"), ("email", "x@y.cn"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), Status::NotFound);
        assert_eq!(app.count("users").await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn login_logout_and_wrong_password() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        assert_eq!(
            app.login("boss@bureau.cn", "wrong password!").await,
            Status::UnprocessableEntity
        );
        let (status, _) = app.get_html("/schools").await;
        assert_eq!(status, Status::SeeOther, "still anonymous");

        assert_eq!(
            app.login("BOSS@bureau.cn", PASSWORD).await,
            Status::SeeOther
        );
        let (status, _) = app.get_html("/schools").await;
        assert_eq!(status, Status::Ok);

        app.logout().await;
        let res = app.client.get("/schools").dispatch().await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(
            res.headers().get_one("Location"),
            Some("/login?next=%2Fschools")
        );
    })
    .await;
}

#[rocket::async_test]
async fn forms_without_the_csrf_token_are_refused() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        assert_eq!(
            app.login("boss@bureau.cn", PASSWORD).await,
            Status::SeeOther
        );
        let body = common::form_body(&[
            ("name", "新学校"),
            ("code", "4418829999"),
            ("kind", "rural"),
            ("stage", "primary"),
            ("district", "连州市"),
        ]);
        let res = app
            .client
            .post("/schools")
            .header(ContentType::Form)
            .body(body.clone())
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("表单已过期"), "{html}");

        let wrong = format!("_csrf=wrong&{body}");
        let res = app
            .client
            .post("/schools")
            .header(ContentType::Form)
            .body(wrong)
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Forbidden);

        // A right token from another site's page is refused too (Origin check).
        let token = app.csrf().await;
        let res = app
            .client
            .post("/schools")
            .header(ContentType::Form)
            .header(rocket::http::Header::new("Origin", "https://evil.example"))
            .body(format!("_csrf={token}&{body}"))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        assert_eq!(app.count("schools").await, 0);
    })
    .await;
}

#[rocket::async_test]
async fn login_is_throttled_per_account() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        for _ in 0..5 {
            assert_eq!(
                app.login("boss@bureau.cn", "wrong password!").await,
                Status::UnprocessableEntity
            );
        }
        // Even the right password is refused now, with a clear message.
        let token = app.csrf().await;
        let res = app
            .client
            .post("/login")
            .header(ContentType::Form)
            .body(common::form_body(&[
                ("_csrf", &token),
                ("email", "boss@bureau.cn"),
                ("password", PASSWORD),
            ]))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::TooManyRequests);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("登录尝试次数过多")
        );
    })
    .await;
}

#[rocket::async_test]
async fn password_reset_link_is_single_use() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        let res = app
            .post_form("/password-reset", &[("email", "boss@bureau.cn")])
            .await;
        assert_eq!(res.status(), Status::Ok);
        // Unknown addresses get the same answer and no mail.
        let res = app
            .post_form("/password-reset", &[("email", "nobody@bureau.cn")])
            .await;
        assert_eq!(res.status(), Status::Ok);
        let mails = app.deliver_mail().await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, "boss@bureau.cn");
        assert!(mails[0].subject.contains("重设密码"));
        let link = mails[0]
            .text
            .lines()
            .find(|l| l.contains("/password-reset/"))
            .expect("link in mail")
            .trim()
            .to_string();
        let path = link.trim_start_matches("http://tongxing.test");
        let (status, _) = app.get_html(path).await;
        assert_eq!(status, Status::Ok);

        let res = app
            .post_form(
                path,
                &[
                    ("password", "a-new-password-1"),
                    ("confirm", "different-password"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let res = app
            .post_form(
                path,
                &[
                    ("password", "a-new-password-1"),
                    ("confirm", "a-new-password-1"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(
            app.login("boss@bureau.cn", "a-new-password-1").await,
            Status::SeeOther
        );

        // Used once: refused the second time, and the password stays.
        let res = app
            .post_form(
                path,
                &[
                    ("password", "another-password-2"),
                    ("confirm", "another-password-2"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::BadRequest);
        let (status, _) = app.get_html(path).await;
        assert_eq!(status, Status::BadRequest);
    })
    .await;
}

/// The secret of this client's session cookie (to replay it as a copied cookie would be).
pub fn session_secret(app: &common::TestApp) -> String {
    app.client
        .cookies()
        .get_private("tx_session")
        .expect("signed in")
        .value()
        .to_string()
}

pub fn session_cookie(secret: &str) -> rocket::http::Cookie<'static> {
    rocket::http::Cookie::new("tx_session", secret.to_string())
}

#[rocket::async_test]
async fn expired_and_outdated_sessions_send_to_login() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let secret = session_secret(&app);
        // Idle past its expiry on the server: back to the login page, which says why.
        app.lapse_sessions().await;
        let res = app.client.get("/schools").dispatch().await;
        assert_eq!(res.status(), Status::SeeOther);
        let location = res.headers().get_one("Location").unwrap().to_string();
        assert!(location.contains("expired=1"), "{location}");
        let (_, html) = app.get_html(&location).await;
        assert!(html.contains("登录已过期"));
        // The API answers 401 in the error shape instead of redirecting.
        let res = app
            .client
            .get("/api/v1/session")
            .private_cookie(session_cookie(&secret))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Unauthorized);
        let body: serde_json::Value =
            serde_json::from_str(&res.into_string().await.unwrap()).unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");

        // Active all along, but signed in more than 14 days ago: refused.
        app.login("boss@bureau.cn", PASSWORD).await;
        let (status, _) = app.get_html("/schools").await;
        assert_eq!(status, Status::Ok, "control: a fresh session works");
        let old = app.time_literal(chrono::Utc::now() - chrono::Duration::days(15));
        app.db
            .execute_unprepared(&format!("UPDATE sessions SET created_at = {old}"))
            .await
            .unwrap();
        let res = app.client.get("/schools").dispatch().await;
        assert_eq!(res.status(), Status::SeeOther);

        // A made-up session secret is no session at all.
        let res = app
            .client
            .get("/schools")
            .private_cookie(session_cookie("made-up"))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let location = res.headers().get_one("Location").unwrap().to_string();
        assert!(!location.contains("expired=1"), "{location}");
    })
    .await;
}

#[rocket::async_test]
async fn signing_in_starts_a_new_session_and_csrf_token() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        let before = app.csrf().await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let after = app.csrf().await;
        assert_ne!(before, after, "token rotated at sign-in");
        // The old token no longer works for a form.
        let res = app
            .client
            .post("/profile/tokens")
            .header(ContentType::Form)
            .body(common::form_body(&[("_csrf", &before), ("name", "x")]))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        // Changing the password ends other sessions but keeps this one.
        let res = app
            .post_form(
                "/profile/password",
                &[
                    ("current", PASSWORD),
                    ("password", "another-pass-123"),
                    ("confirm", "another-pass-123"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (status, _) = app.get_html("/profile").await;
        assert_eq!(status, Status::Ok);
    })
    .await;
}

#[rocket::async_test]
async fn personal_api_tokens_can_be_created_used_and_revoked() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let res = app.post_form("/profile/tokens", &[("name", "")]).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert_eq!(app.count("api_tokens").await, 0);
        let res = app
            .post_form("/profile/tokens", &[("name", "Excel 同步")])
            .await;
        assert_eq!(res.status(), Status::Ok);
        let html = res.into_string().await.unwrap();
        let start = html.find("tx_").expect("secret shown once");
        let secret: String = html[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let (status, body) = app
            .api_with_token(rocket::http::Method::Get, "/api/v1/session", &secret, None)
            .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["email"], "boss@bureau.cn");
        let (_, html) = app.get_html("/profile").await;
        assert!(!html.contains(&secret), "never shown again");
        let id: i64 = {
            use sea_orm::EntityTrait;
            tongxing::entities::api_tokens::Entity::find()
                .one(&app.db)
                .await
                .unwrap()
                .unwrap()
                .id
        };
        let res = app
            .post_form(&format!("/profile/tokens/{id}/revoke"), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (status, _) = app
            .api_with_token(rocket::http::Method::Get, "/api/v1/session", &secret, None)
            .await;
        assert_eq!(status, Status::Unauthorized);
        let (status, _) = app
            .api_with_token(
                rocket::http::Method::Get,
                "/api/v1/session",
                "tx_made_up",
                None,
            )
            .await;
        assert_eq!(status, Status::Unauthorized);
    })
    .await;
}

#[rocket::async_test]
async fn an_expired_reset_link_is_refused() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.post_form("/password-reset", &[("email", "boss@bureau.cn")])
            .await;
        let mails = app.deliver_mail().await;
        let link = mails[0]
            .text
            .lines()
            .find(|l| l.contains("/password-reset/"))
            .unwrap()
            .trim()
            .to_string();
        let path = link.trim_start_matches("http://tongxing.test").to_string();
        // Two hours and a minute later…
        use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
        let row = tongxing::entities::password_resets::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(
            row.token_hash,
            path.rsplit('/').next().unwrap(),
            "only a hash is stored"
        );
        let mut active = row.into_active_model();
        active.expires_at = Set(chrono::Utc::now() - chrono::Duration::minutes(1));
        active.update(&app.db).await.unwrap();
        let (status, html) = app.get_html(&path).await;
        assert_eq!(status, Status::BadRequest);
        assert!(html.contains("链接无效或已过期"));
        let res = app
            .post_form(
                &path,
                &[
                    ("password", "a-new-password-1"),
                    ("confirm", "a-new-password-1"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::BadRequest);
        assert_eq!(
            app.login("boss@bureau.cn", PASSWORD).await,
            Status::SeeOther,
            "old password still works"
        );
    })
    .await;
}

#[rocket::async_test]
async fn without_smtp_mails_are_written_as_eml_files() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.post_form("/password-reset", &[("email", "boss@bureau.cn")])
            .await;
        let dir = app.data_dir.join("mail");
        let mailer =
            tongxing::mail::FileMailer::new(dir.clone(), "Tongxing <noreply@tongxing.local>")
                .unwrap();
        let sent = tongxing::jobs::work_once(&app.db, &mailer, crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(sent, 1);
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(files.len(), 1);
        let eml = std::fs::read_to_string(files[0].path()).unwrap();
        assert!(eml.contains("To: boss@bureau.cn"));
        assert!(eml.contains("multipart/alternative"), "HTML and text parts");
        // Delivered once: a second round sends nothing.
        assert_eq!(
            tongxing::jobs::deliver_due(&app.db, &mailer).await.unwrap(),
            0
        );
    })
    .await;
}

#[rocket::async_test]
async fn a_mail_server_that_is_down_keeps_the_mail_for_later() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.post_form("/password-reset", &[("email", "boss@bureau.cn")])
            .await;
        app.mailer
            .fail
            .store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(app.deliver_mail().await.is_empty());
        assert_eq!(app.count("outbox").await, 1, "kept");
        // Retried after the backoff: make it due now, with the server back.
        use sea_orm::ConnectionTrait;
        app.db
            .execute_unprepared("UPDATE outbox SET next_attempt_at = created_at")
            .await
            .unwrap();
        app.mailer
            .fail
            .store(false, std::sync::atomic::Ordering::SeqCst);
        let mails = app.deliver_mail().await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, "boss@bureau.cn");
    })
    .await;
}

#[rocket::async_test]
async fn a_password_reset_ends_tokens_and_other_links() {
    each_db(|app| async move {
        let admin = app.bureau("boss@bureau.cn").await;
        let actor = tongxing::domain::users::actor_of(&admin);
        let (_, secret) = tongxing::domain::users::create_token(&app.db, &actor, "script")
            .await
            .unwrap();
        // Two reset requests: two links.
        app.post_form("/password-reset", &[("email", "boss@bureau.cn")])
            .await;
        app.post_form("/password-reset", &[("email", "boss@bureau.cn")])
            .await;
        let mails = app.deliver_mail().await;
        assert_eq!(mails.len(), 2);
        let link = |i: usize| {
            mails[i]
                .text
                .lines()
                .find(|l| l.contains("/password-reset/"))
                .unwrap()
                .trim()
                .trim_start_matches("http://tongxing.test")
                .to_string()
        };
        let res = app
            .post_form(
                &link(0),
                &[
                    ("password", "a-new-password-1"),
                    ("confirm", "a-new-password-1"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        // The other link is dead, and so is the token made before the reset.
        let res = app
            .post_form(
                &link(1),
                &[
                    ("password", "attacker-pass-2"),
                    ("confirm", "attacker-pass-2"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::BadRequest);
        let (status, _) = app
            .api_with_token(rocket::http::Method::Get, "/api/v1/session", &secret, None)
            .await;
        assert_eq!(status, Status::Unauthorized);
        // Delivered mails do not keep the link.
        let stored: Vec<String> = {
            use sea_orm::EntityTrait;
            tongxing::entities::outbox::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .into_iter()
                .map(|m| format!("{}{}", m.body_text, m.body_html))
                .collect()
        };
        assert!(stored.iter().all(|b| !b.contains("/password-reset/")));
    })
    .await;
}

#[rocket::async_test]
async fn api_writes_with_the_session_cookie_from_another_site_are_refused() {
    each_db(|app| async move {
        let w = crate::common::world(&app).await;
        let (status, _) = app
            .api(
                rocket::http::Method::Post,
                "/api/v1/session",
                Some(serde_json::json!({"email": "bureau@tongxing.test", "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, Status::Ok);
        let before = app.count("audit_log").await;
        let res = app
            .client
            .post(format!("/api/v1/users/{}/deactivate", w.mentee_user.id))
            .header(rocket::http::Header::new("Origin", "https://evil.example"))
            .header(rocket::http::Header::new("Host", "tongxing.test"))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        assert_eq!(app.count("audit_log").await, before, "nothing changed");
        // The same call from the app's own origin works.
        let res = app
            .client
            .post(format!("/api/v1/users/{}/deactivate", w.mentee_user.id))
            .header(rocket::http::Header::new("Origin", "http://tongxing.test"))
            .header(rocket::http::Header::new("Host", "tongxing.test"))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Ok);
    })
    .await;
}
