//! Import pages: upload a file (multipart), see every row checked, confirm all or nothing;
//! template files to start from.
use askama::Template;
use rocket::data::Capped;
use rocket::figment::Figment;
use rocket::form::{Errors, Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::de::IgnoredAny;
use tokio::io::AsyncReadExt;

use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::exports::FileFormat;
use crate::domain::imports::{self, Confirmed, ImportKind, Preview, Shown};
use crate::domain::table_reader::TableReader;
use crate::domain::tokens;
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::i18n::Lang;
use crate::web::forms::{CsrfForm, same_origin};
use crate::web::guards::{BureauAdmin, Ctx, CurrentUser, Staff, csrf_token};
use crate::web::pages::exports::Download;
use crate::web::respond::FormResult;
use crate::web::respond::{Page, render};

/// Raises Rocket's multipart limits so that a file of `imports::MAX_BYTES` or of the
/// configured upload limit (`TONGXING_UPLOAD_MAX_MB`) arrives whole (a larger one arrives
/// cut short and is refused with a clear message). Limits set higher in the configuration
/// are kept.
pub fn upload_limits(figment: Figment, upload_max_bytes: u64) -> Figment {
    use rocket::data::{ByteUnit, ToByteUnit};
    let file: ByteUnit = (imports::MAX_BYTES as u64).max(upload_max_bytes).bytes();
    let form: ByteUnit = file + 1.mebibytes();
    let limits = figment
        .extract::<rocket::Config>()
        .map(|c| c.limits)
        .unwrap_or_default();
    let mut figment = figment;
    if limits.get("file").is_none_or(|l| l < file) {
        figment = figment.merge(("limits.file", file));
    }
    if limits.get("data-form").is_none_or(|l| l < form) {
        figment = figment.merge(("limits.data-form", form));
    }
    figment
}

/// The multipart form of an upload.
#[derive(FromForm)]
pub struct Upload<'r> {
    #[field(name = "_csrf")]
    csrf: Option<String>,
    file: Option<Capped<TempFile<'r>>>,
}

/// What the CSRF check of a multipart form needs from the request (the url-encoded
/// `CsrfForm` does the same for ordinary forms).
pub struct MultipartCsrf {
    expected: String,
    same_origin: bool,
}

impl MultipartCsrf {
    pub fn check(&self, sent: Option<&str>) -> AppResult<()> {
        let sent = sent.unwrap_or("");
        if self.same_origin && !sent.is_empty() && tokens::constant_time_eq(sent, &self.expected) {
            Ok(())
        } else {
            Err(AppError::BadRequest(Msg::new("err-csrf")))
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for MultipartCsrf {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(MultipartCsrf {
            expected: csrf_token(req),
            same_origin: same_origin(req),
        })
    }
}

fn title_key(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Schools => "import-schools",
        ImportKind::Teachers => "import-teachers",
    }
}

fn list_path(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Schools => "/schools",
        ImportKind::Teachers => "/teachers",
    }
}

#[derive(Template)]
#[template(path = "imports/upload.html")]
struct UploadPage {
    ctx: Ctx,
    kind: &'static str,
    title: &'static str,
    intro: &'static str,
    required: String,
    hint: String,
    errors: FieldErrors,
}

fn upload_page(
    ctx: Ctx,
    user: &CurrentUser,
    kind: ImportKind,
    errors: FieldErrors,
) -> AppResult<Page> {
    let separator = match ctx.lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    };
    let required = kind
        .required_columns(&user.actor)
        .iter()
        .map(|c| match ctx.lang {
            Lang::Zh => c.zh,
            Lang::En => c.en,
        })
        .collect::<Vec<_>>()
        .join(separator);
    render(&UploadPage {
        kind: kind.as_str(),
        title: title_key(kind),
        intro: match kind {
            ImportKind::Schools => "import-intro-schools",
            ImportKind::Teachers
                if !policy::everywhere(&user.actor, Subject::Teacher, Act::Manage) =>
            {
                "import-intro-teachers-own"
            }
            ImportKind::Teachers => "import-intro-teachers",
        },
        required,
        hint: ctx.lang.t_args(
            "import-file-hint",
            &[
                ("max_mb", (imports::MAX_BYTES / (1024 * 1024)).to_string()),
                ("max_rows", imports::MAX_ROWS.to_string()),
            ],
        ),
        errors,
        ctx,
    })
}

fn show_form(ctx: Ctx, user: CurrentUser, kind: ImportKind) -> AppResult<Page> {
    kind.check_access(&user.actor)?;
    upload_page(ctx, &user, kind, FieldErrors::new())
}

