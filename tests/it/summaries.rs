//! Year-end summaries (issue 14 items 2 and 3): a teacher's work summary received by their
//! school, a school's annual summary received by the bureau; each pre-filled with figures
//! that equal direct counts of the data; the step × caller × stage matrix generated from
//! the two transition tables; every refusal changes nothing.
use rocket::http::Status;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::common::{PASSWORD, TestApp, each_db};
use tongxing::domain::access::Actor;
use tongxing::domain::summaries::{
    self as sums, Action, BeginForm, Figures, SchoolFlow, Stage, StepForm, TextForm, WorkFlow,
};
use tongxing::domain::users;
use tongxing::domain::workflow::{Party, Workflow};
use tongxing::entities::summaries as rows;
use tongxing::error::AppError;

fn code(e: &AppError) -> &'static str {
    match e {
        AppError::Forbidden => "403",
        AppError::NotFound => "404",
        AppError::Conflict { .. } => "409",
        AppError::Invalid(_) => "422",
        _ => "other",
    }
}

async fn row(app: &TestApp, id: i64) -> rows::Model {
    rows::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("row")
}

fn text(keys: &[&str], version: i32) -> TextForm {
    TextForm {
        sections: keys
            .iter()
            .map(|k| (k.to_string(), format!("{k}：认真完成了本学年的帮扶任务。")))
            .collect(),
        version: version.to_string(),
    }
}

fn step(version: i32) -> StepForm {
    StepForm {
        comment: "已阅。".into(),
        reason: "请补充具体数据。".into(),
        version: version.to_string(),
    }
}

async fn told(app: &TestApp, user: i64, kind: &str, id: i64) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) AS n FROM notifications WHERE user_id = {user} AND kind = '{kind}' AND link = '/summaries/{id}'"
    ))
    .await
}

fn begin(year: i64, kind: &str) -> BeginForm {
    BeginForm {
        academic_year_id: year.to_string(),
        kind: kind.into(),
    }
}

