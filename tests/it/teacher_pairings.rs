//! Teacher pairings (师徒结对): each rule allowed and refused, transitions by role, double
//! publish, notifications, the completion function, access, and the home pages.
use rocket::http::{Method, Status};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use tongxing::domain::academic_years::{self, YearForm};
use tongxing::domain::teacher_pairings::{self as tp, TeacherPairingForm};
use tongxing::domain::types::PairingStatus;
use tongxing::domain::{school_pairings, teachers, users};
use tongxing::entities::{notifications, teacher_pairings as rows};
use tongxing::error::AppError;

use crate::common::{PASSWORD, TestApp, World, each_db, world};

pub async fn year(app: &TestApp, w: &World, name: &str, current: bool) -> i64 {
    let (a, b) = name.split_once('-').expect("year name");
    academic_years::create(
        &app.db,
        &w.bureau_actor,
        &YearForm {
            name: name.into(),
            starts_on: format!("{a}-09-01"),
            second_term_starts_on: format!("{b}-02-20"),
            ends_on: format!("{b}-07-15"),
            is_current: if current { "1".into() } else { String::new() },
            secondments_planned: String::new(),
        },
    )
    .await
    .expect("create year")
    .id
}

pub fn form(mentor: i64, mentee: i64, subject: &str, year: i64) -> TeacherPairingForm {
    TeacherPairingForm {
        mentor_id: mentor.to_string(),
        mentee_id: mentee.to_string(),
        subject: subject.into(),
        academic_year_id: year.to_string(),
        school_pairing_id: String::new(),
    }
}

/// A published (active) pairing of `mentor` → `mentee` in `subject` for `year`.
pub async fn paired(
    app: &TestApp,
    w: &World,
    mentor: i64,
    mentee: i64,
    subject: &str,
    year: i64,
) -> i64 {
    let p = tp::create(
        &app.db,
        &w.bureau_actor,
        &form(mentor, mentee, subject, year),
    )
    .await
    .expect("create");
    tp::publish(
        &app.db,
        &w.bureau_actor,
        &[p.id],
        None,
        crate::common::ctx(),
    )
    .await
    .expect("publish");
    p.id
}

/// The standard world with the current year 2026-2027 and an active 数学 pairing of
/// 李明 → 姚成琳.
pub async fn setup(app: &TestApp) -> (World, i64, i64) {
    let w = world(app).await;
    let y = year(app, &w, "2026-2027", true).await;
    let p = tp::create(
        &app.db,
        &w.bureau_actor,
        &form(w.mentor.id, w.mentee.id, "数学", y),
    )
    .await
    .expect("create");
    tp::publish(
        &app.db,
        &w.bureau_actor,
        &[p.id],
        None,
        crate::common::ctx(),
    )
    .await
    .expect("publish");
    (w, y, p.id)
}

pub async fn row(app: &TestApp, id: i64) -> rows::Model {
    rows::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("row")
}

pub async fn notices_of(app: &TestApp, user_id: i64, kind: &str) -> u64 {
    notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::Kind.eq(kind))
        .count(&app.db)
        .await
        .expect("count")
}

fn field_key(err: AppError, field: &str) -> String {
    match err.field_errors() {
        Some(e) => e
            .get(field)
            .and_then(|m| m.first())
            .map(|m| m.key.clone())
            .unwrap_or_else(|| panic!("no error on {field}: {e:?}")),
        None => panic!("not a field error: {err:?}"),
    }
}

#[rocket::async_test]
async fn create_rules_allowed_and_refused() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", true).await;
        let db = &app.db;
        let a = &w.bureau_actor;

        // Allowed.
        let ok = tp::create(db, a, &form(w.mentor.id, w.mentee.id, "数学", y))
            .await
            .expect("allowed");
        assert_eq!(ok.status, PairingStatus::Draft);
        let n = app.count("teacher_pairings").await;

        // Mentor = mentee.
        let e = tp::create(db, a, &form(w.mentor.id, w.mentor.id, "语文", y))
            .await
            .unwrap_err();
        assert_eq!(field_key(e, "mentee_id"), "tp-err-same-teacher");
        // Unknown teacher, unknown year.
        let e = tp::create(db, a, &form(999_999, w.mentee.id, "语文", y))
            .await
            .unwrap_err();
        assert_eq!(field_key(e, "mentor_id"), "tp-err-no-teacher");
        let e = tp::create(db, a, &form(w.mentor.id, w.mentee.id, "语文", 999_999))
            .await
            .unwrap_err();
        assert_eq!(field_key(e, "academic_year_id"), "tp-err-no-year");
        // A mentee has one pairing per subject and year; another subject is fine.
        let e = tp::create(db, a, &form(w.mentor.id, w.mentee.id, "数学", y))
            .await
            .unwrap_err();
        assert_eq!(field_key(e, "mentee_id"), "tp-err-mentee-taken");
        assert_eq!(app.count("teacher_pairings").await, n);
        tp::create(db, a, &form(w.mentor.id, w.mentee.id, "物理", y))
            .await
            .expect("other subject allowed");

        // An inactive teacher.
        let gone = app.teacher(a, w.rural.id, "停用老师", "R900").await;
        teachers::set_active(db, a, gone.id, false)
            .await
            .expect("deactivate");
        let e = tp::create(db, a, &form(w.mentor.id, gone.id, "数学", y))
            .await
            .unwrap_err();
        assert_eq!(field_key(e, "mentee_id"), "tp-err-teacher-inactive");

        // Not the bureau.
        let mentor_actor = users::actor_of(&w.mentor_user);
        let before = app.count("teacher_pairings").await;
        let e = tp::create(
            db,
            &mentor_actor,
            &form(w.mentor.id, w.mentee.id, "英语", y),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, AppError::Forbidden));
        assert_eq!(app.count("teacher_pairings").await, before);
    })
    .await;
}

