//! Turning SMS on and off: searching, reserving and releasing numbers.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};
use textback_api::sms::simulator::has_inventory;
use textback_shared::nanp;
use textback_shared::numbers::Country;
use textback_tests::{Session, TestApp, fixtures, on_both_databases, problem};

on_both_databases!(
    search_by_area_code_loads_more_without_repeats,
    load_more_stops_with_the_last_numbers,
    search_by_state_or_province,
    search_without_filters_prefers_the_stores_state,
    a_store_that_gave_only_its_state_sees_numbers_there_first,
    an_area_code_without_numbers_is_an_empty_list_with_a_hint,
    the_area_codes_suggested_instead_have_numbers,
    bad_searches_are_refused_clearly,
    reserve_then_a_second_reserve_is_a_conflict,
    a_number_held_by_another_store_cannot_be_reserved,
    concurrent_reserves_have_exactly_one_winner,
    a_reservation_that_died_half_way_holds_nothing,
    release_stops_sms_at_once_and_is_harmless_twice,
    a_campaign_activated_during_a_release_does_not_come_back_on,
    another_stores_number_is_not_found,
);

/// A US area code the simulator has numbers for.
pub fn stocked_area_code() -> u16 {
    415
}

fn numbers_of(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["phone_number"].as_str().unwrap().to_owned())
        .collect()
}

async fn search_by_area_code_loads_more_without_repeats(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let code = stocked_area_code();
    let mut seen = HashSet::new();
    let mut query = format!("country=US&area_code={code}&limit=20");
    let mut pages = 0;
    loop {
        let page = app.available_numbers(&owner, &query).await;
        pages += 1;
        for item in page["items"].as_array().unwrap() {
            let number = item["phone_number"].as_str().unwrap();
            assert!(number.starts_with(&format!("+1{code}")), "{number}");
            assert!(seen.insert(number.to_owned()), "{number} shown twice");
            assert_eq!(item["country"], "US");
            assert_eq!(item["region"], "CA");
            assert_eq!(item["capabilities"]["sms"], true);
            assert!(
                item["friendly_name"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("({code})"))
            );
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("country=US&area_code={code}&limit=20&cursor={cursor}"),
            None => break,
        }
        assert!(pages < 10, "load more never ends");
    }
    assert_eq!(
        seen.len(),
        textback_api::sms::simulator::NUMBERS_PER_AREA_CODE
    );
}

/// "Load more" is offered only while there is more: the page that shows the last numbers
/// has no cursor, so the merchant never loads an empty page.
async fn load_more_stops_with_the_last_numbers(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let code = stocked_area_code();
    let all = textback_api::sms::simulator::NUMBERS_PER_AREA_CODE;
    for limit in [20, 30, 50] {
        let mut shown = 0;
        let mut pages = Vec::new();
        let mut query = format!("country=US&area_code={code}&limit={limit}");
        loop {
            let page = app.available_numbers(&owner, &query).await;
            let count = numbers_of(&page).len();
            pages.push(count);
            shown += count;
            match page["next_cursor"].as_str() {
                Some(cursor) => {
                    query = format!("country=US&area_code={code}&limit={limit}&cursor={cursor}");
                }
                None => break,
            }
            assert!(pages.len() < 10, "load more never ends");
        }
        assert_eq!(shown, all, "limit {limit}: {pages:?}");
        assert!(
            pages.iter().all(|n| *n > 0),
            "limit {limit}: a load more came back empty: {pages:?}"
        );
    }

    // A state has more numbers than "load more" goes through: it stops at MAX_SHOWN whatever
    // the page size (with 30 a page, it used to stop at 180).
    for limit in [30, 50] {
        let mut shown = HashSet::new();
        let mut query = format!("country=US&region=TX&limit={limit}");
        loop {
            let page = app.available_numbers(&owner, &query).await;
            shown.extend(numbers_of(&page));
            let Some(cursor) = page["next_cursor"].as_str() else {
                break;
            };
            query = format!("country=US&region=TX&limit={limit}&cursor={cursor}");
        }
        assert_eq!(
            shown.len(),
            textback_api::services::numbers::MAX_SHOWN,
            "limit {limit}"
        );
    }
}

