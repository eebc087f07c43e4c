//! Exchange visits (互访): the leaders (领导互访), teachers (教师互访, with 公开课, 示范课, 讲座,
//! 集体备课 and 教研活动), trainees (跟岗培训) or students (学生手拉手) of one school of an
//! active school pairing visiting the other. An admin of either school records a visit:
//! which school hosted it, the dates, the teachers who took part (from the two schools
//! only), the number of students, what was done, a summary and the outcome, and photos
//! (`photos`). What the students of a student visit gave (捐款捐物) becomes an item of the
//! support ledger, marked as from students, that the other school confirms there.
use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::access::{Actor, scope};
use crate::domain::audit;
use crate::domain::context::Context;
use crate::domain::contributions::{self, ContributionForm};
use crate::domain::idempotency::{self, Claim};
use crate::domain::paging::{self, PageRequest, Paged};
use crate::domain::types::{
    self, PairingStatus, Role,
    de::{loose_list, loose_string},
};
use crate::entities::{school_pairings, teachers, visit_photos, visit_teachers, visits};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

crate::domain::types::word_enum!(column
    /// 领导互访 / 教师互访 / 跟岗培训 / 学生手拉手
    VisitKind, "visit-kind", {
        Leader => "leader",
        Teacher => "teacher",
        Training => "training",
        Student => "student",
    }
);

crate::domain::types::word_enum!(
    /// 公开课 / 示范课 / 讲座 / 集体备课 / 教研活动
    VisitActivity, "visit-activity", {
        OpenClass => "open_class",
        DemonstrationClass => "demonstration_class",
        Lecture => "lecture",
        LessonPlanning => "lesson_planning",
        Research => "research",
    }
);

/// The longest a visit lasts, in days.
pub const MAX_DAYS: i64 = 366;
/// The most teachers and students a visit counts.
pub const MAX_TEACHERS: usize = 200;
pub const MAX_STUDENTS: i64 = 5000;
/// The longest summary and outcome.
pub const MAX_TEXT: usize = 4000;

/// The visit form as typed (or sent as JSON).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VisitForm {
    #[serde(deserialize_with = "loose_string")]
    pub kind: String,
    #[serde(deserialize_with = "loose_string")]
    pub host_school_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub starts_on: String,
    #[serde(deserialize_with = "loose_string")]
    pub ends_on: String,
    /// Teacher ids: a JSON list, or repeated form fields (check boxes).
    #[serde(deserialize_with = "loose_list")]
    #[schema(value_type = Vec<i64>)]
    pub teacher_ids: Vec<String>,
    #[serde(deserialize_with = "loose_string")]
    pub student_count: String,
    /// `VisitActivity` words: a JSON list, or repeated form fields.
    #[serde(deserialize_with = "loose_list")]
    pub activities: Vec<String>,
    #[serde(deserialize_with = "loose_string")]
    pub summary: String,
    #[serde(deserialize_with = "loose_string")]
    pub outcome: String,
    /// Student visits: the two classes paired (e.g. 七(2)班 与 七(3)班).
    #[serde(deserialize_with = "loose_string")]
    pub classes: String,
    /// Student visits: what the recording school's students gave.
    #[serde(deserialize_with = "loose_string")]
    pub gift: String,
    /// Its value in yuan as typed ("1,234.56", "1.2万"); with a gift it becomes a ledger
    /// item from students.
    #[serde(deserialize_with = "loose_string")]
    pub gift_value: String,
    /// The version the edit started from (edits only).
    #[serde(deserialize_with = "loose_string")]
    pub version: String,
    #[serde(deserialize_with = "loose_string")]
    pub idempotency_key: String,
}

impl VisitForm {
    pub fn from_model(v: &visits::Model, teacher_ids: &[i64]) -> Self {
        VisitForm {
            kind: v.kind.as_str().into(),
            host_school_id: v.host_school_id.to_string(),
            starts_on: v.starts_on.to_string(),
            ends_on: v.ends_on.to_string(),
            teacher_ids: teacher_ids.iter().map(i64::to_string).collect(),
            student_count: if v.student_count > 0 {
                v.student_count.to_string()
            } else {
                String::new()
            },
            activities: types::parse_json_list(&v.activities),
            summary: v.summary.clone(),
            outcome: v.outcome.clone(),
            classes: v.classes.clone(),
            gift: v.gift.clone(),
            gift_value: String::new(),
            version: v.version.to_string(),
            idempotency_key: String::new(),
        }
    }

