use actix_web::web::{Data, Json, Path, Query};
use actix_web::{HttpResponse, delete, get, post};
use textback_shared::Page;
use textback_shared::opt_out::{
    AddOptOutsRequest, AddOptOutsResponse, OptOutDto, OptOutsQuery, ResubscribeRequest,
};

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::db;
use crate::error::AppResult;
use crate::services::opt_outs;

/// The store's opt-out list, most recent first: who, when, how (`keyword`: they texted it;
/// `manual`; `import`) and what caused it. `q` matches the number however written.
#[utoipa::path(tag = "opt-outs", params(OptOutsQuery), responses((status = 200, description = "A page of opt-outs", body = Page<OptOutDto>)))]
#[get("/opt-outs")]
pub async fn list_opt_outs(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    query: Query<OptOutsQuery>,
) -> AppResult<Json<Page<OptOutDto>>> {
    let (store_id, query) = (caller.store_id, query.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            opt_outs::list(conn, store_id, &query)
        })
        .await?,
    ))
}

/// The whole list as CSV (`phone,opted_out_at,source,note`).
#[utoipa::path(tag = "opt-outs", responses((status = 200, description = "CSV", body = String, content_type = "text/csv")))]
#[get("/opt-outs.csv")]
pub async fn export_opt_outs(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
) -> AppResult<HttpResponse> {
    let store_id = caller.store_id;
    let csv = db::run(&state.pool, move |conn| opt_outs::csv(conn, store_id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"opt-outs.csv\"",
        ))
        .body(csv))
}

/// Add numbers the store must never text (one, or its own suppression list: up to 1,000).
/// Pending texts to them are cancelled at once. Numbers that are not US or Canadian are
/// listed back as `invalid`.
#[utoipa::path(tag = "opt-outs", request_body = AddOptOutsRequest, responses((status = 200, description = "What was added", body = AddOptOutsResponse)))]
#[post("/opt-outs")]
pub async fn add_opt_outs(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    body: Json<AddOptOutsRequest>,
) -> AppResult<Json<AddOptOutsResponse>> {
    let (store_id, request, live) = (caller.store_id, body.into_inner(), state.live.clone());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            opt_outs::add(conn, &live, store_id, &request)
        })
        .await?,
    ))
}

/// Resubscribe a number: only with evidence of new consent, which the audit keeps. 404 when
/// the number is not on the list.
#[utoipa::path(
    tag = "opt-outs",
    params(("phone" = String, Path, description = "The number, e.g. +14155550123")),
    request_body = ResubscribeRequest,
    responses((status = 204, description = "Resubscribed"))
)]
#[delete("/opt-outs/{phone}")]
pub async fn resubscribe(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    phone: Path<String>,
    body: Json<ResubscribeRequest>,
) -> AppResult<HttpResponse> {
    let (store_id, phone, request) = (caller.store_id, phone.into_inner(), body.into_inner());
    let live = state.live.clone();
    db::run(&state.pool, move |conn| {
        opt_outs::resubscribe(conn, &live, store_id, &phone, &request)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
