//! The sums behind the results dashboard: hourly (`stats_hourly`, UTC hours, rebuilt by the
//! roll-up from messages, clicks, consent, carts and orders) and daily (`stats_daily`, the
//! store's local days, added up from the hours by `services::stats`). Revenue is summed beside
//! them per currency (`stats_revenue_hourly`, `stats_revenue_daily`): amounts in different
//! currencies are never added together.
//!
//! Each figure counts in the hour it happened in: a text when it was written (sent, delivered
//! and failed are its outcome), a click at the first click, a reply when it arrived, an
//! opt-out when it was made, a cart when it was abandoned, an order (and its revenue) when it
//! was placed. Replies and opt-outs count for the campaign of the last campaign text the
//! customer got within the 24 hours before. Opt-outs are the customer's own (a keyword or a
//! reply that asks to stop), as in campaign results (`db::campaign_stats`): a number the merchant
//! put on the do-not-text list (one by one or a pasted list) is no response to a text.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use super::schema::{
    stats_daily, stats_hourly, stats_revenue_daily, stats_revenue_hourly, stats_rollup,
};
use super::{DbConn, per_backend};

/// The campaign id of texts of no campaign, and of store-wide figures.
pub const NO_CAMPAIGN: i64 = 0;

/// The `consent_events.source` of the opt-outs counted: the customer's own, by keyword (STOP,
/// "no more texting please", the carrier's report of a STOP), never the merchant's.
pub const CUSTOMERS_OPT_OUT: &str = "keyword";

/// What is summed, per hour in `stats_hourly` and per day in `stats_daily`; revenue, which has
/// a currency, is summed apart (`HourRevenue`, `DayRevenue`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Queryable)]
pub struct Sums {
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
    pub segments: i64,
    pub clicks: i64,
    pub replies: i64,
    pub opt_outs: i64,
    pub carts_abandoned: i64,
    pub carts_recovered: i64,
    pub orders: i64,
}

impl Sums {
    pub fn add(&mut self, other: &Sums) {
        self.sent += other.sent;
        self.delivered += other.delivered;
        self.failed += other.failed;
        self.segments += other.segments;
        self.clicks += other.clicks;
        self.replies += other.replies;
        self.opt_outs += other.opt_outs;
        self.carts_abandoned += other.carts_abandoned;
        self.carts_recovered += other.carts_recovered;
        self.orders += other.orders;
    }
}

/// One store's hour (UTC) of one campaign.
#[derive(Debug, Clone, Queryable)]
pub struct Hour {
    pub store_id: i64,
    pub hour: NaiveDateTime,
    pub campaign_id: i64,
    pub sums: Sums,
}

/// One store's local day of one campaign.
#[derive(Debug, Clone, Queryable)]
pub struct Day {
    pub day: NaiveDate,
    pub campaign_id: i64,
    pub sums: Sums,
}

/// The totals of one store's orders in one currency that were credited to one campaign's
/// texts in an hour (UTC).
#[derive(Debug, Clone, Queryable)]
pub struct HourRevenue {
    pub store_id: i64,
    pub hour: NaiveDateTime,
    pub campaign_id: i64,
    pub currency: String,
    pub cents: i64,
}

/// `HourRevenue` for a store's local day.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct DayRevenue {
    pub day: NaiveDate,
    pub campaign_id: i64,
    pub currency: String,
    pub cents: i64,
}

macro_rules! sums_of {
    ($table:ident) => {
        (
            $table::sent,
            $table::delivered,
            $table::failed,
            $table::segments,
            $table::clicks,
            $table::replies,
            $table::opt_outs,
            $table::carts_abandoned,
            $table::carts_recovered,
            $table::orders,
        )
    };
}

