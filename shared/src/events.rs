//! Cart and order events from store platforms and integrators (`POST /api/v1/events`), and
//! the contacts, carts and orders they build.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::FieldError;

/// What happened. Serialized as `cart.updated`, `order.shipped`, …
///
/// `order.cancelled` of an order not heard of before (no earlier event for it) records the
/// order with its timeline, but its customer was never told of it (an unpaid order the
/// platform cancelled itself, say): the cancellation is not texted, and the order closes no
/// cart and is credited to no text (no revenue). `order.placed` of an order already placed,
/// and since neither on hold nor cancelled, is recorded as an `order.updated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventType {
    #[serde(rename = "cart.updated")]
    CartUpdated,
    #[serde(rename = "checkout.updated")]
    CheckoutUpdated,
    #[serde(rename = "order.placed")]
    OrderPlaced,
    #[serde(rename = "order.updated")]
    OrderUpdated,
    #[serde(rename = "order.shipped")]
    OrderShipped,
    #[serde(rename = "order.on_hold")]
    OrderOnHold,
    #[serde(rename = "order.cancelled")]
    OrderCancelled,
    #[serde(rename = "customer.updated")]
    CustomerUpdated,
}

impl EventType {
    pub const ALL: [EventType; 8] = [
        Self::CartUpdated,
        Self::CheckoutUpdated,
        Self::OrderPlaced,
        Self::OrderUpdated,
        Self::OrderShipped,
        Self::OrderOnHold,
        Self::OrderCancelled,
        Self::CustomerUpdated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CartUpdated => "cart.updated",
            Self::CheckoutUpdated => "checkout.updated",
            Self::OrderPlaced => "order.placed",
            Self::OrderUpdated => "order.updated",
            Self::OrderShipped => "order.shipped",
            Self::OrderOnHold => "order.on_hold",
            Self::OrderCancelled => "order.cancelled",
            Self::CustomerUpdated => "customer.updated",
        }
    }

    pub fn is_cart(self) -> bool {
        matches!(self, Self::CartUpdated | Self::CheckoutUpdated)
    }

    pub fn is_order(self) -> bool {
        matches!(
            self,
            Self::OrderPlaced
                | Self::OrderUpdated
                | Self::OrderShipped
                | Self::OrderOnHold
                | Self::OrderCancelled
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    Granted,
    Denied,
    Unknown,
}

impl ConsentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Denied => "denied",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Granted, Self::Denied, Self::Unknown]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// Where consent was given (or withdrawn).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// A checkbox at checkout.
    Checkout,
    /// A texted keyword (START, STOP, …).
    Keyword,
    /// Set through the API by an integration.
    Api,
    /// A list imported by the merchant.
    Import,
    /// The merchant, by hand (the inbox's Unsubscribe, the opt-outs page).
    Manual,
}

