use chrono::NaiveDateTime;
use diesel::dsl::{count_star, sum};
use diesel::prelude::*;

use super::DbConn;
use super::schema::messages;

pub const INBOUND: &str = "inbound";
pub const OUTBOUND: &str = "outbound";
pub const KIND_CUSTOMER: &str = "customer";
pub const KIND_AUTOMATED: &str = "automated";
/// A reply written by the merchant.
pub const KIND_MANUAL: &str = "manual";
/// Opt-out, opt-in and HELP confirmations.
pub const KIND_SYSTEM: &str = "system";
pub const STATUS_SENDING: &str = "sending";
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
    /// The campaign step that sent it (automated texts only).
    pub campaign: Option<(i64, i64)>,
    pub marketing: bool,
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
            messages::campaign_id.eq(new.campaign.map(|(campaign, _)| campaign)),
            messages::step_id.eq(new.campaign.map(|(_, step)| step)),
            messages::marketing.eq(new.marketing),
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

/// Cancels every outbound message of the store that has not gone out yet. One the provider
/// took (it has a provider id) has gone, whatever its status: Twilio calls a text it took
/// `queued`, and its delivery report is still to come.
pub fn cancel_unsent(conn: &mut DbConn, store_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        messages::table
            .filter(messages::store_id.eq(store_id))
            .filter(messages::direction.eq(OUTBOUND))
            .filter(messages::status.eq_any(NOT_YET_SENT))
            .filter(messages::provider_sid.is_null()),
    )
    .set((
        messages::status.eq(STATUS_CANCELLED),
        messages::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Cancels these messages unless they have gone out (as `cancel_unsent`): the texts that
/// were to carry them were cancelled before being sent.
pub fn cancel_unsent_many(
    conn: &mut DbConn,
    ids: &[i64],
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut cancelled = 0;
    for chunk in ids.chunks(super::IDS_PER_STATEMENT) {
        cancelled += diesel::update(
            messages::table
                .filter(messages::id.eq_any(chunk))
                .filter(messages::status.eq_any(NOT_YET_SENT))
                .filter(messages::provider_sid.is_null()),
        )
        .set((
            messages::status.eq(STATUS_CANCELLED),
            messages::updated_at.eq(now),
        ))
        .execute(conn)?;
    }
    Ok(cancelled)
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

pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<MessageRow>> {
    messages::table
        .filter(messages::id.eq_any(ids))
        .select(MessageRow::as_select())
        .load(conn)
}

/// When each of these contacts' marketing texts since `since` were created (sent or on
/// their way): (contact_id, message id, created_at).
pub fn marketing_since(
    conn: &mut DbConn,
    contact_ids: &[i64],
    since: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64, NaiveDateTime)>> {
    messages::table
        .filter(messages::contact_id.eq_any(contact_ids))
        .filter(messages::marketing.eq(true))
        .filter(messages::created_at.gt(since))
        .filter(messages::status.ne_all([STATUS_CANCELLED, "failed"]))
        .order(messages::created_at)
        .select((messages::contact_id, messages::id, messages::created_at))
        .load(conn)
}

/// What the carrier reported it could not deliver: such a text won no order.
const NOT_DELIVERED: [&str; 2] = ["failed", "undelivered"];

/// The contact's campaign texts sent in `[since, until]` and not reported undelivered, newest
/// first: (id, sent_at).
pub fn campaign_texts_between(
    conn: &mut DbConn,
    contact_id: i64,
    since: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<(i64, Option<NaiveDateTime>)>> {
    messages::table
        .filter(messages::contact_id.eq(contact_id))
        .filter(messages::campaign_id.is_not_null())
        .filter(messages::sent_at.between(since, until))
        .filter(messages::status.ne_all(NOT_DELIVERED))
        .order(messages::sent_at.desc())
        .select((messages::id, messages::sent_at))
        .load(conn)
}

/// `campaign_texts_between` for many contacts at once: (contact_id, message id, sent_at),
/// most recently sent first.
pub fn campaign_texts_of_contacts(
    conn: &mut DbConn,
    contact_ids: &[i64],
    since: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64, Option<NaiveDateTime>)>> {
    if contact_ids.is_empty() {
        return Ok(Vec::new());
    }
    messages::table
        .filter(messages::contact_id.eq_any(contact_ids))
        .filter(messages::campaign_id.is_not_null())
        .filter(messages::sent_at.between(since, until))
        .filter(messages::status.ne_all(NOT_DELIVERED))
        .order(messages::sent_at.desc())
        .select((messages::contact_id, messages::id, messages::sent_at))
        .load(conn)
}

/// What the provider said when it accepted a text.
pub struct Accepted<'a> {
    pub message_id: i64,
    pub provider_sid: &'a str,
    pub status: &'a str,
    pub error_code: Option<i64>,
}

/// Statuses only a delivery report brings, further along than any answer to a send.
pub const REPORTED_OUTCOMES: [&str; 5] = ["sent", "delivered", "undelivered", "failed", "read"];

/// A message's status once `record_sent_many` has recorded its send.
#[derive(Debug, QueryableByName)]
pub struct RecordedStatus {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub status: String,
}

/// Records many accepted texts in one statement (`UPDATE … FROM (VALUES …)`, which both
/// databases read alike): a dispatcher pass's worth. Returns each message's status after.
pub fn record_sent_many(
    conn: &mut DbConn,
    accepted: &[Accepted<'_>],
    now: NaiveDateTime,
) -> QueryResult<Vec<RecordedStatus>> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
    // A delivery report can arrive before the send's answer (it finds the text by the id in
    // its callback URL): its status is newer news than the answer's `queued`, so it is kept.
    let reported = REPORTED_OUTCOMES.map(|s| format!("'{s}'")).join(", ");
    let mut recorded = Vec::with_capacity(accepted.len());
    for chunk in accepted.chunks(super::ROWS_PER_STATEMENT) {
        // `$1` is the time; each text brings four more numbered parameters.
        let sql = format!(
            "UPDATE messages SET provider_sid = v.column2, sent_at = $1, updated_at = $1, \
             status = CASE WHEN messages.status IN ({reported}) THEN messages.status \
             ELSE v.column3 END, \
             error_code = CASE WHEN messages.status IN ({reported}) THEN messages.error_code \
             ELSE v.column4 END, \
             delivered_at = CASE WHEN messages.status IN ({reported}) THEN messages.delivered_at \
             WHEN v.column3 = 'delivered' THEN $1 ELSE NULL END \
             FROM (VALUES {}) AS v WHERE messages.id = v.column1 RETURNING id, status",
            super::value_rows(chunk.len(), 4, 2, "")
        );
        let sql = super::numbered(conn, sql);
        let rows: Vec<RecordedStatus> = super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql)
                .into_boxed()
                .bind::<Timestamp, _>(now);
            for a in chunk {
                query = query
                    .bind::<BigInt, _>(a.message_id)
                    .bind::<Text, _>(a.provider_sid)
                    .bind::<Text, _>(a.status)
                    .bind::<Nullable<BigInt>, _>(a.error_code);
            }
            query.load(c)
        })?;
        recorded.extend(rows);
    }
    Ok(recorded)
}

