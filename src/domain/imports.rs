//! Imports of schools and teachers from `.xlsx` or `.csv`.
//!
//! 1. `upload` reads the file (first sheet of a workbook; CSV in UTF-8 with or without a BOM,
//!    or GBK/GB18030 as Excel on Chinese Windows saves it) into rows keyed by their header,
//!    refuses files it cannot use as a whole (too big, empty, too many rows, a required column
//!    missing) and keeps the rows in `pending_imports` for their owner.
//! 2. `preview` checks every row with the same rules as the forms (`NewSchool::try_from`,
//!    `teachers::parse_form`) plus what only an import can get wrong: duplicates within the
//!    file, duplicates in the database, unknown school codes and, for a school admin, teachers
//!    of another school.
//! 3. `confirm` checks again against the database as it is now and inserts every row in one
//!    transaction, or nothing.
use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::table_reader::TableReader;

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::exports::{self, Cell, FileFormat, Header};
use crate::domain::schools::{self, NewSchool, SchoolForm};
use crate::domain::teachers::{self, NewTeacher, TeacherForm};
use crate::domain::types::{Gender, Role, SchoolKind, Stage, Title};
use crate::entities::{pending_imports, schools as school_rows, teachers as teacher_rows};
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::i18n::Lang;

/// Largest file accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most data rows in one file.
pub const MAX_ROWS: usize = 20_000;
/// How long an uploaded file waits for its confirmation.
pub const PENDING_HOURS: i64 = 24;
/// Ids per `IN (…)` list when looking rows up in bulk.
const CHUNK: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Schools,
    Teachers,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Schools => "schools",
            ImportKind::Teachers => "teachers",
        }
    }

    pub fn parse(s: &str) -> Option<ImportKind> {
        match s {
            "schools" => Some(ImportKind::Schools),
            "teachers" => Some(ImportKind::Teachers),
            _ => None,
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            ImportKind::Schools => SCHOOL_COLUMNS,
            ImportKind::Teachers => TEACHER_COLUMNS,
        }
    }

    /// The bureau imports schools; the bureau and school admins import teachers (a school
    /// admin only their own school's, checked per row).
    pub fn check_access(self, actor: &Actor) -> AppResult<()> {
        match self {
            ImportKind::Schools => policy::require_some(actor, Subject::School, Act::Manage),
            ImportKind::Teachers => policy::require_some(actor, Subject::Teacher, Act::Manage),
        }
    }

    /// Columns that must be in the file for this person.
    pub fn required_columns(self, actor: &Actor) -> Vec<&'static Column> {
        self.columns()
            .iter()
            .filter(|c| c.required && !self.defaults_to_own_school(actor, c))
            .collect()
    }

    /// A school admin may leave out the school code: the rows are then for their school.
    fn defaults_to_own_school(self, actor: &Actor, column: &Column) -> bool {
        self == ImportKind::Teachers
            && column.key == "school_code"
            && actor.role == Role::SchoolAdmin
            && actor.school_id.is_some()
    }
}

/// A column of an import file (and of the matching export).
#[derive(Debug)]
pub struct Column {
    /// The field name, as in the forms and the JSON API.
    pub key: &'static str,
    /// Header in Chinese (templates, Chinese exports).
    pub zh: &'static str,
    /// Header in English (English exports).
    pub en: &'static str,
    /// Other headers accepted.
    pub aliases: &'static [&'static str],
    /// Catalogue key of the field's label.
    pub label: &'static str,
    pub required: bool,
    /// Column width in exports and templates.
    pub width: f64,
    /// The template's example value.
    pub example: &'static str,
}

pub const SCHOOL_COLUMNS: &[Column] = &[
    Column {
        key: "name",
        zh: "学校名称",
        en: "School name",
        aliases: &["名称", "学校"],
        label: "field-name",
        required: true,
        width: 24.0,
        example: "龙塘小学",
    },
    Column {
        key: "code",
        zh: "学校标识码",
        en: "School code",
        aliases: &["标识码"],
        label: "field-code",
        required: true,
        width: 14.0,
        example: "4418821001",
    },
    Column {
        key: "kind",
        zh: "类别",
        en: "Kind",
        aliases: &["学校类别"],
        label: "field-kind",
        required: true,
        width: 8.0,
        example: "农村",
    },
    Column {
        key: "stage",
        zh: "学段",
        en: "Stage",
        aliases: &[],
        label: "field-stage",
        required: true,
        width: 12.0,
        example: "小学",
    },
    Column {
        key: "district",
        zh: "区县",
        en: "District",
        aliases: &["区/县", "县区"],
        label: "field-district",
        required: true,
        width: 12.0,
        example: "连州市",
    },
    Column {
        key: "township",
        zh: "乡镇",
        en: "Township",
        aliases: &[],
        label: "field-township",
        required: false,
        width: 12.0,
        example: "龙坪镇",
    },
    Column {
        key: "address",
        zh: "地址",
        en: "Address",
        aliases: &[],
        label: "field-address",
        required: false,
        width: 30.0,
        example: "龙坪镇龙塘村 1 号",
    },
    Column {
        key: "principal",
        zh: "校长",
        en: "Principal",
        aliases: &[],
        label: "field-principal",
        required: false,
        width: 10.0,
        example: "陈国华",
    },
    Column {
        key: "phone",
        zh: "电话",
        en: "Phone",
        aliases: &[],
        label: "field-phone",
        required: false,
        width: 16.0,
        example: "0763-6661234",
    },
    Column {
        key: "student_count",
        zh: "学生数",
        en: "Students",
        aliases: &["学生人数"],
        label: "field-student-count",
        required: false,
        width: 8.0,
        example: "320",
    },
    Column {
        key: "teacher_count",
        zh: "教师数",
        en: "Teachers",
        aliases: &["教师人数"],
        label: "field-teacher-count",
        required: false,
        width: 8.0,
        example: "24",
    },
];

