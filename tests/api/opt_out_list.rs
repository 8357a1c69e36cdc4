//! The opt-outs resource: adding a store's own suppression list, listing and exporting it,
//! resubscribing only with evidence, and unsubscribing a customer from their thread.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use textback_tests::{Session, TestApp, on_both_databases, problem};

use crate::dispatch::{abandon, checkout, outbox_rows, post, store_with_flow, utc};

on_both_databases!(
    a_suppression_list_is_added_listed_and_exported,
    a_list_longer_than_one_statement_can_bind_is_exported_whole,
    a_full_list_opts_out_each_number_once,
    resubscribing_needs_evidence_of_consent,
    a_customer_can_be_unsubscribed_from_their_thread,
);

async fn add(app: &TestApp, owner: &Session, body: &Value) -> reqwest::Response {
    app.post("/api/v1/opt-outs", Some(&owner.token), body).await
}

async fn list(app: &TestApp, owner: &Session, query: &str) -> Value {
    let response = app
        .get(&format!("/api/v1/opt-outs{query}"), &owner.token)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn a_suppression_list_is_added_listed_and_exported(app: TestApp) {
    let (owner, _) = store_with_flow(&app, [60, 1440]).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    abandon(&app, utc(17, 0));

    let phones = json!({"phones": ["+1 415 555 0123", "(212) 555-0188", "555-SHIP", "+44 20 7183 8750"],
        "note": "asked by email"});
    let added: Value = add(&app, &owner, &phones).await.json().await.unwrap();
    assert_eq!(
        added,
        json!({"added": 2, "already_opted_out": 0, "invalid": ["555-SHIP", "+44 20 7183 8750"]})
    );
    let again: Value = add(&app, &owner, &phones).await.json().await.unwrap();
    assert_eq!(again["already_opted_out"], 2);
    // The known customer's pending reminders are cancelled at once.
    assert!(
        outbox_rows(&app)
            .iter()
            .all(|(s, r)| s == "cancelled" && r.as_deref() == Some("the customer opted out"))
    );

    let all = list(&app, &owner, "").await;
    let items = all["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["source"], "manual");
    assert_eq!(items[0]["note"], "asked by email");
    assert_eq!(
        list(&app, &owner, "?q=(212)%20555").await["items"][0]["phone"],
        "+12125550188"
    );
    let first = list(&app, &owner, "?limit=1").await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = list(&app, &owner, &format!("?limit=1&cursor={cursor}")).await;
    assert_ne!(first["items"][0]["phone"], second["items"][0]["phone"]);

    let csv = app.get("/api/v1/opt-outs.csv", &owner.token).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "phone,opted_out_at,source,note");
    assert_eq!(lines.len(), 3);
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.ends_with(",manual,asked by email")),
        "{text}"
    );

    for bad in [
        json!({"phones": []}),
        json!({"phones": vec!["+14155550100"; 1001]}),
    ] {
        assert_eq!(
            problem(add(&app, &owner, &bad).await, 422).await.errors[0].field,
            "phones"
        );
    }
}

/// The largest list one request takes: new numbers, a known customer with a reminder on
/// its way, a number already on the list, one number twice in two formats, and one that is
/// not a number. Each number is opted out once, with one audit row.
async fn a_full_list_opts_out_each_number_once(app: TestApp) {
    let (owner, _) = store_with_flow(&app, [60, 1440]).await;
    post(
        &app,
        &owner,
        &checkout("e1", "cart-1", "+14155550123", utc(16, 0)),
    )
    .await;
    abandon(&app, utc(17, 0));
    let earlier = json!({"phones": ["+14155550456"], "note": "asked by phone"});
    assert_eq!(add(&app, &owner, &earlier).await.status(), StatusCode::OK);

    let mut phones: Vec<String> = (0..998).map(|n| format!("+1 415 555 {n:04}")).collect();
    phones.push("(415) 555-0789".into());
    phones.push("555-SHIP".into());
    let body = json!({"phones": phones, "note": "suppression list"});
    let response = add(&app, &owner, &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"added": 997, "already_opted_out": 2, "invalid": ["555-SHIP"]})
    );

    let csv = app.get("/api/v1/opt-outs.csv", &owner.token).await;
    let text = csv.text().await.unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 998, "one row per number");
    assert_eq!(
        rows.iter()
            .filter(|r| r.ends_with(",manual,suppression list"))
            .count(),
        997
    );
    assert!(
        outbox_rows(&app)
            .iter()
            .all(|(s, r)| s == "cancelled" && r.as_deref() == Some("the customer opted out")),
        "the known customer's reminder is cancelled"
    );
    for (phone, note) in [
        ("0123", "suppression list"),
        ("0456", "asked by phone"),
        ("0789", "suppression list"),
    ] {
        let found = list(&app, &owner, &format!("?q=555{phone}")).await;
        let id = &found["items"][0]["contact_id"];
        let detail: Value = app
            .get(&format!("/api/v1/contacts/{id}"), &owner.token)
            .await
            .json()
            .await
            .unwrap();
        let denied: Vec<&Value> = detail["consent_history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|change| change["status"] == "denied")
            .collect();
        assert_eq!(denied.len(), 1, "{phone}: {detail}");
        assert_eq!(denied[0]["source"], "manual");
        assert_eq!(denied[0]["note"], note);
    }
}

