//! How the audit log reads: each entry's record by its name, with a link to its page, and
//! its changes as field labels and values in words — never column names, ids or JSON.
//! The names of a page of entries are loaded together, one query per kind of record.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Map, Value};

use crate::domain::{names, rubrics};
use crate::entities::{
    academic_years, api_tokens, audit_log, contacts, observations, outbox, reflections,
    rubrics as rubric_rows, school_pairings, secondments, teacher_pairings,
};
use crate::error::AppResult;
use crate::i18n::Lang;

/// The longest text shown whole; longer ones end in `…`.
const SHORT: usize = 60;

/// A value or a name as the reader sees it, put into words in their language when shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    /// Nothing there (—).
    Empty,
    Text(String),
    /// Texts of a list (subjects, grades), joined as the language writes lists.
    List(Vec<String>),
    /// A catalogue string: an enum value's label, a fixed word.
    Key(String),
    /// Catalogue strings joined as a list (kinds of support).
    Keys(Vec<String>),
    Yes(bool),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    /// An academic year's name (`2026-2027`), read as `2026—2027学年`.
    Year(String),
    /// A grade band or level word of a rubric (its English name where it has one).
    Band(String),
    /// A catalogue string with arguments.
    Msg(&'static str, Vec<(&'static str, Shown)>),
}

impl Shown {
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Shown::Empty => "—".to_string(),
            Shown::Text(s) => s.clone(),
            Shown::List(items) => items.join(lang.sep()),
            Shown::Key(key) => lang.t(key),
            Shown::Keys(keys) => keys
                .iter()
                .map(|k| lang.t(k))
                .collect::<Vec<_>>()
                .join(lang.sep()),
            Shown::Yes(yes) => lang.t(if *yes { "audit-yes" } else { "audit-no" }),
            Shown::Date(d) => lang.date(*d),
            Shown::Time(at) => lang.datetime_seconds(*at),
            Shown::Year(name) => match crate::domain::academic_years::parse_year_name(name) {
                Ok((from, to)) => lang.t_args(
                    "year-label",
                    &[("from", from.to_string()), ("to", to.to_string())],
                ),
                Err(_) => name.clone(),
            },
            Shown::Band(word) => match (lang, rubrics::band_key(word)) {
                (Lang::En, Some(key)) => lang.t(key),
                _ => word.clone(),
            },
            Shown::Msg(key, args) => {
                let args: Vec<(&str, String)> =
                    args.iter().map(|(n, v)| (*n, v.text(lang))).collect();
                lang.t_args(key, &args)
            }
        }
    }
}

/// A record as the log names it, with the page it has (none once it is gone).
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub name: Shown,
    pub link: Option<String>,
}

/// One field of an entry: its label (one or more catalogue keys, read joined by ` · `) and
/// its value before and after. A new record has only `after`, a deleted one only `before`.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub label: Vec<&'static str>,
    pub before: Option<Shown>,
    pub after: Option<Shown>,
}

/// The kinds of records a value or an entry may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    School,
    Teacher,
    User,
    Year,
    Rubric,
    Observation,
    Reflection,
    Contact,
    Secondment,
    TeacherPairing,
    SchoolPairing,
    Token,
    Mail,
}

impl Kind {
    /// The kind of an audit entry's entity word.
    pub fn of_entity(entity: &str) -> Option<Kind> {
        Some(match entity {
            "school" => Kind::School,
            "teacher" => Kind::Teacher,
            "user" => Kind::User,
            "academic_year" => Kind::Year,
            "rubric" => Kind::Rubric,
            "observation" => Kind::Observation,
            "reflection" => Kind::Reflection,
            "contact" => Kind::Contact,
            "secondment" => Kind::Secondment,
            "teacher_pairing" => Kind::TeacherPairing,
            "school_pairing" => Kind::SchoolPairing,
            "api_token" => Kind::Token,
            "mail" => Kind::Mail,
            _ => return None,
        })
    }
}

