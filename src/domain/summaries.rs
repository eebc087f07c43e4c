//! Year-end summaries (SPEC.md, the seed's 一年一总结): a seconded teacher's 支教工作总结 and a
//! mentor's 结对帮扶工作总结, written by the teacher and received by their school; a school's
//! 学校结对帮扶工作总结 as supporter or as receiver, written by the school and received by the
//! bureau. Each is pre-filled with its figures — each a direct count of the data — so
//! people write the words, not the numbers; the figures are kept as they stood when it was
//! submitted.
//!
//! Both follow one transition table shape: `draft → submitted → accepted`, the receiver
//! may instead return it to the draft with a reason. Every save carries the version it
//! began from; every step is audited and tells whoever acts next.
use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::access::{Actor, scope};
use crate::domain::audit;
use crate::domain::context::Context as Site;
use crate::domain::contributions::LedgerStatus;
use crate::domain::notifications::{self, Notice};
use crate::domain::paging::{self, PageRequest, Paged};
use crate::domain::self_evaluations as se;
use crate::domain::training::WeekStatus;
use crate::domain::types::{self, PairingStatus, Role, de::loose_string};
use crate::domain::visits::VisitKind;
use crate::domain::workflow::{self, Party, Step, Workflow};
use crate::entities::{
    academic_years, contributions, observations, school_pairings, schools, secondments,
    summaries as rows, teacher_pairings, teachers, training_weeks, users, visits,
};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

crate::domain::types::word_enum!(column
    /// Which summary: a teacher's (seconded, mentor) or a school's (supporter, receiver).
    Kind as "SummaryKind", "sum-kind", {
        Seconded => "seconded",
        Mentor => "mentor",
        Supporter => "supporter",
        Receiver => "receiver",
    }
);

impl Kind {
    /// A teacher's work summary (else a school's annual summary).
    pub fn is_work(self) -> bool {
        matches!(self, Kind::Seconded | Kind::Mentor)
    }

    /// The sections, in the order they are written: the first seed document's 师德,
    /// 教育教学, 自身素质, the results and what is left for a teacher; the bureau's report
    /// structure for a school.
    pub fn sections(self) -> &'static [&'static str] {
        if self.is_work() {
            &WORK_SECTIONS
        } else {
            &SCHOOL_SECTIONS
        }
    }

    pub const WORK: [Kind; 2] = [Kind::Seconded, Kind::Mentor];
    pub const SCHOOL: [Kind; 2] = [Kind::Supporter, Kind::Receiver];
}

/// 师德, 教育教学, 自身素质, 成效, 不足与打算.
pub const WORK_SECTIONS: [&str; 5] = ["ethics", "teaching", "growth", "results", "remaining"];
/// 基本情况, 主要做法, 取得的实效, 存在的问题, 下一步打算.
pub const SCHOOL_SECTIONS: [&str; 5] = ["overview", "practices", "outcomes", "problems", "plans"];

crate::domain::types::word_enum!(column
    /// Where a summary stands.
    Stage as "SummaryStatus", "sum-status", {
        Draft => "draft",
        Submitted => "submitted",
        Accepted => "accepted",
    }
);

impl Stage {
    /// The status badge's class.
    pub fn css(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Submitted => "warn",
            Stage::Accepted => "on",
        }
    }
}

crate::domain::types::word_enum!(
    /// What someone does to a summary.
    Action, "sum-action", {
        Edit => "edit",
        Submit => "submit",
        Accept => "accept",
        Return => "return",
    }
);

use Party::{Author, Bureau, SchoolAdmin};
use Stage::{Accepted, Draft, Submitted};

const fn step(
    from: &'static [Stage],
    action: Action,
    to: Option<Stage>,
    who: &'static [Party],
) -> Step<Stage, Action> {
    Step {
        from,
        action,
        to,
        who,
    }
}

/// A teacher's work summary: the teacher writes, an administrator of their school receives.
pub struct WorkFlow;

