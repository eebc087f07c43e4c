//! Scheduled reminders for the year-end documents (issue 14 item 6), written through the
//! outbox like every mail and each sent once (`reminders_sent`):
//!
//! - **Deadline**: from `se_reminder_days` before the self-evaluation deadline (the current
//!   year's end less `se_deadline_days_before_year_end`) until the deadline, every teacher
//!   with a role in the year (a published pairing, a secondment) whose self-evaluation is
//!   not begun or still a draft is told once.
//! - **Waiting**: a self-evaluation or summary that has waited at one step longer than
//!   `waiting_reminder_days` tells whoever acts next, once per stay at that step (a step
//!   taken and returned to counts as a new stay).
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::db::{self, Conn};
use crate::domain::context::Context as Site;
use crate::domain::notifications::{self, Notice};
use crate::domain::self_evaluations::Stage as SeStage;
use crate::domain::summaries::Stage as SumStage;
use crate::domain::types::{PairingStatus, Role};
use crate::entities::{
    academic_years, reminders_sent, secondments, self_evaluations, summaries, teacher_pairings,
    users,
};
use crate::error::AppResult;

/// The most documents of each kind one run reminds about (the rest wait an hour).
pub const BATCH: u64 = 500;

/// What one run sent.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    pub deadline: usize,
    pub waiting: usize,
}

/// The current year's self-evaluation deadline.
pub fn deadline(year: &academic_years::Model, days_before_end: i64) -> NaiveDate {
    year.ends_on - Duration::days(days_before_end)
}

/// Sends the reminders due at `now` (each once), in one transaction.
pub async fn run(db: &impl Conn, now: DateTime<Utc>, site: &Site) -> AppResult<Sent> {
    let settings = crate::domain::settings::load(db).await?;
    let txn = db::begin_write(db).await?;
    let mut sent = Sent::default();
    let today = now
        .with_timezone(&crate::domain::types::local_zone())
        .date_naive();
    if let Some(year) = crate::domain::academic_years::current(&txn).await? {
        let due = deadline(&year, settings.se_deadline_days_before_year_end);
        if today <= due && today >= due - Duration::days(settings.se_reminder_days) {
            sent.deadline = deadline_reminders(&txn, &year, due, now, site).await?;
        }
    }
    sent.waiting = waiting_reminders(&txn, now, settings.waiting_reminder_days, site).await?;
    txn.commit().await?;
    Ok(sent)
}

