//! Teacher pairings (师徒结对): a mentor and a mentee for a subject and an academic year,
//! optionally inside a school pairing, with the draft → active → completed / terminated
//! lifecycle. The work plan (工作方案) of a pairing is `work_plans`.
use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::access::scope;
use crate::domain::access::{self, Actor, Visible};
use crate::domain::audit;
use crate::domain::context::Context;
use crate::domain::notifications::{self, Notice};
use crate::domain::paging::{self, PageRequest, Paged};
use crate::domain::pairing_lifecycle::{
    self as lifecycle, Action, Done, PairingKind, Stage, TeacherPairingFlow,
};
use crate::domain::types::{self, PairingStatus, de::loose_string};
use crate::domain::work_plans::WorkPlan;
use crate::domain::workflow::{self, Party};
use crate::domain::{idempotency, settings, users};
use crate::entities::{
    academic_years, audit_log, idempotency_keys, plan_comments, school_pairings, schools,
    teacher_pairings, teachers,
};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

/// The audit log's entity name for these rows.
pub const ENTITY: &str = "teacher_pairing";

/// A pairing as typed or sent as JSON; values kept as text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TeacherPairingForm {
    #[serde(deserialize_with = "loose_string")]
    pub mentor_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub mentee_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub subject: String,
    #[serde(deserialize_with = "loose_string")]
    pub academic_year_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub school_pairing_id: String,
}

impl TeacherPairingForm {
    pub fn from_model(p: &teacher_pairings::Model) -> Self {
        TeacherPairingForm {
            mentor_id: p.mentor_id.to_string(),
            mentee_id: p.mentee_id.to_string(),
            subject: p.subject.clone(),
            academic_year_id: p.academic_year_id.to_string(),
            school_pairing_id: p
                .school_pairing_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
        }
    }
}

/// A pairing that passed the field checks (the rules against other rows come after).
#[derive(Debug, Clone, PartialEq)]
struct NewPairing {
    mentor_id: i64,
    mentee_id: i64,
    subject: String,
    academic_year_id: i64,
    school_pairing_id: Option<i64>,
}

fn id_field(value: &str, required: bool) -> Result<Option<i64>, Msg> {
    let value = value.trim();
    if value.is_empty() {
        return if required {
            Err(Msg::new("err-required"))
        } else {
            Ok(None)
        };
    }
    match value.parse::<i64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(Msg::new("err-not-a-number")),
    }
}

fn parse_form(f: &TeacherPairingForm) -> Result<NewPairing, FieldErrors> {
    let mut e = FieldErrors::new();
    let mentor = id_field(&f.mentor_id, true)
        .map_err(|m| e.add("mentor_id", m))
        .ok()
        .flatten();
    let mentee = id_field(&f.mentee_id, true)
        .map_err(|m| e.add("mentee_id", m))
        .ok()
        .flatten();
    let subject = types::required_text(&f.subject, 50)
        .map_err(|m| e.add("subject", m))
        .ok();
    let year = id_field(&f.academic_year_id, true)
        .map_err(|m| e.add("academic_year_id", m))
        .ok()
        .flatten();
    let sp = id_field(&f.school_pairing_id, false)
        .map_err(|m| e.add("school_pairing_id", m))
        .ok()
        .flatten();
    if !e.is_empty() {
        return Err(e);
    }
    Ok(NewPairing {
        mentor_id: mentor.unwrap_or_default(),
        mentee_id: mentee.unwrap_or_default(),
        subject: subject.unwrap_or_default(),
        academic_year_id: year.unwrap_or_default(),
        school_pairing_id: sp,
    })
}

async fn active_count_of_mentor(
    conn: &impl ConnectionTrait,
    mentor_id: i64,
    except: Option<i64>,
) -> AppResult<u64> {
    let mut q = teacher_pairings::Entity::find()
        .filter(teacher_pairings::Column::MentorId.eq(mentor_id))
        .filter(teacher_pairings::Column::Status.eq(PairingStatus::Active));
    if let Some(id) = except {
        q = q.filter(teacher_pairings::Column::Id.ne(id));
    }
    Ok(q.count(conn).await?)
}

