//! The bureau's rubric editor: a template's sections, items (weight; points or levels with
//! descriptors) and grade bands in one form, without JavaScript — every save comes back
//! with blank rows to add more. Saving a template that observations have used makes a new
//! version.
use std::collections::BTreeMap;

use askama::Template;
use rocket::http::Status;
use rocket::response::{Flash, Redirect};
use rocket::{State, get, post, routes};
use sea_orm::DatabaseConnection;
use serde::de::IgnoredAny;

use crate::domain::rubrics::{self, Band, Item, Level, Rubric, RubricInput, Scale, Section};
use crate::error::{AppError, AppResult, FieldErrors, Msg};
use crate::web::forms::CsrfForm;
use crate::web::guards::{BureauAdmin, Ctx};
use crate::web::respond::{Page, render};

/// Blank rows offered for new entries.
const BLANK_ITEMS: usize = 2;
const BLANK_SECTION_ITEMS: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct ItemRow {
    pub id: String,
    pub name: String,
    pub weight: String,
    /// `points` or `levels`.
    pub kind: String,
    pub max: String,
    /// One level per line: `value|label|descriptor`.
    pub levels: String,
    pub optional: bool,
}

#[derive(Debug, Clone, Default)]
pub struct SectionRow {
    pub id: String,
    pub name: String,
    pub items: Vec<ItemRow>,
}

#[derive(Debug, Clone, Default)]
pub struct BandRow {
    pub label: String,
    pub min: String,
}

/// The editor's fields as typed.
#[derive(Debug, Clone, Default)]
pub struct Editor {
    pub name: String,
    pub description: String,
    pub sections: Vec<SectionRow>,
    pub bands: Vec<BandRow>,
}

impl ItemRow {
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.weight.trim().is_empty()
            && self.levels.trim().is_empty()
    }
}

impl Editor {
    fn of(r: &Rubric) -> Editor {
        let n = rubrics::fmt_number;
        Editor {
            name: r.row.name.clone(),
            description: r.row.description.clone(),
            sections: r
                .def
                .sections
                .iter()
                .map(|s| SectionRow {
                    id: s.id.to_string(),
                    name: s.name.clone(),
                    items: s
                        .items
                        .iter()
                        .map(|i| ItemRow {
                            id: i.id.to_string(),
                            name: i.name.clone(),
                            weight: n(i.weight),
                            kind: if i.scale.is_levels() {
                                "levels"
                            } else {
                                "points"
                            }
                            .into(),
                            max: match &i.scale {
                                Scale::Points { max } => n(*max),
                                Scale::Levels { .. } => String::new(),
                            },
                            levels: i
                                .scale
                                .levels()
                                .iter()
                                .map(|l| format!("{}|{}|{}", l.value, l.label, l.descriptor))
                                .collect::<Vec<_>>()
                                .join("\n"),
                            optional: !i.required,
                        })
                        .collect(),
                })
                .collect(),
            bands: r
                .def
                .bands
                .iter()
                .map(|b| BandRow {
                    label: b.label.clone(),
                    min: n(b.min),
                })
                .collect(),
        }
    }

    /// A new template: one section, and the usual grade bands as a start (优/良/合格/不合格
    /// in Chinese, their names in the writer's language from the catalogue).
    fn blank(lang: crate::i18n::Lang) -> Editor {
        Editor {
            sections: vec![SectionRow::default()],
            bands: [
                ("rubric-default-band-1", "90"),
                ("rubric-default-band-2", "75"),
                ("rubric-default-band-3", "60"),
                ("rubric-default-band-4", "0"),
            ]
            .iter()
            .map(|(key, min)| BandRow {
                label: lang.t(key),
                min: min.to_string(),
            })
            .collect(),
            ..Default::default()
        }
    }

