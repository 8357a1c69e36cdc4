use actix_web::web::{Data, Json};
use actix_web::{HttpResponse, get};
use diesel::r2d2::R2D2Connection;
use serde::Serialize;

use crate::app::AppState;
use crate::db;
use crate::error::AppResult;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    status: &'static str,
}

/// The process is up (it answers without touching the database).
#[utoipa::path(tag = "operations", responses((status = 200, description = "Up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The server can reach its database; 503 otherwise.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Ready", body = Health)))]
#[get("/readyz")]
pub async fn readyz(state: Data<AppState>) -> AppResult<Json<Health>> {
    db::run(&state.pool, |conn| conn.ping().map_err(Into::into)).await?;
    Ok(Json(Health { status: "ok" }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Metrics", body = String, content_type = "text/plain; version=0.0.4"))
)]
#[get("/metrics")]
pub async fn metrics(state: Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&state.pool))
}
