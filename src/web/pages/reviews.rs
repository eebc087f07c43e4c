//! The effectiveness review (效果评价): the year's pairings with their marks, one page per
//! pairing with what it achieved and the mark form, and preparing next year (a preview,
//! then the drafts made in one transaction).
use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{FromForm, State, get, post, routes};
use sea_orm::DatabaseConnection;

use crate::domain::academic_years;
use crate::domain::annual_report::year_named;
use crate::domain::reviews::{
    self, Kind, Line, Mark, MarkForm, Plan, SchoolFigures, TeacherFigures,
};
use crate::entities::{academic_years as years, reviews as rows};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{BureauAdmin, Ctx};
use crate::web::respond::{FormResult, Page, render};

/// Pairings per page of the list.
const PER_PAGE: u64 = 50;

/// The year asked for by name; the current year when none is given; 404 for a name that
/// is no year.
async fn year_of(db: &DatabaseConnection, year: Option<&str>) -> AppResult<years::Model> {
    match year.map(str::trim).filter(|y| !y.is_empty()) {
        Some(name) => year_named(db, name).await,
        None => academic_years::current(db).await?.ok_or(AppError::NotFound),
    }
}

/// The list's query string, kept as typed.
#[derive(Debug, Clone, Default, FromForm)]
struct ListQuery {
    year: Option<String>,
    #[field(default = String::new())]
    kind: String,
    #[field(default = String::new())]
    mark: String,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "reviews/index.html")]
struct IndexPage {
    ctx: Ctx,
    year: years::Model,
    years: Vec<years::Model>,
    kind: Kind,
    mark: String,
    lines: Vec<Line>,
    next_after: Option<i64>,
}

impl IndexPage {
    fn href(&self, l: &Line) -> String {
        match l.kind {
            Kind::School => format!(
                "/reviews/school-pairings/{}?year={}",
                l.pairing_id, self.year.name
            ),
            Kind::Teacher => format!("/reviews/teacher-pairings/{}", l.pairing_id),
        }
    }
    fn marks(&self) -> &'static [Mark] {
        Mark::ALL
    }
    fn kinds(&self) -> &'static [Kind] {
        Kind::ALL
    }
}

#[get("/reviews?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: BureauAdmin,
    query: ListQuery,
) -> AppResult<Page> {
    let db = db.inner();
    let year = year_of(db, query.year.as_deref()).await?;
    let kind = Kind::parse(query.kind.trim()).unwrap_or(Kind::Teacher);
    let mark = match query.mark.trim() {
        "none" => Some(None),
        m => Mark::parse(m).map(Some),
    };
    let after = query
        .after
        .as_deref()
        .and_then(|a| a.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let mut lines =
        reviews::lines(db, &user.0.actor, &year, kind, mark, after, PER_PAGE + 1).await?;
    let next_after = if lines.len() as u64 > PER_PAGE {
        lines.truncate(PER_PAGE as usize);
        lines.last().map(|l| l.pairing_id)
    } else {
        None
    };
    render(&IndexPage {
        ctx,
        years: academic_years::list(db).await?,
        year,
        kind,
        mark: query.mark.trim().to_string(),
        lines,
        next_after,
    })
}

#[derive(Template)]
#[template(path = "reviews/show.html")]
struct ShowPage {
    ctx: Ctx,
    year: years::Model,
    kind: Kind,
    title: String,
    status: crate::domain::types::PairingStatus,
    school: Option<SchoolFigures>,
    teacher: Option<(TeacherFigures, String, String, i64, i64)>,
    review: Option<rows::Model>,
    form: MarkForm,
    errors: FieldErrors,
    action: String,
}

impl ShowPage {
    fn marks(&self) -> &'static [Mark] {
        Mark::ALL
    }
    fn yuan(&self, fen: &i64) -> String {
        crate::domain::money::format_yuan(*fen)
    }
    fn who(&self, teacher: &i64) -> String {
        match &self.teacher {
            Some((_, mentor, mentee, mentor_id, _)) => {
                if teacher == mentor_id {
                    mentor.clone()
                } else {
                    mentee.clone()
                }
            }
            None => String::new(),
        }
    }
    fn score(&self, v: &Option<f64>) -> String {
        v.map(|x| self.ctx.number(x)).unwrap_or_else(|| "—".into())
    }
    fn change(&self, v: &Option<f64>) -> String {
        match v {
            Some(c) => {
                let sign = if *c > 0.0 { "+" } else { "" };
                self.ctx.paren(format!("{sign}{}", self.ctx.number(*c)))
            }
            None => String::new(),
        }
    }
    fn prepared(&self) -> bool {
        self.review
            .as_ref()
            .is_some_and(|r| r.prepared_at.is_some())
    }
}

