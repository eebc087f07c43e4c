//! Lesson observations (听课记录): within an active teacher pairing, the mentor observing the
//! mentee, or the mentee attending the mentor's 示范课/公开课. Scored on the server with a
//! rubric version; editable by its author until the observed teacher replies; deleted only
//! by the bureau (the audit log keeps it). Each observation has a comment thread.
use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::scope;
use crate::domain::access::{self, Actor, Visible};
use crate::domain::context::Context;
use crate::domain::idempotency::{self, Claim};
use crate::domain::notifications::{self, Notice};
use crate::domain::pairing_lifecycle::{self as lifecycle, Action};
use crate::domain::rubrics::{self, Rubric};
use crate::domain::teacher_pairings::TeacherPairing;
use crate::domain::types::{self, LessonKind, LessonMode, PairingStatus, de::loose_string};
use crate::domain::workflow::{self, Party, Step, Workflow};
use crate::domain::{audit, teacher_pairings, users};
use crate::entities::{
    comments, observations, reflections, teacher_pairings as pairings, teachers,
};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

pub const ENTITY: &str = "observation";
pub const TEXT_MAX: usize = 5000;

/// An observation as typed or sent as JSON; values kept as text so a refused form shows
/// them again. `scores`: item id → score.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ObservationForm {
    #[serde(deserialize_with = "loose_string")]
    pub observed_on: String,
    #[serde(deserialize_with = "loose_string")]
    pub grade_class: String,
    #[serde(deserialize_with = "loose_string")]
    pub subject: String,
    #[serde(deserialize_with = "loose_string")]
    pub topic: String,
    #[serde(deserialize_with = "loose_string")]
    pub lesson_kind: String,
    #[serde(deserialize_with = "loose_string")]
    pub mode: String,
    #[serde(deserialize_with = "loose_string")]
    pub recording_url: String,
    #[serde(deserialize_with = "loose_string")]
    pub rubric_id: String,
    /// Item id → score (a number).
    #[serde(deserialize_with = "crate::domain::types::de::loose_map")]
    #[schema(value_type = Object)]
    pub scores: BTreeMap<String, String>,
    #[serde(deserialize_with = "loose_string")]
    pub strengths: String,
    #[serde(deserialize_with = "loose_string")]
    pub suggestions: String,
    #[serde(deserialize_with = "loose_string")]
    pub comment: String,
    /// The version the edit started from (edits only).
    #[serde(deserialize_with = "loose_string")]
    pub version: String,
    /// A one-time key of this submit (new records): a repeat makes nothing twice.
    #[serde(deserialize_with = "loose_string")]
    pub idempotency_key: String,
}

