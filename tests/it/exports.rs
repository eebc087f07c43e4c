//! Exports of the school, teacher and user lists: exactly the filtered rows, xlsx and csv, the
//! reader's language, the lists' access rules.
use std::io::Cursor;

use calamine::{Data, Reader};
use rocket::http::Status;

use crate::common::{PASSWORD, TestApp, each_db, enc, world};

/// Every row of the first sheet, as text.
pub fn sheet_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).expect("a workbook");
    let range = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

async fn download(app: &TestApp, path: &str) -> (Status, Option<String>, Option<String>, Vec<u8>) {
    let res = app.client.get(path.to_string()).dispatch().await;
    let status = res.status();
    let content_type = res.content_type().map(|c| c.to_string());
    let disposition = res
        .headers()
        .get_one("Content-Disposition")
        .map(str::to_string);
    (
        status,
        content_type,
        disposition,
        res.into_bytes().await.unwrap_or_default(),
    )
}

async fn more_schools(app: &TestApp, w: &crate::common::World) {
    for (name, code, kind, district) in [
        ("龙塘小学", "4418821001", "rural", "连州市"),
        ("平岗中学", "4418821003", "township", "连南县"),
        ("段岗小学", "4418821004", "rural", "连南县"),
    ] {
        let form = tongxing::domain::schools::SchoolForm {
            name: name.into(),
            code: code.into(),
            kind: kind.into(),
            stage: "primary".into(),
            district: district.into(),
            student_count: "200".into(),
            ..Default::default()
        };
        tongxing::domain::schools::create(&app.db, &w.bureau_actor, &form)
            .await
            .expect("school");
    }
}

#[rocket::async_test]
async fn the_xlsx_export_has_exactly_the_filtered_schools() {
    each_db(|app| async move {
        let w = world(&app).await;
        more_schools(&app, &w).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, content_type, disposition, bytes) =
            download(&app, "/schools/export.xlsx?kind=rural&sort=code").await;
        assert_eq!(status, Status::Ok);
        assert_eq!(
            content_type.as_deref(),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        let disposition = disposition.unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"schools-")
                && disposition.ends_with(".xlsx\""),
            "{disposition}"
        );
        let rows = sheet_rows(&bytes);
        assert_eq!(
            &rows[0][..5],
            ["学校名称", "学校标识码", "类别", "学段", "区县"]
        );
        let codes: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
        assert_eq!(codes, ["4418820002", "4418821001", "4418821004"]);
        assert_eq!(rows[1][2], "农村");
        assert_eq!(rows[2][9], "200", "student count as a number");

        // By district, in English.
        let (_, _, _, bytes) = download(
            &app,
            &format!(
                "/schools/export.xlsx?district={}&sort=code&lang=en",
                enc("连南县")
            ),
        )
        .await;
        let rows = sheet_rows(&bytes);
        assert_eq!(&rows[0][..3], ["School name", "School code", "Kind"]);
        let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(names, ["平岗中学", "段岗小学"]);
        assert_eq!(rows[1][2], "Township");
    })
    .await;
}

#[rocket::async_test]
async fn the_csv_export_starts_with_a_bom_and_the_header() {
    each_db(|app| async move {
        let w = world(&app).await;
        more_schools(&app, &w).await;
        // Any signed-in person may read schools, so any may export them.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (status, content_type, disposition, bytes) = download(
            &app,
            &format!("/schools/export.csv?district={}&sort=code", enc("连南县")),
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(content_type.as_deref(), Some("text/csv; charset=utf-8"));
        assert!(disposition.unwrap().ends_with(".csv\""));
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "学校名称,学校标识码,类别,学段,区县,乡镇,地址,校长,电话,学生数,教师数"
        );
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[1].starts_with("平岗中学,4418821003,乡镇,小学,连南县"));
    })
    .await;
}

#[rocket::async_test]
async fn teacher_exports_follow_the_list_and_its_access_rules() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.teacher(&w.bureau_actor, w.rural.id, "张晓红", "R002")
            .await;
        // Anonymous: to the login page.
        let res = app.client.get("/teachers/export.xlsx").dispatch().await;
        assert_eq!(res.status(), Status::SeeOther);
        assert!(
            res.headers()
                .get_one("Location")
                .unwrap()
                .starts_with("/login?next=")
        );

        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, _, disposition, bytes) = download(
            &app,
            &format!(
                "/teachers/export.xlsx?school_id={}&sort=staff_no",
                w.rural.id
            ),
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert!(disposition.unwrap().contains("teachers-"));
        let rows = sheet_rows(&bytes);
        assert_eq!(&rows[0][..4], ["学校", "学校标识码", "姓名", "性别"]);
        let names: Vec<&str> = rows[1..].iter().map(|r| r[2].as_str()).collect();
        assert_eq!(names, ["姚成琳", "张晓红"]);
        assert_eq!(rows[1][1], "4418820002");
        assert_eq!(rows[1][3], "女");

        let (_, _, _, bytes) =
            download(&app, &format!("/teachers/export.csv?q={}", enc("李"))).await;
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains("李明"));
        app.logout().await;

        // A teacher may not read the teacher list, so may not export it.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (status, _, _, _) = download(&app, "/teachers/export.xlsx").await;
        assert_eq!(status, Status::Forbidden);
        let (status, _, _, _) = download(&app, "/teachers/export.csv").await;
        assert_eq!(status, Status::Forbidden);
    })
    .await;
}

