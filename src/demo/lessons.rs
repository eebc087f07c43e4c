//! The demo's year of lessons: 王建华 observing 姚成琳 (and her attending his demonstration
//! lessons) from September 2025, scored with the 课堂教学评价表, growing from about 66 to
//! about 91, with her reflections and his comments in the seed's words (用新理念处理旧教材,
//! 自主学习、合作学习, 分层教学 …) and the contact log. Written once: skipped when the
//! pairing already has observations.
use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, Set,
};

use crate::domain::access::Actor;
use crate::domain::observations::scores_json;
use crate::domain::rubrics::Rubric;
use crate::domain::teacher_pairings::{self, TeacherPairingForm};
use crate::domain::{academic_years, users};
use crate::entities::{
    comments, contacts, observations, reflections, rubrics, teacher_pairings as tp,
};
use crate::error::AppResult;

/// (date, topic, kind, total wanted, strengths, suggestions, reflection or "")
type Lesson = (
    (i32, u32, u32),
    &'static str,
    &'static str,
    f64,
    &'static str,
    &'static str,
    &'static str,
);

const LAST_YEAR: &[Lesson] = &[
    (
        (2025, 9, 18),
        "正数和负数",
        "regular",
        66.0,
        "备课认真，教态亲切，能联系生活实例引入负数。",
        "教学环节衔接不够紧凑；提问多由教师包办，学生自主学习的时间少。建议用新理念处理旧教材，把自主学习、合作学习引入课堂。",
        "第一次被师傅听课，很紧张。课后反思：我讲得太多，学生想得太少。下节课试着先让学生自己举例，再归纳。",
    ),
    (
        (2025, 10, 16),
        "有理数的加法",
        "regular",
        70.0,
        "能让学生分组探究加法法则，课堂气氛活跃。",
        "小组合作时分工不明确，部分学生游离；当堂检测题目梯度不够，没有照顾到学困生。",
        "这次尝试了合作学习，但小组里总是那两个学生在说。下次要给每组定好记录员、发言人，并准备分层的练习题。",
    ),
    (
        (2025, 11, 13),
        "整式的加减",
        "regular",
        72.5,
        "例题选择典型，板书条理清楚。",
        "分层教学还停留在练习题上，可以在提问和作业中也分层。",
        "",
    ),
    (
        (2025, 11, 27),
        "一元一次方程（示范课）",
        "demonstration",
        0.0,
        "师傅的示范课：从学生熟悉的购物情境引入，问题串层层递进。",
        "值得学习：每个环节都留给学生思考的时间；对学困生的追问很耐心。",
        "听了师傅的示范课，最大的收获是“问题串”的设计：每个问题都让学生够得着、又要跳一跳。",
    ),
    (
        (2025, 12, 18),
        "一元一次方程的应用",
        "regular",
        75.0,
        "用新理念处理教材，把应用题改编成学生身边的问题，学生参与面明显扩大。",
        "对学生的错误可以多追问“为什么”，让错误成为资源。",
        "这节课我把课本上的行程问题换成了学生上学的路程，学生很感兴趣。课后辅导了三名学困生，他们能独立列方程了。",
    ),
    (
        (2026, 3, 12),
        "相交线与平行线",
        "open",
        78.0,
        "公开课准备充分，学生动手操作、合作交流，自主学习习惯初步形成。",
        "结论的归纳可以交给学生完成；课堂小结形式可以更多样。",
        "",
    ),
    (
        (2026, 4, 16),
        "平面直角坐标系",
        "regular",
        81.0,
        "分层作业设计合理，课堂节奏把握得好。",
        "信息技术的运用可以更恰当，几何画板可以让学生自己操作。",
        "本学期坚持写课后反思，发现自己最大的进步是敢于把课堂交给学生。",
    ),
    (
        (2026, 5, 14),
        "二元一次方程组（示范课）",
        "demonstration",
        0.0,
        "师傅示范“消元”思想的教学，学生在比较中自己发现代入法和加减法。",
        "值得学习：把数学思想方法贯穿始终。",
        "",
    ),
    (
        (2026, 6, 11),
        "不等式与不等式组",
        "regular",
        86.5,
        "教学目标明确，重点突出，难点突破自然；学生思维活跃，当堂检测正确率高。",
        "可以尝试让学生出题互测，进一步发展能力。",
        "一年下来，从“经验型”慢慢向“科研型”转：每节课前想清楚学生会在哪里卡住。",
    ),
];

