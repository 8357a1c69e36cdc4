//! The answers kept for requests sent with an `Idempotency-Key` (see
//! `services::idempotency`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::idempotency_keys;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyKeyRow {
    pub id: i64,
    pub store_id: i64,
    pub idempotency_key: String,
    pub request_hash: String,
    pub response_status: i32,
    pub response_body: String,
    pub created_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConn, store_id: i64, key: &str) -> QueryResult<Option<IdempotencyKeyRow>> {
    idempotency_keys::table
        .filter(idempotency_keys::store_id.eq(store_id))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .select(IdempotencyKeyRow::as_select())
        .first(conn)
        .optional()
}

/// Takes the key for a request whose answer is still to come; `false` when another request
/// holds it. On PostgreSQL a claim made by a transaction still running waits for that
/// transaction to end, so a `false` always comes with the other request's answer to read.
pub fn claim(
    conn: &mut DbConn,
    store_id: i64,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let insert = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::store_id.eq(store_id),
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::response_status.eq(0),
            idempotency_keys::response_body.eq(""),
            idempotency_keys::created_at.eq(now),
        ))
        .on_conflict_do_nothing();
    super::per_backend!(conn, |c| insert.execute(c)).map(|inserted| inserted == 1)
}

/// Keeps the answer of the request that claimed the key.
pub fn answer(
    conn: &mut DbConn,
    store_id: i64,
    key: &str,
    status: i32,
    body: &str,
) -> QueryResult<()> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::store_id.eq(store_id))
            .filter(idempotency_keys::idempotency_key.eq(key)),
    )
    .set((
        idempotency_keys::response_status.eq(status),
        idempotency_keys::response_body.eq(body),
    ))
    .execute(conn)
    .map(drop)
}

/// Forgets the store's key if it was claimed before `cutoff`, so it may be used afresh.
pub fn forget_if_older(
    conn: &mut DbConn,
    store_id: i64,
    key: &str,
    cutoff: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::store_id.eq(store_id))
            .filter(idempotency_keys::idempotency_key.eq(key))
            .filter(idempotency_keys::created_at.lt(cutoff)),
    )
    .execute(conn)
    .map(drop)
}

/// Forgets every key claimed before `cutoff`; how many.
pub fn forget_before(conn: &mut DbConn, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
        .execute(conn)
}
