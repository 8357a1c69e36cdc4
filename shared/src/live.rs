//! Live updates: what `GET /api/v1/stream` pushes to a store's open inboxes.
//!
//! Each server-sent event's `data` is one `LiveEvent` as JSON. Events carry ids, not
//! content: a client fetches what changed through the API, so it never shows something the
//! API would not.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Something changed in the store's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// The stream is open: every change from now on is pushed.
    Ready,
    /// A customer's text arrived, or a text to them was queued or started.
    MessageCreated { thread_id: i64, message_id: i64 },
    /// A text's delivery status changed (sending, sent, delivered, failed, …).
    MessageStatus {
        thread_id: i64,
        message_id: i64,
        status: String,
    },
    /// The thread was read, marked unread, closed or reopened.
    ThreadUpdated { thread_id: i64 },
    /// The customer opted out, or back in.
    ConsentChanged {
        contact_id: i64,
        thread_id: Option<i64>,
        opted_out: bool,
    },
    /// Changes may have been missed (the feed was interrupted, or this client fell behind):
    /// fetch again what is on screen.
    Resync,
}

/// `POST /api/v1/stream/tickets`: a short-lived ticket that opens the stream.
///
/// Browsers cannot set headers on an `EventSource`, and a session token in a URL would end
/// up in logs and histories; a ticket only opens the stream, for a minute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamTicket {
    pub ticket: String,
    pub expires_at: DateTime<Utc>,
    /// The stream's URL with the ticket, ready for `new EventSource(url)`.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "/api/v1/stream?ticket=eyJ0eXAiOiJKV1Qi...")
    )]
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_tagged_by_type() {
        let event = LiveEvent::MessageCreated {
            thread_id: 4,
            message_id: 9,
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(
            json,
            r#"{"type":"message_created","thread_id":4,"message_id":9}"#
        );
        assert_eq!(serde_json::from_str::<LiveEvent>(&json).unwrap(), event);
        assert_eq!(
            serde_json::to_string(&LiveEvent::Resync).unwrap(),
            r#"{"type":"resync"}"#
        );
    }
}
