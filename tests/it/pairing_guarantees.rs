//! What holds across the pairing services: a change that rolls back leaves no mail and no
//! notice behind; two publishes at the same moment (two connections, as two instances of
//! the app would be) cannot together pass a cap or publish one draft twice.
use sea_orm::ConnectionTrait;
use tongxing::domain::school_pairings::{self, PairingForm};
use tongxing::domain::teacher_pairings as tp;
use tongxing::domain::types::PairingStatus;
use tongxing::error::AppError;

use crate::common::{TestApp, each_db, world};
use crate::teacher_pairings::{form, row, year};

fn school_form(s: i64, r: i64) -> PairingForm {
    PairingForm {
        supporter_id: s.to_string(),
        receiver_id: r.to_string(),
        year_from: "2026-2027".into(),
        year_to: "2026-2027".into(),
        support_kinds: vec!["staff".into()],
        note: String::new(),
        confirm_direction: String::new(),
        read_at: String::new(),
    }
}

async fn counts(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("outbox").await,
        app.count("notifications").await,
        app.count("audit_log").await,
    )
}

#[rocket::async_test]
async fn a_publish_that_rolls_back_leaves_no_mail_and_no_notice() {
    each_db(|app| async move {
        let w = world(&app).await;
        let b = &w.bureau_actor;
        let y = year(&app, &w, "2026-2027", true).await;
        // Two teacher drafts; the first would notify both of the world's teachers (who have
        // accounts), the second fails its rules at publish time (its mentee has left).
        let t1 = tp::create(&app.db, b, &form(w.mentor.id, w.mentee.id, "数学", y))
            .await
            .expect("draft 1")
            .id;
        let m2 = app.teacher(b, w.urban.id, "王芳", "U002").await;
        let e2 = app.teacher(b, w.rural.id, "陈静", "R002").await;
        let t2 = tp::create(&app.db, b, &form(m2.id, e2.id, "数学", y))
            .await
            .expect("draft 2")
            .id;
        app.db
            .execute_unprepared(&format!(
                "UPDATE teachers SET is_active = false WHERE id = {}",
                e2.id
            ))
            .await
            .unwrap();
        let before = counts(&app).await;
        let err = tp::publish(&app.db, b, &[t1, t2], None, crate::common::ctx()).await;
        assert!(matches!(err, Err(AppError::Invalid(_))), "{err:?}");
        assert_eq!(counts(&app).await, before, "no mail, notice or audit row");
        assert_eq!(row(&app, t1).await.status, PairingStatus::Draft);

        // The same for school pairings: the second school was deactivated after its draft.
        let c = app.school(b, "平岗中学", "4418820003", "rural").await;
        let s1 = school_pairings::create(&app.db, b, &school_form(w.urban.id, w.rural.id))
            .await
            .expect("school draft 1")
            .id;
        let s2 = school_pairings::create(&app.db, b, &school_form(w.urban.id, c.id))
            .await
            .expect("school draft 2")
            .id;
        app.db
            .execute_unprepared(&format!(
                "UPDATE schools SET is_active = false WHERE id = {}",
                c.id
            ))
            .await
            .unwrap();
        let before = counts(&app).await;
        let err = school_pairings::publish(&app.db, b, &[s1, s2], None, crate::common::ctx()).await;
        assert!(err.is_err(), "{err:?}");
        assert_eq!(counts(&app).await, before, "no mail, notice or audit row");
        assert_eq!(
            app.count("school_pairings WHERE status = 'active'").await,
            0
        );
    })
    .await;
}

