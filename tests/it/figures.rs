//! The bureau's figures are kept, not counted per visit (issue 12): the tallies the
//! database triggers keep equal the real counts after every kind of write (services, a
//! multi-row insert like the generator's, deactivation, a school's kind changed, an
//! observation moved to another day or deleted), on both databases; each pairing's stored
//! shortfall equals its progress counted afresh after every write that moves it, and the
//! daily refresh puts right what the days moved.
use rocket::http::Status;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::common::{Backend, PASSWORD, TestApp, each_db, world};
use crate::observations::{began_days_ago, classroom, days_ago, full_form, year_around_today};
use tongxing::domain::access::Actor;
use tongxing::domain::types::SchoolKind;
use tongxing::domain::{observations as obs, progress, tallies, teacher_pairings as tp, users};
use tongxing::entities::teacher_pairings as tp_rows;

/// The figures as kept and as counted now must agree.
async fn assert_figures_true(app: &TestApp, bureau: &Actor, when: &str) {
    let kept = tallies::figures(&app.db, bureau).await.expect("figures");
    let active = match app.backend {
        Backend::Sqlite => "is_active = 1",
        Backend::Postgres => "is_active",
    };
    for (kind, n) in &kept.schools_by_kind {
        let counted = app
            .scalar(&format!(
                "SELECT COUNT(*) AS n FROM schools WHERE {active} AND kind = '{}'",
                kind.as_str()
            ))
            .await;
        assert_eq!(*n as i64, counted, "{when}: schools of kind {kind:?}");
    }
    for (table, n) in [("teachers", kept.teachers), ("users", kept.users)] {
        let counted = app
            .scalar(&format!("SELECT COUNT(*) AS n FROM {table} WHERE {active}"))
            .await;
        assert_eq!(n as i64, counted, "{when}: active {table}");
    }
}

async fn observations_counted(app: &TestApp, from: &str, to: &str) -> i64 {
    app.scalar(&format!(
            "SELECT COUNT(*) AS n FROM observations WHERE observed_on >= '{from}' AND observed_on <= '{to}'"
        ),
    )
    .await
}

