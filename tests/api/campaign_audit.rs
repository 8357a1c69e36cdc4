//! Faults found in an audit of campaigns and templates: what editing an active flow does to
//! the reminders already scheduled, and campaigns of one kind active side by side.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use textback_shared::ProblemCode;
use textback_tests::{Session, TestApp, on_both_databases, problem};

use crate::dispatch::{abandon, activate, checkout, pass, post, simulator, store_with_flow, utc};

on_both_databases!(
    a_step_inserted_before_the_others_sends_no_reminder_twice,
    a_removed_step_does_not_send_the_next_one_early,
    a_steps_new_delay_moves_its_scheduled_reminders,
    one_campaign_of_a_kind_is_active_at_a_time,
);

const FIRST: &str = "Hi {{ first_name }}, your cart is waiting: {{ cart_url }}";
const LAST: &str = "Last call, {{ first_name }}: {{ cart_url }}";

async fn edit_steps(app: &TestApp, owner: &Session, campaign: i64, steps: Value) {
    let response = app
        .request(
            Method::PATCH,
            &format!("/api/v1/campaigns/{campaign}"),
            Some(&owner.token),
        )
        .json(&json!({ "steps": steps }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// What the customer received, in order.
fn received(app: &TestApp) -> Vec<String> {
    simulator(app)
        .sent()
        .into_iter()
        .map(|sms| sms.body)
        .collect()
}

/// Ada's cart is left at 16:00 and abandoned at 17:00 (10:00 in San Francisco) on a flow of
/// [1 hour, 1 day].
async fn ada_abandons(app: &TestApp) -> (Session, i64) {
    let (owner, campaign) = store_with_flow(app, [60, 1440]).await;
    post(
        app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    assert_eq!(abandon(app, utc(17, 0)), 1);
    (owner, campaign)
}

/// Ada got the first reminder; the merchant then puts a gentler step before it. She gets the
/// last call a day later, not the first reminder again.
async fn a_step_inserted_before_the_others_sends_no_reminder_twice(app: TestApp) {
    let (owner, campaign) = ada_abandons(&app).await;
    assert_eq!(pass(&app, utc(18, 0)).await.sent, 1);
    edit_steps(
        &app,
        &owner,
        campaign,
        json!([
            {"delay_minutes": 30, "body": "Forgot something? {{ cart_url }}"},
            {"delay_minutes": 60, "body": FIRST},
            {"delay_minutes": 1440, "body": LAST},
        ]),
    )
    .await;
    pass(&app, utc(17, 5) + Duration::days(1)).await;
    pass(&app, utc(17, 5) + Duration::days(3)).await;
    let sent = received(&app);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[0].contains("Hi Ada, your cart"), "{sent:?}");
    assert!(sent[1].contains("Last call, Ada"), "{sent:?}");
}

/// The merchant drops the first step before it went out: the remaining one, the last call,
/// still waits its day rather than going out in the first step's place an hour after.
async fn a_removed_step_does_not_send_the_next_one_early(app: TestApp) {
    let (owner, campaign) = ada_abandons(&app).await;
    edit_steps(
        &app,
        &owner,
        campaign,
        json!([{"delay_minutes": 1440, "body": LAST}]),
    )
    .await;
    assert_eq!(pass(&app, utc(18, 0)).await.sent, 0, "{:?}", received(&app));
    assert_eq!(pass(&app, utc(17, 5) + Duration::days(1)).await.sent, 1);
    let sent = received(&app);
    assert!(sent[0].contains("Last call, Ada"), "{sent:?}");
}

/// "A day" becomes "three days": the last call already scheduled for Ada waits too.
async fn a_steps_new_delay_moves_its_scheduled_reminders(app: TestApp) {
    let (owner, campaign) = ada_abandons(&app).await;
    assert_eq!(pass(&app, utc(18, 0)).await.sent, 1);
    edit_steps(
        &app,
        &owner,
        campaign,
        json!([
            {"delay_minutes": 60, "body": FIRST},
            {"delay_minutes": 3 * 1440, "body": LAST},
        ]),
    )
    .await;
    let a_day_on = pass(&app, utc(17, 5) + Duration::days(1)).await;
    assert_eq!(a_day_on.sent, 0, "{a_day_on:?}");
    assert_eq!(pass(&app, utc(17, 5) + Duration::days(3)).await.sent, 1);
    assert!(received(&app)[1].contains("Last call, Ada"));
}

/// Two active cart flows would each text every abandoned cart; two shipped notifications
/// would each text every shipment. A second campaign of a kind is refused while one is
/// active (order updates only when they follow the same status), and nothing changes.
async fn one_campaign_of_a_kind_is_active_at_a_time(app: TestApp) {
    let (owner, first) = store_with_flow(&app, [60, 1440]).await;
    let create = |body: Value| {
        let (app, owner) = (&app, &owner);
        async move {
            let created: Value = app
                .post("/api/v1/campaigns", Some(&owner.token), &body)
                .await
                .json()
                .await
                .unwrap();
            created["id"].as_i64().unwrap()
        }
    };
    let activate_response = |id: i64| {
        let (app, owner) = (&app, &owner);
        async move {
            app.post(
                &format!("/api/v1/campaigns/{id}/activate"),
                Some(&owner.token),
                &json!({}),
            )
            .await
        }
    };
    let status = |id: i64| {
        let (app, owner) = (&app, &owner);
        async move {
            let campaign: Value = app
                .get(&format!("/api/v1/campaigns/{id}"), &owner.token)
                .await
                .json()
                .await
                .unwrap();
            campaign["status"].as_str().unwrap().to_owned()
        }
    };

    let second = create(
        json!({"kind": "abandoned_cart", "name": "Holiday reminders",
        "steps": [{"delay_minutes": 45, "body": FIRST}]}),
    )
    .await;
    let refused = problem(activate_response(second).await, 409).await;
    assert_eq!(refused.code, ProblemCode::Conflict);
    assert!(
        refused.detail.contains("Cart reminders"),
        "{}",
        refused.detail
    );
    assert_eq!(status(second).await, "draft");

    // Paused, the first makes way.
    app.post(
        &format!("/api/v1/campaigns/{first}/pause"),
        Some(&owner.token),
        &json!({}),
    )
    .await;
    assert_eq!(activate_response(second).await.status(), StatusCode::OK);
    problem(activate_response(first).await, 409).await;
    // Activating the active one again is no conflict with itself.
    assert_eq!(activate_response(second).await.status(), StatusCode::OK);

    // Order updates may split the statuses between them, not share one.
    let updates = |name: &str, statuses: Value| {
        json!({"kind": "order_update", "name": name, "order_statuses": statuses,
            "steps": [{"body": "Order {{ order_number }} is {{ order_status }}."}]})
    };
    activate(&app, &owner, &updates("Placed", json!(["placed"]))).await;
    let cancelled = activate(&app, &owner, &updates("Cancelled", json!(["cancelled"]))).await;
    let overlapping = create(updates("Everything", json!(["shipped", "cancelled"]))).await;
    problem(activate_response(overlapping).await, 409).await;
    assert_eq!(status(overlapping).await, "draft");

    // Nor may an active one be edited into another's status.
    let response = app
        .request(
            Method::PATCH,
            &format!("/api/v1/campaigns/{cancelled}"),
            Some(&owner.token),
        )
        .json(&json!({"order_statuses": ["placed", "cancelled"]}))
        .send()
        .await
        .unwrap();
    problem(response, 409).await;
    let unchanged: Value = app
        .get(&format!("/api/v1/campaigns/{cancelled}"), &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged["name"], "Cancelled");
    assert_eq!(unchanged["order_statuses"], json!(["cancelled"]));

    let shipped = json!({"kind": "order_shipped", "name": "Shipped",
        "steps": [{"body": "Order {{ order_number }} shipped: {{ tracking_url }}"}]});
    activate(&app, &owner, &shipped).await;
    let shipped_again = create(shipped).await;
    problem(activate_response(shipped_again).await, 409).await;
}
