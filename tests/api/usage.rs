//! Usage and charges for a month.

use serde_json::Value;
use textback_tests::{TestApp, fixtures, on_both_databases, problem};

use crate::numbers::stocked_area_code;

on_both_databases!(
    usage_counts_what_was_sent_and_the_days_held,
    bad_months_are_refused
);

async fn usage_counts_what_was_sent_and_the_days_held(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let empty: Value = app
        .get("/api/v1/usage", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(empty["days_with_number"], 0);
    assert_eq!(empty["charges"]["total"], "0.00");

    app.reserve_any(&owner, stocked_area_code()).await;
    fixtures::outbound_message(
        &app,
        owner.store_id,
        "+12125550123",
        "delivered",
        Some("SM77777777777777777777777777777777"),
    );
    fixtures::outbound_message(
        &app,
        owner.store_id,
        "+12125550124",
        "sent",
        Some("SM88888888888888888888888888888888"),
    );
    // Not yet handed to the provider: not billed.
    fixtures::scheduled_message(&app, owner.store_id, "+12125550125");

    let usage: Value = app
        .get("/api/v1/usage", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        usage["month"],
        chrono::Utc::now().format("%Y-%m").to_string()
    );
    assert_eq!(usage["outbound_messages"], 2);
    assert_eq!(usage["outbound_segments"], 2);
    assert_eq!(usage["days_with_number"], 1);
    let charges = &usage["charges"];
    assert_eq!(charges["currency"], "USD");
    assert_eq!(charges["price_per_segment"], "0.0079");
    assert_eq!(charges["price_per_number_month"], "1.15");
    assert_eq!(charges["segments"], "0.02");
    let days_in_month = days_in_current_month();
    let number = 1_150_000 / days_in_month;
    assert_eq!(
        charges["number"],
        format!("0.{:02}", (number + 5_000) / 10_000)
    );

    let other = app.signup("owner@birch.example").await;
    let theirs: Value = app
        .get("/api/v1/usage", &other.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["outbound_messages"], 0, "usage is per store");

    let past: Value = app
        .get("/api/v1/usage?month=2020-01", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            past["outbound_messages"].as_i64(),
            past["days_with_number"].as_i64()
        ),
        (Some(0), Some(0))
    );
}

fn days_in_current_month() -> i64 {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    let first = today.with_day(1).unwrap();
    (first.checked_add_months(chrono::Months::new(1)).unwrap() - first).num_days()
}

async fn bad_months_are_refused(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    for month in ["2026-13", "december", "2026-1"] {
        let refused = problem(
            app.get(&format!("/api/v1/usage?month={month}"), &owner.token)
                .await,
            422,
        )
        .await;
        assert_eq!(refused.errors[0].field, "month");
    }
}
