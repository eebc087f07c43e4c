//! The bureau's annual report (`/reports/annual?year=2026-2027`): the five sections, drafted
//! from the year's data until someone saves them, every figure in a table, and the same
//! report as a Word document and every figure as a workbook.
use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;

use crate::domain::academic_years;
use crate::domain::annual_report::{self as report, FigureRow, Report, SECTIONS, SectionsForm};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{Ctx, CurrentUser};
use crate::web::respond::{FormResult, Page, render};

/// A file to save: its bytes, type and suggested name.
pub struct Document {
    bytes: Vec<u8>,
    content_type: &'static str,
    file_name: String,
}

pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

impl<'r> rocket::response::Responder<'r, 'static> for Document {
    fn respond_to(self, _req: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        rocket::Response::build()
            .header(
                rocket::http::ContentType::parse_flexible(self.content_type)
                    .unwrap_or(rocket::http::ContentType::Binary),
            )
            .header(rocket::http::Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.file_name),
            ))
            .header(rocket::http::Header::new(
                "Cache-Control",
                "private, no-store",
            ))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

#[derive(Template)]
#[template(path = "reports/annual.html")]
struct AnnualPage {
    ctx: Ctx,
    report: Report,
    form: SectionsForm,
    errors: FieldErrors,
    rows: Vec<FigureRow>,
    years: Vec<crate::entities::academic_years::Model>,
    /// On a stale save: the sections as someone else saved them.
    theirs: Option<Report>,
}

impl AnnualPage {
    fn sections(&self) -> &'static [&'static str] {
        &SECTIONS
    }
    fn value(&self, key: &str) -> &str {
        self.form.get(key)
    }
    fn theirs_of(&self, key: &str) -> Option<&str> {
        self.theirs.as_ref().map(|t| t.section(key))
    }
    fn year_query(&self) -> String {
        percent_encoding::utf8_percent_encode(
            &self.report.year.name,
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string()
    }
    fn kept_line(&self) -> Option<String> {
        self.report.kept.as_ref().map(|k| {
            self.ctx.t2(
                "report-kept",
                &("version", k.version.to_string()),
                &("when", self.ctx.datetime(&k.updated_at)),
            )
        })
    }
    /// Rows of the figures table with the group shown once, at its first row.
    fn group_shown(&self, i: &usize) -> bool {
        *i == 0 || self.rows[*i - 1].group != self.rows[*i].group
    }
}

/// The year asked for: its name, or the current year when none is given (404 for a name
/// that is no year).
async fn year_of(
    db: &DatabaseConnection,
    year: Option<&str>,
) -> AppResult<Result<crate::entities::academic_years::Model, Redirect>> {
    match year.map(str::trim).filter(|y| !y.is_empty()) {
        Some(name) => Ok(Ok(report::year_named(db, name).await?)),
        None => {
            let current = academic_years::current(db)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Err(Redirect::to(format!(
                "/reports/annual?year={}",
                current.name
            ))))
        }
    }
}

async fn page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    report: Report,
    form: Option<SectionsForm>,
    errors: FieldErrors,
    theirs: Option<Report>,
) -> AppResult<Page> {
    let rows = report::figure_rows(&report.figures, ctx.lang);
    let _ = user;
    render(&AnnualPage {
        form: form.unwrap_or_else(|| SectionsForm::of(&report)),
        rows,
        years: academic_years::list(db).await?,
        ctx,
        report,
        errors,
        theirs,
    })
}

#[get("/reports/annual?<year>")]
async fn annual(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    year: Option<&str>,
) -> AppResult<Result<Page, Redirect>> {
    let db = db.inner();
    let year = match year_of(db, year).await? {
        Ok(y) => y,
        Err(to) => return Ok(Err(to)),
    };
    let r = report::load(db, &user.actor, year, ctx.lang).await?;
    Ok(Ok(
        page(ctx, db, &user, r, None, FieldErrors::new(), None).await?
    ))
}

#[post("/reports/annual?<year>", data = "<form>")]
async fn save(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    year: &str,
    form: CsrfForm<SectionsForm>,
) -> FormResult {
    let db = db.inner();
    let year = report::year_named(db, year).await?;
    let form = form.0;
    match report::save(db, &user.actor, &year, &form).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(format!("/reports/annual?year={}", year.name)),
            "flash-saved",
        ))),
        Err(e) => {
            let Some(errors) = e.field_errors() else {
                return Err(e);
            };
            let status = match e {
                AppError::Conflict { .. } => Status::Conflict,
                _ => Status::UnprocessableEntity,
            };
            let current = report::load(db, &user.actor, year, ctx.lang).await?;
            // A stale save shows what the other person kept, beside what was typed.
            let theirs = matches!(e, AppError::Conflict { .. }).then(|| current.clone());
            let mut typed = form;
            if theirs.is_some() {
                typed.version = current.version().to_string();
            }
            Ok(Err((
                status,
                page(ctx, db, &user, current, Some(typed), errors, theirs).await?,
            )))
        }
    }
}

#[get("/reports/annual.docx?<year>")]
async fn docx(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    year: &str,
) -> AppResult<Document> {
    let db = db.inner();
    let year = report::year_named(db, year).await?;
    let r = report::load(db, &user.actor, year, ctx.lang).await?;
    Ok(Document {
        bytes: report::docx(&r, ctx.lang)?,
        content_type: DOCX,
        file_name: format!("annual-report-{}.docx", r.year.name),
    })
}

#[get("/reports/annual.xlsx?<year>")]
async fn xlsx(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    year: &str,
) -> AppResult<Document> {
    let db = db.inner();
    let year = report::year_named(db, year).await?;
    let r = report::load(db, &user.actor, year, ctx.lang).await?;
    Ok(Document {
        bytes: report::xlsx(&r, ctx.lang)?,
        content_type: XLSX,
        file_name: format!("annual-report-{}.xlsx", r.year.name),
    })
}

pub fn routes() -> Vec<rocket::Route> {
    routes![annual, save, docx, xlsx]
}