/// A delivery report for message `id`: applied only while the message's status is one of
/// `behind` and its provider id is `provider_sid` or not recorded yet (both checked in the
/// statement, so concurrent reports and the dispatcher cannot move it backwards). Records the
/// provider id, which a report arriving before the send's answer brings first. Whether it
/// applied.
pub fn apply_report(
    conn: &mut DbConn,
    id: i64,
    provider_sid: &str,
    status: &str,
    error_code: Option<i64>,
    behind: &[&str],
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        messages::table
            .filter(messages::id.eq(id))
            .filter(messages::status.eq_any(behind))
            .filter(
                messages::provider_sid
                    .is_null()
                    .or(messages::provider_sid.eq(provider_sid)),
            ),
    )
    .set((
        messages::provider_sid.eq(provider_sid),
        messages::status.eq(status),
        messages::error_code.eq(error_code),
        messages::delivered_at.eq((status == "delivered").then_some(now)),
        messages::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated > 0)
}

/// A page of the thread's messages, newest first, before message `before_id`.
pub fn of_thread(
    conn: &mut DbConn,
    thread_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<MessageRow>> {
    let mut query = messages::table
        .filter(messages::thread_id.eq(thread_id))
        .select(MessageRow::as_select())
        .order(messages::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before_id {
        query = query.filter(messages::id.lt(before));
    }
    query.load(conn)
}
