//! Request bodies: HTML forms checked for their CSRF token, and JSON for the API. Both
//! parse into the same raw input structs; a refusal is stashed for the catcher to explain.
use std::sync::Mutex;

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::Status;
use rocket::request::Request;
use serde::de::DeserializeOwned;

use crate::domain::tokens;
use crate::error::{AppError, FieldErrors, Msg};
use crate::web::guards;

/// The error behind a failed guard, for the catcher that renders it.
#[derive(Default)]
pub struct Stash(pub Mutex<Option<AppError>>);

pub fn stash(req: &Request<'_>, err: AppError) {
    if let Ok(mut slot) = req.local_cache(Stash::default).0.lock() {
        *slot = Some(err);
    }
}

pub fn take_stash(req: &Request<'_>) -> Option<AppError> {
    req.local_cache(Stash::default).0.lock().ok()?.take()
}

/// Largest form or JSON body we read.
pub const BODY_LIMIT_KIB: u64 = 1024;

/// Refuses a request whose `Origin` names another site: it must match the `Host` the
/// request was sent to or the configured public address (`TONGXING_BASE_URL`, for a
/// TLS-terminating proxy that rewrites `Host`). Without an `Origin` header (old browsers,
/// other programs) the request passes; the CSRF token still guards forms.
pub fn same_origin(req: &Request<'_>) -> bool {
    let Some(origin) = req.headers().get_one("Origin") else {
        return true;
    };
    let Ok(origin_url) = url::Url::parse(origin) else {
        return false;
    };
    let public = req
        .rocket()
        .state::<crate::config::AppConfig>()
        .and_then(|c| c.public_origin());
    if public.as_deref() == Some(origin_url.origin().ascii_serialization().as_str()) {
        return true;
    }
    let Some(host) = req.headers().get_one("Host") else {
        return false;
    };
    let origin_host = match origin_url.port() {
        Some(p) => format!("{}:{}", origin_url.host_str().unwrap_or(""), p),
        None => origin_url.host_str().unwrap_or("").to_string(),
    };
    origin_host == host
}

async fn read_body(req: &Request<'_>, data: Data<'_>) -> Result<String, AppError> {
    let _ = req;
    match data.open(BODY_LIMIT_KIB.kibibytes()).into_string().await {
        Ok(s) if s.is_complete() => Ok(s.into_inner()),
        Ok(_) => Err(AppError::bad_request("err-body-too-large")),
        Err(_) => Err(AppError::bad_request("err-body-unreadable")),
    }
}

/// An url-encoded form whose `_csrf` field matched this browser's token.
pub struct CsrfForm<T>(pub T);

#[rocket::async_trait]
impl<'r, T: DeserializeOwned + Send> FromData<'r> for CsrfForm<T> {
    type Error = ();

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        if !same_origin(req) {
            stash(req, AppError::BadRequest(Msg::new("err-csrf")));
            return data::Outcome::Error((Status::Forbidden, ()));
        }
        let body = match read_body(req, data).await {
            Ok(b) => b,
            Err(e) => {
                stash(req, e);
                return data::Outcome::Error((Status::BadRequest, ()));
            }
        };
        let pairs: Vec<(String, String)> = serde_html_form::from_str(&body).unwrap_or_default();
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let expected = guards::csrf_token(req);
        if sent.is_empty() || !tokens::constant_time_eq(sent, &expected) {
            stash(req, AppError::BadRequest(Msg::new("err-csrf")));
            return data::Outcome::Error((Status::Forbidden, ()));
        }
        match serde_html_form::from_str::<T>(&body) {
            Ok(value) => data::Outcome::Success(CsrfForm(value)),
            Err(e) => {
                stash(
                    req,
                    AppError::BadRequest(Msg::new("err-bad-form").arg("detail", e)),
                );
                data::Outcome::Error((Status::BadRequest, ()))
            }
        }
    }
}

/// A JSON body for the API. Not JSON, or not an object: 400. What the OpenAPI document
/// refuses is kept for `get`, so that the handler can first establish who may act on what
/// (403, 404) and only then answer 422 for the body.
pub struct ApiJson<T> {
    value: T,
    refused: Option<FieldErrors>,
}