/// Of `candidates` (user, subject), those not yet sent `kind`; records them as sent.
async fn first_time(
    conn: &impl ConnectionTrait,
    kind: &str,
    candidates: Vec<(i64, String)>,
    now: DateTime<Utc>,
) -> AppResult<Vec<(i64, String)>> {
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let subjects: HashSet<&String> = candidates.iter().map(|(_, s)| s).collect();
    let done: HashSet<(i64, String)> = reminders_sent::Entity::find()
        .select_only()
        .column(reminders_sent::Column::UserId)
        .column(reminders_sent::Column::Subject)
        .filter(reminders_sent::Column::Kind.eq(kind))
        .filter(reminders_sent::Column::Subject.is_in(subjects.into_iter().cloned()))
        .into_tuple()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut fresh = Vec::new();
    let mut seen = HashSet::new();
    for c in candidates {
        if done.contains(&c) || !seen.insert(c.clone()) {
            continue;
        }
        reminders_sent::ActiveModel {
            kind: Set(kind.to_string()),
            subject: Set(c.1.clone()),
            user_id: Set(c.0),
            sent_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        fresh.push(c);
    }
    Ok(fresh)
}

async fn deadline_reminders(
    conn: &impl ConnectionTrait,
    year: &academic_years::Model,
    due: NaiveDate,
    now: DateTime<Utc>,
    site: &Site,
) -> AppResult<usize> {
    use teacher_pairings::Column as T;
    let published = || {
        Query::select()
            .from(teacher_pairings::Entity)
            .and_where(T::AcademicYearId.eq(year.id))
            .and_where(T::Status.ne(PairingStatus::Draft))
            .to_owned()
    };
    let submitted = Query::select()
        .column(self_evaluations::Column::TeacherId)
        .from(self_evaluations::Entity)
        .and_where(self_evaluations::Column::AcademicYearId.eq(year.id))
        .and_where(self_evaluations::Column::Status.ne(SeStage::Draft))
        .to_owned();
    let teachers_of_year = sea_orm::Condition::any()
        .add(users::Column::TeacherId.in_subquery(published().column(T::MentorId).to_owned()))
        .add(users::Column::TeacherId.in_subquery(published().column(T::MenteeId).to_owned()))
        .add(
            users::Column::TeacherId.in_subquery(
                Query::select()
                    .column(secondments::Column::TeacherId)
                    .from(secondments::Entity)
                    .and_where(secondments::Column::AcademicYearId.eq(year.id))
                    .to_owned(),
            ),
        );
    let people = users::Entity::find()
        .filter(users::Column::Role.eq(Role::Teacher.as_str()))
        .filter(users::Column::IsActive.eq(true))
        .filter(teachers_of_year)
        .filter(users::Column::TeacherId.not_in_subquery(submitted))
        .all(conn)
        .await?;
    let subject = year.id.to_string();
    let fresh = first_time(
        conn,
        "se-deadline",
        people.iter().map(|u| (u.id, subject.clone())).collect(),
        now,
    )
    .await?;
    let fresh: HashSet<i64> = fresh.into_iter().map(|(u, _)| u).collect();
    for u in people.iter().filter(|u| fresh.contains(&u.id)) {
        let notice = Notice::new("se-deadline", "/self-evaluations")
            .arg("year", &year.name)
            .arg("deadline", due);
        notifications::notify(conn, u, &notice, site).await?;
    }
    Ok(fresh.len())
}

/// The users who act next on a self-evaluation at its stage.
fn se_next(
    d: &self_evaluations::Model,
    admins: &HashMap<i64, Vec<i64>>,
    bureau: &[i64],
    authors: &HashMap<i64, i64>,
) -> Vec<i64> {
    let of_school = |s: i64| admins.get(&s).cloned().unwrap_or_default();
    match d.status {
        SeStage::Submitted => of_school(d.appraiser_school_id),
        SeStage::Appraised => match d.signer_school_id {
            Some(s) => of_school(s),
            None => bureau.to_vec(),
        },
        SeStage::Signed => bureau.to_vec(),
        SeStage::Verified => authors.get(&d.teacher_id).copied().into_iter().collect(),
        SeStage::Draft | SeStage::Acknowledged => Vec::new(),
    }
}

async fn waiting_reminders(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    days: i64,
    site: &Site,
) -> AppResult<usize> {
    let before = now - Duration::days(days);
    // Only stays not reminded yet (the subject of a stay is its prefix, id, stage and
    // version), at most `BATCH` of each kind per run: the next run takes the rest.
    let not_reminded = |prefix: &str, table: &str| {
        Expr::cust(format!(
            "NOT EXISTS (SELECT 1 FROM reminders_sent r WHERE r.kind = 'waiting' AND r.subject = \
             '{prefix}:' || {table}.id || ':' || {table}.status || ':' || {table}.version)"
        ))
    };
    let docs = self_evaluations::Entity::find()
        .filter(self_evaluations::Column::Status.is_in([
            SeStage::Submitted,
            SeStage::Appraised,
            SeStage::Signed,
            SeStage::Verified,
        ]))
        .filter(self_evaluations::Column::UpdatedAt.lt(before))
        .filter(not_reminded("se", "self_evaluations"))
        .order_by_asc(self_evaluations::Column::Id)
        .limit(BATCH)
        .all(conn)
        .await?;
    let sums = summaries::Entity::find()
        .filter(summaries::Column::Status.eq(SumStage::Submitted))
        .filter(summaries::Column::UpdatedAt.lt(before))
        .filter(not_reminded("sum", "summaries"))
        .order_by_asc(summaries::Column::Id)
        .limit(BATCH)
        .all(conn)
        .await?;
    if docs.is_empty() && sums.is_empty() {
        return Ok(0);
    }
    // Who acts: the admins of the schools concerned, the bureau, the teachers (3 queries).
    let schools: HashSet<i64> = docs
        .iter()
        .flat_map(|d| [Some(d.appraiser_school_id), d.signer_school_id])
        .flatten()
        .chain(
            sums.iter()
                .filter(|s| s.teacher_id.is_some())
                .map(|s| s.school_id),
        )
        .collect();
    let mut admins: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut bureau = Vec::new();
    for u in users::Entity::find()
        .filter(users::Column::IsActive.eq(true))
        .filter(
            sea_orm::Condition::any()
                .add(users::Column::Role.eq(Role::BureauAdmin.as_str()))
                .add(
                    sea_orm::Condition::all()
                        .add(users::Column::Role.eq(Role::SchoolAdmin.as_str()))
                        .add(users::Column::SchoolId.is_in(schools)),
                ),
        )
        .all(conn)
        .await?
    {
        match (u.role.as_str(), u.school_id) {
            ("bureau_admin", _) => bureau.push(u.id),
            (_, Some(s)) => admins.entry(s).or_default().push(u.id),
            _ => {}
        }
    }
    let authors: HashMap<i64, i64> = users::Entity::find()
        .select_only()
        .column(users::Column::TeacherId)
        .column(users::Column::Id)
        .filter(users::Column::TeacherId.is_in(docs.iter().map(|d| d.teacher_id)))
        .filter(users::Column::IsActive.eq(true))
        .into_tuple::<(Option<i64>, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|(t, u)| t.map(|t| (t, u)))
        .collect();
    let names = crate::domain::names::teachers(
        conn,
        docs.iter()
            .map(|d| d.teacher_id)
            .chain(sums.iter().filter_map(|s| s.teacher_id)),
    )
    .await?;
    let school_names =
        crate::domain::names::schools(conn, sums.iter().map(|s| s.school_id)).await?;

    // (user, subject, notice) for every document and its next actors.
    let mut wanted: Vec<(i64, String, Notice)> = Vec::new();
    let waited = |at: DateTime<Utc>| (now - at).num_days();
    for d in &docs {
        let subject = format!("se:{}:{}:{}", d.id, d.status.as_str(), d.version);
        let notice = Notice::new("se-overdue", format!("/self-evaluations/{}", d.id))
            .arg(
                "teacher",
                names.get(&d.teacher_id).cloned().unwrap_or_default(),
            )
            .arg("days", waited(d.updated_at));
        for u in se_next(d, &admins, &bureau, &authors) {
            wanted.push((u, subject.clone(), notice.clone()));
        }
    }
    for s in &sums {
        let subject = format!("sum:{}:{}:{}", s.id, s.status.as_str(), s.version);
        let author = match s.teacher_id {
            Some(t) => names.get(&t).cloned(),
            None => school_names.get(&s.school_id).cloned(),
        };
        let notice = Notice::new("sum-overdue", format!("/summaries/{}", s.id))
            .arg("author", author.unwrap_or_default())
            .arg("days", waited(s.updated_at));
        let next = if s.teacher_id.is_some() {
            admins.get(&s.school_id).cloned().unwrap_or_default()
        } else {
            bureau.clone()
        };
        for u in next {
            wanted.push((u, subject.clone(), notice.clone()));
        }
    }
    let fresh: HashSet<(i64, String)> = first_time(
        conn,
        "waiting",
        wanted.iter().map(|(u, s, _)| (*u, s.clone())).collect(),
        now,
    )
    .await?
    .into_iter()
    .collect();
    let mut sent = 0;
    for (u, subject, notice) in wanted {
        if fresh.contains(&(u, subject)) {
            notifications::notify_user(conn, u, &notice, site).await?;
            sent += 1;
        }
    }
    Ok(sent)
}
