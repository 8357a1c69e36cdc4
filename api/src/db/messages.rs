use chrono::NaiveDateTime;
use diesel::dsl::{count_star, sum};
use diesel::prelude::*;

use super::DbConn;
use super::schema::messages;

pub const INBOUND: &str = "inbound";
pub const OUTBOUND: &str = "outbound";
pub const KIND_CUSTOMER: &str = "customer";
pub const STATUS_RECEIVED: &str = "received";
pub const STATUS_CANCELLED: &str = "cancelled";
/// Outbound messages not yet handed to the provider.
pub const NOT_YET_SENT: [&str; 2] = ["scheduled", "queued"];

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub id: i64,
    pub store_id: i64,
    pub thread_id: i64,
    pub contact_id: i64,
    pub phone_number_id: Option<i64>,
    pub direction: String,
    pub kind: String,
    pub body: String,
    pub status: String,
    pub error_code: Option<i64>,
    pub segments: i32,
    pub from_number: String,
    pub to_number: String,
    pub provider_sid: Option<String>,
    pub scheduled_for: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub campaign_id: Option<i64>,
    pub step_id: Option<i64>,
    pub marketing: bool,
    pub sent_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
}

pub struct NewMessage<'a> {
    pub store_id: i64,
    pub thread_id: i64,
    pub contact_id: i64,
    pub phone_number_id: Option<i64>,
    pub direction: &'a str,
    pub kind: &'a str,
    pub body: &'a str,
    pub status: &'a str,
    pub segments: i32,
    pub from_number: &'a str,
    pub to_number: &'a str,
    pub provider_sid: Option<&'a str>,
    pub scheduled_for: Option<NaiveDateTime>,
    pub now: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewMessage<'_>) -> QueryResult<MessageRow> {
    diesel::insert_into(messages::table)
        .values((
            messages::store_id.eq(new.store_id),
            messages::thread_id.eq(new.thread_id),
            messages::contact_id.eq(new.contact_id),
            messages::phone_number_id.eq(new.phone_number_id),
            messages::direction.eq(new.direction),
            messages::kind.eq(new.kind),
            messages::body.eq(new.body),
            messages::status.eq(new.status),
            messages::segments.eq(new.segments),
            messages::from_number.eq(new.from_number),
            messages::to_number.eq(new.to_number),
            messages::provider_sid.eq(new.provider_sid),
            messages::scheduled_for.eq(new.scheduled_for),
            messages::created_at.eq(new.now),
            messages::updated_at.eq(new.now),
        ))
        .returning(messages::all_columns)
        .get_result(conn)
}

pub fn find_by_provider_sid(
    conn: &mut DbConn,
    provider_sid: &str,
) -> QueryResult<Option<MessageRow>> {
    messages::table
        .filter(messages::provider_sid.eq(provider_sid))
        .select(MessageRow::as_select())
        .first(conn)
        .optional()
}

pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    error_code: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(messages::table.filter(messages::id.eq(id)))
        .set((
            messages::status.eq(status),
            messages::error_code.eq(error_code),
            messages::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Cancels every outbound message of the store that has not gone out yet.
pub fn cancel_unsent(conn: &mut DbConn, store_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        messages::table
            .filter(messages::store_id.eq(store_id))
            .filter(messages::direction.eq(OUTBOUND))
            .filter(messages::status.eq_any(NOT_YET_SENT)),
    )
    .set((
        messages::status.eq(STATUS_CANCELLED),
        messages::updated_at.eq(now),
    ))
    .execute(conn)
}

/// (messages, segments) in `[from, to)` in one direction; outbound counts only what reached
/// the provider (it has a provider id), since only that is billed.
pub fn usage_between(
    conn: &mut DbConn,
    store_id: i64,
    direction: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<(i64, i64)> {
    let (count, segments): (i64, Option<i64>) = messages::table
        .filter(messages::store_id.eq(store_id))
        .filter(messages::direction.eq(direction))
        .filter(messages::provider_sid.is_not_null())
        .filter(messages::created_at.ge(from))
        .filter(messages::created_at.lt(to))
        .select((count_star(), sum(messages::segments)))
        .first(conn)?;
    Ok((count, segments.unwrap_or(0)))
}
