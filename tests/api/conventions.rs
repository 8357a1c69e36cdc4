//! What every endpoint shares: problem+json for bad input, request ids, the SPA fallback,
//! health and metrics.

use reqwest::{Method, StatusCode};
use serde_json::json;
use textback_tests::{TestApp, on_both_databases, problem};

on_both_databases!(
    malformed_bodies_are_client_errors,
    unknown_routes_and_wrong_methods_are_problems,
    request_ids_are_returned,
    the_spa_is_served_with_client_side_routes,
    health_readiness_and_metrics,
    security_headers_fit_what_is_served_and_cors_is_closed,
    nul_characters_are_refused_and_change_nothing,
);

async fn malformed_bodies_are_client_errors(app: TestApp) {
    let signup = "/api/v1/auth/signup";
    let send = |body: &'static str, content_type: &'static str| {
        app.request(Method::POST, signup, None)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    problem(send("{not json", "application/json").await.unwrap(), 400).await;
    problem(
        send(
            r#"{"store_name": 5, "email": "a@b.co", "password": "x"}"#,
            "application/json",
        )
        .await
        .unwrap(),
        422,
    )
    .await;
    problem(
        send(r#"{"email": "a@b.co"}"#, "application/json")
            .await
            .unwrap(),
        422,
    )
    .await;
    let unknown =
        r#"{"store_name":"S","email":"a@b.co","password":"correct horse battery","admin":true}"#;
    problem(send(unknown, "application/json").await.unwrap(), 422).await;
    problem(
        send("store_name=S", "application/x-www-form-urlencoded")
            .await
            .unwrap(),
        415,
    )
    .await;

    let huge = json!({"store_name": "x".repeat(300 * 1024), "email": "a@b.co", "password": "correct horse battery"});
    problem(app.post(signup, None, &huge).await, 413).await;

    // None of it created an account.
    let login = json!({"email": "a@b.co", "password": "correct horse battery"});
    problem(app.post("/api/v1/auth/login", None, &login).await, 401).await;
}

/// PostgreSQL text cannot hold U+0000 (found by the API fuzzing) and SQLite text can: on both,
/// a JSON body holding one is a 422 that stores nothing, and an event with one is refused
/// without failing the other events committed with it.
async fn nul_characters_are_refused_and_change_nothing(app: TestApp) {
    let owner = app.signup("nul@example.com").await;
    let token = Some(owner.token.as_str());
    let reply = json!({"name": "Shipping", "body": "Free over $50\u{0}"});
    let refused = problem(app.post("/api/v1/canned-replies", token, &reply).await, 422).await;
    assert!(refused.detail.contains("NUL"), "{}", refused.detail);
    assert_eq!(refused.errors[0].field, "body");
    let replies: serde_json::Value = app
        .get("/api/v1/canned-replies", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert!(!replies.to_string().contains("Shipping"), "{replies}");
    let store = json!({"store_name": "Nul\u{0}Shop", "email": "nul2@example.com", "password": "correct horse battery"});
    problem(app.post("/api/v1/auth/signup", None, &store).await, 422).await;
    let login = json!({"email": "nul2@example.com", "password": "correct horse battery"});
    problem(app.post("/api/v1/auth/login", None, &login).await, 401).await;

    let search = app.get("/api/v1/contacts?q=a%00b", &owner.token).await;
    assert_eq!(problem(search, 422).await.errors[0].field, "query");
    let resubscribe = json!({"evidence": "asked by email"});
    let in_path = app
        .request(
            Method::DELETE,
            "/api/v1/opt-outs/%2B1415%00",
            Some(&owner.token),
        )
        .json(&resubscribe)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(in_path, 422).await.errors[0].field, "path");

    let event = |id: &str, name: &str| {
        json!({"id": id, "type": "checkout.updated", "occurred_at": "2026-01-05T10:00:00Z",
            "customer": {"phone": "+14155550123", "first_name": name},
            "cart": {"id": format!("cart-{id}"), "total": "10.00", "currency": "USD"}})
    };
    let key = app.create_key(&owner, &["events", "read"]).await.1;
    let single = app
        .post("/api/v1/events", Some(&key), &event("e-1", "A\u{0}da"))
        .await;
    assert_eq!(problem(single, 422).await.errors[0].field, "event");
    let batch = json!({"events": [event("e-2", "Ada"), event("e-3", "B\u{0}o")]});
    let answered: serde_json::Value = app
        .post("/api/v1/events/batch", Some(&key), &batch)
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = answered["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["accepted", "rejected"], "{answered}");

    let contacts: serde_json::Value = app
        .get("/api/v1/contacts", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contacts["items"].as_array().unwrap().len(), 1, "{contacts}");
}

async fn unknown_routes_and_wrong_methods_are_problems(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    problem(app.get("/api/v1/nothing-here", &owner.token).await, 404).await;
    problem(
        app.request(Method::POST, "/settings", None)
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;

    let wrong_method = app
        .request(Method::PUT, "/api/v1/api-keys", Some(&owner.token))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.headers()["allow"], "GET, POST");
    problem(wrong_method, 405).await;
    let wrong_method = app
        .request(Method::GET, "/api/v1/api-keys/7", Some(&owner.token))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.headers()["allow"], "DELETE");
    problem(wrong_method, 405).await;
}

async fn request_ids_are_returned(app: TestApp) {
    let given = app
        .request(Method::GET, "/healthz", None)
        .header("x-request-id", "trace-42")
        .send()
        .await
        .unwrap();
    assert_eq!(given.headers()["x-request-id"], "trace-42");
    let made = app
        .request(Method::GET, "/healthz", None)
        .send()
        .await
        .unwrap();
    let id = made.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 24);
    let hostile = app
        .request(Method::GET, "/healthz", None)
        .header("x-request-id", "a b<script>")
        .send()
        .await
        .unwrap();
    assert_ne!(hostile.headers()["x-request-id"], "a b<script>");
}

async fn the_spa_is_served_with_client_side_routes(app: TestApp) {
    let index = std::fs::read_to_string(app.static_dir.join("index.html")).unwrap();
    for path in ["/", "/settings/api-keys", "/login"] {
        let response = app.request(Method::GET, path, None).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache");
        assert_eq!(response.text().await.unwrap(), index, "{path}");
    }
    let asset = app
        .request(Method::GET, "/app.js", None)
        .send()
        .await
        .unwrap();
    assert_eq!(asset.text().await.unwrap(), "console.log('app')");
    let climbing = app
        .request(Method::GET, "/..%2f..%2fetc/passwd", None)
        .send()
        .await
        .unwrap();
    assert!(!climbing.text().await.unwrap().contains("root:"));
}

async fn security_headers_fit_what_is_served_and_cors_is_closed(app: TestApp) {
    let header = |response: &reqwest::Response, name: &str| {
        response.headers()[name].to_str().unwrap().to_owned()
    };
    // The web app, with the inline loader a build has (the harness's stand-in has none).
    std::fs::write(
        app.static_dir.join("index.html"),
        "<!doctype html><script type=\"module\">import init from '/web.js'; await init();</script>",
    )
    .unwrap();
    let page = app
        .request(Method::GET, "/inbox", None)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    assert_eq!(header(&page, "x-frame-options"), "DENY");
    let policy = header(&page, "content-security-policy");
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"),
        "{policy}"
    );
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");

    // API answers, problems included, load nothing.
    for response in [
        app.request(Method::GET, "/healthz", None)
            .send()
            .await
            .unwrap(),
        app.request(Method::GET, "/api/v1/nothing-here", None)
            .send()
            .await
            .unwrap(),
        app.request(Method::GET, "/api/v1/threads", None)
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(
            header(&response, "content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'"
        );
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    }

    // No other site's page may call the API from a browser.
    let preflight = app
        .request(Method::OPTIONS, "/api/v1/threads", None)
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let cross = app
        .request(Method::GET, "/healthz", None)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(cross.headers().get("access-control-allow-origin").is_none());
}

async fn health_readiness_and_metrics(app: TestApp) {
    let health = app
        .request(Method::GET, "/healthz", None)
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let ready = app
        .request(Method::GET, "/readyz", None)
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), StatusCode::OK);

    let owner = app.signup("owner@maple.example").await;
    problem(
        app.delete("/api/v1/api-keys/424242", &owner.token).await,
        404,
    )
    .await;
    let metrics = app
        .request(Method::GET, "/metrics", None)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"textback_http_requests_total{method="DELETE",route="/api/v1/api-keys/{id}",status="404"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("textback_http_request_duration_seconds_bucket"));
    assert!(metrics.contains(r#"textback_db_pool_connections{state="max"} 4"#));
}
