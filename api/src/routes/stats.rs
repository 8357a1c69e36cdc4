use actix_web::get;
use actix_web::web::{Data, Json, Query};
use textback_shared::stats::{StatsDto, StatsQuery};

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::db;
use crate::error::AppResult;
use crate::services::stats;

/// What texts achieved over a period (days in the store's time zone; the last 30 by
/// default): messages, deliveries, clicks, replies, opt-outs, carts abandoned and recovered,
/// revenue recovered and SMS charges; in total, against the period before, over time (by day
/// or week) and per campaign. Figures are at most a minute behind.
#[utoipa::path(
    tag = "stats",
    params(StatsQuery),
    responses((status = 200, description = "The period's figures", body = StatsDto))
)]
#[get("/stats")]
pub async fn get_stats(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    query: Query<StatsQuery>,
) -> AppResult<Json<StatsDto>> {
    let (store_id, query) = (caller.store_id, query.into_inner());
    let prices = state.settings.prices.clone();
    Ok(Json(
        db::run(&state.pool, move |conn| {
            stats::report(conn, store_id, &query, &prices, db::now())
        })
        .await?,
    ))
}
