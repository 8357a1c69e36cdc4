//! The inbox API: threads (order, filters, search, paging), messages, the customer beside
//! them, and replies from the store's number through the dispatcher.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use textback_api::db;
use textback_tests::{Session, TestApp, on_both_databases, problem};

use crate::dispatch::{activate, checkout, order, pass, post, simulator, utc};
use crate::numbers::stocked_area_code;

on_both_databases!(
    threads_come_most_recent_first_with_filters_search_and_pages,
    a_reply_goes_out_from_the_store_number_once_per_idempotency_key,
    replies_to_an_opted_out_customer_are_refused,
    the_customer_is_beside_the_conversation,
    another_stores_thread_is_not_found_and_bad_input_is_refused,
    a_customer_is_found_by_their_full_name,
    a_name_is_found_whatever_the_case_of_its_accented_letters,
    a_customer_who_texted_stop_is_not_left_waiting,
    a_text_recorded_late_does_not_hide_a_newer_one,
    a_campaign_text_does_not_answer_the_customer,
    a_keyword_confirmation_answers_only_the_keyword,
    the_migration_finds_who_is_waiting_as_the_inbox_does,
    closing_a_conversation_ends_the_wait,
);

const ADA: &str = "+14155550123";
const BOB: &str = "+14155550124";

pub(crate) async fn store(app: &TestApp) -> (Session, String) {
    let owner = app.signup("owner@maple.example").await;
    let number = app.reserve_any(&owner, stocked_area_code()).await;
    (owner, number["phone_number"].as_str().unwrap().to_owned())
}

