use reqwest::StatusCode;
use serde_json::{Value, json};
use textback_api::auth::throttle::MAX_FAILURES_PER_ADDRESS;
use textback_tests::{ServerProcess, TestApp, on_both_databases, problem};

on_both_databases!(
    signup_logs_the_owner_in,
    duplicate_email_is_a_conflict,
    invalid_signup_lists_fields_and_creates_nothing,
    login_returns_a_working_session,
    wrong_credentials_are_refused_alike,
    repeated_failed_logins_are_throttled,
    failed_logins_count_against_the_client_a_trusted_proxy_names,
    logging_out_ends_that_session_only,
    changing_the_password_ends_the_other_sessions,
);

const PASSWORD: &str = "correct horse battery";

async fn signup_logs_the_owner_in(app: TestApp) {
    let body = json!({"store_name": "  Maple & Pine ", "email": "Owner@Maple.example", "password": PASSWORD});
    let response = app.post("/api/v1/auth/signup", None, &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["store"]["name"], "Maple & Pine");
    assert_eq!(session["user"]["email"], "owner@maple.example");
    assert!(session["expires_at"].as_str().unwrap().ends_with('Z'));

    let me: Value = app
        .get("/api/v1/me", session["token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["credential"], "session");
    assert_eq!(me["store"]["id"], session["store"]["id"]);
    assert_eq!(me["user"]["email"], "owner@maple.example");
    assert_eq!(me["scopes"], json!(["read", "write", "events"]));
}

async fn duplicate_email_is_a_conflict(app: TestApp) {
    app.signup("owner@maple.example").await;
    let body =
        json!({"store_name": "Again", "email": " OWNER@maple.example", "password": PASSWORD});
    let conflict = problem(app.post("/api/v1/auth/signup", None, &body).await, 409).await;
    assert!(conflict.detail.contains("already exists"));
}

async fn invalid_signup_lists_fields_and_creates_nothing(app: TestApp) {
    let body = json!({"store_name": "", "email": "not-an-email", "password": "short"});
    let invalid = problem(app.post("/api/v1/auth/signup", None, &body).await, 422).await;
    let fields: Vec<_> = invalid.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["store_name", "email", "password"]);

    let login = json!({"email": "not-an-email", "password": "short"});
    problem(app.post("/api/v1/auth/login", None, &login).await, 422).await;
}

async fn login_returns_a_working_session(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let body = json!({"email": "OWNER@maple.example ", "password": PASSWORD});
    let response = app.post("/api/v1/auth/login", None, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session["user"]["id"], owner.user_id);
    let me = app
        .get("/api/v1/me", session["token"].as_str().unwrap())
        .await;
    assert_eq!(me.status(), StatusCode::OK);
}

async fn wrong_credentials_are_refused_alike(app: TestApp) {
    app.signup("owner@maple.example").await;
    let wrong_password = json!({"email": "owner@maple.example", "password": "wrong horse battery"});
    let unknown_email = json!({"email": "nobody@maple.example", "password": PASSWORD});
    let a = problem(
        app.post("/api/v1/auth/login", None, &wrong_password).await,
        401,
    )
    .await;
    let b = problem(
        app.post("/api/v1/auth/login", None, &unknown_email).await,
        401,
    )
    .await;
    assert_eq!(
        a.detail, b.detail,
        "the answer must not reveal which emails have accounts"
    );
}

async fn repeated_failed_logins_are_throttled(app: TestApp) {
    app.signup("owner@maple.example").await;
    let wrong = json!({"email": "owner@maple.example", "password": "wrong horse battery"});
    for _ in 0..5 {
        problem(app.post("/api/v1/auth/login", None, &wrong).await, 401).await;
    }
    let right = json!({"email": "owner@maple.example", "password": PASSWORD});
    let response = app.post("/api/v1/auth/login", None, &right).await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=900).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    problem(response, 429).await;

    // Another account is not locked out by this one's failures.
    app.signup("other@maple.example").await;
    let other = json!({"email": "other@maple.example", "password": PASSWORD});
    assert_eq!(
        app.post("/api/v1/auth/login", None, &other).await.status(),
        StatusCode::OK
    );
}

/// As many failed logins as one address may make, each for another unknown email (so only
/// the address limit applies), with `X-Forwarded-For: forwarded(i)`.
async fn fail_logins(http: &reqwest::Client, login_url: &str, forwarded: impl Fn(usize) -> String) {
    for i in 0..MAX_FAILURES_PER_ADDRESS {
        let guess = json!({"email": format!("nobody{i}@maple.example"), "password": "guess"});
        let response = http
            .post(login_url)
            .header("X-Forwarded-For", forwarded(i))
            .json(&guess)
            .send()
            .await
            .unwrap();
        problem(response, 401).await;
    }
}

