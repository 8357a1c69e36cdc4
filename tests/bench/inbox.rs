//! Inbox benchmark (`make bench`): latency of the thread list and of a conversation's newest
//! page under concurrent clients over HTTP, for a store with 100,000 threads and 1,000,000
//! messages (and another store with a little data beside it). SQLite always; PostgreSQL too
//! when `TEST_DATABASE_URL` is set.
//!
//! The data is seeded set-based (a series in SQL: `generate_series` on PostgreSQL, a recursive
//! CTE on SQLite) and filled as the app fills it: each thread's time, snippet, last inbound
//! time and unread count agree with its messages, and opted-out contacts have their STOP, its
//! confirmation and the audit row. So the API's queries meet what production has.
//!
//! A missed target is reported, not failed: this is a measurement. A request that is not a 200
//! with items fails the run, since the figures would then be wrong.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, Timelike};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use textback_api::db::{self, DbConn};
use textback_api::services::stats;
use textback_tests::{Backend, TestApp};

/// The measured store's threads: a multiple of 10 (see `PER_THREAD`).
const THREADS: i64 = 100_000;
/// The other store's, so that every query has to tell stores apart.
const OTHER_THREADS: i64 = 1_000;
/// Messages per thread by the thread's place in its group of ten (rotated from group to
/// group): 100 a group, so ten a thread on average, mostly short threads and one long
/// conversation in ten.
const PER_THREAD: [i64; 10] = [1, 1, 2, 3, 4, 5, 6, 8, 10, 60];
/// How far back the threads' last activity goes; recent activity is denser.
const HISTORY_DAYS: i64 = 180;
const CLIENTS: usize = 32;
const TARGET_P99: Duration = Duration::from_millis(25);

/// How a request kind is measured: `clients` concurrent clients, `requests` each.
#[derive(Clone, Copy)]
struct Load {
    clients: usize,
    requests: usize,
    /// The p99 it must stay under, if it has a target.
    target: Option<Duration>,
}

const TARGETED: Load = Load {
    clients: CLIENTS,
    requests: 250,
    target: Some(TARGET_P99),
};
const SECONDARY: Load = Load {
    clients: CLIENTS,
    requests: 40,
    target: None,
};
/// The results dashboard over 90 days (its target: p99 under 100 ms on this data). A
/// dashboard is opened now and then, not by a crowd at once: as many clients as the pool.
const RESULTS: Load = Load {
    clients: 4,
    requests: 100,
    target: Some(Duration::from_millis(100)),
};
/// A search reads all the store's contacts (a substring can use no index): 32 at once queue
/// for seconds behind the pool, and past its 5 s wait they are refused. As many as the pool.
const SEARCH: Load = Load {
    clients: 4,
    requests: 40,
    target: None,
};

const FIRST_NAMES: [&str; 16] = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "John",
    "Margaret",
    "Dennis",
    "Radia",
    "Ken",
    "Hedy",
    "Linus",
    "Katherine",
    "Tim",
];
const LAST_NAMES: [&str; 20] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy", "Hamilton",
    "Ritchie", "Perlman", "Thompson", "Lamarr", "Torvalds", "Johnson", "Lee", "Nguyen", "Garcia",
    "Okafor", "Kowalski",
];
const CUSTOMER_TEXTS: [&str; 8] = [
    "Is shipping free?",
    "Do you have this in a medium?",
    "When will my order arrive?",
    "Thanks!",
    "Can I change the address on my order? I moved last week and forgot to update it.",
    "Is the discount code still valid?",
    "ok",
    "Just ordered, can't wait \u{1f44d}",
];
const MANUAL_REPLIES: [&str; 6] = [
    ", shipping is free on orders over $50.",
    ", we have it in medium: shall I hold one for you until Friday?",
    ", your order left our warehouse this morning; the tracking link follows by email.",
    ", yes, the code is valid until Sunday midnight.",
    ", thanks for letting us know!",
    ", done: the new address is on your order.",
];

/// Latencies and failures of one measured load, or of one client's share of it.
#[derive(Default)]
struct Run {
    elapsed: Duration,
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let rank = (sorted.len() as f64 * p).ceil() as usize;
        sorted.get(rank.max(1) - 1).copied().unwrap_or_default()
    }

    /// The clients' shares together, timed from `started` until the last one finishes.
    async fn gather(started: Instant, clients: Vec<tokio::task::JoinHandle<Run>>) -> Run {
        let mut run = Run::default();
        for client in clients {
            let share = client.await.expect("client");
            run.latencies.extend(share.latencies);
            run.errors.extend(share.errors);
        }
        run.elapsed = started.elapsed();
        run
    }
}

