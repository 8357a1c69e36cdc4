//! Every webhook against the same hostile deliveries: no signature, a wrong one, a body over
//! the limit (correctly signed, so only its size refuses it) each get a problem and change
//! nothing; a good delivery sent twice is taken once.

use serde_json::{Value, json};
use textback_api::app::RAW_BODY_LIMIT;
use textback_tests::{Session, TestApp, fixtures, on_both_databases, problem};

use crate::numbers::stocked_area_code;
use crate::platform_webhooks::{SECRET, save_secret, sign};

on_both_databases!(hostile_deliveries_are_refused_by_every_webhook_and_replays_count_once);

const CUSTOMER: &str = "+12125550123";
const DELIVERED_SID: &str = "SM22222222222222222222222222222222";

#[derive(Clone, Copy, Debug)]
enum Signing {
    Correct,
    Wrong,
    Missing,
}

#[derive(Clone, Copy, Debug)]
enum Hook {
    TwilioInbound,
    TwilioStatus,
    Shopify,
    WooCommerce,
}

impl Hook {
    const ALL: [Hook; 4] = [
        Hook::TwilioInbound,
        Hook::TwilioStatus,
        Hook::Shopify,
        Hook::WooCommerce,
    ];

    fn path(self, store_id: i64) -> String {
        match self {
            Hook::TwilioInbound => "/webhooks/twilio/sms".into(),
            Hook::TwilioStatus => "/webhooks/twilio/status".into(),
            Hook::Shopify => format!("/webhooks/shopify/{store_id}"),
            Hook::WooCommerce => format!("/webhooks/woocommerce/{store_id}"),
        }
    }

    /// Twilio says 403 to a bad signature (as Twilio's own examples do), platforms 401.
    fn refusal(self) -> u16 {
        match self {
            Hook::TwilioInbound | Hook::TwilioStatus => 403,
            Hook::Shopify | Hook::WooCommerce => 401,
        }
    }

    /// Posts a delivery whose variable part (the text, the order note) is `filler`.
    async fn deliver(
        self,
        app: &TestApp,
        owner: &Session,
        store_number: &str,
        filler: &str,
        signing: Signing,
    ) -> reqwest::Response {
        let path = self.path(owner.store_id);
        let request = app.http.post(app.url(&path));
        match self {
            Hook::TwilioInbound | Hook::TwilioStatus => {
                let params: Vec<(String, String)> = match self {
                    Hook::TwilioInbound => vec![
                        ("MessageSid", "SM11111111111111111111111111111111"),
                        ("AccountSid", textback_tests::TWILIO_ACCOUNT_SID),
                        ("From", CUSTOMER),
                        ("To", store_number),
                        ("Body", filler),
                    ],
                    _ => vec![
                        ("MessageSid", DELIVERED_SID),
                        ("MessageStatus", "failed"),
                        ("ErrorCode", "30005"),
                        ("Padding", filler),
                    ],
                }
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
                let url = format!("{}{path}", app.state.settings.public_base_url);
                let key = match signing {
                    Signing::Wrong => "not the signing key".to_owned(),
                    _ => app.state.settings.webhook_signing_key(),
                };
                let signature = textback_api::sms::signature::twilio_signature(&key, &url, &params);
                let request = request.form(&params);
                match signing {
                    Signing::Missing => request,
                    _ => request.header("x-twilio-signature", signature),
                }
            }
            Hook::Shopify | Hook::WooCommerce => {
                let body = serde_json::to_vec(&order(filler)).unwrap();
                let key = match signing {
                    Signing::Wrong => "not the secret",
                    _ => SECRET,
                };
                let signature = sign(key, &body);
                let (prefix, topic) = match self {
                    Hook::Shopify => ("X-Shopify", "orders/create"),
                    _ => ("X-WC-Webhook", "order.created"),
                };
                let (id_header, signature_header) = match self {
                    Hook::Shopify => ("X-Shopify-Webhook-Id", "X-Shopify-Hmac-Sha256"),
                    _ => ("X-WC-Webhook-Delivery-ID", "X-WC-Webhook-Signature"),
                };
                let request = request
                    .header("content-type", "application/json")
                    .header(format!("{prefix}-Topic"), topic)
                    .header(id_header, "delivery-1")
                    .body(body);
                match signing {
                    Signing::Missing => request,
                    _ => request.header(signature_header, signature),
                }
            }
        }
        .send()
        .await
        .unwrap()
    }
}

/// An order both platforms' mappers read (Shopify's and WooCommerce's field names together).
fn order(note: &str) -> Value {
    json!({
        "id": 820982911946154508_i64, "order_number": 1001, "number": "1001",
        "name": "#1001", "status": "processing", "currency": "USD",
        "total_price": "42.50", "total": "42.50", "financial_status": "paid",
        "created_at": "2026-12-01T10:00:00-05:00", "date_created_gmt": "2026-12-01T15:00:00",
        "phone": CUSTOMER, "billing": {"phone": CUSTOMER, "first_name": "Ada"},
        "customer": {"phone": CUSTOMER, "first_name": "Ada"},
        "line_items": [{"title": "Linen shirt", "name": "Linen shirt", "quantity": 1,
            "price": "42.50"}],
        "note": note, "customer_note": note
    })
}

/// What any of these deliveries could change: events, messages and their statuses.
fn footprint(app: &TestApp, owner: &Session) -> (i64, Vec<(String, String, String)>) {
    (
        fixtures::event_count(app, owner.store_id),
        fixtures::messages_of_store(app, owner.store_id),
    )
}

async fn hostile_deliveries_are_refused_by_every_webhook_and_replays_count_once(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let number = app.reserve_any(&owner, stocked_area_code()).await;
    let store_number = number["phone_number"].as_str().unwrap();
    for platform in ["shopify", "woocommerce"] {
        save_secret(&app, &owner, platform).await;
    }
    // A sent text for the delivery reports to be about.
    fixtures::outbound_message(&app, owner.store_id, CUSTOMER, "sent", Some(DELIVERED_SID));
    let oversized = "x".repeat(RAW_BODY_LIMIT + 1024);

    for hook in Hook::ALL {
        let before = footprint(&app, &owner);
        for signing in [Signing::Missing, Signing::Wrong] {
            let refused = hook
                .deliver(&app, &owner, store_number, "Hello", signing)
                .await;
            problem(refused, hook.refusal()).await;
        }
        let too_big = hook
            .deliver(&app, &owner, store_number, &oversized, Signing::Correct)
            .await;
        problem(too_big, 413).await;
        assert_eq!(
            footprint(&app, &owner),
            before,
            "{hook:?}: refused, yet changed"
        );

        let first = hook
            .deliver(&app, &owner, store_number, "Hello", Signing::Correct)
            .await;
        assert!(first.status().is_success(), "{hook:?}: {}", first.status());
        let taken = footprint(&app, &owner);
        assert_ne!(taken, before, "{hook:?}: the good delivery changed nothing");
        let again = hook
            .deliver(&app, &owner, store_number, "Hello", Signing::Correct)
            .await;
        assert!(again.status().is_success(), "{hook:?}: {}", again.status());
        assert_eq!(
            footprint(&app, &owner),
            taken,
            "{hook:?}: a replay counted twice"
        );
    }
}
