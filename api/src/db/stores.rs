use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::stores;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = stores)]
pub struct StoreRow {
    pub id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, name: &str, now: NaiveDateTime) -> QueryResult<StoreRow> {
    diesel::insert_into(stores::table)
        .values((stores::name.eq(name), stores::created_at.eq(now)))
        .returning(stores::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<StoreRow> {
    stores::table
        .find(id)
        .select(StoreRow::as_select())
        .first(conn)
}
