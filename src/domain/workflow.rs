//! Status machines as data. Each document kind declares its steps — from which stages, by
//! which action, to which stage, by whom — in one table; [`step`] checks an action against
//! it, [`allowed_actions`] lists what an actor may do now (the buttons a page shows and the
//! API's `actions`). The kind's own `transition` (see `pairing_lifecycle`) locks the row,
//! checks the stage it read, applies the change and writes the audit entry and the
//! notifications in the caller's transaction. See `docs/workflow.md`.
use std::fmt::Debug;

use crate::error::{AppError, AppResult, Msg};

/// How an actor stands to a record, as the access policy says (`access::parties`). A step
/// names the parties that may take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// Any active bureau administrator.
    Bureau,
    /// An administrator of a school the record belongs to (either side of a pairing).
    SchoolAdmin,
    /// The mentor of a teacher pairing.
    Mentor,
    /// The mentee of a teacher pairing.
    Mentee,
    /// The person who wrote the record.
    Author,
    /// The mentee whose lesson an observation records (the one who replies to it).
    Observed,
    /// The scheduled job (completions at a year's end); never a signed-in user.
    System,
    /// An administrator of the school that gave a ledger item.
    Giver,
    /// An administrator of the school that received it.
    Receiver,
    /// An administrator of the school that hosts a training week.
    Host,
    /// An administrator of the school that appraises a self-evaluation (where the teacher
    /// worked this year).
    Appraiser,
    /// An administrator of the dispatching school that signs a seconded teacher's
    /// self-evaluation.
    Signer,
}

/// A stage or an action of a workflow: a stable English word (stored, sent as JSON) and a
/// catalogue key for people.
pub trait Word: Copy + Eq + Debug + 'static {
    fn as_str(self) -> &'static str;
    fn label_key(self) -> String;
}

/// One row of a transition table.
#[derive(Debug)]
pub struct Step<S: 'static, A: 'static> {
    /// The stages the action may start from.
    pub from: &'static [S],
    pub action: A,
    /// The stage afterwards; `None` when the action leaves the stage as it is (an edit).
    pub to: Option<S>,
    /// Who may take it.
    pub who: &'static [Party],
}

/// A kind of document with a status machine.
pub trait Workflow {
    type Stage: Word;
    type Action: Word;
    /// The transition table, read by people as much as by the code.
    const STEPS: &'static [Step<Self::Stage, Self::Action>];
    /// The catalogue key of the refusal for an action not open in the current stage.
    const WRONG_STAGE: &'static str;
}

/// The step `action` takes from `stage` for someone standing as `parties`.
///
/// Refusals, in this order: nobody of the actor's parties may ever take this action →
/// 403 (`Forbidden`; the record itself was visible, or the caller would have answered
/// 404); the action is not open in this stage → 409 on `status` with the kind's message.
pub fn step<W: Workflow>(
    stage: W::Stage,
    action: W::Action,
    parties: &[Party],
) -> AppResult<&'static Step<W::Stage, W::Action>> {
    let theirs = |s: &&Step<W::Stage, W::Action>| {
        s.action == action && s.who.iter().any(|w| parties.contains(w))
    };
    let mut any = false;
    for s in W::STEPS.iter().filter(theirs) {
        any = true;
        if s.from.contains(&stage) {
            return Ok(s);
        }
    }
    if !any {
        return Err(AppError::Forbidden);
    }
    Err(AppError::Conflict {
        field: "status".into(),
        msg: Msg::new(W::WRONG_STAGE),
    })
}

/// Whether someone standing as `parties` may take `action` from some stage.
pub fn may_ever<W: Workflow>(action: W::Action, parties: &[Party]) -> bool {
    W::STEPS
        .iter()
        .any(|s| s.action == action && s.who.iter().any(|w| parties.contains(w)))
}

/// Every action the parties may take from `stage`, in table order, each once.
pub fn allowed_actions<W: Workflow>(stage: W::Stage, parties: &[Party]) -> Vec<W::Action> {
    let mut out: Vec<W::Action> = Vec::new();
    for s in W::STEPS {
        if s.from.contains(&stage)
            && s.who.iter().any(|w| parties.contains(w))
            && !out.contains(&s.action)
        {
            out.push(s.action);
        }
    }
    out
}

/// The actions as their words (the API's `actions`).
pub fn words<A: Word>(actions: &[A]) -> Vec<&'static str> {
    actions.iter().map(|a| a.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum S {
        Open,
        Shut,
    }
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum A {
        Close,
        Edit,
    }
    impl Word for S {
        fn as_str(self) -> &'static str {
            match self {
                S::Open => "open",
                S::Shut => "shut",
            }
        }
        fn label_key(self) -> String {
            format!("s-{}", self.as_str())
        }
    }
    impl Word for A {
        fn as_str(self) -> &'static str {
            match self {
                A::Close => "close",
                A::Edit => "edit",
            }
        }
        fn label_key(self) -> String {
            format!("a-{}", self.as_str())
        }
    }
    struct Door;
    impl Workflow for Door {
        type Stage = S;
        type Action = A;
        const STEPS: &'static [Step<S, A>] = &[
            Step {
                from: &[S::Open],
                action: A::Close,
                to: Some(S::Shut),
                who: &[Party::Bureau],
            },
            Step {
                from: &[S::Open],
                action: A::Edit,
                to: None,
                who: &[Party::Author, Party::Bureau],
            },
        ];
        const WRONG_STAGE: &'static str = "err-door";
    }

    #[test]
    fn steps_follow_the_table() {
        assert_eq!(
            step::<Door>(S::Open, A::Close, &[Party::Bureau])
                .unwrap()
                .to,
            Some(S::Shut)
        );
        assert!(matches!(
            step::<Door>(S::Open, A::Close, &[Party::Author]),
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            step::<Door>(S::Shut, A::Close, &[Party::Bureau]),
            Err(AppError::Conflict { .. })
        ));
        assert_eq!(
            allowed_actions::<Door>(S::Open, &[Party::Author]),
            vec![A::Edit]
        );
        assert_eq!(
            allowed_actions::<Door>(S::Open, &[Party::Bureau]),
            vec![A::Close, A::Edit]
        );
        assert!(allowed_actions::<Door>(S::Shut, &[Party::Bureau]).is_empty());
    }
}
