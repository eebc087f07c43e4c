//! The contact log (联系记录) of a teacher pairing: the mentor and the mentee note each
//! call, message or visit while the pairing runs.
use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::access::{Actor, Visible};
use crate::domain::audit;
use crate::domain::pairing_lifecycle::{self as lifecycle, Action};
use crate::domain::teacher_pairings::{self, TeacherPairing};
use crate::domain::types::{self, ContactKind, de::loose_string};
use crate::entities::{contacts, teacher_pairings as pairings};
use crate::error::{AppResult, FieldErrors, Msg};

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ContactForm {
    #[serde(deserialize_with = "loose_string")]
    pub kind: String,
    #[serde(deserialize_with = "loose_string")]
    pub contacted_on: String,
    #[serde(deserialize_with = "loose_string")]
    pub summary: String,
}

/// The mentor or the mentee logs a contact on an active pairing.
pub async fn add_contact(
    db: &impl Conn,
    actor: &Actor,
    pairing_id: i64,
    f: &ContactForm,
) -> AppResult<contacts::Model> {
    let txn = db::begin_write(db).await?;
    let p = teacher_pairings::get_for_update(&txn, actor, pairing_id).await?;
    lifecycle::ensure::<TeacherPairing>(&txn, actor, &p, Action::Contact).await?;
    let mut e = FieldErrors::new();
    let kind = ContactKind::parse(&f.kind);
    if kind.is_none() {
        e.add("kind", Msg::new("err-choose"));
    }
    let on: Option<NaiveDate> = match types::date(&f.contacted_on) {
        Ok(d) if d > types::today() => {
            e.add("contacted_on", Msg::new("obs-err-future"));
            None
        }
        Ok(d) => Some(d),
        Err(m) => {
            e.add("contacted_on", m);
            None
        }
    };
    let summary = types::required_text(&f.summary, 1000)
        .map_err(|m| e.add("summary", m))
        .unwrap_or_default();
    e.into_result()?;
    let row = contacts::ActiveModel {
        teacher_pairing_id: Set(p.id),
        kind: Set(kind.map(|k| k.as_str()).unwrap_or_default().into()),
        contacted_on: Set(on.unwrap_or_else(types::today)),
        summary: Set(summary),
        author_id: Set(actor.user_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record::<(), _>(
        &txn,
        Some(actor),
        "create",
        "contact",
        Some(row.id),
        None,
        Some(&row),
    )
    .await?;
    crate::domain::progress::refresh(&txn, &[p.id]).await?;
    txn.commit().await?;
    Ok(row)
}

/// The contact log of a pairing the actor sees, newest first.
pub async fn contacts_of(
    conn: &impl ConnectionTrait,
    pairing: &Visible<pairings::Model>,
) -> AppResult<Vec<contacts::Model>> {
    Ok(contacts::Entity::find()
        .filter(contacts::Column::TeacherPairingId.eq(pairing.id))
        .order_by_desc(contacts::Column::ContactedOn)
        .order_by_desc(contacts::Column::Id)
        .limit(200)
        .all(conn)
        .await?)
}
