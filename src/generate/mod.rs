//! `tongxing generate`: synthetic data at any size, for measuring — districts of urban
//! schools each supporting two township or village schools, their teachers with subjects and
//! titles, school pairings and teacher pairings within the caps over two academic years,
//! work plans and their comments, secondments in three batches, observations scored on the
//! shipped 课堂教学评价表 with the mentee's scores growing, reflections, comments, the contact
//! log and notifications; one sign-in account per teacher and school, and the four
//! measuring accounts (`bureau@`, `school1@`, `mentor1@`, `mentee1@generated.tongxing.cn`).
//!
//! The same options and seed give the same rows. Ids are given by the generator (the
//! database must hold no schools or accounts yet), rows go in with multi-row inserts inside
//! transactions, and one password hash serves every account.
mod exchanges;
pub(crate) mod words;
mod year_end;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    Iterable, PaginatorTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};

use crate::demo::lessons::scores_for;
use crate::domain::observations::scores_json;
use crate::domain::rubrics::Rubric;
use crate::domain::types::{PairingStatus, Stage};
use crate::domain::work_plans::{TermTargets, WorkPlan};
use crate::entities::{
    academic_years, comments, contacts, notifications, observations, plan_comments, reflections,
    rubrics, school_pairings, schools, secondments, teacher_name_grams, teacher_pairings, teachers,
    users,
};
use crate::error::{AppError, AppResult};

/// Every generated account's address ends with this.
pub const DOMAIN: &str = "@generated.tongxing.cn";
/// The password of the generated accounts when `TONGXING_GENERATE_PASSWORD` is not set.
pub const DEFAULT_PASSWORD: &str = "tongxing-bench";
/// The four accounts the benchmark signs in with.
pub const BUREAU: &str = "bureau@generated.tongxing.cn";
pub const SCHOOL: &str = "school1@generated.tongxing.cn";
pub const MENTOR: &str = "mentor1@generated.tongxing.cn";
pub const MENTEE: &str = "mentee1@generated.tongxing.cn";

/// Schools per district: sixteen groups of one urban school and the two it supports.
const SCHOOLS_PER_DISTRICT: usize = 48;
/// Rows written before a transaction is committed and a new one begun.
const ROWS_PER_TRANSACTION: usize = 20_000;
/// Bound parameters per statement (SQLite allows 32,766, PostgreSQL 65,535).
const PARAMS_PER_STATEMENT: usize = 30_000;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub schools: usize,
    pub teachers_per_school: usize,
    pub observations: u64,
    pub seed: u64,
    pub password: String,
    /// Where the resource library's files go (the app's upload folder).
    pub files: crate::domain::files::FileStore,
}

/// A day as (year, month, day).
type Ymd = (i32, u32, u32);

/// The two academic years (name, start, second term, end): last year's teacher pairings
/// are completed, this year's active.
const YEARS: [(&str, Ymd, Ymd, Ymd); 2] = [
    ("2025-2026", (2025, 9, 1), (2026, 2, 23), (2026, 7, 10)),
    ("2026-2027", (2026, 9, 1), (2027, 2, 22), (2027, 7, 9)),
];
/// The day the data is "as of": this year's observations fall between the start of the
/// year and this day, so that the teacher home shows a term of them.
const AS_OF: Ymd = (2026, 12, 1);

/// Told as each step goes (a progress bar on the terminal).
pub trait Progress: Send {
    fn step(&mut self, name: &'static str, total: u64);
    fn advance(&mut self, n: u64);
}

/// A progress that says nothing (tests).
pub struct Quiet;

impl Progress for Quiet {
    fn step(&mut self, _: &'static str, _: u64) {}
    fn advance(&mut self, _: u64) {}
}

/// What was written.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub districts: usize,
    pub schools: usize,
    pub teachers: usize,
    pub users: usize,
    pub school_pairings: usize,
    pub teacher_pairings: usize,
    pub secondments: usize,
    pub observations: u64,
    pub reflections: u64,
    pub comments: u64,
    pub contacts: u64,
    pub plan_comments: u64,
    pub notifications: u64,
    pub visits: u64,
    pub contributions: u64,
    pub training_weeks: u64,
    pub resources: u64,
    pub self_evaluations: u64,
    pub summaries: u64,
}

/// Schools and accounts already in the database: `generate` writes only into an empty one
/// (its ids are its own, and its accounts share a known password).
pub async fn existing_rows(conn: &impl ConnectionTrait) -> AppResult<u64> {
    Ok(schools::Entity::find().count(conn).await? + users::Entity::find().count(conn).await?)
}

fn day((y, m, d): Ymd) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn at(d: NaiveDate, hour: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(hour, 0, 0).unwrap_or_default())
}

