//! Request guards: who is asking (session cookie or bearer token), in which language,
//! with which CSRF token, and the page context every template gets.
use chrono::Utc;
use rocket::http::{Cookie, CookieJar, SameSite, Status};
use rocket::request::{FlashMessage, FromRequest, Outcome, Request};
use rocket::time::Duration as CookieDuration;
use sea_orm::DatabaseConnection;

use crate::config::AppConfig;
use crate::domain::access::Actor;
use crate::domain::context::Context;
use crate::domain::sessions::{self, Resolved};
use crate::domain::types::Role;
use crate::domain::{tokens, users};
use crate::entities::users as user_entity;
use crate::error::{AppResult, FieldErrors, Msg};
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "tx_session";
pub const CSRF_COOKIE: &str = "tx_csrf";
pub const LANG_COOKIE: &str = "tx_lang";

/// Starts a server-side session for `user` (see `domain::sessions`): the cookie holds its
/// secret, and a new CSRF token goes with it.
pub async fn start_session(
    db: &DatabaseConnection,
    cookies: &CookieJar<'_>,
    user: &user_entity::Model,
    config: &AppConfig,
    client: &ClientInfo,
) -> AppResult<()> {
    // Signing in again on this browser ends the session it had, so none is left behind.
    if let Some(old) = cookies.get_private(SESSION_COOKIE) {
        sessions::end_by_secret(db, old.value()).await?;
    }
    let secret = sessions::start(
        db,
        user,
        config.session_minutes,
        &client.address,
        &client.user_agent,
    )
    .await?;
    let secure = config.secure_cookies();
    // The cookie outlives an idle session on purpose: a lapsed session is then told apart
    // from no session (the login page says it expired; a text being typed is kept).
    cookies.add_private(
        Cookie::build((SESSION_COOKIE, secret))
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .max_age(CookieDuration::days(sessions::MAX_SESSION_DAYS)),
    );
    set_csrf_cookie(cookies, tokens::random_base64(32), secure);
    Ok(())
}

/// Signs out: the session ends on the server (so a copied cookie no longer works either)
/// and the cookie is removed.
pub async fn end_session(
    db: &DatabaseConnection,
    cookies: &CookieJar<'_>,
    config: &AppConfig,
) -> AppResult<()> {
    if let Some(cookie) = cookies.get_private(SESSION_COOKIE) {
        sessions::end_by_secret(db, cookie.value()).await?;
    }
    cookies.remove_private(Cookie::build(SESSION_COOKIE).path("/"));
    set_csrf_cookie(cookies, tokens::random_base64(32), config.secure_cookies());
    Ok(())
}

fn set_csrf_cookie(cookies: &CookieJar<'_>, token: String, secure: bool) {
    cookies.add_private(
        Cookie::build((CSRF_COOKIE, token))
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax),
    );
}

/// Why there is no signed-in user on this request (for the login page's message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoUser {
    Anonymous,
    Expired,
    BadToken,
}

/// The signed-in user, from a bearer token or the session cookie.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: user_entity::Model,
    pub actor: Actor,
    pub via_token: bool,
    /// The server-side session this request came with (None for a bearer token).
    pub session_id: Option<i64>,
}

async fn resolve_user(req: &Request<'_>) -> Result<CurrentUser, NoUser> {
    let Some(db) = req.rocket().state::<DatabaseConnection>() else {
        return Err(NoUser::Anonymous);
    };
    if let Some(header) = req.headers().get_one("Authorization") {
        let Some(secret) = header.strip_prefix("Bearer ") else {
            return Err(NoUser::BadToken);
        };
        return match users::authenticate_token(db, secret.trim()).await {
            Ok(user) => Ok(CurrentUser {
                actor: users::actor_of(&user),
                user,
                via_token: true,
                session_id: None,
            }),
            Err(_) => Err(NoUser::BadToken),
        };
    }
    let cookies = req.cookies();
    let Some(cookie) = cookies.get_private(SESSION_COOKIE) else {
        return Err(NoUser::Anonymous);
    };
    let minutes = req
        .rocket()
        .state::<AppConfig>()
        .map(|c| c.session_minutes)
        .unwrap_or(480);
    let forget = || cookies.remove_private(Cookie::build(SESSION_COOKIE).path("/"));
    match sessions::resolve(db, cookie.value(), minutes).await {
        Ok(Resolved::Active(user, session)) => Ok(CurrentUser {
            actor: users::actor_of(&user),
            user: *user,
            via_token: false,
            session_id: Some(session.id),
        }),
        Ok(Resolved::Lapsed(user_id)) => {
            // The cookie stays until the next sign-in replaces it: a form posted from this
            // browser later is still known to be its writer's (see `web::drafts`).
            req.local_cache(|| LapsedSession(Some(user_id)));
            Err(NoUser::Expired)
        }
        Ok(Resolved::Ended) => {
            forget();
            Err(NoUser::Expired)
        }
        Ok(Resolved::Unknown) => {
            forget();
            Err(NoUser::Anonymous)
        }
        Err(e) => {
            tracing::error!("resolving a session: {e}");
            Err(NoUser::Anonymous)
        }
    }
}

