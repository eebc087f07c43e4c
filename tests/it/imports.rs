//! Imports of schools and teachers: upload (multipart), preview with per-row errors, all or
//! nothing on confirmation, who may import what.
use std::io::Cursor;

use calamine::Reader;
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::LocalResponse;
use rust_xlsxwriter::Workbook;

use crate::common::{PASSWORD, TestApp, each_db, world};

const BOUNDARY: &str = "----tongxing-test-boundary-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body with the CSRF field and one file.
pub fn multipart(csrf: Option<&str>, filename: &str, content: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(token) = csrf {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n"
            )
            .as_bytes(),
        );
    }
    let content_type = if filename.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv"
    };
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Uploads a file to `/imports/<kind>` the way a browser does.
pub async fn upload<'a>(
    app: &'a TestApp,
    kind: &str,
    filename: &str,
    content: &[u8],
) -> LocalResponse<'a> {
    let token = app.csrf().await;
    app.client
        .post(format!("/imports/{kind}"))
        .header(ContentType::new("multipart", "form-data").with_params(("boundary", BOUNDARY)))
        .body(multipart(Some(&token), filename, content))
        .dispatch()
        .await
}

/// The preview path an upload redirected to.
pub fn preview_path(res: &LocalResponse<'_>) -> String {
    assert_eq!(res.status(), Status::SeeOther, "upload should redirect");
    let location = res.headers().get_one("Location").expect("Location");
    assert!(location.starts_with("/imports/"), "{location}");
    location.to_string()
}

/// Uploads and returns the preview path and page.
async fn upload_and_preview(
    app: &TestApp,
    kind: &str,
    filename: &str,
    content: &[u8],
) -> (String, String) {
    let res = upload(app, kind, filename, content).await;
    let path = preview_path(&res);
    let (status, html) = app.get_html(&path).await;
    assert_eq!(status, Status::Ok);
    (path, html)
}

fn csv_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

const SCHOOLS_CSV: &str = "学校名称,学校标识码,类别,学段,区县,乡镇,校长,学生数\n\
龙塘小学,4418821001,农村,小学,连州市,龙坪镇,陈国华,320\n\
龙冲小学,4418821002,农村,小学,连州市,龙坪镇,,180\n\
平岗中学,4418821003,乡镇,初中,连南县,三江镇,,900\n";

fn teachers_xlsx(rows: &[[&str; 7]], code_as_number: bool) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let headers = [
        "学校标识码",
        "姓名",
        "性别",
        "工号",
        "任教学科",
        "职称",
        "教龄",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, value) in row.iter().enumerate() {
            let c = c as u16;
            match value.parse::<f64>() {
                Ok(n) if (c == 0 && code_as_number) || c == 6 => {
                    sheet.write_number(r, c, n).unwrap();
                }
                _ => {
                    sheet.write_string(r, c, *value).unwrap();
                }
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

async fn confirm<'a>(app: &'a TestApp, preview: &str) -> LocalResponse<'a> {
    app.post_form(&format!("{preview}/confirm"), &[]).await
}

#[rocket::async_test]
async fn a_good_csv_imports_every_school_with_audit_entries() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let audit_before = app.count("audit_log").await;
        let (preview, html) =
            upload_and_preview(&app, "schools", "schools.csv", &csv_with_bom(SCHOOLS_CSV)).await;
        assert!(html.contains("共 3 行：3 行正确，0 行有错误"), "{html}");
        assert!(html.contains("龙塘小学") && html.contains("平岗中学"));
        assert!(
            html.contains("农村") && html.contains("初中"),
            "parsed labels"
        );
        assert!(html.contains("确认导入"));
        assert_eq!(app.count("schools").await, 0, "nothing before confirming");

        let res = confirm(&app, &preview).await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(res.headers().get_one("Location"), Some("/schools"));
        assert_eq!(app.count("schools").await, 3);
        assert_eq!(app.count("pending_imports").await, 0);
        assert_eq!(app.count("audit_log").await, audit_before + 3);
        let (_, list) = app.get_html("/schools").await;
        assert!(list.contains("已导入 3 所学校。"), "flash with the count");
        let school = tongxing::domain::schools::find_by_code(&app.db, "4418821003")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(school.kind, "township");
        assert_eq!(school.stage, "junior");
        assert_eq!(school.student_count, 900);
    })
    .await;
}

