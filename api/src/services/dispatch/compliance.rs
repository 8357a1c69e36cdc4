//! Whether a claimed text may go out now: checked when it is claimed for sending, not only
//! when it was scheduled, since consent, campaigns and numbers change in between.
//!
//! Every text: never to an opted-out or untextable contact, never from a released number,
//! never for a paused or stopped campaign. Marketing (cart reminders) also needs SMS consent,
//! the recipient's local daytime (deferred to the next allowed time, never dropped), and
//! room under the daily cap (deferred too). Order notifications are transactional: quiet
//! hours and caps do not hold them.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use textback_shared::quiet_hours::{Hours, Recipient};

use crate::db::contacts::ContactRow;
use crate::db::outbox;

/// The strictest state limit (Florida, Oklahoma, Maryland): no store may go above it.
pub const MAX_MARKETING_PER_DAY: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Send,
    Defer {
        until: NaiveDateTime,
        reason: &'static str,
    },
    Cancel(&'static str),
}

/// Why a text is sent, which decides the rules it is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Cart reminders: consent, quiet hours, the daily cap.
    Marketing,
    /// Order notifications and the merchant's replies: never to an opted-out customer, at
    /// any hour.
    Transactional,
    /// The confirmation of an opt-out, opt-in or HELP: the one text an opted-out customer
    /// may get (it confirms the opt-out itself).
    Compliance,
}

impl Purpose {
    pub fn of(stored: &str) -> Purpose {
        match stored {
            outbox::MARKETING => Purpose::Marketing,
            outbox::COMPLIANCE => Purpose::Compliance,
            // TRANSACTIONAL and CONVERSATIONAL
            _ => Purpose::Transactional,
        }
    }
}

/// What is known about a claimed text when it is checked.
pub struct Facts<'a> {
    pub now: NaiveDateTime,
    pub purpose: Purpose,
    pub campaign_active: bool,
    pub has_live_number: bool,
    pub contact: &'a ContactRow,
    /// Cart reminders only: whether the cart is still waiting (abandoned, not ordered or
    /// returned to). A cart does not expire while a reminder for it is pending, so a late
    /// step is not cancelled merely because the cart has been idle a week.
    pub cart_waiting: Option<bool>,
    /// Order notifications only: the order has been cancelled since the text was scheduled
    /// (and the text does not announce that): "shipped" must not follow "cancelled".
    pub order_cancelled: bool,
    pub shipping_region: Option<&'a str>,
    pub store_hours: Option<Hours>,
    pub marketing_per_day: u32,
    /// When the contact's marketing texts of the last 24 hours went out, oldest first.
    pub marketing_sent: &'a [NaiveDateTime],
}

pub fn decide(facts: &Facts<'_>) -> Decision {
    let contact = facts.contact;
    if contact.opted_out_at.is_some() && facts.purpose != Purpose::Compliance {
        return Decision::Cancel("the customer opted out");
    }
    if !facts.has_live_number {
        return Decision::Cancel("the store has no active number");
    }
    if !facts.campaign_active {
        return Decision::Cancel("the campaign is not active");
    }
    let Some(phone) = contact.phone.as_deref().filter(|_| contact.textable) else {
        return Decision::Cancel("the customer's number cannot be texted");
    };
    if facts.cart_waiting == Some(false) {
        return Decision::Cancel("the cart is no longer abandoned");
    }
    if facts.order_cancelled {
        return Decision::Cancel("the order was cancelled");
    }
    if facts.purpose != Purpose::Marketing {
        return Decision::Send;
    }
    if contact.sms_consent != "granted" {
        return Decision::Cancel("no SMS marketing consent");
    }
    let Some(recipient) = Recipient::locate(phone, facts.shipping_region) else {
        return Decision::Cancel("the customer's number cannot be texted");
    };
    let now = facts.now.and_utc();
    match recipient.narrowed(facts.store_hours).next_allowed(now) {
        None => return Decision::Cancel("no allowed sending time within two weeks"),
        Some(at) if at > now => {
            return Decision::Defer {
                until: stored(at),
                reason: "quiet hours",
            };
        }
        Some(_) => {}
    }
    let cap = facts.marketing_per_day.clamp(1, MAX_MARKETING_PER_DAY) as usize;
    let window_start = facts.now - Duration::hours(24);
    let recent: Vec<&NaiveDateTime> = facts
        .marketing_sent
        .iter()
        .filter(|at| **at > window_start)
        .collect();
    if recent.len() >= cap {
        // Room opens when the oldest text that counts falls out of the 24 hours.
        let until = *recent[recent.len() - cap] + Duration::hours(24);
        return Decision::Defer {
            until,
            reason: "daily marketing limit reached",
        };
    }
    Decision::Send
}