#[rocket::async_test]
async fn a_mentor_writes_a_work_summary_and_the_school_receives_it() {
    each_db(|app| async move {
        let (w, year, _tp) = crate::teacher_pairings::setup(&app).await;
        let mentor = users::actor_of(&w.mentor_user);
        let mentee = users::actor_of(&w.mentee_user);
        let urban = users::actor_of(&w.urban_admin);
        let rural = users::actor_of(&w.rural_admin);
        // Only a kind the data allows: the mentee mentors nobody, nobody is seconded, the
        // bureau writes none, a school admin writes no teacher's summary.
        for (who, kind, want) in [
            (&mentee, "mentor", "422"),
            (&mentor, "seconded", "422"),
            (&w.bureau_actor, "mentor", "403"),
            (&urban, "mentor", "422"),
            (&mentor, "supporter", "422"),
        ] {
            let e = sums::begin(&app.db, who, &begin(year, kind)).await.unwrap_err();
            assert_eq!(code(&e), want, "{kind}");
        }
        let e = sums::begin(&app.db, &mentor, &BeginForm::default()).await.unwrap_err();
        assert!(matches!(&e, AppError::Invalid(f) if f.get("academic_year_id").is_some() && f.get("kind").is_some()));
        assert_eq!(app.count("summaries").await, 0);
        let d = sums::begin(&app.db, &mentor, &begin(year, "mentor")).await.unwrap();
        assert_eq!((d.status, d.school_id, d.teacher_id), (Stage::Draft, w.urban.id, Some(w.mentor.id)));
        let e = sums::begin(&app.db, &mentor, &begin(year, "mentor")).await.unwrap_err();
        assert_eq!(code(&e), "409");
        // A draft is the teacher's alone.
        assert_eq!(code(&sums::get(&app.db, &urban, d.id).await.unwrap_err()), "404");
        // Too long, stale: refused, nothing changed.
        let mut long = text(&sums::WORK_SECTIONS, 1);
        long.sections.insert("growth".into(), "长".repeat(10_001));
        let e = sums::save(&app.db, &mentor, d.id, &long).await.unwrap_err();
        assert!(matches!(&e, AppError::Invalid(f) if f.get("growth").is_some()));
        let e = sums::save(&app.db, &mentor, d.id, &text(&sums::WORK_SECTIONS, 9)).await.unwrap_err();
        assert!(matches!(&e, AppError::Conflict { field, .. } if field == "version"));
        assert_eq!(row(&app, d.id).await, d);
        // Half written: submitting names each missing section.
        let half = sums::save(&app.db, &mentor, d.id, &text(&["ethics", "teaching"], 1)).await.unwrap();
        let e = sums::act(&app.db, &mentor, d.id, Action::Submit, &step(half.version), crate::common::ctx())
            .await
            .unwrap_err();
        let AppError::Invalid(f) = &e else { panic!("{e:?}") };
        for key in ["growth", "results", "remaining"] {
            assert!(f.get(key).is_some(), "{key}");
        }
        assert!(f.get("ethics").is_none());
        assert_eq!(row(&app, d.id).await.status, Stage::Draft);
        // Keys of another kind are not kept.
        let mut extra = text(&sums::WORK_SECTIONS, half.version);
        extra.sections.insert("plans".into(), "不属于教师的总结".into());
        let saved = sums::save(&app.db, &mentor, d.id, &extra).await.unwrap();
        assert!(!saved.sections.contains("plans"));
        let sub = sums::act(&app.db, &mentor, d.id, Action::Submit, &step(saved.version), crate::common::ctx())
            .await
            .unwrap();
        assert_eq!((sub.status, sub.submitted_by), (Stage::Submitted, Some(w.mentor_user.id)));
        // The figures kept are the teacher's own, counted directly.
        let Ok(Figures::Teacher(f)) = serde_json::from_str::<Figures>(&sub.figures) else {
            panic!("{}", sub.figures)
        };
        assert_eq!(f.pairings_as_mentor, 1);
        assert_eq!(told(&app, w.urban_admin.id, "sum-waiting", d.id).await, 1);
        // Locked for the author; the other school never sees it; the bureau reads it but
        // does not receive teachers' summaries.
        let e = sums::save(&app.db, &mentor, d.id, &text(&sums::WORK_SECTIONS, sub.version)).await.unwrap_err();
        assert_eq!(code(&e), "409");
        for (who, want) in [(&rural, "404"), (&w.bureau_actor, "403"), (&mentor, "403")] {
            let e = sums::act(&app.db, who, d.id, Action::Accept, &step(sub.version), crate::common::ctx())
                .await
                .unwrap_err();
            assert_eq!(code(&e), want);
        }
        // A return needs a reason; it goes back to the draft and the teacher is told.
        let e = sums::act(&app.db, &urban, d.id, Action::Return, &StepForm { version: sub.version.to_string(), ..Default::default() }, crate::common::ctx())
            .await
            .unwrap_err();
        assert!(matches!(&e, AppError::Invalid(f) if f.get("reason").is_some()));
        assert_eq!(row(&app, d.id).await, sub);
        let back = sums::act(&app.db, &urban, d.id, Action::Return, &step(sub.version), crate::common::ctx())
            .await
            .unwrap();
        assert_eq!((back.status, back.return_reason.as_str()), (Stage::Draft, "请补充具体数据。"));
        assert!(back.figures.is_empty());
        assert_eq!(told(&app, w.mentor_user.id, "sum-returned", d.id).await, 1);
        let again = sums::act(&app.db, &mentor, d.id, Action::Submit, &step(back.version), crate::common::ctx())
            .await
            .unwrap();
        assert!(again.return_reason.is_empty());
        let e = sums::act(&app.db, &urban, d.id, Action::Accept, &StepForm { comment: "意".repeat(1001), ..step(again.version) }, crate::common::ctx())
            .await
            .unwrap_err();
        assert!(matches!(&e, AppError::Invalid(f) if f.get("comment").is_some()));
        let acc = sums::act(&app.db, &urban, d.id, Action::Accept, &step(again.version), crate::common::ctx())
            .await
            .unwrap();
        assert_eq!((acc.status, acc.accepted_by), (Stage::Accepted, Some(w.urban_admin.id)));
        assert_eq!(told(&app, w.mentor_user.id, "sum-accepted", d.id).await, 1);
        // Double submit of the same step: refused, nothing changed.
        let e = sums::act(&app.db, &urban, d.id, Action::Accept, &step(acc.version), crate::common::ctx())
            .await
            .unwrap_err();
        assert_eq!(code(&e), "409");
        assert_eq!(row(&app, d.id).await, acc);
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'summary' AND entity_id = {}",
                d.id
            ))
            .await,
            // begin, two saves, submit, return, submit, accept.
            7
        );
    })
    .await;
}

