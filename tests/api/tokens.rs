//! Credentials the API must refuse, each with problem details: tokens expired, forged, unsigned
//! (`alg: none`), from another issuer, naming no session or another's, malformed; revoked API
//! keys; keys without the scope.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use textback_tests::{Session, TestApp, on_both_databases, problem};

on_both_databases!(bad_credentials_are_refused_with_problem_details);

/// The secret the test server signs sessions with (tests/harness).
const SECRET: &[u8] = b"integration-test-secret-0123456789abcdef";

fn jwt(header: &Value, claims: &Value, secret: Option<&[u8]>) -> String {
    let head = URL_SAFE_NO_PAD.encode(header.to_string());
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = secret.map_or_else(String::new, |secret| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(format!("{head}.{body}").as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    });
    format!("{head}.{body}.{signature}")
}

/// The session row a token of ours names.
fn session_id(token: &str) -> i64 {
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["sid"].as_i64().unwrap()
}

fn claims(owner: &Session, issuer: &str, expires_in_secs: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"iss": issuer, "sub": owner.user_id.to_string(), "sid": session_id(&owner.token),
        "store_id": owner.store_id, "iat": now, "exp": now + expires_in_secs})
}

async fn refused(app: &TestApp, token: &str, status: u16, why: &str) {
    let response = app.get("/api/v1/threads", token).await;
    let problem = problem(response, status).await;
    assert!(!problem.detail.is_empty(), "{why}: {problem:?}");
}

async fn bad_credentials_are_refused_with_problem_details(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    // The forger's token is well made: only the secret is wrong; ours works.
    let ours = jwt(&hs256, &claims(&owner, "textback", 600), Some(SECRET));
    assert!(
        app.get("/api/v1/threads", &ours)
            .await
            .status()
            .is_success()
    );

    // Well signed, but naming no session, or one that is not the owner's.
    let mut without_session = claims(&owner, "textback", 600);
    without_session.as_object_mut().unwrap().remove("sid");
    let other = app.signup("owner@birch.example").await;
    let mut others_session = claims(&owner, "textback", 600);
    others_session["sid"] = session_id(&other.token).into();
    let cases = [
        (
            jwt(&hs256, &claims(&owner, "textback", -60), Some(SECRET)),
            "expired",
        ),
        (
            jwt(
                &hs256,
                &claims(&owner, "textback", 600),
                Some(b"another secret, thirty-two bytes long"),
            ),
            "wrong signature",
        ),
        (
            jwt(
                &json!({"alg": "none", "typ": "JWT"}),
                &claims(&owner, "textback", 600),
                None,
            ),
            "alg none",
        ),
        (
            jwt(
                &json!({"alg": "HS512", "typ": "JWT"}),
                &claims(&owner, "textback", 600),
                Some(SECRET),
            ),
            "another algorithm",
        ),
        (
            jwt(&hs256, &claims(&owner, "someone-else", 600), Some(SECRET)),
            "wrong issuer",
        ),
        (
            jwt(&hs256, &without_session, Some(SECRET)),
            "names no session",
        ),
        (
            jwt(&hs256, &others_session, Some(SECRET)),
            "another person's session",
        ),
        ("not.a.token".to_owned(), "malformed"),
        (
            "tbk_live_unknownkeyunknownkeyunknownkey".to_owned(),
            "unknown API key",
        ),
    ];
    for (token, why) in &cases {
        refused(&app, token, 401, why).await;
    }
    // No credential, or not a bearer one.
    let anonymous = app
        .http
        .get(app.url("/api/v1/threads"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    problem(anonymous, 401).await;
    let basic = app
        .http
        .get(app.url("/api/v1/threads"))
        .header("authorization", "Basic b3duZXI6cGFzc3dvcmQ=")
        .send()
        .await
        .unwrap();
    problem(basic, 401).await;

    // A revoked key stops at once; a key without the scope is forbidden.
    let (key_id, key) = app.create_key(&owner, &["read"]).await;
    assert!(app.get("/api/v1/threads", &key).await.status().is_success());
    let events = json!({"id": "e1", "type": "customer.updated",
        "occurred_at": "2026-12-01T10:00:00Z", "customer": {"email": "ada@example.com"}});
    problem(app.post("/api/v1/events", Some(&key), &events).await, 403).await;
    let revoked = app
        .delete(&format!("/api/v1/api-keys/{key_id}"), &owner.token)
        .await;
    assert!(revoked.status().is_success());
    refused(&app, &key, 401, "revoked key").await;
}
