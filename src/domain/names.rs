//! Names of records by id, for lists that show who and which school: one query per kind
//! (in chunks, so a long list stays within the databases' parameter limits), never one
//! query per row.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::{schools, teachers, users};
use crate::error::AppResult;

/// Ids per `IN (…)` list.
const CHUNK: usize = 500;

async fn names_of<E>(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
    id: E::Column,
    name: E::Column,
) -> AppResult<HashMap<i64, String>>
where
    E: EntityTrait,
{
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(i64, String)> = E::find()
            .select_only()
            .column(id)
            .column(name)
            .filter(id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        names.extend(rows);
    }
    Ok(names)
}

pub async fn schools(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, String>> {
    names_of::<schools::Entity>(conn, ids, schools::Column::Id, schools::Column::Name).await
}

pub async fn teachers(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, String>> {
    names_of::<teachers::Entity>(conn, ids, teachers::Column::Id, teachers::Column::Name).await
}

pub async fn users(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, String>> {
    names_of::<users::Entity>(conn, ids, users::Column::Id, users::Column::Name).await
}
