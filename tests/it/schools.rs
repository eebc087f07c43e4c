//! Schools: validation, uniqueness, who may edit, lists.
use rocket::http::Status;

use crate::common::{PASSWORD, each_db, world};

fn school_fields<'a>(name: &'a str, code: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("code", code),
        ("kind", "rural"),
        ("stage", "primary"),
        ("district", "连州市"),
        ("township", "龙坪镇"),
        ("student_count", "320"),
    ]
}

#[rocket::async_test]
async fn bureau_creates_a_school_and_sees_it_listed() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let res = app
            .post_form("/schools", &school_fields("龙塘小学", "4418821001"))
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (status, html) = app
            .get_html(&format!("/schools?q={}", crate::common::enc("龙塘")))
            .await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("龙塘小学"));
        assert!(html.contains("共 1 条"));
    })
    .await;
}

#[rocket::async_test]
async fn each_bad_field_gets_its_own_message_and_nothing_is_saved() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let long = "长".repeat(101);
        let res = app
            .post_form(
                "/schools",
                &[
                    ("name", long.as_str()),
                    ("code", "12"),
                    ("kind", "castle"),
                    ("stage", ""),
                    ("district", ""),
                    ("phone", "call me"),
                    ("student_count", "-5"),
                    ("teacher_count", "many"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        for message in [
            "最多 100 个字符",
            "学校标识码应为 4–20 位字母或数字",
            "请从列表中选择",
            "此项必填",
            "电话只能包含数字",
            "请输入 0 到 100000 之间的整数",
            "请输入整数",
        ] {
            assert!(html.contains(message), "missing {message}");
        }
        assert!(html.contains("value=\"call me\""), "typed value kept");
        assert_eq!(app.count("schools").await, 0);
    })
    .await;
}

#[rocket::async_test]
async fn duplicate_code_is_an_error_on_the_code_field() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        assert_eq!(
            app.post_form("/schools", &school_fields("甲", "4418821001"))
                .await
                .status(),
            Status::SeeOther
        );
        let res = app
            .post_form("/schools", &school_fields("乙", "4418821001"))
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("该学校标识码已存在")
        );
        assert_eq!(app.count("schools").await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn school_admin_edits_only_their_own_school() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let own = format!("/schools/{}", w.rural.id);
        let other = format!("/schools/{}", w.urban.id);
        assert_eq!(
            app.post_form(&own, &school_fields("三元中学（新）", "4418820002"))
                .await
                .status(),
            Status::SeeOther
        );
        let res = app
            .post_form(&other, &school_fields("改名", "4418820001"))
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        let (_, html) = app.get_html(&other).await;
        assert!(html.contains("连州市实验学校"), "unchanged");
        // Creating schools is the bureau's.
        assert_eq!(
            app.post_form("/schools", &school_fields("新", "4418827777"))
                .await
                .status(),
            Status::Forbidden
        );
        assert_eq!(app.count("schools").await, 2);
    })
    .await;
}

#[rocket::async_test]
async fn a_school_admin_cannot_change_the_bureaus_fields() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let mut fields = school_fields("改名中学", "9999999999");
        fields.push(("principal", "新校长"));
        fields.push(("phone", "0564-123456"));
        let res = app
            .post_form(&format!("/schools/{}", w.rural.id), &fields)
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let school = tongxing::domain::schools::get(&app.db, &w.bureau_actor, w.rural.id)
            .await
            .unwrap();
        assert_eq!(
            (
                school.name.as_str(),
                school.code.as_str(),
                school.kind.as_str()
            ),
            ("三元中学", "4418820002", "rural"),
            "kept"
        );
        assert_eq!(
            (school.principal.as_str(), school.phone.as_str()),
            ("新校长", "0564-123456"),
            "profile updated"
        );
        let (_, html) = app.get_html(&format!("/schools/{}/edit", w.rural.id)).await;
        assert!(html.contains("由教育局维护") && !html.contains("name=\"code\""));
    })
    .await;
}

#[rocket::async_test]
async fn deactivating_a_teacher_ends_their_account() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(&format!("/teachers/{}/deactivate", w.mentee.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        app.logout().await;
        assert_eq!(
            app.login("mentee@tongxing.test", PASSWORD).await,
            Status::UnprocessableEntity
        );
        assert_eq!(
            app.login("mentor@tongxing.test", PASSWORD).await,
            Status::SeeOther,
            "others unaffected"
        );
    })
    .await;
}

#[rocket::async_test]
async fn search_wildcards_typed_by_users_are_plain_characters() {
    each_db(|app| async move {
        world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        for typed in ["_", "%", "\\"] {
            let (status, html) = app
                .get_html(&format!("/schools?q={}", crate::common::enc(typed)))
                .await;
            assert_eq!(status, Status::Ok);
            assert!(html.contains("共 0 条"), "{typed} matched something");
        }
        let (_, html) = app
            .get_html(&format!("/schools?q={}", crate::common::enc("三元")))
            .await;
        assert!(html.contains("共 1 条"));
    })
    .await;
}
