//! `tongxing demo`: the seed's programme as demo data — the district's urban schools and
//! the rural schools they support (三元中学, 梓园小学, 平岗中学, 段岗小学, 龙塘小学, 龙冲小学,
//! 桥店中学), their teachers including the mentor and 姚成琳 (junior-secondary maths), two
//! academic years, and one account per role. Running it again adds nothing twice.
pub(crate) mod lessons;
mod scale;
mod year_end;

use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

/// Links in the demo's notifications point at the default address.
fn demo_context() -> crate::domain::context::Context {
    crate::domain::context::Context::new("http://127.0.0.1:8000")
}

use crate::domain::access::Actor;
use crate::domain::types::Role;
use crate::domain::{academic_years, schools, teachers, users};
use crate::error::AppResult;

pub const DEMO_PASSWORD: &str = "tongxing-demo";
/// Every demo account's address ends with this.
pub const DEMO_DOMAIN: &str = "@demo.tongxing.cn";

/// Accounts that are not demo accounts: `tongxing demo` refuses to add accounts with a
/// public password beside them unless forced.
pub async fn real_accounts(conn: &impl sea_orm::ConnectionTrait) -> crate::error::AppResult<u64> {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    Ok(crate::entities::users::Entity::find()
        .filter(crate::entities::users::Column::Email.not_like(format!("%{DEMO_DOMAIN}")))
        .count(conn)
        .await?)
}

/// One printed line per demo account: (role, e-mail, what it shows).
pub struct DemoLogin {
    pub role: Role,
    pub email: &'static str,
    pub who: &'static str,
}

pub const LOGINS: &[DemoLogin] = &[
    DemoLogin {
        role: Role::BureauAdmin,
        email: "bureau@demo.tongxing.cn",
        who: "区教育局支教办公室",
    },
    DemoLogin {
        role: Role::SchoolAdmin,
        email: "yizhong@demo.tongxing.cn",
        who: "叶集区第一中学 教导主任",
    },
    DemoLogin {
        role: Role::SchoolAdmin,
        email: "sanyuan@demo.tongxing.cn",
        who: "三元中学 校长",
    },
    DemoLogin {
        role: Role::Teacher,
        email: "wangjianhua@demo.tongxing.cn",
        who: "王建华（结对导师，初中数学）",
    },
    DemoLogin {
        role: Role::Teacher,
        email: "yaochenglin@demo.tongxing.cn",
        who: "姚成琳（受援教师，初中数学）",
    },
];

struct DemoSchool {
    name: &'static str,
    code: &'static str,
    kind: &'static str,
    stage: &'static str,
    township: &'static str,
    principal: &'static str,
    students: u32,
    teachers: u32,
}

const DISTRICT: &str = "叶集区";

fn school_form(s: &DemoSchool) -> schools::SchoolForm {
    schools::SchoolForm {
        name: s.name.into(),
        code: s.code.into(),
        kind: s.kind.into(),
        stage: s.stage.into(),
        district: DISTRICT.into(),
        township: s.township.into(),
        address: format!("{DISTRICT}{}", s.township),
        principal: s.principal.into(),
        phone: format!("0564-66{}", &s.code[6..]),
        student_count: s.students.to_string(),
        teacher_count: s.teachers.to_string(),
    }
}

const SCHOOLS: &[DemoSchool] = &[
    DemoSchool {
        name: "叶集区第一中学",
        code: "3415020001",
        kind: "urban",
        stage: "complete",
        township: "城区",
        principal: "周国庆",
        students: 2860,
        teachers: 186,
    },
    DemoSchool {
        name: "叶集区实验学校",
        code: "3415020002",
        kind: "urban",
        stage: "nine_year",
        township: "城区",
        principal: "陈丽华",
        students: 2310,
        teachers: 142,
    },
    DemoSchool {
        name: "叶集区第二小学",
        code: "3415020003",
        kind: "urban",
        stage: "primary",
        township: "城区",
        principal: "刘德兵",
        students: 1680,
        teachers: 88,
    },
    DemoSchool {
        name: "三元中学",
        code: "3415020101",
        kind: "township",
        stage: "junior",
        township: "三元乡",
        principal: "张永明",
        students: 620,
        teachers: 46,
    },
    DemoSchool {
        name: "梓园小学",
        code: "3415020102",
        kind: "rural",
        stage: "primary",
        township: "三元乡",
        principal: "赵春生",
        students: 180,
        teachers: 12,
    },
    DemoSchool {
        name: "龙塘小学",
        code: "3415020103",
        kind: "rural",
        stage: "primary",
        township: "三元乡",
        principal: "孙立军",
        students: 210,
        teachers: 14,
    },
    DemoSchool {
        name: "平岗中学",
        code: "3415020201",
        kind: "township",
        stage: "junior",
        township: "平岗办事处",
        principal: "吴海涛",
        students: 540,
        teachers: 41,
    },
    DemoSchool {
        name: "龙冲小学",
        code: "3415020202",
        kind: "rural",
        stage: "primary",
        township: "平岗办事处",
        principal: "郑光辉",
        students: 150,
        teachers: 10,
    },
    DemoSchool {
        name: "段岗小学",
        code: "3415020301",
        kind: "rural",
        stage: "primary",
        township: "孙岗乡",
        principal: "何秀英",
        students: 190,
        teachers: 13,
    },
    DemoSchool {
        name: "桥店中学",
        code: "3415020401",
        kind: "rural",
        stage: "junior",
        township: "孙岗乡",
        principal: "马志远",
        students: 430,
        teachers: 33,
    },
];

