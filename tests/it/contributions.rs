//! The support ledger (issue 13 item 3): the giving school records an item on an active
//! school pairing; only the receiving school confirms or disputes it; money is exact fen
//! from what is typed to the totals; totals count confirmed items and show waiting and
//! disputed ones apart, per pairing, school, district and year; every refusal changes
//! nothing.
use rocket::http::{Method, Status};
use serde_json::json;

use crate::common::{PASSWORD, TestApp, each_db, world};
use tongxing::domain::access::Actor;
use tongxing::domain::contributions::{
    self as ledger, ContributionForm, LedgerAction, LedgerFilter,
};
use tongxing::domain::users;
use tongxing::error::AppError;

fn item(value: &str, description: &str) -> ContributionForm {
    ContributionForm {
        given_on: (tongxing::domain::types::today() - chrono::Duration::days(3)).to_string(),
        kind: "equipment".into(),
        description: description.into(),
        quantity: "20".into(),
        value: value.into(),
        ..Default::default()
    }
}

struct Ledger {
    w: crate::common::World,
    pairing: i64,
    urban: Actor,
    rural: Actor,
    other: Actor,
}

/// The world, an active pairing 连州市实验学校 → 三元中学 and a third school's admin.
async fn setup(app: &TestApp) -> Ledger {
    let w = world(app).await;
    crate::teacher_pairings::year(app, &w, "2026-2027", true).await;
    let pairing =
        crate::school_pairings::active(app, &w, w.urban.id, w.rural.id, "2026-2027", "2026-2027")
            .await;
    let far = app
        .school(&w.bureau_actor, "星子中学", "4418820009", "rural")
        .await;
    let other = app
        .user(
            &w.bureau_actor,
            "far@tongxing.test",
            "school_admin",
            Some(far.id),
            None,
        )
        .await;
    Ledger {
        urban: users::actor_of(&w.urban_admin),
        rural: users::actor_of(&w.rural_admin),
        other: users::actor_of(&other),
        pairing,
        w,
    }
}

