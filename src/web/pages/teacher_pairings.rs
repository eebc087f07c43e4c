//! Teacher pairing pages (师徒结对): list with filters and bulk publish, the draft form,
//! the detail page with its timeline and actions, and the work plan (工作方案) editor.
use askama::Template;

use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::context::Context;
use crate::domain::pairing_lifecycle::{self as lifecycle, Action, Stage};
use crate::domain::types::PairingStatus;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::domain::paging::{PageRequest, Paged};
use crate::domain::teacher_pairings::{
    self as tp, Detail, PairingFilter, PairingRow, TeacherPairingForm,
};
use crate::domain::types::de::loose_string;
use crate::domain::work_plans::{self, PLAN_SECTIONS, PLAN_TARGETS, PlanForm, StalePlan, WorkPlan};
use crate::domain::{academic_years, schools};
use crate::entities::academic_years as years;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{BureauAdmin, Ctx, CurrentUser};
use crate::web::pick::{self, TeacherPick};
use crate::web::respond::FormResult;
use crate::web::respond::{Page, render};

/// The list's query string as typed (every value kept as text; a bad one filters nothing).
#[derive(Debug, Clone, Default, rocket::FromForm)]
pub struct PairingQuery {
    #[field(default = String::new())]
    pub year: String,
    #[field(default = String::new())]
    pub status: String,
    #[field(default = String::new())]
    pub subject: String,
    #[field(default = String::new())]
    pub school: String,
    #[field(default = String::new())]
    pub district: String,
    #[field(default = String::new())]
    pub q: String,
    /// The pairings made under one school pairing (its page links here).
    #[field(default = String::new())]
    pub school_pairing: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl PairingQuery {
    fn filter(&self) -> PairingFilter {
        PairingFilter {
            academic_year_id: self.year.trim().parse().ok(),
            status: PairingStatus::parse(&self.status),
            subject: self.subject.clone(),
            school_id: self.school.trim().parse().ok(),
            district: self.district.clone(),
            name: self.q.clone(),
            teacher_id: None,
            school_pairing_id: self.school_pairing.trim().parse().ok(),
            requested: self.status == super::school_pairings::REQUESTED,
        }
    }
}

#[derive(Template)]
#[template(path = "teacher_pairings/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: PairingQuery,
    years: Vec<years::Model>,
    schools: Vec<(i64, String)>,
    districts: Vec<String>,
    page: Paged<PairingRow>,
    /// The rows the viewer may publish (the bulk form's check boxes).
    publishable: Vec<i64>,
    key: String,
}

impl IndexPage {
    fn may_publish(&self, id: &i64) -> bool {
        self.publishable.contains(id)
    }
}

