//! `textback demo`: the demo store, made through the product's own code paths, following its
//! rules, and made only once.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use textback_api::db::schema::{
    campaigns, carts, consent_events, contacts, events, messages, orders, outbox, short_links,
    threads,
};
use textback_api::demo::{self, Outcome, Size};
use textback_shared::quiet_hours::Recipient;
use textback_tests::{Backend, TestApp, on_both_databases};

on_both_databases!(the_demo_store_is_alive_follows_the_rules_and_is_made_once);

/// The full demo on SQLite; a smaller one on PostgreSQL, where every statement is a round trip.
fn size(app: &TestApp) -> Size {
    match app.backend {
        Backend::Sqlite => Size::FULL,
        Backend::Postgres => Size {
            contacts: 120,
            days: 30,
        },
    }
}

async fn make(app: &TestApp, size: Size) -> Outcome {
    let simulator = app.simulator.as_deref().expect("the simulator");
    demo::run(&app.state, simulator, size)
        .await
        .expect("the demo")
}

async fn the_demo_store_is_alive_follows_the_rules_and_is_made_once(app: TestApp) {
    let size = size(&app);
    let Outcome::Created(made) = make(&app, size).await else {
        panic!("the first run makes the store");
    };
    assert_eq!(made.contacts, size.contacts);

    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": demo::EMAIL, "password": demo::PASSWORD}),
        )
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let session: Value = login.json().await.unwrap();
    let token = session["token"].as_str().unwrap().to_owned();
    let store_id = session["store"]["id"].as_i64().unwrap();
    assert_eq!(session["store"]["name"], demo::STORE_NAME);
    assert_eq!(session["store"]["region"], "OR");

    let numbers: Value = app
        .get("/api/v1/numbers", &token)
        .await
        .json()
        .await
        .unwrap();
    assert!(numbers["active"]["phone_number"].is_string(), "{numbers}");

    let list: Value = app
        .get("/api/v1/campaigns", &token)
        .await
        .json()
        .await
        .unwrap();
    let mut kinds: Vec<(&str, &str, usize)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let steps = c["steps"].as_array().unwrap().len();
            (
                c["kind"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                steps,
            )
        })
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            ("abandoned_cart", "active", 3),
            ("order_on_hold", "active", 1),
            ("order_shipped", "active", 1),
            ("order_update", "active", 1),
        ]
    );
    let flow = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "abandoned_cart")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let stats: Value = app
        .get(&format!("/api/v1/campaigns/{flow}/stats"), &token)
        .await
        .json()
        .await
        .unwrap();
    for figure in [
        "sent",
        "delivered",
        "clicked",
        "replied",
        "opted_out",
        "orders",
        "revenue_cents",
    ] {
        assert!(
            stats["total"][figure].as_i64().unwrap() > 0,
            "{figure}: {stats}"
        );
    }

    // The dashboard's figures are there at once: the demo sums its history.
    let results: Value = app.get("/api/v1/stats", &token).await.json().await.unwrap();
    for figure in [
        "messages_sent",
        "delivered",
        "clicks",
        "carts_abandoned",
        "carts_recovered",
        "revenue_recovered_cents",
    ] {
        assert!(
            results["totals"][figure].as_i64().unwrap() > 0,
            "{figure}: {results}"
        );
    }
    assert_eq!(results["campaigns"].as_array().unwrap().len(), 4);

    // A few customers in a hundred opt out: the smaller demo may have just one.
    let opt_outs = if size == Size::FULL { 2 } else { 1 };
    for (filter, at_least) in [("awaiting_reply", 1), ("opted_out", opt_outs)] {
        let threads: Value = app
            .get(
                &format!("/api/v1/threads?filter={filter}&limit=100"),
                &token,
            )
            .await
            .json()
            .await
            .unwrap();
        let found = threads["items"].as_array().unwrap().len();
        assert!(found >= at_least, "{filter}: {found}");
    }

    let mut conn = app.state.pool.get().unwrap();
    let contacts: Vec<(String, String, Option<NaiveDateTime>)> = contacts::table
        .filter(contacts::store_id.eq(store_id))
        .select((
            contacts::phone.assume_not_null(),
            contacts::sms_consent,
            contacts::opted_out_at,
        ))
        .load(&mut *conn)
        .unwrap();
    assert_eq!(contacts.len(), size.contacts);
    // Everyone signed up for texts; those who opted out since are recorded as denied.
    assert!(
        contacts
            .iter()
            .all(|(_, consent, out)| consent == "granted" || out.is_some())
    );
    let opted_out: HashMap<&str, NaiveDateTime> = contacts
        .iter()
        .filter_map(|(phone, _, at)| Some((phone.as_str(), (*at)?)))
        .collect();
    assert!(opted_out.len() >= opt_outs, "{}", opted_out.len());
    if size == Size::FULL {
        // By keyword, and in the customer's own words.
        let notes: Vec<Option<String>> = consent_events::table
            .filter(consent_events::store_id.eq(store_id))
            .filter(consent_events::status.eq("denied"))
            .select(consent_events::note)
            .load(&mut *conn)
            .unwrap();
        let notes: Vec<String> = notes.into_iter().flatten().collect();
        assert!(
            notes
                .iter()
                .any(|n| n.to_lowercase().contains("\u{201c}stop\u{201d}")),
            "{notes:?}"
        );
        assert!(
            notes.iter().any(|n| n.to_lowercase().contains("no more")),
            "{notes:?}"
        );
    }

    let sent: Vec<(String, NaiveDateTime, bool)> = messages::table
        .filter(messages::store_id.eq(store_id))
        .filter(messages::direction.eq("outbound"))
        .filter(messages::status.eq("delivered"))
        .select((
            messages::to_number,
            messages::sent_at.assume_not_null(),
            messages::marketing,
        ))
        .load(&mut *conn)
        .unwrap();
    let first = sent.iter().map(|(_, at, _)| *at).min().unwrap();
    let last = sent.iter().map(|(_, at, _)| *at).max().unwrap();
    assert!(
        last - first > Duration::days(size.days - 3),
        "texts from {first} to {last}"
    );
    let mut marketing: HashMap<&str, Vec<NaiveDateTime>> = HashMap::new();
    for (to, at, is_marketing) in &sent {
        if !is_marketing {
            continue;
        }
        assert!(
            opted_out.get(to.as_str()).is_none_or(|out| at < out),
            "a cart reminder to {to} at {at}, after the opt-out"
        );
        // The demo's customers live where their number says (see the catalogue's test).
        let recipient = Recipient::locate(to, None).unwrap();
        assert_eq!(
            recipient.next_allowed(at.and_utc()),
            Some(at.and_utc()),
            "a cart reminder to {to} at {at} UTC, in quiet hours"
        );
        marketing.entry(to).or_default().push(*at);
    }
    assert!(marketing.values().map(Vec::len).sum::<usize>() > 100);
    for (to, mut times) in marketing {
        times.sort_unstable();
        for three in times.windows(3) {
            assert!(
                three[2] - three[0] >= Duration::hours(24),
                "three reminders to {to} within a day: {three:?}"
            );
        }
    }

    let credited: Vec<i64> = orders::table
        .filter(orders::store_id.eq(store_id))
        .filter(orders::attributed_message_id.is_not_null())
        .select(orders::total_cents)
        .load(&mut *conn)
        .unwrap();
    assert!(credited.iter().sum::<i64>() > 0);
    let inbound: i64 = messages::table
        .filter(messages::store_id.eq(store_id))
        .filter(messages::direction.eq("inbound"))
        .select(count_star())
        .first(&mut *conn)
        .unwrap();
    assert!(inbound > 10, "{inbound}");
    drop(conn);

    let before = counts(&app);
    assert_eq!(make(&app, size).await, Outcome::AlreadyThere);
    assert_eq!(counts(&app), before);
}

/// Rows in every table the demo writes, and the clicks counted.
fn counts(app: &TestApp) -> Vec<i64> {
    let mut conn = app.state.pool.get().unwrap();
    let conn = &mut *conn;
    vec![
        campaigns::table.count().get_result(conn).unwrap(),
        contacts::table.count().get_result(conn).unwrap(),
        carts::table.count().get_result(conn).unwrap(),
        orders::table.count().get_result(conn).unwrap(),
        events::table.count().get_result(conn).unwrap(),
        threads::table.count().get_result(conn).unwrap(),
        messages::table.count().get_result(conn).unwrap(),
        outbox::table.count().get_result(conn).unwrap(),
        short_links::table
            .select(diesel::dsl::sum(short_links::clicks))
            .first::<Option<i64>>(conn)
            .unwrap()
            .unwrap_or_default(),
    ]
}