/// What the measured store holds, as counted after seeding.
struct Seeded {
    /// The store's threads have ids `first_thread..first_thread + THREADS`.
    first_thread: i64,
    elapsed: Duration,
    threads: i64,
    messages: i64,
    unread: i64,
    awaiting_reply: i64,
    opted_out: i64,
}

impl Seeded {
    fn count(conn: &mut DbConn, store_id: i64, first_thread: i64, elapsed: Duration) -> Self {
        use textback_api::db::schema::{contacts, messages, threads};
        let of_store = || threads::table.filter(threads::store_id.eq(store_id));
        Self {
            first_thread,
            elapsed,
            threads: of_store().count().get_result(conn).expect("threads"),
            messages: messages::table
                .filter(messages::store_id.eq(store_id))
                .count()
                .get_result(conn)
                .expect("messages"),
            unread: of_store()
                .filter(threads::unread_count.gt(0))
                .count()
                .get_result(conn)
                .expect("unread"),
            awaiting_reply: of_store()
                .filter(threads::awaiting_reply_since.is_not_null())
                .count()
                .get_result(conn)
                .expect("awaiting"),
            opted_out: contacts::table
                .filter(contacts::store_id.eq(store_id))
                .filter(contacts::opted_out_at.is_not_null())
                .count()
                .get_result(conn)
                .expect("opted out"),
        }
    }
}

struct Report {
    backend: Backend,
    seeded: Seeded,
    /// How long the first roll-up of the results took.
    rolled_up: Duration,
    lines: Vec<(String, Option<Duration>, Run)>,
    load_after: String,
}

#[tokio::main]
async fn main() {
    let postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty());
    print_setup(postgres);
    let mut backends = vec![Backend::Sqlite];
    if postgres {
        backends.push(Backend::Postgres);
    }
    let started = Instant::now();
    let mut failed = false;
    for backend in backends {
        let report = bench(backend).await;
        print_report(&report);
        failed |= report
            .lines
            .iter()
            .any(|(_, _, run)| !run.errors.is_empty());
    }
    println!("\nTotal {:.1} s", started.elapsed().as_secs_f64());
    if failed {
        eprintln!("FAILED: some requests did not succeed (see above)");
        std::process::exit(1);
    }
}

/// The first figure of /proc/loadavg: other work on the machine skews every latency.
fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace()
        .next()
        .unwrap_or("unknown")
        .to_owned()
}

fn print_setup(postgres: bool) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let profile = if cfg!(debug_assertions) {
        "debug (unoptimised: not representative)"
    } else {
        "release (optimised)"
    };
    println!("Inbox benchmark");
    println!(
        "  machine: {cores} cores, load average {} at start; build: {profile}",
        load_average()
    );
    println!(
        "  one store with {THREADS} threads and {} messages, another with {OTHER_THREADS} and {}; \
         {CLIENTS} concurrent clients over HTTP on loopback with the owner's session token",
        THREADS * 10,
        OTHER_THREADS * 10
    );
    println!(
        "  server: the test harness's, with 1 actix worker and a pool of 4 connections; \
         conversations are picked at random among all the store's threads"
    );
    if !postgres {
        println!("  PostgreSQL: skipped (set TEST_DATABASE_URL to bench it too)");
    }
}

