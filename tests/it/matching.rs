//! Matching: mentor suggestions with their reasons, drafts from a suggestion, and
//! "propose all" for a school pairing (optimal, checked by brute force).
use chrono::{NaiveDate, Utc};
use rocket::http::{Method, Status};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use tongxing::domain::access::Actor;
use tongxing::domain::matching::{self, Context, Profile};
use tongxing::domain::types::PairingStatus;
use tongxing::entities::teachers as teacher_rows;
use tongxing::entities::{academic_years, school_pairings, schools, settings, teacher_pairings};

use crate::common::{PASSWORD, TestApp, each_db, world};

async fn year(app: &TestApp) -> academic_years::Model {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
    academic_years::ActiveModel {
        name: Set("2026-2027".into()),
        starts_on: Set(d(2026, 9, 1)),
        second_term_starts_on: Set(d(2027, 2, 20)),
        ends_on: Set(d(2027, 7, 15)),
        is_current: Set(true),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("insert year")
}

async fn school(
    app: &TestApp,
    admin: &Actor,
    name: &str,
    code: &str,
    kind: &str,
    district: &str,
) -> schools::Model {
    let form = tongxing::domain::schools::SchoolForm {
        name: name.into(),
        code: code.into(),
        kind: kind.into(),
        stage: "junior".into(),
        district: district.into(),
        township: "三水乡".into(),
        ..Default::default()
    };
    tongxing::domain::schools::create(&app.db, admin, &form)
        .await
        .expect("create school")
}

#[allow(clippy::too_many_arguments)]
async fn teacher(
    app: &TestApp,
    admin: &Actor,
    school_id: i64,
    name: &str,
    staff_no: &str,
    subjects: &str,
    grades: &str,
    title: &str,
    years: i32,
    honours: &str,
) -> teacher_rows::Model {
    let form = tongxing::domain::teachers::TeacherForm {
        school_id: school_id.to_string(),
        name: name.into(),
        gender: "female".into(),
        staff_no: staff_no.into(),
        subjects: subjects.into(),
        grades: grades.into(),
        title: title.into(),
        years_teaching: years.to_string(),
        honours: honours.into(),
        ..Default::default()
    };
    tongxing::domain::teachers::create(&app.db, admin, &form)
        .await
        .expect("create teacher")
}

async fn active_school_pairing(
    app: &TestApp,
    supporter_id: i64,
    receiver_id: i64,
) -> school_pairings::Model {
    school_pairings::ActiveModel {
        supporter_id: Set(supporter_id),
        receiver_id: Set(receiver_id),
        year_from: Set("2026-2027".into()),
        year_to: Set("2027-2028".into()),
        support_kinds: Set("[\"staff\"]".into()),
        status: Set(PairingStatus::Active),
        note: Set(String::new()),
        published_at: Set(Some(Utc::now())),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("insert school pairing")
}

async fn pairing_row(
    app: &TestApp,
    mentor_id: i64,
    mentee_id: i64,
    year_id: i64,
    status: &str,
) -> teacher_pairings::Model {
    teacher_pairings::ActiveModel {
        mentor_id: Set(mentor_id),
        mentee_id: Set(mentee_id),
        subject: Set("数学".into()),
        academic_year_id: Set(year_id),
        status: Set(PairingStatus::parse(status).expect("status")),
        plan: Set("{}".into()),
        plan_version: Set(0),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("insert teacher pairing")
}

async fn set_max_mentees(app: &TestApp, max: i64) {
    settings::ActiveModel {
        key: Set("max_mentees_per_mentor".into()),
        value: Set(max.to_string()),
        updated_at: Set(Utc::now()),
    }
    .insert(&app.db)
    .await
    .expect("insert setting");
}

/// Mentor names in the order a suggestions page lists them.
fn names_in_order(html: &str, names: &[&str]) -> Vec<String> {
    let mut found: Vec<(usize, String)> = names
        .iter()
        .filter_map(|n| html.find(&format!(">{n}</a>")).map(|i| (i, n.to_string())))
        .collect();
    found.sort();
    found.into_iter().map(|(_, n)| n).collect()
}

#[rocket::async_test]
async fn suggestions_are_ranked_with_reasons_and_respect_caps() {
    each_db(|app| async move {
        let w = world(&app).await;
        let bureau = &w.bureau_actor;
        let y = year(&app).await;
        // The urban school supports the mentee's school.
        active_school_pairing(&app, w.urban.id, w.rural.id).await;
        let other_urban = school(
            &app,
            bureau,
            "清远市第二小学",
            "4418020001",
            "urban",
            "清远市",
        )
        .await;
        let township = school(
            &app,
            bureau,
            "东陂镇中学",
            "4418820003",
            "township",
            "连州市",
        )
        .await;
        let other_rural = school(&app, bureau, "龙塘小学", "4418820004", "rural", "连州市").await;
        let wang = teacher(
            &app,
            bureau,
            other_urban.id,
            "王芳",
            "E001",
            "数学",
            "七年级、八年级",
            "senior",
            20,
            "骨干教师",
        )
        .await;
        let zhang = teacher(
            &app,
            bureau,
            township.id,
            "张伟",
            "T001",
            "数学",
            "八年级",
            "professor",
            30,
            "学科带头人",
        )
        .await;
        teacher(
            &app,
            bureau,
            other_urban.id,
            "陈静",
            "E002",
            "语文",
            "七年级",
            "senior",
            20,
            "",
        )
        .await;
        teacher(
            &app,
            bureau,
            other_rural.id,
            "刘洋",
            "L001",
            "数学",
            "七年级",
            "senior",
            20,
            "",
        )
        .await;
        let zhao = teacher(
            &app,
            bureau,
            other_urban.id,
            "赵敏",
            "E003",
            "数学",
            "七年级",
            "professor",
            30,
            "名师",
        )
        .await;
        let sun = teacher(
            &app,
            bureau,
            w.urban.id,
            "孙丽",
            "U002",
            "数学",
            "七年级",
            "professor",
            30,
            "",
        )
        .await;
        tongxing::domain::teachers::set_active(&app.db, bureau, sun.id, false)
            .await
            .expect("deactivate");
        // 赵敏 is at the cap (2) this year: not a candidate.
        let x1 = teacher(
            &app,
            bureau,
            other_rural.id,
            "甲",
            "L002",
            "数学",
            "",
            "second",
            1,
            "",
        )
        .await;
        let x2 = teacher(
            &app,
            bureau,
            other_rural.id,
            "乙",
            "L003",
            "数学",
            "",
            "second",
            1,
            "",
        )
        .await;
        pairing_row(&app, zhao.id, x1.id, y.id, "active").await;
        pairing_row(&app, zhao.id, x2.id, y.id, "draft").await;

        let all = ["李明", "王芳", "张伟", "陈静", "刘洋", "赵敏", "孙丽"];
        assert_eq!(
            app.login("bureau@tongxing.test", PASSWORD).await,
            Status::SeeOther
        );
        let (status, html) = app
            .get_html(&format!(
                "/matching/mentee/{}?year_id={}",
                w.mentee.id, y.id
            ))
            .await;
        assert_eq!(status, Status::Ok, "{html}");
        // 李明 198 (paired schools, same district, shared grade) > 张伟 185 > 王芳 179.
        assert_eq!(names_in_order(&html, &all), vec!["李明", "张伟", "王芳"]);
        for reason in [
            "同学科：数学",
            "年级重叠：七年级",
            "一级教师",
            "尚可带 2 名",
            "两校已结对",
            "同一区县：连州市",
            "骨干教师",
            "学科带头人",
            "正高级教师",
        ] {
            assert!(html.contains(reason), "missing reason {reason}");
        }
        assert!(html.contains("198 分") && html.contains("185 分") && html.contains("179 分"));
        assert!(html.contains("生成草稿"));
        // Without year_id the current year is used.
        let (status, html) = app
            .get_html(&format!("/matching/mentee/{}", w.mentee.id))
            .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(names_in_order(&html, &all), vec!["李明", "张伟", "王芳"]);
        // The teacher page links to the suggestions, for the bureau.
        let (_, html) = app.get_html(&format!("/teachers/{}", w.mentee.id)).await;
        assert!(html.contains(&format!("/matching/mentee/{}", w.mentee.id)));

        // The JSON API gives the same ranking, scores and reason codes.
        let (status, body) = app
            .api(
                Method::Get,
                &format!(
                    "/api/v1/teacher-pairings/suggestions?mentee_id={}&year_id={}",
                    w.mentee.id, y.id
                ),
                None,
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        let items = body["items"].as_array().expect("items");
        let ids: Vec<i64> = items
            .iter()
            .map(|i| i["mentor"]["id"].as_i64().unwrap_or(0))
            .collect();
        assert_eq!(ids, vec![w.mentor.id, zhang.id, wang.id]);
        let scores: Vec<i64> = items
            .iter()
            .map(|i| i["score"].as_i64().unwrap_or(0))
            .collect();
        assert_eq!(scores, vec![198, 185, 179]);
        assert_eq!(items[0]["subject"], "数学");
        assert_eq!(items[0]["spare_slots"], 2);
        let codes: Vec<&str> = items[0]["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .map(|r| r["code"].as_str().unwrap_or(""))
            .collect();
        assert!(
            codes.contains(&"match-reason-schools-paired")
                && codes.contains(&"match-reason-same-district")
        );
        assert_eq!(items[0]["reasons"][0]["text"], "同学科：数学");
        let (status, body) = app
            .api(
                Method::Get,
                "/api/v1/teacher-pairings/suggestions?limit=1",
                None,
            )
            .await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}");
        assert!(body["error"]["fields"]["mentee_id"].is_array());
        let (status, _) = app
            .api(
                Method::Get,
                "/api/v1/teacher-pairings/suggestions?mentee_id=999999",
                None,
            )
            .await;
        assert_eq!(status, Status::NotFound);
        let (status, body) = app
            .api(
                Method::Get,
                &format!(
                    "/api/v1/teacher-pairings/suggestions?mentee_id={}&limit=1",
                    w.mentee.id
                ),
                None,
            )
            .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["items"].as_array().map(Vec::len), Some(1));

        // A mentor at the cap disappears once a draft takes their last slot.
        pairing_row(&app, wang.id, x1.id, y.id, "draft").await;
        let (_, html) = app
            .get_html(&format!(
                "/matching/mentee/{}?year_id={}",
                w.mentee.id, y.id
            ))
            .await;
        assert!(html.contains("尚可带 1 名"));
        pairing_row(&app, wang.id, x2.id, y.id, "active").await;
        let (_, html) = app
            .get_html(&format!(
                "/matching/mentee/{}?year_id={}",
                w.mentee.id, y.id
            ))
            .await;
        assert_eq!(names_in_order(&html, &all), vec!["李明", "张伟"]);
        // An ended pairing frees the slot again.
        let ended = pairing_row(&app, zhang.id, x1.id, y.id, "completed").await;
        assert_eq!(ended.status, PairingStatus::Completed);
        let (_, html) = app
            .get_html(&format!(
                "/matching/mentee/{}?year_id={}",
                w.mentee.id, y.id
            ))
            .await;
        assert_eq!(names_in_order(&html, &all), vec!["李明", "张伟"]);
    })
    .await;
}

#[rocket::async_test]
async fn only_the_bureau_matches() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app).await;
        let sp = active_school_pairing(&app, w.urban.id, w.rural.id).await;
        for email in [
            "urban@tongxing.test",
            "mentee@tongxing.test",
            "mentor@tongxing.test",
        ] {
            assert_eq!(app.login(email, PASSWORD).await, Status::SeeOther);
            let (status, _) = app
                .get_html(&format!("/matching/mentee/{}", w.mentee.id))
                .await;
            assert_eq!(status, Status::Forbidden, "{email}");
            let (status, _) = app
                .get_html(&format!("/matching/school-pairing/{}", sp.id))
                .await;
            assert_eq!(status, Status::Forbidden, "{email}");
            let (status, _) = app
                .api(
                    Method::Get,
                    &format!(
                        "/api/v1/teacher-pairings/suggestions?mentee_id={}",
                        w.mentee.id
                    ),
                    None,
                )
                .await;
            assert_eq!(status, Status::Forbidden, "{email}");
            let mentor = w.mentor.id.to_string();
            let year = y.id.to_string();
            let res = app
                .post_form(
                    &format!("/matching/mentee/{}/drafts", w.mentee.id),
                    &[("mentor_id", &mentor), ("year_id", &year)],
                )
                .await;
            assert_eq!(res.status(), Status::Forbidden, "{email}");
            let res = app
                .post_form(
                    &format!("/matching/school-pairing/{}/drafts", sp.id),
                    &[("year_id", &year)],
                )
                .await;
            assert_eq!(res.status(), Status::Forbidden, "{email}");
            app.logout().await;
        }
        // The teacher page shows no matching link to a school admin.
        assert_eq!(
            app.login("rural@tongxing.test", PASSWORD).await,
            Status::SeeOther
        );
        let (_, html) = app.get_html(&format!("/teachers/{}", w.mentee.id)).await;
        assert!(!html.contains("/matching/mentee/"));
        assert_eq!(app.count("teacher_pairings").await, 0);
        // Unknown ids are 404 for the bureau.
        app.logout().await;
        assert_eq!(
            app.login("bureau@tongxing.test", PASSWORD).await,
            Status::SeeOther
        );
        let (status, _) = app.get_html("/matching/mentee/999999").await;
        assert_eq!(status, Status::NotFound);
        let (status, _) = app.get_html("/matching/school-pairing/999999").await;
        assert_eq!(status, Status::NotFound);
        let (status, _) = app.get_html("/matching/mentee/abc").await;
        assert_eq!(status, Status::NotFound);
    })
    .await;
}

