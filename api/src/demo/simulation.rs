//! The store's past on a simulated clock. Customers browse, abandon carts, order, read the
//! texts they get, click, ask questions and sometimes opt out; the merchant answers. Every
//! step goes through the code a live store runs: events through ingestion, abandonment
//! detection, dispatcher passes (quiet hours, daily caps and opt-outs are its rules), inbound
//! texts through the provider webhook's service, clicks through the short-link service,
//! replies through the inbox. The clock jumps from one thing to do to the next: a customer's
//! action, or the next text falling due.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Weekday};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use textback_shared::inbox::ReplyRequest;
use textback_shared::quiet_hours::time_zones;

use super::catalog::{self, PLACES, PRODUCTS, Topic};
use super::setup::Store;
use crate::app::AppState;
use crate::db::{self, messages::MessageRow};
use crate::error::{AppError, AppResult};
use crate::services::ingest::{self, Judged, Source};
use crate::services::provider_webhooks::{self, InboundOutcome, InboundSms};
use crate::services::{dispatch, inbox, short_links};
use crate::sms::simulator::Simulator;

const WORKER: &str = "demo";

/// Chances, per text received, of what a customer does. Kept near what stores see: a few
/// clicks in ten, about one opt-out in a hundred texts.
const STOP_KEYWORD: f64 = 0.011;
const STOP_IN_WORDS: f64 = 0.005;
const ASKS_ABOUT_CART: f64 = 0.06;
/// Per step of the cart flow: the last one carries a discount code.
const CLICKS_REMINDER: [f64; 3] = [0.18, 0.12, 0.20];
const ORDERS_AFTER_CLICK: f64 = 0.35;
const ORDERS_WITHOUT_CLICK: f64 = 0.025;
const CHECKS_OUT_AT_ONCE: f64 = 0.22;
const CLICKS_TRACKING: f64 = 0.4;
const ASKS_ABOUT_HOLD: f64 = 0.35;
const ASKS_ABOUT_ORDER: f64 = 0.03;
const PUT_ON_HOLD: f64 = 0.07;
/// Carts per customer per day, before the weekend's extra.
const CARTS_PER_CUSTOMER_DAY: f64 = 0.03;
/// The merchant answers nearly every question, except the latest ones: those wait in the inbox.
const ANSWERED: f64 = 0.92;
const ANSWERED_LATELY: f64 = 0.35;
const LATELY: Duration = Duration::days(2);

/// Shopping hours, local: how likely a cart starts in each hour from 7:00 to 23:00.
const HOUR_WEIGHTS: [(u32, u32); 17] = [
    (7, 2),
    (8, 3),
    (9, 4),
    (10, 5),
    (11, 5),
    (12, 7),
    (13, 6),
    (14, 5),
    (15, 5),
    (16, 5),
    (17, 6),
    (18, 7),
    (19, 8),
    (20, 9),
    (21, 9),
    (22, 7),
    (23, 3),
];

/// What the demo made, for the command's summary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub contacts: usize,
    pub carts: usize,
    pub orders: usize,
    pub texts_sent: usize,
    pub texts_received: usize,
    pub clicks: usize,
}

struct Person {
    first_name: &'static str,
    last_name: &'static str,
    email: String,
    phone: String,
    area_code: u16,
    region: &'static str,
    /// The cart they are filling or left, until it is ordered.
    cart: Option<usize>,
}

#[derive(Clone)]
struct Item {
    product: usize,
    variant: &'static str,
    quantity: u32,
}

struct Cart {
    external_id: String,
    person: usize,
    items: Vec<Item>,
    ordered: bool,
}

struct Order {
    external_id: String,
    number: String,
    person: usize,
    cart: usize,
    tracking_number: String,
}

enum Said {
    Question(Topic),
    Thanks,
    OptOut,
}

/// The merchant's answer to a customer's text.
struct Reply {
    person: usize,
    thread_id: i64,
    body: &'static str,
    /// The waiting cart the question was about: the answer may bring the order.
    cart: Option<usize>,
    /// Whether the customer may thank them (not for an answer to thanks).
    follow_up: bool,
}

enum Action {
    ImportCustomers,
    Browse(usize),
    Checkout(usize),
    DetectAbandonment,
    Hold(usize),
    Ship(usize),
    Click(String),
    Text {
        person: usize,
        body: String,
        said: Said,
        cart: Option<usize>,
    },
    Answer(Reply),
}