async fn bench(backend: Backend) -> Report {
    let app = TestApp::spawn(backend).await;
    let owner = app.signup("owner@bench.example").await;
    let other = app.signup("other@bench.example").await;
    let seeded = seed(
        &app,
        &[(other.store_id, OTHER_THREADS), (owner.store_id, THREADS)],
    );
    // The dashboard's hourly sums of all that history, as a first roll-up makes them.
    let rolling = Instant::now();
    {
        let mut conn = app.state.pool.get().expect("connection");
        stats::rebuild(&mut conn, db::now()).expect("roll-up");
    }
    let rolled_up = rolling.elapsed();
    let token: Arc<str> = owner.token.into();
    let first = seeded.first_thread;
    // Opens each client's connection, so that connecting is not in the first figures.
    load(&app, &token, CLIENTS, 1, |_| "/api/v1/threads".into()).await;

    let mut lines = Vec::new();
    let mut measure = async |label: &str, how: Load, path: fn(&mut StdRng, i64) -> String| {
        let run = load(&app, &token, how.clients, how.requests, move |rng| {
            path(rng, first)
        })
        .await;
        let label = match how.clients {
            CLIENTS => label.to_owned(),
            n => format!("{label} ({n} clients)"),
        };
        lines.push((label, how.target, run));
    };
    measure("threads, first page", TARGETED, |_, _| {
        "/api/v1/threads".into()
    })
    .await;
    measure("conversation, newest page", TARGETED, |rng, first| {
        let thread = first + rng.random_range(0..THREADS);
        format!("/api/v1/threads/{thread}/messages")
    })
    .await;
    measure("threads, unread", SECONDARY, |_, _| {
        "/api/v1/threads?filter=unread".into()
    })
    .await;
    measure("threads, awaiting reply", SECONDARY, |_, _| {
        "/api/v1/threads?filter=awaiting_reply".into()
    })
    .await;
    measure("threads, opted out", SECONDARY, |_, _| {
        "/api/v1/threads?filter=opted_out".into()
    })
    .await;
    measure("results, 90 days by day", RESULTS, |_, _| {
        let today = chrono::Utc::now().date_naive();
        let from = today - chrono::Duration::days(89);
        format!("/api/v1/stats?from={from}&to={today}")
    })
    .await;
    measure("search, a last name", SEARCH, |rng, _| {
        let name = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
        format!("/api/v1/threads?q={name}")
    })
    .await;
    measure("search, a number", SEARCH, |rng, _| {
        let n = 2_000_001 + rng.random_range(0..THREADS);
        format!(
            "/api/v1/threads?q=%28212%29%20{:03}-{:04}",
            n / 10_000,
            n % 10_000
        )
    })
    .await;
    Report {
        backend,
        seeded,
        rolled_up,
        lines,
        load_after: load_average(),
    }
}

/// `requests` GETs from each of `clients` concurrent clients, each path drawn by `path` from
/// the client's own seeded generator (the same requests on both databases).
async fn load(
    app: &TestApp,
    token: &Arc<str>,
    clients: usize,
    requests: usize,
    path: impl Fn(&mut StdRng) -> String + Clone + Send + 'static,
) -> Run {
    let started = Instant::now();
    let clients: Vec<_> = (0..clients)
        .map(|k| {
            let (http, base, token, path) = (
                app.http.clone(),
                app.base_url.clone(),
                token.clone(),
                path.clone(),
            );
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(k as u64);
                let mut run = Run::default();
                for _ in 0..requests {
                    let url = format!("{base}{}", path(&mut rng));
                    let started = Instant::now();
                    let outcome = get(&http, &url, &token).await;
                    run.latencies.push(started.elapsed());
                    if let Err(e) = outcome {
                        run.errors.push(format!("{url}: {e}"));
                    }
                }
                run
            })
        })
        .collect();
    Run::gather(started, clients).await
}

