//! The access policy where SPEC.md is stricter than "signed in": a school admin reads other
//! schools' teachers only when paired with theirs (and never their contacts); teachers see
//! their school's school pairings without the bureau's note and the reasons for ending
//! them; a teacher's account follows the record when the teacher moves school.
use rocket::http::{Method, Status};
use tongxing::domain::school_pairings::{self, PairingForm};
use tongxing::domain::teachers::{self, TeacherForm};

use crate::common::{PASSWORD, each_db};
use crate::teacher_pairings::setup;

#[rocket::async_test]
async fn a_school_admin_reads_other_schools_teachers_only_when_paired() {
    each_db(|app| async move {
        let (w, _y, _pid) = setup(&app).await;
        let other = app
            .school(&w.bureau_actor, "龙冲小学", "4418820009", "rural")
            .await;
        let stranger = app
            .teacher(&w.bureau_actor, other.id, "外校老师", "C001")
            .await;
        app.login("urban@tongxing.test", PASSWORD).await;
        // Own school's teacher: in full.
        let (s, mentor) = app
            .api(
                Method::Get,
                &format!("/api/v1/teachers/{}", w.mentor.id),
                None,
            )
            .await;
        assert_eq!(s, Status::Ok);
        assert!(
            mentor.get("phone").is_some_and(|p| !p.is_null()),
            "{mentor}"
        );
        // The rural mentee paired with the urban mentor: name and school, no contacts.
        let (s, mentee) = app
            .api(
                Method::Get,
                &format!("/api/v1/teachers/{}", w.mentee.id),
                None,
            )
            .await;
        assert_eq!(s, Status::Ok);
        assert!(mentee.get("phone").is_none_or(|p| p.is_null()), "{mentee}");
        // A teacher of an unrelated school: exactly like one that does not exist.
        let (s, hidden) = app
            .api(
                Method::Get,
                &format!("/api/v1/teachers/{}", stranger.id),
                None,
            )
            .await;
        assert_eq!(s, Status::NotFound);
        let (_, missing) = app.api(Method::Get, "/api/v1/teachers/999999", None).await;
        assert_eq!(hidden, missing);
        let (s, _) = app.get_html(&format!("/teachers/{}", stranger.id)).await;
        assert_eq!(s, Status::NotFound);
        // Nor on the other school's page.
        let (s, html) = app.get_html(&format!("/schools/{}", other.id)).await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("龙冲小学") && !html.contains("外校老师"));
        // Lists and exports hold only the visible ones.
        let (_, list) = app
            .api(Method::Get, "/api/v1/teachers?per_page=100", None)
            .await;
        let names: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|t| t["name"].as_str())
            .collect();
        assert!(
            names.contains(&"李明") && names.contains(&"姚成琳"),
            "{names:?}"
        );
        assert!(!names.contains(&"外校老师"), "{names:?}");
        let res = app.client.get("/teachers/export.csv").dispatch().await;
        assert_eq!(res.status(), Status::Ok);
        let csv = res.into_string().await.unwrap();
        assert!(csv.contains("姚成琳") && !csv.contains("外校老师"));
        // The bureau sees everyone.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, _) = app
            .api(
                Method::Get,
                &format!("/api/v1/teachers/{}", stranger.id),
                None,
            )
            .await;
        assert_eq!(s, Status::Ok);
    })
    .await;
}

#[rocket::async_test]
async fn teachers_see_their_schools_pairings_without_the_bureaus_note_and_reasons() {
    each_db(|app| async move {
        let (w, _y, _pid) = setup(&app).await;
        let sp = school_pairings::create(
            &app.db,
            &w.bureau_actor,
            &PairingForm {
                supporter_id: w.urban.id.to_string(),
                receiver_id: w.rural.id.to_string(),
                year_from: "2026-2027".into(),
                year_to: "2027-2028".into(),
                support_kinds: vec!["staff".into()],
                note: "局内备注：校长更替".into(),
                confirm_direction: String::new(),
                read_at: String::new(),
            },
        )
        .await
        .unwrap();
        school_pairings::publish(
            &app.db,
            &w.bureau_actor,
            &[sp.id],
            None,
            crate::common::ctx(),
        )
        .await
        .unwrap();
        let rural_admin = tongxing::domain::users::actor_of(&w.rural_admin);
        school_pairings::request_termination(
            &app.db,
            &rural_admin,
            sp.id,
            "师资紧张无法继续",
            crate::common::ctx(),
        )
        .await
        .unwrap();
        school_pairings::terminate(
            &app.db,
            &w.bureau_actor,
            sp.id,
            "布局调整撤并",
            crate::common::ctx(),
        )
        .await
        .unwrap();
        // The school admin sees all of it.
        app.login("rural@tongxing.test", PASSWORD).await;
        let (s, html) = app.get_html(&format!("/school-pairings/{}", sp.id)).await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("局内备注") && html.contains("布局调整撤并"));
        // The mentee, a teacher of the receiving school, sees the pairing but not those.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (s, html) = app.get_html(&format!("/school-pairings/{}", sp.id)).await;
        assert_eq!(s, Status::Ok);
        for secret in ["局内备注", "布局调整撤并", "师资紧张无法继续"] {
            assert!(!html.contains(secret), "{secret} shown to a teacher");
        }
        let (s, json) = app
            .api(
                Method::Get,
                &format!("/api/v1/school-pairings/{}", sp.id),
                None,
            )
            .await;
        assert_eq!(s, Status::Ok);
        let text = json.to_string();
        for secret in ["局内备注", "布局调整撤并", "师资紧张无法继续"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let (_, list) = app.api(Method::Get, "/api/v1/school-pairings", None).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        assert!(!list.to_string().contains("局内备注"));
    })
    .await;
}

#[rocket::async_test]
async fn a_teachers_account_follows_the_record_to_a_new_school() {
    each_db(|app| async move {
        let (w, _y, _pid) = setup(&app).await;
        let other = app
            .school(&w.bureau_actor, "龙冲小学", "4418820009", "rural")
            .await;
        // A pairing of the new school, published.
        let sp = school_pairings::create(
            &app.db,
            &w.bureau_actor,
            &PairingForm {
                supporter_id: w.urban.id.to_string(),
                receiver_id: other.id.to_string(),
                year_from: "2026-2027".into(),
                year_to: "2026-2027".into(),
                support_kinds: vec!["materials".into()],
                note: String::new(),
                confirm_direction: String::new(),
                read_at: String::new(),
            },
        )
        .await
        .unwrap();
        school_pairings::publish(
            &app.db,
            &w.bureau_actor,
            &[sp.id],
            None,
            crate::common::ctx(),
        )
        .await
        .unwrap();
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (s, _) = app.get_html(&format!("/school-pairings/{}", sp.id)).await;
        assert_eq!(s, Status::NotFound, "not her school's yet");
        // The bureau moves her to 龙冲小学.
        let mut form = TeacherForm::from_model(&w.mentee);
        form.school_id = other.id.to_string();
        teachers::update(&app.db, &w.bureau_actor, w.mentee.id, &form)
            .await
            .unwrap();
        let account = tongxing::domain::users::get(&app.db, w.mentee_user.id)
            .await
            .unwrap();
        assert_eq!(account.school_id, Some(other.id));
        let (s, _) = app.get_html(&format!("/school-pairings/{}", sp.id)).await;
        assert_eq!(s, Status::Ok, "her new school's pairing");
    })
    .await;
}
