//! Exchange visits (issue 13 item 1): recorded on an active school pairing by an admin of
//! either school; the host is one of the two schools, the dates are in order, the
//! participants teach at the two schools; a student visit's gift becomes a ledger item
//! from students; photos are stored without their EXIF data, with thumbnails. Every
//! refusal changes nothing.
use rocket::http::{ContentType, Status};

use crate::common::{PASSWORD, TestApp, each_db, world};
use tongxing::domain::access::Actor;
use tongxing::domain::contributions::{self as ledger, LedgerAction};
use tongxing::domain::users;
use tongxing::domain::visits::{self, VisitForm};
use tongxing::error::AppError;

pub struct Setup {
    pub w: crate::common::World,
    pub pairing: i64,
    pub urban: Actor,
    pub rural: Actor,
    pub other: Actor,
    /// A teacher of a school outside the pairing.
    pub stranger: i64,
    /// The current academic year, 2026-2027.
    pub year: i64,
}

/// The world, an active pairing 连州市实验学校 → 三元中学, and a third school with an admin
/// and a teacher.
pub async fn setup(app: &TestApp) -> Setup {
    let w = world(app).await;
    let year = crate::teacher_pairings::year(app, &w, "2026-2027", true).await;
    let pairing =
        crate::school_pairings::active(app, &w, w.urban.id, w.rural.id, "2026-2027", "2026-2027")
            .await;
    let far = app
        .school(&w.bureau_actor, "星子中学", "4418820009", "rural")
        .await;
    let other = app
        .user(
            &w.bureau_actor,
            "far@tongxing.test",
            "school_admin",
            Some(far.id),
            None,
        )
        .await;
    let stranger = app.teacher(&w.bureau_actor, far.id, "王五", "F001").await;
    Setup {
        urban: users::actor_of(&w.urban_admin),
        rural: users::actor_of(&w.rural_admin),
        other: users::actor_of(&other),
        stranger: stranger.id,
        year,
        pairing,
        w,
    }
}

pub fn visit(s: &Setup) -> VisitForm {
    let day = (tongxing::domain::types::today() - chrono::Duration::days(10)).to_string();
    VisitForm {
        kind: "teacher".into(),
        host_school_id: s.w.urban.id.to_string(),
        starts_on: day.clone(),
        ends_on: day,
        teacher_ids: vec![s.w.mentor.id.to_string(), s.w.mentee.id.to_string()],
        activities: vec!["open_class".into(), "lecture".into()],
        summary: "三元中学教师到实验学校听公开课、参加讲座。".into(),
        outcome: "学习了导学案的用法。".into(),
        ..Default::default()
    }
}

fn code(e: AppError) -> &'static str {
    match e {
        AppError::Forbidden => "403",
        AppError::NotFound => "404",
        AppError::Conflict { .. } => "409",
        AppError::Invalid(_) => "422",
        e => panic!("{e:?}"),
    }
}

