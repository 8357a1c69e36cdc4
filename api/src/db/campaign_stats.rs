//! A campaign's results, counted by the database step by step: a campaign may have sent
//! millions of texts, so neither the texts nor lists of their ids ever reach the server.

use chrono::Duration;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::DbConn;

/// What one step's texts led to (`step_id` is `None` for texts of a step since removed).
#[derive(Debug, QueryableByName)]
pub struct StepOutcomes {
    #[diesel(sql_type = Nullable<BigInt>)]
    pub step_id: Option<i64>,
    #[diesel(sql_type = BigInt)]
    pub sent: i64,
    #[diesel(sql_type = BigInt)]
    pub delivered: i64,
    #[diesel(sql_type = BigInt)]
    pub failed: i64,
    /// Texts whose link was opened at least once.
    #[diesel(sql_type = BigInt)]
    pub clicked: i64,
    /// Texts the customer texted back within `window` of, before any later campaign text.
    #[diesel(sql_type = BigInt)]
    pub replied: i64,
    /// Texts the customer opted out within `window` of (by keyword: their own opt-outs, as the
    /// dashboard counts them, not numbers the merchant put on the do-not-text list; a later
    /// START does not undo it), before any later campaign text.
    #[diesel(sql_type = BigInt)]
    pub opted_out: i64,
}

/// The orders credited to one step's texts.
#[derive(Debug, QueryableByName)]
pub struct StepOrders {
    #[diesel(sql_type = Nullable<BigInt>)]
    pub step_id: Option<i64>,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    /// The totals of those in the currency asked for.
    #[diesel(sql_type = BigInt)]
    pub revenue_cents: i64,
}

/// The campaign's texts by step, with what followed each within `window` of its sending.
pub fn outcomes_by_step(
    conn: &mut DbConn,
    campaign_id: i64,
    window: Duration,
) -> QueryResult<Vec<StepOutcomes>> {
    let window_end = later_by(conn, "m.sent_at", window);
    let sql = format!(
        "SELECT m.step_id AS step_id, \
         SUM(CASE WHEN m.sent_at IS NOT NULL THEN 1 ELSE 0 END) AS sent, \
         SUM(CASE WHEN m.status = 'delivered' THEN 1 ELSE 0 END) AS delivered, \
         SUM(CASE WHEN m.status IN ('failed', 'undelivered') THEN 1 ELSE 0 END) AS failed, \
         SUM(CASE WHEN EXISTS (SELECT 1 FROM short_links l \
             WHERE l.message_id = m.id AND l.clicks > 0) THEN 1 ELSE 0 END) AS clicked, \
         SUM(CASE WHEN EXISTS (SELECT 1 FROM messages i \
             WHERE i.contact_id = m.contact_id AND i.direction = 'inbound' \
             AND i.created_at >= m.sent_at AND i.created_at <= {window_end} \
             AND {reply_answers_m}) \
             THEN 1 ELSE 0 END) AS replied, \
         SUM(CASE WHEN EXISTS (SELECT 1 FROM consent_events e \
             WHERE e.contact_id = m.contact_id AND e.status = 'denied' \
             AND e.source = '{customers}' \
             AND e.occurred_at >= m.sent_at AND e.occurred_at <= {window_end} \
             AND {opt_out_follows_m}) \
             THEN 1 ELSE 0 END) AS opted_out \
         FROM messages m \
         WHERE m.campaign_id = $1 GROUP BY m.step_id",
        reply_answers_m = last_campaign_text_before("i.created_at"),
        opt_out_follows_m = last_campaign_text_before("e.occurred_at"),
        customers = super::stats::CUSTOMERS_OPT_OUT,
    );
    diesel::sql_query(sql)
        .bind::<BigInt, _>(campaign_id)
        .load(conn)
}

/// The orders credited to the campaign's texts, by the step of the text credited, with the
/// revenue of those in `currency`.
pub fn orders_by_step(
    conn: &mut DbConn,
    campaign_id: i64,
    currency: &str,
) -> QueryResult<Vec<StepOrders>> {
    // SUM of a BIGINT is a NUMERIC on PostgreSQL. SQLite numbers `$n` parameters in the order
    // they first appear, so they appear here in the order they are bound.
    diesel::sql_query(
        "SELECT m.step_id AS step_id, COUNT(*) AS orders, \
         CAST(SUM(CASE WHEN o.currency = $1 THEN o.total_cents ELSE 0 END) AS BIGINT) \
         AS revenue_cents \
         FROM orders o JOIN messages m ON m.id = o.attributed_message_id \
         WHERE m.campaign_id = $2 GROUP BY m.step_id",
    )
    .bind::<Text, _>(currency)
    .bind::<BigInt, _>(campaign_id)
    .load(conn)
}

/// Whether `m` is the last campaign text its customer got by `at`: a reply or an opt-out
/// counts for that text alone (as on the dashboard), not for every text of the day before.
fn last_campaign_text_before(at: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM messages n WHERE n.contact_id = m.contact_id \
         AND n.campaign_id IS NOT NULL AND n.sent_at <= {at} \
         AND (n.sent_at > m.sent_at OR (n.sent_at = m.sent_at AND n.id > m.id)))"
    )
}

/// `column` plus `by`, in the backend's words.
fn later_by(conn: &DbConn, column: &str, by: Duration) -> String {
    let seconds = by.num_seconds();
    match conn {
        DbConn::Postgres(_) => format!("({column} + INTERVAL '{seconds} seconds')"),
        // Timestamps are `YYYY-MM-DD HH:MM:SS.ffffff` text, which sorts in time order; `%f`
        // keeps milliseconds.
        DbConn::Sqlite(_) => {
            format!("strftime('%Y-%m-%d %H:%M:%f', {column}, '+{seconds} seconds')")
        }
    }
}
