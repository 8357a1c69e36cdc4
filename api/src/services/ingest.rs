//! Ingesting cart and order events: from the REST API, and from platform webhooks once they
//! are translated. Every event is stored raw (audit, replay), deduplicated by its id, and
//! applied in `occurred_at` order per cart and order: an older event arriving late is kept
//! but does not overwrite newer state.

use chrono::{Duration, NaiveDateTime};
use textback_shared::FieldError;
use textback_shared::events::{
    CartInput, EventOutcome, EventRequest, EventResult, EventType, LineItem, OrderInput,
};

use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::money::parse_cents;
use crate::services::contacts::{read_phone, upsert_from_customer};
use crate::services::{campaign_stats, scheduling};

mod sets;
mod writer;
pub use writer::IngestWriter;

/// Order events older than this update the order but send no notification.
const NOTIFY_WITHIN: Duration = Duration::hours(24);
const MAX_ID_LEN: usize = 200;
const MAX_URL_LEN: usize = 2048;
/// How far ahead of our clock an event's time may be.
const MAX_CLOCK_AHEAD: Duration = Duration::days(1);

/// Where an event came from; part of its identity (`api` ids and Shopify ids never collide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Api,
    Shopify,
    WooCommerce,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::Shopify => "shopify",
            Source::WooCommerce => "woocommerce",
        }
    }
}

/// Everything wrong with the event, by field; empty when it can be ingested.
pub fn validate(event: &EventRequest) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut check = |ok: bool, field: &str, message: &str| {
        if !ok {
            errors.push(FieldError::new(field, message));
        }
    };
    let id = event.id.trim();
    check(
        !id.is_empty() && id.len() <= MAX_ID_LEN,
        "id",
        "Give the event an id of 1 to 200 characters.",
    );
    if event.event_type.is_cart() {
        check(event.cart.is_some(), "cart", "A cart event needs a cart.");
    }
    if event.event_type.is_order() {
        check(
            event.order.is_some(),
            "order",
            "An order event needs an order.",
        );
    }
    if event.event_type == EventType::CustomerUpdated {
        check(
            event.customer.is_some(),
            "customer",
            "A customer event needs a customer.",
        );
    }
    if let Some(phone) = event
        .customer
        .as_ref()
        .and_then(|c| c.phone.as_deref())
        .filter(|p| !p.trim().is_empty())
    {
        check(
            read_phone(phone).is_ok(),
            "customer.phone",
            "This is not a valid phone number.",
        );
    }
    if let Some(cart) = &event.cart {
        check(
            !cart.id.trim().is_empty() && cart.id.len() <= MAX_ID_LEN,
            "cart.id",
            "Give the cart its platform id.",
        );
        money_errors(
            &mut errors,
            "cart",
            &cart.total,
            &cart.currency,
            &cart.line_items,
        );
        if cart
            .recovery_url
            .as_deref()
            .is_some_and(|url| !is_web_url(url))
        {
            errors.push(FieldError::new("cart.recovery_url", "Use an http(s) URL."));
        }
    }
    if let Some(order) = &event.order {
        if order.id.trim().is_empty() || order.id.len() > MAX_ID_LEN {
            errors.push(FieldError::new(
                "order.id",
                "Give the order its platform id.",
            ));
        }
        // Texted to the customer as a link: a web page, never `javascript:` or an app's scheme.
        if order
            .tracking_url
            .as_deref()
            .is_some_and(|url| !is_web_url(url))
        {
            errors.push(FieldError::new("order.tracking_url", "Use an http(s) URL."));
        }
        let total = order.total.as_deref().filter(|t| !t.trim().is_empty());
        let currency = order.currency.as_deref().filter(|c| !c.trim().is_empty());
        if total.is_some() != currency.is_some() {
            errors.push(FieldError::new(
                "order.currency",
                "Send total and currency together.",
            ));
        }
        // Absent amounts are fine (kept as known); present ones must be well formed.
        money_errors(
            &mut errors,
            "order",
            total.unwrap_or("0"),
            currency.unwrap_or("USD"),
            &order.line_items,
        );
    }
    errors
}