struct DemoTeacher {
    school_code: &'static str,
    name: &'static str,
    gender: &'static str,
    staff_no: &'static str,
    subjects: &'static str,
    grades: &'static str,
    title: &'static str,
    years: u32,
    honours: &'static str,
}

const TEACHERS: &[DemoTeacher] = &[
    DemoTeacher {
        school_code: "3415020001",
        name: "王建华",
        gender: "male",
        staff_no: "YZ0107",
        subjects: "数学",
        grades: "七年级、八年级、九年级",
        title: "senior",
        years: 21,
        honours: "市级骨干教师、学科带头人",
    },
    DemoTeacher {
        school_code: "3415020001",
        name: "黄晓燕",
        gender: "female",
        staff_no: "YZ0215",
        subjects: "语文",
        grades: "八年级",
        title: "senior",
        years: 18,
        honours: "区级骨干教师",
    },
    DemoTeacher {
        school_code: "3415020001",
        name: "徐志刚",
        gender: "male",
        staff_no: "YZ0322",
        subjects: "英语",
        grades: "九年级",
        title: "first",
        years: 12,
        honours: "",
    },
    DemoTeacher {
        school_code: "3415020002",
        name: "李启成",
        gender: "male",
        staff_no: "SY0031",
        subjects: "数学、科学",
        grades: "五年级、六年级",
        title: "first",
        years: 15,
        honours: "年度考核优秀",
    },
    DemoTeacher {
        school_code: "3415020002",
        name: "杨慧敏",
        gender: "female",
        staff_no: "SY0046",
        subjects: "物理",
        grades: "八年级、九年级",
        title: "senior",
        years: 19,
        honours: "区级骨干教师",
    },
    DemoTeacher {
        school_code: "3415020003",
        name: "尤如昌",
        gender: "male",
        staff_no: "EX0012",
        subjects: "语文",
        grades: "四年级",
        title: "first",
        years: 14,
        honours: "年度考核优秀",
    },
    DemoTeacher {
        school_code: "3415020003",
        name: "林芳",
        gender: "female",
        staff_no: "EX0027",
        subjects: "数学",
        grades: "三年级、四年级",
        title: "senior",
        years: 17,
        honours: "市级骨干教师",
    },
    DemoTeacher {
        school_code: "3415020101",
        name: "姚成琳",
        gender: "female",
        staff_no: "SZ0009",
        subjects: "数学、信息技术",
        grades: "九年级",
        title: "second",
        years: 8,
        honours: "",
    },
    DemoTeacher {
        school_code: "3415020101",
        name: "程小军",
        gender: "male",
        staff_no: "SZ0014",
        subjects: "语文",
        grades: "八年级",
        title: "second",
        years: 6,
        honours: "",
    },
    DemoTeacher {
        school_code: "3415020102",
        name: "高雪梅",
        gender: "female",
        staff_no: "ZY0003",
        subjects: "数学",
        grades: "三年级",
        title: "third",
        years: 3,
        honours: "",
    },
    DemoTeacher {
        school_code: "3415020103",
        name: "曹文静",
        gender: "female",
        staff_no: "LT0005",
        subjects: "语文",
        grades: "二年级",
        title: "second",
        years: 5,
        honours: "",
    },
    DemoTeacher {
        school_code: "3415020201",
        name: "丁伟",
        gender: "male",
        staff_no: "PG0011",
        subjects: "物理",
        grades: "八年级",
        title: "second",
        years: 7,
        honours: "",
    },
    DemoTeacher {
        school_code: "3415020202",
        name: "宋佳",
        gender: "female",
        staff_no: "LC0002",
        subjects: "英语",
        grades: "五年级",
        title: "unrated",
        years: 1,
        honours: "",
    },
    DemoTeacher {
        school_code: "3415020301",
        name: "邓志强",
        gender: "male",
        staff_no: "DG0004",
        subjects: "数学",
        grades: "六年级",
        title: "second",
        years: 9,
        honours: "",
    },
    DemoTeacher {
        school_code: "3415020401",
        name: "彭丽",
        gender: "female",
        staff_no: "QD0008",
        subjects: "英语",
        grades: "七年级",
        title: "first",
        years: 10,
        honours: "",
    },
];

