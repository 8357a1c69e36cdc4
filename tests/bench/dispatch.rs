//! Dispatch benchmark (`make bench`): texts per second through the whole dispatcher (claim,
//! re-check, render, send through Twilio's REST API to a fake Twilio on loopback, record),
//! with 1 and 2 workers, against the ceiling of plain single-row updates in the same database.
//! SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set.
//!
//! The texts are order notifications (not held by quiet hours, so the run does not depend on
//! the hour), spread over many stores' numbers, with per-number pacing off so that it does not
//! bind, as a real fleet of stores would not.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Duration as TimeDelta;
use diesel::RunQueryDsl;
use diesel::sql_types::BigInt;
use serde_json::json;
use textback_api::db::{self, DbConn};
use textback_api::services::dispatch;
use textback_tests::{Backend, TestApp};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const STORES: usize = 250;
const TEXTS_PER_STORE: usize = 16;
const TEXTS: usize = STORES * TEXTS_PER_STORE;
const TARGET_PER_WORKER: f64 = 1_000.0;

/// Twilio's answer to a send, with a fresh SID each time (SIDs are unique in our table).
struct Accept(AtomicUsize);

impl Respond for Accept {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        ResponseTemplate::new(201).set_body_json(
            json!({"sid": format!("SM{n:032x}"), "status": "queued", "num_segments": "1"}),
        )
    }
}

struct Measured {
    texts: usize,
    elapsed: Duration,
}

impl Measured {
    fn rate(&self) -> f64 {
        self.texts as f64 / self.elapsed.as_secs_f64()
    }
}

#[tokio::main]
async fn main() {
    let postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("Dispatch benchmark");
    println!(
        "  machine: {cores} cores, load average {} at start; build: {}",
        load.split_whitespace().next().unwrap_or("unknown"),
        if cfg!(debug_assertions) {
            "debug (not representative)"
        } else {
            "release"
        }
    );
    println!(
        "  {TEXTS} order notifications over {STORES} stores' numbers per run; batches of 100; \
         Twilio REST on a loopback fake; per-number pacing off"
    );
    let mut backends = vec![Backend::Sqlite];
    if postgres {
        backends.push(Backend::Postgres);
    } else {
        println!("  PostgreSQL: skipped (set TEST_DATABASE_URL to bench it too)");
    }
    let mut failed = false;
    for backend in backends {
        let raw = raw_updates(backend).await;
        let one = dispatch_run(backend, 1).await;
        let two = dispatch_run(backend, 2).await;
        failed |= one.texts != TEXTS || two.texts != TEXTS;
        report(backend, &raw, &one, &two);
    }
    if failed {
        eprintln!("FAILED: not every text was sent (see above)");
        std::process::exit(1);
    }
}

fn report(backend: Backend, raw: &Measured, one: &Measured, two: &Measured) {
    let name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!("\n{name}");
    println!(
        "  {:<34} {:>10} {:>8} {:>8}  target",
        "", "per second", "time", "sent"
    );
    println!(
        "  {:<34} {:>10.0} {:>7.1}s {:>8}",
        "raw updates (rows, 1 connection)",
        raw.rate(),
        raw.elapsed.as_secs_f64(),
        raw.texts
    );
    for (workers, run) in [(1, one), (2, two)] {
        let per_worker = run.rate() / f64::from(workers);
        let verdict = if per_worker >= TARGET_PER_WORKER {
            "PASS"
        } else {
            "MISS"
        };
        println!(
            "  {:<34} {:>10.0} {:>7.1}s {:>8}  >= {TARGET_PER_WORKER:.0}/s per worker: {per_worker:.0} {verdict}",
            format!(
                "dispatch, {workers} worker{}",
                if workers == 1 { "" } else { "s" }
            ),
            run.rate(),
            run.elapsed.as_secs_f64(),
            run.texts
        );
    }
}