/// An http(s) URL of a sane length: what a text may link to.
pub fn is_web_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://")) && url.len() <= MAX_URL_LEN
}

fn money_errors(
    errors: &mut Vec<FieldError>,
    object: &str,
    total: &str,
    currency: &str,
    items: &[LineItem],
) {
    if parse_cents(total).is_none() {
        errors.push(FieldError::new(
            format!("{object}.total"),
            "Use a decimal amount like 49.95.",
        ));
    }
    if !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase())) {
        errors.push(FieldError::new(
            format!("{object}.currency"),
            "Use an ISO 4217 code like USD or CAD.",
        ));
    }
    for (i, item) in items.iter().enumerate() {
        if parse_cents(&item.price).is_none() {
            errors.push(FieldError::new(
                format!("{object}.line_items[{i}].price"),
                "Use a decimal amount like 49.95.",
            ));
        }
    }
}

/// A valid event waiting to be applied, with the text it arrived as (stored raw).
pub struct Pending {
    pub source: Source,
    pub event: EventRequest,
    pub raw: String,
}

/// An event as judged on arrival: answered at once when invalid, else queued.
pub enum Judged {
    Rejected(EventResult),
    Valid(Box<Pending>),
}

/// Validates one event; a rejected one will store nothing.
pub fn judge(source: Source, event: EventRequest, raw: String) -> Judged {
    let errors = validate_as_sent(&event, &raw);
    if errors.is_empty() {
        Judged::Valid(Box::new(Pending { source, event, raw }))
    } else {
        Judged::Rejected(EventResult {
            id: Some(event.id),
            status: EventOutcome::Rejected,
            errors,
        })
    }
}

/// `validate`, and no NUL character anywhere in the event as sent (`raw`, its JSON text).
/// Refused here, not by PostgreSQL (whose text cannot hold one): the writer applies many
/// requests' events in one transaction, which one such event would fail for all of them.
/// Also refused here: an `occurred_at` before 1970 or more than a day ahead of our clock. A
/// platform's clock may be off by minutes, not days; a time from the future would hold off
/// the cart's abandonment and make the customer's real later events `stale`, and one at the
/// edge of the calendar would overflow the date arithmetic of the whole group it is in.
pub fn validate_as_sent(event: &EventRequest, raw: &str) -> Vec<FieldError> {
    let mut errors = validate(event);
    if crate::nul_text::in_json(raw.as_bytes()) {
        errors.push(FieldError::new("event", crate::error::NUL_MESSAGE));
    }
    let latest = chrono::Utc::now() + MAX_CLOCK_AHEAD;
    if event.occurred_at < chrono::DateTime::UNIX_EPOCH || event.occurred_at > latest {
        errors.push(FieldError::new(
            "occurred_at",
            "Give the time the event happened: not before 1970, nor more than a day ahead.",
        ));
    }
    errors
}

/// Reads and validates one event of a batch, as sent.
pub fn judge_value(source: Source, value: serde_json::Value) -> Judged {
    let raw = value.to_string();
    match serde_json::from_value::<EventRequest>(value) {
        Ok(event) => judge(source, event, raw),
        Err(e) => {
            let id = serde_json::from_str::<serde_json::Value>(&raw)
                .ok()
                .and_then(|v| v.get("id")?.as_str().map(str::to_owned));
            Judged::Rejected(EventResult {
                id,
                status: EventOutcome::Rejected,
                errors: vec![FieldError::new("event", e.to_string())],
            })
        }
    }
}

