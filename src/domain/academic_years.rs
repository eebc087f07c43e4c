//! Academic years (学年): `2026-2027`, with dates, the start of the second term, and
//! exactly one current year.
use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::audit;
use crate::domain::types::{self, de::loose_string};
use crate::entities::academic_years;
use crate::error::{AppError, AppResult, FieldErrors, Msg};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct YearForm {
    #[serde(deserialize_with = "loose_string")]
    pub name: String,
    #[serde(deserialize_with = "loose_string")]
    pub starts_on: String,
    /// Optional: when the second term (第二学期) starts; by default 15 February.
    #[serde(deserialize_with = "loose_string")]
    pub second_term_starts_on: String,
    #[serde(deserialize_with = "loose_string")]
    pub ends_on: String,
    /// `true`/`on` makes this the current year.
    #[serde(deserialize_with = "loose_string")]
    pub is_current: String,
    /// Optional: how many teachers the bureau plans to second (支教) in the year.
    #[serde(default, deserialize_with = "loose_string")]
    pub secondments_planned: String,
}

impl YearForm {
    pub fn from_model(y: &academic_years::Model) -> Self {
        YearForm {
            name: y.name.clone(),
            starts_on: y.starts_on.to_string(),
            second_term_starts_on: y.second_term_starts_on.to_string(),
            ends_on: y.ends_on.to_string(),
            is_current: if y.is_current {
                "true".into()
            } else {
                String::new()
            },
            secondments_planned: y
                .secondments_planned
                .map(|n| n.to_string())
                .unwrap_or_default(),
        }
    }
}

pub fn truthy(s: &str) -> bool {
    matches!(s.trim(), "true" | "on" | "1" | "yes")
}

struct NewYear {
    name: String,
    starts_on: NaiveDate,
    second_term_starts_on: NaiveDate,
    ends_on: NaiveDate,
    is_current: bool,
    secondments_planned: Option<i32>,
}

/// The most teachers a year's secondment plan may name.
pub const MAX_PLANNED: i64 = 100_000;

/// `2026-2027`: two consecutive years.
pub fn parse_year_name(s: &str) -> Result<(i32, i32), Msg> {
    let s = s.trim();
    let (a, b) = s.split_once('-').ok_or_else(|| Msg::new("err-year-name"))?;
    let (a, b) = (a.parse::<i32>(), b.parse::<i32>());
    match (a, b) {
        (Ok(a), Ok(b)) if (2000..=2100).contains(&a) && b == a + 1 => Ok((a, b)),
        _ => Err(Msg::new("err-year-name")),
    }
}

fn parse(form: &YearForm) -> AppResult<NewYear> {
    let mut e = FieldErrors::new();
    let years = parse_year_name(&form.name)
        .map_err(|m| e.add("name", m))
        .ok();
    let starts = types::date(&form.starts_on)
        .map_err(|m| e.add("starts_on", m))
        .ok();
    let ends = types::date(&form.ends_on)
        .map_err(|m| e.add("ends_on", m))
        .ok();
    let second = if form.second_term_starts_on.trim().is_empty() {
        years.and_then(|(_, b)| NaiveDate::from_ymd_opt(b, 2, 15))
    } else {
        types::date(&form.second_term_starts_on)
            .map_err(|m| e.add("second_term_starts_on", m))
            .ok()
    };
    if let (Some(s), Some(en)) = (starts, ends) {
        if en <= s {
            e.add("ends_on", Msg::new("err-end-before-start"));
        } else if (en - s).num_days() > 400 {
            e.add("ends_on", Msg::new("err-year-too-long"));
        }
        if let Some(t) = second
            && (t <= s || t >= en)
            && e.get("second_term_starts_on").is_none()
        {
            e.add("second_term_starts_on", Msg::new("err-term-outside-year"));
        }
    }
    let planned = if form.secondments_planned.trim().is_empty() {
        None
    } else {
        types::number_in(&form.secondments_planned, 0, MAX_PLANNED, None)
            .map_err(|m| e.add("secondments_planned", m))
            .ok()
            .and_then(|n| i32::try_from(n).ok())
    };
    if let (Some((a, _)), Some(s)) = (years, starts)
        && s.year() != a
    {
        e.add(
            "starts_on",
            Msg::new("err-start-not-in-year").arg("year", a),
        );
    }
    e.into_result()?;
    Ok(NewYear {
        name: form.name.trim().to_string(),
        starts_on: starts.unwrap_or_default(),
        second_term_starts_on: second.unwrap_or_default(),
        ends_on: ends.unwrap_or_default(),
        is_current: truthy(&form.is_current),
        secondments_planned: planned,
    })
}