    /// The form's fields; blank rows are dropped, so indices are those of what was kept.
    fn from_pairs(pairs: Vec<(String, String)>) -> Editor {
        let map: BTreeMap<String, String> = pairs.into_iter().collect();
        let get = |k: &str| map.get(k).cloned().unwrap_or_default();
        let mut e = Editor {
            name: get("name"),
            description: get("description"),
            ..Default::default()
        };
        for si in 0..rubrics::MAX_SECTIONS + 2 {
            let p = format!("s{si}_");
            let mut section = SectionRow {
                id: get(&format!("{p}id")),
                name: get(&format!("{p}name")),
                items: Vec::new(),
            };
            for ii in 0..rubrics::MAX_ITEMS + BLANK_SECTION_ITEMS {
                let q = format!("{p}i{ii}_");
                let item = ItemRow {
                    id: get(&format!("{q}id")),
                    name: get(&format!("{q}name")),
                    weight: get(&format!("{q}weight")),
                    kind: get(&format!("{q}kind")),
                    max: get(&format!("{q}max")),
                    levels: get(&format!("{q}levels")),
                    optional: map.contains_key(&format!("{q}optional")),
                };
                if !item.is_blank() {
                    section.items.push(item);
                }
            }
            if !section.name.trim().is_empty() || !section.items.is_empty() {
                e.sections.push(section);
            }
        }
        for bi in 0..rubrics::MAX_BANDS + 2 {
            let band = BandRow {
                label: get(&format!("b{bi}_label")),
                min: get(&format!("b{bi}_min")),
            };
            if !band.label.trim().is_empty() || !band.min.trim().is_empty() {
                e.bands.push(band);
            }
        }
        e
    }

    /// The template to save, or the errors of fields that are not numbers.
    fn input(&self) -> Result<RubricInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut number = |field: String, v: &str, msg: Msg| match v.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => n,
            _ => {
                errors.add(&field, msg);
                0.0
            }
        };
        let mut sections = Vec::new();
        for (si, s) in self.sections.iter().enumerate() {
            let mut items = Vec::new();
            for (ii, i) in s.items.iter().enumerate() {
                let f = |n: &str| format!("s{si}_i{ii}_{n}");
                let weight = number(f("weight"), &i.weight, Msg::new("rubric-err-not-a-number"));
                let scale = if i.kind == "levels" {
                    Scale::Levels {
                        levels: parse_levels(&i.levels),
                    }
                } else {
                    Scale::Points {
                        max: number(f("max"), &i.max, Msg::new("rubric-err-not-a-number")),
                    }
                };
                items.push(Item {
                    id: i.id.trim().parse().unwrap_or(0),
                    name: i.name.clone(),
                    weight,
                    required: !i.optional,
                    scale,
                });
            }
            sections.push(Section {
                id: s.id.trim().parse().unwrap_or(0),
                name: s.name.clone(),
                items,
            });
        }
        let bands = self
            .bands
            .iter()
            .enumerate()
            .map(|(bi, b)| Band {
                label: b.label.clone(),
                min: number(
                    format!("b{bi}_min"),
                    &b.min,
                    Msg::new("rubric-err-not-a-number"),
                ),
            })
            .collect();
        if errors.is_empty() {
            Ok(RubricInput {
                name: self.name.clone(),
                description: self.description.clone(),
                sections,
                bands,
            })
        } else {
            Err(errors)
        }
    }

    /// With blank rows to fill in: items in each section, a new section, a band.
    fn with_blanks(mut self) -> Editor {
        for s in &mut self.sections {
            s.items
                .extend(std::iter::repeat_n(ItemRow::default(), BLANK_ITEMS));
        }
        self.sections.push(SectionRow {
            items: vec![ItemRow::default(); BLANK_SECTION_ITEMS],
            ..Default::default()
        });
        self.bands.push(BandRow::default());
        self
    }
}

/// `value|label|descriptor` per line (or the three separated by spaces).
fn parse_levels(text: &str) -> Vec<Level> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let parts: Vec<&str> = if line.contains('|') {
                line.splitn(3, '|').collect()
            } else {
                line.trim().splitn(3, char::is_whitespace).collect()
            };
            Level {
                value: parts
                    .first()
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(-1),
                label: parts
                    .get(1)
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default(),
                descriptor: parts
                    .get(2)
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/rubric_form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    used: u64,
    e: Editor,
    errors: FieldErrors,
}

impl FormPage {
    fn f(&self, si: &usize, ii: &usize, name: &str) -> String {
        format!("s{si}_i{ii}_{name}")
    }

    fn s(&self, si: &usize, name: &str) -> String {
        format!("s{si}_{name}")
    }

    fn b(&self, bi: &usize, name: &str) -> String {
        format!("b{bi}_{name}")
    }
}

#[get("/rubrics/new")]
async fn new(ctx: Ctx, _guard: BureauAdmin) -> AppResult<Page> {
    let e = Editor::blank(ctx.lang).with_blanks();
    render(&FormPage {
        ctx,
        id: None,
        used: 0,
        e,
        errors: FieldErrors::new(),
    })
}

