//! The shared resource library (资源共享, issue 13): files teachers, schools and the bureau
//! share — 教育理论, 教学案例, 教学论文, 题组设计, 试题, 教案, 课件 — with a subject and a
//! grade, seen by one teacher pairing, one school pairing, or everyone. The file itself
//! lives under the upload folder with a generated name; the row keeps the name it was
//! uploaded as (for the download) and the type found in its content.
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Resources {
    Table,
    Id,
    Title,
    Kind,
    Subject,
    Grade,
    Visibility,
    SchoolPairingId,
    TeacherPairingId,
    FileName,
    StoredName,
    ContentType,
    SizeBytes,
    UploadedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SchoolPairings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TeacherPairings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Resources::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Resources::Id))
                    .col(string_len(Resources::Title, 200))
                    .col(string_len(Resources::Kind, 20).check(
                        Expr::col(Resources::Kind).is_in(
                            [
                                "theory",
                                "case",
                                "paper",
                                "question_design",
                                "test_paper",
                                "lesson_plan",
                                "courseware",
                            ]
                            .map(String::from),
                        ),
                    ))
                    .col(string_len(Resources::Subject, 40).default(""))
                    .col(string_len(Resources::Grade, 40).default(""))
                    // Exactly the pairing its visibility names, and none for everyone.
                    .col(string_len(Resources::Visibility, 20).check(Expr::cust(
                        "(visibility = 'everyone' AND school_pairing_id IS NULL AND teacher_pairing_id IS NULL) \
                         OR (visibility = 'school_pairing' AND school_pairing_id IS NOT NULL AND teacher_pairing_id IS NULL) \
                         OR (visibility = 'teacher_pairing' AND teacher_pairing_id IS NOT NULL AND school_pairing_id IS NULL)",
                    )))
                    .col(big_integer_null(Resources::SchoolPairingId))
                    .col(big_integer_null(Resources::TeacherPairingId))
                    .col(string_len(Resources::FileName, 200))
                    .col(string_len(Resources::StoredName, 64))
                    .col(string_len(Resources::ContentType, 100))
                    .col(big_integer(Resources::SizeBytes).check(Expr::col(Resources::SizeBytes).gt(0)))
                    .col(big_integer_null(Resources::UploadedBy))
                    .col(timestamp_with_time_zone(Resources::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_resources_school_pairing")
                            .from(Resources::Table, Resources::SchoolPairingId)
                            .to(SchoolPairings::Table, SchoolPairings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_resources_teacher_pairing")
                            .from(Resources::Table, Resources::TeacherPairingId)
                            .to(TeacherPairings::Table, TeacherPairings::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_resources_uploaded_by")
                            .from(Resources::Table, Resources::UploadedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_resources_kind", &["kind", "subject", "grade", "id"][..]),
            ("ix_resources_subject", &["subject", "grade", "id"][..]),
            ("ix_resources_visibility", &["visibility", "id"][..]),
            (
                "ix_resources_school_pairing",
                &["school_pairing_id", "id"][..],
            ),
            (
                "ix_resources_teacher_pairing",
                &["teacher_pairing_id", "id"][..],
            ),
            ("ix_resources_uploaded_by", &["uploaded_by", "id"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Resources::Table).if_not_exists();
            for c in cols {
                index.col(Alias::new(*c));
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Resources::Table).to_owned())
            .await
    }
}