/// Locks the two teachers' rows until the transaction ends (PostgreSQL; SQLite's writes are
/// serialised anyway), so two concurrent publishes for one mentor or mentee cannot both
/// pass the cap and the one-pairing-per-subject rule.
async fn lock_teachers(conn: &impl ConnectionTrait, ids: &[i64]) -> AppResult<()> {
    teachers::Entity::find()
        .select_only()
        .column(teachers::Column::Id)
        .filter(teachers::Column::Id.is_in(ids.to_vec()))
        .order_by_asc(teachers::Column::Id)
        .lock_exclusive()
        .into_tuple::<i64>()
        .all(conn)
        .await?;
    Ok(())
}

/// Locks the pairing's row until the transaction ends (PostgreSQL; SQLite's writes are
/// serialised anyway): a record added to the pairing (an observation, a reflection, a
/// comment) and the pairing's termination or completion cannot cross — whichever comes
/// second sees the other's outcome.
pub(crate) async fn lock_row(conn: &impl ConnectionTrait, id: i64) -> AppResult<()> {
    teacher_pairings::Entity::find_by_id(id)
        .select_only()
        .column(teacher_pairings::Column::Id)
        .lock_exclusive()
        .into_tuple::<i64>()
        .one(conn)
        .await?;
    Ok(())
}

/// The pairing as the actor may see it, its row locked for a change to its records (see
/// `lock_row`).
pub async fn get_for_update(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<teacher_pairings::Model> {
    lock_row(conn, id).await?;
    Ok(get(conn, actor, id).await?.into_inner())
}

/// The pairing's row, locked and read again, for a caller that has already checked that
/// the actor sees it (through the record it reached the pairing by).
pub(crate) async fn reload_locked(
    conn: &impl ConnectionTrait,
    id: i64,
) -> AppResult<teacher_pairings::Model> {
    lock_row(conn, id).await?;
    find(conn, id).await
}

/// Where the pairing stands in its lifecycle.
pub fn stage_of(p: &teacher_pairings::Model) -> Stage {
    Stage::of(p.status, p.termination_requested_at.is_some())
}

/// A completed or terminated pairing is a closed record: nothing in it changes any more
/// (409).
pub fn ensure_not_ended(p: &teacher_pairings::Model) -> AppResult<()> {
    if p.status.is_ended() {
        return Err(AppError::conflict(
            "teacher_pairing_id",
            "err-pairing-ended-readonly",
        ));
    }
    Ok(())
}

/// Checks every rule of a new or edited draft against the database.
async fn check_rules(
    conn: &impl ConnectionTrait,
    new: &NewPairing,
    except: Option<i64>,
) -> AppResult<()> {
    lock_teachers(conn, &[new.mentor_id, new.mentee_id]).await?;
    let mut e = FieldErrors::new();
    if new.mentor_id == new.mentee_id {
        e.add("mentee_id", Msg::new("tp-err-same-teacher"));
    }
    let mentor = teachers::Entity::find_by_id(new.mentor_id)
        .one(conn)
        .await?;
    let mentee = teachers::Entity::find_by_id(new.mentee_id)
        .one(conn)
        .await?;
    for (field, t) in [("mentor_id", &mentor), ("mentee_id", &mentee)] {
        match t {
            None => e.add(field, Msg::new("tp-err-no-teacher")),
            Some(t) if !t.is_active => e.add(field, Msg::new("tp-err-teacher-inactive")),
            _ => {}
        }
    }
    if academic_years::Entity::find_by_id(new.academic_year_id)
        .one(conn)
        .await?
        .is_none()
    {
        e.add("academic_year_id", Msg::new("tp-err-no-year"));
    }
    let max = settings::load(conn).await?.max_mentees_per_mentor;
    if mentor.is_some() && active_count_of_mentor(conn, new.mentor_id, except).await? >= max as u64
    {
        e.add("mentor_id", Msg::new("tp-err-mentor-full").arg("max", max));
    }
    let mut dup = teacher_pairings::Entity::find()
        .filter(teacher_pairings::Column::MenteeId.eq(new.mentee_id))
        .filter(teacher_pairings::Column::Subject.eq(new.subject.clone()))
        .filter(teacher_pairings::Column::AcademicYearId.eq(new.academic_year_id))
        .filter(
            teacher_pairings::Column::Status.is_in([PairingStatus::Draft, PairingStatus::Active]),
        );
    if let Some(id) = except {
        dup = dup.filter(teacher_pairings::Column::Id.ne(id));
    }
    if mentee.is_some() && dup.count(conn).await? > 0 {
        e.add("mentee_id", Msg::new("tp-err-mentee-taken"));
    }
    if let Some(sp_id) = new.school_pairing_id {
        match school_pairings::Entity::find_by_id(sp_id).one(conn).await? {
            Some(sp) if sp.status == PairingStatus::Active => {
                if let Some(m) = &mentor
                    && m.school_id != sp.supporter_id
                {
                    e.add("mentor_id", Msg::new("tp-err-mentor-not-supporter"));
                }
                if let Some(m) = &mentee
                    && m.school_id != sp.receiver_id
                {
                    e.add("mentee_id", Msg::new("tp-err-mentee-not-receiver"));
                }
            }
            _ => e.add(
                "school_pairing_id",
                Msg::new("tp-err-school-pairing-inactive"),
            ),
        }
    }
    e.into_result()
}

/// Creates a draft (bureau only).
pub async fn create(
    db: &impl Conn,
    actor: &Actor,
    form: &TeacherPairingForm,
) -> AppResult<teacher_pairings::Model> {
    policy::require_some(actor, Subject::TeacherPairing, Act::Manage)?;
    let txn = db::begin_write(db).await?;
    let row = create_in(&txn, actor, form).await?;
    txn.commit().await?;
    Ok(row)
}

/// Creates a draft inside the caller's transaction (matching's "propose all" makes all its
/// drafts in one). A rule that refuses leaves the transaction as it was.
pub async fn create_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    form: &TeacherPairingForm,
) -> AppResult<teacher_pairings::Model> {
    policy::require_some(actor, Subject::TeacherPairing, Act::Manage)?;
    let new = parse_form(form).map_err(AppError::Invalid)?;
    check_rules(txn, &new, None).await?;
    let now = Utc::now();
    let row = teacher_pairings::ActiveModel {
        mentor_id: Set(new.mentor_id),
        mentee_id: Set(new.mentee_id),
        subject: Set(new.subject.clone()),
        academic_year_id: Set(new.academic_year_id),
        school_pairing_id: Set(new.school_pairing_id),
        status: Set(PairingStatus::Draft),
        plan: Set(serde_json::to_string(&WorkPlan::default())?),
        plan_version: Set(0),
        created_by: Set(Some(actor.user_id)),
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
        ENTITY,
        Some(row.id),
        None,
        Some(&row),
    )
    .await?;
    Ok(row)
}

