//! JSON API: create, read, update, (de)activate and delete of each resource, checked in
//! the answer and in the database.
use rocket::http::{Header, Method, Status};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tongxing::domain::{academic_years, schools, teachers, users};
use tongxing::entities;

use crate::api::{call, error_code, field_messages, snapshot, token_for};
use crate::common::{PASSWORD, each_db, world};

fn school_body(code: &str) -> Value {
    json!({
        "name": "龙塘小学", "code": code, "kind": "rural", "stage": "primary",
        "district": "连州市", "township": "龙坪镇", "address": "龙塘村 1 号",
        "principal": "王校长", "phone": "0763-6612345",
        "student_count": 320, "teacher_count": 18
    })
}

#[rocket::async_test]
async fn schools_crud() {
    each_db(|app| async move {
        let w = world(&app).await;
        let bureau = token_for(&app, &w.bureau).await;

        // Create: 201, numbers as numbers, a Location, and the row.
        let res = app
            .client
            .post("/api/v1/schools")
            .header(Header::new("Authorization", format!("Bearer {bureau}")))
            .header(rocket::http::ContentType::JSON)
            .body(school_body("4418821001").to_string())
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Created);
        let location = res.headers().get_one("Location").unwrap().to_string();
        let body: Value = serde_json::from_str(&res.into_string().await.unwrap()).unwrap();
        let id = body["id"].as_i64().expect("integer id");
        assert_eq!(location, format!("/api/v1/schools/{id}"));
        assert_eq!(body["name"], "龙塘小学");
        assert_eq!(body["code"], "4418821001");
        assert_eq!(body["kind"], "rural");
        assert_eq!(body["stage"], "primary");
        assert_eq!(body["township"], "龙坪镇");
        assert_eq!(body["principal"], "王校长");
        assert_eq!(body["student_count"], 320);
        assert_eq!(body["teacher_count"], 18);
        assert_eq!(body["is_active"], true);
        let row = schools::find_by_code(&app.db, "4418821001")
            .await
            .unwrap()
            .expect("saved");
        assert_eq!(row.id, id);
        assert_eq!(row.student_count, 320);
        assert_eq!(row.teacher_count, 18);
        assert_eq!(row.address, "龙塘村 1 号");

        // Read.
        let (status, shown) = call(
            &app,
            Method::Get,
            &format!("/api/v1/schools/{id}"),
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(shown, body);

        // Update with the whole object; a lower-case code is kept upper-case.
        let mut changed = school_body("44188210ab");
        changed["name"] = json!("龙塘中心小学");
        changed["student_count"] = json!(400);
        changed["address"] = json!(null);
        let (status, body) = call(
            &app,
            Method::Put,
            &format!("/api/v1/schools/{id}"),
            Some(&bureau),
            Some(changed),
            None,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["name"], "龙塘中心小学");
        assert_eq!(body["code"], "44188210AB");
        assert_eq!(body["student_count"], 400);
        assert_eq!(body["address"], "");
        let row = entities::schools::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.name, "龙塘中心小学");
        assert_eq!(row.student_count, 400);
        assert_eq!(row.address, "");

        // Duplicate code: 409 on `code`, on create and on update.
        let before = snapshot(&app).await;
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/schools",
            Some(&bureau),
            Some(school_body("4418820002")),
            None,
        )
        .await;
        assert_eq!(status, Status::Conflict, "{body}");
        assert_eq!(error_code(&body), "conflict");
        assert_eq!(field_messages(&body, "code"), ["该学校标识码已存在。"]);
        let (status, body) = call(
            &app,
            Method::Put,
            &format!("/api/v1/schools/{id}"),
            Some(&bureau),
            Some(school_body("4418820001")),
            Some("en"),
        )
        .await;
        assert_eq!(status, Status::Conflict);
        assert_eq!(
            field_messages(&body, "code"),
            ["A school with this code exists already."]
        );
        assert_eq!(snapshot(&app).await, before);

        // Every bad field gets its own message; nothing is saved.
        let bad = json!({
            "name": "长".repeat(101), "code": "12", "kind": "castle", "stage": "",
            "district": "", "phone": "call me", "student_count": -5, "teacher_count": "many"
        });
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/schools",
            Some(&bureau),
            Some(bad.clone()),
            None,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert_eq!(error_code(&body), "invalid");
        assert_eq!(field_messages(&body, "name"), ["最多 100 个字符。"]);
        assert_eq!(
            field_messages(&body, "code"),
            ["学校标识码应为 4–20 位字母或数字。"]
        );
        assert_eq!(field_messages(&body, "kind"), ["请从列表中选择。"]);
        assert_eq!(field_messages(&body, "stage"), ["请从列表中选择。"]);
        assert_eq!(field_messages(&body, "district"), ["此项必填。"]);
        assert_eq!(
            field_messages(&body, "phone"),
            ["电话只能包含数字、空格、+、- 和括号。"]
        );
        assert_eq!(
            field_messages(&body, "student_count"),
            ["请输入 0 到 100000 之间的整数。"]
        );
        assert_eq!(field_messages(&body, "teacher_count"), ["请输入整数。"]);
        let (_, body) = call(
            &app,
            Method::Post,
            "/api/v1/schools",
            Some(&bureau),
            Some(bad),
            Some("en"),
        )
        .await;
        assert_eq!(field_messages(&body, "name"), ["At most 100 characters."]);
        assert_eq!(
            field_messages(&body, "kind"),
            ["Choose one of the options."]
        );
        assert_eq!(
            field_messages(&body, "district"),
            ["This field is required."]
        );
        assert_eq!(
            field_messages(&body, "student_count"),
            ["Enter a whole number from 0 to 100000."]
        );
        // An empty object: the required fields.
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/schools",
            Some(&bureau),
            Some(json!({})),
            None,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity);
        let fields = body["error"]["fields"].as_object().unwrap();
        let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(names, ["code", "district", "kind", "name", "stage"]);
        assert_eq!(snapshot(&app).await, before);

        // Deactivate: gone from the list unless asked for; reactivate.
        let (status, body) = call(
            &app,
            Method::Post,
            &format!("/api/v1/schools/{id}/deactivate"),
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["is_active"], false);
        let row = entities::schools::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(!row.is_active);
        let (_, list) = call(
            &app,
            Method::Get,
            "/api/v1/schools",
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(list["total"], 2);
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["id"] != id)
        );
        let (_, list) = call(
            &app,
            Method::Get,
            "/api/v1/schools?include_inactive=true",
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(list["total"], 3);
        let (status, body) = call(
            &app,
            Method::Post,
            &format!("/api/v1/schools/{id}/reactivate"),
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["is_active"], true);
        let row = entities::schools::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(row.is_active);
        // Each write left an audit entry.
        let audits = entities::audit_log::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert!(audits.len() >= 4);
    })
    .await;
}

