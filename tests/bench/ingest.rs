//! Ingestion benchmark (`make bench`): events per second through the real server, posted one
//! at a time and in batches, against the ceiling of plain single-row inserts into the same
//! database through the same pool. SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set.
//! Beside them, the same single events refused by validation: what a request costs before
//! anything is written, which no way of writing events can beat; and the batches again from
//! as many stores as clients, since one store's events apply one writer at a time.
//!
//! A missed target is reported, not failed: this is a measurement. A request that is not
//! answered as expected (2xx and accepted; 422 for the refused run) fails the run, since the
//! rates would then be wrong.

use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use serde_json::{Value, json};
use textback_api::db::DbPool;
use textback_tests::{Backend, TestApp};

/// Times each run is repeated; each row reports its median.
const ROUNDS: usize = 3;
/// Events (and raw rows) per run: a multiple of `CLIENTS * BATCH`, so every batch is full.
const EVENTS: usize = 12_000;
/// Concurrent clients (HTTP) and workers (raw inserts).
const CLIENTS: usize = 8;
/// A multiple of `CLIENTS`, so each customer's events all belong to one client and arrive in
/// order, as a platform delivers them; concurrent requests never race on one customer.
const CUSTOMERS: usize = 400;
const BATCH: usize = 100;
const SINGLE_TARGET: f64 = 0.40;
const BATCH_TARGET: f64 = 1.00;

/// Latencies and failures of one measured run, or of one worker's share of it.
#[derive(Default)]
struct Run {
    /// Rows or events stored by requests that succeeded.
    items: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    errors: Vec<String>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.items as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let rank = (sorted.len() as f64 * p).ceil() as usize;
        sorted.get(rank.max(1) - 1).copied().unwrap_or_default()
    }

    /// Times one request (or insert) that stores `items` when it succeeds.
    fn record(&mut self, started: Instant, items: usize, outcome: Result<(), String>) {
        self.latencies.push(started.elapsed());
        match outcome {
            Ok(()) => self.items += items,
            Err(e) => self.errors.push(e),
        }
    }

    /// The workers' shares together, timed from `started` until the last one finishes.
    async fn gather(started: Instant, workers: Vec<tokio::task::JoinHandle<Run>>) -> Run {
        let mut run = Run::default();
        for worker in workers {
            let share = worker.await.expect("worker");
            run.items += share.items;
            run.latencies.extend(share.latencies);
            run.errors.extend(share.errors);
        }
        run.elapsed = started.elapsed();
        run
    }
}

/// One kind of run, repeated.
struct Rounds {
    /// The round of median rate: the one the row reports.
    median: Run,
    /// The lowest and highest rates of all rounds: how much the machine swung.
    rates: (f64, f64),
    errors: Vec<String>,
}

impl Rounds {
    fn new(mut runs: Vec<Run>) -> Self {
        runs.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
        let rates = (runs[0].rate(), runs[runs.len() - 1].rate());
        let errors = runs
            .iter_mut()
            .flat_map(|run| run.errors.drain(..))
            .collect();
        let median = runs.swap_remove(runs.len() / 2);
        Self {
            median,
            rates,
            errors,
        }
    }

    fn rate(&self) -> f64 {
        self.median.rate()
    }
}

struct Report {
    backend: Backend,
    raw: Rounds,
    /// Single events refused by validation: the request's cost with nothing written, the
    /// most any way of writing events could reach.
    refused: Rounds,
    single: Rounds,
    batch: Rounds,
    /// The same batches, each client posting for a store of its own (as `CLIENTS` platforms).
    batch_by_store: Rounds,
}

impl Report {
    fn rounds(&self) -> [&Rounds; 5] {
        [
            &self.raw,
            &self.refused,
            &self.single,
            &self.batch,
            &self.batch_by_store,
        ]
    }
}

/// What every response of a run must be for the run to count.
#[derive(Clone, Copy)]
enum Expect {
    Accepted,
    Refused,
}

#[tokio::main]
async fn main() {
    let postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty());
    print_setup(postgres);
    let backends: &[Backend] = if postgres {
        &[Backend::Sqlite, Backend::Postgres]
    } else {
        &[Backend::Sqlite]
    };
    let started = Instant::now();
    let mut failed = false;
    for &backend in backends {
        let report = bench(backend).await;
        print_report(&report);
        failed |= report.rounds().iter().any(|run| !run.errors.is_empty());
    }
    println!("\nTotal {:.1} s", started.elapsed().as_secs_f64());
    if failed {
        eprintln!("FAILED: some requests or inserts did not succeed (see above)");
        std::process::exit(1);
    }
}