/// The ceiling: one autocommitted single-row update per statement, on one connection.
async fn raw_updates(backend: Backend) -> Measured {
    let app = TestApp::spawn(backend).await;
    let mut conn = app.state.pool.get().expect("connection");
    let key = match backend {
        Backend::Sqlite => "INTEGER PRIMARY KEY",
        Backend::Postgres => "BIGINT PRIMARY KEY",
    };
    diesel::sql_query(format!(
        "CREATE TABLE bench_rows (id {key}, status TEXT NOT NULL, updated_at TIMESTAMP)"
    ))
    .execute(&mut *conn)
    .expect("create");
    // The same statement on both databases: a recursive series, then the insert.
    diesel::sql_query(format!(
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < {TEXTS}) \
         INSERT INTO bench_rows (id, status) SELECT n, 'scheduled' FROM r"
    ))
    .execute(&mut *conn)
    .expect("fill");
    let started = Instant::now();
    for id in 1..=TEXTS as i64 {
        diesel::sql_query(
            "UPDATE bench_rows SET status = 'sent', updated_at = CURRENT_TIMESTAMP WHERE id = $1",
        )
        .bind::<BigInt, _>(id)
        .execute(&mut *conn)
        .expect("update");
    }
    Measured {
        texts: TEXTS,
        elapsed: started.elapsed(),
    }
}

/// A fresh app whose stores each have a number, an active notification campaign and due
/// texts; then `workers` dispatchers pass until nothing is due.
async fn dispatch_run(backend: Backend, workers: usize) -> Measured {
    let twilio = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Accept(AtomicUsize::new(0)))
        .mount(&twilio)
        .await;
    let app = TestApp::spawn_with_twilio(backend, &twilio.uri()).await;
    let now = db::now();
    {
        let mut conn = app.state.pool.get().expect("connection");
        db::write_transaction(&mut conn, |conn| {
            seed(conn, now);
            Ok(())
        })
        .expect("seed");
    }
    let mut state = app.state.clone();
    state.dispatch.send_interval = TimeDelta::zero();
    let started = Instant::now();
    let runs: Vec<_> = (0..workers)
        .map(|w| {
            let state = state.clone();
            tokio::spawn(async move {
                let mut sent = 0;
                loop {
                    let report = dispatch::run_pass(&state, &format!("bench-{w}"), now)
                        .await
                        .expect("pass");
                    sent += report.sent;
                    if report.claimed == 0 {
                        return sent;
                    }
                }
            })
        })
        .collect();
    let mut texts = 0;
    for run in runs {
        texts += run.await.expect("worker");
    }
    Measured {
        texts,
        elapsed: started.elapsed(),
    }
}

fn seed(conn: &mut DbConn, now: chrono::NaiveDateTime) {
    for s in 0..STORES {
        let store = db::stores::insert(conn, &format!("Bench store {s}"), now).expect("store");
        let number = format!("+1415{:07}", 1_000_000 + s);
        let reservation = db::phone_numbers::NewReservation {
            store_id: store.id,
            phone_number: &number,
            country: "US",
            region: Some("CA"),
            locality: None,
            reserved_by_user_id: None,
            now,
        };
        let claimed = db::phone_numbers::claim(conn, &reservation).expect("number");
        db::phone_numbers::activate(conn, claimed.id, &format!("PN{:032x}", s)).expect("active");
        let campaign = db::campaigns::insert(conn, store.id, "order_shipped", "Shipped", "[]", now)
            .expect("campaign");
        db::campaigns::replace_steps(
            conn,
            campaign.id,
            &[db::campaigns::NewStep {
                delay_minutes: 0,
                body: "Hi {{ first_name }}, your order is on its way.",
                discount_code: None,
            }],
        )
        .expect("step");
        db::campaigns::set_status(conn, campaign.id, "active", Some(now), now).expect("activate");
        let step = db::campaigns::steps_of(conn, &[campaign.id]).expect("steps")[0].id;
        for t in 0..TEXTS_PER_STORE {
            let phone = format!("+1212{:07}", 1_000_000 + s * TEXTS_PER_STORE + t);
            let contact = db::contacts::find_or_create_by_phone(conn, store.id, &phone, now)
                .expect("contact");
            let text = db::outbox::NewOutbox {
                store_id: store.id,
                campaign_id: Some(campaign.id),
                step_id: Some(step),
                message_id: None,
                contact_id: contact.id,
                cart_id: None,
                order_id: None,
                purpose: db::outbox::TRANSACTIONAL,
                due_at: now - TimeDelta::seconds(1),
                dedupe_key: format!("bench:{t}"),
            };
            db::outbox::schedule(conn, &text, now).expect("schedule");
        }
    }
}
