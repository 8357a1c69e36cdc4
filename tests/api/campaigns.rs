//! Campaign definitions and their lifecycle, including what a number release does to them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use textback_shared::ProblemCode;
use textback_tests::{Session, TestApp, on_both_databases, problem};

use crate::numbers::stocked_area_code;

on_both_databases!(
    a_flow_is_created_as_a_draft_and_listed,
    bad_definitions_are_refused_pointing_at_the_step,
    activation_needs_a_number_and_release_stops_campaigns,
    patch_and_delete,
    another_stores_campaign_is_not_found,
);

fn flow() -> Value {
    json!({
        "kind": "abandoned_cart",
        "name": "Cart reminders",
        "steps": [
            {"delay_minutes": 60, "body": "Hi {{ first_name }}, your cart at {{ store_name }} is waiting: {{ cart_url }}"},
            {"delay_minutes": 1440, "body": "Still thinking? Take 10% off with {{ discount_code }}: {{ cart_url }}", "discount_code": "BACK10"}
        ]
    })
}

async fn create(app: &TestApp, owner: &Session, body: &Value) -> Value {
    let response = app
        .post("/api/v1/campaigns", Some(&owner.token), body)
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn action(app: &TestApp, owner: &Session, id: &Value, verb: &str) -> reqwest::Response {
    app.request(
        Method::POST,
        &format!("/api/v1/campaigns/{id}/{verb}"),
        Some(&owner.token),
    )
    .send()
    .await
    .unwrap()
}

async fn a_flow_is_created_as_a_draft_and_listed(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let campaign = create(&app, &owner, &flow()).await;
    assert_eq!(campaign["status"], "draft");
    assert_eq!(campaign["kind"], "abandoned_cart");
    assert_eq!(campaign["steps"].as_array().unwrap().len(), 2);
    assert_eq!(campaign["steps"][1]["discount_code"], "BACK10");
    let notification = json!({"kind": "order_update", "name": "Order updates", "order_statuses": ["placed", "on_hold"],
        "steps": [{"body": "Order {{ order_number }} is now {{ order_status }}."}]});
    create(&app, &owner, &notification).await;
    let listed: Value = app
        .get("/api/v1/campaigns", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Order updates", "Cart reminders"]);
    let fetched: Value = app
        .get(
            &format!("/api/v1/campaigns/{}", campaign["id"]),
            &owner.token,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, campaign);
}

async fn bad_definitions_are_refused_pointing_at_the_step(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let mut unknown_variable = flow();
    unknown_variable["steps"][1]["body"] = json!("Hi {{ frist_name }} {{ cart_url }}");
    let mut too_soon = flow();
    too_soon["steps"][0]["delay_minutes"] = json!(5);
    let mut not_later = flow();
    not_later["steps"][1]["delay_minutes"] = json!(60);
    let mut wrong_kind_variable =
        json!({"kind": "order_on_hold", "name": "Hold", "steps": [{"body": "See {{ cart_url }}"}]});
    let mut unclosed = flow();
    unclosed["steps"][0]["body"] = json!("Hi {{ first_name");
    for (body, field) in [
        (&mut unknown_variable, "steps[1].body"),
        (&mut too_soon, "steps[0].delay_minutes"),
        (&mut not_later, "steps[1].delay_minutes"),
        (&mut wrong_kind_variable, "steps[0].body"),
        (&mut unclosed, "steps[0].body"),
    ] {
        let refused = problem(
            app.post("/api/v1/campaigns", Some(&owner.token), body)
                .await,
            422,
        )
        .await;
        assert!(
            refused.errors.iter().any(|e| e.field == field),
            "{field}: {:?}",
            refused.errors
        );
    }
    let listed: Value = app
        .get("/api/v1/campaigns", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"], json!([]), "nothing stored");
}

async fn activation_needs_a_number_and_release_stops_campaigns(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let campaign = create(&app, &owner, &flow()).await;
    let id = &campaign["id"];
    let needs_number = problem(action(&app, &owner, id, "activate").await, 409).await;
    assert_eq!(needs_number.code, ProblemCode::NumberRequired);
    assert_eq!(needs_number.type_uri, "/problems/number-required");

    let number = app.reserve_any(&owner, stocked_area_code()).await;
    let active: Value = action(&app, &owner, id, "activate")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(active["status"], "active");
    assert!(active["activated_at"].is_string());
    let paused: Value = action(&app, &owner, id, "pause")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(paused["status"], "paused");
    action(&app, &owner, id, "activate").await;

    app.delete(&format!("/api/v1/numbers/{}", number["id"]), &owner.token)
        .await;
    let stopped: Value = app
        .get(&format!("/api/v1/campaigns/{id}"), &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        stopped["status"], "stopped",
        "a release stops campaigns at once"
    );
    problem(action(&app, &owner, id, "activate").await, 409).await;

    // A new number does not restart them by itself: the merchant does.
    app.reserve_any(&owner, stocked_area_code()).await;
    let still: Value = app
        .get(&format!("/api/v1/campaigns/{id}"), &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["status"], "stopped");
    let again: Value = action(&app, &owner, id, "activate")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["status"], "active");
}

async fn patch_and_delete(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let campaign = create(&app, &owner, &flow()).await;
    let path = format!("/api/v1/campaigns/{}", campaign["id"]);
    let renamed: Value = app
        .request(Method::PATCH, &path, Some(&owner.token))
        .json(&json!({"name": "Gentle reminders"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(renamed["name"], "Gentle reminders");
    assert_eq!(renamed["steps"], campaign["steps"]);

    let bad =
        json!({"steps": [{"delay_minutes": 120, "body": "a"}, {"delay_minutes": 60, "body": "b"}]});
    let refused = app
        .request(Method::PATCH, &path, Some(&owner.token))
        .json(&bad)
        .send()
        .await
        .unwrap();
    problem(refused, 422).await;
    let unchanged: Value = app.get(&path, &owner.token).await.json().await.unwrap();
    assert_eq!(unchanged["steps"], campaign["steps"]);

    assert_eq!(
        app.delete(&path, &owner.token).await.status(),
        StatusCode::NO_CONTENT
    );
    problem(app.get(&path, &owner.token).await, 404).await;
}

async fn another_stores_campaign_is_not_found(app: TestApp) {
    let maple = app.signup("owner@maple.example").await;
    let birch = app.signup("owner@birch.example").await;
    let campaign = create(&app, &maple, &flow()).await;
    let path = format!("/api/v1/campaigns/{}", campaign["id"]);
    problem(app.get(&path, &birch.token).await, 404).await;
    problem(app.delete(&path, &birch.token).await, 404).await;
    problem(action(&app, &birch, &campaign["id"], "pause").await, 404).await;
    let patch = app
        .request(Method::PATCH, &path, Some(&birch.token))
        .json(&json!({"name": "Mine"}))
        .send()
        .await
        .unwrap();
    problem(patch, 404).await;
    let intact: Value = app.get(&path, &maple.token).await.json().await.unwrap();
    assert_eq!(intact["name"], "Cart reminders");
}
