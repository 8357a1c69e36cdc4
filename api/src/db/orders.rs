use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{order_events, orders};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders)]
pub struct OrderRow {
    pub id: i64,
    pub store_id: i64,
    pub contact_id: Option<i64>,
    pub cart_id: Option<i64>,
    pub external_id: String,
    pub number: Option<String>,
    pub status: String,
    pub platform_status: Option<String>,
    pub financial_status: Option<String>,
    pub fulfillment_status: Option<String>,
    pub line_items: String,
    pub total_cents: i64,
    pub currency: String,
    pub shipping_region: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub carrier: Option<String>,
    pub placed_at: NaiveDateTime,
    pub last_event_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The message credited with this order (revenue recovered), if any.
    pub attributed_message_id: Option<i64>,
}

/// An order's state as an event describes it. `None` fields keep what is known (a new order
/// starts with no items, a zero total and no currency until an event brings them).
pub struct OrderState<'a> {
    pub contact_id: Option<i64>,
    pub number: Option<&'a str>,
    pub status: &'a str,
    pub platform_status: Option<&'a str>,
    pub financial_status: Option<&'a str>,
    pub fulfillment_status: Option<&'a str>,
    pub line_items: Option<&'a str>,
    pub total_cents: Option<i64>,
    pub currency: Option<&'a str>,
    pub shipping_region: Option<&'a str>,
    pub tracking_number: Option<&'a str>,
    pub tracking_url: Option<&'a str>,
    pub carrier: Option<&'a str>,
    pub occurred_at: NaiveDateTime,
}

pub fn find_by_external(
    conn: &mut DbConn,
    store_id: i64,
    external_id: &str,
) -> QueryResult<Option<OrderRow>> {
    orders::table
        .filter(orders::store_id.eq(store_id))
        .filter(orders::external_id.eq(external_id))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

/// `None` when it already exists (a concurrent event created it first).
pub fn insert(
    conn: &mut DbConn,
    store_id: i64,
    external_id: &str,
    s: &OrderState<'_>,
    now: NaiveDateTime,
) -> QueryResult<Option<OrderRow>> {
    let insert = diesel::insert_into(orders::table)
        .values((
            orders::store_id.eq(store_id),
            orders::contact_id.eq(s.contact_id),
            orders::external_id.eq(external_id),
            orders::number.eq(s.number),
            orders::status.eq(s.status),
            orders::platform_status.eq(s.platform_status),
            orders::financial_status.eq(s.financial_status),
            orders::fulfillment_status.eq(s.fulfillment_status),
            orders::line_items.eq(s.line_items.unwrap_or("[]")),
            orders::total_cents.eq(s.total_cents.unwrap_or(0)),
            orders::currency.eq(s.currency.unwrap_or("")),
            orders::shipping_region.eq(s.shipping_region),
            orders::tracking_number.eq(s.tracking_number),
            orders::tracking_url.eq(s.tracking_url),
            orders::carrier.eq(s.carrier),
            orders::placed_at.eq(s.occurred_at),
            orders::last_event_at.eq(s.occurred_at),
            orders::created_at.eq(now),
            orders::updated_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .returning(orders::all_columns);
    super::per_backend!(conn, |c| insert.get_result(c).optional())
}

pub fn update(
    conn: &mut DbConn,
    row: &OrderRow,
    s: &OrderState<'_>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let keep =
        |new: Option<&str>, old: &Option<String>| new.map(str::to_owned).or_else(|| old.clone());
    diesel::update(orders::table.find(row.id))
        .set((
            orders::contact_id.eq(s.contact_id.or(row.contact_id)),
            orders::number.eq(keep(s.number, &row.number)),
            orders::status.eq(s.status),
            orders::platform_status.eq(keep(s.platform_status, &row.platform_status)),
            orders::financial_status.eq(keep(s.financial_status, &row.financial_status)),
            orders::fulfillment_status.eq(keep(s.fulfillment_status, &row.fulfillment_status)),
            orders::line_items.eq(s.line_items.unwrap_or(&row.line_items)),
            orders::total_cents.eq(s.total_cents.unwrap_or(row.total_cents)),
            orders::currency.eq(s.currency.unwrap_or(&row.currency)),
            orders::shipping_region.eq(keep(s.shipping_region, &row.shipping_region)),
            orders::tracking_number.eq(keep(s.tracking_number, &row.tracking_number)),
            orders::tracking_url.eq(keep(s.tracking_url, &row.tracking_url)),
            orders::carrier.eq(keep(s.carrier, &row.carrier)),
            orders::last_event_at.eq(s.occurred_at),
            orders::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn set_cart(conn: &mut DbConn, order_id: i64, cart_id: i64) -> QueryResult<()> {
    diesel::update(orders::table.find(order_id))
        .set(orders::cart_id.eq(cart_id))
        .execute(conn)
        .map(drop)
}

pub fn add_timeline_entry(
    conn: &mut DbConn,
    store_id: i64,
    order_id: i64,
    event_type: &str,
    status: &str,
    at: NaiveDateTime,
    note: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(order_events::table)
        .values((
            order_events::store_id.eq(store_id),
            order_events::order_id.eq(order_id),
            order_events::event_type.eq(event_type),
            order_events::status.eq(status),
            order_events::occurred_at.eq(at),
            order_events::note.eq(note),
        ))
        .execute(conn)
        .map(drop)
}

pub fn of_contact(conn: &mut DbConn, store_id: i64, contact_id: i64) -> QueryResult<Vec<OrderRow>> {
    orders::table
        .filter(orders::store_id.eq(store_id))
        .filter(orders::contact_id.eq(contact_id))
        .order(orders::placed_at.desc())
        .select(OrderRow::as_select())
        .load(conn)
}

/// (order id, event type, status, when), oldest first, for these orders.
pub fn timelines(
    conn: &mut DbConn,
    order_ids: &[i64],
) -> QueryResult<Vec<(i64, String, String, NaiveDateTime)>> {
    order_events::table
        .filter(order_events::order_id.eq_any(order_ids))
        .order((
            order_events::order_id,
            order_events::occurred_at,
            order_events::id,
        ))
        .select((
            order_events::order_id,
            order_events::event_type,
            order_events::status,
            order_events::occurred_at,
        ))
        .load(conn)
}

pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<OrderRow>> {
    orders::table
        .filter(orders::id.eq_any(ids))
        .select(OrderRow::as_select())
        .load(conn)
}

/// Each contact's most recent known shipping state or province: (contact_id, region).
pub fn shipping_regions(
    conn: &mut DbConn,
    contact_ids: &[i64],
) -> QueryResult<Vec<(Option<i64>, Option<String>)>> {
    orders::table
        .filter(orders::contact_id.eq_any(contact_ids))
        .filter(orders::shipping_region.is_not_null())
        .order(orders::placed_at.desc())
        .select((orders::contact_id, orders::shipping_region))
        .load(conn)
}

pub fn set_attribution(conn: &mut DbConn, order_id: i64, message_id: i64) -> QueryResult<()> {
    diesel::update(orders::table.find(order_id))
        .set(orders::attributed_message_id.eq(message_id))
        .execute(conn)
        .map(drop)
}

/// Orders credited to these messages: (message_id, total_cents, currency).
pub fn attributed_to(
    conn: &mut DbConn,
    message_ids: &[i64],
) -> QueryResult<Vec<(Option<i64>, i64, String)>> {
    orders::table
        .filter(orders::attributed_message_id.eq_any(message_ids))
        .select((
            orders::attributed_message_id,
            orders::total_cents,
            orders::currency,
        ))
        .load(conn)
}
