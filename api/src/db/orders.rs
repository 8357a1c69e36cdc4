use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{order_events, orders};

/// The status of an order the platform cancelled.
pub const CANCELLED: &str = "cancelled";

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
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

/// The order as the event leaves it: what the event gives replaces, what it omits stays.
pub fn updated(row: &OrderRow, s: &OrderState<'_>, now: NaiveDateTime) -> OrderRow {
    let keep =
        |new: Option<&str>, old: &Option<String>| new.map(str::to_owned).or_else(|| old.clone());
    OrderRow {
        contact_id: s.contact_id.or(row.contact_id),
        number: keep(s.number, &row.number),
        status: s.status.to_owned(),
        platform_status: keep(s.platform_status, &row.platform_status),
        financial_status: keep(s.financial_status, &row.financial_status),
        fulfillment_status: keep(s.fulfillment_status, &row.fulfillment_status),
        line_items: s.line_items.unwrap_or(&row.line_items).to_owned(),
        total_cents: s.total_cents.unwrap_or(row.total_cents),
        currency: s.currency.unwrap_or(&row.currency).to_owned(),
        shipping_region: keep(s.shipping_region, &row.shipping_region),
        tracking_number: keep(s.tracking_number, &row.tracking_number),
        tracking_url: keep(s.tracking_url, &row.tracking_url),
        carrier: keep(s.carrier, &row.carrier),
        last_event_at: s.occurred_at,
        updated_at: now,
        ..row.clone()
    }
}

/// What an event older than the order's last one leaves: its status, tracking and the like
/// are older than what is known and stay; it only fills in what the order still lacks (its
/// customer, number, items, total and currency, shipping region) and moves `placed_at` back
/// to it. `None` when it brings nothing new.
pub fn filled_in(row: &OrderRow, s: &OrderState<'_>, now: NaiveDateTime) -> Option<OrderRow> {
    let or_known =
        |old: &Option<String>, new: Option<&str>| old.clone().or_else(|| new.map(str::to_owned));
    // A new order without a total has no currency (see `insert`); a free one has both.
    let (total_cents, currency) = match (s.total_cents, s.currency) {
        (Some(total), Some(currency)) if row.currency.is_empty() => (total, currency.to_owned()),
        _ => (row.total_cents, row.currency.clone()),
    };
    let line_items = match s.line_items {
        Some(items) if row.line_items == "[]" => items.to_owned(),
        _ => row.line_items.clone(),
    };
    let filled = OrderRow {
        contact_id: row.contact_id.or(s.contact_id),
        number: or_known(&row.number, s.number),
        line_items,
        total_cents,
        currency,
        shipping_region: or_known(&row.shipping_region, s.shipping_region),
        placed_at: row.placed_at.min(s.occurred_at),
        ..row.clone()
    };
    (filled != *row).then_some(OrderRow {
        updated_at: now,
        ..filled
    })
}

/// Writes what `updated` or `filled_in` computed (with the cart and the credited text it
/// may have gained), for many orders at once.
pub fn update_many(conn: &mut DbConn, rows: &[OrderRow]) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    for chunk in rows.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE orders SET contact_id = v.column2, number = v.column3, status = v.column4, \
             platform_status = v.column5, financial_status = v.column6, \
             fulfillment_status = v.column7, line_items = v.column8, total_cents = v.column9, \
             currency = v.column10, shipping_region = v.column11, tracking_number = v.column12, \
             tracking_url = v.column13, carrier = v.column14, last_event_at = v.column15, \
             updated_at = v.column16, cart_id = v.column17, placed_at = v.column18, \
             attributed_message_id = v.column19 \
             FROM (VALUES {}) AS v WHERE orders.id = v.column1",
            super::value_rows(chunk.len(), 19, 1, "")
        );
        let sql = super::numbered(conn, sql);
        super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql).into_boxed();
            for o in chunk {
                query = query
                    .bind::<BigInt, _>(o.id)
                    .bind::<Nullable<BigInt>, _>(o.contact_id)
                    .bind::<Nullable<Text>, _>(o.number.as_deref())
                    .bind::<Text, _>(o.status.as_str())
                    .bind::<Nullable<Text>, _>(o.platform_status.as_deref())
                    .bind::<Nullable<Text>, _>(o.financial_status.as_deref())
                    .bind::<Nullable<Text>, _>(o.fulfillment_status.as_deref())
                    .bind::<Text, _>(o.line_items.as_str())
                    .bind::<BigInt, _>(o.total_cents)
                    .bind::<Text, _>(o.currency.as_str())
                    .bind::<Nullable<Text>, _>(o.shipping_region.as_deref())
                    .bind::<Nullable<Text>, _>(o.tracking_number.as_deref())
                    .bind::<Nullable<Text>, _>(o.tracking_url.as_deref())
                    .bind::<Nullable<Text>, _>(o.carrier.as_deref())
                    .bind::<Timestamp, _>(o.last_event_at)
                    .bind::<Timestamp, _>(o.updated_at)
                    .bind::<Nullable<BigInt>, _>(o.cart_id)
                    .bind::<Timestamp, _>(o.placed_at)
                    .bind::<Nullable<BigInt>, _>(o.attributed_message_id);
            }
            query.execute(c)
        })?;
    }
    Ok(())
}