pub const TEACHER_COLUMNS: &[Column] = &[
    Column {
        key: "school_code",
        zh: "学校标识码",
        en: "School code",
        aliases: &["标识码"],
        label: "field-code",
        required: true,
        width: 14.0,
        example: "4418820002",
    },
    Column {
        key: "name",
        zh: "姓名",
        en: "Name",
        aliases: &[],
        label: "field-person-name",
        required: true,
        width: 10.0,
        example: "姚成琳",
    },
    Column {
        key: "gender",
        zh: "性别",
        en: "Gender",
        aliases: &[],
        label: "field-gender",
        required: true,
        width: 6.0,
        example: "女",
    },
    Column {
        key: "staff_no",
        zh: "工号",
        en: "Staff number",
        aliases: &["教师工号", "staff no"],
        label: "field-staff-no",
        required: true,
        width: 10.0,
        example: "R002",
    },
    Column {
        key: "subjects",
        zh: "任教学科",
        en: "Subjects",
        aliases: &["学科"],
        label: "field-subjects",
        required: true,
        width: 14.0,
        example: "数学",
    },
    Column {
        key: "grades",
        zh: "任教年级",
        en: "Grades",
        aliases: &["年级"],
        label: "field-grades",
        required: false,
        width: 16.0,
        example: "七年级、八年级",
    },
    Column {
        key: "title",
        zh: "职称",
        en: "Title",
        aliases: &[],
        label: "field-title",
        required: false,
        width: 12.0,
        example: "二级教师",
    },
    Column {
        key: "years_teaching",
        zh: "教龄",
        en: "Years teaching",
        aliases: &["教龄（年）", "教龄(年)"],
        label: "field-years-teaching",
        required: false,
        width: 8.0,
        example: "6",
    },
    Column {
        key: "honours",
        zh: "荣誉称号",
        en: "Honours",
        aliases: &["荣誉", "honors"],
        label: "field-honours",
        required: false,
        width: 16.0,
        example: "骨干教师",
    },
    Column {
        key: "phone",
        zh: "电话",
        en: "Phone",
        aliases: &["手机", "联系电话"],
        label: "field-phone",
        required: false,
        width: 16.0,
        example: "13800138000",
    },
    Column {
        key: "email",
        zh: "邮箱",
        en: "Email",
        aliases: &["电子邮箱", "e-mail"],
        label: "field-email",
        required: false,
        width: 24.0,
        example: "yaochenglin@example.cn",
    },
];

/// Header text compared without case, spaces, underscores, hyphens or a trailing `*`.
fn normalize_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*'))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Column {
    fn matches(&self, header: &str) -> bool {
        let h = normalize_header(header);
        !h.is_empty()
            && [self.key, self.zh, self.en]
                .iter()
                .chain(self.aliases.iter())
                .any(|name| normalize_header(name) == h)
    }

    /// How a message names this column: both headers, so it reads in either language.
    fn display(&self) -> String {
        format!("{} / {}", self.zh, self.en)
    }
}

fn file_error(key: &str) -> Msg {
    Msg::new(key)
}

/// A data row: its line in the file and its cells in the order of the kind's columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RawRow {
    pub line: u32,
    pub cells: Vec<String>,
}

/// Lines of the file (1-based) with their cells, blank lines dropped.
type Lines = Vec<(u32, Vec<String>)>;

fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        // Excel keeps every number as a float: 4418820001 must not become 4418820001.0.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// Columns read from a sheet: far more than any template has; cells further right are
/// ignored.
const MAX_COLUMNS: u32 = 64;

/// A workbook's parts, uncompressed, may add up to this much: a sheet of `MAX_ROWS` rows by
/// a few dozen columns is far smaller.
const MAX_UNCOMPRESSED: u64 = 64 * 1024 * 1024;
/// A workbook's parts at most (a real one has a dozen or two).
const MAX_ENTRIES: usize = 1_000;
/// An entry larger than 1 MiB uncompressed may be at most this many times its compressed
/// size: spreadsheet XML compresses well, but not like a zip bomb.
const MAX_RATIO: u64 = 200;
/// Shared strings a workbook may declare (`uniqueCount`, `count`): calamine reserves memory
/// for the declared number before reading any.
const MAX_SHARED_STRINGS: u64 = (MAX_ROWS as u64 + 2) * MAX_COLUMNS as u64;