#[rocket::async_test]
async fn a_suggestion_becomes_a_draft() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = year(&app).await;
        let sp = active_school_pairing(&app, w.urban.id, w.rural.id).await;
        assert_eq!(
            app.login("bureau@tongxing.test", PASSWORD).await,
            Status::SeeOther
        );
        let mentor = w.mentor.id.to_string();
        let year = y.id.to_string();
        let res = app
            .post_form(
                &format!("/matching/mentee/{}/drafts", w.mentee.id),
                &[("mentor_id", &mentor), ("year_id", &year)],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let rows = teacher_pairings::Entity::find()
            .all(&app.db)
            .await
            .expect("rows");
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!((row.mentor_id, row.mentee_id), (w.mentor.id, w.mentee.id));
        assert_eq!(row.status, PairingStatus::Draft);
        assert_eq!(row.subject, "数学");
        assert_eq!(row.academic_year_id, y.id);
        assert_eq!(row.school_pairing_id, Some(sp.id));
        let location = res
            .headers()
            .get_one("Location")
            .unwrap_or_default()
            .to_string();
        assert_eq!(location, format!("/teacher-pairings/{}", row.id));
        // Already paired this year: no longer suggested, and a second click is refused.
        let (_, html) = app
            .get_html(&format!("/matching/mentee/{}", w.mentee.id))
            .await;
        assert!(!html.contains(">李明</a>"));
        let res = app
            .post_form(
                &format!("/matching/mentee/{}/drafts", w.mentee.id),
                &[("mentor_id", &mentor), ("year_id", &year)],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert!(
            res.headers()
                .get_one("Location")
                .unwrap_or_default()
                .starts_with("/matching/mentee/")
        );
        assert_eq!(app.count("teacher_pairings").await, 1);
    })
    .await;
}