#[rocket::async_test]
async fn mentor_cap_at_create_and_publish() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", true).await;
        let db = &app.db;
        let a = &w.bureau_actor;
        let m2 = app.teacher(a, w.rural.id, "徒弟二", "R002").await;
        let m3 = app.teacher(a, w.rural.id, "徒弟三", "R003").await;
        let m4 = app.teacher(a, w.rural.id, "徒弟四", "R004").await;
        let mut ids = Vec::new();
        for t in [w.mentee.id, m2.id, m3.id] {
            ids.push(
                tp::create(db, a, &form(w.mentor.id, t, "数学", y))
                    .await
                    .expect("drafts do not count")
                    .id,
            );
        }
        tp::publish(db, a, &ids[..2], None, crate::common::ctx())
            .await
            .expect("two");
        // Publishing the third is over the cap (default 2): 409 on mentor_id, still a draft.
        let e = tp::publish(db, a, &ids[2..], None, crate::common::ctx())
            .await
            .unwrap_err();
        assert!(matches!(&e, AppError::Conflict { field, .. } if field == "mentor_id"));
        assert_eq!(row(&app, ids[2]).await.status, PairingStatus::Draft);
        // Creating another is refused at create time too.
        let e = tp::create(db, a, &form(w.mentor.id, m4.id, "数学", y))
            .await
            .unwrap_err();
        assert_eq!(field_key(e, "mentor_id"), "tp-err-mentor-full");
    })
    .await;
}

#[rocket::async_test]
async fn school_pairing_membership() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", true).await;
        let db = &app.db;
        let a = &w.bureau_actor;
        let sp_form =
            crate::school_pairings::form(w.urban.id, w.rural.id, "2026-2027", "2026-2027");
        let sp = school_pairings::create(db, a, &sp_form).await.expect("sp");
        let mut f = form(w.mentor.id, w.mentee.id, "数学", y);
        f.school_pairing_id = sp.id.to_string();
        // A draft school pairing is refused.
        let e = tp::create(db, a, &f).await.unwrap_err();
        assert_eq!(
            field_key(e, "school_pairing_id"),
            "tp-err-school-pairing-inactive"
        );
        school_pairings::publish(db, a, &[sp.id], None, crate::common::ctx())
            .await
            .expect("publish sp");
        // Reversed sides are refused.
        let urban2 = app.teacher(a, w.urban.id, "城区徒弟", "U002").await;
        let rural2 = app.teacher(a, w.rural.id, "农村师傅", "R010").await;
        let mut bad = form(rural2.id, urban2.id, "数学", y);
        bad.school_pairing_id = sp.id.to_string();
        let e = tp::create(db, a, &bad).await.unwrap_err();
        let errs = e.field_errors().expect("fields");
        assert_eq!(
            errs.get("mentor_id").unwrap()[0].key,
            "tp-err-mentor-not-supporter"
        );
        assert_eq!(
            errs.get("mentee_id").unwrap()[0].key,
            "tp-err-mentee-not-receiver"
        );
        // The right sides are allowed.
        let p = tp::create(db, a, &f).await.expect("allowed");
        assert_eq!(p.school_pairing_id, Some(sp.id));

        // The school pairing's page lists what was done under it (issue 11 item 6): its
        // teacher pairings and the secondments between the two schools; the history is
        // headed 办理记录. The bureau sees the draft; the school admin does not.
        use tongxing::domain::secondments;
        secondments::create(
            db,
            a,
            &secondments::SecondmentForm {
                teacher_id: w.mentor.id.to_string(),
                from_school_id: w.urban.id.to_string(),
                to_school_id: w.rural.id.to_string(),
                academic_year_id: y.to_string(),
                term: "first".into(),
                batch: "1".into(),
                starts_on: "2026-09-01".into(),
                ends_on: "2027-01-20".into(),
                note: String::new(),
            },
        )
        .await
        .expect("secondment");
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, html) = app.get_html(&format!("/school-pairings/{}", sp.id)).await;
        assert_eq!(s, Status::Ok);
        assert!(
            html.contains(&format!("href=\"/teacher-pairings/{}\"", p.id)),
            "{html}"
        );
        assert!(
            html.contains("师徒结对") && html.contains("两校之间的支教"),
            "{html}"
        );
        assert!(
            html.contains(&w.mentor.name) && html.contains("办理记录"),
            "{html}"
        );
        app.logout().await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let (s, html) = app.get_html(&format!("/school-pairings/{}", sp.id)).await;
        assert_eq!(s, Status::Ok);
        assert!(
            !html.contains(&format!("href=\"/teacher-pairings/{}\"", p.id)),
            "a draft is the bureau's"
        );
        assert!(html.contains("两校之间的支教"), "{html}");
    })
    .await;
}