/// Checks an `.xlsx` before calamine opens it: the zip's declared sizes (the zip reader
/// refuses to inflate an entry past its declared size, so they hold), the compression
/// ratio, and the counts the shared-strings part declares. A file built to make the reader
/// reserve or inflate more memory than any real import needs is refused here, before it
/// can make the allocation fail and abort the process.
fn check_workbook(bytes: &[u8]) -> Result<(), Msg> {
    use std::io::Read;
    let too_big = || file_error("import-err-workbook-too-big");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| file_error("import-err-unreadable"))?;
    if zip.len() > MAX_ENTRIES {
        return Err(too_big());
    }
    let mut total: u64 = 0;
    let mut shared_strings = None;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|_| file_error("import-err-unreadable"))?;
        let size = entry.size();
        total = total.saturating_add(size);
        if size > MAX_UNCOMPRESSED
            || total > MAX_UNCOMPRESSED
            || (size > 1024 * 1024 && size / entry.compressed_size().max(1) > MAX_RATIO)
        {
            return Err(too_big());
        }
        if String::from_utf8_lossy(entry.name_raw())
            .to_ascii_lowercase()
            .ends_with("sharedstrings.xml")
        {
            shared_strings = Some(i);
        }
    }
    if let Some(i) = shared_strings {
        // The declared counts stand in the first element: the first 64 KiB hold it.
        let mut head = Vec::new();
        zip.by_index(i)
            .map_err(|_| file_error("import-err-unreadable"))?
            .take(64 * 1024)
            .read_to_end(&mut head)
            .map_err(|_| file_error("import-err-unreadable"))?;
        let head = String::from_utf8_lossy(&head);
        if let Some(start) = head.find("<sst").or_else(|| head.find(":sst")) {
            let tag = &head[start..];
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            for name in ["uniqueCount", "count"] {
                if let Some(n) = declared_count(tag, name)
                    && n > MAX_SHARED_STRINGS
                {
                    return Err(too_big());
                }
            }
        }
    }
    Ok(())
}

/// The number in ` name="…"` within a start tag; a value that is not a number of at most
/// 19 digits reads as "too many" (u64::MAX).
fn declared_count(tag: &str, name: &str) -> Option<u64> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().last();
        let after = &rest[at + name.len()..];
        rest = after;
        if !matches!(before, Some(c) if c.is_whitespace()) {
            continue;
        }
        let Some(value) = after.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next()?;
        if quote != '"' && quote != '\'' {
            continue;
        }
        let value = &value[1..];
        let end = value.find(quote)?;
        return Some(value[..end].trim().parse().unwrap_or(u64::MAX));
    }
    None
}

/// Reads the first sheet of an `.xlsx` workbook cell by cell. The sheet's declared size is
/// never trusted (a tiny file can claim a million rows by 16,384 columns), so no grid is
/// allocated: only used cells within `MAX_COLUMNS` are kept, and reading stops once
/// there are more rows than an import may have.
fn read_workbook(bytes: &[u8]) -> Result<Lines, Msg> {
    use calamine::Reader;
    check_workbook(bytes)?;
    let mut workbook =
        calamine::Xlsx::new(Cursor::new(bytes)).map_err(|_| file_error("import-err-unreadable"))?;
    let Some(first_sheet) = workbook.sheet_names().first().cloned() else {
        return Err(file_error("import-err-empty"));
    };
    let mut cells = workbook
        .worksheet_cells_reader(&first_sheet)
        .map_err(|_| file_error("import-err-unreadable"))?;
    let mut lines: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(_) => return Err(file_error("import-err-unreadable")),
        };
        let (row, column) = cell.get_position();
        if column >= MAX_COLUMNS {
            continue;
        }
        let text = cell_text(&calamine::Data::from(cell.get_value().clone()));
        if text.trim().is_empty() {
            continue;
        }
        let line = lines.entry(row + 1).or_default();
        if line.len() <= column as usize {
            line.resize(column as usize + 1, String::new());
        }
        line[column as usize] = text;
        if lines.len() > MAX_ROWS + 2 {
            // Enough to say "too many rows" without reading the rest.
            break;
        }
    }
    Ok(lines.into_iter().collect())
}

/// UTF-8 (with or without BOM), UTF-16 with BOM, or else GB18030 (a superset of GBK).
fn decode_text(bytes: &[u8]) -> Result<String, Msg> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(rest.to_vec()).map_err(|_| file_error("import-err-unreadable"));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, errors) = encoding_rs::UTF_16LE.decode(bytes);
        return if errors {
            Err(file_error("import-err-unreadable"))
        } else {
            Ok(text.into_owned())
        };
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(_) => {
            let (text, _, errors) = encoding_rs::GB18030.decode(bytes);
            if errors {
                Err(file_error("import-err-unreadable"))
            } else {
                Ok(text.into_owned())
            }
        }
    }
}

fn read_csv(bytes: &[u8]) -> Result<Lines, Msg> {
    let text = decode_text(bytes)?;
    if text.contains('\0') {
        return Err(file_error("import-err-unreadable"));
    }
    // The separator the header line uses most: comma, semicolon or tab.
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .filter(|d| first_line.bytes().any(|b| b == *d))
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| file_error("import-err-unreadable"))?;
        let line = record.position().map(|p| p.line() as u32).unwrap_or(0);
        lines.push((line, record.iter().map(str::to_string).collect()));
        if lines.len() > MAX_ROWS + 1_000 {
            // Enough to know the file is too long; blank lines are dropped later.
            break;
        }
    }
    Ok(lines)
}

