//! The inbox: threads (most recent activity first), their messages, the customer beside
//! them, and replies from the store's number.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use textback_shared::Page;
use textback_shared::events::ContactDetailDto;
use textback_shared::inbox::{
    MessageDto, MessageKind, ReplyRequest, ThreadDto, ThreadFilter, ThreadQuery,
};
use textback_shared::live::LiveEvent;
use textback_shared::segments;

use crate::db::contacts::{ContactRow, ContactSummary};
use crate::db::outbox::{self, NewOutbox};
use crate::db::threads::{Only, ThreadRow};
use crate::db::{self, DbConn, messages::MessageRow};
use crate::error::{AppError, AppResult};
use crate::live::{LiveHub, Notice};
use crate::pagination::{IdPage, TimePage};
use crate::services::contacts;

pub fn list_threads(
    conn: &mut DbConn,
    store_id: i64,
    query: &ThreadQuery,
) -> AppResult<Page<ThreadDto>> {
    let page = TimePage::parse(query.cursor.as_deref(), query.limit)?;
    let only = match query.filter.unwrap_or_default() {
        ThreadFilter::All => Only::All,
        ThreadFilter::Unread => Only::Unread,
        ThreadFilter::AwaitingReply => Only::AwaitingReply,
        ThreadFilter::OptedOut => Only::OptedOut,
    };
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let rows = db::threads::list(conn, store_id, only, q, page.after, page.fetch_limit())?;
    let (rows, next_cursor) = page.cut(rows, |(t, _)| Some((t.last_message_at, t.id)));
    Ok(Page {
        items: rows.into_iter().map(|(t, c)| thread_dto(t, &c)).collect(),
        next_cursor,
    })
}

