use actix_web::web::{Data, Json, Path, Query};
use actix_web::{HttpResponse, delete, get, patch, post};
use textback_shared::campaigns::{
    CampaignDto, CampaignStatsDto, CreateCampaignRequest, UpdateCampaignRequest,
};
use textback_shared::pagination::PageQuery;
use textback_shared::{Page, Problem};

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::db;
use crate::error::AppResult;
use crate::idempotency_key::{self, IdempotencyKey};
use crate::pagination::IdPage;
use crate::services::{campaign_stats, campaigns, idempotency};

/// The store's campaigns, newest first.
#[utoipa::path(tag = "campaigns", params(PageQuery), responses((status = 200, description = "A page of campaigns", body = Page<CampaignDto>)))]
#[get("/campaigns")]
pub async fn list_campaigns(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    query: Query<PageQuery>,
) -> AppResult<Json<Page<CampaignDto>>> {
    let page = IdPage::parse(&query)?;
    let store_id = caller.store_id;
    Ok(Json(
        db::run(&state.pool, move |conn| {
            campaigns::list(conn, store_id, page)
        })
        .await?,
    ))
}

/// Create a campaign, as a draft. `abandoned_cart`: 1 to 5 steps, each at least 15 minutes
/// after abandonment and later than the one before; order notifications: one message, delay 0;
/// `order_update` also names the order statuses it follows. Templates may use only the
/// variables of the campaign's kind: an unknown variable or bad syntax is a 422 naming the step.
/// With an `Idempotency-Key`, a retry within a day gets the first answer again
/// (`Idempotent-Replayed: true`) and creates nothing more.
#[utoipa::path(
    tag = "campaigns",
    params(IdempotencyKey),
    request_body = CreateCampaignRequest,
    responses((status = 201, description = "Created as a draft", body = CampaignDto))
)]
#[post("/campaigns")]
pub async fn create_campaign(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    key: IdempotencyKey,
    body: Json<CreateCampaignRequest>,
) -> AppResult<HttpResponse> {
    let (store_id, request) = (caller.store_id, body.into_inner());
    let fingerprint = idempotency::fingerprint("POST /api/v1/campaigns", &request)?;
    let answer = db::run(&state.pool, move |conn| {
        idempotency::once(conn, store_id, key.as_deref(), &fingerprint, 201, |conn| {
            campaigns::create(conn, store_id, &request)
        })
    })
    .await?;
    Ok(idempotency_key::respond(answer))
}

/// One campaign.
#[utoipa::path(tag = "campaigns", params(("id" = i64, Path, description = "The campaign's id")), responses((status = 200, description = "The campaign", body = CampaignDto)))]
#[get("/campaigns/{id}")]
pub async fn get_campaign(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    id: Path<i64>,
) -> AppResult<Json<CampaignDto>> {
    let (store_id, id) = (caller.store_id, id.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| campaigns::get(conn, store_id, id)).await?,
    ))
}

/// Change a campaign's name, steps or order statuses (the kind stays). Steps are matched to
/// the current ones by wording, else delay, else order: texts already scheduled for a step
/// kept go out with its new wording, moved by any change of its delay; a removed step's are
/// dropped, and a new step applies to carts abandoned from now on. An active `order_update`
/// campaign may not take a status another active one follows (409 `conflict`).
#[utoipa::path(
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign's id")),
    request_body = UpdateCampaignRequest,
    responses(
        (status = 200, description = "The campaign", body = CampaignDto),
        (status = 409, description = "Another active order-update campaign follows one of these statuses (`conflict`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/campaigns/{id}")]
pub async fn update_campaign(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
    body: Json<UpdateCampaignRequest>,
) -> AppResult<Json<CampaignDto>> {
    let (store_id, id, patch) = (caller.store_id, id.into_inner(), body.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            campaigns::update(conn, store_id, id, &patch)
        })
        .await?,
    ))
}

/// Delete a campaign.
#[utoipa::path(tag = "campaigns", params(("id" = i64, Path, description = "The campaign's id")), responses((status = 204, description = "Deleted")))]
#[delete("/campaigns/{id}")]
pub async fn delete_campaign(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
) -> AppResult<HttpResponse> {
    let (store_id, id) = (caller.store_id, id.into_inner());
    db::run(&state.pool, move |conn| {
        campaigns::delete(conn, store_id, id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Turn the campaign on (SMS charges apply). Without an active number: 409 with code
/// `number_required` — reserve a number first. While another campaign of the same kind is
/// active (for `order_update`, one following any of the same statuses): 409 `conflict`
/// naming it, since customers would get both texts — pause it first.
#[utoipa::path(
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses(
        (status = 200, description = "Active", body = CampaignDto),
        (status = 409, description = "The store needs a number first (`number_required`), or another active campaign sends the same texts (`conflict`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/campaigns/{id}/activate")]
pub async fn activate_campaign(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
) -> AppResult<Json<CampaignDto>> {
    let (store_id, id) = (caller.store_id, id.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            campaigns::activate(conn, store_id, id)
        })
        .await?,
    ))
}

/// Pause an active campaign.
#[utoipa::path(tag = "campaigns", params(("id" = i64, Path, description = "The campaign's id")), responses((status = 200, description = "Paused", body = CampaignDto)))]
#[post("/campaigns/{id}/pause")]
pub async fn pause_campaign(
    state: Data<AppState>,
    caller: Caller<scope::Write>,
    id: Path<i64>,
) -> AppResult<Json<CampaignDto>> {
    let (store_id, id) = (caller.store_id, id.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            campaigns::pause(conn, store_id, id)
        })
        .await?,
    ))
}

/// What the campaign achieved, in total and per step: texts scheduled, sent, delivered,
/// failed and cancelled; clicks, replies and opt-outs within 24 hours of a text; orders and
/// revenue credited to it (the last text clicked within 7 days before the order, else the
/// last one sent within 24 hours).
#[utoipa::path(
    tag = "campaigns",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "The campaign's results", body = CampaignStatsDto))
)]
#[get("/campaigns/{id}/stats")]
pub async fn get_campaign_stats(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    id: Path<i64>,
) -> AppResult<Json<CampaignStatsDto>> {
    let (store_id, id) = (caller.store_id, id.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            campaign_stats::stats(conn, store_id, id)
        })
        .await?,
    ))
}