impl ConsentSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Checkout => "checkout",
            Self::Keyword => "keyword",
            Self::Api => "api",
            Self::Import => "import",
            Self::Manual => "manual",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    pub status: ConsentStatus,
    /// Default `api`.
    pub source: Option<ConsentSource>,
    /// When it was given; default: the event's `occurred_at`.
    pub collected_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// The platform's customer id, if any.
    pub id: Option<String>,
    /// Any common format; US and Canadian numbers can be texted.
    #[cfg_attr(feature = "openapi", schema(example = "+1 (415) 555-0123"))]
    pub phone: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub sms_consent: Option<ConsentInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineItem {
    #[cfg_attr(feature = "openapi", schema(example = "Merino crew sweater"))]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(example = "Medium / Heather grey"))]
    pub variant: Option<String>,
    pub quantity: u32,
    /// Unit price, a decimal string with at most two decimals.
    #[cfg_attr(feature = "openapi", schema(example = "89.00"))]
    pub price: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CartInput {
    /// The platform's cart or checkout id (Shopify: the checkout token).
    #[cfg_attr(feature = "openapi", schema(example = "c1-8f2b1d"))]
    pub id: String,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
    /// A decimal string with at most two decimals.
    #[cfg_attr(feature = "openapi", schema(example = "178.00"))]
    pub total: String,
    /// ISO 4217, e.g. `USD`, `CAD`.
    #[cfg_attr(feature = "openapi", schema(example = "USD"))]
    pub currency: String,
    /// Where the customer can pick the cart up again: an http(s) URL.
    pub recovery_url: Option<String>,
    /// The customer has completed the checkout (paid): the cart is closed, never abandoned,
    /// and reminders still waiting for it are cancelled. Its order, when it arrives, marks it
    /// `recovered` or `converted` as usual. Shopify: the checkout's `completed_at` is set.
    #[serde(default)]
    pub completed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The platform's order id.
    #[cfg_attr(feature = "openapi", schema(example = "820982911946154508"))]
    pub id: String,
    /// The number customers see, e.g. `#1001`.
    #[cfg_attr(feature = "openapi", schema(example = "#1001"))]
    pub number: Option<String>,
    /// The platform's order status, e.g. `processing`, `on-hold`, `completed`.
    pub status: Option<String>,
    pub financial_status: Option<String>,
    pub fulfillment_status: Option<String>,
    /// Omit (or send empty) when the event does not carry them, e.g. a shipment: the known
    /// items are kept.
    #[serde(default)]
    pub line_items: Vec<LineItem>,
    /// A decimal string with at most two decimals; omit when the event does not carry it
    /// (the known total is kept).
    #[cfg_attr(feature = "openapi", schema(example = "178.00"))]
    pub total: Option<String>,
    /// ISO 4217; omit with `total`.
    #[cfg_attr(feature = "openapi", schema(example = "USD"))]
    pub currency: Option<String>,
    /// State or province of the shipping address.
    pub shipping_region: Option<String>,
    pub tracking_number: Option<String>,
    /// The carrier's tracking page: an http(s) URL.
    pub tracking_url: Option<String>,
    pub carrier: Option<String>,
    /// The cart this order came from, when the platform says (marks the cart recovered).
    pub cart_id: Option<String>,
}

/// One event. `id` is yours: sending the same id again is answered `duplicate` and changes
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    #[cfg_attr(feature = "openapi", schema(example = "evt_2026-12-04_0001"))]
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When it happened, with its offset: not before 1970, nor more than a day ahead.
    pub occurred_at: DateTime<Utc>,
    pub customer: Option<CustomerInput>,
    pub cart: Option<CartInput>,
    pub order: Option<OrderInput>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventOutcome {
    /// Stored and applied.
    Accepted,
    /// Stored for the record, but older than what is already known, so not applied; it only
    /// fills in what was still missing (an order's total, items or cart; a checkout's
    /// completion).
    Stale,
    /// This id was already received: nothing changed.
    Duplicate,
    /// Invalid: nothing stored; see `errors`.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventResult {
    /// The event's id (`null` when the event had none).
    pub id: Option<String>,
    pub status: EventOutcome,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

pub const MAX_BATCH: usize = 500;

/// Up to 500 events; each is judged on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventBatchRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<EventRequest>))]
    pub events: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventBatchResponse {
    /// One per event, in the order sent.
    pub results: Vec<EventResult>,
}

/// A customer of the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactDto {
    pub id: i64,
    /// E.164, when the number could be read.
    #[cfg_attr(feature = "openapi", schema(example = "+14155550123"))]
    pub phone: Option<String>,
    /// Whether texts may go to this number at all (US and Canadian numbers only).
    pub textable: bool,
    /// Why not, when `textable` is false.
    pub not_textable_reason: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub sms_consent: ConsentStatus,
    pub consent_source: Option<String>,
    pub consent_at: Option<DateTime<Utc>>,
    /// Set when the customer opted out (STOP); no text goes to them after this.
    pub opted_out_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One entry of the consent audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentEventDto {
    pub status: ConsentStatus,
    pub source: String,
    pub occurred_at: DateTime<Utc>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CartDto {
    pub id: i64,
    /// The platform's cart id.
    pub external_id: String,
    /// `open`, `abandoned`, `completed` (checked out, its order not yet received), `recovered`,
    /// `converted` (ordered before it was abandoned) or `expired`.
    pub status: String,
    pub line_items: Vec<LineItem>,
    pub total: String,
    pub currency: String,
    pub recovery_url: Option<String>,
    pub last_activity_at: DateTime<Utc>,
    pub abandoned_at: Option<DateTime<Utc>>,
    pub recovered_at: Option<DateTime<Utc>>,
    pub order_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderTimelineEntry {
    pub event_type: String,
    pub status: String,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderDto {
    pub id: i64,
    pub external_id: String,
    pub number: Option<String>,
    /// `placed`, `updated`, `shipped`, `on_hold` or `cancelled`.
    pub status: String,
    pub platform_status: Option<String>,
    pub financial_status: Option<String>,
    pub fulfillment_status: Option<String>,
    pub line_items: Vec<LineItem>,
    pub total: String,
    pub currency: String,
    pub shipping_region: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    pub carrier: Option<String>,
    pub cart_id: Option<i64>,
    pub placed_at: DateTime<Utc>,
    pub timeline: Vec<OrderTimelineEntry>,
}

/// A contact with everything known about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactDetailDto {
    pub contact: ContactDto,
    pub consent_history: Vec<ConsentEventDto>,
    pub carts: Vec<CartDto>,
    pub orders: Vec<OrderDto>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ContactsQuery {
    /// Part of a phone number, email or name (a full name too, either way round).
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
}

/// `PUT /api/v1/integrations/{platform}`: the platform's webhook signing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IntegrationSecretRequest {
    /// Shopify: the app's API secret key (shown in its settings); WooCommerce: the webhook's secret.
    pub secret: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrationDto {
    /// `shopify` or `woocommerce`.
    pub platform: String,
    /// Where the platform should post its webhooks.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "https://sms.example.com/webhooks/shopify/42")
    )]
    pub webhook_url: String,
    pub updated_at: DateTime<Utc>,
}
