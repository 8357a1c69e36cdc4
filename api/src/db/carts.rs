use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::carts;

pub const OPEN: &str = "open";
pub const ABANDONED: &str = "abandoned";
pub const RECOVERED: &str = "recovered";
pub const CONVERTED: &str = "converted";
pub const EXPIRED: &str = "expired";

#[derive(Debug, Clone, Queryable, Selectable)]
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

pub struct CartState<'a> {
    pub contact_id: Option<i64>,
    pub line_items: &'a str,
    pub total_cents: i64,
    pub currency: &'a str,
    pub recovery_url: Option<&'a str>,
    pub activity_at: NaiveDateTime,
    pub abandon_due_at: NaiveDateTime,
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
    let insert = diesel::insert_into(carts::table)
        .values((
            carts::store_id.eq(store_id),
            carts::contact_id.eq(state.contact_id),
            carts::external_id.eq(external_id),
            carts::status.eq(OPEN),
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
/// activity period, which may be abandoned again).
pub fn record_activity(
    conn: &mut DbConn,
    cart: &CartRow,
    state: &CartState<'_>,
    reopen: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let (status, abandoned_at) = if reopen {
        (OPEN, None)
    } else {
        (cart.status.as_str(), cart.abandoned_at)
    };
    diesel::update(carts::table.find(cart.id))
        .set((
            carts::contact_id.eq(state.contact_id.or(cart.contact_id)),
            carts::status.eq(status),
            carts::abandoned_at.eq(abandoned_at),
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

/// The contact's most recent cart still waiting for an order.
pub fn latest_unordered_for_contact(
    conn: &mut DbConn,
    store_id: i64,
    contact_id: i64,
) -> QueryResult<Option<CartRow>> {
    carts::table
        .filter(carts::store_id.eq(store_id))
        .filter(carts::contact_id.eq(contact_id))
        .filter(carts::status.eq_any([OPEN, ABANDONED]))
        .order(carts::last_activity_at.desc())
        .select(CartRow::as_select())
        .first(conn)
        .optional()
}

/// An order arrived for the cart: recovered if it had been abandoned, converted if not.
pub fn close_with_order(
    conn: &mut DbConn,
    cart: &CartRow,
    order_id: i64,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let target = carts::table.find(cart.id);
    if cart.status == ABANDONED {
        diesel::update(target)
            .set((
                carts::status.eq(RECOVERED),
                carts::recovered_at.eq(at),
                carts::order_id.eq(order_id),
                carts::closed_at.eq(at),
            ))
            .execute(conn)?;
    } else if cart.status == OPEN {
        diesel::update(target)
            .set((
                carts::status.eq(CONVERTED),
                carts::order_id.eq(order_id),
                carts::closed_at.eq(at),
            ))
            .execute(conn)?;
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

/// Carts with no activity since `before` that never got an order are expired.
pub fn expire_idle(
    conn: &mut DbConn,
    before: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        carts::table
            .filter(carts::status.eq_any([OPEN, ABANDONED]))
            .filter(carts::last_activity_at.lt(before)),
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