impl Workflow for WorkFlow {
    type Stage = Stage;
    type Action = Action;
    const STEPS: &'static [Step<Stage, Action>] = &[
        step(&[Draft], Action::Edit, None, &[Author]),
        step(&[Draft], Action::Submit, Some(Submitted), &[Author]),
        step(&[Submitted], Action::Accept, Some(Accepted), &[SchoolAdmin]),
        step(&[Submitted], Action::Return, Some(Draft), &[SchoolAdmin]),
    ];
    const WRONG_STAGE: &'static str = "sum-err-stage";
}

/// A school's annual summary: its administrators write, the bureau receives.
pub struct SchoolFlow;

impl Workflow for SchoolFlow {
    type Stage = Stage;
    type Action = Action;
    const STEPS: &'static [Step<Stage, Action>] = &[
        step(&[Draft], Action::Edit, None, &[Author]),
        step(&[Draft], Action::Submit, Some(Submitted), &[Author]),
        step(&[Submitted], Action::Accept, Some(Accepted), &[Bureau]),
        step(&[Submitted], Action::Return, Some(Draft), &[Bureau]),
    ];
    const WRONG_STAGE: &'static str = "sum-err-stage";
}

/// How the actor stands to a summary.
pub fn parties(actor: &Actor, d: &rows::Model) -> Vec<Party> {
    let mut out = Vec::new();
    if actor.is_bureau() {
        out.push(Bureau);
    }
    let school_admin = actor.role == Role::SchoolAdmin && actor.school_id == Some(d.school_id);
    if d.kind.is_work() {
        if actor.role == Role::Teacher
            && actor.teacher_id.is_some()
            && actor.teacher_id == d.teacher_id
        {
            out.push(Author);
        }
        if school_admin {
            out.push(SchoolAdmin);
        }
    } else if school_admin {
        out.push(Author);
    }
    out
}

fn step_for(actor: &Actor, d: &rows::Model, action: Action) -> AppResult<Option<Stage>> {
    let who = parties(actor, d);
    let s = if d.kind.is_work() {
        workflow::step::<WorkFlow>(d.status, action, &who)?
    } else {
        workflow::step::<SchoolFlow>(d.status, action, &who)?
    };
    Ok(s.to)
}

/// What the actor may do to the summary now.
pub fn actions_of(actor: &Actor, d: &rows::Model) -> Vec<Action> {
    let who = parties(actor, d);
    if d.kind.is_work() {
        workflow::allowed_actions::<WorkFlow>(d.status, &who)
    } else {
        workflow::allowed_actions::<SchoolFlow>(d.status, &who)
    }
}

/// 403 or 409 before a body is read, when the action is not possible at all.
pub fn ensure(actor: &Actor, d: &rows::Model, action: Action) -> AppResult<()> {
    step_for(actor, d, action).map(|_| ())
}

/// The longest section and opinion.
pub const MAX_SECTION: usize = 10_000;
pub const MAX_OPINION: usize = 1000;

/// Beginning a summary: the year and the kind.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BeginForm {
    #[serde(deserialize_with = "loose_string")]
    pub academic_year_id: String,
    /// `seconded`, `mentor` (a teacher's), `supporter`, `receiver` (a school's).
    #[serde(deserialize_with = "loose_string")]
    pub kind: String,
}

/// The sections as typed (key → text; keys of other kinds are ignored) and the version
/// the text began from.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TextForm {
    pub sections: BTreeMap<String, String>,
    #[serde(deserialize_with = "loose_string")]
    pub version: String,
}

/// A step's opinion (accept, optional), reason (return) and the version the page showed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepForm {
    #[serde(deserialize_with = "loose_string")]
    pub comment: String,
    #[serde(deserialize_with = "loose_string")]
    pub reason: String,
    #[serde(deserialize_with = "loose_string")]
    pub version: String,
}