/// The hours in `[from, to)` (all of them when `None`), of every store or only `store_id`'s.
pub fn hours(
    conn: &mut DbConn,
    store_id: Option<i64>,
    between: Option<(NaiveDateTime, NaiveDateTime)>,
) -> QueryResult<Vec<Hour>> {
    let mut query = stats_hourly::table
        .select((
            stats_hourly::store_id,
            stats_hourly::hour,
            stats_hourly::campaign_id,
            sums_of!(stats_hourly),
        ))
        .into_boxed();
    if let Some(store_id) = store_id {
        query = query.filter(stats_hourly::store_id.eq(store_id));
    }
    if let Some((from, to)) = between {
        query = query
            .filter(stats_hourly::hour.ge(from))
            .filter(stats_hourly::hour.lt(to));
    }
    query.load(conn)
}

/// The revenue of the hours in `[from, to)` (all of them when `None`), of every store or only
/// `store_id`'s.
pub fn hour_revenues(
    conn: &mut DbConn,
    store_id: Option<i64>,
    between: Option<(NaiveDateTime, NaiveDateTime)>,
) -> QueryResult<Vec<HourRevenue>> {
    let mut query = stats_revenue_hourly::table
        .select((
            stats_revenue_hourly::store_id,
            stats_revenue_hourly::hour,
            stats_revenue_hourly::campaign_id,
            stats_revenue_hourly::currency,
            stats_revenue_hourly::revenue_cents,
        ))
        .into_boxed();
    if let Some(store_id) = store_id {
        query = query.filter(stats_revenue_hourly::store_id.eq(store_id));
    }
    if let Some((from, to)) = between {
        query = query
            .filter(stats_revenue_hourly::hour.ge(from))
            .filter(stats_revenue_hourly::hour.lt(to));
    }
    query.load(conn)
}

/// The store's days from `first` to `last`, both included.
pub fn days(
    conn: &mut DbConn,
    store_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<Day>> {
    stats_daily::table
        .filter(stats_daily::store_id.eq(store_id))
        .filter(stats_daily::day.ge(first))
        .filter(stats_daily::day.le(last))
        .select((
            stats_daily::day,
            stats_daily::campaign_id,
            sums_of!(stats_daily),
        ))
        .load(conn)
}

/// The revenue of the store's days from `first` to `last`, both included.
pub fn day_revenues(
    conn: &mut DbConn,
    store_id: i64,
    first: NaiveDate,
    last: NaiveDate,
) -> QueryResult<Vec<DayRevenue>> {
    stats_revenue_daily::table
        .filter(stats_revenue_daily::store_id.eq(store_id))
        .filter(stats_revenue_daily::day.ge(first))
        .filter(stats_revenue_daily::day.le(last))
        .select((
            stats_revenue_daily::day,
            stats_revenue_daily::campaign_id,
            stats_revenue_daily::currency,
            stats_revenue_daily::revenue_cents,
        ))
        .load(conn)
}

/// Replaces the store's days in `days` (all of them when `None`) with `rows` and their
/// revenue with `revenue`, added up in `time_zone`.
pub fn replace_days(
    conn: &mut DbConn,
    store_id: i64,
    days: Option<(NaiveDate, NaiveDate)>,
    time_zone: &str,
    rows: &[(NaiveDate, i64, Sums)],
    revenue: &[DayRevenue],
) -> QueryResult<()> {
    let of_store = stats_daily::table.filter(stats_daily::store_id.eq(store_id));
    let revenue_of_store =
        stats_revenue_daily::table.filter(stats_revenue_daily::store_id.eq(store_id));
    match days {
        Some((first, last)) => {
            diesel::delete(
                of_store
                    .filter(stats_daily::day.ge(first))
                    .filter(stats_daily::day.le(last)),
            )
            .execute(conn)?;
            diesel::delete(
                revenue_of_store
                    .filter(stats_revenue_daily::day.ge(first))
                    .filter(stats_revenue_daily::day.le(last)),
            )
            .execute(conn)?
        }
        None => {
            diesel::delete(of_store).execute(conn)?;
            diesel::delete(revenue_of_store).execute(conn)?
        }
    };
    // 14 values a row: well under SQLite's limit on bound values.
    for chunk in rows.chunks(1_000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(day, campaign_id, s)| {
                (
                    stats_daily::store_id.eq(store_id),
                    stats_daily::day.eq(*day),
                    stats_daily::campaign_id.eq(*campaign_id),
                    stats_daily::time_zone.eq(time_zone),
                    (
                        stats_daily::sent.eq(s.sent),
                        stats_daily::delivered.eq(s.delivered),
                        stats_daily::failed.eq(s.failed),
                        stats_daily::segments.eq(s.segments),
                        stats_daily::clicks.eq(s.clicks),
                        stats_daily::replies.eq(s.replies),
                        stats_daily::opt_outs.eq(s.opt_outs),
                        stats_daily::carts_abandoned.eq(s.carts_abandoned),
                        stats_daily::carts_recovered.eq(s.carts_recovered),
                        stats_daily::orders.eq(s.orders),
                    ),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(stats_daily::table)
            .values(&values)
            .execute(c))?;
    }
    for chunk in revenue.chunks(1_000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    stats_revenue_daily::store_id.eq(store_id),
                    stats_revenue_daily::day.eq(r.day),
                    stats_revenue_daily::campaign_id.eq(r.campaign_id),
                    stats_revenue_daily::currency.eq(&r.currency),
                    stats_revenue_daily::revenue_cents.eq(r.cents),
                )
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(stats_revenue_daily::table)
            .values(&values)
            .execute(c))?;
    }
    Ok(())
}

