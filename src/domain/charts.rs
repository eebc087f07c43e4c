//! The dashboard's bar charts, drawn on the server as SVG with plotters: each drawing is
//! 360 units wide and scales to its container, so it reads at about 1:1 on a phone and
//! its type stays at least 12 px on a wider screen.
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::domain::growth::{fit, text_width};
use crate::error::{AppError, AppResult};

/// One bar: its label, its value and the value as shown beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

const WIDTH: u32 = 360;
const FONT: u32 = 14;
const BAR_COLOUR: RGBColor = RGBColor(0x0b, 0x6e, 0x4f);
const TEXT_COLOUR: RGBColor = RGBColor(0x1f, 0x29, 0x33);
const GRID: RGBColor = RGBColor(0xe3, 0xe8, 0xec);

fn failed(e: &dyn std::fmt::Display) -> AppError {
    AppError::Unexpected(format!("chart: {e}"))
}

/// plotters writes a font's size divided by 1.24 (points to pixels).
fn font() -> FontDesc<'static> {
    ("sans-serif", f64::from(FONT) * 1.24).into_font()
}

/// Makes the drawing scale with its container, and lighter: plotters repeats every text's
/// font and colour and every element's default opacity (the districts' hundred bars came to
/// 35 KB); the text's font and colour are said once on the drawing, which its texts inherit.
fn scalable(out: String, h: u32) -> String {
    let text = format!(
        " font-family=\"sans-serif\" font-size=\"{FONT}\" opacity=\"1\" fill=\"#{:02X}{:02X}{:02X}\"",
        TEXT_COLOUR.0, TEXT_COLOUR.1, TEXT_COLOUR.2
    );
    let inherited = text.replace(" opacity=\"1\"", "");
    out.replacen(
        &format!("width=\"{WIDTH}\" height=\"{h}\""),
        &format!("width=\"100%\"{inherited}"),
        1,
    )
    .replace(&text, "")
    .replace(" opacity=\"1\"", "")
}

/// Drawings already made, by what they show: the same figures draw the same SVG, and the
/// dashboard's figures change far less often than it is opened (drawing the districts'
/// hundred bars takes longer than reading every figure). At most `REMEMBERED` drawings.
static DRAWN: std::sync::Mutex<Option<std::collections::HashMap<String, String>>> =
    std::sync::Mutex::new(None);
const REMEMBERED: usize = 256;

fn remembered(
    kind: char,
    rows: &[Bar],
    draw: fn(&[Bar]) -> AppResult<String>,
) -> AppResult<String> {
    let mut key = String::from(kind);
    for r in rows {
        key.push_str(&format!(
            "\u{1f}{}\u{1e}{}\u{1e}{}",
            r.label, r.value, r.shown
        ));
    }
    let found = DRAWN
        .lock()
        .ok()
        .and_then(|m| m.as_ref().and_then(|m| m.get(&key).cloned()));
    if let Some(svg) = found {
        return Ok(svg);
    }
    let svg = draw(rows)?;
    if let Ok(mut m) = DRAWN.lock() {
        let m = m.get_or_insert_with(Default::default);
        if m.len() >= REMEMBERED {
            m.clear();
        }
        m.insert(key, svg.clone());
    }
    Ok(svg)
}

/// Horizontal bars, one row each: the label on the left, the bar, the value at its end.
pub fn bars(rows: &[Bar]) -> AppResult<String> {
    remembered('b', rows, draw_bars)
}

/// Vertical columns, labels below and values above (months of a year: at most 13).
pub fn columns(rows: &[Bar]) -> AppResult<String> {
    remembered('c', rows, draw_columns)
}

fn draw_bars(rows: &[Bar]) -> AppResult<String> {
    let row_h = FONT + 11;
    let h = (rows.len() as u32).max(1) * row_h + 6;
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.label) * f64::from(FONT))
        .fold(0.0, f64::max)
        .min(f64::from(WIDTH) * 0.4)
        + 8.0;
    let value_w = rows
        .iter()
        .map(|r| text_width(&r.shown) * f64::from(FONT))
        .fold(0.0, f64::max)
        + 8.0;
    let top = rows.iter().map(|r| r.value).fold(0.0, f64::max);
    let room = f64::from(WIDTH) - label_w - value_w - 4.0;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| failed(&e))?;
        let left = TextStyle::from(font())
            .color(&TEXT_COLOUR)
            .pos(Pos::new(HPos::Right, VPos::Center));
        let after = TextStyle::from(font())
            .color(&TEXT_COLOUR)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let x0 = label_w as i32;
        root.draw(&PathElement::new(
            vec![(x0, 2), (x0, h as i32 - 2)],
            GRID.stroke_width(1),
        ))
        .map_err(|e| failed(&e))?;
        for (i, r) in rows.iter().enumerate() {
            let y = 3 + (i as u32 * row_h) as i32;
            let mid = y + row_h as i32 / 2;
            root.draw(&Text::new(
                fit(&r.label, label_w - 8.0, f64::from(FONT)),
                (x0 - 6, mid),
                left.clone(),
            ))
            .map_err(|e| failed(&e))?;
            let len = if top > 0.0 {
                (r.value.max(0.0) / top * room).round() as i32
            } else {
                0
            };
            if len > 0 {
                root.draw(&Rectangle::new(
                    [(x0 + 1, y + 4), (x0 + 1 + len, y + row_h as i32 - 4)],
                    BAR_COLOUR.filled(),
                ))
                .map_err(|e| failed(&e))?;
            }
            root.draw(&Text::new(
                r.shown.clone(),
                (x0 + len + 6, mid),
                after.clone(),
            ))
            .map_err(|e| failed(&e))?;
        }
        root.present().map_err(|e| failed(&e))?;
    }
    Ok(scalable(out, h))
}

