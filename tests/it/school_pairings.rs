//! School pairings (学校结对): rules, transitions by role, bulk publish in one transaction,
//! double-submit safety, notifications, the completion job, pages and API.
use rocket::http::{Method, Status};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};
use serde_json::json;
use tongxing::domain::school_pairings::{self, PairingForm};
use tongxing::domain::types::PairingStatus;
use tongxing::entities::school_pairings as rows;

use crate::common::{PASSWORD, TestApp, World, each_db, world};

/// A pairing form for `s` supporting `r` with 师资 support.
pub fn form(s: i64, r: i64, from: &str, to: &str) -> PairingForm {
    PairingForm {
        supporter_id: s.to_string(),
        receiver_id: r.to_string(),
        year_from: from.into(),
        year_to: to.into(),
        support_kinds: vec!["staff".into()],
        note: String::new(),
        confirm_direction: String::new(),
        read_at: String::new(),
    }
}

pub async fn draft(app: &TestApp, w: &World, s: i64, r: i64, from: &str, to: &str) -> i64 {
    school_pairings::create(&app.db, &w.bureau_actor, &form(s, r, from, to))
        .await
        .expect("create draft")
        .id
}

pub async fn active(app: &TestApp, w: &World, s: i64, r: i64, from: &str, to: &str) -> i64 {
    let id = draft(app, w, s, r, from, to).await;
    school_pairings::publish(&app.db, &w.bureau_actor, &[id], None, crate::common::ctx())
        .await
        .expect("publish");
    id
}

async fn row(app: &TestApp, id: i64) -> rows::Model {
    rows::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("pairing row")
}

async fn count_where(app: &TestApp, table_and_where: &str) -> i64 {
    app.count(table_and_where).await
}

fn field_text(body: &serde_json::Value, field: &str) -> String {
    body["error"]["fields"][field].to_string()
}

async fn third_school(app: &TestApp, w: &World, name: &str, code: &str) -> i64 {
    app.school(&w.bureau_actor, name, code, "rural").await.id
}

#[rocket::async_test]
async fn each_rule_is_an_error_on_its_field_and_chains_are_allowed() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (u, r) = (w.urban.id, w.rural.id);
        let body = |s: i64, r: i64, from: &str, to: &str| {
            json!({"supporter_id": s, "receiver_id": r, "year_from": from, "year_to": to,
                   "support_kinds": ["staff", "materials"]})
        };

        let (status, err) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings",
                Some(body(u, u, "2026-2027", "2026-2027")),
            )
            .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(
            field_text(&err, "receiver_id").contains("学校不能与自己结对"),
            "{err}"
        );

        let (status, err) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings",
                Some(body(u, r, "2027-2028", "2026-2027")),
            )
            .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(field_text(&err, "year_to").contains("不能早于"), "{err}");

        let (status, err) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings",
                Some(
                    json!({"supporter_id": u, "receiver_id": r, "year_from": "2026-2027",
                            "year_to": "2026-2027", "support_kinds": []}),
                ),
            )
            .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(
            field_text(&err, "support_kinds").contains("至少选择一种"),
            "{err}"
        );

        let (status, err) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings",
                Some(body(u, 9999, "2026-2027", "2026-2027")),
            )
            .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(
            field_text(&err, "receiver_id").contains("没有这所学校"),
            "{err}"
        );
        assert_eq!(app.count("school_pairings").await, 0);

        let (status, created) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings",
                Some(body(u, r, "2026-2027", "2027-2028")),
            )
            .await;
        assert_eq!(status, Status::Created, "{created}");
        assert_eq!(created["status"], "draft");
        assert_eq!(created["support_kinds"], json!(["staff", "materials"]));
        assert_eq!(created["year_to"], "2027-2028");

        // The same two schools in overlapping years: refused, on the receiver.
        let (status, err) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings",
                Some(body(u, r, "2027-2028", "2028-2029")),
            )
            .await;
        assert_eq!(status, Status::Conflict);
        assert!(
            field_text(&err, "receiver_id").contains("已有结对"),
            "{err}"
        );
        assert_eq!(app.count("school_pairings").await, 1);

        // Later years that do not overlap are fine.
        let (status, _) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings",
                Some(body(u, r, "2028-2029", "2028-2029")),
            )
            .await;
        assert_eq!(status, Status::Created);

        // A direct reversal is refused.
        let (status, err) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings",
                Some(body(r, u, "2026-2027", "2026-2027")),
            )
            .await;
        assert_eq!(status, Status::Conflict);
        assert!(field_text(&err, "receiver_id").contains("反向"), "{err}");
        assert_eq!(app.count("school_pairings").await, 2);

        // A chain A→B→C is allowed.
        let c = third_school(&app, &w, "梓园小学", "4418820003").await;
        let (status, _) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings",
                Some(body(r, c, "2026-2027", "2026-2027")),
            )
            .await;
        assert_eq!(status, Status::Created);
        assert_eq!(app.count("school_pairings").await, 3);
        assert_eq!(
            count_where(
                &app,
                "audit_log WHERE entity = 'school_pairing' AND action = 'create'"
            )
            .await,
            3
        );
    })
    .await;
}

