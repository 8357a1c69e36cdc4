//! Opt-out, opt-in and HELP from replies, through the signed Twilio webhook: the contact's
//! state, the audit, cancelled reminders, and exactly the confirmations the rules allow.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;
use textback_api::db;
use textback_tests::{Session, TestApp, fixtures, on_both_databases};

use crate::dispatch::{
    abandon, checkout, outbox_rows, pass, post, simulator, store_with_flow, utc,
};

on_both_databases!(
    a_texted_stop_opts_out_cancels_reminders_and_confirms_once,
    help_is_answered_once_a_day_and_ordinary_texts_are_left_alone,
    twilios_own_opt_out_handling_is_followed,
    a_stop_with_a_nul_character_still_opts_out,
    two_stops_or_starts_delivered_at_once_confirm_once,
);

const CUSTOMER: &str = "+14155550123";

async fn text_in(app: &TestApp, sid: &str, body: &str, extra: &[(&str, &str)]) {
    let mut conn = app.state.pool.get().unwrap();
    let store_number = db::phone_numbers::all_active(&mut conn).unwrap()[0]
        .phone_number
        .clone();
    drop(conn);
    let mut params = vec![
        ("MessageSid", sid),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", CUSTOMER),
        ("To", store_number.as_str()),
        ("Body", body),
        ("NumSegments", "1"),
    ];
    params.extend_from_slice(extra);
    let response = app
        .post_twilio_webhook("/webhooks/twilio/sms", &params, None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

/// A store with a two-step cart flow, and `CUSTOMER` known to it by a checkout.
async fn store_with_customer(app: &TestApp) -> Session {
    let (owner, _) = store_with_flow(app, [60, 1440]).await;
    post(app, &owner, &checkout("e1", "cart-1", CUSTOMER, utc(16, 0))).await;
    owner
}

async fn contact(app: &TestApp, owner: &Session) -> Value {
    let list: Value = app
        .get("/api/v1/contacts", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let id = &list["items"][0]["id"];
    app.get(&format!("/api/v1/contacts/{id}"), &owner.token)
        .await
        .json()
        .await
        .unwrap()
}

fn sent_bodies(app: &TestApp) -> Vec<String> {
    simulator(app).sent().into_iter().map(|s| s.body).collect()
}

async fn a_texted_stop_opts_out_cancels_reminders_and_confirms_once(app: TestApp) {
    let owner = store_with_customer(&app).await;
    abandon(&app, utc(17, 0));

    text_in(
        &app,
        "SM00000000000000000000000000000001",
        "Please stop texting me",
        &[],
    )
    .await;
    let customer = contact(&app, &owner).await;
    assert!(
        customer["contact"]["opted_out_at"].is_string(),
        "{customer}"
    );
    let last = customer["consent_history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["status"], "denied");
    assert_eq!(last["source"], "keyword");
    assert!(
        last["note"]
            .as_str()
            .unwrap()
            .contains("Please stop texting me"),
        "{last}"
    );
    let rows = outbox_rows(&app);
    assert_eq!(
        rows[..2],
        [
            (
                "cancelled".to_owned(),
                Some("the customer opted out".to_owned())
            ),
            (
                "cancelled".to_owned(),
                Some("the customer opted out".to_owned())
            ),
        ]
    );

    let now = db::now();
    assert_eq!(pass(&app, now + Duration::seconds(1)).await.sent, 1);
    assert_eq!(
        sent_bodies(&app),
        [
            "Store of owner@maple.example: You're unsubscribed and will receive no more messages. Reply START to resubscribe."
        ]
    );
    // A second STOP gets no second confirmation; nothing else ever goes out.
    text_in(&app, "SM00000000000000000000000000000002", "STOP", &[]).await;
    assert_eq!(pass(&app, now + Duration::minutes(1)).await.sent, 0);
    assert_eq!(pass(&app, now + Duration::days(3)).await.sent, 0);
    assert_eq!(sent_bodies(&app).len(), 1);

    // START resubscribes, with a confirmation.
    text_in(&app, "SM00000000000000000000000000000003", "start", &[]).await;
    assert!(contact(&app, &owner).await["contact"]["opted_out_at"].is_null());
    assert_eq!(pass(&app, db::now() + Duration::seconds(1)).await.sent, 1);
    assert!(
        sent_bodies(&app)[1].contains("You're resubscribed"),
        "{:?}",
        sent_bodies(&app)
    );
}

/// A customer who sends STOP twice in a row may have both texts delivered at once: one
/// opt-out, one audit row and one confirmation (CTIA), and the same for START.
async fn two_stops_or_starts_delivered_at_once_confirm_once(app: TestApp) {
    let owner = store_with_customer(&app).await;
    const ROUNDS: usize = 5;
    for round in 0..ROUNDS {
        for (word, n) in [("STOP", 0), ("START", 1)] {
            let sid = |k: usize| format!("SM{:032}", round * 4 + n * 2 + k);
            let (first, second) = (sid(0), sid(1));
            tokio::join!(
                text_in(&app, &first, word, &[]),
                text_in(&app, &second, word, &[])
            );
        }
    }
    let history = contact(&app, &owner).await["consent_history"].clone();
    let by_keyword = |status: &str| {
        history
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["source"] == "keyword" && e["status"] == status)
            .count()
    };
    assert_eq!(
        (by_keyword("denied"), by_keyword("granted")),
        (ROUNDS, ROUNDS)
    );
    let confirmations = |words: &str| {
        fixtures::messages_of_store(&app, owner.store_id)
            .into_iter()
            .filter(|(direction, body, _)| direction == "outbound" && body.contains(words))
            .count()
    };
    assert_eq!(
        (confirmations("unsubscribed"), confirmations("resubscribed")),
        (ROUNDS, ROUNDS)
    );
}

async fn help_is_answered_once_a_day_and_ordinary_texts_are_left_alone(app: TestApp) {
    let owner = store_with_customer(&app).await;
    text_in(&app, "SM00000000000000000000000000000011", "HELP", &[]).await;
    text_in(&app, "SM00000000000000000000000000000012", "help", &[]).await;
    text_in(
        &app,
        "SM00000000000000000000000000000013",
        "I'll stop by the store tomorrow",
        &[],
    )
    .await;
    text_in(
        &app,
        "SM00000000000000000000000000000014",
        "cancel my order #123",
        &[],
    )
    .await;
    assert_eq!(pass(&app, db::now() + Duration::seconds(1)).await.sent, 1);
    let bodies = sent_bodies(&app);
    assert_eq!(bodies.len(), 1);
    assert!(
        bodies[0].contains("Msg & data rates may apply. Reply STOP to opt out."),
        "{}",
        bodies[0]
    );
    let customer = contact(&app, &owner).await;
    assert!(
        customer["contact"]["opted_out_at"].is_null(),
        "ordinary texts do not opt out"
    );
}

async fn twilios_own_opt_out_handling_is_followed(app: TestApp) {
    let owner = store_with_customer(&app).await;
    // Twilio handled a keyword we might not have recognised; its word counts, and its
    // confirmation (Advanced Opt-Out) is the only one.
    text_in(
        &app,
        "SM00000000000000000000000000000021",
        "Arrête",
        &[("OptOutType", "STOP")],
    )
    .await;
    assert!(contact(&app, &owner).await["contact"]["opted_out_at"].is_string());
    assert_eq!(pass(&app, db::now() + Duration::seconds(1)).await.sent, 0);
    assert_eq!(sent_bodies(&app), Vec::<String>::new());
    assert_eq!(
        awaiting_threads(&app, &owner).await,
        0,
        "answered by Twilio"
    );
}

/// Threads in the inbox's "awaiting reply" tab.
async fn awaiting_threads(app: &TestApp, owner: &Session) -> usize {
    let page: Value = app
        .get("/api/v1/threads?filter=awaiting_reply", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().expect("threads").len()
}

/// On Twilio, which answers its standard single-word keywords itself (and then refuses to
/// text a customer who sent STOP): those are acted on but not confirmed again; a request in
/// words of one's own is confirmed by us.
mod on_twilio {
    use super::*;
    use crate::numbers_twilio::{incoming_numbers_path, purchased, reserve};
    use textback_tests::{Backend, on_both_backends};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    on_both_backends!(twilios_keywords_are_confirmed_by_twilio_alone);

    async fn twilios_keywords_are_confirmed_by_twilio_alone(backend: Backend) {
        let twilio = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(incoming_numbers_path()))
            .respond_with(ResponseTemplate::new(201).set_body_json(purchased()))
            .mount(&twilio)
            .await;
        let app = TestApp::spawn_with_twilio(backend, &twilio.uri()).await;
        let owner = app.signup("owner@maple.example").await;
        assert_eq!(reserve(&app, &owner).await.status(), StatusCode::CREATED);
        let outbound = |app: &TestApp| {
            fixtures::messages_of_store(app, owner.store_id)
                .into_iter()
                .filter(|(direction, _, _)| direction == "outbound")
                .map(|(_, body, _)| body)
                .collect::<Vec<_>>()
        };

        text_in(&app, "SM00000000000000000000000000000031", " stop ", &[]).await;
        assert!(contact(&app, &owner).await["contact"]["opted_out_at"].is_string());
        text_in(&app, "SM00000000000000000000000000000032", "Start", &[]).await;
        assert!(contact(&app, &owner).await["contact"]["opted_out_at"].is_null());
        text_in(&app, "SM00000000000000000000000000000033", "HELP", &[]).await;
        assert_eq!(
            outbound(&app),
            Vec::<String>::new(),
            "Twilio answered all three"
        );
        assert_eq!(awaiting_threads(&app, &owner).await, 0);

        text_in(
            &app,
            "SM00000000000000000000000000000034",
            "please stop texting me",
            &[],
        )
        .await;
        assert!(contact(&app, &owner).await["contact"]["opted_out_at"].is_string());
        let confirmations = outbound(&app);
        assert_eq!(confirmations.len(), 1, "{confirmations:?}");
        assert!(
            confirmations[0].contains("unsubscribed"),
            "{confirmations:?}"
        );
    }
}

/// A NUL cannot be stored by PostgreSQL: the text is kept without it, so the customer's STOP
/// counts on both databases instead of being refused.
async fn a_stop_with_a_nul_character_still_opts_out(app: TestApp) {
    let owner = store_with_customer(&app).await;
    text_in(&app, "SM00000000000000000000000000000009", "STOP\0", &[]).await;
    let customer = contact(&app, &owner).await;
    assert!(
        customer["contact"]["opted_out_at"].is_string(),
        "{customer}"
    );
    let note = customer["consent_history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["note"]
        .clone();
    assert!(note.as_str().unwrap().contains("STOP"), "{note}");
    assert!(!note.as_str().unwrap().contains('\0'), "{note}");
}
