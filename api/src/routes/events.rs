use actix_web::web::{Bytes, Data, Json};
use actix_web::{HttpResponse, post};
use textback_shared::events::{
    EventBatchRequest, EventBatchResponse, EventOutcome, EventRequest, EventResult, MAX_BATCH,
};

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::error::{AppError, AppResult};
use crate::services::ingest::{self, Pending, Source};

/// Post one cart, order or customer event.
///
/// Types: `cart.updated`, `checkout.updated` (with `cart`); `order.placed`, `order.updated`,
/// `order.shipped`, `order.on_hold`, `order.cancelled` (with `order`; `order.placed` with a
/// `cart_id` marks that cart recovered); `customer.updated` (with `customer`). Any event may
/// carry the `customer`, whose phone and SMS consent are recorded. `id` is yours: the same id
/// again is answered 200 `duplicate` and changes nothing. Events apply in `occurred_at` order
/// per cart and order; an older event arriving late is kept (`stale`) but not applied.
#[utoipa::path(
    tag = "events",
    request_body(content = EventRequest, examples(
        ("cart" = (summary = "cart.updated: a cart, before checkout", value = json!({
            "id": "evt_1000", "type": "cart.updated", "occurred_at": "2026-12-04T15:00:00Z",
            "cart": {"id": "c1-8f2b1d", "total": "89.00", "currency": "USD",
                "recovery_url": "https://shop.example.com/cart/c1-8f2b1d",
                "line_items": [{"title": "Merino crew sweater", "variant": "M", "quantity": 1, "price": "89.00"}]}
        }))),
        ("checkout" = (summary = "checkout.updated: the checkout, with a phone and SMS consent", value = json!({
            "id": "evt_1001", "type": "checkout.updated", "occurred_at": "2026-12-04T15:04:05Z",
            "customer": {"phone": "+1 415 555 0123", "email": "ada@example.com", "first_name": "Ada",
                "sms_consent": {"status": "granted", "source": "checkout"}},
            "cart": {"id": "c1-8f2b1d", "total": "178.00", "currency": "USD",
                "recovery_url": "https://shop.example.com/cart/c1-8f2b1d",
                "line_items": [{"title": "Merino crew sweater", "variant": "M", "quantity": 2, "price": "89.00"}]}
        }))),
        ("order" = (summary = "order.placed: an order from that cart", value = json!({
            "id": "evt_1002", "type": "order.placed", "occurred_at": "2026-12-04T16:10:00Z",
            "customer": {"phone": "+1 415 555 0123"},
            "order": {"id": "820982911946154508", "number": "#1001", "status": "processing",
                "financial_status": "paid", "total": "178.00", "currency": "USD",
                "shipping_region": "CA", "cart_id": "c1-8f2b1d",
                "line_items": [{"title": "Merino crew sweater", "variant": "M", "quantity": 2, "price": "89.00"}]}
        }))),
        ("updated" = (summary = "order.updated: the order changed (here, its shipping state)", value = json!({
            "id": "evt_1003", "type": "order.updated", "occurred_at": "2026-12-04T17:30:00Z",
            "order": {"id": "820982911946154508", "status": "processing", "shipping_region": "OR"}
        }))),
        ("on_hold" = (summary = "order.on_hold: held, waiting for stock", value = json!({
            "id": "evt_1004", "type": "order.on_hold", "occurred_at": "2026-12-04T18:00:00Z",
            "order": {"id": "820982911946154508", "status": "on-hold", "fulfillment_status": "on_hold"}
        }))),
        ("shipped" = (summary = "order.shipped: on its way, with tracking", value = json!({
            "id": "evt_1005", "type": "order.shipped", "occurred_at": "2026-12-05T09:00:00Z",
            "order": {"id": "820982911946154508", "fulfillment_status": "fulfilled",
                "tracking_number": "1Z999AA10123456784", "tracking_url": "https://track.example.com/1Z999AA10123456784", "carrier": "UPS"}
        }))),
        ("cancelled" = (summary = "order.cancelled: an order the store cancelled", value = json!({
            "id": "evt_1007", "type": "order.cancelled", "occurred_at": "2026-12-05T11:00:00Z",
            "customer": {"phone": "+1 415 555 0123"},
            "order": {"id": "820982911946154612", "number": "#1002", "status": "cancelled",
                "financial_status": "voided", "total": "42.00", "currency": "USD"}
        }))),
        ("customer" = (summary = "customer.updated: consent withdrawn on the store's account page", value = json!({
            "id": "evt_1008", "type": "customer.updated", "occurred_at": "2026-12-06T08:00:00Z",
            "customer": {"id": "7390012345", "phone": "+1 415 555 0123", "email": "ada@example.com",
                "first_name": "Ada", "last_name": "Lovelace",
                "sms_consent": {"status": "denied", "source": "api"}}
        }))),
    )),
    responses(
        (status = 202, description = "Stored (`accepted`, or `stale` when older than what is known)", body = EventResult),
        (status = 200, description = "Already received (`duplicate`): nothing changed", body = EventResult),
    )
)]
#[post("/events")]
pub async fn post_event(
    state: Data<AppState>,
    caller: Caller<scope::Events>,
    body: Json<serde_json::Value>,
) -> AppResult<HttpResponse> {
    let raw = body.into_inner();
    let event: EventRequest = serde_json::from_value(raw.clone())?;
    let raw = raw.to_string();
    AppError::check(ingest::validate_as_sent(&event, &raw))?;
    let id = event.id.clone();
    let pending = Pending {
        source: Source::Api,
        event,
        raw,
    };
    let outcomes = state.ingest.submit(caller.store_id, vec![pending]).await?;
    let status = outcomes
        .first()
        .copied()
        .ok_or_else(|| AppError::internal("the writer answered no outcome"))?;
    let result = EventResult {
        id: Some(id),
        status,
        errors: Vec::new(),
    };
    Ok(match status {
        EventOutcome::Duplicate => HttpResponse::Ok().json(result),
        _ => HttpResponse::Accepted().json(result),
    })
}

/// Post up to 500 events at once. Each is judged on its own: the response lists, in order,
/// whether each was `accepted`, `stale`, `duplicate` or `rejected` (with its errors).
#[utoipa::path(
    tag = "events",
    request_body = EventBatchRequest,
    responses((status = 200, description = "One result per event, in order", body = EventBatchResponse))
)]
#[post("/events/batch")]
pub async fn post_event_batch(
    state: Data<AppState>,
    caller: Caller<scope::Events>,
    body: Bytes,
) -> AppResult<Json<EventBatchResponse>> {
    let batch: EventBatchRequest = serde_json::from_slice(&body)?;
    if batch.events.is_empty() || batch.events.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "events",
            format!("Send 1 to {MAX_BATCH} events."),
        ));
    }
    let judged = batch
        .events
        .into_iter()
        .map(|value| ingest::judge_value(Source::Api, value))
        .collect();
    let results = ingest::ingest_judged(&state.ingest, caller.store_id, judged).await?;
    Ok(Json(EventBatchResponse { results }))
}
