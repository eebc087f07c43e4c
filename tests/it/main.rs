//! Integration tests: the real application through Rocket's local client, on SQLite and
//! (when configured) PostgreSQL.
#[path = "../common/mod.rs"]
mod common;

mod academic_years;
mod access_policy;
mod admin_pages;
mod api;
mod api_authz;
mod api_crud;
mod auth;
mod browser;
mod cli;
mod contributions;
mod dashboard;
mod demo;
mod exports;
mod figures;
mod generate;
mod home;
mod i18n;
mod imports;
mod mail;
mod matching;
mod observations;
mod pages_authz;
mod paging;
mod pairing_guarantees;
mod query_counts;
mod reports;
mod resources;
mod route_matrix;
mod scale_out;
mod schema;
mod school_pairings;
mod schools;
mod secondments;
mod security;
mod self_evaluations;
mod summaries;
mod system;
mod teacher_pairings;
mod teachers;
mod training;
mod users;
mod visits;
mod work_plans;
