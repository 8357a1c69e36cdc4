use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::carts;

pub const OPEN: &str = "open";
pub const ABANDONED: &str = "abandoned";
pub const RECOVERED: &str = "recovered";
pub const CONVERTED: &str = "converted";
/// Checked out, its order not received yet: closed to abandonment, waiting for the order.
pub const COMPLETED: &str = "completed";
pub const EXPIRED: &str = "expired";

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = carts)]
pub struct CartRow {
    pub id: i64,
    pub store_id: i64,
    pub contact_id: Option<i64>,
    pub external_id: String,
    pub status: String,
    pub line_items: String,
    pub total_cents: i64,
    pub currency: String,
    pub recovery_url: Option<String>,
    pub last_activity_at: NaiveDateTime,
    pub abandon_due_at: NaiveDateTime,
    pub abandoned_at: Option<NaiveDateTime>,
    pub recovered_at: Option<NaiveDateTime>,
    pub order_id: Option<i64>,
    pub closed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl CartRow {
    /// Whether new activity changes it: open, abandoned or expired. A cart closed by its
    /// order or by a completed checkout keeps its state.
    pub fn takes_activity(&self) -> bool {
        [OPEN, ABANDONED, EXPIRED].contains(&self.status.as_str())
    }
}

pub struct CartState<'a> {
    pub contact_id: Option<i64>,
    pub line_items: &'a str,
    pub total_cents: i64,
    pub currency: &'a str,
    pub recovery_url: Option<&'a str>,
    pub activity_at: NaiveDateTime,
    pub abandon_due_at: NaiveDateTime,
    /// The checkout was completed: the cart closes (see `COMPLETED`).
    pub completed: bool,
}

impl<'a> CartState<'a> {
    /// The cart as it stands: what an older event that only completes it writes.
    pub fn of(cart: &'a CartRow) -> Self {
        Self {
            contact_id: cart.contact_id,
            line_items: &cart.line_items,
            total_cents: cart.total_cents,
            currency: &cart.currency,
            recovery_url: cart.recovery_url.as_deref(),
            activity_at: cart.last_activity_at,
            abandon_due_at: cart.abandon_due_at,
            completed: false,
        }
    }

    /// (status, closed_at) of a cart this state creates.
    fn new_status(&self) -> (&'static str, Option<NaiveDateTime>) {
        match self.completed {
            true => (COMPLETED, Some(self.activity_at)),
            false => (OPEN, None),
        }
    }
}

/// (status, abandoned_at, closed_at) of a cart after new activity. A completed checkout
/// keeps its abandonment, so that its order marks it recovered.
fn after_activity<'a>(
    cart: &'a CartRow,
    state: &CartState<'_>,
    reopen: bool,
) -> (&'a str, Option<NaiveDateTime>, Option<NaiveDateTime>) {
    if state.completed {
        let abandoned_at = cart.abandoned_at.filter(|_| cart.status == ABANDONED);
        (COMPLETED, abandoned_at, Some(state.activity_at))
    } else if reopen {
        (OPEN, None, cart.closed_at)
    } else {
        (cart.status.as_str(), cart.abandoned_at, cart.closed_at)
    }
}

pub fn find_by_external(
    conn: &mut DbConn,
    store_id: i64,
    external_id: &str,
) -> QueryResult<Option<CartRow>> {
    carts::table
        .filter(carts::store_id.eq(store_id))
        .filter(carts::external_id.eq(external_id))
        .select(CartRow::as_select())
        .first(conn)
        .optional()
}

