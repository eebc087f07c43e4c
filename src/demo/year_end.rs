//! The demo's year-end of 2025-2026, as the seed tells it: 李启成 (实验学校) and 尤如昌 (二小),
//! seconded to 段岗小学 at 孙岗乡, write their self-evaluations, which 段岗小学 appraises as
//! part of its annual staff appraisal, their own schools sign and the bureau verifies as
//! 优秀; both acknowledge. Each also writes the 支教工作总结 their school has received, and
//! 段岗小学's annual summary as the receiving school waits for the bureau. Everything goes
//! through the services, as the people would; documents already there are left alone.
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::domain::access::Actor;
use crate::domain::self_evaluations as se;
use crate::domain::summaries as sums;
use crate::domain::{academic_years, schools, teachers, users};
use crate::error::AppResult;

/// (school code, staff number, e-mail, name, the four sections).
type Author = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    [&'static str; 4],
);

const AUTHORS: [Author; 2] = [
    (
        "3415020002",
        "SY0031",
        "liqicheng@demo.tongxing.cn",
        "李启成",
        [
            "服从学校安排到孙岗乡段岗小学支教，热爱农村教育，关心留守儿童，遵守受援学校的规章制度，为人师表。",
            "承担五、六年级数学和科学教学，认真备课上课，每周上示范课一节，组织集体备课，把导学案教学带到段岗小学。",
            "所教班级数学平均分提高 9 分；帮带两名青年教师，一人获乡优质课一等奖；为学校建起科学实验室的使用制度。",
            "对农村学生的家庭教育指导不够，下一步加强家访，和受援学校一起做好留守儿童的辅导。",
        ],
    ),
    (
        "3415020003",
        "EX0012",
        "youruchang@demo.tongxing.cn",
        "尤如昌",
        [
            "扎根段岗小学一学期，以校为家，爱岗敬业，尊重受援学校教师，团结协作。",
            "承担四年级语文教学，开设阅读课，组织“书香校园”读书活动；上公开课三节，参加乡镇教研活动。",
            "所教班级语文成绩由全乡第七提高到第三；学生课外阅读量明显增加，两名学生作文获区级奖。",
            "教育科研方面成果较少，今后把支教中的做法整理成教学案例和论文。",
        ],
    ),
];

/// A school's admin by code (the demo's ledger admins), as an actor.
async fn admin_of(db: &DatabaseConnection, code: &str) -> AppResult<Option<Actor>> {
    use crate::entities::users as u;
    let Some(school) = schools::find_by_code(db, code).await? else {
        return Ok(None);
    };
    Ok(u::Entity::find()
        .filter(u::Column::SchoolId.eq(school.id))
        .filter(u::Column::Role.eq("school_admin"))
        .one(db)
        .await?
        .map(|m| users::actor_of(&m)))
}

