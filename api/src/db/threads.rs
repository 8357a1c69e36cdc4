use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Integer;

use super::DbConn;
use super::schema::threads;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = threads)]
pub struct ThreadRow {
    pub id: i64,
    pub store_id: i64,
    pub contact_id: i64,
    pub last_message_at: NaiveDateTime,
    pub last_message_preview: String,
    pub unread_count: i32,
    pub created_at: NaiveDateTime,
    /// Closed by the merchant; the customer's next text reopens it.
    pub closed_at: Option<NaiveDateTime>,
    /// The first of the customer's texts that nobody has answered yet.
    pub awaiting_reply_since: Option<NaiveDateTime>,
}

const PREVIEW_CHARS: usize = 140;

fn preview(body: &str) -> String {
    body.chars().take(PREVIEW_CHARS).collect()
}

pub fn find_or_create(
    conn: &mut DbConn,
    store_id: i64,
    contact_id: i64,
    now: NaiveDateTime,
) -> QueryResult<ThreadRow> {
    let existing = threads::table
        .filter(threads::store_id.eq(store_id))
        .filter(threads::contact_id.eq(contact_id))
        .select(ThreadRow::as_select())
        .first(conn)
        .optional()?;
    if let Some(thread) = existing {
        return Ok(thread);
    }
    let insert = diesel::insert_into(threads::table)
        .values((
            threads::store_id.eq(store_id),
            threads::contact_id.eq(contact_id),
            threads::last_message_at.eq(now),
            threads::last_message_preview.eq(""),
            threads::unread_count.eq(0),
            threads::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .returning(threads::all_columns);
    match super::per_backend!(conn, |c| insert.get_result(c).optional())? {
        Some(created) => Ok(created),
        // Created by a concurrent transaction a moment ago.
        None => threads::table
            .filter(threads::store_id.eq(store_id))
            .filter(threads::contact_id.eq(contact_id))
            .select(ThreadRow::as_select())
            .first(conn),
    }
}

/// A campaign's text went out: the thread moves to the top (it is not unread: we wrote it).
/// It does not answer the customer.
pub fn record_outbound(
    conn: &mut DbConn,
    thread_id: i64,
    body: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    record_latest(conn, thread_id, body, at)
}

/// A person's reply went out: the customer is answered.
pub fn record_answer(
    conn: &mut DbConn,
    thread_id: i64,
    body: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(threads::table.find(thread_id))
        .set(threads::awaiting_reply_since.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    record_latest(conn, thread_id, body, at)
}

/// The confirmation of the customer's keyword (STOP, START, HELP) sent at `keyword_at`, the
/// keyword's own time.
pub fn record_confirmation(
    conn: &mut DbConn,
    thread_id: i64,
    body: &str,
    keyword_at: NaiveDateTime,
) -> QueryResult<()> {
    record_keyword_answered(conn, thread_id, keyword_at)?;
    record_latest(conn, thread_id, body, keyword_at)
}

/// The customer's keyword texted at `keyword_at` is answered (by us or by the provider): that
/// text needs no other answer, but an earlier question still does.
pub fn record_keyword_answered(
    conn: &mut DbConn,
    thread_id: i64,
    keyword_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        threads::table
            .find(thread_id)
            .filter(threads::awaiting_reply_since.eq(keyword_at)),
    )
    .set(threads::awaiting_reply_since.eq(None::<NaiveDateTime>))
    .execute(conn)
    .map(drop)
}

/// `body` at `at` is the thread's latest message, unless a later one is already recorded: a
/// dispatcher pass writes its texts at the time it started, which a customer's text that
/// arrived meanwhile has passed.
fn record_latest(
    conn: &mut DbConn,
    thread_id: i64,
    body: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        threads::table
            .filter(threads::id.eq(thread_id))
            .filter(threads::last_message_at.le(at)),
    )
    .set((
        threads::last_message_at.eq(at),
        threads::last_message_preview.eq(preview(body)),
    ))
    .execute(conn)
    .map(drop)
}

/// A customer's text arrived: the thread moves to the top, unread, and awaits an answer
/// (since this text, unless an earlier one is still unanswered).
pub fn record_inbound(
    conn: &mut DbConn,
    thread_id: i64,
    body: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(threads::table.find(thread_id))
        .set((
            threads::unread_count.eq(threads::unread_count + 1),
            threads::closed_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    diesel::update(
        threads::table
            .find(thread_id)
            .filter(threads::awaiting_reply_since.is_null()),
    )
    .set(threads::awaiting_reply_since.eq(at))
    .execute(conn)?;
    record_latest(conn, thread_id, body, at)
}

/// The threads of these contacts, who belong to these stores. The stores let both databases
/// use the (store, contact) index; by contact alone they read every thread.
pub fn of_contacts(
    conn: &mut DbConn,
    store_ids: &[i64],
    contact_ids: &[i64],
) -> QueryResult<Vec<ThreadRow>> {
    threads::table
        .filter(threads::store_id.eq_any(store_ids))
        .filter(threads::contact_id.eq_any(contact_ids))
        .select(ThreadRow::as_select())
        .load(conn)
}

/// The contact's thread, created with `body` as its latest message when it is new; an
/// existing one moves to the top with it. Returns the thread's id.
pub fn post_outbound(
    conn: &mut DbConn,
    store_id: i64,
    contact_id: i64,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let insert = diesel::insert_into(threads::table)
        .values((
            threads::store_id.eq(store_id),
            threads::contact_id.eq(contact_id),
            threads::last_message_at.eq(now),
            threads::last_message_preview.eq(preview(body)),
            threads::unread_count.eq(0),
            threads::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .returning(threads::id);
    if let Some(id) = super::per_backend!(conn, |c| insert.get_result(c).optional())? {
        return Ok(id);
    }
    let id = threads::table
        .filter(threads::store_id.eq(store_id))
        .filter(threads::contact_id.eq(contact_id))
        .select(threads::id)
        .first(conn)?;
    record_outbound(conn, id, body, now)?;
    Ok(id)
}

/// Which threads a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    All,
    Unread,
    AwaitingReply,
    OptedOut,
}

/// A page of the store's threads with what is shown of their contacts (only that: a page is
/// fifty of each), most recent activity first, after the (last_message_at, id) keyset
/// position `after`; `q` matches the contact's phone, email or name (see
/// `contacts::matches`).
pub fn list(
    conn: &mut DbConn,
    store_id: i64,
    only: Only,
    q: Option<&str>,
    after: Option<(NaiveDateTime, i64)>,
    limit: i64,
) -> QueryResult<Vec<(ThreadRow, super::contacts::ContactSummary)>> {
    use super::schema::contacts;
    let mut query = threads::table
        .inner_join(contacts::table)
        .filter(threads::store_id.eq(store_id))
        .select((
            ThreadRow::as_select(),
            super::contacts::ContactSummary::as_select(),
        ))
        .order((threads::last_message_at.desc(), threads::id.desc()))
        .limit(limit)
        .into_boxed();
    query = match only {
        Only::All => query,
        // A literal, not a bound 0: SQLite plans without bound values (see
        // `.cargo/config.toml`), and only `> 0` as written matches the partial index.
        Only::Unread => query.filter(threads::unread_count.gt(sql::<Integer>("0"))),
        // Not a customer who opted out: nothing can be sent to them.
        Only::AwaitingReply => query
            .filter(threads::awaiting_reply_since.is_not_null())
            .filter(contacts::opted_out_at.is_null()),
        // Tested against the store's opted-out contacts (a partial index holds them); the
        // threads index carries contact_id, so a thread that fails the test is not read.
        Only::OptedOut => {
            let opted_out = diesel::alias!(contacts as opted_out);
            query.filter(
                threads::contact_id.eq_any(
                    opted_out
                        .filter(opted_out.field(contacts::store_id).eq(store_id))
                        .filter(opted_out.field(contacts::opted_out_at).is_not_null())
                        .select(opted_out.field(contacts::id)),
                ),
            )
        }
    };
    // The matching contacts first: one pass over the store's contacts, however many or few
    // match (walking recent threads until a page matches is quick for a common name, but
    // reads every thread and its contact for a number that matches one).
    if let Some(q) = q {
        let matching = diesel::alias!(contacts as matching);
        query = query.filter(
            threads::contact_id.eq_any(
                matching
                    .filter(matching.field(contacts::store_id).eq(store_id))
                    .filter(super::contacts::matches(q))
                    .select(matching.field(contacts::id)),
            ),
        );
    }
    if let Some((at, id)) = after {
        query = query.filter(
            threads::last_message_at
                .lt(at)
                .or(threads::last_message_at.eq(at).and(threads::id.lt(id))),
        );
    }
    query.load(conn)
}

pub fn find(conn: &mut DbConn, store_id: i64, id: i64) -> QueryResult<ThreadRow> {
    threads::table
        .filter(threads::store_id.eq(store_id))
        .filter(threads::id.eq(id))
        .select(ThreadRow::as_select())
        .first(conn)
}

/// Marks the thread read (0) or unread (at least 1).
pub fn set_unread(conn: &mut DbConn, id: i64, unread: i32) -> QueryResult<()> {
    diesel::update(threads::table.find(id))
        .set(threads::unread_count.eq(unread))
        .execute(conn)
        .map(drop)
}

/// Closes the thread (`Some(now)`) or reopens it (`None`). Closing says nothing more is to be
/// answered: the customer is no longer waiting, until they text again.
pub fn set_closed(conn: &mut DbConn, id: i64, closed_at: Option<NaiveDateTime>) -> QueryResult<()> {
    let thread = threads::table.find(id);
    match closed_at {
        Some(_) => diesel::update(thread)
            .set((
                threads::closed_at.eq(closed_at),
                threads::awaiting_reply_since.eq(None::<NaiveDateTime>),
            ))
            .execute(conn),
        None => diesel::update(thread)
            .set(threads::closed_at.eq(closed_at))
            .execute(conn),
    }
    .map(drop)
}