/// What `load` did, for the command's output.
#[derive(Debug, Default)]
pub struct DemoReport {
    pub schools_added: usize,
    pub teachers_added: usize,
    pub users_added: usize,
    pub years_added: usize,
    pub school_pairings_added: usize,
    pub teacher_pairings_added: usize,
    pub secondments_added: usize,
    pub observations_added: usize,
    pub reflections_added: usize,
    pub contributions_added: usize,
    pub visits_added: usize,
    pub training_weeks_added: usize,
    pub year_end_documents_added: usize,
}

pub async fn load(db: &DatabaseConnection) -> AppResult<DemoReport> {
    let mut report = DemoReport::default();
    let bureau = match users::find_by_email(db, LOGINS[0].email).await? {
        Some(u) => u,
        None => {
            report.users_added += 1;
            users::create_admin_cli(db, LOGINS[0].email, "区教育局支教办公室", DEMO_PASSWORD)
                .await?
        }
    };
    let actor: Actor = users::actor_of(&bureau);

    for (name, starts, second, ends, current) in [
        (
            "2025-2026",
            (2025, 9, 1),
            (2026, 2, 23),
            (2026, 7, 10),
            false,
        ),
        ("2026-2027", (2026, 9, 1), (2027, 2, 22), (2027, 7, 9), true),
    ] {
        let exists = academic_years::list(db)
            .await?
            .iter()
            .any(|y| y.name == name);
        if !exists {
            let d = |(y, m, day): (i32, u32, u32)| {
                NaiveDate::from_ymd_opt(y, m, day)
                    .unwrap_or_default()
                    .to_string()
            };
            let form = academic_years::YearForm {
                name: name.into(),
                starts_on: d(starts),
                second_term_starts_on: d(second),
                ends_on: d(ends),
                is_current: if current {
                    "true".into()
                } else {
                    String::new()
                },
                secondments_planned: scale::planned(name),
            };
            academic_years::create(db, &actor, &form).await?;
            report.years_added += 1;
        }
    }

    for s in SCHOOLS {
        if schools::find_by_code(db, s.code).await?.is_none() {
            schools::create(db, &actor, &school_form(s)).await?;
            report.schools_added += 1;
        }
    }

    for t in TEACHERS {
        let Some(school) = schools::find_by_code(db, t.school_code).await? else {
            continue;
        };
        if teachers::find_by_staff_no(db, school.id, t.staff_no)
            .await?
            .is_none()
        {
            let form = teachers::TeacherForm {
                school_id: school.id.to_string(),
                name: t.name.into(),
                gender: t.gender.into(),
                staff_no: t.staff_no.into(),
                subjects: t.subjects.into(),
                grades: t.grades.into(),
                title: t.title.into(),
                years_teaching: t.years.to_string(),
                honours: t.honours.into(),
                phone: String::new(),
                email: String::new(),
            };
            teachers::create(db, &actor, &form).await?;
            report.teachers_added += 1;
        }
    }

    // School admins and the two teachers of the seed's pairing.
    // (e-mail, name, school code, the teacher record as school code + staff number)
    type Binding = (
        &'static str,
        &'static str,
        &'static str,
        Option<(&'static str, &'static str)>,
    );
    let bindings: [Binding; 4] = [
        (LOGINS[1].email, "周主任", "3415020001", None),
        (LOGINS[2].email, "张永明", "3415020101", None),
        (
            LOGINS[3].email,
            "王建华",
            "3415020001",
            Some(("3415020001", "YZ0107")),
        ),
        (
            LOGINS[4].email,
            "姚成琳",
            "3415020101",
            Some(("3415020101", "SZ0009")),
        ),
    ];
    for (email, name, school_code, teacher) in bindings {
        if users::find_by_email(db, email).await?.is_some() {
            continue;
        }
        let Some(school) = schools::find_by_code(db, school_code).await? else {
            continue;
        };
        let (role, teacher_id) = match teacher {
            None => ("school_admin", String::new()),
            Some((code, staff_no)) => {
                let school = schools::find_by_code(db, code).await?;
                let teacher = match school {
                    Some(s) => teachers::find_by_staff_no(db, s.id, staff_no).await?,
                    None => None,
                };
                (
                    "teacher",
                    teacher.map(|t| t.id.to_string()).unwrap_or_default(),
                )
            }
        };
        let form = users::UserForm {
            email: email.into(),
            name: name.into(),
            role: role.into(),
            school_id: school.id.to_string(),
            teacher_id,
            password: DEMO_PASSWORD.into(),
        };
        users::create(db, &actor, &form, &demo_context()).await?;
        report.users_added += 1;
    }
    programme(db, &actor, &mut report).await?;
    ledger(db, &actor, &mut report).await?;
    exchanges(db, &mut report).await?;
    report.year_end_documents_added = year_end::load(db, &actor).await?;
    // The programme at the seed's size: 19 schools, 107 person-times of secondment.
    scale::load(db, &actor, &mut report).await?;
    // The back-dated history was written on the demo's clock: what is behind is measured
    // against today.
    crate::domain::progress::refresh_every(db, crate::domain::types::today()).await?;
    Ok(report)
}

