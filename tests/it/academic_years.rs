//! Academic years: the name and date rules, exactly one current year, deletion with a
//! confirmation, who may change them, both languages.
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tongxing::entities::academic_years as years;

use crate::common::{PASSWORD, TestApp, each_db, world};

fn year_fields<'a>(name: &'a str, starts: &'a str, ends: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("name", name), ("starts_on", starts), ("ends_on", ends)]
}

async fn year_named(app: &TestApp, name: &str) -> years::Model {
    years::Entity::find()
        .filter(years::Column::Name.eq(name))
        .one(&app.db)
        .await
        .expect("query")
        .expect("year row")
}

async fn current_count(app: &TestApp) -> u64 {
    years::Entity::find()
        .filter(years::Column::IsCurrent.eq(true))
        .count(&app.db)
        .await
        .expect("count")
}

#[rocket::async_test]
async fn names_and_dates_are_checked() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        for name in ["2026-2028", "2026", "abcd-efgh", "2026—2027", ""] {
            let res = app
                .post_form(
                    "/academic-years",
                    &year_fields(name, "2026-09-01", "2027-08-31"),
                )
                .await;
            assert_eq!(res.status(), Status::UnprocessableEntity, "{name}");
            let html = res.into_string().await.unwrap();
            assert!(
                html.contains("学年应写作“2026-2027”这样相邻的两年"),
                "{name}"
            );
        }
        let res = app
            .post_form(
                "/academic-years",
                &year_fields("2026-2027", "2026-09-01", "2026-08-31"),
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("结束日期必须晚于开始日期"));
        assert!(html.contains("value=\"2026-08-31\""), "typed date kept");
        let res = app
            .post_form(
                "/academic-years",
                &year_fields("2026-2027", "2026-13-01", "not a date"),
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("日期格式应为 年-月-日")
        );
        let res = app
            .post_form(
                "/academic-years",
                &year_fields("2026-2027", "2025-09-01", "2026-08-31"),
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("开始日期应在 2026 年")
        );
        let mut fields = year_fields("2026-2027", "2026-09-01", "2027-08-31");
        fields.push(("second_term_starts_on", "2027-09-15"));
        let res = app.post_form("/academic-years", &fields).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("第二学期开始日期必须在学年之内")
        );
        assert_eq!(app.count("academic_years").await, 0);
    })
    .await;
}