impl<T> ApiJson<T> {
    /// The body, or the 422 naming each field the document refuses.
    pub fn get(self) -> Result<T, AppError> {
        match self.refused {
            Some(fields) => Err(AppError::Invalid(fields)),
            None => Ok(self.value),
        }
    }
}

#[rocket::async_trait]
impl<'r, T: DeserializeOwned + Send> FromData<'r> for ApiJson<T> {
    type Error = ();

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        // The Origin check protects cookie sessions; a request with an `Authorization`
        // header is authenticated by it alone (the cookie is not read), and browsers do
        // not add that header across sites, so scripts may send any Origin.
        let by_header = req.headers().get_one("Authorization").is_some();
        if !by_header && !same_origin(req) {
            stash(req, AppError::Forbidden);
            return data::Outcome::Error((Status::Forbidden, ()));
        }
        let is_json = req.content_type().is_some_and(|ct| ct.is_json());
        if !is_json {
            stash(req, AppError::bad_request("err-json-content-type"));
            return data::Outcome::Error((Status::BadRequest, ()));
        }
        let body = match read_body(req, data).await {
            Ok(b) => b,
            Err(e) => {
                stash(req, e);
                return data::Outcome::Error((Status::BadRequest, ()));
            }
        };
        let bad_json = |e: serde_json::Error| {
            stash(
                req,
                AppError::BadRequest(Msg::new("err-bad-json").arg("detail", e)),
            );
            data::Outcome::Error((Status::BadRequest, ()))
        };
        let mut value: serde_json::Value = match serde_json::from_str(&body) {
            Ok(v) => v,
            Err(e) => return bad_json(e),
        };
        crate::web::api::contract::normalise_numbers(&mut value);
        // A body is a JSON object; anything else is malformed (400), not a field's error.
        if !value.is_object() {
            stash(req, AppError::bad_request("err-json-object"));
            return data::Outcome::Error((Status::BadRequest, ()));
        }
        // What the OpenAPI document refuses, field by field (a 422 when the handler asks).
        let refused = req.route().and_then(|route| {
            crate::web::api::contract::check_body(req.method().as_str(), route.uri.path(), &value)
                .err()
        });
        match (serde_json::from_value::<T>(value), refused) {
            (Ok(value), refused) => data::Outcome::Success(ApiJson { value, refused }),
            // Unreadable as well as refused: the refusal says more than serde.
            (Err(_), Some(fields)) => {
                stash(req, AppError::Invalid(fields));
                data::Outcome::Error((Status::UnprocessableEntity, ()))
            }
            (Err(e), None) => bad_json(e),
        }
    }
}

/// A `multipart/form-data` body of the API (uploads). Like `ApiJson`: the Origin check for
/// cookie sessions (a bearer token is enough by itself), a 400 for another content type,
/// and a body that cannot be read whole is the `file` field's error (422), never a crash.
pub struct ApiMultipart<T>(pub T);

#[rocket::async_trait]
impl<'r, T: rocket::form::FromForm<'r> + Send + 'r> FromData<'r> for ApiMultipart<T> {
    type Error = ();

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let by_header = req.headers().get_one("Authorization").is_some();
        if !by_header && !same_origin(req) {
            stash(req, AppError::Forbidden);
            return data::Outcome::Error((Status::Forbidden, ()));
        }
        if !req.content_type().is_some_and(|ct| ct.is_form_data()) {
            stash(req, AppError::bad_request("err-multipart-content-type"));
            return data::Outcome::Error((Status::BadRequest, ()));
        }
        match rocket::form::Form::<T>::from_data(req, data).await {
            data::Outcome::Success(form) => data::Outcome::Success(ApiMultipart(form.into_inner())),
            data::Outcome::Error((status, _)) => {
                let msg = if status == Status::PayloadTooLarge {
                    let max = req
                        .rocket()
                        .state::<crate::domain::files::FileStore>()
                        .map(|s| s.max_bytes / (1024 * 1024))
                        .unwrap_or_default();
                    Msg::new("resource-err-too-large").arg("max", max)
                } else {
                    Msg::new("resource-err-unreadable")
                };
                stash(req, AppError::invalid("file", msg));
                data::Outcome::Error((Status::UnprocessableEntity, ()))
            }
            data::Outcome::Forward((data, status)) => data::Outcome::Forward((data, status)),
        }
    }
}