#[rocket::async_test]
async fn the_kept_counts_follow_every_kind_of_write() {
    each_db(|app| async move {
        let w = world(&app).await;
        let bureau = w.bureau_actor.clone();
        assert_figures_true(&app, &bureau, "the world").await;
        let before = tallies::figures(&app.db, &bureau).await.unwrap();

        // Deactivated and reactivated through the services.
        tongxing::domain::teachers::set_active(&app.db, &bureau, w.mentor.id, false)
            .await
            .unwrap();
        tongxing::domain::users::set_active(&app.db, &bureau, w.mentee_user.id, false)
            .await
            .unwrap();
        tongxing::domain::schools::set_active(&app.db, &bureau, w.rural.id, false)
            .await
            .unwrap();
        assert_figures_true(&app, &bureau, "after deactivation").await;
        let now = tallies::figures(&app.db, &bureau).await.unwrap();
        assert_eq!(now.teachers, before.teachers - 1);
        // The mentee's account, and the mentor's with its teacher record.
        assert_eq!(now.users, before.users - 2);
        assert_eq!(now.schools(), before.schools() - 1);
        tongxing::domain::schools::set_active(&app.db, &bureau, w.rural.id, true)
            .await
            .unwrap();

        // A school changes kind: one kind loses it, the other gains it.
        let mut form = tongxing::domain::schools::SchoolForm::from_model(&w.urban);
        form.kind = "township".into();
        tongxing::domain::schools::update(&app.db, &bureau, w.urban.id, &form)
            .await
            .unwrap();
        assert_figures_true(&app, &bureau, "after a change of kind").await;
        let by_kind = tallies::figures(&app.db, &bureau).await.unwrap();
        assert!(by_kind
            .schools_by_kind
            .contains(&(SchoolKind::Township, 1)));
        assert!(by_kind.schools_by_kind.contains(&(SchoolKind::Urban, 0)));

        // Several rows in one statement, as the generator and the imports write them
        // (PostgreSQL's statement triggers see them all at once).
        let (t, f) = match app.backend {
            Backend::Sqlite => ("1", "0"),
            Backend::Postgres => ("TRUE", "FALSE"),
        };
        app.db
            .execute_unprepared(&format!(
                "INSERT INTO teachers (school_id, staff_no, name, name_key, gender, subjects, \
                 grades, title, years_teaching, honours, phone, email, is_active, created_at, \
                 updated_at) VALUES \
                 ({s}, 'B001', '甲', 'jia3', 'female', '[]', '[]', '', 1, '[]', '', '', {t}, {at}, {at}), \
                 ({s}, 'B002', '乙', 'yi3', 'male', '[]', '[]', '', 1, '[]', '', '', {t}, {at}, {at}), \
                 ({s}, 'B003', '丙', 'bing3', 'male', '[]', '[]', '', 1, '[]', '', '', {f}, {at}, {at})",
                at = "'2026-09-01 00:00:00+00:00'",
                s = w.rural.id
            ))
            .await
            .expect("a multi-row insert");
        assert_figures_true(&app, &bureau, "after a multi-row insert").await;
        app.db
            .execute_unprepared(&format!(
                "UPDATE teachers SET is_active = {f} WHERE staff_no IN ('B001', 'B002', 'B003')"
            ))
            .await
            .unwrap();
        assert_figures_true(&app, &bureau, "after a multi-row update").await;
        app.db
            .execute_unprepared("DELETE FROM teachers WHERE staff_no LIKE 'B00%'")
            .await
            .unwrap();
        assert_figures_true(&app, &bureau, "after a delete").await;

        // Observations by day: logged, moved to another day, deleted.
        tongxing::domain::teachers::set_active(&app.db, &bureau, w.mentor.id, true)
            .await
            .unwrap();
        tongxing::domain::users::set_active(&app.db, &bureau, w.mentee_user.id, true)
            .await
            .unwrap();
        let y = year_around_today(&app, &w).await;
        let pid = crate::teacher_pairings::paired(&app, &w, w.mentor.id, w.mentee.id, "数学", y)
            .await;
        began_days_ago(&app, pid, 40).await;
        let r = classroom(&app).await;
        let mentor = users::actor_of(&w.mentor_user);
        let mut logged = Vec::new();
        for d in [3, 3, 10] {
            let form = obs::ObservationForm::from_pairs(&full_form(&r, &days_ago(d), 2.0));
            logged.push(
                obs::create(&app.db, &mentor, pid, &form, crate::common::ctx())
                    .await
                    .expect("observation"),
            );
        }
        let today = tongxing::domain::types::today();
        let day = |n: i64| today - chrono::Duration::days(n);
        let kept = |from, to| {
            let app = &app;
            let bureau = &bureau;
            async move {
                tallies::observations_between(&app.db, bureau, from, to)
                    .await
                    .unwrap() as i64
            }
        };
        assert_eq!(kept(day(3), day(3)).await, 2);
        assert_eq!(kept(day(30), today).await, 3);
        let mut form = obs::ObservationForm::from_pairs(&full_form(&r, &days_ago(20), 2.0));
        form.version = "1".into();
        obs::update(&app.db, &mentor, logged[0].id, &form)
            .await
            .expect("moved to another day");
        obs::delete(&app.db, &bureau, logged[2].id)
            .await
            .expect("deleted");
        assert_eq!(kept(day(3), day(3)).await, 1);
        assert_eq!(kept(day(20), day(20)).await, 1);
        assert_eq!(kept(day(10), day(10)).await, 0);
        for (from, to) in [(day(30), today), (day(20), day(3)), (day(2), today)] {
            assert_eq!(
                kept(from, to).await,
                observations_counted(&app, &from.to_string(), &to.to_string()).await,
                "{from}..{to}"
            );
        }

        // The bureau's figures only: a school admin and a teacher get 403.
        for u in [&w.urban_admin, &w.mentor_user] {
            let a = users::actor_of(u);
            assert!(matches!(
                tallies::figures(&app.db, &a).await,
                Err(tongxing::error::AppError::Forbidden)
            ));
            assert!(matches!(
                tallies::observations_between(&app.db, &a, day(30), today).await,
                Err(tongxing::error::AppError::Forbidden)
            ));
        }

        // The bureau home shows the kept figures.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/").await;
        assert_eq!(status, Status::Ok);
        let figures = tallies::figures(&app.db, &bureau).await.unwrap();
        assert!(
            html.contains(&format!(
                "<a href=\"/teachers\"><strong>{}</strong>",
                figures.teachers
            )),
            "{html}"
        );
        assert!(html.contains(&format!(
            "<a href=\"/users\"><strong>{}</strong>",
            figures.users
        )));
        assert!(html.contains("<a href=\"/schools?kind=township\"><strong>1</strong>"));
    })
    .await;
}