#[get("/teacher-pairings?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: PairingQuery,
) -> AppResult<Page> {
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    let page = tp::list_rows(db.inner(), &user.actor, &query.filter(), request).await?;
    let rows: Vec<_> = page.items.iter().map(|r| r.pairing.clone()).collect();
    let actions = tp::actions_of(db.inner(), &user.actor, &rows).await?;
    let publishable = rows
        .iter()
        .zip(actions)
        .filter(|(_, a)| a.contains(&Action::Publish))
        .map(|(r, _)| r.id)
        .collect();
    // Teachers see only their own pairings: no school or district to choose.
    let (schools, districts) = if policy::allows_some(user.actor.role, Subject::Teacher, Act::List)
    {
        (
            schools::choices(db.inner()).await?,
            schools::districts(db.inner()).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    render(&IndexPage {
        ctx,
        query,
        years: academic_years::list(db.inner()).await?,
        districts,
        schools,
        page,
        publishable,
        key: crate::domain::tokens::random_base64(18),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BulkForm {
    ids: Vec<String>,
    key: String,
}

#[post("/teacher-pairings/publish", data = "<form>")]
async fn bulk_publish(
    db: &State<DatabaseConnection>,
    context: Context,
    guard: BureauAdmin,
    form: CsrfForm<BulkForm>,
) -> AppResult<Flash<Redirect>> {
    let user = guard.0;
    let ids: Vec<i64> = form
        .0
        .ids
        .iter()
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    if ids.is_empty() {
        return Ok(Flash::error(
            Redirect::to("/teacher-pairings"),
            "tp-flash-none-chosen",
        ));
    }
    tp::publish(db.inner(), &user.actor, &ids, Some(&form.0.key), &context).await?;
    Ok(Flash::success(
        Redirect::to("/teacher-pairings?status=active"),
        "tp-flash-published",
    ))
}

#[derive(Template)]
#[template(path = "teacher_pairings/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: TeacherPairingForm,
    errors: FieldErrors,
    years: Vec<years::Model>,
    mentor: TeacherPick,
    mentee: TeacherPick,
    /// The draft's `updated_at` when the editor opened it (edits only).
    read_at: String,
}

/// The page's form: the pairing's fields, and the two teachers' search boxes.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PageForm {
    #[serde(flatten)]
    pub form: TeacherPairingForm,
    #[serde(default, deserialize_with = "crate::domain::types::de::loose_string")]
    pub mentor_q: String,
    #[serde(default, deserialize_with = "crate::domain::types::de::loose_string")]
    pub mentee_q: String,
    /// See `pairing_lifecycle::check_not_stale`.
    #[serde(default, deserialize_with = "crate::domain::types::de::loose_string")]
    pub read_at: String,
}

impl PageForm {
    /// Resolves the two search boxes into teacher ids; errors for a name that matches no
    /// teacher or several.
    async fn picks(
        &mut self,
        db: &DatabaseConnection,
        user: &CurrentUser,
        errors: &mut FieldErrors,
    ) -> AppResult<(TeacherPick, TeacherPick)> {
        let mentor = pick::teacher(
            db,
            &user.actor,
            &self.mentor_q,
            &mut self.form.mentor_id,
            "mentor_id",
            errors,
        )
        .await?;
        let mentee = pick::teacher(
            db,
            &user.actor,
            &self.mentee_q,
            &mut self.form.mentee_id,
            "mentee_id",
            errors,
        )
        .await?;
        Ok((mentor, mentee))
    }
}

async fn form_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: Option<i64>,
    mut page: PageForm,
    mut errors: FieldErrors,
) -> AppResult<Page> {
    let mut ignored = FieldErrors::new();
    let (mentor, mentee) = if errors.is_empty() {
        page.picks(db, user, &mut errors).await?
    } else {
        // Shown again after a refusal: the picks were made; only names are looked up.
        page.mentor_q.clear();
        page.mentee_q.clear();
        page.picks(db, user, &mut ignored).await?
    };
    render(&FormPage {
        ctx,
        id,
        form: page.form,
        errors,
        years: academic_years::list(db).await?,
        mentor,
        mentee,
        read_at: page.read_at,
    })
}

/// Saves after resolving the teachers' names; a name that matches none or several shows
/// the form again with the matches to choose from.
async fn save(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: Option<i64>,
    mut page: PageForm,
) -> FormResult {
    let mut errors = FieldErrors::new();
    let (mentor, mentee) = page.picks(db, user, &mut errors).await?;
    if !errors.is_empty() {
        return Ok(Err((
            Status::UnprocessableEntity,
            render(&FormPage {
                ctx,
                id,
                form: page.form,
                errors,
                years: academic_years::list(db).await?,
                mentor,
                mentee,
                read_at: page.read_at,
            })?,
        )));
    }
    let read_at = crate::domain::pairing_lifecycle::parse_read_at(&page.read_at);
    let result = match id {
        Some(id) => tp::update(db, &user.actor, id, &page.form, read_at).await,
        None => tp::create(db, &user.actor, &page.form).await,
    };
    match form_result(result) {
        Ok(r) => Ok(Ok(r)),
        // Saved by someone else meanwhile: the typed form again, now carrying the saved
        // version's time, so saving again keeps what was typed.
        Err(AppError::Conflict { field, msg }) if field == "read_at" => {
            let now = tp::get(db, &user.actor, id.unwrap_or_default()).await?;
            page.read_at = crate::domain::pairing_lifecycle::read_at_of(now.updated_at);
            let mut errors = FieldErrors::new();
            errors.add("read_at", msg);
            Ok(Err((
                Status::Conflict,
                form_page(ctx, db, user, id, page, errors).await?,
            )))
        }
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, user, id, page, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

fn form_result(
    result: AppResult<crate::entities::teacher_pairings::Model>,
) -> Result<Flash<Redirect>, AppError> {
    result.map(|p| {
        Flash::success(
            Redirect::to(format!("/teacher-pairings/{}", p.id)),
            "flash-saved",
        )
    })
}

#[get("/teacher-pairings/new?<mentor_id>&<mentee_id>&<subject>&<school_pairing_id>")]
async fn new(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    mentor_id: Option<String>,
    mentee_id: Option<String>,
    subject: Option<String>,
    school_pairing_id: Option<String>,
) -> AppResult<Page> {
    let user = guard.0;
    let year = academic_years::current(db.inner()).await?;
    let form = TeacherPairingForm {
        mentor_id: mentor_id.unwrap_or_default(),
        mentee_id: mentee_id.unwrap_or_default(),
        subject: subject.unwrap_or_default(),
        academic_year_id: year.map(|y| y.id.to_string()).unwrap_or_default(),
        school_pairing_id: school_pairing_id.unwrap_or_default(),
    };
    let page = PageForm {
        form,
        ..Default::default()
    };
    form_page(ctx, db, &user, None, page, FieldErrors::new()).await
}

#[post("/teacher-pairings", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    form: CsrfForm<PageForm>,
) -> FormResult {
    save(ctx, db.inner(), &user, None, form.0).await
}

#[get("/teacher-pairings/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    id: i64,
) -> AppResult<Page> {
    let user = guard.0;
    let p = tp::get(db.inner(), &user.actor, id).await?;
    let page = PageForm {
        form: TeacherPairingForm::from_model(&p),
        read_at: crate::domain::pairing_lifecycle::read_at_of(p.updated_at),
        ..Default::default()
    };
    form_page(ctx, db, &user, Some(id), page, FieldErrors::new()).await
}

#[post("/teacher-pairings/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<PageForm>,
) -> FormResult {
    save(ctx, db.inner(), &user, Some(id), form.0).await
}

#[derive(Template)]
#[template(path = "teacher_pairings/show.html")]
struct ShowPage {
    ctx: Ctx,
    d: Detail,
    /// What the viewer may do now (the workflow's `allowed_actions`).
    actions: Vec<Action>,
    is_mentor: bool,
    is_mentee: bool,
    sees_contacts: bool,
    errors: FieldErrors,
    reason: String,
    comment: String,
    observations: Vec<crate::domain::observations::Row>,
    reflections: Vec<crate::entities::reflections::Model>,
    contacts: Vec<crate::entities::contacts::Model>,
    today: String,
    progress: Vec<crate::domain::progress::TermProgress>,
    /// The visits the pair took part in and the mentee's training weeks.
    activity: Vec<crate::domain::timeline::Event>,
}

impl ShowPage {
    fn heading(&self, r: &crate::entities::reflections::Model) -> String {
        use crate::domain::reflections::Heading;
        r.heading()
    }

    fn contact_kinds(&self) -> Vec<(&'static str, String)> {
        crate::domain::types::ContactKind::options()
    }

    /// Whether the viewer may take `action` (by its word, for the template).
    fn may(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a.as_str() == action)
    }

    fn next_key(&self) -> &'static str {
        let p = &self.d.row.pairing;
        match tp::stage_of(p) {
            Stage::Draft if self.may("publish") => "tp-next-publish",
            Stage::Draft => "tp-next-draft",
            Stage::Active | Stage::Requested if self.is_mentor => "tp-next-mentor",
            Stage::Active | Stage::Requested if self.is_mentee => "tp-next-mentee",
            Stage::Requested if self.may("reject_request") => "tp-next-decide",
            Stage::Active | Stage::Requested => "tp-next-active",
            _ if self.may("record_end_reason")
                && ((self.is_mentor && p.mentor_end_reason.is_none())
                    || (self.is_mentee && p.mentee_end_reason.is_none())) =>
            {
                "tp-next-end-reason"
            }
            _ => "tp-next-ended",
        }
    }

    fn sections(&self) -> Vec<(&'static str, &'static str, &str)> {
        PLAN_SECTIONS
            .iter()
            .map(|(f, k)| (*f, *k, self.d.plan.section(f)))
            .collect()
    }

    /// Per measure: its label, then each term's "done / target" and whether it is behind.
    fn targets(&self) -> Vec<(&'static str, Vec<(String, bool)>)> {
        PLAN_TARGETS
            .iter()
            .enumerate()
            .map(|(i, (f, k))| {
                let cells = [1u8, 2]
                    .iter()
                    .map(
                        |term| match self.progress.iter().find(|t| t.term == *term) {
                            Some(t) => {
                                let m = &t.measures[i];
                                (format!("{} / {}", m.done, m.target), m.behind())
                            }
                            None => (self.d.plan.target(*term, f).to_string(), false),
                        },
                    )
                    .collect();
                (*k, cells)
            })
            .collect()
    }

    fn behind(&self) -> bool {
        self.d.row.pairing.status == PairingStatus::Active
            && crate::domain::progress::current(&self.progress, crate::domain::types::today())
                .is_some_and(|t| t.behind())
    }
}

