//! The effectiveness review (效果评价, the seed's rule that a pairing's results decide next
//! year's support): for each school pairing and teacher pairing of a year, one page of
//! what it achieved — targets met, the mentee's score growth, visits, training weeks,
//! confirmed support, year-end results — where the bureau marks it renew, adjust or end
//! with a note. Preparing next year turns the marks into next year's drafts in one
//! transaction, shown first as a preview (the same work, rolled back): renewed and
//! adjusted pairings become drafts of next year (adjusted ones listed to be edited), ended
//! ones are not carried over; each mark remembers the draft it made, so preparing again
//! makes nothing twice.
use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::contributions::LedgerStatus;
use crate::domain::dashboard::Count;
use crate::domain::progress::{self, TermProgress};
use crate::domain::self_evaluations::{Grade, Stage};
use crate::domain::training::WeekStatus;
use crate::domain::types::{self, PairingStatus};
use crate::domain::visits::VisitKind;
use crate::domain::{audit, growth, school_pairings, teacher_pairings};
use crate::entities::{
    academic_years, contributions, reviews as rows, school_pairings as sp_rows, self_evaluations,
    teacher_pairings as tp_rows, training_weeks, visits,
};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

crate::domain::types::word_enum!(column
    /// 续结 / 调整 / 结束
    Mark as "ReviewMark", "review-mark", {
        Renew => "renew",
        Adjust => "adjust",
        End => "end",
    }
);

crate::domain::types::word_enum!(column
    /// The list's mark filter: a mark, or `none` for the pairings not marked.
    MarkFilter as "ReviewMarkFilter", "review-mark-filter", {
        Renew => "renew",
        Adjust => "adjust",
        End => "end",
        NotMarked => "none",
    }
);

impl MarkFilter {
    /// As `lines` takes it: Some(mark), or None for not marked.
    pub fn mark(self) -> Option<Mark> {
        match self {
            MarkFilter::Renew => Some(Mark::Renew),
            MarkFilter::Adjust => Some(Mark::Adjust),
            MarkFilter::End => Some(Mark::End),
            MarkFilter::NotMarked => None,
        }
    }
}

/// The longest note.
pub const MAX_NOTE: usize = 2000;

crate::domain::types::word_enum!(column
    /// Which kind of pairing a review is of.
    Kind as "ReviewKind", "review-kind", {
        School => "school",
        Teacher => "teacher",
    }
);

fn require(actor: &Actor, act: Act) -> AppResult<()> {
    policy::require_some(actor, Subject::Review, act)?;
    if policy::everywhere(actor, Subject::Review, act) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether the actor reviews (the bureau; 403 otherwise).
pub fn allowed(actor: &Actor) -> AppResult<()> {
    require(actor, Act::Read)
}

/// A mark as typed or sent as JSON.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MarkForm {
    #[serde(default)]
    pub mark: String,
    #[serde(default)]
    pub note: String,
    /// The review's version when it was read; 0 (or empty) for a pairing not marked yet.
    #[serde(default, deserialize_with = "crate::domain::types::de::loose_string")]
    pub version: String,
}

/// What a school pairing did in a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ReviewSchoolFigures)]
pub struct SchoolFigures {
    pub teacher_pairings: Vec<Count<PairingStatus>>,
    pub observations: i64,
    pub visits: Vec<Count<VisitKind>>,
    pub training_weeks: Vec<Count<WeekStatus>>,
    pub support_fen: Vec<Count<LedgerStatus>>,
    /// Final grades of the teachers in its teacher pairings.
    pub grades: Vec<Count<Grade>>,
}

