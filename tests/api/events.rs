//! Cart and order events: idempotency, ordering, contacts and consent, abandonment and
//! recovery (with a controlled clock), batches, bad input.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use textback_api::services::ingest;
use textback_tests::{Session, TestApp, on_both_databases, problem};

use crate::dispatch;

on_both_databases!(
    an_event_is_applied_once,
    invalid_events_are_refused_and_store_nothing,
    older_events_arriving_late_do_not_overwrite_newer_state,
    consent_changes_are_audited,
    phones_are_normalised_and_only_us_canada_are_textable,
    carts_are_abandoned_once_per_activity_period_and_recovered_by_orders,
    an_order_for_an_open_cart_converts_it_and_week_old_carts_expire,
    batches_report_each_event,
    events_need_the_events_scope,
    another_stores_contact_is_not_found,
    concurrent_events_for_one_new_customer_make_one_contact_and_one_cart,
    events_for_one_cart_or_order_posted_at_once_apply_in_time_order,
    a_batch_leaves_the_state_that_the_same_events_one_by_one_leave,
    a_batch_whose_customers_turn_out_to_be_one_contact_merges_them_in_order,
    a_completed_checkout_is_never_abandoned_and_its_late_order_converts_it,
    completing_an_abandoned_checkout_cancels_its_reminders,
    an_order_heard_of_first_by_its_shipment_gets_its_total_cart_and_credit_late,
    completions_and_late_details_leave_the_same_state_event_by_event,
    an_order_first_heard_of_by_its_cancellation_is_not_texted_or_credited,
    the_documented_examples_are_accepted_as_written,
    an_order_placed_before_its_cart_was_found_abandoned_converts_it,
);

const T0: &str = "2026-06-01T10:00:00Z";

fn at(offset_minutes: i64) -> String {
    (T0.parse::<DateTime<Utc>>().unwrap() + Duration::minutes(offset_minutes)).to_rfc3339()
}

fn checkout(id: &str, cart: &str, minutes: i64, total: &str) -> Value {
    json!({
        "id": id, "type": "checkout.updated", "occurred_at": at(minutes),
        "customer": {"phone": "(415) 555-0123", "email": "Ada@Example.com", "first_name": "Ada",
            "sms_consent": {"status": "granted", "source": "checkout"}},
        "cart": {"id": cart, "total": total, "currency": "USD", "recovery_url": "https://shop.example.com/r/1",
            "line_items": [{"title": "Merino crew", "variant": "M", "quantity": 2, "price": "89.00"}]}
    })
}

fn order(id: &str, kind: &str, order_id: &str, minutes: i64, cart: Option<&str>) -> Value {
    json!({
        "id": id, "type": kind, "occurred_at": at(minutes),
        "customer": {"phone": "+14155550123"},
        "order": {"id": order_id, "number": "#1001", "total": "178.00", "currency": "USD", "cart_id": cart,
            "tracking_number": if kind == "order.shipped" { Some("1Z999") } else { None }}
    })
}

async fn post_event(app: &TestApp, session: &Session, event: &Value) -> (StatusCode, Value) {
    let response = app
        .post("/api/v1/events", Some(&session.token), event)
        .await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn only_contact(app: &TestApp, session: &Session) -> Value {
    let contacts: Value = app
        .get("/api/v1/contacts", &session.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contacts["items"].as_array().unwrap().len(), 1, "{contacts}");
    let id = &contacts["items"][0]["id"];
    app.get(&format!("/api/v1/contacts/{id}"), &session.token)
        .await
        .json()
        .await
        .unwrap()
}

fn abandon_at(app: &TestApp, minutes: i64) -> usize {
    let now = (T0.parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)).naive_utc();
    let mut conn = app.state.pool.get().unwrap();
    textback_api::services::ingest::detect_abandonment(&mut conn, now).unwrap()
}

async fn an_event_is_applied_once(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let event = checkout("evt-1", "cart-1", 0, "178.00");
    let (status, body) = post_event(&app, &owner, &event).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::ACCEPTED, Some("accepted"))
    );
    let (status, body) = post_event(&app, &owner, &event).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("duplicate"))
    );

    let detail = only_contact(&app, &owner).await;
    assert_eq!(detail["contact"]["phone"], "+14155550123");
    assert_eq!(detail["contact"]["email"], "ada@example.com");
    assert_eq!(detail["contact"]["textable"], true);
    assert_eq!(detail["carts"].as_array().unwrap().len(), 1);
    let cart = &detail["carts"][0];
    assert_eq!(
        (cart["status"].as_str(), cart["total"].as_str()),
        (Some("open"), Some("178.00"))
    );
    assert_eq!(cart["line_items"][0]["title"], "Merino crew");
    assert_eq!(
        detail["consent_history"].as_array().unwrap().len(),
        1,
        "the duplicate added nothing"
    );
}