/// A 200 whose page has items (every measured query finds some in the seeded data). The
/// page is not parsed: the client shares the cores with the server, and what it spends is
/// taken from the figures.
async fn get(http: &reqwest::Client, url: &str, token: &str) -> Result<(), String> {
    let response = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    // A page with items, or a period's results (which start with the period).
    if status.is_success()
        && (body.starts_with(br#"{"items":[{"#) || body.starts_with(br#"{"from":"#))
    {
        return Ok(());
    }
    let body = String::from_utf8_lossy(&body);
    Err(format!(
        "{status}: {}",
        body.chars().take(200).collect::<String>()
    ))
}

/// Seeds each (store, threads) in turn, in one transaction, and leaves the database as a
/// running one would be (PostgreSQL vacuumed and analysed, SQLite's log checkpointed). Returns
/// where the last store's threads start.
fn seed(app: &TestApp, stores: &[(i64, i64)]) -> Seeded {
    let started = Instant::now();
    let now = db::now().with_nanosecond(0).expect("whole second");
    // A connection of its own, so that the settings that speed up loading leave the server's
    // connections as they are.
    let pool = db::connect(&app.state.settings.database_url, 1).expect("seeding pool");
    let mut conn = pool.get().expect("connection");
    let sql = Sql {
        backend: app.backend,
        now: now.format("%Y-%m-%d %H:%M:%S").to_string(),
    };
    let loading = match app.backend {
        // Room to sort a million messages into time order, and to keep the indexes that
        // take them in random order.
        Backend::Postgres => "SET work_mem = '256MB'",
        Backend::Sqlite => "PRAGMA cache_size = -262144",
    };
    diesel::sql_query(loading)
        .execute(&mut *conn)
        .expect("loading settings");
    let mut first_thread = 0;
    db::write_transaction(&mut conn, |conn| {
        for (i, &(store_id, threads)) in stores.iter().enumerate() {
            let store = prepare_store(conn, store_id, i, now, &app.state.settings.public_base_url);
            first_thread = seed_store(conn, &sql, &store, threads);
        }
        Ok(())
    })
    .expect("seed");
    let settle = match app.backend {
        Backend::Postgres => "VACUUM ANALYZE",
        Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
    };
    diesel::sql_query(settle)
        .execute(&mut *conn)
        .expect("settle");
    let elapsed = started.elapsed();
    let measured = stores.last().expect("a store").0;
    Seeded::count(&mut conn, measured, first_thread, elapsed)
}

/// The store's number and campaigns, made as the app makes them, and what the seeding SQL
/// needs of them.
struct Store {
    id: i64,
    name: String,
    number_id: i64,
    number: String,
    /// Where customers' numbers are (each store's contacts are apart from the other's).
    area_code: &'static str,
    link_base: String,
    cart_campaign: i64,
    cart_steps: Vec<i64>,
    shipped_campaign: i64,
    shipped_step: i64,
}

fn prepare_store(
    conn: &mut DbConn,
    store_id: i64,
    i: usize,
    now: NaiveDateTime,
    public_base_url: &str,
) -> Store {
    let (area_code, number) = [("415", "+14155550100"), ("212", "+12125550100")][i % 2];
    let name = db::stores::find(conn, store_id).expect("store").name;
    let claimed = db::phone_numbers::claim(
        conn,
        &db::phone_numbers::NewReservation {
            store_id,
            phone_number: number,
            country: "US",
            region: None,
            locality: None,
            reserved_by_user_id: None,
            now,
        },
    )
    .expect("number");
    db::phone_numbers::activate(conn, claimed.id, &format!("PN{store_id:032x}")).expect("active");
    let campaign = |conn: &mut DbConn, kind: &str, name: &str, bodies: &[&str]| {
        let campaign =
            db::campaigns::insert(conn, store_id, kind, name, "[]", now).expect("campaign");
        let steps: Vec<_> = bodies
            .iter()
            .enumerate()
            .map(|(k, body)| db::campaigns::NewStep {
                delay_minutes: 60 * (k as i32 + 1),
                body,
                discount_code: None,
            })
            .collect();
        db::campaigns::replace_steps(conn, campaign.id, &steps).expect("steps");
        db::campaigns::set_status(conn, campaign.id, "active", Some(now), now).expect("active");
        let steps = db::campaigns::steps_of(conn, &[campaign.id]).expect("steps");
        (
            campaign.id,
            steps.into_iter().map(|s| s.id).collect::<Vec<_>>(),
        )
    };
    let (cart_campaign, cart_steps) = campaign(
        conn,
        "abandoned_cart",
        "Cart reminders",
        &[
            "Hi {{ first_name }}, you left something in your cart: {{ cart_url }}",
            "Still thinking it over? Your cart is waiting: {{ cart_url }}",
            "Last call, {{ first_name }}: 10% off with {{ discount_code }} {{ cart_url }}",
        ],
    );
    let (shipped_campaign, shipped_steps) = campaign(
        conn,
        "order_shipped",
        "Shipped",
        &["Hi {{ first_name }}, your order is on its way: {{ tracking_url }}"],
    );
    Store {
        id: store_id,
        name,
        number_id: claimed.id,
        number: number.to_owned(),
        area_code,
        link_base: format!("{public_base_url}/r/"),
        cart_campaign,
        cart_steps,
        shipped_campaign,
        shipped_step: shipped_steps[0],
    }
}

/// What differs between the two databases' SQL.
struct Sql {
    backend: Backend,
    /// The seeding's present, to whole seconds (as SQLite's datetime() writes times).
    now: String,
}

impl Sql {
    /// `WITH` a one-column series `name(column)` of 1..=upto, for a statement to follow.
    fn with_series(&self, name: &str, column: &str, upto: i64) -> String {
        match self.backend {
            Backend::Sqlite => format!(
                "WITH RECURSIVE {name}({column}) AS (SELECT 1 UNION ALL \
                 SELECT {column} + 1 FROM {name} WHERE {column} < {upto})"
            ),
            Backend::Postgres => {
                format!("WITH {name}({column}) AS (SELECT generate_series(1::BIGINT, {upto}))")
            }
        }
    }

    /// The time `seconds` (an integer expression) before now.
    fn ago(&self, seconds: &str) -> String {
        match self.backend {
            Backend::Sqlite => {
                format!("datetime('{}', '-' || ({seconds}) || ' seconds')", self.now)
            }
            Backend::Postgres => {
                format!(
                    "(TIMESTAMP '{}' - ({seconds}) * INTERVAL '1 second')",
                    self.now
                )
            }
        }
    }
}

/// A pseudo-random number in 0..2^31-1 from an integer expression; different multipliers
/// give unrelated draws for the same `x`.
fn draw(x: &str, multiplier: u64) -> String {
    format!("(({x}) * {multiplier} % 2147483647)")
}

/// Per thread `n` (1-based within its store), SQL expressions over a column `n`.
mod thread {
    use super::{HISTORY_DAYS, PER_THREAD, draw};

    pub fn messages() -> String {
        let arms: String = PER_THREAD
            .iter()
            .enumerate()
            .map(|(i, count)| format!(" WHEN {i} THEN {count}"))
            .collect();
        format!("(CASE ((n - 1) % 10 + (n - 1) / 10) % 10{arms} END)")
    }

    /// Seconds before now of the last message: squared, so recent activity is denser (about
    /// 7% of threads in the last day, half in the last 45 days).
    pub fn last_ago() -> String {
        let fraction = format!("({} % 1000000 / 1000000.0)", draw("n", 1_103_515_245));
        format!(
            "CAST({fraction} * {fraction} * {} AS BIGINT)",
            HISTORY_DAYS * 86_400
        )
    }

    /// Seconds between the thread's messages: a minute to four hours.
    pub fn gap() -> String {
        format!("(60 + {} % 14400)", draw("n", 1_664_525))
    }

    /// Seconds before now of message `k`.
    pub fn message_ago(k: &str) -> String {
        format!("({} + ({} - {k}) * {})", last_ago(), messages(), gap())
    }

    /// About 2% of customers texted STOP (the second-last message; the last confirms it).
    pub fn opted_out() -> String {
        format!(
            "({} % 100 < 2 AND {} >= 2)",
            draw("n", 22_695_477),
            messages()
        )
    }

    /// About 15%: the customer's text is the latest (and, for two thirds of them, unread).
    pub fn awaiting() -> String {
        format!(
            "(NOT {} AND {} % 100 < 15)",
            opted_out(),
            draw("n", 134_775_813)
        )
    }

    pub fn unread() -> String {
        format!("({} AND {} % 3 < 2)", awaiting(), draw("n", 214_013))
    }

    pub fn closed() -> String {
        format!(
            "(NOT {} AND {} % 100 < 5)",
            awaiting(),
            draw("n", 1_140_671_485)
        )
    }

    /// One in ten conversations began with the customer texting the store.
    pub fn customer_first() -> String {
        format!("({} % 10 = 0)", draw("n", 16_807))
    }
}

/// The store's contacts, threads, messages and consent audit; returns its first thread's id.
fn seed_store(conn: &mut DbConn, sql: &Sql, store: &Store, threads: i64) -> i64 {
    use textback_api::db::schema::{contacts, threads as threads_table};
    let max = |conn: &mut DbConn, table: &str| -> i64 {
        let id: Option<i64> = match table {
            "contacts" => contacts::table
                .select(diesel::dsl::max(contacts::id))
                .first(conn),
            _ => threads_table::table
                .select(diesel::dsl::max(threads_table::id))
                .first(conn),
        }
        .expect("max id");
        id.unwrap_or(0)
    };
    // Explicit ids, so that a thread's number `n` is known from its id (and its contact's).
    let contact_base = max(conn, "contacts");
    let thread_base = max(conn, "threads");
    let run = |conn: &mut DbConn, what: &str, statement: String| {
        diesel::sql_query(&statement)
            .execute(conn)
            .unwrap_or_else(|e| panic!("seeding {what}: {e}\n{statement}"));
    };
    run(
        conn,
        "contacts",
        contacts_sql(sql, store, contact_base, threads),
    );
    run(
        conn,
        "threads",
        format!(
            "{} INSERT INTO threads (id, store_id, contact_id, last_message_at, \
             last_message_preview, unread_count, created_at, closed_at) \
             SELECT {thread_base} + n, {store}, {contact_base} + n, {last}, '', 0, {first}, \
             CASE WHEN {closed} THEN {last} END FROM s",
            sql.with_series("s", "n", threads),
            store = store.id,
            last = sql.ago(&thread::last_ago()),
            first = sql.ago(&thread::message_ago("1")),
            closed = thread::closed(),
        ),
    );
    run(conn, "messages", messages_sql(sql, store, thread_base));
    if sql.backend == Backend::Postgres {
        // The statements below join a million new rows: without statistics, PostgreSQL
        // plans them as if the tables were small (nested loops over the whole table).
        run(
            conn,
            "statistics",
            "ANALYZE contacts, threads, messages".into(),
        );
    }
    // The thread's summary from its messages, as recording each one leaves it.
    run(
        conn,
        "thread summaries",
        format!(
            "UPDATE threads SET last_message_at = a.last_at, \
             last_message_preview = SUBSTR(m.body, 1, 140) \
             FROM (SELECT thread_id, MAX(id) AS last_id, MAX(created_at) AS last_at \
             FROM messages WHERE store_id = {store} GROUP BY thread_id) a \
             JOIN messages m ON m.id = a.last_id WHERE threads.id = a.thread_id",
            store = store.id
        ),
    );
    // Awaiting an answer since the customer's first text that no person's reply came after
    // (a keyword's confirmation answers only the keyword), as migration 17 fills it in.
    run(
        conn,
        "awaiting replies",
        format!(
            "UPDATE threads SET awaiting_reply_since = (\
             SELECT MIN(i.created_at) FROM messages i \
             WHERE i.thread_id = threads.id AND i.direction = 'inbound' AND NOT EXISTS (\
             SELECT 1 FROM messages a WHERE a.thread_id = threads.id \
             AND a.direction = 'outbound' AND ((a.kind = 'manual' AND a.created_at >= i.created_at) \
             OR (a.kind = 'system' AND a.created_at = i.created_at)))) \
             WHERE store_id = {store} AND closed_at IS NULL",
            store = store.id
        ),
    );
    // Unread: the customer's texts since the store's last one, where the merchant has not
    // opened the thread since.
    run(
        conn,
        "unread counts",
        format!(
            "UPDATE threads SET unread_count = a.unread FROM (\
             SELECT thread_id, thread_id - {thread_base} AS n, unread FROM (\
             SELECT m.thread_id, COUNT(*) AS unread FROM messages m JOIN (\
             SELECT thread_id, MAX(CASE WHEN direction = 'outbound' THEN id ELSE 0 END) AS last_out \
             FROM messages WHERE store_id = {store} GROUP BY thread_id) o \
             ON o.thread_id = m.thread_id \
             WHERE m.direction = 'inbound' AND m.id > o.last_out GROUP BY m.thread_id) b) a \
             WHERE threads.id = a.thread_id AND {unread}",
            store = store.id,
            unread = thread::unread(),
        ),
    );
    run(
        conn,
        "consent audit",
        format!(
            "INSERT INTO consent_events (store_id, contact_id, status, source, occurred_at, \
             recorded_at, event_id, note) \
             SELECT store_id, id, sms_consent, consent_source, consent_at, consent_at, NULL, \
             CASE WHEN opted_out_at IS NOT NULL THEN 'texted \u{201c}STOP\u{201d}' END \
             FROM contacts WHERE store_id = {} AND consent_source IS NOT NULL",
            store.id
        ),
    );
    if sql.backend == Backend::Postgres {
        // Explicit ids leave the sequences behind; the app's next insert must not collide.
        for table in ["contacts", "threads"] {
            run(
                conn,
                "sequences",
                format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     (SELECT MAX(id) FROM {table}))"
                ),
            );
        }
    }
    thread_base + 1
}