/// The best total by trying every assignment (each mentee to one mentor or none).
fn brute_force(scores: &[Vec<Option<i64>>], caps: &[usize]) -> i64 {
    fn go(r: usize, scores: &[Vec<Option<i64>>], left: &mut [usize]) -> i64 {
        if r == scores.len() {
            return 0;
        }
        let mut best = go(r + 1, scores, left);
        for c in 0..left.len() {
            if left[c] > 0
                && let Some(s) = scores[r][c]
            {
                left[c] -= 1;
                best = best.max(s + go(r + 1, scores, left));
                left[c] += 1;
            }
        }
        best
    }
    go(0, scores, &mut caps.to_vec())
}

#[rocket::async_test]
async fn propose_all_creates_the_optimal_drafts() {
    each_db(|app| async move {
        let w = world(&app).await;
        let bureau = &w.bureau_actor;
        let y = year(&app).await;
        set_max_mentees(&app, 1).await;
        let sp = active_school_pairing(&app, w.urban.id, w.rural.id).await;
        // Receiving school: 姚成琳 (数学, 七年级) from the world, and three more.
        let mentees = [
            w.mentee.clone(),
            teacher(
                &app,
                bureau,
                w.rural.id,
                "周红",
                "R002",
                "数学",
                "八年级",
                "second",
                3,
                "",
            )
            .await,
            teacher(
                &app,
                bureau,
                w.rural.id,
                "吴刚",
                "R003",
                "语文、数学",
                "七年级",
                "third",
                1,
                "",
            )
            .await,
            teacher(
                &app,
                bureau,
                w.rural.id,
                "郑洁",
                "R004",
                "英语",
                "七年级",
                "third",
                1,
                "",
            )
            .await,
        ];
        // One already has a pairing this year: left out.
        let busy = teacher(
            &app,
            bureau,
            w.rural.id,
            "冯雪",
            "R005",
            "数学",
            "七年级",
            "third",
            1,
            "",
        )
        .await;
        let elsewhere = teacher(
            &app,
            bureau,
            w.urban.id,
            "外校师傅",
            "U009",
            "物理",
            "",
            "second",
            1,
            "",
        )
        .await;
        pairing_row(&app, elsewhere.id, busy.id, y.id, "active").await;
        // Supporting school: 李明 (数学, 七年级, first) from the world, and more.
        let mentors = [
            w.mentor.clone(),
            teacher(
                &app,
                bureau,
                w.urban.id,
                "何军",
                "U003",
                "数学",
                "八年级、七年级",
                "senior",
                18,
                "骨干教师",
            )
            .await,
            teacher(
                &app,
                bureau,
                w.urban.id,
                "林芳",
                "U004",
                "语文",
                "七年级",
                "senior",
                12,
                "",
            )
            .await,
        ];
        let full = teacher(
            &app,
            bureau,
            w.urban.id,
            "满员",
            "U005",
            "数学",
            "七年级",
            "professor",
            30,
            "名师",
        )
        .await;
        pairing_row(
            &app,
            full.id,
            x_teacher(&app, bureau, w.rural.id).await,
            y.id,
            "active",
        )
        .await;

        // The expected optimum, by brute force over the same scores.
        let district = Some("连州市".to_string());
        let ctx = Context {
            spare: 1,
            schools_paired: true,
            same_district: district,
        };
        let scores: Vec<Vec<Option<i64>>> = mentees
            .iter()
            .map(|e| {
                mentors
                    .iter()
                    .map(|m| {
                        matching::score(&Profile::of(m), &Profile::of(e), &ctx).map(|s| s.points)
                    })
                    .collect()
            })
            .collect();
        let best = brute_force(&scores, &[1, 1, 1]);

        assert_eq!(
            app.login("bureau@tongxing.test", PASSWORD).await,
            Status::SeeOther
        );
        let (status, html) = app
            .get_html(&format!(
                "/matching/school-pairing/{}?year_id={}",
                sp.id, y.id
            ))
            .await;
        assert_eq!(status, Status::Ok, "{html}");
        assert!(html.contains(&format!("方案总分：{best}")), "{html}");
        assert!(html.contains("郑洁"), "unmatched teacher listed");
        assert!(!html.contains("冯雪"));
        assert!(!html.contains("满员"));

        let res = app
            .post_form(
                &format!("/matching/school-pairing/{}/drafts", sp.id),
                &[("year_id", &y.id.to_string())],
            )
            .await;
        assert_eq!(res.status(), Status::Ok);
        let html = res.into_string().await.unwrap_or_default();
        assert!(html.contains("已生成 3 个结对草稿"), "{html}");

        let created = teacher_pairings::Entity::find()
            .filter(teacher_pairings::Column::SchoolPairingId.eq(sp.id))
            .all(&app.db)
            .await
            .expect("rows");
        assert_eq!(created.len(), 3);
        let mut got = 0;
        let mut used = std::collections::HashSet::new();
        for row in &created {
            assert_eq!(row.status, PairingStatus::Draft);
            assert_eq!(row.academic_year_id, y.id);
            assert!(used.insert(row.mentor_id), "a mentor over the cap of 1");
            let r = mentees
                .iter()
                .position(|t| t.id == row.mentee_id)
                .expect("a proposed mentee");
            let c = mentors
                .iter()
                .position(|t| t.id == row.mentor_id)
                .expect("a proposed mentor");
            got += scores[r][c].expect("a possible pair");
            let mentee = &mentees[r];
            assert!(
                tongxing::domain::types::parse_json_list(&mentee.subjects).contains(&row.subject)
            );
        }
        assert_eq!(got, best);
        // 吴刚 shares 语文 with 林芳: the best shared subject is his first one.
        let wu = created
            .iter()
            .find(|r| r.mentee_id == mentees[2].id)
            .expect("吴刚 paired");
        assert_eq!((wu.mentor_id, wu.subject.as_str()), (mentors[2].id, "语文"));

        // Proposing again finds nobody left to pair; nothing is created twice.
        let res = app
            .post_form(
                &format!("/matching/school-pairing/{}/drafts", sp.id),
                &[("year_id", &y.id.to_string())],
            )
            .await;
        assert_eq!(res.status(), Status::Ok);
        assert_eq!(app.count("teacher_pairings").await, 3 + 2);

        // A pairing that is not active cannot be proposed for.
        let mut draft: school_pairings::ActiveModel = sp.clone().into();
        draft.status = Set(PairingStatus::Completed);
        draft.update(&app.db).await.expect("complete");
        let (status, _) = app
            .get_html(&format!("/matching/school-pairing/{}", sp.id))
            .await;
        assert_eq!(status, Status::Conflict);
    })
    .await;
}