/// The active pairing 实验学校 → 三元中学 with a teacher pairing in it, a secondment, a
/// visit, a confirmed and a waiting ledger item and an attended training week.
async fn busy_year(app: &TestApp) -> crate::visits::Setup {
    let s = crate::visits::setup(app).await;
    let mut form = crate::teacher_pairings::form(s.w.mentor.id, s.w.mentee.id, "数学", s.year);
    form.school_pairing_id = s.pairing.to_string();
    let tp = tongxing::domain::teacher_pairings::create(&app.db, &s.w.bureau_actor, &form)
        .await
        .expect("pairing");
    tongxing::domain::teacher_pairings::publish(
        &app.db,
        &s.w.bureau_actor,
        &[tp.id],
        None,
        crate::common::ctx(),
    )
    .await
    .expect("publish");
    tongxing::domain::secondments::create(
        &app.db,
        &s.w.bureau_actor,
        &tongxing::domain::secondments::SecondmentForm {
            teacher_id: s.w.mentor.id.to_string(),
            from_school_id: s.w.urban.id.to_string(),
            to_school_id: s.w.rural.id.to_string(),
            academic_year_id: s.year.to_string(),
            term: "first".into(),
            batch: "2".into(),
            starts_on: "2026-09-01".into(),
            ends_on: "2027-01-20".into(),
            note: String::new(),
        },
    )
    .await
    .expect("secondment");
    tongxing::domain::visits::create(
        &app.db,
        &s.urban,
        s.pairing,
        &crate::visits::visit(&s),
        crate::common::ctx(),
    )
    .await
    .expect("visit");
    use tongxing::domain::contributions as ledger;
    let day = (tongxing::domain::types::today() - chrono::Duration::days(5)).to_string();
    for value in ["12000.50", "800"] {
        let c = ledger::create(
            &app.db,
            &s.urban,
            s.pairing,
            &ledger::ContributionForm {
                given_on: day.clone(),
                kind: "funds".into(),
                description: "图书室建设资金".into(),
                value: value.into(),
                ..Default::default()
            },
            crate::common::ctx(),
        )
        .await
        .expect("ledger");
        if value == "12000.50" {
            ledger::answer(
                &app.db,
                &s.rural,
                c.id,
                ledger::LedgerAction::Confirm,
                "",
                crate::common::ctx(),
            )
            .await
            .expect("confirm");
        }
    }
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO training_weeks (school_pairing_id, teacher_id, host_school_id, guest_school_id, academic_year_id, term, starts_on, ends_on, status, note, version, created_at, updated_at) \
             VALUES ({p}, {t}, {h}, {g}, {y}, 1, '2026-10-12', '2026-10-16', 'attended', '', 1, '2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z'), \
                    ({p}, {t}, {h}, {g}, {y}, 1, '2026-11-09', '2026-11-13', 'missed', '', 1, '2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z')",
            p = s.pairing,
            t = s.w.mentee.id,
            h = s.w.urban.id,
            g = s.w.rural.id,
            y = s.year
        ))
        .await
        .expect("weeks");
    s
}

