//! The two catalogues have the same keys, and every key the code and templates use exists.
use std::collections::BTreeSet;

use rocket::http::{Header, Status};

use crate::common::each_db;

pub fn keys(path: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).expect("catalogue");
    text.lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" =").or_else(|| l.split_once('=')))
        .map(|(k, _)| k.trim().to_string())
        .collect()
}

pub fn files(dir: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(path.to_str().unwrap_or_default(), out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn catalogues_have_the_same_keys() {
    let root = env!("CARGO_MANIFEST_DIR");
    let zh = keys(&format!("{root}/locales/zh-CN/main.ftl"));
    let en = keys(&format!("{root}/locales/en/main.ftl"));
    let only_zh: Vec<_> = zh.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&zh).collect();
    assert!(
        only_zh.is_empty() && only_en.is_empty(),
        "only in zh-CN: {only_zh:?}; only in en: {only_en:?}"
    );
    assert!(zh.len() > 100);
}

#[test]
fn every_key_used_in_code_and_templates_exists() {
    let root = env!("CARGO_MANIFEST_DIR");
    let known = keys(&format!("{root}/locales/zh-CN/main.ftl"));
    let patterns = regex::Regex::new(
        r#"(?:\bt|\bt1|Msg::new|bad_request|Flash::(?:success|error|warning))\(\s*(?:Redirect::to\([^)]*\)\s*,\s*)?"([a-z][a-z0-9-]*)""#,
    )
    .expect("regex");
    let conflict =
        regex::Regex::new(r#"conflict\(\s*"[a-z_]*"\s*,\s*"([a-z][a-z0-9-]*)""#).expect("regex");
    let mut paths = Vec::new();
    files(&format!("{root}/src"), &mut paths);
    files(&format!("{root}/templates"), &mut paths);
    let mut missing = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for re in [&patterns, &conflict] {
            for cap in re.captures_iter(&text) {
                let key = &cap[1];
                if !known.contains(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys missing from the catalogues: {missing:#?}"
    );
}

#[rocket::async_test]
async fn language_follows_query_then_setting_then_accept_language() {
    each_db(|app| async move {
        let res = app
            .client
            .get("/login")
            .header(Header::new("Accept-Language", "en-GB,en;q=0.9"))
            .dispatch()
            .await;
        assert_eq!(res.status(), Status::SeeOther, "setup first");
        app.bureau("boss@bureau.cn").await;
        let res = app
            .client
            .get("/login")
            .header(Header::new("Accept-Language", "en-GB,en;q=0.9"))
            .dispatch()
            .await;
        let html = res.into_string().await.unwrap();
        assert!(html.contains("lang=\"en\"") && html.contains("Sign in"));
        let (_, html) = app.get_html("/login").await;
        assert!(
            html.contains("lang=\"zh-CN\"") && html.contains("登录"),
            "Chinese by default"
        );
        let (_, html) = app.get_html("/login?lang=en").await;
        assert!(html.contains("Sign in"));
        // The choice is remembered in a cookie.
        let (_, html) = app.get_html("/login").await;
        assert!(html.contains("Sign in"));
        // A signed-in user's setting wins over the cookie, and the switch stores it.
        app.login("boss@bureau.cn", crate::common::PASSWORD).await;
        let res = app
            .post_form("/lang", &[("lang", "zh-CN"), ("next", "/schools")])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        assert_eq!(res.headers().get_one("Location"), Some("/schools"));
        let (_, html) = app.get_html("/schools").await;
        assert!(html.contains("学校"));
        // An outside `next` is not followed.
        let res = app
            .post_form("/lang", &[("lang", "en"), ("next", "//evil.example/")])
            .await;
        assert_eq!(res.headers().get_one("Location"), Some("/"));
    })
    .await;
}

#[rocket::async_test]
async fn error_pages_exist_in_both_languages() {
    each_db(|app| async move {
        let (status, html) = app.get_html("/no-such-page").await;
        assert_eq!(status, Status::NotFound);
        assert!(html.contains("页面不存在"));
        let (status, html) = app.get_html("/no-such-page?lang=en").await;
        assert_eq!(status, Status::NotFound);
        assert!(html.contains("Not found"));
        let (status, body) = app
            .api(rocket::http::Method::Get, "/api/v1/nothing", None)
            .await;
        assert_eq!(status, Status::NotFound);
        assert_eq!(body["error"]["code"], "not_found");
    })
    .await;
}

/// A visitor who has not signed in switches the language with the form on the sign-in page.
#[rocket::async_test]
async fn a_visitor_switches_the_language_before_signing_in() {
    crate::common::each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        let (status, _) = app.get_html("/login").await;
        assert_eq!(status, Status::Ok);
        let res = app
            .post_form("/lang", &[("lang", "en"), ("next", "/login")])
            .await;
        assert_eq!(res.status(), Status::SeeOther);
        let (_, html) = app.get_html("/login").await;
        assert!(html.contains("Sign in"));
    })
    .await;
}

/// Catalogue texts that used to be written in the code: a new rubric's grade bands and the
/// observations export's column titles follow the reader's language.
#[rocket::async_test]
async fn default_bands_and_export_titles_come_from_the_catalogues() {
    crate::common::each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", crate::common::PASSWORD).await;
        let (_, zh) = app.get_html("/rubrics/new?lang=zh-CN").await;
        assert!(zh.contains(r#"value="优""#) && zh.contains(r#"value="不合格""#));
        let (_, en) = app.get_html("/rubrics/new?lang=en").await;
        assert!(en.contains(r#"value="Excellent""#) && en.contains(r#"value="Fail""#));
        let lang = tongxing::i18n::Lang::parse("en").expect("en");
        assert_eq!(lang.t("export-obs-teacher-observed"), "Teacher observed");
        let zh = tongxing::i18n::Lang::parse("zh-CN").expect("zh");
        assert_eq!(zh.t("export-obs-teacher-observed"), "授课教师");
        assert_eq!(zh.t("growth-total"), "总分");
    })
    .await;
}

/// English pages read as English (issue 11 item 7): the shipped rubrics' band words in
/// English, titles as titles ("Grade-2 teacher"), plurals that follow the count, and no
/// Chinese list commas, colons or brackets around the program's own words.
#[rocket::async_test]
async fn english_pages_use_english_bands_titles_plurals_and_punctuation() {
    crate::common::each_db(|app| async move {
        tongxing::demo::load(&app.db).await.expect("demo");
        app.login("bureau@demo.tongxing.cn", tongxing::demo::DEMO_PASSWORD)
            .await;
        let (_, zh) = app.get_html("/observations?lang=zh-CN").await;
        assert!(
            zh.contains(" · 优<") || zh.contains(" · 良<"),
            "Chinese bands"
        );
        let (_, en) = app.get_html("/observations?lang=en").await;
        assert!(
            en.contains(" · Excellent<") || en.contains(" · Good<"),
            "English bands"
        );
        for word in [" · 优<", " · 良<", " · 合格<"] {
            assert!(!en.contains(word), "no {word} on the English page");
        }
        let (_, en) = app.get_html("/teachers?lang=en").await;
        assert!(en.contains("Grade-2 teacher"), "a title, not a school year");
        assert!(!en.contains("Second grade"));
        // 119 results (the demo's 15 and its 104 seconded teachers), then exactly one.
        assert!(en.contains("<p class=\"count\">119 results\n"), "plural");
        let (_, one) = app
            .get_html("/teachers?lang=en&q=%E5%A7%9A%E6%88%90%E7%90%B3")
            .await;
        assert!(
            one.contains(
                "<p class=\"count\">1 result
"
            ),
            "singular"
        );
        // The home's pairing behind: its term's progress reads "First term: observed …".
        let (_, en) = app.get_html("/?lang=en").await;
        assert!(
            !en.contains("term："),
            "no Chinese colon after an English word"
        );
        assert!(en.contains("First term: observed"), "an English colon");
    })
    .await;
}

/// An error page keeps the signed-in menu, says what happened in words (no bare status
/// code) and offers the way back (issue 11 item 8).
#[rocket::async_test]
async fn error_pages_keep_the_menu_and_speak_in_words() {
    crate::common::each_db(|app| async move {
        app.bureau("boss@bureau.cn").await;
        app.login("boss@bureau.cn", crate::common::PASSWORD).await;
        for (path, back) in [
            ("/no-such-page", "/"),
            ("/schools/999999", "/schools"),
            ("/teacher-pairings/999999", "/teacher-pairings"),
        ] {
            let (status, html) = app.get_html(path).await;
            assert_eq!(status, rocket::http::Status::NotFound);
            assert!(
                html.contains("<nav class=\"desk\""),
                "{path}: the menu stays"
            );
            assert!(html.contains("页面不存在") && html.contains("您要找的内容不存在。"));
            assert!(!html.contains("HTTP 404"), "{path}: no bare status code");
            assert!(
                html.contains(&format!("href=\"{back}\"")),
                "{path}: the way back"
            );
        }
    })
    .await;
}

/// Dates read one way on every pairing page and list (issue 11 item 6): 2026年9月1日 in
/// Chinese, 1 Sep 2026 in English, never an ISO date or slashes in the text people read;
/// times to the minute (the audit log alone gives seconds).
#[rocket::async_test]
async fn dates_read_one_way_on_pairing_pages_and_lists() {
    crate::common::each_db(|app| async move {
        tongxing::demo::load(&app.db).await.expect("demo");
        app.login("bureau@demo.tongxing.cn", tongxing::demo::DEMO_PASSWORD)
            .await;
        let tags = regex::Regex::new(r"<[^>]*>").unwrap();
        let iso = regex::Regex::new(r"\b\d{4}[-/]\d{1,2}[-/]\d{1,2}\b").unwrap();
        let seconds = regex::Regex::new(r"\b\d{1,2}:\d{2}:\d{2}\b").unwrap();
        let zh_date = regex::Regex::new(r"\d{4}年\d{1,2}月\d{1,2}日").unwrap();
        let en_date = regex::Regex::new(
            r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b",
        )
        .unwrap();
        let pages = [
            "/",
            "/school-pairings",
            "/school-pairings/1",
            "/teacher-pairings",
            "/teacher-pairings/1",
            "/teacher-pairings/2",
            "/observations",
            "/reflections",
            "/secondments",
            "/teachers/8/growth",
        ];
        let mut dated = 0;
        for page in pages {
            for (lang, date) in [("zh-CN", &zh_date), ("en", &en_date)] {
                let sep = if page.contains('?') { '&' } else { '?' };
                let (s, html) = app.get_html(&format!("{page}{sep}lang={lang}")).await;
                assert_eq!(s, rocket::http::Status::Ok, "{page}");
                // The text people read: without markup (attributes keep machine dates).
                let text = tags.replace_all(&html, " ");
                if let Some(m) = iso.find(&text) {
                    let before: String = text[..m.start()].chars().rev().take(120).collect();
                    let before: String = before.chars().rev().collect();
                    panic!("{page} {lang}: …{before}{}", m.as_str());
                }
                assert!(
                    seconds.find(&text).is_none(),
                    "{page} {lang}: {:?}",
                    seconds.find(&text)
                );
                if date.is_match(&text) {
                    dated += 1;
                }
            }
        }
        assert!(dated >= 12, "the pages show dates: {dated}");
    })
    .await;
}
