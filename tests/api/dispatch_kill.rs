//! A dispatcher process killed mid-batch (SIGKILL, while the provider holds its requests)
//! leaves no duplicate and no lost text: another worker reconciles through Twilio's message
//! list and sends only what Twilio does not have. Real process, real Twilio REST shapes on a
//! fake Twilio.

use std::collections::HashMap;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use textback_api::config::DatabaseUrl;
use textback_api::db::{self, schema::outbox};
use textback_api::services::dispatch;
use textback_tests::fake_twilio::{ListTaken, TakenTexts};
use textback_tests::{
    Backend, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TestApp, on_both_backends, textback_bin,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

on_both_backends!(a_worker_killed_mid_batch_leaves_no_duplicate_and_no_lost_text);

const STORE_NUMBER: &str = "+14155550142";
const CUSTOMERS: usize = 8;

/// `POST …/Messages.json` as the doomed worker meets it: the first `lost` requests never
/// reach Twilio's books (as if cut off on the way), the others are taken at once; each of
/// the first `slow` is answered only after a long while, the window in which the worker dies.
struct Twilio {
    accepted: TakenTexts,
    seen: AtomicUsize,
    lost: usize,
    slow: usize,
}

impl Respond for Twilio {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        let form: HashMap<String, String> =
            serde_urlencoded::from_bytes(&request.body).unwrap_or_default();
        let field = |name: &str| form.get(name).cloned().unwrap_or_default();
        let sid = format!("SM{:032x}", n + 1);
        if n >= self.lost {
            let mut accepted = self.accepted.lock().unwrap();
            accepted.push((sid.clone(), field("From"), field("To"), field("Body")));
        }
        let answer = ResponseTemplate::new(201).set_body_json(
            json!({"sid": sid, "status": "queued", "num_segments": "1", "body": field("Body")}),
        );
        if n < self.slow {
            answer.set_delay(StdDuration::from_secs(30))
        } else {
            answer
        }
    }
}

