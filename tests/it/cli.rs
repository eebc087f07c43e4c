//! The `tongxing` command line and start-up configuration.
use std::process::{Command, Output};

use crate::common::PASSWORD;

fn tongxing(dir: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tongxing"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("TONGXING_DATABASE_URL")
        .env_remove("TONGXING_SMTP_URL")
        .env_remove("ROCKET_SECRET_KEY")
        .env("RUST_LOG", "error");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("run tongxing")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn create_admin_migrate_and_backup_on_the_default_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = tongxing(dir.path(), &["migrate"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        dir.path().join("data/tongxing.db").exists(),
        "default database under data/"
    );

    let out = tongxing(
        dir.path(),
        &[
            "create-admin",
            "--email",
            "Boss@Bureau.cn",
            "--name",
            "王局长",
        ],
        &[("TONGXING_ADMIN_PASSWORD", PASSWORD)],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("boss@bureau.cn"));

    // A weak password and a duplicate are refused with the reason.
    let out = tongxing(
        dir.path(),
        &["create-admin", "--email", "two@bureau.cn", "--name", "二"],
        &[("TONGXING_ADMIN_PASSWORD", "short")],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("at least 10 characters"),
        "{}",
        text(&out)
    );
    let out = tongxing(
        dir.path(),
        &["create-admin", "--email", "boss@bureau.cn", "--name", "王"],
        &[("TONGXING_ADMIN_PASSWORD", PASSWORD)],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("email"), "{}", text(&out));

    let backup = dir.path().join("copy.db");
    let out = tongxing(dir.path(), &["backup", backup.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let bytes = std::fs::read(&backup).unwrap();
    assert!(bytes.starts_with(b"SQLite format 3\0"));
    // The copy is a working database with the admin in it.
    let out = tongxing(
        dir.path(),
        &["create-admin", "--email", "boss@bureau.cn", "--name", "王"],
        &[
            ("TONGXING_ADMIN_PASSWORD", PASSWORD),
            (
                "TONGXING_DATABASE_URL",
                &format!("sqlite://{}", backup.display()),
            ),
        ],
    );
    assert!(
        text(&out).contains("email"),
        "the copy knows the admin: {}",
        text(&out)
    );
    // An existing file is never overwritten.
    let out = tongxing(dir.path(), &["backup", backup.to_str().unwrap()], &[]);
    assert!(!out.status.success());
}

#[test]
fn demo_prints_the_logins() {
    let dir = tempfile::tempdir().unwrap();
    let out = tongxing(dir.path(), &["demo"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    let printed = text(&out);
    assert!(
        printed.contains("bureau@demo.tongxing.cn")
            && printed.contains("yaochenglin@demo.tongxing.cn")
    );
    assert!(printed.contains("tongxing-demo"));
}

#[test]
fn demo_refuses_a_database_with_real_accounts_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let out = tongxing(
        dir.path(),
        &["create-admin", "--email", "boss@bureau.cn", "--name", "王"],
        &[("TONGXING_ADMIN_PASSWORD", PASSWORD)],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = tongxing(dir.path(), &["demo"], &[]);
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains("real (non-demo) account") && said.contains("--force"),
        "{said}"
    );
    assert!(!said.contains("demo data loaded"), "nothing loaded: {said}");
    let out = tongxing(dir.path(), &["demo", "--force"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("it is public"), "{}", text(&out));
}

#[test]
fn generate_fills_an_empty_database_with_its_password_and_refuses_a_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "generate",
        "--schools",
        "6",
        "--teachers-per-school",
        "4",
        "--observations",
        "40",
        "--seed",
        "9",
    ];
    let out = tongxing(
        dir.path(),
        &args,
        &[("TONGXING_GENERATE_PASSWORD", "bench-secret-42")],
    );
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("6 schools") && said.contains("40 observations"),
        "{said}"
    );
    assert!(said.contains("mentee1@generated.tongxing.cn"), "{said}");
    assert!(
        !said.contains("bench-secret-42"),
        "the password is not printed"
    );
    // A second run would mix two data sets: refused, nothing added.
    let out = tongxing(dir.path(), &args, &[]);
    assert!(!out.status.success());
    assert!(text(&out).contains("already holds"), "{}", text(&out));
    // The accounts carry the password from the environment.
    let out = tongxing(
        dir.path(),
        &[
            "create-admin",
            "--email",
            "mentee1@generated.tongxing.cn",
            "--name",
            "x",
        ],
        &[("TONGXING_ADMIN_PASSWORD", PASSWORD)],
    );
    assert!(
        !out.status.success(),
        "the address is taken: {}",
        text(&out)
    );
}

#[test]
fn a_failed_migration_stops_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    // A database with a conflicting table: the first migration cannot create `schools`.
    let out = std::process::Command::new("python3")
        .args(["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table schools(x)'); c.commit()", dir.path().join("data/tongxing.db").to_str().unwrap()])
        .output();
    if out.map(|o| o.status.success()).unwrap_or(false) {
        let out = tongxing(dir.path(), &["migrate"], &[]);
        assert!(!out.status.success());
        assert!(
            text(&out).contains("database migration failed"),
            "{}",
            text(&out)
        );
    } else {
        crate::common::skipped("failed-migration check: python3 with sqlite3 is not available");
    }
}

#[test]
fn bad_configuration_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = tongxing(
        dir.path(),
        &["migrate"],
        &[("TONGXING_DATABASE_URL", "mysql://x")],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("TONGXING_DATABASE_URL"),
        "{}",
        text(&out)
    );
    let out = tongxing(
        dir.path(),
        &["migrate"],
        &[("TONGXING_SMTP_URL", "http://mail")],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("TONGXING_SMTP_URL"));
    let out = tongxing(
        dir.path(),
        &["migrate"],
        &[("TONGXING_MAIL_FROM", "not a mailbox")],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("TONGXING_MAIL_FROM"));
}

