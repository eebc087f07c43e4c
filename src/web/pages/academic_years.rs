//! Academic year pages (学年): everyone signed in reads the list; the bureau adds, edits,
//! makes a year current and deletes (after a confirmation step).
use askama::Template;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::domain::academic_years::{self, YearForm, truthy};
use crate::entities::academic_years as year_rows;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::web::forms::CsrfForm;
use crate::web::guards::{BureauAdmin, Ctx, CurrentUser};
use crate::web::respond::FormResult;
use crate::web::respond::{Page, render};

#[derive(Template)]
#[template(path = "academic_years/index.html")]
struct IndexPage {
    ctx: Ctx,
    years: Vec<year_rows::Model>,
}

#[get("/academic-years")]
async fn index(ctx: Ctx, db: &State<DatabaseConnection>, _user: CurrentUser) -> AppResult<Page> {
    let years = academic_years::list(db.inner()).await?;
    render(&IndexPage { ctx, years })
}

#[derive(Template)]
#[template(path = "academic_years/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: YearForm,
    errors: FieldErrors,
}

impl FormPage {
    fn is_current(&self) -> bool {
        truthy(&self.form.is_current)
    }
}

fn form_page(ctx: Ctx, id: Option<i64>, form: YearForm, errors: FieldErrors) -> AppResult<Page> {
    render(&FormPage {
        ctx,
        id,
        form,
        errors,
    })
}

/// A suggestion for the next year: the day after the latest year ends, or 1 September.
fn suggestion(years: &[year_rows::Model]) -> YearForm {
    let starts = match years.iter().map(|y| y.ends_on).max() {
        Some(last) => last + Duration::days(1),
        None => {
            let today = Utc::now().date_naive();
            let year = if today.month() >= 8 {
                today.year()
            } else {
                today.year() - 1
            };
            NaiveDate::from_ymd_opt(year, 9, 1).unwrap_or(today)
        }
    };
    let ends = NaiveDate::from_ymd_opt(starts.year() + 1, starts.month(), starts.day())
        .map(|d| d - Duration::days(1))
        .unwrap_or(starts + Duration::days(364));
    YearForm {
        name: format!("{}-{}", starts.year(), starts.year() + 1),
        starts_on: starts.to_string(),
        second_term_starts_on: String::new(),
        ends_on: ends.to_string(),
        is_current: String::new(),
        secondments_planned: String::new(),
    }
}

#[get("/academic-years/new")]
async fn new(ctx: Ctx, db: &State<DatabaseConnection>, _guard: BureauAdmin) -> AppResult<Page> {
    let years = academic_years::list(db.inner()).await?;
    form_page(ctx, None, suggestion(&years), FieldErrors::new())
}

#[post("/academic-years", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    form: CsrfForm<YearForm>,
) -> FormResult {
    let form = form.0;
    match academic_years::create(db.inner(), &user.actor, &form).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/academic-years"),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, None, form, errors)?,
            ))),
            None => Err(e),
        },
    }
}

#[get("/academic-years/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    _guard: BureauAdmin,
    id: i64,
) -> AppResult<Page> {
    let year = academic_years::get(db.inner(), id).await?;
    form_page(
        ctx,
        Some(id),
        YearForm::from_model(&year),
        FieldErrors::new(),
    )
}

#[post("/academic-years/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<YearForm>,
) -> FormResult {
    let form = form.0;
    match academic_years::update(db.inner(), &user.actor, id, &form).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/academic-years"),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, Some(id), form, errors)?,
            ))),
            None => Err(e),
        },
    }
}

#[post("/academic-years/<id>/make-current", data = "<_form>")]
async fn make_current(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    academic_years::make_current(db.inner(), &user.actor, id).await?;
    Ok(Flash::success(
        Redirect::to("/academic-years"),
        "flash-year-current",
    ))
}

#[derive(Template)]
#[template(path = "academic_years/delete.html")]
struct DeletePage {
    ctx: Ctx,
    year: year_rows::Model,
    errors: FieldErrors,
}

/// The confirmation step before deleting.
#[get("/academic-years/<id>/delete")]
async fn confirm_delete(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    _guard: BureauAdmin,
    id: i64,
) -> AppResult<Page> {
    let year = academic_years::get(db.inner(), id).await?;
    render(&DeletePage {
        ctx,
        year,
        errors: FieldErrors::new(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeleteForm {
    confirm: String,
}

#[post("/academic-years/<id>/delete", data = "<form>")]
async fn delete(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    id: i64,
    form: CsrfForm<DeleteForm>,
) -> FormResult {
    let user = guard.0;
    let year = academic_years::get(db.inner(), id).await?;
    if !truthy(&form.0.confirm) {
        let mut errors = FieldErrors::new();
        errors.add("confirm", Msg::new("err-confirm"));
        return Ok(Err((
            Status::UnprocessableEntity,
            render(&DeletePage { ctx, year, errors })?,
        )));
    }
    match academic_years::delete(db.inner(), &user.actor, id).await {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to("/academic-years"),
            "flash-deleted",
        ))),
        // The current year, or one that records use: the page says why, with the counts.
        Err(AppError::Conflict { msg, .. }) => {
            let mut errors = FieldErrors::new();
            errors.add("year", msg);
            Ok(Err((
                Status::Conflict,
                render(&DeletePage { ctx, year, errors })?,
            )))
        }
        Err(e) => Err(e),
    }
}

/// Non-numeric year ids are plain 404s.
#[get("/academic-years/<_id>/<_page>", rank = 5)]
fn not_a_number(_id: &str, _page: &str) -> AppError {
    AppError::NotFound
}

#[post("/academic-years/<_id>", rank = 5)]
fn not_a_number_update(_id: &str) -> AppError {
    AppError::NotFound
}

#[post("/academic-years/<_id>/<_action>", rank = 5)]
fn not_a_number_post(_id: &str, _action: &str) -> AppError {
    AppError::NotFound
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        index,
        new,
        create,
        edit,
        update,
        make_current,
        confirm_delete,
        delete,
        not_a_number,
        not_a_number_update,
        not_a_number_post
    ]
}