/// The owner's login with the right password, with `X-Forwarded-For: forwarded`.
async fn owner_login(http: &reqwest::Client, login_url: &str, forwarded: &str) -> StatusCode {
    let right = json!({"email": "owner@maple.example", "password": PASSWORD});
    let response = http
        .post(login_url)
        .header("X-Forwarded-For", forwarded)
        .json(&right)
        .send()
        .await
        .unwrap();
    response.status()
}

/// Behind a reverse proxy every login comes from the proxy's address: counted by it, one
/// person's failures would lock every merchant out.
async fn failed_logins_count_against_the_client_a_trusted_proxy_names(app: TestApp) {
    app.signup("owner@maple.example").await;
    // Reached directly, the header is the client's own say: changing it evades nothing.
    let direct = app.url("/api/v1/auth/login");
    fail_logins(&app.http, &direct, |i| format!("203.0.113.{i}")).await;
    assert_eq!(
        owner_login(&app.http, &direct, "198.51.100.9").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    let behind_proxy = ServerProcess::start(&app, &[("TRUSTED_PROXIES", "127.0.0.1, ::1")]);
    let proxied = behind_proxy.url("/api/v1/auth/login");
    // The proxy appends the address it was reached from; what the client wrote before it
    // is not believed.
    fail_logins(&app.http, &proxied, |_| "198.51.100.9, 203.0.113.7".into()).await;
    assert_eq!(
        owner_login(&app.http, &proxied, "203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        owner_login(&app.http, &proxied, "198.51.100.9").await,
        StatusCode::OK
    );
}

async fn logging_out_ends_that_session_only(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let login = json!({"email": "owner@maple.example", "password": PASSWORD});
    let other_device: Value = app
        .post("/api/v1/auth/login", None, &login)
        .await
        .json()
        .await
        .unwrap();
    let other_device = other_device["token"].as_str().unwrap();

    let logout = |token: String| {
        let app = &app;
        async move {
            app.request(reqwest::Method::POST, "/api/v1/auth/logout", Some(&token))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        logout(owner.token.clone()).await.status(),
        StatusCode::NO_CONTENT
    );
    let refused = problem(app.get("/api/v1/me", &owner.token).await, 401).await;
    assert!(refused.detail.contains("log in again"), "{refused:?}");
    // Nor can it open the live stream, or log out twice.
    problem(
        app.post("/api/v1/stream/tickets", Some(&owner.token), &json!({}))
            .await,
        401,
    )
    .await;
    problem(logout(owner.token.clone()).await, 401).await;
    // The same person on another device is still logged in.
    assert_eq!(
        app.get("/api/v1/me", other_device).await.status(),
        StatusCode::OK
    );

    // An API key is revoked, not logged out.
    let key: Value = app
        .post(
            "/api/v1/api-keys",
            Some(other_device),
            &json!({"name": "Sync", "scopes": ["read"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let secret = key["secret"].as_str().unwrap().to_owned();
    problem(logout(secret.clone()).await, 403).await;
    assert_eq!(
        app.get("/api/v1/me", &secret).await.status(),
        StatusCode::OK
    );
}

async fn changing_the_password_ends_the_other_sessions(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let login = |password: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/login",
                None,
                &json!({"email": "owner@maple.example", "password": password}),
            )
            .await
        }
    };
    let other_device: Value = login(PASSWORD).await.json().await.unwrap();
    let other_device = other_device["token"].as_str().unwrap().to_owned();
    let change = |token: String, body: Value| {
        let app = &app;
        async move { app.post("/api/v1/auth/password", Some(&token), &body).await }
    };
    const NEW: &str = "staple battery horse";

    // A wrong current password, or a short new one: nothing changes.
    let wrong = change(
        owner.token.clone(),
        json!({"current_password": "not my password", "new_password": NEW}),
    )
    .await;
    assert_eq!(
        problem(wrong, 422).await.errors[0].field,
        "current_password"
    );
    let short = change(
        owner.token.clone(),
        json!({"current_password": PASSWORD, "new_password": "short"}),
    )
    .await;
    assert_eq!(problem(short, 422).await.errors[0].field, "new_password");
    assert_eq!(
        app.get("/api/v1/me", &other_device).await.status(),
        StatusCode::OK
    );
    assert_eq!(login(PASSWORD).await.status(), StatusCode::OK);

    let changed = change(
        owner.token.clone(),
        json!({"current_password": PASSWORD, "new_password": NEW}),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    // This session goes on; the other device must log in again, with the new password.
    assert_eq!(
        app.get("/api/v1/me", &owner.token).await.status(),
        StatusCode::OK
    );
    problem(app.get("/api/v1/me", &other_device).await, 401).await;
    problem(login(PASSWORD).await, 401).await;
    assert_eq!(login(NEW).await.status(), StatusCode::OK);

    // An API key has no password.
    let (_, key) = app.create_key(&owner, &["read", "write"]).await;
    let refused = change(
        key,
        json!({"current_password": NEW, "new_password": PASSWORD}),
    )
    .await;
    problem(refused, 403).await;
}
