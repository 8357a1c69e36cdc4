//! What the SMS provider tells us: a customer's text arrived; a sent text's status changed.

use textback_shared::live::LiveEvent;
use textback_shared::opt_out::Intent;

use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
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
    /// The provider answered the text itself (its keyword handling): whatever it asked is
    /// done, but not confirmed a second time.
    pub provider_answered: bool,
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
    // Two deliveries at once (the same text twice, or two first texts of one new customer)
    // may both find nothing and both insert: the one refused by a unique key tries again
    // and finds the other's rows, so neither text is lost nor answered with an error.
    let (outcome, notices) = again_on_conflict(|| {
        db::write_transaction(conn, |conn| {
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
            // Locked before the text is stored (its row refers to the contact's), so two
            // deliveries take their locks in one order.
            let contact = db::contacts::lock(conn, contact.id)?;
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
                provider_answered: sms.provider_answered,
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
            if let Some(opted_out) = opted_out.filter(|&out| out != contact.opted_out_at.is_some())
            {
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
        })
    })?;
    live.publish(conn, &notices);
    Ok(outcome)
}

/// Each conflict means another delivery stored a row this one needs (the contact, the
/// thread, the text itself), so a few tries always end.
fn again_on_conflict<T>(mut attempt: impl FnMut() -> AppResult<T>) -> AppResult<T> {
    const TRIES: usize = 4;
    let mut result = attempt();
    for _ in 1..TRIES {
        match result {
            Err(AppError::Conflict(_)) => result = attempt(),
            _ => break,
        }
    }
    result
}

/// How far along a sent text is, by the provider's status words; a report never moves a
/// message backwards (callbacks can arrive out of order).
const PROGRESS: [(&str, u8); 10] = [
    ("scheduled", 1),
    ("accepted", 1),
    ("queued", 1),
    ("sending", 2),
    ("sent", 3),
    ("delivered", 4),
    ("undelivered", 4),
    ("failed", 4),
    ("canceled", 4),
    ("read", 4),
];

fn progress(status: &str) -> Option<u8> {
    PROGRESS
        .iter()
        .find(|(word, _)| *word == status)
        .map(|&(_, step)| step)
}

/// The statuses a message may move to `status` from (none for a status we do not track).
fn behind(status: &str) -> Vec<&'static str> {
    let Some(new) = progress(status) else {
        return Vec::new();
    };
    PROGRESS
        .iter()
        .filter(|&&(_, step)| step < new)
        .map(|&(word, _)| word)
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
pub enum StatusOutcome {
    Updated,
    /// Older or equal news, or a status we do not track.
    Ignored,
    UnknownMessage,
}

/// A delivery report (Twilio's status callback).
#[derive(Debug, Clone)]
pub struct StatusReport {
    /// Our message id, from the callback URL the dispatcher gave the provider (absent for
    /// older texts and for the number's own callback).
    pub message_id: Option<i64>,
    pub provider_sid: String,
    pub status: String,
    pub error_code: Option<i64>,
}

pub fn record_status(
    conn: &mut DbConn,
    live: &LiveHub,
    report: &StatusReport,
) -> AppResult<StatusOutcome> {
    let recorded = db::write_transaction(conn, |conn| {
        let message = match db::messages::find_by_provider_sid(conn, &report.provider_sid)? {
            Some(message) => Some(message),
            // The report can come before the send's answer, i.e. before we know the sid: the
            // id in the (signed) callback URL names the text, unless it has another sid.
            None => match report.message_id {
                Some(id) => db::messages::find_many(conn, &[id])?
                    .into_iter()
                    .find(|m| m.direction == db::messages::OUTBOUND && m.provider_sid.is_none()),
                None => None,
            },
        };
        let Some(message) = message else {
            return Ok((StatusOutcome::UnknownMessage, None));
        };
        let status = report.status.as_str();
        let behind = behind(status);
        let stored = if status == "canceled" {
            db::messages::STATUS_CANCELLED
        } else {
            status
        };
        let applied = !behind.is_empty()
            && db::messages::apply_report(
                conn,
                message.id,
                &report.provider_sid,
                stored,
                report.error_code,
                &behind,
                db::now(),
            )?;
        if !applied {
            return Ok((StatusOutcome::Ignored, None));
        }
        let event = LiveEvent::MessageStatus {
            thread_id: message.thread_id,
            message_id: message.id,
            status: stored.to_owned(),
        };
        Ok((
            StatusOutcome::Updated,
            Some(Notice::new(message.store_id, event)),
        ))
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

    #[test]
    fn a_status_moves_on_only_from_those_behind_it() {
        use super::behind;
        assert_eq!(
            behind("sent"),
            ["scheduled", "accepted", "queued", "sending"]
        );
        assert!(!behind("delivered").contains(&"failed"));
        assert!(behind("bogus").is_empty());
        assert!(behind("queued").is_empty());
    }

    #[test]
    fn the_dispatcher_keeps_every_status_a_report_moved_past_its_answer() {
        use super::progress;
        for status in crate::db::messages::REPORTED_OUTCOMES {
            assert!(progress(status) > progress("sending"), "{status}");
        }
    }
}