/// Adds the year-end documents of 2025-2026; returns how many were added.
pub async fn load(db: &DatabaseConnection, bureau: &Actor) -> AppResult<usize> {
    let site = super::demo_context();
    let Some(year) = academic_years::list(db)
        .await?
        .into_iter()
        .find(|y| y.name == "2025-2026")
    else {
        return Ok(0);
    };
    let Some(duangang) = admin_of(db, "3415020301").await? else {
        return Ok(0);
    };
    let mut added = 0;
    for (code, staff_no, email, name, [ethics, teaching, results, improvement]) in AUTHORS {
        let Some(school) = schools::find_by_code(db, code).await? else {
            continue;
        };
        let Some(teacher) = teachers::find_by_staff_no(db, school.id, staff_no).await? else {
            continue;
        };
        let Some(own_admin) = admin_of(db, code).await? else {
            continue;
        };
        let account = match users::find_by_email(db, email).await? {
            Some(u) => u,
            None => {
                let form = users::UserForm {
                    email: email.into(),
                    name: name.into(),
                    role: "teacher".into(),
                    school_id: school.id.to_string(),
                    teacher_id: teacher.id.to_string(),
                    password: super::DEMO_PASSWORD.into(),
                };
                users::create(db, bureau, &form, &site).await?
            }
        };
        let author = users::actor_of(&account);
        let exists = crate::entities::self_evaluations::Entity::find()
            .filter(crate::entities::self_evaluations::Column::TeacherId.eq(teacher.id))
            .filter(crate::entities::self_evaluations::Column::AcademicYearId.eq(year.id))
            .one(db)
            .await?
            .is_some();
        if !exists {
            let d = se::begin(
                db,
                &author,
                &se::BeginForm {
                    academic_year_id: year.id.to_string(),
                    context: "seconded".into(),
                },
            )
            .await?;
            let d = se::save(
                db,
                &author,
                d.id,
                &se::SectionsForm {
                    ethics: ethics.into(),
                    teaching: teaching.into(),
                    results: results.into(),
                    improvement: improvement.into(),
                    proposed_grade: "excellent".into(),
                    version: d.version.to_string(),
                },
            )
            .await?;
            let mut version = d.version;
            for (who, action, grade, comment) in [
                (&author, se::Action::Submit, "", ""),
                (
                    &duangang,
                    se::Action::Appraise,
                    "excellent",
                    "支教期间工作认真负责，教学效果显著，参加我校教职工年度考核，考核等次为优秀。",
                ),
                (
                    &own_admin,
                    se::Action::Sign,
                    "",
                    "同意受援学校的考核意见，该同志支教表现突出。",
                ),
                (bureau, se::Action::Verify, "excellent", "核定为优秀。"),
                (&author, se::Action::Acknowledge, "", ""),
            ] {
                let step = se::StepForm {
                    grade: grade.into(),
                    comment: comment.into(),
                    reason: String::new(),
                    version: version.to_string(),
                };
                version = se::act(db, who, d.id, action, &step, &site).await?.version;
            }
            added += 1;
        }
        // The secondment work summary, received by the teacher's own school.
        let has_summary = crate::entities::summaries::Entity::find()
            .filter(crate::entities::summaries::Column::TeacherId.eq(teacher.id))
            .filter(crate::entities::summaries::Column::AcademicYearId.eq(year.id))
            .one(db)
            .await?
            .is_some();
        if !has_summary {
            let s = sums::begin(
                db,
                &author,
                &sums::BeginForm {
                    academic_year_id: year.id.to_string(),
                    kind: "seconded".into(),
                },
            )
            .await?;
            let text = [
                ("ethics", ethics),
                ("teaching", teaching),
                (
                    "growth",
                    "支教期间坚持读书学习，向受援学校老教师学习农村教学经验，自身的教育教学能力得到锻炼。",
                ),
                ("results", results),
                ("remaining", improvement),
            ];
            let s = sums::save(
                db,
                &author,
                s.id,
                &sums::TextForm {
                    sections: text
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                    version: s.version.to_string(),
                },
            )
            .await?;
            let s = sums::act(
                db,
                &author,
                s.id,
                sums::Action::Submit,
                &sums::StepForm {
                    version: s.version.to_string(),
                    ..Default::default()
                },
                &site,
            )
            .await?;
            sums::act(
                db,
                &own_admin,
                s.id,
                sums::Action::Accept,
                &sums::StepForm {
                    comment: "已阅，存入支教档案。".into(),
                    version: s.version.to_string(),
                    ..Default::default()
                },
                &site,
            )
            .await?;
            added += 1;
        }
    }
    // 段岗小学's summary as the receiving school, waiting for the bureau.
    let has_school_summary = crate::entities::summaries::Entity::find()
        .filter(crate::entities::summaries::Column::TeacherId.is_null())
        .filter(crate::entities::summaries::Column::SchoolId.eq(duangang.school_id))
        .filter(crate::entities::summaries::Column::AcademicYearId.eq(year.id))
        .one(db)
        .await?
        .is_some();
    let open = sums::open_kinds(db, &duangang, &year).await?;
    if !has_school_summary && open.contains(&sums::Kind::Receiver) {
        let s = sums::begin(
            db,
            &duangang,
            &sums::BeginForm {
                academic_year_id: year.id.to_string(),
                kind: "receiver".into(),
            },
        )
        .await?;
        let text = [
            (
                "overview",
                "我校是孙岗乡的一所村小，现有学生 312 人、教师 21 人。本学年区实验学校与我校结对帮扶，先后派出两名骨干教师来校支教，并捐赠了图书和实验器材。",
            ),
            (
                "practices",
                "一是支教教师承担主科教学并上示范课，带动本校青年教师；二是两校教师集体备课、同上一节课；三是选派教师到实验学校跟岗培训；四是两校学生手拉手结对。",
            ),
            (
                "outcomes",
                "学生数学、语文成绩明显提高，两名青年教师在乡优质课评比中获奖；图书室、实验室用起来了，学生阅读量增加。",
            ),
            (
                "problems",
                "支教时间一学期，刚熟悉情况就要轮换；跟岗培训期间课务安排有困难。",
            ),
            (
                "plans",
                "希望支教时间延长到一学年；把跟岗培训安排在假期前后；继续做好两校学生手拉手活动。",
            ),
        ];
        let s = sums::save(
            db,
            &duangang,
            s.id,
            &sums::TextForm {
                sections: text
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                version: s.version.to_string(),
            },
        )
        .await?;
        sums::act(
            db,
            &duangang,
            s.id,
            sums::Action::Submit,
            &sums::StepForm {
                version: s.version.to_string(),
                ..Default::default()
            },
            &site,
        )
        .await?;
        added += 1;
    }
    Ok(added)
}
