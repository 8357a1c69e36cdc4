//! Phone numbers a store can text from: searching, reserving, releasing, and usage.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Only the US and Canada are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Country {
    #[serde(rename = "US")]
    Us,
    #[serde(rename = "CA")]
    Ca,
}

impl Country {
    pub const ALL: [Country; 2] = [Country::Us, Country::Ca];

    /// ISO 3166-1 alpha-2.
    pub fn code(self) -> &'static str {
        match self {
            Country::Us => "US",
            Country::Ca => "CA",
        }
    }

    pub fn parse(code: &str) -> Option<Country> {
        Country::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
    }

    pub fn name(self) -> &'static str {
        match self {
            Country::Us => "United States",
            Country::Ca => "Canada",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Capabilities {
    pub sms: bool,
    pub mms: bool,
    pub voice: bool,
}

/// A number that can be reserved now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvailableNumberDto {
    #[cfg_attr(feature = "openapi", schema(example = "+14155550123"))]
    pub phone_number: String,
    #[cfg_attr(feature = "openapi", schema(example = "(415) 555-0123"))]
    pub friendly_name: String,
    pub locality: Option<String>,
    /// State or province code.
    pub region: Option<String>,
    pub country: Country,
    pub capabilities: Capabilities,
}

/// `GET /api/v1/numbers/available`: `country` plus `area_code` OR `region`; neither lists
/// numbers near the store first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct AvailableNumbersQuery {
    /// `US` or `CA`.
    #[cfg_attr(feature = "openapi", param(example = "US"))]
    pub country: String,
    /// A three-digit area code of that country, e.g. `415`.
    pub area_code: Option<String>,
    /// A state or province of that country, by code or name: `CA`, `ON`, `Texas`.
    pub region: Option<String>,
    /// The `next_cursor` of the previous page ("load more").
    pub cursor: Option<String>,
    /// Numbers per page, 1 to 50 (default 20).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 50))]
    pub limit: Option<u32>,
}

/// A page of available numbers; when it is empty, `hint` says why and what to try.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvailableNumbersPage {
    pub items: Vec<AvailableNumberDto>,
    /// Pass back as `cursor` for more numbers; `null` when there are no more.
    pub next_cursor: Option<String>,
    /// For an empty result: why, and what to try instead.
    pub hint: Option<String>,
    /// Other area codes in the same state or province, to try next.
    pub nearby_area_codes: Vec<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReserveNumberRequest {
    /// One of the numbers just listed as available, in E.164.
    #[cfg_attr(feature = "openapi", schema(example = "+14155550123"))]
    pub phone_number: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NumberStatus {
    /// Sending and receiving texts; SMS charges run.
    Active,
    /// Given back; campaigns stopped and charges ended at `released_at`.
    Released,
}

/// A store's number, current or past. The time from `reserved_at` to `released_at` (or now)
/// is the SMS charge period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneNumberDto {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(example = "+14155550123"))]
    pub phone_number: String,
    #[cfg_attr(feature = "openapi", schema(example = "(415) 555-0123"))]
    pub friendly_name: String,
    pub country: Country,
    pub region: Option<String>,
    pub locality: Option<String>,
    pub status: NumberStatus,
    pub reserved_at: DateTime<Utc>,
    /// Who reserved it (`null` when reserved with an API key).
    pub reserved_by_user_id: Option<i64>,
    pub released_at: Option<DateTime<Utc>>,
}

/// The active number (if any) and the released ones, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhoneNumbersResponse {
    pub active: Option<PhoneNumberDto>,
    pub released: Vec<PhoneNumberDto>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// `YYYY-MM` (UTC); default: the current month.
    #[cfg_attr(feature = "openapi", param(example = "2026-12"))]
    pub month: Option<String>,
}

/// Amounts are decimal strings in `currency`, so no rounding happens in transit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageCharges {
    #[cfg_attr(feature = "openapi", schema(example = "USD"))]
    pub currency: String,
    /// The price list in force.
    #[cfg_attr(feature = "openapi", schema(example = "0.0079"))]
    pub price_per_segment: String,
    #[cfg_attr(feature = "openapi", schema(example = "1.15"))]
    pub price_per_number_month: String,
    /// Outbound and inbound segments at `price_per_segment`.
    pub segments: String,
    /// The number's monthly price, for the days it was held.
    pub number: String,
    pub total: String,
}

/// `GET /api/v1/usage`: one month of SMS use and what it costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageDto {
    #[cfg_attr(feature = "openapi", schema(example = "2026-12"))]
    pub month: String,
    pub outbound_messages: i64,
    pub outbound_segments: i64,
    pub inbound_messages: i64,
    pub inbound_segments: i64,
    /// Days of the month on which the store held a number (a day counts if held any part of it).
    pub days_with_number: i64,
    pub charges: UsageCharges,
}
