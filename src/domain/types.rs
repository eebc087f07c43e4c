//! Typed values parsed once from user input: enums with their stable English words
//! (the JSON API's values) and their catalogue keys (what users read).
use crate::error::Msg;

/// The largest id taken from outside: 2^53 − 1, the largest integer every JSON reader keeps.
pub const MAX_ID: i64 = 9_007_199_254_740_991;

/// Declares an enum of stable lower-case words with `as_str`, `parse`, `ALL` and the
/// catalogue key of its label (`<prefix>-<word>`).
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        $crate::domain::types::word_enum!(@impl $name, stringify!($name), $prefix, { $($variant => $word),+ });
    };
    // A column's type too: stored as its word (a CHECK constraint in the schema keeps
    // other words out), read back typed, so no code compares it as a string.
    (column $(#[$meta:meta])* $name:ident, $prefix:literal, { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
        )]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $(#[sea_orm(string_value = $word)] $variant),+ }

        $crate::domain::types::word_enum!(@impl $name, stringify!($name), $prefix, { $($variant => $word),+ });
    };
    // A column's type whose short name another kind uses too: `as "Name"` names it in the
    // OpenAPI document (`self_evaluations::Stage` as `SelfEvaluationStatus`).
    (column $(#[$meta:meta])* $name:ident as $schema:literal, $prefix:literal, { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
            sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
        )]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $(#[sea_orm(string_value = $word)] $variant),+ }

        $crate::domain::types::word_enum!(@impl $name, $schema, $prefix, { $($variant => $word),+ });
    };
    (@impl $name:ident, $schema:expr, $prefix:literal, { $($variant:ident => $word:literal),+ }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s.trim() { $($word => Some($name::$variant),)+ _ => None }
            }

            /// The Fluent key of this value's label.
            pub fn label_key(self) -> String {
                format!("{}-{}", $prefix, self.as_str())
            }

            /// All values as (word, label key) pairs, for select boxes.
            pub fn options() -> Vec<(&'static str, String)> {
                Self::ALL.iter().map(|v| (v.as_str(), v.label_key())).collect()
            }
        }

        /// In the OpenAPI document: a string, one of the words.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($word),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed($schema)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl crate::domain::workflow::Word for $name {
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
            fn label_key(self) -> String {
                $name::label_key(self)
            }
        }
    };
}
pub(crate) use word_enum;

word_enum!(
    /// A user's role.
    Role, "role", {
        BureauAdmin => "bureau_admin",
        SchoolAdmin => "school_admin",
        Teacher => "teacher",
    }
);

word_enum!(
    /// 城区 / 乡镇 / 农村
    SchoolKind, "school-kind", {
        Urban => "urban",
        Township => "township",
        Rural => "rural",
    }
);

word_enum!(
    /// 小学 / 初中 / 高中 / 完中 / 九年一贯制
    Stage, "stage", {
        Primary => "primary",
        Junior => "junior",
        Senior => "senior",
        Complete => "complete",
        NineYear => "nine_year",
    }
);

word_enum!(
    Gender, "gender", {
        Female => "female",
        Male => "male",
    }
);

word_enum!(
    /// One of the two terms (学期) of an academic year.
    YearTerm, "year-term", {
        First => "first",
        Second => "second",
    }
);

impl YearTerm {
    /// 1 or 2.
    pub fn number(self) -> u8 {
        match self {
            YearTerm::First => 1,
            YearTerm::Second => 2,
        }
    }
}

word_enum!(
    /// 职称: 未定级/三级/二级/一级/高级/正高级
    Title, "title", {
        Unrated => "unrated",
        Third => "third",
        Second => "second",
        First => "first",
        Senior => "senior",
        Professor => "professor",
    }
);

word_enum!(column
    /// A pairing's state (school and teacher pairings): `draft → active → completed`, or
    /// `terminated`.
    PairingStatus, "pairing-status", {
        Draft => "draft",
        Active => "active",
        Completed => "completed",
        Terminated => "terminated",
    }
);

word_enum!(
    /// 师资 / 教学管理 / 资金 / 物资
    SupportKind, "support-kind", {
        Staff => "staff",
        Management => "management",
        Funds => "funds",
        Materials => "materials",
    }
);

impl SchoolKind {
    /// Also accepts the Chinese words used in spreadsheets.
    pub fn parse_any(s: &str) -> Option<SchoolKind> {
        SchoolKind::parse(s).or(match s.trim() {
            "城区" | "城市" => Some(SchoolKind::Urban),
            "乡镇" => Some(SchoolKind::Township),
            "农村" | "村" => Some(SchoolKind::Rural),
            _ => None,
        })
    }
}

impl Stage {
    pub fn parse_any(s: &str) -> Option<Stage> {
        Stage::parse(s).or(match s.trim() {
            "小学" => Some(Stage::Primary),
            "初中" | "初级中学" => Some(Stage::Junior),
            "高中" | "高级中学" => Some(Stage::Senior),
            "完中" | "完全中学" => Some(Stage::Complete),
            "九年一贯制" => Some(Stage::NineYear),
            _ => None,
        })
    }
}

