//! The annual report and the effectiveness review (issue 15 items 2 and 3): the report is
//! drafted from the data, kept section by section with a version, and downloads as a Word
//! document and a workbook that read back with their parsers and hold the figures; marks
//! are refused with a clear error for every bad input and change nothing then; preparing
//! next year previews, then makes exactly the marked drafts in one transaction, all or
//! nothing, and never twice.
use rocket::http::Status;
use sea_orm::EntityTrait;

use crate::common::{PASSWORD, TestApp, each_db};
use tongxing::domain::dashboard::{self, Scope};
use tongxing::entities::{annual_reports, reviews as review_rows};

/// The demo loaded and its bureau account signed in.
pub(crate) async fn demo_bureau(app: &TestApp) -> tongxing::domain::access::Actor {
    tongxing::demo::load(&app.db).await.expect("demo");
    assert_eq!(
        app.login(
            tongxing::demo::LOGINS[0].email,
            tongxing::demo::DEMO_PASSWORD
        )
        .await,
        Status::SeeOther
    );
    tongxing::domain::users::actor_of(
        &tongxing::domain::users::find_by_email(&app.db, tongxing::demo::LOGINS[0].email)
            .await
            .unwrap()
            .unwrap(),
    )
}

/// The text of every paragraph and table cell of a Word document.
fn docx_text(bytes: &[u8]) -> (String, String) {
    let doc = docx_rs::read_docx(bytes).expect("a Word document");
    let json = doc.json();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut texts = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let (Some(serde_json::Value::String(t)), Some(_)) =
                    (m.get("text"), m.get("preserveSpace"))
                {
                    out.push(t.clone());
                }
                for x in m.values() {
                    walk(x, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(&value, &mut texts);
    (texts.join("\n"), json)
}

#[rocket::async_test]
async fn the_annual_report_is_drafted_kept_and_downloaded_with_every_figure() {
    each_db(|app| async move {
        let bureau = demo_bureau(&app).await;
        let year = tongxing::domain::academic_years::current(&app.db).await.unwrap().unwrap();
        let f = dashboard::figures(&app.db, &bureau, &Scope { year: year.clone(), district: None })
            .await
            .unwrap();
        // The year's observations counted directly.
        let observations = app
            .scalar(&format!(
                "SELECT COUNT(*) AS n FROM observations o JOIN teacher_pairings p ON p.id = o.teacher_pairing_id WHERE p.academic_year_id = {}",
                year.id
            ))
            .await;
        assert_eq!(f.observations as i64, observations);
        assert!(observations > 0);

        // Without a year: the current one.
        let r = app.client.get("/reports/annual").dispatch().await;
        assert_eq!(r.status(), Status::SeeOther);
        assert_eq!(
            r.headers().get_one("Location"),
            Some(format!("/reports/annual?year={}", year.name).as_str())
        );
        let path = format!("/reports/annual?year={}", year.name);
        let (status, html) = app.get_html(&path).await;
        assert_eq!(status, Status::Ok);
        // Drafted from the data: the overview names the figures; three sections are empty.
        assert!(html.contains("根据本学年数据起草"), "drafted");
        assert!(html.contains(&format!("开展听课{observations}节")), "the overview's figures");
        assert!(html.contains("所学校参与城乡学校结对帮扶"));
        // The seed's plan: 129 teachers over the programme's years, 107 person-times.
        assert_eq!(f.plan.planned_to_date, Some(129));
        assert_eq!(
            f.plan.seconded_to_date,
            app.scalar("SELECT COUNT(*) AS n FROM secondments").await
        );
        assert_eq!(f.plan.seconded_to_date, 107);
        assert!(
            html.contains("按照结对帮扶计划，共安排129名教师到农村薄弱学校支教，自2022—2023学年以来"),
            "the plan drafted"
        );
        assert!(html.contains("达107人次"));
        // The bureau's home sets the person-times to date against the plan; a year with a
        // plan of its own shows it.
        let (_, home) = app.get_html("/").await;
        assert!(home.contains("累计 107 人次 / 计划 129 人"), "the plan on the dashboard");
        assert!(!home.contains("计划 32 人"), "this year has no plan of its own");
        let earlier = tongxing::domain::annual_report::year_named(&app.db, "2025-2026")
            .await
            .unwrap();
        let (_, home) = app.get_html(&format!("/?year={}", earlier.id)).await;
        assert!(home.contains("计划 32 人"), "2025-2026's plan");
        assert!(home.contains("/ 计划 129 人"), "all four years' plans to 2025-2026");
        assert!(html.contains("<textarea id=\"f-outcomes\" name=\"outcomes\" rows=\"8\"></textarea>"));
        assert!(html.contains("本学年听课记录</td><td class=\"num\">"));

        // Saved: each section kept, version 1, audited.
        let long_text = "一是课堂教学有了明显进步。\n\n二是教师专业成长。";
        let r = app
            .post_form(
                &path,
                &[
                    ("overview", "基本情况：全年结对顺利。"),
                    ("practices", "主要做法：结对到人。"),
                    ("outcomes", long_text),
                    ("problems", "存在的问题：交通不便。"),
                    ("plans", "下一步：扩大结对范围。"),
                    ("version", "0"),
                ],
            )
            .await;
        assert_eq!(r.status(), Status::SeeOther);
        let kept = annual_reports::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!((kept[0].version, kept[0].outcomes.as_str()), (1, long_text));
        assert_eq!(
            app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'annual_report'").await,
            1
        );
        let (_, html) = app.get_html(&path).await;
        assert!(html.contains("已保存（第 1 版"));
        assert!(html.contains("存在的问题：交通不便。"));

        // A stale save (version 0 again) is refused, shows their text and keeps what was typed.
        let r = app
            .post_form(&path, &[("overview", "我改的版本"), ("version", "0")])
            .await;
        assert_eq!(r.status(), Status::Conflict);
        let html = r.into_string().await.unwrap();
        assert!(html.contains("我改的版本") && html.contains("他人保存的内容"));
        assert!(html.contains("基本情况：全年结对顺利。"));
        // Too long, a bad version: refused, nothing changed.
        let too_long = "字".repeat(20_001);
        for (fields, status) in [
            (vec![("overview", too_long.as_str()), ("version", "1")], Status::UnprocessableEntity),
            (vec![("overview", "x"), ("version", "abc")], Status::Conflict),
            (vec![("overview", "x"), ("version", "")], Status::Conflict),
        ] {
            let r = app.post_form(&path, &fields).await;
            assert_eq!(r.status(), status, "{:?}", fields.last());
        }
        let now = annual_reports::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(now, kept, "nothing changed");

        // The Word document: reads back, with the title, the sections and the figures, and
        // Chinese fonts declared.
        let r = app.client.get(format!("/reports/annual.docx?year={}", year.name)).dispatch().await;
        assert_eq!(r.status(), Status::Ok);
        assert!(r.content_type().unwrap().to_string().contains("wordprocessingml"));
        let bytes = r.into_bytes().await.unwrap();
        let (text, json) = docx_text(&bytes);
        let (from, to) = year.name.split_once('-').unwrap();
        assert!(text.contains(&format!("{from}—{to}学年城乡学校结对帮扶工作总结")), "{text}");
        for s in ["基本情况：全年结对顺利。", "一是课堂教学有了明显进步。", "二是教师专业成长。", "下一步：扩大结对范围。"] {
            assert!(text.contains(s), "{s} in {text}");
        }
        assert!(text.contains("本学年听课记录") && text.contains(&observations.to_string()));
        assert!(json.contains("宋体"), "Chinese fonts declared");
        // In English too; both kept to look at when screenshots are asked for.
        let r = app
            .client
            .get(format!("/reports/annual.docx?year={}&lang=en", year.name))
            .dispatch()
            .await;
        let en_bytes = r.into_bytes().await.unwrap();
        let (en_text, _) = docx_text(&en_bytes);
        assert!(en_text.contains("annual report"), "{en_text}");
        assert!(en_text.contains("Observations this year"), "English labels");
        if let Ok(dir) = std::env::var("TONGXING_SCREENSHOTS") {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(format!("{dir}/annual-report-zh.docx"), &bytes).unwrap();
            std::fs::write(format!("{dir}/annual-report-en.docx"), &en_bytes).unwrap();
        }

        // The workbook: every figure, as numbers; the districts side by side.
        let r = app.client.get(format!("/reports/annual.xlsx?year={}&lang=zh-CN", year.name)).dispatch().await;
        assert_eq!(r.status(), Status::Ok);
        let bytes = r.into_bytes().await.unwrap();
        use calamine::{DataType, Reader, Xlsx};
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a workbook");
        assert_eq!(book.sheet_names(), vec!["全部数据".to_string(), "各区县".to_string()]);
        let figures = book.worksheet_range("全部数据").unwrap();
        let value_of = |label: &str| {
            figures
                .rows()
                .find(|r| r.get(1).map(|c| c.to_string()) == Some(label.to_string()))
                .and_then(|r| r.get(2).and_then(|c| c.get_float()))
                .unwrap_or_else(|| panic!("{label}"))
        };
        assert_eq!(value_of("本学年听课记录") as i64, observations);
        assert_eq!(value_of("结对学校") as u64, f.schools_paired);
        let confirmed = app
            .scalar(&format!(
                "SELECT CAST(COALESCE(SUM(value_fen), 0) AS BIGINT) AS n FROM contributions WHERE status = 'confirmed' AND given_on >= '{}' AND given_on <= '{}'",
                year.starts_on, year.ends_on
            ))
            .await;
        assert_eq!((value_of("物资资金（元）：已确认") * 100.0).round() as i64, confirmed);
        assert!(figures.rows().count() > 40, "every figure");

        // An unknown year is 404; schools and teachers may not read it.
        for bad in ["/reports/annual?year=1999-2000", "/reports/annual.docx?year=x", "/reports/annual.xlsx?year=%27"] {
            assert_eq!(app.client.get(bad).dispatch().await.status(), Status::NotFound, "{bad}");
        }
        app.logout().await;
        app.login("yizhong@demo.tongxing.cn", tongxing::demo::DEMO_PASSWORD).await;
        for p in [path.clone(), format!("/reports/annual.docx?year={}", year.name)] {
            assert_eq!(app.client.get(p.clone()).dispatch().await.status(), Status::Forbidden, "{p}");
        }
        let r = app.post_form(&path, &[("overview", "x"), ("version", "1")]).await;
        assert_eq!(r.status(), Status::Forbidden);
        assert_eq!(annual_reports::Entity::find().all(&app.db).await.unwrap(), kept);
    })
    .await;
}

/// A world for the review: 2026-2027 with a school pairing urban → rural and three
/// teacher pairings (two under the school pairing), and 2027-2028 not created yet.
struct ReviewWorld {
    w: crate::common::World,
    year: i64,
    school_pairing: i64,
    /// mentor → mentee 数学, on its own.
    alone: i64,
    /// mentor → mentee 语文, under the school pairing.
    second: i64,
    /// mentor2 → mentee2 英语, under the school pairing.
    third: i64,
    mentor2: i64,
    mentee2: i64,
}

async fn review_world(app: &TestApp) -> ReviewWorld {
    use tongxing::domain::{school_pairings as sp, teacher_pairings as tp};
    let (w, year, alone) = crate::teacher_pairings::setup(app).await;
    let spf = crate::school_pairings::form(w.urban.id, w.rural.id, "2026-2027", "2026-2027");
    let school_pairing = sp::create(&app.db, &w.bureau_actor, &spf)
        .await
        .expect("school pairing")
        .id;
    sp::publish(
        &app.db,
        &w.bureau_actor,
        &[school_pairing],
        None,
        crate::common::ctx(),
    )
    .await
    .expect("publish");
    let mentee2 = app
        .teacher(&w.bureau_actor, w.rural.id, "梁小红", "R002")
        .await
        .id;
    let mentor2 = app
        .teacher(&w.bureau_actor, w.urban.id, "陈老师", "U002")
        .await
        .id;
    let mut ids = Vec::new();
    for (mentor, mentee, subject) in [
        (w.mentor.id, w.mentee.id, "语文"),
        (mentor2, mentee2, "英语"),
    ] {
        let mut f = crate::teacher_pairings::form(mentor, mentee, subject, year);
        f.school_pairing_id = school_pairing.to_string();
        let p = tp::create(&app.db, &w.bureau_actor, &f)
            .await
            .expect("pairing");
        tp::publish(
            &app.db,
            &w.bureau_actor,
            &[p.id],
            None,
            crate::common::ctx(),
        )
        .await
        .expect("publish");
        ids.push(p.id);
    }
    ReviewWorld {
        w,
        year,
        school_pairing,
        alone,
        second: ids[0],
        third: ids[1],
        mentor2,
        mentee2,
    }
}

/// (path, fields, status, what the page says)
type Case<'a> = (String, Vec<(&'a str, &'a str)>, Status, &'a str);

async fn pairing_counts(app: &TestApp) -> (i64, i64) {
    (
        app.count("school_pairings").await,
        app.count("teacher_pairings").await,
    )
}

#[rocket::async_test]
async fn marks_refuse_bad_input_and_preparing_next_year_makes_exactly_the_marked_drafts() {
    each_db(|app| async move {
        let rw = review_world(&app).await;
        let w = &rw.w;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let sp_path = format!("/reviews/school-pairings/{}?year=2026-2027", rw.school_pairing);
        let tp_path = |id: i64| format!("/reviews/teacher-pairings/{id}");

        // The pages: the list of the year and each pairing's results.
        let (status, html) = app.get_html("/reviews?year=2026-2027&kind=teacher").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("梁小红") && html.contains("未评价"));
        let (status, html) = app.get_html(&tp_path(rw.third)).await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("本学年成效") && html.contains("徒弟听课平均分"));
        let (status, html) = app.get_html(&sp_path).await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("连州市实验学校 → 三元中学"));

        // Bad input: refused with the field's message, nothing written.
        let long_note = "很".repeat(2001);
        let cases: Vec<Case> = vec![
            (sp_path.clone(), vec![("mark", ""), ("version", "0")], Status::UnprocessableEntity, "请从列表中选择"),
            (sp_path.clone(), vec![("mark", "promote"), ("version", "0")], Status::UnprocessableEntity, "请从列表中选择"),
            (tp_path(rw.third), vec![("mark", "adjust"), ("note", "  "), ("version", "0")], Status::UnprocessableEntity, "请写明理由"),
            (tp_path(rw.third), vec![("mark", "end"), ("note", long_note.as_str()), ("version", "0")], Status::UnprocessableEntity, ""),
            (tp_path(rw.third), vec![("mark", "renew"), ("version", "3")], Status::Conflict, "已被他人修改"),
            (tp_path(999_999), vec![("mark", "renew"), ("version", "0")], Status::NotFound, ""),
            ("/reviews/school-pairings/999999?year=2026-2027".into(), vec![("mark", "renew"), ("version", "0")], Status::NotFound, ""),
            (format!("/reviews/school-pairings/{}?year=1999-2000", rw.school_pairing), vec![("mark", "renew"), ("version", "0")], Status::NotFound, ""),
        ];
        for (path, fields, status, says) in &cases {
            let r = app.post_form(path, fields).await;
            assert_eq!(r.status(), *status, "{path} {fields:?}");
            let body = r.into_string().await.unwrap_or_default();
            assert!(body.contains(says), "{path}: {says}");
            if *status == Status::UnprocessableEntity {
                // What was typed is kept.
                if let Some((_, note)) = fields.iter().find(|(k, _)| *k == "note") {
                    assert!(body.contains(note.trim()) || note.trim().is_empty());
                }
            }
        }
        assert_eq!(app.count("reviews").await, 0, "nothing written");

        // The marks: the school pairing renewed, the lone pairing ended, the third adjusted;
        // the second left unmarked.
        for (path, fields) in [
            (sp_path.clone(), vec![("mark", "renew"), ("note", ""), ("version", "0")]),
            (tp_path(rw.alone), vec![("mark", "end"), ("note", "徒弟已调离。"), ("version", "0")]),
            (tp_path(rw.third), vec![("mark", "adjust"), ("note", "换一位英语师傅。"), ("version", "0")]),
        ] {
            let r = app.post_form(&path, &fields).await;
            assert_eq!(r.status(), Status::SeeOther, "{path}");
        }
        assert_eq!(app.count("reviews").await, 3);
        // The list filters by mark: the unmarked one alone, the adjusted one alone.
        let (_, html) = app.get_html("/reviews?year=2026-2027&kind=teacher&mark=none").await;
        assert!(html.contains("语文") && !html.contains("英语") && !html.contains("数学"), "unmarked");
        let (_, html) = app.get_html("/reviews?year=2026-2027&kind=teacher&mark=adjust").await;
        assert!(html.contains("梁小红") && !html.contains("语文"), "adjusted");
        let (_, html) = app.get_html("/reviews?year=2026-2027&kind=school&mark=renew").await;
        assert!(html.contains("连州市实验学校 → 三元中学"));
        let (status, _) = app.get_html("/reviews?year=2026-2027&kind=%3Cx%3E&mark=zzz&after=abc").await;
        assert_eq!(status, Status::Ok, "odd filters are ignored");
        // A second click with the same version is stale.
        let r = app.post_form(&tp_path(rw.third), &[("mark", "renew"), ("version", "0")]).await;
        assert_eq!(r.status(), Status::Conflict);
        let third = tongxing::domain::reviews::review_of(&app.db, tongxing::domain::reviews::Kind::Teacher, rw.third, rw.year)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((third.mark.as_str(), third.version), ("adjust", 1));

        // No next year yet: preparing says so and changes nothing.
        let before = pairing_counts(&app).await;
        let r = app.client.get("/reviews/prepare?year=2026-2027").dispatch().await;
        assert_eq!(r.status(), Status::Conflict);
        assert!(r.into_string().await.unwrap().contains("下一学年尚未建立"));
        crate::teacher_pairings::year(&app, w, "2027-2028", false).await;

        // The preview: what would be made, nothing made.
        let (status, html) = app.get_html("/reviews/prepare?year=2026-2027").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("以下是预览"), "{html}");
        assert!(html.contains("起草下一学年草稿") && html.contains("不再续结"));
        assert!(html.contains("师徒结对 1 对未评价"), "the unmarked one is named");
        assert_eq!(pairing_counts(&app).await, before, "a preview makes nothing");
        assert_eq!(
            app.scalar("SELECT COUNT(*) AS n FROM reviews WHERE prepared_at IS NOT NULL").await,
            0
        );

        // A rule refuses one draft (the third's mentee left): nothing at all is made.
        tongxing::domain::teachers::set_active(&app.db, &w.bureau_actor, rw.mentee2, false)
            .await
            .unwrap();
        let r = app.post_form("/reviews/prepare?year=2026-2027", &[]).await;
        assert_eq!(r.status(), Status::Conflict);
        assert!(r.into_string().await.unwrap().contains("不能起草"));
        assert_eq!(pairing_counts(&app).await, before, "all or nothing");
        tongxing::domain::teachers::set_active(&app.db, &w.bureau_actor, rw.mentee2, true)
            .await
            .unwrap();

        // Applied: exactly the marked drafts, in next year.
        let r = app.post_form("/reviews/prepare?year=2026-2027", &[]).await;
        assert_eq!(r.status(), Status::Ok);
        assert!(r.into_string().await.unwrap().contains("已起草 2 个结对草稿"));
        assert_eq!(pairing_counts(&app).await, (before.0 + 1, before.1 + 1));
        let next = app.scalar("SELECT id AS n FROM academic_years WHERE name = '2027-2028'").await;
        let new_sp = app
            .scalar(&format!(
                "SELECT id AS n FROM school_pairings WHERE status = 'draft' AND year_from = '2027-2028' AND year_to = '2027-2028' AND supporter_id = {} AND receiver_id = {}",
                w.urban.id, w.rural.id
            ))
            .await;
        let new_tp = app
            .scalar(&format!(
                "SELECT id AS n FROM teacher_pairings WHERE status = 'draft' AND academic_year_id = {next} AND mentor_id = {} AND mentee_id = {} AND subject = '英语' AND school_pairing_id IS NULL",
                rw.mentor2, rw.mentee2
            ))
            .await;
        assert_eq!(
            app.scalar(&format!("SELECT COUNT(*) AS n FROM teacher_pairings WHERE academic_year_id = {next}")).await,
            1,
            "the ended and the unmarked are not carried over"
        );
        let marks = review_rows::Entity::find().all(&app.db).await.unwrap();
        for m in &marks {
            assert!(m.prepared_at.is_some());
            let expected = if m.school_pairing_id == Some(rw.school_pairing) {
                Some(new_sp)
            } else if m.teacher_pairing_id == Some(rw.third) {
                Some(new_tp)
            } else {
                None
            };
            assert_eq!(m.carried_to_id, expected, "{m:?}");
        }
        assert_eq!(
            app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'prepare_next_year'").await,
            1
        );
        // Again: nothing twice.
        let r = app.post_form("/reviews/prepare?year=2026-2027", &[]).await;
        assert!(r.status() == Status::Ok || r.status() == Status::Conflict);
        assert_eq!(pairing_counts(&app).await, (before.0 + 1, before.1 + 1));
        // A prepared mark no longer changes.
        let r = app.post_form(&tp_path(rw.third), &[("mark", "renew"), ("version", "2")]).await;
        assert_eq!(r.status(), Status::Conflict);
        assert_eq!(review_rows::Entity::find().all(&app.db).await.unwrap(), marks);
        let _ = rw.second;

        // Only the bureau reviews.
        app.logout().await;
        app.login("urban@tongxing.test", PASSWORD).await;
        for p in ["/reviews?year=2026-2027", &sp_path, "/reviews/prepare?year=2026-2027"] {
            assert_eq!(app.client.get(p).dispatch().await.status(), Status::Forbidden, "{p}");
        }
        let r = app.post_form(&sp_path, &[("mark", "end"), ("note", "x"), ("version", "2")]).await;
        assert_eq!(r.status(), Status::Forbidden);
        assert_eq!(review_rows::Entity::find().all(&app.db).await.unwrap(), marks);
    })
    .await;
}

