//! Signing in and out, first-run setup, password reset, the profile page with password
//! change, language and personal API tokens.
use std::num::NonZeroU32;

use askama::Template;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes, uri};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::config::AppConfig;
use crate::domain::users;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{self, ClientAddr, Ctx, CurrentUser};
use crate::web::respond::{Page, render};

/// Sign-in attempts allowed per account and per address: a burst, then one a minute.
/// Reset-link requests have their own budget, so they cannot lock anyone out of signing in.
pub struct LoginLimiter {
    accounts: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<String>,
    resets: DefaultKeyedRateLimiter<String>,
}

/// Above this many remembered keys, keys whose budget has refilled are forgotten.
const MAX_KEYS: usize = 10_000;

impl LoginLimiter {
    pub fn new(burst: u32) -> Self {
        let per_account = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let per_address = NonZeroU32::new(burst.max(1) * 4).unwrap_or(NonZeroU32::MIN);
        let minute = Quota::per_minute(NonZeroU32::MIN);
        LoginLimiter {
            accounts: RateLimiter::keyed(minute.allow_burst(per_account)),
            addresses: RateLimiter::keyed(minute.allow_burst(per_address)),
            resets: RateLimiter::keyed(minute.allow_burst(per_address)),
        }
    }

    fn prune(&self) {
        for limiter in [&self.accounts, &self.addresses, &self.resets] {
            if limiter.len() > MAX_KEYS {
                limiter.retain_recent();
            }
        }
    }

    /// Counts a sign-in attempt; false when the account or the address has used up its
    /// attempts.
    pub fn allow(&self, email: &str, address: &str) -> bool {
        self.prune();
        let account_ok = self
            .accounts
            .check_key(&email.trim().to_lowercase())
            .is_ok();
        let address_ok = self.addresses.check_key(&address.to_string()).is_ok();
        account_ok && address_ok
    }

    /// Counts a reset-link request, per address and per e-mail address.
    pub fn allow_reset(&self, email: &str, address: &str) -> bool {
        self.prune();
        let address_ok = self.resets.check_key(&address.to_string()).is_ok();
        let email_ok = self
            .resets
            .check_key(&format!("mail:{}", email.trim().to_lowercase()))
            .is_ok();
        address_ok && email_ok
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: Ctx,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
}

#[get("/login?<next>&<expired>&<kept>")]
async fn login_page(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: Option<CurrentUser>,
    next: Option<String>,
    expired: Option<String>,
    kept: Option<String>,
) -> AppResult<Result<Page, Redirect>> {
    if user.is_some() {
        return Ok(Err(Redirect::to(super::safe_next(next.as_deref()))));
    }
    if users::setup_needed(db.inner()).await? {
        return Ok(Err(Redirect::to("/setup")));
    }
    let notice = match (kept, expired) {
        (Some(_), _) => Some(ctx.t("login-expired-kept")),
        (None, Some(_)) => Some(ctx.t("login-expired")),
        _ => None,
    };
    Ok(Ok(render(&LoginPage {
        ctx,
        email: String::new(),
        next: next.unwrap_or_default(),
        error: None,
        notice,
    })?))
}

#[post("/login", data = "<form>")]
async fn login(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    config: &State<AppConfig>,
    limiter: &State<LoginLimiter>,
    addr: ClientAddr,
    cookies: &CookieJar<'_>,
    form: CsrfForm<LoginForm>,
) -> AppResult<Result<Redirect, (Status, Page)>> {
    let form = form.0;
    let fail = |ctx: Ctx,
                status: Status,
                key: &str,
                form: &LoginForm|
     -> AppResult<Result<Redirect, (Status, Page)>> {
        let error = Some(ctx.t(key));
        Ok(Err((
            status,
            render(&LoginPage {
                ctx,
                email: form.email.clone(),
                next: form.next.clone(),
                error,
                notice: None,
            })?,
        )))
    };
    if !limiter.allow(&form.email, &addr.0) {
        return fail(ctx, Status::TooManyRequests, "login-throttled", &form);
    }
    match users::authenticate(db, &form.email, &form.password).await {
        Ok(user) => {
            guards::start_session(cookies, &user, config);
            Ok(Ok(Redirect::to(super::safe_next(Some(&form.next)))))
        }
        Err(AppError::Unauthorized) => {
            fail(ctx, Status::UnprocessableEntity, "login-failed", &form)
        }
        Err(e) => Err(e),
    }
}

#[post("/logout", data = "<_form>")]
fn logout(
    cookies: &CookieJar<'_>,
    config: &State<AppConfig>,
    _form: CsrfForm<IgnoredAny>,
) -> Flash<Redirect> {
    guards::end_session(cookies, config);
    Flash::success(Redirect::to("/login"), "flash-logged-out")
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SetupForm {
    pub email: String,
    pub name: String,
    pub password: String,
}

#[derive(Template)]
#[template(path = "auth/setup.html")]
struct SetupPage {
    ctx: Ctx,
    form: SetupForm,
    errors: FieldErrors,
}

#[get("/setup")]
async fn setup_page(ctx: Ctx, db: &State<DatabaseConnection>) -> AppResult<Page> {
    if !users::setup_needed(db.inner()).await? {
        return Err(AppError::NotFound);
    }
    render(&SetupPage {
        ctx,
        form: SetupForm::default(),
        errors: FieldErrors::new(),
    })
}

#[post("/setup", data = "<form>")]
async fn setup(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    config: &State<AppConfig>,
    cookies: &CookieJar<'_>,
    form: CsrfForm<SetupForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Page)>> {
    let form = form.0;
    if !users::setup_needed(db.inner()).await? {
        return Err(AppError::NotFound);
    }
    match users::create_first_admin(db, &form.email, &form.name, &form.password).await {
        Ok(user) => {
            guards::start_session(cookies, &user, config);
            Ok(Ok(Flash::success(Redirect::to("/"), "flash-setup-done")))
        }
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                render(&SetupPage {
                    ctx,
                    form: SetupForm {
                        password: String::new(),
                        ..form
                    },
                    errors,
                })?,
            ))),
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    ctx: Ctx,
    sent: bool,
}

