//! Accounts: first-run setup, sign-in, passwords, reset links, API tokens, and the
//! bureau's user management.
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::context::Context;
use crate::domain::throttle::{SignInThrottle, Verdict};
use crate::domain::types::{self, Role};
use crate::domain::{audit, notifications, sessions, tokens};
use crate::entities::{api_tokens, password_resets, reset_requests, teachers, users};
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::i18n::Lang;
use crate::mail;

/// Hours a reset link stays valid; an invitation for a new account lasts longer.
pub const RESET_HOURS: i64 = 2;
pub const INVITE_HOURS: i64 = 72;

pub fn hash_password_blocking(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Unexpected(format!("password hashing failed: {e}")))
}

pub fn verify_password_blocking(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// At most this many password hashes are computed at once (each takes ~19 MiB and a core),
/// off the async worker threads, so sign-in floods cannot stall other requests.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| tokio::sync::Semaphore::new(2))
}

pub async fn hash_password(password: &str) -> AppResult<String> {
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|e| AppError::Unexpected(e.to_string()))?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|e| AppError::Unexpected(format!("hashing task: {e}")))?
}

pub async fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(_slot) = hashing_slots().acquire().await else {
        return false;
    };
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || verify_password_blocking(&password, &hash))
        .await
        .unwrap_or(false)
}

/// A valid hash of a password nobody has, verified against when an e-mail is unknown so
/// that a failed sign-in takes the same time either way.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password_blocking("no-such-user-password").unwrap_or_default())
}

pub fn actor_of(user: &users::Model) -> Actor {
    Actor {
        user_id: user.id,
        name: user.name.clone(),
        role: Role::parse(&user.role).unwrap_or(Role::Teacher),
        school_id: user.school_id,
        teacher_id: user.teacher_id,
    }
}

/// What is shown about a user (never the hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub school_id: Option<i64>,
    pub teacher_id: Option<i64>,
    pub is_active: bool,
    pub locale: Option<String>,
    pub last_login_at: Option<chrono::DateTime<Utc>>,
    pub created_at: chrono::DateTime<Utc>,
}

impl From<&users::Model> for UserView {
    fn from(u: &users::Model) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.clone(),
            school_id: u.school_id,
            teacher_id: u.teacher_id,
            is_active: u.is_active,
            locale: u.locale.clone(),
            last_login_at: u.last_login_at,
            created_at: u.created_at,
        }
    }
}

pub async fn count(db: &impl ConnectionTrait) -> AppResult<u64> {
    Ok(users::Entity::find().count(db).await?)
}

/// No account yet: the first visit sets up the bureau's administrator. One row is looked
/// for, not all of them counted (the login page asks on every visit).
pub async fn setup_needed(db: &impl ConnectionTrait) -> AppResult<bool> {
    Ok(users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_none())
}

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> AppResult<Option<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?)
}

pub async fn get(db: &impl ConnectionTrait, id: i64) -> AppResult<users::Model> {
    users::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The raw form of a new or edited account (from a page or JSON); all text, so a failed
/// form gives back exactly what was typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UserForm {
    #[serde(deserialize_with = "crate::domain::types::de::loose_string")]
    pub email: String,
    #[serde(deserialize_with = "crate::domain::types::de::loose_string")]
    pub name: String,
    #[serde(deserialize_with = "crate::domain::types::de::loose_string")]
    pub role: String,
    #[serde(deserialize_with = "crate::domain::types::de::loose_string")]
    pub school_id: String,
    #[serde(deserialize_with = "crate::domain::types::de::loose_string")]
    pub teacher_id: String,
    /// Empty: the new user gets a mail with a link to choose a password.
    #[serde(deserialize_with = "crate::domain::types::de::loose_string")]
    pub password: String,
}

struct NewUser {
    email: String,
    name: String,
    role: Role,
    school_id: Option<i64>,
    teacher_id: Option<i64>,
    password: Option<String>,
}