impl Gender {
    pub fn parse_any(s: &str) -> Option<Gender> {
        Gender::parse(s).or(match s.trim() {
            "女" => Some(Gender::Female),
            "男" => Some(Gender::Male),
            _ => None,
        })
    }
}

impl Title {
    pub fn parse_any(s: &str) -> Option<Title> {
        Title::parse(s).or(match s.trim() {
            "未定级" | "" => Some(Title::Unrated),
            "三级" | "三级教师" => Some(Title::Third),
            "二级" | "二级教师" => Some(Title::Second),
            "一级" | "一级教师" => Some(Title::First),
            "高级" | "高级教师" => Some(Title::Senior),
            "正高级" | "正高级教师" => Some(Title::Professor),
            _ => None,
        })
    }
}

/// A `LIKE` pattern matching values that contain `text` literally: `%`, `_` and `\\` typed
/// by a user are matched as themselves, not as wildcards.
pub fn contains(text: &str) -> sea_orm::sea_query::LikeExpr {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    sea_orm::sea_query::LikeExpr::new(escaped).escape('\\')
}

/// A trimmed, non-empty text of at most `max` characters.
pub fn required_text(value: &str, max: usize) -> Result<String, Msg> {
    let value = value.trim();
    if value.is_empty() {
        Err(Msg::new("err-required"))
    } else if value.chars().count() > max {
        Err(Msg::new("err-too-long").arg("max", max))
    } else {
        Ok(value.to_string())
    }
}

/// A trimmed, possibly empty text of at most `max` characters.
pub fn optional_text(value: &str, max: usize) -> Result<String, Msg> {
    let value = value.trim();
    if value.chars().count() > max {
        Err(Msg::new("err-too-long").arg("max", max))
    } else {
        Ok(value.to_string())
    }
}

/// A whole number in `min..=max`, written by a person (empty means `default`).
pub fn number_in(value: &str, min: i64, max: i64, default: Option<i64>) -> Result<i64, Msg> {
    let value = value.trim();
    if value.is_empty() {
        return default.ok_or_else(|| Msg::new("err-required"));
    }
    match value.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(_) => Err(Msg::new("err-out-of-range").arg("min", min).arg("max", max)),
        Err(_) => Err(Msg::new("err-not-a-number")),
    }
}

/// An e-mail address, lower-cased (validated with `validator`).
pub fn email(value: &str) -> Result<String, Msg> {
    let value = value.trim().to_lowercase();
    if value.is_empty() {
        return Err(Msg::new("err-required"));
    }
    if value.chars().count() > 254 || !validator::ValidateEmail::validate_email(&value) {
        return Err(Msg::new("err-email"));
    }
    Ok(value)
}

/// An optional e-mail address (empty allowed).
pub fn optional_email(value: &str) -> Result<String, Msg> {
    if value.trim().is_empty() {
        Ok(String::new())
    } else {
        email(value)
    }
}

/// A phone number: digits, spaces, `+`, `-` and parentheses, at most 30 characters.
pub fn phone(value: &str) -> Result<String, Msg> {
    let value = value.trim();
    if value.chars().count() > 30 {
        return Err(Msg::new("err-too-long").arg("max", 30));
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c))
    {
        return Err(Msg::new("err-phone"));
    }
    Ok(value.to_string())
}

/// A list typed as one text: items separated by commas (`,`, `，`, `、`), semicolons or new lines.
pub fn text_list(value: &str, max_items: usize, max_len: usize) -> Result<Vec<String>, Msg> {
    let mut items: Vec<String> = Vec::new();
    for item in value.split([',', '，', '、', ';', '；', '\n']) {
        let item = item.trim();
        if item.is_empty() || items.iter().any(|i| i == item) {
            continue;
        }
        if item.chars().count() > max_len {
            return Err(Msg::new("err-too-long").arg("max", max_len));
        }
        items.push(item.to_string());
    }
    if items.len() > max_items {
        return Err(Msg::new("err-too-many").arg("max", max_items));
    }
    Ok(items)
}

/// A calendar date `YYYY-MM-DD`.
pub fn date(value: &str) -> Result<chrono::NaiveDate, Msg> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Msg::new("err-required"));
    }
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| Msg::new("err-date"))
}

/// Minimum password length, in characters.
pub const MIN_PASSWORD_LEN: usize = 10;

pub fn password(value: &str) -> Result<String, Msg> {
    let n = value.chars().count();
    if n < MIN_PASSWORD_LEN {
        Err(Msg::new("err-password-short").arg("min", MIN_PASSWORD_LEN))
    } else if n > 200 {
        Err(Msg::new("err-too-long").arg("max", 200))
    } else {
        Ok(value.to_string())
    }
}

