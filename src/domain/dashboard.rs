//! The bureau's figures for an academic year, of the whole or of one district: what the
//! dashboard shows, the annual report states and `GET /api/v1/reports/summary` answers.
//!
//! Every count is read off `year_figures`, which triggers keep exact (migrations 23 and 26),
//! so a page costs the same on a county's data and on a province's. A record counts for the
//! district of the school it concerns: the receiving school of a school pairing, its visits and its ledger; the mentee's school of a teacher
//! pairing and its observations; the trainee's school of a training week; the receiving
//! school of a secondment; the teacher's school of a self-evaluation.
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use serde::Serialize;

use crate::domain::access::Actor;
use crate::domain::access::policy::Subject;
use crate::domain::contributions::LedgerStatus;
use crate::domain::self_evaluations::{Grade, Stage};
use crate::domain::summaries::Stage as SummaryStatus;
use crate::domain::tallies::require_everywhere;
use crate::domain::training::WeekStatus;
use crate::domain::types::PairingStatus;
use crate::domain::visits::VisitKind;
use crate::entities::{
    academic_years, schools, self_evaluations, summaries, teachers, year_figures,
};
use crate::error::AppResult;

/// What the figures are of: a year, and the whole or one district.
#[derive(Debug, Clone)]
pub struct Scope {
    pub year: academic_years::Model,
    pub district: Option<String>,
}

impl Scope {
    fn key(&self) -> String {
        match &self.district {
            Some(d) => format!("d:{d}"),
            None => "*".to_string(),
        }
    }
}

/// One year's figures of the whole or of a district.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = ReportFigures)]
pub struct Figures {
    /// School pairings running in the year (not drafts).
    pub school_pairings: u64,
    /// Schools in those pairings, each counted once (supporters and receivers).
    pub schools_paired: u64,
    /// Teacher pairings of the year by status.
    pub teacher_pairings: Vec<Count<PairingStatus>>,
    /// Secondments (person-times) by batch.
    pub seconded_by_batch: Vec<Count<i32>>,
    pub observations: u64,
    /// Observations in the first and the second term.
    pub observations_by_term: [u64; 2],
    /// Observations per month of the year, from its first month to its last.
    pub observations_by_month: Vec<Count<NaiveDate>>,
    /// Observations by total score in tens: 0–9, 10–19, …, 90–100.
    pub scores: Vec<Count<u8>>,
    /// Exchange visits begun in the year, by kind.
    pub visits: Vec<Count<VisitKind>>,
    /// Training weeks by status.
    pub training_weeks: Vec<Count<WeekStatus>>,
    /// Ledger items given in the year: value in fen by status.
    pub support_fen: Vec<Count<LedgerStatus>>,
    /// Self-evaluations by step.
    pub self_evaluations: Vec<Count<Stage>>,
    /// Final grades given by the bureau.
    pub grades: Vec<Count<Grade>>,
    /// The secondment plan against the person-times, this year and to date.
    pub plan: SecondmentPlan,
}

/// Teachers planned for secondment (支教) against the person-times seconded: the seed's
/// "共安排129名教师 … 现已进行了四年三批轮岗支教达107人次".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SecondmentPlan {
    /// Teachers planned for this year (`null`: the year has no plan; always `null` for a
    /// district, since plans are the whole's).
    pub planned: Option<i64>,
    /// The plans of this year and every earlier one added up (`null`: none has a plan, or
    /// a district).
    pub planned_to_date: Option<i64>,
    /// Person-times seconded in this year and every earlier one.
    pub seconded_to_date: i64,
    /// How many of those years had secondments.
    pub years_to_date: i64,
    /// The first of them (`2022-2023`).
    pub since: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Count<K> {
    pub key: K,
    pub n: i64,
}