#[get("/password-reset")]
fn forgot_page(ctx: Ctx) -> AppResult<Page> {
    render(&ForgotPage { ctx, sent: false })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ForgotForm {
    email: String,
}

#[post("/password-reset", data = "<form>")]
async fn forgot(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    config: &State<AppConfig>,
    limiter: &State<LoginLimiter>,
    addr: ClientAddr,
    form: CsrfForm<ForgotForm>,
) -> AppResult<Page> {
    // Same throttle as sign-in, so the form cannot be used to flood a mailbox.
    if limiter.allow_reset(&form.0.email, &addr.0) {
        users::request_reset(db, &form.0.email, &config.base_url).await?;
    }
    render(&ForgotPage { ctx, sent: true })
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    ctx: Ctx,
    token: String,
    valid: bool,
    errors: FieldErrors,
}

#[get("/password-reset/<token>")]
async fn reset_page(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    token: &str,
) -> AppResult<(Status, Page)> {
    let valid = users::valid_reset(db.inner(), token).await.is_ok();
    let status = if valid {
        Status::Ok
    } else {
        Status::BadRequest
    };
    Ok((
        status,
        render(&ResetPage {
            ctx,
            token: token.to_string(),
            valid,
            errors: FieldErrors::new(),
        })?,
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ResetForm {
    password: String,
    confirm: String,
}

#[post("/password-reset/<token>", data = "<form>")]
async fn reset(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    token: &str,
    form: CsrfForm<ResetForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Page)>> {
    match users::reset_password(db, token, &form.0.password, &form.0.confirm).await {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to("/login"),
            "flash-password-reset",
        ))),
        Err(AppError::BadRequest(_)) => Ok(Err((
            Status::BadRequest,
            render(&ResetPage {
                ctx,
                token: token.to_string(),
                valid: false,
                errors: FieldErrors::new(),
            })?,
        ))),
        Err(e) => match e.field_errors() {
            Some(errors) => Ok(Err((
                Status::UnprocessableEntity,
                render(&ResetPage {
                    ctx,
                    token: token.to_string(),
                    valid: true,
                    errors,
                })?,
            ))),
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "auth/profile.html")]
struct ProfilePage {
    ctx: Ctx,
    email: String,
    role_key: String,
    errors: FieldErrors,
    tokens: Vec<crate::entities::api_tokens::Model>,
    new_token: Option<String>,
    token_errors: FieldErrors,
}

async fn profile_page(
    ctx: Ctx,
    db: &DatabaseConnection,
    user: &CurrentUser,
    errors: FieldErrors,
    new_token: Option<String>,
    token_errors: FieldErrors,
) -> AppResult<Page> {
    let tokens = users::list_tokens(db, &user.actor).await?;
    render(&ProfilePage {
        ctx,
        email: user.user.email.clone(),
        role_key: user.actor.role.label_key(),
        errors,
        tokens,
        new_token,
        token_errors,
    })
}

#[get("/profile")]
async fn profile(ctx: Ctx, db: &State<DatabaseConnection>, user: CurrentUser) -> AppResult<Page> {
    profile_page(ctx, db, &user, FieldErrors::new(), None, FieldErrors::new()).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    current: String,
    password: String,
    confirm: String,
}

#[post("/profile/password", data = "<form>")]
async fn change_password(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    config: &State<AppConfig>,
    user: CurrentUser,
    cookies: &CookieJar<'_>,
    form: CsrfForm<PasswordForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Page)>> {
    let f = form.0;
    match users::change_password(db, &user.actor, &f.current, &f.password, &f.confirm).await {
        Ok(updated) => {
            guards::start_session(cookies, &updated, config);
            Ok(Ok(Flash::success(
                Redirect::to(uri!(profile)),
                "flash-password-changed",
            )))
        }
        Err(AppError::Invalid(errors)) => Ok(Err((
            Status::UnprocessableEntity,
            profile_page(ctx, db, &user, errors, None, FieldErrors::new()).await?,
        ))),
        Err(e) => Err(e),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct TokenForm {
    name: String,
}

#[post("/profile/tokens", data = "<form>")]
async fn create_token(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    form: CsrfForm<TokenForm>,
) -> AppResult<(Status, Page)> {
    match users::create_token(db, &user.actor, &form.0.name).await {
        Ok((_, secret)) => Ok((
            Status::Ok,
            profile_page(
                ctx,
                db,
                &user,
                FieldErrors::new(),
                Some(secret),
                FieldErrors::new(),
            )
            .await?,
        )),
        Err(AppError::Invalid(errors)) => Ok((
            Status::UnprocessableEntity,
            profile_page(ctx, db, &user, FieldErrors::new(), None, errors).await?,
        )),
        Err(e) => Err(e),
    }
}

#[post("/profile/tokens/<id>/revoke", data = "<_form>")]
async fn revoke_token(
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    users::revoke_token(db, &user.actor, id).await?;
    Ok(Flash::success(
        Redirect::to(uri!(profile)),
        "flash-token-revoked",
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        login_page,
        login,
        logout,
        setup_page,
        setup,
        forgot_page,
        forgot,
        reset_page,
        reset,
        profile,
        change_password,
        create_token,
        revoke_token
    ]
}