/// The sections stored, in the kind's order (blank for one not written yet).
pub fn sections_of(d: &rows::Model) -> Vec<(&'static str, String)> {
    let stored: BTreeMap<String, String> = serde_json::from_str(&d.sections).unwrap_or_default();
    d.kind
        .sections()
        .iter()
        .map(|k| (*k, stored.get(*k).cloned().unwrap_or_default()))
        .collect()
}

/// The kinds open to the actor in a year: a teacher's as seconded (a secondment of the
/// year) or mentor (a published pairing as mentor); a school's as supporter or receiver
/// (a published school pairing of the year on that side).
pub async fn open_kinds(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    year: &academic_years::Model,
) -> AppResult<Vec<Kind>> {
    let mut out = Vec::new();
    match (actor.role, actor.teacher_id, actor.school_id) {
        (Role::Teacher, Some(t), _) => {
            let c = se::contexts(conn, t, year.id).await?;
            if c.secondment.is_some() {
                out.push(Kind::Seconded);
            }
            if c.mentor {
                out.push(Kind::Mentor);
            }
        }
        (Role::SchoolAdmin, _, Some(s)) => {
            for (kind, side) in [
                (Kind::Supporter, school_pairings::Column::SupporterId),
                (Kind::Receiver, school_pairings::Column::ReceiverId),
            ] {
                let n = school_pairings::Entity::find()
                    .filter(side.eq(s))
                    .filter(of_year(&year.name))
                    .count(conn)
                    .await?;
                if n > 0 {
                    out.push(kind);
                }
            }
        }
        _ => {}
    }
    Ok(out)
}

/// Published school pairings running in the year named `year`.
fn of_year(year: &str) -> Condition {
    use school_pairings::Column as P;
    Condition::all()
        .add(P::Status.ne(PairingStatus::Draft))
        .add(P::YearFrom.lte(year))
        .add(P::YearTo.gte(year))
}

