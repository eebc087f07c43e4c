//! Teachers: each school's roster, with subjects, grades, title and honours.
use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::access::scope;
use crate::domain::audit;
use crate::domain::paging::{self, PageRequest, Paged};
use crate::domain::types::{self, Gender, Title, de::loose_string};
use crate::entities::{schools, teacher_name_grams, teachers};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

/// A teacher as typed or sent as JSON; lists may be one text separated by commas or 、.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TeacherForm {
    #[serde(deserialize_with = "loose_string")]
    pub school_id: String,
    #[serde(deserialize_with = "loose_string")]
    pub name: String,
    #[serde(deserialize_with = "loose_string")]
    pub gender: String,
    #[serde(deserialize_with = "loose_string")]
    pub staff_no: String,
    #[serde(deserialize_with = "loose_string")]
    #[schema(value_type = Vec<String>)]
    pub subjects: String,
    #[serde(deserialize_with = "loose_string")]
    #[schema(value_type = Vec<String>)]
    pub grades: String,
    #[serde(deserialize_with = "loose_string")]
    pub title: String,
    #[serde(deserialize_with = "loose_string")]
    pub years_teaching: String,
    #[serde(deserialize_with = "loose_string")]
    #[schema(value_type = Vec<String>)]
    pub honours: String,
    #[serde(deserialize_with = "loose_string")]
    pub phone: String,
    #[serde(deserialize_with = "loose_string")]
    pub email: String,
}

