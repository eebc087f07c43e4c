//! Pages of a list: `page` from 1, `per_page` up to a maximum.
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, Select};
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

#[derive(Debug, Clone, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
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
        }
    }
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
    let paginator = select.paginate(db, page.per_page);
    let total = paginator.num_items().await.map_err(AppError::Db)?;
    let items = paginator
        .fetch_page(page.page - 1)
        .await
        .map_err(AppError::Db)?;
    Ok(Paged {
        items,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}