    pub fn has_teacher(&self, id: &i64) -> bool {
        let id = id.to_string();
        self.teacher_ids.iter().any(|t| t.trim() == id)
    }

    pub fn has_activity(&self, word: &str) -> bool {
        self.activities.iter().any(|a| a.trim() == word)
    }
}

struct Valid {
    kind: VisitKind,
    host: i64,
    guest: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    teacher_ids: Vec<i64>,
    student_count: i32,
    activities: Vec<&'static str>,
    summary: String,
    outcome: String,
    classes: String,
    gift: String,
}

/// Checks the form against the pairing: the host is one of its two schools, the dates are
/// in order, every participant teaches at one of the two schools.
async fn validate(
    conn: &impl ConnectionTrait,
    p: &school_pairings::Model,
    form: &VisitForm,
) -> AppResult<Valid> {
    let mut e = FieldErrors::new();
    let kind = VisitKind::parse(&form.kind);
    if kind.is_none() {
        e.add("kind", Msg::new("err-choose"));
    }
    let host = match form.host_school_id.trim().parse::<i64>() {
        Ok(h) if h == p.supporter_id || h == p.receiver_id => Some(h),
        _ => {
            e.add("host_school_id", Msg::new("visit-err-host"));
            None
        }
    };
    let starts_on = types::date(&form.starts_on)
        .map_err(|m| e.add("starts_on", m))
        .ok();
    let ends_on = types::date(&form.ends_on)
        .map_err(|m| e.add("ends_on", m))
        .ok();
    if let (Some(s), Some(t)) = (starts_on, ends_on) {
        if t < s {
            e.add("ends_on", Msg::new("visit-err-end-before-start"));
        } else if (t - s).num_days() >= MAX_DAYS {
            e.add("ends_on", Msg::new("visit-err-too-long"));
        }
    }
    let mut ids = BTreeSet::new();
    for t in form
        .teacher_ids
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
    {
        match t.parse::<i64>() {
            Ok(id) => {
                ids.insert(id);
            }
            Err(_) => e.add("teacher_ids", Msg::new("visit-err-participant")),
        }
    }
    if ids.len() > MAX_TEACHERS {
        e.add(
            "teacher_ids",
            Msg::new("visit-err-too-many-teachers").arg("max", MAX_TEACHERS),
        );
    } else if !ids.is_empty() {
        // One query: the chosen teachers who teach at one of the two schools.
        let found: Vec<i64> = teachers::Entity::find()
            .select_only()
            .column(teachers::Column::Id)
            .filter(teachers::Column::Id.is_in(ids.iter().copied()))
            .filter(teachers::Column::SchoolId.is_in([p.supporter_id, p.receiver_id]))
            .into_tuple()
            .all(conn)
            .await?;
        if found.len() != ids.len() {
            e.add("teacher_ids", Msg::new("visit-err-participant"));
        }
    }
    let student_count = if form.student_count.trim().is_empty() {
        if kind == Some(VisitKind::Student) {
            e.add("student_count", Msg::new("visit-err-students"));
        }
        0
    } else {
        let min = if kind == Some(VisitKind::Student) {
            1
        } else {
            0
        };
        types::number_in(&form.student_count, min, MAX_STUDENTS, None)
            .map_err(|m| e.add("student_count", m))
            .unwrap_or(0) as i32
    };
    let mut activities = Vec::new();
    for a in form
        .activities
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
    {
        match VisitActivity::parse(a) {
            Some(w) if !activities.contains(&w.as_str()) => activities.push(w.as_str()),
            Some(_) => {}
            None => e.add("activities", Msg::new("err-choose")),
        }
    }
    let summary = types::required_text(&form.summary, MAX_TEXT)
        .map_err(|m| e.add("summary", m))
        .unwrap_or_default();
    let outcome = types::optional_text(&form.outcome, MAX_TEXT)
        .map_err(|m| e.add("outcome", m))
        .unwrap_or_default();
    let student = kind == Some(VisitKind::Student);
    let classes = types::optional_text(if student { &form.classes } else { "" }, 200)
        .map_err(|m| e.add("classes", m))
        .unwrap_or_default();
    let gift = types::optional_text(if student { &form.gift } else { "" }, 500)
        .map_err(|m| e.add("gift", m))
        .unwrap_or_default();
    e.into_result()?;
    let host = host.unwrap_or(p.supporter_id);
    Ok(Valid {
        kind: kind.unwrap_or(VisitKind::Teacher),
        host,
        guest: if host == p.supporter_id {
            p.receiver_id
        } else {
            p.supporter_id
        },
        starts_on: starts_on.unwrap_or_default(),
        ends_on: ends_on.unwrap_or_default(),
        teacher_ids: ids.into_iter().collect(),
        student_count,
        activities,
        summary,
        outcome,
        classes,
        gift,
    })
}

