//! The access policy as one table: for each kind of record, each role and each relation
//! of the person to the record, what they may do. Services ask `require` (or `allows`)
//! before they act; the rows one may see are the SQL condition `scope` makes from this
//! table (lists, exports and every `get`, so a hidden row answers 404 like a missing one). `docs/access.md`
//! is this table printed (a test keeps it current). Steps of a workflow (publish, request
//! termination, sign…) are in each kind's transition table, not here.
use crate::domain::access::Actor;
use crate::domain::types::Role;
use crate::error::{AppError, AppResult};

crate::domain::types::word_enum!(
    /// A kind of record.
    Subject, "policy-subject", {
        School => "school",
        Teacher => "teacher",
        TeacherContact => "teacher_contact",
        User => "user",
        AcademicYear => "academic_year",
        Settings => "settings",
        Rubric => "rubric",
        AuditLog => "audit_log",
        MailFailure => "mail_failure",
        SchoolPairing => "school_pairing",
        TeacherPairing => "teacher_pairing",
        Observation => "observation",
        Reflection => "reflection",
        Secondment => "secondment",
        Contribution => "contribution",
        Visit => "visit",
        TrainingWeek => "training_week",
        Resource => "resource",
        SelfEvaluation => "self_evaluation",
        Summary => "summary",
        AnnualReport => "annual_report",
        Review => "review",
    }
);

crate::domain::types::word_enum!(
    /// How the person stands to the record.
    Relation, "policy-relation", {
        Any => "any",
        OwnSchool => "own_school",
        PairedSchool => "paired_school",
        Own => "own",
        InPairing => "in_pairing",
        // Shared with everyone (a resource of the library).
        Public => "public",
        // No relation: only `any` rules apply.
        Other => "other",
    }
);

crate::domain::types::word_enum!(
    /// What they do: see the list, read one, change one, create or remove (deactivate) one.
    Act, "policy-act", {
        List => "list",
        Read => "read",
        Write => "write",
        Manage => "manage",
    }
);

use Act::{List, Manage, Read, Write};
use Relation::{Any, InPairing, Own, OwnSchool, PairedSchool, Public};
use Role::{BureauAdmin as Bureau, SchoolAdmin, Teacher as TeacherRole};

const ALL: &[Act] = &[List, Read, Write, Manage];
const SEE: &[Act] = &[List, Read];

/// One rule: `role` standing as `relation` to a `subject` may do `acts`. `Any` covers every
/// relation. What no rule allows is refused.
pub struct Rule {
    pub subject: Subject,
    pub role: Role,
    pub relation: Relation,
    pub acts: &'static [Act],
}

const fn rule(subject: Subject, role: Role, relation: Relation, acts: &'static [Act]) -> Rule {
    Rule {
        subject,
        role,
        relation,
        acts,
    }
}

