//! Lists as files: `.xlsx` (bold frozen header row, column widths, written row by row in
//! constant memory) and `.csv` (UTF-8 with a BOM so that Excel reads Chinese correctly),
//! with the column headers in the reader's language. The rows are exactly those of the
//! list page for the same filter, read through the same access checks.
use std::collections::HashMap;

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use sea_orm::{EntityTrait, QuerySelect};

use crate::db::Conn;
use crate::domain::access::Actor;
use crate::domain::imports::{Column, SCHOOL_COLUMNS, TEACHER_COLUMNS};
use crate::domain::schools::{self, SchoolFilter};
use crate::domain::teachers::{self, TeacherFilter};
use crate::entities::schools as school_rows;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// The two file formats of exports and import templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl FileFormat {
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "xlsx",
            FileFormat::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

/// A header in the reader's language with its column width (in Excel characters).
#[derive(Debug, Clone)]
pub struct Header {
    pub title: String,
    pub width: f64,
}

impl Header {
    pub fn of(column: &Column, lang: Lang) -> Header {
        Header {
            title: match lang {
                Lang::Zh => column.zh.to_string(),
                Lang::En => column.en.to_string(),
            },
            width: column.width,
        }
    }
}

fn xlsx_err(e: XlsxError) -> AppError {
    AppError::Unexpected(format!("xlsx: {e}"))
}

/// Writes a sheet: bold, frozen header row; rows flushed as they are written.
pub fn xlsx<I>(sheet_name: &str, headers: &[Header], rows: I) -> AppResult<Vec<u8>>
where
    I: IntoIterator<Item = Vec<Cell>>,
{
    let mut workbook = Workbook::new();
    // Constant-memory mode keeps only the current row in memory (rows go to a temporary
    // file); fall back to the ordinary mode when no temporary file can be made.
    if workbook.add_worksheet_with_constant_memory().is_err() {
        workbook.add_worksheet();
    }
    let sheet = workbook.worksheet_from_index(0).map_err(xlsx_err)?;
    sheet.set_name(sheet_name).map_err(xlsx_err)?;
    let bold = Format::new().set_bold();
    // A text of several lines shows them as lines (a reflection's paragraphs).
    let lines = Format::new()
        .set_text_wrap()
        .set_align(rust_xlsxwriter::FormatAlign::Top);
    for (col, header) in headers.iter().enumerate() {
        let col = col as u16;
        sheet
            .set_column_width(col, header.width)
            .map_err(xlsx_err)?;
        sheet
            .write_string_with_format(0, col, &header.title, &bold)
            .map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    for (i, row) in rows.into_iter().enumerate() {
        let r = u32::try_from(i + 1).map_err(|_| AppError::Unexpected("too many rows".into()))?;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) if s.contains('\n') => {
                    let s = s.replace("\r\n", "\n");
                    sheet
                        .write_string_with_format(r, col, &s, &lines)
                        .map_err(xlsx_err)?;
                }
                Cell::Text(s) => {
                    sheet.write_string(r, col, s).map_err(xlsx_err)?;
                }
                Cell::Int(n) => {
                    sheet.write_number(r, col, *n as f64).map_err(xlsx_err)?;
                }
                Cell::Num(n) => {
                    sheet.write_number(r, col, *n).map_err(xlsx_err)?;
                }
            }
        }
    }
    workbook.save_to_buffer().map_err(xlsx_err)
}