async fn show_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    errors: FieldErrors,
    reason: String,
    comment: String,
) -> AppResult<Page> {
    let p = tp::get(db, &user.actor, id).await?;
    let observations = crate::domain::observations::of_pairing(db, &p).await?;
    let reflections = crate::domain::reflections::of_pairing(db, &p).await?;
    let contacts = crate::domain::contacts::contacts_of(db, &p).await?;
    let progress =
        crate::domain::progress::of_pairing(db, &p, crate::domain::types::today()).await?;
    let mut d = tp::detail(db, p).await?;
    // The timeline: observations and reflections beside the pairing's own steps.
    let authors = crate::domain::names::users(db, reflections.iter().map(|r| r.author_id)).await?;
    for o in &observations {
        d.timeline.push(tp::TimelineRow {
            who: o.observer_name.clone(),
            action: "tp-action-observation".into(),
            at: o.row.created_at,
            detail: format!(
                "{} · {} · {}",
                ctx.date(&o.row.observed_on),
                o.row.topic,
                o.total()
            ),
        });
    }
    for r in &reflections {
        use crate::domain::reflections::Heading;
        d.timeline.push(tp::TimelineRow {
            who: authors.get(&r.author_id).cloned().unwrap_or_default(),
            action: "tp-action-reflection".into(),
            at: r.created_at,
            detail: r.heading(),
        });
    }
    d.timeline.sort_by_key(|e| std::cmp::Reverse(e.at));
    let a = &user.actor;
    let is_mentor = a.is_teacher_self(d.row.pairing.mentor_id);
    let is_mentee = a.is_teacher_self(d.row.pairing.mentee_id);
    let actions = tp::actions_of(db, a, std::slice::from_ref(&d.row.pairing))
        .await?
        .remove(0);
    let activity = crate::domain::timeline::of_teacher_pairing(
        db,
        a,
        d.row.pairing.id,
        d.row.pairing.mentor_id,
        d.row.pairing.mentee_id,
    )
    .await?;
    render(&ShowPage {
        ctx,
        actions,
        is_mentor,
        is_mentee,
        // The pair and staff see each other's contact details.
        sees_contacts: true,
        d,
        errors,
        reason,
        comment,
        observations,
        reflections,
        contacts,
        today: crate::domain::types::today().to_string(),
        progress,
        activity,
    })
}

