//! What campaigns achieved: texts by outcome, clicks, replies, opt-outs, and the orders and
//! revenue credited to them (attribution: the last text the customer clicked within 7 days
//! before ordering, else the last one sent within 24 hours).

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use textback_shared::campaigns::{CampaignStatsDto, StepStats};

use crate::db::{self, DbConn, outbox};
use crate::error::{AppError, AppResult};

const CLICK_WINDOW: Duration = Duration::days(7);
const SEND_WINDOW: Duration = Duration::hours(24);
/// A reply or an opt-out this soon after a text is counted for it.
const RESPONSE_WINDOW: Duration = Duration::hours(24);

/// Credits a new order to the text that led to it, if any.
pub fn attribute_order(
    conn: &mut DbConn,
    order_id: i64,
    contact_id: i64,
    placed_at: NaiveDateTime,
) -> AppResult<()> {
    let (since, until) = attribution_window(placed_at);
    let texts = db::messages::campaign_texts_between(conn, contact_id, since, until)?;
    if texts.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = texts.iter().map(|(id, _)| *id).collect();
    let clicked = db::short_links::clicked(conn, &ids)?;
    if let Some(message_id) = credited_text(&texts, &clicked, placed_at) {
        db::orders::set_attribution(conn, order_id, message_id)?;
    }
    Ok(())
}

/// The campaign texts that may be credited with an order placed at `placed_at` were sent
/// within this window.
pub fn attribution_window(placed_at: NaiveDateTime) -> (NaiveDateTime, NaiveDateTime) {
    (placed_at - CLICK_WINDOW, placed_at)
}

/// Of the customer's texts in the window (most recently sent first) and the clicks on their
/// links (message id, when), the one credited with the order: the last clicked before it, else
/// the last sent within `SEND_WINDOW`.
pub fn credited_text(
    texts: &[(i64, Option<NaiveDateTime>)],
    clicked: &[(i64, Option<NaiveDateTime>)],
    placed_at: NaiveDateTime,
) -> Option<i64> {
    let clicked = clicked
        .iter()
        .filter(|(_, at)| at.is_some_and(|at| at <= placed_at))
        .max_by_key(|(_, at)| *at)
        .map(|(id, _)| *id);
    let recent = texts
        .iter()
        .find(|(_, sent)| sent.is_some_and(|sent| placed_at - sent <= SEND_WINDOW))
        .map(|(id, _)| *id);
    clicked.or(recent)
}

pub fn stats(conn: &mut DbConn, store_id: i64, campaign_id: i64) -> AppResult<CampaignStatsDto> {
    let campaign = db::campaigns::find(conn, store_id, campaign_id)
        .map_err(|_| AppError::not_found("campaign"))?;
    let steps = db::campaigns::steps_of(conn, &[campaign.id])?;
    let position: HashMap<i64, usize> = steps.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let mut per_step = vec![StepStats::default(); steps.len()];
    // The whole campaign, texts of steps since removed included: removing a step does not
    // undo what its texts achieved.
    let mut total = StepStats::default();
    let mut bump = |step_id: Option<i64>, update: &mut dyn FnMut(&mut StepStats)| {
        update(&mut total);
        if let Some(stats) = step_id
            .and_then(|id| position.get(&id))
            .and_then(|i| per_step.get_mut(*i))
        {
            update(stats);
        }
    };
    for (step_id, status, count) in outbox::counts_by_step(conn, campaign.id)? {
        let count = u64::try_from(count).unwrap_or_default();
        bump(step_id, &mut |s| match status.as_str() {
            outbox::SCHEDULED | outbox::SENDING => s.scheduled += count,
            outbox::CANCELLED => s.cancelled += count,
            _ => {}
        });
    }
    // Counted by the database: a campaign may have sent more texts than a request should hold.
    for step in db::campaign_stats::outcomes_by_step(conn, campaign.id, RESPONSE_WINDOW)? {
        let count = |n: i64| u64::try_from(n).unwrap_or_default();
        bump(step.step_id, &mut |s| {
            s.sent += count(step.sent);
            s.delivered += count(step.delivered);
            s.failed += count(step.failed);
            s.clicked += count(step.clicked);
            s.replied += count(step.replied);
            s.opted_out += count(step.opted_out);
        });
    }
    // Orders in another currency are left out of the revenue, not added up as the same money.
    let store = db::stores::find(conn, store_id)?;
    let currency = super::stats::revenue_currency(conn, &store)?;
    for step in db::campaign_stats::orders_by_step(conn, campaign.id, &currency)? {
        bump(step.step_id, &mut |s| {
            s.orders += u64::try_from(step.orders).unwrap_or_default();
            s.revenue_cents += step.revenue_cents;
        });
    }
    Ok(CampaignStatsDto {
        campaign_id: campaign.id,
        total,
        steps: per_step,
        currency,
    })
}
