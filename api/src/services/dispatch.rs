//! The dispatcher: claims due texts from the outbox, checks each again against the rules
//! (`compliance`), renders it (`render`), sends it through the provider and records what
//! happened. Runs inside `textback serve` and as `textback worker`; any number of workers may
//! share one database.
//!
//! A pass has three steps, so no transaction is held open across a provider call:
//! 1. claim and prepare (one transaction): due rows are leased; each is cancelled, deferred
//!    or turned into a conversation message in status `sending`;
//! 2. send, concurrently, through the provider;
//! 3. record (one transaction): sent, retried later with backoff, or failed.
//!
//! A worker that dies between 1 and 3 leaves rows `sending` with an expiring lease. The
//! reconciler asks the provider whether such a text went out (its message list) before it
//! is ever sent again, so a crash costs a delay, never a duplicate.

pub mod compliance;
pub mod render;

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use chrono::{Duration, NaiveDateTime};
use rand::Rng;
use textback_shared::events::ConsentSource;
use textback_shared::live::LiveEvent;
use textback_shared::quiet_hours::Hours;
use textback_shared::segments;
use textback_shared::templates::CampaignKind;

use self::compliance::{Decision, Facts, Purpose};
use self::render::{RenderError, Template, Values};
use crate::app::AppState;
use crate::db::outbox::{self, OutboxRow};
use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::live::Notice;
use crate::money;
use crate::services::{opt_outs, scheduling};
use crate::sms::{OutboundSms, ProviderError, ProviderMessage};

