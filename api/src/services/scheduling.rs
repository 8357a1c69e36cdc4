//! From events to scheduled texts: an abandoned cart schedules its flow's steps, an order
//! event its notification. Scheduling is idempotent (each text has a key, so a replay
//! schedules nothing new), and a flow ends when its reason to exist does.

use chrono::{Duration, NaiveDateTime};
use textback_shared::templates::CampaignKind;

use crate::db::campaigns::{CampaignRow, StepRow};
use crate::db::outbox::{self, NewOutbox, Scope};
use crate::db::{self, DbConn, carts::CartRow};
use crate::error::AppResult;

/// Schedules every active abandoned-cart flow's steps for a cart abandoned at
/// `abandoned_at`; returns how many texts were newly scheduled.
pub fn schedule_cart_flows(
    conn: &mut DbConn,
    cart: &CartRow,
    abandoned_at: NaiveDateTime,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let Some(contact_id) = cart.contact_id else {
        return Ok(0);
    };
    let contact = db::contacts::find(conn, cart.store_id, contact_id)?;
    if !contact.textable || contact.opted_out_at.is_some() {
        return Ok(0);
    }
    let flows = db::campaigns::active_of_kinds(
        conn,
        cart.store_id,
        &[CampaignKind::AbandonedCart.as_str()],
    )?;
    let ids: Vec<i64> = flows.iter().map(|c| c.id).collect();
    let steps = db::campaigns::steps_of(conn, &ids)?;
    // One key per cart activity period, so a cart abandoned again after new activity gets
    // its flow again, while a replay of the same abandonment gets nothing.
    let period = cart.last_activity_at.and_utc().timestamp_micros();
    let mut scheduled = 0;
    for step in &steps {
        let new = NewOutbox {
            store_id: cart.store_id,
            campaign_id: Some(step.campaign_id),
            step_id: Some(step.id),
            message_id: None,
            contact_id,
            cart_id: Some(cart.id),
            order_id: None,
            purpose: outbox::MARKETING,
            due_at: abandoned_at + Duration::minutes(i64::from(step.delay_minutes)),
            dedupe_key: format!("cart:{}:{period}:step:{}", cart.id, step.id),
        };
        scheduled += usize::from(outbox::schedule(conn, &new, now)?);
    }
    Ok(scheduled)
}

/// The cart's pending reminders are cancelled: it was ordered, or the customer came back.
pub fn end_cart_flow(
    conn: &mut DbConn,
    cart_id: i64,
    reason: &str,
    now: NaiveDateTime,
) -> AppResult<usize> {
    Ok(outbox::cancel(conn, Scope::Cart(cart_id), reason, now)?)
}

/// The order a notification is about, and whom it goes to.
pub struct OrderTarget {
    pub store_id: i64,
    pub order_id: i64,
    pub contact_id: i64,
}

/// The store's active order-notification campaigns with their steps, loaded once for many
/// order events.
pub struct OrderCampaigns {
    campaigns: Vec<CampaignRow>,
    steps: Vec<StepRow>,
}

/// Campaign kinds that text about orders.
const ORDER_KINDS: [CampaignKind; 3] = [
    CampaignKind::OrderUpdate,
    CampaignKind::OrderShipped,
    CampaignKind::OrderOnHold,
];

impl OrderCampaigns {
    pub fn load(conn: &mut DbConn, store_id: i64) -> AppResult<Self> {
        let kinds = ORDER_KINDS.map(CampaignKind::as_str);
        let campaigns = db::campaigns::active_of_kinds(conn, store_id, &kinds)?;
        let ids: Vec<i64> = campaigns.iter().map(|c| c.id).collect();
        let steps = match ids.is_empty() {
            true => Vec::new(),
            false => db::campaigns::steps_of(conn, &ids)?,
        };
        Ok(Self { campaigns, steps })
    }

    /// The texts to schedule for an order that has just reached `status` (`placed`,
    /// `updated`, `shipped`, `on_hold`, `cancelled`). A dedicated campaign (shipped, on hold)
    /// takes precedence over an order-update campaign listing the same status, so the
    /// customer gets one text per change.
    pub fn texts_for(
        &self,
        order: &OrderTarget,
        status: &str,
        now: NaiveDateTime,
    ) -> Vec<NewOutbox> {
        let dedicated = match status {
            "shipped" => Some(CampaignKind::OrderShipped),
            "on_hold" => Some(CampaignKind::OrderOnHold),
            _ => None,
        };
        let relevant = |c: &&CampaignRow| {
            c.kind == CampaignKind::OrderUpdate.as_str()
                || dedicated.is_some_and(|k| k.as_str() == c.kind)
        };
        let has_dedicated = self
            .campaigns
            .iter()
            .filter(relevant)
            .any(|c| dedicated.is_some_and(|k| k.as_str() == c.kind));
        let chosen: Vec<i64> = self
            .campaigns
            .iter()
            .filter(relevant)
            .filter(|c| {
                if c.kind == CampaignKind::OrderUpdate.as_str() {
                    let statuses: Vec<String> =
                        serde_json::from_str(&c.order_statuses).unwrap_or_default();
                    !has_dedicated && statuses.iter().any(|s| s == status)
                } else {
                    true
                }
            })
            .map(|c| c.id)
            .collect();
        self.steps
            .iter()
            .filter(|step| chosen.contains(&step.campaign_id))
            .map(|step| NewOutbox {
                store_id: order.store_id,
                campaign_id: Some(step.campaign_id),
                step_id: Some(step.id),
                message_id: None,
                contact_id: order.contact_id,
                cart_id: None,
                order_id: Some(order.order_id),
                purpose: outbox::TRANSACTIONAL,
                due_at: now,
                // Once per order and status: a repeated "updated" does not text again.
                dedupe_key: order_text_key(order.order_id, status, step.campaign_id),
            })
            .collect()
    }
}

fn order_text_key(order_id: i64, status: &str, campaign_id: i64) -> String {
    format!("order:{order_id}:{status}:campaign:{campaign_id}")
}

/// The order status an order notification was scheduled for, read back from its key.
pub fn status_of_order_text(dedupe_key: &str) -> Option<&str> {
    match dedupe_key.split(':').collect::<Vec<_>>()[..] {
        ["order", _, status, "campaign", _] => Some(status),
        _ => None,
    }
}

/// Schedules the store's notifications for an order that has just reached `status` (see
/// `OrderCampaigns::texts_for`).
pub fn schedule_order_notifications(
    conn: &mut DbConn,
    order: &OrderTarget,
    status: &str,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let texts = OrderCampaigns::load(conn, order.store_id)?.texts_for(order, status, now);
    Ok(outbox::schedule_many(conn, &texts, now)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_texts_status_reads_back_from_its_key() {
        let key = order_text_key(42, "shipped", 7);
        assert_eq!(status_of_order_text(&key), Some("shipped"));
        assert_eq!(status_of_order_text("cart:1:0:step:2"), None);
        assert_eq!(status_of_order_text("reply:9"), None);
    }
}