async fn invalid_events_are_refused_and_store_nothing(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let mut bad_type = checkout("evt-1", "cart-1", 0, "1.00");
    bad_type["type"] = json!("cart.exploded");
    let mut no_id = checkout("", "cart-1", 0, "1.00");
    no_id["id"] = json!("  ");
    let mut bad_phone = checkout("evt-3", "cart-1", 0, "1.00");
    bad_phone["customer"]["phone"] = json!("555-555-SHIP");
    let mut bad_currency = checkout("evt-4", "cart-1", 0, "1.00");
    bad_currency["cart"]["currency"] = json!("dollars");
    let bad_total = checkout("evt-5", "cart-1", 0, "12.345");
    let mut no_cart = checkout("evt-6", "cart-1", 0, "1.00");
    no_cart["cart"] = Value::Null;
    // The calendar's last second, and a clock two days fast.
    let mut at_the_end_of_time = checkout("evt-7", "cart-1", 0, "1.00");
    at_the_end_of_time["occurred_at"] = json!("+262142-12-31T23:59:59Z");
    let mut from_the_future = checkout("evt-8", "cart-1", 0, "1.00");
    from_the_future["occurred_at"] = json!((Utc::now() + Duration::days(2)).to_rfc3339());
    let mut script_link = order("evt-9", "order.shipped", "order-1", 0, None);
    script_link["order"]["tracking_url"] = json!("javascript:alert(document.domain)");
    let cases = [
        (script_link, "order.tracking_url"),
        (at_the_end_of_time, "occurred_at"),
        (from_the_future, "occurred_at"),
        (bad_type, "body"),
        (no_id, "id"),
        (bad_phone, "customer.phone"),
        (bad_currency, "cart.currency"),
        (bad_total, "cart.total"),
        (no_cart, "cart"),
    ];
    for (event, field) in cases {
        let refused = problem(
            app.post("/api/v1/events", Some(&owner.token), &event).await,
            422,
        )
        .await;
        assert!(
            refused.errors.iter().any(|e| e.field == field),
            "{field}: {:?}",
            refused.errors
        );
    }
    let contacts: Value = app
        .get("/api/v1/contacts", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(contacts["items"], json!([]), "nothing stored");
    // The rejected ids were not used up: the corrected event is accepted.
    let (status, _) = post_event(&app, &owner, &checkout("evt-3", "cart-1", 0, "1.00")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

async fn older_events_arriving_late_do_not_overwrite_newer_state(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    post_event(&app, &owner, &checkout("evt-new", "cart-1", 30, "250.00")).await;
    let (_, late) = post_event(&app, &owner, &checkout("evt-old", "cart-1", 10, "99.00")).await;
    assert_eq!(late["status"], "stale");

    post_event(
        &app,
        &owner,
        &order("o-shipped", "order.shipped", "ord-1", 120, None),
    )
    .await;
    let (_, late) = post_event(
        &app,
        &owner,
        &order("o-placed", "order.placed", "ord-1", 60, None),
    )
    .await;
    assert_eq!(late["status"], "stale");

    let detail = only_contact(&app, &owner).await;
    assert_eq!(detail["carts"][0]["total"], "250.00");
    let order = &detail["orders"][0];
    assert_eq!(order["status"], "shipped");
    assert_eq!(order["tracking_number"], "1Z999");
    assert_eq!(
        order["timeline"].as_array().unwrap().len(),
        1,
        "the stale event is not in the timeline"
    );
}

async fn consent_changes_are_audited(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let consent = |id: &str, status: &str, minutes: i64| {
        json!({"id": id, "type": "customer.updated", "occurred_at": at(minutes),
            "customer": {"phone": "+14155550123", "sms_consent": {"status": status, "source": "checkout", "collected_at": at(minutes)}}})
    };
    post_event(&app, &owner, &consent("c1", "granted", 0)).await;
    post_event(&app, &owner, &consent("c2", "granted", 5)).await;
    post_event(&app, &owner, &consent("c3", "denied", 10)).await;
    post_event(&app, &owner, &consent("c4", "granted", 7)).await;
    let detail = only_contact(&app, &owner).await;
    assert_eq!(detail["contact"]["sms_consent"], "denied");
    assert_eq!(detail["contact"]["consent_source"], "checkout");
    let history: Vec<&str> = detail["consent_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        history,
        ["granted", "denied"],
        "repeats and older news add no rows"
    );
}

async fn phones_are_normalised_and_only_us_canada_are_textable(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let customer = |id: &str, customer: Value| json!({"id": id, "type": "customer.updated", "occurred_at": at(0), "customer": customer});
    post_event(
        &app,
        &owner,
        &customer(
            "a",
            json!({"phone": "+44 20 7946 0958", "email": "uk@example.com"}),
        ),
    )
    .await;
    post_event(
        &app,
        &owner,
        &customer("b", json!({"email": "nophone@example.com"})),
    )
    .await;
    post_event(
        &app,
        &owner,
        &customer("c", json!({"phone": "1-416-555-0199"})),
    )
    .await;
    post_event(
        &app,
        &owner,
        &customer(
            "d",
            json!({"phone": "+1 416 555 0199", "first_name": "Lin"}),
        ),
    )
    .await;

    let contacts: Value = app
        .get("/api/v1/contacts?limit=10", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let items = contacts["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "the same number merges into one contact");
    let find = |key: &str, value: &str| items.iter().find(|c| c[key] == value).unwrap().clone();
    let uk = find("email", "uk@example.com");
    assert_eq!(
        (uk["phone"].as_str(), uk["textable"].as_bool()),
        (Some("+442079460958"), Some(false))
    );
    assert!(
        uk["not_textable_reason"]
            .as_str()
            .unwrap()
            .contains("US and Canadian")
    );
    assert_eq!(find("email", "nophone@example.com")["textable"], false);
    let toronto = find("phone", "+14165550199");
    assert_eq!(
        (
            toronto["textable"].as_bool(),
            toronto["first_name"].as_str()
        ),
        (Some(true), Some("Lin"))
    );

    let searched: Value = app
        .get("/api/v1/contacts?q=lin", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(searched["items"].as_array().unwrap().len(), 1);
}

async fn carts_are_abandoned_once_per_activity_period_and_recovered_by_orders(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    post_event(&app, &owner, &checkout("e1", "cart-1", 0, "178.00")).await;
    assert_eq!(
        abandon_at(&app, 59),
        0,
        "not yet: the default delay is 60 minutes"
    );
    assert_eq!(abandon_at(&app, 61), 1);
    assert_eq!(abandon_at(&app, 62), 0, "exactly once per activity period");
    assert_eq!(
        only_contact(&app, &owner).await["carts"][0]["status"],
        "abandoned"
    );

    // Back in the cart: a new period, which can be abandoned again.
    post_event(&app, &owner, &checkout("e2", "cart-1", 70, "200.00")).await;
    assert_eq!(
        only_contact(&app, &owner).await["carts"][0]["status"],
        "open"
    );
    assert_eq!(abandon_at(&app, 120), 0);
    assert_eq!(abandon_at(&app, 131), 1);

    // An order from the same customer, without the platform naming the cart, recovers it.
    post_event(
        &app,
        &owner,
        &order("e3", "order.placed", "ord-1", 200, None),
    )
    .await;
    let detail = only_contact(&app, &owner).await;
    let cart = &detail["carts"][0];
    assert_eq!(cart["status"], "recovered");
    assert_eq!(cart["order_id"], detail["orders"][0]["id"]);
    assert_eq!(detail["orders"][0]["cart_id"], cart["id"]);
    assert_eq!(abandon_at(&app, 400), 0);
}

async fn an_order_for_an_open_cart_converts_it_and_week_old_carts_expire(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    post_event(&app, &owner, &checkout("e1", "cart-1", 0, "10.00")).await;
    post_event(
        &app,
        &owner,
        &order("e2", "order.placed", "ord-1", 20, Some("cart-1")),
    )
    .await;
    post_event(&app, &owner, &checkout("e3", "cart-2", 30, "20.00")).await;
    assert_eq!(
        abandon_at(&app, 8 * 24 * 60),
        1,
        "cart-2 is abandoned; cart-1 was ordered"
    );
    let carts = only_contact(&app, &owner).await["carts"].clone();
    let status = |id: &str| {
        carts
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["external_id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("cart-1"), "converted");
    assert_eq!(status("cart-2"), "expired", "a week without activity");
}

async fn batches_report_each_event(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let mut invalid = checkout("b3", "cart-3", 0, "1.00");
    invalid["cart"]["currency"] = json!("usd");
    // Once, such an event overflowed the date arithmetic of the whole commit it was in.
    let mut end_of_time = checkout("b4", "cart-4", 0, "1.00");
    end_of_time["occurred_at"] = json!("+262142-12-31T23:59:59Z");
    let events = json!({"events": [checkout("b1", "cart-1", 0, "1.00"), checkout("b1", "cart-1", 0, "1.00"), invalid, {"type": "nope"}, end_of_time]});
    let response = app
        .post("/api/v1/events/batch", Some(&owner.token), &events)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let results: Value = response.json().await.unwrap();
    let statuses: Vec<&str> = results["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["accepted", "duplicate", "rejected", "rejected", "rejected"]
    );
    assert_eq!(results["results"][4]["errors"][0]["field"], "occurred_at");
    assert_eq!(results["results"][2]["errors"][0]["field"], "cart.currency");

    let too_many = json!({"events": vec![checkout("x", "c", 0, "1.00"); 501]});
    let refused = problem(
        app.post("/api/v1/events/batch", Some(&owner.token), &too_many)
            .await,
        422,
    )
    .await;
    assert_eq!(refused.errors[0].field, "events");
    problem(
        app.post(
            "/api/v1/events/batch",
            Some(&owner.token),
            &json!({"events": []}),
        )
        .await,
        422,
    )
    .await;
    let detail = only_contact(&app, &owner).await;
    assert_eq!(
        detail["carts"].as_array().unwrap().len(),
        1,
        "only the valid event was stored"
    );
}

async fn events_need_the_events_scope(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let (_, read_only) = app.create_key(&owner, &["read", "write"]).await;
    let (_, platform) = app.create_key(&owner, &["events"]).await;
    problem(
        app.post(
            "/api/v1/events",
            Some(&read_only),
            &checkout("k1", "c", 0, "1.00"),
        )
        .await,
        403,
    )
    .await;
    let accepted = app
        .post(
            "/api/v1/events",
            Some(&platform),
            &checkout("k1", "c", 0, "1.00"),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
}

async fn another_stores_contact_is_not_found(app: TestApp) {
    let maple = app.signup("owner@maple.example").await;
    let birch = app.signup("owner@birch.example").await;
    post_event(&app, &maple, &checkout("e1", "cart-1", 0, "1.00")).await;
    let id = only_contact(&app, &maple).await["contact"]["id"].clone();
    problem(
        app.get(&format!("/api/v1/contacts/{id}"), &birch.token)
            .await,
        404,
    )
    .await;
    let theirs: Value = app
        .get("/api/v1/contacts", &birch.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["items"], json!([]));
    // The same event id in another store is that store's own event.
    let (status, _) = post_event(&app, &birch, &checkout("e1", "cart-1", 0, "1.00")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

async fn concurrent_events_for_one_new_customer_make_one_contact_and_one_cart(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let deliveries: Vec<_> = (0..8)
        .map(|i| {
            let request = app
                .request(reqwest::Method::POST, "/api/v1/events", Some(&owner.token))
                .json(&checkout(&format!("race-{i}"), "cart-1", i, "10.00"));
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    for delivery in deliveries {
        assert_eq!(delivery.await.unwrap(), StatusCode::ACCEPTED);
    }
    let detail = only_contact(&app, &owner).await;
    assert_eq!(detail["carts"].as_array().unwrap().len(), 1);
}

/// A platform often sends two events about one cart or order together (Shopify's
/// orders/updated beside orders/fulfilled). Whichever is applied first, the newer state wins:
/// a checkout older than the order never reopens its cart (which would send reminders to a
/// customer who has ordered), and an older update never takes back a shipment.
async fn events_for_one_cart_or_order_posted_at_once_apply_in_time_order(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let at_once = |events: [Value; 2]| {
        let requests = events.map(|event| {
            app.request(reqwest::Method::POST, "/api/v1/events", Some(&owner.token))
                .json(&event)
                .send()
        });
        async move {
            let [a, b] = requests;
            let (a, b) = tokio::join!(a, b);
            for response in [a, b] {
                assert_eq!(response.unwrap().status(), StatusCode::ACCEPTED);
            }
        }
    };
    const ROUNDS: i64 = 12;
    for round in 0..ROUNDS {
        let (cart, shipped) = (format!("cart-{round}"), format!("ord-{round}"));
        let minute = round * 10;
        post_event(
            &app,
            &owner,
            &checkout(&format!("c{round}"), &cart, minute, "10.00"),
        )
        .await;
        let placed = order(
            &format!("p{round}"),
            "order.placed",
            &shipped,
            minute + 1,
            None,
        );
        post_event(&app, &owner, &placed).await;
        at_once([
            order(
                &format!("o{round}"),
                "order.placed",
                &format!("from-{cart}"),
                minute + 5,
                Some(&cart),
            ),
            checkout(&format!("c{round}-late"), &cart, minute + 3, "12.00"),
        ])
        .await;
        at_once([
            order(
                &format!("s{round}"),
                "order.shipped",
                &shipped,
                minute + 8,
                None,
            ),
            order(
                &format!("u{round}"),
                "order.updated",
                &shipped,
                minute + 6,
                None,
            ),
        ])
        .await;
    }
    let detail = only_contact(&app, &owner).await;
    let carts = detail["carts"].as_array().unwrap();
    assert_eq!(carts.len(), ROUNDS as usize);
    for cart in carts {
        assert_eq!(cart["status"], "converted", "{cart}");
        assert!(!cart["order_id"].is_null(), "{cart}");
    }
    let shipments: Vec<&Value> = detail["orders"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["external_id"].as_str().unwrap().starts_with("ord-"))
        .collect();
    assert_eq!(shipments.len(), ROUNDS as usize);
    for order in shipments {
        assert_eq!(
            (&order["status"], &order["tracking_number"]),
            (&json!("shipped"), &json!("1Z999")),
            "{order}"
        );
    }
}

async fn post_batch(app: &TestApp, session: &Session, events: &[Value]) -> Vec<String> {
    let response = app
        .post(
            "/api/v1/events/batch",
            Some(&session.token),
            &json!({ "events": events }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap().to_owned())
        .collect()
}

/// The `status` of each item of a list (an order's timeline, a consent history).
fn statuses(list: &Value) -> Vec<&Value> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| &item["status"])
        .collect()
}

/// What a store knows about its only contact, without ids and clock times.
async fn known_state(app: &TestApp, session: &Session) -> Value {
    let detail = only_contact(app, session).await;
    let mut carts: Vec<Value> = detail["carts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            json!([
                c["external_id"],
                c["status"],
                c["total"],
                c["last_activity_at"],
                c["order_id"].is_null()
            ])
        })
        .collect();
    carts.sort_by_key(|c| c[0].as_str().unwrap().to_owned());
    let orders: Vec<Value> = detail["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let timeline = statuses(&o["timeline"]);
            json!([
                o["external_id"],
                o["status"],
                o["total"],
                o["tracking_number"],
                o["cart_id"].is_null(),
                timeline
            ])
        })
        .collect();
    let consent = statuses(&detail["consent_history"]);
    let contact = &detail["contact"];
    json!({
        "contact": [contact["phone"], contact["email"], contact["first_name"], contact["sms_consent"]],
        "consent": consent, "carts": carts, "orders": orders,
    })
}

/// A batch (applied set by set) repeats customers, carts and orders, holds a late event,
/// repeats an id and resends one already stored: outcomes and state are those of the same
/// events posted one at a time.
async fn a_batch_leaves_the_state_that_the_same_events_one_by_one_leave(app: TestApp) {
    let mut denied = checkout("e4", "cart-2", 25, "30.00");
    denied["customer"]["sms_consent"] = json!({"status": "denied", "source": "checkout"});
    let events = [
        checkout("e1", "cart-1", 0, "10.00"),
        checkout("e2", "cart-1", 10, "20.00"),
        checkout("e3", "cart-1", 5, "5.00"),
        order("o1", "order.placed", "ord-1", 20, Some("cart-1")),
        denied,
        order("o2", "order.shipped", "ord-1", 30, None),
        checkout("e2", "cart-1", 10, "20.00"),
        order("o3", "order.updated", "ord-1", 25, None),
        order("o4", "order.placed", "ord-2", 40, None),
    ];
    let expected = [
        "accepted",
        "accepted",
        "stale",
        "accepted",
        "accepted",
        "accepted",
        "duplicate",
        "stale",
        "accepted",
    ];

    let one_by_one = app.signup("one@maple.example").await;
    let mut outcomes = Vec::new();
    for event in &events {
        outcomes.push(
            post_event(&app, &one_by_one, event).await.1["status"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(outcomes, expected);

    let batched = app.signup("batch@maple.example").await;
    // One event is already stored: the batch answers it `duplicate` and changes nothing.
    post_event(&app, &batched, &events[0]).await;
    let outcomes = post_batch(&app, &batched, &events).await;
    let mut expected_batch = expected.map(str::to_owned).to_vec();
    expected_batch[0] = "duplicate".into();
    assert_eq!(outcomes, expected_batch);

    let state = known_state(&app, &batched).await;
    assert_eq!(state, known_state(&app, &one_by_one).await);
    assert_eq!(state["consent"], json!(["granted", "denied"]));
    assert_eq!(
        state["carts"],
        json!([
            [
                "cart-1",
                "converted",
                "20.00",
                "2026-06-01T10:10:00Z",
                false
            ],
            [
                "cart-2",
                "converted",
                "30.00",
                "2026-06-01T10:25:00Z",
                false
            ]
        ]),
        "ord-2 names no cart: it closes the customer's latest one waiting"
    );
    assert_eq!(state["orders"].as_array().unwrap().len(), 2, "{state}");
}

/// Two events of a batch name different phones, but the second customer's email is the
/// first's contact: as one by one, both merge into that contact, in order.
async fn a_batch_whose_customers_turn_out_to_be_one_contact_merges_them_in_order(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let customer = |id: &str, minutes: i64, customer: Value| json!({"id": id, "type": "customer.updated", "occurred_at": at(minutes), "customer": customer});
    post_event(
        &app,
        &owner,
        &customer(
            "c0",
            0,
            json!({"phone": "+14155550123", "email": "ada@example.com"}),
        ),
    )
    .await;
    let outcomes = post_batch(
        &app,
        &owner,
        &[
            customer(
                "c1",
                1,
                json!({"phone": "+14155550123", "first_name": "Ada",
                "sms_consent": {"status": "granted", "source": "checkout"}}),
            ),
            customer(
                "c2",
                2,
                json!({"phone": "+14155550199", "email": "ada@example.com", "first_name": "Augusta",
                "sms_consent": {"status": "denied", "source": "checkout"}}),
            ),
        ],
    )
    .await;
    assert_eq!(outcomes, ["accepted", "accepted"]);
    let detail = only_contact(&app, &owner).await;
    assert_eq!(
        detail["contact"]["phone"], "+14155550123",
        "a phone is never replaced"
    );
    assert_eq!(
        detail["contact"]["first_name"], "Augusta",
        "the later event wins"
    );
    assert_eq!(detail["contact"]["sms_consent"], "denied");
    let history: Vec<&str> = detail["consent_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["granted", "denied"]);
}

/// A cart event with the checkout completed (paid).
fn paid(mut checkout: Value) -> Value {
    checkout["cart"]["completed"] = json!(true);
    checkout
}

fn time_of(value: &Value) -> NaiveDateTime {
    value
        .as_str()
        .unwrap()
        .parse::<DateTime<Utc>>()
        .unwrap()
        .naive_utc()
}

/// A store's order is often heard of days after its checkout was paid (Shopify retries its
/// order webhook for two days, or the order does not name the checkout): the paid checkout
/// must not be taken for an abandoned one meanwhile.
async fn a_completed_checkout_is_never_abandoned_and_its_late_order_converts_it(app: TestApp) {
    let (owner, _) = dispatch::store_with_flow(&app, [60, 1440]).await;
    let phone = "+14155550123";
    let start = dispatch::utc(16, 0);
    let checkout = |id: &str, minutes: i64| {
        dispatch::checkout(id, "cart-1", phone, start + Duration::minutes(minutes))
    };
    dispatch::post(&app, &owner, &checkout("e1", 0)).await;
    dispatch::post(&app, &owner, &paid(checkout("e2", 5))).await;
    // A later update of the paid checkout does not reopen it.
    dispatch::post(&app, &owner, &checkout("e3", 10)).await;
    assert_eq!(dispatch::abandon(&app, start + Duration::days(2)), 0);
    assert!(
        dispatch::outbox_rows(&app).is_empty(),
        "no reminder scheduled"
    );
    assert_eq!(
        dispatch::pass(&app, start + Duration::days(2))
            .await
            .claimed,
        0
    );
    assert!(dispatch::simulator(&app).sent().is_empty());
    assert_eq!(
        only_contact(&app, &owner).await["carts"][0]["status"],
        "completed"
    );

    // The order names no cart: it closes the customer's paid checkout.
    let placed = dispatch::order("o1", "order.placed", None, start + Duration::minutes(6));
    dispatch::post(&app, &owner, &placed).await;
    let detail = only_contact(&app, &owner).await;
    let cart = &detail["carts"][0];
    assert_eq!(cart["status"], "converted", "{cart}");
    assert_eq!(cart["order_id"], detail["orders"][0]["id"]);
    assert_eq!(detail["orders"][0]["cart_id"], cart["id"]);
}

/// The customer pays after a reminder: the flow's other steps must not follow.
async fn completing_an_abandoned_checkout_cancels_its_reminders(app: TestApp) {
    let (owner, _) = dispatch::store_with_flow(&app, [60, 1440]).await;
    let phone = "+14155550123";
    dispatch::post(
        &app,
        &owner,
        &dispatch::checkout("e1", "cart-1", phone, dispatch::utc(16, 0)),
    )
    .await;
    assert_eq!(dispatch::abandon(&app, dispatch::utc(17, 0)), 1);
    assert_eq!(dispatch::pass(&app, dispatch::utc(18, 0)).await.sent, 1);

    let completed = dispatch::checkout("e2", "cart-1", phone, dispatch::utc(18, 30));
    dispatch::post(&app, &owner, &paid(completed)).await;
    assert_eq!(
        dispatch::outbox_rows(&app)[1],
        ("cancelled".into(), Some("checkout completed".into()))
    );
    assert_eq!(
        only_contact(&app, &owner).await["carts"][0]["status"],
        "completed"
    );
    let next_day = dispatch::pass(&app, dispatch::utc(17, 0) + Duration::days(1)).await;
    assert_eq!(next_day.claimed, 0);
    assert_eq!(dispatch::simulator(&app).sent().len(), 1);
    assert_eq!(
        dispatch::abandon(&app, dispatch::utc(17, 0) + Duration::days(1)),
        0
    );

    // Its order, when it comes, counts the cart as won back.
    let placed = dispatch::order("o1", "order.placed", Some("cart-1"), dispatch::utc(18, 25));
    dispatch::post(&app, &owner, &placed).await;
    assert_eq!(
        only_contact(&app, &owner).await["carts"][0]["status"],
        "recovered"
    );
}

/// Shopify may deliver `fulfillments/create` (no customer, total or checkout) before
/// `orders/create`: the order placed earlier but heard of later still brings what the order
/// lacks, without undoing the shipment.
async fn an_order_heard_of_first_by_its_shipment_gets_its_total_cart_and_credit_late(app: TestApp) {
    let (owner, campaign) = dispatch::store_with_flow(&app, [60, 1440]).await;
    dispatch::post(
        &app,
        &owner,
        &dispatch::checkout("e1", "cart-1", "+14155550123", dispatch::utc(16, 0)),
    )
    .await;
    assert_eq!(dispatch::abandon(&app, dispatch::utc(17, 0)), 1);
    assert_eq!(dispatch::pass(&app, dispatch::utc(18, 0)).await.sent, 1);

    let shipped = json!({
        "id": "s1", "type": "order.shipped", "occurred_at": dispatch::utc(19, 30).and_utc().to_rfc3339(),
        "order": {"id": "order-1", "tracking_number": "1ZSHIP"}
    });
    dispatch::post(&app, &owner, &shipped).await;
    let placed = dispatch::order("p1", "order.placed", Some("cart-1"), dispatch::utc(19, 0));
    let (_, late) = post_event(&app, &owner, &placed).await;
    assert_eq!(late["status"], "stale", "older than the shipment");

    let detail = only_contact(&app, &owner).await;
    let order = &detail["orders"][0];
    assert_eq!(
        (
            &order["status"],
            &order["tracking_number"],
            &order["total"],
            &order["currency"],
            &order["number"],
        ),
        (
            &json!("shipped"),
            &json!("1ZSHIP"),
            &json!("178.00"),
            &json!("USD"),
            &json!("#1001")
        ),
        "{order}"
    );
    assert_eq!(time_of(&order["placed_at"]), dispatch::utc(19, 0));
    let cart = &detail["carts"][0];
    assert_eq!(cart["status"], "recovered", "{cart}");
    assert_eq!(cart["order_id"], order["id"]);
    assert_eq!(order["cart_id"], cart["id"]);
    assert_eq!(
        dispatch::outbox_rows(&app)[1],
        ("cancelled".into(), Some("cart recovered".into()))
    );

    // Placed an hour after the reminder: the reminder gets the credit, with the order's total.
    let results = dispatch::campaign_results(&app, &owner, campaign).await;
    assert_eq!(results["steps"][0]["orders"], 1, "{results}");
    assert_eq!(results["steps"][0]["revenue_cents"], 17800, "{results}");
}

/// Applies one event as a group whose events meet on one row is applied (and the demo's
/// history is): event by event. Returns its outcome.
fn apply_alone(app: &TestApp, store_id: i64, event: &Value) -> String {
    let request = serde_json::from_value(event.clone()).unwrap();
    let ingest::Judged::Valid(pending) =
        ingest::judge(ingest::Source::Api, request, event.to_string())
    else {
        panic!("invalid: {event}");
    };
    let mut conn = app.state.pool.get().unwrap();
    let outcomes =
        ingest::apply_at(&mut conn, store_id, &[*pending], Utc::now().naive_utc()).unwrap();
    serde_json::to_value(outcomes[0])
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

/// Completed checkouts (one completed by an event older than its last activity) and an order
/// whose placement arrives after its shipment: set by set as requests are applied, and event
/// by event, the same outcomes and the same state.
async fn completions_and_late_details_leave_the_same_state_event_by_event(app: TestApp) {
    let by_request = app.signup("requests@maple.example").await;
    let alone = app.signup("alone@maple.example").await;
    let shipped = json!({"id": "s1", "type": "order.shipped", "occurred_at": at(200),
        "order": {"id": "ord-1", "tracking_number": "1ZSHIP"}});
    enum Step {
        Event(Value),
        AbandonAt(i64, usize),
        CartsAre([&'static str; 2]),
    }
    let steps = [
        Step::Event(checkout("e1", "cart-1", 0, "10.00")),
        Step::Event(checkout("e2", "cart-2", 0, "20.00")),
        Step::Event(checkout("e3", "cart-2", 30, "25.00")),
        Step::AbandonAt(95, 4),
        Step::Event(paid(checkout("e4", "cart-1", 100, "10.00"))),
        // Older than the cart's last activity: its contents stay, but it is paid.
        Step::Event(paid(checkout("e5", "cart-2", 20, "20.00"))),
        Step::CartsAre(["completed", "completed"]),
        // Heard of first by its cancellation: it closes neither cart waiting for its order.
        Step::Event(order("x1", "order.cancelled", "ord-3", 140, None)),
        Step::Event(shipped),
        Step::Event(order("o1", "order.placed", "ord-1", 150, Some("cart-1"))),
        Step::CartsAre(["recovered", "completed"]),
        Step::Event(order("o2", "order.placed", "ord-2", 160, None)),
        // Placed again (WooCommerce: saved again while processing): an update.
        Step::Event(order("o3", "order.placed", "ord-2", 170, None)),
        Step::AbandonAt(8 * 24 * 60, 0),
    ];
    let mut outcomes = Vec::new();
    for step in &steps {
        match step {
            Step::Event(event) => {
                let (_, answer) = post_event(&app, &by_request, event).await;
                let by_request = answer["status"].as_str().unwrap().to_owned();
                assert_eq!(
                    by_request,
                    apply_alone(&app, alone.store_id, event),
                    "{event}"
                );
                outcomes.push(by_request);
            }
            Step::AbandonAt(minutes, count) => assert_eq!(abandon_at(&app, *minutes), *count),
            Step::CartsAre(statuses) => {
                for store in [&by_request, &alone] {
                    let carts = known_state(&app, store).await["carts"].clone();
                    let now: Vec<&str> = carts
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| c[1].as_str().unwrap())
                        .collect();
                    assert_eq!(now, statuses, "{carts}");
                }
            }
        }
    }
    assert_eq!(
        outcomes,
        [
            "accepted", "accepted", "accepted", "accepted", "stale", "accepted", "accepted",
            "stale", "accepted", "accepted"
        ]
    );

    let state = known_state(&app, &by_request).await;
    assert_eq!(state, known_state(&app, &alone).await);
    assert_eq!(
        state["carts"],
        json!([
            [
                "cart-1",
                "recovered",
                "10.00",
                "2026-06-01T11:40:00Z",
                false
            ],
            [
                "cart-2",
                "recovered",
                "25.00",
                "2026-06-01T10:30:00Z",
                false
            ]
        ]),
        "{state}"
    );
    assert_eq!(
        state["orders"],
        json!([
            [
                "ord-2",
                "updated",
                "178.00",
                null,
                false,
                ["placed", "updated"]
            ],
            ["ord-1", "shipped", "178.00", "1ZSHIP", false, ["shipped"]],
            ["ord-3", "cancelled", "178.00", null, true, ["cancelled"]]
        ]),
        "{state}"
    );
}

/// An order first heard of by its cancellation (no earlier event for it) was never confirmed
/// to its customer (say, one never paid, which the platform cancelled itself): it is kept
/// with its timeline, but its cancellation is not texted, the reminder the customer got is
/// not credited with it, and it closes no cart, even one it names.
async fn an_order_first_heard_of_by_its_cancellation_is_not_texted_or_credited(app: TestApp) {
    let (owner, campaign) = dispatch::store_with_flow(&app, [60, 1440]).await;
    let updates = json!({"kind": "order_update", "name": "Updates",
        "order_statuses": ["placed", "cancelled"],
        "steps": [{"delay_minutes": 0, "body": "Order {{ order_number }} is {{ order_status }}."}]});
    dispatch::activate(&app, &owner, &updates).await;
    let phone = "+14155550123";
    let abandoned = dispatch::checkout("e1", "cart-1", phone, dispatch::utc(16, 0));
    dispatch::post(&app, &owner, &abandoned).await;
    assert_eq!(dispatch::abandon(&app, dispatch::utc(17, 0)), 1);
    assert_eq!(dispatch::pass(&app, dispatch::utc(18, 0)).await.sent, 1);
    let reminders = dispatch::outbox_rows(&app);

    // An hour after the reminder, then one recent enough to be texted, were it news.
    let cancelled = dispatch::order("c1", "order.cancelled", None, dispatch::utc(19, 0));
    let recent = json!({
        "id": "c2", "type": "order.cancelled",
        "occurred_at": (Utc::now() - Duration::minutes(1)).to_rfc3339(),
        "customer": {"phone": phone},
        "order": {"id": "order-2", "number": "#1002", "total": "20.00", "currency": "USD",
            "cart_id": "cart-1"}
    });
    for event in [&cancelled, &recent] {
        let (status, answer) = post_event(&app, &owner, event).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        assert_eq!(answer["status"], "accepted", "{answer}");
    }

    let detail = only_contact(&app, &owner).await;
    let orders: Vec<Value> = detail["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let timeline = statuses(&o["timeline"]);
            json!([o["external_id"], o["status"], o["cart_id"], timeline])
        })
        .collect();
    assert_eq!(
        orders,
        [
            json!(["order-2", "cancelled", null, ["cancelled"]]),
            json!(["order-1", "cancelled", null, ["cancelled"]])
        ]
    );
    assert_eq!(detail["carts"][0]["status"], "abandoned");
    assert_eq!(
        dispatch::outbox_rows(&app),
        reminders,
        "no text scheduled, none cancelled"
    );
    let results = dispatch::campaign_results(&app, &owner, campaign).await;
    assert_eq!(results["total"]["orders"], 0, "{results}");
    assert_eq!(results["total"]["revenue_cents"], 0, "{results}");
}

/// The examples of `POST /api/v1/events` in the served spec are what integrators copy: each is
/// accepted as written, one of every type, and together they leave what they describe.
async fn the_documented_examples_are_accepted_as_written(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let spec: Value = app
        .http
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let examples = spec["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]
        ["application/json"]["examples"]
        .as_object()
        .expect("examples");
    let mut events: Vec<&Value> = examples.values().map(|e| &e["value"]).collect();
    events.sort_by_key(|e| e["occurred_at"].as_str().unwrap().to_owned());
    let mut types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    for event in &events {
        let (status, body) = post_event(&app, &owner, event).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{event}: {body}");
        assert_eq!(body["status"], "accepted", "{event}");
    }
    types.sort_unstable();
    types.dedup();
    assert_eq!(
        types,
        [
            "cart.updated",
            "checkout.updated",
            "customer.updated",
            "order.cancelled",
            "order.on_hold",
            "order.placed",
            "order.shipped",
            "order.updated",
        ]
    );

    let detail = only_contact(&app, &owner).await;
    assert_eq!(detail["contact"]["last_name"], "Lovelace");
    assert_eq!(detail["contact"]["sms_consent"], "denied");
    assert_eq!(
        statuses(&detail["consent_history"]),
        [&json!("granted"), &json!("denied")]
    );
    // Ordered before it was abandoned: converted, not recovered.
    assert_eq!(detail["carts"][0]["status"], "converted");
    let shipped = detail["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["number"] == "#1001")
        .expect("order #1001");
    assert_eq!(shipped["status"], "shipped");
    assert_eq!(shipped["tracking_number"], "1Z999AA10123456784");
    assert_eq!(shipped["total"], "178.00");
}

/// Shopify retries `orders/create` for up to 48 hours: an order can arrive after its cart was
/// found abandoned, though it was placed before. Nothing was recovered: the cart converted.
async fn an_order_placed_before_its_cart_was_found_abandoned_converts_it(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    post_event(&app, &owner, &checkout("e1", "cart-1", 0, "178.00")).await;
    assert_eq!(abandon_at(&app, 61), 1);
    let late = order("e2", "order.placed", "ord-1", 30, Some("cart-1"));
    post_event(&app, &owner, &late).await;
    let cart = &only_contact(&app, &owner).await["carts"][0];
    assert_eq!(cart["status"], "converted");
    assert_eq!(cart["recovered_at"], Value::Null);

    // Placed after the abandonment (the platform naming no cart): recovered, as ever.
    post_event(&app, &owner, &checkout("e3", "cart-2", 100, "89.00")).await;
    assert_eq!(abandon_at(&app, 161), 1);
    post_event(
        &app,
        &owner,
        &order("e4", "order.placed", "ord-2", 170, None),
    )
    .await;
    let detail = only_contact(&app, &owner).await;
    let carts = detail["carts"].as_array().unwrap();
    let second = carts.iter().find(|c| c["total"] == "89.00").unwrap();
    assert_eq!(second["status"], "recovered");
}
