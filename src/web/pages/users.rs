//! The bureau's user administration: list, create (with a password, or an invitation
//! mail), edit, deactivate and reactivate, send a password-reset mail.
use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::de::IgnoredAny;

use crate::domain::context::Context;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::types::Role;
use crate::domain::users::{self, UserFilter, UserForm, UserRow};
use crate::domain::{schools, teachers};
use crate::entities::users as user_rows;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{BureauAdmin, Ctx};
use crate::web::pick::{self, TeacherPick};
use crate::web::respond::FormResult;
use crate::web::respond::{Page, render};

#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub q: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "users/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: UserQuery,
    page: Paged<UserRow>,
}

#[get("/users?<q>&<role>&<page>&<per_page>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    admin: BureauAdmin,
    q: Option<String>,
    role: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
) -> AppResult<Page> {
    let query = UserQuery {
        q: q.unwrap_or_default(),
        role: role.unwrap_or_default(),
    };
    let filter = UserFilter {
        q: query.q.clone(),
        role: Role::parse(&query.role),
        school_id: None,
    };
    let request = PageRequest::parse_lenient(page.as_deref(), per_page.as_deref());
    let page = users::list_rows(db.inner(), &admin.0.actor, &filter, request).await?;
    render(&IndexPage { ctx, query, page })
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    ctx: Ctx,
    /// The account being edited (`None` on the new-user page).
    user: Option<user_rows::Model>,
    form: UserForm,
    errors: FieldErrors,
    schools: Vec<(i64, String)>,
    /// The teacher bound to the account, chosen by name.
    teacher: TeacherPick,
    /// The bureau admin is editing their own account (no deactivation, no role change).
    is_self: bool,
}

async fn form_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    admin: &BureauAdmin,
    user: Option<user_rows::Model>,
    form: UserForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let page = PageForm {
        form,
        teacher_q: String::new(),
    };
    let mut ignored = FieldErrors::new();
    let (form, teacher) = page.pick(db, admin, &mut ignored).await?;
    form_page_with(ctx, db, admin, user, form, errors, teacher).await
}

/// The page's form: the account's fields and the teacher's search box.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PageForm {
    #[serde(flatten)]
    pub form: UserForm,
    #[serde(default, deserialize_with = "crate::domain::types::de::loose_string")]
    pub teacher_q: String,
}

impl PageForm {
    /// Resolves the teacher's search box into the teacher's id.
    async fn pick(
        mut self,
        db: &DatabaseConnection,
        admin: &BureauAdmin,
        errors: &mut FieldErrors,
    ) -> AppResult<(UserForm, TeacherPick)> {
        let pick = pick::teacher(
            db,
            &admin.0.actor,
            &self.teacher_q,
            &mut self.form.teacher_id,
            "teacher_id",
            errors,
        )
        .await?;
        Ok((self.form, pick))
    }
}

async fn form_page_with(
    ctx: Ctx,
    db: &DatabaseConnection,
    admin: &BureauAdmin,
    user: Option<user_rows::Model>,
    form: UserForm,
    errors: FieldErrors,
    teacher: TeacherPick,
) -> AppResult<Page> {
    let actor = &admin.0.actor;
    let mut schools = schools::choices(db).await?;
    if let Ok(current) = form.school_id.trim().parse::<i64>()
        && !schools.iter().any(|(i, _)| *i == current)
        && let Ok(s) = schools::get(db, actor, current).await
    {
        schools.push((s.id, s.name));
    }
    let is_self = user.as_ref().is_some_and(|u| u.id == actor.user_id);
    render(&FormPage {
        ctx,
        user,
        form,
        errors,
        schools,
        teacher,
        is_self,
    })
}

fn form_of(user: &user_rows::Model) -> UserForm {
    UserForm {
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role.clone(),
        school_id: user.school_id.map(|i| i.to_string()).unwrap_or_default(),
        teacher_id: user.teacher_id.map(|i| i.to_string()).unwrap_or_default(),
        password: String::new(),
    }
}

/// `?teacher_id=` (the "open an account" link of a teacher's page) fills in the teacher.
#[get("/users/new?<teacher_id>")]
async fn new(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    admin: BureauAdmin,
    teacher_id: Option<String>,
) -> AppResult<Page> {
    let mut form = UserForm::default();
    if let Some(tid) = teacher_id.and_then(|s| s.trim().parse::<i64>().ok())
        && let Ok(t) = teachers::get(db.inner(), &admin.0.actor, tid).await
    {
        form.role = Role::Teacher.as_str().to_string();
        form.teacher_id = t.id.to_string();
        form.school_id = t.school_id.to_string();
        form.name = t.name;
        form.email = t.email;
    }
    form_page(ctx, db, &admin, None, form, FieldErrors::new()).await
}