async fn parse_user_form(db: &impl ConnectionTrait, form: &UserForm) -> AppResult<NewUser> {
    let mut errors = FieldErrors::new();
    let email = types::email(&form.email)
        .map_err(|m| errors.add("email", m))
        .ok();
    let name = types::required_text(&form.name, 50)
        .map_err(|m| errors.add("name", m))
        .ok();
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.add("role", Msg::new("err-choose"));
    }
    let password = if form.password.is_empty() {
        None
    } else {
        types::password(&form.password)
            .map_err(|m| errors.add("password", m))
            .ok()
    };
    let parse_id = |s: &str| -> Option<i64> { s.trim().parse::<i64>().ok() };
    let mut school_id = parse_id(&form.school_id);
    let mut teacher_id = parse_id(&form.teacher_id);
    match role {
        Some(Role::SchoolAdmin) => {
            teacher_id = None;
            match school_id {
                None => errors.add("school_id", Msg::new("err-choose")),
                Some(id) => {
                    if crate::entities::schools::Entity::find_by_id(id)
                        .one(db)
                        .await?
                        .is_none()
                    {
                        errors.add("school_id", Msg::new("err-unknown-school"));
                    }
                }
            }
        }
        Some(Role::Teacher) => match teacher_id {
            None => errors.add("teacher_id", Msg::new("err-choose")),
            Some(id) => match teachers::Entity::find_by_id(id).one(db).await? {
                None => errors.add("teacher_id", Msg::new("err-unknown-teacher")),
                Some(t) => school_id = Some(t.school_id),
            },
        },
        Some(Role::BureauAdmin) => {
            school_id = None;
            teacher_id = None;
        }
        None => {}
    }
    errors.into_result()?;
    Ok(NewUser {
        email: email.unwrap_or_default(),
        name: name.unwrap_or_default(),
        role: role.unwrap_or(Role::Teacher),
        school_id,
        teacher_id,
        password,
    })
}

/// A violated unique index of `users`, as an error on the field it guards.
fn user_conflict(e: sea_orm::DbErr) -> AppError {
    if !db::is_unique_violation(&e) {
        return e.into();
    }
    if e.to_string().contains("teacher") {
        AppError::conflict("teacher_id", "err-teacher-has-account")
    } else {
        AppError::conflict("email", "err-email-taken")
    }
}

async fn ensure_teacher_unbound(
    db: &impl ConnectionTrait,
    teacher_id: Option<i64>,
    except_user: Option<i64>,
) -> AppResult<()> {
    if let Some(tid) = teacher_id {
        let mut q = users::Entity::find().filter(users::Column::TeacherId.eq(tid));
        if let Some(uid) = except_user {
            q = q.filter(users::Column::Id.ne(uid));
        }
        if q.one(db).await?.is_some() {
            return Err(AppError::conflict("teacher_id", "err-teacher-has-account"));
        }
    }
    Ok(())
}