/// A text that a spreadsheet would run as a formula gets a leading apostrophe. Phone
/// numbers such as `+86 138…` or `0763-123` are left alone.
fn defuse(s: &str) -> std::borrow::Cow<'_, str> {
    let risky = match s.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !s.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)),
        _ => false,
    };
    if risky {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Writes CSV in UTF-8 with a byte-order mark, one header row.
pub fn csv<I>(headers: &[Header], rows: I) -> AppResult<Vec<u8>>
where
    I: IntoIterator<Item = Vec<Cell>>,
{
    let mut out = Vec::with_capacity(64 * 1024);
    out.extend_from_slice(b"\xEF\xBB\xBF");
    let mut writer = csv::Writer::from_writer(out);
    let csv_err = |e: csv::Error| AppError::Unexpected(format!("csv: {e}"));
    writer
        .write_record(headers.iter().map(|h| h.title.as_str()))
        .map_err(csv_err)?;
    for row in rows {
        let texts: Vec<std::borrow::Cow<'_, str>> = row
            .iter()
            .map(|c| match c {
                Cell::Text(s) => defuse(s),
                Cell::Int(n) => std::borrow::Cow::Owned(n.to_string()),
                Cell::Num(n) => std::borrow::Cow::Owned(crate::domain::rubrics::fmt_number(*n)),
            })
            .collect();
        writer
            .write_record(texts.iter().map(|t| t.as_ref()))
            .map_err(csv_err)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::Unexpected(format!("csv: {e}")))
}

/// Writes rows in the chosen format, off the async worker threads.
pub async fn write(
    format: FileFormat,
    sheet_name: String,
    headers: Vec<Header>,
    rows: Vec<Vec<Cell>>,
) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || match format {
        FileFormat::Xlsx => xlsx(&sheet_name, &headers, rows),
        FileFormat::Csv => csv(&headers, rows),
    })
    .await
    .map_err(|e| AppError::Unexpected(format!("export task: {e}")))?
}

/// Rows read per query when an export walks a whole list.
pub const EXPORT_BATCH: u64 = 1000;

type Batches = tokio::sync::mpsc::Sender<Vec<Vec<Cell>>>;
type Writing = tokio::task::JoinHandle<AppResult<Vec<u8>>>;

/// Starts writing a file on a blocking thread from batches of rows sent to it; the reader
/// waits while two batches are queued, so only those and the writer's current row are in
/// memory (the `.xlsx` rows go to a temporary file). Every batch sent is written: nothing
/// caps the number of rows.
fn start_writing(
    format: FileFormat,
    sheet_name: String,
    headers: Vec<Header>,
) -> (Batches, Writing) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Vec<Cell>>>(2);
    let writing = tokio::task::spawn_blocking(move || {
        let rows = std::iter::from_fn(move || rx.blocking_recv()).flatten();
        match format {
            FileFormat::Xlsx => xlsx(&sheet_name, &headers, rows),
            FileFormat::Csv => csv(&headers, rows),
        }
    });
    (tx, writing)
}

/// Sends one batch; `false` when the writer stopped (it failed; `finish` says why).
async fn send(tx: &Batches, batch: Vec<Vec<Cell>>) -> bool {
    tx.send(batch).await.is_ok()
}

/// The written file, once the last batch was sent.
async fn finish(tx: Batches, writing: Writing) -> AppResult<Vec<u8>> {
    drop(tx);
    writing
        .await
        .map_err(|e| AppError::Unexpected(format!("export task: {e}")))?
}

/// A file name such as `schools-2026-11-29.xlsx` (the date in China Standard Time).
pub fn file_name(base: &str, format: FileFormat) -> String {
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8"))
        .date_naive();
    format!("{base}-{}.{}", today.format("%Y-%m-%d"), format.extension())
}

/// Every row of a list, read 500 at a time through the list's own page function (so the
/// names each page looks up stay within the databases' parameter limits).
async fn every_page<T, F, Fut>(mut page_of: F) -> AppResult<Vec<T>>
where
    F: FnMut(crate::domain::paging::PageRequest) -> Fut,
    Fut: std::future::Future<Output = AppResult<crate::domain::paging::Paged<T>>>,
{
    let mut rows = Vec::new();
    for page in 1.. {
        let batch = page_of(crate::domain::paging::PageRequest {
            page,
            per_page: 500,
        })
        .await?;
        let done = !batch.has_next();
        rows.extend(batch.items);
        if done {
            break;
        }
    }
    Ok(rows)
}

/// Catalogue labels of enum words, looked up once per export.
struct Labels {
    lang: Lang,
    cache: HashMap<String, String>,
}

