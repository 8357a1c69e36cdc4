//! Twilio's webhooks: signed inbound texts and delivery reports.

use reqwest::StatusCode;
use serde_json::Value;
use textback_tests::{TestApp, fixtures, on_both_databases, problem};

use crate::numbers::stocked_area_code;

on_both_databases!(
    an_inbound_text_lands_in_the_customers_thread_once,
    texts_arriving_at_once_are_each_stored_once,
    unsigned_or_tampered_webhooks_are_refused_and_change_nothing,
    texts_to_a_released_number_are_acknowledged_and_dropped,
    delivery_reports_only_move_forward,
    a_report_before_the_sends_answer_finds_the_text_by_our_id,
    the_simulator_injects_replies_through_the_webhook,
);

const CUSTOMER: &str = "+12125550123";

fn inbound<'a>(sid: &'a str, to: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    inbound_from(CUSTOMER, sid, to, body)
}

fn inbound_from<'a>(
    from: &'a str,
    sid: &'a str,
    to: &'a str,
    body: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("MessageSid", sid),
        ("SmsMessageSid", sid),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", from),
        ("To", to),
        ("Body", body),
        ("NumMedia", "0"),
        ("NumSegments", "2"),
        ("SmsStatus", "received"),
        ("FromState", "NY"),
        ("ApiVersion", "2010-04-01"),
    ]
}