#[rocket::async_test]
async fn a_good_xlsx_imports_every_teacher() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let before = app.count("teachers").await;
        // Excel keeps codes typed as numbers as floats: 4418820002 must still match.
        let file = teachers_xlsx(
            &[
                [
                    "4418820002",
                    "张晓红",
                    "女",
                    "R101",
                    "语文、道德与法治",
                    "二级教师",
                    "6",
                ],
                ["4418820001", "王强", "男", "U101", "数学", "一级", "12"],
                ["4418820002", "刘芳", "female", "R102", "英语", "", ""],
            ],
            true,
        );
        let (preview, html) = upload_and_preview(&app, "teachers", "teachers.xlsx", &file).await;
        assert!(html.contains("共 3 行：3 行正确，0 行有错误"), "{html}");
        assert!(
            html.contains("三元中学"),
            "school name shown beside its code"
        );
        let res = confirm(&app, &preview).await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(res.headers().get_one("Location"), Some("/teachers"));
        assert_eq!(app.count("teachers").await, before + 3);
        let t = tongxing::domain::teachers::find_by_staff_no(&app.db, w.rural.id, "R101")
            .await
            .unwrap()
            .expect("imported");
        assert_eq!(t.name, "张晓红");
        assert_eq!(t.title, "second");
        assert_eq!(t.years_teaching, 6);
        assert_eq!(t.subjects, r#"["语文","道德与法治"]"#);
    })
    .await;
}

#[rocket::async_test]
async fn one_bad_row_changes_nothing_and_the_preview_names_it() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let csv = "学校名称,学校标识码,类别,学段,区县,学生数\n\
                   龙塘小学,4418821001,农村,小学,连州市,320\n\
                   龙冲小学,4418821002,城堡,小学,连州市,很多\n\
                   平岗中学,4418821003,乡镇,初中,连南县,900\n";
        let (preview, html) = upload_and_preview(&app, "schools", "s.csv", csv.as_bytes()).await;
        assert!(html.contains("共 3 行：2 行正确，1 行有错误"), "{html}");
        assert!(
            html.contains("id=\"r3\""),
            "row 3 (the file's line) is marked"
        );
        assert!(html.contains("href=\"#r3\""), "linked from the summary");
        assert!(
            html.contains("类别：应为以下之一：城区、乡镇、农村。"),
            "{html}"
        );
        assert!(html.contains("学生数：请输入整数。"));
        assert!(
            !html.contains("确认导入"),
            "no confirm button while a row is bad"
        );
        // Confirming anyway writes nothing.
        let res = confirm(&app, &preview).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("类别：应为以下之一：城区、乡镇、农村。")
        );
        assert_eq!(app.count("schools").await, 0);
    })
    .await;
}

#[rocket::async_test]
async fn duplicates_in_the_file_and_in_the_database_are_row_errors() {
    each_db(|app| async move {
        let _w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let before = app.count("schools").await;
        let csv = "name,code,kind,stage,district\n\
                   甲校,4418829001,rural,primary,连州市\n\
                   乙校,4418829001,rural,primary,连州市\n\
                   丙校,4418820001,urban,junior,连州市\n";
        let (_, html) = upload_and_preview(&app, "schools", "s.csv", csv.as_bytes()).await;
        assert!(html.contains("学校标识码：与文件第 2 行重复。"), "{html}");
        assert!(html.contains("学校标识码：该学校标识码已存在。"));
        assert!(html.contains("共 3 行：1 行正确，2 行有错误"));

        let csv = "学校标识码,姓名,性别,工号,任教学科\n\
                   4418820002,甲,女,R900,数学\n\
                   4418820002,乙,男,R900,语文\n\
                   4418820002,丙,男,R001,语文\n";
        let (_, html) = upload_and_preview(&app, "teachers", "t.csv", csv.as_bytes()).await;
        assert!(html.contains("工号：与文件第 2 行重复。"), "{html}");
        assert!(
            html.contains("工号：本校已有相同工号的教师。"),
            "R001 is 姚成琳's"
        );
        assert_eq!(app.count("schools").await, before);
    })
    .await;
}