/// Where the last roll-up stopped, if one ran; locked until the transaction ends, so two
/// processes never roll up at once.
pub fn lock_rolled_until(conn: &mut DbConn) -> QueryResult<Option<NaiveDateTime>> {
    match conn {
        DbConn::Postgres(c) => stats_rollup::table
            .select(stats_rollup::rolled_until)
            .for_update()
            .first(c)
            .optional(),
        // The write transaction holds SQLite's one write lock already.
        DbConn::Sqlite(c) => stats_rollup::table
            .select(stats_rollup::rolled_until)
            .first(c)
            .optional(),
    }
}

pub fn set_rolled_until(conn: &mut DbConn, at: NaiveDateTime) -> QueryResult<()> {
    per_backend!(conn, |c| diesel::insert_into(stats_rollup::table)
        .values((stats_rollup::id.eq(1), stats_rollup::rolled_until.eq(at)))
        .on_conflict(stats_rollup::id)
        .do_update()
        .set(stats_rollup::rolled_until.eq(at))
        .execute(c))
    .map(drop)
}

/// Forgets every sum, so the next roll-up starts from the first data.
pub fn clear(conn: &mut DbConn) -> QueryResult<()> {
    diesel::delete(stats_rollup::table).execute(conn)?;
    diesel::delete(stats_revenue_daily::table).execute(conn)?;
    diesel::delete(stats_daily::table).execute(conn)?;
    diesel::delete(stats_revenue_hourly::table).execute(conn)?;
    diesel::delete(stats_hourly::table).execute(conn).map(drop)
}

/// When the earliest figure happened, if there is any.
pub fn earliest(conn: &mut DbConn) -> QueryResult<Option<NaiveDateTime>> {
    #[derive(QueryableByName)]
    struct Earliest {
        #[diesel(sql_type = diesel::sql_types::Nullable<Timestamp>)]
        at: Option<NaiveDateTime>,
    }
    // Each MIN is one index lookup.
    let sql = "SELECT MIN(at) AS at FROM ( \
         SELECT MIN(created_at) AS at FROM messages \
         UNION ALL SELECT MIN(first_clicked_at) FROM short_links \
         UNION ALL SELECT MIN(occurred_at) FROM consent_events \
         UNION ALL SELECT MIN(abandoned_at) FROM carts \
         UNION ALL SELECT MIN(placed_at) FROM orders) AS firsts";
    Ok(diesel::sql_query(sql).get_result::<Earliest>(conn)?.at)
}

