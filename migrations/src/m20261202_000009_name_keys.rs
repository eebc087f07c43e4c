//! Schools, teachers and users get `name_key`, their name's pinyin sort key
//! (`crate::name_key`), so lists of people and schools sort as a Chinese reader expects
//! instead of by character code. Existing rows are filled in here, in batches.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 3] = ["schools", "teachers", "users"];
const BATCH: i64 = 1000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        // Placeholders: `?` on SQLite, `$n` on PostgreSQL.
        let (p1, p2) = match backend {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => ("$1", "$2"),
            _ => ("?", "?"),
        };
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(
                            ColumnDef::new(Alias::new("name_key"))
                                .string_len(400)
                                .not_null()
                                .default(""),
                        )
                        .to_owned(),
                )
                .await?;
            let mut after = 0i64;
            loop {
                let rows = db
                    .query_all_raw(Statement::from_sql_and_values(
                        backend,
                        format!(
                            "SELECT id, name FROM {table} WHERE id > {p1} ORDER BY id LIMIT {BATCH}"
                        ),
                        [after.into()],
                    ))
                    .await?;
                let Some(last) = rows.last() else { break };
                after = last.try_get::<i64>("", "id")?;
                for row in &rows {
                    let id: i64 = row.try_get("", "id")?;
                    let name: String = row.try_get("", "name")?;
                    db.execute_raw(Statement::from_sql_and_values(
                        backend,
                        format!("UPDATE {table} SET name_key = {p1} WHERE id = {p2}"),
                        [crate::name_key(&name).into(), id.into()],
                    ))
                    .await?;
                }
            }
            manager
                .create_index(
                    Index::create()
                        .name(format!("idx_{table}_name_key"))
                        .table(Alias::new(table))
                        .col(Alias::new("name_key"))
                        .col(Alias::new("id"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .drop_index(
                    Index::drop()
                        .name(format!("idx_{table}_name_key"))
                        .table(Alias::new(table))
                        .to_owned(),
                )
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new("name_key"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
