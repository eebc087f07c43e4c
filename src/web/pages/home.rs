//! The home page of each role: the bureau's overview, the school's page, the teacher's.
use askama::Template;
use rocket::response::Redirect;
use rocket::{FromForm, State, get, routes};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use std::collections::HashMap;

use crate::domain::access::policy;
use crate::domain::memo::Memo;
use crate::domain::progress::TermProgress;
use crate::domain::types::Role;
use crate::domain::{academic_years, users};
use crate::domain::{charts, dashboard, tallies, todo};
use crate::entities::notifications;
use crate::entities::{academic_years as years, schools, teachers};
use crate::error::AppResult;
use crate::web::guards::{Ctx, CurrentUser};
use crate::web::respond::{Page, render};

#[derive(Template)]
#[template(path = "home/bureau.html")]
struct BureauHome<'a> {
    ctx: Ctx,
    year: &'a Option<years::Model>,
    term: &'a Option<todo::Term>,
    todo: &'a todo::Bureau,
    unread: todo::Shown<notifications::Model>,
    /// (kind word, label key, count)
    schools_by_kind: Vec<(&'static str, String, u64)>,
    schools_total: u64,
    teachers_total: u64,
    users_total: u64,
    board: &'a Option<Board>,
}

/// What the bureau's home shows alike to every bureau account (whose reach is every
/// record): the year, its to-do list and the dashboard, kept in `BoardMemo` until a write
/// moves the change stamp or a minute has passed (the overdue lists go by the clock).
pub struct BureauView {
    year: Option<years::Model>,
    term: Option<todo::Term>,
    todo: todo::Bureau,
    board: Option<Board>,
}

/// The filter as asked for, the language the charts are labelled in, and the day (terms
/// and deadlines go by it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BoardKey {
    year: Option<i64>,
    district: Option<String>,
    lang: crate::i18n::Lang,
    today: chrono::NaiveDate,
}

pub type BoardMemo = Memo<BoardKey, BureauView>;

/// What the bureau's view reads: one account's view is shown to another only when both may
/// read every record of these.
const BOARD_READS: &[policy::Subject] = &[
    policy::Subject::School,
    policy::Subject::Teacher,
    policy::Subject::AcademicYear,
    policy::Subject::Settings,
    policy::Subject::SchoolPairing,
    policy::Subject::TeacherPairing,
    policy::Subject::Secondment,
    policy::Subject::Observation,
    policy::Subject::Visit,
    policy::Subject::Contribution,
    policy::Subject::TrainingWeek,
    policy::Subject::SelfEvaluation,
    policy::Subject::Summary,
];

/// The memo the app keeps the bureau's home in.
pub fn board_memo() -> BoardMemo {
    Memo::new(std::time::Duration::from_secs(60), 64)
}

impl BureauHome<'_> {
    fn batch(&self, c: &dashboard::Count<i32>) -> String {
        self.ctx.t2(
            "kpi-batch",
            &("batch", c.key.to_string()),
            &("count", c.n.to_string()),
        )
    }
    fn plan_to_date(&self, f: &dashboard::Figures, planned: &i64) -> String {
        self.ctx.t2(
            "kpi-plan-to-date",
            &("seconded", f.plan.seconded_to_date.to_string()),
            &("planned", planned.to_string()),
        )
    }
    fn terms(&self, f: &dashboard::Figures) -> String {
        self.ctx.t2(
            "kpi-terms",
            &("first", f.observations_by_term[0].to_string()),
            &("second", f.observations_by_term[1].to_string()),
        )
    }
}

/// The dashboard of a chosen year (and district).
struct Board {
    scope: dashboard::Scope,
    years: Vec<years::Model>,
    districts: Vec<String>,
    figures: dashboard::Figures,
    overdue: Vec<dashboard::Overdue>,
    overdue_days: i64,
    months_svg: String,
    visits_svg: String,
    scores_svg: String,
    steps_svg: String,
    districts_svg: String,
}

impl Board {
    fn is_year(&self, id: &i64) -> bool {
        self.scope.year.id == *id
    }
    fn is_district(&self, d: &str) -> bool {
        self.scope.district.as_deref() == Some(d)
    }
    fn yuan(&self, fen: i64) -> String {
        crate::domain::money::format_yuan(fen)
    }
}

/// The dashboard's filter, as typed: an unknown year falls back to the current one, an
/// unknown district to the whole.
#[derive(Debug, Default, FromForm)]
struct BoardQuery {
    year: Option<String>,
    district: Option<String>,
}

