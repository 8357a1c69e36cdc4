use textback_shared::numbers::UsageDto;

use super::{ApiError, Client};

/// This month's SMS use and charges, with the price list in force.
pub async fn current_month(client: &Client) -> Result<UsageDto, ApiError> {
    client.get("/usage").await
}
