//! SeaORM entities matching the migrated schema (see `migrations/`).
pub mod academic_years;
pub mod api_tokens;
pub mod audit_log;
pub mod idempotency_keys;
pub mod notifications;
pub mod outbox;
pub mod password_resets;
pub mod pending_imports;
pub mod plan_comments;
pub mod school_pairings;
pub mod schools;
pub mod secondments;
pub mod settings;
pub mod teacher_pairings;
pub mod teachers;
pub mod users;
