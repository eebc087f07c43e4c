//! 学校结对: a supporting school helps a receiving school for a span of academic years.
//! The bureau prepares drafts and publishes them (one or many, in one transaction, safe
//! against a double click); either school may ask to end a pairing, the bureau decides;
//! a pairing whose last year has ended completes by itself (`complete_ended`).
use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::academic_years::parse_year_name;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::access::scope;
use crate::domain::access::{self, Actor};
use crate::domain::audit;
use crate::domain::context::Context;
use crate::domain::idempotency;
use crate::domain::notifications::{self, Notice};
use crate::domain::paging::{self, PageRequest, Paged};
use crate::domain::pairing_lifecycle::{
    self as lifecycle, Action, Done, PairingKind, SchoolPairingFlow,
};
use crate::domain::settings;
use crate::domain::types::{self, PairingStatus, Role, SchoolKind, SupportKind, de::loose_string};
use crate::domain::workflow::{self, Party};
use crate::entities::{
    academic_years, audit_log, idempotency_keys, school_pairings, schools, teacher_pairings,
};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

/// The audit log's entity name for school pairings (the timeline reads it back).
pub const ENTITY: &str = "school_pairing";

/// A pairing as typed in the form or sent as JSON; every value kept as sent.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PairingForm {
    #[serde(deserialize_with = "loose_string")]
    pub supporter_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub receiver_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub year_from: String,
    #[serde(deserialize_with = "loose_string")]
    pub year_to: String,
    /// A JSON list, or repeated form fields (check boxes).
    pub support_kinds: Vec<String>,
    #[serde(deserialize_with = "loose_string")]
    pub note: String,
    /// The page's box confirming a less urban school supporting a more urban one (pages
    /// ask for it; the service does not).
    #[serde(deserialize_with = "loose_string", skip_serializing)]
    pub confirm_direction: String,
    /// When the edit form was opened: the draft's `updated_at` then (pages only; see
    /// `pairing_lifecycle::check_not_stale`).
    #[serde(deserialize_with = "loose_string", skip_serializing)]
    pub read_at: String,
}

impl PairingForm {
    pub fn from_model(p: &school_pairings::Model) -> Self {
        PairingForm {
            supporter_id: p.supporter_id.to_string(),
            receiver_id: p.receiver_id.to_string(),
            year_from: p.year_from.clone(),
            year_to: p.year_to.clone(),
            support_kinds: types::parse_json_list(&p.support_kinds),
            note: p.note.clone(),
            // Saved before: its direction was confirmed then.
            confirm_direction: "1".into(),
            read_at: lifecycle::read_at_of(p.updated_at),
        }
    }

    pub fn has_kind(&self, word: &str) -> bool {
        self.support_kinds.iter().any(|k| k == word)
    }
}

/// A pairing whose fields passed every check on their own.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPairing {
    pub supporter_id: i64,
    pub receiver_id: i64,
    pub year_from: String,
    pub year_to: String,
    pub kinds: Vec<SupportKind>,
    pub note: String,
}

fn school_id(value: &str) -> Result<i64, Msg> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Msg::new("err-required"));
    }
    match value.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Msg::new("err-choose")),
    }
}

impl TryFrom<&PairingForm> for NewPairing {
    type Error = FieldErrors;

    fn try_from(f: &PairingForm) -> Result<Self, FieldErrors> {
        let mut e = FieldErrors::new();
        let supporter = school_id(&f.supporter_id)
            .map_err(|m| e.add("supporter_id", m))
            .ok();
        let receiver = school_id(&f.receiver_id)
            .map_err(|m| e.add("receiver_id", m))
            .ok();
        if let (Some(s), Some(r)) = (supporter, receiver)
            && s == r
        {
            e.add("receiver_id", Msg::new("err-pairing-self"));
        }
        let from = parse_year_name(&f.year_from)
            .map_err(|m| e.add("year_from", m))
            .ok();
        let to = parse_year_name(&f.year_to)
            .map_err(|m| e.add("year_to", m))
            .ok();
        if let (Some(a), Some(b)) = (from, to)
            && b.0 < a.0
        {
            e.add("year_to", Msg::new("err-pairing-year-order"));
        }
        let mut kinds = Vec::new();
        for word in &f.support_kinds {
            match SupportKind::parse(word) {
                Some(k) if !kinds.contains(&k) => kinds.push(k),
                Some(_) => {}
                None => {
                    e.add("support_kinds", Msg::new("err-choose"));
                    break;
                }
            }
        }
        if f.support_kinds.is_empty() {
            e.add("support_kinds", Msg::new("err-pairing-kinds-required"));
        }
        let note = types::optional_text(&f.note, 1000)
            .map_err(|m| e.add("note", m))
            .ok();
        if !e.is_empty() {
            return Err(e);
        }
        let (from, to) = (from.unwrap_or_default(), to.unwrap_or_default());
        Ok(NewPairing {
            supporter_id: supporter.unwrap_or_default(),
            receiver_id: receiver.unwrap_or_default(),
            year_from: format!("{}-{}", from.0, from.1),
            year_to: format!("{}-{}", to.0, to.1),
            kinds,
            note: note.unwrap_or_default(),
        })
    }
}