impl BoardQuery {
    fn year_id(&self) -> Option<i64> {
        self.year
            .as_deref()
            .and_then(|y| y.trim().parse::<i64>().ok())
    }
    fn district(&self) -> Option<String> {
        self.district
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
    }
}

async fn board(
    ctx: &Ctx,
    db: &DatabaseConnection,
    actor: &crate::domain::access::Actor,
    current: Option<&years::Model>,
    all_years: Vec<years::Model>,
    query: &BoardQuery,
) -> AppResult<Option<Board>> {
    let chosen = query
        .year_id()
        .and_then(|id| all_years.iter().find(|y| y.id == id))
        .or(current)
        .or(all_years.first())
        .cloned();
    let Some(year) = chosen else {
        return Ok(None);
    };
    let districts = crate::domain::schools::districts(db).await?;
    let district = query
        .district()
        .filter(|d| districts.iter().any(|x| x == d));
    let scope = dashboard::Scope { year, district };
    let figures = dashboard::figures_among(db, actor, &scope, &all_years).await?;
    let lines = if scope.district.is_none() {
        dashboard::by_district(db, actor, &scope.year).await?
    } else {
        Vec::new()
    };
    let overdue_days = crate::domain::settings::load(db)
        .await?
        .waiting_reminder_days;
    let before = chrono::Utc::now() - chrono::Duration::days(overdue_days);
    let overdue = dashboard::overdue(db, actor, &scope, before).await?;
    let bar = |label: String, value: i64, shown: String| charts::Bar {
        label,
        value: value as f64,
        shown,
    };
    let count = |label: String, n: i64| bar(label, n, n.to_string());
    let months: Vec<charts::Bar> = figures
        .observations_by_month
        .iter()
        .map(|c| {
            count(
                ctx.t1("chart-month", "month", chrono::Datelike::month(&c.key)),
                c.n,
            )
        })
        .collect();
    let visits: Vec<charts::Bar> = figures
        .visits
        .iter()
        .map(|c| count(ctx.t(c.key.label_key()), c.n))
        .collect();
    // Scores in bands: under 60, then tens.
    let under_60: i64 = figures
        .scores
        .iter()
        .filter(|c| c.key < 6)
        .map(|c| c.n)
        .sum();
    let mut scores = vec![count(ctx.t("chart-score-under-60"), under_60)];
    for c in figures.scores.iter().filter(|c| c.key >= 6) {
        let label = if c.key == 9 {
            "90–100".to_string()
        } else {
            format!("{}–{}", c.key * 10, c.key * 10 + 9)
        };
        scores.push(count(label, c.n));
    }
    let steps: Vec<charts::Bar> = figures
        .self_evaluations
        .iter()
        .map(|c| count(ctx.t(c.key.label_key()), c.n))
        .collect();
    let per_district: Vec<charts::Bar> = lines
        .iter()
        .map(|l| {
            bar(
                l.district.clone(),
                l.observations,
                format!("{} · {}", l.observations, l.teacher_pairings),
            )
        })
        .collect();
    Ok(Some(Board {
        months_svg: charts::columns(&months)?,
        visits_svg: charts::bars(&visits)?,
        scores_svg: charts::bars(&scores)?,
        steps_svg: charts::bars(&steps)?,
        districts_svg: if per_district.is_empty() {
            String::new()
        } else {
            charts::bars(&per_district)?
        },
        scope,
        years: all_years,
        districts,
        figures,
        overdue,
        overdue_days,
    }))
}

#[derive(Template)]
#[template(path = "home/school.html")]
struct SchoolHome {
    ctx: Ctx,
    year: Option<years::Model>,
    todo: todo::School,
    unread: todo::Shown<notifications::Model>,
    school: Option<schools::Model>,
    teachers_total: u64,
    school_pairings: Vec<crate::domain::school_pairings::PairingView>,
    pairings: Vec<crate::domain::teacher_pairings::PairingRow>,
    progress: HashMap<i64, TermProgress>,
}

impl SchoolHome {
    fn progress_of(&self, id: &i64) -> Option<&TermProgress> {
        self.progress.get(id)
    }
}

#[derive(Template)]
#[template(path = "home/teacher.html")]
struct TeacherHome {
    ctx: Ctx,
    year: Option<years::Model>,
    todo: todo::Teacher,
    unread: todo::Shown<notifications::Model>,
    teacher: Option<teachers::Model>,
    school: Option<schools::Model>,
    pairings: Vec<crate::domain::teacher_pairings::PairingRow>,
    progress: HashMap<i64, TermProgress>,
}

impl TeacherHome {
    fn progress_of(&self, id: &i64) -> Option<&TermProgress> {
        self.progress.get(id)
    }
}