#[rocket::async_test]
async fn the_giver_records_and_only_the_receiver_answers() {
    each_db(|app| async move {
        let l = setup(&app).await;
        let c = ledger::create(
            &app.db,
            &l.urban,
            l.pairing,
            &item("17.5万", "课桌椅 120 套"),
            crate::common::ctx(),
        )
        .await
        .expect("recorded");
        assert_eq!(c.value_fen, 17_500_000, "17.5万 is ¥175,000.00 exactly");
        assert_eq!(
            (c.giver_school_id, c.receiver_school_id),
            (l.w.urban.id, l.w.rural.id)
        );
        assert_eq!(c.status, ledger::LedgerStatus::Recorded);

        // The receiving side records the other way (学生手拉手 gifts go both ways).
        let back = ledger::create(&app.db, &l.rural, l.pairing, &item("300", "学生手工作品"), crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(back.giver_school_id, l.w.rural.id);

        // Nobody but an admin of the two schools records: the bureau and a teacher 403,
        // another school's admin does not see the pairing (404).
        let before = app.count("contributions").await;
        let mentor = users::actor_of(&l.w.mentor_user);
        for (who, want) in [
            (&l.w.bureau_actor, "403"),
            (&mentor, "403"),
            (&l.other, "404"),
        ] {
            let err = ledger::create(&app.db, who, l.pairing, &item("1", "x"), crate::common::ctx())
                .await
                .unwrap_err();
            let got = match err {
                AppError::Forbidden => "403",
                AppError::NotFound => "404",
                e => panic!("{e:?}"),
            };
            assert_eq!(got, want);
        }
        assert_eq!(app.count("contributions").await, before, "nothing written");

        // Only the receiver answers: the giver and the bureau 403, another school 404.
        for (who, want) in [
            (&l.urban, "403"),
            (&l.w.bureau_actor, "403"),
            (&l.other, "404"),
        ] {
            let err = ledger::answer(&app.db, who, c.id, LedgerAction::Confirm, "", crate::common::ctx())
                .await
                .unwrap_err();
            let got = match err {
                AppError::Forbidden => "403",
                AppError::NotFound => "404",
                e => panic!("{e:?}"),
            };
            assert_eq!(got, want);
        }
        // A dispute needs its reason; then the giver corrects it and it waits again.
        let err = ledger::answer(&app.db, &l.rural, c.id, LedgerAction::Dispute, "  ", crate::common::ctx())
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::Invalid(ref f) if f.get("note").is_some()),
            "{err:?}"
        );
        let d = ledger::answer(
            &app.db,
            &l.rural,
            c.id,
            LedgerAction::Dispute,
            "只收到 100 套",
            crate::common::ctx(),
        )
        .await
        .unwrap();
        assert_eq!(d.status, ledger::LedgerStatus::Disputed);
        assert_eq!(d.note, "只收到 100 套");
        // A second answer to a disputed item: 409.
        let err = ledger::answer(&app.db, &l.rural, c.id, LedgerAction::Confirm, "", crate::common::ctx())
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Conflict { .. }), "{err:?}");
        // A stale edit (an old version) is refused and changes nothing.
        let mut fix = item("14.5万", "课桌椅 100 套");
        fix.version = "1".into();
        let err = ledger::update(&app.db, &l.urban, c.id, &fix, crate::common::ctx())
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::Conflict { ref field, .. } if field == "version"),
            "{err:?}"
        );
        fix.version = d.version.to_string();
        // The receiver cannot edit the giver's item.
        assert!(matches!(
            ledger::update(&app.db, &l.rural, c.id, &fix, crate::common::ctx()).await,
            Err(AppError::Forbidden)
        ));
        let fixed = ledger::update(&app.db, &l.urban, c.id, &fix, crate::common::ctx()).await.unwrap();
        assert_eq!(fixed.status, ledger::LedgerStatus::Recorded);
        assert_eq!(fixed.value_fen, 14_500_000);
        assert!(fixed.note.is_empty(), "the old dispute no longer applies");
        let ok = ledger::answer(&app.db, &l.rural, c.id, LedgerAction::Confirm, "已清点入库", crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(ok.status, ledger::LedgerStatus::Confirmed);
        // Confirmed: no more edits, answers or deletes, by anyone.
        fix.version = ok.version.to_string();
        for err in [
            ledger::update(&app.db, &l.urban, c.id, &fix, crate::common::ctx())
                .await
                .unwrap_err(),
            ledger::delete(&app.db, &l.urban, c.id).await.unwrap_err(),
            ledger::delete(&app.db, &l.w.bureau_actor, c.id)
                .await
                .unwrap_err(),
            ledger::answer(&app.db, &l.rural, c.id, LedgerAction::Dispute, "x", crate::common::ctx())
                .await
                .unwrap_err(),
        ] {
            assert!(matches!(err, AppError::Conflict { .. }), "{err:?}");
        }
        // An unconfirmed item is deleted by the giver or the bureau; the receiver may not.
        assert!(matches!(
            ledger::delete(&app.db, &l.urban, back.id).await,
            Err(AppError::Forbidden)
        ));
        ledger::delete(&app.db, &l.w.bureau_actor, back.id)
            .await
            .unwrap();
        assert_eq!(app.count("contributions").await, 1);
        // Each step told the side that acts next, in the app and by mail: the receiver of
        // an item waiting (recorded, then corrected), the giver of each answer.
        let told = |user: i64, kind: &'static str| {
            let app = &app;
            async move {
                app.scalar(&format!(
                    "SELECT COUNT(*) AS n FROM notifications WHERE user_id = {user} AND kind = '{kind}' AND link = '/contributions/{}'",
                    c.id
                ))
                .await
            }
        };
        let (urban_admin, rural_admin) = (l.w.urban_admin.id, l.w.rural_admin.id);
        assert_eq!(told(rural_admin, "ledger-recorded").await, 2);
        assert_eq!(told(urban_admin, "ledger-disputed").await, 1);
        assert_eq!(told(urban_admin, "ledger-confirmed").await, 1);
        assert_eq!(told(urban_admin, "ledger-recorded").await, 0);
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) AS n FROM outbox WHERE to_addr = '{}' AND subject LIKE '%异议%'",
                l.w.urban_admin.email
            ))
            .await,
            1,
            "the dispute reached the giver's admin by mail"
        );
        // Every step is in the audit log.
        assert_eq!(
            app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'contribution'")
                .await,
            6,
            "two recorded, one disputed, corrected, confirmed; the other deleted"
        );
    })
    .await;
}