/// The first calendar year of an academic-year name (`2026-2027` → 2026).
fn start_year(name: &str) -> i32 {
    parse_year_name(name).map(|(a, _)| a).unwrap_or(0)
}

/// Pairings of the same status set whose years overlap `from..=to`.
fn overlapping(from: &str, to: &str) -> Condition {
    Condition::all()
        .add(school_pairings::Column::YearFrom.lte(to))
        .add(school_pairings::Column::YearTo.gte(from))
}

fn live_statuses() -> Vec<PairingStatus> {
    vec![PairingStatus::Draft, PairingStatus::Active]
}

/// The checks against other rows, used on create, on edit and again on publish.
/// `publishing`: the pairing is about to become active (drafts of the same two schools no
/// longer matter then, only active ones).
async fn check_rules(
    conn: &impl ConnectionTrait,
    new: &NewPairing,
    own_id: Option<i64>,
    publishing: bool,
) -> AppResult<()> {
    let mut e = FieldErrors::new();
    for (field, id) in [
        ("supporter_id", new.supporter_id),
        ("receiver_id", new.receiver_id),
    ] {
        match schools::Entity::find_by_id(id).one(conn).await? {
            None => e.add(field, Msg::new("err-pairing-school-unknown")),
            Some(s) if !s.is_active => e.add(
                field,
                Msg::new("err-pairing-school-inactive").arg("school", s.name),
            ),
            Some(_) => {}
        }
    }
    if new.supporter_id == new.receiver_id {
        e.add("receiver_id", Msg::new("err-pairing-self"));
    }
    e.into_result()?;

    let statuses = if publishing {
        vec![PairingStatus::Active]
    } else {
        live_statuses()
    };
    let not_self = |q: sea_orm::Select<school_pairings::Entity>| match own_id {
        Some(id) => q.filter(school_pairings::Column::Id.ne(id)),
        None => q,
    };

    // The same two schools, overlapping years.
    let duplicate = not_self(school_pairings::Entity::find())
        .filter(school_pairings::Column::SupporterId.eq(new.supporter_id))
        .filter(school_pairings::Column::ReceiverId.eq(new.receiver_id))
        .filter(school_pairings::Column::Status.is_in(statuses.clone()))
        .filter(overlapping(&new.year_from, &new.year_to))
        .one(conn)
        .await?;
    if let Some(d) = duplicate {
        return Err(AppError::Conflict {
            field: "receiver_id".into(),
            msg: Msg::new("err-pairing-duplicate")
                .arg("from", d.year_from)
                .arg("to", d.year_to),
        });
    }

    // A direct reversal: the receiver already supports the supporter.
    let reversal = school_pairings::Entity::find()
        .filter(school_pairings::Column::SupporterId.eq(new.receiver_id))
        .filter(school_pairings::Column::ReceiverId.eq(new.supporter_id))
        .filter(school_pairings::Column::Status.is_in(statuses))
        .filter(overlapping(&new.year_from, &new.year_to))
        .one(conn)
        .await?;
    if reversal.is_some() {
        return Err(AppError::conflict("receiver_id", "err-pairing-reversal"));
    }

    // The supporter's cap, year by year: active pairings covering each year.
    let max = settings::load(conn).await?.max_receivers_per_supporter;
    let active = not_self(school_pairings::Entity::find())
        .filter(school_pairings::Column::SupporterId.eq(new.supporter_id))
        .filter(school_pairings::Column::Status.eq(PairingStatus::Active))
        .filter(overlapping(&new.year_from, &new.year_to))
        .all(conn)
        .await?;
    for year in start_year(&new.year_from)..=start_year(&new.year_to) {
        let count = active
            .iter()
            .filter(|p| start_year(&p.year_from) <= year && year <= start_year(&p.year_to))
            .count() as i64;
        if count >= max {
            return Err(AppError::Conflict {
                field: "supporter_id".into(),
                msg: Msg::new("err-pairing-cap")
                    .arg("max", max)
                    .arg("year", format!("{}-{}", year, year + 1)),
            });
        }
    }
    Ok(())
}