#[rocket::async_test]
async fn a_school_summary_is_pre_filled_with_direct_counts_and_received_by_the_bureau() {
    each_db(|app| async move {
        let s = busy_year(&app).await;
        // The urban school supports, the rural one receives; neither the other way round.
        let e = sums::begin(&app.db, &s.urban, &begin(s.year, "receiver")).await.unwrap_err();
        assert_eq!(code(&e), "422");
        let e = sums::begin(&app.db, &s.other, &begin(s.year, "supporter")).await.unwrap_err();
        assert_eq!(code(&e), "422");
        let sup = sums::begin(&app.db, &s.urban, &begin(s.year, "supporter")).await.unwrap();
        let rec = sums::begin(&app.db, &s.rural, &begin(s.year, "receiver")).await.unwrap();
        let e = sums::begin(&app.db, &s.urban, &begin(s.year, "supporter")).await.unwrap_err();
        assert_eq!(code(&e), "409");
        // Each figure equals a direct count of the data.
        for (d, school, side, sent_side, money_side) in [
            (&sup, s.w.urban.id, "supporter_id", "from_school_id", "giver_school_id"),
            (&rec, s.w.rural.id, "receiver_id", "to_school_id", "receiver_school_id"),
        ] {
            let Figures::School(f) = sums::figures(&app.db, d).await.unwrap() else { panic!() };
            let pairings = format!(
                "SELECT id FROM school_pairings WHERE {side} = {school} AND status <> 'draft' AND year_from <= '2026-2027' AND year_to >= '2026-2027'"
            );
            let app = &app;
            let q = |sql: String| async move { app.scalar(&sql).await };
            assert_eq!(f.school_pairings, q(format!("SELECT COUNT(*) AS n FROM ({pairings}) p")).await);
            assert_eq!(f.teacher_pairings, q(format!("SELECT COUNT(*) AS n FROM teacher_pairings WHERE school_pairing_id IN ({pairings}) AND status <> 'draft' AND academic_year_id = {}", s.year)).await);
            assert_eq!(f.teachers_seconded, q(format!("SELECT COUNT(DISTINCT teacher_id) AS n FROM secondments WHERE {sent_side} = {school} AND academic_year_id = {}", s.year)).await);
            assert_eq!(f.person_times.len(), 1);
            assert_eq!((f.person_times[0].key.as_str(), f.person_times[0].n), ("2", 1));
            assert_eq!(f.observations, q(format!("SELECT COUNT(*) AS n FROM observations WHERE teacher_pairing_id IN (SELECT id FROM teacher_pairings WHERE school_pairing_id IN ({pairings}))")).await);
            let visits: i64 = f.visits.iter().map(|c| c.n).sum();
            assert_eq!(visits, q(format!("SELECT COUNT(*) AS n FROM visits WHERE school_pairing_id IN ({pairings})")).await);
            assert_eq!(visits, 1);
            assert_eq!(f.visits.iter().find(|c| c.key == "teacher").map(|c| c.n), Some(1));
            assert_eq!(f.training_weeks_attended, q(format!("SELECT COUNT(*) AS n FROM training_weeks WHERE school_pairing_id IN ({pairings}) AND status = 'attended'")).await);
            assert_eq!(f.training_weeks_attended, 1);
            assert_eq!(f.support_confirmed_fen, q(format!("SELECT CAST(COALESCE(SUM(value_fen), 0) AS BIGINT) AS n FROM contributions WHERE {money_side} = {school} AND status = 'confirmed'")).await);
            assert_eq!((f.support_confirmed_fen, f.support_waiting_fen), (1_200_050, 80_000));
            assert_eq!((f.school_pairings, f.teacher_pairings, f.teachers_seconded), (1, 1, 1));
        }
        // Written, submitted: the bureau is told, reads it and receives it; the other
        // school does not see it; the school may not receive its own.
        let saved = sums::save(&app.db, &s.urban, sup.id, &text(&sums::SCHOOL_SECTIONS, 1)).await.unwrap();
        let sub = sums::act(&app.db, &s.urban, sup.id, Action::Submit, &step(saved.version), crate::common::ctx())
            .await
            .unwrap();
        assert!(sub.figures.contains("support_confirmed_fen"), "{}", sub.figures);
        assert_eq!(told(&app, s.w.bureau.id, "sum-waiting", sup.id).await, 1);
        assert_eq!(code(&sums::get(&app.db, &s.rural, sup.id).await.unwrap_err()), "404");
        let e = sums::act(&app.db, &s.urban, sup.id, Action::Accept, &step(sub.version), crate::common::ctx())
            .await
            .unwrap_err();
        assert_eq!(code(&e), "403");
        let acc = sums::act(&app.db, &s.w.bureau_actor, sup.id, Action::Accept, &step(sub.version), crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(acc.status, Stage::Accepted);
        assert_eq!(told(&app, s.w.urban_admin.id, "sum-accepted", sup.id).await, 1);
        // Figures kept at submission do not move with later data.
        app.db
            .execute_unprepared(&format!("UPDATE contributions SET status = 'confirmed' WHERE giver_school_id = {}", s.w.urban.id))
            .await
            .unwrap();
        let Figures::School(kept) = sums::shown_figures(&app.db, &row(&app, sup.id).await).await.unwrap() else { panic!() };
        assert_eq!(kept.support_confirmed_fen, 1_200_050);
    })
    .await;
}

#[rocket::async_test]
async fn every_step_by_every_caller_in_every_stage_follows_the_tables() {
    each_db(|app| async move {
        let s = busy_year(&app).await;
        let mentor = users::actor_of(&s.w.mentor_user);
        let work = sums::begin(&app.db, &mentor, &begin(s.year, "mentor")).await.unwrap().id;
        let school = sums::begin(&app.db, &s.urban, &begin(s.year, "supporter")).await.unwrap().id;
        let callers: Vec<(&str, Actor)> = vec![
            ("bureau", s.w.bureau_actor.clone()),
            ("urban admin", s.urban.clone()),
            ("rural admin", s.rural.clone()),
            ("mentor", mentor.clone()),
            ("mentee", users::actor_of(&s.w.mentee_user)),
            ("far admin", s.other.clone()),
        ];
        let mut checked = 0;
        for (doc, is_work) in [(work, true), (school, false)] {
            let keys: &[&str] = if is_work { &sums::WORK_SECTIONS } else { &sums::SCHOOL_SECTIONS };
            let written = serde_json::to_string(&text(keys, 0).sections).unwrap().replace('\'', "''");
            for stage in Stage::ALL {
                for action in [Action::Submit, Action::Accept, Action::Return] {
                    for (name, who) in &callers {
                        app.db
                            .execute_unprepared(&format!(
                                "UPDATE summaries SET status = '{}', sections = '{written}' WHERE id = {doc}",
                                stage.as_str()
                            ))
                            .await
                            .unwrap();
                        let before = row(&app, doc).await;
                        let parties = sums::parties(who, &before);
                        let steps = if is_work { WorkFlow::STEPS } else { SchoolFlow::STEPS };
                        let allowed = steps.iter().any(|st| {
                            st.action == action
                                && st.from.contains(stage)
                                && st.who.iter().any(|p| parties.contains(p))
                        });
                        let visible = sums::get(&app.db, who, doc).await.is_ok();
                        let r = sums::act(&app.db, who, doc, action, &step(before.version), crate::common::ctx()).await;
                        match r {
                            Ok(after) => {
                                assert!(allowed, "{name} {action:?} at {stage:?} (work {is_work}) was let through");
                                assert_ne!(after.status, before.status);
                            }
                            Err(e) => {
                                assert!(!allowed, "{name} {action:?} at {stage:?} (work {is_work}) refused: {e:?}");
                                let want = if !visible {
                                    "404"
                                } else if steps.iter().any(|st| st.action == action && st.who.iter().any(|p| parties.contains(p))) {
                                    "409"
                                } else {
                                    "403"
                                };
                                assert_eq!(code(&e), want, "{name} {action:?} at {stage:?} (work {is_work})");
                                assert_eq!(row(&app, doc).await, before, "{name} changed it");
                            }
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 2 * 3 * 3 * 6);
        // The tables name the receiver the issue asks for.
        assert!(WorkFlow::STEPS.iter().any(|s| s.action == Action::Accept && s.who == [Party::SchoolAdmin]));
        assert!(SchoolFlow::STEPS.iter().any(|s| s.action == Action::Accept && s.who == [Party::Bureau]));
    })
    .await;
}

#[rocket::async_test]
async fn the_pages_begin_write_submit_receive_and_print_a_summary() {
    each_db(|app| async move {
        let s = busy_year(&app).await;
        let year = s.year.to_string();
        app.login("urban@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/summaries/new").await;
        assert_eq!(status, Status::Ok);
        assert!(
            html.contains("value=\"supporter\"") && !html.contains("value=\"receiver\""),
            "{html}"
        );
        let res = app
            .post_form(
                "/summaries",
                &[("academic_year_id", &year), ("kind", "receiver")],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("贵校本学年没有受援结对")
        );
        assert_eq!(app.count("summaries").await, 0);
        let res = app
            .post_form(
                "/summaries",
                &[("academic_year_id", &year), ("kind", "supporter")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let id = app.scalar("SELECT MAX(id) AS n FROM summaries").await;
        let (status, edit) = app.get_html(&format!("/summaries/{id}/edit")).await;
        assert_eq!(status, Status::Ok);
        for label in [
            "基本情况",
            "主要做法",
            "取得的实效",
            "存在的问题",
            "下一步打算",
            "¥12,000.50",
            "第 2 批支教人次",
        ] {
            assert!(edit.contains(label), "{label}");
        }
        // Submitting with a blank section keeps what was typed and names the blank one.
        let path = format!("/summaries/{id}/edit");
        let res = app
            .post_form(
                &path,
                &[
                    ("version", "1"),
                    ("then", "submit"),
                    ("overview", "两校结对"),
                    ("practices", ""),
                    ("outcomes", "r"),
                    ("problems", "p"),
                    ("plans", "n"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(
            html.contains("两校结对") && html.contains("aria-describedby=\"e-practices\""),
            "{html}"
        );
        assert_eq!(row(&app, id).await.status, Stage::Draft);
        let res = app
            .post_form(
                &path,
                &[
                    ("version", "2"),
                    ("then", "submit"),
                    ("overview", "o"),
                    ("practices", "p"),
                    ("outcomes", "r"),
                    ("problems", "p"),
                    ("plans", "n"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(row(&app, id).await.status, Stage::Submitted);
        // The bureau's queue lists it; the bureau receives it from its page.
        app.logout().await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        // The bureau's home lists it among what waits for it.
        let (_, home) = app.get_html("/").await;
        assert!(
            home.contains("待办理的工作总结（1）")
                && home.contains(&format!("href=\"/summaries/{id}\"")),
            "{home}"
        );
        let (_, list) = app
            .get_html(&format!("/summaries?status=submitted&year={year}"))
            .await;
        assert!(list.contains(&format!("/summaries/{id}\"")), "{list}");
        let v = row(&app, id).await.version.to_string();
        let res = app
            .post_form(
                &format!("/summaries/{id}/accept"),
                &[("version", &v), ("comment", "已阅，写得实在。")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(row(&app, id).await.status, Stage::Accepted);
        // The printed form: the sections, the figures and who received it when.
        let (status, html) = app.get_html(&format!("/summaries/{id}/print")).await;
        assert_eq!(status, Status::Ok);
        assert!(
            html.contains("class=\"paper\"")
                && html.contains("已阅，写得实在。")
                && html.contains("¥12,000.50"),
            "{html}"
        );
        // Another school's admin: 404, like a summary that does not exist.
        app.logout().await;
        app.login("far@tongxing.test", PASSWORD).await;
        for path in [
            format!("/summaries/{id}"),
            format!("/summaries/{id}/print"),
            "/summaries/999999".into(),
        ] {
            assert_eq!(app.get_html(&path).await.0, Status::NotFound, "{path}");
        }
    })
    .await;
}

#[rocket::async_test]
async fn migration_21_renames_the_grades_both_ways() {
    use migrations::{Migrator, MigratorTrait};
    each_db(|app| async move {
        let (w, year, _tp) = crate::teacher_pairings::setup(&app).await;
        let mentee = users::actor_of(&w.mentee_user);
        let d = tongxing::domain::self_evaluations::begin(
            &app.db,
            &mentee,
            &tongxing::domain::self_evaluations::BeginForm { academic_year_id: year.to_string(), context: "mentee".into() },
        )
        .await
        .unwrap();
        app.db
            .execute_unprepared(&format!("UPDATE self_evaluations SET proposed_grade = 'basically_competent', final_grade = 'incompetent' WHERE id = {}", d.id))
            .await
            .unwrap();
        let grades = || async {
            let r = app
                .db
                .query_one_raw(sea_orm::Statement::from_string(
                    app.db.get_database_backend(),
                    format!("SELECT proposed_grade, final_grade FROM self_evaluations WHERE id = {}", d.id),
                ))
                .await
                .unwrap()
                .unwrap();
            (r.try_get::<String>("", "proposed_grade").unwrap(), r.try_get::<String>("", "final_grade").unwrap())
        };
        // Down to before migration 21 (the later ones go down first).
        let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_string()).collect();
        let since_21 = names.len() - names.iter().position(|n| n.contains("_000021_")).expect("migration 21");
        Migrator::down(&app.db, Some(since_21 as u32)).await.expect("down");
        assert_eq!(grades().await, ("fair".to_string(), "poor".to_string()));
        Migrator::up(&app.db, None).await.expect("up");
        assert_eq!(grades().await, ("basically_competent".to_string(), "incompetent".to_string()));
        // The new words are the only ones the table takes.
        let bad = app
            .db
            .execute_unprepared(&format!("UPDATE self_evaluations SET final_grade = 'good' WHERE id = {}", d.id))
            .await;
        assert!(bad.is_err());
    })
    .await;
}

#[rocket::async_test]
async fn reminders_go_once_before_the_deadline_and_to_whoever_a_document_waits_for() {
    use chrono::TimeZone;
    use tongxing::domain::reminders;
    use tongxing::domain::self_evaluations as se;
    each_db(|app| async move {
        let (w, year, _tp) = crate::teacher_pairings::setup(&app).await;
        // 2026-2027 ends on 2027-07-15; due 10 days before, reminded from 14 days before that.
        let at = |y: i32, m: u32, d: u32| chrono::Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap();
        let notices = |kind: &'static str| {
            let app = &app;
            async move {
                app.scalar(&format!("SELECT COUNT(*) AS n FROM notifications WHERE kind = '{kind}'"))
                    .await
            }
        };
        // Too early and too late: nothing.
        for now in [at(2027, 6, 20), at(2027, 7, 6)] {
            let sent = reminders::run(&app.db, now, crate::common::ctx()).await.unwrap();
            assert_eq!(sent.deadline, 0, "{now}");
        }
        assert_eq!(app.count("reminders_sent").await, 0);
        // The mentee submits; the mentor has not begun: only the mentor is reminded, once.
        let mentee = users::actor_of(&w.mentee_user);
        let d = se::begin(&app.db, &mentee, &se::BeginForm { academic_year_id: year.to_string(), context: "mentee".into() })
            .await
            .unwrap();
        crate::self_evaluations::written(&app, &mentee, d.id).await;
        let mails = app.count("outbox").await;
        let sent = reminders::run(&app.db, at(2027, 6, 25), crate::common::ctx()).await.unwrap();
        assert_eq!(sent.deadline, 1);
        assert_eq!(
            app.scalar(&format!("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'se-deadline' AND user_id = {}", w.mentor_user.id)).await,
            1
        );
        // The submitted one waits at its appraisal since today: the school is reminded too.
        assert_eq!(sent.waiting, 1);
        assert_eq!(app.count("outbox").await, mails + 2, "each a mail through the outbox");
        let again = reminders::run(&app.db, at(2027, 7, 1), crate::common::ctx()).await.unwrap();
        assert_eq!(again.deadline, 0, "once");
        assert_eq!(notices("se-deadline").await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn a_document_waiting_at_a_step_reminds_its_next_actor_once_per_stay() {
    use tongxing::domain::reminders;
    use tongxing::domain::self_evaluations as se;
    each_db(|app| async move {
        let (w, year, _tp) = crate::teacher_pairings::setup(&app).await;
        let mentee = users::actor_of(&w.mentee_user);
        let d = se::begin(&app.db, &mentee, &se::BeginForm { academic_year_id: year.to_string(), context: "mentee".into() })
            .await
            .unwrap();
        crate::self_evaluations::written(&app, &mentee, d.id).await;
        // The submitted self-evaluation waits at the appraisal: after 7 days the rural
        // school's admin is reminded, once.
        let now = chrono::Utc::now();
        assert_eq!(reminders::run(&app.db, now, crate::common::ctx()).await.unwrap().waiting, 0);
        use sea_orm::ConnectionTrait;
        let eight_days_ago = (now - chrono::Duration::days(8)).to_rfc3339();
        let backdate = |table: &'static str, id: i64| {
            let app = &app;
            let when = eight_days_ago.clone();
            async move {
                app.db
                    .execute_unprepared(&format!("UPDATE {table} SET updated_at = '{when}' WHERE id = {id}"))
                    .await
                    .unwrap();
            }
        };
        backdate("self_evaluations", d.id).await;
        let sent = reminders::run(&app.db, now, crate::common::ctx()).await.unwrap();
        assert_eq!(sent.waiting, 1);
        assert_eq!(
            app.scalar(&format!("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'se-overdue' AND user_id = {} AND link = '/self-evaluations/{}'", w.rural_admin.id, d.id)).await,
            1
        );
        assert_eq!(reminders::run(&app.db, now, crate::common::ctx()).await.unwrap().waiting, 0, "once");
        // Appraised, it waits for the bureau (not seconded): a new stay, a new reminder.
        let v = row_se(&app, d.id).await;
        se::act(&app.db, &users::actor_of(&w.rural_admin), d.id, se::Action::Appraise, &se::StepForm { grade: "competent".into(), comment: "同意".into(), version: v.to_string(), ..Default::default() }, crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(reminders::run(&app.db, now, crate::common::ctx()).await.unwrap().waiting, 0, "not yet a week");
        backdate("self_evaluations", d.id).await;
        assert_eq!(reminders::run(&app.db, now, crate::common::ctx()).await.unwrap().waiting, 1);
        assert_eq!(
            app.scalar(&format!("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'se-overdue' AND user_id = {}", w.bureau.id)).await,
            1
        );
        // A work summary waiting at the school reminds the school's admins.
        let mentor = users::actor_of(&w.mentor_user);
        let sum = sums::begin(&app.db, &mentor, &begin(year, "mentor")).await.unwrap();
        let saved = sums::save(&app.db, &mentor, sum.id, &text(&sums::WORK_SECTIONS, 1)).await.unwrap();
        sums::act(&app.db, &mentor, sum.id, Action::Submit, &step(saved.version), crate::common::ctx())
            .await
            .unwrap();
        backdate("summaries", sum.id).await;
        assert_eq!(reminders::run(&app.db, now, crate::common::ctx()).await.unwrap().waiting, 1);
        assert_eq!(
            app.scalar(&format!("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'sum-overdue' AND user_id = {} AND link = '/summaries/{}'", w.urban_admin.id, sum.id)).await,
            1
        );
        assert_eq!(reminders::run(&app.db, now, crate::common::ctx()).await.unwrap(), reminders::Sent::default());
    })
    .await;
}

async fn row_se(app: &TestApp, id: i64) -> i32 {
    tongxing::entities::self_evaluations::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .version
}

#[rocket::async_test]
async fn the_api_keeps_work_and_school_summaries_apart_and_walks_their_steps() {
    use rocket::http::Method;
    use serde_json::json;
    each_db(|app| async move {
        let s = busy_year(&app).await;
        app.login("urban@tongxing.test", PASSWORD).await;
        // A school kind through the work collection: refused; nothing written.
        let (status, body) = app
            .api(
                Method::Post,
                "/api/v1/work-summaries",
                Some(json!({"academic_year_id": s.year, "kind": "supporter"})),
            )
            .await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}");
        assert_eq!(app.count("summaries").await, 0);
        let (status, body) = app
            .api(
                Method::Post,
                "/api/v1/school-summaries",
                Some(json!({"academic_year_id": s.year, "kind": "supporter"})),
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
        assert_eq!(body["figures"]["support_confirmed_fen"], 1_200_050);
        assert_eq!(body["figures"]["teachers_seconded"], 1);
        let id = body["id"].as_i64().unwrap();
        // The other collection does not know it.
        let (status, _) = app
            .api(Method::Get, &format!("/api/v1/work-summaries/{id}"), None)
            .await;
        assert_eq!(status, Status::NotFound);
        let text: serde_json::Map<String, serde_json::Value> = sums::SCHOOL_SECTIONS
            .iter()
            .map(|k| (k.to_string(), json!("两校结对帮扶扎实推进。")))
            .collect();
        let (status, body) = app
            .api(
                Method::Put,
                &format!("/api/v1/school-summaries/{id}"),
                Some(json!({"version": 1, "sections": text})),
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        let (status, body) = app
            .api(
                Method::Post,
                &format!("/api/v1/school-summaries/{id}/submit"),
                Some(json!({})),
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["status"], "submitted");
        let (status, _) = app
            .api(
                Method::Post,
                &format!("/api/v1/school-summaries/{id}/accept"),
                Some(json!({})),
            )
            .await;
        assert_eq!(
            status,
            Status::Forbidden,
            "a school does not receive its own"
        );
        app.logout().await;

        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, body) = app
            .api(
                Method::Get,
                "/api/v1/school-summaries?status=submitted",
                None,
            )
            .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["items"][0]["id"], id);
        assert_eq!(body["items"][0]["actions"], json!(["accept", "return"]));
        let (status, body) = app
            .api(
                Method::Post,
                &format!("/api/v1/school-summaries/{id}/return"),
                Some(json!({"reason": ""})),
            )
            .await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}");
        let (status, body) = app
            .api(
                Method::Post,
                &format!("/api/v1/school-summaries/{id}/accept"),
                Some(json!({"comment": "已阅"})),
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["status"], "accepted");
        let (status, body) = app.api(Method::Get, "/api/v1/work-summaries", None).await;
        assert_eq!(
            (status, body["items"].as_array().map(Vec::len)),
            (Status::Ok, Some(0))
        );
        app.logout().await;

        // The mentor's work summary through the API, received by the urban school.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (status, body) = app
            .api(
                Method::Post,
                "/api/v1/work-summaries",
                Some(json!({"academic_year_id": s.year, "kind": "mentor"})),
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
        assert_eq!(body["figures"]["pairings_as_mentor"], 1);
        let wid = body["id"].as_i64().unwrap();
        let (status, _) = app
            .api(
                Method::Post,
                &format!("/api/v1/work-summaries/{wid}/submit"),
                Some(json!({})),
            )
            .await;
        assert_eq!(status, Status::UnprocessableEntity, "empty sections");
        app.logout().await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let (status, _) = app
            .api(Method::Get, &format!("/api/v1/work-summaries/{wid}"), None)
            .await;
        assert_eq!(status, Status::NotFound, "a draft, and another school's");
    })
    .await;
}

#[rocket::async_test]
async fn a_school_returning_a_work_summary_lands_on_its_list_not_a_404() {
    each_db(|app| async move {
        let (w, year, _tp) = crate::teacher_pairings::setup(&app).await;
        let mentor = users::actor_of(&w.mentor_user);
        let d = sums::begin(&app.db, &mentor, &begin(year, "mentor"))
            .await
            .unwrap();
        let d = sums::save(&app.db, &mentor, d.id, &text(&sums::WORK_SECTIONS, 1))
            .await
            .unwrap();
        let d = sums::act(
            &app.db,
            &mentor,
            d.id,
            Action::Submit,
            &step(d.version),
            crate::common::ctx(),
        )
        .await
        .unwrap();
        app.login("urban@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(
                &format!("/summaries/{}/return", d.id),
                &[
                    ("version", &d.version.to_string()),
                    ("reason", "请补充数据"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(res.headers().get_one("Location"), Some("/summaries"));
        assert_eq!(row(&app, d.id).await.status, Stage::Draft);
        let (status, _) = app.get_html("/summaries").await;
        assert_eq!(status, Status::Ok);
    })
    .await;
}