/// A file as its header line and data lines.
#[derive(Debug, Serialize, Deserialize)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Lines,
}

/// Reads an upload: a workbook when it is one (zip or OLE signature), CSV otherwise.
pub fn read_table(bytes: &[u8]) -> Result<Table, Msg> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(file_error("import-err-empty"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(Msg::new("import-err-too-large").arg("max", MAX_BYTES / (1024 * 1024)));
    }
    // Only `.xlsx` (a zip) among workbooks: old `.xls` and `.ods` are refused as unreadable
    // rather than given to readers that trust the file's declared sheet size.
    let is_workbook = bytes.starts_with(b"PK\x03\x04");
    let lines = if is_workbook {
        read_workbook(bytes)?
    } else {
        read_csv(bytes)?
    };
    let mut lines = lines
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, header)) = lines.next() else {
        return Err(file_error("import-err-empty"));
    };
    let rows: Lines = lines.collect();
    if rows.is_empty() {
        return Err(file_error("import-err-empty"));
    }
    if rows.len() > MAX_ROWS {
        return Err(Msg::new("import-err-too-many-rows")
            .arg("rows", rows.len())
            .arg("max", MAX_ROWS));
    }
    Ok(Table { header, rows })
}

/// Lines the table up with the kind's columns; a missing required column is an error of the
/// whole file.
pub fn to_rows(kind: ImportKind, actor: &Actor, table: Table) -> Result<Vec<RawRow>, FieldErrors> {
    let columns = kind.columns();
    let positions: Vec<Option<usize>> = columns
        .iter()
        .map(|c| table.header.iter().position(|h| c.matches(h)))
        .collect();
    let mut errors = FieldErrors::new();
    for column in kind.required_columns(actor) {
        let i = columns
            .iter()
            .position(|c| std::ptr::eq(c, column))
            .unwrap_or(0);
        if positions[i].is_none() {
            errors.add(
                "file",
                Msg::new("import-err-missing-column").arg("column", column.display()),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(table
        .rows
        .into_iter()
        .map(|(line, cells)| RawRow {
            line,
            cells: positions
                .iter()
                .map(|p| {
                    p.and_then(|i| cells.get(i))
                        .map(|c| undo_defuse(c.trim()).to_string())
                        .unwrap_or_default()
                })
                .collect(),
        })
        .collect())
}

/// Our CSV exports put an apostrophe before a text that looks like a formula; take it away.
fn undo_defuse(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '@', '+', '-']) => rest,
        _ => s,
    }
}

/// Enum labels of both languages (`Rural`, `一级教师`…), mapped to their stable words.
struct EnumWords(HashMap<String, &'static str>);

impl EnumWords {
    fn new() -> Self {
        let mut map = HashMap::new();
        let mut add = |key: String, word: &'static str| {
            for lang in Lang::ALL {
                map.insert(lang.t(&key).trim().to_lowercase(), word);
            }
            map.insert(word.to_string(), word);
        };
        for v in SchoolKind::ALL {
            add(v.label_key(), v.as_str());
        }
        for v in Stage::ALL {
            add(v.label_key(), v.as_str());
        }
        for v in Gender::ALL {
            add(v.label_key(), v.as_str());
        }
        for v in Title::ALL {
            add(v.label_key(), v.as_str());
        }
        EnumWords(map)
    }

    /// The stable word when `raw` is a label, else `raw` as it is (for `parse_any`).
    fn word<'a>(&self, raw: &'a str, allowed: &[&str]) -> std::borrow::Cow<'a, str> {
        match self.0.get(&raw.trim().to_lowercase()) {
            Some(word) if allowed.contains(word) => std::borrow::Cow::Borrowed(*word),
            _ => std::borrow::Cow::Borrowed(raw),
        }
    }
}

fn word_list<T: Copy>(all: &[T], word: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| word(*v)).collect()
}

/// What the preview shows of one cell: text as typed, or the label of a parsed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    Text(String),
    Label(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    pub field: String,
    /// Catalogue key of the field's label.
    pub label: String,
    pub msg: Msg,
}

/// One row of the preview.
#[derive(Debug, Clone)]
pub struct RowCheck {
    pub line: u32,
    /// The preview's columns (see `preview_columns`).
    pub shown: Vec<Shown>,
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone)]
pub struct Preview {
    pub id: i64,
    pub kind: ImportKind,
    pub rows: Vec<RowCheck>,
}

impl Preview {
    pub fn total(&self) -> usize {
        self.rows.len()
    }

    pub fn bad(&self) -> usize {
        self.rows.iter().filter(|r| !r.errors.is_empty()).count()
    }

    pub fn good(&self) -> usize {
        self.total() - self.bad()
    }

    pub fn is_ok(&self) -> bool {
        self.bad() == 0
    }

