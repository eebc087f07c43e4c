//! Secondments (支教 / 轮岗): every rule, person-times, access by role, the API.
use rocket::http::{Method, Status};
use sea_orm::{EntityTrait, QueryOrder};
use tongxing::domain::academic_years::{self, YearForm};
use tongxing::domain::secondments::{self, SecondmentForm};
use tongxing::entities::{academic_years as year_rows, secondments as rows};

use crate::common::{PASSWORD, TestApp, World, each_db, world};

async fn year(app: &TestApp, w: &World, name: &str, starts: &str, ends: &str) -> year_rows::Model {
    academic_years::create(
        &app.db,
        &w.bureau_actor,
        &YearForm {
            name: name.into(),
            starts_on: starts.into(),
            ends_on: ends.into(),
            ..Default::default()
        },
    )
    .await
    .expect("create year")
}

fn form(w: &World, y: &year_rows::Model, starts: &str, ends: &str) -> SecondmentForm {
    SecondmentForm {
        teacher_id: w.mentor.id.to_string(),
        from_school_id: w.urban.id.to_string(),
        to_school_id: w.rural.id.to_string(),
        academic_year_id: y.id.to_string(),
        term: "first".into(),
        batch: "1".into(),
        starts_on: starts.into(),
        ends_on: ends.into(),
        note: String::new(),
    }
}

fn fields(f: &SecondmentForm) -> Vec<(&'static str, String)> {
    vec![
        ("teacher_id", f.teacher_id.clone()),
        ("from_school_id", f.from_school_id.clone()),
        ("to_school_id", f.to_school_id.clone()),
        ("academic_year_id", f.academic_year_id.clone()),
        ("term", f.term.clone()),
        ("batch", f.batch.clone()),
        ("starts_on", f.starts_on.clone()),
        ("ends_on", f.ends_on.clone()),
        ("note", f.note.clone()),
    ]
}

async fn post(app: &TestApp, path: &str, f: &SecondmentForm) -> (Status, String) {
    let owned = fields(f);
    let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post_form(path, &pairs).await;
    let status = res.status();
    (status, res.into_string().await.unwrap_or_default())
}

