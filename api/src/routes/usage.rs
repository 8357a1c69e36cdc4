use actix_web::get;
use actix_web::web::{Data, Json, Query};
use textback_shared::numbers::{UsageDto, UsageQuery};

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::error::AppResult;
use crate::services::usage;

/// SMS use for a month (UTC): messages and segments each way, days with a number, and the
/// charges from the price list.
#[utoipa::path(tag = "numbers", params(UsageQuery), responses((status = 200, description = "The month's usage", body = UsageDto)))]
#[get("/usage")]
pub async fn get_usage(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    query: Query<UsageQuery>,
) -> AppResult<Json<UsageDto>> {
    let month = usage::parse_month(query.month.as_deref())?;
    Ok(Json(
        usage::for_month(&state, caller.store_id, month).await?,
    ))
}
