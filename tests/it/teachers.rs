//! Teachers: validation, staff numbers, who may add and edit whom, a teacher's own record,
//! lists with filters and pagination, both languages.
use rocket::http::Status;
use sea_orm::EntityTrait;
use tongxing::domain::access::Actor;
use tongxing::domain::teachers::{self, TeacherForm};
use tongxing::entities;

use crate::common::{PASSWORD, TestApp, each_db, enc, world};

fn teacher_fields<'a>(
    school_id: &'a str,
    name: &'a str,
    staff_no: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("school_id", school_id),
        ("name", name),
        ("gender", "female"),
        ("staff_no", staff_no),
        ("subjects", "数学、物理"),
        ("grades", "七年级，八年级"),
        ("title", "second"),
        ("years_teaching", "8"),
        ("honours", "骨干教师"),
        ("phone", "0763-6612345"),
        ("email", "t@school.cn"),
    ]
}

async fn row(app: &TestApp, id: i64) -> entities::teachers::Model {
    entities::teachers::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("teacher row")
}

/// A teacher made through the service, with the given subject, title and school.
async fn teacher_with(
    app: &TestApp,
    actor: &Actor,
    school_id: i64,
    name: &str,
    staff_no: &str,
    subject: &str,
    title: &str,
) -> entities::teachers::Model {
    let form = TeacherForm {
        school_id: school_id.to_string(),
        name: name.into(),
        gender: "male".into(),
        staff_no: staff_no.into(),
        subjects: subject.into(),
        title: title.into(),
        years_teaching: "3".into(),
        ..Default::default()
    };
    teachers::create(&app.db, actor, &form)
        .await
        .expect("create teacher")
}

#[rocket::async_test]
async fn bureau_adds_a_teacher_and_sees_the_profile() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app
            .get_html(&format!("/teachers/new?school_id={}", w.rural.id))
            .await;
        assert_eq!(status, Status::Ok);
        assert!(
            html.contains(&format!("value=\"{}\" selected", w.rural.id)),
            "school preselected"
        );
        let school = w.rural.id.to_string();
        let res = app
            .post_form("/teachers", &teacher_fields(&school, "黄丽", "R002"))
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let location = res.headers().get_one("Location").unwrap().to_string();
        let (status, html) = app.get_html(&location).await;
        assert_eq!(status, Status::Ok);
        for text in [
            "黄丽",
            "三元中学",
            "数学、物理",
            "七年级、八年级",
            "二级教师",
            "骨干教师",
            "0763-6612345",
            "已保存",
        ] {
            assert!(html.contains(text), "profile shows {text}");
        }
        assert!(
            html.contains("尚未开通账号"),
            "bureau sees the account status"
        );
        // In English, lists are written with commas, not 、 (issue 11 item 7).
        let (_, en) = app.get_html(&format!("{location}?lang=en")).await;
        assert!(
            en.contains("数学, 物理") && en.contains("七年级, 八年级"),
            "{en}"
        );
        assert!(!en.contains("数学、物理"));
        assert_eq!(app.count("teachers").await, 3);
    })
    .await;
}