/// The 一键配对 page explains its score (the parts, each pair's points per reason, the
/// scale) and lets the bureau drop single suggestions: only the ticked pairs become
/// drafts; ticking none, or a pair that is not proposed, makes nothing and says so.
#[rocket::async_test]
async fn the_bureau_keeps_or_drops_single_suggestions() {
    each_db(|app| async move {
        let w = world(&app).await;
        let bureau = &w.bureau_actor;
        let y = year(&app).await;
        let sp = active_school_pairing(&app, w.urban.id, w.rural.id).await;
        let wu = teacher(
            &app,
            bureau,
            w.rural.id,
            "吴刚",
            "R003",
            "语文",
            "七年级",
            "third",
            1,
            "",
        )
        .await;
        let lin = teacher(
            &app,
            bureau,
            w.urban.id,
            "林芳",
            "U004",
            "语文",
            "七年级",
            "senior",
            12,
            "",
        )
        .await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let page = format!("/matching/school-pairing/{}?year_id={}", sp.id, y.id);
        let (status, html) = app.get_html(&page).await;
        assert_eq!(status, Status::Ok);
        assert!(
            html.contains(&format!("满分 {} 分", matching::points::MAX))
                && html.contains("同学科：100 分")
                && html.contains("<span class=\"pts\">+100</span>"),
            "the score explained: {html}"
        );
        let keep_yao = format!("{}-{}", w.mentee.id, w.mentor.id);
        let keep_wu = format!("{}-{}", wu.id, lin.id);
        assert!(
            html.contains(&keep_yao) && html.contains(&keep_wu),
            "{html}"
        );
        let before = app.count("teacher_pairings").await;
        let post = format!("/matching/school-pairing/{}/drafts", sp.id);
        let year_id = y.id.to_string();
        // None ticked, or only a pair that is not proposed: nothing made, the page says why.
        let forged = format!("{}-{}", wu.id, w.mentor.id);
        for fields in [
            vec![("year_id", year_id.as_str()), ("choosing", "1")],
            vec![
                ("year_id", year_id.as_str()),
                ("choosing", "1"),
                ("pair", forged.as_str()),
            ],
            vec![
                ("year_id", year_id.as_str()),
                ("choosing", "1"),
                ("pair", "x-y"),
            ],
        ] {
            let res = app.post_form(&post, &fields).await;
            assert_eq!(res.status(), Status::Ok);
            let html = res.into_string().await.unwrap_or_default();
            assert!(html.contains("请至少勾选一对"), "{fields:?}: {html}");
            assert_eq!(app.count("teacher_pairings").await, before, "{fields:?}");
        }
        // 吴刚 ← 林芳 dropped: only 姚成琳 ← 李明 is made; 吴刚 is proposed again.
        let res = app
            .post_form(
                &post,
                &[
                    ("year_id", year_id.as_str()),
                    ("choosing", "1"),
                    ("pair", keep_yao.as_str()),
                ],
            )
            .await;
        let html = res.into_string().await.unwrap_or_default();
        assert!(html.contains("已生成 1 个结对草稿"), "{html}");
        let made = teacher_pairings::Entity::find()
            .filter(teacher_pairings::Column::SchoolPairingId.eq(sp.id))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(
            made.iter()
                .map(|r| (r.mentee_id, r.mentor_id))
                .collect::<Vec<_>>(),
            vec![(w.mentee.id, w.mentor.id)]
        );
        assert!(
            html.contains(&keep_wu),
            "the dropped pair is proposed again: {html}"
        );
        // In English too.
        let (_, html) = app.get_html(&format!("{page}&lang=en")).await;
        assert!(
            html.contains("How the score adds up")
                && html.contains("Make drafts of the ticked pairs"),
            "{html}"
        );
    })
    .await;
}

