//! Faults found auditing compliance and sending, each pinned where a customer or a merchant
//! would meet it: a text recorded as sent that never went out, a reminder beyond the daily
//! cap, a cancelled text still shown as on its way.

use std::sync::Arc;

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use textback_api::db;
use textback_tests::{Session, TestApp, fixtures, on_both_databases};

use crate::dispatch::{
    FaultySends, SendFault, abandon, checkout, outbox_rows, pass, post, simulator, store_with_flow,
    utc,
};
use crate::inbox::{store, text_in};

on_both_databases!(
    a_reply_that_never_reached_the_provider_is_sent_though_its_words_were,
    two_workers_keep_the_daily_limit_between_them,
    a_reply_cancelled_by_a_stop_says_so_in_the_conversation,
);

const ADA: &str = "+14155550123";

async fn reply(app: &TestApp, owner: &Session, thread: &Value, body: &str) {
    let response = app
        .request(
            Method::POST,
            &format!("/api/v1/threads/{thread}/messages"),
            Some(&owner.token),
        )
        .json(&json!({ "body": body }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

async fn first_thread(app: &TestApp, owner: &Session) -> Value {
    let threads: Value = app
        .get("/api/v1/threads", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    threads["items"][0]["id"].clone()
}

/// The merchant answers "Thanks!" twice. The second send times out without reaching the
/// provider; the reconciler, asking the provider what went out, must not take the first
/// "Thanks!" for it: the second is sent, and each is recorded with its own provider id.
async fn a_reply_that_never_reached_the_provider_is_sent_though_its_words_were(app: TestApp) {
    let (owner, number) = store(&app).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM000000000000000000000000000000a1",
        "Hi!",
    )
    .await;
    let thread = first_thread(&app, &owner).await;
    reply(&app, &owner, &thread, "Thanks!").await;
    let now = db::now();
    assert_eq!(pass(&app, now + Duration::seconds(1)).await.sent, 1);

    text_in(
        &app,
        &number,
        ADA,
        "SM000000000000000000000000000000a2",
        "Is it in blue?",
    )
    .await;
    reply(&app, &owner, &thread, "Thanks!").await;
    let mut unreachable = app.state.clone();
    unreachable.sms = Arc::new(FaultySends(
        app.simulator.clone().unwrap(),
        SendFault::TimesOut,
    ));
    let report = textback_api::services::dispatch::run_pass(
        &unreachable,
        "test-worker",
        now + Duration::seconds(2),
    )
    .await
    .unwrap();
    assert_eq!(report.retrying, 1, "{report:?}");

    // After the backoff, the provider has only the first "Thanks!".
    let later = textback_api::services::dispatch::run_pass(
        &app.state,
        "test-worker",
        now + Duration::minutes(5),
    )
    .await;
    assert!(later.is_ok(), "{later:?}");
    let sent: Vec<String> = simulator(&app).sent().into_iter().map(|s| s.body).collect();
    assert_eq!(sent.len(), 2, "{sent:?} {:?}", outbox_rows(&app));
    let replies: Vec<(String, String, String)> = fixtures::messages_of_store(&app, owner.store_id)
        .into_iter()
        .filter(|(direction, _, _)| direction == "outbound")
        .collect();
    assert_eq!(
        replies.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
        ["delivered", "delivered"],
        "{replies:?}"
    );
}

/// Until a connection of this test's database waits on a lock held by another (PostgreSQL);
/// SQLite runs one writer at a time, so a second writer simply starts after the first.
pub(crate) async fn until_someone_waits_for_a_lock(app: &TestApp) {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Waiting {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    for _ in 0..500 {
        let mut conn = app.state.pool.get().unwrap();
        let db::DbConn::Postgres(pg) = &mut *conn else {
            return;
        };
        let waiting: Waiting = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result(pg)
        .unwrap();
        if waiting.n > 0 {
            return;
        }
        drop(conn);
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("nobody waited for the lock");
}

/// One marketing text a day. Another worker's pass is sending Ada a reminder of another flow
/// (its number locked, its text written, not yet committed) when this worker claims Ada's
/// first step: it must count that text once the other pass is done, and defer, not send a
/// second reminder the same day.
async fn two_workers_keep_the_daily_limit_between_them(app: TestApp) {
    let (owner, _) = store_with_flow(&app, [60, 1440]).await;
    let limited = app
        .request(Method::PATCH, "/api/v1/store", Some(&owner.token))
        .json(&json!({"marketing_per_day": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), StatusCode::OK);
    post(&app, &owner, &checkout("e1", "cart-1", ADA, utc(16, 0))).await;
    abandon(&app, utc(17, 0));

    let (written, other_wrote) = tokio::sync::oneshot::channel();
    let (commit, committed) = std::sync::mpsc::channel::<()>();
    let (pool, store_id) = (app.state.pool.clone(), owner.store_id);
    let other_worker = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        db::write_transaction(&mut conn, |conn| {
            let number = db::phone_numbers::active_for_stores(conn, &[store_id])?.remove(0);
            let ada = db::contacts::find_by_phone(conn, store_id, ADA)?.unwrap();
            let at = utc(17, 59);
            let thread = db::threads::find_or_create(conn, store_id, ada.id, at)?;
            db::messages::insert(
                conn,
                &db::messages::NewMessage {
                    store_id,
                    thread_id: thread.id,
                    contact_id: ada.id,
                    phone_number_id: Some(number.id),
                    direction: db::messages::OUTBOUND,
                    kind: db::messages::KIND_AUTOMATED,
                    body: "Still thinking it over? Reply STOP to opt out.",
                    status: db::messages::STATUS_SENDING,
                    segments: 1,
                    from_number: &number.phone_number,
                    to_number: ADA,
                    provider_sid: None,
                    scheduled_for: Some(at),
                    campaign: None,
                    marketing: true,
                    now: at,
                },
            )?;
            written.send(()).unwrap();
            committed.recv().unwrap();
            Ok(())
        })
        .unwrap();
    });
    other_wrote.await.unwrap();
    let state = app.state.clone();
    let this_worker = tokio::spawn(async move {
        textback_api::services::dispatch::run_pass(&state, "this-worker", utc(18, 0)).await
    });
    until_someone_waits_for_a_lock(&app).await;
    commit.send(()).unwrap();
    other_worker.join().unwrap();
    let report = this_worker.await.unwrap().unwrap();
    assert_eq!((report.sent, report.deferred), (0, 1), "{report:?}");
    assert!(simulator(&app).sent().is_empty());
    assert_eq!(
        outbox_rows(&app)[0],
        (
            "scheduled".to_owned(),
            Some("daily marketing limit reached".to_owned())
        )
    );
}

/// The merchant answers; before the dispatcher's next pass the customer texts STOP. The
/// answer must not go, and the conversation must say it will not (not "queued" forever).
async fn a_reply_cancelled_by_a_stop_says_so_in_the_conversation(app: TestApp) {
    let (owner, number) = store(&app).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM000000000000000000000000000000c1",
        "Do you ship to Utah?",
    )
    .await;
    let thread = first_thread(&app, &owner).await;
    reply(&app, &owner, &thread, "We do, free over $50.").await;
    text_in(
        &app,
        &number,
        ADA,
        "SM000000000000000000000000000000c2",
        "STOP",
    )
    .await;
    assert_eq!(pass(&app, db::now() + Duration::seconds(1)).await.sent, 1);

    let sent = simulator(&app).sent();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].body.contains("You're unsubscribed"),
        "{}",
        sent[0].body
    );
    let statuses: Vec<(String, String)> = fixtures::messages_of_store(&app, owner.store_id)
        .into_iter()
        .filter(|(direction, _, _)| direction == "outbound")
        .map(|(_, body, status)| (body, status))
        .collect();
    assert_eq!(
        statuses[0],
        ("We do, free over $50.".to_owned(), "cancelled".to_owned()),
        "{statuses:?}"
    );
}
