//! The JSON API under `/api/v1`, over the same domain services as the pages.
//!
//! Conventions: lists answer `{"items":[…],"page","per_page","total"}`; a bad query
//! parameter is a 422 with `fields`; a create answers 201 with the object and a
//! `Location`; a path id that is not an integer is a 404 like an unknown id.
use rocket::http::Status;
use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{Route, delete, get, options, patch, post, put, routes};
use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

use crate::domain::paging::{PageRequest, Paged};
use crate::error::{AppError, AppResult, FieldErrors, Msg};

pub mod academic_years;
pub mod contract;
pub mod contributions;
pub mod matching;
pub mod observations;
pub mod openapi;
pub mod reflections;
pub mod reports;
pub mod resources;
pub mod rubrics;
pub mod school_pairings;
pub mod schools;
pub mod secondments;
pub mod self_evaluations;
pub mod session;
pub mod summaries;
pub mod teacher_pairings;
pub mod teachers;
pub mod tokens;
pub mod users;
pub mod visits;

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

pub fn routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(session::routes());
    routes.extend(tokens::routes());
    routes.extend(schools::routes());
    routes.extend(school_pairings::routes());
    routes.extend(teachers::routes());
    routes.extend(teacher_pairings::routes());
    routes.extend(matching::routes());
    routes.extend(users::routes());
    routes.extend(academic_years::routes());
    routes.extend(secondments::routes());
    routes.extend(contributions::routes());
    routes.extend(self_evaluations::routes());
    routes.extend(summaries::routes());
    routes.extend(reports::routes());
    routes.extend(visits::routes());
    routes.extend(resources::routes());
    routes.extend(observations::routes());
    routes.extend(reflections::routes());
    routes.extend(rubrics::routes());
    routes.extend(openapi::routes());
    routes.extend(fallback_routes());
    routes
}

/// Catch-alls that turn anything not matched under `/api/v1` (such as `/schools/abc`,
/// whose id is not an integer) into the JSON 404. They are not API endpoints and are
/// not in the OpenAPI document.
pub fn fallback_routes() -> Vec<Route> {
    routes![
        fallback_get,
        fallback_post,
        fallback_put,
        fallback_patch,
        fallback_delete,
        fallback_options
    ]
}

#[get("/<_..>", rank = 100)]
fn fallback_get(req: Unrouted) -> Unrouted {
    req
}

#[post("/<_..>", rank = 100)]
fn fallback_post(req: Unrouted) -> Unrouted {
    req
}

#[put("/<_..>", rank = 100)]
fn fallback_put(req: Unrouted) -> Unrouted {
    req
}

#[patch("/<_..>", rank = 100)]
fn fallback_patch(req: Unrouted) -> Unrouted {
    req
}

#[delete("/<_..>", rank = 100)]
fn fallback_delete(req: Unrouted) -> Unrouted {
    req
}

#[options("/<_..>", rank = 100)]
fn fallback_options(req: Unrouted) -> Unrouted {
    req
}

/// A request no API route took: 405 with `Allow` when the path is an operation's with
/// another method, else the JSON 404 (a path id that is not an integer included).
pub struct Unrouted {
    allow: Vec<&'static str>,
}

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for Unrouted {
    type Error = std::convert::Infallible;

    async fn from_request(
        req: &'r rocket::Request<'_>,
    ) -> rocket::request::Outcome<Self, Self::Error> {
        let mut allow = allowed_methods(req);
        // The method is right but a path parameter did not parse (`/schools/abc`): 404.
        if allow.contains(&req.method().as_str()) {
            allow.clear();
        }
        rocket::request::Outcome::Success(Unrouted { allow })
    }
}