pub async fn list(db: &impl Conn) -> AppResult<Vec<academic_years::Model>> {
    Ok(academic_years::Entity::find()
        .order_by_desc(academic_years::Column::StartsOn)
        .all(db)
        .await?)
}

pub async fn current(db: &impl ConnectionTrait) -> AppResult<Option<academic_years::Model>> {
    Ok(academic_years::Entity::find()
        .filter(academic_years::Column::IsCurrent.eq(true))
        .one(db)
        .await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<academic_years::Model> {
    academic_years::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

async fn check_overlap(
    conn: &impl ConnectionTrait,
    new: &NewYear,
    except: Option<i64>,
) -> AppResult<()> {
    let mut q = academic_years::Entity::find()
        .filter(academic_years::Column::StartsOn.lte(new.ends_on))
        .filter(academic_years::Column::EndsOn.gte(new.starts_on));
    if let Some(id) = except {
        q = q.filter(academic_years::Column::Id.ne(id));
    }
    if let Some(other) = q.one(conn).await? {
        return Err(AppError::Conflict {
            field: "starts_on".into(),
            msg: Msg::new("err-year-overlap").arg("other", other.name),
        });
    }
    let mut q =
        academic_years::Entity::find().filter(academic_years::Column::Name.eq(new.name.clone()));
    if let Some(id) = except {
        q = q.filter(academic_years::Column::Id.ne(id));
    }
    if q.one(conn).await?.is_some() {
        return Err(AppError::conflict("name", "err-year-name-taken"));
    }
    Ok(())
}

async fn clear_current(conn: &impl ConnectionTrait, except: i64) -> AppResult<()> {
    academic_years::Entity::update_many()
        .col_expr(
            academic_years::Column::IsCurrent,
            sea_orm::sea_query::Expr::value(false),
        )
        .filter(academic_years::Column::Id.ne(except))
        .filter(academic_years::Column::IsCurrent.eq(true))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn create(
    db: &impl Conn,
    actor: &Actor,
    form: &YearForm,
) -> AppResult<academic_years::Model> {
    policy::require_some(actor, Subject::AcademicYear, Act::Manage)?;
    let new = parse(form)?;
    let txn = db::begin_write(db).await?;
    check_overlap(&txn, &new, None).await?;
    // The first year is current whatever the form says: there is always exactly one.
    let is_current = new.is_current || current(&txn).await?.is_none();
    let now = Utc::now();
    let year = academic_years::ActiveModel {
        name: Set(new.name),
        starts_on: Set(new.starts_on),
        second_term_starts_on: Set(new.second_term_starts_on),
        ends_on: Set(new.ends_on),
        is_current: Set(is_current),
        secondments_planned: Set(new.secondments_planned),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if is_current {
        clear_current(&txn, year.id).await?;
    }
    // Visits, ledger items and school pairings already recorded in its dates or names now
    // count in it.
    crate::domain::dashboard::recount_in(&txn).await?;
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "create",
        "academic_year",
        Some(year.id),
        None,
        Some(&year),
    )
    .await?;
    txn.commit().await?;
    Ok(year)
}

pub async fn update(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &YearForm,
) -> AppResult<academic_years::Model> {
    policy::require_some(actor, Subject::AcademicYear, Act::Write)?;
    let new = parse(form)?;
    let txn = db::begin_write(db).await?;
    let before = get(&txn, id).await?;
    check_overlap(&txn, &new, Some(id)).await?;
    if before.is_current && !new.is_current {
        return Err(AppError::conflict("is_current", "err-year-keep-current"));
    }
    let mut active = before.clone().into_active_model();
    active.name = Set(new.name);
    active.starts_on = Set(new.starts_on);
    active.second_term_starts_on = Set(new.second_term_starts_on);
    active.ends_on = Set(new.ends_on);
    active.is_current = Set(new.is_current);
    active.secondments_planned = Set(new.secondments_planned);
    active.updated_at = Set(Utc::now());
    let year = active.update(&txn).await?;
    if year.is_current {
        clear_current(&txn, year.id).await?;
    }
    audit::record(
        &txn,
        Some(actor),
        "update",
        "academic_year",
        Some(id),
        Some(&before),
        Some(&year),
    )
    .await?;
    if (
        before.starts_on,
        before.second_term_starts_on,
        before.ends_on,
    ) != (year.starts_on, year.second_term_starts_on, year.ends_on)
    {
        crate::domain::progress::refresh_year(&txn, year.id).await?;
    }
    if (
        before.name.as_str(),
        before.starts_on,
        before.second_term_starts_on,
        before.ends_on,
    ) != (
        year.name.as_str(),
        year.starts_on,
        year.second_term_starts_on,
        year.ends_on,
    ) {
        crate::domain::dashboard::recount_in(&txn).await?;
    }
    txn.commit().await?;
    Ok(year)
}

/// Makes a year the current one (and no other).
pub async fn make_current(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
) -> AppResult<academic_years::Model> {
    policy::require_some(actor, Subject::AcademicYear, Act::Write)?;
    let txn = db::begin_write(db).await?;
    let before = get(&txn, id).await?;
    let mut active = before.clone().into_active_model();
    active.is_current = Set(true);
    active.updated_at = Set(Utc::now());
    let year = active.update(&txn).await?;
    clear_current(&txn, id).await?;
    audit::record(
        &txn,
        Some(actor),
        "make-current",
        "academic_year",
        Some(id),
        Some(&before),
        Some(&year),
    )
    .await?;
    txn.commit().await?;
    Ok(year)
}

/// Deletes a year that is not current (later issues also refuse years in use).
pub async fn delete(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<()> {
    policy::require_some(actor, Subject::AcademicYear, Act::Manage)?;
    let txn = db::begin_write(db).await?;
    let before = get(&txn, id).await?;
    if before.is_current {
        return Err(AppError::conflict("is_current", "err-year-delete-current"));
    }
    // Records of the year keep it: say which, rather than let the foreign key refuse.
    let pairings = crate::entities::teacher_pairings::Entity::find()
        .filter(crate::entities::teacher_pairings::Column::AcademicYearId.eq(id))
        .count(&txn)
        .await?;
    let secondments = crate::entities::secondments::Entity::find()
        .filter(crate::entities::secondments::Column::AcademicYearId.eq(id))
        .count(&txn)
        .await?;
    if pairings + secondments > 0 {
        return Err(AppError::Conflict {
            field: "id".into(),
            msg: Msg::new("err-year-in-use")
                .arg("pairings", pairings)
                .arg("secondments", secondments),
        });
    }
    academic_years::Entity::delete_by_id(id)
        .exec(&txn)
        .await
        .map_err(|e| {
            // Any other record that names the year (the foreign keys refuse the delete).
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))
            ) {
                AppError::conflict("id", "err-year-in-use-other")
            } else {
                AppError::Db(e)
            }
        })?;
    // The dashboard's counts of visits, ledger items and pairings that fell in its dates.
    crate::entities::year_figures::Entity::delete_many()
        .filter(crate::entities::year_figures::Column::AcademicYearId.eq(id))
        .exec(&txn)
        .await?;
    audit::record::<_, ()>(
        &txn,
        Some(actor),
        "delete",
        "academic_year",
        Some(id),
        Some(&before),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Rows whose date column `on` falls within academic year `id`'s dates (none when there is
/// no such year): the "year" filter of dated lists.
pub async fn within(
    conn: &impl ConnectionTrait,
    on: impl ColumnTrait + Copy,
    id: i64,
) -> AppResult<sea_orm::Condition> {
    Ok(
        match academic_years::Entity::find_by_id(id).one(conn).await? {
            Some(year) => sea_orm::Condition::all()
                .add(on.gte(year.starts_on))
                .add(on.lte(year.ends_on)),
            None => sea_orm::Condition::all().add(sea_orm::sea_query::Expr::cust("1 = 0")),
        },
    )
}
