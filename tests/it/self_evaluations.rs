//! Self-evaluations (issue 14 item 1): begun by the teacher in a context the data allows,
//! written beside the year's figures, then submitted, appraised by the school where the
//! teacher worked, signed by the dispatching school (seconded teachers only), verified by
//! the bureau and acknowledged — each step only by its actor, each able to return it one
//! step back. The matrix of every step × every caller × every stage is generated from the
//! transition tables; a refusal changes nothing.
use rocket::http::Status;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::common::{PASSWORD, TestApp, each_db};
use tongxing::domain::access::Actor;
use tongxing::domain::self_evaluations::{
    self as se, Action, BeginForm, LocalFlow, SecondedFlow, SectionsForm, Stage, StepForm,
};
use tongxing::domain::users;
use tongxing::domain::workflow::{Party, Workflow};
use tongxing::entities::self_evaluations as rows;
use tongxing::error::AppError;

fn sections(version: i32) -> SectionsForm {
    SectionsForm {
        ethics: "热爱教育事业，关心学生。".into(),
        teaching: "上好每一节课，坚持写教学反思。".into(),
        results: "徒弟的课堂教学评分从 68 分提高到 85 分。".into(),
        improvement: "教研能力还要加强。".into(),
        proposed_grade: "competent".into(),
        version: version.to_string(),
    }
}

async fn row(app: &TestApp, id: i64) -> rows::Model {
    rows::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .expect("row")
}

/// Writes the sections of draft `id` and submits it; its id.
pub async fn written(app: &TestApp, author: &Actor, id: i64) -> i64 {
    let d = se::save(&app.db, author, id, &sections(1))
        .await
        .expect("save");
    se::act(
        &app.db,
        author,
        id,
        Action::Submit,
        &StepForm {
            version: d.version.to_string(),
            ..Default::default()
        },
        crate::common::ctx(),
    )
    .await
    .expect("submit");
    id
}

fn step(version: i32) -> StepForm {
    StepForm {
        grade: "competent".into(),
        comment: "同意。".into(),
        reason: "请补充帮扶成效的具体事例。".into(),
        version: version.to_string(),
    }
}

fn code(e: &AppError) -> &'static str {
    match e {
        AppError::Forbidden => "403",
        AppError::NotFound => "404",
        AppError::Conflict { .. } => "409",
        AppError::Invalid(_) => "422",
        _ => "other",
    }
}

async fn told(app: &TestApp, user: i64, kind: &str, id: i64) -> i64 {
    app.scalar(&format!(
        "SELECT COUNT(*) AS n FROM notifications WHERE user_id = {user} AND kind = '{kind}' AND link = '/self-evaluations/{id}'"
    ))
    .await
}

