//! The support ledger's pages (资金/物资帮扶): the list with filters and totals; an item
//! recorded on a school pairing by the giving school; its page, where the receiving school
//! confirms or disputes it; edit and delete by the giver.
use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{FromForm, State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::domain::academic_years;
use crate::domain::context::Context;
use crate::domain::contributions::{
    self, ContributionForm, ContributionKind, ContributionRow, LedgerAction, LedgerFilter,
    LedgerStatus, Totals,
};
use crate::domain::money;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::school_pairings;
use crate::domain::types::de::loose_string;
use crate::entities::academic_years as year_rows;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser};
use crate::web::respond::{FormResult, Page, render};

/// The list's query string, kept as typed.
#[derive(Debug, Clone, Default, FromForm)]
pub struct LedgerQuery {
    #[field(default = String::new())]
    pub year: String,
    #[field(default = String::new())]
    pub school: String,
    #[field(default = String::new())]
    pub district: String,
    #[field(default = String::new())]
    pub status: String,
    #[field(default = String::new())]
    pub kind: String,
    #[field(default = String::new())]
    pub school_pairing: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl LedgerQuery {
    pub fn filter(&self) -> LedgerFilter {
        LedgerFilter {
            school_pairing_id: self.school_pairing.trim().parse().ok(),
            school_id: self.school.trim().parse().ok(),
            district: self.district.clone(),
            academic_year_id: self.year.trim().parse().ok(),
            status: LedgerStatus::parse(&self.status),
            kind: ContributionKind::parse(&self.kind),
        }
    }
}

/// Totals as the pages show them.
pub struct TotalsView {
    pub totals: Totals,
}

impl TotalsView {
    pub fn confirmed(&self) -> String {
        money::format_yuan(self.totals.confirmed.value_fen)
    }
    pub fn recorded(&self) -> String {
        money::format_yuan(self.totals.recorded.value_fen)
    }
    pub fn disputed(&self) -> String {
        money::format_yuan(self.totals.disputed.value_fen)
    }
}

#[derive(Template)]
#[template(path = "contributions/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: LedgerQuery,
    years: Vec<year_rows::Model>,
    schools: Vec<(i64, String)>,
    districts: Vec<String>,
    kinds: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, String)>,
    totals: TotalsView,
    page: Paged<ContributionRow>,
}

#[get("/contributions?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: LedgerQuery,
) -> AppResult<Page> {
    let db = db.inner();
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    let filter = query.filter();
    let page = contributions::list_rows(db, &user.actor, &filter, request).await?;
    let totals = contributions::totals(db, &user.actor, &filter).await?;
    render(&IndexPage {
        ctx,
        years: academic_years::list(db).await?,
        schools: crate::domain::schools::filter_choices(db, filter.school_id).await?,
        districts: crate::domain::schools::districts(db).await?,
        kinds: ContributionKind::options(),
        statuses: LedgerStatus::options(),
        totals: TotalsView { totals },
        query,
        page,
    })
}

#[derive(Template)]
#[template(path = "contributions/form.html")]
struct FormPage {
    ctx: Ctx,
    /// The item being edited, or None for a new one.
    id: Option<i64>,
    pairing_id: i64,
    giver: String,
    receiver: String,
    form: ContributionForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, String)>,
}

async fn form_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    pairing_id: i64,
    id: Option<i64>,
    form: ContributionForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let p = school_pairings::get(db, &user.actor, pairing_id).await?;
    let names = crate::domain::names::schools(db, [p.supporter_id, p.receiver_id]).await?;
    let (giver, receiver) = if user.actor.school_id == Some(p.receiver_id) {
        (p.receiver_id, p.supporter_id)
    } else {
        (p.supporter_id, p.receiver_id)
    };
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    render(&FormPage {
        ctx,
        id,
        pairing_id,
        giver: name(giver),
        receiver: name(receiver),
        form,
        errors,
        kinds: ContributionKind::options(),
    })
}

#[get("/school-pairings/<id>/contributions/new")]
async fn new(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let p = school_pairings::get(db.inner(), &user.actor, id).await?;
    if !contributions::may_record(&user.actor, &p) {
        return Err(AppError::Forbidden);
    }
    let form = ContributionForm {
        given_on: crate::domain::types::today().to_string(),
        idempotency_key: crate::domain::tokens::random_base64(18),
        ..Default::default()
    };
    form_page(ctx, db, &user, id, None, form, FieldErrors::new()).await
}