/// The user whose session on this browser ran out of time (not signed out, not ended by a
/// password change or deactivation), when this request came with such a session.
#[derive(Debug, Clone, Copy, Default)]
struct LapsedSession(Option<i64>);

/// The signed-in user, or else the user whose session on this browser lapsed lately (for
/// forms whose text is kept when the session ran out while it was being written).
pub struct UserOrLapsed {
    pub user: Option<CurrentUser>,
    pub lapsed: Option<i64>,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for UserOrLapsed {
    type Error = NoUser;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, NoUser> {
        let user = match req.guard::<CurrentUser>().await {
            Outcome::Success(user) => Some(user),
            Outcome::Error((Status::Unauthorized, _)) => None,
            Outcome::Error(e) => return Outcome::Error(e),
            Outcome::Forward(f) => return Outcome::Forward(f),
        };
        let lapsed = req.local_cache(LapsedSession::default).0;
        Outcome::Success(UserOrLapsed { user, lapsed })
    }
}

/// The user of this request, resolved once and cached.
pub async fn cached_user<'r>(req: &'r Request<'_>) -> &'r Result<CurrentUser, NoUser> {
    let result = req
        .local_cache_async(async { resolve_user(req).await })
        .await;
    // Also kept where synchronous code (language, error pages) can read it.
    req.local_cache(|| Some(result.clone()));
    result
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = NoUser;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match cached_user(req).await {
            Ok(user) if cross_site_api_write(req, user) => {
                crate::web::forms::stash(req, crate::error::AppError::Forbidden);
                Outcome::Error((Status::Forbidden, NoUser::Anonymous))
            }
            Ok(user) => Outcome::Success(user.clone()),
            Err(why) => Outcome::Error((Status::Unauthorized, *why)),
        }
    }
}

/// An API write (any method but GET/HEAD) riding on the session cookie from another origin.
/// HTML forms carry a CSRF token instead; bearer-token calls are not sent by browsers.
fn cross_site_api_write(req: &Request<'_>, user: &CurrentUser) -> bool {
    use rocket::http::Method;
    !user.via_token
        && !matches!(req.method(), Method::Get | Method::Head)
        && req.uri().path().starts_with("/api/")
        && !crate::web::forms::same_origin(req)
}

/// The signed-in user when their role is one of `allowed`; others get 403 before the
/// handler runs (and before any body is read), the signed-out 401 (a page: to sign in).
async fn with_role(req: &Request<'_>, allowed: &[Role]) -> Outcome<CurrentUser, NoUser> {
    match req.guard::<CurrentUser>().await {
        Outcome::Success(user) if allowed.contains(&user.actor.role) => Outcome::Success(user),
        Outcome::Success(_) => Outcome::Error((Status::Forbidden, NoUser::Anonymous)),
        Outcome::Error(e) => Outcome::Error(e),
        Outcome::Forward(f) => Outcome::Forward(f),
    }
}

/// Route guards for the roles: the role a handler needs is in its signature, so no handler
/// body checks a role. Which record of that role's the user may act on is the domain's
/// access policy.
macro_rules! role_guard {
    ($(#[$doc:meta])* $name:ident: $($role:path),+) => {
        $(#[$doc])*
        pub struct $name(pub CurrentUser);

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = NoUser;

            async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
                with_role(req, &[$($role),+]).await.map($name)
            }
        }
    };
}

role_guard!(
    /// A signed-in bureau admin (教育局).
    BureauAdmin: Role::BureauAdmin
);
role_guard!(
    /// A signed-in school admin (校长 / 教导主任).
    SchoolAdmin: Role::SchoolAdmin
);
role_guard!(
    /// A signed-in bureau admin or school admin (staff); teachers get 403 before any body is
    /// read (uploads).
    Staff: Role::BureauAdmin, Role::SchoolAdmin
);
role_guard!(
    /// A signed-in teacher.
    TeacherUser: Role::Teacher
);

