//! Self-evaluation pages (自我鉴定): a teacher begins the year's document, writes its four
//! sections beside the year's figures and submits it; the appraising school, the
//! dispatching school and the bureau each give their opinion or return it from its page;
//! the teacher acknowledges the result. The list is each role's queue, with filters.
use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{FromForm, State, get, post, routes};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde::Deserialize;

use crate::domain::academic_years;
use crate::domain::context::Context as Site;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::self_evaluations::{
    self as se, Action, BeginForm, Context, Figures, Filter, Grade, Row, SectionsForm, Stage,
    StepForm,
};
use crate::domain::types::de::loose_string;
use crate::entities::academic_years as year_rows;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser};
use crate::web::respond::{FormResult, Page, render};

/// The list's query string, kept as typed.
#[derive(Debug, Clone, Default, FromForm)]
pub struct SeQuery {
    #[field(default = String::new())]
    pub year: String,
    #[field(default = String::new())]
    pub school: String,
    #[field(default = String::new())]
    pub district: String,
    #[field(default = String::new())]
    pub status: String,
    #[field(default = String::new())]
    pub context: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl SeQuery {
    pub fn filter(&self) -> Filter {
        Filter {
            academic_year_id: self.year.trim().parse().ok(),
            status: Stage::parse(&self.status),
            context: Context::parse(&self.context),
            school_id: self.school.trim().parse().ok(),
            district: self.district.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "self_evaluations/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: SeQuery,
    years: Vec<year_rows::Model>,
    schools: Vec<(i64, String)>,
    districts: Vec<String>,
    statuses: Vec<(&'static str, String)>,
    contexts: Vec<(&'static str, String)>,
    may_begin: bool,
    page: Paged<Row>,
    /// Whether any row on the page waits for the viewer's verification (the bulk form).
    bulk: bool,
    grades: Vec<(&'static str, String)>,
    /// Rows that one more 优秀 would take past their school's quota.
    over_quota: std::collections::HashSet<i64>,
    quota: i64,
}

impl IndexPage {
    fn over(&self, id: &i64) -> bool {
        self.over_quota.contains(id)
    }

    fn year_name(&self, id: &i64) -> String {
        self.years
            .iter()
            .find(|y| y.id == *id)
            .map(|y| self.ctx.year(&y.name))
            .unwrap_or_default()
    }
}

#[get("/self-evaluations?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: SeQuery,
) -> AppResult<Page> {
    let db = db.inner();
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    let filter = query.filter();
    let page = se::list_rows(db, &user.actor, &filter, request).await?;
    let may_begin = match (user.actor.teacher_id, academic_years::current(db).await?) {
        (Some(_), Some(y)) => se::own_of_year(db, &user.actor, y.id).await?.is_none(),
        _ => false,
    };
    let waiting: Vec<&crate::entities::self_evaluations::Model> = page
        .items
        .iter()
        .filter(|d| d.may("verify"))
        .map(|d| &d.row)
        .collect();
    let bulk = !waiting.is_empty();
    let quota = if bulk {
        crate::domain::settings::load(db)
            .await?
            .excellent_quota_percent
    } else {
        0
    };
    let over_quota = se::over_quota(db, &waiting, quota).await?;
    render(&IndexPage {
        bulk,
        grades: Grade::options(),
        over_quota,
        quota,
        ctx,
        years: academic_years::list(db).await?,
        schools: crate::domain::schools::filter_choices(db, filter.school_id).await?,
        districts: crate::domain::schools::districts(db).await?,
        statuses: Stage::options(),
        contexts: Context::options(),
        may_begin,
        query,
        page,
    })
}

#[derive(Template)]
#[template(path = "self_evaluations/new.html")]
struct NewPage {
    ctx: Ctx,
    form: BeginForm,
    errors: FieldErrors,
    years: Vec<(String, String)>,
    contexts: Vec<(&'static str, String)>,
}

async fn new_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    mut form: BeginForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let teacher = user.actor.teacher_id.ok_or(AppError::Forbidden)?;
    let years = academic_years::list(db).await?;
    if form.academic_year_id.is_empty()
        && let Some(y) = years.iter().find(|y| y.is_current)
    {
        form.academic_year_id = y.id.to_string();
    }
    // The contexts open in the chosen year; all three when none is chosen yet.
    let contexts = match form.academic_year_id.trim().parse::<i64>() {
        Ok(year) => se::contexts(db, teacher, year)
            .await?
            .open()
            .into_iter()
            .map(|c| (c.as_str(), c.label_key()))
            .collect(),
        Err(_) => Context::options(),
    };
    if form.context.is_empty()
        && let [only] = contexts.as_slice()
    {
        form.context = only.0.to_string();
    }
    render(&NewPage {
        years: years
            .iter()
            .map(|y| (y.id.to_string(), ctx.year(&y.name)))
            .collect(),
        ctx,
        form,
        errors,
        contexts,
    })
}

#[get("/self-evaluations/new")]
async fn new(ctx: Ctx, db: &State<DatabaseConnection>, user: CurrentUser) -> AppResult<Page> {
    new_page(
        ctx,
        db.inner(),
        &user,
        BeginForm::default(),
        FieldErrors::new(),
    )
    .await
}

#[post("/self-evaluations", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    form: CsrfForm<BeginForm>,
) -> FormResult {
    let form = form.0;
    match se::begin(db.inner(), &user.actor, &form).await {
        Ok(row) => Ok(Ok(Flash::success(
            Redirect::to(format!("/self-evaluations/{}/edit", row.id)),
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

/// A document with its names, the year's name and the figures shown beside it.
async fn loaded(
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(Row, String, Figures)> {
    let row = se::get(db, &user.actor, id).await?;
    let figures = se::shown_figures(db, &row).await?;
    let year = year_rows::Entity::find_by_id(row.academic_year_id)
        .one(db)
        .await?
        .map(|y| y.name)
        .unwrap_or_default();
    let d = se::with_names(db, &user.actor, vec![row]).await?.remove(0);
    Ok((d, year, figures))
}

#[derive(Template)]
#[template(path = "self_evaluations/edit.html")]
struct EditPage {
    ctx: Ctx,
    d: Row,
    year: String,
    figures: Figures,
    form: SectionsForm,
    errors: FieldErrors,
    grades: Vec<(&'static str, String)>,
}

async fn edit_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    form: Option<SectionsForm>,
    errors: FieldErrors,
) -> AppResult<Page> {
    let (d, year, figures) = loaded(db, user, id).await?;
    se::ensure(&user.actor, &d.row, Action::Edit)?;
    let form = form.unwrap_or_else(|| SectionsForm {
        ethics: d.row.ethics.clone(),
        teaching: d.row.teaching.clone(),
        results: d.row.results.clone(),
        improvement: d.row.improvement.clone(),
        proposed_grade: d
            .row
            .proposed_grade
            .map(|g| g.as_str().to_string())
            .unwrap_or_default(),
        version: d.row.version.to_string(),
    });
    render(&EditPage {
        year: ctx.year(&year),
        ctx,
        d,
        figures,
        form,
        errors,
        grades: Grade::options(),
    })
}

#[get("/self-evaluations/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    edit_page(ctx, db.inner(), &user, id, None, FieldErrors::new()).await
}

/// The sections as posted, and whether to submit after saving.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct EditForm {
    #[serde(flatten)]
    sections: SectionsForm,
    #[serde(deserialize_with = "loose_string")]
    then: String,
}

#[post("/self-evaluations/<id>/edit", data = "<form>")]
async fn update(
    ctx: Ctx,
    site: Site,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<EditForm>,
) -> FormResult {
    let db = db.inner();
    let EditForm { sections, then } = form.0;
    let saved = match se::save(db, &user.actor, id, &sections).await {
        Ok(row) => row,
        Err(e) => {
            return match e.field_errors() {
                Some(errors) => Ok(Err((
                    Status::UnprocessableEntity,
                    edit_page(ctx, db, &user, id, Some(sections), errors).await?,
                ))),
                None => Err(e),
            };
        }
    };
    if then != "submit" {
        return Ok(Ok(Flash::success(
            Redirect::to(format!("/self-evaluations/{id}/edit")),
            "flash-saved",
        )));
    }
    let step = StepForm {
        version: saved.version.to_string(),
        ..Default::default()
    };
    match se::act(db, &user.actor, id, Action::Submit, &step, &site).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/self-evaluations/{id}")),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => {
                let mut sections = sections;
                sections.version = saved.version.to_string();
                Ok(Err((
                    Status::UnprocessableEntity,
                    edit_page(ctx, db, &user, id, Some(sections), errors).await?,
                )))
            }
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "self_evaluations/show.html")]
struct ShowPage {
    ctx: Ctx,
    d: Row,
    year: String,
    figures: Figures,
    appraised_by: String,
    signed_by: String,
    verified_by: String,
    /// The step the form's main button takes.
    main_action: &'static str,
    main_label: String,
    form: StepForm,
    errors: FieldErrors,
    grades: Vec<(&'static str, String)>,
    quota: Option<String>,
}

async fn show_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    form: StepForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let (d, year, figures) = loaded(db, user, id).await?;
    let people = crate::domain::names::users(
        db,
        [d.row.appraised_by, d.row.signed_by, d.row.verified_by]
            .into_iter()
            .flatten(),
    )
    .await?;
    let person = |id: Option<i64>| id.and_then(|i| people.get(&i).cloned()).unwrap_or_default();
    let main = [
        Action::Submit,
        Action::Appraise,
        Action::Sign,
        Action::Verify,
        Action::Acknowledge,
    ]
    .into_iter()
    .find(|a| d.actions.contains(a))
    .unwrap_or(Action::Return);
    let quota = if d.may("verify") {
        let percent = crate::domain::settings::load(db)
            .await?
            .excellent_quota_percent;
        se::quota_warning(db, &d.row, percent)
            .await?
            .map(|(verified, excellent, quota)| {
                ctx.lang.t_args(
                    "se-quota-warning",
                    &[
                        ("verified", verified.to_string()),
                        ("excellent", excellent.to_string()),
                        ("quota", quota.to_string()),
                    ],
                )
            })
    } else {
        None
    };
    render(&ShowPage {
        year: ctx.year(&year),
        appraised_by: person(d.row.appraised_by),
        signed_by: person(d.row.signed_by),
        verified_by: person(d.row.verified_by),
        main_action: main.as_str(),
        main_label: main.label_key(),
        ctx,
        d,
        figures,
        form,
        errors,
        grades: Grade::options(),
        quota,
    })
}

#[get("/self-evaluations/<id>")]
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

#[derive(Template)]
#[template(path = "self_evaluations/print.html")]
struct PrintPage {
    ctx: Ctx,
    d: Row,
    year: String,
    figures: Figures,
    appraised_by: String,
    signed_by: String,
    verified_by: String,
}

/// The self-evaluation as the paper 鉴定表, with each step's signature block, for printing.
#[get("/self-evaluations/<id>/print")]
async fn print(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let db = db.inner();
    let (d, year, figures) = loaded(db, &user, id).await?;
    let people = crate::domain::names::users(
        db,
        [d.row.appraised_by, d.row.signed_by, d.row.verified_by]
            .into_iter()
            .flatten(),
    )
    .await?;
    let person = |id: Option<i64>| id.and_then(|i| people.get(&i).cloned()).unwrap_or_default();
    render(&PrintPage {
        year: ctx.year(&year),
        appraised_by: person(d.row.appraised_by),
        signed_by: person(d.row.signed_by),
        verified_by: person(d.row.verified_by),
        ctx,
        d,
        figures,
    })
}

#[post("/self-evaluations/<id>/<action>", data = "<form>", rank = 2)]
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
    match se::act(db, &user.actor, id, action, &form, &site).await {
        // Returned to the author's draft, it is no longer the school's to see: back to
        // the list.
        Ok(row) if row.status == Stage::Draft && se::get(db, &user.actor, id).await.is_err() => {
            Ok(Ok(Flash::success(
                Redirect::to("/self-evaluations"),
                "flash-saved",
            )))
        }
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/self-evaluations/{id}")),
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

/// The bulk verification form: the documents picked (`id:version` as the list showed
/// them) and the one final grade.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct BulkForm {
    pick: Vec<String>,
    #[serde(deserialize_with = "loose_string")]
    grade: String,
    /// The list's query, to come back to.
    #[serde(deserialize_with = "loose_string")]
    back: String,
}

#[post("/self-evaluations/verify", data = "<form>")]
async fn verify_many(
    site: Site,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    form: CsrfForm<BulkForm>,
) -> AppResult<Flash<Redirect>> {
    if !se::may_verify(&user.actor) {
        return Err(AppError::Forbidden);
    }
    let form = form.0;
    let back = if form.back.starts_with("/self-evaluations") && !form.back.contains("//") {
        form.back.clone()
    } else {
        "/self-evaluations".to_string()
    };
    let mut picks = Vec::new();
    for p in &form.pick {
        match p
            .split_once(':')
            .map(|(i, v)| (i.trim().parse(), v.trim().parse()))
        {
            Some((Ok(id), Ok(version))) => picks.push((id, version)),
            _ => return Err(AppError::bad_request("err-bad-form")),
        }
    }
    if Grade::parse(&form.grade).is_none() {
        return Ok(Flash::error(Redirect::to(back), "se-err-bulk-grade"));
    }
    match se::verify_many(db.inner(), &user.actor, &picks, &form.grade, &site).await {
        Ok(n) => Ok(Flash::success(
            Redirect::to(back),
            format!("se-bulk-verified?count={n}"),
        )),
        Err(AppError::Forbidden) => Err(AppError::Forbidden),
        Err(AppError::Invalid(_)) if picks.is_empty() => {
            Ok(Flash::error(Redirect::to(back), "se-err-pick"))
        }
        Err(AppError::NotFound | AppError::Conflict { .. } | AppError::Invalid(_)) => {
            Ok(Flash::error(Redirect::to(back), "se-err-bulk"))
        }
        Err(e) => Err(e),
    }
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        index,
        new,
        create,
        edit,
        update,
        show,
        print,
        step,
        verify_many
    ]
}
