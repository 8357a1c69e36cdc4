//! `Idempotency-Key` on the requests that create something: an integrator's retry gets the
//! first answer again and creates nothing more.

use chrono::Duration;
use diesel::prelude::*;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use textback_api::db::{self, schema::idempotency_keys};
use textback_api::services::idempotency;
use textback_tests::{TestApp, on_both_databases, problem};

on_both_databases!(
    a_campaign_posted_again_with_its_key_is_created_once,
    a_key_is_the_stores_own_and_lasts_a_day,
    a_refused_request_leaves_its_key_free,
    the_same_request_sent_twice_at_once_creates_one_campaign,
    a_canned_reply_posted_again_with_its_key_is_answered_as_the_first_time,
    bad_keys_are_refused,
);

fn flow(name: &str) -> Value {
    json!({
        "kind": "abandoned_cart",
        "name": name,
        "steps": [{"delay_minutes": 60, "body": "Your cart at {{ store_name }} is waiting: {{ cart_url }}"}]
    })
}

/// An integration's key, as integrators send these requests.
async fn integration(app: &TestApp, email: &str) -> String {
    let owner = app.signup(email).await;
    app.create_key(&owner, &["read", "write"]).await.1
}

async fn post(app: &TestApp, key: &str, path: &str, body: &str, idempotency_key: &str) -> Response {
    app.request(Method::POST, path, Some(key))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", idempotency_key)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

/// Posts `flow(name)` as a new campaign.
async fn post_flow(app: &TestApp, key: &str, name: &str, idempotency_key: &str) -> Response {
    let body = flow(name).to_string();
    post(app, key, "/api/v1/campaigns", &body, idempotency_key).await
}

async fn campaign_names(app: &TestApp, key: &str) -> Vec<String> {
    let listed: Value = app
        .get("/api/v1/campaigns", key)
        .await
        .json()
        .await
        .unwrap();
    listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

fn replayed(response: &Response) -> bool {
    response
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v == "true")
}

async fn a_campaign_posted_again_with_its_key_is_created_once(app: TestApp) {
    let key = integration(&app, "owner@maple.example").await;
    let first = post_flow(&app, &key, "Reminders", "k-1").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(!replayed(&first));
    let first: Value = first.json().await.unwrap();

    // The retry's JSON is laid out differently; it is the same request.
    let pretty = serde_json::to_string_pretty(&flow("Reminders")).unwrap();
    let again = post(&app, &key, "/api/v1/campaigns", &pretty, "k-1").await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert!(replayed(&again), "a replayed answer says so");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(campaign_names(&app, &key).await, ["Reminders"]);

    // The key again with another request: refused, nothing created.
    let other = post_flow(&app, &key, "Other", "k-1").await;
    let refused = problem(other, 422).await;
    assert_eq!(refused.errors[0].field, "Idempotency-Key");
    assert_eq!(campaign_names(&app, &key).await, ["Reminders"]);

    // Without a key, each request creates.
    for _ in 0..2 {
        let response = app
            .post("/api/v1/campaigns", Some(&key), &flow("Unkeyed"))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    assert_eq!(campaign_names(&app, &key).await.len(), 3);
}

async fn a_key_is_the_stores_own_and_lasts_a_day(app: TestApp) {
    let maple = integration(&app, "owner@maple.example").await;
    let birch = integration(&app, "owner@birch.example").await;
    let mine = post_flow(&app, &maple, "Reminders", "k-1").await;
    let theirs = post_flow(&app, &birch, "Reminders", "k-1").await;
    assert!(
        !replayed(&theirs),
        "another store's key of the same name is not this one"
    );
    let (mine, theirs): (Value, Value) = (mine.json().await.unwrap(), theirs.json().await.unwrap());
    assert_ne!(mine["id"], theirs["id"]);
    assert_eq!(campaign_names(&app, &birch).await, ["Reminders"]);

    // A day later the key is free again, and the background expiry forgets it.
    let mut conn = app.state.pool.get().unwrap();
    let day_ago = db::now() - idempotency::KEPT_FOR - Duration::seconds(1);
    diesel::update(idempotency_keys::table)
        .set(idempotency_keys::created_at.eq(day_ago))
        .execute(&mut *conn)
        .unwrap();
    let later = post_flow(&app, &maple, "Later", "k-1").await;
    assert_eq!(later.status(), StatusCode::CREATED);
    assert!(!replayed(&later));
    assert_eq!(campaign_names(&app, &maple).await, ["Later", "Reminders"]);
    assert_eq!(
        idempotency::expire(&mut conn, db::now()).unwrap(),
        1,
        "birch's old key"
    );
    let kept: i64 = idempotency_keys::table
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(kept, 1, "maple's new key stays");
}

async fn a_refused_request_leaves_its_key_free(app: TestApp) {
    let key = integration(&app, "owner@maple.example").await;
    let mut bad = flow("Reminders");
    bad["steps"][0]["body"] = json!("Hi {{ frist_name }}");
    let refused = post(&app, &key, "/api/v1/campaigns", &bad.to_string(), "k-1").await;
    problem(refused, 422).await;
    let corrected = post_flow(&app, &key, "Reminders", "k-1").await;
    assert_eq!(corrected.status(), StatusCode::CREATED);
    assert!(!replayed(&corrected));
    assert_eq!(campaign_names(&app, &key).await, ["Reminders"]);
}

async fn the_same_request_sent_twice_at_once_creates_one_campaign(app: TestApp) {
    let key = integration(&app, "owner@maple.example").await;
    let body = flow("Reminders").to_string();
    for round in 0..8 {
        let idempotency_key = format!("k-{round}");
        let (a, b) = tokio::join!(
            post(&app, &key, "/api/v1/campaigns", &body, &idempotency_key),
            post(&app, &key, "/api/v1/campaigns", &body, &idempotency_key),
        );
        assert_eq!(
            (a.status(), b.status()),
            (StatusCode::CREATED, StatusCode::CREATED)
        );
        assert_eq!(replayed(&a) as u8 + replayed(&b) as u8, 1, "round {round}");
        let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
        assert_eq!(a["id"], b["id"], "round {round}");
    }
    assert_eq!(campaign_names(&app, &key).await.len(), 8);
}

async fn a_canned_reply_posted_again_with_its_key_is_answered_as_the_first_time(app: TestApp) {
    let key = integration(&app, "owner@maple.example").await;
    let body =
        json!({"name": "Shipping", "body": "We ship in 2 days, {{ first_name }}."}).to_string();
    let first = post(&app, &key, "/api/v1/canned-replies", &body, "r-1").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    // Without the key, the retry would be a 409: the name is taken, by the first request.
    let again = post(&app, &key, "/api/v1/canned-replies", &body, "r-1").await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert!(replayed(&again));
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    // The same key on another operation is another request.
    let campaign = post_flow(&app, &key, "Reminders", "r-1").await;
    problem(campaign, 422).await;
}

async fn bad_keys_are_refused(app: TestApp) {
    let key = integration(&app, "owner@maple.example").await;
    let body = flow("Reminders").to_string();
    for bad in ["", "   ", &"k".repeat(201)] {
        let response = post(&app, &key, "/api/v1/campaigns", &body, bad).await;
        let refused = problem(response, 400).await;
        assert!(
            refused.detail.contains("Idempotency-Key"),
            "{}",
            refused.detail
        );
    }
    assert!(campaign_names(&app, &key).await.is_empty());
}