fn print_setup(postgres: bool) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let profile = if cfg!(debug_assertions) {
        "debug (unoptimised: not representative)"
    } else {
        "release (optimised)"
    };
    // Other work on the machine skews every rate; the load says how much to trust them.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("unknown");
    println!("Ingestion benchmark");
    println!("  machine: {cores} cores, load average {load} at start; build: {profile}");
    println!(
        "  {EVENTS} events per run, {CLIENTS} concurrent clients, {CUSTOMERS} customers, \
         ~{} bytes per event",
        event(0).to_string().len()
    );
    println!(
        "  server: sized as `textback serve` is: {} HTTP workers, a pool of {} connections \
         (shared by the raw inserts); events posted with an API key (`events` scope)",
        textback_api::app::served_workers(),
        textback_api::app::SERVED_POOL_SIZE
    );
    if !postgres {
        println!("  PostgreSQL: skipped (set TEST_DATABASE_URL to bench it too)");
    }
}

/// One fresh app per backend. The five runs are repeated `ROUNDS` times, interleaved, so a
/// passing change in the machine's state (a run lasts a second or two) touches every row
/// alike; each row reports its median round. Each HTTP run gets its own store, so every run
/// creates the same contacts, carts and orders from scratch.
async fn bench(backend: Backend) -> Report {
    let app = TestApp::spawn_as_served(backend).await;
    create_raw_table(&app);
    let mut rounds: [Vec<Run>; 5] = Default::default();
    for round in 0..ROUNDS {
        let run = |name: &str, stores: usize| Stores {
            email: format!("{name}-{round}"),
            count: stores,
        };
        rounds[0].push(raw_inserts(&app).await);
        rounds[1].push(post_events(&app, run("refused", 1), Expect::Refused, 1).await);
        rounds[2].push(post_events(&app, run("single", 1), Expect::Accepted, 1).await);
        rounds[3].push(post_events(&app, run("batch", 1), Expect::Accepted, BATCH).await);
        let by_store = run("batch-by-store", CLIENTS);
        rounds[4].push(post_events(&app, by_store, Expect::Accepted, BATCH).await);
    }
    let [raw, refused, single, batch, batch_by_store] = rounds.map(Rounds::new);
    Report {
        backend,
        raw,
        refused,
        single,
        batch,
        batch_by_store,
    }
}

/// The `i`th event (~1 KB): customers take turns, each sending three checkouts of a cart and
/// then the order that closes it (75% cart events, 25% orders).
fn event(i: usize) -> Value {
    let customer = i % CUSTOMERS;
    let step = i / CUSTOMERS;
    let cart = format!("cart-{customer}-{}", step / 4);
    let minutes = step * 5;
    let occurred_at = format!(
        "2026-06-01T{:02}:{:02}:00Z",
        10 + minutes / 60,
        minutes % 60
    );
    let mut event = json!({
        "id": format!("evt-{i}"), "type": "checkout.updated", "occurred_at": occurred_at,
        "customer": {"id": format!("cust-{customer}"), "phone": format!("+1 (415) 555-{customer:04}"),
            "email": format!("customer{customer}@example.com"), "first_name": "Ada", "last_name": "Lovelace",
            "sms_consent": {"status": "granted", "source": "checkout"}},
        "cart": {"id": cart, "total": "219.50", "currency": "USD", "line_items": line_items(),
            "recovery_url": format!("https://shop.example.com/cart/{cart}/recover?token=0123456789abcdef")}
    });
    if step % 4 == 3 {
        event["type"] = json!("order.placed");
        event.as_object_mut().map(|fields| fields.remove("cart"));
        event["order"] = json!({"id": format!("order-{customer}-{step}"), "number": format!("#{i}"),
            "total": "219.50", "currency": "USD", "cart_id": cart, "line_items": line_items()});
    }
    event
}

