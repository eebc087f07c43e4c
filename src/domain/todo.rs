//! Each role's to-do list, which leads its home page: what waits for this person now, each
//! with a link to where it is done. Every read goes through the access policy (the lists'
//! own visibility conditions); every list runs a fixed number of queries.
use chrono::{Datelike, NaiveDate};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};

use crate::domain::access::{Actor, scope};
use crate::domain::paging::{PageRequest, count_statement};
use crate::domain::progress::{self, TermProgress};
use crate::domain::types::PairingStatus;
use crate::domain::{school_pairings, tallies, teacher_pairings};
use crate::entities::{
    academic_years, notifications, observations, reflections, teacher_pairings as tp_rows,
};
use crate::error::AppResult;

/// How many rows of each to-do list a home page shows; the count links to the rest.
pub const SHOWN: u64 = 5;

/// The current term of the current academic year.
#[derive(Debug, Clone)]
pub struct Term {
    pub year: academic_years::Model,
    /// 1 or 2.
    pub number: u8,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Term {
    /// The term `today` falls in; between terms or after the year, the last one begun.
    pub fn of(year: academic_years::Model, today: NaiveDate) -> Term {
        let (number, from, to) = if today >= year.second_term_starts_on {
            (2, year.second_term_starts_on, year.ends_on)
        } else {
            (
                1,
                year.starts_on,
                year.second_term_starts_on
                    .pred_opt()
                    .unwrap_or(year.second_term_starts_on),
            )
        };
        Term {
            year,
            number,
            from,
            to,
        }
    }

    /// The observation list's `term` word.
    pub fn word(&self) -> &'static str {
        if self.number == 1 { "first" } else { "second" }
    }

    pub fn label_key(&self) -> &'static str {
        if self.number == 1 {
            "term-first"
        } else {
            "term-second"
        }
    }
}

/// Rows shown and how many there are in all.
#[derive(Debug, Clone)]
pub struct Shown<T> {
    pub items: Vec<T>,
    pub total: u64,
}

