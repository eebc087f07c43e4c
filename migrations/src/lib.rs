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
