//! A teacher's growth (成长曲线): the total and per-section scores of the lessons observed,
//! over time, drawn on the server as SVG with plotters; and the first term with
//! observations against the last.
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::domain::access::Actor;
use crate::domain::rubrics::{self, Rubric};
use crate::domain::types::{PairingStatus, Role};
use crate::entities::{academic_years, observations, teacher_pairings, teachers};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// At most this many observations are drawn (the latest).
pub const MAX_POINTS: u64 = 200;
/// At most this many section lines (the rest would not be readable on a phone).
pub const MAX_SECTIONS: usize = 6;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub observation_id: i64,
    pub on: NaiveDate,
    pub total: f64,
    /// Section name → percent of the section's top.
    pub sections: BTreeMap<String, f64>,
}

/// The average total of one term's observations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermAverage {
    pub year: String,
    pub term: u8,
    pub average: f64,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Growth {
    pub teacher: teachers::Model,
    pub points: Vec<Point>,
    /// The sections drawn, in first-seen order.
    pub sections: Vec<String>,
    pub first_term: Option<TermAverage>,
    pub last_term: Option<TermAverage>,
}

impl Growth {
    /// Last term's average minus the first's.
    pub fn change(&self) -> Option<f64> {
        match (&self.first_term, &self.last_term) {
            (Some(a), Some(b)) if (a.year.as_str(), a.term) != (b.year.as_str(), b.term) => {
                Some(((b.average - a.average) * 10.0).round() / 10.0)
            }
            _ => None,
        }
    }
}

/// Who may see a teacher's growth: the bureau; the teacher; an admin of the teacher's
/// school; a mentor of theirs (a published pairing).
async fn may_see(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    t: &teachers::Model,
) -> AppResult<bool> {
    Ok(match actor.role {
        Role::BureauAdmin => true,
        Role::SchoolAdmin => actor.school_id == Some(t.school_id),
        Role::Teacher => {
            actor.teacher_id == Some(t.id)
                || teacher_pairings::Entity::find()
                    .filter(teacher_pairings::Column::MenteeId.eq(t.id))
                    .filter(teacher_pairings::Column::MentorId.eq(actor.teacher_id.unwrap_or(-1)))
                    .filter(teacher_pairings::Column::Status.ne(PairingStatus::Draft))
                    .one(conn)
                    .await?
                    .is_some()
        }
    })
}

pub async fn of_teacher(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    teacher_id: i64,
) -> AppResult<Growth> {
    let teacher = teachers::Entity::find_by_id(teacher_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)?;
    if !may_see(conn, actor, &teacher).await? {
        // Hidden answers like missing (404), so ids cannot be probed.
        return Err(AppError::NotFound);
    }
    let mut query =
        observations::Entity::find().filter(observations::Column::ObservedId.eq(teacher_id));
    // A mentor sees the lessons of their own pairings with this teacher, not other mentors'.
    if actor.role == Role::Teacher && actor.teacher_id != Some(teacher_id) {
        let own = sea_orm::sea_query::Query::select()
            .column(teacher_pairings::Column::Id)
            .from(teacher_pairings::Entity)
            .and_where(teacher_pairings::Column::MentorId.eq(actor.teacher_id.unwrap_or(-1)))
            .and_where(teacher_pairings::Column::MenteeId.eq(teacher_id))
            .to_owned();
        query = query.filter(observations::Column::TeacherPairingId.in_subquery(own));
    }
    let mut rows = query
        .order_by_desc(observations::Column::ObservedOn)
        .order_by_desc(observations::Column::Id)
        .limit(MAX_POINTS)
        .all(conn)
        .await?;
    rows.reverse();
    let mut rubric_cache: HashMap<i64, Rubric> = HashMap::new();
    let mut sections: Vec<String> = Vec::new();
    let mut points = Vec::with_capacity(rows.len());
    for o in &rows {
        let rubric = match rubric_cache.entry(o.rubric_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(rubrics::get(conn, o.rubric_id).await?)
            }
        };
        let by_id: BTreeMap<String, f64> =
            serde_json::from_str(&o.section_scores).unwrap_or_default();
        let mut named = BTreeMap::new();
        for s in &rubric.def.sections {
            if let Some(v) = by_id.get(&s.id.to_string()) {
                named.insert(s.name.clone(), *v);
                if !sections.contains(&s.name) && sections.len() < MAX_SECTIONS {
                    sections.push(s.name.clone());
                }
            }
        }
        points.push(Point {
            observation_id: o.id,
            on: o.observed_on,
            total: o.total_score,
            sections: named,
        });
    }
    // Terms from the academic years' dates.
    let years = academic_years::Entity::find()
        .order_by_asc(academic_years::Column::StartsOn)
        .all(conn)
        .await?;
    let term_of = |d: NaiveDate| {
        years
            .iter()
            .find(|y| y.starts_on <= d && d <= y.ends_on)
            .map(|y| {
                (
                    y.name.clone(),
                    if d < y.second_term_starts_on { 1u8 } else { 2 },
                )
            })
    };
    let mut terms: Vec<((String, u8), Vec<f64>)> = Vec::new();
    for p in &points {
        if let Some(key) = term_of(p.on) {
            match terms.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push(p.total),
                None => terms.push((key, vec![p.total])),
            }
        }
    }
    let average = |(k, v): &((String, u8), Vec<f64>)| TermAverage {
        year: k.0.clone(),
        term: k.1,
        average: ((v.iter().sum::<f64>() / v.len() as f64) * 10.0).round() / 10.0,
        count: v.len(),
    };
    Ok(Growth {
        first_term: terms.first().map(average),
        last_term: terms.last().map(average),
        teacher,
        points,
        sections,
    })
}

