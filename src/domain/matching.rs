//! Matching (师徒匹配): mentor suggestions for a mentee, ranked by a score whose reasons
//! are shown, and "propose all" for a school pairing — an optimal assignment of the
//! receiving school's teachers to the supporting school's mentors under the mentors' caps
//! (Kuhn–Munkres, from the `pathfinding` crate).
//!
//! The scoring and the assignment are pure functions; the services around them load a
//! bounded candidate set from the database and never write except through the teacher
//! pairings service.
use std::collections::{HashMap, HashSet};

use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;
use sea_orm::sea_query::{Expr, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::teacher_pairings::{self as teacher_pairings_service, TeacherPairingForm};
use crate::domain::teachers::{self, TeacherView};
use crate::domain::types::{self, PairingStatus, SchoolKind, Title};
use crate::domain::{academic_years, settings};
use crate::entities::{
    academic_years as years, school_pairings, schools, teacher_pairings, teachers as rows,
};
use crate::error::{AppError, AppResult, Msg};

/// Points of the parts of a score. A shared subject dominates: without one a mentor is
/// not a candidate at all.
pub mod points {
    pub const SUBJECT: i64 = 100;
    pub const GRADES_FIRST: i64 = 20;
    pub const GRADES_EACH_MORE: i64 = 5;
    pub const GRADES_MAX: i64 = 30;
    pub const HONOURS_MAX: i64 = 40;
    pub const YEARS_MAX: i64 = 15;
    pub const CAPACITY_EACH: i64 = 5;
    pub const CAPACITY_MAX: i64 = 20;
    pub const SCHOOLS_PAIRED: i64 = 40;
    pub const SAME_DISTRICT: i64 = 10;
    /// A 正高级教师's points; a 三级教师 has `TITLE_LOWEST`.
    pub const TITLE_MAX: i64 = 30;
    pub const TITLE_LOWEST: i64 = 4;
    /// The highest score a pair can reach (every part at its top).
    pub const MAX: i64 = SUBJECT
        + GRADES_MAX
        + TITLE_MAX
        + HONOURS_MAX
        + YEARS_MAX
        + CAPACITY_MAX
        + SCHOOLS_PAIRED
        + SAME_DISTRICT;
}

/// How a score adds up, part by part, for the page that shows scores: one message each,
/// with the points from [`points`].
pub fn score_parts() -> Vec<Msg> {
    use points::*;
    vec![
        Msg::new("match-score-subject").arg("points", SUBJECT),
        Msg::new("match-score-grades")
            .arg("first", GRADES_FIRST)
            .arg("each", GRADES_EACH_MORE)
            .arg("max", GRADES_MAX),
        Msg::new("match-score-title")
            .arg("lowest", TITLE_LOWEST)
            .arg("max", TITLE_MAX),
        Msg::new("match-score-honours").arg("max", HONOURS_MAX),
        Msg::new("match-score-years").arg("max", YEARS_MAX),
        Msg::new("match-score-capacity")
            .arg("each", CAPACITY_EACH)
            .arg("max", CAPACITY_MAX),
        Msg::new("match-score-paired").arg("points", SCHOOLS_PAIRED),
        Msg::new("match-score-district").arg("points", SAME_DISTRICT),
    ]
}

/// How many candidate mentors are scored for one mentee (the query is bounded).
pub const CANDIDATE_LIMIT: u64 = 500;
/// How many teachers of each school "propose all" considers.
pub const PROPOSAL_LIMIT: u64 = 300;
/// Pairing statuses that hold a mentor's slot and a mentee's year.
pub const HOLDING: [&str; 2] = ["active", "draft"];

/// One reason of a score: a catalogue message and the points it brought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub msg: Msg,
    pub points: i64,
}

impl Reason {
    fn new(points: i64, msg: Msg) -> Self {
        Reason { msg, points }
    }
}

/// What scoring needs of a teacher, with the JSON lists decoded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: i64,
    pub school_id: i64,
    pub subjects: Vec<String>,
    pub grades: Vec<String>,
    pub title: Title,
    pub years_teaching: i32,
    pub honours: Vec<String>,
}

impl Profile {
    pub fn of(t: &rows::Model) -> Self {
        Profile {
            id: t.id,
            school_id: t.school_id,
            subjects: types::parse_json_list(&t.subjects),
            grades: types::parse_json_list(&t.grades),
            title: Title::parse(&t.title).unwrap_or(Title::Unrated),
            years_teaching: t.years_teaching,
            honours: types::parse_json_list(&t.honours),
        }
    }
}

