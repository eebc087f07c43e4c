//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the JSON API, generated from
//! the handlers' `#[utoipa::path]` annotations (a test checks that every mounted route is
//! in it).
use std::collections::BTreeMap;
use std::sync::OnceLock;

use rocket::response::content::RawJson;
use rocket::{get, routes};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::web::api::{
    academic_years, contributions, matching, observations, reflections, reports, resources,
    rubrics, school_pairings, schools, secondments, self_evaluations, session, summaries,
    teacher_pairings, teachers, tokens, users, visits,
};

/// Every error: `{"error":{"code","message","fields"}}`, in the request's language
/// (简体中文 by default; `Accept-Language: en` for English).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`, `invalid`,
    /// `too_many_requests`, `csrf` or `internal`.
    #[schema(example = "invalid")]
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// Messages per field (or query parameter), for 409 and 422.
    #[schema(example = json!({"code": ["学校标识码为 4–20 位字母或数字。"]}))]
    pub fields: Option<BTreeMap<String, Vec<String>>>,
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token from the profile page: `Authorization: Bearer tx_…`",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::web::guards::SESSION_COOKIE,
                "The session cookie set by `POST /api/v1/session`",
            ))),
        );
    }
}

/// The answers every operation can give besides its own: 401 when it needs a signed-in
/// caller, 403 (a role or school that may not, or a cookie write from another site), 404
/// for a path id, 400 and 422 for a body, 422 for query parameters. An operation that
/// documents one already keeps its own words.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Ref, RefOr, ResponseBuilder, content::ContentBuilder};
        let answer = |description: &str| -> RefOr<utoipa::openapi::Response> {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
                .into()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let public =
                    serde_json::to_value(&op.security).is_ok_and(|v| v == serde_json::json!([{}]));
                let has_query = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| serde_json::to_value(p).is_ok_and(|v| v["in"] == "query"));
                let mut add = |code: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| answer(description));
                };
                if !public {
                    add("401", "Not signed in, or the token is unknown or revoked");
                    add(
                        "403",
                        "Not allowed for the caller's role or school, or a cookie write from another site",
                    );
                }
                if path.contains('{') {
                    add("404", "No such record, or one the caller may not see");
                }
                if op.request_body.is_some() {
                    add(
                        "400",
                        "Missing or malformed JSON body, or not `application/json`",
                    );
                    add("422", "Invalid fields (`fields` names them)");
                }
                if has_query {
                    add(
                        "422",
                        "A bad or repeated query parameter (`fields` names it)",
                    );
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tongxing (同行) API",
        description = "Urban–rural school and teacher pairing. JSON field names are snake_case; \
            ids are integers; dates ISO 8601. Lists take `page` and `per_page` (at most 100) \
            and answer `{items, page, per_page, total}`. Writes use PUT with the whole object \
            (there is no PATCH). Errors are `{\"error\":{\"code\",\"message\",\"fields\"}}` \
            with 400/401/403/404/409/422."
    ),
    paths(
        session::create,
        session::show,
        session::destroy,
        tokens::list,
        tokens::create,
        tokens::revoke,
        schools::list,
        schools::show,
        schools::create,
        schools::update,
        schools::deactivate,
        schools::reactivate,
        school_pairings::list,
        school_pairings::show,
        school_pairings::create,
        school_pairings::update,
        school_pairings::publish,
        school_pairings::publish_many,
        school_pairings::terminate,
        school_pairings::request_termination,
        school_pairings::reject_request,
        school_pairings::destroy,
        teachers::list,
        teachers::show,
        teachers::create,
        teachers::update,
        teachers::deactivate,
        teachers::reactivate,
        users::list,
        users::show,
        users::create,
        users::update,
        users::deactivate,
        users::reactivate,
        academic_years::list,
        academic_years::show,
        academic_years::create,
        academic_years::update,
        academic_years::make_current,
        academic_years::destroy,
        teacher_pairings::list,
        teacher_pairings::show,
        teacher_pairings::create,
        teacher_pairings::update,
        teacher_pairings::publish,
        teacher_pairings::terminate,
        teacher_pairings::request_termination,
        teacher_pairings::reject_request,
        teacher_pairings::destroy,
        teacher_pairings::plan_show,
        teacher_pairings::plan_update,
        matching::suggestions,
        secondments::list,
        secondments::show,
        secondments::create,
        secondments::update,
        secondments::destroy,
        contributions::list,
        contributions::show,
        contributions::create,
        contributions::update,
        contributions::confirm,
        contributions::dispute,
        contributions::destroy,
        visits::list,
        visits::show,
        visits::create,
        visits::update,
        visits::destroy,
        resources::list,
        resources::show,
        resources::file,
        resources::create,
        resources::destroy,
        rubrics::rubrics_list,
        rubrics::rubrics_show,
        rubrics::rubrics_create,
        rubrics::rubrics_update,
        observations::observations_list,
        observations::observations_show,
        observations::observations_create,
        observations::observations_update,
        observations::observations_destroy,
        observations::observations_comment,
        reflections::reflections_list,
        reflections::reflections_show,
        reflections::reflections_create,
        reflections::reflections_update,
        reflections::reflections_comment,
        self_evaluations::list,
        self_evaluations::show,
        self_evaluations::create,
        self_evaluations::update,
        self_evaluations::submit,
        self_evaluations::appraise,
        self_evaluations::sign,
        self_evaluations::verify,
        self_evaluations::acknowledge,
        self_evaluations::return_step,
        self_evaluations::verify_many,
        summaries::work_list,
        summaries::work_show,
        summaries::work_create,
        summaries::work_update,
        summaries::work_submit,
        summaries::work_accept,
        summaries::work_return,
        summaries::school_list,
        summaries::school_show,
        summaries::school_create,
        summaries::school_update,
        summaries::school_submit,
        summaries::school_accept,
        summaries::school_return,
        reports::summary,
        reports::list,
        reports::mark_school,
        reports::mark_teacher,
        reports::prepare_preview,
        reports::prepare_apply,
        document,
    ),
    components(schemas(ErrorBody, ErrorDetail, crate::domain::reviews::MarkFilter)),
    modifiers(&SecuritySchemes, &CommonResponses),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "tokens", description = "Personal API tokens for scripts"),
        (name = "schools", description = "Schools (学校)"),
        (name = "school-pairings", description = "School pairings (学校结对)"),
        (name = "teachers", description = "Teachers (教师)"),
        (name = "users", description = "Accounts (bureau only)"),
        (name = "academic-years", description = "Academic years (学年)"),
        (name = "teacher-pairings", description = "Teacher pairings (师徒结对) and work plans (工作方案)"),
        (name = "secondments", description = "Secondments (支教/轮岗)"),
        (name = "contributions", description = "The support ledger (资金/物资帮扶): recorded by the giving school, confirmed or disputed by the receiving one"),
        (name = "resources", description = "The shared resource library (资源共享): files shared with a teacher pairing, a school pairing or everyone"),
        (name = "visits", description = "Exchange visits (互访): leader, teacher, training and student visits between the two schools of a pairing"),
        (name = "rubrics", description = "Rubric templates (评课表), versioned"),
        (name = "observations", description = "Lesson observations (听课记录) with comments"),
        (name = "reflections", description = "Reflections (教学反思) with comments"),
        (name = "self-evaluations", description = "Self-evaluations (自我鉴定): written by the teacher, appraised by the school where they worked, signed by the dispatching school (seconded teachers), verified by the bureau, acknowledged"),
        (name = "work-summaries", description = "Teachers' work summaries (支教工作总结, 结对帮扶工作总结), received by their school"),
        (name = "school-summaries", description = "Schools' annual summaries (学校结对帮扶工作总结), received by the bureau"),
        (name = "reports", description = "The bureau's figures of a year, of the whole or a district (the dashboard's and the annual report's)"),
        (name = "reviews", description = "The effectiveness review (效果评价): marks on the year's pairings and preparing next year's drafts from them"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The document as JSON, built once.
pub fn document_json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    })
}

/// This OpenAPI document.
#[utoipa::path(context_path = "/api/v1", operation_id = "openapi_document", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
#[get("/openapi.json")]
pub fn document() -> RawJson<&'static str> {
    RawJson(document_json())
}

pub fn routes() -> Vec<rocket::Route> {
    routes![document]
}