/// Whether the actor writes summaries at all: a teacher (work summaries) or a school's
/// admin (its annual ones); 403 otherwise.
pub fn may_begin(actor: &Actor) -> AppResult<()> {
    policy::require_some(actor, Subject::Summary, Act::Manage)?;
    match (actor.role, actor.teacher_id, actor.school_id) {
        (Role::Teacher, Some(_), _) | (Role::SchoolAdmin, _, Some(_)) => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

/// Begins a summary of a year in a kind the data allows (409 `kind` when it exists).
pub async fn begin(db: &impl Conn, actor: &Actor, form: &BeginForm) -> AppResult<rows::Model> {
    may_begin(actor)?;
    let txn = db::begin_write(db).await?;
    let mut errors = FieldErrors::new();
    let year = match form.academic_year_id.trim().parse::<i64>() {
        Ok(id) => academic_years::Entity::find_by_id(id).one(&txn).await?,
        Err(_) => None,
    };
    if year.is_none() {
        errors.add("academic_year_id", Msg::new("err-choose"));
    }
    let kind = Kind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", Msg::new("err-choose"));
    }
    let (Some(year), Some(kind)) = (year, kind) else {
        return Err(AppError::Invalid(errors));
    };
    if !open_kinds(&txn, actor, &year).await?.contains(&kind) {
        return Err(AppError::invalid(
            "kind",
            Msg::new(format!("sum-err-kind-{}", kind.as_str())),
        ));
    }
    let (teacher_id, school_id) = if kind.is_work() {
        let t = actor.teacher_id.ok_or(AppError::Forbidden)?;
        let teacher = teachers::Entity::find_by_id(t)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        (Some(t), teacher.school_id)
    } else {
        (None, actor.school_id.ok_or(AppError::Forbidden)?)
    };
    let mut same = rows::Entity::find()
        .filter(rows::Column::AcademicYearId.eq(year.id))
        .filter(rows::Column::Kind.eq(kind));
    same = match teacher_id {
        Some(t) => same.filter(rows::Column::TeacherId.eq(t)),
        None => same
            .filter(rows::Column::SchoolId.eq(school_id))
            .filter(rows::Column::TeacherId.is_null()),
    };
    if same.count(&txn).await? > 0 {
        return Err(AppError::conflict("kind", "sum-err-exists"));
    }
    let now = Utc::now();
    let row = rows::ActiveModel {
        kind: Set(kind),
        academic_year_id: Set(year.id),
        teacher_id: Set(teacher_id),
        school_id: Set(school_id),
        sections: Set("{}".into()),
        figures: Set(String::new()),
        status: Set(Stage::Draft),
        submitted_at: Set(None),
        submitted_by: Set(None),
        accept_comment: Set(String::new()),
        accepted_by: Set(None),
        accepted_at: Set(None),
        return_reason: Set(String::new()),
        returned_by: Set(None),
        returned_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        // Another request began the same one in the meantime (the unique index).
        if matches!(
            e.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            AppError::conflict("kind", "sum-err-exists")
        } else {
            AppError::Db(e)
        }
    })?;
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "create",
        "summary",
        Some(row.id),
        None,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// One summary the actor may read (others: 404).
pub async fn get(conn: &impl ConnectionTrait, actor: &Actor, id: i64) -> AppResult<rows::Model> {
    rows::Entity::find_by_id(id)
        .filter(scope::visible::<rows::Entity>(actor))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

async fn for_step(conn: &impl ConnectionTrait, actor: &Actor, id: i64) -> AppResult<rows::Model> {
    rows::Entity::find_by_id(id)
        .select_only()
        .column(rows::Column::Id)
        .lock_exclusive()
        .into_tuple::<i64>()
        .one(conn)
        .await?;
    get(conn, actor, id).await
}

fn check_version(given: &str, d: &rows::Model) -> AppResult<()> {
    if given.trim() != d.version.to_string() {
        return Err(AppError::conflict("version", "sum-err-stale"));
    }
    Ok(())
}

/// The kind's sections from the form: each within its length, and (to submit) none blank.
fn texts(
    kind: Kind,
    given: &BTreeMap<String, String>,
    complete: bool,
) -> AppResult<BTreeMap<String, String>> {
    let mut errors = FieldErrors::new();
    let mut out = BTreeMap::new();
    for key in kind.sections() {
        let value = given.get(*key).map(String::as_str).unwrap_or("");
        let r = if complete {
            types::required_text(value, MAX_SECTION)
        } else {
            types::optional_text(value, MAX_SECTION)
        };
        match r {
            Ok(v) => {
                out.insert(key.to_string(), v);
            }
            Err(m) => errors.add(key, m),
        }
    }
    errors.into_result()?;
    Ok(out)
}

/// The author saves the draft (409 `version` when it changed since it was read).
pub async fn save(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &TextForm,
) -> AppResult<rows::Model> {
    let txn = db::begin_write(db).await?;
    let before = for_step(&txn, actor, id).await?;
    step_for(actor, &before, Action::Edit)?;
    check_version(&form.version, &before)?;
    let sections = texts(before.kind, &form.sections, false)?;
    let mut a: rows::ActiveModel = before.clone().into();
    a.sections = Set(serde_json::to_string(&sections)?);
    a.version = Set(before.version + 1);
    a.updated_at = Set(Utc::now());
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        "update",
        "summary",
        Some(id),
        Some(&before),
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Takes a step: submit (every section written; the figures kept as they stand), accept
/// (an optional remark) or return (a reason). 403 for who never may, 409 `status` in
/// another stage, 409 `version` when it changed since the page was read.
pub async fn act(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    action: Action,
    form: &StepForm,
    site: &Site,
) -> AppResult<rows::Model> {
    if action == Action::Edit {
        return Err(AppError::bad_request("error-400-text"));
    }
    let txn = db::begin_write(db).await?;
    let before = for_step(&txn, actor, id).await?;
    let to = step_for(actor, &before, action)?.unwrap_or(before.status);
    check_version(&form.version, &before)?;
    let now = Utc::now();
    let mut a: rows::ActiveModel = before.clone().into();
    match action {
        Action::Submit => {
            let stored: BTreeMap<String, String> =
                serde_json::from_str(&before.sections).unwrap_or_default();
            texts(before.kind, &stored, true)?;
            let f = figures(&txn, &before).await?;
            a.figures = Set(serde_json::to_string(&f)?);
            a.submitted_at = Set(Some(now));
            a.submitted_by = Set(Some(actor.user_id));
            a.return_reason = Set(String::new());
        }
        Action::Accept => {
            a.accept_comment = Set(types::optional_text(&form.comment, MAX_OPINION)
                .map_err(|m| AppError::invalid("comment", m))?);
            a.accepted_by = Set(Some(actor.user_id));
            a.accepted_at = Set(Some(now));
        }
        Action::Return => {
            a.return_reason = Set(types::required_text(&form.reason, MAX_OPINION)
                .map_err(|m| AppError::invalid("reason", m))?);
            a.returned_by = Set(Some(actor.user_id));
            a.returned_at = Set(Some(now));
            a.submitted_at = Set(None);
            a.submitted_by = Set(None);
            a.figures = Set(String::new());
        }
        Action::Edit => {}
    }
    a.status = Set(to);
    a.version = Set(before.version + 1);
    a.updated_at = Set(now);
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        action.as_str(),
        "summary",
        Some(id),
        Some(&before),
        Some(&row),
    )
    .await?;
    tell_next(&txn, &row, action, site).await?;
    txn.commit().await?;
    Ok(row)
}

/// Who wrote it, for people: the teacher's name, or the school's.
async fn author_name(conn: &impl ConnectionTrait, d: &rows::Model) -> AppResult<String> {
    Ok(match d.teacher_id {
        Some(t) => crate::domain::names::teachers(conn, [t]).await?.remove(&t),
        None => crate::domain::names::schools(conn, [d.school_id])
            .await?
            .remove(&d.school_id),
    }
    .unwrap_or_default())
}

/// Tells the receiver when it is submitted, the author when it is accepted or returned.
async fn tell_next(
    conn: &impl ConnectionTrait,
    d: &rows::Model,
    action: Action,
    site: &Site,
) -> AppResult<()> {
    let kind = match action {
        Action::Submit => "sum-waiting",
        Action::Accept => "sum-accepted",
        Action::Return => "sum-returned",
        Action::Edit => return Ok(()),
    };
    let notice = Notice::new(kind, format!("/summaries/{}", d.id))
        .arg("author", author_name(conn, d).await?)
        .arg("kind", d.kind.as_str())
        .arg("reason", &d.return_reason);
    match (action, d.teacher_id) {
        (Action::Submit, Some(_)) => {
            notifications::notify_school_admins(conn, d.school_id, &notice, site).await?;
        }
        (Action::Submit, None) => notifications::notify_bureau(conn, &notice, site).await?,
        (_, Some(t)) => {
            let user = users::Entity::find()
                .filter(users::Column::TeacherId.eq(t))
                .one(conn)
                .await?;
            if let Some(u) = user {
                notifications::notify(conn, &u, &notice, site).await?;
            }
        }
        (_, None) => {
            notifications::notify_school_admins(conn, d.school_id, &notice, site).await?;
        }
    }
    Ok(())
}

/// A count by a word (a batch number, a visit kind).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Count {
    pub key: String,
    pub n: i64,
}

/// A school's figures of the year on one side of its school pairings, each a direct count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SchoolFigures {
    /// Published school pairings of the year on this side.
    pub school_pairings: i64,
    /// Published teacher pairings of the year within them.
    pub teacher_pairings: i64,
    /// Teachers seconded in the year: sent (supporter) or received (receiver).
    pub teachers_seconded: i64,
    /// Secondment person-times of the year by batch (`key` the batch number).
    pub person_times: Vec<Count>,
    /// Observations within the year in those teacher pairings.
    pub observations: i64,
    /// Exchange visits of the year in those school pairings, by kind.
    pub visits: Vec<Count>,
    /// Training weeks of the year attended in those school pairings.
    pub training_weeks_attended: i64,
    /// Support confirmed by the receiving side, in fen: given (supporter) or received.
    pub support_confirmed_fen: i64,
    /// Support recorded and not yet confirmed, in fen.
    pub support_waiting_fen: i64,
}

