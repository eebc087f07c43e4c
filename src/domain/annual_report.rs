//! The bureau's annual report (年度城乡学校结对帮扶工作总结), drafted from the data in the
//! seed's structure: 基本情况 with every figure, 主要做法 (pairings, secondments, visits,
//! training, support), then 取得的实效, 存在的问题 and 下一步打算 for people to write. Each
//! section is edited and kept (`annual_reports`, one per year, with a version so that a
//! stale save is refused); the figures are read from the data each time. The same report
//! is a page, a Word document (`docx`) and a workbook of every figure (`xlsx`).
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde::Deserialize;

use crate::db::{self, Conn};
use crate::domain::access::Actor;
use crate::domain::access::policy::{self, Act, Subject};
use crate::domain::audit;
use crate::domain::contributions::LedgerStatus;
use crate::domain::dashboard::{self, DistrictLine, Figures, Scope};
use crate::domain::money::format_yuan;
use crate::domain::self_evaluations::Grade;
use crate::domain::training::WeekStatus;
use crate::domain::types::{self, PairingStatus};
use crate::entities::{academic_years, annual_reports as rows};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Lang;

/// 基本情况, 主要做法, 取得的实效, 存在的问题, 下一步打算.
pub const SECTIONS: [&str; 5] = ["overview", "practices", "outcomes", "problems", "plans"];
/// The longest a section may be.
pub const MAX_SECTION: usize = 20_000;

/// The report of a year: its figures, the districts side by side and the sections (as
/// kept, or drafted from the figures while nothing is kept).
#[derive(Debug, Clone)]
pub struct Report {
    pub year: academic_years::Model,
    pub figures: Figures,
    pub districts: Vec<DistrictLine>,
    /// Section key → text, in `SECTIONS`' order.
    pub sections: Vec<(&'static str, String)>,
    pub kept: Option<rows::Model>,
}

impl Report {
    /// The version a save must name: the kept one's, or 0 before the first save.
    pub fn version(&self) -> i32 {
        self.kept.as_ref().map_or(0, |k| k.version)
    }
    pub fn section(&self, key: &str) -> &str {
        self.sections
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, t)| t.as_str())
    }
}

/// What a save sends: the five sections and the version read.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SectionsForm {
    #[serde(default)]
    pub overview: String,
    #[serde(default)]
    pub practices: String,
    #[serde(default)]
    pub outcomes: String,
    #[serde(default)]
    pub problems: String,
    #[serde(default)]
    pub plans: String,
    #[serde(default)]
    pub version: String,
}

impl SectionsForm {
    pub fn of(report: &Report) -> SectionsForm {
        SectionsForm {
            overview: report.section("overview").to_string(),
            practices: report.section("practices").to_string(),
            outcomes: report.section("outcomes").to_string(),
            problems: report.section("problems").to_string(),
            plans: report.section("plans").to_string(),
            version: report.version().to_string(),
        }
    }
    pub fn get(&self, key: &str) -> &str {
        match key {
            "overview" => &self.overview,
            "practices" => &self.practices,
            "outcomes" => &self.outcomes,
            "problems" => &self.problems,
            _ => &self.plans,
        }
    }
}

/// A year's name as people read it (2025—2026学年, 2025–2026).
pub fn year_label(name: &str, lang: Lang) -> String {
    match crate::domain::academic_years::parse_year_name(name) {
        Ok((from, to)) => lang.t_args(
            "year-label",
            &[("from", from.to_string()), ("to", to.to_string())],
        ),
        Err(_) => name.to_string(),
    }
}

/// Between the items of a list: 、 in Chinese, a comma in English.
fn sep(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "、",
        Lang::En => ", ",
    }
}