/// What a teacher pairing did in its year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ReviewTeacherFigures)]
pub struct TeacherFigures {
    /// Each term's targets and what was done.
    #[schema(value_type = Vec<Object>)]
    pub terms: Vec<TermProgress>,
    /// The mentee's average score in their first term observed and in their last.
    pub score_first: Option<f64>,
    pub score_last: Option<f64>,
    pub score_change: Option<f64>,
    /// Visits and support of its school pairing in the year (none without one).
    pub visits: Vec<Count<VisitKind>>,
    pub support_fen: Vec<Count<LedgerStatus>>,
    /// The mentee's training weeks of the year.
    pub training_weeks: Vec<Count<WeekStatus>>,
    /// The mentor's and the mentee's self-evaluations of the year: (teacher, status, final grade).
    #[schema(value_type = Vec<Object>)]
    pub documents: Vec<(i64, Stage, Option<Grade>)>,
}

/// A pairing under review, with its mark.
#[derive(Debug, Clone)]
pub struct Line {
    pub kind: Kind,
    pub pairing_id: i64,
    /// "supporter → receiver" or "mentor → mentee · subject".
    pub label: String,
    pub status: PairingStatus,
    pub review: Option<rows::Model>,
}

/// The year's pairings of `kind` with their marks, after `after` by id, `limit` of them
/// (key paging: the next page starts after the last id shown). Three queries.
pub async fn lines(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    year: &academic_years::Model,
    kind: Kind,
    mark: Option<Option<Mark>>,
    after: i64,
    limit: u64,
) -> AppResult<Vec<Line>> {
    require(actor, Act::Read)?;
    let marks = |ids: &[i64], column: rows::Column| {
        rows::Entity::find()
            .filter(rows::Column::AcademicYearId.eq(year.id))
            .filter(column.is_in(ids.to_vec()))
    };
    // The pairings' ids (`id`) with the mark asked for: any, none, or one word.
    let by_mark =
        |id: sea_orm::sea_query::SimpleExpr, column: rows::Column| -> sea_orm::Condition {
            let Some(wanted) = mark else {
                return sea_orm::Condition::all();
            };
            let mut marked = sea_orm::sea_query::Query::select()
                .column(column)
                .from(rows::Entity)
                .and_where(rows::Column::AcademicYearId.eq(year.id))
                .and_where(column.is_not_null())
                .to_owned();
            match wanted {
                Some(m) => {
                    marked.and_where(rows::Column::Mark.eq(m));
                    sea_orm::Condition::all().add(id.in_subquery(marked))
                }
                None => sea_orm::Condition::all().add(id.not_in_subquery(marked)),
            }
        };
    match kind {
        Kind::School => {
            let found = sp_rows::Entity::find()
                .filter(running_in(year))
                .filter(sp_rows::Column::Id.gt(after))
                .filter(by_mark(
                    Expr::col((sp_rows::Entity, sp_rows::Column::Id)),
                    rows::Column::SchoolPairingId,
                ))
                .order_by_asc(sp_rows::Column::Id)
                .limit(limit)
                .all(conn)
                .await?;
            let ids: Vec<i64> = found.iter().map(|p| p.id).collect();
            let mut reviews: HashMap<i64, rows::Model> = marks(&ids, rows::Column::SchoolPairingId)
                .all(conn)
                .await?
                .into_iter()
                .filter_map(|r| Some((r.school_pairing_id?, r)))
                .collect();
            let views = school_pairings::views_for(conn, actor, found).await?;
            Ok(views
                .into_iter()
                .map(|v| Line {
                    kind,
                    pairing_id: v.row.id,
                    label: format!("{} → {}", v.supporter_name, v.receiver_name),
                    status: v.row.status,
                    review: reviews.remove(&v.row.id),
                })
                .collect())
        }
        Kind::Teacher => {
            let found = tp_rows::Entity::find()
                .filter(tp_rows::Column::AcademicYearId.eq(year.id))
                .filter(tp_rows::Column::Status.ne(PairingStatus::Draft))
                .filter(tp_rows::Column::Id.gt(after))
                .filter(by_mark(
                    Expr::col((tp_rows::Entity, tp_rows::Column::Id)),
                    rows::Column::TeacherPairingId,
                ))
                .order_by_asc(tp_rows::Column::Id)
                .limit(limit)
                .all(conn)
                .await?;
            let ids: Vec<i64> = found.iter().map(|p| p.id).collect();
            let mut reviews: HashMap<i64, rows::Model> =
                marks(&ids, rows::Column::TeacherPairingId)
                    .all(conn)
                    .await?
                    .into_iter()
                    .filter_map(|r| Some((r.teacher_pairing_id?, r)))
                    .collect();
            let named = teacher_pairings::with_names(conn, found).await?;
            Ok(named
                .into_iter()
                .map(|r| Line {
                    kind,
                    pairing_id: r.pairing.id,
                    label: format!(
                        "{} → {} · {}",
                        r.mentor_name, r.mentee_name, r.pairing.subject
                    ),
                    status: r.pairing.status,
                    review: reviews.remove(&r.pairing.id),
                })
                .collect())
        }
    }
}