/// How a dispatcher works; the defaults suit production.
#[derive(Debug, Clone)]
pub struct DispatchConfig {
    /// Texts claimed per pass.
    pub batch_size: i64,
    /// How long a claim holds before the reconciler may take the row over.
    pub lease: Duration,
    /// The least time between two texts from one number (1 per second per long code).
    pub send_interval: Duration,
    /// Sends tried before a text is given up as failed.
    pub max_attempts: i32,
    /// The first retry's delay; each further one doubles it (with jitter).
    pub first_retry: Duration,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        Self {
            batch_size: 100,
            lease: Duration::seconds(120),
            send_interval: Duration::seconds(1),
            max_attempts: 5,
            first_retry: Duration::seconds(30),
        }
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassReport {
    pub claimed: usize,
    pub sent: usize,
    pub deferred: usize,
    pub cancelled: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Texts whose worker died mid-send that turned out to have gone out.
    pub reconciled: usize,
}

/// How far ahead a pass may use a number's sending slots.
const PACING_WINDOW: Duration = Duration::seconds(1);

/// A text ready for the provider.
struct Outgoing {
    outbox_id: i64,
    message_id: i64,
    store_id: i64,
    thread_id: i64,
    contact_id: i64,
    attempts: i32,
    sms: OutboundSms,
}

/// One pass at `now` (a parameter, so tests control the clock).
pub async fn run_pass(state: &AppState, worker: &str, now: NaiveDateTime) -> AppResult<PassReport> {
    let config = state.dispatch.clone();
    let mut report = PassReport {
        reconciled: reconcile(state, worker, now).await?,
        ..PassReport::default()
    };
    let context = SendContext {
        link_base: format!(
            "{}/r/",
            state.settings.public_base_url.trim_end_matches('/')
        ),
        status_callback_url: format!(
            "{}/webhooks/twilio/status",
            state.settings.public_base_url.trim_end_matches('/')
        ),
    };
    let (worker_name, prepared_config) = (worker.to_owned(), config.clone());
    let live = state.live.clone();
    let (outgoing, prepared) = db::run(&state.pool, move |conn| {
        let (outgoing, prepared) = db::write_transaction(conn, |conn| {
            prepare(conn, &prepared_config, &context, &worker_name, now)
        })?;
        live.publish(conn, &prepared.notices);
        Ok((outgoing, prepared))
    })
    .await?;
    report.claimed = prepared.claimed;
    report.deferred = prepared.deferred;
    report.cancelled = prepared.cancelled;
    if outgoing.is_empty() {
        return Ok(report);
    }
    let results = send_all(state, outgoing).await;
    let live = state.live.clone();
    let recorded = db::run(&state.pool, move |conn| {
        let recorded = db::write_transaction(conn, |conn| record(conn, &config, results, now))?;
        live.publish(conn, &recorded.notices);
        Ok(recorded)
    })
    .await?;
    report.sent = recorded.sent;
    report.retrying = recorded.retrying;
    report.failed = recorded.failed;
    Ok(report)
}

/// Passes until nothing is due, then waits `idle` between passes, until the process is asked
/// to stop (`AppState::stopping`): a pass under way is finished, so nothing is left half-sent.
pub async fn run_until_stopped(state: AppState, worker: String, idle: StdDuration) {
    let mut stopping = state.stopping.subscribe();
    while !*stopping.borrow() {
        match run_pass(&state, &worker, db::now()).await {
            Ok(report) if report.claimed as i64 >= state.dispatch.batch_size => continue,
            Ok(report) => {
                if report != PassReport::default() {
                    tracing::info!(?report, worker, "dispatch pass");
                }
            }
            Err(e) => tracing::warn!(error = %e, worker, "dispatch pass failed; will retry"),
        }
        tokio::select! {
            () = tokio::time::sleep(idle) => {}
            _ = stopping.changed() => {}
        }
    }
    tracing::info!(worker, "dispatcher stopped");
}

struct SendContext {
    link_base: String,
    status_callback_url: String,
}

#[derive(Default)]
struct Prepared {
    claimed: usize,
    deferred: usize,
    cancelled: usize,
    /// New conversation messages, for the inboxes watching.
    notices: Vec<Notice>,
}

/// A claimed row's conversation message.
struct Text {
    message_id: i64,
    thread_id: i64,
    body: String,
    /// Written by this pass (a reply from the inbox already has its message).
    created: bool,
}

/// Everything the claimed rows refer to, loaded in a few queries rather than per row.
struct Loaded {
    contacts: HashMap<i64, db::contacts::ContactRow>,
    campaigns: HashMap<i64, db::campaigns::CampaignRow>,
    steps: HashMap<i64, db::campaigns::StepRow>,
    stores: HashMap<i64, db::stores::StoreRow>,
    numbers: HashMap<i64, db::phone_numbers::PhoneNumberRow>,
    carts: HashMap<i64, db::carts::CartRow>,
    orders: HashMap<i64, db::orders::OrderRow>,
    regions: HashMap<i64, String>,
    /// Each contact's marketing texts of the last day: (message id, created at).
    marketing_sent: HashMap<i64, Vec<(i64, NaiveDateTime)>>,
    messages: HashMap<i64, db::messages::MessageRow>,
    /// Thread id by contact, filled in as threads are created.
    threads: HashMap<i64, i64>,
}

fn ids(rows: &[OutboxRow], pick: impl Fn(&OutboxRow) -> Option<i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = rows.iter().filter_map(pick).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn by_id<T>(rows: Vec<T>, id: impl Fn(&T) -> i64) -> HashMap<i64, T> {
    rows.into_iter().map(|row| (id(&row), row)).collect()
}

fn load(conn: &mut DbConn, rows: &[OutboxRow], now: NaiveDateTime) -> AppResult<Loaded> {
    let contact_ids = ids(rows, |r| Some(r.contact_id));
    let store_ids = ids(rows, |r| Some(r.store_id));
    // First: the numbers are locked until this pass commits, so another worker's pass for
    // the same stores is waited for, and everything read below (the texts it sent, which
    // count against the daily cap, and consent) includes what it wrote.
    let numbers = by_id(
        db::phone_numbers::active_for_stores(conn, &store_ids)?,
        |n| n.store_id,
    );
    let mut regions = HashMap::new();
    for (contact, region) in db::orders::shipping_regions(conn, &contact_ids)? {
        if let (Some(contact), Some(region)) = (contact, region) {
            regions.entry(contact).or_insert(region);
        }
    }
    let mut marketing_sent: HashMap<i64, Vec<(i64, NaiveDateTime)>> = HashMap::new();
    let day_ago = now - Duration::hours(24);
    for (contact, message, at) in db::messages::marketing_since(conn, &contact_ids, day_ago)? {
        marketing_sent
            .entry(contact)
            .or_default()
            .push((message, at));
    }
    Ok(Loaded {
        contacts: by_id(db::contacts::find_many(conn, &contact_ids)?, |c| c.id),
        campaigns: by_id(
            db::campaigns::find_many(conn, &ids(rows, |r| r.campaign_id))?,
            |c| c.id,
        ),
        steps: by_id(
            db::campaigns::steps_by_id(conn, &ids(rows, |r| r.step_id))?,
            |s| s.id,
        ),
        stores: by_id(db::stores::find_many(conn, &store_ids)?, |s| s.id),
        numbers,
        carts: by_id(
            db::carts::find_many(conn, &ids(rows, |r| r.cart_id))?,
            |c| c.id,
        ),
        orders: by_id(
            db::orders::find_many(conn, &ids(rows, |r| r.order_id))?,
            |o| o.id,
        ),
        regions,
        marketing_sent,
        messages: by_id(
            db::messages::find_many(conn, &ids(rows, |r| r.message_id))?,
            |m| m.id,
        ),
        threads: db::threads::of_contacts(conn, &store_ids, &contact_ids)?
            .into_iter()
            .map(|t| (t.contact_id, t.id))
            .collect(),
    })
}

fn prepare(
    conn: &mut DbConn,
    config: &DispatchConfig,
    context: &SendContext,
    worker: &str,
    now: NaiveDateTime,
) -> AppResult<(Vec<Outgoing>, Prepared)> {
    let rows = outbox::claim_due(conn, now, config.batch_size, now + config.lease, worker)?;
    let mut prepared = Prepared {
        claimed: rows.len(),
        ..Prepared::default()
    };
    if rows.is_empty() {
        return Ok((Vec::new(), prepared));
    }
    let mut loaded = load(conn, &rows, now)?;
    // Each number's next free sending slot, advanced as this pass sends or gives slots to the
    // texts it defers; only what was sent is kept for other workers (a deferred text comes
    // back at its slot and takes it then).
    let mut next_slot: HashMap<i64, NaiveDateTime> = loaded
        .numbers
        .values()
        .map(|n| (n.id, n.next_send_at.unwrap_or(now).max(now)))
        .collect();
    let mut sent_until: HashMap<i64, NaiveDateTime> = HashMap::new();
    let mut threads = std::mem::take(&mut loaded.threads);
    let mut started = Vec::new();
    let mut outgoing = Vec::new();
    for row in &rows {
        match check(&loaded, row, now) {
            Decision::Cancel(reason) => {
                cancel(conn, row, reason, now)?;
                prepared.cancelled += 1;
            }
            Decision::Defer { until, reason } => {
                outbox::reschedule(conn, row.id, until, Some(reason), now)?;
                prepared.deferred += 1;
            }
            Decision::Send => {
                // `check` has made sure the store has an active number.
                let Some(number) = loaded.numbers.get(&row.store_id) else {
                    continue;
                };
                // The number's slots within the next second go out in this pass; later
                // ones wait for theirs.
                let slot = next_slot.get(&number.id).copied().unwrap_or(now);
                if slot >= now + PACING_WINDOW {
                    // The slot is this text's: the next one waits for the one after.
                    next_slot.insert(number.id, slot + config.send_interval);
                    outbox::reschedule(conn, row.id, slot, Some("pacing the number"), now)?;
                    prepared.deferred += 1;
                    continue;
                }
                next_slot.insert(number.id, slot + config.send_interval);
                sent_until.insert(number.id, slot + config.send_interval);
                match message_for(conn, &loaded, &mut threads, context, row, now)? {
                    Ok(text) => {
                        started.push((row.id, text.message_id));
                        if text.created {
                            prepared.notices.push(Notice::new(
                                row.store_id,
                                LiveEvent::MessageCreated {
                                    thread_id: text.thread_id,
                                    message_id: text.message_id,
                                },
                            ));
                        }
                        if row.is_marketing() {
                            loaded
                                .marketing_sent
                                .entry(row.contact_id)
                                .or_default()
                                .push((text.message_id, now));
                        }
                        outgoing.push(Outgoing {
                            outbox_id: row.id,
                            message_id: text.message_id,
                            store_id: row.store_id,
                            thread_id: text.thread_id,
                            contact_id: row.contact_id,
                            attempts: row.attempts + 1,
                            sms: OutboundSms {
                                from: number.phone_number.clone(),
                                to: loaded.contacts[&row.contact_id]
                                    .phone
                                    .clone()
                                    .unwrap_or_default(),
                                body: text.body,
                                // Our id in the (signed) URL lets a report that arrives before
                                // the send's answer, with the sid, find the text.
                                status_callback_url: Some(format!(
                                    "{}?message={}",
                                    context.status_callback_url, text.message_id
                                )),
                            },
                        });
                    }
                    Err(why) => {
                        let reason = why.to_string();
                        tracing::info!(outbox_id = row.id, %reason, "text not rendered");
                        outbox::finish(conn, row.id, outbox::CANCELLED, Some(&reason), now)?;
                        prepared.cancelled += 1;
                    }
                }
            }
        }
    }
    outbox::start_attempts(conn, &started)?;
    for (number_id, slot) in sent_until {
        db::phone_numbers::set_next_send_at(conn, number_id, slot)?;
    }
    Ok((outgoing, prepared))
}

fn check(loaded: &Loaded, row: &OutboxRow, now: NaiveDateTime) -> Decision {
    let Some(contact) = loaded.contacts.get(&row.contact_id) else {
        return Decision::Cancel("the customer was deleted");
    };
    let store = loaded.stores.get(&row.store_id);
    let store_hours = store.and_then(|s| {
        let start = u32::try_from(s.quiet_start_hour?).ok()?;
        let end = u32::try_from(s.quiet_end_hour?).ok()?;
        Some(Hours::new(start, end))
    });
    // An order notification scheduled before the order was cancelled, unless it is the
    // cancellation's own.
    let order_cancelled = row.order_id.is_some_and(|id| {
        loaded
            .orders
            .get(&id)
            .is_some_and(|order| order.status == db::orders::CANCELLED)
            && scheduling::status_of_order_text(&row.dedupe_key) != Some(db::orders::CANCELLED)
    });
    let cart_waiting = row.cart_id.map(|id| {
        loaded
            .carts
            .get(&id)
            .is_some_and(|cart| cart.status == db::carts::ABANDONED)
    });
    // A retry's own text (from its first attempt) does not count against itself.
    let sent: Vec<NaiveDateTime> = loaded
        .marketing_sent
        .get(&row.contact_id)
        .into_iter()
        .flatten()
        .filter(|(message_id, _)| Some(*message_id) != row.message_id)
        .map(|(_, at)| *at)
        .collect();
    compliance::decide(&Facts {
        now,
        purpose: Purpose::of(&row.purpose),
        // Compliance texts belong to no campaign.
        campaign_active: row.campaign_id.is_none_or(|id| {
            loaded
                .campaigns
                .get(&id)
                .is_some_and(|c| c.status == "active")
        }),
        has_live_number: loaded.numbers.contains_key(&row.store_id),
        contact,
        cart_waiting,
        order_cancelled,
        shipping_region: loaded.regions.get(&row.contact_id).map(String::as_str),
        store_hours,
        marketing_per_day: store.map_or(2, |s| u32::try_from(s.marketing_per_day).unwrap_or(2)),
        marketing_sent: &sent,
    })
}

fn cancel(conn: &mut DbConn, row: &OutboxRow, reason: &str, now: NaiveDateTime) -> AppResult<()> {
    outbox::finish(conn, row.id, outbox::CANCELLED, Some(reason), now)?;
    if let Some(message_id) = row.message_id {
        // A retry that may no longer go out: its message says so in the conversation.
        db::messages::set_status(conn, message_id, db::messages::STATUS_CANCELLED, None, now)?;
    }
    Ok(())
}

/// The conversation message for the text: the one an earlier attempt created, or a new one
/// rendered now. `Err` (inner) when it cannot be rendered.
fn message_for(
    conn: &mut DbConn,
    loaded: &Loaded,
    threads: &mut HashMap<i64, i64>,
    context: &SendContext,
    row: &OutboxRow,
    now: NaiveDateTime,
) -> AppResult<Result<Text, RenderError>> {
    if let Some(existing) = row.message_id.and_then(|id| loaded.messages.get(&id)) {
        return Ok(Ok(Text {
            message_id: existing.id,
            thread_id: existing.thread_id,
            body: existing.body.clone(),
            created: false,
        }));
    }
    let (Some(campaign), Some(step), Some(number)) = (
        row.campaign_id.and_then(|id| loaded.campaigns.get(&id)),
        row.step_id.and_then(|id| loaded.steps.get(&id)),
        loaded.numbers.get(&row.store_id),
    ) else {
        return Ok(Err(RenderError::Template(
            "the campaign step was deleted".into(),
        )));
    };
    let contact = &loaded.contacts[&row.contact_id];
    let store_name = loaded
        .stores
        .get(&row.store_id)
        .map_or("", |s| s.name.as_str());
    let kind = CampaignKind::ALL
        .into_iter()
        .find(|k| k.as_str() == campaign.kind)
        .unwrap_or(CampaignKind::AbandonedCart);
    let template = Template {
        kind,
        body: &step.body,
        store_name,
        marketing: row.is_marketing(),
        link_base: &context.link_base,
    };
    let values = values_for(loaded, row, contact, store_name, step);
    let rendered = match render::render(&template, &values) {
        Ok(rendered) => rendered,
        Err(e) => return Ok(Err(e)),
    };
    let to = contact.phone.as_deref().unwrap_or_default();
    let thread_id = match threads.get(&row.contact_id) {
        Some(id) => {
            db::threads::record_outbound(conn, *id, &rendered.body, now)?;
            *id
        }
        None => {
            db::threads::post_outbound(conn, row.store_id, row.contact_id, &rendered.body, now)?
        }
    };
    let message = db::messages::insert(
        conn,
        &db::messages::NewMessage {
            store_id: row.store_id,
            thread_id,
            contact_id: row.contact_id,
            phone_number_id: Some(number.id),
            direction: db::messages::OUTBOUND,
            kind: db::messages::KIND_AUTOMATED,
            body: &rendered.body,
            status: db::messages::STATUS_SENDING,
            segments: i32::try_from(segments::count(&rendered.body).segments).unwrap_or(i32::MAX),
            from_number: &number.phone_number,
            to_number: to,
            provider_sid: None,
            scheduled_for: Some(row.due_at),
            campaign: row.campaign_id.zip(row.step_id),
            marketing: row.is_marketing(),
            now,
        },
    )?;
    for (code, target) in &rendered.links {
        db::short_links::insert(conn, row.store_id, message.id, code, target, now)?;
    }
    threads.insert(row.contact_id, thread_id);
    Ok(Ok(Text {
        message_id: message.id,
        thread_id,
        body: rendered.body,
        created: true,
    }))
}

fn values_for(
    loaded: &Loaded,
    row: &OutboxRow,
    contact: &db::contacts::ContactRow,
    store_name: &str,
    step: &db::campaigns::StepRow,
) -> Values<'static> {
    let cart = row.cart_id.and_then(|id| loaded.carts.get(&id));
    let order = row.order_id.and_then(|id| loaded.orders.get(&id));
    vec![
        ("first_name", contact.first_name.clone()),
        ("store_name", Some(store_name.to_owned())),
        ("cart_url", cart.and_then(|c| c.recovery_url.clone())),
        (
            "cart_total",
            cart.map(|c| money::display(c.total_cents, &c.currency)),
        ),
        ("discount_code", step.discount_code.clone()),
        ("order_number", order.and_then(|o| o.number.clone())),
        (
            "order_status",
            order.map(|o| status_words(&o.status).to_owned()),
        ),
        ("tracking_url", order.and_then(|o| o.tracking_url.clone())),
        (
            "tracking_number",
            order.and_then(|o| o.tracking_number.clone()),
        ),
    ]
}

fn status_words(status: &str) -> &'static str {
    match status {
        "placed" => "received",
        "shipped" => "on its way",
        "on_hold" => "on hold",
        "cancelled" => "cancelled",
        _ => "updated",
    }
}