#[get("/?<query..>")]
async fn home(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    memo: &State<BoardMemo>,
    user: Option<CurrentUser>,
    query: BoardQuery,
) -> AppResult<Result<Page, Redirect>> {
    let db = db.inner();
    let Some(user) = user else {
        if users::setup_needed(db).await? {
            return Ok(Err(Redirect::to("/setup")));
        }
        return Ok(Err(Redirect::to("/login")));
    };
    let today = crate::domain::types::today();
    let unread = todo::unread(db, &user.actor, ctx.unread).await?;
    let page = match user.actor.role {
        Role::BureauAdmin => {
            // Read first: the stamp the kept view is checked against.
            let figures = tallies::figures(db, &user.actor).await?;
            let key = BoardKey {
                year: query.year_id(),
                district: query.district(),
                lang: ctx.lang,
                today,
            };
            let actor = &user.actor;
            let view = if policy::sees_all_of(actor, BOARD_READS) {
                memo.get_or_make(key, figures.changes, || {
                    bureau_view(&ctx, db, actor, &query, today)
                })
                .await?
            } else {
                std::sync::Arc::new(bureau_view(&ctx, db, actor, &query, today).await?)
            };
            render(&BureauHome {
                ctx,
                year: &view.year,
                term: &view.term,
                todo: &view.todo,
                board: &view.board,
                unread,
                schools_total: figures.schools(),
                schools_by_kind: figures
                    .schools_by_kind
                    .iter()
                    .map(|(k, n)| (k.as_str(), k.label_key(), *n))
                    .collect(),
                teachers_total: figures.teachers,
                users_total: figures.users,
            })?
        }
        Role::SchoolAdmin => {
            let year = academic_years::current(db).await?;
            let term = year.clone().map(|y| todo::Term::of(y, today));
            let school = match user.actor.school_id {
                Some(id) => schools::Entity::find_by_id(id).one(db).await?,
                None => None,
            };
            let teachers_total = match user.actor.school_id {
                Some(id) => {
                    teachers::Entity::find()
                        .filter(teachers::Column::SchoolId.eq(id))
                        .filter(teachers::Column::IsActive.eq(true))
                        .count(db)
                        .await?
                }
                None => 0,
            };
            let pairings = crate::domain::teacher_pairings::for_home(db, &user.actor).await?;
            render(&SchoolHome {
                ctx,
                year,
                todo: todo::school(db, &user.actor, term.as_ref(), today).await?,
                unread,
                school,
                teachers_total,
                school_pairings: crate::domain::school_pairings::for_home(db, &user.actor).await?,
                progress: progress_of(db, &pairings).await?,
                pairings,
            })?
        }
        Role::Teacher => {
            let year = academic_years::current(db).await?;
            let teacher = match user.actor.teacher_id {
                Some(id) => teachers::Entity::find_by_id(id).one(db).await?,
                None => None,
            };
            let school = match teacher.as_ref() {
                Some(t) => schools::Entity::find_by_id(t.school_id).one(db).await?,
                None => None,
            };
            let pairings = crate::domain::teacher_pairings::for_home(db, &user.actor).await?;
            render(&TeacherHome {
                ctx,
                year,
                todo: todo::teacher(db, &user.actor, today).await?,
                unread,
                teacher,
                school,
                progress: progress_of(db, &pairings).await?,
                pairings,
            })?
        }
    };
    Ok(Ok(page))
}

/// The bureau's year, to-do list and dashboard, read afresh.
async fn bureau_view(
    ctx: &Ctx,
    db: &DatabaseConnection,
    actor: &crate::domain::access::Actor,
    query: &BoardQuery,
    today: chrono::NaiveDate,
) -> AppResult<BureauView> {
    // The dashboard offers every year; the current one is among them.
    let all_years = academic_years::list(db).await?;
    let year = all_years.iter().find(|y| y.is_current).cloned();
    let term = year.clone().map(|y| todo::Term::of(y, today));
    let todo = todo::bureau(db, actor, term.as_ref(), today).await?;
    let board = board(ctx, db, actor, year.as_ref(), all_years, query).await?;
    Ok(BureauView {
        year,
        term,
        todo,
        board,
    })
}

async fn progress_of(
    db: &DatabaseConnection,
    rows: &[crate::domain::teacher_pairings::PairingRow],
) -> AppResult<HashMap<i64, TermProgress>> {
    let pairings: Vec<_> = rows.iter().map(|r| r.pairing.clone()).collect();
    crate::domain::progress::current_of_each(db, &pairings, crate::domain::types::today()).await
}

pub fn routes() -> Vec<rocket::Route> {
    routes![home]
}