fn draw_columns(rows: &[Bar]) -> AppResult<String> {
    let label_h = FONT + 8;
    let plot_h = 150u32;
    let h = plot_h + label_h + FONT + 8;
    let n = rows.len().max(1) as u32;
    let slot = f64::from(WIDTH - 8) / f64::from(n);
    let top = rows.iter().map(|r| r.value).fold(0.0, f64::max);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| failed(&e))?;
        let below = TextStyle::from(font())
            .color(&TEXT_COLOUR)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let above = TextStyle::from(("sans-serif", f64::from(FONT - 2) * 1.24).into_font())
            .color(&TEXT_COLOUR)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        let base = (FONT + 6 + plot_h) as i32;
        root.draw(&PathElement::new(
            vec![(4, base), (WIDTH as i32 - 4, base)],
            GRID.stroke_width(1),
        ))
        .map_err(|e| failed(&e))?;
        for (i, r) in rows.iter().enumerate() {
            let x = 4.0 + slot * i as f64;
            let centre = (x + slot / 2.0) as i32;
            let len = if top > 0.0 {
                (r.value.max(0.0) / top * f64::from(plot_h)).round() as i32
            } else {
                0
            };
            let pad = (slot * 0.18).max(1.0);
            if len > 0 {
                root.draw(&Rectangle::new(
                    [
                        ((x + pad) as i32, base - len),
                        ((x + slot - pad) as i32, base),
                    ],
                    BAR_COLOUR.filled(),
                ))
                .map_err(|e| failed(&e))?;
            }
            root.draw(&Text::new(
                r.shown.clone(),
                (centre, base - len - 2),
                above.clone(),
            ))
            .map_err(|e| failed(&e))?;
            root.draw(&Text::new(
                fit(&r.label, slot, f64::from(FONT)),
                (centre, base + 4),
                below.clone(),
            ))
            .map_err(|e| failed(&e))?;
        }
        root.present().map_err(|e| failed(&e))?;
    }
    Ok(scalable(out, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar {
            label: label.into(),
            value,
            shown: format!("{value}"),
        }
    }

    #[test]
    fn bars_scale_to_their_container_and_escape_their_labels() {
        let svg = bars(&[bar("领导互访", 3.0), bar("<b>", 0.0)]).unwrap();
        assert!(svg.contains("width=\"100%\""), "{svg}");
        assert!(svg.contains("领导互访"));
        assert!(!svg.contains("<b>"), "labels are escaped: {svg}");
        // One rectangle for the non-zero bar, besides the background.
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
    }

    #[test]
    fn the_same_figures_draw_the_same_chart_and_others_another() {
        let one = bars(&[bar("领导互访", 7.0)]).unwrap();
        assert_eq!(one, bars(&[bar("领导互访", 7.0)]).unwrap());
        assert_eq!(one, draw_bars(&[bar("领导互访", 7.0)]).unwrap());
        let other = bars(&[bar("领导互访", 8.0)]).unwrap();
        assert_ne!(one, other);
        assert!(other.contains("\n8\n"), "{other}");
        assert_ne!(
            columns(&[bar("9月", 1.0)]).unwrap(),
            bars(&[bar("9月", 1.0)]).unwrap()
        );
    }

    #[test]
    fn texts_inherit_their_font_and_colour_from_the_drawing() {
        let svg = bars(&[bar("领导互访", 3.0), bar("教研", 1.0)]).unwrap();
        let root = svg.lines().next().unwrap();
        assert!(
            root.contains("font-family=\"sans-serif\" font-size=\"14\" fill=\"#1F2933\""),
            "{root}"
        );
        assert_eq!(svg.matches("font-family").count(), 1, "{svg}");
        assert!(!svg.contains("opacity=\"1\""), "{svg}");
        assert_eq!(svg.matches("<text").count(), 4, "labels and values: {svg}");
    }

    #[test]
    fn columns_draw_nothing_for_zeros() {
        let svg = columns(&[bar("9月", 0.0), bar("10月", 0.0)]).unwrap();
        assert_eq!(svg.matches("<rect").count(), 1, "{svg}");
        assert!(svg.contains("10月"));
    }
}