#[rocket::async_test]
async fn the_supporters_cap_is_checked_on_create_and_again_on_publish() {
    each_db(|app| async move {
        let w = world(&app).await;
        let c = third_school(&app, &w, "平岗中学", "4418820003").await;
        let d = third_school(&app, &w, "段岗小学", "4418820004").await;
        let e = third_school(&app, &w, "龙塘小学", "4418820005").await;
        let u = w.urban.id;
        active(&app, &w, u, w.rural.id, "2026-2027", "2026-2027").await;
        // Two drafts are allowed while only one pairing is active…
        let dc = draft(&app, &w, u, c, "2026-2027", "2026-2027").await;
        let dd = draft(&app, &w, u, d, "2026-2027", "2026-2027").await;
        app.login("bureau@tongxing.test", PASSWORD).await;

        // …but publishing both would make three: none is published, and the refusal says which and why.
        let (status, err) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings/publish",
                Some(json!({"ids": [dc, dd], "idempotency_key": "k-cap"})),
            )
            .await;
        assert_eq!(status, Status::UnprocessableEntity, "{err}");
        let ids = field_text(&err, "ids");
        assert!(ids.contains(&format!("#{dd}")), "{err}");
        assert!(
            ids.contains("段岗小学") && ids.contains("达到上限"),
            "{err}"
        );
        assert_eq!(row(&app, dc).await.status, PairingStatus::Draft);
        assert_eq!(row(&app, dd).await.status, PairingStatus::Draft);
        assert_eq!(
            count_where(&app, "audit_log WHERE action = 'publish'").await,
            1
        );
        assert_eq!(count_where(&app, "idempotency_keys").await, 0);

        // The same from the list page: the page comes back with the reason, ticks kept.
        let (sc, sd) = (dc.to_string(), dd.to_string());
        let res = app
            .post_form(
                "/school-pairings/publish",
                &[
                    ("ids", sc.as_str()),
                    ("ids", sd.as_str()),
                    ("idempotency_key", "page-cap"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("没有发布任何结对") && html.contains("达到上限"));
        assert!(html.contains(&format!("value=\"{dd}\" aria-label")));
        assert!(html.contains(" checked"));
        assert_eq!(row(&app, dc).await.status, PairingStatus::Draft);
        assert_eq!(row(&app, dd).await.status, PairingStatus::Draft);

        // One of them is fine.
        let (status, _) = app
            .api(
                Method::Post,
                &format!("/api/v1/school-pairings/{dc}/publish"),
                None,
            )
            .await;
        assert_eq!(status, Status::Ok);
        // Now at the cap: a new draft for the same years is refused on the supporter…
        let (status, err) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings",
                Some(
                    json!({"supporter_id": u, "receiver_id": e, "year_from": "2026-2027",
                            "year_to": "2027-2028", "support_kinds": ["funds"]}),
                ),
            )
            .await;
        assert_eq!(status, Status::Conflict);
        assert!(
            field_text(&err, "supporter_id").contains("2026-2027"),
            "{err}"
        );
        // …and so is publishing the remaining draft.
        let (status, err) = app
            .api(
                Method::Post,
                &format!("/api/v1/school-pairings/{dd}/publish"),
                None,
            )
            .await;
        assert_eq!(status, Status::Conflict);
        assert!(
            field_text(&err, "supporter_id").contains("达到上限"),
            "{err}"
        );
        assert_eq!(row(&app, dd).await.status, PairingStatus::Draft);
        // A later year is free again.
        let (status, _) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings",
                Some(
                    json!({"supporter_id": u, "receiver_id": e, "year_from": "2027-2028",
                            "year_to": "2027-2028", "support_kinds": ["funds"]}),
                ),
            )
            .await;
        assert_eq!(status, Status::Created);
    })
    .await;
}