/// First-run setup: creates the first bureau admin, only while there is no user at all.
pub async fn create_first_admin(
    db: &impl Conn,
    email: &str,
    name: &str,
    password: &str,
) -> AppResult<users::Model> {
    let mut errors = FieldErrors::new();
    let email = types::email(email).map_err(|m| errors.add("email", m)).ok();
    let name = types::required_text(name, 50)
        .map_err(|m| errors.add("name", m))
        .ok();
    let password = types::password(password)
        .map_err(|m| errors.add("password", m))
        .ok();
    errors.into_result()?;
    let hash = hash_password(&password.unwrap_or_default()).await?;
    let txn = db::begin_write(db).await?;
    // Two first-run submits at once: the second waits here, then finds the first's user.
    db::lock_key(&txn, db::LOCK_FIRST_ADMIN).await?;
    if count(&txn).await? > 0 {
        return Err(AppError::Forbidden);
    }
    let user = insert_user(
        &txn,
        &email.unwrap_or_default(),
        &name.unwrap_or_default(),
        Role::BureauAdmin,
        None,
        None,
        hash,
    )
    .await?;
    audit::record::<(), _>(
        &txn,
        None,
        "setup",
        "user",
        Some(user.id),
        None,
        Some(&UserView::from(&user)),
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

async fn insert_user(
    conn: &impl ConnectionTrait,
    email: &str,
    name: &str,
    role: Role,
    school_id: Option<i64>,
    teacher_id: Option<i64>,
    password_hash: String,
) -> AppResult<users::Model> {
    let now = Utc::now();
    users::ActiveModel {
        email: Set(email.to_string()),
        name: Set(name.to_string()),
        name_key: Set(migrations::name_key(name)),
        role: Set(role.as_str().to_string()),
        school_id: Set(school_id),
        teacher_id: Set(teacher_id),
        password_hash: Set(password_hash),
        is_active: Set(true),
        locale: Set(None),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(user_conflict)
}

/// The command-line `create-admin`: a bureau admin with the given password.
pub async fn create_admin_cli(
    db: &impl Conn,
    email: &str,
    name: &str,
    password: &str,
) -> AppResult<users::Model> {
    let mut errors = FieldErrors::new();
    let email = types::email(email).map_err(|m| errors.add("email", m)).ok();
    let name = types::required_text(name, 50)
        .map_err(|m| errors.add("name", m))
        .ok();
    let password = types::password(password)
        .map_err(|m| errors.add("password", m))
        .ok();
    errors.into_result()?;
    let email = email.unwrap_or_default();
    if find_by_email(db, &email).await?.is_some() {
        return Err(AppError::conflict("email", "err-email-taken"));
    }
    let hash = hash_password(&password.unwrap_or_default()).await?;
    let txn = db::begin_write(db).await?;
    let user = insert_user(
        &txn,
        &email,
        &name.unwrap_or_default(),
        Role::BureauAdmin,
        None,
        None,
        hash,
    )
    .await?;
    audit::record::<(), _>(
        &txn,
        None,
        "create-admin",
        "user",
        Some(user.id),
        None,
        Some(&UserView::from(&user)),
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

/// Bureau: creates an account. Without a password the user is mailed a link to choose one.
pub async fn create(
    db: &impl Conn,
    actor: &Actor,
    form: &UserForm,
    ctx: &Context,
) -> AppResult<users::Model> {
    policy::require_some(actor, Subject::User, Act::Manage)?;
    let new = parse_user_form(db, form).await?;
    if find_by_email(db, &new.email).await?.is_some() {
        return Err(AppError::conflict("email", "err-email-taken"));
    }
    ensure_teacher_unbound(db, new.teacher_id, None).await?;
    let hash = match &new.password {
        Some(p) => hash_password(p).await?,
        // Nobody knows this password; the invitation link sets a real one.
        None => hash_password(&tokens::random_base64(24)).await?,
    };
    let txn = db::begin_write(db).await?;
    // Checked again inside the transaction; the unique index is the last word.
    ensure_teacher_unbound(&txn, new.teacher_id, None).await?;
    let user = insert_user(
        &txn,
        &new.email,
        &new.name,
        new.role,
        new.school_id,
        new.teacher_id,
        hash,
    )
    .await?;
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "create",
        "user",
        Some(user.id),
        None,
        Some(&UserView::from(&user)),
    )
    .await?;
    if new.password.is_none() {
        issue_reset(&txn, &user, ctx, true).await?;
    }
    txn.commit().await?;
    Ok(user)
}

/// Bureau: changes name, e-mail, role and binding of an account.
pub async fn update(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    form: &UserForm,
) -> AppResult<users::Model> {
    policy::require_some(actor, Subject::User, Act::Write)?;
    // An unknown account is "not found" whatever the form says.
    get(db, id).await?;
    let new = parse_user_form(db, form).await?;
    if id == actor.user_id && new.role != Role::BureauAdmin {
        return Err(AppError::conflict("role", "err-own-role"));
    }
    let new_hash = match &new.password {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    // Everything below reads and writes in one write transaction.
    let txn = db::begin_write(db).await?;
    let before = get(&txn, id).await?;
    if let Some(other) = find_by_email(&txn, &new.email).await?
        && other.id != id
    {
        return Err(AppError::conflict("email", "err-email-taken"));
    }
    ensure_teacher_unbound(&txn, new.teacher_id, Some(id)).await?;
    let rebound = before.role != new.role.as_str()
        || before.school_id != new.school_id
        || before.teacher_id != new.teacher_id;
    let mut active = before.clone().into_active_model();
    active.email = Set(new.email);
    active.name_key = Set(migrations::name_key(&new.name));
    active.name = Set(new.name);
    active.role = Set(new.role.as_str().to_string());
    active.school_id = Set(new.school_id);
    active.teacher_id = Set(new.teacher_id);
    let password_set = new_hash.is_some();
    if let Some(hash) = new_hash {
        active.password_hash = Set(hash);
    }
    active.updated_at = Set(Utc::now());
    let user = active.update(&txn).await.map_err(user_conflict)?;
    if password_set {
        // A password set by the bureau ends the user's sessions and any reset link still open.
        sessions::end_all(&txn, id, None).await?;
        invalidate_credentials(&txn, id, false).await?;
    }
    if rebound {
        // A changed role or binding ends the user's sessions, so old rights do not linger.
        sessions::end_all(&txn, id, None).await?;
    }
    audit::record(
        &txn,
        Some(actor),
        "update",
        "user",
        Some(id),
        Some(&UserView::from(&before)),
        Some(&UserView::from(&user)),
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

/// Bureau: deactivates (ending all sessions and tokens) or reactivates an account.
pub async fn set_active(
    db: &impl Conn,
    actor: &Actor,
    id: i64,
    active_flag: bool,
) -> AppResult<users::Model> {
    policy::require_some(actor, Subject::User, Act::Manage)?;
    if id == actor.user_id && !active_flag {
        return Err(AppError::conflict("is_active", "err-own-deactivate"));
    }
    let txn = db::begin_write(db).await?;
    let before = get(&txn, id).await?;
    let mut active = before.clone().into_active_model();
    active.is_active = Set(active_flag);
    active.updated_at = Set(Utc::now());
    let user = active.update(&txn).await?;
    if !active_flag {
        sessions::end_all(&txn, user.id, None).await?;
        invalidate_credentials(&txn, user.id, true).await?;
    }
    let action = if active_flag {
        "reactivate"
    } else {
        "deactivate"
    };
    audit::record(
        &txn,
        Some(actor),
        action,
        "user",
        Some(id),
        Some(&UserView::from(&before)),
        Some(&UserView::from(&user)),
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: String,
    pub role: Option<Role>,
    pub school_id: Option<i64>,
}

pub async fn list(
    db: &impl Conn,
    actor: &Actor,
    filter: &UserFilter,
    page: crate::domain::paging::PageRequest,
) -> AppResult<crate::domain::paging::Paged<users::Model>> {
    policy::require_some(actor, Subject::User, Act::List)?;
    let mut q = users::Entity::find();
    if !filter.q.trim().is_empty() {
        let text = filter.q.trim();
        q = q.filter(
            sea_orm::Condition::any()
                .add(users::Column::Name.like(types::contains(text)))
                .add(users::Column::Email.like(types::contains(&text.to_lowercase()))),
        );
    }
    if let Some(role) = filter.role {
        q = q.filter(users::Column::Role.eq(role.as_str()));
    }
    if let Some(school) = filter.school_id {
        q = q.filter(users::Column::SchoolId.eq(school));
    }
    crate::domain::paging::fetch(
        db,
        q.order_by_asc(users::Column::NameKey)
            .order_by_asc(users::Column::Id),
        page,
    )
    .await
}

/// Checks e-mail and password. Unknown e-mail, wrong password and inactive account all
/// give the same answer.
pub async fn authenticate(db: &impl Conn, email: &str, password: &str) -> AppResult<users::Model> {
    let user = find_by_email(db, email).await?;
    let Some(user) = user else {
        let _ = verify_password(password, dummy_hash()).await;
        return Err(AppError::Unauthorized);
    };
    if !verify_password(password, &user.password_hash).await || !user.is_active {
        return Err(AppError::Unauthorized);
    }
    // One column is written, and the row read above is returned with it: no `RETURNING`,
    // whose values SQLite gave back with `name_key` missing under concurrent load.
    let now = Utc::now();
    users::Entity::update_many()
        .col_expr(
            users::Column::LastLoginAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(users::Column::Id.eq(user.id))
        .exec(db)
        .await?;
    Ok(users::Model {
        last_login_at: Some(now),
        ..user
    })
}

/// Signs in through the throttle (`domain::throttle`): refused with `TooManyRequests` while
/// the account or address must wait, before the password is even checked; a failure is
/// counted, a success clears this address's failures on the account.
pub async fn sign_in(
    db: &impl Conn,
    throttle: &SignInThrottle,
    email: &str,
    password: &str,
    address: &str,
) -> AppResult<users::Model> {
    let now = Utc::now();
    if let Verdict::Wait(_) = throttle.check(db, email, address, now).await? {
        return Err(AppError::TooManyRequests);
    }
    match authenticate(db, email, password).await {
        Ok(user) => {
            throttle.succeeded(db, email, address).await?;
            Ok(user)
        }
        Err(AppError::Unauthorized) => {
            throttle.failed(db, email, address, now).await?;
            Err(AppError::Unauthorized)
        }
        Err(e) => Err(e),
    }
}

/// Ends what a leaked credential could still open: unused reset links, and with
/// `revoke_tokens` the personal API tokens too.
async fn invalidate_credentials(
    conn: &impl ConnectionTrait,
    user_id: i64,
    revoke_tokens: bool,
) -> AppResult<()> {
    let now = Utc::now();
    password_resets::Entity::update_many()
        .col_expr(
            password_resets::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(password_resets::Column::UserId.eq(user_id))
        .filter(password_resets::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if revoke_tokens {
        api_tokens::Entity::update_many()
            .col_expr(
                api_tokens::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(api_tokens::Column::UserId.eq(user_id))
            .filter(api_tokens::Column::RevokedAt.is_null())
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Writes a reset token and queues its mail, inside the caller's transaction.
async fn issue_reset(
    conn: &impl ConnectionTrait,
    user: &users::Model,
    ctx: &Context,
    welcome: bool,
) -> AppResult<()> {
    let token = tokens::random_base64(32);
    let hours = if welcome { INVITE_HOURS } else { RESET_HOURS };
    let now = Utc::now();
    password_resets::ActiveModel {
        user_id: Set(user.id),
        token_hash: Set(tokens::hash_token(&token)),
        expires_at: Set(now + Duration::hours(hours)),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    let lang = user
        .locale
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_default();
    let link = format!(
        "{}/password-reset/{}",
        ctx.base_url.trim_end_matches('/'),
        token
    );
    let rendered = mail::password_reset(lang, &user.name, &link, hours, welcome);
    notifications::queue_secret_mail(conn, &user.email, rendered).await?;
    Ok(())
}

/// "Forgot password": queues the request for the worker, which mails a link when the
/// address belongs to an active account. The answer, and the time it takes, are the same
/// whether or not the address is known: nothing here looks the address up.
pub async fn request_reset(conn: &impl ConnectionTrait, email: &str) -> AppResult<()> {
    let Ok(email) = types::email(email) else {
        return Ok(());
    };
    reset_requests::ActiveModel {
        email: Set(email),
        requested_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The worker's part of "forgot password": for each queued request, a link for an active
/// account with that address (and nothing for an unknown one). Each request is taken by
/// deleting its row, so two workers never mail one link twice.
pub async fn process_reset_requests(db: &impl Conn, ctx: &Context) -> AppResult<usize> {
    let queued = reset_requests::Entity::find()
        .order_by_asc(reset_requests::Column::Id)
        .limit(100)
        .all(db)
        .await?;
    let mut mailed = 0;
    for request in queued {
        let txn = db::begin_write(db).await?;
        let taken = reset_requests::Entity::delete_by_id(request.id)
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if taken
            && let Some(user) = find_by_email(&txn, &request.email).await?
            && user.is_active
        {
            issue_reset(&txn, &user, ctx, false).await?;
            audit::note(&txn, None, "request-reset", "user", Some(user.id)).await?;
            mailed += 1;
        }
        txn.commit().await?;
    }
    Ok(mailed)
}

/// Bureau: sends a user a reset link.
pub async fn send_reset(db: &impl Conn, actor: &Actor, id: i64, ctx: &Context) -> AppResult<()> {
    policy::require_some(actor, Subject::User, Act::Write)?;
    let user = get(db, id).await?;
    if !user.is_active {
        return Err(AppError::conflict("is_active", "err-user-inactive"));
    }
    let txn = db::begin_write(db).await?;
    issue_reset(&txn, &user, ctx, false).await?;
    audit::note(&txn, Some(actor), "send-reset", "user", Some(id)).await?;
    txn.commit().await?;
    Ok(())
}

/// The reset row of a token that can still be used.
pub async fn valid_reset(
    db: &impl ConnectionTrait,
    token: &str,
) -> AppResult<password_resets::Model> {
    let row = password_resets::Entity::find()
        .filter(password_resets::Column::TokenHash.eq(tokens::hash_token(token)))
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad_request("err-reset-invalid"))?;
    if row.used_at.is_some() || row.expires_at < Utc::now() {
        return Err(AppError::bad_request("err-reset-invalid"));
    }
    Ok(row)
}

/// Sets a new password from a reset link: once, before it expires; ends other sessions.
pub async fn reset_password(
    db: &impl Conn,
    token: &str,
    password: &str,
    confirm: &str,
) -> AppResult<users::Model> {
    let password = types::password(password).map_err(|m| AppError::invalid("password", m))?;
    if password != confirm {
        return Err(AppError::invalid(
            "confirm",
            Msg::new("err-password-mismatch"),
        ));
    }
    let hash = hash_password(&password).await?;
    let txn = db::begin_write(db).await?;
    let row = valid_reset(&txn, token).await?;
    let user = get(&txn, row.user_id).await?;
    if !user.is_active {
        return Err(AppError::bad_request("err-reset-invalid"));
    }
    let mut reset = row.into_active_model();
    reset.used_at = Set(Some(Utc::now()));
    reset.update(&txn).await?;
    let mut active = user.into_active_model();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    let user = active.update(&txn).await?;
    // A reset answers a forgotten or stolen password: sessions and tokens made meanwhile
    // end too.
    sessions::end_all(&txn, user.id, None).await?;
    invalidate_credentials(&txn, user.id, true).await?;
    audit::note(&txn, None, "reset-password", "user", Some(user.id)).await?;
    txn.commit().await?;
    Ok(user)
}

/// Changes one's own password; the other sessions, the API tokens and any open reset link
/// end, the session making the change (`this_session`) goes on.
pub async fn change_password(
    db: &impl Conn,
    actor: &Actor,
    this_session: Option<i64>,
    current: &str,
    new: &str,
    confirm: &str,
) -> AppResult<users::Model> {
    let user = get(db, actor.user_id).await?;
    let mut errors = FieldErrors::new();
    if !verify_password(current, &user.password_hash).await {
        errors.add("current", Msg::new("err-password-wrong"));
    }
    let new = types::password(new)
        .map_err(|m| errors.add("password", m))
        .ok();
    if new.as_deref() != Some(confirm) && new.is_some() {
        errors.add("confirm", Msg::new("err-password-mismatch"));
    }
    errors.into_result()?;
    let hash = hash_password(&new.unwrap_or_default()).await?;
    let txn = db::begin_write(db).await?;
    let mut active = user.into_active_model();
    active.password_hash = Set(hash);
    active.updated_at = Set(Utc::now());
    let user = active.update(&txn).await?;
    sessions::end_all(&txn, user.id, this_session).await?;
    invalidate_credentials(&txn, user.id, true).await?;
    audit::note(&txn, Some(actor), "change-password", "user", Some(user.id)).await?;
    txn.commit().await?;
    Ok(user)
}

/// Keeps one's language choice.
pub async fn set_locale(db: &impl Conn, actor: &Actor, lang: Lang) -> AppResult<()> {
    let user = get(db, actor.user_id).await?;
    let mut active = user.into_active_model();
    active.locale = Set(Some(lang.code().to_string()));
    active.update(db).await?;
    Ok(())
}

// ---- personal API tokens ----

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created_at: chrono::DateTime<Utc>,
    pub last_used_at: Option<chrono::DateTime<Utc>>,
}

/// Creates a token and returns its secret, which is shown once and stored only hashed.
pub async fn create_token(
    db: &impl Conn,
    actor: &Actor,
    name: &str,
) -> AppResult<(api_tokens::Model, String)> {
    let name = types::required_text(name, 60).map_err(|m| AppError::invalid("name", m))?;
    let secret = format!("tx_{}", tokens::random_base64(32));
    let txn = db::begin_write(db).await?;
    let row = api_tokens::ActiveModel {
        user_id: Set(actor.user_id),
        name: Set(name),
        token_hash: Set(tokens::hash_token(&secret)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::note(&txn, Some(actor), "create-token", "api_token", Some(row.id)).await?;
    txn.commit().await?;
    Ok((row, secret))
}

pub async fn list_tokens(db: &impl Conn, actor: &Actor) -> AppResult<Vec<api_tokens::Model>> {
    Ok(api_tokens::Entity::find()
        .filter(api_tokens::Column::UserId.eq(actor.user_id))
        .filter(api_tokens::Column::RevokedAt.is_null())
        .order_by_desc(api_tokens::Column::Id)
        .all(db)
        .await?)
}

/// Revokes one of one's own tokens; another user's token is "not found".
pub async fn revoke_token(db: &impl Conn, actor: &Actor, id: i64) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    let row = api_tokens::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|t| t.user_id == actor.user_id && t.revoked_at.is_none())
        .ok_or(AppError::NotFound)?;
    let mut active = row.into_active_model();
    active.revoked_at = Set(Some(Utc::now()));
    active.update(&txn).await?;
    audit::note(&txn, Some(actor), "revoke-token", "api_token", Some(id)).await?;
    txn.commit().await?;
    Ok(())
}

/// The active user a bearer token belongs to.
pub async fn authenticate_token(db: &impl Conn, secret: &str) -> AppResult<users::Model> {
    let row = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(tokens::hash_token(secret)))
        .filter(api_tokens::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let user = get(db, row.user_id).await?;
    if !user.is_active {
        return Err(AppError::Unauthorized);
    }
    let stale = row
        .last_used_at
        .is_none_or(|t| Utc::now() - t > Duration::minutes(5));
    if stale {
        let mut active = row.into_active_model();
        active.last_used_at = Set(Some(Utc::now()));
        active.update(db).await?;
    }
    Ok(user)
}

/// The account bound to a teacher record, if any.
pub async fn find_by_teacher(
    db: &impl ConnectionTrait,
    teacher_id: i64,
) -> AppResult<Option<users::Model>> {
    Ok(users::Entity::find()
        .filter(users::Column::TeacherId.eq(teacher_id))
        .one(db)
        .await?)
}

/// A row of the bureau's user list: the account with the names of its school and teacher.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub user: users::Model,
    pub school: Option<String>,
    pub teacher: Option<String>,
}

/// `list`, with school and teacher names looked up in two queries.
pub async fn list_rows(
    db: &impl Conn,
    actor: &Actor,
    filter: &UserFilter,
    page: crate::domain::paging::PageRequest,
) -> AppResult<crate::domain::paging::Paged<UserRow>> {
    let paged = list(db, actor, filter, page).await?;
    let schools =
        crate::domain::names::schools(db, paged.items.iter().filter_map(|u| u.school_id)).await?;
    let teacher_names =
        crate::domain::names::teachers(db, paged.items.iter().filter_map(|u| u.teacher_id)).await?;
    Ok(paged.map(|user| UserRow {
        school: user.school_id.and_then(|id| schools.get(&id).cloned()),
        teacher: user
            .teacher_id
            .and_then(|id| teacher_names.get(&id).cloned()),
        user,
    }))
}

/// A teacher record as the user form shows it beside the typed teacher number:
/// `(name, school name)`, or `None` when there is no such teacher.
pub async fn teacher_brief(
    db: &impl Conn,
    actor: &Actor,
    teacher_id: i64,
) -> AppResult<Option<(String, String)>> {
    policy::require_some(actor, Subject::User, Act::Manage)?;
    let Some(t) = teachers::Entity::find_by_id(teacher_id).one(db).await? else {
        return Ok(None);
    };
    let school = crate::entities::schools::Entity::find_by_id(t.school_id)
        .one(db)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    Ok(Some((t.name, school)))
}

/// Deactivates, inside the caller's transaction, the account bound to a teacher record
/// that was deactivated: its sessions, reset links and tokens end with it.
pub async fn deactivate_bound(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    teacher_id: i64,
) -> AppResult<()> {
    let query = users::Entity::find()
        .filter(users::Column::IsActive.eq(true))
        .filter(users::Column::TeacherId.eq(teacher_id));
    for before in query.all(conn).await? {
        let mut active = before.clone().into_active_model();
        active.is_active = Set(false);
        active.updated_at = Set(Utc::now());
        let user = active.update(conn).await?;
        sessions::end_all(conn, user.id, None).await?;
        invalidate_credentials(conn, user.id, true).await?;
        audit::record(
            conn,
            Some(actor),
            "deactivate",
            "user",
            Some(user.id),
            Some(&UserView::from(&before)),
            Some(&UserView::from(&user)),
        )
        .await?;
    }
    Ok(())
}
