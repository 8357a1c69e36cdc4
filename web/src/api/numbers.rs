use textback_shared::numbers::{
    AvailableNumbersPage, Country, PhoneNumberDto, PhoneNumbersResponse, ReserveNumberRequest,
};

use super::client::encode;
use super::{ApiError, Client};

/// What to search for: an area code or a state/province of `country`, never both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Near {
    AreaCode(String),
    Region(String),
}

/// One page of numbers that can be reserved now; pass the previous page's `next_cursor` to get
/// more (the API leaves out what it has already shown).
pub async fn search(
    client: &Client,
    country: Country,
    near: &Near,
    cursor: Option<&str>,
) -> Result<AvailableNumbersPage, ApiError> {
    let mut query = vec![format!("country={}", country.code())];
    match near {
        Near::AreaCode(code) => query.push(format!("area_code={}", encode(code))),
        Near::Region(region) => query.push(format!("region={}", encode(region))),
    }
    if let Some(cursor) = cursor {
        query.push(format!("cursor={}", encode(cursor)));
    }
    client
        .get(&format!("/numbers/available?{}", query.join("&")))
        .await
}

pub async fn reserve(client: &Client, phone_number: &str) -> Result<PhoneNumberDto, ApiError> {
    let request = ReserveNumberRequest {
        phone_number: phone_number.to_owned(),
    };
    client.post("/numbers", &request).await
}

/// The store's active number, if any, and the released ones, newest first.
pub async fn list(client: &Client) -> Result<PhoneNumbersResponse, ApiError> {
    client.get("/numbers").await
}

pub async fn release(client: &Client, id: i64) -> Result<(), ApiError> {
    client.delete(&format!("/numbers/{id}")).await
}