/// The figures a summary shows: a teacher's own, or a school's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Figures {
    School(SchoolFigures),
    Teacher(se::Figures),
}

/// The figures of the summary's author and year as they stand now.
pub async fn figures(conn: &impl ConnectionTrait, d: &rows::Model) -> AppResult<Figures> {
    let year = academic_years::Entity::find_by_id(d.academic_year_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(match d.teacher_id {
        Some(t) => Figures::Teacher(se::figures_of(conn, t, &year).await?),
        None => Figures::School(school_figures(conn, d.school_id, d.kind, &year).await?),
    })
}

/// The figures a page shows: those kept at submission, else as they stand now.
pub async fn shown_figures(conn: &impl ConnectionTrait, d: &rows::Model) -> AppResult<Figures> {
    if !d.figures.is_empty()
        && let Ok(f) = serde_json::from_str::<Figures>(&d.figures)
    {
        return Ok(f);
    }
    figures(conn, d).await
}

/// A school's figures of `year` as `kind` (supporter or receiver); nine queries.
pub async fn school_figures(
    conn: &impl ConnectionTrait,
    school: i64,
    kind: Kind,
    year: &academic_years::Model,
) -> AppResult<SchoolFigures> {
    use school_pairings::Column as P;
    let supporter = kind == Kind::Supporter;
    let side = if supporter {
        P::SupporterId
    } else {
        P::ReceiverId
    };
    let pairings = Query::select()
        .column(P::Id)
        .from(school_pairings::Entity)
        .cond_where(of_year(&year.name).add(side.eq(school)))
        .to_owned();
    let teacher_pairings = Query::select()
        .column(teacher_pairings::Column::Id)
        .from(teacher_pairings::Entity)
        .and_where(teacher_pairings::Column::SchoolPairingId.in_subquery(pairings.clone()))
        .and_where(teacher_pairings::Column::AcademicYearId.eq(year.id))
        .and_where(teacher_pairings::Column::Status.ne(PairingStatus::Draft))
        .to_owned();
    let seconded_side = if supporter {
        secondments::Column::FromSchoolId
    } else {
        secondments::Column::ToSchoolId
    };
    let batches: Vec<(i32, i64)> = secondments::Entity::find()
        .select_only()
        .column(secondments::Column::Batch)
        .column_as(secondments::Column::Id.count(), "n")
        .filter(seconded_side.eq(school))
        .filter(secondments::Column::AcademicYearId.eq(year.id))
        .group_by(secondments::Column::Batch)
        .order_by_asc(secondments::Column::Batch)
        .into_tuple()
        .all(conn)
        .await?;
    let teachers_seconded: Option<i64> = secondments::Entity::find()
        .select_only()
        .column_as(
            sea_orm::sea_query::Expr::from(sea_orm::sea_query::Func::count_distinct(
                sea_orm::sea_query::Expr::col(secondments::Column::TeacherId),
            )),
            "n",
        )
        .filter(seconded_side.eq(school))
        .filter(secondments::Column::AcademicYearId.eq(year.id))
        .into_tuple()
        .one(conn)
        .await?;
    let visit_rows: Vec<(VisitKind, i64)> = visits::Entity::find()
        .select_only()
        .column(visits::Column::Kind)
        .column_as(visits::Column::Id.count(), "n")
        .filter(visits::Column::SchoolPairingId.in_subquery(pairings.clone()))
        .filter(visits::Column::StartsOn.between(year.starts_on, year.ends_on))
        .group_by(visits::Column::Kind)
        .into_tuple()
        .all(conn)
        .await?;
    let by_kind: HashMap<VisitKind, i64> = visit_rows.into_iter().collect();
    let money_side = if supporter {
        contributions::Column::GiverSchoolId
    } else {
        contributions::Column::ReceiverSchoolId
    };
    let ledger: Vec<(LedgerStatus, Option<i64>)> = contributions::Entity::find()
        .select_only()
        .column(contributions::Column::Status)
        .column_as(
            sea_orm::sea_query::Expr::expr(sea_orm::sea_query::Func::cast_as(
                sea_orm::sea_query::Func::sum(sea_orm::sea_query::Expr::col(
                    contributions::Column::ValueFen,
                )),
                "BIGINT",
            )),
            "fen",
        )
        .filter(contributions::Column::SchoolPairingId.in_subquery(pairings.clone()))
        .filter(money_side.eq(school))
        .filter(contributions::Column::GivenOn.between(year.starts_on, year.ends_on))
        .group_by(contributions::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let fen = |s: LedgerStatus| {
        ledger
            .iter()
            .filter(|(st, _)| *st == s)
            .filter_map(|(_, f)| *f)
            .sum::<i64>()
    };
    Ok(SchoolFigures {
        school_pairings: school_pairings::Entity::find()
            .filter(of_year(&year.name).add(side.eq(school)))
            .count(conn)
            .await? as i64,
        teacher_pairings: teacher_pairings::Entity::find()
            .filter(teacher_pairings::Column::Id.in_subquery(teacher_pairings.clone()))
            .count(conn)
            .await? as i64,
        teachers_seconded: teachers_seconded.unwrap_or(0),
        person_times: batches
            .into_iter()
            .map(|(b, n)| Count {
                key: b.to_string(),
                n,
            })
            .collect(),
        observations: observations::Entity::find()
            .filter(observations::Column::TeacherPairingId.in_subquery(teacher_pairings))
            .filter(observations::Column::ObservedOn.between(year.starts_on, year.ends_on))
            .count(conn)
            .await? as i64,
        visits: VisitKind::ALL
            .iter()
            .map(|k| Count {
                key: k.as_str().to_string(),
                n: by_kind.get(k).copied().unwrap_or(0),
            })
            .collect(),
        training_weeks_attended: training_weeks::Entity::find()
            .filter(training_weeks::Column::SchoolPairingId.in_subquery(pairings))
            .filter(training_weeks::Column::AcademicYearId.eq(year.id))
            .filter(training_weeks::Column::Status.eq(WeekStatus::Attended))
            .count(conn)
            .await? as i64,
        support_confirmed_fen: fen(LedgerStatus::Confirmed),
        support_waiting_fen: fen(LedgerStatus::Recorded),
    })
}

/// What the list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub academic_year_id: Option<i64>,
    pub status: Option<Stage>,
    pub kind: Option<Kind>,
    /// Only teachers' work summaries (`Some(true)`) or only schools' (`Some(false)`).
    pub work: Option<bool>,
    pub school_id: Option<i64>,
    pub district: String,
}

fn condition(actor: &Actor, f: &Filter) -> Condition {
    use rows::Column as C;
    let mut c = Condition::all().add(scope::visible::<rows::Entity>(actor));
    if let Some(y) = f.academic_year_id {
        c = c.add(C::AcademicYearId.eq(y));
    }
    if let Some(s) = f.status {
        c = c.add(C::Status.eq(s));
    }
    if let Some(k) = f.kind {
        c = c.add(C::Kind.eq(k));
    }
    match f.work {
        Some(true) => c = c.add(C::TeacherId.is_not_null()),
        Some(false) => c = c.add(C::TeacherId.is_null()),
        None => {}
    }
    if let Some(s) = f.school_id {
        c = c.add(C::SchoolId.eq(s));
    }
    if !f.district.trim().is_empty() {
        c = c.add(
            C::SchoolId.in_subquery(
                Query::select()
                    .column(schools::Column::Id)
                    .from(schools::Entity)
                    .and_where(schools::Column::District.eq(f.district.trim()))
                    .to_owned(),
            ),
        );
    }
    c
}

/// One page of summaries, newest first.
pub async fn list(
    db: &impl Conn,
    actor: &Actor,
    filter: &Filter,
    page: PageRequest,
) -> AppResult<Paged<rows::Model>> {
    policy::require_some(actor, Subject::Summary, Act::List)?;
    let select = rows::Entity::find()
        .filter(condition(actor, filter))
        .order_by_desc(rows::Column::Id);
    paging::fetch(db, select, page).await
}

/// A summary with the names people read and what the viewer may do.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub row: rows::Model,
    /// The teacher's name (work summaries); empty for a school's.
    pub teacher: String,
    pub school: String,
    pub actions: Vec<Action>,
}

