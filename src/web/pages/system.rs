//! Health checks and the language switch.
use rocket::http::{Cookie, CookieJar, Header, SameSite, Status};
use rocket::response::Redirect;
use rocket::time::Duration;
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::domain::users;
use crate::i18n::Lang;
use crate::web::forms::CsrfForm;
use crate::web::guards::{CurrentUser, LANG_COOKIE};

/// The stylesheet, built into the binary so that the installed program needs no source
/// tree beside it. Cached for a day.
#[derive(rocket::Responder)]
#[response(content_type = "text/css")]
struct Stylesheet {
    body: &'static str,
    cache: Header<'static>,
}

#[get("/static/app.css")]
fn stylesheet() -> Stylesheet {
    Stylesheet {
        body: include_str!("../../../static/app.css"),
        cache: Header::new("Cache-Control", "public, max-age=86400"),
    }
}

#[get("/healthz")]
fn healthz() -> &'static str {
    "ok"
}

#[get("/readyz")]
async fn readyz(db: &State<DatabaseConnection>) -> (Status, &'static str) {
    if crate::db::ping(db).await {
        (Status::Ok, "ready")
    } else {
        (Status::ServiceUnavailable, "database unavailable")
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LangForm {
    lang: String,
    next: String,
}

/// Switches the language: kept in a cookie, and in the account when signed in.
#[post("/lang", data = "<form>")]
async fn switch_lang(
    db: &State<DatabaseConnection>,
    user: Option<CurrentUser>,
    cookies: &CookieJar<'_>,
    form: CsrfForm<LangForm>,
) -> Redirect {
    let form = form.0;
    let lang = Lang::parse(&form.lang).unwrap_or_default();
    cookies.add(
        Cookie::build((LANG_COOKIE, lang.code()))
            .path("/")
            .same_site(SameSite::Lax)
            .max_age(Duration::days(365)),
    );
    if let Some(user) = user {
        let _ = users::set_locale(db.inner(), &user.actor, lang).await;
    }
    Redirect::to(super::safe_next(Some(&form.next)))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![stylesheet, healthz, readyz, switch_lang]
}
