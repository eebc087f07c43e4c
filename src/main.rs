//! The `tongxing` command: serve (default), migrate, create-admin, demo, backup.
use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tongxing::config::AppConfig;
use tongxing::{db, domain, i18n::Lang};

#[derive(Parser)]
#[command(
    name = "tongxing",
    version,
    about = "同行 — urban–rural school and teacher pairing"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create a bureau admin. The password comes from TONGXING_ADMIN_PASSWORD or stdin.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Load the seed programme as demo data (idempotent) and print the demo logins. Its
    /// accounts share a published password, so it refuses a database with real accounts.
    Demo {
        /// Load it even though the database has accounts that are not demo accounts.
        #[arg(long)]
        force: bool,
    },
    /// Fill an empty database with synthetic data for measuring (the benchmark's data set).
    /// Accounts: bureau@, school1@, mentor1@, mentee1@generated.tongxing.cn and one per
    /// school and teacher, with the password from TONGXING_GENERATE_PASSWORD (default
    /// tongxing-bench). The same options and seed give the same data.
    Generate {
        /// Schools, in groups of one urban school and the two it supports.
        #[arg(long, default_value_t = 60)]
        schools: usize,
        #[arg(long, default_value_t = 30)]
        teachers_per_school: usize,
        /// Observations, spread evenly over the published teacher pairings.
        #[arg(long, default_value_t = 20_000)]
        observations: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Make a consistent copy of the SQLite database.
    Backup { file: std::path::PathBuf },
    /// Internal: reads an uploaded file from standard input for the server, in a process of
    /// its own with a memory limit.
    #[command(hide = true)]
    ReadTable,
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,rocket=warn,sqlx=warn,sea_orm=warn")
    });
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

async fn open_db(config: &AppConfig) -> Result<sea_orm::DatabaseConnection, String> {
    let conn = db::connect(&config.database_url).await.map_err(|e| {
        format!(
            "cannot open the database {}: {e}",
            tongxing::config::redact_url(&config.database_url)
        )
    })?;
    db::migrate(&conn)
        .await
        .map_err(|e| format!("database migration failed: {e}"))?;
    Ok(conn)
}

