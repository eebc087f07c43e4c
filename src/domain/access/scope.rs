//! The rows an actor may see, as one SQL condition per kind of record, made from the policy
//! table. Each kind says here, in SQL, which of its rows stand in each relation to the actor
//! (`Scoped::related`: "of my school", "of a school paired with mine", "my own", "of a pairing
//! I am in"); the table in `policy` says which of those relations let the actor's role read
//! the kind. `visible` joins the two, so lists, counts, exports and every `get` filter by the
//! same rule, and a row one may not see is simply not found (404, like a missing id).
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition};

use crate::domain::access::Actor;
use crate::domain::access::policy::{Act, POLICY, Relation, Subject};
use crate::domain::types::PairingStatus;
use crate::entities::{
    contributions, observations, reflections, resources, school_pairings, secondments,
    self_evaluations, summaries, teacher_pairings, teachers, training_weeks, visits,
};

/// A kind of record whose visible rows the policy decides.
pub trait Scoped {
    const SUBJECT: Subject;

    /// The rows that stand in `relation` to the actor, or `None` when the relation cannot
    /// hold (an actor without a school has no "own school"; the kind has no such relation).
    fn related(actor: &Actor, relation: Relation) -> Option<Condition>;
}

/// The rows the actor may read.
pub fn visible<S: Scoped>(actor: &Actor) -> Condition {
    rows::<S>(actor, Act::Read)
}

/// The rows on which the actor may `act`: every row when a rule grants it for `any`
/// relation, else the rows in a granted relation, else none.
pub fn rows<S: Scoped>(actor: &Actor, act: Act) -> Condition {
    let mut granted = Condition::any();
    let mut some = false;
    for rule in POLICY
        .iter()
        .filter(|r| r.subject == S::SUBJECT && r.role == actor.role && r.acts.contains(&act))
    {
        if rule.relation == Relation::Any {
            return Condition::all();
        }
        if let Some(c) = S::related(actor, rule.relation) {
            granted = granted.add(c);
            some = true;
        }
    }
    if some { granted } else { nothing() }
}

/// A condition no row meets.
fn nothing() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

/// Teachers of school `school`, as a subquery of ids.
fn teachers_of(school: i64) -> SelectStatement {
    Query::select()
        .column(teachers::Column::Id)
        .from(teachers::Entity)
        .and_where(teachers::Column::SchoolId.eq(school))
        .to_owned()
}

/// Teacher pairings the school's or teacher's relation reaches, published only (a draft is
/// the bureau's until it is published, so it has no parties yet).
fn teacher_pairings_related(actor: &Actor, relation: Relation) -> Option<Condition> {
    use teacher_pairings::Column as C;
    let published = C::Status.ne(PairingStatus::Draft);
    match relation {
        Relation::OwnSchool => {
            let school = actor.school_id?;
            // The ids of the pairings on either side, found through the mentor and mentee
            // indexes: an OR of the two sides would let the planner walk every pairing of
            // the year instead.
            let side = |column: C| {
                Query::select()
                    .column(C::Id)
                    .from(teacher_pairings::Entity)
                    .and_where(column.in_subquery(teachers_of(school)))
                    .to_owned()
            };
            let either = side(C::MentorId)
                .union(sea_orm::sea_query::UnionType::All, side(C::MenteeId))
                .to_owned();
            Some(
                Condition::all()
                    .add(published)
                    .add(C::Id.in_subquery(either)),
            )
        }
        Relation::InPairing => {
            let me = actor.teacher_id?;
            Some(
                Condition::all().add(published).add(
                    Condition::any()
                        .add(C::MentorId.eq(me))
                        .add(C::MenteeId.eq(me)),
                ),
            )
        }
        _ => None,
    }
}

