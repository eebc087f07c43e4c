//! The bureau's figures for an academic year, of the whole or of one district: what the
//! dashboard shows, the annual report states and `GET /api/v1/reports/summary` answers.
//!
//! The large counts (teacher pairings, observations, training weeks, secondments,
//! self-evaluations) are read off `year_figures`, which triggers keep exact (migration 23);
//! the small tables (school pairings, visits, the ledger) are counted directly from their
//! indexes. A record counts for the district of the school it concerns: the receiving
//! school of a school pairing, its visits and its ledger; the mentee's school of a teacher
//! pairing and its observations; the trainee's school of a training week; the receiving
//! school of a secondment; the teacher's school of a self-evaluation.
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::{Expr, Func, Query, UnionType};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
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
    academic_years, contributions, school_pairings, schools, self_evaluations, summaries, teachers,
    visits, year_figures,
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

/// School pairings running in `year` (not drafts), of receivers in the scope's district.
fn pairings_of(scope: &Scope) -> sea_orm::sea_query::SelectStatement {
    use school_pairings::Column as P;
    let mut q = Query::select()
        .column(P::Id)
        .from(school_pairings::Entity)
        .and_where(P::Status.ne(PairingStatus::Draft))
        .and_where(P::YearFrom.lte(scope.year.name.as_str()))
        .and_where(P::YearTo.gte(scope.year.name.as_str()))
        .to_owned();
    if let Some(d) = &scope.district {
        q.and_where(P::ReceiverId.in_subquery(schools_of(d)));
    }
    q
}

