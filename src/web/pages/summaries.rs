//! Year-end summary pages (工作总结): a teacher writes the year's work summary, a school
//! its annual summary, each beside the year's figures counted from the data; the school
//! (for a teacher's) or the bureau (for a school's) marks it received or returns it. The
//! list is each role's queue, with filters; every summary prints as an A4 form.
use std::collections::BTreeMap;

use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{FromForm, State, get, post, routes};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde::Deserialize;

use crate::domain::academic_years;
use crate::domain::context::Context as Site;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::summaries::{
    self as sums, Action, BeginForm, Kind, Row, Stage, StepForm, TextForm,
};
use crate::entities::academic_years as year_rows;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser};
use crate::web::respond::{FormResult, Page, render};

/// The list's query string, kept as typed.
#[derive(Debug, Clone, Default, FromForm)]
pub struct SumQuery {
    #[field(default = String::new())]
    pub year: String,
    #[field(default = String::new())]
    pub school: String,
    #[field(default = String::new())]
    pub district: String,
    #[field(default = String::new())]
    pub status: String,
    #[field(default = String::new())]
    pub kind: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl SumQuery {
    pub fn filter(&self) -> sums::Filter {
        sums::Filter {
            academic_year_id: self.year.trim().parse().ok(),
            status: Stage::parse(&self.status),
            kind: Kind::parse(&self.kind),
            work: None,
            school_id: self.school.trim().parse().ok(),
            district: self.district.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "summaries/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: SumQuery,
    years: Vec<year_rows::Model>,
    schools: Vec<(i64, String)>,
    districts: Vec<String>,
    statuses: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    may_begin: bool,
    page: Paged<Row>,
}

impl IndexPage {
    fn year_name(&self, id: &i64) -> String {
        self.years
            .iter()
            .find(|y| y.id == *id)
            .map(|y| self.ctx.year(&y.name))
            .unwrap_or_default()
    }
}

#[get("/summaries?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: SumQuery,
) -> AppResult<Page> {
    let db = db.inner();
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    let filter = query.filter();
    let page = sums::list_rows(db, &user.actor, &filter, request).await?;
    let may_begin = match academic_years::current(db).await? {
        Some(y) => !sums::open_kinds(db, &user.actor, &y).await?.is_empty(),
        None => false,
    };
    render(&IndexPage {
        ctx,
        years: academic_years::list(db).await?,
        schools: crate::domain::schools::filter_choices(db, filter.school_id).await?,
        districts: crate::domain::schools::districts(db).await?,
        statuses: Stage::options(),
        kinds: Kind::options(),
        may_begin,
        query,
        page,
    })
}

#[derive(Template)]
#[template(path = "summaries/new.html")]
struct NewPage {
    ctx: Ctx,
    form: BeginForm,
    errors: FieldErrors,
    years: Vec<(String, String)>,
    kinds: Vec<(&'static str, String)>,
}

async fn new_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    mut form: BeginForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let years = academic_years::list(db).await?;
    if form.academic_year_id.is_empty()
        && let Some(y) = years.iter().find(|y| y.is_current)
    {
        form.academic_year_id = y.id.to_string();
    }
    // The kinds open in the chosen year; every kind of the role when none is chosen.
    let chosen = form
        .academic_year_id
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| years.iter().find(|y| y.id == id));
    let kinds: Vec<Kind> = match chosen {
        Some(y) => sums::open_kinds(db, &user.actor, y).await?,
        None if user.actor.teacher_id.is_some() => Kind::WORK.to_vec(),
        None => Kind::SCHOOL.to_vec(),
    };
    if form.kind.is_empty()
        && let [only] = kinds.as_slice()
    {
        form.kind = only.as_str().to_string();
    }
    render(&NewPage {
        years: years
            .iter()
            .map(|y| (y.id.to_string(), ctx.year(&y.name)))
            .collect(),
        ctx,
        form,
        errors,
        kinds: kinds.iter().map(|k| (k.as_str(), k.label_key())).collect(),
    })
}

#[get("/summaries/new")]
async fn new(ctx: Ctx, db: &State<DatabaseConnection>, user: CurrentUser) -> AppResult<Page> {
    if !matches!(
        user.actor.role,
        crate::domain::types::Role::Teacher | crate::domain::types::Role::SchoolAdmin
    ) {
        return Err(AppError::Forbidden);
    }
    new_page(
        ctx,
        db.inner(),
        &user,
        BeginForm::default(),
        FieldErrors::new(),
    )
    .await
}

#[post("/summaries", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    form: CsrfForm<BeginForm>,
) -> FormResult {
    let form = form.0;
    match sums::begin(db.inner(), &user.actor, &form).await {
        Ok(row) => Ok(Ok(Flash::success(
            Redirect::to(format!("/summaries/{}/edit", row.id)),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                new_page(ctx, db.inner(), &user, form, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

/// A summary with its names, the year's name and the figure lines shown beside it.
struct Loaded {
    d: Row,
    year: String,
    figures: Vec<sums::FigureLine>,
}

async fn loaded(db: &DatabaseConnection, user: &CurrentUser, id: i64) -> AppResult<Loaded> {
    let row = sums::get(db, &user.actor, id).await?;
    let figures = sums::figure_lines(&sums::shown_figures(db, &row).await?);
    let year = year_rows::Entity::find_by_id(row.academic_year_id)
        .one(db)
        .await?
        .map(|y| y.name)
        .unwrap_or_default();
    let d = sums::with_names(db, &user.actor, vec![row])
        .await?
        .remove(0);
    Ok(Loaded { d, year, figures })
}

#[derive(Template)]
#[template(path = "summaries/edit.html")]
struct EditPage {
    ctx: Ctx,
    d: Row,
    year: String,
    figures: Vec<sums::FigureLine>,
    /// (key, label key, text) of each section, as typed.
    sections: Vec<(&'static str, String, String)>,
    version: String,
    errors: FieldErrors,
}

async fn edit_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    form: Option<TextForm>,
    errors: FieldErrors,
) -> AppResult<Page> {
    let Loaded { d, year, figures } = loaded(db, user, id).await?;
    sums::ensure(&user.actor, &d.row, Action::Edit)?;
    let stored = sums::sections_of(&d.row);
    let (sections, version) = match form {
        Some(f) => (
            stored
                .iter()
                .map(|(k, _)| {
                    (
                        *k,
                        format!("sum-section-{k}"),
                        f.sections.get(*k).cloned().unwrap_or_default(),
                    )
                })
                .collect(),
            f.version,
        ),
        None => (
            stored
                .into_iter()
                .map(|(k, v)| (k, format!("sum-section-{k}"), v))
                .collect(),
            d.row.version.to_string(),
        ),
    };
    render(&EditPage {
        year: ctx.year(&year),
        ctx,
        d,
        figures,
        sections,
        version,
        errors,
    })
}

#[get("/summaries/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    edit_page(ctx, db.inner(), &user, id, None, FieldErrors::new()).await
}

/// The sections as posted (by their keys), the version, and whether to submit after.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct EditForm {
    #[serde(flatten)]
    fields: BTreeMap<String, String>,
}

impl EditForm {
    fn text(&self) -> TextForm {
        TextForm {
            sections: self
                .fields
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "_csrf" | "version" | "then"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            version: self.fields.get("version").cloned().unwrap_or_default(),
        }
    }
}

#[post("/summaries/<id>/edit", data = "<form>")]
async fn update(
    ctx: Ctx,
    site: Site,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<EditForm>,
) -> FormResult {
    let db = db.inner();
    let mut text = form.0.text();
    let then = form.0.fields.get("then").cloned().unwrap_or_default();
    let saved = match sums::save(db, &user.actor, id, &text).await {
        Ok(row) => row,
        Err(e) => {
            return match e.field_errors() {
                Some(errors) => Ok(Err((
                    Status::UnprocessableEntity,
                    edit_page(ctx, db, &user, id, Some(text), errors).await?,
                ))),
                None => Err(e),
            };
        }
    };
    if then != "submit" {
        return Ok(Ok(Flash::success(
            Redirect::to(format!("/summaries/{id}/edit")),
            "flash-saved",
        )));
    }
    let step = StepForm {
        version: saved.version.to_string(),
        ..Default::default()
    };
    match sums::act(db, &user.actor, id, Action::Submit, &step, &site).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/summaries/{id}")),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => {
                text.version = saved.version.to_string();
                Ok(Err((
                    Status::UnprocessableEntity,
                    edit_page(ctx, db, &user, id, Some(text), errors).await?,
                )))
            }
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "summaries/show.html")]
struct ShowPage {
    ctx: Ctx,
    d: Row,
    year: String,
    figures: Vec<sums::FigureLine>,
    sections: Vec<(String, String)>,
    submitted_by: String,
    accepted_by: String,
    form: StepForm,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "summaries/print.html")]
struct PrintPage {
    ctx: Ctx,
    d: Row,
    year: String,
    figures: Vec<sums::FigureLine>,
    sections: Vec<(String, String)>,
    submitted_by: String,
    accepted_by: String,
}

/// The summary as a page shows it: its sections with their labels and who took each step.
async fn shown(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Loaded, Vec<(String, String)>, String, String)> {
    let l = loaded(db, user, id).await?;
    let people = crate::domain::names::users(
        db,
        [l.d.row.submitted_by, l.d.row.accepted_by]
            .into_iter()
            .flatten(),
    )
    .await?;
    let person = |id: Option<i64>| id.and_then(|i| people.get(&i).cloned()).unwrap_or_default();
    let sections = sums::sections_of(&l.d.row)
        .into_iter()
        .map(|(k, v)| (format!("sum-section-{k}"), v))
        .collect();
    let (s, a) = (person(l.d.row.submitted_by), person(l.d.row.accepted_by));
    Ok((l, sections, s, a))
}

async fn show_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    form: StepForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let (l, sections, submitted_by, accepted_by) = shown(db, user, id).await?;
    render(&ShowPage {
        year: ctx.year(&l.year),
        ctx,
        d: l.d,
        figures: l.figures,
        sections,
        submitted_by,
        accepted_by,
        form,
        errors,
    })
}

