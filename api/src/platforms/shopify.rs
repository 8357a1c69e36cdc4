//! Shopify webhooks: `X-Shopify-Hmac-Sha256` verification and topic mapping.
//!
//! Deliveries are deduplicated on `X-Shopify-Webhook-Id` (event id `shopify:{id}`); the same
//! merchant action can also arrive under several topics (an order fulfilled fires
//! `fulfillments/create`, `orders/fulfilled` and `orders/updated`), so ingestion must not
//! notify twice for one order state.

use chrono::Utc;
use serde_json::Value;
use textback_shared::events::{
    CartInput, ConsentInput, ConsentSource, ConsentStatus, CustomerInput, EventRequest, EventType,
    LineItem, OrderInput,
};

use super::{
    Mapped, address_phone, money, non_empty, object, pick_phone, quantity, rfc3339, text, text_at,
    us_or_ca_region,
};

/// `hmac_header` is `X-Shopify-Hmac-Sha256`: base64(HMAC-SHA256(secret, raw body)). The raw
/// bytes as received: re-serialized JSON does not match.
pub fn verify(secret: &str, raw_body: &[u8], hmac_header: &str) -> bool {
    super::verify_base64_hmac(secret.as_bytes(), raw_body, hmac_header)
}

/// Translates one delivery. `topic` is `X-Shopify-Topic`, `webhook_id` is
/// `X-Shopify-Webhook-Id`.
///
/// `fulfillments/create` and fulfillment-hold deliveries do not carry the order's total or
/// currency: their `OrderInput` has no `total`, `currency` or line items, meaning "not in this
/// delivery" (what is known of the order is kept).
pub fn map(topic: &str, webhook_id: &str, payload: &Value) -> Mapped {
    let webhook_id = webhook_id.trim();
    if webhook_id.is_empty() {
        // Without it every such delivery would share one dedupe key.
        return Mapped::Ignored("Shopify delivery without X-Shopify-Webhook-Id".into());
    }
    if !payload.is_object() {
        return Mapped::Ignored(format!("Shopify {topic} payload is not a JSON object"));
    }
    let id = format!("shopify:{webhook_id}");
    let topic = topic.trim().to_ascii_lowercase();
    let mapped = match topic.as_str() {
        "checkouts/create" | "checkouts/update" => checkout(id, payload),
        "orders/create" => order(id, payload, EventType::OrderPlaced),
        // Shopify also sends orders/updated for the cancellation or fulfillment it reports
        // under orders/cancelled, orders/fulfilled and fulfillments/create: it must say the
        // same, or whichever arrives last turns a shipped or cancelled order into "updated"
        // (and texts an update after the news).
        "orders/updated" => {
            let event_type = if text(payload.get("cancelled_at")).is_some() {
                EventType::OrderCancelled
            } else if matches!(
                text(payload.get("fulfillment_status")).as_deref(),
                Some("fulfilled" | "partial")
            ) {
                EventType::OrderShipped
            } else {
                EventType::OrderUpdated
            };
            order(id, payload, event_type)
        }
        "orders/fulfilled" => order(id, payload, EventType::OrderShipped),
        "orders/cancelled" => order(id, payload, EventType::OrderCancelled),
        "fulfillments/create" => fulfillment(id, payload),
        "fulfillment_orders/placed_on_hold" | "fulfillment_holds/added" => hold(id, payload),
        "customers/create" | "customers/update" => customer(id, payload),
        _ => Err(format!("Shopify topic {topic} is not used")),
    };
    match mapped {
        Ok(event) => Mapped::Events(vec![event]),
        Err(why) => Mapped::Ignored(why),
    }
}

fn event(
    id: String,
    event_type: EventType,
    payload: &Value,
    customer: Option<CustomerInput>,
) -> EventRequest {
    EventRequest {
        id,
        event_type,
        occurred_at: rfc3339(payload.get("updated_at"))
            .or_else(|| rfc3339(payload.get("created_at")))
            .unwrap_or_else(Utc::now),
        customer,
        cart: None,
        order: None,
    }
}

fn checkout(id: String, p: &Value) -> Result<EventRequest, String> {
    // Current payloads have no top-level `id`; the token is what orders point back to.
    let cart_id = text(p.get("token"))
        .or_else(|| text(p.get("cart_token")))
        .ok_or("Shopify checkout without token or cart_token")?;
    let total = money(p.get("total_price"))
        .ok_or_else(|| format!("Shopify checkout {cart_id} without a valid total_price"))?;
    // A checkout's amounts are in the buyer's (presentment) currency; `currency` is the
    // shop's, which differs whenever the buyer shops in another currency.
    let currency = text(p.get("presentment_currency"))
        .or_else(|| text(p.get("currency")))
        .map(|c| c.to_ascii_uppercase())
        .ok_or_else(|| format!("Shopify checkout {cart_id} without currency"))?;
    let cart = CartInput {
        id: cart_id,
        line_items: line_items(p),
        total,
        currency,
        recovery_url: text(p.get("abandoned_checkout_url")),
        // Paid: its order may come days later (orders/create is retried for 48 hours) or not
        // name the checkout, and the buyer must not be reminded meanwhile.
        completed: text(p.get("completed_at")).is_some(),
    };
    Ok(EventRequest {
        cart: Some(cart),
        ..event(
            id,
            EventType::CheckoutUpdated,
            p,
            customer_of(p, object(p.get("customer"))),
        )
    })
}

