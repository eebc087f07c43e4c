//! The bureau's settings, audit log and failed-mail pages; everyone's notifications and
//! the unread badge.
use chrono::Utc;
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use tongxing::domain::schools::{self, SchoolForm};
use tongxing::domain::settings;
use tongxing::entities::{notifications, outbox};

use crate::common::{PASSWORD, TestApp, each_db, world};

#[rocket::async_test]
async fn settings_are_validated_and_saved() {
    each_db(|app| async move {
        let _w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/settings").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("value=\"2\"") && html.contains("value=\"20\""));
        assert!(html.contains("每位师傅的徒弟数"));

        let bad = [
            ("max_receivers_per_supporter", "99"),
            ("max_mentees_per_mentor", "abc"),
            ("excellent_quota_percent", "30"),
        ];
        let res = app.post_form("/settings", &bad).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("请输入 1 到 20 之间的整数"));
        assert!(html.contains("请输入整数"));
        assert!(
            html.contains("value=\"99\"") && html.contains("value=\"abc\""),
            "typed input kept"
        );
        assert_eq!(app.count("settings").await, 0, "nothing saved");
        assert_eq!(
            settings::load(&app.db).await.unwrap(),
            settings::Settings::default()
        );

        let good = [
            ("max_receivers_per_supporter", "3"),
            ("max_mentees_per_mentor", "4"),
            ("excellent_quota_percent", "25"),
        ];
        let res = app.post_form("/settings", &good).await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app.get_html("/settings").await;
        assert!(
            html.contains("已保存") || html.contains("flash"),
            "flash shown"
        );
        let s = settings::load(&app.db).await.unwrap();
        assert_eq!(
            (
                s.max_receivers_per_supporter,
                s.max_mentees_per_mentor,
                s.excellent_quota_percent
            ),
            (3, 4, 25)
        );
        let (_, html) = app.get_html("/settings?lang=en").await;
        assert!(html.contains("Mentees per mentor") && html.contains("value=\"4\""));
        app.logout().await;

        for email in ["urban@tongxing.test", "mentor@tongxing.test"] {
            app.login(email, PASSWORD).await;
            let (status, html) = app.get_html("/settings").await;
            assert_eq!(status, Status::Forbidden, "{email}");
            assert!(
                !html.contains("href=\"/settings\""),
                "no nav link for {email}"
            );
            let res = app
                .post_form("/settings", &bad.map(|(k, _)| (k, "1")))
                .await;
            assert_eq!(res.status(), Status::Forbidden);
            assert_eq!(
                settings::load(&app.db).await.unwrap(),
                s,
                "{email}: unchanged"
            );
            app.logout().await;
        }
    })
    .await;
}

fn rows_in(html: &str, class: &str) -> usize {
    html.matches(&format!("class=\"{class}\"")).count()
}

