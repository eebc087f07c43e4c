//! Lesson observations, reflections and the contact log: scores computed on the server,
//! every refusal by role and ownership with nothing changed, locking after the reply,
//! stale edits, the bureau's delete, notifications, and a reflection typed while the
//! session expired kept and restored.
use rocket::http::Status;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use tongxing::domain::rubrics::{self, Rubric};
use tongxing::entities::{observations, reflections, rubrics as rubric_rows};

use crate::common::{PASSWORD, TestApp, each_db};
use crate::teacher_pairings::{notices_of, setup};

/// The shipped 课堂教学评价表 (points: each item's top is its weight; 100 in all).
pub async fn classroom(app: &TestApp) -> Rubric {
    let row = rubric_rows::Entity::find()
        .filter(rubric_rows::Column::Code.eq("classroom-cn"))
        .filter(rubric_rows::Column::IsCurrent.eq(true))
        .one(&app.db)
        .await
        .unwrap()
        .expect("shipped rubric");
    Rubric::of(row).unwrap()
}

/// Lets the pairing have begun `days` ago, so earlier lessons may be recorded.
pub async fn began_days_ago(app: &TestApp, pairing: i64, days: i64) {
    let at = chrono::Utc::now() - chrono::Duration::days(days);
    let sql = match app.backend {
        crate::common::Backend::Sqlite => format!(
            "UPDATE teacher_pairings SET published_at = '{}' WHERE id = {pairing}",
            at.format("%Y-%m-%d %H:%M:%S%.f+00:00")
        ),
        crate::common::Backend::Postgres => format!(
            "UPDATE teacher_pairings SET published_at = '{}' WHERE id = {pairing}",
            at.to_rfc3339()
        ),
    };
    app.db.execute_unprepared(&sql).await.unwrap();
}

pub fn days_ago(n: i64) -> String {
    (tongxing::domain::types::today() - chrono::Duration::days(n)).to_string()
}

/// A full form for the classroom rubric: every item at its top minus `minus` taken from
/// the first items (0.5 steps).
pub fn full_form(r: &Rubric, date: &str, minus: f64) -> Vec<(String, String)> {
    let mut left = minus;
    let mut fields = vec![
        ("rubric_id".to_string(), r.row.id.to_string()),
        ("observed_on".into(), date.into()),
        ("grade_class".into(), "七年级（2）班".into()),
        ("subject".into(), "数学".into()),
        ("topic".into(), "一元一次方程的应用".into()),
        ("lesson_kind".into(), "regular".into()),
        ("mode".into(), "onsite".into()),
        (
            "strengths".into(),
            "用新理念处理旧教材，引导学生自主学习、合作学习。".into(),
        ),
        ("suggestions".into(), "分层教学还可以更细。".into()),
    ];
    for item in r.def.items() {
        let top = item.scale.top();
        let take = left.min(top);
        left -= take;
        fields.push((
            format!("score_{}", item.id),
            rubrics::fmt_number(top - take),
        ));
    }
    fields
}

pub async fn post(
    app: &TestApp,
    path: &str,
    fields: &[(String, String)],
) -> (Status, String, Option<String>) {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = app.post_form(path, &pairs).await;
    let status = res.status();
    let location = res.headers().get_one("Location").map(String::from);
    (
        status,
        res.into_string().await.unwrap_or_default(),
        location,
    )
}

async fn latest(app: &TestApp) -> Option<observations::Model> {
    observations::Entity::find()
        .order_by_desc(observations::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some((_, v)) => *v = value.to_string(),
        None => fields.push((name.to_string(), value.to_string())),
    }
}

