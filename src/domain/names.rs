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

#[cfg(test)]
mod tests {
    use migrations::name_key;

    #[test]
    fn names_sort_in_pinyin_order() {
        assert_eq!(name_key("李明"), "li3ming2");
        let mut names = vec!["王芳", "李明", "陈静", "姚成琳", "安然", "张伟", "Zoe"];
        names.sort_by_key(|n| name_key(n));
        assert_eq!(
            names,
            ["安然", "陈静", "李明", "王芳", "姚成琳", "张伟", "Zoe"]
        );
        // By character code 王 (U+738B) and 李 (U+674E) would come before 陈 (U+9648).
        assert!("王" < "陈" && "李" < "陈");
        assert_eq!(name_key(" 阿依·买买提 "), "a1yi1mai3mai3ti2");
    }
}