#[rocket::async_test]
async fn audit_log_filters_by_entity_actor_and_date() {
    each_db(|app| async move {
        let w = world(&app).await;
        // The urban admin edits their school, writing markup into a field.
        let urban_actor = tongxing::domain::users::actor_of(&w.urban_admin);
        let mut form = SchoolForm::from_model(&w.urban);
        form.principal = "<script>alert(1)</script>".into();
        schools::update(&app.db, &urban_actor, w.urban.id, &form)
            .await
            .unwrap();
        let saved = settings::SettingsForm {
            max_receivers_per_supporter: "5".into(),
            max_mentees_per_mentor: "2".into(),
            excellent_quota_percent: "20".into(),
            ..Default::default()
        };
        settings::save(&app.db, &w.bureau_actor, &saved)
            .await
            .unwrap();

        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/audit").await;
        assert_eq!(status, Status::Ok);
        let total = app.count("audit_log").await as usize;
        assert!(total >= 8 && rows_in(&html, "audit-row") == total.min(20));
        assert!(
            html.contains("<option value=\"settings\""),
            "entities in use"
        );

        let (_, html) = app.get_html("/audit?entity=settings").await;
        assert_eq!(rows_in(&html, "audit-row"), 1);
        assert!(
            html.contains(
                "<span class=\"key\">每所支援学校可帮扶的学校数</span>：<del>2</del> → <ins>5</ins>"
            ),
            "{html}"
        );
        assert!(
            !html.contains("每位师傅的徒弟数"),
            "unchanged fields hidden"
        );

        let (_, html) = app.get_html("/audit?actor=urban").await;
        assert_eq!(rows_in(&html, "audit-row"), 1, "by e-mail text");
        assert!(html.contains("alert(1)"), "the change is shown, escaped");
        assert!(!html.contains("<script>alert"));
        assert!(html.contains(&format!("href=\"/schools/{}\"", w.urban.id)));
        let (_, html) = app
            .get_html(&format!("/audit?actor={}&entity=school", w.urban_admin.id))
            .await;
        assert_eq!(rows_in(&html, "audit-row"), 1, "by id");
        let (_, html) = app
            .get_html(&format!("/audit?entity=school&entity_id={}", w.rural.id))
            .await;
        assert_eq!(rows_in(&html, "audit-row"), 1, "by entity id");

        let today = Utc::now().date_naive();
        let tomorrow = today.succ_opt().unwrap();
        let yesterday = today.pred_opt().unwrap();
        let (_, html) = app.get_html(&format!("/audit?from={tomorrow}")).await;
        assert_eq!(rows_in(&html, "audit-row"), 0);
        let (_, html) = app.get_html(&format!("/audit?to={yesterday}")).await;
        assert_eq!(rows_in(&html, "audit-row"), 0);
        let (_, html) = app
            .get_html(&format!("/audit?from={today}&to={today}&entity=settings"))
            .await;
        assert_eq!(rows_in(&html, "audit-row"), 1);
        let (_, html) = app.get_html("/audit?entity=settings&lang=en").await;
        assert!(html.contains("Audit log") && html.contains("Changes"));
        assert!(
            text_of(&html).contains("教育局管理员 changed the settings")
                && html.contains(">Settings<"),
            "words translated"
        );
        app.logout().await;

        for email in ["urban@tongxing.test", "mentor@tongxing.test"] {
            app.login(email, PASSWORD).await;
            let (status, _) = app.get_html("/audit").await;
            assert_eq!(status, Status::Forbidden, "{email}");
            app.logout().await;
        }
    })
    .await;
}

/// The page's text without its markup (entities as written).
fn text_of(html: &str) -> String {
    let tags = regex::Regex::new(r"<[^>]*>").expect("regex");
    tags.replace_all(html, "").to_string()
}

/// The audit table of a page.
fn audit_table(html: &str) -> &str {
    let start = html
        .find("<table class=\"list audit\">")
        .expect("the audit table");
    let end = html[start..].find("</table>").expect("end of table") + start;
    &html[start..end]
}

