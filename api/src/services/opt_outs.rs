//! Opt-out, opt-in and HELP from customers' replies (CTIA/TCPA): every inbound text is
//! classified by the shared detector (or by Twilio, when its own keyword handling reports
//! `OptOutType`).
//!
//! - Opt-out: the contact is opted out store-wide at once, with an audit row quoting the text,
//!   every pending text to them is cancelled, and exactly one confirmation goes out (a second
//!   STOP gets none). Nothing else is ever sent to them until they opt back in.
//! - Opt-in (only from an opted-out contact): resubscribed, with a confirmation.
//! - HELP: the store's help text, at most once per contact per 24 hours.
//!
//! Confirmations are queued in the outbox (purpose `compliance`), so the dispatcher sends
//! them within its next pass, retries them, and reconciles them like any text.

use chrono::{Duration, NaiveDateTime};
use textback_shared::events::{ConsentSource, ConsentStatus};
use textback_shared::opt_out::{Intent, classify};
use textback_shared::segments;

use crate::db::outbox::{self, NewOutbox, Scope};
use crate::db::{self, DbConn, contacts::ContactRow, phone_numbers::PhoneNumberRow};
use crate::error::AppResult;

const HELP_EVERY: Duration = Duration::hours(24);
/// How much of the customer's text the audit row quotes.
const QUOTED_CHARS: usize = 160;

/// A customer's text, stored, with what answering it needs.
pub struct Reply<'a> {
    pub number: &'a PhoneNumberRow,
    pub contact: &'a ContactRow,
    pub thread_id: i64,
    pub body: &'a str,
    /// Twilio's `OptOutType` (`STOP`, `START`, `HELP`) when its keyword handling acted.
    pub provider_keyword: Option<&'a str>,
}

/// What the text asks for, by the provider's word if it gave one, else by our detector.
pub fn intent(body: &str, provider_keyword: Option<&str>) -> Intent {
    match provider_keyword
        .map(str::trim)
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("STOP") => Intent::OptOut,
        Some("START") => Intent::OptIn,
        Some("HELP") => Intent::Help,
        _ => classify(body),
    }
}

/// Acts on the reply's intent; returns it.
pub fn handle(conn: &mut DbConn, reply: &Reply<'_>, now: NaiveDateTime) -> AppResult<Intent> {
    let intent = intent(reply.body, reply.provider_keyword);
    let contact = reply.contact;
    let store = db::stores::find(conn, contact.store_id)?;
    let quoted: String = reply.body.chars().take(QUOTED_CHARS).collect();
    match intent {
        Intent::OptOut if contact.opted_out_at.is_none() => {
            db::contacts::mark_opted_out(conn, contact.id, now)?;
            let note = format!("texted \u{201c}{quoted}\u{201d}");
            audit(conn, contact, ConsentStatus::Denied, &note, now)?;
            outbox::cancel(
                conn,
                Scope::Contact(contact.id),
                "the customer opted out",
                now,
            )?;
            let text = format!(
                "{}: You're unsubscribed and will receive no more messages. Reply START to resubscribe.",
                store.name
            );
            confirm(conn, reply, "opt-out", &text, now)?;
        }
        Intent::OptIn if contact.opted_out_at.is_some() => {
            db::contacts::clear_opt_out(conn, contact.id, now)?;
            let note = format!("texted \u{201c}{quoted}\u{201d} after opting out");
            audit(conn, contact, ConsentStatus::Granted, &note, now)?;
            let text = format!(
                "{}: You're resubscribed and will get our texts again. Reply STOP to opt out.",
                store.name
            );
            confirm(conn, reply, "opt-in", &text, now)?;
        }
        Intent::Help if !outbox::queued_since(conn, contact.id, "help:", now - HELP_EVERY)? => {
            let text = format!(
                "{}: Need help? Reply to this text and we'll get back to you. \
                 Msg & data rates may apply. Reply STOP to opt out.",
                store.name
            );
            confirm(conn, reply, "help", &text, now)?;
        }
        _ => {}
    }
    Ok(intent)
}

fn audit(
    conn: &mut DbConn,
    contact: &ContactRow,
    status: ConsentStatus,
    note: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let change = db::contacts::ConsentChange {
        store_id: contact.store_id,
        contact_id: contact.id,
        status: status.as_str(),
        source: ConsentSource::Keyword.as_str(),
        occurred_at: now,
        event_id: None,
        note: Some(note),
    };
    Ok(db::contacts::record_consent(conn, &change, now)?)
}

/// Writes the confirmation into the conversation and queues it for the dispatcher.
fn confirm(
    conn: &mut DbConn,
    reply: &Reply<'_>,
    kind: &str,
    text: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let contact = reply.contact;
    let message = db::messages::insert(
        conn,
        &db::messages::NewMessage {
            store_id: contact.store_id,
            thread_id: reply.thread_id,
            contact_id: contact.id,
            phone_number_id: Some(reply.number.id),
            direction: db::messages::OUTBOUND,
            kind: db::messages::KIND_SYSTEM,
            body: text,
            status: "queued",
            segments: i32::try_from(segments::count(text).segments).unwrap_or(i32::MAX),
            from_number: &reply.number.phone_number,
            to_number: contact.phone.as_deref().unwrap_or_default(),
            provider_sid: None,
            scheduled_for: Some(now),
            campaign: None,
            marketing: false,
            now,
        },
    )?;
    let queued = NewOutbox {
        store_id: contact.store_id,
        campaign_id: None,
        step_id: None,
        message_id: Some(message.id),
        contact_id: contact.id,
        cart_id: None,
        order_id: None,
        purpose: outbox::COMPLIANCE,
        due_at: now,
        dedupe_key: format!("{kind}:{}", message.id),
    };
    outbox::schedule(conn, &queued, now)?;
    Ok(())
}