async fn search_by_state_or_province(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let texas = app
        .available_numbers(&owner, "country=US&region=tx&limit=30")
        .await;
    let codes: HashSet<u16> = numbers_of(&texas)
        .iter()
        .map(|n| n[2..5].parse().unwrap())
        .collect();
    assert!(codes.len() > 1);
    for code in codes {
        assert!(
            nanp::lookup(code)
                .unwrap()
                .regions
                .contains(&"TX".to_owned())
        );
    }
    // By name too, as merchants type it.
    let by_name = app
        .available_numbers(&owner, "country=US&region=texas&limit=30")
        .await;
    assert_eq!(numbers_of(&by_name), numbers_of(&texas));
    let ontario = app.available_numbers(&owner, "country=CA&region=ON").await;
    assert!(!numbers_of(&ontario).is_empty());
    let british_columbia = app
        .available_numbers(&owner, "country=CA&region=British%20Columbia")
        .await;
    assert!(
        british_columbia["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["region"] == "BC")
    );
    assert!(!numbers_of(&british_columbia).is_empty());
    assert!(
        ontario["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["country"] == "CA" && n["region"] == "ON")
    );
}

/// A US search without filters by a new store that saved `store` (`PATCH /store`) first.
async fn unfiltered_search_of_a_store(app: &TestApp, store: Value) -> (Session, Value) {
    let owner = app.signup("owner@maple.example").await;
    let response = app
        .request(reqwest::Method::PATCH, "/api/v1/store", Some(&owner.token))
        .json(&store)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let page = app.available_numbers(&owner, "country=US&limit=10").await;
    (owner, page)
}

fn assert_all_in_oregon(page: &Value) {
    assert!(!numbers_of(page).is_empty());
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["region"] == "OR"),
        "{page}"
    );
}

async fn search_without_filters_prefers_the_stores_state(app: TestApp) {
    let (_, page) =
        unfiltered_search_of_a_store(&app, json!({"country": "US", "region": "OR"})).await;
    assert_all_in_oregon(&page);
}

/// `PATCH /store` takes a state without a country (it names the country already): numbers
/// there are still the ones suggested.
async fn a_store_that_gave_only_its_state_sees_numbers_there_first(app: TestApp) {
    let (owner, page) = unfiltered_search_of_a_store(&app, json!({"region": "OR"})).await;
    assert_all_in_oregon(&page);
    // Oregon is no part of Canada: a Canadian search is not narrowed to it.
    let canada = app.available_numbers(&owner, "country=CA&limit=10").await;
    assert!(!numbers_of(&canada).is_empty(), "{canada}");
}

async fn an_area_code_without_numbers_is_an_empty_list_with_a_hint(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let empty = nanp::area_codes()
        .iter()
        .find(|a| {
            a.country == Country::Us
                && !has_inventory(a.code)
                && nanp::in_region(Country::Us, &a.regions[0]).len() > 1
        })
        .unwrap();
    let page = app
        .available_numbers(&owner, &format!("country=US&area_code={}", empty.code))
        .await;
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["next_cursor"], Value::Null);
    let hint = page["hint"].as_str().unwrap();
    assert!(hint.contains("not every area code has numbers"), "{hint}");
    let nearby = page["nearby_area_codes"].as_array().unwrap();
    assert!(!nearby.is_empty());
    for code in nearby {
        let code = code.as_u64().unwrap() as u16;
        assert_ne!(code, empty.code);
        assert_eq!(nanp::lookup(code).unwrap().regions, empty.regions);
    }
}