pub struct Simulation<'a> {
    state: &'a AppState,
    simulator: &'a Simulator,
    store: &'a Store,
    rng: StdRng,
    people: Vec<Person>,
    by_phone: HashMap<String, usize>,
    carts: Vec<Cart>,
    orders: Vec<Order>,
    agenda: BTreeMap<(NaiveDateTime, u64), Action>,
    next_seq: u64,
    start: NaiveDateTime,
    end: NaiveDateTime,
    /// Texts at the simulator already looked at.
    texts_seen: usize,
    events: usize,
    /// Customers who decided to opt out so far.
    opt_outs: usize,
    summary: Summary,
}

impl<'a> Simulation<'a> {
    pub fn new(
        state: &'a AppState,
        simulator: &'a Simulator,
        store: &'a Store,
        seed: u64,
        contacts: usize,
        (start, end): (NaiveDateTime, NaiveDateTime),
    ) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let people = people(&mut rng, contacts);
        let by_phone = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.phone.clone(), i))
            .collect();
        let mut simulation = Self {
            state,
            simulator,
            store,
            rng,
            people,
            by_phone,
            carts: Vec::new(),
            orders: Vec::new(),
            agenda: BTreeMap::new(),
            next_seq: 0,
            start,
            end,
            texts_seen: simulator.total_sent(),
            events: 0,
            opt_outs: 0,
            summary: Summary {
                contacts,
                ..Summary::default()
            },
        };
        simulation.plan_shopping();
        simulation
    }

    fn at(&mut self, time: NaiveDateTime, action: Action) {
        self.next_seq += 1;
        self.agenda.insert((time, self.next_seq), action);
    }

    fn minutes(&mut self, range: std::ops::Range<i64>) -> Duration {
        Duration::minutes(self.rng.random_range(range))
    }

    /// The customer list arrives first; then, day by day, carts at local shopping hours,
    /// more of them at weekends.
    fn plan_shopping(&mut self) {
        self.at(self.start, Action::ImportCustomers);
        let total_weight: u32 = HOUR_WEIGHTS.iter().map(|(_, w)| w).sum();
        let days: Vec<NaiveDate> = self
            .start
            .date()
            .iter_days()
            .take_while(|day| *day <= self.end.date())
            .collect();
        for day in days {
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            let expected =
                self.people.len() as f64 * CARTS_PER_CUSTOMER_DAY * if weekend { 1.3 } else { 1.0 };
            let carts =
                expected.floor() as usize + usize::from(self.rng.random_bool(expected.fract()));
            for _ in 0..carts {
                let person = self.rng.random_range(0..self.people.len());
                let mut pick = self.rng.random_range(0..total_weight);
                let hour = HOUR_WEIGHTS
                    .iter()
                    .find(|(_, w)| {
                        let found = pick < *w;
                        pick = pick.saturating_sub(*w);
                        found
                    })
                    .map_or(12, |(h, _)| *h);
                let minute = self.rng.random_range(0..60);
                let Some(at) = local_to_utc(self.people[person].area_code, day, hour, minute)
                else {
                    continue;
                };
                if at > self.start && at <= self.end {
                    self.at(at, Action::Browse(person));
                }
            }
        }
    }

    /// Runs the clock to the end; returns what was made.
    pub async fn run(mut self) -> AppResult<Summary> {
        let mut now = self.start;
        loop {
            let due = self.next_due().await?;
            let next = match (self.agenda.keys().next().map(|(t, _)| *t), due) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => match a.or(b) {
                    Some(t) => t,
                    None => break,
                },
            };
            if next > self.end {
                break;
            }
            now = now.max(next);
            while let Some(entry) = self.agenda.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                let action = entry.remove();
                self.act(action, now).await?;
            }
            if self.next_due().await?.is_some_and(|due| due <= now) {
                self.dispatch(now).await?;
            }
        }
        self.summary.carts = self.carts.len();
        self.summary.orders = self.orders.len();
        Ok(self.summary)
    }

    async fn next_due(&self) -> AppResult<Option<NaiveDateTime>> {
        db::run(&self.state.pool, |conn| Ok(db::outbox::next_due(conn)?)).await
    }

    /// Dispatcher passes at `now` until nothing more is due, then the customers read what
    /// they got.
    async fn dispatch(&mut self, now: NaiveDateTime) -> AppResult<()> {
        loop {
            let report = dispatch::run_pass(self.state, WORKER, now).await?;
            if (report.claimed as i64) < self.state.dispatch.batch_size {
                break;
            }
        }
        let texts = self.simulator.sent_since(self.texts_seen);
        self.texts_seen += texts.len();
        let sids: Vec<String> = texts
            .into_iter()
            .filter(|t| t.from == self.store.number)
            .map(|t| t.provider_sid)
            .collect();
        self.summary.texts_sent += sids.len();
        let mut received = db::run(&self.state.pool, move |conn| {
            let mut rows = Vec::with_capacity(sids.len());
            for sid in &sids {
                rows.extend(db::messages::find_by_provider_sid(conn, sid)?);
            }
            Ok(rows)
        })
        .await?;
        // In the order they were written, not the order concurrent sends finished in.
        received.sort_by_key(|m| m.id);
        for message in received {
            self.read(&message, now);
        }
        Ok(())
    }

    /// What a customer does about a text they got.
    fn read(&mut self, message: &MessageRow, now: NaiveDateTime) {
        let Some(&person) = self.by_phone.get(&message.to_number) else {
            return;
        };
        let Some(campaign) = message.campaign_id else {
            return;
        };
        if campaign == self.store.cart_flow {
            let step = self
                .store
                .cart_steps
                .iter()
                .position(|s| Some(*s) == message.step_id)
                .unwrap_or(0);
            self.read_reminder(person, step, &message.body, now);
        } else if campaign == self.store.shipped {
            if self.rng.random_bool(CLICKS_TRACKING)
                && let Some(code) = short_code(&message.body)
            {
                let later = now + self.minutes(10..480);
                self.at(later, Action::Click(code));
            }
            if self.rng.random_bool(ASKS_ABOUT_ORDER) {
                self.ask(person, Topic::Arrival, None, now);
            }
        } else if campaign == self.store.on_hold {
            if self.rng.random_bool(ASKS_ABOUT_HOLD) {
                self.ask(person, Topic::OnHold, None, now);
            }
        } else if self.rng.random_bool(ASKS_ABOUT_ORDER) {
            self.ask(person, Topic::ChangeOrder, None, now);
        }
    }

    fn read_reminder(&mut self, person: usize, step: usize, body: &str, now: NaiveDateTime) {
        let Some(cart) = self.people[person].cart.filter(|c| !self.carts[*c].ordered) else {
            return;
        };
        let roll: f64 = self.rng.random();
        if roll < STOP_KEYWORD + STOP_IN_WORDS {
            // The first two say it both ways, so every demo shows both; then as it falls.
            self.opt_outs += 1;
            let body = match self.opt_outs {
                1 => "STOP",
                2 => catalog::STOP_SENTENCES[0],
                _ => {
                    let words = if roll < STOP_KEYWORD {
                        catalog::STOP_WORDS
                    } else {
                        catalog::STOP_SENTENCES
                    };
                    words.choose(&mut self.rng).copied().unwrap_or("STOP")
                }
            };
            let later = now + self.minutes(1..25);
            self.at(
                later,
                Action::Text {
                    person,
                    body: body.into(),
                    said: Said::OptOut,
                    cart: None,
                },
            );
        } else if roll < STOP_KEYWORD + STOP_IN_WORDS + ASKS_ABOUT_CART {
            // Only the last reminder has a code that could fail.
            let topics = &Topic::ABOUT_CARTS[..if step == 2 { 5 } else { 4 }];
            let topic = topics.choose(&mut self.rng).copied().unwrap_or(Topic::Size);
            self.ask(person, topic, Some(cart), now);
        } else if self
            .rng
            .random_bool(CLICKS_REMINDER[step.min(CLICKS_REMINDER.len() - 1)])
        {
            let Some(code) = short_code(body) else {
                return;
            };
            let clicked = now + self.minutes(1..30);
            self.at(clicked, Action::Click(code));
            if self.rng.random_bool(ORDERS_AFTER_CLICK) {
                let ordered = clicked + self.minutes(5..45);
                self.at(ordered, Action::Checkout(cart));
            }
        } else if self.rng.random_bool(ORDERS_WITHOUT_CLICK) {
            let ordered = now + self.minutes(60..18 * 60);
            self.at(ordered, Action::Checkout(cart));
        }
    }

    fn ask(&mut self, person: usize, topic: Topic, cart: Option<usize>, now: NaiveDateTime) {
        let product = cart
            .and_then(|c| self.carts[c].items.first())
            .map_or("jacket", |item| PRODUCTS[item.product].title);
        let body = topic.question(self.rng.random_range(0..2), product);
        let later = now + self.minutes(2..50);
        self.at(
            later,
            Action::Text {
                person,
                body,
                said: Said::Question(topic),
                cart,
            },
        );
    }

    async fn act(&mut self, action: Action, now: NaiveDateTime) -> AppResult<()> {
        match action {
            Action::ImportCustomers => {
                let events = (0..self.people.len())
                    .map(|p| self.customer_event(p, now))
                    .collect();
                self.ingest(events, now).await
            }
            Action::Browse(person) => self.browse(person, now).await,
            Action::Checkout(cart) => self.checkout(cart, now).await,
            Action::DetectAbandonment => {
                db::run(&self.state.pool, move |conn| {
                    ingest::detect_abandonment(conn, now)
                })
                .await?;
                Ok(())
            }
            Action::Hold(order) => {
                let event = self.order_event(order, "order.on_hold", now);
                self.ingest(vec![event], now).await?;
                let shipped = now + self.minutes(20 * 60..48 * 60);
                self.at(shipped, Action::Ship(order));
                Ok(())
            }
            Action::Ship(order) => {
                let event = self.order_event(order, "order.shipped", now);
                self.ingest(vec![event], now).await
            }
            Action::Click(code) => {
                let followed = db::run(&self.state.pool, move |conn| {
                    short_links::follow(conn, &code, now)
                })
                .await?;
                self.summary.clicks += usize::from(followed.is_some());
                Ok(())
            }
            Action::Text {
                person,
                body,
                said,
                cart,
            } => self.text(person, body, said, cart, now).await,
            Action::Answer(reply) => self.answer(reply, now).await,
        }
    }

    async fn ingest(&mut self, events: Vec<Value>, now: NaiveDateTime) -> AppResult<()> {
        let mut pending = Vec::with_capacity(events.len());
        for event in events {
            match ingest::judge_value(Source::Api, event) {
                Judged::Valid(event) => pending.push(*event),
                Judged::Rejected(result) => {
                    return Err(AppError::internal(format!(
                        "a demo event was rejected: {:?}",
                        result.errors
                    )));
                }
            }
        }
        let store_id = self.store.id;
        db::run(&self.state.pool, move |conn| {
            ingest::apply_at(conn, store_id, &pending, now)
        })
        .await?;
        Ok(())
    }

    fn event_id(&mut self) -> String {
        self.events += 1;
        format!("demo-{:06}", self.events)
    }

    fn customer(&self, person: usize) -> Value {
        let p = &self.people[person];
        json!({"phone": p.phone, "email": p.email, "first_name": p.first_name, "last_name": p.last_name})
    }

    /// The store's customer list: each signed up for texts at checkout some time before.
    fn customer_event(&mut self, person: usize, now: NaiveDateTime) -> Value {
        let mut customer = self.customer(person);
        let collected = now - Duration::days(self.rng.random_range(1..365));
        customer["sms_consent"] = json!({
            "status": "granted", "source": "checkout", "collected_at": rfc3339(collected)
        });
        json!({
            "id": self.event_id(), "type": "customer.updated", "occurred_at": rfc3339(now),
            "customer": customer,
        })
    }

    /// Adds to the customer's waiting cart, or starts one; it is abandoned after the store's
    /// delay unless the customer checks out first.
    async fn browse(&mut self, person: usize, now: NaiveDateTime) -> AppResult<()> {
        let item = self.item();
        let cart = match self.people[person].cart {
            Some(cart) if !self.carts[cart].ordered => {
                let items = &mut self.carts[cart].items;
                match items.iter_mut().find(|i| i.product == item.product) {
                    Some(same) => same.quantity += 1,
                    None => items.push(item),
                }
                cart
            }
            _ => {
                let mut items = vec![item];
                if self.rng.random_bool(0.4) {
                    let second = self.item();
                    if second.product != items[0].product {
                        items.push(second);
                    }
                }
                self.carts.push(Cart {
                    external_id: format!("jf-{:05}", self.carts.len() + 1),
                    person,
                    items,
                    ordered: false,
                });
                self.people[person].cart = Some(self.carts.len() - 1);
                self.carts.len() - 1
            }
        };
        let id = self.event_id();
        let c = &self.carts[cart];
        let event = json!({
            "id": id, "type": "checkout.updated", "occurred_at": rfc3339(now),
            "customer": self.customer(person),
            "cart": {
                "id": c.external_id, "total": money(total(&c.items)), "currency": "USD",
                "recovery_url": format!("https://juniperandfinch.example/cart/{}", c.external_id),
                "line_items": line_items(&c.items),
            },
        });
        self.ingest(vec![event], now).await?;
        if self.rng.random_bool(CHECKS_OUT_AT_ONCE) {
            let ordered = now + self.minutes(8..40);
            self.at(ordered, Action::Checkout(cart));
        }
        self.at(now + self.store.abandon_after, Action::DetectAbandonment);
        Ok(())
    }

    fn item(&mut self) -> Item {
        let product = self.rng.random_range(0..PRODUCTS.len());
        Item {
            product,
            variant: PRODUCTS[product]
                .variants
                .choose(&mut self.rng)
                .copied()
                .unwrap_or("M"),
            quantity: if self.rng.random_bool(0.15) { 2 } else { 1 },
        }
    }

    async fn checkout(&mut self, cart: usize, now: NaiveDateTime) -> AppResult<()> {
        if self.carts[cart].ordered {
            return Ok(());
        }
        self.carts[cart].ordered = true;
        let person = self.carts[cart].person;
        if self.people[person].cart == Some(cart) {
            self.people[person].cart = None;
        }
        let tracking: u64 = self.rng.random_range(10_000_000_000..100_000_000_000);
        self.orders.push(Order {
            external_id: format!("jf-order-{}", 5_000 + self.orders.len()),
            number: format!("#{}", 1_001 + self.orders.len()),
            person,
            cart,
            tracking_number: format!("1Z9A7{tracking}"),
        });
        let order = self.orders.len() - 1;
        let event = self.order_event(order, "order.placed", now);
        self.ingest(vec![event], now).await?;
        if self.rng.random_bool(PUT_ON_HOLD) {
            let held = now + self.minutes(2 * 60..10 * 60);
            self.at(held, Action::Hold(order));
        } else {
            let shipped = now + self.minutes(16 * 60..40 * 60);
            self.at(shipped, Action::Ship(order));
        }
        Ok(())
    }

    fn order_event(&mut self, order: usize, kind: &str, now: NaiveDateTime) -> Value {
        let o = &self.orders[order];
        let items = &self.carts[o.cart].items;
        let mut body = json!({
            "id": o.external_id, "number": o.number, "total": money(total(items)), "currency": "USD",
            "line_items": line_items(items), "shipping_region": self.people[o.person].region,
        });
        match kind {
            "order.placed" => {
                body["cart_id"] = json!(self.carts[o.cart].external_id);
                body["financial_status"] = json!("paid");
            }
            "order.shipped" => {
                body["tracking_number"] = json!(o.tracking_number);
                body["tracking_url"] =
                    json!(format!("https://tracking.example/{}", o.tracking_number));
                body["carrier"] = json!("UPS");
                body["fulfillment_status"] = json!("fulfilled");
            }
            _ => body["status"] = json!("on-hold"),
        }
        let customer = self.customer(o.person);
        json!({
            "id": self.event_id(), "type": kind, "occurred_at": rfc3339(now),
            "customer": customer, "order": body,
        })
    }

    /// A customer's text reaches the store's number, as the provider's webhook delivers it.
    async fn text(
        &mut self,
        person: usize,
        body: String,
        said: Said,
        cart: Option<usize>,
        now: NaiveDateTime,
    ) -> AppResult<()> {
        self.summary.texts_received += 1;
        let sms = InboundSms {
            provider_sid: format!(
                "SMdemo{:08}{:08}",
                self.store.id, self.summary.texts_received
            ),
            from: self.people[person].phone.clone(),
            to: self.store.number.clone(),
            body,
            segments: 1,
            opt_out_type: None,
            provider_answered: false,
        };
        let live = self.state.live.clone();
        let outcome = db::run(&self.state.pool, move |conn| {
            provider_webhooks::receive_at(conn, &live, &sms, now)
        })
        .await?;
        let InboundOutcome::Stored { thread_id, .. } = outcome else {
            return Ok(());
        };
        let (answer, follow_up) = match said {
            Said::OptOut => return Ok(()),
            Said::Question(topic) => {
                let chance = if now > self.end - LATELY {
                    ANSWERED_LATELY
                } else {
                    ANSWERED
                };
                (self.rng.random_bool(chance).then(|| topic.answer()), true)
            }
            Said::Thanks => (self.rng.random_bool(0.6).then_some(catalog::WELCOME), false),
        };
        if let Some(body) = answer {
            let later = now + self.minutes(6..150);
            self.at(
                later,
                Action::Answer(Reply {
                    person,
                    thread_id,
                    body,
                    cart,
                    follow_up,
                }),
            );
        }
        Ok(())
    }

    /// The merchant answers from the inbox; the dispatcher sends it.
    async fn answer(&mut self, reply: Reply, now: NaiveDateTime) -> AppResult<()> {
        let (live, store_id, thread_id) = (self.state.live.clone(), self.store.id, reply.thread_id);
        let request = ReplyRequest {
            body: reply.body.into(),
        };
        let replied = db::run(&self.state.pool, move |conn| {
            inbox::reply_at(conn, &live, store_id, thread_id, &request, None, now)
        })
        .await;
        match replied {
            Ok(_) => {}
            // They opted out meanwhile: nothing may be sent.
            Err(AppError::Conflict(_)) => return Ok(()),
            Err(e) => return Err(e),
        }
        if let Some(cart) = reply.cart
            && self.rng.random_bool(0.4)
        {
            let ordered = now + self.minutes(10..120);
            self.at(ordered, Action::Checkout(cart));
        }
        if reply.follow_up && self.rng.random_bool(0.3) {
            let body = catalog::THANKS
                .choose(&mut self.rng)
                .copied()
                .unwrap_or("Thanks!");
            let later = now + self.minutes(3..60);
            self.at(
                later,
                Action::Text {
                    person: reply.person,
                    body: body.into(),
                    said: Said::Thanks,
                    cart: None,
                },
            );
        }
        Ok(())
    }
}