/// The policy. Read it as: "a <role> may <acts> <subject> that is <relation>".
pub const POLICY: &[Rule] = &[
    // Schools: everyone reads the directory; a school admin edits their own school's
    // profile; only the bureau adds and deactivates schools.
    rule(Subject::School, Bureau, Any, ALL),
    rule(Subject::School, SchoolAdmin, Any, SEE),
    rule(Subject::School, SchoolAdmin, OwnSchool, &[Write]),
    rule(Subject::School, TeacherRole, Any, SEE),
    // Teachers: a school admin keeps their own school's staff and reads the teachers of
    // the schools paired with or seconding to or from theirs; a teacher their own record.
    rule(Subject::Teacher, Bureau, Any, ALL),
    rule(Subject::Teacher, SchoolAdmin, OwnSchool, ALL),
    rule(Subject::Teacher, SchoolAdmin, PairedSchool, SEE),
    rule(Subject::Teacher, TeacherRole, Own, &[Read, Write]),
    // Phone and e-mail of a teacher: the bureau, their own school's admin, themselves.
    rule(Subject::TeacherContact, Bureau, Any, &[Read]),
    rule(Subject::TeacherContact, SchoolAdmin, OwnSchool, &[Read]),
    rule(Subject::TeacherContact, TeacherRole, Own, &[Read]),
    // Accounts, the calendar, settings, rubrics, the audit log and failed mails are the
    // bureau's; everyone reads the calendar and the rubrics.
    rule(Subject::User, Bureau, Any, ALL),
    rule(Subject::AcademicYear, Bureau, Any, ALL),
    rule(Subject::AcademicYear, SchoolAdmin, Any, SEE),
    rule(Subject::AcademicYear, TeacherRole, Any, SEE),
    rule(Subject::Settings, Bureau, Any, ALL),
    rule(Subject::Rubric, Bureau, Any, ALL),
    rule(Subject::Rubric, SchoolAdmin, Any, SEE),
    rule(Subject::Rubric, TeacherRole, Any, SEE),
    rule(Subject::AuditLog, Bureau, Any, SEE),
    rule(Subject::MailFailure, Bureau, Any, ALL),
    // Pairings: the bureau makes them (drafts are its own until published); the schools
    // and the pair read the published ones that concern them. Their steps are in
    // `pairing_lifecycle`.
    rule(Subject::SchoolPairing, Bureau, Any, ALL),
    rule(Subject::SchoolPairing, SchoolAdmin, OwnSchool, SEE),
    rule(Subject::SchoolPairing, TeacherRole, OwnSchool, SEE),
    rule(Subject::TeacherPairing, Bureau, Any, ALL),
    rule(Subject::TeacherPairing, SchoolAdmin, OwnSchool, SEE),
    rule(Subject::TeacherPairing, TeacherRole, InPairing, SEE),
    // Observations and reflections: written by the pair (their workflows say who and
    // when), read by the bureau and the admins of either school.
    rule(Subject::Observation, Bureau, Any, SEE),
    rule(Subject::Observation, SchoolAdmin, OwnSchool, SEE),
    rule(Subject::Observation, TeacherRole, InPairing, SEE),
    rule(Subject::Reflection, Bureau, Any, SEE),
    rule(Subject::Reflection, SchoolAdmin, OwnSchool, SEE),
    rule(Subject::Reflection, TeacherRole, InPairing, SEE),
    // Secondments: the dispatching school's admin records them, the receiving school's
    // reads them, and so does the seconded teacher.
    rule(Subject::Secondment, Bureau, Any, ALL),
    rule(Subject::Secondment, SchoolAdmin, OwnSchool, ALL),
    rule(Subject::Secondment, SchoolAdmin, PairedSchool, SEE),
    rule(Subject::Secondment, TeacherRole, Own, SEE),
    // The support ledger: the bureau reads every item; an admin of either school of the
    // item records (as the giver) and answers (as the receiver) — which one is the
    // workflow's table (`contributions::LedgerFlow`).
    rule(Subject::Contribution, Bureau, Any, SEE),
    rule(Subject::Contribution, SchoolAdmin, OwnSchool, ALL),
    // Exchange visits: an admin of either school records, corrects and removes them; the
    // bureau and the two schools' teachers read them.
    rule(Subject::Visit, Bureau, Any, SEE),
    rule(Subject::Visit, SchoolAdmin, OwnSchool, ALL),
    rule(Subject::Visit, TeacherRole, OwnSchool, SEE),
    // Training weeks: an admin of either school plans them; the host school confirms each
    // week (the workflow's table, `training::WeekFlow`); the teacher reads their own.
    rule(Subject::TrainingWeek, Bureau, Any, SEE),
    rule(Subject::TrainingWeek, SchoolAdmin, OwnSchool, ALL),
    rule(Subject::TrainingWeek, TeacherRole, Own, SEE),
    // The resource library: whoever uploaded a file keeps it (and may remove it), the
    // bureau may remove any; a file is read by those it is shared with — everyone, the
    // two schools of a school pairing (own_school), or the two teachers of a teacher
    // pairing (in_pairing, and own_school for their schools' admins).
    rule(Subject::Resource, Bureau, Any, ALL),
    rule(Subject::Resource, SchoolAdmin, Own, ALL),
    rule(Subject::Resource, SchoolAdmin, OwnSchool, SEE),
    rule(Subject::Resource, SchoolAdmin, Public, SEE),
    rule(Subject::Resource, TeacherRole, Own, ALL),
    rule(Subject::Resource, TeacherRole, OwnSchool, SEE),
    rule(Subject::Resource, TeacherRole, InPairing, SEE),
    rule(Subject::Resource, TeacherRole, Public, SEE),
    // Self-evaluations: the teacher writes their own; the schools of its steps (the
    // teacher's own, the appraising and the signing school) and the bureau read them. Who
    // takes which step is the workflow's table (`self_evaluations::SecondedFlow`,
    // `LocalFlow`).
    rule(Subject::SelfEvaluation, Bureau, Any, SEE),
    rule(Subject::SelfEvaluation, SchoolAdmin, OwnSchool, SEE),
    rule(Subject::SelfEvaluation, TeacherRole, Own, ALL),
    // Year-end summaries: a teacher writes their own work summaries, which their school
    // reads once submitted; a school writes its annual summaries; the bureau reads them
    // all. Who submits and who receives is the workflow's table (`summaries::WorkFlow`,
    // `SchoolFlow`).
    rule(Subject::Summary, Bureau, Any, SEE),
    rule(Subject::Summary, SchoolAdmin, OwnSchool, ALL),
    rule(Subject::Summary, TeacherRole, Own, ALL),
    // The bureau's annual report and its effectiveness review are the bureau's alone.
    rule(Subject::AnnualReport, Bureau, Any, ALL),
    rule(Subject::Review, Bureau, Any, ALL),
];

