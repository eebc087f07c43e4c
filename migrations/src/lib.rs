//! Schema history. Each migration describes the schema as it was at that point in time,
//! so it never imports the application's entities.
pub use sea_orm_migration::prelude::*;

mod m20261129_000001_foundation;
mod m20261129_000002_settings_notifications;
mod m20261129_000003_pairings;
mod m20261130_000004_observations;
mod m20261202_000005_security;
mod m20261202_000006_indexes;
mod m20261202_000007_status_checks;
mod m20261202_000008_reflection_version;
mod m20261202_000009_name_keys;
mod m20261203_000010_list_order_indexes;
mod m20261203_000011_maintained_figures;
mod m20261203_000012_name_grams;
mod m20261203_000013_contributions;
mod m20261203_000014_waiting_indexes;
mod m20261203_000015_visits;
mod m20261203_000016_training_weeks;
mod m20261203_000017_resources;
mod m20261204_000018_self_evaluations;
mod m20261204_000019_tally_indexes;
mod m20261204_000020_week_tallies;
mod m20261204_000021_year_end_documents;
mod m20261204_000022_summary_list_index;
mod m20261204_000023_year_figures;
mod m20261204_000024_reports_reviews;
mod m20261204_000025_review_indexes;
mod m20261204_000026_kept_ledger_visits;
mod m20261204_000027_secondment_plan;
mod m20261204_000028_home_indexes;
pub mod m20261204_000029_bureau_waiting;
pub mod m20261204_000030_change_stamp;

/// The statements that count every record into an empty `year_figures` (see migrations 23
/// and 26).
pub fn year_figures_fill(backend: sea_orm_migration::sea_orm::DbBackend) -> Vec<String> {
    let mut all = m20261204_000023_year_figures::fill_statements(backend);
    all.extend(m20261204_000026_kept_ledger_visits::fill_statements(
        backend,
    ));
    all
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_foundation::Migration),
            Box::new(m20261129_000002_settings_notifications::Migration),
            Box::new(m20261129_000003_pairings::Migration),
            Box::new(m20261130_000004_observations::Migration),
            Box::new(m20261202_000005_security::Migration),
            Box::new(m20261202_000006_indexes::Migration),
            Box::new(m20261202_000007_status_checks::Migration),
            Box::new(m20261202_000008_reflection_version::Migration),
            Box::new(m20261202_000009_name_keys::Migration),
            Box::new(m20261203_000010_list_order_indexes::Migration),
            Box::new(m20261203_000011_maintained_figures::Migration),
            Box::new(m20261203_000012_name_grams::Migration),
            Box::new(m20261203_000013_contributions::Migration),
            Box::new(m20261203_000014_waiting_indexes::Migration),
            Box::new(m20261203_000015_visits::Migration),
            Box::new(m20261203_000016_training_weeks::Migration),
            Box::new(m20261203_000017_resources::Migration),
            Box::new(m20261204_000018_self_evaluations::Migration),
            Box::new(m20261204_000019_tally_indexes::Migration),
            Box::new(m20261204_000020_week_tallies::Migration),
            Box::new(m20261204_000021_year_end_documents::Migration),
            Box::new(m20261204_000022_summary_list_index::Migration),
            Box::new(m20261204_000023_year_figures::Migration),
            Box::new(m20261204_000024_reports_reviews::Migration),
            Box::new(m20261204_000025_review_indexes::Migration),
            Box::new(m20261204_000026_kept_ledger_visits::Migration),
            Box::new(m20261204_000027_secondment_plan::Migration),
            Box::new(m20261204_000028_home_indexes::Migration),
            Box::new(m20261204_000029_bureau_waiting::Migration),
            Box::new(m20261204_000030_change_stamp::Migration),
        ]
    }
}

/// A name's sort key in pinyin order, as a Chinese dictionary or class list orders names:
/// each character becomes its syllable with the tone number after it (李明 → `li3ming2`),
/// so 陈 (chen2) sorts before 李 (li3) and 王 (wang2), whatever their character codes.
/// Letters and digits are kept in lower case; the tone digit ends every syllable, so the
/// key sorts the same under a byte order and under a language collation. Characters without
/// a reading (punctuation, the middle dot of 阿依·买买提) are left out.
pub fn name_key(name: &str) -> String {
    use pinyin::ToPinyin;
    let mut key = String::with_capacity(name.len() * 2);
    for c in name.trim().chars() {
        match c.to_pinyin() {
            Some(p) => key.push_str(p.with_tone_num_end()),
            None if c.is_alphanumeric() => key.extend(c.to_lowercase()),
            None => {}
        }
    }
    key
}

/// The pieces of a name a search looks up (`teacher_name_grams`): every character and
/// every pair of neighbouring characters, in lower case, spaces left out. A name contains
/// a search text of one or two characters exactly when the text is one of its pieces; a
/// longer text, only if its first two characters are one (then the name is checked).
/// 王丽华 → 王, 丽, 华, 王丽, 丽华.
pub fn name_grams(name: &str) -> Vec<String> {
    let chars: Vec<char> = name
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let mut grams: Vec<String> = chars.iter().map(|c| c.to_string()).collect();
    grams.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
    grams.sort();
    grams.dedup();
    grams
}

/// The piece a search text is looked up by (see `name_grams`): itself up to two
/// characters, else its first two. None for an empty text.
pub fn search_gram(text: &str) -> Option<String> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .take(2)
        .collect();
    (!chars.is_empty()).then(|| chars.into_iter().collect())
}