fn order(id: String, p: &Value, event_type: EventType) -> Result<EventRequest, String> {
    let order_id = text(p.get("id")).ok_or("Shopify order without id")?;
    let total = money(p.get("total_price"))
        .ok_or_else(|| format!("Shopify order {order_id} without a valid total_price"))?;
    let currency =
        currency(p).ok_or_else(|| format!("Shopify order {order_id} without currency"))?;
    let tracking = tracking(p).unwrap_or_default();
    // REST orders have no single status field; this is the same open/closed/cancelled split
    // as the Admin API's `status` filter.
    let status = if text(p.get("cancelled_at")).is_some() {
        "cancelled"
    } else if text(p.get("closed_at")).is_some() {
        "closed"
    } else {
        "open"
    };
    let order = OrderInput {
        number: text(p.get("name"))
            .or_else(|| text(p.get("order_number")).map(|n| format!("#{n}"))),
        status: Some(status.to_owned()),
        financial_status: text(p.get("financial_status")),
        fulfillment_status: text(p.get("fulfillment_status")),
        line_items: line_items(p),
        total: Some(total),
        currency: Some(currency),
        shipping_region: us_or_ca_region(
            object(p.get("shipping_address")),
            "country_code",
            "province_code",
        ),
        tracking_number: tracking.number,
        tracking_url: tracking.url,
        carrier: tracking.company,
        // Links the order to the checkout it completes, so that cart counts as recovered.
        cart_id: text(p.get("checkout_token")).or_else(|| text(p.get("cart_token"))),
        id: order_id,
    };
    Ok(EventRequest {
        order: Some(order),
        ..event(id, event_type, p, customer_of(p, object(p.get("customer"))))
    })
}

/// `fulfillments/create`: the payload is the fulfillment, pointing at its order.
fn fulfillment(id: String, p: &Value) -> Result<EventRequest, String> {
    let order_id = text(p.get("order_id")).ok_or("Shopify fulfillment without order_id")?;
    if let Some(status @ ("cancelled" | "error" | "failure")) =
        p.get("status").and_then(Value::as_str)
    {
        return Err(format!(
            "Shopify fulfillment of order {order_id} is {status}"
        ));
    }
    let tracking = fulfillment_tracking(p).unwrap_or_default();
    let destination = object(p.get("destination"));
    // The fulfillment is named after its order plus a sequence: "#9999.1" is order "#9999".
    let number = text(p.get("name")).map(|name| match name.rsplit_once('.') {
        Some((order, seq)) if !seq.is_empty() && seq.bytes().all(|b| b.is_ascii_digit()) => {
            order.to_owned()
        }
        _ => name,
    });
    let customer = non_empty(CustomerInput {
        phone: pick_phone([address_phone(destination, "country_code").as_deref()]),
        email: text(p.get("email")),
        first_name: text_at(destination, "first_name"),
        last_name: text_at(destination, "last_name"),
        ..CustomerInput::default()
    });
    let order = OrderInput {
        id: order_id,
        number,
        status: None,
        financial_status: None,
        fulfillment_status: None,
        line_items: Vec::new(),
        total: None,
        currency: None,
        shipping_region: us_or_ca_region(destination, "country_code", "province_code"),
        tracking_number: tracking.number,
        tracking_url: tracking.url,
        carrier: tracking.company,
        cart_id: None,
    };
    Ok(EventRequest {
        order: Some(order),
        ..event(id, EventType::OrderShipped, p, customer)
    })
}

/// Fulfillment-order holds identify the fulfillment order by GraphQL id; only some payload
/// shapes also name the order. Without it the hold cannot be tied to an order short of an
/// Admin API lookup.
fn hold(id: String, p: &Value) -> Result<EventRequest, String> {
    let fulfillment_order = object(p.get("fulfillment_order"));
    let order_id = [
        p.get("order_id"),
        fulfillment_order.and_then(|f| f.get("order_id")),
        fulfillment_order.and_then(|f| f.get("order")?.get("id")),
    ]
    .into_iter()
    .find_map(|v| {
        let v = text(v)?;
        // GraphQL ids look like gid://shopify/Order/820982911946154508.
        match v.strip_prefix("gid://shopify/Order/") {
            Some(numeric) => Some(numeric.to_owned()),
            None if v.bytes().all(|b| b.is_ascii_digit()) => Some(v),
            None => None,
        }
    })
    .ok_or("Shopify fulfillment hold names no order (it needs an Admin API lookup)")?;
    let order = OrderInput {
        id: order_id,
        number: None,
        status: None,
        financial_status: None,
        fulfillment_status: None,
        line_items: Vec::new(),
        total: None,
        currency: None,
        shipping_region: None,
        tracking_number: None,
        tracking_url: None,
        carrier: None,
        cart_id: None,
    };
    Ok(EventRequest {
        order: Some(order),
        ..event(id, EventType::OrderOnHold, p, None)
    })
}

