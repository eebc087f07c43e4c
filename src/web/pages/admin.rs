//! The bureau's settings, audit log and failed mails.
use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::de::IgnoredAny;

use crate::domain::admin::{self, AuditFilter, AuditRow};
use crate::domain::audit_view::{Named, Shown};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::settings::{self, SettingsForm};
use crate::entities::outbox;
use crate::error::{AppResult, FieldErrors};
use crate::i18n::Lang;
use crate::web::forms::CsrfForm;
use crate::web::guards::{BureauAdmin, Ctx, CurrentUser};
use crate::web::respond::FormResult;
use crate::web::respond::{Page, render};

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    ctx: Ctx,
    form: SettingsForm,
    errors: FieldErrors,
}

#[get("/settings")]
async fn settings_page(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    _guard: BureauAdmin,
) -> AppResult<Page> {
    let current = settings::load(db.inner()).await?;
    render(&SettingsPage {
        ctx,
        form: SettingsForm::from_settings(&current),
        errors: FieldErrors::new(),
    })
}

#[post("/settings", data = "<form>")]
async fn settings_save(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    form: CsrfForm<SettingsForm>,
) -> FormResult {
    let form = form.0;
    match settings::save(db.inner(), &user.actor, &form).await {
        Ok(_) => Ok(Ok(Flash::success(Redirect::to("/settings"), "flash-saved"))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                render(&SettingsPage { ctx, form, errors })?,
            ))),
            None => Err(e),
        },
    }
}

/// The label of an audit word (`audit-entity-school`, `audit-what-school`), or the word
/// itself when the catalogue has none.
pub fn audit_label(lang: &crate::i18n::Lang, prefix: &str, word: &str) -> String {
    use fluent_templates::Loader;
    let id: fluent_templates::LanguageIdentifier = match lang.code().parse() {
        Ok(id) => id,
        Err(_) => return word.to_string(),
    };
    crate::i18n::LOCALES
        .try_lookup(&id, &format!("audit-{prefix}-{word}"))
        .unwrap_or_else(|| word.to_string())
}

/// The audit page's query, kept as typed.
#[derive(Debug, Clone, Default, rocket::FromForm)]
pub struct AuditQuery {
    #[field(default = String::new())]
    pub actor: String,
    #[field(default = String::new())]
    pub entity: String,
    #[field(default = String::new())]
    pub entity_id: String,
    #[field(default = String::new())]
    pub from: String,
    #[field(default = String::new())]
    pub to: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// A piece of an entry's sentence: words, or a name with a link to its page (text, href).
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(String),
    Link(String, String),
}