#[rocket::async_test]
async fn every_bad_field_gets_its_message_and_nothing_is_saved() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let school = w.urban.id.to_string();
        let long_name = "张".repeat(51);
        let res = app
            .post_form(
                "/teachers",
                &[
                    ("school_id", school.as_str()),
                    ("name", long_name.as_str()),
                    ("gender", "unknown"),
                    ("staff_no", "  "),
                    ("subjects", ""),
                    ("title", "castle"),
                    ("years_teaching", "61"),
                    ("phone", "call me"),
                    ("email", "not-an-email"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        for message in [
            "表单有错误",
            "最多 50 个字符",
            "请从列表中选择",
            "此项必填",
            "请输入 0 到 60 之间的整数",
            "电话只能包含数字",
            "电子邮箱格式不正确",
        ] {
            assert!(html.contains(message), "missing {message}");
        }
        assert!(html.contains("value=\"call me\""), "typed phone kept");
        assert!(html.contains("value=\"not-an-email\""), "typed email kept");

        // Too many subjects, a too long subject, honours, years that are not a number,
        // a missing school and an unknown school.
        let res = app
            .post_form(
                "/teachers",
                &[
                    ("school_id", ""),
                    ("name", "王强"),
                    ("gender", "男"),
                    ("staff_no", "X1"),
                    ("subjects", "语文、数学、英语、物理、化学、生物"),
                    ("grades", &"年".repeat(21)),
                    ("years_teaching", "abc"),
                    ("honours", &"荣".repeat(31)),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        for message in [
            "最多 5 项",
            "最多 20 个字符",
            "最多 30 个字符",
            "请输入整数",
            "请从列表中选择",
        ] {
            assert!(html.contains(message), "missing {message}");
        }
        assert!(
            html.contains("语文、数学、英语、物理、化学、生物"),
            "typed list kept"
        );
        let res = app
            .post_form("/teachers", &teacher_fields("999999", "王强", "X1"))
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("学校不存在或已停用")
        );
        assert_eq!(app.count("teachers").await, 2);
    })
    .await;
}

#[rocket::async_test]
async fn staff_number_is_unique_within_a_school_only() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let urban = w.urban.id.to_string();
        let rural = w.rural.id.to_string();
        let res = app
            .post_form("/teachers", &teacher_fields(&urban, "周敏", "U001"))
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("本校已有相同工号的教师"));
        assert!(
            html.contains("id=\"e-staff_no\""),
            "the error is on the staff number field"
        );
        assert_eq!(app.count("teachers").await, 2);
        // The same number in another school is fine.
        let res = app
            .post_form("/teachers", &teacher_fields(&rural, "周敏", "U001"))
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(app.count("teachers").await, 3);
        // Editing the mentee onto a taken number in the same school is refused too.
        let res = app
            .post_form(
                &format!("/teachers/{}", w.mentee.id),
                &teacher_fields(&rural, "姚成琳", "U001"),
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert_eq!(row(&app, w.mentee.id).await.staff_no, "R001");
    })
    .await;
}

#[rocket::async_test]
async fn school_admin_manages_only_their_own_school() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("rural@tongxing.test", PASSWORD).await;
        // The new-teacher page fixes the admin's own school.
        let (status, html) = app.get_html("/teachers/new").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("三元中学"));
        assert!(!html.contains("连州市实验学校"), "no other school offered");
        assert!(html.contains(&format!("name=\"school_id\" value=\"{}\"", w.rural.id)));

        let urban = w.urban.id.to_string();
        let rural = w.rural.id.to_string();
        let res = app
            .post_form("/teachers", &teacher_fields(&urban, "偷加", "U900"))
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        assert_eq!(app.count("teachers").await, 2);
        let res = app
            .post_form("/teachers", &teacher_fields(&rural, "黄丽", "R002"))
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(app.count("teachers").await, 3);

        // Another school's teacher: readable, not editable; contacts hidden.
        // (Not paired with theirs, so not theirs to see: it answers like a missing one.)
        let other = format!("/teachers/{}", w.mentor.id);
        let (status, _) = app.get_html(&format!("{other}/edit")).await;
        assert_eq!(status, Status::NotFound);
        let res = app
            .post_form(&other, &teacher_fields(&urban, "改名", "U001"))
            .await;
        assert_eq!(res.status(), Status::NotFound);
        let res = app.post_form(&format!("{other}/deactivate"), &[]).await;
        assert_eq!(res.status(), Status::NotFound);
        let mentor = row(&app, w.mentor.id).await;
        assert_eq!(mentor.name, "李明");
        assert!(mentor.is_active);
        // Moving an own teacher to another school is refused as well.
        let res = app
            .post_form(
                &format!("/teachers/{}", w.mentee.id),
                &teacher_fields(&urban, "姚成琳", "R001"),
            )
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        assert_eq!(row(&app, w.mentee.id).await.school_id, w.rural.id);
        // Own teacher: editable.
        let res = app
            .post_form(
                &format!("/teachers/{}", w.mentee.id),
                &teacher_fields(&rural, "姚成琳", "R001"),
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(row(&app, w.mentee.id).await.title, "second");
    })
    .await;
}

