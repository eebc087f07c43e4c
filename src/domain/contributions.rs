//! The two-sided support ledger (资金/物资帮扶): money and material one school of a school
//! pairing gives the other. The giving school's admin records an item; the receiving
//! school's admin confirms it or disputes it with a note; the giver may correct a disputed
//! item (it is then recorded again) or delete an unconfirmed one. Totals count confirmed
//! items and show those waiting and disputed apart. Money is integer fen end to end
//! (`money`).
use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::access::{Actor, scope};
use crate::domain::audit;
use crate::domain::context::Context;
use crate::domain::idempotency::{self, Claim};
use crate::domain::money;
use crate::domain::notifications::{self, Notice};
use crate::domain::paging::{self, PageRequest, Paged};
use crate::domain::types::{self, PairingStatus, Role, de::loose_string};
use crate::domain::workflow::{self, Party, Step, Workflow};
use crate::entities::{contributions, school_pairings};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

crate::domain::types::word_enum!(column
    /// 资金 / 设备 / 图书 / 其他
    ContributionKind, "contribution-kind", {
        Funds => "funds",
        Equipment => "equipment",
        Books => "books",
        Other => "other",
    }
);

crate::domain::types::word_enum!(column
    /// An item's stage: recorded by the giver, then confirmed or disputed by the receiver.
    LedgerStatus, "ledger-status", {
        Recorded => "recorded",
        Confirmed => "confirmed",
        Disputed => "disputed",
    }
);

impl LedgerStatus {
    /// The status badge's class: waiting, confirmed, disputed.
    pub fn css(self) -> &'static str {
        match self {
            LedgerStatus::Recorded => "warn",
            LedgerStatus::Confirmed => "on",
            LedgerStatus::Disputed => "bad",
        }
    }
}

crate::domain::types::word_enum!(
    /// What can be done to an item.
    LedgerAction, "ledger-action", {
        Edit => "edit",
        Confirm => "confirm",
        Dispute => "dispute",
        Delete => "delete",
    }
);

/// The ledger's steps (see `docs/workflow.md`).
pub struct LedgerFlow;

impl Workflow for LedgerFlow {
    type Stage = LedgerStatus;
    type Action = LedgerAction;
    const STEPS: &'static [Step<LedgerStatus, LedgerAction>] = {
        use LedgerStatus::{Confirmed, Disputed, Recorded};
        use Party::{Bureau, Giver, Receiver};
        &[
            Step {
                from: &[Recorded, Disputed],
                action: LedgerAction::Edit,
                to: Some(Recorded),
                who: &[Giver],
            },
            Step {
                from: &[Recorded],
                action: LedgerAction::Confirm,
                to: Some(Confirmed),
                who: &[Receiver],
            },
            Step {
                from: &[Recorded],
                action: LedgerAction::Dispute,
                to: Some(Disputed),
                who: &[Receiver],
            },
            Step {
                from: &[Recorded, Disputed],
                action: LedgerAction::Delete,
                to: None,
                who: &[Giver, Bureau],
            },
        ]
    };
    const WRONG_STAGE: &'static str = "ledger-err-stage";
}

/// How the actor stands to an item: the bureau; an admin of the giving or the receiving
/// school.
pub fn parties(actor: &Actor, c: &contributions::Model) -> Vec<Party> {
    let mut out = Vec::new();
    if actor.is_bureau() {
        out.push(Party::Bureau);
    }
    if actor.role == Role::SchoolAdmin {
        if actor.school_id == Some(c.giver_school_id) {
            out.push(Party::Giver);
        }
        if actor.school_id == Some(c.receiver_school_id) {
            out.push(Party::Receiver);
        }
    }
    out
}

/// What the actor may do to the item now (buttons, the API's `actions`).
pub fn actions_of(actor: &Actor, c: &contributions::Model) -> Vec<LedgerAction> {
    workflow::allowed_actions::<LedgerFlow>(c.status, &parties(actor, c))
}

/// The most units an item counts (a quantity).
pub const MAX_QUANTITY: i64 = 1_000_000;