/// The language of this request: `?lang=`, then the user's setting, then the language
/// cookie, then `Accept-Language`, then 简体中文.
pub fn request_lang(req: &Request<'_>) -> Lang {
    if let Some(lang) = req
        .query_value::<&str>("lang")
        .and_then(|r| r.ok())
        .and_then(Lang::parse)
    {
        return lang;
    }
    if let Some(Ok(user)) = req
        .local_cache(|| None::<Result<CurrentUser, NoUser>>)
        .as_ref()
        && let Some(lang) = user.user.locale.as_deref().and_then(Lang::parse)
    {
        return lang;
    }
    if let Some(lang) = req
        .cookies()
        .get(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
    {
        return lang;
    }
    req.headers()
        .get_one("Accept-Language")
        .and_then(Lang::from_accept_language)
        .unwrap_or_default()
}

/// What a service needs besides the database and the actor: the configured address (for
/// links in notifications and mails) and the clock.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for Context {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        match req.rocket().state::<AppConfig>() {
            Some(config) => Outcome::Success(Context::new(config.base_url.clone())),
            None => Outcome::Error((Status::InternalServerError, ())),
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Lang {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        // Resolve the user first so that their setting counts.
        cached_user(req).await;
        let lang = request_lang(req);
        if let Some(Ok(asked)) = req.query_value::<&str>("lang")
            && Lang::parse(asked).is_some()
        {
            req.cookies().add(
                Cookie::build((LANG_COOKIE, lang.code()))
                    .path("/")
                    .same_site(SameSite::Lax)
                    .max_age(CookieDuration::days(365)),
            );
        }
        Outcome::Success(lang)
    }
}

/// This browser's CSRF token (made on first use).
pub struct CsrfToken(pub String);

pub fn csrf_token(req: &Request<'_>) -> String {
    req.local_cache(|| {
        let cookies = req.cookies();
        match cookies.get_private(CSRF_COOKIE) {
            Some(c) if !c.value().is_empty() => c.value().to_string(),
            _ => {
                let token = tokens::random_base64(32);
                let secure = req
                    .rocket()
                    .state::<AppConfig>()
                    .is_some_and(|c| c.secure_cookies());
                set_csrf_cookie(cookies, token.clone(), secure);
                token
            }
        }
    })
    .clone()
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CsrfToken {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(CsrfToken(csrf_token(req)))
    }
}

/// The signed-in person as the page layout needs them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub school_id: Option<i64>,
    pub teacher_id: Option<i64>,
}

/// Everything the base layout needs: language, user, CSRF token, flash, current path.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<NavUser>,
    pub csrf: String,
    pub flash: Option<(String, String)>,
    pub path: String,
    pub query: String,
    /// The signed-in user's unread notifications (0 when signed out).
    pub unread: u64,
}

impl Ctx {
    pub fn from_parts(
        req: &Request<'_>,
        lang: Lang,
        user: Option<&CurrentUser>,
        flash: Option<(String, String)>,
    ) -> Ctx {
        Ctx {
            lang,
            user: user.map(|u| NavUser {
                id: u.user.id,
                name: u.user.name.clone(),
                role: u.actor.role,
                school_id: u.actor.school_id,
                teacher_id: u.actor.teacher_id,
            }),
            csrf: csrf_token(req),
            flash,
            path: req.uri().path().to_string(),
            query: req.uri().query().map(|q| q.to_string()).unwrap_or_default(),
            unread: 0,
        }
    }

