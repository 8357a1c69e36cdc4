//! WooCommerce webhooks: `X-WC-Webhook-Signature` verification, the creation ping, and
//! order topics. Order payloads are the REST API's order (`GET /wc/v3/orders/{id}`).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;
use textback_shared::events::{CustomerInput, EventRequest, EventType, LineItem, OrderInput};

use super::{
    Mapped, address_phone, money, non_empty, object, pick_phone, quantity, text, text_at,
    us_or_ca_region,
};

/// `signature_header` is `X-WC-Webhook-Signature`: base64(HMAC-SHA256(secret, raw body)).
///
/// WooCommerce HTML-entity-decodes the secret before signing (`wp_specialchars_decode`), so a
/// secret containing `&`, `<`, `>` or quotes may be signed with a different key than typed:
/// secrets we hand out should stay alphanumeric.
pub fn verify(secret: &str, raw_body: &[u8], signature_header: &str) -> bool {
    super::verify_base64_hmac(secret.as_bytes(), raw_body, signature_header)
}

/// WooCommerce's test delivery when a webhook is created: an unsigned form POST
/// `webhook_id=<n>`. It must be answered 200 (before any signature check), or the merchant
/// sees an error and the webhook is not saved as working.
pub fn is_creation_ping(content_type: Option<&str>, raw_body: &[u8]) -> bool {
    let form = content_type.is_none_or(|ct| {
        ct.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    let Ok(body) = std::str::from_utf8(raw_body) else {
        return false;
    };
    form && body.trim().strip_prefix("webhook_id=").is_some_and(|id| {
        !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Translates one delivery. `topic` is `X-WC-Webhook-Topic`, `delivery_id` is
/// `X-WC-Webhook-Delivery-ID`.
pub fn map(topic: &str, delivery_id: &str, payload: &Value) -> Mapped {
    let delivery_id = delivery_id.trim();
    if delivery_id.is_empty() {
        // Without it every such delivery would share one dedupe key.
        return Mapped::Ignored("WooCommerce delivery without X-WC-Webhook-Delivery-ID".into());
    }
    if !payload.is_object() {
        return Mapped::Ignored(format!("WooCommerce {topic} payload is not a JSON object"));
    }
    let topic = topic.trim().to_ascii_lowercase();
    let status = text(payload.get("status")).map(|s| s.to_ascii_lowercase());
    let event_type = match (topic.as_str(), status.as_deref()) {
        // The block checkout saves a `checkout-draft` order as soon as a shopper opens the
        // checkout, and WooCommerce versions deliver order.created for it: nothing was
        // bought yet.
        (
            "order.created" | "order.updated",
            Some(s @ ("trash" | "draft" | "auto-draft" | "checkout-draft")),
        ) => {
            return Mapped::Ignored(format!("WooCommerce order in status {s}"));
        }
        // Pending: the shopper was sent to an offsite gateway (PayPal and the like) and has not
        // paid; WooCommerce cancels the order itself if they never do. Failed: the payment
        // was refused. Neither is an order yet, and the shopper's cart is still one to remind
        // them of.
        ("order.created" | "order.updated", Some("pending")) => {
            return Mapped::Ignored(
                "WooCommerce order in status pending: awaiting payment, not an order yet".into(),
            );
        }
        ("order.created" | "order.updated", Some("failed")) => {
            return Mapped::Ignored(
                "WooCommerce order in status failed: payment failed, not an order yet".into(),
            );
        }
        // Delivered late (WooCommerce sends the order as it is at delivery): an unpaid order
        // it has cancelled meanwhile.
        ("order.created", Some("cancelled")) => EventType::OrderCancelled,
        ("order.created", _) => EventType::OrderPlaced,
        // Paid: WooCommerce sends its "Processing order" email. Once placed, later saves of
        // the order are recorded as updates (see `ingest`).
        ("order.updated", Some("processing")) => EventType::OrderPlaced,
        ("order.updated", Some("on-hold")) => EventType::OrderOnHold,
        // Without a tracking plugin, completed is as close to "shipped" as WooCommerce gets.
        ("order.updated", Some("completed")) => EventType::OrderShipped,
        ("order.updated", Some("cancelled")) => EventType::OrderCancelled,
        // A refund (often of a delivered order) does not cancel the order, and no campaign of
        // ours is about refunds. Also statuses added by plugins.
        ("order.updated", _) => EventType::OrderUpdated,
        ("order.deleted", _) => {
            return Mapped::Ignored("WooCommerce order.deleted: deleted orders are kept".into());
        }
        _ => return Mapped::Ignored(format!("WooCommerce topic {topic} is not used")),
    };
    match order_event(dedupe_id(delivery_id, payload), event_type, payload) {
        Ok(event) => Mapped::Events(vec![event]),
        Err(why) => Mapped::Ignored(why),
    }
}

/// The event id a delivery is deduplicated on. WooCommerce's delivery id is a hash of the
/// webhook's id and the current second, not of the delivery: every delivery of one webhook
/// within a second shares it (a bulk "Mark complete" of many orders, or quick successive
/// saves of one). So the payload is part of the id: the same delivery again is a duplicate,
/// another order or another state of the order is not.
fn dedupe_id(delivery_id: &str, payload: &Value) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(payload.to_string().as_bytes());
    let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("woocommerce:{delivery_id}:{short}")
}

fn order_event(id: String, event_type: EventType, p: &Value) -> Result<EventRequest, String> {
    let order_id = text(p.get("id")).ok_or("WooCommerce order without id")?;
    let total = money(p.get("total"))
        .ok_or_else(|| format!("WooCommerce order {order_id} without a valid total"))?;
    let currency = text(p.get("currency"))
        .map(|c| c.to_ascii_uppercase())
        .ok_or_else(|| format!("WooCommerce order {order_id} without currency"))?;
    let billing = object(p.get("billing"));
    let shipping = object(p.get("shipping"));
    let tracking = tracking(p);
    let order = OrderInput {
        // Customers see "Order #727"; order-number plugins may already include their own prefix.
        number: text(p.get("number")).map(|n| {
            if n.starts_with('#') {
                n
            } else {
                format!("#{n}")
            }
        }),
        status: text(p.get("status")),
        financial_status: None,
        fulfillment_status: None,
        line_items: line_items(p),
        total: Some(total),
        currency: Some(currency),
        shipping_region: us_or_ca_region(shipping, "country", "state"),
        tracking_number: tracking.number,
        tracking_url: tracking.url,
        carrier: tracking.carrier,
        // WooCommerce orders do not point at a cart (`cart_hash` is a hash of the contents).
        cart_id: None,
        id: order_id,
    };
    // First and last name from one place, so names of two people are not mixed.
    let named = [billing, shipping]
        .into_iter()
        .flatten()
        .find(|who| text(who.get("first_name")).is_some() || text(who.get("last_name")).is_some());
    let customer = non_empty(CustomerInput {
        // 0 is a guest checkout.
        id: text(p.get("customer_id")).filter(|id| id != "0"),
        phone: pick_phone([
            address_phone(billing, "country").as_deref(),
            address_phone(shipping, "country").as_deref(),
        ]),
        email: text_at(billing, "email"),
        first_name: text_at(named, "first_name"),
        last_name: text_at(named, "last_name"),
        // WooCommerce core has no SMS consent field.
        sms_consent: None,
    });
    Ok(EventRequest {
        id,
        event_type,
        occurred_at: gmt(p.get("date_modified_gmt"))
            .or_else(|| gmt(p.get("date_created_gmt")))
            .unwrap_or_else(Utc::now),
        customer,
        cart: None,
        order: Some(order),
    })
}

/// The REST API's `*_gmt` times: ISO 8601 without an offset, in UTC.
fn gmt(value: Option<&Value>) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(value?.as_str()?.trim(), "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// Items without a name or a valid price are left out rather than invented.
fn line_items(p: &Value) -> Vec<LineItem> {
    let Some(items) = p.get("line_items").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            Some(LineItem {
                // Names can hold HTML entities ("Ship Your Idea &ndash; Color: Black").
                title: text(item.get("name")).map(|n| decode_entities(&n))?,
                // Variation attributes are already part of the name.
                variant: None,
                quantity: quantity(item.get("quantity")),
                // `price` is the unit price, as a JSON number.
                price: money(item.get("price"))?,
            })
        })
        .collect()
}

/// The common named entities WordPress emits, and numeric ones; anything else is left as is.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                "ndash" => '\u{2013}',
                "mdash" => '\u{2014}',
                "hellip" => '\u{2026}',
                "lsquo" => '\u{2018}',
                "rsquo" => '\u{2019}',
                "ldquo" => '\u{201c}',
                "rdquo" => '\u{201d}',
                "times" => '\u{d7}',
                _ => {
                    let code = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => name.strip_prefix('#')?.parse().ok()?,
                    };
                    char::from_u32(code)?
                }
            };
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Tracking {
    number: Option<String>,
    url: Option<String>,
    carrier: Option<String>,
}

/// Core WooCommerce has no tracking; the common plugins keep it in order meta:
/// Shipment Tracking and Advanced Shipment Tracking in `_wc_shipment_tracking_items` (a list,
/// newest last), others in flat keys.
fn tracking(p: &Value) -> Tracking {
    let Some(meta) = p.get("meta_data").and_then(Value::as_array) else {
        return Tracking::default();
    };
    let value = |keys: &[&str]| {
        keys.iter().find_map(|key| {
            meta.iter()
                .rev()
                .find(|m| m.get("key").and_then(Value::as_str) == Some(*key))
                .and_then(|m| m.get("value"))
        })
    };
    let items = value(&["_wc_shipment_tracking_items"]).and_then(Value::as_array);
    if let Some(item) = items.and_then(|items| {
        items
            .iter()
            .rev()
            .find(|i| text(i.get("tracking_number")).is_some())
    }) {
        return Tracking {
            number: text(item.get("tracking_number")),
            url: text(item.get("custom_tracking_link")),
            carrier: text(item.get("custom_tracking_provider"))
                .or_else(|| text(item.get("tracking_provider"))),
        };
    }
    Tracking {
        number: text(value(&[
            "_tracking_number",
            "tracking_number",
            "_aftership_tracking_number",
        ])),
        url: text(value(&["_tracking_url", "tracking_url"])),
        carrier: text(value(&[
            "_tracking_provider",
            "tracking_provider",
            "_aftership_tracking_provider_name",
        ])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    const SAMPLES: &str = include_str!("../../../tests/fixtures/woocommerce-webhook-samples.json");

    fn samples() -> Value {
        serde_json::from_str(SAMPLES).unwrap()
    }

    fn sample_order() -> Value {
        samples()["sample_order_payload"]["body"].clone()
    }

    fn with_status(status: &str) -> Value {
        let mut payload = sample_order();
        payload["status"] = json!(status);
        payload
    }

    fn one(mapped: Mapped) -> EventRequest {
        match mapped {
            Mapped::Events(mut events) if events.len() == 1 => events.pop().unwrap(),
            other => panic!("expected one event, got {other:?}"),
        }
    }

    fn ignored(mapped: Mapped) -> String {
        match mapped {
            Mapped::Ignored(why) => why,
            other => panic!("expected Ignored, got {other:?}"),
        }
    }

    /// The sample order's body exactly as the fixture's third vector signed it: the stored
    /// text with whitespace outside strings removed (same key order, compact separators).
    fn compact_sample_body() -> String {
        let start = SAMPLES.find("\"sample_order_payload\"").unwrap();
        let start = start + SAMPLES[start..].find("\"body\":").unwrap() + "\"body\":".len();
        let (mut out, mut depth, mut in_string, mut escaped) = (String::new(), 0, false, false);
        for c in SAMPLES[start..].chars() {
            if in_string {
                out.push(c);
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                c if c.is_whitespace() => continue,
                '{' | '[' => depth += 1,
                '}' | ']' => depth -= 1,
                _ => {}
            }
            out.push(c);
            if depth == 0 && c == '}' {
                break;
            }
        }
        out
    }

    #[test]
    fn verify_accepts_the_fixture_vectors() {
        let all = samples();
        let mut checked = 0;
        for vector in all["signature_vectors"].as_array().unwrap() {
            let secret = vector["secret"].as_str().unwrap();
            let expected = vector["expected_signature"].as_str().unwrap();
            let body = match vector["payload"].as_str() {
                Some(payload) => payload.to_owned(),
                None => compact_sample_body(),
            };
            assert!(verify(secret, body.as_bytes(), expected), "{vector}");
            checked += 1;
        }
        // Including WooCommerce's own unit-test vector (empty secret).
        assert_eq!(checked, 3);
        let parsed: Value = serde_json::from_str(&compact_sample_body()).unwrap();
        assert_eq!(parsed, sample_order());
    }

    #[test]
    fn verify_refuses_tampering_wrong_secrets_and_junk_headers() {
        let sig = "qHLp+z6DR23jYrASpfsK0OT6kivGZNjuKwzJCFqesgU=";
        let body = compact_sample_body();
        assert!(verify("whsec-demo", body.as_bytes(), sig));
        let tampered = body.replace("\"total\":\"29.35\"", "\"total\":\"0.01\"");
        assert_ne!(tampered, body);
        assert!(!verify("whsec-demo", tampered.as_bytes(), sig));
        assert!(!verify("whsec-dem0", body.as_bytes(), sig));
        assert!(!verify("", body.as_bytes(), sig));
        assert!(!verify("whsec-demo", body.as_bytes(), ""));
        assert!(!verify("whsec-demo", body.as_bytes(), "qHLp+z6DR23j!!!"));
        assert!(!verify(
            "whsec-demo",
            body.as_bytes(),
            &sig[..sig.len() - 4]
        ));
        // The official vector's signature over a different key.
        assert!(!verify(
            "secret",
            b"secret",
            "GBDo00G55h6IiV+6CxqivQPLbI//KzaOZm747971tPs="
        ));
    }

    #[test]
    fn creation_ping_is_recognised() {
        let form = Some("application/x-www-form-urlencoded");
        assert!(is_creation_ping(form, b"webhook_id=12"));
        assert!(is_creation_ping(
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            b"webhook_id=12"
        ));
        assert!(is_creation_ping(None, b"webhook_id=4096\n"));
        assert!(!is_creation_ping(
            Some("application/json"),
            b"webhook_id=12"
        ));
        assert!(!is_creation_ping(form, b"webhook_id="));
        assert!(!is_creation_ping(form, b"webhook_id=abc"));
        assert!(!is_creation_ping(
            form,
            b"webhook_id=12&topic=order.created"
        ));
        assert!(!is_creation_ping(form, b"id=12"));
        assert!(!is_creation_ping(form, b""));
        assert!(!is_creation_ping(form, b"\xff\xfe"));
        assert!(!is_creation_ping(
            Some("application/json"),
            compact_sample_body().as_bytes()
        ));
    }

    #[test]
    fn order_created_sample_is_order_placed() {
        let event = one(map("order.created", "d41d8cd98f", &sample_order()));
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(serde_json::from_value::<EventRequest>(json).unwrap(), event);
        assert!(
            event.id.starts_with("woocommerce:d41d8cd98f:"),
            "{}",
            event.id
        );
        assert_eq!(event.event_type, EventType::OrderPlaced);
        assert_eq!(
            event.occurred_at,
            Utc.with_ymd_and_hms(2017, 3, 22, 19, 28, 8).unwrap()
        );
        assert_eq!(event.cart, None);
        assert_eq!(
            event.order.unwrap(),
            OrderInput {
                id: "727".into(),
                number: Some("#727".into()),
                status: Some("processing".into()),
                financial_status: None,
                fulfillment_status: None,
                line_items: vec![
                    LineItem {
                        title: "Woo Single #1".into(),
                        variant: None,
                        quantity: 2,
                        price: "3.00".into(),
                    },
                    LineItem {
                        title: "Ship Your Idea \u{2013} Color: Black, Size: M Test".into(),
                        variant: None,
                        quantity: 1,
                        price: "12.00".into(),
                    },
                ],
                total: Some("29.35".into()),
                currency: Some("USD".into()),
                shipping_region: Some("CA".into()),
                tracking_number: None,
                tracking_url: None,
                carrier: None,
                cart_id: None,
            }
        );
        assert_eq!(
            event.customer.unwrap(),
            CustomerInput {
                // customer_id 0: a guest.
                id: None,
                // 555 is no area code, but the number is plausible: kept, not textable.
                phone: Some("(555) 555-5555".into()),
                email: Some("john.doe@example.com".into()),
                first_name: Some("John".into()),
                last_name: Some("Doe".into()),
                sms_consent: None,
            }
        );
    }

    #[test]
    fn a_shipping_state_is_kept_only_for_the_us_and_canada() {
        // Variation: the sample shipped to Monterrey, Nuevo León ("NL", as is Newfoundland).
        let mut payload = sample_order();
        let region = |payload: &Value| {
            one(map("order.created", "d-20", payload))
                .order
                .unwrap()
                .shipping_region
        };
        assert_eq!(region(&payload).as_deref(), Some("CA"));
        payload["shipping"]["country"] = json!("ca");
        payload["shipping"]["state"] = json!("NL");
        assert_eq!(region(&payload).as_deref(), Some("NL"));
        payload["shipping"]["country"] = json!("MX");
        assert_eq!(region(&payload), None);
        payload["shipping"]["country"] = json!("");
        assert_eq!(region(&payload), None);
    }

    #[test]
    fn order_updated_maps_by_status() {
        for (status, expected) in [
            // Paid: an order now (WooCommerce's "Processing order" email goes out).
            ("processing", EventType::OrderPlaced),
            ("on-hold", EventType::OrderOnHold),
            ("completed", EventType::OrderShipped),
            ("cancelled", EventType::OrderCancelled),
            // A refund does not cancel the order.
            ("refunded", EventType::OrderUpdated),
            // A plugin's own status.
            ("awaiting-pickup", EventType::OrderUpdated),
        ] {
            // Variation: the sample (status processing) in each status.
            let event = one(map("order.updated", "d-1", &with_status(status)));
            assert_eq!(event.event_type, expected, "{status}");
            assert_eq!(event.order.unwrap().status.as_deref(), Some(status));
        }
        let event = one(map("order.updated", "d-1", &sample_order()));
        assert_eq!(event.event_type, EventType::OrderPlaced);
        assert!(event.id.starts_with("woocommerce:d-1:"), "{}", event.id);
        for status in ["trash", "checkout-draft"] {
            assert!(ignored(map("order.updated", "d-1", &with_status(status))).contains(status));
        }
    }

    #[test]
    fn unpaid_orders_are_not_orders_yet() {
        // Variation: the sample awaiting payment at an offsite gateway, or with its payment
        // refused; created so, or updated to it.
        for topic in ["order.created", "order.updated"] {
            let why = ignored(map(topic, "d-8", &with_status("pending")));
            assert!(
                why.contains("pending") && why.contains("awaiting payment"),
                "{why}"
            );
            let why = ignored(map(topic, "d-8", &with_status("failed")));
            assert!(
                why.contains("failed") && why.contains("payment failed"),
                "{why}"
            );
        }
    }

    #[test]
    fn order_created_maps_by_status() {
        for (status, expected) in [
            ("processing", EventType::OrderPlaced),
            ("on-hold", EventType::OrderPlaced),
            ("completed", EventType::OrderPlaced),
            // Delivered after WooCommerce cancelled the unpaid order.
            ("cancelled", EventType::OrderCancelled),
        ] {
            let event = one(map("order.created", "d-9", &with_status(status)));
            assert_eq!(event.event_type, expected, "{status}");
        }
    }

    #[test]
    fn completed_without_tracking_is_shipped_without_it() {
        // The sample's only meta is _download_permissions_granted.
        let order = one(map("order.updated", "d-2", &with_status("completed")))
            .order
            .unwrap();
        assert_eq!(
            (order.tracking_number, order.tracking_url, order.carrier),
            (None, None, None)
        );
    }

    #[test]
    fn completed_with_shipment_tracking_meta_carries_it() {
        // Variation: meta as the Shipment Tracking plugin stores it (two shipments, newest last).
        let mut payload = with_status("completed");
        payload["meta_data"].as_array_mut().unwrap().push(json!({
            "id": 13107,
            "key": "_wc_shipment_tracking_items",
            "value": [
                {"tracking_provider": "usps", "custom_tracking_provider": "", "custom_tracking_link": "",
                 "tracking_number": "9400100000000000000000", "date_shipped": "1490140800", "tracking_id": "a1"},
                {"tracking_provider": "", "custom_tracking_provider": "Canada Post",
                 "custom_tracking_link": "https://www.canadapost-postescanada.ca/track-reperage/en#/details/7023210039414604",
                 "tracking_number": "7023210039414604", "date_shipped": "1490227200", "tracking_id": "b2"}
            ]
        }));
        let event = one(map("order.updated", "d-3", &payload));
        assert_eq!(event.event_type, EventType::OrderShipped);
        let order = event.order.unwrap();
        assert_eq!(order.tracking_number.as_deref(), Some("7023210039414604"));
        assert_eq!(order.carrier.as_deref(), Some("Canada Post"));
        assert!(
            order
                .tracking_url
                .unwrap()
                .starts_with("https://www.canadapost")
        );

        // Variation: flat keys, as other tracking plugins keep them.
        let mut payload = with_status("completed");
        let meta = payload["meta_data"].as_array_mut().unwrap();
        meta.push(json!({"id": 1, "key": "_tracking_number", "value": "1Z999AA10123456784"}));
        meta.push(json!({"id": 2, "key": "_tracking_provider", "value": "UPS"}));
        let order = one(map("order.updated", "d-4", &payload)).order.unwrap();
        assert_eq!(order.tracking_number.as_deref(), Some("1Z999AA10123456784"));
        assert_eq!(order.carrier.as_deref(), Some("UPS"));
        assert_eq!(order.tracking_url, None);
    }

    #[test]
    fn phones_and_names_follow_the_shared_rules() {
        // Variation: junk billing phone, a valid shipping phone (newer REST versions have one).
        let mut payload = sample_order();
        payload["billing"]["phone"] = json!("call me");
        payload["shipping"]["phone"] = json!("+1 416 555 0199");
        let customer = one(map("order.created", "d-5", &payload)).customer.unwrap();
        assert_eq!(customer.phone.as_deref(), Some("+1 416 555 0199"));

        payload["shipping"]["phone"] = json!("");
        payload["billing"]["first_name"] = json!("");
        payload["billing"]["last_name"] = json!("");
        payload["customer_id"] = json!(42);
        let customer = one(map("order.created", "d-5", &payload)).customer.unwrap();
        assert_eq!(customer.phone, None);
        assert_eq!(customer.id.as_deref(), Some("42"));
        // Names from shipping when billing has none.
        assert_eq!(customer.first_name.as_deref(), Some("John"));
    }

    #[test]
    fn occurred_at_falls_back_to_creation_then_now() {
        let mut payload = sample_order();
        payload["date_modified_gmt"] = Value::Null;
        let event = one(map("order.created", "d-6", &payload));
        assert_eq!(
            event.occurred_at,
            Utc.with_ymd_and_hms(2017, 3, 22, 19, 28, 2).unwrap()
        );

        payload["date_created_gmt"] = Value::Null;
        let before = Utc::now();
        let event = one(map("order.created", "d-6", &payload));
        assert!(event.occurred_at >= before && event.occurred_at <= Utc::now());
    }

    #[test]
    fn deleted_unknown_and_incomplete_deliveries_are_ignored() {
        // The documented order.deleted payload.
        assert!(ignored(map("order.deleted", "d-7", &json!({"id": 727}))).contains("deleted"));
        for topic in [
            "product.updated",
            "action.woocommerce_add_to_cart",
            "customer.created",
        ] {
            assert!(ignored(map(topic, "d-7", &sample_order())).contains(topic));
        }
        assert!(ignored(map("order.created", "", &sample_order())).contains("Delivery-ID"));
        ignored(map("order.created", "d-7", &json!("webhook_id=1")));
        let mut no_total = sample_order();
        no_total["total"] = json!("");
        assert!(ignored(map("order.created", "d-7", &no_total)).contains("total"));
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            decode_entities("A &amp; B &ndash; C&#039;s &#x2014; &bogus; & done"),
            "A & B \u{2013} C's \u{2014} &bogus; & done"
        );
        assert_eq!(decode_entities("no entities"), "no entities");
        assert_eq!(decode_entities("trailing &"), "trailing &");
    }
}
