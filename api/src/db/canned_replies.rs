//! Replies a store writes once and inserts into conversations.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::canned_replies;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = canned_replies)]
pub struct CannedReplyRow {
    pub id: i64,
    pub store_id: i64,
    pub name: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The store's replies by name.
pub fn list(conn: &mut DbConn, store_id: i64) -> QueryResult<Vec<CannedReplyRow>> {
    canned_replies::table
        .filter(canned_replies::store_id.eq(store_id))
        .order((canned_replies::name, canned_replies::id))
        .select(CannedReplyRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConn, store_id: i64, id: i64) -> QueryResult<Option<CannedReplyRow>> {
    canned_replies::table
        .filter(canned_replies::store_id.eq(store_id))
        .filter(canned_replies::id.eq(id))
        .select(CannedReplyRow::as_select())
        .first(conn)
        .optional()
}

/// `None` when the store already has a reply of that name.
pub fn insert(
    conn: &mut DbConn,
    store_id: i64,
    name: &str,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<CannedReplyRow>> {
    let insert = diesel::insert_into(canned_replies::table)
        .values((
            canned_replies::store_id.eq(store_id),
            canned_replies::name.eq(name),
            canned_replies::body.eq(body),
            canned_replies::created_at.eq(now),
            canned_replies::updated_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .returning(canned_replies::all_columns);
    super::per_backend!(conn, |c| insert.get_result(c).optional())
}

pub fn update(
    conn: &mut DbConn,
    id: i64,
    name: &str,
    body: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(canned_replies::table.find(id))
        .set((
            canned_replies::name.eq(name),
            canned_replies::body.eq(body),
            canned_replies::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::delete(canned_replies::table.find(id))
        .execute(conn)
        .map(drop)
}