#[rocket::async_test]
async fn contacts_are_shown_only_to_those_who_may_see_them() {
    each_db(|app| async move {
        let w = world(&app).await;
        // The two are paired, so the rural admin may read the urban mentor (not his contacts).
        let y = crate::teacher_pairings::year(&app, &w, "2026-2027", true).await;
        crate::teacher_pairings::paired(&app, &w, w.mentor.id, w.mentee.id, "数学", y).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let urban = w.urban.id.to_string();
        let res = app
            .post_form(
                &format!("/teachers/{}", w.mentor.id),
                &teacher_fields(&urban, "李明", "U001"),
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        app.logout().await;
        app.login("rural@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html(&format!("/teachers/{}", w.mentor.id)).await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("李明"));
        assert!(
            !html.contains("0763-6612345"),
            "other school's phone hidden"
        );
        assert!(!html.contains("t@school.cn"), "other school's email hidden");
        assert!(!html.contains("/edit\""), "no edit link");
        app.logout().await;
        app.login("urban@tongxing.test", PASSWORD).await;
        let (_, html) = app.get_html(&format!("/teachers/{}", w.mentor.id)).await;
        assert!(html.contains("0763-6612345"), "own school's phone shown");
    })
    .await;
}

#[rocket::async_test]
async fn a_teacher_edits_only_their_own_phone_and_email() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("mentee@tongxing.test", PASSWORD).await;
        let own = format!("/teachers/{}", w.mentee.id);
        let (status, html) = app.get_html(&own).await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("修改我的联系方式"));
        let (status, html) = app.get_html(&format!("{own}/edit")).await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("name=\"phone\"") && html.contains("name=\"email\""));
        assert!(!html.contains("name=\"name\"") && !html.contains("name=\"title\""));

        let res = app
            .post_form(
                &own,
                &[
                    ("name", "改名"),
                    ("title", "professor"),
                    ("staff_no", "Z9"),
                    ("phone", "13800138000"),
                    ("email", "Yao@School.cn"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let me = row(&app, w.mentee.id).await;
        assert_eq!(me.phone, "13800138000");
        assert_eq!(me.email, "yao@school.cn");
        assert_eq!(me.name, "姚成琳");
        assert_eq!(me.title, "first");
        assert_eq!(me.staff_no, "R001");

        let res = app
            .post_form(&own, &[("phone", "call me"), ("email", "")])
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("电话只能包含数字"));
        assert!(html.contains("value=\"call me\""));
        assert_eq!(row(&app, w.mentee.id).await.phone, "13800138000");

        // Anyone else's record, existing or not, answers alike (404); the lists are staff's.
        for path in [
            format!("/teachers/{}", w.mentor.id),
            format!("/teachers/{}/edit", w.mentor.id),
            "/teachers/999999".to_string(),
            "/teachers/999999/edit".to_string(),
        ] {
            let (status, _) = app.get_html(&path).await;
            assert_eq!(status, Status::NotFound, "{path}");
        }
        for path in ["/teachers", "/teachers/new"] {
            let (status, _) = app.get_html(path).await;
            assert_eq!(status, Status::Forbidden, "{path}");
        }
        let res = app
            .post_form(&format!("/teachers/{}", w.mentor.id), &[("phone", "1")])
            .await;
        assert_eq!(res.status(), Status::NotFound);
        let res = app
            .post_form(&format!("/teachers/{}/deactivate", w.mentee.id), &[])
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        assert!(row(&app, w.mentee.id).await.is_active);
        assert_eq!(row(&app, w.mentor.id).await.phone, "");
    })
    .await;
}

