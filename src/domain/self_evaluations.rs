//! Self-evaluations (自我鉴定 / 个人帮扶工作总结, SPEC.md): one per teacher and academic year,
//! in one context (mentor, mentee, seconded), with the four sections 师德表现, 教育教学,
//! 帮扶成效, 不足与改进 and a proposed grade, beside the teacher's own figures of the year.
//!
//! The seed's way — 写出自我鉴定，参与受援学校教职工年度考核，经派出学校签署意见，报教育局支教办公室核定 —
//! is the transition table: `draft → submitted → appraised` (the school where the teacher
//! worked this year) `→ signed` (the dispatching school; only for a seconded teacher)
//! `→ verified` (the bureau, with the final grade) `→ acknowledged` (the teacher has seen
//! the result). Whoever's turn it is may instead return it one step back with a reason. A
//! submitted document is locked for its author until it comes back; every save carries the
//! version it began from; every step is audited and tells the next actor.
use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
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
use crate::domain::notifications::{self, Notice};
use crate::domain::paging::{self, PageRequest, Paged};
use crate::domain::training::WeekStatus;
use crate::domain::types::{self, PairingStatus, Role, de::loose_string};
use crate::domain::workflow::{self, Party, Step, Workflow};
use crate::entities::{
    academic_years, observations, reflections, secondments, self_evaluations as rows,
    teacher_pairings, teachers, training_weeks, users, visit_teachers, visits,
};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

crate::domain::types::word_enum!(column
    /// In which role the teacher writes: as a mentor, as a mentee, or as a seconded teacher.
    Context as "SelfEvaluationContext", "se-context", {
        Mentor => "mentor",
        Mentee => "mentee",
        Seconded => "seconded",
    }
);

crate::domain::types::word_enum!(column
    /// 优秀 / 合格 / 基本合格 / 不合格
    Grade as "Grade", "se-grade", {
        Excellent => "excellent",
        Competent => "competent",
        BasicallyCompetent => "basically_competent",
        Incompetent => "incompetent",
    }
);

crate::domain::types::word_enum!(column
    /// Where the document stands.
    Stage as "SelfEvaluationStatus", "se-status", {
        Draft => "draft",
        Submitted => "submitted",
        Appraised => "appraised",
        Signed => "signed",
        Verified => "verified",
        Acknowledged => "acknowledged",
    }
);

impl Stage {
    /// The status badge's class.
    pub fn css(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Verified | Stage::Acknowledged => "on",
            _ => "warn",
        }
    }
}

crate::domain::types::word_enum!(
    /// What someone does to a self-evaluation.
    Action, "se-action", {
        Edit => "edit",
        Submit => "submit",
        Appraise => "appraise",
        Sign => "sign",
        Verify => "verify",
        Acknowledge => "acknowledge",
        Return => "return",
    }
);

/// The steps of a seconded teacher's self-evaluation (see `docs/workflow.md`).
pub struct SecondedFlow;

/// The steps when the teacher was not seconded: no dispatching school signs.
pub struct LocalFlow;

use Party::{Appraiser, Author, Bureau, Signer};
use Stage::{Acknowledged, Appraised, Draft, Signed, Submitted, Verified};

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

impl Workflow for SecondedFlow {
    type Stage = Stage;
    type Action = Action;
    const STEPS: &'static [Step<Stage, Action>] = &[
        step(&[Draft], Action::Edit, None, &[Author]),
        step(&[Draft], Action::Submit, Some(Submitted), &[Author]),
        step(
            &[Submitted],
            Action::Appraise,
            Some(Appraised),
            &[Appraiser],
        ),
        step(&[Submitted], Action::Return, Some(Draft), &[Appraiser]),
        step(&[Appraised], Action::Sign, Some(Signed), &[Signer]),
        step(&[Appraised], Action::Return, Some(Submitted), &[Signer]),
        step(&[Signed], Action::Verify, Some(Verified), &[Bureau]),
        step(&[Signed], Action::Return, Some(Appraised), &[Bureau]),
        step(
            &[Verified],
            Action::Acknowledge,
            Some(Acknowledged),
            &[Author],
        ),
    ];
    const WRONG_STAGE: &'static str = "se-err-stage";
}

