//! Teacher pages: the roster with search, filters and sorting; a teacher's profile;
//! adding, editing (a teacher edits only their own phone and e-mail), deactivating.
use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::de::IgnoredAny;

use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::schools;
use crate::domain::teachers::{self, TeacherFilter, TeacherForm, TeacherSort, TeacherView};
use crate::domain::types::Title;
use crate::domain::users;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser, Staff};
use crate::web::pages::exports::TeacherParams;
use crate::web::respond::FormResult;
use crate::web::respond::{Page, render};

/// The list's query string, kept as typed so the filter form shows it back.
#[derive(Debug, Clone, Default)]
pub struct TeacherQuery {
    pub q: String,
    pub school_id: String,
    pub district: String,
    pub subject: String,
    pub title: String,
    pub sort: String,
    pub dir: String,
    pub inactive: bool,
}

impl TeacherQuery {
    pub fn filter(&self) -> TeacherFilter {
        TeacherFilter {
            q: self.q.clone(),
            school_id: self.school_id.trim().parse::<i64>().ok(),
            district: self.district.clone(),
            subject: self.subject.clone(),
            title: Title::parse(&self.title),
            include_inactive: self.inactive,
            sort: TeacherSort::parse(&self.sort),
            descending: self.dir == "desc",
        }
    }
}

#[derive(Template)]
#[template(path = "teachers/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: TeacherQuery,
    school_name: Option<String>,
    districts: Vec<String>,
    page: Paged<TeacherView>,
}

#[get("/teachers?<params..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    guard: Staff,
    params: TeacherParams,
) -> AppResult<Page> {
    let user = guard.0;
    let request = PageRequest::parse_lenient(params.page.as_deref(), params.per_page.as_deref());
    let query = params.query();
    let page = teachers::list(db.inner(), &user.actor, &query.filter(), request).await?;
    // The list is filtered by one school when coming from that school's page; the filter
    // shows its name instead of a select of every school (thousands in a province).
    let school_name = match query.school_id.trim().parse::<i64>() {
        Ok(id) => schools::get(db.inner(), &user.actor, id)
            .await
            .ok()
            .map(|s| s.name),
        Err(_) => None,
    };
    let districts = schools::districts(db.inner()).await?;
    render(&IndexPage {
        ctx,
        query,
        school_name,
        districts,
        page,
    })
}

#[derive(Template)]
#[template(path = "teachers/show.html")]
struct ShowPage {
    ctx: Ctx,
    teacher: TeacherView,
    can_edit: bool,
    can_manage: bool,
    /// Bureau only: the bound account's id and e-mail, or `None` (then a link to open one).
    account: Option<(i64, String)>,
    secondments: Vec<crate::domain::secondments::SecondmentRow>,
}

#[get("/teachers/<id>")]
async fn show(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let actor = &user.actor;
    let teacher = teachers::get_view(db.inner(), actor, id).await?;
    let can_manage = policy::allows(
        actor.role,
        Subject::Teacher,
        Act::Manage,
        policy::to_school(actor, teacher.school_id),
    );
    let account = if policy::allows_some(actor.role, Subject::User, Act::Read) {
        users::find_by_teacher(db.inner(), id)
            .await?
            .map(|u| (u.id, u.email))
    } else {
        None
    };
    let secondments = crate::domain::secondments::of_teacher(db.inner(), actor, id).await?;
    render(&ShowPage {
        ctx,
        secondments,
        can_edit: can_manage || actor.is_teacher_self(id),
        can_manage,
        account,
        teacher,
    })
}

#[derive(Template)]
#[template(path = "teachers/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: TeacherForm,
    errors: FieldErrors,
    /// Active schools for the school select (bureau).
    schools: Vec<(i64, String)>,
    /// A school admin's own school, shown instead of the select.
    fixed_school: Option<String>,
    /// A teacher editing their own record: only phone and e-mail.
    self_edit: bool,
    /// The teacher's name, for the heading of an edit page.
    name: String,
}

