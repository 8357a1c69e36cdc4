//! A short HTTP load with wrk against a real `textback serve` (the mix of `make bench`'s load
//! run: inbox reads, cart events and replies at once), as a smoke: no timing is asserted.
//! Every request is answered without error, every event taken is stored once, every reply
//! taken is sent once, and the server still stops cleanly.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use textback_api::db::schema::messages;
use textback_tests::load::{self, LoadPlan};
use textback_tests::{Backend, fixtures, on_both_backends};

on_both_backends!(a_mixed_load_is_served_without_errors_and_nothing_is_lost_or_doubled);

const PLAN: LoadPlan = LoadPlan {
    duration: Duration::from_secs(3),
    connections: 4,
    threads: 2,
    customers: 40,
};

async fn a_mixed_load_is_served_without_errors_and_nothing_is_lost_or_doubled(backend: Backend) {
    let run = load::run(backend, PLAN).await;
    let report = &run.report;
    println!("{report:#?}");
    assert_eq!(report.errors(), 0, "{report:#?}");
    for (kind, sent) in [
        ("thread lists", report.sent_lists),
        ("conversations", report.sent_conversations),
        ("events", report.sent_events),
        ("replies", report.sent_replies),
    ] {
        assert!(sent > 0, "no {kind} were sent: {report:#?}");
    }
    assert!(
        report.peak_memory_kib > 0,
        "the server's memory was not read"
    );

    // A request in flight when wrk stopped may or may not have been taken; none twice.
    let in_flight = u64::from(PLAN.connections);
    let taken = |stored: i64, sent: u64| {
        let stored = u64::try_from(stored).unwrap();
        stored <= sent && stored + in_flight >= sent
    };
    let events = fixtures::event_count(&run.app, run.owner.store_id);
    assert!(
        taken(events, report.sent_events),
        "{events} events stored of {} sent",
        report.sent_events
    );

    // Every reply taken is sent by the server's dispatcher, once.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (replies, sent, providers) = loop {
        let mut conn = run.app.state.pool.get().unwrap();
        let replies = messages::table
            .filter(messages::store_id.eq(run.owner.store_id))
            .filter(messages::kind.eq("manual"));
        let counts: (i64, i64, i64) = (
            replies.count().get_result(&mut conn).unwrap(),
            replies
                .filter(messages::status.eq("delivered"))
                .count()
                .get_result(&mut conn)
                .unwrap(),
            {
                let mut sids: Vec<Option<String>> = replies
                    .select(messages::provider_sid)
                    .load(&mut conn)
                    .unwrap();
                sids.sort();
                sids.dedup();
                i64::try_from(sids.len()).unwrap()
            },
        );
        if counts.0 == counts.1 || Instant::now() > deadline {
            break counts;
        }
        drop(conn);
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        taken(replies, report.sent_replies),
        "{replies} replies stored of {} sent",
        report.sent_replies
    );
    assert_eq!(sent, replies, "replies not sent within 30 s");
    assert_eq!(providers, replies, "a reply was sent twice");

    run.server.terminate();
    let (status, output) = tokio::task::spawn_blocking(move || run.server.wait())
        .await
        .unwrap();
    assert!(status.success(), "{status:?}\n{output}");
}