#[get("/teacher-pairings/<id>")]
async fn show(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    show_page(
        ctx,
        db,
        &user,
        id,
        FieldErrors::new(),
        String::new(),
        String::new(),
    )
    .await
}

#[post("/teacher-pairings/<id>/publish", data = "<form>")]
async fn publish(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<BulkForm>,
) -> AppResult<Flash<Redirect>> {
    tp::get(db.inner(), &user.actor, id).await?;
    let key = Some(form.0.key.as_str()).filter(|k| !k.is_empty());
    tp::publish(db.inner(), &user.actor, &[id], key, &context).await?;
    Ok(Flash::success(
        Redirect::to(format!("/teacher-pairings/{id}")),
        "tp-flash-published",
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TextForm {
    #[serde(deserialize_with = "loose_string")]
    reason: String,
    #[serde(deserialize_with = "loose_string")]
    body: String,
}

type ActionResult = AppResult<Result<Flash<Redirect>, (Status, Page)>>;

/// Which page a refused step shows again, with what was typed.
enum Again {
    /// The pairing's page (a comment, the end reason).
    Pairing(TextForm),
    /// The confirmation page of terminating (`true`) or asking to.
    Ending { terminate: bool, reason: String },
}

/// After a step: the pairing's page with a flash, or the page it came from again with
/// the typed text and what was wrong with it.
async fn after_action(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    result: AppResult<()>,
    again: Again,
    flash: &'static str,
) -> ActionResult {
    match result {
        Ok(()) => Ok(Ok(Flash::success(
            Redirect::to(format!("/teacher-pairings/{id}")),
            flash,
        ))),
        Err(AppError::Invalid(errors)) => {
            let page = match again {
                Again::Pairing(form) => {
                    show_page(ctx, db, user, id, errors, form.reason, form.body).await?
                }
                Again::Ending { terminate, reason } => {
                    terminate_page(ctx, db, user, id, terminate, reason, errors).await?
                }
            };
            Ok(Err((Status::UnprocessableEntity, page)))
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "teacher_pairings/terminate.html")]
struct TerminatePage {
    ctx: Ctx,
    row: tp::PairingRow,
    /// Terminating (the bureau) or asking to (the pair, their schools).
    terminate: bool,
    title_key: &'static str,
    confirm_key: &'static str,
    reason: String,
    errors: FieldErrors,
}

/// The page that confirms ending a pairing, with the reason to give; only for those who may
/// take that step now (the show page links here instead of posting at once).
async fn terminate_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    terminate: bool,
    reason: String,
    errors: FieldErrors,
) -> AppResult<Page> {
    let action = if terminate {
        Action::Terminate
    } else {
        Action::RequestTermination
    };
    lifecycle::ensure_id::<tp::TeacherPairing>(db, &user.actor, id, action).await?;
    let p = tp::get(db, &user.actor, id).await?.into_inner();
    let row = tp::with_names(db, vec![p]).await?.remove(0);
    render(&TerminatePage {
        ctx,
        row,
        terminate,
        title_key: if terminate {
            "tp-terminate"
        } else {
            "tp-request-termination"
        },
        confirm_key: if terminate {
            "tp-terminate-confirm"
        } else {
            "tp-request-confirm"
        },
        reason,
        errors,
    })
}

#[get("/teacher-pairings/<id>/terminate")]
async fn terminate_form(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    terminate_page(ctx, db, &user, id, true, String::new(), FieldErrors::new()).await
}

#[get("/teacher-pairings/<id>/request-termination")]
async fn request_termination_form(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    terminate_page(ctx, db, &user, id, false, String::new(), FieldErrors::new()).await
}

/// Terminates (`true`, the bureau) or asks to (the pair, their schools), then shows the
/// pairing, or the confirmation page again with the reason as typed.
async fn end_pairing(
    ctx: Ctx,
    db: &DatabaseConnection,
    context: &Context,
    user: &CurrentUser,
    id: i64,
    reason: String,
    terminate: bool,
) -> ActionResult {
    tp::get(db, &user.actor, id).await?;
    let (result, flash) = if terminate {
        let r = tp::terminate(db, &user.actor, id, &reason, context).await;
        (r.map(|_| ()), "tp-flash-terminated")
    } else {
        let r = tp::request_termination(db, &user.actor, id, &reason, context).await;
        (r.map(|_| ()), "tp-flash-requested")
    };
    let again = Again::Ending { terminate, reason };
    after_action(ctx, db, user, id, result, again, flash).await
}

#[post("/teacher-pairings/<id>/terminate", data = "<form>")]
async fn terminate(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<TextForm>,
) -> ActionResult {
    end_pairing(ctx, db, &context, &user, id, form.0.reason, true).await
}

#[post("/teacher-pairings/<id>/request-termination", data = "<form>")]
async fn request_termination(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<TextForm>,
) -> ActionResult {
    end_pairing(ctx, db, &context, &user, id, form.0.reason, false).await
}

#[post("/teacher-pairings/<id>/reject-request", data = "<_form>")]
async fn reject_request(
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    tp::get(db.inner(), &user.actor, id).await?;
    tp::reject_request(db.inner(), &user.actor, id, &context).await?;
    Ok(Flash::success(
        Redirect::to(format!("/teacher-pairings/{id}")),
        "tp-flash-request-rejected",
    ))
}

#[post("/teacher-pairings/<id>/end-reason", data = "<form>")]
async fn end_reason(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    context: Context,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<TextForm>,
) -> ActionResult {
    let form = form.0;
    let r = tp::record_end_reason(db.inner(), &user.actor, id, &form.reason, &context)
        .await
        .map(|_| ());
    after_action(ctx, db, &user, id, r, Again::Pairing(form), "flash-saved").await
}

#[post("/teacher-pairings/<id>/comments", data = "<form>")]
async fn comment(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<TextForm>,
) -> ActionResult {
    let form = form.0;
    let r = work_plans::add_comment(db.inner(), &user.actor, id, &form.body)
        .await
        .map(|_| ());
    after_action(ctx, db, &user, id, r, Again::Pairing(form), "flash-saved").await
}

#[derive(Template)]
#[template(path = "teacher_pairings/plan.html")]
struct PlanPage {
    ctx: Ctx,
    id: i64,
    row: PairingRow,
    form: PlanForm,
    errors: FieldErrors,
    stale: Option<StalePlan>,
}

impl PlanPage {
    /// (field, label key, typed text, the other person's text when it differs).
    fn sections(&self) -> Vec<(&'static str, &'static str, &str, Option<&str>)> {
        PLAN_SECTIONS
            .iter()
            .map(|(f, k)| {
                let mine = self.form.section(f);
                let theirs = self
                    .stale
                    .as_ref()
                    .map(|s| s.current.section(f))
                    .filter(|t| t.trim() != mine.trim());
                (*f, *k, mine, theirs)
            })
            .collect()
    }

    /// Per term: (term, label key, its target rows).
    #[allow(clippy::type_complexity)]
    fn terms(
        &self,
    ) -> Vec<(
        u8,
        &'static str,
        Vec<(String, &'static str, &str, Option<i64>)>,
    )> {
        vec![
            (1, "term-first", self.targets(1)),
            (2, "term-second", self.targets(2)),
        ]
    }

    /// (form field, label key, typed value, the other person's value when it differs).
    fn targets(&self, term: u8) -> Vec<(String, &'static str, &str, Option<i64>)> {
        PLAN_TARGETS
            .iter()
            .map(|(f, k)| {
                let mine = self.form.target(term, f);
                let theirs = self
                    .stale
                    .as_ref()
                    .map(|s| s.current.target(term, f))
                    .filter(|t| t.to_string() != mine.trim());
                (format!("t{term}_{f}"), *k, mine, theirs)
            })
            .collect()
    }
}

async fn plan_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    form: Option<PlanForm>,
    errors: FieldErrors,
    stale: Option<StalePlan>,
) -> AppResult<Page> {
    let p = tp::get(db, &user.actor, id).await?;
    lifecycle::ensure::<tp::TeacherPairing>(db, &user.actor, &p, Action::EditPlan).await?;
    let form =
        form.unwrap_or_else(|| PlanForm::from_plan(&WorkPlan::parse(&p.plan), p.plan_version));
    let row = tp::with_names(db, vec![p.into_inner()])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    render(&PlanPage {
        ctx,
        id,
        row,
        form,
        errors,
        stale,
    })
}

#[get("/teacher-pairings/<id>/plan")]
async fn plan_edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    plan_page(ctx, db, &user, id, None, FieldErrors::new(), None).await
}

#[post("/teacher-pairings/<id>/plan", data = "<form>")]
async fn plan_save(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<PlanForm>,
) -> ActionResult {
    let mut form = form.0;
    match work_plans::save_plan(db.inner(), &user.actor, id, &form).await {
        Ok(Ok(_)) => Ok(Ok(Flash::success(
            Redirect::to(format!("/teacher-pairings/{id}")),
            "flash-saved",
        ))),
        Ok(Err(stale)) => {
            // Keep the user's text; the next save is against the version now shown.
            form.version = stale.version.to_string();
            let mut errors = FieldErrors::new();
            errors.add("version", crate::error::Msg::new("tp-err-stale-plan"));
            Ok(Err((
                Status::Conflict,
                plan_page(ctx, db, &user, id, Some(form), errors, Some(stale)).await?,
            )))
        }
        Err(AppError::Invalid(errors)) => Ok(Err((
            Status::UnprocessableEntity,
            plan_page(ctx, db, &user, id, Some(form), errors, None).await?,
        ))),
        Err(e) => Err(e),
    }
}

/// Path ids that are not numbers are plain 404s.
#[get("/teacher-pairings/<_id>", rank = 5)]
fn not_a_number(_id: &str) -> AppError {
    AppError::NotFound
}

#[post("/teacher-pairings/<_id>/<_action>", rank = 5, data = "<_form>")]
fn post_not_a_number(_id: &str, _action: &str, _form: CsrfForm<IgnoredAny>) -> AppError {
    AppError::NotFound
}

/// The draft in words for the delete confirmation ("mentor → mentee").
async fn delete_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    id: i64,
    problem: String,
) -> AppResult<Page> {
    let p = tp::get(db, &user.actor, id).await?.into_inner();
    let row = tp::with_names(db, vec![p]).await?.remove(0);
    render(&crate::web::pages::school_pairings::DeletePage {
        ctx,
        what: format!("{} → {}", row.mentor_name, row.mentee_name),
        back: format!("/teacher-pairings/{id}"),
        problem,
    })
}

#[get("/teacher-pairings/<id>/delete")]
async fn delete_form(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    lifecycle::ensure_id::<tp::TeacherPairing>(db.inner(), &user.actor, id, Action::Delete).await?;
    delete_page(ctx, db, &user, id, String::new()).await
}

/// Deletes a draft with its plan comments, then shows the remaining drafts.
#[post("/teacher-pairings/<id>/delete", data = "<_form>")]
async fn delete(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> FormResult {
    let result = tp::delete_draft(db.inner(), &user.actor, id).await;
    crate::web::pages::school_pairings::delete_outcome(
        &ctx,
        result,
        "/teacher-pairings?status=draft",
        |problem| delete_page(ctx.clone(), db, &user, id, problem),
    )
    .await
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        index,
        bulk_publish,
        new,
        create,
        edit,
        update,
        show,
        publish,
        terminate_form,
        terminate,
        request_termination_form,
        request_termination,
        reject_request,
        end_reason,
        comment,
        plan_edit,
        plan_save,
        delete_form,
        delete,
        not_a_number,
        post_not_a_number
    ]
}
