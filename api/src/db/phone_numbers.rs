use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::phone_numbers;

pub const RESERVING: &str = "reserving";
pub const ACTIVE: &str = "active";
pub const RELEASED: &str = "released";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = phone_numbers)]
pub struct PhoneNumberRow {
    pub id: i64,
    pub store_id: i64,
    pub phone_number: String,
    pub provider_sid: Option<String>,
    pub country: String,
    pub region: Option<String>,
    pub locality: Option<String>,
    pub status: String,
    pub reserved_at: NaiveDateTime,
    pub reserved_by_user_id: Option<i64>,
    pub released_at: Option<NaiveDateTime>,
    pub provider_released_at: Option<NaiveDateTime>,
    /// The earliest time this number may send again (pacing shared by every worker).
    pub next_send_at: Option<NaiveDateTime>,
}

pub struct NewReservation<'a> {
    pub store_id: i64,
    pub phone_number: &'a str,
    pub country: &'a str,
    pub region: Option<&'a str>,
    pub locality: Option<&'a str>,
    pub reserved_by_user_id: Option<i64>,
    pub now: NaiveDateTime,
}

/// Claims the store's one live slot before the provider is called. Fails with a unique
/// violation when the store (or anyone) already holds the slot or the number.
pub fn claim(conn: &mut DbConn, new: &NewReservation<'_>) -> QueryResult<PhoneNumberRow> {
    diesel::insert_into(phone_numbers::table)
        .values((
            phone_numbers::store_id.eq(new.store_id),
            phone_numbers::phone_number.eq(new.phone_number),
            phone_numbers::country.eq(new.country),
            phone_numbers::region.eq(new.region),
            phone_numbers::locality.eq(new.locality),
            phone_numbers::status.eq(RESERVING),
            phone_numbers::reserved_at.eq(new.now),
            phone_numbers::reserved_by_user_id.eq(new.reserved_by_user_id),
        ))
        .returning(phone_numbers::all_columns)
        .get_result(conn)
}

/// Drops claims whose reservation never completed (the process died mid-way): the store's
/// own, and any store's on `phone_number`, which would otherwise keep it from everyone.
pub fn delete_stale_claims(
    conn: &mut DbConn,
    store_id: i64,
    phone_number: &str,
    older_than: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        phone_numbers::table
            .filter(
                phone_numbers::store_id
                    .eq(store_id)
                    .or(phone_numbers::phone_number.eq(phone_number)),
            )
            .filter(phone_numbers::status.eq(RESERVING))
            .filter(phone_numbers::reserved_at.lt(older_than)),
    )
    .execute(conn)
}

pub fn delete_claim(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::delete(
        phone_numbers::table
            .filter(phone_numbers::id.eq(id))
            .filter(phone_numbers::status.eq(RESERVING)),
    )
    .execute(conn)
}

pub fn activate(conn: &mut DbConn, id: i64, provider_sid: &str) -> QueryResult<PhoneNumberRow> {
    diesel::update(phone_numbers::table.filter(phone_numbers::id.eq(id)))
        .set((
            phone_numbers::status.eq(ACTIVE),
            phone_numbers::provider_sid.eq(provider_sid),
        ))
        .returning(phone_numbers::all_columns)
        .get_result(conn)
}

