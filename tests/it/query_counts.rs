//! Pages run a fixed number of queries whatever their number of rows (issue 12): each page
//! is counted on the demo data, then again after the rows it lists have grown, and the
//! second count must not be larger. The counter is the app's own (`db::QueryCounter`, every statement
//! of its connection and transactions).
use rocket::http::Status;

use crate::common::each_db;

/// The pages whose number of rows grows below, seen by each role.
const PAGES: &[(&str, &[&str])] = &[
    (
        "bureau@demo.tongxing.cn",
        &[
            "/",
            "/schools",
            "/teachers",
            "/school-pairings",
            "/teacher-pairings",
            "/observations",
            "/reflections",
            "/secondments",
            "/contributions",
            "/visits",
            "/training-weeks",
            "/resources",
            "/teacher-pairings/1",
            "/school-pairings/1",
            "/teachers/8/growth",
            "/audit",
            "/self-evaluations",
            "/summaries",
            "/reports/annual?year=2026-2027",
            "/reviews?year=2026-2027",
            "/reviews/teacher-pairings/1",
            "/reviews/school-pairings/1?year=2026-2027",
        ],
    ),
    (
        "yaochenglin@demo.tongxing.cn",
        &[
            "/",
            "/observations",
            "/teacher-pairings",
            "/teacher-pairings/1",
            "/visits",
            "/resources",
            "/self-evaluations",
            "/summaries",
        ],
    ),
    (
        "wangjianhua@demo.tongxing.cn",
        &[
            "/",
            "/observations",
            "/teacher-pairings/1",
            "/self-evaluations",
            "/summaries",
        ],
    ),
    (
        "sanyuan@demo.tongxing.cn",
        &[
            "/",
            "/teachers",
            "/school-pairings",
            "/contributions",
            "/visits",
            "/training-weeks",
            "/resources",
            "/school-pairings/1",
            "/self-evaluations",
            "/summaries",
        ],
    ),
];

async fn counts(app: &crate::common::TestApp) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for (email, pages) in PAGES {
        app.login(email, tongxing::demo::DEMO_PASSWORD).await;
        for page in *pages {
            // Once to warm what a first visit does once (the session's touch), then counted.
            app.page_queries(page).await;
            // The bureau's home keeps what it read until the data changes (migration 30):
            // the stamp moved, what is counted is the page read afresh.
            sea_orm::ConnectionTrait::execute_unprepared(
                &app.db,
                "UPDATE tallies SET n = n + 1 WHERE name = 'changes:recount'",
            )
            .await
            .expect("the change stamp");
            let (status, n) = app.page_queries(page).await;
            assert_eq!(status, Status::Ok, "{email} {page}");
            assert!(n > 0, "{email} {page}: the counter counts");
            out.push((format!("{email} {page}"), n));
        }
        app.logout().await;
    }
    out
}