fn line_items() -> Value {
    json!([
        {"title": "Merino crew sweater", "variant": "Medium / Heather grey", "quantity": 1, "price": "89.00"},
        {"title": "Wool socks, three pairs", "variant": "Large / Charcoal", "quantity": 2, "price": "24.00"},
        {"title": "Waxed canvas tote", "variant": "Olive", "quantity": 1, "price": "65.00"},
        {"title": "Leather care balm", "variant": "100 ml", "quantity": 1, "price": "12.50"},
        {"title": "Gift wrapping", "variant": "Recycled paper", "quantity": 1, "price": "5.00"}
    ])
}

/// Client `k`'s events in order: every `CLIENTS`th one, starting at `k`. Refused ones lack
/// an id, which validation finds after checking everything else (phone, amounts, URL).
fn events_of_client(k: usize, expect: Expect) -> Vec<Value> {
    (k..EVENTS)
        .step_by(CLIENTS)
        .map(event)
        .map(|mut event| {
            if let Expect::Refused = expect {
                event["id"] = json!("");
            }
            event
        })
        .collect()
}

/// The new stores a run posts to: client `k` posts for store `k % count`.
struct Stores {
    /// Unique to the run; each store's owner signs up with it.
    email: String,
    count: usize,
}

/// Posts every event, `per_request` to a request, from `CLIENTS` concurrent clients, as new
/// stores' integrations (an API key with the `events` scope, as platforms post).
async fn post_events(app: &TestApp, stores: Stores, expect: Expect, per_request: usize) -> Run {
    let path = match per_request {
        1 => "/api/v1/events",
        _ => "/api/v1/events/batch",
    };
    let mut keys = Vec::new();
    for store in 0..stores.count {
        let owner = app
            .signup(&format!("{}-{store}@bench.example", stores.email))
            .await;
        keys.push(app.create_key(&owner, &["events"]).await.1);
    }
    // Bodies are serialized before the clock starts, as the raw inserts' payload is: the
    // run measures the server, not the client building JSON.
    let bodies: Vec<Vec<String>> = (0..CLIENTS)
        .map(|k| {
            events_of_client(k, expect)
                .chunks(per_request)
                .map(|chunk| match per_request {
                    1 => chunk[0].to_string(),
                    _ => json!({ "events": chunk }).to_string(),
                })
                .collect()
        })
        .collect();
    let started = Instant::now();
    let clients: Vec<_> = bodies
        .into_iter()
        .enumerate()
        .map(|(k, bodies)| {
            let key = keys[k % keys.len()].clone();
            let (http, url) = (app.http.clone(), app.url(path));
            tokio::spawn(post_in_turn(http, url, key, bodies, per_request, expect))
        })
        .collect();
    Run::gather(started, clients).await
}

async fn post_in_turn(
    http: reqwest::Client,
    url: String,
    key: String,
    bodies: Vec<String>,
    per_request: usize,
    expect: Expect,
) -> Run {
    let mut run = Run::default();
    for body in bodies {
        let started = Instant::now();
        let request = http
            .post(&url)
            .bearer_auth(&key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        let outcome = match request.send().await {
            Ok(response) => {
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                match expect {
                    Expect::Accepted => check(status, body),
                    Expect::Refused => refused(status, body),
                }
            }
            Err(e) => Err(e.to_string()),
        };
        run.record(started, per_request, outcome);
    }
    run
}

/// A 2xx whose every event was accepted (one event's result, or a batch's `results`).
fn check(status: reqwest::StatusCode, body: String) -> Result<(), String> {
    if !status.is_success() {
        return Err(format!("{status}: {body}"));
    }
    let answer: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
    let results = answer["results"]
        .as_array()
        .map_or_else(|| vec![answer.clone()], Clone::clone);
    match results.iter().find(|r| r["status"] != "accepted") {
        Some(result) => Err(format!("{status}, not accepted: {result}")),
        None => Ok(()),
    }
}

/// A 422 naming the missing id, and nothing else wrong.
fn refused(status: reqwest::StatusCode, body: String) -> Result<(), String> {
    let answer: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
    let fields: Vec<&Value> = answer["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| &e["field"]).collect())
        .unwrap_or_default();
    match status == reqwest::StatusCode::UNPROCESSABLE_ENTITY && fields == [&json!("id")] {
        true => Ok(()),
        false => Err(format!("{status}, not refused for its id alone: {body}")),
    }
}

fn create_raw_table(app: &TestApp) {
    let create = match app.backend {
        Backend::Sqlite => {
            "CREATE TABLE bench_raw (id INTEGER PRIMARY KEY AUTOINCREMENT, \
             payload TEXT NOT NULL, created_at TIMESTAMP NOT NULL)"
        }
        Backend::Postgres => {
            "CREATE TABLE bench_raw (id BIGSERIAL PRIMARY KEY, \
             payload TEXT NOT NULL, created_at TIMESTAMP NOT NULL)"
        }
    };
    let mut conn = app.state.pool.get().expect("connection");
    diesel::sql_query(create)
        .execute(&mut *conn)
        .expect("create bench_raw");
}

/// The ceiling: one autocommitted insert of an event-sized row per statement, from the same
/// number of concurrent workers, each insert on a connection checked out of the app's pool
/// (as the server checks one out per request).
async fn raw_inserts(app: &TestApp) -> Run {
    let payload = event(0).to_string();
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (pool, payload) = (app.state.pool.clone(), payload.clone());
            tokio::task::spawn_blocking(move || insert_rows(&pool, &payload, EVENTS / CLIENTS))
        })
        .collect();
    Run::gather(started, workers).await
}