impl TeacherForm {
    pub fn from_model(t: &teachers::Model) -> Self {
        TeacherForm {
            school_id: t.school_id.to_string(),
            name: t.name.clone(),
            gender: t.gender.clone(),
            staff_no: t.staff_no.clone(),
            subjects: types::parse_json_list(&t.subjects).join("、"),
            grades: types::parse_json_list(&t.grades).join("、"),
            title: t.title.clone(),
            years_teaching: t.years_teaching.to_string(),
            honours: types::parse_json_list(&t.honours).join("、"),
            phone: t.phone.clone(),
            email: t.email.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewTeacher {
    pub school_id: i64,
    pub name: String,
    pub gender: Gender,
    pub staff_no: String,
    pub subjects: Vec<String>,
    pub grades: Vec<String>,
    pub title: Title,
    pub years_teaching: i32,
    pub honours: Vec<String>,
    pub phone: String,
    pub email: String,
}

/// Checks every field except that the school exists (the caller knows how to look it up).
pub fn parse_form(f: &TeacherForm, school_id: Option<i64>) -> Result<NewTeacher, FieldErrors> {
    let mut e = FieldErrors::new();
    let school_id = school_id.or_else(|| f.school_id.trim().parse::<i64>().ok());
    if school_id.is_none() {
        e.add("school_id", Msg::new("err-choose"));
    }
    let name = types::required_text(&f.name, 50)
        .map_err(|m| e.add("name", m))
        .ok();
    let gender = Gender::parse_any(&f.gender);
    if gender.is_none() {
        e.add("gender", Msg::new("err-choose"));
    }
    let staff_no = types::required_text(&f.staff_no, 30)
        .map_err(|m| e.add("staff_no", m))
        .ok();
    let subjects = types::text_list(&f.subjects, 5, 20)
        .map_err(|m| e.add("subjects", m))
        .ok();
    if subjects.as_ref().is_some_and(|s| s.is_empty()) {
        e.add("subjects", Msg::new("err-required"));
    }
    let grades = types::text_list(&f.grades, 12, 20)
        .map_err(|m| e.add("grades", m))
        .ok();
    let title = Title::parse_any(&f.title);
    if title.is_none() {
        e.add("title", Msg::new("err-choose"));
    }
    let years = types::number_in(&f.years_teaching, 0, 60, Some(0))
        .map_err(|m| e.add("years_teaching", m))
        .ok();
    let honours = types::text_list(&f.honours, 10, 30)
        .map_err(|m| e.add("honours", m))
        .ok();
    let phone = types::phone(&f.phone).map_err(|m| e.add("phone", m)).ok();
    let email = types::optional_email(&f.email)
        .map_err(|m| e.add("email", m))
        .ok();
    if !e.is_empty() {
        return Err(e);
    }
    Ok(NewTeacher {
        school_id: school_id.unwrap_or_default(),
        name: name.unwrap_or_default(),
        gender: gender.unwrap_or(Gender::Female),
        staff_no: staff_no.unwrap_or_default(),
        subjects: subjects.unwrap_or_default(),
        grades: grades.unwrap_or_default(),
        title: title.unwrap_or(Title::Unrated),
        years_teaching: years.unwrap_or(0) as i32,
        honours: honours.unwrap_or_default(),
        phone: phone.unwrap_or_default(),
        email: email.unwrap_or_default(),
    })
}

/// What the JSON API and lists show of a teacher (lists decoded, contacts hidden where
/// the viewer may not see them).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TeacherView {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub name: String,
    pub gender: String,
    pub staff_no: String,
    pub subjects: Vec<String>,
    pub grades: Vec<String>,
    pub title: String,
    pub years_teaching: i32,
    pub honours: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub is_active: bool,
}

impl TeacherView {
    pub fn new(t: &teachers::Model, school_name: &str, actor: &Actor) -> Self {
        let contacts = policy::allows(
            actor.role,
            Subject::TeacherContact,
            Act::Read,
            policy::to_teacher(actor, t.school_id, t.id),
        );
        TeacherView {
            id: t.id,
            school_id: t.school_id,
            school_name: school_name.to_string(),
            name: t.name.clone(),
            gender: t.gender.clone(),
            staff_no: t.staff_no.clone(),
            subjects: types::parse_json_list(&t.subjects),
            grades: types::parse_json_list(&t.grades),
            title: t.title.clone(),
            years_teaching: t.years_teaching,
            honours: types::parse_json_list(&t.honours),
            phone: contacts.then(|| t.phone.clone()),
            email: contacts.then(|| t.email.clone()),
            is_active: t.is_active,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TeacherFilter {
    pub q: String,
    pub school_id: Option<i64>,
    pub district: String,
    pub subject: String,
    pub title: Option<Title>,
    pub include_inactive: bool,
    pub sort: TeacherSort,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TeacherSort {
    #[default]
    Name,
    StaffNo,
    Years,
}

impl TeacherSort {
    pub fn parse(s: &str) -> TeacherSort {
        match s {
            "staff_no" => TeacherSort::StaffNo,
            "years_teaching" => TeacherSort::Years,
            _ => TeacherSort::Name,
        }
    }
}

fn filtered(filter: &TeacherFilter) -> sea_orm::Select<teachers::Entity> {
    let mut q = teachers::Entity::find();
    let text = filter.q.trim();
    let order = if filter.descending {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    let by_name_index = is_name_only(text);
    if by_name_index {
        let in_name_order = (filter.sort == TeacherSort::Name).then(|| order.clone());
        q = name_contains(q, text, in_name_order);
    } else if !text.is_empty() {
        q = q.filter(
            Condition::any()
                .add(teachers::Column::Name.like(types::contains(text)))
                .add(teachers::Column::StaffNo.like(types::contains(text))),
        );
    }
    if let Some(school) = filter.school_id {
        q = q.filter(teachers::Column::SchoolId.eq(school));
    }
    if !filter.district.trim().is_empty() {
        q = q.filter(
            teachers::Column::SchoolId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(schools::Column::Id)
                    .from(schools::Entity)
                    .and_where(schools::Column::District.eq(filter.district.trim()))
                    .to_owned(),
            ),
        );
    }
    if !filter.subject.trim().is_empty() {
        // Subjects are stored as a JSON array of strings: match one whole element.
        let element = serde_json::to_string(filter.subject.trim()).unwrap_or_default();
        q = q.filter(teachers::Column::Subjects.like(types::contains(&element)));
    }
    if let Some(title) = filter.title {
        q = q.filter(teachers::Column::Title.eq(title.as_str()));
    }
    if !filter.include_inactive {
        q = q.filter(teachers::Column::IsActive.eq(true));
    }
    let column = match filter.sort {
        TeacherSort::Name if by_name_index => return q,
        TeacherSort::Name => teachers::Column::NameKey,
        TeacherSort::StaffNo => teachers::Column::StaffNo,
        TeacherSort::Years => teachers::Column::YearsTeaching,
    };
    q.order_by(column, order).order_by_asc(teachers::Column::Id)
}

/// Names of the schools of these teachers, in one query.
pub async fn school_names(
    db: &impl ConnectionTrait,
    rows: &[teachers::Model],
) -> AppResult<HashMap<i64, String>> {
    crate::domain::names::schools(db, rows.iter().map(|t| t.school_id)).await
}

pub async fn list(
    db: &impl Conn,
    actor: &Actor,
    filter: &TeacherFilter,
    page: PageRequest,
) -> AppResult<Paged<TeacherView>> {
    policy::require_some(actor, Subject::Teacher, Act::List)?;
    let paged = paging::fetch(db, filtered(filter).filter(visible(actor)), page).await?;
    let names = school_names(db, &paged.items).await?;
    Ok(paged.map(|t| {
        let school = names.get(&t.school_id).map(String::as_str).unwrap_or("");
        TeacherView::new(&t, school, actor)
    }))
}

pub async fn list_all(
    db: &impl Conn,
    actor: &Actor,
    filter: &TeacherFilter,
) -> AppResult<Vec<TeacherView>> {
    policy::require_some(actor, Subject::Teacher, Act::List)?;
    let rows = filtered(filter).filter(visible(actor)).all(db).await?;
    let names = school_names(db, &rows).await?;
    Ok(rows
        .iter()
        .map(|t| {
            TeacherView::new(
                t,
                names.get(&t.school_id).map(String::as_str).unwrap_or(""),
                actor,
            )
        })
        .collect())
}

/// The teachers an actor may read, as one condition: the bureau all of them; a school
/// admin their own school's and, of other schools, those paired with a teacher of theirs
/// (a published teacher pairing) or seconded to or from their school; a teacher their own
/// record (`access::scope`). Contact fields are a further rule (`Subject::TeacherContact`).
pub fn visible(actor: &Actor) -> Condition {
    scope::visible::<teachers::Entity>(actor)
}

/// A teacher the actor may read; one they may not answers exactly like one that does not
/// exist (404).
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: i64) -> AppResult<teachers::Model> {
    teachers::Entity::find_by_id(id)
        .filter(visible(actor))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn get_view(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<TeacherView> {
    let t = get(db, actor, id).await?;
    let names = school_names(db, std::slice::from_ref(&t)).await?;
    Ok(TeacherView::new(
        &t,
        names.get(&t.school_id).map(String::as_str).unwrap_or(""),
        actor,
    ))
}

pub async fn find_by_staff_no(
    conn: &impl ConnectionTrait,
    school_id: i64,
    staff_no: &str,
) -> AppResult<Option<teachers::Model>> {
    Ok(teachers::Entity::find()
        .filter(teachers::Column::SchoolId.eq(school_id))
        .filter(teachers::Column::StaffNo.eq(staff_no.trim()))
        .one(conn)
        .await?)
}

fn apply(active: &mut teachers::ActiveModel, new: &NewTeacher) {
    active.school_id = Set(new.school_id);
    active.name = Set(new.name.clone());
    active.name_key = Set(migrations::name_key(&new.name));
    active.gender = Set(new.gender.as_str().to_string());
    active.staff_no = Set(new.staff_no.clone());
    active.subjects = Set(types::json_list(&new.subjects));
    active.grades = Set(types::json_list(&new.grades));
    active.title = Set(new.title.as_str().to_string());
    active.years_teaching = Set(new.years_teaching);
    active.honours = Set(types::json_list(&new.honours));
    active.phone = Set(new.phone.clone());
    active.email = Set(new.email.clone());
    active.updated_at = Set(Utc::now());
}

/// Writes the pieces of the teacher's name the search looks up (`teacher_name_grams`),
/// replacing the old name's when `renamed`.
async fn index_name(
    conn: &impl ConnectionTrait,
    teacher: &teachers::Model,
    renamed: bool,
) -> AppResult<()> {
    if renamed {
        teacher_name_grams::Entity::delete_many()
            .filter(teacher_name_grams::Column::TeacherId.eq(teacher.id))
            .exec(conn)
            .await?;
    }
    let rows: Vec<teacher_name_grams::ActiveModel> = migrations::name_grams(&teacher.name)
        .into_iter()
        .map(|gram| teacher_name_grams::ActiveModel {
            gram: Set(gram),
            name_key: Set(teacher.name_key.clone()),
            teacher_id: Set(teacher.id),
        })
        .collect();
    if !rows.is_empty() {
        teacher_name_grams::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Narrows a teacher query to names containing `text`, through the name index: the rows
/// whose name has the text's first one or two characters as a piece, then (for a longer
/// text) the name itself checked. With `in_name_order`, ordered by that index (pinyin,
/// then id), so a page is one index range.
fn name_contains(
    q: sea_orm::Select<teachers::Entity>,
    text: &str,
    order: Option<sea_orm::Order>,
) -> sea_orm::Select<teachers::Entity> {
    let Some(gram) = migrations::search_gram(text) else {
        return q;
    };
    let mut q = q
        .join_rev(
            sea_orm::JoinType::InnerJoin,
            sea_orm::RelationTrait::def(&teacher_name_grams::Relation::Teacher),
        )
        .filter(teacher_name_grams::Column::Gram.eq(gram));
    if text.chars().filter(|c| !c.is_whitespace()).count() > 2 {
        q = q.filter(teachers::Column::Name.like(types::contains(text)));
    }
    if let Some(order) = order {
        q = q
            .order_by(teacher_name_grams::Column::NameKey, order.clone())
            .order_by(teacher_name_grams::Column::TeacherId, order);
    }
    q
}

/// Staff numbers are letters and digits: a text with a character beyond ASCII (a Chinese
/// name) is looked up by name only, through the name index.
fn is_name_only(text: &str) -> bool {
    !text.is_ascii()
}

fn staff_conflict(e: sea_orm::DbErr) -> AppError {
    if db::is_unique_violation(&e) {
        AppError::conflict("staff_no", "err-staff-no-taken")
    } else {
        e.into()
    }
}

/// Inserts a checked teacher inside the caller's transaction (forms and imports).
pub async fn insert(
    conn: &impl ConnectionTrait,
    actor: Option<&Actor>,
    new: &NewTeacher,
) -> AppResult<teachers::Model> {
    let mut active = teachers::ActiveModel {
        is_active: Set(true),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    apply(&mut active, new);
    let teacher = active.insert(conn).await.map_err(staff_conflict)?;
    index_name(conn, &teacher, false).await?;
    audit::record::<(), _>(
        conn,
        actor,
        "create",
        "teacher",
        Some(teacher.id),
        None,
        Some(&teacher),
    )
    .await?;
    Ok(teacher)
}

async fn check_school(conn: &impl ConnectionTrait, school_id: i64) -> AppResult<()> {
    match schools::Entity::find_by_id(school_id).one(conn).await? {
        Some(s) if s.is_active => Ok(()),
        _ => Err(AppError::invalid(
            "school_id",
            Msg::new("err-unknown-school"),
        )),
    }
}

/// Adds a teacher. A school admin adds only to their own school.
pub async fn create(
    db: &impl Conn,
    actor: &Actor,
    form: &TeacherForm,
) -> AppResult<teachers::Model> {
    policy::require_some(actor, Subject::Teacher, Act::Manage)?;
    let new = parse_form(form, None).map_err(AppError::Invalid)?;
    policy::require(
        actor,
        Subject::Teacher,
        Act::Manage,
        policy::to_school(actor, new.school_id),
    )?;
    let txn = db::begin_write(db).await?;
    check_school(&txn, new.school_id).await?;
    if find_by_staff_no(&txn, new.school_id, &new.staff_no)
        .await?
        .is_some()
    {
        return Err(AppError::conflict("staff_no", "err-staff-no-taken"));
    }
    let teacher = insert(&txn, Some(actor), &new).await?;
    txn.commit().await?;
    Ok(teacher)
}

/// Edits a teacher: staff edit everything (a school admin only their school's teachers and
/// not moving them elsewhere); a teacher edits their own phone and e-mail.
pub async fn update(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &TeacherForm,
) -> AppResult<teachers::Model> {
    let txn = db::begin_write(db).await?;
    // A teacher the actor may not see answers like a missing one (404).
    let before = get(&txn, actor, id).await?;
    let new = if actor.is_teacher_self(id) {
        let mut e = FieldErrors::new();
        let phone = types::phone(&form.phone)
            .map_err(|m| e.add("phone", m))
            .ok();
        let email = types::optional_email(&form.email)
            .map_err(|m| e.add("email", m))
            .ok();
        e.into_result()?;
        let mut new =
            parse_form(&TeacherForm::from_model(&before), None).map_err(AppError::Invalid)?;
        new.phone = phone.unwrap_or_default();
        new.email = email.unwrap_or_default();
        new
    } else {
        policy::require(
            actor,
            Subject::Teacher,
            Act::Write,
            policy::to_school(actor, before.school_id),
        )?;
        let new = parse_form(form, None).map_err(AppError::Invalid)?;
        if new.school_id != before.school_id {
            policy::require(
                actor,
                Subject::Teacher,
                Act::Write,
                policy::to_school(actor, new.school_id),
            )?;
            check_school(&txn, new.school_id).await?;
        }
        new
    };
    if let Some(other) = find_by_staff_no(&txn, new.school_id, &new.staff_no).await?
        && other.id != id
    {
        return Err(AppError::conflict("staff_no", "err-staff-no-taken"));
    }
    let mut active = before.clone().into_active_model();
    apply(&mut active, &new);
    let teacher = active.update(&txn).await.map_err(staff_conflict)?;
    if teacher.name != before.name {
        index_name(&txn, &teacher, true).await?;
    }
    if teacher.school_id != before.school_id {
        // The teacher's account follows the record to the new school (what its user may see
        // and do depends on it).
        crate::entities::users::Entity::update_many()
            .col_expr(
                crate::entities::users::Column::SchoolId,
                sea_orm::sea_query::Expr::value(teacher.school_id),
            )
            .filter(crate::entities::users::Column::TeacherId.eq(id))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        Some(actor),
        "update",
        "teacher",
        Some(id),
        Some(&before),
        Some(&teacher),
    )
    .await?;
    txn.commit().await?;
    Ok(teacher)
}

pub async fn set_active(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    is_active: bool,
) -> AppResult<teachers::Model> {
    policy::require_some(actor, Subject::Teacher, Act::Manage)?;
    let txn = db::begin_write(db).await?;
    let before = get(&txn, actor, id).await?;
    policy::require(
        actor,
        Subject::Teacher,
        Act::Manage,
        policy::to_school(actor, before.school_id),
    )?;
    let mut active = before.clone().into_active_model();
    active.is_active = Set(is_active);
    active.updated_at = Set(Utc::now());
    let teacher = active.update(&txn).await?;
    if !is_active {
        // A teacher who left the roster no longer signs in.
        crate::domain::users::deactivate_bound(&txn, actor, id).await?;
    }
    let action = if is_active {
        "reactivate"
    } else {
        "deactivate"
    };
    audit::record(
        &txn,
        Some(actor),
        action,
        "teacher",
        Some(id),
        Some(&before),
        Some(&teacher),
    )
    .await?;
    txn.commit().await?;
    Ok(teacher)
}

/// Teachers of a school, for its detail page.
pub async fn of_school(
    db: &impl Conn,
    actor: &Actor,
    school_id: i64,
) -> AppResult<Vec<TeacherView>> {
    let filter = TeacherFilter {
        school_id: Some(school_id),
        ..Default::default()
    };
    let rows = filtered(&filter)
        .filter(visible(actor))
        .limit(500)
        .all(db)
        .await?;
    let names = school_names(db, &rows).await?;
    Ok(rows
        .iter()
        .map(|t| {
            TeacherView::new(
                t,
                names.get(&t.school_id).map(String::as_str).unwrap_or(""),
                actor,
            )
        })
        .collect())
}

/// A teacher found by name or staff number, for choosing one on a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub id: i64,
    pub name: String,
    pub school: String,
    pub staff_no: String,
    pub subjects: Vec<String>,
}

/// How many teachers a name search offers at most.
pub const SEARCH_LIMIT: u64 = 20;

/// The active teachers the actor may see whose name contains `text` or whose staff number
/// is `text`, in pinyin order: one query for the teachers, one for their schools.
pub async fn search(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    text: &str,
) -> AppResult<Vec<Found>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let q = teachers::Entity::find()
        .filter(scope::visible::<teachers::Entity>(actor))
        .filter(teachers::Column::IsActive.eq(true));
    let q = if is_name_only(text) {
        name_contains(q, text, Some(sea_orm::Order::Asc))
    } else {
        q.filter(
            Condition::any()
                .add(teachers::Column::Name.like(types::contains(text)))
                .add(teachers::Column::StaffNo.eq(text)),
        )
        .order_by_asc(teachers::Column::NameKey)
        .order_by_asc(teachers::Column::Id)
    };
    let rows = q.limit(SEARCH_LIMIT).all(conn).await?;
    let schools = crate::domain::names::schools(conn, rows.iter().map(|t| t.school_id)).await?;
    Ok(rows
        .into_iter()
        .map(|t| Found {
            id: t.id,
            school: schools.get(&t.school_id).cloned().unwrap_or_default(),
            subjects: types::parse_json_list(&t.subjects),
            name: t.name,
            staff_no: t.staff_no,
        })
        .collect())
}
