//! Work plans (工作方案): the mentor edits, the mentee reads and comments, a stale save is
//! refused with both texts shown and nothing overwritten.
use rocket::http::{Method, Status};
use serde_json::json;
use tongxing::domain::work_plans::WorkPlan;

use crate::common::{PASSWORD, each_db};
use crate::teacher_pairings::{row, setup};

fn plan_fields<'a>(version: &'a str, ethics: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("version", version),
        ("analysis_ethics", ethics),
        ("analysis_skill", "从教多年，课堂组织经验不足。"),
        ("goals", "共同学习，一起进步。"),
        ("measures_ethics", ""),
        ("measures_teaching", "做好课后反思。"),
        ("measures_self", "多学习，多反思，多琢磨。"),
        ("t1_observations", "4"),
        ("t1_attended", "2"),
        ("t1_reflections", "4"),
        ("t1_contacts", "8"),
        ("t2_observations", "4"),
        ("t2_attended", "2"),
        ("t2_reflections", "4"),
        ("t2_contacts", "8"),
    ]
}

#[rocket::async_test]
async fn stale_save_is_refused_with_both_texts() {
    each_db(|app| async move {
        let (_w, _y, id) = setup(&app).await;
        let path = format!("/teacher-pairings/{id}/plan");

        // The mentor saves version 0.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (s, html) = app.get_html(&path).await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("name=\"version\" value=\"0\""));
        let res = app
            .post_form(&path, &plan_fields("0", "爱岗敬业，责任心较强。"))
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let r = row(&app, id).await;
        assert_eq!(r.plan_version, 1);
        let plan = WorkPlan::parse(&r.plan);
        assert_eq!(plan.analysis_ethics, "爱岗敬业，责任心较强。");
        assert_eq!(plan.term1.observations, 4);
        app.logout().await;

        // The bureau edits through the API from version 1.
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (s, body) = app
            .api(
                Method::Get,
                &format!("/api/v1/teacher-pairings/{id}/plan"),
                None,
            )
            .await;
        assert_eq!(s, Status::Ok);
        assert_eq!(body["version"], 1);
        let mut plan_json = body["plan"].clone();
        plan_json["analysis_ethics"] = json!("教育局补充：虚心好学。");
        let (s, body) = app
            .api(
                Method::Put,
                &format!("/api/v1/teacher-pairings/{id}/plan"),
                Some(json!({"version": 1, "plan": plan_json.clone()})),
            )
            .await;
        assert_eq!(s, Status::Ok, "{body}");
        assert_eq!(body["version"], 2);
        // A stale API save: 409 with the current plan.
        plan_json["goals"] = json!("旧版本上的修改");
        let (s, body) = app
            .api(
                Method::Put,
                &format!("/api/v1/teacher-pairings/{id}/plan"),
                Some(json!({"version": 1, "plan": plan_json})),
            )
            .await;
        assert_eq!(s, Status::Conflict);
        assert!(body["error"]["fields"]["version"].is_array(), "{body}");
        assert_eq!(body["current"]["version"], 2);
        assert_eq!(
            body["current"]["plan"]["analysis_ethics"],
            "教育局补充：虚心好学。"
        );
        app.logout().await;

        // The mentor saves from the old version 1: refused, both texts on the page.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let res = app
            .post_form(&path, &plan_fields("1", "我的新写法：以身作则。"))
            .await;
        assert_eq!(res.status(), Status::Conflict);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("我的新写法：以身作则。"), "own text kept");
        assert!(html.contains("教育局补充：虚心好学。"), "other text shown");
        assert!(html.contains("name=\"version\" value=\"2\""));
        let r = row(&app, id).await;
        assert_eq!(r.plan_version, 2);
        assert_eq!(
            WorkPlan::parse(&r.plan).analysis_ethics,
            "教育局补充：虚心好学。"
        );
        assert_eq!(WorkPlan::parse(&r.plan).goals, "共同学习，一起进步。");
        // Having seen both, the mentor saves against version 2.
        let res = app
            .post_form(&path, &plan_fields("2", "我的新写法：以身作则。"))
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(row(&app, id).await.plan_version, 3);
    })
    .await;
}

#[rocket::async_test]
async fn plan_values_are_checked() {
    each_db(|app| async move {
        let (_w, _y, id) = setup(&app).await;
        let path = format!("/teacher-pairings/{id}/plan");
        app.login("mentor@tongxing.test", PASSWORD).await;
        let mut fields = plan_fields("0", "文字");
        fields.retain(|(k, _)| *k != "t1_observations");
        fields.push(("t1_observations", "51"));
        let res = app.post_form(&path, &fields).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let long = "字".repeat(5001);
        let res = app.post_form(&path, &plan_fields("0", &long)).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let r = row(&app, id).await;
        assert_eq!(r.plan_version, 0);
        assert_eq!(WorkPlan::parse(&r.plan), WorkPlan::default());
    })
    .await;
}

#[rocket::async_test]
async fn mentee_comments_but_does_not_edit() {
    each_db(|app| async move {
        let (_w, _y, id) = setup(&app).await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let path = format!("/teacher-pairings/{id}/plan");
        let (s, _) = app.get_html(&path).await;
        assert_eq!(s, Status::Forbidden);
        let res = app.post_form(&path, &plan_fields("0", "徒弟改的")).await;
        assert_eq!(res.status(), Status::Forbidden);
        let (s, _) = app
            .api(
                Method::Put,
                &format!("/api/v1/teacher-pairings/{id}/plan"),
                Some(json!({"version": 0, "plan": {"goals": "徒弟改的"}})),
            )
            .await;
        assert_eq!(s, Status::Forbidden);
        let r = row(&app, id).await;
        assert_eq!(r.plan_version, 0);
        // The mentee reads the plan and comments.
        let (s, _) = app
            .api(
                Method::Get,
                &format!("/api/v1/teacher-pairings/{id}/plan"),
                None,
            )
            .await;
        assert_eq!(s, Status::Ok);
        let res = app
            .post_form(
                &format!("/teacher-pairings/{id}/comments"),
                &[("body", "希望多安排示范课。")],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(app.count("plan_comments").await, 1);
        let (s, html) = app.get_html(&format!("/teacher-pairings/{id}")).await;
        assert_eq!(s, Status::Ok);
        assert!(html.contains("希望多安排示范课。"));
        // An empty comment is refused and nothing is stored.
        let res = app
            .post_form(
                &format!("/teacher-pairings/{id}/comments"),
                &[("body", " ")],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert_eq!(app.count("plan_comments").await, 1);
    })
    .await;
}
