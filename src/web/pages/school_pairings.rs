//! School pairing pages: the list with filters and bulk publish, the draft form, the
//! detail page with its timeline, and the termination steps.
use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::{DatabaseConnection, EntityTrait};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::context::Context;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::pairing_lifecycle::{self as lifecycle, Action};
use crate::domain::school_pairings::{
    self as pairings, PairingFilter, PairingForm, PairingView, TimelineEntry,
};
use crate::domain::types::{PairingStatus, SupportKind};
use crate::domain::{academic_years, schools, tokens};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{BureauAdmin, Ctx, CurrentUser, SchoolAdmin};
use crate::web::respond::FormResult;
use crate::web::respond::{Page, render};

/// The status filter's extra choice: active pairings with a termination request waiting.
pub const REQUESTED: &str = "requested";

/// The list's query string, kept as typed so the form shows it back.
#[derive(Debug, Clone, Default, rocket::FromForm)]
pub struct PairingQuery {
    #[field(default = String::new())]
    pub year: String,
    #[field(default = String::new())]
    pub district: String,
    #[field(default = String::new())]
    pub status: String,
    #[field(default = String::new())]
    pub kind: String,
    #[field(default = String::new())]
    pub q: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl PairingQuery {
    fn filter(&self) -> PairingFilter {
        PairingFilter {
            year: self.year.clone(),
            district: self.district.clone(),
            status: PairingStatus::parse(&self.status),
            kind: SupportKind::parse(&self.kind),
            q: self.q.clone(),
            school_id: None,
            requested: self.status == REQUESTED,
        }
    }

    fn any_more(&self) -> bool {
        !(self.year.is_empty()
            && self.district.is_empty()
            && self.status.is_empty()
            && self.kind.is_empty())
    }
}

#[derive(Template)]
#[template(path = "school_pairings/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: PairingQuery,
    districts: Vec<String>,
    years: Vec<String>,
    page: Paged<PairingView>,
    idempotency_key: String,
    errors: Vec<String>,
    selected: Vec<i64>,
}

impl IndexPage {
    fn any_draft(&self) -> bool {
        self.page.items.iter().any(|p| p.may("publish"))
    }

    fn is_selected(&self, id: &i64) -> bool {
        self.selected.contains(id)
    }
}

fn new_key() -> String {
    tokens::random_base64(18)
}

#[allow(clippy::too_many_arguments)]
async fn index_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    query: PairingQuery,
    request: PageRequest,
    errors: Vec<String>,
    selected: Vec<i64>,
) -> AppResult<Page> {
    let page = pairings::list(db, &user.actor, &query.filter(), request).await?;
    let districts = schools::districts(db).await?;
    let years = academic_years::list(db)
        .await?
        .into_iter()
        .map(|y| y.name)
        .collect();
    render(&IndexPage {
        ctx,
        query,
        districts,
        years,
        page,
        idempotency_key: new_key(),
        errors,
        selected,
    })
}

#[get("/school-pairings?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: PairingQuery,
) -> AppResult<Page> {
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    index_page(ctx, db, &user, query, request, Vec::new(), Vec::new()).await
}

/// The bulk publish form: the ticked drafts and the page's one-time key.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PublishForm {
    ids: Vec<String>,
    idempotency_key: String,
}

fn ids_of(form: &PublishForm) -> Vec<i64> {
    form.ids
        .iter()
        .filter_map(|s| s.trim().parse::<i64>().ok())
        .collect()
}

