use actix_web::put;
use actix_web::web::{Data, Json, Path};
use textback_shared::events::{IntegrationDto, IntegrationSecretRequest};

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::db;
use crate::error::{AppError, AppResult};

pub const PLATFORMS: [&str; 2] = ["shopify", "woocommerce"];

/// Save a platform's webhook signing secret. Then point the platform's webhooks at the
/// returned `webhook_url`; deliveries with a wrong signature are refused. An API key needs the
/// `events` scope: whoever holds the secret can post events.
#[utoipa::path(
    tag = "integrations",
    params(("platform" = String, Path, description = "`shopify` or `woocommerce`")),
    request_body = IntegrationSecretRequest,
    responses((status = 200, description = "Saved", body = IntegrationDto))
)]
#[put("/integrations/{platform}")]
pub async fn save_integration(
    state: Data<AppState>,
    caller: Caller<scope::Events>,
    platform: Path<String>,
    body: Json<IntegrationSecretRequest>,
) -> AppResult<Json<IntegrationDto>> {
    let platform = platform.into_inner();
    if !PLATFORMS.contains(&platform.as_str()) {
        return Err(AppError::NotFound(format!(
            "No integration named {platform}; use shopify or woocommerce."
        )));
    }
    let secret = body.into_inner().secret.trim().to_owned();
    if !(8..=256).contains(&secret.len()) {
        return Err(AppError::invalid(
            "secret",
            "Paste the secret from the platform: 8 to 256 characters.",
        ));
    }
    let store_id = caller.store_id;
    let name = platform.clone();
    let updated_at = db::run(&state.pool, move |conn| {
        Ok(db::events::save_integration_secret(
            conn,
            store_id,
            &name,
            &secret,
            db::now(),
        )?)
    })
    .await?;
    Ok(Json(IntegrationDto {
        webhook_url: format!(
            "{}/webhooks/{platform}/{store_id}",
            state.settings.public_base_url
        ),
        platform,
        updated_at: db::utc(updated_at),
    }))
}
