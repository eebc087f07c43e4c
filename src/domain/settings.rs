//! Settings the bureau changes: the caps of the pairing rules and the appraisal quota.
//! Kept as key/value rows so later settings need no migration.
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::audit;
use crate::domain::types::{self, de::loose_string};
use crate::entities::settings;
use crate::error::{AppResult, FieldErrors};

/// The settings in force (defaults where the bureau has not set a value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Settings {
    /// How many schools one supporting school may support at once.
    pub max_receivers_per_supporter: i64,
    /// How many active mentees one mentor may have.
    pub max_mentees_per_mentor: i64,
    /// The share of 优秀 in a school's verified appraisals above which the bureau is warned.
    pub excellent_quota_percent: i64,
    /// The self-evaluation deadline: this many days before the academic year ends.
    pub se_deadline_days_before_year_end: i64,
    /// How many days before that deadline teachers who have not submitted are reminded.
    pub se_reminder_days: i64,
    /// After how many days at one step a year-end document's next actor is reminded.
    pub waiting_reminder_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_receivers_per_supporter: 2,
            max_mentees_per_mentor: 2,
            excellent_quota_percent: 20,
            se_deadline_days_before_year_end: 10,
            se_reminder_days: 14,
            waiting_reminder_days: 7,
        }
    }
}

/// (key, minimum, maximum) of each setting.
const RANGES: [(&str, i64, i64); 6] = [
    ("max_receivers_per_supporter", 1, 20),
    ("max_mentees_per_mentor", 1, 10),
    ("excellent_quota_percent", 0, 100),
    ("se_deadline_days_before_year_end", 0, 120),
    ("se_reminder_days", 1, 60),
    ("waiting_reminder_days", 1, 60),
];

/// Settings added after the first clients were written: left out, they stay as they are.
const LATER: [&str; 3] = [
    "se_deadline_days_before_year_end",
    "se_reminder_days",
    "waiting_reminder_days",
];

impl Settings {
    fn get(&self, key: &str) -> i64 {
        match key {
            "max_receivers_per_supporter" => self.max_receivers_per_supporter,
            "max_mentees_per_mentor" => self.max_mentees_per_mentor,
            "se_deadline_days_before_year_end" => self.se_deadline_days_before_year_end,
            "se_reminder_days" => self.se_reminder_days,
            "waiting_reminder_days" => self.waiting_reminder_days,
            _ => self.excellent_quota_percent,
        }
    }

    fn set(&mut self, key: &str, value: i64) {
        match key {
            "max_receivers_per_supporter" => self.max_receivers_per_supporter = value,
            "max_mentees_per_mentor" => self.max_mentees_per_mentor = value,
            "se_deadline_days_before_year_end" => self.se_deadline_days_before_year_end = value,
            "se_reminder_days" => self.se_reminder_days = value,
            "waiting_reminder_days" => self.waiting_reminder_days = value,
            _ => self.excellent_quota_percent = value,
        }
    }
}

/// The settings form as typed (or sent as JSON).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SettingsForm {
    #[serde(deserialize_with = "loose_string")]
    pub max_receivers_per_supporter: String,
    #[serde(deserialize_with = "loose_string")]
    pub max_mentees_per_mentor: String,
    #[serde(deserialize_with = "loose_string")]
    pub excellent_quota_percent: String,
    #[serde(deserialize_with = "loose_string")]
    pub se_deadline_days_before_year_end: String,
    #[serde(deserialize_with = "loose_string")]
    pub se_reminder_days: String,
    #[serde(deserialize_with = "loose_string")]
    pub waiting_reminder_days: String,
}

impl SettingsForm {
    pub fn from_settings(s: &Settings) -> Self {
        SettingsForm {
            max_receivers_per_supporter: s.max_receivers_per_supporter.to_string(),
            max_mentees_per_mentor: s.max_mentees_per_mentor.to_string(),
            excellent_quota_percent: s.excellent_quota_percent.to_string(),
            se_deadline_days_before_year_end: s.se_deadline_days_before_year_end.to_string(),
            se_reminder_days: s.se_reminder_days.to_string(),
            waiting_reminder_days: s.waiting_reminder_days.to_string(),
        }
    }

    fn value(&self, key: &str) -> &str {
        match key {
            "max_receivers_per_supporter" => &self.max_receivers_per_supporter,
            "max_mentees_per_mentor" => &self.max_mentees_per_mentor,
            "se_deadline_days_before_year_end" => &self.se_deadline_days_before_year_end,
            "se_reminder_days" => &self.se_reminder_days,
            "waiting_reminder_days" => &self.waiting_reminder_days,
            _ => &self.excellent_quota_percent,
        }
    }
}

/// The settings in force.
pub async fn load(conn: &impl ConnectionTrait) -> AppResult<Settings> {
    let mut current = Settings::default();
    for row in settings::Entity::find().all(conn).await? {
        if let Some((key, min, max)) = RANGES.iter().find(|(k, _, _)| *k == row.key)
            && let Ok(value) = row.value.trim().parse::<i64>()
            && (*min..=*max).contains(&value)
        {
            current.set(key, value);
        }
    }
    Ok(current)
}

/// Bureau: changes the settings; each value is checked against its range.
pub async fn save(db: &impl Conn, actor: &Actor, form: &SettingsForm) -> AppResult<Settings> {
    policy::require_some(actor, Subject::Settings, Act::Write)?;
    let mut errors = FieldErrors::new();
    let mut values = Vec::new();
    for (key, min, max) in RANGES {
        // The reminder settings came later: a client that does not send them keeps them.
        if LATER.contains(&key) && form.value(key).trim().is_empty() {
            continue;
        }
        match types::number_in(form.value(key), min, max, None) {
            Ok(v) => values.push((key, v)),
            Err(m) => errors.add(key, m),
        }
    }
    errors.into_result()?;
    let txn = db::begin_write(db).await?;
    let before = load(&txn).await?;
    let mut after = before;
    for (key, value) in values {
        after.set(key, value);
        if before.get(key) == value {
            continue;
        }
        let row = settings::ActiveModel {
            key: Set(key.to_string()),
            value: Set(value.to_string()),
            updated_at: Set(Utc::now()),
        };
        if settings::Entity::find_by_id(key.to_string())
            .one(&txn)
            .await?
            .is_some()
        {
            row.update(&txn).await?;
        } else {
            row.insert(&txn).await?;
        }
    }
    audit::record(
        &txn,
        Some(actor),
        "update",
        "settings",
        None,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
