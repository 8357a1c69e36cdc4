use textback_shared::auth::StoreDto;

use super::{ApiError, Client};

pub async fn get(client: &Client) -> Result<StoreDto, ApiError> {
    client.get("/store").await
}