    /// Between the items of a list: 、 in Chinese, a comma in English.
    pub fn sep(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "、",
            Lang::En => ", ",
        }
    }

    /// After a label: a full-width colon in Chinese, a colon and a space in English.
    pub fn colon(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "：",
            Lang::En => ": ",
        }
    }

    /// Around an aside: full-width brackets in Chinese, spaced ones in English.
    pub fn paren(&self, inner: impl std::fmt::Display) -> String {
        match self.lang {
            Lang::Zh => format!("（{inner}）"),
            Lang::En => format!(" ({inner})"),
        }
    }

    /// Two phrases of one sentence: `a，b` in Chinese, `a, b` in English.
    pub fn pair(&self, a: impl std::fmt::Display, b: impl std::fmt::Display) -> String {
        match self.lang {
            Lang::Zh => format!("{a}，{b}"),
            Lang::En => format!("{a}, {b}"),
        }
    }

    /// A grade band or level word of a rubric (优, 良好, 合格 …) in the page's language: the
    /// shipped rubrics' words have English names; a bureau's own words show as written.
    pub fn band(&self, word: &str) -> String {
        match (self.lang, crate::domain::rubrics::band_key(word)) {
            (Lang::En, Some(key)) => self.lang.t(key),
            _ => word.to_string(),
        }
    }

    /// The items of a list joined as the language writes lists.
    pub fn list(&self, items: &[String]) -> String {
        items.join(self.sep())
    }

    /// A catalogue string.
    pub fn t(&self, key: impl AsRef<str>) -> String {
        self.lang.t(key.as_ref())
    }

    /// The label of an enum value: `label("stage", "junior")` reads `stage-junior`.
    pub fn label(&self, prefix: &str, value: impl AsRef<str>) -> String {
        self.lang.t(&format!("{prefix}-{}", value.as_ref()))
    }

    /// A catalogue string with one argument.
    pub fn t1(&self, key: &str, name: &str, value: impl ToString) -> String {
        self.lang.t_args(key, &[(name, value.to_string())])
    }

    /// A catalogue string with two arguments.
    pub fn t2(&self, key: &str, a: &(&str, String), b: &(&str, String)) -> String {
        self.lang
            .t_args(key, &[(a.0, a.1.clone()), (b.0, b.1.clone())])
    }

    /// An in-app notice's text in the page's language.
    pub fn notice(&self, n: &crate::entities::notifications::Model) -> String {
        crate::domain::notifications::inbox::text(self.lang, n)
    }

    pub fn msg(&self, msg: &Msg) -> String {
        self.lang.msg(msg)
    }

    /// A flash message: a catalogue key, with arguments as a query string when it has
    /// any (`flash-imported-schools?count=3`).
    pub fn flash_text(&self, raw: &str) -> String {
        match raw.split_once('?') {
            Some((key, query)) => {
                let args: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect();
                let args: Vec<(&str, String)> =
                    args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                self.lang.t_args(key, &args)
            }
            None => self.lang.t(raw),
        }
    }

    /// The translated errors of one form field.
    pub fn errs(&self, errors: &FieldErrors, field: &str) -> Vec<String> {
        errors
            .get(field)
            .map(|v| v.iter().map(|m| self.lang.msg(m)).collect())
            .unwrap_or_default()
    }

    pub fn has_err(&self, errors: &FieldErrors, field: &str) -> bool {
        errors.get(field).is_some()
    }

    pub fn user_name(&self) -> &str {
        self.user.as_ref().map(|u| u.name.as_str()).unwrap_or("")
    }

    pub fn is_bureau(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role == Role::BureauAdmin)
    }

    pub fn is_staff(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| matches!(u.role, Role::BureauAdmin | Role::SchoolAdmin))
    }

    pub fn is_school_admin(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role == Role::SchoolAdmin)
    }

    /// `aria-current` for a navigation link.
    /// The main menu for the signed-in user: (address, label key). A page is offered only
    /// to a role the access policy lets list it, and only where it is of use: a teacher's
    /// menu holds their pairings and records, not the schools' registers or the pairing
    /// management. Each label is its page's title.
    pub fn nav(&self) -> Vec<(&'static str, &'static str)> {
        use crate::domain::access::policy::{self, Act, Subject};
        let Some(u) = self.user.as_ref() else {
            return Vec::new();
        };
        let staff = matches!(u.role, Role::BureauAdmin | Role::SchoolAdmin);
        let lists = |s: Subject| policy::allows_some(u.role, s, Act::List);
        [
            ("/", "nav-home", true),
            ("/schools", "schools-title", staff && lists(Subject::School)),
            (
                "/school-pairings",
                "pairings-title",
                staff && lists(Subject::SchoolPairing),
            ),
            (
                "/teacher-pairings",
                "tp-title",
                lists(Subject::TeacherPairing),
            ),
            ("/observations", "obs-title", lists(Subject::Observation)),
            ("/reflections", "refl-title", lists(Subject::Reflection)),
            (
                "/teachers",
                "teachers-title",
                staff && lists(Subject::Teacher),
            ),
            (
                "/secondments",
                "secondments-title",
                lists(Subject::Secondment),
            ),
            (
                "/contributions",
                "ledger-title",
                lists(Subject::Contribution),
            ),
            ("/visits", "visit-title", lists(Subject::Visit)),
            (
                "/training-weeks",
                "week-title",
                staff && lists(Subject::TrainingWeek),
            ),
            ("/resources", "resource-title", lists(Subject::Resource)),
            // The year-end documents: self-evaluations, with the summaries a tab away.
            (
                "/self-evaluations",
                "nav-year-end",
                lists(Subject::SelfEvaluation),
            ),
            ("/manage", "nav-manage", u.role == Role::BureauAdmin),
        ]
        .into_iter()
        .filter(|(_, _, shown)| *shown)
        .map(|(href, key, _)| (href, key))
        .collect()
    }

    pub fn current(&self, prefix: &str) -> &'static str {
        // Pages a menu entry covers besides its own: the year-end entry covers the summaries.
        const ALSO: &[(&str, &str)] = &[("/self-evaluations", "/summaries")];
        let also = ALSO
            .iter()
            .any(|(p, other)| *p == prefix && self.path.starts_with(other));
        if also {
            return "page";
        }
        self.on(prefix)
    }

    /// `page` when this page is at or under `prefix` (a tab's `aria-current`).
    pub fn on(&self, prefix: &str) -> &'static str {
        if self.path == prefix || (prefix != "/" && self.path.starts_with(prefix)) {
            "page"
        } else {
            "false"
        }
    }

    /// A file size as people read it: 820 B, 34 KB, 1.2 MB.
    pub fn file_size(&self, bytes: &i64) -> String {
        let b = *bytes as f64;
        if b < 1024.0 {
            format!("{bytes} B")
        } else if b < 1024.0 * 1024.0 {
            format!("{:.0} KB", b / 1024.0)
        } else {
            format!("{:.1} MB", b / (1024.0 * 1024.0))
        }
    }

    /// A score or weight without needless decimals (10, 6.25, 89.5).
    pub fn number(&self, n: impl std::borrow::Borrow<f64>) -> String {
        crate::domain::rubrics::fmt_number(*n.borrow())
    }

    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        self.lang.date(*d)
    }

    pub fn datetime(&self, d: &chrono::DateTime<Utc>) -> String {
        self.lang.datetime(*d)
    }

    pub fn opt_datetime(&self, d: &Option<chrono::DateTime<Utc>>) -> String {
        d.map(|d| self.lang.datetime(d))
            .unwrap_or_else(|| "—".into())
    }

    /// An academic year for reading: `2026—2027学年` / `2026–2027` (as stored if malformed).
    pub fn year(&self, name: &str) -> String {
        match crate::domain::academic_years::parse_year_name(name) {
            Ok((from, to)) => self.lang.t_args(
                "year-label",
                &[("from", from.to_string()), ("to", to.to_string())],
            ),
            Err(_) => name.to_string(),
        }
    }

    /// Current path and query, to come back to after signing in or switching language.
    pub fn here(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }

    /// The current URL with one query parameter replaced (pagination, sorting).
    pub fn with_param(&self, name: &str, value: impl ToString) -> String {
        let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .filter(|(k, _)| k != name && k != "lang")
            .collect();
        pairs.push((name.to_string(), value.to_string()));
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        format!("{}?{}", self.path, query)
    }

    /// This page's path with its query string (a form's way back to the same list).
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }

    /// The query string without pagination, for export links of the same filter.
    pub fn filter_query(&self) -> String {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(self.query.as_bytes())
            .into_owned()
            .filter(|(k, _)| k != "page" && k != "lang")
            .collect();
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }

    pub fn other_lang(&self) -> Lang {
        match self.lang {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Ctx {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let lang = match req.guard::<Lang>().await {
            Outcome::Success(l) => l,
            _ => Lang::default(),
        };
        let user = cached_user(req).await.as_ref().ok().cloned();
        let flash = match req.guard::<Option<FlashMessage<'_>>>().await {
            Outcome::Success(Some(f)) => Some((f.kind().to_string(), f.message().to_string())),
            _ => None,
        };
        let mut ctx = Ctx::from_parts(req, lang, user.as_ref(), flash);
        if let (Some(u), Some(db)) = (&user, req.rocket().state::<DatabaseConnection>()) {
            ctx.unread = crate::domain::notifications::inbox::unread_count(db, u.user.id)
                .await
                .unwrap_or(0);
        }
        Outcome::Success(ctx)
    }
}

/// Cheap synchronous context for error pages: uses what the request already resolved.
pub fn ctx_for_error(req: &Request<'_>) -> Ctx {
    let lang = request_lang(req);
    let user = req
        .local_cache(|| None::<Result<CurrentUser, NoUser>>)
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .cloned();
    Ctx::from_parts(req, lang, user.as_ref(), None)
}

/// The client address for throttling.
pub struct ClientAddr(pub String);

/// Where a request comes from, for a new session's row: address and browser.
pub struct ClientInfo {
    pub address: String,
    pub user_agent: String,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientInfo {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(ClientInfo {
            address: req
                .client_ip()
                .map(|ip| ip.to_string())
                .unwrap_or_else(|| "unknown".into()),
            user_agent: req
                .headers()
                .get_one("User-Agent")
                .unwrap_or_default()
                .to_string(),
        })
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddr {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let ip = req
            .client_ip()
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| "unknown".into());
        Outcome::Success(ClientAddr(ip))
    }
}
