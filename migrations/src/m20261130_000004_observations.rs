//! Lesson observations (听课记录) scored with versioned rubric templates (评课表),
//! reflections (教学反思) with their comment threads, the contact log (联系记录), and form
//! drafts kept when a session expired while a long text was being written. Ships two
//! rubric templates: 课堂教学评价表 and a four-domain, four-level framework.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Rubrics {
    Table,
    Id,
    Code,
    Version,
    Name,
    Description,
    Definition,
    IsCurrent,
    IsActive,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Observations {
    Table,
    Id,
    TeacherPairingId,
    ObserverId,
    ObservedId,
    AuthorId,
    ObservedOn,
    GradeClass,
    Subject,
    Topic,
    LessonKind,
    Mode,
    RecordingUrl,
    RubricId,
    Scores,
    SectionScores,
    TotalScore,
    Band,
    Strengths,
    Suggestions,
    Comment,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Reflections {
    Table,
    Id,
    TeacherPairingId,
    ObservationId,
    AuthorId,
    Title,
    Body,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
    ObservationId,
    ReflectionId,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Contacts {
    Table,
    Id,
    TeacherPairingId,
    Kind,
    ContactedOn,
    Summary,
    AuthorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum FormDrafts {
    Table,
    Token,
    UserId,
    Path,
    Fields,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TeacherPairings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Teachers {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

fn fk(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    if unique {
        stmt.unique();
    }
    for col in cols {
        stmt.col(col);
    }
    manager.create_index(stmt.to_owned()).await
}

/// The two templates shipped: (code, name, description, definition as JSON).
const SHIPPED: [(&str, &str, &str, &str); 2] = [
    (
        "classroom-cn",
        "课堂教学评价表",
        "教学目标、教学内容、教学方法、教学过程、教学效果、教师素养六项，满分100分；优 90–100，良 75–89，合格 60–74，不合格 60 分以下。",
        include_str!("rubrics/classroom_cn.json"),
    ),
    (
        "framework-four-levels",
        "教学实践框架评价表（四领域·四级）",
        "计划与准备、课堂环境、教学实施、专业职责四个领域，每项按不合格、基本、熟练、优秀四级评定。",
        include_str!("rubrics/framework_four_levels.json"),
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Rubrics::Table)
                    .col(big_pk_auto(Rubrics::Id))
                    .col(string(Rubrics::Code))
                    .col(integer(Rubrics::Version))
                    .col(string(Rubrics::Name))
                    .col(text(Rubrics::Description))
                    .col(text(Rubrics::Definition))
                    .col(boolean(Rubrics::IsCurrent))
                    .col(boolean(Rubrics::IsActive))
                    .col(big_integer_null(Rubrics::CreatedBy))
                    .col(timestamp_with_time_zone(Rubrics::CreatedAt))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_rubrics_code_version",
            Rubrics::Table,
            vec![Rubrics::Code.into_iden(), Rubrics::Version.into_iden()],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Observations::Table)
                    .col(big_pk_auto(Observations::Id))
                    .col(big_integer(Observations::TeacherPairingId))
                    .col(big_integer(Observations::ObserverId))
                    .col(big_integer(Observations::ObservedId))
                    .col(big_integer(Observations::AuthorId))
                    .col(date(Observations::ObservedOn))
                    .col(string(Observations::GradeClass))
                    .col(string(Observations::Subject))
                    .col(string(Observations::Topic))
                    .col(string(Observations::LessonKind))
                    .col(string(Observations::Mode))
                    .col(string(Observations::RecordingUrl))
                    .col(big_integer(Observations::RubricId))
                    .col(text(Observations::Scores))
                    .col(text(Observations::SectionScores))
                    .col(double(Observations::TotalScore))
                    .col(string(Observations::Band))
                    .col(text(Observations::Strengths))
                    .col(text(Observations::Suggestions))
                    .col(text(Observations::Comment))
                    .col(integer(Observations::Version))
                    .col(timestamp_with_time_zone(Observations::CreatedAt))
                    .col(timestamp_with_time_zone(Observations::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_observations_pairing",
                        (Observations::Table, Observations::TeacherPairingId),
                        (TeacherPairings::Table, TeacherPairings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_observations_observer",
                        (Observations::Table, Observations::ObserverId),
                        (Teachers::Table, Teachers::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_observations_observed",
                        (Observations::Table, Observations::ObservedId),
                        (Teachers::Table, Teachers::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_observations_author",
                        (Observations::Table, Observations::AuthorId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_observations_rubric",
                        (Observations::Table, Observations::RubricId),
                        (Rubrics::Table, Rubrics::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_observations_pairing",
                vec![
                    Observations::TeacherPairingId.into_iden(),
                    Observations::ObservedOn.into_iden(),
                ],
            ),
            (
                "ix_observations_observed",
                vec![
                    Observations::ObservedId.into_iden(),
                    Observations::ObservedOn.into_iden(),
                ],
            ),
            (
                "ix_observations_date",
                vec![Observations::ObservedOn.into_iden()],
            ),
            (
                "ix_observations_rubric",
                vec![Observations::RubricId.into_iden()],
            ),
        ] {
            index(manager, name, Observations::Table, cols, false).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Reflections::Table)
                    .col(big_pk_auto(Reflections::Id))
                    .col(big_integer(Reflections::TeacherPairingId))
                    .col(big_integer_null(Reflections::ObservationId))
                    .col(big_integer(Reflections::AuthorId))
                    .col(string(Reflections::Title))
                    .col(text(Reflections::Body))
                    .col(timestamp_with_time_zone(Reflections::CreatedAt))
                    .col(timestamp_with_time_zone(Reflections::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_reflections_pairing",
                        (Reflections::Table, Reflections::TeacherPairingId),
                        (TeacherPairings::Table, TeacherPairings::Id),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reflections_observation")
                            .from(Reflections::Table, Reflections::ObservationId)
                            .to(Observations::Table, Observations::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(&mut fk(
                        "fk_reflections_author",
                        (Reflections::Table, Reflections::AuthorId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_reflections_pairing",
            Reflections::Table,
            vec![
                Reflections::TeacherPairingId.into_iden(),
                Reflections::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "ix_reflections_observation",
            Reflections::Table,
            vec![Reflections::ObservationId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Comments::Table)
                    .col(big_pk_auto(Comments::Id))
                    .col(big_integer_null(Comments::ObservationId))
                    .col(big_integer_null(Comments::ReflectionId))
                    .col(big_integer(Comments::AuthorId))
                    .col(text(Comments::Body))
                    .col(timestamp_with_time_zone(Comments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_comments_observation")
                            .from(Comments::Table, Comments::ObservationId)
                            .to(Observations::Table, Observations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_comments_reflection")
                            .from(Comments::Table, Comments::ReflectionId)
                            .to(Reflections::Table, Reflections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut fk(
                        "fk_comments_author",
                        (Comments::Table, Comments::AuthorId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_comments_observation",
            Comments::Table,
            vec![Comments::ObservationId.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "ix_comments_reflection",
            Comments::Table,
            vec![Comments::ReflectionId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Contacts::Table)
                    .col(big_pk_auto(Contacts::Id))
                    .col(big_integer(Contacts::TeacherPairingId))
                    .col(string(Contacts::Kind))
                    .col(date(Contacts::ContactedOn))
                    .col(text(Contacts::Summary))
                    .col(big_integer(Contacts::AuthorId))
                    .col(timestamp_with_time_zone(Contacts::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_contacts_pairing",
                        (Contacts::Table, Contacts::TeacherPairingId),
                        (TeacherPairings::Table, TeacherPairings::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_contacts_author",
                        (Contacts::Table, Contacts::AuthorId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_contacts_pairing",
            Contacts::Table,
            vec![
                Contacts::TeacherPairingId.into_iden(),
                Contacts::ContactedOn.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(FormDrafts::Table)
                    .col(string(FormDrafts::Token).primary_key())
                    .col(big_integer_null(FormDrafts::UserId))
                    .col(string(FormDrafts::Path))
                    .col(text(FormDrafts::Fields))
                    .col(timestamp_with_time_zone(FormDrafts::CreatedAt))
                    .to_owned(),
            )
            .await?;

        for (code, name, description, definition) in SHIPPED {
            let insert = Query::insert()
                .into_table(Rubrics::Table)
                .columns([
                    Rubrics::Code,
                    Rubrics::Version,
                    Rubrics::Name,
                    Rubrics::Description,
                    Rubrics::Definition,
                    Rubrics::IsCurrent,
                    Rubrics::IsActive,
                    Rubrics::CreatedAt,
                ])
                .values_panic([
                    code.into(),
                    1.into(),
                    name.into(),
                    description.into(),
                    definition.trim().into(),
                    true.into(),
                    true.into(),
                    Expr::current_timestamp(),
                ])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            FormDrafts::Table.into_iden(),
            Contacts::Table.into_iden(),
            Comments::Table.into_iden(),
            Reflections::Table.into_iden(),
            Observations::Table.into_iden(),
            Rubrics::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
