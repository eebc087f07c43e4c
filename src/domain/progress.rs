//! Progress against the work plan's term targets: per term, how many observations of the
//! mentee by the mentor, mentor lessons the mentee attended, reflections and contacts,
//! against the targets ("听课 2/4"). A pairing is behind when, in the current term, a count
//! is below its target scaled to the part of the term gone by (or below the target once
//! the term is over).
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;

use crate::domain::access::Visible;
use crate::domain::types;
use crate::domain::types::PairingStatus;
use crate::domain::work_plans::{PLAN_TARGETS, WorkPlan};
use crate::entities::{academic_years, contacts, observations, reflections, teacher_pairings};
use crate::error::AppResult;

/// One measure in one term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Measure {
    /// `observations`, `attended`, `reflections` or `contacts`.
    pub field: &'static str,
    /// Its catalogue key.
    pub label: &'static str,
    pub done: i64,
    pub target: i64,
    /// What should be done by today (the target, scaled to the part of the term gone by).
    pub expected: i64,
}

impl Measure {
    pub fn behind(&self) -> bool {
        self.done < self.expected
    }
}

/// One term of the pairing's year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermProgress {
    /// 1 or 2.
    pub term: u8,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Today falls in this term.
    pub is_current: bool,
    pub measures: Vec<Measure>,
}

impl TermProgress {
    pub fn behind(&self) -> bool {
        self.measures.iter().any(Measure::behind)
    }

    /// "听课 2/4 · 反思 1/4 …" pieces: (label key, done, target, behind).
    pub fn label_key(&self) -> &'static str {
        if self.term == 1 {
            "term-first"
        } else {
            "term-second"
        }
    }
}

/// The terms of the year of a pairing the actor sees, with their counts. Empty when the
/// year is unknown.
pub async fn of_pairing(
    conn: &impl ConnectionTrait,
    p: &Visible<teacher_pairings::Model>,
    today: NaiveDate,
) -> AppResult<Vec<TermProgress>> {
    terms_of(conn, p, today).await
}

/// `of_pairing` for rows that came from the actor's own lists (home pages).
async fn terms_of(
    conn: &impl ConnectionTrait,
    p: &teacher_pairings::Model,
    today: NaiveDate,
) -> AppResult<Vec<TermProgress>> {
    let Some(year) = academic_years::Entity::find_by_id(p.academic_year_id)
        .one(conn)
        .await?
    else {
        return Ok(Vec::new());
    };
    let plan = WorkPlan::parse(&p.plan);
    let terms = [
        (
            1u8,
            year.starts_on,
            year.second_term_starts_on
                .pred_opt()
                .unwrap_or(year.second_term_starts_on),
        ),
        (2u8, year.second_term_starts_on, year.ends_on),
    ];
    let mut out = Vec::new();
    for (term, from, to) in terms {
        let obs = |observer: i64| {
            observations::Entity::find()
                .filter(observations::Column::TeacherPairingId.eq(p.id))
                .filter(observations::Column::ObserverId.eq(observer))
                .filter(observations::Column::ObservedOn.gte(from))
                .filter(observations::Column::ObservedOn.lte(to))
        };
        let observed = obs(p.mentor_id).count(conn).await? as i64;
        let attended = obs(p.mentee_id).count(conn).await? as i64;
        let start = types::local_midnight(from);
        let end = types::local_midnight(to.succ_opt().unwrap_or(to));
        let written = reflections::Entity::find()
            .filter(reflections::Column::TeacherPairingId.eq(p.id))
            .filter(reflections::Column::CreatedAt.gte(start))
            .filter(reflections::Column::CreatedAt.lt(end))
            .count(conn)
            .await? as i64;
        let contacted = contacts::Entity::find()
            .filter(contacts::Column::TeacherPairingId.eq(p.id))
            .filter(contacts::Column::ContactedOn.gte(from))
            .filter(contacts::Column::ContactedOn.lte(to))
            .count(conn)
            .await? as i64;
        // The part of the term gone by: 0 before it, 1 after it.
        let days = (to - from).num_days().max(1) + 1;
        let gone = ((today - from).num_days() + 1).clamp(0, days);
        let measures = PLAN_TARGETS
            .iter()
            .map(|(field, label)| {
                let target = plan.target(term, field);
                let done = match *field {
                    "observations" => observed,
                    "attended" => attended,
                    "reflections" => written,
                    _ => contacted,
                };
                Measure {
                    field,
                    label,
                    done,
                    target,
                    expected: target * gone / days,
                }
            })
            .collect();
        out.push(TermProgress {
            term,
            from,
            to,
            is_current: from <= today && today <= to,
            measures,
        });
    }
    Ok(out)
}

/// The term to show first: the current one, else the last one begun, else the first.
pub fn current(terms: &[TermProgress], today: NaiveDate) -> Option<&TermProgress> {
    terms
        .iter()
        .find(|t| t.is_current)
        .or_else(|| terms.iter().rev().find(|t| t.from <= today))
        .or_else(|| terms.first())
}

/// Whether an active pairing is behind in its current term.
pub async fn is_behind(
    conn: &impl ConnectionTrait,
    p: &teacher_pairings::Model,
) -> AppResult<bool> {
    if p.status != PairingStatus::Active {
        return Ok(false);
    }
    let today = types::today();
    let terms = terms_of(conn, p, today).await?;
    Ok(current(&terms, today).is_some_and(TermProgress::behind))
}

/// The current term's progress of each active pairing (home pages).
pub async fn current_of_each(
    conn: &impl ConnectionTrait,
    pairings: &[teacher_pairings::Model],
) -> AppResult<std::collections::HashMap<i64, TermProgress>> {
    let today = types::today();
    let mut out = std::collections::HashMap::new();
    for p in pairings
        .iter()
        .filter(|p| p.status == PairingStatus::Active)
    {
        let terms = terms_of(conn, p, today).await?;
        if let Some(t) = current(&terms, today) {
            out.insert(p.id, t.clone());
        }
    }
    Ok(out)
}