#[rocket::async_test]
async fn the_mentor_records_an_observation_scored_on_the_server() {
    each_db(|app| async move {
        let (w, _y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        let r = classroom(&app).await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (s, html) = app
            .get_html(&format!("/teacher-pairings/{pid}/observations/new"))
            .await;
        assert_eq!(s, Status::Ok);
        for text in [
            "课堂教学评价表",
            "教学目标",
            "引导自主学习、合作学习、探究学习",
            "满分 7 分",
        ] {
            assert!(html.contains(text), "form shows {text}");
        }
        // 100 − 10.5 = 89.5: 良.
        let form = full_form(&r, &days_ago(3), 10.5);
        let (s, _, loc) = post(
            &app,
            &format!("/teacher-pairings/{pid}/observations"),
            &form,
        )
        .await;
        assert_eq!(s, Status::SeeOther);
        let o = latest(&app).await.expect("observation");
        assert_eq!(
            loc.as_deref(),
            Some(format!("/observations/{}", o.id).as_str())
        );
        assert_eq!((o.total_score, o.band.as_str()), (89.5, "良"));
        assert_eq!((o.observer_id, o.observed_id), (w.mentor.id, w.mentee.id));
        assert_eq!(o.rubric_id, r.row.id);
        assert_eq!(notices_of(&app, w.mentee_user.id, "obs-new").await, 1);
        let (s, html) = app.get_html(&format!("/observations/{}", o.id)).await;
        assert_eq!(s, Status::Ok);
        assert!(
            html.contains("89.5") && html.contains("良"),
            "total and band shown"
        );
        // On the pairing page and its timeline.
        let (_, html) = app.get_html(&format!("/teacher-pairings/{pid}")).await;
        assert!(html.contains("一元一次方程的应用"));
        // 90 exactly is 优; 59.5 is 不合格.
        for (minus, band) in [(10.0, "优"), (40.5, "不合格"), (40.0, "合格")] {
            let (s, _, _) = post(
                &app,
                &format!("/teacher-pairings/{pid}/observations"),
                &full_form(&r, &days_ago(2), minus),
            )
            .await;
            assert_eq!(s, Status::SeeOther);
            assert_eq!(latest(&app).await.unwrap().band, band, "{minus}");
        }
    })
    .await;
}

/// A lesson may be logged for any day of the pairing's academic year up to today, even when
/// the bureau published the pairing months later (issue 11 item 9).
#[rocket::async_test]
async fn lessons_before_the_publication_but_in_the_year_are_recorded() {
    each_db(|app| async move {
        let (_w, y, pid) = setup(&app).await;
        // Published just now; the year (2026-2027) began on 1 September.
        let year = tongxing::entities::academic_years::Entity::find_by_id(y)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let first_week = (year.starts_on + chrono::Duration::days(2)).to_string();
        let r = classroom(&app).await;
        let path = format!("/teacher-pairings/{pid}/observations");
        app.login("mentor@tongxing.test", PASSWORD).await;
        let form = full_form(&r, &first_week, 0.0);
        let (s, html, _) = post(&app, &path, &form).await;
        assert_eq!(s, Status::SeeOther, "{html}");
        let saved = observations::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(saved.observed_on.to_string(), first_week);
        // The day before the year began is still refused, with the year's first day named.
        let before = (year.starts_on - chrono::Duration::days(1)).to_string();
        let form = full_form(&r, &before, 0.0);
        let (s, html, _) = post(&app, &path, &form).await;
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(
            html.contains("日期不能早于本学年开始的日期（2026-09-01）"),
            "{html}"
        );
        assert_eq!(app.count("observations").await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn bad_observations_are_refused_with_the_typed_input_kept() {
    each_db(|app| async move {
        let (w, _y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        let r = classroom(&app).await;
        let first_item = r.def.items().next().unwrap().id;
        let path = format!("/teacher-pairings/{pid}/observations");
        app.login("mentor@tongxing.test", PASSWORD).await;
        let score = format!("score_{first_item}");
        let cases: Vec<(&str, String, &str)> = vec![
            ("observed_on", days_ago(-1), "日期不能晚于今天"),
            (
                "observed_on",
                "2026-08-31".into(),
                "日期不能早于本学年开始的日期",
            ),
            ("observed_on", "昨天".into(), ""),
            (&score, "6".into(), "分数应在 0 到 5 之间"),
            (&score, "".into(), "请为此项评分"),
            (&score, "五".into(), "请填写数字"),
            ("topic", "".into(), ""),
            ("topic", "课".repeat(201), ""),
            ("lesson_kind", "lecture".into(), ""),
            ("recording_url", "javascript:alert(1)".into(), "http://"),
        ];
        for (field, value, text) in cases {
            let mut form = full_form(&r, &days_ago(1), 0.0);
            set(&mut form, "grade_class", "八年级（5）班");
            set(&mut form, field, &value);
            let (s, html, _) = post(&app, &path, &form).await;
            assert_eq!(s, Status::UnprocessableEntity, "{field}={value}");
            assert!(html.contains(text), "{field}: message {text}");
            assert!(html.contains("八年级（5）班"), "{field}: typed input kept");
            assert_eq!(app.count("observations").await, 0, "{field}: nothing saved");
        }
        app.logout().await;

        // The mentee attends the mentor's lesson: a demonstration or open lesson only.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let mut form = full_form(&r, &days_ago(1), 0.0);
        let (s, _, _) = post(&app, &path, &form).await;
        assert_eq!(
            s,
            Status::UnprocessableEntity,
            "a regular lesson is refused"
        );
        set(&mut form, "lesson_kind", "demonstration");
        let (s, _, _) = post(&app, &path, &form).await;
        assert_eq!(s, Status::SeeOther);
        let o = latest(&app).await.unwrap();
        assert_eq!((o.observer_id, o.observed_id), (w.mentee.id, w.mentor.id));
        assert_eq!(notices_of(&app, w.mentor_user.id, "obs-new").await, 1);
        app.logout().await;

        // Not in the pairing: another teacher, the schools' admins, the bureau.
        let other = app
            .teacher(&w.bureau_actor, w.urban.id, "王芳", "U009")
            .await;
        app.user(
            &w.bureau_actor,
            "other@tongxing.test",
            "teacher",
            None,
            Some(other.id),
        )
        .await;
        for who in [
            "other@tongxing.test",
            "urban@tongxing.test",
            "bureau@tongxing.test",
        ] {
            app.login(who, PASSWORD).await;
            let (s, _, _) = post(&app, &path, &full_form(&r, &days_ago(1), 0.0)).await;
            // A teacher outside the pairing does not see it (404, like a missing one); the
            // school admin and the bureau see it but may not record in it (403).
            let refused = if who == "other@tongxing.test" {
                Status::NotFound
            } else {
                Status::Forbidden
            };
            assert_eq!(s, refused, "{who}");
            assert_eq!(app.count("observations").await, 1, "{who}: nothing saved");
            app.logout().await;
        }
        // An unknown pairing is 404.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (s, _, _) = post(
            &app,
            "/teacher-pairings/999999/observations",
            &full_form(&r, &days_ago(1), 0.0),
        )
        .await;
        assert_eq!(s, Status::NotFound);
        // An ended pairing takes no new observations.
        app.db
            .execute_unprepared(&format!(
                "UPDATE teacher_pairings SET status = 'terminated' WHERE id = {pid}"
            ))
            .await
            .unwrap();
        let (s, _, _) = post(&app, &path, &full_form(&r, &days_ago(1), 0.0)).await;
        assert_eq!(s, Status::Conflict);
        assert_eq!(app.count("observations").await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn the_author_edits_until_the_reply_then_it_is_locked_and_only_the_bureau_deletes() {
    each_db(|app| async move {
        let (w, _y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        let r = classroom(&app).await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        post(&app, &format!("/teacher-pairings/{pid}/observations"), &full_form(&r, &days_ago(5), 0.0)).await;
        let o = latest(&app).await.unwrap();
        let edit = format!("/observations/{}", o.id);
        // An edit with the version it started from: saved, total recomputed.
        let mut form = full_form(&r, &days_ago(5), 20.0);
        form.push(("version".into(), o.version.to_string()));
        let (s, _, _) = post(&app, &edit, &form).await;
        assert_eq!(s, Status::SeeOther);
        let after = latest(&app).await.unwrap();
        assert_eq!((after.total_score, after.version), (80.0, o.version + 1));
        // The same form again carries the old version: refused, nothing changed.
        let (s, _, _) = post(&app, &edit, &form).await;
        assert_eq!(s, Status::Conflict);
        assert_eq!(latest(&app).await.unwrap(), after);
        app.logout().await;

        // The mentee may not edit it; the mentee replies with a comment; the mentor is told.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let mut form2 = full_form(&r, &days_ago(5), 0.0);
        form2.push(("version".into(), after.version.to_string()));
        let (s, _, _) = post(&app, &edit, &form2).await;
        assert_eq!(s, Status::Forbidden);
        let res = app
            .post_form(&format!("{edit}/comments"), &[("body", "谢谢师傅，我会改进分层设计。")])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(notices_of(&app, w.mentor_user.id, "obs-comment").await, 1);
        // An empty comment is refused.
        let res = app.post_form(&format!("{edit}/comments"), &[("body", "  ")]).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        app.logout().await;

        // Now locked for the author: page and post refused, row unchanged.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (s, _) = app.get_html(&format!("{edit}/edit")).await;
        assert_eq!(s, Status::Conflict);
        let (s, _, _) = post(&app, &edit, &form2).await;
        assert_eq!(s, Status::Conflict);
        assert_eq!(latest(&app).await.unwrap(), after);
        let (_, html) = app.get_html(&edit).await;
        assert!(html.contains("已锁定") && html.contains("我会改进分层设计"));
        // Only the bureau deletes.
        let res = app.post_form(&format!("{edit}/delete"), &[]).await;
        assert_eq!(res.status(), Status::Forbidden);
        assert_eq!(app.count("observations").await, 1);
        app.logout().await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, html) = app.get_html(&format!("{edit}/delete")).await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("一元一次方程的应用"));
        let res = app.post_form(&format!("{edit}/delete"), &[]).await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(app.count("observations").await, 0);
        assert_eq!(app.count("comments").await, 0);
        assert_eq!(
            app.count(&format!(
                "audit_log WHERE entity = 'observation' AND entity_id = {} AND action = 'delete' AND before LIKE '%一元一次方程的应用%'",
                o.id
            ))
            .await,
            1,
            "the audit log keeps the deleted row"
        );
        let res = app.post_form(&format!("{edit}/delete"), &[]).await;
        assert_eq!(res.status(), Status::NotFound);
    })
    .await;
}

#[rocket::async_test]
async fn reflections_with_comments_and_a_reflection_locks_its_observation() {
    each_db(|app| async move {
        let (w, y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        let r = classroom(&app).await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        post(
            &app,
            &format!("/teacher-pairings/{pid}/observations"),
            &full_form(&r, &days_ago(2), 0.0),
        )
        .await;
        let o = latest(&app).await.unwrap();
        // The mentor does not write reflections.
        let res = app
            .post_form(
                &format!("/teacher-pairings/{pid}/reflections"),
                &[("body", "x")],
            )
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        app.logout().await;

        app.login("mentee@tongxing.test", PASSWORD).await;
        let path = format!("/teacher-pairings/{pid}/reflections");
        // Empty text, or an observation of another pairing: refused, nothing saved.
        let res = app
            .post_form(&path, &[("title", "第一次反思"), ("body", " ")])
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap_or_default();
        assert!(html.contains("第一次反思"), "typed title kept");
        let other_t = app
            .teacher(&w.bureau_actor, w.urban.id, "王芳", "U009")
            .await;
        let other_m = app
            .teacher(&w.bureau_actor, w.rural.id, "陈静", "R009")
            .await;
        let other = tongxing::domain::teacher_pairings::create(
            &app.db,
            &w.bureau_actor,
            &crate::teacher_pairings::form(other_t.id, other_m.id, "数学", y),
        )
        .await
        .unwrap();
        let _ = other;
        let res = app
            .post_form(&path, &[("observation_id", "999999"), ("body", "反思")])
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert_eq!(app.count("reflections").await, 0);

        let body =
            "这节课我用新理念处理旧教材，尝试让学生自主学习、合作学习。\n不足：分层教学做得不够。";
        let oid = o.id.to_string();
        let res = app
            .post_form(&path, &[("observation_id", oid.as_str()), ("body", body)])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let refl = reflections::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(refl.observation_id, Some(o.id));
        assert_eq!(notices_of(&app, w.mentor_user.id, "refl-new").await, 1);
        let (s, html) = app.get_html(&format!("/reflections/{}", refl.id)).await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("这节课我用新理念处理旧教材"));
        app.logout().await;

        // The reflection is the observed teacher's reply: the observation is locked.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (s, _) = app.get_html(&format!("/observations/{}/edit", o.id)).await;
        assert_eq!(s, Status::Conflict);
        let res = app
            .post_form(
                &format!("/reflections/{}/comments", refl.id),
                &[("body", "分层可以从作业开始。")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(notices_of(&app, w.mentee_user.id, "refl-comment").await, 1);
        // The mentor does not edit the mentee's reflection.
        let version = tongxing::domain::reflections::version_of(&refl);
        let res = app
            .post_form(
                &format!("/reflections/{}", refl.id),
                &[("body", "改掉"), ("version", version.as_str())],
            )
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        app.logout().await;

        // Another teacher sees none of it.
        app.user(
            &w.bureau_actor,
            "other@tongxing.test",
            "teacher",
            None,
            Some(other_t.id),
        )
        .await;
        app.login("other@tongxing.test", PASSWORD).await;
        let (s, _) = app.get_html(&format!("/reflections/{}", refl.id)).await;
        assert_eq!(s, Status::NotFound, "hidden answers like missing");
        let (s, _) = app.get_html(&format!("/observations/{}", o.id)).await;
        assert_eq!(s, Status::NotFound);
        let res = app
            .post_form(
                &format!("/reflections/{}/comments", refl.id),
                &[("body", "路过")],
            )
            .await;
        assert_eq!(res.status(), Status::NotFound);
        // Exactly like ids that do not exist.
        for path in ["/reflections/999999", "/observations/999999"] {
            let (s, _) = app.get_html(path).await;
            assert_eq!(s, Status::NotFound, "{path}");
        }
        let (_, html) = app.get_html("/reflections").await;
        assert!(!html.contains("新理念"), "not in another teacher's list");
        app.logout().await;

        // The author edits; a stale save is refused and keeps the typed text.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(
                &format!("/reflections/{}", refl.id),
                &[("body", "修改后的反思"), ("version", version.as_str())],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let res = app
            .post_form(
                &format!("/reflections/{}", refl.id),
                &[("body", "第二次修改的文字"), ("version", version.as_str())],
            )
            .await;
        assert_eq!(res.status(), Status::Conflict);
        let html = res.into_string().await.unwrap_or_default();
        assert!(html.contains("第二次修改的文字"), "typed text kept");
        // Both texts: the saved one above the form, and the saved version in the form.
        assert!(
            html.contains("saved-version") && html.contains("修改后的反思"),
            "saved text shown"
        );
        assert!(html.contains(r#"name="version" value="2""#), "{html}");
        let now = reflections::Entity::find_by_id(refl.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.body, "修改后的反思");
        assert_eq!(now.version, 2);
        // Saving again from that page keeps the typed text on purpose.
        let res = app
            .post_form(
                &format!("/reflections/{}", refl.id),
                &[("body", "第二次修改的文字"), ("version", "2")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let now = reflections::Entity::find_by_id(refl.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((now.body.as_str(), now.version), ("第二次修改的文字", 3));
    })
    .await;
}

#[rocket::async_test]
async fn a_reflection_posted_after_the_session_expired_is_restored_after_signing_in() {
    each_db(|app| async move {
        let (w, _y, pid) = setup(&app).await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (s, _) = app
            .get_html(&format!("/teacher-pairings/{pid}/reflections/new"))
            .await;
        assert_eq!(s, Status::Ok);
        // Her session runs out of time on the server while she writes.
        let _ = &w;
        app.lapse_sessions().await;
        let long = "今天的课我尝试了分层教学。".repeat(300);
        let res = app
            .post_form(
                &format!("/teacher-pairings/{pid}/reflections"),
                &[("title", "分层教学的尝试"), ("body", long.as_str())],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let to = res
            .headers()
            .get_one("Location")
            .unwrap_or_default()
            .to_string();
        assert!(
            to.starts_with("/login?next=") && to.contains("kept=1"),
            "{to}"
        );
        assert_eq!(app.count("reflections").await, 0);
        assert_eq!(app.count("form_drafts").await, 1);
        let (_, html) = app.get_html(&to).await;
        assert!(
            html.contains("重新登录后会自动恢复"),
            "the login page says it was kept"
        );

        // Signing in again leads back to the form, with the text restored.
        assert_eq!(
            app.login("mentee@tongxing.test", PASSWORD).await,
            Status::SeeOther
        );
        let (s, html) = app
            .get_html(&format!("/teacher-pairings/{pid}/reflections/new"))
            .await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("已恢复") && html.contains("分层教学的尝试"));
        assert!(html.contains(&long), "the whole text is back");
        let res = app
            .post_form(
                &format!("/teacher-pairings/{pid}/reflections"),
                &[("title", "分层教学的尝试"), ("body", long.as_str())],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(app.count("reflections").await, 1);
        assert_eq!(app.count("form_drafts").await, 0, "forgotten once saved");
        let (_, html) = app
            .get_html(&format!("/teacher-pairings/{pid}/reflections/new"))
            .await;
        assert!(!html.contains("已恢复"), "not restored twice");
    })
    .await;
}

#[rocket::async_test]
async fn the_contact_log_takes_entries_from_the_pair_only() {
    each_db(|app| async move {
        let (_w, _y, pid) = setup(&app).await;
        let path = format!("/teacher-pairings/{pid}/contacts");
        let today = tongxing::domain::types::today().to_string();
        app.login("mentor@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(
                &path,
                &[
                    ("kind", "phone"),
                    ("contacted_on", today.as_str()),
                    ("summary", "电话交流备课思路"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        for bad in [
            vec![
                ("kind", "pigeon"),
                ("contacted_on", today.as_str()),
                ("summary", "x"),
            ],
            vec![
                ("kind", "sms"),
                ("contacted_on", "2999-01-01"),
                ("summary", "x"),
            ],
            vec![
                ("kind", "sms"),
                ("contacted_on", today.as_str()),
                ("summary", " "),
            ],
        ] {
            let res = app.post_form(&path, &bad).await;
            assert_eq!(
                res.status(),
                Status::SeeOther,
                "back to the page with a message"
            );
        }
        assert_eq!(app.count("contacts").await, 1, "bad entries are not saved");
        let (_, html) = app.get_html(&format!("/teacher-pairings/{pid}")).await;
        assert!(html.contains("电话交流备课思路") && html.contains("电话"));
        app.logout().await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(
                &path,
                &[
                    ("kind", "visit"),
                    ("contacted_on", today.as_str()),
                    ("summary", "走访"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        assert_eq!(app.count("contacts").await, 1);
    })
    .await;
}

#[rocket::async_test]
async fn editing_a_used_rubric_makes_a_new_version_and_the_observation_keeps_its_own() {
    each_db(|app| async move {
        let (w, _y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        let r = classroom(&app).await;
        let input = |name: &str| rubrics::RubricInput {
            name: name.into(),
            description: r.row.description.clone(),
            sections: r.def.sections.clone(),
            bands: r.def.bands.clone(),
        };
        // Not used yet: edited in place.
        let same = rubrics::update(
            &app.db,
            &w.bureau_actor,
            r.row.id,
            &input("课堂教学评价表（试行）"),
        )
        .await
        .unwrap();
        assert_eq!((same.row.id, same.row.version), (r.row.id, 1));
        // A teacher may not edit templates.
        let mentor = tongxing::domain::users::actor_of(&w.mentor_user);
        assert!(
            rubrics::update(&app.db, &mentor, r.row.id, &input("x"))
                .await
                .is_err()
        );

        app.login("mentor@tongxing.test", PASSWORD).await;
        post(
            &app,
            &format!("/teacher-pairings/{pid}/observations"),
            &full_form(&r, &days_ago(1), 0.0),
        )
        .await;
        let o = latest(&app).await.unwrap();
        // Used: the edit is version 2; version 1 stays for the observation.
        let mut changed = input("课堂教学评价表");
        changed.sections[0].items[0].name = "教学目标明确".into();
        let v2 = rubrics::update(&app.db, &w.bureau_actor, r.row.id, &changed)
            .await
            .unwrap();
        assert_ne!(v2.row.id, r.row.id);
        assert_eq!((v2.row.version, v2.row.code.as_str()), (2, "classroom-cn"));
        let v1 = rubrics::get(&app.db, r.row.id).await.unwrap();
        assert!(!v1.row.is_current && v2.row.is_current);
        assert_eq!(latest(&app).await.unwrap().rubric_id, o.rubric_id);
        let (_, html) = app.get_html(&format!("/observations/{}", o.id)).await;
        assert!(html.contains("v1") && !html.contains("教学目标明确"));
        // The old version is no longer offered, nor edited.
        let e = rubrics::update(&app.db, &w.bureau_actor, r.row.id, &changed).await;
        assert!(matches!(e, Err(tongxing::error::AppError::Conflict { .. })));
        let (_, html) = app
            .get_html(&format!("/teacher-pairings/{pid}/observations/new"))
            .await;
        assert!(html.contains("教学目标明确"));
        // Item ids carry over, so scores stay comparable.
        assert_eq!(
            v2.def.items().map(|i| i.id).collect::<Vec<_>>(),
            r.def.items().map(|i| i.id).collect::<Vec<_>>()
        );
    })
    .await;
}

#[rocket::async_test]
async fn the_api_records_reads_and_comments_with_spec_field_names() {
    each_db(|app| async move {
        use rocket::http::Method;
        use serde_json::json;
        let (w, _y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        let r = classroom(&app).await;
        let scores: serde_json::Map<String, serde_json::Value> = r
            .def
            .items()
            .map(|i| (i.id.to_string(), json!(i.scale.top())))
            .collect();
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (s, list) = app.api(Method::Get, "/api/v1/rubrics", None).await;
        assert_eq!(s, Status::Ok);
        assert_eq!(list.as_array().map(Vec::len), Some(2), "both shipped rubrics");
        let body = json!({
            "teacher_pairing_id": pid,
            "observed_on": days_ago(1),
            "grade_class": "七年级（2）班",
            "subject": "数学",
            "topic": "有理数的乘方",
            "lesson_kind": "regular",
            "mode": "remote",
            "recording_url": "https://example.cn/rec/1",
            "rubric_id": r.row.id,
            "scores": scores,
            "strengths": "思路清晰",
        });
        // A wrong observer: 422 on the field, nothing made.
        let mut wrong = body.clone();
        wrong["observer_id"] = json!(w.mentee.id);
        let (s, err) = app.api(Method::Post, "/api/v1/observations", Some(wrong)).await;
        assert_eq!(s, Status::UnprocessableEntity, "{err}");
        assert!(err["error"]["fields"]["observer_id"].is_array());
        // A score off the scale: 422 on scores.<id>.
        let mut off = body.clone();
        let first = r.def.items().next().unwrap().id.to_string();
        off["scores"][&first] = json!(99);
        let (s, err) = app.api(Method::Post, "/api/v1/observations", Some(off)).await;
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(err["error"]["fields"][format!("scores.{first}")].is_array(), "{err}");
        // A score that is neither a number nor a word: one clear message on scores.
        let mut odd = body.clone();
        odd["scores"][&first] = json!({"value": 5});
        let (s, err) = app.api(Method::Post, "/api/v1/observations", Some(odd)).await;
        assert_eq!(s, Status::UnprocessableEntity, "{err}");
        assert_eq!(
            err["error"]["fields"]["scores"],
            json!(["分数应为数字，或该项某一等级的名称。"]),
            "{err}"
        );
        assert_eq!(app.count("observations").await, 0);

        let (s, o) = app.api(Method::Post, "/api/v1/observations", Some(body)).await;
        assert_eq!(s, Status::Created, "{o}");
        assert_eq!(o["total_score"], 100.0);
        assert_eq!(o["band"], "优");
        assert_eq!(o["observer_id"], w.mentor.id);
        assert_eq!(o["mode"], "remote");
        let id = o["id"].as_i64().unwrap();
        // Edit with the version read; the same version again is stale.
        let mut edit = json!({
            "observed_on": days_ago(1), "grade_class": "七年级（2）班", "topic": "有理数的乘方（二）",
            "lesson_kind": "regular", "scores": o["scores"].clone(), "version": o["version"].clone()
        });
        let (s, e) = app.api(Method::Put, &format!("/api/v1/observations/{id}"), Some(edit.clone())).await;
        assert_eq!(s, Status::Ok, "{e}");
        assert_eq!(e["version"], 2);
        let (s, _) = app.api(Method::Put, &format!("/api/v1/observations/{id}"), Some(edit.clone())).await;
        assert_eq!(s, Status::Conflict);
        edit["version"] = json!(2);
        // The mentor may not delete it.
        let (s, _) = app.api(Method::Delete, &format!("/api/v1/observations/{id}"), None).await;
        assert_eq!(s, Status::Forbidden);
        app.logout().await;

        app.login("mentee@tongxing.test", PASSWORD).await;
        let (s, page) = app
            .api(Method::Get, &format!("/api/v1/observations?teacher_pairing_id={pid}"), None)
            .await;
        assert_eq!(s, Status::Ok);
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["total_score"], 100.0);
        let (s, _) = app.api(Method::Get, "/api/v1/observations?lesson_kind=lecture", None).await;
        assert_eq!(s, Status::UnprocessableEntity);
        // A term alone is that term of the current year; an unknown year matches nothing.
        let (s, page) = app.api(Method::Get, "/api/v1/observations?term=first", None).await;
        assert_eq!(s, Status::Ok, "{page}");
        assert!(page["total"].is_u64(), "{page}");
        let (s, page) = app
            .api(Method::Get, "/api/v1/observations?academic_year_id=999999", None)
            .await;
        assert_eq!(s, Status::Ok);
        assert_eq!(page["total"], 0);
        let (s, refl) = app
            .api(
                Method::Post,
                "/api/v1/reflections",
                Some(json!({"teacher_pairing_id": pid, "observation_id": id, "body": "课后反思：乘方的符号规律讲得不够透。"})),
            )
            .await;
        assert_eq!(s, Status::Created, "{refl}");
        let rid = refl["id"].as_i64().unwrap();
        assert_eq!(refl["author_id"], w.mentee_user.id);
        app.logout().await;

        // The reflection locked the observation; the mentor comments on the reflection.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (s, _) = app.api(Method::Put, &format!("/api/v1/observations/{id}"), Some(edit)).await;
        assert_eq!(s, Status::Conflict);
        let (s, c) = app
            .api(Method::Post, &format!("/api/v1/reflections/{rid}/comments"), Some(json!({"body": "可以用口诀帮助记忆。"})))
            .await;
        assert_eq!(s, Status::Created, "{c}");
        let (s, one) = app.api(Method::Get, &format!("/api/v1/reflections/{rid}"), None).await;
        assert_eq!(s, Status::Ok);
        assert_eq!(one["comments"][0]["body"], "可以用口诀帮助记忆。");
        assert_eq!(one["observation_id"], id);
        app.logout().await;

        // The bureau deletes; the reflection stays, unlinked.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, _) = app.api(Method::Delete, &format!("/api/v1/observations/{id}"), None).await;
        assert_eq!(s, Status::NoContent);
        let (_, one) = app.api(Method::Get, &format!("/api/v1/reflections/{rid}"), None).await;
        assert!(one["observation_id"].is_null(), "{one}");
    })
    .await;
}

/// A year around today: the first term began 60 days ago, the second begins in 60 days.
pub async fn year_around_today(app: &TestApp, w: &crate::common::World) -> i64 {
    let today = tongxing::domain::types::today();
    let start = today - chrono::Duration::days(60);
    let second = today + chrono::Duration::days(60);
    let end = today + chrono::Duration::days(200);
    let name = format!(
        "{}-{}",
        chrono::Datelike::year(&start),
        chrono::Datelike::year(&start) + 1
    );
    tongxing::domain::academic_years::create(
        &app.db,
        &w.bureau_actor,
        &tongxing::domain::academic_years::YearForm {
            name,
            starts_on: start.to_string(),
            second_term_starts_on: second.to_string(),
            ends_on: end.to_string(),
            is_current: "1".into(),
            secondments_planned: String::new(),
        },
    )
    .await
    .expect("year")
    .id
}

#[rocket::async_test]
async fn progress_against_the_term_targets_marks_a_pairing_behind() {
    each_db(|app| async move {
        use tongxing::domain::teacher_pairings as tp;
        let w = crate::common::world(&app).await;
        let y = year_around_today(&app, &w).await;
        let p = tp::create(
            &app.db,
            &w.bureau_actor,
            &crate::teacher_pairings::form(w.mentor.id, w.mentee.id, "数学", y),
        )
        .await
        .unwrap();
        tp::publish(
            &app.db,
            &w.bureau_actor,
            &[p.id],
            None,
            crate::common::ctx(),
        )
        .await
        .unwrap();
        began_days_ago(&app, p.id, 59).await;
        // Term 1 target: 4 observations (60 of 120 days gone: 2 expected by now).
        let mentor = tongxing::domain::users::actor_of(&w.mentor_user);
        let plan = tongxing::domain::work_plans::PlanForm {
            version: "0".into(),
            t1_observations: "4".into(),
            t2_observations: "4".into(),
            ..Default::default()
        };
        tongxing::domain::work_plans::save_plan(&app.db, &mentor, p.id, &plan)
            .await
            .unwrap()
            .expect("saved");
        let r = classroom(&app).await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        post(
            &app,
            &format!("/teacher-pairings/{}/observations", p.id),
            &full_form(&r, &days_ago(10), 0.0),
        )
        .await;
        let (_, html) = app.get_html(&format!("/teacher-pairings/{}", p.id)).await;
        assert!(html.contains("1 / 4"), "done / target shown");
        assert!(html.contains("进度落后"), "behind: 1 of 2 expected by now");
        let (_, home) = app.get_html("/").await;
        assert!(
            home.contains("听课 1/4") && home.contains("进度落后"),
            "on the teacher's home"
        );
        app.logout().await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let (_, home) = app.get_html("/").await;
        assert!(
            home.contains("听课 1/4") && home.contains("进度落后"),
            "on the school's home"
        );
        app.logout().await;

        // A second observation catches up.
        app.login("mentor@tongxing.test", PASSWORD).await;
        post(
            &app,
            &format!("/teacher-pairings/{}/observations", p.id),
            &full_form(&r, &days_ago(5), 0.0),
        )
        .await;
        let (_, html) = app.get_html(&format!("/teacher-pairings/{}", p.id)).await;
        assert!(
            html.contains("2 / 4") && !html.contains("进度落后"),
            "on track"
        );
        // The mentee attending a demonstration lesson counts apart.
        app.logout().await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let mut f = full_form(&r, &days_ago(3), 0.0);
        set(&mut f, "lesson_kind", "demonstration");
        post(
            &app,
            &format!("/teacher-pairings/{}/observations", p.id),
            &f,
        )
        .await;
        let seen = tp::get(&app.db, &w.bureau_actor, p.id).await.unwrap();
        let terms = tongxing::domain::progress::of_pairing(
            &app.db,
            &seen,
            tongxing::domain::types::today(),
        )
        .await
        .unwrap();
        let t1 = &terms[0];
        assert!(t1.is_current);
        let done: Vec<i64> = t1.measures.iter().map(|m| m.done).collect();
        assert_eq!(done, vec![2, 1, 0, 0]);
        assert_eq!(terms[1].measures[0].done, 0);
    })
    .await;
}

/// Every text of an SVG document: (y, font size, words).
fn svg_texts(svg: &str) -> Vec<(f64, f64, String)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut out = Vec::new();
    let mut open: Option<(f64, f64)> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "text" => {
                let attr = |name: &str| {
                    e.attributes()
                        .filter_map(Result::ok)
                        .find(|a| a.key.as_ref() == name)
                        .map(|a| a.value.parse::<f64>().unwrap_or(-1.0))
                        .unwrap_or(-1.0)
                };
                open = Some((attr("y"), attr("font-size")));
            }
            Ok(Event::Text(t)) => {
                if let Some((y, size)) = open.take() {
                    let words = t.as_ref().trim().to_string();
                    out.push((y, size, words));
                }
            }
            Ok(Event::End(_)) => open = None,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the SVG does not parse: {e}"),
        }
    }
    out
}

/// Every element of an SVG document (it must parse as XML): (name, attributes).
fn svg_elements(svg: &str) -> Vec<(String, Vec<(String, String)>)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(svg);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("attribute");
                        (a.key.as_ref().to_string(), a.value.to_string())
                    })
                    .collect();
                out.push((e.name().as_ref().to_string(), attrs));
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the SVG does not parse: {e}"),
        }
    }
    out
}

#[rocket::async_test]
async fn the_growth_chart_has_one_point_per_observation_and_first_against_last_term() {
    each_db(|app| async move {
        tongxing::demo::load(&app.db).await.expect("demo");
        let yao = tongxing::domain::users::find_by_email(&app.db, "yaochenglin@demo.tongxing.cn")
            .await
            .unwrap()
            .unwrap();
        let teacher = yao.teacher_id.unwrap();
        let observed = app
            .count(&format!("observations WHERE observed_id = {teacher}"))
            .await;
        assert!(observed >= 10);
        app.login(
            "yaochenglin@demo.tongxing.cn",
            tongxing::demo::DEMO_PASSWORD,
        )
        .await;
        let res = app
            .client
            .get(format!("/teachers/{teacher}/growth.svg"))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Ok);
        assert_eq!(res.content_type(), Some(rocket::http::ContentType::SVG));
        let svg = res.into_string().await.unwrap();
        let elements = svg_elements(&svg);
        assert_eq!(elements[0].0, "svg");
        assert!(
            elements[0]
                .1
                .iter()
                .any(|(k, v)| k == "width" && v == "100%"),
            "scales to a phone's width"
        );
        let dots = elements.iter().filter(|(n, _)| n == "circle").count() as i64;
        assert_eq!(dots, observed, "one point per observation");
        assert!(svg.contains("总分") && svg.contains("教学方法"), "legend");
        // Each month is labelled once, with its year where a year begins; the legend sits
        // below the plot and its labels, every word at least 12 units high.
        let texts = svg_texts(&svg);
        let months: Vec<&(f64, f64, String)> =
            texts.iter().filter(|(_, _, w)| w.ends_with('月')).collect();
        assert!(months.len() >= 3, "{texts:?}");
        let mut names: Vec<&str> = months.iter().map(|(_, _, w)| w.as_str()).collect();
        assert!(names[0].contains('年'), "the first month names its year: {names:?}");
        names.sort();
        names.dedup();
        assert_eq!(names.len(), months.len(), "no month labelled twice: {months:?}");
        let axis_bottom = months.iter().map(|(y, _, _)| *y).fold(0.0, f64::max);
        for key in ["总分", "教学方法"] {
            let (y, _, _) = texts.iter().find(|(_, _, w)| w == key).expect(key);
            assert!(*y > axis_bottom, "{key} below the plot: {y} > {axis_bottom}");
        }
        assert!(texts.iter().all(|(_, size, _)| *size >= 13.0), "{texts:?}");
        let bold = elements
            .iter()
            .filter(|(n, a)| {
                n == "text" && a.iter().any(|(k, v)| k == "font-weight" && v == "bold")
            })
            .count();
        assert_eq!(bold, 1, "the total stands out in the legend");
        // The page: first term against last, the chart inline.
        let (s, html) = app.get_html(&format!("/teachers/{teacher}/growth")).await;
        assert_eq!(s, Status::Ok);
        assert!(
            html.contains("2025—2026学年 第一学期")
                && html.contains("class=\"chart-narrow\"><svg")
                && html.contains("class=\"chart-wide\"><svg"),
            "drawn for a phone and for a wide screen: {html}"
        );
        assert!(html.contains("viewBox=\"0 0 320 ") && html.contains("viewBox=\"0 0 600 "));
        let g = tongxing::domain::growth::of_teacher(
            &app.db,
            &tongxing::domain::users::actor_of(&yao),
            teacher,
        )
        .await
        .unwrap();
        let (a, b) = (g.first_term.clone().unwrap(), g.last_term.clone().unwrap());
        assert_eq!((a.year.as_str(), a.term), ("2025-2026", 1));
        assert_eq!((b.year.as_str(), b.term), ("2026-2027", 1));
        assert!(g.change().unwrap() > 15.0, "{a:?} → {b:?}");
        app.logout().await;

        // A lesson observed by another mentor, in another pairing: the teacher sees it, her
        // mentor 王建华 does not.
        let other = app.teacher(&tongxing::domain::users::actor_of(
            &tongxing::domain::users::find_by_email(&app.db, "bureau@demo.tongxing.cn").await.unwrap().unwrap(),
        ), g.teacher.school_id, "另一位师傅", "X0001").await;
        app.db
            .execute_unprepared(&format!(
                "INSERT INTO teacher_pairings (mentor_id, mentee_id, subject, academic_year_id, status, plan, plan_version, created_at, updated_at) \
                 SELECT {}, {teacher}, '信息技术', academic_year_id, 'active', '{{}}', 0, created_at, updated_at FROM teacher_pairings WHERE mentee_id = {teacher} LIMIT 1",
                other.id
            ))
            .await
            .unwrap();
        app.db
            .execute_unprepared(&format!(
                "INSERT INTO observations (teacher_pairing_id, observer_id, observed_id, author_id, observed_on, grade_class, subject, topic, lesson_kind, mode, recording_url, rubric_id, scores, section_scores, total_score, band, strengths, suggestions, comment, version, created_at, updated_at) \
                 SELECT (SELECT MAX(id) FROM teacher_pairings), {}, observed_id, author_id, observed_on, grade_class, '信息技术', '另一位师傅听的课', lesson_kind, mode, recording_url, rubric_id, scores, section_scores, total_score, band, strengths, suggestions, comment, version, created_at, updated_at FROM observations WHERE observed_id = {teacher} LIMIT 1",
                other.id
            ))
            .await
            .unwrap();
        let own = tongxing::domain::growth::of_teacher(&app.db, &tongxing::domain::users::actor_of(&yao), teacher)
            .await
            .unwrap();
        assert_eq!(own.points.len() as i64, observed + 1, "her own chart has every lesson");
        let wang = tongxing::domain::users::find_by_email(&app.db, "wangjianhua@demo.tongxing.cn").await.unwrap().unwrap();
        let his = tongxing::domain::growth::of_teacher(&app.db, &tongxing::domain::users::actor_of(&wang), teacher)
            .await
            .unwrap();
        assert_eq!(his.points.len() as i64, observed, "the mentor sees his own pairings' lessons only");

        // Another school's admin may not see it; the mentor and the bureau may.
        for (email, ok) in [
            ("yizhong@demo.tongxing.cn", false),
            ("wangjianhua@demo.tongxing.cn", true),
            ("bureau@demo.tongxing.cn", true),
            ("sanyuan@demo.tongxing.cn", true),
        ] {
            app.login(email, tongxing::demo::DEMO_PASSWORD)
                .await;
            let (s, _) = app.get_html(&format!("/teachers/{teacher}/growth")).await;
            // Hidden answers exactly like a teacher that does not exist.
            let refused = if ok { Status::Ok } else { Status::NotFound };
            assert_eq!(s, refused, "{email}");
            app.logout().await;
        }
        app.login(
            "bureau@demo.tongxing.cn",
            tongxing::demo::DEMO_PASSWORD,
        )
        .await;
        let (s, _) = app.get_html("/teachers/999999/growth").await;
        assert_eq!(s, Status::NotFound);
    })
    .await;
}

/// No chart for nothing or for a single lesson: a sentence says what there is, then the
/// second lesson draws the chart.
#[rocket::async_test]
async fn one_observation_is_a_sentence_and_the_second_draws_the_chart() {
    each_db(|app| async move {
        let (w, _y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 60).await;
        let r = classroom(&app).await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let page = format!("/teachers/{}/growth", w.mentee.id);
        let (s, html) = app.get_html(&page).await;
        assert_eq!(s, Status::Ok);
        assert!(
            html.contains("还没有听课记录") && !html.contains("<svg"),
            "{html}"
        );
        app.logout().await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        let path = format!("/teacher-pairings/{pid}/observations");
        let (s, _, _) = post(&app, &path, &full_form(&r, &days_ago(40), 10.5)).await;
        assert_eq!(s, Status::SeeOther);
        let (_, html) = app.get_html(&page).await;
        assert!(
            html.contains("目前只有一次听课记录")
                && html.contains("总分 89.5")
                && !html.contains("<svg"),
            "{html}"
        );
        let (_, html) = app.get_html(&format!("{page}?lang=en")).await;
        assert!(
            html.contains("One observation so far") && html.contains("total 89.5"),
            "{html}"
        );
        let (s, _, _) = post(&app, &path, &full_form(&r, &days_ago(3), 5.0)).await;
        assert_eq!(s, Status::SeeOther);
        let (_, html) = app.get_html(&page).await;
        assert!(
            !html.contains("目前只有一次听课记录") && html.matches("<svg").count() == 2,
            "{html}"
        );
    })
    .await;
}

#[rocket::async_test]
async fn observation_and_reflection_lists_filter_and_export_exactly_the_rows_shown() {
    each_db(|app| async move {
        tongxing::demo::load(&app.db).await.expect("demo");
        let last_year = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                "SELECT id FROM academic_years WHERE name = '2025-2026'",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "id")
            .unwrap();
        app.login("bureau@demo.tongxing.cn", tongxing::demo::DEMO_PASSWORD)
            .await;
        for (query, rows) in [
            (String::new(), 12),
            (format!("year={last_year}"), 9),
            (format!("year={last_year}&term=first"), 5),
            (format!("year={last_year}&term=second"), 4),
            ("kind=demonstration".to_string(), 2),
            ("subject=%E8%AF%AD%E6%96%87".to_string(), 0),
        ] {
            let (s, html) = app.get_html(&format!("/observations?{query}")).await;
            assert_eq!(s, Status::Ok, "{query}");
            assert!(
                html.contains(&format!("共 {rows} 条")),
                "{query}: {rows} rows"
            );
            let res = app
                .client
                .get(format!("/observations/export.xlsx?{query}"))
                .dispatch()
                .await;
            assert_eq!(res.status(), Status::Ok);
            let bytes = res.into_bytes().await.unwrap();
            let sheet = crate::exports::sheet_rows(&bytes);
            assert_eq!(sheet.len(), rows + 1, "{query}: header + rows");
            assert_eq!(sheet[0][0], "听课日期");
        }
        let res = app.client.get("/reflections/export.xlsx").dispatch().await;
        let sheet = crate::exports::sheet_rows(&res.into_bytes().await.unwrap());
        assert_eq!(sheet.len(), 8);
        // Reflections by year and term: 2025–2026 has 6 (4 in the first term, 2 in the second).
        for (query, rows) in [
            (format!("year={last_year}"), 6),
            (format!("year={last_year}&term=first"), 4),
            (format!("year={last_year}&term=second"), 2),
        ] {
            let (_, html) = app.get_html(&format!("/reflections?{query}")).await;
            assert!(html.contains(&format!("共 {rows} 条")), "{query}: {rows}");
            let res = app
                .client
                .get(format!("/reflections/export.xlsx?{query}"))
                .dispatch()
                .await;
            let sheet = crate::exports::sheet_rows(&res.into_bytes().await.unwrap());
            assert_eq!(sheet.len(), rows + 1, "{query}");
        }
        assert!(
            sheet
                .iter()
                .any(|r| r.iter().any(|c| c.contains("用新理念处理旧教材")))
        );
        app.logout().await;
        // Another school's admin sees none of them, in the list or the file.
        app.login("yizhong@demo.tongxing.cn", tongxing::demo::DEMO_PASSWORD)
            .await;
        let (_, html) = app.get_html("/observations").await;
        assert!(
            html.contains("共 12 条"),
            "the supporting school sees its mentor's pairing"
        );
        app.logout().await;
        let b = app.bureau("b2@tongxing.test").await;
        let other = app
            .school(
                &tongxing::domain::users::actor_of(&b),
                "龙冲小学",
                "9999999999",
                "rural",
            )
            .await;
        app.user(
            &tongxing::domain::users::actor_of(&b),
            "lc@tongxing.test",
            "school_admin",
            Some(other.id),
            None,
        )
        .await;
        app.login("lc@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/observations").await;
        assert!(html.contains("共 0 条"));
        let res = app.client.get("/observations/export.xlsx").dispatch().await;
        let sheet = crate::exports::sheet_rows(&res.into_bytes().await.unwrap());
        assert_eq!(sheet.len(), 1, "only the header");
    })
    .await;
}

#[rocket::async_test]
async fn the_bureau_writes_rubrics_on_a_page_and_teachers_may_not() {
    each_db(|app| async move {
        let (_w, _y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, html) = app.get_html("/rubrics/new").await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("s0_i0_name") && html.contains("b0_label"));
        let base: Vec<(&str, &str)> = vec![
            ("name", "说课评价表"),
            ("s0_name", "教学设计"),
            ("s0_i0_name", "目标清楚"),
            ("s0_i0_weight", "60"),
            ("s0_i0_kind", "points"),
            ("s0_i0_max", "10"),
            ("s0_i1_name", "氛围"),
            ("s0_i1_weight", "40"),
            ("s0_i1_kind", "levels"),
            ("s0_i1_levels", "1|一般|\n2|好|互动充分"),
            ("b0_label", "好"),
            ("b0_min", "80"),
            ("b1_label", "一般"),
            ("b1_min", "0"),
        ];
        // A weight that is not a number: the form comes back as typed, nothing saved.
        let mut bad = base.clone();
        bad[3] = ("s0_i0_weight", "六十");
        let n = app.count("rubrics").await;
        let res = app.post_form("/rubrics", &bad).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap_or_default();
        assert!(
            html.contains("六十") && html.contains("说课评价表") && html.contains("请填写数字")
        );
        assert_eq!(app.count("rubrics").await, n);
        // No band at 0: refused.
        let mut no_zero = base.clone();
        no_zero[13] = ("b1_min", "10");
        let res = app.post_form("/rubrics", &no_zero).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert_eq!(app.count("rubrics").await, n);
        let res = app.post_form("/rubrics", &base).await;
        assert_eq!(res.status(), Status::SeeOther);
        let row = rubric_rows::Entity::find()
            .filter(rubric_rows::Column::Name.eq("说课评价表"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("created");
        let r = Rubric::of(row).unwrap();
        assert_eq!(r.def.items().count(), 2);
        assert_eq!(r.def.items().nth(1).unwrap().scale.levels().len(), 2);
        let (_, html) = app.get_html(&format!("/rubrics/{}/edit", r.row.id)).await;
        assert!(html.contains("目标清楚") && html.contains("2|好|互动充分"));
        app.logout().await;

        // A teacher scores a lesson with it; then the bureau's edit makes version 2.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (_, html) = app
            .get_html(&format!(
                "/teacher-pairings/{pid}/observations/new?rubric={}",
                r.row.id
            ))
            .await;
        assert!(html.contains("说课评价表"));
        let ids: Vec<String> = r.def.items().map(|i| i.id.to_string()).collect();
        let mut form = full_form(&classroom(&app).await, &days_ago(1), 0.0);
        form.retain(|(k, _)| !k.starts_with("score_"));
        set(&mut form, "rubric_id", &r.row.id.to_string());
        form.push((format!("score_{}", ids[0]), "8".into()));
        form.push((format!("score_{}", ids[1]), "2".into()));
        let (s, _, _) = post(
            &app,
            &format!("/teacher-pairings/{pid}/observations"),
            &form,
        )
        .await;
        assert_eq!(s, Status::SeeOther);
        // 60 × 0.8 + 40 × 1 = 88: 好.
        let o = latest(&app).await.unwrap();
        assert_eq!((o.total_score, o.band.as_str()), (88.0, "好"));
        // Teachers may not write templates.
        let res = app.post_form("/rubrics", &base).await;
        assert_eq!(res.status(), Status::Forbidden);
        let (s, _) = app.get_html("/rubrics/new").await;
        assert_eq!(s, Status::Forbidden);
        let res = app
            .post_form(&format!("/rubrics/{}/active/false", r.row.id), &[])
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        app.logout().await;

        app.login("bureau@tongxing.test", PASSWORD).await;
        let mut edited: Vec<(String, String)> = base
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        edited.push(("s0_id".into(), r.def.sections[0].id.to_string()));
        edited.push(("s0_i0_id".into(), ids[0].clone()));
        edited.push(("s0_i1_id".into(), ids[1].clone()));
        set(&mut edited, "s0_i0_name", "目标清楚、可检测");
        let pairs: Vec<(&str, &str)> = edited
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let res = app
            .post_form(&format!("/rubrics/{}", r.row.id), &pairs)
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let v2 = rubric_rows::Entity::find()
            .filter(rubric_rows::Column::Code.eq(r.row.code.clone()))
            .filter(rubric_rows::Column::Version.eq(2))
            .one(&app.db)
            .await
            .unwrap()
            .expect("version 2");
        assert!(v2.is_current);
        assert_eq!(
            latest(&app).await.unwrap().rubric_id,
            r.row.id,
            "the observation keeps v1"
        );
        // Retired: no longer offered for new observations.
        let res = app
            .post_form(&format!("/rubrics/{}/active/false", v2.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        app.logout().await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (_, html) = app
            .get_html(&format!(
                "/teacher-pairings/{pid}/observations/new?rubric={}",
                v2.id
            ))
            .await;
        assert!(
            !html.contains("说课评价表"),
            "a retired rubric is not offered"
        );
        set(&mut form, "rubric_id", &v2.id.to_string());
        let (s, _, _) = post(
            &app,
            &format!("/teacher-pairings/{pid}/observations"),
            &form,
        )
        .await;
        assert_eq!(s, Status::UnprocessableEntity, "nor accepted");
    })
    .await;
}

#[rocket::async_test]
async fn an_ended_pairings_observations_are_no_longer_edited() {
    each_db(|app| async move {
        let (w, _y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        let r = classroom(&app).await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        post(
            &app,
            &format!("/teacher-pairings/{pid}/observations"),
            &full_form(&r, &days_ago(3), 0.0),
        )
        .await;
        let o = latest(&app).await.unwrap();
        tongxing::domain::teacher_pairings::terminate(
            &app.db,
            &w.bureau_actor,
            pid,
            "调动",
            crate::common::ctx(),
        )
        .await
        .unwrap();
        let mut form = full_form(&r, &days_ago(3), 10.0);
        form.push(("version".into(), o.version.to_string()));
        let (s, _, _) = post(&app, &format!("/observations/{}", o.id), &form).await;
        assert_eq!(s, Status::Conflict);
        assert_eq!(latest(&app).await.unwrap(), o, "unchanged");
        // The forms for new records and for edits say so before anything is typed, and the
        // ended pairing's page offers none of them.
        for path in [
            format!("/teacher-pairings/{pid}/observations/new"),
            format!("/observations/{}/edit", o.id),
        ] {
            let (status, _) = app.get_html(&path).await;
            assert_eq!(status, Status::Conflict, "{path}");
        }
        let (_, html) = app.get_html(&format!("/teacher-pairings/{pid}")).await;
        assert!(!html.contains(&format!("/teacher-pairings/{pid}/observations/new")));
        app.logout().await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (status, _) = app
            .get_html(&format!("/teacher-pairings/{pid}/reflections/new"))
            .await;
        assert_eq!(status, Status::Conflict);
        let (_, html) = app.get_html(&format!("/observations/{}", o.id)).await;
        assert!(!html.contains("/reflections/new"), "no reflection offered");
    })
    .await;
}

#[rocket::async_test]
async fn a_second_click_or_a_retried_send_makes_nothing_twice() {
    each_db(|app| async move {
        use rocket::http::Method;
        use serde_json::json;
        let (w, _y, pid) = setup(&app).await;
        began_days_ago(&app, pid, 30).await;
        let r = classroom(&app).await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        // The form carries a one-time key; the same form sent twice records one lesson.
        let (_, html) = app.get_html(&format!("/teacher-pairings/{pid}/observations/new")).await;
        let key = regex::Regex::new(r#"name="idempotency_key" value="([^"]+)""#)
            .unwrap()
            .captures(&html)
            .map(|c| c[1].to_string())
            .expect("a key in the form");
        let mut form = full_form(&r, &days_ago(1), 0.0);
        form.push(("idempotency_key".into(), key.clone()));
        let (s1, _, to1) = post(&app, &format!("/teacher-pairings/{pid}/observations"), &form).await;
        let (s2, _, to2) = post(&app, &format!("/teacher-pairings/{pid}/observations"), &form).await;
        assert_eq!((s1, s2), (Status::SeeOther, Status::SeeOther));
        assert_eq!(to1, to2, "both lead to the same record");
        assert_eq!(app.count("observations").await, 1);
        assert_eq!(notices_of(&app, w.mentee_user.id, "obs-new").await, 1, "told once");
        // A key refused with the form (422) is not used up.
        let mut bad = full_form(&r, &days_ago(-1), 0.0);
        bad.push(("idempotency_key".into(), "k-refused".into()));
        let (s, html, _) = post(&app, &format!("/teacher-pairings/{pid}/observations"), &bad).await;
        assert_eq!(s, Status::UnprocessableEntity);
        assert!(html.contains("k-refused"), "the form keeps its key");
        set(&mut bad, "observed_on", &days_ago(1));
        let (s, _, _) = post(&app, &format!("/teacher-pairings/{pid}/observations"), &bad).await;
        assert_eq!(s, Status::SeeOther);
        assert_eq!(app.count("observations").await, 2);
        app.logout().await;

        // The API: a retried send answers the same reflection.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let body = json!({"teacher_pairing_id": pid, "body": "离线写好的反思", "idempotency_key": "offline-1"});
        let (s1, a) = app.api(Method::Post, "/api/v1/reflections", Some(body.clone())).await;
        let (s2, b) = app.api(Method::Post, "/api/v1/reflections", Some(body)).await;
        assert_eq!((s1, s2), (Status::Created, Status::Created));
        assert_eq!(a["id"], b["id"]);
        assert_eq!(app.count("reflections").await, 1);
        assert_eq!(notices_of(&app, w.mentor_user.id, "refl-new").await, 1);
        app.logout().await;
        // Keys belong to their user: another teacher sending the same key is neither answered
        // with her reflection nor blocked by it — his request is judged on its own (he does
        // not see this pairing: 404, as if it did not exist).
        let other = app.teacher(&w.bureau_actor, w.urban.id, "王芳", "U009").await;
        app.user(&w.bureau_actor, "other@tongxing.test", "teacher", None, Some(other.id)).await;
        app.login("other@tongxing.test", PASSWORD).await;
        let (s, body) = app
            .api(
                Method::Post,
                "/api/v1/reflections",
                Some(json!({"teacher_pairing_id": pid, "body": "x", "idempotency_key": "offline-1"})),
            )
            .await;
        assert_eq!(s, Status::NotFound, "{body}");
        assert_eq!(app.count("reflections").await, 1);
    })
    .await;
}

/// Paragraphs survive (issue 11 item 1): a three-paragraph reflection shows its paragraphs
/// on the page (the text in a `pre` element, which the stylesheet wraps as typed) and in
/// the export (a cell of several lines, formatted to wrap).
#[rocket::async_test]
async fn paragraphs_are_kept_on_pages_and_in_exports() {
    use std::io::Read;
    use tongxing::domain::reflections as refl;
    each_db(|app| async move {
        let (w, _y, pid) = setup(&app).await;
        let mentee = tongxing::domain::users::actor_of(&w.mentee_user);
        let text = "第一段：导入。\n\n第二段：探究。\n\n第三段：小结。";
        let r = refl::create(
            &app.db,
            &mentee,
            pid,
            &refl::ReflectionForm {
                title: "课后反思".into(),
                body: text.into(),
                ..Default::default()
            },
            crate::common::ctx(),
        )
        .await
        .expect("reflection");
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (s, html) = app.get_html(&format!("/reflections/{}", r.id)).await;
        assert_eq!(s, Status::Ok);
        assert!(
            html.contains(&format!("<p class=\"pre\">{text}</p>")),
            "{html}"
        );
        let css = app
            .client
            .get("/static/app.css")
            .dispatch()
            .await
            .into_string()
            .await
            .unwrap();
        assert!(
            css.contains(".pre{white-space:pre-wrap"),
            "the rule that keeps them"
        );

        app.logout().await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let res = app.client.get("/reflections/export.xlsx").dispatch().await;
        assert_eq!(res.status(), Status::Ok);
        let bytes = res.into_bytes().await.unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut read = |name: &str| {
            let mut out = String::new();
            zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
            out
        };
        let sheet = read("xl/worksheets/sheet1.xml");
        let styles = read("xl/styles.xml");
        assert!(
            sheet.contains("第一段：导入。\n\n第二段：探究。\n\n第三段：小结。")
                || read("xl/sharedStrings.xml").contains("第一段：导入。\n\n第二段：探究。"),
            "the lines are in the cell"
        );
        assert!(styles.contains("wrapText=\"1\""), "{styles}");
    })
    .await;
}
