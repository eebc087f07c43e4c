//! The lifecycle school pairings and teacher pairings share: one status type, one table of
//! steps per kind, one `transition` that locks the row, checks the stage it read, writes
//! the change, the audit entry and the notifications in the caller's transaction.
//!
//! ```text
//! draft ──publish──▶ active ──request_termination──▶ active (requested)
//!                      │  ▲──────reject_request───────────┘  │
//!                      ├──terminate──▶ terminated ◀──terminate┤
//!                      └──complete───▶ completed  ◀──complete─┘
//! ```
use std::future::Future;

use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use crate::domain::access::Actor;
use crate::domain::audit;
use crate::domain::context::Context;
use crate::domain::types::{self, PairingStatus};
use crate::domain::workflow::{self, Party, Step, Workflow};
use crate::error::{AppError, AppResult};

crate::domain::types::word_enum!(
    /// Where a pairing stands: its stored status, and for an active pairing whether a
    /// termination request waits for the bureau.
    Stage, "pairing-stage", {
        Draft => "draft",
        Active => "active",
        Requested => "requested",
        Completed => "completed",
        Terminated => "terminated",
    }
);

impl Stage {
    pub fn of(status: PairingStatus, requested: bool) -> Stage {
        match status {
            PairingStatus::Draft => Stage::Draft,
            PairingStatus::Active if requested => Stage::Requested,
            PairingStatus::Active => Stage::Active,
            PairingStatus::Completed => Stage::Completed,
            PairingStatus::Terminated => Stage::Terminated,
        }
    }

    /// The status stored for this stage.
    pub fn status(self) -> PairingStatus {
        match self {
            Stage::Draft => PairingStatus::Draft,
            Stage::Active | Stage::Requested => PairingStatus::Active,
            Stage::Completed => PairingStatus::Completed,
            Stage::Terminated => PairingStatus::Terminated,
        }
    }
}

crate::domain::types::word_enum!(
    /// What can be done to a pairing or inside it. The first six change its stage or its
    /// request; the others add to an active pairing's records and leave the stage as it is.
    Action, "pairing-action", {
        Edit => "edit",
        Publish => "publish",
        RequestTermination => "request_termination",
        RejectRequest => "reject_request",
        Terminate => "terminate",
        Complete => "complete",
        RecordEndReason => "record_end_reason",
        Observe => "observe",
        Reflect => "reflect",
        Contact => "contact",
        EditPlan => "edit_plan",
        Comment => "comment",
        Delete => "delete",
    }
);

impl Action {
    /// The audit log's word (kept from before the engine, so old entries read the same).
    pub fn audit_word(self) -> &'static str {
        match self {
            Action::RejectRequest => "reject_termination",
            Action::RecordEndReason => "end_reason",
            a => a.as_str(),
        }
    }

    /// Whether the step needs a reason (1–1000 characters, on field `reason`).
    fn needs_reason(self) -> bool {
        matches!(
            self,
            Action::RequestTermination | Action::Terminate | Action::RecordEndReason
        )
    }
}

use Party::{Bureau, Mentee, Mentor, SchoolAdmin, System};
use Stage::{Active, Completed, Draft, Requested, Terminated};

const RUNNING: &[Stage] = &[Active, Requested];
const ENDED: &[Stage] = &[Completed, Terminated];

/// The steps every pairing has; `request_termination` is added per kind (who may ask).
macro_rules! lifecycle_steps {
    ($requesters:expr $(, $extra:expr)* $(,)?) => {
        &[
            Step { from: &[Draft], action: Action::Edit, to: None, who: &[Bureau] },
            Step { from: &[Draft], action: Action::Publish, to: Some(Active), who: &[Bureau] },
            Step { from: &[Draft], action: Action::Delete, to: None, who: &[Bureau] },
            Step { from: &[Active], action: Action::RequestTermination, to: Some(Requested), who: $requesters },
            Step { from: &[Requested], action: Action::RejectRequest, to: Some(Active), who: &[Bureau] },
            Step { from: RUNNING, action: Action::Terminate, to: Some(Terminated), who: &[Bureau] },
            Step { from: RUNNING, action: Action::Complete, to: Some(Completed), who: &[System] },
            $($extra,)*
        ]
    };
}

/// 学校结对: the bureau decides; either school's admin may ask to end it.
pub struct SchoolPairingFlow;