pub(crate) async fn text_in(app: &TestApp, store_number: &str, from: &str, sid: &str, body: &str) {
    let params = [
        ("MessageSid", sid),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", from),
        ("To", store_number),
        ("Body", body),
    ];
    let response = app
        .post_twilio_webhook("/webhooks/twilio/sms", &params, None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

async fn threads(app: &TestApp, owner: &Session, query: &str) -> Value {
    let response = app
        .get(&format!("/api/v1/threads{query}"), &owner.token)
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.unwrap()
}

fn phones(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["phone"].as_str().unwrap())
        .collect()
}

async fn reply(
    app: &TestApp,
    owner: &Session,
    thread: &Value,
    body: &str,
    key: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .request(
            Method::POST,
            &format!("/api/v1/threads/{thread}/messages"),
            Some(&owner.token),
        )
        .json(&json!({ "body": body }));
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.unwrap()
}

async fn threads_come_most_recent_first_with_filters_search_and_pages(app: TestApp) {
    let (owner, number) = store(&app).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "Is the sweater in medium?",
    )
    .await;
    text_in(
        &app,
        &number,
        BOB,
        "SM00000000000000000000000000000b01",
        "Where is my order?",
    )
    .await;
    let all = threads(&app, &owner, "").await;
    assert_eq!(phones(&all), [BOB, ADA], "most recent first");
    assert_eq!(all["items"][0]["unread_count"], 1);
    assert_eq!(all["items"][0]["snippet"], "Where is my order?");
    assert!(all["items"][0]["waiting_since"].is_string());

    // Answering Ada: she is no longer waiting, and her thread moves to the top.
    let ada = &all["items"][1]["id"];
    assert_eq!(
        reply(&app, &owner, ada, "Yes, in stock!", None)
            .await
            .status(),
        StatusCode::CREATED
    );
    assert_eq!(phones(&threads(&app, &owner, "").await), [ADA, BOB]);
    assert_eq!(
        phones(&threads(&app, &owner, "?filter=awaiting_reply").await),
        [BOB]
    );
    assert_eq!(
        phones(&threads(&app, &owner, "?filter=unread").await),
        [BOB]
    );
    // However the number is written.
    assert_eq!(phones(&threads(&app, &owner, "?q=555-0124").await), [BOB]);
    assert_eq!(
        phones(&threads(&app, &owner, "?q=(415)%20555-0124").await),
        [BOB]
    );

    // Paging is stable: page two starts after page one's last thread.
    let first = threads(&app, &owner, "?limit=1").await;
    assert_eq!(phones(&first), [ADA]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = threads(&app, &owner, &format!("?limit=1&cursor={cursor}")).await;
    assert_eq!(phones(&second), [BOB]);
    assert!(second["next_cursor"].is_null());

    text_in(
        &app,
        &number,
        BOB,
        "SM00000000000000000000000000000b02",
        "STOP",
    )
    .await;
    let opted_out = threads(&app, &owner, "?filter=opted_out").await;
    assert_eq!(phones(&opted_out), [BOB]);
    assert_eq!(opted_out["items"][0]["opted_out"], true);

    let bob = &opted_out["items"][0]["id"];
    let read: Value = app
        .request(
            Method::POST,
            &format!("/api/v1/threads/{bob}/read"),
            Some(&owner.token),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["unread_count"], 0);

    // Closed by the merchant, reopened by the customer's next text.
    let closed: Value = app
        .request(
            Method::POST,
            &format!("/api/v1/threads/{ada}/close"),
            Some(&owner.token),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(closed["closed"], true);
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a02",
        "One more question",
    )
    .await;
    let ada_thread: Value = app
        .get(&format!("/api/v1/threads/{ada}"), &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ada_thread["closed"], false);
}

async fn a_reply_goes_out_from_the_store_number_once_per_idempotency_key(app: TestApp) {
    let (owner, number) = store(&app).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "Do you ship to Canada?",
    )
    .await;
    let thread = threads(&app, &owner, "").await["items"][0]["id"].clone();
    let first = reply(
        &app,
        &owner,
        &thread,
        "We do, in 3 to 5 days.",
        Some("reply-1"),
    )
    .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["kind"], "manual");
    assert_eq!(first["status"], "queued");
    let again: Value = reply(
        &app,
        &owner,
        &thread,
        "We do, in 3 to 5 days.",
        Some("reply-1"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(again["id"], first["id"], "the same key is the same reply");

    // Replies are conversational: they go at night too.
    let night = db::now() + Duration::hours(12);
    assert_eq!(pass(&app, night).await.sent, 1);
    let sent = simulator(&app).sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].from.as_str(), sent[0].to.as_str()),
        (number.as_str(), ADA)
    );
    assert_eq!(sent[0].body, "We do, in 3 to 5 days.");

    let messages: Value = app
        .get(&format!("/api/v1/threads/{thread}/messages"), &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let items = messages["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["kind"], "manual");
    assert_eq!(items[0]["status"], "delivered");
    assert!(items[0]["sent_at"].is_string());
    assert_eq!(items[1]["kind"], "customer");
    assert_eq!(items[1]["direction"], "inbound");
}

async fn replies_to_an_opted_out_customer_are_refused(app: TestApp) {
    let (owner, number) = store(&app).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "Unsubscribe",
    )
    .await;
    let thread = threads(&app, &owner, "").await["items"][0]["id"].clone();
    let refused = problem(
        reply(&app, &owner, &thread, "Sorry to see you go", None).await,
        409,
    )
    .await;
    assert!(refused.detail.contains("opted out"), "{}", refused.detail);
    // Only the opt-out confirmation goes out.
    assert_eq!(pass(&app, db::now() + Duration::seconds(1)).await.sent, 1);
    assert!(
        simulator(&app).sent()[0]
            .body
            .contains("You're unsubscribed")
    );
}

async fn the_customer_is_beside_the_conversation(app: TestApp) {
    let (owner, number) = store(&app).await;
    post(&app, &owner, &checkout("e1", "cart-1", ADA, utc(16, 0))).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "Is my cart saved?",
    )
    .await;
    let thread = threads(&app, &owner, "").await["items"][0].clone();
    assert_eq!(thread["name"], "Ada");
    let context: Value = app
        .get(
            &format!("/api/v1/threads/{}/context", thread["id"]),
            &owner.token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(context["contact"]["phone"], ADA);
    assert_eq!(context["contact"]["sms_consent"], "granted");
    assert_eq!(
        context["carts"][0]["recovery_url"],
        "https://shop.example.com/cart/cart-1"
    );
}

async fn another_stores_thread_is_not_found_and_bad_input_is_refused(app: TestApp) {
    let (owner, number) = store(&app).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "Hello",
    )
    .await;
    let thread = threads(&app, &owner, "").await["items"][0]["id"].clone();
    let other = app.signup("other@store.example").await;
    for path in ["", "/messages", "/context"] {
        let response = app
            .get(&format!("/api/v1/threads/{thread}{path}"), &other.token)
            .await;
        problem(response, 404).await;
    }
    problem(reply(&app, &other, &thread, "Hi", None).await, 404).await;
    assert_eq!(
        problem(reply(&app, &owner, &thread, "   ", None).await, 422)
            .await
            .errors[0]
            .field,
        "body"
    );
    let long = "x".repeat(2_000);
    problem(reply(&app, &owner, &thread, &long, None).await, 422).await;
    for query in ["?limit=0", "?cursor=nonsense", "?filter=everything"] {
        let response = app
            .get(&format!("/api/v1/threads{query}"), &owner.token)
            .await;
        assert!(response.status().is_client_error(), "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{query}"
        );
    }
    assert!(simulator(&app).sent().is_empty());
}