/// The store's orders with these platform ids.
pub fn by_external_many(
    conn: &mut DbConn,
    store_id: i64,
    external_ids: &[&str],
) -> QueryResult<Vec<OrderRow>> {
    if external_ids.is_empty() {
        return Ok(Vec::new());
    }
    orders::table
        .filter(orders::store_id.eq(store_id))
        .filter(orders::external_id.eq_any(external_ids))
        .select(OrderRow::as_select())
        .load(conn)
}

/// A new order with what is known when it is created: the cart it closes and the text
/// credited with it.
pub struct NewOrder<'a> {
    pub external_id: &'a str,
    pub state: OrderState<'a>,
    pub cart_id: Option<i64>,
    pub attributed_message_id: Option<i64>,
}

/// `insert` for many orders at once. Returns those created; one that another transaction
/// has just created is not among them.
pub fn insert_many(
    conn: &mut DbConn,
    store_id: i64,
    new: &[NewOrder<'_>],
    now: NaiveDateTime,
) -> QueryResult<Vec<OrderRow>> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    let mut created = Vec::with_capacity(new.len());
    for chunk in new.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO orders (external_id, contact_id, cart_id, attributed_message_id, \
             number, status, platform_status, financial_status, fulfillment_status, line_items, \
             total_cents, currency, shipping_region, tracking_number, tracking_url, carrier, \
             placed_at, last_event_at, store_id, created_at, updated_at) \
             VALUES {} ON CONFLICT DO NOTHING RETURNING *",
            super::value_rows(chunk.len(), 21, 1, "")
        );
        let sql = super::numbered(conn, sql);
        let rows: Vec<OrderRow> = super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql).into_boxed();
            for o in chunk {
                let s = &o.state;
                query = query
                    .bind::<Text, _>(o.external_id)
                    .bind::<Nullable<BigInt>, _>(s.contact_id)
                    .bind::<Nullable<BigInt>, _>(o.cart_id)
                    .bind::<Nullable<BigInt>, _>(o.attributed_message_id)
                    .bind::<Nullable<Text>, _>(s.number)
                    .bind::<Text, _>(s.status)
                    .bind::<Nullable<Text>, _>(s.platform_status)
                    .bind::<Nullable<Text>, _>(s.financial_status)
                    .bind::<Nullable<Text>, _>(s.fulfillment_status)
                    .bind::<Text, _>(s.line_items.unwrap_or("[]"))
                    .bind::<BigInt, _>(s.total_cents.unwrap_or(0))
                    .bind::<Text, _>(s.currency.unwrap_or(""))
                    .bind::<Nullable<Text>, _>(s.shipping_region)
                    .bind::<Nullable<Text>, _>(s.tracking_number)
                    .bind::<Nullable<Text>, _>(s.tracking_url)
                    .bind::<Nullable<Text>, _>(s.carrier)
                    .bind::<Timestamp, _>(s.occurred_at)
                    .bind::<Timestamp, _>(s.occurred_at)
                    .bind::<BigInt, _>(store_id)
                    .bind::<Timestamp, _>(now)
                    .bind::<Timestamp, _>(now);
            }
            query.load(c)
        })?;
        created.extend(rows);
    }
    Ok(created)
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

/// A line of an order's timeline.
pub struct TimelineEntry<'a> {
    pub order_id: i64,
    pub event_type: &'a str,
    pub status: &'a str,
    pub at: NaiveDateTime,
    pub note: Option<&'a str>,
}

/// `add_timeline_entry` for many entries at once.
pub fn add_timeline_entries(
    conn: &mut DbConn,
    store_id: i64,
    entries: &[TimelineEntry<'_>],
) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    for chunk in entries.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO order_events (order_id, event_type, status, occurred_at, note, \
             store_id) VALUES {}",
            super::value_rows(chunk.len(), 6, 1, "")
        );
        let sql = super::numbered(conn, sql);
        super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql).into_boxed();
            for e in chunk {
                query = query
                    .bind::<BigInt, _>(e.order_id)
                    .bind::<Text, _>(e.event_type)
                    .bind::<Text, _>(e.status)
                    .bind::<Timestamp, _>(e.at)
                    .bind::<Nullable<Text>, _>(e.note)
                    .bind::<BigInt, _>(store_id);
            }
            query.execute(c)
        })?;
    }
    Ok(())
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
