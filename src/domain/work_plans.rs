//! The work plan (工作方案) of a teacher pairing: what the pair will do, per-term targets,
//! written by the mentor (and the bureau) with a version number so that a stale save shows
//! both texts; comments on it by the pair and the bureau.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::audit;
use crate::domain::pairing_lifecycle::{self as lifecycle, Action};
use crate::domain::teacher_pairings::{ENTITY, TeacherPairing, get, get_for_update};
use crate::domain::types::{self, de::loose_string};
use crate::entities::{plan_comments, teacher_pairings, users as user_rows};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

/// Longest text of one work-plan section.
pub const PLAN_TEXT_MAX: usize = 5000;
/// Highest term target.
pub const TARGET_MAX: i64 = 50;

/// Per-term targets: observations of the mentee's lessons by the mentor, the mentor's
/// lessons attended by the mentee (示范课/公开课), reflections, contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TermTargets {
    pub observations: i64,
    pub attended: i64,
    pub reflections: i64,
    pub contacts: i64,
}

/// 工作方案: 对象分析 (师德, 业务), 工作目标, 具体措施 (师德, 教育教学, 自身素质), term targets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WorkPlan {
    pub analysis_ethics: String,
    pub analysis_skill: String,
    pub goals: String,
    pub measures_ethics: String,
    pub measures_teaching: String,
    pub measures_self: String,
    pub term1: TermTargets,
    pub term2: TermTargets,
}

/// The text sections, in order: (field, label key).
pub const PLAN_SECTIONS: [(&str, &str); 6] = [
    ("analysis_ethics", "tp-plan-analysis-ethics"),
    ("analysis_skill", "tp-plan-analysis-skill"),
    ("goals", "tp-plan-goals"),
    ("measures_ethics", "tp-plan-measures-ethics"),
    ("measures_teaching", "tp-plan-measures-teaching"),
    ("measures_self", "tp-plan-measures-self"),
];

/// A text section of a plan (or of the form that edits one) by its field name, as listed
/// in `PLAN_SECTIONS`; one definition for both types.
macro_rules! plan_sections {
    ($ty:ty) => {
        impl $ty {
            pub fn section(&self, field: &str) -> &str {
                match field {
                    "analysis_ethics" => &self.analysis_ethics,
                    "analysis_skill" => &self.analysis_skill,
                    "goals" => &self.goals,
                    "measures_ethics" => &self.measures_ethics,
                    "measures_teaching" => &self.measures_teaching,
                    _ => &self.measures_self,
                }
            }

            fn section_mut(&mut self, field: &str) -> &mut String {
                match field {
                    "analysis_ethics" => &mut self.analysis_ethics,
                    "analysis_skill" => &mut self.analysis_skill,
                    "goals" => &mut self.goals,
                    "measures_ethics" => &mut self.measures_ethics,
                    "measures_teaching" => &mut self.measures_teaching,
                    _ => &mut self.measures_self,
                }
            }
        }
    };
}

plan_sections!(WorkPlan);
plan_sections!(PlanForm);

/// The target fields: (form field, label key).
pub const PLAN_TARGETS: [(&str, &str); 4] = [
    ("observations", "tp-target-observations"),
    ("attended", "tp-target-attended"),
    ("reflections", "tp-target-reflections"),
    ("contacts", "tp-target-contacts"),
];

