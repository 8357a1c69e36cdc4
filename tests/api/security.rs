//! Attacks from outside: guessing passwords in parallel, caches keeping what the API
//! answers, short links sent somewhere other than a web page.

use chrono::Timelike;
use reqwest::StatusCode;
use serde_json::{Value, json};
use textback_api::db;
use textback_tests::{TestApp, on_both_databases, problem};

use crate::dispatch::{checkout, pass, post, simulator, store_with_flow, utc};
use crate::numbers::stocked_area_code;

on_both_databases!(
    password_guesses_sent_together_are_held_to_the_limit,
    api_answers_are_never_cached,
    short_links_lead_only_to_web_pages,
    short_links_to_addresses_with_spaces_or_accents_redirect,
);

async fn password_guesses_sent_together_are_held_to_the_limit(app: TestApp) {
    app.signup("owner@maple.example").await;
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..20 {
        let request = app.http.post(app.url("/api/v1/auth/login")).json(
            &json!({"email": "Owner@Maple.example ", "password": format!("guess number {i}")}),
        );
        guesses.spawn(async move { request.send().await.unwrap().status() });
    }
    let statuses = guesses.join_all().await;
    let judged = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((judged, refused), (5, 15), "{statuses:?}");

    // Even the right password waits now.
    let right = json!({"email": "owner@maple.example", "password": "correct horse battery"});
    problem(app.post("/api/v1/auth/login", None, &right).await, 429).await;
}

async fn api_answers_are_never_cached(app: TestApp) {
    let no_store = |response: &reqwest::Response, what: &str| {
        assert_eq!(
            response
                .headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}"
        );
    };
    let signup = json!({"store_name": "Maple", "email": "owner@maple.example", "password": "correct horse battery"});
    let response = app.post("/api/v1/auth/signup", None, &signup).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    no_store(&response, "signup (a session token)");
    let token = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = json!({"email": "owner@maple.example", "password": "correct horse battery"});
    no_store(
        &app.post("/api/v1/auth/login", None, &login).await,
        "login (a session token)",
    );
    let key = app
        .post(
            "/api/v1/api-keys",
            Some(&token),
            &json!({"name": "Shop", "scopes": ["read"]}),
        )
        .await;
    assert_eq!(key.status(), StatusCode::CREATED);
    no_store(&key, "a new API key's secret");
    no_store(&app.get("/api/v1/me", &token).await, "the caller");
    no_store(
        &app.get("/api/v1/opt-outs.csv", &token).await,
        "opt-outs export",
    );
    no_store(&app.get("/api/v1/me", "forged").await, "a refusal");

    // The web app's files keep their own caching.
    let index = app.http.get(app.url("/inbox")).send().await.unwrap();
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let asset = app.http.get(app.url("/app.js")).send().await.unwrap();
    assert_eq!(asset.headers()["cache-control"], "public, max-age=3600");
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The short link in the store's only text.
fn sent_link(app: &TestApp) -> String {
    let sent = simulator(app).sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    sent[0]
        .body
        .split_whitespace()
        .find(|w| w.contains("/r/"))
        .unwrap_or_else(|| panic!("no link in {}", sent[0].body))
        .trim_end_matches('.')
        .to_owned()
}

async fn short_links_lead_only_to_web_pages(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    app.reserve_any(&owner, stocked_area_code()).await;
    let shipped = json!({"kind": "order_shipped", "name": "Shipped",
        "steps": [{"delay_minutes": 0, "body": "Order {{ order_number }} is on its way: {{ tracking_url }}"}]});
    let campaign = crate::dispatch::activate(&app, &owner, &shipped).await;
    let now = db::now().with_nanosecond(0).unwrap();
    let at = |s: i64| (now + chrono::Duration::seconds(s)).and_utc().to_rfc3339();
    for (id, kind, s) in [("e1", "order.placed", 0), ("e2", "order.shipped", 1)] {
        let event = json!({"id": id, "type": kind, "occurred_at": at(s),
            "customer": {"phone": "+14155550123"},
            "order": {"id": "order-1", "number": "#1001", "total": "178.00", "currency": "USD",
                "tracking_number": "1Z999", "tracking_url": "https://track.example.com/1Z999"}});
        post(&app, &owner, &event).await;
    }
    assert_eq!(pass(&app, now + chrono::Duration::minutes(1)).await.sent, 1);
    // Events are refused such a link now (see `events`); one stored before that rule, or
    // by any other way, is still never followed.
    {
        use diesel::prelude::*;
        use textback_api::db::schema::short_links;
        let mut conn = app.state.pool.get().unwrap();
        diesel::update(short_links::table)
            .set(short_links::target_url.eq("javascript:alert(document.domain)"))
            .execute(&mut conn)
            .unwrap();
    }

    let response = no_redirects().get(sent_link(&app)).send().await.unwrap();
    assert!(response.headers().get("location").is_none());
    problem(response, 404).await;
    let stats = crate::dispatch::campaign_results(&app, &owner, campaign).await;
    assert_eq!(stats["steps"][0]["clicked"], 0, "{stats}");
}

async fn short_links_to_addresses_with_spaces_or_accents_redirect(app: TestApp) {
    let (owner, _) = store_with_flow(&app, [15, 1440]).await;
    let mut cart = checkout("e1", "cart-1", "+14155550123", utc(16, 0));
    cart["cart"]["recovery_url"] = json!("https://boutique.example.com/panier/café crème?x=1");
    post(&app, &owner, &cart).await;
    crate::dispatch::abandon(&app, utc(17, 0));
    assert_eq!(pass(&app, utc(17, 20)).await.sent, 1);

    let response = no_redirects().get(sent_link(&app)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        response.headers()["location"],
        "https://boutique.example.com/panier/caf%C3%A9%20cr%C3%A8me?x=1"
    );
}
