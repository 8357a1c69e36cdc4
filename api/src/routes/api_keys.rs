use actix_web::web::{Data, Json, Path, Query};
use actix_web::{HttpResponse, delete, get, post};
use textback_shared::Page;
use textback_shared::api_keys::{ApiKeyDto, CreateApiKeyRequest, CreatedApiKey};
use textback_shared::pagination::PageQuery;

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::db;
use crate::error::AppResult;
use crate::pagination::IdPage;
use crate::services::api_keys;

/// Create an API key. The secret is in this response only; store it now.
#[utoipa::path(
    tag = "api-keys",
    request_body = CreateApiKeyRequest,
    responses((status = 201, description = "The key, with its secret shown this once", body = CreatedApiKey))
)]
#[post("/api-keys")]
pub async fn create_api_key(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    body: Json<CreateApiKeyRequest>,
) -> AppResult<HttpResponse> {
    let request = body.into_inner();
    let created = db::run(&state.pool, move |conn| {
        api_keys::create(conn, caller.store_id, &caller.scopes, &request)
    })
    .await?;
    tracing::info!(api_key_id = created.key.id, prefix = %created.key.prefix, "API key created");
    Ok(HttpResponse::Created().json(created))
}

/// The store's live API keys, newest first (secrets are never shown again).
#[utoipa::path(
    tag = "api-keys",
    params(PageQuery),
    responses((status = 200, description = "A page of keys", body = Page<ApiKeyDto>))
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    query: Query<PageQuery>,
) -> AppResult<Json<Page<ApiKeyDto>>> {
    let page = IdPage::parse(&query)?;
    let keys = db::run(&state.pool, move |conn| {
        api_keys::list(conn, caller.store_id, page)
    })
    .await?;
    Ok(Json(keys))
}

/// Revoke an API key: it stops working at once.
#[utoipa::path(
    tag = "api-keys",
    params(("id" = i64, Path, description = "The key's id")),
    responses((status = 204, description = "Revoked"))
)]
#[delete("/api-keys/{id}")]
pub async fn revoke_api_key(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    db::run(&state.pool, move |conn| {
        api_keys::revoke(conn, caller.store_id, id)
    })
    .await?;
    tracing::info!(api_key_id = id, "API key revoked");
    Ok(HttpResponse::NoContent().finish())
}
