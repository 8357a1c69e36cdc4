//! Load benchmark (`make bench`): wrk against a real `textback serve` (release build), 32
//! connections for 30 s, a store's team reading the inbox and replying while its platform
//! posts cart events (tests/harness/load.lua: 40% thread lists, 20% conversations, 30% events,
//! 10% replies), over 1,000 threads. Throughput, p50/p99 over all requests, errors (must be
//! none) and the server's peak memory. SQLite always; PostgreSQL too when
//! `TEST_DATABASE_URL` is set. Fails only when a request fails.

use std::time::Duration;

use textback_tests::Backend;
use textback_tests::load::{self, LoadPlan, LoadReport};

const PLAN: LoadPlan = LoadPlan {
    duration: Duration::from_secs(30),
    connections: 32,
    threads: 2,
    customers: 1_000,
};

#[tokio::main]
async fn main() {
    let postgres = std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("Load benchmark (wrk)");
    println!(
        "  machine: {cores} cores (wrk and the server share them), load average {} at start; \
         server: {}",
        load.split_whitespace().next().unwrap_or("unknown"),
        textback_tests::textback_bin().display()
    );
    println!(
        "  {} connections, {} s, {} threads; per 10 requests: 4 thread lists, 2 conversations, \
         3 cart events, 1 reply",
        PLAN.connections,
        PLAN.duration.as_secs(),
        PLAN.customers
    );
    let mut backends = vec![Backend::Sqlite];
    if postgres {
        backends.push(Backend::Postgres);
    } else {
        println!("  PostgreSQL: skipped (set TEST_DATABASE_URL to bench it too)");
    }
    println!(
        "\n  {:<11} {:>9} {:>9} {:>9} {:>9} {:>7} {:>12}",
        "database", "requests", "req/s", "p50 ms", "p99 ms", "errors", "peak memory"
    );
    let mut failed = false;
    for backend in backends {
        let run = load::run(backend, PLAN).await;
        print_row(backend, &run.report);
        if run.report.errors() > 0 {
            failed = true;
            eprintln!(
                "  {} errors; first: {}",
                run.report.errors(),
                run.report
                    .first_failure
                    .as_deref()
                    .unwrap_or("a socket error")
            );
        }
    }
    if failed {
        eprintln!("FAILED: some requests failed (see above)");
        std::process::exit(1);
    }
}

fn print_row(backend: Backend, report: &LoadReport) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "  {:<11} {:>9} {:>9.0} {:>9.1} {:>9.1} {:>7} {:>8.0} MiB",
        match backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        },
        report.requests,
        report.per_second(),
        ms(report.p50),
        ms(report.p99),
        report.errors(),
        report.peak_memory_kib as f64 / 1024.0
    );
}
