//! What the dispatcher does with Twilio's answers (real REST shapes on a fake Twilio): a
//! recipient unsubscribed at the carrier (21610), rate limiting retried with backoff until
//! the attempts run out, a Twilio failing for a while (500, 429, a timeout after it took the
//! text) still gets the text exactly once, one number's pace kept at one text per second,
//! and a delivery report that arrives before Twilio's answer to the send is kept.

use chrono::{Duration, NaiveDateTime};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use textback_api::services::dispatch;
use textback_tests::fake_twilio::{ListTaken, TakenTexts};
use textback_tests::{
    Backend, Session, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TestApp, on_both_backends,
};
use wiremock::matchers::{method, path};

use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::dispatch::{abandon, checkout, outbox_rows, post};

on_both_backends!(
    a_carrier_unsubscribe_records_the_opt_out,
    rate_limits_are_retried_until_the_attempts_run_out,
    a_retried_reminder_does_not_count_against_its_own_daily_limit,
    a_provider_failing_for_a_while_gets_the_text_exactly_once,
    one_number_sends_one_text_a_second,
    a_delivery_report_before_the_sends_answer_is_kept,
    a_release_cancels_what_twilio_has_not_taken,
);

const STORE_NUMBER: &str = "+14155550142";

/// An app on a fake Twilio whose sends get `send`; the store has a number and an active
/// two-step cart flow.
async fn app_with_send_answer(
    backend: Backend,
    send: impl Respond + 'static,
) -> (TestApp, Session) {
    let nothing_sent = ResponseTemplate::new(200).set_body_json(json!({"messages": []}));
    app_on_twilio(backend, send, nothing_sent, None).await
}

/// The same, with Twilio's list of sent texts answered by `list`, and the app giving up on a
/// Twilio request after `timeout`.
async fn app_on_twilio(
    backend: Backend,
    send: impl Respond + 'static,
    list: impl Respond + 'static,
    timeout: Option<std::time::Duration>,
) -> (TestApp, Session) {
    let twilio = MockServer::start().await;
    let account = format!("/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}");
    Mock::given(method("POST"))
        .and(path(format!("{account}/IncomingPhoneNumbers.json")))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            json!({"sid": "PN0123456789abcdef0123456789abcdef", "phone_number": STORE_NUMBER}),
        ))
        .mount(&twilio)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("{account}/Messages.json")))
        .respond_with(send)
        .mount(&twilio)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{account}/Messages.json")))
        .respond_with(list)
        .mount(&twilio)
        .await;
    let app = TestApp::spawn_with_twilio_timeout(backend, &twilio.uri(), timeout).await;
    // Keeps the fake Twilio alive as long as the app.
    std::mem::forget(twilio);
    let owner = app.signup("owner@maple.example").await;
    app.post(
        "/api/v1/numbers",
        Some(&owner.token),
        &json!({"phone_number": STORE_NUMBER}),
    )
    .await;
    let flow = json!({"kind": "abandoned_cart", "name": "Reminders", "steps": [
        {"delay_minutes": 60, "body": "Your cart: {{ cart_url }}"},
        {"delay_minutes": 1440, "body": "Last call: {{ cart_url }}"}]});
    let created: Value = app
        .post("/api/v1/campaigns", Some(&owner.token), &flow)
        .await
        .json()
        .await
        .unwrap();
    app.post(
        &format!("/api/v1/campaigns/{}/activate", created["id"]),
        Some(&owner.token),
        &json!({}),
    )
    .await;
    (app, owner)
}

/// 2026-06-02 at `h`:00 UTC: daytime in San Francisco from 15:00.
fn at(h: i64) -> NaiveDateTime {
    crate::dispatch::utc(0, 0) + Duration::hours(h)
}

async fn pass(app: &TestApp, now: NaiveDateTime) -> dispatch::PassReport {
    dispatch::run_pass(&app.state, "test", now).await.unwrap()
}

