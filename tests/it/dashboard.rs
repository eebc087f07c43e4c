//! The bureau dashboard (issue 15 item 1): every figure, of the whole and of each
//! district, equals a direct count of the data; the counts kept by triggers follow every
//! kind of write (a bulk insert, services, a record moved or deleted, a school moved to
//! another district) and equal a full recount; the page shows them to the bureau alone,
//! with its charts, and survives any query string.
use rocket::http::Status;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::common::{TestApp, each_db};
use tongxing::domain::access::Actor;
use tongxing::domain::dashboard::{self, Scope};
use tongxing::entities::{academic_years, year_figures};
use tongxing::generate::{self, Options, Quiet};

/// Two districts: 48 schools in the first, 6 in the second.
fn two_districts(app: &TestApp) -> Options {
    Options {
        files: app.store(),
        schools: 54,
        teachers_per_school: 3,
        observations: 400,
        seed: 15,
        password: generate::DEFAULT_PASSWORD.into(),
    }
}

async fn bureau(app: &TestApp) -> Actor {
    let user = tongxing::domain::users::find_by_email(&app.db, generate::BUREAU)
        .await
        .unwrap()
        .expect("the generated bureau account");
    let actor = tongxing::domain::users::actor_of(&user);
    assert_eq!(actor.role, tongxing::domain::types::Role::BureauAdmin);
    actor
}

/// The kept counts with no zero rows, sorted.
async fn kept(app: &TestApp) -> Vec<(i64, String, String, i64)> {
    let mut rows: Vec<_> = year_figures::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.n != 0)
        .map(|r| (r.academic_year_id, r.scope, r.name, r.n))
        .collect();
    rows.sort();
    rows
}

/// The counts the triggers kept equal a full recount.
async fn assert_kept_true(app: &TestApp, when: &str) {
    let before = kept(app).await;
    dashboard::recount(&app.db).await.expect("recount");
    let after = kept(app).await;
    assert!(!after.is_empty(), "{when}: something is counted");
    let negative: Vec<_> = before.iter().filter(|r| r.3 < 0).collect();
    assert!(negative.is_empty(), "{when}: negative counts {negative:?}");
    // The bureau's waiting self-evaluations, a kept tally (migration 29), as the to-do
    // list counts them against a direct count.
    let direct = app
        .scalar(
            "SELECT COUNT(*) AS n FROM self_evaluations WHERE status = 'signed' \
             OR (status = 'appraised' AND signer_school_id IS NULL)",
        )
        .await;
    let bureau = bureau(app).await;
    let shown = tongxing::domain::todo::documents_waiting(&app.db, &bureau)
        .await
        .expect("the bureau's waiting documents");
    assert_eq!(
        shown.total as i64, direct,
        "{when}: the bureau's waiting self-evaluations"
    );
    if before != after {
        let missing: Vec<_> = after.iter().filter(|r| !before.contains(r)).collect();
        let extra: Vec<_> = before.iter().filter(|r| !after.contains(r)).collect();
        panic!(
            "{when}: kept counts differ from a recount: recount has {missing:?}, kept has {extra:?}"
        );
    }
}

/// A SQL condition on the school `column` being in `district` (none: true).
fn in_district(column: &str, district: Option<&str>) -> String {
    match district {
        Some(d) => format!("{column} IN (SELECT id FROM schools WHERE district = '{d}')"),
        None => "1 = 1".into(),
    }
}