#[get("/imports/schools")]
fn schools_form(ctx: Ctx, user: CurrentUser) -> AppResult<Page> {
    show_form(ctx, user, ImportKind::Schools)
}

#[get("/imports/teachers")]
fn teachers_form(ctx: Ctx, user: CurrentUser) -> AppResult<Page> {
    show_form(ctx, user, ImportKind::Teachers)
}

pub async fn read_file(file: &TempFile<'_>) -> AppResult<Vec<u8>> {
    let mut bytes = Vec::with_capacity(usize::try_from(file.len()).unwrap_or(0));
    let reader = file.open().await?;
    tokio::pin!(reader);
    reader.read_to_end(&mut bytes).await?;
    Ok(bytes)
}

fn too_large() -> Msg {
    Msg::new("import-err-too-large").arg("max", imports::MAX_BYTES / (1024 * 1024))
}

/// A redirect to the preview, or the form again with what is wrong with the file.
type UploadResult = AppResult<Result<Redirect, (Status, Page)>>;

async fn receive(
    ctx: Ctx,
    db: &DatabaseConnection,
    reader: &TableReader,
    user: CurrentUser,
    csrf: MultipartCsrf,
    upload: Result<Form<Upload<'_>>, Errors<'_>>,
    kind: ImportKind,
) -> UploadResult {
    kind.check_access(&user.actor)?;
    let refuse = |ctx: Ctx, msg: Msg| -> UploadResult {
        let mut errors = FieldErrors::new();
        errors.add("file", msg);
        Ok(Err((
            Status::UnprocessableEntity,
            upload_page(ctx, &user, kind, errors)?,
        )))
    };
    // A body Rocket could not take apart: say why on the form (nothing was stored).
    let upload = match upload {
        Ok(form) => form.into_inner(),
        Err(errors) if errors.status() == Status::PayloadTooLarge => {
            return refuse(ctx, too_large());
        }
        Err(_) => return refuse(ctx, Msg::new("import-err-unreadable")),
    };
    csrf.check(upload.csrf.as_deref())?;
    let Some(file) = upload.file else {
        return refuse(ctx, Msg::new("import-err-no-file"));
    };
    // A browser sends an empty part with an empty file name when no file was chosen.
    let named = file
        .raw_name()
        .is_some_and(|n| !n.dangerous_unsafe_unsanitized_raw().is_empty());
    if !named && file.is_empty() {
        return refuse(ctx, Msg::new("import-err-no-file"));
    }
    if !file.is_complete() {
        return refuse(ctx, too_large());
    }
    let bytes = read_file(&file).await?;
    match imports::upload(db, &user.actor, kind, bytes, reader).await {
        Ok(id) => Ok(Ok(Redirect::to(format!("/imports/{id}")))),
        Err(AppError::Invalid(errors)) => Ok(Err((
            Status::UnprocessableEntity,
            upload_page(ctx, &user, kind, errors)?,
        ))),
        Err(e) => Err(e),
    }
}

#[post("/imports/schools", data = "<upload>")]
async fn schools_upload(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    reader: &State<TableReader>,
    admin: BureauAdmin,
    csrf: MultipartCsrf,
    upload: Result<Form<Upload<'_>>, Errors<'_>>,
) -> UploadResult {
    // The role is checked by the guard, before the upload is read.
    receive(ctx, db, reader, admin.0, csrf, upload, ImportKind::Schools).await
}

#[post("/imports/teachers", data = "<upload>")]
async fn teachers_upload(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    reader: &State<TableReader>,
    staff: Staff,
    csrf: MultipartCsrf,
    upload: Result<Form<Upload<'_>>, Errors<'_>>,
) -> UploadResult {
    receive(ctx, db, reader, staff.0, csrf, upload, ImportKind::Teachers).await
}

/// A preview row ready to print.
struct RowView {
    line: u32,
    cells: Vec<(String, String)>,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "imports/preview.html")]
struct PreviewPage {
    ctx: Ctx,
    id: i64,
    kind: &'static str,
    title: &'static str,
    summary: String,
    ok: bool,
    bad_lines: Vec<u32>,
    headers: Vec<String>,
    rows: Vec<RowView>,
}

/// Bad lines linked from the summary at the top; the rest are in the table.
const LINKED_BAD_LINES: usize = 100;

