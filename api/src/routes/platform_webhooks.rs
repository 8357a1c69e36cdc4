//! Webhooks from store platforms, signed with the secret the store saved. Every delivery a
//! platform can send is answered 2xx unless its signature is wrong: platforms disable
//! endpoints that keep failing.

use actix_web::web::{Bytes, Data, Path};
use actix_web::{HttpRequest, HttpResponse, post};
use textback_shared::Problem;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::platforms::{Mapped, shopify, woocommerce};
use crate::services::contacts::read_phone;
use crate::services::ingest::{self, Source};
use crate::{db, nul_text};

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

async fn secret_of(
    state: &AppState,
    store_id: i64,
    platform: &'static str,
) -> AppResult<Option<String>> {
    db::run(&state.pool, move |conn| {
        Ok(db::events::integration_secret(conn, store_id, platform)?)
    })
    .await
}

fn bad_signature() -> AppError {
    AppError::Unauthorized("The webhook signature is missing or wrong.".into())
}

/// Shopify's webhooks (checkouts, orders, fulfillments, customers), verified with
/// `X-Shopify-Hmac-Sha256` and deduplicated by `X-Shopify-Webhook-Id`.
#[utoipa::path(
    tag = "webhooks",
    params(("store" = i64, Path, description = "The store's id (see PUT /api/v1/integrations/shopify)")),
    request_body(content = serde_json::Value, description = "Shopify's payload for `X-Shopify-Topic`"),
    responses(
        (status = 200, description = "Received (also for topics that are ignored)"),
        (status = 401, description = "Missing or wrong signature", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/shopify/{store}")]
pub async fn shopify_webhook(
    state: Data<AppState>,
    req: HttpRequest,
    store: Path<i64>,
    body: Bytes,
) -> AppResult<HttpResponse> {
    let store_id = store.into_inner();
    let delivery = Delivery::verified(&state, &req, store_id, &body, &SHOPIFY).await?;
    let mapped = shopify::map(&delivery.topic, &delivery.id, &delivery.payload);
    ingest_mapped(&state, store_id, Source::Shopify, &delivery.topic, mapped).await
}

/// WooCommerce's order webhooks, verified with `X-WC-Webhook-Signature` and deduplicated
/// by `X-WC-Webhook-Delivery-ID` with the payload (WooCommerce gives every delivery of a
/// webhook within one second the same id). The unsigned ping WooCommerce sends when a
/// webhook is created is answered 200.
#[utoipa::path(
    tag = "webhooks",
    params(("store" = i64, Path, description = "The store's id (see PUT /api/v1/integrations/woocommerce)")),
    request_body(content = serde_json::Value, description = "WooCommerce's payload for `X-WC-Webhook-Topic`"),
    responses(
        (status = 200, description = "Received (also the creation ping, and ignored topics)"),
        (status = 401, description = "Missing or wrong signature", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/woocommerce/{store}")]
pub async fn woocommerce_webhook(
    state: Data<AppState>,
    req: HttpRequest,
    store: Path<i64>,
    body: Bytes,
) -> AppResult<HttpResponse> {
    let store_id = store.into_inner();
    if woocommerce::is_creation_ping(header(&req, "content-type"), &body) {
        return Ok(HttpResponse::Ok().finish());
    }
    let delivery = Delivery::verified(&state, &req, store_id, &body, &WOOCOMMERCE).await?;
    let mapped = woocommerce::map(&delivery.topic, &delivery.id, &delivery.payload);
    ingest_mapped(
        &state,
        store_id,
        Source::WooCommerce,
        &delivery.topic,
        mapped,
    )
    .await
}

/// How a platform signs and labels its deliveries.
struct Platform {
    name: &'static str,
    signature_header: &'static str,
    topic_header: &'static str,
    id_header: &'static str,
    verify: fn(&str, &[u8], &str) -> bool,
}

const SHOPIFY: Platform = Platform {
    name: "shopify",
    signature_header: "x-shopify-hmac-sha256",
    topic_header: "x-shopify-topic",
    id_header: "x-shopify-webhook-id",
    verify: shopify::verify,
};

const WOOCOMMERCE: Platform = Platform {
    name: "woocommerce",
    signature_header: "x-wc-webhook-signature",
    topic_header: "x-wc-webhook-topic",
    id_header: "x-wc-webhook-delivery-id",
    verify: woocommerce::verify,
};

/// A delivery whose signature checks out with the store's saved secret.
struct Delivery {
    topic: String,
    /// The platform's delivery id: the same delivery again is deduplicated on it.
    id: String,
    payload: serde_json::Value,
}

impl Delivery {
    async fn verified(
        state: &AppState,
        req: &HttpRequest,
        store_id: i64,
        body: &[u8],
        platform: &Platform,
    ) -> AppResult<Self> {
        let secret = secret_of(state, store_id, platform.name)
            .await?
            .ok_or_else(bad_signature)?;
        let signature = header(req, platform.signature_header).unwrap_or_default();
        if !(platform.verify)(&secret, body, signature) {
            return Err(bad_signature());
        }
        let id = header(req, platform.id_header)
            .unwrap_or_default()
            .to_owned();
        if id.is_empty() {
            return Err(AppError::BadRequest(format!(
                "The {} header is missing.",
                platform.id_header
            )));
        }
        let mut payload = serde_json::from_slice(body).map_err(AppError::from)?;
        nul_text::strip_in_json(&mut payload);
        Ok(Self {
            topic: header(req, platform.topic_header)
                .unwrap_or_default()
                .to_owned(),
            id,
            payload,
        })
    }
}

async fn ingest_mapped(
    state: &AppState,
    store_id: i64,
    source: Source,
    topic: &str,
    mapped: Mapped,
) -> AppResult<HttpResponse> {
    let events = match mapped {
        Mapped::Ignored(why) => {
            tracing::info!(store_id, topic, why, "platform webhook ignored");
            return Ok(HttpResponse::Ok().finish());
        }
        Mapped::Events(events) => events.into_iter().map(usable).collect::<Vec<_>>(),
    };
    let judged = events
        .into_iter()
        .map(|event| {
            let raw = serde_json::to_string(&event).unwrap_or_default();
            ingest::judge(source, event, raw)
        })
        .collect();
    let results = ingest::ingest_judged(&state.ingest, store_id, judged).await?;
    for result in &results {
        tracing::info!(store_id, topic, id = ?result.id, status = ?result.status, errors = ?result.errors, "platform event");
    }
    Ok(HttpResponse::Ok().finish())
}

/// Platforms pass on whatever was typed: a phone like `555-555-SHIP`, a tracking "URL" that is
/// no web page. Such a field is dropped so the rest of the event still counts, where the API
/// would refuse the event.
fn usable(
    mut event: textback_shared::events::EventRequest,
) -> textback_shared::events::EventRequest {
    if let Some(customer) = event.customer.as_mut()
        && customer
            .phone
            .as_deref()
            .is_some_and(|phone| read_phone(phone).is_err())
    {
        tracing::info!(event_id = %event.id, "unreadable phone from the platform dropped");
        customer.phone = None;
    }
    if let Some(order) = event.order.as_mut()
        && order
            .tracking_url
            .as_deref()
            .is_some_and(|url| !ingest::is_web_url(url))
    {
        tracing::info!(event_id = %event.id, "a tracking URL that is no web page dropped");
        order.tracking_url = None;
    }
    event
}
