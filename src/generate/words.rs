//! The words generated data is made of: place and school names, people's names, subjects,
//! lesson topics and the phrases of observations, reflections and plans (in the seed's
//! vocabulary).
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use crate::domain::types::Stage;

const PLACE_A: &[&str] = &[
    "安", "宁", "永", "清", "长", "平", "东", "西", "南", "北", "新", "兴", "丰", "和", "泰", "广",
    "云", "龙", "凤", "金", "石", "桃", "柳", "松",
];
const PLACE_B: &[&str] = &[
    "阳", "山", "河", "城", "江", "源", "安", "宁", "丰", "川", "湖", "林", "溪", "塘", "岗", "店",
    "集", "桥", "园", "冲",
];
const NUMERALS: &[&str] = &[
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
    "十五", "十六",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "魏", "苏", "吕", "丁",
    "任", "姚", "卢", "傅", "钟", "姜", "崔", "谭", "廖", "范", "汪", "陆",
];
const GIVEN: &[&str] = &[
    "建", "华", "明", "丽", "静", "敏", "伟", "芳", "军", "磊", "洋", "勇", "艳", "杰", "娟", "涛",
    "超", "霞", "平", "刚", "桂", "英", "玲", "辉", "燕", "鹏", "红", "波", "丹", "萍", "琳", "成",
    "启", "如", "昌", "永", "志", "文", "海", "春", "秀", "兰", "雪", "梅", "宇", "浩", "晨", "欣",
    "悦", "婷", "雯", "峰", "林", "斌", "强", "慧", "佳", "凯", "嘉", "颖",
];
const PRIMARY_SUBJECTS: &[&str] = &[
    "语文",
    "数学",
    "英语",
    "科学",
    "道德与法治",
    "音乐",
    "体育",
    "美术",
];
const JUNIOR_SUBJECTS: &[&str] = &[
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "生物",
    "历史",
    "地理",
    "道德与法治",
    "体育",
    "信息技术",
];
const PRIMARY_GRADES: &[&str] = &["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"];
const JUNIOR_GRADES: &[&str] = &["七年级", "八年级", "九年级"];

/// A district's name: 安阳县, 宁山区, …
pub fn district(i: usize) -> String {
    let a = PLACE_A[i % PLACE_A.len()];
    let b = PLACE_B[(i / PLACE_A.len() + i) % PLACE_B.len()];
    let suffix = if i.is_multiple_of(3) { "区" } else { "县" };
    let round = i / (PLACE_A.len() * PLACE_B.len());
    if round == 0 {
        format!("{a}{b}{suffix}")
    } else {
        format!("{a}{b}{}{suffix}", NUMERALS[round % NUMERALS.len()])
    }
}

/// The township of a group's two supported schools: 桥店镇, 龙冲乡, …
pub fn township(group: usize) -> String {
    let a = PLACE_B[(group * 7) % PLACE_B.len()];
    let b = PLACE_B[(group / PLACE_B.len() + group * 3 + 1) % PLACE_B.len()];
    let suffix = if group.is_multiple_of(2) {
        "镇"
    } else {
        "乡"
    };
    format!("{}{a}{b}{suffix}", PLACE_A[(group / 3) % PLACE_A.len()])
}

/// An urban school: 安阳县第三中学, 安阳县实验小学 …
pub fn urban_school(district: &str, stage: Stage, index: usize) -> String {
    let n = (index % super::SCHOOLS_PER_DISTRICT) / 3;
    let kind = if stage == Stage::Primary {
        "小学"
    } else {
        "中学"
    };
    if n == 0 {
        format!("{district}实验{kind}")
    } else {
        format!("{district}第{}{kind}", NUMERALS[(n - 1) % NUMERALS.len()])
    }
}

/// A township or village school: 桥店镇中心小学, 桥店镇塘冲小学, 桥店镇初级中学 …
pub fn rural_school(township: &str, stage: Stage, place: usize) -> String {
    match (stage, place) {
        (Stage::Primary, 1) => format!("{township}中心小学"),
        (Stage::Primary, _) => format!("{township}村小"),
        (_, 1) => format!("{township}初级中学"),
        _ => format!("{township}第二中学"),
    }
}

/// A person's name and gender.
pub fn person(rng: &mut StdRng) -> (String, &'static str) {
    let surname = pick(rng, SURNAMES);
    let mut name = surname.to_string();
    name.push_str(pick(rng, GIVEN));
    if rng.random_bool(0.7) {
        name.push_str(pick(rng, GIVEN));
    }
    let gender = if rng.random_bool(0.62) {
        "female"
    } else {
        "male"
    };
    (name, gender)
}

pub fn subjects(stage: Stage) -> &'static [&'static str] {
    if stage == Stage::Primary {
        PRIMARY_SUBJECTS
    } else {
        JUNIOR_SUBJECTS
    }
}

fn grades(stage: Stage) -> &'static [&'static str] {
    if stage == Stage::Primary {
        PRIMARY_GRADES
    } else {
        JUNIOR_GRADES
    }
}