#[rocket::async_test]
async fn unknown_school_codes_are_row_errors() {
    each_db(|app| async move {
        world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let csv = "学校标识码,姓名,性别,工号,任教学科\n\
                   4418829999,甲,女,X1,数学\n\
                   12,乙,女,X2,数学\n\
                   ,丙,女,X3,数学\n";
        let (preview, html) = upload_and_preview(&app, "teachers", "t.csv", csv.as_bytes()).await;
        assert!(html.contains("学校标识码：学校不存在或已停用。"), "{html}");
        assert!(html.contains("学校标识码：学校标识码应为 4–20 位字母或数字。"));
        assert!(html.contains("学校标识码：此项必填。"));
        let before = app.count("teachers").await;
        assert_eq!(
            confirm(&app, &preview).await.status(),
            Status::UnprocessableEntity
        );
        assert_eq!(app.count("teachers").await, before);
    })
    .await;
}

#[rocket::async_test]
async fn whole_file_problems_are_shown_on_the_upload_form() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        // A required column missing.
        let res = upload(&app, "schools", "s.csv", "学校名称,学校标识码,类别,区县\n甲,4418820001,农村,连州市\n".as_bytes()).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("缺少必需的列“学段 / Stage”"), "{html}");
        // An empty file, and one with a header only.
        for content in [&b""[..], "学校名称,学校标识码\n".as_bytes(), b"\xEF\xBB\xBF\r\n\r\n"] {
            let res = upload(&app, "schools", "empty.csv", content).await;
            assert_eq!(res.status(), Status::UnprocessableEntity);
            assert!(res.into_string().await.unwrap().contains("文件是空的"));
        }
        // Something that is not a spreadsheet.
        let res = upload(&app, "schools", "x.xlsx", b"PK\x03\x04 not really a zip").await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(res.into_string().await.unwrap().contains("无法读取文件"));
        // Too big: over the file limit, and over the whole form's limit.
        for size in [5 * 1024 * 1024 + 512 * 1024, 7 * 1024 * 1024] {
            let mut big = "学校名称,学校标识码,类别,学段,区县\n".as_bytes().to_vec();
            big.resize(size, b'x');
            let res = upload(&app, "schools", "big.csv", &big).await;
            assert_eq!(res.status(), Status::UnprocessableEntity);
            assert!(res.into_string().await.unwrap().contains("文件超过 5 MB"));
        }
        // Too many rows.
        let mut many = String::from("学校名称,学校标识码,类别,学段,区县\n");
        for i in 0..20_001 {
            many.push_str(&format!("校{i},{},农村,小学,连州市\n", 4_418_000_000u64 + i));
        }
        let res = upload(&app, "schools", "many.csv", many.as_bytes()).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(res.into_string().await.unwrap().contains("一次最多导入 20000 行"));
        // No file chosen.
        let token = app.csrf().await;
        let res = app
            .client
            .post("/imports/schools")
            .header(ContentType::new("multipart", "form-data").with_params(("boundary", BOUNDARY)))
            .body(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n--{BOUNDARY}--\r\n"))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(res.into_string().await.unwrap().contains("请选择要上传的文件"));
        let res = upload(&app, "schools", "", b"").await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(res.into_string().await.unwrap().contains("请选择要上传的文件"));
        assert_eq!(app.count("pending_imports").await, 0);
        assert_eq!(app.count("schools").await, 0);
    })
    .await;
}