/// Rows whose `pairing` column names a teacher pairing in `relation` to the actor.
fn of_related_pairing(
    pairing: impl ColumnTrait,
    actor: &Actor,
    relation: Relation,
) -> Option<Condition> {
    let pairings = Query::select()
        .column(teacher_pairings::Column::Id)
        .from(teacher_pairings::Entity)
        .cond_where(teacher_pairings_related(actor, relation)?)
        .to_owned();
    Some(Condition::all().add(pairing.in_subquery(pairings)))
}

impl Scoped for school_pairings::Entity {
    const SUBJECT: Subject = Subject::SchoolPairing;

    /// Of my school: mine is the supporter or the receiver, and it is published.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        use school_pairings::Column as C;
        match relation {
            Relation::OwnSchool => {
                let school = actor.school_id?;
                Some(
                    Condition::all()
                        .add(C::Status.ne(PairingStatus::Draft))
                        .add(
                            Condition::any()
                                .add(C::SupporterId.eq(school))
                                .add(C::ReceiverId.eq(school)),
                        ),
                )
            }
            _ => None,
        }
    }
}

impl Scoped for teacher_pairings::Entity {
    const SUBJECT: Subject = Subject::TeacherPairing;

    /// Of my school: the mentor or the mentee teaches there. In it: I am the mentor or the
    /// mentee. Published ones only.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        teacher_pairings_related(actor, relation)
    }
}

impl Scoped for observations::Entity {
    const SUBJECT: Subject = Subject::Observation;

    /// As its pairing: an observation of a pairing of my school, or of one I am in.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        of_related_pairing(observations::Column::TeacherPairingId, actor, relation)
    }
}

impl Scoped for reflections::Entity {
    const SUBJECT: Subject = Subject::Reflection;

    /// As its pairing, like observations.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        of_related_pairing(reflections::Column::TeacherPairingId, actor, relation)
    }
}

impl Scoped for teachers::Entity {
    const SUBJECT: Subject = Subject::Teacher;

    /// Of my school: teaches there. Of a paired school: paired (published) with a teacher of
    /// my school, either side, or seconded from or to my school. Own: my record.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        use teacher_pairings::Column as P;
        match relation {
            Relation::OwnSchool => {
                Some(Condition::all().add(teachers::Column::SchoolId.eq(actor.school_id?)))
            }
            Relation::PairedSchool => {
                let school = actor.school_id?;
                let partners = |mine: P, theirs: P| {
                    Query::select()
                        .column(theirs)
                        .from(teacher_pairings::Entity)
                        .and_where(P::Status.ne(PairingStatus::Draft))
                        .and_where(mine.in_subquery(teachers_of(school)))
                        .to_owned()
                };
                let seconded = Query::select()
                    .column(secondments::Column::TeacherId)
                    .from(secondments::Entity)
                    .cond_where(
                        Condition::any()
                            .add(secondments::Column::FromSchoolId.eq(school))
                            .add(secondments::Column::ToSchoolId.eq(school)),
                    )
                    .to_owned();
                Some(
                    Condition::any()
                        .add(teachers::Column::Id.in_subquery(partners(P::MentorId, P::MenteeId)))
                        .add(teachers::Column::Id.in_subquery(partners(P::MenteeId, P::MentorId)))
                        .add(teachers::Column::Id.in_subquery(seconded)),
                )
            }
            Relation::Own => Some(Condition::all().add(teachers::Column::Id.eq(actor.teacher_id?))),
            _ => None,
        }
    }
}

impl Scoped for secondments::Entity {
    const SUBJECT: Subject = Subject::Secondment;

    /// Of my school: it dispatches the teacher. Of the paired school: it receives them. Own:
    /// I am the seconded teacher.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        use secondments::Column as C;
        match relation {
            Relation::OwnSchool => Some(Condition::all().add(C::FromSchoolId.eq(actor.school_id?))),
            Relation::PairedSchool => {
                Some(Condition::all().add(C::ToSchoolId.eq(actor.school_id?)))
            }
            Relation::Own => Some(Condition::all().add(C::TeacherId.eq(actor.teacher_id?))),
            _ => None,
        }
    }
}

