use actix_web::web::{Data, Json, Path, Query};
use actix_web::{HttpResponse, delete, get, post};
use textback_shared::Problem;
use textback_shared::numbers::{
    AvailableNumbersPage, AvailableNumbersQuery, PhoneNumberDto, PhoneNumbersResponse,
    ReserveNumberRequest,
};

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::error::AppResult;
use crate::services::numbers;

/// Numbers the store can reserve: by `area_code` or by `region` (state/province) in the US or
/// Canada; with neither, numbers in the store's own state first.
///
/// An area code without numbers is an empty list with a `hint` and `nearby_area_codes`, not an
/// error. Pass `next_cursor` back as `cursor` to load more (new numbers each time).
#[utoipa::path(
    tag = "numbers",
    params(AvailableNumbersQuery),
    responses((status = 200, description = "Numbers available now", body = AvailableNumbersPage))
)]
#[get("/numbers/available")]
pub async fn search_available_numbers(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    query: Query<AvailableNumbersQuery>,
) -> AppResult<Json<AvailableNumbersPage>> {
    Ok(Json(
        numbers::search(&state, caller.store_id, &query).await?,
    ))
}

/// Reserve a number: SMS is on for the store and its charges start.
///
/// A store has one number at a time: release the current one first to change (409 otherwise).
/// A number taken meanwhile is 409 too, and nothing is stored.
#[utoipa::path(
    tag = "numbers",
    request_body = ReserveNumberRequest,
    responses(
        (status = 201, description = "Reserved", body = PhoneNumberDto),
        (status = 409, description = "The store has a number already, this one was taken, or the provider would not reserve it (its reason is in `detail`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/numbers")]
pub async fn reserve_number(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    body: Json<ReserveNumberRequest>,
) -> AppResult<HttpResponse> {
    let reserved = numbers::reserve(
        &state,
        caller.store_id,
        caller.user_id(),
        &body.phone_number,
    )
    .await?;
    Ok(HttpResponse::Created().json(reserved))
}

/// The store's active number, if any, and the released ones with their dates.
#[utoipa::path(tag = "numbers", responses((status = 200, description = "The store's numbers", body = PhoneNumbersResponse)))]
#[get("/numbers")]
pub async fn list_numbers(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
) -> AppResult<Json<PhoneNumbersResponse>> {
    Ok(Json(numbers::list(&state, caller.store_id).await?))
}

/// Release the number. At once: every SMS campaign stops, nothing scheduled goes out, and
/// SMS charges stop as of today. The number is gone and may not come back. Releasing a
/// released number changes nothing.
#[utoipa::path(
    tag = "numbers",
    params(("id" = i64, Path, description = "The number's id")),
    responses((status = 204, description = "Released"))
)]
#[delete("/numbers/{id}")]
pub async fn release_number(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
) -> AppResult<HttpResponse> {
    numbers::release(&state, caller.store_id, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
