use actix_web::web::{Data, Json, Path};
use actix_web::{HttpResponse, delete, get, patch, post};
use textback_shared::inbox::{CannedReplyDto, CannedReplyRequest, RenderedReplyDto};

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::db;
use crate::error::AppResult;
use crate::idempotency_key::{self, IdempotencyKey};
use crate::services::{canned_replies, idempotency};

/// The store's canned replies, by name.
#[utoipa::path(tag = "inbox", responses((status = 200, description = "The replies", body = Vec<CannedReplyDto>)))]
#[get("/canned-replies")]
pub async fn list_canned_replies(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
) -> AppResult<Json<Vec<CannedReplyDto>>> {
    let store_id = caller.store_id;
    Ok(Json(
        db::run(&state.pool, move |conn| {
            canned_replies::list(conn, store_id)
        })
        .await?,
    ))
}

/// Save a reply to insert into conversations. Its body may use `{{ first_name }}`,
/// `{{ store_name }}`, `{{ cart_url }}`, `{{ cart_total }}`, `{{ order_number }}`,
/// `{{ order_status }}`, `{{ tracking_url }}`, `{{ tracking_number }}`; anything else is a 422.
/// With an `Idempotency-Key`, a retry within a day gets the first answer again
/// (`Idempotent-Replayed: true`) instead of a 409 for the name now taken.
#[utoipa::path(tag = "inbox", params(IdempotencyKey), request_body = CannedReplyRequest, responses((status = 201, description = "Saved", body = CannedReplyDto)))]
#[post("/canned-replies")]
pub async fn create_canned_reply(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    key: IdempotencyKey,
    body: Json<CannedReplyRequest>,
) -> AppResult<HttpResponse> {
    let (store_id, request) = (caller.store_id, body.into_inner());
    let fingerprint = idempotency::fingerprint("POST /api/v1/canned-replies", &request)?;
    let answer = db::run(&state.pool, move |conn| {
        idempotency::once(conn, store_id, key.as_deref(), &fingerprint, 201, |conn| {
            canned_replies::create(conn, store_id, &request)
        })
    })
    .await?;
    Ok(idempotency_key::respond(answer))
}

/// Change a reply's name or body.
#[utoipa::path(tag = "inbox", params(("id" = i64, Path, description = "The reply's id")), request_body = CannedReplyRequest, responses((status = 200, description = "Saved", body = CannedReplyDto)))]
#[patch("/canned-replies/{id}")]
pub async fn update_canned_reply(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
    body: Json<CannedReplyRequest>,
) -> AppResult<Json<CannedReplyDto>> {
    let (store_id, id, request) = (caller.store_id, id.into_inner(), body.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            canned_replies::update(conn, store_id, id, &request)
        })
        .await?,
    ))
}

/// Delete a canned reply.
#[utoipa::path(tag = "inbox", params(("id" = i64, Path, description = "The reply's id")), responses((status = 204, description = "Deleted")))]
#[delete("/canned-replies/{id}")]
pub async fn delete_canned_reply(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
) -> AppResult<HttpResponse> {
    let (store_id, id) = (caller.store_id, id.into_inner());
    db::run(&state.pool, move |conn| {
        canned_replies::delete(conn, store_id, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A canned reply filled in for this thread's customer (their name, latest cart and order),
/// ready for the reply box.
#[utoipa::path(
    tag = "inbox",
    params(
        ("id" = i64, Path, description = "The thread's id"),
        ("reply_id" = i64, Path, description = "The canned reply's id"),
    ),
    responses((status = 200, description = "The filled-in text", body = RenderedReplyDto))
)]
#[get("/threads/{id}/canned-replies/{reply_id}")]
pub async fn render_canned_reply(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    path: Path<(i64, i64)>,
) -> AppResult<Json<RenderedReplyDto>> {
    let (store_id, (thread_id, reply_id)) = (caller.store_id, path.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            canned_replies::render_for_thread(conn, store_id, reply_id, thread_id)
        })
        .await?,
    ))
}
