//! The live stream: server-sent events of a store's inbox, opened with a short-lived ticket
//! (or a bearer credential), reaching every server process on PostgreSQL.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use textback_api::auth::caller::Credential;
use textback_api::db;
use textback_tests::{Session, TestApp, on_both_databases, problem};

use crate::dispatch::pass;
use crate::inbox::{store, text_in};

on_both_databases!(
    live_stream_delivers_an_inbound_message_to_a_connected_client,
    the_stream_follows_replies_deliveries_threads_and_opt_outs,
    the_stream_opens_with_a_ticket_or_a_credential_only,
    logging_out_or_revoking_the_key_ends_the_stream,
);

const ADA: &str = "+14155550123";
/// Long enough for a change to cross PostgreSQL's NOTIFY and the listener's poll.
const PATIENCE: Duration = Duration::from_secs(10);

/// An open stream, read event by event.
struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// Opens `url` (absolute or a path on `app`) and waits for `ready`.
    async fn open(app: &TestApp, url: &str, bearer: Option<&str>) -> Self {
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            app.url(url)
        };
        let mut request = app.http.get(url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("stream");
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert_eq!(content_type, "text/event-stream");
        let mut stream = Self {
            response,
            buffer: String::new(),
        };
        assert_eq!(stream.next().await.expect("ready")["type"], "ready");
        stream
    }

    /// With a fresh ticket from `POST /api/v1/stream/tickets`.
    async fn with_ticket(app: &TestApp, base: &str, session: &Session) -> Self {
        let ticket = ticket(app, session).await;
        Self::open(
            app,
            &format!("{base}{}", ticket["url"].as_str().unwrap()),
            None,
        )
        .await
    }

    /// The next event's data; `None` if nothing comes within `PATIENCE`.
    async fn next(&mut self) -> Option<Value> {
        self.next_within(PATIENCE).await
    }

    async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                // Comments (heartbeats) and `retry:` lines carry no event.
                if let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data: ")) {
                    return Some(serde_json::from_str(data).expect("event json"));
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .expect("stream read")?;
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("utf-8"));
        }
    }

    /// Whether the server ends the stream within `wait` (events before the end are skipped).
    async fn ends_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return false,
                Ok(Ok(None)) => return true,
                Ok(Ok(Some(_))) => {}
                Ok(Err(e)) => panic!("stream read: {e}"),
            }
        }
    }

    /// Skips to the first event of `kind`; panics if none comes.
    async fn expect(&mut self, kind: &str) -> Value {
        loop {
            let event = self
                .next()
                .await
                .unwrap_or_else(|| panic!("no {kind} event"));
            if event["type"] == kind {
                return event;
            }
        }
    }
}

