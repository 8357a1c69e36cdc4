use reqwest::StatusCode;
use serde_json::{Value, json};
use textback_tests::{TestApp, on_both_databases, problem};

on_both_databases!(
    a_key_authenticates_as_its_store,
    the_secret_is_shown_once_and_never_listed,
    revoked_keys_stop_working_at_once,
    another_stores_key_is_not_found,
    scopes_limit_what_a_key_may_do,
    keys_are_listed_newest_first_in_pages,
    invalid_key_requests_change_nothing,
);

async fn a_key_authenticates_as_its_store(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let (id, secret) = app.create_key(&owner, &["read", "events"]).await;
    assert!(secret.starts_with("tbk_"));

    let me: Value = app.get("/api/v1/me", &secret).await.json().await.unwrap();
    assert_eq!(me["credential"], "api_key");
    assert_eq!(me["api_key_id"], id);
    assert_eq!(me["store"]["id"], owner.store_id);
    assert_eq!(me["user"], Value::Null);
    assert_eq!(me["scopes"], json!(["read", "events"]));

    let keys: Value = app
        .get("/api/v1/api-keys", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        keys["items"][0]["last_used_at"].is_string(),
        "use is recorded: {keys}"
    );
}

async fn the_secret_is_shown_once_and_never_listed(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let (_, secret) = app.create_key(&owner, &["read"]).await;
    let listed = app
        .get("/api/v1/api-keys", &owner.token)
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(&secret));
    let key: Value = serde_json::from_str::<Value>(&listed).unwrap()["items"][0].clone();
    assert_eq!(key["prefix"].as_str().unwrap(), &secret[..12]);
    assert_eq!(key["name"], "Test key");
    assert!(key.get("secret").is_none() && key.get("secret_hash").is_none());
}

async fn revoked_keys_stop_working_at_once(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let (id, secret) = app.create_key(&owner, &["read"]).await;
    assert_eq!(
        app.get("/api/v1/me", &secret).await.status(),
        StatusCode::OK
    );

    assert_eq!(
        app.delete(&format!("/api/v1/api-keys/{id}"), &owner.token)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    problem(app.get("/api/v1/me", &secret).await, 401).await;
    let keys: Value = app
        .get("/api/v1/api-keys", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(keys["items"], json!([]));
    // Revoking twice: it is gone.
    problem(
        app.delete(&format!("/api/v1/api-keys/{id}"), &owner.token)
            .await,
        404,
    )
    .await;
}

async fn another_stores_key_is_not_found(app: TestApp) {
    let maple = app.signup("owner@maple.example").await;
    let birch = app.signup("owner@birch.example").await;
    let (maple_key, maple_secret) = app.create_key(&maple, &["read", "write"]).await;

    problem(
        app.delete(&format!("/api/v1/api-keys/{maple_key}"), &birch.token)
            .await,
        404,
    )
    .await;
    let birch_keys: Value = app
        .get("/api/v1/api-keys", &birch.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(birch_keys["items"], json!([]));
    assert_eq!(
        app.get("/api/v1/me", &maple_secret).await.status(),
        StatusCode::OK,
        "nothing changed"
    );

    // A key is its store's, whatever its scopes.
    let me: Value = app
        .get("/api/v1/me", &maple_secret)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["store"]["id"], maple.store_id);
}

async fn scopes_limit_what_a_key_may_do(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let (_, read_only) = app.create_key(&owner, &["read"]).await;
    let (_, events_only) = app.create_key(&owner, &["events"]).await;
    let (_, writer) = app.create_key(&owner, &["read", "write"]).await;

    let body = json!({"name": "Escalation", "scopes": ["read"]});
    let forbidden = problem(
        app.post("/api/v1/api-keys", Some(&read_only), &body).await,
        403,
    )
    .await;
    assert!(forbidden.detail.contains("`write`"));
    problem(app.get("/api/v1/me", &events_only).await, 403).await;

    // A key may create keys, but never with rights it lacks.
    let broader = json!({"name": "Broader", "scopes": ["events"]});
    problem(
        app.post("/api/v1/api-keys", Some(&writer), &broader).await,
        403,
    )
    .await;
    let narrower = json!({"name": "Narrower", "scopes": ["read"]});
    assert_eq!(
        app.post("/api/v1/api-keys", Some(&writer), &narrower)
            .await
            .status(),
        StatusCode::CREATED
    );
}

async fn keys_are_listed_newest_first_in_pages(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(app.create_key(&owner, &["read"]).await.0);
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut path = "/api/v1/api-keys?limit=2".to_owned();
    loop {
        let page: Value = app.get(&path, &owner.token).await.json().await.unwrap();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/api-keys?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ids);
}

async fn invalid_key_requests_change_nothing(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let cases = [
        (json!({"name": "", "scopes": ["read"]}), "name"),
        (json!({"name": "No scopes", "scopes": []}), "scopes"),
    ];
    for (body, field) in cases {
        let invalid = problem(
            app.post("/api/v1/api-keys", Some(&owner.token), &body)
                .await,
            422,
        )
        .await;
        assert_eq!(invalid.errors[0].field, field);
    }
    let unknown_scope = json!({"name": "Odd", "scopes": ["admin"]});
    problem(
        app.post("/api/v1/api-keys", Some(&owner.token), &unknown_scope)
            .await,
        422,
    )
    .await;
    problem(app.get("/api/v1/api-keys?limit=0", &owner.token).await, 422).await;
    problem(
        app.get("/api/v1/api-keys?cursor=bogus", &owner.token).await,
        422,
    )
    .await;
    problem(
        app.get("/api/v1/api-keys?limit=abc", &owner.token).await,
        400,
    )
    .await;
    problem(
        app.delete("/api/v1/api-keys/not-a-number", &owner.token)
            .await,
        404,
    )
    .await;

    let keys: Value = app
        .get("/api/v1/api-keys", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(keys["items"], json!([]));
}