async fn x_teacher(app: &TestApp, admin: &Actor, school_id: i64) -> i64 {
    teacher(
        app, admin, school_id, "某", "R099", "物理", "", "second", 1, "",
    )
    .await
    .id
}

/// "Propose all" makes its drafts in one transaction: when making one fails part-way (here
/// a trigger refuses the second insert), none of them is left behind.
#[rocket::async_test]
async fn propose_all_is_all_or_nothing() {
    each_db(|app| async move {
        let w = world(&app).await;
        let bureau = &w.bureau_actor;
        let y = year(&app).await;
        let sp = active_school_pairing(&app, w.urban.id, w.rural.id).await;
        teacher(
            &app,
            bureau,
            w.rural.id,
            "周红",
            "R002",
            "数学",
            "七年级",
            "second",
            3,
            "",
        )
        .await;
        teacher(
            &app,
            bureau,
            w.urban.id,
            "何军",
            "U003",
            "数学",
            "七年级",
            "senior",
            18,
            "",
        )
        .await;
        let trigger = match app.backend {
            crate::common::Backend::Sqlite => vec![
                "CREATE TRIGGER refuse_second BEFORE INSERT ON teacher_pairings \
                 WHEN (SELECT COUNT(*) FROM teacher_pairings) >= 1 \
                 BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END",
            ],
            crate::common::Backend::Postgres => vec![
                "CREATE FUNCTION refuse_second() RETURNS trigger AS $$ BEGIN \
                 IF (SELECT COUNT(*) FROM teacher_pairings) >= 1 THEN \
                 RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$ \
                 LANGUAGE plpgsql",
                "CREATE TRIGGER refuse_second BEFORE INSERT ON teacher_pairings \
                 FOR EACH ROW EXECUTE FUNCTION refuse_second()",
            ],
        };
        for sql in trigger {
            app.db.execute_unprepared(sql).await.expect("trigger");
        }
        let audit = app.count("audit_log").await;
        let result =
            tongxing::domain::matching::propose_all(&app.db, bureau, sp.id, Some(y.id), None).await;
        assert!(result.is_err(), "the second insert failed");
        assert_eq!(
            app.count("teacher_pairings").await,
            0,
            "no draft left behind"
        );
        assert_eq!(app.count("audit_log").await, audit);
        // Without the trigger both drafts are made.
        let drop = match app.backend {
            crate::common::Backend::Sqlite => "DROP TRIGGER refuse_second",
            crate::common::Backend::Postgres => "DROP TRIGGER refuse_second ON teacher_pairings",
        };
        app.db.execute_unprepared(drop).await.expect("drop trigger");
        let outcome =
            tongxing::domain::matching::propose_all(&app.db, bureau, sp.id, Some(y.id), None)
                .await
                .expect("propose all");
        assert_eq!(outcome.created.len(), 2);
        assert_eq!(
            app.count("teacher_pairings WHERE status = 'draft'").await,
            2
        );
    })
    .await;
}
