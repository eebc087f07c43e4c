//! Secondments (支教 / 轮岗): a teacher sent from one school to another for a term or a
//! year, in a batch (批次). Each counts as one person-time (人次).
//!
//! The bureau and the admin of the dispatching (from) school write them; the receiving
//! school's admin and the teacher read them.
use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::access::scope;
use crate::domain::audit;
use crate::domain::paging::{self, PageRequest, Paged};
use crate::domain::types::{self, de::loose_string};
use crate::entities::{academic_years, schools, secondments, teachers};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

crate::domain::types::word_enum!(
    /// How long a secondment lasts: 第一学期, 第二学期 or the whole year.
    Term, "term", {
        First => "first",
        Second => "second",
        Year => "year",
    }
);

/// The most batches (批次) in one year.
pub const MAX_BATCH: i64 = 20;

/// The secondment form as typed (or sent as JSON).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SecondmentForm {
    #[serde(deserialize_with = "loose_string")]
    pub teacher_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub from_school_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub to_school_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub academic_year_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub term: String,
    #[serde(deserialize_with = "loose_string")]
    pub batch: String,
    #[serde(deserialize_with = "loose_string")]
    pub starts_on: String,
    #[serde(deserialize_with = "loose_string")]
    pub ends_on: String,
    #[serde(deserialize_with = "loose_string")]
    pub note: String,
}

impl SecondmentForm {
    pub fn from_model(m: &secondments::Model) -> Self {
        SecondmentForm {
            teacher_id: m.teacher_id.to_string(),
            from_school_id: m.from_school_id.to_string(),
            to_school_id: m.to_school_id.to_string(),
            academic_year_id: m.academic_year_id.to_string(),
            term: m.term.clone(),
            batch: m.batch.to_string(),
            starts_on: m.starts_on.to_string(),
            ends_on: m.ends_on.to_string(),
            note: m.note.clone(),
        }
    }
}

struct Valid {
    teacher_id: i64,
    from_school_id: i64,
    to_school_id: i64,
    academic_year_id: i64,
    term: Term,
    batch: i32,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    note: String,
}

fn id_of(value: &str) -> Option<i64> {
    value.trim().parse::<i64>().ok().filter(|n| *n > 0)
}

/// The bureau writes every secondment; a school admin those their school dispatches
/// (`policy`).
fn can_write(actor: &Actor, from_school_id: i64) -> AppResult<()> {
    policy::require(
        actor,
        Subject::Secondment,
        Act::Write,
        policy::to_school(actor, from_school_id),
    )
}