/// The school pairing a visit is recorded on, as the actor may see it (404 otherwise):
/// 403 for anyone but an admin of one of its schools, 422 on `school_pairing_id` when the
/// pairing is not running.
async fn recording_side(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    pairing_id: i64,
) -> AppResult<(school_pairings::Model, i64)> {
    let p = crate::domain::school_pairings::get(conn, actor, pairing_id).await?;
    let school = actor
        .school_id
        .filter(|s| {
            actor.role == Role::SchoolAdmin && (*s == p.supporter_id || *s == p.receiver_id)
        })
        .ok_or(AppError::Forbidden)?;
    if p.status != PairingStatus::Active {
        return Err(AppError::conflict(
            "school_pairing_id",
            "visit-err-pairing-not-active",
        ));
    }
    Ok((p, school))
}

/// Whether the actor may record visits on this school pairing (an admin of one of its
/// schools, while it runs): for showing the link.
pub fn may_record(actor: &Actor, p: &school_pairings::Model) -> bool {
    actor.role == Role::SchoolAdmin
        && p.status == PairingStatus::Active
        && actor
            .school_id
            .is_some_and(|s| s == p.supporter_id || s == p.receiver_id)
        && policy::allows_some(actor.role, Subject::Visit, Act::Manage)
}

/// Whether the actor may change or remove this visit (an admin of either school).
pub fn may_change(actor: &Actor, v: &visits::Model) -> bool {
    policy::allows(actor.role, Subject::Visit, Act::Write, relation(actor, v))
}

fn relation(actor: &Actor, v: &visits::Model) -> policy::Relation {
    if actor
        .school_id
        .is_some_and(|s| s == v.host_school_id || s == v.guest_school_id)
    {
        policy::Relation::OwnSchool
    } else {
        policy::Relation::Other
    }
}

/// The gift of a student visit as a ledger item from the recording school's students to
/// the other school, when a value was typed (a gift named without a value stays text).
async fn record_gift(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    p: &school_pairings::Model,
    giver: i64,
    v: &Valid,
    form: &VisitForm,
    ctx: &Context,
) -> AppResult<Option<i64>> {
    if v.kind != VisitKind::Student || form.gift_value.trim().is_empty() {
        return Ok(None);
    }
    if v.gift.is_empty() {
        return Err(AppError::invalid("gift", Msg::new("visit-err-gift-what")));
    }
    let receiver = if giver == p.supporter_id {
        p.receiver_id
    } else {
        p.supporter_id
    };
    let item = ContributionForm {
        given_on: v.ends_on.to_string(),
        kind: "other".into(),
        description: v.gift.clone(),
        value: form.gift_value.clone(),
        from_students: "1".into(),
        ..Default::default()
    };
    match contributions::insert(txn, actor, p, giver, receiver, &item, ctx).await {
        Ok(row) => Ok(Some(row.id)),
        // The ledger's messages, said on the visit form's fields.
        Err(AppError::Invalid(errors)) => {
            let mut e = FieldErrors::new();
            for (field, msgs) in errors.0 {
                let field = match field.as_str() {
                    "given_on" => "ends_on",
                    "description" => "gift",
                    _ => "gift_value",
                };
                for m in msgs {
                    e.add(field, m);
                }
            }
            Err(AppError::Invalid(e))
        }
        Err(other) => Err(other),
    }
}

async fn save_teachers(txn: &impl ConnectionTrait, visit: i64, ids: &[i64]) -> AppResult<()> {
    visit_teachers::Entity::delete_many()
        .filter(visit_teachers::Column::VisitId.eq(visit))
        .exec(txn)
        .await?;
    if !ids.is_empty() {
        visit_teachers::Entity::insert_many(ids.iter().map(|&t| visit_teachers::ActiveModel {
            visit_id: Set(visit),
            teacher_id: Set(t),
        }))
        .exec(txn)
        .await?;
    }
    Ok(())
}

/// A visit as the audit log keeps it: the row and who took part.
#[derive(Serialize)]
struct Audited<'a> {
    #[serde(flatten)]
    visit: &'a visits::Model,
    teacher_ids: &'a [i64],
}