/// Every figure of `scope` against a direct count.
async fn assert_figures_are_direct_counts(app: &TestApp, bureau: &Actor, scope: &Scope) {
    let f = dashboard::figures(&app.db, bureau, scope).await.unwrap();
    let y = &scope.year;
    let d = scope.district.as_deref();
    let label = format!("{} {:?}", y.name, d);
    let q = |sql: String| async move { app.scalar(&sql).await };
    // Teacher pairings, by the mentee's school.
    let mentee_in = in_district(
        "(SELECT school_id FROM teachers WHERE teachers.id = p.mentee_id)",
        d,
    );
    for c in &f.teacher_pairings {
        let n = q(format!(
            "SELECT COUNT(*) AS n FROM teacher_pairings p WHERE p.academic_year_id = {} AND p.status = '{}' AND {mentee_in}",
            y.id,
            c.key.as_str()
        ))
        .await;
        assert_eq!(c.n, n, "{label}: teacher pairings {:?}", c.key);
    }
    // Observations, by their pairing's year and mentee's school.
    let observed = format!(
        "FROM observations o JOIN teacher_pairings p ON p.id = o.teacher_pairing_id \
         WHERE p.academic_year_id = {} AND {mentee_in}",
        y.id
    );
    assert_eq!(
        f.observations as i64,
        q(format!("SELECT COUNT(*) AS n {observed}")).await,
        "{label}: observations"
    );
    let second = y.second_term_starts_on;
    assert_eq!(
        f.observations_by_term[1] as i64,
        q(format!(
            "SELECT COUNT(*) AS n {observed} AND o.observed_on >= '{second}'"
        ))
        .await,
        "{label}: second term"
    );
    let months = dashboard::months_of(y);
    for (i, c) in f.observations_by_month.iter().enumerate() {
        assert_eq!(c.key, months[i]);
        let next = months
            .get(i + 1)
            .copied()
            .unwrap_or(c.key + chrono::Duration::days(31));
        let n = q(format!(
            "SELECT COUNT(*) AS n {observed} AND o.observed_on >= '{}' AND o.observed_on < '{next}'",
            c.key
        ))
        .await;
        assert_eq!(c.n, n, "{label}: observations in {}", c.key);
    }
    for c in &f.scores {
        let low = f64::from(c.key) * 10.0;
        let high = if c.key == 9 { 1000.0 } else { low + 10.0 };
        let n = q(format!(
            "SELECT COUNT(*) AS n {observed} AND o.total_score >= {low} AND o.total_score < {high}"
        ))
        .await;
        assert_eq!(c.n, n, "{label}: scores in band {}", c.key);
    }
    assert_eq!(
        f.scores.iter().map(|c| c.n).sum::<i64>(),
        f.observations as i64
    );
    // Training weeks, by the trainee's school.
    for c in &f.training_weeks {
        let n = q(format!(
            "SELECT COUNT(*) AS n FROM training_weeks WHERE academic_year_id = {} AND status = '{}' AND {}",
            y.id,
            c.key.as_str(),
            in_district("guest_school_id", d)
        ))
        .await;
        assert_eq!(c.n, n, "{label}: weeks {:?}", c.key);
    }
    // Secondments by batch, by the receiving school.
    let batches = app
        .scalar_list(&format!(
            "SELECT batch AS n FROM secondments WHERE academic_year_id = {} AND {} GROUP BY batch ORDER BY batch",
            y.id,
            in_district("to_school_id", d)
        ))
        .await;
    assert_eq!(
        f.seconded_by_batch
            .iter()
            .map(|c| i64::from(c.key))
            .collect::<Vec<_>>(),
        batches,
        "{label}: batches"
    );
    for c in &f.seconded_by_batch {
        let n = q(format!(
            "SELECT COUNT(*) AS n FROM secondments WHERE academic_year_id = {} AND batch = {} AND {}",
            y.id,
            c.key,
            in_district("to_school_id", d)
        ))
        .await;
        assert_eq!(c.n, n, "{label}: batch {}", c.key);
    }
    // The plan: this year's and every earlier year's, against their person-times.
    let earlier = format!(
        "academic_year_id IN (SELECT id FROM academic_years WHERE starts_on <= '{}') AND {}",
        y.starts_on,
        in_district("to_school_id", d)
    );
    assert_eq!(
        f.plan.seconded_to_date,
        q(format!(
            "SELECT COUNT(*) AS n FROM secondments WHERE {earlier}"
        ))
        .await,
        "{label}: seconded to date"
    );
    assert_eq!(
        f.plan.years_to_date,
        q(format!(
            "SELECT COUNT(DISTINCT academic_year_id) AS n FROM secondments WHERE {earlier}"
        ))
        .await,
        "{label}: years with secondments"
    );
    let first_id = q(format!(
        "SELECT COALESCE(MIN(y.id), 0) AS n FROM academic_years y WHERE y.name = \
         (SELECT MIN(z.name) FROM academic_years z JOIN secondments s ON s.academic_year_id = z.id \
         WHERE s.{earlier})"
    ))
    .await;
    let first = academic_years::Entity::find_by_id(first_id)
        .one(&app.db)
        .await
        .unwrap()
        .map(|y| y.name);
    assert_eq!(f.plan.since, first, "{label}: since");
    let (planned, planned_to_date) = if d.is_none() {
        let with_plan = q(format!(
            "SELECT COUNT(secondments_planned) AS n FROM academic_years WHERE starts_on <= '{}'",
            y.starts_on
        ))
        .await;
        (
            y.secondments_planned.map(i64::from),
            (with_plan > 0).then_some(
                q(format!(
                    "SELECT CAST(COALESCE(SUM(secondments_planned), 0) AS BIGINT) AS n \
                     FROM academic_years WHERE starts_on <= '{}'",
                    y.starts_on
                ))
                .await,
            ),
        )
    } else {
        (None, None)
    };
    assert_eq!(f.plan.planned, planned, "{label}: planned");
    assert_eq!(
        f.plan.planned_to_date, planned_to_date,
        "{label}: planned to date"
    );
    // Self-evaluations by step and final grade, by the teacher's school.
    for c in &f.self_evaluations {
        let n = q(format!(
            "SELECT COUNT(*) AS n FROM self_evaluations WHERE academic_year_id = {} AND status = '{}' AND {}",
            y.id,
            c.key.as_str(),
            in_district("school_id", d)
        ))
        .await;
        assert_eq!(c.n, n, "{label}: self-evaluations {:?}", c.key);
    }
    for c in &f.grades {
        let n = q(format!(
            "SELECT COUNT(*) AS n FROM self_evaluations WHERE academic_year_id = {} AND final_grade = '{}' AND {}",
            y.id,
            c.key.as_str(),
            in_district("school_id", d)
        ))
        .await;
        assert_eq!(c.n, n, "{label}: grade {:?}", c.key);
    }
    // School pairings running in the year, by the receiving school; their schools once each.
    let running = format!(
        "FROM school_pairings WHERE status <> 'draft' AND year_from <= '{0}' AND year_to >= '{0}' AND {1}",
        y.name,
        in_district("receiver_id", d)
    );
    assert_eq!(
        f.school_pairings as i64,
        q(format!("SELECT COUNT(*) AS n {running}")).await,
        "{label}: school pairings"
    );
    assert_eq!(
        f.schools_paired as i64,
        q(format!(
            "SELECT COUNT(*) AS n FROM schools WHERE id IN (SELECT supporter_id {running}) OR id IN (SELECT receiver_id {running})"
        ))
        .await,
        "{label}: schools paired"
    );
    // Visits begun in the year and the ledger given in it, by the receiving school.
    for c in &f.visits {
        let n = q(format!(
            "SELECT COUNT(*) AS n FROM visits v JOIN school_pairings sp ON sp.id = v.school_pairing_id \
             WHERE v.kind = '{}' AND v.starts_on >= '{}' AND v.starts_on <= '{}' AND {}",
            c.key.as_str(),
            y.starts_on,
            y.ends_on,
            in_district("sp.receiver_id", d)
        ))
        .await;
        assert_eq!(c.n, n, "{label}: visits {:?}", c.key);
    }
    for c in &f.support_fen {
        let n = q(format!(
            "SELECT CAST(COALESCE(SUM(value_fen), 0) AS BIGINT) AS n FROM contributions \
             WHERE status = '{}' AND given_on >= '{}' AND given_on <= '{}' AND {}",
            c.key.as_str(),
            y.starts_on,
            y.ends_on,
            in_district("receiver_school_id", d)
        ))
        .await;
        assert_eq!(c.n, n, "{label}: ledger {:?}", c.key);
    }
}

