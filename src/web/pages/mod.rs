//! Server-rendered pages, one module per area.
use rocket::Route;

pub mod academic_years;
pub mod admin;
pub mod auth;
pub mod contributions;
pub mod exports;
pub mod home;
pub mod imports;
pub mod matching;
pub mod notifications;
pub mod observations;
pub mod reflections;
pub mod reports;
pub mod resources;
pub mod reviews;
pub mod rubrics;
pub mod school_pairings;
pub mod schools;
pub mod secondments;
pub mod self_evaluations;
pub mod summaries;
pub mod system;
pub mod teacher_pairings;
pub mod teachers;
pub mod training;
pub mod users;
pub mod visits;

pub fn routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(system::routes());
    routes.extend(auth::routes());
    routes.extend(home::routes());
    routes.extend(schools::routes());
    routes.extend(school_pairings::routes());
    routes.extend(teacher_pairings::routes());
    routes.extend(imports::routes());
    routes.extend(exports::routes());
    routes.extend(teachers::routes());
    routes.extend(users::routes());
    routes.extend(academic_years::routes());
    routes.extend(secondments::routes());
    routes.extend(contributions::routes());
    routes.extend(visits::routes());
    routes.extend(training::routes());
    routes.extend(resources::routes());
    routes.extend(self_evaluations::routes());
    routes.extend(summaries::routes());
    routes.extend(reports::routes());
    routes.extend(reviews::routes());
    routes.extend(admin::routes());
    routes.extend(notifications::routes());
    routes.extend(matching::routes());
    routes.extend(observations::routes());
    routes.extend(reflections::routes());
    routes.extend(rubrics::routes());
    routes
}

/// The `next` target after signing in: only paths on this site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}