/// School pairings running in `year`: not drafts, the year between their first and last.
fn running_in(year: &academic_years::Model) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(sp_rows::Column::Status.ne(PairingStatus::Draft))
        .add(sp_rows::Column::YearFrom.lte(year.name.as_str()))
        .add(sp_rows::Column::YearTo.gte(year.name.as_str()))
}

/// The year a teacher pairing belongs to.
pub async fn year_of(conn: &impl ConnectionTrait, id: i64) -> AppResult<academic_years::Model> {
    academic_years::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// The mark on a pairing in a year, if any.
pub async fn review_of(
    conn: &impl ConnectionTrait,
    kind: Kind,
    pairing: i64,
    year: i64,
) -> AppResult<Option<rows::Model>> {
    let column = match kind {
        Kind::School => rows::Column::SchoolPairingId,
        Kind::Teacher => rows::Column::TeacherPairingId,
    };
    Ok(rows::Entity::find()
        .filter(column.eq(pairing))
        .filter(rows::Column::AcademicYearId.eq(year))
        .one(conn)
        .await?)
}

async fn counts_by<K: sea_orm::TryGetable + Eq + std::hash::Hash + Copy>(
    conn: &impl ConnectionTrait,
    q: sea_orm::Select<impl EntityTrait>,
) -> AppResult<HashMap<K, i64>> {
    Ok(q.into_tuple::<(K, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

fn each<K: Copy + Eq + std::hash::Hash>(all: &[K], found: &HashMap<K, i64>) -> Vec<Count<K>> {
    all.iter()
        .map(|k| Count {
            key: *k,
            n: found.get(k).copied().unwrap_or(0),
        })
        .collect()
}

async fn visits_of(
    conn: &impl ConnectionTrait,
    pairing: i64,
    year: &academic_years::Model,
) -> AppResult<Vec<Count<VisitKind>>> {
    let found: HashMap<VisitKind, i64> = counts_by(
        conn,
        visits::Entity::find()
            .select_only()
            .column(visits::Column::Kind)
            .column_as(visits::Column::Id.count(), "n")
            .filter(visits::Column::SchoolPairingId.eq(pairing))
            .filter(visits::Column::StartsOn.between(year.starts_on, year.ends_on))
            .group_by(visits::Column::Kind),
    )
    .await?;
    Ok(each(VisitKind::ALL, &found))
}

async fn support_of(
    conn: &impl ConnectionTrait,
    pairing: i64,
    year: &academic_years::Model,
) -> AppResult<Vec<Count<LedgerStatus>>> {
    let found: Vec<(LedgerStatus, Option<i64>)> = contributions::Entity::find()
        .select_only()
        .column(contributions::Column::Status)
        .column_as(
            Expr::expr(Func::cast_as(
                Func::sum(Expr::col(contributions::Column::ValueFen)),
                "BIGINT",
            )),
            "fen",
        )
        .filter(contributions::Column::SchoolPairingId.eq(pairing))
        .filter(contributions::Column::GivenOn.between(year.starts_on, year.ends_on))
        .group_by(contributions::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let found: HashMap<LedgerStatus, i64> = found
        .into_iter()
        .map(|(s, n)| (s, n.unwrap_or(0)))
        .collect();
    Ok(each(LedgerStatus::ALL, &found))
}

/// What a school pairing did in `year`: eight queries.
pub async fn school_figures(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    pairing: &sp_rows::Model,
    year: &academic_years::Model,
) -> AppResult<SchoolFigures> {
    require(actor, Act::Read)?;
    // One column of the year's teacher pairings under this school pairing, as a subquery.
    let of_pairings = |column: tp_rows::Column| {
        sea_orm::sea_query::Query::select()
            .column(column)
            .from(tp_rows::Entity)
            .and_where(tp_rows::Column::SchoolPairingId.eq(pairing.id))
            .and_where(tp_rows::Column::AcademicYearId.eq(year.id))
            .to_owned()
    };
    let by_status: HashMap<PairingStatus, i64> = counts_by(
        conn,
        tp_rows::Entity::find()
            .select_only()
            .column(tp_rows::Column::Status)
            .column_as(tp_rows::Column::Id.count(), "n")
            .filter(tp_rows::Column::SchoolPairingId.eq(pairing.id))
            .filter(tp_rows::Column::AcademicYearId.eq(year.id))
            .group_by(tp_rows::Column::Status),
    )
    .await?;
    let observations = crate::entities::observations::Entity::find()
        .filter(
            crate::entities::observations::Column::TeacherPairingId
                .in_subquery(of_pairings(tp_rows::Column::Id)),
        )
        .select_only()
        .column_as(crate::entities::observations::Column::Id.count(), "n")
        .into_tuple::<i64>()
        .one(conn)
        .await?
        .unwrap_or(0);
    let weeks: HashMap<WeekStatus, i64> = counts_by(
        conn,
        training_weeks::Entity::find()
            .select_only()
            .column(training_weeks::Column::Status)
            .column_as(training_weeks::Column::Id.count(), "n")
            .filter(training_weeks::Column::SchoolPairingId.eq(pairing.id))
            .filter(training_weeks::Column::AcademicYearId.eq(year.id))
            .group_by(training_weeks::Column::Status),
    )
    .await?;
    let grades: HashMap<Grade, i64> = counts_by(
        conn,
        self_evaluations::Entity::find()
            .select_only()
            .column(self_evaluations::Column::FinalGrade)
            .column_as(self_evaluations::Column::Id.count(), "n")
            .filter(self_evaluations::Column::AcademicYearId.eq(year.id))
            .filter(self_evaluations::Column::FinalGrade.is_not_null())
            .filter(
                sea_orm::Condition::any()
                    // The teachers of its pairings: mentors and mentees.
                    .add(
                        self_evaluations::Column::TeacherId
                            .in_subquery(of_pairings(tp_rows::Column::MentorId)),
                    )
                    .add(
                        self_evaluations::Column::TeacherId
                            .in_subquery(of_pairings(tp_rows::Column::MenteeId)),
                    ),
            )
            .group_by(self_evaluations::Column::FinalGrade),
    )
    .await?;
    Ok(SchoolFigures {
        teacher_pairings: each(PairingStatus::ALL, &by_status),
        observations,
        visits: visits_of(conn, pairing.id, year).await?,
        training_weeks: each(WeekStatus::ALL, &weeks),
        support_fen: support_of(conn, pairing.id, year).await?,
        grades: each(Grade::ALL, &grades),
    })
}

/// What a teacher pairing did in its year.
pub async fn teacher_figures(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    pairing: &crate::domain::access::Visible<tp_rows::Model>,
    year: &academic_years::Model,
    today: chrono::NaiveDate,
) -> AppResult<TeacherFigures> {
    require(actor, Act::Read)?;
    let terms = progress::of_pairing(conn, pairing, today).await?;
    let g = growth::of_teacher(conn, actor, pairing.mentee_id).await?;
    let (visits, support_fen) = match pairing.school_pairing_id {
        Some(sp) => (
            visits_of(conn, sp, year).await?,
            support_of(conn, sp, year).await?,
        ),
        None => (
            each(VisitKind::ALL, &HashMap::new()),
            each(LedgerStatus::ALL, &HashMap::new()),
        ),
    };
    let weeks: HashMap<WeekStatus, i64> = counts_by(
        conn,
        training_weeks::Entity::find()
            .select_only()
            .column(training_weeks::Column::Status)
            .column_as(training_weeks::Column::Id.count(), "n")
            .filter(training_weeks::Column::TeacherId.eq(pairing.mentee_id))
            .filter(training_weeks::Column::AcademicYearId.eq(year.id))
            .group_by(training_weeks::Column::Status),
    )
    .await?;
    let documents: Vec<(i64, Stage, Option<Grade>)> = self_evaluations::Entity::find()
        .select_only()
        .column(self_evaluations::Column::TeacherId)
        .column(self_evaluations::Column::Status)
        .column(self_evaluations::Column::FinalGrade)
        .filter(self_evaluations::Column::AcademicYearId.eq(year.id))
        .filter(self_evaluations::Column::TeacherId.is_in([pairing.mentor_id, pairing.mentee_id]))
        .order_by_asc(self_evaluations::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(TeacherFigures {
        terms,
        score_first: g.first_term.as_ref().map(|t| t.average),
        score_last: g.last_term.as_ref().map(|t| t.average),
        score_change: g.change(),
        visits,
        support_fen,
        training_weeks: each(WeekStatus::ALL, &weeks),
        documents,
    })
}

/// Marks a pairing for `year`: renew, adjust or end, with a note (required to adjust or
/// end). 409 `version` when the mark changed since it was read; 409 `mark` once next year
/// was prepared from it. The pairing must run in the year (404 otherwise).
pub async fn mark(
    db: &impl Conn,
    actor: &Actor,
    kind: Kind,
    pairing: i64,
    year: &academic_years::Model,
    form: &MarkForm,
) -> AppResult<rows::Model> {
    require(actor, Act::Write)?;
    let mut errors = FieldErrors::new();
    let mark = Mark::parse(form.mark.trim());
    if mark.is_none() {
        errors.add("mark", Msg::new("err-choose"));
    }
    let note = match types::optional_text(&form.note, MAX_NOTE) {
        Ok(n) => n,
        Err(m) => {
            errors.add("note", m);
            String::new()
        }
    };
    if matches!(mark, Some(Mark::Adjust | Mark::End))
        && note.is_empty()
        && errors.get("note").is_none()
    {
        errors.add("note", Msg::new("review-err-note"));
    }
    errors.into_result()?;
    let mark = mark.ok_or(AppError::Unexpected("mark".into()))?;
    let txn = db::begin_write(db).await?;
    // The pairing runs in the year.
    let runs = match kind {
        Kind::School => sp_rows::Entity::find_by_id(pairing)
            .filter(running_in(year))
            .one(&txn)
            .await?
            .is_some(),
        Kind::Teacher => tp_rows::Entity::find_by_id(pairing)
            .filter(tp_rows::Column::AcademicYearId.eq(year.id))
            .filter(tp_rows::Column::Status.ne(PairingStatus::Draft))
            .one(&txn)
            .await?
            .is_some(),
    };
    if !runs {
        return Err(AppError::NotFound);
    }
    db::lock_key(&txn, LOCK_REVIEWS).await?;
    let before = review_of(&txn, kind, pairing, year.id).await?;
    let current = before.as_ref().map_or(0, |b| b.version);
    let given = form.version.trim();
    let given = if given.is_empty() { "0" } else { given };
    if given != current.to_string() {
        return Err(AppError::conflict("version", "review-err-stale"));
    }
    if before.as_ref().is_some_and(|b| b.prepared_at.is_some()) {
        return Err(AppError::conflict("mark", "review-err-prepared"));
    }
    let now = Utc::now();
    let row = match &before {
        Some(b) => {
            let mut a: rows::ActiveModel = b.clone().into();
            a.mark = Set(mark);
            a.note = Set(note);
            a.marked_by = Set(Some(actor.user_id));
            a.version = Set(b.version + 1);
            a.updated_at = Set(now);
            a.update(&txn).await?
        }
        None => {
            rows::ActiveModel {
                academic_year_id: Set(year.id),
                school_pairing_id: Set((kind == Kind::School).then_some(pairing)),
                teacher_pairing_id: Set((kind == Kind::Teacher).then_some(pairing)),
                mark: Set(mark),
                note: Set(note),
                marked_by: Set(Some(actor.user_id)),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    audit::record(
        &txn,
        Some(actor),
        "mark",
        "review",
        Some(row.id),
        before.as_ref(),
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Serialises marking and preparing on PostgreSQL (on SQLite writers are serial).
const LOCK_REVIEWS: i64 = 0x7478_0015;

/// What preparing next year does (or did) with one mark.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = NextYearItem)]
pub struct Planned {
    pub review_id: i64,
    pub kind: Kind,
    pub pairing_id: i64,
    pub label: String,
    pub mark: Mark,
    pub note: String,
    pub outcome: Outcome,
    /// The draft made (or made before), when there is one.
    pub draft_id: Option<i64>,
    /// Why it could not be carried over (`outcome` = `refused`).
    pub reason: Option<String>,
}

crate::domain::types::word_enum!(column
    /// What became of a mark.
    Outcome as "ReviewOutcome", "review-outcome", {
        // A draft of next year was made.
        Drafted => "drafted",
        // Next year was prepared from it before.
        Done => "done",
        // The school pairing already runs into next year: nothing to make.
        Runs => "runs",
        // Ended: not carried over.
        Ended => "ended",
        // A rule refused the draft (see `reason`).
        Refused => "refused",
    }
);

/// Preparing next year from a year's marks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = NextYearPlan)]
pub struct Plan {
    pub year: String,
    /// Next year's name; none when it is not created yet (nothing can be prepared).
    pub next_year: Option<String>,
    pub items: Vec<Planned>,
    /// Pairings of the year with no mark (not carried over).
    pub unmarked_school_pairings: u64,
    pub unmarked_teacher_pairings: u64,
    /// Whether the drafts were made (false: a preview, or refused).
    pub applied: bool,
}

impl Plan {
    pub fn refused(&self) -> bool {
        self.items.iter().any(|i| i.outcome == Outcome::Refused)
    }
    pub fn count(&self, outcome: Outcome) -> usize {
        self.items.iter().filter(|i| i.outcome == outcome).count()
    }
}

/// The academic year after `year` (the first to start after it ends), if created.
pub async fn next_year(
    conn: &impl ConnectionTrait,
    year: &academic_years::Model,
) -> AppResult<Option<academic_years::Model>> {
    Ok(academic_years::Entity::find()
        .filter(academic_years::Column::StartsOn.gt(year.ends_on))
        .order_by_asc(academic_years::Column::StartsOn)
        .one(conn)
        .await?)
}

/// Works out next year's drafts from `year`'s marks in one transaction: `apply` commits it
/// (unless a rule refused one draft: then nothing is made and the plan says why), else it
/// is rolled back and the plan is a preview. 409 `year` when next year is not created.
pub async fn prepare(
    db: &impl Conn,
    actor: &Actor,
    year: &academic_years::Model,
    apply: bool,
    lang: crate::i18n::Lang,
) -> AppResult<Plan> {
    require(actor, Act::Manage)?;
    policy::require_some(actor, Subject::TeacherPairing, Act::Manage)?;
    policy::require_some(actor, Subject::SchoolPairing, Act::Manage)?;
    let Some(next) = next_year(db, year).await? else {
        return Err(AppError::conflict("year", "review-err-no-next-year"));
    };
    let txn = db::begin_write(db).await?;
    db::lock_key(&txn, LOCK_REVIEWS).await?;
    let marks = rows::Entity::find()
        .filter(rows::Column::AcademicYearId.eq(year.id))
        .order_by_asc(rows::Column::Id)
        .all(&txn)
        .await?;
    let school_ids: Vec<i64> = marks.iter().filter_map(|m| m.school_pairing_id).collect();
    let teacher_ids: Vec<i64> = marks.iter().filter_map(|m| m.teacher_pairing_id).collect();
    let schools: HashMap<i64, sp_rows::Model> = sp_rows::Entity::find()
        .filter(sp_rows::Column::Id.is_in(school_ids.clone()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let school_views: HashMap<i64, school_pairings::PairingView> =
        school_pairings::views_for(&txn, actor, schools.values().cloned().collect())
            .await?
            .into_iter()
            .map(|v| (v.row.id, v))
            .collect();
    let teachers: HashMap<i64, teacher_pairings::PairingRow> = teacher_pairings::with_names(
        &txn,
        tp_rows::Entity::find()
            .filter(tp_rows::Column::Id.is_in(teacher_ids.clone()))
            .all(&txn)
            .await?,
    )
    .await?
    .into_iter()
    .map(|r| (r.pairing.id, r))
    .collect();
    let now = Utc::now();
    let mut items = Vec::new();
    // School pairings that already run into next year (their teacher pairings stay under them).
    let running_on: std::collections::HashSet<i64> = sp_rows::Entity::find()
        .filter(running_in(&next))
        .select_only()
        .column(sp_rows::Column::Id)
        .into_tuple::<i64>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    for m in marks.iter().filter(|m| m.school_pairing_id.is_some()) {
        let Some(p) = m.school_pairing_id.and_then(|id| schools.get(&id)) else {
            continue;
        };
        let label = school_views
            .get(&p.id)
            .map(|v| format!("{} → {}", v.supporter_name, v.receiver_name))
            .unwrap_or_default();
        let mut item = Planned {
            review_id: m.id,
            kind: Kind::School,
            pairing_id: p.id,
            label,
            mark: m.mark,
            note: m.note.clone(),
            outcome: Outcome::Ended,
            draft_id: m.carried_to_id,
            reason: None,
        };
        if m.prepared_at.is_some() {
            item.outcome = Outcome::Done;
        } else if m.mark == Mark::End {
            item.outcome = Outcome::Ended;
            mark_prepared(&txn, m, None, now).await?;
        } else if p.year_to.as_str() >= next.name.as_str() {
            item.outcome = Outcome::Runs;
            mark_prepared(&txn, m, None, now).await?;
        } else {
            let mut form = school_pairings::PairingForm::from_model(p);
            form.year_from = next.name.clone();
            form.year_to = next.name.clone();
            if m.mark == Mark::Adjust {
                form.note = m.note.clone();
            }
            match school_pairings::create(&txn, actor, &form).await {
                Ok(draft) => {
                    item.outcome = Outcome::Drafted;
                    item.draft_id = Some(draft.id);
                    mark_prepared(&txn, m, Some(draft.id), now).await?;
                }
                Err(e) => {
                    item.outcome = Outcome::Refused;
                    item.reason = Some(reason(&e, lang));
                }
            }
        }
        items.push(item);
    }
    for m in marks.iter().filter(|m| m.teacher_pairing_id.is_some()) {
        let Some(r) = m.teacher_pairing_id.and_then(|id| teachers.get(&id)) else {
            continue;
        };
        let p = &r.pairing;
        let mut item = Planned {
            review_id: m.id,
            kind: Kind::Teacher,
            pairing_id: p.id,
            label: format!("{} → {} · {}", r.mentor_name, r.mentee_name, p.subject),
            mark: m.mark,
            note: m.note.clone(),
            outcome: Outcome::Ended,
            draft_id: m.carried_to_id,
            reason: None,
        };
        if m.prepared_at.is_some() {
            item.outcome = Outcome::Done;
        } else if m.mark == Mark::End {
            mark_prepared(&txn, m, None, now).await?;
        } else {
            let mut form = teacher_pairings::TeacherPairingForm::from_model(p);
            form.academic_year_id = next.id.to_string();
            // Under the same school pairing when it runs on into next year; else on its own
            // (a teacher pairing cannot belong to a school pairing's draft: it is linked
            // once that draft is published).
            form.school_pairing_id = p
                .school_pairing_id
                .filter(|sp| running_on.contains(sp))
                .map(|id| id.to_string())
                .unwrap_or_default();
            match teacher_pairings::create_in(&txn, actor, &form).await {
                Ok(draft) => {
                    item.outcome = Outcome::Drafted;
                    item.draft_id = Some(draft.id);
                    mark_prepared(&txn, m, Some(draft.id), now).await?;
                }
                Err(e) => {
                    item.outcome = Outcome::Refused;
                    item.reason = Some(reason(&e, lang));
                }
            }
        }
        items.push(item);
    }
    let unmarked_school_pairings = sp_rows::Entity::find()
        .filter(running_in(year))
        .filter(sp_rows::Column::Id.is_not_in(school_ids))
        .count(&txn)
        .await?;
    let unmarked_teacher_pairings = tp_rows::Entity::find()
        .filter(tp_rows::Column::AcademicYearId.eq(year.id))
        .filter(tp_rows::Column::Status.ne(PairingStatus::Draft))
        .filter(tp_rows::Column::Id.is_not_in(teacher_ids))
        .count(&txn)
        .await?;
    let mut plan = Plan {
        year: year.name.clone(),
        next_year: Some(next.name.clone()),
        items,
        unmarked_school_pairings,
        unmarked_teacher_pairings,
        applied: false,
    };
    if apply && !plan.refused() {
        audit::record::<(), _>(
            &txn,
            Some(actor),
            "prepare_next_year",
            "review",
            None,
            None,
            Some(&Prepared {
                year: &plan.year,
                next_year: plan.next_year.as_deref(),
                drafted: plan.count(Outcome::Drafted),
            }),
        )
        .await?;
        txn.commit().await?;
        plan.applied = true;
    } else {
        txn.rollback().await?;
        // A preview's drafts were never made: their ids mean nothing.
        for i in plan
            .items
            .iter_mut()
            .filter(|i| i.outcome == Outcome::Drafted)
        {
            i.draft_id = None;
        }
    }
    Ok(plan)
}

/// What the audit log keeps of a preparation.
#[derive(Serialize)]
struct Prepared<'a> {
    year: &'a str,
    next_year: Option<&'a str>,
    drafted: usize,
}

async fn mark_prepared(
    txn: &impl ConnectionTrait,
    m: &rows::Model,
    draft: Option<i64>,
    now: chrono::DateTime<Utc>,
) -> AppResult<()> {
    let mut a: rows::ActiveModel = m.clone().into();
    a.carried_to_id = Set(draft);
    a.prepared_at = Set(Some(now));
    a.version = Set(m.version + 1);
    a.updated_at = Set(now);
    a.update(txn).await?;
    Ok(())
}

/// A refusal in words: the first field's message.
fn reason(e: &AppError, lang: crate::i18n::Lang) -> String {
    match e {
        AppError::Invalid(errors) => errors
            .0
            .values()
            .flatten()
            .next()
            .map(|m| lang.msg(m))
            .unwrap_or_default(),
        AppError::Conflict { msg, .. } => lang.msg(msg),
        other => other.to_string(),
    }
}