impl Figures {
    fn count<K: PartialEq + Copy>(list: &[Count<K>], key: K) -> i64 {
        list.iter().find(|c| c.key == key).map_or(0, |c| c.n)
    }
    pub fn teacher_pairings_of(&self, status: PairingStatus) -> i64 {
        Self::count(&self.teacher_pairings, status)
    }
    pub fn seconded(&self) -> i64 {
        self.seconded_by_batch.iter().map(|c| c.n).sum()
    }
    pub fn visits_total(&self) -> i64 {
        self.visits.iter().map(|c| c.n).sum()
    }
    pub fn weeks_of(&self, status: WeekStatus) -> i64 {
        Self::count(&self.training_weeks, status)
    }
    pub fn support_of(&self, status: LedgerStatus) -> i64 {
        Self::count(&self.support_fen, status)
    }
    pub fn self_evaluations_total(&self) -> i64 {
        self.self_evaluations.iter().map(|c| c.n).sum()
    }
    pub fn grade_of(&self, grade: Grade) -> i64 {
        Self::count(&self.grades, grade)
    }
}

/// The bureau alone reads the figures of everything.
fn require(actor: &Actor) -> AppResult<()> {
    require_everywhere(
        actor,
        &[
            Subject::SchoolPairing,
            Subject::TeacherPairing,
            Subject::Observation,
            Subject::Visit,
            Subject::Contribution,
            Subject::TrainingWeek,
            Subject::Secondment,
            Subject::SelfEvaluation,
        ],
    )
}

/// Whether the actor may read the figures (the bureau; 403 otherwise).
pub fn figures_allowed(actor: &Actor) -> AppResult<()> {
    require(actor)
}

/// The months of a year, each as its first day.
pub fn months_of(year: &academic_years::Model) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut m = year.starts_on.with_day(1).unwrap_or(year.starts_on);
    while m <= year.ends_on {
        out.push(m);
        m = if m.month() == 12 {
            NaiveDate::from_ymd_opt(m.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(m.year(), m.month() + 1, 1)
        }
        .unwrap_or(year.ends_on + chrono::Duration::days(1));
    }
    out
}

/// The schools of a district, as a subquery.
fn schools_of(district: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(schools::Column::Id)
        .from(schools::Entity)
        .and_where(schools::Column::District.eq(district))
        .to_owned()
}

/// The kept counts of each school's pairings in a year are named `paired:<school id>`
/// (`schools-paired` counts those above zero).
const PAIRED: &str = "paired:";
const PAIRED_END: &str = "paired;";
/// Person-times seconded in a year are named `seconded:<batch>`.
const SECONDED: &str = "seconded:";
const SECONDED_END: &str = "seconded;";

/// The figures of `scope`: two queries, the years and the kept counts, whatever the size
/// of the data.
pub async fn figures(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    scope: &Scope,
) -> AppResult<Figures> {
    require(actor)?;
    let years = academic_years::Entity::find().all(conn).await?;
    figures_among(conn, actor, scope, &years).await
}

