use textback_shared::Page;
use textback_shared::campaigns::{
    CampaignDto, CampaignStatsDto, CreateCampaignRequest, UpdateCampaignRequest,
};

use super::client::encode;
use super::{ApiError, Client};

/// One page of the store's campaigns; pass the previous page's `next_cursor` for more.
pub async fn list(client: &Client, cursor: Option<&str>) -> Result<Page<CampaignDto>, ApiError> {
    let path = match cursor {
        Some(cursor) => format!("/campaigns?cursor={}", encode(cursor)),
        None => "/campaigns".to_owned(),
    };
    client.get(&path).await
}

pub async fn get(client: &Client, id: i64) -> Result<CampaignDto, ApiError> {
    client.get(&format!("/campaigns/{id}")).await
}

pub async fn create(
    client: &Client,
    request: &CreateCampaignRequest,
) -> Result<CampaignDto, ApiError> {
    client.post("/campaigns", request).await
}

pub async fn update(
    client: &Client,
    id: i64,
    request: &UpdateCampaignRequest,
) -> Result<CampaignDto, ApiError> {
    client.patch(&format!("/campaigns/{id}"), request).await
}

pub async fn delete(client: &Client, id: i64) -> Result<(), ApiError> {
    client.delete(&format!("/campaigns/{id}")).await
}

/// Starts sending; `number_required` when the store has no SMS number yet.
pub async fn activate(client: &Client, id: i64) -> Result<CampaignDto, ApiError> {
    client
        .post(&format!("/campaigns/{id}/activate"), &serde_json::json!({}))
        .await
}

pub async fn pause(client: &Client, id: i64) -> Result<CampaignDto, ApiError> {
    client
        .post(&format!("/campaigns/{id}/pause"), &serde_json::json!({}))
        .await
}

/// What the campaign achieved: texts by outcome, clicks, replies, opt-outs, orders, revenue.
pub async fn stats(client: &Client, id: i64) -> Result<CampaignStatsDto, ApiError> {
    client.get(&format!("/campaigns/{id}/stats")).await
}