impl Labels {
    fn new(lang: Lang) -> Self {
        Labels {
            lang,
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, prefix: &str, word: &str) -> String {
        let key = format!("{prefix}-{word}");
        if let Some(label) = self.cache.get(&key) {
            return label.clone();
        }
        let label = self.lang.t(&key);
        self.cache.insert(key, label.clone());
        label
    }
}

/// The schools of the list page for this filter (columns as the import expects them).
pub async fn schools(
    db: &impl Conn,
    actor: &Actor,
    filter: &SchoolFilter,
    lang: Lang,
    format: FileFormat,
) -> AppResult<Vec<u8>> {
    let rows = schools::list_all(db, actor, filter).await?;
    let headers: Vec<Header> = SCHOOL_COLUMNS.iter().map(|c| Header::of(c, lang)).collect();
    let mut labels = Labels::new(lang);
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|s| {
            vec![
                s.name.as_str().into(),
                s.code.as_str().into(),
                labels.get("school-kind", &s.kind).into(),
                labels.get("stage", &s.stage).into(),
                s.district.as_str().into(),
                s.township.as_str().into(),
                s.address.as_str().into(),
                s.principal.as_str().into(),
                s.phone.as_str().into(),
                Cell::Int(s.student_count.into()),
                Cell::Int(s.teacher_count.into()),
            ]
        })
        .collect();
    drop(rows);
    write(format, lang.t("export-sheet-schools"), headers, cells).await
}

/// The teachers of the list page for this filter: the import's columns after the school's
/// name. Contacts the reader may not see stay empty, as on the page.
pub async fn teachers(
    db: &impl Conn,
    actor: &Actor,
    filter: &TeacherFilter,
    lang: Lang,
    format: FileFormat,
) -> AppResult<Vec<u8>> {
    let rows = teachers::list_all(db, actor, filter).await?;
    let codes: HashMap<i64, String> = school_rows::Entity::find()
        .select_only()
        .column(school_rows::Column::Id)
        .column(school_rows::Column::Code)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut headers = vec![Header {
        title: lang.t("export-sheet-school"),
        width: 24.0,
    }];
    headers.extend(TEACHER_COLUMNS.iter().map(|c| Header::of(c, lang)));
    let mut labels = Labels::new(lang);
    let list_sep = match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    };
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|t| {
            vec![
                t.school_name.as_str().into(),
                codes.get(&t.school_id).cloned().unwrap_or_default().into(),
                t.name.as_str().into(),
                labels.get("gender", &t.gender).into(),
                t.staff_no.as_str().into(),
                t.subjects.join(list_sep).into(),
                t.grades.join(list_sep).into(),
                labels.get("title", &t.title).into(),
                Cell::Int(t.years_teaching.into()),
                t.honours.join(list_sep).into(),
                t.phone.clone().unwrap_or_default().into(),
                t.email.clone().unwrap_or_default().into(),
            ]
        })
        .collect();
    drop(rows);
    write(format, lang.t("export-sheet-teachers"), headers, cells).await
}

/// The accounts of the users list for this filter (bureau only): name, e-mail, role,
/// school, teacher record, status and last sign-in.
pub async fn users(
    db: &impl Conn,
    actor: &Actor,
    filter: &crate::domain::users::UserFilter,
    lang: Lang,
    format: FileFormat,
) -> AppResult<Vec<u8>> {
    // In pages, so the name look-ups stay within the databases' parameter limits.
    let rows = every_page(|r| crate::domain::users::list_rows(db, actor, filter, r)).await?;
    let headers: Vec<Header> = [
        ("field-person-name", 14.0),
        ("field-email", 30.0),
        ("field-role", 16.0),
        ("field-school", 24.0),
        ("field-teacher", 14.0),
        ("field-status", 10.0),
        ("field-last-login", 20.0),
    ]
    .iter()
    .map(|(key, width)| Header {
        title: lang.t(key),
        width: *width,
    })
    .collect();
    let mut labels = Labels::new(lang);
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let status = if r.user.is_active {
                "active"
            } else {
                "inactive"
            };
            vec![
                r.user.name.as_str().into(),
                r.user.email.as_str().into(),
                labels.get("role", &r.user.role).into(),
                r.school.clone().unwrap_or_default().into(),
                r.teacher.clone().unwrap_or_default().into(),
                labels.get("status", status).into(),
                r.user
                    .last_login_at
                    .map(|t| lang.datetime(t))
                    .unwrap_or_default()
                    .into(),
            ]
        })
        .collect();
    write(format, lang.t("export-sheet-users"), headers, cells).await
}

