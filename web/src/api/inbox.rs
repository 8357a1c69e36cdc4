use textback_shared::Page;
use textback_shared::events::ContactDetailDto;
use textback_shared::inbox::{
    CannedReplyDto, CannedReplyRequest, MessageDto, RenderedReplyDto, ReplyRequest, ThreadDto,
    ThreadFilter,
};

use super::client::encode;
use super::{ApiError, Client};

/// The query value of a filter, as the API names it.
pub fn filter_value(filter: ThreadFilter) -> &'static str {
    match filter {
        ThreadFilter::All => "all",
        ThreadFilter::Unread => "unread",
        ThreadFilter::AwaitingReply => "awaiting_reply",
        ThreadFilter::OptedOut => "opted_out",
    }
}

/// One page of conversations, most recent activity first.
pub async fn list_threads(
    client: &Client,
    filter: ThreadFilter,
    q: &str,
    cursor: Option<&str>,
) -> Result<Page<ThreadDto>, ApiError> {
    let mut query = vec![format!("filter={}", filter_value(filter))];
    if !q.trim().is_empty() {
        query.push(format!("q={}", encode(q.trim())));
    }
    if let Some(cursor) = cursor {
        query.push(format!("cursor={}", encode(cursor)));
    }
    client.get(&format!("/threads?{}", query.join("&"))).await
}

pub async fn thread(client: &Client, id: i64) -> Result<ThreadDto, ApiError> {
    client.get(&format!("/threads/{id}")).await
}

/// One page of the thread's messages, newest first; pass `next_cursor` for older ones.
pub async fn messages(
    client: &Client,
    id: i64,
    cursor: Option<&str>,
) -> Result<Page<MessageDto>, ApiError> {
    let path = match cursor {
        Some(cursor) => format!("/threads/{id}/messages?cursor={}", encode(cursor)),
        None => format!("/threads/{id}/messages"),
    };
    client.get(&path).await
}

/// The customer beside the conversation: consent, carts and orders.
pub async fn context(client: &Client, id: i64) -> Result<ContactDetailDto, ApiError> {
    client.get(&format!("/threads/{id}/context")).await
}

/// Sends a reply; `key` makes a retry of the same attempt safe.
pub async fn reply(
    client: &Client,
    id: i64,
    body: &str,
    key: &str,
) -> Result<MessageDto, ApiError> {
    let request = ReplyRequest {
        body: body.to_owned(),
    };
    client
        .post_idempotent(&format!("/threads/{id}/messages"), &request, key)
        .await
}

pub async fn mark_read(client: &Client, id: i64) -> Result<ThreadDto, ApiError> {
    client
        .post(&format!("/threads/{id}/read"), &serde_json::json!({}))
        .await
}

/// Opts the thread's customer out by hand; the thread comes back marked opted out.
pub async fn unsubscribe(client: &Client, id: i64) -> Result<ThreadDto, ApiError> {
    client
        .post(
            &format!("/threads/{id}/unsubscribe"),
            &serde_json::json!({}),
        )
        .await
}

/// The store's canned replies, sorted by name.
pub async fn canned_replies(client: &Client) -> Result<Vec<CannedReplyDto>, ApiError> {
    client.get("/canned-replies").await
}

/// Saves a new canned reply; an unknown variable or a name already in use is a 422 on that field.
pub async fn create_canned_reply(
    client: &Client,
    name: &str,
    body: &str,
) -> Result<CannedReplyDto, ApiError> {
    let request = CannedReplyRequest {
        name: Some(name.to_owned()),
        body: Some(body.to_owned()),
    };
    client.post("/canned-replies", &request).await
}

/// The reply filled in for the thread's customer (their name, cart and order).
pub async fn render_canned_reply(
    client: &Client,
    thread_id: i64,
    reply_id: i64,
) -> Result<String, ApiError> {
    let rendered: RenderedReplyDto = client
        .get(&format!("/threads/{thread_id}/canned-replies/{reply_id}"))
        .await?;
    Ok(rendered.body)
}