impl Scoped for contributions::Entity {
    const SUBJECT: Subject = Subject::Contribution;

    /// Of my school: my school gave it or received it.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        use contributions::Column as C;
        match relation {
            Relation::OwnSchool => {
                let school = actor.school_id?;
                Some(
                    Condition::any()
                        .add(C::GiverSchoolId.eq(school))
                        .add(C::ReceiverSchoolId.eq(school)),
                )
            }
            _ => None,
        }
    }
}

impl Scoped for visits::Entity {
    const SUBJECT: Subject = Subject::Visit;

    /// Of my school: my school hosted it or was the guest.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        use visits::Column as C;
        match relation {
            Relation::OwnSchool => {
                let school = actor.school_id?;
                Some(
                    Condition::any()
                        .add(C::HostSchoolId.eq(school))
                        .add(C::GuestSchoolId.eq(school)),
                )
            }
            _ => None,
        }
    }
}

impl Scoped for training_weeks::Entity {
    const SUBJECT: Subject = Subject::TrainingWeek;

    /// Of my school: my school hosts the week or sends the teacher. Own: I am the teacher.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        use training_weeks::Column as C;
        match relation {
            Relation::OwnSchool => {
                let school = actor.school_id?;
                Some(
                    Condition::any()
                        .add(C::HostSchoolId.eq(school))
                        .add(C::GuestSchoolId.eq(school)),
                )
            }
            Relation::Own => Some(Condition::all().add(C::TeacherId.eq(actor.teacher_id?))),
            _ => None,
        }
    }
}

impl Scoped for self_evaluations::Entity {
    const SUBJECT: Subject = Subject::SelfEvaluation;

    /// Of my school: my school is the teacher's, the appraising or the signing one, and the
    /// teacher has submitted it (a draft is the teacher's alone). Own: I wrote it.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        use self_evaluations::Column as C;
        match relation {
            Relation::OwnSchool => {
                let school = actor.school_id?;
                Some(
                    Condition::all()
                        .add(
                            Condition::any()
                                .add(C::SchoolId.eq(school))
                                .add(C::AppraiserSchoolId.eq(school))
                                .add(C::SignerSchoolId.eq(school)),
                        )
                        .add(C::Status.ne(crate::domain::self_evaluations::Stage::Draft)),
                )
            }
            Relation::Own => Some(Condition::all().add(C::TeacherId.eq(actor.teacher_id?))),
            _ => None,
        }
    }
}

impl Scoped for resources::Entity {
    const SUBJECT: Subject = Subject::Resource;

    /// Own: I uploaded it. Public: shared with everyone. Of my school: shared with a
    /// (published) school pairing of my school, and for a school admin also with a
    /// teacher pairing of my school's teachers. In a pairing: shared with my teacher pairing.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        use resources::Column as C;
        match relation {
            Relation::Own => Some(Condition::all().add(C::UploadedBy.eq(actor.user_id))),
            Relation::Public => Some(
                Condition::all()
                    .add(C::Visibility.eq(crate::domain::resources::Visibility::Everyone)),
            ),
            Relation::OwnSchool => {
                let pairings = Query::select()
                    .column(school_pairings::Column::Id)
                    .from(school_pairings::Entity)
                    .cond_where(school_pairings::Entity::related(actor, relation)?)
                    .to_owned();
                let mut c = Condition::any().add(C::SchoolPairingId.in_subquery(pairings));
                if actor.role == crate::domain::types::Role::SchoolAdmin {
                    c = c.add(of_related_pairing(C::TeacherPairingId, actor, relation)?);
                }
                Some(c)
            }
            Relation::InPairing => of_related_pairing(C::TeacherPairingId, actor, relation),
            _ => None,
        }
    }
}

impl Scoped for summaries::Entity {
    const SUBJECT: Subject = Subject::Summary;