#[rocket::async_test]
async fn transitions_are_allowed_and_refused_by_role_and_state() {
    each_db(|app| async move {
        let w = world(&app).await;
        let c = third_school(&app, &w, "龙冲小学", "4418820003").await;
        app.user(&w.bureau_actor, "other@tongxing.test", "school_admin", Some(c), None)
            .await;
        let id = draft(&app, &w, w.urban.id, w.rural.id, "2026-2027", "2027-2028").await;
        let url = |tail: &str| format!("/api/v1/school-pairings/{id}{tail}");
        let put_body = json!({"supporter_id": w.urban.id, "receiver_id": w.rural.id,
            "year_from": "2026-2027", "year_to": "2026-2027", "support_kinds": ["funds"]});

        // Drafts are the bureau's: a school admin of the pairing neither sees nor touches one.
        app.login("urban@tongxing.test", PASSWORD).await;
        let (status, _) = app.api(Method::Get, &url(""), None).await;
        assert_eq!(status, Status::NotFound);
        let (status, list) = app.api(Method::Get, "/api/v1/school-pairings", None).await;
        assert_eq!(list["total"], 0, "{status} {list}");
        let (status, _) = app.api(Method::Put, &url(""), Some(put_body.clone())).await;
        assert_eq!(status, Status::NotFound);
        // A draft they may not see answers like a missing one, also to a step on it.
        let (status, _) = app.api(Method::Post, &url("/publish"), None).await;
        assert_eq!(status, Status::NotFound);
        let (status, _) = app
            .api(
                Method::Post,
                &url("/request-termination"),
                Some(json!({"reason": "x"})),
            )
            .await;
        assert_eq!(status, Status::NotFound);
        app.logout().await;

        // Another school's admin does not see it at all.
        app.login("other@tongxing.test", PASSWORD).await;
        let (status, _) = app.api(Method::Get, &url(""), None).await;
        assert_eq!(status, Status::NotFound);
        let (status, list) = app.api(Method::Get, "/api/v1/school-pairings", None).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(list["total"], 0);
        app.logout().await;
        assert_eq!(row(&app, id).await.status, PairingStatus::Draft);
        assert_eq!(row(&app, id).await.year_to, "2027-2028");

        // The bureau: unknown ids are 404 and nothing changes; a draft cannot be terminated.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let before = app.count("school_pairings").await;
        let (status, _) = app
            .api(Method::Post, "/api/v1/school-pairings/9999/publish", None)
            .await;
        assert_eq!(status, Status::NotFound);
        let (status, _) = app
            .api(Method::Put, "/api/v1/school-pairings/9999", Some(put_body.clone()))
            .await;
        assert_eq!(status, Status::NotFound);
        let (status, _) = app
            .api(Method::Post, "/api/v1/school-pairings/abc/terminate", Some(json!({"reason": "x"})))
            .await;
        assert_eq!(status, Status::NotFound);
        assert_eq!(app.count("school_pairings").await, before);
        let (status, err) = app
            .api(Method::Post, &url("/terminate"), Some(json!({"reason": "不再需要"})))
            .await;
        assert_eq!(status, Status::Conflict);
        assert!(field_text(&err, "status").contains("进行中"), "{err}");
        let (status, body) = app.api(Method::Put, &url(""), Some(put_body.clone())).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["support_kinds"], json!(["funds"]));
        let (status, body) = app.api(Method::Post, &url("/publish"), None).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["status"], "active");
        let (status, err) = app.api(Method::Post, &url("/publish"), None).await;
        assert_eq!(status, Status::Conflict);
        assert!(field_text(&err, "status").contains("草稿"), "{err}");
        let (status, _) = app.api(Method::Put, &url(""), Some(put_body.clone())).await;
        assert_eq!(status, Status::Conflict);
        let (status, _) = app
            .api(Method::Post, &url("/request-termination"), Some(json!({"reason": "x"})))
            .await;
        assert_eq!(status, Status::Forbidden, "the bureau terminates, it does not ask");
        app.logout().await;

        // Once published, the school admin reads it but cannot edit it.
        app.login("urban@tongxing.test", PASSWORD).await;
        let (status, body) = app.api(Method::Get, &url(""), None).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["supporter_name"], "连州市实验学校");
        let (status, _) = app.api(Method::Put, &url(""), Some(put_body.clone())).await;
        assert_eq!(status, Status::Forbidden);
        let (status, _) = app
            .api(Method::Post, &url("/terminate"), Some(json!({"reason": "x"})))
            .await;
        assert_eq!(status, Status::Forbidden);
        app.logout().await;
        assert_eq!(row(&app, id).await.status, PairingStatus::Active);

        // A teacher of the school reads it, changes nothing.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (status, _) = app.api(Method::Get, &url(""), None).await;
        assert_eq!(status, Status::Ok);
        let (status, _) = app
            .api(Method::Post, &url("/request-termination"), Some(json!({"reason": "x"})))
            .await;
        assert_eq!(status, Status::Forbidden);
        let (status, _) = app
            .api(Method::Post, &url("/terminate"), Some(json!({"reason": "x"})))
            .await;
        assert_eq!(status, Status::Forbidden);
        app.logout().await;
        app.login("other@tongxing.test", PASSWORD).await;
        let (status, _) = app
            .api(Method::Post, &url("/request-termination"), Some(json!({"reason": "x"})))
            .await;
        assert_eq!(status, Status::NotFound);
        app.logout().await;
        let r = row(&app, id).await;
        assert_eq!(r.status, PairingStatus::Active);
        assert!(r.termination_requested_at.is_none());

        // The receiving school asks (a reason is required); the bureau is told.
        let sent_before = app.deliver_mail().await.len();
        app.login("rural@tongxing.test", PASSWORD).await;
        let (status, err) = app
            .api(Method::Post, &url("/request-termination"), Some(json!({"reason": "  "})))
            .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(err["error"]["fields"]["reason"].is_array());
        let (status, body) = app
            .api(
                Method::Post,
                &url("/request-termination"),
                Some(json!({"reason": "学校撤并"})),
            )
            .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["termination_request_reason"], "学校撤并");
        let (status, _) = app
            .api(Method::Post, &url("/request-termination"), Some(json!({"reason": "再问"})))
            .await;
        assert_eq!(status, Status::Conflict);
        app.logout().await;
        assert_eq!(
            count_where(
                &app,
                &format!(
                    "notifications WHERE user_id = {} AND kind = 'school-pairing-termination-requested'",
                    w.bureau.id
                )
            )
            .await,
            1
        );
        let mails = app.deliver_mail().await;
        let new: Vec<_> = mails[sent_before..].iter().collect();
        assert!(
            new.iter().any(|m| m.to == w.bureau.email
                && m.subject.contains("终止申请：连州市实验学校 → 三元中学")),
            "{new:?}"
        );

        // The bureau turns the request down (the requester is told), then terminates.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, body) = app.api(Method::Post, &url("/reject-request"), None).await;
        assert_eq!(status, Status::Ok);
        assert!(body["termination_requested_at"].is_null());
        let (status, _) = app.api(Method::Post, &url("/reject-request"), None).await;
        assert_eq!(status, Status::Conflict);
        assert_eq!(
            count_where(
                &app,
                &format!(
                    "notifications WHERE user_id = {} AND kind = 'school-pairing-termination-rejected'",
                    w.rural_admin.id
                )
            )
            .await,
            1
        );
        let (status, err) = app
            .api(Method::Post, &url("/terminate"), Some(json!({"reason": ""})))
            .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(err["error"]["fields"]["reason"].is_array());
        assert_eq!(row(&app, id).await.status, PairingStatus::Active);
        let (status, body) = app
            .api(Method::Post, &url("/terminate"), Some(json!({"reason": "学校撤并"})))
            .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["status"], "terminated");
        assert_eq!(body["terminate_reason"], "学校撤并");

        // Nothing brings it back.
        for (method, tail, body) in [
            (Method::Post, "/publish", None),
            (Method::Post, "/terminate", Some(json!({"reason": "x"}))),
            (Method::Post, "/reject-request", None),
            (Method::Put, "", Some(put_body.clone())),
        ] {
            let (status, err) = app.api(method, &url(tail), body).await;
            assert_eq!(status, Status::Conflict, "{tail}: {err}");
            assert!(err["error"]["fields"]["status"].is_array(), "{tail}: {err}");
        }
        assert_eq!(row(&app, id).await.status, PairingStatus::Terminated);
        assert_eq!(
            count_where(
                &app,
                &format!("audit_log WHERE entity = 'school_pairing' AND entity_id = {id}")
            )
            .await,
            6,
            "create, update, publish, request, reject, terminate"
        );
    })
    .await;
}