/// The store's numbers, newest first (the live one, if any, is first).
pub fn list(conn: &mut DbConn, store_id: i64) -> QueryResult<Vec<PhoneNumberRow>> {
    phone_numbers::table
        .filter(phone_numbers::store_id.eq(store_id))
        .filter(phone_numbers::status.ne(RESERVING))
        .order(phone_numbers::id.desc())
        .select(PhoneNumberRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConn, store_id: i64, id: i64) -> QueryResult<PhoneNumberRow> {
    phone_numbers::table
        .filter(phone_numbers::store_id.eq(store_id))
        .filter(phone_numbers::id.eq(id))
        .filter(phone_numbers::status.ne(RESERVING))
        .select(PhoneNumberRow::as_select())
        .first(conn)
}

// `released_at IS NULL` is implied by `active`; written out, it lets the partial indexes on
// live numbers serve these lookups.
pub fn active_for_store(conn: &mut DbConn, store_id: i64) -> QueryResult<Option<PhoneNumberRow>> {
    phone_numbers::table
        .filter(phone_numbers::store_id.eq(store_id))
        .filter(phone_numbers::released_at.is_null())
        .filter(phone_numbers::status.eq(ACTIVE))
        .select(PhoneNumberRow::as_select())
        .first(conn)
        .optional()
}

/// The active number with this E.164 value, in whichever store holds it.
pub fn active_by_number(
    conn: &mut DbConn,
    phone_number: &str,
) -> QueryResult<Option<PhoneNumberRow>> {
    phone_numbers::table
        .filter(phone_numbers::phone_number.eq(phone_number))
        .filter(phone_numbers::released_at.is_null())
        .filter(phone_numbers::status.eq(ACTIVE))
        .select(PhoneNumberRow::as_select())
        .first(conn)
        .optional()
}

/// Numbers held live by any store, among these; claims made before `stale_before` are dead
/// reservations and hold nothing.
pub fn live_among(
    conn: &mut DbConn,
    numbers: &[String],
    stale_before: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    phone_numbers::table
        .filter(phone_numbers::phone_number.eq_any(numbers))
        .filter(phone_numbers::released_at.is_null())
        .filter(
            phone_numbers::status
                .ne(RESERVING)
                .or(phone_numbers::reserved_at.ge(stale_before)),
        )
        .select(phone_numbers::phone_number)
        .load(conn)
}

/// Marks it released; `false` if it already was.
pub fn mark_released(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        phone_numbers::table
            .filter(phone_numbers::id.eq(id))
            .filter(phone_numbers::status.eq(ACTIVE)),
    )
    .set((
        phone_numbers::status.eq(RELEASED),
        phone_numbers::released_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn mark_provider_released(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(phone_numbers::table.filter(phone_numbers::id.eq(id)))
        .set(phone_numbers::provider_released_at.eq(now))
        .execute(conn)
        .map(drop)
}

/// Released numbers the provider has not confirmed releasing yet, in every store.
pub fn pending_provider_release(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<PhoneNumberRow>> {
    phone_numbers::table
        .filter(phone_numbers::status.eq(RELEASED))
        .filter(phone_numbers::provider_released_at.is_null())
        .filter(phone_numbers::provider_sid.is_not_null())
        .order(phone_numbers::id)
        .limit(limit)
        .select(PhoneNumberRow::as_select())
        .load(conn)
}

/// Whether a store released `phone_number` and the provider has not confirmed releasing it
/// yet: the account still holds it, on its way out.
pub fn release_pending(conn: &mut DbConn, phone_number: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        phone_numbers::table
            .filter(phone_numbers::phone_number.eq(phone_number))
            .filter(phone_numbers::status.eq(RELEASED))
            .filter(phone_numbers::provider_released_at.is_null())
            .filter(phone_numbers::provider_sid.is_not_null()),
    ))
    .get_result(conn)
}

/// The store's numbers held at any time in `[from, to)`: its charge periods there.
pub fn held_between(
    conn: &mut DbConn,
    store_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<PhoneNumberRow>> {
    phone_numbers::table
        .filter(phone_numbers::store_id.eq(store_id))
        .filter(phone_numbers::status.ne(RESERVING))
        .filter(phone_numbers::reserved_at.lt(to))
        .filter(
            phone_numbers::released_at
                .is_null()
                .or(phone_numbers::released_at.ge(from)),
        )
        .select(PhoneNumberRow::as_select())
        .load(conn)
}

/// Every store's active number (the simulator's command line picks from these).
pub fn all_active(conn: &mut DbConn) -> QueryResult<Vec<PhoneNumberRow>> {
    phone_numbers::table
        .filter(phone_numbers::status.eq(ACTIVE))
        .select(PhoneNumberRow::as_select())
        .load(conn)
}

/// Whether the store holds a number or is reserving one right now.
pub fn has_live(conn: &mut DbConn, store_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        phone_numbers::table
            .filter(phone_numbers::store_id.eq(store_id))
            .filter(phone_numbers::released_at.is_null()),
    ))
    .get_result(conn)
}

/// The active numbers of these stores. On PostgreSQL the rows stay locked until the
/// transaction ends, so concurrent dispatchers pace each number one after the other.
pub fn active_for_stores(conn: &mut DbConn, store_ids: &[i64]) -> QueryResult<Vec<PhoneNumberRow>> {
    let active = phone_numbers::table
        .filter(phone_numbers::store_id.eq_any(store_ids))
        .filter(phone_numbers::status.eq(ACTIVE))
        .filter(phone_numbers::released_at.is_null())
        .order(phone_numbers::id)
        .select(phone_numbers::all_columns);
    match conn {
        DbConn::Postgres(c) => active.for_update().load(c),
        DbConn::Sqlite(c) => active.load(c),
    }
}

pub fn set_next_send_at(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(phone_numbers::table.find(id))
        .set(phone_numbers::next_send_at.eq(at))
        .execute(conn)
        .map(drop)
}