#[rocket::async_test]
async fn every_rule_is_an_error_on_its_field() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", "2026-09-01", "2027-07-15").await;
        assert_eq!(
            app.login("bureau@tongxing.test", PASSWORD).await,
            Status::SeeOther
        );
        let good = form(&w, &y, "2026-09-01", "2027-01-20");

        let (status, _) = post(&app, "/secondments", &good).await;
        assert_eq!(status, Status::SeeOther);
        assert_eq!(app.count("secondments").await, 1);
        let (_, html) = app.get_html("/secondments").await;
        assert!(html.contains("李明") && html.contains("三元中学"), "{html}");

        let cases: Vec<(SecondmentForm, &str, &str)> = vec![
            (
                SecondmentForm {
                    to_school_id: w.urban.id.to_string(),
                    ..good.clone()
                },
                "to_school_id",
                "接收学校不能与派出学校相同",
            ),
            (
                SecondmentForm {
                    teacher_id: w.mentee.id.to_string(),
                    ..good.clone()
                },
                "teacher_id",
                "该教师不属于派出学校",
            ),
            (
                SecondmentForm {
                    teacher_id: "99999".into(),
                    ..good.clone()
                },
                "teacher_id",
                "",
            ),
            (
                SecondmentForm {
                    academic_year_id: "99999".into(),
                    ..good.clone()
                },
                "academic_year_id",
                "请选择已有的学年",
            ),
            (
                SecondmentForm {
                    starts_on: "2026-08-01".into(),
                    ends_on: "2026-08-20".into(),
                    ..good.clone()
                },
                "starts_on",
                "学年之内",
            ),
            (
                SecondmentForm {
                    starts_on: "2027-03-01".into(),
                    ends_on: "2027-02-01".into(),
                    ..good.clone()
                },
                "ends_on",
                "结束日期必须晚于开始日期",
            ),
            (
                SecondmentForm {
                    term: "winter".into(),
                    starts_on: "2027-03-01".into(),
                    ends_on: "2027-06-01".into(),
                    ..good.clone()
                },
                "term",
                "请从列表中选择",
            ),
            (
                SecondmentForm {
                    batch: "21".into(),
                    starts_on: "2027-03-01".into(),
                    ends_on: "2027-06-01".into(),
                    ..good.clone()
                },
                "batch",
                "请输入 1 到 20 之间的整数",
            ),
            (
                SecondmentForm {
                    batch: "x".into(),
                    starts_on: "2027-03-01".into(),
                    ends_on: "2027-06-01".into(),
                    ..good.clone()
                },
                "batch",
                "请输入整数",
            ),
            (
                SecondmentForm {
                    starts_on: "2027-01-10".into(),
                    ends_on: "2027-05-01".into(),
                    ..good.clone()
                },
                "starts_on",
                "该教师在 2026-09-01 至 2027-01-20 已有支教安排",
            ),
        ];
        for (f, field, text) in cases {
            let (status, html) = post(&app, "/secondments", &f).await;
            assert_eq!(status, Status::UnprocessableEntity, "{field}");
            assert!(html.contains(text), "{field}: {text}");
            assert!(
                html.contains(&format!("id=\"f-{field}\"")) && html.contains("aria-invalid"),
                "{field}"
            );
            // What was typed is shown again.
            assert!(
                html.contains(&format!("value=\"{}\"", f.starts_on)),
                "{field}"
            );
            assert_eq!(
                app.count("secondments").await,
                1,
                "{field}: nothing created"
            );
        }

        // A deactivated receiving school is refused.
        tongxing::domain::schools::set_active(&app.db, &w.bureau_actor, w.rural.id, false)
            .await
            .unwrap();
        let later = SecondmentForm {
            starts_on: "2027-03-01".into(),
            ends_on: "2027-06-01".into(),
            ..good.clone()
        };
        let (status, html) = post(&app, "/secondments", &later).await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(html.contains("学校不存在或已停用"), "inactive school");
        tongxing::domain::schools::set_active(&app.db, &w.bureau_actor, w.rural.id, true)
            .await
            .unwrap();

        // Back to back is fine; editing a secondment does not overlap itself.
        let (status, _) = post(&app, "/secondments", &later).await;
        assert_eq!(status, Status::SeeOther);
        assert_eq!(app.count("secondments").await, 2);
        let first = rows::Entity::find()
            .order_by_asc(rows::Column::Id)
            .all(&app.db)
            .await
            .unwrap()[0]
            .clone();
        let edited = SecondmentForm {
            batch: "2".into(),
            note: "延长".into(),
            ..good.clone()
        };
        let (status, _) = post(&app, &format!("/secondments/{}", first.id), &edited).await;
        assert_eq!(status, Status::SeeOther);
        let row = rows::Entity::find_by_id(first.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((row.batch, row.note.as_str()), (2, "延长"));
        // Edited into an overlap with the other one: refused, unchanged.
        let clash = SecondmentForm {
            ends_on: "2027-04-01".into(),
            ..edited.clone()
        };
        let (status, _) = post(&app, &format!("/secondments/{}", first.id), &clash).await;
        assert_eq!(status, Status::UnprocessableEntity);
        let same = rows::Entity::find_by_id(first.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(same, row);

        // The audit log has the create and the update.
        let (_, audit) = app.get_html("/audit?entity=secondment").await;
        assert!(audit.contains("延长"), "diff shows the new note");

        // Delete.
        let res = app
            .post_form(&format!("/secondments/{}/delete", first.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(app.count("secondments").await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn person_times_per_batch_and_year() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y1 = year(&app, &w, "2025-2026", "2025-09-01", "2026-07-15").await;
        let y2 = year(&app, &w, "2026-2027", "2026-09-01", "2027-07-15").await;
        let b = &w.bureau_actor;
        let t2 = app.teacher(b, w.urban.id, "王芳", "U002").await;
        let t3 = app.teacher(b, w.urban.id, "陈军", "U003").await;
        let mk = |t: i64, y: &year_rows::Model, batch: &str, s: &str, e: &str| SecondmentForm {
            teacher_id: t.to_string(),
            batch: batch.into(),
            ..form(&w, y, s, e)
        };
        for f in [
            mk(w.mentor.id, &y2, "1", "2026-09-01", "2027-01-20"),
            mk(t2.id, &y2, "1", "2026-09-01", "2027-01-20"),
            mk(t3.id, &y2, "2", "2027-02-20", "2027-07-10"),
            mk(w.mentor.id, &y1, "3", "2025-09-01", "2026-01-20"),
        ] {
            secondments::create(&app.db, b, &f).await.expect("create");
        }
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/secondments").await;
        assert_eq!(status, Status::Ok);
        assert!(
            html.contains("第 1 批</td><td class=\"n\" data-label=\"人次\">2</td>"),
            "{html}"
        );
        assert!(html.contains("第 2 批</td><td class=\"n\" data-label=\"人次\">1</td>"));
        assert!(html.contains("全年合计</td><td class=\"n\" data-label=\"人次\">3</td>"));
        assert!(html.contains("第 3 批</td><td class=\"n\" data-label=\"人次\">1</td>"));
        assert!(html.contains("共 4 条"));
        // Filtered by year and batch: the counts follow the filter.
        let (_, html) = app
            .get_html(&format!("/secondments?year={}&batch=1", y2.id))
            .await;
        assert!(html.contains("共 2 条"));
        assert!(!html.contains("第 3 批"));
        // Teacher-name search.
        let (_, html) = app.get_html("/secondments?q=%E7%8E%8B").await;
        assert!(html.contains("共 1 条") && html.contains("王芳"));
        // English.
        let (_, html) = app.get_html("/secondments?lang=en").await;
        assert!(html.contains("Person-times") && html.contains(">Batch 1</td>"));
        assert!(html.contains("Year total"));
        // The teacher's page lists their secondments.
        let (_, html) = app.get_html(&format!("/teachers/{}", w.mentor.id)).await;
        assert!(
            html.contains("Secondments") && html.contains("三元中学"),
            "teacher page"
        );
    })
    .await;
}

#[rocket::async_test]
async fn access_by_role() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", "2026-09-01", "2027-07-15").await;
        let good = form(&w, &y, "2026-09-01", "2027-01-20");
        // The dispatching school's admin may.
        app.login("urban@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/secondments/new").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("李明 (U001)"), "own teachers offered");
        let (status, _) = post(&app, "/secondments", &good).await;
        assert_eq!(status, Status::SeeOther);
        let row = rows::Entity::find().one(&app.db).await.unwrap().unwrap();
        app.logout().await;

        let later = SecondmentForm {
            starts_on: "2027-03-01".into(),
            ends_on: "2027-06-01".into(),
            ..good.clone()
        };
        for email in [
            "rural@tongxing.test",
            "mentor@tongxing.test",
            "mentee@tongxing.test",
        ] {
            app.login(email, PASSWORD).await;
            let (status, _) = post(&app, "/secondments", &later).await;
            assert_eq!(status, Status::Forbidden, "{email} creates");
            let changed = SecondmentForm {
                batch: "5".into(),
                ..good.clone()
            };
            let (status, _) = post(&app, &format!("/secondments/{}", row.id), &changed).await;
            assert!(
                matches!(status, Status::Forbidden | Status::NotFound),
                "{email} edits: {status}"
            );
            let res = app
                .post_form(&format!("/secondments/{}/delete", row.id), &[])
                .await;
            assert!(matches!(res.status(), Status::Forbidden | Status::NotFound));
            assert_eq!(app.count("secondments").await, 1);
            let same = rows::Entity::find_by_id(row.id)
                .one(&app.db)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(same, row, "{email}: unchanged");
            app.logout().await;
        }
        // The receiving admin and the seconded teacher read it; the other teacher does not.
        app.login("rural@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/secondments").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("李明"));
        app.logout().await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/secondments").await;
        assert!(!html.contains("李明"));
        let (status, _) = app
            .api(
                Method::Get,
                &format!("/api/v1/secondments/{}", row.id),
                None,
            )
            .await;
        assert_eq!(status, Status::NotFound);
        app.logout().await;
        // A school admin cannot dispatch another school's teacher.
        app.login("rural@tongxing.test", PASSWORD).await;
        let theirs = SecondmentForm {
            teacher_id: w.mentee.id.to_string(),
            from_school_id: w.rural.id.to_string(),
            to_school_id: w.urban.id.to_string(),
            ..later.clone()
        };
        let (status, _) = post(&app, "/secondments", &theirs).await;
        assert_eq!(status, Status::SeeOther, "own school's teacher is fine");
        assert_eq!(app.count("secondments").await, 2);
    })
    .await;
}

