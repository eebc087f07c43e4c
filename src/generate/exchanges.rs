//! The school-to-school side of the generated data set: for every school pairing its
//! exchange visits of all four kinds (with participants, and a student visit's gift as a
//! ledger item), the ledger of material and fund support (confirmed, pending and disputed),
//! the receiving school's teachers' training weeks (last year's answered, this year's up to
//! `AS_OF` answered and the rest planned), and the resource library (shared with a teacher
//! pairing, a school pairing, or everyone), each resource with a small file of its own in
//! the file store.
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::{DatabaseConnection, Set, TransactionTrait};

use super::{
    AS_OF, Ids, PairingPlan, Progress, Quiet, Report, SchoolPlan, YEARS, at, day, insert_rows,
    json_list, next_id, words,
};
use crate::domain::contributions::{ContributionKind, LedgerStatus};
use crate::domain::files::{FileStore, StoredFile};
use crate::domain::resources::{self, ResourceKind, Visibility};
use crate::domain::training::{WeekStatus, term_weeks};
use crate::domain::types::PairingStatus;
use crate::domain::visits::VisitKind;
use crate::entities::{
    contributions, resources as resource_rows, training_weeks, visit_teachers, visits,
};
use crate::error::AppResult;

/// One school pairing as laid out: its id, and the indexes of its two schools.
pub(super) struct SchoolPairingPlan {
    pub id: i64,
    pub supporter: usize,
    pub receiver: usize,
    /// Whether the supporter gives funds too (not only materials and staff).
    pub funds: bool,
    /// Whether it gives materials at all (the management-only pairings do not).
    pub materials: bool,
}

/// What the exchanges are written from.
pub(super) struct Layout<'a> {
    pub ids: &'a Ids,
    pub schools: &'a [SchoolPlan],
    pub school_pairings: &'a [SchoolPairingPlan],
    pub pairings: &'a [PairingPlan],
    pub years: &'a [i64; 2],
    pub store: &'a FileStore,
}

#[derive(Default)]
struct Pending {
    contributions: Vec<contributions::ActiveModel>,
    visits: Vec<visits::ActiveModel>,
    visit_teachers: Vec<visit_teachers::ActiveModel>,
    weeks: Vec<training_weeks::ActiveModel>,
    resources: Vec<resource_rows::ActiveModel>,
    /// Files of resources not yet committed: removed again if the write fails.
    files: Vec<StoredFile>,
}

impl Pending {
    fn len(&self) -> usize {
        self.contributions.len()
            + self.visits.len()
            + self.visit_teachers.len()
            + self.weeks.len()
            + self.resources.len()
    }

    async fn write(
        &mut self,
        db: &DatabaseConnection,
        progress: &mut dyn Progress,
    ) -> AppResult<()> {
        let txn = db.begin().await?;
        insert_rows(&txn, &mut self.contributions, &mut Quiet).await?;
        insert_rows(&txn, &mut self.visits, progress).await?;
        insert_rows(&txn, &mut self.visit_teachers, &mut Quiet).await?;
        insert_rows(&txn, &mut self.weeks, &mut Quiet).await?;
        insert_rows(&txn, &mut self.resources, &mut Quiet).await?;
        txn.commit().await?;
        for f in self.files.drain(..) {
            f.keep();
        }
        Ok(())
    }
}

/// The visits of one school pairing and year: (kind, host is the supporter, month, day,
/// days, activities, summary, outcome).
type VisitPlan = (
    VisitKind,
    bool,
    (i32, u32, u32),
    i64,
    &'static [&'static str],
    &'static str,
    &'static str,
);

const LAST_YEAR: &[VisitPlan] = &[
    (
        VisitKind::Leader,
        false,
        (2025, 9, 17),
        0,
        &["research"],
        "支援学校校长带队到受援学校听取汇报、走进课堂，座谈本学年结对帮扶计划。",
        "商定送教、跟岗培训和“手拉手”活动的安排。",
    ),
    (
        VisitKind::Teacher,
        false,
        (2025, 11, 12),
        1,
        &["open_class", "lesson_planning"],
        "骨干教师送教下乡，上示范课并与受援学校教师集体备课。",
        "受援学校教师学会了导学案的设计与使用。",
    ),
    (
        VisitKind::Training,
        true,
        (2026, 3, 16),
        4,
        &["open_class", "lecture", "research"],
        "受援学校教师到支援学校跟岗培训一周，听课、上汇报课、参加教研活动。",
        "跟岗教师各上一节汇报课，评课后形成改进清单。",
    ),
    (
        VisitKind::Student,
        true,
        (2026, 5, 20),
        0,
        &["research"],
        "两校学生“手拉手”：受援学校学生到支援学校参观校园、同上一节课。",
        "两校班级结成对子，约定每学期互通书信。",
    ),
];

