//! Training weeks (issue 13 item 2): a term's "one week a month at the urban school" for
//! chosen teachers of the receiving school; the host school confirms each week attended
//! or missed (workflow steps); the counts show on the pairing page. Every refusal changes
//! nothing.
use chrono::{Datelike, Weekday};
use rocket::http::Status;

use crate::common::{PASSWORD, each_db};
use crate::visits::setup;
use tongxing::domain::training::{self, ScheduleForm, WeekAction, WeekFilter, WeekStatus};
use tongxing::domain::users;
use tongxing::error::AppError;

fn plan(year: i64, term: &str, teachers: &[i64]) -> ScheduleForm {
    ScheduleForm {
        academic_year_id: year.to_string(),
        term: term.into(),
        week_of_month: "1".into(),
        teacher_ids: teachers.iter().map(i64::to_string).collect(),
    }
}

fn code(e: AppError) -> &'static str {
    match e {
        AppError::Forbidden => "403",
        AppError::NotFound => "404",
        AppError::Conflict { .. } => "409",
        AppError::Invalid(_) => "422",
        e => panic!("{e:?}"),
    }
}

#[rocket::async_test]
async fn a_term_of_weeks_is_scheduled_and_the_host_confirms_each() {
    each_db(|app| async move {
        let s = setup(&app).await;
        let second = app
            .teacher(&s.w.bureau_actor, s.w.rural.id, "尤如昌", "R002")
            .await;
        let teachers = [s.w.mentee.id, second.id];
        let added = training::schedule(&app.db, &s.urban, s.pairing, &plan(s.year, "1", &teachers))
            .await
            .expect("scheduled");
        let year = tongxing::entities::academic_years::Entity::find_by_id(s.year);
        use sea_orm::EntityTrait;
        let year = year.one(&app.db).await.unwrap().unwrap();
        let (from, to) = training::term_dates(&year, 1);
        let weeks = training::term_weeks(from, to, 1);
        assert!(weeks.len() >= 4, "about one a month: {weeks:?}");
        assert_eq!(added, weeks.len() * 2);
        let all = training::list(
            &app.db,
            &s.w.bureau_actor,
            &WeekFilter::default(),
            tongxing::domain::paging::PageRequest {
                page: 1,
                per_page: 100,
            },
        )
        .await
        .unwrap();
        assert_eq!(all.items.len(), added);
        for w in &all.items {
            assert_eq!(w.starts_on.weekday(), Weekday::Mon);
            assert_eq!(w.ends_on.weekday(), Weekday::Fri);
            assert!(w.starts_on >= from && w.ends_on <= to);
            assert_eq!(
                (w.host_school_id, w.guest_school_id),
                (s.w.urban.id, s.w.rural.id)
            );
            assert_eq!(w.status, WeekStatus::Planned);
        }
        // Again: nothing new (the weeks are there already); the receiving school may
        // schedule too.
        assert_eq!(
            training::schedule(&app.db, &s.rural, s.pairing, &plan(s.year, "1", &teachers))
                .await
                .unwrap(),
            0
        );

        // Bad input, each on its field; the wrong people; nothing written.
        let before = app.count("training_weeks").await;
        for (form, field) in [
            (plan(s.year, "1", &[s.w.mentor.id]), "teacher_ids"),
            (plan(s.year, "1", &[s.stranger]), "teacher_ids"),
            (plan(s.year, "1", &[]), "teacher_ids"),
            (plan(s.year, "3", &teachers), "term"),
            (plan(999_999, "1", &teachers), "academic_year_id"),
            (
                ScheduleForm {
                    week_of_month: "5".into(),
                    ..plan(s.year, "1", &teachers)
                },
                "week_of_month",
            ),
        ] {
            let err = training::schedule(&app.db, &s.urban, s.pairing, &form)
                .await
                .unwrap_err();
            assert!(
                matches!(err, AppError::Invalid(ref f) if f.get(field).is_some()),
                "{field}: {err:?}"
            );
        }
        let mentee = users::actor_of(&s.w.mentee_user);
        for (who, want) in [
            (&s.w.bureau_actor, "403"),
            (&mentee, "403"),
            (&s.other, "404"),
        ] {
            let err = training::schedule(&app.db, who, s.pairing, &plan(s.year, "2", &teachers))
                .await
                .unwrap_err();
            assert_eq!(code(err), want);
        }
        assert_eq!(app.count("training_weeks").await, before);

        // Only the host confirms: the receiving school 403, another school 404, the teacher
        // 403 (she sees her own weeks, nothing more).
        let first = all.items[0].id;
        for (who, want) in [
            (&s.rural, "403"),
            (&s.other, "404"),
            (&mentee, "403"),
            (&s.w.bureau_actor, "403"),
        ] {
            let err = training::act(&app.db, who, first, WeekAction::Attend, "")
                .await
                .unwrap_err();
            assert_eq!(code(err), want);
        }
        let w = training::act(&app.db, &s.urban, first, WeekAction::Attend, "听课 6 节")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(w.status, WeekStatus::Attended);
        assert_eq!(w.answered_by, Some(s.w.urban_admin.id));
        // A second answer: 409; undo, then missed with a note.
        let err = training::act(&app.db, &s.urban, first, WeekAction::Miss, "")
            .await
            .unwrap_err();
        assert_eq!(code(err), "409");
        training::act(&app.db, &s.urban, first, WeekAction::Reopen, "")
            .await
            .unwrap();
        let missed = training::act(&app.db, &s.urban, first, WeekAction::Miss, "病假")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (missed.status, missed.note.as_str()),
            (WeekStatus::Missed, "病假")
        );
        // A note too long: refused, nothing changed.
        let err = training::act(
            &app.db,
            &s.urban,
            first,
            WeekAction::Reopen,
            &"长".repeat(501),
        )
        .await
        .unwrap_err();
        assert_eq!(code(err), "422");
        // A planned week may be deleted by either school; an answered one by nobody.
        let err = training::act(&app.db, &s.rural, first, WeekAction::Delete, "")
            .await
            .unwrap_err();
        assert_eq!(code(err), "409");
        let planned = all.items[1].id;
        training::act(&app.db, &s.urban, all.items[2].id, WeekAction::Attend, "")
            .await
            .unwrap();
        assert!(
            training::act(&app.db, &s.rural, planned, WeekAction::Delete, "")
                .await
                .unwrap()
                .is_none()
        );

        // The counts: one attended, one missed, the rest to confirm.
        let by_pairing = WeekFilter {
            school_pairing_id: Some(s.pairing),
            ..Default::default()
        };
        let a = training::attendance(&app.db, &s.w.bureau_actor, &by_pairing)
            .await
            .unwrap();
        assert_eq!((a.attended, a.missed, a.planned), (1, 1, added as i64 - 3));
        // The teacher reads her own weeks only.
        let own = training::attendance(&app.db, &mentee, &WeekFilter::default())
            .await
            .unwrap();
        assert_eq!(
            own.total(),
            weeks.len() as i64 - i64::from(all.items[1].teacher_id == s.w.mentee.id)
        );
        assert!(
            app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'training_week'")
                .await
                >= 5
        );

        // The pages: the pairing page shows the counts; the host confirms from the list.
        app.login("urban@tongxing.test", PASSWORD).await;
        let (_, html) = app
            .get_html(&format!("/school-pairings/{}", s.pairing))
            .await;
        assert!(html.contains("id=\"training\"") && html.contains("跟岗培训"));
        let (status, html) = app
            .get_html(&format!(
                "/training-weeks?school_pairing={}&status=planned",
                s.pairing
            ))
            .await;
        assert_eq!(status, Status::Ok);
        let next = all.items[3].id;
        assert!(html.contains(&format!("/training-weeks/{next}/attend")));
        let back = format!(
            "/training-weeks?school_pairing={}&status=planned",
            s.pairing
        );
        let res = app
            .post_form(
                &format!("/training-weeks/{next}/attend"),
                &[("back", &back)],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(res.headers().get_one("Location"), Some(back.as_str()));
        assert_eq!(
            training::get(&app.db, &s.urban, next).await.unwrap().status,
            WeekStatus::Attended
        );
        // A way back to another site is not followed.
        let res = app
            .post_form(
                &format!("/training-weeks/{next}/reopen"),
                &[("back", "//evil.example/x")],
            )
            .await;
        assert_eq!(res.headers().get_one("Location"), Some("/training-weeks"));
        // The export holds every week of the filter.
        let res = app
            .client
            .get(format!(
                "/training-weeks/export.xlsx?school_pairing={}",
                s.pairing
            ))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Ok);
        let rows = crate::exports::sheet_rows(&res.into_bytes().await.unwrap());
        assert_eq!(rows.len(), added - 1 + 1, "the header and every week left");
        // The receiving school's admin sees no attend button.
        app.logout().await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/training-weeks?status=planned").await;
        assert!(!html.contains("/attend\""), "only the host confirms");
        // The schedule form: the receiving school's teachers only.
        let (status, html) = app
            .get_html(&format!(
                "/school-pairings/{}/training-weeks/new",
                s.pairing
            ))
            .await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("尤如昌") && !html.contains("李明"));
        let res = app
            .post_form(
                &format!("/school-pairings/{}/training-weeks", s.pairing),
                &[
                    ("academic_year_id", &s.year.to_string()),
                    ("term", "2"),
                    ("week_of_month", "2"),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            Status::UnprocessableEntity,
            "no teacher chosen"
        );
    })
    .await;
}

