//! Raw events and the platforms' webhook secrets.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{events, integrations};

pub struct NewEvent<'a> {
    pub store_id: i64,
    pub source: &'a str,
    pub external_id: &'a str,
    pub event_type: &'a str,
    pub occurred_at: NaiveDateTime,
    pub payload: &'a str,
    pub outcome: &'a str,
    pub received_at: NaiveDateTime,
}

/// Stores the event; `None` when this (store, source, id) was already received. One
/// statement (`ON CONFLICT DO NOTHING`), so a concurrent delivery of the same event simply
/// finds it there.
pub fn insert_new(conn: &mut DbConn, new: &NewEvent<'_>) -> QueryResult<Option<i64>> {
    let insert = diesel::insert_into(events::table)
        .values((
            events::store_id.eq(new.store_id),
            events::source.eq(new.source),
            events::external_id.eq(new.external_id),
            events::event_type.eq(new.event_type),
            events::occurred_at.eq(new.occurred_at),
            events::payload.eq(new.payload),
            events::outcome.eq(new.outcome),
            events::received_at.eq(new.received_at),
        ))
        .on_conflict_do_nothing()
        .returning(events::id);
    super::per_backend!(conn, |c| insert.get_result(c).optional())
}

/// An event `insert_many` stored.
#[derive(Debug, QueryableByName)]
pub struct Stored {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub source: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub external_id: String,
}

/// Stores many events in few statements; returns those that were new. As with `insert_new`,
/// an event already received is skipped (`ON CONFLICT DO NOTHING`), and so is a repeat
/// within `new` (the first is stored).
pub fn insert_many(conn: &mut DbConn, new: &[NewEvent<'_>]) -> QueryResult<Vec<Stored>> {
    use diesel::sql_types::{BigInt, Text, Timestamp};
    let mut stored = Vec::with_capacity(new.len());
    for chunk in new.chunks(super::ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO events (store_id, source, external_id, event_type, occurred_at, \
             payload, outcome, received_at) VALUES {} ON CONFLICT DO NOTHING \
             RETURNING id, source, external_id",
            super::value_rows(chunk.len(), 8, 1, "")
        );
        let sql = super::numbered(conn, sql);
        let rows: Vec<Stored> = super::per_backend!(&mut *conn, |c| {
            let mut query = diesel::sql_query(&sql).into_boxed();
            for e in chunk {
                query = query
                    .bind::<BigInt, _>(e.store_id)
                    .bind::<Text, _>(e.source)
                    .bind::<Text, _>(e.external_id)
                    .bind::<Text, _>(e.event_type)
                    .bind::<Timestamp, _>(e.occurred_at)
                    .bind::<Text, _>(e.payload)
                    .bind::<Text, _>(e.outcome)
                    .bind::<Timestamp, _>(e.received_at);
            }
            query.load(c)
        })?;
        stored.extend(rows);
    }
    Ok(stored)
}

pub fn set_outcome_many(conn: &mut DbConn, ids: &[i64], outcome: &str) -> QueryResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    diesel::update(events::table.filter(events::id.eq_any(ids)))
        .set(events::outcome.eq(outcome))
        .execute(conn)
        .map(drop)
}

pub fn set_outcome(conn: &mut DbConn, id: i64, outcome: &str) -> QueryResult<()> {
    diesel::update(events::table.find(id))
        .set(events::outcome.eq(outcome))
        .execute(conn)
        .map(drop)
}

pub fn integration_secret(
    conn: &mut DbConn,
    store_id: i64,
    platform: &str,
) -> QueryResult<Option<String>> {
    integrations::table
        .filter(integrations::store_id.eq(store_id))
        .filter(integrations::platform.eq(platform))
        .select(integrations::secret)
        .first(conn)
        .optional()
}

pub fn save_integration_secret(
    conn: &mut DbConn,
    store_id: i64,
    platform: &str,
    secret: &str,
    now: NaiveDateTime,
) -> QueryResult<NaiveDateTime> {
    let updated = diesel::update(
        integrations::table
            .filter(integrations::store_id.eq(store_id))
            .filter(integrations::platform.eq(platform)),
    )
    .set((
        integrations::secret.eq(secret),
        integrations::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(integrations::table)
            .values((
                integrations::store_id.eq(store_id),
                integrations::platform.eq(platform),
                integrations::secret.eq(secret),
                integrations::created_at.eq(now),
                integrations::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(now)
}