fn teacher_body(school_id: i64, staff_no: &str) -> Value {
    json!({
        "school_id": school_id, "name": "陈晓梅", "gender": "female", "staff_no": staff_no,
        "subjects": ["语文", "道德与法治"], "grades": ["三年级", "四年级"], "title": "second",
        "years_teaching": 4, "honours": ["骨干教师"], "phone": "13800000000",
        "email": "chen@school.cn"
    })
}

#[rocket::async_test]
async fn teachers_crud() {
    each_db(|app| async move {
        let w = world(&app).await;
        let rural_admin = token_for(&app, &w.rural_admin).await;
        let urban_admin = token_for(&app, &w.urban_admin).await;
        let mentee = token_for(&app, &w.mentee_user).await;
        let bureau = token_for(&app, &w.bureau).await;

        // A school admin adds a teacher to their own school.
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/teachers",
            Some(&rural_admin),
            Some(teacher_body(w.rural.id, "R002")),
            None,
        )
        .await;
        assert_eq!(status, Status::Created, "{body}");
        let id = body["id"].as_i64().unwrap();
        assert_eq!(body["school_id"], w.rural.id);
        assert_eq!(body["school_name"], "三元中学");
        assert_eq!(body["subjects"], json!(["语文", "道德与法治"]));
        assert_eq!(body["grades"], json!(["三年级", "四年级"]));
        assert_eq!(body["honours"], json!(["骨干教师"]));
        assert_eq!(body["years_teaching"], 4);
        assert_eq!(body["title"], "second");
        assert_eq!(body["phone"], "13800000000");
        assert_eq!(body["is_active"], true);
        let row = teachers::find_by_staff_no(&app.db, w.rural.id, "R002")
            .await
            .unwrap()
            .expect("saved");
        assert_eq!(row.id, id);
        assert_eq!(row.name, "陈晓梅");
        assert_eq!(
            tongxing::domain::types::parse_json_list(&row.subjects),
            ["语文", "道德与法治"]
        );

        // Lists are lists, as the document says: one text is refused, not split.
        let mut text_lists = teacher_body(w.rural.id, "R003");
        text_lists["subjects"] = json!("数学、物理");
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/teachers",
            Some(&rural_admin),
            Some(text_lists.clone()),
            None,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity, "{body}");
        assert_eq!(field_messages(&body, "subjects"), ["应为 array 类型的值。"]);
        text_lists["subjects"] = json!(["数学", "物理"]);
        text_lists["honours"] = json!(null);
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/teachers",
            Some(&rural_admin),
            Some(text_lists),
            None,
        )
        .await;
        assert_eq!(status, Status::Created, "{body}");
        assert_eq!(body["subjects"], json!(["数学", "物理"]));
        assert_eq!(body["honours"], json!([]));

        // Another school's admin does not see her (404) until she is paired with one of
        // theirs; then reads the profile without the contacts.
        let (status, _) = call(
            &app,
            Method::Get,
            &format!("/api/v1/teachers/{id}"),
            Some(&urban_admin),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::NotFound);
        let y = crate::teacher_pairings::year(&app, &w, "2026-2027", true).await;
        crate::teacher_pairings::paired(&app, &w, w.mentor.id, id, "语文", y).await;
        let (status, body) = call(
            &app,
            Method::Get,
            &format!("/api/v1/teachers/{id}"),
            Some(&urban_admin),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["name"], "陈晓梅");
        assert_eq!(body["phone"], Value::Null);
        assert_eq!(body["email"], Value::Null);

        // Duplicate staff number in the same school: 409 on `staff_no`.
        let before = snapshot(&app).await;
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/teachers",
            Some(&rural_admin),
            Some(teacher_body(w.rural.id, "R001")),
            None,
        )
        .await;
        assert_eq!(status, Status::Conflict, "{body}");
        assert_eq!(
            field_messages(&body, "staff_no"),
            ["本校已有相同工号的教师。"]
        );
        // Validation per field.
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/teachers",
            Some(&rural_admin),
            Some(
                json!({"school_id": w.rural.id, "gender": "x", "title": "wizard",
                        "subjects": [], "years_teaching": 99, "email": "nope"}),
            ),
            Some("en"),
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert_eq!(field_messages(&body, "name"), ["This field is required."]);
        assert_eq!(
            field_messages(&body, "gender"),
            ["Choose one of the options."]
        );
        assert_eq!(
            field_messages(&body, "title"),
            ["Choose one of the options."]
        );
        assert_eq!(
            field_messages(&body, "subjects"),
            ["This field is required."]
        );
        assert_eq!(
            field_messages(&body, "years_teaching"),
            ["Enter a whole number from 0 to 60."]
        );
        assert_eq!(
            field_messages(&body, "email"),
            ["This is not a valid email address."]
        );
        // An unknown school.
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/teachers",
            Some(&bureau),
            Some(teacher_body(999_999, "X1")),
            None,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert_eq!(field_messages(&body, "school_id"), ["学校不存在或已停用。"]);
        assert_eq!(snapshot(&app).await, before);

        // Update by the school admin.
        let mut changed = teacher_body(w.rural.id, "R002");
        changed["title"] = json!("first");
        changed["subjects"] = json!(["语文"]);
        let (status, body) = call(
            &app,
            Method::Put,
            &format!("/api/v1/teachers/{id}"),
            Some(&rural_admin),
            Some(changed),
            None,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["title"], "first");
        assert_eq!(body["subjects"], json!(["语文"]));
        let row = entities::teachers::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.title, "first");

        // A teacher edits only their own phone and e-mail.
        let mut own = teacher_body(w.rural.id, "R001");
        own["name"] = json!("别人的名字");
        own["phone"] = json!("13911112222");
        own["email"] = json!("yao@school.cn");
        let (status, body) = call(
            &app,
            Method::Put,
            &format!("/api/v1/teachers/{}", w.mentee.id),
            Some(&mentee),
            Some(own),
            None,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["name"], "姚成琳");
        assert_eq!(body["phone"], "13911112222");
        let row = entities::teachers::Entity::find_by_id(w.mentee.id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.name, "姚成琳");
        assert_eq!(row.phone, "13911112222");
        assert_eq!(row.email, "yao@school.cn");
        assert_eq!(row.staff_no, "R001");

        // Deactivate and reactivate.
        let (status, body) = call(
            &app,
            Method::Post,
            &format!("/api/v1/teachers/{id}/deactivate"),
            Some(&rural_admin),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["is_active"], false);
        let (_, list) = call(
            &app,
            Method::Get,
            &format!("/api/v1/teachers?school_id={}", w.rural.id),
            Some(&rural_admin),
            None,
            None,
        )
        .await;
        assert_eq!(list["total"], 2, "R001 and R003: {list}");
        let (_, list) = call(
            &app,
            Method::Get,
            &format!(
                "/api/v1/teachers?school_id={}&include_inactive=1",
                w.rural.id
            ),
            Some(&rural_admin),
            None,
            None,
        )
        .await;
        assert_eq!(list["total"], 3);
        let (status, body) = call(
            &app,
            Method::Post,
            &format!("/api/v1/teachers/{id}/reactivate"),
            Some(&rural_admin),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["is_active"], true);
        let row = entities::teachers::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert!(row.is_active);
    })
    .await;
}

