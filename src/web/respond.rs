//! Turning results into responses: rendered pages, the JSON error shape, error pages,
//! catchers, and the security-header and request-id fairings.
use askama::Template;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Redirect, Responder, Response, content::RawHtml};
use rocket::serde::json::Json;
use rocket::{Catcher, catcher};
use serde_json::{Value, json};

use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::web::forms::take_stash;
use crate::web::guards::{Ctx, CurrentUser, NoUser, ctx_for_error, request_lang};

pub type Page = RawHtml<String>;

/// What a form post answers: a redirect with a flash message when it worked, or the form
/// again with the typed values and the errors (with its status, 422 or 409).
pub type FormResult = crate::error::AppResult<
    Result<rocket::response::Flash<rocket::response::Redirect>, (rocket::http::Status, Page)>,
>;

/// Renders a template; a template error is logged and becomes a 500.
pub fn render<T: Template>(template: &T) -> Result<Page, AppError> {
    template
        .render()
        .map(RawHtml)
        .map_err(|e| AppError::Unexpected(format!("template: {e}")))
}

pub fn is_api(req: &Request<'_>) -> bool {
    req.uri().path().starts_with("/api/")
}

fn status_of(err: &AppError) -> Status {
    match err {
        AppError::NotFound => Status::NotFound,
        AppError::Forbidden => Status::Forbidden,
        AppError::Unauthorized => Status::Unauthorized,
        AppError::Conflict { .. } => Status::Conflict,
        AppError::Invalid(_) => Status::UnprocessableEntity,
        AppError::BadRequest(m) if m.key == "err-csrf" => Status::Forbidden,
        AppError::BadRequest(_) => Status::BadRequest,
        AppError::TooManyRequests => Status::TooManyRequests,
        AppError::Db(_) | AppError::Mail(_) | AppError::Unexpected(_) => {
            Status::InternalServerError
        }
    }
}

fn code_of(err: &AppError) -> &'static str {
    match err {
        AppError::NotFound => "not_found",
        AppError::Forbidden => "forbidden",
        AppError::Unauthorized => "unauthorized",
        AppError::Conflict { .. } => "conflict",
        AppError::Invalid(_) => "invalid",
        AppError::BadRequest(m) if m.key == "err-csrf" => "csrf",
        AppError::BadRequest(_) => "bad_request",
        AppError::TooManyRequests => "too_many_requests",
        _ => "internal",
    }
}

fn message_of(err: &AppError, lang: Lang) -> String {
    match err {
        AppError::NotFound => lang.t("error-404-text"),
        AppError::Forbidden => lang.t("error-403-text"),
        AppError::Unauthorized => lang.t("error-401-text"),
        AppError::Conflict { msg, .. } => lang.msg(msg),
        AppError::Invalid(_) => lang.t("error-invalid"),
        AppError::BadRequest(m) => lang.msg(m),
        AppError::TooManyRequests => lang.t("error-429-text"),
        _ => lang.t("error-500-text"),
    }
}

fn fields_json(errors: &FieldErrors, lang: Lang) -> Value {
    let map: serde_json::Map<String, Value> = errors
        .0
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                json!(v.iter().map(|m| lang.msg(m)).collect::<Vec<_>>()),
            )
        })
        .collect();
    Value::Object(map)
}

/// `{"error":{"code","message","fields"}}` in the request's language.
pub fn error_json(err: &AppError, lang: Lang) -> Value {
    let mut body = json!({"code": code_of(err), "message": message_of(err, lang)});
    if let Some(fields) = err.field_errors() {
        body["fields"] = fields_json(&fields, lang);
    }
    json!({ "error": body })
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    ctx: Ctx,
    status: u16,
    /// One level up from the address asked for (`/teacher-pairings/9` → `/teacher-pairings`).
    back: String,
    title: String,
    text: String,
}

fn log_server_error(err: &AppError, req: &Request<'_>) {
    if status_of(err).code >= 500 {
        let mut chain = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        tracing::error!(path = %loggable_uri(req), "request failed: {chain}");
    }
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        log_server_error(&self, req);
        let status = status_of(&self);
        let lang = request_lang(req);
        if is_api(req) {
            return response::status::Custom(status, Json(error_json(&self, lang))).respond_to(req);
        }
        if status == Status::Unauthorized {
            return login_redirect(req).respond_to(req);
        }
        let ctx = ctx_for_error(req);
        let path = req.uri().path().as_str().trim_end_matches('/');
        let back = match path.rfind('/') {
            Some(0) | None => "/".to_string(),
            Some(i) => path[..i].to_string(),
        };
        let page = ErrorPage {
            status: status.code,
            back,
            title: lang.t(&format!("error-{}-title", title_code(status.code))),
            text: message_of(&self, lang),
            ctx,
        };
        let html = page.render().unwrap_or_else(|_| status.to_string());
        response::status::Custom(status, RawHtml(html)).respond_to(req)
    }
}

fn title_code(code: u16) -> u16 {
    match code {
        400 | 401 | 403 | 404 | 409 | 422 | 429 => code,
        _ => 500,
    }
}

fn login_redirect(req: &Request<'_>) -> Redirect {
    let here = match req.uri().query() {
        Some(q) => format!("{}?{}", req.uri().path(), q),
        None => req.uri().path().to_string(),
    };
    let next: String = url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    let expired = matches!(
        req.local_cache(|| None::<Result<CurrentUser, NoUser>>),
        Some(Err(NoUser::Expired))
    );
    if expired {
        Redirect::to(format!("/login?next={next}&expired=1"))
    } else {
        Redirect::to(format!("/login?next={next}"))
    }
}

