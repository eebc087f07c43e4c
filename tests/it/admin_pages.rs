//! The bureau's settings, audit log and failed-mail pages; everyone's notifications and
//! the unread badge.
use chrono::Utc;
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use tongxing::domain::schools::{self, SchoolForm};
use tongxing::domain::settings;
use tongxing::entities::{notifications, outbox};

use crate::common::{PASSWORD, TestApp, each_db, world};

#[rocket::async_test]
async fn settings_are_validated_and_saved() {
    each_db(|app| async move {
        let _w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/settings").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("value=\"2\"") && html.contains("value=\"20\""));
        assert!(html.contains("每位师傅的徒弟数"));

        let bad = [
            ("max_receivers_per_supporter", "99"),
            ("max_mentees_per_mentor", "abc"),
            ("excellent_quota_percent", "30"),
        ];
        let res = app.post_form("/settings", &bad).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("请输入 1 到 20 之间的整数"));
        assert!(html.contains("请输入整数"));
        assert!(
            html.contains("value=\"99\"") && html.contains("value=\"abc\""),
            "typed input kept"
        );
        assert_eq!(app.count("settings").await, 0, "nothing saved");
        assert_eq!(
            settings::load(&app.db).await.unwrap(),
            settings::Settings::default()
        );

        let good = [
            ("max_receivers_per_supporter", "3"),
            ("max_mentees_per_mentor", "4"),
            ("excellent_quota_percent", "25"),
        ];
        let res = app.post_form("/settings", &good).await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app.get_html("/settings").await;
        assert!(
            html.contains("已保存") || html.contains("flash"),
            "flash shown"
        );
        let s = settings::load(&app.db).await.unwrap();
        assert_eq!(
            (
                s.max_receivers_per_supporter,
                s.max_mentees_per_mentor,
                s.excellent_quota_percent
            ),
            (3, 4, 25)
        );
        let (_, html) = app.get_html("/settings?lang=en").await;
        assert!(html.contains("Mentees per mentor") && html.contains("value=\"4\""));
        app.logout().await;

        for email in ["urban@tongxing.test", "mentor@tongxing.test"] {
            app.login(email, PASSWORD).await;
            let (status, html) = app.get_html("/settings").await;
            assert_eq!(status, Status::Forbidden, "{email}");
            assert!(
                !html.contains("href=\"/settings\""),
                "no nav link for {email}"
            );
            let res = app
                .post_form("/settings", &bad.map(|(k, _)| (k, "1")))
                .await;
            assert_eq!(res.status(), Status::Forbidden);
            assert_eq!(
                settings::load(&app.db).await.unwrap(),
                s,
                "{email}: unchanged"
            );
            app.logout().await;
        }
    })
    .await;
}

fn rows_in(html: &str, class: &str) -> usize {
    html.matches(&format!("class=\"{class}\"")).count()
}

#[rocket::async_test]
async fn audit_log_filters_by_entity_actor_and_date() {
    each_db(|app| async move {
        let w = world(&app).await;
        // The urban admin edits their school, writing markup into a field.
        let urban_actor = tongxing::domain::users::actor_of(&w.urban_admin);
        let mut form = SchoolForm::from_model(&w.urban);
        form.principal = "<script>alert(1)</script>".into();
        schools::update(&app.db, &urban_actor, w.urban.id, &form)
            .await
            .unwrap();
        let saved = settings::SettingsForm {
            max_receivers_per_supporter: "5".into(),
            max_mentees_per_mentor: "2".into(),
            excellent_quota_percent: "20".into(),
        };
        settings::save(&app.db, &w.bureau_actor, &saved)
            .await
            .unwrap();

        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/audit").await;
        assert_eq!(status, Status::Ok);
        let total = app.count("audit_log").await as usize;
        assert!(total >= 8 && rows_in(&html, "audit-row") == total.min(20));
        assert!(
            html.contains("<option value=\"settings\""),
            "entities in use"
        );

        let (_, html) = app.get_html("/audit?entity=settings").await;
        assert_eq!(rows_in(&html, "audit-row"), 1);
        assert!(
            html.contains("<code>max_receivers_per_supporter</code>: <del>2</del> → <ins>5</ins>"),
            "{html}"
        );
        assert!(
            !html.contains("<code>max_mentees_per_mentor</code>"),
            "unchanged keys hidden"
        );

        let (_, html) = app.get_html("/audit?actor=urban").await;
        assert_eq!(rows_in(&html, "audit-row"), 1, "by e-mail text");
        assert!(html.contains("alert(1)"), "the change is shown, escaped");
        assert!(!html.contains("<script>alert"));
        assert!(html.contains(&format!("href=\"/schools/{}\"", w.urban.id)));
        let (_, html) = app
            .get_html(&format!("/audit?actor={}&entity=school", w.urban_admin.id))
            .await;
        assert_eq!(rows_in(&html, "audit-row"), 1, "by id");
        let (_, html) = app
            .get_html(&format!("/audit?entity=school&entity_id={}", w.rural.id))
            .await;
        assert_eq!(rows_in(&html, "audit-row"), 1, "by entity id");

        let today = Utc::now().date_naive();
        let tomorrow = today.succ_opt().unwrap();
        let yesterday = today.pred_opt().unwrap();
        let (_, html) = app.get_html(&format!("/audit?from={tomorrow}")).await;
        assert_eq!(rows_in(&html, "audit-row"), 0);
        let (_, html) = app.get_html(&format!("/audit?to={yesterday}")).await;
        assert_eq!(rows_in(&html, "audit-row"), 0);
        let (_, html) = app
            .get_html(&format!("/audit?from={today}&to={today}&entity=settings"))
            .await;
        assert_eq!(rows_in(&html, "audit-row"), 1);
        let (_, html) = app.get_html("/audit?entity=settings&lang=en").await;
        assert!(html.contains("Audit log") && html.contains("Changes"));
        assert!(
            html.contains(">Changed<") && html.contains(">Settings<"),
            "words translated"
        );
        app.logout().await;

        for email in ["urban@tongxing.test", "mentor@tongxing.test"] {
            app.login(email, PASSWORD).await;
            let (status, _) = app.get_html("/audit").await;
            assert_eq!(status, Status::Forbidden, "{email}");
            app.logout().await;
        }
    })
    .await;
}