/// What scoring needs beyond the two teachers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// The mentor's free slots this year: `max_mentees_per_mentor` minus their active and
    /// draft pairings. Zero or less: not a candidate.
    pub spare: i64,
    /// An active school pairing supports the mentee's school from the mentor's.
    pub schools_paired: bool,
    /// The district both schools are in, when it is the same.
    pub same_district: Option<String>,
}

/// A candidate's score, the subject they would share, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scored {
    pub points: i64,
    pub subject: String,
    pub reasons: Vec<Reason>,
}

fn title_points(title: Title) -> i64 {
    match title {
        Title::Professor => points::TITLE_MAX,
        Title::Senior => 24,
        Title::First => 16,
        Title::Second => 8,
        Title::Third => points::TITLE_LOWEST,
        Title::Unrated => 0,
    }
}

/// Points of one honour: 特级教师 and 名师 above 学科带头人 above 骨干教师; others a little.
fn honour_points(honour: &str) -> i64 {
    if honour.contains("特级") {
        30
    } else if honour.contains("名师") {
        25
    } else if honour.contains("学科带头人") {
        20
    } else if honour.contains("骨干") {
        15
    } else {
        5
    }
}

/// Scores `mentor` for `mentee`: `None` when they are not candidates for each other (the
/// same teacher, no shared subject, or no free slot).
pub fn score(mentor: &Profile, mentee: &Profile, ctx: &Context) -> Option<Scored> {
    if mentor.id == mentee.id || ctx.spare <= 0 {
        return None;
    }
    // The mentee's first subject that the mentor also teaches.
    let subject = mentee
        .subjects
        .iter()
        .find(|s| mentor.subjects.contains(s))?
        .clone();
    let mut reasons = vec![Reason::new(
        points::SUBJECT,
        Msg::new("match-reason-subject").arg("subject", &subject),
    )];
    let grades: Vec<&str> = mentee
        .grades
        .iter()
        .filter(|g| mentor.grades.contains(g))
        .map(String::as_str)
        .collect();
    if !grades.is_empty() {
        let p = (points::GRADES_FIRST + points::GRADES_EACH_MORE * (grades.len() as i64 - 1))
            .min(points::GRADES_MAX);
        reasons.push(Reason::new(
            p,
            Msg::new("match-reason-grades").arg("grades", grades.join("、")),
        ));
    }
    let tp = title_points(mentor.title);
    if tp > 0 {
        reasons.push(Reason::new(
            tp,
            Msg::new(format!("match-reason-title-{}", mentor.title.as_str())),
        ));
    }
    let mut honours_left = points::HONOURS_MAX;
    let mut honours: Vec<(&String, i64)> = mentor
        .honours
        .iter()
        .map(|h| (h, honour_points(h)))
        .collect();
    honours.sort_by_key(|h| std::cmp::Reverse(h.1));
    for (honour, p) in honours {
        let p = p.min(honours_left);
        honours_left -= p;
        reasons.push(Reason::new(
            p,
            Msg::new("match-reason-honour").arg("honour", honour),
        ));
    }
    if mentor.years_teaching > 0 {
        let p = (i64::from(mentor.years_teaching) / 2).min(points::YEARS_MAX);
        reasons.push(Reason::new(
            p,
            Msg::new("match-reason-years").arg("years", mentor.years_teaching),
        ));
    }
    reasons.push(Reason::new(
        (points::CAPACITY_EACH * ctx.spare).min(points::CAPACITY_MAX),
        Msg::new("match-reason-capacity").arg("count", ctx.spare),
    ));
    if ctx.schools_paired {
        reasons.push(Reason::new(
            points::SCHOOLS_PAIRED,
            Msg::new("match-reason-schools-paired"),
        ));
    }
    if let Some(district) = &ctx.same_district {
        reasons.push(Reason::new(
            points::SAME_DISTRICT,
            Msg::new("match-reason-same-district").arg("district", district),
        ));
    }
    Some(Scored {
        points: reasons.iter().map(|r| r.points).sum(),
        subject,
        reasons,
    })
}

/// The weight of a pair that must not be made; far below any real total.
const IMPOSSIBLE: i64 = -1_000_000_000_000;