impl WorkPlan {
    pub fn parse(text: &str) -> WorkPlan {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn target(&self, term: u8, field: &str) -> i64 {
        let t = if term == 1 { &self.term1 } else { &self.term2 };
        match field {
            "observations" => t.observations,
            "attended" => t.attended,
            "reflections" => t.reflections,
            _ => t.contacts,
        }
    }

    fn target_mut(&mut self, term: u8, field: &str) -> &mut i64 {
        let t = if term == 1 {
            &mut self.term1
        } else {
            &mut self.term2
        };
        match field {
            "observations" => &mut t.observations,
            "attended" => &mut t.attended,
            "reflections" => &mut t.reflections,
            _ => &mut t.contacts,
        }
    }
}

/// The work-plan form: the version the editor started from, the six texts and the eight
/// targets (`t1_observations` … `t2_contacts`), all as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlanForm {
    #[serde(deserialize_with = "loose_string")]
    pub version: String,
    #[serde(deserialize_with = "loose_string")]
    pub analysis_ethics: String,
    #[serde(deserialize_with = "loose_string")]
    pub analysis_skill: String,
    #[serde(deserialize_with = "loose_string")]
    pub goals: String,
    #[serde(deserialize_with = "loose_string")]
    pub measures_ethics: String,
    #[serde(deserialize_with = "loose_string")]
    pub measures_teaching: String,
    #[serde(deserialize_with = "loose_string")]
    pub measures_self: String,
    #[serde(deserialize_with = "loose_string")]
    pub t1_observations: String,
    #[serde(deserialize_with = "loose_string")]
    pub t1_attended: String,
    #[serde(deserialize_with = "loose_string")]
    pub t1_reflections: String,
    #[serde(deserialize_with = "loose_string")]
    pub t1_contacts: String,
    #[serde(deserialize_with = "loose_string")]
    pub t2_observations: String,
    #[serde(deserialize_with = "loose_string")]
    pub t2_attended: String,
    #[serde(deserialize_with = "loose_string")]
    pub t2_reflections: String,
    #[serde(deserialize_with = "loose_string")]
    pub t2_contacts: String,
}

impl PlanForm {
    pub fn from_plan(plan: &WorkPlan, version: i32) -> Self {
        let n = |v: i64| v.to_string();
        PlanForm {
            version: version.to_string(),
            analysis_ethics: plan.analysis_ethics.clone(),
            analysis_skill: plan.analysis_skill.clone(),
            goals: plan.goals.clone(),
            measures_ethics: plan.measures_ethics.clone(),
            measures_teaching: plan.measures_teaching.clone(),
            measures_self: plan.measures_self.clone(),
            t1_observations: n(plan.term1.observations),
            t1_attended: n(plan.term1.attended),
            t1_reflections: n(plan.term1.reflections),
            t1_contacts: n(plan.term1.contacts),
            t2_observations: n(plan.term2.observations),
            t2_attended: n(plan.term2.attended),
            t2_reflections: n(plan.term2.reflections),
            t2_contacts: n(plan.term2.contacts),
        }
    }

    /// From the API's `{"version": n, "plan": {…}}`, numbers kept as text.
    pub fn from_json(version: &serde_json::Value, plan: &serde_json::Value) -> Self {
        let text = |v: Option<&serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let mut f = PlanForm {
            version: text(Some(version)),
            ..Default::default()
        };
        for (field, _) in PLAN_SECTIONS {
            *f.section_mut(field) = text(plan.get(field));
        }
        for term in [1u8, 2] {
            let t = plan.get(format!("term{term}"));
            for (field, _) in PLAN_TARGETS {
                *f.target_mut(term, field) = text(t.and_then(|t| t.get(field)));
            }
        }
        f
    }

    pub fn target(&self, term: u8, field: &str) -> &str {
        match (term, field) {
            (1, "observations") => &self.t1_observations,
            (1, "attended") => &self.t1_attended,
            (1, "reflections") => &self.t1_reflections,
            (1, _) => &self.t1_contacts,
            (_, "observations") => &self.t2_observations,
            (_, "attended") => &self.t2_attended,
            (_, "reflections") => &self.t2_reflections,
            _ => &self.t2_contacts,
        }
    }

    fn target_mut(&mut self, term: u8, field: &str) -> &mut String {
        match (term, field) {
            (1, "observations") => &mut self.t1_observations,
            (1, "attended") => &mut self.t1_attended,
            (1, "reflections") => &mut self.t1_reflections,
            (1, _) => &mut self.t1_contacts,
            (_, "observations") => &mut self.t2_observations,
            (_, "attended") => &mut self.t2_attended,
            (_, "reflections") => &mut self.t2_reflections,
            _ => &mut self.t2_contacts,
        }
    }