impl<T> Shown<T> {
    pub fn none() -> Shown<T> {
        Shown {
            items: Vec::new(),
            total: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// More rows than shown: the count links to the whole list.
    pub fn more(&self) -> bool {
        self.total > self.items.len() as u64
    }
}

impl<T> From<crate::domain::paging::Paged<T>> for Shown<T> {
    fn from(page: crate::domain::paging::Paged<T>) -> Shown<T> {
        Shown {
            total: page.total,
            items: page.items,
        }
    }
}

/// A teacher pairing behind its term targets, with its names and that term's counts.
#[derive(Debug, Clone)]
pub struct Behind {
    pub row: teacher_pairings::PairingRow,
    pub progress: TermProgress,
}

/// Termination requests waiting for the bureau: school pairings and teacher pairings.
#[derive(Debug, Clone)]
pub struct Requests {
    pub school: Shown<school_pairings::PairingView>,
    pub teacher: Shown<teacher_pairings::PairingRow>,
}

impl Requests {
    pub fn is_empty(&self) -> bool {
        self.school.is_empty() && self.teacher.is_empty()
    }
}

/// The bureau's to-do list.
#[derive(Debug, Clone)]
pub struct Bureau {
    pub draft_school_pairings: u64,
    pub draft_teacher_pairings: u64,
    pub requests: Requests,
    pub behind: Shown<Behind>,
    /// Observations logged in the current term (None: no current year).
    pub observations_this_term: Option<u64>,
    /// Self-evaluations waiting for verification.
    pub documents: Shown<crate::domain::self_evaluations::Row>,
    /// Schools' annual summaries waiting to be received.
    pub summaries: Shown<crate::domain::summaries::Row>,
}

impl Bureau {
    pub fn is_empty(&self) -> bool {
        self.draft_school_pairings == 0
            && self.draft_teacher_pairings == 0
            && self.requests.is_empty()
            && self.behind.is_empty()
            && self.documents.is_empty()
            && self.summaries.is_empty()
    }
}

/// A school admin's to-do list: termination requests about the school's pairings and its
/// teacher pairings behind their targets.
#[derive(Debug, Clone)]
pub struct School {
    pub requests: Requests,
    pub behind: Shown<Behind>,
    /// Ledger items given to the school that wait for its confirmation, oldest first.
    pub ledger: Shown<crate::domain::contributions::ContributionRow>,
    /// Training weeks the school hosted that are over and not yet marked, oldest first.
    pub weeks: Shown<crate::domain::training::WeekRow>,
    /// Self-evaluations at the school's step: to appraise, or (seconded teachers) to sign.
    pub documents: Shown<crate::domain::self_evaluations::Row>,
    /// Teachers' work summaries waiting to be received; the school's own summary returned.
    pub summaries: Shown<crate::domain::summaries::Row>,
}

impl School {
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
            && self.behind.is_empty()
            && self.ledger.is_empty()
            && self.weeks.is_empty()
            && self.documents.is_empty()
            && self.summaries.is_empty()
    }
}

/// An observation of the mentee that has no reflection yet.
#[derive(Debug, Clone)]
pub struct Unreflected {
    pub observation: observations::Model,
    pub observer_name: String,
}

/// A teacher's to-do list: as mentee, observations waiting for a reflection; as mentor,
/// active pairings with no observation logged this month.
#[derive(Debug, Clone)]
pub struct Teacher {
    pub unreflected: Shown<Unreflected>,
    pub quiet: Shown<teacher_pairings::PairingRow>,
    /// The teacher's self-evaluation returned to them, or verified (to acknowledge).
    pub documents: Shown<crate::domain::self_evaluations::Row>,
    /// The teacher's work summaries returned to them.
    pub summaries: Shown<crate::domain::summaries::Row>,
}

impl Teacher {
    pub fn is_empty(&self) -> bool {
        self.unreflected.is_empty()
            && self.quiet.is_empty()
            && self.documents.is_empty()
            && self.summaries.is_empty()
    }
}

/// Unread notices (new comments, new reflections, replies), newest first; `total` is their
/// count, which every page's context has already read (`inbox::unread_count`), so the rows
/// are read only when there are some.
pub async fn unread(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    total: u64,
) -> AppResult<Shown<notifications::Model>> {
    if total == 0 {
        return Ok(Shown::none());
    }
    Ok(Shown {
        total,
        items: notifications::Entity::find()
            .filter(notifications::Column::UserId.eq(actor.user_id))
            .filter(notifications::Column::ReadAt.is_null())
            .order_by_desc(notifications::Column::Id)
            .limit(SHOWN)
            .all(conn)
            .await?,
    })
}

const FIRST: PageRequest = PageRequest {
    page: 1,
    per_page: SHOWN,
};

/// The filters of the termination requests the actor sees (the bureau: all; a school
/// admin: their school's).
fn request_filters() -> (
    school_pairings::PairingFilter,
    teacher_pairings::PairingFilter,
) {
    (
        school_pairings::PairingFilter {
            requested: true,
            ..Default::default()
        },
        teacher_pairings::PairingFilter {
            requested: true,
            ..Default::default()
        },
    )
}

/// The counts of both kinds of termination request, to run with other counts.
fn request_counts(actor: &Actor) -> Vec<sea_orm::sea_query::SelectStatement> {
    let (school, teacher) = request_filters();
    vec![
        school_pairings::count_query(actor, &school),
        teacher_pairings::count_query(actor, &teacher),
    ]
}

/// The termination requests, given their counts (`request_counts`): the rows are read only
/// of a kind that has some.
async fn requests(
    conn: &impl crate::db::Conn,
    actor: &Actor,
    counted: &[u64],
) -> AppResult<Requests> {
    let (school_filter, teacher_filter) = request_filters();
    let has = |i: usize| counted.get(i).copied().unwrap_or(0) > 0;
    let school = if has(0) {
        school_pairings::list(conn, actor, &school_filter, FIRST)
            .await?
            .into()
    } else {
        Shown::none()
    };
    let teacher = if has(1) {
        teacher_pairings::list_rows(conn, actor, &teacher_filter, FIRST)
            .await?
            .into()
    } else {
        Shown::none()
    };
    Ok(Requests { school, teacher })
}

/// The active teacher pairings of the current year the actor sees that are behind their
/// current term's targets, most behind first: read off the shortfall each write keeps
/// (`progress::refresh`), then the shown ones' terms counted afresh. Five queries whatever
/// the number of pairings.
pub async fn behind(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    year: &academic_years::Model,
    today: NaiveDate,
) -> AppResult<Shown<Behind>> {
    let late = tp_rows::Entity::find()
        .filter(scope::visible::<tp_rows::Entity>(actor))
        .filter(tp_rows::Column::Status.eq(PairingStatus::Active))
        .filter(tp_rows::Column::AcademicYearId.eq(year.id))
        .filter(tp_rows::Column::Shortfall.gt(0));
    let (shown, total) = first_rows(
        conn,
        late.order_by_desc(tp_rows::Column::Shortfall)
            .order_by_desc(tp_rows::Column::Id),
    )
    .await?;
    if total == 0 {
        return Ok(Shown::none());
    }
    // All of `year`, active: its terms are known, so three queries count them.
    let mut progress = progress::current_in_year(conn, year, &shown, today).await?;
    let rows = teacher_pairings::with_names(conn, shown).await?;
    let items = rows
        .into_iter()
        .filter_map(|row| {
            let progress = progress.remove(&row.pairing.id)?;
            Some(Behind { row, progress })
        })
        .collect();
    Ok(Shown { items, total })
}

pub async fn bureau(
    conn: &impl crate::db::Conn,
    actor: &Actor,
    term: Option<&Term>,
    today: NaiveDate,
) -> AppResult<Bureau> {
    // Both kinds of draft and of termination request in one statement (scalar subqueries,
    // each on its own index).
    use crate::entities::school_pairings as sp_rows;
    let mut counts = vec![
        count_statement(
            sp_rows::Entity::find()
                .filter(scope::visible::<sp_rows::Entity>(actor))
                .filter(sp_rows::Column::Status.eq(PairingStatus::Draft)),
        ),
        count_statement(
            tp_rows::Entity::find()
                .filter(scope::visible::<tp_rows::Entity>(actor))
                .filter(tp_rows::Column::Status.eq(PairingStatus::Draft)),
        ),
    ];
    counts.extend(request_counts(actor));
    let counted = count_each(conn, counts).await?;
    let (draft_school_pairings, draft_teacher_pairings) = (counted[0], counted[1]);
    let (behind, observations_this_term) = match term {
        Some(t) => (
            behind(conn, actor, &t.year, today).await?,
            Some(tallies::observations_between(conn, actor, t.from, t.to).await?),
        ),
        None => (Shown::none(), None),
    };
    Ok(Bureau {
        draft_school_pairings,
        draft_teacher_pairings,
        requests: requests(conn, actor, &counted[2..]).await?,
        behind,
        observations_this_term,
        documents: documents_waiting(conn, actor).await?,
        summaries: summaries_waiting(conn, actor).await?,
    })
}

pub async fn school(
    conn: &impl crate::db::Conn,
    actor: &Actor,
    term: Option<&Term>,
    today: NaiveDate,
) -> AppResult<School> {
    let behind = match term {
        Some(t) => behind(conn, actor, &t.year, today).await?,
        None => Shown::none(),
    };
    let counted = count_each(conn, request_counts(actor)).await?;
    Ok(School {
        requests: requests(conn, actor, &counted).await?,
        behind,
        ledger: ledger_to_answer(conn, actor).await?,
        weeks: weeks_to_answer(conn, actor, today).await?,
        documents: documents_waiting(conn, actor).await?,
        summaries: summaries_waiting(conn, actor).await?,
    })
}

/// Several counts (`SELECT COUNT(*) …` each) in one statement, as scalar subqueries.
async fn count_each(
    conn: &impl ConnectionTrait,
    counts: Vec<sea_orm::sea_query::SelectStatement>,
) -> AppResult<Vec<u64>> {
    use sea_orm::sea_query::{Alias, SubQueryStatement};
    let n = counts.len();
    let mut all = Query::select();
    for (i, count) in counts.into_iter().enumerate() {
        all.expr_as(
            Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(count))),
            Alias::new(format!("n{i}")),
        );
    }
    let row = conn
        .query_one_raw(conn.get_database_backend().build(&all))
        .await?;
    Ok((0..n)
        .map(|i| {
            row.as_ref()
                .and_then(|r| r.try_get::<i64>("", &format!("n{i}")).ok())
                .unwrap_or(0)
                .max(0) as u64
        })
        .collect())
}

