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

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDateTime};
use textback_shared::Page;
use textback_shared::events::{ConsentSource, ConsentStatus};
use textback_shared::live::LiveEvent;
use textback_shared::opt_out::{
    AddOptOutsRequest, AddOptOutsResponse, Intent, MAX_OPT_OUTS_PER_REQUEST, OptOutDto,
    OptOutsQuery, ResubscribeRequest, classify,
};
use textback_shared::segments;

use crate::db::outbox::{self, NewOutbox};
use crate::db::{self, DbConn, contacts::ContactRow, phone_numbers::PhoneNumberRow};
use crate::error::{AppError, AppResult};
use crate::live::{LiveHub, Notice};
use crate::pagination::TimePage;
use crate::services::contacts::{PhoneReading, read_phone};

const HELP_EVERY: Duration = Duration::hours(24);
/// How much of the customer's text the audit row quotes.
const QUOTED_CHARS: usize = 160;

/// A customer's text, stored, with what answering it needs.
pub struct Reply<'a> {
    pub number: &'a PhoneNumberRow,
    /// Read under a lock (`db::contacts::lock`) in this transaction: of two STOPs (or STARTs)
    /// delivered at once, only the first changes the state and confirms (CTIA: one
    /// confirmation).
    pub contact: &'a ContactRow,
    pub thread_id: i64,
    pub body: &'a str,
    /// Twilio's `OptOutType` (`STOP`, `START`, `HELP`) when its keyword handling acted.
    pub provider_keyword: Option<&'a str>,
    /// The provider has answered the text itself (see `SmsProvider::answers_keyword`).
    pub provider_answered: bool,
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

/// What acting on a reply did.
pub struct Handled {
    pub intent: Intent,
    /// The confirmation (or help text) queued in answer, if any.
    pub answer_message_id: Option<i64>,
}

/// Acts on the reply's intent.
pub fn handle(conn: &mut DbConn, reply: &Reply<'_>, now: NaiveDateTime) -> AppResult<Handled> {
    let intent = intent(reply.body, reply.provider_keyword);
    let contact = reply.contact;
    let store = db::stores::find(conn, contact.store_id)?;
    let quoted: String = reply.body.chars().take(QUOTED_CHARS).collect();
    let answer_message_id = match intent {
        Intent::OptOut if contact.opted_out_at.is_none() => {
            let note = format!("texted \u{201c}{quoted}\u{201d}");
            opt_out(conn, contact, ConsentSource::Keyword, &note, now)?;
            let text = format!(
                "{}: You're unsubscribed and will receive no more messages. Reply START to resubscribe.",
                store.name
            );
            answer(conn, reply, "opt-out", &text, now)?
        }
        Intent::OptIn if contact.opted_out_at.is_some() => {
            db::contacts::clear_opt_out(conn, contact.id, now)?;
            let note = format!("texted \u{201c}{quoted}\u{201d} after opting out");
            audit(
                conn,
                contact,
                ConsentStatus::Granted,
                ConsentSource::Keyword,
                &note,
                now,
            )?;
            let text = format!(
                "{}: You're resubscribed and will get our texts again. Reply STOP to opt out.",
                store.name
            );
            answer(conn, reply, "opt-in", &text, now)?
        }
        Intent::Help if !outbox::queued_since(conn, contact.id, "help:", now - HELP_EVERY)? => {
            let text = format!(
                "{}: Need help? Reply to this text and we'll get back to you. \
                 Msg & data rates may apply. Reply STOP to opt out.",
                store.name
            );
            answer(conn, reply, "help", &text, now)?
        }
        _ => None,
    };
    Ok(Handled {
        intent,
        answer_message_id,
    })
}

/// Answers the customer's keyword with `text`, unless the provider already answered it: a
/// second confirmation breaks CTIA's one, and after a STOP it would be refused anyway.
fn answer(
    conn: &mut DbConn,
    reply: &Reply<'_>,
    kind: &str,
    text: &str,
    now: NaiveDateTime,
) -> AppResult<Option<i64>> {
    if reply.provider_answered {
        db::threads::record_keyword_answered(conn, reply.thread_id, now)?;
        return Ok(None);
    }
    confirm(conn, reply, kind, text, now).map(Some)
}

