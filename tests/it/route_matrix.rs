//! The authorization matrix, generated from the routes the app mounts: every route (pages
//! and `/api/v1`) is sent by seven callers — anonymous, a deactivated account, the bureau,
//! the admin of the mentee's school, the admin of an unrelated school, the mentee of the
//! pairing and a teacher of the unrelated school — and each answer is compared with the
//! one declared for that route in `DECLARED`. A mounted route with no declaration fails
//! the test (so no route ships without one), so does a declaration for a route that is not
//! mounted; a refused write must leave every table as it was.
//!
//! Pages are sent with a session cookie (and the CSRF token on unsafe methods), the API
//! with a bearer token. Unsafe methods carry an empty form or `{}`: the answers are the
//! refusals (sign-in, 403, 404) or the validation (400/409/422) a caller meets first.
use std::collections::BTreeMap;

use rocket::http::{ContentType, Header, Method, Status};
use sea_orm::{FromQueryResult, JsonValue, Statement};
use tongxing::domain::{observations, reflections, users};

use crate::common::{PASSWORD, TestApp, each_db};

/// The callers, in the order of each declaration's answers.
const CALLERS: [&str; 7] = [
    "anonymous",
    "deactivated",
    "bureau",
    "admin of the mentee's school",
    "admin of another school",
    "the mentee",
    "a teacher of another school",
];

/// (method, route as mounted, path to send, answers per caller). In the answers `L` is
/// "not signed in" (a page sends the browser to `/login`, the API answers 401) and `-`
/// is "not sent" (it would succeed and change data; the feature's own tests cover it).
/// Placeholders: `{school}` the mentee's school, `{other_school}`, `{teacher}` the
/// mentee, `{mentor}`, `{user}` the mentee's account, `{year}`, `{sp}` the school pairing,
/// `{tp}` the teacher pairing, `{obs}`, `{refl}`, `{rubric}`, `{none}` an id nobody has.
type Declaration = (&'static str, &'static str, &'static str, &'static str);

