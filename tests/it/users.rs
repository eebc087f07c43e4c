//! The bureau's user administration: accounts with a password or an invitation, the
//! rules of roles and bindings, deactivation, reset mails, and that nobody else gets in.
use rocket::http::{Cookie, Status};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tongxing::entities;

use crate::common::{PASSWORD, TestApp, each_db, enc, world};

async fn user_row(app: &TestApp, id: i64) -> entities::users::Model {
    entities::users::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("user row")
}

async fn users_with_email(app: &TestApp, email: &str) -> u64 {
    entities::users::Entity::find()
        .filter(entities::users::Column::Email.eq(email))
        .count(&app.db)
        .await
        .expect("count")
}

#[rocket::async_test]
async fn bureau_creates_an_account_with_a_password() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let school = w.urban.id.to_string();
        let res = app
            .post_form(
                "/users",
                &[
                    ("email", "Dean@Urban.cn"),
                    ("name", "王主任"),
                    ("role", "school_admin"),
                    ("school_id", school.as_str()),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let location = res.headers().get_one("Location").unwrap().to_string();
        let (status, html) = app.get_html(&location).await;
        assert_eq!(status, Status::Ok);
        assert!(
            html.contains("已保存") && html.contains("dean@urban.cn") && html.contains("王主任")
        );
        assert!(html.contains("学校管理员") && html.contains("连州市实验学校"));
        assert!(
            app.deliver_mail()
                .await
                .iter()
                .all(|m| m.to != "dean@urban.cn"),
            "no invitation"
        );
        app.logout().await;
        assert_eq!(app.login("dean@urban.cn", PASSWORD).await, Status::SeeOther);
        let (status, _) = app
            .get_html(&format!("/teachers/new?school_id={}", w.urban.id))
            .await;
        assert_eq!(status, Status::Ok, "the new school admin works");
    })
    .await;
}

#[rocket::async_test]
async fn an_account_without_a_password_gets_an_invitation_mail() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        // The teacher page's "open an account" link fills in the teacher.
        let t = tongxing::domain::teachers::TeacherForm {
            school_id: w.urban.id.to_string(),
            name: "王芳".into(),
            gender: "female".into(),
            staff_no: "U003".into(),
            subjects: "英语".into(),
            email: "wangfang@urban.cn".into(),
            ..Default::default()
        };
        let teacher = tongxing::domain::teachers::create(&app.db, &w.bureau_actor, &t)
            .await
            .unwrap();
        let (status, html) = app.get_html(&format!("/teachers/{}", teacher.id)).await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains(&format!("/users/new?teacher_id={}", teacher.id)));
        let (status, html) = app
            .get_html(&format!("/users/new?teacher_id={}", teacher.id))
            .await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("value=\"王芳\"") && html.contains("value=\"wangfang@urban.cn\""));
        assert!(html.contains("value=\"teacher\" selected"));
        assert!(
            html.contains("连州市实验学校"),
            "the teacher's school is shown"
        );

        let tid = teacher.id.to_string();
        let res = app
            .post_form(
                "/users",
                &[
                    ("email", "wangfang@urban.cn"),
                    ("name", "王芳"),
                    ("role", "teacher"),
                    ("teacher_id", tid.as_str()),
                    ("password", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let location = res.headers().get_one("Location").unwrap().to_string();
        let (_, html) = app.get_html(&location).await;
        assert!(html.contains("邀请邮件已发送"), "{html}");
        let mails = app.deliver_mail().await;
        let invitation = mails
            .iter()
            .find(|m| m.to == "wangfang@urban.cn")
            .expect("invitation mail");
        assert!(
            invitation.subject.contains("欢迎使用"),
            "{}",
            invitation.subject
        );
        assert!(invitation.text.contains("/password-reset/"));
        assert_eq!(users_with_email(&app, "wangfang@urban.cn").await, 1);
        // The teacher page now links to the account.
        let (_, html) = app.get_html(&format!("/teachers/{}", teacher.id)).await;
        assert!(html.contains("wangfang@urban.cn") && !html.contains("尚未开通账号"));
    })
    .await;
}