/// An assignment of mentees (rows of `scores`) to mentors (its columns) that maximises the
/// total score, each mentee with at most one mentor and mentor `j` with at most
/// `capacities[j]` mentees; `None` marks a pair that may not be made. Returns the
/// (mentee, mentor) index pairs made, by mentee.
///
/// Each mentor's column is repeated once per free slot, and one "nobody" column of weight 0
/// is added per mentee, so that the matrix has no more rows than columns (as Kuhn–Munkres
/// needs) and leaving a mentee unassigned is always possible; impossible pairs weigh far
/// below zero and never beat "nobody". Pairs scoring zero or less are never made.
pub fn assign(scores: &[Vec<Option<i64>>], capacities: &[usize]) -> Vec<(usize, usize)> {
    let n_rows = scores.len();
    let mut owners: Vec<usize> = Vec::new();
    for (mentor, &cap) in capacities.iter().enumerate() {
        let useful = scores
            .iter()
            .any(|row| row.get(mentor).copied().flatten().is_some_and(|s| s > 0));
        if useful {
            owners.extend(std::iter::repeat_n(mentor, cap.min(n_rows)));
        }
    }
    if n_rows == 0 || owners.is_empty() {
        return Vec::new();
    }
    let n_cols = owners.len() + n_rows;
    let mut weights = Matrix::new(n_rows, n_cols, 0i64);
    for (r, row) in scores.iter().enumerate() {
        for (c, &mentor) in owners.iter().enumerate() {
            weights[(r, c)] = match row.get(mentor).copied().flatten() {
                Some(s) => s.max(IMPOSSIBLE / 2),
                None => IMPOSSIBLE,
            };
        }
    }
    let (_, columns) = kuhn_munkres(&weights);
    columns
        .into_iter()
        .enumerate()
        .filter_map(|(r, c)| {
            let mentor = *owners.get(c)?;
            match scores[r].get(mentor).copied().flatten() {
                Some(s) if s > 0 => Some((r, mentor)),
                _ => None,
            }
        })
        .collect()
}

/// The total score of an assignment.
pub fn total(scores: &[Vec<Option<i64>>], pairs: &[(usize, usize)]) -> i64 {
    pairs
        .iter()
        .filter_map(|&(r, c)| scores.get(r)?.get(c).copied().flatten())
        .sum()
}

/// The academic year asked for, or the current one.
pub async fn resolve_year(
    db: &impl ConnectionTrait,
    year_id: Option<i64>,
) -> AppResult<years::Model> {
    match year_id {
        Some(id) => academic_years::get(db, id).await,
        None => academic_years::current(db)
            .await?
            .ok_or_else(|| AppError::invalid("year_id", Msg::new("err-match-no-year"))),
    }
}

/// The slots each mentor has taken: their active pairings (of any year, as the cap counts
/// them when a draft is made or published) and their drafts of this year (so that the
/// drafts proposed can all be published).
async fn loads(
    db: &impl ConnectionTrait,
    year_id: i64,
    mentor_ids: &[i64],
) -> AppResult<HashMap<i64, i64>> {
    if mentor_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let counts: Vec<(i64, i64)> = teacher_pairings::Entity::find()
        .select_only()
        .column(teacher_pairings::Column::MentorId)
        .column_as(teacher_pairings::Column::Id.count(), "n")
        .filter(
            Condition::any()
                .add(teacher_pairings::Column::Status.eq(PairingStatus::Active))
                .add(
                    Condition::all()
                        .add(teacher_pairings::Column::Status.eq(PairingStatus::Draft))
                        .add(teacher_pairings::Column::AcademicYearId.eq(year_id)),
                ),
        )
        .filter(teacher_pairings::Column::MentorId.is_in(mentor_ids.to_vec()))
        .group_by(teacher_pairings::Column::MentorId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts.into_iter().collect())
}

/// Schools by id.
async fn schools_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, schools::Model>> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(schools::Entity::find()
        .filter(schools::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect())
}

/// Supporting schools with an active pairing to `receiver_id` covering `year`.
async fn supporters_of(
    db: &impl ConnectionTrait,
    receiver_id: i64,
    year: &years::Model,
) -> AppResult<HashSet<i64>> {
    let ids: Vec<i64> = school_pairings::Entity::find()
        .select_only()
        .column(school_pairings::Column::SupporterId)
        .filter(school_pairings::Column::ReceiverId.eq(receiver_id))
        .filter(school_pairings::Column::Status.eq(PairingStatus::Active))
        .filter(school_pairings::Column::YearFrom.lte(year.name.as_str()))
        .filter(school_pairings::Column::YearTo.gte(year.name.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

fn same_district(a: Option<&schools::Model>, b: Option<&schools::Model>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) if !a.district.trim().is_empty() && a.district == b.district => {
            Some(a.district.clone())
        }
        _ => None,
    }
}

/// One suggested mentor.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub mentor: TeacherView,
    pub subject: String,
    pub points: i64,
    pub spare: i64,
    pub reasons: Vec<Reason>,
}