fn error_for_status(status: Status) -> AppError {
    match status.code {
        401 => AppError::Unauthorized,
        403 => AppError::Forbidden,
        404 => AppError::NotFound,
        409 => AppError::conflict("", "error-409-text"),
        422 => AppError::Invalid(FieldErrors::new()),
        429 => AppError::TooManyRequests,
        400 => AppError::bad_request("error-400-text"),
        _ => AppError::Unexpected(format!("status {status}")),
    }
}

/// One catcher for every status: shows the stashed error if a guard left one.
fn catch_any<'r>(status: Status, req: &'r Request<'_>) -> catcher::BoxFuture<'r> {
    Box::pin(async move {
        let stashed = take_stash(req);
        if stashed.is_none()
            && is_api(req)
            && let Some(unrouted) = crate::web::api::unrouted_method(req, status)
        {
            return unrouted.respond_to(req);
        }
        if !is_api(req) {
            // Sign the user in for the page's menu (a no-op when a guard already did).
            let _ = req.guard::<Option<CurrentUser>>().await;
        }
        let err = stashed.unwrap_or_else(|| error_for_status(status));
        let mut response = err.respond_to(req)?;
        if response.status() != Status::SeeOther && response.status().code != 303 {
            response.set_status(status);
        }
        Ok(response)
    })
}

pub fn catchers() -> Vec<Catcher> {
    vec![Catcher::new(None, catch_any)]
}

/// Security headers on every response; HTML may not be framed or sniffed.
pub struct SecurityHeaders;

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        if req
            .rocket()
            .state::<crate::config::AppConfig>()
            .is_some_and(|c| c.secure_cookies())
        {
            // Served behind https: browsers keep to https for a year.
            res.set_header(Header::new(
                "Strict-Transport-Security",
                "max-age=31536000; includeSubDomains",
            ));
        }
        res.set_header(Header::new(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        ));
        res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        res.set_header(Header::new("Referrer-Policy", "same-origin"));
        res.set_header(Header::new("X-Frame-Options", "DENY"));
        if res.content_type() == Some(ContentType::HTML)
            && !req.uri().path().starts_with("/static/")
        {
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}

/// Path segments after which the next segment is a secret (a reset or invitation link).
const SECRET_AFTER: &[&str] = &["password-reset"];
/// Query parameters whose values are never logged.
const SECRET_PARAMS: &[&str] = &["token", "key", "secret", "password", "code"];
const REDACTED: &str = "[redacted]";

/// A path with the secret segments replaced: `/password-reset/abc` → `/password-reset/[redacted]`.
fn redact_path(path: &str) -> String {
    let mut out = Vec::new();
    let mut secret_next = false;
    for segment in path.split('/') {
        if secret_next && !segment.is_empty() {
            out.push(REDACTED);
        } else {
            out.push(segment);
        }
        secret_next = SECRET_AFTER.contains(&segment);
    }
    out.join("/")
}

/// A request's path and query as they may be logged: no reset token, in the path or in a
/// query value (such as `next=/password-reset/…`), and no value of a secret-named parameter.
pub fn redact_uri(path: &str, query: Option<&str>) -> String {
    let path = redact_path(path);
    let Some(query) = query else {
        return path;
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .map(|(k, v)| {
            let lower = k.to_ascii_lowercase();
            if SECRET_PARAMS.iter().any(|p| lower.contains(p)) {
                (k, REDACTED.to_string())
            } else {
                let v = match v.split_once('?') {
                    Some((p, q)) => redact_uri(p, Some(q)),
                    None => redact_path(&v),
                };
                (k, v)
            }
        })
        .collect();
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{path}?{query}")
}

fn loggable_uri(req: &Request<'_>) -> String {
    redact_uri(
        req.uri().path().as_str(),
        req.uri().query().map(|q| q.as_str()),
    )
}

/// Gives every request an id, logs method, path (secrets redacted), status and time with
/// it, and returns it in `X-Request-Id`.
pub struct RequestLog;

#[derive(Clone, Copy)]
struct Started(std::time::Instant, u64);

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "request log",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut rocket::Data<'_>) {
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        req.local_cache(|| Started(std::time::Instant::now(), id));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let started = req.local_cache(|| Started(std::time::Instant::now(), 0));
        let ms = started.0.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(
            request_id = started.1,
            method = %req.method(),
            path = %loggable_uri(req),
            status = res.status().code,
            ms = format!("{ms:.1}"),
            "request"
        );
        res.set_header(Header::new("X-Request-Id", started.1.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::redact_uri;

    #[test]
    fn tokens_are_redacted_in_paths_and_queries() {
        assert_eq!(
            redact_uri("/password-reset/s3cr3t", None),
            "/password-reset/[redacted]"
        );
        assert_eq!(redact_uri("/password-reset", None), "/password-reset");
        let q = redact_uri("/login", Some("next=%2Fpassword-reset%2Fs3cr3t&lang=en"));
        assert!(!q.contains("s3cr3t") && q.contains("lang=en"), "{q}");
        let q = redact_uri("/x", Some("token=abc&api_key=def&page=2"));
        assert!(
            !q.contains("abc") && !q.contains("def") && q.contains("page=2"),
            "{q}"
        );
    }
}