impl Workflow for LocalFlow {
    type Stage = Stage;
    type Action = Action;
    const STEPS: &'static [Step<Stage, Action>] = &[
        step(&[Draft], Action::Edit, None, &[Author]),
        step(&[Draft], Action::Submit, Some(Submitted), &[Author]),
        step(
            &[Submitted],
            Action::Appraise,
            Some(Appraised),
            &[Appraiser],
        ),
        step(&[Submitted], Action::Return, Some(Draft), &[Appraiser]),
        step(&[Appraised], Action::Verify, Some(Verified), &[Bureau]),
        step(&[Appraised], Action::Return, Some(Submitted), &[Bureau]),
        step(
            &[Verified],
            Action::Acknowledge,
            Some(Acknowledged),
            &[Author],
        ),
    ];
    const WRONG_STAGE: &'static str = "se-err-stage";
}

/// Whether the document goes through the dispatching school's signature.
pub fn is_seconded(d: &rows::Model) -> bool {
    d.signer_school_id.is_some()
}

/// How the actor stands to a document.
pub fn parties(actor: &Actor, d: &rows::Model) -> Vec<Party> {
    let mut out = Vec::new();
    if actor.is_bureau() {
        out.push(Bureau);
    }
    if actor.role == Role::Teacher && actor.teacher_id == Some(d.teacher_id) {
        out.push(Author);
    }
    if actor.role == Role::SchoolAdmin {
        if actor.school_id == Some(d.appraiser_school_id) {
            out.push(Appraiser);
        }
        if actor.school_id.is_some() && actor.school_id == d.signer_school_id {
            out.push(Signer);
        }
    }
    out
}

/// The step `action` takes now, by the document's own table (403, or 409 `status`).
fn step_for(actor: &Actor, d: &rows::Model, action: Action) -> AppResult<Option<Stage>> {
    let who = parties(actor, d);
    let s = if is_seconded(d) {
        workflow::step::<SecondedFlow>(d.status, action, &who)?
    } else {
        workflow::step::<LocalFlow>(d.status, action, &who)?
    };
    Ok(s.to)
}

/// What the actor may do to the document now.
pub fn actions_of(actor: &Actor, d: &rows::Model) -> Vec<Action> {
    let who = parties(actor, d);
    if is_seconded(d) {
        workflow::allowed_actions::<SecondedFlow>(d.status, &who)
    } else {
        workflow::allowed_actions::<LocalFlow>(d.status, &who)
    }
}

/// The longest section, opinion and reason.
pub const MAX_SECTION: usize = 5000;
pub const MAX_OPINION: usize = 1000;

/// Beginning a self-evaluation: the year and the context.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BeginForm {
    #[serde(deserialize_with = "loose_string")]
    pub academic_year_id: String,
    /// `mentor`, `mentee` or `seconded`.
    #[serde(deserialize_with = "loose_string")]
    pub context: String,
}

/// The author's text: the four sections, the proposed grade, the version it began from.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SectionsForm {
    #[serde(deserialize_with = "loose_string")]
    pub ethics: String,
    #[serde(deserialize_with = "loose_string")]
    pub teaching: String,
    #[serde(deserialize_with = "loose_string")]
    pub results: String,
    #[serde(deserialize_with = "loose_string")]
    pub improvement: String,
    #[serde(deserialize_with = "loose_string")]
    pub proposed_grade: String,
    #[serde(deserialize_with = "loose_string")]
    pub version: String,
}

/// What a step takes: a grade (appraise, verify), an opinion (appraise, sign, verify), a
/// reason (return), and the version the page showed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepForm {
    #[serde(deserialize_with = "loose_string")]
    pub grade: String,
    #[serde(deserialize_with = "loose_string")]
    pub comment: String,
    #[serde(deserialize_with = "loose_string")]
    pub reason: String,
    #[serde(deserialize_with = "loose_string")]
    pub version: String,
}

/// The contexts open to a teacher in a year: mentor or mentee of a published teacher
/// pairing of the year, seconded when a secondment of the year exists (its id).
#[derive(Debug, Clone, Default)]
pub struct Contexts {
    pub mentor: bool,
    pub mentee: bool,
    pub secondment: Option<secondments::Model>,
}