async fn send_all(
    state: &AppState,
    outgoing: Vec<Outgoing>,
) -> Vec<(Outgoing, Result<ProviderMessage, ProviderError>)> {
    let mut sends = tokio::task::JoinSet::new();
    for text in outgoing {
        let provider = state.sms.clone();
        sends.spawn(async move {
            let result = provider.send(&text.sms).await;
            (text, result)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = sends.join_next().await {
        match joined {
            Ok(result) => results.push(result),
            // A panicking send leaves its row leased; the reconciler will look it up.
            Err(e) => tracing::error!(error = %e, "a send task failed"),
        }
    }
    results
}

#[derive(Default)]
struct Recorded {
    sent: usize,
    retrying: usize,
    failed: usize,
    /// Status changes, for the inboxes watching.
    notices: Vec<Notice>,
}

fn record(
    conn: &mut DbConn,
    config: &DispatchConfig,
    results: Vec<(Outgoing, Result<ProviderMessage, ProviderError>)>,
    now: NaiveDateTime,
) -> AppResult<Recorded> {
    let mut recorded = Recorded::default();
    let mut sent = Vec::new();
    let mut accepted_texts = Vec::new();
    let mut threads = HashMap::new();
    for (text, result) in results {
        let status = |status: &str| {
            Notice::new(
                text.store_id,
                LiveEvent::MessageStatus {
                    thread_id: text.thread_id,
                    message_id: text.message_id,
                    status: status.to_owned(),
                },
            )
        };
        match result {
            Ok(accepted) => {
                threads.insert(text.message_id, (text.store_id, text.thread_id));
                sent.push(text.outbox_id);
                accepted_texts.push((text.message_id, accepted));
            }
            // Refused for now: certainly not sent, so simply sent again later.
            Err(error @ ProviderError::RateLimited { .. })
                if text.attempts < config.max_attempts =>
            {
                let retry_at = now + backoff(config, text.attempts, &error);
                let reason = format!("will retry: {error}");
                db::messages::set_status(conn, text.message_id, "queued", None, now)?;
                recorded.notices.push(status("queued"));
                outbox::reschedule(conn, text.outbox_id, retry_at, Some(&reason), now)?;
                recorded.retrying += 1;
            }
            // A timeout or a dropped connection may have reached the provider: the text stays
            // leased until after the backoff, when the reconciler asks the provider before
            // anything is sent again.
            Err(error) if error.is_retryable() && text.attempts < config.max_attempts => {
                let check_at = now + backoff(config, text.attempts, &error);
                let reason = format!("checking with the provider before retrying: {error}");
                outbox::hold_until(conn, text.outbox_id, check_at, &reason, now)?;
                recorded.retrying += 1;
            }
            Err(error) => {
                let code = match &error {
                    ProviderError::Unsubscribed => Some(21610),
                    ProviderError::Rejected { code, .. } => *code,
                    _ => None,
                };
                db::messages::set_status(conn, text.message_id, "failed", code, now)?;
                recorded.notices.push(status("failed"));
                outbox::finish(
                    conn,
                    text.outbox_id,
                    outbox::FAILED,
                    Some(&error.to_string()),
                    now,
                )?;
                if error == ProviderError::Unsubscribed {
                    // The carrier says the customer texted STOP: we honour it everywhere, as
                    // a STOP texted to us.
                    opt_outs::opt_out_contacts(
                        conn,
                        text.store_id,
                        &[text.contact_id],
                        ConsentSource::Keyword,
                        "the carrier reports the customer unsubscribed (Twilio error 21610)",
                        now,
                    )?;
                    recorded.notices.push(Notice::new(
                        text.store_id,
                        LiveEvent::ConsentChanged {
                            contact_id: text.contact_id,
                            thread_id: Some(text.thread_id),
                            opted_out: true,
                        },
                    ));
                }
                recorded.failed += 1;
            }
        }
    }
    let accepted: Vec<db::messages::Accepted<'_>> = accepted_texts
        .iter()
        .map(|(message_id, a)| db::messages::Accepted {
            message_id: *message_id,
            provider_sid: &a.provider_sid,
            status: &a.status,
            error_code: a.error_code,
        })
        .collect();
    // The status recorded, which a delivery report that came first may have set.
    for row in db::messages::record_sent_many(conn, &accepted, now)? {
        if let Some(&(store_id, thread_id)) = threads.get(&row.id) {
            recorded.notices.push(Notice::new(
                store_id,
                LiveEvent::MessageStatus {
                    thread_id,
                    message_id: row.id,
                    status: row.status,
                },
            ));
        }
    }
    outbox::finish_many(conn, &sent, outbox::SENT, now)?;
    recorded.sent = sent.len();
    Ok(recorded)
}

/// Exponential backoff with jitter (so retries from many texts do not arrive together),
/// or the provider's own Retry-After when it gave one.
fn backoff(config: &DispatchConfig, attempts: i32, error: &ProviderError) -> Duration {
    if let ProviderError::RateLimited {
        retry_after: Some(after),
    } = error
    {
        return Duration::from_std(*after).unwrap_or(config.first_retry);
    }
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(10);
    let base = config.first_retry * 2_i32.pow(doublings);
    let jitter = rand::rng().random_range(0.5..1.5);
    Duration::milliseconds((base.num_milliseconds() as f64 * jitter) as i64)
}

/// Rows whose worker lost its lease while sending: if the provider has the text, it went
/// out and is recorded as sent; if not, it is queued again. Returns how many went out.
async fn reconcile(state: &AppState, worker: &str, now: NaiveDateTime) -> AppResult<usize> {
    let (lease, worker_name) = (state.dispatch.lease, worker.to_owned());
    let stranded = db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let rows = outbox::lease_expired(conn, now, 100)?;
            if rows.is_empty() {
                return Ok((rows, Vec::new()));
            }
            // Taken over under a fresh lease, so two reconcilers never handle one row.
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            outbox::extend_lease(conn, &ids, now + lease, &worker_name, now)?;
            let messages = db::messages::find_many(conn, &ids_of_messages(&rows))?;
            Ok((rows, messages))
        })
    })
    .await?;
    let (rows, messages) = stranded;
    if rows.is_empty() {
        return Ok(0);
    }
    let messages = by_id(messages, |m| m.id);
    let mut findings = Vec::new();
    for row in rows {
        let found = match row.message_id.and_then(|id| messages.get(&id)) {
            Some(m) => state
                .sms
                // A day early: a send just before midnight UTC is listed under the day before.
                .sent_messages(
                    &m.from_number,
                    &m.to_number,
                    (row.updated_at - Duration::days(1)).date(),
                )
                .await
                .map(|list| {
                    // Every text with these words: an earlier one ("Thanks!", a second
                    // STOP's confirmation) may be listed too, and is told apart below.
                    let same_words: Vec<ProviderMessage> = list
                        .into_iter()
                        .filter(|s| s.body == m.body)
                        .map(|s| s.message)
                        .collect();
                    Some((m.id, m.thread_id, same_words))
                }),
            None => Ok(None),
        };
        findings.push((row, found));
    }
    let live = state.live.clone();
    db::run(&state.pool, move |conn| {
        let notices = db::write_transaction(conn, |conn| {
            let mut notices = Vec::new();
            for (row, found) in findings {
                let found = match found {
                    Ok(Some((message_id, thread_id, same_words))) => {
                        Ok(unclaimed(conn, message_id, same_words)?
                            .map(|accepted| (message_id, thread_id, accepted)))
                    }
                    Ok(None) => Ok(None),
                    Err(e) => Err(e),
                };
                match found {
                    Ok(Some((message_id, thread_id, accepted))) => {
                        let found = db::messages::Accepted {
                            message_id,
                            provider_sid: &accepted.provider_sid,
                            status: &accepted.status,
                            error_code: accepted.error_code,
                        };
                        for recorded in db::messages::record_sent_many(conn, &[found], now)? {
                            notices.push(Notice::new(
                                row.store_id,
                                LiveEvent::MessageStatus {
                                    thread_id,
                                    message_id,
                                    status: recorded.status,
                                },
                            ));
                        }
                        outbox::finish(conn, row.id, outbox::SENT, None, now)?;
                    }
                    // Not at the provider: it never went out, so it may be sent now.
                    Ok(None) => {
                        outbox::reschedule(
                            conn,
                            row.id,
                            now,
                            Some("resent after a worker stopped"),
                            now,
                        )?;
                    }
                    // The provider cannot say: ask again after the lease.
                    Err(e) => {
                        tracing::warn!(outbox_id = row.id, error = %e, "cannot reconcile yet");
                    }
                }
            }
            Ok(notices)
        })?;
        live.publish(conn, &notices);
        Ok(notices.len())
    })
    .await
}

/// The first of the provider's texts with a message's words that is recorded for no other
/// message: an earlier text with the same words is not this one, which may never have gone.
fn unclaimed(
    conn: &mut DbConn,
    message_id: i64,
    same_words: Vec<ProviderMessage>,
) -> AppResult<Option<ProviderMessage>> {
    for candidate in same_words {
        let recorded = db::messages::find_by_provider_sid(conn, &candidate.provider_sid)?;
        if recorded.is_none_or(|m| m.id == message_id) {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

fn ids_of_messages(rows: &[OutboxRow]) -> Vec<i64> {
    ids(rows, |r| r.message_id)
}
