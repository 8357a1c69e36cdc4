//! The outbox: texts campaigns will send, claimed by dispatchers with a lease.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::outbox;

pub const SCHEDULED: &str = "scheduled";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const CANCELLED: &str = "cancelled";
pub const FAILED: &str = "failed";

pub const MARKETING: &str = "marketing";
pub const TRANSACTIONAL: &str = "transactional";
/// The merchant's replies: not held by quiet hours, never to an opted-out customer.
pub const CONVERSATIONAL: &str = "conversational";
/// Opt-out, opt-in and HELP confirmations: the one text an opted-out customer may get.
pub const COMPLIANCE: &str = "compliance";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub store_id: i64,
    /// `None` for compliance texts (opt-out, opt-in, HELP confirmations).
    pub campaign_id: Option<i64>,
    pub step_id: Option<i64>,
    pub contact_id: i64,
    pub cart_id: Option<i64>,
    pub order_id: Option<i64>,
    pub purpose: String,
    pub status: String,
    pub reason: Option<String>,
    pub due_at: NaiveDateTime,
    pub attempts: i32,
    pub lease_until: Option<NaiveDateTime>,
    pub claimed_by: Option<String>,
    pub message_id: Option<i64>,
    pub dedupe_key: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl OutboxRow {
    pub fn is_marketing(&self) -> bool {
        self.purpose == MARKETING
    }
}

pub struct NewOutbox {
    pub store_id: i64,
    pub campaign_id: Option<i64>,
    pub step_id: Option<i64>,
    /// Set when the text is written already (compliance texts); else rendered when sent.
    pub message_id: Option<i64>,
    pub contact_id: i64,
    pub cart_id: Option<i64>,
    pub order_id: Option<i64>,
    pub purpose: &'static str,
    pub due_at: NaiveDateTime,
    pub dedupe_key: String,
}

/// Schedules the text unless one with the same key already is (a replay); `true` if new.
pub fn schedule(conn: &mut DbConn, new: &NewOutbox, now: NaiveDateTime) -> QueryResult<bool> {
    let insert = diesel::insert_into(outbox::table)
        .values((
            outbox::store_id.eq(new.store_id),
            outbox::campaign_id.eq(new.campaign_id),
            outbox::step_id.eq(new.step_id),
            outbox::contact_id.eq(new.contact_id),
            outbox::cart_id.eq(new.cart_id),
            outbox::message_id.eq(new.message_id),
            outbox::order_id.eq(new.order_id),
            outbox::purpose.eq(new.purpose),
            outbox::status.eq(SCHEDULED),
            outbox::due_at.eq(new.due_at),
            outbox::attempts.eq(0),
            outbox::dedupe_key.eq(&new.dedupe_key),
            outbox::created_at.eq(now),
            outbox::updated_at.eq(now),
        ))
        .on_conflict_do_nothing();
    super::per_backend!(conn, |c| insert.execute(c)).map(|n| n == 1)
}

/// `schedule` for many texts at once; returns how many were new.
pub fn schedule_many(
    conn: &mut DbConn,
    new: &[NewOutbox],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    let mut scheduled = 0;
    for chunk in new.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO outbox (store_id, campaign_id, step_id, contact_id, cart_id, \
             message_id, order_id, purpose, due_at, dedupe_key, status, created_at, \
             updated_at, attempts) VALUES {} ON CONFLICT DO NOTHING",
            super::value_rows(chunk.len(), 13, 1, ", 0")
        );
        let sql = super::numbered(conn, sql);
        scheduled += super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql).into_boxed();
            for n in chunk {
                query = query
                    .bind::<BigInt, _>(n.store_id)
                    .bind::<Nullable<BigInt>, _>(n.campaign_id)
                    .bind::<Nullable<BigInt>, _>(n.step_id)
                    .bind::<BigInt, _>(n.contact_id)
                    .bind::<Nullable<BigInt>, _>(n.cart_id)
                    .bind::<Nullable<BigInt>, _>(n.message_id)
                    .bind::<Nullable<BigInt>, _>(n.order_id)
                    .bind::<Text, _>(n.purpose)
                    .bind::<Timestamp, _>(n.due_at)
                    .bind::<Text, _>(n.dedupe_key.as_str())
                    .bind::<Text, _>(SCHEDULED)
                    .bind::<Timestamp, _>(now)
                    .bind::<Timestamp, _>(now);
            }
            query.execute(c)
        })?;
    }
    Ok(scheduled)
}

