//! `tongxing generate`: the benchmark's data set — every entity, within the pairing rules,
//! the same for the same seed, and the four measuring accounts signing in.
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::common::{Backend, each_db, spawn};
use tongxing::entities::{observations, teacher_pairings, teachers, users};
use tongxing::generate::{self, Options, Quiet};

fn small(app: &crate::common::TestApp, seed: u64) -> Options {
    Options {
        files: app.store(),
        schools: 7,
        teachers_per_school: 5,
        observations: 101,
        seed,
        password: generate::DEFAULT_PASSWORD.into(),
    }
}

#[rocket::async_test]
async fn generated_data_has_every_entity_within_the_rules_and_its_accounts_sign_in() {
    each_db(|app| async move {
        assert_eq!(generate::existing_rows(&app.db).await.unwrap(), 0);
        let r = generate::generate(&app.db, &small(&app, 3), &mut Quiet)
            .await
            .expect("generate");
        // Seven schools: two groups of one urban school supporting two, and one urban
        // school left alone; five teachers each; three pairing slots per supported school.
        assert_eq!((r.schools, r.teachers, r.users), (7, 35, 1 + 7 + 35));
        assert_eq!((r.school_pairings, r.teacher_pairings), (4, 12));
        assert_eq!(r.observations, 101);
        for (table, n) in [
            ("schools", 7),
            ("teachers", 35),
            ("users", 43),
            ("school_pairings", 4),
            ("teacher_pairings", 12),
            ("observations", 101),
            ("secondments", r.secondments as i64),
            ("reflections", r.reflections as i64),
            ("comments", r.comments as i64),
            ("contacts", r.contacts as i64),
            ("plan_comments", r.plan_comments as i64),
            ("notifications", r.notifications as i64),
        ] {
            assert_eq!(app.count(table).await, n, "{table}");
        }
        assert!(r.reflections > 0 && r.contacts > 0 && r.notifications > 0);
        // The school-to-school side: four pairings with six visits each (all four kinds),
        // the two that give materials three ledger items each, every student visit's gift
        // one more; two teachers of each receiving school in training weeks; the library.
        assert_eq!(r.visits, 24);
        assert_eq!(r.contributions, 2 * 3 + 4);
        for (table, n) in [
            ("visits", r.visits as i64),
            ("contributions", r.contributions as i64),
            ("training_weeks", r.training_weeks as i64),
            ("resources", r.resources as i64),
        ] {
            assert_eq!(app.count(table).await, n, "{table}");
        }
        assert!(r.training_weeks > 0 && r.resources > 4);
        // The year-end: one self-evaluation per teacher of a published pairing and year;
        // last year's mentors' work summaries and both schools' summaries of each pairing.
        for (table, n) in [
            ("self_evaluations", r.self_evaluations as i64),
            ("summaries", r.summaries as i64),
        ] {
            assert_eq!(app.count(table).await, n, "{table}");
        }
        let teachers_in_pairings = app
            .scalar(
                "SELECT COUNT(*) AS n FROM (SELECT mentor_id AS t, academic_year_id FROM teacher_pairings WHERE status <> 'draft' \
                 UNION SELECT mentee_id, academic_year_id FROM teacher_pairings WHERE status <> 'draft') x",
            )
            .await;
        assert_eq!(r.self_evaluations as i64, teachers_in_pairings);
        assert!(r.summaries > 0);
        // Every generated document is one the services could have written: a verified one
        // has its final grade, an appraised one its appraisal, a draft no figures.
        assert_eq!(
            app.scalar("SELECT COUNT(*) AS n FROM self_evaluations WHERE (status IN ('verified', 'acknowledged')) <> (final_grade IS NOT NULL)").await,
            0
        );
        assert_eq!(
            app.scalar("SELECT COUNT(*) AS n FROM self_evaluations WHERE status = 'draft' AND (figures <> '' OR submitted_at IS NOT NULL)").await,
            0
        );
        let visits = tongxing::entities::visits::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        let pairs = tongxing::entities::school_pairings::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        let sides = |id: i64| {
            let p = pairs.iter().find(|p| p.id == id).unwrap();
            [p.supporter_id, p.receiver_id]
        };
        let participants = tongxing::entities::visit_teachers::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        let staff = teachers::Entity::find().all(&app.db).await.unwrap();
        for v in &visits {
            let two = sides(v.school_pairing_id);
            assert!(two.contains(&v.host_school_id) && two.contains(&v.guest_school_id));
            assert_ne!(v.host_school_id, v.guest_school_id);
            assert!(v.ends_on >= v.starts_on);
            for t in participants.iter().filter(|t| t.visit_id == v.id) {
                let school = staff
                    .iter()
                    .find(|s| s.id == t.teacher_id)
                    .unwrap()
                    .school_id;
                assert!(
                    two.contains(&school),
                    "visit {} teacher {}",
                    v.id,
                    t.teacher_id
                );
            }
            let student = v.kind == tongxing::domain::visits::VisitKind::Student;
            assert_eq!(v.contribution_id.is_some(), student, "visit {}", v.id);
        }
        let kinds: std::collections::BTreeSet<String> =
            visits.iter().map(|v| v.kind.as_str().to_string()).collect();
        assert_eq!(kinds.len(), 4, "{kinds:?}");
        let gifts = tongxing::entities::contributions::Entity::find()
            .filter(tongxing::entities::contributions::Column::FromStudents.eq(true))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(gifts, 4);
        // Training weeks after the "as of" day are still planned, the earlier ones answered.
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        for w in tongxing::entities::training_weeks::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
        {
            let planned = w.status == tongxing::domain::training::WeekStatus::Planned;
            assert_eq!(planned, w.ends_on >= as_of, "week {}", w.id);
            assert_eq!(sides(w.school_pairing_id)[0], w.host_school_id);
        }
        // Every resource has its file in the store.
        let store = app.store();
        let on_disk = store.names(tongxing::domain::resources::AREA);
        let resources = tongxing::entities::resources::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(on_disk.len(), resources.len());
        for res in &resources {
            assert!(on_disk.contains(&res.stored_name), "{}", res.stored_name);
        }
        assert!(generate::existing_rows(&app.db).await.unwrap() > 0);

        // Pairing rules: the same subject on both sides, mentor from the supporter and
        // mentee from the receiver of the school pairing, at most two mentees per mentor
        // and year (the default cap).
        let pairings = teacher_pairings::Entity::find().all(&app.db).await.unwrap();
        let all_teachers = teachers::Entity::find().all(&app.db).await.unwrap();
        let teacher = |id: i64| all_teachers.iter().find(|t| t.id == id).unwrap();

        // What is kept beside the rows: the name search's pieces of every name, the
        // bureau's counts, and each active pairing's shortfall.
        let pieces: usize = all_teachers
            .iter()
            .map(|t| migrations::name_grams(&t.name).len())
            .sum();
        assert_eq!(app.count("teacher_name_grams").await, pieces as i64);
        let bureau = tongxing::domain::users::actor_of(
            &tongxing::domain::users::find_by_email(&app.db, generate::BUREAU)
                .await
                .unwrap()
                .expect("the bureau's account"),
        );
        let figures = tongxing::domain::tallies::figures(&app.db, &bureau)
            .await
            .unwrap();
        assert_eq!(
            (figures.schools(), figures.teachers, figures.users),
            (7, 35, 43)
        );
        let found = tongxing::domain::teachers::search(&app.db, &bureau, &all_teachers[0].name)
            .await
            .unwrap();
        assert!(found.iter().any(|f| f.id == all_teachers[0].id));
        for p in &pairings {
            let active = p.status == tongxing::domain::types::PairingStatus::Active;
            assert_eq!(p.shortfall.is_some(), active, "pairing {}", p.id);
        }
        let mut per_mentor = std::collections::BTreeMap::new();
        for p in &pairings {
            let (m, e) = (teacher(p.mentor_id), teacher(p.mentee_id));
            assert!(m.subjects.contains(&p.subject) && e.subjects.contains(&p.subject));
            let sp = tongxing::entities::school_pairings::Entity::find_by_id(
                p.school_pairing_id.unwrap(),
            )
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
            assert_eq!(
                (sp.supporter_id, sp.receiver_id),
                (m.school_id, e.school_id)
            );
            *per_mentor
                .entry((p.mentor_id, p.academic_year_id))
                .or_insert(0) += 1;
        }
        assert!(per_mentor.values().all(|n| *n <= 2), "{per_mentor:?}");

        // Scores are the rubric's: each total is what scoring the stored item scores gives.
        for o in observations::Entity::find().all(&app.db).await.unwrap() {
            let rubric = tongxing::domain::rubrics::get(&app.db, o.rubric_id)
                .await
                .unwrap();
            let scores: std::collections::BTreeMap<i64, f64> =
                serde_json::from_str::<std::collections::BTreeMap<String, f64>>(&o.scores)
                    .unwrap()
                    .into_iter()
                    .map(|(k, v)| (k.parse().unwrap(), v))
                    .collect();
            let scored = rubric.def.score(&scores).unwrap();
            assert_eq!((scored.total, &scored.band), (o.total_score, &o.band));
            assert!(o.observed_on <= chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        }

        // The measuring accounts: mentor1 and mentee1 are the two sides of one active
        // pairing with this term's observations, and each account reaches its home.
        let user = |email: &'static str| {
            let db = app.db.clone();
            async move {
                users::Entity::find()
                    .filter(users::Column::Email.eq(email))
                    .one(&db)
                    .await
                    .unwrap()
                    .unwrap_or_else(|| panic!("{email}"))
            }
        };
        let (mentor, mentee) = (user(generate::MENTOR).await, user(generate::MENTEE).await);
        let shared = teacher_pairings::Entity::find()
            .filter(teacher_pairings::Column::MentorId.eq(mentor.teacher_id.unwrap()))
            .filter(teacher_pairings::Column::MenteeId.eq(mentee.teacher_id.unwrap()))
            .one(&app.db)
            .await
            .unwrap()
            .expect("mentor1 and mentee1 are paired");
        assert_eq!(
            shared.status,
            tongxing::domain::types::PairingStatus::Active
        );
        let this_term = observations::Entity::find()
            .filter(observations::Column::TeacherPairingId.eq(shared.id))
            .filter(
                observations::Column::ObservedOn
                    .gte(chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap()),
            )
            .all(&app.db)
            .await
            .unwrap();
        assert!(this_term.len() >= 5, "{}", this_term.len());
        let school = user(generate::SCHOOL).await;
        let supporter = tongxing::entities::school_pairings::Entity::find()
            .filter(
                tongxing::entities::school_pairings::Column::SupporterId
                    .eq(school.school_id.unwrap()),
            )
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(supporter.len(), 2, "school1 supports two schools");
        assert_eq!(user(generate::BUREAU).await.role, "bureau_admin");

        let mentor_name = teacher(mentor.teacher_id.unwrap()).name.clone();
        for email in [
            generate::BUREAU,
            generate::SCHOOL,
            generate::MENTOR,
            generate::MENTEE,
        ] {
            assert_eq!(
                app.login(email, generate::DEFAULT_PASSWORD).await,
                Status::SeeOther,
                "{email}"
            );
            let (status, html) = app.get_html("/").await;
            assert_eq!(status, Status::Ok, "{email}");
            // The school-to-school lists for the bureau and the school, the library for all.
            let pages: &[&str] = if email == generate::BUREAU || email == generate::SCHOOL {
                &["/visits", "/contributions", "/training-weeks", "/resources", "/self-evaluations", "/summaries"]
            } else {
                &["/resources", "/self-evaluations", "/summaries"]
            };
            for page in pages {
                let (status, _) = app.get_html(page).await;
                assert_eq!(status, Status::Ok, "{email} {page}");
            }
            if email == generate::MENTEE {
                assert!(
                    html.contains(&mentor_name),
                    "mentee1's home names the mentor"
                );
            }
            app.logout().await;
        }

        // Ids continue after the generated ones (PostgreSQL's sequences were moved on).
        let bureau = app.bureau("another-bureau@example.cn").await;
        assert!(bureau.id > 43, "{}", bureau.id);
        let actor = app.bureau_actor(&bureau);
        let school = app.school(&actor, "新学校", "9999999999", "rural").await;
        assert!(school.id > 7, "{}", school.id);
    })
    .await;
}