/// The area codes suggested when one has no numbers are ones that have some: Calgary's 403
/// has none, nor has Edmonton's 780, so suggesting 780 would send the merchant to another
/// empty page.
async fn the_area_codes_suggested_instead_have_numbers(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    assert!(!has_inventory(403) && !has_inventory(780));
    let page = app
        .available_numbers(&owner, "country=CA&area_code=403")
        .await;
    assert_eq!(page["items"], json!([]));
    let nearby: Vec<u16> = page["nearby_area_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap() as u16)
        .collect();
    assert!(!nearby.is_empty(), "{page}");
    for code in &nearby {
        assert!(
            has_inventory(*code),
            "{code} was suggested but has no numbers"
        );
        assert_eq!(nanp::lookup(*code).unwrap().regions, ["AB"]);
        let suggested = app
            .available_numbers(&owner, &format!("country=CA&area_code={code}&limit=1"))
            .await;
        assert_eq!(numbers_of(&suggested).len(), 1, "{code}");
    }
    let hint = page["hint"].as_str().unwrap();
    for code in &nearby {
        assert!(hint.contains(&code.to_string()), "{hint}");
    }
    assert!(!hint.contains("780"), "{hint}");
}

async fn bad_searches_are_refused_clearly(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let cases = [
        (
            "country=GB&area_code=415",
            "country",
            "Only the US and Canada",
        ),
        (
            "country=US&area_code=416",
            "area_code",
            "not an area code in United States",
        ),
        ("country=US&area_code=4155", "area_code", "three digits"),
        ("country=CA&region=TX", "region", "not a province"),
        ("country=US&area_code=415&region=CA", "region", "not both"),
        (
            "country=US&area_code=415&cursor=bogus",
            "cursor",
            "next_cursor",
        ),
        ("country=US&area_code=415&limit=500", "limit", "between"),
    ];
    for (query, field, words) in cases {
        let refused = problem(
            app.get(&format!("/api/v1/numbers/available?{query}"), &owner.token)
                .await,
            422,
        )
        .await;
        assert_eq!(refused.errors[0].field, field, "{query}");
        assert!(
            refused.errors[0].message.contains(words),
            "{query}: {}",
            refused.errors[0].message
        );
    }
    problem(
        app.get("/api/v1/numbers/available", &owner.token).await,
        400,
    )
    .await;
}

async fn reserve_then_a_second_reserve_is_a_conflict(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let reserved = app.reserve_any(&owner, stocked_area_code()).await;
    assert_eq!(reserved["status"], "active");
    assert_eq!(reserved["reserved_by_user_id"], owner.user_id);
    assert_eq!(reserved["released_at"], Value::Null);

    let listed: Value = app
        .get("/api/v1/numbers", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["active"]["id"], reserved["id"]);
    assert_eq!(listed["released"], json!([]));

    let other = numbers_of(
        &app.available_numbers(&owner, "country=US&area_code=415&limit=1")
            .await,
    )
    .remove(0);
    assert_ne!(
        other,
        reserved["phone_number"].as_str().unwrap(),
        "a reserved number is not offered again"
    );
    let conflict = problem(
        app.post(
            "/api/v1/numbers",
            Some(&owner.token),
            &json!({"phone_number": other}),
        )
        .await,
        409,
    )
    .await;
    assert!(
        conflict.detail.contains("Release it first"),
        "{}",
        conflict.detail
    );

    let invalid = problem(
        app.post(
            "/api/v1/numbers",
            Some(&owner.token),
            &json!({"phone_number": "555-SHIP"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(invalid.errors[0].field, "phone_number");
}

async fn a_number_held_by_another_store_cannot_be_reserved(app: TestApp) {
    let maple = app.signup("owner@maple.example").await;
    let birch = app.signup("owner@birch.example").await;
    let reserved = app.reserve_any(&maple, stocked_area_code()).await;
    let taken = json!({"phone_number": reserved["phone_number"]});
    let conflict = problem(
        app.post("/api/v1/numbers", Some(&birch.token), &taken)
            .await,
        409,
    )
    .await;
    assert!(conflict.detail.contains("taken"), "{}", conflict.detail);
    let listed: Value = app
        .get("/api/v1/numbers", &birch.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed,
        json!({"active": null, "released": []}),
        "nothing stored"
    );
}

async fn concurrent_reserves_have_exactly_one_winner(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let offered = numbers_of(
        &app.available_numbers(&owner, "country=US&area_code=415&limit=4")
            .await,
    );
    let attempts: Vec<_> = offered
        .iter()
        .map(|number| {
            let request = app
                .request(reqwest::Method::POST, "/api/v1/numbers", Some(&owner.token))
                .json(&json!({"phone_number": number}));
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        offered.len() - 1,
        "{statuses:?}"
    );
    let listed: Value = app
        .get("/api/v1/numbers", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert!(listed["active"].is_object());
}

/// A reservation whose process died between claiming the number and the provider's answer
/// leaves a claim behind; once it is stale, the number is offered and reservable again, by
/// any store, not only by the one that claimed it.
async fn a_reservation_that_died_half_way_holds_nothing(app: TestApp) {
    let maple = app.signup("owner@maple.example").await;
    let birch = app.signup("owner@birch.example").await;
    let query = "country=US&area_code=415&limit=5";
    let number = numbers_of(&app.available_numbers(&maple, query).await).remove(0);
    {
        let mut conn = app.state.pool.get().unwrap();
        let claim = textback_api::db::phone_numbers::NewReservation {
            store_id: maple.store_id,
            phone_number: &number,
            country: "US",
            region: Some("CA"),
            locality: None,
            reserved_by_user_id: Some(maple.user_id),
            now: textback_api::db::now() - chrono::Duration::minutes(10),
        };
        textback_api::db::phone_numbers::claim(&mut conn, &claim).unwrap();
    }
    assert!(
        numbers_of(&app.available_numbers(&birch, query).await).contains(&number),
        "a dead claim does not hide the number"
    );
    let reserved = app
        .post(
            "/api/v1/numbers",
            Some(&birch.token),
            &json!({"phone_number": number}),
        )
        .await;
    assert_eq!(reserved.status(), StatusCode::CREATED);
    let listed: Value = app
        .get("/api/v1/numbers", &maple.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!({"active": null, "released": []}));
    app.reserve_any(&maple, stocked_area_code()).await;
}

async fn release_stops_sms_at_once_and_is_harmless_twice(app: TestApp) {
    let owner = app.signup("owner@maple.example").await;
    let reserved = app.reserve_any(&owner, stocked_area_code()).await;
    let waiting = fixtures::scheduled_message(&app, owner.store_id, "+12125550123");
    let id = reserved["id"].as_i64().unwrap();

    assert_eq!(
        app.delete(&format!("/api/v1/numbers/{id}"), &owner.token)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        fixtures::message_status(&app, waiting).0,
        "cancelled",
        "nothing scheduled goes out"
    );
    let listed: Value = app
        .get("/api/v1/numbers", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["active"], Value::Null);
    assert_eq!(listed["released"][0]["id"], id);
    assert_eq!(listed["released"][0]["status"], "released");
    let released_at = listed["released"][0]["released_at"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(
        app.delete(&format!("/api/v1/numbers/{id}"), &owner.token)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let again: Value = app
        .get("/api/v1/numbers", &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["released"][0]["released_at"],
        released_at.as_str(),
        "the second release changed nothing"
    );

    // The provider has it back, and the store may reserve again (a new charge period).
    let first = app
        .available_numbers(&owner, "country=US&area_code=415&limit=50")
        .await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = app
        .available_numbers(
            &owner,
            &format!("country=US&area_code=415&limit=50&cursor={cursor}"),
        )
        .await;
    let offered: Vec<String> = numbers_of(&first)
        .into_iter()
        .chain(numbers_of(&second))
        .collect();
    assert!(offered.contains(&reserved["phone_number"].as_str().unwrap().to_owned()));
    app.reserve_any(&owner, stocked_area_code()).await;
}

async fn another_stores_number_is_not_found(app: TestApp) {
    let maple = app.signup("owner@maple.example").await;
    let birch = app.signup("owner@birch.example").await;
    let reserved = app.reserve_any(&maple, stocked_area_code()).await;
    problem(
        app.delete(&format!("/api/v1/numbers/{}", reserved["id"]), &birch.token)
            .await,
        404,
    )
    .await;
    let listed: Value = app
        .get("/api/v1/numbers", &maple.token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["active"]["id"], reserved["id"], "still active");
}

/// The merchant releases the number in one tab while activating a campaign in another. The
/// release stops every active campaign; an activation that read the number before the release
/// committed would leave its campaign active, to start sending the moment a new number is
/// reserved. It waits for the release instead, and is refused.
async fn a_campaign_activated_during_a_release_does_not_come_back_on(app: TestApp) {
    use textback_api::db;
    let owner = app.signup("owner@maple.example").await;
    app.reserve_any(&owner, stocked_area_code()).await;
    let created: Value = app
        .post(
            "/api/v1/campaigns",
            Some(&owner.token),
            &json!({"kind": "order_shipped", "name": "Shipping texts", "order_statuses": [],
                "steps": [{"delay_minutes": 0, "body": "Order {{ order_number }} shipped: {{ tracking_url }}"}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let campaign = created["id"].as_i64().unwrap();

    let (released, release_done) = tokio::sync::oneshot::channel();
    let (commit, committed) = std::sync::mpsc::channel::<()>();
    let (pool, store_id) = (app.state.pool.clone(), owner.store_id);
    let releasing = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        db::write_transaction(&mut conn, |conn| {
            let number = db::phone_numbers::active_for_store(conn, store_id)?.unwrap();
            let now = db::now();
            db::phone_numbers::mark_released(conn, number.id, now)?;
            db::campaigns::stop_active(conn, store_id, now)?;
            released.send(()).unwrap();
            committed.recv().unwrap();
            Ok(())
        })
        .unwrap();
    });
    release_done.await.unwrap();
    let activating = {
        let (app_http, url, token) = (
            app.http.clone(),
            app.url(&format!("/api/v1/campaigns/{campaign}/activate")),
            owner.token.clone(),
        );
        tokio::spawn(async move {
            app_http
                .post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
        })
    };
    crate::compliance::until_someone_waits_for_a_lock(&app).await;
    commit.send(()).unwrap();
    releasing.join().unwrap();
    let refused = problem(activating.await.unwrap(), 409).await;
    assert!(
        refused.detail.contains("no SMS number"),
        "{}",
        refused.detail
    );
    let after: Value = app
        .get(&format!("/api/v1/campaigns/{campaign}"), &owner.token)
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(after["status"], "active");
}
