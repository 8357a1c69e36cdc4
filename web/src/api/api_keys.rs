use textback_shared::Page;
use textback_shared::api_keys::{ApiKeyDto, CreateApiKeyRequest, CreatedApiKey};

use super::client::encode;
use super::{ApiError, Client};

/// One page of the store's keys, newest first; pass the previous page's `next_cursor` for more.
pub async fn list(
    client: &Client,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<ApiKeyDto>, ApiError> {
    let mut query = Vec::new();
    if let Some(cursor) = cursor {
        query.push(format!("cursor={}", encode(cursor)));
    }
    if let Some(limit) = limit {
        query.push(format!("limit={limit}"));
    }
    let path = if query.is_empty() {
        "/api-keys".to_owned()
    } else {
        format!("/api-keys?{}", query.join("&"))
    };
    client.get(&path).await
}

pub async fn create(
    client: &Client,
    request: &CreateApiKeyRequest,
) -> Result<CreatedApiKey, ApiError> {
    client.post("/api-keys", request).await
}

pub async fn revoke(client: &Client, id: i64) -> Result<(), ApiError> {
    client.delete(&format!("/api-keys/{id}")).await
}
