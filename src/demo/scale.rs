//! The seed's programme at its real size (按照“xx-xx年结对帮扶计划”的规定，全区有19所中小学
//! 担负结对帮扶任务……现已进行了四年三批轮岗支教达107人次): nine more schools with pairing
//! tasks, so that nineteen take part — a third urban primary school and township centre
//! schools supporting village schools, as the seed describes (农村完中、初中、乡(办)中心学校
//! 及区级农村示范小学也要开展结对帮扶村级薄弱小学) —, the programme's three earlier years, and
//! 104 secondments in three batches (one a year, 2022-2023 to 2024-2025) of the supporting
//! schools' teachers, which with the three of 2025-2027 make the seed's 107 person-times.
//! Like the rest of the demo, each row is added only when it is missing.
use chrono::NaiveDate;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use super::{DemoReport, DemoSchool, demo_context};
use crate::domain::access::Actor;
use crate::domain::{academic_years, school_pairings, schools, secondments, teachers};
use crate::error::AppResult;

const MORE_SCHOOLS: &[DemoSchool] = &[
    DemoSchool {
        name: "叶集区第三小学",
        code: "3415020004",
        kind: "urban",
        stage: "primary",
        township: "城区",
        principal: "汪明亮",
        students: 1420,
        teachers: 76,
    },
    DemoSchool {
        name: "孙岗乡中心学校",
        code: "3415020302",
        kind: "township",
        stage: "nine_year",
        township: "孙岗乡",
        principal: "李长春",
        students: 780,
        teachers: 58,
    },
    DemoSchool {
        name: "洪集镇中心学校",
        code: "3415020501",
        kind: "township",
        stage: "nine_year",
        township: "洪集镇",
        principal: "罗先进",
        students: 860,
        teachers: 61,
    },
    DemoSchool {
        name: "平岗办事处中心小学",
        code: "3415020203",
        kind: "township",
        stage: "primary",
        township: "平岗办事处",
        principal: "胡玉兰",
        students: 640,
        teachers: 37,
    },
    DemoSchool {
        name: "仓房小学",
        code: "3415020303",
        kind: "rural",
        stage: "primary",
        township: "孙岗乡",
        principal: "彭德才",
        students: 160,
        teachers: 11,
    },
    DemoSchool {
        name: "唐畈小学",
        code: "3415020502",
        kind: "rural",
        stage: "primary",
        township: "洪集镇",
        principal: "程志刚",
        students: 140,
        teachers: 9,
    },
    DemoSchool {
        name: "光明小学",
        code: "3415020503",
        kind: "rural",
        stage: "primary",
        township: "洪集镇",
        principal: "夏雪梅",
        students: 170,
        teachers: 12,
    },
    DemoSchool {
        name: "双河小学",
        code: "3415020104",
        kind: "rural",
        stage: "primary",
        township: "三元乡",
        principal: "蒋红军",
        students: 130,
        teachers: 9,
    },
    DemoSchool {
        name: "新建小学",
        code: "3415020204",
        kind: "rural",
        stage: "primary",
        township: "平岗办事处",
        principal: "付玉珍",
        students: 150,
        teachers: 10,
    },
];

/// Supporter → receiver with the kinds of support, from 2025-2026 like the seed's.
const MORE_PAIRINGS: &[(&str, &str, &[&str])] = &[
    ("3415020004", "3415020104", &["staff"]),
    ("3415020004", "3415020502", &["materials"]),
    ("3415020302", "3415020303", &["staff", "management"]),
    ("3415020501", "3415020503", &["staff"]),
    ("3415020203", "3415020204", &["staff"]),
];

/// The programme's earlier years: (name, first day, second term, last day).
type Year = (
    &'static str,
    (i32, u32, u32),
    (i32, u32, u32),
    (i32, u32, u32),
);
const EARLIER_YEARS: &[Year] = &[
    ("2022-2023", (2022, 9, 1), (2023, 2, 20), (2023, 7, 10)),
    ("2023-2024", (2023, 9, 1), (2024, 2, 26), (2024, 7, 10)),
    ("2024-2025", (2024, 9, 1), (2025, 2, 17), (2025, 7, 10)),
];

/// The three batches: (year, batch, person-times). With the demo's three secondments of
/// 2025-2027 they add up to the seed's 107.
pub const BATCHES: &[(&str, u32, usize)] = &[
    ("2022-2023", 1, 35),
    ("2023-2024", 2, 35),
    ("2024-2025", 3, 34),
];

/// The schools that send teachers (the four urban schools) and those that receive them.
const SENDERS: &[(&str, &[&str])] = &[
    ("3415020001", &["语文", "数学", "英语", "物理", "化学"]),
    ("3415020002", &["语文", "数学", "英语", "音乐", "美术"]),
    ("3415020003", &["语文", "数学", "英语", "科学", "体育"]),
    ("3415020004", &["语文", "数学", "音乐", "体育", "美术"]),
];
const RECEIVERS: &[&str] = &[
    "3415020101",
    "3415020102",
    "3415020103",
    "3415020201",
    "3415020202",
    "3415020301",
    "3415020401",
    "3415020104",
    "3415020204",
    "3415020303",
    "3415020502",
    "3415020503",
];

/// The programme's plan (the seed's "共安排129名教师"), spread over its four years.
const PLANNED: &[(&str, i32)] = &[
    ("2022-2023", 33),
    ("2023-2024", 32),
    ("2024-2025", 32),
    ("2025-2026", 32),
];