#[rocket::async_test]
async fn a_double_submitted_publish_does_nothing_twice_and_both_sides_are_told() {
    each_db(|app| async move {
        let w = world(&app).await;
        // The rural admin reads English.
        let mut admin = w.rural_admin.clone().into_active_model();
        admin.locale = Set(Some("en".into()));
        admin.update(&app.db).await.unwrap();
        let c = third_school(&app, &w, "平岗中学", "4418820003").await;
        let a = draft(&app, &w, w.urban.id, w.rural.id, "2026-2027", "2026-2027").await;
        let b = draft(&app, &w, w.urban.id, c, "2026-2027", "2026-2027").await;
        let sent_before = app.deliver_mail().await.len();
        let notes_before = app.count("notifications").await;

        app.login("bureau@tongxing.test", PASSWORD).await;
        let request = json!({"ids": [a, b], "idempotency_key": "publish-once"});
        let (status, first) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings/publish",
                Some(request.clone()),
            )
            .await;
        assert_eq!(status, Status::Ok, "{first}");
        assert_eq!(first.as_array().unwrap().len(), 2);
        assert!(
            first
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["status"] == "active")
        );
        let (status, second) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings/publish",
                Some(request),
            )
            .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(second, first);
        assert_eq!(
            count_where(&app, "audit_log WHERE action = 'publish'").await,
            2
        );
        // Pairing a: both admins; pairing b: the urban admin (the new school has none).
        assert_eq!(app.count("notifications").await - notes_before, 3);
        let mails = app.deliver_mail().await;
        let new: Vec<_> = mails[sent_before..].to_vec();
        assert_eq!(new.len(), 3, "{new:?}");
        assert!(new.iter().any(|m| m.to == w.urban_admin.email
            && m.subject.contains("新结对：连州市实验学校 → 三元中学")));
        assert!(new.iter().any(|m| m.to == w.rural_admin.email
            && m.subject.contains("New pairing: 连州市实验学校 → 三元中学")));

        // The page's bulk form, clicked twice with its one key: the second click is a no-op.
        let d = draft(&app, &w, w.rural.id, c, "2027-2028", "2027-2028").await;
        let (status, html) = app.get_html("/school-pairings").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("发布所选草稿"));
        assert!(html.contains(&format!("name=\"ids\" value=\"{d}\"")));
        let id = d.to_string();
        for _ in 0..2 {
            let res = app
                .post_form(
                    "/school-pairings/publish",
                    &[("ids", id.as_str()), ("idempotency_key", "page-key-1")],
                )
                .await;
            assert_eq!(res.status(), Status::SeeOther);
        }
        assert_eq!(row(&app, d).await.status, PairingStatus::Active);
        assert_eq!(
            count_where(&app, "audit_log WHERE action = 'publish'").await,
            3
        );
        assert_eq!(
            count_where(
                &app,
                &format!("notifications WHERE link = '/school-pairings/{d}'")
            )
            .await,
            1
        );
        // Another user cannot replay someone else's key.
        app.logout().await;
        let other = app.bureau("second@tongxing.test").await;
        let _ = other;
        app.login("second@tongxing.test", PASSWORD).await;
        let (status, _) = app
            .api(
                Method::Post,
                "/api/v1/school-pairings/publish",
                Some(json!({"ids": [a], "idempotency_key": "publish-once"})),
            )
            .await;
        assert_eq!(status, Status::Conflict);
    })
    .await;
}