/// `figures` with every academic year already read (the dashboard has them for its year
/// picker): one query over the kept counts.
pub async fn figures_among(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    scope: &Scope,
    years: &[academic_years::Model],
) -> AppResult<Figures> {
    use sea_orm::sea_query::UnionType;
    require(actor)?;
    // The plan: this year's, and all years' up to this one against their person-times.
    let years_to_date: Vec<&academic_years::Model> = years
        .iter()
        .filter(|y| y.starts_on <= scope.year.starts_on)
        .collect();
    // One statement in four key ranges of the primary key: the scope's counts in this
    // year but the schools' `paired:` ones (an `OR` on the name made SQLite scan the whole
    // year), and the person-times (`seconded:<batch>`) of every year to date.
    let part = |years: Vec<i64>, from: &str, to: Option<&str>| {
        let mut q = year_figures::Entity::find()
            .select_only()
            .column(year_figures::Column::AcademicYearId)
            .column(year_figures::Column::Name)
            .column(year_figures::Column::N)
            .filter(year_figures::Column::AcademicYearId.is_in(years))
            .filter(year_figures::Column::Scope.eq(scope.key()))
            .filter(year_figures::Column::Name.gte(from));
        if let Some(to) = to {
            q = q.filter(year_figures::Column::Name.lt(to));
        }
        q.into_query()
    };
    let this_year = || vec![scope.year.id];
    let mut all = part(this_year(), "", Some(PAIRED));
    for next in [
        part(this_year(), PAIRED_END, Some(SECONDED)),
        part(
            years_to_date.iter().map(|y| y.id).collect(),
            SECONDED,
            Some(SECONDED_END),
        ),
        part(this_year(), SECONDED_END, None),
    ] {
        all.union(UnionType::All, next);
    }
    let backend = conn.get_database_backend();
    let mut kept: HashMap<String, i64> = HashMap::new();
    let mut seconded_in: HashMap<i64, i64> = HashMap::new();
    for row in conn.query_all_raw(backend.build(&all)).await? {
        let year: i64 = row.try_get("", "academic_year_id")?;
        let name: String = row.try_get("", "name")?;
        let n: i64 = row.try_get("", "n")?;
        if name.starts_with(SECONDED) {
            *seconded_in.entry(year).or_default() += n;
        }
        if year == scope.year.id {
            kept.insert(name, n);
        }
    }
    seconded_in.retain(|_, n| *n > 0);
    let get = |name: String| kept.get(&name).copied().unwrap_or(0);
    let planned_to_date = scope
        .district
        .is_none()
        .then(|| {
            years_to_date
                .iter()
                .filter_map(|y| y.secondments_planned.map(i64::from))
                .reduce(|a, b| a + b)
        })
        .flatten();
    let seconded_to_date = seconded_in.values().sum::<i64>();
    let years_with_secondments = seconded_in.len() as i64;
    let since = years_to_date
        .iter()
        .filter(|y| seconded_in.contains_key(&y.id))
        .map(|y| y.name.clone())
        .min();
    let plan = SecondmentPlan {
        planned: scope
            .district
            .is_none()
            .then_some(scope.year.secondments_planned.map(i64::from))
            .flatten(),
        planned_to_date,
        seconded_to_date,
        years_to_date: years_with_secondments,
        since,
    };
    let mut batches: Vec<Count<i32>> = kept
        .iter()
        .filter_map(|(name, n)| {
            let batch = name.strip_prefix(SECONDED)?.parse().ok()?;
            (*n != 0).then_some(Count { key: batch, n: *n })
        })
        .collect();
    batches.sort_by_key(|c| c.key);
    Ok(Figures {
        school_pairings: get("sp".into()).max(0) as u64,
        schools_paired: get("schools-paired".into()).max(0) as u64,
        teacher_pairings: PairingStatus::ALL
            .iter()
            .map(|s| Count {
                key: *s,
                n: get(format!("tp:{}", s.as_str())),
            })
            .collect(),
        seconded_by_batch: batches,
        observations: (get("obs-term:1".into()) + get("obs-term:2".into())).max(0) as u64,
        observations_by_term: [
            get("obs-term:1".into()).max(0) as u64,
            get("obs-term:2".into()).max(0) as u64,
        ],
        observations_by_month: months_of(&scope.year)
            .into_iter()
            .map(|m| Count {
                key: m,
                n: get(format!("obs:{}", m.format("%Y-%m"))),
            })
            .collect(),
        scores: (0..10u8)
            .map(|b| Count {
                key: b,
                n: get(format!("score:{b}")),
            })
            .collect(),
        visits: VisitKind::ALL
            .iter()
            .map(|k| Count {
                key: *k,
                n: get(format!("visits:{}", k.as_str())),
            })
            .collect(),
        training_weeks: WeekStatus::ALL
            .iter()
            .map(|s| Count {
                key: *s,
                n: get(format!("weeks:{}", s.as_str())),
            })
            .collect(),
        support_fen: LedgerStatus::ALL
            .iter()
            .map(|s| Count {
                key: *s,
                n: get(format!("fen:{}", s.as_str())),
            })
            .collect(),
        self_evaluations: Stage::ALL
            .iter()
            .map(|s| Count {
                key: *s,
                n: get(format!("se:{}", s.as_str())),
            })
            .collect(),
        grades: Grade::ALL
            .iter()
            .map(|g| Count {
                key: *g,
                n: get(format!("grade:{}", g.as_str())),
            })
            .collect(),
        plan,
    })
}