#[rocket::async_test]
async fn transitions_by_role_through_the_api() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", true).await;
        // An outsider: mentor of another pairing.
        let other_t = app.teacher(&w.bureau_actor, w.urban.id, "王芳", "U003").await;
        let other_m = app.teacher(&w.bureau_actor, w.rural.id, "陈静", "R003").await;
        app.user(&w.bureau_actor, "other@tongxing.test", "teacher", None, Some(other_t.id))
            .await;
        tp::create(&app.db, &w.bureau_actor, &form(other_t.id, other_m.id, "数学", y))
            .await
            .expect("other");

        // Create through the API as the bureau.
        assert_eq!(app.login("bureau@tongxing.test", PASSWORD).await, Status::SeeOther);
        let (s, body) = app
            .api(
                Method::Post,
                "/api/v1/teacher-pairings",
                Some(json!({"mentor_id": w.mentor.id, "mentee_id": w.mentee.id, "subject": "数学", "academic_year_id": y})),
            )
            .await;
        assert_eq!(s, Status::Created, "{body}");
        let id = body["id"].as_i64().expect("id");
        assert_eq!(body["status"], "draft");
        // A rule refused: 422 with the field.
        let (s, body) = app
            .api(
                Method::Post,
                "/api/v1/teacher-pairings",
                Some(json!({"mentor_id": w.mentor.id, "mentee_id": w.mentor.id, "subject": "数学", "academic_year_id": y})),
            )
            .await;
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(body["error"]["fields"]["mentee_id"].is_array(), "{body}");
        // Unknown id: 404 and nothing created or changed.
        let n = app.count("teacher_pairings").await;
        let (s, _) = app
            .api(Method::Post, "/api/v1/teacher-pairings/999999/publish", None)
            .await;
        assert_eq!(s, Status::NotFound);
        assert_eq!(app.count("teacher_pairings").await, n);
        app.logout().await;

        // The mentor may not publish.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (s, _) = app
            .api(Method::Post, &format!("/api/v1/teacher-pairings/{id}/publish"), None)
            .await;
        assert_eq!(s, Status::NotFound, "a draft is the bureau's: hidden from the mentor");
        assert_eq!(row(&app, id).await.status, PairingStatus::Draft);
        // Teachers do not see drafts the bureau is still preparing.
        let (s, list) = app.api(Method::Get, "/api/v1/teacher-pairings", None).await;
        assert_eq!(s, Status::Ok);
        assert_eq!(list["total"], 0);
        app.logout().await;

        // The bureau publishes; a second publish changes nothing and tells nobody again.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, body) = app
            .api(Method::Post, &format!("/api/v1/teacher-pairings/{id}/publish"), None)
            .await;
        assert_eq!(s, Status::Ok, "{body}");
        assert_eq!(body["status"], "active");
        let mentor_n = notices_of(&app, w.mentor_user.id, "tp-published").await;
        let mentee_n = notices_of(&app, w.mentee_user.id, "tp-published").await;
        assert_eq!((mentor_n, mentee_n), (1, 1));
        let (s, _) = app
            .api(Method::Post, &format!("/api/v1/teacher-pairings/{id}/publish"), None)
            .await;
        assert_eq!(s, Status::Ok);
        assert_eq!(notices_of(&app, w.mentor_user.id, "tp-published").await, 1);
        // Terminate needs a reason.
        let (s, _) = app
            .api(
                Method::Post,
                &format!("/api/v1/teacher-pairings/{id}/terminate"),
                Some(json!({"reason": " "})),
            )
            .await;
        assert_eq!(s, Status::UnprocessableEntity);
        assert_eq!(row(&app, id).await.status, PairingStatus::Active);
        app.logout().await;

        // Another pairing's mentor sees nothing and changes nothing: the pairing answers
        // exactly like one that does not exist.
        app.login("other@tongxing.test", PASSWORD).await;
        let (s, hidden) = app.api(Method::Get, &format!("/api/v1/teacher-pairings/{id}"), None).await;
        assert_eq!(s, Status::NotFound);
        let (_, missing) = app.api(Method::Get, "/api/v1/teacher-pairings/999999", None).await;
        assert_eq!(hidden, missing);
        let (s, _) = app
            .api(
                Method::Post,
                &format!("/api/v1/teacher-pairings/{id}/request-termination"),
                Some(json!({"reason": "不想"})),
            )
            .await;
        assert_eq!(s, Status::NotFound);
        let (s, list) = app.api(Method::Get, "/api/v1/teacher-pairings", None).await;
        assert_eq!(s, Status::Ok);
        assert!(list["items"].as_array().unwrap().iter().all(|p| p["id"] != id));
        assert!(row(&app, id).await.termination_requested_at.is_none());
        app.logout().await;

        // The mentee asks for termination; the bureau is told. The mentee may not terminate.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (s, body) = app
            .api(
                Method::Post,
                &format!("/api/v1/teacher-pairings/{id}/request-termination"),
                Some(json!({"reason": "调动工作"})),
            )
            .await;
        assert_eq!(s, Status::Ok, "{body}");
        assert_eq!(notices_of(&app, w.bureau.id, "tp-termination-requested").await, 1);
        let (s, _) = app
            .api(
                Method::Post,
                &format!("/api/v1/teacher-pairings/{id}/terminate"),
                Some(json!({"reason": "x"})),
            )
            .await;
        assert_eq!(s, Status::Forbidden);
        assert_eq!(row(&app, id).await.status, PairingStatus::Active);
        app.logout().await;

        // The bureau terminates; ending twice or publishing again is a 409 on status.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, body) = app
            .api(
                Method::Post,
                &format!("/api/v1/teacher-pairings/{id}/terminate"),
                Some(json!({"reason": "徒弟调动"})),
            )
            .await;
        assert_eq!(s, Status::Ok, "{body}");
        assert_eq!(body["status"], "terminated");
        assert_eq!(notices_of(&app, w.mentee_user.id, "tp-terminated").await, 1);
        for action in ["terminate", "publish"] {
            let (s, body) = app
                .api(
                    Method::Post,
                    &format!("/api/v1/teacher-pairings/{id}/{action}"),
                    Some(json!({"reason": "again"})),
                )
                .await;
            assert_eq!(s, Status::Conflict, "{action}");
            assert!(body["error"]["fields"]["status"].is_array(), "{body}");
        }
        assert_eq!(row(&app, id).await.status, PairingStatus::Terminated);
        app.logout().await;

        // End reasons: each side records one, the other is told.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(
                &format!("/teacher-pairings/{id}/end-reason"),
                &[("reason", "徒弟调往他校")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(notices_of(&app, w.mentee_user.id, "tp-end-reason").await, 1);
        app.logout().await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(
                &format!("/teacher-pairings/{id}/end-reason"),
                &[("reason", "工作调动")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(notices_of(&app, w.mentor_user.id, "tp-end-reason").await, 1);
        let r = row(&app, id).await;
        assert_eq!(r.mentor_end_reason.as_deref(), Some("徒弟调往他校"));
        assert_eq!(r.mentee_end_reason.as_deref(), Some("工作调动"));
        let (s, html) = app.get_html(&format!("/teacher-pairings/{id}")).await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("工作调动") && html.contains("徒弟调往他校"));
    })
    .await;
}

