//! School pages: list with search, filters and sorting; detail with the school's
//! teachers; create, edit, deactivate.
use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::de::IgnoredAny;

use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::schools::{self, SchoolFilter, SchoolForm, SchoolSort};
use crate::domain::teachers::{self, TeacherView};
use crate::domain::types::{SchoolKind, Stage};
use crate::entities::schools as school_rows;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser};
use crate::web::pages::exports::SchoolParams;
use crate::web::respond::FormResult;
use crate::web::respond::{Page, render};

/// The list's query string, kept as typed so the form shows it back.
#[derive(Debug, Clone, Default)]
pub struct SchoolQuery {
    pub q: String,
    pub kind: String,
    pub stage: String,
    pub district: String,
    pub sort: String,
    pub dir: String,
    pub inactive: bool,
}

impl SchoolQuery {
    pub fn filter(&self) -> SchoolFilter {
        SchoolFilter {
            q: self.q.clone(),
            kind: SchoolKind::parse(&self.kind),
            stage: Stage::parse(&self.stage),
            district: self.district.clone(),
            include_inactive: self.inactive,
            sort: SchoolSort::parse(&self.sort),
            descending: self.dir == "desc",
        }
    }
}

#[derive(Template)]
#[template(path = "schools/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: SchoolQuery,
    districts: Vec<String>,
    page: Paged<school_rows::Model>,
}

#[get("/schools?<params..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    params: SchoolParams,
) -> AppResult<Page> {
    let request = PageRequest::parse_lenient(params.page.as_deref(), params.per_page.as_deref());
    let query = params.query();
    let page = schools::list(db.inner(), &user.actor, &query.filter(), request).await?;
    let districts = schools::districts(db.inner()).await?;
    render(&IndexPage {
        ctx,
        query,
        districts,
        page,
    })
}

#[derive(Template)]
#[template(path = "schools/show.html")]
struct ShowPage {
    ctx: Ctx,
    school: school_rows::Model,
    teachers: Vec<TeacherView>,
    can_edit: bool,
}

#[get("/schools/<id>")]
async fn show(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let school = schools::get(db.inner(), &user.actor, id).await?;
    let teachers = if policy::allows_some(user.actor.role, Subject::Teacher, Act::List) {
        teachers::of_school(db.inner(), &user.actor, id).await?
    } else {
        Vec::new()
    };
    render(&ShowPage {
        ctx,
        can_edit: policy::allows(
            user.actor.role,
            Subject::School,
            Act::Write,
            policy::to_school(&user.actor, id),
        ),
        school,
        teachers,
    })
}

#[derive(Template)]
#[template(path = "schools/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: SchoolForm,
    errors: FieldErrors,
}

fn form_page(ctx: Ctx, id: Option<i64>, form: SchoolForm, errors: FieldErrors) -> AppResult<Page> {
    render(&FormPage {
        ctx,
        id,
        form,
        errors,
    })
}

#[get("/schools/new")]
fn new(ctx: Ctx, user: CurrentUser) -> AppResult<Page> {
    policy::require_some(&user.actor, Subject::School, Act::Manage)?;
    form_page(ctx, None, SchoolForm::default(), FieldErrors::new())
}

#[post("/schools", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    form: CsrfForm<SchoolForm>,
) -> FormResult {
    let form = form.0;
    match schools::create(db.inner(), &user.actor, &form).await {
        Ok(s) => Ok(Ok(Flash::success(
            Redirect::to(format!("/schools/{}", s.id)),
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

#[get("/schools/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    schools::may_edit(&user.actor, id)?;
    let school = schools::get(db.inner(), &user.actor, id).await?;
    form_page(
        ctx,
        Some(id),
        SchoolForm::from_model(&school),
        FieldErrors::new(),
    )
}

#[post("/schools/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<SchoolForm>,
) -> FormResult {
    let form = form.0;
    match schools::update(db.inner(), &user.actor, id, &form).await {
        Ok(s) => Ok(Ok(Flash::success(
            Redirect::to(format!("/schools/{}", s.id)),
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

#[post("/schools/<id>/deactivate", data = "<_form>")]
async fn deactivate(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    schools::set_active(db.inner(), &user.actor, id, false).await?;
    Ok(Flash::success(
        Redirect::to(format!("/schools/{id}")),
        "flash-deactivated",
    ))
}

#[post("/schools/<id>/reactivate", data = "<_form>")]
async fn reactivate(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    schools::set_active(db.inner(), &user.actor, id, true).await?;
    Ok(Flash::success(
        Redirect::to(format!("/schools/{id}")),
        "flash-reactivated",
    ))
}

/// Unknown school ids in paths that are not numbers are plain 404s.
#[get("/schools/<_id>", rank = 5)]
fn not_a_number(_id: &str) -> AppError {
    AppError::NotFound
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        index,
        show,
        new,
        create,
        edit,
        update,
        deactivate,
        reactivate,
        not_a_number
    ]
}
