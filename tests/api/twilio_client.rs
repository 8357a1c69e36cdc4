//! The Twilio REST client against a fake Twilio on loopback: the exact requests it makes, and
//! how it reads Twilio's real answers (from `tests/fixtures/twilio-rest-shapes.json`) and
//! Twilio's error bodies.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use textback_api::sms::twilio::TwilioClient;
use textback_api::sms::{
    AvailableNumber, NumberSearch, NumberWebhooks, OutboundSms, ProviderError, ProviderMessage,
    ReservedNumber, SmsProvider,
};
use textback_shared::numbers::{Capabilities, Country};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SHAPES: &str = include_str!("../fixtures/twilio-rest-shapes.json");

const ACCOUNT_SID: &str = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const AUTH_TOKEN: &str = "test-auth-token";
/// `Basic base64("ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:test-auth-token")`.
const BASIC_AUTH: &str =
    "Basic QUNhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYTp0ZXN0LWF1dGgtdG9rZW4=";
const ACCOUNT_PATH: &str = "/2010-04-01/Accounts/ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn sample(name: &str) -> Value {
    fixture("sample_responses", name)
}

fn captured(name: &str) -> Value {
    fixture("real_captured_responses", name)
}

fn fixture(section: &str, name: &str) -> Value {
    let shapes: Value = serde_json::from_str(SHAPES).expect("the fixture is JSON");
    let value = &shapes[section][name];
    assert!(!value.is_null(), "no {section} entry named {name:?}");
    value.clone()
}

fn json_response(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/json")
}

/// Twilio's error body, as its REST API sends it.
fn twilio_error(status: u16, code: i64, message: &str) -> ResponseTemplate {
    json_response(
        status,
        &json!({
            "code": code,
            "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status,
        }),
    )
}

fn client(server: &MockServer) -> TwilioClient {
    TwilioClient::new(ACCOUNT_SID.into(), AUTH_TOKEN.into(), server.uri()).expect("valid settings")
}

/// A fake Twilio that answers `verb path` with `response`, and 404 to anything else.
async fn fake_twilio(verb: &str, tail: &str, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(format!("{ACCOUNT_PATH}/{tail}")))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server
        .received_requests()
        .await
        .expect("requests are recorded");
    assert_eq!(requests.len(), 1, "exactly one request: {requests:?}");
    requests.remove(0)
}

fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    sorted(
        expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

fn query_of(request: &Request) -> Vec<(String, String)> {
    sorted(
        request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    )
}

fn form_of(request: &Request) -> Vec<(String, String)> {
    assert_eq!(
        request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/x-www-form-urlencoded"),
        "a form body"
    );
    sorted(
        url::form_urlencoded::parse(&request.body)
            .into_owned()
            .collect(),
    )
}

/// Method, path and credentials of the one request made.
fn assert_request(request: &Request, verb: &str, tail: &str) {
    assert_eq!(request.method.as_str(), verb);
    assert_eq!(request.url.path(), format!("{ACCOUNT_PATH}/{tail}"));
    assert_eq!(
        request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some(BASIC_AUTH)
    );
}

fn webhooks() -> NumberWebhooks {
    NumberWebhooks {
        sms_url: "https://textback.example/webhooks/twilio/sms?store=7".into(),
    }
}

fn outbound(to: &str) -> OutboundSms {
    OutboundSms {
        from: "+14155552345".into(),
        to: to.into(),
        body: "O Slash: Ø, PoP: 💩 & more = 100%".into(),
        status_callback_url: Some("https://textback.example/webhooks/twilio/status?m=42".into()),
    }
}

#[tokio::test]
async fn search_by_area_code_asks_for_sms_numbers_and_reads_lower_case_capabilities() {
    let body = sample("GET AvailablePhoneNumbers/US/Local.json -> 200");
    let server = fake_twilio(
        "GET",
        "AvailablePhoneNumbers/US/Local.json",
        json_response(200, &body),
    )
    .await;
    let search = NumberSearch {
        country: Country::Us,
        area_code: Some(808),
        region: None,
        page_size: 20,
    };

    let numbers = client(&server).search_available(&search).await.unwrap();

    let request = only_request(&server).await;
    assert_request(&request, "GET", "AvailablePhoneNumbers/US/Local.json");
    assert_eq!(
        query_of(&request),
        pairs(&[
            ("AreaCode", "808"),
            ("SmsEnabled", "true"),
            ("PageSize", "20")
        ])
    );
    assert!(request.body.is_empty());
    assert_eq!(
        numbers,
        vec![AvailableNumber {
            phone_number: "+18089251571".into(),
            friendly_name: "(808) 925-1571".into(),
            locality: Some("Hilo".into()),
            region: Some("HI".into()),
            country: Country::Us,
            capabilities: Capabilities {
                sms: false,
                mms: true,
                voice: true,
            },
        }]
    );
}

#[tokio::test]
async fn search_by_region_reads_a_live_answer_with_upper_case_capabilities() {
    let body = captured(
        "GET AvailablePhoneNumbers/US/Local.json?Contains=571*******&InRegion=VA&PageSize=1&SmsEnabled=true&VoiceEnabled=true -> 200",
    );
    let server = fake_twilio(
        "GET",
        "AvailablePhoneNumbers/US/Local.json",
        json_response(200, &body),
    )
    .await;
    let search = NumberSearch {
        country: Country::Us,
        area_code: None,
        region: Some("VA".into()),
        page_size: 1,
    };

    let numbers = client(&server).search_available(&search).await.unwrap();

    let request = only_request(&server).await;
    assert_request(&request, "GET", "AvailablePhoneNumbers/US/Local.json");
    assert_eq!(
        query_of(&request),
        pairs(&[
            ("InRegion", "VA"),
            ("SmsEnabled", "true"),
            ("PageSize", "1")
        ])
    );
    assert_eq!(
        numbers,
        vec![AvailableNumber {
            phone_number: "+15712000596".into(),
            friendly_name: "(571) 200-0596".into(),
            // The live answer has no locality at all.
            locality: None,
            region: Some("VA".into()),
            country: Country::Us,
            capabilities: Capabilities {
                sms: true,
                mms: true,
                voice: true,
            },
        }]
    );
}

#[tokio::test]
async fn search_in_canada_uses_the_ca_list_and_reads_an_empty_answer() {
    let body = sample("GET AvailablePhoneNumbers/US/Local.json -> 200 (empty)");
    let server = fake_twilio(
        "GET",
        "AvailablePhoneNumbers/CA/Local.json",
        json_response(200, &body),
    )
    .await;
    let search = NumberSearch {
        country: Country::Ca,
        area_code: None,
        region: Some("ON".into()),
        page_size: 50,
    };

    let numbers = client(&server).search_available(&search).await.unwrap();

    assert!(numbers.is_empty());
    let request = only_request(&server).await;
    assert_request(&request, "GET", "AvailablePhoneNumbers/CA/Local.json");
    assert_eq!(
        query_of(&request),
        pairs(&[
            ("InRegion", "ON"),
            ("SmsEnabled", "true"),
            ("PageSize", "50")
        ])
    );
}

#[tokio::test]
async fn reserve_buys_the_number_with_our_webhooks() {
    let body = sample("POST IncomingPhoneNumbers.json -> 201");
    let server = fake_twilio(
        "POST",
        "IncomingPhoneNumbers.json",
        json_response(201, &body),
    )
    .await;

    let reserved = client(&server)
        .reserve("+18089255327", &webhooks())
        .await
        .unwrap();

    assert_eq!(
        reserved,
        ReservedNumber {
            provider_sid: "PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
            phone_number: "+18089255327".into(),
        }
    );
    let request = only_request(&server).await;
    assert_request(&request, "POST", "IncomingPhoneNumbers.json");
    assert_eq!(request.url.query(), None);
    assert_eq!(
        form_of(&request),
        pairs(&[
            ("PhoneNumber", "+18089255327"),
            (
                "SmsUrl",
                "https://textback.example/webhooks/twilio/sms?store=7"
            ),
            ("SmsMethod", "POST"),
        ])
    );
}

#[tokio::test]
async fn reserve_of_a_number_taken_since_listing_is_number_unavailable() {
    for (code, message) in [
        (21422, "PhoneNumber +18089255327 is not available"),
        (21452, "No phone numbers found"),
    ] {
        let server = fake_twilio(
            "POST",
            "IncomingPhoneNumbers.json",
            twilio_error(400, code, message),
        )
        .await;

        let error = client(&server)
            .reserve("+18089255327", &webhooks())
            .await
            .unwrap_err();

        assert_eq!(error, ProviderError::NumberUnavailable, "code {code}");
        assert!(!error.is_retryable());
        assert_request(
            &only_request(&server).await,
            "POST",
            "IncomingPhoneNumbers.json",
        );
    }
}

#[tokio::test]
async fn release_deletes_the_number() {
    let sid = "PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let server = fake_twilio(
        "DELETE",
        &format!("IncomingPhoneNumbers/{sid}.json"),
        ResponseTemplate::new(204),
    )
    .await;

    client(&server).release(sid).await.unwrap();

    let request = only_request(&server).await;
    assert_request(
        &request,
        "DELETE",
        &format!("IncomingPhoneNumbers/{sid}.json"),
    );
    assert_eq!(request.url.query(), None);
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn release_of_a_number_already_gone_is_not_found() {
    let sid = "PN0123456789abcdef0123456789abcdef";
    let tail = format!("IncomingPhoneNumbers/{sid}.json");
    let message = format!("The requested resource {ACCOUNT_PATH}/{tail} was not found");
    let server = fake_twilio("DELETE", &tail, twilio_error(404, 20404, &message)).await;

    let error = client(&server).release(sid).await.unwrap_err();

    assert_eq!(error, ProviderError::NotFound);
    assert_request(&only_request(&server).await, "DELETE", &tail);
}

#[tokio::test]
async fn malformed_sids_are_refused_without_a_request() {
    let server = MockServer::start().await;
    let twilio = client(&server);
    for sid in [
        "",
        "PN123",
        "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "PN../../Messages/aaaaaaaaaaaaaaaaa",
        "PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?",
        "PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaag",
    ] {
        let error = twilio.release(sid).await.unwrap_err();
        assert!(
            matches!(error, ProviderError::Rejected { code: None, .. }),
            "{sid:?}: {error:?}"
        );
    }
    for sid in [
        "",
        "PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "SM%2e%2e/aaaaaaaaaaaaaaaaaaaaaaaaaa",
        "sm9b7db369463c439384fe9abb09751af8",
    ] {
        let error = twilio.fetch_message(sid).await.unwrap_err();
        assert!(
            matches!(error, ProviderError::Rejected { code: None, .. }),
            "{sid:?}: {error:?}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn send_posts_the_message_and_reads_segments() {
    let body = sample("POST Messages.json (To=+123456789) -> 201");
    let server = fake_twilio("POST", "Messages.json", json_response(201, &body)).await;

    let message = client(&server)
        .send(&outbound("+14155559876"))
        .await
        .unwrap();

    assert_eq!(
        message,
        ProviderMessage {
            provider_sid: "SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
            status: "sent".into(),
            error_code: None,
            segments: Some(1),
        }
    );
    let request = only_request(&server).await;
    assert_request(&request, "POST", "Messages.json");
    assert_eq!(request.url.query(), None);
    assert_eq!(
        form_of(&request),
        pairs(&[
            ("To", "+14155559876"),
            ("From", "+14155552345"),
            ("Body", "O Slash: Ø, PoP: 💩 & more = 100%"),
            (
                "StatusCallback",
                "https://textback.example/webhooks/twilio/status?m=42"
            ),
        ])
    );
}

#[tokio::test]
async fn send_without_a_callback_reads_a_live_queued_answer() {
    let mut body = captured("POST Messages.json -> 201 (status queued, price null)");
    // A longer text: Twilio counts its segments, as a string.
    body["num_segments"] = json!("3");
    let server = fake_twilio("POST", "Messages.json", json_response(201, &body)).await;
    let sms = OutboundSms {
        status_callback_url: None,
        ..outbound("+19253920364")
    };

    let message = client(&server).send(&sms).await.unwrap();

    assert_eq!(
        message,
        ProviderMessage {
            provider_sid: "SM9b7db369463c439384fe9abb09751af8".into(),
            status: "queued".into(),
            error_code: None,
            segments: Some(3),
        }
    );
    let request = only_request(&server).await;
    assert_request(&request, "POST", "Messages.json");
    assert_eq!(
        form_of(&request),
        pairs(&[
            ("To", "+19253920364"),
            ("From", "+14155552345"),
            ("Body", "O Slash: Ø, PoP: 💩 & more = 100%"),
        ])
    );
}

#[tokio::test]
async fn send_to_an_unsubscribed_recipient_is_unsubscribed() {
    let server = fake_twilio(
        "POST",
        "Messages.json",
        twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"),
    )
    .await;

    let error = client(&server)
        .send(&outbound("+15005550004"))
        .await
        .unwrap_err();

    assert_eq!(error, ProviderError::Unsubscribed);
    assert!(!error.is_retryable());
    assert_request(&only_request(&server).await, "POST", "Messages.json");
}

#[tokio::test]
async fn send_to_an_invalid_recipient_is_invalid_recipient() {
    for (code, message) in [
        (
            21211,
            "The 'To' number +15005550001 is not a valid phone number.",
        ),
        (
            21612,
            "The 'To' phone number is not currently reachable via SMS.",
        ),
        (
            21408,
            "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
        ),
        (21614, "'To' number is not a valid mobile number"),
        (21635, "'To' number cannot be a landline"),
    ] {
        let server = fake_twilio("POST", "Messages.json", twilio_error(400, code, message)).await;

        let error = client(&server)
            .send(&outbound("+15005550001"))
            .await
            .unwrap_err();

        assert_eq!(
            error,
            ProviderError::InvalidRecipient(message.into()),
            "code {code}"
        );
        assert!(!error.is_retryable());
    }
}

#[tokio::test]
async fn other_refusals_keep_twilio_code_and_message() {
    let message = "The From phone number +14155552345 is not a valid, SMS-capable inbound phone number or short code for your account.";
    let server = fake_twilio("POST", "Messages.json", twilio_error(400, 21606, message)).await;

    let error = client(&server)
        .send(&outbound("+14155559876"))
        .await
        .unwrap_err();

    assert_eq!(
        error,
        ProviderError::Rejected {
            code: Some(21606),
            message: message.into(),
        }
    );
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn wrong_credentials_are_authentication() {
    let server = fake_twilio(
        "POST",
        "Messages.json",
        twilio_error(401, 20003, "Authenticate"),
    )
    .await;

    let error = client(&server)
        .send(&outbound("+14155559876"))
        .await
        .unwrap_err();

    assert_eq!(error, ProviderError::Authentication);
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn too_many_requests_is_rate_limited_with_retry_after() {
    let server = fake_twilio(
        "POST",
        "Messages.json",
        twilio_error(429, 20429, "Too Many Requests").insert_header("Retry-After", "7"),
    )
    .await;

    let error = client(&server)
        .send(&outbound("+14155559876"))
        .await
        .unwrap_err();

    assert_eq!(
        error,
        ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
        }
    );
    assert!(error.is_retryable());

    let server = fake_twilio(
        "POST",
        "Messages.json",
        twilio_error(429, 20429, "Too Many Requests"),
    )
    .await;
    let error = client(&server)
        .send(&outbound("+14155559876"))
        .await
        .unwrap_err();
    assert_eq!(error, ProviderError::RateLimited { retry_after: None });
}

#[tokio::test]
async fn server_errors_are_unavailable_and_retryable() {
    for response in [
        twilio_error(500, 20500, "Internal Server Error"),
        ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>"),
    ] {
        let server = fake_twilio("POST", "Messages.json", response).await;

        let error = client(&server)
            .send(&outbound("+14155559876"))
            .await
            .unwrap_err();

        assert!(matches!(error, ProviderError::Unavailable(_)), "{error:?}");
        assert!(error.is_retryable());
    }
}

#[tokio::test]
async fn a_slow_twilio_times_out_as_unavailable() {
    let body = sample("POST Messages.json (To=+123456789) -> 201");
    let server = fake_twilio(
        "POST",
        "Messages.json",
        json_response(201, &body).set_delay(Duration::from_secs(5)),
    )
    .await;
    let twilio = client(&server).with_timeout(Duration::from_millis(300));

    let started = Instant::now();
    let error = twilio.send(&outbound("+14155559876")).await.unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        matches!(&error, ProviderError::Unavailable(m) if m.contains("timed out")),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn an_unreachable_twilio_is_unavailable() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let twilio = TwilioClient::new(ACCOUNT_SID.into(), AUTH_TOKEN.into(), base).unwrap();

    let error = twilio
        .fetch_message("SM26b3b00f8def53be77c5697183bfe95e")
        .await
        .unwrap_err();

    assert!(matches!(error, ProviderError::Unavailable(_)), "{error:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn fetch_message_reads_a_live_delivered_answer() {
    let sid = "SM26b3b00f8def53be77c5697183bfe95e";
    let body = captured("GET Messages/{Sid}.json -> 200 (outbound-reply, delivered)");
    let tail = format!("Messages/{sid}.json");
    let server = fake_twilio("GET", &tail, json_response(200, &body)).await;

    let message = client(&server).fetch_message(sid).await.unwrap();

    assert_eq!(
        message,
        ProviderMessage {
            provider_sid: sid.into(),
            status: "delivered".into(),
            error_code: None,
            segments: Some(1),
        }
    );
    let request = only_request(&server).await;
    assert_request(&request, "GET", &tail);
    assert_eq!(request.url.query(), None);
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn fetch_message_reads_a_failure_code() {
    let sid = "SM26b3b00f8def53be77c5697183bfe95e";
    let mut body = captured("GET Messages/{Sid}.json -> 200 (outbound-reply, delivered)");
    body["status"] = json!("undelivered");
    body["error_code"] = json!(30003);
    body["error_message"] = json!("Unreachable destination handset");
    let server = fake_twilio(
        "GET",
        &format!("Messages/{sid}.json"),
        json_response(200, &body),
    )
    .await;

    let message = client(&server).fetch_message(sid).await.unwrap();

    assert_eq!(message.status, "undelivered");
    assert_eq!(message.error_code, Some(30003));
}

#[tokio::test]
async fn fetch_of_an_unknown_message_is_not_found() {
    let sid = "SM0123456789abcdef0123456789abcdef";
    let tail = format!("Messages/{sid}.json");
    let server = fake_twilio(
        "GET",
        &tail,
        twilio_error(404, 20404, "The requested resource was not found"),
    )
    .await;

    let error = client(&server).fetch_message(sid).await.unwrap_err();

    assert_eq!(error, ProviderError::NotFound);
}
