//! One text in the conversation: who sent it, and what became of it.

use leptos::prelude::*;
use textback_shared::inbox::{MessageDto, MessageKind};

use super::when;

/// "Cart reminders · step 2" for a campaign's text, "Automatic reply" for a confirmation.
fn sender_label(message: &MessageDto) -> Option<String> {
    match message.kind {
        MessageKind::Automated => {
            let campaign = message.campaign_name.as_deref().unwrap_or("Campaign");
            Some(match message.step {
                Some(step) => format!("{campaign} · step {step}"),
                None => campaign.to_owned(),
            })
        }
        MessageKind::System => Some("Automatic confirmation".into()),
        MessageKind::Customer | MessageKind::Manual => None,
    }
}

/// What happened to an outbound text; inbound ones say nothing.
fn status_label(message: &MessageDto) -> Option<String> {
    if message.direction != "outbound" {
        return None;
    }
    let code = message
        .error_code
        .map(|c| format!(" (error {c})"))
        .unwrap_or_default();
    Some(match message.status.as_str() {
        "queued" => "Queued".into(),
        "sending" => "Sending…".into(),
        "sent" => "Sent".into(),
        "delivered" => "Delivered".into(),
        "undelivered" => format!("Not delivered{code}"),
        "failed" => format!("Failed{code}"),
        "cancelled" => "Not sent".into(),
        other => other.to_owned(),
    })
}

fn kind_value(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Customer => "customer",
        MessageKind::Manual => "manual",
        MessageKind::Automated => "automated",
        MessageKind::System => "system",
    }
}

#[component]
pub fn MessageBubble(message: MessageDto) -> impl IntoView {
    let outbound = message.direction == "outbound";
    let failed = matches!(message.status.as_str(), "failed" | "undelivered");
    let label = sender_label(&message);
    let status = status_label(&message);
    let at = message.sent_at.unwrap_or(message.created_at);

    view! {
        <div
            class="message"
            class:message-out=outbound
            class:message-in=!outbound
            class:message-system=message.kind == MessageKind::System
            data-testid="message"
            data-message-id=message.id.to_string()
            data-kind=kind_value(message.kind)
            data-direction=message.direction.clone()
            data-status=message.status.clone()
        >
            {label.map(|l| view! { <span class="message-label" data-testid="message-label">{l}</span> })}
            <p class="message-body">{message.body}</p>
            <span class="message-meta">
                <time datetime=at.to_rfc3339()>{when::clock(&at)}</time>
                {status.map(|s| view! {
                    " · "
                    <span class="message-status" class:message-failed=failed data-testid="message-status">{s}</span>
                })}
            </span>
        </div>
    }
}
