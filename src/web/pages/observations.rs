//! Observation pages: record one (the form renders the rubric's items), read it with its
//! scores and comment thread, edit until the observed teacher replies, the bureau's delete,
//! and the list with filters. Also the contact log's form on the pairing page.

use askama::Template;

use crate::domain::access::Visible;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::context::Context;
use crate::domain::pairing_lifecycle::{self as lifecycle, Action};
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::domain::contacts::{self, ContactForm};
use crate::domain::observations::{self as obs, Detail, ObservationForm};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::rubrics::{self, Rubric};
use crate::domain::types::{LessonKind, LessonMode, de::loose_string};
use crate::domain::{academic_years, schools, teacher_pairings as tp};
use crate::entities::{academic_years as years, teacher_pairings as pairings};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{BureauAdmin, Ctx, CurrentUser};
use crate::web::respond::FormResult;
use crate::web::respond::{Page, render};

/// The form's fields as sent: the named ones, and `score_<item id>` for each rubric item.
#[derive(Template)]
#[template(path = "observations/form.html")]
struct FormPage {
    ctx: Ctx,
    pairing: pairings::Model,
    mentor_name: String,
    mentee_name: String,
    /// Editing this observation (else a new one).
    id: Option<i64>,
    rubric: Rubric,
    rubrics: Vec<Rubric>,
    form: ObservationForm,
    errors: FieldErrors,
    as_mentee: bool,
}

impl FormPage {
    fn kinds(&self) -> Vec<(&'static str, String)> {
        LessonKind::options()
            .into_iter()
            .filter(|(w, _)| !self.as_mentee || matches!(*w, "demonstration" | "open"))
            .collect()
    }

    fn modes(&self) -> Vec<(&'static str, String)> {
        LessonMode::options()
    }

    fn score_field(&self, item: &i64) -> String {
        format!("scores.{item}")
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    pairing: Visible<pairings::Model>,
    id: Option<i64>,
    rubric: Rubric,
    form: ObservationForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let rows = tp::with_names(db, vec![(*pairing).clone()]).await?;
    let (mentor_name, mentee_name) = rows
        .first()
        .map(|r| (r.mentor_name.clone(), r.mentee_name.clone()))
        .unwrap_or_default();
    render(&FormPage {
        ctx,
        as_mentee: user.actor.is_teacher_self(pairing.mentee_id),
        pairing: pairing.into_inner(),
        mentor_name,
        mentee_name,
        id,
        rubric,
        rubrics: rubrics::choices(db).await?,
        form,
        errors,
    })
}

/// The rubric a new form shows: the one asked for, else the first active template.
async fn rubric_for(db: &DatabaseConnection, asked: Option<i64>) -> AppResult<Rubric> {
    let choices = rubrics::choices(db).await?;
    asked
        .and_then(|id| choices.iter().find(|r| r.row.id == id).cloned())
        .or_else(|| choices.into_iter().next())
        .ok_or(AppError::NotFound)
}

#[get("/teacher-pairings/<id>/observations/new?<rubric>")]
async fn new(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    rubric: Option<i64>,
) -> AppResult<Page> {
    let p = tp::get(db.inner(), &user.actor, id).await?;
    lifecycle::ensure::<tp::TeacherPairing>(db.inner(), &user.actor, &p, Action::Observe).await?;
    let rubric = rubric_for(db, rubric).await?;
    let as_mentee = user.actor.is_teacher_self(p.mentee_id);
    let form = ObservationForm {
        observed_on: crate::domain::types::today().to_string(),
        subject: p.subject.clone(),
        lesson_kind: if as_mentee {
            "demonstration"
        } else {
            "regular"
        }
        .into(),
        mode: "onsite".into(),
        rubric_id: rubric.row.id.to_string(),
        idempotency_key: crate::domain::tokens::random_base64(18),
        ..Default::default()
    };
    form_page(ctx, db, &user, p, None, rubric, form, FieldErrors::new()).await
}

fn saved(id: i64) -> Flash<Redirect> {
    Flash::success(Redirect::to(format!("/observations/{id}")), "flash-saved")
}

#[post("/teacher-pairings/<id>/observations", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<Vec<(String, String)>>,
) -> FormResult {
    let form = ObservationForm::from_pairs(&form.0);
    match obs::create(db.inner(), &user.actor, id, &form, &context).await {
        Ok(o) => Ok(Ok(saved(o.id))),
        Err(AppError::Invalid(errors)) => {
            let p = tp::get(db.inner(), &user.actor, id).await?;
            let rubric = rubric_for(db, form.rubric_id.trim().parse().ok()).await?;
            Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, &user, p, None, rubric, form, errors).await?,
            )))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "observations/show.html")]
struct ShowPage {
    ctx: Ctx,
    d: Detail,
    comment: String,
    errors: FieldErrors,
}