async fn a_carrier_unsubscribe_records_the_opt_out(backend: Backend) {
    let unsubscribed = ResponseTemplate::new(400).set_body_json(json!({
        "code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}));
    let (app, owner) = app_with_send_answer(backend, unsubscribed).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", at(16)),
    )
    .await;
    abandon(&app, at(17));
    let report = pass(&app, at(18)).await;
    assert_eq!(report.failed, 1, "{report:?}");
    let rows = outbox_rows(&app);
    assert_eq!(rows[0].0, "failed");
    assert_eq!(
        rows[1],
        ("cancelled".into(), Some("the customer opted out".into()))
    );
    let contacts: Value = app
        .get("/api/v1/contacts", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        contacts["items"][0]["opted_out_at"].is_string(),
        "{contacts}"
    );
    // In the consent audit, as a STOP texted to us would be.
    let detail: Value = app
        .get(
            &format!("/api/v1/contacts/{}", contacts["items"][0]["id"]),
            &owner.token,
        )
        .await
        .json()
        .await
        .unwrap();
    let last = detail["consent_history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    assert_eq!(
        (&last["status"], &last["source"]),
        (&json!("denied"), &json!("keyword")),
        "{detail}"
    );
    assert!(last["note"].as_str().unwrap().contains("21610"), "{last}");
}

async fn rate_limits_are_retried_until_the_attempts_run_out(backend: Backend) {
    let busy = ResponseTemplate::new(429)
        .set_body_json(json!({"code": 20429, "message": "Too Many Requests"}));
    let (app, owner) = app_with_send_answer(backend, busy).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", at(16)),
    )
    .await;
    abandon(&app, at(17));
    let mut now = at(18);
    for attempt in 1..=4 {
        let report = pass(&app, now).await;
        assert_eq!(report.retrying, 1, "attempt {attempt}: {report:?}");
        assert_eq!(
            pass(&app, now + Duration::seconds(1)).await.claimed,
            0,
            "backing off"
        );
        now += Duration::minutes(30);
    }
    let last = pass(&app, now).await;
    assert_eq!(last.failed, 1, "{last:?}");
    let (status, reason) = outbox_rows(&app)[0].clone();
    assert_eq!(status, "failed");
    assert!(reason.unwrap().contains("rate limited"));
}

/// Twilio busy once (429), then taking texts.
struct BusyOnce {
    seen: Arc<AtomicUsize>,
}

impl Respond for BusyOnce {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        match self.seen.fetch_add(1, Ordering::SeqCst) {
            0 => ResponseTemplate::new(429)
                .set_body_json(json!({"code": 20429, "message": "Too Many Requests"})),
            n => ResponseTemplate::new(201).set_body_json(
                json!({"sid": format!("SM{n:032x}"), "status": "queued", "num_segments": "1"}),
            ),
        }
    }
}

/// A store allowing one marketing text a day: the reminder's first attempt, refused by a
/// busy Twilio, left a text row behind; its retry is that same text, not a second one.
async fn a_retried_reminder_does_not_count_against_its_own_daily_limit(backend: Backend) {
    let seen = Arc::new(AtomicUsize::new(0));
    let (app, owner) = app_with_send_answer(backend, BusyOnce { seen: seen.clone() }).await;
    let limited = app
        .request(reqwest::Method::PATCH, "/api/v1/store", Some(&owner.token))
        .json(&json!({"marketing_per_day": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), reqwest::StatusCode::OK);
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", at(16)),
    )
    .await;
    abandon(&app, at(17));
    assert_eq!(pass(&app, at(18)).await.retrying, 1);
    let retried = pass(&app, at(18) + Duration::minutes(30)).await;
    assert_eq!(retried.sent, 1, "{retried:?} {:?}", outbox_rows(&app));
    assert_eq!(seen.load(Ordering::SeqCst), 2);
}

/// Twilio having a bad while: a 500, then a 429, then it takes the text but answers only
/// after the app has given up; from then on it takes texts at once.
struct Flaky {
    taken: TakenTexts,
    seen: Arc<AtomicUsize>,
}