#[rocket::async_test]
async fn bad_input_is_refused_with_its_field_and_nothing_is_written() {
    each_db(|app| async move {
        let l = setup(&app).await;
        let cases: Vec<(ContributionForm, &str)> = vec![
            (item("", "x"), "value"),
            (item("12,34", "x"), "value"),
            (item("1.234", "x"), "value"),
            (item("-5", "x"), "value"),
            (item("abc", "x"), "value"),
            (item("10000000001", "x"), "value"),
            (item("5", ""), "description"),
            (item("5", &"长".repeat(501)), "description"),
            (
                ContributionForm {
                    kind: "gold".into(),
                    ..item("5", "x")
                },
                "kind",
            ),
            (
                ContributionForm {
                    quantity: "0".into(),
                    ..item("5", "x")
                },
                "quantity",
            ),
            (
                ContributionForm {
                    given_on: (tongxing::domain::types::today() + chrono::Duration::days(1))
                        .to_string(),
                    ..item("5", "x")
                },
                "given_on",
            ),
            (
                ContributionForm {
                    given_on: "2026-02-30".into(),
                    ..item("5", "x")
                },
                "given_on",
            ),
        ];
        for (form, field) in cases {
            let err = ledger::create(&app.db, &l.urban, l.pairing, &form, crate::common::ctx())
                .await
                .unwrap_err();
            assert!(
                matches!(err, AppError::Invalid(ref f) if f.get(field).is_some()),
                "{field}: {err:?}"
            );
        }
        assert_eq!(app.count("contributions").await, 0);

        // A double submit (the same idempotency key) records one item.
        let once = ContributionForm {
            idempotency_key: "k-1".into(),
            ..item("100", "图书 50 册")
        };
        let a = ledger::create(&app.db, &l.urban, l.pairing, &once, crate::common::ctx())
            .await
            .unwrap();
        let b = ledger::create(&app.db, &l.urban, l.pairing, &once, crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(app.count("contributions").await, 1);

        // A pairing that is not running takes no items (409).
        tongxing::domain::school_pairings::terminate(
            &app.db,
            &l.w.bureau_actor,
            l.pairing,
            "调整",
            crate::common::ctx(),
        )
        .await
        .unwrap();
        let err = ledger::create(
            &app.db,
            &l.urban,
            l.pairing,
            &item("5", "x"),
            crate::common::ctx(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, AppError::Conflict { ref field, .. } if field == "school_pairing_id"),
            "{err:?}"
        );
        assert_eq!(app.count("contributions").await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn totals_count_confirmed_items_and_show_the_rest_apart() {
    each_db(|app| async move {
        let l = setup(&app).await;
        // Values that go wrong through floating point add up exactly.
        let mut ids = Vec::new();
        for v in ["0.10", "0.20", "0.29", "1,234.56", "17.5万"] {
            ids.push(
                ledger::create(
                    &app.db,
                    &l.urban,
                    l.pairing,
                    &item(v, "物资"),
                    crate::common::ctx(),
                )
                .await
                .unwrap()
                .id,
            );
        }
        for id in &ids[..4] {
            ledger::answer(
                &app.db,
                &l.rural,
                *id,
                LedgerAction::Confirm,
                "",
                crate::common::ctx(),
            )
            .await
            .unwrap();
        }
        let disputed = ledger::create(
            &app.db,
            &l.urban,
            l.pairing,
            &item("50", "图书"),
            crate::common::ctx(),
        )
        .await
        .unwrap();
        ledger::answer(
            &app.db,
            &l.rural,
            disputed.id,
            LedgerAction::Dispute,
            "未收到",
            crate::common::ctx(),
        )
        .await
        .unwrap();
        let all = LedgerFilter::default();
        let t = ledger::totals(&app.db, &l.w.bureau_actor, &all)
            .await
            .unwrap();
        assert_eq!(
            (t.confirmed.count, t.confirmed.value_fen),
            (4, 10 + 20 + 29 + 123_456)
        );
        assert_eq!((t.recorded.count, t.recorded.value_fen), (1, 17_500_000));
        assert_eq!((t.disputed.count, t.disputed.value_fen), (1, 5_000));
        // Per school (either side), per district, per year: the same items here; another
        // school, district or year: none.
        for filter in [
            LedgerFilter {
                school_id: Some(l.w.rural.id),
                ..Default::default()
            },
            LedgerFilter {
                district: "连州市".into(),
                ..Default::default()
            },
            LedgerFilter {
                school_pairing_id: Some(l.pairing),
                ..Default::default()
            },
        ] {
            assert_eq!(
                ledger::totals(&app.db, &l.w.bureau_actor, &filter)
                    .await
                    .unwrap(),
                t
            );
        }
        let year = crate::teacher_pairings::year(&app, &l.w, "2019-2020", false).await;
        for filter in [
            LedgerFilter {
                district: "阳山县".into(),
                ..Default::default()
            },
            LedgerFilter {
                academic_year_id: Some(year),
                ..Default::default()
            },
        ] {
            assert!(
                ledger::totals(&app.db, &l.w.bureau_actor, &filter)
                    .await
                    .unwrap()
                    .is_empty()
            );
        }
        // Each school's admin sees the items of their school only; a teacher none (403).
        assert_eq!(ledger::totals(&app.db, &l.urban, &all).await.unwrap(), t);
        assert!(
            ledger::totals(&app.db, &l.other, &all)
                .await
                .unwrap()
                .is_empty()
        );
        let mentee = users::actor_of(&l.w.mentee_user);
        assert!(matches!(
            ledger::totals(&app.db, &mentee, &all).await,
            Err(AppError::Forbidden)
        ));

        // The page shows them as yuan with two decimals, apart.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/contributions").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("¥1,235.15"), "confirmed: {html}");
        assert!(html.contains("¥175,000.00"), "waiting");
        assert!(html.contains("¥50.00"), "disputed");
        let (_, html) = app
            .get_html(&format!("/school-pairings/{}", l.pairing))
            .await;
        assert!(html.contains("id=\"ledger\"") && html.contains("¥1,235.15"));
        let (_, html) = app.get_html("/contributions?status=disputed").await;
        assert!(html.contains("未收到") || html.contains("图书"));
        assert!(
            !html.contains("物资</td>"),
            "only the disputed item: {html}"
        );
        assert!(html.contains("href=\"/contributions/export.xlsx?status=disputed\""));

        // The export holds every item the filter selects, the value in yuan to the cent.
        let res = app
            .client
            .get("/contributions/export.xlsx?status=confirmed")
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Ok);
        assert!(
            res.headers()
                .get_one("Content-Disposition")
                .is_some_and(|d| d.starts_with("attachment") && d.contains(".xlsx"))
        );
        let rows = crate::exports::sheet_rows(&res.into_bytes().await.unwrap());
        assert_eq!(rows.len(), 1 + 4, "a header and the four confirmed items");
        assert_eq!(rows[0][6], "金额（元）");
        let mut values: Vec<String> = rows[1..].iter().map(|r| r[6].clone()).collect();
        values.sort();
        assert_eq!(values, ["0.1", "0.2", "0.29", "1234.56"]);
        assert!(
            rows[1..]
                .iter()
                .all(|r| r[8] == "已确认" && r[1] == "连州市实验学校")
        );
        // A teacher has no ledger to export.
        app.logout().await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let res = app
            .client
            .get("/contributions/export.xlsx")
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Forbidden);
    })
    .await;
}

#[rocket::async_test]
async fn the_pages_record_answer_and_keep_what_was_typed() {
    each_db(|app| async move {
        let l = setup(&app).await;
        app.login("urban@tongxing.test", PASSWORD).await;
        let (status, html) = app
            .get_html(&format!("/school-pairings/{}", l.pairing))
            .await;
        assert_eq!(status, Status::Ok);
        let new = format!("/school-pairings/{}/contributions/new", l.pairing);
        assert!(
            html.contains(&format!("href=\"{new}\"")),
            "the giver may record"
        );
        let (status, form) = app.get_html(&new).await;
        assert_eq!(status, Status::Ok);
        assert!(form.contains("连州市实验学校 → 三元中学"));
        // A bad value: 422, the form again with what was typed and the message.
        let path = format!("/school-pairings/{}/contributions", l.pairing);
        let bad = [
            ("given_on", "2026-11-20"),
            ("kind", "books"),
            ("description", "图书 500 册"),
            ("quantity", "500"),
            ("value", "1,23"),
        ];
        let res = app.post_form(&path, &bad).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("value=\"图书 500 册\"") && html.contains("value=\"1,23\""));
        assert!(html.contains("请填写金额"), "{html}");
        assert_eq!(app.count("contributions").await, 0);
        let mut good = bad;
        good[4] = ("value", "1.2万");
        let res = app.post_form(&path, &good).await;
        assert_eq!(res.status(), Status::SeeOther);
        let location = res.headers().get_one("Location").unwrap().to_string();
        let (_, html) = app.get_html(&location).await;
        assert!(html.contains("¥12,000.00") && html.contains("待确认"));
        assert!(
            !html.contains("/confirm\""),
            "the giver has no confirm button"
        );
        app.logout().await;

        // The receiver confirms on the item's page; a dispute without a note keeps the page.
        app.login("rural@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html(&location).await;
        assert!(html.contains(&format!("{location}/confirm")) && html.contains("提出异议"));
        let res = app
            .post_form(&format!("{location}/dispute"), &[("note", "")])
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let res = app
            .post_form(&format!("{location}/confirm"), &[("note", "已入库")])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app.get_html(&location).await;
        assert!(html.contains("已确认") && html.contains("已入库"));
        app.logout().await;

        // Another school's admin: the item does not exist for them.
        app.login("far@tongxing.test", PASSWORD).await;
        let (status, _) = app.get_html(&location).await;
        assert_eq!(status, Status::NotFound);
        // A teacher has no ledger.
        app.logout().await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (status, _) = app.get_html("/contributions").await;
        assert_eq!(status, Status::Forbidden);

        // English.
        app.logout().await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/contributions?lang=en").await;
        assert!(html.contains("Support ledger") && html.contains("¥12,000.00"));
    })
    .await;
}

#[rocket::async_test]
async fn the_api_records_confirms_and_disputes_in_fen() {
    each_db(|app| async move {
        let l = setup(&app).await;
        app.login("urban@tongxing.test", PASSWORD).await;
        let (status, body) = app
            .api(
                Method::Post,
                "/api/v1/contributions",
                Some(json!({
                    "school_pairing_id": l.pairing,
                    "given_on": "2026-11-01",
                    "kind": "funds",
                    "description": "助学金",
                    "value_fen": 2_000_000,
                })),
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
        assert_eq!(body["value_fen"], 2_000_000);
        assert_eq!(body["status"], "recorded");
        assert_eq!(body["confirmed_at"], serde_json::Value::Null);
        assert_eq!(body["actions"], json!(["edit", "delete"]));
        let id = body["id"].as_i64().unwrap();
        // The wrong type, an unknown word, a value out of range: 422 before any rule.
        for bad in [
            json!({"school_pairing_id": l.pairing, "given_on": "2026-11-01", "kind": "funds", "description": "x", "value_fen": "12.5"}),
            json!({"school_pairing_id": l.pairing, "given_on": "2026-11-01", "kind": "gold", "description": "x", "value_fen": 5}),
            json!({"school_pairing_id": l.pairing, "given_on": "2026-11-01", "kind": "funds", "description": "x", "value_fen": 0}),
        ] {
            let (status, body) = app.api(Method::Post, "/api/v1/contributions", Some(bad)).await;
            assert_eq!(status, Status::UnprocessableEntity, "{body}");
        }
        assert_eq!(app.count("contributions").await, 1);
        app.logout().await;

        app.login("rural@tongxing.test", PASSWORD).await;
        let (status, body) = app
            .api(Method::Post, &format!("/api/v1/contributions/{id}/confirm"), Some(json!({})))
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["status"], "confirmed");
        assert!(body["confirmed_at"].is_string());
        let (status, body) = app
            .api(
                Method::Post,
                &format!("/api/v1/contributions/{id}/dispute"),
                Some(json!({"note": "晚了"})),
            )
            .await;
        assert_eq!(status, Status::Conflict, "{body}");
        let (status, body) = app.api(Method::Get, "/api/v1/contributions?status=confirmed", None).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["totals"]["confirmed"]["value_fen"], 2_000_000);
        assert_eq!(body["items"][0]["id"], id);
        let (status, _) = app.api(Method::Get, "/api/v1/contributions?status=lost", None).await;
        assert_eq!(status, Status::UnprocessableEntity);
        app.logout().await;

        app.login("far@tongxing.test", PASSWORD).await;
        let (status, _) = app
            .api(Method::Get, &format!("/api/v1/contributions/{id}"), None)
            .await;
        assert_eq!(status, Status::NotFound);
    })
    .await;
}

#[rocket::async_test]
async fn the_receiving_schools_home_lists_what_waits_for_its_answer() {
    each_db(|app| async move {
        let l = setup(&app).await;
        let c = ledger::create(
            &app.db,
            &l.urban,
            l.pairing,
            &item("1,234.56", "多媒体设备 2 套"),
            crate::common::ctx(),
        )
        .await
        .unwrap();
        app.login("rural@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/").await;
        assert!(html.contains("待确认的帮扶物资和资金（1）"), "{html}");
        assert!(html.contains(&format!("href=\"/contributions/{}\"", c.id)));
        assert!(html.contains("¥1,234.56"));
        // The giver's home does not list it: it waits for the other side.
        app.logout().await;
        app.login("urban@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/").await;
        assert!(!html.contains("待确认的帮扶物资和资金"), "{html}");
        // Answered: gone from the receiver's list.
        ledger::answer(
            &app.db,
            &l.rural,
            c.id,
            LedgerAction::Confirm,
            "",
            crate::common::ctx(),
        )
        .await
        .unwrap();
        app.logout().await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/").await;
        assert!(!html.contains("待确认的帮扶物资和资金"), "{html}");
    })
    .await;
}