#[get("/rubrics/<id>/edit")]
async fn edit(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    _guard: BureauAdmin,
    id: i64,
) -> AppResult<Page> {
    let r = rubrics::get(db.inner(), id).await?;
    if !r.row.is_current {
        return Err(AppError::conflict("version", "rubric-err-not-current"));
    }
    render(&FormPage {
        ctx,
        id: Some(id),
        used: rubrics::times_used(db.inner(), id).await?,
        e: Editor::of(&r).with_blanks(),
        errors: FieldErrors::new(),
    })
}

async fn save(
    ctx: Ctx,
    db: &DatabaseConnection,
    admin: &BureauAdmin,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> AppResult<Result<Flash<Redirect>, (Status, Page)>> {
    let user = &admin.0;
    let editor = Editor::from_pairs(pairs);
    let result = match editor.input() {
        Ok(input) => match id {
            Some(id) => rubrics::update(db, &user.actor, id, &input).await,
            None => rubrics::create(db, &user.actor, &input).await,
        },
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(r) => {
            let flash = if id.is_some_and(|old| old != r.row.id) {
                format!("rubric-flash-new-version?version={}", r.row.version)
            } else {
                "flash-saved".to_string()
            };
            Ok(Ok(Flash::success(
                Redirect::to(format!("/rubrics/{}", r.row.id)),
                flash,
            )))
        }
        Err(AppError::Invalid(errors)) => {
            let used = match id {
                Some(id) => rubrics::times_used(db, id).await?,
                None => 0,
            };
            Ok(Err((
                Status::UnprocessableEntity,
                render(&FormPage {
                    ctx,
                    id,
                    used,
                    e: editor.with_blanks(),
                    errors,
                })?,
            )))
        }
        Err(e) => Err(e),
    }
}

#[post("/rubrics", data = "<form>")]
async fn create(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    admin: BureauAdmin,
    form: CsrfForm<Vec<(String, String)>>,
) -> AppResult<Result<Flash<Redirect>, (Status, Page)>> {
    save(ctx, db, &admin, None, form.0).await
}

#[post("/rubrics/<id>", data = "<form>")]
async fn update(
    ctx: Ctx,
    db: &State<DatabaseConnection>,
    admin: BureauAdmin,
    id: i64,
    form: CsrfForm<Vec<(String, String)>>,
) -> AppResult<Result<Flash<Redirect>, (Status, Page)>> {
    save(ctx, db, &admin, Some(id), form.0).await
}

#[post("/rubrics/<id>/active/<on>", data = "<_form>")]
async fn set_active(
    db: &State<DatabaseConnection>,
    guard: BureauAdmin,
    id: i64,
    on: bool,
    _form: CsrfForm<IgnoredAny>,
) -> AppResult<Flash<Redirect>> {
    let user = guard.0;
    rubrics::set_active(db.inner(), &user.actor, id, on).await?;
    Ok(Flash::success(
        Redirect::to(format!("/rubrics/{id}")),
        if on {
            "rubric-flash-reactivated"
        } else {
            "rubric-flash-retired"
        },
    ))
}

pub fn routes() -> Vec<rocket::Route> {
    routes![new, edit, create, update, set_active]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_rows_are_dropped_and_levels_parse() {
        let pairs: Vec<(String, String)> = [
            ("name", "评课表"),
            ("s0_name", "目标"),
            ("s0_i0_name", "目标明确"),
            ("s0_i0_weight", "10"),
            ("s0_i0_kind", "points"),
            ("s0_i0_max", "10"),
            ("s0_i1_name", ""),
            ("s0_i1_weight", ""),
            ("s0_i2_name", "课堂氛围"),
            ("s0_i2_weight", "5"),
            ("s0_i2_kind", "levels"),
            ("s0_i2_levels", "1|差|很少互动\n2 好 互动充分"),
            ("s0_i2_optional", "on"),
            ("s1_name", ""),
            ("b0_label", "好"),
            ("b0_min", "0"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let e = Editor::from_pairs(pairs);
        assert_eq!(e.sections.len(), 1);
        assert_eq!(e.sections[0].items.len(), 2);
        let input = e.input().expect("numbers");
        let item = &input.sections[0].items[1];
        assert!(!item.required);
        assert_eq!(item.scale.levels()[1].label, "好");
        assert_eq!(item.scale.levels()[1].descriptor, "互动充分");
        let mut bad = e.clone();
        bad.sections[0].items[0].weight = "十".into();
        assert!(bad.input().unwrap_err().get("s0_i0_weight").is_some());
    }
}