/// What a list may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct PairingFilter {
    /// An academic-year name: pairings running in that year.
    pub year: String,
    pub district: String,
    pub status: Option<PairingStatus>,
    pub kind: Option<SupportKind>,
    /// Text in either school's name.
    pub q: String,
    pub school_id: Option<i64>,
    /// Only active pairings with a termination request waiting for the bureau.
    pub requested: bool,
}

/// A pairing with its schools' names, for lists, pages and JSON.
#[derive(Debug, Clone, Serialize)]
pub struct PairingView {
    #[serde(flatten)]
    pub row: school_pairings::Model,
    pub supporter_name: String,
    pub receiver_name: String,
    pub kinds: Vec<String>,
    /// What the viewer may do now (the workflow's `allowed_actions`).
    pub actions: Vec<Action>,
}

impl PairingView {
    pub fn status(&self) -> PairingStatus {
        self.row.status
    }

    pub fn has_request(&self) -> bool {
        self.row.termination_requested_at.is_some()
    }

    /// Whether the viewer may take `action` (by its word, for templates).
    pub fn may(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a.as_str() == action)
    }
}

/// What a teacher is not shown of their school's pairings: the bureau's note and the
/// reasons given for ending it (the schools' and the bureau's business).
fn for_teacher(mut row: school_pairings::Model) -> school_pairings::Model {
    row.note = String::new();
    row.terminate_reason = None;
    row.termination_request_reason = None;
    row
}

/// Views of rows as `actor` may see them (see `for_teacher`).
pub(crate) async fn views_for(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    rows: Vec<school_pairings::Model>,
) -> AppResult<Vec<PairingView>> {
    let rows = if actor.role == Role::Teacher {
        rows.into_iter().map(for_teacher).collect()
    } else {
        rows
    };
    let mut out = views(conn, rows).await?;
    for v in &mut out {
        v.actions = actions_of(actor, &v.row);
    }
    Ok(out)
}

async fn views(
    conn: &impl ConnectionTrait,
    rows: Vec<school_pairings::Model>,
) -> AppResult<Vec<PairingView>> {
    let names = crate::domain::names::schools(
        conn,
        rows.iter().flat_map(|p| [p.supporter_id, p.receiver_id]),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| PairingView {
            supporter_name: names.get(&row.supporter_id).cloned().unwrap_or_default(),
            receiver_name: names.get(&row.receiver_id).cloned().unwrap_or_default(),
            kinds: types::parse_json_list(&row.support_kinds),
            actions: Vec::new(),
            row,
        })
        .collect())
}

/// The pairings the actor may see (`access::scope`).
fn visible(actor: &Actor) -> Condition {
    scope::visible::<school_pairings::Entity>(actor)
}