impl Contexts {
    pub fn allows(&self, c: Context) -> bool {
        match c {
            Context::Mentor => self.mentor,
            Context::Mentee => self.mentee,
            Context::Seconded => self.secondment.is_some(),
        }
    }

    pub fn open(&self) -> Vec<Context> {
        Context::ALL
            .iter()
            .copied()
            .filter(|c| self.allows(*c))
            .collect()
    }
}

/// The contexts open to `teacher` in `year` (three queries).
pub async fn contexts(conn: &impl ConnectionTrait, teacher: i64, year: i64) -> AppResult<Contexts> {
    use teacher_pairings::Column as T;
    let published = || {
        teacher_pairings::Entity::find()
            .filter(T::AcademicYearId.eq(year))
            .filter(T::Status.ne(PairingStatus::Draft))
    };
    Ok(Contexts {
        mentor: published()
            .filter(T::MentorId.eq(teacher))
            .count(conn)
            .await?
            > 0,
        mentee: published()
            .filter(T::MenteeId.eq(teacher))
            .count(conn)
            .await?
            > 0,
        secondment: secondments::Entity::find()
            .filter(secondments::Column::TeacherId.eq(teacher))
            .filter(secondments::Column::AcademicYearId.eq(year))
            .order_by_desc(secondments::Column::StartsOn)
            .one(conn)
            .await?,
    })
}

/// The actor's teacher id when the actor writes self-evaluations at all (a teacher's
/// account); 403 otherwise.
pub fn may_begin(actor: &Actor) -> AppResult<i64> {
    policy::require_some(actor, Subject::SelfEvaluation, Act::Manage)?;
    match (actor.role, actor.teacher_id) {
        (Role::Teacher, Some(t)) => Ok(t),
        _ => Err(AppError::Forbidden),
    }
}

/// A teacher begins the year's self-evaluation: a draft in the context chosen, its
/// appraising and signing schools fixed from the data (409 `academic_year_id` when one
/// exists already).
pub async fn begin(db: &impl Conn, actor: &Actor, form: &BeginForm) -> AppResult<rows::Model> {
    let teacher_id = may_begin(actor)?;
    let txn = db::begin_write(db).await?;
    let mut errors = FieldErrors::new();
    let year = match form.academic_year_id.trim().parse::<i64>() {
        Ok(id) => academic_years::Entity::find_by_id(id).one(&txn).await?,
        Err(_) => None,
    };
    if year.is_none() {
        errors.add("academic_year_id", Msg::new("err-choose"));
    }
    let context = Context::parse(&form.context);
    if context.is_none() {
        errors.add("context", Msg::new("err-choose"));
    }
    let (Some(year), Some(context)) = (year, context) else {
        return Err(AppError::Invalid(errors));
    };
    let teacher = teachers::Entity::find_by_id(teacher_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let open = contexts(&txn, teacher_id, year.id).await?;
    if !open.allows(context) {
        return Err(AppError::invalid(
            "context",
            Msg::new(format!("se-err-context-{}", context.as_str())),
        ));
    }
    let exists = rows::Entity::find()
        .filter(rows::Column::TeacherId.eq(teacher_id))
        .filter(rows::Column::AcademicYearId.eq(year.id))
        .count(&txn)
        .await?;
    if exists > 0 {
        return Err(AppError::conflict("academic_year_id", "se-err-exists"));
    }
    let (appraiser, signer, secondment) = match (context, &open.secondment) {
        (Context::Seconded, Some(s)) => (s.to_school_id, Some(s.from_school_id), Some(s.id)),
        _ => (teacher.school_id, None, None),
    };
    let now = Utc::now();
    let row = rows::ActiveModel {
        teacher_id: Set(teacher_id),
        academic_year_id: Set(year.id),
        context: Set(context),
        school_id: Set(teacher.school_id),
        appraiser_school_id: Set(appraiser),
        signer_school_id: Set(signer),
        secondment_id: Set(secondment),
        ethics: Set(String::new()),
        teaching: Set(String::new()),
        results: Set(String::new()),
        improvement: Set(String::new()),
        proposed_grade: Set(None),
        figures: Set(String::new()),
        status: Set(Stage::Draft),
        submitted_at: Set(None),
        appraisal_grade: Set(None),
        appraisal_comment: Set(String::new()),
        appraised_by: Set(None),
        appraised_at: Set(None),
        sign_comment: Set(String::new()),
        signed_by: Set(None),
        signed_at: Set(None),
        final_grade: Set(None),
        verify_comment: Set(String::new()),
        verified_by: Set(None),
        verified_at: Set(None),
        acknowledged_at: Set(None),
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
            AppError::conflict("academic_year_id", "se-err-exists")
        } else {
            AppError::Db(e)
        }
    })?;
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "create",
        "self_evaluation",
        Some(row.id),
        None,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// One document the actor may read (others: 404).