/// The ledger form as typed (or sent as JSON). Pages send `value` in yuan as typed
/// ("17.5万", "1,234.56"); the API may send `value_fen` instead.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ContributionForm {
    #[serde(deserialize_with = "loose_string")]
    pub given_on: String,
    #[serde(deserialize_with = "loose_string")]
    pub kind: String,
    #[serde(deserialize_with = "loose_string")]
    pub description: String,
    #[serde(deserialize_with = "loose_string")]
    pub quantity: String,
    #[serde(deserialize_with = "loose_string")]
    pub value: String,
    #[serde(deserialize_with = "loose_string")]
    pub value_fen: String,
    #[serde(deserialize_with = "loose_string")]
    pub from_students: String,
    /// The version the edit started from (edits only).
    #[serde(deserialize_with = "loose_string")]
    pub version: String,
    #[serde(deserialize_with = "loose_string")]
    pub idempotency_key: String,
}

impl ContributionForm {
    pub fn from_model(c: &contributions::Model) -> Self {
        ContributionForm {
            given_on: c.given_on.to_string(),
            kind: c.kind.as_str().into(),
            description: c.description.clone(),
            quantity: c.quantity.map(|q| q.to_string()).unwrap_or_default(),
            value: money::plain_yuan(c.value_fen),
            value_fen: String::new(),
            from_students: if c.from_students {
                "1".into()
            } else {
                "".into()
            },
            version: c.version.to_string(),
            idempotency_key: String::new(),
        }
    }
}

struct Valid {
    given_on: NaiveDate,
    kind: ContributionKind,
    description: String,
    quantity: Option<i32>,
    value_fen: i64,
    from_students: bool,
}

fn validate(form: &ContributionForm, today: NaiveDate) -> AppResult<Valid> {
    let mut e = FieldErrors::new();
    let given_on = match types::date(&form.given_on) {
        Ok(d) if d > today => {
            e.add("given_on", Msg::new("ledger-err-future"));
            None
        }
        Ok(d) => Some(d),
        Err(m) => {
            e.add("given_on", m);
            None
        }
    };
    let kind = ContributionKind::parse(&form.kind);
    if kind.is_none() {
        e.add("kind", Msg::new("err-choose"));
    }
    let description = types::required_text(&form.description, 500)
        .map_err(|m| e.add("description", m))
        .unwrap_or_default();
    let quantity = if form.quantity.trim().is_empty() {
        None
    } else {
        types::number_in(&form.quantity, 1, MAX_QUANTITY, None)
            .map_err(|m| e.add("quantity", m))
            .ok()
            .map(|q| q as i32)
    };
    let value_fen = if !form.value_fen.trim().is_empty() {
        types::number_in(&form.value_fen, 1, money::MAX_FEN, None)
            .map_err(|m| e.add("value_fen", m))
            .ok()
    } else {
        money::parse_yuan(&form.value)
            .map_err(|m| e.add("value", m))
            .ok()
    };
    e.into_result()?;
    Ok(Valid {
        given_on: given_on.unwrap_or(today),
        kind: kind.unwrap_or(ContributionKind::Other),
        description,
        quantity,
        value_fen: value_fen.unwrap_or(1),
        from_students: crate::domain::academic_years::truthy(&form.from_students),
    })
}

/// The school pairing an item is recorded on, as the actor may see it (404 otherwise),
/// with the actor's school as the giver: 403 for anyone but an admin of one of its two
/// schools, 409 when the pairing is not running.
async fn giving_side(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    pairing_id: i64,
) -> AppResult<(school_pairings::Model, i64, i64)> {
    let p = crate::domain::school_pairings::get(conn, actor, pairing_id).await?;
    let giver = actor
        .school_id
        .filter(|s| {
            actor.role == Role::SchoolAdmin && (*s == p.supporter_id || *s == p.receiver_id)
        })
        .ok_or(AppError::Forbidden)?;
    if p.status != PairingStatus::Active {
        return Err(AppError::conflict(
            "school_pairing_id",
            "ledger-err-pairing-not-active",
        ));
    }
    let receiver = if giver == p.supporter_id {
        p.receiver_id
    } else {
        p.supporter_id
    };
    Ok((p, giver, receiver))
}