/// `None` when it already exists (a concurrent event created it first).
pub fn insert(
    conn: &mut DbConn,
    store_id: i64,
    external_id: &str,
    state: &CartState<'_>,
    now: NaiveDateTime,
) -> QueryResult<Option<CartRow>> {
    let (status, closed_at) = state.new_status();
    let insert = diesel::insert_into(carts::table)
        .values((
            carts::store_id.eq(store_id),
            carts::contact_id.eq(state.contact_id),
            carts::external_id.eq(external_id),
            carts::status.eq(status),
            carts::closed_at.eq(closed_at),
            carts::line_items.eq(state.line_items),
            carts::total_cents.eq(state.total_cents),
            carts::currency.eq(state.currency),
            carts::recovery_url.eq(state.recovery_url),
            carts::last_activity_at.eq(state.activity_at),
            carts::abandon_due_at.eq(state.abandon_due_at),
            carts::created_at.eq(now),
            carts::updated_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .returning(carts::all_columns);
    super::per_backend!(conn, |c| insert.get_result(c).optional())
}

/// New activity: the cart's contents change, and an abandoned cart is open again (a new
/// activity period, which may be abandoned again) unless the checkout was completed.
pub fn record_activity(
    conn: &mut DbConn,
    cart: &CartRow,
    state: &CartState<'_>,
    reopen: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (status, abandoned_at, closed_at) = after_activity(cart, state, reopen);
    diesel::update(carts::table.find(cart.id))
        .set((
            carts::contact_id.eq(state.contact_id.or(cart.contact_id)),
            carts::status.eq(status),
            carts::abandoned_at.eq(abandoned_at),
            carts::closed_at.eq(closed_at),
            carts::line_items.eq(state.line_items),
            carts::total_cents.eq(state.total_cents),
            carts::currency.eq(state.currency),
            carts::recovery_url.eq(state.recovery_url),
            carts::last_activity_at.eq(state.activity_at),
            carts::abandon_due_at.eq(state.abandon_due_at),
            carts::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// The store's carts with these platform ids.
pub fn by_external_many(
    conn: &mut DbConn,
    store_id: i64,
    external_ids: &[&str],
) -> QueryResult<Vec<CartRow>> {
    if external_ids.is_empty() {
        return Ok(Vec::new());
    }
    carts::table
        .filter(carts::store_id.eq(store_id))
        .filter(carts::external_id.eq_any(external_ids))
        .select(CartRow::as_select())
        .load(conn)
}

/// `insert` for many carts at once: (platform id, state). Returns those created; one that
/// another transaction has just created is not among them.
pub fn insert_many(
    conn: &mut DbConn,
    store_id: i64,
    new: &[(&str, CartState<'_>)],
    now: NaiveDateTime,
) -> QueryResult<Vec<CartRow>> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    let mut created = Vec::with_capacity(new.len());
    for chunk in new.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO carts (external_id, contact_id, line_items, total_cents, currency, \
             recovery_url, last_activity_at, abandon_due_at, store_id, status, closed_at, \
             created_at, updated_at) VALUES {} ON CONFLICT DO NOTHING RETURNING *",
            super::value_rows(chunk.len(), 13, 1, "")
        );
        let sql = super::numbered(conn, sql);
        let rows: Vec<CartRow> = super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql).into_boxed();
            for (external_id, state) in chunk {
                let (status, closed_at) = state.new_status();
                query = query
                    .bind::<Text, _>(*external_id)
                    .bind::<Nullable<BigInt>, _>(state.contact_id)
                    .bind::<Text, _>(state.line_items)
                    .bind::<BigInt, _>(state.total_cents)
                    .bind::<Text, _>(state.currency)
                    .bind::<Nullable<Text>, _>(state.recovery_url)
                    .bind::<Timestamp, _>(state.activity_at)
                    .bind::<Timestamp, _>(state.abandon_due_at)
                    .bind::<BigInt, _>(store_id)
                    .bind::<Text, _>(status)
                    .bind::<Nullable<Timestamp>, _>(closed_at)
                    .bind::<Timestamp, _>(now)
                    .bind::<Timestamp, _>(now);
            }
            query.load(c)
        })?;
        created.extend(rows);
    }
    Ok(created)
}

/// `record_activity` for many carts at once: (cart, new state, whether it reopens).
pub fn record_activity_many(
    conn: &mut DbConn,
    activity: &[(&CartRow, CartState<'_>, bool)],
    now: NaiveDateTime,
) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    for chunk in activity.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE carts SET contact_id = v.column2, status = v.column3, \
             abandoned_at = v.column4, line_items = v.column5, total_cents = v.column6, \
             currency = v.column7, recovery_url = v.column8, last_activity_at = v.column9, \
             abandon_due_at = v.column10, closed_at = v.column11, updated_at = $1 \
             FROM (VALUES {}) AS v WHERE carts.id = v.column1",
            super::value_rows(chunk.len(), 11, 2, "")
        );
        let sql = super::numbered(conn, sql);
        super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql)
                .into_boxed()
                .bind::<Timestamp, _>(now);
            for (cart, state, reopen) in chunk {
                let (status, abandoned_at, closed_at) = after_activity(cart, state, *reopen);
                query = query
                    .bind::<BigInt, _>(cart.id)
                    .bind::<Nullable<BigInt>, _>(state.contact_id.or(cart.contact_id))
                    .bind::<Text, _>(status)
                    .bind::<Nullable<Timestamp>, _>(abandoned_at)
                    .bind::<Text, _>(state.line_items)
                    .bind::<BigInt, _>(state.total_cents)
                    .bind::<Text, _>(state.currency)
                    .bind::<Nullable<Text>, _>(state.recovery_url)
                    .bind::<Timestamp, _>(state.activity_at)
                    .bind::<Timestamp, _>(state.abandon_due_at)
                    .bind::<Nullable<Timestamp>, _>(closed_at);
            }
            query.execute(c)
        })?;
    }
    Ok(())
}

