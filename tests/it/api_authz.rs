//! JSON API authorization matrix: anonymous, a teacher, the admin of school A, the admin
//! of school B and the bureau against every endpoint. Each expected status is asserted;
//! a refused request must leave every table as it was.
use rocket::http::{Method, Status};
use serde_json::{Value, json};
use tongxing::domain::academic_years::{self, YearForm};

use crate::api::{call, error_code, snapshot, token_for};
use crate::common::{each_db, world};

const WHO: [&str; 5] = ["anonymous", "teacher", "admin of A", "admin of B", "bureau"];

struct Case {
    method: Method,
    path: String,
    /// The body for caller number `i` (so that two successful creates do not collide).
    body: Option<Box<dyn Fn(usize) -> Value>>,
    /// Expected status per caller, in `WHO` order.
    expect: [u16; 5],
}

fn case(method: Method, path: String, expect: [u16; 5]) -> Case {
    Case {
        method,
        path,
        body: None,
        expect,
    }
}

fn with_body(
    method: Method,
    path: String,
    body: impl Fn(usize) -> Value + 'static,
    expect: [u16; 5],
) -> Case {
    Case {
        method,
        path,
        body: Some(Box::new(body)),
        expect,
    }
}

#[rocket::async_test]
async fn every_endpoint_checks_who_is_asking() {
    each_db(|app| async move {
        let w = world(&app).await;
        // A: the urban school; B: the rural school. The teacher is the urban mentor.
        let (a, b) = (w.urban.id, w.rural.id);
        let spare = app
            .user(&w.bureau_actor, "spare@tongxing.test", "school_admin", Some(a), None)
            .await;
        let year_form = |name: &str, start: &str, end: &str| YearForm {
            name: name.into(),
            starts_on: start.into(),
            ends_on: end.into(),
            ..Default::default()
        };
        let y1 = academic_years::create(
            &app.db,
            &w.bureau_actor,
            &year_form("2025-2026", "2025-09-01", "2026-07-15"),
        )
        .await
        .unwrap();
        let y2 = academic_years::create(
            &app.db,
            &w.bureau_actor,
            &year_form("2026-2027", "2026-09-01", "2027-07-15"),
        )
        .await
        .unwrap();
        let tokens = [
            None,
            Some(token_for(&app, &w.mentor_user).await),
            Some(token_for(&app, &w.urban_admin).await),
            Some(token_for(&app, &w.rural_admin).await),
            Some(token_for(&app, &w.bureau).await),
        ];

        let school = move |code: &'static str| {
            move |_: usize| {
                json!({"name": "学校", "code": code, "kind": "rural", "stage": "junior",
                       "district": "连州市"})
            }
        };
        let teacher = move |school_id: i64, staff_no: &'static str| {
            move |i: usize| {
                json!({"school_id": school_id, "name": "新老师", "gender": "male",
                       "staff_no": format!("{staff_no}{i}"), "subjects": ["英语"],
                       "title": "third"})
            }
        };
        let mentee = w.mentee.id;
        let mentor = w.mentor.id;
        let spare_id = spare.id;
        let mentee_user = w.mentee_user.id;

        let cases = vec![
            case(Method::Get, "/api/v1/session".into(), [401, 200, 200, 200, 200]),
            case(Method::Get, "/api/v1/openapi.json".into(), [200, 200, 200, 200, 200]),
            // Schools: everyone signed in reads; the bureau creates and (de)activates; the
            // bureau or the school's own admin edits.
            case(Method::Get, "/api/v1/schools".into(), [401, 200, 200, 200, 200]),
            case(Method::Get, format!("/api/v1/schools/{b}"), [401, 200, 200, 200, 200]),
            with_body(Method::Post, "/api/v1/schools".into(), school("4418829999"), [401, 403, 403, 403, 201]),
            with_body(Method::Put, format!("/api/v1/schools/{a}"), school("4418820001"), [401, 403, 200, 403, 200]),
            with_body(Method::Put, format!("/api/v1/schools/{b}"), school("4418820002"), [401, 403, 403, 200, 200]),
            case(Method::Post, format!("/api/v1/schools/{b}/deactivate"), [401, 403, 403, 403, 200]),
            case(Method::Post, format!("/api/v1/schools/{b}/reactivate"), [401, 403, 403, 403, 200]),
            // Teachers: staff read their own school's (and, of other schools, those paired
            // with theirs: none between A and B here); a school manages its own; a teacher
            // reads only self. A teacher one may not see answers like a missing one (404).
            case(Method::Get, "/api/v1/teachers".into(), [401, 403, 200, 200, 200]),
            case(Method::Get, format!("/api/v1/teachers/{mentee}"), [401, 404, 404, 200, 200]),
            case(Method::Get, format!("/api/v1/teachers/{mentor}"), [401, 200, 200, 404, 200]),
            case(Method::Get, "/api/v1/teachers/999999".into(), [401, 404, 404, 404, 404]),
            with_body(Method::Post, "/api/v1/teachers".into(), teacher(b, "B-"), [401, 403, 403, 201, 201]),
            with_body(Method::Post, "/api/v1/teachers".into(), teacher(a, "A-"), [401, 403, 201, 403, 201]),
            with_body(Method::Put, format!("/api/v1/teachers/{mentee}"), teacher(b, "R00"), [401, 404, 404, 200, 200]),
            case(Method::Post, format!("/api/v1/teachers/{mentee}/deactivate"), [401, 403, 404, 200, 200]),
            case(Method::Post, format!("/api/v1/teachers/{mentee}/reactivate"), [401, 403, 404, 200, 200]),
            // Users: the bureau only, whoever the account is.
            case(Method::Get, "/api/v1/users".into(), [401, 403, 403, 403, 200]),
            case(Method::Get, format!("/api/v1/users/{mentee_user}"), [401, 403, 403, 403, 200]),
            case(Method::Get, format!("/api/v1/users/{}", w.mentor_user.id), [401, 403, 403, 403, 200]),
            with_body(
                Method::Post,
                "/api/v1/users".into(),
                move |i| json!({"email": format!("new{i}@tongxing.test"), "name": "新人",
                                "role": "school_admin", "school_id": a}),
                [401, 403, 403, 403, 201],
            ),
            with_body(
                Method::Put,
                format!("/api/v1/users/{spare_id}"),
                move |_| json!({"email": "spare@tongxing.test", "name": "备用", "role": "school_admin",
                                "school_id": a}),
                [401, 403, 403, 403, 200],
            ),
            case(Method::Post, format!("/api/v1/users/{spare_id}/deactivate"), [401, 403, 403, 403, 200]),
            case(Method::Post, format!("/api/v1/users/{spare_id}/reactivate"), [401, 403, 403, 403, 200]),
            // Academic years: everyone signed in reads; the bureau manages.
            case(Method::Get, "/api/v1/academic-years".into(), [401, 200, 200, 200, 200]),
            case(Method::Get, format!("/api/v1/academic-years/{}", y1.id), [401, 200, 200, 200, 200]),
            with_body(
                Method::Post,
                "/api/v1/academic-years".into(),
                |_| json!({"name": "2027-2028", "starts_on": "2027-09-01", "ends_on": "2028-07-15"}),
                [401, 403, 403, 403, 201],
            ),
            with_body(
                Method::Put,
                format!("/api/v1/academic-years/{}", y2.id),
                |_| json!({"name": "2026-2027", "starts_on": "2026-09-01", "ends_on": "2027-07-10"}),
                [401, 403, 403, 403, 200],
            ),
            case(Method::Post, format!("/api/v1/academic-years/{}/make-current", y2.id), [401, 403, 403, 403, 200]),
            case(Method::Delete, format!("/api/v1/academic-years/{}", y1.id), [401, 403, 403, 403, 204]),
        ];

        // Every unexpected answer is collected, so one run shows them all.
        let mut unexpected = Vec::new();
        for c in &cases {
            for (i, token) in tokens.iter().enumerate() {
                let before = snapshot(&app).await;
                let body = c.body.as_ref().map(|f| f(i));
                let (status, json) = call(&app, c.method, &c.path, token.as_deref(), body, None).await;
                if status.code != c.expect[i] {
                    unexpected.push(format!(
                        "{} {} {}: {} (expected {}) {json}",
                        WHO[i], c.method, c.path, status.code, c.expect[i]
                    ));
                    continue;
                }
                if status.code >= 400 {
                    let code = error_code(&json);
                    let expected = match status {
                        Status::Unauthorized => "unauthorized",
                        Status::Forbidden => "forbidden",
                        _ => "not_found",
                    };
                    assert_eq!(code, expected, "{} {} {}", WHO[i], c.method, c.path);
                    assert_eq!(
                        snapshot(&app).await,
                        before,
                        "{} {} {} changed something",
                        WHO[i],
                        c.method,
                        c.path
                    );
                }
            }
        }
        assert!(unexpected.is_empty(), "{unexpected:#?}");

        // The successful writes above did happen.
        assert_eq!(app.count("schools").await, 3);
        assert_eq!(app.count("teachers").await, 2 + 4);
        assert_eq!(app.count("academic_years").await, 2);
        let years = academic_years::list(&app.db).await.unwrap();
        assert!(years.iter().any(|y| y.id == y2.id && y.is_current));
        assert!(years.iter().all(|y| y.id != y1.id));
    })
    .await;
}

