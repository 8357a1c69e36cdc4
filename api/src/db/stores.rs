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
    pub country: Option<String>,
    pub region: Option<String>,
    pub abandon_after_minutes: i32,
    /// Marketing texts per contact per 24 hours (never above the strictest state limit).
    pub marketing_per_day: i32,
    /// The store's own narrower sending window, when it set one.
    pub quiet_start_hour: Option<i32>,
    pub quiet_end_hour: Option<i32>,
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

/// Sets where the store is (for number suggestions); `None` leaves a field as it is.
pub fn update(
    conn: &mut DbConn,
    id: i64,
    name: Option<&str>,
    country: Option<&str>,
    region: Option<&str>,
) -> QueryResult<StoreRow> {
    let target = stores::table.find(id);
    if let Some(name) = name {
        diesel::update(target)
            .set(stores::name.eq(name))
            .execute(conn)?;
    }
    if let Some(country) = country {
        diesel::update(target)
            .set(stores::country.eq(country))
            .execute(conn)?;
    }
    if let Some(region) = region {
        diesel::update(target)
            .set(stores::region.eq(region))
            .execute(conn)?;
    }
    find(conn, id)
}

pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<StoreRow>> {
    stores::table
        .filter(stores::id.eq_any(ids))
        .select(StoreRow::as_select())
        .load(conn)
}

/// The store's own limits on marketing texts; `None` leaves one as it is.
pub fn update_limits(
    conn: &mut DbConn,
    id: i64,
    sending_hours: Option<(i32, i32)>,
    marketing_per_day: Option<i32>,
) -> QueryResult<()> {
    let target = stores::table.find(id);
    if let Some((start, end)) = sending_hours {
        diesel::update(target)
            .set((
                stores::quiet_start_hour.eq(start),
                stores::quiet_end_hour.eq(end),
            ))
            .execute(conn)?;
    }
    if let Some(per_day) = marketing_per_day {
        diesel::update(target)
            .set(stores::marketing_per_day.eq(per_day))
            .execute(conn)?;
    }
    Ok(())
}
