//! What the SMS provider tells us: a customer's text arrived; a sent text's status changed.

use textback_shared::live::LiveEvent;
use textback_shared::opt_out::Intent;

use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::live::{LiveHub, Notice};
use crate::services::contacts::{PhoneReading, read_phone};
use crate::services::opt_outs;

/// A text from a customer to one of our numbers, as the provider reported it.
#[derive(Debug, Clone)]
pub struct InboundSms {
    pub provider_sid: String,
    pub from: String,
    pub to: String,
    pub body: String,
    pub segments: i32,
    /// Twilio's `OptOutType` when its own keyword handling acted on the text.
    pub opt_out_type: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum InboundOutcome {
    Stored {
        message_id: i64,
        thread_id: i64,
    },
    /// The same delivery again: already stored.
    Duplicate,
    /// To a number no store holds (e.g. released): acknowledged and dropped.
    NoSuchNumber,
    /// From something that is not a US/Canadian number (short codes, foreign senders).
    UnsupportedSender,
}

pub fn receive(conn: &mut DbConn, live: &LiveHub, sms: &InboundSms) -> AppResult<InboundOutcome> {
    receive_at(conn, live, sms, db::now())
}

/// [`receive`], as if the text arrived at `now` (the demo store replays a past).
pub fn receive_at(
    conn: &mut DbConn,
    live: &LiveHub,
    sms: &InboundSms,
    now: chrono::NaiveDateTime,
) -> AppResult<InboundOutcome> {
    let (outcome, notices) = db::write_transaction(conn, |conn| {
        if db::messages::find_by_provider_sid(conn, &sms.provider_sid)?.is_some() {
            return Ok((InboundOutcome::Duplicate, Vec::new()));
        }
        let Some(number) = db::phone_numbers::active_by_number(conn, &sms.to)? else {
            tracing::info!(to = %sms.to, "inbound text for a number no store holds; dropped");
            return Ok((InboundOutcome::NoSuchNumber, Vec::new()));
        };
        let Ok(PhoneReading::Textable(from)) = read_phone(&sms.from) else {
            tracing::info!(
                store_id = number.store_id,
                "inbound text from an unsupported sender; dropped"
            );
            return Ok((InboundOutcome::UnsupportedSender, Vec::new()));
        };
        let contact =
            db::contacts::find_or_create_by_phone(conn, number.store_id, from.as_str(), now)?;
        let thread = db::threads::find_or_create(conn, number.store_id, contact.id, now)?;
        let message = db::messages::insert(
            conn,
            &db::messages::NewMessage {
                store_id: number.store_id,
                thread_id: thread.id,
                contact_id: contact.id,
                phone_number_id: Some(number.id),
                direction: db::messages::INBOUND,
                kind: db::messages::KIND_CUSTOMER,
                body: &sms.body,
                status: db::messages::STATUS_RECEIVED,
                segments: sms.segments.max(1),
                from_number: from.as_str(),
                to_number: &sms.to,
                provider_sid: Some(&sms.provider_sid),
                scheduled_for: None,
                campaign: None,
                marketing: false,
                now,
            },
        )?;
        db::threads::record_inbound(conn, thread.id, &sms.body, now)?;
        let reply = opt_outs::Reply {
            number: &number,
            contact: &contact,
            thread_id: thread.id,
            body: &sms.body,
            provider_keyword: sms.opt_out_type.as_deref(),
        };
        let handled = opt_outs::handle(conn, &reply, now)?;
        let created = |message_id| {
            Notice::new(
                number.store_id,
                LiveEvent::MessageCreated {
                    thread_id: thread.id,
                    message_id,
                },
            )
        };
        let mut notices = vec![created(message.id)];
        let opted_out = match handled.intent {
            Intent::OptOut => Some(true),
            Intent::OptIn => Some(false),
            Intent::Help | Intent::Other => None,
        };
        // Only a change of state is news (a second STOP changes nothing).
        if let Some(opted_out) = opted_out.filter(|&out| out != contact.opted_out_at.is_some()) {
            notices.push(Notice::new(
                number.store_id,
                LiveEvent::ConsentChanged {
                    contact_id: contact.id,
                    thread_id: Some(thread.id),
                    opted_out,
                },
            ));
        }
        notices.extend(handled.answer_message_id.map(created));
        let outcome = InboundOutcome::Stored {
            message_id: message.id,
            thread_id: thread.id,
        };
        Ok((outcome, notices))
    })?;
    live.publish(conn, &notices);
    Ok(outcome)
}

/// How far along a sent text is; a report never moves a message backwards (callbacks can
/// arrive out of order).
fn progress(status: &str) -> Option<u8> {
    Some(match status {
        "scheduled" | "accepted" | "queued" => 1,
        "sending" => 2,
        "sent" => 3,
        "delivered" | "undelivered" | "failed" | "canceled" | "read" => 4,
        _ => return None,
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum StatusOutcome {
    Updated,
    /// Older or equal news, or a status we do not track.
    Ignored,
    UnknownMessage,
}

pub fn record_status(
    conn: &mut DbConn,
    live: &LiveHub,
    provider_sid: &str,
    status: &str,
    error_code: Option<i64>,
) -> AppResult<StatusOutcome> {
    let recorded = db::write_transaction(conn, |conn| {
        let Some(message) = db::messages::find_by_provider_sid(conn, provider_sid)? else {
            return Ok((StatusOutcome::UnknownMessage, None));
        };
        match (progress(&message.status), progress(status)) {
            (Some(current), Some(new)) if new > current => {
                let status = if status == "canceled" {
                    db::messages::STATUS_CANCELLED
                } else {
                    status
                };
                db::messages::set_status(conn, message.id, status, error_code, db::now())?;
                let event = LiveEvent::MessageStatus {
                    thread_id: message.thread_id,
                    message_id: message.id,
                    status: status.to_owned(),
                };
                Ok((
                    StatusOutcome::Updated,
                    Some(Notice::new(message.store_id, event)),
                ))
            }
            _ => Ok((StatusOutcome::Ignored, None)),
        }
    });
    let (outcome, notice) = recorded?;
    live.publish(conn, notice.as_slice());
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    #[test]
    fn statuses_only_move_forward() {
        use super::progress;
        assert!(progress("delivered") > progress("sent"));
        assert!(progress("sent") > progress("queued"));
        assert_eq!(progress("delivered"), progress("failed"));
        assert_eq!(progress("bogus"), None);
    }
}
