//! The migrated schema, read back from the database on both backends: every foreign key has
//! an index that starts with its column (lists filter and join by them; without one a join
//! or a cascade scans the table).
use sea_orm::{ConnectionTrait, Statement};

use crate::common::{Backend, TestApp, each_db};

/// (table, column) of every foreign key.
async fn foreign_keys(app: &TestApp) -> Vec<(String, String)> {
    let sql = match app.backend {
        Backend::Sqlite => {
            "SELECT m.name AS t, p.\"from\" AS c FROM sqlite_master m, pragma_foreign_key_list(m.name) p \
             WHERE m.type = 'table' ORDER BY 1, 2"
        }
        Backend::Postgres => {
            "SELECT cl.relname AS t, a.attname AS c FROM pg_constraint co \
             JOIN pg_class cl ON cl.oid = co.conrelid \
             JOIN pg_namespace n ON n.oid = cl.relnamespace AND n.nspname = 'public' \
             JOIN pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = co.conkey[1] \
             WHERE co.contype = 'f' ORDER BY 1, 2"
        }
    };
    rows(app, sql).await
}

/// (table, first column) of every index, primary keys included.
async fn index_heads(app: &TestApp) -> Vec<(String, String)> {
    let sql = match app.backend {
        Backend::Sqlite => {
            "SELECT m.name AS t, ii.name AS c FROM sqlite_master m, pragma_index_list(m.name) il, \
             pragma_index_info(il.name) ii WHERE m.type = 'table' AND ii.seqno = 0 \
             UNION SELECT m.name AS t, ti.name AS c FROM sqlite_master m, pragma_table_info(m.name) ti \
             WHERE m.type = 'table' AND ti.pk = 1"
        }
        Backend::Postgres => {
            "SELECT cl.relname AS t, a.attname AS c FROM pg_index i \
             JOIN pg_class cl ON cl.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = cl.relnamespace AND n.nspname = 'public' \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
        }
    };
    rows(app, sql).await
}

async fn rows(app: &TestApp, sql: &str) -> Vec<(String, String)> {
    app.db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .expect("schema query")
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "t").expect("table"),
                r.try_get::<String>("", "c").expect("column"),
            )
        })
        .collect()
}

#[rocket::async_test]
async fn every_foreign_key_has_an_index() {
    each_db(|app| async move {
        let keys = foreign_keys(&app).await;
        assert!(keys.len() > 20, "the foreign keys are read: {keys:?}");
        let heads = index_heads(&app).await;
        let missing: Vec<String> = keys
            .iter()
            .filter(|k| !heads.contains(k))
            .map(|(t, c)| format!("{t}.{c}"))
            .collect();
        assert!(
            missing.is_empty(),
            "foreign keys without an index on {:?}: {missing:?}",
            app.backend
        );
    })
    .await;
}

/// A status column takes only the workflow's words: the schema refuses any other on insert
/// and on update, on both databases (CHECK on PostgreSQL, triggers on SQLite), and the row
/// stays as it was.
#[rocket::async_test]
async fn status_columns_refuse_unknown_words() {
    each_db(|app| async move {
        let (w, _, pairing) = crate::teacher_pairings::setup(&app).await;
        crate::school_pairings::draft(&app, &w, w.urban.id, w.rural.id, "2026-2027", "2026-2027").await;
        let exec = |sql: String| {
            let db = app.db.clone();
            async move {
                db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
                    .await
            }
        };
        for table in ["teacher_pairings", "school_pairings"] {
            let err = exec(format!("UPDATE {table} SET status = 'paused'"))
                .await
                .expect_err("an unknown status is refused");
            assert!(
                err.to_string().contains(&format!("ck_{table}_status")),
                "{table} on {:?}: {err}",
                app.backend
            );
        }
        assert_eq!(
            app.scalar(&format!(
                "SELECT COUNT(*) AS n FROM teacher_pairings WHERE id = {pairing} AND status = 'active'"
            ))
            .await,
            1
        );
        // A known word passes the same check.
        exec(format!(
            "UPDATE teacher_pairings SET status = 'completed' WHERE id = {pairing}"
        ))
        .await
        .expect("a known status is stored");
        let err = exec(
            "INSERT INTO teacher_pairings (mentor_id, mentee_id, subject, academic_year_id, status, plan, plan_version, created_at, updated_at) \
             SELECT mentor_id, mentee_id, 'x', academic_year_id, 'Active', plan, 0, created_at, updated_at FROM teacher_pairings"
                .to_string(),
        )
        .await
        .expect_err("a word in the wrong case is refused");
        assert!(err.to_string().contains("ck_teacher_pairings_status"), "{err}");
    })
    .await;
}
