//! Reserving and releasing through Twilio's real REST API (a fake Twilio on loopback): the
//! webhooks configured on the number, a number taken meanwhile, a purchase that went through
//! though its answer was lost, and a failed release retried.

use reqwest::StatusCode;
use serde_json::{Value, json};
use textback_tests::{Backend, Session, TWILIO_ACCOUNT_SID, TestApp, on_both_backends, problem};
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NUMBER: &str = "+14155550142";
const NUMBER_SID: &str = "PN0123456789abcdef0123456789abcdef";

pub(crate) fn incoming_numbers_path() -> String {
    format!("/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/IncomingPhoneNumbers.json")
}

/// Twilio's list of the account's numbers, holding `numbers`.
fn owned(numbers: &[Value]) -> Value {
    json!({"incoming_phone_numbers": numbers, "page": 0, "page_size": 50, "start": 0, "end": numbers.len(),
        "first_page_uri": "/2010-04-01/Accounts/AC/IncomingPhoneNumbers.json?PageSize=50&Page=0",
        "next_page_uri": null, "previous_page_uri": null, "uri": "/2010-04-01/Accounts/AC/IncomingPhoneNumbers.json"})
}

/// Twilio answering a purchase of the number with 21422: not available (to us either).
async fn refuse_purchase(twilio: &MockServer) {
    let taken = json!({"code": 21422, "message": "PhoneNumber is not available", "more_info": "https://www.twilio.com/docs/errors/21422", "status": 400});
    Mock::given(method("POST"))
        .and(path(incoming_numbers_path()))
        .respond_with(ResponseTemplate::new(400).set_body_json(taken))
        .mount(twilio)
        .await;
}

/// Twilio saying the account holds the number.
async fn number_is_ours(twilio: &MockServer) {
    Mock::given(method("GET"))
        .and(path(incoming_numbers_path()))
        .and(query_param("PhoneNumber", NUMBER))
        .respond_with(ResponseTemplate::new(200).set_body_json(owned(&[purchased()])))
        .mount(twilio)
        .await;
}

/// The store holds no number, and has released none: a refused reservation stored nothing.
async fn assert_no_numbers(app: &TestApp, owner: &Session) {
    let listed: Value = app
        .get("/api/v1/numbers", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!({"active": null, "released": []}));
}

pub(crate) async fn reserve(app: &TestApp, owner: &Session) -> reqwest::Response {
    app.post(
        "/api/v1/numbers",
        Some(&owner.token),
        &json!({"phone_number": NUMBER}),
    )
    .await
}

pub(crate) fn purchased() -> Value {
    json!({"sid": NUMBER_SID, "phone_number": NUMBER, "friendly_name": "(415) 555-0142", "account_sid": TWILIO_ACCOUNT_SID})
}

async fn app_on_fake_twilio(backend: Backend) -> (TestApp, MockServer) {
    let twilio = MockServer::start().await;
    let app = TestApp::spawn_with_twilio(backend, &twilio.uri()).await;
    (app, twilio)
}

on_both_backends!(
    reserving_configures_our_webhooks_on_the_number,
    a_number_taken_meanwhile_is_a_conflict_and_stores_nothing,
    a_purchase_that_went_through_unanswered_is_kept,
    a_failed_provider_release_still_stops_sms_and_is_retried,
    what_the_provider_refuses_is_a_4xx_with_its_reason,
);

async fn reserving_configures_our_webhooks_on_the_number(backend: Backend) {
    let (app, twilio) = app_on_fake_twilio(backend).await;
    let base = app.state.settings.public_base_url.clone();
    Mock::given(method("POST"))
        .and(path(incoming_numbers_path()))
        .and(body_string_contains("PhoneNumber=%2B14155550142"))
        .and(body_string_contains(format!(
            "SmsUrl={}",
            form_encoded(&format!("{base}/webhooks/twilio/sms"))
        )))
        // A number's status callback reports its voice calls; texts ask for their own.
        .and(|request: &wiremock::Request| {
            !String::from_utf8_lossy(&request.body).contains("StatusCallback")
        })
        .respond_with(ResponseTemplate::new(201).set_body_json(purchased()))
        .expect(1)
        .mount(&twilio)
        .await;
    let owner = app.signup("owner@maple.example").await;
    let response = app
        .post(
            "/api/v1/numbers",
            Some(&owner.token),
            &json!({"phone_number": NUMBER}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let reserved: Value = response.json().await.unwrap();
    assert_eq!(reserved["phone_number"], NUMBER);
    assert_eq!(reserved["region"], "CA");
}

fn form_encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn a_number_taken_meanwhile_is_a_conflict_and_stores_nothing(backend: Backend) {
    let (app, twilio) = app_on_fake_twilio(backend).await;
    let taken = json!({"code": 21422, "message": "PhoneNumber is not available", "more_info": "https://www.twilio.com/docs/errors/21422", "status": 400});
    Mock::given(method("POST"))
        .and(path(incoming_numbers_path()))
        .respond_with(ResponseTemplate::new(400).set_body_json(taken))
        .mount(&twilio)
        .await;
    let owner = app.signup("owner@maple.example").await;
    let conflict = problem(
        app.post(
            "/api/v1/numbers",
            Some(&owner.token),
            &json!({"phone_number": NUMBER}),
        )
        .await,
        409,
    )
    .await;
    assert!(
        conflict.detail.contains("just taken"),
        "{}",
        conflict.detail
    );
    assert_no_numbers(&app, &owner).await;

    // A provider outage is a 503 to retry, not a 500, and stores nothing either.
    twilio.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&twilio)
        .await;
    problem(
        app.post(
            "/api/v1/numbers",
            Some(&owner.token),
            &json!({"phone_number": NUMBER}),
        )
        .await,
        503,
    )
    .await;
    let listed: Value = app
        .get("/api/v1/numbers", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["active"], Value::Null);
}

async fn a_purchase_that_went_through_unanswered_is_kept(backend: Backend) {
    let twilio = MockServer::start().await;
    let timeout = std::time::Duration::from_millis(500);
    let app = TestApp::spawn_with_twilio_timeout(backend, &twilio.uri(), Some(timeout)).await;
    // Twilio buys the number but answers only after we gave up.
    Mock::given(method("POST"))
        .and(path(incoming_numbers_path()))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(purchased())
                .set_delay(std::time::Duration::from_secs(2)),
        )
        .mount(&twilio)
        .await;
    number_is_ours(&twilio).await;
    let owner = app.signup("owner@maple.example").await;
    let response = reserve(&app, &owner).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let listed: Value = app
        .get("/api/v1/numbers", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["active"]["phone_number"], NUMBER);

    // The merchant's retry of a purchase whose failure they saw: Twilio refuses it, as the
    // account holds the number, which the store then gets.
    let app = TestApp::spawn_with_twilio(backend, &twilio.uri()).await;
    twilio.reset().await;
    refuse_purchase(&twilio).await;
    number_is_ours(&twilio).await;
    let owner = app.signup("owner@birch.example").await;
    assert_eq!(reserve(&app, &owner).await.status(), StatusCode::CREATED);
    let sid: String = {
        use diesel::prelude::*;
        use textback_api::db::schema::phone_numbers;
        let mut conn = app.state.pool.get().unwrap();
        phone_numbers::table
            .select(phone_numbers::provider_sid.assume_not_null())
            .first(&mut conn)
            .unwrap()
    };
    assert_eq!(sid, NUMBER_SID, "released later by its own id");
}