/// Applies the valid events through the writer (one commit for all of them) and answers
/// one result per event, in order.
pub async fn ingest_judged(
    writer: &IngestWriter,
    store_id: i64,
    judged: Vec<Judged>,
) -> AppResult<Vec<EventResult>> {
    let mut slots = Vec::with_capacity(judged.len());
    let mut pending = Vec::new();
    for event in judged {
        match event {
            Judged::Rejected(result) => slots.push(Some(result)),
            Judged::Valid(event) => {
                slots.push(None);
                pending.push(*event);
            }
        }
    }
    let ids: Vec<String> = pending.iter().map(|p| p.event.id.clone()).collect();
    let outcomes = match pending.is_empty() {
        true => Vec::new(),
        false => writer.submit(store_id, pending).await?,
    };
    let mut applied = ids
        .into_iter()
        .zip(outcomes)
        .map(|(id, status)| EventResult {
            id: Some(id),
            status,
            errors: Vec::new(),
        });
    slots
        .into_iter()
        .map(|slot| {
            slot.or_else(|| applied.next())
                .ok_or_else(|| AppError::internal("the writer answered fewer events than sent"))
        })
        .collect()
}

/// The store an event belongs to, with what applying it needs to know.
#[derive(Debug, Clone, Copy)]
pub struct StoreContext {
    pub id: i64,
    pub abandon_after: Duration,
}

impl StoreContext {
    pub fn load(conn: &mut DbConn, store_id: i64) -> AppResult<Self> {
        let store = db::stores::find(conn, store_id)?;
        Ok(Self {
            id: store.id,
            abandon_after: Duration::minutes(i64::from(store.abandon_after_minutes)),
        })
    }
}

/// Applies the store's events in order, in one transaction, as received at `now` rather than
/// the wall clock: what the writer does for requests, for callers that replay a past (the
/// demo store). Returns one outcome per event.
pub fn apply_at(
    conn: &mut DbConn,
    store_id: i64,
    events: &[Pending],
    now: NaiveDateTime,
) -> AppResult<Vec<EventOutcome>> {
    db::write_transaction(conn, |conn| {
        let store = StoreContext::load(conn, store_id)?;
        events
            .iter()
            .map(|pending| apply(conn, &store, pending, now))
            .collect()
    })
}

/// Stores and applies one valid event received at `now`, inside the caller's transaction.
fn apply(
    conn: &mut DbConn,
    store: &StoreContext,
    pending: &Pending,
    now: NaiveDateTime,
) -> AppResult<EventOutcome> {
    let Pending { source, event, raw } = pending;
    let store_id = store.id;
    let occurred_at = event.occurred_at.naive_utc();
    let new = db::events::NewEvent {
        store_id,
        source: source.as_str(),
        external_id: event.id.trim(),
        event_type: event.event_type.as_str(),
        occurred_at,
        payload: raw,
        outcome: "accepted",
        received_at: now,
    };
    let Some(event_id) = db::events::insert_new(conn, &new)? else {
        return Ok(EventOutcome::Duplicate);
    };
    let contact_id = match &event.customer {
        Some(customer) => upsert_from_customer(conn, store_id, customer, occurred_at, event_id)?,
        None => None,
    };
    let applied = match (&event.cart, &event.order) {
        (Some(cart), _) if event.event_type.is_cart() => {
            apply_cart(conn, store, cart, contact_id, occurred_at, now)?
        }
        (_, Some(order)) if event.event_type.is_order() => apply_order(
            conn,
            store_id,
            event.event_type,
            order,
            contact_id,
            occurred_at,
            now,
        )?,
        _ => true,
    };
    if applied {
        Ok(EventOutcome::Accepted)
    } else {
        db::events::set_outcome(conn, event_id, "stale")?;
        Ok(EventOutcome::Stale)
    }
}

