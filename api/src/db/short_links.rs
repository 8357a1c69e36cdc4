//! Short links in campaign texts: `/r/{code}` redirects to the target and counts the click.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::short_links;

pub fn insert(
    conn: &mut DbConn,
    store_id: i64,
    message_id: i64,
    code: &str,
    target_url: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(short_links::table)
        .values((
            short_links::code.eq(code),
            short_links::store_id.eq(store_id),
            short_links::message_id.eq(message_id),
            short_links::target_url.eq(target_url),
            short_links::clicks.eq(0),
            short_links::created_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Counts a click and returns where the link goes; `None` for an unknown code.
pub fn click(conn: &mut DbConn, code: &str, now: NaiveDateTime) -> QueryResult<Option<String>> {
    let target = diesel::update(short_links::table.filter(short_links::code.eq(code)))
        .set((
            short_links::clicks.eq(short_links::clicks + 1),
            short_links::last_clicked_at.eq(now),
        ))
        .returning(short_links::target_url)
        .get_result::<String>(conn)
        .optional()?;
    if target.is_some() {
        diesel::update(
            short_links::table
                .filter(short_links::code.eq(code))
                .filter(short_links::first_clicked_at.is_null()),
        )
        .set(short_links::first_clicked_at.eq(now))
        .execute(conn)?;
    }
    Ok(target)
}

/// Which of these texts had a link clicked, and when: (message_id, clicked_at), a row for the
/// first click and one for the last, so an order placed between the two still finds the click
/// before it. Asked in parts: an ingestion group backfilling old orders may name many texts.
pub fn clicked(
    conn: &mut DbConn,
    message_ids: &[i64],
) -> QueryResult<Vec<(i64, Option<NaiveDateTime>)>> {
    let mut clicked = Vec::new();
    for ids in message_ids.chunks(super::IDS_PER_STATEMENT) {
        let links = short_links::table
            .filter(short_links::message_id.eq_any(ids))
            .filter(short_links::clicks.gt(0))
            .select((
                short_links::message_id,
                short_links::first_clicked_at,
                short_links::last_clicked_at,
            ))
            .load::<(i64, Option<NaiveDateTime>, Option<NaiveDateTime>)>(conn)?;
        clicked.extend(
            links
                .into_iter()
                .flat_map(|(id, first, last)| [(id, first), (id, last)]),
        );
    }
    Ok(clicked)
}