async fn waiting_phones(app: &TestApp, owner: &Session) -> Vec<String> {
    let page = threads(app, owner, "?filter=awaiting_reply").await;
    phones(&page).into_iter().map(str::to_owned).collect()
}

async fn a_customer_is_found_by_their_full_name(app: TestApp) {
    let (owner, number) = store(&app).await;
    let ada = json!({
        "id": "e1", "type": "checkout.updated", "occurred_at": utc(16, 0).and_utc().to_rfc3339(),
        "customer": {"phone": ADA, "first_name": "Ada", "last_name": "Lovelace"},
        "cart": {"id": "cart-1", "total": "10.00", "currency": "USD",
            "recovery_url": "https://shop.example.com/cart/cart-1"}
    });
    post(&app, &owner, &ada).await;
    let bob = json!({
        "id": "e2", "type": "checkout.updated", "occurred_at": utc(16, 0).and_utc().to_rfc3339(),
        "customer": {"phone": BOB, "first_name": "Ada", "last_name": "Byron"},
        "cart": {"id": "cart-2", "total": "10.00", "currency": "USD",
            "recovery_url": "https://shop.example.com/cart/cart-2"}
    });
    post(&app, &owner, &bob).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "Hi",
    )
    .await;
    text_in(
        &app,
        &number,
        BOB,
        "SM00000000000000000000000000000b01",
        "Hello",
    )
    .await;

    assert_eq!(phones(&threads(&app, &owner, "?q=ada").await), [BOB, ADA]);
    for query in [
        "Ada%20Lovelace",
        "ada%20%20lovelace",
        "%20Lovelace%20Ada%20",
    ] {
        assert_eq!(
            phones(&threads(&app, &owner, &format!("?q={query}")).await),
            [ADA],
            "{query}"
        );
    }
    // A number typed in pieces is still one number.
    assert_eq!(
        phones(&threads(&app, &owner, "?q=%2B1%20415%20555%200123").await),
        [ADA]
    );
    assert!(phones(&threads(&app, &owner, "?q=Ada%20Nobody").await).is_empty());
    // The contacts list searches the same way.
    let contacts: Value = app
        .get("/api/v1/contacts?q=lovelace%20%20ada", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let found: Vec<&Value> = contacts["items"].as_array().unwrap().iter().collect();
    assert_eq!(found.len(), 1, "{contacts}");
    assert_eq!(found[0]["phone"], ADA);
}

async fn a_customer_who_texted_stop_is_not_left_waiting(app: TestApp) {
    let (owner, number) = store(&app).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "Do you have it in blue?",
    )
    .await;
    assert_eq!(waiting_phones(&app, &owner).await, [ADA]);
    // The confirmation answers her: no reply is due, nor could one be sent.
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a02",
        "STOP",
    )
    .await;
    let thread = threads(&app, &owner, "").await["items"][0].clone();
    assert_eq!(thread["opted_out"], true);
    assert!(thread["waiting_since"].is_null(), "{thread}");
    assert!(waiting_phones(&app, &owner).await.is_empty());
    problem(
        reply(&app, &owner, &thread["id"], "Sorry!", None).await,
        409,
    )
    .await;
}

async fn a_text_recorded_late_does_not_hide_a_newer_one(app: TestApp) {
    let (owner, number) = store(&app).await;
    notify_shipments(&app, &owner).await;
    let shipped_at = db::now();
    post(&app, &owner, &order("e1", "order.placed", None, shipped_at)).await;
    post(
        &app,
        &owner,
        &order("e2", "order.shipped", None, shipped_at),
    )
    .await;
    let pass_started = db::now();
    // A dispatcher pass starts; Ada's text arrives while it works, before it writes its text
    // (which carries the time the pass started).
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "Can I still change the address?",
    )
    .await;
    assert_eq!(pass(&app, pass_started).await.sent, 1);
    let thread = threads(&app, &owner, "").await["items"][0].clone();
    assert_eq!(thread["snippet"], "Can I still change the address?");
    let inbound_at = first_inbound_at(&app, &owner, &thread["id"]).await;
    assert_eq!(thread["last_message_at"], inbound_at);
    assert_eq!(thread["waiting_since"], inbound_at);
}

