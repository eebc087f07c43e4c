//! Each role's home leads with its to-do list (issue 11 item 2): the bureau's drafts,
//! termination requests, pairings behind their prorated term targets and this term's
//! observations; the mentee's observations waiting for a reflection; the mentor's pairings
//! with no observation this month; the school admin's requests and pairings behind; unread
//! notices for everyone.
use rocket::http::Status;

use crate::common::{PASSWORD, TestApp, each_db, world};
use crate::observations::{began_days_ago, classroom, days_ago, full_form, post};
use tongxing::domain::teacher_pairings as tp;

/// The to-do panel of a home page (from its heading to the end of its section).
fn todo_of(html: &str) -> &str {
    let start = html.find("id=\"todo\"").expect("a to-do panel");
    let end = html[start..].find("</section>").expect("its end") + start;
    &html[start..end]
}

/// An active pairing of `mentor` → `mentee` with term-1 targets of 4 observations,
/// published `days` ago.
async fn pairing(
    app: &TestApp,
    w: &crate::common::World,
    mentor: i64,
    mentee: i64,
    year: i64,
    days: i64,
) -> i64 {
    let id = crate::teacher_pairings::paired(app, w, mentor, mentee, "数学", year).await;
    began_days_ago(app, id, days).await;
    let actor = w.bureau_actor.clone();
    let plan = tongxing::domain::work_plans::PlanForm {
        version: "0".into(),
        t1_observations: "4".into(),
        t2_observations: "4".into(),
        ..Default::default()
    };
    tongxing::domain::work_plans::save_plan(&app.db, &actor, id, &plan)
        .await
        .unwrap()
        .expect("plan saved");
    id
}

#[rocket::async_test]
async fn the_bureau_home_leads_with_drafts_requests_and_pairings_behind() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = crate::observations::year_around_today(&app, &w).await;
        // Behind: published 59 days ago, 2 of 4 observations due, none logged.
        let late = pairing(&app, &w, w.mentor.id, w.mentee.id, y, 59).await;
        // Published today with the same targets and nothing logged: not behind.
        let t2 = app
            .teacher(&w.bureau_actor, w.urban.id, "周新", "U002")
            .await;
        let m2 = app
            .teacher(&w.bureau_actor, w.rural.id, "何早", "R002")
            .await;
        let fresh = pairing(&app, &w, t2.id, m2.id, y, 0).await;
        // A draft of each kind, and a termination request.
        crate::school_pairings::draft(&app, &w, w.urban.id, w.rural.id, "2026-2027", "2026-2027")
            .await;
        let t3 = app
            .teacher(&w.bureau_actor, w.urban.id, "陈曦", "U003")
            .await;
        let m3 = app
            .teacher(&w.bureau_actor, w.rural.id, "林朝", "R003")
            .await;
        tp::create(
            &app.db,
            &w.bureau_actor,
            &crate::teacher_pairings::form(t3.id, m3.id, "语文", y),
        )
        .await
        .unwrap();
        let mentee = tongxing::domain::users::actor_of(&w.mentee_user);
        tp::request_termination(&app.db, &mentee, late, "调往外地任教", crate::common::ctx())
            .await
            .unwrap();

        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/").await;
        assert_eq!(status, Status::Ok);
        let todo = todo_of(&html);
        assert!(todo.contains("1 个学校结对草稿待发布"), "{todo}");
        assert!(todo.contains("href=\"/school-pairings?status=draft\""));
        assert!(todo.contains("1 个师徒结对草稿待发布"));
        assert!(todo.contains("href=\"/teacher-pairings?status=draft\""));
        assert!(todo.contains("师徒结对终止申请待审核（1）"));
        assert!(todo.contains(&format!("href=\"/teacher-pairings/{late}\"")));
        assert!(todo.contains("调往外地任教"), "the request's reason");
        assert!(todo.contains("未达到本学期进度的师徒结对（1）"), "{todo}");
        assert!(todo.contains("听课 0/4"), "the behind pairing's counts");
        assert!(
            !todo.contains(&format!("href=\"/teacher-pairings/{fresh}\"")),
            "a pairing published today is not behind"
        );
        // The counts link to the filtered lists.
        assert!(html.contains(&format!("href=\"/observations?year={y}&amp;term=first\"")));
        assert!(html.contains("href=\"/schools?kind=urban\""));

        // The request's link opens the list of pending requests: that pairing only.
        let (_, list) = app.get_html("/teacher-pairings?status=requested").await;
        assert!(list.contains(&format!("/teacher-pairings/{late}\"")));
        assert!(!list.contains(&format!("/teacher-pairings/{fresh}\"")));

        // English: plural forms follow the count.
        let (_, en) = app.get_html("/?lang=en").await;
        let todo = todo_of(&en);
        assert!(todo.contains("1 school pairing draft to publish"), "{todo}");
        assert!(todo.contains("1 teacher pairing draft to publish"));
        assert!(
            todo.contains("Teacher pairings behind this term&#39;s targets (1)"),
            "{todo}"
        );
        app.get_html("/?lang=zh-CN").await;
        app.logout().await;

        // The mentee's school admin sees the request and the pairing behind.
        app.login("rural@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/").await;
        let todo = todo_of(&html);
        assert!(todo.contains("师徒结对终止申请待审核（1）"), "{todo}");
        assert!(todo.contains("未达到本学期进度的师徒结对（1）"));
        assert!(!todo.contains("草稿"), "drafts are the bureau's");
    })
    .await;
}

