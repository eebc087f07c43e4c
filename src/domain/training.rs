//! Training weeks (跟岗培训): the seed's "每月一周的教学培训" — chosen teachers of the
//! receiving (rural) school of a school pairing spend one week a month at the supporting
//! (urban) school. An admin of either school generates a term's schedule for the teachers
//! chosen; the host school confirms each week as attended or missed (and may reopen a
//! week confirmed by mistake). The steps are `WeekFlow`'s table.
use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::access::{Actor, scope};
use crate::domain::audit;
use crate::domain::paging::{self, PageRequest, Paged};
use crate::domain::types::{
    self, PairingStatus, Role,
    de::{loose_list, loose_string},
};
use crate::domain::workflow::{self, Party, Step, Workflow};
use crate::entities::{academic_years, school_pairings, teachers, training_weeks};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

crate::domain::types::word_enum!(column
    /// A week's stage: planned, then attended or missed.
    WeekStatus, "week-status", {
        Planned => "planned",
        Attended => "attended",
        Missed => "missed",
    }
);

impl WeekStatus {
    /// The status badge's class.
    pub fn css(self) -> &'static str {
        match self {
            WeekStatus::Planned => "warn",
            WeekStatus::Attended => "on",
            WeekStatus::Missed => "bad",
        }
    }
}

crate::domain::types::word_enum!(
    /// What can be done to a week.
    WeekAction, "week-action", {
        Attend => "attend",
        Miss => "miss",
        Reopen => "reopen",
        Delete => "delete",
    }
);

/// The training week's steps (see `docs/workflow.md`).
pub struct WeekFlow;

impl Workflow for WeekFlow {
    type Stage = WeekStatus;
    type Action = WeekAction;
    const STEPS: &'static [Step<WeekStatus, WeekAction>] = {
        use Party::{Host, SchoolAdmin};
        use WeekStatus::{Attended, Missed, Planned};
        &[
            Step {
                from: &[Planned],
                action: WeekAction::Attend,
                to: Some(Attended),
                who: &[Host],
            },
            Step {
                from: &[Planned],
                action: WeekAction::Miss,
                to: Some(Missed),
                who: &[Host],
            },
            Step {
                from: &[Attended, Missed],
                action: WeekAction::Reopen,
                to: Some(Planned),
                who: &[Host],
            },
            Step {
                from: &[Planned],
                action: WeekAction::Delete,
                to: None,
                who: &[SchoolAdmin],
            },
        ]
    };
    const WRONG_STAGE: &'static str = "week-err-stage";
}

/// How the actor stands to a week: an admin of either school, and of the host.
pub fn parties(actor: &Actor, w: &training_weeks::Model) -> Vec<Party> {
    let mut out = Vec::new();
    if actor.is_bureau() {
        out.push(Party::Bureau);
    }
    if actor.role == Role::SchoolAdmin {
        if actor.school_id == Some(w.host_school_id) {
            out.push(Party::Host);
        }
        if actor
            .school_id
            .is_some_and(|s| s == w.host_school_id || s == w.guest_school_id)
        {
            out.push(Party::SchoolAdmin);
        }
    }
    out
}

/// What the actor may do to the week now.
pub fn actions_of(actor: &Actor, w: &training_weeks::Model) -> Vec<WeekAction> {
    workflow::allowed_actions::<WeekFlow>(w.status, &parties(actor, w))
}

/// The most teachers one schedule covers.
pub const MAX_TEACHERS: usize = 100;

/// The schedule form: a term of an academic year, which week of each month, and the
/// teachers of the receiving school who go.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ScheduleForm {
    #[serde(deserialize_with = "loose_string")]
    pub academic_year_id: String,
    /// 1 or 2.
    #[serde(deserialize_with = "loose_string")]
    pub term: String,
    /// Which week of each month (1–4): its Monday to Friday.
    #[serde(deserialize_with = "loose_string")]
    pub week_of_month: String,
    #[serde(deserialize_with = "loose_list")]
    #[schema(value_type = Vec<i64>)]
    pub teacher_ids: Vec<String>,
}

