//! Message catalogues (Fluent, `locales/`): 简体中文 by default, English.
use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

use crate::error::Msg;

fluent_templates::static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ZH: LanguageIdentifier = langid!("zh-CN");
static EN: LanguageIdentifier = langid!("en");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// `zh`, `zh-CN`, `zh-Hans`… and `en`, `en-GB`…; anything else is not ours.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first language of an `Accept-Language` header that we have, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut choices: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        choices.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        choices.first().map(|(_, lang)| *lang)
    }

    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    pub fn t_args(self, key: &str, args: &[(&str, String)]) -> String {
        LOCALES.lookup_with_args(self.id(), key, &args_map(args))
    }

    /// A catalogue string without arguments, if the catalogue has it.
    pub fn try_t(self, key: &str) -> Option<String> {
        LOCALES.try_lookup(self.id(), key)
    }

    /// A catalogue string with arguments, if the catalogue has it (and it needs no
    /// others).
    pub fn try_t_args(self, key: &str, args: &[(&str, String)]) -> Option<String> {
        LOCALES.try_lookup_with_args(self.id(), key, &args_map(args))
    }

    /// A string with one argument.
    pub fn t1(self, key: &str, name: &str, value: impl ToString) -> String {
        self.t_args(key, &[(name, value.to_string())])
    }

    pub fn msg(self, msg: &Msg) -> String {
        if msg.args.is_empty() {
            self.t(&msg.key)
        } else {
            let args: Vec<(&str, String)> = msg
                .args
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            self.t_args(&msg.key, &args)
        }
    }

    /// `2026年11月29日` or `29 Nov 2026`.
    pub fn date(self, date: chrono::NaiveDate) -> String {
        match self {
            Lang::Zh => date.format("%Y年%-m月%-d日").to_string(),
            Lang::En => date.format("%-d %b %Y").to_string(),
        }
    }

    /// Between the items of a list: 、 in Chinese, a comma in English.
    pub fn sep(self) -> &'static str {
        match self {
            Lang::Zh => "、",
            Lang::En => ", ",
        }
    }

    /// To the second, in local time (UTC+8): `2026年12月2日 14:03:27` or
    /// `2 Dec 2026 14:03:27`.
    pub fn datetime_seconds(self, at: chrono::DateTime<chrono::Utc>) -> String {
        let local = at.with_timezone(&crate::domain::types::local_zone());
        match self {
            Lang::Zh => local.format("%Y年%-m月%-d日 %H:%M:%S").to_string(),
            Lang::En => local.format("%-d %b %Y %H:%M:%S").to_string(),
        }
    }

    pub fn datetime(self, at: chrono::DateTime<chrono::Utc>) -> String {
        let local = at.with_timezone(&crate::domain::types::local_zone());
        match self {
            Lang::Zh => local.format("%Y年%-m月%-d日 %H:%M").to_string(),
            Lang::En => local.format("%-d %b %Y %H:%M").to_string(),
        }
    }
}

fn args_map(args: &[(&str, String)]) -> HashMap<Cow<'static, str>, FluentValue<'static>> {
    args.iter()
        .map(|(k, v)| (Cow::Owned(k.to_string()), fluent_value(v)))
        .collect()
}

/// An argument as Fluent sees it: a whole number written plainly (`3`, not `03`) is a
/// number, so the catalogues can choose plural forms (`1 mentee`, `2 mentees`); anything
/// else stays text.
fn fluent_value(v: &str) -> FluentValue<'static> {
    match v.parse::<i64>() {
        // Fluent keeps numbers as f64: only those it holds exactly.
        Ok(n) if n.to_string() == v && n.abs() < 1 << 53 => FluentValue::from(n),
        _ => FluentValue::from(v.to_string()),
    }
}