/// Suggestions for one mentee, with what the page shows around them.
#[derive(Debug, Clone)]
pub struct Suggestions {
    pub mentee: TeacherView,
    pub year: years::Model,
    pub max_mentees_per_mentor: i64,
    pub items: Vec<Suggestion>,
}

/// Bureau: the best `limit` mentors for `mentee_id` in a year (the current one when
/// `year_id` is `None`), best first. Candidates are active teachers of active urban and
/// township schools other than the mentee's who share a subject with the mentee, have a
/// free slot this year and are not already paired with this mentee this year.
pub async fn suggest(
    db: &impl Conn,
    actor: &Actor,
    mentee_id: i64,
    year_id: Option<i64>,
    limit: usize,
) -> AppResult<Suggestions> {
    policy::require_some(actor, Subject::TeacherPairing, Act::Manage)?;
    let mentee = teachers::get(db, actor, mentee_id).await?;
    let year = resolve_year(db, year_id).await?;
    let max = settings::load(db).await?.max_mentees_per_mentor;
    let mentee_profile = Profile::of(&mentee);

    let mut subjects = Condition::any();
    for subject in &mentee_profile.subjects {
        // Subjects are stored as a JSON array of strings: match one whole element.
        let element = serde_json::to_string(subject).unwrap_or_default();
        subjects = subjects.add(rows::Column::Subjects.like(types::contains(&element)));
    }
    let candidate_schools = Query::select()
        .column(schools::Column::Id)
        .from(schools::Entity)
        .and_where(
            schools::Column::Kind
                .is_in([SchoolKind::Urban.as_str(), SchoolKind::Township.as_str()]),
        )
        .and_where(schools::Column::IsActive.eq(true))
        .and_where(schools::Column::Id.ne(mentee.school_id))
        .to_owned();
    // Only here: its `min`/`max` would shadow `Ord`'s on numbers elsewhere in this module.
    use sea_orm::sea_query::ExprTrait as _;
    let full_mentors = Query::select()
        .column(teacher_pairings::Column::MentorId)
        .from(teacher_pairings::Entity)
        .and_where(teacher_pairings::Column::AcademicYearId.eq(year.id))
        .and_where(teacher_pairings::Column::Status.is_in(HOLDING))
        .group_by_col(teacher_pairings::Column::MentorId)
        .and_having(Expr::expr(Func::count(Expr::col(teacher_pairings::Column::Id))).gte(max))
        .to_owned();
    let already = Query::select()
        .column(teacher_pairings::Column::MentorId)
        .from(teacher_pairings::Entity)
        .and_where(teacher_pairings::Column::AcademicYearId.eq(year.id))
        .and_where(teacher_pairings::Column::Status.is_in(HOLDING))
        .and_where(teacher_pairings::Column::MenteeId.eq(mentee.id))
        .to_owned();
    let candidates = if mentee_profile.subjects.is_empty() {
        Vec::new()
    } else {
        rows::Entity::find()
            .filter(rows::Column::IsActive.eq(true))
            .filter(rows::Column::Id.ne(mentee.id))
            .filter(rows::Column::SchoolId.in_subquery(candidate_schools))
            .filter(rows::Column::Id.not_in_subquery(full_mentors))
            .filter(rows::Column::Id.not_in_subquery(already))
            .filter(subjects)
            .order_by_desc(rows::Column::YearsTeaching)
            .order_by_asc(rows::Column::Id)
            .limit(CANDIDATE_LIMIT)
            .all(db)
            .await?
    };

    let ids: Vec<i64> = candidates.iter().map(|t| t.id).collect();
    let load = loads(db, year.id, &ids).await?;
    let school_map = schools_by_id(
        db,
        candidates
            .iter()
            .map(|t| t.school_id)
            .chain([mentee.school_id]),
    )
    .await?;
    let supporters = supporters_of(db, mentee.school_id, &year).await?;
    let mentee_school = school_map.get(&mentee.school_id);

    let mut items: Vec<(Suggestion, i32, i64)> = Vec::new();
    for t in &candidates {
        let ctx = Context {
            spare: max - load.get(&t.id).copied().unwrap_or(0),
            schools_paired: supporters.contains(&t.school_id),
            same_district: same_district(school_map.get(&t.school_id), mentee_school),
        };
        if let Some(scored) = score(&Profile::of(t), &mentee_profile, &ctx) {
            let school_name = school_map
                .get(&t.school_id)
                .map(|s| s.name.as_str())
                .unwrap_or("");
            items.push((
                Suggestion {
                    mentor: TeacherView::new(t, school_name, actor),
                    subject: scored.subject,
                    points: scored.points,
                    spare: ctx.spare,
                    reasons: scored.reasons,
                },
                t.years_teaching,
                t.id,
            ));
        }
    }
    items.sort_by(|a, b| {
        b.0.points
            .cmp(&a.0.points)
            .then(b.1.cmp(&a.1))
            .then(a.2.cmp(&b.2))
    });
    items.truncate(limit);
    let mentee_view = TeacherView::new(
        &mentee,
        mentee_school.map(|s| s.name.as_str()).unwrap_or(""),
        actor,
    );
    Ok(Suggestions {
        mentee: mentee_view,
        year,
        max_mentees_per_mentor: max,
        items: items.into_iter().map(|(s, _, _)| s).collect(),
    })
}