/// The figures of `scope`: five queries whatever the size of the data.
pub async fn figures(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    scope: &Scope,
) -> AppResult<Figures> {
    require(actor)?;
    let kept: HashMap<String, i64> = year_figures::Entity::find()
        .filter(year_figures::Column::AcademicYearId.eq(scope.year.id))
        .filter(year_figures::Column::Scope.eq(scope.key()))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.name, r.n))
        .collect();
    let get = |name: String| kept.get(&name).copied().unwrap_or(0);
    // School pairings and the schools in them, counted once each.
    use school_pairings::Column as P;
    let side = |column: P| {
        Query::select()
            .expr_as(Expr::col(column), sea_orm::sea_query::Alias::new("school"))
            .from(school_pairings::Entity)
            .and_where(P::Id.in_subquery(pairings_of(scope)))
            .to_owned()
    };
    let mut union = side(P::SupporterId);
    union.union(UnionType::Distinct, side(P::ReceiverId));
    let both = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), sea_orm::sea_query::Alias::new("n"))
        .from_subquery(union, sea_orm::sea_query::Alias::new("x"))
        .to_owned();
    let counted = Query::select()
        .expr_as(
            Expr::SubQuery(
                None,
                Box::new(sea_orm::sea_query::SubQueryStatement::SelectStatement(
                    Query::select()
                        .expr(Expr::cust("COUNT(*)"))
                        .from_subquery(pairings_of(scope), sea_orm::sea_query::Alias::new("p"))
                        .to_owned(),
                )),
            ),
            sea_orm::sea_query::Alias::new("pairings"),
        )
        .expr_as(
            Expr::SubQuery(
                None,
                Box::new(sea_orm::sea_query::SubQueryStatement::SelectStatement(both)),
            ),
            sea_orm::sea_query::Alias::new("schools"),
        )
        .to_owned();
    let row = conn
        .query_one_raw(conn.get_database_backend().build(&counted))
        .await?;
    let read = |name: &str| -> u64 {
        row.as_ref()
            .and_then(|r| r.try_get::<i64>("", name).ok())
            .unwrap_or(0)
            .max(0) as u64
    };
    let (school_pairings, schools_paired) = (read("pairings"), read("schools"));
    // Visits begun in the year, by kind.
    let mut visit_query = visits::Entity::find()
        .select_only()
        .column(visits::Column::Kind)
        .column_as(visits::Column::Id.count(), "n")
        .filter(visits::Column::StartsOn.between(scope.year.starts_on, scope.year.ends_on))
        .group_by(visits::Column::Kind);
    if scope.district.is_some() {
        visit_query =
            visit_query.filter(visits::Column::SchoolPairingId.in_subquery(pairings_of(scope)));
    }
    let visit_rows: HashMap<VisitKind, i64> = visit_query
        .into_tuple()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    // The ledger of the year by status, in fen.
    let mut ledger_query = contributions::Entity::find()
        .select_only()
        .column(contributions::Column::Status)
        .column_as(
            Expr::expr(Func::cast_as(
                Func::sum(Expr::col(contributions::Column::ValueFen)),
                "BIGINT",
            )),
            "fen",
        )
        .filter(contributions::Column::GivenOn.between(scope.year.starts_on, scope.year.ends_on))
        .group_by(contributions::Column::Status);
    if let Some(d) = &scope.district {
        ledger_query =
            ledger_query.filter(contributions::Column::ReceiverSchoolId.in_subquery(schools_of(d)));
    }
    let ledger: HashMap<LedgerStatus, Option<i64>> = ledger_query
        .into_tuple()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut batches: Vec<Count<i32>> = kept
        .iter()
        .filter_map(|(name, n)| {
            let batch = name.strip_prefix("seconded:")?.parse().ok()?;
            (*n != 0).then_some(Count { key: batch, n: *n })
        })
        .collect();
    batches.sort_by_key(|c| c.key);
    Ok(Figures {
        school_pairings,
        schools_paired,
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
                n: visit_rows.get(k).copied().unwrap_or(0),
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
                n: ledger.get(s).copied().flatten().unwrap_or(0),
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
/// `before`, oldest first: one query per waiting step, each reading the oldest few off the
/// `(academic year, status, updated_at)` indexes.
pub async fn overdue(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    scope: &Scope,
    before: chrono::DateTime<chrono::Utc>,
) -> AppResult<Vec<Overdue>> {
    require(actor)?;
    use self_evaluations::Column as S;
    let mut out = Vec::new();
    for stage in [Stage::Submitted, Stage::Appraised, Stage::Signed] {
        let mut q = self_evaluations::Entity::find()
            .select_only()
            .column(S::Id)
            .column(teachers::Column::Name)
            .column(S::UpdatedAt)
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
        let rows: Vec<(i64, String, chrono::DateTime<chrono::Utc>)> =
            q.into_tuple().all(conn).await?;
        out.extend(rows.into_iter().map(|(id, author, since)| Overdue {
            href: format!("/self-evaluations/{id}"),
            author,
            step_key: stage.label_key(),
            since,
        }));
    }
    use summaries::Column as M;
    let mut q = summaries::Entity::find()
        .select_only()
        .column(M::Id)
        .expr_as(
            Expr::cust("COALESCE(teachers.name, schools.name)"),
            "author",
        )
        .column(M::UpdatedAt)
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
    let rows: Vec<(i64, String, chrono::DateTime<chrono::Utc>)> = q.into_tuple().all(conn).await?;
    out.extend(rows.into_iter().map(|(id, author, since)| Overdue {
        href: format!("/summaries/{id}"),
        author,
        step_key: SummaryStatus::Submitted.label_key(),
        since,
    }));
    out.sort_by_key(|o| o.since);
    Ok(out)
}

/// Counts every record into `year_figures` afresh in one transaction (the triggers keep it
/// exact as rows change; this repairs what they cannot see, such as a teacher who moved
/// school after their pairing's observations were counted).
pub async fn recount(db: &sea_orm::DatabaseConnection) -> AppResult<()> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    txn.execute_unprepared("DELETE FROM year_figures").await?;
    for statement in migrations::year_figures_fill(txn.get_database_backend()) {
        txn.execute_unprepared(&statement).await?;
    }
    txn.commit().await?;
    Ok(())
}
