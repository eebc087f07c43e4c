//! Integration tests: the real application through Rocket's local client, on SQLite and
//! (when configured) PostgreSQL.
#[path = "../common/mod.rs"]
mod common;

mod auth;
mod schools;