/// Self-evaluations waiting for the actor: a school admin's to appraise or sign, the
/// bureau's to verify, a teacher's own returned to them or verified (to acknowledge).
/// Three queries: their count, the rows, the names.
pub async fn documents_waiting(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> AppResult<Shown<crate::domain::self_evaluations::Row>> {
    use crate::domain::self_evaluations::{self as se, Stage};
    use crate::domain::types::Role;
    use crate::entities::self_evaluations as d;
    // Each role's waiting documents as disjoint branches (each at its own step), so that
    // each is counted off its own index: counting their OR made PostgreSQL visit every
    // matching row of the table (11 ms for the bureau's 8,954 on the province set).
    let branches: Vec<sea_orm::Condition> = match (actor.role, actor.school_id, actor.teacher_id) {
        (Role::BureauAdmin, _, _) => vec![
            sea_orm::Condition::all().add(d::Column::Status.eq(Stage::Signed)),
            sea_orm::Condition::all()
                .add(d::Column::Status.eq(Stage::Appraised))
                .add(d::Column::SignerSchoolId.is_null()),
        ],
        (Role::SchoolAdmin, Some(school), _) => vec![
            sea_orm::Condition::all()
                .add(d::Column::AppraiserSchoolId.eq(school))
                .add(d::Column::Status.eq(Stage::Submitted)),
            sea_orm::Condition::all()
                .add(d::Column::SignerSchoolId.eq(school))
                .add(d::Column::Status.eq(Stage::Appraised)),
        ],
        (Role::Teacher, _, Some(teacher)) => vec![
            sea_orm::Condition::all()
                .add(d::Column::TeacherId.eq(teacher))
                .add(d::Column::Status.eq(Stage::Verified)),
            sea_orm::Condition::all()
                .add(d::Column::TeacherId.eq(teacher))
                .add(d::Column::Status.eq(Stage::Draft))
                .add(d::Column::ReturnReason.ne("")),
        ],
        _ => return Ok(Shown::none()),
    };
    let visible = || scope::visible::<d::Entity>(actor);
    let total: u64 = if actor.role == Role::BureauAdmin {
        // The bureau's are all of them, a count triggers keep (migration 29).
        tallies::kept(conn, migrations::m20261204_000029_bureau_waiting::NAME).await?
    } else {
        count_each(
            conn,
            branches
                .iter()
                .map(|branch| {
                    count_statement(d::Entity::find().filter(visible()).filter(branch.clone()))
                })
                .collect(),
        )
        .await?
        .into_iter()
        .sum()
    };
    if total == 0 {
        return Ok(Shown::none());
    }
    // In the order they were begun (by id). Each branch's first ids are read off its own
    // index, then only the first of those rows: the bureau's thousands of waiting
    // documents are never read whole to sort them (an `OR` of the branches made SQLite
    // gather and sort every waiting id).
    let firsts = branches
        .into_iter()
        .map(|branch| {
            d::Column::Id.in_subquery(
                d::Entity::find()
                    .select_only()
                    .column(d::Column::Id)
                    .filter(visible())
                    .filter(branch)
                    .order_by_asc(d::Column::Id)
                    .limit(SHOWN)
                    .into_query(),
            )
        })
        .fold(sea_orm::Condition::any(), sea_orm::Condition::add);
    let rows = d::Entity::find()
        .filter(firsts)
        .order_by_asc(d::Column::Id)
        .limit(SHOWN)
        .all(conn)
        .await?;
    Ok(Shown {
        items: se::with_names(conn, actor, rows).await?,
        total,
    })
}

/// Summaries waiting for the actor: the bureau's schools' summaries to receive, a school
/// admin's teachers' work summaries to receive and its own returned, a teacher's own
/// returned. Two queries: the rows with their count, the names.
pub async fn summaries_waiting(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> AppResult<Shown<crate::domain::summaries::Row>> {
    use crate::domain::summaries::{self as sums, Stage};
    use crate::domain::types::Role;
    use crate::entities::summaries as d;
    let returned = || {
        sea_orm::Condition::all()
            .add(d::Column::Status.eq(Stage::Draft))
            .add(d::Column::ReturnReason.ne(""))
    };
    let waiting = match (actor.role, actor.school_id, actor.teacher_id) {
        (Role::BureauAdmin, _, _) => sea_orm::Condition::all()
            .add(d::Column::TeacherId.is_null())
            .add(d::Column::Status.eq(Stage::Submitted)),
        (Role::SchoolAdmin, Some(school), _) => sea_orm::Condition::all()
            .add(d::Column::SchoolId.eq(school))
            .add(
                sea_orm::Condition::any()
                    .add(
                        sea_orm::Condition::all()
                            .add(d::Column::TeacherId.is_not_null())
                            .add(d::Column::Status.eq(Stage::Submitted)),
                    )
                    .add(returned().add(d::Column::TeacherId.is_null())),
            ),
        (Role::Teacher, _, Some(teacher)) => returned().add(d::Column::TeacherId.eq(teacher)),
        _ => return Ok(Shown::none()),
    };
    // In the order they were begun (by id: the status indexes end in it, so the first rows
    // are read in order instead of sorting every waiting document).
    let select = d::Entity::find()
        .filter(scope::visible::<d::Entity>(actor))
        .filter(waiting);
    let (rows, total) = first_rows(conn, select.order_by_asc(d::Column::Id)).await?;
    Ok(Shown {
        items: sums::with_names(conn, actor, rows).await?,
        total,
    })
}

/// The first `SHOWN` rows of an ordered select and how many there are in all, in one
/// statement: the rows carry their count as a scalar subquery (run once).
async fn first_rows<E>(
    conn: &impl ConnectionTrait,
    select: sea_orm::Select<E>,
) -> AppResult<(Vec<E::Model>, u64)>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    use sea_orm::FromQueryResult;
    use sea_orm::sea_query::SubQueryStatement;
    let count = count_statement(select.clone());
    let rows_with_total = select
        .limit(SHOWN)
        .expr_as(
            Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(count))),
            "shown_total",
        )
        .into_query();
    let backend = conn.get_database_backend();
    let mut total = 0u64;
    let mut rows = Vec::new();
    for row in conn.query_all_raw(backend.build(&rows_with_total)).await? {
        total = row.try_get::<i64>("", "shown_total")?.max(0) as u64;
        rows.push(E::Model::from_query_result(&row, "")?);
    }
    Ok((rows, total))
}

