//! Shopify and WooCommerce webhooks over HTTP, with the real sample payloads: signatures,
//! deduplicated deliveries, topic routing into contacts, carts and orders.

use base64::Engine;
use chrono::{Duration, NaiveDateTime, Timelike};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use textback_tests::{Session, TestApp, fixtures, on_both_databases, problem};

on_both_databases!(
    only_a_key_that_may_post_events_may_set_a_platforms_secret,
    shopify_deliveries_are_verified_routed_and_deduplicated,
    shopify_checkout_then_order_recovers_the_cart,
    a_paid_shopify_checkout_whose_order_is_late_gets_no_reminders,
    a_nul_in_what_a_customer_typed_does_not_lose_the_order,
    a_tracking_link_that_is_no_web_page_does_not_lose_the_shipment,
    woocommerce_ping_signature_and_orders,
    woocommerce_deliveries_sharing_a_delivery_id_are_all_processed,
    woocommerce_checkout_drafts_are_not_orders,
    a_woocommerce_order_awaiting_payment_counts_once_paid_and_is_confirmed_once,
    a_woocommerce_order_first_heard_of_cancelled_is_not_texted_or_credited,
    shopify_orders_updated_keeps_an_order_shipped_or_cancelled,
    shopify_checkout_total_is_in_the_buyers_currency,
    address_phones_are_read_in_the_address_country,
);

pub(crate) const SECRET: &str = "shpss_0123456789abcdef";

pub(crate) fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn shopify_sample(topic: &str) -> Value {
    let samples: Value =
        serde_json::from_str(include_str!("../fixtures/shopify-webhook-samples.json")).unwrap();
    let payload = &samples["payloads"][topic];
    match payload["same_as"].as_str() {
        Some(other) => shopify_sample(other.split_whitespace().next().unwrap()),
        None => payload["body"].clone(),
    }
}