    /// Lines that have errors.
    pub fn bad_lines(&self) -> Vec<u32> {
        self.rows
            .iter()
            .filter(|r| !r.errors.is_empty())
            .map(|r| r.line)
            .collect()
    }
}

/// The label keys of the values a choice field takes, for a message that lists them.
pub fn choices(kind: ImportKind, field: &str) -> Option<Vec<String>> {
    fn keys<T: Copy>(all: &[T], key: fn(T) -> String) -> Option<Vec<String>> {
        Some(all.iter().map(|v| key(*v)).collect())
    }
    match (kind, field) {
        (ImportKind::Schools, "kind") => keys(SchoolKind::ALL, SchoolKind::label_key),
        (ImportKind::Schools, "stage") => keys(Stage::ALL, Stage::label_key),
        (ImportKind::Teachers, "gender") => keys(Gender::ALL, Gender::label_key),
        (ImportKind::Teachers, "title") => keys(Title::ALL, Title::label_key),
        _ => None,
    }
}

/// The label keys of the preview table's columns.
pub fn preview_columns(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Schools => &[
            "field-name",
            "field-code",
            "field-kind",
            "field-stage",
            "field-district",
            "field-township",
        ],
        ImportKind::Teachers => &[
            "field-school",
            "field-person-name",
            "field-staff-no",
            "field-gender",
            "field-subjects",
            "field-title",
        ],
    }
}

fn label_of(kind: ImportKind, field: &str) -> String {
    kind.columns()
        .iter()
        .find(|c| c.key == field)
        .map(|c| c.label.to_string())
        .unwrap_or_else(|| "field-school".to_string())
}

fn order_of(kind: ImportKind, field: &str) -> usize {
    kind.columns()
        .iter()
        .position(|c| c.key == field)
        .unwrap_or(0)
}

/// Collects a row's errors in the order of the columns.
struct Errors {
    kind: ImportKind,
    list: Vec<RowError>,
}

impl Errors {
    fn new(kind: ImportKind) -> Self {
        Errors {
            kind,
            list: Vec::new(),
        }
    }

    fn add(&mut self, field: &str, msg: Msg) {
        if self.list.iter().any(|e| e.field == field && e.msg == msg) {
            return;
        }
        self.list.push(RowError {
            field: field.to_string(),
            label: label_of(self.kind, field),
            msg,
        });
    }

    fn add_all(&mut self, errors: FieldErrors, rename: &[(&str, &str)]) {
        for (field, msgs) in errors.0 {
            let field = rename
                .iter()
                .find(|(from, _)| *from == field)
                .map(|(_, to)| to.to_string())
                .unwrap_or(field);
            for msg in msgs {
                self.add(&field, msg);
            }
        }
    }

    fn finish(mut self) -> Vec<RowError> {
        let kind = self.kind;
        self.list.sort_by_key(|e| order_of(kind, &e.field));
        self.list
    }
}

fn cell<'a>(row: &'a RawRow, kind: ImportKind, key: &str) -> &'a str {
    kind.columns()
        .iter()
        .position(|c| c.key == key)
        .and_then(|i| row.cells.get(i))
        .map(String::as_str)
        .unwrap_or("")
}

fn chunks<T: Clone>(items: &[T]) -> impl Iterator<Item = Vec<T>> + '_ {
    items.chunks(CHUNK).map(<[T]>::to_vec)
}

/// The result of checking every row: the preview rows and, when all are good, what to insert.
struct Checked<T> {
    rows: Vec<RowCheck>,
    good: Vec<T>,
}

async fn check_schools(
    conn: &impl ConnectionTrait,
    rows: &[RawRow],
) -> AppResult<Checked<NewSchool>> {
    let kind = ImportKind::Schools;
    let words = EnumWords::new();
    let kinds = word_list(SchoolKind::ALL, SchoolKind::as_str);
    let stages = word_list(Stage::ALL, Stage::as_str);
    let codes: Vec<Option<String>> = rows
        .iter()
        .map(|r| schools::school_code(cell(r, kind, "code")).ok())
        .collect();
    let mut wanted: Vec<String> = codes.iter().flatten().cloned().collect();
    wanted.sort();
    wanted.dedup();
    let mut taken: HashSet<String> = HashSet::new();
    for chunk in chunks(&wanted) {
        let found: Vec<String> = school_rows::Entity::find()
            .select_only()
            .column(school_rows::Column::Code)
            .filter(school_rows::Column::Code.is_in(chunk))
            .into_tuple()
            .all(conn)
            .await?;
        taken.extend(found);
    }
    let mut first_line: HashMap<String, u32> = HashMap::new();
    let mut checked = Checked {
        rows: Vec::with_capacity(rows.len()),
        good: Vec::with_capacity(rows.len()),
    };
    for (row, code) in rows.iter().zip(codes) {
        let c = |key| cell(row, kind, key).to_string();
        let form = SchoolForm {
            name: c("name"),
            code: c("code"),
            kind: words.word(cell(row, kind, "kind"), &kinds).into_owned(),
            stage: words.word(cell(row, kind, "stage"), &stages).into_owned(),
            district: c("district"),
            township: c("township"),
            address: c("address"),
            principal: c("principal"),
            phone: c("phone"),
            student_count: c("student_count"),
            teacher_count: c("teacher_count"),
        };
        let mut errors = Errors::new(kind);
        let parsed = NewSchool::try_from(&form)
            .map_err(|e| errors.add_all(e, &[]))
            .ok();
        if let Some(code) = code {
            if let Some(first) = first_line.get(&code) {
                errors.add(
                    "code",
                    Msg::new("import-err-duplicate-in-file").arg("line", first),
                );
            } else {
                first_line.insert(code.clone(), row.line);
            }
            if taken.contains(&code) {
                errors.add("code", Msg::new("err-school-code-taken"));
            }
        }
        let errors = errors.finish();
        let shown = match &parsed {
            Some(s) => vec![
                Shown::Text(s.name.clone()),
                Shown::Text(s.code.clone()),
                Shown::Label(s.kind.label_key()),
                Shown::Label(s.stage.label_key()),
                Shown::Text(s.district.clone()),
                Shown::Text(s.township.clone()),
            ],
            None => ["name", "code", "kind", "stage", "district", "township"]
                .iter()
                .map(|k| Shown::Text(c(k)))
                .collect(),
        };
        if errors.is_empty()
            && let Some(s) = parsed
        {
            checked.good.push(s);
        }
        checked.rows.push(RowCheck {
            line: row.line,
            shown,
            errors,
        });
    }
    Ok(checked)
}