#[post("/school-pairings/publish", data = "<form>")]
async fn publish_many(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    context: Context,
    guard: BureauAdmin,
    form: CsrfForm<PublishForm>,
) -> FormResult {
    let user = guard.0;
    let ids = ids_of(&form.0);
    let key = form.0.idempotency_key.clone();
    match pairings::publish(db.inner(), &user.actor, &ids, Some(&key), &context).await {
        Ok(done) => Ok(Ok(Flash::success(
            Redirect::to("/school-pairings"),
            format!("flash-pairings-published?count={}", done.len()),
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => {
                let lines: Vec<String> = errors.0.values().flatten().map(|m| ctx.msg(m)).collect();
                let page = index_page(
                    ctx,
                    db,
                    &user,
                    PairingQuery::default(),
                    PageRequest::default(),
                    lines,
                    ids,
                )
                .await?;
                Ok(Err((Status::UnprocessableEntity, page)))
            }
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "school_pairings/show.html")]
struct ShowPage {
    ctx: Ctx,
    p: PairingView,
    timeline: Vec<TimelineEntry>,
    requested_by: String,
    idempotency_key: String,
    teacher_pairings: Paged<crate::domain::teacher_pairings::PairingRow>,
    /// None for those who may not list secondments (teachers).
    secondments: Option<Paged<crate::domain::secondments::SecondmentRow>>,
    /// The support ledger's totals between the two schools, and whether the viewer may
    /// record an item (None for those who may not read the ledger).
    ledger: Option<(crate::web::pages::contributions::TotalsView, bool)>,
    /// Visits by kind, the latest ones and whether the viewer may record one (None for
    /// those who may not read visits).
    visits: Option<VisitsPanel>,
    /// Training weeks attended, missed and to confirm, and whether the viewer may schedule
    /// weeks (None for those who may not list them).
    training: Option<(crate::domain::training::Attendance, bool)>,
    /// Visits, training weeks and ledger items, newest first.
    activity: Vec<crate::domain::timeline::Event>,
}

struct VisitsPanel {
    counts: Vec<(crate::domain::visits::VisitKind, i64)>,
    latest: Paged<crate::domain::visits::VisitRow>,
    may_record: bool,
}

#[get("/school-pairings/<id>")]
async fn show(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let p = pairings::view(db.inner(), &user.actor, id).await?;
    let timeline = pairings::timeline(db.inner(), &user.actor, id).await?;
    let requested_by = match p.row.termination_requested_by {
        Some(uid) => crate::entities::users::Entity::find_by_id(uid)
            .one(db.inner())
            .await?
            .map(|u| u.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    // What was done under it: its teacher pairings and the secondments between the two
    // schools (the first 50 of each, with the count and a link to the rest).
    let shown = PageRequest {
        page: 1,
        per_page: 50,
    };
    let teacher_pairings = crate::domain::teacher_pairings::list_rows(
        db.inner(),
        &user.actor,
        &crate::domain::teacher_pairings::PairingFilter {
            school_pairing_id: Some(id),
            ..Default::default()
        },
        shown,
    )
    .await?;
    let secondments = if policy::allows_some(user.actor.role, Subject::Secondment, Act::List) {
        Some(
            crate::domain::secondments::list_rows(
                db.inner(),
                &user.actor,
                &crate::domain::secondments::SecondmentFilter {
                    between: Some((p.row.supporter_id, p.row.receiver_id)),
                    ..Default::default()
                },
                shown,
            )
            .await?,
        )
    } else {
        None
    };
    let ledger = if policy::allows_some(user.actor.role, Subject::Contribution, Act::List) {
        let totals = crate::domain::contributions::totals(
            db.inner(),
            &user.actor,
            &crate::domain::contributions::LedgerFilter {
                school_pairing_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
        Some((
            crate::web::pages::contributions::TotalsView { totals },
            crate::domain::contributions::may_record(&user.actor, &p.row),
        ))
    } else {
        None
    };
    let visits = if policy::allows_some(user.actor.role, Subject::Visit, Act::List) {
        let filter = crate::domain::visits::VisitFilter {
            school_pairing_id: Some(id),
            ..Default::default()
        };
        Some(VisitsPanel {
            counts: crate::domain::visits::counts_by_kind(db.inner(), &user.actor, &filter).await?,
            latest: crate::domain::visits::list_rows(
                db.inner(),
                &user.actor,
                &filter,
                PageRequest {
                    page: 1,
                    per_page: 5,
                },
            )
            .await?,
            may_record: crate::domain::visits::may_record(&user.actor, &p.row),
        })
    } else {
        None
    };
    let training = if policy::allows_some(user.actor.role, Subject::TrainingWeek, Act::List) {
        let filter = crate::domain::training::WeekFilter {
            school_pairing_id: Some(id),
            ..Default::default()
        };
        Some((
            crate::domain::training::attendance(db.inner(), &user.actor, &filter).await?,
            crate::domain::training::may_schedule(&user.actor, &p.row),
        ))
    } else {
        None
    };
    render(&ShowPage {
        ctx,
        p,
        timeline,
        requested_by,
        idempotency_key: new_key(),
        teacher_pairings,
        secondments,
        ledger,
        visits,
        training,
        activity: crate::domain::timeline::of_school_pairing(db.inner(), &user.actor, id).await?,
    })
}

#[derive(Template)]
#[template(path = "school_pairings/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: PairingForm,
    errors: FieldErrors,
    schools: Vec<pairings::SchoolChoice>,
    years: Vec<String>,
    /// The supporter is less urban than the receiver: the form asks to confirm.
    confirm_direction: bool,
}

impl FormPage {
    fn known_year(&self, name: &str) -> bool {
        self.years.iter().any(|y| y == name)
    }
}

/// Whether the chosen supporter is less urban than the chosen receiver (a rural school
/// supporting an urban one), which the bureau must confirm.
fn inverted(schools: &[pairings::SchoolChoice], form: &PairingForm) -> bool {
    let kind = |id: &str| {
        schools
            .iter()
            .find(|s| s.id == id.trim())
            .map(|s| pairings::urbanity(s.kind))
    };
    matches!(
        (kind(&form.supporter_id), kind(&form.receiver_id)),
        (Some(s), Some(r)) if s < r
    )
}

/// An unusual direction (a less urban school supporting a more urban one) not yet
/// confirmed: the form again, with the warning and the confirmation box.
async fn unconfirmed_direction(
    ctx: &Ctx,
    db: &DatabaseConnection,
    id: Option<i64>,
    form: &PairingForm,
) -> AppResult<Option<(Status, Page)>> {
    let schools = pairings::school_choices(db).await?;
    if !inverted(&schools, form) || form.confirm_direction.trim() == "1" {
        return Ok(None);
    }
    let mut errors = FieldErrors::new();
    errors.add(
        "supporter_id",
        crate::error::Msg::new("err-pairing-direction"),
    );
    let html = form_page(ctx.clone(), db, id, form.clone(), errors).await?;
    Ok(Some((Status::UnprocessableEntity, html)))
}

async fn form_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    id: Option<i64>,
    form: PairingForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let schools = pairings::school_choices(db).await?;
    render(&FormPage {
        ctx,
        id,
        confirm_direction: inverted(&schools, &form),
        form,
        errors,
        schools,
        years: pairings::year_choices(db).await?,
    })
}

#[get("/school-pairings/new")]
async fn new(ctx: Ctx, db: &State<DatabaseConnection>, _guard: BureauAdmin) -> AppResult<Page> {
    let mut form = PairingForm::default();
    if let Some(year) = academic_years::current(db.inner()).await? {
        form.year_from = year.name.clone();
        form.year_to = year.name;
    }
    form_page(ctx, db, None, form, FieldErrors::new()).await
}

fn form_outcome(
    result: AppResult<crate::entities::school_pairings::Model>,
) -> Result<Flash<Redirect>, AppError> {
    result.map(|p| {
        Flash::success(
            Redirect::to(format!("/school-pairings/{}", p.id)),
            "flash-saved",
        )
    })
}

#[post("/school-pairings", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    form: CsrfForm<PairingForm>,
) -> FormResult {
    if let Some(refused) = unconfirmed_direction(&ctx, db.inner(), None, &form.0).await? {
        return Ok(Err(refused));
    }
    let form = form.0;
    match form_outcome(pairings::create(db.inner(), &user.actor, &form).await) {
        Ok(r) => Ok(Ok(r)),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, None, form, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

#[get("/school-pairings/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    id: i64,
) -> AppResult<Page> {
    let user = guard.0;
    let p = pairings::get(db.inner(), &user.actor, id).await?;
    lifecycle::ensure::<pairings::SchoolPairing>(db.inner(), &user.actor, &p, Action::Edit).await?;
    form_page(
        ctx,
        db,
        Some(id),
        PairingForm::from_model(&p),
        FieldErrors::new(),
    )
    .await
}

#[post("/school-pairings/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<PairingForm>,
) -> FormResult {
    if let Some(refused) = unconfirmed_direction(&ctx, db.inner(), Some(id), &form.0).await? {
        return Ok(Err(refused));
    }
    let mut form = form.0;
    let read_at = lifecycle::parse_read_at(&form.read_at);
    match form_outcome(pairings::update(db.inner(), &user.actor, id, &form, read_at).await) {
        Ok(r) => Ok(Ok(r)),
        Err(e) => match e {
            // Saved by someone else meanwhile: the typed form again, now carrying the
            // saved version's time, so saving again keeps what was typed.
            AppError::Conflict { ref field, .. } if field == "read_at" => {
                let now = pairings::get(db.inner(), &user.actor, id).await?;
                form.read_at = lifecycle::read_at_of(now.updated_at);
                let errors = e.field_errors().unwrap_or_default();
                Ok(Err((
                    Status::Conflict,
                    form_page(ctx, db, Some(id), form, errors).await?,
                )))
            }
            AppError::Invalid(_) | AppError::Conflict { .. } if !matches!(&e, AppError::Conflict { field, .. } if field == "status") =>
            {
                let errors = e.field_errors().unwrap_or_default();
                Ok(Err((
                    Status::UnprocessableEntity,
                    form_page(ctx, db, Some(id), form, errors).await?,
                )))
            }
            e => Err(e),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct KeyForm {
    idempotency_key: String,
}

#[post("/school-pairings/<id>/publish", data = "<form>")]
async fn publish(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<KeyForm>,
) -> AppResult<Flash<Redirect>> {
    let to = Redirect::to(format!("/school-pairings/{id}"));
    match pairings::publish(
        db.inner(),
        &user.actor,
        &[id],
        Some(&form.0.idempotency_key),
        &context,
    )
    .await
    {
        Ok(_) => Ok(Flash::success(to, "flash-pairing-published")),
        Err(AppError::Conflict { msg, .. }) => Ok(Flash::error(to, flash_of(&msg))),
        Err(AppError::Invalid(e)) => {
            let msg = e.0.values().flatten().next().cloned();
            match msg {
                Some(m) => Ok(Flash::error(to, flash_of(&m))),
                None => Err(AppError::Invalid(e)),
            }
        }
        Err(e) => Err(e),
    }
}

/// A message as a flash value: its key and its arguments as a query string.
fn flash_of(msg: &crate::error::Msg) -> String {
    if msg.args.is_empty() {
        msg.key.clone()
    } else {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(msg.args.iter())
            .finish();
        format!("{}?{}", msg.key, query)
    }
}

#[derive(Template)]
#[template(path = "school_pairings/terminate.html")]
struct TerminatePage {
    ctx: Ctx,
    p: PairingView,
    /// `terminate` (the bureau) or `request` (a school admin).
    mode: &'static str,
    reason: String,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReasonForm {
    reason: String,
}

async fn terminate_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    mode: &'static str,
    reason: String,
    errors: FieldErrors,
) -> AppResult<Page> {
    // The routes' guards allow the bureau to terminate and school admins to ask.
    let p = pairings::view(db, &user.actor, id).await?;
    let action = if mode == "terminate" {
        Action::Terminate
    } else {
        Action::RequestTermination
    };
    lifecycle::ensure::<pairings::SchoolPairing>(db, &user.actor, &p.row, action).await?;
    render(&TerminatePage {
        ctx,
        p,
        mode,
        reason,
        errors,
    })
}

#[get("/school-pairings/<id>/terminate")]
async fn terminate_form(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    id: i64,
) -> AppResult<Page> {
    let user = guard.0;
    terminate_page(
        ctx,
        db,
        &user,
        id,
        "terminate",
        String::new(),
        FieldErrors::new(),
    )
    .await
}

#[get("/school-pairings/<id>/request-termination")]
async fn request_form(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    guard: SchoolAdmin,
    id: i64,
) -> AppResult<Page> {
    let user = guard.0;
    terminate_page(
        ctx,
        db,
        &user,
        id,
        "request",
        String::new(),
        FieldErrors::new(),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn reason_outcome(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    mode: &'static str,
    reason: String,
    result: AppResult<crate::entities::school_pairings::Model>,
    done: &str,
) -> FormResult {
    match result {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/school-pairings/{id}")),
            done.to_string(),
        ))),
        Err(AppError::Invalid(errors)) => Ok(Err((
            Status::UnprocessableEntity,
            terminate_page(ctx, db, user, id, mode, reason, errors).await?,
        ))),
        Err(e) => Err(e),
    }
}

#[post("/school-pairings/<id>/terminate", data = "<form>")]
async fn terminate(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    context: Context,
    guard: BureauAdmin,
    id: i64,
    form: CsrfForm<ReasonForm>,
) -> FormResult {
    let user = guard.0;
    let reason = form.0.reason;
    let result = pairings::terminate(db.inner(), &user.actor, id, &reason, &context).await;
    reason_outcome(
        ctx,
        db,
        &user,
        id,
        "terminate",
        reason,
        result,
        "flash-pairing-terminated",
    )
    .await
}

#[post("/school-pairings/<id>/request-termination", data = "<form>")]
async fn request_termination(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    context: Context,
    guard: SchoolAdmin,
    id: i64,
    form: CsrfForm<ReasonForm>,
) -> FormResult {
    let user = guard.0;
    let reason = form.0.reason;
    let result =
        pairings::request_termination(db.inner(), &user.actor, id, &reason, &context).await;
    reason_outcome(
        ctx,
        db,
        &user,
        id,
        "request",
        reason,
        result,
        "flash-pairing-requested",
    )
    .await
}

#[post("/school-pairings/<id>/reject-request", data = "<_form>")]
async fn reject_request(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    pairings::reject_request(db.inner(), &user.actor, id, &context).await?;
    Ok(Flash::success(
        Redirect::to(format!("/school-pairings/{id}")),
        "flash-pairing-request-rejected",
    ))
}

/// The page that confirms deleting a draft pairing (school or teacher pairing); after a
/// refusal it says why.
#[derive(Template)]
#[template(path = "pairing_delete.html")]
pub(crate) struct DeletePage {
    pub ctx: Ctx,
    /// The pairing in words ("A → B").
    pub what: String,
    /// The pairing's page (the form posts to `{back}/delete`).
    pub back: String,
    /// Why the last try was refused, or "".
    pub problem: String,
}

/// After a delete: the kind's drafts with a flash, or (a refusal with a reason, 409) the
/// confirmation page again saying why, made by `page` from that reason.
pub(crate) async fn delete_outcome<Fut>(
    ctx: &Ctx,
    result: AppResult<()>,
    drafts: &'static str,
    page: impl FnOnce(String) -> Fut,
) -> FormResult
where
    Fut: std::future::Future<Output = AppResult<Page>>,
{
    match result {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(drafts),
            "flash-pairing-deleted",
        ))),
        Err(AppError::Conflict { msg, .. }) => {
            Ok(Err((Status::Conflict, page(ctx.msg(&msg)).await?)))
        }
        Err(e) => Err(e),
    }
}

async fn delete_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    problem: String,
) -> AppResult<Page> {
    let p = pairings::view(db, &user.actor, id).await?;
    render(&DeletePage {
        ctx,
        what: format!("{} → {}", p.supporter_name, p.receiver_name),
        back: format!("/school-pairings/{id}"),
        problem,
    })
}

#[get("/school-pairings/<id>/delete")]
async fn delete_form(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    lifecycle::ensure_id::<pairings::SchoolPairing>(db.inner(), &user.actor, id, Action::Delete)
        .await?;
    delete_page(ctx, db, &user, id, String::new()).await
}

/// Deletes a draft, then shows the remaining drafts; a draft with teacher pairings under
/// it stays, and the confirmation page says why.
#[post("/school-pairings/<id>/delete", data = "<_form>")]
async fn delete(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> FormResult {
    let result = pairings::delete_draft(db.inner(), &user.actor, id).await;
    delete_outcome(&ctx, result, "/school-pairings?status=draft", |problem| {
        delete_page(ctx.clone(), db, &user, id, problem)
    })
    .await
}

/// Path ids that are not numbers are plain 404s.
#[get("/school-pairings/<_id>", rank = 5)]
fn not_a_number(_id: &str) -> AppError {
    AppError::NotFound
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        index,
        publish_many,
        show,
        new,
        create,
        edit,
        update,
        publish,
        terminate_form,
        request_form,
        terminate,
        request_termination,
        reject_request,
        delete_form,
        delete,
        not_a_number
    ]
}
