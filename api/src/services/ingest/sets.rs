//! Applying a group of events set by set: a few statements for the whole group instead of
//! several per event, with the same outcome as applying them one by one, in order.
//!
//! The group is cut into waves in which no two events share a key (event id; the customer's
//! phone, platform id or email; a cart; an order). A key's events keep their order, one per
//! wave, so within a wave each event has rows of its own: the wave reads them in one query
//! per table, decides each event in memory, and writes with multi-row statements. When
//! the rows read show two events of a wave meeting after all (one customer known by two
//! phones; an order closing a cart that another event of the wave touches), that wave is
//! applied event by event instead.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use textback_shared::events::{CartInput, EventOutcome, EventType, OrderInput};

use super::{
    CHECKOUT_COMPLETED, NOTIFY_WITHIN, Pending, Recording, StoreContext, apply, credit_again,
    json_items, order_status, tied_to_cart,
};
use crate::db::carts::{CartRow, CartState};
use crate::db::contacts::{ContactDetails, ContactRow};
use crate::db::orders::{NewOrder, OrderRow, OrderState, TimelineEntry};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::money::parse_cents;
use crate::services::campaign_stats::{attribution_window, credited_text};
use crate::services::contacts::{CustomerFacts, consent_change};
use crate::services::scheduling::{OrderCampaigns, OrderTarget};

/// Applies the store's events, received at `now`, in order; one outcome per event.
pub fn apply_all(
    conn: &mut DbConn,
    store: &StoreContext,
    events: &[&Pending],
    now: NaiveDateTime,
) -> AppResult<Vec<EventOutcome>> {
    let prepared: Vec<Prepared<'_>> = events.iter().map(|p| Prepared::new(p)).collect();
    let mut outcomes = vec![EventOutcome::Duplicate; events.len()];
    let mut campaigns = None;
    for wave in waves(&prepared) {
        let members: Vec<&Prepared<'_>> = wave.iter().map(|&i| &prepared[i]).collect();
        let decided = match apply_wave(conn, store, &mut campaigns, &members, now)? {
            Some(decided) => decided,
            None => members
                .iter()
                .map(|p| apply(conn, store, p.pending, now))
                .collect::<AppResult<_>>()?,
        };
        for (i, outcome) in wave.into_iter().zip(decided) {
            outcomes[i] = outcome;
        }
    }
    Ok(outcomes)
}

/// What an event is about, read once.
struct Prepared<'a> {
    pending: &'a Pending,
    external_id: &'a str,
    customer: Option<CustomerFacts>,
    target: Target<'a>,
}

