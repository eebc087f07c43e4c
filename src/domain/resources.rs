//! The shared resource library (资源共享): teachers, school admins and the bureau upload
//! 教育理论, 教学案例, 教学论文, 题组设计, 试题, 教案 and 课件 with a subject and a grade, and
//! share each with one teacher pairing, one school pairing, or everyone. A file is taken
//! only when its content is one of the allowed types and agrees with its name's extension
//! (an executable named `.pdf` is refused), and only up to the upload limit
//! (`TONGXING_UPLOAD_MAX_MB`). It is stored under a generated name (`files::FileStore`); a
//! failed save removes it again, and deleting the record deletes the file. Who may see a
//! resource is the policy's (`Subject::Resource`): its uploader, the bureau, and those it
//! is shared with.
use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::policy::{self, Act, Relation, Subject};
use crate::domain::access::{Actor, scope};
use crate::domain::audit;
use crate::domain::files::FileStore;
use crate::domain::idempotency::{self, Claim};
use crate::domain::paging::{self, PageRequest, Paged};
use crate::domain::types::{MAX_ID, PairingStatus, Role, de::loose_string};
use crate::entities::{resources, school_pairings, teacher_pairings};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

crate::domain::types::word_enum!(column
    /// 教育理论 / 教学案例 / 教学论文 / 题组设计 / 试题 / 教案 / 课件
    ResourceKind, "resource-kind", {
        Theory => "theory",
        Case => "case",
        Paper => "paper",
        QuestionDesign => "question_design",
        TestPaper => "test_paper",
        LessonPlan => "lesson_plan",
        Courseware => "courseware",
    }
);

crate::domain::types::word_enum!(column
    /// Who a resource is shared with.
    Visibility, "resource-visibility", {
        Everyone => "everyone",
        SchoolPairing => "school_pairing",
        TeacherPairing => "teacher_pairing",
    }
);

/// The upload folder's area of the library's files.
pub const AREA: &str = "resources";
pub const MAX_TITLE: usize = 200;
pub const MAX_SUBJECT: usize = 40;
pub const MAX_GRADE: usize = 40;
pub const MAX_FILE_NAME: usize = 200;

/// A type the library takes: the extensions a name may have, the extension the file is
/// stored with and the type it is served as (found in the content, never taken from the
/// browser).
#[derive(Debug, PartialEq, Eq)]
pub struct FileType {
    pub names: &'static [&'static str],
    pub ext: &'static str,
    pub mime: &'static str,
}

/// The allow-list.
pub const ALLOWED: &[FileType] = &[
    FileType {
        names: &["pdf"],
        ext: "pdf",
        mime: "application/pdf",
    },
    FileType {
        names: &["docx"],
        ext: "docx",
        mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    },
    FileType {
        names: &["xlsx"],
        ext: "xlsx",
        mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
    FileType {
        names: &["pptx"],
        ext: "pptx",
        mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    },
    FileType {
        names: &["doc"],
        ext: "doc",
        mime: "application/msword",
    },
    FileType {
        names: &["xls"],
        ext: "xls",
        mime: "application/vnd.ms-excel",
    },
    FileType {
        names: &["ppt"],
        ext: "ppt",
        mime: "application/vnd.ms-powerpoint",
    },
    FileType {
        names: &["jpg", "jpeg"],
        ext: "jpg",
        mime: "image/jpeg",
    },
    FileType {
        names: &["png"],
        ext: "png",
        mime: "image/png",
    },
    FileType {
        names: &["mp4"],
        ext: "mp4",
        mime: "video/mp4",
    },
    FileType {
        names: &["txt"],
        ext: "txt",
        mime: "text/plain; charset=utf-8",
    },
];

/// The extensions the form lists as accepted.
pub fn accepted() -> String {
    ALLOWED
        .iter()
        .flat_map(|t| t.names.iter())
        .map(|n| format!(".{n}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The name a file was uploaded as, made safe to keep and to send back: its last path
/// component (no folders, whichever slash), no control characters, no leading dots, at
/// most `MAX_FILE_NAME` characters with its extension kept.
pub fn clean_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let mut name: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|'))
        .collect();
    name = name.trim().trim_start_matches('.').trim().to_string();
    if name.chars().count() > MAX_FILE_NAME {
        let ext: String = match name.rsplit_once('.') {
            Some((_, e)) if e.chars().count() <= 10 => format!(".{e}"),
            _ => String::new(),
        };
        let keep = MAX_FILE_NAME - ext.chars().count();
        name = name.chars().take(keep).collect::<String>() + &ext;
    }
    name
}

/// The allowed type of a file named `name` with content `bytes`: the name's extension must
/// be on the allow-list and the content must be of that type.
pub fn detect(name: &str, bytes: &[u8]) -> Result<&'static FileType, Msg> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let Some(expected) = ALLOWED.iter().find(|t| t.names.contains(&ext.as_str())) else {
        return Err(Msg::new("resource-err-type").arg("types", accepted()));
    };
    if bytes.is_empty() {
        return Err(Msg::new("resource-err-empty"));
    }
    let agrees = if expected.ext == "txt" {
        // Text has no signature: UTF-8 without NUL bytes, and nothing a signature names.
        std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) && infer::get(bytes).is_none()
    } else {
        infer::get(bytes).is_some_and(|t| t.mime_type() == expected.mime)
    };
    if agrees {
        Ok(expected)
    } else {
        Err(Msg::new("resource-err-content").arg("ext", ext))
    }
}

