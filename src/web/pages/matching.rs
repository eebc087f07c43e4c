//! Matching pages (bureau): mentor suggestions for a mentee with their reasons and a
//! button that makes a draft, and "propose all" for a school pairing.
use askama::Template;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::domain::academic_years;
use crate::domain::matching::{self, Proposal, ProposeOutcome, Suggestions};
use crate::entities::academic_years as years;
use crate::error::{AppError, AppResult, Msg};
use crate::web::forms::CsrfForm;
use crate::web::guards::{BureauAdmin, Ctx, CurrentUser};
use crate::web::respond::{Page, render};

/// How many suggestions the page shows.
const SUGGESTIONS_SHOWN: usize = 20;

/// A year id from the query string; anything else means the current year.
fn year_param(year_id: Option<&str>) -> Option<i64> {
    year_id.and_then(|s| s.trim().parse::<i64>().ok())
}

/// A flash value for a message with arguments (`key?name=value`).
fn flash_of(msg: &Msg) -> String {
    if msg.args.is_empty() {
        msg.key.clone()
    } else {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(msg.args.iter())
            .finish();
        format!("{}?{}", msg.key, query)
    }
}

#[derive(Template)]
#[template(path = "matching/mentee.html")]
struct MenteePage {
    ctx: Ctx,
    s: Suggestions,
    years: Vec<years::Model>,
}

#[get("/matching/mentee/<id>?<year_id>")]
async fn mentee(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    year_id: Option<&str>,
) -> AppResult<Page> {
    let s = matching::suggest(
        db.inner(),
        &user.actor,
        id,
        year_param(year_id),
        SUGGESTIONS_SHOWN,
    )
    .await?;
    let years = academic_years::list(db.inner()).await?;
    render(&MenteePage { ctx, s, years })
}

#[derive(Debug, Deserialize)]
struct DraftForm {
    #[serde(default)]
    mentor_id: String,
    #[serde(default)]
    year_id: String,
}

#[post("/matching/mentee/<id>/drafts", data = "<form>")]
async fn create_draft(
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    id: i64,
    form: CsrfForm<DraftForm>,
) -> AppResult<Flash<Redirect>> {
    let user = guard.0;
    let form = form.0;
    let mentor_id = form
        .mentor_id
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::invalid("mentor_id", Msg::new("err-not-a-number")))?;
    let year_id = year_param(Some(&form.year_id));
    let back = match year_id {
        Some(y) => format!("/matching/mentee/{id}?year_id={y}"),
        None => format!("/matching/mentee/{id}"),
    };
    match matching::create_draft(db.inner(), &user.actor, id, mentor_id, year_id).await {
        Ok(row) => Ok(Flash::success(
            Redirect::to(format!("/teacher-pairings/{}", row.id)),
            "flash-match-draft-created",
        )),
        Err(e) => match e.field_errors() {
            Some(errors) => {
                let msg = errors
                    .0
                    .into_values()
                    .flatten()
                    .next()
                    .unwrap_or_else(|| Msg::new("form-has-errors"));
                Ok(Flash::error(Redirect::to(back), flash_of(&msg)))
            }
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "matching/school_pairing.html")]
struct ProposalPage {
    ctx: Ctx,
    p: Proposal,
    years: Vec<years::Model>,
    /// After "create all": what was made and what was refused.
    outcome: Option<ProposeOutcome>,
    /// Why the last "make drafts" made nothing (none chosen), or "".
    problem: String,
}

impl ProposalPage {
    fn heading(&self) -> String {
        self.ctx.lang.t_args(
            "match-propose-title",
            &[
                ("supporter", self.p.supporter.name.clone()),
                ("receiver", self.p.receiver.name.clone()),
            ],
        )
    }

    /// The score's scale and parts, for the explanation above the table.
    fn scale(&self) -> String {
        self.ctx.lang.t_args(
            "match-score-scale",
            &[("max", matching::points::MAX.to_string())],
        )
    }

    fn score_parts(&self) -> Vec<String> {
        matching::score_parts()
            .iter()
            .map(|m| self.ctx.msg(m))
            .collect()
    }

    fn considered(&self) -> String {
        self.ctx.lang.t_args(
            "match-propose-considered",
            &[
                ("mentees", self.p.mentees_considered.to_string()),
                ("mentors", self.p.mentors_considered.to_string()),
            ],
        )
    }
}

#[get("/matching/school-pairing/<id>?<year_id>")]
async fn school_pairing(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    year_id: Option<&str>,
) -> AppResult<Page> {
    let p = matching::propose(db.inner(), &user.actor, id, year_param(year_id)).await?;
    let years = academic_years::list(db.inner()).await?;
    render(&ProposalPage {
        ctx,
        p,
        years,
        outcome: None,
        problem: String::new(),
    })
}

#[derive(Debug, Deserialize)]
struct ProposeForm {
    #[serde(default)]
    year_id: String,
    /// Present when the page offered the pairs one by one: then only the ticked `pair`s
    /// are made.
    #[serde(default)]
    choosing: String,
    /// The kept pairs, "mentee id-mentor id".
    #[serde(default)]
    pair: Vec<String>,
}

impl ProposeForm {
    fn chosen(&self) -> Option<Vec<(i64, i64)>> {
        if self.choosing.is_empty() {
            return None;
        }
        Some(
            self.pair
                .iter()
                .filter_map(|p| {
                    let (a, b) = p.split_once('-')?;
                    Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
                })
                .collect(),
        )
    }
}

/// Creates every proposed pair as a draft and shows what was made, what was refused
/// (with the rule's message) and the proposal for whoever is still without a mentor.
#[post("/matching/school-pairing/<id>/drafts", data = "<form>")]
async fn create_all(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    user: CurrentUser,
    id: i64,
    form: CsrfForm<ProposeForm>,
) -> AppResult<Page> {
    let year_id = year_param(Some(&form.0.year_id));
    let chosen = form.0.chosen();
    let (outcome, problem) = match matching::propose_all(
        db.inner(),
        &user.actor,
        id,
        year_id,
        chosen.as_deref(),
    )
    .await
    {
        Ok(o) => (Some(o), String::new()),
        // None ticked: the proposal again, saying so.
        Err(AppError::Invalid(errors)) => (
            None,
            errors
                .0
                .values()
                .flatten()
                .map(|m| ctx.msg(m))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Err(e) => return Err(e),
    };
    let p = matching::propose(db.inner(), &user.actor, id, year_id).await?;
    let years = academic_years::list(db.inner()).await?;
    render(&ProposalPage {
        ctx,
        p,
        years,
        outcome,
        problem,
    })
}

/// Ids in paths that are not numbers are plain 404s.
#[get("/matching/<_kind>/<_id>", rank = 5)]
fn not_a_number(_kind: &str, _id: &str) -> AppError {
    AppError::NotFound
}

pub fn routes() -> Vec<rocket::Route> {
    routes![
        mentee,
        create_draft,
        school_pairing,
        create_all,
        not_a_number
    ]
}
