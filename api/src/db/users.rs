use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::users;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub store_id: i64,
    pub email: String,
    pub password_hash: String,
    pub created_at: NaiveDateTime,
}

pub struct NewUser<'a> {
    pub store_id: i64,
    /// Already normalised (trimmed, lower case).
    pub email: &'a str,
    pub password_hash: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConn, new: &NewUser<'_>) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values((
            users::store_id.eq(new.store_id),
            users::email.eq(new.email),
            users::password_hash.eq(new.password_hash),
            users::created_at.eq(new.created_at),
        ))
        .returning(users::all_columns)
        .get_result(conn)
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_in_store(conn: &mut DbConn, store_id: i64, id: i64) -> QueryResult<UserRow> {
    users::table
        .filter(users::store_id.eq(store_id))
        .filter(users::id.eq(id))
        .select(UserRow::as_select())
        .first(conn)
}

pub fn set_password_hash(conn: &mut DbConn, id: i64, password_hash: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)
        .map(drop)
}
