//! Reflections (教学反思 / 成长记录): the mentee writes them, optionally about one
//! observation; the mentor and the mentee comment in a thread; each new entry tells the
//! other side. Also the contact log (联系记录) of a teacher pairing.
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::scope;
use crate::domain::access::{self, Actor, Visible};
use crate::domain::context::Context;
use crate::domain::idempotency::{self, Claim};
use crate::domain::notifications::{self, Notice};
use crate::domain::observations::{self, CommentView};
use crate::domain::pairing_lifecycle::{self as lifecycle, Action};
use crate::domain::teacher_pairings::TeacherPairing;
use crate::domain::types::{self, de::loose_string};
use crate::domain::workflow::{self, Party, Step, Workflow};
use crate::domain::{audit, teacher_pairings, users};
use crate::entities::{
    comments, observations as obs_rows, reflections, teacher_pairings as pairings, teachers,
};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

pub const ENTITY: &str = "reflection";
pub const BODY_MAX: usize = 20_000;

/// A reflection as typed or sent as JSON.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReflectionForm {
    #[serde(deserialize_with = "loose_string")]
    pub observation_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub title: String,
    #[serde(deserialize_with = "loose_string")]
    pub body: String,
    /// The version the edit started from: its `updated_at` as RFC 3339 (edits only).
    #[serde(deserialize_with = "loose_string")]
    pub version: String,
    /// A one-time key of this submit (new reflections): a repeat makes nothing twice.
    #[serde(deserialize_with = "loose_string")]
    pub idempotency_key: String,
}

async fn checked(
    conn: &impl ConnectionTrait,
    p: &pairings::Model,
    f: &ReflectionForm,
) -> AppResult<(Option<i64>, String, String)> {
    let mut e = FieldErrors::new();
    let title = types::optional_text(&f.title, 100)
        .map_err(|m| e.add("title", m))
        .unwrap_or_default();
    let body = types::required_text(&f.body, BODY_MAX)
        .map_err(|m| e.add("body", m))
        .unwrap_or_default();
    let observation = match f.observation_id.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) => {
                // Locked: a reflection about it is the observed teacher's reply.
                observations::lock(conn, id).await?;
                let o = obs_rows::Entity::find_by_id(id).one(conn).await?;
                match o {
                    Some(o) if o.teacher_pairing_id == p.id => Some(id),
                    _ => {
                        e.add("observation_id", Msg::new("refl-err-observation"));
                        None
                    }
                }
            }
            Err(_) => {
                e.add("observation_id", Msg::new("err-not-a-number"));
                None
            }
        },
    };
    e.into_result()?;
    Ok((observation, title, body))
}

