//! The benchmark's ceiling: a bare Rocket + Askama + database endpoint in the style of
//! TechEmpower's Fortunes test, on the same stack and database as the app — read every row
//! of a small table, add one at request time, sort by message, escape and render.
//!
//! `GET /fortunes` on `ROCKET_ADDRESS`/`ROCKET_PORT`, against `TONGXING_DATABASE_URL` (the
//! app's default SQLite file when unset); the `fortune` table is created and filled when
//! missing. Run with `cargo run --release --example fortunes`.
use askama::Template;
use rocket::response::content::RawHtml;
use rocket::{State, get, routes};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

const FORTUNES: &[&str] = &[
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    "<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
    "フレームワークのベンチマーク",
];

#[derive(Template)]
#[template(
    source = "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>{% for f in fortunes %}<tr><td>{{ f.0 }}</td><td>{{ f.1 }}</td></tr>{% endfor %}</table></body></html>",
    ext = "html"
)]
struct Page {
    fortunes: Vec<(i64, String)>,
}

#[get("/fortunes")]
async fn fortunes(db: &State<DatabaseConnection>) -> Result<RawHtml<String>, String> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, message FROM fortune",
        ))
        .await
        .map_err(|e| e.to_string())?;
    let mut list = Vec::with_capacity(rows.len() + 1);
    for row in rows {
        let id: i64 = row
            .try_get::<i64>("", "id")
            .or_else(|_| row.try_get::<i32>("", "id").map(i64::from))
            .map_err(|e| e.to_string())?;
        list.push((
            id,
            row.try_get::<String>("", "message")
                .map_err(|e| e.to_string())?,
        ));
    }
    list.push((0, "Additional fortune added at request time.".into()));
    list.sort_by(|a, b| a.1.cmp(&b.1));
    Page { fortunes: list }
        .render()
        .map(RawHtml)
        .map_err(|e| e.to_string())
}

async fn prepare(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let id = if backend == DbBackend::Postgres {
        "integer PRIMARY KEY"
    } else {
        "INTEGER PRIMARY KEY"
    };
    db.execute_unprepared(&format!(
        "CREATE TABLE IF NOT EXISTS fortune (id {id}, message TEXT NOT NULL)"
    ))
    .await?;
    let count = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM fortune",
        ))
        .await?
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(0);
    if count == 0 {
        for (i, message) in FORTUNES.iter().enumerate() {
            let sql = if backend == DbBackend::Postgres {
                "INSERT INTO fortune (id, message) VALUES ($1, $2)"
            } else {
                "INSERT INTO fortune (id, message) VALUES (?, ?)"
            };
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [(i as i32 + 1).into(), (*message).into()],
            ))
            .await?;
        }
    }
    Ok(())
}

#[rocket::main]
async fn main() -> Result<(), String> {
    let url = std::env::var("TONGXING_DATABASE_URL")
        .unwrap_or_else(|_| "sqlite://data/tongxing.db?mode=rwc".into());
    let db = tongxing::db::connect(&url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    prepare(&db).await.map_err(|e| e.to_string())?;
    // The app's build enables Rocket's private cookies, which want a key in release builds;
    // this endpoint has no cookies, so a fresh one does.
    let figment =
        rocket::Config::figment().merge(("secret_key", tongxing::domain::tokens::new_secret_key()));
    let rocket = rocket::custom(figment)
        .manage(db)
        .mount("/", routes![fortunes])
        .ignite()
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "fortunes: http://{}:{}/fortunes",
        rocket.config().address,
        rocket.config().port
    );
    rocket.launch().await.map_err(|e| e.to_string())?;
    Ok(())
}