impl Row {
    pub fn may(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a.as_str() == action)
    }
}

/// Summaries with names: two queries for any number.
pub async fn with_names(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    list: Vec<rows::Model>,
) -> AppResult<Vec<Row>> {
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let schools = crate::domain::names::schools(conn, list.iter().map(|r| r.school_id)).await?;
    let people =
        crate::domain::names::teachers(conn, list.iter().filter_map(|r| r.teacher_id)).await?;
    Ok(list
        .into_iter()
        .map(|r| Row {
            teacher: r
                .teacher_id
                .and_then(|t| people.get(&t).cloned())
                .unwrap_or_default(),
            school: schools.get(&r.school_id).cloned().unwrap_or_default(),
            actions: actions_of(actor, &r),
            row: r,
        })
        .collect())
}

/// A page of summaries with names.
pub async fn list_rows(
    db: &impl Conn,
    actor: &Actor,
    filter: &Filter,
    page: PageRequest,
) -> AppResult<Paged<Row>> {
    let mut paged = list(db, actor, filter, page).await?;
    let items = std::mem::take(&mut paged.items);
    let items = with_names(db, actor, items).await?;
    Ok(paged.with_items(items))
}

/// One figure as a page or a printed form shows it.
#[derive(Debug, Clone)]
pub struct FigureLine {
    pub label: Msg,
    pub value: String,
    /// A sum of money (shown smaller, on a wider tile).
    pub money: bool,
}