#[post("/users", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    context: Context,
    admin: BureauAdmin,
    form: CsrfForm<PageForm>,
) -> FormResult {
    let mut errors = FieldErrors::new();
    let (form, teacher) = form.0.pick(db.inner(), &admin, &mut errors).await?;
    if !errors.is_empty() {
        let page = form_page_with(ctx, db, &admin, None, form, errors, teacher).await?;
        return Ok(Err((Status::UnprocessableEntity, page)));
    }
    match users::create(db.inner(), &admin.0.actor, &form, &context).await {
        Ok(u) => {
            let to = format!(
                "/users?q={}",
                url::form_urlencoded::byte_serialize(u.email.as_bytes()).collect::<String>()
            );
            if form.password.is_empty() {
                Ok(Ok(Flash::success(Redirect::to(to), "flash-user-invited")))
            } else {
                Ok(Ok(Flash::success(Redirect::to(to), "flash-saved")))
            }
        }
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, &admin, None, form, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

#[get("/users/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    admin: BureauAdmin,
    id: i64,
) -> AppResult<Page> {
    let user = users::get(db.inner(), id).await?;
    let form = form_of(&user);
    form_page(ctx, db, &admin, Some(user), form, FieldErrors::new()).await
}

#[post("/users/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    admin: BureauAdmin,
    id: i64,
    form: CsrfForm<PageForm>,
) -> FormResult {
    let mut errors = FieldErrors::new();
    let (form, teacher) = form.0.pick(db.inner(), &admin, &mut errors).await?;
    if !errors.is_empty() {
        let user = users::get(db.inner(), id).await?;
        let page = form_page_with(ctx, db, &admin, Some(user), form, errors, teacher).await?;
        return Ok(Err((Status::UnprocessableEntity, page)));
    }
    match users::update(db.inner(), &admin.0.actor, id, &form).await {
        Ok(u) => Ok(Ok(Flash::success(
            Redirect::to(format!("/users/{}/edit", u.id)),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => {
                let user = users::get(db.inner(), id).await?;
                Ok(Err((
                    Status::UnprocessableEntity,
                    form_page(ctx, db, &admin, Some(user), form, errors).await?,
                )))
            }
            None => Err(e),
        },
    }
}

/// A refused action on the edit page (e.g. deactivating oneself) comes back as a flash.
fn back(id: i64, result: AppResult<()>, success: &'static str) -> AppResult<Flash<Redirect>> {
    let to = Redirect::to(format!("/users/{id}/edit"));
    match result {
        Ok(()) => Ok(Flash::success(to, success)),
        Err(AppError::Conflict { msg, .. }) => Ok(Flash::error(to, msg.key)),
        Err(e) => Err(e),
    }
}

#[post("/users/<id>/deactivate", data = "<_form>")]
async fn deactivate(
    db: &State<DatabaseConnection>,
    admin: BureauAdmin,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    let result = users::set_active(db.inner(), &admin.0.actor, id, false).await;
    back(id, result.map(|_| ()), "flash-deactivated")
}

#[post("/users/<id>/reactivate", data = "<_form>")]
async fn reactivate(
    db: &State<DatabaseConnection>,
    admin: BureauAdmin,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    let result = users::set_active(db.inner(), &admin.0.actor, id, true).await;
    back(id, result.map(|_| ()), "flash-reactivated")
}

#[post("/users/<id>/send-reset", data = "<_form>")]
async fn send_reset(
    db: &State<DatabaseConnection>,
    context: Context,
    admin: BureauAdmin,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    let result = users::send_reset(db.inner(), &admin.0.actor, id, &context).await;
    back(id, result, "flash-reset-sent")
}

/// There is no separate page of an account: its edit page shows everything.
#[get("/users/<id>")]
fn show(_admin: BureauAdmin, id: i64) -> Redirect {
    Redirect::to(format!("/users/{id}/edit"))
}

/// Non-numeric user ids are plain 404s (after the bureau check: others get 403).
#[get("/users/<_id>", rank = 5)]
fn not_a_number(_admin: BureauAdmin, _id: &str) -> AppError {
    AppError::NotFound
}

#[get("/users/<_id>/edit", rank = 5)]
fn not_a_number_edit(_admin: BureauAdmin, _id: &str) -> AppError {
    AppError::NotFound
}

#[post("/users/<_id>", rank = 5)]
fn not_a_number_update(_admin: BureauAdmin, _id: &str) -> AppError {
    AppError::NotFound
}

#[post("/users/<_id>/<_action>", rank = 5)]
fn not_a_number_post(_admin: BureauAdmin, _id: &str, _action: &str) -> AppError {
    AppError::NotFound
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        index,
        new,
        create,
        edit,
        update,
        deactivate,
        reactivate,
        send_reset,
        show,
        not_a_number,
        not_a_number_edit,
        not_a_number_update,
        not_a_number_post
    ]
}