fn filtered(actor: &Actor, filter: &PairingFilter) -> sea_orm::Select<school_pairings::Entity> {
    let mut q = school_pairings::Entity::find().filter(visible(actor));
    let year = filter.year.trim();
    if !year.is_empty() {
        q = q
            .filter(school_pairings::Column::YearFrom.lte(year))
            .filter(school_pairings::Column::YearTo.gte(year));
    }
    if let Some(status) = filter.status {
        q = q.filter(school_pairings::Column::Status.eq(status));
    }
    if filter.requested {
        q = q
            .filter(school_pairings::Column::Status.eq(PairingStatus::Active))
            .filter(school_pairings::Column::TerminationRequestedAt.is_not_null());
    }
    if let Some(kind) = filter.kind {
        q = q
            .filter(school_pairings::Column::SupportKinds.like(format!("%\"{}\"%", kind.as_str())));
    }
    if let Some(school) = filter.school_id {
        q = q.filter(
            Condition::any()
                .add(school_pairings::Column::SupporterId.eq(school))
                .add(school_pairings::Column::ReceiverId.eq(school)),
        );
    }
    let mut schools_cond: Option<Condition> = None;
    let district = filter.district.trim();
    if !district.is_empty() {
        schools_cond = Some(Condition::all().add(schools::Column::District.eq(district)));
    }
    let text = filter.q.trim();
    if !text.is_empty() {
        let c = schools_cond.unwrap_or_else(Condition::all);
        schools_cond = Some(c.add(schools::Column::Name.like(types::contains(text))));
    }
    if let Some(cond) = schools_cond {
        let sub = || {
            sea_orm::sea_query::Query::select()
                .column(schools::Column::Id)
                .from(schools::Entity)
                .cond_where(cond.clone())
                .to_owned()
        };
        q = q.filter(
            Condition::any()
                .add(school_pairings::Column::SupporterId.in_subquery(sub()))
                .add(school_pairings::Column::ReceiverId.in_subquery(sub())),
        );
    }
    q.order_by_desc(school_pairings::Column::Id)
}

/// How many pairings `filter` finds, as a `SELECT COUNT(*)` to run with others
/// (`todo::count_each`).
pub fn count_query(actor: &Actor, filter: &PairingFilter) -> sea_orm::sea_query::SelectStatement {
    paging::count_statement(filtered(actor, filter))
}

pub async fn list(
    db: &impl Conn,
    actor: &Actor,
    filter: &PairingFilter,
    page: PageRequest,
) -> AppResult<Paged<PairingView>> {
    let paged = paging::fetch(db, filtered(actor, filter), page).await?;
    let items = views_for(db, actor, paged.items).await?;
    Ok(Paged {
        items,
        page: paged.page,
        per_page: paged.per_page,
        total: paged.total,
        exact: paged.exact,
    })
}

/// The home page's list: the actor's school's active pairings (at most 20).
pub async fn for_home(db: &impl Conn, actor: &Actor) -> AppResult<Vec<PairingView>> {
    let filter = PairingFilter {
        status: Some(PairingStatus::Active),
        ..Default::default()
    };
    let page = PageRequest {
        page: 1,
        per_page: 20,
    };
    Ok(list(db, actor, &filter, page).await?.items)
}

