//! A teacher's growth (成长曲线): the total and per-section scores of the lessons observed,
//! over time, drawn on the server as SVG with plotters; and the first term with
//! observations against the last.
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use plotters::prelude::*;
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

/// The chart as an SVG document that scales to its container (a phone's width too): the
/// total as a thick line with one dot per observation, each section as a thin line.
pub fn svg(g: &Growth, lang: Lang) -> AppResult<String> {
    let (w, h) = (480u32, 360u32);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        let draw = |e: &dyn std::fmt::Display| AppError::Unexpected(format!("chart: {e}"));
        root.fill(&WHITE).map_err(|e| draw(&e))?;
        let first = g.points.first().map(|p| p.on);
        let x_of = |d: NaiveDate| first.map(|f| (d - f).num_days() as f64).unwrap_or(0.0);
        let x_max = g.points.last().map(|p| x_of(p.on)).unwrap_or(0.0).max(1.0);
        let font = ("sans-serif", 15).into_font();
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(34)
            .build_cartesian_2d(-x_max * 0.03..x_max * 1.03, 0f64..100f64)
            .map_err(|e| draw(&e))?;
        let date_label = |x: &f64| match first {
            Some(f) => {
                let d = f + chrono::Duration::days(x.round() as i64);
                match lang {
                    Lang::Zh => format!("{}年{}月", d.format("%Y"), d.format("%-m")),
                    Lang::En => d.format("%b %Y").to_string(),
                }
            }
            None => String::new(),
        };
        chart
            .configure_mesh()
            .x_labels(4)
            .y_labels(6)
            .x_label_formatter(&date_label)
            .y_label_formatter(&|v: &f64| format!("{v:.0}"))
            .label_style(font.clone())
            .light_line_style(RGBColor(0xee, 0xf2, 0xf4))
            .draw()
            .map_err(|e| draw(&e))?;
        for (i, name) in g.sections.iter().enumerate() {
            let colour = SECTION_COLOURS[i % SECTION_COLOURS.len()];
            let series: Vec<(f64, f64)> = g
                .points
                .iter()
                .filter_map(|p| p.sections.get(name).map(|v| (x_of(p.on), *v)))
                .collect();
            chart
                .draw_series(LineSeries::new(series, colour.stroke_width(1)))
                .map_err(|e| draw(&e))?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour));
        }
        let totals: Vec<(f64, f64)> = g.points.iter().map(|p| (x_of(p.on), p.total)).collect();
        chart
            .draw_series(LineSeries::new(
                totals.clone(),
                TOTAL_COLOUR.stroke_width(3),
            ))
            .map_err(|e| draw(&e))?
            .label(lang.t("growth-total"))
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], TOTAL_COLOUR.stroke_width(3))
            });
        chart
            .draw_series(
                totals
                    .iter()
                    .map(|(x, y)| Circle::new((*x, *y), 4, TOTAL_COLOUR.filled())),
            )
            .map_err(|e| draw(&e))?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(0xd5, 0xdb, 0xe0))
            .label_font(("sans-serif", 13).into_font())
            .draw()
            .map_err(|e| draw(&e))?;
        root.present().map_err(|e| draw(&e))?;
    }
    // Scale with the container, keeping the aspect ratio.
    let sized = format!("width=\"{w}\" height=\"{h}\"");
    Ok(out.replacen(&sized, "width=\"100%\"", 1))
}
