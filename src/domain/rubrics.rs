//! Rubric templates (评课表): sections → items, each with a weight and a scale (points, or
//! levels with a descriptor per level) → grade bands for the total. Templates are versioned:
//! editing one that an observation has used makes a new version; the observation keeps the
//! version it was scored with. Scoring lives here too, so pages, API and tests agree.
use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::audit;
use crate::domain::types;
use crate::entities::{observations, rubrics};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

/// The audit log's entity name.
pub const ENTITY: &str = "rubric";
/// Limits on one template's size (a form and a JSON body stay small).
pub const MAX_SECTIONS: usize = 12;
pub const MAX_ITEMS: usize = 20;
pub const MAX_LEVELS: usize = 10;
pub const MAX_BANDS: usize = 8;
/// Section and item ids above this are not kept (a new id is given instead).
pub const ID_MAX: i64 = 1_000_000;

/// The structure of one version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Definition {
    pub sections: Vec<Section>,
    /// Grade bands for the total (0–100), highest first; the lowest starts at 0.
    pub bands: Vec<Band>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Section {
    /// Unique within the template and kept across versions.
    #[serde(default)]
    pub id: i64,
    pub name: String,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Item {
    /// Unique within the template and kept across versions: the key of `scores`.
    #[serde(default)]
    pub id: i64,
    pub name: String,
    /// Its share of the total (weights need not sum to 100; the total is scaled to 100).
    pub weight: f64,
    #[serde(default = "yes")]
    pub required: bool,
    pub scale: Scale,
}

fn yes() -> bool {
    true
}

/// Points from 0 to `max`, or one of a few levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scale {
    Points { max: f64 },
    Levels { levels: Vec<Level> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Level {
    pub value: i64,
    pub label: String,
    #[serde(default)]
    pub descriptor: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Band {
    pub label: String,
    /// The lowest total in this band.
    pub min: f64,
}

impl Scale {
    /// The top of the scale: a score's share is `score / top`.
    pub fn top(&self) -> f64 {
        match self {
            Scale::Points { max } => *max,
            Scale::Levels { levels } => levels.iter().map(|l| l.value).max().unwrap_or(1) as f64,
        }
    }

    pub fn is_levels(&self) -> bool {
        matches!(self, Scale::Levels { .. })
    }

    pub fn levels(&self) -> &[Level] {
        match self {
            Scale::Levels { levels } => levels,
            Scale::Points { .. } => &[],
        }
    }

    fn accepts(&self, value: f64) -> bool {
        match self {
            Scale::Points { max } => value.is_finite() && (0.0..=*max).contains(&value),
            Scale::Levels { levels } => levels.iter().any(|l| l.value as f64 == value),
        }
    }

    fn range_msg(&self) -> Msg {
        match self {
            Scale::Points { max } => {
                Msg::new("rubric-err-score-range").arg("max", fmt_number(*max))
            }
            Scale::Levels { .. } => Msg::new("rubric-err-score-level"),
        }
    }
}

/// A number without a needless ".0": 10 → "10", 6.25 → "6.25".
pub fn fmt_number(n: f64) -> String {
    let rounded = (n * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        let s = format!("{rounded:.2}");
        s.trim_end_matches('0').to_string()
    }
}

fn round2(n: f64) -> f64 {
    (n * 100.0).round() / 100.0
}

/// The outcome of scoring one observation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    /// 0–100, two decimals.
    pub total: f64,
    pub band: String,
    /// Per section: percent of the section's top, two decimals.
    pub sections: BTreeMap<i64, f64>,
}

impl Definition {
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    pub fn item(&self, id: i64) -> Option<&Item> {
        self.items().find(|i| i.id == id)
    }

    /// The band of a total: the first (highest) band whose minimum it reaches.
    pub fn band_of(&self, total: f64) -> String {
        let mut bands: Vec<&Band> = self.bands.iter().collect();
        bands.sort_by(|a, b| b.min.total_cmp(&a.min));
        bands
            .into_iter()
            .find(|b| total >= b.min)
            .map(|b| b.label.clone())
            .unwrap_or_default()
    }

    /// Scores one observation: every required item needs a score on its scale; the total is
    /// `100 × Σ(weight × score / top) / Σ weight` over the items scored, rounded to two
    /// decimals, and its band follows. Errors are keyed `scores.<item id>`.
    pub fn score(&self, scores: &BTreeMap<i64, f64>) -> Result<Scored, FieldErrors> {
        let mut e = FieldErrors::new();
        for id in scores.keys() {
            if self.item(*id).is_none() {
                e.add("scores", Msg::new("rubric-err-unknown-item").arg("id", id));
            }
        }
        let (mut got, mut weight) = (0.0, 0.0);
        let mut sections = BTreeMap::new();
        for section in &self.sections {
            let (mut s_got, mut s_weight) = (0.0, 0.0);
            for item in &section.items {
                let field = format!("scores.{}", item.id);
                match scores.get(&item.id) {
                    None if item.required => e.add(&field, Msg::new("rubric-err-score-missing")),
                    None => {}
                    Some(v) if !item.scale.accepts(*v) => e.add(&field, item.scale.range_msg()),
                    Some(v) => {
                        let share = item.weight * v / item.scale.top();
                        s_got += share;
                        s_weight += item.weight;
                    }
                }
            }
            got += s_got;
            weight += s_weight;
            if s_weight > 0.0 {
                sections.insert(section.id, round2(100.0 * s_got / s_weight));
            }
        }
        e.into_result().map_err(|err| match err {
            AppError::Invalid(f) => f,
            _ => FieldErrors::new(),
        })?;
        let total = if weight > 0.0 {
            round2(100.0 * got / weight)
        } else {
            0.0
        };
        Ok(Scored {
            total,
            band: self.band_of(total),
            sections,
        })
    }

    /// Checks a template as the bureau wrote it and gives every new section and item an
    /// id above `next_id` (ids already there are kept, so scores stay comparable across
    /// versions). Errors are keyed by the editor's field names (`s0_name`, `s0_i1_weight`,
    /// `b0_min`, …).
    pub fn validate(mut self, mut next_id: i64) -> Result<Definition, FieldErrors> {
        let mut e = FieldErrors::new();
        if self.sections.is_empty() {
            e.add("sections", Msg::new("rubric-err-no-sections"));
        }
        if self.sections.len() > MAX_SECTIONS {
            e.add(
                "sections",
                Msg::new("rubric-err-too-many").arg("max", MAX_SECTIONS),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for s in self.sections.iter_mut() {
            if !(1..=ID_MAX).contains(&s.id) {
                s.id = 0;
            }
            next_id = next_id.max(s.id);
            for i in s.items.iter_mut() {
                if !(1..=ID_MAX).contains(&i.id) {
                    i.id = 0;
                }
                next_id = next_id.max(i.id);
            }
        }
        for (si, s) in self.sections.iter_mut().enumerate() {
            if let Err(m) = types::required_text(&s.name, 100) {
                e.add(&format!("s{si}_name"), m);
            }
            s.name = s.name.trim().to_string();
            if s.id <= 0 || !seen.insert(s.id) {
                next_id += 1;
                s.id = next_id;
                seen.insert(s.id);
            }
            if s.items.is_empty() {
                e.add(&format!("s{si}_name"), Msg::new("rubric-err-no-items"));
            }
            if s.items.len() > MAX_ITEMS {
                e.add(
                    &format!("s{si}_name"),
                    Msg::new("rubric-err-too-many").arg("max", MAX_ITEMS),
                );
            }
            for (ii, item) in s.items.iter_mut().enumerate() {
                let f = |name: &str| format!("s{si}_i{ii}_{name}");
                if let Err(m) = types::required_text(&item.name, 200) {
                    e.add(&f("name"), m);
                }
                item.name = item.name.trim().to_string();
                if !(item.weight.is_finite() && item.weight > 0.0 && item.weight <= 1000.0) {
                    e.add(&f("weight"), Msg::new("rubric-err-weight").arg("max", 1000));
                }
                match &mut item.scale {
                    Scale::Points { max } => {
                        if !(max.is_finite() && *max > 0.0 && *max <= 1000.0) {
                            e.add(&f("max"), Msg::new("rubric-err-max").arg("max", 1000));
                        }
                    }
                    Scale::Levels { levels } => {
                        let mut values = std::collections::HashSet::new();
                        if levels.len() < 2 || levels.len() > MAX_LEVELS {
                            e.add(
                                &f("levels"),
                                Msg::new("rubric-err-levels-count").arg("max", MAX_LEVELS),
                            );
                        }
                        for l in levels.iter_mut() {
                            l.label = l.label.trim().to_string();
                            l.descriptor = l.descriptor.trim().to_string();
                            if !(0..=100).contains(&l.value)
                                || !values.insert(l.value)
                                || l.label.is_empty()
                                || l.label.chars().count() > 50
                                || l.descriptor.chars().count() > 500
                            {
                                e.add(&f("levels"), Msg::new("rubric-err-levels"));
                                break;
                            }
                        }
                        if levels.iter().all(|l| l.value <= 0) {
                            e.add(&f("levels"), Msg::new("rubric-err-levels"));
                        }
                        levels.sort_by_key(|l| l.value);
                    }
                }
                if item.id <= 0 || !seen.insert(item.id) {
                    next_id += 1;
                    item.id = next_id;
                    seen.insert(item.id);
                }
            }
        }
        if self.bands.is_empty() || self.bands.len() > MAX_BANDS {
            e.add(
                "bands",
                Msg::new("rubric-err-bands-count").arg("max", MAX_BANDS),
            );
        }
        let mut mins = Vec::new();
        for (bi, b) in self.bands.iter_mut().enumerate() {
            b.label = b.label.trim().to_string();
            if let Err(m) = types::required_text(&b.label, 20) {
                e.add(&format!("b{bi}_label"), m);
            }
            if !(b.min.is_finite() && (0.0..=100.0).contains(&b.min)) {
                e.add(&format!("b{bi}_min"), Msg::new("rubric-err-band-min"));
            } else if mins.iter().any(|m: &f64| (m - b.min).abs() < 1e-9) {
                e.add(&format!("b{bi}_min"), Msg::new("rubric-err-band-twice"));
            }
            mins.push(b.min);
        }
        if !self.bands.is_empty() && !mins.contains(&0.0) {
            e.add("bands", Msg::new("rubric-err-band-zero"));
        }
        self.bands.sort_by(|a, b| b.min.total_cmp(&a.min));
        match e.into_result() {
            Ok(()) => Ok(self),
            Err(AppError::Invalid(f)) => Err(f),
            Err(_) => Err(FieldErrors::new()),
        }
    }

    fn max_id(&self) -> i64 {
        self.sections
            .iter()
            .flat_map(|s| std::iter::once(s.id).chain(s.items.iter().map(|i| i.id)))
            .max()
            .unwrap_or(0)
    }
}

/// One version with its definition decoded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rubric {
    pub row: rubrics::Model,
    pub def: Definition,
}

impl Rubric {
    pub fn of(row: rubrics::Model) -> AppResult<Rubric> {
        let def: Definition = serde_json::from_str(&row.definition)?;
        Ok(Rubric { row, def })
    }

    /// The sum of the weights: shown beside the template (课堂教学评价表: 100).
    pub fn total_weight(&self) -> String {
        fmt_number(self.def.items().map(|i| i.weight).sum())
    }
}

/// The current versions, active ones first, the shipped ones before the bureau's own, in
/// a stable order that a new version does not change (every signed-in user may read
/// templates: the observation form shows them).
pub async fn list_current(db: &impl ConnectionTrait) -> AppResult<Vec<Rubric>> {
    rubrics::Entity::find()
        .filter(rubrics::Column::IsCurrent.eq(true))
        .order_by_desc(rubrics::Column::IsActive)
        .order_by_asc(rubrics::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(Rubric::of)
        .collect()
}

/// The active current versions: the ones a new observation may use.
pub async fn choices(db: &impl ConnectionTrait) -> AppResult<Vec<Rubric>> {
    Ok(list_current(db)
        .await?
        .into_iter()
        .filter(|r| r.row.is_active)
        .collect())
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<Rubric> {
    let row = rubrics::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Rubric::of(row)
}

/// Every version of the template `code`, newest first.
pub async fn versions(db: &impl ConnectionTrait, code: &str) -> AppResult<Vec<rubrics::Model>> {
    Ok(rubrics::Entity::find()
        .filter(rubrics::Column::Code.eq(code))
        .order_by_desc(rubrics::Column::Version)
        .all(db)
        .await?)
}

/// How many observations were scored with this version.
pub async fn times_used(db: &impl ConnectionTrait, id: i64) -> AppResult<u64> {
    Ok(observations::Entity::find()
        .filter(observations::Column::RubricId.eq(id))
        .count(db)
        .await?)
}

/// A template as the bureau writes it (page or API).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RubricInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub sections: Vec<Section>,
    pub bands: Vec<Band>,
}

fn check_head(input: &RubricInput) -> Result<(String, String), FieldErrors> {
    let mut e = FieldErrors::new();
    let name = types::required_text(&input.name, 100)
        .map_err(|m| e.add("name", m))
        .unwrap_or_default();
    let description = types::optional_text(&input.description, 1000)
        .map_err(|m| e.add("description", m))
        .unwrap_or_default();
    if e.is_empty() {
        Ok((name, description))
    } else {
        Err(e)
    }
}

fn merge(
    a: Result<(String, String), FieldErrors>,
    b: Result<Definition, FieldErrors>,
) -> AppResult<(String, String, Definition)> {
    match (a, b) {
        (Ok((n, d)), Ok(def)) => Ok((n, d, def)),
        (a, b) => {
            let mut e = FieldErrors::new();
            for errs in [a.err(), b.err()].into_iter().flatten() {
                e.absorb(errs);
            }
            Err(AppError::Invalid(e))
        }
    }
}

/// A new template (bureau): version 1, current and active.
pub async fn create(db: &impl Conn, actor: &Actor, input: &RubricInput) -> AppResult<Rubric> {
    policy::require_some(actor, Subject::Rubric, Act::Manage)?;
    let def = Definition {
        sections: input.sections.clone(),
        bands: input.bands.clone(),
    };
    let (name, description, def) = merge(check_head(input), def.validate(0))?;
    let txn = db::begin_write(db).await?;
    let code = format!("t-{}", crate::domain::tokens::random_base64(9));
    let row = rubrics::ActiveModel {
        code: Set(code),
        version: Set(1),
        name: Set(name),
        description: Set(description),
        definition: Set(serde_json::to_string(&def)?),
        is_current: Set(true),
        is_active: Set(true),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(Utc::now()),
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
    txn.commit().await?;
    Rubric::of(row)
}

/// Edits the current version `id` (bureau). When an observation has been scored with it,
/// the edit becomes a new version (the old one stays, no longer current); otherwise the
/// version is changed in place. Editing a version that is not current is refused (409).
pub async fn update(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    input: &RubricInput,
) -> AppResult<Rubric> {
    policy::require_some(actor, Subject::Rubric, Act::Write)?;
    let txn = db::begin_write(db).await?;
    let before = rubrics::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if !before.is_current {
        return Err(AppError::conflict("version", "rubric-err-not-current"));
    }
    let old = Rubric::of(before.clone())?;
    let def = Definition {
        sections: input.sections.clone(),
        bands: input.bands.clone(),
    };
    let (name, description, def) = merge(check_head(input), def.validate(old.def.max_id()))?;
    let used = times_used(&txn, id).await? > 0;
    let row = if used {
        let mut retired = before.clone().into_active_model();
        retired.is_current = Set(false);
        retired.update(&txn).await?;
        rubrics::ActiveModel {
            code: Set(before.code.clone()),
            version: Set(before.version + 1),
            name: Set(name),
            description: Set(description),
            definition: Set(serde_json::to_string(&def)?),
            is_current: Set(true),
            is_active: Set(before.is_active),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?
    } else {
        let mut active = before.clone().into_active_model();
        active.name = Set(name);
        active.description = Set(description);
        active.definition = Set(serde_json::to_string(&def)?);
        active.update(&txn).await?
    };
    audit::record(
        &txn,
        Some(actor),
        if used { "new_version" } else { "update" },
        ENTITY,
        Some(row.id),
        Some(&before),
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Rubric::of(row)
}

/// Retires or brings back a template (bureau): a retired one is not offered for new
/// observations; old observations keep it.
pub async fn set_active(db: &impl Conn, actor: &Actor, id: i64, active: bool) -> AppResult<Rubric> {
    policy::require_some(actor, Subject::Rubric, Act::Manage)?;
    let txn = db::begin_write(db).await?;
    let before = rubrics::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if !before.is_current {
        return Err(AppError::conflict("version", "rubric-err-not-current"));
    }
    let mut row = before.clone().into_active_model();
    row.is_active = Set(active);
    let row = row.update(&txn).await?;
    audit::record(
        &txn,
        Some(actor),
        if active { "reactivate" } else { "deactivate" },
        ENTITY,
        Some(id),
        Some(&before),
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Rubric::of(row)
}

/// The catalogue key of a standard band or level word of the shipped rubrics (their
/// English names; see `Ctx::band`).
pub fn band_key(word: &str) -> Option<&'static str> {
    Some(match word.trim() {
        "优" | "优秀" => "band-excellent",
        "良" | "良好" => "band-good",
        "熟练" => "band-proficient",
        "中" | "中等" => "band-fair",
        "合格" => "band-pass",
        "基本" => "band-basic",
        "待改进" => "band-improve",
        "差" | "不合格" => "band-fail",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(id: i64, weight: f64, max: f64) -> Item {
        Item {
            id,
            name: format!("item {id}"),
            weight,
            required: true,
            scale: Scale::Points { max },
        }
    }

    fn cn_bands() -> Vec<Band> {
        [("优", 90.0), ("良", 75.0), ("合格", 60.0), ("不合格", 0.0)]
            .into_iter()
            .map(|(l, m)| Band {
                label: l.into(),
                min: m,
            })
            .collect()
    }

    fn one_item(max: f64) -> Definition {
        Definition {
            sections: vec![Section {
                id: 1,
                name: "s".into(),
                items: vec![points(2, 100.0, max)],
            }],
            bands: cn_bands(),
        }
    }

    fn score(def: &Definition, pairs: &[(i64, f64)]) -> Result<Scored, FieldErrors> {
        def.score(&pairs.iter().copied().collect())
    }

    #[test]
    fn bands_at_their_edges() {
        let def = one_item(100.0);
        for (v, band) in [
            (59.5, "不合格"),
            (60.0, "合格"),
            (74.99, "合格"),
            (75.0, "良"),
            (89.99, "良"),
            (90.0, "优"),
            (100.0, "优"),
            (0.0, "不合格"),
        ] {
            let s = score(&def, &[(2, v)]).expect("scored");
            assert_eq!(s.total, v, "{v}");
            assert_eq!(s.band, band, "{v}");
        }
    }

    #[test]
    fn weights_scale_each_item_to_its_share() {
        // Two sections: 60 % weight at 50 %, 40 % weight at full marks → 70.
        let def = Definition {
            sections: vec![
                Section {
                    id: 1,
                    name: "a".into(),
                    items: vec![points(3, 30.0, 10.0), points(4, 30.0, 10.0)],
                },
                Section {
                    id: 2,
                    name: "b".into(),
                    items: vec![points(5, 40.0, 5.0)],
                },
            ],
            bands: cn_bands(),
        };
        let s = score(&def, &[(3, 5.0), (4, 5.0), (5, 5.0)]).unwrap();
        assert_eq!(s.total, 70.0);
        assert_eq!(s.band, "合格");
        assert_eq!(s.sections[&1], 50.0);
        assert_eq!(s.sections[&2], 100.0);
    }

    #[test]
    fn levels_score_by_their_value_over_the_top_level() {
        let levels: Vec<Level> = (1..=4)
            .map(|v| Level {
                value: v,
                label: format!("L{v}"),
                descriptor: String::new(),
            })
            .collect();
        let item = |id| Item {
            id,
            name: "x".into(),
            weight: 6.25,
            required: true,
            scale: Scale::Levels {
                levels: levels.clone(),
            },
        };
        let def = Definition {
            sections: vec![Section {
                id: 1,
                name: "d".into(),
                items: vec![item(2), item(3), item(4), item(5)],
            }],
            bands: vec![
                Band {
                    label: "优秀".into(),
                    min: 87.5,
                },
                Band {
                    label: "熟练".into(),
                    min: 62.5,
                },
                Band {
                    label: "基本".into(),
                    min: 37.5,
                },
                Band {
                    label: "不合格".into(),
                    min: 0.0,
                },
            ],
        };
        let s = score(&def, &[(2, 4.0), (3, 4.0), (4, 3.0), (5, 3.0)]).unwrap();
        assert_eq!(s.total, 87.5);
        assert_eq!(s.band, "优秀");
        let s = score(&def, &[(2, 3.0), (3, 3.0), (4, 3.0), (5, 2.0)]).unwrap();
        assert_eq!(s.total, 68.75);
        assert_eq!(s.band, "熟练");
        // 2.5 is not a level; 5 is above the scale.
        let e = score(&def, &[(2, 2.5), (3, 5.0), (4, 3.0), (5, 3.0)]).unwrap_err();
        assert_eq!(e.get("scores.2").unwrap()[0].key, "rubric-err-score-level");
        assert_eq!(e.get("scores.3").unwrap()[0].key, "rubric-err-score-level");
    }

    #[test]
    fn missing_out_of_range_and_unknown_scores_are_refused() {
        let mut def = one_item(10.0);
        def.sections[0].items.push(Item {
            required: false,
            ..points(3, 10.0, 10.0)
        });
        let e = score(&def, &[(3, 11.0), (99, 1.0)]).unwrap_err();
        assert_eq!(
            e.get("scores.2").unwrap()[0].key,
            "rubric-err-score-missing"
        );
        assert_eq!(e.get("scores.3").unwrap()[0].key, "rubric-err-score-range");
        assert_eq!(e.get("scores").unwrap()[0].key, "rubric-err-unknown-item");
        assert!(score(&def, &[(2, -1.0)]).is_err());
        assert!(score(&def, &[(2, f64::NAN)]).is_err());
        // The optional item may stay empty: the total is over the items scored.
        assert_eq!(score(&def, &[(2, 8.0)]).unwrap().total, 80.0);
    }

    #[test]
    fn the_shipped_templates_are_valid_and_sum_to_100() {
        for text in [
            include_str!("../../migrations/src/rubrics/classroom_cn.json"),
            include_str!("../../migrations/src/rubrics/framework_four_levels.json"),
        ] {
            let def: Definition = serde_json::from_str(text).expect("parses");
            let weight: f64 = def.items().map(|i| i.weight).sum();
            assert!((weight - 100.0).abs() < 1e-9, "{weight}");
            let again = def.clone().validate(0).expect("valid");
            assert_eq!(again, def, "validation keeps ids and order");
        }
    }

    #[test]
    fn validation_gives_new_items_fresh_ids_and_keeps_old_ones() {
        let def = Definition {
            sections: vec![Section {
                id: 1,
                name: " 教学目标 ".into(),
                items: vec![points(2, 5.0, 5.0), points(0, 5.0, 5.0)],
            }],
            bands: cn_bands(),
        };
        let v = def.validate(7).unwrap();
        assert_eq!(v.sections[0].name, "教学目标");
        assert_eq!(v.sections[0].items[0].id, 2);
        assert_eq!(v.sections[0].items[1].id, 8);
        let bad = Definition {
            sections: vec![Section {
                id: 0,
                name: String::new(),
                items: vec![Item {
                    name: " ".into(),
                    ..points(0, 0.0, 0.0)
                }],
            }],
            bands: vec![Band {
                label: "优".into(),
                min: 90.0,
            }],
        };
        let e = bad.validate(0).unwrap_err();
        for field in [
            "s0_name",
            "s0_i0_name",
            "s0_i0_weight",
            "s0_i0_max",
            "bands",
        ] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
    }
}