async fn show_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &BureauAdmin,
    kind: Kind,
    id: i64,
    year: Option<&str>,
    typed: Option<(MarkForm, FieldErrors)>,
) -> AppResult<Page> {
    let actor = &user.0.actor;
    let (form, errors) = match typed {
        Some((f, e)) => (Some(f), e),
        None => (None, FieldErrors::new()),
    };
    let (year, title, status, school, teacher) = match kind {
        Kind::School => {
            let year = year_of(db, year).await?;
            let view = crate::domain::school_pairings::view(db, actor, id).await?;
            let figures = reviews::school_figures(db, actor, &view.row, &year).await?;
            (
                year,
                format!("{} → {}", view.supporter_name, view.receiver_name),
                view.row.status,
                Some(figures),
                None,
            )
        }
        Kind::Teacher => {
            let p = crate::domain::teacher_pairings::get(db, actor, id).await?;
            let year = reviews::year_of(db, p.academic_year_id).await?;
            let figures =
                reviews::teacher_figures(db, actor, &p, &year, crate::domain::types::today())
                    .await?;
            let named = crate::domain::teacher_pairings::with_names(db, vec![(*p).clone()]).await?;
            let r = named.into_iter().next().ok_or(AppError::NotFound)?;
            (
                year,
                format!(
                    "{} → {} · {}",
                    r.mentor_name, r.mentee_name, r.pairing.subject
                ),
                r.pairing.status,
                None,
                Some((
                    figures,
                    r.mentor_name.clone(),
                    r.mentee_name.clone(),
                    r.pairing.mentor_id,
                    r.pairing.mentee_id,
                )),
            )
        }
    };
    let review = reviews::review_of(db, kind, id, year.id).await?;
    let form = form.unwrap_or_else(|| MarkForm {
        mark: review
            .as_ref()
            .map(|r| r.mark.as_str().to_string())
            .unwrap_or_default(),
        note: review.as_ref().map(|r| r.note.clone()).unwrap_or_default(),
        version: review.as_ref().map_or(0, |r| r.version).to_string(),
    });
    let action = match kind {
        Kind::School => format!("/reviews/school-pairings/{id}?year={}", year.name),
        Kind::Teacher => format!("/reviews/teacher-pairings/{id}"),
    };
    render(&ShowPage {
        ctx,
        year,
        kind,
        title,
        status,
        school,
        teacher,
        review,
        form,
        errors,
        action,
    })
}

#[get("/reviews/school-pairings/<id>?<year>")]
async fn show_school(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: BureauAdmin,
    id: i64,
    year: Option<&str>,
) -> AppResult<Page> {
    show_page(ctx, db.inner(), &user, Kind::School, id, year, None).await
}

#[get("/reviews/teacher-pairings/<id>")]
async fn show_teacher(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: BureauAdmin,
    id: i64,
) -> AppResult<Page> {
    show_page(ctx, db.inner(), &user, Kind::Teacher, id, None, None).await
}

