//! Exchange visit pages (互访): the list with filters and counts by kind; a visit recorded
//! on a school pairing by an admin of either school; its page with the participants, what
//! was done and the photos (added there, shown as thumbnails); edit and delete.
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

use crate::domain::academic_years;
use crate::domain::context::Context;
use crate::domain::files::FileStore;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::photos;
use crate::domain::school_pairings;
use crate::domain::visits::{self, VisitActivity, VisitFilter, VisitForm, VisitKind, VisitRow};
use crate::entities::{academic_years as year_rows, visit_photos};
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser};
use crate::web::pages::imports::MultipartCsrf;
use crate::web::respond::{FormResult, Page, render};

/// The list's query string, kept as typed.
#[derive(Debug, Clone, Default, FromForm)]
pub struct VisitQuery {
    #[field(default = String::new())]
    pub year: String,
    #[field(default = String::new())]
    pub school: String,
    #[field(default = String::new())]
    pub district: String,
    #[field(default = String::new())]
    pub kind: String,
    #[field(default = String::new())]
    pub school_pairing: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl VisitQuery {
    pub fn filter(&self) -> VisitFilter {
        VisitFilter {
            school_pairing_id: self.school_pairing.trim().parse().ok(),
            school_id: self.school.trim().parse().ok(),
            district: self.district.clone(),
            academic_year_id: self.year.trim().parse().ok(),
            kind: VisitKind::parse(&self.kind),
            teachers: Vec::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "visits/index.html")]
struct IndexPage {
    ctx: Ctx,
    query: VisitQuery,
    years: Vec<year_rows::Model>,
    schools: Vec<(i64, String)>,
    districts: Vec<String>,
    kinds: Vec<(&'static str, String)>,
    counts: Vec<(VisitKind, i64)>,
    page: Paged<VisitRow>,
}

#[get("/visits?<query..>")]
async fn index(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    query: VisitQuery,
) -> AppResult<Page> {
    let db = db.inner();
    let request = PageRequest::parse_lenient(query.page.as_deref(), query.per_page.as_deref());
    let filter = query.filter();
    let page = visits::list_rows(db, &user.actor, &filter, request).await?;
    let counts = visits::counts_by_kind(db, &user.actor, &filter).await?;
    render(&IndexPage {
        ctx,
        years: academic_years::list(db).await?,
        schools: crate::domain::schools::filter_choices(db, filter.school_id).await?,
        districts: crate::domain::schools::districts(db).await?,
        kinds: VisitKind::options(),
        counts,
        query,
        page,
    })
}

#[derive(Template)]
#[template(path = "visits/form.html")]
struct FormPage {
    ctx: Ctx,
    /// The visit being edited, or None for a new one.
    id: Option<i64>,
    pairing_id: i64,
    supporter: (i64, String),
    receiver: (i64, String),
    /// Each school's teachers to choose participants from.
    teachers: Vec<(String, Vec<(i64, String)>)>,
    /// Whether the gift is already a ledger item (then it is changed there).
    gift_in_ledger: Option<i64>,
    form: VisitForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, String)>,
    activities: Vec<(&'static str, String)>,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    pairing_id: i64,
    id: Option<i64>,
    gift_in_ledger: Option<i64>,
    form: VisitForm,
    errors: FieldErrors,
) -> AppResult<Page> {
    let p = school_pairings::get(db, &user.actor, pairing_id).await?;
    let names = crate::domain::names::schools(db, [p.supporter_id, p.receiver_id]).await?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let teachers = visits::candidates(db, &p)
        .await?
        .into_iter()
        .map(|(school, list)| (name(school), list))
        .collect();
    render(&FormPage {
        ctx,
        id,
        pairing_id,
        supporter: (p.supporter_id, name(p.supporter_id)),
        receiver: (p.receiver_id, name(p.receiver_id)),
        teachers,
        gift_in_ledger,
        form,
        errors,
        kinds: VisitKind::options(),
        activities: VisitActivity::options(),
    })
}

#[get("/school-pairings/<id>/visits/new")]
async fn new(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let p = school_pairings::get(db.inner(), &user.actor, id).await?;
    if !visits::may_record(&user.actor, &p) {
        return Err(AppError::Forbidden);
    }
    let today = crate::domain::types::today().to_string();
    let form = VisitForm {
        kind: VisitKind::Teacher.as_str().into(),
        host_school_id: user
            .actor
            .school_id
            .filter(|s| *s == p.supporter_id || *s == p.receiver_id)
            .unwrap_or(p.supporter_id)
            .to_string(),
        starts_on: today.clone(),
        ends_on: today,
        idempotency_key: crate::domain::tokens::random_base64(18),
        ..Default::default()
    };
    form_page(ctx, db, &user, id, None, None, form, FieldErrors::new()).await
}

#[post("/school-pairings/<id>/visits", data = "<form>")]
async fn create(
    ctx: Ctx,
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<VisitForm>,
) -> FormResult {
    let form = form.0;
    match visits::create(db.inner(), &user.actor, id, &form, &context).await {
        Ok(row) => Ok(Ok(Flash::success(
            Redirect::to(format!("/visits/{}", row.id)),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                form_page(ctx, db, &user, id, None, None, form, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "visits/show.html")]
struct ShowPage {
    ctx: Ctx,
    v: VisitRow,
    recorded_by: String,
    may_change: bool,
    photos: Vec<visit_photos::Model>,
    max_photos: usize,
    photo_hint: String,
    errors: FieldErrors,
}

async fn show_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    store: &FileStore,
    user: &CurrentUser,
    id: i64,
    errors: FieldErrors,
) -> AppResult<Page> {
    let row = visits::get(db, &user.actor, id).await?;
    let recorded_by = match row.recorded_by {
        Some(u) => crate::domain::names::users(db, [u])
            .await?
            .remove(&u)
            .unwrap_or_default(),
        None => String::new(),
    };
    let may_change = visits::may_change(&user.actor, &row);
    let photos = photos::of_visit(db, id).await?;
    let v = visits::with_names(db, vec![row]).await?.remove(0);
    let photo_hint = ctx.lang.t_args(
        "visit-hint-photos",
        &[
            ("max", photos::MAX_PER_VISIT.to_string()),
            ("max_mb", (store.max_bytes / (1024 * 1024)).to_string()),
        ],
    );
    render(&ShowPage {
        ctx,
        v,
        recorded_by,
        may_change,
        photos,
        max_photos: photos::MAX_PER_VISIT,
        photo_hint,
        errors,
    })
}

#[get("/visits/<id>")]
async fn show(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    show_page(ctx, db, store, &user, id, FieldErrors::new()).await
}

#[get("/visits/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
) -> AppResult<Page> {
    let row = visits::get(db.inner(), &user.actor, id).await?;
    if !visits::may_change(&user.actor, &row) {
        return Err(AppError::Forbidden);
    }
    let teachers = visits::teacher_ids(db.inner(), id).await?;
    form_page(
        ctx,
        db,
        &user,
        row.school_pairing_id,
        Some(id),
        row.contribution_id,
        VisitForm::from_model(&row, &teachers),
        FieldErrors::new(),
    )
    .await
}

#[post("/visits/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    context: Context,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<VisitForm>,
) -> FormResult {
    let form = form.0;
    match visits::update(db.inner(), &user.actor, id, &form, &context).await {
        Ok(row) => Ok(Ok(Flash::success(
            Redirect::to(format!("/visits/{}", row.id)),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => {
                let row = visits::get(db.inner(), &user.actor, id).await?;
                Ok(Err((
                    Status::UnprocessableEntity,
                    form_page(
                        ctx,
                        db,
                        &user,
                        row.school_pairing_id,
                        Some(id),
                        row.contribution_id,
                        form,
                        errors,
                    )
                    .await?,
                )))
            }
            None => Err(e),
        },
    }
}

#[post("/visits/<id>/delete", data = "<_form>")]
async fn delete(
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    let row = visits::get(db.inner(), &user.actor, id).await?;
    visits::delete(db.inner(), store.inner(), &user.actor, id).await?;
    Ok(Flash::success(
        Redirect::to(format!("/school-pairings/{}", row.school_pairing_id)),
        "flash-deleted",
    ))
}

/// The multipart form that adds photos.
#[derive(FromForm)]
pub struct PhotoUpload<'r> {
    #[field(name = "_csrf")]
    csrf: Option<String>,
    photos: Vec<Capped<TempFile<'r>>>,
}

/// The uploaded files as the photo service takes them: the bytes of each chosen file, or
/// why it was refused already (cut short by the size limit). Empty parts (no file chosen)
/// are left out.
pub async fn uploads(
    files: Vec<Capped<TempFile<'_>>>,
    max_bytes: u64,
) -> AppResult<Vec<photos::Upload>> {
    let mut out = Vec::new();
    for file in files {
        let named = file
            .raw_name()
            .is_some_and(|n| !n.dangerous_unsafe_unsanitized_raw().is_empty());
        if !named && file.is_empty() {
            continue;
        }
        if !file.is_complete() || file.len() > max_bytes {
            out.push(Err(
                Msg::new("photo-err-too-large").arg("max", max_bytes / (1024 * 1024))
            ));
            continue;
        }
        out.push(Ok(crate::web::pages::imports::read_file(&file).await?));
    }
    Ok(out)
}

#[post("/visits/<id>/photos", data = "<upload>")]
async fn add_photos(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    csrf: MultipartCsrf,
    id: i64,
    upload: Result<Form<PhotoUpload<'_>>, Errors<'_>>,
) -> FormResult {
    let refuse = |msg: Msg| {
        let mut errors = FieldErrors::new();
        errors.add("photos", msg);
        errors
    };
    let upload = match upload {
        Ok(form) => form.into_inner(),
        Err(errors) if errors.status() == Status::PayloadTooLarge => {
            let msg =
                Msg::new("photo-err-body-too-large").arg("max", store.max_bytes / (1024 * 1024));
            return Ok(Err((
                Status::UnprocessableEntity,
                show_page(ctx, db, store, &user, id, refuse(msg)).await?,
            )));
        }
        Err(_) => {
            return Ok(Err((
                Status::UnprocessableEntity,
                show_page(
                    ctx,
                    db,
                    store,
                    &user,
                    id,
                    refuse(Msg::new("photo-err-unreadable").arg("n", 1)),
                )
                .await?,
            )));
        }
    };
    csrf.check(upload.csrf.as_deref())?;
    let files = uploads(upload.photos, store.max_bytes).await?;
    match photos::add(db.inner(), store.inner(), &user.actor, id, files).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/visits/{id}#photos")),
            "flash-saved",
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                show_page(ctx, db, store, &user, id, errors).await?,
            ))),
            None => Err(e),
        },
    }
}

