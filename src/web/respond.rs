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
        tracing::error!(path = %req.uri(), "request failed: {chain}");
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
        let page = ErrorPage {
            status: status.code,
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
        let err = take_stash(req).unwrap_or_else(|| error_for_status(status));
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

/// Gives every request an id, logs method, path, status and time with it, and returns it
/// in `X-Request-Id`.
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
            path = %req.uri().path(),
            status = res.status().code,
            ms = format!("{ms:.1}"),
            "request"
        );
        res.set_header(Header::new("X-Request-Id", started.1.to_string()));
    }
}