/// Admins of the schools on either side of the ledger that no demo login stands for:
/// (e-mail, name, school code). They sign in with the demo password too.
pub const LEDGER_ADMINS: &[(&str, &str, &str)] = &[
    ("shiyan@demo.tongxing.cn", "刘建国", "3415020002"),
    ("erxiao@demo.tongxing.cn", "陈玉梅", "3415020003"),
    ("qiaodian@demo.tongxing.cn", "孙德胜", "3415020401"),
    ("duangang@demo.tongxing.cn", "赵永红", "3415020301"),
    ("longchong@demo.tongxing.cn", "何家兴", "3415020202"),
    ("ziyuan@demo.tongxing.cn", "吴晓丽", "3415020102"),
];

/// How the receiving school answered a demo ledger item.
enum Answer {
    Confirmed(&'static str),
    Disputed(&'static str),
    Waiting,
}

/// The seed's material support (资金和物质上予以帮扶, 达17万余元): (giver code, receiver
/// code, date, kind, what, quantity, value as typed, from students, the answer).
type DemoItem = (
    &'static str,
    &'static str,
    (i32, u32, u32),
    &'static str,
    &'static str,
    Option<i32>,
    &'static str,
    bool,
    Answer,
);

const LEDGER: &[DemoItem] = &[
    (
        "3415020001",
        "3415020401",
        (2025, 10, 15),
        "funds",
        "贫困学生助学金",
        None,
        "3万",
        false,
        Answer::Confirmed("已发放给 30 名学生"),
    ),
    (
        "3415020001",
        "3415020401",
        (2025, 12, 2),
        "equipment",
        "多媒体教学设备（交互式一体机）",
        Some(4),
        "48,000",
        false,
        Answer::Confirmed("已安装在初一、初二教室"),
    ),
    (
        "3415020001",
        "3415020401",
        (2026, 3, 18),
        "equipment",
        "学生课桌椅",
        Some(120),
        "3.6万",
        false,
        Answer::Confirmed(""),
    ),
    (
        "3415020002",
        "3415020301",
        (2025, 11, 6),
        "books",
        "图书室图书",
        Some(2000),
        "24000",
        false,
        Answer::Confirmed("已编目上架"),
    ),
    (
        "3415020002",
        "3415020301",
        (2026, 4, 22),
        "equipment",
        "体育器材（篮球架、乒乓球台）",
        Some(6),
        "12,600.00",
        false,
        Answer::Confirmed(""),
    ),
    (
        "3415020002",
        "3415020301",
        (2026, 6, 1),
        "funds",
        "学生“手拉手”捐款",
        None,
        "3,260",
        true,
        Answer::Confirmed("用于购买学习用品"),
    ),
    (
        "3415020003",
        "3415020202",
        (2025, 11, 20),
        "equipment",
        "电脑",
        Some(10),
        "18000",
        false,
        Answer::Confirmed(""),
    ),
    (
        "3415020003",
        "3415020202",
        (2026, 5, 12),
        "other",
        "校园文化墙建设",
        None,
        "2760",
        false,
        Answer::Confirmed(""),
    ),
    (
        "3415020003",
        "3415020202",
        (2026, 10, 9),
        "equipment",
        "投影仪",
        Some(2),
        "6000",
        false,
        Answer::Disputed("只收到 1 台，另一台请核实"),
    ),
    (
        "3415020101",
        "3415020102",
        (2026, 11, 5),
        "equipment",
        "旧课桌椅（九成新）",
        Some(40),
        "2400",
        false,
        Answer::Waiting,
    ),
    (
        "3415020001",
        "3415020101",
        (2026, 11, 20),
        "books",
        "初中数学教研用书",
        Some(50),
        "1,500",
        false,
        Answer::Waiting,
    ),
];

/// Records the demo ledger through the service, as each school's admin, and answers it as
/// the receiving school's. Items already there are left alone.
async fn ledger(db: &DatabaseConnection, bureau: &Actor, report: &mut DemoReport) -> AppResult<()> {
    use crate::domain::contributions::{self, ContributionForm, LedgerAction};
    use crate::entities::{contributions as rows, school_pairings as sp};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    for (email, name, code) in LEDGER_ADMINS {
        if users::find_by_email(db, email).await?.is_some() {
            continue;
        }
        let Some(school) = schools::find_by_code(db, code).await? else {
            continue;
        };
        let form = users::UserForm {
            email: (*email).into(),
            name: (*name).into(),
            role: "school_admin".into(),
            school_id: school.id.to_string(),
            teacher_id: String::new(),
            password: DEMO_PASSWORD.into(),
        };
        users::create(db, bureau, &form, &demo_context()).await?;
        report.users_added += 1;
    }
    // The admin of a school, as the actor who writes for it.
    let admin_of = |code: &'static str| async move {
        let Some(school) = schools::find_by_code(db, code).await? else {
            return Ok::<_, crate::error::AppError>(None);
        };
        let user = crate::entities::users::Entity::find()
            .filter(crate::entities::users::Column::SchoolId.eq(school.id))
            .filter(crate::entities::users::Column::Role.eq("school_admin"))
            .one(db)
            .await?;
        Ok(user.map(|u| (school.id, users::actor_of(&u))))
    };
    for (giver, receiver, (y, m, d), kind, what, quantity, value, students, answer) in LEDGER {
        let (Some((giver_id, giver_admin)), Some((receiver_id, receiver_admin))) =
            (admin_of(giver).await?, admin_of(receiver).await?)
        else {
            continue;
        };
        let Some(pairing) = sp::Entity::find()
            .filter(sp::Column::SupporterId.eq(giver_id))
            .filter(sp::Column::ReceiverId.eq(receiver_id))
            .one(db)
            .await?
        else {
            continue;
        };
        let there = rows::Entity::find()
            .filter(rows::Column::SchoolPairingId.eq(pairing.id))
            .filter(rows::Column::Description.eq(*what))
            .one(db)
            .await?
            .is_some();
        if there {
            continue;
        }
        let form = ContributionForm {
            given_on: chrono::NaiveDate::from_ymd_opt(*y, *m, *d)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            kind: (*kind).into(),
            description: (*what).into(),
            quantity: quantity.map(|q| q.to_string()).unwrap_or_default(),
            value: (*value).into(),
            from_students: if *students { "1".into() } else { String::new() },
            ..Default::default()
        };
        let item =
            contributions::create(db, &giver_admin, pairing.id, &form, &demo_context()).await?;
        match answer {
            Answer::Confirmed(note) => {
                contributions::answer(
                    db,
                    &receiver_admin,
                    item.id,
                    LedgerAction::Confirm,
                    note,
                    &demo_context(),
                )
                .await?;
            }
            Answer::Disputed(note) => {
                contributions::answer(
                    db,
                    &receiver_admin,
                    item.id,
                    LedgerAction::Dispute,
                    note,
                    &demo_context(),
                )
                .await?;
            }
            Answer::Waiting => {}
        }
        report.contributions_added += 1;
    }
    Ok(())
}

/// The seed's exchange visits (领导互访, 教师互访, 跟岗培训, 学生"手拉手"): (supporter code,
/// receiver code, the recording school's code, kind, host code, from, to, participants as
/// (school code, staff no), students, activities, summary, outcome, classes, gift, gift
/// value).
type DemoVisit = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (i32, u32, u32),
    (i32, u32, u32),
    &'static [(&'static str, &'static str)],
    u32,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const VISITS: &[DemoVisit] = &[
    (
        "3415020001",
        "3415020101",
        "3415020001",
        "leader",
        "3415020101",
        (2026, 9, 16),
        (2026, 9, 16),
        &[],
        0,
        &["research"],
        "第一中学校长、分管副校长带队到三元中学，听取学校工作汇报，走进课堂听课，座谈本学年结对帮扶计划。",
        "商定本学年派出骨干教师送教、每月一周跟岗培训和“手拉手”活动的安排。",
        "",
        "",
        "",
    ),
    (
        "3415020001",
        "3415020101",
        "3415020101",
        "teacher",
        "3415020001",
        (2026, 10, 14),
        (2026, 10, 15),
        &[
            ("3415020001", "YZ0107"),
            ("3415020101", "SZ0009"),
            ("3415020101", "SZ0014"),
        ],
        0,
        &["open_class", "lecture", "lesson_planning"],
        "三元中学数学、语文教师到第一中学听公开课，参加“导学案的设计与使用”讲座，与第一中学数学组集体备课。",
        "两位教师带回导学案模板，在七年级试用。",
        "",
        "",
        "",
    ),
    (
        "3415020001",
        "3415020101",
        "3415020001",
        "training",
        "3415020001",
        (2026, 11, 2),
        (2026, 11, 6),
        &[("3415020101", "SZ0014"), ("3415020001", "YZ0215")],
        0,
        &["demonstration_class", "research"],
        "程小军老师到第一中学跟岗一周，跟随黄晓燕老师听课、上汇报课，参加语文组教研活动。",
        "汇报课《背影》获语文组好评；制定了回校后的教研改进计划。",
        "",
        "",
        "",
    ),
    (
        "3415020001",
        "3415020101",
        "3415020001",
        "student",
        "3415020101",
        (2026, 11, 20),
        (2026, 11, 20),
        &[("3415020001", "YZ0322")],
        45,
        &[],
        "第一中学七(2)班同学到三元中学七(1)班开展“手拉手”活动：结对交友、同上一堂班会课。",
        "两班结成友好班级，约定每月互寄书信。",
        "第一中学七(2)班 与 三元中学七(1)班",
        "图书 120 册、文具 45 套",
        "3,600",
    ),
    (
        "3415020002",
        "3415020201",
        "3415020002",
        "teacher",
        "3415020201",
        (2026, 10, 28),
        (2026, 10, 28),
        &[("3415020002", "SY0046"), ("3415020201", "PG0011")],
        0,
        &["demonstration_class", "lecture"],
        "实验学校骨干教师到平岗中学送教，上示范课并作“课堂提问的设计”讲座。",
        "平岗中学物理组据此修改了八年级的单元教学设计。",
        "",
        "",
        "",
    ),
];

/// Records the demo visits through the service (as the recording school's admin), and
/// schedules the first term of the current year's training weeks at 第一中学 for two
/// teachers of 三元中学, the weeks already over answered by the host. What is there is
/// left alone.
async fn exchanges(db: &DatabaseConnection, report: &mut DemoReport) -> AppResult<()> {
    use crate::domain::training::{self, ScheduleForm, WeekAction};
    use crate::domain::visits::{self, VisitForm};
    use crate::entities::{school_pairings as sp, training_weeks, visits as visit_rows};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let admin_of = |id: i64| async move {
        let user = crate::entities::users::Entity::find()
            .filter(crate::entities::users::Column::SchoolId.eq(id))
            .filter(crate::entities::users::Column::Role.eq("school_admin"))
            .order_by_asc(crate::entities::users::Column::Id)
            .one(db)
            .await?;
        Ok::<_, crate::error::AppError>(user.map(|u| users::actor_of(&u)))
    };
    let school_id = |code: &'static str| async move {
        Ok::<_, crate::error::AppError>(schools::find_by_code(db, code).await?.map(|s| s.id))
    };
    let teacher_id = |code: &'static str, staff_no: &'static str| async move {
        let Some(school) = schools::find_by_code(db, code).await? else {
            return Ok::<_, crate::error::AppError>(None);
        };
        Ok(teachers::find_by_staff_no(db, school.id, staff_no)
            .await?
            .map(|t| t.id))
    };
    let date = |(y, m, d): (i32, u32, u32)| {
        NaiveDate::from_ymd_opt(y, m, d)
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    let pairing = |supporter: i64, receiver: i64| async move {
        Ok::<_, crate::error::AppError>(
            sp::Entity::find()
                .filter(sp::Column::SupporterId.eq(supporter))
                .filter(sp::Column::ReceiverId.eq(receiver))
                .one(db)
                .await?,
        )
    };
    for (
        sup,
        rec,
        by,
        kind,
        host,
        from,
        to,
        people,
        students,
        activities,
        summary,
        outcome,
        classes,
        gift,
        value,
    ) in VISITS
    {
        let (Some(s), Some(r), Some(b), Some(h)) = (
            school_id(sup).await?,
            school_id(rec).await?,
            school_id(by).await?,
            school_id(host).await?,
        ) else {
            continue;
        };
        let (Some(p), Some(admin)) = (pairing(s, r).await?, admin_of(b).await?) else {
            continue;
        };
        let there = visit_rows::Entity::find()
            .filter(visit_rows::Column::SchoolPairingId.eq(p.id))
            .filter(
                visit_rows::Column::StartsOn.eq(NaiveDate::from_ymd_opt(from.0, from.1, from.2)),
            )
            .one(db)
            .await?
            .is_some();
        if there {
            continue;
        }
        let mut teacher_ids = Vec::new();
        for (code, staff_no) in people.iter() {
            if let Some(t) = teacher_id(code, staff_no).await? {
                teacher_ids.push(t.to_string());
            }
        }
        let form = VisitForm {
            kind: (*kind).into(),
            host_school_id: h.to_string(),
            starts_on: date(*from),
            ends_on: date(*to),
            teacher_ids,
            student_count: students.to_string(),
            activities: activities.iter().map(|a| a.to_string()).collect(),
            summary: (*summary).into(),
            outcome: (*outcome).into(),
            classes: (*classes).into(),
            gift: (*gift).into(),
            gift_value: (*value).into(),
            ..Default::default()
        };
        let visit = visits::create(db, &admin, p.id, &form, &demo_context()).await?;
        report.visits_added += 1;
        // The students' gift became a ledger item; the other school confirms it.
        let other = if b == p.supporter_id {
            p.receiver_id
        } else {
            p.supporter_id
        };
        if let (Some(item), Some(receiver)) = (visit.contribution_id, admin_of(other).await?) {
            crate::domain::contributions::answer(
                db,
                &receiver,
                item,
                crate::domain::contributions::LedgerAction::Confirm,
                "已收到，已分发到七(1)班",
                &demo_context(),
            )
            .await?;
        }
    }

    // 每月一周的教学培训: the first week of each month of the current year's first term.
    let (Some(urban), Some(rural)) = (
        school_id("3415020001").await?,
        school_id("3415020101").await?,
    ) else {
        return Ok(());
    };
    let (Some(p), Some(host)) = (pairing(urban, rural).await?, admin_of(urban).await?) else {
        return Ok(());
    };
    let Some(year) = academic_years::list(db)
        .await?
        .into_iter()
        .find(|y| y.name == "2026-2027")
    else {
        return Ok(());
    };
    let mut trainees = Vec::new();
    for staff_no in ["SZ0009", "SZ0014"] {
        if let Some(t) = teacher_id("3415020101", staff_no).await? {
            trainees.push(t.to_string());
        }
    }
    report.training_weeks_added += training::schedule(
        db,
        &host,
        p.id,
        &ScheduleForm {
            academic_year_id: year.id.to_string(),
            term: "1".into(),
            week_of_month: "1".into(),
            teacher_ids: trainees,
        },
    )
    .await?;
    // The weeks already over: attended, but for one missed in October (a county exam).
    let today = crate::domain::types::today();
    let planned = training_weeks::Entity::find()
        .filter(training_weeks::Column::SchoolPairingId.eq(p.id))
        .filter(training_weeks::Column::Status.eq(training::WeekStatus::Planned))
        .filter(training_weeks::Column::EndsOn.lt(today))
        .order_by_asc(training_weeks::Column::StartsOn)
        .order_by_asc(training_weeks::Column::Id)
        .all(db)
        .await?;
    for (i, w) in planned.iter().enumerate() {
        let (action, note) = if i == 3 {
            (WeekAction::Miss, "期中统考，未能前来")
        } else {
            (WeekAction::Attend, "")
        };
        training::act(db, &host, w.id, action, note).await?;
    }
    Ok(())
}

/// The seed's pairings, supporter → receiver with the kinds of support: a chain
/// (第一中学 → 三元中学 → 梓园小学) and the big urban schools each supporting two rural
/// schools, one with staff and one with materials or funds.
const SCHOOL_PAIRINGS: &[(&str, &str, &[&str])] = &[
    ("3415020001", "3415020101", &["staff", "management"]),
    ("3415020101", "3415020102", &["staff", "materials"]),
    ("3415020002", "3415020201", &["staff"]),
    ("3415020002", "3415020301", &["materials"]),
    ("3415020003", "3415020103", &["staff"]),
    ("3415020003", "3415020202", &["materials"]),
    ("3415020001", "3415020401", &["funds", "materials"]),
];

/// Three batches of secondments (四年三批轮岗): (school code, staff no, to school code, year,
/// term, batch, from, to).
type DemoSecondment = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
    (i32, u32, u32),
    (i32, u32, u32),
);