impl ObservationForm {
    /// The form as posted by the page: one field each, and the rubric's items as
    /// `score_<item id>`.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = ObservationForm::default();
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "observed_on" => f.observed_on = v,
                "grade_class" => f.grade_class = v,
                "subject" => f.subject = v,
                "topic" => f.topic = v,
                "lesson_kind" => f.lesson_kind = v,
                "mode" => f.mode = v,
                "recording_url" => f.recording_url = v,
                "rubric_id" => f.rubric_id = v,
                "strengths" => f.strengths = v,
                "suggestions" => f.suggestions = v,
                "comment" => f.comment = v,
                "version" => f.version = v,
                "idempotency_key" => f.idempotency_key = v,
                other => {
                    if let Some(id) = other.strip_prefix("score_") {
                        f.scores.insert(id.to_string(), v);
                    }
                }
            }
        }
        f
    }

    pub fn from_model(o: &observations::Model) -> Self {
        let scores: BTreeMap<String, f64> = serde_json::from_str(&o.scores).unwrap_or_default();
        ObservationForm {
            observed_on: o.observed_on.to_string(),
            grade_class: o.grade_class.clone(),
            subject: o.subject.clone(),
            topic: o.topic.clone(),
            lesson_kind: o.lesson_kind.clone(),
            mode: o.mode.clone(),
            recording_url: o.recording_url.clone(),
            rubric_id: o.rubric_id.to_string(),
            scores: scores
                .into_iter()
                .map(|(k, v)| (k, rubrics::fmt_number(v)))
                .collect(),
            strengths: o.strengths.clone(),
            suggestions: o.suggestions.clone(),
            comment: o.comment.clone(),
            version: o.version.to_string(),
            idempotency_key: String::new(),
        }
    }

    /// The typed score of an item ("" when none).
    pub fn score(&self, item_id: &i64) -> &str {
        self.scores
            .get(&item_id.to_string())
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// What the checks produce: the row's values, scored.
struct Checked {
    observed_on: NaiveDate,
    grade_class: String,
    subject: String,
    topic: String,
    lesson_kind: LessonKind,
    mode: LessonMode,
    recording_url: String,
    rubric: Rubric,
    scores: BTreeMap<i64, f64>,
    scored: rubrics::Scored,
    strengths: String,
    suggestions: String,
    comment: String,
}

/// Who observes whom in this pairing when `actor` writes: the mentor observes the mentee;
/// the mentee attends the mentor's lesson. Anyone else is not in the pairing.
fn roles_in(actor: &Actor, p: &pairings::Model) -> Option<(i64, i64)> {
    if actor.is_teacher_self(p.mentor_id) {
        Some((p.mentor_id, p.mentee_id))
    } else if actor.is_teacher_self(p.mentee_id) {
        Some((p.mentee_id, p.mentor_id))
    } else {
        None
    }
}

async fn check(
    conn: &impl ConnectionTrait,
    p: &pairings::Model,
    observer_is_mentee: bool,
    f: &ObservationForm,
    keep_rubric: Option<i64>,
) -> AppResult<Checked> {
    let mut e = FieldErrors::new();
    let today = types::today();
    // Any day of the pairing's academic year up to today: a bureau that publishes its
    // pairings in December still has September's lessons recorded.
    let began = crate::entities::academic_years::Entity::find_by_id(p.academic_year_id)
        .one(conn)
        .await?
        .map(|y| y.starts_on)
        .unwrap_or(NaiveDate::MIN);
    let observed_on = match types::date(&f.observed_on) {
        Ok(d) if d > today => {
            e.add("observed_on", Msg::new("obs-err-future"));
            None
        }
        Ok(d) if d < began => {
            e.add(
                "observed_on",
                Msg::new("obs-err-before-year").arg("date", began),
            );
            None
        }
        Ok(d) => Some(d),
        Err(m) => {
            e.add("observed_on", m);
            None
        }
    };
    let mut text = |field: &str, value: &str, max: usize, required: bool| {
        let r = if required {
            types::required_text(value, max)
        } else {
            types::optional_text(value, max)
        };
        r.map_err(|m| e.add(field, m)).unwrap_or_default()
    };
    let grade_class = text("grade_class", &f.grade_class, 50, true);
    let subject = if f.subject.trim().is_empty() {
        p.subject.clone()
    } else {
        text("subject", &f.subject, 50, true)
    };
    let topic = text("topic", &f.topic, 200, true);
    let strengths = text("strengths", &f.strengths, TEXT_MAX, false);
    let suggestions = text("suggestions", &f.suggestions, TEXT_MAX, false);
    let comment = text("comment", &f.comment, TEXT_MAX, false);
    let recording_url = text("recording_url", &f.recording_url, 500, false);
    if !recording_url.is_empty()
        && !url::Url::parse(&recording_url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        e.add("recording_url", Msg::new("obs-err-url"));
    }
    let lesson_kind = LessonKind::parse(&f.lesson_kind);
    match lesson_kind {
        None => e.add("lesson_kind", Msg::new("err-choose")),
        Some(k)
            if observer_is_mentee && !matches!(k, LessonKind::Demonstration | LessonKind::Open) =>
        {
            e.add("lesson_kind", Msg::new("obs-err-mentee-kind"))
        }
        _ => {}
    }
    let mode = if f.mode.trim().is_empty() {
        Some(LessonMode::Onsite)
    } else {
        LessonMode::parse(&f.mode)
    };
    if mode.is_none() {
        e.add("mode", Msg::new("err-choose"));
    }
    // The rubric: an active current version for a new observation; an edit keeps its own.
    let rubric = match (keep_rubric, f.rubric_id.trim().parse::<i64>()) {
        (Some(id), _) => Some(rubrics::get(conn, id).await?),
        (None, Ok(id)) => match rubrics::get(conn, id).await {
            Ok(r) if r.row.is_current && r.row.is_active => Some(r),
            Ok(_) | Err(AppError::NotFound) => {
                e.add("rubric_id", Msg::new("obs-err-rubric"));
                None
            }
            Err(err) => return Err(err),
        },
        (None, Err(_)) => {
            e.add("rubric_id", Msg::new("err-choose"));
            None
        }
    };
    let mut scores = BTreeMap::new();
    for (k, v) in &f.scores {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        let Ok(id) = k.trim().parse::<i64>() else {
            e.add("scores", Msg::new("rubric-err-unknown-item").arg("id", k));
            continue;
        };
        match v.parse::<f64>() {
            Ok(n) if n.is_finite() => {
                scores.insert(id, n);
            }
            _ => e.add(&format!("scores.{id}"), Msg::new("rubric-err-not-a-number")),
        }
    }
    let scored = match &rubric {
        Some(r) => match r.def.score(&scores) {
            Ok(s) => Some(s),
            Err(errs) => {
                for (k, msgs) in errs.0 {
                    for m in msgs {
                        // A score already refused as not a number is not refused twice.
                        if e.get(&k).is_none() {
                            e.add(&k, m);
                        }
                    }
                }
                None
            }
        },
        None => None,
    };
    e.into_result()?;
    Ok(Checked {
        observed_on: observed_on.unwrap_or(today),
        grade_class,
        subject,
        topic,
        lesson_kind: lesson_kind.unwrap_or(LessonKind::Regular),
        mode: mode.unwrap_or(LessonMode::Onsite),
        recording_url,
        rubric: rubric.ok_or(AppError::NotFound)?,
        scores,
        scored: scored.ok_or(AppError::NotFound)?,
        strengths,
        suggestions,
        comment,
    })
}

/// Scores or section scores as stored: a JSON object keyed by the item or section id.
pub fn scores_json(scores: &BTreeMap<i64, f64>) -> AppResult<String> {
    let m: BTreeMap<String, f64> = scores.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    Ok(serde_json::to_string(&m)?)
}

async fn teacher_name(conn: &impl ConnectionTrait, id: i64) -> AppResult<String> {
    Ok(teachers::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|t| t.name)
        .unwrap_or_default())
}