/// The ledger items of the list page for this filter, latest first: every item the filter
/// selects (read 500 at a time), the value in yuan as a number.
pub async fn contributions(
    db: &impl Conn,
    actor: &Actor,
    filter: &crate::domain::contributions::LedgerFilter,
    lang: Lang,
    format: FileFormat,
) -> AppResult<Vec<u8>> {
    let rows =
        every_page(|r| crate::domain::contributions::list_rows(db, actor, filter, r)).await?;
    let headers: Vec<Header> = [
        ("ledger-field-given-on", 12.0),
        ("ledger-field-giver", 24.0),
        ("ledger-field-receiver", 24.0),
        ("ledger-field-kind", 8.0),
        ("ledger-field-description", 30.0),
        ("ledger-field-quantity", 8.0),
        ("ledger-field-value-yuan", 14.0),
        ("ledger-from-students", 10.0),
        ("field-status", 10.0),
        ("ledger-field-note", 30.0),
    ]
    .iter()
    .map(|(key, width)| Header {
        title: lang.t(key),
        width: *width,
    })
    .collect();
    let mut labels = Labels::new(lang);
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let c = &r.row;
            vec![
                c.given_on.to_string().into(),
                r.giver.as_str().into(),
                r.receiver.as_str().into(),
                labels.get("contribution-kind", c.kind.as_str()).into(),
                c.description.as_str().into(),
                c.quantity
                    .map(|q| Cell::Int(i64::from(q)))
                    .unwrap_or_else(|| "".into()),
                // Fen to yuan once, for the spreadsheet: shown to the cent.
                Cell::Num(c.value_fen as f64 / 100.0),
                if c.from_students {
                    lang.t("ledger-from-students").into()
                } else {
                    "".into()
                },
                labels.get("ledger-status", c.status.as_str()).into(),
                c.note.as_str().into(),
            ]
        })
        .collect();
    write(format, lang.t("export-sheet-ledger"), headers, cells).await
}

/// The visits of the list page for this filter, latest first: every visit the filter
/// selects, with its schools, participants and what was done.
pub async fn visits(
    db: &impl Conn,
    actor: &Actor,
    filter: &crate::domain::visits::VisitFilter,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let rows = every_page(|r| crate::domain::visits::list_rows(db, actor, filter, r)).await?;
    let headers: Vec<Header> = [
        ("visit-field-starts-on", 12.0),
        ("visit-field-ends-on", 12.0),
        ("visit-field-kind", 10.0),
        ("visit-field-host", 24.0),
        ("visit-field-guest", 24.0),
        ("visit-field-teachers", 30.0),
        ("visit-field-students", 8.0),
        ("visit-field-activities", 24.0),
        ("visit-field-summary", 40.0),
        ("visit-field-outcome", 40.0),
        ("visit-field-classes", 20.0),
        ("visit-field-gift", 24.0),
    ]
    .iter()
    .map(|(key, width)| Header {
        title: lang.t(key),
        width: *width,
    })
    .collect();
    let mut labels = Labels::new(lang);
    let separator = match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    };
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let v = &r.row;
            let activities = r
                .activities()
                .iter()
                .map(|a| labels.get("visit-activity", a))
                .collect::<Vec<_>>()
                .join(separator);
            vec![
                v.starts_on.to_string().into(),
                v.ends_on.to_string().into(),
                labels.get("visit-kind", v.kind.as_str()).into(),
                r.host.as_str().into(),
                r.guest.as_str().into(),
                r.teachers.join(separator).into(),
                Cell::Int(i64::from(v.student_count)),
                activities.into(),
                v.summary.as_str().into(),
                v.outcome.as_str().into(),
                v.classes.as_str().into(),
                v.gift.as_str().into(),
            ]
        })
        .collect();
    write(
        FileFormat::Xlsx,
        lang.t("export-sheet-visits"),
        headers,
        cells,
    )
    .await
}