const THIS_YEAR: &[Lesson] = &[
    (
        (2026, 9, 17),
        "三角形的边",
        "regular",
        87.0,
        "自主学习、合作学习已成为常态，学生能清楚表达自己的想法。",
        "可以在小结环节引导学生形成知识结构图。",
        "",
    ),
    (
        (2026, 10, 22),
        "全等三角形的判定",
        "open",
        89.0,
        "公开课获得同行好评：探究活动设计巧妙，分层教学落实到每个环节。",
        "可以把这节课整理成教学案例，参与区里的评比。",
        "这节公开课是我第一次在全校老师面前上课。感谢师傅一次次磨课，“用新理念处理旧教材”这句话我终于真正体会到了。",
    ),
    (
        (2026, 11, 19),
        "轴对称",
        "regular",
        91.0,
        "教学目标、内容、方法和效果都达到优秀；教态自然，驾驭课堂能力强。",
        "下一步可以在教育科研上发力，把课后反思写成小论文。",
        "",
    ),
];

const CONTACTS: &[((i32, u32, u32), &str, &str)] = &[
    (
        (2025, 9, 10),
        "visit",
        "第一次见面，一起分析本学期教材和学情，商定工作方案。",
    ),
    ((2025, 10, 9), "phone", "电话交流有理数单元的分层作业设计。"),
    (
        (2025, 12, 4),
        "online",
        "网络会议：一起备“一元一次方程的应用”。",
    ),
    ((2026, 3, 5), "online", "新学期开学，商定第二学期听课安排。"),
    ((2026, 5, 28), "sms", "发送期末复习资料。"),
    ((2026, 9, 8), "visit", "新学年第一次会面，修订工作方案。"),
    ((2026, 10, 15), "phone", "公开课前电话磨课。"),
    ((2026, 11, 12), "online", "网络会议：轴对称一课的教学设计。"),
];

fn date((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn at(d: (i32, u32, u32), hour: u32) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&date(d).and_hms_opt(hour, 0, 0).unwrap_or_default())
}

/// Scores that come to about `total`: weaker in 教学方法 / 教学过程 early on (the seed:
/// 对教材的处理、课堂教学的组织经验不足), evening out as the year goes on.
pub(crate) fn scores_for(r: &Rubric, total: f64) -> BTreeMap<i64, f64> {
    let lag = ((90.0 - total) / 25.0).clamp(0.0, 1.0) * 0.08;
    let mut out = BTreeMap::new();
    for (si, section) in r.def.sections.iter().enumerate() {
        let ratio = match si {
            2 | 3 => total / 100.0 - lag,
            _ => total / 100.0 + lag * 0.8,
        }
        .clamp(0.3, 1.0);
        for item in &section.items {
            let top = item.scale.top();
            out.insert(item.id, ((top * ratio) * 2.0).round() / 2.0);
        }
    }
    out
}

/// What the demo's lessons added.
#[derive(Debug, Default)]
pub struct LessonsReport {
    pub observations: usize,
    pub reflections: usize,
}