impl ScheduleForm {
    pub fn has_teacher(&self, id: &i64) -> bool {
        let id = id.to_string();
        self.teacher_ids.iter().any(|t| t.trim() == id)
    }
}

/// The Monday-to-Friday weeks of a term: the `nth` week (1–4) of each month, counted from
/// the month's first Monday, that lies wholly within `from..=to`.
pub fn term_weeks(from: NaiveDate, to: NaiveDate, nth: u32) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let Some(mut month) = NaiveDate::from_ymd_opt(from.year(), from.month(), 1) else {
        return out;
    };
    while month <= to {
        let offset = (7 + Weekday::Mon.num_days_from_monday() as i64
            - month.weekday().num_days_from_monday() as i64)
            % 7;
        let monday = month + Duration::days(offset + 7 * (i64::from(nth) - 1));
        let friday = monday + Duration::days(4);
        if monday >= from && friday <= to && monday.month() == month.month() {
            out.push((monday, friday));
        }
        month = match month.checked_add_months(chrono::Months::new(1)) {
            Some(m) => m,
            None => break,
        };
    }
    out
}

/// The first and last day of a term of an academic year.
pub fn term_dates(year: &academic_years::Model, term: i16) -> (NaiveDate, NaiveDate) {
    if term == 1 {
        (
            year.starts_on,
            year.second_term_starts_on - Duration::days(1),
        )
    } else {
        (year.second_term_starts_on, year.ends_on)
    }
}

/// Generates a term's weeks for the chosen teachers of the pairing's receiving school (an
/// admin of either school, on an active pairing). Weeks a teacher already has are kept,
/// so generating again adds only what is missing; the number of weeks added.
/// What the audit log keeps of a scheduling.
#[derive(Serialize)]
struct Scheduled<'a> {
    academic_year: &'a str,
    term: i16,
    week_of_month: u32,
    teacher_ids: &'a [i64],
    weeks_added: usize,
}

pub async fn schedule(
    db: &impl Conn,
    actor: &Actor,
    pairing_id: i64,
    form: &ScheduleForm,
) -> AppResult<usize> {
    policy::require_some(actor, Subject::TrainingWeek, Act::Manage)?;
    let txn = db::begin_write(db).await?;
    let p = crate::domain::school_pairings::get(&txn, actor, pairing_id).await?;
    if !may_schedule(actor, &p) {
        if p.status != PairingStatus::Active && actor.role == Role::SchoolAdmin {
            return Err(AppError::conflict(
                "school_pairing_id",
                "week-err-pairing-not-active",
            ));
        }
        return Err(AppError::Forbidden);
    }
    let mut e = FieldErrors::new();
    let year = match form.academic_year_id.trim().parse::<i64>() {
        Ok(id) => academic_years::Entity::find_by_id(id).one(&txn).await?,
        Err(_) => None,
    };
    if year.is_none() {
        e.add("academic_year_id", Msg::new("err-choose"));
    }
    let term = match form.term.trim() {
        "1" => Some(1i16),
        "2" => Some(2i16),
        _ => {
            e.add("term", Msg::new("err-choose"));
            None
        }
    };
    let nth = types::number_in(&form.week_of_month, 1, 4, Some(1))
        .map_err(|m| e.add("week_of_month", m))
        .unwrap_or(1) as u32;
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
            Err(_) => e.add("teacher_ids", Msg::new("week-err-teacher")),
        }
    }
    if ids.is_empty() {
        e.add("teacher_ids", Msg::new("week-err-no-teachers"));
    } else if ids.len() > MAX_TEACHERS {
        e.add(
            "teacher_ids",
            Msg::new("week-err-too-many").arg("max", MAX_TEACHERS),
        );
    } else {
        let found: Vec<i64> = teachers::Entity::find()
            .select_only()
            .column(teachers::Column::Id)
            .filter(teachers::Column::Id.is_in(ids.iter().copied()))
            .filter(teachers::Column::SchoolId.eq(p.receiver_id))
            .filter(teachers::Column::IsActive.eq(true))
            .into_tuple()
            .all(&txn)
            .await?;
        if found.len() != ids.len() {
            e.add("teacher_ids", Msg::new("week-err-teacher"));
        }
    }
    e.into_result()?;
    let (Some(year), Some(term)) = (year, term) else {
        return Err(AppError::bad_request("error-400-text"));
    };
    let (from, to) = term_dates(&year, term);
    let weeks = term_weeks(from, to, nth);
    if weeks.is_empty() {
        return Err(AppError::invalid("term", Msg::new("week-err-no-weeks")));
    }
    let ids: Vec<i64> = ids.into_iter().collect();
    // The weeks these teachers have already (one query).
    let have: HashSet<(i64, NaiveDate)> = training_weeks::Entity::find()
        .select_only()
        .column(training_weeks::Column::TeacherId)
        .column(training_weeks::Column::StartsOn)
        .filter(training_weeks::Column::TeacherId.is_in(ids.clone()))
        .filter(training_weeks::Column::StartsOn.gte(from))
        .filter(training_weeks::Column::StartsOn.lte(to))
        .into_tuple::<(i64, NaiveDate)>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let now = Utc::now();
    let new: Vec<training_weeks::ActiveModel> = ids
        .iter()
        .flat_map(|&t| weeks.iter().map(move |w| (t, *w)))
        .filter(|(t, (monday, _))| !have.contains(&(*t, *monday)))
        .map(|(t, (monday, friday))| training_weeks::ActiveModel {
            school_pairing_id: Set(p.id),
            teacher_id: Set(t),
            host_school_id: Set(p.supporter_id),
            guest_school_id: Set(p.receiver_id),
            academic_year_id: Set(year.id),
            term: Set(term),
            starts_on: Set(monday),
            ends_on: Set(friday),
            status: Set(WeekStatus::Planned),
            note: Set(String::new()),
            answered_by: Set(None),
            answered_at: Set(None),
            created_by: Set(Some(actor.user_id)),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    let added = new.len();
    if added > 0 {
        training_weeks::Entity::insert_many(new).exec(&txn).await?;
    }
    let scheduled = Scheduled {
        academic_year: &year.name,
        term,
        week_of_month: nth,
        teacher_ids: &ids,
        weeks_added: added,
    };
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "schedule_training",
        "school_pairing",
        Some(p.id),
        None,
        Some(&scheduled),
    )
    .await?;
    txn.commit().await?;
    Ok(added)
}