#[rocket::async_test]
async fn bulk_publish_page_is_idempotent() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", true).await;
        let m2 = app
            .teacher(&w.bureau_actor, w.rural.id, "徒弟二", "R002")
            .await;
        let a = tp::create(
            &app.db,
            &w.bureau_actor,
            &form(w.mentor.id, w.mentee.id, "数学", y),
        )
        .await
        .unwrap();
        let b = tp::create(
            &app.db,
            &w.bureau_actor,
            &form(w.mentor.id, m2.id, "数学", y),
        )
        .await
        .unwrap();
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, html) = app.get_html("/teacher-pairings?status=draft").await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("姚成琳") && html.contains("徒弟二"));
        let (ia, ib) = (a.id.to_string(), b.id.to_string());
        for _ in 0..2 {
            let res = app
                .post_form(
                    "/teacher-pairings/publish",
                    &[("ids", &ia), ("ids", &ib), ("key", "k-1")],
                )
                .await;
            assert_eq!(res.status(), Status::SeeOther);
        }
        assert_eq!(row(&app, a.id).await.status, PairingStatus::Active);
        assert_eq!(row(&app, b.id).await.status, PairingStatus::Active);
        assert_eq!(notices_of(&app, w.mentor_user.id, "tp-published").await, 2);
        let publishes = app
            .count("audit_log WHERE action = 'publish' AND entity = 'teacher_pairing'")
            .await;
        assert_eq!(publishes, 2);
        // Filters keep working.
        let (_, html) = app.get_html("/teacher-pairings?q=徒弟二").await;
        assert!(html.contains("徒弟二") && !html.contains("姚成琳"));
    })
    .await;
}

#[rocket::async_test]
async fn complete_ended_completes_only_active_of_ended_years() {
    each_db(|app| async move {
        let w = world(&app).await;
        let old = year(&app, &w, "2024-2025", false).await;
        let cur = year(&app, &w, "2026-2027", true).await;
        let db = &app.db;
        let a = &w.bureau_actor;
        let m2 = app.teacher(a, w.rural.id, "徒弟二", "R002").await;
        let ended = tp::create(db, a, &form(w.mentor.id, w.mentee.id, "数学", old))
            .await
            .unwrap();
        let draft_old = tp::create(db, a, &form(w.mentor.id, m2.id, "数学", old))
            .await
            .unwrap();
        let current = tp::create(db, a, &form(w.mentor.id, w.mentee.id, "数学", cur))
            .await
            .unwrap();
        tp::publish(db, a, &[ended.id, current.id], None, crate::common::ctx())
            .await
            .unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(tp::complete_ended(db, today).await.unwrap(), 1);
        assert_eq!(row(&app, ended.id).await.status, PairingStatus::Completed);
        assert!(row(&app, ended.id).await.completed_at.is_some());
        assert_eq!(row(&app, draft_old.id).await.status, PairingStatus::Draft);
        assert_eq!(row(&app, current.id).await.status, PairingStatus::Active);
        // Running again does nothing.
        assert_eq!(tp::complete_ended(db, today).await.unwrap(), 0);
    })
    .await;
}

