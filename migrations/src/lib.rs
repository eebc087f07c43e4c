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
        ]
    }
}
