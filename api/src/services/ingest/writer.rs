//! Group commit for event ingestion.
//!
//! Requests hand their validated events to a writer thread, which takes everything waiting
//! (up to `MAX_GROUP_EVENTS`), applies it in one transaction and commits once. A commit is the
//! expensive part of a write (PostgreSQL flushes its log; SQLite has one writer at a time and
//! makes the others wait), so under load many requests share one, and on SQLite writers never
//! queue on the database lock. An idle writer commits a lone event at once: nothing waits for
//! a group to fill.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use textback_shared::events::EventOutcome;
use tokio::sync::oneshot;

use super::{Pending, StoreContext, apply};
use crate::db::{self, DbConn, DbPool};
use crate::error::{AppError, AppResult};

/// Events one commit may carry; a batch is never split, so a group may end a little larger.
const MAX_GROUP_EVENTS: usize = 1_000;

struct Job {
    store_id: i64,
    events: Vec<Pending>,
    reply: oneshot::Sender<AppResult<Vec<EventOutcome>>>,
}

/// The handle requests submit through; the writer threads stop when every handle is gone.
#[derive(Clone)]
pub struct IngestWriter {
    queue: Sender<Job>,
}

impl IngestWriter {
    /// Starts `writers` threads (one is right for SQLite, which writes one transaction at a
    /// time; PostgreSQL gains from a few).
    pub fn start(pool: DbPool, writers: usize) -> Self {
        let (queue, jobs) = mpsc::channel();
        let jobs = Arc::new(Mutex::new(jobs));
        for n in 0..writers.max(1) {
            let (pool, jobs) = (pool.clone(), Arc::clone(&jobs));
            let spawned = std::thread::Builder::new()
                .name(format!("ingest-writer-{n}"))
                .spawn(move || write_groups(&pool, &jobs));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start an ingestion writer");
            }
        }
        Self { queue }
    }

    /// Applies the store's events, in order, and answers once they are committed: one
    /// outcome per event.
    pub async fn submit(
        &self,
        store_id: i64,
        events: Vec<Pending>,
    ) -> AppResult<Vec<EventOutcome>> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            store_id,
            events,
            reply,
        };
        let stopped = || AppError::Unavailable("the ingestion writer stopped".into());
        self.queue.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn write_groups(pool: &DbPool, jobs: &Mutex<Receiver<Job>>) {
    while let Some(group) = next_group(jobs) {
        commit(pool, group);
    }
}

/// Waits for a job, then takes whatever else is already waiting. `None` once every handle
/// has been dropped.
fn next_group(jobs: &Mutex<Receiver<Job>>) -> Option<Vec<Job>> {
    // A writer that panicked while holding the lock left the queue itself intact.
    let jobs = jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let first = jobs.recv().ok()?;
    let mut size = first.events.len();
    let mut group = vec![first];
    while size < MAX_GROUP_EVENTS {
        let Ok(job) = jobs.try_recv() else { break };
        size += job.events.len();
        group.push(job);
    }
    Some(group)
}

fn commit(pool: &DbPool, group: Vec<Job>) {
    let (work, replies): (Vec<_>, Vec<_>) = group
        .into_iter()
        .map(|job| ((job.store_id, job.events), job.reply))
        .collect();
    let together = in_transaction(pool, |conn| {
        let mut stores = HashMap::new();
        work.iter()
            .map(|(store_id, events)| apply_job(conn, &mut stores, *store_id, events))
            .collect::<AppResult<Vec<_>>>()
    });
    match together {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                // The requester may have gone (client hung up); the events are stored anyway.
                let _ = reply.send(Ok(outcome));
            }
        }
        // Nothing was kept. Each job again on its own, so one failure fails only its request.
        Err(error) if replies.len() == 1 => {
            let _ = replies
                .into_iter()
                .next()
                .map(|reply| reply.send(Err(error)));
        }
        Err(_) => {
            for ((store_id, events), reply) in work.iter().zip(replies) {
                let alone = in_transaction(pool, |conn| {
                    apply_job(conn, &mut HashMap::new(), *store_id, events)
                });
                let _ = reply.send(alone);
            }
        }
    }
}

fn in_transaction<T>(pool: &DbPool, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
    let mut conn = pool.get()?;
    db::write_transaction(&mut conn, f)
}

fn apply_job(
    conn: &mut DbConn,
    stores: &mut HashMap<i64, StoreContext>,
    store_id: i64,
    events: &[Pending],
) -> AppResult<Vec<EventOutcome>> {
    let store = match stores.get(&store_id) {
        Some(store) => *store,
        None => *stores
            .entry(store_id)
            .or_insert(StoreContext::load(conn, store_id)?),
    };
    events
        .iter()
        .map(|pending| apply(conn, &store, pending))
        .collect()
}