async fn ticket(app: &TestApp, session: &Session) -> Value {
    let response = app
        .post("/api/v1/stream/tickets", Some(&session.token), &json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn first_thread(app: &TestApp, owner: &Session) -> Value {
    let page: Value = app
        .get("/api/v1/threads", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    page["items"][0].clone()
}

async fn live_stream_delivers_an_inbound_message_to_a_connected_client(app: TestApp) {
    let (owner, number) = store(&app).await;
    let rival = app.signup("rival@else.example").await;
    let mut ours = EventStream::with_ticket(&app, "", &owner).await;
    let mut theirs = EventStream::with_ticket(&app, "", &rival).await;

    text_in(
        &app,
        &number,
        ADA,
        "SM-live-1",
        "Is the blue one back in stock?",
    )
    .await;

    let event = ours.expect("message_created").await;
    let thread = first_thread(&app, &owner).await;
    assert_eq!(event["thread_id"], thread["id"]);
    let messages: Value = app
        .get(
            &format!("/api/v1/threads/{}/messages", thread["id"]),
            &owner.token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(event["message_id"], messages["items"][0]["id"]);
    assert_eq!(
        messages["items"][0]["body"],
        "Is the blue one back in stock?"
    );
    // Another store hears nothing of it.
    assert_eq!(theirs.next_within(Duration::from_millis(500)).await, None);
}

async fn the_stream_follows_replies_deliveries_threads_and_opt_outs(app: TestApp) {
    let (owner, number) = store(&app).await;
    text_in(&app, &number, ADA, "SM-live-2", "Do you ship to Yukon?").await;
    let thread = first_thread(&app, &owner).await;
    let mut stream = EventStream::with_ticket(&app, "", &owner).await;

    // The merchant's reply appears at once, and its progress follows.
    let response = app
        .post(
            &format!("/api/v1/threads/{}/messages", thread["id"]),
            Some(&owner.token),
            &json!({"body": "We do: 5-7 days."}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let reply: Value = response.json().await.unwrap();
    let created = stream.expect("message_created").await;
    assert_eq!(created["message_id"], reply["id"]);
    pass(&app, db::now()).await;
    let sent = stream.expect("message_status").await;
    assert_eq!(sent["message_id"], reply["id"]);
    assert_eq!(sent["thread_id"], thread["id"]);
    // The simulator reports texts delivered at once; Twilio says `sent` first, and tells of
    // the delivery later.
    let sid = {
        let mut conn = app.state.pool.get().unwrap();
        let id = reply["id"].as_i64().unwrap();
        db::messages::set_status(&mut conn, id, "sent", None, db::now()).unwrap();
        db::messages::find_many(&mut conn, &[id]).unwrap()[0]
            .provider_sid
            .clone()
            .expect("sent")
    };
    let callback = [("MessageSid", sid.as_str()), ("MessageStatus", "delivered")];
    let response = app
        .post_twilio_webhook("/webhooks/twilio/status", &callback, None)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let delivered = stream.expect("message_status").await;
    assert_eq!(delivered["status"], "delivered");

    // Another of the merchant's tabs reads the thread.
    let read = app
        .request(
            Method::POST,
            &format!("/api/v1/threads/{}/read", thread["id"]),
            Some(&owner.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(
        stream.expect("thread_updated").await["thread_id"],
        thread["id"]
    );

    // STOP: the text, the opt-out and the one confirmation, which then goes out.
    text_in(&app, &number, ADA, "SM-live-3", "STOP").await;
    let stop = stream.next().await.unwrap();
    assert_eq!(stop["type"], "message_created");
    let opted_out = stream.next().await.unwrap();
    assert_eq!(opted_out["type"], "consent_changed");
    assert_eq!(opted_out["opted_out"], true);
    assert_eq!(opted_out["thread_id"], thread["id"]);
    assert_eq!(opted_out["contact_id"], thread["contact_id"]);
    let confirmation = stream.next().await.unwrap();
    assert_eq!(confirmation["type"], "message_created");
    assert_eq!(confirmation["thread_id"], thread["id"]);
    assert!(confirmation["message_id"].as_i64() > stop["message_id"].as_i64());
    pass(&app, db::now()).await;
    let sent = stream.expect("message_status").await;
    assert_eq!(sent["message_id"], confirmation["message_id"]);
}

async fn the_stream_opens_with_a_ticket_or_a_credential_only(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let anonymous = app
        .http
        .get(app.url("/api/v1/stream"))
        .send()
        .await
        .unwrap();
    problem(anonymous, 401).await;
    let forged = app
        .http
        .get(app.url("/api/v1/stream?ticket=not-a-ticket"))
        .send()
        .await
        .unwrap();
    problem(forged, 401).await;
    // A session token is not a ticket, nor a ticket a session token.
    let session_as_ticket = app
        .http
        .get(app.url(&format!("/api/v1/stream?ticket={}", owner.token)))
        .send()
        .await
        .unwrap();
    problem(session_as_ticket, 401).await;
    let ticket = ticket(&app, &owner).await;
    let ticket_as_session = app.get("/api/v1/threads", ticket["ticket"].as_str().unwrap());
    problem(ticket_as_session.await, 401).await;
    let (key_id, key) = app.create_key(&owner, &["read"]).await;
    let (stale, _) = app
        .state
        .sessions
        .issue_stream_ticket(
            owner.store_id,
            Credential::ApiKey { key_id },
            chrono::Utc::now() - chrono::Duration::minutes(2),
        )
        .unwrap();
    let expired = app
        .http
        .get(app.url(&format!("/api/v1/stream?ticket={stale}")))
        .send()
        .await
        .unwrap();
    problem(expired, 401).await;

    // Integrators may send their credential as a header instead.
    EventStream::open(&app, "/api/v1/stream", Some(&owner.token)).await;
    EventStream::open(&app, "/api/v1/stream", Some(&key)).await;
    let (_, events_only) = app.create_key(&owner, &["events"]).await;
    let refused = app.get("/api/v1/stream", &events_only).await;
    problem(refused, 403).await;
}

/// A stream checks its credential at each heartbeat (15 s): one copied from a shared computer
/// stops watching once its session is logged out, as one opened with a revoked key does.
async fn logging_out_or_revoking_the_key_ends_the_stream(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let login = json!({"email": owner.email, "password": "correct horse battery"});
    let other_device: Value = app
        .post("/api/v1/auth/login", None, &login)
        .await
        .json()
        .await
        .unwrap();
    let other_device = Session {
        token: other_device["token"].as_str().unwrap().to_owned(),
        ..owner.clone()
    };
    let (key_id, key) = app.create_key(&owner, &["read"]).await;
    let mut by_ticket = EventStream::with_ticket(&app, "", &owner).await;
    let mut by_key = EventStream::open(&app, "/api/v1/stream", Some(&key)).await;
    let mut other = EventStream::with_ticket(&app, "", &other_device).await;
    let unused = ticket(&app, &owner).await;

    let logout = app
        .request(Method::POST, "/api/v1/auth/logout", Some(&owner.token))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::NO_CONTENT);
    let revoked = app
        .delete(&format!("/api/v1/api-keys/{key_id}"), &other_device.token)
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);

    // A ticket asked for before the logout no longer opens the stream.
    let late = app
        .http
        .get(app.url(unused["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    problem(late, 401).await;
    let heartbeat_and_then_some = Duration::from_secs(20);
    let (ticket_ended, key_ended) = tokio::join!(
        by_ticket.ends_within(heartbeat_and_then_some),
        by_key.ends_within(heartbeat_and_then_some)
    );
    assert!(ticket_ended, "the logged-out session's stream went on");
    assert!(key_ended, "the revoked key's stream went on");
    // The other device's session holds: its stream, checked as often, goes on.
    assert!(!other.ends_within(Duration::from_millis(500)).await);
}

/// PostgreSQL only: several API processes share one database there.
mod across_processes {
    use super::*;
    use textback_tests::Backend;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(not(textback_pg), ignore = "TEST_DATABASE_URL is not set")]
    async fn a_change_reaches_the_clients_of_every_server_process() {
        let app = TestApp::spawn(Backend::Postgres).await;
        let (owner, number) = store(&app).await;
        let peer = app.spawn_peer().await;
        let mut here = EventStream::with_ticket(&app, "", &owner).await;
        let mut there = EventStream::with_ticket(&app, &peer, &owner).await;

        text_in(&app, &number, ADA, "SM-live-4", "Hello from Ada").await;

        let event = there.expect("message_created").await;
        assert_eq!(event, here.expect("message_created").await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(not(textback_pg), ignore = "TEST_DATABASE_URL is not set")]
    async fn clients_resync_when_the_feed_was_interrupted() {
        use diesel::RunQueryDsl;
        let app = TestApp::spawn(Backend::Postgres).await;
        let (owner, number) = store(&app).await;
        let mut stream = EventStream::with_ticket(&app, "", &owner).await;
        {
            let mut conn = app.state.pool.get().unwrap();
            diesel::sql_query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE query LIKE 'LISTEN textback_live%' AND datname = current_database()",
            )
            .execute(&mut *conn)
            .unwrap();
        }
        stream.expect("resync").await;
        // And the feed works again.
        text_in(&app, &number, ADA, "SM-live-5", "Still there?").await;
        stream.expect("message_created").await;
    }
}