#[rocket::async_test]
async fn exactly_one_year_is_current() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let (status, html) = app.get_html("/academic-years").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("还没有学年"));
        let (_, html) = app.get_html("/academic-years/new").await;
        assert!(html.contains("type=\"date\""), "dates are date inputs");

        // The first year is current without being asked.
        let res = app
            .post_form(
                "/academic-years",
                &year_fields("2026-2027", "2026-09-01", "2027-08-31"),
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let first = year_named(&app, "2026-2027").await;
        assert!(first.is_current);
        assert_eq!(
            first.second_term_starts_on.to_string(),
            "2027-02-15",
            "default second term"
        );

        let res = app
            .post_form(
                "/academic-years",
                &year_fields("2027-2028", "2027-09-01", "2028-08-31"),
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let second = year_named(&app, "2027-2028").await;
        assert!(!second.is_current);
        assert_eq!(current_count(&app).await, 1);

        let (_, html) = app.get_html("/academic-years").await;
        assert!(html.contains("2026—2027学年") && html.contains("2027—2028学年"));
        assert!(html.contains("2026年9月1日") && html.contains("当前学年"));
        assert!(html.contains(&format!("/academic-years/{}/make-current", second.id)));
        assert!(!html.contains(&format!("/academic-years/{}/make-current", first.id)));

        let res = app
            .post_form(&format!("/academic-years/{}/make-current", second.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app.get_html("/academic-years").await;
        assert!(html.contains("已设为当前学年"));
        assert!(year_named(&app, "2027-2028").await.is_current);
        assert!(!year_named(&app, "2026-2027").await.is_current);
        assert_eq!(current_count(&app).await, 1);

        // A new year marked current takes over.
        let mut fields = year_fields("2028-2029", "2028-09-01", "2029-08-31");
        fields.push(("is_current", "true"));
        assert_eq!(
            app.post_form("/academic-years", &fields).await.status(),
            Status::SeeOther
        );
        assert!(year_named(&app, "2028-2029").await.is_current);
        assert_eq!(current_count(&app).await, 1);

        // The current year cannot be unset by editing it.
        let third = year_named(&app, "2028-2029").await;
        let res = app
            .post_form(
                &format!("/academic-years/{}", third.id),
                &year_fields("2028-2029", "2028-09-01", "2029-08-31"),
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("必须有一个当前学年")
        );
        assert!(year_named(&app, "2028-2029").await.is_current);

        // Editing the dates of a year keeps it as it was otherwise.
        let (status, html) = app
            .get_html(&format!("/academic-years/{}/edit", first.id))
            .await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("value=\"2026-09-01\""));
        let res = app
            .post_form(
                &format!("/academic-years/{}", first.id),
                &year_fields("2026-2027", "2026-08-31", "2027-08-31"),
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(
            year_named(&app, "2026-2027").await.starts_on.to_string(),
            "2026-08-31"
        );
        assert_eq!(current_count(&app).await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn overlapping_and_duplicate_years_are_refused() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let res = app
            .post_form(
                "/academic-years",
                &year_fields("2026-2027", "2026-09-01", "2027-08-31"),
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let res = app
            .post_form(
                "/academic-years",
                &year_fields("2027-2028", "2027-08-01", "2028-07-31"),
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("日期与学年 2026-2027 重叠"), "{html}");
        assert!(
            html.contains("id=\"e-starts_on\""),
            "the error is on the start date"
        );
        assert_eq!(app.count("academic_years").await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn deleting_needs_confirmation_and_never_takes_the_current_year() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        for (name, starts, ends) in [
            ("2026-2027", "2026-09-01", "2027-08-31"),
            ("2027-2028", "2027-09-01", "2028-08-31"),
        ] {
            let res = app
                .post_form("/academic-years", &year_fields(name, starts, ends))
                .await;
            assert_eq!(res.status(), Status::SeeOther);
        }
        let current = year_named(&app, "2026-2027").await;
        let other = year_named(&app, "2027-2028").await;

        let (status, html) = app
            .get_html(&format!("/academic-years/{}/delete", other.id))
            .await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("我确认删除2027—2028学年") && html.contains("name=\"confirm\""));
        let res = app
            .post_form(&format!("/academic-years/{}/delete", other.id), &[])
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("请勾选确认后再提交")
        );
        assert_eq!(app.count("academic_years").await, 2);

        let res = app
            .post_form(
                &format!("/academic-years/{}/delete", current.id),
                &[("confirm", "true")],
            )
            .await;
        assert_eq!(res.status(), Status::Conflict);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("不能删除当前学年"));
        assert_eq!(app.count("academic_years").await, 2);

        let res = app
            .post_form(
                &format!("/academic-years/{}/delete", other.id),
                &[("confirm", "true")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app.get_html("/academic-years").await;
        assert!(html.contains("已删除") && !html.contains("2027—2028学年"));
        assert_eq!(app.count("academic_years").await, 1);

        for path in [
            "/academic-years/999999/edit",
            "/academic-years/abc/edit",
            "/academic-years/999999/delete",
        ] {
            let (status, _) = app.get_html(path).await;
            assert_eq!(status, Status::NotFound, "{path}");
        }
        let res = app
            .post_form("/academic-years/999999/delete", &[("confirm", "true")])
            .await;
        assert_eq!(res.status(), Status::NotFound);
    })
    .await;
}

#[rocket::async_test]
async fn everyone_reads_years_only_the_bureau_changes_them() {
    each_db(|app| async move {
        let w = world(&app).await;
        let form = tongxing::domain::academic_years::YearForm {
            name: "2026-2027".into(),
            starts_on: "2026-09-01".into(),
            ends_on: "2027-08-31".into(),
            ..Default::default()
        };
        tongxing::domain::academic_years::create(&app.db, &w.bureau_actor, &form)
            .await
            .unwrap();
        let form = tongxing::domain::academic_years::YearForm {
            name: "2027-2028".into(),
            starts_on: "2027-09-01".into(),
            ends_on: "2028-08-31".into(),
            ..Default::default()
        };
        let other = tongxing::domain::academic_years::create(&app.db, &w.bureau_actor, &form)
            .await
            .unwrap();
        for email in ["rural@tongxing.test", "mentee@tongxing.test"] {
            app.login(email, PASSWORD).await;
            let (status, html) = app.get_html("/academic-years").await;
            assert_eq!(status, Status::Ok, "{email} reads");
            assert!(html.contains("2026—2027学年"));
            assert!(!html.contains("/academic-years/new") && !html.contains("make-current"));
            for path in [
                "/academic-years/new".to_string(),
                format!("/academic-years/{}/edit", other.id),
                format!("/academic-years/{}/delete", other.id),
            ] {
                let (status, _) = app.get_html(&path).await;
                assert_eq!(status, Status::Forbidden, "{email} GET {path}");
            }
            let fields = [
                ("name", "2028-2029"),
                ("starts_on", "2028-09-01"),
                ("ends_on", "2029-08-31"),
                ("is_current", "true"),
                ("confirm", "true"),
            ];
            for path in [
                "/academic-years".to_string(),
                format!("/academic-years/{}", other.id),
                format!("/academic-years/{}/make-current", other.id),
                format!("/academic-years/{}/delete", other.id),
            ] {
                let res = app.post_form(&path, &fields).await;
                assert_eq!(res.status(), Status::Forbidden, "{email} POST {path}");
            }
            app.logout().await;
        }
        assert_eq!(app.count("academic_years").await, 2);
        assert!(year_named(&app, "2026-2027").await.is_current);
        assert_eq!(
            year_named(&app, "2027-2028").await.starts_on.to_string(),
            "2027-09-01"
        );
    })
    .await;
}

#[rocket::async_test]
async fn year_pages_speak_english() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let res = app
            .post_form(
                "/academic-years",
                &year_fields("2026-2027", "2026-09-01", "2027-08-31"),
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let id = year_named(&app, "2026-2027").await.id;
        let (status, html) = app.get_html("/academic-years?lang=en").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("Academic years") && html.contains("2026–2027"));
        assert!(html.contains("1 Sep 2026") && html.contains("Current year"));
        let (_, html) = app.get_html("/academic-years/new?lang=en").await;
        assert!(html.contains("New academic year") && html.contains("Write it as 2026-2027"));
        let (_, html) = app
            .get_html(&format!("/academic-years/{id}/delete?lang=en"))
            .await;
        assert!(html.contains("I confirm deleting 2026–2027."));
        let res = app
            .post_form("/academic-years", &year_fields("2026-2028", "", ""))
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("Write the academic year as two consecutive years")
        );
    })
    .await;
}

