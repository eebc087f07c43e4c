//! Secondment pages (支教 / 轮岗): the list with filters and person-times per batch and
//! year; create, edit, delete (bureau and the dispatching school's admin).
use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::de::IgnoredAny;

use crate::domain::academic_years;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::schools;
use crate::domain::secondments::{
    self, SecondmentFilter, SecondmentForm, SecondmentRow, Term, YearCount,
};
use crate::domain::teachers;
use crate::entities::academic_years as year_rows;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser, Staff};
use crate::web::respond::FormResult;
use crate::web::respond::{Page, render};

/// The list's query string, kept as typed.
#[derive(Debug, Clone, Default, rocket::FromForm)]
pub struct SecondmentQuery {
    #[field(default = String::new())]
    pub year: String,
    #[field(default = String::new())]
    pub batch: String,
    #[field(default = String::new())]
    pub from: String,
    #[field(default = String::new())]
    pub to: String,
    #[field(default = String::new())]
    pub q: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl SecondmentQuery {
    fn filter(&self) -> SecondmentFilter {
        SecondmentFilter {
            academic_year_id: self.year.trim().parse().ok(),
            batch: self.batch.trim().parse().ok(),
            from_school_id: self.from.trim().parse().ok(),
            to_school_id: self.to.trim().parse().ok(),
            teacher_id: None,
            q: self.q.clone(),
            between: None,
        }
    }
}

#[derive(Template)]
#[template(path = "secondments/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: SecondmentQuery,
    years: Vec<year_rows::Model>,
    schools: Vec<(i64, String)>,
    counts: Vec<YearCount>,
    page: Paged<SecondmentRow>,
}

#[get("/secondments?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: SecondmentQuery,
) -> AppResult<Page> {
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    let filter = query.filter();
    let page = secondments::list_rows(db.inner(), &user.actor, &filter, request).await?;
    let counts = secondments::person_times(db.inner(), &user.actor, &filter).await?;
    render(&IndexPage {
        ctx,
        query,
        years: academic_years::list(db.inner()).await?,
        schools: schools::choices(db.inner()).await?,
        counts,
        page,
    })
}

#[derive(Template)]
#[template(path = "secondments/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: SecondmentForm,
    errors: FieldErrors,
    years: Vec<(String, String)>,
    schools: Vec<(String, String)>,
    /// A school admin picks among their own teachers; the bureau types the number.
    teachers: Option<Vec<(String, String)>>,
    terms: Vec<(&'static str, String)>,
}

async fn form_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: Option<i64>,
    form: SecondmentForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let years = academic_years::list(db)
        .await?
        .into_iter()
        .map(|y| (y.id.to_string(), ctx.year(&y.name)))
        .collect();
    let schools = schools::choices(db)
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    // A school admin picks among their own school's teachers; the bureau types an id.
    let own_school = user
        .actor
        .school_id
        .filter(|_| !policy::everywhere(&user.actor, Subject::Secondment, Act::Manage));
    let teachers = match own_school {
        Some(school) => Some(
            teachers::of_school(db, &user.actor, school)
                .await?
                .into_iter()
                .filter(|t| t.is_active)
                .map(|t| (t.id.to_string(), format!("{} ({})", t.name, t.staff_no)))
                .collect(),
        ),
        _ => None,
    };
    render(&FormPage {
        ctx,
        id,
        form,
        errors,
        years,
        schools,
        teachers,
        terms: Term::options(),
    })
}

#[get("/secondments/new?<teacher_id>")]
async fn new(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    guard: Staff,
    teacher_id: Option<i64>,
) -> AppResult<Page> {
    let user = guard.0;
    let mut form = SecondmentForm {
        batch: "1".into(),
        ..Default::default()
    };
    if let Some(s) = user
        .actor
        .school_id
        .filter(|_| !policy::everywhere(&user.actor, Subject::Secondment, Act::Manage))
    {
        form.from_school_id = s.to_string();
    }
    if let Some(tid) = teacher_id
        && let Ok(t) = teachers::get(db.inner(), &user.actor, tid).await
    {
        form.teacher_id = t.id.to_string();
        form.from_school_id = t.school_id.to_string();
    }
    if let Ok(Some(y)) = academic_years::current(db.inner()).await {
        form.academic_year_id = y.id.to_string();
    }
    form_page(ctx, db, &user, None, form, FieldErrors::new()).await
}

#[post("/secondments", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    form: CsrfForm<SecondmentForm>,
) -> FormResult {
    let form = form.0;
    match secondments::create(db.inner(), &user.actor, &form).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/secondments"),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, &user, None, form, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

#[get("/secondments/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let row = secondments::get(db.inner(), &user.actor, id).await?;
    if !secondments::can_edit(&user.actor, &row) {
        return Err(AppError::Forbidden);
    }
    form_page(
        ctx,
        db,
        &user,
        Some(id),
        SecondmentForm::from_model(&row),
        FieldErrors::new(),
    )
    .await
}

#[post("/secondments/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<SecondmentForm>,
) -> FormResult {
    let form = form.0;
    match secondments::update(db.inner(), &user.actor, id, &form).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/secondments"),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, &user, Some(id), form, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

#[post("/secondments/<id>/delete", data = "<_form>")]
async fn delete(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    secondments::delete(db.inner(), &user.actor, id).await?;
    Ok(Flash::success(
        Redirect::to("/secondments"),
        "flash-deleted",
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![index, new, create, edit, update, delete]
}
