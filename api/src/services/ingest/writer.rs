//! Group commit for event ingestion.
//!
//! Requests queue their validated events; a writer takes everything waiting (up to
//! `MAX_GROUP_EVENTS`), applies it in one transaction and commits once. A commit is the
//! expensive part of a write (PostgreSQL flushes its log; SQLite has one writer at a time and
//! makes the others wait), so under load many requests share one, and on SQLite writers never
//! queue on the database lock. An idle writer commits a lone event at once: nothing waits for
//! a group to fill.
//!
//! Writers take turns by store: while one applies a store's events, the others leave that
//! store's later jobs waiting. So on PostgreSQL two writers never read the same cart, order or
//! customer at once and write back what the other just changed (rows are read without locks),
//! a customer known only by email is never created twice, and a store's events still apply
//! in the order they came. Stores share no rows, so different stores' jobs go in parallel.
//!
//! Writers run on the server runtime's blocking pool, started by the first request that finds
//! fewer than the allowed number running and ending when the queue is empty. So nothing
//! outlives the runtime: no thread holds a connection while the process exits.

use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard};

use textback_shared::events::EventOutcome;
use tokio::sync::oneshot;

use super::{Pending, StoreContext, apply, sets};
use crate::db::{self, DbConn, DbPool};
use crate::error::{AppError, AppResult};

/// Events one commit may carry; a batch is never split, so a group may end a little larger.
/// Small enough that while one group commits the next requests are read and wait ready
/// (1,000 left the writer idle a quarter of the time under batches of 100).
const MAX_GROUP_EVENTS: usize = 300;

struct Job {
    store_id: i64,
    events: Vec<Pending>,
    reply: oneshot::Sender<AppResult<Vec<EventOutcome>>>,
}

#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    writers: usize,
    /// Stores whose events a writer is applying now.
    busy: HashSet<i64>,
}

/// The handle requests submit through.
#[derive(Clone)]
pub struct IngestWriter {
    pool: DbPool,
    max_writers: usize,
    queue: Arc<Mutex<Queue>>,
}

impl IngestWriter {
    /// At most `max_writers` commit at once (one is right for SQLite, which writes one
    /// transaction at a time; PostgreSQL gains from a few).
    pub fn new(pool: DbPool, max_writers: usize) -> Self {
        Self {
            pool,
            max_writers: max_writers.max(1),
            queue: Arc::default(),
        }
    }

