//! Reflection pages (教学反思): the mentee writes one (optionally about an observation),
//! both sides comment, the author edits; the list with filters. A reflection posted after
//! the session expired is kept and restored on the form after signing in again.
use askama::Template;

use crate::domain::access::Visible;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::context::Context;
use crate::domain::pairing_lifecycle::{self as lifecycle, Action};
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde::Deserialize;

use crate::domain::observations::CommentView;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::reflections::{self as refl, Heading, ReflectionForm};
use crate::domain::types::de::loose_string;
use crate::domain::{academic_years, observations, schools, teacher_pairings as tp};
use crate::entities::{academic_years as years, reflections, teacher_pairings as pairings};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::drafts;
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser, TeacherUser, UserOrLapsed};
use crate::web::respond::FormResult;
use crate::web::respond::{Page, render};

#[derive(Template)]
#[template(path = "reflections/form.html")]
struct FormPage {
    ctx: Ctx,
    pairing: pairings::Model,
    id: Option<i64>,
    form: ReflectionForm,
    errors: FieldErrors,
    /// Observations of the pairing to choose from: (id, text).
    observations: Vec<(i64, String)>,
    /// The text was restored after the session had expired.
    restored: bool,
    /// The observation this reflection is about, fixed once saved: (id, text).
    fixed_link: Option<(i64, String)>,
    /// After a stale save: the reflection as it is saved now, shown above the typed text.
    saved: Option<reflections::Model>,
}

/// The form page, for a caller that adds to it before it is rendered.
async fn form_view(
    ctx: Ctx,
    db: &DatabaseConnection,
    pairing: Visible<pairings::Model>,
    id: Option<i64>,
    form: ReflectionForm,
    errors: FieldErrors,
    restored: bool,
) -> AppResult<FormPage> {
    let observations: Vec<(i64, String)> = observations::of_pairing(db, &pairing)
        .await?
        .into_iter()
        .map(|o| {
            (
                o.row.id,
                format!(
                    "{} · {} · {}",
                    o.row.observed_on, o.row.topic, o.observer_name
                ),
            )
        })
        .collect();
    let linked = match id {
        Some(id) => reflections::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|r| r.observation_id),
        None => None,
    };
    let fixed_link = linked.and_then(|o| {
        observations
            .iter()
            .find(|(id, _): &&(i64, String)| *id == o)
            .cloned()
    });
    Ok(FormPage {
        ctx,
        pairing: pairing.into_inner(),
        id,
        form,
        errors,
        observations,
        restored,
        fixed_link,
        saved: None,
    })
}

async fn form_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    pairing: Visible<pairings::Model>,
    id: Option<i64>,
    form: ReflectionForm,
    errors: FieldErrors,
    restored: bool,
) -> AppResult<Page> {
    render(&form_view(ctx, db, pairing, id, form, errors, restored).await?)
}

fn form_of(pairs: &[(String, String)]) -> ReflectionForm {
    let mut f = ReflectionForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "observation_id" => f.observation_id = v.clone(),
            "title" => f.title = v.clone(),
            "body" => f.body = v.clone(),
            "version" => f.version = v.clone(),
            "idempotency_key" => f.idempotency_key = v.clone(),
            _ => {}
        }
    }
    f
}

fn new_path(pairing_id: i64) -> String {
    format!("/teacher-pairings/{pairing_id}/reflections/new")
}

#[get("/teacher-pairings/<id>/reflections/new?<observation>")]
async fn new(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    cookies: &CookieJar<'_>,
    teacher: TeacherUser,
    id: i64,
    observation: Option<String>,
) -> AppResult<Page> {
    let user = teacher.0;
    let p = tp::get(db.inner(), &user.actor, id).await?;
    lifecycle::ensure::<tp::TeacherPairing>(db.inner(), &user.actor, &p, Action::Reflect).await?;
    let kept = drafts::kept_for(db, cookies, &new_path(id), user.actor.user_id).await?;
    let restored = kept.is_some();
    let form = match kept {
        Some(fields) => form_of(&fields),
        None => ReflectionForm {
            observation_id: observation.unwrap_or_default(),
            idempotency_key: crate::domain::tokens::random_base64(18),
            ..Default::default()
        },
    };
    form_page(ctx, db, p, None, form, FieldErrors::new(), restored).await
}