#[rocket::async_test]
async fn the_host_schools_home_lists_the_weeks_over_and_not_yet_marked() {
    each_db(|app| async move {
        let s = setup(&app).await;
        training::schedule(
            &app.db,
            &s.urban,
            s.pairing,
            &plan(s.year, "1", &[s.w.mentee.id]),
        )
        .await
        .expect("scheduled");
        let today = tongxing::domain::types::today();
        let all = training::list(
            &app.db,
            &s.w.bureau_actor,
            &WeekFilter::default(),
            tongxing::domain::paging::PageRequest {
                page: 1,
                per_page: 100,
            },
        )
        .await
        .unwrap()
        .items;
        let over: Vec<_> = all.iter().filter(|w| w.ends_on < today).collect();
        app.login("urban@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/").await;
        assert_eq!(status, Status::Ok);
        if over.is_empty() {
            assert!(!html.contains("待确认是否参加的跟岗培训周"), "{html}");
            return;
        }
        let line = format!("待确认是否参加的跟岗培训周（{}）", over.len());
        assert!(html.contains(&line), "{html}");
        // Marked: it leaves the list. The receiving school's home has no such list.
        training::act(&app.db, &s.urban, over[0].id, WeekAction::Attend, "")
            .await
            .expect("attended");
        let (_, html) = app.get_html("/").await;
        if over.len() > 1 {
            let line = format!("待确认是否参加的跟岗培训周（{}）", over.len() - 1);
            assert!(html.contains(&line), "{html}");
        } else {
            assert!(!html.contains("待确认是否参加的跟岗培训周"), "{html}");
        }
        app.logout().await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/").await;
        assert!(!html.contains("待确认是否参加的跟岗培训周"), "{html}");
    })
    .await;
}