#[rocket::async_test]
async fn a_mentee_writes_the_school_appraises_the_bureau_verifies_and_the_teacher_acknowledges() {
    each_db(|app| async move {
        let (w, year, _tp) = crate::teacher_pairings::setup(&app).await;
        let mentee = users::actor_of(&w.mentee_user);
        let mentor = users::actor_of(&w.mentor_user);
        let rural = users::actor_of(&w.rural_admin);
        let urban = users::actor_of(&w.urban_admin);
        let begin = |context: &str| BeginForm {
            academic_year_id: year.to_string(),
            context: context.into(),
        };
        // Only a teacher begins one, only in a context the data allows, once a year.
        for who in [&w.bureau_actor, &rural] {
            let e = se::begin(&app.db, who, &begin("mentee")).await.unwrap_err();
            assert_eq!(code(&e), "403");
        }
        let e = se::begin(&app.db, &mentee, &begin("seconded")).await.unwrap_err();
        assert!(
            matches!(&e, AppError::Invalid(f) if f.get("context").is_some()),
            "{e:?}"
        );
        let e = se::begin(&app.db, &mentee, &begin("mentor")).await.unwrap_err();
        assert_eq!(code(&e), "422");
        let e = se::begin(&app.db, &mentee, &BeginForm::default()).await.unwrap_err();
        assert!(matches!(&e, AppError::Invalid(f) if f.get("academic_year_id").is_some() && f.get("context").is_some()));
        assert_eq!(app.count("self_evaluations").await, 0);
        let d = se::begin(&app.db, &mentee, &begin("mentee")).await.unwrap();
        assert_eq!((d.status, d.appraiser_school_id, d.signer_school_id), (Stage::Draft, w.rural.id, None));
        let e = se::begin(&app.db, &mentee, &begin("mentee")).await.unwrap_err();
        assert_eq!(code(&e), "409");
        // The mentor may begin theirs as a mentor.
        se::begin(&app.db, &mentor, &begin("mentor")).await.unwrap();

        // A draft is the teacher's alone: the school does not see it yet.
        assert_eq!(code(&se::get(&app.db, &rural, d.id).await.unwrap_err()), "404");
        // Too long, a bad grade, a stale version: refused, nothing changed.
        let mut bad = sections(1);
        bad.ethics = "德".repeat(5001);
        bad.proposed_grade = "best".into();
        let e = se::save(&app.db, &mentee, d.id, &bad).await.unwrap_err();
        assert!(matches!(&e, AppError::Invalid(f) if f.get("ethics").is_some() && f.get("proposed_grade").is_some()));
        let e = se::save(&app.db, &mentee, d.id, &sections(7)).await.unwrap_err();
        assert!(matches!(&e, AppError::Conflict { field, .. } if field == "version"));
        assert_eq!(row(&app, d.id).await, d);
        // Submitting an incomplete draft names each missing part.
        let half = se::save(
            &app.db,
            &mentee,
            d.id,
            &SectionsForm {
                ethics: "热爱教育事业。".into(),
                version: "1".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let e = se::act(&app.db, &mentee, d.id, Action::Submit, &step(half.version), crate::common::ctx())
            .await
            .unwrap_err();
        let AppError::Invalid(f) = &e else { panic!("{e:?}") };
        for field in ["teaching", "results", "improvement", "proposed_grade"] {
            assert!(f.get(field).is_some(), "{field}");
        }
        assert_eq!(row(&app, d.id).await.status, Stage::Draft);
        // Written and submitted: the figures are kept, the author is locked out, the
        // appraising school is told.
        let saved = se::save(&app.db, &mentee, d.id, &sections(half.version)).await.unwrap();
        let sub = se::act(&app.db, &mentee, d.id, Action::Submit, &step(saved.version), crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(sub.status, Stage::Submitted);
        assert!(sub.figures.contains("pairings_as_mentee"), "{}", sub.figures);
        assert_eq!(told(&app, w.rural_admin.id, "se-waiting", d.id).await, 1);
        let e = se::save(&app.db, &mentee, d.id, &sections(sub.version)).await.unwrap_err();
        assert_eq!(code(&e), "409");
        // The school returns it with a reason: a draft again, the teacher told.
        let e = se::act(&app.db, &rural, d.id, Action::Return, &StepForm { reason: " ".into(), version: sub.version.to_string(), ..Default::default() }, crate::common::ctx())
            .await
            .unwrap_err();
        assert!(matches!(&e, AppError::Invalid(f) if f.get("reason").is_some()));
        let back = se::act(&app.db, &rural, d.id, Action::Return, &step(sub.version), crate::common::ctx())
            .await
            .unwrap();
        assert_eq!((back.status, back.return_reason.as_str()), (Stage::Draft, "请补充帮扶成效的具体事例。"));
        assert!(back.figures.is_empty() && back.submitted_at.is_none());
        assert_eq!(told(&app, w.mentee_user.id, "se-returned", d.id).await, 1);
        let again = se::act(&app.db, &mentee, d.id, Action::Submit, &step(back.version), crate::common::ctx())
            .await
            .unwrap();
        assert!(again.return_reason.is_empty());
        // Appraisal needs a grade and an opinion; the other school, the bureau and the
        // teacher may not appraise.
        let e = se::act(&app.db, &rural, d.id, Action::Appraise, &StepForm { version: again.version.to_string(), ..Default::default() }, crate::common::ctx())
            .await
            .unwrap_err();
        assert!(matches!(&e, AppError::Invalid(f) if f.get("grade").is_some() && f.get("comment").is_some()));
        for (who, want) in [(&urban, "404"), (&w.bureau_actor, "403"), (&mentee, "403")] {
            let e = se::act(&app.db, who, d.id, Action::Appraise, &step(again.version), crate::common::ctx())
                .await
                .unwrap_err();
            assert_eq!(code(&e), want);
        }
        assert_eq!(row(&app, d.id).await, again);
        let ap = se::act(&app.db, &rural, d.id, Action::Appraise, &step(again.version), crate::common::ctx())
            .await
            .unwrap();
        assert_eq!((ap.status, ap.appraised_by), (Stage::Appraised, Some(w.rural_admin.id)));
        // Not seconded: nobody signs; the bureau verifies next and is told.
        assert_eq!(told(&app, w.bureau.id, "se-waiting", d.id).await, 1);
        let e = se::act(&app.db, &urban, d.id, Action::Sign, &step(ap.version), crate::common::ctx())
            .await
            .unwrap_err();
        assert_eq!(code(&e), "404");
        let e = se::act(&app.db, &rural, d.id, Action::Sign, &step(ap.version), crate::common::ctx())
            .await
            .unwrap_err();
        assert_eq!(code(&e), "403");
        let ve = se::act(
            &app.db,
            &w.bureau_actor,
            d.id,
            Action::Verify,
            &StepForm { grade: "excellent".into(), ..step(ap.version) },
            crate::common::ctx(),
        )
        .await
        .unwrap();
        assert_eq!(ve.final_grade, Some(se::Grade::Excellent));
        assert_eq!(told(&app, w.mentee_user.id, "se-verified", d.id).await, 1);
        // A stale step is refused.
        let e = se::act(&app.db, &mentee, d.id, Action::Acknowledge, &step(ap.version), crate::common::ctx())
            .await
            .unwrap_err();
        assert!(matches!(&e, AppError::Conflict { field, .. } if field == "version"));
        let ack = se::act(&app.db, &mentee, d.id, Action::Acknowledge, &step(ve.version), crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(ack.status, Stage::Acknowledged);
        assert!(se::actions_of(&mentee, &ack).is_empty());
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'self_evaluation' AND entity_id = {}",
                d.id
            ))
            .await,
            // begin, two saves (the failed ones wrote nothing), submit, return, submit,
            // appraise, verify, acknowledge.
            9
        );
    })
    .await;
}

/// A seconded teacher (the mentor, sent from the urban school to the rural one this
/// year): the rural school appraises, the urban school signs.
async fn seconded(app: &TestApp) -> (crate::common::World, i64, i64) {
    let (w, year, _tp) = crate::teacher_pairings::setup(app).await;
    tongxing::domain::secondments::create(
        &app.db,
        &w.bureau_actor,
        &tongxing::domain::secondments::SecondmentForm {
            teacher_id: w.mentor.id.to_string(),
            from_school_id: w.urban.id.to_string(),
            to_school_id: w.rural.id.to_string(),
            academic_year_id: year.to_string(),
            term: "first".into(),
            batch: "1".into(),
            starts_on: "2026-09-01".into(),
            ends_on: "2027-01-20".into(),
            note: String::new(),
        },
    )
    .await
    .expect("secondment");
    let d = se::begin(
        &app.db,
        &users::actor_of(&w.mentor_user),
        &BeginForm {
            academic_year_id: year.to_string(),
            context: "seconded".into(),
        },
    )
    .await
    .expect("begin");
    assert_eq!(
        (d.school_id, d.appraiser_school_id, d.signer_school_id),
        (w.urban.id, w.rural.id, Some(w.urban.id))
    );
    (w, year, d.id)
}

#[rocket::async_test]
async fn every_step_by_every_caller_in_every_stage_follows_the_tables() {
    each_db(|app| async move {
        let (w, year_id, id) = seconded(&app).await;
        let far = app.school(&w.bureau_actor, "星子中学", "4418820009", "rural").await;
        let far_admin = app
            .user(&w.bureau_actor, "far@tongxing.test", "school_admin", Some(far.id), None)
            .await;
        // The mentee's own, not seconded: its appraiser is the rural school and nobody signs.
        let mentee = users::actor_of(&w.mentee_user);
        let local = se::begin(
            &app.db,
            &mentee,
            &BeginForm {
                academic_year_id: year_id.to_string(),
                context: "mentee".into(),
            },
        )
        .await
        .unwrap()
        .id;
        let callers: Vec<(&str, Actor)> = vec![
            ("bureau", w.bureau_actor.clone()),
            ("rural admin", users::actor_of(&w.rural_admin)),
            ("urban admin", users::actor_of(&w.urban_admin)),
            ("mentor", users::actor_of(&w.mentor_user)),
            ("mentee", mentee.clone()),
            ("far admin", users::actor_of(&far_admin)),
        ];
        let actions = [
            Action::Submit,
            Action::Appraise,
            Action::Sign,
            Action::Verify,
            Action::Acknowledge,
            Action::Return,
        ];
        let mut checked = 0;
        for (doc, seconded) in [(id, true), (local, false)] {
            for stage in Stage::ALL {
                for action in actions {
                    for (name, who) in &callers {
                        // Put the document at `stage`, complete, as the data would have it.
                        app.db
                            .execute_unprepared(&format!(
                                "UPDATE self_evaluations SET status = '{}', ethics = 'a', teaching = 'b', results = 'c', improvement = 'd', proposed_grade = 'competent' WHERE id = {doc}",
                                stage.as_str()
                            ))
                            .await
                            .unwrap();
                        let before = row(&app, doc).await;
                        let parties = se::parties(who, &before);
                        let table = if seconded { SecondedFlow::STEPS } else { LocalFlow::STEPS };
                        let allowed = table.iter().find(|s| {
                            s.action == action
                                && s.from.contains(stage)
                                && s.who.iter().any(|p| parties.contains(p))
                        });
                        let ever = table
                            .iter()
                            .any(|s| s.action == action && s.who.iter().any(|p| parties.contains(p)));
                        let author = parties.contains(&Party::Author);
                        let sees = author
                            || parties.contains(&Party::Bureau)
                            || (*stage != Stage::Draft
                                && who.role == tongxing::domain::types::Role::SchoolAdmin
                                && who.school_id.is_some_and(|s| {
                                    s == before.school_id
                                        || s == before.appraiser_school_id
                                        || Some(s) == before.signer_school_id
                                }));
                        let got = se::act(&app.db, who, doc, action, &step(before.version), crate::common::ctx()).await;
                        match (allowed, got) {
                            (Some(s), Ok(after)) => {
                                assert_eq!(Some(after.status), s.to, "{name} {action:?} from {stage:?}");
                                assert_eq!(after.version, before.version + 1);
                            }
                            (None, Err(e)) => {
                                let want = if !sees {
                                    "404"
                                } else if !ever {
                                    "403"
                                } else {
                                    "409"
                                };
                                assert_eq!(code(&e), want, "{name} {action:?} at {stage:?} (seconded: {seconded})");
                                assert_eq!(row(&app, doc).await, before, "refused, nothing changed");
                            }
                            (a, g) => panic!("{name} {action:?} at {stage:?}: table {:?}, got {g:?}", a.map(|s| s.to)),
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 2 * 6 * 6 * 6);
    })
    .await;
}

#[rocket::async_test]
async fn a_seconded_teachers_document_is_signed_by_the_dispatching_school() {
    each_db(|app| async move {
        let (w, _, id) = seconded(&app).await;
        let mentor = users::actor_of(&w.mentor_user);
        let rural = users::actor_of(&w.rural_admin);
        let urban = users::actor_of(&w.urban_admin);
        written(&app, &mentor, id).await;
        let d = row(&app, id).await;
        let ap = se::act(
            &app.db,
            &rural,
            id,
            Action::Appraise,
            &step(d.version),
            crate::common::ctx(),
        )
        .await
        .unwrap();
        // The dispatching school is told and signs; the bureau may not verify before.
        assert_eq!(told(&app, w.urban_admin.id, "se-waiting", id).await, 1);
        let e = se::act(
            &app.db,
            &w.bureau_actor,
            id,
            Action::Verify,
            &step(ap.version),
            crate::common::ctx(),
        )
        .await
        .unwrap_err();
        assert_eq!(code(&e), "409");
        let e = se::act(
            &app.db,
            &urban,
            id,
            Action::Sign,
            &StepForm {
                version: ap.version.to_string(),
                ..Default::default()
            },
            crate::common::ctx(),
        )
        .await
        .unwrap_err();
        assert!(matches!(&e, AppError::Invalid(f) if f.get("comment").is_some()));
        let signed = se::act(
            &app.db,
            &urban,
            id,
            Action::Sign,
            &step(ap.version),
            crate::common::ctx(),
        )
        .await
        .unwrap();
        assert_eq!(
            (signed.status, signed.signed_by),
            (Stage::Signed, Some(w.urban_admin.id))
        );
        assert_eq!(told(&app, w.bureau.id, "se-waiting", id).await, 1);
        // The bureau returns it to the dispatching school: the signature no longer stands.
        let back = se::act(
            &app.db,
            &w.bureau_actor,
            id,
            Action::Return,
            &step(signed.version),
            crate::common::ctx(),
        )
        .await
        .unwrap();
        assert_eq!(
            (back.status, back.signed_by, back.sign_comment.as_str()),
            (Stage::Appraised, None, "")
        );
        assert_eq!(told(&app, w.urban_admin.id, "se-returned", id).await, 1);

        // Through the pages: the dispatching school's admin sees the sign form and signs.
        app.login("urban@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html(&format!("/self-evaluations/{id}")).await;
        assert_eq!(status, Status::Ok);
        assert!(
            html.contains(&format!("action=\"/self-evaluations/{id}/sign\"")),
            "{html}"
        );
        assert!(html.contains("热爱教育事业"));
        let csrf = app.csrf().await;
        let res = app
            .post_form(
                &format!("/self-evaluations/{id}/sign"),
                &[
                    ("_csrf", csrf.as_str()),
                    ("comment", "  "),
                    ("version", &back.version.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert_eq!(row(&app, id).await.status, Stage::Appraised);
        let res = app
            .post_form(
                &format!("/self-evaluations/{id}/sign"),
                &[
                    ("_csrf", csrf.as_str()),
                    ("comment", "同意该同志的自我鉴定。"),
                    ("version", &back.version.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(row(&app, id).await.status, Stage::Signed);
    })
    .await;
}

#[rocket::async_test]
async fn the_figures_are_direct_counts_and_the_pages_keep_what_was_typed() {
    each_db(|app| async move {
        let (w, year, tp) = crate::teacher_pairings::setup(&app).await;
        crate::observations::began_days_ago(&app, tp, 30).await;
        let rubric = crate::observations::classroom(&app).await;
        let mentor = users::actor_of(&w.mentor_user);
        for days in [2, 5] {
            let date = (tongxing::domain::types::today() - chrono::Duration::days(days)).to_string();
            tongxing::domain::observations::create(
                &app.db,
                &mentor,
                tp,
                &tongxing::domain::observations::ObservationForm::from_pairs(
                    &crate::observations::full_form(&rubric, &date, 0.0),
                ),
                crate::common::ctx(),
            )
            .await
            .expect("observation");
        }
        let year_row = tongxing::entities::academic_years::Entity::find_by_id(year)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let f = se::figures_of(&app.db, w.mentee.id, &year_row).await.unwrap();
        let count = |sql: String| {
            let app = &app;
            async move { app.scalar(&sql).await }
        };
        assert_eq!(
            f.observations_received,
            count(format!("SELECT COUNT(*) AS n FROM observations WHERE observed_id = {}", w.mentee.id)).await
        );
        assert_eq!(f.observations_received, 2);
        assert_eq!(
            f.pairings_as_mentee,
            count(format!("SELECT COUNT(*) AS n FROM teacher_pairings WHERE mentee_id = {} AND status <> 'draft'", w.mentee.id)).await
        );
        assert_eq!((f.pairings_as_mentee, f.pairings_as_mentor), (1, 0));
        let g = se::figures_of(&app.db, w.mentor.id, &year_row).await.unwrap();
        assert_eq!((g.observations_given, g.pairings_as_mentor), (2, 1));

        // The teacher's pages: begin, then a too-long section comes back with the text kept.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/self-evaluations").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("href=\"/self-evaluations/new\""), "{html}");
        let (status, html) = app.get_html("/self-evaluations/new").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("value=\"mentee\"") && !html.contains("value=\"seconded\""), "{html}");
        assert!(html.contains("2026—2027学年</option>") && !html.contains("Unknown"), "{html}");
        let csrf = app.csrf().await;
        let res = app
            .post_form("/self-evaluations", &[("_csrf", csrf.as_str()), ("academic_year_id", &year.to_string()), ("context", "mentee")])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let id = app.scalar("SELECT MAX(id) AS n FROM self_evaluations").await;
        let (status, html) = app.get_html(&format!("/self-evaluations/{id}/edit")).await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("作为徒弟的结对"), "the figures beside the form");
        let long = "教".repeat(5001);
        let res = app
            .post_form(
                &format!("/self-evaluations/{id}/edit"),
                &[("_csrf", csrf.as_str()), ("ethics", "爱岗敬业"), ("teaching", long.as_str()), ("version", "1"), ("then", "save")],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("爱岗敬业") && html.contains(&long));
        assert_eq!(row(&app, id).await.version, 1, "nothing saved");
        // Save and submit in one go.
        let res = app
            .post_form(
                &format!("/self-evaluations/{id}/edit"),
                &[
                    ("_csrf", csrf.as_str()),
                    ("ethics", "爱岗敬业"),
                    ("teaching", "认真备课"),
                    ("results", "成绩提高"),
                    ("improvement", "多读书"),
                    ("proposed_grade", "competent"),
                    ("version", "1"),
                    ("then", "submit"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let d = row(&app, id).await;
        assert_eq!(d.status, Stage::Submitted);
        let kept: se::Figures = serde_json::from_str(&d.figures).unwrap();
        assert_eq!(kept, f, "the figures as they stood are kept");
    })
    .await;
}

#[rocket::async_test]
async fn the_bureau_is_warned_when_excellent_would_pass_the_quota() {
    each_db(|app| async move {
        let (w, year, _tp) = crate::teacher_pairings::setup(&app).await;
        let mentee = users::actor_of(&w.mentee_user);
        let d = se::begin(
            &app.db,
            &mentee,
            &BeginForm {
                academic_year_id: year.to_string(),
                context: "mentee".into(),
            },
        )
        .await
        .unwrap();
        written(&app, &mentee, d.id).await;
        let d = row(&app, d.id).await;
        let d = se::act(
            &app.db,
            &users::actor_of(&w.rural_admin),
            d.id,
            Action::Appraise,
            &step(d.version),
            crate::common::ctx(),
        )
        .await
        .unwrap();
        // None verified yet at the school: one 优秀 of one is 100%, past the 20% default.
        assert_eq!(
            se::quota_warning(&app.db, &d, 20).await.unwrap(),
            Some((0, 0, 20))
        );
        assert_eq!(se::quota_warning(&app.db, &d, 100).await.unwrap(), None);
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html(&format!("/self-evaluations/{}", d.id)).await;
        assert!(html.contains("再核定一名优秀将超过 20% 的比例"), "{html}");
    })
    .await;
}

#[rocket::async_test]
async fn the_bureau_verifies_several_at_once_all_or_none_with_the_quota_shown() {
    each_db(|app| async move {
        let (w, year, _tp) = crate::teacher_pairings::setup(&app).await;
        // The mentee's (appraised by the rural school) and the mentor's (by the urban one).
        let mut docs = Vec::new();
        for (user, admin, context) in [
            (&w.mentee_user, &w.rural_admin, "mentee"),
            (&w.mentor_user, &w.urban_admin, "mentor"),
        ] {
            let author = users::actor_of(user);
            let d = se::begin(
                &app.db,
                &author,
                &BeginForm {
                    academic_year_id: year.to_string(),
                    context: context.into(),
                },
            )
            .await
            .unwrap();
            written(&app, &author, d.id).await;
            let v = row(&app, d.id).await.version;
            se::act(
                &app.db,
                &users::actor_of(admin),
                d.id,
                Action::Appraise,
                &step(v),
                crate::common::ctx(),
            )
            .await
            .unwrap();
            docs.push(row(&app, d.id).await);
        }
        let pick = |d: &rows::Model| format!("{}:{}", d.id, d.version);

        // A school admin may not verify, in bulk or not.
        app.login("rural@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(
                "/self-evaluations/verify",
                &[("pick", &pick(&docs[0])), ("grade", "competent")],
            )
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        app.logout().await;

        app.login("bureau@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/self-evaluations?status=appraised").await;
        for d in &docs {
            assert!(html.contains(&format!("value=\"{}\"", pick(d))), "{html}");
        }
        // Nobody verified yet at either school: one Excellent of one passes 20%.
        assert_eq!(html.matches("优秀已达比例").count(), 2, "{html}");
        // No grade, nothing picked, a stale pick: nothing verified.
        let stale = format!("{}:{}", docs[1].id, docs[1].version - 1);
        for fields in [
            vec![("pick", pick(&docs[0])), ("grade", String::new())],
            vec![("grade", "competent".to_string())],
            vec![
                ("pick", pick(&docs[0])),
                ("pick", stale),
                ("grade", "competent".into()),
            ],
        ] {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = app.post_form("/self-evaluations/verify", &fields).await;
            assert_eq!(res.status(), Status::SeeOther);
            for d in &docs {
                assert_eq!(&row(&app, d.id).await, d, "nothing changed");
            }
        }
        let (_, html) = app.get_html("/self-evaluations").await;
        assert!(html.contains("没有核定任何一份"), "the refusal is shown");
        // Both at once.
        let res = app
            .post_form(
                "/self-evaluations/verify",
                &[
                    ("pick", &pick(&docs[0])),
                    ("pick", &pick(&docs[1])),
                    ("grade", "competent"),
                    ("back", "/self-evaluations?status=appraised"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(
            res.headers().get_one("Location"),
            Some("/self-evaluations?status=appraised")
        );
        for (d, user) in docs.iter().zip([&w.mentee_user, &w.mentor_user]) {
            let after = row(&app, d.id).await;
            assert_eq!(
                (after.status, after.final_grade),
                (Stage::Verified, Some(se::Grade::Competent))
            );
            assert_eq!(told(&app, user.id, "se-verified", d.id).await, 1);
        }
        let (_, html) = app.get_html("/self-evaluations").await;
        assert!(html.contains("已核定 2 份自我鉴定"), "{html}");
        // The same picks again: both already verified, refused.
        let res = app
            .post_form(
                "/self-evaluations/verify",
                &[("pick", &pick(&docs[0])), ("grade", "excellent")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(
            row(&app, docs[0].id).await.final_grade,
            Some(se::Grade::Competent)
        );
        // An id that is not a number: a plain 400.
        let res = app
            .post_form(
                "/self-evaluations/verify",
                &[("pick", "x:1"), ("grade", "excellent")],
            )
            .await;
        assert_eq!(res.status(), Status::BadRequest);
    })
    .await;
}

#[rocket::async_test]
async fn the_api_walks_a_self_evaluation_through_its_transitions() {
    use rocket::http::Method;
    use serde_json::json;
    each_db(|app| async move {
        let (w, year, _tp) = crate::teacher_pairings::setup(&app).await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        for bad in [json!({"academic_year_id": year, "context": "boss"}), json!({"academic_year_id": "x", "context": "mentee"})] {
            let (status, body) = app.api(Method::Post, "/api/v1/self-evaluations", Some(bad)).await;
            assert_eq!(status, Status::UnprocessableEntity, "{body}");
        }
        let (status, body) = app
            .api(Method::Post, "/api/v1/self-evaluations", Some(json!({"academic_year_id": year, "context": "mentor"})))
            .await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}");
        assert!(body["error"]["fields"]["context"].is_array(), "{body}");
        assert_eq!(app.count("self_evaluations").await, 0);
        let (status, body) = app
            .api(Method::Post, "/api/v1/self-evaluations", Some(json!({"academic_year_id": year, "context": "mentee"})))
            .await;
        assert_eq!(status, Status::Created, "{body}");
        assert_eq!((body["status"].as_str(), body["figures"]["pairings_as_mentee"].as_i64()), (Some("draft"), Some(1)));
        assert_eq!(body["actions"], json!(["edit", "submit"]));
        let id = body["id"].as_i64().unwrap();
        // Submitting the empty draft names the missing parts; nothing changes.
        let (status, body) = app.api(Method::Post, &format!("/api/v1/self-evaluations/{id}/submit"), Some(json!({}))).await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}");
        assert!(body["error"]["fields"]["ethics"].is_array() && body["error"]["fields"]["proposed_grade"].is_array(), "{body}");
        let sections = json!({"ethics": "爱岗敬业", "teaching": "认真备课", "results": "成绩提高", "improvement": "多读书"});
        let (status, body) = app
            .api(Method::Put, &format!("/api/v1/self-evaluations/{id}"), Some(json!({"version": 9, "sections": sections, "proposed_grade": "competent"})))
            .await;
        assert_eq!(status, Status::Conflict, "{body}");
        assert!(body["error"]["fields"]["version"].is_array());
        let (status, body) = app
            .api(Method::Put, &format!("/api/v1/self-evaluations/{id}"), Some(json!({"version": 1, "sections": sections, "proposed_grade": "good"})))
            .await;
        assert_eq!(status, Status::UnprocessableEntity, "the old word is no grade: {body}");
        let (status, body) = app
            .api(Method::Put, &format!("/api/v1/self-evaluations/{id}"), Some(json!({"version": 1, "sections": sections, "proposed_grade": "basically_competent"})))
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["sections"]["teaching"], "认真备课");
        let (status, body) = app.api(Method::Post, &format!("/api/v1/self-evaluations/{id}/submit"), Some(json!({}))).await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!((body["status"].as_str(), body["actions"].clone()), (Some("submitted"), json!([])));
        // The author may not appraise their own: 403 before the body is read.
        let (status, _) = app.api(Method::Post, &format!("/api/v1/self-evaluations/{id}/appraise"), Some(json!({"grade": 7}))).await;
        assert_eq!(status, Status::Forbidden);
        app.logout().await;

        app.login("rural@tongxing.test", PASSWORD).await;
        let (status, body) = app.api(Method::Post, &format!("/api/v1/self-evaluations/{id}/appraise"), Some(json!({"grade": "excellent"}))).await;
        assert_eq!(status, Status::UnprocessableEntity, "an opinion is needed: {body}");
        let (status, body) = app
            .api(Method::Post, &format!("/api/v1/self-evaluations/{id}/appraise"), Some(json!({"grade": "excellent", "comment": "同意", "version": 1})))
            .await;
        assert_eq!(status, Status::Conflict, "a stale version: {body}");
        let (status, body) = app
            .api(Method::Post, &format!("/api/v1/self-evaluations/{id}/appraise"), Some(json!({"grade": "excellent", "comment": "同意"})))
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["appraisal_grade"], "excellent");
        app.logout().await;

        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, body) = app.api(Method::Get, &format!("/api/v1/self-evaluations?status=appraised&academic_year_id={year}"), None).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["items"][0]["actions"], json!(["verify", "return"]), "{body}");
        let version = body["items"][0]["version"].as_i64().unwrap();
        let (status, body) = app
            .api(Method::Post, "/api/v1/self-evaluations/verify-many", Some(json!({"items": [{"id": id, "version": version - 1}], "final_grade": "excellent"})))
            .await;
        assert_eq!(status, Status::Conflict, "{body}");
        let (status, body) = app.api(Method::Post, "/api/v1/self-evaluations/verify-many", Some(json!({"items": [], "final_grade": "excellent"}))).await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}");
        let (status, body) = app
            .api(Method::Post, "/api/v1/self-evaluations/verify-many", Some(json!({"items": [{"id": id, "version": version}], "final_grade": "excellent"})))
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["verified"], 1);
        app.logout().await;

        app.login("mentee@tongxing.test", PASSWORD).await;
        let (status, body) = app.api(Method::Post, &format!("/api/v1/self-evaluations/{id}/acknowledge"), Some(json!({}))).await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!((body["status"].as_str(), body["final_grade"].as_str()), (Some("acknowledged"), Some("excellent")));
        app.logout().await;
        // Another teacher (the mentor, of the other school): 404, like a missing one.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (status, _) = app.api(Method::Get, &format!("/api/v1/self-evaluations/{id}"), None).await;
        assert_eq!(status, Status::NotFound);
        let _ = w;
    })
    .await;
}