#[post("/teacher-pairings/<id>/reflections", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    context: Context,
    cookies: &CookieJar<'_>,
    who: UserOrLapsed,
    id: i64,
    form: CsrfForm<Vec<(String, String)>>,
) -> AppResult<Result<Flash<Redirect>, Result<(Status, Page), Redirect>>> {
    // The session ran out while the text was being written: keep it for its writer (when
    // this is their form), then sign in.
    let Some(user) = who.user else {
        let keep_for = match who.lapsed {
            Some(user_id) if refl::may_write(db.inner(), user_id, id).await? => Some(user_id),
            _ => None,
        };
        let to = drafts::keep_and_sign_in(db, cookies, keep_for, &new_path(id), form.0).await?;
        return Ok(Err(Err(to)));
    };
    let f = form_of(&form.0);
    match refl::create(db.inner(), &user.actor, id, &f, &context).await {
        Ok(r) => {
            drafts::forget(db, cookies).await?;
            Ok(Ok(Flash::success(
                Redirect::to(format!("/reflections/{}", r.id)),
                "flash-saved",
            )))
        }
        Err(AppError::Invalid(errors)) => {
            let p = tp::get(db.inner(), &user.actor, id).await?;
            Ok(Err(Ok((
                Status::UnprocessableEntity,
                form_page(ctx, db, p, None, f, errors, false).await?,
            ))))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "reflections/show.html")]
struct ShowPage {
    ctx: Ctx,
    r: reflections::Model,
    pairing: pairings::Model,
    author: String,
    observation: Option<observations::Row>,
    comments: Vec<CommentView>,
    /// What the viewer may do now (the workflow's `allowed_actions`).
    actions: Vec<refl::ReflAction>,
    comment: String,
    errors: FieldErrors,
}

async fn show_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    comment: String,
    errors: FieldErrors,
) -> AppResult<Page> {
    let (r, pairing) = refl::get(db, &user.actor, id).await?;
    let author = crate::domain::names::users(db, [r.author_id])
        .await?
        .remove(&r.author_id)
        .unwrap_or_default();
    let observation = match r.observation_id {
        Some(o) => match observations::get(db, &user.actor, o).await {
            Ok((row, _)) => observations::with_names(db, vec![row]).await?.pop(),
            Err(_) => None,
        },
        None => None,
    };
    render(&ShowPage {
        ctx,
        actions: refl::actions_of(&user.actor, &r, &pairing),
        comments: refl::comments_of(db, &r).await?,
        author,
        observation,
        pairing: pairing.into_inner(),
        r: r.into_inner(),
        comment,
        errors,
    })
}

impl ShowPage {
    fn heading(&self) -> String {
        self.r.heading()
    }

    /// Whether the viewer may take `action` (by its word).
    fn may(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a.as_str() == action)
    }
}

#[get("/reflections/<id>")]
async fn show(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    show_page(ctx, db, &user, id, String::new(), FieldErrors::new()).await
}

#[get("/reflections/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let (r, p) = refl::get(db.inner(), &user.actor, id).await?;
    refl::ensure(&user.actor, &r, &p, refl::ReflAction::Edit)?;
    let form = ReflectionForm {
        observation_id: r.observation_id.map(|o| o.to_string()).unwrap_or_default(),
        title: r.title.clone(),
        body: r.body.clone(),
        version: refl::version_of(&r),
        idempotency_key: String::new(),
    };
    form_page(ctx, db, p, Some(id), form, FieldErrors::new(), false).await
}

#[post("/reflections/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<Vec<(String, String)>>,
) -> FormResult {
    let f = form_of(&form.0);
    match refl::update(db.inner(), &user.actor, id, &f).await {
        Ok(r) => Ok(Ok(Flash::success(
            Redirect::to(format!("/reflections/{}", r.id)),
            "flash-saved",
        ))),
        Err(AppError::Invalid(errors)) => {
            let (_, p) = refl::get(db.inner(), &user.actor, id).await?;
            Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, p, Some(id), f, errors, false).await?,
            )))
        }
        // A stale save: the form comes back with what was typed, and above it the text as
        // it is saved now; the form now carries the saved version, so saving again keeps
        // the typed text on purpose.
        Err(AppError::Conflict { field, msg }) if field == "version" => {
            let (saved, p) = refl::get(db.inner(), &user.actor, id).await?;
            let mut errors = FieldErrors::new();
            errors.add("version", msg);
            let mut f = f;
            f.version = refl::version_of(&saved);
            Ok(Err((Status::Conflict, {
                let mut page = form_view(ctx, db, p, Some(id), f, errors, false).await?;
                page.saved = Some(saved.into_inner());
                render(&page)?
            })))
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BodyForm {
    #[serde(deserialize_with = "loose_string")]
    body: String,
}

#[post("/reflections/<id>/comments", data = "<form>")]
async fn comment(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<BodyForm>,
) -> FormResult {
    let body = form.0.body;
    match refl::add_comment(db.inner(), &user.actor, id, &body, &context).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/reflections/{id}#comments")),
            "flash-comment-sent",
        ))),
        Err(AppError::Invalid(errors)) => Ok(Err((
            Status::UnprocessableEntity,
            show_page(ctx, db, &user, id, body, errors).await?,
        ))),
        Err(e) => Err(e),
    }
}