/// An active "order shipped" notice, sent as soon as an order ships.
async fn notify_shipments(app: &TestApp, owner: &Session) {
    let shipped = json!({"kind": "order_shipped", "name": "Shipped",
        "steps": [{"delay_minutes": 0, "body": "Order {{ order_number }} is on its way"}]});
    activate(app, owner, &shipped).await;
}

/// The time of the thread's first text from the customer.
async fn first_inbound_at(app: &TestApp, owner: &Session, thread: &Value) -> Value {
    let messages: Value = app
        .get(&format!("/api/v1/threads/{thread}/messages"), &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let mut inbound: Vec<&Value> = messages["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "customer")
        .map(|m| &m["created_at"])
        .collect();
    inbound.sort_by_key(|at| at.as_str().unwrap().to_owned());
    inbound[0].clone()
}

async fn a_campaign_text_does_not_answer_the_customer(app: TestApp) {
    let (owner, number) = store(&app).await;
    notify_shipments(&app, &owner).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "Can I still change the address?",
    )
    .await;
    let at = db::now();
    post(&app, &owner, &order("e1", "order.placed", None, at)).await;
    post(&app, &owner, &order("e2", "order.shipped", None, at)).await;
    assert_eq!(pass(&app, db::now()).await.sent, 1);

    // The notice is the latest message, and Ada's question is still unanswered.
    let thread = threads(&app, &owner, "").await["items"][0].clone();
    assert!(
        thread["snippet"]
            .as_str()
            .unwrap()
            .ends_with("Order #1001 is on its way")
    );
    let asked_at = first_inbound_at(&app, &owner, &thread["id"]).await;
    assert_eq!(thread["waiting_since"], asked_at, "{thread}");
    assert_eq!(waiting_phones(&app, &owner).await, [ADA]);

    // Asking again does not restart the wait: she has waited since her first text.
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a02",
        "Hello?",
    )
    .await;
    let thread = threads(&app, &owner, "").await["items"][0].clone();
    assert_eq!(thread["waiting_since"], asked_at, "{thread}");

    // A person's reply answers her.
    let replied = reply(&app, &owner, &thread["id"], "Yes, until it ships!", None).await;
    assert_eq!(replied.status(), StatusCode::CREATED);
    let thread = threads(&app, &owner, "").await["items"][0].clone();
    assert!(thread["waiting_since"].is_null(), "{thread}");
    assert!(waiting_phones(&app, &owner).await.is_empty());
}

async fn a_keyword_confirmation_answers_only_the_keyword(app: TestApp) {
    let (owner, number) = store(&app).await;
    // HELP alone is answered by its automatic reply.
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "HELP",
    )
    .await;
    let thread = threads(&app, &owner, "").await["items"][0].clone();
    assert!(
        thread["snippet"].as_str().unwrap().contains("Need help?"),
        "{thread}"
    );
    assert!(thread["waiting_since"].is_null(), "{thread}");
    assert!(waiting_phones(&app, &owner).await.is_empty());

    // A question before the keyword still waits for a person.
    text_in(
        &app,
        &number,
        BOB,
        "SM00000000000000000000000000000b01",
        "Where is my order?",
    )
    .await;
    text_in(
        &app,
        &number,
        BOB,
        "SM00000000000000000000000000000b02",
        "HELP",
    )
    .await;
    let bob = threads(&app, &owner, "").await["items"][0].clone();
    assert_eq!(bob["phone"], BOB);
    let asked_at = first_inbound_at(&app, &owner, &bob["id"]).await;
    assert_eq!(bob["waiting_since"], asked_at, "{bob}");
    assert_eq!(waiting_phones(&app, &owner).await, [BOB]);
}