fn json_items(items: &[LineItem]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// Why a cart's pending reminders are cancelled when its checkout is completed.
const CHECKOUT_COMPLETED: &str = "checkout completed";

/// `false` when the event is older than the cart's last activity (kept, not applied, except
/// that a completed checkout still closes the cart).
fn apply_cart(
    conn: &mut DbConn,
    store: &StoreContext,
    cart: &CartInput,
    contact_id: Option<i64>,
    occurred_at: NaiveDateTime,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let store_id = store.id;
    let items = json_items(&cart.line_items);
    let state = db::carts::CartState {
        contact_id,
        line_items: &items,
        total_cents: parse_cents(&cart.total).unwrap_or_default(),
        currency: &cart.currency,
        recovery_url: cart.recovery_url.as_deref(),
        activity_at: occurred_at,
        abandon_due_at: occurred_at + store.abandon_after,
        completed: cart.completed,
    };
    match db::carts::find_by_external(conn, store_id, cart.id.trim())? {
        None => {
            let created = db::carts::insert(conn, store_id, cart.id.trim(), &state, now)?;
            if created.is_none() {
                // Another event created this cart a moment ago: apply this one on top of it.
                return apply_cart(conn, store, cart, contact_id, occurred_at, now);
            }
            Ok(true)
        }
        Some(existing) if occurred_at < existing.last_activity_at => {
            // Paid is final, whatever activity is known after it: closed, as it stands.
            if cart.completed && existing.takes_activity() {
                let state = db::carts::CartState {
                    completed: true,
                    ..db::carts::CartState::of(&existing)
                };
                db::carts::record_activity(conn, &existing, &state, false, now)?;
                scheduling::end_cart_flow(conn, existing.id, CHECKOUT_COMPLETED, now)?;
            }
            Ok(false)
        }
        Some(existing) => {
            if existing.takes_activity() {
                let was_open = existing.status == db::carts::OPEN;
                let reopen = !was_open && !cart.completed;
                db::carts::record_activity(conn, &existing, &state, reopen, now)?;
                if !was_open {
                    let why = match cart.completed {
                        true => CHECKOUT_COMPLETED,
                        false => "customer came back",
                    };
                    scheduling::end_cart_flow(conn, existing.id, why, now)?;
                }
            }
            Ok(true)
        }
    }
}

fn order_status(event_type: EventType) -> &'static str {
    match event_type {
        EventType::OrderPlaced => "placed",
        EventType::OrderShipped => "shipped",
        EventType::OrderOnHold => "on_hold",
        EventType::OrderCancelled => db::orders::CANCELLED,
        _ => "updated",
    }
}

/// How an order event is recorded, given the order as known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Recording {
    /// What it counts as: the order's status, its timeline line and its texts follow this.
    event_type: EventType,
    /// Whether the customer is told. A new order whose customer is not is also credited to
    /// no text and closes no cart.
    told: bool,
}

impl Recording {
    /// `known`: the order before the event, `None` when the event is the first heard of it.
    ///
    /// An order first heard of by its cancellation was never confirmed to its customer (from
    /// WooCommerce it is one never paid, which WooCommerce cancels itself): it is kept with its
    /// timeline, but the cancellation is not texted, no text is credited with it and it closes
    /// no cart (whose reminders still have a purpose). Nor is a cancellation of an order
    /// already cancelled texted: for one confirmed, the first cancellation was.
    ///
    /// A placement of an order already placed and since neither held nor cancelled counts as an
    /// update: WooCommerce reports every save of a paid order as `processing`, a placement,
    /// and the timeline would get a "placed" line per save. After a hold (paid now) or a
    /// cancellation (restored), a placement is news.
    fn of(event_type: EventType, known: Option<&db::orders::OrderRow>) -> Self {
        let Some(order) = known else {
            return Self {
                event_type,
                told: event_type != EventType::OrderCancelled,
            };
        };
        let cancelled = order.status == db::orders::CANCELLED;
        let event_type = match event_type {
            EventType::OrderPlaced if !cancelled && order.status != "on_hold" => {
                EventType::OrderUpdated
            }
            other => other,
        };
        Self {
            event_type,
            told: !(cancelled && event_type == EventType::OrderCancelled),
        }
    }
}

