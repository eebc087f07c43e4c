//! SeaORM entities matching the migrated schema (see `migrations/`).
pub mod academic_years;
pub mod api_tokens;
pub mod audit_log;
pub mod notifications;
pub mod outbox;
pub mod password_resets;
pub mod pending_imports;
pub mod schools;
pub mod settings;
pub mod teachers;
pub mod users;