/// `cancel` for the texts of many carts at once.
pub fn cancel_for_carts(
    conn: &mut DbConn,
    cart_ids: &[i64],
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    if cart_ids.is_empty() {
        return Ok(0);
    }
    let messages = diesel::update(
        outbox::table
            .filter(outbox::status.eq(SCHEDULED))
            .filter(outbox::cart_id.eq_any(cart_ids)),
    )
    .set((
        outbox::status.eq(CANCELLED),
        outbox::reason.eq(reason),
        outbox::updated_at.eq(now),
    ))
    .returning(outbox::message_id)
    .get_results(conn)?;
    cancel_messages(conn, messages, now)
}

/// The conversation messages of texts just cancelled (a reply, a confirmation, a retried
/// reminder: written before they were sent) say they will not go out, rather than wait as
/// `queued` for ever and count against the daily limit. Returns how many texts there were.
fn cancel_messages(
    conn: &mut DbConn,
    messages: Vec<Option<i64>>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let texts = messages.len();
    let written: Vec<i64> = messages.into_iter().flatten().collect();
    super::messages::cancel_unsent_many(conn, &written, now)?;
    Ok(texts)
}

/// Cancels the contacts' texts that have not been claimed yet (as `cancel` does a scope's).
pub fn cancel_for_contacts(
    conn: &mut DbConn,
    contact_ids: &[i64],
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut cancelled = 0;
    for ids in contact_ids.chunks(super::IDS_PER_STATEMENT) {
        let messages = diesel::update(
            outbox::table
                .filter(outbox::status.eq(SCHEDULED))
                .filter(outbox::contact_id.eq_any(ids)),
        )
        .set((
            outbox::status.eq(CANCELLED),
            outbox::reason.eq(reason),
            outbox::updated_at.eq(now),
        ))
        .returning(outbox::message_id)
        .get_results(conn)?;
        cancelled += cancel_messages(conn, messages, now)?;
    }
    Ok(cancelled)
}

/// Which scheduled texts to cancel.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Cart(i64),
    Campaign(i64),
    Store(i64),
}

/// Cancels the scope's texts that have not been claimed yet; a text being sent is checked
/// again by its dispatcher before it goes out.
pub fn cancel(
    conn: &mut DbConn,
    scope: Scope,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let scheduled = outbox::table.filter(outbox::status.eq(SCHEDULED));
    let set = (
        outbox::status.eq(CANCELLED),
        outbox::reason.eq(reason),
        outbox::updated_at.eq(now),
    );
    let messages = match scope {
        Scope::Cart(id) => diesel::update(scheduled.filter(outbox::cart_id.eq(id)))
            .set(set)
            .returning(outbox::message_id)
            .get_results(conn)?,
        Scope::Campaign(id) => diesel::update(scheduled.filter(outbox::campaign_id.eq(id)))
            .set(set)
            .returning(outbox::message_id)
            .get_results(conn)?,
        Scope::Store(id) => diesel::update(scheduled.filter(outbox::store_id.eq(id)))
            .set(set)
            .returning(outbox::message_id)
            .get_results(conn)?,
    };
    cancel_messages(conn, messages, now)
}

/// Claims up to `limit` due texts until `lease_until`. On PostgreSQL rows another worker
/// holds are skipped (`FOR UPDATE SKIP LOCKED`), so workers share the work without overlap;
/// SQLite runs one write transaction at a time, so its claims cannot overlap either.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
    lease_until: NaiveDateTime,
    worker: &str,
) -> QueryResult<Vec<OutboxRow>> {
    let due = outbox::table
        .filter(outbox::status.eq(SCHEDULED))
        .filter(outbox::due_at.le(now))
        .order((outbox::due_at, outbox::id))
        .limit(limit)
        .select(outbox::id);
    let ids: Vec<i64> = match conn {
        DbConn::Postgres(c) => due.for_update().skip_locked().load(c)?,
        DbConn::Sqlite(c) => due.load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            outbox::status.eq(SENDING),
            outbox::lease_until.eq(lease_until),
            outbox::claimed_by.eq(worker),
            outbox::updated_at.eq(now),
        ))
        .returning(outbox::all_columns)
        .get_results(conn)
}