enum Target<'a> {
    Cart(&'a CartInput),
    Order(&'a OrderInput),
    Nothing,
}

impl<'a> Prepared<'a> {
    fn new(pending: &'a Pending) -> Self {
        let event = &pending.event;
        let target = match (&event.cart, &event.order) {
            (Some(cart), _) if event.event_type.is_cart() => Target::Cart(cart),
            (_, Some(order)) if event.event_type.is_order() => Target::Order(order),
            _ => Target::Nothing,
        };
        Self {
            pending,
            external_id: event.id.trim(),
            customer: event.customer.as_ref().and_then(CustomerFacts::read),
            target,
        }
    }

    fn occurred_at(&self) -> NaiveDateTime {
        self.pending.event.occurred_at.naive_utc()
    }

    /// Everything two events must not share to be applied side by side.
    fn keys(&self) -> Vec<Key<'_>> {
        let mut keys = vec![Key::Event(self.pending.source.as_str(), self.external_id)];
        if let Some(customer) = &self.customer {
            let d = customer.details();
            keys.extend(d.phone.map(Key::Phone));
            keys.extend(d.external_id.map(Key::Customer));
            keys.extend(d.email.map(Key::Email));
        }
        match self.target {
            Target::Cart(cart) => keys.push(Key::Cart(cart.id.trim())),
            Target::Order(order) => {
                keys.push(Key::Order(order.id.trim()));
                keys.extend(order.cart_id.as_deref().map(|c| Key::Cart(c.trim())));
            }
            Target::Nothing => {}
        }
        keys
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    Event(&'static str, &'a str),
    Phone(&'a str),
    Customer(&'a str),
    Email(&'a str),
    Cart(&'a str),
    Order(&'a str),
}

/// The events' positions, wave by wave: each event goes one wave after the last one that
/// shares a key with it.
fn waves(events: &[Prepared<'_>]) -> Vec<Vec<usize>> {
    let mut last: HashMap<Key<'_>, usize> = HashMap::new();
    let mut waves: Vec<Vec<usize>> = Vec::new();
    for (i, event) in events.iter().enumerate() {
        let keys = event.keys();
        let wave = keys
            .iter()
            .filter_map(|key| last.get(key).map(|w| w + 1))
            .max()
            .unwrap_or(0);
        for key in keys {
            last.insert(key, wave);
        }
        if waves.len() <= wave {
            waves.resize_with(wave + 1, Vec::new);
        }
        waves[wave].push(i);
    }
    waves
}

/// A row another transaction created between this one's read and its write: the group is
/// applied again event by event, which handles that.
fn contended(what: &str) -> AppError {
    AppError::Unavailable(format!("{what} created concurrently; retry"))
}

/// The rows a wave's events concern, read before anything is written.
struct Known {
    contacts: Vec<ContactRow>,
    /// Per event: its customer's contact in `contacts`, if they are known already.
    contact_of: Vec<Option<usize>>,
    carts: HashMap<String, CartRow>,
    orders: HashMap<String, OrderRow>,
    /// Per event: the cart its order closes (a new order's, or the one named for an order
    /// that had none).
    closes: Vec<Option<CartRow>>,
}

/// `None` when two of the wave's events turn out to meet on one row.
fn read_wave(conn: &mut DbConn, store_id: i64, wave: &[&Prepared<'_>]) -> AppResult<Option<Known>> {
    let details: Vec<_> = wave
        .iter()
        .map(|p| p.customer.as_ref().map(CustomerFacts::details))
        .collect();
    let (contacts, contact_of) = find_contacts(conn, store_id, &details)?;
    if !all_distinct(contact_of.iter().flatten()) {
        return Ok(None);
    }

    let mut cart_ids = Vec::new();
    let mut order_ids = Vec::new();
    for p in wave {
        match p.target {
            Target::Cart(cart) => cart_ids.push(cart.id.trim()),
            Target::Order(order) => {
                order_ids.push(order.id.trim());
                cart_ids.extend(order.cart_id.as_deref().map(str::trim));
            }
            Target::Nothing => {}
        }
    }
    let carts: HashMap<String, CartRow> = db::carts::by_external_many(conn, store_id, &cart_ids)?
        .into_iter()
        .map(|c| (c.external_id.clone(), c))
        .collect();
    let orders: HashMap<String, OrderRow> =
        db::orders::by_external_many(conn, store_id, &order_ids)?
            .into_iter()
            .map(|o| (o.external_id.clone(), o))
            .collect();

    // A new order closes the cart the platform names, else its customer's latest one still
    // waiting (see `link_cart`), unless its customer is not told of it (see `Recording`); a
    // known order without a cart, the one an event names (see `complete_order`).
    let mut closes: Vec<Option<CartRow>> = vec![None; wave.len()];
    let mut by_contact = Vec::new();
    for (i, p) in wave.iter().enumerate() {
        let Target::Order(order) = p.target else {
            continue;
        };
        let named = order.cart_id.as_deref().and_then(|id| carts.get(id.trim()));
        if let Some(existing) = orders.get(order.id.trim()) {
            if existing.cart_id.is_none() {
                closes[i] = named.cloned();
            }
            continue;
        }
        if !Recording::of(p.pending.event.event_type, None).told {
            continue;
        }
        match (named, contact_of[i]) {
            (Some(cart), _) => closes[i] = Some(cart.clone()),
            (None, Some(contact)) => by_contact.push((i, contacts[contact].id)),
            (None, None) => {}
        }
    }
    if !by_contact.is_empty() {
        let ids: Vec<i64> = by_contact.iter().map(|(_, id)| *id).collect();
        let waiting = db::carts::unordered_of_contacts(conn, &ids)?;
        for (i, contact_id) in by_contact {
            closes[i] = waiting
                .iter()
                .filter(|c| c.contact_id == Some(contact_id))
                .max_by_key(|c| (c.last_activity_at, c.id))
                .cloned();
        }
    }
    let touched = wave
        .iter()
        .filter_map(|p| match p.target {
            Target::Cart(cart) => carts.get(cart.id.trim()).map(|c| c.id),
            _ => None,
        })
        .chain(closes.iter().flatten().map(|c| c.id));
    if !all_distinct(touched) {
        return Ok(None);
    }
    Ok(Some(Known {
        contacts,
        contact_of,
        carts,
        orders,
        closes,
    }))
}

fn all_distinct<T: Eq + std::hash::Hash>(items: impl IntoIterator<Item = T>) -> bool {
    let mut seen = HashSet::new();
    items.into_iter().all(|item| seen.insert(item))
}

/// Each customer's contact, as `db::contacts::find_match` finds it: by phone, else the
/// platform's id, else the email (the oldest contact when several match). Each key is looked
/// up only for the customers the previous ones did not find, so customers known by their
/// phone (the usual case) cost one query.
fn find_contacts<'a>(
    conn: &mut DbConn,
    store_id: i64,
    details: &[Option<ContactDetails<'a>>],
) -> AppResult<(Vec<ContactRow>, Vec<Option<usize>>)> {
    use db::contacts::MatchOn;
    type Wanted<'a> = fn(&ContactDetails<'a>) -> Option<&'a str>;
    type Has = fn(&ContactRow) -> Option<&str>;
    let mut contacts: Vec<ContactRow> = Vec::new();
    let mut contact_of: Vec<Option<usize>> = vec![None; details.len()];
    let keys: [(MatchOn, Wanted<'a>, Has); 3] = [
        (MatchOn::Phone, |d| d.phone, |c| c.phone.as_deref()),
        (
            MatchOn::ExternalId,
            |d| d.external_id,
            |c| c.external_id.as_deref(),
        ),
        (MatchOn::Email, |d| d.email, |c| c.email.as_deref()),
    ];
    for (on, wanted, has) in keys {
        let unmatched: Vec<(usize, &str)> = details
            .iter()
            .enumerate()
            .filter(|(i, _)| contact_of[*i].is_none())
            .filter_map(|(i, d)| Some((i, wanted(d.as_ref()?)?)))
            .collect();
        if unmatched.is_empty() {
            continue;
        }
        let values: Vec<&str> = unmatched.iter().map(|(_, v)| *v).collect();
        let mut found = db::contacts::matching(conn, store_id, on, &values)?;
        found.sort_by_key(|c| c.id);
        for (i, value) in unmatched {
            let Some(row) = found.iter().find(|c| has(c) == Some(value)) else {
                continue;
            };
            contact_of[i] = Some(match contacts.iter().position(|c| c.id == row.id) {
                Some(known) => known,
                None => {
                    contacts.push(row.clone());
                    contacts.len() - 1
                }
            });
        }
    }
    Ok((contacts, contact_of))
}

/// Applies one wave; `None` when it must be applied event by event.
fn apply_wave(
    conn: &mut DbConn,
    store: &StoreContext,
    campaigns: &mut Option<OrderCampaigns>,
    wave: &[&Prepared<'_>],
    now: NaiveDateTime,
) -> AppResult<Option<Vec<EventOutcome>>> {
    let Some(known) = read_wave(conn, store.id, wave)? else {
        return Ok(None);
    };
    let mut outcomes = vec![EventOutcome::Duplicate; wave.len()];

    let new_events: Vec<db::events::NewEvent<'_>> = wave
        .iter()
        .map(|p| db::events::NewEvent {
            store_id: store.id,
            source: p.pending.source.as_str(),
            external_id: p.external_id,
            event_type: p.pending.event.event_type.as_str(),
            occurred_at: p.occurred_at(),
            payload: &p.pending.raw,
            outcome: "accepted",
            received_at: now,
        })
        .collect();
    let stored: HashMap<(String, String), i64> = db::events::insert_many(conn, &new_events)?
        .into_iter()
        .map(|s| ((s.source, s.external_id), s.id))
        .collect();
    // Per event: its id, when it was new (a repeat changes nothing).
    let event_ids: Vec<Option<i64>> = wave
        .iter()
        .map(|p| {
            let key = (
                p.pending.source.as_str().to_owned(),
                p.external_id.to_owned(),
            );
            stored.get(&key).copied()
        })
        .collect();
    for (outcome, id) in outcomes.iter_mut().zip(&event_ids) {
        if id.is_some() {
            *outcome = EventOutcome::Accepted;
        }
    }

    let contact_ids = apply_customers(conn, store.id, wave, &known, &event_ids, now)?;
    let stale_carts = apply_carts(conn, store, wave, &known, &event_ids, &contact_ids, now)?;
    let stale_orders = apply_orders(
        conn,
        store.id,
        campaigns,
        wave,
        &known,
        &event_ids,
        &contact_ids,
        now,
    )?;
    let stale: Vec<i64> = stale_carts
        .into_iter()
        .chain(stale_orders)
        .filter_map(|i| {
            outcomes[i] = EventOutcome::Stale;
            event_ids[i]
        })
        .collect();
    db::events::set_outcome_many(conn, &stale, "stale")?;
    Ok(Some(outcomes))
}

/// Merges each customer into their contact (created when new) and records consent changes;
/// returns each event's contact.
fn apply_customers(
    conn: &mut DbConn,
    store_id: i64,
    wave: &[&Prepared<'_>],
    known: &Known,
    event_ids: &[Option<i64>],
    now: NaiveDateTime,
) -> AppResult<Vec<Option<i64>>> {
    let mut merges = Vec::new();
    let mut new = Vec::new();
    for (i, p) in wave.iter().enumerate() {
        let (Some(facts), Some(_)) = (&p.customer, event_ids[i]) else {
            continue;
        };
        let details = facts.details();
        match known.contact_of[i] {
            Some(c) => {
                let contact = &known.contacts[c];
                merges.extend(db::contacts::merged(contact, &details).map(|m| (contact.id, m)));
            }
            None => new.push((i, details)),
        }
    }
    db::contacts::merge_many(conn, &merges, now)?;
    let details: Vec<_> = new.iter().map(|(_, d)| d.clone()).collect();
    let created = db::contacts::insert_many(conn, store_id, &details, now)?;
    // Within a wave no two new contacts share a phone, platform id or email.
    let mut created_for: HashMap<usize, &ContactRow> = HashMap::new();
    for (i, d) in &new {
        let row = created
            .iter()
            .find(|c| {
                (
                    c.phone.as_deref(),
                    c.external_id.as_deref(),
                    c.email.as_deref(),
                ) == (d.phone, d.external_id, d.email)
            })
            .ok_or_else(|| contended("a contact"))?;
        created_for.insert(*i, row);
    }

    let mut contact_ids = vec![None; wave.len()];
    let mut consent = Vec::new();
    for (i, p) in wave.iter().enumerate() {
        let Some(event_id) = event_ids[i] else {
            continue;
        };
        let contact = match known.contact_of[i] {
            Some(c) => Some(&known.contacts[c]),
            None => created_for.get(&i).copied(),
        };
        let (Some(contact), Some(customer)) = (contact, &p.pending.event.customer) else {
            continue;
        };
        contact_ids[i] = Some(contact.id);
        consent.extend(consent_change(
            contact,
            customer,
            p.occurred_at(),
            Some(event_id),
        ));
    }
    db::contacts::record_consent_many(conn, &consent, now)?;
    Ok(contact_ids)
}

/// Creates or updates each cart event's cart; returns the positions of stale events.
fn apply_carts(
    conn: &mut DbConn,
    store: &StoreContext,
    wave: &[&Prepared<'_>],
    known: &Known,
    event_ids: &[Option<i64>],
    contact_ids: &[Option<i64>],
    now: NaiveDateTime,
) -> AppResult<Vec<usize>> {
    let carts: Vec<(usize, &CartInput)> = wave
        .iter()
        .enumerate()
        .filter(|(i, _)| event_ids[*i].is_some())
        .filter_map(|(i, p)| match p.target {
            Target::Cart(cart) => Some((i, cart)),
            _ => None,
        })
        .collect();
    let items: Vec<String> = carts
        .iter()
        .map(|(_, cart)| json_items(&cart.line_items))
        .collect();
    let mut new = Vec::new();
    let mut activity = Vec::new();
    let mut reopened = Vec::new();
    let mut completed = Vec::new();
    let mut stale = Vec::new();
    for ((i, cart), items) in carts.iter().zip(&items) {
        let occurred_at = wave[*i].occurred_at();
        let state = CartState {
            contact_id: contact_ids[*i],
            line_items: items,
            total_cents: parse_cents(&cart.total).unwrap_or_default(),
            currency: &cart.currency,
            recovery_url: cart.recovery_url.as_deref(),
            activity_at: occurred_at,
            abandon_due_at: occurred_at + store.abandon_after,
            completed: cart.completed,
        };
        match known.carts.get(cart.id.trim()) {
            None => new.push((cart.id.trim(), state)),
            Some(existing) if occurred_at < existing.last_activity_at => {
                stale.push(*i);
                // Paid is final, whatever activity is known after it: closed, as it stands.
                if cart.completed && existing.takes_activity() {
                    let as_it_stands = CartState {
                        completed: true,
                        ..CartState::of(existing)
                    };
                    activity.push((existing, as_it_stands, false));
                    if existing.status != db::carts::OPEN {
                        completed.push(existing.id);
                    }
                }
            }
            Some(existing) if existing.takes_activity() => {
                let was_open = existing.status == db::carts::OPEN;
                let reopen = !was_open && !cart.completed;
                match (was_open, cart.completed) {
                    (true, _) => {}
                    (false, true) => completed.push(existing.id),
                    (false, false) => reopened.push(existing.id),
                }
                activity.push((existing, state, reopen));
            }
            Some(_) => {}
        }
    }
    let created = db::carts::insert_many(conn, store.id, &new, now)?;
    if created.len() != new.len() {
        return Err(contended("a cart"));
    }
    db::carts::record_activity_many(conn, &activity, now)?;
    db::outbox::cancel_for_carts(conn, &reopened, "customer came back", now)?;
    db::outbox::cancel_for_carts(conn, &completed, CHECKOUT_COMPLETED, now)?;
    Ok(stale)
}

/// Creates or updates each order event's order, closes the carts new orders come from,
/// extends the timelines and schedules notifications; returns the positions of stale events.
#[allow(clippy::too_many_arguments)]
fn apply_orders(
    conn: &mut DbConn,
    store_id: i64,
    campaigns: &mut Option<OrderCampaigns>,
    wave: &[&Prepared<'_>],
    known: &Known,
    event_ids: &[Option<i64>],
    contact_ids: &[Option<i64>],
    now: NaiveDateTime,
) -> AppResult<Vec<usize>> {
    let orders: Vec<(usize, &OrderInput)> = wave
        .iter()
        .enumerate()
        .filter(|(i, _)| event_ids[*i].is_some())
        .filter_map(|(i, p)| match p.target {
            Target::Order(order) => Some((i, order)),
            _ => None,
        })
        .collect();
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    // A shipment or a hold may not carry the order's items and total: then the known ones stay.
    let items: Vec<Option<String>> = orders
        .iter()
        .map(|(_, o)| (!o.line_items.is_empty()).then(|| json_items(&o.line_items)))
        .collect();
    let mut stale = Vec::new();
    // (position, the order as the event leaves it).
    let mut updates: Vec<(usize, OrderRow)> = Vec::new();
    let mut new = Vec::new();
    // (position, contact, placed at) of the orders whose credited text is looked for.
    let mut to_credit: Vec<(usize, i64, NaiveDateTime)> = Vec::new();
    // (position, order id, the customer to tell, what the event counts as), for those applied.
    let mut applied: Vec<(usize, Option<i64>, Option<i64>, EventType)> = Vec::new();
    // (cart, the order closing it, when).
    let mut closing: Vec<(&CartRow, i64, NaiveDateTime)> = Vec::new();
    for ((i, order), items) in orders.iter().zip(&items) {
        let known_order = known.orders.get(order.id.trim());
        let recording = Recording::of(wave[*i].pending.event.event_type, known_order);
        let told = |customer: Option<i64>| customer.filter(|_| recording.told);
        let total_cents = order.total.as_deref().and_then(parse_cents);
        let state = OrderState {
            contact_id: contact_ids[*i],
            number: order.number.as_deref(),
            status: order_status(recording.event_type),
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
            occurred_at: wave[*i].occurred_at(),
        };
        let occurred_at = state.occurred_at;
        match known_order {
            Some(existing) => {
                // An older event changes no newer state: it only fills in what is missing.
                let changed = if occurred_at < existing.last_event_at {
                    stale.push(*i);
                    db::orders::filled_in(existing, &state, now)
                } else {
                    applied.push((
                        *i,
                        Some(existing.id),
                        told(contact_ids[*i].or(existing.contact_id)),
                        recording.event_type,
                    ));
                    Some(db::orders::updated(existing, &state, now))
                };
                let cart = known.closes[*i].as_ref();
                if let Some(cart) = cart {
                    closing.push((cart, existing.id, occurred_at));
                }
                if let Some(changed) = tied_to_cart(existing, changed, cart, now) {
                    if let Some(contact_id) = credit_again(existing, &changed) {
                        to_credit.push((*i, contact_id, changed.placed_at));
                    }
                    updates.push((*i, changed));
                }
            }
            None => {
                // A contact created by this wave has been sent nothing yet.
                if known.contact_of[*i].is_some()
                    && let Some(contact_id) = told(contact_ids[*i])
                {
                    to_credit.push((*i, contact_id, occurred_at));
                }
                new.push((
                    *i,
                    NewOrder {
                        external_id: order.id.trim(),
                        cart_id: known.closes[*i].as_ref().map(|c| c.id),
                        attributed_message_id: None,
                        state,
                    },
                ));
                applied.push((*i, None, told(contact_ids[*i]), recording.event_type));
            }
        }
    }
    let credits = credits(conn, &to_credit)?;
    let updates: Vec<OrderRow> = updates
        .into_iter()
        .map(|(i, changed)| OrderRow {
            attributed_message_id: changed.attributed_message_id.or(credits.get(&i).copied()),
            ..changed
        })
        .collect();
    let new: Vec<NewOrder<'_>> = new
        .into_iter()
        .map(|(i, order)| NewOrder {
            attributed_message_id: credits.get(&i).copied(),
            ..order
        })
        .collect();
    db::orders::update_many(conn, &updates)?;
    let created: HashMap<String, i64> = db::orders::insert_many(conn, store_id, &new, now)?
        .into_iter()
        .map(|o| (o.external_id, o.id))
        .collect();
    if created.len() != new.len() {
        return Err(contended("an order"));
    }

    let order_id_of = |i: usize, id: Option<i64>| -> AppResult<i64> {
        match id {
            Some(id) => Ok(id),
            None => orders
                .iter()
                .find(|(j, _)| *j == i)
                .and_then(|(_, o)| created.get(o.id.trim()).copied())
                .ok_or_else(|| contended("an order")),
        }
    };
    let mut timeline = Vec::new();
    let mut notify = Vec::new();
    for &(i, existing_id, customer, event_type) in &applied {
        let order_id = order_id_of(i, existing_id)?;
        let p = wave[i];
        let occurred_at = p.occurred_at();
        if existing_id.is_none()
            && let Some(cart) = &known.closes[i]
        {
            closing.push((cart, order_id, occurred_at));
        }
        let note = match p.target {
            Target::Order(order) => order.status.as_deref(),
            _ => None,
        };
        timeline.push(TimelineEntry {
            order_id,
            event_type: event_type.as_str(),
            status: order_status(event_type),
            at: occurred_at,
            note,
        });
        // News only while it is recent: a long-delayed or replayed event updates the
        // timeline but texts nobody.
        if let Some(contact_id) = customer
            && now - occurred_at <= NOTIFY_WITHIN
        {
            notify.push((
                OrderTarget {
                    store_id,
                    order_id,
                    contact_id,
                },
                order_status(event_type),
            ));
        }
    }
    db::carts::close_with_orders(conn, &closing)?;
    let recovered: Vec<i64> = closing.iter().map(|(cart, ..)| cart.id).collect();
    db::outbox::cancel_for_carts(conn, &recovered, "cart recovered", now)?;
    db::orders::add_timeline_entries(conn, store_id, &timeline)?;
    if !notify.is_empty() {
        let campaigns = match campaigns {
            Some(loaded) => loaded,
            None => campaigns.insert(OrderCampaigns::load(conn, store_id)?),
        };
        let texts: Vec<_> = notify
            .iter()
            .flat_map(|(target, status)| campaigns.texts_for(target, status, now))
            .collect();
        db::outbox::schedule_many(conn, &texts, now)?;
    }
    Ok(stale)
}

/// The text credited with each order, by the event's position, from (position, the order's
/// customer, when it was placed) (see `campaign_stats::attribute_order`).
fn credits(
    conn: &mut DbConn,
    orders: &[(usize, i64, NaiveDateTime)],
) -> AppResult<HashMap<usize, i64>> {
    let Some(since) = orders
        .iter()
        .map(|(.., at)| attribution_window(*at).0)
        .min()
    else {
        return Ok(HashMap::new());
    };
    let until = orders.iter().map(|(.., at)| *at).max().unwrap_or(since);
    let contacts: Vec<i64> = orders.iter().map(|(_, c, _)| *c).collect();
    let texts = db::messages::campaign_texts_of_contacts(conn, &contacts, since, until)?;
    if texts.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = texts.iter().map(|(_, id, _)| *id).collect();
    let clicked = db::short_links::clicked(conn, &ids)?;
    let mut credits = HashMap::new();
    for &(i, contact_id, placed_at) in orders {
        let (from, to) = attribution_window(placed_at);
        let theirs: Vec<(i64, Option<NaiveDateTime>)> = texts
            .iter()
            .filter(|(c, _, sent)| *c == contact_id && sent.is_some_and(|s| from <= s && s <= to))
            .map(|(_, id, sent)| (*id, *sent))
            .collect();
        if theirs.is_empty() {
            continue;
        }
        let their_clicks: Vec<(i64, Option<NaiveDateTime>)> = clicked
            .iter()
            .filter(|(id, _)| theirs.iter().any(|(t, _)| t == id))
            .copied()
            .collect();
        if let Some(message_id) = credited_text(&theirs, &their_clicks, placed_at) {
            credits.insert(i, message_id);
        }
    }
    Ok(credits)
}
