//! The dispatcher, end to end with a controlled clock: from cart and order events to texts at
//! the (simulated) provider, with compliance re-checked when a text is claimed.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDateTime, Timelike};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use textback_api::db::{self, schema::outbox};
use textback_api::services::dispatch::{self, PassReport};
use textback_api::services::{ingest, scheduling};
use textback_api::sms::simulator::Simulator;
use textback_api::sms::{
    AvailableNumber, NumberSearch, NumberWebhooks, OutboundSms, ProviderError, ProviderMessage,
    ReservedNumber, SentMessage, SmsProvider,
};
use textback_tests::{Session, TestApp, on_both_databases};

use crate::numbers::stocked_area_code;

on_both_databases!(
    a_cart_abandoned_at_night_gets_its_first_step_at_eight,
    an_order_between_steps_cancels_the_next_and_is_credited,
    an_opted_out_customer_gets_nothing_from_any_campaign,
    order_notifications_go_out_at_night_once_per_status,
    a_notice_scheduled_before_the_order_was_cancelled_does_not_go_out,
    replays_schedule_nothing_twice,
    two_workers_never_send_one_text_twice,
    a_worker_lost_after_the_provider_took_the_text_does_not_send_it_again,
    a_pause_or_a_release_stops_pending_texts,
    a_store_may_narrow_its_hours_but_not_widen_them,
    editing_a_flow_keeps_its_scheduled_texts_with_the_new_wording,
    unknown_short_links_are_not_found,
    stats_count_a_campaign_larger_than_one_statement_can_bind,
    steps_due_after_the_carts_first_week_are_sent_unless_it_is_ordered,
    a_reminder_says_how_to_opt_out_whatever_the_store_and_customer_are_called,
    a_template_saved_with_pasted_spaces_in_its_braces_is_sent,
    a_text_that_never_arrived_is_not_credited_with_the_order,
);

