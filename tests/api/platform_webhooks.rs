//! Shopify and WooCommerce webhooks over HTTP, with the real sample payloads: signatures,
//! deduplicated deliveries, topic routing into contacts, carts and orders.

use base64::Engine;
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
