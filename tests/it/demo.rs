//! `tongxing demo`: the seed's programme, loaded twice without duplicates.
use rocket::http::Status;

use crate::common::each_db;
use tongxing::domain::demo;

#[rocket::async_test]
async fn demo_data_is_idempotent_and_its_logins_work() {
    each_db(|app| async move {
        let first = demo::load(&app.db).await.expect("demo");
        assert_eq!(first.schools_added, 10);
        assert_eq!(first.users_added, demo::LOGINS.len());
        let counts = (
            app.count("schools").await,
            app.count("teachers").await,
            app.count("users").await,
            app.count("academic_years").await,
        );
        let second = demo::load(&app.db).await.expect("demo again");
        assert_eq!(
            (
                second.schools_added,
                second.teachers_added,
                second.users_added,
                second.years_added
            ),
            (0, 0, 0, 0)
        );
        assert_eq!(
            counts,
            (
                app.count("schools").await,
                app.count("teachers").await,
                app.count("users").await,
                app.count("academic_years").await
            )
        );

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
    })
    .await;
}
