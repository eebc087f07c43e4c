//! The resource library (issue 13 item 4): uploads checked by content against an
//! allow-list and the size limit, stored under generated names, served as attachments
//! with `nosniff` only to those it is shared with (a hidden one answers 404), searched by
//! kind, subject and grade; deleting the record deletes the file; a refused or cut-off
//! upload leaves no row and no file.
use rocket::http::{ContentType, Header, Status};

use crate::common::{PASSWORD, TestApp, World, each_db};
use tongxing::domain::access::Actor;
use tongxing::domain::resources::{self, ResourceForm, Upload};
use tongxing::domain::users;
use tongxing::error::AppError;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n";
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00";
const BOUNDARY: &str = "----tongxing-resource-boundary-Q3x";

struct Setup {
    w: World,
    /// The mentor–mentee pairing, active.
    tp: i64,
    /// 连州市实验学校 → 三元中学, active.
    sp: i64,
    /// A teacher and an admin of a third school.
    far_teacher: Actor,
    far_admin: Actor,
}

async fn setup(app: &TestApp) -> Setup {
    let (w, _year, tp) = crate::teacher_pairings::setup(app).await;
    let sp =
        crate::school_pairings::active(app, &w, w.urban.id, w.rural.id, "2026-2027", "2026-2027")
            .await;
    let far = app
        .school(&w.bureau_actor, "星子中学", "4418820009", "rural")
        .await;
    let far_admin = app
        .user(
            &w.bureau_actor,
            "far@tongxing.test",
            "school_admin",
            Some(far.id),
            None,
        )
        .await;
    let t = app.teacher(&w.bureau_actor, far.id, "王五", "F001").await;
    let far_teacher = app
        .user(
            &w.bureau_actor,
            "farteacher@tongxing.test",
            "teacher",
            Some(far.id),
            Some(t.id),
        )
        .await;
    Setup {
        tp,
        sp,
        far_teacher: users::actor_of(&far_teacher),
        far_admin: users::actor_of(&far_admin),
        w,
    }
}

fn form(title: &str, visibility: &str, sp: Option<i64>, tp: Option<i64>) -> ResourceForm {
    ResourceForm {
        title: title.into(),
        kind: "lesson_plan".into(),
        subject: "数学".into(),
        grade: "七年级".into(),
        visibility: visibility.into(),
        school_pairing_id: sp.map(|i| i.to_string()).unwrap_or_default(),
        teacher_pairing_id: tp.map(|i| i.to_string()).unwrap_or_default(),
        ..Default::default()
    }
}

fn file(name: &str, bytes: &[u8]) -> Option<Upload> {
    Some(Upload {
        name: name.into(),
        bytes: Ok(bytes.to_vec()),
    })
}

fn fields(e: AppError) -> Vec<(String, String)> {
    match e {
        AppError::Invalid(errors) => errors
            .0
            .into_iter()
            .flat_map(|(f, msgs)| msgs.into_iter().map(move |m| (f.clone(), m.key)))
            .collect(),
        e => panic!("{e:?}"),
    }
}