pub fn grade(stage: Stage, k: usize) -> &'static str {
    let g = grades(stage);
    g[k % g.len()]
}

pub fn grade_class(stage: Stage, lesson: usize) -> String {
    format!("{}（{}）班", grade(stage, lesson / 4), lesson % 4 + 1)
}

/// 职称: urban schools' teachers are more often 一级 and 高级.
pub fn title(rng: &mut StdRng, urban: bool) -> &'static str {
    let choices: &[&str] = if urban {
        &[
            "second",
            "first",
            "first",
            "first",
            "senior",
            "senior",
            "professor",
        ]
    } else {
        &["unrated", "third", "second", "second", "second", "first"]
    };
    pick(rng, choices)
}

pub fn pick(rng: &mut StdRng, from: &[&'static str]) -> &'static str {
    from.choose(rng).copied().unwrap_or_default()
}

/// A lesson's topic for a subject, the `lesson`-th of the year.
pub fn topic(subject: &str, lesson: usize) -> String {
    let topics: &[&str] = match subject {
        "数学" => &[
            "正数和负数",
            "有理数的加法",
            "整式的加减",
            "一元一次方程",
            "几何图形初步",
            "相交线与平行线",
            "实数",
            "平面直角坐标系",
        ],
        "语文" => &[
            "春",
            "济南的冬天",
            "散步",
            "秋天的怀念",
            "古代诗歌四首",
            "从百草园到三味书屋",
            "写作：热爱生活，热爱写作",
        ],
        "英语" => &[
            "My name's Gina",
            "Is this your pencil?",
            "Where's my schoolbag?",
            "Do you have a soccer ball?",
            "How much are these socks?",
        ],
        "物理" => &["机械运动", "声现象", "物态变化", "光现象", "透镜及其应用"],
        "化学" => &[
            "走进化学世界",
            "我们周围的空气",
            "物质构成的奥秘",
            "自然界的水",
        ],
        "科学" => &["植物的生长变化", "水的三态变化", "简单电路", "地球的运动"],
        _ => &[
            "新课导入与情境创设",
            "小组合作学习",
            "分层练习与当堂检测",
            "单元复习课",
            "综合实践活动",
        ],
    };
    let t = topics[lesson % topics.len()];
    if lesson < topics.len() {
        t.to_string()
    } else {
        format!("{t}（第{}课时）", lesson / topics.len() + 1)
    }
}

pub const STRENGTHS: &[&str] = &[
    "备课认真，教态亲切，能联系生活实例引入新课。",
    "能让学生分组探究，课堂气氛活跃。",
    "例题选择典型，板书条理清楚。",
    "用新理念处理旧教材，注重学生自主学习、合作学习。",
    "教学目标明确，重难点突出，练习设计有梯度。",
    "语言简洁准确，善于提问启发，学生参与面广。",
];
pub const SUGGESTIONS: &[&str] = &[
    "教学环节衔接不够紧凑；提问多由教师包办，学生自主学习的时间少。",
    "小组合作时分工不明确，部分学生游离；当堂检测题目梯度不够，没有照顾到学困生。",
    "分层教学还停留在练习题上，可以在提问和作业中也分层。",
    "课堂小结可以交给学生完成，教师补充提升。",
    "板书设计可再精炼，突出知识结构。",
];
pub const REFLECTIONS: &[&str] = &[
    "课后反思：我讲得太多，学生想得太少。下节课试着先让学生自己举例，再归纳。",
    "这次尝试了合作学习，但小组里总是那两个学生在说。下次要给每组定好记录员、发言人，并准备分层的练习题。",
    "师傅提醒我关注学困生。这节课我把练习分成了基础题和提高题，学生完成得比上次好。",
    "按师傅的建议调整了导入环节，用生活中的例子引入，学生兴趣明显提高。",
];
pub const CONTACTS: &[&str] = &[
    "电话沟通下周公开课的教学设计。",
    "线上集体备课，讨论单元教学目标和分层作业。",
    "到受援学校听课并当面交流，帮助分析学情。",
];
pub const PLAN_ETHICS: &[&str] = &[
    "热爱教育事业，工作积极主动，关心学生。",
    "师德修养好，乐于学习，虚心请教。",
];
pub const PLAN_SKILL: &[&str] = &[
    "教学基本功较扎实，但对教材的处理、课堂教学的组织经验不足。",
    "新入职教师，课堂驾驭能力有待提高，教学方法较单一。",
];
pub const PLAN_GOALS: &[&str] = &[
    "一年内能独立上好一节公开课，课堂教学评价达到良好以上。",
    "尽快适应教学工作，掌握分层教学和合作学习的方法。",
];
pub const PLAN_TEACHING: &[&str] = &[
    "每月至少听徒弟一节课并评课，徒弟每月听师傅示范课一节，坚持课后反思。",
    "共同备课，指导教学设计、课堂组织和作业设计，帮助徒弟上好汇报课。",
];