impl Respond for Flaky {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let error = |status: u16, code: u32, message: &str| {
            ResponseTemplate::new(status)
                .set_body_json(json!({"code": code, "message": message, "status": status}))
        };
        match self.seen.fetch_add(1, Ordering::SeqCst) {
            0 => error(500, 20500, "Internal Server Error"),
            1 => error(429, 20429, "Too Many Requests"),
            n => {
                let form: HashMap<String, String> =
                    serde_urlencoded::from_bytes(&request.body).unwrap_or_default();
                let field = |name: &str| form.get(name).cloned().unwrap_or_default();
                let sid = format!("SM{:032x}", n);
                self.taken.lock().unwrap().push((
                    sid.clone(),
                    field("From"),
                    field("To"),
                    field("Body"),
                ));
                let answer = ResponseTemplate::new(201).set_body_json(
                    json!({"sid": sid, "status": "queued", "num_segments": "1", "body": field("Body")}),
                );
                if n == 2 {
                    answer.set_delay(std::time::Duration::from_secs(3))
                } else {
                    answer
                }
            }
        }
    }
}

async fn a_provider_failing_for_a_while_gets_the_text_exactly_once(backend: Backend) {
    let taken = TakenTexts::default();
    let seen = Arc::new(AtomicUsize::new(0));
    let flaky = Flaky {
        taken: taken.clone(),
        seen: seen.clone(),
    };
    let (app, owner) = app_on_twilio(
        backend,
        flaky,
        ListTaken(taken.clone()),
        Some(std::time::Duration::from_secs(1)),
    )
    .await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", at(16)),
    )
    .await;
    abandon(&app, at(17));
    // Half-hourly passes through the afternoon: long enough for every backoff.
    let mut now = at(18);
    for _ in 0..10 {
        pass(&app, now).await;
        now += Duration::minutes(30);
    }
    let taken = taken.lock().unwrap().clone();
    assert_eq!(
        seen.load(Ordering::SeqCst),
        3,
        "a 500, a 429, a timeout, then nothing more to send"
    );
    assert_eq!(taken.len(), 1, "Twilio took the text once: {taken:?}");
    let rows = outbox_rows(&app);
    assert_eq!(rows[0].0, "sent", "{rows:?}");
    let messages: Vec<_> = textback_tests::fixtures::messages_of_store(&app, owner.store_id)
        .into_iter()
        .filter(|(direction, _, _)| direction == "outbound")
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(
        messages[0].1, taken[0].3,
        "the text Twilio took is the one recorded"
    );
    assert_eq!(messages[0].2, "delivered", "{messages:?}");
}

async fn one_number_sends_one_text_a_second(backend: Backend) {
    let (app, owner) = app_with_send_answer(backend, Accept(AtomicUsize::new(0))).await;
    for i in 0..3 {
        let phone = format!("+1415555012{i}");
        post(
            &app,
            &owner,
            &checkout(&format!("e{i}"), &format!("cart-{i}"), &phone, at(16)),
        )
        .await;
    }
    abandon(&app, at(17));
    let first = pass(&app, at(18)).await;
    assert_eq!((first.sent, first.deferred), (1, 2), "{first:?}");
    let second = pass(&app, at(18)).await;
    assert_eq!(second.claimed, 0, "the others wait for their second");
    // Each waiting text has a second of its own.
    for second in 1..=2 {
        let report = pass(&app, at(18) + Duration::seconds(second)).await;
        assert_eq!(
            (report.claimed, report.sent),
            (1, 1),
            "{second}: {report:?}"
        );
    }
}