/// One district's line in the side-by-side comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DistrictLine {
    pub district: String,
    /// Teacher pairings active or completed in the year.
    pub teacher_pairings: i64,
    pub observations: i64,
    pub training_weeks_attended: i64,
    pub self_evaluations_verified: i64,
}

impl DistrictLine {
    /// Observations per pairing, in tenths (for sorting and the chart).
    pub fn per_pairing(&self) -> f64 {
        if self.teacher_pairings == 0 {
            0.0
        } else {
            self.observations as f64 / self.teacher_pairings as f64
        }
    }
}

/// Every district's figures in `year`, in the order of their names: one query over the
/// kept counts (a few rows per district).
pub async fn by_district(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    year: &academic_years::Model,
) -> AppResult<Vec<DistrictLine>> {
    require(actor)?;
    let names = [
        "tp:active",
        "tp:completed",
        "obs-term:1",
        "obs-term:2",
        "weeks:attended",
        "se:verified",
        "se:acknowledged",
    ];
    // The rows themselves, summed here: a `GROUP BY scope` made SQLite walk the year's
    // whole primary-key range (every name of every district, 2 ms) to save a sort, where
    // the name index reads only these names' rows (a few hundred, 0.4 ms).
    let rows: Vec<(String, String, i64)> = year_figures::Entity::find()
        .select_only()
        .column(year_figures::Column::Scope)
        .column(year_figures::Column::Name)
        .column(year_figures::Column::N)
        .filter(year_figures::Column::AcademicYearId.eq(year.id))
        .filter(year_figures::Column::Scope.gte("d:"))
        .filter(year_figures::Column::Scope.lt("d;"))
        .filter(year_figures::Column::Name.is_in(names))
        .into_tuple()
        .all(conn)
        .await?;
    let mut lines: std::collections::BTreeMap<String, DistrictLine> = Default::default();
    for (scope, name, n) in rows {
        let Some(district) = scope.strip_prefix("d:") else {
            continue;
        };
        let line = lines
            .entry(district.to_string())
            .or_insert_with(|| DistrictLine {
                district: district.to_string(),
                teacher_pairings: 0,
                observations: 0,
                training_weeks_attended: 0,
                self_evaluations_verified: 0,
            });
        match name.as_str() {
            "tp:active" | "tp:completed" => line.teacher_pairings += n,
            "obs-term:1" | "obs-term:2" => line.observations += n,
            "weeks:attended" => line.training_weeks_attended += n,
            _ => line.self_evaluations_verified += n,
        }
    }
    Ok(lines
        .into_values()
        .filter(|l| {
            l.teacher_pairings != 0
                || l.observations != 0
                || l.training_weeks_attended != 0
                || l.self_evaluations_verified != 0
        })
        .collect())
}

/// A document waiting at one step for longer than the setting allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    /// `/self-evaluations/<id>` or `/summaries/<id>`.
    pub href: String,
    /// The author: a teacher's name, or the school's for a school summary.
    pub author: String,
    /// The catalogue key of the step it waits at.
    pub step_key: String,
    pub since: chrono::DateTime<chrono::Utc>,
}

/// At most this many overdue documents of each kind.
pub const OVERDUE_SHOWN: u64 = 10;

