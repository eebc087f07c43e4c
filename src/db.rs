//! Database connection (SQLite pragmas or PostgreSQL) and migrations.
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::error::{AppError, AppResult};

pub async fn connect(url: &str) -> AppResult<DatabaseConnection> {
    if let Some(path) = sqlite_path(url)
        && let Some(parent) = std::path::Path::new(&path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = ConnectOptions::new(url.to_string());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        options.max_connections(8).min_connections(1);
        options.map_sqlx_sqlite_opts(|o| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // 8 MB of page cache per connection instead of SQLite's 2 MB: a list's index
                // pages stay in memory rather than being read from the file on every visit.
                .pragma("cache_size", "-8000")
                // A statement's rows come back from the connection's thread through a
                // channel; room for a page's rows lets them come in one hand-off instead
                // of a wait every 50 rows.
                .row_buffer_size(512)
        });
    } else {
        options.max_connections(16).min_connections(1);
        // No parallel workers for a statement: a web request's reads are short and many run
        // at once, so starting workers costs more than it saves (the dashboard's kept
        // figures, four key ranges of a few rows, took 6 ms in a parallel plan and 0.1 ms
        // without on the province set).
        options.map_sqlx_postgres_opts(|o| o.options([("max_parallel_workers_per_gather", "0")]));
    }
    Database::connect(options).await.map_err(AppError::Db)
}

/// How many SQL statements the app's connection has run (pages' query counts are tested
/// with it: a page runs a fixed number of queries whatever its number of rows).
#[derive(Debug, Clone, Default)]
pub struct QueryCounter(pub std::sync::Arc<std::sync::atomic::AtomicU64>);

impl QueryCounter {
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// `connect`, counting every statement the connection (and its transactions) runs, and
/// logging those slower than `slow` (the statement's text, never its values).
pub async fn connect_counted(
    url: &str,
    slow: Option<Duration>,
) -> AppResult<(DatabaseConnection, QueryCounter)> {
    let mut conn = connect(url).await?;
    let counter = QueryCounter::default();
    let count = counter.0.clone();
    conn.set_metric_callback(move |info| {
        count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(slow) = slow
            && info.elapsed >= slow
        {
            tracing::warn!(
                ms = info.elapsed.as_secs_f64() * 1000.0,
                sql = %info.statement.sql,
                "slow query"
            );
        }
    });
    Ok((conn, counter))
}

/// The file path of a `sqlite:` URL, if it names a file.
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_string())
    }
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so a read followed by a
/// write inside it cannot fail with SQLITE_BUSY half-way.
/// What a domain service runs on: the pool, or a transaction its caller opened so that several
/// services make one change. A service that writes calls `begin_write` on it: on the pool that
/// starts a transaction, inside a caller's transaction a savepoint, so the caller's commit or
/// rollback decides for all of them.
pub trait Conn: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> {}

impl<T: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>> Conn for T {}

pub async fn begin_write(db: &impl Conn) -> AppResult<DatabaseTransaction> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    Ok(db.begin_with_options(options).await?)
}

/// Serialises transactions that check "is there none yet?" before inserting, where no row
/// exists to lock: on PostgreSQL a transaction-level advisory lock on `key` (released at
/// commit or rollback); on SQLite `begin_write` already serialises writers.
pub async fn lock_key(conn: &impl ConnectionTrait, key: i64) -> AppResult<()> {
    if is_postgres(conn) {
        conn.execute_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Advisory-lock keys (see `lock_key`).
pub const LOCK_FIRST_ADMIN: i64 = 0x7478_0001;

pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

pub fn is_postgres(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// True when the error is a violated unique index.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the slow-query log wrote.
    #[derive(Clone, Default)]
    struct Written(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Written {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn slow_queries_are_logged_with_their_text_and_never_their_values() {
        let written = Written::default();
        let writer = written.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        tracing::subscriber::with_default(subscriber, || {
            runtime.block_on(async {
                let (db, counter) =
                    connect_counted("sqlite::memory:", Some(Duration::from_millis(0)))
                        .await
                        .expect("connect");
                db.query_one_raw(sea_orm::Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "SELECT ? AS password_hash",
                    ["secret-value-3141".into()],
                ))
                .await
                .expect("query");
                assert!(counter.get() >= 1);
                let (quiet, _) = connect_counted("sqlite::memory:", None)
                    .await
                    .expect("connect");
                quiet
                    .execute_unprepared("SELECT 'never logged' AS x")
                    .await
                    .expect("query");
            })
        });
        let log = String::from_utf8(written.0.lock().expect("log").clone()).expect("utf-8");
        assert!(log.contains("slow query"), "{log}");
        assert!(log.contains("SELECT ? AS password_hash"), "{log}");
        assert!(
            !log.contains("secret-value-3141"),
            "values are never logged: {log}"
        );
        assert!(!log.contains("never logged"), "no threshold, no log: {log}");
    }
}