/// The training weeks of the list page for this filter, soonest first: who, where, when
/// and whether they attended.
pub async fn training_weeks(
    db: &impl Conn,
    actor: &Actor,
    filter: &crate::domain::training::WeekFilter,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let rows = every_page(|r| crate::domain::training::list_rows(db, actor, filter, r)).await?;
    let headers: Vec<Header> = [
        ("week-field-teacher", 12.0),
        ("week-field-guest", 24.0),
        ("week-field-host", 24.0),
        ("week-field-term", 8.0),
        ("week-field-starts-on", 12.0),
        ("week-field-ends-on", 12.0),
        ("field-status", 10.0),
        ("week-field-note", 30.0),
    ]
    .iter()
    .map(|(key, width)| Header {
        title: lang.t(key),
        width: *width,
    })
    .collect();
    let mut labels = Labels::new(lang);
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            let w = &r.row;
            vec![
                r.teacher.as_str().into(),
                r.guest.as_str().into(),
                r.host.as_str().into(),
                Cell::Int(i64::from(w.term)),
                w.starts_on.to_string().into(),
                w.ends_on.to_string().into(),
                labels.get("week-status", w.status.as_str()).into(),
                w.note.as_str().into(),
            ]
        })
        .collect();
    write(
        FileFormat::Xlsx,
        lang.t("export-sheet-training"),
        headers,
        cells,
    )
    .await
}

/// The observations of the list page for this filter, newest lesson first: the lesson,
/// who observed whom, the total and its band, and the written feedback.
pub async fn observations(
    db: &impl Conn,
    actor: &Actor,
    filter: &crate::domain::observations::Filter,
    year: Option<&crate::entities::academic_years::Model>,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    use crate::domain::observations as obs;
    use crate::entities::observations::Column as C;
    use sea_orm::QueryFilter;
    let titles: [(&str, f64); 13] = [
        ("export-obs-date", 12.0),
        ("export-obs-topic", 28.0),
        ("export-obs-class", 14.0),
        ("export-obs-subject", 10.0),
        ("export-obs-kind-of-lesson", 12.0),
        ("export-obs-how", 12.0),
        ("export-obs-observer", 10.0),
        ("export-obs-teacher-observed", 10.0),
        ("export-obs-total", 8.0),
        ("export-obs-grade", 8.0),
        ("export-obs-strengths", 40.0),
        ("export-obs-suggestions", 40.0),
        ("export-obs-overall-comment", 40.0),
    ];
    let headers: Vec<Header> = titles
        .iter()
        .map(|(key, width)| Header {
            title: lang.t(key),
            width: *width,
        })
        .collect();
    let (tx, writing) = start_writing(
        FileFormat::Xlsx,
        lang.t("export-sheet-observations"),
        headers,
    );
    let mut labels = Labels::new(lang);
    // Every row, a batch at a time, in the list's order (newest lesson first): each batch
    // starts after the last (date, id) of the one before.
    let mut after: Option<(chrono::NaiveDate, i64)> = None;
    loop {
        let mut query = obs::filtered(actor, filter, year);
        if let Some((on, id)) = after {
            query = query.filter(before_key(C::ObservedOn, C::Id, on, id));
        }
        let rows = query.limit(EXPORT_BATCH).all(db).await?;
        let more = rows.len() as u64 == EXPORT_BATCH;
        after = rows.last().map(|o| (o.observed_on, o.id)).or(after);
        let rows = obs::with_names(db, rows).await?;
        let cells: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| {
                let o = &r.row;
                vec![
                    o.observed_on.to_string().into(),
                    o.topic.as_str().into(),
                    o.grade_class.as_str().into(),
                    o.subject.as_str().into(),
                    labels.get("lesson-kind", &o.lesson_kind).into(),
                    labels.get("lesson-mode", &o.mode).into(),
                    r.observer_name.as_str().into(),
                    r.observed_name.as_str().into(),
                    Cell::Num(o.total_score),
                    match (lang, crate::domain::rubrics::band_key(&o.band)) {
                        (crate::i18n::Lang::En, Some(key)) => lang.t(key).into(),
                        _ => o.band.as_str().into(),
                    },
                    o.strengths.as_str().into(),
                    o.suggestions.as_str().into(),
                    o.comment.as_str().into(),
                ]
            })
            .collect();
        if !send(&tx, cells).await || !more {
            break;
        }
    }
    finish(tx, writing).await
}

