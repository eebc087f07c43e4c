//! Choosing a teacher on a page form by typing a name or staff number, without scripts:
//! one match is taken; several are offered as choices on the page shown again; none is a
//! field error. Nobody types a teacher's id. The API keeps its ids.
use sea_orm::ConnectionTrait;

use crate::domain::access::Actor;
use crate::domain::teachers::{self, Found};
use crate::error::{AppResult, FieldErrors, Msg};

/// One teacher field of a form as the page shows it.
#[derive(Debug, Clone, Default)]
pub struct TeacherPick {
    /// The search box's text (kept when it still has to be resolved).
    pub q: String,
    /// The matches to choose among, when the text matched several teachers.
    pub found: Vec<Found>,
    /// The chosen teacher: name and school.
    pub chosen: Option<(String, String)>,
}

/// Resolves a teacher field: `q` is what was typed in its search box, `id` the chosen
/// teacher's id so far (from an earlier match or a choice among several). Sets `id` when
/// the text names exactly one teacher, and adds an error to `field` when it names none or
/// several (then the matches are returned to choose from).
pub async fn teacher(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    q: &str,
    id: &mut String,
    field: &str,
    errors: &mut FieldErrors,
) -> AppResult<TeacherPick> {
    let text = q.trim();
    let chosen_id = id.trim().parse::<i64>().ok();
    if text.is_empty() {
        let chosen = match chosen_id {
            Some(t) => brief(conn, actor, t).await?,
            None => None,
        };
        return Ok(TeacherPick {
            chosen,
            ..Default::default()
        });
    }
    let found = teachers::search(conn, actor, text).await?;
    let keep = |t: &Found| TeacherPick {
        chosen: Some((t.name.clone(), t.school.clone())),
        ..Default::default()
    };
    match found.as_slice() {
        [] => {
            errors.add(field, Msg::new("err-teacher-not-found").arg("name", text));
            Ok(TeacherPick {
                q: text.to_string(),
                ..Default::default()
            })
        }
        [one] => {
            *id = one.id.to_string();
            Ok(keep(one))
        }
        many => {
            if let Some(t) = many.iter().find(|t| Some(t.id) == chosen_id) {
                return Ok(keep(t));
            }
            errors.add(
                field,
                Msg::new("err-teacher-choose").arg("count", many.len()),
            );
            id.clear();
            Ok(TeacherPick {
                q: text.to_string(),
                found: many.to_vec(),
                chosen: None,
            })
        }
    }
}

async fn brief(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> AppResult<Option<(String, String)>> {
    use crate::domain::access::scope;
    use crate::entities::teachers as rows;
    use sea_orm::{EntityTrait, QueryFilter};
    let Some(t) = rows::Entity::find_by_id(id)
        .filter(scope::visible::<rows::Entity>(actor))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let school = crate::domain::names::schools(conn, [t.school_id]).await?;
    Ok(Some((
        t.name,
        school.get(&t.school_id).cloned().unwrap_or_default(),
    )))
}