const THIS_YEAR: &[VisitPlan] = &[
    (
        VisitKind::Leader,
        true,
        (2026, 9, 23),
        0,
        &["research"],
        "受援学校校长到支援学校学习管理经验，参加行政例会。",
        "借鉴教学常规检查办法，在本校推行。",
    ),
    (
        VisitKind::Teacher,
        false,
        (2026, 11, 4),
        1,
        &["demonstration_class", "lecture"],
        "支援学校教师送教，上示范课并作“有效课堂提问”讲座。",
        "受援学校教研组据此修订听评课记录表。",
    ),
];

const GIFTS: &[(&str, i64)] = &[
    ("图书和文具", 180_000),
    ("课外读物一批", 260_000),
    ("体育用品和学习用品", 320_000),
];

const ITEMS: &[(ContributionKind, &str, Option<i32>, i64)] = &[
    (ContributionKind::Books, "图书", Some(300), 900_000),
    (
        ContributionKind::Equipment,
        "多媒体教学设备",
        Some(2),
        1_600_000,
    ),
    (ContributionKind::Equipment, "课桌椅", Some(40), 1_200_000),
    (ContributionKind::Other, "校服", Some(120), 960_000),
];

const RESOURCE_KINDS: &[ResourceKind] = &[
    ResourceKind::LessonPlan,
    ResourceKind::Courseware,
    ResourceKind::Case,
    ResourceKind::QuestionDesign,
    ResourceKind::TestPaper,
    ResourceKind::Paper,
    ResourceKind::Theory,
];

/// The type of the generated files (plain UTF-8 text).
const TEXT: &str = "text/plain; charset=utf-8";