fn stored(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn contact(consent: &str) -> ContactRow {
        let at = NaiveDate::from_ymd_opt(2026, 6, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        ContactRow {
            id: 1,
            store_id: 1,
            phone: Some("+14155550123".into()),
            phone_raw: None,
            textable: true,
            not_textable_reason: None,
            external_id: None,
            email: None,
            first_name: None,
            last_name: None,
            sms_consent: consent.into(),
            consent_source: None,
            consent_at: None,
            opted_out_at: None,
            created_at: at,
            updated_at: at,
        }
    }

    /// 2026-06-02 at `hour`:00 UTC (Pacific is UTC-7 in June).
    fn utc(hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 6, 2)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    fn facts<'a>(
        contact: &'a ContactRow,
        now: NaiveDateTime,
        sent: &'a [NaiveDateTime],
    ) -> Facts<'a> {
        Facts {
            now,
            purpose: Purpose::Marketing,
            campaign_active: true,
            has_live_number: true,
            contact,
            cart_waiting: Some(true),
            order_cancelled: false,
            shipping_region: None,
            store_hours: None,
            marketing_per_day: 2,
            marketing_sent: sent,
        }
    }

    #[test]
    fn marketing_at_night_waits_for_eight_local() {
        let ada = contact("granted");
        // 22:30 in San Francisco.
        let night = utc(5) + Duration::minutes(30);
        assert_eq!(
            decide(&facts(&ada, night, &[])),
            Decision::Defer {
                until: utc(15),
                reason: "quiet hours"
            }
        );
        assert_eq!(decide(&facts(&ada, utc(15), &[])), Decision::Send);
    }

    #[test]
    fn order_notifications_go_out_at_night_but_never_after_an_opt_out() {
        let ada = contact("unknown");
        let mut transactional = facts(&ada, utc(5), &[]);
        transactional.purpose = Purpose::Transactional;
        transactional.cart_waiting = None;
        assert_eq!(decide(&transactional), Decision::Send);
        let mut gone = contact("granted");
        gone.opted_out_at = Some(utc(1));
        let mut to_gone = facts(&gone, utc(5), &[]);
        to_gone.purpose = Purpose::Transactional;
        assert_eq!(decide(&to_gone), Decision::Cancel("the customer opted out"));
        // Except the confirmation of that very opt-out.
        to_gone.purpose = Purpose::Compliance;
        to_gone.cart_waiting = None;
        assert_eq!(decide(&to_gone), Decision::Send);
    }

    #[test]
    fn an_order_notification_does_not_follow_the_orders_cancellation() {
        let ada = contact("granted");
        let mut shipped = facts(&ada, utc(18), &[]);
        shipped.purpose = Purpose::Transactional;
        shipped.cart_waiting = None;
        shipped.order_cancelled = true;
        assert_eq!(
            decide(&shipped),
            Decision::Cancel("the order was cancelled")
        );
    }

    #[test]
    fn marketing_needs_consent_and_a_waiting_cart() {
        let unknown = contact("unknown");
        assert_eq!(
            decide(&facts(&unknown, utc(18), &[])),
            Decision::Cancel("no SMS marketing consent")
        );
        let ada = contact("granted");
        let mut ordered = facts(&ada, utc(18), &[]);
        ordered.cart_waiting = Some(false);
        assert_eq!(
            decide(&ordered),
            Decision::Cancel("the cart is no longer abandoned")
        );
    }

    #[test]
    fn the_daily_cap_defers_until_the_oldest_text_ages_out() {
        let ada = contact("granted");
        let sent = [utc(1), utc(16)];
        assert_eq!(
            decide(&facts(&ada, utc(18), &sent)),
            Decision::Defer {
                until: utc(1) + Duration::hours(24),
                reason: "daily marketing limit reached"
            }
        );
        let mut generous = facts(&ada, utc(18), &sent);
        generous.marketing_per_day = 9; // clamped to 3
        assert_eq!(decide(&generous), Decision::Send);
    }

    #[test]
    fn nothing_goes_out_without_a_number_or_an_active_campaign() {
        let ada = contact("granted");
        let mut released = facts(&ada, utc(18), &[]);
        released.has_live_number = false;
        assert_eq!(
            decide(&released),
            Decision::Cancel("the store has no active number")
        );
        let mut paused = facts(&ada, utc(18), &[]);
        paused.campaign_active = false;
        assert_eq!(
            decide(&paused),
            Decision::Cancel("the campaign is not active")
        );
    }
}
