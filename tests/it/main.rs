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
mod exports;
mod i18n;
mod imports;
mod pages_authz;
mod schools;
mod system;
mod teachers;
mod users;