#[rocket::async_test]
async fn a_teachers_home_lists_observations_to_reflect_on_and_quiet_pairings() {
    each_db(|app| async move {
        let w = world(&app).await;
        let y = crate::observations::year_around_today(&app, &w).await;
        let p = pairing(&app, &w, w.mentor.id, w.mentee.id, y, 59).await;
        let r = classroom(&app).await;

        // The mentor has logged nothing this month: the pairing is listed.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/").await;
        let todo = todo_of(&html);
        assert!(todo.contains("本月尚未听课的结对（1）"), "{todo}");
        assert!(todo.contains(&format!("href=\"/teacher-pairings/{p}/observations/new\"")));
        // Logging a lesson today takes it off the list.
        let (status, _, _) = post(
            &app,
            &format!("/teacher-pairings/{p}/observations"),
            &full_form(&r, &days_ago(0), 0.0),
        )
        .await;
        assert_eq!(status, Status::SeeOther);
        let obs = app.count("observations").await;
        assert_eq!(obs, 1);
        let (_, html) = app.get_html("/").await;
        assert!(!todo_of(&html).contains("本月尚未听课的结对"));
        app.logout().await;

        // The mentee: the observation waits for a reflection, and its notice is unread.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/").await;
        let todo = todo_of(&html).to_string();
        assert!(todo.contains("待写反思的听课记录（1）"), "{todo}");
        let oid: i64 = app
            .scalar("SELECT id AS n FROM observations ORDER BY id DESC LIMIT 1")
            .await;
        let write = format!("/teacher-pairings/{p}/reflections/new?observation={oid}");
        assert!(todo.contains(&write), "{todo}");
        assert!(
            todo.contains("未读消息（2）") && todo.contains("新的听课记录：一元一次方程的应用"),
            "the notices of the publication and of the new observation: {todo}"
        );
        // Writing the reflection takes the observation off the list.
        let oid_text = oid.to_string();
        let res = app
            .post_form(
                &format!("/teacher-pairings/{p}/reflections"),
                &[
                    ("title", "第一次反思"),
                    ("body", "课堂节奏偏快。\n\n下次先讲例题。"),
                    ("observation_id", oid_text.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app.get_html("/").await;
        let todo = todo_of(&html);
        assert!(!todo.contains("待写反思的听课记录"), "{todo}");
        app.logout().await;

        // The mentor now has an unread notice of the new reflection.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html("/").await;
        let todo = todo_of(&html);
        assert!(todo.contains("写了新的反思"), "{todo}");
        assert!(
            todo.contains("/notifications/"),
            "read it from the home page"
        );
    })
    .await;
}

/// The addresses of the desktop menu's links.
fn menu_of(html: &str) -> Vec<String> {
    let start = html.find("<nav class=\"desk\"").expect("a desktop menu");
    let end = html[start..].find("</nav>").expect("its end") + start;
    html[start..end]
        .split("href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap_or(0)].to_string())
        .collect()
}

/// Each role's menu offers what it can use, in one row of page titles; the account menu
/// holds notifications, profile and sign-out (issue 11 items 7 and 8).
#[rocket::async_test]
async fn each_role_sees_the_menu_it_can_use_labelled_as_its_pages() {
    each_db(|app| async move {
        let _w = world(&app).await;
        let cases: [(&str, &[&str]); 3] = [
            (
                "bureau@tongxing.test",
                &[
                    "/",
                    "/schools",
                    "/school-pairings",
                    "/teacher-pairings",
                    "/observations",
                    "/reflections",
                    "/teachers",
                    "/secondments",
                    "/contributions",
                    "/visits",
                    "/training-weeks",
                    "/resources",
                    "/self-evaluations",
                    "/manage",
                ],
            ),
            (
                "rural@tongxing.test",
                &[
                    "/",
                    "/schools",
                    "/school-pairings",
                    "/teacher-pairings",
                    "/observations",
                    "/reflections",
                    "/teachers",
                    "/secondments",
                    "/contributions",
                    "/visits",
                    "/training-weeks",
                    "/resources",
                    "/self-evaluations",
                ],
            ),
            (
                "mentee@tongxing.test",
                &[
                    "/",
                    "/teacher-pairings",
                    "/observations",
                    "/reflections",
                    "/secondments",
                    "/visits",
                    "/resources",
                    "/self-evaluations",
                ],
            ),
        ];
        for (email, expected) in cases {
            app.login(email, PASSWORD).await;
            for lang in ["zh-CN", "en"] {
                let (_, html) = app.get_html(&format!("/?lang={lang}")).await;
                let menu = menu_of(&html);
                assert_eq!(menu, expected.to_vec(), "{email} {lang}");
                // Every menu label is the title of the page it opens.
                let start = html.find("<nav class=\"desk\"").unwrap();
                let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
                for href in menu.iter().filter(|h| h.as_str() != "/") {
                    let (status, page) = app.get_html(href).await;
                    assert_eq!(status, Status::Ok, "{email} {href}");
                    let title = page
                        .split("<title>")
                        .nth(1)
                        .and_then(|t| t.split(" · ").next())
                        .expect("a title")
                        .to_string();
                    assert!(
                        nav.contains(&format!(">{title}</a>")),
                        "{email} {lang}: the menu names {href} as its title {title}"
                    );
                }
                // The account menu: notifications, profile, sign-out.
                let account = &html[html.find("class=\"account").expect("account menu")..];
                assert!(account.contains("href=\"/notifications\""));
                assert!(account.contains("href=\"/profile\""));
                assert!(account.contains("action=\"/logout\""));
            }
            app.logout().await;
        }
    })
    .await;
}

/// On phones the list tables become cards: every data cell carries its heading
/// (`data-label`) unless it holds only an action (a form or a link), so no card row shows
/// a bare value (issue 11 item 8). Empty cells are hidden by the stylesheet.
#[rocket::async_test]
async fn list_cells_carry_their_headings_for_phone_cards() {
    each_db(|app| async move {
        tongxing::demo::load(&app.db).await.expect("demo");
        app.login("bureau@demo.tongxing.cn", tongxing::demo::DEMO_PASSWORD)
            .await;
        let cell = regex::Regex::new(r"(?s)<td([^>]*)>(.*?)</td>").unwrap();
        for path in [
            "/schools",
            "/teachers",
            "/school-pairings",
            "/teacher-pairings",
            "/observations",
            "/secondments",
            "/users",
            "/academic-years",
        ] {
            let (status, html) = app.get_html(path).await;
            assert_eq!(status, Status::Ok, "{path}");
            let Some(start) = html.find("class=\"list") else {
                continue;
            };
            for c in cell.captures_iter(&html[start..]) {
                let (attrs, body) = (&c[1], &c[2]);
                let action_only = body.trim_start().starts_with("<form")
                    || body.trim_start().starts_with("<input")
                    || (body.trim_start().starts_with("<a ") && body.trim_end().ends_with("</a>"))
                    || body.trim().is_empty();
                assert!(
                    attrs.contains("data-label=") || action_only,
                    "{path}: a cell without its heading: <td{attrs}>{body}</td>"
                );
            }
        }
        let css = std::fs::read_to_string("static/app.css").unwrap();
        assert!(css.contains(".list td:empty{display:none}"));
    })
    .await;
}