/// How many of a store's latest orders decide the currency it sells in.
pub const RECENT_ORDERS: i64 = 100;

/// The currency most of the store's last `RECENT_ORDERS` orders are in (on a tie, the one
/// of the latest order), if it has orders with a currency. A majority, not the latest order
/// alone: one order in another currency does not relabel the store's revenue.
pub fn usual_order_currency(conn: &mut DbConn, store_id: i64) -> QueryResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Usual {
        #[diesel(sql_type = diesel::sql_types::Text)]
        currency: String,
    }
    // An order no event has given a total yet has no currency (''). `orders_store_placed`
    // walks the store's latest orders.
    diesel::sql_query(
        "SELECT currency FROM (SELECT currency, placed_at, id FROM orders \
         WHERE store_id = $1 AND currency <> '' \
         ORDER BY placed_at DESC, id DESC LIMIT $2) AS recent \
         GROUP BY currency ORDER BY COUNT(*) DESC, MAX(placed_at) DESC, MAX(id) DESC LIMIT 1",
    )
    .bind::<BigInt, _>(store_id)
    .bind::<BigInt, _>(RECENT_ORDERS)
    .get_result::<Usual>(conn)
    .optional()
    .map(|usual| usual.map(|u| u.currency))
}

/// Sums every store's hours in `[from, to)` (whole hours) again from the source tables.
pub fn roll_up(conn: &mut DbConn, from: NaiveDateTime, to: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(
        stats_hourly::table
            .filter(stats_hourly::hour.ge(from))
            .filter(stats_hourly::hour.lt(to)),
    )
    .execute(conn)?;
    diesel::delete(
        stats_revenue_hourly::table
            .filter(stats_revenue_hourly::hour.ge(from))
            .filter(stats_revenue_hourly::hour.lt(to)),
    )
    .execute(conn)?;
    let sql = RollUpSql::for_backend(conn);
    for statement in sql.statements() {
        diesel::sql_query(statement)
            .bind::<Timestamp, _>(from)
            .bind::<Timestamp, _>(to)
            .execute(conn)?;
    }
    Ok(())
}

/// The roll-up's statements, in each backend's words for "the hour of" and "a day before".
struct RollUpSql {
    hour: fn(&str) -> String,
    day_before: fn(&str) -> String,
}

impl RollUpSql {
    fn for_backend(conn: &DbConn) -> Self {
        match conn {
            DbConn::Postgres(_) => Self {
                hour: |column| format!("date_trunc('hour', {column})"),
                day_before: |column| format!("({column} - INTERVAL '24 hours')"),
            },
            // Timestamps are stored as `YYYY-MM-DD HH:MM:SS.ffffff` text, which sorts in time order.
            DbConn::Sqlite(_) => Self {
                hour: |column| format!("strftime('%Y-%m-%d %H:00:00', {column})"),
                day_before: |column| format!("datetime({column}, '-24 hours')"),
            },
        }
    }

    /// The campaign the customer's `contact` heard from last, within a day before `at`.
    fn last_campaign(&self, contact: &str, at: &str) -> String {
        format!(
            "COALESCE((SELECT o.campaign_id FROM messages o \
             WHERE o.contact_id = {contact} AND o.campaign_id IS NOT NULL \
             AND o.sent_at IS NOT NULL AND o.sent_at <= {at} AND o.sent_at >= {day_before} \
             ORDER BY o.sent_at DESC LIMIT 1), {NO_CAMPAIGN})",
            day_before = (self.day_before)(at),
        )
    }