/// The next free id of a table.
async fn next_id<E: EntityTrait>(conn: &impl ConnectionTrait, id: E::Column) -> AppResult<i64> {
    let max: Option<Option<i64>> = E::find()
        .select_only()
        .column_as(id.max(), "m")
        .into_tuple()
        .one(conn)
        .await?;
    Ok(max.flatten().unwrap_or(0) + 1)
}

/// Multi-row inserts of as many rows per statement as the parameter limit allows, each
/// statement told to `progress`.
async fn insert_rows<A>(
    conn: &impl ConnectionTrait,
    rows: &mut Vec<A>,
    progress: &mut dyn Progress,
) -> AppResult<()>
where
    A: ActiveModelTrait + Send,
{
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count();
    let per_statement = (PARAMS_PER_STATEMENT / columns.max(1)).max(1);
    while !rows.is_empty() {
        let take = per_statement.min(rows.len());
        let chunk: Vec<A> = rows.drain(..take).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
        progress.advance(take as u64);
    }
    Ok(())
}

/// One school as laid out: its place in its group (0 = the urban supporter, 1 and 2 the
/// schools it supports).
struct SchoolPlan {
    id: i64,
    district: usize,
    group: usize,
    place: usize,
    stage: Stage,
}

/// One teacher pairing as laid out.
struct PairingPlan {
    id: i64,
    mentor: i64,
    mentee: i64,
    mentor_user: i64,
    mentee_user: i64,
    subject: &'static str,
    stage: Stage,
    year: usize,
    status: PairingStatus,
}

/// Ids are laid out in blocks so that a teacher's or school's account id follows from its
/// own: the bureau, then one admin per school, then one account per teacher.
struct Ids {
    school: i64,
    teacher: i64,
    user: i64,
    per_school: usize,
}

impl Ids {
    fn school(&self, index: usize) -> i64 {
        self.school + index as i64
    }
    fn teacher(&self, school: usize, k: usize) -> i64 {
        self.teacher + (school * self.per_school + k) as i64
    }
    fn bureau_user(&self) -> i64 {
        self.user
    }
    fn admin_user(&self, school: usize) -> i64 {
        self.user + 1 + school as i64
    }
    fn teacher_user(&self, schools: usize, teacher_id: i64) -> i64 {
        self.user + 1 + schools as i64 + (teacher_id - self.teacher)
    }
}