    /// Applies the store's events, in order, and answers once they are committed: one
    /// outcome per event.
    pub async fn submit(
        &self,
        store_id: i64,
        events: Vec<Pending>,
    ) -> AppResult<Vec<EventOutcome>> {
        let (reply, answer) = oneshot::channel();
        let start_writer = {
            let mut queue = self.lock();
            queue.jobs.push(Job {
                store_id,
                events,
                reply,
            });
            let start = queue.writers < self.max_writers;
            queue.writers += usize::from(start);
            start
        };
        if start_writer {
            // The writer's whole loop runs on one blocking thread, so a group follows the
            // last at once, without a trip through the request thread between them.
            let writer = self.clone();
            tokio::task::spawn_blocking(move || writer.write_groups());
        }
        answer
            .await
            .map_err(|_| AppError::Unavailable("the ingestion writer stopped".into()))?
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A writer that panicked while holding the lock left the queue itself intact.
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write_groups(self) {
        let mut held = Vec::new();
        while let Some(group) = self.next_group(&held) {
            held = group.iter().map(|job| job.store_id).collect();
            if catch_unwind(AssertUnwindSafe(|| commit(&self.pool, group))).is_err() {
                // The group's requests learn it from their dropped reply channels; the
                // writer goes on with the next group.
                tracing::error!("an ingestion commit panicked");
            }
        }
    }

    /// Hands back the stores of the group just committed (`done`) and takes what is waiting
    /// for stores no other writer holds, up to a group's size; `None` (and this writer ends)
    /// when nothing is. Jobs left for a held store are taken by its writer's next group.
    fn next_group(&self, done: &[i64]) -> Option<Vec<Job>> {
        let mut queue = self.lock();
        for store_id in done {
            queue.busy.remove(store_id);
        }
        let waiting: Vec<(i64, usize)> = queue
            .jobs
            .iter()
            .map(|job| (job.store_id, job.events.len()))
            .collect();
        let take = takeable(&waiting, &queue.busy);
        if take.is_empty() {
            queue.writers -= 1;
            return None;
        }
        let (mut taken, mut left) = (Vec::new(), Vec::new());
        for (i, job) in std::mem::take(&mut queue.jobs).into_iter().enumerate() {
            match take.binary_search(&i) {
                Ok(_) => taken.push(job),
                Err(_) => left.push(job),
            }
        }
        queue.jobs = left;
        let stores: Vec<i64> = taken.iter().map(|job| job.store_id).collect();
        queue.busy.extend(stores);
        Some(taken)
    }
}

/// Of the waiting jobs, (store, events) in arrival order, the positions (ascending) of those
/// a writer takes next: jobs of stores not `busy`, until the group holds `MAX_GROUP_EVENTS`.
/// A batch is never split, so a group may end a little larger.
fn takeable(waiting: &[(i64, usize)], busy: &HashSet<i64>) -> Vec<usize> {
    let mut size = 0;
    waiting
        .iter()
        .enumerate()
        .filter(|(_, (store_id, _))| !busy.contains(store_id))
        .take_while(|(_, (_, events))| {
            let fits = size < MAX_GROUP_EVENTS;
            size += events;
            fits
        })
        .map(|(i, _)| i)
        .collect()
}

fn commit(pool: &DbPool, group: Vec<Job>) {
    let (work, replies): (Vec<_>, Vec<_>) = group
        .into_iter()
        .map(|job| ((job.store_id, job.events), job.reply))
        .collect();
    match in_transaction(pool, |conn| apply_sets(conn, &work)) {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                // The requester may have gone (client hung up); the events are stored anyway.
                let _ = reply.send(Ok(outcome));
            }
        }
        // Nothing was kept. Each job again on its own and event by event, so one failure
        // fails only its request, and a row another writer created meanwhile is simply
        // found (the event-by-event path handles that).
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

/// The group's events, store by store and in order, set by set (see `sets`); one outcome
/// list per job.
fn apply_sets(
    conn: &mut DbConn,
    work: &[(i64, Vec<Pending>)],
) -> AppResult<Vec<Vec<EventOutcome>>> {
    let mut outcomes: Vec<Vec<EventOutcome>> = work
        .iter()
        .map(|(_, events)| vec![EventOutcome::Duplicate; events.len()])
        .collect();
    let mut stores: Vec<i64> = work.iter().map(|(store_id, _)| *store_id).collect();
    stores.sort_unstable();
    stores.dedup();
    for store_id in stores {
        let store = StoreContext::load(conn, store_id)?;
        let (places, events): (Vec<(usize, usize)>, Vec<&Pending>) = work
            .iter()
            .enumerate()
            .filter(|(_, (id, _))| *id == store_id)
            .flat_map(|(job, (_, events))| {
                events
                    .iter()
                    .enumerate()
                    .map(move |(i, event)| ((job, i), event))
            })
            .unzip();
        let applied = sets::apply_all(conn, &store, &events, db::now())?;
        for ((job, i), outcome) in places.into_iter().zip(applied) {
            outcomes[job][i] = outcome;
        }
    }
    Ok(outcomes)
}

fn in_transaction<T>(pool: &DbPool, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
    let mut conn = pool.get()?;
    let result = db::write_transaction(&mut conn, f);
    if matches!(result, Err(AppError::Unavailable(_))) {
        db::discard_if_dead(&mut conn);
    }
    result
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
        .map(|pending| apply(conn, &store, pending, db::now()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_takes_no_job_of_a_store_another_writer_holds() {
        let (a, b, c) = (1, 2, 3);
        let waiting = [(a, 1), (b, 1), (a, 1), (c, 1)];
        assert_eq!(takeable(&waiting, &HashSet::new()), [0, 1, 2, 3]);
        assert_eq!(takeable(&waiting, &HashSet::from([a])), [1, 3]);
        assert!(takeable(&[(a, 1), (a, 5)], &HashSet::from([a])).is_empty());
    }

    #[test]
    fn a_group_stops_once_full_without_splitting_a_batch() {
        let waiting = [(1, MAX_GROUP_EVENTS - 1), (2, 500), (3, 1)];
        assert_eq!(takeable(&waiting, &HashSet::new()), [0, 1]);
    }
}