fn contacts_sql(sql: &Sql, store: &Store, contact_base: i64, threads: i64) -> String {
    let pick = |names: &[&str], multiplier: u64| {
        let arms: String = names
            .iter()
            .enumerate()
            .map(|(i, name)| format!(" WHEN {i} THEN '{name}'"))
            .collect();
        format!("CASE {} % {}{arms} END", draw("n", multiplier), names.len())
    };
    let named = format!("{} % 100 < 85", draw("n", 69_069));
    let stop_at = sql.ago(&thread::message_ago(&format!(
        "({} - 1)",
        thread::messages()
    )));
    let created = sql.ago(&format!("({} + 3600)", thread::message_ago("1")));
    let with_email = format!("{} % 100 < 80", draw("n", 1_812_433_253));
    let granted = format!("{} % 100 < 70", draw("n", 47_594_118));
    format!(
        "{series} INSERT INTO contacts (id, store_id, phone, phone_raw, textable, \
         not_textable_reason, external_id, email, first_name, last_name, sms_consent, \
         consent_source, consent_at, opted_out_at, created_at, updated_at) \
         SELECT {contact_base} + n, {store}, phone, phone, TRUE, NULL, \
         CASE WHEN first_name IS NOT NULL THEN 'cust-' || CAST(n AS TEXT) END, \
         CASE WHEN first_name IS NOT NULL AND {with_email} THEN \
         LOWER(first_name) || '.' || LOWER(last_name) || CAST(n AS TEXT) || '@example.com' END, \
         first_name, last_name, \
         CASE WHEN opted_out THEN 'denied' WHEN granted THEN 'granted' ELSE 'unknown' END, \
         CASE WHEN opted_out THEN 'keyword' WHEN granted THEN 'checkout' END, \
         CASE WHEN opted_out THEN stop_at WHEN granted THEN created END, \
         CASE WHEN opted_out THEN stop_at END, created, \
         CASE WHEN opted_out THEN stop_at ELSE created END \
         FROM (SELECT n, '+1{area}' || CAST(2000000 + n AS TEXT) AS phone, \
         CASE WHEN {named} THEN {first} END AS first_name, \
         CASE WHEN {named} THEN {last} END AS last_name, \
         {opted_out} AS opted_out, {granted} AS granted, {stop_at} AS stop_at, \
         {created} AS created FROM s) c",
        series = sql.with_series("s", "n", threads),
        store = store.id,
        area = store.area_code,
        first = pick(&FIRST_NAMES, 1_566_083_941),
        last = pick(&LAST_NAMES, 1_597_334_677),
        opted_out = thread::opted_out(),
    )
}