/// Customers spread over the places, each with a number of their own in the range kept for
/// fiction (555-0100 to 555-0199).
fn people(rng: &mut StdRng, count: usize) -> Vec<Person> {
    let total_weight: u32 = PLACES.iter().map(|(_, _, w)| w).sum();
    let mut used: HashMap<u16, u32> = HashMap::new();
    let mut people = Vec::with_capacity(count);
    while people.len() < count {
        let mut pick = rng.random_range(0..total_weight);
        let Some(&(area_code, region, _)) = PLACES.iter().find(|(_, _, w)| {
            let found = pick < *w;
            pick = pick.saturating_sub(*w);
            found
        }) else {
            continue;
        };
        let line = used.entry(area_code).or_insert(100);
        if *line > 199 {
            continue;
        }
        let phone = format!("+1{area_code}555{:04}", *line);
        *line += 1;
        let first_name = catalog::FIRST_NAMES.choose(rng).copied().unwrap_or("Alex");
        let last_name = catalog::LAST_NAMES.choose(rng).copied().unwrap_or("Lee");
        let email = format!(
            "{}.{}{}@example.com",
            first_name.to_lowercase(),
            last_name.to_lowercase(),
            people.len() + 1
        );
        people.push(Person {
            first_name,
            last_name,
            email,
            phone,
            area_code,
            region,
            cart: None,
        });
    }
    people
}