async fn notice(app: &TestApp, user_id: i64, batch: &str, link: &str) -> notifications::Model {
    notifications::ActiveModel {
        user_id: Set(user_id),
        kind: Set("test".into()),
        message_key: Set("secondments-batch-n".into()),
        args: Set(serde_json::json!({ "batch": batch }).to_string()),
        link: Set(link.into()),
        read_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
}

fn badge(html: &str) -> Option<String> {
    let start = html.find("class=\"badge\"")?;
    let rest = &html[start..];
    let open = rest.find('>')? + 1;
    let close = rest.find("</span>")?;
    Some(rest[open..close].to_string())
}

#[rocket::async_test]
async fn notifications_are_own_and_marked_read() {
    each_db(|app| async move {
        let w = world(&app).await;
        let first = notice(&app, w.mentor_user.id, "7", "/secondments").await;
        let _second = notice(&app, w.mentor_user.id, "8", "/schools").await;
        let theirs = notice(&app, w.mentee_user.id, "9", "/schools").await;

        app.login("mentor@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/notifications").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("第 7 批") && html.contains("第 8 批"));
        assert!(!html.contains("第 9 批"), "only own");
        assert_eq!(rows_in(&html, "unread"), 2);
        assert_eq!(badge(&html).as_deref(), Some("2"));

        // Another user's notice: 404, still unread.
        let res = app
            .post_form(&format!("/notifications/{}/read", theirs.id), &[])
            .await;
        assert_eq!(res.status(), Status::NotFound);
        let row = notifications::Entity::find_by_id(theirs.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(row.read_at.is_none());

        let res = app
            .post_form(&format!("/notifications/{}/read", first.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(res.headers().get_one("Location"), Some("/secondments"));
        let (_, html) = app.get_html("/").await;
        assert_eq!(badge(&html).as_deref(), Some("1"));

        let res = app.post_form("/notifications/read-all", &[]).await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app.get_html("/notifications?lang=en").await;
        assert_eq!(badge(&html), None);
        assert_eq!(rows_in(&html, "unread"), 0);
        assert!(html.contains("Notifications") && html.contains("Batch 8"));
        let unread = notifications::Entity::find()
            .filter(notifications::Column::ReadAt.is_null())
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(unread.len(), 1, "the other user's stays unread");
        assert_eq!(unread[0].id, theirs.id);
    })
    .await;
}

#[rocket::async_test]
async fn failed_mails_are_listed_and_retried() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.deliver_mail().await;
        let before = app.mailer.sent.lock().unwrap().len();
        let mail = tongxing::mail::notice(
            tongxing::i18n::Lang::Zh,
            "李明",
            "测试通知",
            "正文",
            "http://tongxing.test/",
        );
        let id = tongxing::domain::notifications::queue_mail(&app.db, "nobody@tongxing.test", mail)
            .await
            .unwrap();
        let mut row = outbox::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into_active_model();
        row.failed_at = Set(Some(Utc::now()));
        row.attempts = Set(8);
        row.last_error = Set(Some("550 <mailbox> unavailable".into()));
        row.update(&app.db).await.unwrap();

        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/mail-failures").await;
        assert_eq!(status, Status::Ok);
        assert_eq!(rows_in(&html, "mail-row"), 1);
        assert!(html.contains("nobody@tongxing.test") && html.contains("测试通知"));
        assert!(
            html.contains("mailbox") && !html.contains("<mailbox>"),
            "error shown, escaped"
        );
        let (_, html) = app.get_html("/mail-failures?lang=en").await;
        assert!(html.contains("Failed mails") && html.contains("Send again"));
        app.logout().await;

        app.login("urban@tongxing.test", PASSWORD).await;
        let (status, _) = app.get_html("/mail-failures").await;
        assert_eq!(status, Status::Forbidden);
        let res = app
            .post_form(&format!("/mail-failures/{id}/retry"), &[])
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        let still = outbox::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(still.failed_at.is_some());
        app.logout().await;

        app.login("bureau@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(&format!("/mail-failures/{id}/retry"), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let row = outbox::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(row.failed_at.is_none());
        assert_eq!(row.attempts, 0);
        let (_, html) = app.get_html("/mail-failures").await;
        assert_eq!(rows_in(&html, "mail-row"), 0);
        let sent = app.deliver_mail().await;
        assert_eq!(sent.len(), before + 1);
        assert!(sent.iter().any(|m| m.to == "nobody@tongxing.test"));
        // Not failed any more: nothing to retry.
        let res = app
            .post_form(&format!("/mail-failures/{id}/retry"), &[])
            .await;
        assert_eq!(res.status(), Status::NotFound);
        let _ = w;
    })
    .await;
}