#[rocket::async_test]
async fn every_dashboard_figure_is_a_direct_count_of_the_whole_and_of_each_district() {
    each_db(|app| async move {
        generate::generate(&app.db, &two_districts(&app), &mut Quiet)
            .await
            .expect("generate");
        // The generator writes many rows per statement: the statement triggers (PostgreSQL)
        // and the row triggers (SQLite) kept every count.
        assert_kept_true(&app, "after the generator").await;
        // Some verified (this small set has last year's documents only for a few).
        app.db
            .execute_unprepared(
                "UPDATE self_evaluations SET status = 'verified', final_grade = CASE WHEN id % 3 = 0 \
                 THEN 'excellent' ELSE 'competent' END WHERE id % 2 = 0",
            )
            .await
            .unwrap();
        // The first year made has no plan, the others do.
        app.db
            .execute_unprepared(
                "UPDATE academic_years SET secondments_planned = 30 + id \
                 WHERE id <> (SELECT MIN(id) FROM academic_years)",
            )
            .await
            .unwrap();
        let bureau = bureau(&app).await;
        let years = academic_years::Entity::find().all(&app.db).await.unwrap();
        let districts = tongxing::domain::schools::districts(&app.db).await.unwrap();
        assert_eq!(districts.len(), 2, "{districts:?}");
        let mut checked_observations = 0;
        let mut seen = [0i64; 7];
        for year in &years {
            let whole = Scope {
                year: year.clone(),
                district: None,
            };
            assert_figures_are_direct_counts(&app, &bureau, &whole).await;
            let all = dashboard::figures(&app.db, &bureau, &whole).await.unwrap();
            checked_observations += all.observations;
            for (i, n) in [
                all.visits_total(),
                all.training_weeks.iter().map(|c| c.n).sum(),
                all.seconded(),
                all.self_evaluations_total(),
                all.grades.iter().map(|c| c.n).sum(),
                all.support_of(tongxing::domain::contributions::LedgerStatus::Confirmed),
                all.schools_paired as i64,
            ]
            .into_iter()
            .enumerate()
            {
                seen[i] += n;
            }
            let mut parts = Vec::new();
            for d in &districts {
                let scope = Scope {
                    year: year.clone(),
                    district: Some(d.clone()),
                };
                assert_figures_are_direct_counts(&app, &bureau, &scope).await;
                parts.push(dashboard::figures(&app.db, &bureau, &scope).await.unwrap());
            }
            // The districts side by side add up to the whole.
            let lines = dashboard::by_district(&app.db, &bureau, year).await.unwrap();
            assert_eq!(
                lines.iter().map(|l| l.observations).sum::<i64>(),
                all.observations as i64,
                "{}",
                year.name
            );
            assert_eq!(
                parts.iter().map(|p| p.observations).sum::<u64>(),
                all.observations
            );
            for l in &lines {
                let part = &parts[districts.iter().position(|d| *d == l.district).unwrap()];
                assert_eq!(l.observations, part.observations as i64);
                assert_eq!(
                    l.teacher_pairings,
                    part.teacher_pairings_of(tongxing::domain::types::PairingStatus::Active)
                        + part.teacher_pairings_of(
                            tongxing::domain::types::PairingStatus::Completed
                        )
                );
            }
        }
        assert_eq!(checked_observations, 400, "every observation is in a year");
        // Each kind of figure was compared with something there.
        assert!(seen.iter().all(|n| *n > 0), "visits, weeks, secondments, self-evaluations, grades, support, schools: {seen:?}");

        // Only the bureau reads them.
        let rural = tongxing::domain::users::find_by_email(&app.db, "school2@generated.tongxing.cn")
            .await
            .unwrap();
        if let Some(user) = rural {
            let actor = tongxing::domain::users::actor_of(&user);
            let scope = Scope {
                year: years[0].clone(),
                district: None,
            };
            assert!(matches!(
                dashboard::figures(&app.db, &actor, &scope).await,
                Err(tongxing::error::AppError::Forbidden)
            ));
        }
    })
    .await;
}