#[rocket::async_test]
async fn the_bureaus_counts_kept_by_the_database_equal_the_weeks() {
    each_db(|app| async move {
        let s = setup(&app).await;
        training::schedule(&app.db, &s.urban, s.pairing, &plan(s.year, "1", &[s.w.mentee.id]))
            .await
            .expect("scheduled");
        async fn direct(app: &crate::common::TestApp, status: &str) -> i64 {
            app.scalar(&format!(
                "SELECT COUNT(*) AS n FROM training_weeks WHERE status = '{status}'"
            ))
            .await
        }
        let all = training::list(
            &app.db,
            &s.w.bureau_actor,
            &WeekFilter::default(),
            tongxing::domain::paging::PageRequest { page: 1, per_page: 100 },
        )
        .await
        .unwrap()
        .items;
        // Mark one attended, one missed, delete a planned one: the kept counts follow.
        training::act(&app.db, &s.urban, all[0].id, WeekAction::Attend, "").await.unwrap();
        training::act(&app.db, &s.urban, all[1].id, WeekAction::Miss, "病假").await.unwrap();
        training::act(&app.db, &s.urban, all[2].id, WeekAction::Delete, "").await.unwrap();
        for filter in [
            WeekFilter::default(),
            WeekFilter {
                academic_year_id: Some(s.year),
                ..Default::default()
            },
        ] {
            let kept = training::attendance(&app.db, &s.w.bureau_actor, &filter).await.unwrap();
            assert_eq!(
                (kept.planned, kept.attended, kept.missed),
                (
                    direct(&app, "planned").await,
                    direct(&app, "attended").await,
                    direct(&app, "missed").await
                )
            );
            assert_eq!((kept.attended, kept.missed), (1, 1));
        }
        // A narrower list counts its own rows, the same numbers here.
        let counted = training::attendance(
            &app.db,
            &s.w.bureau_actor,
            &WeekFilter {
                school_pairing_id: Some(s.pairing),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(counted.total(), direct(&app, "planned").await + 2);
        assert_eq!(
            app.scalar("SELECT n FROM tallies WHERE name = 'weeks:' || (SELECT MIN(academic_year_id) FROM training_weeks) || ':attended'")
                .await,
            1
        );
    })
    .await;
}