fn preview_page(ctx: Ctx, preview: Preview) -> AppResult<Page> {
    let lang = ctx.lang;
    let headers: Vec<String> = imports::preview_columns(preview.kind)
        .iter()
        .map(|k| lang.t(k))
        .collect();
    let summary = lang.t_args(
        "import-summary",
        &[
            ("total", preview.total().to_string()),
            ("good", preview.good().to_string()),
            ("bad", preview.bad().to_string()),
        ],
    );
    let mut bad_lines = preview.bad_lines();
    bad_lines.truncate(LINKED_BAD_LINES);
    let ok = preview.is_ok();
    let kind = preview.kind;
    let separator = match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    };
    let rows = preview
        .rows
        .into_iter()
        .map(|r| RowView {
            line: r.line,
            cells: headers
                .iter()
                .zip(r.shown)
                .map(|(h, s)| {
                    let text = match s {
                        Shown::Text(t) => t,
                        Shown::Label(key) => lang.t(&key),
                    };
                    (h.clone(), text)
                })
                .collect(),
            errors: r
                .errors
                .iter()
                .map(|e| {
                    let colon = match lang {
                        Lang::Zh => "：",
                        Lang::En => ": ",
                    };
                    let text = match imports::choices(kind, &e.field) {
                        Some(keys) if e.msg.key == "err-choose" => {
                            let labels: Vec<String> = keys.iter().map(|k| lang.t(k)).collect();
                            lang.t1("import-err-choose", "values", labels.join(separator))
                        }
                        _ => lang.msg(&e.msg),
                    };
                    format!("{}{colon}{text}", lang.t(&e.label))
                })
                .collect(),
        })
        .collect();
    render(&PreviewPage {
        id: preview.id,
        kind: preview.kind.as_str(),
        title: title_key(preview.kind),
        summary,
        ok,
        bad_lines,
        headers,
        rows,
        ctx,
    })
}

#[get("/imports/<id>")]
async fn preview(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let preview = imports::preview(db.inner(), &user.actor, id).await?;
    preview_page(ctx, preview)
}

#[post("/imports/<id>/confirm", data = "<_form>")]
async fn confirm(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> FormResult {
    match imports::confirm(db.inner(), &user.actor, id).await? {
        Confirmed::Imported { kind, count } => {
            let key = match kind {
                ImportKind::Schools => "flash-imported-schools",
                ImportKind::Teachers => "flash-imported-teachers",
            };
            Ok(Ok(Flash::success(
                Redirect::to(list_path(kind)),
                format!("{key}?count={count}"),
            )))
        }
        Confirmed::Refused(preview) => Ok(Err((
            Status::UnprocessableEntity,
            preview_page(ctx, preview)?,
        ))),
    }
}

#[post("/imports/<id>/cancel", data = "<_form>")]
async fn cancel(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    let kind = imports::cancel(db.inner(), &user.actor, id).await?;
    Ok(Flash::success(
        Redirect::to(format!("/imports/{}", kind.as_str())),
        "flash-import-cancelled",
    ))
}

async fn template(user: &CurrentUser, kind: ImportKind, format: FileFormat) -> AppResult<Download> {
    kind.check_access(&user.actor)?;
    let bytes = imports::template(kind, format).await?;
    Ok(Download {
        bytes,
        format,
        file_name: format!("{}-template.{}", kind.as_str(), format.extension()),
    })
}

#[get("/imports/schools/template.xlsx")]
async fn schools_template_xlsx(user: CurrentUser) -> AppResult<Download> {
    template(&user, ImportKind::Schools, FileFormat::Xlsx).await
}

#[get("/imports/schools/template.csv")]
async fn schools_template_csv(user: CurrentUser) -> AppResult<Download> {
    template(&user, ImportKind::Schools, FileFormat::Csv).await
}

#[get("/imports/teachers/template.xlsx")]
async fn teachers_template_xlsx(user: CurrentUser) -> AppResult<Download> {
    template(&user, ImportKind::Teachers, FileFormat::Xlsx).await
}

#[get("/imports/teachers/template.csv")]
async fn teachers_template_csv(user: CurrentUser) -> AppResult<Download> {
    template(&user, ImportKind::Teachers, FileFormat::Csv).await
}

/// Import ids in paths that are not numbers are plain 404s.
#[get("/imports/<_id>", rank = 5)]
fn not_a_number(_id: &str) -> AppError {
    AppError::NotFound
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        schools_form,
        teachers_form,
        schools_upload,
        teachers_upload,
        preview,
        confirm,
        cancel,
        schools_template_xlsx,
        schools_template_csv,
        teachers_template_xlsx,
        teachers_template_csv,
        not_a_number
    ]
}