impl ShowPage {
    fn score_of(&self, item: &i64) -> String {
        self.d
            .scores
            .get(item)
            .map(|v| rubrics::fmt_number(*v))
            .unwrap_or_else(|| "—".into())
    }

    fn level_of(&self, item: &rubrics::Item) -> String {
        let Some(v) = self.d.scores.get(&item.id) else {
            return String::new();
        };
        item.scale
            .levels()
            .iter()
            .find(|l| l.value as f64 == *v)
            .map(|l| l.label.clone())
            .unwrap_or_default()
    }

    fn section_of(&self, id: &i64) -> String {
        self.d
            .sections
            .get(id)
            .map(|v| rubrics::fmt_number(*v))
            .unwrap_or_else(|| "—".into())
    }

    fn top(&self, item: &rubrics::Item) -> String {
        rubrics::fmt_number(item.scale.top())
    }

    fn total(&self) -> String {
        rubrics::fmt_number(self.d.row.total_score)
    }

    fn heading(&self, r: &crate::entities::reflections::Model) -> String {
        use crate::domain::reflections::Heading;
        r.heading()
    }
}

async fn show_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    comment: String,
    errors: FieldErrors,
) -> AppResult<Page> {
    let d = obs::detail(db, &user.actor, id).await?;
    render(&ShowPage {
        ctx,
        d,
        comment,
        errors,
    })
}

#[get("/observations/<id>")]
async fn show(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    show_page(ctx, db, &user, id, String::new(), FieldErrors::new()).await
}

#[get("/observations/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let (o, p) = obs::get(db.inner(), &user.actor, id).await?;
    obs::ensure(db.inner(), &user.actor, &o, &p, obs::ObsAction::Edit).await?;
    let rubric = rubrics::get(db.inner(), o.rubric_id).await?;
    let form = ObservationForm::from_model(&o);
    form_page(
        ctx,
        db,
        &user,
        p,
        Some(id),
        rubric,
        form,
        FieldErrors::new(),
    )
    .await
}

#[post("/observations/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<Vec<(String, String)>>,
) -> FormResult {
    let form = ObservationForm::from_pairs(&form.0);
    match obs::update(db.inner(), &user.actor, id, &form).await {
        Ok(o) => Ok(Ok(saved(o.id))),
        Err(AppError::Invalid(errors)) => {
            let (o, p) = obs::get(db.inner(), &user.actor, id).await?;
            let rubric = rubrics::get(db.inner(), o.rubric_id).await?;
            Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, &user, p, Some(id), rubric, form, errors).await?,
            )))
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

#[post("/observations/<id>/comments", data = "<form>")]
async fn comment(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<BodyForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Page)>> {
    let body = form.0.body;
    match obs::add_comment(db.inner(), &user.actor, id, &body, &context).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/observations/{id}#comments")),
            "flash-comment-sent",
        ))),
        Err(AppError::Invalid(errors)) => Ok(Err((
            Status::UnprocessableEntity,
            show_page(ctx, db, &user, id, body, errors).await?,
        ))),
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "observations/delete.html")]
struct DeletePage {
    ctx: Ctx,
    row: obs::Row,
}

#[get("/observations/<id>/delete")]
async fn delete_confirm(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    id: i64,
) -> AppResult<Page> {
    let user = guard.0;
    let (o, _) = obs::get(db.inner(), &user.actor, id).await?;
    let row = obs::with_names(db.inner(), vec![o])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    render(&DeletePage { ctx, row })
}

#[post("/observations/<id>/delete", data = "<_form>")]
async fn delete(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    let (o, _) = obs::get(db.inner(), &user.actor, id).await?;
    obs::delete(db.inner(), &user.actor, id).await?;
    Ok(Flash::success(
        Redirect::to(format!("/teacher-pairings/{}", o.teacher_pairing_id)),
        "obs-flash-deleted",
    ))
}

/// The list's query as typed.
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
    #[field(default = String::new())]
    pub kind: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[derive(Template)]
#[template(path = "observations/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: ListQuery,
    years: Vec<years::Model>,
    schools: Vec<(i64, String)>,
    page: Paged<obs::Row>,
}

/// The filter and the year it names (terms need the year's dates).
pub async fn list_filter(
    db: &DatabaseConnection,
    q: &ListQuery,
) -> AppResult<(obs::Filter, Option<years::Model>)> {
    let year = match q.year.trim().parse::<i64>() {
        Ok(id) => academic_years::get(db, id).await.ok(),
        Err(_) => None,
    };
    Ok((
        obs::Filter {
            academic_year_id: year.as_ref().map(|y| y.id),
            term: match q.term.as_str() {
                "first" => Some(1),
                "second" => Some(2),
                _ => None,
            },
            school_id: q.school.trim().parse().ok(),
            subject: q.subject.clone(),
            teacher_pairing_id: q.pairing.trim().parse().ok(),
            lesson_kind: LessonKind::parse(&q.kind),
            observed_id: None,
        },
        year,
    ))
}

