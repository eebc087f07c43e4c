//! The resource library pages (资源共享): the search by kind, subject and grade with the
//! files one may see; the upload form (a multipart form: what was typed is kept when the
//! file is refused); the download, as an attachment of the type found in its content; and
//! the delete button for the uploader and the bureau.
use askama::Template;
use rocket::data::Capped;
use rocket::form::{Errors, Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Flash, Redirect, Responder, Response};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::de::IgnoredAny;

use crate::domain::files::FileStore;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::resources::{
    self, ResourceFilter, ResourceForm, ResourceKind, ResourceRow, Upload, Visibility,
};
use crate::error::{AppResult, FieldErrors, Msg};
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser};
use crate::web::pages::imports::MultipartCsrf;
use crate::web::respond::{FormResult, Page, render};

/// The search's query string, kept as typed.
#[derive(Debug, Clone, Default, FromForm)]
pub struct ResourceQuery {
    #[field(default = String::new())]
    pub kind: String,
    #[field(default = String::new())]
    pub subject: String,
    #[field(default = String::new())]
    pub grade: String,
    #[field(default = String::new())]
    pub school_pairing: String,
    #[field(default = String::new())]
    pub teacher_pairing: String,
    #[field(default = String::new())]
    pub mine: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl ResourceQuery {
    pub fn filter(&self) -> ResourceFilter {
        ResourceFilter {
            kind: ResourceKind::parse(self.kind.trim()),
            subject: self.subject.clone(),
            grade: self.grade.clone(),
            school_pairing_id: self.school_pairing.trim().parse().ok(),
            teacher_pairing_id: self.teacher_pairing.trim().parse().ok(),
            mine: !self.mine.is_empty(),
        }
    }
}

#[derive(Template)]
#[template(path = "resources/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: ResourceQuery,
    kinds: Vec<(&'static str, String)>,
    page: Paged<ResourceRow>,
    /// The rows the viewer may delete.
    deletable: Vec<i64>,
}

#[get("/resources?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: ResourceQuery,
) -> AppResult<Page> {
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    let page = resources::list_rows(db.inner(), &user.actor, &query.filter(), request).await?;
    let deletable = page
        .items
        .iter()
        .filter(|r| resources::may_delete(&user.actor, &r.row))
        .map(|r| r.row.id)
        .collect();
    render(&IndexPage {
        ctx,
        kinds: ResourceKind::options(),
        query,
        page,
        deletable,
    })
}

#[derive(Template)]
#[template(path = "resources/form.html")]
struct FormPage {
    ctx: Ctx,
    form: ResourceForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, String)>,
    visibilities: Vec<(&'static str, String)>,
    school_pairings: Vec<(i64, String)>,
    teacher_pairings: Vec<(i64, String)>,
    accept: String,
    file_hint: String,
}

async fn form_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    store: &FileStore,
    user: &CurrentUser,
    form: ResourceForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let (school_pairings, teacher_pairings) = resources::targets(db, &user.actor).await?;
    let file_hint = ctx.lang.t_args(
        "resource-hint-file",
        &[("max", (store.max_bytes / (1024 * 1024)).to_string())],
    );
    render(&FormPage {
        ctx,
        form,
        errors,
        kinds: ResourceKind::options(),
        visibilities: Visibility::options(),
        school_pairings,
        teacher_pairings,
        accept: resources::accepted(),
        file_hint,
    })
}

#[get("/resources/new?<school_pairing>&<teacher_pairing>")]
async fn new(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    school_pairing: Option<i64>,
    teacher_pairing: Option<i64>,
) -> AppResult<Page> {
    crate::domain::access::policy::require_some(
        &user.actor,
        crate::domain::access::policy::Subject::Resource,
        crate::domain::access::policy::Act::Manage,
    )?;
    let visibility = match (school_pairing, teacher_pairing) {
        (_, Some(_)) => Visibility::TeacherPairing,
        (Some(_), _) => Visibility::SchoolPairing,
        _ => Visibility::Everyone,
    };
    let form = ResourceForm {
        visibility: visibility.as_str().into(),
        school_pairing_id: school_pairing.map(|i| i.to_string()).unwrap_or_default(),
        teacher_pairing_id: teacher_pairing.map(|i| i.to_string()).unwrap_or_default(),
        idempotency_key: crate::domain::tokens::random_base64(18),
        ..Default::default()
    };
    form_page(ctx, db, store, &user, form, FieldErrors::new()).await
}