fn spawn_worker(app: &TestApp, twilio: &MockServer) -> Child {
    let database_url = match &app.state.settings.database_url {
        DatabaseUrl::Sqlite(path) => path.display().to_string(),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    Command::new(textback_bin())
        .args(["worker", "--name", "doomed"])
        .env_clear()
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", &app.state.settings.data_dir)
        .env("JWT_SECRET", "integration-test-secret-0123456789abcdef")
        .env("PUBLIC_BASE_URL", &app.state.settings.public_base_url)
        .env("TWILIO_ACCOUNT_SID", TWILIO_ACCOUNT_SID)
        .env("TWILIO_AUTH_TOKEN", TWILIO_AUTH_TOKEN)
        .env("TWILIO_API_BASE", twilio.uri())
        .env("SMS_SENDS_PER_SECOND_PER_NUMBER", "1000")
        .env("RUST_LOG", "info")
        // Its log explains a failure (the test prints it).
        .stdout(log_file(app, "worker.out"))
        .stderr(log_file(app, "worker.log"))
        .spawn()
        .expect("start `textback worker`")
}

fn log_file(app: &TestApp, name: &str) -> std::fs::File {
    std::fs::File::create(app.state.settings.data_dir.join(name)).unwrap()
}

async fn a_worker_killed_mid_batch_leaves_no_duplicate_and_no_lost_text(backend: Backend) {
    let twilio = MockServer::start().await;
    let app = TestApp::spawn_with_twilio(backend, &twilio.uri()).await;
    let accepted = TakenTexts::default();
    let messages = format!("/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json");
    Mock::given(method("POST"))
        .and(path(&messages))
        .respond_with(Twilio {
            accepted: accepted.clone(),
            seen: AtomicUsize::new(0),
            lost: CUSTOMERS / 2,
            slow: CUSTOMERS,
        })
        .mount(&twilio)
        .await;
    Mock::given(method("GET"))
        .and(path(&messages))
        .respond_with(ListTaken(accepted.clone()))
        .mount(&twilio)
        .await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/IncomingPhoneNumbers.json"
        )))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "sid": "PN0123456789abcdef0123456789abcdef", "phone_number": STORE_NUMBER})))
        .mount(&twilio)
        .await;

    let owner = app.signup("owner@maple.example").await;
    let reserved = app
        .post(
            "/api/v1/numbers",
            Some(&owner.token),
            &json!({"phone_number": STORE_NUMBER}),
        )
        .await;
    assert_eq!(reserved.status(), StatusCode::CREATED);
    let campaign: Value = app
        .post(
            "/api/v1/campaigns",
            Some(&owner.token),
            &json!({"kind": "order_shipped", "name": "Shipped",
                "steps": [{"delay_minutes": 0, "body": "Order {{ order_number }} is on its way."}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = &campaign["id"];
    app.post(
        &format!("/api/v1/campaigns/{id}/activate"),
        Some(&owner.token),
        &json!({}),
    )
    .await;
    // Order notifications are not held by quiet hours, so this runs the same at any hour.
    let now = db::now();
    let events: Vec<Value> = (0..CUSTOMERS)
        .map(|i| {
            json!({"id": format!("ship-{i}"), "type": "order.shipped",
                "occurred_at": now.and_utc().to_rfc3339(),
                "customer": {"phone": format!("+1415555{:04}", 200 + i)},
                "order": {"id": format!("order-{i}"), "number": format!("#{}", 1000 + i)}})
        })
        .collect();
    let batch = app
        .post(
            "/api/v1/events/batch",
            Some(&owner.token),
            &json!({"events": events}),
        )
        .await;
    assert_eq!(batch.status(), StatusCode::OK);

    {
        let mut conn = app.state.pool.get().unwrap();
        let due: i64 = outbox::table.count().get_result(&mut *conn).unwrap();
        assert_eq!(due, CUSTOMERS as i64, "one notification per order");
    }
    let mut worker = spawn_worker(&app, &twilio);
    for _ in 0..600 {
        if accepted.lock().unwrap().len() == CUSTOMERS / 2 {
            break;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    // Give the lost half time to arrive too, so the kill lands with every request out.
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    let reached = accepted.lock().unwrap().len();
    let log = std::fs::read_to_string(app.state.settings.data_dir.join("worker.out"))
        .unwrap_or_default()
        + &std::fs::read_to_string(app.state.settings.data_dir.join("worker.log"))
            .unwrap_or_default();
    assert_eq!(
        reached,
        CUSTOMERS / 2,
        "half reached Twilio; the worker said:\n{log}"
    );
    // Killed while Twilio holds every request: nothing recorded on our side.
    worker.kill().unwrap();
    worker.wait().unwrap();

    // Another worker, once the leases have expired, finds half at Twilio and sends the rest.
    let mut rescuer = app.state.clone();
    rescuer.dispatch.send_interval = Duration::zero();
    let later = db::now() + Duration::minutes(10);
    let report = dispatch::run_pass(&rescuer, "rescuer", later)
        .await
        .unwrap();
    assert_eq!(report.reconciled, CUSTOMERS / 2, "{report:?}");
    assert_eq!(report.sent, CUSTOMERS / 2, "{report:?}");
    assert_eq!(
        dispatch::run_pass(&rescuer, "rescuer", later)
            .await
            .unwrap()
            .claimed,
        0
    );

    let accepted = accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), CUSTOMERS, "no text sent twice");
    let mut recipients: Vec<&str> = accepted.iter().map(|(_, _, to, _)| to.as_str()).collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(recipients.len(), CUSTOMERS, "none lost, none doubled");
    let mut conn = app.state.pool.get().unwrap();
    let statuses: Vec<String> = outbox::table
        .select(outbox::status)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(statuses, vec!["sent".to_owned(); CUSTOMERS]);
}