/// Every message of the store's threads, in time order (so ids follow time, as they do when
/// the app records them one by one).
fn messages_sql(sql: &Sql, store: &Store, thread_base: i64) -> String {
    let quote = |s: &str| s.replace('\'', "''");
    let cases = |texts: &[&str], x: &str, multiplier: u64| {
        let arms: String = texts
            .iter()
            .enumerate()
            .map(|(i, text)| format!(" WHEN {i} THEN '{}'", quote(text)))
            .collect();
        format!("CASE {} % {}{arms} END", draw(x, multiplier), texts.len())
    };
    // Draws per message: `n * 64 + k` is unique while threads have at most 63 messages.
    let nk = "n * 64 + k";
    let max_messages = PER_THREAD.iter().max().copied().unwrap_or(1);
    let roll = format!("{} % 100", draw(nk, 48_271));
    let kind = format!(
        "CASE WHEN {opted_out} AND k = cnt THEN 'system' \
         WHEN {opted_out} AND k = cnt - 1 THEN 'stop' \
         WHEN k = cnt AND {awaiting} THEN 'customer' \
         WHEN k = 1 THEN CASE WHEN {customer_first} THEN 'customer' ELSE 'automated' END \
         WHEN k = cnt THEN CASE WHEN {roll} < 70 THEN 'manual' ELSE 'automated' END \
         WHEN {roll} < 45 THEN 'customer' WHEN {roll} < 80 THEN 'manual' ELSE 'automated' END",
        opted_out = thread::opted_out(),
        awaiting = thread::awaiting(),
        customer_first = thread::customer_first(),
    );
    let cart = format!("{} % 10 < 7", draw(nk, 39_916_801));
    let step_arms: String = store
        .cart_steps
        .iter()
        .enumerate()
        .map(|(i, id)| format!(" WHEN {i} THEN {id}"))
        .collect();
    let cart_step = format!(
        "CASE {} % {}{step_arms} END",
        draw(nk, 69_621),
        store.cart_steps.len()
    );
    let greeting = "COALESCE(first_name, 'there')";
    let link = format!(
        "'{}' || CAST(thread_id AS TEXT) || 'k' || CAST(k AS TEXT)",
        quote(&store.link_base)
    );
    let name = quote(&store.name);
    let body = format!(
        "CASE kind \
         WHEN 'stop' THEN 'STOP' \
         WHEN 'customer' THEN {customer} \
         WHEN 'manual' THEN 'Hi ' || {greeting} || {manual} \
         WHEN 'system' THEN '{name}: You''re unsubscribed and will receive no more messages. \
         Reply START to resubscribe.' \
         ELSE CASE WHEN cart THEN '{name}: Hi ' || {greeting} || ', you left something in your \
         cart: ' || {link} || ' Reply STOP to opt out.' \
         ELSE '{name}: Hi ' || {greeting} || ', your order is on its way: ' || {link} END END",
        customer = cases(&CUSTOMER_TEXTS, nk, 1_013_904_223),
        manual = cases(&MANUAL_REPLIES, nk, 1_103_515_245),
    );
    let roll = format!("{} % 100", draw(nk, 134_775_813));
    let status = format!(
        "CASE WHEN kind IN ('customer', 'stop') THEN 'received' \
         WHEN {roll} < 90 THEN 'delivered' WHEN {roll} < 95 THEN 'sent' \
         WHEN {roll} < 98 THEN 'failed' ELSE 'undelivered' END"
    );
    format!(
        "{series} INSERT INTO messages (store_id, thread_id, contact_id, phone_number_id, \
         direction, kind, body, status, error_code, segments, from_number, to_number, \
         provider_sid, scheduled_for, created_at, updated_at, campaign_id, step_id, marketing, \
         sent_at, delivered_at) \
         SELECT {store}, thread_id, contact_id, {number_id}, direction, \
         CASE WHEN kind = 'stop' THEN 'customer' ELSE kind END, body, status, \
         CASE status WHEN 'failed' THEN 30006 WHEN 'undelivered' THEN 30003 END, \
         CASE WHEN LENGTH(body) > 160 THEN 2 ELSE 1 END, \
         CASE WHEN direction = 'inbound' THEN phone ELSE '{number}' END, \
         CASE WHEN direction = 'inbound' THEN '{number}' ELSE phone END, \
         'SM' || CAST(thread_id AS TEXT) || 'x' || CAST(k AS TEXT), \
         CASE WHEN direction = 'outbound' THEN at END, at, at, \
         CASE WHEN kind = 'automated' THEN CASE WHEN cart THEN {cart_campaign} ELSE {shipped_campaign} END END, \
         CASE WHEN kind = 'automated' THEN CASE WHEN cart THEN {cart_step} ELSE {shipped_step} END END, \
         kind = 'automated' AND cart, \
         CASE WHEN direction = 'outbound' THEN at END, \
         CASE WHEN status = 'delivered' THEN at END \
         FROM (SELECT y.*, {body} AS body, {status} AS status, \
         CASE WHEN kind IN ('customer', 'stop') THEN 'inbound' ELSE 'outbound' END AS direction \
         FROM (SELECT x.*, k, {kind} AS kind, {at} AS at, {cart} AS cart \
         FROM (SELECT w.*, {count} AS cnt FROM (\
         SELECT t.id AS thread_id, t.contact_id, t.id - {thread_base} AS n, c.phone, c.first_name \
         FROM threads t JOIN contacts c ON c.id = t.contact_id WHERE t.store_id = {store}) w) x \
         JOIN ks ON k <= cnt) y) z \
         ORDER BY at, thread_id, k",
        series = sql.with_series("ks", "k", max_messages),
        store = store.id,
        number_id = store.number_id,
        number = store.number,
        cart_campaign = store.cart_campaign,
        shipped_campaign = store.shipped_campaign,
        shipped_step = store.shipped_step,
        count = thread::messages(),
        at = sql.ago(&thread::message_ago("k")),
    )
}

