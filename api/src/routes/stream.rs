//! The live stream (server-sent events) of the caller's store, and the tickets that open it.

use std::time::Duration;

use actix_web::http::header;
use actix_web::web::{Bytes, Data, Query};
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post};
use futures_util::stream;
use serde::Deserialize;
use textback_shared::Problem;
use textback_shared::live::{LiveEvent, StreamTicket};

use crate::app::AppState;
use crate::auth::caller::{Credential, still_holds};
use crate::auth::{Caller, scope};
use crate::error::{AppError, AppResult};
use crate::live::Subscription;

/// A comment line now and then keeps proxies and load balancers from closing a quiet stream.
/// The stream's credential is checked as often: a logout or a revoked key ends it within this.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// A stream ends after this long and the client reconnects with a fresh ticket.
const MAX_STREAM_AGE: Duration = Duration::from_secs(30 * 60);
/// How long a browser waits before reconnecting by itself.
const RETRY_MS: u32 = 3_000;

/// A ticket that opens the live stream for a minute: for browsers, which cannot send an
/// `Authorization` header with an `EventSource`, without a long-lived token in a URL.
#[utoipa::path(
    tag = "inbox",
    responses(
        (status = 201, description = "The ticket, and the stream's URL with it", body = StreamTicket),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/stream/tickets")]
pub async fn create_stream_ticket(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
) -> AppResult<HttpResponse> {
    let (ticket, expires_at) = state
        .sessions
        .issue_stream_ticket(caller.store_id, caller.credential, chrono::Utc::now())
        .map_err(AppError::internal)?;
    let url = format!("/api/v1/stream?ticket={ticket}");
    Ok(HttpResponse::Created().json(StreamTicket {
        ticket,
        expires_at,
        url,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// A ticket from `POST /api/v1/stream/tickets`; or send `Authorization: Bearer`.
    ticket: Option<String>,
}

/// One event of the stream as a client reads it (before OpenAPI 3.2, an event stream's schema
/// describes each event).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documentation only: the frames are written by `frame`
struct StreamEvent {
    /// Not sent: every event is the default `message`; `data` says what happened.
    event: Option<String>,
    /// A `LiveEvent` in JSON.
    #[schema(content_media_type = "application/json")]
    data: String,
    /// How many milliseconds a client waits before reconnecting (on the first event).
    retry: Option<u32>,
}

/// Server-sent events: new messages, delivery status changes, thread changes and opt-outs of
/// the caller's store, as they happen. Each event's `data` is a `LiveEvent` (JSON); the
/// first is `ready`. Lines starting with `:` keep the connection alive. The stream ends after
/// 30 minutes, or within 15 seconds of its session's logout or its API key's revocation;
/// reconnect (with a new ticket).
#[utoipa::path(
    tag = "inbox",
    params(StreamQuery),
    responses(
        (status = 200, description = "The event stream; each event's `data` is a LiveEvent", body = StreamEvent, content_type = "text/event-stream"),
        (status = 401, description = "No credential, or an invalid or expired ticket", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stream")]
pub async fn open_stream(
    state: Data<AppState>,
    req: HttpRequest,
    query: Query<StreamQuery>,
) -> AppResult<HttpResponse> {
    let (store_id, holder) = match &query.ticket {
        Some(ticket) => {
            let (store_id, holder) =
                state.sessions.verify_stream_ticket(ticket).ok_or_else(|| {
                    AppError::Unauthorized(
                        "The stream ticket is invalid or has expired: ask for a new one.".into(),
                    )
                })?;
            // A ticket outlives a logout by up to a minute.
            if !still_holds(&state, holder).await? {
                return Err(AppError::Unauthorized(
                    "The credential this ticket was asked with has ended.".into(),
                ));
            }
            (store_id, holder)
        }
        None => {
            let caller = Caller::<scope::Read>::extract(&req).await?;
            (caller.store_id, caller.credential)
        }
    };
    let events = state.live.subscribe(store_id);
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Compression would hold events back until a buffer fills.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(frames(Feed::new(events, state, holder))))
}

/// An open stream: the store's changes, and the credential it was opened with, checked again at
/// each heartbeat.
struct Feed {
    events: Subscription,
    state: Data<AppState>,
    holder: Credential,
    heartbeat: tokio::time::Interval,
    deadline: tokio::time::Instant,
    ready_sent: bool,
}

impl Feed {
    fn new(events: Subscription, state: Data<AppState>, holder: Credential) -> Self {
        let now = tokio::time::Instant::now();
        let mut heartbeat = tokio::time::interval_at(now + HEARTBEAT, HEARTBEAT);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self {
            events,
            state,
            holder,
            heartbeat,
            deadline: now + MAX_STREAM_AGE,
            ready_sent: false,
        }
    }

    /// The next bytes to send: `ready`, then each change, with heartbeats between; `None`
    /// ends the stream.
    async fn next_chunk(&mut self) -> Option<String> {
        if !self.ready_sent {
            self.ready_sent = self.events.ready().await;
            return self
                .ready_sent
                .then(|| format!("retry: {RETRY_MS}\n{}", frame(&LiveEvent::Ready)));
        }
        tokio::select! {
            event = self.events.next() => Some(frame(&event?)),
            _ = self.heartbeat.tick() => {
                let holds = self.holder_still_holds().await;
                holds.then(|| ": keep-alive\n\n".to_owned())
            }
            () = tokio::time::sleep_until(self.deadline) => None,
        }
    }

    /// A failed check (the database busy for a moment) keeps the stream: the next one decides.
    async fn holder_still_holds(&self) -> bool {
        match still_holds(&self.state, self.holder).await {
            Ok(holds) => holds,
            Err(e) => {
                tracing::warn!(error = %e, "stream credential not checked");
                true
            }
        }
    }
}

fn frames(feed: Feed) -> impl futures_util::Stream<Item = Result<Bytes, actix_web::Error>> {
    stream::unfold(feed, |mut feed| async move {
        let chunk = feed.next_chunk().await?;
        Some((Ok(Bytes::from(chunk)), feed))
    })
}

fn frame(event: &LiveEvent) -> String {
    let data = serde_json::to_string(event).unwrap_or_else(|_| r#"{"type":"resync"}"#.into());
    format!("data: {data}\n\n")
}