fn insert_rows(pool: &DbPool, payload: &str, rows: usize) -> Run {
    let mut run = Run::default();
    for _ in 0..rows {
        let started = Instant::now();
        let inserted = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
            // `$1` is a numbered parameter to both SQLite and PostgreSQL.
            diesel::sql_query(
                "INSERT INTO bench_raw (payload, created_at) VALUES ($1, CURRENT_TIMESTAMP)",
            )
            .bind::<Text, _>(payload)
            .execute(&mut *conn)
            .map(drop)
            .map_err(|e| e.to_string())
        });
        run.record(started, 1, inserted);
    }
    run
}

fn print_report(report: &Report) {
    let name = match report.backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let ceiling = report.raw.rate();
    // The run's share of the raw ceiling, and whether it reaches (or, `strict`, exceeds) it.
    let versus = |run: &Rounds, target: f64, strict: bool| {
        let ratio = run.rate() / ceiling;
        let pass = if strict {
            ratio > target
        } else {
            ratio >= target
        };
        let verdict = if pass { "PASS" } else { "MISS" };
        let sign = if strict { ">" } else { ">=" };
        let percent = |x: f64| format!("{:.0}%", x * 100.0);
        (
            percent(ratio),
            format!("{sign} {} {verdict}", percent(target)),
        )
    };
    println!("\n{name}");
    println!(
        "  {:<26} {:>10} {:>15} {:>10} {:>10} {:>7}  {:<14} {:>6}",
        "", "per second", "rounds' range", "p50", "p99", "of raw", "target", "errors"
    );
    row(
        "raw inserts (rows)",
        &report.raw,
        (String::new(), String::new()),
    );
    row(
        "refused events (no write)",
        &report.refused,
        (versus(&report.refused, 0.0, false).0, String::new()),
    );
    row(
        "single events",
        &report.single,
        versus(&report.single, SINGLE_TARGET, false),
    );
    let label = format!("batches of {BATCH} (events)");
    row(
        &label,
        &report.batch,
        versus(&report.batch, BATCH_TARGET, true),
    );
    row(
        &format!("  the same, {CLIENTS} stores"),
        &report.batch_by_store,
        versus(&report.batch_by_store, BATCH_TARGET, true),
    );
    println!(
        "  per second, p50/p99: the median of {ROUNDS} rounds; p50/p99 per insert, per request, \
         per batch request"
    );
    println!(
        "  refused events: authenticated, read and validated, then refused for a missing id: \
         a request's cost before anything is written"
    );
    let runs = report.rounds();
    if runs.iter().any(|run| !run.errors.is_empty()) {
        println!("  rates count only what succeeded; first errors (TEST_LOG=1 logs their causes):");
    }
    for run in runs {
        for error in run.errors.iter().take(2) {
            println!("    {}", error.chars().take(300).collect::<String>());
        }
    }
}

fn row(label: &str, rounds: &Rounds, (of_raw, target): (String, String)) {
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    let range = format!("{:.0}-{:.0}", rounds.rates.0, rounds.rates.1);
    println!(
        "  {label:<26} {:>10.0} {range:>15} {:>10} {:>10} {of_raw:>7}  {target:<14} {:>6}",
        rounds.rate(),
        ms(rounds.median.percentile(0.50)),
        ms(rounds.median.percentile(0.99)),
        rounds.errors.len()
    );
}