/// How a field's stored value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum As {
    /// Not shown: ids, versions, bookkeeping, and what the sentence already says.
    Hidden,
    Text,
    Number,
    /// Integer fen, read as ¥ with two decimals.
    Money,
    Bool,
    /// `is_active`: 在用 / 已停用.
    Active,
    /// An enum word, read by its label key `{prefix}-{word}`.
    Word(&'static str),
    /// A JSON list of enum words.
    Words(&'static str),
    /// A JSON list of texts.
    List,
    Date,
    Time,
    /// The id of another record, read as its name.
    Ref(Kind),
    Year,
    Band,
    /// Too long or too structured to show (scores, the plan): only that it changed.
    Changed,
    /// A rubric's definition, read as how many sections and items it has.
    Definition,
}

/// A field: its key in the stored record, its label keys (space-separated when a part of
/// a field, `term-first tp-target-observations`), and how its value reads.
pub type Field = (&'static str, &'static str, As);

const SCHOOL: &[Field] = &[
    ("name", "field-name", As::Text),
    ("code", "field-code", As::Text),
    ("kind", "field-kind", As::Word("school-kind")),
    ("stage", "field-stage", As::Word("stage")),
    ("district", "field-district", As::Text),
    ("township", "field-township", As::Text),
    ("address", "field-address", As::Text),
    ("principal", "field-principal", As::Text),
    ("phone", "field-phone", As::Text),
    ("student_count", "field-student-count", As::Number),
    ("teacher_count", "field-teacher-count", As::Number),
    ("is_active", "field-status", As::Active),
];

const TEACHER: &[Field] = &[
    ("school_id", "field-school", As::Ref(Kind::School)),
    ("name", "field-person-name", As::Text),
    ("gender", "field-gender", As::Word("gender")),
    ("staff_no", "field-staff-no", As::Text),
    ("subjects", "field-subjects", As::List),
    ("grades", "field-grades", As::List),
    ("title", "field-title", As::Word("title")),
    ("years_teaching", "field-years-teaching", As::Number),
    ("honours", "field-honours", As::List),
    ("phone", "field-phone", As::Text),
    ("email", "field-email", As::Text),
    ("is_active", "field-status", As::Active),
];

/// An account as the log keeps it (`users::UserView`; never the password).
const USER: &[Field] = &[
    ("name", "field-person-name", As::Text),
    ("email", "field-email", As::Text),
    ("role", "field-role", As::Word("role")),
    ("school_id", "field-school", As::Ref(Kind::School)),
    ("teacher_id", "field-teacher", As::Ref(Kind::Teacher)),
    ("is_active", "field-status", As::Active),
    ("locale", "audit-field-locale", As::Word("audit-locale")),
    ("last_login_at", "field-last-login", As::Time),
    ("password_hash", "", As::Hidden),
];

const YEAR: &[Field] = &[
    ("name", "field-year-name", As::Year),
    ("starts_on", "field-starts-on", As::Date),
    ("second_term_starts_on", "field-second-term", As::Date),
    ("ends_on", "field-ends-on", As::Date),
    ("is_current", "field-is-current", As::Bool),
    (
        "secondments_planned",
        "field-secondments-planned",
        As::Number,
    ),
];

const RUBRIC: &[Field] = &[
    ("name", "rubrics-field-name", As::Text),
    ("description", "rubrics-field-description", As::Text),
    ("definition", "audit-field-definition", As::Definition),
    ("version", "audit-field-version", As::Number),
    ("is_current", "audit-field-is-current-version", As::Bool),
    ("is_active", "field-status", As::Active),
    ("code", "", As::Hidden),
    ("created_by", "", As::Hidden),
];

const OBSERVATION: &[Field] = &[
    (
        "teacher_pairing_id",
        "obs-field-pairing",
        As::Ref(Kind::TeacherPairing),
    ),
    ("observed_on", "obs-field-date", As::Date),
    ("observer_id", "obs-field-observer", As::Ref(Kind::Teacher)),
    ("observed_id", "obs-field-observed", As::Ref(Kind::Teacher)),
    ("grade_class", "obs-field-class", As::Text),
    ("subject", "obs-field-subject", As::Text),
    ("topic", "obs-field-topic", As::Text),
    ("lesson_kind", "obs-field-kind", As::Word("lesson-kind")),
    ("mode", "obs-field-mode", As::Word("lesson-mode")),
    ("recording_url", "obs-field-recording", As::Text),
    ("rubric_id", "obs-field-rubric", As::Ref(Kind::Rubric)),
    ("scores", "obs-score", As::Changed),
    ("total_score", "obs-total", As::Number),
    ("band", "export-obs-grade", As::Band),
    ("strengths", "obs-field-strengths", As::Text),
    ("suggestions", "obs-field-suggestions", As::Text),
    ("comment", "obs-field-comment", As::Text),
    ("section_scores", "", As::Hidden),
    ("author_id", "", As::Hidden),
    ("version", "", As::Hidden),
];

const REFLECTION: &[Field] = &[
    (
        "teacher_pairing_id",
        "obs-field-pairing",
        As::Ref(Kind::TeacherPairing),
    ),
    (
        "observation_id",
        "refl-field-observation",
        As::Ref(Kind::Observation),
    ),
    ("title", "refl-field-title", As::Text),
    ("body", "refl-field-body", As::Text),
    ("author_id", "", As::Hidden),
    ("version", "", As::Hidden),
];

const CONTACT: &[Field] = &[
    ("kind", "contact-field-kind", As::Word("contact-kind")),
    ("contacted_on", "contact-field-date", As::Date),
    ("summary", "contact-field-summary", As::Text),
    ("teacher_pairing_id", "", As::Hidden),
    ("author_id", "", As::Hidden),
];

const CONTRIBUTION: &[Field] = &[
    (
        "school_pairing_id",
        "ledger-field-pairing",
        As::Ref(Kind::SchoolPairing),
    ),
    (
        "giver_school_id",
        "ledger-field-giver",
        As::Ref(Kind::School),
    ),
    (
        "receiver_school_id",
        "ledger-field-receiver",
        As::Ref(Kind::School),
    ),
    ("given_on", "ledger-field-given-on", As::Date),
    ("kind", "ledger-field-kind", As::Word("contribution-kind")),
    ("description", "ledger-field-description", As::Text),
    ("quantity", "ledger-field-quantity", As::Number),
    ("value_fen", "ledger-field-value", As::Money),
    ("from_students", "ledger-field-from-students", As::Bool),
    ("status", "field-status", As::Word("ledger-status")),
    ("note", "ledger-field-note", As::Text),
    ("recorded_by", "", As::Hidden),
    (
        "answered_by",
        "ledger-field-answered-by",
        As::Ref(Kind::User),
    ),
    ("answered_at", "", As::Hidden),
    ("version", "", As::Hidden),
];

const VISIT: &[Field] = &[
    (
        "school_pairing_id",
        "ledger-field-pairing",
        As::Ref(Kind::SchoolPairing),
    ),
    ("kind", "visit-field-kind", As::Word("visit-kind")),
    ("host_school_id", "visit-field-host", As::Ref(Kind::School)),
    (
        "guest_school_id",
        "visit-field-guest",
        As::Ref(Kind::School),
    ),
    ("starts_on", "visit-field-starts-on", As::Date),
    ("ends_on", "visit-field-ends-on", As::Date),
    ("teacher_ids", "visit-field-teachers", As::Changed),
    ("student_count", "visit-field-students", As::Number),
    (
        "activities",
        "visit-field-activities",
        As::Words("visit-activity"),
    ),
    ("summary", "visit-field-summary", As::Text),
    ("outcome", "visit-field-outcome", As::Text),
    ("classes", "visit-field-classes", As::Text),
    ("gift", "visit-field-gift", As::Text),
    ("contribution_id", "", As::Hidden),
    ("recorded_by", "", As::Hidden),
    ("version", "", As::Hidden),
];

const VISIT_PHOTO: &[Field] = &[
    ("visit_id", "", As::Hidden),
    ("width", "", As::Hidden),
    ("height", "", As::Hidden),
    ("size_bytes", "", As::Hidden),
    ("uploaded_by", "", As::Hidden),
];

const RESOURCE: &[Field] = &[
    ("title", "resource-field-title", As::Text),
    ("kind", "resource-field-kind", As::Word("resource-kind")),
    ("subject", "resource-field-subject", As::Text),
    ("grade", "resource-field-grade", As::Text),
    (
        "visibility",
        "resource-field-visibility",
        As::Word("resource-visibility"),
    ),
    (
        "school_pairing_id",
        "resource-field-school-pairing",
        As::Ref(Kind::SchoolPairing),
    ),
    (
        "teacher_pairing_id",
        "resource-field-teacher-pairing",
        As::Ref(Kind::TeacherPairing),
    ),
    ("file_name", "resource-field-file", As::Text),
    ("content_type", "", As::Hidden),
    ("size_bytes", "", As::Hidden),
];

const TRAINING_WEEK: &[Field] = &[
    (
        "school_pairing_id",
        "ledger-field-pairing",
        As::Ref(Kind::SchoolPairing),
    ),
    ("teacher_id", "week-field-teacher", As::Ref(Kind::Teacher)),
    ("host_school_id", "week-field-host", As::Ref(Kind::School)),
    ("guest_school_id", "week-field-guest", As::Ref(Kind::School)),
    ("academic_year_id", "field-year-name", As::Ref(Kind::Year)),
    ("term", "week-field-term", As::Number),
    ("starts_on", "week-field-starts-on", As::Date),
    ("ends_on", "week-field-ends-on", As::Date),
    ("status", "field-status", As::Word("week-status")),
    ("note", "week-field-note", As::Text),
    ("answered_by", "week-field-answered-by", As::Ref(Kind::User)),
    ("answered_at", "", As::Hidden),
    ("created_by", "", As::Hidden),
    ("version", "", As::Hidden),
];

/// A term's training weeks generated on a school pairing.
const SCHEDULE: &[Field] = &[
    ("academic_year", "field-year-name", As::Year),
    ("term", "week-field-term", As::Number),
    ("week_of_month", "week-field-week-of-month", As::Number),
    ("teacher_ids", "week-field-teachers", As::Changed),
    ("weeks_added", "week-field-weeks-added", As::Number),
];

const SECONDMENT: &[Field] = &[
    ("teacher_id", "field-teacher", As::Ref(Kind::Teacher)),
    ("from_school_id", "field-from-school", As::Ref(Kind::School)),
    ("to_school_id", "field-to-school", As::Ref(Kind::School)),
    ("academic_year_id", "field-year-name", As::Ref(Kind::Year)),
    ("term", "field-term", As::Word("term")),
    ("batch", "field-batch", As::Number),
    ("starts_on", "field-starts-on", As::Date),
    ("ends_on", "field-ends-on", As::Date),
    ("note", "field-note", As::Text),
];

/// Both kinds of pairing: the steps of their lifecycle. The moments of the steps are the
/// entries' own times, so not shown again.
const LIFECYCLE: &[Field] = &[
    ("status", "tp-field-status", As::Word("pairing-status")),
    (
        "termination_requested_by",
        "audit-field-requested-by",
        As::Ref(Kind::User),
    ),
    (
        "termination_request_reason",
        "audit-field-request-reason",
        As::Text,
    ),
    ("terminate_reason", "audit-field-terminate-reason", As::Text),
    ("termination_requested_at", "", As::Hidden),
    ("published_at", "", As::Hidden),
    ("completed_at", "", As::Hidden),
    ("terminated_at", "", As::Hidden),
    ("created_by", "", As::Hidden),
];

const TEACHER_PAIRING: &[Field] = &[
    ("mentor_id", "tp-field-mentor", As::Ref(Kind::Teacher)),
    ("mentee_id", "tp-field-mentee", As::Ref(Kind::Teacher)),
    ("subject", "tp-field-subject", As::Text),
    ("academic_year_id", "tp-field-year", As::Ref(Kind::Year)),
    (
        "school_pairing_id",
        "tp-school-pairing-of",
        As::Ref(Kind::SchoolPairing),
    ),
    ("mentor_end_reason", "tp-mentor-end-reason", As::Text),
    ("mentee_end_reason", "tp-mentee-end-reason", As::Text),
    ("plan", "tp-plan", As::Changed),
    ("plan_version", "", As::Hidden),
    ("plan_updated_by", "", As::Hidden),
    ("plan_updated_at", "", As::Hidden),
    // Kept by the progress refresh, not written by anyone (and not serialized).
    ("shortfall", "", As::Hidden),
];

const SCHOOL_PAIRING: &[Field] = &[
    (
        "supporter_id",
        "pairings-field-supporter",
        As::Ref(Kind::School),
    ),
    (
        "receiver_id",
        "pairings-field-receiver",
        As::Ref(Kind::School),
    ),
    ("year_from", "pairings-field-year-from", As::Year),
    ("year_to", "pairings-field-year-to", As::Year),
    (
        "support_kinds",
        "pairings-field-kinds",
        As::Words("support-kind"),
    ),
    ("note", "pairings-field-note", As::Text),
];

/// A work plan (`work_plans::WorkPlan`), its term targets one level down.
const PLAN: &[Field] = &[
    ("analysis_ethics", "tp-plan-analysis-ethics", As::Text),
    ("analysis_skill", "tp-plan-analysis-skill", As::Text),
    ("goals", "tp-plan-goals", As::Text),
    ("measures_ethics", "tp-plan-measures-ethics", As::Text),
    ("measures_teaching", "tp-plan-measures-teaching", As::Text),
    ("measures_self", "tp-plan-measures-self", As::Text),
    (
        "term1.observations",
        "term-first tp-target-observations",
        As::Number,
    ),
    (
        "term1.attended",
        "term-first tp-target-attended",
        As::Number,
    ),
    (
        "term1.reflections",
        "term-first tp-target-reflections",
        As::Number,
    ),
    (
        "term1.contacts",
        "term-first tp-target-contacts",
        As::Number,
    ),
    (
        "term2.observations",
        "term-second tp-target-observations",
        As::Number,
    ),
    (
        "term2.attended",
        "term-second tp-target-attended",
        As::Number,
    ),
    (
        "term2.reflections",
        "term-second tp-target-reflections",
        As::Number,
    ),
    (
        "term2.contacts",
        "term-second tp-target-contacts",
        As::Number,
    ),
];

/// A comment (on an observation, a reflection or a work plan): the sentence says where.
const COMMENT: &[Field] = &[
    ("body", "audit-field-comment", As::Text),
    ("observation_id", "", As::Hidden),
    ("reflection_id", "", As::Hidden),
    ("teacher_pairing_id", "", As::Hidden),
    ("author_id", "", As::Hidden),
];

/// The settings (`settings::Settings`).
const SETTINGS: &[Field] = &[
    (
        "max_receivers_per_supporter",
        "field-max-receivers",
        As::Number,
    ),
    ("max_mentees_per_mentor", "field-max-mentees", As::Number),
    (
        "excellent_quota_percent",
        "field-excellent-quota",
        As::Number,
    ),
    (
        "se_deadline_days_before_year_end",
        "field-se-deadline",
        As::Number,
    ),
    ("se_reminder_days", "field-se-reminder", As::Number),
    (
        "waiting_reminder_days",
        "field-waiting-reminder",
        As::Number,
    ),
];

/// Kept by every table, never shown.
const SELF_EVALUATION: &[Field] = &[
    ("teacher_id", "se-field-teacher", As::Ref(Kind::Teacher)),
    ("academic_year_id", "se-field-year", As::Hidden),
    ("context", "se-field-context", As::Word("se-context")),
    ("school_id", "", As::Hidden),
    (
        "appraiser_school_id",
        "se-field-appraiser",
        As::Ref(Kind::School),
    ),
    ("signer_school_id", "se-field-signer", As::Ref(Kind::School)),
    ("secondment_id", "", As::Hidden),
    ("ethics", "se-field-ethics", As::Text),
    ("teaching", "se-field-teaching", As::Text),
    ("results", "se-field-results", As::Text),
    ("improvement", "se-field-improvement", As::Text),
    (
        "proposed_grade",
        "se-field-proposed-grade",
        As::Word("se-grade"),
    ),
    ("figures", "se-figures-kept", As::Changed),
    ("status", "se-field-status", As::Word("se-status")),
    ("submitted_at", "", As::Hidden),
    ("appraisal_grade", "se-field-grade", As::Word("se-grade")),
    ("appraisal_comment", "se-step-appraise", As::Text),
    ("appraised_by", "", As::Hidden),
    ("appraised_at", "", As::Hidden),
    ("sign_comment", "se-step-sign", As::Text),
    ("signed_by", "", As::Hidden),
    ("signed_at", "", As::Hidden),
    ("final_grade", "se-field-final-grade", As::Word("se-grade")),
    ("verify_comment", "se-step-verify", As::Text),
    ("verified_by", "", As::Hidden),
    ("verified_at", "", As::Hidden),
    ("acknowledged_at", "se-step-acknowledge", As::Time),
    ("return_reason", "se-field-reason", As::Text),
    ("returned_by", "", As::Hidden),
    ("returned_at", "", As::Hidden),
    ("version", "", As::Hidden),
];

const SUMMARY: &[Field] = &[
    ("kind", "sum-field-kind", As::Word("sum-kind")),
    ("academic_year_id", "", As::Hidden),
    ("teacher_id", "sum-field-author", As::Ref(Kind::Teacher)),
    ("school_id", "sum-field-school", As::Ref(Kind::School)),
    ("sections", "sum-field-sections", As::Changed),
    ("figures", "sum-figures-kept", As::Changed),
    ("status", "sum-field-status", As::Word("sum-status")),
    ("submitted_at", "", As::Hidden),
    ("submitted_by", "", As::Hidden),
    ("accept_comment", "sum-field-comment", As::Text),
    ("accepted_by", "", As::Hidden),
    ("accepted_at", "", As::Hidden),
    ("return_reason", "sum-field-reason", As::Text),
    ("returned_by", "", As::Hidden),
    ("returned_at", "", As::Hidden),
    ("version", "", As::Hidden),
];

const ANNUAL_REPORT: &[Field] = &[
    ("academic_year_id", "", As::Hidden),
    ("overview", "report-section-overview", As::Text),
    ("practices", "report-section-practices", As::Text),
    ("outcomes", "report-section-outcomes", As::Text),
    ("problems", "report-section-problems", As::Text),
    ("plans", "report-section-plans", As::Text),
    ("version", "", As::Hidden),
    ("updated_by", "", As::Hidden),
];

const REVIEW: &[Field] = &[
    ("academic_year_id", "", As::Hidden),
    (
        "school_pairing_id",
        "review-field-school-pairing",
        As::Ref(Kind::SchoolPairing),
    ),
    (
        "teacher_pairing_id",
        "review-field-teacher-pairing",
        As::Ref(Kind::TeacherPairing),
    ),
    ("mark", "review-field-mark", As::Word("review-mark")),
    ("note", "review-field-note", As::Text),
    ("marked_by", "", As::Hidden),
    ("carried_to_id", "review-field-carried-to", As::Changed),
    ("prepared_at", "", As::Hidden),
    ("version", "", As::Hidden),
];

const BOOKKEEPING: [&str; 4] = ["id", "created_at", "updated_at", "name_key"];

/// The fields of what an entry keeps before and after, by its entity and action.
pub fn fields_of(entity: &str, action: &str) -> Vec<Field> {
    let tables: &[&[Field]] = match (entity, action) {
        (_, "comment") => &[COMMENT],
        ("teacher_pairing", "update_plan") => &[PLAN],
        ("school", _) => &[SCHOOL],
        ("teacher", _) => &[TEACHER],
        ("user", _) => &[USER],
        ("academic_year", _) => &[YEAR],
        ("rubric", _) => &[RUBRIC],
        ("observation", _) => &[OBSERVATION],
        ("reflection", _) => &[REFLECTION],
        ("contact", _) => &[CONTACT],
        ("secondment", _) => &[SECONDMENT],
        ("contribution", _) => &[CONTRIBUTION],
        ("visit", _) => &[VISIT],
        ("visit_photo", _) => &[VISIT_PHOTO],
        ("training_week", _) => &[TRAINING_WEEK],
        ("resource", _) => &[RESOURCE],
        ("self_evaluation", _) => &[SELF_EVALUATION],
        ("summary", _) => &[SUMMARY],
        ("annual_report", _) => &[ANNUAL_REPORT],
        ("review", _) => &[REVIEW],
        ("school_pairing", "schedule_training") => &[SCHEDULE],
        ("teacher_pairing", _) => &[TEACHER_PAIRING, LIFECYCLE],
        ("school_pairing", _) => &[SCHOOL_PAIRING, LIFECYCLE],
        ("settings", _) => &[SETTINGS],
        _ => &[],
    };
    let bookkeeping = BOOKKEEPING.iter().map(|k| (*k, "", As::Hidden));
    tables
        .iter()
        .flat_map(|t| t.iter().copied())
        .chain(bookkeeping)
        .collect()
}

/// An object's keys with nested objects one level down as `outer.inner` (a plan's term
/// targets); anything else is no object to compare key by key.
fn flat(text: Option<&str>) -> Option<Map<String, Value>> {
    let Value::Object(map) = serde_json::from_str::<Value>(text?).ok()? else {
        return None;
    };
    let mut out = Map::new();
    for (k, v) in map {
        match v {
            Value::Object(inner) => {
                for (ik, iv) in inner {
                    out.insert(format!("{k}.{ik}"), iv);
                }
            }
            v => {
                out.insert(k, v);
            }
        }
    }
    Some(out)
}

fn shorten(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > SHORT {
        let mut cut: String = s.chars().take(SHORT - 1).collect();
        cut.push('…');
        cut
    } else {
        s.to_string()
    }
}

/// Whether a new or deleted record's value is worth a line (empty ones are not).
fn blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => true,
        Some(Value::String(s)) => matches!(s.trim(), "" | "[]" | "{}"),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

/// The names and pages of the records a page of entries refers to.
#[derive(Debug, Default)]
pub struct Names {
    schools: HashMap<i64, String>,
    teachers: HashMap<i64, String>,
    users: HashMap<i64, String>,
    years: HashMap<i64, String>,
    /// Name and version.
    rubrics: HashMap<i64, (String, i32)>,
    /// Topic and date.
    observations: HashMap<i64, (String, NaiveDate)>,
    reflections: HashMap<i64, String>,
    /// The pairing a contact belongs to.
    contacts: HashMap<i64, i64>,
    /// Teacher, from school, to school.
    secondments: HashMap<i64, (i64, i64, i64)>,
    /// Mentor and mentee.
    teacher_pairings: HashMap<i64, (i64, i64)>,
    /// Supporter and receiver.
    school_pairings: HashMap<i64, (i64, i64)>,
    tokens: HashMap<i64, String>,
    /// Address and subject.
    mails: HashMap<i64, (String, String)>,
    /// Records that are still there (those named from an entry's payload are gone).
    found: HashSet<(Kind, i64)>,
}

/// The ids wanted, by kind.
type Wanted = BTreeMap<Kind, BTreeSet<i64>>;

fn want(wanted: &mut Wanted, kind: Kind, id: i64) {
    wanted.entry(kind).or_default().insert(id);
}

fn ids(wanted: &Wanted, kind: Kind) -> Vec<i64> {
    wanted
        .get(&kind)
        .map(|s| s.iter().copied().collect())
        .unwrap_or_default()
}

impl Names {
    /// Loads the names a page of entries needs: the actors, each entry's record, the
    /// records its values refer to, and (for pairings, contacts, secondments) the people
    /// and schools their names are made of. One query per kind, in three rounds.
    pub async fn load(
        conn: &impl ConnectionTrait,
        entries: &[audit_log::Model],
    ) -> AppResult<Names> {
        let mut wanted = Wanted::new();
        for e in entries {
            if let Some(id) = e.actor_id {
                want(&mut wanted, Kind::User, id);
            }
            if let (Some(kind), Some(id)) = (Kind::of_entity(&e.entity), e.entity_id) {
                want(&mut wanted, kind, id);
            }
            let fields = fields_of(&e.entity, &e.action);
            for payload in [&e.before, &e.after] {
                let Some(map) = flat(payload.as_deref()) else {
                    continue;
                };
                for (key, _, shown) in &fields {
                    if let (As::Ref(kind), Some(id)) =
                        (shown, map.get(*key).and_then(Value::as_i64))
                    {
                        want(&mut wanted, *kind, id);
                    }
                }
            }
        }
        let mut n = Names::default();
        // Records whose names are made of other records' names.
        let ids_of = |kind| ids(&wanted, kind);
        let (observation_ids, reflection_ids, contact_ids, secondment_ids) = (
            ids_of(Kind::Observation),
            ids_of(Kind::Reflection),
            ids_of(Kind::Contact),
            ids_of(Kind::Secondment),
        );
        let (rubric_ids, token_ids, mail_ids) = (
            ids_of(Kind::Rubric),
            ids_of(Kind::Token),
            ids_of(Kind::Mail),
        );
        if !observation_ids.is_empty() {
            use observations::Column as C;
            let rows: Vec<(i64, String, NaiveDate)> = observations::Entity::find()
                .select_only()
                .columns([C::Id, C::Topic, C::ObservedOn])
                .filter(C::Id.is_in(observation_ids))
                .into_tuple()
                .all(conn)
                .await?;
            n.observations = rows.into_iter().map(|(id, t, d)| (id, (t, d))).collect();
        }
        if !reflection_ids.is_empty() {
            use reflections::Column as C;
            let rows: Vec<(i64, String)> = reflections::Entity::find()
                .select_only()
                .columns([C::Id, C::Title])
                .filter(C::Id.is_in(reflection_ids))
                .into_tuple()
                .all(conn)
                .await?;
            n.reflections = rows.into_iter().collect();
        }
        if !contact_ids.is_empty() {
            use contacts::Column as C;
            let rows: Vec<(i64, i64)> = contacts::Entity::find()
                .select_only()
                .columns([C::Id, C::TeacherPairingId])
                .filter(C::Id.is_in(contact_ids))
                .into_tuple()
                .all(conn)
                .await?;
            n.contacts = rows.into_iter().collect();
        }
        if !secondment_ids.is_empty() {
            use secondments::Column as C;
            let rows: Vec<(i64, i64, i64, i64)> = secondments::Entity::find()
                .select_only()
                .columns([C::Id, C::TeacherId, C::FromSchoolId, C::ToSchoolId])
                .filter(C::Id.is_in(secondment_ids))
                .into_tuple()
                .all(conn)
                .await?;
            n.secondments = rows
                .into_iter()
                .map(|(id, t, from, to)| (id, (t, from, to)))
                .collect();
        }
        if !rubric_ids.is_empty() {
            use rubric_rows::Column as C;
            let rows: Vec<(i64, String, i32)> = rubric_rows::Entity::find()
                .select_only()
                .columns([C::Id, C::Name, C::Version])
                .filter(C::Id.is_in(rubric_ids))
                .into_tuple()
                .all(conn)
                .await?;
            n.rubrics = rows
                .into_iter()
                .map(|(id, name, v)| (id, (name, v)))
                .collect();
        }
        if !token_ids.is_empty() {
            use api_tokens::Column as C;
            let rows: Vec<(i64, String)> = api_tokens::Entity::find()
                .select_only()
                .columns([C::Id, C::Name])
                .filter(C::Id.is_in(token_ids))
                .into_tuple()
                .all(conn)
                .await?;
            n.tokens = rows.into_iter().collect();
        }
        if !mail_ids.is_empty() {
            use outbox::Column as C;
            let rows: Vec<(i64, String, String)> = outbox::Entity::find()
                .select_only()
                .columns([C::Id, C::ToAddr, C::Subject])
                .filter(C::Id.is_in(mail_ids))
                .into_tuple()
                .all(conn)
                .await?;
            n.mails = rows.into_iter().map(|(id, to, s)| (id, (to, s))).collect();
        }
        // What those name: the pairings of contacts, the people and schools of secondments.
        for p in n.contacts.values() {
            want(&mut wanted, Kind::TeacherPairing, *p);
        }
        for (t, from, to) in n.secondments.values() {
            want(&mut wanted, Kind::Teacher, *t);
            want(&mut wanted, Kind::School, *from);
            want(&mut wanted, Kind::School, *to);
        }
        let (tp_ids, sp_ids) = (
            ids(&wanted, Kind::TeacherPairing),
            ids(&wanted, Kind::SchoolPairing),
        );
        if !tp_ids.is_empty() {
            use teacher_pairings::Column as C;
            let rows: Vec<(i64, i64, i64)> = teacher_pairings::Entity::find()
                .select_only()
                .columns([C::Id, C::MentorId, C::MenteeId])
                .filter(C::Id.is_in(tp_ids))
                .into_tuple()
                .all(conn)
                .await?;
            n.teacher_pairings = rows.into_iter().map(|(id, a, b)| (id, (a, b))).collect();
        }
        if !sp_ids.is_empty() {
            use school_pairings::Column as C;
            let rows: Vec<(i64, i64, i64)> = school_pairings::Entity::find()
                .select_only()
                .columns([C::Id, C::SupporterId, C::ReceiverId])
                .filter(C::Id.is_in(sp_ids))
                .into_tuple()
                .all(conn)
                .await?;
            n.school_pairings = rows.into_iter().map(|(id, a, b)| (id, (a, b))).collect();
        }
        for (a, b) in n.teacher_pairings.values() {
            want(&mut wanted, Kind::Teacher, *a);
            want(&mut wanted, Kind::Teacher, *b);
        }
        for (a, b) in n.school_pairings.values() {
            want(&mut wanted, Kind::School, *a);
            want(&mut wanted, Kind::School, *b);
        }
        // The plain names.
        n.schools = names::schools(conn, ids(&wanted, Kind::School)).await?;
        n.teachers = names::teachers(conn, ids(&wanted, Kind::Teacher)).await?;
        n.users = names::users(conn, ids(&wanted, Kind::User)).await?;
        let year_ids = ids(&wanted, Kind::Year);
        if !year_ids.is_empty() {
            use academic_years::Column as C;
            let rows: Vec<(i64, String)> = academic_years::Entity::find()
                .select_only()
                .columns([C::Id, C::Name])
                .filter(C::Id.is_in(year_ids))
                .into_tuple()
                .all(conn)
                .await?;
            n.years = rows.into_iter().collect();
        }
        n.found = n.present();
        // A deleted record keeps its name in the entry that deleted it.
        for e in entries {
            if let (Some(kind), Some(id), Some(map)) = (
                Kind::of_entity(&e.entity),
                e.entity_id,
                flat(e.before.as_deref().or(e.after.as_deref())),
            ) && !n.found.contains(&(kind, id))
            {
                n.remember(kind, id, &map);
            }
        }
        Ok(n)
    }

    fn present(&self) -> HashSet<(Kind, i64)> {
        let mut found = HashSet::new();
        let mut add = |kind, ids: Vec<i64>| found.extend(ids.into_iter().map(|id| (kind, id)));
        add(Kind::School, self.schools.keys().copied().collect());
        add(Kind::Teacher, self.teachers.keys().copied().collect());
        add(Kind::User, self.users.keys().copied().collect());
        add(Kind::Year, self.years.keys().copied().collect());
        add(Kind::Rubric, self.rubrics.keys().copied().collect());
        add(
            Kind::Observation,
            self.observations.keys().copied().collect(),
        );
        add(Kind::Reflection, self.reflections.keys().copied().collect());
        add(Kind::Contact, self.contacts.keys().copied().collect());
        add(Kind::Secondment, self.secondments.keys().copied().collect());
        add(
            Kind::TeacherPairing,
            self.teacher_pairings.keys().copied().collect(),
        );
        add(
            Kind::SchoolPairing,
            self.school_pairings.keys().copied().collect(),
        );
        add(Kind::Token, self.tokens.keys().copied().collect());
        add(Kind::Mail, self.mails.keys().copied().collect());
        found
    }

    /// Notes the name of a record that is gone, from what its entry kept.
    fn remember(&mut self, kind: Kind, id: i64, map: &Map<String, Value>) {
        let text = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
        let num = |k: &str| map.get(k).and_then(Value::as_i64);
        let name = match kind {
            Kind::Reflection => text("title"),
            Kind::Observation => text("topic"),
            _ => text("name"),
        };
        match (kind, name) {
            (Kind::School, Some(v)) => {
                self.schools.insert(id, v);
            }
            (Kind::Teacher, Some(v)) => {
                self.teachers.insert(id, v);
            }
            (Kind::User, Some(v)) => {
                self.users.insert(id, v);
            }
            (Kind::Year, Some(v)) => {
                self.years.insert(id, v);
            }
            (Kind::Reflection, Some(v)) => {
                self.reflections.insert(id, v);
            }
            (Kind::Token, Some(v)) => {
                self.tokens.insert(id, v);
            }
            (Kind::Rubric, Some(v)) => {
                let version = num("version").and_then(|n| i32::try_from(n).ok());
                self.rubrics.insert(id, (v, version.unwrap_or(1)));
            }
            (Kind::Observation, Some(v)) => {
                if let Some(date) = text("observed_on").and_then(|d| d.parse().ok()) {
                    self.observations.insert(id, (v, date));
                }
            }
            (Kind::Contact, _) => {
                if let Some(p) = num("teacher_pairing_id") {
                    self.contacts.insert(id, p);
                }
            }
            (Kind::Secondment, _) => {
                if let (Some(t), Some(f), Some(to)) = (
                    num("teacher_id"),
                    num("from_school_id"),
                    num("to_school_id"),
                ) {
                    self.secondments.insert(id, (t, f, to));
                }
            }
            (Kind::TeacherPairing, _) => {
                if let (Some(a), Some(b)) = (num("mentor_id"), num("mentee_id")) {
                    self.teacher_pairings.insert(id, (a, b));
                }
            }
            (Kind::SchoolPairing, _) => {
                if let (Some(a), Some(b)) = (num("supporter_id"), num("receiver_id")) {
                    self.school_pairings.insert(id, (a, b));
                }
            }
            _ => {}
        }
    }

    fn plain(map: &HashMap<i64, String>, id: i64) -> Shown {
        map.get(&id)
            .map(|s| Shown::Text(s.clone()))
            .unwrap_or_else(|| Shown::Key("audit-gone".into()))
    }

    fn arrow(&self, people: bool, a: i64, b: i64) -> Shown {
        let map = if people {
            &self.teachers
        } else {
            &self.schools
        };
        let name = |id| map.get(&id).cloned().unwrap_or_else(|| "?".into());
        Shown::Text(format!("{} → {}", name(a), name(b)))
    }

    /// The name of a record (`None` when it is not known at all).
    pub fn name(&self, kind: Kind, id: i64) -> Option<Shown> {
        Some(match kind {
            Kind::School => Shown::Text(self.schools.get(&id)?.clone()),
            Kind::Teacher => Shown::Text(self.teachers.get(&id)?.clone()),
            Kind::User => Shown::Text(self.users.get(&id)?.clone()),
            Kind::Year => Shown::Year(self.years.get(&id)?.clone()),
            Kind::Reflection => Shown::Text(self.reflections.get(&id)?.clone()),
            Kind::Token => Shown::Text(self.tokens.get(&id)?.clone()),
            Kind::Rubric => {
                let (name, version) = self.rubrics.get(&id)?;
                Shown::Msg(
                    "audit-name-rubric",
                    vec![
                        ("name", Shown::Text(name.clone())),
                        ("version", Shown::Text(version.to_string())),
                    ],
                )
            }
            Kind::Observation => {
                let (topic, date) = self.observations.get(&id)?;
                Shown::Msg(
                    "audit-name-observation",
                    vec![
                        ("topic", Shown::Text(topic.clone())),
                        ("date", Shown::Date(*date)),
                    ],
                )
            }
            Kind::Contact => return self.name(Kind::TeacherPairing, *self.contacts.get(&id)?),
            Kind::Secondment => {
                let (teacher, from, to) = *self.secondments.get(&id)?;
                Shown::Msg(
                    "audit-name-secondment",
                    vec![
                        ("teacher", Self::plain(&self.teachers, teacher)),
                        ("from", Self::plain(&self.schools, from)),
                        ("to", Self::plain(&self.schools, to)),
                    ],
                )
            }
            Kind::TeacherPairing => {
                let (a, b) = *self.teacher_pairings.get(&id)?;
                self.arrow(true, a, b)
            }
            Kind::SchoolPairing => {
                let (a, b) = *self.school_pairings.get(&id)?;
                self.arrow(false, a, b)
            }
            Kind::Mail => {
                let (to, subject) = self.mails.get(&id)?;
                Shown::Msg(
                    "audit-name-mail",
                    vec![
                        ("to", Shown::Text(to.clone())),
                        ("subject", Shown::Text(subject.clone())),
                    ],
                )
            }
        })
    }

    /// The page of a record that is still there.
    fn link(&self, kind: Kind, id: i64) -> Option<String> {
        if !self.found.contains(&(kind, id)) {
            return None;
        }
        Some(match kind {
            Kind::School => format!("/schools/{id}"),
            Kind::Teacher => format!("/teachers/{id}"),
            Kind::User => format!("/users/{id}/edit"),
            Kind::Year => format!("/academic-years/{id}/edit"),
            Kind::Rubric => format!("/rubrics/{id}"),
            Kind::Observation => format!("/observations/{id}"),
            Kind::Reflection => format!("/reflections/{id}"),
            Kind::Contact => format!("/teacher-pairings/{}", self.contacts.get(&id)?),
            Kind::Secondment => format!("/secondments/{id}/edit"),
            Kind::TeacherPairing => format!("/teacher-pairings/{id}"),
            Kind::SchoolPairing => format!("/school-pairings/{id}"),
            Kind::Token | Kind::Mail => return None,
        })
    }

    /// Who made an entry, by name with their account's page; `None` for the system (and
    /// the people who were not signed in: setting up, asking for or using a reset link).
    pub fn actor(&self, entry: &audit_log::Model) -> Option<Named> {
        let id = entry.actor_id?;
        Some(Named {
            name: Self::plain(&self.users, id),
            link: self.link(Kind::User, id),
        })
    }

    /// The record an entry is about, by name with a link to its page.
    pub fn record(&self, entry: &audit_log::Model) -> Option<Named> {
        if entry.entity == "settings" {
            return Some(Named {
                name: Shown::Key("audit-name-settings".into()),
                link: Some("/settings".into()),
            });
        }
        let kind = Kind::of_entity(&entry.entity)?;
        let id = entry.entity_id?;
        let name = match (kind, self.name(kind, id)) {
            // After its noun the year reads as written: 学年 2026-2027.
            (Kind::Year, Some(Shown::Year(name))) => Shown::Text(name),
            (_, Some(name)) => name,
            (_, None) => Shown::Key("audit-gone".into()),
        };
        Some(Named {
            name,
            link: self.link(kind, id),
        })
    }

    /// A stored value in words.
    fn show(&self, how: As, v: Option<&Value>) -> Shown {
        let v = match v {
            None | Some(Value::Null) => return Shown::Empty,
            Some(v) => v,
        };
        let text = v.as_str();
        let list = || text.and_then(|s| serde_json::from_str::<Vec<String>>(s).ok());
        let shown = match how {
            As::Hidden | As::Changed => Some(Shown::Key("audit-changed".into())),
            As::Text => text.map(|s| Shown::Text(shorten(s))),
            As::Number => v.as_f64().map(|n| Shown::Text(rubrics::fmt_number(n))),
            As::Money => v
                .as_i64()
                .map(|fen| Shown::Text(crate::domain::money::format_yuan(fen))),
            As::Bool => v.as_bool().map(Shown::Yes),
            As::Active => v.as_bool().map(|on| {
                Shown::Key(
                    if on {
                        "status-active"
                    } else {
                        "status-inactive"
                    }
                    .into(),
                )
            }),
            As::Word(prefix) => text.map(|w| {
                let key = format!("{prefix}-{w}");
                if Lang::Zh.try_t(&key).is_some() {
                    Shown::Key(key)
                } else {
                    Shown::Text(shorten(w))
                }
            }),
            As::Words(prefix) => list()
                .map(|words| Shown::Keys(words.iter().map(|w| format!("{prefix}-{w}")).collect())),
            As::List => list().map(Shown::List),
            As::Date => text.and_then(|s| s.parse().ok()).map(Shown::Date),
            As::Time => text.and_then(|s| s.parse().ok()).map(Shown::Time),
            As::Ref(kind) => v.as_i64().map(|id| {
                self.name(kind, id)
                    .unwrap_or_else(|| Shown::Key("audit-gone".into()))
            }),
            As::Year => text.map(|s| Shown::Year(s.to_string())),
            As::Band => text.map(|s| Shown::Band(s.to_string())),
            As::Definition => text
                .and_then(|s| serde_json::from_str::<rubrics::Definition>(s).ok())
                .map(|d| {
                    let items: usize = d.sections.iter().map(|s| s.items.len()).sum();
                    Shown::Msg(
                        "audit-rubric-shape",
                        vec![
                            ("sections", Shown::Text(d.sections.len().to_string())),
                            ("items", Shown::Text(items.to_string())),
                        ],
                    )
                }),
        };
        match shown {
            Some(Shown::Text(s)) if s.is_empty() => Shown::Empty,
            Some(Shown::List(l)) | Some(Shown::Keys(l)) if l.is_empty() => Shown::Empty,
            Some(s) => s,
            // A value of an unexpected shape: as plain text, without JSON's brackets.
            None => match v {
                Value::String(s) => Shown::Text(shorten(s)),
                Value::Number(n) => Shown::Text(n.to_string()),
                Value::Bool(b) => Shown::Yes(*b),
                _ => Shown::Key("audit-changed".into()),
            },
        }
    }

    /// What an entry changed, field by field in the table's order: every value a new or
    /// deleted record had, or the values an edit changed.
    pub fn changes(&self, entry: &audit_log::Model) -> Vec<Change> {
        let (before, after) = (flat(entry.before.as_deref()), flat(entry.after.as_deref()));
        if before.is_none() && after.is_none() {
            return Vec::new();
        }
        let fields = fields_of(&entry.entity, &entry.action);
        let known: HashSet<&str> = fields.iter().map(|f| f.0).collect();
        let mut others: BTreeSet<&str> = BTreeSet::new();
        for map in [&before, &after].into_iter().flatten() {
            others.extend(
                map.keys()
                    .map(String::as_str)
                    .filter(|k| !known.contains(k)),
            );
        }
        let mut all: Vec<(&str, &'static str, As)> = fields
            .iter()
            .map(|&(k, label, how)| (k, label, how))
            .collect();
        all.extend(
            others
                .into_iter()
                .map(|k| (k, "audit-field-other", As::Text)),
        );
        let mut out = Vec::new();
        for (key, label, how) in all {
            if how == As::Hidden {
                continue;
            }
            let label: Vec<&'static str> = label.split(' ').collect();
            let (b, a) = (
                before.as_ref().and_then(|m| m.get(key)),
                after.as_ref().and_then(|m| m.get(key)),
            );
            match (&before, &after) {
                // A new or a deleted record: its values that say something.
                (None, Some(_)) | (Some(_), None) => {
                    let v = b.or(a);
                    if blank(v) || how == As::Changed || how == As::Active {
                        continue;
                    }
                    let shown = Some(self.show(how, v));
                    let (before, after) = if a.is_some() {
                        (None, shown)
                    } else {
                        (shown, None)
                    };
                    out.push(Change {
                        label,
                        before,
                        after,
                    });
                }
                _ => {
                    if b.unwrap_or(&Value::Null) == a.unwrap_or(&Value::Null) {
                        continue;
                    }
                    out.push(if how == As::Changed {
                        Change {
                            label,
                            before: None,
                            after: Some(Shown::Key("audit-changed".into())),
                        }
                    } else {
                        Change {
                            label,
                            before: Some(self.show(how, b)),
                            after: Some(self.show(how, a)),
                        }
                    });
                }
            }
        }
        out
    }
}