/// One changed field in words: a new record's values have only `after`, a deleted one's
/// only `before`.
#[derive(Debug, Clone)]
pub struct ChangeLine {
    pub label: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// An audit entry as the page reads it.
#[derive(Debug, Clone)]
pub struct AuditLine {
    /// The moment (RFC 3339) and in words, to the second in local time.
    pub at: String,
    pub when: String,
    pub sentence: Vec<Part>,
    pub changes: Vec<ChangeLine>,
}

/// Marks where a name goes in a translated sentence (never typed by anyone).
const MARK: char = '\u{1}';

fn part(lang: Lang, named: &Named) -> Part {
    let text = named.name.text(lang);
    match &named.link {
        Some(href) => Part::Link(text, href.clone()),
        None => Part::Text(text),
    }
}

/// "区教育局 发布了师徒结对 李明 → 姚成琳": the sentence of the action (`audit-did-{action}`,
/// or `audit-did-{action}-{entity}` where the record needs other words) with the actor's
/// and the record's names put in as links.
pub fn sentence(lang: Lang, row: &AuditRow) -> Vec<Part> {
    let e = &row.entry;
    let args = [
        ("actor", format!("{MARK}actor{MARK}")),
        ("what", audit_label(&lang, "what", &e.entity)),
        ("record", format!("{MARK}record{MARK}")),
    ];
    let text = [
        format!("audit-did-{}-{}", e.action, e.entity),
        format!("audit-did-{}", e.action),
    ]
    .iter()
    .find_map(|key| lang.try_t_args(key, &args))
    .unwrap_or_else(|| lang.t_args("audit-did-other", &args));
    text.split(MARK)
        .enumerate()
        .filter_map(|(i, piece)| match (i % 2, piece) {
            (0, "") => None,
            (0, words) => Some(Part::Text(words.to_string())),
            (_, "actor") => Some(match &row.actor {
                Some(actor) => part(lang, actor),
                None => Part::Text(lang.t("audit-system")),
            }),
            (_, _) => row.record.as_ref().map(|r| part(lang, r)),
        })
        .collect()
}

impl AuditLine {
    pub fn of(lang: Lang, row: &AuditRow) -> AuditLine {
        let words = |s: &Option<Shown>| s.as_ref().map(|s| s.text(lang));
        AuditLine {
            at: row.entry.created_at.to_rfc3339(),
            when: lang.datetime_seconds(row.entry.created_at),
            sentence: sentence(lang, row),
            changes: row
                .changes
                .iter()
                .map(|c| ChangeLine {
                    label: c
                        .label
                        .iter()
                        .map(|k| lang.t(k))
                        .collect::<Vec<_>>()
                        .join(" · "),
                    before: words(&c.before),
                    after: words(&c.after),
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ctx: Ctx,
    query: AuditQuery,
    entities: Vec<String>,
    page: Paged<AuditLine>,
}

#[get("/audit?<query..>")]
async fn audit_page(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    query: AuditQuery,
) -> AppResult<Page> {
    let user = guard.0;
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let filter = AuditFilter {
        actor: query.actor.clone(),
        entity: query.entity.clone(),
        entity_id: query.entity_id.trim().parse().ok(),
        from: date(&query.from),
        to: date(&query.to),
    };
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    let page = admin::audit_list(db.inner(), &user.actor, &filter, request).await?;
    let lang = ctx.lang;
    render(&AuditPage {
        ctx,
        query,
        entities: admin::entities_in_use(db.inner()).await?,
        page: page.map(|row| AuditLine::of(lang, &row)),
    })
}

#[derive(Template)]
#[template(path = "admin/mail_failures.html")]
struct MailFailuresPage {
    ctx: Ctx,
    page: Paged<outbox::Model>,
}

#[get("/mail-failures?<page>&<per_page>")]
async fn mail_failures(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    page: Option<String>,
    per_page: Option<String>,
) -> AppResult<Page> {
    let request = PageRequest::parse_lenient(page.as_deref(), per_page.as_deref());
    let page = admin::failed_mails(db.inner(), &user.actor, request).await?;
    render(&MailFailuresPage { ctx, page })
}

#[post("/mail-failures/<id>/retry", data = "<_form>")]
async fn mail_retry(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    admin::retry_mail(db.inner(), &user.actor, id).await?;
    Ok(Flash::success(
        Redirect::to("/mail-failures"),
        "flash-mail-requeued",
    ))
}

#[derive(Template)]
#[template(path = "admin/manage.html")]
struct ManagePage {
    ctx: Ctx,
}

/// The bureau's hub for the less frequent pages (years, accounts, templates, settings,
/// audit log, failed mails), so the navigation stays short.
#[get("/manage")]
async fn manage(ctx: Ctx, _guard: BureauAdmin) -> AppResult<Page> {
    render(&ManagePage { ctx })
}

#[derive(Template)]
#[template(path = "admin/rubrics.html")]
struct RubricsPage {
    ctx: Ctx,
    rubrics: Vec<crate::domain::rubrics::Rubric>,
}

/// The rubric templates (every signed-in user may read them).
#[get("/rubrics")]
async fn rubrics_page(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    _user: CurrentUser,
) -> AppResult<Page> {
    render(&RubricsPage {
        ctx,
        rubrics: crate::domain::rubrics::list_current(db.inner()).await?,
    })
}

#[derive(Template)]
#[template(path = "admin/rubric.html")]
struct RubricPage {
    ctx: Ctx,
    r: crate::domain::rubrics::Rubric,
    versions: Vec<crate::entities::rubrics::Model>,
    used: u64,
}

impl RubricPage {}

#[get("/rubrics/<id>")]
async fn rubric_page(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    _user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let r = crate::domain::rubrics::get(db.inner(), id).await?;
    render(&RubricPage {
        ctx,
        versions: crate::domain::rubrics::versions(db.inner(), &r.row.code).await?,
        used: crate::domain::rubrics::times_used(db.inner(), id).await?,
        r,
    })
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        manage,
        rubrics_page,
        rubric_page,
        settings_page,
        settings_save,
        audit_page,
        mail_failures,
        mail_retry
    ]
}
