//! What the SMS provider tells us: a customer's text arrived; a sent text's status changed.

use crate::services::contacts::{PhoneReading, read_phone};
use crate::services::opt_outs;

use crate::db::{self, DbConn};
use crate::error::AppResult;

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

pub fn receive(conn: &mut DbConn, sms: &InboundSms) -> AppResult<InboundOutcome> {
    db::write_transaction(conn, |conn| {
        if db::messages::find_by_provider_sid(conn, &sms.provider_sid)?.is_some() {
            return Ok(InboundOutcome::Duplicate);
        }
        let Some(number) = db::phone_numbers::active_by_number(conn, &sms.to)? else {
            tracing::info!(to = %sms.to, "inbound text for a number no store holds; dropped");
            return Ok(InboundOutcome::NoSuchNumber);
        };
        let Ok(PhoneReading::Textable(from)) = read_phone(&sms.from) else {
            tracing::info!(
                store_id = number.store_id,
                "inbound text from an unsupported sender; dropped"
            );
            return Ok(InboundOutcome::UnsupportedSender);
        };
        let now = db::now();
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
        opt_outs::handle(conn, &reply, now)?;
        Ok(InboundOutcome::Stored {
            message_id: message.id,
            thread_id: thread.id,
        })
    })
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
    provider_sid: &str,
    status: &str,
    error_code: Option<i64>,
) -> AppResult<StatusOutcome> {
    db::write_transaction(conn, |conn| {
        let Some(message) = db::messages::find_by_provider_sid(conn, provider_sid)? else {
            return Ok(StatusOutcome::UnknownMessage);
        };
        match (progress(&message.status), progress(status)) {
            (Some(current), Some(new)) if new > current => {
                let status = if status == "canceled" {
                    db::messages::STATUS_CANCELLED
                } else {
                    status
                };
                db::messages::set_status(conn, message.id, status, error_code, db::now())?;
                Ok(StatusOutcome::Updated)
            }
            _ => Ok(StatusOutcome::Ignored),
        }
    })
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
