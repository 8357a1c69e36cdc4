//! Tenant isolation, generated from the route table: every documented route that takes an id,
//! called by one store with another store's id, answers 404 and changes nothing. A new route
//! that takes an id fails this test until it is given a case here.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use textback_tests::{Session, TestApp, on_both_databases, problem};

use crate::inbox::{store, text_in};

on_both_databases!(another_stores_ids_are_not_found_on_any_route);

const ADA: &str = "+14155550123";
const BOB: &str = "+14155550124";

/// Everything store B has that a route can name.
struct Victim {
    session: Session,
    ids: Vec<(&'static str, String)>,
}

impl Victim {
    fn id(&self, param: &str, path: &str) -> String {
        let kind = match param {
            "reply_id" => "canned-replies",
            "phone" => "phone",
            // `{id}` names the resource of the path segment before it.
            _ => path
                .split('/')
                .take_while(|s| !s.starts_with('{'))
                .last()
                .unwrap_or_default(),
        };
        self.ids
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, id)| id.clone())
            .unwrap_or_else(|| panic!("no id of store B for {{{param}}} in {path}"))
    }
}

async fn created(response: reqwest::Response) -> Value {
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

async fn victim(app: &TestApp) -> Victim {
    let (session, number) = store(app).await;
    let token = session.token.clone();
    let flow = json!({"kind": "abandoned_cart", "name": "Cart reminders",
        "steps": [{"delay_minutes": 60, "body": "Your cart is waiting: {{ cart_url }}"}]});
    let campaign = created(app.post("/api/v1/campaigns", Some(&token), &flow).await).await;
    let canned = json!({"name": "Shipping", "body": "We ship in 2 days."});
    let canned = created(
        app.post("/api/v1/canned-replies", Some(&token), &canned)
            .await,
    )
    .await;
    let key = json!({"name": "Platform", "scopes": ["read"]});
    let key = created(app.post("/api/v1/api-keys", Some(&token), &key).await).await;
    text_in(app, &number, ADA, "SM-iso-1", "Is my order on its way?").await;
    text_in(app, &number, BOB, "SM-iso-2", "STOP").await;
    let threads = created(app.get("/api/v1/threads", &token).await).await;
    let thread = threads["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["phone"] == ADA)
        .unwrap()
        .clone();
    let numbers = created(app.get("/api/v1/numbers", &token).await).await;
    let id = |v: &Value| v.as_i64().unwrap().to_string();
    Victim {
        ids: vec![
            ("campaigns", id(&campaign["id"])),
            ("canned-replies", id(&canned["id"])),
            ("api-keys", id(&key["key"]["id"])),
            ("threads", id(&thread["id"])),
            ("contacts", id(&thread["contact_id"])),
            ("numbers", id(&numbers["active"]["id"])),
            ("phone", BOB.replace('+', "%2B")),
        ],
        session,
    }
}

/// What store B can see of itself; it must be the same after store A's attempts.
async fn fingerprint(app: &TestApp, b: &Victim) -> Vec<Value> {
    let thread = b.id("id", "/api/v1/threads/{id}");
    let mut seen = Vec::new();
    for path in [
        "/api/v1/threads".to_owned(),
        format!("/api/v1/threads/{thread}"),
        format!("/api/v1/threads/{thread}/messages"),
        format!("/api/v1/threads/{thread}/context"),
        format!("/api/v1/campaigns/{}", b.id("id", "/api/v1/campaigns/{id}")),
        "/api/v1/canned-replies".to_owned(),
        "/api/v1/api-keys".to_owned(),
        "/api/v1/numbers".to_owned(),
        "/api/v1/opt-outs".to_owned(),
    ] {
        seen.push(created(app.get(&path, &b.session.token).await).await);
    }
    seen
}

/// A body the route accepts, so that only the id can make it fail.
fn body_for(operation: &str) -> Option<Value> {
    match operation {
        "update_campaign" => Some(json!({"name": "Renamed"})),
        "update_canned_reply" => Some(json!({"name": "Renamed", "body": "Hello"})),
        "reply_to_thread" => Some(json!({"body": "Hello from another store"})),
        "resubscribe" => Some(json!({"evidence": "Opted in again at checkout on 1 December"})),
        _ => None,
    }
}

async fn another_stores_ids_are_not_found_on_any_route(app: TestApp) {
    let b = victim(&app).await;
    // Store A has a number too, so a reply is refused for the id, not for want of a number.
    let a = app.signup("attacker@other.example").await;
    app.reserve_any(&a, crate::numbers::stocked_area_code())
        .await;
    let before = fingerprint(&app, &b).await;

    let document = textback_api::app::openapi_document();
    let mut tried = 0;
    for (path, item) in &document.paths.paths {
        // Store-scoped routes only; `{platform}` is a name, not an id.
        if !path.starts_with("/api/v1/") || !path.contains('{') || path.contains("{platform}") {
            continue;
        }
        let operations = [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
            (Method::DELETE, &item.delete),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            let name = operation.operation_id.clone().unwrap_or_default();
            let mut url = path.clone();
            for param in path
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(p, _)| p))
            {
                url = url.replace(&format!("{{{param}}}"), &b.id(param, path));
            }
            let mut request = app.request(method.clone(), &url, Some(&a.token));
            if operation.request_body.is_some() {
                let body = body_for(&name)
                    .unwrap_or_else(|| panic!("give {name} a valid body in body_for"));
                request = request.json(&body);
            }
            let response = request.send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::NOT_FOUND,
                "{method} {url} ({name}) with another store's id"
            );
            problem(response, 404).await;
            tried += 1;
        }
    }
    assert!(tried >= 20, "only {tried} routes tried");
    assert_eq!(fingerprint(&app, &b).await, before, "store B changed");
}