/// More opt-outs than SQLite binds in one statement (32,766): the export still has them all.
async fn a_list_longer_than_one_statement_can_bind_is_exported_whole(app: TestApp) {
    const SEEDED: usize = 33_000;
    let owner = app.signup("owner@maple.example").await;
    let body = json!({"phones": ["+1 415 555 0123"], "note": "asked by email"});
    assert_eq!(add(&app, &owner, &body).await.status(), StatusCode::OK);
    // The rest as an imported list would leave them (adding 33,000 through the API, 1,000 a
    // request, takes half a minute in a debug build). Same SQL on both databases.
    let mut conn = app.state.pool.get().unwrap();
    for sql in [
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {}) \
             INSERT INTO contacts (store_id, phone, phone_raw, textable, sms_consent, \
             consent_source, consent_at, opted_out_at, created_at, updated_at) \
             SELECT {store}, '+1415' || CAST(2000000 + i AS TEXT), NULL, TRUE, 'denied', \
             'manual', '2026-06-01 12:00:00', '2026-06-01 12:00:00', '2026-06-01 12:00:00', \
             '2026-06-01 12:00:00' FROM n",
            SEEDED - 1,
            store = owner.store_id
        ),
        format!(
            "INSERT INTO consent_events (store_id, contact_id, status, source, occurred_at, \
             recorded_at, note) SELECT store_id, id, 'denied', 'manual', opted_out_at, \
             opted_out_at, 'imported' FROM contacts \
             WHERE store_id = {} AND phone LIKE '+14152%'",
            owner.store_id
        ),
    ] {
        diesel::RunQueryDsl::execute(diesel::sql_query(sql), &mut *conn).unwrap();
    }
    drop(conn);

    let csv = app.get("/api/v1/opt-outs.csv", &owner.token).await;
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(lines.len(), SEEDED + 1);
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.ends_with(",manual,imported"))
            .count(),
        SEEDED,
        "every imported row says where it came from"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("+14155550123,") && l.ends_with(",manual,asked by email")),
        "the one added through the API is there too"
    );
}

async fn resubscribing_needs_evidence_of_consent(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    add(&app, &owner, &json!({"phones": ["+14155550123"]})).await;
    let delete = |phone: &str, body: Value| {
        app.request(
            Method::DELETE,
            &format!("/api/v1/opt-outs/{phone}"),
            Some(&owner.token),
        )
        .json(&body)
        .send()
    };
    let no_evidence = delete("+14155550123", json!({"evidence": "ok"}))
        .await
        .unwrap();
    assert_eq!(problem(no_evidence, 422).await.errors[0].field, "evidence");
    let unknown = delete(
        "+14155550199",
        json!({"evidence": "Signed the form in store"}),
    )
    .await
    .unwrap();
    problem(unknown, 404).await;
    let done = delete(
        "%2B14155550123",
        json!({"evidence": "Signed the form in store"}),
    )
    .await
    .unwrap();
    assert_eq!(done.status(), StatusCode::NO_CONTENT);
    assert!(
        list(&app, &owner, "").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let contacts: Value = app
        .get("/api/v1/contacts", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let id = &contacts["items"][0]["id"];
    let detail: Value = app
        .get(&format!("/api/v1/contacts/{id}"), &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["contact"]["sms_consent"], "granted");
    let last = detail["consent_history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        last["note"],
        "resubscribed by the store: Signed the form in store"
    );
}

async fn a_customer_can_be_unsubscribed_from_their_thread(app: TestApp) {
    let (owner, _) = store_with_flow(&app, [60, 1440]).await;
    let numbers: Value = app
        .get("/api/v1/numbers", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    let store_number = numbers["active"]["phone_number"]
        .as_str()
        .unwrap()
        .to_owned();
    let params = [
        ("MessageSid", "SM00000000000000000000000000000c01"),
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("From", "+14155550123"),
        ("To", store_number.as_str()),
        ("Body", "Who is this?"),
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
    let unsubscribed: Value = app
        .request(
            Method::POST,
            &format!("/api/v1/threads/{thread}/unsubscribe"),
            Some(&owner.token),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(unsubscribed["opted_out"], true);
    assert_eq!(
        list(&app, &owner, "").await["items"][0]["note"],
        "unsubscribed by the store"
    );
    let reply = app
        .post(
            &format!("/api/v1/threads/{thread}/messages"),
            Some(&owner.token),
            &json!({"body": "Hi"}),
        )
        .await;
    problem(reply, 409).await;
}