#[post("/school-pairings/<id>/contributions", data = "<form>")]
async fn create(
    ctx: Ctx,
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<ContributionForm>,
) -> FormResult {
    let form = form.0;
    match contributions::create(db.inner(), &user.actor, id, &form, &context).await {
        Ok(row) => Ok(Ok(Flash::success(
            Redirect::to(format!("/contributions/{}", row.id)),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, &user, id, None, form, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "contributions/show.html")]
struct ShowPage {
    ctx: Ctx,
    c: ContributionRow,
    recorded_by: String,
    answered_by: String,
    note: String,
    errors: FieldErrors,
}

async fn show_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    note: String,
    errors: FieldErrors,
) -> AppResult<Page> {
    let row = contributions::get(db, &user.actor, id).await?;
    let people =
        crate::domain::names::users(db, [row.recorded_by, row.answered_by].into_iter().flatten())
            .await?;
    let person = |id: Option<i64>| id.and_then(|i| people.get(&i).cloned()).unwrap_or_default();
    let recorded_by = person(row.recorded_by);
    let answered_by = person(row.answered_by);
    let c = contributions::with_names(db, &user.actor, vec![row])
        .await?
        .remove(0);
    render(&ShowPage {
        ctx,
        c,
        recorded_by,
        answered_by,
        note,
        errors,
    })
}

#[get("/contributions/<id>")]
async fn show(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    show_page(ctx, db, &user, id, String::new(), FieldErrors::new()).await
}

#[get("/contributions/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let row = contributions::get(db.inner(), &user.actor, id).await?;
    contributions::ensure(&user.actor, &row, LedgerAction::Edit)?;
    form_page(
        ctx,
        db,
        &user,
        row.school_pairing_id,
        Some(id),
        ContributionForm::from_model(&row),
        FieldErrors::new(),
    )
    .await
}

#[post("/contributions/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<ContributionForm>,
) -> FormResult {
    let form = form.0;
    match contributions::update(db.inner(), &user.actor, id, &form, &context).await {
        Ok(row) => Ok(Ok(Flash::success(
            Redirect::to(format!("/contributions/{}", row.id)),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => {
                let row = contributions::get(db.inner(), &user.actor, id).await?;
                Ok(Err((
                    Status::UnprocessableEntity,
                    form_page(
                        ctx,
                        db,
                        &user,
                        row.school_pairing_id,
                        Some(id),
                        form,
                        errors,
                    )
                    .await?,
                )))
            }
            None => Err(e),
        },
    }
}

/// The receiver's answer: an optional note (a confirmation) or the reason (a dispute).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct AnswerForm {
    #[serde(deserialize_with = "loose_string")]
    note: String,
}

async fn answer(
    ctx: Ctx,
    context: &Context,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    action: LedgerAction,
    note: String,
) -> FormResult {
    match contributions::answer(db, &user.actor, id, action, &note, context).await {
        Ok(row) => Ok(Ok(Flash::success(
            Redirect::to(format!("/contributions/{}", row.id)),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                show_page(ctx, db, user, id, note, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

#[post("/contributions/<id>/confirm", data = "<form>")]
async fn confirm(
    ctx: Ctx,
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<AnswerForm>,
) -> FormResult {
    answer(
        ctx,
        &context,
        db,
        &user,
        id,
        LedgerAction::Confirm,
        form.0.note,
    )
    .await
}

#[post("/contributions/<id>/dispute", data = "<form>")]
async fn dispute(
    ctx: Ctx,
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<AnswerForm>,
) -> FormResult {
    answer(
        ctx,
        &context,
        db,
        &user,
        id,
        LedgerAction::Dispute,
        form.0.note,
    )
    .await
}

#[post("/contributions/<id>/delete", data = "<_form>")]
async fn delete(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    contributions::delete(db.inner(), &user.actor, id).await?;
    Ok(Flash::success(
        Redirect::to("/contributions"),
        "flash-deleted",
    ))
}

/// The ledger of the list page's filter as `.xlsx`.
#[get("/contributions/export.xlsx?<query..>")]
async fn export(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    lang: crate::i18n::Lang,
    query: LedgerQuery,
) -> AppResult<crate::web::pages::exports::Download> {
    use crate::domain::exports::{self, FileFormat};
    let bytes = exports::contributions(
        db.inner(),
        &user.actor,
        &query.filter(),
        lang,
        FileFormat::Xlsx,
    )
    .await?;
    Ok(crate::web::pages::exports::Download {
        bytes,
        format: FileFormat::Xlsx,
        file_name: exports::file_name("ledger", FileFormat::Xlsx),
    })
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        index, new, create, show, edit, update, confirm, dispute, delete, export
    ]
}