/// One pair of a proposed assignment.
#[derive(Debug, Clone, Serialize)]
pub struct ProposedPair {
    pub mentee: TeacherView,
    pub mentor: TeacherView,
    pub subject: String,
    pub points: i64,
    pub reasons: Vec<Reason>,
}

/// The optimal assignment for a school pairing, before anything is created.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub school_pairing: school_pairings::Model,
    pub supporter: schools::Model,
    pub receiver: schools::Model,
    pub year: years::Model,
    pub pairs: Vec<ProposedPair>,
    /// Receiving-school teachers left without a mentor (no shared subject, or no slot).
    pub unmatched: Vec<TeacherView>,
    /// Sum of the pairs' points.
    pub total: i64,
    /// Mentees considered (active, without an active or draft pairing this year).
    pub mentees_considered: usize,
    /// Mentors considered (active, with a free slot this year).
    pub mentors_considered: usize,
}

/// Bureau: the optimal assignment of an active school pairing's receiving-school teachers
/// (active, without an active or draft pairing this year) to the supporting school's
/// teachers (active, with a free slot this year), maximising the total score.
pub async fn propose(
    db: &impl ConnectionTrait,
    actor: &Actor,
    school_pairing_id: i64,
    year_id: Option<i64>,
) -> AppResult<Proposal> {
    policy::require_some(actor, Subject::TeacherPairing, Act::Manage)?;
    let pairing = school_pairings::Entity::find_by_id(school_pairing_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let year = resolve_year(db, year_id).await?;
    if pairing.status != crate::domain::types::PairingStatus::Active {
        return Err(AppError::conflict(
            "school_pairing_id",
            "err-match-pairing-not-active",
        ));
    }
    let max = settings::load(db).await?.max_mentees_per_mentor;
    let school_map = schools_by_id(db, [pairing.supporter_id, pairing.receiver_id]).await?;
    let (Some(supporter), Some(receiver)) = (
        school_map.get(&pairing.supporter_id).cloned(),
        school_map.get(&pairing.receiver_id).cloned(),
    ) else {
        return Err(AppError::NotFound);
    };

    let busy_mentees = Query::select()
        .column(teacher_pairings::Column::MenteeId)
        .from(teacher_pairings::Entity)
        .and_where(teacher_pairings::Column::AcademicYearId.eq(year.id))
        .and_where(teacher_pairings::Column::Status.is_in(HOLDING))
        .to_owned();
    let mentees = rows::Entity::find()
        .filter(rows::Column::SchoolId.eq(receiver.id))
        .filter(rows::Column::IsActive.eq(true))
        .filter(rows::Column::Id.not_in_subquery(busy_mentees))
        .order_by_asc(rows::Column::Id)
        .limit(PROPOSAL_LIMIT)
        .all(db)
        .await?;
    let mentor_rows = rows::Entity::find()
        .filter(rows::Column::SchoolId.eq(supporter.id))
        .filter(rows::Column::IsActive.eq(true))
        .order_by_desc(rows::Column::YearsTeaching)
        .order_by_asc(rows::Column::Id)
        .limit(PROPOSAL_LIMIT)
        .all(db)
        .await?;
    let ids: Vec<i64> = mentor_rows.iter().map(|t| t.id).collect();
    let load = loads(db, year.id, &ids).await?;
    let mentors: Vec<(&rows::Model, i64)> = mentor_rows
        .iter()
        .map(|t| (t, max - load.get(&t.id).copied().unwrap_or(0)))
        .filter(|(_, spare)| *spare > 0)
        .collect();

    let district = same_district(Some(&supporter), Some(&receiver));
    let mentor_profiles: Vec<Profile> = mentors.iter().map(|(t, _)| Profile::of(t)).collect();
    let mut scored: Vec<Vec<Option<Scored>>> = Vec::with_capacity(mentees.len());
    for mentee in &mentees {
        let mentee_profile = Profile::of(mentee);
        scored.push(
            mentors
                .iter()
                .zip(&mentor_profiles)
                .map(|((_, spare), profile)| {
                    let ctx = Context {
                        spare: *spare,
                        schools_paired: true,
                        same_district: district.clone(),
                    };
                    score(profile, &mentee_profile, &ctx)
                })
                .collect(),
        );
    }
    let matrix: Vec<Vec<Option<i64>>> = scored
        .iter()
        .map(|row| row.iter().map(|s| s.as_ref().map(|s| s.points)).collect())
        .collect();
    let capacities: Vec<usize> = mentors
        .iter()
        .map(|(_, spare)| usize::try_from(*spare).unwrap_or(0))
        .collect();
    let assignment = assign(&matrix, &capacities);
    let total = total(&matrix, &assignment);

    let mut matched = vec![false; mentees.len()];
    let mut pairs = Vec::with_capacity(assignment.len());
    for (r, c) in assignment {
        matched[r] = true;
        if let Some(s) = scored[r][c].clone() {
            pairs.push(ProposedPair {
                mentee: TeacherView::new(&mentees[r], &receiver.name, actor),
                mentor: TeacherView::new(mentors[c].0, &supporter.name, actor),
                subject: s.subject,
                points: s.points,
                reasons: s.reasons,
            });
        }
    }
    let unmatched = mentees
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(t, _)| TeacherView::new(t, &receiver.name, actor))
        .collect();
    Ok(Proposal {
        school_pairing: pairing,
        supporter,
        receiver,
        year,
        pairs,
        unmatched,
        total,
        mentees_considered: mentees.len(),
        mentors_considered: mentors.len(),
    })
}