const DECLARED: &[Declaration] = &[
    // Self-evaluations: `{se}` the mentee's, submitted, waiting for the appraisal of the
    // mentee's school (the admin of the mentee's school is its appraiser).
    (
        "GET",
        "/self-evaluations?<query..>",
        "/self-evaluations",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/self-evaluations/new",
        "/self-evaluations/new",
        "L L 403 403 403 200 200",
    ),
    (
        "POST",
        "/self-evaluations",
        "/self-evaluations",
        "L L 403 403 403 422 422",
    ),
    (
        "GET",
        "/self-evaluations/<id>",
        "/self-evaluations/{se}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/self-evaluations/<id>/edit",
        "/self-evaluations/{se}/edit",
        "L L 403 403 404 409 404",
    ),
    (
        "POST",
        "/self-evaluations/<id>/edit",
        "/self-evaluations/{se}/edit",
        "L L 403 403 404 409 404",
    ),
    (
        "POST",
        "/self-evaluations/<id>/<action>",
        "/self-evaluations/{se}/appraise",
        "L L 403 422 404 403 404",
    ),
    (
        "GET",
        "/self-evaluations/<id>/print",
        "/self-evaluations/{se}/print",
        "L L 200 200 404 200 404",
    ),
    (
        "POST",
        "/self-evaluations/verify",
        "/self-evaluations/verify",
        "L L 303 403 403 403 403",
    ),
    // The year-end documents' API (`{se}`, `{sum}` as above; `{wsum}` the mentor's work
    // summary, submitted to the mentor's school, which no caller but the bureau sees).
    (
        "GET",
        "/api/v1/self-evaluations",
        "/api/v1/self-evaluations",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/self-evaluations/<id>",
        "/api/v1/self-evaluations/{se}",
        "L L 200 200 404 200 404",
    ),
    (
        "POST",
        "/api/v1/self-evaluations",
        "/api/v1/self-evaluations",
        "L L 403 403 403 422 422",
    ),
    (
        "PUT",
        "/api/v1/self-evaluations/<id>",
        "/api/v1/self-evaluations/{se}",
        "L L 403 403 404 409 404",
    ),
    (
        "POST",
        "/api/v1/self-evaluations/<id>/submit",
        "/api/v1/self-evaluations/{se}/submit",
        "L L 403 403 404 409 404",
    ),
    (
        "POST",
        "/api/v1/self-evaluations/<id>/appraise",
        "/api/v1/self-evaluations/{se}/appraise",
        "L L 403 422 404 403 404",
    ),
    (
        "POST",
        "/api/v1/self-evaluations/<id>/sign",
        "/api/v1/self-evaluations/{se}/sign",
        "L L 403 403 404 403 404",
    ),
    (
        "POST",
        "/api/v1/self-evaluations/<id>/verify",
        "/api/v1/self-evaluations/{se}/verify",
        "L L 409 403 404 403 404",
    ),
    (
        "POST",
        "/api/v1/self-evaluations/<id>/acknowledge",
        "/api/v1/self-evaluations/{se}/acknowledge",
        "L L 403 403 404 409 404",
    ),
    (
        "POST",
        "/api/v1/self-evaluations/<id>/return",
        "/api/v1/self-evaluations/{se}/return",
        "L L 409 422 404 403 404",
    ),
    (
        "POST",
        "/api/v1/self-evaluations/verify-many",
        "/api/v1/self-evaluations/verify-many",
        "L L 422 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/school-summaries",
        "/api/v1/school-summaries",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/school-summaries/<id>",
        "/api/v1/school-summaries/{sum}",
        "L L 200 200 404 404 404",
    ),
    (
        "POST",
        "/api/v1/school-summaries",
        "/api/v1/school-summaries",
        "L L 403 422 422 422 422",
    ),
    (
        "PUT",
        "/api/v1/school-summaries/<id>",
        "/api/v1/school-summaries/{sum}",
        "L L 403 409 404 404 404",
    ),
    (
        "POST",
        "/api/v1/school-summaries/<id>/submit",
        "/api/v1/school-summaries/{sum}/submit",
        "L L 403 409 404 404 404",
    ),
    (
        "POST",
        "/api/v1/school-summaries/<id>/accept",
        "/api/v1/school-summaries/{sum}/accept",
        "L L - 403 404 404 404",
    ),
    (
        "POST",
        "/api/v1/school-summaries/<id>/return",
        "/api/v1/school-summaries/{sum}/return",
        "L L 422 403 404 404 404",
    ),
    (
        "GET",
        "/api/v1/work-summaries",
        "/api/v1/work-summaries",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/work-summaries/<id>",
        "/api/v1/work-summaries/{wsum}",
        "L L 200 404 404 404 404",
    ),
    (
        "POST",
        "/api/v1/work-summaries",
        "/api/v1/work-summaries",
        "L L 403 422 422 422 422",
    ),
    (
        "PUT",
        "/api/v1/work-summaries/<id>",
        "/api/v1/work-summaries/{wsum}",
        "L L 403 404 404 404 404",
    ),
    (
        "POST",
        "/api/v1/work-summaries/<id>/submit",
        "/api/v1/work-summaries/{wsum}/submit",
        "L L 403 404 404 404 404",
    ),
    (
        "POST",
        "/api/v1/work-summaries/<id>/accept",
        "/api/v1/work-summaries/{wsum}/accept",
        "L L 403 404 404 404 404",
    ),
    (
        "POST",
        "/api/v1/work-summaries/<id>/return",
        "/api/v1/work-summaries/{wsum}/return",
        "L L 403 404 404 404 404",
    ),
    // The bureau's annual report of the pairing's year (nothing kept yet: an empty save
    // names no version and is stale) and the effectiveness review (next year is not
    // created: preparing it is refused).
    (
        "GET",
        "/reports/annual?<year>",
        "/reports/annual?year=2026-2027",
        "L L 200 403 403 403 403",
    ),
    (
        "POST",
        "/reports/annual?<year>",
        "/reports/annual?year=2026-2027",
        "L L 409 403 403 403 403",
    ),
    (
        "GET",
        "/reports/annual.docx?<year>",
        "/reports/annual.docx?year=2026-2027",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/reports/annual.xlsx?<year>",
        "/reports/annual.xlsx?year=2026-2027",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/reviews?<query..>",
        "/reviews?year=2026-2027",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/reviews/school-pairings/<id>?<year>",
        "/reviews/school-pairings/{sp}?year=2026-2027",
        "L L 200 403 403 403 403",
    ),
    (
        "POST",
        "/reviews/school-pairings/<id>?<year>",
        "/reviews/school-pairings/{sp}?year=2026-2027",
        "L L 422 403 403 403 403",
    ),
    (
        "GET",
        "/reviews/teacher-pairings/<id>",
        "/reviews/teacher-pairings/{tp}",
        "L L 200 403 403 403 403",
    ),
    (
        "POST",
        "/reviews/teacher-pairings/<id>",
        "/reviews/teacher-pairings/{tp}",
        "L L 422 403 403 403 403",
    ),
    (
        "GET",
        "/reviews/prepare?<year>",
        "/reviews/prepare?year=2026-2027",
        "L L 409 403 403 403 403",
    ),
    (
        "POST",
        "/reviews/prepare?<year>",
        "/reviews/prepare?year=2026-2027",
        "L L 409 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/reports/summary",
        "/api/v1/reports/summary?year=2026-2027",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/reviews",
        "/api/v1/reviews?year=2026-2027",
        "L L 200 403 403 403 403",
    ),
    (
        "PUT",
        "/api/v1/reviews/school-pairings/<id>",
        "/api/v1/reviews/school-pairings/{sp}?year=2026-2027",
        "L L 422 403 403 403 403",
    ),
    (
        "PUT",
        "/api/v1/reviews/teacher-pairings/<id>",
        "/api/v1/reviews/teacher-pairings/{tp}",
        "L L 422 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/reviews/prepare-next-year",
        "/api/v1/reviews/prepare-next-year?year=2026-2027",
        "L L 409 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/reviews/prepare-next-year",
        "/api/v1/reviews/prepare-next-year?year=2026-2027",
        "L L 409 403 403 403 403",
    ),
    // Year-end summaries: `{sum}` the mentee's school's annual summary as receiver,
    // submitted, waiting for the bureau to receive it.
    (
        "GET",
        "/summaries?<query..>",
        "/summaries",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/summaries/new",
        "/summaries/new",
        "L L 403 200 200 200 200",
    ),
    (
        "POST",
        "/summaries",
        "/summaries",
        "L L 403 422 422 422 422",
    ),
    (
        "GET",
        "/summaries/<id>",
        "/summaries/{sum}",
        "L L 200 200 404 404 404",
    ),
    (
        "GET",
        "/summaries/<id>/print",
        "/summaries/{sum}/print",
        "L L 200 200 404 404 404",
    ),
    (
        "GET",
        "/summaries/<id>/edit",
        "/summaries/{sum}/edit",
        "L L 403 409 404 404 404",
    ),
    (
        "POST",
        "/summaries/<id>/edit",
        "/summaries/{sum}/edit",
        "L L 403 409 404 404 404",
    ),
    (
        "POST",
        "/summaries/<id>/<action>",
        "/summaries/{sum}/accept",
        "L L 422 403 404 404 404",
    ),
    // Exchange visits: `{visit}` a teacher visit of the school pairing hosted by the
    // mentor's school, with one photo `{photo}`; admins of either school change it.
    (
        "GET",
        "/visits?<query..>",
        "/visits",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/visits/export.xlsx?<query..>",
        "/visits/export.xlsx",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/school-pairings/<id>/visits/new",
        "/school-pairings/{sp}/visits/new",
        "L L 403 200 404 403 404",
    ),
    (
        "POST",
        "/school-pairings/<id>/visits",
        "/school-pairings/{sp}/visits",
        "L L 403 422 404 403 403",
    ),
    (
        "GET",
        "/visits/<id>",
        "/visits/{visit}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/visits/<id>/edit",
        "/visits/{visit}/edit",
        "L L 403 200 404 403 404",
    ),
    (
        "POST",
        "/visits/<id>",
        "/visits/{visit}",
        "L L 403 422 404 403 404",
    ),
    (
        "POST",
        "/visits/<id>/delete",
        "/visits/{visit}/delete",
        "L L 403 - 404 403 404",
    ),
    (
        "POST",
        "/visits/<id>/photos",
        "/visits/{visit}/photos",
        "L L 403 422 404 403 404",
    ),
    (
        "GET",
        "/visits/<id>/photos/<photo>",
        "/visits/{visit}/photos/{photo}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/visits/<id>/photos/<photo>/thumb",
        "/visits/{visit}/photos/{photo}/thumb",
        "L L 200 200 404 200 404",
    ),
    (
        "POST",
        "/visits/<id>/photos/<photo>/delete",
        "/visits/{visit}/photos/{photo}/delete",
        "L L 403 - 404 403 404",
    ),
    (
        "GET",
        "/api/v1/visits",
        "/api/v1/visits",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/visits/<id>",
        "/api/v1/visits/{visit}",
        "L L 200 200 404 200 404",
    ),
    (
        "POST",
        "/api/v1/visits",
        "/api/v1/visits",
        "L L 403 422 422 403 403",
    ),
    (
        "PUT",
        "/api/v1/visits/<id>",
        "/api/v1/visits/{visit}",
        "L L 403 422 404 403 404",
    ),
    (
        "DELETE",
        "/api/v1/visits/<id>",
        "/api/v1/visits/{visit}",
        "L L 403 - 404 403 404",
    ),
    // Training weeks: `{week}` the mentee's first week at the mentor's school (the host,
    // whose admin is not among the callers, answers it); either admin may remove it.
    (
        "GET",
        "/training-weeks?<query..>",
        "/training-weeks",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/training-weeks/export.xlsx?<query..>",
        "/training-weeks/export.xlsx",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/school-pairings/<id>/training-weeks/new",
        "/school-pairings/{sp}/training-weeks/new",
        "L L 403 200 404 403 404",
    ),
    (
        "POST",
        "/school-pairings/<id>/training-weeks",
        "/school-pairings/{sp}/training-weeks",
        "L L 403 422 404 403 403",
    ),
    (
        "POST",
        "/training-weeks/<id>/attend",
        "/training-weeks/{week}/attend",
        "L L 403 403 404 403 404",
    ),
    (
        "POST",
        "/training-weeks/<id>/miss",
        "/training-weeks/{week}/miss",
        "L L 403 403 404 403 404",
    ),
    (
        "POST",
        "/training-weeks/<id>/reopen",
        "/training-weeks/{week}/reopen",
        "L L 403 403 404 403 404",
    ),
    (
        "POST",
        "/training-weeks/<id>/delete",
        "/training-weeks/{week}/delete",
        "L L 403 - 404 403 404",
    ),
    // The resource library: `{res}` a lesson plan the mentee shared with their pairing.
    (
        "GET",
        "/resources?<query..>",
        "/resources",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/resources/new?<school_pairing>&<teacher_pairing>",
        "/resources/new",
        "L L 200 200 200 200 200",
    ),
    (
        "POST",
        "/resources",
        "/resources",
        "L L 422 422 422 422 422",
    ),
    (
        "GET",
        "/resources/<id>/download",
        "/resources/{res}/download",
        "L L 200 200 404 200 404",
    ),
    (
        "POST",
        "/resources/<id>/delete",
        "/resources/{res}/delete",
        "L L - 403 404 - 404",
    ),
    (
        "GET",
        "/api/v1/resources",
        "/api/v1/resources",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/resources/<id>",
        "/api/v1/resources/{res}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/api/v1/resources/<id>/file",
        "/api/v1/resources/{res}/file",
        "L L 200 200 404 200 404",
    ),
    (
        "POST",
        "/api/v1/resources",
        "/api/v1/resources",
        "L L 400 400 400 400 400",
    ),
    (
        "DELETE",
        "/api/v1/resources/<id>",
        "/api/v1/resources/{res}",
        "L L - 403 404 - 404",
    ),
    // The support ledger: `{ledger}` was given by the mentor's school to the mentee's
    // school (whose admin is the receiver); teachers have no ledger.
    (
        "GET",
        "/contributions?<query..>",
        "/contributions",
        "L L 200 200 200 403 403",
    ),
    (
        "GET",
        "/contributions/export.xlsx?<query..>",
        "/contributions/export.xlsx",
        "L L 200 200 200 403 403",
    ),
    (
        "GET",
        "/school-pairings/<id>/contributions/new",
        "/school-pairings/{sp}/contributions/new",
        "L L 403 200 404 403 404",
    ),
    (
        "POST",
        "/school-pairings/<id>/contributions",
        "/school-pairings/{sp}/contributions",
        "L L 403 422 404 403 403",
    ),
    (
        "GET",
        "/contributions/<id>",
        "/contributions/{ledger}",
        "L L 200 200 404 404 404",
    ),
    (
        "GET",
        "/contributions/<id>/edit",
        "/contributions/{ledger}/edit",
        "L L 403 403 404 404 404",
    ),
    (
        "POST",
        "/contributions/<id>",
        "/contributions/{ledger}",
        "L L 403 403 404 404 404",
    ),
    (
        "POST",
        "/contributions/<id>/confirm",
        "/contributions/{ledger}/confirm",
        "L L 403 - 404 404 404",
    ),
    (
        "POST",
        "/contributions/<id>/dispute",
        "/contributions/{ledger}/dispute",
        "L L 403 422 404 404 404",
    ),
    (
        "POST",
        "/contributions/<id>/delete",
        "/contributions/{ledger}/delete",
        "L L - 403 404 404 404",
    ),
    (
        "GET",
        "/api/v1/contributions",
        "/api/v1/contributions",
        "L L 200 200 200 403 403",
    ),
    (
        "GET",
        "/api/v1/contributions/<id>",
        "/api/v1/contributions/{ledger}",
        "L L 200 200 404 404 404",
    ),
    (
        "POST",
        "/api/v1/contributions",
        "/api/v1/contributions",
        "L L 403 422 422 403 403",
    ),
    (
        "PUT",
        "/api/v1/contributions/<id>",
        "/api/v1/contributions/{ledger}",
        "L L 403 403 404 404 404",
    ),
    (
        "DELETE",
        "/api/v1/contributions/<id>",
        "/api/v1/contributions/{ledger}",
        "L L - 403 404 404 404",
    ),
    (
        "POST",
        "/api/v1/contributions/<id>/confirm",
        "/api/v1/contributions/{ledger}/confirm",
        "L L 403 - 404 404 404",
    ),
    (
        "POST",
        "/api/v1/contributions/<id>/dispute",
        "/api/v1/contributions/{ledger}/dispute",
        "L L 403 422 404 404 404",
    ),
    (
        "DELETE",
        "/api/v1/school-pairings/<id>",
        "/api/v1/school-pairings/{sp}",
        "L L 409 403 404 403 404",
    ),
    (
        "DELETE",
        "/api/v1/teacher-pairings/<id>",
        "/api/v1/teacher-pairings/{tp}",
        "L L 409 403 404 403 404",
    ),
    (
        "GET",
        "/school-pairings/<id>/delete",
        "/school-pairings/{sp}/delete",
        "L L 409 403 404 403 404",
    ),
    (
        "GET",
        "/teacher-pairings/<id>/delete",
        "/teacher-pairings/{tp}/delete",
        "L L 409 403 404 403 404",
    ),
    (
        "POST",
        "/school-pairings/<id>/delete",
        "/school-pairings/{sp}/delete",
        "L L 409 403 404 403 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>/delete",
        "/teacher-pairings/{tp}/delete",
        "L L 409 403 404 403 404",
    ),
    (
        "GET",
        "/teacher-pairings/<id>/terminate",
        "/teacher-pairings/{tp}/terminate",
        "L L 200 403 404 403 404",
    ),
    (
        "GET",
        "/teacher-pairings/<id>/request-termination",
        "/teacher-pairings/{tp}/request-termination",
        "L L 403 200 404 200 404",
    ),
    (
        "GET",
        "/api/v1/tokens",
        "/api/v1/tokens",
        "L L 200 200 200 200 200",
    ),
    (
        "POST",
        "/api/v1/tokens",
        "/api/v1/tokens",
        "L L 422 422 422 422 422",
    ),
    (
        "DELETE",
        "/api/v1/tokens/<id>",
        "/api/v1/tokens/{none}",
        "L L 404 404 404 404 404",
    ),
    (
        "OPTIONS",
        "/api/v1/<_..>",
        "/api/v1/x",
        "404 404 404 404 404 404 404",
    ),
    (
        "DELETE",
        "/api/v1/<_..>",
        "/api/v1/x",
        "404 404 404 404 404 404 404",
    ),
    (
        "DELETE",
        "/api/v1/academic-years/<id>",
        "/api/v1/academic-years/{year}",
        "L L - - - - -",
    ),
    (
        "DELETE",
        "/api/v1/observations/<id>",
        "/api/v1/observations/{obs}",
        "L L - 403 404 403 404",
    ),
    (
        "DELETE",
        "/api/v1/secondments/<id>",
        "/api/v1/secondments/{none}",
        "L L 404 404 404 404 404",
    ),
    (
        "DELETE",
        "/api/v1/session",
        "/api/v1/session",
        "200 200 200 200 200 200 200",
    ),
    ("GET", "/?<query..>", "/", "L L 200 200 200 200 200"),
    (
        "GET",
        "/academic-years",
        "/academic-years",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/academic-years/<_id>/<_page>",
        "/academic-years/x/x",
        "404 404 404 404 404 404 404",
    ),
    (
        "GET",
        "/academic-years/<id>/delete",
        "/academic-years/{year}/delete",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/academic-years/<id>/edit",
        "/academic-years/{year}/edit",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/academic-years/new",
        "/academic-years/new",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/<_..>",
        "/api/v1/x",
        "404 404 404 404 404 404 404",
    ),
    (
        "GET",
        "/api/v1/academic-years/<id>",
        "/api/v1/academic-years/{year}",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/academic-years",
        "/api/v1/academic-years",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/observations/<id>",
        "/api/v1/observations/{obs}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/api/v1/observations",
        "/api/v1/observations",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/openapi.json",
        "/api/v1/openapi.json",
        "200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/reflections/<id>",
        "/api/v1/reflections/{refl}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/api/v1/reflections",
        "/api/v1/reflections",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/rubrics",
        "/api/v1/rubrics",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/rubrics/<id>",
        "/api/v1/rubrics/{rubric}",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/school-pairings/<id>",
        "/api/v1/school-pairings/{sp}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/api/v1/school-pairings",
        "/api/v1/school-pairings",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/schools/<id>",
        "/api/v1/schools/{school}",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/schools",
        "/api/v1/schools",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/secondments/<id>",
        "/api/v1/secondments/{none}",
        "L L 404 404 404 404 404",
    ),
    (
        "GET",
        "/api/v1/secondments",
        "/api/v1/secondments",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/session",
        "/api/v1/session",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/teacher-pairings/<id>",
        "/api/v1/teacher-pairings/{tp}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/api/v1/teacher-pairings/<id>/plan",
        "/api/v1/teacher-pairings/{tp}/plan",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/api/v1/teacher-pairings/suggestions",
        "/api/v1/teacher-pairings/suggestions",
        "L L 422 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/teacher-pairings",
        "/api/v1/teacher-pairings",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/api/v1/teachers/<id>",
        "/api/v1/teachers/{teacher}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/api/v1/teachers",
        "/api/v1/teachers",
        "L L 200 200 200 403 403",
    ),
    (
        "GET",
        "/api/v1/users/<id>",
        "/api/v1/users/{user}",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/api/v1/users",
        "/api/v1/users",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/audit?<query..>",
        "/audit",
        "L L 200 403 403 403 403",
    ),
    ("GET", "/healthz", "/healthz", "200 200 200 200 200 200 200"),
    (
        "GET",
        "/imports/<_id>",
        "/imports/x",
        "L L 404 404 404 404 404",
    ),
    (
        "GET",
        "/imports/<id>",
        "/imports/{none}",
        "L L 404 404 404 404 404",
    ),
    (
        "GET",
        "/imports/schools",
        "/imports/schools",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/imports/schools/template.csv",
        "/imports/schools/template.csv",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/imports/schools/template.xlsx",
        "/imports/schools/template.xlsx",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/imports/teachers",
        "/imports/teachers",
        "L L 200 200 200 403 403",
    ),
    (
        "GET",
        "/imports/teachers/template.csv",
        "/imports/teachers/template.csv",
        "L L 200 200 200 403 403",
    ),
    (
        "GET",
        "/imports/teachers/template.xlsx",
        "/imports/teachers/template.xlsx",
        "L L 200 200 200 403 403",
    ),
    (
        "GET",
        "/login?<next>&<expired>&<kept>",
        "/login",
        "200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/mail-failures?<page>&<per_page>",
        "/mail-failures",
        "L L 200 403 403 403 403",
    ),
    ("GET", "/manage", "/manage", "L L 200 403 403 403 403"),
    (
        "GET",
        "/matching/<_kind>/<_id>",
        "/matching/x/x",
        "404 404 404 404 404 404 404",
    ),
    (
        "GET",
        "/matching/mentee/<id>?<year_id>",
        "/matching/mentee/{none}",
        "L L 404 403 403 403 403",
    ),
    (
        "GET",
        "/matching/school-pairing/<id>?<year_id>",
        "/matching/school-pairing/{sp}",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/notifications?<page>&<per_page>",
        "/notifications",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/observations/<id>",
        "/observations/{obs}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/observations/<id>/delete",
        "/observations/{obs}/delete",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/observations/<id>/edit",
        "/observations/{obs}/edit",
        "L L 403 403 404 403 404",
    ),
    (
        "GET",
        "/observations/export.xlsx?<query..>",
        "/observations/export.xlsx",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/observations?<query..>",
        "/observations",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/password-reset",
        "/password-reset",
        "200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/password-reset/<token>",
        "/password-reset/{none}",
        "400 400 400 400 400 400 400",
    ),
    ("GET", "/profile", "/profile", "L L 200 200 200 200 200"),
    ("GET", "/readyz", "/readyz", "200 200 200 200 200 200 200"),
    (
        "GET",
        "/reflections/<id>",
        "/reflections/{refl}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/reflections/<id>/edit",
        "/reflections/{refl}/edit",
        "L L 403 403 404 200 404",
    ),
    (
        "GET",
        "/reflections/export.xlsx?<query..>",
        "/reflections/export.xlsx",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/reflections?<query..>",
        "/reflections",
        "L L 200 200 200 200 200",
    ),
    ("GET", "/rubrics", "/rubrics", "L L 200 200 200 200 200"),
    (
        "GET",
        "/rubrics/<id>",
        "/rubrics/{rubric}",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/rubrics/<id>/edit",
        "/rubrics/{rubric}/edit",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/rubrics/new",
        "/rubrics/new",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/school-pairings/<_id>",
        "/school-pairings/x",
        "L L 404 404 404 404 404",
    ),
    (
        "GET",
        "/school-pairings/<id>",
        "/school-pairings/{sp}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/school-pairings/<id>/edit",
        "/school-pairings/{sp}/edit",
        "L L 409 403 403 403 403",
    ),
    (
        "GET",
        "/school-pairings/<id>/request-termination",
        "/school-pairings/{sp}/request-termination",
        "L L 403 200 404 403 403",
    ),
    (
        "GET",
        "/school-pairings/<id>/terminate",
        "/school-pairings/{sp}/terminate",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/school-pairings/new",
        "/school-pairings/new",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/school-pairings?<query..>",
        "/school-pairings",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/schools/<_id>",
        "/schools/x",
        "L L 404 404 404 404 404",
    ),
    (
        "GET",
        "/schools/<id>",
        "/schools/{school}",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/schools/<id>/edit",
        "/schools/{school}/edit",
        "L L 200 200 403 403 403",
    ),
    (
        "GET",
        "/schools/export.csv?<params..>",
        "/schools/export.csv",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/schools/export.xlsx?<params..>",
        "/schools/export.xlsx",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/schools/new",
        "/schools/new",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/schools?<params..>",
        "/schools",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/secondments/<id>/edit",
        "/secondments/{none}/edit",
        "L L 404 404 404 404 404",
    ),
    (
        "GET",
        "/secondments/new?<teacher_id>",
        "/secondments/new",
        "L L 200 200 200 403 403",
    ),
    (
        "GET",
        "/secondments?<query..>",
        "/secondments",
        "L L 200 200 200 200 200",
    ),
    ("GET", "/settings", "/settings", "L L 200 403 403 403 403"),
    ("GET", "/setup", "/setup", "404 404 404 404 404 404 404"),
    (
        "GET",
        "/static/app.css",
        "/static/app.css",
        "200 200 200 200 200 200 200",
    ),
    (
        "GET",
        "/teacher-pairings/<_id>",
        "/teacher-pairings/x",
        "L L 404 404 404 404 404",
    ),
    (
        "GET",
        "/teacher-pairings/<id>",
        "/teacher-pairings/{tp}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/teacher-pairings/<id>/edit",
        "/teacher-pairings/{tp}/edit",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/teacher-pairings/<id>/observations/new?<rubric>",
        "/teacher-pairings/{tp}/observations/new",
        "L L 403 403 404 200 404",
    ),
    (
        "GET",
        "/teacher-pairings/<id>/plan",
        "/teacher-pairings/{tp}/plan",
        "L L 200 403 404 403 404",
    ),
    (
        "GET",
        "/teacher-pairings/<id>/reflections/new?<observation>",
        "/teacher-pairings/{tp}/reflections/new",
        "L L 403 403 403 200 404",
    ),
    (
        "GET",
        "/teacher-pairings/new?<mentor_id>&<mentee_id>&<subject>&<school_pairing_id>",
        "/teacher-pairings/new",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/teacher-pairings?<query..>",
        "/teacher-pairings",
        "L L 200 200 200 200 200",
    ),
    (
        "GET",
        "/teachers/<_id>",
        "/teachers/x",
        "L L 404 404 404 404 404",
    ),
    (
        "GET",
        "/teachers/<_id>/edit",
        "/teachers/x/edit",
        "L L 404 404 404 404 404",
    ),
    (
        "GET",
        "/teachers/<id>",
        "/teachers/{teacher}",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/teachers/<id>/edit",
        "/teachers/{teacher}/edit",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/teachers/<id>/growth",
        "/teachers/{teacher}/growth",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/teachers/<id>/growth.svg",
        "/teachers/{teacher}/growth.svg",
        "L L 200 200 404 200 404",
    ),
    (
        "GET",
        "/teachers/export.csv?<params..>",
        "/teachers/export.csv",
        "L L 200 200 200 403 403",
    ),
    (
        "GET",
        "/teachers/export.xlsx?<params..>",
        "/teachers/export.xlsx",
        "L L 200 200 200 403 403",
    ),
    (
        "GET",
        "/teachers/new?<school_id>",
        "/teachers/new",
        "L L 200 200 200 403 403",
    ),
    (
        "GET",
        "/teachers?<params..>",
        "/teachers",
        "L L 200 200 200 403 403",
    ),
    ("GET", "/users/<_id>", "/users/x", "L L 404 403 403 403 403"),
    (
        "GET",
        "/users/<_id>/edit",
        "/users/x/edit",
        "L L 404 403 403 403 403",
    ),
    (
        "GET",
        "/users/<id>",
        "/users/{user}",
        "L L 303 403 403 403 403",
    ),
    (
        "GET",
        "/users/<id>/edit",
        "/users/{user}/edit",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/users/export.csv?<params..>",
        "/users/export.csv",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/users/export.xlsx?<params..>",
        "/users/export.xlsx",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/users/new?<teacher_id>",
        "/users/new",
        "L L 200 403 403 403 403",
    ),
    (
        "GET",
        "/users?<q>&<role>&<page>&<per_page>",
        "/users",
        "L L 200 403 403 403 403",
    ),
    (
        "PATCH",
        "/api/v1/<_..>",
        "/api/v1/x",
        "404 404 404 404 404 404 404",
    ),
    (
        "POST",
        "/academic-years",
        "/academic-years",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/academic-years/<_id>",
        "/academic-years/x",
        "L L 404 404 404 404 404",
    ),
    (
        "POST",
        "/academic-years/<_id>/<_action>",
        "/academic-years/x/x",
        "404 404 404 404 404 404 404",
    ),
    (
        "POST",
        "/academic-years/<id>",
        "/academic-years/{year}",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/academic-years/<id>/delete",
        "/academic-years/{year}/delete",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/academic-years/<id>/make-current",
        "/academic-years/{year}/make-current",
        "L L - 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/<_..>",
        "/api/v1/x",
        "404 404 404 404 404 404 404",
    ),
    (
        "POST",
        "/api/v1/academic-years",
        "/api/v1/academic-years",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/academic-years/<id>/make-current",
        "/api/v1/academic-years/{year}/make-current",
        "L L - 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/observations",
        "/api/v1/observations",
        "L L 422 422 422 422 422",
    ),
    (
        "POST",
        "/api/v1/observations/<id>/comments",
        "/api/v1/observations/{obs}/comments",
        "L L 403 403 404 422 404",
    ),
    (
        "POST",
        "/api/v1/reflections",
        "/api/v1/reflections",
        "L L 422 422 422 422 422",
    ),
    (
        "POST",
        "/api/v1/reflections/<id>/comments",
        "/api/v1/reflections/{refl}/comments",
        "L L 403 403 404 422 404",
    ),
    (
        "POST",
        "/api/v1/rubrics",
        "/api/v1/rubrics",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/school-pairings",
        "/api/v1/school-pairings",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/school-pairings/<id>/publish",
        "/api/v1/school-pairings/{sp}/publish",
        "L L 409 403 404 403 404",
    ),
    (
        "POST",
        "/api/v1/school-pairings/<id>/reject-request",
        "/api/v1/school-pairings/{sp}/reject-request",
        "L L 409 403 404 403 404",
    ),
    (
        "POST",
        "/api/v1/school-pairings/<id>/request-termination",
        "/api/v1/school-pairings/{sp}/request-termination",
        "L L 403 422 404 403 404",
    ),
    (
        "POST",
        "/api/v1/school-pairings/<id>/terminate",
        "/api/v1/school-pairings/{sp}/terminate",
        "L L 422 403 404 403 404",
    ),
    (
        "POST",
        "/api/v1/school-pairings/publish",
        "/api/v1/school-pairings/publish",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/schools",
        "/api/v1/schools",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/schools/<id>/deactivate",
        "/api/v1/schools/{school}/deactivate",
        "L L - 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/schools/<id>/reactivate",
        "/api/v1/schools/{school}/reactivate",
        "L L - 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/secondments",
        "/api/v1/secondments",
        "L L 422 422 422 403 403",
    ),
    (
        "POST",
        "/api/v1/session",
        "/api/v1/session",
        "422 422 422 422 422 422 422",
    ),
    (
        "POST",
        "/api/v1/teacher-pairings",
        "/api/v1/teacher-pairings",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/teacher-pairings/<id>/publish",
        "/api/v1/teacher-pairings/{tp}/publish",
        "L L 200 403 404 403 404",
    ),
    (
        "POST",
        "/api/v1/teacher-pairings/<id>/reject-request",
        "/api/v1/teacher-pairings/{tp}/reject-request",
        "L L 409 403 404 403 404",
    ),
    (
        "POST",
        "/api/v1/teacher-pairings/<id>/request-termination",
        "/api/v1/teacher-pairings/{tp}/request-termination",
        "L L 403 422 404 422 404",
    ),
    (
        "POST",
        "/api/v1/teacher-pairings/<id>/terminate",
        "/api/v1/teacher-pairings/{tp}/terminate",
        "L L 422 403 404 403 404",
    ),
    (
        "POST",
        "/api/v1/teachers",
        "/api/v1/teachers",
        "L L 422 422 422 403 403",
    ),
    (
        "POST",
        "/api/v1/teachers/<id>/deactivate",
        "/api/v1/teachers/{teacher}/deactivate",
        "L L - - 404 403 403",
    ),
    (
        "POST",
        "/api/v1/teachers/<id>/reactivate",
        "/api/v1/teachers/{teacher}/reactivate",
        "L L - - 404 403 403",
    ),
    (
        "POST",
        "/api/v1/users",
        "/api/v1/users",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/users/<id>/deactivate",
        "/api/v1/users/{user}/deactivate",
        "L L - 403 403 403 403",
    ),
    (
        "POST",
        "/api/v1/users/<id>/reactivate",
        "/api/v1/users/{user}/reactivate",
        "L L - 403 403 403 403",
    ),
    (
        "POST",
        "/imports/<id>/cancel",
        "/imports/{none}/cancel",
        "L L 404 404 404 404 404",
    ),
    (
        "POST",
        "/imports/<id>/confirm",
        "/imports/{none}/confirm",
        "L L 404 404 404 404 404",
    ),
    (
        "POST",
        "/imports/schools",
        "/imports/schools",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/imports/teachers",
        "/imports/teachers",
        "L L 422 422 422 403 403",
    ),
    ("POST", "/lang", "/lang", "- - - - - - -"),
    ("POST", "/login", "/login", "- - - - - - -"),
    ("POST", "/logout", "/logout", "L L L L L L L"),
    (
        "POST",
        "/mail-failures/<id>/retry",
        "/mail-failures/{none}/retry",
        "L L 404 403 403 403 403",
    ),
    (
        "POST",
        "/matching/mentee/<id>/drafts",
        "/matching/mentee/{none}/drafts",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/matching/school-pairing/<id>/drafts",
        "/matching/school-pairing/{sp}/drafts",
        "L L 200 403 403 403 403",
    ),
    (
        "POST",
        "/notifications/<id>/read",
        "/notifications/{none}/read",
        "L L 404 404 404 404 404",
    ),
    (
        "POST",
        "/notifications/read-all",
        "/notifications/read-all",
        "L L - - 303 - 303",
    ),
    (
        "POST",
        "/observations/<id>",
        "/observations/{obs}",
        "L L 403 403 404 403 404",
    ),
    (
        "POST",
        "/observations/<id>/comments",
        "/observations/{obs}/comments",
        "L L 403 403 404 422 404",
    ),
    (
        "POST",
        "/observations/<id>/delete",
        "/observations/{obs}/delete",
        "L L - 403 404 403 404",
    ),
    (
        "POST",
        "/password-reset",
        "/password-reset",
        "- - - - - - -",
    ),
    (
        "POST",
        "/password-reset/<token>",
        "/password-reset/{none}",
        "422 422 422 422 422 422 422",
    ),
    (
        "POST",
        "/profile/password",
        "/profile/password",
        "L L 422 422 422 422 422",
    ),
    (
        "POST",
        "/profile/sessions/<id>/end",
        "/profile/sessions/{none}/end",
        "L L L L L L L",
    ),
    (
        "POST",
        "/profile/sessions/end-all",
        "/profile/sessions/end-all",
        "L L L L L L L",
    ),
    (
        "POST",
        "/profile/tokens",
        "/profile/tokens",
        "L L 422 422 422 422 422",
    ),
    (
        "POST",
        "/profile/tokens/<id>/revoke",
        "/profile/tokens/{none}/revoke",
        "L L 404 404 404 404 404",
    ),
    (
        "POST",
        "/reflections/<id>",
        "/reflections/{refl}",
        "L L 403 403 404 409 404",
    ),
    (
        "POST",
        "/reflections/<id>/comments",
        "/reflections/{refl}/comments",
        "L L 403 403 404 422 404",
    ),
    ("POST", "/rubrics", "/rubrics", "L L 422 403 403 403 403"),
    (
        "POST",
        "/rubrics/<id>",
        "/rubrics/{rubric}",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/rubrics/<id>/active/<on>",
        "/rubrics/{rubric}/active/{none}",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/school-pairings",
        "/school-pairings",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/school-pairings/<id>",
        "/school-pairings/{sp}",
        "L L 409 403 404 403 404",
    ),
    (
        "POST",
        "/school-pairings/<id>/publish",
        "/school-pairings/{sp}/publish",
        "L L 303 403 404 403 404",
    ),
    (
        "POST",
        "/school-pairings/<id>/reject-request",
        "/school-pairings/{sp}/reject-request",
        "L L 409 403 404 403 404",
    ),
    (
        "POST",
        "/school-pairings/<id>/request-termination",
        "/school-pairings/{sp}/request-termination",
        "L L 403 422 404 403 403",
    ),
    (
        "POST",
        "/school-pairings/<id>/terminate",
        "/school-pairings/{sp}/terminate",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/school-pairings/publish",
        "/school-pairings/publish",
        "L L 422 403 403 403 403",
    ),
    ("POST", "/schools", "/schools", "L L 422 403 403 403 403"),
    (
        "POST",
        "/schools/<id>",
        "/schools/{school}",
        "L L 422 - 403 403 403",
    ),
    (
        "POST",
        "/schools/<id>/deactivate",
        "/schools/{school}/deactivate",
        "L L - 403 403 403 403",
    ),
    (
        "POST",
        "/schools/<id>/reactivate",
        "/schools/{school}/reactivate",
        "L L - 403 403 403 403",
    ),
    (
        "POST",
        "/secondments",
        "/secondments",
        "L L 422 422 422 403 403",
    ),
    (
        "POST",
        "/secondments/<id>",
        "/secondments/{none}",
        "L L 404 404 404 404 404",
    ),
    (
        "POST",
        "/secondments/<id>/delete",
        "/secondments/{none}/delete",
        "L L 404 404 404 404 404",
    ),
    ("POST", "/settings", "/settings", "L L 422 403 403 403 403"),
    ("POST", "/setup", "/setup", "404 404 404 404 404 404 404"),
    (
        "POST",
        "/teacher-pairings",
        "/teacher-pairings",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/teacher-pairings/<_id>/<_action>",
        "/teacher-pairings/x/x",
        "404 404 404 404 404 404 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>",
        "/teacher-pairings/{tp}",
        "L L 422 403 404 403 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>/comments",
        "/teacher-pairings/{tp}/comments",
        "L L 422 403 404 422 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>/contacts",
        "/teacher-pairings/{tp}/contacts",
        "L L 403 403 404 303 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>/end-reason",
        "/teacher-pairings/{tp}/end-reason",
        "L L 403 403 404 409 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>/observations",
        "/teacher-pairings/{tp}/observations",
        "L L 403 403 404 422 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>/plan",
        "/teacher-pairings/{tp}/plan",
        "L L 422 403 404 403 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>/publish",
        "/teacher-pairings/{tp}/publish",
        "L L 303 403 404 403 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>/reflections",
        "/teacher-pairings/{tp}/reflections",
        "L L 403 403 404 422 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>/reject-request",
        "/teacher-pairings/{tp}/reject-request",
        "L L 409 403 404 403 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>/request-termination",
        "/teacher-pairings/{tp}/request-termination",
        "L L 403 422 404 422 404",
    ),
    (
        "POST",
        "/teacher-pairings/<id>/terminate",
        "/teacher-pairings/{tp}/terminate",
        "L L 422 403 404 403 404",
    ),
    (
        "POST",
        "/teacher-pairings/publish",
        "/teacher-pairings/publish",
        "L L 303 403 403 403 403",
    ),
    ("POST", "/teachers", "/teachers", "L L 422 422 422 403 403"),
    (
        "POST",
        "/teachers/<_id>",
        "/teachers/x",
        "L L 404 404 404 404 404",
    ),
    (
        "POST",
        "/teachers/<_id>/<_action>",
        "/teachers/x/x",
        "404 404 404 404 404 404 404",
    ),
    (
        "POST",
        "/teachers/<id>",
        "/teachers/{teacher}",
        "L L 422 422 404 - 404",
    ),
    (
        "POST",
        "/teachers/<id>/deactivate",
        "/teachers/{teacher}/deactivate",
        "L L - - 404 403 403",
    ),
    (
        "POST",
        "/teachers/<id>/reactivate",
        "/teachers/{teacher}/reactivate",
        "L L - - 404 403 403",
    ),
    ("POST", "/users", "/users", "L L 422 403 403 403 403"),
    (
        "POST",
        "/users/<_id>",
        "/users/x",
        "L L 404 403 403 403 403",
    ),
    (
        "POST",
        "/users/<_id>/<_action>",
        "/users/x/x",
        "L L 404 403 403 403 403",
    ),
    (
        "POST",
        "/users/<id>",
        "/users/{user}",
        "L L 422 403 403 403 403",
    ),
    (
        "POST",
        "/users/<id>/deactivate",
        "/users/{user}/deactivate",
        "L L - 403 403 403 403",
    ),
    (
        "POST",
        "/users/<id>/reactivate",
        "/users/{user}/reactivate",
        "L L - 403 403 403 403",
    ),
    (
        "POST",
        "/users/<id>/send-reset",
        "/users/{user}/send-reset",
        "L L - 403 403 403 403",
    ),
    (
        "PUT",
        "/api/v1/<_..>",
        "/api/v1/x",
        "404 404 404 404 404 404 404",
    ),
    (
        "PUT",
        "/api/v1/academic-years/<id>",
        "/api/v1/academic-years/{year}",
        "L L 422 403 403 403 403",
    ),
    (
        "PUT",
        "/api/v1/observations/<id>",
        "/api/v1/observations/{obs}",
        "L L 403 403 404 403 404",
    ),
    (
        "PUT",
        "/api/v1/reflections/<id>",
        "/api/v1/reflections/{refl}",
        "L L 403 403 404 422 404",
    ),
    (
        "PUT",
        "/api/v1/rubrics/<id>",
        "/api/v1/rubrics/{rubric}",
        "L L 422 403 403 403 403",
    ),
    (
        "PUT",
        "/api/v1/school-pairings/<id>",
        "/api/v1/school-pairings/{sp}",
        "L L 409 403 404 403 404",
    ),
    (
        "PUT",
        "/api/v1/schools/<id>",
        "/api/v1/schools/{school}",
        "L L 422 - 403 403 403",
    ),
    (
        "PUT",
        "/api/v1/secondments/<id>",
        "/api/v1/secondments/{none}",
        "L L 404 404 404 404 404",
    ),
    (
        "PUT",
        "/api/v1/teacher-pairings/<id>",
        "/api/v1/teacher-pairings/{tp}",
        "L L 409 403 404 403 404",
    ),
    (
        "PUT",
        "/api/v1/teacher-pairings/<id>/plan",
        "/api/v1/teacher-pairings/{tp}/plan",
        "L L 422 403 404 403 404",
    ),
    (
        "PUT",
        "/api/v1/teachers/<id>",
        "/api/v1/teachers/{teacher}",
        "L L 422 422 404 - 404",
    ),
    (
        "PUT",
        "/api/v1/users/<id>",
        "/api/v1/users/{user}",
        "L L 422 403 403 403 403",
    ),
];

