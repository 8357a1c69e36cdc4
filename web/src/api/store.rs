use textback_shared::auth::{StoreDto, UpdateStoreRequest};

use super::{ApiError, Client};

pub async fn get(client: &Client) -> Result<StoreDto, ApiError> {
    client.get("/store").await
}

/// Changes the fields the request sets; the others stay as they are.
pub async fn update(client: &Client, request: &UpdateStoreRequest) -> Result<StoreDto, ApiError> {
    client.patch("/store", request).await
}