/// An admin of one of the two schools records a visit on an active school pairing.
pub async fn create(
    db: &impl Conn,
    actor: &Actor,
    pairing_id: i64,
    form: &VisitForm,
    ctx: &Context,
) -> AppResult<visits::Model> {
    policy::require_some(actor, Subject::Visit, Act::Manage)?;
    let key = idempotency::scoped(actor, "visit", &form.idempotency_key)?;
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
    let (p, school) = recording_side(&txn, actor, pairing_id).await?;
    let v = validate(&txn, &p, form).await?;
    let contribution_id = record_gift(&txn, actor, &p, school, &v, form, ctx).await?;
    let now = Utc::now();
    let row = visits::ActiveModel {
        school_pairing_id: Set(p.id),
        kind: Set(v.kind),
        host_school_id: Set(v.host),
        guest_school_id: Set(v.guest),
        starts_on: Set(v.starts_on),
        ends_on: Set(v.ends_on),
        student_count: Set(v.student_count),
        activities: Set(serde_json::to_string(&v.activities)?),
        summary: Set(v.summary.clone()),
        outcome: Set(v.outcome.clone()),
        classes: Set(v.classes.clone()),
        gift: Set(v.gift.clone()),
        contribution_id: Set(contribution_id),
        recorded_by: Set(Some(actor.user_id)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    save_teachers(&txn, row.id, &v.teacher_ids).await?;
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "create",
        "visit",
        Some(row.id),
        None,
        Some(&Audited {
            visit: &row,
            teacher_ids: &v.teacher_ids,
        }),
    )
    .await?;
    if let Some(k) = &key {
        idempotency::record(&txn, k, row.id).await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// One visit the actor may read (others: 404, so ids do not leak).
pub async fn get(conn: &impl ConnectionTrait, actor: &Actor, id: i64) -> AppResult<visits::Model> {
    visits::Entity::find_by_id(id)
        .filter(scope::visible::<visits::Entity>(actor))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// The visit locked for the rest of the transaction (PostgreSQL), read as the actor may
/// see it; 403 unless they may change it.
pub(crate) async fn for_change(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<visits::Model> {
    visits::Entity::find_by_id(id)
        .select_only()
        .column(visits::Column::Id)
        .lock_exclusive()
        .into_tuple::<i64>()
        .one(conn)
        .await?;
    let v = get(conn, actor, id).await?;
    if !may_change(actor, &v) {
        return Err(AppError::Forbidden);
    }
    Ok(v)
}

/// The teachers who took part in a visit, by id.
pub async fn teacher_ids(conn: &impl ConnectionTrait, visit: i64) -> AppResult<Vec<i64>> {
    Ok(visit_teachers::Entity::find()
        .select_only()
        .column(visit_teachers::Column::TeacherId)
        .filter(visit_teachers::Column::VisitId.eq(visit))
        .order_by_asc(visit_teachers::Column::TeacherId)
        .into_tuple()
        .all(conn)
        .await?)
}

/// An admin of either school corrects a visit (409 `version` when someone saved in
/// between). A gift already in the ledger is changed there; a gift with a value added
/// now becomes a ledger item.
pub async fn update(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &VisitForm,
    ctx: &Context,
) -> AppResult<visits::Model> {
    let txn = db::begin_write(db).await?;
    let before = for_change(&txn, actor, id).await?;
    if form.version.trim() != before.version.to_string() {
        return Err(AppError::conflict("version", "visit-err-stale"));
    }
    let p = school_pairings::Entity::find_by_id(before.school_pairing_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = validate(&txn, &p, form).await?;
    let contribution_id = match before.contribution_id {
        Some(c) => Some(c),
        None => {
            let school = actor.school_id.ok_or(AppError::Forbidden)?;
            if p.status != PairingStatus::Active && !form.gift_value.trim().is_empty() {
                return Err(AppError::conflict(
                    "gift_value",
                    "visit-err-pairing-not-active",
                ));
            }
            record_gift(&txn, actor, &p, school, &v, form, ctx).await?
        }
    };
    let before_teachers = teacher_ids(&txn, id).await?;
    let mut a: visits::ActiveModel = before.clone().into();
    a.kind = Set(v.kind);
    a.host_school_id = Set(v.host);
    a.guest_school_id = Set(v.guest);
    a.starts_on = Set(v.starts_on);
    a.ends_on = Set(v.ends_on);
    a.student_count = Set(v.student_count);
    a.activities = Set(serde_json::to_string(&v.activities)?);
    a.summary = Set(v.summary.clone());
    a.outcome = Set(v.outcome.clone());
    a.classes = Set(v.classes.clone());
    a.gift = Set(v.gift.clone());
    a.contribution_id = Set(contribution_id);
    a.version = Set(before.version + 1);
    a.updated_at = Set(Utc::now());
    let row = a.update(&txn).await?;
    save_teachers(&txn, id, &v.teacher_ids).await?;
    audit::record(
        &txn,
        Some(actor),
        "update",
        "visit",
        Some(id),
        Some(&Audited {
            visit: &before,
            teacher_ids: &before_teachers,
        }),
        Some(&Audited {
            visit: &row,
            teacher_ids: &v.teacher_ids,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// An admin of either school removes a visit with its photos (their files are removed
/// once the rows are gone). A ledger item made from its gift stays in the ledger.
pub async fn delete(
    db: &impl Conn,
    store: &crate::domain::files::FileStore,
    actor: &Actor,
    id: i64,
) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    let before = for_change(&txn, actor, id).await?;
    let photos = visit_photos::Entity::find()
        .filter(visit_photos::Column::VisitId.eq(id))
        .all(&txn)
        .await?;
    visit_photos::Entity::delete_many()
        .filter(visit_photos::Column::VisitId.eq(id))
        .exec(&txn)
        .await?;
    visit_teachers::Entity::delete_many()
        .filter(visit_teachers::Column::VisitId.eq(id))
        .exec(&txn)
        .await?;
    visits::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record::<_, ()>(
        &txn,
        Some(actor),
        "delete",
        "visit",
        Some(id),
        Some(&before),
        None,
    )
    .await?;
    txn.commit().await?;
    for photo in photos {
        crate::domain::photos::remove_files(store, &photo).await;
    }
    Ok(())
}

/// What the visit list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct VisitFilter {
    pub school_pairing_id: Option<i64>,
    /// Hosted or visited by this school.
    pub school_id: Option<i64>,
    /// Either school in this district.
    pub district: String,
    /// Begun within this academic year's dates.
    pub academic_year_id: Option<i64>,
    pub kind: Option<VisitKind>,
    /// Visits this teacher took part in; `teachers` any of these.
    pub teachers: Vec<i64>,
}

async fn condition(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    f: &VisitFilter,
) -> AppResult<Condition> {
    use visits::Column as C;
    let mut c = Condition::all().add(scope::visible::<visits::Entity>(actor));
    if let Some(p) = f.school_pairing_id {
        c = c.add(C::SchoolPairingId.eq(p));
    }
    c = c.add(crate::domain::schools::either_school(
        C::HostSchoolId,
        C::GuestSchoolId,
        f.school_id,
        &f.district,
    ));
    if let Some(y) = f.academic_year_id {
        c = c.add(crate::domain::academic_years::within(conn, C::StartsOn, y).await?);
    }
    if let Some(k) = f.kind {
        c = c.add(C::Kind.eq(k));
    }
    if !f.teachers.is_empty() {
        c = c.add(
            C::Id.in_subquery(
                Query::select()
                    .column(visit_teachers::Column::VisitId)
                    .from(visit_teachers::Entity)
                    .and_where(visit_teachers::Column::TeacherId.is_in(f.teachers.clone()))
                    .to_owned(),
            ),
        );
    }
    Ok(c)
}

/// One page of visits the actor may read, latest first.
pub async fn list(
    db: &impl Conn,
    actor: &Actor,
    filter: &VisitFilter,
    page: PageRequest,
) -> AppResult<Paged<visits::Model>> {
    policy::require_some(actor, Subject::Visit, Act::List)?;
    let select = visits::Entity::find()
        .filter(condition(db, actor, filter).await?)
        .order_by_desc(visits::Column::StartsOn)
        .order_by_desc(visits::Column::Id);
    paging::fetch(db, select, page).await
}

/// How many visits of each kind the filter selects (one grouped query), in the kinds'
/// order, every kind present.
pub async fn counts_by_kind(
    db: &impl Conn,
    actor: &Actor,
    filter: &VisitFilter,
) -> AppResult<Vec<(VisitKind, i64)>> {
    policy::require_some(actor, Subject::Visit, Act::List)?;
    let rows: Vec<(VisitKind, i64)> = visits::Entity::find()
        .select_only()
        .column(visits::Column::Kind)
        .column_as(visits::Column::Id.count(), "n")
        .filter(condition(db, actor, filter).await?)
        .group_by(visits::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let found: HashMap<VisitKind, i64> = rows.into_iter().collect();
    Ok(VisitKind::ALL
        .iter()
        .map(|k| (*k, found.get(k).copied().unwrap_or(0)))
        .collect())
}

/// A visit with the names people read.
#[derive(Debug, Clone, Serialize)]
pub struct VisitRow {
    pub row: visits::Model,
    pub host: String,
    pub guest: String,
    /// The participants' names, in the order of their ids.
    pub teachers: Vec<String>,
    pub photos: usize,
}

impl VisitRow {
    pub fn activities(&self) -> Vec<String> {
        types::parse_json_list(&self.row.activities)
    }
}

/// Visits with their schools' and teachers' names and photo counts: three queries for
/// any number of visits.
pub async fn with_names(
    conn: &impl ConnectionTrait,
    rows: Vec<visits::Model>,
) -> AppResult<Vec<VisitRow>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let schools = crate::domain::names::schools(
        conn,
        rows.iter()
            .flat_map(|r| [r.host_school_id, r.guest_school_id]),
    )
    .await?;
    let mut by_visit: HashMap<i64, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let pairs: Vec<(i64, String)> = visit_teachers::Entity::find()
            .select_only()
            .column(visit_teachers::Column::VisitId)
            .column(teachers::Column::Name)
            .join(
                sea_orm::JoinType::InnerJoin,
                visit_teachers::Relation::Teacher.def(),
            )
            .filter(visit_teachers::Column::VisitId.is_in(chunk.to_vec()))
            .order_by_asc(visit_teachers::Column::VisitId)
            .order_by_asc(visit_teachers::Column::TeacherId)
            .into_tuple()
            .all(conn)
            .await?;
        for (v, name) in pairs {
            by_visit.entry(v).or_default().push(name);
        }
    }
    let photos = crate::domain::photos::counts(conn, &ids).await?;
    let name = |id: i64| schools.get(&id).cloned().unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|r| VisitRow {
            host: name(r.host_school_id),
            guest: name(r.guest_school_id),
            teachers: by_visit.remove(&r.id).unwrap_or_default(),
            photos: photos.get(&r.id).copied().unwrap_or(0),
            row: r,
        })
        .collect())
}

/// A page of visits with names.
pub async fn list_rows(
    db: &impl Conn,
    actor: &Actor,
    filter: &VisitFilter,
    page: PageRequest,
) -> AppResult<Paged<VisitRow>> {
    let mut paged = list(db, actor, filter, page).await?;
    let rows = std::mem::take(&mut paged.items);
    let items = with_names(db, rows).await?;
    Ok(paged.with_items(items))
}

/// The teachers a visit's participants are chosen from: the active teachers of the two
/// schools, grouped by school (supporter first), by name; one query.
pub async fn candidates(
    conn: &impl ConnectionTrait,
    p: &school_pairings::Model,
) -> AppResult<Vec<(i64, Vec<(i64, String)>)>> {
    let rows: Vec<(i64, i64, String)> = teachers::Entity::find()
        .select_only()
        .column(teachers::Column::SchoolId)
        .column(teachers::Column::Id)
        .column(teachers::Column::Name)
        .filter(teachers::Column::SchoolId.is_in([p.supporter_id, p.receiver_id]))
        .filter(teachers::Column::IsActive.eq(true))
        .order_by_asc(teachers::Column::NameKey)
        .limit(1000)
        .into_tuple()
        .all(conn)
        .await?;
    let mut out = vec![(p.supporter_id, Vec::new()), (p.receiver_id, Vec::new())];
    for (school, id, name) in rows {
        if let Some(group) = out.iter_mut().find(|g| g.0 == school) {
            group.1.push((id, name));
        }
    }
    Ok(out)
}

/// The participants of each of these visits, by id (one query per 500 visits).
pub async fn teachers_of(
    conn: &impl ConnectionTrait,
    visit_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<i64>>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in visit_ids.chunks(500) {
        let pairs: Vec<(i64, i64)> = visit_teachers::Entity::find()
            .select_only()
            .column(visit_teachers::Column::VisitId)
            .column(visit_teachers::Column::TeacherId)
            .filter(visit_teachers::Column::VisitId.is_in(chunk.to_vec()))
            .order_by_asc(visit_teachers::Column::VisitId)
            .order_by_asc(visit_teachers::Column::TeacherId)
            .into_tuple()
            .all(conn)
            .await?;
        for (v, t) in pairs {
            out.entry(v).or_default().push(t);
        }
    }
    Ok(out)
}
