//! Rows the API cannot create yet on its own (or not directly), for setting up a scene.

use textback_api::db;

/// An outbound text waiting to go out from the store's number to `to`; returns its id.
pub fn scheduled_message(app: &crate::TestApp, store_id: i64, to: &str) -> i64 {
    outbound_message(app, store_id, to, "scheduled", None)
}

/// An outbound text in `status`, with the provider's id when it was handed over.
pub fn outbound_message(
    app: &crate::TestApp,
    store_id: i64,
    to: &str,
    status: &str,
    provider_sid: Option<&str>,
) -> i64 {
    let mut conn = app.state.pool.get().expect("connection");
    let now = db::now();
    let contact =
        db::contacts::find_or_create_by_phone(&mut conn, store_id, to, now).expect("contact");
    let thread = db::threads::find_or_create(&mut conn, store_id, contact.id, now).expect("thread");
    let message = db::messages::NewMessage {
        store_id,
        thread_id: thread.id,
        contact_id: contact.id,
        phone_number_id: None,
        direction: db::messages::OUTBOUND,
        kind: "automated",
        body: "Your cart is waiting",
        status,
        segments: 1,
        from_number: "+14155550000",
        to_number: to,
        provider_sid,
        scheduled_for: Some(now),
        campaign: None,
        marketing: false,
        now,
    };
    db::messages::insert(&mut conn, &message)
        .expect("message")
        .id
}

pub fn message_status(app: &crate::TestApp, id: i64) -> (String, Option<i64>) {
    use diesel::prelude::*;
    use textback_api::db::schema::messages;
    let mut conn = app.state.pool.get().expect("connection");
    messages::table
        .find(id)
        .select((messages::status, messages::error_code))
        .first(&mut conn)
        .expect("message")
}

/// Every message of the store, oldest first: (direction, body, status).
pub fn messages_of_store(app: &crate::TestApp, store_id: i64) -> Vec<(String, String, String)> {
    use diesel::prelude::*;
    use textback_api::db::schema::messages;
    let mut conn = app.state.pool.get().expect("connection");
    messages::table
        .filter(messages::store_id.eq(store_id))
        .order(messages::id)
        .select((messages::direction, messages::body, messages::status))
        .load(&mut conn)
        .expect("messages")
}

/// How many events the store has received (all sources).
pub fn event_count(app: &crate::TestApp, store_id: i64) -> i64 {
    use diesel::prelude::*;
    use textback_api::db::schema::events;
    let mut conn = app.state.pool.get().expect("connection");
    events::table
        .filter(events::store_id.eq(store_id))
        .count()
        .get_result(&mut conn)
        .expect("count")
}
