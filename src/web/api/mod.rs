//! The JSON API under `/api/v1`, over the same domain services as the pages.
use rocket::Route;

pub mod session;

pub fn routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(session::routes());
    routes
}