#[rocket::async_test]
async fn pages_run_the_same_number_of_queries_with_more_rows() {
    each_db(|app| async move {
        tongxing::demo::load(&app.db).await.expect("demo");
        // A resource shared with each kind of audience, and the second term's training
        // weeks, so that those lists have rows to grow.
        let store = app.store();
        for (email, visibility, sp, tp) in [
            ("yaochenglin@demo.tongxing.cn", "teacher_pairing", "", "1"),
            ("sanyuan@demo.tongxing.cn", "school_pairing", "1", ""),
            ("bureau@demo.tongxing.cn", "everyone", "", ""),
        ] {
            let u = tongxing::domain::users::find_by_email(&app.db, email)
                .await
                .unwrap()
                .unwrap();
            tongxing::domain::resources::create(
                &app.db,
                &store,
                &tongxing::domain::users::actor_of(&u),
                &tongxing::domain::resources::ResourceForm {
                    title: "教案".into(),
                    kind: "lesson_plan".into(),
                    visibility: visibility.into(),
                    school_pairing_id: sp.into(),
                    teacher_pairing_id: tp.into(),
                    ..Default::default()
                },
                Some(tongxing::domain::resources::Upload {
                    name: "a.pdf".into(),
                    bytes: Ok(b"%PDF-1.4\n%%EOF\n".to_vec()),
                }),
            )
            .await
            .expect("resource");
        }
        // This year's self-evaluations of the pair, submitted (the school's queue and to-do).
        let year = app
            .scalar("SELECT id AS n FROM academic_years WHERE name = '2026-2027'")
            .await;
        for (email, context) in [
            ("yaochenglin@demo.tongxing.cn", "mentee"),
            ("wangjianhua@demo.tongxing.cn", "mentor"),
        ] {
            let u = tongxing::domain::users::find_by_email(&app.db, email)
                .await
                .unwrap()
                .unwrap();
            let actor = tongxing::domain::users::actor_of(&u);
            let d = tongxing::domain::self_evaluations::begin(
                &app.db,
                &actor,
                &tongxing::domain::self_evaluations::BeginForm {
                    academic_year_id: year.to_string(),
                    context: context.into(),
                },
            )
            .await
            .expect("self-evaluation");
            crate::self_evaluations::written(&app, &actor, d.id).await;
        }
        // This year's summaries: 王建华's as a mentor, 三元中学's as the receiving school,
        // both submitted.
        for (email, kind, keys) in [
            ("wangjianhua@demo.tongxing.cn", "mentor", &tongxing::domain::summaries::WORK_SECTIONS),
            ("sanyuan@demo.tongxing.cn", "receiver", &tongxing::domain::summaries::SCHOOL_SECTIONS),
        ] {
            use tongxing::domain::summaries as sums;
            let u = tongxing::domain::users::find_by_email(&app.db, email)
                .await
                .unwrap()
                .unwrap();
            let actor = tongxing::domain::users::actor_of(&u);
            let d = sums::begin(&app.db, &actor, &sums::BeginForm { academic_year_id: year.to_string(), kind: kind.into() })
                .await
                .expect("summary");
            let d = sums::save(
                &app.db,
                &actor,
                d.id,
                &sums::TextForm { sections: keys.iter().map(|k| (k.to_string(), "写好了".to_string())).collect(), version: "1".into() },
            )
            .await
            .expect("text");
            sums::act(&app.db, &actor, d.id, sums::Action::Submit, &sums::StepForm { version: d.version.to_string(), ..Default::default() }, crate::common::ctx())
                .await
                .expect("submitted");
        }
        let before = counts(&app).await;
        let host = tongxing::domain::users::find_by_email(&app.db, "yizhong@demo.tongxing.cn")
            .await
            .unwrap()
            .unwrap();
        let year = app
            .scalar("SELECT id AS n FROM academic_years WHERE name = '2026-2027'")
            .await;
        let trainees: Vec<String> = app
            .scalar_list("SELECT DISTINCT teacher_id AS n FROM training_weeks")
            .await
            .into_iter()
            .map(|t| t.to_string())
            .collect();
        tongxing::domain::training::schedule(
            &app.db,
            &tongxing::domain::users::actor_of(&host),
            1,
            &tongxing::domain::training::ScheduleForm {
                academic_year_id: year.to_string(),
                term: "2".into(),
                week_of_month: "2".into(),
                teacher_ids: trainees,
            },
        )
        .await
        .expect("the second term");
        // More of everything the pages list: the observations and their reflections'
        // pairing, teachers, schools, audit entries.
        for _ in 0..3 {
            app.double_observations().await;
            app.double_rows(
                "contributions",
                "school_pairing_id, giver_school_id, receiver_school_id, given_on, kind, \
                 description, quantity, value_fen, from_students, status, note, recorded_by, \
                 answered_by, answered_at, version, created_at, updated_at",
            )
            .await;
            app.double_rows(
                "visits",
                "school_pairing_id, kind, host_school_id, guest_school_id, starts_on, ends_on, \
                 student_count, activities, summary, outcome, classes, gift, recorded_by, \
                 version, created_at, updated_at",
            )
            .await;
            app.double_rows(
                "visit_photos",
                "visit_id, file_name, thumb_name, width, height, size_bytes, uploaded_by, \
                 created_at",
            )
            .await;
            app.double_rows(
                "resources",
                "title, kind, subject, grade, visibility, school_pairing_id, \
                 teacher_pairing_id, file_name, stored_name, content_type, size_bytes, \
                 uploaded_by, created_at",
            )
            .await;
            app.double_rows(
                "audit_log",
                "actor_id, action, entity, entity_id, before, after, created_at",
            )
            .await;
        }
        // The same documents again for the other years: more rows in every queue.
        let columns = "context, school_id, appraiser_school_id, signer_school_id, secondment_id, \
             ethics, teaching, results, improvement, proposed_grade, figures, status, submitted_at, \
             appraisal_grade, appraisal_comment, appraised_by, appraised_at, sign_comment, \
             signed_by, signed_at, final_grade, verify_comment, verified_by, verified_at, \
             acknowledged_at, return_reason, returned_by, returned_at, version, created_at, \
             updated_at";
        {
            use sea_orm::ConnectionTrait;
            app.db
                .execute_unprepared(&format!(
                    "INSERT INTO self_evaluations (teacher_id, academic_year_id, {columns}) \
                     SELECT s.teacher_id, y.id, {cols} FROM self_evaluations s \
                     JOIN academic_years y ON y.id <> s.academic_year_id",
                    cols = columns
                        .split(", ")
                        .map(|c| format!("s.{}", c.trim()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .await
                .expect("more self-evaluations");
        }
        assert!(app.count("self_evaluations").await > 2);
        {
            use sea_orm::ConnectionTrait;
            let columns = "kind, teacher_id, school_id, sections, figures, status, submitted_at, \
                 submitted_by, accept_comment, accepted_by, accepted_at, return_reason, \
                 returned_by, returned_at, version, created_at, updated_at";
            app.db
                .execute_unprepared(&format!(
                    "INSERT INTO summaries (academic_year_id, {columns}) \
                     SELECT y.id, {cols} FROM summaries s \
                     JOIN academic_years y ON y.id <> s.academic_year_id",
                    cols = columns
                        .split(", ")
                        .map(|c| format!("s.{}", c.trim()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .await
                .expect("more summaries");
        }
        assert!(app.count("summaries").await > 5);
        let bureau = tongxing::domain::users::actor_of(
            &tongxing::domain::users::find_by_email(&app.db, "bureau@demo.tongxing.cn")
                .await
                .unwrap()
                .unwrap(),
        );
        for i in 0..6 {
            let s = app
                .school(
                    &bureau,
                    &format!("新增学校{i}"),
                    &format!("44188299{i:02}"),
                    "rural",
                )
                .await;
            for j in 0..3 {
                app.teacher(&bureau, s.id, &format!("新老师{i}{j}"), &format!("N{i}{j}"))
                    .await;
            }
        }
        let after = counts(&app).await;
        let grown: Vec<String> = before
            .iter()
            .zip(&after)
            // Fewer is fine: the audit log looks the names up per kind of record shown, and
            // a page of copies shows fewer kinds.
            .filter(|(a, b)| b.1 > a.1)
            .map(|(a, b)| format!("{}: {} → {}", a.0, a.1, b.1))
            .collect();
        assert!(
            grown.is_empty(),
            "queries grew with the rows:\n{}",
            grown.join("\n")
        );
    })
    .await;
}
