//! Canned replies: saved with checked variables, filled in for a conversation's customer.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use textback_tests::{TestApp, on_both_databases, problem};

use crate::dispatch::{checkout, post, utc};
use crate::numbers::stocked_area_code;

on_both_databases!(canned_replies_are_saved_checked_and_filled_in_for_the_customer);

async fn canned_replies_are_saved_checked_and_filled_in_for_the_customer(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let number = app.reserve_any(&owner, stocked_area_code()).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    let params = [
        ("MessageSid", "SM00000000000000000000000000000d01"),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", "+14155550123"),
        ("To", number["phone_number"].as_str().unwrap()),
        ("Body", "Did you keep my cart?"),
    ];
    app.post_twilio_webhook("/webhooks/twilio/sms", &params, None)
        .await;
    let threads: Value = app
        .get("/api/v1/threads", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let thread = &threads["items"][0]["id"];

    let bad = app
        .post(
            "/api/v1/canned-replies",
            Some(&owner.token),
            &json!({"name": "Oops", "body": "Hi {{ nickname }}"}),
        )
        .await;
    let bad = problem(bad, 422).await;
    assert_eq!(bad.errors[0].field, "body");
    assert!(bad.errors[0].message.contains("nickname"));

    let body = json!({"name": "Cart saved", "body": "Hi {{ first_name }}, your {{ cart_total }} cart is here: {{ cart_url }} {{ tracking_number }}"});
    let created = app
        .post("/api/v1/canned-replies", Some(&owner.token), &body)
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.unwrap();
    let duplicate = app
        .post("/api/v1/canned-replies", Some(&owner.token), &body)
        .await;
    assert_eq!(problem(duplicate, 422).await.errors[0].field, "name");

    let filled: Value = app
        .get(
            &format!("/api/v1/threads/{thread}/canned-replies/{}", created["id"]),
            &owner.token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        filled["body"],
        "Hi Ada, your $178.00 cart is here: https://shop.example.com/cart/cart-1"
    );

    let renamed: Value = app
        .request(
            Method::PATCH,
            &format!("/api/v1/canned-replies/{}", created["id"]),
            Some(&owner.token),
        )
        .json(&json!({"name": "Your cart"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(renamed["name"], "Your cart");
    assert_eq!(renamed["body"], body["body"]);
    let listed: Value = app
        .get("/api/v1/canned-replies", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let other = app.signup("other@store.example").await;
    let theirs = app
        .delete(
            &format!("/api/v1/canned-replies/{}", created["id"]),
            &other.token,
        )
        .await;
    problem(theirs, 404).await;
    let deleted = app
        .delete(
            &format!("/api/v1/canned-replies/{}", created["id"]),
            &owner.token,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
}