#[get("/summaries/<id>")]
async fn show(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    show_page(
        ctx,
        db.inner(),
        &user,
        id,
        StepForm::default(),
        FieldErrors::new(),
    )
    .await
}

/// The summary as an A4 paper form, for printing.
#[get("/summaries/<id>/print")]
async fn print(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let (l, sections, submitted_by, accepted_by) = shown(db.inner(), &user, id).await?;
    render(&PrintPage {
        year: ctx.year(&l.year),
        ctx,
        d: l.d,
        figures: l.figures,
        sections,
        submitted_by,
        accepted_by,
    })
}

#[post("/summaries/<id>/<action>", data = "<form>", rank = 2)]
async fn step(
    ctx: Ctx,
    site: Site,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    action: &str,
    form: CsrfForm<StepForm>,
) -> FormResult {
    let db = db.inner();
    let action = match Action::parse(action) {
        Some(a) if a != Action::Edit => a,
        _ => return Err(AppError::NotFound),
    };
    let form = form.0;
    match sums::act(db, &user.actor, id, action, &form, &site).await {
        // Returned to the author's draft, it is no longer the school's to see: back to
        // the list.
        Ok(row) if row.status == Stage::Draft && sums::get(db, &user.actor, id).await.is_err() => {
            Ok(Ok(Flash::success(
                Redirect::to("/summaries"),
                "flash-saved",
            )))
        }
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/summaries/{id}")),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                show_page(ctx, db, &user, id, form, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

pub fn routes() -> Vec<rocket::Route> {
    routes![index, new, create, edit, update, show, print, step]
}