/// The teachers planned for secondment in the demo's year `name`, as the form takes it.
pub(super) fn planned(name: &str) -> String {
    PLANNED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| p.to_string())
        .unwrap_or_default()
}

pub async fn load(
    db: &DatabaseConnection,
    actor: &Actor,
    report: &mut DemoReport,
) -> AppResult<()> {
    let d = |(y, m, day): (i32, u32, u32)| {
        NaiveDate::from_ymd_opt(y, m, day)
            .unwrap_or_default()
            .to_string()
    };
    let known = academic_years::list(db).await?;
    for (name, starts, second, ends) in EARLIER_YEARS {
        if known.iter().any(|y| y.name == *name) {
            continue;
        }
        let form = academic_years::YearForm {
            name: name.to_string(),
            starts_on: d(*starts),
            second_term_starts_on: d(*second),
            ends_on: d(*ends),
            is_current: String::new(),
            secondments_planned: planned(name),
        };
        academic_years::create(db, actor, &form).await?;
        report.years_added += 1;
    }
    // A demo made before years carried a plan gets it.
    for year in academic_years::list(db).await? {
        let plan = planned(&year.name);
        if year.secondments_planned.is_none() && !plan.is_empty() {
            let form = academic_years::YearForm {
                secondments_planned: plan,
                ..academic_years::YearForm::from_model(&year)
            };
            academic_years::update(db, actor, year.id, &form).await?;
        }
    }
    for s in MORE_SCHOOLS {
        if schools::find_by_code(db, s.code).await?.is_none() {
            schools::create(db, actor, &super::school_form(s)).await?;
            report.schools_added += 1;
        }
    }
    let mut drafts = Vec::new();
    for (supporter, receiver, kinds) in MORE_PAIRINGS {
        let (Some(s), Some(r)) = (
            schools::find_by_code(db, supporter).await?,
            schools::find_by_code(db, receiver).await?,
        ) else {
            continue;
        };
        let exists = crate::entities::school_pairings::Entity::find()
            .filter(crate::entities::school_pairings::Column::SupporterId.eq(s.id))
            .filter(crate::entities::school_pairings::Column::ReceiverId.eq(r.id))
            .one(db)
            .await?
            .is_some();
        if exists {
            continue;
        }
        let form = school_pairings::PairingForm {
            supporter_id: s.id.to_string(),
            receiver_id: r.id.to_string(),
            year_from: "2025-2026".into(),
            year_to: "2028-2029".into(),
            support_kinds: kinds.iter().map(|k| k.to_string()).collect(),
            ..Default::default()
        };
        drafts.push(school_pairings::create(db, actor, &form).await?.id);
    }
    if !drafts.is_empty() {
        school_pairings::publish(db, actor, &drafts, None, &demo_context()).await?;
        report.school_pairings_added += drafts.len();
    }
    secondments_of_the_batches(db, actor, report).await
}

/// One teacher per secondment, each added with the school's next staff number `ZJ…`.
async fn secondments_of_the_batches(
    db: &DatabaseConnection,
    actor: &Actor,
    report: &mut DemoReport,
) -> AppResult<()> {
    let years = academic_years::list(db).await?;
    let mut senders = Vec::new();
    for (code, subjects) in SENDERS {
        if let Some(s) = schools::find_by_code(db, code).await? {
            senders.push((s, *subjects));
        }
    }
    let mut receivers = Vec::new();
    for code in RECEIVERS {
        if let Some(s) = schools::find_by_code(db, code).await? {
            receivers.push(s);
        }
    }
    if senders.is_empty() || receivers.is_empty() {
        return Ok(());
    }
    // The same names on every run.
    let mut rng = StdRng::seed_from_u64(107);
    let mut n = 0usize;
    for (year_name, batch, count) in BATCHES {
        let Some(year) = years.iter().find(|y| y.name == *year_name) else {
            continue;
        };
        for _ in 0..*count {
            let (from, subjects) = &senders[n % senders.len()];
            let to = &receivers[n % receivers.len()];
            let (name, gender) = crate::generate::words::person(&mut rng);
            let subject = subjects[(n / senders.len()) % subjects.len()];
            n += 1;
            let staff_no = format!("ZJ{n:04}");
            let teacher = match teachers::find_by_staff_no(db, from.id, &staff_no).await? {
                Some(t) => t,
                None => {
                    let form = teachers::TeacherForm {
                        school_id: from.id.to_string(),
                        name,
                        gender: gender.into(),
                        staff_no: staff_no.clone(),
                        subjects: subject.into(),
                        grades: String::new(),
                        title: "first".into(),
                        years_teaching: (6 + n % 15).to_string(),
                        honours: String::new(),
                        phone: String::new(),
                        email: String::new(),
                    };
                    report.teachers_added += 1;
                    teachers::create(db, actor, &form).await?
                }
            };
            let exists = crate::entities::secondments::Entity::find()
                .filter(crate::entities::secondments::Column::TeacherId.eq(teacher.id))
                .filter(crate::entities::secondments::Column::AcademicYearId.eq(year.id))
                .one(db)
                .await?
                .is_some();
            if exists {
                continue;
            }
            let form = secondments::SecondmentForm {
                teacher_id: teacher.id.to_string(),
                from_school_id: from.id.to_string(),
                to_school_id: to.id.to_string(),
                academic_year_id: year.id.to_string(),
                term: "year".into(),
                batch: batch.to_string(),
                starts_on: year.starts_on.to_string(),
                ends_on: year.ends_on.to_string(),
                note: String::new(),
            };
            secondments::create(db, actor, &form).await?;
            report.secondments_added += 1;
        }
    }
    Ok(())
}