#[rocket::async_test]
async fn lists_filter_by_subject_title_district_and_school() {
    each_db(|app| async move {
        let w = world(&app).await;
        let actor = &w.bureau_actor;
        let far = app
            .school(actor, "阳山县第一小学", "4418230001", "rural")
            .await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        // The helper puts every school in 连州市; move one to 阳山县 through the page.
        let res = app
            .post_form(
                &format!("/schools/{}", far.id),
                &[
                    ("name", "阳山县第一小学"),
                    ("code", "4418230001"),
                    ("kind", "rural"),
                    ("stage", "primary"),
                    ("district", "阳山县"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        teacher_with(&app, actor, far.id, "欧阳海", "Y001", "物理", "senior").await;
        teacher_with(
            &app,
            actor,
            w.urban.id,
            "陈老师",
            "U002",
            "数学、物理化学",
            "third",
        )
        .await;

        let (status, html) = app
            .get_html(&format!("/teachers?subject={}", enc("物理")))
            .await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("欧阳海"));
        assert!(
            !html.contains("陈老师"),
            "a whole subject, not a part of one"
        );
        assert!(html.contains("共 1 条"));

        let (_, html) = app.get_html("/teachers?title=senior").await;
        assert!(html.contains("欧阳海") && !html.contains("李明") && html.contains("共 1 条"));

        let (_, html) = app
            .get_html(&format!("/teachers?district={}", enc("阳山县")))
            .await;
        assert!(html.contains("欧阳海") && !html.contains("姚成琳") && html.contains("共 1 条"));

        let (_, html) = app
            .get_html(&format!("/teachers?school_id={}", w.urban.id))
            .await;
        assert!(html.contains("李明") && html.contains("陈老师") && html.contains("共 2 条"));

        let (_, html) = app.get_html(&format!("/teachers?q={}", enc("R001"))).await;
        assert!(html.contains("姚成琳") && html.contains("共 1 条"));

        let (_, html) = app.get_html("/teachers?sort=years_teaching&dir=desc").await;
        let a = html.find("李明").unwrap();
        let b = html.find("欧阳海").unwrap();
        assert!(a < b, "5 years before 3 years");

        // Export links keep the filter, without the page.
        let (_, html) = app.get_html("/teachers?title=senior&page=2").await;
        assert!(html.contains("/teachers/export.xlsx?title=senior\""));

        // Bad filter values are ignored, not errors.
        let (status, html) = app
            .get_html("/teachers?title=castle&school_id=abc&sort=zzz")
            .await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("共 4 条"));

        // Nothing matches: an empty state that says what to do.
        let (_, html) = app
            .get_html(&format!("/teachers?q={}", enc("无此人")))
            .await;
        assert!(html.contains("没有符合条件的教师") && html.contains("href=\"/teachers/new\""));

        // Deactivated teachers leave the list unless asked for.
        let res = app
            .post_form(&format!("/teachers/{}/deactivate", w.mentor.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app.get_html("/teachers").await;
        assert!(!html.contains("李明") && html.contains("共 3 条"));
        let (_, html) = app.get_html("/teachers?inactive=1").await;
        assert!(html.contains("李明") && html.contains("已停用"));
        let res = app
            .post_form(&format!("/teachers/{}/reactivate", w.mentor.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert!(row(&app, w.mentor.id).await.is_active);
    })
    .await;
}

#[rocket::async_test]
async fn pagination_edges_render_sensibly() {
    each_db(|app| async move {
        let w = world(&app).await;
        for i in 0..23 {
            app.teacher(
                &w.bureau_actor,
                w.urban.id,
                &format!("教师{i:02}"),
                &format!("P{i:03}"),
            )
            .await;
        }
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/teachers?per_page=10&page=3").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("共 25 条") && html.contains("第 3 页 / 3"));
        assert!(html.contains("rel=\"prev\"") && !html.contains("rel=\"next\""));
        for query in ["page=0", "page=abc", "page=-1", "page=99999999999999999999"] {
            let (status, html) = app.get_html(&format!("/teachers?{query}")).await;
            assert_eq!(status, Status::Ok, "{query}");
            assert!(html.contains("第 1 页 / 2"), "{query} is the first page");
        }
        let (status, html) = app.get_html("/teachers?page=999999999").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("共 25 条") && html.contains("这一页没有记录"));
        assert!(html.contains("回到第一页"));
        let (status, html) = app.get_html("/teachers?per_page=100000").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("第 1 页 / 1") && html.contains("教师22"));
        let (status, html) = app.get_html("/teachers?per_page=0").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("第 1 页 / 25"));
    })
    .await;
}

#[rocket::async_test]
async fn odd_ids_are_not_found() {
    each_db(|app| async move {
        world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        for path in [
            "/teachers/999999",
            "/teachers/abc",
            "/teachers/abc/edit",
            "/teachers/1.5",
        ] {
            let (status, _) = app.get_html(path).await;
            assert_eq!(status, Status::NotFound, "{path}");
        }
        let res = app.post_form("/teachers/abc", &[("name", "x")]).await;
        assert_eq!(res.status(), Status::NotFound);
        let res = app.post_form("/teachers/999999/deactivate", &[]).await;
        assert_eq!(res.status(), Status::NotFound);
    })
    .await;
}

#[rocket::async_test]
async fn teacher_pages_speak_english() {
    each_db(|app| async move {
        let w = world(&app).await;
        app.login("bureau@tongxing.test", PASSWORD).await;
        let (status, html) = app.get_html("/teachers?lang=en").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("Staff number") && html.contains("2 results"));
        assert!(html.contains("Grade-1 teacher"), "titles in English");
        let (_, html) = app
            .get_html(&format!("/teachers/{}?lang=en", w.mentor.id))
            .await;
        assert!(html.contains("Account") && html.contains("mentor@tongxing.test"));
        assert!(html.contains("Edit") && html.contains("Deactivate"));
        let (_, html) = app.get_html("/teachers/new?lang=en").await;
        assert!(html.contains("New teacher") && html.contains("Separate several with commas"));
        let res = app.post_form("/teachers", &[("name", "")]).await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert!(
            res.into_string()
                .await
                .unwrap()
                .contains("This field is required.")
        );
    })
    .await;
}

/// Services run on the caller's transaction: a school and its first teacher made by two
/// services in one transaction land together, and a failure in the second (a staff number
/// already taken) leaves the caller free to roll both back.
#[rocket::async_test]
async fn two_services_make_one_change_in_the_callers_transaction() {
    use sea_orm::{PaginatorTrait, TransactionTrait};
    use tongxing::domain::schools::{self, SchoolForm};
    each_db(|app| async move {
        let w = world(&app).await;
        let school_form = SchoolForm {
            name: "新建小学".into(),
            code: "4418820099".into(),
            kind: "rural".into(),
            stage: "primary".into(),
            district: "连州市".into(),
            township: "三水乡".into(),
            ..Default::default()
        };
        let schools_before = entities::schools::Entity::find().count(&app.db).await.unwrap();
        let teachers_before = entities::teachers::Entity::find().count(&app.db).await.unwrap();
        let teacher_form = |school_id: i64, staff_no: &str| TeacherForm {
            school_id: school_id.to_string(),
            name: "林老师".into(),
            gender: "female".into(),
            staff_no: staff_no.into(),
            subjects: "语文".into(),
            title: "first".into(),
            years_teaching: "2".into(),
            ..Default::default()
        };
        let existing = app.teacher(&w.bureau_actor, w.rural.id, "占号", "TAKEN-1").await;
        assert_eq!(existing.staff_no, "TAKEN-1");

        // The second service refuses: the caller rolls back, and the school is gone too.
        let txn = tongxing::db::begin_write(&app.db).await.unwrap();
        let school = schools::create(&txn, &w.bureau_actor, &school_form)
            .await
            .expect("school in the caller's transaction");
        let err = teachers::create(&txn, &w.bureau_actor, &teacher_form(w.rural.id, "TAKEN-1"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, tongxing::error::AppError::Conflict { field, .. } if field == "staff_no"),
            "{err:?}"
        );
        txn.rollback().await.unwrap();
        assert!(
            entities::schools::Entity::find_by_id(school.id)
                .one(&app.db)
                .await
                .unwrap()
                .is_none(),
            "the school was rolled back with the refused teacher"
        );
        assert_eq!(
            entities::schools::Entity::find().count(&app.db).await.unwrap(),
            schools_before
        );

        // Both succeed: one commit makes both visible; before it, neither is.
        let txn = app.db.begin().await.unwrap();
        let school = schools::create(&txn, &w.bureau_actor, &school_form)
            .await
            .expect("school");
        let teacher = teachers::create(&txn, &w.bureau_actor, &teacher_form(school.id, "NEW-1"))
            .await
            .expect("teacher of the new school, in the same transaction");
        txn.commit().await.unwrap();
        let saved = row(&app, teacher.id).await;
        assert_eq!(saved.school_id, school.id);
        assert_eq!(
            entities::teachers::Entity::find().count(&app.db).await.unwrap(),
            teachers_before + 2
        );
    })
    .await;
}

/// Names in the order a list shows them (by where each first appears in the page).
fn order_in(html: &str, names: &[&str]) -> Vec<String> {
    let mut found: Vec<(usize, &str)> = names
        .iter()
        .filter_map(|n| html.find(&format!(">{n}<")).map(|at| (at, *n)))
        .collect();
    found.sort();
    found.into_iter().map(|(_, n)| n.to_string()).collect()
}

#[rocket::async_test]
async fn a_name_search_finds_any_part_of_a_name_in_pinyin_order() {
    each_db(|app| async move {
        let w = world(&app).await;
        let actor = &w.bureau_actor;
        for (name, no) in [
            ("王丽华", "S01"),
            ("汪明", "S02"),
            ("黄王", "S03"),
            ("丽王华", "S04"),
            ("阿依·买买提", "S05"),
            ("王华", "S06"),
        ] {
            teacher_with(&app, actor, w.urban.id, name, no, "数学", "second").await;
        }
        app.login("bureau@tongxing.test", PASSWORD).await;
        let all = [
            "王丽华",
            "汪明",
            "黄王",
            "丽王华",
            "阿依·买买提",
            "王华",
            "李明",
            "姚成琳",
        ];
        let search = |q: &str| {
            let app = &app;
            let q = q.to_string();
            async move {
                let (status, html) = app.get_html(&format!("/teachers?q={}", enc(&q))).await;
                assert_eq!(status, Status::Ok);
                order_in(&html, &all)
            }
        };
        // One character: anywhere in the name, in pinyin order (黄 huang, 丽 li, 王 wang).
        assert_eq!(search("王").await, ["黄王", "丽王华", "王华", "王丽华"]);
        // Two: the pair as written, not the characters apart.
        assert_eq!(search("王华").await, ["丽王华", "王华"]);
        assert_eq!(search("丽华").await, ["王丽华"]);
        // Three and more: then the whole text is checked.
        assert_eq!(search("王丽华").await, ["王丽华"]);
        assert_eq!(search("丽王").await, ["丽王华"]);
        assert_eq!(search("买买提").await, ["阿依·买买提"]);
        assert_eq!(search("依·买").await, ["阿依·买买提"]);
        assert!(search("王明").await.is_empty(), "not a part of any name");
        // Spaces typed around or inside are ignored.
        assert_eq!(search(" 王 华 ").await, ["丽王华", "王华"]);
        // Descending and other orders, and the other filters, still apply.
        let (_, html) = app
            .get_html(&format!("/teachers?q={}&dir=desc", enc("王")))
            .await;
        assert_eq!(order_in(&html, &all), ["王丽华", "王华", "丽王华", "黄王"]);
        let (_, html) = app
            .get_html(&format!(
                "/teachers?q={}&school_id={}",
                enc("明"),
                w.rural.id
            ))
            .await;
        assert!(
            order_in(&html, &all).is_empty(),
            "李明 and 汪明 teach in town"
        );
        let (_, html) = app
            .get_html(&format!("/teachers?q={}&sort=staff_no", enc("王")))
            .await;
        assert_eq!(order_in(&html, &all), ["王丽华", "黄王", "丽王华", "王华"]);

        // A rename moves the teacher to the new name's pieces.
        let t = teachers::search(&app.db, actor, "汪明").await.unwrap();
        assert_eq!(t.len(), 1);
        let before = row(&app, t[0].id).await;
        let mut form = TeacherForm::from_model(&before);
        form.name = "汪晓".into();
        teachers::update(&app.db, actor, before.id, &form)
            .await
            .unwrap();
        assert!(
            teachers::search(&app.db, actor, "明")
                .await
                .unwrap()
                .iter()
                .all(|f| f.name != "汪晓")
        );
        let found = teachers::search(&app.db, actor, "晓").await.unwrap();
        assert_eq!(
            found.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            ["汪晓"]
        );
        // The picker finds by name through the same index, and still by staff number.
        let found = teachers::search(&app.db, actor, "丽").await.unwrap();
        assert_eq!(
            found.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            ["丽王华", "王丽华"]
        );
        let found = teachers::search(&app.db, actor, "S05").await.unwrap();
        assert_eq!(found[0].name, "阿依·买买提");
        // A school admin finds only what they may see.
        let rural = tongxing::domain::users::actor_of(&w.rural_admin);
        assert!(
            teachers::search(&app.db, &rural, "王")
                .await
                .unwrap()
                .is_empty()
        );
    })
    .await;
}