fn apply_order(
    conn: &mut DbConn,
    store_id: i64,
    event_type: EventType,
    order: &OrderInput,
    contact_id: Option<i64>,
    occurred_at: NaiveDateTime,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let known = db::orders::find_by_external(conn, store_id, order.id.trim())?;
    let recording = Recording::of(event_type, known.as_ref());
    // A shipment or a hold may not carry the order's items and total: then the known ones stay.
    let items = (!order.line_items.is_empty()).then(|| json_items(&order.line_items));
    let total_cents = order.total.as_deref().and_then(parse_cents);
    let status = order_status(recording.event_type);
    let state = db::orders::OrderState {
        contact_id,
        number: order.number.as_deref(),
        status,
        platform_status: order.status.as_deref(),
        financial_status: order.financial_status.as_deref(),
        fulfillment_status: order.fulfillment_status.as_deref(),
        line_items: items.as_deref(),
        total_cents,
        currency: order.currency.as_deref().filter(|_| total_cents.is_some()),
        shipping_region: order.shipping_region.as_deref(),
        tracking_number: order.tracking_number.as_deref(),
        tracking_url: order.tracking_url.as_deref(),
        carrier: order.carrier.as_deref(),
        occurred_at,
    };
    let (order_id, customer) = match known {
        Some(existing) if occurred_at < existing.last_event_at => {
            let filled = db::orders::filled_in(&existing, &state, now);
            complete_order(conn, store_id, &existing, filled, order, occurred_at, now)?;
            return Ok(false);
        }
        Some(existing) => {
            let updated = db::orders::updated(&existing, &state, now);
            complete_order(
                conn,
                store_id,
                &existing,
                Some(updated),
                order,
                occurred_at,
                now,
            )?;
            let customer = contact_id.or(existing.contact_id);
            (existing.id, customer.filter(|_| recording.told))
        }
        None => {
            let Some(created) = db::orders::insert(conn, store_id, order.id.trim(), &state, now)?
            else {
                // Another event created this order a moment ago: apply this one on top of it.
                return apply_order(
                    conn,
                    store_id,
                    event_type,
                    order,
                    contact_id,
                    occurred_at,
                    now,
                );
            };
            if recording.told {
                link_cart(
                    conn,
                    store_id,
                    &created,
                    order.cart_id.as_deref(),
                    occurred_at,
                    now,
                )?;
                if let Some(contact_id) = created.contact_id {
                    campaign_stats::attribute_order(conn, created.id, contact_id, occurred_at)?;
                }
            }
            (created.id, created.contact_id.filter(|_| recording.told))
        }
    };
    db::orders::add_timeline_entry(
        conn,
        store_id,
        order_id,
        recording.event_type.as_str(),
        status,
        occurred_at,
        order.status.as_deref(),
    )?;
    // News only while it is recent: a long-delayed or replayed event updates the timeline
    // but texts nobody.
    if let Some(contact_id) = customer
        && now - occurred_at <= NOTIFY_WITHIN
    {
        let target = scheduling::OrderTarget {
            store_id,
            order_id,
            contact_id,
        };
        scheduling::schedule_order_notifications(conn, &target, status, now)?;
    }
    Ok(true)
}

/// Writes an event's changes to a known order (`changed`, if any) with what the order still
/// lacked: the cart the event names (which the order then closes, as a new order does), and
/// the text credited with it once it has a customer or an earlier placement.
fn complete_order(
    conn: &mut DbConn,
    store_id: i64,
    existing: &db::orders::OrderRow,
    changed: Option<db::orders::OrderRow>,
    order: &OrderInput,
    occurred_at: NaiveDateTime,
    now: NaiveDateTime,
) -> AppResult<()> {
    let cart = match (existing.cart_id, order.cart_id.as_deref()) {
        (None, Some(external)) => db::carts::find_by_external(conn, store_id, external.trim())?,
        _ => None,
    };
    let Some(changed) = tied_to_cart(existing, changed, cart.as_ref(), now) else {
        return Ok(());
    };
    db::orders::update_many(conn, std::slice::from_ref(&changed))?;
    if let Some(cart) = cart {
        db::carts::close_with_order(conn, &cart, existing.id, occurred_at)?;
        scheduling::end_cart_flow(conn, cart.id, "cart recovered", now)?;
    }
    if let Some(contact_id) = credit_again(existing, &changed) {
        campaign_stats::attribute_order(conn, existing.id, contact_id, changed.placed_at)?;
    }
    Ok(())
}

