//! Training week pages (跟岗培训): the list with attendance counts and filters, where the
//! host school confirms each week attended or missed; the schedule form on a school
//! pairing that plans a term's weeks for the chosen teachers.
use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{FromForm, State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::domain::academic_years;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::school_pairings;
use crate::domain::training::{
    self, Attendance, ScheduleForm, WeekAction, WeekFilter, WeekRow, WeekStatus,
};
use crate::domain::types::de::loose_string;
use crate::entities::academic_years as year_rows;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser};
use crate::web::respond::{FormResult, Page, render};

/// The list's query string, kept as typed.
#[derive(Debug, Clone, Default, FromForm)]
pub struct WeekQuery {
    #[field(default = String::new())]
    pub year: String,
    #[field(default = String::new())]
    pub term: String,
    #[field(default = String::new())]
    pub school: String,
    #[field(default = String::new())]
    pub district: String,
    #[field(default = String::new())]
    pub status: String,
    #[field(default = String::new())]
    pub school_pairing: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl WeekQuery {
    pub fn filter(&self) -> WeekFilter {
        WeekFilter {
            school_pairing_id: self.school_pairing.trim().parse().ok(),
            school_id: self.school.trim().parse().ok(),
            district: self.district.clone(),
            academic_year_id: self.year.trim().parse().ok(),
            term: self.term.trim().parse().ok().filter(|t| *t == 1 || *t == 2),
            status: WeekStatus::parse(&self.status),
            teachers: Vec::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "training/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: WeekQuery,
    years: Vec<year_rows::Model>,
    schools: Vec<(i64, String)>,
    districts: Vec<String>,
    statuses: Vec<(&'static str, String)>,
    attendance: Attendance,
    page: Paged<WeekRow>,
}

#[get("/training-weeks?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: WeekQuery,
) -> AppResult<Page> {
    let db = db.inner();
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    let filter = query.filter();
    let page = training::list_rows(db, &user.actor, &filter, request).await?;
    let attendance = training::attendance(db, &user.actor, &filter).await?;
    render(&IndexPage {
        ctx,
        years: academic_years::list(db).await?,
        schools: crate::domain::schools::filter_choices(db, filter.school_id).await?,
        districts: crate::domain::schools::districts(db).await?,
        statuses: WeekStatus::options(),
        attendance,
        query,
        page,
    })
}

#[derive(Template)]
#[template(path = "training/schedule.html")]
struct SchedulePage {
    ctx: Ctx,
    pairing_id: i64,
    host: String,
    guest: String,
    years: Vec<year_rows::Model>,
    teachers: Vec<(i64, String)>,
    form: ScheduleForm,
    errors: FieldErrors,
}

async fn schedule_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    pairing_id: i64,
    form: ScheduleForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let p = school_pairings::get(db, &user.actor, pairing_id).await?;
    let names = crate::domain::names::schools(db, [p.supporter_id, p.receiver_id]).await?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    render(&SchedulePage {
        ctx,
        pairing_id,
        host: name(p.supporter_id),
        guest: name(p.receiver_id),
        years: academic_years::list(db).await?,
        teachers: training::candidates(db, &p).await?,
        form,
        errors,
    })
}

#[get("/school-pairings/<id>/training-weeks/new")]
async fn new(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let p = school_pairings::get(db.inner(), &user.actor, id).await?;
    if !training::may_schedule(&user.actor, &p) {
        return Err(AppError::Forbidden);
    }
    let current = academic_years::current(db.inner()).await?;
    let form = ScheduleForm {
        academic_year_id: current.map(|y| y.id.to_string()).unwrap_or_default(),
        term: "1".into(),
        week_of_month: "1".into(),
        teacher_ids: Vec::new(),
    };
    schedule_page(ctx, db, &user, id, form, FieldErrors::new()).await
}

#[post("/school-pairings/<id>/training-weeks", data = "<form>")]
async fn schedule(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<ScheduleForm>,
) -> FormResult {
    let form = form.0;
    match training::schedule(db.inner(), &user.actor, id, &form).await {
        Ok(added) => Ok(Ok(Flash::success(
            Redirect::to(format!("/training-weeks?school_pairing={id}")),
            format!("week-flash-scheduled?count={added}"),
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                schedule_page(ctx, db, &user, id, form, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

/// A step's form: an optional note, and the list to go back to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct StepForm {
    #[serde(deserialize_with = "loose_string")]
    note: String,
    #[serde(deserialize_with = "loose_string")]
    back: String,
}

async fn step(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    action: WeekAction,
    form: StepForm,
) -> AppResult<Flash<Redirect>> {
    training::act(db, &user.actor, id, action, &form.note).await?;
    // Back to the list the button was on (only a path of this site's week list).
    let back = if form.back.starts_with("/training-weeks") && !form.back.contains("//") {
        form.back
    } else {
        "/training-weeks".to_string()
    };
    Ok(Flash::success(Redirect::to(back), "flash-saved"))
}

#[post("/training-weeks/<id>/attend", data = "<form>")]
async fn attend(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<StepForm>,
) -> AppResult<Flash<Redirect>> {
    step(db, &user, id, WeekAction::Attend, form.0).await
}

#[post("/training-weeks/<id>/miss", data = "<form>")]
async fn miss(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<StepForm>,
) -> AppResult<Flash<Redirect>> {
    step(db, &user, id, WeekAction::Miss, form.0).await
}

#[post("/training-weeks/<id>/reopen", data = "<form>")]
async fn reopen(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<StepForm>,
) -> AppResult<Flash<Redirect>> {
    step(db, &user, id, WeekAction::Reopen, form.0).await
}

#[post("/training-weeks/<id>/delete", data = "<form>")]
async fn delete(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<StepForm>,
) -> AppResult<Flash<Redirect>> {
    step(db, &user, id, WeekAction::Delete, form.0).await
}

/// The weeks of the list page's filter as `.xlsx`.
#[get("/training-weeks/export.xlsx?<query..>")]
async fn export(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    lang: crate::i18n::Lang,
    query: WeekQuery,
) -> AppResult<crate::web::pages::exports::Download> {
    use crate::domain::exports::{self, FileFormat};
    let bytes = exports::training_weeks(db.inner(), &user.actor, &query.filter(), lang).await?;
    Ok(crate::web::pages::exports::Download {
        bytes,
        format: FileFormat::Xlsx,
        file_name: exports::file_name("training", FileFormat::Xlsx),
    })
}

pub fn routes() -> Vec<rocket::Route> {
    routes![index, new, schedule, attend, miss, reopen, delete, export]
}
