//! An HTTP load run with `wrk` against a real `textback serve` process: a store's team reads
//! the inbox and replies while its platform posts cart events (the mix is in `load.lua`).
//! `make bench` runs it at length (tests/bench/load.rs); the integration suite runs it for a
//! few seconds as a smoke (tests/api/load.rs) and checks that what was taken is stored once.

use std::process::Command;
use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;
use textback_api::db::schema::threads;

use crate::{Backend, ServerProcess, Session, TestApp};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/harness/load.lua");
const JWT_SECRET: &str = "load-run-secret-0123456789abcdef01234567";

/// How hard and how long to load the server.
#[derive(Debug, Clone, Copy)]
pub struct LoadPlan {
    pub duration: Duration,
    pub connections: u32,
    /// wrk's own threads (each drives `connections / threads` connections).
    pub threads: u32,
    /// Customers who texted the store first: the threads read and replied to.
    pub customers: u32,
}

/// What wrk measured, what it sent, and the server's peak memory.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub requests: u64,
    pub seconds: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// Connections refused, reset or timed out.
    pub socket_errors: u64,
    /// Answers of 400 or more.
    pub status_errors: u64,
    pub first_failure: Option<String>,
    /// Requests started, by kind (those in flight when the run ended included).
    pub sent_lists: u64,
    pub sent_conversations: u64,
    pub sent_events: u64,
    pub sent_replies: u64,
    /// The server process's peak resident memory (VmHWM).
    pub peak_memory_kib: u64,
}

impl LoadReport {
    pub fn errors(&self) -> u64 {
        self.socket_errors + self.status_errors
    }

    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds.max(f64::EPSILON)
    }
}

/// The store the load is made for, and the server process that took it (still running, so
/// its background work can be waited for).
pub struct LoadedStore {
    pub app: TestApp,
    pub owner: Session,
    pub server: ServerProcess,
    pub report: LoadReport,
}

/// Makes a store with a number and `plan.customers` threads, starts `textback serve` on its
/// database and loads it with wrk.
pub async fn run(backend: Backend, plan: LoadPlan) -> LoadedStore {
    let app = TestApp::spawn(backend).await;
    let owner = app.signup("owner@load.example").await;
    let store_number = app.reserve_any(&owner, 415).await["phone_number"]
        .as_str()
        .expect("reserved number")
        .to_owned();
    for customer in 0..plan.customers {
        let from = format!("+1415557{customer:04}");
        let sid = format!("SMload{customer:030}");
        let params = [
            ("MessageSid", sid.as_str()),
            ("AccountSid", crate::TWILIO_ACCOUNT_SID),
            ("From", from.as_str()),
            ("To", store_number.as_str()),
            ("Body", "Hi! Does the linen shirt run small?"),
        ];
        let response = app
            .post_twilio_webhook("/webhooks/twilio/sms", &params, None)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "inbound text {customer}");
    }
    let thread_ids: Vec<i64> = {
        let mut conn = app.state.pool.get().expect("connection");
        threads::table
            .filter(threads::store_id.eq(owner.store_id))
            .select(threads::id)
            .load(&mut conn)
            .expect("threads")
    };
    assert_eq!(thread_ids.len(), plan.customers as usize, "one thread each");
    let (_, key) = app.create_key(&owner, &["read", "write", "events"]).await;

    // One number answers every thread: unpaced (as a short code would be), or the replies
    // would queue behind the carriers' one text a second for a long code.
    let server = ServerProcess::start(
        &app,
        &[
            ("JWT_SECRET", JWT_SECRET),
            ("SMS_SENDS_PER_SECOND_PER_NUMBER", "1000"),
        ],
    );
    let ids = thread_ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let mut wrk = Command::new("wrk");
    wrk.arg(format!("--threads={}", plan.threads))
        .arg(format!("--connections={}", plan.connections))
        .arg(format!("--duration={}s", plan.duration.as_secs().max(1)))
        .arg("--timeout=10s")
        .arg(format!("--script={SCRIPT}"))
        .arg(&server.url)
        .args(["--", &key, &ids]);
    let output = tokio::task::spawn_blocking(move || wrk.output())
        .await
        .expect("wrk's thread")
        .unwrap_or_else(|e| {
            panic!("wrk did not run ({e}): install it with `scripts/install-tools.sh test`")
        });
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "wrk failed: {printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut report = parse(&printed);
    report.peak_memory_kib = server.peak_memory_kib().unwrap_or_default();
    LoadedStore {
        app,
        owner,
        server,
        report,
    }
}

/// Reads the `key value` lines load.lua's `done()` prints.
fn parse(printed: &str) -> LoadReport {
    let mut report = LoadReport::default();
    for line in printed.lines() {
        let Some((key, value)) = line.split_once(' ') else {
            continue;
        };
        if key == "first_failure" {
            report.first_failure.get_or_insert_with(|| value.to_owned());
            continue;
        }
        let Ok(n) = value.trim().parse::<u64>() else {
            continue;
        };
        match key {
            "requests" => report.requests = n,
            "duration_us" => report.seconds = n as f64 / 1e6,
            "p50_us" => report.p50 = Duration::from_micros(n),
            "p99_us" => report.p99 = Duration::from_micros(n),
            "socket_errors" => report.socket_errors = n,
            "status_errors" => report.status_errors = n,
            "sent_lists" => report.sent_lists = n,
            "sent_conversations" => report.sent_conversations = n,
            "sent_events" => report.sent_events = n,
            "sent_replies" => report.sent_replies = n,
            _ => {}
        }
    }
    assert!(report.requests > 0, "wrk printed no summary: {printed}");
    report
}
