//! Who may read and write what: the policy table (`policy`), the rows handed out as
//! `Visible`, and how one stands to a record (the parties of its workflow). Every service
//! asks these; templates only show what they allow, they never decide.
pub mod policy;
pub mod scope;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::domain::types::Role;
use crate::domain::workflow::Party;
use crate::entities::{observations, reflections, school_pairings, teacher_pairings, teachers};
use crate::error::AppResult;

/// A row the actor may read, as one of the policy's getters handed it out. What belongs to
/// a record (a pairing's observations, reflections, contacts and progress; a reflection's
/// comments) is read only through one of these, so no reader runs for a record nobody was
/// allowed to see. Only the domain makes them (`granted`); it reads like the row itself.
#[derive(Debug, Clone)]
pub struct Visible<T>(T);

impl<T> Visible<T> {
    /// The row, after the policy let the actor see it.
    pub(in crate::domain) fn granted(row: T) -> Self {
        Visible(row)
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Visible<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// The signed-in person a service acts for.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    /// The school a school admin runs, or the school of a teacher's record.
    pub school_id: Option<i64>,
    pub teacher_id: Option<i64>,
}

impl Actor {
    pub fn is_bureau(&self) -> bool {
        self.role == Role::BureauAdmin
    }

    /// A teacher edits the personal fields of their own record.
    pub fn is_teacher_self(&self, teacher_id: i64) -> bool {
        self.role == Role::Teacher && self.teacher_id == Some(teacher_id)
    }
}

/// How an actor stands to a school pairing: the bureau; an admin of either school.
pub fn school_pairing_parties(actor: &Actor, p: &school_pairings::Model) -> Vec<Party> {
    let mut out = Vec::new();
    if actor.is_bureau() {
        out.push(Party::Bureau);
    }
    if actor.role == Role::SchoolAdmin
        && actor
            .school_id
            .is_some_and(|s| s == p.supporter_id || s == p.receiver_id)
    {
        out.push(Party::SchoolAdmin);
    }
    out
}

/// How an actor stands to a teacher pairing: the bureau; an admin of the mentor's or the
/// mentee's school; the mentor; the mentee.
pub async fn teacher_pairing_parties(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    p: &teacher_pairings::Model,
) -> AppResult<Vec<Party>> {
    Ok(
        teacher_pairing_parties_of(conn, actor, std::slice::from_ref(p))
            .await?
            .remove(0),
    )
}

/// `teacher_pairing_parties` for many rows, in one query whatever their number.
pub async fn teacher_pairing_parties_of(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    rows: &[teacher_pairings::Model],
) -> AppResult<Vec<Vec<Party>>> {
    // For a school admin: which of the rows' teachers work at their school.
    let mut at_school: Vec<i64> = Vec::new();
    if actor.role == Role::SchoolAdmin
        && let Some(school) = actor.school_id
        && !rows.is_empty()
    {
        at_school = teachers::Entity::find()
            .select_only()
            .column(teachers::Column::Id)
            .filter(
                teachers::Column::Id.is_in(rows.iter().flat_map(|p| [p.mentor_id, p.mentee_id])),
            )
            .filter(teachers::Column::SchoolId.eq(school))
            .into_tuple::<i64>()
            .all(conn)
            .await?;
    }
    Ok(rows
        .iter()
        .map(|p| {
            let mut out = Vec::new();
            match actor.role {
                Role::BureauAdmin => out.push(Party::Bureau),
                Role::Teacher => {
                    if actor.teacher_id == Some(p.mentor_id) {
                        out.push(Party::Mentor);
                    }
                    if actor.teacher_id == Some(p.mentee_id) {
                        out.push(Party::Mentee);
                    }
                }
                Role::SchoolAdmin => {
                    if at_school.contains(&p.mentor_id) || at_school.contains(&p.mentee_id) {
                        out.push(Party::SchoolAdmin);
                    }
                }
            }
            out
        })
        .collect())
}

/// How `actor` stands to a record written in a pairing: its author, and the pairing's
/// mentor or mentee.
fn in_pairing(actor: &Actor, author_id: i64, p: &teacher_pairings::Model) -> Vec<Party> {
    [
        (author_id == actor.user_id, Party::Author),
        (actor.is_teacher_self(p.mentor_id), Party::Mentor),
        (actor.is_teacher_self(p.mentee_id), Party::Mentee),
    ]
    .into_iter()
    .filter_map(|(holds, party)| holds.then_some(party))
    .collect()
}

/// How `actor` stands to an observation: the bureau (which may delete it), the parties of
/// `in_pairing`, and the observed mentee (who replies to it).
pub fn observation_parties(
    actor: &Actor,
    o: &observations::Model,
    p: &teacher_pairings::Model,
) -> Vec<Party> {
    let mut out = in_pairing(actor, o.author_id, p);
    if actor.is_bureau() {
        out.push(Party::Bureau);
    }
    if actor.is_teacher_self(p.mentee_id) && o.observed_id == p.mentee_id {
        out.push(Party::Observed);
    }
    out
}

/// How `actor` stands to a reflection: the parties of `in_pairing`.
pub fn reflection_parties(
    actor: &Actor,
    r: &reflections::Model,
    p: &teacher_pairings::Model,
) -> Vec<Party> {
    in_pairing(actor, r.author_id, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, school: Option<i64>, teacher: Option<i64>) -> Actor {
        Actor {
            user_id: 1,
            name: "x".into(),
            role,
            school_id: school,
            teacher_id: teacher,
        }
    }

    use policy::{Act, Subject};

    #[test]
    fn school_admin_edits_only_own_school() {
        let admin = actor(Role::SchoolAdmin, Some(3), None);
        let edit = |school| {
            policy::require(
                &admin,
                Subject::School,
                Act::Write,
                policy::to_school(&admin, school),
            )
        };
        assert!(edit(3).is_ok());
        assert!(edit(4).is_err());
        assert!(policy::require_some(&admin, Subject::School, Act::Manage).is_err());
    }

    #[test]
    fn teacher_reads_only_self() {
        let teacher = actor(Role::Teacher, Some(3), Some(7));
        assert!(policy::require_some(&teacher, Subject::Teacher, Act::List).is_err());
        assert_eq!(policy::to_teacher(&teacher, 3, 7), policy::Relation::Own);
        assert!(teacher.is_teacher_self(7));
    }
}