/// The methods the API's operations take at this request's path (with HEAD where GET is).
pub fn allowed_methods(req: &rocket::Request<'_>) -> Vec<&'static str> {
    let path: Vec<&str> = req.uri().path().segments().collect();
    let fallbacks: Vec<_> = fallback_routes()
        .into_iter()
        .filter_map(|r| r.name)
        .collect();
    let matching: Vec<_> = req
        .rocket()
        .routes()
        .filter(|r| !r.name.as_ref().is_some_and(|n| fallbacks.contains(n)))
        .filter(|r| path_matches(r.uri.path(), &path))
        .collect();
    // The path is the most specific routes' (`/school-pairings/publish`, not
    // `/school-pairings/<id>`), as routing prefers fixed segments.
    let fixed = |r: &&Route| {
        r.uri
            .path()
            .split('/')
            .filter(|s| !s.starts_with('<'))
            .count()
    };
    let most = matching.iter().map(fixed).max().unwrap_or(0);
    let mut allow: Vec<&'static str> = matching
        .iter()
        .filter(|r| fixed(r) == most)
        .map(|r| r.method.as_str())
        .collect();
    if allow.contains(&"GET") {
        allow.push("HEAD");
    }
    allow.sort_unstable();
    allow.dedup();
    allow
}

/// A request that reached no route (TRACE, for which no route can be declared, or a method
/// Rocket does not know, such as QUERY, which it refuses as a 400 before routing): 405 with
/// `Allow` when the path is an operation's, else nothing to say.
pub fn unrouted_method(req: &rocket::Request<'_>, status: Status) -> Option<Unrouted> {
    if req.route().is_some() || !matches!(status.code, 400 | 404) {
        return None;
    }
    let allow = allowed_methods(req);
    // A 400 here is Rocket's refusal of an unknown method, which it then calls GET.
    let refused_method = status.code == 400 || !allow.contains(&req.method().as_str());
    (!allow.is_empty() && refused_method).then_some(Unrouted { allow })
}

/// Whether a route's path (`/api/v1/schools/<id>`) takes these request segments.
fn path_matches(route: &str, path: &[&str]) -> bool {
    let pattern: Vec<&str> = route.split('/').filter(|s| !s.is_empty()).collect();
    if pattern.last().is_some_and(|s| s.ends_with("..>")) {
        let fixed = &pattern[..pattern.len() - 1];
        return path.len() >= fixed.len() && segments_match(fixed, &path[..fixed.len()]);
    }
    pattern.len() == path.len() && segments_match(&pattern, path)
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    pattern
        .iter()
        .zip(path)
        .all(|(p, s)| (p.starts_with('<') && p.ends_with('>')) || p == s)
}

impl<'r> rocket::response::Responder<'r, 'static> for Unrouted {
    fn respond_to(self, req: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        if self.allow.is_empty() {
            return AppError::NotFound.respond_to(req);
        }
        let lang = crate::web::guards::request_lang(req);
        let body = serde_json::json!({"error": {
            "code": "method_not_allowed",
            "message": lang.t("err-method-not-allowed"),
        }});
        rocket::Response::build_from(
            rocket::response::status::Custom(Status::MethodNotAllowed, Json(body))
                .respond_to(req)?,
        )
        .raw_header("Allow", self.allow.join(", "))
        .ok()
    }
}

pub use crate::domain::types::MAX_ID;

/// An id in a body (documentation: ids start at 1).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(value_type = i64, minimum = 1, maximum = 9007199254740991_i64)]
pub struct PositiveId(pub i64);

/// A subject (学科), e.g. `数学`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(value_type = String, min_length = 1, max_length = 20, pattern = r"\S")]
pub struct SubjectName(pub String);

/// One page of a list, as every list endpoint answers it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiPage<T: utoipa::ToSchema> {
    pub items: Vec<T>,
    /// The page number, from 1.
    pub page: u64,
    /// Items per page (1–100, default 20).
    pub per_page: u64,
    /// Matching items over all pages. Counting stops 200 items past the page asked
    /// for: when `total_exact` is false, `total` is a lower bound (there are more pages).
    pub total: u64,
    /// Whether `total` counts every matching item.
    pub total_exact: bool,
}

impl<T: utoipa::ToSchema> ApiPage<T> {
    /// A page of nothing (a filter on an unknown record).
    pub fn empty(request: PageRequest) -> Self {
        ApiPage {
            items: Vec::new(),
            page: request.page,
            per_page: request.per_page,
            total: 0,
            total_exact: true,
        }
    }

    pub fn from_paged<M>(paged: Paged<M>, f: impl FnMut(M) -> T) -> Self {
        let paged = paged.map(f);
        ApiPage {
            items: paged.items,
            page: paged.page,
            per_page: paged.per_page,
            total: paged.total,
            total_exact: paged.exact,
        }
    }
}

/// The query string of an API operation, read into `T` (a struct of optional text fields,
/// one per documented parameter; its `IntoParams` derive is the OpenAPI description, so the
/// two cannot drift). A parameter given twice (`?per_page=5&per_page=abc`) is refused with
/// a 422 naming it, like a bad value, instead of one of the two winning silently. The
/// handler then types the values with `QueryCheck`, which reports every bad one at once.
pub struct ApiQuery<T>(AppResult<T>);

impl<T> ApiQuery<T> {
    pub fn get(self) -> AppResult<T> {
        self.0
    }
}

#[rocket::async_trait]
impl<'r, T: serde::de::DeserializeOwned + Send> rocket::request::FromRequest<'r> for ApiQuery<T> {
    type Error = std::convert::Infallible;

    async fn from_request(
        req: &'r rocket::Request<'_>,
    ) -> rocket::request::Outcome<Self, Self::Error> {
        let query = req.uri().query().map(|q| q.as_str()).unwrap_or_default();
        rocket::request::Outcome::Success(ApiQuery(read_query(query)))
    }
}

/// The parameters of a query string as `T`; repeated names are an error.
fn read_query<T: serde::de::DeserializeOwned>(query: &str) -> AppResult<T> {
    let mut values = serde_json::Map::new();
    let mut errors = FieldErrors::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if values.contains_key(name.as_ref()) {
            if errors.get(&name).is_none() {
                errors.add(&name, Msg::new("err-api-repeated"));
            }
            continue;
        }
        values.insert(
            name.into_owned(),
            serde_json::Value::String(value.into_owned()),
        );
    }
    errors.into_result()?;
    serde_json::from_value(serde_json::Value::Object(values))
        .map_err(|_| AppError::invalid("query", Msg::new("err-api-query")))
}