/// The carts of these contacts still waiting for an order, completed checkouts included
/// (`latest_unordered_for_contact` picks from them).
pub fn unordered_of_contacts(conn: &mut DbConn, contact_ids: &[i64]) -> QueryResult<Vec<CartRow>> {
    if contact_ids.is_empty() {
        return Ok(Vec::new());
    }
    // By contact alone (a contact's carts are all in its store): given the store too, SQLite
    // reads all of the store's carts through the (store, external id) index instead.
    carts::table
        .filter(carts::contact_id.eq_any(contact_ids))
        .filter(carts::status.eq_any([OPEN, ABANDONED, COMPLETED]))
        .select(CartRow::as_select())
        .load(conn)
}

/// The contact's most recent cart still waiting for an order (a completed checkout too).
pub fn latest_unordered_for_contact(
    conn: &mut DbConn,
    store_id: i64,
    contact_id: i64,
) -> QueryResult<Option<CartRow>> {
    carts::table
        .filter(carts::store_id.eq(store_id))
        .filter(carts::contact_id.eq(contact_id))
        .filter(carts::status.eq_any([OPEN, ABANDONED, COMPLETED]))
        .order(carts::last_activity_at.desc())
        .select(CartRow::as_select())
        .first(conn)
        .optional()
}

/// What an order placed `at` does to its cart: (status, recovered_at), or `None` when the
/// cart is already closed. It recovers a cart abandoned before it was placed, and converts
/// any other: an order whose webhook came late may have been placed before its cart was
/// found abandoned, and nothing was recovered then.
fn closed_by_order(
    cart: &CartRow,
    at: NaiveDateTime,
) -> Option<(&'static str, Option<NaiveDateTime>)> {
    let abandoned_before = cart.abandoned_at.is_some_and(|abandoned| abandoned <= at);
    match cart.status.as_str() {
        ABANDONED | COMPLETED if abandoned_before => Some((RECOVERED, Some(at))),
        OPEN | COMPLETED | ABANDONED => Some((CONVERTED, cart.recovered_at)),
        _ => None,
    }
}