/// The reflections of the list page for this filter, newest first.
pub async fn reflections(
    db: &impl Conn,
    actor: &Actor,
    filter: &crate::domain::reflections::Filter,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    use crate::entities::reflections::Column as C;
    use sea_orm::QueryFilter;
    let headers: Vec<Header> = [
        ("export-refl-date", 18.0),
        ("export-refl-author", 10.0),
        ("export-refl-title", 24.0),
        ("export-refl-text", 80.0),
    ]
    .iter()
    .map(|(key, width)| Header {
        title: lang.t(key),
        width: *width,
    })
    .collect();
    let (tx, writing) = start_writing(
        FileFormat::Xlsx,
        lang.t("export-sheet-reflections"),
        headers,
    );
    // Every row, a batch at a time, newest first: each batch starts after the last
    // (written, id) of the one before.
    let mut after: Option<(chrono::DateTime<chrono::Utc>, i64)> = None;
    loop {
        let mut query = crate::domain::reflections::filtered(actor, filter);
        if let Some((at, id)) = after {
            query = query.filter(before_key(C::CreatedAt, C::Id, at, id));
        }
        let rows = query.limit(EXPORT_BATCH).all(db).await?;
        let more = rows.len() as u64 == EXPORT_BATCH;
        after = rows.last().map(|r| (r.created_at, r.id)).or(after);
        let names = crate::domain::names::users(db, rows.iter().map(|r| r.author_id)).await?;
        let cells: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| {
                vec![
                    crate::domain::types::local_date(r.created_at)
                        .to_string()
                        .into(),
                    names.get(&r.author_id).cloned().unwrap_or_default().into(),
                    r.title.as_str().into(),
                    r.body.as_str().into(),
                ]
            })
            .collect();
        if !send(&tx, cells).await || !more {
            break;
        }
    }
    finish(tx, writing).await
}

/// Rows before `(key, id)` in a list ordered by `key DESC, id DESC`, as one row-value
/// comparison: PostgreSQL and SQLite then walk the `(key, id)` index from that point (an OR of
/// the two cases made PostgreSQL scan and sort the table for every batch).
fn before_key(
    key: impl sea_orm::ColumnTrait,
    id: impl sea_orm::ColumnTrait,
    key_value: impl Into<sea_orm::Value>,
    id_value: i64,
) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Expr, ExprTrait};
    Expr::tuple([
        Expr::col(key.as_column_ref()),
        Expr::col(id.as_column_ref()),
    ])
    .lt(Expr::tuple([Expr::val(key_value), Expr::val(id_value)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_bom_and_defuses_formulas() {
        let headers = vec![Header {
            title: "姓名".into(),
            width: 10.0,
        }];
        let out = csv(
            &headers,
            vec![
                vec![Cell::Text("=1+1".into())],
                vec![Cell::Text("+86 138 0000".into())],
            ],
        )
        .unwrap();
        assert!(out.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(out[3..].to_vec()).unwrap();
        assert_eq!(text, "姓名\n'=1+1\n+86 138 0000\n");
    }
}
