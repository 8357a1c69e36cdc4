//! The results API: what texts achieved over a period, from the hourly roll-up, in total,
//! over time, per campaign and against the period before.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use textback_api::db;
use textback_api::services::{opt_outs, provider_webhooks, short_links, stats};
use textback_shared::events::ConsentSource;
use textback_tests::{Session, TestApp, on_both_databases, problem};

use crate::dispatch::{
    abandon, campaign_results, checkout, order, pass, post, simulator, store_with_flow, utc,
};
use crate::inbox::text_in;

on_both_databases!(
    recovered_carts_and_revenue_count_for_the_campaign_that_won_them,
    clicks_replies_and_opt_outs_count_when_they_happen,
    periods_are_checked_and_other_stores_see_nothing,
    days_follow_the_store_when_it_moves_to_another_time_zone,
    a_reply_and_an_opt_out_count_once_for_the_text_they_answer,
    an_opt_out_taken_back_still_counts_for_the_text_it_followed,
    a_removed_steps_texts_still_count_for_the_campaign,
    an_order_after_a_click_is_credited_though_the_link_was_opened_again_since,
    a_cart_two_orders_name_is_recovered_once,
    a_store_selling_in_canadian_dollars_sees_revenue_in_them_and_charges_in_the_price_lists,
    an_order_in_another_currency_neither_relabels_nor_adds_to_a_campaigns_revenue,
    revenue_in_two_currencies_is_never_added_together,
    a_pasted_do_not_text_list_is_no_opt_out_but_a_stop_is,
);

const ADA: &str = "+14155550123";
const BOB: &str = "+14155550124";

pub(crate) fn roll_up(app: &TestApp) {
    let mut conn = app.state.pool.get().unwrap();
    stats::roll_up(&mut conn, db::now()).unwrap();
}

pub(crate) async fn results(app: &TestApp, owner: &Session, query: &str) -> Value {
    let response = app
        .get(&format!("/api/v1/stats{query}"), &owner.token)
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.unwrap()
}

/// Ada and Bob abandon carts on 2 June; both get the first reminder; Ada orders an hour later.
async fn two_abandoned_carts_one_recovered(app: &TestApp) -> (Session, i64) {
    let (owner, campaign) = store_with_flow(app, [60, 1440]).await;
    post(app, &owner, &checkout("e1", "cart-1", ADA, utc(16, 0))).await;
    post(app, &owner, &checkout("e2", "cart-2", BOB, utc(16, 0))).await;
    assert_eq!(abandon(app, utc(17, 0)), 2);
    // One number sends a text a second.
    let second = utc(18, 0) + chrono::Duration::seconds(1);
    assert_eq!(
        pass(app, utc(18, 0)).await.sent + pass(app, second).await.sent,
        2
    );
    post(
        app,
        &owner,
        &order("e3", "order.placed", Some("cart-1"), utc(19, 0)),
    )
    .await;
    (owner, campaign)
}

