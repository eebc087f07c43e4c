//! Progress against the work plan's term targets: per term, how many observations of the
//! mentee by the mentor, mentor lessons the mentee attended, reflections and contacts,
//! against the targets ("听课 2/4"). A pairing is behind when, in the current term, a count
//! is below its target scaled to the part of the term gone by since the term began or the
//! pairing was published, whichever is later (or below the target once the term is over).
use chrono::NaiveDate;
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
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

    /// How far behind: the sum of what is missing against what is due by today (0 when
    /// on track). Stored as `teacher_pairings.shortfall`; the most behind are listed first.
    pub fn shortfall(&self) -> i64 {
        self.measures
            .iter()
            .map(|m| (m.expected - m.done).max(0))
            .sum()
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
/// year is unknown. Seven queries: the year, then three counts per term.
pub async fn of_pairing(
    conn: &impl ConnectionTrait,
    p: &Visible<teacher_pairings::Model>,
    today: NaiveDate,
) -> AppResult<Vec<TermProgress>> {
    let Some(year) = academic_years::Entity::find_by_id(p.academic_year_id)
        .one(conn)
        .await?
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (term, from, to) in terms(&year) {
        let counts = Counts::of(conn, std::slice::from_ref(&**p), from, to).await?;
        out.push(progress(p, &counts, term, from, to, today));
    }
    Ok(out)
}

/// The two terms of a year: (number, first day, last day).
fn terms(year: &academic_years::Model) -> [(u8, NaiveDate, NaiveDate); 2] {
    [
        (
            1u8,
            year.starts_on,
            year.second_term_starts_on
                .pred_opt()
                .unwrap_or(year.second_term_starts_on),
        ),
        (2u8, year.second_term_starts_on, year.ends_on),
    ]
}

/// What a set of pairings did between two days (both included), counted in one statement
/// whatever the number of pairings.
struct Counts {
    /// (pairing, observer) → observations.
    observations: HashMap<(i64, i64), i64>,
    reflections: HashMap<i64, i64>,
    contacts: HashMap<i64, i64>,
}

/// Above this many pairings, counts are selected by a subquery instead of a list of ids.
const MAX_LISTED_IDS: usize = 500;

impl Counts {
    async fn of(
        conn: &impl ConnectionTrait,
        pairings: &[teacher_pairings::Model],
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Counts> {
        let ids: Vec<i64> = pairings.iter().map(|p| p.id).collect();
        // A long list of ids would exceed the database's limit on bound parameters (the
        // bureau sees every pairing): then the pairings are named by what they share — the
        // active ones of their year — and the counts of others are not looked up.
        let years: Vec<i64> = {
            let mut y: Vec<i64> = pairings.iter().map(|p| p.academic_year_id).collect();
            y.sort_unstable();
            y.dedup();
            y
        };
        use sea_orm::sea_query::ExprTrait;
        let of_pairings =
            |column: sea_orm::sea_query::SimpleExpr| -> sea_orm::sea_query::SimpleExpr {
                if ids.len() <= MAX_LISTED_IDS {
                    column.is_in(ids.clone())
                } else {
                    column.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(teacher_pairings::Column::Id)
                            .from(teacher_pairings::Entity)
                            .and_where(teacher_pairings::Column::Status.eq(PairingStatus::Active))
                            .and_where(
                                teacher_pairings::Column::AcademicYearId.is_in(years.clone()),
                            )
                            .to_owned(),
                    )
                }
            };
        if ids.is_empty() {
            return Ok(Counts {
                observations: HashMap::new(),
                reflections: HashMap::new(),
                contacts: HashMap::new(),
            });
        }
        // The three counts in one statement (a `UNION ALL`, each part tagged): observations
        // per pairing and observer, reflections and contacts per pairing.
        use sea_orm::sea_query::{Expr, UnionType};
        use sea_orm::{QueryTrait, Value};
        let mut all = observations::Entity::find()
            .select_only()
            .expr_as(Expr::val(0i64), "part")
            .column_as(observations::Column::TeacherPairingId, "pairing")
            .column_as(observations::Column::ObserverId, "who")
            .column_as(observations::Column::Id.count(), "n")
            .filter(of_pairings(Expr::col((
                observations::Entity,
                observations::Column::TeacherPairingId,
            ))))
            .filter(observations::Column::ObservedOn.gte(from))
            .filter(observations::Column::ObservedOn.lte(to))
            .group_by(observations::Column::TeacherPairingId)
            .group_by(observations::Column::ObserverId)
            .into_query();
        let start = types::local_midnight(from);
        let end = types::local_midnight(to.succ_opt().unwrap_or(to));
        all.union(
            UnionType::All,
            reflections::Entity::find()
                .select_only()
                .expr_as(Expr::val(1i64), "part")
                .column_as(reflections::Column::TeacherPairingId, "pairing")
                .expr_as(Expr::val(Value::BigInt(Some(0))), "who")
                .column_as(reflections::Column::Id.count(), "n")
                .filter(of_pairings(Expr::col((
                    reflections::Entity,
                    reflections::Column::TeacherPairingId,
                ))))
                .filter(reflections::Column::CreatedAt.gte(start))
                .filter(reflections::Column::CreatedAt.lt(end))
                .group_by(reflections::Column::TeacherPairingId)
                .into_query(),
        );
        all.union(
            UnionType::All,
            contacts::Entity::find()
                .select_only()
                .expr_as(Expr::val(2i64), "part")
                .column_as(contacts::Column::TeacherPairingId, "pairing")
                .expr_as(Expr::val(Value::BigInt(Some(0))), "who")
                .column_as(contacts::Column::Id.count(), "n")
                .filter(of_pairings(Expr::col((
                    contacts::Entity,
                    contacts::Column::TeacherPairingId,
                ))))
                .filter(contacts::Column::ContactedOn.gte(from))
                .filter(contacts::Column::ContactedOn.lte(to))
                .group_by(contacts::Column::TeacherPairingId)
                .into_query(),
        );
        let mut observations = HashMap::new();
        let mut reflections = HashMap::new();
        let mut contacts = HashMap::new();
        let backend = conn.get_database_backend();
        for row in conn.query_all_raw(backend.build(&all)).await? {
            let part: i64 = row.try_get("", "part")?;
            let pairing: i64 = row.try_get("", "pairing")?;
            let n: i64 = row.try_get("", "n")?;
            match part {
                0 => {
                    observations.insert((pairing, row.try_get::<i64>("", "who")?), n);
                }
                1 => {
                    reflections.insert(pairing, n);
                }
                _ => {
                    contacts.insert(pairing, n);
                }
            }
        }
        Ok(Counts {
            observations,
            reflections,
            contacts,
        })
    }
}

/// One pairing's progress in one term. The targets are spread over the part of the term
/// the pairing runs in: from the term's first day, or from the day the pairing was
/// published if that is later. So a pairing published today is not behind, and one
/// published after a term ended owes that term nothing.
fn progress(
    p: &teacher_pairings::Model,
    counts: &Counts,
    term: u8,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> TermProgress {
    let plan = WorkPlan::parse(&p.plan);
    let began = p
        .published_at
        .map(types::local_date)
        .map_or(from, |d| d.max(from));
    let days = (to - began).num_days() + 1;
    let gone = ((today - began).num_days() + 1).clamp(0, days.max(0));
    let observed = |who: i64| counts.observations.get(&(p.id, who)).copied().unwrap_or(0);
    let measures = PLAN_TARGETS
        .iter()
        .map(|(field, label)| {
            let target = plan.target(term, field);
            let done = match *field {
                "observations" => observed(p.mentor_id),
                "attended" => observed(p.mentee_id),
                "reflections" => counts.reflections.get(&p.id).copied().unwrap_or(0),
                _ => counts.contacts.get(&p.id).copied().unwrap_or(0),
            };
            Measure {
                field,
                label,
                done,
                target,
                expected: if days > 0 { target * gone / days } else { 0 },
            }
        })
        .collect();
    TermProgress {
        term,
        from,
        to,
        is_current: from <= today && today <= to,
        measures,
    }
}

/// The term to show first: the current one, else the last one begun, else the first.
pub fn current(terms: &[TermProgress], today: NaiveDate) -> Option<&TermProgress> {
    terms
        .iter()
        .find(|t| t.is_current)
        .or_else(|| terms.iter().rev().find(|t| t.from <= today))
        .or_else(|| terms.first())
}

/// The current term's progress of these active pairings of `year`: three queries.
pub async fn current_in_year(
    conn: &impl ConnectionTrait,
    year: &academic_years::Model,
    pairings: &[teacher_pairings::Model],
    today: NaiveDate,
) -> AppResult<HashMap<i64, TermProgress>> {
    let mut out = HashMap::new();
    let terms = terms(year);
    let Some(&(term, from, to)) = terms
        .iter()
        .find(|(_, from, to)| *from <= today && today <= *to)
        .or_else(|| terms.iter().rev().find(|(_, from, _)| *from <= today))
        .or_else(|| terms.first())
    else {
        return Ok(out);
    };
    let counts = Counts::of(conn, pairings, from, to).await?;
    for p in pairings {
        out.insert(p.id, progress(p, &counts, term, from, to, today));
    }
    Ok(out)
}

/// The current term's progress of each active pairing (home pages): one query for the
/// years, then three per year among them (in practice one or two years), whatever the
/// number of pairings.
pub async fn current_of_each(
    conn: &impl ConnectionTrait,
    pairings: &[teacher_pairings::Model],
    today: NaiveDate,
) -> AppResult<HashMap<i64, TermProgress>> {
    let active: Vec<&teacher_pairings::Model> = pairings
        .iter()
        .filter(|p| p.status == PairingStatus::Active)
        .collect();
    let mut year_ids: Vec<i64> = active.iter().map(|p| p.academic_year_id).collect();
    year_ids.sort_unstable();
    year_ids.dedup();
    if year_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let years = academic_years::Entity::find()
        .filter(academic_years::Column::Id.is_in(year_ids))
        .all(conn)
        .await?;
    let mut out = HashMap::new();
    for year in years {
        let of_year: Vec<teacher_pairings::Model> = active
            .iter()
            .filter(|p| p.academic_year_id == year.id)
            .map(|p| (*p).clone())
            .collect();
        out.extend(current_in_year(conn, &year, &of_year, today).await?);
    }
    Ok(out)
}

/// Stores how far each of these pairings is behind its current term's targets today
/// (`teacher_pairings.shortfall`; None once not active), in the caller's transaction.
/// Every write that moves a count, a target, the status or the year's dates calls it, so
/// the homes read "behind" off an index instead of counting every pairing's term.
pub async fn refresh(conn: &impl ConnectionTrait, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(MAX_LISTED_IDS) {
        let pairings = teacher_pairings::Entity::find()
            .filter(teacher_pairings::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?;
        store(conn, &pairings, types::today()).await?;
    }
    Ok(())
}

/// The active pairings of a year (its term dates changed), in the caller's transaction.
pub async fn refresh_year(conn: &impl ConnectionTrait, year_id: i64) -> AppResult<()> {
    let mut after = 0i64;
    loop {
        let batch = active_after(conn, Some(year_id), after).await?;
        let Some(last) = batch.last() else {
            return Ok(());
        };
        after = last.id;
        store(conn, &batch, types::today()).await?;
    }
}

/// The next 500 active pairings (of one year, or of all) after id `after`, by id.
async fn active_after(
    conn: &impl ConnectionTrait,
    year_id: Option<i64>,
    after: i64,
) -> AppResult<Vec<teacher_pairings::Model>> {
    let mut q = teacher_pairings::Entity::find()
        .filter(teacher_pairings::Column::Status.eq(PairingStatus::Active))
        .filter(teacher_pairings::Column::Id.gt(after));
    if let Some(y) = year_id {
        q = q.filter(teacher_pairings::Column::AcademicYearId.eq(y));
    }
    Ok(q.order_by_asc(teacher_pairings::Column::Id)
        .limit(MAX_LISTED_IDS as u64)
        .all(conn)
        .await?)
}

/// The settings key holding the day every pairing's shortfall was last refreshed.
const REFRESHED_ON: &str = "progress_refreshed_on";

/// Once a day (the worker asks every few seconds): what is due grows with the days, so
/// every active pairing's shortfall is recomputed for `today`. The day is claimed first,
/// so of several instances one does the work. Returns whether it ran.
pub async fn refresh_daily(db: &impl crate::db::Conn, today: NaiveDate) -> AppResult<bool> {
    use crate::entities::settings;
    use sea_orm::sea_query::Expr;
    let day = today.to_string();
    // Asked every few seconds: a read answers on every day but the first ask, so no write
    // lock is taken for nothing.
    let done = settings::Entity::find_by_id(REFRESHED_ON.to_string())
        .one(db)
        .await?
        .is_some_and(|row| row.value == day);
    if done {
        return Ok(false);
    }
    let txn = crate::db::begin_write(db).await?;
    mark(&txn, None).await?;
    let claimed = settings::Entity::update_many()
        .col_expr(settings::Column::Value, Expr::value(day.clone()))
        .col_expr(settings::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
        .filter(settings::Column::Key.eq(REFRESHED_ON))
        .filter(settings::Column::Value.ne(day))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    txn.commit().await?;
    if claimed && let Err(e) = refresh_every(db, today).await {
        // Not done after all: the next round tries again.
        settings::Entity::update_many()
            .col_expr(settings::Column::Value, Expr::value(String::new()))
            .filter(settings::Column::Key.eq(REFRESHED_ON))
            .exec(db)
            .await?;
        return Err(e);
    }
    Ok(claimed)
}

/// Records `day` as the day of the last full refresh (None: only makes sure the row is
/// there).
async fn mark(conn: &impl ConnectionTrait, day: Option<NaiveDate>) -> AppResult<()> {
    use crate::entities::settings;
    use sea_orm::sea_query::OnConflict;
    let mut on_conflict = OnConflict::column(settings::Column::Key);
    match day {
        Some(_) => {
            on_conflict.update_columns([settings::Column::Value, settings::Column::UpdatedAt])
        }
        None => on_conflict.do_nothing(),
    };
    settings::Entity::insert(settings::ActiveModel {
        key: sea_orm::Set(REFRESHED_ON.into()),
        value: sea_orm::Set(day.map(|d| d.to_string()).unwrap_or_default()),
        updated_at: sea_orm::Set(chrono::Utc::now()),
    })
    .on_conflict(on_conflict.to_owned())
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Recomputes every pairing's shortfall for `today`, 500 pairings per transaction, and
/// records the day (the generator and the demo call it once their rows are in).
pub async fn refresh_every(db: &impl crate::db::Conn, today: NaiveDate) -> AppResult<()> {
    use sea_orm::sea_query::Expr;
    teacher_pairings::Entity::update_many()
        .col_expr(
            teacher_pairings::Column::Shortfall,
            Expr::value(None::<i64>),
        )
        .filter(teacher_pairings::Column::Status.ne(PairingStatus::Active))
        .filter(teacher_pairings::Column::Shortfall.is_not_null())
        .exec(db)
        .await?;
    let mut after = 0i64;
    loop {
        let txn = if crate::db::is_postgres(db) {
            db.begin().await?
        } else {
            crate::db::begin_write(db).await?
        };
        let batch = active_after(&txn, None, after).await?;
        let Some(last) = batch.last() else {
            mark(&txn, Some(today)).await?;
            txn.commit().await?;
            return Ok(());
        };
        after = last.id;
        store(&txn, &batch, today).await?;
        txn.commit().await?;
    }
}

/// Writes the shortfalls that changed: one UPDATE per distinct value.
async fn store(
    conn: &impl ConnectionTrait,
    pairings: &[teacher_pairings::Model],
    today: NaiveDate,
) -> AppResult<()> {
    use sea_orm::sea_query::Expr;
    let progress = current_of_each(conn, pairings, today).await?;
    let mut by_value: std::collections::BTreeMap<Option<i64>, Vec<i64>> = Default::default();
    for p in pairings {
        let value = progress.get(&p.id).map(TermProgress::shortfall);
        if value != p.shortfall {
            by_value.entry(value).or_default().push(p.id);
        }
    }
    for (value, ids) in by_value {
        teacher_pairings::Entity::update_many()
            .col_expr(teacher_pairings::Column::Shortfall, Expr::value(value))
            .filter(teacher_pairings::Column::Id.is_in(ids))
            .exec(conn)
            .await?;
    }
    Ok(())
}