#[rocket::async_test]
async fn either_school_records_a_visit_checked_against_the_pairing() {
    each_db(|app| async move {
        let s = setup(&app).await;
        let v = visits::create(
            &app.db,
            &s.urban,
            s.pairing,
            &visit(&s),
            crate::common::ctx(),
        )
        .await
        .expect("recorded");
        assert_eq!(
            (v.host_school_id, v.guest_school_id),
            (s.w.urban.id, s.w.rural.id)
        );
        assert_eq!(v.activities, r#"["open_class","lecture"]"#);
        assert_eq!(
            visits::teacher_ids(&app.db, v.id).await.unwrap(),
            vec![s.w.mentor.id, s.w.mentee.id]
        );
        // The receiving school records a visit it hosted.
        let back = visits::create(
            &app.db,
            &s.rural,
            s.pairing,
            &VisitForm {
                kind: "leader".into(),
                host_school_id: s.w.rural.id.to_string(),
                teacher_ids: vec![],
                ..visit(&s)
            },
            crate::common::ctx(),
        )
        .await
        .unwrap();
        assert_eq!(back.guest_school_id, s.w.urban.id);

        // Bad input: each on its field, nothing written.
        let before = app.count("visits").await;
        let links = app.count("visit_teachers").await;
        let cases: Vec<(VisitForm, &str)> = vec![
            (
                VisitForm {
                    host_school_id: "999999".into(),
                    ..visit(&s)
                },
                "host_school_id",
            ),
            (
                VisitForm {
                    host_school_id: "abc".into(),
                    ..visit(&s)
                },
                "host_school_id",
            ),
            (
                VisitForm {
                    ends_on: "2026-01-01".into(),
                    starts_on: "2026-01-05".into(),
                    ..visit(&s)
                },
                "ends_on",
            ),
            (
                VisitForm {
                    starts_on: "2026-02-30".into(),
                    ..visit(&s)
                },
                "starts_on",
            ),
            (
                VisitForm {
                    teacher_ids: vec![s.w.mentor.id.to_string(), s.stranger.to_string()],
                    ..visit(&s)
                },
                "teacher_ids",
            ),
            (
                VisitForm {
                    teacher_ids: vec!["x".into()],
                    ..visit(&s)
                },
                "teacher_ids",
            ),
            (
                VisitForm {
                    summary: "  ".into(),
                    ..visit(&s)
                },
                "summary",
            ),
            (
                VisitForm {
                    summary: "长".repeat(4001),
                    ..visit(&s)
                },
                "summary",
            ),
            (
                VisitForm {
                    kind: "party".into(),
                    ..visit(&s)
                },
                "kind",
            ),
            (
                VisitForm {
                    activities: vec!["dinner".into()],
                    ..visit(&s)
                },
                "activities",
            ),
            (
                VisitForm {
                    kind: "student".into(),
                    ..visit(&s)
                },
                "student_count",
            ),
            (
                VisitForm {
                    student_count: "-3".into(),
                    ..visit(&s)
                },
                "student_count",
            ),
        ];
        for (form, field) in cases {
            let err = visits::create(&app.db, &s.urban, s.pairing, &form, crate::common::ctx())
                .await
                .unwrap_err();
            assert!(
                matches!(err, AppError::Invalid(ref f) if f.get(field).is_some()),
                "{field}: {err:?}"
            );
        }
        assert_eq!(app.count("visits").await, before);
        assert_eq!(app.count("visit_teachers").await, links);

        // Only an admin of one of the two schools records: the bureau and a teacher 403,
        // another school's admin does not see the pairing (404).
        let mentor = users::actor_of(&s.w.mentor_user);
        for (who, want) in [
            (&s.w.bureau_actor, "403"),
            (&mentor, "403"),
            (&s.other, "404"),
        ] {
            let err = visits::create(&app.db, who, s.pairing, &visit(&s), crate::common::ctx())
                .await
                .unwrap_err();
            assert_eq!(code(err), want);
        }
        // Who reads it: the bureau, both schools' admins and teachers; not another school.
        for who in [&s.w.bureau_actor, &s.rural, &mentor] {
            visits::get(&app.db, who, v.id).await.expect("visible");
        }
        assert_eq!(
            code(visits::get(&app.db, &s.other, v.id).await.unwrap_err()),
            "404"
        );

        // A double submit (the same key) records one visit.
        let once = VisitForm {
            idempotency_key: "visit-k-1".into(),
            ..visit(&s)
        };
        let a = visits::create(&app.db, &s.urban, s.pairing, &once, crate::common::ctx())
            .await
            .unwrap();
        let b = visits::create(&app.db, &s.urban, s.pairing, &once, crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(a.id, b.id);

        // Edits: the other school may correct it; a stale version is refused; a teacher or
        // another school may not.
        let mut fix = VisitForm {
            outcome: "形成了集体备课制度。".into(),
            teacher_ids: vec![s.w.mentee.id.to_string()],
            version: "7".into(),
            ..visit(&s)
        };
        let err = visits::update(&app.db, &s.rural, v.id, &fix, crate::common::ctx())
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::Conflict { ref field, .. } if field == "version"),
            "{err:?}"
        );
        fix.version = v.version.to_string();
        assert_eq!(
            code(
                visits::update(&app.db, &mentor, v.id, &fix, crate::common::ctx())
                    .await
                    .unwrap_err()
            ),
            "403"
        );
        assert_eq!(
            code(
                visits::update(&app.db, &s.other, v.id, &fix, crate::common::ctx())
                    .await
                    .unwrap_err()
            ),
            "404"
        );
        let fixed = visits::update(&app.db, &s.rural, v.id, &fix, crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(fixed.outcome, "形成了集体备课制度。");
        assert_eq!(fixed.version, v.version + 1);
        assert_eq!(
            visits::teacher_ids(&app.db, v.id).await.unwrap(),
            vec![s.w.mentee.id]
        );
        // The same stale save again: refused, nothing changed.
        let err = visits::update(&app.db, &s.rural, v.id, &fix, crate::common::ctx())
            .await
            .unwrap_err();
        assert_eq!(code(err), "409");

        // Delete: not by a teacher or another school; by either admin, with its links.
        let store = app.store();
        assert_eq!(
            code(
                visits::delete(&app.db, &store, &mentor, v.id)
                    .await
                    .unwrap_err()
            ),
            "403"
        );
        assert_eq!(
            code(
                visits::delete(&app.db, &store, &s.other, v.id)
                    .await
                    .unwrap_err()
            ),
            "404"
        );
        visits::delete(&app.db, &store, &s.urban, v.id)
            .await
            .unwrap();
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) AS n FROM visit_teachers WHERE visit_id = {}",
                v.id
            ))
            .await,
            0
        );
        assert!(
            app.scalar("SELECT COUNT(*) AS n FROM audit_log WHERE entity = 'visit'")
                .await
                >= 5,
            "created, updated and deleted in the audit log"
        );

        // A pairing that is not running takes no visits (409).
        tongxing::domain::school_pairings::terminate(
            &app.db,
            &s.w.bureau_actor,
            s.pairing,
            "调整",
            crate::common::ctx(),
        )
        .await
        .unwrap();
        let before = app.count("visits").await;
        let err = visits::create(
            &app.db,
            &s.urban,
            s.pairing,
            &visit(&s),
            crate::common::ctx(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, AppError::Conflict { ref field, .. } if field == "school_pairing_id"),
            "{err:?}"
        );
        assert_eq!(app.count("visits").await, before);
    })
    .await;
}