/// The giving school's admin records an item on an active school pairing.
pub async fn create(
    db: &impl Conn,
    actor: &Actor,
    pairing_id: i64,
    form: &ContributionForm,
    ctx: &Context,
) -> AppResult<contributions::Model> {
    policy::require_some(actor, Subject::Contribution, Act::Manage)?;
    let key = idempotency::scoped(actor, "contribution", &form.idempotency_key)?;
    if let Some(k) = &key
        && let Some(id) = idempotency::earlier(db, actor, k).await?
    {
        return get(db, actor, id).await;
    }
    let mut txn = db::begin_write(db).await?;
    if let Some(k) = &key {
        match idempotency::claim(db, txn, actor, k).await? {
            Claim::Claimed(t) => txn = t,
            Claim::Done(Some(id)) => return get(db, actor, id).await,
            Claim::Done(None) => {
                return Err(AppError::conflict(
                    "idempotency_key",
                    "err-idempotency-key-used",
                ));
            }
        }
    }
    let (p, giver, receiver) = giving_side(&txn, actor, pairing_id).await?;
    let row = insert(&txn, actor, &p, giver, receiver, form, ctx).await?;
    if let Some(k) = &key {
        idempotency::record(&txn, k, row.id).await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// Checks and records an item from `giver` to `receiver` on pairing `p` inside the
/// caller's transaction (the ledger's own form, or the gift of a student visit); the
/// receiving school's admins are told it waits for them.
pub(crate) async fn insert(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    p: &school_pairings::Model,
    giver: i64,
    receiver: i64,
    form: &ContributionForm,
    ctx: &Context,
) -> AppResult<contributions::Model> {
    let v = validate(form, types::today())?;
    let now = Utc::now();
    let row = contributions::ActiveModel {
        school_pairing_id: Set(p.id),
        giver_school_id: Set(giver),
        receiver_school_id: Set(receiver),
        given_on: Set(v.given_on),
        kind: Set(v.kind),
        description: Set(v.description),
        quantity: Set(v.quantity),
        value_fen: Set(v.value_fen),
        from_students: Set(v.from_students),
        status: Set(LedgerStatus::Recorded),
        note: Set(String::new()),
        recorded_by: Set(Some(actor.user_id)),
        answered_by: Set(None),
        answered_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record::<(), _>(
        txn,
        Some(actor),
        "create",
        "contribution",
        Some(row.id),
        None,
        Some(&row),
    )
    .await?;
    tell(txn, &row, "ledger-recorded", ctx).await?;
    Ok(row)
}

/// Tells the side that acts next: the receiving school's admins of an item waiting for
/// them (`ledger-recorded`), the giving school's of an answer (`ledger-confirmed`,
/// `ledger-disputed`).
async fn tell(
    conn: &impl ConnectionTrait,
    row: &contributions::Model,
    kind: &'static str,
    ctx: &Context,
) -> AppResult<()> {
    let (to, from) = if kind == "ledger-recorded" {
        (row.receiver_school_id, row.giver_school_id)
    } else {
        (row.giver_school_id, row.receiver_school_id)
    };
    let school = crate::domain::names::schools(conn, [from])
        .await?
        .remove(&from)
        .unwrap_or_default();
    let notice = Notice::new(kind, format!("/contributions/{}", row.id))
        .arg("school", school)
        .arg("what", &row.description)
        .arg("value", money::format_yuan(row.value_fen))
        .arg("note", &row.note);
    notifications::notify_school_admins(conn, to, &notice, ctx).await?;
    Ok(())
}

/// One item the actor may read (others: 404, so ids do not leak).
pub async fn get(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<contributions::Model> {
    contributions::Entity::find_by_id(id)
        .filter(scope::visible::<contributions::Entity>(actor))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// The item locked for the rest of the transaction (PostgreSQL), read as the actor may see
/// it, with the step `action` checked against its stage (403 / 409).
async fn for_step(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    action: LedgerAction,
) -> AppResult<(contributions::Model, Option<LedgerStatus>)> {
    contributions::Entity::find_by_id(id)
        .select_only()
        .column(contributions::Column::Id)
        .lock_exclusive()
        .into_tuple::<i64>()
        .one(conn)
        .await?;
    let before = get(conn, actor, id).await?;
    let to = ensure(actor, &before, action)?;
    Ok((before, to))
}

/// Refuses `action` on the item unless `actor` may take it now (403 for someone who never
/// may, 409 `status` once confirmed); the stage it leads to.
pub fn ensure(
    actor: &Actor,
    c: &contributions::Model,
    action: LedgerAction,
) -> AppResult<Option<LedgerStatus>> {
    Ok(workflow::step::<LedgerFlow>(c.status, action, &parties(actor, c))?.to)
}

/// The giver corrects an item that is not confirmed (409 `version` when someone saved in
/// between); a disputed item is recorded again and waits for the receiver.
pub async fn update(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &ContributionForm,
    ctx: &Context,
) -> AppResult<contributions::Model> {
    let txn = db::begin_write(db).await?;
    let (before, to) = for_step(&txn, actor, id, LedgerAction::Edit).await?;
    if form.version.trim() != before.version.to_string() {
        return Err(AppError::conflict("version", "ledger-err-stale"));
    }
    let v = validate(form, types::today())?;
    let mut a: contributions::ActiveModel = before.clone().into();
    a.given_on = Set(v.given_on);
    a.kind = Set(v.kind);
    a.description = Set(v.description);
    a.quantity = Set(v.quantity);
    a.value_fen = Set(v.value_fen);
    a.from_students = Set(v.from_students);
    a.status = Set(to.unwrap_or(before.status));
    a.note = Set(String::new());
    a.answered_by = Set(None);
    a.answered_at = Set(None);
    a.version = Set(before.version + 1);
    a.updated_at = Set(Utc::now());
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        "update",
        "contribution",
        Some(id),
        Some(&before),
        Some(&row),
    )
    .await?;
    // A disputed item corrected waits for the receiver again.
    if before.status == LedgerStatus::Disputed {
        tell(&txn, &row, "ledger-recorded", ctx).await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// The receiver confirms an item (an optional note) or disputes it (a note saying why).
pub async fn answer(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    action: LedgerAction,
    note: &str,
    ctx: &Context,
) -> AppResult<contributions::Model> {
    if !matches!(action, LedgerAction::Confirm | LedgerAction::Dispute) {
        return Err(AppError::bad_request("error-400-text"));
    }
    let txn = db::begin_write(db).await?;
    let (before, to) = for_step(&txn, actor, id, action).await?;
    let note = if action == LedgerAction::Dispute {
        types::required_text(note, 500)
    } else {
        types::optional_text(note, 500)
    }
    .map_err(|m| AppError::invalid("note", m))?;
    let now = Utc::now();
    let mut a: contributions::ActiveModel = before.clone().into();
    a.status = Set(to.unwrap_or(before.status));
    a.note = Set(note);
    a.answered_by = Set(Some(actor.user_id));
    a.answered_at = Set(Some(now));
    a.version = Set(before.version + 1);
    a.updated_at = Set(now);
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        action.as_str(),
        "contribution",
        Some(id),
        Some(&before),
        Some(&row),
    )
    .await?;
    let kind = if action == LedgerAction::Confirm {
        "ledger-confirmed"
    } else {
        "ledger-disputed"
    };
    tell(&txn, &row, kind, ctx).await?;
    txn.commit().await?;
    Ok(row)
}

/// The giver (or the bureau) deletes an item that is not confirmed.
pub async fn delete(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    let (before, _) = for_step(&txn, actor, id, LedgerAction::Delete).await?;
    contributions::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record::<_, ()>(
        &txn,
        Some(actor),
        "delete",
        "contribution",
        Some(id),
        Some(&before),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What the ledger is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    pub school_pairing_id: Option<i64>,
    /// Given or received by this school.
    pub school_id: Option<i64>,
    /// Either school in this district.
    pub district: String,
    /// Given within this academic year's dates.
    pub academic_year_id: Option<i64>,
    pub status: Option<LedgerStatus>,
    pub kind: Option<ContributionKind>,
}

async fn condition(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    f: &LedgerFilter,
) -> AppResult<Condition> {
    use contributions::Column as C;
    let mut c = Condition::all().add(scope::visible::<contributions::Entity>(actor));
    if let Some(p) = f.school_pairing_id {
        c = c.add(C::SchoolPairingId.eq(p));
    }
    c = c.add(crate::domain::schools::either_school(
        C::GiverSchoolId,
        C::ReceiverSchoolId,
        f.school_id,
        &f.district,
    ));
    if let Some(y) = f.academic_year_id {
        c = c.add(crate::domain::academic_years::within(conn, C::GivenOn, y).await?);
    }
    if let Some(s) = f.status {
        c = c.add(C::Status.eq(s));
    }
    if let Some(k) = f.kind {
        c = c.add(C::Kind.eq(k));
    }
    Ok(c)
}

/// One page of items the actor may read, latest first.
pub async fn list(
    db: &impl Conn,
    actor: &Actor,
    filter: &LedgerFilter,
    page: PageRequest,
) -> AppResult<Paged<contributions::Model>> {
    policy::require_some(actor, Subject::Contribution, Act::List)?;
    let select = contributions::Entity::find()
        .filter(condition(db, actor, filter).await?)
        .order_by_desc(contributions::Column::GivenOn)
        .order_by_desc(contributions::Column::Id);
    paging::fetch(db, select, page).await
}

/// Count and sum of items in one stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Sum {
    pub count: i64,
    pub value_fen: i64,
}

/// Totals of the items a filter selects: confirmed ones count; those waiting for the
/// receiver and disputed ones are shown apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Totals {
    pub confirmed: Sum,
    pub recorded: Sum,
    pub disputed: Sum,
}

impl Totals {
    pub fn is_empty(&self) -> bool {
        self.confirmed.count + self.recorded.count + self.disputed.count == 0
    }
}

/// The totals of the items the filter selects: one grouped query.
pub async fn totals(db: &impl Conn, actor: &Actor, filter: &LedgerFilter) -> AppResult<Totals> {
    policy::require_some(actor, Subject::Contribution, Act::List)?;
    use contributions::Column as C;
    let rows: Vec<(LedgerStatus, i64, i64)> = contributions::Entity::find()
        .select_only()
        .column(C::Status)
        .column_as(C::Id.count(), "n")
        // SUM of a BIGINT is NUMERIC on PostgreSQL.
        .column_as(
            Expr::expr(Func::cast_as(Func::sum(Expr::col(C::ValueFen)), "BIGINT")),
            "fen",
        )
        .filter(condition(db, actor, filter).await?)
        .group_by(C::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut t = Totals::default();
    for (status, count, value_fen) in rows {
        let sum = Sum { count, value_fen };
        match status {
            LedgerStatus::Confirmed => t.confirmed = sum,
            LedgerStatus::Recorded => t.recorded = sum,
            LedgerStatus::Disputed => t.disputed = sum,
        }
    }
    Ok(t)
}

/// An item with the names people read and what the viewer may do.
#[derive(Debug, Clone, Serialize)]
pub struct ContributionRow {
    pub row: contributions::Model,
    pub giver: String,
    pub receiver: String,
    pub actions: Vec<LedgerAction>,
}

impl ContributionRow {
    pub fn may(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a.as_str() == action)
    }

    pub fn value(&self) -> String {
        money::format_yuan(self.row.value_fen)
    }
}

/// Items with their schools' names: one query for the names.
pub async fn with_names(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    rows: Vec<contributions::Model>,
) -> AppResult<Vec<ContributionRow>> {
    let names: HashMap<i64, String> = crate::domain::names::schools(
        conn,
        rows.iter()
            .flat_map(|r| [r.giver_school_id, r.receiver_school_id]),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ContributionRow {
            giver: names.get(&r.giver_school_id).cloned().unwrap_or_default(),
            receiver: names
                .get(&r.receiver_school_id)
                .cloned()
                .unwrap_or_default(),
            actions: actions_of(actor, &r),
            row: r,
        })
        .collect())
}

/// A page of items with names.
pub async fn list_rows(
    db: &impl Conn,
    actor: &Actor,
    filter: &LedgerFilter,
    page: PageRequest,
) -> AppResult<Paged<ContributionRow>> {
    let mut paged = list(db, actor, filter, page).await?;
    let rows = std::mem::take(&mut paged.items);
    let items = with_names(db, actor, rows).await?;
    Ok(paged.with_items(items))
}

/// Whether the actor may record items on this school pairing (an admin of one of its
/// schools, while it runs): for showing the link.
pub fn may_record(actor: &Actor, p: &school_pairings::Model) -> bool {
    actor.role == Role::SchoolAdmin
        && p.status == PairingStatus::Active
        && actor
            .school_id
            .is_some_and(|s| s == p.supporter_id || s == p.receiver_id)
        && policy::allows_some(actor.role, Subject::Contribution, Act::Manage)
}