/// Checks every rule; `except` is the secondment being edited.
async fn validate(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    form: &SecondmentForm,
    except: Option<i64>,
) -> AppResult<Valid> {
    let mut e = FieldErrors::new();
    let teacher_id = id_of(&form.teacher_id);
    let from = id_of(&form.from_school_id);
    let to = id_of(&form.to_school_id);
    let year_id = id_of(&form.academic_year_id);
    if from.is_none() {
        e.add("from_school_id", Msg::new("err-unknown-school"));
    }
    if let Some(from) = from {
        // Refused before anything is looked up: a school admin writes only for their school.
        can_write(actor, from)?;
    }
    let term = Term::parse(&form.term);
    if term.is_none() {
        e.add("term", Msg::new("err-choose"));
    }
    let batch = types::number_in(&form.batch, 1, MAX_BATCH, None)
        .map_err(|m| e.add("batch", m))
        .ok();
    let starts = types::date(&form.starts_on)
        .map_err(|m| e.add("starts_on", m))
        .ok();
    let ends = types::date(&form.ends_on)
        .map_err(|m| e.add("ends_on", m))
        .ok();
    let note = types::optional_text(&form.note, 500)
        .map_err(|m| e.add("note", m))
        .ok();

    let teacher = match teacher_id {
        Some(id) => teachers::Entity::find_by_id(id).one(conn).await?,
        None => None,
    };
    match &teacher {
        None => e.add("teacher_id", Msg::new("err-unknown-teacher")),
        Some(t) if !t.is_active => e.add("teacher_id", Msg::new("err-unknown-teacher")),
        Some(t) if from.is_some() && Some(t.school_id) != from => {
            e.add("teacher_id", Msg::new("err-secondment-teacher-school"))
        }
        Some(_) => {}
    }
    for (field, id) in [("from_school_id", from), ("to_school_id", to)] {
        let Some(id) = id else {
            if field == "to_school_id" {
                e.add(field, Msg::new("err-unknown-school"));
            }
            continue;
        };
        match schools::Entity::find_by_id(id).one(conn).await? {
            Some(s) if s.is_active => {}
            _ => e.add(field, Msg::new("err-unknown-school")),
        }
    }
    if from.is_some() && from == to && e.get("to_school_id").is_none() {
        e.add("to_school_id", Msg::new("err-secondment-same-school"));
    }
    let year = match year_id {
        Some(id) => academic_years::Entity::find_by_id(id).one(conn).await?,
        None => None,
    };
    if year.is_none() {
        e.add("academic_year_id", Msg::new("err-secondment-unknown-year"));
    }
    if let (Some(s), Some(en)) = (starts, ends) {
        if en < s {
            e.add("ends_on", Msg::new("err-end-before-start"));
        } else if let Some(y) = &year {
            if s < y.starts_on || s > y.ends_on {
                e.add(
                    "starts_on",
                    Msg::new("err-secondment-outside-year").arg("year", &y.name),
                );
            }
            if en < y.starts_on || en > y.ends_on {
                e.add(
                    "ends_on",
                    Msg::new("err-secondment-outside-year").arg("year", &y.name),
                );
            }
        }
    }
    if let (Some(tid), Some(s), Some(en)) = (teacher_id, starts, ends)
        && en >= s
        && e.get("starts_on").is_none()
    {
        // The teacher's row stays locked until the caller's transaction ends (PostgreSQL),
        // so two overlapping secondments of one teacher saved at once cannot both pass.
        teachers::Entity::find_by_id(tid)
            .select_only()
            .column(teachers::Column::Id)
            .lock_exclusive()
            .into_tuple::<i64>()
            .one(conn)
            .await?;
        let mut q = secondments::Entity::find()
            .filter(secondments::Column::TeacherId.eq(tid))
            .filter(secondments::Column::StartsOn.lte(en))
            .filter(secondments::Column::EndsOn.gte(s));
        if let Some(id) = except {
            q = q.filter(secondments::Column::Id.ne(id));
        }
        if let Some(other) = q.one(conn).await? {
            e.add(
                "starts_on",
                Msg::new("err-secondment-overlap")
                    .arg("from", other.starts_on)
                    .arg("to", other.ends_on),
            );
        }
    }
    e.into_result()?;
    Ok(Valid {
        teacher_id: teacher_id.unwrap_or_default(),
        from_school_id: from.unwrap_or_default(),
        to_school_id: to.unwrap_or_default(),
        academic_year_id: year_id.unwrap_or_default(),
        term: term.unwrap_or(Term::Year),
        batch: batch.unwrap_or(1) as i32,
        starts_on: starts.unwrap_or_default(),
        ends_on: ends.unwrap_or_default(),
        note: note.unwrap_or_default(),
    })
}

