//! Faults: the database connection drops while events pour in (requests fail cleanly with
//! 503, never a 500, succeed when sent again, and every event is stored once); the server is
//! stopped under load (what it took is finished, it exits cleanly).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;
use textback_api::config::DatabaseUrl;
use textback_tests::{Backend, ServerProcess, TestApp, on_both_backends, problem};

const EVENTS: usize = 120;
const SIGNING_SECRET: &str = "fault-test-secret-0123456789abcdef0123";
const CLIENTS: usize = 6;

fn event(i: usize) -> serde_json::Value {
    json!({
        "id": format!("fault-{i}"), "type": "checkout.updated",
        "occurred_at": "2026-12-01T10:00:00Z",
        "customer": {"phone": format!("+1415555{i:04}"), "first_name": "Ada"},
        "cart": {"id": format!("cart-{i}"), "total": "20.00", "currency": "USD"}
    })
}

/// PostgreSQL only: there the database is a server whose connections can drop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(textback_pg), ignore = "TEST_DATABASE_URL is not set")]
async fn ingestion_survives_dropped_database_connections() {
    let app = Arc::new(TestApp::spawn(Backend::Postgres).await);
    let owner = app.signup("owner@maple.example").await;
    let (_, key) = app.create_key(&owner, &["events"]).await;
    let DatabaseUrl::Postgres(url) = app.state.settings.database_url.clone() else {
        unreachable!("a PostgreSQL app")
    };

    // Every 40 ms, every other connection to the database is cut.
    let cutting = Arc::new(AtomicBool::new(true));
    let cutter = {
        let cutting = cutting.clone();
        std::thread::spawn(move || {
            let mut conn = PgConnection::establish(&url).expect("a connection of its own");
            let mut cuts = 0;
            while cutting.load(Ordering::Relaxed) {
                diesel::sql_query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = current_database() AND pid <> pg_backend_pid()",
                )
                .execute(&mut conn)
                .expect("cut");
                cuts += 1;
                std::thread::sleep(Duration::from_millis(40));
            }
            cuts
        })
    };

    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (app, key) = (app.clone(), key.clone());
        clients.push(tokio::spawn(async move {
            let mut refused = Vec::new();
            for i in (client..EVENTS).step_by(CLIENTS) {
                let response = app.post("/api/v1/events", Some(&key), &event(i)).await;
                match response.status() {
                    status if status.is_success() => {}
                    StatusCode::SERVICE_UNAVAILABLE => {
                        problem(response, 503).await;
                        refused.push(i);
                    }
                    status => panic!(
                        "event {i}: {status} {}",
                        response.text().await.unwrap_or_default()
                    ),
                }
            }
            refused
        }));
    }
    let mut refused = Vec::new();
    for client in clients {
        refused.extend(client.await.unwrap());
    }
    cutting.store(false, Ordering::Relaxed);
    let cuts = cutter.join().unwrap();
    assert!(cuts > 3, "the connections were cut only {cuts} times");

    // Sent again once the database is back, every refused event goes in (or was in already).
    for i in &refused {
        let mut status = StatusCode::SERVICE_UNAVAILABLE;
        // The pool may still hold a connection cut at the very end: it is discarded on use.
        for _ in 0..5 {
            status = app
                .post("/api/v1/events", Some(&key), &event(*i))
                .await
                .status();
            if status.is_success() {
                break;
            }
        }
        assert!(status.is_success(), "event {i} again: {status}");
    }
    // Each event once, each cart once: nothing lost, nothing doubled, nothing half-written.
    let mut conn = app.state.pool.get().unwrap();
    use textback_api::db::schema::{carts, events};
    let stored: i64 = events::table
        .filter(events::store_id.eq(owner.store_id))
        .filter(events::source.eq("api"))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let carts: i64 = carts::table
        .filter(carts::store_id.eq(owner.store_id))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!((stored, carts), (EVENTS as i64, EVENTS as i64));
    eprintln!(
        "{} of {EVENTS} events refused with 503 while connections were cut {cuts} times",
        refused.len()
    );
}

on_both_backends!(sigterm_under_load_finishes_what_it_started);

/// Clients keep posting events to a real `textback serve` when it gets SIGTERM: every request
/// it took is answered and committed, later ones are refused at the door, and it exits cleanly.
async fn sigterm_under_load_finishes_what_it_started(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let server = ServerProcess::start(&app, &[("JWT_SECRET", SIGNING_SECRET)]);
    let http = reqwest::Client::new();
    let signup = json!({"store_name": "Maple", "email": "owner@maple.example",
        "password": "correct horse battery"});
    let session: serde_json::Value = http
        .post(server.url("/api/v1/auth/signup"))
        .json(&signup)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (token, store_id) = (
        session["token"].as_str().unwrap().to_owned(),
        session["store"]["id"].as_i64().unwrap(),
    );

    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (http, url, token, stop) = (
            http.clone(),
            server.url("/api/v1/events"),
            token.clone(),
            stop.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut accepted = 0_i64;
            for i in (client..).step_by(CLIENTS) {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                match http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&event(i))
                    .send()
                    .await
                {
                    Ok(response) if response.status().is_success() => accepted += 1,
                    Ok(response) => panic!("event {i}: {}", response.status()),
                    // Refused at the door once the server stops listening.
                    Err(_) => break,
                }
            }
            accepted
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.terminate();
    let (status, output) = tokio::task::spawn_blocking(move || server.wait())
        .await
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    let mut accepted = 0;
    for client in clients {
        accepted += client.await.unwrap();
    }
    assert!(status.success(), "{status:?}\n{output}");
    assert!(accepted > 0, "no event went in before the stop");

    // Every event the server answered is stored, with its cart: nothing half-written.
    let mut conn = app.state.pool.get().unwrap();
    use textback_api::db::schema::{carts, events};
    let stored: i64 = events::table
        .filter(events::store_id.eq(store_id))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let carts: i64 = carts::table
        .filter(carts::store_id.eq(store_id))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(carts, stored);
    assert_eq!(stored, accepted, "answered events and stored events");
}