/// Whether the actor may schedule weeks on this pairing: an admin of either school while
/// it runs.
pub fn may_schedule(actor: &Actor, p: &school_pairings::Model) -> bool {
    actor.role == Role::SchoolAdmin
        && p.status == PairingStatus::Active
        && actor
            .school_id
            .is_some_and(|s| s == p.supporter_id || s == p.receiver_id)
        && policy::allows_some(actor.role, Subject::TrainingWeek, Act::Manage)
}

/// One week the actor may read (others: 404).
pub async fn get(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<training_weeks::Model> {
    training_weeks::Entity::find_by_id(id)
        .filter(scope::visible::<training_weeks::Entity>(actor))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Takes a step on a week: the host confirms it attended or missed (an optional note), or
/// reopens it; an admin of either school deletes a planned one. 403 for someone who never
/// may, 409 `status` when the week is not in a stage the step starts from.
pub async fn act(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    action: WeekAction,
    note: &str,
) -> AppResult<Option<training_weeks::Model>> {
    let txn = db::begin_write(db).await?;
    training_weeks::Entity::find_by_id(id)
        .select_only()
        .column(training_weeks::Column::Id)
        .lock_exclusive()
        .into_tuple::<i64>()
        .one(&txn)
        .await?;
    let before = get(&txn, actor, id).await?;
    let step = workflow::step::<WeekFlow>(before.status, action, &parties(actor, &before))?;
    let note = types::optional_text(note, 500).map_err(|m| AppError::invalid("note", m))?;
    if action == WeekAction::Delete {
        training_weeks::Entity::delete_by_id(id).exec(&txn).await?;
        audit::record::<_, ()>(
            &txn,
            Some(actor),
            "delete",
            "training_week",
            Some(id),
            Some(&before),
            None,
        )
        .await?;
        txn.commit().await?;
        return Ok(None);
    }
    let now = Utc::now();
    let mut a: training_weeks::ActiveModel = before.clone().into();
    a.status = Set(step.to.unwrap_or(before.status));
    a.note = Set(note);
    if action == WeekAction::Reopen {
        a.answered_by = Set(None);
        a.answered_at = Set(None);
    } else {
        a.answered_by = Set(Some(actor.user_id));
        a.answered_at = Set(Some(now));
    }
    a.version = Set(before.version + 1);
    a.updated_at = Set(now);
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        action.as_str(),
        "training_week",
        Some(id),
        Some(&before),
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(Some(row))
}

/// What the list of weeks is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct WeekFilter {
    pub school_pairing_id: Option<i64>,
    /// Hosting or sending.
    pub school_id: Option<i64>,
    pub district: String,
    pub academic_year_id: Option<i64>,
    pub term: Option<i16>,
    pub status: Option<WeekStatus>,
    /// Weeks of any of these teachers.
    pub teachers: Vec<i64>,
}

fn condition(actor: &Actor, f: &WeekFilter) -> Condition {
    use training_weeks::Column as C;
    let mut c = Condition::all().add(scope::visible::<training_weeks::Entity>(actor));
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
        c = c.add(C::AcademicYearId.eq(y));
    }
    if let Some(t) = f.term {
        c = c.add(C::Term.eq(t));
    }
    if let Some(s) = f.status {
        c = c.add(C::Status.eq(s));
    }
    if !f.teachers.is_empty() {
        c = c.add(C::TeacherId.is_in(f.teachers.clone()));
    }
    c
}