async fn run(cli: Cli) -> Result<(), String> {
    let figment = AppConfig::figment();
    let config = AppConfig::from_figment(&figment)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let rocket = tongxing::build(figment, None).await?;
            let rocket = rocket.ignite().await.map_err(|e| e.to_string())?;
            let addr = rocket.config().address;
            let port = rocket.config().port;
            println!("Tongxing is running: http://{addr}:{port}/");
            rocket.launch().await.map_err(|e| e.to_string())?;
            Ok(())
        }
        Command::Migrate => {
            open_db(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::CreateAdmin { email, name } => {
            let password = match std::env::var("TONGXING_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let mut buf = String::new();
                    std::io::stdin()
                        .read_to_string(&mut buf)
                        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
                    buf.trim_end_matches(['\n', '\r']).to_string()
                }
            };
            let conn = open_db(&config).await?;
            match domain::users::create_admin_cli(&conn, &email, &name, &password).await {
                Ok(user) => {
                    println!("created bureau admin {} (id {})", user.email, user.id);
                    Ok(())
                }
                Err(tongxing::error::AppError::Invalid(errors)) => Err(errors
                    .0
                    .iter()
                    .map(|(field, msgs)| {
                        let text: Vec<String> = msgs.iter().map(|m| Lang::En.msg(m)).collect();
                        format!("{field}: {}", text.join("; "))
                    })
                    .collect::<Vec<_>>()
                    .join("\n")),
                Err(tongxing::error::AppError::Conflict { field, msg }) => {
                    Err(format!("{field}: {}", Lang::En.msg(&msg)))
                }
                Err(e) => Err(e.to_string()),
            }
        }
        Command::Demo { force } => {
            let conn = open_db(&config).await?;
            let real = tongxing::demo::real_accounts(&conn)
                .await
                .map_err(|e| format!("demo data: {e}"))?;
            if real > 0 && !force {
                return Err(format!(
                    "this database has {real} real (non-demo) account(s): the demo adds accounts \
                     whose password ({}) is public, so anyone could sign in to them. Use a \
                     separate database for the demo, or run `tongxing demo --force` if you \
                     really mean it.",
                    tongxing::demo::DEMO_PASSWORD
                ));
            }
            let report = tongxing::demo::load(&conn)
                .await
                .map_err(|e| format!("demo data: {e}"))?;
            println!(
                "demo data loaded: {} schools, {} teachers, {} accounts, {} academic years, {} school pairings, {} teacher pairings, {} secondments, {} observations, {} reflections, {} ledger items, {} visits, {} training weeks, {} year-end documents added (existing ones kept)",
                report.schools_added,
                report.teachers_added,
                report.users_added,
                report.years_added,
                report.school_pairings_added,
                report.teacher_pairings_added,
                report.secondments_added,
                report.observations_added,
                report.reflections_added,
                report.contributions_added,
                report.visits_added,
                report.training_weeks_added,
                report.year_end_documents_added
            );
            println!(
                "\nDemo logins (password for all: {} — it is public: never load the demo into a \
                 database real people use):",
                tongxing::demo::DEMO_PASSWORD
            );
            for login in tongxing::demo::LOGINS {
                println!(
                    "  {:<13} {:<32} {}",
                    login.role.as_str(),
                    login.email,
                    login.who
                );
            }
            println!(
                "\nStart the server with `tongxing` (or `cargo run --release`) and open {}",
                config.base_url
            );
            Ok(())
        }
        Command::Generate {
            schools,
            teachers_per_school,
            observations,
            seed,
        } => {
            let conn = open_db(&config).await?;
            let existing = tongxing::generate::existing_rows(&conn)
                .await
                .map_err(|e| format!("generate: {e}"))?;
            if existing > 0 {
                return Err(format!(
                    "this database already holds {existing} school(s) or account(s): generate \
                     writes only into an empty database (its accounts share a known password). \
                     Point TONGXING_DATABASE_URL at a new database."
                ));
            }
            let password = std::env::var("TONGXING_GENERATE_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| tongxing::generate::DEFAULT_PASSWORD.to_string());
            let opts = tongxing::generate::Options {
                schools,
                teachers_per_school,
                observations,
                seed,
                password,
                files: tongxing::domain::files::FileStore::new(
                    config.upload_dir(),
                    config.upload_max_bytes(),
                ),
            };
            let started = std::time::Instant::now();
            let mut bar = Bars::default();
            let r = tongxing::generate::generate(&conn, &opts, &mut bar)
                .await
                .map_err(|e| format!("generate: {e}"))?;
            bar.done();
            println!(
                "generated in {:.1} s: {} districts, {} schools, {} teachers, {} accounts, {} school pairings, {} teacher pairings, {} secondments, {} observations, {} reflections, {} comments, {} contacts, {} plan comments, {} notifications, {} visits, {} ledger items, {} training weeks, {} resources, {} self-evaluations, {} summaries",
                started.elapsed().as_secs_f64(),
                r.districts,
                r.schools,
                r.teachers,
                r.users,
                r.school_pairings,
                r.teacher_pairings,
                r.secondments,
                r.observations,
                r.reflections,
                r.comments,
                r.contacts,
                r.plan_comments,
                r.notifications,
                r.visits,
                r.contributions,
                r.training_weeks,
                r.resources,
                r.self_evaluations,
                r.summaries
            );
            println!(
                "sign in as {}, {}, {} or {} (password from TONGXING_GENERATE_PASSWORD, by default {})",
                tongxing::generate::BUREAU,
                tongxing::generate::SCHOOL,
                tongxing::generate::MENTOR,
                tongxing::generate::MENTEE,
                tongxing::generate::DEFAULT_PASSWORD
            );
            Ok(())
        }
        Command::ReadTable => Ok(()),
        Command::Backup { file } => {
            // Checked before connecting: a PostgreSQL backup is pg_dump's job,
            // and this command must not migrate a database it will not copy.
            if !config.is_sqlite() {
                return Err(
                    "backup copies the SQLite database; for PostgreSQL use pg_dump, e.g. `pg_dump --format=custom --file=tongxing.dump \"$TONGXING_DATABASE_URL\"`"
                        .into(),
                );
            }
            let conn = open_db(&config).await?;
            backup(&conn, &file).await
        }
    }
}

async fn backup(conn: &sea_orm::DatabaseConnection, file: &std::path::Path) -> Result<(), String> {
    use sea_orm::ConnectionTrait;
    if file.exists() {
        return Err(format!(
            "{} exists already; choose a new file name",
            file.display()
        ));
    }
    let path = file.to_str().ok_or("the backup path is not valid UTF-8")?;
    let stmt = sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Sqlite,
        "VACUUM INTO ?",
        [path.into()],
    );
    conn.execute_raw(stmt)
        .await
        .map_err(|e| format!("backup failed: {e}"))?;
    println!("backup written to {}", file.display());
    Ok(())
}

/// `generate`'s progress: one bar per step on the terminal.
#[derive(Default)]
struct Bars(Option<indicatif::ProgressBar>);

impl Bars {
    fn done(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish();
        }
    }
}

impl tongxing::generate::Progress for Bars {
    fn step(&mut self, name: &'static str, total: u64) {
        self.done();
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix:>13} [{bar:40}] {pos}/{len} {per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(name);
        self.0 = Some(bar);
    }

    fn advance(&mut self, n: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
        }
    }
}

#[rocket::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Some(Command::ReadTable)) {
        // The server's reader child: no configuration, no log, only the answer on stdout.
        return match domain::table_reader::child_main() {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    init_tracing();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tongxing: {message}");
            ExitCode::FAILURE
        }
    }
}
