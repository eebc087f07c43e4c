//! The year-end documents of the generated data set: every teacher of a published pairing
//! has a self-evaluation of its year (last year's through to the end — most acknowledged,
//! some verified, a few still at the bureau; this year's mostly drafts, some submitted or
//! appraised as of `AS_OF`), every mentor of last year a work summary their school has
//! received, and the schools of last year's school pairings their annual summaries
//! (received), this year's some submitted and some drafts.
use std::collections::HashSet;

use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::{DatabaseConnection, Set, TransactionTrait};

use super::exchanges::Layout;
use super::{AS_OF, Progress, Quiet, Report, at, day, insert_rows, next_id};
use crate::domain::self_evaluations::{Context, Figures, Grade, Stage};
use crate::domain::summaries::{Kind, Stage as SumStage};
use crate::domain::types::PairingStatus;
use crate::entities::{self_evaluations, summaries};
use crate::error::AppResult;

const SECTIONS: [&str; 4] = [
    "热爱教育事业，遵守教师职业道德，关心每一名学生。",
    "认真备课上课，坚持听课评课，写好教学反思。",
    "结对双方的课堂教学水平都有提高，所教班级成绩进步明显。",
    "教育科研还要加强，下一年继续学习。",
];

fn grade(rng: &mut StdRng) -> Grade {
    match rng.random_range(0..100) {
        0..15 => Grade::Excellent,
        15..90 => Grade::Competent,
        90..98 => Grade::BasicallyCompetent,
        _ => Grade::Incompetent,
    }
}

fn sections_json(kind: Kind) -> String {
    let map: std::collections::BTreeMap<&str, &str> = kind
        .sections()
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, SECTIONS[i % SECTIONS.len()]))
        .collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())
}

