//! The hourly sums behind the results dashboard (`stats_hourly`), and the roll-up that
//! rebuilds them from messages, clicks, consent, carts and orders.
//!
//! Each figure counts in the hour it happened in: a text when it was written (sent, delivered
//! and failed are its outcome), a click at the first click, a reply when it arrived, an
//! opt-out when it was made, a cart when it was abandoned, an order (and its revenue) when it
//! was placed. Replies and opt-outs count for the campaign of the last campaign text the
//! customer got within the 24 hours before.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use super::schema::{stats_hourly, stats_rollup};
use super::{DbConn, per_backend};

/// The campaign id of texts of no campaign, and of store-wide figures.
pub const NO_CAMPAIGN: i64 = 0;

/// What is summed, per hour in `stats_hourly`, or over any period.
#[derive(Debug, Clone, Default, PartialEq, Eq, QueryableByName)]
#[diesel(table_name = stats_hourly)]
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
    pub revenue_cents: i64,
}

/// A campaign's sums over one of the periods `by_period` was given (by its index).
#[derive(Debug, Clone, QueryableByName)]
pub struct PeriodSums {
    #[diesel(sql_type = BigInt)]
    pub period: i64,
    #[diesel(sql_type = BigInt)]
    pub campaign_id: i64,
    #[diesel(embed)]
    pub sums: Sums,
}

/// The store's sums per campaign over each period `[start, end)` (consecutive local days,
/// say), added up by the database: a 90-day report reads a few hundred rows, not thousands
/// of hours. Periods with nothing in them are left out.
pub fn by_period(
    conn: &mut DbConn,
    store_id: i64,
    periods: &[(NaiveDateTime, NaiveDateTime)],
) -> QueryResult<Vec<PeriodSums>> {
    if periods.is_empty() {
        return Ok(Vec::new());
    }
    // Each period brings its index, start and end; then the store. In the order they appear
    // in the text: SQLite numbers `$n` parameters by appearance, not by `n`.
    let values = (0..periods.len())
        .map(|i| {
            let n = 1 + i * 3;
            format!("(${n}, ${}, ${})", n + 1, n + 2)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let store = 1 + periods.len() * 3;
    let sums = SUMMED
        .iter()
        .map(|c| format!("CAST(SUM(s.{c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    // One range read of the primary key per period.
    let sql = format!(
        "SELECT p.column1 AS period, s.campaign_id, {sums} \
         FROM (VALUES {values}) AS p \
         JOIN stats_hourly s ON s.store_id = ${store} AND s.hour >= p.column2 AND s.hour < p.column3 \
         GROUP BY p.column1, s.campaign_id"
    );
    per_backend!(conn, |c| {
        let mut query = diesel::sql_query(&sql).into_boxed();
        for (i, (start, end)) in periods.iter().enumerate() {
            query = query
                .bind::<BigInt, _>(i64::try_from(i).unwrap_or(i64::MAX))
                .bind::<Timestamp, _>(*start)
                .bind::<Timestamp, _>(*end);
        }
        query.bind::<BigInt, _>(store_id).load(c)
    })
}

/// The columns of `Sums`, for SQL written by hand.
const SUMMED: [&str; 11] = [
    "sent",
    "delivered",
    "failed",
    "segments",
    "clicks",
    "replies",
    "opt_outs",
    "carts_abandoned",
    "carts_recovered",
    "orders",
    "revenue_cents",
];

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

/// Sums every store's hours in `[from, to)` (whole hours) again from the source tables.
pub fn roll_up(conn: &mut DbConn, from: NaiveDateTime, to: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(
        stats_hourly::table
            .filter(stats_hourly::hour.ge(from))
            .filter(stats_hourly::hour.lt(to)),
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
            // Opt-outs the customer or the merchant made, not a box left unticked at checkout.
            add(
                "opt_outs",
                format!(
                    "SELECT e.store_id, {h}, {campaign}, COUNT(*) FROM consent_events e \
                     WHERE e.status = 'denied' AND e.source IN ('keyword', 'manual') \
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
            // Orders credited to a text: the revenue recovered, and the abandoned carts won back.
            add(
                "orders, revenue_cents, carts_recovered",
                format!(
                    "SELECT o.store_id, {h}, COALESCE(m.campaign_id, {NO_CAMPAIGN}), COUNT(*), \
                     SUM(o.total_cents), \
                     SUM(CASE WHEN c.abandoned_at IS NOT NULL THEN 1 ELSE 0 END) \
                     FROM orders o JOIN messages m ON m.id = o.attributed_message_id \
                     LEFT JOIN carts c ON c.id = o.cart_id \
                     WHERE o.placed_at >= $1 AND o.placed_at < $2",
                    h = hour("o.placed_at"),
                ),
            ),
        ]
    }
}