/// The upload form as typed (or sent as multipart fields).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ResourceForm {
    #[serde(deserialize_with = "loose_string")]
    pub title: String,
    /// A `ResourceKind` word.
    #[serde(deserialize_with = "loose_string")]
    pub kind: String,
    #[serde(deserialize_with = "loose_string")]
    pub subject: String,
    #[serde(deserialize_with = "loose_string")]
    pub grade: String,
    /// `everyone`, `school_pairing` or `teacher_pairing`.
    #[serde(deserialize_with = "loose_string")]
    pub visibility: String,
    #[serde(deserialize_with = "loose_string")]
    pub school_pairing_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub teacher_pairing_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub idempotency_key: String,
}

/// The file of an upload: the name it was sent with, and its bytes or why it was refused
/// already (cut short by the size limit).
#[derive(Debug)]
pub struct Upload {
    pub name: String,
    pub bytes: Result<Vec<u8>, Msg>,
}

struct Valid {
    title: String,
    kind: ResourceKind,
    subject: String,
    grade: String,
    visibility: Visibility,
    school_pairing_id: Option<i64>,
    teacher_pairing_id: Option<i64>,
}

fn text(errors: &mut FieldErrors, field: &str, value: &str, max: usize, required: bool) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        errors.add(field, Msg::new("err-required"));
    } else if v.chars().count() > max {
        errors.add(field, Msg::new("err-too-long").arg("max", max));
    }
    v.to_string()
}

fn id_of(errors: &mut FieldErrors, field: &str, value: &str) -> Option<i64> {
    match value.trim().parse::<i64>() {
        Ok(id) if (1..=MAX_ID).contains(&id) => Some(id),
        _ => {
            errors.add(field, Msg::new("resource-err-pairing"));
            None
        }
    }
}