#[rocket::async_test]
async fn the_kept_figures_follow_every_kind_of_write() {
    each_db(|app| async move {
        generate::generate(
            &app.db,
            &Options {
                schools: 7,
                teachers_per_school: 4,
                observations: 60,
                ..two_districts(&app)
            },
            &mut Quiet,
        )
        .await
        .expect("generate");
        assert_kept_true(&app, "generated").await;
        let db = &app.db;
        let exec = |sql: String| async move {
            db.execute_unprepared(&sql).await.expect(&sql);
        };
        // An observation moved to another month and given another score, then deleted.
        let id = app.scalar("SELECT MIN(id) AS n FROM observations").await;
        let moved_to = app
            .scalar(&format!(
                "SELECT MAX(id) AS n FROM observations WHERE id <> {id}"
            ))
            .await;
        let other_date: String = {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    format!("SELECT CAST(observed_on AS VARCHAR(10)) AS d FROM observations WHERE id = {moved_to}"),
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<String>("", "d").unwrap()
        };
        exec(format!(
            "UPDATE observations SET observed_on = '{other_date}', total_score = 55.5 WHERE id = {id}"
        ))
        .await;
        assert_kept_true(&app, "an observation moved").await;
        exec(format!("DELETE FROM reflections WHERE observation_id = {id}")).await;
        exec(format!("DELETE FROM observations WHERE id = {id}")).await;
        assert_kept_true(&app, "an observation deleted").await;
        // A pairing's status, a week's, a self-evaluation's step and grade, a batch.
        exec("UPDATE teacher_pairings SET status = 'terminated' WHERE id = (SELECT MIN(id) FROM teacher_pairings WHERE status = 'active')".into()).await;
        exec("UPDATE training_weeks SET status = 'missed' WHERE status = 'planned'".into())
            .await;
        exec("UPDATE self_evaluations SET status = 'verified', final_grade = 'excellent' WHERE id = (SELECT MIN(id) FROM self_evaluations)".into()).await;
        exec("UPDATE secondments SET batch = batch + 1".into()).await;
        // Self-evaluations into and out of the bureau's step.
        exec("UPDATE self_evaluations SET status = 'signed' WHERE id = (SELECT MAX(id) FROM self_evaluations WHERE status <> 'signed')".into()).await;
        exec("UPDATE self_evaluations SET context = 'seconded', signer_school_id = school_id WHERE id = (SELECT MIN(id) FROM self_evaluations WHERE status = 'appraised' AND signer_school_id IS NULL)".into()).await;
        exec("UPDATE self_evaluations SET status = 'appraised' WHERE id = (SELECT MIN(id) FROM self_evaluations WHERE status = 'draft' AND signer_school_id IS NULL)".into()).await;
        assert_kept_true(&app, "statuses changed").await;
        // A school moves to another district: its counts move with it.
        let busiest = app
            .scalar("SELECT t.school_id AS n FROM teacher_pairings p JOIN teachers t ON t.id = p.mentee_id GROUP BY t.school_id ORDER BY COUNT(*) DESC, t.school_id LIMIT 1")
            .await;
        exec(format!(
            "UPDATE schools SET district = '新设区' WHERE id = {busiest}"
        ))
        .await;
        assert_kept_true(&app, "a school moved district").await;
        let moved: i64 = app
            .scalar("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM year_figures WHERE scope = 'd:新设区'")
            .await;
        assert!(moved > 0, "the new district has the school's counts");
        // A visit moved to another kind and date, a ledger item answered with another
        // value, another deleted; a school pairing ended early and one back to a draft.
        for name in ["visits:", "fen:", "paired:", "sp"] {
            assert!(
                app.scalar(&format!(
                    "SELECT COUNT(*) AS n FROM year_figures WHERE name LIKE '{name}%' AND n <> 0"
                ))
                .await
                    > 0,
                "the generated set has {name} counts"
            );
        }
        exec("UPDATE visits SET kind = (SELECT MAX(kind) FROM visits), starts_on = (SELECT MAX(starts_on) FROM visits), ends_on = (SELECT MAX(ends_on) FROM visits) WHERE id = (SELECT MIN(id) FROM visits)".into()).await;
        exec("UPDATE contributions SET status = 'confirmed', value_fen = value_fen + 12345 WHERE id = (SELECT MIN(id) FROM contributions)".into()).await;
        exec("DELETE FROM contributions WHERE id = (SELECT MAX(id) FROM contributions WHERE id NOT IN (SELECT contribution_id FROM visits WHERE contribution_id IS NOT NULL))".into()).await;
        exec("UPDATE school_pairings SET year_to = year_from WHERE id = (SELECT MIN(id) FROM school_pairings WHERE status <> 'draft')".into()).await;
        exec("UPDATE school_pairings SET status = 'draft' WHERE id = (SELECT MAX(id) FROM school_pairings WHERE status <> 'draft')".into()).await;
        assert_kept_true(&app, "visits, the ledger and school pairings changed").await;
        // A year's dates changed (through the service): what falls in it is counted again.
        let bureau = bureau(&app).await;
        let year = academic_years::Entity::find()
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .find(|y| y.is_current)
            .expect("a current year");
        let shorter = tongxing::domain::academic_years::YearForm {
            name: year.name.clone(),
            starts_on: (year.starts_on + chrono::Duration::days(40)).to_string(),
            second_term_starts_on: (year.second_term_starts_on - chrono::Duration::days(20))
                .to_string(),
            ends_on: (year.ends_on - chrono::Duration::days(60)).to_string(),
            is_current: "true".into(),
            secondments_planned: String::new(),
        };
        let year = tongxing::domain::academic_years::update(db, &bureau, year.id, &shorter)
            .await
            .expect("the year's dates change");
        assert_figures_are_direct_counts(
            &app,
            &bureau,
            &Scope {
                year,
                district: None,
            },
        )
        .await;
        // Rows deleted in bulk.
        exec("DELETE FROM training_weeks".into()).await;
        assert_kept_true(&app, "weeks deleted").await;
        assert_eq!(
            app.scalar("SELECT COUNT(*) AS n FROM year_figures WHERE name LIKE 'weeks:%' AND n <> 0")
                .await,
            0
        );
    })
    .await;
}

