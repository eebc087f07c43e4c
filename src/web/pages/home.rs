//! The home page of each role: the bureau's overview, the school's page, the teacher's.
use askama::Template;
use rocket::response::Redirect;
use rocket::{State, get, routes};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use std::collections::HashMap;

use crate::domain::progress::TermProgress;
use crate::domain::types::Role;
use crate::domain::{academic_years, users};
use crate::domain::{tallies, todo};
use crate::entities::notifications;
use crate::entities::{academic_years as years, schools, teachers};
use crate::error::AppResult;
use crate::web::guards::{Ctx, CurrentUser};
use crate::web::respond::{Page, render};

#[derive(Template)]
#[template(path = "home/bureau.html")]
struct BureauHome {
    ctx: Ctx,
    year: Option<years::Model>,
    term: Option<todo::Term>,
    todo: todo::Bureau,
    unread: todo::Shown<notifications::Model>,
    /// (kind word, label key, count)
    schools_by_kind: Vec<(&'static str, String, u64)>,
    schools_total: u64,
    teachers_total: u64,
    users_total: u64,
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

#[get("/")]
async fn home(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: Option<CurrentUser>,
) -> AppResult<Result<Page, Redirect>> {
    let db = db.inner();
    let Some(user) = user else {
        if users::setup_needed(db).await? {
            return Ok(Err(Redirect::to("/setup")));
        }
        return Ok(Err(Redirect::to("/login")));
    };
    let year = academic_years::current(db).await?;
    let today = crate::domain::types::today();
    let term = year.clone().map(|y| todo::Term::of(y, today));
    let unread = todo::unread(db, &user.actor).await?;
    let page = match user.actor.role {
        Role::BureauAdmin => {
            let figures = tallies::figures(db, &user.actor).await?;
            render(&BureauHome {
                ctx,
                year,
                todo: todo::bureau(db, &user.actor, term.as_ref(), today).await?,
                term,
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