/// Generates the data set into an empty database.
pub async fn generate(
    db: &DatabaseConnection,
    opts: &Options,
    progress: &mut dyn Progress,
) -> AppResult<Report> {
    if opts.schools < 3 || opts.teachers_per_school < 2 {
        return Err(AppError::Unexpected(
            "generate needs at least 3 schools and 2 teachers per school".into(),
        ));
    }
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut report = Report::default();
    let per_school = opts.teachers_per_school;
    let years = ensure_years(db).await?;
    let rubric = {
        let row = rubrics::Entity::find()
            .filter(rubrics::Column::Code.eq("classroom-cn"))
            .filter(rubrics::Column::IsCurrent.eq(true))
            .one(db)
            .await?
            .ok_or_else(|| AppError::Unexpected("the shipped rubric is missing".into()))?;
        Rubric::of(row)?
    };
    let password = opts.password.clone();
    let hash = tokio::task::spawn_blocking(move || {
        crate::domain::users::hash_password_blocking(&password)
    })
    .await
    .map_err(|e| AppError::Unexpected(e.to_string()))??;

    let ids = Ids {
        school: next_id::<schools::Entity>(db, schools::Column::Id).await?,
        teacher: next_id::<teachers::Entity>(db, teachers::Column::Id).await?,
        user: next_id::<users::Entity>(db, users::Column::Id).await?,
        per_school,
    };

    // Schools: districts of sixteen groups; a group shares its stage so that mentor and
    // mentee teach the same subject.
    let n = opts.schools;
    let mut plans = Vec::with_capacity(n);
    let mut group_stage = Stage::Primary;
    for i in 0..n {
        let district = i / SCHOOLS_PER_DISTRICT;
        let group = i / 3;
        let place = i % 3;
        if place == 0 {
            group_stage = if rng.random_bool(0.55) {
                Stage::Primary
            } else {
                Stage::Junior
            };
        }
        plans.push(SchoolPlan {
            id: ids.school(i),
            district,
            group,
            place,
            stage: group_stage,
        });
    }
    report.districts = n.div_ceil(SCHOOLS_PER_DISTRICT);
    progress.step("schools", n as u64);
    let now = at(day(AS_OF), 2);
    let mut rows = Vec::with_capacity(n);
    for (i, s) in plans.iter().enumerate() {
        let district = words::district(s.district);
        let township = words::township(s.group);
        let (name, kind) = if s.place == 0 {
            (words::urban_school(&district, s.stage, i), "urban")
        } else {
            (
                words::rural_school(&township, s.stage, s.place),
                if s.place == 1 { "township" } else { "rural" },
            )
        };
        let teachers_there = per_school as i32;
        rows.push(schools::ActiveModel {
            id: Set(s.id),
            name_key: Set(migrations::name_key(&name)),
            name: Set(name),
            code: Set(format!("34{:03}{:05}", s.district % 1000, i % 100_000)),
            kind: Set(kind.into()),
            stage: Set(s.stage.as_str().into()),
            district: Set(district.clone()),
            township: Set(if s.place == 0 {
                String::new()
            } else {
                township.clone()
            }),
            address: Set(format!("{district}{township}")),
            principal: Set(words::person(&mut rng).0),
            phone: Set(format!("0564-{:07}", 6_000_000 + i)),
            student_count: Set(if s.place == 0 {
                rng.random_range(1200..3000)
            } else {
                rng.random_range(150..900)
            }),
            teacher_count: Set(teachers_there),
            is_active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        });
    }
    let txn = db.begin().await?;
    insert_rows(&txn, &mut rows, progress).await?;
    txn.commit().await?;
    report.schools = n;

    // Teachers and their accounts.
    progress.step("teachers", (n * per_school) as u64);
    let txn = db.begin().await?;
    let mut teacher_rows = Vec::new();
    let mut gram_rows: Vec<teacher_name_grams::ActiveModel> = Vec::new();
    let mut names: Vec<String> = Vec::with_capacity(n * per_school);
    let mut user_rows = Vec::new();
    user_rows.push(account(
        ids.bureau_user(),
        BUREAU,
        "省教育厅支教办公室",
        "bureau_admin",
        None,
        None,
        &hash,
        now,
    ));
    for (i, s) in plans.iter().enumerate() {
        let (admin, _) = words::person(&mut rng);
        user_rows.push(account(
            ids.admin_user(i),
            &format!("school{}{DOMAIN}", i + 1),
            &admin,
            "school_admin",
            Some(s.id),
            None,
            &hash,
            now,
        ));
        let subjects = words::subjects(s.stage);
        for k in 0..per_school {
            let id = ids.teacher(i, k);
            let (name, gender) = words::person(&mut rng);
            names.push(name.clone());
            let email = teacher_email(id);
            let senior = s.place == 0;
            let title = words::title(&mut rng, senior);
            teacher_rows.push(teachers::ActiveModel {
                id: Set(id),
                school_id: Set(s.id),
                name_key: Set(migrations::name_key(&name)),
                name: Set(name.clone()),
                gender: Set(gender.into()),
                staff_no: Set(format!("T{:04}", k + 1)),
                subjects: Set(json_list(&[subjects[k % subjects.len()]])),
                grades: Set(json_list(&[words::grade(s.stage, k)])),
                title: Set(title.into()),
                years_teaching: Set(if senior {
                    rng.random_range(5..32)
                } else {
                    rng.random_range(1..25)
                }),
                honours: Set(if senior && k % 7 == 0 {
                    "市级骨干教师".into()
                } else {
                    String::new()
                }),
                phone: Set(String::new()),
                email: Set(email.clone()),
                is_active: Set(true),
                created_at: Set(now),
                updated_at: Set(now),
            });
            let key = migrations::name_key(&name);
            gram_rows.extend(migrations::name_grams(&name).into_iter().map(|gram| {
                teacher_name_grams::ActiveModel {
                    gram: Set(gram),
                    name_key: Set(key.clone()),
                    teacher_id: Set(id),
                }
            }));
            user_rows.push(account(
                ids.teacher_user(n, id),
                &email,
                &name,
                "teacher",
                Some(s.id),
                Some(id),
                &hash,
                now,
            ));
        }
        if teacher_rows.len() >= ROWS_PER_TRANSACTION {
            insert_rows(&txn, &mut teacher_rows, progress).await?;
            insert_rows(&txn, &mut gram_rows, &mut Quiet).await?;
        }
    }
    insert_rows(&txn, &mut teacher_rows, progress).await?;
    insert_rows(&txn, &mut gram_rows, &mut Quiet).await?;
    report.teachers = n * per_school;
    report.users = user_rows.len();
    progress.step("accounts", user_rows.len() as u64);
    insert_rows(&txn, &mut user_rows, progress).await?;
    txn.commit().await?;

    // School pairings: each urban school supports the two schools of its group.
    let groups = n.div_ceil(3);
    let mut sp_rows = Vec::new();
    let mut sp_of: BTreeMap<(usize, usize), i64> = BTreeMap::new();
    let mut sp_plans = Vec::new();
    let mut sp_id = next_id::<school_pairings::Entity>(db, school_pairings::Column::Id).await?;
    for g in 0..groups {
        for place in 1..3 {
            let receiver = g * 3 + place;
            if receiver >= n {
                continue;
            }
            let kinds: &[&str] = if place == 1 {
                &["staff", "management"]
            } else if g % 4 == 3 {
                &["staff", "funds", "materials"]
            } else {
                &["staff", "materials"]
            };
            let published = at(day((2025, 8, 25)), 2);
            sp_rows.push(school_pairings::ActiveModel {
                id: Set(sp_id),
                supporter_id: Set(ids.school(g * 3)),
                receiver_id: Set(ids.school(receiver)),
                year_from: Set(YEARS[0].0.into()),
                year_to: Set(YEARS[1].0.into()),
                support_kinds: Set(json_list(kinds)),
                status: Set(PairingStatus::Active),
                note: Set(String::new()),
                termination_requested_by: Set(None),
                termination_requested_at: Set(None),
                termination_request_reason: Set(None),
                terminate_reason: Set(None),
                published_at: Set(Some(published)),
                completed_at: Set(None),
                terminated_at: Set(None),
                created_by: Set(Some(ids.bureau_user())),
                created_at: Set(published),
                updated_at: Set(published),
            });
            sp_of.insert((g, place), sp_id);
            sp_plans.push(exchanges::SchoolPairingPlan {
                id: sp_id,
                supporter: g * 3,
                receiver,
                funds: kinds.contains(&"funds"),
                materials: kinds.contains(&"materials"),
            });
            sp_id += 1;
        }
    }
    report.school_pairings = sp_rows.len();

    // Teacher pairings: slot k of a group pairs the urban school's k-th teacher with the
    // k-th teacher of each school it supports (the same subject; two mentees per mentor,
    // the cap). The first third of the slots were last year's and are completed.
    let slots = (per_school * 3 / 5).clamp(1, per_school);
    let mut tp_id = next_id::<teacher_pairings::Entity>(db, teacher_pairings::Column::Id).await?;
    let mut pairings = Vec::new();
    let mut tp_rows = Vec::new();
    let mut showcase: Option<usize> = None;
    for g in 0..groups {
        let stage = plans[g * 3].stage;
        let subjects = words::subjects(stage);
        for k in 0..slots {
            for place in 1..3 {
                let receiver = g * 3 + place;
                let Some(&school_pairing) = sp_of.get(&(g, place)) else {
                    continue;
                };
                let year = if k < slots / 3 { 0 } else { 1 };
                let index = pairings.len();
                let first_current = showcase.is_none() && year == 1;
                let status = if year == 0 {
                    PairingStatus::Completed
                } else if !first_current && index % 47 == 46 {
                    PairingStatus::Draft
                } else if !first_current && index % 53 == 52 {
                    PairingStatus::Terminated
                } else {
                    PairingStatus::Active
                };
                if first_current {
                    showcase = Some(index);
                }
                let mentor = ids.teacher(g * 3, k);
                let mentee = ids.teacher(receiver, k);
                let p = PairingPlan {
                    id: tp_id,
                    mentor,
                    mentee,
                    mentor_user: ids.teacher_user(n, mentor),
                    mentee_user: ids.teacher_user(n, mentee),
                    subject: subjects[k % subjects.len()],
                    stage,
                    year,
                    status,
                };
                tp_rows.push(pairing_row(&p, &years, school_pairing, &mut rng));
                pairings.push(p);
                tp_id += 1;
            }
        }
    }
    report.teacher_pairings = pairings.len();
    progress.step("pairings", (sp_rows.len() + tp_rows.len()) as u64);
    let txn = db.begin().await?;
    insert_rows(&txn, &mut sp_rows, progress).await?;
    insert_rows(&txn, &mut tp_rows, progress).await?;
    txn.commit().await?;

    // The measuring accounts of one active pairing with a term of observations.
    if let Some(i) = showcase {
        let p = &pairings[i];
        for (user, email) in [(p.mentor_user, MENTOR), (p.mentee_user, MENTEE)] {
            users::Entity::update_many()
                .col_expr(users::Column::Email, email.into())
                .filter(users::Column::Id.eq(user))
                .exec(db)
                .await?;
        }
        for (teacher, email) in [(p.mentor, MENTOR), (p.mentee, MENTEE)] {
            teachers::Entity::update_many()
                .col_expr(teachers::Column::Email, email.into())
                .filter(teachers::Column::Id.eq(teacher))
                .exec(db)
                .await?;
        }
    }

    // Secondments: in half the groups a teacher of the urban school goes to a school it
    // supports, three batches over the two years.
    let mut sec_rows = Vec::new();
    let mut sec_id = next_id::<secondments::Entity>(db, secondments::Column::Id).await?;
    for g in 0..groups {
        if g * 3 + 1 >= n || !rng.random_bool(0.5) {
            continue;
        }
        let k = per_school - 1;
        let (year, term, batch, from, to) = match g % 3 {
            0 => (0, "first", 1, (2025, 9, 1), (2026, 1, 20)),
            1 => (0, "second", 2, (2026, 2, 23), (2026, 7, 10)),
            _ => (1, "year", 3, (2026, 9, 1), (2027, 7, 9)),
        };
        sec_rows.push(secondments::ActiveModel {
            id: Set(sec_id),
            teacher_id: Set(ids.teacher(g * 3, k)),
            from_school_id: Set(ids.school(g * 3)),
            to_school_id: Set(ids.school(g * 3 + 1)),
            academic_year_id: Set(years[year]),
            term: Set(term.into()),
            batch: Set(batch),
            starts_on: Set(day(from)),
            ends_on: Set(day(to)),
            note: Set(String::new()),
            created_at: Set(at(day(from), 1)),
            updated_at: Set(at(day(from), 1)),
        });
        sec_id += 1;
    }
    report.secondments = sec_rows.len();
    let txn = db.begin().await?;
    insert_rows(&txn, &mut sec_rows, &mut Quiet).await?;
    txn.commit().await?;

    let lesson_data = Lessons {
        rubric: &rubric,
        pairings: &pairings,
        names: &names,
        first_teacher: ids.teacher,
    };
    lessons(db, opts, &lesson_data, &mut rng, progress, &mut report).await?;
    let layout = exchanges::Layout {
        ids: &ids,
        schools: &plans,
        school_pairings: &sp_plans,
        pairings: &pairings,
        years: &years,
        store: &opts.files,
    };
    exchanges::exchanges(db, &layout, &mut rng, progress, &mut report).await?;
    year_end::year_end(db, &layout, &mut rng, progress, &mut report).await?;
    fix_sequences(db).await?;
    // Rows went in without the services: how far each pairing is behind is computed once.
    crate::domain::progress::refresh_every(db, crate::domain::types::today()).await?;
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
fn account(
    id: i64,
    email: &str,
    name: &str,
    role: &str,
    school: Option<i64>,
    teacher: Option<i64>,
    hash: &str,
    now: DateTime<Utc>,
) -> users::ActiveModel {
    users::ActiveModel {
        id: Set(id),
        email: Set(email.into()),
        name: Set(name.into()),
        name_key: Set(migrations::name_key(name)),
        role: Set(role.into()),
        school_id: Set(school),
        teacher_id: Set(teacher),
        password_hash: Set(hash.into()),
        is_active: Set(true),
        locale: Set(None),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn teacher_email(teacher_id: i64) -> String {
    format!("t{teacher_id}{DOMAIN}")
}

fn json_list(items: &[&str]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// The two academic years, added when missing; their ids.
async fn ensure_years(db: &DatabaseConnection) -> AppResult<[i64; 2]> {
    let mut out = [0; 2];
    for (i, (name, starts, second, ends)) in YEARS.iter().enumerate() {
        let found = academic_years::Entity::find()
            .filter(academic_years::Column::Name.eq(*name))
            .one(db)
            .await?;
        out[i] = match found {
            Some(y) => y.id,
            None => {
                let current = i == 1
                    && academic_years::Entity::find()
                        .filter(academic_years::Column::IsCurrent.eq(true))
                        .count(db)
                        .await?
                        == 0;
                academic_years::ActiveModel {
                    name: Set(name.to_string()),
                    starts_on: Set(day(*starts)),
                    second_term_starts_on: Set(day(*second)),
                    ends_on: Set(day(*ends)),
                    is_current: Set(current),
                    created_at: Set(at(day(*starts), 1)),
                    updated_at: Set(at(day(*starts), 1)),
                    ..Default::default()
                }
                .insert(db)
                .await?
                .id
            }
        };
    }
    Ok(out)
}

fn pairing_row(
    p: &PairingPlan,
    years: &[i64; 2],
    school_pairing: i64,
    rng: &mut StdRng,
) -> teacher_pairings::ActiveModel {
    let start = day(YEARS[p.year].1);
    let published = (p.status != PairingStatus::Draft).then(|| at(start, 1));
    let plan = WorkPlan {
        analysis_ethics: words::pick(rng, words::PLAN_ETHICS).into(),
        analysis_skill: words::pick(rng, words::PLAN_SKILL).into(),
        goals: words::pick(rng, words::PLAN_GOALS).into(),
        measures_ethics: "言传身教，关心学生，做学生的良师益友。".into(),
        measures_teaching: words::pick(rng, words::PLAN_TEACHING).into(),
        measures_self: "坚持业务学习，每学期读一本教育理论书籍，写好教学反思。".into(),
        term1: TermTargets {
            observations: 4,
            attended: 2,
            reflections: 4,
            contacts: 3,
        },
        term2: TermTargets {
            observations: 4,
            attended: 2,
            reflections: 4,
            contacts: 3,
        },
    };
    let plan = if p.status == PairingStatus::Draft {
        String::new()
    } else {
        serde_json::to_string(&plan).unwrap_or_default()
    };
    let end = day(YEARS[p.year].3) + Duration::days(6);
    let terminated = p.status == PairingStatus::Terminated;
    teacher_pairings::ActiveModel {
        id: Set(p.id),
        mentor_id: Set(p.mentor),
        mentee_id: Set(p.mentee),
        subject: Set(p.subject.into()),
        academic_year_id: Set(years[p.year]),
        school_pairing_id: Set(Some(school_pairing)),
        status: Set(p.status),
        termination_requested_by: Set(None),
        termination_requested_at: Set(None),
        termination_request_reason: Set(None),
        terminate_reason: Set(terminated.then(|| "受援教师工作调动，结对终止。".to_string())),
        mentor_end_reason: Set(None),
        mentee_end_reason: Set(None),
        plan_version: Set(if plan.is_empty() { 0 } else { 1 }),
        plan: Set(plan),
        plan_updated_by: Set(published.map(|_| p.mentor_user)),
        plan_updated_at: Set(published),
        published_at: Set(published),
        completed_at: Set((p.status == PairingStatus::Completed).then(|| at(end, 1))),
        terminated_at: Set(terminated.then(|| at(day((2026, 10, 30)), 1))),
        created_by: Set(None),
        created_at: Set(at(start - Duration::days(7), 1)),
        updated_at: Set(published.unwrap_or_else(|| at(start, 1))),
        shortfall: Set(None),
    }
}

/// Rows waiting to be written, in the order their foreign keys need.
#[derive(Default)]
struct Pending {
    observations: Vec<observations::ActiveModel>,
    reflections: Vec<reflections::ActiveModel>,
    comments: Vec<comments::ActiveModel>,
    contacts: Vec<contacts::ActiveModel>,
    plan_comments: Vec<plan_comments::ActiveModel>,
    notifications: Vec<notifications::ActiveModel>,
}

impl Pending {
    fn len(&self) -> usize {
        self.observations.len()
            + self.reflections.len()
            + self.comments.len()
            + self.contacts.len()
            + self.plan_comments.len()
            + self.notifications.len()
    }

    /// Writes them in one transaction; the bar counts observations.
    async fn write(
        &mut self,
        db: &DatabaseConnection,
        progress: &mut dyn Progress,
    ) -> AppResult<()> {
        let txn = db.begin().await?;
        insert_rows(&txn, &mut self.observations, progress).await?;
        insert_rows(&txn, &mut self.reflections, &mut Quiet).await?;
        insert_rows(&txn, &mut self.comments, &mut Quiet).await?;
        insert_rows(&txn, &mut self.contacts, &mut Quiet).await?;
        insert_rows(&txn, &mut self.plan_comments, &mut Quiet).await?;
        insert_rows(&txn, &mut self.notifications, &mut Quiet).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// Observations, reflections, comments, contacts, plan comments and notifications of the
/// pairings that were published: `opts.observations` spread evenly over them, dated across
/// the pairing's year (this year's up to `AS_OF`), the mentee's scores growing.
/// What the lessons are written from.
struct Lessons<'a> {
    rubric: &'a Rubric,
    pairings: &'a [PairingPlan],
    /// Teachers' names by id − `first_teacher`.
    names: &'a [String],
    first_teacher: i64,
}

async fn lessons(
    db: &DatabaseConnection,
    opts: &Options,
    data: &Lessons<'_>,
    rng: &mut StdRng,
    progress: &mut dyn Progress,
    report: &mut Report,
) -> AppResult<()> {
    let Lessons {
        rubric,
        pairings,
        names,
        first_teacher,
    } = *data;
    let published: Vec<&PairingPlan> = pairings
        .iter()
        .filter(|p| p.status != PairingStatus::Draft)
        .collect();
    progress.step("observations", opts.observations);
    if published.is_empty() {
        return Ok(());
    }
    let mut obs_id = next_id::<observations::Entity>(db, observations::Column::Id).await?;
    let mut refl_id = next_id::<reflections::Entity>(db, reflections::Column::Id).await?;
    let mut pending = Pending::default();
    let each = opts.observations / published.len() as u64;
    let extra = opts.observations % published.len() as u64;
    for (i, p) in published.iter().enumerate() {
        let count = each + u64::from((i as u64) < extra);
        let (from, to) = if p.year == 0 {
            (day((2025, 9, 8)), day((2026, 7, 3)))
        } else if p.status == PairingStatus::Terminated {
            (day((2026, 9, 7)), day((2026, 10, 28)))
        } else {
            (day((2026, 9, 7)), day(AS_OF) - Duration::days(1))
        };
        let span = (to - from).num_days().max(1);
        let base: f64 = rng.random_range(58.0..72.0);
        let growth: f64 = rng.random_range(12.0..26.0);
        for j in 0..count {
            let offset = (span as f64 * (j as f64 + 0.5) / count as f64) as i64;
            let on = from + Duration::days(offset);
            let demonstration = j % 6 == 5;
            let (observer, observed, author, other_user) = if demonstration {
                (p.mentee, p.mentor, p.mentee_user, p.mentor_user)
            } else {
                (p.mentor, p.mentee, p.mentor_user, p.mentee_user)
            };
            let total = if demonstration {
                rng.random_range(88.0..98.0)
            } else {
                (base + growth * j as f64 / count.max(1) as f64 + rng.random_range(-3.0..3.0))
                    .clamp(40.0, 99.0)
            };
            let scores = scores_for(rubric, total);
            let scored = rubric.def.score(&scores).map_err(|_| {
                AppError::Unexpected("generated scores do not fit the rubric".into())
            })?;
            let topic = words::topic(p.subject, j as usize);
            let written = at(on, 9);
            pending.observations.push(observations::ActiveModel {
                id: Set(obs_id),
                teacher_pairing_id: Set(p.id),
                observer_id: Set(observer),
                observed_id: Set(observed),
                author_id: Set(author),
                observed_on: Set(on),
                grade_class: Set(words::grade_class(p.stage, j as usize)),
                subject: Set(p.subject.into()),
                topic: Set(topic.clone()),
                lesson_kind: Set(if demonstration {
                    "demonstration"
                } else if j % 9 == 4 {
                    "open"
                } else if j % 11 == 7 {
                    "research"
                } else {
                    "regular"
                }
                .into()),
                mode: Set(if rng.random_bool(0.25) {
                    "remote"
                } else {
                    "onsite"
                }
                .into()),
                recording_url: Set(String::new()),
                rubric_id: Set(rubric.row.id),
                scores: Set(scores_json(&scores)?),
                section_scores: Set(scores_json(&scored.sections)?),
                total_score: Set(scored.total),
                band: Set(scored.band.clone()),
                strengths: Set(words::pick(rng, words::STRENGTHS).into()),
                suggestions: Set(if demonstration {
                    String::new()
                } else {
                    words::pick(rng, words::SUGGESTIONS).into()
                }),
                comment: Set(String::new()),
                version: Set(1),
                created_at: Set(written),
                updated_at: Set(written),
            });
            if !demonstration && rng.random_bool(0.1) {
                pending.comments.push(comments::ActiveModel {
                    observation_id: Set(Some(obs_id)),
                    reflection_id: Set(None),
                    author_id: Set(other_user),
                    body: Set("谢谢师傅指导，我会按建议改进。".into()),
                    created_at: Set(at(on, 12)),
                    ..Default::default()
                });
                report.comments += 1;
            }
            if !demonstration && rng.random_bool(0.35) {
                let later = at(on + Duration::days(1), 11);
                pending.reflections.push(reflections::ActiveModel {
                    id: Set(refl_id),
                    teacher_pairing_id: Set(p.id),
                    observation_id: Set(Some(obs_id)),
                    author_id: Set(p.mentee_user),
                    title: Set(format!("《{topic}》课后反思")),
                    body: Set(words::pick(rng, words::REFLECTIONS).into()),
                    version: Set(1),
                    created_at: Set(later),
                    updated_at: Set(later),
                });
                report.reflections += 1;
                if rng.random_bool(0.6) {
                    pending.comments.push(comments::ActiveModel {
                        observation_id: Set(None),
                        reflection_id: Set(Some(refl_id)),
                        author_id: Set(p.mentor_user),
                        body: Set(
                            "反思写得很实在。坚持做好课后反思和课后辅导，注意分层教学。".into()
                        ),
                        created_at: Set(at(on + Duration::days(2), 12)),
                        ..Default::default()
                    });
                    report.comments += 1;
                }
                refl_id += 1;
            }
            // The observed teacher was told of the last three of this year's lessons.
            if p.year == 1 && j + 3 >= count {
                pending.notifications.push(notifications::ActiveModel {
                    user_id: Set(if demonstration {
                        p.mentor_user
                    } else {
                        p.mentee_user
                    }),
                    kind: Set("obs-new".into()),
                    message_key: Set("notice-obs-new-title".into()),
                    args: Set(serde_json::json!({
                        "by": names[(observer - first_teacher) as usize],
                        "topic": topic,
                        "date": on.to_string(),
                    })
                    .to_string()),
                    link: Set(format!("/observations/{obs_id}")),
                    read_at: Set((j + 1 < count).then(|| at(on, 20))),
                    created_at: Set(written),
                    ..Default::default()
                });
                report.notifications += 1;
            }
            obs_id += 1;
            report.observations += 1;
        }
        // Three contacts a term and a comment on the plan now and then.
        for c in 0..3 {
            let on = from + Duration::days(span * (2 * c + 1) / 6);
            pending.contacts.push(contacts::ActiveModel {
                teacher_pairing_id: Set(p.id),
                kind: Set(["phone", "online", "visit"][c as usize].into()),
                contacted_on: Set(on),
                summary: Set(words::pick(rng, words::CONTACTS).into()),
                author_id: Set(p.mentor_user),
                created_at: Set(at(on, 10)),
                ..Default::default()
            });
            report.contacts += 1;
        }
        if i % 3 == 0 {
            pending.plan_comments.push(plan_comments::ActiveModel {
                teacher_pairing_id: Set(p.id),
                author_id: Set(p.mentee_user),
                body: Set("方案很具体，我会按计划每月写好反思。".into()),
                created_at: Set(at(from, 8)),
                ..Default::default()
            });
            report.plan_comments += 1;
        }
        if pending.len() >= ROWS_PER_TRANSACTION {
            pending.write(db, progress).await?;
        }
    }
    pending.write(db, progress).await?;
    Ok(())
}

/// PostgreSQL's id sequences move past the ids the generator gave.
async fn fix_sequences(db: &DatabaseConnection) -> AppResult<()> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for table in [
        "academic_years",
        "schools",
        "teachers",
        "users",
        "school_pairings",
        "teacher_pairings",
        "secondments",
        "observations",
        "reflections",
        "comments",
        "contacts",
        "plan_comments",
        "notifications",
        "contributions",
        "visits",
        "training_weeks",
        "resources",
        "self_evaluations",
        "summaries",
    ] {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ))
        .await?;
    }
    Ok(())
}