impl Workflow for SchoolPairingFlow {
    type Stage = Stage;
    type Action = Action;
    const STEPS: &'static [Step<Stage, Action>] = lifecycle_steps!(&[SchoolAdmin]);
    const WRONG_STAGE: &'static str = "err-pairing-transition";
}

/// 师徒结对: as a school pairing, and either teacher may also ask to end it; once it
/// ended each of the two may say why. While it runs the pair record observations,
/// reflections (the mentee), contacts, the work plan (the mentor, and the bureau) and
/// comments on the plan.
pub struct TeacherPairingFlow;

impl Workflow for TeacherPairingFlow {
    type Stage = Stage;
    type Action = Action;
    const STEPS: &'static [Step<Stage, Action>] = lifecycle_steps!(
        &[SchoolAdmin, Mentor, Mentee],
        Step {
            from: ENDED,
            action: Action::RecordEndReason,
            to: None,
            who: &[Mentor, Mentee]
        },
        Step {
            from: RUNNING,
            action: Action::Observe,
            to: None,
            who: &[Mentor, Mentee]
        },
        Step {
            from: RUNNING,
            action: Action::Reflect,
            to: None,
            who: &[Mentee]
        },
        Step {
            from: RUNNING,
            action: Action::Contact,
            to: None,
            who: &[Mentor, Mentee]
        },
        Step {
            from: &[Draft, Active, Requested],
            action: Action::EditPlan,
            to: None,
            who: &[Bureau, Mentor]
        },
        Step {
            from: &[Draft, Active, Requested],
            action: Action::Comment,
            to: None,
            who: &[Bureau, Mentor, Mentee]
        },
    );
    const WRONG_STAGE: &'static str = "err-pairing-transition";
}

/// The lifecycle's columns, named alike in both tables.
#[derive(Debug, Clone, Copy)]
pub enum Col {
    Id,
    Status,
    PublishedAt,
    RequestedBy,
    RequestedAt,
    RequestReason,
    TerminateReason,
    TerminatedAt,
    CompletedAt,
    UpdatedAt,
}

pub type Model<K> = <<K as PairingKind>::Entity as EntityTrait>::Model;

/// Makes `$kind` follow `$flow`'s table (`impl Workflow`).
macro_rules! follows {
    ($kind:ident, $flow:ident) => {
        impl $crate::domain::workflow::Workflow for $kind {
            type Stage = $crate::domain::pairing_lifecycle::Stage;
            type Action = $crate::domain::pairing_lifecycle::Action;
            const STEPS: &'static [$crate::domain::workflow::Step<Self::Stage, Self::Action>] =
                <$flow as $crate::domain::workflow::Workflow>::STEPS;
            const WRONG_STAGE: &'static str =
                <$flow as $crate::domain::workflow::Workflow>::WRONG_STAGE;
        }
    };
}
pub(crate) use follows;

/// The parts of `PairingKind` that only name the lifecycle's columns, which both tables
/// name alike (inside the `impl PairingKind` block).
macro_rules! lifecycle_columns {
    ($m:ident) => {
        fn col(c: $crate::domain::pairing_lifecycle::Col) -> $m::Column {
            use $crate::domain::pairing_lifecycle::Col;
            use $m::Column as C;
            match c {
                Col::Id => C::Id,
                Col::Status => C::Status,
                Col::PublishedAt => C::PublishedAt,
                Col::RequestedBy => C::TerminationRequestedBy,
                Col::RequestedAt => C::TerminationRequestedAt,
                Col::RequestReason => C::TerminationRequestReason,
                Col::TerminateReason => C::TerminateReason,
                Col::TerminatedAt => C::TerminatedAt,
                Col::CompletedAt => C::CompletedAt,
                Col::UpdatedAt => C::UpdatedAt,
            }
        }

        fn stage(row: &$m::Model) -> $crate::domain::pairing_lifecycle::Stage {
            $crate::domain::pairing_lifecycle::Stage::of(
                row.status,
                row.termination_requested_at.is_some(),
            )
        }

        fn requested_by(row: &$m::Model) -> Option<i64> {
            row.termination_requested_by
        }
    };
}
pub(crate) use lifecycle_columns;