#[rocket::async_test]
async fn home_pages_list_the_pairing_for_both_sides() {
    each_db(|app| async move {
        let (w, _y, id) = setup(&app).await;
        let link = format!("/teacher-pairings/{id}");
        for (email, other) in [
            ("mentor@tongxing.test", "姚成琳"),
            ("mentee@tongxing.test", "李明"),
            ("urban@tongxing.test", "姚成琳"),
            ("rural@tongxing.test", "李明"),
        ] {
            assert_eq!(app.login(email, PASSWORD).await, Status::SeeOther);
            let (s, html) = app.get_html("/").await;
            assert_eq!(s, Status::Ok, "{email}");
            assert!(html.contains(&link), "{email}: no link");
            assert!(html.contains(other), "{email}: no {other}");
            let (s, html) = app.get_html(&link).await;
            assert_eq!(s, Status::Ok, "{email}");
            assert!(html.contains("数学"));
            app.logout().await;
        }
        // A teacher of neither side: 403 on the page, nothing on the home page.
        let t = app
            .teacher(&w.bureau_actor, w.urban.id, "王芳", "U009")
            .await;
        app.user(
            &w.bureau_actor,
            "wang@tongxing.test",
            "teacher",
            None,
            Some(t.id),
        )
        .await;
        app.login("wang@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/").await;
        assert!(!html.contains(&link));
        let (s, _) = app.get_html(&link).await;
        assert_eq!(s, Status::NotFound, "hidden answers like missing");
        let (s, _) = app.get_html("/teacher-pairings/999999").await;
        assert_eq!(s, Status::NotFound);
    })
    .await;
}

#[rocket::async_test]
async fn draft_form_refuses_with_typed_input_kept() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", true).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, html) = app
            .get_html(&format!("/teacher-pairings/new?mentor_id={}", w.mentor.id))
            .await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("李明"));
        let n = app.count("teacher_pairings").await;
        let (m, ys) = (w.mentor.id.to_string(), y.to_string());
        let res = app
            .post_form(
                "/teacher-pairings",
                &[
                    ("mentor_id", &m),
                    ("mentee_id", &m),
                    ("subject", "化学实验"),
                    ("academic_year_id", &ys),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("化学实验"));
        assert!(html.contains("师傅和徒弟不能是同一位教师"));
        assert_eq!(app.count("teacher_pairings").await, n);
        let me = w.mentee.id.to_string();
        let res = app
            .post_form(
                "/teacher-pairings",
                &[
                    ("mentor_id", &m),
                    ("mentee_id", &me),
                    ("subject", "化学"),
                    ("academic_year_id", &ys),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(app.count("teacher_pairings").await, n + 1);
    })
    .await;
}

#[rocket::async_test]
async fn publishing_checks_the_drafts_rules_again() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", true).await;
        let draft = tp::create(
            &app.db,
            &w.bureau_actor,
            &form(w.mentor.id, w.mentee.id, "数学", y),
        )
        .await
        .expect("draft");
        // The mentee left the roster after the draft was made.
        teachers::set_active(&app.db, &w.bureau_actor, w.mentee.id, false)
            .await
            .expect("deactivate");
        let notices = app.count("notifications").await;
        let err = tp::publish(
            &app.db,
            &w.bureau_actor,
            &[draft.id],
            None,
            crate::common::ctx(),
        )
        .await
        .expect_err("refused");
        assert_eq!(field_key(err, "mentee_id"), "tp-err-teacher-inactive");
        assert_eq!(
            row(&app, draft.id).await.status,
            PairingStatus::Draft,
            "still a draft"
        );
        assert_eq!(app.count("notifications").await, notices, "nobody told");
    })
    .await;
}

