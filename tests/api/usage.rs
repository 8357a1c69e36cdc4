//! Usage and charges for a month.

use serde_json::Value;
use textback_tests::{Session, TestApp, fixtures, on_both_databases, problem};

use crate::numbers::stocked_area_code;

on_both_databases!(
    usage_counts_what_was_sent_and_the_days_held,
    bad_months_are_refused,
    a_past_month_bills_only_its_own_days,
    months_not_written_yyyy_mm_are_refused,
    the_charges_add_up_to_the_total
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

/// A number held through a past month costs that month's price, no more: the first day of
/// the next month is not billed in it.
async fn a_past_month_bills_only_its_own_days(app: TestApp) {
    use chrono::{Datelike, Months, NaiveDate};
    let owner = app.signup("owner@maple.example").await;
    let this_month = chrono::Utc::now().date_naive().with_day(1).unwrap();
    let last_month = this_month - Months::new(1);
    let month_before = this_month - Months::new(2);
    let reserved_at = month_before
        .with_day(20)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    reserve_number_at(&app, &owner, reserved_at).await;

    let days_in = |first: NaiveDate| (first + Months::new(1) - first).num_days();
    let held_throughout = usage_of(&app, &owner.token, last_month).await;
    assert_eq!(held_throughout["days_with_number"], days_in(last_month));
    assert_eq!(held_throughout["charges"]["number"], "1.15");

    let from_the_20th = usage_of(&app, &owner.token, month_before).await;
    assert_eq!(
        from_the_20th["days_with_number"],
        days_in(month_before) - 19,
        "the 20th to the month's last day"
    );
}

/// Reserves a number for the owner's store as if at `at` (in the past: a month already billed).
async fn reserve_number_at(app: &TestApp, owner: &Session, at: chrono::NaiveDateTime) {
    let offered = app
        .available_numbers(
            owner,
            &format!("country=US&area_code={}&limit=1", stocked_area_code()),
        )
        .await;
    let number = offered["items"][0]["phone_number"].as_str().unwrap();
    textback_api::services::numbers::reserve_at(
        &app.state,
        owner.store_id,
        Some(owner.user_id),
        number,
        at,
    )
    .await
    .unwrap();
}

async fn usage_of(app: &TestApp, token: &str, month: chrono::NaiveDate) -> Value {
    let path = format!("/api/v1/usage?month={}", month.format("%Y-%m"));
    app.get(&path, token).await.json().await.unwrap()
}

async fn months_not_written_yyyy_mm_are_refused(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    // `%2B` is a plus sign.
    for month in ["%2B202-01", "-001-01", "2026-1a"] {
        let refused = problem(
            app.get(&format!("/api/v1/usage?month={month}"), &owner.token)
                .await,
            422,
        )
        .await;
        assert_eq!(refused.errors[0].field, "month", "{month}");
    }
}

/// The bill's lines are shown in cents, and the total is their sum: a merchant adding up
/// "segments" and "number" gets "total".
async fn the_charges_add_up_to_the_total(app: TestApp) {
    use chrono::NaiveDate;
    use diesel::prelude::*;
    use textback_api::db::schema::messages;
    let owner = app.signup("owner@maple.example").await;
    let at = |day: u32, hour: u32| {
        NaiveDate::from_ymd_opt(2025, 1, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    };
    reserve_number_at(&app, &owner, at(20, 10)).await;
    for (to, sid) in [
        ("+12125550123", "SM77777777777777777777777777777777"),
        ("+12125550124", "SM88888888888888888888888888888888"),
    ] {
        let id = fixtures::outbound_message(&app, owner.store_id, to, "delivered", Some(sid));
        let mut conn = app.state.pool.get().unwrap();
        diesel::update(messages::table.find(id))
            .set(messages::created_at.eq(at(25, 12)))
            .execute(&mut conn)
            .unwrap();
    }

    let january = usage_of(&app, &owner.token, at(1, 0).date()).await;
    assert_eq!(january["outbound_segments"], 2);
    assert_eq!(january["days_with_number"], 12, "the 20th to the 31st");
    let charges = &january["charges"];
    // 2 × 0.0079 = 0.0158, and 12/31 × 1.15 = 0.4452: each line rounds up.
    assert_eq!(charges["segments"], "0.02");
    assert_eq!(charges["number"], "0.45");
    assert_eq!(charges["total"], "0.47", "{charges}");
}