#[rocket::async_test]
async fn complete_ended_completes_only_pairings_whose_last_year_has_ended() {
    each_db(|app| async move {
        let w = world(&app).await;
        let c = third_school(&app, &w, "龙塘小学", "4418820003").await;
        let d = third_school(&app, &w, "龙冲小学", "4418820004").await;
        let ended = active(&app, &w, w.urban.id, w.rural.id, "2025-2026", "2026-2027").await;
        let running = active(&app, &w, w.urban.id, c, "2026-2027", "2027-2028").await;
        let still_draft = draft(&app, &w, w.rural.id, d, "2026-2027", "2026-2027").await;
        // 2027-2028 exists and ends early (30 June 2028).
        tongxing::domain::academic_years::create(
            &app.db,
            &w.bureau_actor,
            &tongxing::domain::academic_years::YearForm {
                name: "2027-2028".into(),
                starts_on: "2027-09-01".into(),
                ends_on: "2028-06-30".into(),
                ..Default::default()
            },
        )
        .await
        .expect("year");
        let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();

        // 2026-2027 does not exist: it ends on 31 July 2027.
        assert_eq!(
            school_pairings::complete_ended(&app.db, date("2027-07-31"))
                .await
                .unwrap(),
            0
        );
        assert_eq!(row(&app, ended).await.status, PairingStatus::Active);
        assert_eq!(
            school_pairings::complete_ended(&app.db, date("2027-08-01"))
                .await
                .unwrap(),
            1
        );
        assert_eq!(row(&app, ended).await.status, PairingStatus::Completed);
        assert!(row(&app, ended).await.completed_at.is_some());
        assert_eq!(row(&app, running).await.status, PairingStatus::Active);
        assert_eq!(row(&app, still_draft).await.status, PairingStatus::Draft);
        assert_eq!(
            school_pairings::complete_ended(&app.db, date("2028-07-01"))
                .await
                .unwrap(),
            1
        );
        assert_eq!(row(&app, running).await.status, PairingStatus::Completed);
        assert_eq!(row(&app, still_draft).await.status, PairingStatus::Draft);
        assert_eq!(
            count_where(
                &app,
                "audit_log WHERE action = 'complete' AND actor_id IS NULL"
            )
            .await,
            2
        );

        // A completed pairing never comes back.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, _) = app
            .api(
                Method::Post,
                &format!("/api/v1/school-pairings/{ended}/terminate"),
                Some(json!({"reason": "x"})),
            )
            .await;
        assert_eq!(status, Status::Conflict);
        let (status, _) = app
            .api(
                Method::Post,
                &format!("/api/v1/school-pairings/{ended}/publish"),
                None,
            )
            .await;
        assert_eq!(status, Status::Conflict);
        assert_eq!(row(&app, ended).await.status, PairingStatus::Completed);
    })
    .await;
}