/// `customers/create` and `customers/update`: the payload is the customer.
fn customer(id: String, p: &Value) -> Result<EventRequest, String> {
    let customer = customer_of(p, Some(p)).ok_or("Shopify customer without id, phone or email")?;
    Ok(event(id, EventType::CustomerUpdated, p, Some(customer)))
}

/// The buyer of a checkout or order (`p`), whose `customer` object may be absent (guest
/// checkouts); for customer topics `p` is the customer itself.
fn customer_of(p: &Value, customer: Option<&Value>) -> Option<CustomerInput> {
    let billing = object(p.get("billing_address"));
    let shipping = object(p.get("shipping_address"));
    let billing_phone = address_phone(billing, "country_code");
    let shipping_phone = address_phone(shipping, "country_code");
    // The number the buyer gave for texts, the one their SMS consent is for.
    let own_phone = pick_phone([
        p.get("sms_marketing_phone").and_then(Value::as_str),
        customer.and_then(|c| c.get("phone")?.as_str()),
        p.get("phone").and_then(Value::as_str),
    ]);
    let phone = pick_phone([
        own_phone.as_deref(),
        billing_phone.as_deref(),
        shipping_phone.as_deref(),
    ]);
    // Consent given with one number is no consent to text another (an address's phone may
    // even be a gift recipient's): a grant holds only for the buyer's own number. A refusal
    // holds whatever the number.
    let sms_consent = consent(p, customer)
        .filter(|c| c.status != ConsentStatus::Granted || (phone.is_some() && phone == own_phone));
    // First and last name from one place, so "John" is not paired with the biller's surname.
    let named = [customer, billing, shipping]
        .into_iter()
        .flatten()
        .find(|who| text(who.get("first_name")).is_some() || text(who.get("last_name")).is_some());
    non_empty(CustomerInput {
        id: text_at(customer, "id"),
        phone,
        email: text_at(customer, "email")
            .or_else(|| text(p.get("email")))
            .or_else(|| text(p.get("contact_email"))),
        first_name: text_at(named, "first_name"),
        last_name: text_at(named, "last_name"),
        sms_consent,
    })
}

/// `sms_marketing_consent` (on the customer, or the payload for customer topics) and the
/// checkout's `buyer_accepts_sms_marketing` box. A recorded refusal outranks the box: we never
/// text someone who said stop on the strength of a possibly stale flag.
fn consent(p: &Value, customer: Option<&Value>) -> Option<ConsentInput> {
    let recorded = object(p.get("sms_marketing_consent"))
        .or_else(|| object(customer?.get("sms_marketing_consent")))
        .and_then(|c| {
            let status = match c.get("state")?.as_str()? {
                "subscribed" => ConsentStatus::Granted,
                "unsubscribed" | "redacted" => ConsentStatus::Denied,
                // `pending`: a double opt-in not yet confirmed.
                "not_subscribed" | "pending" => ConsentStatus::Unknown,
                // The set of states is open: say nothing rather than guess.
                _ => return None,
            };
            Some(ConsentInput {
                status,
                source: Some(ConsentSource::Checkout),
                collected_at: rfc3339(c.get("consent_updated_at")),
            })
        });
    match recorded {
        Some(c) if c.status != ConsentStatus::Unknown => Some(c),
        _ if p
            .get("buyer_accepts_sms_marketing")
            .and_then(Value::as_bool)
            == Some(true) =>
        {
            Some(ConsentInput {
                status: ConsentStatus::Granted,
                source: Some(ConsentSource::Checkout),
                collected_at: None,
            })
        }
        other => other,
    }
}

/// An order's currency: its `total_price` is in the shop's currency (`currency`).
fn currency(p: &Value) -> Option<String> {
    text(p.get("currency"))
        .or_else(|| text(p.get("presentment_currency")))
        .map(|c| c.to_ascii_uppercase())
}

/// Items without a title or a valid price are left out rather than invented.
fn line_items(p: &Value) -> Vec<LineItem> {
    let Some(items) = p.get("line_items").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            Some(LineItem {
                title: text(item.get("title"))
                    .or_else(|| text(item.get("presentment_title")))
                    .or_else(|| text(item.get("name")))?,
                variant: text(item.get("variant_title")),
                quantity: quantity(item.get("quantity")),
                price: money(item.get("price"))?,
            })
        })
        .collect()
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Tracking {
    number: Option<String>,
    url: Option<String>,
    company: Option<String>,
}

/// The latest live fulfillment of an order that has tracking.
fn tracking(order: &Value) -> Option<Tracking> {
    order
        .get("fulfillments")?
        .as_array()?
        .iter()
        .rev()
        .filter(|f| {
            !matches!(
                f.get("status").and_then(Value::as_str),
                Some("cancelled" | "error" | "failure")
            )
        })
        .find_map(fulfillment_tracking)
}