    fn statements(&self) -> Vec<String> {
        let hour = self.hour;
        let add = |columns: &str, select: String| {
            let updates = columns
                .split(", ")
                .map(|c| format!("{c} = stats_hourly.{c} + excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "INSERT INTO stats_hourly (store_id, hour, campaign_id, {columns}) {select} \
                 GROUP BY 1, 2, 3 \
                 ON CONFLICT (store_id, hour, campaign_id) DO UPDATE SET {updates}"
            )
        };
        vec![
            add(
                "sent, delivered, failed, segments",
                format!(
                    "SELECT store_id, {h}, COALESCE(campaign_id, {NO_CAMPAIGN}), \
                     SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN status IN ('failed', 'undelivered') THEN 1 ELSE 0 END), \
                     SUM(CASE WHEN sent_at IS NOT NULL THEN segments ELSE 0 END) \
                     FROM messages WHERE direction = 'outbound' \
                     AND created_at >= $1 AND created_at < $2",
                    h = hour("created_at"),
                ),
            ),
            add(
                "clicks",
                format!(
                    "SELECT l.store_id, {h}, COALESCE(m.campaign_id, {NO_CAMPAIGN}), COUNT(*) \
                     FROM short_links l JOIN messages m ON m.id = l.message_id \
                     WHERE l.first_clicked_at >= $1 AND l.first_clicked_at < $2",
                    h = hour("l.first_clicked_at"),
                ),
            ),
            add(
                "replies",
                format!(
                    "SELECT i.store_id, {h}, {campaign}, COUNT(*) FROM messages i \
                     WHERE i.direction = 'inbound' AND i.created_at >= $1 AND i.created_at < $2",
                    h = hour("i.created_at"),
                    campaign = self.last_campaign("i.contact_id", "i.created_at"),
                ),
            ),
            // Opt-outs the customer made: not a box left unticked at checkout, nor numbers the
            // merchant added to the do-not-text list.
            add(
                "opt_outs",
                format!(
                    "SELECT e.store_id, {h}, {campaign}, COUNT(*) FROM consent_events e \
                     WHERE e.status = 'denied' AND e.source = '{CUSTOMERS_OPT_OUT}' \
                     AND e.occurred_at >= $1 AND e.occurred_at < $2",
                    h = hour("e.occurred_at"),
                    campaign = self.last_campaign("e.contact_id", "e.occurred_at"),
                ),
            ),
            add(
                "carts_abandoned",
                format!(
                    "SELECT store_id, {h}, {NO_CAMPAIGN}, COUNT(*) FROM carts \
                     WHERE abandoned_at >= $1 AND abandoned_at < $2",
                    h = hour("abandoned_at"),
                ),
            ),
            // Orders credited to a text, and the abandoned carts won back (a cart by the order
            // that closed it, if one did: later orders naming it win nothing back).
            add(
                "orders, carts_recovered",
                format!(
                    "SELECT o.store_id, {h}, COALESCE(m.campaign_id, {NO_CAMPAIGN}), COUNT(*), \
                     SUM(CASE WHEN c.abandoned_at IS NOT NULL \
                     AND (c.order_id = o.id OR c.order_id IS NULL) THEN 1 ELSE 0 END) \
                     FROM orders o JOIN messages m ON m.id = o.attributed_message_id \
                     LEFT JOIN carts c ON c.id = o.cart_id \
                     WHERE o.placed_at >= $1 AND o.placed_at < $2",
                    h = hour("o.placed_at"),
                ),
            ),
            // Their revenue, per currency: which one the store's figures are shown in is decided
            // when they are read, and may change after an hour is summed. An order without a
            // currency has no total yet.
            format!(
                "INSERT INTO stats_revenue_hourly \
                 (store_id, hour, campaign_id, currency, revenue_cents) \
                 SELECT o.store_id, {h}, COALESCE(m.campaign_id, {NO_CAMPAIGN}), o.currency, \
                 SUM(o.total_cents) \
                 FROM orders o JOIN messages m ON m.id = o.attributed_message_id \
                 WHERE o.placed_at >= $1 AND o.placed_at < $2 AND o.currency <> '' \
                 GROUP BY 1, 2, 3, 4",
                h = hour("o.placed_at"),
            ),
        ]
    }
}
