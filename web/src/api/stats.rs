use chrono::NaiveDate;
use textback_shared::stats::{Granularity, StatsDto};

use super::{ApiError, Client};

/// What texts achieved from `from` to `to` (days in the store's time zone).
pub async fn results(
    client: &Client,
    from: NaiveDate,
    to: NaiveDate,
    granularity: Granularity,
) -> Result<StatsDto, ApiError> {
    let granularity = match granularity {
        Granularity::Day => "day",
        Granularity::Week => "week",
    };
    client
        .get(&format!(
            "/stats?from={from}&to={to}&granularity={granularity}"
        ))
        .await
}