#[rocket::async_test]
async fn api_crud_with_spec_fields() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", "2026-09-01", "2027-07-15").await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let body = serde_json::json!({
            "teacher_id": w.mentor.id, "from_school_id": w.urban.id, "to_school_id": w.rural.id,
            "academic_year_id": y.id, "term": "year", "batch": 2,
            "starts_on": "2026-09-01", "ends_on": "2027-07-01"
        });
        let (status, json) = app
            .api(Method::Post, "/api/v1/secondments", Some(body.clone()))
            .await;
        assert_eq!(status, Status::Created, "{json}");
        let id = json["id"].as_i64().unwrap();
        assert_eq!(json["term"], "year");
        assert_eq!(json["batch"], 2);
        assert_eq!(json["starts_on"], "2026-09-01");
        let (status, json) = app
            .api(Method::Post, "/api/v1/secondments", Some(body.clone()))
            .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(json["error"]["fields"]["starts_on"].is_array(), "{json}");
        let mut bad = body.clone();
        bad["to_school_id"] = serde_json::json!(w.urban.id);
        bad["starts_on"] = serde_json::json!("2030-01-01");
        let (status, json) = app
            .api(Method::Put, &format!("/api/v1/secondments/{id}"), Some(bad))
            .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(json["error"]["fields"]["to_school_id"].is_array());
        let mut changed = body.clone();
        changed["batch"] = serde_json::json!(3);
        let (status, json) = app
            .api(
                Method::Put,
                &format!("/api/v1/secondments/{id}"),
                Some(changed),
            )
            .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(json["batch"], 3);
        let (status, json) = app
            .api(
                Method::Get,
                &format!("/api/v1/secondments?academic_year_id={}&batch=3", y.id),
                None,
            )
            .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(json["total"], 1);
        let (status, _) = app
            .api(Method::Get, "/api/v1/secondments?batch=x", None)
            .await;
        assert_eq!(status, Status::UnprocessableEntity);
        let (status, _) = app
            .api(Method::Delete, &format!("/api/v1/secondments/{id}"), None)
            .await;
        assert_eq!(status, Status::NoContent);
        let (status, _) = app
            .api(Method::Get, &format!("/api/v1/secondments/{id}"), None)
            .await;
        assert_eq!(status, Status::NotFound);
        assert_eq!(app.count("secondments").await, 0);
    })
    .await;
}