fn count_line(label: Msg, n: i64) -> FigureLine {
    FigureLine {
        label,
        value: n.to_string(),
        money: false,
    }
}

fn money_line(key: &str, fen: i64) -> FigureLine {
    FigureLine {
        label: Msg::new(key),
        value: crate::domain::money::format_yuan(fen),
        money: true,
    }
}

/// The figures as lines for a page or a printed form.
pub fn figure_lines(f: &Figures) -> Vec<FigureLine> {
    let line = |k: &str, v: i64| count_line(Msg::new(format!("sum-fig-{k}")), v);
    match f {
        Figures::Teacher(t) => vec![
            line("pairings_as_mentor", t.pairings_as_mentor),
            line("pairings_as_mentee", t.pairings_as_mentee),
            line("observations_given", t.observations_given),
            line("observations_received", t.observations_received),
            line("reflections", t.reflections),
            line("visits", t.visits),
            FigureLine {
                label: Msg::new("sum-fig-training_weeks"),
                value: format!("{} / {}", t.training_weeks_attended, t.training_weeks),
                money: false,
            },
        ],
        Figures::School(s) => {
            let mut out = vec![
                line("school_pairings", s.school_pairings),
                line("teacher_pairings", s.teacher_pairings),
                line("teachers_seconded", s.teachers_seconded),
            ];
            out.extend(
                s.person_times
                    .iter()
                    .map(|c| count_line(Msg::new("sum-fig-batch").arg("batch", &c.key), c.n)),
            );
            out.push(line("observations", s.observations));
            out.extend(
                s.visits
                    .iter()
                    .map(|c| count_line(Msg::new(format!("visit-kind-{}", c.key)), c.n)),
            );
            out.push(line("training_weeks_attended", s.training_weeks_attended));
            out.push(money_line(
                "sum-fig-support_confirmed",
                s.support_confirmed_fen,
            ));
            out.push(money_line("sum-fig-support_waiting", s.support_waiting_fen));
            out
        }
    }
}