/// Edits a draft (bureau only); active and ended pairings are not edited this way.
pub async fn update(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &TeacherPairingForm,
    read_at: Option<chrono::DateTime<Utc>>,
) -> AppResult<teacher_pairings::Model> {
    let txn = db::begin_write(db).await?;
    let before = get_for_update(&txn, actor, id).await?;
    lifecycle::ensure::<TeacherPairing>(&txn, actor, &before, Action::Edit).await?;
    lifecycle::check_not_stale(read_at, before.updated_at)?;
    let new = parse_form(form).map_err(AppError::Invalid)?;
    check_rules(&txn, &new, Some(id)).await?;
    let mut active = before.clone().into_active_model();
    active.mentor_id = Set(new.mentor_id);
    active.mentee_id = Set(new.mentee_id);
    active.subject = Set(new.subject);
    active.academic_year_id = Set(new.academic_year_id);
    active.school_pairing_id = Set(new.school_pairing_id);
    active.updated_at = Set(Utc::now());
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

async fn find(conn: &impl ConnectionTrait, id: i64) -> AppResult<teacher_pairings::Model> {
    teacher_pairings::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// One pairing the actor may see. One they may not see answers exactly like one that does
/// not exist (404), so ids cannot be probed.
pub async fn get(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<Visible<teacher_pairings::Model>> {
    let p = visible(actor)
        .filter(teacher_pairings::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Visible::granted(p))
}

/// Filters of the list; ids and words already parsed.
#[derive(Debug, Clone, Default)]
pub struct PairingFilter {
    pub academic_year_id: Option<i64>,
    pub status: Option<PairingStatus>,
    pub subject: String,
    pub school_id: Option<i64>,
    /// The district of the mentor's or the mentee's school.
    pub district: String,
    /// Text in the mentor's or the mentee's name.
    pub name: String,
    /// Only pairings in which this teacher is mentor or mentee.
    pub teacher_id: Option<i64>,
    /// Only the teacher pairings made under this school pairing.
    pub school_pairing_id: Option<i64>,
    /// Only active pairings with a termination request waiting for the bureau.
    pub requested: bool,
}

fn teachers_where(cond: Condition) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(teachers::Column::Id)
        .from(teachers::Entity)
        .cond_where(cond)
        .to_owned()
}

fn either_teacher_in(cond: Condition) -> Condition {
    Condition::any()
        .add(teacher_pairings::Column::MentorId.in_subquery(teachers_where(cond.clone())))
        .add(teacher_pairings::Column::MenteeId.in_subquery(teachers_where(cond)))
}

/// The pairings the actor may see (`access::scope`).
fn visible(actor: &Actor) -> sea_orm::Select<teacher_pairings::Entity> {
    teacher_pairings::Entity::find().filter(scope::visible::<teacher_pairings::Entity>(actor))
}

fn filtered(actor: &Actor, f: &PairingFilter) -> sea_orm::Select<teacher_pairings::Entity> {
    let mut q = visible(actor);
    if let Some(y) = f.academic_year_id {
        q = q.filter(teacher_pairings::Column::AcademicYearId.eq(y));
    }
    if let Some(sp) = f.school_pairing_id {
        q = q.filter(teacher_pairings::Column::SchoolPairingId.eq(sp));
    }
    if let Some(s) = f.status {
        q = q.filter(teacher_pairings::Column::Status.eq(s));
    }
    if !f.subject.trim().is_empty() {
        q = q.filter(teacher_pairings::Column::Subject.like(types::contains(f.subject.trim())));
    }
    if let Some(s) = f.school_id {
        q = q.filter(either_teacher_in(
            Condition::all().add(teachers::Column::SchoolId.eq(s)),
        ));
    }
    if !f.district.trim().is_empty() {
        let in_district = Query::select()
            .column(schools::Column::Id)
            .from(schools::Entity)
            .and_where(schools::Column::District.eq(f.district.trim()))
            .to_owned();
        q = q.filter(either_teacher_in(
            Condition::all().add(teachers::Column::SchoolId.in_subquery(in_district)),
        ));
    }
    if !f.name.trim().is_empty() {
        q = q.filter(either_teacher_in(
            Condition::all().add(teachers::Column::Name.like(types::contains(f.name.trim()))),
        ));
    }
    if f.requested {
        q = q
            .filter(teacher_pairings::Column::Status.eq(PairingStatus::Active))
            .filter(teacher_pairings::Column::TerminationRequestedAt.is_not_null());
    }
    if let Some(t) = f.teacher_id {
        q = q.filter(
            Condition::any()
                .add(teacher_pairings::Column::MentorId.eq(t))
                .add(teacher_pairings::Column::MenteeId.eq(t)),
        );
    }
    q.order_by_desc(teacher_pairings::Column::Id)
}

/// How many pairings `filter` finds, as a `SELECT COUNT(*)` to run with others
/// (`todo::count_each`).
pub fn count_query(actor: &Actor, filter: &PairingFilter) -> sea_orm::sea_query::SelectStatement {
    paging::count_statement(filtered(actor, filter))
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &PairingFilter,
    page: PageRequest,
) -> AppResult<Paged<teacher_pairings::Model>> {
    paging::fetch(db, filtered(actor, filter), page).await
}

/// A pairing with the names lists show.
#[derive(Debug, Clone)]
pub struct PairingRow {
    pub pairing: teacher_pairings::Model,
    pub mentor_name: String,
    pub mentor_school: String,
    pub mentee_name: String,
    pub mentee_school: String,
    pub year_name: String,
    /// Phone, else e-mail, of each side (shown to the pair and staff only).
    pub mentor_contact: String,
    pub mentee_contact: String,
}

impl PairingRow {
    pub fn status_key(&self) -> String {
        self.pairing.status.label_key()
    }

    /// For the teacher `me`: the label key of the other person's part, their name and school.
    pub fn other_of(&self, me: impl std::borrow::Borrow<i64>) -> (&'static str, &str, &str, &str) {
        if self.pairing.mentor_id == *me.borrow() {
            (
                "tp-field-mentee",
                &self.mentee_name,
                &self.mentee_school,
                &self.mentee_contact,
            )
        } else {
            (
                "tp-field-mentor",
                &self.mentor_name,
                &self.mentor_school,
                &self.mentor_contact,
            )
        }
    }
}

/// Adds teacher, school and year names to rows in three queries.
pub async fn with_names(
    db: &impl ConnectionTrait,
    rows: Vec<teacher_pairings::Model>,
) -> AppResult<Vec<PairingRow>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut tids: Vec<i64> = rows
        .iter()
        .flat_map(|p| [p.mentor_id, p.mentee_id])
        .collect();
    tids.sort_unstable();
    tids.dedup();
    let ts: HashMap<i64, teachers::Model> = if tids.is_empty() {
        HashMap::new()
    } else {
        teachers::Entity::find()
            .filter(teachers::Column::Id.is_in(tids))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect()
    };
    let ss = crate::domain::names::schools(db, ts.values().map(|t| t.school_id)).await?;
    let ys: HashMap<i64, String> = academic_years::Entity::find()
        .select_only()
        .column(academic_years::Column::Id)
        .column(academic_years::Column::Name)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let name = |id: i64| ts.get(&id).map(|t| t.name.clone()).unwrap_or_default();
    let contact = |id: i64| {
        ts.get(&id)
            .map(|t| {
                if t.phone.is_empty() {
                    t.email.clone()
                } else {
                    t.phone.clone()
                }
            })
            .unwrap_or_default()
    };
    let school = |id: i64| {
        ts.get(&id)
            .and_then(|t| ss.get(&t.school_id).cloned())
            .unwrap_or_default()
    };
    Ok(rows
        .into_iter()
        .map(|p| PairingRow {
            mentor_name: name(p.mentor_id),
            mentor_school: school(p.mentor_id),
            mentee_name: name(p.mentee_id),
            mentee_school: school(p.mentee_id),
            mentor_contact: contact(p.mentor_id),
            mentee_contact: contact(p.mentee_id),
            year_name: ys.get(&p.academic_year_id).cloned().unwrap_or_default(),
            pairing: p,
        })
        .collect())
}

pub async fn list_rows(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &PairingFilter,
    page: PageRequest,
) -> AppResult<Paged<PairingRow>> {
    let paged = list(db, actor, filter, page).await?;
    let rows = with_names(db, paged.items).await?;
    Ok(Paged {
        items: rows,
        page: paged.page,
        per_page: paged.per_page,
        total: paged.total,
        exact: paged.exact,
    })
}

/// The pairings a home page lists: a teacher's own, or a school admin's school's (at most 50).
pub async fn for_home(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<Vec<PairingRow>> {
    let rows = filtered(actor, &PairingFilter::default())
        .limit(50)
        .all(db)
        .await?;
    with_names(db, rows).await
}

async fn names_of(
    conn: &impl ConnectionTrait,
    p: &teacher_pairings::Model,
) -> AppResult<(String, String)> {
    let n = |t: Option<teachers::Model>| t.map(|t| t.name).unwrap_or_default();
    Ok((
        n(teachers::Entity::find_by_id(p.mentor_id).one(conn).await?),
        n(teachers::Entity::find_by_id(p.mentee_id).one(conn).await?),
    ))
}

/// Teacher pairings in the shared lifecycle (`pairing_lifecycle`): the table of steps is
/// `TeacherPairingFlow`'s.
pub struct TeacherPairing;

lifecycle::follows!(TeacherPairing, TeacherPairingFlow);

impl PairingKind for TeacherPairing {
    type Entity = teacher_pairings::Entity;
    const AUDIT: &'static str = ENTITY;

    lifecycle::lifecycle_columns!(teacher_pairings);

    async fn get(
        conn: &impl ConnectionTrait,
        actor: &Actor,
        id: i64,
    ) -> AppResult<teacher_pairings::Model> {
        Ok(get(conn, actor, id).await?.into_inner())
    }

    async fn find(conn: &impl ConnectionTrait, id: i64) -> AppResult<teacher_pairings::Model> {
        find(conn, id).await
    }

    async fn lock(conn: &impl ConnectionTrait, id: i64) -> AppResult<()> {
        lock_row(conn, id).await
    }

    async fn parties(
        conn: &impl ConnectionTrait,
        actor: &Actor,
        row: &teacher_pairings::Model,
    ) -> AppResult<Vec<Party>> {
        access::teacher_pairing_parties(conn, actor, row).await
    }

    async fn check(
        conn: &impl ConnectionTrait,
        row: &teacher_pairings::Model,
        action: Action,
    ) -> AppResult<()> {
        if action != Action::Publish {
            return Ok(());
        }
        lock_teachers(conn, &[row.mentor_id, row.mentee_id]).await?;
        let max = settings::load(conn).await?.max_mentees_per_mentor;
        if active_count_of_mentor(conn, row.mentor_id, None).await? >= max as u64 {
            return Err(AppError::Conflict {
                field: "mentor_id".into(),
                msg: Msg::new("tp-err-mentor-full").arg("max", max),
            });
        }
        // Everything else may have changed since the draft was made (a teacher left, the
        // school pairing ended): the draft's rules are checked again.
        let again = parse_form(&TeacherPairingForm::from_model(row)).map_err(AppError::Invalid)?;
        check_rules(conn, &again, Some(row.id)).await
    }

    fn extra(
        action: Action,
        parties: &[Party],
        reason: &str,
    ) -> Option<(teacher_pairings::Column, SimpleExpr)> {
        if action != Action::RecordEndReason {
            return None;
        }
        let column = if parties.contains(&Party::Mentor) {
            teacher_pairings::Column::MentorEndReason
        } else {
            teacher_pairings::Column::MenteeEndReason
        };
        Some((column, Expr::value(reason.to_string())))
    }

    async fn delete_records(conn: &impl ConnectionTrait, id: i64) -> AppResult<()> {
        plan_comments::Entity::delete_many()
            .filter(plan_comments::Column::TeacherPairingId.eq(id))
            .exec(conn)
            .await?;
        Ok(())
    }

    async fn stepped(conn: &impl ConnectionTrait, row: &teacher_pairings::Model) -> AppResult<()> {
        crate::domain::progress::refresh(conn, &[row.id]).await
    }

    async fn notify(
        conn: &impl ConnectionTrait,
        ctx: &Context,
        done: &Done<'_, Self>,
    ) -> AppResult<()> {
        let row = done.after;
        let (mentor, mentee) = names_of(conn, row).await?;
        let notice = |kind: &'static str| {
            Notice::new(kind, format!("/teacher-pairings/{}", row.id))
                .arg("mentor", &mentor)
                .arg("mentee", &mentee)
        };
        let by = done.actor.map(|a| a.name.as_str()).unwrap_or("");
        match done.action {
            Action::Publish => {
                let n = notice("tp-published").arg("subject", &row.subject);
                notify_teachers(conn, &[row.mentor_id, row.mentee_id], &n, ctx).await
            }
            Action::Terminate => {
                let n = notice("tp-terminated")
                    .arg("subject", &row.subject)
                    .arg("reason", done.reason);
                notify_teachers(conn, &[row.mentor_id, row.mentee_id], &n, ctx).await
            }
            Action::RequestTermination => {
                let n = notice("tp-termination-requested")
                    .arg("by", by)
                    .arg("reason", done.reason);
                notifications::notify_bureau(conn, &n, ctx).await
            }
            Action::RejectRequest => match TeacherPairing::requested_by(done.before) {
                Some(uid) => {
                    notifications::notify_user(conn, uid, &notice("tp-termination-rejected"), ctx)
                        .await
                }
                None => Ok(()),
            },
            Action::RecordEndReason => {
                let other = if done.parties.contains(&Party::Mentor) {
                    row.mentee_id
                } else {
                    row.mentor_id
                };
                let n = Notice::new("tp-end-reason", format!("/teacher-pairings/{}", row.id))
                    .arg("by", by)
                    .arg("reason", done.reason);
                notify_teachers(conn, &[other], &n, ctx).await
            }
            _ => Ok(()),
        }
    }
}

async fn notify_teachers(
    conn: &impl ConnectionTrait,
    teacher_ids: &[i64],
    notice: &Notice,
    ctx: &Context,
) -> AppResult<()> {
    for tid in teacher_ids {
        if let Some(u) = users::find_by_teacher(conn, *tid).await? {
            notifications::notify(conn, &u, notice, ctx).await?;
        }
    }
    Ok(())
}

/// What `actor` may do now to each row (the buttons, the API's `actions`), in one query
/// whatever the number of rows.
pub async fn actions_of(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    rows: &[teacher_pairings::Model],
) -> AppResult<Vec<Vec<Action>>> {
    let parties = access::teacher_pairing_parties_of(conn, actor, rows).await?;
    Ok(rows
        .iter()
        .zip(parties)
        .map(|(row, parties)| workflow::allowed_actions::<TeacherPairing>(stage_of(row), &parties))
        .collect())
}

/// What a publish did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublishOutcome {
    /// Pairings that went from draft to active.
    pub published: Vec<i64>,
    /// Pairings that were already active (nothing done twice).
    pub unchanged: Vec<i64>,
}