fn require(actor: &Actor, act: Act) -> AppResult<()> {
    policy::require_some(actor, Subject::AnnualReport, act)?;
    if policy::everywhere(actor, Subject::AnnualReport, act) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The year named `name` (`2026-2027`); 404 for any other text.
pub async fn year_named(
    conn: &impl ConnectionTrait,
    name: &str,
) -> AppResult<academic_years::Model> {
    academic_years::Entity::find()
        .filter(academic_years::Column::Name.eq(name.trim()))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

async fn kept(conn: &impl ConnectionTrait, year: i64) -> AppResult<Option<rows::Model>> {
    Ok(rows::Entity::find()
        .filter(rows::Column::AcademicYearId.eq(year))
        .one(conn)
        .await?)
}

/// The report of `year`, its sections drafted in `lang` while none are kept.
pub async fn load(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    year: academic_years::Model,
    lang: Lang,
) -> AppResult<Report> {
    require(actor, Act::Read)?;
    let scope = Scope {
        year: year.clone(),
        district: None,
    };
    let figures = dashboard::figures(conn, actor, &scope).await?;
    let districts = dashboard::by_district(conn, actor, &year).await?;
    let kept = kept(conn, year.id).await?;
    let sections = match &kept {
        Some(k) => vec![
            ("overview", k.overview.clone()),
            ("practices", k.practices.clone()),
            ("outcomes", k.outcomes.clone()),
            ("problems", k.problems.clone()),
            ("plans", k.plans.clone()),
        ],
        None => draft(&year, &figures, districts.len(), lang),
    };
    Ok(Report {
        year,
        figures,
        districts,
        sections,
        kept,
    })
}

/// The first two sections written from the figures; the other three left for people.
pub fn draft(
    year: &academic_years::Model,
    f: &Figures,
    districts: usize,
    lang: Lang,
) -> Vec<(&'static str, String)> {
    let n = |v: i64| v.to_string();
    let batches = f
        .seconded_by_batch
        .iter()
        .map(|c| {
            lang.t_args(
                "report-draft-batch",
                &[("batch", n(i64::from(c.key))), ("count", n(c.n))],
            )
        })
        .collect::<Vec<_>>()
        .join(sep(lang));
    let visits = f
        .visits
        .iter()
        .map(|c| {
            lang.t_args(
                "report-draft-visit",
                &[("kind", lang.t(&c.key.label_key())), ("count", n(c.n))],
            )
        })
        .collect::<Vec<_>>()
        .join(sep(lang));
    let overview = lang.t_args(
        "report-draft-overview",
        &[
            ("year", year_label(&year.name, lang)),
            ("districts", n(districts as i64)),
            ("schools", n(f.schools_paired as i64)),
            ("school_pairings", n(f.school_pairings as i64)),
            (
                "teacher_pairings",
                n(f.teacher_pairings_of(PairingStatus::Active)
                    + f.teacher_pairings_of(PairingStatus::Completed)),
            ),
            ("seconded", n(f.seconded())),
            ("observations", n(f.observations as i64)),
            ("visits", n(f.visits_total())),
            ("weeks", n(f.weeks_of(WeekStatus::Attended))),
            (
                "support",
                format_yuan(f.support_of(LedgerStatus::Confirmed)),
            ),
            ("documents", n(f.self_evaluations_total())),
            ("excellent", n(f.grade_of(Grade::Excellent))),
        ],
    );
    let practices = [
        lang.t_args(
            "report-draft-pairings",
            &[
                ("school_pairings", n(f.school_pairings as i64)),
                ("active", n(f.teacher_pairings_of(PairingStatus::Active))),
                (
                    "completed",
                    n(f.teacher_pairings_of(PairingStatus::Completed)),
                ),
                ("observations", n(f.observations as i64)),
            ],
        ),
        {
            let mut text = if f.seconded() > 0 {
                lang.t_args(
                    "report-draft-secondments",
                    &[("seconded", n(f.seconded())), ("batches", batches)],
                )
            } else {
                lang.t("report-draft-no-secondments")
            };
            if let (Some(planned), Some(since)) = (f.plan.planned_to_date, &f.plan.since) {
                if matches!(lang, Lang::En) {
                    text.push(' ');
                }
                text.push_str(&lang.t_args(
                    "report-draft-plan",
                    &[
                        ("planned", n(planned)),
                        ("since", year_label(since, lang)),
                        ("years", n(f.plan.years_to_date)),
                        ("seconded", n(f.plan.seconded_to_date)),
                    ],
                ));
            }
            text
        },
        lang.t_args(
            "report-draft-visits",
            &[("visits", n(f.visits_total())), ("kinds", visits)],
        ),
        lang.t_args(
            "report-draft-training",
            &[
                ("attended", n(f.weeks_of(WeekStatus::Attended))),
                ("planned", n(f.weeks_of(WeekStatus::Planned))),
            ],
        ),
        lang.t_args(
            "report-draft-support",
            &[
                (
                    "confirmed",
                    format_yuan(f.support_of(LedgerStatus::Confirmed)),
                ),
                ("waiting", format_yuan(f.support_of(LedgerStatus::Recorded))),
            ],
        ),
    ]
    .join("\n\n");
    vec![
        ("overview", overview),
        ("practices", practices),
        ("outcomes", String::new()),
        ("problems", String::new()),
        ("plans", String::new()),
    ]
}

/// Keeps the sections (each within `MAX_SECTION`; 409 `version` when someone saved since
/// the report was read). The first save of a year names version 0.
pub async fn save(
    db: &impl Conn,
    actor: &Actor,
    year: &academic_years::Model,
    form: &SectionsForm,
) -> AppResult<rows::Model> {
    require(actor, Act::Write)?;
    let mut errors = FieldErrors::new();
    let mut texts = Vec::new();
    for key in SECTIONS {
        match types::optional_text(form.get(key), MAX_SECTION) {
            Ok(t) => texts.push(t),
            Err(m) => {
                errors.add(key, m);
                texts.push(String::new());
            }
        }
    }
    errors.into_result()?;
    let txn = db::begin_write(db).await?;
    let before = match &txn.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            rows::Entity::find()
                .filter(rows::Column::AcademicYearId.eq(year.id))
                .lock_exclusive()
                .one(&txn)
                .await?
        }
        _ => kept(&txn, year.id).await?,
    };
    let given = form.version.trim();
    let current = before.as_ref().map_or(0, |b| b.version);
    if given != current.to_string() {
        return Err(AppError::conflict("version", "report-err-stale"));
    }
    let now = Utc::now();
    let [overview, practices, outcomes, problems, plans]: [String; 5] = texts
        .try_into()
        .map_err(|_| AppError::Unexpected("sections".into()))?;
    let row = match &before {
        Some(b) => {
            let mut a: rows::ActiveModel = b.clone().into();
            a.overview = Set(overview);
            a.practices = Set(practices);
            a.outcomes = Set(outcomes);
            a.problems = Set(problems);
            a.plans = Set(plans);
            a.version = Set(b.version + 1);
            a.updated_by = Set(Some(actor.user_id));
            a.updated_at = Set(now);
            a.update(&txn).await?
        }
        None => rows::ActiveModel {
            academic_year_id: Set(year.id),
            overview: Set(overview),
            practices: Set(practices),
            outcomes: Set(outcomes),
            problems: Set(problems),
            plans: Set(plans),
            version: Set(1),
            updated_by: Set(Some(actor.user_id)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            if db::is_unique_violation(&e) {
                AppError::conflict("version", "report-err-stale")
            } else {
                e.into()
            }
        })?,
    };
    audit::record(
        &txn,
        Some(actor),
        if before.is_some() { "update" } else { "create" },
        "annual_report",
        Some(row.id),
        before.as_ref(),
        Some(&row),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// One figure of the report: its group, its label, its value (money in fen).
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    pub group: String,
    pub label: String,
    pub value: i64,
    pub money: bool,
}

impl FigureRow {
    pub fn shown(&self) -> String {
        if self.money {
            format_yuan(self.value)
        } else {
            self.value.to_string()
        }
    }
}

/// Every figure of the report, in groups, labelled in `lang`.
pub fn figure_rows(f: &Figures, lang: Lang) -> Vec<FigureRow> {
    let mut out = Vec::new();
    let mut push = |group: &str, label: String, value: i64, money: bool| {
        out.push(FigureRow {
            group: lang.t(group),
            label,
            value,
            money,
        })
    };
    let g = "report-group-pairings";
    push(
        g,
        lang.t("kpi-schools-paired"),
        f.schools_paired as i64,
        false,
    );
    push(
        g,
        lang.t("report-fig-school-pairings"),
        f.school_pairings as i64,
        false,
    );
    for c in &f.teacher_pairings {
        push(
            g,
            lang.t_args(
                "report-fig-teacher-pairings",
                &[("status", lang.t(&c.key.label_key()))],
            ),
            c.n,
            false,
        );
    }
    let g = "report-group-secondments";
    push(g, lang.t("kpi-seconded"), f.seconded(), false);
    for c in &f.seconded_by_batch {
        push(
            g,
            lang.t_args("report-fig-batch", &[("batch", c.key.to_string())]),
            c.n,
            false,
        );
    }
    if let Some(p) = f.plan.planned {
        push(g, lang.t("field-secondments-planned"), p, false);
    }
    if let Some(p) = f.plan.planned_to_date {
        push(g, lang.t("report-fig-planned-to-date"), p, false);
    }
    push(
        g,
        lang.t("report-fig-seconded-to-date"),
        f.plan.seconded_to_date,
        false,
    );
    let g = "report-group-observations";
    push(
        g,
        lang.t("kpi-observations-year"),
        f.observations as i64,
        false,
    );
    push(
        g,
        lang.t("term-first"),
        f.observations_by_term[0] as i64,
        false,
    );
    push(
        g,
        lang.t("term-second"),
        f.observations_by_term[1] as i64,
        false,
    );
    for c in &f.observations_by_month {
        push(
            g,
            lang.t_args(
                "report-fig-month",
                &[
                    ("year", chrono::Datelike::year(&c.key).to_string()),
                    ("month", chrono::Datelike::month(&c.key).to_string()),
                ],
            ),
            c.n,
            false,
        );
    }
    for c in &f.scores {
        let label = if c.key == 9 {
            "90–100".to_string()
        } else {
            format!("{}–{}", c.key * 10, c.key * 10 + 9)
        };
        push(
            g,
            lang.t_args("report-fig-score", &[("band", label)]),
            c.n,
            false,
        );
    }
    let g = "report-group-visits";
    push(g, lang.t("kpi-visits"), f.visits_total(), false);
    for c in &f.visits {
        push(g, lang.t(&c.key.label_key()), c.n, false);
    }
    let g = "report-group-training";
    for c in &f.training_weeks {
        push(
            g,
            lang.t_args(
                "report-fig-weeks",
                &[("status", lang.t(&c.key.label_key()))],
            ),
            c.n,
            false,
        );
    }
    let g = "report-group-support";
    for c in &f.support_fen {
        push(
            g,
            lang.t_args(
                "report-fig-support",
                &[("status", lang.t(&c.key.label_key()))],
            ),
            c.n,
            true,
        );
    }
    let g = "report-group-year-end";
    for c in &f.self_evaluations {
        push(
            g,
            lang.t_args(
                "report-fig-documents",
                &[("status", lang.t(&c.key.label_key()))],
            ),
            c.n,
            false,
        );
    }
    for c in &f.grades {
        push(
            g,
            lang.t_args("report-fig-grade", &[("grade", lang.t(&c.key.label_key()))]),
            c.n,
            false,
        );
    }
    out
}

/// The report as a Word document: the title, the five sections (the first with a table of
/// every figure), Chinese fonts declared for every run.
pub fn docx(report: &Report, lang: Lang) -> AppResult<Vec<u8>> {
    use docx_rs::{
        AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType,
    };
    let fonts = || {
        RunFonts::new()
            .east_asia("宋体")
            .ascii("Times New Roman")
            .hi_ansi("Times New Roman")
    };
    let heading_fonts = || {
        RunFonts::new()
            .east_asia("黑体")
            .ascii("Arial")
            .hi_ansi("Arial")
    };
    let text = |t: &str| Run::new().add_text(t).fonts(fonts()).size(24);
    let mut doc = Docx::new().default_fonts(fonts()).default_size(24);
    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(
                Run::new()
                    .add_text(lang.t_args(
                        "report-title",
                        &[("year", year_label(&report.year.name, lang))],
                    ))
                    .fonts(heading_fonts())
                    .size(36)
                    .bold(),
            )
            .align(AlignmentType::Center),
    );
    let cell = |t: String| TableCell::new().add_paragraph(Paragraph::new().add_run(text(&t)));
    for (i, key) in SECTIONS.iter().enumerate() {
        doc = doc.add_paragraph(
            Paragraph::new().add_run(
                Run::new()
                    .add_text(match lang {
                        Lang::Zh => format!(
                            "{}、{}",
                            ["一", "二", "三", "四", "五"][i],
                            lang.t(&format!("report-section-{key}"))
                        ),
                        Lang::En => {
                            format!("{}. {}", i + 1, lang.t(&format!("report-section-{key}")))
                        }
                    })
                    .fonts(heading_fonts())
                    .size(28)
                    .bold(),
            ),
        );
        let body = report.section(key);
        if body.trim().is_empty() {
            doc = doc.add_paragraph(Paragraph::new().add_run(text("")));
        }
        for para in body.split('\n').filter(|p| !p.trim().is_empty()) {
            doc = doc.add_paragraph(Paragraph::new().add_run(text(para.trim())));
        }
        if *key == "overview" {
            let mut rows = vec![TableRow::new(vec![
                cell(lang.t("report-col-group")),
                cell(lang.t("report-col-figure")),
                cell(lang.t("report-col-value")),
            ])];
            for r in figure_rows(&report.figures, lang) {
                let shown = r.shown();
                rows.push(TableRow::new(vec![
                    cell(r.group),
                    cell(r.label),
                    cell(shown),
                ]));
            }
            doc = doc.add_table(
                Table::new(rows)
                    .set_grid(vec![2200, 4600, 2200])
                    .width(9000, WidthType::Dxa),
            );
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| AppError::Unexpected(format!("docx: {e}")))?;
    Ok(out.into_inner())
}

/// Every figure as a workbook: the figures, the months, the districts side by side.
pub fn xlsx(report: &Report, lang: Lang) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| AppError::Unexpected(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let sheet = book.add_worksheet();
    sheet
        .set_name(lang.t("report-sheet-figures"))
        .map_err(failed)?;
    for (c, key) in ["report-col-group", "report-col-figure", "report-col-value"]
        .iter()
        .enumerate()
    {
        sheet
            .write_string_with_format(0, c as u16, lang.t(key), &bold)
            .map_err(failed)?;
    }
    for (i, r) in figure_rows(&report.figures, lang).iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &r.group).map_err(failed)?;
        sheet.write_string(row, 1, &r.label).map_err(failed)?;
        if r.money {
            sheet
                .write_number_with_format(row, 2, r.value as f64 / 100.0, &money)
                .map_err(failed)?;
        } else {
            sheet.write_number(row, 2, r.value as f64).map_err(failed)?;
        }
    }
    sheet.set_column_width(0, 16).map_err(failed)?;
    sheet.set_column_width(1, 36).map_err(failed)?;
    sheet.set_column_width(2, 16).map_err(failed)?;
    let sheet = book.add_worksheet();
    sheet
        .set_name(lang.t("report-sheet-districts"))
        .map_err(failed)?;
    for (c, key) in [
        "field-district",
        "report-col-teacher-pairings",
        "report-col-observations",
        "report-col-weeks",
        "report-col-verified",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_string_with_format(0, c as u16, lang.t(key), &bold)
            .map_err(failed)?;
    }
    for (i, d) in report.districts.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &d.district).map_err(failed)?;
        for (c, v) in [
            d.teacher_pairings,
            d.observations,
            d.training_weeks_attended,
            d.self_evaluations_verified,
        ]
        .iter()
        .enumerate()
        {
            sheet
                .write_number(row, c as u16 + 1, *v as f64)
                .map_err(failed)?;
        }
    }
    sheet.set_column_width(0, 20).map_err(failed)?;
    book.save_to_buffer().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overview(lang: Lang, n: &str) -> String {
        let names = [
            "schools",
            "school_pairings",
            "teacher_pairings",
            "seconded",
            "observations",
            "visits",
            "weeks",
            "documents",
            "excellent",
        ];
        let mut args: Vec<(&str, String)> = names.iter().map(|k| (*k, n.to_string())).collect();
        args.extend([
            ("year", "2026–2027".to_string()),
            ("districts", "1".to_string()),
            ("support", "¥1.00".to_string()),
        ]);
        lang.t_args("report-draft-overview", &args)
    }

    #[test]
    fn the_english_overview_counts_one_and_many() {
        let one = overview(Lang::En, "1");
        assert!(one.contains("1 school of the district"), "{one}");
        assert!(
            one.contains("1 school pairing and 1 teacher pairing."),
            "{one}"
        );
        assert!(one.contains("1 secondment (person-time) was made"), "{one}");
        assert!(
            one.contains("1 lesson was observed, 1 exchange visit made and 1 training week"),
            "{one}"
        );
        assert!(one.contains("1 self-evaluation was received"), "{one}");
        let many = overview(Lang::En, "3");
        assert!(
            many.contains("3 school pairings and 3 teacher pairings."),
            "{many}"
        );
        assert!(many.contains("3 lessons were observed"), "{many}");
        let one_secondment = Lang::En.t_args(
            "report-draft-secondments",
            &[("seconded", "1".into()), ("batches", "batch 1: 1".into())],
        );
        assert!(
            one_secondment.contains("1 person-time (batch 1: 1)"),
            "{one_secondment}"
        );
        let weeks = Lang::En.t_args(
            "report-draft-training",
            &[("attended", "1".into()), ("planned", "2".into())],
        );
        assert!(weeks.contains("1 week attended"), "{weeks}");
        let zh = overview(Lang::Zh, "1");
        assert!(!zh.contains("pairing"), "{zh}");
    }
}