/// Items given to the admin's school still waiting for its answer (two queries: the rows
/// with their count, the schools' names).
async fn ledger_to_answer(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> AppResult<Shown<crate::domain::contributions::ContributionRow>> {
    use crate::domain::contributions::{self, LedgerStatus};
    use crate::entities::contributions as c;
    let Some(school) = actor.school_id else {
        return Ok(Shown::none());
    };
    let select = c::Entity::find()
        .filter(scope::visible::<c::Entity>(actor))
        .filter(c::Column::ReceiverSchoolId.eq(school))
        .filter(c::Column::Status.eq(LedgerStatus::Recorded));
    let (rows, total) = first_rows(
        conn,
        select
            .order_by_asc(c::Column::GivenOn)
            .order_by_asc(c::Column::Id),
    )
    .await?;
    Ok(Shown {
        items: contributions::with_names(conn, actor, rows).await?,
        total,
    })
}

/// Weeks the admin's school hosts that ended before today and are still planned (three
/// queries at most: the rows with their count, the schools' and the teachers' names).
async fn weeks_to_answer(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<Shown<crate::domain::training::WeekRow>> {
    use crate::domain::training::{self, WeekStatus};
    use crate::entities::training_weeks as w;
    let Some(school) = actor.school_id else {
        return Ok(Shown::none());
    };
    let select = w::Entity::find()
        .filter(scope::visible::<w::Entity>(actor))
        .filter(w::Column::HostSchoolId.eq(school))
        .filter(w::Column::Status.eq(WeekStatus::Planned))
        .filter(w::Column::EndsOn.lt(today));
    let (rows, total) = first_rows(
        conn,
        select
            .order_by_asc(w::Column::EndsOn)
            .order_by_asc(w::Column::Id),
    )
    .await?;
    Ok(Shown {
        items: training::with_names(conn, actor, rows).await?,
        total,
    })
}

pub async fn teacher(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    today: NaiveDate,
) -> AppResult<Teacher> {
    let Some(me) = actor.teacher_id else {
        return Ok(Teacher {
            unreflected: Shown::none(),
            quiet: Shown::none(),
            documents: Shown::none(),
            summaries: Shown::none(),
        });
    };
    // As mentee: the mentor's observations of me, in my active pairings, with no reflection.
    let my_active_as = |side: tp_rows::Column| {
        Query::select()
            .column(tp_rows::Column::Id)
            .from(tp_rows::Entity)
            .and_where(side.eq(me))
            .and_where(tp_rows::Column::Status.eq(PairingStatus::Active))
            .to_owned()
    };
    // NOT EXISTS on the reflection's observation index: a NOT IN over every reflection
    // would read the whole table for each visit.
    let reflected = Query::select()
        .expr(Expr::val(1))
        .from(reflections::Entity)
        .and_where(sea_orm::sea_query::ExprTrait::equals(
            Expr::col((reflections::Entity, reflections::Column::ObservationId)),
            (observations::Entity, observations::Column::Id),
        ))
        .to_owned();
    let waiting = observations::Entity::find()
        .filter(scope::visible::<observations::Entity>(actor))
        .filter(observations::Column::ObservedId.eq(me))
        .filter(observations::Column::ObserverId.ne(me))
        .filter(
            observations::Column::TeacherPairingId
                .in_subquery(my_active_as(tp_rows::Column::MenteeId)),
        )
        .filter(sea_orm::sea_query::ExprTrait::not(Expr::exists(reflected)));
    let (rows, total) = first_rows(
        conn,
        waiting
            .order_by_desc(observations::Column::ObservedOn)
            .order_by_desc(observations::Column::Id),
    )
    .await?;
    let names = crate::domain::names::teachers(conn, rows.iter().map(|o| o.observer_id)).await?;
    let unreflected = Shown {
        total,
        items: rows
            .into_iter()
            .map(|o| Unreflected {
                observer_name: names.get(&o.observer_id).cloned().unwrap_or_default(),
                observation: o,
            })
            .collect(),
    };
    // As mentor: active pairings with no observation of mine since the month began.
    let month_start = today.with_day(1).unwrap_or(today);
    let observed_this_month = Query::select()
        .column(observations::Column::TeacherPairingId)
        .from(observations::Entity)
        .and_where(observations::Column::ObserverId.eq(me))
        .and_where(observations::Column::ObservedOn.gte(month_start))
        .to_owned();
    let quiet = tp_rows::Entity::find()
        .filter(scope::visible::<tp_rows::Entity>(actor))
        .filter(tp_rows::Column::MentorId.eq(me))
        .filter(tp_rows::Column::Status.eq(PairingStatus::Active))
        .filter(tp_rows::Column::Id.not_in_subquery(observed_this_month));
    let (rows, total) = first_rows(conn, quiet.order_by_desc(tp_rows::Column::Id)).await?;
    Ok(Teacher {
        unreflected,
        quiet: Shown {
            total,
            items: teacher_pairings::with_names(conn, rows).await?,
        },
        documents: documents_waiting(conn, actor).await?,
        summaries: summaries_waiting(conn, actor).await?,
    })
}