/// Twilio taking each text, with a SID of its own.
async fn a_release_cancels_what_twilio_has_not_taken(backend: Backend) {
    let (app, owner) = app_with_send_answer(backend, Accept(AtomicUsize::new(0))).await;
    let customer = "+14155550123";
    post(&app, &owner, &checkout("e1", "cart-1", customer, at(16))).await;
    abandon(&app, at(17));
    assert_eq!(pass(&app, at(18)).await.sent, 1);

    let numbers: Value = app
        .get("/api/v1/numbers", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let released = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/numbers/{}", numbers["active"]["id"]),
            Some(&owner.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(released.status(), reqwest::StatusCode::NO_CONTENT);

    // The reminder Twilio took (`queued` is Twilio's word for taken) stays as it is, and its
    // delivery report still applies; the next step's, not yet due, is cancelled.
    let statuses = |app: &TestApp| -> Vec<String> {
        textback_tests::fixtures::messages_of_store(app, owner.store_id)
            .into_iter()
            .map(|(_, _, status)| status)
            .collect()
    };
    assert_eq!(statuses(&app), ["queued"]);
    let outbox: Vec<String> = outbox_rows(&app)
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    assert_eq!(outbox, ["sent", "cancelled"]);
    let report = [
        ("MessageSid", "SM00000000000000000000000000000000"),
        ("MessageStatus", "delivered"),
        ("AccountSid", TWILIO_ACCOUNT_SID),
        ("From", STORE_NUMBER),
        ("To", customer),
    ];
    let answer = app
        .post_twilio_webhook("/webhooks/twilio/status", &report, None)
        .await;
    assert_eq!(answer.status(), reqwest::StatusCode::NO_CONTENT);
    assert_eq!(statuses(&app), ["delivered"]);
}

struct Accept(AtomicUsize);

impl Respond for Accept {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        ResponseTemplate::new(201).set_body_json(
            json!({"sid": format!("SM{n:032x}"), "status": "queued", "num_segments": "1"}),
        )
    }
}

/// Twilio reporting each text delivered, signed, to the callback URL it was given, before it
/// answers the send: its callback can reach us before its REST answer does.
#[derive(Default, Clone)]
struct ReportsBeforeAnswering {
    /// (callback URL, our answer's status code) of each report.
    reports: Arc<Mutex<Vec<(String, u16)>>>,
}

impl Respond for ReportsBeforeAnswering {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form: HashMap<String, String> =
            serde_urlencoded::from_bytes(&request.body).unwrap_or_default();
        let sid = format!("SM{:032x}", self.reports.lock().unwrap().len());
        let callback = form.get("StatusCallback").cloned().unwrap_or_default();
        let params: Vec<(String, String)> = [
            ("MessageSid", sid.as_str()),
            ("MessageStatus", "delivered"),
            ("AccountSid", TWILIO_ACCOUNT_SID),
            ("To", form.get("To").map_or("", String::as_str)),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let signature =
            textback_api::sms::signature::twilio_signature(TWILIO_AUTH_TOKEN, &callback, &params);
        // wiremock's own thread waits here, as Twilio's answer waits in the audit.
        let url = callback.clone();
        let answered = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                reqwest::Client::new()
                    .post(&url)
                    .header("x-twilio-signature", signature)
                    .form(&params)
                    .send()
                    .await
                    .map_or(0, |r| r.status().as_u16())
            })
        })
        .join()
        .unwrap_or(0);
        self.reports.lock().unwrap().push((callback, answered));
        ResponseTemplate::new(201)
            .set_body_json(json!({"sid": sid, "status": "queued", "num_segments": "1"}))
    }
}

async fn a_delivery_report_before_the_sends_answer_is_kept(backend: Backend) {
    let twilio = ReportsBeforeAnswering::default();
    let (app, owner) = app_with_send_answer(backend, twilio.clone()).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", at(16)),
    )
    .await;
    abandon(&app, at(17));
    let report = pass(&app, at(18)).await;
    assert_eq!(report.sent, 1, "{report:?}");

    let reports = twilio.reports.lock().unwrap().clone();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0].1, 204, "{reports:?}");
    let message = {
        use diesel::prelude::*;
        use textback_api::db::messages::MessageRow;
        use textback_api::db::schema::messages;
        let mut conn = app.state.pool.get().unwrap();
        messages::table
            .filter(messages::store_id.eq(owner.store_id))
            .select(MessageRow::as_select())
            .first(&mut conn)
            .unwrap()
    };
    // The report found the text by our id; Twilio's later answer (`queued`) did not undo it.
    assert_eq!(message.status, "delivered", "{message:?}");
    assert!(message.delivered_at.is_some(), "{message:?}");
    assert!(message.sent_at.is_some(), "{message:?}");
    assert_eq!(
        message.provider_sid.as_deref(),
        Some("SM00000000000000000000000000000000")
    );
    assert_eq!(
        reports[0].0,
        format!(
            "{}/webhooks/twilio/status?message={}",
            app.state.settings.public_base_url, message.id
        )
    );
    assert_eq!(outbox_rows(&app)[0].0, "sent");
}
