//! `textback demo`: a store that has been texting its customers for two months, so the
//! product can be seen at work on the first run: a login, a number, the four kinds of
//! campaign, customers, carts, orders, texts, clicks, conversations and opt-outs.
//!
//! It is made the way a real store's history is (see `simulation`), seeded, so every run
//! tells the same story relative to the day it runs; and only once: when the demo login
//! exists, nothing is made again.

mod catalog;
mod setup;
mod simulation;

use chrono::{Duration, Timelike};

pub use self::simulation::Summary;
use crate::app::AppState;
use crate::db;
use crate::error::AppResult;
use crate::sms::simulator::Simulator;

pub const EMAIL: &str = "demo@textback.example";
pub const PASSWORD: &str = "textback-demo";
pub const STORE_NAME: &str = "Juniper & Finch";
const SEED: u64 = 0x7e47_bac4;

/// How much history to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub contacts: usize,
    pub days: i64,
}

impl Size {
    /// What `textback demo` makes.
    pub const FULL: Size = Size {
        contacts: 300,
        days: 60,
    };
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Created(Summary),
    /// The demo login exists already: nothing was changed.
    AlreadyThere,
}

/// Makes the demo store unless it exists. `state` must send through `simulator` (whose
/// record of sent texts is what the simulated customers read).
pub async fn run(state: &AppState, simulator: &Simulator, size: Size) -> AppResult<Outcome> {
    let exists = db::run(&state.pool, |conn| {
        Ok(db::users::find_by_email(conn, EMAIL)?)
    })
    .await?;
    if exists.is_some() {
        return Ok(Outcome::AlreadyThere);
    }
    let end = db::now().with_nanosecond(0).unwrap_or_else(db::now);
    let start = (end - Duration::days(size.days))
        .date()
        .and_hms_opt(0, 0, 0)
        .unwrap_or(end);
    let store = setup::create(
        state,
        STORE_NAME,
        EMAIL,
        PASSWORD,
        start - Duration::days(1),
    )
    .await?;
    let state = quick_dispatch(state);
    let simulation =
        simulation::Simulation::new(&state, simulator, &store, SEED, size.contacts, (start, end));
    let summary = simulation.run().await?;
    // Its history lies in the past, where the minutely roll-up no longer looks.
    db::run(&state.pool, move |conn| {
        crate::services::stats::rebuild(conn, db::now())
    })
    .await?;
    Ok(Outcome::Created(summary))
}

/// The state with the number's send pacing relaxed: the simulated clock steps from one due
/// text to the next, and holding to one text a second would cost a pass per second of it.
fn quick_dispatch(state: &AppState) -> AppState {
    let mut state = state.clone();
    state.dispatch.send_interval = Duration::milliseconds(1);
    state.dispatch.batch_size = 500;
    state
}