fn print_report(report: &Report) {
    let name = match report.backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!("\n{name}");
    let seeded = &report.seeded;
    println!(
        "  seeded in {:.1} s (both stores, set-based; then {}): {} threads ({} unread, {} \
         awaiting a reply, {} opted out), {} messages",
        seeded.elapsed.as_secs_f64(),
        match report.backend {
            Backend::Sqlite => "a WAL checkpoint",
            Backend::Postgres => "VACUUM ANALYZE",
        },
        seeded.threads,
        seeded.unread,
        seeded.awaiting_reply,
        seeded.opted_out,
        seeded.messages,
    );
    println!(
        "  results summed (the first roll-up of all that history) in {:.1} s",
        report.rolled_up.as_secs_f64()
    );
    println!(
        "  {:<36} {:>8} {:>10} {:>10} {:>10}  {:<17} {:>6}",
        "", "requests", "per second", "p50", "p99", "target", "errors"
    );
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    for (label, target, run) in &report.lines {
        let target = target.map_or_else(String::new, |target| {
            let verdict = if run.percentile(0.99) < target {
                "PASS"
            } else {
                "MISS"
            };
            format!("p99 < {} ms {verdict}", target.as_millis())
        });
        println!(
            "  {label:<36} {:>8} {:>10.0} {:>10} {:>10}  {target:<17} {:>6}",
            run.latencies.len(),
            run.rate(),
            ms(run.percentile(0.50)),
            ms(run.percentile(0.99)),
            run.errors.len()
        );
    }
    println!("  load average {} at the end", report.load_after);
    let failing: Vec<_> = report
        .lines
        .iter()
        .flat_map(|(_, _, run)| run.errors.iter().take(2))
        .collect();
    if !failing.is_empty() {
        println!("  first errors (TEST_LOG=1 logs their causes):");
        for error in failing {
            println!("    {}", error.chars().take(300).collect::<String>());
        }
    }
}