async fn mark_and_answer(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: BureauAdmin,
    kind: Kind,
    id: i64,
    year: Option<&str>,
    form: MarkForm,
) -> FormResult {
    let the_year = match kind {
        Kind::School => year_of(db, year).await?,
        Kind::Teacher => {
            let p = crate::domain::teacher_pairings::get(db, &user.0.actor, id).await?;
            reviews::year_of(db, p.academic_year_id).await?
        }
    };
    match reviews::mark(db, &user.0.actor, kind, id, &the_year, &form).await {
        Ok(_) => {
            let to = match kind {
                Kind::School => format!("/reviews/school-pairings/{id}?year={}", the_year.name),
                Kind::Teacher => format!("/reviews/teacher-pairings/{id}"),
            };
            Ok(Ok(Flash::success(Redirect::to(to), "flash-saved")))
        }
        Err(e) => {
            let Some(errors) = e.field_errors() else {
                return Err(e);
            };
            let status = match e {
                AppError::Conflict { .. } => Status::Conflict,
                _ => Status::UnprocessableEntity,
            };
            let mut typed = form;
            if status == Status::Conflict {
                // Shown again with what is kept now: the version to save over.
                let kept = reviews::review_of(db, kind, id, the_year.id).await?;
                typed.version = kept.map_or(0, |r| r.version).to_string();
            }
            let name = the_year.name.clone();
            Ok(Err((
                status,
                show_page(ctx, db, &user, kind, id, Some(&name), Some((typed, errors))).await?,
            )))
        }
    }
}

#[post("/reviews/school-pairings/<id>?<year>", data = "<form>")]
async fn mark_school(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: BureauAdmin,
    id: i64,
    year: Option<&str>,
    form: CsrfForm<MarkForm>,
) -> FormResult {
    mark_and_answer(ctx, db.inner(), user, Kind::School, id, year, form.0).await
}

#[post("/reviews/teacher-pairings/<id>", data = "<form>")]
async fn mark_teacher(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: BureauAdmin,
    id: i64,
    form: CsrfForm<MarkForm>,
) -> FormResult {
    mark_and_answer(ctx, db.inner(), user, Kind::Teacher, id, None, form.0).await
}

#[derive(Template)]
#[template(path = "reviews/prepare.html")]
struct PreparePage {
    ctx: Ctx,
    year: years::Model,
    plan: Option<Plan>,
    /// Why nothing can be prepared (no next year).
    blocked: Option<String>,
}

impl PreparePage {
    fn draft_href(&self, i: &reviews::Planned) -> Option<String> {
        let id = i.draft_id?;
        Some(match i.kind {
            Kind::School => format!("/school-pairings/{id}"),
            Kind::Teacher => format!("/teacher-pairings/{id}"),
        })
    }
}

async fn prepare_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &BureauAdmin,
    year: years::Model,
    apply: bool,
) -> AppResult<(Status, Page)> {
    match reviews::prepare(db, &user.0.actor, &year, apply, ctx.lang).await {
        Ok(plan) => {
            let status = if apply && !plan.applied {
                Status::Conflict
            } else {
                Status::Ok
            };
            Ok((
                status,
                render(&PreparePage {
                    ctx,
                    year,
                    plan: Some(plan),
                    blocked: None,
                })?,
            ))
        }
        Err(AppError::Conflict { msg, .. }) => {
            let blocked = Some(ctx.msg(&msg));
            Ok((
                Status::Conflict,
                render(&PreparePage {
                    ctx,
                    year,
                    plan: None,
                    blocked,
                })?,
            ))
        }
        Err(e) => Err(e),
    }
}

#[get("/reviews/prepare?<year>")]
async fn preview(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: BureauAdmin,
    year: Option<&str>,
) -> AppResult<(Status, Page)> {
    let db = db.inner();
    let year = year_of(db, year).await?;
    prepare_page(ctx, db, &user, year, false).await
}

#[post("/reviews/prepare?<year>", data = "<_form>")]
async fn apply(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: BureauAdmin,
    year: Option<&str>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> AppResult<(Status, Page)> {
    let db = db.inner();
    let year = year_of(db, year).await?;
    prepare_page(ctx, db, &user, year, true).await
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        index,
        show_school,
        show_teacher,
        mark_school,
        mark_teacher,
        preview,
        apply
    ]
}