/// A year that records use cannot be deleted: the API answers 409 with a message that
/// counts them (not a foreign-key 500), the page says the same, and the year stays.
#[rocket::async_test]
async fn a_year_with_records_is_not_deleted() {
    use rocket::http::Method;
    each_db(|app| async move {
        let (w, _current, _) = crate::teacher_pairings::setup(&app).await;
        let next = crate::teacher_pairings::year(&app, &w, "2027-2028", false).await;
        crate::teacher_pairings::paired(&app, &w, w.mentor.id, w.mentee.id, "语文", next).await;
        let empty = crate::teacher_pairings::year(&app, &w, "2028-2029", false).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let years = app.count("academic_years").await;

        let (status, body) = app
            .api(
                Method::Delete,
                &format!("/api/v1/academic-years/{next}"),
                None,
            )
            .await;
        assert_eq!(status, Status::Conflict, "{body}");
        assert_eq!(body["error"]["code"], "conflict", "{body}");
        assert!(
            body.to_string()
                .contains("该学年已有 1 个教师结对和 0 条支教记录，不能删除"),
            "{body}"
        );
        assert_eq!(app.count("academic_years").await, years);

        let res = app
            .post_form(
                &format!("/academic-years/{next}/delete"),
                &[("confirm", "true")],
            )
            .await;
        assert_eq!(res.status(), Status::Conflict);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("该学年已有 1 个教师结对"), "{html}");
        assert_eq!(app.count("academic_years").await, years);

        // A year nothing uses is deleted.
        let (status, _) = app
            .api(
                Method::Delete,
                &format!("/api/v1/academic-years/{empty}"),
                None,
            )
            .await;
        assert_eq!(status, Status::NoContent);
        assert_eq!(app.count("academic_years").await, years - 1);
    })
    .await;
}