fn fulfillment_tracking(f: &Value) -> Option<Tracking> {
    let first = |key: &str| text(f.get(key)?.as_array()?.first());
    let tracking = Tracking {
        number: text(f.get("tracking_number")).or_else(|| first("tracking_numbers")),
        url: text(f.get("tracking_url")).or_else(|| first("tracking_urls")),
        company: text(f.get("tracking_company")),
    };
    (tracking.number.is_some() || tracking.url.is_some()).then_some(tracking)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone};
    use serde_json::json;

    const SAMPLES: &str = include_str!("../../../tests/fixtures/shopify-webhook-samples.json");
    const CHECKOUT_RAW: &str =
        include_str!("../../../tests/fixtures/shopify-checkouts-create.compact.json");

    fn samples() -> Value {
        serde_json::from_str(SAMPLES).unwrap()
    }

    /// A payload from the samples, following their `same_as` references.
    fn sample(topic: &str) -> Value {
        let all = samples();
        let entry = &all["payloads"][topic];
        match entry["same_as"].as_str() {
            Some(other) => sample(other.split(' ').next().unwrap()),
            None => entry["body"].clone(),
        }
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

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    /// The event must be accepted by `POST /api/v1/events` as well (unknown fields refused).
    fn round_trips(event: &EventRequest) {
        let json = serde_json::to_value(event).unwrap();
        let back: EventRequest = serde_json::from_value(json).unwrap();
        assert_eq!(&back, event);
    }

    #[test]
    fn verify_accepts_the_fixture_vectors() {
        let all = samples();
        let cases = all["self_computed_webhook_hmac_vectors"]["cases"]
            .as_array()
            .unwrap();
        let mut checked = 0;
        for case in cases {
            let secret = case["secret"].as_str().unwrap();
            let expected = case["expected_x_shopify_hmac_sha256"].as_str().unwrap();
            let body = match case["raw_body"].as_str() {
                Some(body) => body.as_bytes(),
                // The one case signed over the compact checkout file's exact bytes.
                None => CHECKOUT_RAW.as_bytes(),
            };
            assert!(verify(secret, body, expected), "{case}");
            checked += 1;
        }
        assert_eq!(checked, 4);
    }

    #[test]
    fn verify_refuses_tampering_wrong_secrets_and_junk_headers() {
        let sig = "SBUKgzwd4SeHPQ4oLiVmkD0xtPZzUpL+GfBFdvIIqwU=";
        let body = CHECKOUT_RAW.as_bytes();
        assert!(verify("hush", body, sig));
        let tampered = CHECKOUT_RAW.replace("421.88", "1.00");
        assert!(!verify("hush", tampered.as_bytes(), sig));
        // One trailing newline is enough to change the signature.
        assert!(!verify("hush", format!("{CHECKOUT_RAW}\n").as_bytes(), sig));
        assert!(!verify("hush!", body, sig));
        assert!(!verify("", body, sig));
        assert!(!verify("hush", body, ""));
        assert!(!verify("hush", body, "%%%not-base64%%%"));
        // The same MAC in hex (as Shopify's OAuth query-string HMAC is sent) is refused.
        assert!(!verify(
            "hush",
            body,
            "48150a833c1de127873d0e282e2566903d31b4f6735292fe19f04576f208ab05"
        ));
        // The right bytes in the wrong encoding (URL-safe alphabet, no padding) still fail.
        assert!(!verify(
            "hush",
            body,
            "SBUKgzwd4SeHPQ4oLiVmkD0xtPZzUpL-GfBFdvIIqwU"
        ));
    }

    #[test]
    fn the_compact_checkout_file_is_the_checkouts_create_sample() {
        let compact: Value = serde_json::from_str(CHECKOUT_RAW).unwrap();
        assert_eq!(compact, sample("checkouts/create"));
    }

    #[test]
    fn checkouts_create_sample_becomes_checkout_updated_with_a_cart() {
        let payload: Value = serde_json::from_str(CHECKOUT_RAW).unwrap();
        let event = one(map("checkouts/create", "wh-1", &payload));
        round_trips(&event);
        assert_eq!(event.id, "shopify:wh-1");
        assert_eq!(event.event_type, EventType::CheckoutUpdated);
        // 19:00 at -05:00 is midnight UTC.
        assert_eq!(event.occurred_at, utc(2022, 1, 1, 0, 0, 0));
        assert_eq!(event.order, None);
        let cart = event.cart.unwrap();
        assert_eq!(cart.id, "123123123");
        assert_eq!(cart.total, "421.88");
        assert_eq!(cart.currency, "USD");
        assert_eq!(
            cart.recovery_url.as_deref(),
            Some(
                "https://checkout.local/548380009/checkouts/123123123/recover?key=example-secret-token"
            )
        );
        let pink = LineItem {
            title: "IPod Nano - 8GB".into(),
            variant: Some("Pink".into()),
            quantity: 1,
            price: "199.00".into(),
        };
        assert_eq!(cart.line_items, vec![pink.clone(), pink]);
        let customer = event.customer.unwrap();
        assert_eq!(
            customer,
            CustomerInput {
                id: Some("603851970716743426".into()),
                // Every phone in the sample is junk (555-555-BILL, 555-555-SHIP, nulls).
                phone: None,
                email: Some("john@example.com".into()),
                first_name: Some("John".into()),
                last_name: Some("Smith".into()),
                // buyer_accepts_sms_marketing is false and there is no consent object.
                sms_consent: None,
            }
        );
    }

    #[test]
    fn checkouts_update_maps_like_create() {
        let payload = sample("checkouts/update");
        let update = one(map("checkouts/update", "wh-2", &payload));
        let create = one(map("checkouts/create", "wh-2", &payload));
        assert_eq!(update, create);
    }

    #[test]
    fn a_checkout_with_completed_at_says_it_was_completed() {
        let mut payload = sample("checkouts/update");
        assert!(
            !one(map("checkouts/update", "wh-4", &payload))
                .cart
                .unwrap()
                .completed
        );
        payload["completed_at"] = json!("2022-01-01T00:05:00-05:00");
        assert!(
            one(map("checkouts/update", "wh-4", &payload))
                .cart
                .unwrap()
                .completed
        );
    }

    #[test]
    fn checkout_keys_fall_back_to_cart_token_and_presentment_currency() {
        // Variation: the sample without `token` and `currency`.
        let mut payload = sample("checkouts/create");
        let body = payload.as_object_mut().unwrap();
        body.remove("token");
        body.remove("currency");
        body.insert("presentment_currency".into(), json!("cad"));
        let cart = one(map("checkouts/update", "wh-3", &payload)).cart.unwrap();
        assert_eq!(cart.id, "eeafa272cebfd4b22385bc4b645e762c");
        assert_eq!(cart.currency, "CAD");

        payload.as_object_mut().unwrap().remove("cart_token");
        assert!(ignored(map("checkouts/update", "wh-3", &payload)).contains("token"));
    }

    #[test]
    fn checkout_phone_consent_and_names_from_the_payload() {
        // Variation: an SMS opt-in at checkout with a real number, and a guest (no customer).
        let mut payload = sample("checkouts/create");
        let body = payload.as_object_mut().unwrap();
        body.remove("customer");
        body.insert("sms_marketing_phone".into(), json!("+1 (415) 555-0123"));
        body.insert("buyer_accepts_sms_marketing".into(), json!(true));
        let customer = one(map("checkouts/create", "wh-4", &payload))
            .customer
            .unwrap();
        assert_eq!(customer.id, None);
        assert_eq!(customer.phone.as_deref(), Some("+1 (415) 555-0123"));
        // The checkout's own email when there is no customer object.
        assert_eq!(customer.email.as_deref(), Some("example@email.com"));
        // Both names from the billing address.
        assert_eq!(customer.first_name.as_deref(), Some("Bob"));
        assert_eq!(customer.last_name.as_deref(), Some("Biller"));
        assert_eq!(
            customer.sms_consent,
            Some(ConsentInput {
                status: ConsentStatus::Granted,
                source: Some(ConsentSource::Checkout),
                collected_at: None,
            })
        );
    }

    #[test]
    fn phone_candidates_are_tried_in_order() {
        // Variation: junk first, then a valid shipping phone.
        let mut payload = sample("checkouts/create");
        payload["shipping_address"]["phone"] = json!("416-555-0199");
        let customer = one(map("checkouts/create", "wh-5", &payload))
            .customer
            .unwrap();
        assert_eq!(customer.phone.as_deref(), Some("416-555-0199"));

        // A foreign customer phone is kept when nothing is textable.
        payload["shipping_address"]["phone"] = json!("555-555-SHIP");
        payload["customer"]["phone"] = json!("+44 7700 900123");
        let customer = one(map("checkouts/create", "wh-5", &payload))
            .customer
            .unwrap();
        assert_eq!(customer.phone.as_deref(), Some("+44 7700 900123"));

        // ... but a textable billing phone beats it.
        payload["billing_address"]["phone"] = json!("(415) 555-0123");
        let customer = one(map("checkouts/create", "wh-5", &payload))
            .customer
            .unwrap();
        assert_eq!(customer.phone.as_deref(), Some("(415) 555-0123"));

        // sms_marketing_phone comes first of all.
        payload["sms_marketing_phone"] = json!("+14165550199");
        let customer = one(map("checkouts/create", "wh-5", &payload))
            .customer
            .unwrap();
        assert_eq!(customer.phone.as_deref(), Some("+14165550199"));
    }

    #[test]
    fn consent_given_with_a_foreign_number_is_not_moved_to_an_address_phone() {
        // Variation: a buyer who opted in with a UK mobile and typed a US number on the
        // billing address: that number is the contact's (the only textable one), but nobody
        // agreed to texts on it.
        let mut payload = sample("checkouts/create");
        payload["sms_marketing_phone"] = json!("+44 7700 900123");
        payload["buyer_accepts_sms_marketing"] = json!(true);
        payload["billing_address"]["phone"] = json!("(415) 555-0123");
        let customer = one(map("checkouts/create", "wh-12", &payload))
            .customer
            .unwrap();
        assert_eq!(customer.phone.as_deref(), Some("(415) 555-0123"));
        assert_eq!(customer.sms_consent, None);

        // A refusal still counts, whatever the number.
        payload["customer"]["sms_marketing_consent"] = json!({"state": "unsubscribed"});
        let customer = one(map("checkouts/create", "wh-12", &payload))
            .customer
            .unwrap();
        assert_eq!(
            customer.sms_consent.map(|c| c.status),
            Some(ConsentStatus::Denied)
        );

        // Given with a US number, it holds for that number.
        payload["customer"]["sms_marketing_consent"] = Value::Null;
        payload["sms_marketing_phone"] = json!("+1 416 555 0199");
        let customer = one(map("checkouts/create", "wh-12", &payload))
            .customer
            .unwrap();
        assert_eq!(customer.phone.as_deref(), Some("+1 416 555 0199"));
        assert_eq!(
            customer.sms_consent.map(|c| c.status),
            Some(ConsentStatus::Granted)
        );
    }

    #[test]
    fn consent_states_map_to_granted_denied_unknown() {
        let shape = samples()["customer_sms_marketing_consent_shape"]["example"].clone();
        let at = utc(2021, 8, 3, 19, 31, 6);
        for (state, expected) in [
            ("subscribed", Some(ConsentStatus::Granted)),
            ("unsubscribed", Some(ConsentStatus::Denied)),
            ("redacted", Some(ConsentStatus::Denied)),
            ("not_subscribed", Some(ConsentStatus::Unknown)),
            ("pending", Some(ConsentStatus::Unknown)),
            ("something_new", None),
        ] {
            // Variation: the sample checkout's customer with the documented consent shape, and
            // the number it is for (the sample's phones are all "555-555-…").
            let mut payload = sample("checkouts/create");
            payload["customer"]["phone"] = json!("+16135550123");
            let mut consent_obj = shape.clone();
            consent_obj["state"] = json!(state);
            payload["customer"]["sms_marketing_consent"] = consent_obj;
            let consent = one(map("checkouts/update", "wh-6", &payload))
                .customer
                .unwrap()
                .sms_consent;
            assert_eq!(consent.as_ref().map(|c| c.status), expected, "{state}");
            if let Some(c) = consent {
                assert_eq!(c.source, Some(ConsentSource::Checkout));
                assert_eq!(c.collected_at, Some(at), "{state}");
            }

            // The checkout box grants consent unless a refusal is on record.
            payload["buyer_accepts_sms_marketing"] = json!(true);
            let consent = one(map("checkouts/update", "wh-6", &payload))
                .customer
                .unwrap()
                .sms_consent
                .unwrap();
            let boxed = match expected {
                Some(ConsentStatus::Denied) => ConsentStatus::Denied,
                _ => ConsentStatus::Granted,
            };
            assert_eq!(consent.status, boxed, "{state} + box");
        }
    }

    #[test]
    fn orders_create_sample_becomes_order_placed() {
        let event = one(map("orders/create", "wh-7", &sample("orders/create")));
        round_trips(&event);
        assert_eq!(event.id, "shopify:wh-7");
        assert_eq!(event.event_type, EventType::OrderPlaced);
        assert_eq!(event.occurred_at, utc(2022, 1, 1, 0, 0, 0));
        assert_eq!(event.cart, None);
        let order = event.order.unwrap();
        assert_eq!(
            order,
            OrderInput {
                id: "820982911946154508".into(),
                number: Some("#9999".into()),
                // Shopify's generic sample order is a cancelled, voided one.
                status: Some("cancelled".into()),
                financial_status: Some("voided".into()),
                fulfillment_status: None,
                line_items: vec![LineItem {
                    title: "Aviator sunglasses".into(),
                    variant: None,
                    quantity: 1,
                    price: "89.99".into(),
                }],
                total: Some("404.95".into()),
                currency: Some("USD".into()),
                shipping_region: Some("KY".into()),
                tracking_number: None,
                tracking_url: None,
                carrier: None,
                // checkout_token and cart_token are null in the sample.
                cart_id: None,
            }
        );
        let customer = event.customer.unwrap();
        assert_eq!(customer.id.as_deref(), Some("115310627314723954"));
        assert_eq!(customer.email.as_deref(), Some("john@example.com"));
        assert_eq!(customer.phone, None, "555-555-SHIP is not a number");
    }

    #[test]
    fn orders_link_back_to_their_checkout() {
        // Variation: a live order with the tokens the sample leaves null.
        let mut payload = sample("orders/create");
        payload["cancelled_at"] = Value::Null;
        payload["checkout_token"] = json!("123123123");
        payload["cart_token"] = json!("eeafa272cebfd4b22385bc4b645e762c");
        let order = one(map("orders/create", "wh-8", &payload)).order.unwrap();
        assert_eq!(order.cart_id.as_deref(), Some("123123123"));
        assert_eq!(order.status.as_deref(), Some("open"));

        payload["checkout_token"] = Value::Null;
        let order = one(map("orders/create", "wh-8", &payload)).order.unwrap();
        assert_eq!(
            order.cart_id.as_deref(),
            Some("eeafa272cebfd4b22385bc4b645e762c")
        );
    }

    #[test]
    fn orders_updated_sample_is_order_cancelled_like_the_order() {
        // The sample order is cancelled: Shopify sends orders/updated with orders/cancelled.
        let event = one(map("orders/updated", "wh-9", &sample("orders/updated")));
        assert_eq!(event.event_type, EventType::OrderCancelled);
        assert_eq!(event.order.unwrap().id, "820982911946154508");

        let mut open = sample("orders/updated");
        open["cancelled_at"] = Value::Null;
        let event = one(map("orders/updated", "wh-9", &open));
        assert_eq!(event.event_type, EventType::OrderUpdated);
    }

    /// Variation: the sample order, fulfilled, with `fulfillments` built from the
    /// fulfillments/create sample (the order samples have none).
    fn fulfilled_order() -> Value {
        let mut payload = sample("orders/create");
        payload["cancelled_at"] = Value::Null;
        payload["financial_status"] = json!("paid");
        payload["fulfillment_status"] = json!("fulfilled");
        let mut done = sample("fulfillments/create");
        done["status"] = json!("success");
        let mut cancelled = done.clone();
        cancelled["status"] = json!("cancelled");
        cancelled["tracking_number"] = json!("OLD-1");
        payload["fulfillments"] = json!([done, cancelled]);
        payload
    }

    #[test]
    fn orders_updated_fulfilled_with_tracking_is_order_shipped() {
        let payload = fulfilled_order();
        let event = one(map("orders/updated", "wh-10", &payload));
        assert_eq!(event.event_type, EventType::OrderShipped);
        let order = event.order.unwrap();
        // The cancelled fulfillment's number is passed over.
        assert_eq!(order.tracking_number.as_deref(), Some("1z827wk74630"));
        assert_eq!(order.carrier.as_deref(), Some("UPS"));
        assert_eq!(order.fulfillment_status.as_deref(), Some("fulfilled"));

        // Fulfilled without tracking, or partly fulfilled: shipped, as orders/fulfilled and
        // fulfillments/create say of the same fulfillment.
        let mut untracked = payload.clone();
        untracked["fulfillments"] = json!([]);
        assert_eq!(
            one(map("orders/updated", "wh-10", &untracked)).event_type,
            EventType::OrderShipped
        );
        let mut partial = payload.clone();
        partial["fulfillment_status"] = json!("partial");
        assert_eq!(
            one(map("orders/updated", "wh-10", &partial)).event_type,
            EventType::OrderShipped
        );
        // Nothing fulfilled yet: an update.
        let mut unfulfilled = payload;
        unfulfilled["fulfillment_status"] = Value::Null;
        assert_eq!(
            one(map("orders/updated", "wh-10", &unfulfilled)).event_type,
            EventType::OrderUpdated
        );
    }

    #[test]
    fn orders_fulfilled_is_order_shipped_with_or_without_tracking() {
        // The sample itself has no fulfillments.
        let event = one(map(
            "orders/fulfilled",
            "wh-11",
            &sample("orders/fulfilled"),
        ));
        assert_eq!(event.event_type, EventType::OrderShipped);
        let order = event.order.unwrap();
        assert_eq!(order.tracking_number, None);

        let order = one(map("orders/fulfilled", "wh-11", &fulfilled_order()))
            .order
            .unwrap();
        assert_eq!(order.tracking_number.as_deref(), Some("1z827wk74630"));
        assert_eq!(
            order.tracking_url.as_deref(),
            Some("https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630")
        );
        assert_eq!(order.carrier.as_deref(), Some("UPS"));
    }

    #[test]
    fn orders_cancelled_is_order_cancelled() {
        // No separate sample: Shopify sends the order, as for the other order topics.
        let event = one(map("orders/cancelled", "wh-12", &sample("orders/create")));
        round_trips(&event);
        assert_eq!(event.event_type, EventType::OrderCancelled);
        assert_eq!(event.order.unwrap().status.as_deref(), Some("cancelled"));
    }

    #[test]
    fn fulfillments_create_sample_is_order_shipped_with_tracking() {
        let event = one(map(
            "fulfillments/create",
            "wh-13",
            &sample("fulfillments/create"),
        ));
        round_trips(&event);
        assert_eq!(event.event_type, EventType::OrderShipped);
        assert_eq!(event.occurred_at, utc(2022, 1, 1, 0, 0, 0));
        let order = event.order.unwrap();
        assert_eq!(order.id, "820982911946154508");
        assert_eq!(order.number.as_deref(), Some("#9999"));
        assert_eq!(order.tracking_number.as_deref(), Some("1z827wk74630"));
        assert_eq!(
            order.tracking_url.as_deref(),
            Some("https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630")
        );
        assert_eq!(order.carrier.as_deref(), Some("UPS"));
        assert_eq!(order.shipping_region.as_deref(), Some("KY"));
        // Not in a fulfillment payload.
        assert_eq!(
            (order.total.as_deref(), order.currency.as_deref()),
            (None, None)
        );
        assert!(order.line_items.is_empty());
        let customer = event.customer.unwrap();
        assert_eq!(customer.email.as_deref(), Some("jon@example.com"));
        assert_eq!(customer.first_name.as_deref(), Some("Steve"));
        assert_eq!(customer.phone, None);
    }

    #[test]
    fn a_shipping_region_is_kept_only_for_the_us_and_canada() {
        // Variation: the samples shipped to Monterrey, Nuevo León ("NL", as is Newfoundland).
        for (topic, address) in [
            ("orders/create", "shipping_address"),
            ("fulfillments/create", "destination"),
        ] {
            let mut payload = sample(topic);
            let region = |payload: &Value| {
                one(map(topic, "wh-20", payload))
                    .order
                    .unwrap()
                    .shipping_region
            };
            assert_eq!(region(&payload).as_deref(), Some("KY"));
            payload[address]["country_code"] = json!("CA");
            payload[address]["province_code"] = json!("NL");
            assert_eq!(region(&payload).as_deref(), Some("NL"));
            payload[address]["country_code"] = json!("MX");
            assert_eq!(region(&payload), None, "{topic}");
            payload[address]["country_code"] = Value::Null;
            assert_eq!(region(&payload), None, "{topic}");
        }
    }

    #[test]
    fn fulfillment_tracking_lists_and_failed_fulfillments() {
        // Variation: only the plural tracking fields.
        let mut payload = sample("fulfillments/create");
        payload["tracking_number"] = Value::Null;
        payload["tracking_url"] = Value::Null;
        let order = one(map("fulfillments/create", "wh-14", &payload))
            .order
            .unwrap();
        assert_eq!(order.tracking_number.as_deref(), Some("1z827wk74630"));
        assert!(order.tracking_url.is_some());

        payload["status"] = json!("cancelled");
        assert!(ignored(map("fulfillments/create", "wh-14", &payload)).contains("cancelled"));
    }

    #[test]
    fn fulfillment_hold_without_an_order_id_is_ignored() {
        // The 2026-07 sample only has GraphQL ids of fulfillment orders.
        let why = ignored(map(
            "fulfillment_orders/placed_on_hold",
            "wh-15",
            &sample("fulfillment_orders/placed_on_hold"),
        ));
        assert!(why.contains("no order"), "{why}");
    }

    #[test]
    fn fulfillment_hold_naming_its_order_is_order_on_hold() {
        // Variation: the sample plus the order reference other payload shapes carry.
        let mut payload = sample("fulfillment_orders/placed_on_hold");
        payload["fulfillment_order"]["order_id"] = json!("gid://shopify/Order/820982911946154508");
        let before = Utc::now();
        let event = one(map("fulfillment_orders/placed_on_hold", "wh-16", &payload));
        round_trips(&event);
        assert_eq!(event.event_type, EventType::OrderOnHold);
        assert_eq!(event.order.unwrap().id, "820982911946154508");
        // No time in the payload: the time of receipt.
        assert!(event.occurred_at >= before && event.occurred_at <= Utc::now());

        let mut payload = sample("fulfillment_orders/placed_on_hold");
        payload["fulfillment_order"]["order_id"] = json!(820_982_911_946_154_508_u64);
        let event = one(map("fulfillment_holds/added", "wh-17", &payload));
        assert_eq!(event.event_type, EventType::OrderOnHold);
        assert_eq!(event.order.unwrap().id, "820982911946154508");
    }

    #[test]
    fn customers_create_and_update_are_customer_updated() {
        // Variation: no customer sample in the fixtures; this is the checkout sample's customer
        // with the documented consent shape and a phone.
        let mut payload = sample("checkouts/create")["customer"].clone();
        payload["phone"] = json!("+14155550123");
        payload["updated_at"] = json!("2021-08-03T15:31:06-04:00");
        payload["sms_marketing_consent"] =
            samples()["customer_sms_marketing_consent_shape"]["example"].clone();
        for topic in ["customers/create", "customers/update"] {
            let event = one(map(topic, "wh-18", &payload));
            round_trips(&event);
            assert_eq!(event.event_type, EventType::CustomerUpdated);
            assert_eq!(event.occurred_at, utc(2021, 8, 3, 19, 31, 6));
            assert_eq!((event.cart, event.order), (None, None));
            assert_eq!(
                event.customer.unwrap(),
                CustomerInput {
                    id: Some("603851970716743426".into()),
                    phone: Some("+14155550123".into()),
                    email: Some("john@example.com".into()),
                    first_name: Some("John".into()),
                    last_name: Some("Smith".into()),
                    sms_consent: Some(ConsentInput {
                        status: ConsentStatus::Granted,
                        source: Some(ConsentSource::Checkout),
                        collected_at: Some(utc(2021, 8, 3, 19, 31, 6)),
                    }),
                }
            );
        }
        assert!(
            ignored(map(
                "customers/update",
                "wh-19",
                &json!({"state": "disabled"})
            ))
            .contains("customer")
        );
    }

    #[test]
    fn other_topics_are_ignored() {
        for topic in ["checkouts/delete", "orders/delete", "orders/edited"] {
            let why = ignored(map(topic, "wh-20", &sample(topic)));
            assert!(why.contains(topic), "{why}");
        }
        for topic in ["products/update", "app/uninstalled", ""] {
            ignored(map(topic, "wh-20", &json!({"id": 1})));
        }
    }

    #[test]
    fn topics_are_matched_leniently_and_ids_are_required() {
        let payload = sample("orders/create");
        assert_eq!(
            one(map(" Orders/Create ", "wh-21", &payload)).event_type,
            EventType::OrderPlaced
        );
        assert!(ignored(map("orders/create", " ", &payload)).contains("Webhook-Id"));
        ignored(map("orders/create", "wh-21", &json!([1, 2])));
        let mut no_id = payload;
        no_id.as_object_mut().unwrap().remove("id");
        ignored(map("orders/create", "wh-21", &no_id));
    }
}