fn local_to_utc(area_code: u16, day: NaiveDate, hour: u32, minute: u32) -> Option<NaiveDateTime> {
    let zone = time_zones(area_code).first()?;
    let local = day.and_hms_opt(hour, minute, 0)?;
    Some(zone.from_local_datetime(&local).earliest()?.naive_utc())
}

/// The code of the first short link in a text.
fn short_code(body: &str) -> Option<String> {
    let at = body.find("/r/")? + 3;
    let code: String = body[at..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (!code.is_empty()).then_some(code)
}

fn total(items: &[Item]) -> i64 {
    items
        .iter()
        .map(|i| PRODUCTS[i.product].cents * i64::from(i.quantity))
        .sum()
}

fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn line_items(items: &[Item]) -> Value {
    items
        .iter()
        .map(|i| {
            let product = &PRODUCTS[i.product];
            json!({"title": product.title, "variant": i.variant, "quantity": i.quantity,
                "price": money(product.cents)})
        })
        .collect()
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_codes_are_read_from_texts() {
        assert_eq!(
            short_code("Your cart: http://127.0.0.1:8080/r/Ab12Cd. Reply STOP to opt out."),
            Some("Ab12Cd".into())
        );
        assert_eq!(short_code("No link here"), None);
    }

    #[test]
    fn people_have_distinct_textable_numbers() {
        let mut rng = StdRng::seed_from_u64(7);
        let people = people(&mut rng, 300);
        let mut phones: Vec<&str> = people.iter().map(|p| p.phone.as_str()).collect();
        phones.sort_unstable();
        phones.dedup();
        assert_eq!(phones.len(), 300);
        for phone in phones {
            assert!(
                textback_shared::phone::Phone::parse(phone).is_ok(),
                "{phone}"
            );
        }
    }
}