#[rocket::async_test]
async fn a_school_admins_request_is_turned_down_and_one_request_at_a_time() {
    each_db(|app| async move {
        let (w, _y, id) = setup(&app).await;
        // The receiving school's admin asks on the pairing page.
        app.login("rural@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(
                &format!("/teacher-pairings/{id}/request-termination"),
                &[("reason", "学校调整课时安排")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(
            notices_of(&app, w.bureau.id, "tp-termination-requested").await,
            1
        );
        // Once asked, the page offers no second request.
        let (_, html) = app.get_html(&format!("/teacher-pairings/{id}")).await;
        assert!(
            !html.contains("/request-termination\""),
            "no second request form"
        );
        app.logout().await;

        // A second request while one is pending is refused and changes nothing.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (s, body) = app
            .api(
                Method::Post,
                &format!("/api/v1/teacher-pairings/{id}/request-termination"),
                Some(json!({"reason": "另一个理由"})),
            )
            .await;
        assert_eq!(s, Status::Conflict, "{body}");
        assert!(body["error"]["fields"]["status"].is_array(), "{body}");
        let r = row(&app, id).await;
        assert_eq!(
            r.termination_request_reason.as_deref(),
            Some("学校调整课时安排")
        );
        assert_eq!(r.termination_requested_by, Some(w.rural_admin.id));
        // Nor may the mentor turn the request down.
        let (s, _) = app
            .api(
                Method::Post,
                &format!("/api/v1/teacher-pairings/{id}/reject-request"),
                None,
            )
            .await;
        assert_eq!(s, Status::Forbidden);
        assert!(row(&app, id).await.termination_requested_at.is_some());
        app.logout().await;

        // The bureau sees the request and its reason, and turns it down on the page.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html(&format!("/teacher-pairings/{id}")).await;
        assert!(html.contains("学校调整课时安排"));
        assert!(html.contains(&format!("/teacher-pairings/{id}/reject-request")));
        let res = app
            .post_form(&format!("/teacher-pairings/{id}/reject-request"), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let r = row(&app, id).await;
        assert_eq!(r.status, PairingStatus::Active);
        assert!(r.termination_requested_at.is_none() && r.termination_request_reason.is_none());
        assert_eq!(
            notices_of(&app, w.rural_admin.id, "tp-termination-rejected").await,
            1
        );
        assert_eq!(
            notices_of(&app, w.mentor_user.id, "tp-termination-rejected").await,
            0
        );
        // Turning down again: there is nothing to turn down.
        let (s, body) = app
            .api(
                Method::Post,
                &format!("/api/v1/teacher-pairings/{id}/reject-request"),
                None,
            )
            .await;
        assert_eq!(s, Status::Conflict, "{body}");
        // The timeline tells the whole story, with the reason.
        let (_, html) = app.get_html(&format!("/teacher-pairings/{id}")).await;
        for text in ["申请终止", "驳回终止申请", "学校调整课时安排", "发布"] {
            assert!(html.contains(text), "timeline shows {text}");
        }
        app.logout().await;

        // After the refusal a new request may be made.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (s, body) = app
            .api(
                Method::Post,
                &format!("/api/v1/teacher-pairings/{id}/request-termination"),
                Some(json!({"reason": "工作调动"})),
            )
            .await;
        assert_eq!(s, Status::Ok, "{body}");
        assert_eq!(
            row(&app, id).await.termination_requested_by,
            Some(w.mentee_user.id)
        );
    })
    .await;
}

#[rocket::async_test]
async fn drafts_are_the_bureaus_and_only_drafts_are_edited() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", true).await;
        let id = tp::create(&app.db, &w.bureau_actor, &form(w.mentor.id, w.mentee.id, "数学", y))
            .await
            .expect("draft")
            .id;
        // Neither school's admin sees the draft yet.
        for admin in ["urban@tongxing.test", "rural@tongxing.test"] {
            app.login(admin, PASSWORD).await;
            let (s, _) = app.get_html(&format!("/teacher-pairings/{id}")).await;
            assert_eq!(s, Status::NotFound, "{admin}: hidden answers like missing");
            let (_, list) = app.api(Method::Get, "/api/v1/teacher-pairings", None).await;
            assert_eq!(list["total"], 0, "{admin}");
            let (_, html) = app.get_html("/").await;
            assert!(!html.contains(&format!("/teacher-pairings/{id}\"")), "{admin} home");
            app.logout().await;
        }

        app.login("bureau@tongxing.test", PASSWORD).await;
        // Refused from draft: terminate, turning down a request.
        for (action, body) in [("terminate", json!({"reason": "x"})), ("reject-request", json!({}))] {
            let (s, b) = app
                .api(
                    Method::Post,
                    &format!("/api/v1/teacher-pairings/{id}/{action}"),
                    Some(body),
                )
                .await;
            assert_eq!(s, Status::Conflict, "{action}: {b}");
        }
        assert_eq!(row(&app, id).await.status, PairingStatus::Draft);
        // Edit the draft on its page: the subject changes.
        let (s, html) = app.get_html(&format!("/teacher-pairings/{id}/edit")).await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("数学"));
        let (mentor, mentee, year_s) =
            (w.mentor.id.to_string(), w.mentee.id.to_string(), y.to_string());
        let res = app
            .post_form(
                &format!("/teacher-pairings/{id}"),
                &[
                    ("mentor_id", &mentor),
                    ("mentee_id", &mentee),
                    ("subject", "物理"),
                    ("academic_year_id", &year_s),
                    ("school_pairing_id", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(row(&app, id).await.subject, "物理");
        // A refused edit keeps what was typed and changes nothing.
        let res = app
            .post_form(
                &format!("/teacher-pairings/{id}"),
                &[
                    ("mentor_id", &mentor),
                    ("mentee_id", &mentor),
                    ("subject", "化学实验"),
                    ("academic_year_id", &year_s),
                    ("school_pairing_id", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap_or_default();
        assert!(html.contains("化学实验"), "typed subject kept");
        assert_eq!(row(&app, id).await.mentee_id, w.mentee.id);
        // And through the API.
        let (s, body) = app
            .api(
                Method::Put,
                &format!("/api/v1/teacher-pairings/{id}"),
                Some(json!({"mentor_id": w.mentor.id, "mentee_id": w.mentee.id, "subject": "数学", "academic_year_id": y})),
            )
            .await;
        assert_eq!(s, Status::Ok, "{body}");
        assert_eq!(row(&app, id).await.subject, "数学");

        // Published: no longer edited, by page or API.
        tp::publish(&app.db, &w.bureau_actor, &[id], None, crate::common::ctx())
            .await
            .expect("publish");
        let (s, body) = app
            .api(
                Method::Put,
                &format!("/api/v1/teacher-pairings/{id}"),
                Some(json!({"mentor_id": w.mentor.id, "mentee_id": w.mentee.id, "subject": "物理", "academic_year_id": y})),
            )
            .await;
        assert_eq!(s, Status::Conflict, "{body}");
        assert!(body["error"]["fields"]["status"].is_array());
        assert_eq!(row(&app, id).await.subject, "数学");
        app.logout().await;
        // Now the schools see it.
        app.login("rural@tongxing.test", PASSWORD).await;
        let (s, _) = app.get_html(&format!("/teacher-pairings/{id}")).await;
        assert_eq!(s, Status::Ok);
    })
    .await;
}

#[rocket::async_test]
async fn nothing_leaves_completed() {
    each_db(|app| async move {
        let (w, _y, id) = setup(&app).await;
        let ended = chrono::NaiveDate::from_ymd_opt(2027, 8, 1).expect("date");
        assert_eq!(
            tp::complete_ended(&app.db, ended).await.expect("complete"),
            1
        );
        assert_eq!(row(&app, id).await.status, PairingStatus::Completed);
        let before = row(&app, id).await;
        let refused = [
            tp::terminate(&app.db, &w.bureau_actor, id, "x", crate::common::ctx())
                .await
                .err(),
            tp::publish(&app.db, &w.bureau_actor, &[id], None, crate::common::ctx())
                .await
                .err(),
            tp::reject_request(&app.db, &w.bureau_actor, id, crate::common::ctx())
                .await
                .err(),
        ];
        for e in refused {
            assert!(matches!(e, Some(AppError::Conflict { .. })), "{e:?}");
        }
        let mentee = users::actor_of(&w.mentee_user);
        let e = tp::request_termination(&app.db, &mentee, id, "x", crate::common::ctx())
            .await
            .err();
        assert!(matches!(e, Some(AppError::Conflict { .. })), "{e:?}");
        let after = row(&app, id).await;
        assert_eq!(before, after, "the completed pairing is unchanged");
        // The timeline says it completed at the end of the year.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html(&format!("/teacher-pairings/{id}")).await;
        assert!(html.contains("学年结束，自动完成"), "{html}");
    })
    .await;
}

/// The bureau ends pairing `id` inside the caller's transaction.
async fn terminate_in(
    txn: &sea_orm::DatabaseTransaction,
    ctx: &tongxing::domain::context::Context,
    w: &World,
    id: i64,
    reason: &str,
) -> Result<rows::Model, AppError> {
    use tongxing::domain::pairing_lifecycle::{self as lifecycle, Action};
    lifecycle::transition::<tp::TeacherPairing>(
        txn,
        ctx,
        Some(&w.bureau_actor),
        id,
        Action::Terminate,
        reason,
    )
    .await
}

/// Steps run on the caller's transaction and clock: two steps on two pairings in one
/// transaction land together or not at all, and a stopped clock dates them.
#[rocket::async_test]
async fn steps_share_the_callers_transaction_and_clock() {
    use sea_orm::TransactionTrait;
    use tongxing::domain::context::Context;
    each_db(|app| async move {
        let (w, y, first) = setup(&app).await;
        let other = app
            .teacher(&w.bureau_actor, w.rural.id, "周老师", "T-0099")
            .await;
        let second = paired(&app, &w, w.mentor.id, other.id, "数学", y).await;
        let at = chrono::DateTime::parse_from_rfc3339("2027-07-01T02:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let ctx = Context::at("http://tongxing.test", at);
        // The second step fails (no reason): the first is rolled back with it.
        let txn = app.db.begin().await.unwrap();
        terminate_in(&txn, &ctx, &w, first, "并校")
            .await
            .expect("first step");
        let err = terminate_in(&txn, &ctx, &w, second, "").await.unwrap_err();
        assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
        txn.rollback().await.unwrap();
        assert_eq!(row(&app, first).await.status, PairingStatus::Active);
        // Both succeed in one transaction, dated by the context's clock.
        let txn = app.db.begin().await.unwrap();
        for id in [first, second] {
            terminate_in(&txn, &ctx, &w, id, "并校")
                .await
                .expect("step");
        }
        txn.commit().await.unwrap();
        for id in [first, second] {
            let r = row(&app, id).await;
            assert_eq!(r.status, PairingStatus::Terminated);
            assert_eq!(r.terminated_at, Some(at));
            assert_eq!(r.updated_at, at);
        }
    })
    .await;
}

/// Ending a pairing goes through a confirmation page whose button says what it does
/// (issue 11 item 6): the pairing's page only links to it; an empty reason shows the
/// confirmation page again and changes nothing; a reason ends it.
#[rocket::async_test]
async fn ending_a_pairing_is_confirmed_on_its_own_page() {
    each_db(|app| async move {
        let (_w, _y, id) = setup(&app).await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html(&format!("/teacher-pairings/{id}")).await;
        assert!(
            html.contains(&format!(
                "href=\"/teacher-pairings/{id}/request-termination\""
            )),
            "{html}"
        );
        assert!(
            !html.contains(&format!(
                "action=\"/teacher-pairings/{id}/request-termination\""
            )),
            "no form posts from the pairing's page"
        );
        let (s, page) = app
            .get_html(&format!("/teacher-pairings/{id}/request-termination"))
            .await;
        assert_eq!(s, Status::Ok);
        assert!(
            page.contains("由教育局决定是否终止") && page.contains(">申请终止结对</button>"),
            "{page}"
        );
        app.logout().await;

        app.login("bureau@tongxing.test", PASSWORD).await;
        let before = row(&app, id).await;
        let res = app
            .post_form(
                &format!("/teacher-pairings/{id}/terminate"),
                &[("reason", "  ")],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let page = res.into_string().await.unwrap();
        assert!(
            page.contains(">终止结对</button>") && page.contains("此项必填"),
            "{page}"
        );
        assert_eq!(row(&app, id).await, before, "nothing changed");
        let res = app
            .post_form(
                &format!("/teacher-pairings/{id}/terminate"),
                &[("reason", "徒弟调往他校")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(row(&app, id).await.status, PairingStatus::Terminated);
        // Ended: the confirmation page is no longer offered.
        let (s, _) = app
            .get_html(&format!("/teacher-pairings/{id}/terminate"))
            .await;
        assert_eq!(s, Status::Conflict);
    })
    .await;
}

/// The pairing form chooses teachers by name (issue 11 item 8): a name that matches one
/// teacher is taken, one that matches several offers them, one that matches none is an
/// error; nothing is saved until both are chosen; nobody types an id.
#[rocket::async_test]
async fn the_pairing_form_chooses_teachers_by_name() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app, &w, "2026-2027", true).await;
        // A second 李 at the urban school: "李" matches two teachers.
        app.teacher(&w.bureau_actor, w.urban.id, "李华", "U007")
            .await;
        app.teacher(&w.bureau_actor, w.rural.id, "何早", "R002")
            .await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/teacher-pairings/new").await;
        assert!(html.contains("name=\"mentor_q\"") && html.contains("name=\"mentee_q\""));
        assert!(!html.contains("教师编号"), "no id to type");
        let year = y.to_string();
        let post =
            |mentor: &'static str, mentee: &'static str, extra: Vec<(&'static str, String)>| {
                let mut fields: Vec<(&str, String)> = vec![
                    ("mentor_q", mentor.to_string()),
                    ("mentee_q", mentee.to_string()),
                    ("subject", "数学".to_string()),
                    ("academic_year_id", year.clone()),
                ];
                fields.extend(extra);
                fields
            };
        let send = |fields: Vec<(&'static str, String)>| {
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let res = app.post_form("/teacher-pairings", &pairs).await;
                let status = res.status();
                (status, res.into_string().await.unwrap_or_default())
            }
        };
        // Several matches: offered, nothing saved, the typed text kept.
        let (status, html) = send(post("李", "姚成琳", vec![])).await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(html.contains("找到 2 位教师，请在下面选择一位。"), "{html}");
        assert!(html.contains(&format!(
            "type=\"radio\" name=\"mentor_id\" value=\"{}\"",
            w.mentor.id
        )));
        assert!(html.contains("value=\"李\""), "typed text kept");
        assert!(
            html.contains("已选：<strong>姚成琳</strong>"),
            "the mentee was found"
        );
        assert_eq!(app.count("teacher_pairings").await, 0);
        // No match.
        let (status, html) = send(post("赵无名", "姚成琳", vec![])).await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(html.contains("没有找到姓名或工号为“赵无名”的在职教师。"));
        assert_eq!(app.count("teacher_pairings").await, 0);
        // Choosing one of the matches saves the pairing with that teacher.
        let (status, _) = send(post(
            "李",
            "姚成琳",
            vec![("mentor_id", w.mentor.id.to_string())],
        ))
        .await;
        assert_eq!(status, Status::SeeOther);
        let mentor: i64 = app
            .scalar("SELECT mentor_id AS n FROM teacher_pairings")
            .await;
        assert_eq!(mentor, w.mentor.id);
        // A staff number finds its one teacher too.
        let (status, html) = send(post("U007", "R002", vec![])).await;
        assert_eq!(
            status,
            Status::SeeOther,
            "{}",
            &html[html.find("<main").unwrap_or(0)..]
        );
        assert_eq!(app.count("teacher_pairings").await, 2);
    })
    .await;
}

/// Lists of people are in pinyin order, not character-code order (issue 11 item 8).
#[rocket::async_test]
async fn teachers_are_listed_in_pinyin_order() {
    each_db(|app| async move {
        let w = world(&app).await;
        for (name, no) in [("王芳", "U011"), ("陈静", "U012"), ("安然", "U013")] {
            app.teacher(&w.bureau_actor, w.urban.id, name, no).await;
        }
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/teachers").await;
        let at = |n: &str| {
            html.find(&format!(">{n}</a>"))
                .unwrap_or_else(|| panic!("{n}"))
        };
        // 安 an1, 陈 chen2, 李 li3, 王 wang2, 姚 yao2.
        assert!(at("安然") < at("陈静"));
        assert!(at("陈静") < at("李明"));
        assert!(at("李明") < at("王芳"));
        assert!(at("王芳") < at("姚成琳"));
    })
    .await;
}