/// A kind of pairing: its table, who stands how to a row, what its publish checks and
/// whom its steps tell.
pub trait PairingKind: Workflow<Stage = Stage, Action = Action> + Sized {
    type Entity: EntityTrait;
    /// The audit log's entity name.
    const AUDIT: &'static str;

    fn col(c: Col) -> <Self::Entity as EntityTrait>::Column;

    fn stage(row: &Model<Self>) -> Stage;

    /// Who asked for the termination that waits, if one does.
    fn requested_by(row: &Model<Self>) -> Option<i64>;

    /// The row as `actor` may see it; a hidden row is `NotFound` like a missing one.
    fn get(
        conn: &impl ConnectionTrait,
        actor: &Actor,
        id: i64,
    ) -> impl Future<Output = AppResult<Model<Self>>> + Send;

    /// The row whoever asks (the scheduled job).
    fn find(
        conn: &impl ConnectionTrait,
        id: i64,
    ) -> impl Future<Output = AppResult<Model<Self>>> + Send;

    /// Locks the row until the transaction ends (PostgreSQL; SQLite serialises writers).
    fn lock(conn: &impl ConnectionTrait, id: i64) -> impl Future<Output = AppResult<()>> + Send;

    /// How `actor` stands to the row (the access policy).
    fn parties(
        conn: &impl ConnectionTrait,
        actor: &Actor,
        row: &Model<Self>,
    ) -> impl Future<Output = AppResult<Vec<Party>>> + Send;