    /// Of my school: a summary my school writes, or a teacher's work summary submitted to
    /// it (the school does not see a teacher's draft; the bureau reads every record, as
    /// with self-evaluations). Own: a work summary I write.
    fn related(actor: &Actor, relation: Relation) -> Option<Condition> {
        use summaries::Column as C;
        match relation {
            Relation::OwnSchool => Some(
                Condition::all().add(C::SchoolId.eq(actor.school_id?)).add(
                    Condition::any()
                        .add(C::TeacherId.is_null())
                        .add(C::Status.ne(crate::domain::summaries::Stage::Draft)),
                ),
            ),
            Relation::Own => Some(Condition::all().add(C::TeacherId.eq(actor.teacher_id?))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{Query, SqliteQueryBuilder};

    use super::*;
    use crate::domain::types::Role;

    fn actor(role: Role, school_id: Option<i64>, teacher_id: Option<i64>) -> Actor {
        Actor {
            user_id: 1,
            name: String::new(),
            role,
            school_id,
            teacher_id,
        }
    }

    fn sql<S: Scoped>(actor: &Actor) -> String {
        Query::select()
            .expr(Expr::val(1))
            .cond_where(visible::<S>(actor))
            .to_string(SqliteQueryBuilder)
    }

    /// The table decides: a rule for `any` relation is every row; the relations a role's
    /// rules name are joined with OR; no rule (or no school to stand in) is no row.
    #[test]
    fn the_condition_follows_the_policy_table() {
        let bureau = actor(Role::BureauAdmin, None, None);
        let unrestricted = |sql: String| !sql.contains("WHERE") || sql.ends_with("WHERE TRUE");
        assert!(unrestricted(sql::<teachers::Entity>(&bureau)));
        assert!(unrestricted(sql::<school_pairings::Entity>(&bureau)));
        assert!(!unrestricted(sql::<school_pairings::Entity>(&actor(
            Role::SchoolAdmin,
            Some(7),
            None
        ))));

        let admin = actor(Role::SchoolAdmin, Some(7), None);
        let teachers = sql::<teachers::Entity>(&admin);
        // Own school, and the paired schools' teachers (pairings and secondments).
        assert!(teachers.contains(r#""school_id" = 7"#), "{teachers}");
        assert!(teachers.contains("secondments"), "{teachers}");
        assert!(teachers.contains(" OR "), "{teachers}");
        // Secondments: dispatched by or received at the school.
        let sec = sql::<secondments::Entity>(&admin);
        assert!(sec.contains(r#""from_school_id" = 7"#), "{sec}");
        assert!(sec.contains(r#""to_school_id" = 7"#), "{sec}");

        let teacher = actor(Role::Teacher, Some(7), Some(42));
        // A teacher sees the published pairings of their school, not all of them.
        let sp = sql::<school_pairings::Entity>(&teacher);
        assert!(sp.contains(r#""supporter_id" = 7"#), "{sp}");
        assert!(sp.contains(r#""status" <> 'draft'"#), "{sp}");
        // Of teachers, only their own record: no school-wide rule for the teacher role.
        let t = sql::<teachers::Entity>(&teacher);
        assert!(t.contains(r#""id" = 42"#), "{t}");
        assert!(!t.contains("school_id"), "{t}");
        // Observations through the pairings they are in.
        let o = sql::<observations::Entity>(&teacher);
        assert!(o.contains(r#""mentor_id" = 42"#), "{o}");
        assert!(o.contains(r#""mentee_id" = 42"#), "{o}");

        // No school to stand in, no relation: nothing.
        let lost = actor(Role::SchoolAdmin, None, None);
        assert!(sql::<teachers::Entity>(&lost).contains("1 = 0"));
        assert!(sql::<reflections::Entity>(&lost).contains("1 = 0"));
        let no_record = actor(Role::Teacher, Some(7), None);
        assert!(sql::<teachers::Entity>(&no_record).contains("1 = 0"));
    }
}