/// An order arrived for the cart: recovered if it had been abandoned, converted if not.
pub fn close_with_order(
    conn: &mut DbConn,
    cart: &CartRow,
    order_id: i64,
    at: NaiveDateTime,
) -> QueryResult<()> {
    close_with_orders(conn, &[(cart, order_id, at)])
}

/// `close_with_order` for many carts at once: (cart, order id, when).
pub fn close_with_orders(
    conn: &mut DbConn,
    closing: &[(&CartRow, i64, NaiveDateTime)],
) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    let closing: Vec<_> = closing
        .iter()
        .filter_map(|(cart, order_id, at)| {
            closed_by_order(cart, *at)
                .map(|(status, recovered_at)| (cart.id, status, recovered_at, *order_id, *at))
        })
        .collect();
    for chunk in closing.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE carts SET status = v.column2, recovered_at = v.column3, \
             order_id = v.column4, closed_at = v.column5 \
             FROM (VALUES {}) AS v WHERE carts.id = v.column1",
            super::value_rows(chunk.len(), 5, 1, "")
        );
        let sql = super::numbered(conn, sql);
        super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql).into_boxed();
            for (id, status, recovered_at, order_id, at) in chunk {
                query = query
                    .bind::<BigInt, _>(*id)
                    .bind::<Text, _>(*status)
                    .bind::<Nullable<Timestamp>, _>(*recovered_at)
                    .bind::<BigInt, _>(*order_id)
                    .bind::<Timestamp, _>(*at);
            }
            query.execute(c)
        })?;
    }
    Ok(())
}

/// Open carts whose abandonment time has come at `now`, oldest first.
pub fn due_for_abandonment(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<CartRow>> {
    carts::table
        .filter(carts::status.eq(OPEN))
        .filter(carts::abandon_due_at.le(now))
        .order(carts::abandon_due_at)
        .limit(limit)
        .select(CartRow::as_select())
        .load(conn)
}

/// Marks it abandoned if it is still open with the same last activity (so a cart touched
/// meanwhile is left alone); `true` when this call abandoned it.
pub fn mark_abandoned(
    conn: &mut DbConn,
    id: i64,
    activity_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        carts::table
            .find(id)
            .filter(carts::status.eq(OPEN))
            .filter(carts::last_activity_at.eq(activity_at)),
    )
    .set((
        carts::status.eq(ABANDONED),
        carts::abandoned_at.eq(now),
        carts::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Carts with no activity since `before` that never got an order are expired, except those
/// with a reminder still to go out: dispatch cancels the reminders of a cart that is no
/// longer abandoned, and a flow's step may fall after the week (flows allow four weeks;
/// quiet hours push a step later). The cart expires once its last reminder is out.
pub fn expire_idle(
    conn: &mut DbConn,
    before: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    use super::outbox::{SCHEDULED, SENDING};
    use super::schema::outbox;
    use diesel::dsl::{exists, not};
    let reminder_pending = outbox::table
        .filter(outbox::cart_id.eq(carts::id.nullable()))
        .filter(outbox::status.eq_any([SCHEDULED, SENDING]));
    diesel::update(
        carts::table
            .filter(carts::status.eq_any([OPEN, ABANDONED]))
            .filter(carts::last_activity_at.lt(before))
            .filter(not(exists(reminder_pending))),
    )
    .set((
        carts::status.eq(EXPIRED),
        carts::closed_at.eq(now),
        carts::updated_at.eq(now),
    ))
    .execute(conn)
}

pub fn of_contact(conn: &mut DbConn, store_id: i64, contact_id: i64) -> QueryResult<Vec<CartRow>> {
    carts::table
        .filter(carts::store_id.eq(store_id))
        .filter(carts::contact_id.eq(contact_id))
        .order(carts::last_activity_at.desc())
        .select(CartRow::as_select())
        .load(conn)
}

pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<CartRow>> {
    carts::table
        .filter(carts::id.eq_any(ids))
        .select(CartRow::as_select())
        .load(conn)
}