/// Whether `role`, standing as `relation` to a `subject`, may `act`.
pub fn allows(role: Role, subject: Subject, act: Act, relation: Relation) -> bool {
    POLICY.iter().any(|r| {
        r.subject == subject
            && r.role == role
            && (r.relation == Any || r.relation == relation)
            && r.acts.contains(&act)
    })
}

/// Whether `role` may `act` on some `subject` (a list, a new record: which rows is then the
/// module's condition).
pub fn allows_some(role: Role, subject: Subject, act: Act) -> bool {
    POLICY
        .iter()
        .any(|r| r.subject == subject && r.role == role && r.acts.contains(&act))
}

/// Whether the actor may `act` on every `subject`, whatever school it belongs to (the
/// bureau's reach): forms offer every school, not only one's own.
pub fn everywhere(actor: &Actor, subject: Subject, act: Act) -> bool {
    allows(actor.role, subject, act, Relation::Other)
}

/// Whether the actor may read every record of each of `subjects`, whatever its school (the
/// bureau): what one such actor was shown of them, any other may be shown.
pub fn sees_all_of(actor: &Actor, subjects: &[Subject]) -> bool {
    subjects.iter().all(|s| everywhere(actor, *s, Read))
}

/// `allows` for the actor, or 403.
pub fn require(actor: &Actor, subject: Subject, act: Act, relation: Relation) -> AppResult<()> {
    if allows(actor.role, subject, act, relation) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// `allows_some` for the actor, or 403.
pub fn require_some(actor: &Actor, subject: Subject, act: Act) -> AppResult<()> {
    if allows_some(actor.role, subject, act) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// How the actor stands to a record of school `school_id`.
pub fn to_school(actor: &Actor, school_id: i64) -> Relation {
    if actor.school_id == Some(school_id) {
        OwnSchool
    } else {
        Relation::Other
    }
}

/// How the actor stands to teacher `teacher_id` of school `school_id`.
pub fn to_teacher(actor: &Actor, school_id: i64, teacher_id: i64) -> Relation {
    if actor.role == TeacherRole && actor.teacher_id == Some(teacher_id) {
        Own
    } else {
        to_school(actor, school_id)
    }
}

/// The table as Markdown (docs/access.md).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Who may see and do what\n\n\
         Generated from `src/domain/access/policy.rs` (the test `policy_document_is_current` \
         fails when this file and the table differ; `TONGXING_WRITE_DOCS=1 cargo test \
         policy_document` writes it). Read each row as: a *role* may *acts* a *subject* that \
         is *relation*. `any` covers every relation; what no row allows is refused (403), and \
         a record one may not read answers like one that does not exist (404). Steps of a \
         workflow (publish, request termination, edit until replied…) are in \
         `docs/workflow.md`.\n\n\
         The rows a person may see are one SQL condition made from this table \
         (`src/domain/access/scope.rs`): for each subject it defines each relation in SQL, \
         and the rows of the relations a role's rules name are what lists, exports and every \
         single read return.\n\n\
         Acts: `list` the list, `read` one record, `write` change it, `manage` create or \
         deactivate. Relations: `own_school` the record belongs to one's school (for a \
         pairing: either side), `paired_school` a school paired with or seconding to or from \
         one's own, `own` one's own record, `in_pairing` one's own pairing as mentor or \
         mentee, `public` shared with everyone.\n\n\
         | subject | role | relation | acts |\n|---|---|---|---|\n",
    );
    for r in POLICY {
        let acts: Vec<&str> = r.acts.iter().map(|a| a.as_str()).collect();
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.subject.as_str(),
            r.role.as_str(),
            r.relation.as_str(),
            acts.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/access.md");
        if std::env::var("TONGXING_WRITE_DOCS").is_ok() {
            std::fs::write(path, markdown()).expect("write docs/access.md");
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == markdown(),
            "docs/access.md differs from the policy table: run TONGXING_WRITE_DOCS=1 cargo test policy_document"
        );
    }

    #[test]
    fn rules_read_as_the_spec_says() {
        assert!(allows(Bureau, Subject::User, Manage, Any));
        assert!(!allows_some(SchoolAdmin, Subject::User, List));
        assert!(allows(SchoolAdmin, Subject::School, Write, OwnSchool));
        assert!(!allows(SchoolAdmin, Subject::School, Write, Any));
        assert!(allows(SchoolAdmin, Subject::Teacher, Read, PairedSchool));
        assert!(!allows(
            SchoolAdmin,
            Subject::TeacherContact,
            Read,
            PairedSchool
        ));
        assert!(allows(TeacherRole, Subject::Teacher, Write, Own));
        assert!(!allows_some(TeacherRole, Subject::Teacher, List));
        // Every subject has a rule for the bureau.
        for s in Subject::ALL {
            assert!(allows_some(Bureau, *s, Read), "{s:?}");
        }
    }
}
