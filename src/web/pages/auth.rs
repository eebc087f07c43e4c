//! Signing in and out, first-run setup, password reset, the profile page with password
//! change, language and personal API tokens.
use askama::Template;
use rocket::http::{CookieJar, Status};
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes, uri};
use sea_orm::DatabaseConnection;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::config::AppConfig;
use crate::domain::throttle::{self, SignInThrottle};
use crate::domain::{sessions, users};
use crate::entities::sessions as session_rows;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::web::forms::CsrfForm;
use crate::web::guards::{self, ClientAddr, ClientInfo, Ctx, CurrentUser};
use crate::web::respond::{Page, render};

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
    throttle: &State<SignInThrottle>,
    client: ClientInfo,
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
    match users::sign_in(
        db.inner(),
        throttle,
        &form.email,
        &form.password,
        &client.address,
    )
    .await
    {
        Ok(user) => {
            guards::start_session(db, cookies, &user, config, &client).await?;
            Ok(Ok(Redirect::to(super::safe_next(Some(&form.next)))))
        }
        Err(AppError::TooManyRequests) => {
            fail(ctx, Status::TooManyRequests, "login-throttled", &form)
        }
        Err(AppError::Unauthorized) => {
            fail(ctx, Status::UnprocessableEntity, "login-failed", &form)
        }
        Err(e) => Err(e),
    }
}

#[post("/logout", data = "<_form>")]
async fn logout(
    db: &State<DatabaseConnection>,
    cookies: &CookieJar<'_>,
    config: &State<AppConfig>,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    guards::end_session(db, cookies, config).await?;
    Ok(Flash::success(Redirect::to("/login"), "flash-logged-out"))
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
    client: ClientInfo,
    cookies: &CookieJar<'_>,
    form: CsrfForm<SetupForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Page)>> {
    let form = form.0;
    if !users::setup_needed(db.inner()).await? {
        return Err(AppError::NotFound);
    }
    match users::create_first_admin(db.inner(), &form.email, &form.name, &form.password).await {
        Ok(user) => {
            guards::start_session(db, cookies, &user, config, &client).await?;
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
    addr: ClientAddr,
    form: CsrfForm<ForgotForm>,
) -> AppResult<Page> {
    // Throttled per address and per e-mail address, so the form cannot flood a mailbox.
    // The worker looks the address up and mails the link: this answer takes the same time
    // for a known and an unknown address.
    if throttle::allow_reset(db.inner(), &form.0.email, &addr.0, chrono::Utc::now()).await? {
        users::request_reset(db.inner(), &form.0.email).await?;
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
    match users::reset_password(db.inner(), token, &form.0.password, &form.0.confirm).await {
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
    sessions: Vec<session_rows::Model>,
    this_session: Option<i64>,
}

impl ProfilePage {
    fn is_this(&self, session: &session_rows::Model) -> bool {
        self.this_session == Some(session.id)
    }

    fn browser(&self, session: &session_rows::Model) -> String {
        let b = sessions::browser_of(&session.user_agent);
        if b.is_empty() {
            self.ctx.t("sessions-unknown-browser")
        } else {
            b
        }
    }
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
    let sessions = sessions::list_open(db, &user.actor).await?;
    render(&ProfilePage {
        ctx,
        email: user.user.email.clone(),
        role_key: user.actor.role.label_key(),
        errors,
        tokens,
        new_token,
        token_errors,
        sessions,
        this_session: user.session_id,
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
    user: CurrentUser,
    form: CsrfForm<PasswordForm>,
) -> AppResult<Result<Flash<Redirect>, (Status, Page)>> {
    let f = form.0;
    let this = user.session_id;
    match users::change_password(
        db.inner(),
        &user.actor,
        this,
        &f.current,
        &f.password,
        &f.confirm,
    )
    .await
    {
        Ok(_) => Ok(Ok(Flash::success(
            Redirect::to(uri!(profile)),
            "flash-password-changed",
        ))),
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
    match users::create_token(db.inner(), &user.actor, &form.0.name).await {
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
    users::revoke_token(db.inner(), &user.actor, id).await?;
    Ok(Flash::success(
        Redirect::to(uri!(profile)),
        "flash-token-revoked",
    ))
}

/// Signs one of one's own sessions out (another browser or device).
#[post("/profile/sessions/<id>/end", data = "<_form>")]
async fn end_session(
    db: &State<DatabaseConnection>,
    config: &State<AppConfig>,
    user: CurrentUser,
    cookies: &CookieJar<'_>,
    id: i64,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    sessions::end_own(db.inner(), &user.actor, id).await?;
    if user.session_id == Some(id) {
        guards::end_session(db, cookies, config).await?;
        return Ok(Flash::success(Redirect::to("/login"), "flash-logged-out"));
    }
    Ok(Flash::success(
        Redirect::to(uri!(profile)),
        "flash-session-ended",
    ))
}

/// Signs out everywhere: every session of one's own, this one included.
#[post("/profile/sessions/end-all", data = "<_form>")]
async fn end_all_sessions(
    db: &State<DatabaseConnection>,
    config: &State<AppConfig>,
    user: CurrentUser,
    cookies: &CookieJar<'_>,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    sessions::end_everywhere(db.inner(), &user.actor).await?;
    guards::end_session(db, cookies, config).await?;
    Ok(Flash::success(
        Redirect::to("/login"),
        "flash-signed-out-everywhere",
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
        revoke_token,
        end_session,
        end_all_sessions
    ]
}
