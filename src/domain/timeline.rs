//! What was done under a pairing, newest first: the visits, training weeks, ledger items
//! and shared resources of a school pairing (and, on a teacher pairing, the visits the
//! mentor or the mentee took part in, the mentee's training weeks and the resources
//! shared with the pair). Each kind is read only when the
//! policy lets the viewer list it, through its own visibility condition, with a fixed
//! number of queries whatever the number of records.
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::access::{Actor, scope};
use crate::domain::money;
use crate::entities::{contributions, resources, training_weeks, visit_teachers, visits};
use crate::error::AppResult;

/// How many of each kind a timeline shows (the lists have the rest).
pub const PER_KIND: u64 = 10;

/// One thing done, as the timeline lists it.
#[derive(Debug, Clone)]
pub struct Event {
    pub on: NaiveDate,
    /// `visit`, `week`, `contribution` or `resource`: the icon and the words.
    pub kind: &'static str,
    /// The catalogue key of what it was (a visit's kind; `week-title`; a ledger kind).
    pub label: String,
    /// Schools, people, a description, a value.
    pub detail: String,
    /// A status badge: its class and catalogue key.
    pub status: Option<(&'static str, String)>,
    pub href: String,
}

/// Which records a timeline gathers.
enum Of {
    SchoolPairing(i64),
    /// A teacher pairing, its mentor and its mentee.
    Pair {
        id: i64,
        mentor: i64,
        mentee: i64,
    },
}

/// The timeline of a school pairing.
pub async fn of_school_pairing(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    school_pairing_id: i64,
) -> AppResult<Vec<Event>> {
    gather(conn, actor, Of::SchoolPairing(school_pairing_id)).await
}

/// The timeline of a teacher pairing: the visits its two teachers took part in, the
/// mentee's training weeks and the resources shared with the pair.
pub async fn of_teacher_pairing(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    mentor: i64,
    mentee: i64,
) -> AppResult<Vec<Event>> {
    gather(conn, actor, Of::Pair { id, mentor, mentee }).await
}

async fn gather(conn: &impl ConnectionTrait, actor: &Actor, of: Of) -> AppResult<Vec<Event>> {
    let lists = |s: Subject| policy::allows_some(actor.role, s, Act::List);
    let mut school_ids = Vec::new();
    let mut teacher_ids = Vec::new();

    let visit_rows = if lists(Subject::Visit) {
        let mut q = visits::Entity::find().filter(scope::visible::<visits::Entity>(actor));
        q = match &of {
            Of::SchoolPairing(id) => q.filter(visits::Column::SchoolPairingId.eq(*id)),
            Of::Pair { mentor, mentee, .. } => q.filter(
                visits::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(visit_teachers::Column::VisitId)
                        .from(visit_teachers::Entity)
                        .and_where(visit_teachers::Column::TeacherId.is_in([*mentor, *mentee]))
                        .to_owned(),
                ),
            ),
        };
        q.order_by_desc(visits::Column::StartsOn)
            .order_by_desc(visits::Column::Id)
            .limit(PER_KIND)
            .all(conn)
            .await?
    } else {
        Vec::new()
    };
    for v in &visit_rows {
        school_ids.extend([v.host_school_id, v.guest_school_id]);
    }

    let week_rows = if lists(Subject::TrainingWeek) {
        let mut q =
            training_weeks::Entity::find().filter(scope::visible::<training_weeks::Entity>(actor));
        q = match &of {
            Of::SchoolPairing(id) => q.filter(training_weeks::Column::SchoolPairingId.eq(*id)),
            Of::Pair { mentee, .. } => q.filter(training_weeks::Column::TeacherId.eq(*mentee)),
        };
        // The weeks already answered, latest first: what happened, not what is planned.
        q.filter(training_weeks::Column::AnsweredAt.is_not_null())
            .order_by_desc(training_weeks::Column::StartsOn)
            .order_by_desc(training_weeks::Column::Id)
            .limit(PER_KIND)
            .all(conn)
            .await?
    } else {
        Vec::new()
    };
    for w in &week_rows {
        school_ids.push(w.host_school_id);
        teacher_ids.push(w.teacher_id);
    }

    let ledger_rows = match (&of, lists(Subject::Contribution)) {
        (Of::SchoolPairing(id), true) => {
            contributions::Entity::find()
                .filter(scope::visible::<contributions::Entity>(actor))
                .filter(contributions::Column::SchoolPairingId.eq(*id))
                .order_by_desc(contributions::Column::GivenOn)
                .order_by_desc(contributions::Column::Id)
                .limit(PER_KIND)
                .all(conn)
                .await?
        }
        _ => Vec::new(),
    };
    for c in &ledger_rows {
        school_ids.extend([c.giver_school_id, c.receiver_school_id]);
    }

    let resource_rows = if lists(Subject::Resource) {
        let q = resources::Entity::find().filter(scope::visible::<resources::Entity>(actor));
        match &of {
            Of::SchoolPairing(id) => q.filter(resources::Column::SchoolPairingId.eq(*id)),
            Of::Pair { id, .. } => q.filter(resources::Column::TeacherPairingId.eq(*id)),
        }
        .order_by_desc(resources::Column::Id)
        .limit(PER_KIND)
        .all(conn)
        .await?
    } else {
        Vec::new()
    };

    let schools = if school_ids.is_empty() {
        Default::default()
    } else {
        crate::domain::names::schools(conn, school_ids).await?
    };
    let teachers = if teacher_ids.is_empty() {
        Default::default()
    } else {
        crate::domain::names::teachers(conn, teacher_ids).await?
    };
    let school = |id: i64| schools.get(&id).cloned().unwrap_or_default();

    let mut events: Vec<Event> = Vec::new();
    events.extend(visit_rows.into_iter().map(|v| Event {
        on: v.starts_on,
        kind: "visit",
        label: v.kind.label_key(),
        detail: format!(
            "{} → {}",
            school(v.guest_school_id),
            school(v.host_school_id)
        ),
        status: None,
        href: format!("/visits/{}", v.id),
    }));
    events.extend(week_rows.into_iter().map(|w| Event {
        on: w.starts_on,
        kind: "week",
        label: "week-title".into(),
        detail: format!(
            "{} → {}",
            teachers.get(&w.teacher_id).cloned().unwrap_or_default(),
            school(w.host_school_id)
        ),
        status: Some((w.status.css(), w.status.label_key())),
        href: format!(
            "/training-weeks?school_pairing={}&year={}&term={}",
            w.school_pairing_id, w.academic_year_id, w.term
        ),
    }));
    events.extend(ledger_rows.into_iter().map(|c| Event {
        on: c.given_on,
        kind: "contribution",
        label: c.kind.label_key(),
        detail: format!(
            "{} → {} · {} · {}",
            school(c.giver_school_id),
            school(c.receiver_school_id),
            c.description,
            money::format_yuan(c.value_fen)
        ),
        status: Some((c.status.css(), c.status.label_key())),
        href: format!("/contributions/{}", c.id),
    }));
    events.extend(resource_rows.into_iter().map(|r| Event {
        on: r.created_at.date_naive(),
        kind: "resource",
        label: r.kind.label_key(),
        detail: format!("{} · {}", r.title, r.file_name),
        status: None,
        href: format!("/resources/{}/download", r.id),
    }));
    events.sort_by_key(|e| std::cmp::Reverse(e.on));
    Ok(events)
}