/// A school as a teacher import sees it.
struct SchoolRef {
    id: i64,
    name: String,
    active: bool,
}

async fn check_teachers(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    rows: &[RawRow],
) -> AppResult<Checked<NewTeacher>> {
    let kind = ImportKind::Teachers;
    let words = EnumWords::new();
    let genders = word_list(Gender::ALL, Gender::as_str);
    let titles = word_list(Title::ALL, Title::as_str);
    let own_school = if actor.role == Role::SchoolAdmin {
        actor.school_id
    } else {
        None
    };

    // Schools named in the file (and the admin's own), in bulk.
    let codes: Vec<Option<String>> = rows
        .iter()
        .map(|r| schools::school_code(cell(r, kind, "school_code")).ok())
        .collect();
    let mut wanted: Vec<String> = codes.iter().flatten().cloned().collect();
    wanted.sort();
    wanted.dedup();
    let mut by_code: HashMap<String, SchoolRef> = HashMap::new();
    let mut by_id: HashMap<i64, String> = HashMap::new();
    let columns = (
        school_rows::Column::Id,
        school_rows::Column::Code,
        school_rows::Column::Name,
        school_rows::Column::IsActive,
    );
    let mut found: Vec<(i64, String, String, bool)> = Vec::new();
    for chunk in chunks(&wanted) {
        found.extend(
            school_rows::Entity::find()
                .select_only()
                .columns([columns.0, columns.1, columns.2, columns.3])
                .filter(school_rows::Column::Code.is_in(chunk))
                .into_tuple::<(i64, String, String, bool)>()
                .all(conn)
                .await?,
        );
    }
    if let Some(own) = own_school {
        found.extend(
            school_rows::Entity::find_by_id(own)
                .select_only()
                .columns([columns.0, columns.1, columns.2, columns.3])
                .into_tuple::<(i64, String, String, bool)>()
                .all(conn)
                .await?,
        );
    }
    for (id, code, name, active) in found {
        by_id.insert(id, code.clone());
        by_code.insert(code, SchoolRef { id, name, active });
    }
    let own_code = own_school.and_then(|id| by_id.get(&id).cloned());

    // Staff numbers already taken in those schools.
    let ids: Vec<i64> = by_code.values().map(|s| s.id).collect();
    let mut taken: HashSet<(i64, String)> = HashSet::new();
    for chunk in chunks(&ids) {
        let rows: Vec<(i64, String)> = teacher_rows::Entity::find()
            .select_only()
            .column(teacher_rows::Column::SchoolId)
            .column(teacher_rows::Column::StaffNo)
            .filter(teacher_rows::Column::SchoolId.is_in(chunk))
            .into_tuple()
            .all(conn)
            .await?;
        taken.extend(rows);
    }

    let mut first_line: HashMap<(String, String), u32> = HashMap::new();
    let mut checked = Checked {
        rows: Vec::with_capacity(rows.len()),
        good: Vec::with_capacity(rows.len()),
    };
    for (row, code) in rows.iter().zip(codes) {
        let c = |key| cell(row, kind, key).to_string();
        let mut errors = Errors::new(kind);
        let raw_code = cell(row, kind, "school_code");
        // The school: as named, or the admin's own when the cell is empty.
        let code = if raw_code.trim().is_empty() {
            own_code.clone()
        } else {
            code
        };
        let school = match &code {
            None if raw_code.trim().is_empty() => {
                errors.add("school_code", Msg::new("err-required"));
                None
            }
            None => {
                errors.add("school_code", Msg::new("err-school-code"));
                None
            }
            Some(code) => match by_code.get(code) {
                Some(s) if s.active => {
                    if policy::allows(
                        actor.role,
                        Subject::Teacher,
                        Act::Manage,
                        policy::to_school(actor, s.id),
                    ) {
                        Some(s)
                    } else {
                        errors.add("school_code", Msg::new("import-err-other-school"));
                        None
                    }
                }
                _ => {
                    errors.add("school_code", Msg::new("err-unknown-school"));
                    None
                }
            },
        };
        let form = TeacherForm {
            school_id: String::new(),
            name: c("name"),
            gender: words.word(cell(row, kind, "gender"), &genders).into_owned(),
            staff_no: c("staff_no"),
            subjects: c("subjects"),
            grades: c("grades"),
            title: words.word(cell(row, kind, "title"), &titles).into_owned(),
            years_teaching: c("years_teaching"),
            honours: c("honours"),
            phone: c("phone"),
            email: c("email"),
        };
        let parsed = teachers::parse_form(&form, Some(school.map(|s| s.id).unwrap_or(0)))
            .map_err(|e| errors.add_all(e, &[("school_id", "school_code")]))
            .ok();
        let staff_no = form.staff_no.trim().to_string();
        if let Some(code) = &code
            && !staff_no.is_empty()
        {
            let key = (code.clone(), staff_no.clone());
            if let Some(first) = first_line.get(&key) {
                errors.add(
                    "staff_no",
                    Msg::new("import-err-duplicate-in-file").arg("line", first),
                );
            } else {
                first_line.insert(key, row.line);
            }
        }
        if let Some(s) = school
            && taken.contains(&(s.id, staff_no.clone()))
        {
            errors.add("staff_no", Msg::new("err-staff-no-taken"));
        }
        let errors = errors.finish();
        let school_shown = match (school, &code) {
            (Some(s), Some(code)) => format!("{} {}", s.name, code),
            _ => raw_code.to_string(),
        };
        let shown = match &parsed {
            Some(t) => vec![
                Shown::Text(school_shown),
                Shown::Text(t.name.clone()),
                Shown::Text(t.staff_no.clone()),
                Shown::Label(t.gender.label_key()),
                Shown::Text(t.subjects.join("、")),
                Shown::Label(t.title.label_key()),
            ],
            None => vec![
                Shown::Text(school_shown),
                Shown::Text(c("name")),
                Shown::Text(c("staff_no")),
                Shown::Text(c("gender")),
                Shown::Text(c("subjects")),
                Shown::Text(c("title")),
            ],
        };
        if errors.is_empty()
            && let Some(t) = parsed
        {
            checked.good.push(t);
        }
        checked.rows.push(RowCheck {
            line: row.line,
            shown,
            errors,
        });
    }
    Ok(checked)
}