/// One pairing, if this actor may see it (else 404: its existence is not told).
pub async fn get(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<school_pairings::Model> {
    school_pairings::Entity::find_by_id(id)
        .filter(visible(actor))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn view(conn: &impl ConnectionTrait, actor: &Actor, id: i64) -> AppResult<PairingView> {
    let p = get(conn, actor, id).await?;
    Ok(views_for(conn, actor, vec![p]).await?.remove(0))
}

fn apply(active: &mut school_pairings::ActiveModel, new: &NewPairing) {
    let kinds: Vec<String> = new.kinds.iter().map(|k| k.as_str().to_string()).collect();
    active.supporter_id = Set(new.supporter_id);
    active.receiver_id = Set(new.receiver_id);
    active.year_from = Set(new.year_from.clone());
    active.year_to = Set(new.year_to.clone());
    active.support_kinds = Set(types::json_list(&kinds));
    active.note = Set(new.note.clone());
    active.updated_at = Set(Utc::now());
}

pub async fn create(
    db: &impl Conn,
    actor: &Actor,
    form: &PairingForm,
) -> AppResult<school_pairings::Model> {
    policy::require_some(actor, Subject::SchoolPairing, Act::Manage)?;
    let new = NewPairing::try_from(form).map_err(AppError::Invalid)?;
    let txn = db::begin_write(db).await?;
    check_rules(&txn, &new, None, false).await?;
    let now = Utc::now();
    let mut active = school_pairings::ActiveModel {
        status: Set(PairingStatus::Draft),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        termination_requested_by: Set(None),
        termination_requested_at: Set(None),
        termination_request_reason: Set(None),
        terminate_reason: Set(None),
        published_at: Set(None),
        completed_at: Set(None),
        terminated_at: Set(None),
        ..Default::default()
    };
    apply(&mut active, &new);
    let row = active.insert(&txn).await?;
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "create",
        ENTITY,
        Some(row.id),
        None,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Edits a draft (bureau).
pub async fn update(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &PairingForm,
    read_at: Option<chrono::DateTime<Utc>>,
) -> AppResult<school_pairings::Model> {
    let txn = db::begin_write(db).await?;
    SchoolPairing::lock(&txn, id).await?;
    let before = get(&txn, actor, id).await?;
    lifecycle::ensure::<SchoolPairing>(&txn, actor, &before, Action::Edit).await?;
    lifecycle::check_not_stale(read_at, before.updated_at)?;
    let new = NewPairing::try_from(form).map_err(AppError::Invalid)?;
    check_rules(&txn, &new, Some(id), false).await?;
    let mut active = before.clone().into_active_model();
    apply(&mut active, &new);
    let row = active.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        "update",
        ENTITY,
        Some(id),
        Some(&before),
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

fn link(id: i64) -> String {
    format!("/school-pairings/{id}")
}

async fn names(
    conn: &impl ConnectionTrait,
    p: &school_pairings::Model,
) -> AppResult<(String, String)> {
    let v = views(conn, vec![p.clone()]).await?.remove(0);
    Ok((v.supporter_name, v.receiver_name))
}

/// School pairings in the shared lifecycle (`pairing_lifecycle`): the table of steps is
/// `SchoolPairingFlow`'s.
pub struct SchoolPairing;

lifecycle::follows!(SchoolPairing, SchoolPairingFlow);

impl PairingKind for SchoolPairing {
    type Entity = school_pairings::Entity;
    const AUDIT: &'static str = ENTITY;

    lifecycle::lifecycle_columns!(school_pairings);

    async fn get(
        conn: &impl ConnectionTrait,
        actor: &Actor,
        id: i64,
    ) -> AppResult<school_pairings::Model> {
        get(conn, actor, id).await
    }

    async fn find(conn: &impl ConnectionTrait, id: i64) -> AppResult<school_pairings::Model> {
        school_pairings::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or(AppError::NotFound)
    }

    async fn lock(conn: &impl ConnectionTrait, id: i64) -> AppResult<()> {
        school_pairings::Entity::find_by_id(id)
            .select_only()
            .column(school_pairings::Column::Id)
            .lock_exclusive()
            .into_tuple::<i64>()
            .one(conn)
            .await?;
        Ok(())
    }

    async fn parties(
        _conn: &impl ConnectionTrait,
        actor: &Actor,
        row: &school_pairings::Model,
    ) -> AppResult<Vec<Party>> {
        Ok(access::school_pairing_parties(actor, row))
    }

    async fn check(
        conn: &impl ConnectionTrait,
        row: &school_pairings::Model,
        action: Action,
    ) -> AppResult<()> {
        if action == Action::Delete {
            // A draft with teacher pairings under it stays until they are deleted or moved.
            let under = teacher_pairings::Entity::find()
                .filter(teacher_pairings::Column::SchoolPairingId.eq(row.id))
                .count(conn)
                .await?;
            if under > 0 {
                return Err(AppError::conflict(
                    "status",
                    "err-pairing-has-teacher-pairings",
                ));
            }
            return Ok(());
        }
        if action != Action::Publish {
            return Ok(());
        }
        // On PostgreSQL two publishes for one supporter could otherwise both pass its cap:
        // the two schools' rows stay locked until the transaction ends. (SQLite
        // serialises writers already.)
        schools::Entity::find()
            .select_only()
            .column(schools::Column::Id)
            .filter(schools::Column::Id.is_in([row.supporter_id, row.receiver_id]))
            .order_by_asc(schools::Column::Id)
            .lock_exclusive()
            .into_tuple::<i64>()
            .all(conn)
            .await?;
        let new = NewPairing::try_from(&PairingForm::from_model(row)).map_err(AppError::Invalid)?;
        check_rules(conn, &new, Some(row.id), true).await
    }

    async fn delete_records(_conn: &impl ConnectionTrait, _id: i64) -> AppResult<()> {
        Ok(())
    }

    async fn stepped(_conn: &impl ConnectionTrait, _row: &school_pairings::Model) -> AppResult<()> {
        Ok(())
    }

    async fn notify(
        conn: &impl ConnectionTrait,
        ctx: &Context,
        done: &Done<'_, Self>,
    ) -> AppResult<()> {
        let row = done.after;
        let (supporter, receiver) = names(conn, row).await?;
        let both = |kind: &'static str| {
            Notice::new(kind, link(row.id))
                .arg("supporter", &supporter)
                .arg("receiver", &receiver)
        };
        let (notice, to) = match done.action {
            Action::Publish => (
                both("school-pairing-published")
                    .arg("from", &row.year_from)
                    .arg("to", &row.year_to),
                Tell::Schools,
            ),
            Action::Terminate => (
                both("school-pairing-terminated").arg("reason", done.reason),
                Tell::Schools,
            ),
            Action::RequestTermination => (
                both("school-pairing-termination-requested")
                    .arg("name", done.actor.map(|a| a.name.as_str()).unwrap_or(""))
                    .arg("reason", done.reason),
                Tell::Bureau,
            ),
            Action::RejectRequest => (
                both("school-pairing-termination-rejected"),
                Tell::Requester(SchoolPairing::requested_by(done.before)),
            ),
            _ => return Ok(()),
        };
        match to {
            Tell::Schools => {
                notifications::notify_school_admins(conn, row.supporter_id, &notice, ctx).await?;
                notifications::notify_school_admins(conn, row.receiver_id, &notice, ctx).await?;
            }
            Tell::Bureau => notifications::notify_bureau(conn, &notice, ctx).await?,
            Tell::Requester(Some(uid)) => {
                notifications::notify_user(conn, uid, &notice, ctx).await?
            }
            Tell::Requester(None) => {}
        }
        Ok(())
    }
}

/// What `actor` may do now to the pairing (the buttons, the API's `actions`).
pub fn actions_of(actor: &Actor, row: &school_pairings::Model) -> Vec<Action> {
    let parties = access::school_pairing_parties(actor, row);
    workflow::allowed_actions::<SchoolPairing>(SchoolPairing::stage(row), &parties)
}

/// Whom a step of a school pairing tells.
enum Tell {
    Schools,
    Bureau,
    Requester(Option<i64>),
}

/// Publishes drafts (bureau): all of them or none, in one transaction. With an
/// idempotency key, a repeat of the same request (a second click) changes nothing and
/// answers what the first one did.
pub async fn publish(
    db: &impl Conn,
    actor: &Actor,
    ids: &[i64],
    key: Option<&str>,
    ctx: &Context,
) -> AppResult<Vec<school_pairings::Model>> {
    let key = key.map(str::trim).filter(|k| !k.is_empty());
    if let Some(k) = key
        && k.chars().count() > 100
    {
        return Err(AppError::invalid(
            "idempotency_key",
            Msg::new("err-too-long").arg("max", 100),
        ));
    }
    let key = key.map(|k| idempotency::stored_key(actor, "sp-publish", k));
    let key = key.as_deref();
    let mut ids: Vec<i64> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(AppError::invalid(
            "ids",
            Msg::new("err-pairing-none-selected"),
        ));
    }
    if let Some(k) = key
        && let Some(done) = earlier_outcome(db, actor, k).await?
    {
        return Ok(done);
    }
    let txn = db::begin_write(db).await?;
    if let Some(k) = key {
        // Claimed first: a concurrent second click waits here and then finds the key taken.
        let claim = idempotency_keys::ActiveModel {
            key: Set(k.to_string()),
            user_id: Set(actor.user_id),
            outcome: Set(String::new()),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await;
        if let Err(e) = claim {
            drop(txn);
            if db::is_unique_violation(&e)
                && let Some(done) = earlier_outcome(db, actor, k).await?
            {
                return Ok(done);
            }
            return Err(e.into());
        }
    }
    let single = ids.len() == 1;
    let mut published = Vec::new();
    for id in &ids {
        match lifecycle::transition::<SchoolPairing>(
            &txn,
            ctx,
            Some(actor),
            *id,
            Action::Publish,
            "",
        )
        .await
        {
            Ok(row) => published.push(row),
            // An unknown (or hidden) id is a 404 however many were sent, like one alone.
            Err(e) if single || matches!(e, AppError::NotFound) => return Err(e),
            Err(e) => return Err(bulk_error(&txn, *id, e).await),
        }
    }
    if let Some(k) = key {
        let outcome = serde_json::to_string(&ids)?;
        idempotency_keys::ActiveModel {
            key: Set(k.to_string()),
            outcome: Set(outcome),
            ..Default::default()
        }
        .update(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(published)
}

/// The pairings a finished request with this key published (a key of another user is
/// refused).
async fn earlier_outcome(
    db: &impl Conn,
    actor: &Actor,
    key: &str,
) -> AppResult<Option<Vec<school_pairings::Model>>> {
    let Some(row) = idempotency_keys::Entity::find_by_id(key.to_string())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.user_id != actor.user_id {
        return Err(AppError::conflict(
            "idempotency_key",
            "err-idempotency-key-used",
        ));
    }
    let ids: Vec<i64> = serde_json::from_str(&row.outcome).unwrap_or_default();
    let rows = school_pairings::Entity::find()
        .filter(school_pairings::Column::Id.is_in(ids))
        .order_by_asc(school_pairings::Column::Id)
        .all(db)
        .await?;
    Ok(Some(rows))
}

/// A bulk publish's refusal: which pairing, then why, on `ids`.
async fn bulk_error(conn: &impl ConnectionTrait, id: i64, err: AppError) -> AppError {
    let reasons: Vec<Msg> = match &err {
        AppError::Conflict { msg, .. } => vec![msg.clone()],
        AppError::Invalid(fields) => fields.0.values().flatten().cloned().collect(),
        _ => return err,
    };
    let which = match school_pairings::Entity::find_by_id(id).one(conn).await {
        Ok(Some(p)) => match names(conn, &p).await {
            Ok((s, r)) => Msg::new("err-pairing-publish-which")
                .arg("id", id)
                .arg("supporter", s)
                .arg("receiver", r),
            Err(_) => Msg::new("err-pairing-publish-id").arg("id", id),
        },
        _ => Msg::new("err-pairing-publish-id").arg("id", id),
    };
    let mut e = FieldErrors::new();
    e.add("ids", which);
    for r in reasons {
        e.add("ids", r);
    }
    AppError::Invalid(e)
}

/// One step of a pairing's lifecycle in its own transaction (the handlers' entry).
pub async fn step(
    db: &impl Conn,
    ctx: &Context,
    actor: &Actor,
    id: i64,
    action: Action,
    reason: &str,
) -> AppResult<school_pairings::Model> {
    let txn = db::begin_write(db).await?;
    let row =
        lifecycle::transition::<SchoolPairing>(&txn, ctx, Some(actor), id, action, reason).await?;
    txn.commit().await?;
    Ok(row)
}

/// The bureau deletes a draft (never a published pairing), in its own transaction.
pub async fn delete_draft(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    lifecycle::delete::<SchoolPairing>(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(())
}

/// A school admin of either side asks the bureau to end an active pairing.
pub async fn request_termination(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    reason_text: &str,
    ctx: &Context,
) -> AppResult<school_pairings::Model> {
    step(db, ctx, actor, id, Action::RequestTermination, reason_text).await
}

/// The bureau ends an active pairing (with or without a request), giving a reason; both
/// schools are told.
pub async fn terminate(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    reason_text: &str,
    ctx: &Context,
) -> AppResult<school_pairings::Model> {
    step(db, ctx, actor, id, Action::Terminate, reason_text).await
}

/// The bureau turns down a termination request: the request is cleared, the pairing stays
/// active and the person who asked is told.
pub async fn reject_request(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    ctx: &Context,
) -> AppResult<school_pairings::Model> {
    step(db, ctx, actor, id, Action::RejectRequest, "").await
}

/// The last day of an academic year: its recorded end when the year exists, else 31 July
/// of its second calendar year.
async fn year_end(conn: &impl ConnectionTrait, name: &str) -> AppResult<Option<NaiveDate>> {
    if let Some(y) = academic_years::Entity::find()
        .filter(academic_years::Column::Name.eq(name))
        .one(conn)
        .await?
    {
        return Ok(Some(y.ends_on));
    }
    Ok(parse_year_name(name)
        .ok()
        .and_then(|(_, second)| NaiveDate::from_ymd_opt(second, 7, 31)))
}

/// Completes every active pairing whose last year ended before `today` (the scheduled
/// job). Returns how many were completed.
pub async fn complete_ended(db: &impl Conn, today: NaiveDate) -> AppResult<usize> {
    let ctx = Context::new("");
    let txn = db::begin_write(db).await?;
    let active = school_pairings::Entity::find()
        .filter(school_pairings::Column::Status.eq(PairingStatus::Active))
        .all(&txn)
        .await?;
    let mut ends: HashMap<String, Option<NaiveDate>> = HashMap::new();
    let mut done = 0;
    for p in active {
        let end = match ends.get(&p.year_to) {
            Some(e) => *e,
            None => {
                let e = year_end(&txn, &p.year_to).await?;
                ends.insert(p.year_to.clone(), e);
                e
            }
        };
        if end.is_none_or(|e| e >= today) {
            continue;
        }
        lifecycle::transition::<SchoolPairing>(&txn, &ctx, None, p.id, Action::Complete, "")
            .await?;
        done += 1;
    }
    txn.commit().await?;
    Ok(done)
}

/// One entry of a pairing's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub at: chrono::DateTime<Utc>,
    pub action: String,
    pub actor: String,
    /// A reason given with the step, if any.
    pub detail: String,
}

/// What happened to a pairing, newest first, from the audit log.
pub async fn timeline(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<Vec<TimelineEntry>> {
    get(db, actor, id).await?;
    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq(ENTITY))
        .filter(audit_log::Column::EntityId.eq(id))
        .order_by_desc(audit_log::Column::CreatedAt)
        .order_by_desc(audit_log::Column::Id)
        .all(db)
        .await?;
    let people = crate::domain::names::users(db, rows.iter().filter_map(|r| r.actor_id)).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let after: serde_json::Value = r
                .after
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or_default();
            let detail = match r.action.as_str() {
                // Reasons are not shown to teachers (see `for_teacher`).
                _ if actor.role == Role::Teacher => "",
                "terminate" => after["terminate_reason"].as_str().unwrap_or_default(),
                "request_termination" => after["termination_request_reason"]
                    .as_str()
                    .unwrap_or_default(),
                _ => "",
            }
            .to_string();
            TimelineEntry {
                at: r.created_at,
                actor: r
                    .actor_id
                    .and_then(|a| people.get(&a).cloned())
                    .unwrap_or_default(),
                action: r.action,
                detail,
            }
        })
        .collect())
}

/// Active schools for the form's select boxes.
pub async fn school_choices(db: &impl Conn) -> AppResult<Vec<SchoolChoice>> {
    let rows: Vec<(i64, String, String)> = schools::Entity::find()
        .select_only()
        .column(schools::Column::Id)
        .column(schools::Column::Name)
        .column(schools::Column::Kind)
        .filter(schools::Column::IsActive.eq(true))
        .order_by_asc(schools::Column::NameKey)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, name, kind)| {
            Some(SchoolChoice {
                id: id.to_string(),
                name,
                kind: SchoolKind::parse(&kind)?,
            })
        })
        .collect())
}