/// Migration 17 worked out who is waiting from the messages already stored; it must agree
/// with what recording each message keeps.
async fn the_migration_finds_who_is_waiting_as_the_inbox_does(app: TestApp) {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use textback_api::db::schema::threads;

    let (owner, number) = store(&app).await;
    notify_shipments(&app, &owner).await;
    let customers = [
        (ADA, ["Can I still change the address?", ""]),
        (BOB, ["Where is my order?", "HELP"]),
        ("+14155550125", ["Is it in stock?", ""]),
        ("+14155550126", ["HELP", ""]),
        ("+14155550127", ["Hi", "STOP"]),
        ("+14155550128", ["Thanks!", ""]),
    ];
    for (n, (phone, texts)) in customers.iter().enumerate() {
        for (k, body) in texts.iter().filter(|b| !b.is_empty()).enumerate() {
            let sid = format!("SM{:030}{n}{k}", 0);
            text_in(&app, &number, phone, &sid, body).await;
        }
    }
    // A campaign's text for Ada, a person's reply for the third customer.
    let at = db::now();
    post(&app, &owner, &order("e1", "order.placed", None, at)).await;
    post(&app, &owner, &order("e2", "order.shipped", None, at)).await;
    assert_eq!(pass(&app, db::now()).await.sent, 1);
    let page = threads(&app, &owner, "?q=555-0125").await;
    let replied = reply(&app, &owner, &page["items"][0]["id"], "Yes!", None).await;
    assert_eq!(replied.status(), StatusCode::CREATED);
    // The last customer's conversation is closed without a reply.
    let page = threads(&app, &owner, "?q=555-0128").await;
    let closed = app
        .request(
            Method::POST,
            &format!("/api/v1/threads/{}/close", page["items"][0]["id"]),
            Some(&owner.token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), StatusCode::OK);

    let mut conn = app.state.pool.get().unwrap();
    let waiting = |conn: &mut db::DbConn| -> Vec<(i64, Option<chrono::NaiveDateTime>)> {
        threads::table
            .select((threads::id, threads::awaiting_reply_since))
            .order(threads::id)
            .load(conn)
            .unwrap()
    };
    let kept = waiting(&mut conn);
    assert_eq!(
        kept.iter().filter(|(_, at)| at.is_some()).count(),
        3,
        "{kept:?}"
    );
    let migration = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(match app.backend {
            textback_tests::Backend::Sqlite => "sqlite",
            textback_tests::Backend::Postgres => "postgres",
        })
        .join("2026-12-05-000017_thread_awaiting_reply");
    for step in ["down.sql", "up.sql"] {
        let sql = std::fs::read_to_string(migration.join(step)).unwrap();
        conn.batch_execute(&sql).unwrap();
    }
    assert_eq!(waiting(&mut conn), kept);
}

async fn closing_a_conversation_ends_the_wait(app: TestApp) {
    let (owner, number) = store(&app).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "Thanks, that's all!",
    )
    .await;
    let thread = threads(&app, &owner, "").await["items"][0].clone();
    assert!(thread["waiting_since"].is_string(), "{thread}");
    let set = |action: &'static str| {
        let app = &app;
        let path = format!("/api/v1/threads/{}/{action}", thread["id"]);
        let token = owner.token.clone();
        async move {
            let response = app
                .request(Method::POST, &path, Some(&token))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{action}");
            response.json::<Value>().await.unwrap()
        }
    };
    // Nothing more to answer: she is no longer waiting, and reopening does not bring it back.
    let closed = set("close").await;
    assert!(closed["waiting_since"].is_null(), "{closed}");
    assert!(waiting_phones(&app, &owner).await.is_empty());
    let reopened = set("reopen").await;
    assert!(reopened["waiting_since"].is_null(), "{reopened}");
    // Her next text reopens the thread and starts a new wait.
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a02",
        "Actually, one more thing",
    )
    .await;
    assert_eq!(waiting_phones(&app, &owner).await, [ADA]);
}

async fn a_name_is_found_whatever_the_case_of_its_accented_letters(app: TestApp) {
    let (owner, number) = store(&app).await;
    let emile = json!({
        "id": "e1", "type": "checkout.updated", "occurred_at": utc(16, 0).and_utc().to_rfc3339(),
        "customer": {"phone": ADA, "first_name": "Émile", "last_name": "Côté"},
        "cart": {"id": "cart-1", "total": "10.00", "currency": "CAD",
            "recovery_url": "https://shop.example.com/cart/cart-1"}
    });
    post(&app, &owner, &emile).await;
    text_in(
        &app,
        &number,
        ADA,
        "SM00000000000000000000000000000a01",
        "Bonjour",
    )
    .await;
    for query in [
        "%C3%A9mile",
        "%C3%89MILE",
        "C%C3%94T%C3%89",
        "%C3%A9mile%20c%C3%B4t%C3%A9",
    ] {
        assert_eq!(
            phones(&threads(&app, &owner, &format!("?q={query}")).await),
            [ADA],
            "{query}"
        );
        let contacts: Value = app
            .get(&format!("/api/v1/contacts?q={query}"), &owner.token)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(contacts["items"].as_array().unwrap().len(), 1, "{query}");
    }
}
