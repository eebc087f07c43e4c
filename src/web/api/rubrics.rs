//! `/api/v1/rubrics`: the rubric templates (评课表), versioned.
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{State, get, post, put, routes};
use sea_orm::DatabaseConnection;
use serde::Serialize;

use crate::domain::rubrics::{self, Band, Rubric, RubricInput, Section};
use crate::error::AppResult;
use crate::web::api::Obj;
use crate::web::api::created;
use crate::web::api::openapi::ErrorBody;
use crate::web::forms::ApiJson;
use crate::web::guards::{BureauAdmin, CurrentUser};

/// A rubric version as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RubricView {
    pub id: i64,
    /// Shared by every version of one template.
    pub code: String,
    pub version: i32,
    pub name: String,
    pub description: String,
    pub is_current: bool,
    pub is_active: bool,
    pub sections: Vec<Section>,
    pub bands: Vec<Band>,
}

impl From<Rubric> for RubricView {
    fn from(r: Rubric) -> Self {
        RubricView {
            id: r.row.id,
            code: r.row.code,
            version: r.row.version,
            name: r.row.name,
            description: r.row.description,
            is_current: r.row.is_current,
            is_active: r.row.is_active,
            sections: r.def.sections,
            bands: r.def.bands,
        }
    }
}

/// The current version of every template.
#[utoipa::path(context_path = "/api/v1", operation_id = "rubrics_list", tag = "rubrics",
    responses(
        (status = 200, description = "Current versions", body = [RubricView]),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ))]
#[get("/rubrics")]
pub async fn rubrics_list(
    db: &State<DatabaseConnection>,
    _user: CurrentUser,
) -> AppResult<Json<Vec<RubricView>>> {
    Ok(Json(
        rubrics::list_current(db.inner())
            .await?
            .into_iter()
            .map(RubricView::from)
            .collect(),
    ))
}

/// One version (old versions stay readable for the observations scored with them).
#[utoipa::path(context_path = "/api/v1", operation_id = "rubrics_show", tag = "rubrics",
    params(("id" = i64, Path, description = "Rubric version id")),
    responses(
        (status = 200, description = "The version", body = RubricView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such version", body = ErrorBody),
    ))]
#[get("/rubrics/<id>")]
pub async fn rubrics_show(
    db: &State<DatabaseConnection>,
    _user: CurrentUser,
    id: i64,
) -> AppResult<Json<RubricView>> {
    Ok(Json(rubrics::get(db.inner(), id).await?.into()))
}

/// A new template (bureau).
#[utoipa::path(context_path = "/api/v1", operation_id = "rubrics_create", tag = "rubrics",
    request_body = RubricInput,
    responses(
        (status = 201, description = "Created", body = RubricView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 422, description = "Invalid template", body = ErrorBody),
    ))]
#[post("/rubrics", data = "<body>")]
pub async fn rubrics_create(
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    body: ApiJson<Obj<RubricInput>>,
) -> AppResult<Created<Json<RubricView>>> {
    let user = guard.0;
    let r = rubrics::create(db.inner(), &user.actor, &body.get()?.0).await?;
    Ok(created(format!("/rubrics/{}", r.row.id), r.into()))
}

/// Edit the current version (bureau): when observations were scored with it, the answer
/// is a NEW version (another id); the old one stays for them.
#[utoipa::path(context_path = "/api/v1", operation_id = "rubrics_update", tag = "rubrics",
    params(("id" = i64, Path, description = "Rubric version id (the current one)")),
    request_body = RubricInput,
    responses(
        (status = 200, description = "Saved (possibly as a new version)", body = RubricView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "Not the bureau", body = ErrorBody),
        (status = 404, description = "No such version", body = ErrorBody),
        (status = 409, description = "Not the current version (`fields.version`)", body = ErrorBody),
        (status = 422, description = "Invalid template", body = ErrorBody),
    ))]
#[put("/rubrics/<id>", data = "<body>")]
pub async fn rubrics_update(
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    id: i64,
    body: ApiJson<Obj<RubricInput>>,
) -> AppResult<Json<RubricView>> {
    let user = guard.0;
    Ok(Json(
        rubrics::update(db.inner(), &user.actor, id, &body.get()?.0)
            .await?
            .into(),
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![rubrics_list, rubrics_show, rubrics_create, rubrics_update]
}
