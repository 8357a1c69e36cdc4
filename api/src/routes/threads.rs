use actix_web::web::{Data, Json, Path, Query};
use actix_web::{HttpResponse, get, post};
use textback_shared::events::ContactDetailDto;
use textback_shared::inbox::{MessageDto, ReplyRequest, ThreadDto, ThreadQuery};
use textback_shared::pagination::PageQuery;
use textback_shared::{Page, Problem};

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::db;
use crate::error::AppResult;
use crate::idempotency_key::IdempotencyKey;
use crate::pagination::IdPage;
use crate::services::{inbox, opt_outs};

/// Conversations with customers, most recent activity first. `filter`: `all`, `unread`,
/// `awaiting_reply` (the customer's message is the latest, and they have not opted out),
/// `opted_out`; `q` searches the customer's name (first, last or full), email and number.
#[utoipa::path(tag = "inbox", params(ThreadQuery), responses((status = 200, description = "A page of threads", body = Page<ThreadDto>)))]
#[get("/threads")]
pub async fn list_threads(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    query: Query<ThreadQuery>,
) -> AppResult<Json<Page<ThreadDto>>> {
    let (store_id, query) = (caller.store_id, query.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            inbox::list_threads(conn, store_id, &query)
        })
        .await?,
    ))
}

/// One thread.
#[utoipa::path(tag = "inbox", params(("id" = i64, Path, description = "The thread's id")), responses((status = 200, description = "The thread", body = ThreadDto)))]
#[get("/threads/{id}")]
pub async fn get_thread(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    id: Path<i64>,
) -> AppResult<Json<ThreadDto>> {
    let (store_id, id) = (caller.store_id, id.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| inbox::thread(conn, store_id, id)).await?,
    ))
}

/// The thread's messages, newest first: inbound and outbound, manual and automated (with the
/// campaign and step that sent them), with their status and error. `cursor` pages back.
#[utoipa::path(
    tag = "inbox",
    params(("id" = i64, Path, description = "The thread's id"), PageQuery),
    responses((status = 200, description = "A page of messages", body = Page<MessageDto>))
)]
#[get("/threads/{id}/messages")]
pub async fn list_thread_messages(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    id: Path<i64>,
    query: Query<PageQuery>,
) -> AppResult<Json<Page<MessageDto>>> {
    let page = IdPage::parse(&query)?;
    let (store_id, id) = (caller.store_id, id.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            inbox::messages(conn, store_id, id, page)
        })
        .await?,
    ))
}

/// The customer beside the conversation: consent and its history, carts (with the recovery
/// link) and orders (with items, status timeline and tracking).
#[utoipa::path(tag = "inbox", params(("id" = i64, Path, description = "The thread's id")), responses((status = 200, description = "The customer", body = ContactDetailDto)))]
#[get("/threads/{id}/context")]
pub async fn get_thread_context(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    id: Path<i64>,
) -> AppResult<Json<ContactDetailDto>> {
    let (store_id, id) = (caller.store_id, id.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| inbox::context(conn, store_id, id)).await?,
    ))
}

/// Reply from the store's number. Sent at once by the dispatcher (replies are not held by
/// quiet hours). 409 when the customer opted out (`conflict`) or the store has no number
/// (`number_required`). Send an `Idempotency-Key` header to make retries safe: the same key
/// answers the first reply and sends nothing more.
#[utoipa::path(
    tag = "inbox",
    params(
        ("id" = i64, Path, description = "The thread's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string per reply, up to 200 characters"),
    ),
    request_body = ReplyRequest,
    responses(
        (status = 201, description = "Queued for sending", body = MessageDto),
        (status = 409, description = "The customer opted out, or the store has no number", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/threads/{id}/messages")]
pub async fn reply_to_thread(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
    key: IdempotencyKey,
    body: Json<ReplyRequest>,
) -> AppResult<HttpResponse> {
    let (store_id, id, request) = (caller.store_id, id.into_inner(), body.into_inner());
    let live = state.live.clone();
    let message = db::run(&state.pool, move |conn| {
        inbox::reply(conn, &live, store_id, id, &request, key.as_deref())
    })
    .await?;
    Ok(HttpResponse::Created().json(message))
}

/// Mark the thread read.
#[utoipa::path(tag = "inbox", params(("id" = i64, Path, description = "The thread's id")), responses((status = 200, description = "The thread", body = ThreadDto)))]
#[post("/threads/{id}/read")]
pub async fn mark_thread_read(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
) -> AppResult<Json<ThreadDto>> {
    let (store_id, id, live) = (caller.store_id, id.into_inner(), state.live.clone());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            inbox::mark(conn, &live, store_id, id, true)
        })
        .await?,
    ))
}

/// Mark the thread unread (as if one message were new).
#[utoipa::path(tag = "inbox", params(("id" = i64, Path, description = "The thread's id")), responses((status = 200, description = "The thread", body = ThreadDto)))]
#[post("/threads/{id}/unread")]
pub async fn mark_thread_unread(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
) -> AppResult<Json<ThreadDto>> {
    let (store_id, id, live) = (caller.store_id, id.into_inner(), state.live.clone());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            inbox::mark(conn, &live, store_id, id, false)
        })
        .await?,
    ))
}

/// Unsubscribe the thread's customer by hand (recorded as a manual opt-out): nothing is sent
/// to them from now on, and their pending texts are cancelled.
#[utoipa::path(tag = "inbox", params(("id" = i64, Path, description = "The thread's id")), responses((status = 200, description = "The thread, opted out", body = ThreadDto)))]
#[post("/threads/{id}/unsubscribe")]
pub async fn unsubscribe_thread(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
) -> AppResult<Json<ThreadDto>> {
    let (store_id, id, live) = (caller.store_id, id.into_inner(), state.live.clone());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            let thread = inbox::thread(conn, store_id, id)?;
            opt_outs::unsubscribe_contact(conn, &live, store_id, thread.contact_id)?;
            inbox::thread(conn, store_id, id)
        })
        .await?,
    ))
}

/// Close the conversation (the customer's next text reopens it).
#[utoipa::path(tag = "inbox", params(("id" = i64, Path, description = "The thread's id")), responses((status = 200, description = "The thread, closed", body = ThreadDto)))]
#[post("/threads/{id}/close")]
pub async fn close_thread(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
) -> AppResult<Json<ThreadDto>> {
    let (store_id, id, live) = (caller.store_id, id.into_inner(), state.live.clone());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            inbox::close(conn, &live, store_id, id, true)
        })
        .await?,
    ))
}

/// Reopen a closed conversation.
#[utoipa::path(tag = "inbox", params(("id" = i64, Path, description = "The thread's id")), responses((status = 200, description = "The thread, open", body = ThreadDto)))]
#[post("/threads/{id}/reopen")]
pub async fn reopen_thread(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
) -> AppResult<Json<ThreadDto>> {
    let (store_id, id, live) = (caller.store_id, id.into_inner(), state.live.clone());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            inbox::close(conn, &live, store_id, id, false)
        })
        .await?,
    ))
}