#[rocket::async_test]
async fn a_student_visit_gift_becomes_a_ledger_item_from_students() {
    each_db(|app| async move {
        let s = setup(&app).await;
        let student = |gift: &str, value: &str| VisitForm {
            kind: "student".into(),
            host_school_id: s.w.rural.id.to_string(),
            student_count: "45".into(),
            classes: "七(2)班 与 七(3)班".into(),
            gift: gift.into(),
            gift_value: value.into(),
            teacher_ids: vec![],
            activities: vec![],
            ..visit(&s)
        };
        // A bad value, a value without saying what, a future date: refused on the visit's
        // own fields; neither the visit nor a ledger item is written.
        let future = (tongxing::domain::types::today() + chrono::Duration::days(3)).to_string();
        for (form, field) in [
            (student("图书 300 册", "abc"), "gift_value"),
            (student("图书 300 册", "1.234"), "gift_value"),
            (student("", "500"), "gift"),
            (
                VisitForm {
                    starts_on: future.clone(),
                    ends_on: future.clone(),
                    ..student("图书 300 册", "500")
                },
                "ends_on",
            ),
        ] {
            let err = visits::create(&app.db, &s.urban, s.pairing, &form, crate::common::ctx())
                .await
                .unwrap_err();
            assert!(
                matches!(err, AppError::Invalid(ref f) if f.get(field).is_some()),
                "{field}: {err:?}"
            );
        }
        assert_eq!(app.count("visits").await, 0);
        assert_eq!(app.count("contributions").await, 0);

        // The urban school's students give books worth ¥12,000.00 when they visit.
        let v = visits::create(
            &app.db,
            &s.urban,
            s.pairing,
            &student("图书 300 册", "1.2万"),
            crate::common::ctx(),
        )
        .await
        .unwrap();
        let item = ledger::get(&app.db, &s.urban, v.contribution_id.expect("in the ledger"))
            .await
            .unwrap();
        assert!(item.from_students);
        assert_eq!(item.value_fen, 1_200_000);
        assert_eq!(
            (item.giver_school_id, item.receiver_school_id),
            (s.w.urban.id, s.w.rural.id)
        );
        assert_eq!(item.description, "图书 300 册");
        assert_eq!(item.given_on, v.ends_on);
        // The receiving school confirms it in the ledger like any item.
        let ok = ledger::answer(
            &app.db,
            &s.rural,
            item.id,
            LedgerAction::Confirm,
            "",
            crate::common::ctx(),
        )
        .await
        .unwrap();
        assert_eq!(ok.status, ledger::LedgerStatus::Confirmed);
        // An edit of the visit keeps the ledger item (changed in the ledger, not here).
        let edit = VisitForm {
            version: v.version.to_string(),
            gift_value: "99".into(),
            ..student("图书 300 册", "99")
        };
        let edited = visits::update(&app.db, &s.urban, v.id, &edit, crate::common::ctx())
            .await
            .unwrap();
        assert_eq!(edited.contribution_id, Some(item.id));
        assert_eq!(app.count("contributions").await, 1);
        // A gift named without a value stays text.
        let plain = visits::create(
            &app.db,
            &s.rural,
            s.pairing,
            &student("手工贺卡", ""),
            crate::common::ctx(),
        )
        .await
        .unwrap();
        assert_eq!(plain.contribution_id, None);
        assert_eq!(app.count("contributions").await, 1);
        // Deleting the visit keeps the confirmed ledger item.
        visits::delete(&app.db, &app.store(), &s.urban, v.id)
            .await
            .unwrap();
        assert_eq!(app.count("contributions").await, 1);
    })
    .await;
}