/// The year's self-evaluations and summaries that have waited at a step since before
/// `before`, oldest first: one statement, a `UNION ALL` of one part per waiting step, each
/// reading the oldest few off the `(academic year, status, updated_at)` indexes.
pub async fn overdue(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    scope: &Scope,
    before: chrono::DateTime<chrono::Utc>,
) -> AppResult<Vec<Overdue>> {
    use sea_orm::sea_query::{Alias, Asterisk, SelectStatement, UnionType};
    require(actor)?;
    // Each part: (link prefix, the step's label key, its oldest rows as id, author, since).
    let mut parts: Vec<(&str, String, SelectStatement)> = Vec::new();
    use self_evaluations::Column as S;
    for stage in [Stage::Submitted, Stage::Appraised, Stage::Signed] {
        let mut q = self_evaluations::Entity::find()
            .select_only()
            .column(S::Id)
            .column_as(teachers::Column::Name, "author")
            .column_as(S::UpdatedAt, "since")
            .join(
                sea_orm::JoinType::InnerJoin,
                self_evaluations::Entity::belongs_to(teachers::Entity)
                    .from(S::TeacherId)
                    .to(teachers::Column::Id)
                    .into(),
            )
            .filter(S::AcademicYearId.eq(scope.year.id))
            .filter(S::Status.eq(stage))
            .filter(S::UpdatedAt.lt(before))
            .order_by_asc(S::UpdatedAt)
            .limit(OVERDUE_SHOWN);
        if let Some(d) = &scope.district {
            q = q.filter(S::SchoolId.in_subquery(schools_of(d)));
        }
        parts.push(("/self-evaluations/", stage.label_key(), q.into_query()));
    }
    use summaries::Column as M;
    let mut q = summaries::Entity::find()
        .select_only()
        .column(M::Id)
        .expr_as(
            Expr::cust("COALESCE(teachers.name, schools.name)"),
            "author",
        )
        .column_as(M::UpdatedAt, "since")
        .join(
            sea_orm::JoinType::LeftJoin,
            summaries::Entity::belongs_to(teachers::Entity)
                .from(M::TeacherId)
                .to(teachers::Column::Id)
                .into(),
        )
        .join(
            sea_orm::JoinType::InnerJoin,
            summaries::Entity::belongs_to(schools::Entity)
                .from(M::SchoolId)
                .to(schools::Column::Id)
                .into(),
        )
        .filter(M::AcademicYearId.eq(scope.year.id))
        .filter(M::Status.eq(SummaryStatus::Submitted))
        .filter(M::UpdatedAt.lt(before))
        .order_by_asc(M::UpdatedAt)
        .limit(OVERDUE_SHOWN);
    if let Some(d) = &scope.district {
        q = q.filter(M::SchoolId.in_subquery(schools_of(d)));
    }
    parts.push((
        "/summaries/",
        SummaryStatus::Submitted.label_key(),
        q.into_query(),
    ));
    // Each part wrapped as a derived table (its ORDER BY and LIMIT stay its own) and
    // tagged with its number.
    let wrapped = |i: usize, q: &SelectStatement| {
        Query::select()
            .expr_as(Expr::val(i as i64), Alias::new("part"))
            .column(Asterisk)
            .from_subquery(q.clone(), Alias::new(format!("p{i}")))
            .to_owned()
    };
    let mut all = wrapped(0, &parts[0].2);
    for (i, (_, _, q)) in parts.iter().enumerate().skip(1) {
        all.union(UnionType::All, wrapped(i, q));
    }
    let backend = conn.get_database_backend();
    let rows = conn.query_all_raw(backend.build(&all)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let part: i64 = row.try_get("", "part")?;
        let Some((prefix, step_key, _)) = usize::try_from(part).ok().and_then(|i| parts.get(i))
        else {
            continue;
        };
        let id: i64 = row.try_get("", "id")?;
        out.push(Overdue {
            href: format!("{prefix}{id}"),
            author: row.try_get("", "author")?,
            step_key: step_key.clone(),
            since: row.try_get("", "since")?,
        });
    }
    out.sort_by_key(|o| o.since);
    Ok(out)
}

/// Counts every record into `year_figures` afresh in one transaction (the triggers keep it
/// exact as rows change; this repairs what they cannot see, such as a teacher who moved
/// school after their pairing's observations were counted).
pub async fn recount(db: &impl crate::db::Conn) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    recount_in(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// `recount` inside the caller's transaction (an academic year's dates decide which year a
/// visit, a ledger item or an observation's term counts in, so changing them recounts).
pub async fn recount_in(conn: &impl ConnectionTrait) -> AppResult<()> {
    conn.execute_unprepared("DELETE FROM year_figures").await?;
    for statement in migrations::year_figures_fill(conn.get_database_backend()) {
        conn.execute_unprepared(&statement).await?;
    }
    crate::domain::tallies::note_change(conn).await
}