/// 2026-06-02 (Pacific daylight time is UTC-7) at `h:m` UTC.
pub(crate) fn utc(h: u32, m: u32) -> NaiveDateTime {
    DateTime::parse_from_rfc3339("2026-06-02T00:00:00Z")
        .unwrap()
        .naive_utc()
        + Duration::hours(i64::from(h))
        + Duration::minutes(i64::from(m))
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

pub(crate) fn checkout(id: &str, cart: &str, phone: &str, at: NaiveDateTime) -> Value {
    json!({
        "id": id, "type": "checkout.updated", "occurred_at": rfc3339(at),
        "customer": {"phone": phone, "first_name": "Ada",
            "sms_consent": {"status": "granted", "source": "checkout"}},
        "cart": {"id": cart, "total": "178.00", "currency": "USD",
            "recovery_url": format!("https://shop.example.com/cart/{cart}")}
    })
}

pub(crate) fn order(id: &str, kind: &str, cart: Option<&str>, at: NaiveDateTime) -> Value {
    json!({
        "id": id, "type": kind, "occurred_at": rfc3339(at),
        "customer": {"phone": "+14155550123"},
        "order": {"id": "order-1", "number": "#1001", "total": "178.00", "currency": "USD",
            "cart_id": cart, "tracking_number": "1Z999", "tracking_url": "https://track.example.com/1Z999"}
    })
}

/// A store with a number and an active two-step cart flow (`delays` in minutes).
pub(crate) async fn store_with_flow(app: &TestApp, delays: [u32; 2]) -> (Session, i64) {
    let owner = app.signup("owner@maple.example").await;
    app.reserve_any(&owner, stocked_area_code()).await;
    let flow = json!({
        "kind": "abandoned_cart", "name": "Cart reminders",
        "steps": [
            {"delay_minutes": delays[0], "body": "Hi {{ first_name }}, your cart is waiting: {{ cart_url }}"},
            {"delay_minutes": delays[1], "body": "Last call, {{ first_name }}: {{ cart_url }}"}
        ]
    });
    let id = activate(app, &owner, &flow).await;
    (owner, id)
}

/// Creates `campaign` and activates it; its id.
pub(crate) async fn activate(app: &TestApp, owner: &Session, campaign: &Value) -> i64 {
    let created: Value = app
        .post("/api/v1/campaigns", Some(&owner.token), campaign)
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let response = app
        .post(
            &format!("/api/v1/campaigns/{id}/activate"),
            Some(&owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    id
}

pub(crate) async fn post(app: &TestApp, owner: &Session, event: &Value) {
    let response = app.post("/api/v1/events", Some(&owner.token), event).await;
    assert!(
        response.status().is_success(),
        "{}",
        response.text().await.unwrap()
    );
}

pub(crate) fn abandon(app: &TestApp, now: NaiveDateTime) -> usize {
    let mut conn = app.state.pool.get().unwrap();
    ingest::detect_abandonment(&mut conn, now).unwrap()
}

pub(crate) async fn pass(app: &TestApp, now: NaiveDateTime) -> PassReport {
    dispatch::run_pass(&app.state, "test-worker", now)
        .await
        .unwrap()
}

pub(crate) fn simulator(app: &TestApp) -> &Simulator {
    app.simulator.as_deref().unwrap()
}

/// (status, reason) of every outbox row, in id order.
pub(crate) fn outbox_rows(app: &TestApp) -> Vec<(String, Option<String>)> {
    let mut conn = app.state.pool.get().unwrap();
    outbox::table
        .order(outbox::id)
        .select((outbox::status, outbox::reason))
        .load(&mut *conn)
        .unwrap()
}

/// `GET /api/v1/campaigns/{campaign}/stats`, answered 200.
pub(crate) async fn campaign_results(app: &TestApp, owner: &Session, campaign: i64) -> Value {
    let response = app
        .get(&format!("/api/v1/campaigns/{campaign}/stats"), &owner.token)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn a_cart_abandoned_at_night_gets_its_first_step_at_eight(app: TestApp) {
    let (owner, campaign) = store_with_flow(&app, [15, 1440]).await;
    // 21:30 in San Francisco; abandoned an hour later, at 22:30.
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "(415) 555-0123", utc(4, 30)),
    )
    .await;
    assert_eq!(abandon(&app, utc(5, 30)), 1);
    assert_eq!(outbox_rows(&app).len(), 2, "both steps scheduled");

    let at_night = pass(&app, utc(5, 45)).await;
    assert_eq!(
        (at_night.claimed, at_night.deferred, at_night.sent),
        (1, 1, 0)
    );
    assert_eq!(
        pass(&app, utc(14, 59)).await.claimed,
        0,
        "nothing before 8:00"
    );
    let morning = pass(&app, utc(15, 0)).await;
    assert_eq!(morning.sent, 1, "{morning:?} {:?}", outbox_rows(&app));

    let sent = simulator(&app).sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "+14155550123");
    let body = &sent[0].body;
    assert!(
        body.starts_with("Store of owner@maple.example: Hi Ada, your cart is waiting: "),
        "{body}"
    );
    assert!(body.ends_with(" Reply STOP to opt out."), "{body}");
    // The link is a short link that counts the click and leads to the cart.
    let link = body.split_whitespace().find(|w| w.contains("/r/")).unwrap();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let followed = no_redirects.get(link).send().await.unwrap();
    assert_eq!(followed.status(), StatusCode::FOUND);
    assert_eq!(
        followed.headers()["location"],
        "https://shop.example.com/cart/cart-1"
    );
    let results = campaign_results(&app, &owner, campaign).await;
    assert_eq!(results["steps"][0]["sent"], 1);
    assert_eq!(results["steps"][0]["clicked"], 1);
    assert_eq!(results["steps"][1]["scheduled"], 1);
}

async fn an_order_between_steps_cancels_the_next_and_is_credited(app: TestApp) {
    let (owner, campaign) = store_with_flow(&app, [60, 1440]).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    abandon(&app, utc(17, 0));
    assert_eq!(pass(&app, utc(18, 0)).await.sent, 1);

    post(
        &app,
        &owner,
        &order("e2", "order.placed", Some("cart-1"), utc(19, 0)),
    )
    .await;
    let rows = outbox_rows(&app);
    assert_eq!(rows[1], ("cancelled".into(), Some("cart recovered".into())));
    let next_day = pass(&app, utc(17, 0) + Duration::days(1)).await;
    assert_eq!(next_day.claimed, 0);
    assert_eq!(simulator(&app).sent().len(), 1);

    let results = campaign_results(&app, &owner, campaign).await;
    assert_eq!(results["total"]["sent"], 1);
    assert_eq!(results["total"]["cancelled"], 1);
    // Ordered an hour after the reminder: the reminder gets the credit.
    assert_eq!(results["steps"][0]["orders"], 1);
    assert_eq!(results["steps"][0]["revenue_cents"], 17800);
    assert_eq!(results["currency"], "USD");
}

async fn an_opted_out_customer_gets_nothing_from_any_campaign(app: TestApp) {
    let (owner, _) = store_with_flow(&app, [60, 1440]).await;
    let shipped = json!({"kind": "order_shipped", "name": "Shipped",
        "steps": [{"delay_minutes": 0, "body": "Order {{ order_number }} shipped: {{ tracking_url }}"}]});
    activate(&app, &owner, &shipped).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    abandon(&app, utc(17, 0));
    {
        let mut conn = app.state.pool.get().unwrap();
        let contact = db::contacts::find_or_create_by_phone(
            &mut conn,
            owner.store_id,
            "+14155550123",
            db::now(),
        )
        .unwrap();
        db::contacts::mark_opted_out_all(&mut conn, &[contact.id], utc(17, 30)).unwrap();
    }
    let now = db::now();
    post(&app, &owner, &order("e2", "order.placed", None, now)).await;
    post(
        &app,
        &owner,
        &order("e3", "order.shipped", None, now + Duration::seconds(1)),
    )
    .await;
    let report = pass(&app, now + Duration::minutes(1)).await;
    assert_eq!(report.sent, 0, "{report:?}");
    assert!(report.cancelled >= 1, "{report:?}");
    let late = pass(&app, now + Duration::days(3)).await;
    assert_eq!(late.sent, 0, "{late:?}");
    assert!(simulator(&app).sent().is_empty());
    assert!(
        outbox_rows(&app)
            .iter()
            .all(|(status, _)| status == "cancelled"),
        "{:?}",
        outbox_rows(&app)
    );
}

/// The next 05:00 UTC after `now`: 21:00 or 22:00 in San Francisco, quiet hours there.
fn next_night(now: NaiveDateTime) -> NaiveDateTime {
    let today = now.date().and_hms_opt(5, 0, 0).unwrap();
    if today > now {
        today
    } else {
        today + Duration::days(1)
    }
}

async fn a_notice_scheduled_before_the_order_was_cancelled_does_not_go_out(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    app.reserve_any(&owner, stocked_area_code()).await;
    let shipped = json!({"kind": "order_shipped", "name": "Shipped",
        "steps": [{"delay_minutes": 0, "body": "Order {{ order_number }} is on its way: {{ tracking_url }}"}]});
    activate(&app, &owner, &shipped).await;
    let updates = json!({"kind": "order_update", "name": "Updates", "order_statuses": ["cancelled"],
        "steps": [{"delay_minutes": 0, "body": "Order {{ order_number }} is {{ order_status }}."}]});
    activate(&app, &owner, &updates).await;
    let now = db::now().with_nanosecond(0).unwrap();
    post(&app, &owner, &order("e1", "order.placed", None, now)).await;
    let at = |s: i64| now + Duration::seconds(s);
    post(&app, &owner, &order("e2", "order.shipped", None, at(1))).await;
    // Cancelled a moment later, before the dispatcher's next pass.
    post(&app, &owner, &order("e3", "order.cancelled", None, at(2))).await;

    let report = pass(&app, at(60)).await;
    assert_eq!((report.sent, report.cancelled), (1, 1), "{report:?}");
    let sent = simulator(&app).sent();
    assert!(
        sent[0].body.contains("Order #1001 is cancelled."),
        "{}",
        sent[0].body
    );
    assert_eq!(
        outbox_rows(&app),
        [
            (
                "cancelled".to_owned(),
                Some("the order was cancelled".to_owned())
            ),
            ("sent".to_owned(), None),
        ]
    );
}

async fn order_notifications_go_out_at_night_once_per_status(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    app.reserve_any(&owner, stocked_area_code()).await;
    let shipped = json!({"kind": "order_shipped", "name": "Shipped",
        "steps": [{"delay_minutes": 0, "body": "{{ store_name }}: order {{ order_number }} is on its way: {{ tracking_url }}"}]});
    let campaign = activate(&app, &owner, &shipped).await;
    let now = db::now().with_nanosecond(0).unwrap();
    post(&app, &owner, &order("e1", "order.placed", None, now)).await;
    post(
        &app,
        &owner,
        &order("e2", "order.shipped", None, now + Duration::seconds(1)),
    )
    .await;
    // A second "shipped" (another fulfillment) and a replay of the first: no new text.
    post(
        &app,
        &owner,
        &order("e3", "order.shipped", None, now + Duration::seconds(2)),
    )
    .await;
    post(
        &app,
        &owner,
        &order("e2", "order.shipped", None, now + Duration::seconds(1)),
    )
    .await;
    assert_eq!(outbox_rows(&app).len(), 1);

    let report = pass(&app, next_night(now)).await;
    assert_eq!(
        report.sent, 1,
        "transactional texts ignore quiet hours: {report:?}"
    );
    let sent = simulator(&app).sent();
    assert!(
        sent[0]
            .body
            .starts_with("Store of owner@maple.example: order #1001 is on its way: http"),
        "{}",
        sent[0].body
    );
    assert!(
        !sent[0].body.contains("STOP"),
        "no marketing language on a notification"
    );
    assert_eq!(
        campaign_results(&app, &owner, campaign).await["total"]["sent"],
        1
    );
}

async fn replays_schedule_nothing_twice(app: TestApp) {
    let (owner, _) = store_with_flow(&app, [60, 1440]).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    assert_eq!(abandon(&app, utc(17, 0)), 1);
    assert_eq!(abandon(&app, utc(17, 1)), 0, "abandoned once");
    // The same checkout again is a duplicate: the cart is not reopened.
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    let mut conn = app.state.pool.get().unwrap();
    let cart = db::carts::find_by_external(&mut conn, owner.store_id, "cart-1")
        .unwrap()
        .unwrap();
    let again = scheduling::schedule_cart_flows(&mut conn, &cart, utc(17, 0), utc(17, 2)).unwrap();
    assert_eq!(again, 0, "a replayed abandonment schedules nothing new");
    drop(conn);
    assert_eq!(outbox_rows(&app).len(), 2);
}

async fn two_workers_never_send_one_text_twice(app: TestApp) {
    let (owner, _) = store_with_flow(&app, [60, 1440]).await;
    let customers = 30;
    let events: Vec<Value> = (0..customers)
        .map(|i| {
            checkout(
                &format!("e{i}"),
                &format!("cart-{i}"),
                &format!("+1415555{:04}", 100 + i),
                utc(16, 0),
            )
        })
        .collect();
    let response = app
        .post(
            "/api/v1/events/batch",
            Some(&owner.token),
            &json!({"events": events}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(abandon(&app, utc(17, 0)), customers);

    // Unpaced and in small batches, so both workers take part.
    let mut state = app.state.clone();
    state.dispatch.send_interval = Duration::zero();
    state.dispatch.batch_size = 4;
    let now = utc(18, 0);
    let worker = |name: &'static str| {
        let state = state.clone();
        tokio::spawn(async move {
            let mut sent = 0;
            loop {
                let report = dispatch::run_pass(&state, name, now).await.unwrap();
                sent += report.sent;
                if report.claimed == 0 {
                    return sent;
                }
            }
        })
    };
    let (a, b) = (worker("a"), worker("b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let sent = simulator(&app).sent();
    assert_eq!(a + b, customers);
    assert_eq!(sent.len(), customers, "each text once");
    let mut recipients: Vec<&str> = sent.iter().map(|s| s.to.as_str()).collect();
    recipients.sort_unstable();
    recipients.dedup();
    assert_eq!(recipients.len(), customers, "no recipient twice");
}

/// How a send goes wrong in [`FaultySends`].
#[derive(Clone, Copy)]
pub(crate) enum SendFault {
    /// Fails as a timeout would, before the text reaches the provider: the dispatcher cannot
    /// tell whether it went out.
    TimesOut,
    /// Hands the text to the provider, then never answers: as if the worker died right after
    /// the provider took the text, before it could record it.
    VanishesAfterSending,
}

/// The simulator, except that every send goes wrong as `SendFault` says.
pub(crate) struct FaultySends(pub Arc<Simulator>, pub SendFault);

#[async_trait]
impl SmsProvider for FaultySends {
    async fn search_available(
        &self,
        search: &NumberSearch,
    ) -> Result<Vec<AvailableNumber>, ProviderError> {
        self.0.search_available(search).await
    }
    async fn reserve(
        &self,
        number: &str,
        webhooks: &NumberWebhooks,
    ) -> Result<ReservedNumber, ProviderError> {
        self.0.reserve(number, webhooks).await
    }
    async fn release(&self, sid: &str) -> Result<(), ProviderError> {
        self.0.release(sid).await
    }
    async fn find_owned(&self, number: &str) -> Result<Option<ReservedNumber>, ProviderError> {
        self.0.find_owned(number).await
    }
    async fn send(&self, sms: &OutboundSms) -> Result<ProviderMessage, ProviderError> {
        match self.1 {
            SendFault::TimesOut => Err(ProviderError::Unavailable("timed out".into())),
            SendFault::VanishesAfterSending => {
                self.0.send(sms).await?;
                std::future::pending().await
            }
        }
    }
    async fn fetch_message(&self, sid: &str) -> Result<ProviderMessage, ProviderError> {
        self.0.fetch_message(sid).await
    }
    async fn sent_messages(
        &self,
        from: &str,
        to: &str,
        since: chrono::NaiveDate,
    ) -> Result<Vec<SentMessage>, ProviderError> {
        self.0.sent_messages(from, to, since).await
    }
}

async fn a_worker_lost_after_the_provider_took_the_text_does_not_send_it_again(app: TestApp) {
    let (owner, campaign) = store_with_flow(&app, [60, 1440]).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    abandon(&app, utc(17, 0));
    let mut doomed = app.state.clone();
    doomed.sms = Arc::new(FaultySends(
        app.simulator.clone().unwrap(),
        SendFault::VanishesAfterSending,
    ));
    let doomed_pass =
        tokio::spawn(async move { dispatch::run_pass(&doomed, "doomed", utc(18, 0)).await });
    for _ in 0..400 {
        if !simulator(&app).sent().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    // The worker dies with the text at the provider and nothing recorded.
    doomed_pass.abort();
    assert!(doomed_pass.await.is_err_and(|e| e.is_cancelled()));
    assert_eq!(simulator(&app).sent().len(), 1, "the provider has the text");
    assert_eq!(outbox_rows(&app)[0].0, "sending");

    // Within the lease nobody touches it; after it, the reconciler finds it at the provider.
    assert_eq!(pass(&app, utc(18, 1)).await, PassReport::default());
    let after_lease = pass(&app, utc(18, 5)).await;
    assert_eq!(after_lease.reconciled, 1, "{after_lease:?}");
    assert_eq!(outbox_rows(&app)[0].0, "sent");
    assert_eq!(simulator(&app).sent().len(), 1, "not sent a second time");
    assert_eq!(
        campaign_results(&app, &owner, campaign).await["steps"][0]["sent"],
        1
    );
}

async fn a_pause_or_a_release_stops_pending_texts(app: TestApp) {
    let (owner, campaign) = store_with_flow(&app, [60, 1440]).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    abandon(&app, utc(17, 0));
    let response = app
        .post(
            &format!("/api/v1/campaigns/{campaign}/pause"),
            Some(&owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        outbox_rows(&app)
            .iter()
            .all(|row| *row == ("cancelled".into(), Some("campaign paused".into())))
    );

    // Active again, a new abandonment; then the number goes.
    app.post(
        &format!("/api/v1/campaigns/{campaign}/activate"),
        Some(&owner.token),
        &json!({}),
    )
    .await;
    post(
        &app,
        &owner,
        &checkout("e2", "cart-1", "+14155550123", utc(18, 0)),
    )
    .await;
    abandon(&app, utc(19, 0));
    let numbers: Value = app
        .get("/api/v1/numbers", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let number = &numbers["active"]["id"];
    let released = app
        .delete(&format!("/api/v1/numbers/{number}"), &owner.token)
        .await;
    assert!(released.status().is_success());
    let rows = outbox_rows(&app);
    assert_eq!(rows.len(), 4);
    assert!(
        rows[2..]
            .iter()
            .all(|row| *row == ("cancelled".into(), Some("number released".into()))),
        "{rows:?}"
    );
    assert_eq!(pass(&app, utc(23, 0) + Duration::days(2)).await.sent, 0);
    assert!(simulator(&app).sent().is_empty());
}

async fn unknown_short_links_are_not_found(app: TestApp) {
    for code in ["nope1234", "bad%20code", "x".repeat(40).as_str()] {
        let response = app
            .http
            .get(app.url(&format!("/r/{code}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{code}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}

async fn a_store_may_narrow_its_hours_but_not_widen_them(app: TestApp) {
    let (owner, _) = store_with_flow(&app, [15, 1440]).await;
    for (body, field) in [
        (
            json!({"sending_hours": {"start_hour": 7, "end_hour": 22}}),
            "sending_hours",
        ),
        (
            json!({"sending_hours": {"start_hour": 12, "end_hour": 10}}),
            "sending_hours",
        ),
        (json!({"marketing_per_day": 5}), "marketing_per_day"),
    ] {
        let refused = app
            .request(reqwest::Method::PATCH, "/api/v1/store", Some(&owner.token))
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = textback_tests::problem(refused, 422).await;
        assert_eq!(problem.errors[0].field, field, "{body}");
    }
    let narrowed: Value = app
        .request(reqwest::Method::PATCH, "/api/v1/store", Some(&owner.token))
        .json(&json!({"sending_hours": {"start_hour": 10, "end_hour": 18}, "marketing_per_day": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        narrowed["sending_hours"],
        json!({"start_hour": 10, "end_hour": 18})
    );
    assert_eq!(narrowed["marketing_per_day"], 1);

    // Abandoned at 8:45 in San Francisco: the first step waits for 10:00 there.
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(14, 45)),
    )
    .await;
    abandon(&app, utc(15, 45));
    let early = pass(&app, utc(16, 0)).await;
    assert_eq!((early.deferred, early.sent), (1, 0), "{early:?}");
    assert_eq!(pass(&app, utc(17, 0)).await.sent, 1);
}

async fn editing_a_flow_keeps_its_scheduled_texts_with_the_new_wording(app: TestApp) {
    let (owner, campaign) = store_with_flow(&app, [60, 1440]).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    abandon(&app, utc(17, 0));
    let edit = json!({"steps": [
        {"delay_minutes": 60, "body": "Still there, {{ first_name }}? {{ cart_url }}"},
        {"delay_minutes": 1440, "body": "Last call: {{ cart_url }}"}]});
    let response = app
        .request(
            reqwest::Method::PATCH,
            &format!("/api/v1/campaigns/{campaign}"),
            Some(&owner.token),
        )
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(outbox_rows(&app).len(), 2, "the scheduled texts stay");
    assert_eq!(pass(&app, utc(18, 0)).await.sent, 1);
    assert!(simulator(&app).sent()[0].body.contains("Still there, Ada?"));
}

/// A cart stays abandoned while its flow has steps to send, however long after a week idle
/// they fall (a step 10 days out, or one near 7 days pushed past the week by quiet hours):
/// only an order or the customer's return cancels them. It expires once they are out.
async fn steps_due_after_the_carts_first_week_are_sent_unless_it_is_ordered(app: TestApp) {
    const DAY: u32 = 24 * 60;
    let (owner, _) = store_with_flow(&app, [7 * DAY - 120, 10 * DAY]).await;
    // Ada and Bob leave their carts at 21:30 in San Francisco; abandoned at 22:30.
    for (id, cart, phone) in [
        ("e1", "cart-1", "+14155550123"),
        ("e2", "cart-2", "+14155550124"),
    ] {
        post(&app, &owner, &checkout(id, cart, phone, utc(4, 30))).await;
    }
    assert_eq!(abandon(&app, utc(5, 30)), 2);
    let week = Duration::days(7);
    let status = |cart: &str| {
        let mut conn = app.state.pool.get().unwrap();
        db::carts::find_by_external(&mut conn, owner.store_id, cart)
            .unwrap()
            .unwrap()
            .status
    };

    // The first step falls due at 20:30 on day 7: quiet hours push it to 8:00 the next
    // morning, past the week since the carts' last activity.
    let evening = pass(&app, utc(3, 30) + week).await;
    assert_eq!((evening.deferred, evening.sent), (2, 0), "{evening:?}");
    abandon(&app, utc(6, 0) + week);
    // One text a second from the store's number: the second goes a second later.
    let morning = pass(&app, utc(15, 0) + week).await.sent
        + pass(&app, utc(15, 0) + week + Duration::seconds(1))
            .await
            .sent;
    assert_eq!(morning, 2, "{:?}", outbox_rows(&app));
    assert_eq!(
        (status("cart-1"), status("cart-2")),
        ("abandoned".into(), "abandoned".into())
    );

    // Bob orders on day 8 (no cart named: his latest waiting cart is taken): his cart is
    // recovered and his last step cancelled.
    let bob_orders = json!({
        "id": "e3", "type": "order.placed", "occurred_at": rfc3339(utc(18, 0) + Duration::days(8)),
        "customer": {"phone": "+14155550124"},
        "order": {"id": "order-2", "number": "#1002", "total": "178.00", "currency": "USD"}
    });
    post(&app, &owner, &bob_orders).await;
    assert_eq!(status("cart-2"), "recovered");
    abandon(&app, utc(0, 0) + Duration::days(9));
    assert_eq!(status("cart-1"), "abandoned");

    // Ada's 10-day step goes out at 8:00 after its 22:30 due time.
    let tenth_night = pass(&app, utc(5, 30) + Duration::days(10)).await;
    assert_eq!((tenth_night.claimed, tenth_night.deferred), (1, 1));
    let tenth_morning = pass(&app, utc(15, 0) + Duration::days(10)).await;
    assert_eq!(tenth_morning.sent, 1, "{tenth_morning:?}");
    let sent = simulator(&app).sent();
    assert_eq!(sent.iter().filter(|s| s.to == "+14155550123").count(), 2);
    assert!(sent.last().unwrap().body.contains("Last call, Ada"));
    let rows = outbox_rows(&app);
    assert_eq!(
        rows.iter().filter(|(status, _)| status == "sent").count(),
        3
    );
    assert!(
        rows.contains(&("cancelled".into(), Some("cart recovered".into()))),
        "{rows:?}"
    );

    // Nothing left to send: the cart expires.
    abandon(&app, utc(16, 0) + Duration::days(10));
    assert_eq!(status("cart-1"), "expired");
}

/// A campaign that has texted more people than one statement can bind (SQLite: 32,766) still
/// has its stats counted: what its texts led to is read by campaign, not by lists of ids.
async fn stats_count_a_campaign_larger_than_one_statement_can_bind(app: TestApp) {
    use textback_api::db::schema::campaign_steps;
    let (owner, campaign) = store_with_flow(&app, [60, 1440]).await;
    let store = owner.store_id;
    let mut conn = app.state.pool.get().unwrap();
    let step: i64 = campaign_steps::table
        .filter(campaign_steps::campaign_id.eq(campaign))
        .order(campaign_steps::position)
        .select(campaign_steps::id)
        .first(&mut *conn)
        .unwrap();
    // 33,000 customers, each sent the first step at noon. Every 1,000th opted out at 12:30,
    // every 500th replied at 12:10, every 250th clicked, every 2,000th ordered ($10) because
    // of it; picked by the seeded numbers' last digits. Replies and opt-outs count within 24
    // hours of the text, both ends included: 33 replied at noon the next day and count; 33
    // texted before it, 33 replied a second too late and 33 opted out an hour too late, and
    // none of them count. The same SQL on both databases.
    let sent = "'2026-06-01 12:00:00'";
    let seeded = format!("c.store_id = {store} AND c.phone LIKE '+14153%'");
    let ending = |endings: &[&str]| {
        let any: Vec<String> = endings
            .iter()
            .map(|e| format!("c.phone LIKE '%{e}'"))
            .collect();
        format!("({})", any.join(" OR "))
    };
    let texts = "FROM messages m JOIN contacts c ON c.id = m.contact_id";
    let replies_at = |at: &str, endings: &[&str]| {
        format!(
            "INSERT INTO messages (store_id, thread_id, contact_id, direction, kind, body, status, \
             segments, from_number, to_number, created_at, updated_at, marketing) \
             SELECT t.store_id, t.id, t.contact_id, 'inbound', 'customer', 'Thanks', 'received', \
             1, c.phone, '+16285550100', '{at}', '{at}', FALSE \
             FROM threads t JOIN contacts c ON c.id = t.contact_id \
             AND c.store_id = t.store_id WHERE {seeded} AND {}",
            ending(endings)
        )
    };
    for sql in [
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 32999) \
             INSERT INTO contacts (store_id, phone, phone_raw, textable, sms_consent, created_at, \
             updated_at) SELECT {store}, '+1415' || CAST(3000000 + i AS TEXT), NULL, TRUE, \
             'granted', {sent}, {sent} FROM n"
        ),
        format!(
            "UPDATE contacts SET opted_out_at = '2026-06-01 12:30:00' WHERE id IN \
             (SELECT c.id FROM contacts c WHERE {seeded} AND {})",
            ending(&["000"])
        ),
        format!(
            "UPDATE contacts SET opted_out_at = '2026-06-02 13:00:00' WHERE id IN \
             (SELECT c.id FROM contacts c WHERE {seeded} AND {})",
            ending(&["100"])
        ),
        // Each opt-out's STOP, as the audit trail keeps it.
        format!(
            "INSERT INTO consent_events (store_id, contact_id, status, source, occurred_at, \
             recorded_at) SELECT c.store_id, c.id, 'denied', 'keyword', c.opted_out_at, \
             c.opted_out_at FROM contacts c WHERE {seeded} AND c.opted_out_at IS NOT NULL"
        ),
        format!(
            "INSERT INTO threads (store_id, contact_id, last_message_at, last_message_preview, \
             unread_count, created_at) SELECT c.store_id, c.id, {sent}, 'Hi', 0, {sent} \
             FROM contacts c WHERE {seeded}"
        ),
        format!(
            "INSERT INTO messages (store_id, thread_id, contact_id, direction, kind, body, status, \
             segments, from_number, to_number, created_at, updated_at, campaign_id, step_id, \
             marketing, sent_at) SELECT t.store_id, t.id, t.contact_id, 'outbound', 'automated', \
             'Hi', 'delivered', 1, '+16285550100', c.phone, {sent}, {sent}, {campaign}, {step}, \
             TRUE, {sent} FROM threads t JOIN contacts c ON c.id = t.contact_id \
             AND c.store_id = t.store_id WHERE {seeded}"
        ),
        replies_at("2026-06-01 12:10:00", &["000", "500"]),
        replies_at("2026-06-02 12:00:00", &["125"]),
        replies_at("2026-06-01 11:59:00", &["375"]),
        replies_at("2026-06-02 12:00:01", &["625"]),
        format!(
            "INSERT INTO short_links (code, store_id, message_id, target_url, clicks, \
             first_clicked_at, last_clicked_at, created_at) SELECT 'seed' || CAST(m.id AS TEXT), \
             m.store_id, m.id, 'https://shop.example.com', 1, {sent}, {sent}, {sent} {texts} \
             WHERE m.campaign_id = {campaign} AND {seeded} AND {}",
            ending(&["000", "250", "500", "750"])
        ),
        format!(
            "INSERT INTO orders (store_id, contact_id, external_id, status, line_items, \
             total_cents, currency, placed_at, last_event_at, created_at, updated_at, \
             attributed_message_id) SELECT m.store_id, m.contact_id, \
             'seed-' || CAST(m.id AS TEXT), 'placed', '[]', 1000, 'USD', {sent}, {sent}, {sent}, \
             {sent}, m.id {texts} WHERE m.campaign_id = {campaign} AND {seeded} AND {}",
            ending(&["0000", "2000", "4000", "6000", "8000"])
        ),
    ] {
        diesel::sql_query(&sql).execute(&mut *conn).unwrap();
    }
    drop(conn);

    let total = &campaign_results(&app, &owner, campaign).await["total"];
    let counted: Vec<&Value> = [
        "sent",
        "delivered",
        "clicked",
        "replied",
        "opted_out",
        "orders",
    ]
    .iter()
    .map(|field| &total[field])
    .collect();
    assert_eq!(
        counted,
        [
            &json!(33_000),
            &json!(33_000),
            &json!(132),
            &json!(99),
            &json!(33),
            &json!(17)
        ],
        "{total}"
    );
    assert_eq!(total["revenue_cents"], 17_000);
}

/// Opt-out language and the sender's name are judged on the merchant's words: a store called
/// "Pit Stop" does not tell the customer how to opt out, and a customer's name is no message.
async fn a_reminder_says_how_to_opt_out_whatever_the_store_and_customer_are_called(app: TestApp) {
    let (owner, _) = store_with_flow(&app, [60, 1440]).await;
    let renamed = app
        .request(reqwest::Method::PATCH, "/api/v1/store", Some(&owner.token))
        .json(&json!({"name": "Pit Stop Outfitters"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);
    let mut ada = checkout("e1", "cart-1", "+14155550123", utc(16, 0));
    ada["customer"]["first_name"] = json!("Ada");
    let mut stranger = checkout("e2", "cart-2", "+14155550124", utc(16, 0));
    stranger["customer"]["first_name"] =
        json!("Stop\nYour account is locked: https://phish.example/login");
    post(&app, &owner, &ada).await;
    post(&app, &owner, &stranger).await;
    abandon(&app, utc(17, 0));
    // One number sends one text a second.
    let first = pass(&app, utc(18, 0)).await.sent;
    assert_eq!(
        first + pass(&app, utc(18, 0) + Duration::seconds(1)).await.sent,
        2
    );
    let mut sent = simulator(&app).sent();
    sent.sort_by(|a, b| a.to.cmp(&b.to));
    for (text, greeting) in sent.iter().zip(["Hi Ada,", "Hi there,"]) {
        assert!(
            text.body.starts_with(&format!(
                "Pit Stop Outfitters: {greeting} your cart is waiting: "
            )),
            "{}",
            text.body
        );
        assert!(
            text.body.ends_with(" Reply STOP to opt out."),
            "{}",
            text.body
        );
        assert!(
            !text.body.contains('\n') && !text.body.contains("phish"),
            "{}",
            text.body
        );
    }
}

/// A non-breaking space pasted into `{{ first_name }}` is accepted by the editor, so the
/// reminders it saves must go out, not be dropped at send time as unreadable.
async fn a_template_saved_with_pasted_spaces_in_its_braces_is_sent(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    app.reserve_any(&owner, stocked_area_code()).await;
    let flow = json!({"kind": "abandoned_cart", "name": "Pasted",
        "steps": [{"delay_minutes": 60, "body": "Hi {{\u{a0}first_name\u{a0}}}, your cart: {{ cart_url }}"}]});
    activate(&app, &owner, &flow).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    abandon(&app, utc(17, 0));
    let report = pass(&app, utc(18, 0)).await;
    assert_eq!(report.sent, 1, "{report:?} {:?}", outbox_rows(&app));
    assert!(
        simulator(&app).sent()[0]
            .body
            .starts_with("Store of owner@maple.example: Hi Ada, your cart: http"),
        "{}",
        simulator(&app).sent()[0].body
    );
}

async fn a_text_that_never_arrived_is_not_credited_with_the_order(app: TestApp) {
    let (owner, campaign) = store_with_flow(&app, [60, 1440]).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    abandon(&app, utc(17, 0));
    assert_eq!(pass(&app, utc(18, 0)).await.sent, 1);
    // The carrier could not deliver the reminder (the simulator reports texts delivered at
    // once; Twilio says `sent` first).
    let sid = simulator(&app).sent()[0].provider_sid.clone();
    {
        let mut conn = app.state.pool.get().unwrap();
        let id = db::messages::find_by_provider_sid(&mut conn, &sid)
            .unwrap()
            .expect("the reminder")
            .id;
        db::messages::set_status(&mut conn, id, "sent", None, utc(18, 0)).unwrap();
    }
    let report = [
        ("MessageSid", sid.as_str()),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "30003"),
    ];
    let response = app
        .post_twilio_webhook("/webhooks/twilio/status", &report, None)
        .await;
    assert!(response.status().is_success());

    post(
        &app,
        &owner,
        &order("e2", "order.placed", Some("cart-1"), utc(19, 0)),
    )
    .await;
    let results = campaign_results(&app, &owner, campaign).await;
    assert_eq!(results["total"]["failed"], 1, "{results}");
    assert_eq!(results["total"]["orders"], 0, "{results}");
    assert_eq!(results["total"]["revenue_cents"], 0, "{results}");
}