pub async fn load(
    db: &DatabaseConnection,
    bureau: &Actor,
    mentor_id: i64,
    mentee_id: i64,
    current: &tp::Model,
) -> AppResult<LessonsReport> {
    let mut report = LessonsReport::default();
    let already = observations::Entity::find()
        .filter(observations::Column::ObservedId.eq(mentee_id))
        .count(db)
        .await?;
    if already > 0 {
        return Ok(report);
    }
    let Some(rubric_row) = rubrics::Entity::find()
        .filter(rubrics::Column::Code.eq("classroom-cn"))
        .filter(rubrics::Column::IsCurrent.eq(true))
        .one(db)
        .await?
    else {
        return Ok(report);
    };
    let rubric = Rubric::of(rubric_row)?;
    let (Some(mentor_user), Some(mentee_user)) = (
        users::find_by_teacher(db, mentor_id).await?,
        users::find_by_teacher(db, mentee_id).await?,
    ) else {
        return Ok(report);
    };

    // Last year's pairing, completed; this year's began on 1 September.
    let last_year = academic_years::list(db)
        .await?
        .into_iter()
        .find(|y| y.name == "2025-2026");
    let mut pairings = Vec::new();
    if let Some(y) = last_year {
        let form = TeacherPairingForm {
            mentor_id: mentor_id.to_string(),
            mentee_id: mentee_id.to_string(),
            subject: "数学".into(),
            academic_year_id: y.id.to_string(),
            school_pairing_id: current
                .school_pairing_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
        };
        let p = teacher_pairings::create(db, bureau, &form).await?;
        let mut a = p.into_active_model();
        a.status = Set(crate::domain::types::PairingStatus::Completed);
        a.plan = Set(current.plan.clone());
        a.published_at = Set(Some(at((2025, 9, 1), 1)));
        a.completed_at = Set(Some(at((2026, 7, 16), 1)));
        pairings.push((a.update(db).await?, LAST_YEAR));
    }
    let mut a = current.clone().into_active_model();
    a.published_at = Set(Some(at((2026, 9, 1), 1)));
    pairings.push((a.update(db).await?, THIS_YEAR));

    for (pairing, lessons) in pairings {
        for (i, (day, topic, kind, total, strengths, suggestions, reflection)) in
            lessons.iter().enumerate()
        {
            // A demonstration lesson: the mentee attends the mentor's lesson, scored high.
            let demo = *kind == "demonstration";
            let (observer, observed, author) = if demo {
                (mentee_id, mentor_id, mentee_user.id)
            } else {
                (mentor_id, mentee_id, mentor_user.id)
            };
            let scores = scores_for(&rubric, if demo { 95.0 } else { *total });
            let scored =
                rubric
                    .def
                    .score(&scores)
                    .unwrap_or_else(|_| crate::domain::rubrics::Scored {
                        total: *total,
                        band: rubric.def.band_of(*total),
                        sections: BTreeMap::new(),
                    });
            let when = at(*day, 8);
            let o = observations::ActiveModel {
                teacher_pairing_id: Set(pairing.id),
                observer_id: Set(observer),
                observed_id: Set(observed),
                author_id: Set(author),
                observed_on: Set(date(*day)),
                grade_class: Set(if i % 2 == 0 {
                    "七年级（2）班"
                } else {
                    "七年级（4）班"
                }
                .into()),
                subject: Set("数学".into()),
                topic: Set(topic.to_string()),
                lesson_kind: Set(kind.to_string()),
                mode: Set(if i % 3 == 2 { "remote" } else { "onsite" }.into()),
                recording_url: Set(String::new()),
                rubric_id: Set(rubric.row.id),
                scores: Set(scores_json(&scores)?),
                section_scores: Set(scores_json(&scored.sections)?),
                total_score: Set(scored.total),
                band: Set(scored.band.clone()),
                strengths: Set(strengths.to_string()),
                suggestions: Set(suggestions.to_string()),
                comment: Set(String::new()),
                version: Set(1),
                created_at: Set(when),
                updated_at: Set(when),
                ..Default::default()
            }
            .insert(db)
            .await?;
            report.observations += 1;
            if !reflection.is_empty() {
                let later = at(*day, 13);
                let r = reflections::ActiveModel {
                    teacher_pairing_id: Set(pairing.id),
                    observation_id: Set(Some(o.id)),
                    author_id: Set(mentee_user.id),
                    title: Set(format!("《{topic}》课后反思")),
                    body: Set(reflection.to_string()),
                    created_at: Set(later),
                    updated_at: Set(later),
                    ..Default::default()
                }
                .insert(db)
                .await?;
                report.reflections += 1;
                comments::ActiveModel {
                    observation_id: Set(None),
                    reflection_id: Set(Some(r.id)),
                    author_id: Set(mentor_user.id),
                    body: Set("反思写得很实在。坚持做好课后反思和课后辅导，注意分层教学。".into()),
                    created_at: Set(at(*day, 20)),
                    ..Default::default()
                }
                .insert(db)
                .await?;
            }
        }
    }
    for (day, kind, summary) in CONTACTS {
        let pairing_id = if date(*day) >= date((2026, 9, 1)) {
            current.id
        } else {
            match tp::Entity::find()
                .filter(tp::Column::MenteeId.eq(mentee_id))
                .filter(tp::Column::Status.eq("completed"))
                .one(db)
                .await?
            {
                Some(p) => p.id,
                None => continue,
            }
        };
        contacts::ActiveModel {
            teacher_pairing_id: Set(pairing_id),
            kind: Set(kind.to_string()),
            contacted_on: Set(date(*day)),
            summary: Set(summary.to_string()),
            author_id: Set(mentor_user.id),
            created_at: Set(at(*day, 9)),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(report)
}
