//! Periodic work the server does on its own: detecting abandoned carts, rolling up results,
//! forgetting idempotency keys after a day and sessions once expired, and retrying provider
//! releases that failed. Each task is idempotent, so several servers may run them.

use std::future::Future;
use std::time::Duration;

use crate::app::AppState;
use crate::db;
use crate::error::AppResult;
use crate::services::{idempotency, ingest, numbers, stats};

pub fn spawn_all(state: &AppState) {
    every(
        Duration::from_secs(30),
        "abandoned-cart detection",
        state.clone(),
        |state| async move {
            let abandoned = db::run(&state.pool, |conn| {
                ingest::detect_abandonment(conn, db::now())
            })
            .await?;
            if abandoned > 0 {
                tracing::info!(abandoned, "carts abandoned");
            }
            Ok(())
        },
    );
    every(
        Duration::from_secs(60),
        "results roll-up",
        state.clone(),
        |state| async move { db::run(&state.pool, |conn| stats::roll_up(conn, db::now())).await },
    );
    every(
        Duration::from_secs(3600),
        "idempotency keys expiry",
        state.clone(),
        |state| async move {
            db::run(&state.pool, |conn| idempotency::expire(conn, db::now()))
                .await
                .map(drop)
        },
    );
    every(
        Duration::from_secs(3600),
        "expired sessions cleanup",
        state.clone(),
        |state| async move {
            db::run(&state.pool, |conn| {
                Ok(db::sessions::delete_expired(conn, db::now())?)
            })
            .await
            .map(drop)
        },
    );
    every(
        Duration::from_secs(60),
        "provider release retries",
        state.clone(),
        |state| async move { numbers::retry_pending_releases(&state).await.map(drop) },
    );
}

fn every<F, Fut>(period: Duration, name: &'static str, state: AppState, task: F)
where
    F: Fn(AppState) -> Fut + 'static,
    Fut: Future<Output = AppResult<()>> + 'static,
{
    actix_web::rt::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        loop {
            ticks.tick().await;
            if let Err(e) = task(state.clone()).await {
                tracing::warn!(task = name, error = %e, "background task failed; will retry");
            }
        }
    });
}