pub async fn get(conn: &impl ConnectionTrait, actor: &Actor, id: i64) -> AppResult<rows::Model> {
    rows::Entity::find_by_id(id)
        .filter(scope::visible::<rows::Entity>(actor))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// 403 or 409 before a body is read, when the action is not possible at all.
pub fn ensure(actor: &Actor, d: &rows::Model, action: Action) -> AppResult<()> {
    step_for(actor, d, action).map(|_| ())
}

/// The row, locked for the step, as the actor may see it.
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
        return Err(AppError::conflict("version", "se-err-stale"));
    }
    Ok(())
}

/// The author saves the draft (409 `version` when it changed since it was read).
pub async fn save(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &SectionsForm,
) -> AppResult<rows::Model> {
    let txn = db::begin_write(db).await?;
    let before = for_step(&txn, actor, id).await?;
    step_for(actor, &before, Action::Edit)?;
    check_version(&form.version, &before)?;
    let v = sections(form, false)?;
    let mut a: rows::ActiveModel = before.clone().into();
    a.ethics = Set(v.0);
    a.teaching = Set(v.1);
    a.results = Set(v.2);
    a.improvement = Set(v.3);
    a.proposed_grade = Set(v.4);
    a.version = Set(before.version + 1);
    a.updated_at = Set(Utc::now());
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        "update",
        "self_evaluation",
        Some(id),
        Some(&before),
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

type Sections = (String, String, String, String, Option<Grade>);

/// The sections as typed: each within its length, and (to submit) none blank and a grade
/// proposed.
fn sections(form: &SectionsForm, complete: bool) -> AppResult<Sections> {
    let mut errors = FieldErrors::new();
    let mut text = |field: &str, value: &str| {
        let r = if complete {
            types::required_text(value, MAX_SECTION)
        } else {
            types::optional_text(value, MAX_SECTION)
        };
        r.unwrap_or_else(|m| {
            errors.add(field, m);
            String::new()
        })
    };
    let ethics = text("ethics", &form.ethics);
    let teaching = text("teaching", &form.teaching);
    let results = text("results", &form.results);
    let improvement = text("improvement", &form.improvement);
    let grade = Grade::parse(&form.proposed_grade);
    if grade.is_none() && (complete || !form.proposed_grade.trim().is_empty()) {
        errors.add("proposed_grade", Msg::new("err-choose"));
    }
    errors.into_result()?;
    Ok((ethics, teaching, results, improvement, grade))
}

/// Takes a step: submit (the saved sections complete; the figures are kept as they stand),
/// appraise (grade and opinion), sign (opinion), verify (final grade, optional remark),
/// acknowledge, or return one step back (reason). 403 for who never may, 409 `status` in
/// another stage, 409 `version` when the document changed since the page was read.
pub async fn act(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    action: Action,
    form: &StepForm,
    site: &Site,
) -> AppResult<rows::Model> {
    let txn = db::begin_write(db).await?;
    let row = apply(&txn, actor, id, action, form, site).await?;
    txn.commit().await?;
    Ok(row)
}

/// Whether the actor is ever one who verifies (the bulk form and its answer).
pub fn may_verify(actor: &Actor) -> bool {
    let who: &[Party] = if actor.is_bureau() { &[Bureau] } else { &[] };
    workflow::may_ever::<SecondedFlow>(Action::Verify, who)
        || workflow::may_ever::<LocalFlow>(Action::Verify, who)
}

/// The most documents one bulk verification takes.
pub const MAX_BULK: usize = 200;

/// The bureau verifies several documents with one final grade, all or none: each must be
/// at the verification step with the version the list showed (`(id, version)` pairs).
/// The first refusal is the answer and nothing is verified.
pub async fn verify_many(
    db: &impl Conn,
    actor: &Actor,
    picks: &[(i64, i32)],
    grade: &str,
    site: &Site,
) -> AppResult<usize> {
    if !may_verify(actor) {
        return Err(AppError::Forbidden);
    }
    if picks.is_empty() {
        return Err(AppError::invalid("pick", Msg::new("se-err-pick")));
    }
    if picks.len() > MAX_BULK {
        return Err(AppError::invalid(
            "pick",
            Msg::new("se-err-pick-many").arg("max", MAX_BULK),
        ));
    }
    let txn = db::begin_write(db).await?;
    for (id, version) in picks {
        let form = StepForm {
            grade: grade.to_string(),
            version: version.to_string(),
            ..Default::default()
        };
        apply(&txn, actor, *id, Action::Verify, &form, site).await?;
    }
    txn.commit().await?;
    Ok(picks.len())
}

/// One step inside the caller's transaction (see `act`).
async fn apply(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    action: Action,
    form: &StepForm,
    site: &Site,
) -> AppResult<rows::Model> {
    if action == Action::Edit {
        return Err(AppError::bad_request("error-400-text"));
    }
    let before = for_step(txn, actor, id).await?;
    let to = step_for(actor, &before, action)?.unwrap_or(before.status);
    check_version(&form.version, &before)?;
    let now = Utc::now();
    let mut a: rows::ActiveModel = before.clone().into();
    let opinion = |required: bool| {
        if required {
            types::required_text(&form.comment, MAX_OPINION)
        } else {
            types::optional_text(&form.comment, MAX_OPINION)
        }
        .map_err(|m| AppError::invalid("comment", m))
    };
    let grade = || {
        Grade::parse(&form.grade).ok_or_else(|| AppError::invalid("grade", Msg::new("err-choose")))
    };
    match action {
        Action::Submit => {
            let complete = SectionsForm {
                ethics: before.ethics.clone(),
                teaching: before.teaching.clone(),
                results: before.results.clone(),
                improvement: before.improvement.clone(),
                proposed_grade: before
                    .proposed_grade
                    .map(|g| g.as_str().to_string())
                    .unwrap_or_default(),
                version: String::new(),
            };
            sections(&complete, true)?;
            let f = figures(txn, &before).await?;
            a.figures = Set(serde_json::to_string(&f)?);
            a.submitted_at = Set(Some(now));
        }
        Action::Appraise => {
            let g = grade();
            let c = opinion(true);
            let (g, c) = both(g, c)?;
            a.appraisal_grade = Set(Some(g));
            a.appraisal_comment = Set(c);
            a.appraised_by = Set(Some(actor.user_id));
            a.appraised_at = Set(Some(now));
        }
        Action::Sign => {
            a.sign_comment = Set(opinion(true)?);
            a.signed_by = Set(Some(actor.user_id));
            a.signed_at = Set(Some(now));
        }
        Action::Verify => {
            let g = grade();
            let c = opinion(false);
            let (g, c) = both(g, c)?;
            a.final_grade = Set(Some(g));
            a.verify_comment = Set(c);
            a.verified_by = Set(Some(actor.user_id));
            a.verified_at = Set(Some(now));
        }
        Action::Acknowledge => {
            a.acknowledged_at = Set(Some(now));
        }
        Action::Return => {
            let reason = types::required_text(&form.reason, MAX_OPINION)
                .map_err(|m| AppError::invalid("reason", m))?;
            a.return_reason = Set(reason);
            a.returned_by = Set(Some(actor.user_id));
            a.returned_at = Set(Some(now));
            // The opinion of the step it goes back past no longer stands.
            match to {
                Draft => {
                    a.submitted_at = Set(None);
                    a.figures = Set(String::new());
                }
                Submitted => {
                    a.appraisal_grade = Set(None);
                    a.appraisal_comment = Set(String::new());
                    a.appraised_by = Set(None);
                    a.appraised_at = Set(None);
                }
                Appraised => {
                    a.sign_comment = Set(String::new());
                    a.signed_by = Set(None);
                    a.signed_at = Set(None);
                }
                _ => {}
            }
        }
        Action::Edit => {}
    }
    if action != Action::Return {
        a.return_reason = Set(String::new());
    }
    a.status = Set(to);
    a.version = Set(before.version + 1);
    a.updated_at = Set(now);
    let row = a.update(txn).await?;
    audit::record(
        txn,
        Some(actor),
        action.as_str(),
        "self_evaluation",
        Some(id),
        Some(&before),
        Some(&row),
    )
    .await?;
    tell_next(txn, &row, action, site).await?;
    Ok(row)
}

/// Both results, or every field error of the two.
fn both<A, B>(a: AppResult<A>, b: AppResult<B>) -> AppResult<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(AppError::Invalid(mut x)), Err(AppError::Invalid(y))) => {
            x.absorb(y);
            Err(AppError::Invalid(x))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Tells whoever acts next: the appraising school when it is submitted (or returned to
/// it), the signing school when appraised (or returned to it), the bureau when it waits
/// for verification, the teacher when it is verified or returned to the draft.
async fn tell_next(
    conn: &impl ConnectionTrait,
    d: &rows::Model,
    action: Action,
    site: &Site,
) -> AppResult<()> {
    let teacher = crate::domain::names::teachers(conn, [d.teacher_id])
        .await?
        .remove(&d.teacher_id)
        .unwrap_or_default();
    let kind = match action {
        Action::Return => "se-returned",
        Action::Verify => "se-verified",
        _ => "se-waiting",
    };
    let notice = Notice::new(kind, format!("/self-evaluations/{}", d.id))
        .arg("teacher", &teacher)
        .arg("reason", &d.return_reason);
    match (action, d.status) {
        (Action::Acknowledge, _) => {}
        (_, Draft) | (Action::Verify, _) => {
            let user = users::Entity::find()
                .filter(users::Column::TeacherId.eq(d.teacher_id))
                .one(conn)
                .await?;
            if let Some(u) = user {
                notifications::notify(conn, &u, &notice, site).await?;
            }
        }
        (_, Submitted) => {
            notifications::notify_school_admins(conn, d.appraiser_school_id, &notice, site).await?;
        }
        (_, Appraised) if is_seconded(d) => {
            if let Some(s) = d.signer_school_id {
                notifications::notify_school_admins(conn, s, &notice, site).await?;
            }
        }
        (_, Appraised | Signed) => notifications::notify_bureau(conn, &notice, site).await?,
        _ => {}
    }
    Ok(())
}

/// The teacher's figures of the year, each a direct count of the data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    /// Published teacher pairings of the year as mentor and as mentee.
    pub pairings_as_mentor: i64,
    pub pairings_as_mentee: i64,
    /// Lessons the teacher observed, and lessons of theirs observed, within the year.
    pub observations_given: i64,
    pub observations_received: i64,
    /// Reflections written as a mentee in the year's pairings.
    pub reflections: i64,
    /// Exchange visits the teacher took part in within the year.
    pub visits: i64,
    /// Training weeks of the year attended, and all scheduled.
    pub training_weeks_attended: i64,
    pub training_weeks: i64,
}

/// The figures of a document's teacher and year (seven queries).
pub async fn figures(conn: &impl ConnectionTrait, d: &rows::Model) -> AppResult<Figures> {
    let year = academic_years::Entity::find_by_id(d.academic_year_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    figures_of(conn, d.teacher_id, &year).await
}

/// The figures of `teacher` in `year`.
pub async fn figures_of(
    conn: &impl ConnectionTrait,
    teacher: i64,
    year: &academic_years::Model,
) -> AppResult<Figures> {
    use teacher_pairings::Column as T;
    let (from, to): (NaiveDate, NaiveDate) = (year.starts_on, year.ends_on);
    let pairings = |side: T| {
        teacher_pairings::Entity::find()
            .filter(T::AcademicYearId.eq(year.id))
            .filter(T::Status.ne(PairingStatus::Draft))
            .filter(side.eq(teacher))
    };
    let observed = |side: observations::Column| {
        observations::Entity::find()
            .filter(side.eq(teacher))
            .filter(observations::Column::ObservedOn.between(from, to))
    };
    let mentee_pairings = Query::select()
        .column(T::Id)
        .from(teacher_pairings::Entity)
        .and_where(T::MenteeId.eq(teacher))
        .and_where(T::AcademicYearId.eq(year.id))
        .to_owned();
    let week_rows: Vec<(WeekStatus, i64)> = training_weeks::Entity::find()
        .select_only()
        .column(training_weeks::Column::Status)
        .column_as(training_weeks::Column::Id.count(), "n")
        .filter(training_weeks::Column::TeacherId.eq(teacher))
        .filter(training_weeks::Column::AcademicYearId.eq(year.id))
        .group_by(training_weeks::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let by_status: HashMap<WeekStatus, i64> = week_rows.into_iter().collect();
    Ok(Figures {
        pairings_as_mentor: pairings(T::MentorId).count(conn).await? as i64,
        pairings_as_mentee: pairings(T::MenteeId).count(conn).await? as i64,
        observations_given: observed(observations::Column::ObserverId)
            .count(conn)
            .await? as i64,
        observations_received: observed(observations::Column::ObservedId)
            .count(conn)
            .await? as i64,
        reflections: reflections::Entity::find()
            .filter(reflections::Column::TeacherPairingId.in_subquery(mentee_pairings))
            .count(conn)
            .await? as i64,
        visits: visit_teachers::Entity::find()
            .filter(visit_teachers::Column::TeacherId.eq(teacher))
            .filter(
                visit_teachers::Column::VisitId.in_subquery(
                    Query::select()
                        .column(visits::Column::Id)
                        .from(visits::Entity)
                        .and_where(visits::Column::StartsOn.between(from, to))
                        .to_owned(),
                ),
            )
            .count(conn)
            .await? as i64,
        training_weeks_attended: by_status.get(&WeekStatus::Attended).copied().unwrap_or(0),
        training_weeks: by_status.values().sum(),
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

/// What the list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub academic_year_id: Option<i64>,
    pub status: Option<Stage>,
    pub context: Option<Context>,
    /// Of this school (the teacher's, the appraising or the signing one).
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
    if let Some(x) = f.context {
        c = c.add(C::Context.eq(x));
    }
    if let Some(s) = f.school_id {
        c = c.add(
            Condition::any()
                .add(C::SchoolId.eq(s))
                .add(C::AppraiserSchoolId.eq(s))
                .add(C::SignerSchoolId.eq(s)),
        );
    }
    if !f.district.trim().is_empty() {
        c = c.add(
            C::SchoolId.in_subquery(
                Query::select()
                    .column(crate::entities::schools::Column::Id)
                    .from(crate::entities::schools::Entity)
                    .and_where(crate::entities::schools::Column::District.eq(f.district.trim()))
                    .to_owned(),
            ),
        );
    }
    c
}

/// One page of documents, newest first.
pub async fn list(
    db: &impl Conn,
    actor: &Actor,
    filter: &Filter,
    page: PageRequest,
) -> AppResult<Paged<rows::Model>> {
    policy::require_some(actor, Subject::SelfEvaluation, Act::List)?;
    let select = rows::Entity::find()
        .filter(condition(actor, filter))
        .order_by_desc(rows::Column::Id);
    paging::fetch(db, select, page).await
}

/// A document with the names people read and what the viewer may do.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub row: rows::Model,
    pub teacher: String,
    pub school: String,
    pub appraiser: String,
    pub signer: String,
    pub actions: Vec<Action>,
}

impl Row {
    pub fn may(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a.as_str() == action)
    }
}

/// Documents with names: two queries for any number.
pub async fn with_names(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    list: Vec<rows::Model>,
) -> AppResult<Vec<Row>> {
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let schools = crate::domain::names::schools(
        conn,
        list.iter().flat_map(|r| {
            [
                Some(r.school_id),
                Some(r.appraiser_school_id),
                r.signer_school_id,
            ]
            .into_iter()
            .flatten()
        }),
    )
    .await?;
    let people = crate::domain::names::teachers(conn, list.iter().map(|r| r.teacher_id)).await?;
    let name = |m: &HashMap<i64, String>, id: Option<i64>| {
        id.and_then(|i| m.get(&i).cloned()).unwrap_or_default()
    };
    Ok(list
        .into_iter()
        .map(|r| Row {
            teacher: name(&people, Some(r.teacher_id)),
            school: name(&schools, Some(r.school_id)),
            appraiser: name(&schools, Some(r.appraiser_school_id)),
            signer: name(&schools, r.signer_school_id),
            actions: actions_of(actor, &r),
            row: r,
        })
        .collect())
}

/// A page of documents with names.
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

/// The teacher's own document of a year, if begun.
pub async fn own_of_year(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    year: i64,
) -> AppResult<Option<rows::Model>> {
    let Some(teacher) = actor.teacher_id else {
        return Ok(None);
    };
    Ok(rows::Entity::find()
        .filter(scope::visible::<rows::Entity>(actor))
        .filter(rows::Column::TeacherId.eq(teacher))
        .filter(rows::Column::AcademicYearId.eq(year))
        .one(conn)
        .await?)
}

/// Whether one more 优秀 would take the teacher's school past the quota of its verified
/// documents of the year: (verified so far, 优秀 so far, quota percent) when it would.
pub async fn quota_warning(
    conn: &impl ConnectionTrait,
    d: &rows::Model,
    quota_percent: i64,
) -> AppResult<Option<(i64, i64, i64)>> {
    let of_school = || {
        rows::Entity::find()
            .filter(rows::Column::AcademicYearId.eq(d.academic_year_id))
            .filter(rows::Column::SchoolId.eq(d.school_id))
            .filter(rows::Column::FinalGrade.is_not_null())
            .filter(rows::Column::Id.ne(d.id))
    };
    let verified = of_school().count(conn).await? as i64;
    let excellent = of_school()
        .filter(rows::Column::FinalGrade.eq(Grade::Excellent))
        .count(conn)
        .await? as i64;
    // With this one as 优秀: (excellent + 1) of (verified + 1).
    let over = (excellent + 1) * 100 > quota_percent * (verified + 1);
    Ok(over.then_some((verified, excellent, quota_percent)))
}

/// The documents of a page that one more 优秀 would take past the quota of their school's
/// verified set of the year (one query for any number).
pub async fn over_quota(
    conn: &impl ConnectionTrait,
    docs: &[&rows::Model],
    quota_percent: i64,
) -> AppResult<std::collections::HashSet<i64>> {
    use sea_orm::sea_query::Expr;
    if docs.is_empty() {
        return Ok(Default::default());
    }
    let counts: Vec<(i64, i64, i64, i64)> = rows::Entity::find()
        .select_only()
        .column(rows::Column::AcademicYearId)
        .column(rows::Column::SchoolId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "verified")
        .column_as(
            Expr::cust(
                "CAST(SUM(CASE WHEN final_grade = 'excellent' THEN 1 ELSE 0 END) AS BIGINT)",
            ),
            "excellent",
        )
        .filter(rows::Column::SchoolId.is_in(docs.iter().map(|d| d.school_id)))
        .filter(rows::Column::AcademicYearId.is_in(docs.iter().map(|d| d.academic_year_id)))
        .filter(rows::Column::FinalGrade.is_not_null())
        .group_by(rows::Column::AcademicYearId)
        .group_by(rows::Column::SchoolId)
        .into_tuple()
        .all(conn)
        .await?;
    let by: HashMap<(i64, i64), (i64, i64)> = counts
        .into_iter()
        .map(|(y, s, v, e)| ((y, s), (v, e)))
        .collect();
    Ok(docs
        .iter()
        .filter(|d| {
            let (verified, excellent) = by
                .get(&(d.academic_year_id, d.school_id))
                .copied()
                .unwrap_or((0, 0));
            (excellent + 1) * 100 > quota_percent * (verified + 1)
        })
        .map(|d| d.id)
        .collect())
}