#[rocket::async_test]
async fn users_crud() {
    each_db(|app| async move {
        let w = world(&app).await;
        let bureau = token_for(&app, &w.bureau).await;
        let spare = app
            .teacher(&w.bureau_actor, w.urban.id, "张老师", "U002")
            .await;

        // Create with a password: 201, never the hash; the account can sign in.
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/users",
            Some(&bureau),
            Some(
                json!({"email": "Zhang@School.cn", "name": "张老师", "role": "teacher",
                        "teacher_id": spare.id, "password": PASSWORD}),
            ),
            None,
        )
        .await;
        assert_eq!(status, Status::Created, "{body}");
        let id = body["id"].as_i64().unwrap();
        assert_eq!(body["email"], "zhang@school.cn");
        assert_eq!(body["role"], "teacher");
        assert_eq!(body["teacher_id"], spare.id);
        assert_eq!(
            body["school_id"], w.urban.id,
            "a teacher's school comes from the record"
        );
        assert_eq!(body["is_active"], true);
        assert!(body.get("password").is_none() && body.get("password_hash").is_none());
        let row = users::get(&app.db, id).await.unwrap();
        assert!(users::verify_password(PASSWORD, &row.password_hash).await);
        assert!(!row.password_hash.contains(PASSWORD));

        // Without a password: an invitation mail.
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/users",
            Some(&bureau),
            Some(
                json!({"email": "dean@school.cn", "name": "教导主任", "role": "school_admin",
                        "school_id": w.rural.id}),
            ),
            None,
        )
        .await;
        assert_eq!(status, Status::Created, "{body}");
        let dean = body["id"].as_i64().unwrap();
        assert_eq!(body["school_id"], w.rural.id);
        let mails = app.deliver_mail().await;
        assert!(
            mails.iter().any(|m| m.to.contains("dean@school.cn")),
            "invitation sent"
        );

        // Read and list.
        let (status, body) = call(
            &app,
            Method::Get,
            &format!("/api/v1/users/{id}"),
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["name"], "张老师");
        let (_, list) = call(
            &app,
            Method::Get,
            "/api/v1/users",
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(list["total"], 7);
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|u| u.get("password_hash").is_none())
        );

        // Duplicates: e-mail (whatever its case) and a teacher's second account.
        let before = snapshot(&app).await;
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/users",
            Some(&bureau),
            Some(
                json!({"email": "ZHANG@school.cn", "name": "x", "role": "bureau_admin",
                        "password": PASSWORD}),
            ),
            None,
        )
        .await;
        assert_eq!(status, Status::Conflict, "{body}");
        assert_eq!(field_messages(&body, "email"), ["该邮箱已被其他账号使用。"]);
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/users",
            Some(&bureau),
            Some(
                json!({"email": "second@school.cn", "name": "x", "role": "teacher",
                        "teacher_id": spare.id}),
            ),
            None,
        )
        .await;
        assert_eq!(status, Status::Conflict, "{body}");
        assert_eq!(field_messages(&body, "teacher_id"), ["该教师已有账号。"]);
        // Validation.
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/users",
            Some(&bureau),
            Some(json!({"email": "not-an-email", "role": "janitor", "password": "short"})),
            None,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert_eq!(field_messages(&body, "email"), ["电子邮箱格式不正确。"]);
        assert_eq!(field_messages(&body, "name"), ["此项必填。"]);
        assert_eq!(field_messages(&body, "role"), ["请从列表中选择。"]);
        assert_eq!(field_messages(&body, "password"), ["密码至少 10 个字符。"]);
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/users",
            Some(&bureau),
            Some(json!({"email": "a@b.cn", "name": "x", "role": "school_admin"})),
            None,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert_eq!(field_messages(&body, "school_id"), ["请从列表中选择。"]);
        assert_eq!(snapshot(&app).await, before);

        // Update: name and role change; the hash stays when no password is sent.
        let hash_before = users::get(&app.db, dean).await.unwrap().password_hash;
        let (status, body) = call(
            &app,
            Method::Put,
            &format!("/api/v1/users/{dean}"),
            Some(&bureau),
            Some(
                json!({"email": "dean@school.cn", "name": "李主任", "role": "school_admin",
                        "school_id": w.urban.id}),
            ),
            None,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["name"], "李主任");
        assert_eq!(body["school_id"], w.urban.id);
        let row = users::get(&app.db, dean).await.unwrap();
        assert_eq!(row.name, "李主任");
        assert_eq!(row.school_id, Some(w.urban.id));
        assert_eq!(row.password_hash, hash_before);
        // The e-mail of another account: 409.
        let (status, body) = call(
            &app,
            Method::Put,
            &format!("/api/v1/users/{dean}"),
            Some(&bureau),
            Some(
                json!({"email": "zhang@school.cn", "name": "李主任", "role": "school_admin",
                        "school_id": w.urban.id}),
            ),
            None,
        )
        .await;
        assert_eq!(status, Status::Conflict);
        assert_eq!(error_code(&body), "conflict");
        assert!(!field_messages(&body, "email").is_empty());

        // Deactivate (not oneself) and reactivate.
        let (status, body) = call(
            &app,
            Method::Post,
            &format!("/api/v1/users/{}/deactivate", w.bureau.id),
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Conflict);
        assert_eq!(field_messages(&body, "is_active"), ["不能停用自己的账号。"]);
        let (status, body) = call(
            &app,
            Method::Post,
            &format!("/api/v1/users/{id}/deactivate"),
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["is_active"], false);
        assert!(!users::get(&app.db, id).await.unwrap().is_active);
        let (status, _) = app
            .api(
                Method::Post,
                "/api/v1/session",
                Some(json!({"email": "zhang@school.cn", "password": PASSWORD})),
            )
            .await;
        assert_eq!(
            status,
            Status::Unauthorized,
            "a deactivated account cannot sign in"
        );
        let (status, body) = call(
            &app,
            Method::Post,
            &format!("/api/v1/users/{id}/reactivate"),
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["is_active"], true);
        let (status, _) = app
            .api(
                Method::Post,
                "/api/v1/session",
                Some(json!({"email": "zhang@school.cn", "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, Status::Ok);
    })
    .await;
}

fn year_body(name: &str, start: &str, end: &str) -> Value {
    json!({"name": name, "starts_on": start, "ends_on": end})
}

#[rocket::async_test]
async fn academic_years_crud() {
    each_db(|app| async move {
        let w = world(&app).await;
        let bureau = token_for(&app, &w.bureau).await;
        let teacher = token_for(&app, &w.mentee_user).await;

        // The first year is current whatever is sent.
        let (status, first) = call(
            &app,
            Method::Post,
            "/api/v1/academic-years",
            Some(&bureau),
            Some(year_body("2025-2026", "2025-09-01", "2026-07-15")),
            None,
        )
        .await;
        assert_eq!(status, Status::Created, "{first}");
        let first_id = first["id"].as_i64().unwrap();
        assert_eq!(first["is_current"], true);
        assert_eq!(first["starts_on"], "2025-09-01");
        assert_eq!(first["ends_on"], "2026-07-15");
        assert_eq!(first["second_term_starts_on"], "2026-02-15");
        let (status, second) = call(
            &app,
            Method::Post,
            "/api/v1/academic-years",
            Some(&bureau),
            Some(json!({"name": "2026-2027", "starts_on": "2026-09-01",
                        "second_term_starts_on": "2027-02-20", "ends_on": "2027-07-15",
                        "is_current": false})),
            None,
        )
        .await;
        assert_eq!(status, Status::Created, "{second}");
        let second_id = second["id"].as_i64().unwrap();
        assert_eq!(second["is_current"], false);
        assert_eq!(second["second_term_starts_on"], "2027-02-20");
        assert_eq!(app.count("academic_years").await, 2);

        // Everybody signed in reads them, latest first.
        let (status, list) = call(
            &app,
            Method::Get,
            "/api/v1/academic-years",
            Some(&teacher),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(list["total"], 2);
        assert_eq!(list["items"][0]["name"], "2026-2027");
        let (status, shown) = call(
            &app,
            Method::Get,
            &format!("/api/v1/academic-years/{first_id}"),
            Some(&teacher),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(shown["name"], "2025-2026");

        // Checks per field; overlaps and names are conflicts.
        let before = snapshot(&app).await;
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/academic-years",
            Some(&bureau),
            Some(year_body("2027", "2027-13-01", "")),
            None,
        )
        .await;
        assert_eq!(status, Status::UnprocessableEntity);
        assert_eq!(
            field_messages(&body, "name"),
            ["学年应写作“2026-2027”这样相邻的两年。"]
        );
        assert_eq!(
            field_messages(&body, "starts_on"),
            ["日期格式应为 年-月-日。"]
        );
        assert_eq!(
            field_messages(&body, "ends_on"),
            ["日期格式应为 年-月-日。"]
        );
        let (status, body) = call(
            &app,
            Method::Post,
            "/api/v1/academic-years",
            Some(&bureau),
            Some(year_body("2026-2027", "2026-10-01", "2027-06-30")),
            None,
        )
        .await;
        assert_eq!(status, Status::Conflict, "{body}");
        assert_eq!(error_code(&body), "conflict");
        assert_eq!(
            field_messages(&body, "starts_on"),
            ["日期与学年 2026-2027 重叠。"]
        );
        assert_eq!(snapshot(&app).await, before);

        // Update.
        let (status, body) = call(
            &app,
            Method::Put,
            &format!("/api/v1/academic-years/{second_id}"),
            Some(&bureau),
            Some(year_body("2026-2027", "2026-08-31", "2027-07-10")),
            None,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["starts_on"], "2026-08-31");
        let row = academic_years::get(&app.db, second_id).await.unwrap();
        assert_eq!(row.ends_on.to_string(), "2027-07-10");
        // The current year cannot be un-made current by an edit.
        let (status, body) = call(
            &app,
            Method::Put,
            &format!("/api/v1/academic-years/{first_id}"),
            Some(&bureau),
            Some(year_body("2025-2026", "2025-09-01", "2026-07-15")),
            None,
        )
        .await;
        assert_eq!(status, Status::Conflict, "{body}");
        assert!(!field_messages(&body, "is_current").is_empty());

        // Make current: exactly one current year.
        let (status, body) = call(
            &app,
            Method::Post,
            &format!("/api/v1/academic-years/{second_id}/make-current"),
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["is_current"], true);
        let current = entities::academic_years::Entity::find()
            .filter(entities::academic_years::Column::IsCurrent.eq(true))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].id, second_id);

        // Delete: not the current one; the other goes.
        let (status, body) = call(
            &app,
            Method::Delete,
            &format!("/api/v1/academic-years/{second_id}"),
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::Conflict);
        assert_eq!(field_messages(&body, "is_current"), ["不能删除当前学年。"]);
        let (status, _) = call(
            &app,
            Method::Delete,
            &format!("/api/v1/academic-years/{first_id}"),
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::NoContent);
        assert_eq!(app.count("academic_years").await, 1);
        let (status, _) = call(
            &app,
            Method::Get,
            &format!("/api/v1/academic-years/{first_id}"),
            Some(&bureau),
            None,
            None,
        )
        .await;
        assert_eq!(status, Status::NotFound);
    })
    .await;
}