#[rocket::async_test]
async fn pages_keep_the_input_show_the_next_step_and_the_timeline() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/school-pairings/new").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("连州市实验学校") && html.contains("name=\"support_kinds\""));

        let (u, r) = (w.urban.id.to_string(), w.rural.id.to_string());
        let res = app
            .post_form(
                "/school-pairings",
                &[
                    ("supporter_id", u.as_str()),
                    ("receiver_id", u.as_str()),
                    ("year_from", "2026-2027"),
                    ("year_to", "2026-2027"),
                    ("support_kinds", "staff"),
                    ("note", "一周一次跟岗"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("学校不能与自己结对"));
        assert!(html.contains("一周一次跟岗"));
        assert!(html.contains("value=\"staff\" checked"));
        assert_eq!(app.count("school_pairings").await, 0);

        let res = app
            .post_form(
                "/school-pairings",
                &[
                    ("supporter_id", u.as_str()),
                    ("receiver_id", r.as_str()),
                    ("year_from", "2026-2027"),
                    ("year_to", "2027-2028"),
                    ("support_kinds", "staff"),
                    ("support_kinds", "materials"),
                    ("note", "一周一次跟岗"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let id = rows::Entity::find().one(&app.db).await.unwrap().unwrap().id;
        assert_eq!(
            row(&app, id).await.support_kinds,
            r#"["staff","materials"]"#
        );

        let (status, html) = app
            .get_html("/school-pairings?status=draft&kind=materials")
            .await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("三元中学") && html.contains("data-label="));
        let (_, html) = app.get_html("/school-pairings?status=active").await;
        assert!(!html.contains(&format!("/school-pairings/{id}\"")));
        let (_, html) = app.get_html("/school-pairings?year=2028-2029").await;
        assert!(!html.contains(&format!("/school-pairings/{id}\"")));
        let (_, html) = app
            .get_html(&format!(
                "/school-pairings?q={}",
                crate::common::enc("三元")
            ))
            .await;
        assert!(html.contains(&format!("/school-pairings/{id}\"")));

        let (status, html) = app.get_html(&format!("/school-pairings/{id}")).await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("这是草稿") && html.contains("创建草稿"));
        let key = html
            .split("name=\"idempotency_key\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        let res = app
            .post_form(
                &format!("/school-pairings/{id}/publish"),
                &[("idempotency_key", key.as_str())],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app.get_html(&format!("/school-pairings/{id}")).await;
        assert!(html.contains("结对进行中") && html.contains("发布"));
        let publish_at = html.find("<li>").unwrap();
        assert!(
            html[publish_at..].find("发布").unwrap() < html[publish_at..].find("创建草稿").unwrap()
        );

        // Terminating: a confirmation page, the reason kept when missing.
        let (status, html) = app
            .get_html(&format!("/school-pairings/{id}/terminate"))
            .await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("终止后不能恢复"));
        let res = app
            .post_form(
                &format!("/school-pairings/{id}/terminate"),
                &[("reason", " ")],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert_eq!(row(&app, id).await.status, PairingStatus::Active);
        app.logout().await;

        // A school admin asks for termination from the page; a teacher only reads.
        app.login("rural@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html(&format!("/school-pairings/{id}")).await;
        assert!(html.contains("申请终止"));
        let (status, _) = app
            .get_html(&format!("/school-pairings/{id}/terminate"))
            .await;
        assert_eq!(status, Status::Forbidden);
        let res = app
            .post_form(
                &format!("/school-pairings/{id}/request-termination"),
                &[("reason", "师资调整")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        app.logout().await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/school-pairings").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("学校结对") && html.contains("三元中学"));
        let (_, html) = app.get_html(&format!("/school-pairings/{id}")).await;
        // A teacher sees the step, not the reason given for it.
        assert!(html.contains("申请终止") && !html.contains("师资调整"));
        assert!(!html.contains(&format!("/school-pairings/{id}/request-termination")));
        let res = app
            .post_form(
                &format!("/school-pairings/{id}/terminate"),
                &[("reason", "x")],
            )
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        assert_eq!(row(&app, id).await.status, PairingStatus::Active);
        let (status, _) = app.get_html("/school-pairings/9999").await;
        assert_eq!(status, Status::NotFound);
    })
    .await;
}

/// The pairing form guides (issue 11 item 5): supporters are offered from the most urban
/// kind, receivers from the most rural; academic years are choices; a rural school
/// supporting an urban one is saved only after the bureau confirms the direction.
#[rocket::async_test]
async fn the_form_offers_schools_by_kind_and_confirms_an_unusual_direction() {
    each_db(|app| async move {
        let w = world(&app).await;
        crate::teacher_pairings::year(&app, &w, "2026-2027", true).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/school-pairings/new").await;
        let supporter = &html[html.find("name=\"supporter_id\"").unwrap()..];
        let supporter = &supporter[..supporter.find("</select>").unwrap()];
        assert!(
            supporter.find("label=\"城区\"").unwrap() < supporter.find("label=\"农村\"").unwrap(),
            "supporters: urban first"
        );
        let receiver = &html[html.find("name=\"receiver_id\"").unwrap()..];
        let receiver = &receiver[..receiver.find("</select>").unwrap()];
        assert!(
            receiver.find("label=\"农村\"").unwrap() < receiver.find("label=\"城区\"").unwrap()
        );
        assert!(
            html.contains("<select id=\"f-year_from\""),
            "years are choices"
        );
        assert!(
            html.contains("<option value=\"2027-2028\""),
            "and later names"
        );

        let (u, r) = (w.urban.id.to_string(), w.rural.id.to_string());
        let fields = |confirm: &'static str| {
            vec![
                ("supporter_id", r.clone()),
                ("receiver_id", u.clone()),
                ("year_from", "2026-2027".to_string()),
                ("year_to", "2026-2027".to_string()),
                ("support_kinds", "staff".to_string()),
                ("confirm_direction", confirm.to_string()),
            ]
        };
        let send = |f: Vec<(&'static str, String)>| {
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let res = app.post_form("/school-pairings", &pairs).await;
                let status = res.status();
                (status, res.into_string().await.unwrap_or_default())
            }
        };
        let (status, html) = send(fields("")).await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert!(html.contains("这次的方向相反"), "the warning");
        assert!(
            html.contains("name=\"confirm_direction\""),
            "the box to confirm"
        );
        assert_eq!(app.count("school_pairings").await, 0, "nothing saved");
        let (status, _) = send(fields("1")).await;
        assert_eq!(status, Status::SeeOther, "confirmed: saved");
        assert_eq!(app.count("school_pairings").await, 1);
    })
    .await;
}

/// Drafts are deleted by the bureau after a confirmation page, school and teacher pairings
/// alike, on pages and through the API; a published pairing never is; a school pairing
/// with teacher pairings under it stays and the page says why; a teacher pairing's plan
/// comments go with it; a second click finds nothing; every refusal changes nothing.
#[rocket::async_test]
async fn drafts_are_deleted_after_a_confirmation_and_published_pairings_never() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = crate::teacher_pairings::year(&app, &w, "2026-2027", true).await;
        let sp = draft(&app, &w, w.urban.id, w.rural.id, "2026-2027", "2026-2027").await;
        let live = active(&app, &w, w.urban.id, w.rural.id, "2027-2028", "2027-2028").await;
        let tp = tongxing::domain::teacher_pairings::create(
            &app.db,
            &w.bureau_actor,
            &crate::teacher_pairings::form(w.mentor.id, w.mentee.id, "数学", y),
        )
        .await
        .expect("teacher pairing draft");
        let tp = tp.id;
        // The teacher pairing belongs to the school pairing draft and has a plan comment.
        app.db
            .execute_unprepared(&format!(
                "UPDATE teacher_pairings SET school_pairing_id = {sp} WHERE id = {tp}"
            ))
            .await
            .unwrap();
        let now = app.time_literal(chrono::Utc::now());
        app.db
            .execute_unprepared(&format!(
                "INSERT INTO plan_comments (teacher_pairing_id, author_id, body, created_at) \
                 VALUES ({tp}, {}, '先定听课时间', {now})",
                w.bureau.id
            ))
            .await
            .unwrap();
        let school_pairings = || app.count("school_pairings");

        // A school admin may not delete (the draft is hidden from them: 404), nor through
        // the API; nothing changes.
        app.login("urban@tongxing.test", PASSWORD).await;
        for path in [format!("/school-pairings/{sp}/delete")] {
            let (s, _) = app.get_html(&path).await;
            assert_eq!(s, Status::NotFound);
            let res = app.post_form(&path, &[]).await;
            assert_eq!(res.status(), Status::NotFound);
        }
        let (s, _) = app
            .api(Method::Delete, &format!("/api/v1/school-pairings/{live}"), None)
            .await;
        assert_eq!(s, Status::Forbidden, "a school admin of a live pairing");
        app.logout().await;
        assert_eq!(school_pairings().await, 2);

        app.login("bureau@tongxing.test", PASSWORD).await;
        // The draft's page offers the delete as a link to its confirmation page.
        let (_, html) = app.get_html(&format!("/school-pairings/{sp}")).await;
        assert!(html.contains(&format!("href=\"/school-pairings/{sp}/delete\"")), "{html}");
        let (s, html) = app.get_html(&format!("/school-pairings/{sp}/delete")).await;
        assert_eq!(s, Status::Ok);
        assert!(
            html.contains("连州市实验学校 → 三元中学")
                && html.contains("删除后不能恢复")
                && html.contains(">删除草稿</button>"),
            "{html}"
        );
        // A published pairing: no link, no page, no delete.
        let (_, html) = app.get_html(&format!("/school-pairings/{live}")).await;
        assert!(!html.contains("/delete\""), "{html}");
        let (s, _) = app.get_html(&format!("/school-pairings/{live}/delete")).await;
        assert_eq!(s, Status::Conflict);
        let res = app.post_form(&format!("/school-pairings/{live}/delete"), &[]).await;
        assert_eq!(res.status(), Status::Conflict);
        let (s, body) = app
            .api(Method::Delete, &format!("/api/v1/school-pairings/{live}"), None)
            .await;
        assert_eq!(s, Status::Conflict);
        assert!(field_text(&body, "status").contains("草稿"), "{body}");
        assert_eq!(row(&app, live).await.status, PairingStatus::Active);

        // The school pairing draft has a teacher pairing: it stays, the page says why.
        let res = app.post_form(&format!("/school-pairings/{sp}/delete"), &[]).await;
        assert_eq!(res.status(), Status::Conflict);
        let html = res.into_string().await.unwrap_or_default();
        assert!(html.contains("还有师徒结对"), "{html}");
        assert_eq!(school_pairings().await, 2);

        // The teacher pairing draft goes, with its plan comment, after its own page.
        let (_, html) = app.get_html(&format!("/teacher-pairings/{tp}")).await;
        assert!(html.contains(&format!("href=\"/teacher-pairings/{tp}/delete\"")), "{html}");
        let (s, html) = app.get_html(&format!("/teacher-pairings/{tp}/delete?lang=en")).await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("李明 → 姚成琳") && html.contains(">Delete draft</button>"), "{html}");
        let res = app.post_form(&format!("/teacher-pairings/{tp}/delete"), &[]).await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(
            res.headers().get_one("Location"),
            Some("/teacher-pairings?status=draft")
        );
        assert_eq!(app.count(&format!("teacher_pairings WHERE id = {tp}")).await, 0);
        assert_eq!(app.count("plan_comments").await, 0);
        // A second click finds nothing.
        let res = app.post_form(&format!("/teacher-pairings/{tp}/delete"), &[]).await;
        assert_eq!(res.status(), Status::NotFound);

        // Now the school pairing draft goes too; the audit log keeps what it was.
        let res = app.post_form(&format!("/school-pairings/{sp}/delete"), &[]).await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(
            res.headers().get_one("Location"),
            Some("/school-pairings?status=draft")
        );
        assert_eq!(school_pairings().await, 1);
        assert_eq!(
            app.count(&format!(
                "audit_log WHERE action = 'delete' AND entity IN ('school_pairing', 'teacher_pairing') AND entity_id IN ({sp}, {tp})"
            ))
            .await,
            2
        );
        let (s, _) = app
            .api(Method::Delete, &format!("/api/v1/school-pairings/{sp}"), None)
            .await;
        assert_eq!(s, Status::NotFound, "gone");

        // Through the API: 204, then 404.
        let again = draft(&app, &w, w.urban.id, w.rural.id, "2026-2027", "2026-2027").await;
        let (s, _) = app
            .api(Method::Delete, &format!("/api/v1/school-pairings/{again}"), None)
            .await;
        assert_eq!(s, Status::NoContent);
        let (s, _) = app
            .api(Method::Get, &format!("/api/v1/school-pairings/{again}"), None)
            .await;
        assert_eq!(s, Status::NotFound);
    })
    .await;
}