/// Saves the platform's webhook secret (`SECRET`); returns the webhook URL to give it.
pub(crate) async fn save_secret(app: &TestApp, owner: &Session, platform: &str) -> String {
    let response = app
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/integrations/{platform}"),
            Some(&owner.token),
        )
        .json(&json!({"secret": SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let saved: Value = response.json().await.unwrap();
    let url = saved["webhook_url"].as_str().unwrap().to_owned();
    assert!(url.ends_with(&format!("/webhooks/{platform}/{}", owner.store_id)));
    url
}

/// The secret signs the platform's webhooks, which post events: a key that may only change
/// the store's settings must not be able to replace it (and so post events itself).
async fn only_a_key_that_may_post_events_may_set_a_platforms_secret(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let save = |key: String| {
        app.request(
            reqwest::Method::PUT,
            "/api/v1/integrations/woocommerce",
            Some(&key),
        )
        .json(&json!({"secret": "a-secret-of-someone-else"}))
        .send()
    };
    let (_, write_only) = app.create_key(&owner, &["read", "write"]).await;
    textback_tests::problem(save(write_only).await.unwrap(), 403).await;
    let (_, events) = app.create_key(&owner, &["events"]).await;
    assert_eq!(save(events).await.unwrap().status(), StatusCode::OK);
}

async fn deliver_shopify(
    app: &TestApp,
    store_id: i64,
    topic: &str,
    id: &str,
    body: &[u8],
    signature: &str,
) -> reqwest::Response {
    app.http
        .post(app.url(&format!("/webhooks/shopify/{store_id}")))
        .header("content-type", "application/json")
        .header("X-Shopify-Topic", topic)
        .header("X-Shopify-Webhook-Id", id)
        .header("X-Shopify-Hmac-Sha256", signature)
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

/// `payload` signed with the store's secret and delivered as Shopify would.
async fn deliver_signed(
    app: &TestApp,
    store_id: i64,
    topic: &str,
    id: &str,
    payload: &Value,
) -> reqwest::Response {
    let body = serde_json::to_vec(payload).unwrap();
    deliver_shopify(app, store_id, topic, id, &body, &sign(SECRET, &body)).await
}

async fn shopify_deliveries_are_verified_routed_and_deduplicated(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let body = serde_json::to_vec(&shopify_sample("checkouts/create")).unwrap();

    // Before the secret is saved, and with a wrong signature: refused, nothing stored.
    problem(
        deliver_shopify(
            &app,
            owner.store_id,
            "checkouts/create",
            "w-1",
            &body,
            &sign(SECRET, &body),
        )
        .await,
        401,
    )
    .await;
    save_secret(&app, &owner, "shopify").await;
    problem(
        deliver_shopify(
            &app,
            owner.store_id,
            "checkouts/create",
            "w-1",
            &body,
            &sign("wrong", &body),
        )
        .await,
        401,
    )
    .await;
    problem(
        deliver_shopify(&app, owner.store_id, "checkouts/create", "w-1", &body, "").await,
        401,
    )
    .await;
    let mut tampered = body.clone();
    tampered.push(b' ');
    problem(
        deliver_shopify(
            &app,
            owner.store_id,
            "checkouts/create",
            "w-1",
            &tampered,
            &sign(SECRET, &body),
        )
        .await,
        401,
    )
    .await;
    assert_eq!(fixtures::event_count(&app, owner.store_id), 0);

    // The reference hold sample names fulfillment orders only, not the order: acknowledged,
    // nothing to store.
    let topics = [
        ("checkouts/create", true),
        ("checkouts/update", true),
        ("orders/create", true),
        ("orders/updated", true),
        ("orders/fulfilled", true),
        ("fulfillments/create", true),
        ("fulfillment_orders/placed_on_hold", false),
    ];
    let mut expected = 0;
    for (i, (topic, stored)) in topics.into_iter().enumerate() {
        let body = serde_json::to_vec(&shopify_sample(topic)).unwrap();
        let id = format!("w-{i}");
        let response = deliver_shopify(
            &app,
            owner.store_id,
            topic,
            &id,
            &body,
            &sign(SECRET, &body),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK, "{topic}");
        expected += i64::from(stored);
        assert_eq!(
            fixtures::event_count(&app, owner.store_id),
            expected,
            "{topic} stored once"
        );
        // Shopify retries: the same delivery again changes nothing.
        deliver_shopify(
            &app,
            owner.store_id,
            topic,
            &id,
            &body,
            &sign(SECRET, &body),
        )
        .await;
        assert_eq!(
            fixtures::event_count(&app, owner.store_id),
            expected,
            "{topic} retried"
        );
    }
    let ignored = br#"{"id": 1}"#;
    let response = deliver_shopify(
        &app,
        owner.store_id,
        "products/update",
        "w-x",
        ignored,
        &sign(SECRET, ignored),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "unknown topics are acknowledged"
    );
    assert_eq!(fixtures::event_count(&app, owner.store_id), expected);
}

async fn shopify_checkout_then_order_recovers_the_cart(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    save_secret(&app, &owner, "shopify").await;
    let mut checkout = shopify_sample("checkouts/create");
    // Recent activity, so the cart is abandoned rather than already a week old.
    let two_hours_ago = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    checkout["created_at"] = json!(two_hours_ago);
    checkout["updated_at"] = json!(two_hours_ago);
    let mut order = shopify_sample("orders/create");
    // The two reference samples are unrelated; make the order come from that checkout.
    order["checkout_token"] = checkout["token"].clone();
    order["cart_token"] = checkout["cart_token"].clone();
    deliver_signed(&app, owner.store_id, "checkouts/create", "w-1", &checkout).await;

    let mut conn = app.state.pool.get().unwrap();
    let now = chrono::Utc::now().naive_utc();
    let abandoned = textback_api::services::ingest::detect_abandonment(&mut conn, now).unwrap();
    assert_eq!(abandoned, 1);
    drop(conn);

    // Placed after the cart was found abandoned (one placed before converts it).
    let placed = (now + chrono::Duration::seconds(1)).and_utc().to_rfc3339();
    for field in ["created_at", "processed_at", "updated_at"] {
        order[field] = json!(placed);
    }
    deliver_signed(&app, owner.store_id, "orders/create", "w-2", &order).await;
    assert_eq!(cart_statuses(&app, &owner).await, ["recovered"]);
}

/// Statuses of the store's carts, whoever's they are.
async fn cart_statuses(app: &TestApp, owner: &Session) -> Vec<String> {
    contact_details(app, owner)
        .await
        .iter()
        .flat_map(|detail| detail["carts"].as_array().unwrap().clone())
        .map(|cart| cart["status"].as_str().unwrap().to_owned())
        .collect()
}

/// Every contact of the store with their consent history, carts and orders.
async fn contact_details(app: &TestApp, owner: &Session) -> Vec<Value> {
    let contacts: Value = app
        .get("/api/v1/contacts?limit=50", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let mut details = Vec::new();
    for contact in contacts["items"].as_array().unwrap() {
        let detail = app
            .get(&format!("/api/v1/contacts/{}", contact["id"]), &owner.token)
            .await;
        assert_eq!(detail.status(), StatusCode::OK);
        details.push(detail.json().await.unwrap());
    }
    details
}

/// The contact the store heard of last (the contacts list's first), with their consent
/// history, carts and orders.
async fn latest_contact(app: &TestApp, owner: &Session) -> Value {
    contact_details(app, owner).await.remove(0)
}

/// `checkouts/update` with `completed_at` says the buyer paid; `orders/create` may follow
/// only after Shopify's retries (up to 48 hours). Meanwhile the buyer, who agreed to texts,
/// must not be reminded of the cart.
async fn a_paid_shopify_checkout_whose_order_is_late_gets_no_reminders(app: TestApp) {
    let (owner, _) = crate::dispatch::store_with_flow(&app, [60, 1440]).await;
    save_secret(&app, &owner, "shopify").await;
    let mut checkout = shopify_sample("checkouts/create");
    let two_hours_ago = chrono::Utc::now() - chrono::Duration::hours(2);
    checkout["created_at"] = json!(two_hours_ago.to_rfc3339());
    checkout["updated_at"] = json!(two_hours_ago.to_rfc3339());
    checkout["phone"] = json!("+14155550123");
    checkout["buyer_accepts_sms_marketing"] = json!(true);
    let mut completed = checkout.clone();
    let paid_at = two_hours_ago + chrono::Duration::minutes(5);
    completed["completed_at"] = json!(paid_at.to_rfc3339());
    completed["updated_at"] = json!(paid_at.to_rfc3339());
    for (topic, id, payload) in [
        ("checkouts/create", "w-1", &checkout),
        ("checkouts/update", "w-2", &completed),
    ] {
        let body = serde_json::to_vec(payload).unwrap();
        let response =
            deliver_shopify(&app, owner.store_id, topic, id, &body, &sign(SECRET, &body)).await;
        assert_eq!(response.status(), StatusCode::OK, "{topic}");
    }
    let now = chrono::Utc::now().naive_utc();
    let abandoned = crate::dispatch::abandon(&app, now);
    assert_eq!(abandoned, 0, "a paid checkout is not abandoned");
    assert!(crate::dispatch::outbox_rows(&app).is_empty());
    assert_eq!(cart_statuses(&app, &owner).await, ["completed"]);

    let mut order = shopify_sample("orders/create");
    order["checkout_token"] = checkout["token"].clone();
    order["cart_token"] = checkout["cart_token"].clone();
    deliver_signed(&app, owner.store_id, "orders/create", "w-3", &order).await;
    assert_eq!(cart_statuses(&app, &owner).await, ["converted"]);
}

async fn woocommerce_ping_signature_and_orders(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let url = format!("/webhooks/woocommerce/{}", owner.store_id);
    let ping = app
        .http
        .post(app.url(&url))
        .form(&[("webhook_id", "12")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        ping.status(),
        StatusCode::OK,
        "the creation ping must succeed or WooCommerce disables the hook"
    );

    save_secret(&app, &owner, "woocommerce").await;
    let samples: Value =
        serde_json::from_str(include_str!("../fixtures/woocommerce-webhook-samples.json")).unwrap();
    let body = serde_json::to_vec(&samples["sample_order_payload"]["body"]).unwrap();
    let deliver = |topic: &'static str, id: &'static str, signature: String, body: Vec<u8>| {
        app.http
            .post(app.url(&url))
            .header("content-type", "application/json")
            .header("X-WC-Webhook-Topic", topic)
            .header("X-WC-Webhook-Delivery-ID", id)
            .header("X-WC-Webhook-Signature", signature)
            .body(body)
            .send()
    };
    problem(
        deliver("order.created", "d-1", sign("nope", &body), body.clone())
            .await
            .unwrap(),
        401,
    )
    .await;
    assert_eq!(fixtures::event_count(&app, owner.store_id), 0);
    let created = deliver("order.created", "d-1", sign(SECRET, &body), body.clone())
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    deliver("order.created", "d-1", sign(SECRET, &body), body.clone())
        .await
        .unwrap();
    assert_eq!(
        fixtures::event_count(&app, owner.store_id),
        1,
        "deduplicated by delivery id"
    );

    let detail = latest_contact(&app, &owner).await;
    assert_eq!(detail["orders"].as_array().unwrap().len(), 1);
    assert_eq!(detail["orders"][0]["status"], "placed");
}

/// A NUL typed by a customer (PostgreSQL cannot store one) is left out: the order is kept on
/// both databases, not refused.
async fn a_tracking_link_that_is_no_web_page_does_not_lose_the_shipment(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    save_secret(&app, &owner, "shopify").await;
    let placed = serde_json::to_vec(&shopify_sample("orders/create")).unwrap();
    let signature = sign(SECRET, &placed);
    let response = deliver_shopify(
        &app,
        owner.store_id,
        "orders/create",
        "w-1",
        &placed,
        &signature,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut fulfillment = shopify_sample("fulfillments/create");
    fulfillment["tracking_url"] = json!("javascript:alert(document.domain)");
    fulfillment["tracking_urls"] = json!(["javascript:alert(document.domain)"]);
    let shipped = serde_json::to_vec(&fulfillment).unwrap();
    let signature = sign(SECRET, &shipped);
    let response = deliver_shopify(
        &app,
        owner.store_id,
        "fulfillments/create",
        "w-2",
        &shipped,
        &signature,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        fixtures::event_count(&app, owner.store_id),
        2,
        "the shipment counts"
    );
    let detail = latest_contact(&app, &owner).await;
    let order = &detail["orders"][0];
    assert_eq!(order["status"], "shipped", "{order}");
    assert_eq!(order["tracking_number"], "1z827wk74630", "{order}");
    assert_eq!(order["tracking_url"], Value::Null, "{order}");
}

async fn a_nul_in_what_a_customer_typed_does_not_lose_the_order(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    save_secret(&app, &owner, "shopify").await;
    let mut order = shopify_sample("orders/create");
    order["customer"]["first_name"] = json!("Jo\u{0}hn");
    order["billing_address"]["first_name"] = json!("Jo\u{0}hn");
    order["note"] = json!("Leave it at the door\u{0}");
    let response = deliver_signed(&app, owner.store_id, "orders/create", "w-nul", &order).await;
    assert_eq!(response.status(), StatusCode::OK);
    let detail = latest_contact(&app, &owner).await;
    assert_eq!(detail["contact"]["first_name"], "John", "{detail}");
    assert_eq!(detail["orders"].as_array().unwrap().len(), 1, "{detail}");
}

async fn deliver_woocommerce(
    app: &TestApp,
    store_id: i64,
    topic: &str,
    delivery_id: &str,
    payload: &Value,
) -> reqwest::Response {
    let body = serde_json::to_vec(payload).unwrap();
    app.http
        .post(app.url(&format!("/webhooks/woocommerce/{store_id}")))
        .header("content-type", "application/json")
        .header("X-WC-Webhook-Topic", topic)
        .header("X-WC-Webhook-Delivery-ID", delivery_id)
        .header("X-WC-Webhook-Signature", sign(SECRET, &body))
        .body(body)
        .send()
        .await
        .unwrap()
}

fn woocommerce_sample() -> Value {
    let samples: Value =
        serde_json::from_str(include_str!("../fixtures/woocommerce-webhook-samples.json")).unwrap();
    samples["sample_order_payload"]["body"].clone()
}

/// Every order of the store, as the contacts API shows them, by platform id.
async fn orders_of(app: &TestApp, owner: &Session) -> Vec<Value> {
    let mut orders: Vec<Value> = contact_details(app, owner)
        .await
        .iter()
        .flat_map(|detail| detail["orders"].as_array().unwrap().clone())
        .collect();
    orders.sort_by_key(|o| o["external_id"].as_str().unwrap().to_owned());
    orders
}

/// WooCommerce's delivery id is a hash of the webhook and the current second: a bulk "Mark
/// complete" sends every order's order.updated with the same one. Each order is shipped;
/// the same delivery again still changes nothing.
async fn woocommerce_deliveries_sharing_a_delivery_id_are_all_processed(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    save_secret(&app, &owner, "woocommerce").await;
    let same_second = "1f3870be274f6c49b3e31a0c6728957f";
    let mut first = woocommerce_sample();
    first["status"] = json!("completed");
    let mut second = first.clone();
    second["id"] = json!(728);
    second["number"] = json!("728");
    second["billing"]["email"] = json!("jane.roe@example.com");
    second["billing"]["phone"] = json!("(415) 555-0123");
    for payload in [&first, &second, &first] {
        let response =
            deliver_woocommerce(&app, owner.store_id, "order.updated", same_second, payload).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_eq!(fixtures::event_count(&app, owner.store_id), 2);
    let orders = orders_of(&app, &owner).await;
    let shipped: Vec<(&str, &str)> = orders
        .iter()
        .map(|o| {
            (
                o["external_id"].as_str().unwrap(),
                o["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(shipped, [("727", "shipped"), ("728", "shipped")]);
}

/// The block checkout saves a `checkout-draft` order when a shopper opens the checkout, and
/// WooCommerce may deliver order.created for it: no order was placed, nobody is texted.
async fn woocommerce_checkout_drafts_are_not_orders(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    save_secret(&app, &owner, "woocommerce").await;
    let mut draft = woocommerce_sample();
    draft["status"] = json!("checkout-draft");
    draft["billing"]["phone"] = json!("(415) 555-0123");
    let response = deliver_woocommerce(&app, owner.store_id, "order.created", "d-1", &draft).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(fixtures::event_count(&app, owner.store_id), 0);
    assert_eq!(orders_of(&app, &owner).await, Vec::<Value>::new());

    // Once placed, the order counts.
    let mut placed = draft;
    placed["status"] = json!("processing");
    deliver_woocommerce(&app, owner.store_id, "order.created", "d-2", &placed).await;
    let orders = orders_of(&app, &owner).await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["status"], "placed");
}

/// One merchant action reaches us under several topics: a fulfillment as orders/fulfilled
/// and orders/updated, a cancellation as orders/cancelled and orders/updated. Whichever
/// comes last, the order stays shipped or cancelled.
async fn shopify_orders_updated_keeps_an_order_shipped_or_cancelled(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    save_secret(&app, &owner, "shopify").await;
    let deliver = |topic: &'static str, id: &'static str, payload: Value| {
        let app = &app;
        let store_id = owner.store_id;
        async move {
            let body = serde_json::to_vec(&payload).unwrap();
            let response =
                deliver_shopify(app, store_id, topic, id, &body, &sign(SECRET, &body)).await;
            assert_eq!(response.status(), StatusCode::OK, "{topic}");
        }
    };
    // Variation: the sample order, live, then fulfilled (without tracking, as for a local
    // delivery) a minute later.
    let mut placed = shopify_sample("orders/create");
    placed["cancelled_at"] = Value::Null;
    placed["financial_status"] = json!("paid");
    let mut fulfilled = placed.clone();
    fulfilled["fulfillment_status"] = json!("fulfilled");
    fulfilled["updated_at"] = json!("2021-12-31T19:01:00-05:00");
    deliver("orders/create", "w-1", placed).await;
    deliver("orders/fulfilled", "w-2", fulfilled.clone()).await;
    deliver("orders/updated", "w-3", fulfilled).await;

    // The sample itself is a cancelled order (another id here).
    let mut cancelled = shopify_sample("orders/create");
    cancelled["id"] = json!(820_982_911_946_154_509_u64);
    deliver("orders/cancelled", "w-4", cancelled.clone()).await;
    deliver("orders/updated", "w-5", cancelled).await;

    let statuses: Vec<(String, String)> = orders_of(&app, &owner)
        .await
        .iter()
        .map(|o| {
            (
                o["external_id"].as_str().unwrap().to_owned(),
                o["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("820982911946154508".to_owned(), "shipped".to_owned()),
            ("820982911946154509".to_owned(), "cancelled".to_owned()),
        ]
    );
}

/// A checkout's total is in the currency the buyer shops in (`presentment_currency`), not
/// the shop's (`currency`).
async fn shopify_checkout_total_is_in_the_buyers_currency(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    save_secret(&app, &owner, "shopify").await;
    // Variation: a Canadian buyer on a US-dollar shop.
    let mut checkout = shopify_sample("checkouts/create");
    checkout["presentment_currency"] = json!("CAD");
    checkout["total_price"] = json!("577.96");
    let response = deliver_signed(&app, owner.store_id, "checkouts/create", "w-1", &checkout).await;
    assert_eq!(response.status(), StatusCode::OK);
    let detail = latest_contact(&app, &owner).await;
    let cart = &detail["carts"][0];
    assert_eq!(
        (&cart["total"], &cart["currency"]),
        (&json!("577.96"), &json!("CAD")),
        "{cart}"
    );
}

/// Address phones are typed without a country code. A Mexican number is ten digits that
/// also make a valid US one: it must not be texted as a stranger's US number.
async fn address_phones_are_read_in_the_address_country(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    save_secret(&app, &owner, "woocommerce").await;
    save_secret(&app, &owner, "shopify").await;

    // Variation: the WooCommerce sample billed to Mexico City.
    let mut order = woocommerce_sample();
    order["billing"]["country"] = json!("MX");
    order["billing"]["state"] = json!("CMX");
    order["billing"]["phone"] = json!("55 1234 5678");
    deliver_woocommerce(&app, owner.store_id, "order.created", "d-1", &order).await;

    // Variation: the Shopify checkout sample shipped to Guadalajara.
    let mut checkout = shopify_sample("checkouts/create");
    checkout["shipping_address"]["country_code"] = json!("MX");
    checkout["shipping_address"]["province_code"] = json!("JAL");
    checkout["shipping_address"]["phone"] = json!("33 1234 5678");
    deliver_signed(&app, owner.store_id, "checkouts/create", "w-1", &checkout).await;

    // A US address's phone is still read as North American.
    let mut domestic = woocommerce_sample();
    domestic["id"] = json!(728);
    domestic["billing"]["email"] = json!("jane.roe@example.com");
    domestic["billing"]["phone"] = json!("(415) 555-0123");
    deliver_woocommerce(&app, owner.store_id, "order.created", "d-2", &domestic).await;

    let contacts: Value = app
        .get("/api/v1/contacts?limit=50", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let mut phones: Vec<(String, Value, bool)> = contacts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["email"].as_str().unwrap().to_owned(),
                c["phone"].clone(),
                c["textable"].as_bool().unwrap(),
            )
        })
        .collect();
    phones.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        phones,
        [
            (
                "jane.roe@example.com".to_owned(),
                json!("+14155550123"),
                true
            ),
            (
                "john.doe@example.com".to_owned(),
                json!("+525512345678"),
                false
            ),
            ("john@example.com".to_owned(), json!("+523312345678"), false),
        ]
    );
}

/// An order-update campaign confirming placements and cancellations.
fn order_updates() -> Value {
    json!({"kind": "order_update", "name": "Updates", "order_statuses": ["placed", "cancelled"],
        "steps": [{"delay_minutes": 0, "body": "Order {{ order_number }} is {{ order_status }}."}]})
}

/// Variation: the WooCommerce sample, order `id` of the customer at (415) 555-0123, in
/// `status`, last saved at `at`.
fn woocommerce_order(id: u32, status: &str, at: NaiveDateTime) -> Value {
    let mut order = woocommerce_sample();
    order["id"] = json!(id);
    order["number"] = json!(id.to_string());
    order["status"] = json!(status);
    order["billing"]["phone"] = json!("(415) 555-0123");
    let gmt = at.format("%Y-%m-%dT%H:%M:%S").to_string();
    order["date_created_gmt"] = json!(gmt);
    order["date_modified_gmt"] = json!(gmt);
    order
}

async fn deliver_ok(app: &TestApp, owner: &Session, topic: &str, id: &str, payload: &Value) {
    let response = deliver_woocommerce(app, owner.store_id, topic, id, payload).await;
    assert_eq!(response.status(), StatusCode::OK, "{topic} {id}");
}

/// The statuses order notifications were scheduled for (read from their outbox keys,
/// `order:{id}:{status}:campaign:{c}`), in order.
fn order_texts(app: &TestApp) -> Vec<String> {
    use diesel::prelude::*;
    use textback_api::db::schema::outbox;
    let mut conn = app.state.pool.get().unwrap();
    let keys: Vec<String> = outbox::table
        .order(outbox::id)
        .select(outbox::dedupe_key)
        .load(&mut *conn)
        .unwrap();
    keys.iter()
        .filter_map(|key| textback_api::services::scheduling::status_of_order_text(key))
        .map(str::to_owned)
        .collect()
}

fn timeline(order: &Value) -> Vec<&str> {
    order["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["status"].as_str().unwrap())
        .collect()
}

/// A shopper sent to PayPal leaves a `pending` order behind: not an order yet, so their cart
/// is still abandoned and reminded of. Once paid (`processing`), the order is placed and
/// confirmed once, however often it is saved again; a refund is no cancellation.
async fn a_woocommerce_order_awaiting_payment_counts_once_paid_and_is_confirmed_once(app: TestApp) {
    let (owner, _) = crate::dispatch::store_with_flow(&app, [60, 1440]).await;
    save_secret(&app, &owner, "woocommerce").await;
    crate::dispatch::activate(&app, &owner, &order_updates()).await;
    let now = textback_api::db::now().with_nanosecond(0).unwrap();
    let start = now - Duration::hours(2);
    let checkout = crate::dispatch::checkout("e1", "cart-1", "+14155550123", start);
    crate::dispatch::post(&app, &owner, &checkout).await;

    let pending = woocommerce_order(727, "pending", start + Duration::minutes(5));
    deliver_ok(&app, &owner, "order.created", "d-1", &pending).await;
    assert_eq!(orders_of(&app, &owner).await, Vec::<Value>::new());
    assert_eq!(
        fixtures::event_count(&app, owner.store_id),
        1,
        "only the checkout"
    );
    assert_eq!(
        crate::dispatch::abandon(&app, start + Duration::minutes(61)),
        1,
        "abandoned at payment"
    );
    assert_eq!(cart_statuses(&app, &owner).await, ["abandoned"]);

    let paid = woocommerce_order(727, "processing", now - Duration::minutes(10));
    deliver_ok(&app, &owner, "order.updated", "d-2", &paid).await;
    let orders = orders_of(&app, &owner).await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["status"], "placed", "{}", orders[0]);
    assert_eq!(cart_statuses(&app, &owner).await, ["recovered"]);
    assert_eq!(order_texts(&app), ["placed"]);

    // Saved again while processing (a note, an address): no second confirmation, and the
    // timeline gets an update, not a second placement.
    let mut saved = woocommerce_order(727, "processing", now - Duration::minutes(5));
    saved["customer_note"] = json!("Please leave it at the door");
    deliver_ok(&app, &owner, "order.updated", "d-3", &saved).await;
    assert_eq!(order_texts(&app), ["placed"]);
    let orders = orders_of(&app, &owner).await;
    assert_eq!(timeline(&orders[0]), ["placed", "updated"]);

    let refunded = woocommerce_order(727, "refunded", now - Duration::minutes(1));
    deliver_ok(&app, &owner, "order.updated", "d-4", &refunded).await;
    assert_eq!(
        order_texts(&app),
        ["placed"],
        "a refund is not texted as a cancellation"
    );
    let orders = orders_of(&app, &owner).await;
    assert_eq!(orders[0]["status"], "updated", "{}", orders[0]);
    assert_eq!(timeline(&orders[0]), ["placed", "updated", "updated"]);
}

/// WooCommerce cancels an order left unpaid (its `pending` deliveries were not orders): the
/// first we hear of it is its cancellation. It is kept, but its customer was never told of
/// it: nothing is texted, the reminder they got is not credited with it, and their cart is
/// still abandoned.
async fn a_woocommerce_order_first_heard_of_cancelled_is_not_texted_or_credited(app: TestApp) {
    use crate::dispatch::{abandon, pass, utc};
    let (owner, campaign) = crate::dispatch::store_with_flow(&app, [60, 1440]).await;
    save_secret(&app, &owner, "woocommerce").await;
    crate::dispatch::activate(&app, &owner, &order_updates()).await;
    let checkout = crate::dispatch::checkout("e1", "cart-1", "+14155550123", utc(16, 0));
    crate::dispatch::post(&app, &owner, &checkout).await;
    assert_eq!(abandon(&app, utc(17, 0)), 1);
    assert_eq!(pass(&app, utc(18, 0)).await.sent, 1);

    let cancelled = woocommerce_order(727, "cancelled", utc(19, 0));
    deliver_ok(&app, &owner, "order.updated", "d-1", &cancelled).await;
    let orders = orders_of(&app, &owner).await;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0]["status"], "cancelled", "{}", orders[0]);
    assert_eq!(timeline(&orders[0]), ["cancelled"]);
    assert_eq!(cart_statuses(&app, &owner).await, ["abandoned"]);
    let results = crate::dispatch::campaign_results(&app, &owner, campaign).await;
    assert_eq!(results["total"]["orders"], 0, "{results}");
    assert_eq!(results["total"]["revenue_cents"], 0, "{results}");

    // Recent enough to be texted, were it news: order.updated, saved again, and an
    // order.created delivered after the cancellation.
    let now = textback_api::db::now().with_nanosecond(0).unwrap();
    let cancelled = woocommerce_order(728, "cancelled", now - Duration::minutes(2));
    deliver_ok(&app, &owner, "order.updated", "d-2", &cancelled).await;
    let saved_again = woocommerce_order(728, "cancelled", now - Duration::minutes(1));
    deliver_ok(&app, &owner, "order.updated", "d-3", &saved_again).await;
    let created = woocommerce_order(729, "cancelled", now);
    deliver_ok(&app, &owner, "order.created", "d-4", &created).await;
    let orders = orders_of(&app, &owner).await;
    let statuses: Vec<(&Value, &Value)> = orders
        .iter()
        .map(|o| (&o["external_id"], &o["status"]))
        .collect();
    assert_eq!(
        statuses,
        [
            (&json!("727"), &json!("cancelled")),
            (&json!("728"), &json!("cancelled")),
            (&json!("729"), &json!("cancelled"))
        ]
    );
    assert_eq!(order_texts(&app), Vec::<String>::new());
}
