//! Lists at scale (issue 12): a list counts at most `COUNT_AHEAD` items past the page asked
//! for (its total then reads "220+" and the API says `total_exact: false`), and a deep page
//! picks its ids first — the same rows, in the same order, as reading the list from the top.
use rocket::http::{Method, Status};
use sea_orm::{EntityTrait, QueryOrder, QuerySelect};

use crate::common::each_db;
use tongxing::domain::paging::COUNT_AHEAD;
use tongxing::entities::observations;

#[rocket::async_test]
async fn long_lists_count_a_little_past_the_page_and_deep_pages_keep_the_order() {
    each_db(|app| async move {
        tongxing::demo::load(&app.db).await.expect("demo");
        // 12 observations doubled eight times: 3,072 rows, in runs of equal dates.
        for _ in 0..8 {
            app.double_observations().await;
        }
        let all = app.count("observations").await as u64;
        assert_eq!(all, 12 * 256);
        app.login("bureau@demo.tongxing.cn", tongxing::demo::DEMO_PASSWORD)
            .await;

        // Page 1: counting stops COUNT_AHEAD past the page.
        let (status, body) = app
            .api(Method::Get, "/api/v1/observations?per_page=20", None)
            .await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body["total"], 20 + COUNT_AHEAD, "{}", body["total"]);
        assert_eq!(body["total_exact"], false);
        let (_, html) = app.get_html("/observations").await;
        assert!(
            html.contains(&format!("共 {}+ 条", 20 + COUNT_AHEAD)),
            "the list says there are more"
        );
        assert!(html.contains("rel=\"next\""));

        // Near the end the count is exact.
        let last = all.div_ceil(100);
        let (_, body) = app
            .api(
                Method::Get,
                &format!("/api/v1/observations?per_page=100&page={last}"),
                None,
            )
            .await;
        assert_eq!(
            (body["total"].as_u64(), body["total_exact"].as_bool()),
            (Some(all), Some(true))
        );
        assert_eq!(
            body["items"].as_array().unwrap().len() as u64,
            all - (last - 1) * 100
        );

        // A deep page (past the offset where ids are picked first) holds the same rows as
        // the list read in its order from the top.
        let expected: Vec<i64> = observations::Entity::find()
            .select_only()
            .column(observations::Column::Id)
            .order_by_desc(observations::Column::ObservedOn)
            .order_by_desc(observations::Column::Id)
            .offset(2500)
            .limit(100)
            .into_tuple()
            .all(&app.db)
            .await
            .unwrap();
        let (status, body) = app
            .api(
                Method::Get,
                "/api/v1/observations?per_page=100&page=26",
                None,
            )
            .await;
        assert_eq!(status, Status::Ok);
        let got: Vec<i64> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, expected);
        let (status, html) = app.get_html("/observations?page=130").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains("第 130 页"));

        // Past the end: an empty page, the exact total.
        let (_, body) = app
            .api(
                Method::Get,
                "/api/v1/observations?per_page=100&page=99",
                None,
            )
            .await;
        assert_eq!(body["items"].as_array().unwrap().len(), 0);
        assert_eq!(body["total"].as_u64(), Some(all));
    })
    .await;
}

#[rocket::async_test]
async fn a_deep_page_of_a_name_search_keeps_the_pinyin_order() {
    each_db(|app| async move {
        use sea_orm::TransactionTrait;
        use tongxing::domain::teachers::{self, NewTeacher};
        use tongxing::domain::types::{Gender, Title};
        let w = crate::common::world(&app).await;
        // 2,300 teachers whose names hold 王 somewhere, in one transaction.
        let chars: Vec<char> = "安白陈丁方冯高韩何胡江李林刘马潘秦沈孙唐田吴谢徐杨叶张赵周朱"
            .chars()
            .collect();
        let txn = app.db.begin().await.unwrap();
        let mut n = 0;
        'outer: for a in &chars {
            for b in &chars {
                for pattern in 0..4 {
                    if n == 2300 {
                        break 'outer;
                    }
                    let name = match pattern {
                        0 => format!("王{a}{b}"),
                        1 => format!("{a}王{b}"),
                        2 => format!("{a}{b}王"),
                        _ => format!("{a}{b}"),
                    };
                    if pattern == 3 {
                        continue; // no 王: never found
                    }
                    n += 1;
                    let new = NewTeacher {
                        school_id: w.urban.id,
                        name,
                        gender: Gender::Female,
                        staff_no: format!("P{n:05}"),
                        subjects: vec!["数学".into()],
                        grades: Vec::new(),
                        title: Title::Second,
                        years_teaching: 3,
                        honours: Vec::new(),
                        phone: String::new(),
                        email: String::new(),
                    };
                    teachers::insert(&txn, None, &new).await.expect("teacher");
                }
            }
        }
        txn.commit().await.unwrap();
        let mut expected: Vec<(String, i64)> = tongxing::entities::teachers::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.name.contains('王'))
            .map(|t| (t.name_key, t.id))
            .collect();
        expected.sort();
        assert_eq!(expected.len(), 2300);
        app.login("bureau@tongxing.test", crate::common::PASSWORD)
            .await;
        for page in [1u64, 21, 23] {
            let (status, body) = app
                .api(
                    Method::Get,
                    &format!("/api/v1/teachers?q=%E7%8E%8B&per_page=100&page={page}"),
                    None,
                )
                .await;
            assert_eq!(status, Status::Ok);
            let ids: Vec<i64> = body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap())
                .collect();
            let from = ((page - 1) * 100) as usize;
            let want: Vec<i64> = expected[from..(from + 100).min(expected.len())]
                .iter()
                .map(|(_, id)| *id)
                .collect();
            assert_eq!(ids, want, "page {page}");
        }
    })
    .await;
}