    /// The typed plan, or the errors per field (`t1_observations` … for targets).
    pub fn parse(&self) -> Result<(i32, WorkPlan), FieldErrors> {
        let mut e = FieldErrors::new();
        let version = match self.version.trim().parse::<i32>() {
            Ok(v) if v >= 0 => v,
            _ => {
                e.add("version", Msg::new("err-not-a-number"));
                0
            }
        };
        let mut plan = WorkPlan::default();
        for (field, _) in PLAN_SECTIONS {
            match types::optional_text(self.section(field), PLAN_TEXT_MAX) {
                Ok(v) => *plan.section_mut(field) = v,
                Err(m) => e.add(field, m),
            }
        }
        for term in [1u8, 2] {
            for (field, _) in PLAN_TARGETS {
                match types::number_in(self.target(term, field), 0, TARGET_MAX, Some(0)) {
                    Ok(v) => *plan.target_mut(term, field) = v,
                    Err(m) => e.add(&format!("t{term}_{field}"), m),
                }
            }
        }
        if e.is_empty() {
            Ok((version, plan))
        } else {
            Err(e)
        }
    }
}

/// A refused stale save: the plan as it is now, who saved it last, and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StalePlan {
    pub current: WorkPlan,
    pub version: i32,
    pub updated_by: Option<String>,
    pub updated_at: Option<chrono::DateTime<Utc>>,
}

/// Saves the plan when `version` is the one stored; otherwise nothing is written and the
/// newer plan comes back so the page can show it beside the user's text.
pub async fn save_plan(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &PlanForm,
) -> AppResult<Result<teacher_pairings::Model, StalePlan>> {
    let txn = db::begin_write(db).await?;
    let before = get(&txn, actor, id).await?;
    lifecycle::ensure::<TeacherPairing>(&txn, actor, &before, Action::EditPlan).await?;
    let (version, plan) = form.parse().map_err(AppError::Invalid)?;
    if version != before.plan_version {
        let updated_by = match before.plan_updated_by {
            Some(u) => user_rows::Entity::find_by_id(u)
                .one(&txn)
                .await?
                .map(|u| u.name),
            None => None,
        };
        return Ok(Err(StalePlan {
            current: WorkPlan::parse(&before.plan),
            version: before.plan_version,
            updated_by,
            updated_at: before.plan_updated_at,
        }));
    }
    let old = WorkPlan::parse(&before.plan);
    let now = Utc::now();
    // Only if nobody saved in between: on PostgreSQL a concurrent save waits for this row
    // and then finds the version changed, so one of two simultaneous saves is refused
    // instead of silently overwritten.
    use sea_orm::sea_query::Expr;
    let saved = teacher_pairings::Entity::update_many()
        .col_expr(
            teacher_pairings::Column::Plan,
            Expr::value(serde_json::to_string(&plan)?),
        )
        .col_expr(
            teacher_pairings::Column::PlanVersion,
            Expr::value(before.plan_version + 1),
        )
        .col_expr(
            teacher_pairings::Column::PlanUpdatedBy,
            Expr::value(Some(actor.user_id)),
        )
        .col_expr(
            teacher_pairings::Column::PlanUpdatedAt,
            Expr::value(Some(now)),
        )
        .col_expr(teacher_pairings::Column::UpdatedAt, Expr::value(now))
        .filter(teacher_pairings::Column::Id.eq(id))
        .filter(teacher_pairings::Column::PlanVersion.eq(before.plan_version))
        .exec(&txn)
        .await?;
    if saved.rows_affected != 1 {
        txn.rollback().await?;
        let current = get(db, actor, id).await?;
        return Ok(Err(StalePlan {
            current: WorkPlan::parse(&current.plan),
            version: current.plan_version,
            updated_by: None,
            updated_at: current.plan_updated_at,
        }));
    }
    let row = get(&txn, actor, id).await?.into_inner();
    audit::record(
        &txn,
        Some(actor),
        "update_plan",
        ENTITY,
        Some(id),
        Some(&old),
        Some(&plan),
    )
    .await?;
    crate::domain::progress::refresh(&txn, &[id]).await?;
    txn.commit().await?;
    Ok(Ok(row))
}

/// A comment on the plan, by the mentor, the mentee or the bureau.
pub async fn add_comment(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    body: &str,
) -> AppResult<plan_comments::Model> {
    let txn = db::begin_write(db).await?;
    let p = get_for_update(&txn, actor, id).await?;
    lifecycle::ensure::<TeacherPairing>(&txn, actor, &p, Action::Comment).await?;
    let body = types::required_text(body, 2000).map_err(|m| AppError::invalid("body", m))?;
    let row = plan_comments::ActiveModel {
        teacher_pairing_id: Set(id),
        author_id: Set(actor.user_id),
        body: Set(body),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "comment",
        ENTITY,
        Some(id),
        None,
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
