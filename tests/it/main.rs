//! Integration tests: the real application through Rocket's local client, on SQLite and
//! (when configured) PostgreSQL.
#[path = "../common/mod.rs"]
mod common;

mod academic_years;
mod api;
mod api_authz;
mod api_crud;
mod auth;
mod browser;
mod cli;
mod demo;
mod i18n;
mod schools;
mod teachers;
mod users;