async fn this_year(app: &TestApp) -> academic_years::Model {
    tongxing::domain::academic_years::current(&app.db)
        .await
        .unwrap()
        .expect("a current year")
}

#[rocket::async_test]
async fn the_bureau_home_is_the_dashboard_of_a_year_and_a_district() {
    each_db(|app| async move {
        let bureau = crate::reports::demo_bureau(&app).await;
        let current = this_year(&app).await;
        let f = dashboard::figures(
            &app.db,
            &bureau,
            &Scope {
                year: current.clone(),
                district: None,
            },
        )
        .await
        .unwrap();
        let (status, html) = app.get_html("/").await;
        assert_eq!(status, Status::Ok);
        assert!(
            html.contains("工作概况"),
            "the dashboard is on the home page"
        );
        assert!(html.contains(&format!(
            "<strong>{}</strong><span>结对学校",
            f.schools_paired
        )));
        assert!(html.contains(&format!(
            "<strong>{}</strong><span>本学年听课记录",
            f.observations
        )));
        // Four charts and the districts side by side, drawn on the server.
        assert_eq!(html.matches("<svg").count(), 5, "charts");
        assert!(html.contains("每月听课") && html.contains("各区县对比"));
        // A district: its own figures, and no comparison.
        let district = tongxing::domain::schools::districts(&app.db).await.unwrap()[0].clone();
        let (status, html) = app
            .get_html(&format!("/?district={}", crate::common::enc(&district)))
            .await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains(&format!("<option selected>{district}</option>")));
        assert_eq!(html.matches("<svg").count(), 4);
        // Another year by id; anything else falls back to the current year and the whole.
        let other = academic_years::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .find(|y| y.id != current.id)
            .expect("another year");
        let (_, html) = app.get_html(&format!("/?year={}", other.id)).await;
        assert!(html.contains(&format!("<option value=\"{}\" selected>", other.id)));
        for bad in [
            "/?year=abc",
            "/?year=999999",
            "/?year=-1&district=%3Cscript%3E",
            "/?district=",
            "/?year=1%27%20OR%201=1",
        ] {
            let (status, html) = app.get_html(bad).await;
            assert_eq!(status, Status::Ok, "{bad}");
            assert!(
                html.contains(&format!("<option value=\"{}\" selected>", current.id)),
                "{bad}: the current year"
            );
            assert!(!html.contains("<script>"), "{bad}");
            assert_eq!(html.matches("<svg").count(), 5, "{bad}: the whole");
        }
        // A school's admin and a teacher have their own home pages, without the dashboard.
        app.logout().await;
        for login in ["yizhong@demo.tongxing.cn", "yaochenglin@demo.tongxing.cn"] {
            assert_eq!(
                app.login(login, tongxing::demo::DEMO_PASSWORD).await,
                Status::SeeOther
            );
            let (status, html) = app.get_html("/?year=1").await;
            assert_eq!(status, Status::Ok);
            assert!(!html.contains("工作概况"), "{login}");
            app.logout().await;
        }
    })
    .await;
}

