//! Pages of a list: `page` from 1, `per_page` up to a maximum.
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, QueryTrait, Select};
use serde::Serialize;

use crate::error::{AppError, AppResult, Msg};

pub const DEFAULT_PER_PAGE: u64 = 20;
pub const MAX_PER_PAGE: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl PageRequest {
    /// Strict parsing for the API: a bad value is a 422 on that parameter.
    pub fn parse_strict(page: Option<&str>, per_page: Option<&str>) -> AppResult<PageRequest> {
        let mut errors = crate::error::FieldErrors::new();
        let page = match page.map(str::trim).filter(|s| !s.is_empty()) {
            None => 1,
            Some(s) => match s.parse::<u64>() {
                Ok(n) if (1..=1_000_000).contains(&n) => n,
                _ => {
                    errors.add("page", Msg::new("err-page"));
                    1
                }
            },
        };
        let per_page = match per_page.map(str::trim).filter(|s| !s.is_empty()) {
            None => DEFAULT_PER_PAGE,
            Some(s) => match s.parse::<u64>() {
                Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => n,
                _ => {
                    errors.add(
                        "per_page",
                        Msg::new("err-per-page").arg("max", MAX_PER_PAGE),
                    );
                    DEFAULT_PER_PAGE
                }
            },
        };
        errors.into_result()?;
        Ok(PageRequest { page, per_page })
    }

    /// Lenient parsing for pages: out-of-range values are brought into range.
    pub fn parse_lenient(page: Option<&str>, per_page: Option<&str>) -> PageRequest {
        let page = page
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .clamp(1, 1_000_000);
        let per_page = per_page
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE);
        PageRequest { page, per_page }
    }
}

/// Counting stops this many items past the end of the page asked for: a list of a million
/// rows is not counted whole on each visit (its total then reads "220+").
pub const COUNT_AHEAD: u64 = 200;
/// From this many rows into a list, a page's ids are picked first and its rows read after.
const DEFER_FROM_OFFSET: u64 = 2000;

#[derive(Debug, Clone, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub per_page: u64,
    /// Matching items; a lower bound when `exact` is false.
    pub total: u64,
    /// Whether `total` is every matching item (counting stopped `COUNT_AHEAD` past the page).
    pub exact: bool,
}

impl<T> Paged<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page).max(1)
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            page: self.page,
            per_page: self.per_page,
            total: self.total,
            exact: self.exact,
        }
    }

    /// The same page with other items (the rows with names).
    pub fn with_items<U>(self, items: Vec<U>) -> Paged<U> {
        Paged {
            items,
            page: self.page,
            per_page: self.per_page,
            total: self.total,
            exact: self.exact,
        }
    }

    /// The total as shown: "1,020+" when counting stopped early.
    pub fn total_shown(&self) -> String {
        if self.exact {
            self.total.to_string()
        } else {
            format!("{}+", self.total)
        }
    }
}

/// `SELECT COUNT(*) AS n` of what `select` finds (its order dropped), to run as a scalar
/// subquery beside other counts or rows.
pub fn count_statement<E: EntityTrait>(select: Select<E>) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::QuerySelect;
    let mut count = select
        .select_only()
        .column_as(sea_orm::sea_query::Expr::cust("COUNT(*)"), "n")
        .into_query();
    count.clear_order_by();
    count
}

pub async fn fetch<E, M>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    page: PageRequest,
) -> AppResult<Paged<M>>
where
    E: EntityTrait<Model = M>,
    M: FromQueryResult + Sized + Send + Sync,
{
    use sea_orm::QuerySelect;
    use sea_orm::sea_query::{Alias, Expr, Query};
    let offset = (page.page - 1) * page.per_page;
    // Count at most COUNT_AHEAD past this page: the cost follows the page asked for, not
    // the size of the table.
    // One row more than is counted tells whether there are more.
    let bound = offset + page.per_page + COUNT_AHEAD + 1;
    let mut limited = select.clone().into_query();
    limited.clear_order_by();
    let limited = limited.limit(bound).to_owned();
    let count = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from_subquery(limited, Alias::new("bounded"))
        .to_owned();
    let backend = db.get_database_backend();
    let counted = db
        .query_one_raw(backend.build(&count))
        .await
        .map_err(AppError::Db)?
        .map(|row| {
            row.try_get::<i64>("", "n")
                .or_else(|_| row.try_get::<i32>("", "n").map(i64::from))
        })
        .transpose()
        .map_err(AppError::Db)?
        .unwrap_or(0)
        .max(0) as u64;
    let items = if counted == 0 {
        // Nothing to read: an empty list costs one statement, not two.
        Vec::new()
    } else if offset < DEFER_FROM_OFFSET {
        select
            .offset(offset)
            .limit(page.per_page)
            .all(db)
            .await
            .map_err(AppError::Db)?
    } else {
        // A deep page: the ids are picked off the list's index (skipping entries, not
        // rows), then only the page's rows are read, in the list's order.
        let mut ids = select.clone().into_query();
        ids.clear_selects();
        ids.expr(Expr::col((E::default(), Alias::new("id"))))
            .offset(offset)
            .limit(page.per_page);
        let mut outer = select.into_query();
        outer.cond_where(sea_orm::sea_query::ExprTrait::in_subquery(
            Expr::col((E::default(), Alias::new("id"))),
            ids.to_owned(),
        ));
        M::find_by_statement(backend.build(&outer))
            .all(db)
            .await
            .map_err(AppError::Db)?
    };
    Ok(Paged {
        items,
        page: page.page,
        per_page: page.per_page,
        total: counted.min(bound - 1),
        exact: counted < bound,
    })
}