/// When the next scheduled text falls due, if any is scheduled: a simulated clock (the demo
/// store) steps straight to it.
pub fn next_due(conn: &mut DbConn) -> QueryResult<Option<NaiveDateTime>> {
    outbox::table
        .filter(outbox::status.eq(SCHEDULED))
        .select(diesel::dsl::min(outbox::due_at))
        .first(conn)
}

/// Texts whose dispatcher lost its lease (it died, or hung) while sending.
pub fn lease_expired(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxRow>> {
    let expired = outbox::table
        .filter(outbox::status.eq(SENDING))
        .filter(outbox::lease_until.lt(now))
        .order(outbox::id)
        .limit(limit)
        // All columns rather than `as_select()`, whose type is fixed to one backend.
        .select(outbox::all_columns);
    match conn {
        DbConn::Postgres(c) => expired.for_update().skip_locked().load(c),
        DbConn::Sqlite(c) => expired.load(c),
    }
}

/// Back to the queue, due at `due_at` (deferred, or retried after an error).
pub fn reschedule(
    conn: &mut DbConn,
    id: i64,
    due_at: NaiveDateTime,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(SCHEDULED),
            outbox::due_at.eq(due_at),
            outbox::reason.eq(reason),
            outbox::lease_until.eq(None::<NaiveDateTime>),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Keeps the text leased (in `sending`) until `until`, when the reconciler takes it over.
pub fn hold_until(
    conn: &mut DbConn,
    id: i64,
    until: NaiveDateTime,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::lease_until.eq(until),
            outbox::reason.eq(reason),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Sent, cancelled or failed: final.
pub fn finish(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(status),
            outbox::reason.eq(reason),
            outbox::lease_until.eq(None::<NaiveDateTime>),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// For each (text, message) pair: the conversation message the text became, and one more
/// attempt at sending it. One statement for a pass (`UPDATE … FROM (VALUES …)`).
pub fn start_attempts(conn: &mut DbConn, started: &[(i64, i64)]) -> QueryResult<()> {
    use diesel::sql_types::BigInt;
    for chunk in started.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE outbox SET message_id = v.column2, attempts = outbox.attempts + 1 \
             FROM (VALUES {}) AS v WHERE outbox.id = v.column1",
            super::value_rows(chunk.len(), 2, 1, "")
        );
        let sql = super::numbered(conn, sql);
        super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql).into_boxed();
            for (outbox_id, message_id) in chunk {
                query = query
                    .bind::<BigInt, _>(*outbox_id)
                    .bind::<BigInt, _>(*message_id);
            }
            query.execute(c)
        })?;
    }
    Ok(())
}

/// How many of each status a campaign's texts are in, per step: (step_id, status, count).
pub fn counts_by_step(
    conn: &mut DbConn,
    campaign_id: i64,
) -> QueryResult<Vec<(Option<i64>, String, i64)>> {
    outbox::table
        .filter(outbox::campaign_id.eq(campaign_id))
        .group_by((outbox::step_id, outbox::status))
        .select((outbox::step_id, outbox::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Takes rows over under a fresh lease (the reconciler, for rows whose worker went away).
pub fn extend_lease(
    conn: &mut DbConn,
    ids: &[i64],
    lease_until: NaiveDateTime,
    worker: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set((
            outbox::lease_until.eq(lease_until),
            outbox::claimed_by.eq(worker),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether a text whose key starts with `prefix` was queued for the contact since `since`.
pub fn queued_since(
    conn: &mut DbConn,
    contact_id: i64,
    prefix: &str,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    let found: Option<i64> = outbox::table
        .filter(outbox::contact_id.eq(contact_id))
        .filter(outbox::dedupe_key.like(format!("{prefix}%")))
        .filter(outbox::created_at.gt(since))
        .select(outbox::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Marks many texts with one final status at once (the dispatcher's sent texts of a pass).
pub fn finish_many(
    conn: &mut DbConn,
    ids: &[i64],
    status: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set((
            outbox::status.eq(status),
            outbox::reason.eq(None::<String>),
            outbox::lease_until.eq(None::<NaiveDateTime>),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// The message of the store's text queued under `key`, if one was.
pub fn message_of_key(conn: &mut DbConn, store_id: i64, key: &str) -> QueryResult<Option<i64>> {
    let found: Option<Option<i64>> = outbox::table
        .filter(outbox::store_id.eq(store_id))
        .filter(outbox::dedupe_key.eq(key))
        .select(outbox::message_id)
        .first(conn)
        .optional()?;
    Ok(found.flatten())
}