/// A list row.
pub struct Row {
    pub r: reflections::Model,
    pub heading: String,
    pub author: String,
}

#[derive(Template)]
#[template(path = "reflections/index.html")]
struct IndexPage {
    ctx: Ctx,
    year: String,
    term: String,
    school: String,
    subject: String,
    years: Vec<years::Model>,
    schools: Vec<(i64, String)>,
    page: Paged<Row>,
}

/// The list's query string as typed (a bad value filters nothing).
#[derive(Debug, Clone, Default, rocket::FromForm)]
pub struct ListQuery {
    #[field(default = String::new())]
    pub year: String,
    #[field(default = String::new())]
    pub term: String,
    #[field(default = String::new())]
    pub school: String,
    #[field(default = String::new())]
    pub subject: String,
    #[field(default = String::new())]
    pub pairing: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// The list's filter from its query (a term needs the year's dates).
async fn list_filter(db: &DatabaseConnection, q: &ListQuery) -> AppResult<refl::Filter> {
    let (year, term, school, subject, pairing) = (
        q.year.as_str(),
        q.term.as_str(),
        q.school.as_str(),
        q.subject.as_str(),
        q.pairing.as_str(),
    );
    let year = match year.trim().parse::<i64>() {
        Ok(id) => academic_years::get(db, id).await.ok(),
        Err(_) => None,
    };
    let term = match term {
        "first" => Some(1),
        "second" => Some(2),
        _ => None,
    };
    Ok(refl::Filter {
        academic_year_id: year.as_ref().map(|y| y.id),
        written: match (&year, term) {
            (Some(y), Some(t)) => Some(refl::term_span(y, t)),
            _ => None,
        },
        school_id: school.trim().parse().ok(),
        subject: subject.to_string(),
        teacher_pairing_id: pairing.trim().parse().ok(),
    })
}

#[get("/reflections?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ListQuery,
) -> AppResult<Page> {
    let filter = list_filter(db, &query).await?;
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    let ListQuery {
        year,
        term,
        school,
        subject,
        ..
    } = query;
    let paged =
        crate::domain::paging::fetch(db.inner(), refl::filtered(&user.actor, &filter), request)
            .await?;
    let names =
        crate::domain::names::users(db.inner(), paged.items.iter().map(|r| r.author_id)).await?;
    let items = paged
        .items
        .into_iter()
        .map(|r| Row {
            heading: r.heading(),
            author: names.get(&r.author_id).cloned().unwrap_or_default(),
            r,
        })
        .collect();
    let schools = if policy::allows_some(user.actor.role, Subject::Teacher, Act::List) {
        schools::filter_choices(db.inner(), filter.school_id).await?
    } else {
        Vec::new()
    };
    render(&IndexPage {
        ctx,
        year,
        term,
        school,
        subject,
        years: academic_years::list(db.inner()).await?,
        schools,
        page: Paged {
            items,
            page: paged.page,
            per_page: paged.per_page,
            total: paged.total,
            exact: paged.exact,
        },
    })
}

/// The filtered reflections as `.xlsx`.
#[get("/reflections/export.xlsx?<query..>")]
async fn export(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    lang: crate::i18n::Lang,
    query: ListQuery,
) -> AppResult<crate::web::pages::exports::Download> {
    let filter = list_filter(db, &query).await?;
    let bytes = crate::domain::exports::reflections(db.inner(), &user.actor, &filter, lang).await?;
    let format = crate::domain::exports::FileFormat::Xlsx;
    Ok(crate::web::pages::exports::Download {
        bytes,
        format,
        file_name: crate::domain::exports::file_name("reflections", format),
    })
}

pub fn routes() -> Vec<rocket::Route> {
    routes![export, new, create, show, edit, update, comment, index]
}
