//! `tongxing demo`: the seed's programme, loaded twice without duplicates.
use rocket::http::Status;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::common::each_db;
use tongxing::demo;

#[rocket::async_test]
async fn demo_data_is_idempotent_and_its_logins_work() {
    each_db(|app| async move {
        let first = demo::load(&app.db).await.expect("demo");
        // The seed's 19 schools with pairing tasks (全区有19所中小学担负结对帮扶任务).
        assert_eq!(first.schools_added, 19);
        assert_eq!(
            first.users_added,
            demo::LOGINS.len() + demo::LEDGER_ADMINS.len()
        );
        // The seed's 17万余元 of material support, confirmed by the receiving schools; one
        // item disputed, two waiting (one of them for 三元中学, a demo login, to confirm).
        assert_eq!(first.contributions_added, 11);
        let bureau = tongxing::domain::users::actor_of(
            &tongxing::domain::users::find_by_email(&app.db, demo::LOGINS[0].email)
                .await
                .unwrap()
                .unwrap(),
        );
        let t = tongxing::domain::contributions::totals(
            &app.db,
            &bureau,
            &tongxing::domain::contributions::LedgerFilter::default(),
        )
        .await
        .unwrap();
        // With the gift of the student visit (¥3,600), confirmed by 三元中学.
        assert_eq!((t.confirmed.count, t.confirmed.value_fen), (9, 17_822_000));
        assert_eq!((t.disputed.count, t.recorded.count), (1, 2));
        assert_eq!(
            (
                first.school_pairings_added,
                first.teacher_pairings_added,
                first.secondments_added
            ),
            (12, 1, 107)
        );
        // Every one of the 19 schools is in a pairing, as supporter or receiver.
        assert_eq!(
            app.scalar("SELECT COUNT(*) AS n FROM schools WHERE id IN (SELECT supporter_id FROM school_pairings WHERE status = 'active') OR id IN (SELECT receiver_id FROM school_pairings WHERE status = 'active')").await,
            19
        );
        // 四年三批轮岗支教达107人次: 107 person-times, three batches of 2022-2025 (one a
        // year) and the three of 2025-2027 in the demo's own story.
        assert_eq!(app.count("secondments").await, 107);
        assert_eq!(
            app.scalar_list("SELECT COUNT(*) AS n FROM secondments s JOIN academic_years y ON y.id = s.academic_year_id WHERE y.name < '2025-2026' GROUP BY s.batch ORDER BY s.batch").await,
            vec![35, 35, 34]
        );
        assert_eq!(app.count("academic_years").await, 5);
        // Visits of all four kinds; a term of training weeks, those over answered.
        assert_eq!(first.visits_added, 5);
        let kinds: Vec<(String, i64)> = {
            let rows = app
                .db
                .query_all_raw(sea_orm::Statement::from_string(
                    app.db.get_database_backend(),
                    "SELECT kind, COUNT(*) AS n FROM visits GROUP BY kind ORDER BY kind",
                ))
                .await
                .unwrap();
            rows.iter()
                .map(|r| (r.try_get("", "kind").unwrap(), r.try_get("", "n").unwrap()))
                .collect()
        };
        assert_eq!(
            kinds,
            [("leader", 1), ("student", 1), ("teacher", 2), ("training", 1)]
                .map(|(k, n)| (k.to_string(), n))
        );
        assert_eq!(app.scalar("SELECT COUNT(*) AS n FROM visits WHERE contribution_id IS NOT NULL").await, 1);
        let weeks = app.count("training_weeks").await;
        assert_eq!(weeks as usize, first.training_weeks_added);
        assert!(weeks >= 8, "two teachers, about one week a month: {weeks}");
        let today = tongxing::domain::types::today();
        let over = app
            .scalar(&format!(
                "SELECT COUNT(*) AS n FROM training_weeks WHERE ends_on < '{today}'"
            ))
            .await;
        assert_eq!(
            app.scalar("SELECT COUNT(*) AS n FROM training_weeks WHERE status = 'missed'")
                .await,
            i64::from(over > 3)
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) AS n FROM training_weeks WHERE status <> 'planned'")
                .await,
            over
        );
        // A year of lessons for 姚成琳, with reflections, showing growth.
        assert_eq!(first.observations_added, 12);
        assert_eq!(first.reflections_added, 7);
        let totals: Vec<f64> = tongxing::entities::observations::Entity::find()
            .filter(tongxing::entities::observations::Column::LessonKind.ne("demonstration"))
            .order_by_asc(tongxing::entities::observations::Column::ObservedOn)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.total_score)
            .collect();
        assert!(totals.len() >= 10 && totals.windows(2).all(|w| w[0] < w[1]), "growth: {totals:?}");
        assert!(totals[0] < 70.0 && *totals.last().unwrap() >= 90.0, "{totals:?}");
        let counts = (
            app.count("schools").await,
            app.count("teachers").await,
            app.count("users").await,
            app.count("academic_years").await,
        );
        // The seed's year-end of 2025-2026: 李启成 and 尤如昌, seconded to 段岗小学, verified
        // 优秀 and acknowledged; their secondment summaries received; 段岗小学's summary
        // waiting for the bureau.
        assert_eq!(first.year_end_documents_added, 5);
        assert_eq!(
            app.scalar("SELECT COUNT(*) AS n FROM self_evaluations WHERE status = 'acknowledged' AND final_grade = 'excellent' AND appraisal_grade = 'excellent' AND signed_at IS NOT NULL AND context = 'seconded'").await,
            2
        );
        assert_eq!(app.scalar("SELECT COUNT(*) AS n FROM summaries WHERE kind = 'seconded' AND status = 'accepted'").await, 2);
        assert_eq!(app.scalar("SELECT COUNT(*) AS n FROM summaries WHERE kind = 'receiver' AND status = 'submitted'").await, 1);
        for email in ["liqicheng@demo.tongxing.cn", "youruchang@demo.tongxing.cn"] {
            let u = tongxing::domain::users::find_by_email(&app.db, email).await.unwrap().expect(email);
            assert!(u.teacher_id.is_some(), "{email} is the teacher's account");
        }
        let second = demo::load(&app.db).await.expect("demo again");
        assert_eq!(
            (
                second.schools_added,
                second.teachers_added,
                second.users_added,
                second.years_added,
                second.school_pairings_added
                    + second.teacher_pairings_added
                    + second.secondments_added
                    + second.observations_added
                    + second.reflections_added
                    + second.contributions_added
                    + second.visits_added
                    + second.training_weeks_added
                    + second.year_end_documents_added
            ),
            (0, 0, 0, 0, 0)
        );
        assert_eq!(app.count("self_evaluations").await, 2);
        assert_eq!(app.count("summaries").await, 3);
        assert_eq!(
            counts,
            (
                app.count("schools").await,
                app.count("teachers").await,
                app.count("users").await,
                app.count("academic_years").await
            )
        );

        // The seed's programme, pairing by pairing: the chain 第一中学 → 三元中学 → 梓园小学,
        // 实验学校 → 平岗中学 (staff) and → 段岗小学 (materials), 二小 → 龙塘小学 (staff) and
        // → 龙冲小学 (materials); all published.
        let rows = app
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                "SELECT s.name AS supporter, r.name AS receiver, p.support_kinds AS kinds, p.status AS status \
                 FROM school_pairings p JOIN schools s ON s.id = p.supporter_id \
                 JOIN schools r ON r.id = p.receiver_id",
            ))
            .await
            .unwrap();
        let pairs: Vec<(String, String, String, String)> = rows
            .iter()
            .map(|r| {
                (
                    r.try_get("", "supporter").unwrap(),
                    r.try_get("", "receiver").unwrap(),
                    r.try_get("", "kinds").unwrap(),
                    r.try_get("", "status").unwrap(),
                )
            })
            .collect();
        let has = |s: &str, r: &str, kind: &str| {
            pairs
                .iter()
                .any(|p| p.0 == s && p.1 == r && p.2.contains(kind) && p.3 == "active")
        };
        assert!(has("叶集区第一中学", "三元中学", "staff"), "{pairs:?}");
        assert!(has("三元中学", "梓园小学", "staff"), "the chain goes on");
        assert!(has("叶集区实验学校", "平岗中学", "staff"));
        assert!(has("叶集区实验学校", "段岗小学", "materials"));
        assert!(has("叶集区第二小学", "龙塘小学", "staff"));
        assert!(has("叶集区第二小学", "龙冲小学", "materials"));
        // Secondments in three batches.
        let batches = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                "SELECT COUNT(DISTINCT batch) AS n FROM secondments",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(batches, 3);

        // The seed's names are there: the rural schools and 姚成琳 at 三元中学.
        for login in demo::LOGINS {
            assert_eq!(
                app.login(login.email, demo::DEMO_PASSWORD).await,
                Status::SeeOther,
                "{}",
                login.email
            );
            let (status, html) = app.get_html("/").await;
            assert_eq!(status, Status::Ok);
            if login.email.starts_with("yaochenglin") {
                assert!(
                    html.contains("姚成琳") && html.contains("三元中学"),
                    "{html}"
                );
            }
            app.logout().await;
        }
        app.login(demo::LOGINS[0].email, demo::DEMO_PASSWORD).await;
        let (_, html) = app.get_html("/schools?per_page=50").await;
        for name in [
            "三元中学",
            "梓园小学",
            "平岗中学",
            "段岗小学",
            "龙塘小学",
            "龙冲小学",
        ] {
            assert!(html.contains(name), "{name} listed");
        }
        let (_, html) = app.get_html("/").await;
        assert!(html.contains("2026—2027学年"), "current year shown");
        // The seed's programme: the chain, and 姚成琳's pairing with the plan in the seed's words.
        let (_, html) = app.get_html("/school-pairings").await;
        for name in ["梓园小学", "桥店中学", "段岗小学"] {
            assert!(html.contains(name), "{name} in the pairings list");
        }
        app.logout().await;
        app.login("yaochenglin@demo.tongxing.cn", demo::DEMO_PASSWORD)
            .await;
        let (_, html) = app.get_html("/").await;
        assert!(
            html.contains("王建华"),
            "the mentee's home names the mentor"
        );
        let (_, html) = app.get_html("/teacher-pairings").await;
        let id: i64 = regex::Regex::new(r#"/teacher-pairings/(\d+)""#)
            .unwrap()
            .captures(&html)
            .and_then(|c| c[1].parse().ok())
            .expect("a pairing link");
        let (status, html) = app.get_html(&format!("/teacher-pairings/{id}")).await;
        assert_eq!(status, rocket::http::Status::Ok);
        assert!(html.contains("用新理念处理旧教材"), "the seed's work plan");
    })
    .await;
}