/// Declares the query struct of a list operation: the given text fields (with their
/// documentation and schema) plus `page` and `per_page`.
macro_rules! list_query {
    ($(#[$meta:meta])* $name:ident { $($(#[$field_meta:meta])* $field:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
        #[into_params(parameter_in = Query)]
        #[serde(default)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: Option<String>,)*
            /// Page from 1
            #[param(value_type = Option<u64>, minimum = 1, maximum = 1000000)]
            pub page: Option<String>,
            /// Rows per page, 1–100, default 20
            #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
            pub per_page: Option<String>,
        }

        impl $name {
            /// `page` and `per_page`, strictly.
            pub fn page(&self, check: &mut $crate::web::api::QueryCheck) -> $crate::domain::paging::PageRequest {
                check.page(self.page.as_deref(), self.per_page.as_deref())
            }
        }
    };
}
pub(crate) use list_query;

/// Query-string checks for list endpoints: every bad parameter is reported at once, as a
/// 422 whose `fields` name the parameters.
#[derive(Default)]
pub struct QueryCheck {
    errors: FieldErrors,
}

impl QueryCheck {
    pub fn new() -> Self {
        Self::default()
    }

    /// `page` and `per_page`, strictly (given empty, they are bad values too).
    pub fn page(&mut self, page: Option<&str>, per_page: Option<&str>) -> PageRequest {
        fn given(v: Option<&str>) -> Option<&str> {
            v.map(|s| if s.trim().is_empty() { "x" } else { s })
        }
        match PageRequest::parse_strict(given(page), given(per_page)) {
            Ok(p) => p,
            Err(AppError::Invalid(e)) => {
                for (field, msgs) in e.0 {
                    for m in msgs {
                        self.errors.add(&field, m);
                    }
                }
                PageRequest::default()
            }
            Err(_) => PageRequest::default(),
        }
    }

    /// An enum word; absent means no filter, anything else must be one of the words.
    pub fn word<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let value = value?;
        let parsed = parse(value.trim());
        if parsed.is_none() {
            self.errors.add(field, Msg::new("err-choose"));
        }
        parsed
    }

    /// An integer id from 1 (to 2^53 − 1, as the documents say); absent means no filter.
    pub fn id(&mut self, field: &str, value: Option<&str>) -> Option<i64> {
        self.number_in(field, value, 1, MAX_ID)
    }

    /// A whole number from `min` to `max`; absent means no filter.
    pub fn number_in(
        &mut self,
        field: &str,
        value: Option<&str>,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let value = value?;
        match value.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.errors.add(field, Msg::new("err-not-a-number"));
                None
            }
        }
    }

    /// `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`); absent means false.
    pub fn flag(&mut self, field: &str, value: Option<&str>) -> bool {
        match value.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None | Some("false") | Some("0") | Some("no") | Some("off") => false,
            Some("true") | Some("1") | Some("yes") | Some("on") => true,
            Some(_) => {
                self.errors.add(field, Msg::new("err-api-flag"));
                false
            }
        }
    }

    /// A text filter (empty: none), at most `TEXT_MAX` characters.
    pub fn text(&mut self, field: &str, value: Option<&str>) -> String {
        let value = value.map(str::trim).unwrap_or_default();
        if value.chars().count() > Self::TEXT_MAX {
            self.errors
                .add(field, Msg::new("err-too-long").arg("max", Self::TEXT_MAX));
        }
        value.to_string()
    }

    /// The longest text filter (the documents say `maxLength: 100`).
    pub const TEXT_MAX: usize = 100;

    /// An academic year's name as a filter (`2026-2027`); absent: none.
    pub fn year_name(&mut self, field: &str, value: Option<&str>) -> String {
        let given = value.is_some();
        let value = self.text(field, value);
        let ok = (!given && value.is_empty())
            || (value.len() == 9
                && value.starts_with("20")
                && value[5..].starts_with("20")
                && value.as_bytes()[4] == b'-'
                && value.chars().filter(|c| c.is_ascii_digit()).count() == 8);
        if !ok {
            self.errors.add(field, Msg::new("err-year-name"));
        }
        value
    }

    pub fn finish(self) -> AppResult<()> {
        self.errors.into_result()
    }
}

/// A request body that must be a JSON object (serde would otherwise also read a struct
/// from an array, by position).
pub struct Obj<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectOnly<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOnly<T> {
            type Value = T;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }

        d.deserialize_map(ObjectOnly(std::marker::PhantomData))
            .map(Obj)
    }
}

/// 201 Created with the object and its `Location`.
pub fn created<T>(path: String, body: T) -> Created<Json<T>> {
    Created::new(format!("{PREFIX}{path}")).body(Json(body))
}

/// 204 No Content.
pub fn no_content() -> Status {
    Status::NoContent
}