/// Opts the contact out store-wide: nothing is sent to them from now on, and every pending
/// text to them is cancelled.
fn opt_out(
    conn: &mut DbConn,
    contact: &ContactRow,
    source: ConsentSource,
    note: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    opt_out_contacts(conn, contact.store_id, &[contact.id], source, note, now)
}

/// `opt_out` for many of the store's contacts at once, with a few statements for them all;
/// also what the dispatcher does when the carrier reports a customer unsubscribed.
pub fn opt_out_contacts(
    conn: &mut DbConn,
    store_id: i64,
    contact_ids: &[i64],
    source: ConsentSource,
    note: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    db::contacts::mark_opted_out_all(conn, contact_ids, now)?;
    let changes: Vec<db::contacts::ConsentChange<'_>> = contact_ids
        .iter()
        .map(|&contact_id| db::contacts::ConsentChange {
            store_id,
            contact_id,
            status: ConsentStatus::Denied.as_str(),
            source: source.as_str(),
            occurred_at: now,
            event_id: None,
            note: Some(note),
        })
        .collect();
    db::contacts::record_consent_many(conn, &changes, now)?;
    outbox::cancel_for_contacts(conn, contact_ids, "the customer opted out", now)?;
    Ok(())
}

fn audit(
    conn: &mut DbConn,
    contact: &ContactRow,
    status: ConsentStatus,
    source: ConsentSource,
    note: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let change = db::contacts::ConsentChange {
        store_id: contact.store_id,
        contact_id: contact.id,
        status: status.as_str(),
        source: source.as_str(),
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
) -> AppResult<i64> {
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
    db::threads::record_confirmation(conn, reply.thread_id, text, now)?;
    Ok(message.id)
}

/// The store's opt-out list, most recent first; `q` matches the number however written.
pub fn list(conn: &mut DbConn, store_id: i64, query: &OptOutsQuery) -> AppResult<Page<OptOutDto>> {
    let page = TimePage::parse(query.cursor.as_deref(), query.limit)?;
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let rows = db::contacts::opted_out(conn, store_id, q, page.after, page.fetch_limit())?;
    let (rows, next_cursor) = page.cut(rows, |c| Some((c.opted_out_at?, c.id)));
    Ok(Page {
        items: dtos(conn, rows)?,
        next_cursor,
    })
}

/// Every opt-out as CSV (`phone,opted_out_at,source,note`), for the store's own records.
pub fn csv(conn: &mut DbConn, store_id: i64) -> AppResult<String> {
    let rows = db::contacts::opted_out(conn, store_id, None, None, i64::MAX)?;
    let mut out = String::from("phone,opted_out_at,source,note\n");
    for o in dtos(conn, rows)? {
        let cells = [
            o.phone,
            o.opted_out_at.to_rfc3339(),
            o.source.unwrap_or_default(),
            o.note.unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    Ok(out)
}

/// Quoted when needed; a cell a spreadsheet would run as a formula (`=`, `-`, `@`, or `+`
/// not starting a phone number) is defused with a leading apostrophe.
fn csv_cell(value: &str) -> String {
    let formula = value.starts_with(['=', '-', '@'])
        || (value.starts_with('+') && !value[1..].starts_with(|c: char| c.is_ascii_digit()));
    let value = if formula {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn dtos(conn: &mut DbConn, rows: Vec<ContactRow>) -> AppResult<Vec<OptOutDto>> {
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    // The latest opt-out row of each contact says how and why.
    let mut why: HashMap<i64, (String, Option<String>)> = HashMap::new();
    for (contact, source, note) in db::contacts::last_opt_outs(conn, &ids)? {
        why.insert(contact, (source, note));
    }
    Ok(rows
        .into_iter()
        .filter_map(|c| {
            let (source, note) = why.remove(&c.id).unzip();
            Some(OptOutDto {
                contact_id: c.id,
                phone: c.phone?,
                opted_out_at: db::utc(c.opted_out_at?),
                source,
                note: note.flatten(),
            })
        })
        .collect())
}

/// Adds numbers to the opt-out list (the store's own suppression list, or one customer by
/// hand). Unknown numbers become contacts that are opted out from the start.
pub fn add(
    conn: &mut DbConn,
    live: &LiveHub,
    store_id: i64,
    request: &AddOptOutsRequest,
) -> AppResult<AddOptOutsResponse> {
    if request.phones.is_empty() || request.phones.len() > MAX_OPT_OUTS_PER_REQUEST {
        return Err(AppError::invalid(
            "phones",
            format!("Send 1 to {MAX_OPT_OUTS_PER_REQUEST} numbers."),
        ));
    }
    let note: String = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("added by the store")
        .chars()
        .take(QUOTED_CHARS)
        .collect();
    let mut phones = Vec::new();
    let mut invalid = Vec::new();
    for raw in &request.phones {
        match read_phone(raw) {
            Ok(PhoneReading::Textable(phone)) => phones.push(phone),
            _ => invalid.push(raw.clone()),
        }
    }
    // A number sent twice (in any format) is added once; its repeats are already opted out.
    let mut seen = HashSet::new();
    let distinct: Vec<&str> = phones
        .iter()
        .map(String::as_str)
        .filter(|phone| seen.insert(*phone))
        .collect();
    let notices = db::write_transaction(conn, |conn| {
        let now = db::now();
        let contacts = db::contacts::find_or_create_by_phones(conn, store_id, &distinct, now)?;
        let newly: Vec<&ContactRow> = contacts
            .iter()
            .filter(|c| c.opted_out_at.is_none())
            .collect();
        let ids: Vec<i64> = newly.iter().map(|c| c.id).collect();
        opt_out_contacts(conn, store_id, &ids, ConsentSource::Manual, &note, now)?;
        Ok(newly
            .iter()
            .map(|contact| consent_changed(contact, true))
            .collect::<Vec<_>>())
    })?;
    live.publish(conn, &notices);
    Ok(AddOptOutsResponse {
        added: notices.len() as u32,
        already_opted_out: (phones.len() - notices.len()) as u32,
        invalid,
    })
}

/// News of the contact's opt-out (or opt-in) for the store's open inboxes.
fn consent_changed(contact: &ContactRow, opted_out: bool) -> Notice {
    Notice::new(
        contact.store_id,
        LiveEvent::ConsentChanged {
            contact_id: contact.id,
            thread_id: None,
            opted_out,
        },
    )
}

/// Opts a customer out by hand (the inbox's Unsubscribe).
pub fn unsubscribe_contact(
    conn: &mut DbConn,
    live: &LiveHub,
    store_id: i64,
    contact_id: i64,
) -> AppResult<()> {
    let notice = db::write_transaction(conn, |conn| {
        let contact = db::contacts::find(conn, store_id, contact_id)
            .map_err(|_| AppError::not_found("contact"))?;
        if contact.opted_out_at.is_some() {
            return Ok(None);
        }
        let note = "unsubscribed by the store";
        opt_out(conn, &contact, ConsentSource::Manual, note, db::now())?;
        Ok(Some(consent_changed(&contact, true)))
    })?;
    live.publish(conn, notice.as_slice());
    Ok(())
}

/// Takes a number off the opt-out list, on evidence of new consent (kept in the audit).
pub fn resubscribe(
    conn: &mut DbConn,
    live: &LiveHub,
    store_id: i64,
    phone: &str,
    request: &ResubscribeRequest,
) -> AppResult<()> {
    let evidence = request.evidence.trim();
    if !(10..=500).contains(&evidence.chars().count()) {
        return Err(AppError::invalid(
            "evidence",
            "Say how the customer gave consent again (10 to 500 characters).",
        ));
    }
    let Ok(PhoneReading::Textable(phone)) = read_phone(phone) else {
        return Err(AppError::not_found("opt-out"));
    };
    let notice = db::write_transaction(conn, |conn| {
        let now = db::now();
        let contact = db::contacts::find_by_phone(conn, store_id, &phone)?
            .filter(|c| c.opted_out_at.is_some())
            .ok_or_else(|| AppError::not_found("opt-out"))?;
        db::contacts::clear_opt_out(conn, contact.id, now)?;
        let note = format!("resubscribed by the store: {evidence}");
        let granted = ConsentStatus::Granted;
        audit(conn, &contact, granted, ConsentSource::Manual, &note, now)?;
        Ok(consent_changed(&contact, false))
    })?;
    live.publish(conn, &[notice]);
    Ok(())
}