/// A year's secondment plan (issue 15: the seed's 129 teachers planned): optional, a whole
/// number from 0 to 100000, kept through the form and the API; anything else is refused
/// with the field named and nothing changed.
#[rocket::async_test]
async fn a_year_carries_its_secondment_plan() {
    use rocket::http::Method;
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let (_, html) = app.get_html("/academic-years/new").await;
        assert!(html.contains("name=\"secondments_planned\""), "{html}");
        assert!(html.contains("计划支教教师数"));
        for (typed, says) in [
            ("-1", "请输入 0 到 100000 之间的整数。"),
            ("100001", "请输入 0 到 100000 之间的整数。"),
            ("abc", "请输入整数。"),
            ("1.5", "请输入整数。"),
            ("99999999999999999999", "请输入整数。"),
        ] {
            let mut fields = year_fields("2026-2027", "2026-09-01", "2027-07-10");
            fields.push(("secondments_planned", typed));
            let res = app.post_form("/academic-years", &fields).await;
            assert_eq!(res.status(), Status::UnprocessableEntity, "{typed}");
            let html = res.into_string().await.unwrap();
            assert!(html.contains(says), "{typed}");
            assert!(
                html.contains(&format!("value=\"{typed}\"")),
                "typed kept: {typed}"
            );
            assert_eq!(app.count("academic_years").await, 0, "{typed}");
        }
        // Empty: no plan.
        let res = app
            .post_form(
                "/academic-years",
                &year_fields("2026-2027", "2026-09-01", "2027-07-10"),
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let year = year_named(&app, "2026-2027").await;
        assert_eq!(year.secondments_planned, None);
        let mut fields = year_fields("2026-2027", "2026-09-01", "2027-07-10");
        fields.extend([("secondments_planned", " 129 "), ("is_current", "true")]);
        let res = app
            .post_form(&format!("/academic-years/{}", year.id), &fields)
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(
            year_named(&app, "2026-2027").await.secondments_planned,
            Some(129)
        );
        let (_, html) = app
            .get_html(&format!("/academic-years/{}/edit", year.id))
            .await;
        assert!(html.contains("value=\"129\""), "the plan shows in the form");

        // The API: a number, null, or refused.
        let path = format!("/api/v1/academic-years/{}", year.id);
        let (status, body) = app.api(Method::Get, &path, None).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["secondments_planned"], 129, "{body}");
        let put = |planned: serde_json::Value| {
            serde_json::json!({
                "name": "2026-2027", "starts_on": "2026-09-01", "ends_on": "2027-07-10",
                "is_current": true, "secondments_planned": planned,
            })
        };
        for bad in [
            serde_json::json!(-5),
            serde_json::json!("many"),
            serde_json::json!(1e9),
        ] {
            let (status, body) = app.api(Method::Put, &path, Some(put(bad.clone()))).await;
            assert_eq!(status, Status::UnprocessableEntity, "{bad}: {body}");
            assert!(
                body["error"]["fields"]["secondments_planned"].is_array(),
                "{bad}: {body}"
            );
            assert_eq!(
                year_named(&app, "2026-2027").await.secondments_planned,
                Some(129),
                "{bad}"
            );
        }
        let (status, body) = app
            .api(Method::Put, &path, Some(put(serde_json::json!(32))))
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["secondments_planned"], 32, "{body}");
        let (status, body) = app
            .api(Method::Put, &path, Some(put(serde_json::Value::Null)))
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(
            body["secondments_planned"],
            serde_json::Value::Null,
            "{body}"
        );
        assert_eq!(
            year_named(&app, "2026-2027").await.secondments_planned,
            None
        );
    })
    .await;
}