const BOUNDARY: &str = "----tongxing-photo-boundary-b7Qx";

/// A multipart body with the CSRF field and files in the `photos` field.
fn photos_body(csrf: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body =
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n")
            .into_bytes();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A JPEG of `w`×`h` with an EXIF block: orientation 6 (turn 90° clockwise), a GPS
/// position, and a marker text that must not survive.
pub fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
    let img = image::DynamicImage::new_rgb8(w, h);
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 80)
        .encode_image(&img.to_rgb8())
        .expect("encode");
    // TIFF, little endian: IFD0 with Orientation, ImageDescription (the marker) and the
    // GPS IFD pointer; the GPS IFD with GPSLatitudeRef "N" and GPSLatitude 23/1 45/1 0/1.
    let marker = b"GPS-SECRET-MARKER\0";
    let mut t: Vec<u8> = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    let ifd0_len = 2 + 3 * 12 + 4;
    let marker_at = 8 + ifd0_len;
    let gps_at = marker_at + marker.len();
    let gps_len = 2 + 2 * 12 + 4;
    let lat_at = gps_at + gps_len;
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32| {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value.to_le_bytes());
    };
    t.extend(3u16.to_le_bytes());
    entry(&mut t, 0x010E, 2, marker.len() as u32, marker_at as u32);
    entry(&mut t, 0x0112, 3, 1, 6);
    entry(&mut t, 0x8825, 4, 1, gps_at as u32);
    t.extend(0u32.to_le_bytes());
    t.extend(marker);
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut t, 0x0002, 5, 3, lat_at as u32);
    t.extend(0u32.to_le_bytes());
    for (n, d) in [(23u32, 1u32), (45, 1), (0, 1)] {
        t.extend(n.to_le_bytes());
        t.extend(d.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(t);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[rocket::async_test]
async fn photos_lose_their_exif_data_and_bad_files_leave_nothing_behind() {
    each_db(|app| async move {
        let s = setup(&app).await;
        let v = visits::create(
            &app.db,
            &s.urban,
            s.pairing,
            &visit(&s),
            crate::common::ctx(),
        )
        .await
        .unwrap();
        app.login("rural@tongxing.test", PASSWORD).await;
        let csrf = app.csrf().await;
        let photo = jpeg_with_exif(64, 32);
        assert!(contains(&photo, b"GPS-SECRET-MARKER") && contains(&photo, b"Exif"));
        let post = |body: Vec<u8>| {
            app.client
                .post(format!("/visits/{}/photos", v.id))
                .header(
                    ContentType::new("multipart", "form-data").with_params(("boundary", BOUNDARY)),
                )
                .body(body)
        };
        let res = post(photos_body(&csrf, &[("../../etc/现场.jpg", &photo)]))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let rows = tongxing::domain::photos::of_visit(&app.db, v.id)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        // Turned upright by its orientation before the EXIF block was dropped.
        assert_eq!((rows[0].width, rows[0].height), (32, 64));
        let store = app.store();
        let names = store.names("photos");
        assert_eq!(names.len(), 2, "the photo and its thumbnail: {names:?}");
        for name in &names {
            assert!(name.ends_with(".jpg") && !name.contains("etc"), "{name}");
            let bytes = std::fs::read(app.data_dir.join("uploads/photos").join(name)).unwrap();
            assert!(!contains(&bytes, b"Exif"), "no EXIF block in {name}");
            assert!(!contains(&bytes, b"GPS-SECRET-MARKER"));
        }
        // Served as JPEG, not sniffed, to those who see the visit; 404 to another school.
        let res = app
            .client
            .get(format!("/visits/{}/photos/{}/thumb", v.id, rows[0].id))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::Ok);
        assert_eq!(res.content_type(), Some(ContentType::JPEG));
        assert_eq!(
            res.headers().get_one("X-Content-Type-Options"),
            Some("nosniff")
        );
        let (_, html) = app.get_html(&format!("/visits/{}", v.id)).await;
        assert!(html.contains(&format!("/visits/{}/photos/{}/thumb", v.id, rows[0].id)));
        app.logout().await;
        app.login("far@tongxing.test", PASSWORD).await;
        for path in [
            format!("/visits/{}/photos/{}", v.id, rows[0].id),
            format!("/visits/{}/photos/{}/thumb", v.id, rows[0].id),
            format!("/visits/{}", v.id),
        ] {
            let res = app.client.get(path.as_str()).dispatch().await;
            assert_eq!(res.status(), Status::NotFound, "{path}");
        }
        app.logout().await;

        // An executable named .jpg, a cut-short JPEG, and a good photo in one batch: the
        // batch is refused with the bad file's position, and nothing of it is kept.
        app.login("urban@tongxing.test", PASSWORD).await;
        let csrf = app.csrf().await;
        let mut cut = jpeg_with_exif(64, 64);
        cut.truncate(200);
        for (files, want) in [
            (
                vec![
                    ("ok.jpg", &photo[..]),
                    ("setup.jpg", &b"MZ\x90\x00\x03\x00\x00\x00 not a photo"[..]),
                ],
                "第 2 个文件不是 JPG 或 PNG 照片",
            ),
            (vec![("cut.jpg", &cut[..])], "第 1 个文件无法读取"),
        ] {
            let res = post(photos_body(&csrf, &files)).dispatch().await;
            assert_eq!(res.status(), Status::UnprocessableEntity);
            let html = res.into_string().await.unwrap_or_default();
            assert!(html.contains(want), "{want}: {html}");
            assert_eq!(store.names("photos").len(), 2, "nothing new on disk");
            assert_eq!(app.count("visit_photos").await, 1, "no new row");
        }
        // No file chosen: said so.
        let res = post(photos_body(&csrf, &[])).dispatch().await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        // Without the CSRF token: refused.
        let res = post(photos_body("forged", &[("a.jpg", &photo)]))
            .dispatch()
            .await;
        assert!(res.status() == Status::BadRequest || res.status() == Status::Forbidden);
        assert_eq!(app.count("visit_photos").await, 1);

        // Deleting the photo removes both files; deleting the visit removes the rest.
        let res = app
            .post_form(
                &format!("/visits/{}/photos/{}/delete", v.id, rows[0].id),
                &[],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert!(store.names("photos").is_empty());
        let res = post(photos_body(&csrf, &[("a.jpg", &photo), ("b.jpg", &photo)]))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(store.names("photos").len(), 4);
        let res = app
            .post_form(&format!("/visits/{}/delete", v.id), &[])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert!(
            store.names("photos").is_empty(),
            "the visit's files went with it"
        );
        assert_eq!(app.count("visit_photos").await, 0);
    })
    .await;
}

#[rocket::async_test]
async fn a_photo_over_the_limit_is_refused_and_leaves_nothing_behind() {
    for backend in crate::common::backends() {
        let app = crate::common::spawn_with(backend, |f| f.merge(("upload_max_mb", 1))).await;
        let s = setup(&app).await;
        let v = visits::create(
            &app.db,
            &s.urban,
            s.pairing,
            &visit(&s),
            crate::common::ctx(),
        )
        .await
        .unwrap();
        app.login("urban@tongxing.test", PASSWORD).await;
        let csrf = app.csrf().await;
        let mut big = jpeg_with_exif(64, 64);
        big.resize(1024 * 1024 + 10, 0);
        let res = app
            .client
            .post(format!("/visits/{}/photos", v.id))
            .header(ContentType::new("multipart", "form-data").with_params(("boundary", BOUNDARY)))
            .body(photos_body(&csrf, &[("big.jpg", &big)]))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap_or_default();
        assert!(html.contains("超过 1 MB"), "{html}");
        assert_eq!(app.count("visit_photos").await, 0);
        assert!(app.store().names("photos").is_empty());
    }
}

#[rocket::async_test]
async fn the_pages_record_list_and_show_visits() {
    each_db(|app| async move {
        let s = setup(&app).await;
        // A teacher may not open the form; the school admin may.
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (status, _) = app
            .get_html(&format!("/school-pairings/{}/visits/new", s.pairing))
            .await;
        assert_eq!(status, Status::Forbidden);
        app.logout().await;
        app.login("urban@tongxing.test", PASSWORD).await;
        let (status, html) = app
            .get_html(&format!("/school-pairings/{}/visits/new", s.pairing))
            .await;
        assert_eq!(status, Status::Ok);
        assert!(
            html.contains("姚成琳") && html.contains("李明"),
            "both schools' teachers"
        );
        assert!(!html.contains("王五"), "not another school's");

        // A failed form keeps what was typed and says what is wrong.
        let mentor = s.w.mentor.id.to_string();
        let mentee = s.w.mentee.id.to_string();
        let host = s.w.urban.id.to_string();
        let res = app
            .post_form(
                &format!("/school-pairings/{}/visits", s.pairing),
                &[
                    ("kind", "teacher"),
                    ("host_school_id", &host),
                    ("starts_on", "2026-10-12"),
                    ("ends_on", "2026-10-09"),
                    ("teacher_ids", &mentor),
                    ("teacher_ids", &mentee),
                    ("activities", "demonstration_class"),
                    ("summary", "示范课《背影》与集体备课"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::UnprocessableEntity);
        let html = res.into_string().await.unwrap_or_default();
        assert!(html.contains("结束日期不能早于开始日期"));
        assert!(
            html.contains("示范课《背影》与集体备课"),
            "the summary is kept"
        );
        assert!(
            html.contains(&format!("value=\"{mentee}\" checked")),
            "the choice is kept"
        );
        assert_eq!(app.count("visits").await, 0);

        let res = app
            .post_form(
                &format!("/school-pairings/{}/visits", s.pairing),
                &[
                    ("kind", "teacher"),
                    ("host_school_id", &host),
                    ("starts_on", "2026-10-09"),
                    ("ends_on", "2026-10-12"),
                    ("teacher_ids", &mentor),
                    ("teacher_ids", &mentee),
                    ("activities", "demonstration_class"),
                    ("activities", "lesson_planning"),
                    ("summary", "示范课《背影》与集体备课"),
                ],
            )
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let id = app.scalar("SELECT MAX(id) AS n FROM visits").await;
        assert_eq!(visits::teacher_ids(&app.db, id).await.unwrap().len(), 2);
        let (status, html) = app.get_html(&format!("/visits/{id}")).await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("示范课") && html.contains("集体备课") && html.contains("李明"));
        // The list counts by kind; the pairing page and the teacher pairing page show it.
        let (_, html) = app.get_html("/visits").await;
        assert!(html.contains("教师互访") && html.contains(&format!("/visits/{id}")));
        let (_, html) = app
            .get_html(&format!("/school-pairings/{}", s.pairing))
            .await;
        assert!(html.contains("id=\"visits\"") && html.contains("id=\"activity\""));
        assert!(html.contains(&format!("href=\"/visits/{id}\"")));
        let tp = crate::teacher_pairings::paired(
            &app,
            &s.w,
            s.w.mentor.id,
            s.w.mentee.id,
            "数学",
            s.year,
        )
        .await;
        let (_, html) = app.get_html(&format!("/teacher-pairings/{tp}")).await;
        assert!(
            html.contains(&format!("href=\"/visits/{id}\"")),
            "the pair took part"
        );
        // The export holds the visit.
        let res = app.client.get("/visits/export.xlsx").dispatch().await;
        assert_eq!(res.status(), Status::Ok);
        let bytes = res.into_bytes().await.unwrap();
        let rows = crate::exports::sheet_rows(&bytes);
        assert_eq!(rows.len(), 2, "the header and the visit");
        assert!(rows[1].iter().any(|c| c.contains("李明")));
        // A teacher of another school gets 404 for the page; the edit form 403 for a teacher
        // of the school.
        app.logout().await;
        app.login("mentor@tongxing.test", PASSWORD).await;
        let (status, _) = app.get_html(&format!("/visits/{id}")).await;
        assert_eq!(status, Status::Ok, "the school's teachers read it");
        let (status, _) = app.get_html(&format!("/visits/{id}/edit")).await;
        assert_eq!(status, Status::Forbidden);
    })
    .await;
}