    /// The kind's own rules before a step (a publish checks the draft again).
    fn check(
        conn: &impl ConnectionTrait,
        row: &Model<Self>,
        action: Action,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// A column a step writes besides the lifecycle's own (a teacher's end reason).
    fn extra(
        _action: Action,
        _parties: &[Party],
        _reason: &str,
    ) -> Option<(<Self::Entity as EntityTrait>::Column, SimpleExpr)> {
        None
    }

    /// Removes what belongs to a draft before the draft is deleted (a teacher pairing's
    /// plan comments), in the caller's transaction.
    fn delete_records(
        conn: &impl ConnectionTrait,
        id: i64,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// Tells those concerned, in the caller's transaction.
    fn notify(
        conn: &impl ConnectionTrait,
        ctx: &Context,
        done: &Done<'_, Self>,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// Brings what is kept about a row up to date after a step, in the caller's
    /// transaction (a teacher pairing's shortfall against its targets).
    fn stepped(
        conn: &impl ConnectionTrait,
        row: &Model<Self>,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

/// A step that was taken, for the notifications.
pub struct Done<'a, K: PairingKind> {
    pub actor: Option<&'a Actor>,
    pub action: Action,
    pub parties: &'a [Party],
    pub before: &'a Model<K>,
    pub after: &'a Model<K>,
    /// The reason given with the step (trimmed), or "".
    pub reason: &'a str,
}

/// What `actor` may do to the row now (the page's buttons, the API's `actions`).
pub async fn allowed_actions<K: PairingKind>(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    row: &Model<K>,
) -> AppResult<Vec<Action>> {
    let parties = K::parties(conn, actor, row).await?;
    Ok(workflow::allowed_actions::<K>(K::stage(row), &parties))
}

/// `ensure` for pairing `id` as `actor` may see it: 404 for one they may not see, 403 for
/// a step never theirs, 409 for one not possible at this stage. Handlers ask it before
/// reading a request's body.
pub async fn ensure_id<K: PairingKind>(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
    action: Action,
) -> AppResult<()> {
    let row = K::get(conn, actor, id).await?;
    ensure::<K>(conn, actor, &row, action).await
}

/// Refuses `action` unless `actor` may take it on the row now (for the records added to a
/// pairing: observations, reflections, contacts, the plan and its comments).
pub async fn ensure<K: PairingKind>(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    row: &Model<K>,
    action: Action,
) -> AppResult<()> {
    let parties = K::parties(conn, actor, row).await?;
    let stage = K::stage(row);
    workflow::step::<K>(stage, action, &parties).map_err(|e| refine(e, stage, action))?;
    Ok(())
}

/// Takes one step on pairing `id` in the caller's transaction: locks the row, reads it as
/// the actor may see it (404 when hidden), checks the step against the table (403 for a
/// party that may never take it, 409 `status` for a stage it is not open in), checks the
/// kind's rules and the reason, writes the change only if the stage is still the one read
/// (a concurrent step makes it 409), then the audit entry and the notifications.
/// `actor` is `None` for the scheduled job (party `System`).
pub async fn transition<K: PairingKind>(
    conn: &impl ConnectionTrait,
    ctx: &Context,
    actor: Option<&Actor>,
    id: i64,
    action: Action,
    reason: &str,
) -> AppResult<Model<K>>
where
    Model<K>: Serialize,
{
    K::lock(conn, id).await?;
    let (before, parties) = match actor {
        Some(a) => {
            let row = K::get(conn, a, id).await?;
            let parties = K::parties(conn, a, &row).await?;
            (row, parties)
        }
        None => (K::find(conn, id).await?, vec![System]),
    };
    let stage = K::stage(&before);
    let step =
        workflow::step::<K>(stage, action, &parties).map_err(|e| refine(e, stage, action))?;
    let reason = if action.needs_reason() {
        types::required_text(reason, 1000).map_err(|m| AppError::invalid("reason", m))?
    } else {
        String::new()
    };
    K::check(conn, &before, action).await?;
    let now = ctx.now();
    let c = K::col;
    let mut update = <K::Entity as EntityTrait>::update_many()
        .col_expr(c(Col::UpdatedAt), Expr::value(now))
        .filter(c(Col::Id).eq(id))
        .filter(c(Col::Status).eq(stage.status().as_str()));
    update = match stage {
        Requested => update.filter(c(Col::RequestedAt).is_not_null()),
        Active => update.filter(c(Col::RequestedAt).is_null()),
        _ => update,
    };
    let to = step.to.unwrap_or(stage);
    if to.status() != stage.status() {
        update = update.col_expr(c(Col::Status), Expr::value(to.status().as_str()));
    }
    let by = actor.map(|a| a.user_id);
    let none: Option<String> = None;
    update = match action {
        Action::Publish => update.col_expr(c(Col::PublishedAt), Expr::value(now)),
        Action::RequestTermination => update
            .col_expr(c(Col::RequestedBy), Expr::value(by))
            .col_expr(c(Col::RequestedAt), Expr::value(now))
            .col_expr(c(Col::RequestReason), Expr::value(reason.clone())),
        Action::RejectRequest => update
            .col_expr(c(Col::RequestedBy), Expr::value(None::<i64>))
            .col_expr(
                c(Col::RequestedAt),
                Expr::value(None::<chrono::DateTime<chrono::Utc>>),
            )
            .col_expr(c(Col::RequestReason), Expr::value(none)),
        Action::Terminate => update
            .col_expr(c(Col::TerminateReason), Expr::value(reason.clone()))
            .col_expr(c(Col::TerminatedAt), Expr::value(now)),
        Action::Complete => update.col_expr(c(Col::CompletedAt), Expr::value(now)),
        _ => update,
    };
    if let Some((col, value)) = K::extra(action, &parties, &reason) {
        update = update.col_expr(col, value);
    }
    if update.exec(conn).await?.rows_affected != 1 {
        return Err(AppError::conflict("status", K::WRONG_STAGE));
    }
    let after = K::find(conn, id).await?;
    audit::record(
        conn,
        actor,
        action.audit_word(),
        K::AUDIT,
        Some(id),
        Some(&before),
        Some(&after),
    )
    .await?;
    let done = Done {
        actor,
        action,
        parties: &parties,
        before: &before,
        after: &after,
        reason: &reason,
    };
    K::notify(conn, ctx, &done).await?;
    K::stepped(conn, &after).await?;
    Ok(after)
}

/// Deletes a draft in the caller's transaction: locks the row, reads it as the actor may
/// see it (404 when hidden), checks the step (403 for anyone but the bureau, 409 once it
/// is published), checks the kind's rules (a school pairing with teacher pairings under
/// it stays), removes what belongs to it, deletes it only if it is still a draft and
/// writes the audit entry with the row as it was.
pub async fn delete<K: PairingKind>(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<()>
where
    Model<K>: Serialize,
{
    K::lock(conn, id).await?;
    let before = K::get(conn, actor, id).await?;
    ensure::<K>(conn, actor, &before, Action::Delete).await?;
    K::check(conn, &before, Action::Delete).await?;
    K::delete_records(conn, id).await?;
    let c = K::col;
    let gone = <K::Entity as EntityTrait>::delete_many()
        .filter(c(Col::Id).eq(id))
        .filter(c(Col::Status).eq(PairingStatus::Draft.as_str()))
        .exec(conn)
        .await?;
    if gone.rows_affected != 1 {
        return Err(AppError::conflict("status", K::WRONG_STAGE));
    }
    audit::record(
        conn,
        Some(actor),
        Action::Delete.audit_word(),
        K::AUDIT,
        Some(id),
        Some(&before),
        None::<&Model<K>>,
    )
    .await?;
    Ok(())
}

/// The moment a row was last saved, as an edit form carries it (`read_at`) to find out
/// whether someone saved the row since the form was opened.
pub fn read_at_of(updated_at: chrono::DateTime<chrono::Utc>) -> String {
    updated_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The form's `read_at`, when it carries one that reads as a time.
pub fn parse_read_at(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(value.trim())
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Refuses an edit made on a draft someone saved since the editor opened it (409 on
/// `read_at`); `None` (the API) does not check.
pub fn check_not_stale(
    read_at: Option<chrono::DateTime<chrono::Utc>>,
    updated_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    match read_at {
        Some(r) if r.timestamp_micros() != updated_at.timestamp_micros() => {
            Err(AppError::conflict("read_at", "err-pairing-stale"))
        }
        _ => Ok(()),
    }
}

/// The plainer refusals where the table says "not in this stage": a request that is
/// already waiting, a rejection with none waiting, an end reason before the end, a record
/// added to a pairing that is not running (on `teacher_pairing_id`, the field that names it).
fn refine(e: AppError, stage: Stage, action: Action) -> AppError {
    if !matches!(e, AppError::Conflict { .. }) {
        return e;
    }
    let (field, key) = match (stage, action) {
        (Requested, Action::RequestTermination) => ("status", "err-pairing-already-requested"),
        (Active, Action::RejectRequest) => ("status", "err-pairing-no-request"),
        (_, Action::RecordEndReason) => ("status", "err-pairing-not-ended"),
        (_, Action::Observe | Action::Reflect | Action::Contact) => {
            ("teacher_pairing_id", "obs-err-pairing-not-active")
        }
        (_, Action::EditPlan | Action::Comment) => {
            ("teacher_pairing_id", "err-pairing-ended-readonly")
        }
        (Completed | Terminated, _) => ("status", "err-pairing-ended-readonly"),
        (_, Action::Edit | Action::Publish | Action::Delete) => ("status", "err-pairing-not-draft"),
        (_, Action::RequestTermination | Action::Terminate) => ("status", "err-pairing-not-active"),
        _ => return e,
    };
    AppError::conflict(field, key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::allowed_actions;

    #[test]
    fn both_kinds_share_the_lifecycle() {
        for (stage, who) in [(Draft, Bureau), (Active, Bureau), (Requested, Bureau)] {
            let school: Vec<_> = allowed_actions::<SchoolPairingFlow>(stage, &[who]);
            let teacher: Vec<_> = allowed_actions::<TeacherPairingFlow>(stage, &[who])
                .into_iter()
                .filter(|a| !matches!(a, Action::EditPlan | Action::Comment))
                .collect();
            assert_eq!(school, teacher, "{stage:?}");
        }
        assert_eq!(
            allowed_actions::<SchoolPairingFlow>(Active, &[SchoolAdmin]),
            vec![Action::RequestTermination]
        );
        assert!(allowed_actions::<SchoolPairingFlow>(Requested, &[SchoolAdmin]).is_empty());
        assert_eq!(
            allowed_actions::<TeacherPairingFlow>(Terminated, &[Mentee]),
            vec![Action::RecordEndReason]
        );
        assert_eq!(
            allowed_actions::<TeacherPairingFlow>(Active, &[Mentee]),
            vec![
                Action::RequestTermination,
                Action::Observe,
                Action::Reflect,
                Action::Contact,
                Action::Comment
            ]
        );
        // Nobody signed in is ever System: completing is the job's alone.
        for who in [Bureau, SchoolAdmin, Mentor, Mentee] {
            assert!(
                !allowed_actions::<TeacherPairingFlow>(Active, &[who]).contains(&Action::Complete)
            );
        }
    }
}