pub(super) async fn exchanges(
    db: &DatabaseConnection,
    layout: &Layout<'_>,
    rng: &mut StdRng,
    progress: &mut dyn Progress,
    report: &mut Report,
) -> AppResult<()> {
    let Layout {
        ids,
        schools,
        school_pairings,
        pairings,
        years,
        store,
    } = *layout;
    let n = schools.len();
    let per_school = ids.per_school;
    let as_of = day(AS_OF);
    progress.step(
        "exchanges",
        (school_pairings.len() * (LAST_YEAR.len() + THIS_YEAR.len())) as u64,
    );
    let mut contribution_id =
        next_id::<contributions::Entity>(db, contributions::Column::Id).await?;
    let mut visit_id = next_id::<visits::Entity>(db, visits::Column::Id).await?;
    let mut resource_id = next_id::<resource_rows::Entity>(db, resource_rows::Column::Id).await?;
    let first = (contribution_id, visit_id, resource_id);
    let mut pending = Pending::default();
    for (i, sp) in school_pairings.iter().enumerate() {
        let supporter = schools[sp.supporter].id;
        let receiver = schools[sp.receiver].id;
        let supporter_admin = ids.admin_user(sp.supporter);
        let receiver_admin = ids.admin_user(sp.receiver);
        let stage = schools[sp.supporter].stage;

        // The ledger: last year's items confirmed, this year's waiting or (now and then)
        // disputed; funds where the pairing gives funds.
        let mut ledger =
            |on: NaiveDate,
             (kind, what, quantity, fen): (ContributionKind, &str, Option<i32>, i64),
             status: LedgerStatus,
             from_students: bool|
             -> contributions::ActiveModel {
                let id = contribution_id;
                contribution_id += 1;
                let answered = status != LedgerStatus::Recorded;
                contributions::ActiveModel {
                    id: Set(id),
                    school_pairing_id: Set(sp.id),
                    giver_school_id: Set(supporter),
                    receiver_school_id: Set(receiver),
                    given_on: Set(on),
                    kind: Set(kind),
                    description: Set(what.into()),
                    quantity: Set(quantity),
                    value_fen: Set(fen),
                    from_students: Set(from_students),
                    status: Set(status),
                    note: Set(if status == LedgerStatus::Disputed {
                        "收到的数量与登记不符，请核对。".into()
                    } else {
                        String::new()
                    }),
                    recorded_by: Set(Some(supporter_admin)),
                    answered_by: Set(answered.then_some(receiver_admin)),
                    answered_at: Set(answered.then(|| at(on + Duration::days(3), 9))),
                    version: Set(if answered { 2 } else { 1 }),
                    created_at: Set(at(on, 10)),
                    updated_at: Set(at(on + Duration::days(if answered { 3 } else { 0 }), 10)),
                }
            };
        if sp.materials {
            for (k, on) in [(2025, 10, 20), (2026, 4, 15)].into_iter().enumerate() {
                let item = ITEMS[(i + k) % ITEMS.len()];
                pending
                    .contributions
                    .push(ledger(day(on), item, LedgerStatus::Confirmed, false));
            }
            let status = if i % 10 == 9 {
                LedgerStatus::Disputed
            } else if i % 3 == 0 {
                LedgerStatus::Confirmed
            } else {
                LedgerStatus::Recorded
            };
            let item = ITEMS[(i + 2) % ITEMS.len()];
            pending
                .contributions
                .push(ledger(day((2026, 10, 26)), item, status, false));
        }
        if sp.funds {
            let fen = rng.random_range(5..30) * 1_000_000;
            let item = (ContributionKind::Funds, "改善办学条件资金", None, fen);
            pending.contributions.push(ledger(
                day((2025, 12, 10)),
                item,
                LedgerStatus::Confirmed,
                false,
            ));
        }

        // Visits of all four kinds last year, two this year; the student visit's gift is a
        // ledger item from the students.
        for (year, plans) in [(0usize, LAST_YEAR), (1, THIS_YEAR)] {
            for (kind, at_supporter, from, days, activities, summary, outcome) in plans {
                let (host, guest) = if *at_supporter {
                    (supporter, receiver)
                } else {
                    (receiver, supporter)
                };
                let starts = day(*from) + Duration::days((i % 3) as i64);
                let ends = starts + Duration::days(*days);
                let student = *kind == VisitKind::Student;
                let (classes, gift, item) = if student {
                    let (what, fen) = GIFTS[i % GIFTS.len()];
                    let class = words::grade_class(stage, i);
                    let item = (ContributionKind::Other, what, None, fen);
                    let row = ledger(ends, item, LedgerStatus::Confirmed, true);
                    let id = row.id.clone().take();
                    pending.contributions.push(row);
                    (format!("{class} 与 {class}"), what.to_string(), id)
                } else {
                    (String::new(), String::new(), None)
                };
                pending.visits.push(visits::ActiveModel {
                    id: Set(visit_id),
                    school_pairing_id: Set(sp.id),
                    kind: Set(*kind),
                    host_school_id: Set(host),
                    guest_school_id: Set(guest),
                    starts_on: Set(starts),
                    ends_on: Set(ends),
                    student_count: Set(if student { 40 } else { 0 }),
                    activities: Set(json_list(activities)),
                    summary: Set((*summary).into()),
                    outcome: Set((*outcome).into()),
                    classes: Set(classes),
                    gift: Set(gift),
                    contribution_id: Set(item),
                    recorded_by: Set(Some(if *at_supporter {
                        supporter_admin
                    } else {
                        receiver_admin
                    })),
                    version: Set(1),
                    created_at: Set(at(ends + Duration::days(1), 9)),
                    updated_at: Set(at(ends + Duration::days(1), 9)),
                });
                // Two teachers of the guest school and one of the host take part (none on
                // a student visit).
                if !student {
                    let guest_index = if host == supporter {
                        sp.receiver
                    } else {
                        sp.supporter
                    };
                    let host_index = if host == supporter {
                        sp.supporter
                    } else {
                        sp.receiver
                    };
                    let k = (i + year) % per_school;
                    for (school, k) in [
                        (guest_index, k),
                        (guest_index, (k + 1) % per_school),
                        (host_index, k),
                    ] {
                        pending.visit_teachers.push(visit_teachers::ActiveModel {
                            visit_id: Set(visit_id),
                            teacher_id: Set(ids.teacher(school, k)),
                        });
                    }
                }
                visit_id += 1;
            }
        }

        // Training weeks: the first week of each month at the supporting school for two
        // teachers of the receiving one; last year's answered (one week in ten missed),
        // this year's answered up to `AS_OF` and planned after.
        for k in 1..3.min(per_school) {
            let teacher = ids.teacher(sp.receiver, k);
            for (year, (_, starts, second, ends)) in YEARS.iter().enumerate() {
                for (term, from, to) in [
                    (1i16, day(*starts), day(*second) - Duration::days(1)),
                    (2, day(*second), day(*ends)),
                ] {
                    if year == 1 && term == 2 {
                        continue;
                    }
                    for (w, (monday, friday)) in term_weeks(from, to, 1).into_iter().enumerate() {
                        let over = friday < as_of;
                        let status = if !over {
                            WeekStatus::Planned
                        } else if (i + k + w) % 10 == 7 {
                            WeekStatus::Missed
                        } else {
                            WeekStatus::Attended
                        };
                        pending.weeks.push(training_weeks::ActiveModel {
                            school_pairing_id: Set(sp.id),
                            teacher_id: Set(teacher),
                            host_school_id: Set(supporter),
                            guest_school_id: Set(receiver),
                            academic_year_id: Set(years[year]),
                            term: Set(term),
                            starts_on: Set(monday),
                            ends_on: Set(friday),
                            status: Set(status),
                            note: Set(if status == WeekStatus::Missed {
                                "本周学校有统考，未能参加。".into()
                            } else {
                                String::new()
                            }),
                            answered_by: Set(over.then_some(supporter_admin)),
                            answered_at: Set(over.then(|| at(friday, 17))),
                            created_by: Set(Some(supporter_admin)),
                            version: Set(if over { 2 } else { 1 }),
                            created_at: Set(at(from - Duration::days(5), 9)),
                            updated_at: Set(at(if over { friday } else { from }, 17)),
                            ..Default::default()
                        });
                        report.training_weeks += 1;
                    }
                }
            }
        }

        // The library: the supporter shares one resource with the school pairing, and
        // every other urban school one with everyone.
        let uploader = ids.teacher_user(n, ids.teacher(sp.supporter, 0));
        let subject = words::subjects(stage)[0];
        let mut share = |title: String,
                         kind: ResourceKind,
                         visibility: Visibility,
                         school_pairing: Option<i64>,
                         by: i64,
                         on: NaiveDate|
         -> (resource_rows::ActiveModel, String) {
            let id = resource_id;
            resource_id += 1;
            let body = format!(
                "{title}\n\n{}\n",
                words::PLAN_TEACHING[id as usize % words::PLAN_TEACHING.len()]
            );
            let row = resource_rows::ActiveModel {
                id: Set(id),
                title: Set(title.clone()),
                kind: Set(kind),
                subject: Set(subject.into()),
                grade: Set(words::grade(stage, id as usize).into()),
                visibility: Set(visibility),
                school_pairing_id: Set(school_pairing),
                teacher_pairing_id: Set(None),
                file_name: Set(format!("{title}.txt")),
                stored_name: Set(String::new()),
                content_type: Set(TEXT.into()),
                size_bytes: Set(body.len() as i64),
                uploaded_by: Set(Some(by)),
                created_at: Set(at(on, 15)),
            };
            (row, body)
        };
        let mut made = vec![share(
            format!("{subject}集体备课记录（{}）", i + 1),
            RESOURCE_KINDS[i % RESOURCE_KINDS.len()],
            Visibility::SchoolPairing,
            Some(sp.id),
            supporter_admin,
            day((2026, 10, 9)),
        )];
        if sp.receiver % 3 == 1 && (sp.supporter / 3) % 2 == 0 {
            made.push(share(
                format!("{subject}优秀教学案例（{}）", i + 1),
                ResourceKind::Case,
                Visibility::Everyone,
                None,
                uploader,
                day((2026, 9, 28)),
            ));
        }
        for (mut row, body) in made {
            let file = store.put(resources::AREA, "txt", body.as_bytes()).await?;
            row.stored_name = Set(file.name().to_string());
            pending.resources.push(row);
            pending.files.push(file);
        }
        if pending.len() >= super::ROWS_PER_TRANSACTION {
            pending.write(db, progress).await?;
        }
    }

    // Every fourth published teacher pairing: the mentor shares a lesson plan with it.
    for (j, p) in pairings.iter().enumerate() {
        if p.status == PairingStatus::Draft || j % 4 != 0 {
            continue;
        }
        let id = resource_id;
        resource_id += 1;
        let topic = words::topic(p.subject, j);
        let title = format!("《{topic}》教学设计");
        let body = format!("{title}\n\n一、教学目标\n二、教学重难点\n三、教学过程\n");
        let file = store.put(resources::AREA, "txt", body.as_bytes()).await?;
        let on = day(YEARS[p.year].1) + Duration::days(30 + (j % 60) as i64);
        pending.resources.push(resource_rows::ActiveModel {
            id: Set(id),
            title: Set(title.clone()),
            kind: Set(ResourceKind::LessonPlan),
            subject: Set(p.subject.into()),
            grade: Set(words::grade(p.stage, j).into()),
            visibility: Set(Visibility::TeacherPairing),
            school_pairing_id: Set(None),
            teacher_pairing_id: Set(Some(p.id)),
            file_name: Set(format!("{title}.txt")),
            stored_name: Set(file.name().to_string()),
            content_type: Set(TEXT.into()),
            size_bytes: Set(body.len() as i64),
            uploaded_by: Set(Some(p.mentor_user)),
            created_at: Set(at(on, 20)),
        });
        pending.files.push(file);
        if pending.len() >= super::ROWS_PER_TRANSACTION {
            pending.write(db, &mut Quiet).await?;
        }
    }
    pending.write(db, progress).await?;
    report.contributions = (contribution_id - first.0) as u64;
    report.visits = (visit_id - first.1) as u64;
    report.resources = (resource_id - first.2) as u64;
    Ok(())
}