/// One page of weeks, soonest first.
pub async fn list(
    db: &impl Conn,
    actor: &Actor,
    filter: &WeekFilter,
    page: PageRequest,
) -> AppResult<Paged<training_weeks::Model>> {
    policy::require_some(actor, Subject::TrainingWeek, Act::List)?;
    let select = training_weeks::Entity::find()
        .filter(condition(actor, filter))
        .order_by_asc(training_weeks::Column::StartsOn)
        .order_by_asc(training_weeks::Column::Id);
    paging::fetch(db, select, page).await
}

/// Weeks planned, attended and missed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Attendance {
    pub planned: i64,
    pub attended: i64,
    pub missed: i64,
}

impl Attendance {
    pub fn total(&self) -> i64 {
        self.planned + self.attended + self.missed
    }
}

/// The attendance counts of the weeks the filter selects (one query). Someone who sees
/// every week (the bureau), asking for all of them or a year's, reads the counts the
/// database keeps (`tallies`, `weeks:<year>:<status>`); any narrower list counts its rows.
pub async fn attendance(
    db: &impl Conn,
    actor: &Actor,
    filter: &WeekFilter,
) -> AppResult<Attendance> {
    policy::require_some(actor, Subject::TrainingWeek, Act::List)?;
    if policy::everywhere(actor, Subject::TrainingWeek, Act::Read)
        && filter.school_pairing_id.is_none()
        && filter.school_id.is_none()
        && filter.district.trim().is_empty()
        && filter.term.is_none()
        && filter.status.is_none()
        && filter.teachers.is_empty()
    {
        return kept_attendance(db, filter.academic_year_id).await;
    }
    let rows: Vec<(WeekStatus, i64)> = training_weeks::Entity::find()
        .select_only()
        .column(training_weeks::Column::Status)
        .column_as(training_weeks::Column::Id.count(), "n")
        .filter(condition(actor, filter))
        .group_by(training_weeks::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut a = Attendance::default();
    for (s, n) in rows {
        match s {
            WeekStatus::Planned => a.planned = n,
            WeekStatus::Attended => a.attended = n,
            WeekStatus::Missed => a.missed = n,
        }
    }
    Ok(a)
}

/// The kept counts of every week, or of one year's (`tallies`): two queries, the years'
/// ids and their counts by exact name (no text ranges, which a database's collation may
/// order otherwise).
async fn kept_attendance(db: &impl Conn, year: Option<i64>) -> AppResult<Attendance> {
    use crate::entities::tallies;
    let years: Vec<i64> = match year {
        Some(y) => vec![y],
        None => {
            academic_years::Entity::find()
                .select_only()
                .column(academic_years::Column::Id)
                .into_tuple()
                .all(db)
                .await?
        }
    };
    let names: Vec<String> = years
        .iter()
        .flat_map(|y| {
            WeekStatus::ALL
                .iter()
                .map(move |s| format!("weeks:{y}:{}", s.as_str()))
        })
        .collect();
    let rows = tallies::Entity::find()
        .filter(tallies::Column::Name.is_in(names))
        .all(db)
        .await?;
    let mut a = Attendance::default();
    for r in rows {
        let n = r.n.max(0);
        match r.name.rsplit(':').next().and_then(WeekStatus::parse) {
            Some(WeekStatus::Planned) => a.planned += n,
            Some(WeekStatus::Attended) => a.attended += n,
            Some(WeekStatus::Missed) => a.missed += n,
            None => {}
        }
    }
    Ok(a)
}

/// A week with the names people read and what the viewer may do.
#[derive(Debug, Clone, Serialize)]
pub struct WeekRow {
    pub row: training_weeks::Model,
    pub teacher: String,
    pub host: String,
    pub guest: String,
    pub actions: Vec<WeekAction>,
}

impl WeekRow {
    pub fn may(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a.as_str() == action)
    }
}