#[rocket::async_test]
async fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
    let fingerprint = |app: crate::common::TestApp| async move {
        let names: Vec<String> = teachers::Entity::find()
            .order_by_asc(teachers::Column::Id)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        let totals: Vec<(String, String)> = observations::Entity::find()
            .order_by_asc(observations::Column::Id)
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.topic, format!("{:.2}", o.total_score)))
            .collect();
        (names, totals)
    };
    let mut prints = Vec::new();
    for seed in [5, 5, 6] {
        let app = spawn(Backend::Sqlite).await;
        generate::generate(&app.db, &small(&app, seed), &mut Quiet)
            .await
            .expect("generate");
        prints.push(fingerprint(app).await);
    }
    assert_eq!(prints[0], prints[1], "same seed, same rows");
    assert_ne!(prints[0].0, prints[2].0, "another seed, other names");
}

#[rocket::async_test]
async fn too_small_a_data_set_is_refused_and_writes_nothing() {
    let app = spawn(Backend::Sqlite).await;
    let mut opts = small(&app, 1);
    opts.schools = 2;
    assert!(
        generate::generate(&app.db, &opts, &mut Quiet)
            .await
            .is_err()
    );
    assert_eq!(app.count("schools").await, 0);
    assert_eq!(app.count("users").await, 0);
}