/// What "propose all" made: the drafts created and the proposed pairs that the teacher
/// pairing rules refused (with their messages), for the bureau to see.
#[derive(Debug, Clone)]
pub struct ProposeOutcome {
    pub created: Vec<teacher_pairings::Model>,
    pub skipped: Vec<(ProposedPair, Vec<Msg>)>,
    /// Sum of the created pairs' points.
    pub total: i64,
}

/// Bureau: computes the optimal assignment of an active school pairing (see [`propose`])
/// and creates each pair as a DRAFT teacher pairing linked to the school pairing, with the
/// best shared subject, through the teacher pairings service (which checks every rule).
/// The assignment is computed and every draft made in ONE transaction: all of them are
/// made or none (a failure part-way leaves nothing behind). A pair that a rule refuses is
/// skipped and reported; running it again proposes only for teachers still without one.
/// With `chosen` ((mentee, mentor) ids), only those of the proposed pairs are made (the
/// bureau dropped the others); choosing none is refused.
pub async fn propose_all(
    db: &impl Conn,
    actor: &Actor,
    school_pairing_id: i64,
    year_id: Option<i64>,
    chosen: Option<&[(i64, i64)]>,
) -> AppResult<ProposeOutcome> {
    policy::require_some(actor, Subject::TeacherPairing, Act::Manage)?;
    let txn = db::begin_write(db).await?;
    let outcome = propose_all_in(&txn, actor, school_pairing_id, year_id, chosen).await?;
    txn.commit().await?;
    Ok(outcome)
}

async fn propose_all_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    school_pairing_id: i64,
    year_id: Option<i64>,
    chosen: Option<&[(i64, i64)]>,
) -> AppResult<ProposeOutcome> {
    let mut proposal = propose(txn, actor, school_pairing_id, year_id).await?;
    if let Some(chosen) = chosen {
        // Only the pairs the bureau kept; a pair no longer proposed is not made.
        proposal
            .pairs
            .retain(|p| chosen.contains(&(p.mentee.id, p.mentor.id)));
        if proposal.pairs.is_empty() {
            return Err(AppError::invalid("pair", Msg::new("err-match-none-chosen")));
        }
    }
    let mut outcome = ProposeOutcome {
        created: Vec::new(),
        skipped: Vec::new(),
        total: 0,
    };
    for pair in proposal.pairs {
        let form = TeacherPairingForm {
            mentor_id: pair.mentor.id.to_string(),
            mentee_id: pair.mentee.id.to_string(),
            subject: pair.subject.clone(),
            academic_year_id: proposal.year.id.to_string(),
            school_pairing_id: proposal.school_pairing.id.to_string(),
        };
        match teacher_pairings_service::create_in(txn, actor, &form).await {
            Ok(row) => {
                outcome.total += pair.points;
                outcome.created.push(row);
            }
            Err(e) => match e.field_errors() {
                Some(errors) => {
                    let msgs = errors.0.into_values().flatten().collect();
                    outcome.skipped.push((pair, msgs));
                }
                None => return Err(e),
            },
        }
    }
    Ok(outcome)
}