/// The order as an event leaves it (`changed`, or as it was), tied to the cart the event
/// names when it had none; `None` when nothing changes.
fn tied_to_cart(
    existing: &db::orders::OrderRow,
    changed: Option<db::orders::OrderRow>,
    cart: Option<&db::carts::CartRow>,
    now: NaiveDateTime,
) -> Option<db::orders::OrderRow> {
    match cart {
        Some(cart) => Some(db::orders::OrderRow {
            cart_id: Some(cart.id),
            updated_at: now,
            ..changed.unwrap_or_else(|| existing.clone())
        }),
        None => changed,
    }
}

/// The customer to look for a credited text again, when the order has none and has gained a
/// customer or an earlier placement since it was looked for.
fn credit_again(before: &db::orders::OrderRow, after: &db::orders::OrderRow) -> Option<i64> {
    let contact_id = after.contact_id?;
    let news = after.contact_id != before.contact_id || after.placed_at < before.placed_at;
    (after.attributed_message_id.is_none() && news).then_some(contact_id)
}

/// A new order closes its cart: the one the platform names, else the customer's latest
/// cart still waiting. An abandoned cart is thereby recovered.
fn link_cart(
    conn: &mut DbConn,
    store_id: i64,
    order: &db::orders::OrderRow,
    cart_id: Option<&str>,
    at: NaiveDateTime,
    now: NaiveDateTime,
) -> AppResult<()> {
    let named = match cart_id {
        Some(external) => db::carts::find_by_external(conn, store_id, external.trim())?,
        None => None,
    };
    let cart = match (named, order.contact_id) {
        (Some(cart), _) => Some(cart),
        (None, Some(contact_id)) => {
            db::carts::latest_unordered_for_contact(conn, store_id, contact_id)?
        }
        (None, None) => None,
    };
    if let Some(cart) = cart {
        db::carts::close_with_order(conn, &cart, order.id, at)?;
        db::orders::set_cart(conn, order.id, cart.id)?;
        scheduling::end_cart_flow(conn, cart.id, "cart recovered", now)?;
    }
    Ok(())
}

/// A cart without activity for this long is past saving: it gets no new reminders, and it
/// expires once none of its reminders is still to go out.
const CART_EXPIRES_AFTER: Duration = Duration::days(7);

/// Marks idle carts abandoned (once per activity period, emitting an internal
/// `cart.abandoned` event for campaigns) and expires week-old ones. `now` is a parameter so
/// tests control the clock.
pub fn detect_abandonment(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<usize> {
    let stale_before = now - CART_EXPIRES_AFTER;
    let due = db::carts::due_for_abandonment(conn, now, 500)?;
    let mut abandoned = 0;
    for cart in due {
        let emitted = db::write_transaction(conn, |conn| {
            if !db::carts::mark_abandoned(conn, cart.id, cart.last_activity_at, now)? {
                return Ok(false);
            }
            // Found only after a week idle (a late or imported checkout): no reminders, as
            // it expires below.
            if cart.last_activity_at >= stale_before {
                scheduling::schedule_cart_flows(conn, &cart, now, now)?;
            }
            let payload =
                serde_json::json!({"cart_id": cart.id, "contact_id": cart.contact_id}).to_string();
            let external_id = format!(
                "cart:{}:{}",
                cart.id,
                cart.last_activity_at.and_utc().timestamp_micros()
            );
            let new = db::events::NewEvent {
                store_id: cart.store_id,
                source: "internal",
                external_id: &external_id,
                event_type: "cart.abandoned",
                occurred_at: now,
                payload: &payload,
                outcome: "accepted",
                received_at: now,
            };
            Ok(db::events::insert_new(conn, &new)?.is_some())
        })?;
        abandoned += usize::from(emitted);
    }
    db::carts::expire_idle(conn, stale_before, now)?;
    Ok(abandoned)
}