/// The mentee of an active pairing writes a reflection; the mentor is told.
pub async fn create(
    db: &impl Conn,
    actor: &Actor,
    pairing_id: i64,
    form: &ReflectionForm,
    ctx: &Context,
) -> AppResult<reflections::Model> {
    let key = idempotency::scoped(actor, "reflection", &form.idempotency_key)?;
    if let Some(k) = &key
        && let Some(id) = idempotency::earlier(db, actor, k).await?
    {
        return Ok(get(db, actor, id).await?.0.into_inner());
    }
    let mut txn = db::begin_write(db).await?;
    if let Some(k) = &key {
        match idempotency::claim(db, txn, actor, k).await? {
            Claim::Claimed(t) => txn = t,
            Claim::Done(Some(id)) => return Ok(get(db, actor, id).await?.0.into_inner()),
            Claim::Done(None) => {
                return Err(AppError::conflict(
                    "idempotency_key",
                    "err-idempotency-key-used",
                ));
            }
        }
    }
    let p = teacher_pairings::get_for_update(&txn, actor, pairing_id).await?;
    lifecycle::ensure::<TeacherPairing>(&txn, actor, &p, Action::Reflect).await?;
    let (observation_id, title, body) = checked(&txn, &p, form).await?;
    let now = Utc::now();
    let row = reflections::ActiveModel {
        teacher_pairing_id: Set(p.id),
        observation_id: Set(observation_id),
        author_id: Set(actor.user_id),
        title: Set(title),
        body: Set(body),
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
    if let Some(u) = users::find_by_teacher(&txn, p.mentor_id).await? {
        let notice = Notice::new("refl-new", format!("/reflections/{}", row.id))
            .arg("by", &actor.name)
            .arg("title", row.heading());
        notifications::notify(&txn, &u, &notice, ctx).await?;
    }
    if let Some(k) = &key {
        idempotency::record(&txn, k, row.id).await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// Whether the user `user_id` (active) may write a new reflection in the pairing: its
/// mentee, while it is active. Used before keeping a text typed when the session lapsed.
pub async fn may_write(
    conn: &impl ConnectionTrait,
    user_id: i64,
    pairing_id: i64,
) -> AppResult<bool> {
    let user = match users::get(conn, user_id).await {
        Ok(u) if u.is_active => u,
        Ok(_) | Err(AppError::NotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    let actor = users::actor_of(&user);
    match teacher_pairings::get(conn, &actor, pairing_id).await {
        Ok(p) => Ok(
            lifecycle::allowed_actions::<TeacherPairing>(conn, &actor, &p)
                .await?
                .contains(&Action::Reflect),
        ),
        Err(AppError::NotFound | AppError::Forbidden) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The author edits their reflection; a save based on an older text is refused (409
/// `version`), so two tabs cannot overwrite each other.
pub async fn update(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &ReflectionForm,
) -> AppResult<Visible<reflections::Model>> {
    let txn = db::begin_write(db).await?;
    reflections::Entity::find_by_id(id)
        .select_only()
        .column(reflections::Column::Id)
        .lock_exclusive()
        .into_tuple::<i64>()
        .one(&txn)
        .await?;
    let before = get(&txn, actor, id).await?.0.into_inner();
    let p = teacher_pairings::reload_locked(&txn, before.teacher_pairing_id).await?;
    ensure(actor, &before, &p, ReflAction::Edit)?;
    if form.version.trim() != version_of(&before) {
        return Err(AppError::conflict("version", "refl-err-stale"));
    }
    let (observation_id, title, body) = checked(&txn, &p, form).await?;
    // A reflection about an observation is the observed teacher's reply, which locks the
    // observation: the link stays as it was made (an empty choice keeps it), or the
    // observation would unlock.
    let observation_id = match before.observation_id {
        Some(linked) if observation_id.is_some_and(|o| o != linked) => {
            return Err(AppError::invalid(
                "observation_id",
                Msg::new("refl-err-link-fixed"),
            ));
        }
        Some(linked) => Some(linked),
        None => observation_id,
    };
    let mut a = before.clone().into_active_model();
    a.observation_id = Set(observation_id);
    a.title = Set(title);
    a.body = Set(body);
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
    txn.commit().await?;
    // Its author just wrote it.
    Ok(Visible::granted(row))
}

/// The version a form or a client sends back with an edit.
pub fn version_of(r: &reflections::Model) -> String {
    r.version.to_string()
}

pub trait Heading {
    fn heading(&self) -> String;
}

impl Heading for reflections::Model {
    /// The title, or the body's first line cut to 30 characters.
    fn heading(&self) -> String {
        if !self.title.is_empty() {
            return self.title.clone();
        }
        let first = self.body.lines().next().unwrap_or_default();
        let mut s: String = first.chars().take(30).collect();
        if first.chars().count() > 30 {
            s.push('…');
        }
        s
    }
}

pub async fn get(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<(Visible<reflections::Model>, Visible<pairings::Model>)> {
    let r = reflections::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = teacher_pairings::get(conn, actor, r.teacher_pairing_id).await?;
    Ok((Visible::granted(r), p))
}

/// A comment by the mentor or the mentee; the other is told.
pub async fn add_comment(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    body: &str,
    ctx: &Context,
) -> AppResult<comments::Model> {
    let txn = db::begin_write(db).await?;
    let (r, _) = get(&txn, actor, id).await?;
    let p = teacher_pairings::reload_locked(&txn, r.teacher_pairing_id).await?;
    ensure(actor, &r, &p, ReflAction::Comment)?;
    let row =
        observations::insert_comment(&txn, actor, observations::CommentOn::Reflection(r.id), body)
            .await?;
    let other = observations::other_of(actor, &p);
    if let Some(u) = users::find_by_teacher(&txn, other).await? {
        let notice = Notice::new("refl-comment", format!("/reflections/{}", r.id))
            .arg("by", &actor.name)
            .arg("title", r.heading());
        notifications::notify(&txn, &u, &notice, ctx).await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// The comments on a reflection the actor sees.
pub async fn comments_of(
    conn: &impl ConnectionTrait,
    r: &Visible<reflections::Model>,
) -> AppResult<Vec<CommentView>> {
    observations::comments_of(
        conn,
        Condition::all().add(comments::Column::ReflectionId.eq(r.id)),
    )
    .await
}

/// The reflections of a pairing the actor sees, newest first.
pub async fn of_pairing(
    conn: &impl ConnectionTrait,
    pairing: &Visible<pairings::Model>,
) -> AppResult<Vec<reflections::Model>> {
    Ok(reflections::Entity::find()
        .filter(reflections::Column::TeacherPairingId.eq(pairing.id))
        .order_by_desc(reflections::Column::CreatedAt)
        .order_by_desc(reflections::Column::Id)
        .limit(200)
        .all(conn)
        .await?)
}

// ---------------------------------------------------------------- workflow

crate::domain::types::word_enum!(
    /// Where a reflection stands: open while its pairing runs, a closed record after.
    ReflStage, "refl-stage", {
        Open => "open",
        Closed => "closed",
    }
);

crate::domain::types::word_enum!(
    /// What can be done to a reflection.
    ReflAction, "refl-action", {
        Edit => "edit",
        Comment => "comment",
    }
);

/// 课后反思's steps: its author edits it and the pair comment on it while the pairing runs.
pub struct ReflectionFlow;

impl Workflow for ReflectionFlow {
    type Stage = ReflStage;
    type Action = ReflAction;
    const STEPS: &'static [Step<ReflStage, ReflAction>] = &[
        Step {
            from: &[ReflStage::Open],
            action: ReflAction::Edit,
            to: None,
            who: &[Party::Author],
        },
        Step {
            from: &[ReflStage::Open],
            action: ReflAction::Comment,
            to: None,
            who: &[Party::Mentor, Party::Mentee],
        },
    ];
    const WRONG_STAGE: &'static str = "err-pairing-ended-readonly";
}

fn stage_of(p: &pairings::Model) -> ReflStage {
    if p.status.is_ended() {
        ReflStage::Closed
    } else {
        ReflStage::Open
    }
}

/// What `actor` may do to the reflection now (the page's buttons).
pub fn actions_of(actor: &Actor, r: &reflections::Model, p: &pairings::Model) -> Vec<ReflAction> {
    workflow::allowed_actions::<ReflectionFlow>(
        stage_of(p),
        &access::reflection_parties(actor, r, p),
    )
}

/// Refuses `action` unless `actor` may take it now: 403 for someone who never may, 409
/// `teacher_pairing_id` once the pairing ended.
pub fn ensure(
    actor: &Actor,
    r: &reflections::Model,
    p: &pairings::Model,
    action: ReflAction,
) -> AppResult<()> {
    match workflow::step::<ReflectionFlow>(
        stage_of(p),
        action,
        &access::reflection_parties(actor, r, p),
    ) {
        Ok(_) => Ok(()),
        Err(AppError::Conflict { .. }) => Err(AppError::conflict(
            "teacher_pairing_id",
            ReflectionFlow::WRONG_STAGE,
        )),
        Err(e) => Err(e),
    }
}

/// Filters of the reflection list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub academic_year_id: Option<i64>,
    /// Written in this term (1 or 2) of the year: its dates, from `term_dates`.
    pub written: Option<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)>,
    pub school_id: Option<i64>,
    pub subject: String,
    pub teacher_pairing_id: Option<i64>,
}

pub fn filtered(actor: &Actor, f: &Filter) -> sea_orm::Select<reflections::Entity> {
    use sea_orm::sea_query::Query;
    let teachers_of = |cond: Condition| {
        Query::select()
            .column(teachers::Column::Id)
            .from(teachers::Entity)
            .cond_where(cond)
            .to_owned()
    };
    let mut q = reflections::Entity::find().filter(scope::visible::<reflections::Entity>(actor));
    // The filters on the pairing: its year, subject and schools.
    let mut pc = Condition::all();
    if let Some(y) = f.academic_year_id {
        pc = pc.add(pairings::Column::AcademicYearId.eq(y));
    }
    if !f.subject.trim().is_empty() {
        pc = pc.add(pairings::Column::Subject.like(types::contains(f.subject.trim())));
    }
    if let Some(s) = f.school_id {
        let school = Condition::all().add(teachers::Column::SchoolId.eq(s));
        pc = pc.add(
            Condition::any()
                .add(pairings::Column::MentorId.in_subquery(teachers_of(school.clone())))
                .add(pairings::Column::MenteeId.in_subquery(teachers_of(school))),
        );
    }
    if !pc.is_empty() {
        q = q.filter(
            reflections::Column::TeacherPairingId.in_subquery(
                Query::select()
                    .column(pairings::Column::Id)
                    .from(pairings::Entity)
                    .cond_where(pc)
                    .to_owned(),
            ),
        );
    }
    if let Some(p) = f.teacher_pairing_id {
        q = q.filter(reflections::Column::TeacherPairingId.eq(p));
    }
    if let Some((from, to)) = f.written {
        q = q
            .filter(reflections::Column::CreatedAt.gte(from))
            .filter(reflections::Column::CreatedAt.lt(to));
    }
    q.order_by_desc(reflections::Column::CreatedAt)
        .order_by_desc(reflections::Column::Id)
}

/// The instants a term of a year spans (local midnights), for `Filter::written`.
pub fn term_span(
    y: &crate::entities::academic_years::Model,
    term: u8,
) -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let (from, to) = if term == 1 {
        (y.starts_on, y.second_term_starts_on)
    } else {
        (
            y.second_term_starts_on,
            y.ends_on.succ_opt().unwrap_or(y.ends_on),
        )
    };
    (types::local_midnight(from), types::local_midnight(to))
}
