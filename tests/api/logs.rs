//! Secrets never reach the logs: a real `textback serve` process, logging at debug level, is
//! given passwords, session tokens, API keys, stream tickets and webhook secrets, and its
//! output is searched for each.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use textback_api::config::DatabaseUrl;
use textback_tests::{Backend, TestApp, on_both_backends, textback_bin};

on_both_backends!(secrets_never_reach_the_logs);

const JWT_SECRET: &str = "a-jwt-secret-that-must-stay-secret-0123456789";
const PASSWORD: &str = "correct horse battery staple";
const WRONG_PASSWORD: &str = "incorrect donkey battery staple";
const SHOPIFY_SECRET: &str = "shpss_never_log_this_0123456789";

async fn secrets_never_reach_the_logs(backend: Backend) {
    // The test app makes the database; a separate process serves it.
    let app = TestApp::spawn(backend).await;
    let database_url = match &app.state.settings.database_url {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let mut server = Command::new(textback_bin())
        .arg("serve")
        .env_clear()
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", &app.state.settings.data_dir)
        .env("STATIC_DIR", &app.static_dir)
        .env("BIND_ADDR", "127.0.0.1:0")
        .env("JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "debug")
        .env("LOG_FORMAT", "text")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start `textback serve`");
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    let mut first = String::new();
    let base = loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "no URL in {first}"
        );
        first.push_str(&line);
        if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
            break url.to_owned();
        }
    };
    let stderr = server.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut text = String::new();
        BufReader::new(stderr).read_to_string(&mut text).unwrap();
        text
    });

    let http = reqwest::Client::new();
    let url = |path: &str| format!("{base}{path}");
    let signup =
        json!({"store_name": "Maple", "email": "owner@maple.example", "password": PASSWORD});
    let session: Value = http
        .post(url("/api/v1/auth/signup"))
        .json(&signup)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let wrong = json!({"email": "owner@maple.example", "password": WRONG_PASSWORD});
    let refused = http
        .post(url("/api/v1/auth/login"))
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let login = json!({"email": "owner@maple.example", "password": PASSWORD});
    let again: Value = http
        .post(url("/api/v1/auth/login"))
        .json(&login)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second_token = again["token"].as_str().unwrap().to_owned();
    let key: Value = http
        .post(url("/api/v1/api-keys"))
        .bearer_auth(&token)
        .json(&json!({"name": "Platform", "scopes": ["read", "events"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = key["secret"].as_str().unwrap().to_owned();
    let with_key = http
        .get(url("/api/v1/threads"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(with_key.status(), StatusCode::OK);
    let saved = http
        .put(url("/api/v1/integrations/shopify"))
        .bearer_auth(&token)
        .json(&json!({"secret": SHOPIFY_SECRET}))
        .send()
        .await
        .unwrap();
    assert!(saved.status().is_success());
    let ticket: Value = http
        .post(url("/api/v1/stream/tickets"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ticket = ticket["ticket"].as_str().unwrap().to_owned();
    let mut stream = http
        .get(url(&format!("/api/v1/stream?ticket={ticket}")))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let ready = tokio::time::timeout(Duration::from_secs(10), stream.chunk()).await;
    assert!(ready.is_ok_and(|chunk| chunk.is_ok()));
    drop(stream);

    // SIGTERM: the server stops gracefully and its logs end.
    let stopped = Command::new("kill")
        .arg(server.id().to_string())
        .status()
        .unwrap();
    assert!(stopped.success());
    let status = server.wait().unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let output = format!("{first}{rest}{}", logs.join().unwrap());

    // The log is there (so the search below means something): requests were logged.
    assert!(output.contains("/api/v1/auth/login"), "{output}");
    assert!(
        status.success(),
        "a graceful stop exits cleanly: {status:?}\n{output}"
    );
    for (what, secret) in [
        ("password", PASSWORD),
        ("wrong password", WRONG_PASSWORD),
        ("session token", token.as_str()),
        ("second session token", second_token.as_str()),
        ("API key", secret.as_str()),
        ("stream ticket", ticket.as_str()),
        ("webhook secret", SHOPIFY_SECRET),
        ("JWT secret", JWT_SECRET),
    ] {
        assert!(
            !output.contains(secret),
            "the {what} is in the logs:\n{output}"
        );
    }
}