#[test]
fn postgres_backup_points_to_pg_dump() {
    if std::env::var("TONGXING_TEST_POSTGRES_URL").is_err() {
        crate::common::skipped("on PostgreSQL: TONGXING_TEST_POSTGRES_URL is not set");
        return;
    }
    // Its own empty database, which the refused backup must leave untouched.
    let runtime = rocket::tokio::runtime::Runtime::new().unwrap();
    let url = runtime.block_on(crate::common::postgres_url());
    let dir = tempfile::tempdir().unwrap();
    let out = tongxing(
        dir.path(),
        &["backup", "x.db"],
        &[("TONGXING_DATABASE_URL", &url)],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("pg_dump"), "{}", text(&out));
    let tables: i64 = runtime.block_on(async {
        use sea_orm::{ConnectionTrait, Statement};
        let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    });
    assert_eq!(tables, 0, "the refused backup migrated the database");
}

#[test]
fn secret_key_is_generated_once_and_private() {
    let dir = tempfile::tempdir().unwrap();
    let first =
        tongxing::config::ensure_secret_key(rocket::Config::figment(), dir.path()).expect("key");
    let key_path = dir.path().join("secret.key");
    let key = std::fs::read_to_string(&key_path).unwrap();
    assert_eq!(key.len(), 88);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let second =
        tongxing::config::ensure_secret_key(rocket::Config::figment(), dir.path()).expect("key");
    let a: rocket::Config = first.extract().unwrap();
    let b: rocket::Config = second.extract().unwrap();
    assert!(!a.secret_key.is_zero());
    assert_eq!(a.secret_key, b.secret_key, "the same key both times");
    assert_eq!(
        std::fs::read_to_string(&key_path).unwrap(),
        key,
        "kept, not regenerated"
    );
    // ROCKET_SECRET_KEY (here: a key in the figment) wins and no file is needed.
    let other = tempfile::tempdir().unwrap();
    let given =
        rocket::Config::figment().merge(("secret_key", tongxing::domain::tokens::new_secret_key()));
    tongxing::config::ensure_secret_key(given, other.path()).expect("key");
    assert!(!other.path().join("secret.key").exists());
}
