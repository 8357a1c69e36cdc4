use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::api_keys;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    pub id: i64,
    pub store_id: i64,
    pub name: String,
    pub prefix: String,
    pub secret_hash: String,
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub struct NewApiKey<'a> {
    pub store_id: i64,
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a str,
    pub scopes: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewApiKey<'_>) -> QueryResult<ApiKeyRow> {
    diesel::insert_into(api_keys::table)
        .values((
            api_keys::store_id.eq(new.store_id),
            api_keys::name.eq(new.name),
            api_keys::prefix.eq(new.prefix),
            api_keys::secret_hash.eq(new.secret_hash),
            api_keys::scopes.eq(new.scopes),
            api_keys::created_at.eq(new.created_at),
        ))
        .returning(api_keys::all_columns)
        .get_result(conn)
}

/// A live (not revoked) key by its visible prefix, in any store: how a request's key is found.
pub fn find_live_by_prefix(conn: &mut DbConn, prefix: &str) -> QueryResult<Option<ApiKeyRow>> {
    api_keys::table
        .filter(api_keys::prefix.eq(prefix))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()
}

/// Whether key `id` exists and is not revoked.
pub fn is_live(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        api_keys::table
            .filter(api_keys::id.eq(id))
            .filter(api_keys::revoked_at.is_null()),
    ))
    .get_result(conn)
}

/// The store's live keys, newest first, after the cursor id.
pub fn list_live(
    conn: &mut DbConn,
    store_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ApiKeyRow>> {
    let mut query = api_keys::table
        .filter(api_keys::store_id.eq(store_id))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .order(api_keys::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before_id {
        query = query.filter(api_keys::id.lt(before));
    }
    query.load(conn)
}

/// Revokes the store's key; `false` when there is no such live key in this store.
pub fn revoke(conn: &mut DbConn, store_id: i64, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        api_keys::table
            .filter(api_keys::store_id.eq(store_id))
            .filter(api_keys::id.eq(id))
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Records a use, at most once a minute per key so that busy integrations do not turn every
/// read into a write.
pub fn touch(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    let a_minute_ago = now - chrono::Duration::minutes(1);
    diesel::update(
        api_keys::table.filter(api_keys::id.eq(id)).filter(
            api_keys::last_used_at
                .is_null()
                .or(api_keys::last_used_at.lt(a_minute_ago)),
        ),
    )
    .set(api_keys::last_used_at.eq(now))
    .execute(conn)
    .map(drop)
}