#[rocket::async_test]
async fn an_export_imports_back_unchanged() {
    each_db(|app| async move {
        let w = world(&app).await;
        more_schools(&app, &w).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (_, _, _, bytes) = download(&app, "/schools/export.xlsx?kind=township").await;
        // Every code is taken now: the preview says so for the one row.
        let res = crate::imports::upload(&app, "schools", "back.xlsx", &bytes).await;
        let path = crate::imports::preview_path(&res);
        let (_, html) = app.get_html(&path).await;
        assert!(html.contains("共 1 行：0 行正确，1 行有错误"), "{html}");
        assert!(html.contains("该学校标识码已存在"));
    })
    .await;
}

#[rocket::async_test]
async fn the_users_export_is_the_bureaus_and_follows_the_filter() {
    each_db(|app| async move {
        world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, _, disposition, bytes) =
            download(&app, "/users/export.xlsx?role=school_admin").await;
        assert_eq!(status, Status::Ok);
        assert!(disposition.unwrap_or_default().contains("users-"));
        let rows = sheet_rows(&bytes);
        assert_eq!(rows[0][0], "姓名");
        let emails: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
        assert_eq!(emails.len(), 2, "{emails:?}");
        assert!(emails.contains(&"rural@tongxing.test") && emails.contains(&"urban@tongxing.test"));
        assert!(rows[1..].iter().all(|r| r[2] == "学校管理员"));
        assert!(
            !String::from_utf8_lossy(&bytes).contains("argon2"),
            "no password hashes"
        );
        let (status, _, _, bytes) =
            download(&app, &format!("/users/export.csv?q={}", enc("mentee"))).await;
        assert_eq!(status, Status::Ok);
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text.lines().count(), 2, "header and one account: {text}");
        app.logout().await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let (status, _, _, _) = download(&app, "/users/export.xlsx").await;
        assert_eq!(status, Status::Forbidden);
    })
    .await;
}

/// Observation and reflection exports hold every row the filter selects, read a batch at a
/// time (`EXPORT_BATCH`) in the list's order: here over three batches, with many rows on
/// the same day and at the same moment (where the next batch must start after the id).
#[rocket::async_test]
async fn exports_hold_every_row_across_batches_in_the_lists_order() {
    crate::common::each_db(|app| async move {
        use sea_orm::ConnectionTrait;
        tongxing::demo::load(&app.db).await.expect("demo");
        let batch = tongxing::domain::exports::EXPORT_BATCH as i64;
        while app.count("observations").await < 2 * batch + 100 {
            app.double_observations().await;
        }
        while app.count("reflections").await < 2 * batch + 100 {
            app.double_rows("reflections", "teacher_pairing_id, observation_id, author_id, title, body, version, created_at, updated_at").await;
        }
        app.login("bureau@demo.tongxing.cn", tongxing::demo::DEMO_PASSWORD)
            .await;
        for (path, table, order) in [
            ("/observations/export.xlsx", "observations", "observed_on DESC, id DESC"),
            ("/reflections/export.xlsx", "reflections", "created_at DESC, id DESC"),
        ] {
            let res = app.client.get(path).dispatch().await;
            assert_eq!(res.status(), rocket::http::Status::Ok);
            let sheet = sheet_rows(&res.into_bytes().await.unwrap());
            let rows = app.count(table).await;
            assert!(rows > 2 * batch, "{table}: {rows}");
            assert_eq!(sheet.len() as i64 - 1, rows, "{path}: every row, no cap");
            // The titles (topic or title) in the list's order, row by row.
            let column = if table == "observations" { "topic" } else { "title" };
            let expected: Vec<String> = app
                .db
                .query_all_raw(sea_orm::Statement::from_string(
                    app.db.get_database_backend(),
                    format!("SELECT {column} AS t FROM {table} ORDER BY {order}"),
                ))
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get::<String>("", "t").unwrap())
                .collect();
            let index = if table == "observations" { 1 } else { 2 };
            let got: Vec<String> = sheet[1..].iter().map(|r| r[index].clone()).collect();
            assert_eq!(got, expected, "{path}: in the list's order");
        }
    })
    .await;
}
