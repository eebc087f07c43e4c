//! Teacher search by any part of a name (issue 12): `name LIKE '%王%'` in pinyin order
//! walked most of 150,000 teachers before it had a page. `teacher_name_grams` holds every
//! character and pair of characters of each teacher's name (`crate::name_grams`) with the
//! name's sort key, so a search reads its page off one index range in pinyin order.
//! Written by the teacher services and the generator; existing teachers are filled here.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement, Value};

#[derive(DeriveMigrationName)]
pub struct Migration;

const BATCH: i64 = 1000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let grams = Alias::new("teacher_name_grams");
        manager
            .create_table(
                Table::create()
                    .table(grams.clone())
                    .if_not_exists()
                    .col(ColumnDef::new(Alias::new("gram")).string_len(16).not_null())
                    .col(
                        ColumnDef::new(Alias::new("name_key"))
                            .string_len(400)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Alias::new("teacher_id"))
                            .big_integer()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(Alias::new("gram"))
                            .col(Alias::new("name_key"))
                            .col(Alias::new("teacher_id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(grams.clone(), Alias::new("teacher_id"))
                            .to(Alias::new("teachers"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_teacher_name_grams_teacher")
                    .table(grams.clone())
                    .col(Alias::new("teacher_id"))
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        let p1 = match backend {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => "$1",
            _ => "?",
        };
        let mut after = 0i64;
        loop {
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(
                    backend,
                    format!(
                        "SELECT id, name, name_key FROM teachers WHERE id > {p1} ORDER BY id LIMIT {BATCH}"
                    ),
                    [after.into()],
                ))
                .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get::<i64>("", "id")?;
            let mut insert = Query::insert();
            insert.into_table(grams.clone()).columns([
                Alias::new("gram"),
                Alias::new("name_key"),
                Alias::new("teacher_id"),
            ]);
            let mut any = false;
            for row in &rows {
                let id: i64 = row.try_get("", "id")?;
                let name: String = row.try_get("", "name")?;
                let key: String = row.try_get("", "name_key")?;
                for g in crate::name_grams(&name) {
                    any = true;
                    insert.values_panic([
                        Value::from(g).into(),
                        Value::from(key.clone()).into(),
                        Value::from(id).into(),
                    ]);
                }
            }
            if any {
                manager.exec_stmt(insert.to_owned()).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("teacher_name_grams"))
                    .to_owned(),
            )
            .await
    }
}