/// The change stamp (migration 30): one kept count per table, summed.
async fn stamp(app: &TestApp) -> i64 {
    app.scalar("SELECT CAST(SUM(n) AS BIGINT) AS n FROM tallies WHERE name LIKE 'changes:%'")
        .await
}

#[rocket::async_test]
async fn the_bureau_home_is_kept_until_a_write_and_never_shows_an_old_figure() {
    each_db(|app| async move {
        let bureau = crate::reports::demo_bureau(&app).await;
        let current = this_year(&app).await;
        let whole = Scope {
            year: current.clone(),
            district: None,
        };
        let observations = |n: u64| format!("<strong>{n}</strong><span>本学年听课记录");
        let f = dashboard::figures(&app.db, &bureau, &whole).await.unwrap();
        let (status, html) = app.get_html("/").await;
        assert_eq!(status, Status::Ok);
        assert!(html.contains(&observations(f.observations)));
        // Nothing changed: the page is the kept one, read in four statements (the session,
        // the notices' count and first rows, the tallies with the stamp) instead of some
        // twenty.
        let (status, fresh) = app.page_queries("/?year=0").await;
        assert_eq!(status, Status::Ok);
        let (status, kept) = app.page_queries("/?year=0").await;
        assert_eq!(status, Status::Ok);
        assert!(kept <= 4, "kept: {kept} statements");
        assert!(fresh > kept + 10, "read afresh: {fresh}, kept: {kept}");
        // A write to any table the dashboard reads moves the stamp, however it is made
        // (here straight in the database, as another process would).
        for table in migrations::m20261204_000030_change_stamp::TABLES {
            let key = if *table == "settings" { "key" } else { "id" };
            assert!(app.count(table).await > 0, "the demo has {table}");
            let before = stamp(&app).await;
            app.db
                .execute_unprepared(&format!(
                    "UPDATE {table} SET {key} = {key} WHERE {key} = (SELECT MIN({key}) FROM {table})"
                ))
                .await
                .expect(table);
            assert!(stamp(&app).await > before, "a write to {table} moves the stamp");
        }
        // An observation deleted outside the app: the next visit shows the new figure.
        let id = app
            .scalar(&format!(
                "SELECT MIN(o.id) AS n FROM observations o JOIN teacher_pairings p \
                 ON p.id = o.teacher_pairing_id WHERE p.academic_year_id = {}",
                current.id
            ))
            .await;
        let before = stamp(&app).await;
        app.db
            .execute_unprepared(&format!(
                "DELETE FROM reflections WHERE observation_id = {id}"
            ))
            .await
            .unwrap();
        app.db
            .execute_unprepared(&format!("DELETE FROM observations WHERE id = {id}"))
            .await
            .unwrap();
        assert!(stamp(&app).await > before, "a delete moves the stamp");
        let g = dashboard::figures(&app.db, &bureau, &whole).await.unwrap();
        assert_eq!(g.observations, f.observations - 1);
        let (_, html) = app.get_html("/").await;
        assert!(
            html.contains(&observations(g.observations)),
            "the page shows the figure after the delete"
        );
        // A recount (which the triggers do not see) moves it too.
        let before = stamp(&app).await;
        dashboard::recount(&app.db).await.unwrap();
        assert!(stamp(&app).await > before, "a recount moves the stamp");
        // The to-do list is kept with the figures: a self-evaluation that comes to the bureau
        // (straight in the database) is on it at the next visit, and gone once verified.
        let (_, html) = app.get_html("/").await;
        let id = app
            .scalar("SELECT MIN(id) AS n FROM self_evaluations WHERE status <> 'signed'")
            .await;
        let link = format!("href=\"/self-evaluations/{id}\"");
        assert!(!html.contains(&link), "not yet waiting: {link}");
        app.db
            .execute_unprepared(&format!(
                "UPDATE self_evaluations SET status = 'signed' WHERE id = {id}"
            ))
            .await
            .unwrap();
        let waiting = tongxing::domain::todo::documents_waiting(&app.db, &bureau)
            .await
            .unwrap();
        assert!(waiting.items.iter().any(|d| d.row.id == id), "waiting for the bureau");
        let (_, html) = app.get_html("/").await;
        assert!(html.contains(&link), "waiting: {link}");
        app.db
            .execute_unprepared(&format!(
                "UPDATE self_evaluations SET status = 'verified' WHERE id = {id}"
            ))
            .await
            .unwrap();
        let (_, html) = app.get_html("/").await;
        assert!(!html.contains(&link), "verified: {link} is gone");
    })
    .await;
}