#[rocket::async_test]
async fn concurrent_publishes_cannot_pass_the_caps_together() {
    each_db(|app| async move {
        let w = world(&app).await;
        let b = w.bureau_actor.clone();
        let y = year(&app, &w, "2026-2027", true).await;
        app.db
            .execute_unprepared(
                "INSERT INTO settings (key, value, updated_at) VALUES ('max_mentees_per_mentor', '1', CURRENT_TIMESTAMP)",
            )
            .await
            .unwrap();
        let (db1, db2) = (
            tongxing::db::connect(&app.url).await.unwrap(),
            tongxing::db::connect(&app.url).await.unwrap(),
        );
        // Three rounds, each with a fresh mentor and two drafts for two mentees.
        for round in 0..3 {
            let mentor = app
                .teacher(&b, w.urban.id, &format!("师傅{round}"), &format!("UM{round}"))
                .await;
            let a = app
                .teacher(&b, w.rural.id, &format!("徒弟{round}甲"), &format!("RA{round}"))
                .await;
            let c = app
                .teacher(&b, w.rural.id, &format!("徒弟{round}乙"), &format!("RB{round}"))
                .await;
            let d1 = tp::create(&app.db, &b, &form(mentor.id, a.id, "数学", y))
                .await
                .unwrap()
                .id;
            let d2 = tp::create(&app.db, &b, &form(mentor.id, c.id, "数学", y))
                .await
                .unwrap()
                .id;
            let (i1, i2) = ([d1], [d2]);
            let (r1, r2) = tokio::join!(
                tp::publish(&db1, &b, &i1, None, crate::common::ctx()),
                tp::publish(&db2, &b, &i2, None, crate::common::ctx())
            );
            assert_eq!(
                [r1.is_ok(), r2.is_ok()].iter().filter(|ok| **ok).count(),
                1,
                "round {round}: exactly one publish passes the cap: {r1:?} {r2:?}"
            );
            assert_eq!(
                app.count(&format!(
                    "teacher_pairings WHERE mentor_id = {} AND status = 'active'",
                    mentor.id
                ))
                .await,
                1
            );
        }

        // One draft published twice at the same moment: published once, told once.
        let mentor = app.teacher(&b, w.urban.id, "赵老师", "UZ").await;
        let d = tp::create(&app.db, &b, &form(mentor.id, w.mentee.id, "数学", y))
            .await
            .unwrap()
            .id;
        let ids = [d];
        let (r1, r2) = tokio::join!(
            tp::publish(&db1, &b, &ids, None, crate::common::ctx()),
            tp::publish(&db2, &b, &ids, None, crate::common::ctx())
        );
        let (o1, o2) = (r1.expect("first"), r2.expect("second"));
        assert_eq!(o1.published.len() + o2.published.len(), 1, "{o1:?} {o2:?}");
        assert_eq!(o1.unchanged.len() + o2.unchanged.len(), 1);
        assert_eq!(
            crate::teacher_pairings::notices_of(&app, w.mentee_user.id, "tp-published").await,
            1
        );
        assert_eq!(
            app.count(&format!(
                "audit_log WHERE entity = 'teacher_pairing' AND entity_id = {d} AND action = 'publish'"
            ))
            .await,
            1
        );

        // School pairings: a supporter with one active receiver and a cap of 2; two drafts
        // published at once — one passes.
        let c = app.school(&b, "平岗中学", "4418820003", "rural").await;
        let e = app.school(&b, "段岗小学", "4418820004", "rural").await;
        let first = school_pairings::create(&app.db, &b, &school_form(w.urban.id, w.rural.id))
            .await
            .unwrap()
            .id;
        school_pairings::publish(&app.db, &b, &[first], None, crate::common::ctx())
            .await
            .unwrap();
        let dc = school_pairings::create(&app.db, &b, &school_form(w.urban.id, c.id))
            .await
            .unwrap()
            .id;
        let de = school_pairings::create(&app.db, &b, &school_form(w.urban.id, e.id))
            .await
            .unwrap()
            .id;
        let (i1, i2) = ([dc], [de]);
        let (r1, r2) = tokio::join!(
            school_pairings::publish(&db1, &b, &i1, None, crate::common::ctx()),
            school_pairings::publish(&db2, &b, &i2, None, crate::common::ctx())
        );
        assert_eq!(
            [r1.is_ok(), r2.is_ok()].iter().filter(|ok| **ok).count(),
            1,
            "{r1:?} {r2:?}"
        );
        assert_eq!(
            app.count(&format!(
                "school_pairings WHERE supporter_id = {} AND status = 'active'",
                w.urban.id
            ))
            .await,
            2
        );
    })
    .await;
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The lists narrow by district, year, subject and school, on the page and in the API.
#[rocket::async_test]
async fn pairing_lists_filter_by_district_year_subject_and_school() {
    each_db(|app| async move {
        use rocket::http::Method;
        let w = world(&app).await;
        let b = w.bureau_actor.clone();
        let y1 = year(&app, &w, "2026-2027", true).await;
        let y2 = year(&app, &w, "2027-2028", false).await;
        // A school in another district with a teacher.
        let form_far = tongxing::domain::schools::SchoolForm {
            name: "龙冲小学".into(),
            code: "3415020202".into(),
            kind: "rural".into(),
            stage: "primary".into(),
            district: "叶集区".into(),
            township: "平岗办事处".into(),
            ..Default::default()
        };
        let far = tongxing::domain::schools::create(&app.db, &b, &form_far)
            .await
            .unwrap();
        let far_t = app.teacher(&b, far.id, "许老师", "F001").await;
        // 李明 → 姚成琳 数学 2026; 李明 → 许老师 语文 2027 (叶集区).
        tp::create(&app.db, &b, &form(w.mentor.id, w.mentee.id, "数学", y1))
            .await
            .unwrap();
        tp::create(&app.db, &b, &form(w.mentor.id, far_t.id, "语文", y2))
            .await
            .unwrap();
        // School pairings: urban → 三元中学 (连州市), urban → 龙冲小学 (叶集区).
        school_pairings::create(&app.db, &b, &school_form(w.urban.id, w.rural.id))
            .await
            .unwrap();
        let mut f = school_form(w.urban.id, far.id);
        f.year_from = "2027-2028".into();
        f.year_to = "2027-2028".into();
        f.support_kinds = vec!["materials".into()];
        school_pairings::create(&app.db, &b, &f).await.unwrap();

        app.login("bureau@tongxing.test", crate::common::PASSWORD)
            .await;
        let shows = |html: &str, name: &str| html.contains(&format!(">{name}<"));
        let cases = [
            (
                format!("/teacher-pairings?district={}", enc("叶集区")),
                ["许老师"],
                ["姚成琳"],
            ),
            (
                format!("/teacher-pairings?year={y1}"),
                ["姚成琳"],
                ["许老师"],
            ),
            (
                format!("/teacher-pairings?subject={}", enc("语文")),
                ["许老师"],
                ["姚成琳"],
            ),
            (
                format!("/teacher-pairings?school={}", w.rural.id),
                ["姚成琳"],
                ["许老师"],
            ),
        ];
        for (url, yes, no) in &cases {
            let (s, html) = app.get_html(url).await;
            assert_eq!(s, rocket::http::Status::Ok);
            for n in yes {
                assert!(html.contains(n), "{url}: {n} listed");
            }
            for n in no {
                assert!(!html.contains(n), "{url}: {n} not listed");
            }
        }
        let (_, body) = app
            .api(
                Method::Get,
                &format!("/api/v1/teacher-pairings?district={}", enc("叶集区")),
                None,
            )
            .await;
        assert_eq!(body["total"], 1);
        assert_eq!(body["items"][0]["mentee_id"], far_t.id);
        let (_, body) = app
            .api(
                Method::Get,
                &format!("/api/v1/teacher-pairings?academic_year_id={y2}"),
                None,
            )
            .await;
        assert_eq!(body["total"], 1);

        let (_, html) = app
            .get_html(&format!("/school-pairings?district={}", enc("叶集区")))
            .await;
        assert!(
            html.contains("龙冲小学") && !shows(&html, "三元中学"),
            "district"
        );
        let (_, html) = app.get_html("/school-pairings?year=2026-2027").await;
        assert!(
            shows(&html, "三元中学") && !html.contains("龙冲小学"),
            "year"
        );
        let (_, html) = app.get_html("/school-pairings?kind=materials").await;
        assert!(
            html.contains("龙冲小学") && !shows(&html, "三元中学"),
            "kind"
        );
        let (_, body) = app
            .api(
                Method::Get,
                &format!("/api/v1/school-pairings?district={}", enc("叶集区")),
                None,
            )
            .await;
        assert_eq!(body["total"], 1, "{body}");
        assert_eq!(body["items"][0]["receiver_id"], far.id);
    })
    .await;
}