/// Checks the form's fields and where it is shared: a pairing the actor can see, is
/// active, and is theirs (the teacher's own teacher pairing, a pairing of the admin's
/// school; the bureau's any).
async fn validate(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    form: &ResourceForm,
) -> AppResult<Valid> {
    let mut errors = FieldErrors::new();
    let title = text(&mut errors, "title", &form.title, MAX_TITLE, true);
    let subject = text(&mut errors, "subject", &form.subject, MAX_SUBJECT, false);
    let grade = text(&mut errors, "grade", &form.grade, MAX_GRADE, false);
    let kind = ResourceKind::parse(form.kind.trim());
    if kind.is_none() {
        errors.add("kind", Msg::new("err-choose"));
    }
    let visibility = Visibility::parse(form.visibility.trim());
    // A pairing given is a pairing id even where the visibility does not use it (the
    // page sends both choices; only the one the visibility names is kept).
    let mut bad_id = false;
    for (field, value) in [
        ("school_pairing_id", &form.school_pairing_id),
        ("teacher_pairing_id", &form.teacher_pairing_id),
    ] {
        if !value.trim().is_empty()
            && value
                .trim()
                .parse::<i64>()
                .map_or(true, |id| !(1..=MAX_ID).contains(&id))
        {
            errors.add(field, Msg::new("resource-err-pairing"));
            bad_id = true;
        }
    }
    let (mut school_pairing_id, mut teacher_pairing_id) = (None, None);
    match visibility {
        None => errors.add("visibility", Msg::new("err-choose")),
        Some(_) if bad_id => {}
        Some(Visibility::Everyone) => {}
        Some(Visibility::SchoolPairing) => {
            if let Some(id) = id_of(&mut errors, "school_pairing_id", &form.school_pairing_id) {
                match school_pairing_target(conn, actor, id).await? {
                    Ok(()) => school_pairing_id = Some(id),
                    Err(m) => errors.add("school_pairing_id", m),
                }
            }
        }
        Some(Visibility::TeacherPairing) => {
            if let Some(id) = id_of(&mut errors, "teacher_pairing_id", &form.teacher_pairing_id) {
                match teacher_pairing_target(conn, actor, id).await? {
                    Ok(()) => teacher_pairing_id = Some(id),
                    Err(m) => errors.add("teacher_pairing_id", m),
                }
            }
        }
    }
    match (kind, visibility) {
        (Some(kind), Some(visibility)) if errors.is_empty() => Ok(Valid {
            title,
            kind,
            subject,
            grade,
            visibility,
            school_pairing_id,
            teacher_pairing_id,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}

async fn school_pairing_target(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<Result<(), Msg>> {
    let p = match crate::domain::school_pairings::get(conn, actor, id).await {
        Ok(p) => p,
        Err(AppError::NotFound) => return Ok(Err(Msg::new("resource-err-pairing"))),
        Err(e) => return Err(e),
    };
    let ours = actor.is_bureau()
        || actor
            .school_id
            .is_some_and(|s| s == p.supporter_id || s == p.receiver_id);
    Ok(if !ours {
        Err(Msg::new("resource-err-pairing"))
    } else if p.status != PairingStatus::Active {
        Err(Msg::new("resource-err-pairing-not-active"))
    } else {
        Ok(())
    })
}

async fn teacher_pairing_target(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<Result<(), Msg>> {
    let p = match crate::domain::teacher_pairings::get(conn, actor, id).await {
        Ok(p) => p.into_inner(),
        Err(AppError::NotFound) => return Ok(Err(Msg::new("resource-err-pairing"))),
        Err(e) => return Err(e),
    };
    // Visible is enough for the bureau and an admin (a pairing of their school); a
    // teacher shares only with a pairing they are in.
    let ours = actor.role != Role::Teacher
        || actor
            .teacher_id
            .is_some_and(|t| t == p.mentor_id || t == p.mentee_id);
    Ok(if !ours {
        Err(Msg::new("resource-err-pairing"))
    } else if p.status != PairingStatus::Active {
        Err(Msg::new("resource-err-pairing-not-active"))
    } else {
        Ok(())
    })
}

/// What the audit log keeps of a resource (the stored name is the program's business).
#[derive(Serialize)]
struct Audited<'a> {
    title: &'a str,
    kind: ResourceKind,
    subject: &'a str,
    grade: &'a str,
    visibility: Visibility,
    school_pairing_id: Option<i64>,
    teacher_pairing_id: Option<i64>,
    file_name: &'a str,
    content_type: &'a str,
    size_bytes: i64,
}

impl<'a> From<&'a resources::Model> for Audited<'a> {
    fn from(r: &'a resources::Model) -> Self {
        Audited {
            title: &r.title,
            kind: r.kind,
            subject: &r.subject,
            grade: &r.grade,
            visibility: r.visibility,
            school_pairing_id: r.school_pairing_id,
            teacher_pairing_id: r.teacher_pairing_id,
            file_name: &r.file_name,
            content_type: &r.content_type,
            size_bytes: r.size_bytes,
        }
    }
}

/// Uploads a resource: the form and the file are checked (every problem at once), the file
/// is written under a generated name, then the row is inserted; if the row is not
/// committed the file is removed again.
pub async fn create(
    db: &impl Conn,
    store: &FileStore,
    actor: &Actor,
    form: &ResourceForm,
    upload: Option<Upload>,
) -> AppResult<resources::Model> {
    policy::require_some(actor, Subject::Resource, Act::Manage)?;
    let key = idempotency::scoped(actor, "resource", &form.idempotency_key)?;
    if let Some(k) = &key
        && let Some(id) = idempotency::earlier(db, actor, k).await?
    {
        return get(db, actor, id).await;
    }
    // The file first, outside any transaction: checking it reads only its bytes.
    let mut errors = FieldErrors::new();
    let file = match upload {
        None => {
            errors.add("file", Msg::new("resource-err-no-file"));
            None
        }
        Some(Upload { name, bytes }) => {
            let name = clean_name(&name);
            match bytes {
                Err(m) => {
                    errors.add("file", m);
                    None
                }
                Ok(bytes) if bytes.len() as u64 > store.max_bytes => {
                    errors.add(
                        "file",
                        Msg::new("resource-err-too-large")
                            .arg("max", store.max_bytes / (1024 * 1024)),
                    );
                    None
                }
                Ok(bytes) => match detect(&name, &bytes) {
                    Ok(t) => Some((name, bytes, t)),
                    Err(m) => {
                        errors.add("file", m);
                        None
                    }
                },
            }
        }
    };
    let valid = match validate(db, actor, form).await {
        Ok(v) => Some(v),
        Err(AppError::Invalid(more)) => {
            errors.absorb(more);
            None
        }
        Err(e) => return Err(e),
    };
    let (Some(v), Some((name, bytes, t))) = (valid, file) else {
        return Err(AppError::Invalid(errors));
    };
    let stored = store.put(AREA, t.ext, &bytes).await?;
    let mut txn = db::begin_write(db).await?;
    if let Some(k) = &key {
        match idempotency::claim(db, txn, actor, k).await? {
            Claim::Claimed(t) => txn = t,
            Claim::Done(Some(id)) => return get(db, actor, id).await,
            Claim::Done(None) => {
                return Err(AppError::conflict(
                    "idempotency_key",
                    "err-idempotency-key-used",
                ));
            }
        }
    }
    let row = resources::ActiveModel {
        title: Set(v.title),
        kind: Set(v.kind),
        subject: Set(v.subject),
        grade: Set(v.grade),
        visibility: Set(v.visibility),
        school_pairing_id: Set(v.school_pairing_id),
        teacher_pairing_id: Set(v.teacher_pairing_id),
        file_name: Set(name),
        stored_name: Set(stored.name().to_string()),
        content_type: Set(t.mime.to_string()),
        size_bytes: Set(bytes.len() as i64),
        uploaded_by: Set(Some(actor.user_id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "create",
        "resource",
        Some(row.id),
        None,
        Some(&Audited::from(&row)),
    )
    .await?;
    if let Some(k) = &key {
        idempotency::record(&txn, k, row.id).await?;
    }
    txn.commit().await?;
    stored.keep();
    Ok(row)
}

/// A resource the actor may see (404 otherwise, like one that does not exist).
pub async fn get(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<resources::Model> {
    resources::Entity::find_by_id(id)
        .filter(scope::visible::<resources::Entity>(actor))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Whether the actor may remove the resource: its uploader, or the bureau.
pub fn may_delete(actor: &Actor, r: &resources::Model) -> bool {
    let relation = if r.uploaded_by == Some(actor.user_id) {
        Relation::Own
    } else {
        Relation::Other
    };
    policy::allows(actor.role, Subject::Resource, Act::Manage, relation)
}

/// Deletes the record, then its file.
pub async fn delete(db: &impl Conn, store: &FileStore, actor: &Actor, id: i64) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    let before = get(&txn, actor, id).await?;
    if !may_delete(actor, &before) {
        return Err(AppError::Forbidden);
    }
    resources::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record::<_, ()>(
        &txn,
        Some(actor),
        "delete",
        "resource",
        Some(id),
        Some(&Audited::from(&before)),
        None,
    )
    .await?;
    txn.commit().await?;
    store.remove(AREA, &before.stored_name).await;
    Ok(())
}

/// What the library's search is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    pub kind: Option<ResourceKind>,
    pub subject: String,
    pub grade: String,
    pub school_pairing_id: Option<i64>,
    pub teacher_pairing_id: Option<i64>,
    /// Only those I uploaded.
    pub mine: bool,
}

fn condition(actor: &Actor, f: &ResourceFilter) -> Condition {
    use resources::Column as C;
    let mut c = Condition::all().add(scope::visible::<resources::Entity>(actor));
    if let Some(k) = f.kind {
        c = c.add(C::Kind.eq(k));
    }
    if !f.subject.trim().is_empty() {
        c = c.add(C::Subject.eq(f.subject.trim()));
    }
    if !f.grade.trim().is_empty() {
        c = c.add(C::Grade.eq(f.grade.trim()));
    }
    if let Some(p) = f.school_pairing_id {
        c = c.add(C::SchoolPairingId.eq(p));
    }
    if let Some(p) = f.teacher_pairing_id {
        c = c.add(C::TeacherPairingId.eq(p));
    }
    if f.mine {
        c = c.add(C::UploadedBy.eq(actor.user_id));
    }
    c
}

/// One page of the resources the actor may see, newest first.
pub async fn list(
    db: &impl Conn,
    actor: &Actor,
    filter: &ResourceFilter,
    page: PageRequest,
) -> AppResult<Paged<resources::Model>> {
    policy::require_some(actor, Subject::Resource, Act::List)?;
    let select = resources::Entity::find()
        .filter(condition(actor, filter))
        .order_by_desc(resources::Column::Id);
    paging::fetch(db, select, page).await
}

/// A resource with the names people read.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceRow {
    pub row: resources::Model,
    pub uploader: String,
    /// The pairing it is shared with, as its two schools or two teachers.
    pub shared_with: String,
}

/// Names for a page of resources: uploaders, and the pairings shared with (four queries
/// at most, whatever the number of rows).
pub async fn with_names(
    conn: &impl ConnectionTrait,
    rows: Vec<resources::Model>,
) -> AppResult<Vec<ResourceRow>> {
    let users =
        crate::domain::names::users(conn, rows.iter().filter_map(|r| r.uploaded_by)).await?;
    let sp_ids: Vec<i64> = rows.iter().filter_map(|r| r.school_pairing_id).collect();
    let tp_ids: Vec<i64> = rows.iter().filter_map(|r| r.teacher_pairing_id).collect();
    let sps: Vec<school_pairings::Model> = if sp_ids.is_empty() {
        Vec::new()
    } else {
        school_pairings::Entity::find()
            .filter(school_pairings::Column::Id.is_in(sp_ids))
            .all(conn)
            .await?
    };
    let tps: Vec<teacher_pairings::Model> = if tp_ids.is_empty() {
        Vec::new()
    } else {
        teacher_pairings::Entity::find()
            .filter(teacher_pairings::Column::Id.is_in(tp_ids))
            .all(conn)
            .await?
    };
    let schools = if sps.is_empty() {
        HashMap::new()
    } else {
        crate::domain::names::schools(
            conn,
            sps.iter().flat_map(|p| [p.supporter_id, p.receiver_id]),
        )
        .await?
    };
    let teachers = if tps.is_empty() {
        HashMap::new()
    } else {
        crate::domain::names::teachers(conn, tps.iter().flat_map(|p| [p.mentor_id, p.mentee_id]))
            .await?
    };
    let name = |m: &HashMap<i64, String>, id: i64| m.get(&id).cloned().unwrap_or_default();
    let sp_names: HashMap<i64, String> = sps
        .iter()
        .map(|p| {
            (
                p.id,
                format!(
                    "{} → {}",
                    name(&schools, p.supporter_id),
                    name(&schools, p.receiver_id)
                ),
            )
        })
        .collect();
    let tp_names: HashMap<i64, String> = tps
        .iter()
        .map(|p| {
            (
                p.id,
                format!(
                    "{} → {}",
                    name(&teachers, p.mentor_id),
                    name(&teachers, p.mentee_id)
                ),
            )
        })
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| ResourceRow {
            uploader: r.uploaded_by.map(|u| name(&users, u)).unwrap_or_default(),
            shared_with: match (r.school_pairing_id, r.teacher_pairing_id) {
                (Some(p), _) => name(&sp_names, p),
                (_, Some(p)) => name(&tp_names, p),
                _ => String::new(),
            },
            row: r,
        })
        .collect())
}

pub async fn list_rows(
    db: &impl Conn,
    actor: &Actor,
    filter: &ResourceFilter,
    page: PageRequest,
) -> AppResult<Paged<ResourceRow>> {
    let mut paged = list(db, actor, filter, page).await?;
    let rows = std::mem::take(&mut paged.items);
    let items = with_names(db, rows).await?;
    Ok(paged.with_items(items))
}

/// The pairings the actor may share with, for the form: active school pairings of their
/// school (every active one for the bureau) and active teacher pairings they are in (of
/// their school for an admin), each as (id, label). Four queries at most.
pub async fn targets(
    conn: &impl ConnectionTrait,
    actor: &Actor,
) -> AppResult<(Vec<(i64, String)>, Vec<(i64, String)>)> {
    let mut sp = school_pairings::Entity::find()
        .filter(scope::visible::<school_pairings::Entity>(actor))
        .filter(school_pairings::Column::Status.eq(PairingStatus::Active));
    if let Some(school) = actor.school_id.filter(|_| !actor.is_bureau()) {
        sp = sp.filter(
            Condition::any()
                .add(school_pairings::Column::SupporterId.eq(school))
                .add(school_pairings::Column::ReceiverId.eq(school)),
        );
    }
    let sps = sp
        .order_by_desc(school_pairings::Column::Id)
        .limit(200)
        .all(conn)
        .await?;
    let mut tp = teacher_pairings::Entity::find()
        .filter(scope::visible::<teacher_pairings::Entity>(actor))
        .filter(teacher_pairings::Column::Status.eq(PairingStatus::Active));
    if actor.role == Role::Teacher {
        let me = actor.teacher_id.unwrap_or(0);
        tp = tp.filter(
            Condition::any()
                .add(teacher_pairings::Column::MentorId.eq(me))
                .add(teacher_pairings::Column::MenteeId.eq(me)),
        );
    }
    let tps = tp
        .order_by_desc(teacher_pairings::Column::Id)
        .limit(200)
        .all(conn)
        .await?;
    let schools = crate::domain::names::schools(
        conn,
        sps.iter().flat_map(|p| [p.supporter_id, p.receiver_id]),
    )
    .await?;
    let teachers =
        crate::domain::names::teachers(conn, tps.iter().flat_map(|p| [p.mentor_id, p.mentee_id]))
            .await?;
    let name = |m: &HashMap<i64, String>, id: i64| m.get(&id).cloned().unwrap_or_default();
    Ok((
        sps.iter()
            .map(|p| {
                (
                    p.id,
                    format!(
                        "{} → {}",
                        name(&schools, p.supporter_id),
                        name(&schools, p.receiver_id)
                    ),
                )
            })
            .collect(),
        tps.iter()
            .map(|p| {
                (
                    p.id,
                    format!(
                        "{} → {} · {}",
                        name(&teachers, p.mentor_id),
                        name(&teachers, p.mentee_id),
                        p.subject
                    ),
                )
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_their_folders_and_control_characters() {
        assert_eq!(clean_name("../../etc/passwd.pdf"), "passwd.pdf");
        assert_eq!(clean_name("C:\\Users\\x\\教案.docx"), "教案.docx");
        assert_eq!(clean_name("..\\..\\.hidden.pdf"), "hidden.pdf");
        assert_eq!(clean_name("a\u{0}b\r\n.pdf"), "ab.pdf");
        let long = format!("{}.pptx", "课".repeat(300));
        let cleaned = clean_name(&long);
        assert_eq!(cleaned.chars().count(), MAX_FILE_NAME);
        assert!(cleaned.ends_with(".pptx"));
    }

    #[test]
    fn content_decides_and_must_agree_with_the_name() {
        let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
        assert_eq!(detect("教案.pdf", pdf).unwrap().mime, "application/pdf");
        assert_eq!(detect("A.PDF", pdf).unwrap().ext, "pdf");
        // An executable named .pdf, a PDF named .docx, a script named .txt with a NUL.
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
        assert_eq!(
            detect("课件.pdf", exe).unwrap_err().key,
            "resource-err-content"
        );
        assert_eq!(
            detect("课件.docx", pdf).unwrap_err().key,
            "resource-err-content"
        );
        assert_eq!(
            detect("x.txt", b"a\0b").unwrap_err().key,
            "resource-err-content"
        );
        assert_eq!(detect("x.txt", "题组设计".as_bytes()).unwrap().ext, "txt");
        // Not on the list at all, or no extension.
        assert_eq!(detect("run.exe", exe).unwrap_err().key, "resource-err-type");
        assert_eq!(detect("noext", pdf).unwrap_err().key, "resource-err-type");
        assert_eq!(
            detect("x.html", b"<html>").unwrap_err().key,
            "resource-err-type"
        );
        assert_eq!(detect("x.pdf", b"").unwrap_err().key, "resource-err-empty");
    }
}
