//! Everyone's notifications (通知): the list, opening one (which marks it read) and
//! marking all read.
use askama::Template;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::de::IgnoredAny;

use crate::domain::notifications::inbox;
use crate::domain::paging::{PageRequest, Paged};
use crate::entities::notifications;
use crate::error::AppResult;
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser};
use crate::web::pages::safe_next;
use crate::web::respond::{Page, render};

/// A notice as the list shows it.
pub struct NoticeRow {
    pub n: notifications::Model,
    pub text: String,
}

#[derive(Template)]
#[template(path = "notifications/index.html")]
struct NotificationsPage {
    ctx: Ctx,
    page: Paged<NoticeRow>,
}

#[get("/notifications?<page>&<per_page>")]
async fn notifications_page(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    page: Option<String>,
    per_page: Option<String>,
) -> AppResult<Page> {
    let request = PageRequest::parse_lenient(page.as_deref(), per_page.as_deref());
    let lang = ctx.lang;
    let page = inbox::list(db.inner(), &user.actor, request)
        .await?
        .map(|n| NoticeRow {
            text: inbox::text(lang, &n),
            n,
        });
    render(&NotificationsPage { ctx, page })
}

#[post("/notifications/<id>/read", data = "<_form>")]
async fn notification_read(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Redirect> {
    let n = inbox::mark_read(db.inner(), &user.actor, id).await?;
    let target = if n.link.is_empty() {
        "/notifications".to_string()
    } else {
        safe_next(Some(&n.link))
    };
    Ok(Redirect::to(target))
}

#[post("/notifications/read-all", data = "<_form>")]
async fn notifications_read_all(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    inbox::mark_all_read(db.inner(), &user.actor).await?;
    Ok(Flash::success(
        Redirect::to("/notifications"),
        "flash-notifications-read",
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        notifications_page,
        notification_read,
        notifications_read_all
    ]
}