async fn an_inbound_text_lands_in_the_customers_thread_once(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let number = app.reserve_any(&owner, stocked_area_code()).await;
    let to = number["phone_number"].as_str().unwrap();
    let params = inbound(
        "SM11111111111111111111111111111111",
        to,
        "Do you have this in a medium?",
    );

    let response = app
        .post_twilio_webhook("/webhooks/twilio/sms", &params, None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("<Response></Response>")
    );

    // Twilio retries deliveries: the same MessageSid again is stored once.
    let again = app
        .post_twilio_webhook("/webhooks/twilio/sms", &params, None)
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let stored = fixtures::messages_of_store(&app, owner.store_id);
    assert_eq!(
        stored,
        [(
            "inbound".into(),
            "Do you have this in a medium?".into(),
            "received".into()
        )]
    );

    let usage: Value = app
        .get("/api/v1/usage", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(usage["inbound_messages"], 1);
    assert_eq!(usage["inbound_segments"], 2);
}

/// A new customer's first two texts, and Twilio's retry of one, arriving together: each
/// text is stored once and every delivery is answered 200 (Twilio drops a text it was
/// answered an error for).
async fn texts_arriving_at_once_are_each_stored_once(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let number = app.reserve_any(&owner, stocked_area_code()).await;
    let to = number["phone_number"].as_str().unwrap();
    const ROUNDS: usize = 10;
    for round in 0..ROUNDS {
        let from = format!("+1212555{:04}", 100 + round);
        let (first, second) = (format!("SM{round:032}"), format!("SM{:032}", round + 1000));
        let deliveries = [&first, &second, &first].map(|sid| {
            let params = inbound_from(&from, sid, to, "Is this in stock?");
            let app = &app;
            async move {
                app.post_twilio_webhook("/webhooks/twilio/sms", &params, None)
                    .await
                    .status()
            }
        });
        let [a, b, c] = deliveries;
        let statuses = tokio::join!(a, b, c);
        assert_eq!(
            statuses,
            (StatusCode::OK, StatusCode::OK, StatusCode::OK),
            "round {round}"
        );
    }
    let stored = fixtures::messages_of_store(&app, owner.store_id);
    assert_eq!(stored.len(), 2 * ROUNDS, "{stored:?}");
}

async fn unsigned_or_tampered_webhooks_are_refused_and_change_nothing(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let number = app.reserve_any(&owner, stocked_area_code()).await;
    let to = number["phone_number"].as_str().unwrap();
    let params = inbound("SM22222222222222222222222222222222", to, "hello");

    problem(
        app.post_twilio_webhook(
            "/webhooks/twilio/sms",
            &params,
            Some("bm90IHRoZSBzaWduYXR1cmU="),
        )
        .await,
        403,
    )
    .await;
    problem(
        app.post_twilio_webhook("/webhooks/twilio/sms", &params, Some(""))
            .await,
        403,
    )
    .await;
    let unsigned = app
        .http
        .post(app.url("/webhooks/twilio/sms"))
        .form(&params)
        .send()
        .await
        .unwrap();
    problem(unsigned, 403).await;
    // Signed for one body, sent with another.
    let tampered = app
        .http
        .post(app.url("/webhooks/twilio/sms"))
        .header(
            "x-twilio-signature",
            signature_for(&app, "/webhooks/twilio/sms", &params),
        )
        .form(&inbound(
            "SM22222222222222222222222222222222",
            to,
            "hello, changed",
        ))
        .send()
        .await
        .unwrap();
    problem(tampered, 403).await;
    problem(
        app.post_twilio_webhook(
            "/webhooks/twilio/status",
            &[("MessageSid", "SM1"), ("MessageStatus", "delivered")],
            Some("x"),
        )
        .await,
        403,
    )
    .await;
    assert!(fixtures::messages_of_store(&app, owner.store_id).is_empty());
}

fn signature_for(app: &TestApp, path: &str, params: &[(&str, &str)]) -> String {
    let owned: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let url = format!("{}{path}", app.state.settings.public_base_url);
    textback_api::sms::signature::twilio_signature(
        &app.state.settings.webhook_signing_key(),
        &url,
        &owned,
    )
}

async fn texts_to_a_released_number_are_acknowledged_and_dropped(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let number = app.reserve_any(&owner, stocked_area_code()).await;
    let to = number["phone_number"].as_str().unwrap().to_owned();
    app.delete(&format!("/api/v1/numbers/{}", number["id"]), &owner.token)
        .await;

    let params = inbound("SM33333333333333333333333333333333", &to, "still there?");
    assert_eq!(
        app.post_twilio_webhook("/webhooks/twilio/sms", &params, None)
            .await
            .status(),
        StatusCode::OK
    );
    let stranger = inbound(
        "SM44444444444444444444444444444444",
        "+13125550100",
        "wrong number",
    );
    assert_eq!(
        app.post_twilio_webhook("/webhooks/twilio/sms", &stranger, None)
            .await
            .status(),
        StatusCode::OK
    );
    assert!(fixtures::messages_of_store(&app, owner.store_id).is_empty());
}

async fn delivery_reports_only_move_forward(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let sid = "SM55555555555555555555555555555555";
    let message = fixtures::outbound_message(&app, owner.store_id, CUSTOMER, "queued", Some(sid));
    let report = |status: &'static str, error: Option<&'static str>| {
        let mut params = vec![
            ("MessageSid", sid),
            ("MessageStatus", status),
            ("AccountSid", "AC0"),
        ];
        if let Some(code) = error {
            params.push(("ErrorCode", code));
        }
        params
    };
    for (status, error, expected) in [
        ("sent", None, ("sent", None)),
        ("queued", None, ("sent", None)),
        ("undelivered", Some("30003"), ("undelivered", Some(30003))),
        ("delivered", None, ("undelivered", Some(30003))),
        ("sending", None, ("undelivered", Some(30003))),
    ] {
        let response = app
            .post_twilio_webhook("/webhooks/twilio/status", &report(status, error), None)
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let (now, code) = fixtures::message_status(&app, message);
        assert_eq!((now.as_str(), code), expected, "after {status}");
    }
    let unknown = [
        ("MessageSid", "SM66666666666666666666666666666666"),
        ("MessageStatus", "delivered"),
    ];
    assert_eq!(
        app.post_twilio_webhook("/webhooks/twilio/status", &unknown, None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
}

/// (status, provider sid, delivered) of the message.
fn reported(app: &TestApp, id: i64) -> (String, Option<String>, bool) {
    use diesel::prelude::*;
    use textback_api::db::schema::messages;
    let mut conn = app.state.pool.get().expect("connection");
    let (status, sid, delivered_at): (String, Option<String>, Option<chrono::NaiveDateTime>) =
        messages::table
            .find(id)
            .select((
                messages::status,
                messages::provider_sid,
                messages::delivered_at,
            ))
            .first(&mut conn)
            .expect("message");
    (status, sid, delivered_at.is_some())
}

async fn a_report_before_the_sends_answer_finds_the_text_by_our_id(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    // Handed to Twilio, whose answer (with the sid) is not recorded yet.
    let sending = fixtures::outbound_message(&app, owner.store_id, CUSTOMER, "sending", None);
    let path = format!("/webhooks/twilio/status?message={sending}");
    let (ours, other) = (
        "SM77777777777777777777777777777777",
        "SM88888888888888888888888888888888",
    );
    let report =
        |sid: &'static str, status: &'static str| [("MessageSid", sid), ("MessageStatus", status)];
    let steps = [
        (ours, "sent", ("sent", Some(ours), false)),
        // Once the text has a sid, another one's report does not touch it.
        (other, "delivered", ("sent", Some(ours), false)),
        (ours, "delivered", ("delivered", Some(ours), true)),
        (ours, "sent", ("delivered", Some(ours), true)),
    ];
    for (sid, status, (expected, expected_sid, delivered)) in steps {
        let response = app
            .post_twilio_webhook(&path, &report(sid, status), None)
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            reported(&app, sending),
            (expected.into(), expected_sid.map(Into::into), delivered),
            "after {status} from {sid}"
        );
    }
    // The id does not let a report take over a text Twilio gave another sid.
    let sent = fixtures::outbound_message(
        &app,
        owner.store_id,
        "+12125550124",
        "queued",
        Some("SM99999999999999999999999999999999"),
    );
    let response = app
        .post_twilio_webhook(
            &format!("/webhooks/twilio/status?message={sent}"),
            &report(other, "delivered"),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(reported(&app, sent).0, "queued");
    problem(
        app.post_twilio_webhook(
            "/webhooks/twilio/status?message=first",
            &report(ours, "delivered"),
            None,
        )
        .await,
        422,
    )
    .await;
}

async fn the_simulator_injects_replies_through_the_webhook(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let number = app.reserve_any(&owner, stocked_area_code()).await;
    let to = number["phone_number"].as_str().unwrap();
    let sid = textback_api::sms::simulator::inject_inbound(
        &app.state.settings,
        CUSTOMER,
        to,
        "Is shipping free?",
    )
    .await
    .unwrap();
    assert!(sid.starts_with("SM"));
    let stored = fixtures::messages_of_store(&app, owner.store_id);
    assert_eq!(
        stored,
        [(
            "inbound".into(),
            "Is shipping free?".into(),
            "received".into()
        )]
    );
}