#[rocket::async_test]
async fn other_peoples_records() {
    each_db(|app| async move {
        let w = world(&app).await;
        // The two are paired, so each school's admin may read the other school's teacher.
        let y = crate::teacher_pairings::year(&app, &w, "2026-2027", true).await;
        crate::teacher_pairings::paired(&app, &w, w.mentor.id, w.mentee.id, "数学", y).await;
        let mentee = token_for(&app, &w.mentee_user).await;
        let urban_admin = token_for(&app, &w.urban_admin).await;
        let before = snapshot(&app).await;

        // A teacher may read their own record, not a colleague's; an id that does not
        // exist answers the same, so nothing is revealed.
        let (status, body) = call(
            &app,
            Method::Get,
            &format!("/api/v1/teachers/{}", w.mentee.id),
            Some(&mentee),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["phone"], "", "own contacts are shown");
        let (other, _) = call(
            &app,
            Method::Get,
            &format!("/api/v1/teachers/{}", w.mentor.id),
            Some(&mentee),
            None,
            None,
        )
        .await;
        let (missing, _) = call(
            &app,
            Method::Get,
            "/api/v1/teachers/424242",
            Some(&mentee),
            None,
            None,
        )
        .await;
        assert_eq!(other, Status::NotFound);
        assert_eq!(missing, Status::NotFound);
        // Not even their own account record: accounts are the bureau's.
        let (status, _) = call(
            &app,
            Method::Get,
            &format!("/api/v1/users/{}", w.mentee_user.id),
            Some(&mentee),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Forbidden);
        // A teacher cannot edit a colleague, nor deactivate themself.
        let (status, _) = call(
            &app,
            Method::Put,
            &format!("/api/v1/teachers/{}", w.mentor.id),
            Some(&mentee),
            Some(
                json!({"school_id": w.mentor.school_id, "name": "改名", "gender": "male",
                        "staff_no": w.mentor.staff_no, "subjects": ["数学"], "title": "first",
                        "phone": "110"}),
            ),
            None,
        )
        .await;
        assert_eq!(
            status,
            Status::NotFound,
            "a colleague's record is not hers to see"
        );
        let (status, _) = call(
            &app,
            Method::Post,
            &format!("/api/v1/teachers/{}/deactivate", w.mentee.id),
            Some(&mentee),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Forbidden);

        // A school admin reads another school's teacher paired with theirs without contacts,
        // and cannot move
        // their own teacher to another school or take one from it.
        let (status, body) = call(
            &app,
            Method::Get,
            &format!("/api/v1/teachers/{}", w.mentee.id),
            Some(&urban_admin),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["phone"], Value::Null);
        let moved = json!({"school_id": w.rural.id, "name": "李明", "gender": "female",
                           "staff_no": "U001", "subjects": ["数学"], "title": "first"});
        let (status, _) = call(
            &app,
            Method::Put,
            &format!("/api/v1/teachers/{}", w.mentor.id),
            Some(&urban_admin),
            Some(moved),
            None,
        )
        .await;
        assert_eq!(status, Status::Forbidden);
        let taken = json!({"school_id": w.urban.id, "name": "姚成琳", "gender": "female",
                           "staff_no": "R001", "subjects": ["数学"], "title": "first"});
        let (status, _) = call(
            &app,
            Method::Put,
            &format!("/api/v1/teachers/{}", w.mentee.id),
            Some(&urban_admin),
            Some(taken),
            None,
        )
        .await;
        assert_eq!(status, Status::Forbidden);
        assert_eq!(snapshot(&app).await, before);
    })
    .await;
}