/// The form page for this actor: a school admin's school is fixed, a teacher sees only
/// their contacts.
async fn form_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    actor: &Actor,
    id: Option<i64>,
    form: TeacherForm,
    errors: FieldErrors,
    name: String,
) -> AppResult<Page> {
    let self_edit = id.is_some_and(|i| actor.is_teacher_self(i));
    let mut schools = Vec::new();
    let mut fixed_school = None;
    if !self_edit {
        if policy::everywhere(actor, Subject::Teacher, Act::Manage) {
            schools = schools::choices(db).await?;
            // A teacher of a deactivated school keeps it selectable on their edit page.
            if let Ok(current) = form.school_id.trim().parse::<i64>()
                && !schools.iter().any(|(i, _)| *i == current)
                && let Ok(s) = schools::get(db, actor, current).await
            {
                schools.push((s.id, s.name));
            }
        } else if let Some(own) = actor.school_id {
            fixed_school = Some(schools::get(db, actor, own).await?.name);
        }
    }
    render(&FormPage {
        ctx,
        id,
        form,
        errors,
        schools,
        fixed_school,
        self_edit,
        name,
    })
}

#[get("/teachers/new?<school_id>")]
async fn new(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    staff: Staff,
    school_id: Option<String>,
) -> AppResult<Page> {
    let actor = &staff.0.actor;
    let mut form = TeacherForm::default();
    if policy::everywhere(actor, Subject::Teacher, Act::Manage) {
        if let Some(id) = school_id.and_then(|s| s.trim().parse::<i64>().ok()) {
            form.school_id = id.to_string();
        }
    } else {
        let own = actor.school_id.ok_or(AppError::Forbidden)?;
        form.school_id = own.to_string();
    }
    form_page(
        ctx,
        db,
        actor,
        None,
        form,
        FieldErrors::new(),
        String::new(),
    )
    .await
}

#[post("/teachers", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    form: CsrfForm<TeacherForm>,
) -> FormResult {
    let form = form.0;
    match teachers::create(db.inner(), &user.actor, &form).await {
        Ok(t) => Ok(Ok(Flash::success(
            Redirect::to(format!("/teachers/{}", t.id)),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, &user.actor, None, form, errors, String::new()).await?,
            ))),
            None => Err(e),
        },
    }
}

#[get("/teachers/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let actor = &user.actor;
    let teacher = teachers::get(db.inner(), actor, id).await?;
    if !actor.is_teacher_self(id) {
        policy::require(
            actor,
            Subject::Teacher,
            Act::Manage,
            policy::to_school(actor, teacher.school_id),
        )?;
    }
    let name = teacher.name.clone();
    form_page(
        ctx,
        db,
        actor,
        Some(id),
        TeacherForm::from_model(&teacher),
        FieldErrors::new(),
        name,
    )
    .await
}

#[post("/teachers/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<TeacherForm>,
) -> FormResult {
    let form = form.0;
    let actor = &user.actor;
    match teachers::update(db.inner(), actor, id, &form).await {
        Ok(t) => Ok(Ok(Flash::success(
            Redirect::to(format!("/teachers/{}", t.id)),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => {
                let name = teachers::get(db.inner(), actor, id).await?.name;
                Ok(Err((
                    Status::UnprocessableEntity,
                    form_page(ctx, db, actor, Some(id), form, errors, name).await?,
                )))
            }
            None => Err(e),
        },
    }
}

#[post("/teachers/<id>/deactivate", data = "<_form>")]
async fn deactivate(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    teachers::set_active(db.inner(), &user.actor, id, false).await?;
    Ok(Flash::success(
        Redirect::to(format!("/teachers/{id}")),
        "flash-deactivated",
    ))
}

#[post("/teachers/<id>/reactivate", data = "<_form>")]
async fn reactivate(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    teachers::set_active(db.inner(), &user.actor, id, true).await?;
    Ok(Flash::success(
        Redirect::to(format!("/teachers/{id}")),
        "flash-reactivated",
    ))
}

/// Teacher ids in paths that are not numbers are plain 404s.
#[get("/teachers/<_id>", rank = 5)]
fn not_a_number(_id: &str) -> AppError {
    AppError::NotFound
}

#[get("/teachers/<_id>/edit", rank = 5)]
fn not_a_number_edit(_id: &str) -> AppError {
    AppError::NotFound
}

#[post("/teachers/<_id>", rank = 5)]
fn not_a_number_update(_id: &str) -> AppError {
    AppError::NotFound
}

#[post("/teachers/<_id>/<_action>", rank = 5)]
fn not_a_number_post(_id: &str, _action: &str) -> AppError {
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
        not_a_number,
        not_a_number_edit,
        not_a_number_update,
        not_a_number_post
    ]
}
