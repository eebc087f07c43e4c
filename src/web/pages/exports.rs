//! Downloads of the school, teacher and user lists (`.xlsx`, `.csv`) for exactly the list page's
//! filters, through the same access checks as the lists.
use std::io::Cursor;

use rocket::http::{ContentType, Header};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket::{FromForm, State, get, routes};
use sea_orm::DatabaseConnection;

use crate::domain::exports::{self, FileFormat};
use crate::domain::types::Role;
use crate::domain::users::UserFilter;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::guards::{BureauAdmin, CurrentUser, Staff};
use crate::web::pages::schools::SchoolQuery;
use crate::web::pages::teachers::TeacherQuery;

/// A file to save: its bytes, format and suggested name.
pub struct Download {
    pub bytes: Vec<u8>,
    pub format: FileFormat,
    pub file_name: String,
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        let content_type =
            ContentType::parse_flexible(self.format.content_type()).unwrap_or(ContentType::Binary);
        Response::build()
            .header(content_type)
            .header(Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.file_name),
            ))
            .header(Header::new("Cache-Control", "private, no-store"))
            .sized_body(self.bytes.len(), Cursor::new(self.bytes))
            .ok()
    }
}

/// The schools list's query string (`/schools` and its exports).
#[derive(Debug, Default, FromForm)]
pub struct SchoolParams {
    q: Option<String>,
    kind: Option<String>,
    stage: Option<String>,
    district: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    inactive: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl SchoolParams {
    pub fn query(self) -> SchoolQuery {
        SchoolQuery {
            q: self.q.unwrap_or_default(),
            kind: self.kind.unwrap_or_default(),
            stage: self.stage.unwrap_or_default(),
            district: self.district.unwrap_or_default(),
            sort: self.sort.unwrap_or_default(),
            dir: self.dir.unwrap_or_default(),
            inactive: self.inactive.is_some_and(|v| !v.is_empty()),
        }
    }
}

/// The teachers list's query string (`/teachers` and its exports).
#[derive(Debug, Default, FromForm)]
pub struct TeacherParams {
    q: Option<String>,
    school_id: Option<String>,
    district: Option<String>,
    subject: Option<String>,
    title: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    inactive: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl TeacherParams {
    pub fn query(self) -> TeacherQuery {
        TeacherQuery {
            q: self.q.unwrap_or_default(),
            school_id: self.school_id.unwrap_or_default(),
            district: self.district.unwrap_or_default(),
            subject: self.subject.unwrap_or_default(),
            title: self.title.unwrap_or_default(),
            sort: self.sort.unwrap_or_default(),
            dir: self.dir.unwrap_or_default(),
            inactive: self.inactive.is_some_and(|v| !v.is_empty()),
        }
    }
}

async fn schools_file(
    db: &DatabaseConnection,
    user: &CurrentUser,
    lang: Lang,
    format: FileFormat,
    params: SchoolParams,
) -> AppResult<Download> {
    let filter = params.query().filter();
    let bytes = exports::schools(db, &user.actor, &filter, lang, format).await?;
    Ok(Download {
        bytes,
        format,
        file_name: exports::file_name("schools", format),
    })
}

async fn teachers_file(
    db: &DatabaseConnection,
    staff: &Staff,
    lang: Lang,
    format: FileFormat,
    params: TeacherParams,
) -> AppResult<Download> {
    let user = &staff.0;
    let filter = params.query().filter();
    let bytes = exports::teachers(db, &user.actor, &filter, lang, format).await?;
    Ok(Download {
        bytes,
        format,
        file_name: exports::file_name("teachers", format),
    })
}

#[get("/schools/export.xlsx?<params..>")]
async fn schools_xlsx(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    lang: Lang,
    params: SchoolParams,
) -> AppResult<Download> {
    schools_file(db, &user, lang, FileFormat::Xlsx, params).await
}

#[get("/schools/export.csv?<params..>")]
async fn schools_csv(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    lang: Lang,
    params: SchoolParams,
) -> AppResult<Download> {
    schools_file(db, &user, lang, FileFormat::Csv, params).await
}

#[get("/teachers/export.xlsx?<params..>")]
async fn teachers_xlsx(
    db: &State<DatabaseConnection>,
    staff: Staff,
    lang: Lang,
    params: TeacherParams,
) -> AppResult<Download> {
    teachers_file(db, &staff, lang, FileFormat::Xlsx, params).await
}

#[get("/teachers/export.csv?<params..>")]
async fn teachers_csv(
    db: &State<DatabaseConnection>,
    staff: Staff,
    lang: Lang,
    params: TeacherParams,
) -> AppResult<Download> {
    teachers_file(db, &staff, lang, FileFormat::Csv, params).await
}

/// The users list's query string (the same names as `/users`).
#[derive(Debug, Default, FromForm)]
pub struct UserParams {
    q: Option<String>,
    role: Option<String>,
}

async fn users_file(
    db: &DatabaseConnection,
    admin: &BureauAdmin,
    lang: Lang,
    format: FileFormat,
    params: UserParams,
) -> AppResult<Download> {
    let filter = UserFilter {
        q: params.q.unwrap_or_default(),
        role: params.role.as_deref().and_then(Role::parse),
        school_id: None,
    };
    let bytes = exports::users(db, &admin.0.actor, &filter, lang, format).await?;
    Ok(Download {
        bytes,
        format,
        file_name: exports::file_name("users", format),
    })
}

#[get("/users/export.xlsx?<params..>")]
async fn users_xlsx(
    db: &State<DatabaseConnection>,
    admin: BureauAdmin,
    lang: Lang,
    params: UserParams,
) -> AppResult<Download> {
    users_file(db, &admin, lang, FileFormat::Xlsx, params).await
}

#[get("/users/export.csv?<params..>")]
async fn users_csv(
    db: &State<DatabaseConnection>,
    admin: BureauAdmin,
    lang: Lang,
    params: UserParams,
) -> AppResult<Download> {
    users_file(db, &admin, lang, FileFormat::Csv, params).await
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        schools_xlsx,
        schools_csv,
        teachers_xlsx,
        teachers_csv,
        users_xlsx,
        users_csv
    ]
}