pub fn thread(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<ThreadDto> {
    let (thread, contact) = find(conn, store_id, id)?;
    Ok(thread_dto(thread, &contact.into()))
}

/// Every message to date, newest first (automated ones with their campaign and step).
pub fn messages(
    conn: &mut DbConn,
    store_id: i64,
    thread_id: i64,
    page: IdPage,
) -> AppResult<Page<MessageDto>> {
    // Three queries a page: the thread (the store's; its contact is not needed here), its
    // messages, and the labels of its campaign texts.
    let thread =
        db::threads::find(conn, store_id, thread_id).map_err(|_| AppError::not_found("thread"))?;
    let rows = db::messages::of_thread(conn, thread.id, page.before_id, page.fetch_limit())?;
    let mut campaign_ids: Vec<i64> = rows.iter().filter_map(|m| m.campaign_id).collect();
    campaign_ids.sort_unstable();
    campaign_ids.dedup();
    let mut names = HashMap::new();
    let mut positions = HashMap::new();
    for label in db::campaigns::labels(conn, &campaign_ids)? {
        if let (Some(step), Some(position)) = (label.step_id, label.position) {
            positions.insert(step, position);
        }
        names.insert(label.campaign_id, label.name);
    }
    Ok(page.finish(rows, |m| m.id, |m| message_dto(m, &names, &positions)))
}

/// The customer beside the conversation: consent and its history, carts, orders.
pub fn context(conn: &mut DbConn, store_id: i64, thread_id: i64) -> AppResult<ContactDetailDto> {
    let (thread, _) = find(conn, store_id, thread_id)?;
    contacts::detail(conn, store_id, thread.contact_id)
}

/// Queues a reply from the store's number (the dispatcher sends it in its next pass). The
/// same `Idempotency-Key` again answers the first reply and sends nothing more.
pub fn reply(
    conn: &mut DbConn,
    live: &LiveHub,
    store_id: i64,
    thread_id: i64,
    request: &ReplyRequest,
    idempotency_key: Option<&str>,
) -> AppResult<MessageDto> {
    reply_at(
        conn,
        live,
        store_id,
        thread_id,
        request,
        idempotency_key,
        db::now(),
    )
}

/// [`reply`], written at `now` (the demo store replays a past).
pub fn reply_at(
    conn: &mut DbConn,
    live: &LiveHub,
    store_id: i64,
    thread_id: i64,
    request: &ReplyRequest,
    idempotency_key: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<MessageDto> {
    if let Some(problem) = request.problem() {
        return Err(AppError::invalid("body", problem));
    }
    let (reply, fresh) = db::write_transaction(conn, |conn| {
        let (thread, contact) = find(conn, store_id, thread_id)?;
        let key = idempotency_key.map(|k| format!("reply:{}:{k}", thread.id));
        if let Some(key) = &key
            && let Some(message_id) = outbox::message_of_key(conn, store_id, key)?
        {
            return Ok((message(conn, store_id, message_id)?, false));
        }
        if contact.opted_out_at.is_some() {
            return Err(AppError::Conflict(
                "This customer opted out: nothing can be sent until they text START.".into(),
            ));
        }
        let Some(number) = db::phone_numbers::active_for_store(conn, store_id)? else {
            return Err(AppError::NumberRequired(
                "This store has no SMS number: reserve one to reply.".into(),
            ));
        };
        let body = request.body.trim();
        let message = db::messages::insert(
            conn,
            &db::messages::NewMessage {
                store_id,
                thread_id: thread.id,
                contact_id: contact.id,
                phone_number_id: Some(number.id),
                direction: db::messages::OUTBOUND,
                kind: db::messages::KIND_MANUAL,
                body,
                status: "queued",
                segments: i32::try_from(segments::count(body).segments).unwrap_or(i32::MAX),
                from_number: &number.phone_number,
                to_number: contact.phone.as_deref().unwrap_or_default(),
                provider_sid: None,
                scheduled_for: Some(now),
                campaign: None,
                marketing: false,
                now,
            },
        )?;
        let queued = NewOutbox {
            store_id,
            campaign_id: None,
            step_id: None,
            message_id: Some(message.id),
            contact_id: contact.id,
            cart_id: None,
            order_id: None,
            purpose: outbox::CONVERSATIONAL,
            due_at: now,
            dedupe_key: key.unwrap_or_else(|| format!("reply:{}", message.id)),
        };
        outbox::schedule(conn, &queued, now)?;
        db::threads::record_answer(conn, thread.id, body, now)?;
        // Answering a thread reads it.
        db::threads::set_unread(conn, thread.id, 0)?;
        Ok((message_dto(message, &HashMap::new(), &HashMap::new()), true))
    })?;
    if fresh {
        let event = LiveEvent::MessageCreated {
            thread_id: reply.thread_id,
            message_id: reply.id,
        };
        live.publish(conn, &[Notice::new(store_id, event)]);
    }
    Ok(reply)
}

/// Marks the thread read, or unread (it shows as having one unread message).
pub fn mark(
    conn: &mut DbConn,
    live: &LiveHub,
    store_id: i64,
    thread_id: i64,
    read: bool,
) -> AppResult<ThreadDto> {
    let (thread, _) = find(conn, store_id, thread_id)?;
    let unread = if read { 0 } else { thread.unread_count.max(1) };
    db::threads::set_unread(conn, thread.id, unread)?;
    updated(conn, live, store_id, thread_id)
}

/// Closes the thread, or reopens it.
pub fn close(
    conn: &mut DbConn,
    live: &LiveHub,
    store_id: i64,
    thread_id: i64,
    closed: bool,
) -> AppResult<ThreadDto> {
    let (thread, _) = find(conn, store_id, thread_id)?;
    db::threads::set_closed(conn, thread.id, closed.then(db::now))?;
    updated(conn, live, store_id, thread_id)
}

/// The thread as changed, once the store's other open inboxes have been told.
fn updated(
    conn: &mut DbConn,
    live: &LiveHub,
    store_id: i64,
    thread_id: i64,
) -> AppResult<ThreadDto> {
    live.publish(
        conn,
        &[Notice::new(
            store_id,
            LiveEvent::ThreadUpdated { thread_id },
        )],
    );
    self::thread(conn, store_id, thread_id)
}

fn message(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<MessageDto> {
    let row = db::messages::find_many(conn, &[id])?
        .into_iter()
        .find(|m| m.store_id == store_id)
        .ok_or_else(|| AppError::not_found("message"))?;
    Ok(message_dto(row, &HashMap::new(), &HashMap::new()))
}

fn find(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<(ThreadRow, ContactRow)> {
    let thread =
        db::threads::find(conn, store_id, id).map_err(|_| AppError::not_found("thread"))?;
    let contact = db::contacts::find(conn, store_id, thread.contact_id)?;
    Ok((thread, contact))
}

fn thread_dto(thread: ThreadRow, contact: &ContactSummary) -> ThreadDto {
    let name = [contact.first_name.as_deref(), contact.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    // Not a customer who opted out: no reply can go to them.
    let waiting_since = thread
        .awaiting_reply_since
        .filter(|_| contact.opted_out_at.is_none())
        .map(db::utc);
    ThreadDto {
        id: thread.id,
        contact_id: contact.id,
        name: (!name.is_empty()).then_some(name),
        phone: contact.phone.clone(),
        last_message_at: db::utc(thread.last_message_at),
        snippet: thread.last_message_preview,
        unread_count: u32::try_from(thread.unread_count).unwrap_or_default(),
        opted_out: contact.opted_out_at.is_some(),
        waiting_since,
        closed: thread.closed_at.is_some(),
    }
}

fn message_dto(
    row: MessageRow,
    campaign_names: &HashMap<i64, String>,
    step_positions: &HashMap<i64, i32>,
) -> MessageDto {
    let kind = match row.kind.as_str() {
        db::messages::KIND_CUSTOMER => MessageKind::Customer,
        db::messages::KIND_AUTOMATED => MessageKind::Automated,
        db::messages::KIND_SYSTEM => MessageKind::System,
        _ => MessageKind::Manual,
    };
    MessageDto {
        id: row.id,
        thread_id: row.thread_id,
        direction: row.direction,
        kind,
        body: row.body,
        status: row.status,
        error_code: row.error_code,
        segments: u32::try_from(row.segments).unwrap_or_default(),
        campaign_name: row
            .campaign_id
            .and_then(|id| campaign_names.get(&id).cloned()),
        step: row
            .step_id
            .and_then(|id| step_positions.get(&id))
            .and_then(|p| u32::try_from(*p + 1).ok()),
        campaign_id: row.campaign_id,
        created_at: db::utc(row.created_at),
        sent_at: row.sent_at.map(db::utc),
    }
}