pub async fn create(
    db: &impl Conn,
    actor: &Actor,
    form: &SecondmentForm,
) -> AppResult<secondments::Model> {
    policy::require_some(actor, Subject::Secondment, Act::Manage)?;
    let txn = db::begin_write(db).await?;
    let v = validate(&txn, actor, form, None).await?;
    let now = Utc::now();
    let row = secondments::ActiveModel {
        teacher_id: Set(v.teacher_id),
        from_school_id: Set(v.from_school_id),
        to_school_id: Set(v.to_school_id),
        academic_year_id: Set(v.academic_year_id),
        term: Set(v.term.as_str().to_string()),
        batch: Set(v.batch),
        starts_on: Set(v.starts_on),
        ends_on: Set(v.ends_on),
        note: Set(v.note),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "create",
        "secondment",
        Some(row.id),
        None,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

pub async fn update(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &SecondmentForm,
) -> AppResult<secondments::Model> {
    let txn = db::begin_write(db).await?;
    let before = get(&txn, actor, id).await?;
    can_write(actor, before.from_school_id)?;
    let v = validate(&txn, actor, form, Some(id)).await?;
    let mut row = before.clone().into_active_model();
    row.teacher_id = Set(v.teacher_id);
    row.from_school_id = Set(v.from_school_id);
    row.to_school_id = Set(v.to_school_id);
    row.academic_year_id = Set(v.academic_year_id);
    row.term = Set(v.term.as_str().to_string());
    row.batch = Set(v.batch);
    row.starts_on = Set(v.starts_on);
    row.ends_on = Set(v.ends_on);
    row.note = Set(v.note);
    row.updated_at = Set(Utc::now());
    let after = row.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        "update",
        "secondment",
        Some(id),
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn delete(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    let before = get(&txn, actor, id).await?;
    can_write(actor, before.from_school_id)?;
    secondments::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record::<_, ()>(
        &txn,
        Some(actor),
        "delete",
        "secondment",
        Some(id),
        Some(&before),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One secondment the actor may read (others: 404, so ids do not leak).
pub async fn get(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<secondments::Model> {
    secondments::Entity::find_by_id(id)
        .filter(scope::visible::<secondments::Entity>(actor))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Whether the actor may change this secondment (for showing edit links).
pub fn can_edit(actor: &Actor, m: &secondments::Model) -> bool {
    can_write(actor, m.from_school_id).is_ok()
}

/// What the list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct SecondmentFilter {
    pub academic_year_id: Option<i64>,
    pub batch: Option<i32>,
    pub from_school_id: Option<i64>,
    pub to_school_id: Option<i64>,
    pub teacher_id: Option<i64>,
    /// Text in the teacher's name.
    pub q: String,
    /// Between these two schools, either way (a school pairing's secondments).
    pub between: Option<(i64, i64)>,
}

fn condition(actor: &Actor, f: &SecondmentFilter) -> Condition {
    use secondments::Column as C;
    let mut c = Condition::all().add(scope::visible::<secondments::Entity>(actor));
    if let Some((a, b)) = f.between {
        c = c.add(
            Condition::any()
                .add(
                    Condition::all()
                        .add(C::FromSchoolId.eq(a))
                        .add(C::ToSchoolId.eq(b)),
                )
                .add(
                    Condition::all()
                        .add(C::FromSchoolId.eq(b))
                        .add(C::ToSchoolId.eq(a)),
                ),
        );
    }
    if let Some(y) = f.academic_year_id {
        c = c.add(C::AcademicYearId.eq(y));
    }
    if let Some(b) = f.batch {
        c = c.add(C::Batch.eq(b));
    }
    if let Some(s) = f.from_school_id {
        c = c.add(C::FromSchoolId.eq(s));
    }
    if let Some(s) = f.to_school_id {
        c = c.add(C::ToSchoolId.eq(s));
    }
    if let Some(t) = f.teacher_id {
        c = c.add(C::TeacherId.eq(t));
    }
    let q = f.q.trim();
    if !q.is_empty() {
        c = c.add(
            C::TeacherId.in_subquery(
                Query::select()
                    .column(teachers::Column::Id)
                    .from(teachers::Entity)
                    .and_where(Expr::col(teachers::Column::Name).like(types::contains(q)))
                    .to_owned(),
            ),
        );
    }
    c
}

/// A secondment with the names people read.
#[derive(Debug, Clone, Serialize)]
pub struct SecondmentRow {
    pub row: secondments::Model,
    pub teacher_name: String,
    pub from_school: String,
    pub to_school: String,
    pub year_name: String,
    pub can_edit: bool,
}

async fn with_names(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    rows: Vec<secondments::Model>,
) -> AppResult<Vec<SecondmentRow>> {
    let teacher_ids: Vec<i64> = rows.iter().map(|r| r.teacher_id).collect();
    let school_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [r.from_school_id, r.to_school_id])
        .collect();
    let year_ids: Vec<i64> = rows.iter().map(|r| r.academic_year_id).collect();
    let teacher_names: HashMap<i64, String> = teachers::Entity::find()
        .filter(teachers::Column::Id.is_in(teacher_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let school_names: HashMap<i64, String> = schools::Entity::find()
        .filter(schools::Column::Id.is_in(school_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let year_names: HashMap<i64, String> = academic_years::Entity::find()
        .filter(academic_years::Column::Id.is_in(year_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|y| (y.id, y.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| SecondmentRow {
            teacher_name: teacher_names
                .get(&r.teacher_id)
                .cloned()
                .unwrap_or_default(),
            from_school: school_names
                .get(&r.from_school_id)
                .cloned()
                .unwrap_or_default(),
            to_school: school_names
                .get(&r.to_school_id)
                .cloned()
                .unwrap_or_default(),
            year_name: year_names
                .get(&r.academic_year_id)
                .cloned()
                .unwrap_or_default(),
            can_edit: can_edit(actor, &r),
            row: r,
        })
        .collect())
}

/// One page of secondments the actor may read, newest start first.
pub async fn list(
    db: &impl Conn,
    actor: &Actor,
    filter: &SecondmentFilter,
    page: PageRequest,
) -> AppResult<Paged<secondments::Model>> {
    let select = secondments::Entity::find()
        .filter(condition(actor, filter))
        .order_by_desc(secondments::Column::StartsOn)
        .order_by_desc(secondments::Column::Id);
    paging::fetch(db, select, page).await
}

/// A page of rows with names.
pub async fn list_rows(
    db: &impl Conn,
    actor: &Actor,
    filter: &SecondmentFilter,
    page: PageRequest,
) -> AppResult<Paged<SecondmentRow>> {
    let paged = list(db, actor, filter, page).await?;
    let items = with_names(db, actor, paged.items).await?;
    Ok(Paged {
        items,
        page: paged.page,
        per_page: paged.per_page,
        total: paged.total,
        exact: paged.exact,
    })
}

/// The secondments of one teacher (their detail page).
pub async fn of_teacher(
    db: &impl Conn,
    actor: &Actor,
    teacher_id: i64,
) -> AppResult<Vec<SecondmentRow>> {
    let filter = SecondmentFilter {
        teacher_id: Some(teacher_id),
        ..Default::default()
    };
    let rows = secondments::Entity::find()
        .filter(condition(actor, &filter))
        .order_by_desc(secondments::Column::StartsOn)
        .all(db)
        .await?;
    with_names(db, actor, rows).await
}

/// Person-times (人次) of one academic year: per batch and in total.
#[derive(Debug, Clone, Serialize)]
pub struct YearCount {
    pub year_name: String,
    pub batches: Vec<(i32, i64)>,
    pub total: i64,
}

/// Person-times per year and batch over the secondments matching the filter, newest
/// year first.
pub async fn person_times(
    db: &impl Conn,
    actor: &Actor,
    filter: &SecondmentFilter,
) -> AppResult<Vec<YearCount>> {
    use secondments::Column as C;
    let counts: Vec<(i64, i32, i64)> = secondments::Entity::find()
        .select_only()
        .column(C::AcademicYearId)
        .column(C::Batch)
        .column_as(C::Id.count(), "n")
        .filter(condition(actor, filter))
        .group_by(C::AcademicYearId)
        .group_by(C::Batch)
        .into_tuple()
        .all(db)
        .await?;
    let years: HashMap<i64, String> = academic_years::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|y| (y.id, y.name))
        .collect();
    let mut by_year: BTreeMap<String, YearCount> = BTreeMap::new();
    for (year_id, batch, n) in counts {
        let name = years.get(&year_id).cloned().unwrap_or_default();
        let entry = by_year.entry(name.clone()).or_insert_with(|| YearCount {
            year_name: name,
            batches: Vec::new(),
            total: 0,
        });
        entry.batches.push((batch, n));
        entry.total += n;
    }
    let mut out: Vec<YearCount> = by_year.into_values().rev().collect();
    for y in &mut out {
        y.batches.sort();
    }
    Ok(out)
}
