use actix_web::web::{Data, Json};
use actix_web::{get, patch};
use textback_shared::auth::{StoreDto, UpdateStoreRequest};

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::services::{accounts, stats};

/// The caller's store.
#[utoipa::path(tag = "account", responses((status = 200, description = "The store", body = StoreDto)))]
#[get("/store")]
pub async fn get_store(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
) -> AppResult<Json<StoreDto>> {
    let store_id = caller.store_id;
    let store = db::run(&state.pool, move |conn| {
        Ok(db::stores::find(conn, store_id)?)
    })
    .await?;
    Ok(Json(accounts::store_dto(&store)))
}

/// Change the store's name, where it is (numbers nearby are suggested first), or its own
/// limits on marketing texts: narrower sending hours and fewer texts per customer per day.
#[utoipa::path(tag = "account", request_body = UpdateStoreRequest, responses((status = 200, description = "The store", body = StoreDto)))]
#[patch("/store")]
pub async fn update_store(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    body: Json<UpdateStoreRequest>,
) -> AppResult<Json<StoreDto>> {
    let request = body.into_inner();
    AppError::check(request.validate())?;
    let store_id = caller.store_id;
    let store = db::run(&state.pool, move |conn| {
        let country = request.country.map(|c| c.code());
        let region = request
            .region
            .as_deref()
            .map(|r| r.trim().to_ascii_uppercase());
        let hours = request.sending_hours.map(|h| {
            let hour = |h: u32| i32::try_from(h).unwrap_or_default();
            (hour(h.start_hour), hour(h.end_hour))
        });
        let per_day = request
            .marketing_per_day
            .map(|n| i32::try_from(n).unwrap_or(2));
        db::write_transaction(conn, |conn| {
            let before = db::stores::find(conn, store_id)?;
            db::stores::update_limits(conn, store_id, hours, per_day)?;
            let after = db::stores::update(
                conn,
                store_id,
                request.name.as_deref().map(str::trim),
                country,
                region.as_deref(),
            )?;
            stats::store_moved(conn, &before, &after)?;
            Ok(after)
        })
    })
    .await?;
    Ok(Json(accounts::store_dto(&store)))
}