pub(super) async fn year_end(
    db: &DatabaseConnection,
    layout: &Layout<'_>,
    rng: &mut StdRng,
    progress: &mut dyn Progress,
    report: &mut Report,
) -> AppResult<()> {
    let ids = layout.ids;
    let school_of = |teacher: i64| ids.school(((teacher - ids.teacher) as usize) / ids.per_school);
    let mut se_id = next_id::<self_evaluations::Entity>(db, self_evaluations::Column::Id).await?;
    let mut sum_id = next_id::<summaries::Entity>(db, summaries::Column::Id).await?;
    let mut docs = Vec::new();
    let mut sums = Vec::new();
    let mut seen: HashSet<(i64, usize)> = HashSet::new();
    let mut mentors_done: HashSet<i64> = HashSet::new();
    let bureau = ids.bureau_user();
    for p in layout.pairings {
        if p.status == PairingStatus::Draft {
            continue;
        }
        let last_year = p.year == 0;
        let year = layout.years[p.year];
        // Last year's documents were written in June, this year's so far in November.
        let written = if last_year {
            at(day((2026, 6, 20)), 9)
        } else {
            at(day(AS_OF), 9) - chrono::Duration::days(rng.random_range(1..20))
        };
        for (teacher, user, context) in [
            (p.mentee, p.mentee_user, Context::Mentee),
            (p.mentor, p.mentor_user, Context::Mentor),
        ] {
            if !seen.insert((teacher, p.year)) {
                continue;
            }
            let school = school_of(teacher);
            let admin = ids.admin_user((school - ids.school) as usize);
            let roll = rng.random_range(0..100);
            let status = if last_year {
                match roll {
                    0..70 => Stage::Acknowledged,
                    70..90 => Stage::Verified,
                    _ => Stage::Appraised,
                }
            } else {
                match roll {
                    0..60 => Stage::Draft,
                    60..90 => Stage::Submitted,
                    _ => Stage::Appraised,
                }
            };
            let past = |s: Stage| {
                Stage::ALL.iter().position(|x| *x == status)
                    >= Stage::ALL.iter().position(|x| *x == s)
            };
            let figures = Figures {
                pairings_as_mentor: i64::from(context == Context::Mentor),
                pairings_as_mentee: i64::from(context == Context::Mentee),
                ..Default::default()
            };
            let step = |n: i64| Some(written + chrono::Duration::days(n));
            let final_grade = past(Stage::Verified).then(|| grade(rng));
            let appraisal = past(Stage::Appraised).then(|| grade(rng));
            docs.push(self_evaluations::ActiveModel {
                id: Set(se_id),
                teacher_id: Set(teacher),
                academic_year_id: Set(year),
                context: Set(context),
                school_id: Set(school),
                appraiser_school_id: Set(school),
                signer_school_id: Set(None),
                secondment_id: Set(None),
                ethics: Set(SECTIONS[0].into()),
                teaching: Set(SECTIONS[1].into()),
                results: Set(SECTIONS[2].into()),
                improvement: Set(SECTIONS[3].into()),
                proposed_grade: Set(Some(Grade::Competent)),
                figures: Set(if past(Stage::Submitted) {
                    serde_json::to_string(&figures).unwrap_or_default()
                } else {
                    String::new()
                }),
                status: Set(status),
                submitted_at: Set(past(Stage::Submitted).then_some(written)),
                appraisal_grade: Set(appraisal),
                appraisal_comment: Set(if appraisal.is_some() {
                    "同意。".into()
                } else {
                    String::new()
                }),
                appraised_by: Set(appraisal.map(|_| admin)),
                appraised_at: Set(appraisal.and(step(3))),
                sign_comment: Set(String::new()),
                signed_by: Set(None),
                signed_at: Set(None),
                final_grade: Set(final_grade),
                verify_comment: Set(String::new()),
                verified_by: Set(final_grade.map(|_| bureau)),
                verified_at: Set(final_grade.and(step(10))),
                acknowledged_at: Set(past(Stage::Acknowledged).then_some(written).and(step(12))),
                return_reason: Set(String::new()),
                returned_by: Set(None),
                returned_at: Set(None),
                version: Set(1 + Stage::ALL.iter().position(|x| *x == status).unwrap_or(0) as i32),
                created_at: Set(written),
                updated_at: Set(written),
            });
            se_id += 1;
            // Last year's mentors wrote their pairing work summary, received by their school.
            if last_year && context == Context::Mentor && mentors_done.insert(teacher) {
                sums.push(summary(
                    sum_id,
                    Kind::Mentor,
                    year,
                    Some(teacher),
                    school,
                    SumStage::Accepted,
                    user,
                    admin,
                    written,
                ));
                sum_id += 1;
            }
        }
    }
    // The schools' annual summaries: last year's received, this year's some under way.
    let mut schools_done: HashSet<(i64, Kind, usize)> = HashSet::new();
    for sp in layout.school_pairings {
        for (index, kind) in [
            (sp.supporter, Kind::Supporter),
            (sp.receiver, Kind::Receiver),
        ] {
            let school = ids.school(index);
            let admin = ids.admin_user(index);
            for y in 0..2 {
                if !schools_done.insert((school, kind, y)) {
                    continue;
                }
                let status = if y == 0 {
                    SumStage::Accepted
                } else {
                    match rng.random_range(0..100) {
                        0..30 => SumStage::Submitted,
                        30..50 => SumStage::Draft,
                        _ => continue,
                    }
                };
                let written = if y == 0 {
                    at(day((2026, 7, 1)), 9)
                } else {
                    at(day(AS_OF), 8)
                };
                sums.push(summary(
                    sum_id,
                    kind,
                    layout.years[y],
                    None,
                    school,
                    status,
                    admin,
                    bureau,
                    written,
                ));
                sum_id += 1;
            }
        }
    }
    report.self_evaluations = docs.len() as u64;
    report.summaries = sums.len() as u64;
    let txn = db.begin().await?;
    insert_rows(&txn, &mut docs, progress).await?;
    insert_rows(&txn, &mut sums, &mut Quiet).await?;
    txn.commit().await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn summary(
    id: i64,
    kind: Kind,
    year: i64,
    teacher: Option<i64>,
    school: i64,
    status: SumStage,
    author: i64,
    receiver: i64,
    written: chrono::DateTime<chrono::Utc>,
) -> summaries::ActiveModel {
    let submitted = status != SumStage::Draft;
    let accepted = status == SumStage::Accepted;
    summaries::ActiveModel {
        id: Set(id),
        kind: Set(kind),
        academic_year_id: Set(year),
        teacher_id: Set(teacher),
        school_id: Set(school),
        sections: Set(sections_json(kind)),
        // What the author saw when submitting (kept like the service keeps it).
        figures: Set(if submitted {
            match teacher {
                Some(_) => serde_json::to_string(&Figures {
                    pairings_as_mentor: 1,
                    ..Default::default()
                }),
                None => serde_json::to_string(&crate::domain::summaries::SchoolFigures {
                    school_pairings: 1,
                    ..Default::default()
                }),
            }
            .unwrap_or_default()
        } else {
            String::new()
        }),
        status: Set(status),
        submitted_at: Set(submitted.then_some(written)),
        submitted_by: Set(submitted.then_some(author)),
        accept_comment: Set(String::new()),
        accepted_by: Set(accepted.then_some(receiver)),
        accepted_at: Set(accepted.then_some(written + chrono::Duration::days(7))),
        return_reason: Set(String::new()),
        returned_by: Set(None),
        returned_at: Set(None),
        version: Set(1 + i32::from(submitted) + i32::from(accepted)),
        created_at: Set(written),
        updated_at: Set(written),
    }
}