/// The value of a hidden field in a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no hidden {name} in the page"))
        .to_string()
}

/// A draft saved by someone else while the form was open is not overwritten: the form
/// comes back (409) with what was typed and says so, and saving again then keeps it.
/// Creating twice (a double click) makes one draft. School and teacher pairings alike.
#[rocket::async_test]
async fn a_stale_draft_edit_is_refused_with_the_typing_kept_and_a_double_create_makes_one() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = crate::teacher_pairings::year(&app, &w, "2026-2027", true).await;
        let sp = draft(&app, &w, w.urban.id, w.rural.id, "2026-2027", "2026-2027").await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html(&format!("/school-pairings/{sp}/edit")).await;
        let read_at = hidden(&html, "read_at");
        // Meanwhile, another bureau window saves the draft.
        let mut other = form(w.urban.id, w.rural.id, "2026-2027", "2026-2027");
        other.note = "另一个窗口写的备注".into();
        school_pairings::update(&app.db, &w.bureau_actor, sp, &other, None)
            .await
            .expect("the other save");
        let (s, u, r) = (w.urban.id.to_string(), w.rural.id.to_string(), "2026-2027");
        let fields = |read_at: &str| {
            vec![
                ("supporter_id", s.clone()),
                ("receiver_id", u.clone()),
                ("year_from", r.to_string()),
                ("year_to", r.to_string()),
                ("support_kinds", "staff".to_string()),
                ("note", "我在表单里写的备注".to_string()),
                ("read_at", read_at.to_string()),
            ]
        };
        let post = |f: Vec<(&'static str, String)>| {
            let path = format!("/school-pairings/{sp}");
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let res = app.post_form(&path, &pairs).await;
                (res.status(), res.into_string().await.unwrap_or_default())
            }
        };
        let (status, page) = post(fields(&read_at)).await;
        assert_eq!(status, Status::Conflict);
        assert!(
            page.contains("已被别人保存过") && page.contains("我在表单里写的备注"),
            "{page}"
        );
        assert_eq!(
            row(&app, sp).await.note,
            "另一个窗口写的备注",
            "nothing overwritten"
        );
        // The form now carries the saved version: saving again keeps what was typed.
        let fresh = hidden(&page, "read_at");
        assert_ne!(fresh, read_at);
        let (status, _) = post(fields(&fresh)).await;
        assert_eq!(status, Status::SeeOther);
        assert_eq!(row(&app, sp).await.note, "我在表单里写的备注");

        // The same for a teacher pairing draft.
        let tp = tongxing::domain::teacher_pairings::create(
            &app.db,
            &w.bureau_actor,
            &crate::teacher_pairings::form(w.mentor.id, w.mentee.id, "数学", y),
        )
        .await
        .unwrap()
        .id;
        let (_, html) = app.get_html(&format!("/teacher-pairings/{tp}/edit")).await;
        let read_at = hidden(&html, "read_at");
        tongxing::domain::teacher_pairings::update(
            &app.db,
            &w.bureau_actor,
            tp,
            &crate::teacher_pairings::form(w.mentor.id, w.mentee.id, "语文", y),
            None,
        )
        .await
        .expect("the other save");
        let (m, e, yy) = (
            w.mentor.id.to_string(),
            w.mentee.id.to_string(),
            y.to_string(),
        );
        let tfields = |read_at: &str| {
            vec![
                ("mentor_id", m.clone()),
                ("mentee_id", e.clone()),
                ("subject", "英语".to_string()),
                ("academic_year_id", yy.clone()),
                ("read_at", read_at.to_string()),
            ]
        };
        let tpost = |f: Vec<(&'static str, String)>| {
            let path = format!("/teacher-pairings/{tp}");
            let app = &app;
            async move {
                let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let res = app.post_form(&path, &pairs).await;
                (res.status(), res.into_string().await.unwrap_or_default())
            }
        };
        let (status, page) = tpost(tfields(&read_at)).await;
        assert_eq!(status, Status::Conflict);
        assert!(
            page.contains("已被别人保存过") && page.contains("value=\"英语\""),
            "{page}"
        );
        assert_eq!(crate::teacher_pairings::row(&app, tp).await.subject, "语文");
        let (status, _) = tpost(tfields(&hidden(&page, "read_at"))).await;
        assert_eq!(status, Status::SeeOther);
        assert_eq!(crate::teacher_pairings::row(&app, tp).await.subject, "英语");

        // A double click on "create": one draft, the second answer says why.
        let c = third_school(&app, &w, "龙冲小学", "4418820003")
            .await
            .to_string();
        let create = [
            ("supporter_id", s.as_str()),
            ("receiver_id", c.as_str()),
            ("year_from", "2027-2028"),
            ("year_to", "2027-2028"),
            ("support_kinds", "staff"),
        ];
        let first = app.post_form("/school-pairings", &create).await.status();
        assert_eq!(first, Status::SeeOther);
        let before = app.count("school_pairings").await;
        let res = app.post_form("/school-pairings", &create).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert_eq!(app.count("school_pairings").await, before);
    })
    .await;
}