async fn a_failed_provider_release_still_stops_sms_and_is_retried(backend: Backend) {
    let (app, twilio) = app_on_fake_twilio(backend).await;
    Mock::given(method("POST"))
        .and(path(incoming_numbers_path()))
        .respond_with(ResponseTemplate::new(201).set_body_json(purchased()))
        .mount(&twilio)
        .await;
    let release_path =
        format!("/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/IncomingPhoneNumbers/{NUMBER_SID}.json");
    Mock::given(method("DELETE"))
        .and(path(release_path.clone()))
        .respond_with(ResponseTemplate::new(500))
        .mount(&twilio)
        .await;
    let owner = app.signup("owner@maple.example").await;
    let reserved: Value = app
        .post(
            "/api/v1/numbers",
            Some(&owner.token),
            &json!({"phone_number": NUMBER}),
        )
        .await
        .json()
        .await
        .unwrap();

    let released = app
        .delete(&format!("/api/v1/numbers/{}", reserved["id"]), &owner.token)
        .await;
    assert_eq!(
        released.status(),
        StatusCode::NO_CONTENT,
        "our side stops whatever the provider says"
    );
    let listed: Value = app
        .get("/api/v1/numbers", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["released"][0]["status"], "released");
    assert_eq!(pending_releases(&app), 1);

    // Until Twilio lets it go the account holds it, but it is on its way out: another store's
    // purchase of it, refused by Twilio, is not taken for one that went through.
    twilio.reset().await;
    refuse_purchase(&twilio).await;
    number_is_ours(&twilio).await;
    let other = app.signup("owner@birch.example").await;
    problem(reserve(&app, &other).await, 409).await;

    twilio.reset().await;
    Mock::given(method("DELETE"))
        .and(path(release_path))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&twilio)
        .await;
    textback_api::services::numbers::retry_pending_releases(&app.state)
        .await
        .unwrap();
    assert_eq!(pending_releases(&app), 0);
    textback_api::services::numbers::retry_pending_releases(&app.state)
        .await
        .unwrap();
}

fn pending_releases(app: &TestApp) -> usize {
    let mut conn = app.state.pool.get().unwrap();
    textback_api::db::phone_numbers::pending_provider_release(&mut conn, 10)
        .unwrap()
        .len()
}

/// Twilio refuses some numbers and searches for reasons of its own (21631: the number needs an
/// address on file): the merchant is told why, with a 4xx, and nothing is stored.
async fn what_the_provider_refuses_is_a_4xx_with_its_reason(backend: Backend) {
    let (app, twilio) = app_on_fake_twilio(backend).await;
    let needs_address = json!({"code": 21631, "message": "Phone Number Requires an Address",
        "more_info": "https://www.twilio.com/docs/errors/21631", "status": 400});
    Mock::given(method("POST"))
        .and(path(incoming_numbers_path()))
        .respond_with(ResponseTemplate::new(400).set_body_json(needs_address.clone()))
        .mount(&twilio)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/AvailablePhoneNumbers/US/Local.json"
        )))
        .respond_with(ResponseTemplate::new(400).set_body_json(needs_address))
        .mount(&twilio)
        .await;
    let owner = app.signup("owner@maple.example").await;

    let refused = problem(reserve(&app, &owner).await, 409).await;
    assert!(
        refused.detail.contains("Requires an Address"),
        "{}",
        refused.detail
    );
    assert_no_numbers(&app, &owner).await;

    let search = app
        .get(
            "/api/v1/numbers/available?country=US&area_code=415",
            &owner.token,
        )
        .await;
    let refused = problem(search, 400).await;
    assert!(
        refused.detail.contains("Requires an Address"),
        "{}",
        refused.detail
    );
}