#[rocket::async_test]
async fn a_school_admin_imports_only_their_own_teachers() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let before = app.count("teachers").await;
        let csv = "学校标识码,姓名,性别,工号,任教学科\n\
                   4418820002,甲,女,R201,数学\n\
                   4418820001,乙,男,U201,语文\n";
        let (preview, html) = upload_and_preview(&app, "teachers", "t.csv", csv.as_bytes()).await;
        assert!(html.contains("学校标识码：只能导入本校的教师。"), "{html}");
        assert_eq!(
            confirm(&app, &preview).await.status(),
            Status::UnprocessableEntity
        );
        assert_eq!(app.count("teachers").await, before);

        // Without the school code column the rows are for the admin's own school.
        let csv = "姓名,性别,工号,任教学科\n丙,女,R202,数学\n";
        let (preview, html) = upload_and_preview(&app, "teachers", "t.csv", csv.as_bytes()).await;
        assert!(html.contains("共 1 行：1 行正确"), "{html}");
        assert_eq!(confirm(&app, &preview).await.status(), Status::SeeOther);
        let t = tongxing::domain::teachers::find_by_staff_no(&app.db, w.rural.id, "R202")
            .await
            .unwrap();
        assert!(t.is_some());

        // Schools are the bureau's, and teachers may not import at all.
        let pending = app.count("pending_imports").await;
        let (status, _) = app.get_html("/imports/schools").await;
        assert_eq!(status, Status::Forbidden);
        let res = upload(&app, "schools", "s.csv", SCHOOLS_CSV.as_bytes()).await;
        assert_eq!(res.status(), Status::Forbidden);
        app.logout().await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let (status, _) = app.get_html("/imports/teachers").await;
        assert_eq!(status, Status::Forbidden);
        let res = upload(&app, "teachers", "t.csv", csv.as_bytes()).await;
        assert_eq!(res.status(), Status::Forbidden);
        assert_eq!(app.count("pending_imports").await, pending);
    })
    .await;
}

#[rocket::async_test]
async fn only_the_uploader_confirms_and_only_once() {
    each_db(|app| async move {
        let w = world(&app).await;
        let second = app
            .user(
                &w.bureau_actor,
                "second@bureau.cn",
                "bureau_admin",
                None,
                None,
            )
            .await;
        let _ = second;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (preview, _) =
            upload_and_preview(&app, "schools", "s.csv", SCHOOLS_CSV.as_bytes()).await;
        let before = app.count("schools").await;
        app.logout().await;

        // Another bureau admin neither sees nor confirms it.
        app.login("second@bureau.cn", PASSWORD).await;
        let (status, _) = app.get_html(&preview).await;
        assert_eq!(status, Status::NotFound);
        assert_eq!(confirm(&app, &preview).await.status(), Status::NotFound);
        assert_eq!(app.count("schools").await, before);
        app.logout().await;

        // The uploader confirms; a second click inserts nothing more.
        app.login("bureau@tongxing.test", PASSWORD).await;
        assert_eq!(confirm(&app, &preview).await.status(), Status::SeeOther);
        assert_eq!(app.count("schools").await, before + 3);
        assert_eq!(confirm(&app, &preview).await.status(), Status::NotFound);
        assert_eq!(app.count("schools").await, before + 3);
    })
    .await;
}

#[rocket::async_test]
async fn cancelling_drops_the_upload() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let (preview, html) =
            upload_and_preview(&app, "schools", "s.csv", SCHOOLS_CSV.as_bytes()).await;
        assert!(html.contains("取消导入"));
        let res = app.post_form(&format!("{preview}/cancel"), &[]).await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(res.headers().get_one("Location"), Some("/imports/schools"));
        assert_eq!(app.count("pending_imports").await, 0);
        assert_eq!(app.get_html(&preview).await.0, Status::NotFound);
        assert_eq!(confirm(&app, &preview).await.status(), Status::NotFound);
        assert_eq!(app.count("schools").await, 0);
    })
    .await;
}

#[rocket::async_test]
async fn confirming_checks_again_against_the_database() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (preview, html) =
            upload_and_preview(&app, "schools", "s.csv", SCHOOLS_CSV.as_bytes()).await;
        assert!(html.contains("确认导入"));
        // Meanwhile someone adds one of the schools by hand.
        app.school(&w.bureau_actor, "龙冲小学", "4418821002", "rural")
            .await;
        let before = app.count("schools").await;
        let res = confirm(&app, &preview).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("学校标识码：该学校标识码已存在。"), "{html}");
        assert!(!html.contains("确认导入"));
        assert_eq!(app.count("schools").await, before, "none of the three");
    })
    .await;
}