/// Publishes drafts (bureau): draft → active, telling both teachers. An active pairing is
/// left as it is; an ended one is refused (409 on `status`); the mentor cap is checked
/// again. All or nothing. With `key`, a repeated submit returns the first outcome.
pub async fn publish(
    db: &impl Conn,
    actor: &Actor,
    ids: &[i64],
    key: Option<&str>,
    ctx: &Context,
) -> AppResult<PublishOutcome> {
    let txn = db::begin_write(db).await?;
    let key = key
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 100);
    if let Some(k) = key {
        let stored = idempotency::stored_key(actor, "tp-publish", k);
        if let Some(row) = idempotency_keys::Entity::find_by_id(stored.clone())
            .one(&txn)
            .await?
        {
            if row.user_id != actor.user_id {
                return Err(AppError::bad_request("err-idempotency-key-used"));
            }
            return Ok(serde_json::from_str(&row.outcome).unwrap_or_default());
        }
    }
    let mut outcome = PublishOutcome::default();
    let mut ids: Vec<i64> = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        lock_row(&txn, id).await?;
        let before = get(&txn, actor, id).await?;
        // Publishing what is already published does nothing twice (a second click).
        if before.status == PairingStatus::Active {
            let parties = access::teacher_pairing_parties(&txn, actor, &before).await?;
            if !workflow::may_ever::<TeacherPairing>(Action::Publish, &parties) {
                return Err(AppError::Forbidden);
            }
            outcome.unchanged.push(id);
            continue;
        }
        lifecycle::transition::<TeacherPairing>(&txn, ctx, Some(actor), id, Action::Publish, "")
            .await?;
        outcome.published.push(id);
    }
    if let Some(k) = key {
        idempotency_keys::ActiveModel {
            key: Set(idempotency::stored_key(actor, "tp-publish", k)),
            user_id: Set(actor.user_id),
            outcome: Set(serde_json::to_string(&outcome)?),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(outcome)
}

/// One step of a pairing's lifecycle in its own transaction (the handlers' entry).
pub async fn step(
    db: &impl Conn,
    ctx: &Context,
    actor: &Actor,
    id: i64,
    action: Action,
    reason: &str,
) -> AppResult<teacher_pairings::Model> {
    let txn = db::begin_write(db).await?;
    let row =
        lifecycle::transition::<TeacherPairing>(&txn, ctx, Some(actor), id, action, reason).await?;
    txn.commit().await?;
    Ok(row)
}

/// Either teacher, or an admin of either school, asks the bureau to end an active pairing.
pub async fn request_termination(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    reason: &str,
    ctx: &Context,
) -> AppResult<teacher_pairings::Model> {
    step(db, ctx, actor, id, Action::RequestTermination, reason).await
}

/// The bureau deletes a draft (never a published pairing) with its plan comments, in
/// its own transaction.
pub async fn delete_draft(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    lifecycle::delete::<TeacherPairing>(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(())
}

/// The bureau ends an active pairing with a reason; both teachers are told.
pub async fn terminate(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    reason: &str,
    ctx: &Context,
) -> AppResult<teacher_pairings::Model> {
    step(db, ctx, actor, id, Action::Terminate, reason).await
}

/// The bureau turns down a termination request: the request is cleared, the pairing goes
/// on, and the person who asked is told.
pub async fn reject_request(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    ctx: &Context,
) -> AppResult<teacher_pairings::Model> {
    step(db, ctx, actor, id, Action::RejectRequest, "").await
}

/// Completes every active pairing whose academic year ended before `today`; returns how
/// many. Called by the scheduled job.
pub async fn complete_ended(db: &impl Conn, today: NaiveDate) -> AppResult<u64> {
    let ctx = Context::new("");
    let txn = db::begin_write(db).await?;
    let ended = Query::select()
        .column(academic_years::Column::Id)
        .from(academic_years::Entity)
        .and_where(academic_years::Column::EndsOn.lt(today))
        .to_owned();
    let ids: Vec<i64> = teacher_pairings::Entity::find()
        .select_only()
        .column(teacher_pairings::Column::Id)
        .filter(teacher_pairings::Column::Status.eq(PairingStatus::Active))
        .filter(teacher_pairings::Column::AcademicYearId.in_subquery(ended))
        .into_tuple()
        .all(&txn)
        .await?;
    for id in &ids {
        lifecycle::transition::<TeacherPairing>(&txn, &ctx, None, *id, Action::Complete, "")
            .await?;
    }
    txn.commit().await?;
    Ok(ids.len() as u64)
}

/// After a pairing ended, the mentor or the mentee records why; the other is told.
pub async fn record_end_reason(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    reason: &str,
    ctx: &Context,
) -> AppResult<teacher_pairings::Model> {
    step(db, ctx, actor, id, Action::RecordEndReason, reason).await
}

/// A comment with its author's name.
#[derive(Debug, Clone)]
pub struct CommentRow {
    pub author: String,
    pub comment: plan_comments::Model,
}

/// A timeline entry: who did what, when.
#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub who: String,
    pub action: String,
    pub at: chrono::DateTime<Utc>,
    /// A reason given with the step, if any.
    pub detail: String,
}

/// Everything the detail page shows.
#[derive(Debug, Clone)]
pub struct Detail {
    pub row: PairingRow,
    pub mentor: teachers::Model,
    pub mentee: teachers::Model,
    pub plan: WorkPlan,
    pub comments: Vec<CommentRow>,
    pub timeline: Vec<TimelineRow>,
}

async fn user_names(db: &impl ConnectionTrait, ids: Vec<i64>) -> AppResult<HashMap<i64, String>> {
    crate::domain::names::users(db, ids).await
}

/// The pairing's page: names, the plan, its comments and its own timeline.
pub async fn detail(db: &impl Conn, p: Visible<teacher_pairings::Model>) -> AppResult<Detail> {
    let id = p.id;
    let mentor = teachers::Entity::find_by_id(p.mentor_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mentee = teachers::Entity::find_by_id(p.mentee_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let plan = WorkPlan::parse(&p.plan);
    let comments = plan_comments::Entity::find()
        .filter(plan_comments::Column::TeacherPairingId.eq(id))
        .order_by_asc(plan_comments::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let audits = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq(ENTITY))
        .filter(audit_log::Column::EntityId.eq(id))
        .order_by_desc(audit_log::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    let names = user_names(
        db,
        comments
            .iter()
            .map(|c| c.author_id)
            .chain(audits.iter().filter_map(|a| a.actor_id))
            .collect(),
    )
    .await?;
    let row = with_names(db, vec![p.into_inner()])
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(Detail {
        row,
        mentor,
        mentee,
        plan,
        comments: comments
            .into_iter()
            .map(|c| CommentRow {
                author: names.get(&c.author_id).cloned().unwrap_or_default(),
                comment: c,
            })
            .collect(),
        timeline: audits
            .into_iter()
            .map(|a| TimelineRow {
                who: a
                    .actor_id
                    .and_then(|u| names.get(&u).cloned())
                    .unwrap_or_default(),
                detail: timeline_detail(&a),
                action: format!("tp-action-{}", a.action),
                at: a.created_at,
            })
            .collect(),
    })
}

/// The reason that came with a step of the timeline (termination, its request, an end
/// reason), read from the audit row's after-image.
fn timeline_detail(a: &audit_log::Model) -> String {
    let after: serde_json::Value = a
        .after
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    let field = match a.action.as_str() {
        "terminate" => "terminate_reason",
        "request_termination" => "termination_request_reason",
        "end_reason" => {
            let before: serde_json::Value = a
                .before
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default();
            if after["mentor_end_reason"] != before["mentor_end_reason"] {
                "mentor_end_reason"
            } else {
                "mentee_end_reason"
            }
        }
        _ => return String::new(),
    };
    after[field].as_str().unwrap_or_default().to_string()
}

/// A teacher's name and school for the form's echo, or `None` (staff only).
pub async fn teacher_brief(
    db: &impl Conn,
    actor: &Actor,
    teacher_id: i64,
) -> AppResult<Option<(String, String)>> {
    policy::require_some(actor, Subject::Teacher, Act::List)?;
    let Some(t) = teachers::Entity::find_by_id(teacher_id).one(db).await? else {
        return Ok(None);
    };
    let school = schools::Entity::find_by_id(t.school_id)
        .one(db)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    Ok(Some((t.name, school)))
}