/// The multipart upload form.
#[derive(FromForm)]
pub struct ResourceUpload<'r> {
    #[field(name = "_csrf")]
    csrf: Option<String>,
    #[field(default = String::new())]
    title: String,
    #[field(default = String::new())]
    kind: String,
    #[field(default = String::new())]
    subject: String,
    #[field(default = String::new())]
    grade: String,
    #[field(default = String::new())]
    visibility: String,
    #[field(default = String::new())]
    school_pairing_id: String,
    #[field(default = String::new())]
    teacher_pairing_id: String,
    #[field(default = String::new())]
    idempotency_key: String,
    file: Option<Capped<TempFile<'r>>>,
}

impl ResourceUpload<'_> {
    fn form(&self) -> ResourceForm {
        ResourceForm {
            title: self.title.clone(),
            kind: self.kind.clone(),
            subject: self.subject.clone(),
            grade: self.grade.clone(),
            visibility: self.visibility.clone(),
            school_pairing_id: self.school_pairing_id.clone(),
            teacher_pairing_id: self.teacher_pairing_id.clone(),
            idempotency_key: self.idempotency_key.clone(),
        }
    }
}

/// The uploaded file as the library takes it: its name as sent and its bytes, or why it
/// was refused already (cut short by the size limit). No file chosen is `None`.
pub async fn upload_of(
    file: Option<Capped<TempFile<'_>>>,
    max_bytes: u64,
) -> AppResult<Option<Upload>> {
    let Some(file) = file else { return Ok(None) };
    let name = file
        .raw_name()
        .map(|n| n.dangerous_unsafe_unsanitized_raw().as_str().to_string())
        .unwrap_or_default();
    if name.is_empty() && file.is_empty() {
        return Ok(None);
    }
    let bytes = if !file.is_complete() || file.len() > max_bytes {
        Err(Msg::new("resource-err-too-large").arg("max", max_bytes / (1024 * 1024)))
    } else {
        Ok(crate::web::pages::imports::read_file(&file).await?)
    };
    Ok(Some(Upload { name, bytes }))
}

#[post("/resources", data = "<upload>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    csrf: MultipartCsrf,
    upload: Result<Form<ResourceUpload<'_>>, Errors<'_>>,
) -> FormResult {
    let upload = match upload {
        Ok(form) => form.into_inner(),
        Err(errors) => {
            // The body could not be read whole (over the limit, or cut off): nothing was
            // kept, and the form comes back empty with the reason.
            let msg = if errors.status() == Status::PayloadTooLarge {
                Msg::new("resource-err-too-large").arg("max", store.max_bytes / (1024 * 1024))
            } else {
                Msg::new("resource-err-unreadable")
            };
            let mut fields = FieldErrors::new();
            fields.add("file", msg);
            let form = ResourceForm {
                visibility: Visibility::Everyone.as_str().into(),
                idempotency_key: crate::domain::tokens::random_base64(18),
                ..Default::default()
            };
            return Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, store, &user, form, fields).await?,
            )));
        }
    };
    csrf.check(upload.csrf.as_deref())?;
    let form = upload.form();
    let file = upload_of(upload.file, store.max_bytes).await?;
    match resources::create(db.inner(), store.inner(), &user.actor, &form, file).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/resources?mine=1"),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, store, &user, form, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

/// A library file, sent as an attachment under the name it was uploaded as, with the type
/// found in its content and `nosniff`: a browser saves it and never runs it as a page.
pub struct Attachment {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub file_name: String,
}

/// `Content-Disposition` for a file name in any script: an ASCII fallback and the UTF-8
/// name (RFC 6266 / 5987).
pub fn disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded =
        percent_encoding::utf8_percent_encode(file_name, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

impl<'r> Responder<'r, 'static> for Attachment {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        let content_type =
            ContentType::parse_flexible(&self.content_type).unwrap_or(ContentType::Binary);
        Response::build()
            .header(content_type)
            .header(Header::new(
                "Content-Disposition",
                disposition(&self.file_name),
            ))
            .header(Header::new("X-Content-Type-Options", "nosniff"))
            .header(Header::new("Cache-Control", "private, no-store"))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

/// The file of a resource the viewer may see (404 otherwise).
pub async fn attachment(
    db: &DatabaseConnection,
    store: &FileStore,
    user: &CurrentUser,
    id: i64,
) -> AppResult<Attachment> {
    let r = resources::get(db, &user.actor, id).await?;
    Ok(Attachment {
        bytes: store.read(resources::AREA, &r.stored_name).await?,
        content_type: r.content_type,
        file_name: r.file_name,
    })
}

#[get("/resources/<id>/download")]
async fn download(
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Attachment> {
    attachment(db.inner(), store.inner(), &user, id).await
}

#[post("/resources/<id>/delete", data = "<_form>")]
async fn delete(
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    resources::delete(db.inner(), store.inner(), &user.actor, id).await?;
    Ok(Flash::success(Redirect::to("/resources"), "flash-deleted"))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![index, new, create, download, delete]
}