#[rocket::async_test]
async fn an_upload_without_the_csrf_token_is_refused() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        let res = app
            .client
            .post("/imports/schools")
            .header(ContentType::new("multipart", "form-data").with_params(("boundary", BOUNDARY)))
            .body(multipart(None, "s.csv", SCHOOLS_CSV.as_bytes()))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        assert_eq!(app.count("pending_imports").await, 0);
    })
    .await;
}

#[rocket::async_test]
async fn templates_have_the_chinese_headers_and_import_as_they_are() {
    each_db(|app| async move {
        world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let res = app
            .client
            .get("/imports/teachers/template.xlsx")
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Ok);
        assert_eq!(
            res.content_type().map(|c| c.to_string()).as_deref(),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        );
        assert!(
            res.headers()
                .get_one("Content-Disposition")
                .unwrap()
                .contains("teachers-template.xlsx")
        );
        let bytes = res.into_bytes().await.unwrap();
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.clone())).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(&header[..4], ["学校标识码", "姓名", "性别", "工号"]);
        assert_eq!(range.height(), 2, "header and one example");
        // The example is for 三元中学 (4418820002): the template imports as it is.
        let (_, html) = upload_and_preview(&app, "teachers", "t.xlsx", &bytes).await;
        assert!(html.contains("共 1 行：1 行正确"), "{html}");

        let res = app
            .client
            .get("/imports/schools/template.csv")
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Ok);
        let bytes = res.into_bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(
            text.starts_with("学校名称,学校标识码,类别,学段,区县"),
            "{text}"
        );
        let (_, html) = upload_and_preview(&app, "schools", "s.csv", text.as_bytes()).await;
        assert!(html.contains("共 1 行：1 行正确"), "{html}");
    })
    .await;
}

#[rocket::async_test]
async fn the_upload_page_explains_and_links_the_templates() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        let res = app.client.get("/imports/schools").dispatch().await;
        assert_eq!(
            res.status(),
            Status::SeeOther,
            "anonymous: to the login page"
        );
        app.login("boss@bureau.cn", PASSWORD).await;
        let (status, html) = app.get_html("/imports/schools").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("enctype=\"multipart/form-data\""));
        assert!(html.contains("accept=\".xlsx,.csv"));
        assert!(html.contains("/imports/schools/template.xlsx"));
        assert!(html.contains("/imports/schools/template.csv"));
        assert!(html.contains("学校名称、学校标识码、类别、学段、区县"));
        let (status, html) = app.get_html("/imports/teachers?lang=en").await;
        assert_eq!(status, Status::Ok);
        assert!(
            html.contains("School code, Name, Gender, Staff number, Subjects"),
            "{html}"
        );
    })
    .await;
}

#[rocket::async_test]
async fn a_sheet_claiming_a_huge_size_is_read_without_building_the_grid() {
    each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", PASSWORD).await;
        // One header cell in A1 and one cell in the very last row and column: a reader that
        // allocates the declared 1,048,576 × 16,384 grid would exhaust memory.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (col, title) in ["学校名称", "学校标识码", "类别", "学段", "区县"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, col as u16, *title).unwrap();
        }
        for (col, value) in ["龙塘小学", "3415020103", "农村", "小学", "叶集区"]
            .iter()
            .enumerate()
        {
            sheet.write_string(1, col as u16, *value).unwrap();
        }
        sheet.write_string(1_048_575, 16_383, "far away").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let (path, html) = upload_and_preview(&app, "schools", "huge.xlsx", &bytes).await;
        assert!(html.contains("龙塘小学"), "the real row is read");
        assert!(
            !html.contains("far away"),
            "cells beyond the known columns are ignored"
        );
        // An OpenDocument or old .xls file is refused, not parsed.
        let res = upload(
            &app,
            "schools",
            "x.xls",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 old",
        )
        .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let _ = path;
    })
    .await;
}