/// Bureau: turns one suggestion into a DRAFT teacher pairing (the teacher pairings service
/// checks every rule). The subject is the best one the two share; the draft is linked to
/// the active school pairing of their schools when there is one.
pub async fn create_draft(
    db: &impl Conn,
    actor: &Actor,
    mentee_id: i64,
    mentor_id: i64,
    year_id: Option<i64>,
) -> AppResult<teacher_pairings::Model> {
    policy::require_some(actor, Subject::TeacherPairing, Act::Manage)?;
    let mentee = teachers::get(db, actor, mentee_id).await?;
    let year = resolve_year(db, year_id).await?;
    let mentor = rows::Entity::find_by_id(mentor_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::invalid("mentor_id", Msg::new("tp-err-no-teacher")))?;
    let (mentor_p, mentee_p) = (Profile::of(&mentor), Profile::of(&mentee));
    let subject = mentee_p
        .subjects
        .iter()
        .find(|s| mentor_p.subjects.contains(s))
        .cloned()
        .ok_or_else(|| AppError::invalid("mentor_id", Msg::new("err-match-no-subject")))?;
    let linked: Option<i64> = school_pairings::Entity::find()
        .select_only()
        .column(school_pairings::Column::Id)
        .filter(school_pairings::Column::SupporterId.eq(mentor.school_id))
        .filter(school_pairings::Column::ReceiverId.eq(mentee.school_id))
        .filter(school_pairings::Column::Status.eq(PairingStatus::Active))
        .filter(school_pairings::Column::YearFrom.lte(year.name.as_str()))
        .filter(school_pairings::Column::YearTo.gte(year.name.as_str()))
        .order_by_asc(school_pairings::Column::Id)
        .into_tuple()
        .one(db)
        .await?;
    let form = TeacherPairingForm {
        mentor_id: mentor.id.to_string(),
        mentee_id: mentee.id.to_string(),
        subject,
        academic_year_id: year.id.to_string(),
        school_pairing_id: linked.map(|i| i.to_string()).unwrap_or_default(),
    };
    teacher_pairings_service::create(db, actor, &form).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn profile(id: i64, subjects: &[&str], grades: &[&str], title: Title) -> Profile {
        Profile {
            id,
            school_id: id * 10,
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
            grades: grades.iter().map(|s| s.to_string()).collect(),
            title,
            years_teaching: 0,
            honours: Vec::new(),
        }
    }

    fn ctx(spare: i64) -> Context {
        Context {
            spare,
            ..Default::default()
        }
    }

    fn keys(s: &Scored) -> Vec<&str> {
        s.reasons.iter().map(|r| r.msg.key.as_str()).collect()
    }

    #[test]
    fn no_shared_subject_or_no_slot_is_no_candidate() {
        let mentee = profile(1, &["数学"], &["七年级"], Title::Second);
        let other = profile(2, &["语文"], &["七年级"], Title::Senior);
        assert_eq!(score(&other, &mentee, &ctx(2)), None);
        let mentor = profile(3, &["语文", "数学"], &[], Title::Senior);
        assert!(score(&mentor, &mentee, &ctx(1)).is_some());
        assert_eq!(score(&mentor, &mentee, &ctx(0)), None);
        assert_eq!(score(&mentee, &mentee, &ctx(2)), None);
    }

    #[test]
    fn reasons_and_points() {
        let mentee = profile(1, &["物理", "数学"], &["七年级", "八年级"], Title::Second);
        let mut mentor = profile(2, &["数学", "物理"], &["八年级", "七年级"], Title::Senior);
        mentor.years_teaching = 20;
        mentor.honours = vec!["骨干教师".into(), "市级名师".into()];
        let full = Context {
            spare: 1,
            schools_paired: true,
            same_district: Some("连州市".into()),
        };
        let s = score(&mentor, &mentee, &full).unwrap();
        // The mentee's first subject that the mentor teaches.
        assert_eq!(s.subject, "物理");
        assert_eq!(
            keys(&s),
            vec![
                "match-reason-subject",
                "match-reason-grades",
                "match-reason-title-senior",
                "match-reason-honour",
                "match-reason-honour",
                "match-reason-years",
                "match-reason-capacity",
                "match-reason-schools-paired",
                "match-reason-same-district",
            ]
        );
        assert_eq!(s.reasons[1].msg.args[0].1, "七年级、八年级");
        assert_eq!(s.reasons[3].msg.args[0].1, "市级名师");
        // 100 + 25 + 24 + (25 + 15) + 10 + 5 + 40 + 10
        assert_eq!(s.points, 254);
        assert_eq!(s.points, s.reasons.iter().map(|r| r.points).sum::<i64>());

        // Every bonus raises the score.
        let plain = score(&mentor, &mentee, &ctx(1)).unwrap();
        assert_eq!(plain.points, 254 - 50);
        let mut junior = mentor.clone();
        junior.title = Title::Second;
        assert!(score(&junior, &mentee, &ctx(1)).unwrap().points < plain.points);
        let more_room = score(&mentor, &mentee, &ctx(2)).unwrap();
        assert!(more_room.points > plain.points);
    }

    #[test]
    fn honours_are_capped() {
        let mentee = profile(1, &["数学"], &[], Title::Unrated);
        let mut mentor = profile(2, &["数学"], &[], Title::Unrated);
        mentor.honours = vec!["特级教师".into(), "省名师".into(), "骨干教师".into()];
        let s = score(&mentor, &mentee, &ctx(1)).unwrap();
        let honours: i64 = s
            .reasons
            .iter()
            .filter(|r| r.msg.key == "match-reason-honour")
            .map(|r| r.points)
            .sum();
        assert_eq!(honours, points::HONOURS_MAX);
    }

    /// The best total by trying every assignment.
    fn brute_force(scores: &[Vec<Option<i64>>], caps: &[usize]) -> i64 {
        fn go(r: usize, scores: &[Vec<Option<i64>>], left: &mut [usize]) -> i64 {
            if r == scores.len() {
                return 0;
            }
            let mut best = go(r + 1, scores, left);
            for c in 0..left.len() {
                if left[c] > 0
                    && let Some(s) = scores[r][c]
                    && s > 0
                {
                    left[c] -= 1;
                    best = best.max(s + go(r + 1, scores, left));
                    left[c] += 1;
                }
            }
            best
        }
        go(0, scores, &mut caps.to_vec())
    }

    fn check_valid(scores: &[Vec<Option<i64>>], caps: &[usize], pairs: &[(usize, usize)]) {
        let mut used = vec![0; caps.len()];
        let mut seen = HashSet::new();
        for &(r, c) in pairs {
            assert!(seen.insert(r), "mentee {r} assigned twice");
            assert!(scores[r][c].is_some(), "impossible pair ({r}, {c})");
            used[c] += 1;
        }
        for (c, &n) in used.iter().enumerate() {
            assert!(n <= caps[c], "mentor {c} over capacity");
        }
    }

    #[test]
    fn assignment_is_optimal_on_random_small_cases() {
        let mut rng = StdRng::seed_from_u64(20261129);
        for case in 0..400 {
            let rows = rng.random_range(0..=5);
            let cols = rng.random_range(0..=4);
            let caps: Vec<usize> = (0..cols).map(|_| rng.random_range(1..=2)).collect();
            let scores: Vec<Vec<Option<i64>>> = (0..rows)
                .map(|_| {
                    (0..cols)
                        .map(|_| {
                            if rng.random_bool(0.3) {
                                None
                            } else {
                                Some(rng.random_range(100..=300))
                            }
                        })
                        .collect()
                })
                .collect();
            let pairs = assign(&scores, &caps);
            check_valid(&scores, &caps, &pairs);
            assert_eq!(
                total(&scores, &pairs),
                brute_force(&scores, &caps),
                "case {case}: {scores:?} caps {caps:?}"
            );
        }
    }

    #[test]
    fn edge_cases() {
        // Nobody at all.
        assert!(assign(&[], &[]).is_empty());
        assert!(assign(&[], &[2]).is_empty());
        // Mentees but no mentors, or only impossible pairs.
        assert!(assign(&[vec![], vec![]], &[]).is_empty());
        assert!(assign(&[vec![None, None]], &[1, 1]).is_empty());
        // A mentor with no slot.
        assert!(assign(&[vec![Some(150)]], &[0]).is_empty());
        // More mentees than slots: the best ones get the slots.
        let scores = vec![
            vec![Some(120)],
            vec![Some(200)],
            vec![Some(150)],
            vec![Some(110)],
        ];
        let mut pairs = assign(&scores, &[2]);
        pairs.sort();
        assert_eq!(pairs, vec![(1, 0), (2, 0)]);
        // Giving up a mentee's favourite for a better total.
        let scores = vec![vec![Some(200), Some(190)], vec![Some(180), None]];
        let mut pairs = assign(&scores, &[1, 1]);
        pairs.sort();
        assert_eq!(pairs, vec![(0, 1), (1, 0)]);
        assert_eq!(total(&scores, &pairs), 370);
    }
}