/// The stored shortfall and the one counted afresh now.
async fn shortfalls(app: &TestApp, pid: i64) -> (Option<i64>, Option<i64>) {
    let row = tp_rows::Entity::find_by_id(pid)
        .one(&app.db)
        .await
        .unwrap()
        .expect("the pairing");
    let today = tongxing::domain::types::today();
    let live = progress::current_of_each(&app.db, std::slice::from_ref(&row), today)
        .await
        .unwrap()
        .get(&pid)
        .map(|t| t.shortfall());
    (row.shortfall, live)
}

#[rocket::async_test]
async fn each_pairings_shortfall_follows_the_writes_and_the_days() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year_around_today(&app, &w).await;
        let pid =
            crate::teacher_pairings::paired(&app, &w, w.mentor.id, w.mentee.id, "数学", y).await;
        let (kept, live) = shortfalls(&app, pid).await;
        assert_eq!(kept, Some(0), "published today: on track");
        assert_eq!(kept, live);

        // Published 59 days ago (a back-dated row, as the demo writes it): the daily
        // refresh, not a write, brings the shortfall up to date.
        began_days_ago(&app, pid, 59).await;
        app.db
            .execute_unprepared(
                "UPDATE settings SET value = '2000-01-01' WHERE key = 'progress_refreshed_on'",
            )
            .await
            .unwrap();
        let today = tongxing::domain::types::today();
        assert!(
            progress::refresh_daily(&app.db, today).await.unwrap(),
            "ran"
        );
        assert!(
            !progress::refresh_daily(&app.db, today).await.unwrap(),
            "once a day"
        );
        // Targets set: 4 observations and 2 contacts in the first term; 60 of 119 days
        // gone, so 2 and 1 are due.
        let plan = tongxing::domain::work_plans::PlanForm {
            version: "0".into(),
            t1_observations: "4".into(),
            t1_contacts: "2".into(),
            ..Default::default()
        };
        tongxing::domain::work_plans::save_plan(&app.db, &w.bureau_actor, pid, &plan)
            .await
            .unwrap()
            .expect("plan saved");
        let (kept, live) = shortfalls(&app, pid).await;
        assert_eq!(kept, Some(3), "2 observations and 1 contact missing");
        assert_eq!(kept, live);

        let r = classroom(&app).await;
        let mentor = users::actor_of(&w.mentor_user);
        let form = obs::ObservationForm::from_pairs(&full_form(&r, &days_ago(5), 2.0));
        let o = obs::create(&app.db, &mentor, pid, &form, crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(shortfalls(&app, pid).await, (Some(2), Some(2)), "observed");
        tongxing::domain::contacts::add_contact(
            &app.db,
            &mentor,
            pid,
            &tongxing::domain::contacts::ContactForm {
                kind: "phone".into(),
                contacted_on: days_ago(1),
                summary: "电话沟通教案".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(shortfalls(&app, pid).await, (Some(1), Some(1)), "contacted");
        obs::delete(&app.db, &w.bureau_actor, o.id).await.unwrap();
        assert_eq!(shortfalls(&app, pid).await, (Some(2), Some(2)), "deleted");

        // The bureau home lists it as behind; the term dates move so that less is due.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/").await;
        assert!(html.contains("未达到本学期进度的师徒结对（1）"), "{html}");
        let year = tongxing::domain::academic_years::get(&app.db, y)
            .await
            .unwrap();
        tongxing::domain::academic_years::update(
            &app.db,
            &w.bureau_actor,
            y,
            &tongxing::domain::academic_years::YearForm {
                name: year.name.clone(),
                starts_on: year.starts_on.to_string(),
                second_term_starts_on: (year.second_term_starts_on + chrono::Duration::days(40))
                    .to_string(),
                ends_on: year.ends_on.to_string(),
                is_current: "1".into(),
                secondments_planned: String::new(),
            },
        )
        .await
        .expect("year moved");
        let (kept, live) = shortfalls(&app, pid).await;
        assert_eq!(kept, live, "refreshed with the year");
        assert_eq!(
            kept,
            Some(1),
            "60 of 159 days gone: 1 observation due, no contact"
        );

        // Terminated: no longer counted, and gone from the list.
        tp::terminate(&app.db, &w.bureau_actor, pid, "调动", crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(shortfalls(&app, pid).await, (None, None), "ended");
        let (_, html) = app.get_html("/").await;
        assert!(!html.contains("未达到本学期进度的师徒结对"), "{html}");
    })
    .await;
}
