use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::contacts;

pub const CONSENT_UNKNOWN: &str = "unknown";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    pub id: i64,
    pub store_id: i64,
    pub phone: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub sms_consent: String,
    pub consent_source: Option<String>,
    pub consent_at: Option<NaiveDateTime>,
    pub opted_out_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The store's contact with this number, created (consent unknown) if new.
pub fn find_or_create_by_phone(
    conn: &mut DbConn,
    store_id: i64,
    phone: &str,
    now: NaiveDateTime,
) -> QueryResult<ContactRow> {
    let existing = contacts::table
        .filter(contacts::store_id.eq(store_id))
        .filter(contacts::phone.eq(phone))
        .select(ContactRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(contact) = existing {
        return Ok(contact);
    }
    diesel::insert_into(contacts::table)
        .values((
            contacts::store_id.eq(store_id),
            contacts::phone.eq(phone),
            contacts::sms_consent.eq(CONSENT_UNKNOWN),
            contacts::created_at.eq(now),
            contacts::updated_at.eq(now),
        ))
        .returning(contacts::all_columns)
        .get_result(conn)
}