const SECTION_COLOURS: [RGBColor; MAX_SECTIONS] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
];
const TOTAL_COLOUR: RGBColor = RGBColor(0x0b, 0x6e, 0x4f);

/// The two drawings of the chart: one for a phone's width, one for a wider screen. Each
/// is drawn for its width (type sized for it, as many month labels as fit) and scales
/// to its container, so its text stays at least 12 px on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// 320 units wide, type 14: on a 375 px phone it shows at about 1:1.
    Narrow,
    /// 600 units wide, type 13.
    Wide,
}

impl Width {
    fn units(self) -> u32 {
        match self {
            Width::Narrow => 320,
            Width::Wide => 600,
        }
    }
    fn font(self) -> u32 {
        match self {
            Width::Narrow => 14,
            Width::Wide => 13,
        }
    }
    fn plot_height(self) -> u32 {
        match self {
            Width::Narrow => 230,
            Width::Wide => 300,
        }
    }
    fn legend_columns(self) -> usize {
        match self {
            Width::Narrow => 2,
            Width::Wide => 3,
        }
    }
}

/// The first day of `d`'s month.
fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// The first day of the month after `d`'s.
fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// The months the chart spans, each labelled once: the label sits in the middle of its
/// month. The year is named on the first label and on each January; when there are more
/// months than fit, every n-th is labelled.
fn month_labels(
    from: NaiveDate,
    to: NaiveDate,
    fit: usize,
    lang: Lang,
) -> Vec<(NaiveDate, String)> {
    let mut months = Vec::new();
    let mut m = month_start(from);
    while m <= to {
        months.push(m);
        m = next_month(m);
    }
    let step = months.len().div_ceil(fit.max(1)).max(1);
    months
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .enumerate()
        .map(|(n, (_, m))| {
            let with_year = n == 0 || m.month() <= step as u32;
            let label = match (lang, with_year) {
                (Lang::Zh, true) => format!("{}年{}月", m.year(), m.month()),
                (Lang::Zh, false) => format!("{}月", m.month()),
                (Lang::En, true) => m.format("%b %Y").to_string(),
                (Lang::En, false) => m.format("%b").to_string(),
            };
            (*m + chrono::Duration::days(14), label)
        })
        .collect()
}

/// About how wide `text` is at font size 1 (a CJK character is one em, Latin about half).
pub(crate) fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.56 } else { 1.0 })
        .sum()
}