/// The mounted routes, each as "METHOD uri".
fn mounted(app: &TestApp) -> Vec<(String, String)> {
    app.client
        .rocket()
        .routes()
        .map(|r| (r.method.as_str().to_string(), r.uri.to_string()))
        .collect()
}

/// The routes with no declaration, and the declarations with no route.
fn undeclared(routes: &[(String, String)], declared: &[Declaration]) -> (Vec<String>, Vec<String>) {
    let missing = routes
        .iter()
        .filter(|(m, u)| !declared.iter().any(|d| d.0 == m && d.1 == u))
        .map(|(m, u)| format!("{m} {u}"))
        .collect();
    let stale = declared
        .iter()
        .filter(|d| !routes.iter().any(|(m, u)| d.0 == m && d.1 == u))
        .map(|d| format!("{} {}", d.0, d.1))
        .collect();
    (missing, stale)
}

/// Every table's rows as JSON, but the sessions' and the sign-in throttle's.
async fn everything(app: &TestApp) -> BTreeMap<String, Vec<JsonValue>> {
    let backend = app.db.get_database_backend();
    let list = match app.backend {
        crate::common::Backend::Sqlite => {
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        crate::common::Backend::Postgres => {
            "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'"
        }
    };
    let tables = JsonValue::find_by_statement(Statement::from_string(backend, list))
        .all(&app.db)
        .await
        .expect("tables");
    let mut out = BTreeMap::new();
    for t in tables {
        let name = t["t"].as_str().unwrap_or_default().to_string();
        // A request touches its session; a failed sign-in is counted for the throttle.
        if matches!(
            name.as_str(),
            "sessions" | "seaql_migrations" | "throttle_events"
        ) {
            continue;
        }
        let rows = JsonValue::find_by_statement(Statement::from_string(
            backend,
            format!("SELECT * FROM {name} ORDER BY 1"),
        ))
        .all(&app.db)
        .await
        .expect("rows");
        out.insert(name, rows);
    }
    out
}

/// The ids the declarations' placeholders stand for.
struct Ids(Vec<(&'static str, i64)>);

impl Ids {
    fn path(&self, template: &str) -> String {
        let mut p = template.to_string();
        for (k, v) in &self.0 {
            p = p.replace(&format!("{{{k}}}"), &v.to_string());
        }
        p
    }
}

/// The world every declaration is written against.
async fn scene(app: &TestApp) -> (Ids, Vec<Option<tongxing::entities::users::Model>>) {
    let (w, year, tp) = crate::teacher_pairings::setup(app).await;
    let bureau = &w.bureau_actor;
    let other = app.school(bureau, "星子中学", "4418820009", "rural").await;
    let other_admin = app
        .user(
            bureau,
            "other-admin@tongxing.test",
            "school_admin",
            Some(other.id),
            None,
        )
        .await;
    let other_teacher = app.teacher(bureau, other.id, "黄老师", "T-OTHER").await;
    let other_teacher_user = app
        .user(
            bureau,
            "other-teacher@tongxing.test",
            "teacher",
            Some(other.id),
            Some(other_teacher.id),
        )
        .await;
    let gone = app
        .user(
            bureau,
            "gone@tongxing.test",
            "school_admin",
            Some(w.rural.id),
            None,
        )
        .await;
    let sp =
        crate::school_pairings::active(app, &w, w.urban.id, w.rural.id, "2026-2027", "2026-2027")
            .await;
    crate::observations::began_days_ago(app, tp, 30).await;
    let rubric = crate::observations::classroom(app).await;
    let date = (tongxing::domain::types::today() - chrono::Duration::days(1)).to_string();
    let obs = observations::create(
        &app.db,
        &users::actor_of(&w.mentor_user),
        tp,
        &observations::ObservationForm::from_pairs(&crate::observations::full_form(
            &rubric, &date, 0.0,
        )),
        crate::common::ctx(),
    )
    .await
    .expect("observation");
    let refl = reflections::create(
        &app.db,
        &users::actor_of(&w.mentee_user),
        tp,
        &reflections::ReflectionForm {
            title: "反思".into(),
            body: "课后反思".into(),
            ..Default::default()
        },
        crate::common::ctx(),
    )
    .await
    .expect("reflection");
    let ledger = tongxing::domain::contributions::create(
        &app.db,
        &users::actor_of(&w.urban_admin),
        sp,
        &tongxing::domain::contributions::ContributionForm {
            given_on: date.clone(),
            kind: "books".into(),
            description: "图书 200 册".into(),
            value: "3000".into(),
            ..Default::default()
        },
        crate::common::ctx(),
    )
    .await
    .expect("ledger item");
    // A teacher visit hosted by the mentor's school with the mentee, one photo, and a
    // term of training weeks for the mentee at the mentor's school.
    let urban_admin = users::actor_of(&w.urban_admin);
    let day = (tongxing::domain::types::today() - chrono::Duration::days(3)).to_string();
    let visit = tongxing::domain::visits::create(
        &app.db,
        &urban_admin,
        sp,
        &tongxing::domain::visits::VisitForm {
            kind: "teacher".into(),
            host_school_id: w.urban.id.to_string(),
            starts_on: day.clone(),
            ends_on: day,
            teacher_ids: vec![w.mentor.id.to_string(), w.mentee.id.to_string()],
            activities: vec!["open_class".into()],
            summary: "听课交流".into(),
            ..Default::default()
        },
        crate::common::ctx(),
    )
    .await
    .expect("visit");
    let photo = tongxing::domain::photos::add(
        &app.db,
        &app.store(),
        &urban_admin,
        visit.id,
        vec![Ok(crate::visits::jpeg_with_exif(40, 30))],
    )
    .await
    .expect("photo")
    .remove(0);
    tongxing::domain::training::schedule(
        &app.db,
        &urban_admin,
        sp,
        &tongxing::domain::training::ScheduleForm {
            academic_year_id: year.to_string(),
            term: "1".into(),
            week_of_month: "1".into(),
            teacher_ids: vec![w.mentee.id.to_string()],
        },
    )
    .await
    .expect("training weeks");
    let week = app.scalar("SELECT MIN(id) AS n FROM training_weeks").await;
    // A lesson plan the mentee shared with their pairing.
    let resource = tongxing::domain::resources::create(
        &app.db,
        &app.store(),
        &users::actor_of(&w.mentee_user),
        &tongxing::domain::resources::ResourceForm {
            title: "一元一次方程 教案".into(),
            kind: "lesson_plan".into(),
            visibility: "teacher_pairing".into(),
            teacher_pairing_id: tp.to_string(),
            ..Default::default()
        },
        Some(tongxing::domain::resources::Upload {
            name: "教案.pdf".into(),
            bytes: Ok(b"%PDF-1.4\n%%EOF\n".to_vec()),
        }),
    )
    .await
    .expect("resource");
    // The mentee's self-evaluation of the year, written and submitted.
    let mentee = users::actor_of(&w.mentee_user);
    let se = tongxing::domain::self_evaluations::begin(
        &app.db,
        &mentee,
        &tongxing::domain::self_evaluations::BeginForm {
            academic_year_id: year.to_string(),
            context: "mentee".into(),
        },
    )
    .await
    .expect("self-evaluation");
    let se = crate::self_evaluations::written(app, &mentee, se.id).await;
    // The mentee's school's annual summary as the receiving school, submitted.
    let rural = users::actor_of(&w.rural_admin);
    let sum = tongxing::domain::summaries::begin(
        &app.db,
        &rural,
        &tongxing::domain::summaries::BeginForm {
            academic_year_id: year.to_string(),
            kind: "receiver".into(),
        },
    )
    .await
    .expect("summary");
    let sum = tongxing::domain::summaries::save(
        &app.db,
        &rural,
        sum.id,
        &tongxing::domain::summaries::TextForm {
            sections: tongxing::domain::summaries::SCHOOL_SECTIONS
                .iter()
                .map(|k| (k.to_string(), "写好了".to_string()))
                .collect(),
            version: "1".into(),
        },
    )
    .await
    .expect("summary text");
    tongxing::domain::summaries::act(
        &app.db,
        &rural,
        sum.id,
        tongxing::domain::summaries::Action::Submit,
        &tongxing::domain::summaries::StepForm {
            version: sum.version.to_string(),
            ..Default::default()
        },
        crate::common::ctx(),
    )
    .await
    .expect("summary submitted");
    // The mentor's work summary, submitted to the mentor's (urban) school.
    let mentor = users::actor_of(&w.mentor_user);
    let wsum = tongxing::domain::summaries::begin(
        &app.db,
        &mentor,
        &tongxing::domain::summaries::BeginForm {
            academic_year_id: year.to_string(),
            kind: "mentor".into(),
        },
    )
    .await
    .expect("work summary");
    let wsum = tongxing::domain::summaries::save(
        &app.db,
        &mentor,
        wsum.id,
        &tongxing::domain::summaries::TextForm {
            sections: tongxing::domain::summaries::WORK_SECTIONS
                .iter()
                .map(|k| (k.to_string(), "写好了".to_string()))
                .collect(),
            version: "1".into(),
        },
    )
    .await
    .expect("work summary text");
    tongxing::domain::summaries::act(
        &app.db,
        &mentor,
        wsum.id,
        tongxing::domain::summaries::Action::Submit,
        &tongxing::domain::summaries::StepForm {
            version: wsum.version.to_string(),
            ..Default::default()
        },
        crate::common::ctx(),
    )
    .await
    .expect("work summary submitted");
    let ids = Ids(vec![
        ("wsum", wsum.id),
        ("sum", sum.id),
        ("se", se),
        ("ledger", ledger.id),
        ("res", resource.id),
        ("visit", visit.id),
        ("photo", photo.id),
        ("week", week),
        ("other_school", other.id),
        ("school", w.rural.id),
        ("teacher", w.mentee.id),
        ("mentor", w.mentor.id),
        ("user", w.mentee_user.id),
        ("year", year),
        ("sp", sp),
        ("tp", tp),
        ("obs", obs.id),
        ("refl", refl.id),
        ("rubric", rubric.row.id),
        ("none", 999_999),
    ]);
    let who = vec![
        None,
        Some(gone),
        Some(w.bureau.clone()),
        Some(w.rural_admin.clone()),
        Some(other_admin),
        Some(w.mentee_user.clone()),
        Some(other_teacher_user),
    ];
    (ids, who)
}

/// What one caller met: the status, and for a page's refusal whether it went to sign in.
async fn send(app: &TestApp, method: &str, path: &str, token: Option<&str>) -> String {
    let api = path.starts_with("/api/");
    let method: Method = method.parse().unwrap_or(Method::Get);
    let unsafe_method = !matches!(method, Method::Get | Method::Head | Method::Options);
    let mut req = app.client.req(method, path.to_string());
    if api {
        if let Some(t) = token {
            req = req.header(Header::new("Authorization", format!("Bearer {t}")));
        }
        if unsafe_method {
            req = req.header(ContentType::JSON).body("{}");
        }
    } else if unsafe_method {
        let csrf = app.csrf().await;
        req = req
            .header(ContentType::Form)
            .body(crate::common::form_body(&[("_csrf", &csrf)]));
    }
    let res = req.dispatch().await;
    let code = res.status().code;
    let to_login = res
        .headers()
        .get_one("Location")
        .is_some_and(|l| l.starts_with("/login"));
    if (api && res.status() == Status::Unauthorized) || (!api && code == 303 && to_login) {
        "L".into()
    } else {
        code.to_string()
    }
}

/// A first path for a route, from the word before each parameter (printing mode only).
fn guess(uri: &str) -> String {
    let path = uri.split('?').next().unwrap_or(uri);
    let mut out: Vec<String> = Vec::new();
    for seg in path.split('/') {
        if seg.starts_with("<_") {
            // A fallback's parameter: anything that is not an id.
            out.push("x".to_string());
        } else if seg.starts_with('<') {
            let before = out.last().map(String::as_str).unwrap_or("");
            let id = match before {
                "schools" => "{school}",
                "teachers" => "{teacher}",
                "users" => "{user}",
                "academic-years" => "{year}",
                "school-pairings" | "school-pairing" => "{sp}",
                "teacher-pairings" => "{tp}",
                "observations" => "{obs}",
                "reflections" => "{refl}",
                "rubrics" => "{rubric}",
                "contributions" => "{ledger}",
                "visits" => "{visit}",
                "photos" => "{photo}",
                "training-weeks" => "{week}",
                "resources" => "{res}",
                "self-evaluations" => "{se}",
                "summaries" => "{sum}",
                _ => "{none}",
            };
            out.push(id.to_string());
        } else {
            out.push(seg.to_string());
        }
    }
    out.join("/")
}

#[rocket::async_test]
async fn every_mounted_route_against_every_caller() {
    each_db(|app| async move {
        let routes = mounted(&app);
        assert!(routes.len() > 150, "the routes are read: {}", routes.len());
        let (missing, stale) = undeclared(&routes, DECLARED);
        // The check itself: one more route mounted without a declaration is caught.
        let mut more = routes.clone();
        more.push(("POST".into(), "/unguarded/<id>".into()));
        assert_eq!(
            undeclared(&more, DECLARED).0,
            [missing.clone(), vec!["POST /unguarded/<id>".to_string()]].concat()
        );
        let print = std::env::var("TONGXING_MATRIX_PRINT").is_ok();
        if !print {
            assert!(
                missing.is_empty() && stale.is_empty(),
                "routes without a declaration: {missing:#?}\ndeclarations without a route: {stale:#?}"
            );
        }
        let (ids, who) = scene(&app).await;
        // Tokens for the API, sessions for pages; the deactivated account loses both.
        let mut tokens = Vec::new();
        for u in &who {
            tokens.push(match u {
                Some(u) => Some(crate::api::token_for(&app, u).await),
                None => None,
            });
        }
        let bureau = users::actor_of(who[2].as_ref().expect("bureau"));
        let mut answers: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        let mut unexpected = Vec::new();
        let mut state;
        // The least trusted first and the bureau last, so that what a caller may change
        // (a deactivation, a password) cannot stand in the way of those after them.
        for i in [0, 1, 6, 4, 5, 3, 2] {
            let caller = CALLERS[i];
            if let Some(u) = &who[i] {
                assert_eq!(app.login(&u.email, PASSWORD).await, Status::SeeOther, "{caller}");
                let (status, _) = app.get_html("/profile").await;
                assert_eq!(status, Status::Ok, "{caller} is signed in");
            }
            if i == 1 {
                let gone = who[1].as_ref().expect("deactivated");
                users::set_active(&app.db, &bureau, gone.id, false)
                    .await
                    .expect("deactivate");
            }
            // Signing in writes (the audit log), so does a token's first use (its last
            // use is kept): what counts is what the requests do.
            send(&app, "GET", "/api/v1/session", tokens[i].as_deref()).await;
            state = everything(&app).await;
            let mut list: Vec<(String, String, String, Option<&str>)> = if print {
                routes
                    .iter()
                    .map(|(m, u)| {
                        let sample = guess(u);
                        (m.clone(), u.clone(), sample, None)
                    })
                    .collect()
            } else {
                DECLARED
                    .iter()
                    .map(|d| {
                        let answer = d.3.split_whitespace().nth(i);
                        (d.0.to_string(), d.1.to_string(), d.2.to_string(), answer)
                    })
                    .collect()
            };
            // What ends the session, and the sign-in forms (their failures count towards
            // the sign-in throttle), go last.
            list.sort_by_key(|(_, route, _, _)| {
                ["logout", "session", "login", "password-reset", "setup"]
                    .iter()
                    .any(|w| route.contains(w))
            });
            for (method, route, template, expected) in list {
                if expected == Some("-") {
                    continue;
                }
                let path = ids.path(&template);
                let got = send(&app, &method, &path, tokens[i].as_deref()).await;
                let now = everything(&app).await;
                let changed = now != state;
                state = now;
                let shown = if changed { "-".to_string() } else { got.clone() };
                answers
                    .entry((method.clone(), route.clone()))
                    .or_insert_with(|| vec!["?".to_string(); CALLERS.len()])[i] = shown;
                match expected {
                    Some(e) if e != got => unexpected.push(format!(
                        "{method} {path} as {caller}: {got} (declared {e})"
                    )),
                    _ => {}
                }
                if changed && !print {
                    unexpected.push(format!(
                        "{method} {path} as {caller} answered {got} and changed the data"
                    ));
                }
            }
            if who[i].is_some() && i != 1 {
                app.logout().await;
            }
        }
        if print {
            for ((m, u), a) in &answers {
                println!("    (\"{m}\", \"{u}\", \"{}\", \"{}\"),", guess(u), a.join(" "));
            }
            return;
        }
        assert!(unexpected.is_empty(), "{unexpected:#?}");
    })
    .await;
}

/// The test of the test: a route mounted without a declaration is reported, and so is a
/// declaration whose route is gone.
#[test]
fn an_undeclared_route_fails_the_matrix() {
    let routes = vec![
        ("GET".to_string(), "/schools".to_string()),
        ("POST".to_string(), "/unguarded".to_string()),
    ];
    let declared: &[Declaration] = &[
        ("GET", "/schools", "/schools", "L L 200 200 200 200 200"),
        ("GET", "/removed", "/removed", "L L 200 200 200 200 200"),
    ];
    let (missing, stale) = undeclared(&routes, declared);
    assert_eq!(missing, vec!["POST /unguarded".to_string()]);
    assert_eq!(stale, vec!["GET /removed".to_string()]);
}