pub fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

pub fn parse_json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_and_accept_chinese() {
        for kind in SchoolKind::ALL {
            assert_eq!(SchoolKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(SchoolKind::parse_any("农村"), Some(SchoolKind::Rural));
        assert_eq!(Stage::parse_any("九年一贯制"), Some(Stage::NineYear));
        assert_eq!(Title::parse_any("一级教师"), Some(Title::First));
        assert_eq!(Stage::parse("college"), None);
    }

    #[test]
    fn lists_split_on_chinese_separators() {
        assert_eq!(
            text_list("数学、物理，数学", 10, 20).unwrap(),
            vec!["数学".to_string(), "物理".to_string()]
        );
        assert_eq!(text_list("a,b,c,d", 3, 20).unwrap_err().key, "err-too-many");
    }

    #[test]
    fn numbers_and_texts() {
        assert_eq!(number_in("", 0, 10, Some(0)), Ok(0));
        assert_eq!(
            number_in("11", 0, 10, None).unwrap_err().key,
            "err-out-of-range"
        );
        assert_eq!(
            number_in("x", 0, 10, None).unwrap_err().key,
            "err-not-a-number"
        );
        assert_eq!(required_text("  ", 5).unwrap_err().key, "err-required");
        assert_eq!(required_text("123456", 5).unwrap_err().key, "err-too-long");
        assert_eq!(email("A@B.cn").unwrap(), "a@b.cn");
        assert!(email("not-an-email").is_err());
        assert!(phone("0763-1234567").is_ok());
        assert!(phone("call me").is_err());
    }
}

/// Serde helpers so one raw input struct serves HTML forms (all text) and JSON (numbers,
/// booleans and lists too): values are kept as the text the user sent.
pub mod de {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loose {
        Text(String),
        Int(i64),
        Float(f64),
        Bool(bool),
        List(Vec<Loose>),
        Null(()),
    }

    impl Loose {
        fn into_text(self) -> String {
            match self {
                Loose::Text(s) => s,
                Loose::Int(n) => n.to_string(),
                Loose::Float(f) => f.to_string(),
                Loose::Bool(b) => b.to_string(),
                Loose::List(items) => items
                    .into_iter()
                    .map(Loose::into_text)
                    .collect::<Vec<_>>()
                    .join(","),
                Loose::Null(()) => String::new(),
            }
        }
    }

    /// An object of such values (`{"12": 4.5}`), as text keyed by text; null is empty.
    pub fn loose_map<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<std::collections::BTreeMap<String, String>, D::Error> {
        let map = Option::<std::collections::BTreeMap<String, Loose>>::deserialize(d)?;
        Ok(map
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.into_text()))
            .collect())
    }

    /// A list of such values, or one value, or repeated form fields (check boxes), each as
    /// text; null is an empty list.
    pub fn loose_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(match Option::<Loose>::deserialize(d)? {
            None | Some(Loose::Null(())) => Vec::new(),
            Some(Loose::List(items)) => items.into_iter().map(Loose::into_text).collect(),
            Some(one) => vec![one.into_text()],
        })
    }

    /// A string, number, boolean, null or list (joined with commas), as text.
    pub fn loose_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(Option::<Loose>::deserialize(d)?
            .map(Loose::into_text)
            .unwrap_or_default())
    }
}

word_enum!(
    /// 常态课 / 公开课 / 示范课 / 研讨课
    LessonKind, "lesson-kind", {
        Regular => "regular",
        Open => "open",
        Demonstration => "demonstration",
        Research => "research",
    }
);

word_enum!(
    /// 现场听课 / 远程（同步课堂、专递课堂）
    LessonMode, "lesson-mode", {
        Onsite => "onsite",
        Remote => "remote",
    }
);

word_enum!(
    /// 电话 / 短信 / 邮件 / 网络会议 / 走访
    ContactKind, "contact-kind", {
        Phone => "phone",
        Sms => "sms",
        Email => "email",
        Online => "online",
        Visit => "visit",
    }
);

/// The programme's time zone (China Standard Time, UTC+8): dates people see and type.
pub fn local_zone() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8")
}

/// Today's date in the programme's time zone.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&local_zone()).date_naive()
}

impl PairingStatus {
    /// Completed or terminated: a closed record.
    pub fn is_ended(self) -> bool {
        matches!(self, PairingStatus::Completed | PairingStatus::Terminated)
    }

    /// The badge's class on pages.
    pub fn css(self) -> &'static str {
        match self {
            PairingStatus::Draft => "draft",
            PairingStatus::Active => "on",
            PairingStatus::Completed => "off",
            PairingStatus::Terminated => "bad",
        }
    }
}

/// The local date of an instant.
pub fn local_date(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    at.with_timezone(&local_zone()).date_naive()
}

/// The instant a local date begins.
pub fn local_midnight(d: chrono::NaiveDate) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    local_zone()
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default()
}