/// Weeks with names: two queries for any number of weeks.
pub async fn with_names(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    rows: Vec<training_weeks::Model>,
) -> AppResult<Vec<WeekRow>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let schools = crate::domain::names::schools(
        conn,
        rows.iter()
            .flat_map(|r| [r.host_school_id, r.guest_school_id]),
    )
    .await?;
    let people: HashMap<i64, String> =
        crate::domain::names::teachers(conn, rows.iter().map(|r| r.teacher_id)).await?;
    let name = |m: &HashMap<i64, String>, id: i64| m.get(&id).cloned().unwrap_or_default();
    Ok(rows
        .into_iter()
        .map(|r| WeekRow {
            teacher: name(&people, r.teacher_id),
            host: name(&schools, r.host_school_id),
            guest: name(&schools, r.guest_school_id),
            actions: actions_of(actor, &r),
            row: r,
        })
        .collect())
}

/// A page of weeks with names.
pub async fn list_rows(
    db: &impl Conn,
    actor: &Actor,
    filter: &WeekFilter,
    page: PageRequest,
) -> AppResult<Paged<WeekRow>> {
    let mut paged = list(db, actor, filter, page).await?;
    let rows = std::mem::take(&mut paged.items);
    let items = with_names(db, actor, rows).await?;
    Ok(paged.with_items(items))
}

/// The teachers a schedule may be made for: the active teachers of the pairing's
/// receiving school, by name.
pub async fn candidates(
    conn: &impl ConnectionTrait,
    p: &school_pairings::Model,
) -> AppResult<Vec<(i64, String)>> {
    Ok(teachers::Entity::find()
        .select_only()
        .column(teachers::Column::Id)
        .column(teachers::Column::Name)
        .filter(teachers::Column::SchoolId.eq(p.receiver_id))
        .filter(teachers::Column::IsActive.eq(true))
        .order_by_asc(teachers::Column::NameKey)
        .limit(500)
        .into_tuple()
        .all(conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn one_week_a_month_within_the_term() {
        // Autumn 2026: 1 September (a Tuesday) to 31 January.
        let weeks = term_weeks(d("2026-09-01"), d("2027-01-31"), 1);
        let mondays: Vec<String> = weeks.iter().map(|w| w.0.to_string()).collect();
        assert_eq!(
            mondays,
            [
                "2026-09-07",
                "2026-10-05",
                "2026-11-02",
                "2026-12-07",
                "2027-01-04"
            ]
        );
        assert!(weeks.iter().all(|(m, f)| *f - *m == Duration::days(4)));
        // The fourth week, and a term that ends before January's fourth week is over.
        let fourth = term_weeks(d("2026-09-01"), d("2027-01-27"), 4);
        assert_eq!(
            fourth.last().map(|w| w.0.to_string()).as_deref(),
            Some("2026-12-28")
        );
    }
}
