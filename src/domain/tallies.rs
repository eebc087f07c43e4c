//! Counts the database keeps up to date (table `tallies`, written by triggers whatever
//! writes the rows): the bureau home reads its figures off a few rows instead of counting
//! 150,000 teachers and a term's observations on every visit. Names: `teachers`, `users`
//! (active ones), `schools:<kind>` (active schools), `observations:<YYYY-MM-DD>`.
use chrono::NaiveDate;
use migrations::m20261204_000030_change_stamp as stamp;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::types::SchoolKind;
use crate::entities::tallies;
use crate::error::{AppError, AppResult};

/// The bureau's head counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Active schools of each kind, in `SchoolKind::ALL`'s order.
    pub schools_by_kind: Vec<(SchoolKind, u64)>,
    pub teachers: u64,
    pub users: u64,
    /// The change stamp (migration 30): goes up with every write to a table the bureau's
    /// dashboard reads (the sum of one kept count per table). Read here, before anything else
    /// of the page, at no extra statement.
    pub changes: i64,
}

impl Figures {
    pub fn schools(&self) -> u64 {
        self.schools_by_kind.iter().map(|(_, n)| n).sum()
    }
}

/// Those who see every school, teacher and account (the bureau); others get 403.
pub(crate) fn require_everywhere(actor: &Actor, subjects: &[Subject]) -> AppResult<()> {
    if subjects
        .iter()
        .all(|s| policy::everywhere(actor, *s, Act::Read))
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Active schools by kind, active teachers and active accounts, and the change stamp: one
/// query.
pub async fn figures(conn: &impl ConnectionTrait, actor: &Actor) -> AppResult<Figures> {
    require_everywhere(actor, &[Subject::School, Subject::Teacher, Subject::User])?;
    let school_name = |k: SchoolKind| format!("schools:{}", k.as_str());
    let mut names: Vec<String> = SchoolKind::ALL.iter().map(|k| school_name(*k)).collect();
    names.extend(["teachers".to_string(), "users".to_string()]);
    names.extend(stamp::names());
    let rows: std::collections::HashMap<String, i64> = tallies::Entity::find()
        .filter(tallies::Column::Name.is_in(names))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.name, r.n))
        .collect();
    let get = |name: &str| rows.get(name).copied().unwrap_or(0).max(0) as u64;
    Ok(Figures {
        schools_by_kind: SchoolKind::ALL
            .iter()
            .map(|k| (*k, get(&school_name(*k))))
            .collect(),
        teachers: get("teachers"),
        users: get("users"),
        changes: rows
            .iter()
            .filter(|(name, _)| name.starts_with(stamp::PREFIX))
            .map(|(_, n)| n)
            .sum(),
    })
}

/// Moves the change stamp on, for a write the stamp's triggers do not see (the year's kept
/// figures counted afresh).
pub(crate) async fn note_change(conn: &impl ConnectionTrait) -> AppResult<()> {
    tallies::Entity::update_many()
        .col_expr(
            tallies::Column::N,
            sea_orm::sea_query::ExprTrait::add(Expr::col(tallies::Column::N), 1),
        )
        .filter(tallies::Column::Name.eq(format!("{}recount", stamp::PREFIX)))
        .exec(conn)
        .await?;
    Ok(())
}

/// One kept count by its name (0 when there is none yet). No access check of its own: the
/// caller has decided the actor may read it (the to-do list reads the bureau's own count).
pub(crate) async fn kept(conn: &impl ConnectionTrait, name: &str) -> AppResult<u64> {
    let n: Option<i64> = tallies::Entity::find_by_id(name.to_string())
        .select_only()
        .column(tallies::Column::N)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

/// Observations on the days from `from` to `to` (both included): one query over at most
/// a year's rows of the tally.
pub async fn observations_between(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<u64> {
    require_everywhere(actor, &[Subject::Observation])?;
    let n: Option<i64> = tallies::Entity::find()
        .select_only()
        // SUM of a BIGINT is NUMERIC on PostgreSQL.
        .column_as(
            Expr::expr(Func::cast_as(
                Func::sum(Expr::col(tallies::Column::N)),
                "BIGINT",
            )),
            "n",
        )
        .filter(tallies::Column::Name.gte(format!("observations:{from}")))
        .filter(tallies::Column::Name.lte(format!("observations:{to}")))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    Ok(n.unwrap_or(0).max(0) as u64)
}