/// A multipart body: the text fields, then the file (when given) in `file`.
fn body(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in fields {
        out.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn multipart() -> ContentType {
    ContentType::new("multipart", "form-data").with_params(("boundary", BOUNDARY))
}

#[rocket::async_test]
async fn shared_files_reach_only_those_they_are_shared_with() {
    each_db(|app| async move {
        let s = setup(&app).await;
        let store = app.store();
        let mentee = users::actor_of(&s.w.mentee_user);
        let private = resources::create(
            &app.db,
            &store,
            &mentee,
            &form("一元一次方程 教案", "teacher_pairing", None, Some(s.tp)),
            file("教案.pdf", PDF),
        )
        .await
        .expect("shared with the pairing");
        let schools = resources::create(
            &app.db,
            &store,
            &users::actor_of(&s.w.urban_admin),
            &ResourceForm {
                kind: "courseware".into(),
                subject: "语文".into(),
                ..form("古诗鉴赏 课件", "school_pairing", Some(s.sp), None)
            },
            file("课件.pdf", PDF),
        )
        .await
        .expect("shared with the school pairing");
        let public = resources::create(
            &app.db,
            &store,
            &s.w.bureau_actor,
            &ResourceForm {
                kind: "theory".into(),
                subject: String::new(),
                grade: "八年级".into(),
                ..form("新课程理念", "everyone", None, None)
            },
            file("理念.txt", "有效教学的三个要素".as_bytes()),
        )
        .await
        .expect("shared with everyone");
        assert_eq!(store.names("resources").len(), 3);

        // Who sees which (lists and single reads through the same rule).
        let seen = |actor: Actor| {
            let db = app.db.clone();
            async move {
                resources::list(
                    &db,
                    &actor,
                    &Default::default(),
                    tongxing::domain::paging::PageRequest {
                        page: 1,
                        per_page: 50,
                    },
                )
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
            }
        };
        let all = vec![public.id, schools.id, private.id];
        assert_eq!(seen(s.w.bureau_actor.clone()).await, all);
        assert_eq!(seen(users::actor_of(&s.w.mentor_user)).await, all);
        assert_eq!(seen(mentee.clone()).await, all);
        assert_eq!(seen(users::actor_of(&s.w.rural_admin)).await, all);
        assert_eq!(seen(s.far_teacher.clone()).await, vec![public.id]);
        assert_eq!(seen(s.far_admin.clone()).await, vec![public.id]);
        for id in [private.id, schools.id] {
            assert!(matches!(
                resources::get(&app.db, &s.far_teacher, id).await,
                Err(AppError::NotFound)
            ));
        }

        // The search: kind, subject, grade.
        app.login("mentor@tongxing.test", PASSWORD).await;
        for (query, want) in [
            ("kind=courseware", vec!["古诗鉴赏"]),
            ("subject=%E6%95%B0%E5%AD%A6", vec!["一元一次方程"]),
            ("grade=%E5%85%AB%E5%B9%B4%E7%BA%A7", vec!["新课程理念"]),
            (
                "kind=lesson_plan&grade=%E4%B8%83%E5%B9%B4%E7%BA%A7",
                vec!["一元一次方程"],
            ),
            ("kind=paper", vec![]),
        ] {
            let (status, html) = app.get_html(&format!("/resources?{query}")).await;
            assert_eq!(status, Status::Ok);
            for title in ["一元一次方程", "古诗鉴赏", "新课程理念"] {
                assert_eq!(
                    html.contains(title),
                    want.contains(&title),
                    "{query}: {title}"
                );
            }
        }

        // The download: the bytes, as an attachment of the type found, not sniffed.
        let res = app
            .client
            .get(format!("/resources/{}/download", private.id))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Ok);
        assert_eq!(res.content_type(), Some(ContentType::PDF));
        assert_eq!(
            res.headers().get_one("X-Content-Type-Options"),
            Some("nosniff")
        );
        let disposition = res
            .headers()
            .get_one("Content-Disposition")
            .unwrap()
            .to_string();
        assert!(disposition.starts_with("attachment;"), "{disposition}");
        assert!(
            disposition.contains("filename*=UTF-8''%E6%95%99%E6%A1%88%2Epdf"),
            "{disposition}"
        );
        assert_eq!(res.into_bytes().await.unwrap(), PDF);
        let res = app
            .client
            .get(format!("/resources/{}/download", public.id))
            .dispatch()
            .await;
        assert_eq!(
            res.content_type().map(|c| c.to_string()),
            Some("text/plain; charset=utf-8".to_string())
        );
        app.logout().await;

        // Another school's teacher: the hidden ones answer like missing ones, on pages
        // and in the API; the public one downloads.
        app.login("farteacher@tongxing.test", PASSWORD).await;
        for id in [private.id, schools.id, 999_999] {
            let res = app
                .client
                .get(format!("/resources/{id}/download"))
                .dispatch()
                .await;
            assert_eq!(res.status(), Status::NotFound, "{id}");
        }
        let res = app
            .client
            .get(format!("/resources/{}/download", public.id))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Ok);
        let (_, html) = app.get_html("/resources").await;
        assert!(html.contains("新课程理念") && !html.contains("一元一次方程"));
        // Not theirs to delete: the public one is refused (403), the hidden one 404.
        let csrf = app.csrf().await;
        let res = app
            .post_form(
                &format!("/resources/{}/delete", public.id),
                &[("_csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), Status::Forbidden);
        let res = app
            .post_form(
                &format!("/resources/{}/delete", private.id),
                &[("_csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), Status::NotFound);
        assert_eq!(app.count("resources").await, 3);
        app.logout().await;
        let token = {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            let u = tongxing::entities::users::Entity::find()
                .filter(tongxing::entities::users::Column::Email.eq("farteacher@tongxing.test"))
                .one(&app.db)
                .await
                .unwrap()
                .unwrap();
            crate::api::token_for(&app, &u).await
        };
        for path in [
            format!("/api/v1/resources/{}", private.id),
            format!("/api/v1/resources/{}/file", private.id),
        ] {
            let res = app
                .client
                .get(path.as_str())
                .header(Header::new("Authorization", format!("Bearer {token}")))
                .dispatch()
                .await;
            assert_eq!(res.status(), Status::NotFound, "{path}");
        }

        // The uploader deletes: the row and the file go.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let csrf = app.csrf().await;
        let res = app
            .post_form(
                &format!("/resources/{}/delete", private.id),
                &[("_csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(app.count("resources").await, 2);
        assert_eq!(store.names("resources").len(), 2);
        assert!(!store.names("resources").contains(&private.stored_name));
    })
    .await;
}

#[rocket::async_test]
async fn bad_uploads_are_refused_with_the_reason_and_leave_nothing_behind() {
    each_db(|app| async move {
        let s = setup(&app).await;
        let store = app.store();
        let mentee = users::actor_of(&s.w.mentee_user);
        let good = form("教案", "teacher_pairing", None, Some(s.tp));
        // The form's own rules, all reported at once.
        let e = resources::create(
            &app.db,
            &store,
            &mentee,
            &ResourceForm {
                title: "  ".into(),
                kind: "novel".into(),
                subject: "学".repeat(41),
                visibility: "friends".into(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap_err();
        let mut got = fields(e);
        got.sort();
        assert_eq!(
            got,
            [
                ("file", "resource-err-no-file"),
                ("kind", "err-choose"),
                ("subject", "err-too-long"),
                ("title", "err-required"),
                ("visibility", "err-choose"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        // Where it is shared: a pairing that does not exist or is not named, and (below)
        // one the uploader is not in.
        for (f, field) in [
            (
                form("x", "teacher_pairing", None, Some(999_999)),
                "teacher_pairing_id",
            ),
            (
                form("x", "teacher_pairing", None, None),
                "teacher_pairing_id",
            ),
            (
                form("x", "school_pairing", Some(999_999), None),
                "school_pairing_id",
            ),
            // An id that is no id is refused even where the visibility does not use it.
            (
                ResourceForm {
                    teacher_pairing_id: "0".into(),
                    ..form("x", "everyone", None, None)
                },
                "teacher_pairing_id",
            ),
            (
                ResourceForm {
                    teacher_pairing_id: "9007199254740992".into(),
                    ..form("x", "everyone", None, None)
                },
                "teacher_pairing_id",
            ),
            (
                ResourceForm {
                    school_pairing_id: "abc".into(),
                    ..form("x", "teacher_pairing", None, Some(s.tp))
                },
                "school_pairing_id",
            ),
        ] {
            let e = resources::create(&app.db, &store, &mentee, &f, file("a.pdf", PDF))
                .await
                .unwrap_err();
            assert_eq!(
                fields(e),
                [(field.to_string(), "resource-err-pairing".to_string())]
            );
        }
        let e = resources::create(
            &app.db,
            &store,
            &s.far_teacher,
            &form("x", "teacher_pairing", None, Some(s.tp)),
            file("a.pdf", PDF),
        )
        .await
        .unwrap_err();
        assert_eq!(
            fields(e),
            [(
                "teacher_pairing_id".to_string(),
                "resource-err-pairing".to_string()
            )]
        );
        // Disguised and unknown types, an empty file.
        for (name, bytes, want) in [
            ("课件.pdf", EXE, "resource-err-content"),
            ("setup.exe", EXE, "resource-err-type"),
            (
                "page.html",
                &b"<script>alert(1)</script>"[..],
                "resource-err-type",
            ),
            ("教案.docx", PDF, "resource-err-content"),
            ("空.pdf", &b""[..], "resource-err-empty"),
        ] {
            let e = resources::create(&app.db, &store, &mentee, &good, file(name, bytes))
                .await
                .unwrap_err();
            assert_eq!(
                fields(e),
                [("file".to_string(), want.to_string())],
                "{name}"
            );
        }
        assert_eq!(app.count("resources").await, 0);
        assert!(store.names("resources").is_empty());

        // Through the page: a disguised file comes back with the reason and what was
        // typed; a path in the name is dropped and the file stored under a generated name.
        app.login("mentee@tongxing.test", PASSWORD).await;
        let csrf = app.csrf().await;
        let tp = s.tp.to_string();
        let typed = [
            ("_csrf", csrf.as_str()),
            ("title", "方程 教学设计"),
            ("kind", "lesson_plan"),
            ("subject", "数学"),
            ("grade", "七年级"),
            ("visibility", "teacher_pairing"),
            ("teacher_pairing_id", tp.as_str()),
        ];
        let res = app
            .client
            .post("/resources")
            .header(multipart())
            .body(body(&typed, Some(("setup.pdf", EXE))))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap();
        assert!(html.contains("文件内容与扩展名 .pdf 不符"), "{html}");
        assert!(html.contains("value=\"方程 教学设计\""));
        assert_eq!(app.count("resources").await, 0);
        assert!(store.names("resources").is_empty());
        let res = app
            .client
            .post("/resources")
            .header(multipart())
            .body(body(&typed, Some(("../../../etc/方程.pdf", PDF))))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let names = store.names("resources");
        assert_eq!(names.len(), 1);
        assert!(
            names[0].ends_with(".pdf") && !names[0].contains("方程"),
            "{names:?}"
        );
        let stored: String = {
            use sea_orm::EntityTrait;
            tongxing::entities::resources::Entity::find()
                .one(&app.db)
                .await
                .unwrap()
                .unwrap()
                .file_name
        };
        assert_eq!(stored, "方程.pdf");
        assert!(!app.data_dir.join("etc").exists());

        // A body cut off before its end: refused, nothing kept.
        let mut cut = body(&typed, Some(("b.pdf", PDF)));
        cut.truncate(cut.len() - 30);
        let res = app
            .client
            .post("/resources")
            .header(multipart())
            .body(cut)
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        assert_eq!(app.count("resources").await, 1);
        assert_eq!(store.names("resources").len(), 1);
        // A double submit with the same key makes one resource.
        let key = [("idempotency_key", "k-123456789012345678")];
        let with_key: Vec<(&str, &str)> = typed.iter().chain(key.iter()).copied().collect();
        for _ in 0..2 {
            let res = app
                .client
                .post("/resources")
                .header(multipart())
                .body(body(&with_key, Some(("c.pdf", PDF))))
                .dispatch()
                .await;
            assert_eq!(res.status(), Status::SeeOther);
        }
        assert_eq!(app.count("resources").await, 2);
        assert_eq!(
            store.names("resources").len(),
            2,
            "the second file was not kept"
        );
    })
    .await;
}

#[rocket::async_test]
async fn the_size_limit_is_the_setting_and_the_api_takes_multipart() {
    for backend in crate::common::backends() {
        let app = crate::common::spawn_with(backend, |f| f.merge(("upload_max_mb", 1))).await;
        let s = setup(&app).await;
        let store = app.store();
        let mut big = PDF.to_vec();
        big.resize(1024 * 1024 + 10, b' ');
        let e = resources::create(
            &app.db,
            &store,
            &users::actor_of(&s.w.mentee_user),
            &form("大文件", "everyone", None, None),
            file("big.pdf", &big),
        )
        .await
        .unwrap_err();
        assert_eq!(
            fields(e),
            [("file".to_string(), "resource-err-too-large".to_string())]
        );
        // Through the API, with a bearer token: over the limit, a JSON body, then a good
        // upload (201) that the list finds.
        let token = crate::api::token_for(&app, &s.w.mentee_user).await;
        let auth = Header::new("Authorization", format!("Bearer {token}"));
        let tp = s.tp.to_string();
        let fields_sent = [
            ("title", "方程 课件"),
            ("kind", "courseware"),
            ("subject", "数学"),
            ("visibility", "teacher_pairing"),
            ("teacher_pairing_id", tp.as_str()),
        ];
        let res = app
            .client
            .post("/api/v1/resources")
            .header(auth.clone())
            .header(multipart())
            .body(body(&fields_sent, Some(("big.pdf", &big))))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let json: serde_json::Value = res.into_json().await.unwrap();
        assert!(json["error"]["fields"]["file"].is_array(), "{json}");
        let res = app
            .client
            .post("/api/v1/resources")
            .header(auth.clone())
            .header(ContentType::JSON)
            .body("{}")
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::BadRequest);
        assert_eq!(app.count("resources").await, 0);
        assert!(store.names("resources").is_empty());
        let res = app
            .client
            .post("/api/v1/resources")
            .header(auth.clone())
            .header(multipart())
            .body(body(&fields_sent, Some(("课件.pdf", PDF))))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Created);
        let made: serde_json::Value = res.into_json().await.unwrap();
        assert_eq!(made["content_type"], "application/pdf");
        assert_eq!(made["visibility"], "teacher_pairing");
        assert_eq!(made["may_delete"], true);
        let res = app
            .client
            .get("/api/v1/resources?kind=courseware&subject=%E6%95%B0%E5%AD%A6")
            .header(auth.clone())
            .dispatch()
            .await;
        let list: serde_json::Value = res.into_json().await.unwrap();
        assert_eq!(list["items"][0]["id"], made["id"], "{list}");
        // A text filter longer than the document's maxLength is refused.
        let res = app
            .client
            .get(format!("/api/v1/resources?subject={}", "0".repeat(101)))
            .header(auth.clone())
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let json: serde_json::Value = res.into_json().await.unwrap();
        assert!(json["error"]["fields"]["subject"].is_array(), "{json}");
        let res = app
            .client
            .delete(format!("/api/v1/resources/{}", made["id"]))
            .header(auth)
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::NoContent);
        assert_eq!(app.count("resources").await, 0);
        assert!(store.names("resources").is_empty());
    }
}