/// A stored photo file: a JPEG this program encoded, cached privately by the browser.
pub struct Photo(pub Vec<u8>);

impl<'r> Responder<'r, 'static> for Photo {
    fn respond_to(self, _req: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(ContentType::JPEG)
            .header(Header::new("Cache-Control", "private, max-age=86400"))
            .header(Header::new("X-Content-Type-Options", "nosniff"))
            .sized_body(self.0.len(), std::io::Cursor::new(self.0))
            .ok()
    }
}

#[get("/visits/<id>/photos/<photo>")]
async fn photo(
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    id: i64,
    photo: i64,
) -> AppResult<Photo> {
    let p = photos::get(db.inner(), &user.actor, id, photo).await?;
    Ok(Photo(store.read(photos::AREA, &p.file_name).await?))
}

#[get("/visits/<id>/photos/<photo>/thumb")]
async fn thumb(
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    id: i64,
    photo: i64,
) -> AppResult<Photo> {
    let p = photos::get(db.inner(), &user.actor, id, photo).await?;
    Ok(Photo(store.read(photos::AREA, &p.thumb_name).await?))
}

#[post("/visits/<id>/photos/<photo>/delete", data = "<_form>")]
async fn delete_photo(
    db: &State<DatabaseConnection>,
    store: &State<FileStore>,
    user: CurrentUser,
    id: i64,
    photo: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    photos::delete(db.inner(), store.inner(), &user.actor, id, photo).await?;
    Ok(Flash::success(
        Redirect::to(format!("/visits/{id}#photos")),
        "flash-deleted",
    ))
}

/// The visits of the list page's filter as `.xlsx`.
#[get("/visits/export.xlsx?<query..>")]
async fn export(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    lang: crate::i18n::Lang,
    query: VisitQuery,
) -> AppResult<crate::web::pages::exports::Download> {
    use crate::domain::exports::{self, FileFormat};
    let bytes = exports::visits(db.inner(), &user.actor, &query.filter(), lang).await?;
    Ok(crate::web::pages::exports::Download {
        bytes,
        format: FileFormat::Xlsx,
        file_name: exports::file_name("visits", FileFormat::Xlsx),
    })
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        index,
        new,
        create,
        show,
        edit,
        update,
        delete,
        add_photos,
        photo,
        thumb,
        delete_photo,
        export
    ]
}