/// Records an observation (the mentor or the mentee of an active pairing); the observed
/// teacher is told.
pub async fn create(
    db: &impl Conn,
    actor: &Actor,
    pairing_id: i64,
    form: &ObservationForm,
    ctx: &Context,
) -> AppResult<observations::Model> {
    let key = idempotency::scoped(actor, "observation", &form.idempotency_key)?;
    if let Some(k) = &key
        && let Some(id) = idempotency::earlier(db, actor, k).await?
    {
        return Ok(get(db, actor, id).await?.0);
    }
    let mut txn = db::begin_write(db).await?;
    if let Some(k) = &key {
        match idempotency::claim(db, txn, actor, k).await? {
            Claim::Claimed(t) => txn = t,
            Claim::Done(Some(id)) => return Ok(get(db, actor, id).await?.0),
            Claim::Done(None) => {
                return Err(AppError::conflict(
                    "idempotency_key",
                    "err-idempotency-key-used",
                ));
            }
        }
    }
    let p = teacher_pairings::get_for_update(&txn, actor, pairing_id).await?;
    lifecycle::ensure::<TeacherPairing>(&txn, actor, &p, Action::Observe).await?;
    let Some((observer, observed)) = roles_in(actor, &p) else {
        return Err(AppError::Forbidden);
    };
    let c = check(&txn, &p, observer == p.mentee_id, form, None).await?;
    let now = Utc::now();
    let row = observations::ActiveModel {
        teacher_pairing_id: Set(p.id),
        observer_id: Set(observer),
        observed_id: Set(observed),
        author_id: Set(actor.user_id),
        observed_on: Set(c.observed_on),
        grade_class: Set(c.grade_class),
        subject: Set(c.subject),
        topic: Set(c.topic),
        lesson_kind: Set(c.lesson_kind.as_str().into()),
        mode: Set(c.mode.as_str().into()),
        recording_url: Set(c.recording_url),
        rubric_id: Set(c.rubric.row.id),
        scores: Set(scores_json(&c.scores)?),
        section_scores: Set(scores_json(&c.scored.sections)?),
        total_score: Set(c.scored.total),
        band: Set(c.scored.band),
        strengths: Set(c.strengths),
        suggestions: Set(c.suggestions),
        comment: Set(c.comment),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "create",
        ENTITY,
        Some(row.id),
        None,
        Some(&row),
    )
    .await?;
    crate::domain::progress::refresh(&txn, &[p.id]).await?;
    if let Some(u) = users::find_by_teacher(&txn, observed).await? {
        let notice = Notice::new("obs-new", format!("/observations/{}", row.id))
            .arg("by", &actor.name)
            .arg("topic", &row.topic)
            .arg("date", row.observed_on);
        notifications::notify(&txn, &u, &notice, ctx).await?;
    }
    if let Some(k) = &key {
        idempotency::record(&txn, k, row.id).await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// The observation's row, locked until the transaction ends (PostgreSQL; SQLite's writes
/// are serialised anyway), so an edit and the observed teacher's reply cannot cross.
pub(crate) async fn lock(conn: &impl ConnectionTrait, id: i64) -> AppResult<()> {
    observations::Entity::find_by_id(id)
        .select_only()
        .column(observations::Column::Id)
        .lock_exclusive()
        .into_tuple::<i64>()
        .one(conn)
        .await?;
    Ok(())
}

/// One observation the actor may see (those of pairings they may see): 404 / 403.
pub async fn get(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<(observations::Model, Visible<pairings::Model>)> {
    let o = observations::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = teacher_pairings::get(conn, actor, o.teacher_pairing_id).await?;
    Ok((o, p))
}

/// The author edits (the rubric stays the version it was scored with). Refused once the
/// observed teacher replied (409 `locked`), or when someone saved in between (409 `version`).
pub async fn update(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &ObservationForm,
) -> AppResult<observations::Model> {
    let txn = db::begin_write(db).await?;
    lock(&txn, id).await?;
    let (before, _) = get(&txn, actor, id).await?;
    let p = teacher_pairings::reload_locked(&txn, before.teacher_pairing_id).await?;
    ensure(&txn, actor, &before, &p, ObsAction::Edit).await?;
    if form.version.trim() != before.version.to_string() {
        return Err(AppError::conflict("version", "obs-err-stale"));
    }
    let c = check(
        &txn,
        &p,
        before.observer_id == p.mentee_id,
        form,
        Some(before.rubric_id),
    )
    .await?;
    let mut a = before.clone().into_active_model();
    a.observed_on = Set(c.observed_on);
    a.grade_class = Set(c.grade_class);
    a.subject = Set(c.subject);
    a.topic = Set(c.topic);
    a.lesson_kind = Set(c.lesson_kind.as_str().into());
    a.mode = Set(c.mode.as_str().into());
    a.recording_url = Set(c.recording_url);
    a.scores = Set(scores_json(&c.scores)?);
    a.section_scores = Set(scores_json(&c.scored.sections)?);
    a.total_score = Set(c.scored.total);
    a.band = Set(c.scored.band);
    a.strengths = Set(c.strengths);
    a.suggestions = Set(c.suggestions);
    a.comment = Set(c.comment);
    a.version = Set(before.version + 1);
    a.updated_at = Set(Utc::now());
    let row = a.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        "update",
        ENTITY,
        Some(id),
        Some(&before),
        Some(&row),
    )
    .await?;
    crate::domain::progress::refresh(&txn, &[row.teacher_pairing_id]).await?;
    txn.commit().await?;
    Ok(row)
}

/// The bureau deletes an observation (its comments go with it; reflections about it stay,
/// no longer linked). The audit log keeps the deleted row.
pub async fn delete(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    lock(&txn, id).await?;
    let (before, pairing) = get(&txn, actor, id).await?;
    ensure(&txn, actor, &before, &pairing, ObsAction::Delete).await?;
    observations::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record::<_, ()>(
        &txn,
        Some(actor),
        "delete",
        ENTITY,
        Some(id),
        Some(&before),
        None,
    )
    .await?;
    crate::domain::progress::refresh(&txn, &[before.teacher_pairing_id]).await?;
    txn.commit().await?;
    Ok(())
}

/// A comment on an observation by the mentor or the mentee; the other is told. The observed
/// teacher's first comment is their reply, which locks the observation.
pub async fn add_comment(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    body: &str,
    ctx: &Context,
) -> AppResult<comments::Model> {
    let txn = db::begin_write(db).await?;
    lock(&txn, id).await?;
    let (o, _) = get(&txn, actor, id).await?;
    let p = teacher_pairings::reload_locked(&txn, o.teacher_pairing_id).await?;
    ensure(&txn, actor, &o, &p, ObsAction::Comment).await?;
    let row = insert_comment(&txn, actor, CommentOn::Observation(o.id), body).await?;
    if let Some(u) = users::find_by_teacher(&txn, other_of(actor, &p)).await? {
        let notice = Notice::new("obs-comment", format!("/observations/{}", o.id))
            .arg("by", &actor.name)
            .arg("topic", &o.topic);
        notifications::notify(&txn, &u, &notice, ctx).await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// What a comment is written under.
#[derive(Debug, Clone, Copy)]
pub enum CommentOn {
    Observation(i64),
    Reflection(i64),
}

/// The other teacher of the pair (the one to tell).
pub fn other_of(actor: &Actor, p: &pairings::Model) -> i64 {
    if actor.is_teacher_self(p.mentor_id) {
        p.mentee_id
    } else {
        p.mentor_id
    }
}

/// Checks and stores a comment (1–2000 characters) with its audit entry, in the caller's
/// transaction.
pub async fn insert_comment(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    on: CommentOn,
    body: &str,
) -> AppResult<comments::Model> {
    let body = types::required_text(body, 2000).map_err(|m| AppError::invalid("body", m))?;
    let (observation_id, reflection_id, entity, id) = match on {
        CommentOn::Observation(id) => (Some(id), None, ENTITY, id),
        CommentOn::Reflection(id) => (None, Some(id), crate::domain::reflections::ENTITY, id),
    };
    let row = comments::ActiveModel {
        observation_id: Set(observation_id),
        reflection_id: Set(reflection_id),
        author_id: Set(actor.user_id),
        body: Set(body),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record::<(), _>(
        txn,
        Some(actor),
        "comment",
        entity,
        Some(id),
        None,
        Some(&row),
    )
    .await?;
    Ok(row)
}

/// A comment with its author's name.
#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    #[serde(flatten)]
    pub comment: comments::Model,
    pub author_name: String,
}

pub(in crate::domain) async fn comments_of(
    conn: &impl ConnectionTrait,
    cond: Condition,
) -> AppResult<Vec<CommentView>> {
    let rows = comments::Entity::find()
        .filter(cond)
        .order_by_asc(comments::Column::Id)
        .limit(500)
        .all(conn)
        .await?;
    let names = crate::domain::names::users(conn, rows.iter().map(|c| c.author_id)).await?;
    Ok(rows
        .into_iter()
        .map(|c| CommentView {
            author_name: names.get(&c.author_id).cloned().unwrap_or_default(),
            comment: c,
        })
        .collect())
}

/// Everything the observation page shows.
#[derive(Debug, Clone)]
pub struct Detail {
    pub row: observations::Model,
    pub pairing: pairings::Model,
    pub rubric: Rubric,
    pub observer: String,
    pub observed: String,
    pub scores: BTreeMap<i64, f64>,
    pub sections: BTreeMap<i64, f64>,
    pub comments: Vec<CommentView>,
    pub reflections: Vec<reflections::Model>,
    /// Replied to: locked for its author.
    pub locked: bool,
    /// What the viewer may do now (the workflow's `allowed_actions`).
    pub actions: Vec<ObsAction>,
}

impl Detail {
    /// Whether the viewer may take `action` (by its word, for templates).
    pub fn may(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a.as_str() == action)
    }
}

pub async fn detail(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<Detail> {
    let (row, pairing) = get(db, actor, id).await?;
    let rubric = rubrics::get(db, row.rubric_id).await?;
    let parse = |s: &str| -> BTreeMap<i64, f64> {
        serde_json::from_str::<BTreeMap<String, f64>>(s)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| k.parse().ok().map(|k| (k, v)))
            .collect()
    };
    let stage = stage_of(db, &row, &pairing).await?;
    let locked = matches!(stage, ObsStage::Replied | ObsStage::Reflected);
    let actions = workflow::allowed_actions::<ObservationFlow>(
        stage,
        &access::observation_parties(actor, &row, &pairing),
    );
    Ok(Detail {
        observer: teacher_name(db, row.observer_id).await?,
        observed: teacher_name(db, row.observed_id).await?,
        scores: parse(&row.scores),
        sections: parse(&row.section_scores),
        comments: comments_of(
            db,
            Condition::all().add(comments::Column::ObservationId.eq(id)),
        )
        .await?,
        reflections: reflections::Entity::find()
            .filter(reflections::Column::ObservationId.eq(id))
            .order_by_asc(reflections::Column::Id)
            .all(db)
            .await?,
        actions,
        locked,
        rubric,
        pairing: pairing.into_inner(),
        row,
    })
}

// ---------------------------------------------------------------- workflow

crate::domain::types::word_enum!(
    /// Where an observation stands. Its author edits it until the observed mentee replies
    /// (a comment or a reflection about it); once the pairing ended it is a closed record.
    ObsStage, "obs-stage", {
        Open => "open",
        Replied => "replied",
        Reflected => "reflected",
        Closed => "closed",
    }
);

crate::domain::types::word_enum!(
    /// What can be done to an observation.
    ObsAction, "obs-action", {
        Edit => "edit",
        Delete => "delete",
        Comment => "comment",
        Reflect => "reflect",
    }
);

/// 听课记录's steps: the reply (the observed mentee's first comment, or a reflection about
/// the lesson) locks the record for its author.
pub struct ObservationFlow;

impl Workflow for ObservationFlow {
    type Stage = ObsStage;
    type Action = ObsAction;
    const STEPS: &'static [Step<ObsStage, ObsAction>] = {
        use ObsStage::{Closed, Open, Reflected, Replied};
        use Party::{Author, Bureau, Mentee, Mentor, Observed};
        &[
            Step {
                from: &[Open],
                action: ObsAction::Edit,
                to: None,
                who: &[Author],
            },
            Step {
                from: &[Open],
                action: ObsAction::Comment,
                to: Some(Replied),
                who: &[Observed],
            },
            Step {
                from: &[Open, Replied, Reflected],
                action: ObsAction::Comment,
                to: None,
                who: &[Mentor, Mentee],
            },
            Step {
                from: &[Open, Replied],
                action: ObsAction::Reflect,
                to: Some(Reflected),
                who: &[Observed],
            },
            Step {
                from: &[Open, Replied, Reflected, Closed],
                action: ObsAction::Delete,
                to: None,
                who: &[Bureau],
            },
        ]
    };
    const WRONG_STAGE: &'static str = "obs-err-locked";
}

/// The observation's stage, read from its pairing and its replies.
pub async fn stage_of(
    conn: &impl ConnectionTrait,
    o: &observations::Model,
    p: &pairings::Model,
) -> AppResult<ObsStage> {
    if p.status != PairingStatus::Active {
        return Ok(ObsStage::Closed);
    }
    let Some(u) = users::find_by_teacher(conn, o.observed_id).await? else {
        return Ok(ObsStage::Open);
    };
    let reflected = reflections::Entity::find()
        .filter(reflections::Column::ObservationId.eq(o.id))
        .filter(reflections::Column::AuthorId.eq(u.id))
        .count(conn)
        .await?
        > 0;
    if reflected {
        return Ok(ObsStage::Reflected);
    }
    let replied = comments::Entity::find()
        .filter(comments::Column::ObservationId.eq(o.id))
        .filter(comments::Column::AuthorId.eq(u.id))
        .count(conn)
        .await?
        > 0;
    Ok(if replied {
        ObsStage::Replied
    } else {
        ObsStage::Open
    })
}

/// What `actor` may do to the observation now (buttons, the API's `actions`).
pub async fn actions_of(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    o: &observations::Model,
    p: &pairings::Model,
) -> AppResult<Vec<ObsAction>> {
    let stage = stage_of(conn, o, p).await?;
    Ok(workflow::allowed_actions::<ObservationFlow>(
        stage,
        &access::observation_parties(actor, o, p),
    ))
}

/// Refuses `action` unless `actor` may take it now: 403 for someone who never may; 409
/// `locked` once replied to; 409 `teacher_pairing_id` when the pairing is not running.
pub async fn ensure(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    o: &observations::Model,
    p: &pairings::Model,
    action: ObsAction,
) -> AppResult<ObsStage> {
    let stage = stage_of(conn, o, p).await?;
    match workflow::step::<ObservationFlow>(
        stage,
        action,
        &access::observation_parties(actor, o, p),
    ) {
        Ok(_) => Ok(stage),
        Err(AppError::Conflict { .. }) if stage == ObsStage::Closed => Err(AppError::conflict(
            "teacher_pairing_id",
            "obs-err-pairing-not-active",
        )),
        Err(AppError::Conflict { .. }) if action == ObsAction::Reflect => {
            Err(AppError::conflict("observation_id", "refl-err-observation"))
        }
        Err(AppError::Conflict { .. }) => Err(AppError::conflict("locked", "obs-err-locked")),
        Err(e) => Err(e),
    }
}

/// Filters of the observation list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub academic_year_id: Option<i64>,
    /// `first` or `second` (needs the year).
    pub term: Option<u8>,
    pub school_id: Option<i64>,
    pub subject: String,
    pub teacher_pairing_id: Option<i64>,
    pub lesson_kind: Option<LessonKind>,
    /// Only observations of this observed teacher.
    pub observed_id: Option<i64>,
}

/// The observations the actor may see: those of the pairings they may see (`access::scope`).
fn visible(actor: &Actor) -> Condition {
    scope::visible::<observations::Entity>(actor)
}

pub fn filtered(
    actor: &Actor,
    f: &Filter,
    year: Option<&crate::entities::academic_years::Model>,
) -> sea_orm::Select<observations::Entity> {
    use sea_orm::sea_query::Query;
    let mut q = observations::Entity::find().filter(visible(actor));
    if let Some(y) = year {
        let (from, to) = match f.term {
            Some(1) => (
                y.starts_on,
                y.second_term_starts_on.pred_opt().unwrap_or(y.ends_on),
            ),
            Some(2) => (y.second_term_starts_on, y.ends_on),
            _ => (y.starts_on, y.ends_on),
        };
        q = q
            .filter(observations::Column::ObservedOn.gte(from))
            .filter(observations::Column::ObservedOn.lte(to));
    }
    if let Some(s) = f.school_id {
        let of_school = Query::select()
            .column(teachers::Column::Id)
            .from(teachers::Entity)
            .and_where(teachers::Column::SchoolId.eq(s))
            .to_owned();
        q = q.filter(
            Condition::any()
                .add(observations::Column::ObserverId.in_subquery(of_school.clone()))
                .add(observations::Column::ObservedId.in_subquery(of_school)),
        );
    }
    if !f.subject.trim().is_empty() {
        q = q.filter(observations::Column::Subject.like(types::contains(f.subject.trim())));
    }
    if let Some(p) = f.teacher_pairing_id {
        q = q.filter(observations::Column::TeacherPairingId.eq(p));
    }
    if let Some(k) = f.lesson_kind {
        q = q.filter(observations::Column::LessonKind.eq(k.as_str()));
    }
    if let Some(t) = f.observed_id {
        q = q.filter(observations::Column::ObservedId.eq(t));
    }
    q.order_by_desc(observations::Column::ObservedOn)
        .order_by_desc(observations::Column::Id)
}

/// A list row with names.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    #[serde(flatten)]
    pub row: observations::Model,
    pub observer_name: String,
    pub observed_name: String,
}

impl Row {
    pub fn total(&self) -> String {
        rubrics::fmt_number(self.row.total_score)
    }
}

pub async fn with_names(
    conn: &impl ConnectionTrait,
    rows: Vec<observations::Model>,
) -> AppResult<Vec<Row>> {
    let names: HashMap<i64, String> = crate::domain::names::teachers(
        conn,
        rows.iter().flat_map(|o| [o.observer_id, o.observed_id]),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Row {
            observer_name: names.get(&row.observer_id).cloned().unwrap_or_default(),
            observed_name: names.get(&row.observed_id).cloned().unwrap_or_default(),
            row,
        })
        .collect())
}

/// The observations of a pairing the actor sees, newest first (its page and timeline).
pub async fn of_pairing(
    conn: &impl ConnectionTrait,
    pairing: &Visible<pairings::Model>,
) -> AppResult<Vec<Row>> {
    let rows = observations::Entity::find()
        .filter(observations::Column::TeacherPairingId.eq(pairing.id))
        .order_by_desc(observations::Column::ObservedOn)
        .order_by_desc(observations::Column::Id)
        .limit(200)
        .all(conn)
        .await?;
    with_names(conn, rows).await
}
