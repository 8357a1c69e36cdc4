//! The inbox: conversations (threads) with customers, and their messages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which threads to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ThreadFilter {
    #[default]
    All,
    /// With messages the merchant has not read.
    Unread,
    /// Whose customer is waiting for a reply (see `ThreadDto::waiting_since`).
    AwaitingReply,
    /// With customers who opted out.
    OptedOut,
}

/// `GET /api/v1/threads`: most recent activity first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ThreadQuery {
    #[cfg_attr(feature = "openapi", param(inline))]
    pub filter: Option<ThreadFilter>,
    /// Part of the customer's name (a full name too, either way round), email or phone number.
    pub q: Option<String>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadDto {
    pub id: i64,
    pub contact_id: i64,
    /// The customer's name when known.
    pub name: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    pub last_message_at: DateTime<Utc>,
    /// The start of the latest message.
    pub snippet: String,
    pub unread_count: u32,
    pub opted_out: bool,
    /// Since when the customer has been waiting for an answer: their first text that no one
    /// has replied to (a campaign's text is not a reply; a STOP, START or HELP is answered by
    /// its confirmation). Closing the thread ends the wait; so does opting out.
    pub waiting_since: Option<DateTime<Utc>>,
    /// Closed by the merchant; the customer's next text reopens it.
    pub closed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// From the customer.
    Customer,
    /// A reply written by the merchant.
    Manual,
    /// Sent by a campaign.
    Automated,
    /// An opt-out, opt-in or HELP confirmation.
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageDto {
    pub id: i64,
    pub thread_id: i64,
    /// `inbound` or `outbound`.
    pub direction: String,
    pub kind: MessageKind,
    pub body: String,
    /// Inbound: `received`. Outbound: `queued`, `sending`, `sent`, `delivered`, `undelivered`,
    /// `failed` or `cancelled`.
    pub status: String,
    /// The provider's error code when it failed (e.g. 30003 unreachable).
    pub error_code: Option<i64>,
    pub segments: u32,
    /// The campaign and step (1-based) that sent it, for automated messages.
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub step: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/threads/{id}/messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Yes, the medium is back in stock!")
    )]
    pub body: String,
}

/// Replies longer than this are refused (ten segments of GSM-7).
pub const MAX_REPLY_CHARS: usize = 1_530;

impl ReplyRequest {
    /// Why the reply cannot be sent as written, if it cannot.
    pub fn problem(&self) -> Option<&'static str> {
        let body = self.body.trim();
        if body.is_empty() {
            Some("Write a message.")
        } else if body.chars().count() > MAX_REPLY_CHARS {
            Some("Keep the message under 1,530 characters (ten texts).")
        } else {
            None
        }
    }
}

/// A reply a store writes once and inserts into conversations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CannedReplyDto {
    pub id: i64,
    pub name: String,
    /// A template over [`REPLY_VARIABLES`], e.g. `Hi {{ first_name }}, …`.
    pub body: String,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/canned-replies`; in a `PATCH`, only the fields sent change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CannedReplyRequest {
    #[cfg_attr(feature = "openapi", schema(example = "Shipping times"))]
    pub name: Option<String>,
    #[cfg_attr(
        feature = "openapi",
        schema(example = "Hi {{ first_name }}, orders ship within 2 days.")
    )]
    pub body: Option<String>,
}

/// A canned reply filled in for one conversation's customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenderedReplyDto {
    pub body: String,
}

/// What a canned reply may use: the customer, the store, their latest cart and order.
pub const REPLY_VARIABLES: [&str; 8] = [
    "first_name",
    "store_name",
    "cart_url",
    "cart_total",
    "order_number",
    "order_status",
    "tracking_url",
    "tracking_number",
];

const MAX_NAME_CHARS: usize = 60;

/// Everything wrong with a canned reply's name and body (both as they will be saved).
pub fn canned_reply_errors(name: &str, body: &str) -> Vec<crate::FieldError> {
    use crate::templates::{self, CampaignKind, TemplateProblem};
    let mut errors = Vec::new();
    let name_chars = name.trim().chars().count();
    if name_chars == 0 || name_chars > MAX_NAME_CHARS {
        errors.push(crate::FieldError::new(
            "name",
            "Give it a name of 1 to 60 characters.",
        ));
    }
    if body.trim().is_empty() {
        errors.push(crate::FieldError::new("body", "Write the reply."));
    } else if body.chars().count() > MAX_REPLY_CHARS {
        errors.push(crate::FieldError::new(
            "body",
            "Keep it under 1,530 characters.",
        ));
    }
    // The campaign checks find syntax errors; names are judged against the reply's own list.
    for problem in templates::check(CampaignKind::AbandonedCart, body) {
        let message = match &problem {
            TemplateProblem::Empty => continue,
            TemplateProblem::UnknownVariable { name, .. }
            | TemplateProblem::NotAvailable { name, .. } => {
                if REPLY_VARIABLES.contains(&name.as_str()) {
                    continue;
                }
                format!(
                    "There is no variable called {name}. You can use: {}.",
                    REPLY_VARIABLES.join(", ")
                )
            }
            other => other.to_string(),
        };
        errors.push(crate::FieldError::new("body", message));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canned_replies_may_use_any_reply_variable_but_no_other() {
        assert!(
            canned_reply_errors(
                "Shipping",
                "Hi {{ first_name }}, track it: {{ tracking_url }}"
            )
            .is_empty()
        );
        assert!(
            canned_reply_errors("Cart", "Your {{ cart_total }} cart: {{ cart_url }}").is_empty()
        );
        let unknown = canned_reply_errors("Oops", "Hi {{ nickname }}");
        assert_eq!(unknown.len(), 1);
        assert!(unknown[0].message.contains("nickname"));
        let unclosed = canned_reply_errors("Oops", "Hi {{ first_name");
        assert_eq!(unclosed[0].field, "body");
        let fields: Vec<_> = canned_reply_errors("", " ")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "body"]);
    }
}