const SECONDMENTS: &[DemoSecondment] = &[
    (
        "3415020002",
        "SY0031",
        "3415020301",
        "2025-2026",
        "first",
        1,
        (2025, 9, 1),
        (2026, 1, 20),
    ),
    (
        "3415020003",
        "EX0012",
        "3415020301",
        "2025-2026",
        "second",
        2,
        (2026, 2, 23),
        (2026, 7, 10),
    ),
    (
        "3415020002",
        "SY0046",
        "3415020201",
        "2026-2027",
        "year",
        3,
        (2026, 9, 1),
        (2027, 7, 9),
    ),
];

async fn programme(
    db: &DatabaseConnection,
    actor: &Actor,
    report: &mut DemoReport,
) -> AppResult<()> {
    use crate::domain::{school_pairings, secondments, teacher_pairings};
    use crate::entities::{school_pairings as sp, teacher_pairings as tp};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let mut drafts = Vec::new();
    for (supporter, receiver, kinds) in SCHOOL_PAIRINGS {
        let (Some(s), Some(r)) = (
            schools::find_by_code(db, supporter).await?,
            schools::find_by_code(db, receiver).await?,
        ) else {
            continue;
        };
        let exists = sp::Entity::find()
            .filter(sp::Column::SupporterId.eq(s.id))
            .filter(sp::Column::ReceiverId.eq(r.id))
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
        report.school_pairings_added = drafts.len();
    }

    // 王建华 (第一中学) mentors 姚成琳 (三元中学) in junior-secondary maths this year, with
    // the work plan in the seed's words.
    let (Some(yizhong), Some(sanyuan)) = (
        schools::find_by_code(db, "3415020001").await?,
        schools::find_by_code(db, "3415020101").await?,
    ) else {
        return Ok(());
    };
    let (Some(mentor), Some(mentee)) = (
        teachers::find_by_staff_no(db, yizhong.id, "YZ0107").await?,
        teachers::find_by_staff_no(db, sanyuan.id, "SZ0009").await?,
    ) else {
        return Ok(());
    };
    let year = academic_years::list(db)
        .await?
        .into_iter()
        .find(|y| y.name == "2026-2027");
    let school_pairing = sp::Entity::find()
        .filter(sp::Column::SupporterId.eq(yizhong.id))
        .filter(sp::Column::ReceiverId.eq(sanyuan.id))
        .one(db)
        .await?;
    let already = tp::Entity::find()
        .filter(tp::Column::MentorId.eq(mentor.id))
        .filter(tp::Column::MenteeId.eq(mentee.id))
        .one(db)
        .await?
        .is_some();
    if let (Some(year), false) = (&year, already) {
        let form = teacher_pairings::TeacherPairingForm {
            mentor_id: mentor.id.to_string(),
            mentee_id: mentee.id.to_string(),
            subject: "数学".into(),
            academic_year_id: year.id.to_string(),
            school_pairing_id: school_pairing.map(|p| p.id.to_string()).unwrap_or_default(),
        };
        let pairing = teacher_pairings::create(db, actor, &form).await?;
        teacher_pairings::publish(db, actor, &[pairing.id], None, &demo_context()).await?;
        let plan = crate::domain::work_plans::PlanForm {
            version: pairing.plan_version.to_string(),
            analysis_ethics: "姚成琳老师能够爱岗敬业，较好地遵守学校的规章制度，工作责任心较强；虚心好学，积极上进；承担了毕业班的数学教学任务兼学校电脑课教学，服从学校的安排，有较强的团结、协作精神，并有一定的开拓进取精神。".into(),
            analysis_skill: "从教多年，已逐渐熟悉初中数学教学的一般过程，有一定的教学经验，了解学生认知一般规律，善于反思自己的教学行为。但在对教材的处理方面，特别在课堂教学的组织方面，经验不足；在教育科研方面成绩较少。".into(),
            goals: "本着“共同学习，一起进步”的理念，在互帮互助的学习中共同成长，不断提高教育学科科研水平，教育教学工作更上一层楼。".into(),
            measures_ethics: "树立依法执教、为民服务的精神，学习、领会《初中教师职业道德规范》；培养爱岗敬业、团结协作的精神，互帮互带，取长补短。".into(),
            measures_teaching: "加强学习，树立新的理念，重温《课程标准》；加强课堂教学的有效性研究，用新理念处理旧教材，把自主学习、合作学习引入课堂；做好课后反思；做好课后辅导，注意分层教学。".into(),
            measures_self: "多学习：学习先进的教育教学理论和身边老师的宝贵经验；多反思：从“经验型”教师转向“科研型”教师；多琢磨：贯彻赏识教育，琢磨班级管理的办法。".into(),
            t1_observations: "4".into(),
            t1_attended: "2".into(),
            t1_reflections: "4".into(),
            t1_contacts: "6".into(),
            t2_observations: "4".into(),
            t2_attended: "2".into(),
            t2_reflections: "4".into(),
            t2_contacts: "6".into(),
        };
        // The mentor's account writes the plan, as in the seed.
        let mentor_actor = match users::find_by_email(db, LOGINS[3].email).await? {
            Some(u) => users::actor_of(&u),
            None => actor.clone(),
        };
        let _ = crate::domain::work_plans::save_plan(db, &mentor_actor, pairing.id, &plan).await?;
        report.teacher_pairings_added += 1;
    }
    // A year of lessons, reflections and contacts for the pair.
    if let Some(year) = &year
        && let Some(current) = tp::Entity::find()
            .filter(tp::Column::MentorId.eq(mentor.id))
            .filter(tp::Column::MenteeId.eq(mentee.id))
            .filter(tp::Column::AcademicYearId.eq(year.id))
            .one(db)
            .await?
    {
        let lessons = lessons::load(db, actor, mentor.id, mentee.id, &current).await?;
        report.observations_added += lessons.observations;
        report.reflections_added += lessons.reflections;
    }

    for (from_code, staff_no, to_code, year_name, term, batch, starts, ends) in SECONDMENTS {
        let (Some(from), Some(to)) = (
            schools::find_by_code(db, from_code).await?,
            schools::find_by_code(db, to_code).await?,
        ) else {
            continue;
        };
        let Some(teacher) = teachers::find_by_staff_no(db, from.id, staff_no).await? else {
            continue;
        };
        let Some(year) = academic_years::list(db)
            .await?
            .into_iter()
            .find(|y| y.name == *year_name)
        else {
            continue;
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
        let d = |(y, m, day): (i32, u32, u32)| {
            NaiveDate::from_ymd_opt(y, m, day)
                .unwrap_or_default()
                .to_string()
        };
        let form = secondments::SecondmentForm {
            teacher_id: teacher.id.to_string(),
            from_school_id: from.id.to_string(),
            to_school_id: to.id.to_string(),
            academic_year_id: year.id.to_string(),
            term: term.to_string(),
            batch: batch.to_string(),
            starts_on: d(*starts),
            ends_on: d(*ends),
            note: String::new(),
        };
        secondments::create(db, actor, &form).await?;
        report.secondments_added += 1;
    }
    Ok(())
}
