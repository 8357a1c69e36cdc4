//! `openapi.yaml` is the published contract: it must be exactly what the code generates.

use reqwest::StatusCode;
use textback_tests::{TestApp, on_both_databases};

const COMMITTED: &str = include_str!("../../openapi.yaml");

#[test]
fn committed_spec_matches_the_code() {
    let generated = textback_api::app::openapi_document().to_yaml().unwrap();
    assert!(
        generated == COMMITTED,
        "openapi.yaml is out of date with the code: run `make openapi` and commit the result"
    );
}

#[test]
fn every_operation_is_documented_with_problems() {
    let doc = textback_api::app::openapi_document();
    for (path, item) in &doc.paths.paths {
        for operation in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
            .into_iter()
            .flatten()
        {
            let id = operation.operation_id.as_deref().unwrap_or(path);
            assert!(
                operation.responses.responses.contains_key("400"),
                "{id} lacks its problem responses"
            );
            let public = !path.starts_with("/api/v1/") || matches!(id, "signup" | "login");
            assert_eq!(operation.security.is_some(), !public, "{id} security");
            assert!(
                operation.summary.is_some() || operation.description.is_some(),
                "{id} is undocumented"
            );
        }
    }
}

on_both_databases!(served_spec_and_docs_page);

async fn served_spec_and_docs_page(app: TestApp) {
    let served: serde_json::Value = app
        .http
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let generated = serde_json::to_value(textback_api::app::openapi_document()).unwrap();
    assert_eq!(served, generated);
    let page = app.http.get(app.url("/api-docs/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("swagger-ui"));
}