#[get("/observations?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ListQuery,
) -> AppResult<Page> {
    let (filter, y) = list_filter(db, &query).await?;
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    let paged = crate::domain::paging::fetch(
        db.inner(),
        obs::filtered(&user.actor, &filter, y.as_ref()),
        request,
    )
    .await?;
    let items = obs::with_names(db.inner(), paged.items).await?;
    let schools = if policy::allows_some(user.actor.role, Subject::Teacher, Act::List) {
        schools::filter_choices(db.inner(), filter.school_id).await?
    } else {
        Vec::new()
    };
    render(&IndexPage {
        ctx,
        query,
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

#[post("/teacher-pairings/<id>/contacts", data = "<form>")]
async fn add_contact(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<ContactForm>,
) -> AppResult<Flash<Redirect>> {
    let to = format!("/teacher-pairings/{id}#contacts");
    match contacts::add_contact(db.inner(), &user.actor, id, &form.0).await {
        Ok(_) => Ok(Flash::success(Redirect::to(to), "contact-flash-saved")),
        // The short form sits on the pairing page: its error comes back as a message there.
        Err(AppError::Invalid(errors)) => {
            let field = errors.0.keys().next().cloned().unwrap_or_default();
            Ok(Flash::error(
                Redirect::to(to),
                format!("contact-flash-invalid-{field}"),
            ))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "observations/growth.html")]
struct GrowthPage {
    ctx: Ctx,
    g: crate::domain::growth::Growth,
    /// The chart drawn for a phone and for a wider screen (empty under two observations).
    narrow: String,
    wide: String,
}

impl GrowthPage {
    /// The sentence shown instead of a chart while there is one observation.
    fn one(&self) -> String {
        match self.g.points.first() {
            Some(p) => self.ctx.lang.t_args(
                "growth-one",
                &[
                    ("date", self.ctx.date(&p.on)),
                    ("total", self.ctx.number(p.total)),
                ],
            ),
            None => String::new(),
        }
    }

    fn change(&self) -> String {
        match self.g.change() {
            Some(c) if c >= 0.0 => format!("+{}", rubrics::fmt_number(c)),
            Some(c) => rubrics::fmt_number(c),
            None => String::new(),
        }
    }

    fn section(&self, p: &crate::domain::growth::Point, name: &str) -> String {
        p.sections
            .get(name)
            .map(|v| format!("{}%", rubrics::fmt_number(*v)))
            .unwrap_or_default()
    }

    fn term_key(&self, term: &u8) -> &'static str {
        if *term == 1 {
            "term-first"
        } else {
            "term-second"
        }
    }
}

/// A teacher's growth: the chart and the first term against the last.
#[get("/teachers/<id>/growth")]
async fn growth(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let g = crate::domain::growth::of_teacher(db.inner(), &user.actor, id).await?;
    let (narrow, wide) = if g.points.len() < 2 {
        // One observation is a sentence, not a chart.
        (String::new(), String::new())
    } else {
        use crate::domain::growth::{Width, svg};
        (
            svg(&g, ctx.lang, Width::Narrow)?,
            svg(&g, ctx.lang, Width::Wide)?,
        )
    };
    render(&GrowthPage {
        ctx,
        g,
        narrow,
        wide,
    })
}

/// The chart alone, as an SVG image.
#[get("/teachers/<id>/growth.svg")]
async fn growth_svg(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    lang: crate::i18n::Lang,
    id: i64,
) -> AppResult<(rocket::http::ContentType, String)> {
    let g = crate::domain::growth::of_teacher(db.inner(), &user.actor, id).await?;
    Ok((
        rocket::http::ContentType::SVG,
        crate::domain::growth::svg(&g, lang, crate::domain::growth::Width::Wide)?,
    ))
}

/// The filtered observations as `.xlsx` (the list page's filters).
#[get("/observations/export.xlsx?<query..>")]
async fn export(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    lang: crate::i18n::Lang,
    query: ListQuery,
) -> AppResult<crate::web::pages::exports::Download> {
    let (filter, y) = list_filter(db, &query).await?;
    let bytes =
        crate::domain::exports::observations(db.inner(), &user.actor, &filter, y.as_ref(), lang)
            .await?;
    let format = crate::domain::exports::FileFormat::Xlsx;
    Ok(crate::web::pages::exports::Download {
        bytes,
        format,
        file_name: crate::domain::exports::file_name("observations", format),
    })
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        export,
        growth,
        growth_svg,
        new,
        create,
        show,
        edit,
        update,
        comment,
        delete_confirm,
        delete,
        index,
        add_contact
    ]
}