/// The bureau reads who did what to which record in words (issue 11 item 4): names with
/// links instead of ids, the action as a sentence in the reader's language, changed fields
/// by their labels with values in words, never JSON or column names, the time to the
/// second in local time.
#[rocket::async_test]
async fn the_audit_log_reads_as_sentences_with_names_in_both_languages() {
    use crate::observations::{began_days_ago, classroom, days_ago, full_form, post};
    use tongxing::entities::{audit_log, observations};
    each_db(|app| async move {
        // 李明 → 姚成琳, created and published by the bureau.
        let (w, _year, pid) = crate::teacher_pairings::setup(&app).await;
        let urban_actor = tongxing::domain::users::actor_of(&w.urban_admin);
        let mut form = SchoolForm::from_model(&w.urban);
        form.principal = "周校长".into();
        schools::update(&app.db, &urban_actor, w.urban.id, &form)
            .await
            .unwrap();
        let saved = settings::SettingsForm {
            max_receivers_per_supporter: "5".into(),
            max_mentees_per_mentor: "2".into(),
            excellent_quota_percent: "20".into(),
            ..Default::default()
        };
        settings::save(&app.db, &w.bureau_actor, &saved)
            .await
            .unwrap();
        // The mentor records a lesson; the bureau deletes the record.
        began_days_ago(&app, pid, 30).await;
        let r = classroom(&app).await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        let lesson_day = days_ago(5);
        post(
            &app,
            &format!("/teacher-pairings/{pid}/observations"),
            &full_form(&r, &lesson_day, 0.0),
        )
        .await;
        let o = observations::Entity::find()
            .one(&app.db)
            .await
            .unwrap()
            .expect("observation");
        app.logout().await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(&format!("/observations/{}/delete", o.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);

        let (status, zh) = app.get_html("/audit").await;
        assert_eq!(status, Status::Ok);
        let table = audit_table(&zh);
        let text = text_of(table);
        // Who did what to which record, by name, with links.
        for sentence in [
            "教育局管理员 新建了师徒结对 李明 → 姚成琳",
            "教育局管理员 发布了师徒结对 李明 → 姚成琳",
            "urban 修改了学校 连州市实验学校",
            "教育局管理员 修改了设置",
            "mentor 新建了听课记录 “一元一次方程的应用”",
            "教育局管理员 删除了听课记录 “一元一次方程的应用”",
        ] {
            assert!(text.contains(sentence), "{sentence} in {text}");
        }
        let date_zh = {
            let d: chrono::NaiveDate = lesson_day.parse().unwrap();
            d.format("%Y年%-m月%-d日").to_string()
        };
        assert!(text.contains(&format!("“一元一次方程的应用”（{date_zh}）")));
        assert!(table.contains(&format!(
            "<a href=\"/users/{}/edit\">教育局管理员</a> 发布了师徒结对 <a href=\"/teacher-pairings/{pid}\">李明 → 姚成琳</a>",
            w.bureau.id
        )));
        assert!(table.contains(&format!(
            "<a href=\"/schools/{}\">连州市实验学校</a>",
            w.urban.id
        )));
        assert!(table.contains("<a href=\"/settings\">设置</a>"));
        assert!(
            !table.contains(&format!("href=\"/observations/{}\"", o.id)),
            "no link to a deleted record"
        );
        // Changes by their labels, values in words; related records by name.
        for change in [
            "状态：草稿 → 进行中",
            "师傅：李明",
            "徒弟：姚成琳",
            "校长：— → 周校长",
            "每所支援学校可帮扶的学校数：2 → 5",
            "课题：一元一次方程的应用",
            "授课教师：姚成琳",
            "方式：现场听课",
            "学年：2026—2027学年",
        ] {
            assert!(text.contains(change), "{change} in {text}");
        }
        // No ids, JSON or column names.
        for raw in [
            "(#",
            "{",
            "}",
            "\"status\"",
            "draft",
            "principal",
            "max_receivers_per_supporter",
            "mentor_id",
            "observed_id",
            "teacher_pairing_id",
            "published_at",
            "is_active",
            "onsite",
            "<code>",
        ] {
            assert!(!table.contains(raw), "{raw} on the page: {table}");
        }
        // To the second, in local time (UTC+8).
        let newest = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("delete"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("the delete entry");
        let local = newest
            .created_at
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
        assert!(
            text.contains(&local.format("%Y年%-m月%-d日 %H:%M:%S").to_string()),
            "{text}"
        );

        // The same in English.
        let (_, en) = app.get_html("/audit?lang=en").await;
        let table = audit_table(&en);
        let text = text_of(table);
        for line in [
            "教育局管理员 created the teacher pairing 李明 → 姚成琳",
            "教育局管理员 published the teacher pairing 李明 → 姚成琳",
            "urban changed the school 连州市实验学校",
            "教育局管理员 changed the settings",
            "mentor created the observation “一元一次方程的应用”",
            "教育局管理员 deleted the observation “一元一次方程的应用”",
            "Status: Draft → Active",
            "Mentor: 李明",
            "Principal: — → 周校长",
            "Schools one supporting school may support: 2 → 5",
            "Teacher observed: 姚成琳",
            "How: On site",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
        let date_en = {
            let d: chrono::NaiveDate = lesson_day.parse().unwrap();
            d.format("%-d %b %Y").to_string()
        };
        assert!(text.contains(&format!("“一元一次方程的应用” ({date_en})")));
        assert!(text.contains(&local.format("%-d %b %Y %H:%M:%S").to_string()));
        for raw in ["{", "}", "draft", "principal", "mentor_id", "新建了", "状态"] {
            assert!(!table.contains(raw), "{raw} on the English page");
        }
    })
    .await;
}

/// Every action and entity word the code writes to the log has its words in both
/// catalogues: a sentence per action, a label and a noun per entity.
#[test]
fn every_audit_word_written_reads_in_both_languages() {
    use tongxing::domain::audit::{ACTIONS, ENTITIES};
    use tongxing::domain::pairing_lifecycle::Action;
    let root = env!("CARGO_MANIFEST_DIR");
    let call = regex::Regex::new(r"audit::(?:record|note)(?:::<[^>]*>)?\(").expect("regex");
    let chosen = regex::Regex::new(r"let action = if[^;]*;").expect("regex");
    let constant = regex::Regex::new(r#"const (?:ENTITY|AUDIT): &(?:'static )?str = "([^"]*)""#)
        .expect("regex");
    let literal = regex::Regex::new(r#""([^"\\]*)""#).expect("regex");
    let mut paths = Vec::new();
    crate::i18n::files(&format!("{root}/src"), &mut paths);
    let mut written: Vec<(String, String)> = Vec::new();
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let file = path.display().to_string();
        let mut pieces: Vec<&str> = Vec::new();
        for m in call.find_iter(&text) {
            // The call's arguments, to its closing parenthesis.
            let rest = &text[m.end()..];
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map(|(i, _)| i)
                .expect("the call ends");
            pieces.push(&rest[..end]);
        }
        if !pieces.is_empty() {
            pieces.extend(chosen.find_iter(&text).map(|m| m.as_str()));
        }
        for piece in pieces {
            for cap in literal.captures_iter(piece) {
                written.push((file.clone(), cap[1].to_string()));
            }
        }
        for cap in constant.captures_iter(&text) {
            written.push((file.clone(), cap[1].to_string()));
        }
    }
    for step in [
        Action::Publish,
        Action::RequestTermination,
        Action::RejectRequest,
        Action::Terminate,
        Action::Complete,
        Action::RecordEndReason,
    ] {
        written.push(("pairing_lifecycle".into(), step.audit_word().to_string()));
    }
    assert!(written.len() > 60, "the calls were found: {written:?}");
    let unlisted: Vec<_> = written
        .iter()
        .filter(|(_, w)| !ACTIONS.contains(&w.as_str()) && !ENTITIES.contains(&w.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "audit words missing from audit::ACTIONS/ENTITIES: {unlisted:?}"
    );
    let zh = crate::i18n::keys(&format!("{root}/locales/zh-CN/main.ftl"));
    let en = crate::i18n::keys(&format!("{root}/locales/en/main.ftl"));
    let mut missing = Vec::new();
    let keys = ACTIONS
        .iter()
        .map(|a| format!("audit-did-{a}"))
        .chain(ENTITIES.iter().map(|e| format!("audit-entity-{e}")))
        .chain(ENTITIES.iter().map(|e| format!("audit-what-{e}")));
    for key in keys {
        for (lang, known) in [("zh-CN", &zh), ("en", &en)] {
            if !known.contains(&key) {
                missing.push(format!("{lang}: {key}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing from the catalogues: {missing:?}"
    );
}

/// Every column of every audited record either reads under a label both catalogues have
/// or is deliberately not shown: no column name ever reaches the page.
#[test]
fn every_audited_field_has_a_label_in_both_languages() {
    use sea_orm::{IdenStatic, Iterable};
    use tongxing::domain::audit_view::{As, fields_of};
    use tongxing::entities as e;
    fn columns<C: Iterable + IdenStatic>() -> Vec<String> {
        C::iter().map(|c| c.as_str().to_string()).collect()
    }
    fn keys_of(v: serde_json::Value) -> Vec<String> {
        let serde_json::Value::Object(map) = v else {
            return Vec::new();
        };
        map.into_iter()
            .flat_map(|(k, v)| match v {
                serde_json::Value::Object(inner) => {
                    inner.keys().map(|i| format!("{k}.{i}")).collect::<Vec<_>>()
                }
                _ => vec![k],
            })
            .collect()
    }
    let cases: Vec<(&str, &str, Vec<String>)> = vec![
        ("school", "update", columns::<e::schools::Column>()),
        ("teacher", "update", columns::<e::teachers::Column>()),
        ("user", "update", columns::<e::users::Column>()),
        (
            "academic_year",
            "update",
            columns::<e::academic_years::Column>(),
        ),
        ("rubric", "new_version", columns::<e::rubrics::Column>()),
        (
            "observation",
            "update",
            columns::<e::observations::Column>(),
        ),
        ("reflection", "update", columns::<e::reflections::Column>()),
        ("contact", "create", columns::<e::contacts::Column>()),
        ("secondment", "update", columns::<e::secondments::Column>()),
        (
            "teacher_pairing",
            "publish",
            columns::<e::teacher_pairings::Column>(),
        ),
        (
            "school_pairing",
            "publish",
            columns::<e::school_pairings::Column>(),
        ),
        ("observation", "comment", columns::<e::comments::Column>()),
        (
            "self_evaluation",
            "appraise",
            columns::<e::self_evaluations::Column>(),
        ),
        ("summary", "accept", columns::<e::summaries::Column>()),
        (
            "teacher_pairing",
            "comment",
            columns::<e::plan_comments::Column>(),
        ),
        (
            "settings",
            "update",
            keys_of(serde_json::to_value(settings::Settings::default()).unwrap()),
        ),
        (
            "teacher_pairing",
            "update_plan",
            keys_of(
                serde_json::to_value(tongxing::domain::work_plans::WorkPlan::default()).unwrap(),
            ),
        ),
    ];
    let root = env!("CARGO_MANIFEST_DIR");
    let zh = crate::i18n::keys(&format!("{root}/locales/zh-CN/main.ftl"));
    let en = crate::i18n::keys(&format!("{root}/locales/en/main.ftl"));
    let mut problems = Vec::new();
    for (entity, action, columns) in cases {
        assert!(columns.len() >= 3, "{entity}: {columns:?}");
        let fields = fields_of(entity, action);
        for column in columns {
            match fields.iter().find(|f| f.0 == column) {
                None => problems.push(format!("{entity}.{column}: no label")),
                Some((_, _, As::Hidden)) => {}
                Some((_, label, _)) => {
                    for key in label.split(' ') {
                        if !zh.contains(key) || !en.contains(key) {
                            problems.push(format!("{entity}.{column}: {key} not in both"));
                        }
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

async fn notice(app: &TestApp, user_id: i64, batch: &str, link: &str) -> notifications::Model {
    notifications::ActiveModel {
        user_id: Set(user_id),
        kind: Set("test".into()),
        message_key: Set("secondments-batch-n".into()),
        args: Set(serde_json::json!({ "batch": batch }).to_string()),
        link: Set(link.into()),
        read_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap()
}

fn badge(html: &str) -> Option<String> {
    let start = html.find("class=\"badge\"")?;
    let rest = &html[start..];
    let open = rest.find('>')? + 1;
    let close = rest.find("</span>")?;
    Some(rest[open..close].to_string())
}

#[rocket::async_test]
async fn notifications_are_own_and_marked_read() {
    each_db(|app| async move {
        let w = world(&app).await;
        let first = notice(&app, w.mentor_user.id, "7", "/secondments").await;
        let _second = notice(&app, w.mentor_user.id, "8", "/schools").await;
        let theirs = notice(&app, w.mentee_user.id, "9", "/schools").await;

        app.login("mentor@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/notifications").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("第 7 批") && html.contains("第 8 批"));
        assert!(!html.contains("第 9 批"), "only own");
        assert_eq!(rows_in(&html, "unread"), 2);
        assert_eq!(badge(&html).as_deref(), Some("2"));

        // Another user's notice: 404, still unread.
        let res = app
            .post_form(&format!("/notifications/{}/read", theirs.id), &[])
            .await;
        assert_eq!(res.status(), Status::NotFound);
        let row = notifications::Entity::find_by_id(theirs.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(row.read_at.is_none());

        let res = app
            .post_form(&format!("/notifications/{}/read", first.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(res.headers().get_one("Location"), Some("/secondments"));
        let (_, html) = app.get_html("/").await;
        assert_eq!(badge(&html).as_deref(), Some("1"));

        let res = app.post_form("/notifications/read-all", &[]).await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app.get_html("/notifications?lang=en").await;
        assert_eq!(badge(&html), None);
        assert_eq!(rows_in(&html, "unread"), 0);
        assert!(html.contains("Notifications") && html.contains("Batch 8"));
        let unread = notifications::Entity::find()
            .filter(notifications::Column::ReadAt.is_null())
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(unread.len(), 1, "the other user's stays unread");
        assert_eq!(unread[0].id, theirs.id);
    })
    .await;
}

#[rocket::async_test]
async fn failed_mails_are_listed_and_retried() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.deliver_mail().await;
        let before = app.mailer.sent.lock().unwrap().len();
        let mail = tongxing::mail::notice(
            tongxing::i18n::Lang::Zh,
            "李明",
            "测试通知",
            "正文",
            "http://tongxing.test/",
        );
        let id = tongxing::domain::notifications::queue_mail(&app.db, "nobody@tongxing.test", mail)
            .await
            .unwrap();
        let mut row = outbox::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into_active_model();
        row.failed_at = Set(Some(Utc::now()));
        row.attempts = Set(8);
        row.last_error = Set(Some("550 <mailbox> unavailable".into()));
        row.update(&app.db).await.unwrap();

        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/mail-failures").await;
        assert_eq!(status, Status::Ok);
        assert_eq!(rows_in(&html, "mail-row"), 1);
        assert!(html.contains("nobody@tongxing.test") && html.contains("测试通知"));
        assert!(
            html.contains("mailbox") && !html.contains("<mailbox>"),
            "error shown, escaped"
        );
        let (_, html) = app.get_html("/mail-failures?lang=en").await;
        assert!(html.contains("Failed mails") && html.contains("Send again"));
        app.logout().await;

        app.login("urban@tongxing.test", PASSWORD).await;
        let (status, _) = app.get_html("/mail-failures").await;
        assert_eq!(status, Status::Forbidden);
        let res = app
            .post_form(&format!("/mail-failures/{id}/retry"), &[])
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        let still = outbox::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(still.failed_at.is_some());
        app.logout().await;

        app.login("bureau@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(&format!("/mail-failures/{id}/retry"), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let row = outbox::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(row.failed_at.is_none());
        assert_eq!(row.attempts, 0);
        let (_, html) = app.get_html("/mail-failures").await;
        assert_eq!(rows_in(&html, "mail-row"), 0);
        let sent = app.deliver_mail().await;
        assert_eq!(sent.len(), before + 1);
        assert!(sent.iter().any(|m| m.to == "nobody@tongxing.test"));
        // Not failed any more: nothing to retry.
        let res = app
            .post_form(&format!("/mail-failures/{id}/retry"), &[])
            .await;
        assert_eq!(res.status(), Status::NotFound);
        let _ = w;
    })
    .await;
}