async fn recovered_carts_and_revenue_count_for_the_campaign_that_won_them(app: TestApp) {
    let (owner, campaign) = two_abandoned_carts_one_recovered(&app).await;
    roll_up(&app);

    // 2 June in New York (the store has not said where it is).
    let week = results(&app, &owner, "?from=2026-06-01&to=2026-06-07").await;
    assert_eq!(week["time_zone"], "America/New_York");
    assert_eq!(week["currency"], "USD");
    assert_eq!(week["revenue_currency"], "USD");
    let totals = &week["totals"];
    assert_eq!(totals["messages_sent"], 2);
    assert_eq!(totals["carts_abandoned"], 2);
    assert_eq!(totals["carts_recovered"], 1);
    assert_eq!(totals["recovery_rate"], 0.5);
    assert_eq!(totals["orders"], 1);
    assert_eq!(totals["revenue_recovered_cents"], 17_800);
    let segments = totals["segments"].as_i64().unwrap();
    assert!(segments >= 2);
    assert_eq!(totals["sms_charges_micros"], segments * 7_900);
    // Day by day: everything on the 2nd, nothing on the other six days.
    let series = week["series"].as_array().unwrap();
    assert_eq!(series.len(), 7);
    assert_eq!(series[1]["start"], "2026-06-02");
    assert_eq!(series[1]["figures"], *totals);
    assert!(
        series
            .iter()
            .filter(|p| p["start"] != "2026-06-02")
            .all(|p| p["figures"]["messages_sent"] == 0)
    );
    // The week before had nothing to compare with.
    assert_eq!(week["previous"]["messages_sent"], 0);
    // The flow gets the credit.
    let campaigns = week["campaigns"].as_array().unwrap();
    assert_eq!(campaigns.len(), 1);
    assert_eq!(campaigns[0]["campaign_id"], campaign);
    assert_eq!(campaigns[0]["name"], "Cart reminders");
    assert_eq!(campaigns[0]["kind"], "abandoned_cart");
    assert_eq!(campaigns[0]["figures"]["revenue_recovered_cents"], 17_800);
    assert_eq!(campaigns[0]["figures"]["messages_sent"], 2);

    // By week: weeks start on Monday (1 June 2026 is one).
    let weekly = results(
        &app,
        &owner,
        "?from=2026-06-03&to=2026-06-16&granularity=week",
    )
    .await;
    let starts: Vec<&str> = weekly["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["start"].as_str().unwrap())
        .collect();
    assert_eq!(starts, ["2026-06-01", "2026-06-08", "2026-06-15"]);
    // The 2nd is before `from`: it belongs to the period before.
    assert_eq!(weekly["totals"]["messages_sent"], 0);
    assert_eq!(weekly["previous"]["messages_sent"], 2);

    // A roll-up again changes nothing.
    roll_up(&app);
    assert_eq!(
        results(&app, &owner, "?from=2026-06-01&to=2026-06-07").await,
        week
    );
}

async fn clicks_replies_and_opt_outs_count_when_they_happen(app: TestApp) {
    let (owner, campaign) = two_abandoned_carts_one_recovered(&app).await;
    let store_number = {
        let mut conn = app.state.pool.get().unwrap();
        db::phone_numbers::active_for_store(&mut conn, owner.store_id)
            .unwrap()
            .unwrap()
            .phone_number
    };
    let reminder = simulator(&app)
        .sent()
        .into_iter()
        .find(|t| t.to == ADA)
        .unwrap();
    let link = reminder
        .body
        .split_whitespace()
        .find(|w| w.contains("/r/"))
        .unwrap()
        .to_owned();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(
        no_redirects.get(&link).send().await.unwrap().status(),
        StatusCode::FOUND
    );
    text_in(&app, &store_number, BOB, "SM-stats-1", "Is shipping free?").await;
    text_in(
        &app,
        &store_number,
        BOB,
        "SM-stats-2",
        "no more texting please",
    )
    .await;
    roll_up(&app);

    // Today's 30 days: the click, both replies, one opt-out.
    let recent = results(&app, &owner, "").await;
    let totals = &recent["totals"];
    assert_eq!(totals["clicks"], 1);
    assert_eq!(totals["replies"], 2);
    assert_eq!(totals["opt_outs"], 1);
    assert_eq!(totals["messages_sent"], 0);
    // The click is the reminder's; the replies came months after it, so no campaign's.
    let flow = &recent["campaigns"][0];
    assert_eq!(flow["campaign_id"], campaign);
    assert_eq!(flow["figures"]["clicks"], 1);
    assert_eq!(flow["figures"]["replies"], 0);
}

async fn periods_are_checked_and_other_stores_see_nothing(app: TestApp) {
    let (_owner, _) = two_abandoned_carts_one_recovered(&app).await;
    roll_up(&app);
    let rival = app.signup("rival@else.example").await;
    let theirs = results(&app, &rival, "?from=2026-06-01&to=2026-06-07").await;
    assert_eq!(theirs["totals"]["messages_sent"], 0);
    assert_eq!(theirs["totals"]["revenue_recovered_cents"], 0);
    assert_eq!(theirs["campaigns"], serde_json::json!([]));

    let backwards = app
        .get("/api/v1/stats?from=2026-06-07&to=2026-06-01", &rival.token)
        .await;
    assert_eq!(problem(backwards, 422).await.errors[0].field, "from");
    let too_long = app
        .get("/api/v1/stats?from=2020-01-01&to=2026-06-01", &rival.token)
        .await;
    problem(too_long, 422).await;
    for (query, field) in [
        ("?to=-262143-01-01", "to"),
        ("?from=-262143-01-01&to=-262143-01-05", "to"),
        ("?from=%2B262142-12-01&to=%2B262142-12-31", "to"),
        ("?from=1969-12-31&to=1970-01-05", "from"),
    ] {
        let edge = app
            .get(&format!("/api/v1/stats{query}"), &rival.token)
            .await;
        assert_eq!(problem(edge, 422).await.errors[0].field, field, "{query}");
    }
    let not_a_date = app.get("/api/v1/stats?from=yesterday", &rival.token).await;
    assert!(not_a_date.status().is_client_error());
    let hourly = app
        .get("/api/v1/stats?granularity=hour", &rival.token)
        .await;
    assert!(hourly.status().is_client_error());
}

/// A cart abandoned at 06:30 UTC on 2 June: that is the 2nd in New York and still the 1st in
/// Oregon. The days follow the store's zone, also after it moves.
async fn days_follow_the_store_when_it_moves_to_another_time_zone(app: TestApp) {
    let (owner, _) = store_with_flow(&app, [60, 1440]).await;
    post(&app, &owner, &checkout("e1", "cart-1", ADA, utc(5, 0))).await;
    assert_eq!(abandon(&app, utc(6, 30)), 1);
    roll_up(&app);
    let abandoned_by_day = |report: &Value| -> Vec<i64> {
        report["series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["figures"]["carts_abandoned"].as_i64().unwrap())
            .collect()
    };
    let move_to = |region: &'static str| {
        let (app, owner) = (&app, &owner);
        async move {
            let moved = app
                .request(Method::PATCH, "/api/v1/store", Some(&owner.token))
                .json(&json!({"country": "US", "region": region}))
                .send()
                .await
                .unwrap();
            assert_eq!(moved.status(), StatusCode::OK);
        }
    };
    let days = "?from=2026-06-01&to=2026-06-02";

    let eastern = results(&app, &owner, days).await;
    assert_eq!(eastern["time_zone"], "America/New_York");
    assert_eq!(abandoned_by_day(&eastern), [0, 1]);

    move_to("OR").await;
    let pacific = results(&app, &owner, days).await;
    assert_eq!(pacific["time_zone"], "America/Los_Angeles");
    assert_eq!(abandoned_by_day(&pacific), [1, 0]);
    // The next roll-up keeps the new zone's days.
    roll_up(&app);
    assert_eq!(results(&app, &owner, days).await, pacific);

    move_to("NY").await;
    assert_eq!(results(&app, &owner, days).await, eastern);
}

/// Ada's cart gets both reminders, an hour apart (2 June, 18:00 and 19:00 UTC).
async fn both_reminders_sent(app: &TestApp) -> (Session, i64) {
    let (owner, campaign) = store_with_flow(app, [60, 120]).await;
    post(app, &owner, &checkout("e1", "cart-1", ADA, utc(16, 0))).await;
    assert_eq!(abandon(app, utc(17, 0)), 1);
    assert_eq!(pass(app, utc(18, 0)).await.sent, 1);
    assert_eq!(pass(app, utc(19, 0)).await.sent, 1);
    (owner, campaign)
}

/// A text from the customer, arriving at `at`.
fn text_in_at(app: &TestApp, from: &str, sid: &str, body: &str, at: chrono::NaiveDateTime) {
    let mut conn = app.state.pool.get().unwrap();
    let to = db::phone_numbers::all_active(&mut conn).unwrap()[0]
        .phone_number
        .clone();
    let sms = provider_webhooks::InboundSms {
        provider_sid: sid.to_owned(),
        from: from.to_owned(),
        to,
        body: body.to_owned(),
        segments: 1,
        opt_out_type: None,
        provider_answered: false,
    };
    provider_webhooks::receive_at(&mut conn, &app.state.live, &sms, at).unwrap();
}

/// Ada answers the second reminder, then opts out: that is one reply and one opt-out, the
/// second reminder's, though the first was sent within the day before too.
async fn a_reply_and_an_opt_out_count_once_for_the_text_they_answer(app: TestApp) {
    let (owner, campaign) = both_reminders_sent(&app).await;
    text_in_at(&app, ADA, "SM-answer-1", "Is shipping free?", utc(19, 30));
    text_in_at(&app, ADA, "SM-answer-2", "STOP", utc(19, 40));

    let flow = campaign_results(&app, &owner, campaign).await;
    let answered = |of: &Value| (of["replied"].as_i64(), of["opted_out"].as_i64());
    assert_eq!(answered(&flow["steps"][0]), (Some(0), Some(0)));
    assert_eq!(answered(&flow["steps"][1]), (Some(1), Some(1)));
    assert_eq!(answered(&flow["total"]), (Some(1), Some(1)));

    // The dashboard agrees: one opt-out, the flow's.
    roll_up(&app);
    let week = results(&app, &owner, "?from=2026-06-01&to=2026-06-07").await;
    assert_eq!(week["campaigns"][0]["figures"]["opt_outs"], 1);
}

/// Removing a step from a flow keeps what its texts did in the campaign's totals, as on the
/// dashboard.
async fn a_removed_steps_texts_still_count_for_the_campaign(app: TestApp) {
    let (owner, campaign) = both_reminders_sent(&app).await;
    // Ordered half an hour after the second reminder: it gets the credit.
    post(
        &app,
        &owner,
        &order("e2", "order.placed", Some("cart-1"), utc(19, 30)),
    )
    .await;
    let before = campaign_results(&app, &owner, campaign).await;
    assert_eq!(before["steps"][1]["orders"], 1);

    let edited = app
        .request(
            Method::PATCH,
            &format!("/api/v1/campaigns/{campaign}"),
            Some(&owner.token),
        )
        .json(&json!({"steps": [
            {"delay_minutes": 60, "body": "Hi {{ first_name }}, your cart is waiting: {{ cart_url }}"}
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), StatusCode::OK);

    let after = campaign_results(&app, &owner, campaign).await;
    assert_eq!(after["steps"].as_array().unwrap().len(), 1);
    assert_eq!(after["steps"][0]["sent"], 1);
    assert_eq!(after["total"]["sent"], 2);
    assert_eq!(after["total"]["orders"], 1);
    assert_eq!(after["total"]["revenue_cents"], 17_800);
    assert_eq!(after["total"], before["total"]);
}

/// Ada opens the reminder's link more than a day after it was sent, orders, and opens it
/// again before the store's order event arrives: the click before the order wins it.
async fn an_order_after_a_click_is_credited_though_the_link_was_opened_again_since(app: TestApp) {
    let (owner, campaign) = store_with_flow(&app, [60, 1440]).await;
    post(&app, &owner, &checkout("e1", "cart-1", ADA, utc(16, 0))).await;
    assert_eq!(abandon(&app, utc(17, 0)), 1);
    assert_eq!(pass(&app, utc(18, 0)).await.sent, 1);
    let reminder = simulator(&app).sent().remove(0);
    let code = reminder
        .body
        .split_whitespace()
        .find_map(|w| w.split_once("/r/"))
        .unwrap()
        .1
        .to_owned();
    let next_day = |h, m| utc(h, m) + chrono::Duration::days(1);
    let open = |at| {
        let mut conn = app.state.pool.get().unwrap();
        short_links::follow(&mut conn, &code, at).unwrap().unwrap();
    };
    open(next_day(20, 0));
    open(next_day(21, 0));
    post(
        &app,
        &owner,
        &order("e2", "order.placed", Some("cart-1"), next_day(20, 30)),
    )
    .await;

    let flow = campaign_results(&app, &owner, campaign).await;
    assert_eq!(flow["total"]["orders"], 1);
    assert_eq!(flow["steps"][0]["revenue_cents"], 17_800);
}

/// The platform names Ada's cart on a second order too (a split order, say): both orders and
/// their revenue count, but the cart was won back once.
async fn a_cart_two_orders_name_is_recovered_once(app: TestApp) {
    let (owner, _) = two_abandoned_carts_one_recovered(&app).await;
    let second_order = json!({
        "id": "e4", "type": "order.placed", "occurred_at": "2026-06-02T19:30:00Z",
        "customer": {"phone": ADA},
        "order": {"id": "order-2", "number": "#1002", "total": "22.00", "currency": "USD",
            "cart_id": "cart-1"}
    });
    post(&app, &owner, &second_order).await;
    roll_up(&app);

    let totals = &results(&app, &owner, "?from=2026-06-01&to=2026-06-07").await["totals"];
    assert_eq!(totals["orders"], 2);
    assert_eq!(totals["revenue_recovered_cents"], 20_000);
    assert_eq!(totals["carts_abandoned"], 2);
    assert_eq!(totals["carts_recovered"], 1);
    assert_eq!(totals["recovery_rate"], 0.5);
}

async fn move_to_ontario(app: &TestApp, owner: &Session) {
    let moved = app
        .request(Method::PATCH, "/api/v1/store", Some(&owner.token))
        .json(&json!({"country": "CA", "region": "ON"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
}

/// `who` places `order_id` (for `cart`, if any) at `at`.
pub(crate) fn order_in(
    event: &str,
    order_id: &str,
    who: &str,
    cart: Option<&str>,
    (total, currency): (&str, &str),
    at: chrono::NaiveDateTime,
) -> Value {
    json!({
        "id": event, "type": "order.placed", "occurred_at": at.and_utc().to_rfc3339(),
        "customer": {"phone": who},
        "order": {"id": order_id, "total": total, "currency": currency, "cart_id": cart}
    })
}

/// A store in Ontario selling in Canadian dollars: Ada and Bob abandon carts on 2 June, both
/// get the first reminder, and Ada orders an hour later for CA$178.00.
pub(crate) async fn canadian_store_one_cart_recovered(app: &TestApp) -> (Session, i64) {
    let (owner, campaign) = store_with_flow(app, [60, 1440]).await;
    move_to_ontario(app, &owner).await;
    for (event, cart, who) in [("e1", "cart-1", ADA), ("e2", "cart-2", BOB)] {
        let mut checkout = checkout(event, cart, who, utc(16, 0));
        checkout["cart"]["currency"] = json!("CAD");
        post(app, &owner, &checkout).await;
    }
    assert_eq!(abandon(app, utc(17, 0)), 2);
    let second = utc(18, 0) + chrono::Duration::seconds(1);
    assert_eq!(
        pass(app, utc(18, 0)).await.sent + pass(app, second).await.sent,
        2
    );
    let ada_orders = order_in(
        "e3",
        "order-1",
        ADA,
        Some("cart-1"),
        ("178.00", "CAD"),
        utc(19, 0),
    );
    post(app, &owner, &ada_orders).await;
    (owner, campaign)
}

/// Revenue is in the currency the store's orders are in (its country's before the first
/// one); the SMS charges stay in the price list's.
async fn a_store_selling_in_canadian_dollars_sees_revenue_in_them_and_charges_in_the_price_lists(
    app: TestApp,
) {
    let newcomer = app.signup("newcomer@north.example").await;
    move_to_ontario(&app, &newcomer).await;
    let nothing_yet = results(&app, &newcomer, "").await;
    assert_eq!(nothing_yet["revenue_currency"], "CAD");
    assert_eq!(nothing_yet["currency"], "USD");

    let (owner, campaign) = canadian_store_one_cart_recovered(&app).await;
    roll_up(&app);

    let week = results(&app, &owner, "?from=2026-06-01&to=2026-06-07").await;
    assert_eq!(week["revenue_currency"], "CAD");
    assert_eq!(week["totals"]["revenue_recovered_cents"], 17_800);
    assert_eq!(week["currency"], "USD");
    let segments = week["totals"]["segments"].as_i64().unwrap();
    assert!(segments >= 2);
    assert_eq!(week["totals"]["sms_charges_micros"], segments * 7_900);

    let flow = campaign_results(&app, &owner, campaign).await;
    assert_eq!(flow["currency"], "CAD");
    assert_eq!(flow["total"]["orders"], 1);
    assert_eq!(flow["total"]["revenue_cents"], 17_800);
}

/// After Ada's CA$178.00, a walk-in customer orders in CAD too, then Bob orders in US dollars
/// (the latest order): the store still sells in CAD, and Bob's dollars are not added to the
/// campaign's Canadian revenue, though his order counts.
async fn an_order_in_another_currency_neither_relabels_nor_adds_to_a_campaigns_revenue(
    app: TestApp,
) {
    let (owner, campaign) = canadian_store_with_a_us_dollar_order(&app).await;
    roll_up(&app);

    let week = results(&app, &owner, "?from=2026-06-01&to=2026-06-07").await;
    assert_eq!(week["revenue_currency"], "CAD");
    assert_eq!(week["totals"]["orders"], 2);

    let flow = campaign_results(&app, &owner, campaign).await;
    assert_eq!(flow["currency"], "CAD");
    assert_eq!(flow["total"]["orders"], 2);
    assert_eq!(flow["total"]["revenue_cents"], 17_800);
    assert_eq!(flow["steps"][0]["revenue_cents"], 17_800);
}

/// Ada opts out after the second reminder, then back in: the campaign's results still count
/// the opt-out, as the dashboard does.
async fn an_opt_out_taken_back_still_counts_for_the_text_it_followed(app: TestApp) {
    let (owner, campaign) = both_reminders_sent(&app).await;
    text_in_at(&app, ADA, "SM-answer-1", "STOP", utc(19, 40));
    text_in_at(&app, ADA, "SM-answer-2", "START", utc(20, 0));

    let flow = campaign_results(&app, &owner, campaign).await;
    assert_eq!(flow["steps"][1]["opted_out"], 1, "{flow}");
    assert_eq!(flow["total"]["opted_out"], 1, "{flow}");
    roll_up(&app);
    let week = results(&app, &owner, "?from=2026-06-01&to=2026-06-07").await;
    assert_eq!(week["campaigns"][0]["figures"]["opt_outs"], 1);
}

/// The Canadian store of `canadian_store_one_cart_recovered`, where a walk-in customer then
/// orders in CAD (credited to no text) and Bob, in the same hour as Ada, in US dollars: Ada's
/// CA$178.00 and Bob's US$22.00 are both credited to the flow.
pub(crate) async fn canadian_store_with_a_us_dollar_order(app: &TestApp) -> (Session, i64) {
    let (owner, campaign) = canadian_store_one_cart_recovered(app).await;
    let walk_in = order_in(
        "e4",
        "order-2",
        "+14155550125",
        None,
        ("50.00", "CAD"),
        utc(19, 15),
    );
    post(app, &owner, &walk_in).await;
    let bob_orders = order_in(
        "e5",
        "order-3",
        BOB,
        Some("cart-2"),
        ("22.00", "USD"),
        utc(19, 30),
    );
    post(app, &owner, &bob_orders).await;
    (owner, campaign)
}

/// The store sells in CAD: the dashboard shows CA$178.00 recovered, plus US$22.00 beside it,
/// never "CA$200.00": in total, on the day, by week and for the campaign, and again once the
/// hours are added up into days anew (a roll-up, a move to another time zone).
async fn revenue_in_two_currencies_is_never_added_together(app: TestApp) {
    let (owner, campaign) = canadian_store_with_a_us_dollar_order(&app).await;
    roll_up(&app);

    let us_dollars = json!([{"currency": "USD", "cents": 2_200}]);
    let week = "?from=2026-06-01&to=2026-06-07";
    let check = |report: &Value| {
        assert_eq!(report["revenue_currency"], "CAD");
        let totals = &report["totals"];
        assert_eq!(totals["orders"], 2, "{totals}");
        assert_eq!(totals["revenue_recovered_cents"], 17_800, "{totals}");
        assert_eq!(totals["revenue_other_currencies"], us_dollars, "{totals}");
        let day = report["series"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["figures"]["orders"] == 2)
            .unwrap();
        assert_eq!(day["figures"]["revenue_recovered_cents"], 17_800);
        assert_eq!(day["figures"]["revenue_other_currencies"], us_dollars);
        let flow = &report["campaigns"][0];
        assert_eq!(flow["campaign_id"], campaign);
        assert_eq!(flow["figures"]["revenue_recovered_cents"], 17_800);
        assert_eq!(flow["figures"]["revenue_other_currencies"], us_dollars);
        assert_eq!(report["previous"]["revenue_other_currencies"], json!([]));
    };
    let daily = results(&app, &owner, week).await;
    check(&daily);
    assert_eq!(daily["series"][1]["start"], "2026-06-02");
    check(&results(&app, &owner, &format!("{week}&granularity=week")).await);

    roll_up(&app);
    assert_eq!(results(&app, &owner, week).await, daily);
    // 19:00 UTC is noon in Vancouver: still 2 June, now added up from the hours in Pacific time.
    let moved = app
        .request(Method::PATCH, "/api/v1/store", Some(&owner.token))
        .json(&json!({"country": "CA", "region": "BC"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    let pacific = results(&app, &owner, week).await;
    assert_eq!(pacific["time_zone"], "America/Vancouver");
    check(&pacific);

    // The campaign's results leave the US dollars out too.
    let flow = campaign_results(&app, &owner, campaign).await;
    assert_eq!(flow["total"]["revenue_cents"], 17_800);
}

/// The merchant adds Bob (texted a reminder half an hour before) to the do-not-text list, and
/// pastes two more numbers today; Ada texts STOP. Only Ada told us to stop: one opt-out, on the
/// dashboard and in the campaign's results alike.
async fn a_pasted_do_not_text_list_is_no_opt_out_but_a_stop_is(app: TestApp) {
    let (owner, campaign) = two_abandoned_carts_one_recovered(&app).await;
    // What adding numbers to the list does, on 2 June.
    {
        let mut conn = app.state.pool.get().unwrap();
        let bob =
            db::contacts::find_or_create_by_phones(&mut conn, owner.store_id, &[BOB], utc(18, 30))
                .unwrap()[0]
                .id;
        opt_outs::opt_out_contacts(
            &mut conn,
            owner.store_id,
            &[bob],
            ConsentSource::Manual,
            "added by the store",
            utc(18, 30),
        )
        .unwrap();
    }
    let pasted = app
        .post(
            "/api/v1/opt-outs",
            Some(&owner.token),
            &json!({"phones": ["+14155550125", "+14155550126"], "note": "our old list"}),
        )
        .await;
    assert_eq!(pasted.status(), StatusCode::OK);
    assert_eq!(pasted.json::<Value>().await.unwrap()["added"], 2);
    roll_up(&app);
    let today = results(&app, &owner, "").await;
    assert_eq!(today["totals"]["opt_outs"], 0, "{}", today["totals"]);
    let week = "?from=2026-06-01&to=2026-06-07";
    assert_eq!(results(&app, &owner, week).await["totals"]["opt_outs"], 0);

    text_in_at(&app, ADA, "SM-stop-1", "STOP", utc(19, 40));
    // Months ago: summed again by a rebuild (a roll-up recounts the last two days).
    stats::rebuild(&mut app.state.pool.get().unwrap(), db::now()).unwrap();
    let after = results(&app, &owner, week).await;
    assert_eq!(after["totals"]["opt_outs"], 1, "{}", after["totals"]);
    assert_eq!(after["totals"]["opt_out_rate"], 0.5);
    assert_eq!(after["campaigns"][0]["figures"]["opt_outs"], 1);
    let flow = campaign_results(&app, &owner, campaign).await;
    assert_eq!(flow["total"]["opted_out"], 1, "{flow}");
}
