//! What campaigns achieved: texts by outcome, clicks, replies, opt-outs, and the orders and
//! revenue credited to them (attribution: the last text the customer clicked within 7 days
//! before ordering, else the last one sent within 24 hours).

use std::collections::{HashMap, HashSet};

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

/// Of the customer's texts in the window (most recently sent first) and those of their links
/// clicked, the one credited with the order: the last clicked before it, else the last sent
/// within `SEND_WINDOW`.
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
    let mut bump = |step_id: Option<i64>, update: &mut dyn FnMut(&mut StepStats)| {
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
    // What the texts led to is read by campaign, never by lists of the texts' or recipients'
    // ids: a campaign may have sent more texts than one statement can bind.
    let texts = db::messages::of_campaign(conn, campaign.id)?;
    let clicked: HashSet<i64> = db::short_links::clicked_in_campaign(conn, campaign.id)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut inbound: HashMap<i64, Vec<NaiveDateTime>> = HashMap::new();
    for (contact, at) in db::messages::inbound_times_of_recipients(conn, campaign.id)? {
        inbound.entry(contact).or_default().push(at);
    }
    let opted_out: HashMap<i64, NaiveDateTime> =
        db::contacts::opted_out_recipients(conn, campaign.id)?
            .into_iter()
            .filter_map(|(id, at)| Some((id, at?)))
            .collect();
    let step_of: HashMap<i64, Option<i64>> = texts.iter().map(|t| (t.id, t.step_id)).collect();
    for text in &texts {
        let soon_after = |at: &NaiveDateTime| {
            text.sent_at
                .is_some_and(|sent| *at >= sent && *at - sent <= RESPONSE_WINDOW)
        };
        bump(text.step_id, &mut |s| {
            if text.sent_at.is_some() {
                s.sent += 1;
            }
            match text.status.as_str() {
                "delivered" => s.delivered += 1,
                "failed" | "undelivered" => s.failed += 1,
                _ => {}
            }
            s.clicked += u64::from(clicked.contains(&text.id));
            let replied = inbound
                .get(&text.contact_id)
                .is_some_and(|times| times.iter().any(soon_after));
            s.replied += u64::from(replied);
            s.opted_out += u64::from(opted_out.get(&text.contact_id).is_some_and(soon_after));
        });
    }
    let mut currency = None;
    for (message_id, total_cents, order_currency) in
        db::orders::attributed_to_campaign(conn, campaign.id)?
    {
        let step_id = message_id.and_then(|id| step_of.get(&id).copied().flatten());
        bump(step_id, &mut |s| {
            s.orders += 1;
            s.revenue_cents += total_cents;
        });
        currency.get_or_insert(order_currency);
    }
    let total = per_step.iter().fold(StepStats::default(), |mut sum, s| {
        sum.scheduled += s.scheduled;
        sum.sent += s.sent;
        sum.delivered += s.delivered;
        sum.failed += s.failed;
        sum.cancelled += s.cancelled;
        sum.clicked += s.clicked;
        sum.replied += s.replied;
        sum.opted_out += s.opted_out;
        sum.orders += s.orders;
        sum.revenue_cents += s.revenue_cents;
        sum
    });
    Ok(CampaignStatsDto {
        campaign_id: campaign.id,
        total,
        steps: per_step,
        currency: currency
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "USD".into()),
    })
}