/// Reads and stores an upload for its preview; returns the pending import's id. A file that
/// cannot be used as a whole is `Invalid` on the field `file`.
pub async fn upload(
    db: &impl Conn,
    actor: &Actor,
    kind: ImportKind,
    bytes: Vec<u8>,
    reader: &TableReader,
) -> AppResult<i64> {
    kind.check_access(actor)?;
    let table = reader
        .read(bytes)
        .await?
        .map_err(|m| AppError::invalid("file", m))?;
    let rows = to_rows(kind, actor, table).map_err(AppError::Invalid)?;
    let payload = serde_json::to_string(&rows)?;
    let now = Utc::now();
    pending_imports::Entity::delete_many()
        .filter(pending_imports::Column::CreatedAt.lt(now - Duration::hours(PENDING_HOURS)))
        .exec(db)
        .await?;
    let pending = pending_imports::ActiveModel {
        user_id: Set(actor.user_id),
        kind: Set(kind.as_str().to_string()),
        payload: Set(payload),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(pending.id)
}

/// This person's pending import, if it has not expired (anyone else's is not found).
async fn load(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<(ImportKind, Vec<RawRow>)> {
    let pending = pending_imports::Entity::find_by_id(id)
        .filter(pending_imports::Column::UserId.eq(actor.user_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if pending.created_at < Utc::now() - Duration::hours(PENDING_HOURS) {
        return Err(AppError::NotFound);
    }
    let kind = ImportKind::parse(&pending.kind).ok_or(AppError::NotFound)?;
    kind.check_access(actor)?;
    let rows: Vec<RawRow> = serde_json::from_str(&pending.payload)?;
    Ok((kind, rows))
}

/// The kind of a pending import of this person (for pages that only need to know it).
pub async fn kind_of(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<ImportKind> {
    Ok(load(db, actor, id).await?.0)
}

/// Every row of a pending import checked against the database as it is now.
pub async fn preview(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<Preview> {
    let (kind, rows) = load(db, actor, id).await?;
    let rows = match kind {
        ImportKind::Schools => check_schools(db, &rows).await?.rows,
        ImportKind::Teachers => check_teachers(db, actor, &rows).await?.rows,
    };
    Ok(Preview { id, kind, rows })
}

/// What a confirmation did: the number of rows inserted, or the preview with the errors
/// found now (nothing was written).
pub enum Confirmed {
    Imported { kind: ImportKind, count: usize },
    Refused(Preview),
}

/// Checks again and inserts every row in one transaction, or none. The pending import is
/// consumed by the same transaction, so a second confirmation finds nothing (404).
pub async fn confirm(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<Confirmed> {
    let txn = db::begin_write(db).await?;
    let (kind, rows) = load(&txn, actor, id).await?;
    // Claim it first: a concurrent confirmation waits here and then finds it gone.
    let claimed = pending_imports::Entity::delete_many()
        .filter(pending_imports::Column::Id.eq(id))
        .filter(pending_imports::Column::UserId.eq(actor.user_id))
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    let refused = |rows: Vec<RowCheck>| Confirmed::Refused(Preview { id, kind, rows });
    let count = match kind {
        ImportKind::Schools => {
            let checked = check_schools(&txn, &rows).await?;
            if checked.good.len() != rows.len() {
                return Ok(refused(checked.rows));
            }
            for (new, row) in checked.good.iter().zip(&rows) {
                if let Err(e) = schools::insert(&txn, Some(actor), new).await {
                    return lost_race(e, kind, row.line, checked.rows).map(refused);
                }
            }
            checked.good.len()
        }
        ImportKind::Teachers => {
            let checked = check_teachers(&txn, actor, &rows).await?;
            if checked.good.len() != rows.len() {
                return Ok(refused(checked.rows));
            }
            for (new, row) in checked.good.iter().zip(&rows) {
                if let Err(e) = teachers::insert(&txn, Some(actor), new).await {
                    return lost_race(e, kind, row.line, checked.rows).map(refused);
                }
            }
            checked.good.len()
        }
    };
    txn.commit().await?;
    Ok(Confirmed::Imported { kind, count })
}

/// A unique index refused a row that passed the checks (someone inserted the same code at
/// the same moment): the transaction is dropped and the row shows the conflict.
fn lost_race(
    err: AppError,
    kind: ImportKind,
    line: u32,
    mut rows: Vec<RowCheck>,
) -> AppResult<Vec<RowCheck>> {
    let AppError::Conflict { field, msg } = err else {
        return Err(err);
    };
    if let Some(row) = rows.iter_mut().find(|r| r.line == line) {
        row.errors.push(RowError {
            label: label_of(kind, &field),
            field,
            msg,
        });
    }
    Ok(rows)
}

/// Drops a pending import of this person.
pub async fn cancel(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<ImportKind> {
    let kind = kind_of(db, actor, id).await?;
    pending_imports::Entity::delete_many()
        .filter(pending_imports::Column::Id.eq(id))
        .filter(pending_imports::Column::UserId.eq(actor.user_id))
        .exec(db)
        .await?;
    Ok(kind)
}

/// A template: the Chinese headers and one example row.
pub async fn template(kind: ImportKind, format: FileFormat) -> AppResult<Vec<u8>> {
    let columns = kind.columns();
    let headers: Vec<Header> = columns.iter().map(|c| Header::of(c, Lang::Zh)).collect();
    let example: Vec<Cell> = columns.iter().map(|c| Cell::from(c.example)).collect();
    let name = match kind {
        ImportKind::Schools => "学校",
        ImportKind::Teachers => "教师",
    };
    exports::write(format, name.to_string(), headers, vec![example]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bureau() -> Actor {
        Actor {
            user_id: 1,
            name: "b".into(),
            role: Role::BureauAdmin,
            school_id: None,
            teacher_id: None,
        }
    }

    #[test]
    fn headers_match_in_chinese_english_and_field_names() {
        let table = read_table(
            "\u{feff}学校名称, School Code ,KIND,学段*,区/县\nA,4418820009,农村,小学,连州市\n"
                .as_bytes(),
        )
        .unwrap();
        let rows = to_rows(ImportKind::Schools, &bureau(), table).unwrap();
        assert_eq!(rows[0].line, 2);
        assert_eq!(
            &rows[0].cells[..5],
            ["A", "4418820009", "农村", "小学", "连州市"]
        );
    }

    #[test]
    fn gbk_csv_is_read() {
        let (bytes, _, _) = encoding_rs::GBK.encode("姓名,工号\n姚成琳,R001\n");
        let table = read_table(&bytes).unwrap();
        assert_eq!(table.header, ["姓名", "工号"]);
        assert_eq!(table.rows[0].1, ["姚成琳", "R001"]);
    }

    #[test]
    fn declared_counts_are_read_from_the_start_tag() {
        let tag = r#"<sst xmlns="x" count="12" uniqueCount='1000000000000000'"#;
        assert_eq!(declared_count(tag, "count"), Some(12));
        assert_eq!(
            declared_count(tag, "uniqueCount"),
            Some(1_000_000_000_000_000)
        );
        assert_eq!(
            declared_count(r#"<sst count="99999999999999999999999""#, "count"),
            Some(u64::MAX)
        );
        assert_eq!(declared_count("<sst", "count"), None);
    }

    #[test]
    fn file_level_errors() {
        assert_eq!(read_table(b"").unwrap_err().key, "import-err-empty");
        assert_eq!(
            read_table(b"name,code\n\n").unwrap_err().key,
            "import-err-empty"
        );
        let table = read_table("学校名称\nA\n".as_bytes()).unwrap();
        let err = to_rows(ImportKind::Schools, &bureau(), table).unwrap_err();
        assert_eq!(err.get("file").map(Vec::len), Some(4));
    }
}