/// A school offered on the pairing form, with its kind (城区, 乡镇, 农村).
#[derive(Debug, Clone)]
pub struct SchoolChoice {
    pub id: String,
    pub name: String,
    pub kind: SchoolKind,
}

/// How urban a kind is: 2 urban, 1 township, 0 rural. A supporter normally is more urban
/// than the school it supports.
pub fn urbanity(kind: SchoolKind) -> u8 {
    match kind {
        SchoolKind::Urban => 2,
        SchoolKind::Township => 1,
        SchoolKind::Rural => 0,
    }
}

/// The kinds in the order the form offers them: supporters from the most urban, receivers
/// from the most rural.
pub fn kinds_for(side: &str) -> [SchoolKind; 3] {
    if side == "supporter_id" {
        [SchoolKind::Urban, SchoolKind::Township, SchoolKind::Rural]
    } else {
        [SchoolKind::Rural, SchoolKind::Township, SchoolKind::Urban]
    }
}

/// Academic-year names the form offers: the years that exist and the next three after the
/// latest, oldest first.
pub async fn year_choices(db: &impl Conn) -> AppResult<Vec<String>> {
    let mut names: Vec<String> = academic_years::Entity::find()
        .select_only()
        .column(academic_years::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    names.sort();
    let next_from = names
        .last()
        .and_then(|n| crate::domain::academic_years::parse_year_name(n).ok())
        .map(|(_, to)| to)
        .unwrap_or_else(|| chrono::Datelike::year(&crate::domain::types::today()));
    for start in next_from..next_from + 3 {
        names.push(format!("{start}-{}", start + 1));
    }
    Ok(names)
}