/// `text` cut with an ellipsis to fit `room` at font size `font`.
pub(crate) fn fit(text: &str, room: f64, font: f64) -> String {
    if text_width(text) * font <= room {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if (text_width(&out) + text_width(&c.to_string()) + 1.0) * font > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// The chart as an SVG document drawn for `width` that scales to its container: the total
/// as a thick line with one dot per observation, each section as a thinner, lighter line;
/// the month labels below the plot and the legend below them, outside the plot.
pub fn svg(g: &Growth, lang: Lang, width: Width) -> AppResult<String> {
    let w = width.units();
    let font = width.font();
    let plot_h = width.plot_height();
    let total_label = lang.t("growth-total");
    let mut legend: Vec<(String, RGBAColor, u32, bool)> =
        vec![(total_label, TOTAL_COLOUR.to_rgba(), 3, true)];
    for (i, name) in g.sections.iter().enumerate() {
        let colour = SECTION_COLOURS[i % SECTION_COLOURS.len()].mix(0.7);
        legend.push((name.clone(), colour, 2, false));
    }
    let columns = width.legend_columns();
    let row_h = font + 10;
    let rows = legend.len().div_ceil(columns) as u32;
    let h = plot_h + 8 + rows * row_h;
    let y_area = font * 5 / 2;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        let draw = |e: &dyn std::fmt::Display| AppError::Unexpected(format!("chart: {e}"));
        root.fill(&WHITE).map_err(|e| draw(&e))?;
        let (upper, lower) = root.split_vertically(plot_h);
        let (from, to) = match (g.points.first(), g.points.last()) {
            (Some(a), Some(b)) => (month_start(a.on), next_month(b.on)),
            _ => {
                let today = chrono::Local::now().date_naive();
                (month_start(today), next_month(today))
            }
        };
        let x_of = |d: NaiveDate| (d - from).num_days() as f64;
        let plot_w = f64::from(w - y_area - 12);
        let fit_labels = (plot_w / (f64::from(font) * 6.5)).floor() as usize;
        let labels = month_labels(from, to - chrono::Duration::days(1), fit_labels, lang);
        // plotters writes a font's size divided by 1.24 (points to pixels): ask for
        // `font` pixels in the drawing.
        let label_font = ("sans-serif", f64::from(font) * 1.24).into_font();
        let mut chart = ChartBuilder::on(&upper)
            .margin_top(font)
            .margin_right(12)
            .x_label_area_size(font * 2)
            .y_label_area_size(y_area)
            .build_cartesian_2d(0f64..x_of(to), 0f64..100f64)
            .map_err(|e| draw(&e))?;
        // The y axis with its scale; the months are drawn below by hand, one label each.
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_label_formatter(&|v: &f64| format!("{v:.0}"))
            .label_style(label_font.clone())
            .bold_line_style(RGBColor(0xe3, 0xe8, 0xec))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(|e| draw(&e))?;
        let grid = RGBColor(0xe3, 0xe8, 0xec);
        let mut m = next_month(from);
        while m < to {
            let x = x_of(m);
            chart
                .draw_series(LineSeries::new(vec![(x, 0.0), (x, 100.0)], grid))
                .map_err(|e| draw(&e))?;
            m = next_month(m);
        }
        let below = TextStyle::from(label_font.clone()).pos(Pos::new(HPos::Center, VPos::Top));
        for (day, label) in &labels {
            let (px, py) = chart.backend_coord(&(x_of(*day), 0.0));
            upper
                .draw(&Text::new(label.clone(), (px, py + 6), below.clone()))
                .map_err(|e| draw(&e))?;
        }
        for (i, name) in g.sections.iter().enumerate() {
            let (_, colour, stroke, _) = legend[i + 1];
            let series: Vec<(f64, f64)> = g
                .points
                .iter()
                .filter_map(|p| p.sections.get(name).map(|v| (x_of(p.on), *v)))
                .collect();
            chart
                .draw_series(LineSeries::new(series, colour.stroke_width(stroke)))
                .map_err(|e| draw(&e))?;
        }
        let totals: Vec<(f64, f64)> = g.points.iter().map(|p| (x_of(p.on), p.total)).collect();
        chart
            .draw_series(LineSeries::new(
                totals.clone(),
                TOTAL_COLOUR.stroke_width(3),
            ))
            .map_err(|e| draw(&e))?;
        chart
            .draw_series(
                totals
                    .iter()
                    .map(|(x, y)| Circle::new((*x, *y), 4, TOTAL_COLOUR.filled())),
            )
            .map_err(|e| draw(&e))?;
        // The legend, in rows below the plot.
        let column_w = f64::from(w - y_area) / columns as f64;
        for (i, (name, colour, stroke, bold)) in legend.iter().enumerate() {
            let x = (y_area as f64 + column_w * (i % columns) as f64) as i32;
            let y = (8 + (i / columns) as u32 * row_h) as i32;
            let mid = y + font as i32 / 2 + 1;
            lower
                .draw(&PathElement::new(
                    vec![(x, mid), (x + 20, mid)],
                    colour.stroke_width(*stroke),
                ))
                .map_err(|e| draw(&e))?;
            let style = if *bold {
                label_font.clone().style(FontStyle::Bold)
            } else {
                label_font.clone()
            };
            let room = column_w - 34.0;
            lower
                .draw(&Text::new(
                    fit(name, room, f64::from(font)),
                    (x + 26, y),
                    style,
                ))
                .map_err(|e| draw(&e))?;
        }
        root.present().map_err(|e| draw(&e))?;
    }
    // Scale with the container, keeping the aspect ratio.
    let sized = format!("width=\"{w}\" height=\"{h}\"");
    Ok(out.replacen(&sized, "width=\"100%\"", 1))
}