#[rocket::async_test]
async fn reset_mails_are_in_the_recipients_language() {
    each_db(|app| async move {
        let w = world(&app).await;
        // The mentee chooses English.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let res = app
            .post_form("/lang", &[("lang", "en"), ("next", "/")])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        app.logout().await;
        let res = app
            .post_form("/lang", &[("lang", "zh-CN"), ("next", "/")])
            .await;
        assert_eq!(res.status(), Status::SeeOther);

        app.login("bureau@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(&format!("/users/{}/send-reset", w.mentee_user.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app
            .get_html(res.headers().get_one("Location").unwrap())
            .await;
        assert!(
            html.contains("重设密码邮件已发送"),
            "the bureau reads Chinese"
        );
        let res = app
            .post_form(&format!("/users/{}/send-reset", w.mentor_user.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let mails = app.deliver_mail().await;
        let english = mails
            .iter()
            .find(|m| m.to == "mentee@tongxing.test")
            .expect("mail");
        assert!(
            english.subject.contains("Reset your password"),
            "{}",
            english.subject
        );
        let chinese = mails
            .iter()
            .find(|m| m.to == "mentor@tongxing.test")
            .expect("mail");
        assert!(chinese.subject.contains("重设密码"), "{}", chinese.subject);
    })
    .await;
}

#[rocket::async_test]
async fn account_rules_are_errors_on_their_fields() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let before = app.count("users").await;

        let res = app
            .post_form(
                "/users",
                &[("email", "MENTOR@tongxing.test"), ("name", "重复"), ("role", "bureau_admin")],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("该邮箱已被其他账号使用") && html.contains("id=\"e-email\""));
        assert!(html.contains("value=\"MENTOR@tongxing.test\""), "typed value kept");

        let res = app
            .post_form(
                "/users",
                &[("email", "head@x.cn"), ("name", "校长"), ("role", "school_admin"), ("school_id", "")],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("请从列表中选择"));
        assert!(html.contains("f-school_id\" name=\"school_id\" aria-describedby=\"h-school_id\" aria-invalid=\"true\""));

        let mentee = w.mentee.id.to_string();
        let res = app
            .post_form(
                "/users",
                &[("email", "second@x.cn"), ("name", "姚成琳"), ("role", "teacher"), ("teacher_id", mentee.as_str())],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("该教师已有账号"));
        assert!(html.contains("姚成琳</strong>（三元中学）"), "the typed teacher is named");

        let res = app
            .post_form(
                "/users",
                &[("email", "nobody@x.cn"), ("name", "无名"), ("role", "teacher"), ("teacher_id", "999999")],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(res.into_string().await.unwrap().contains("教师不存在"));

        let res = app
            .post_form(
                "/users",
                &[("email", "bad"), ("name", ""), ("role", "king"), ("password", "short")],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        for message in ["电子邮箱格式不正确", "此项必填", "请从列表中选择", "密码至少 10 个字符"] {
            assert!(html.contains(message), "missing {message}");
        }
        assert!(!html.contains("value=\"short\""), "passwords are never echoed");

        // Binding a teacher who has an account to another account, on edit.
        let res = app
            .post_form(
                &format!("/users/{}", w.mentor_user.id),
                &[("email", "mentor@tongxing.test"), ("name", "李明"), ("role", "teacher"), ("teacher_id", mentee.as_str())],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert_eq!(user_row(&app, w.mentor_user.id).await.teacher_id, Some(w.mentor.id));
        assert_eq!(app.count("users").await, before);
        assert_eq!(app.count("outbox").await, 0, "no mail for refused accounts");
    })
    .await;
}

#[rocket::async_test]
async fn bureau_edits_an_account() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let path = format!("/users/{}/edit", w.rural_admin.id);
        let (status, html) = app.get_html(&path).await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("value=\"rural@tongxing.test\""));
        assert!(html.contains(&format!("value=\"{}\" selected", w.rural.id)));
        let (status, _) = app.get_html(&format!("/users/{}", w.rural_admin.id)).await;
        assert_eq!(
            status,
            Status::SeeOther,
            "the account page is its edit page"
        );
        let school = w.rural.id.to_string();
        let res = app
            .post_form(
                &format!("/users/{}", w.rural_admin.id),
                &[
                    ("email", "rural@tongxing.test"),
                    ("name", "龙校长"),
                    ("role", "school_admin"),
                    ("school_id", school.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(user_row(&app, w.rural_admin.id).await.name, "龙校长");
        // The bureau cannot take away its own role.
        let mentor = w.mentor.id.to_string();
        let res = app
            .post_form(
                &format!("/users/{}", w.bureau.id),
                &[
                    ("email", "bureau@tongxing.test"),
                    ("name", "x"),
                    ("role", "teacher"),
                    ("teacher_id", mentor.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("不能更改自己的角色")
        );
        assert_eq!(user_row(&app, w.bureau.id).await.role, "bureau_admin");
        for path in ["/users/999999/edit", "/users/abc/edit", "/users/abc"] {
            let (status, _) = app.get_html(path).await;
            assert_eq!(status, Status::NotFound, "{path}");
        }
    })
    .await;
}

#[rocket::async_test]
async fn deactivation_ends_the_session_and_blocks_sign_in() {
    each_db(|app| async move {
        let w = world(&app).await;
        // The mentee signs in; keep their session cookie as another browser would.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let session: Cookie<'static> = app
            .client
            .cookies()
            .get("tx_session")
            .expect("session cookie")
            .clone()
            .into_owned();
        let res = app.client.get("/").cookie(session.clone()).dispatch().await;
        assert_eq!(res.status(), Status::Ok, "that browser is still signed in");

        app.login("bureau@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(&format!("/users/{}/deactivate", w.mentee_user.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app
            .get_html(res.headers().get_one("Location").unwrap())
            .await;
        assert!(html.contains("已停用"));
        assert!(!user_row(&app, w.mentee_user.id).await.is_active);
        app.logout().await;

        let res = app.client.get("/").cookie(session.clone()).dispatch().await;
        assert_eq!(res.status(), Status::SeeOther);
        assert!(
            res.headers()
                .get_one("Location")
                .unwrap()
                .starts_with("/login")
        );
        assert_eq!(
            app.login("mentee@tongxing.test", PASSWORD).await,
            Status::UnprocessableEntity
        );
        // A reset link is not sent to a deactivated account.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(&format!("/users/{}/send-reset", w.mentee_user.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app
            .get_html(res.headers().get_one("Location").unwrap())
            .await;
        assert!(html.contains("账号已停用"));
        assert_eq!(app.count("outbox").await, 0);
        // Reactivated, they can sign in again.
        let res = app
            .post_form(&format!("/users/{}/reactivate", w.mentee_user.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        app.logout().await;
        assert_eq!(
            app.login("mentee@tongxing.test", PASSWORD).await,
            Status::SeeOther
        );
    })
    .await;
}

#[rocket::async_test]
async fn bureau_cannot_deactivate_itself() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html(&format!("/users/{}/edit", w.bureau.id)).await;
        assert!(!html.contains("/deactivate"), "no button for oneself");
        let res = app
            .post_form(&format!("/users/{}/deactivate", w.bureau.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (status, html) = app
            .get_html(res.headers().get_one("Location").unwrap())
            .await;
        assert_eq!(status, Status::Ok, "still signed in");
        assert!(html.contains("不能停用自己的账号"));
        assert!(user_row(&app, w.bureau.id).await.is_active);
    })
    .await;
}

#[rocket::async_test]
async fn only_the_bureau_reaches_user_administration() {
    each_db(|app| async move {
        let w = world(&app).await;
        let target = w.mentee_user.id;
        for email in ["rural@tongxing.test", "mentor@tongxing.test"] {
            app.login(email, PASSWORD).await;
            for path in [
                "/users".to_string(),
                "/users?role=teacher".to_string(),
                "/users/new".to_string(),
                format!("/users/{target}"),
                format!("/users/{target}/edit"),
                "/users/999999/edit".to_string(),
                "/users/abc/edit".to_string(),
            ] {
                let (status, _) = app.get_html(&path).await;
                assert_eq!(status, Status::Forbidden, "{email} GET {path}");
            }
            let fields = [
                ("email", "x@y.cn"),
                ("name", "x"),
                ("role", "bureau_admin"),
                ("password", PASSWORD),
            ];
            for path in [
                "/users".to_string(),
                format!("/users/{target}"),
                format!("/users/{target}/deactivate"),
                format!("/users/{target}/reactivate"),
                format!("/users/{target}/send-reset"),
            ] {
                let res = app.post_form(&path, &fields).await;
                assert_eq!(res.status(), Status::Forbidden, "{email} POST {path}");
            }
            app.logout().await;
        }
        let mentee = user_row(&app, target).await;
        assert!(
            mentee.is_active && mentee.role == "teacher" && mentee.email == "mentee@tongxing.test"
        );
        assert_eq!(users_with_email(&app, "x@y.cn").await, 0);
        assert_eq!(app.count("outbox").await, 0);
        // Signed out: to the login page.
        let (status, _) = app.get_html("/users").await;
        assert_eq!(status, Status::SeeOther);
    })
    .await;
}

#[rocket::async_test]
async fn the_user_list_searches_filters_and_pages() {
    each_db(|app| async move {
        world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/users?role=teacher").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("mentor@tongxing.test") && html.contains("mentee@tongxing.test"));
        assert!(!html.contains("rural@tongxing.test") && html.contains("共 2 条"));
        assert!(html.contains("姚成琳"), "the bound teacher is named");
        let (_, html) = app.get_html(&format!("/users?q={}", enc("RURAL"))).await;
        assert!(html.contains("rural@tongxing.test") && html.contains("共 1 条"));
        let (_, html) = app.get_html("/users?per_page=2&page=3").await;
        assert!(html.contains("共 5 条") && html.contains("第 3 页 / 3"));
        for query in ["page=0", "page=abc", "per_page=100000", "role=king"] {
            let (status, html) = app.get_html(&format!("/users?{query}")).await;
            assert_eq!(status, Status::Ok, "{query}");
            assert!(html.contains("共 5 条"), "{query}");
        }
        let (status, html) = app.get_html("/users?page=999999").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("这一页没有记录"));
        let (_, html) = app.get_html(&format!("/users?q={}", enc("无此人"))).await;
        assert!(html.contains("没有符合条件的用户"));
    })
    .await;
}

#[rocket::async_test]
async fn user_pages_speak_english() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/users?lang=en").await;
        assert_eq!(status, Status::Ok);
        assert!(
            html.contains("Users")
                && html.contains("Last sign-in")
                && html.contains("School administrator")
        );
        let (_, html) = app.get_html("/users/new?lang=en").await;
        assert!(html.contains("name or staff number") && html.contains("invitation mail"));
        let (_, html) = app
            .get_html(&format!("/users/{}/edit?lang=en", w.mentor_user.id))
            .await;
        assert!(html.contains("Send a password-reset mail"));
    })
    .await;
}

/// The account form binds a teacher chosen by name, not by a typed id (issue 11 item 8).
#[rocket::async_test]
async fn an_account_is_bound_to_a_teacher_found_by_name() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let before = app.count("users").await;
        let res = app
            .post_form(
                "/users",
                &[
                    ("email", "nobody@x.cn"),
                    ("name", "无名"),
                    ("role", "teacher"),
                    ("teacher_q", "赵无名"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap_or_default();
        assert!(html.contains("没有找到姓名或工号为“赵无名”的在职教师。"));
        assert!(html.contains("value=\"nobody@x.cn\""), "typed text kept");
        assert_eq!(app.count("users").await, before, "nothing saved");
        // 姚成琳's second account is refused by the one-account rule, but the name is found;
        // a new teacher gets an account by name.
        let t = app
            .teacher(&w.bureau_actor, w.rural.id, "何早", "R002")
            .await;
        let res = app
            .post_form(
                "/users",
                &[
                    ("email", "hezao@x.cn"),
                    ("name", "何早"),
                    ("role", "teacher"),
                    ("teacher_q", "何早"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let bound: i64 = app
            .scalar("SELECT teacher_id AS n FROM users WHERE email = 'hezao@x.cn'")
            .await;
        assert_eq!(bound, t.id);
    })
    .await;
}