#[rocket::async_test]
async fn the_api_answers_the_summary_the_marks_and_prepares_next_year() {
    use rocket::http::Method::{Get, Post, Put};
    use serde_json::json;
    each_db(|app| async move {
        let rw = review_world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        // The summary: the same figures as the dashboard, of the whole and a district.
        let (status, body) = app
            .api(Get, "/api/v1/reports/summary?year=2026-2027", None)
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        let year = tongxing::domain::academic_years::current(&app.db)
            .await
            .unwrap()
            .unwrap();
        let f = dashboard::figures(
            &app.db,
            &rw.w.bureau_actor,
            &Scope {
                year: year.clone(),
                district: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(body["year"], "2026-2027");
        assert_eq!(body["figures"], serde_json::to_value(&f).unwrap());
        assert_eq!(body["figures"]["school_pairings"], 1);
        let active = body["figures"]["teacher_pairings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == "active")
            .unwrap()["n"]
            .clone();
        assert_eq!(active, 3);
        let (status, _) = app.api(Get, "/api/v1/reports/summary", None).await;
        assert_eq!(status, Status::Ok, "the current year");
        for (path, status, field) in [
            (
                "/api/v1/reports/summary?year=2026",
                Status::UnprocessableEntity,
                "year",
            ),
            (
                "/api/v1/reports/summary?year=2026-2027&year=2025-2026",
                Status::UnprocessableEntity,
                "year",
            ),
        ] {
            let (s, body) = app.api(Get, path, None).await;
            assert_eq!(s, status, "{path}: {body}");
            assert!(body["error"]["fields"][field].is_array(), "{path}: {body}");
        }
        for path in [
            "/api/v1/reports/summary?year=2030-2031",
            "/api/v1/reports/summary?district=%E6%97%A0%E6%AD%A4%E5%8C%BA",
        ] {
            let (s, _) = app.api(Get, path, None).await;
            assert_eq!(s, Status::NotFound, "{path}");
        }

        // Marks over the API: refused inputs change nothing.
        let path = format!("/api/v1/reviews/teacher-pairings/{}", rw.third);
        for (body, status, field) in [
            (
                json!({"mark": "promote", "version": 0}),
                Status::UnprocessableEntity,
                "mark",
            ),
            (
                json!({"mark": "end", "version": 0}),
                Status::UnprocessableEntity,
                "note",
            ),
            (
                json!({"mark": "end", "note": 5, "version": 0}),
                Status::UnprocessableEntity,
                "note",
            ),
            (
                json!({"mark": "renew"}),
                Status::UnprocessableEntity,
                "version",
            ),
            (
                json!({"mark": "renew", "version": "0"}),
                Status::UnprocessableEntity,
                "version",
            ),
            (
                json!({"mark": "renew", "version": 7}),
                Status::Conflict,
                "version",
            ),
        ] {
            let (s, answer) = app.api(Put, &path, Some(body.clone())).await;
            assert_eq!(s, status, "{body}: {answer}");
            assert!(
                answer["error"]["fields"][field].is_array(),
                "{body}: {answer}"
            );
        }
        let (s, _) = app.api(Put, &path, Some(json!([1, 2]))).await;
        assert_eq!(s, Status::BadRequest);
        let (s, _) = app
            .api(
                Put,
                "/api/v1/reviews/teacher-pairings/999999",
                Some(json!({"mark": "renew", "version": 0})),
            )
            .await;
        assert_eq!(s, Status::NotFound);
        assert_eq!(app.count("reviews").await, 0);
        let (s, body) = app
            .api(
                Put,
                &path,
                Some(json!({"mark": "adjust", "note": "换师傅", "version": 0})),
            )
            .await;
        assert_eq!(s, Status::Ok, "{body}");
        assert_eq!(
            (
                body["mark"].clone(),
                body["version"].clone(),
                body["pairing_id"].clone()
            ),
            (json!("adjust"), json!(1), json!(rw.third))
        );
        let sp = format!(
            "/api/v1/reviews/school-pairings/{}?year=2026-2027",
            rw.school_pairing
        );
        let (s, body) = app
            .api(Put, &sp, Some(json!({"mark": "renew", "version": 0})))
            .await;
        assert_eq!(s, Status::Ok, "{body}");
        let (s, body) = app
            .api(
                Get,
                "/api/v1/reviews?year=2026-2027&kind=teacher&mark=adjust",
                None,
            )
            .await;
        assert_eq!(s, Status::Ok);
        assert_eq!(body["items"].as_array().unwrap().len(), 1);
        assert_eq!(body["items"][0]["note"], "换师傅");
        let (s, body) = app
            .api(
                Get,
                "/api/v1/reviews?year=2026-2027&kind=teacher&per_page=1",
                None,
            )
            .await;
        assert_eq!(s, Status::Ok);
        assert_eq!(body["items"].as_array().unwrap().len(), 1);
        assert_eq!(body["next_after"], body["items"][0]["pairing_id"]);
        let (s, body) = app
            .api(Get, "/api/v1/reviews?kind=x&per_page=0&after=-1", None)
            .await;
        assert_eq!(s, Status::UnprocessableEntity);
        for field in ["kind", "per_page", "after"] {
            assert!(body["error"]["fields"][field].is_array(), "{field}: {body}");
        }

        // Preparing: 409 without next year; a preview; then made.
        let (s, _) = app
            .api(
                Get,
                "/api/v1/reviews/prepare-next-year?year=2026-2027",
                None,
            )
            .await;
        assert_eq!(s, Status::Conflict);
        crate::teacher_pairings::year(&app, &rw.w, "2027-2028", false).await;
        let before = pairing_counts(&app).await;
        let (s, plan) = app
            .api(
                Get,
                "/api/v1/reviews/prepare-next-year?year=2026-2027",
                None,
            )
            .await;
        assert_eq!(s, Status::Ok, "{plan}");
        assert_eq!(
            (plan["applied"].clone(), plan["next_year"].clone()),
            (json!(false), json!("2027-2028"))
        );
        assert_eq!(plan["items"].as_array().unwrap().len(), 2);
        assert_eq!(pairing_counts(&app).await, before);
        let (s, plan) = app
            .api(
                Post,
                "/api/v1/reviews/prepare-next-year?year=2026-2027",
                None,
            )
            .await;
        assert_eq!(s, Status::Ok, "{plan}");
        assert_eq!(plan["applied"], true);
        assert!(
            plan["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["outcome"] == "drafted" && i["draft_id"].is_i64())
        );
        assert_eq!(pairing_counts(&app).await, (before.0 + 1, before.1 + 1));

        // Others may not.
        app.logout().await;
        app.login("rural@tongxing.test", PASSWORD).await;
        for (m, p) in [
            (Get, "/api/v1/reports/summary"),
            (Get, "/api/v1/reviews"),
            (Post, "/api/v1/reviews/prepare-next-year"),
        ] {
            let (s, _) = app.api(m, p, None).await;
            assert_eq!(s, Status::Forbidden, "{p}");
        }
    })
    .await;
}
