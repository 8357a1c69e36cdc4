//! Campaign definitions and their lifecycle: draft -> active <-> paused; a number release
//! moves active campaigns to stopped, and only the merchant can activate them again.

use chrono::NaiveDateTime;
use textback_shared::Page;
use textback_shared::campaigns::{
    self, CampaignDto, CampaignStatus, CampaignStep, CreateCampaignRequest, UpdateCampaignRequest,
};
use textback_shared::templates::CampaignKind;

use crate::db::outbox::Scope;
use crate::db::{self, DbConn, campaigns::CampaignRow};
use crate::error::{AppError, AppResult};
use crate::pagination::IdPage;

fn kind_of(row: &CampaignRow) -> CampaignKind {
    CampaignKind::ALL
        .into_iter()
        .find(|k| k.as_str() == row.kind)
        .unwrap_or(CampaignKind::AbandonedCart)
}

fn dto(row: CampaignRow, steps: &[db::campaigns::StepRow]) -> CampaignDto {
    CampaignDto {
        id: row.id,
        kind: kind_of(&row),
        status: CampaignStatus::parse(&row.status).unwrap_or(CampaignStatus::Draft),
        steps: steps
            .iter()
            .filter(|s| s.campaign_id == row.id)
            .map(|s| CampaignStep {
                delay_minutes: u32::try_from(s.delay_minutes).unwrap_or_default(),
                body: s.body.clone(),
                discount_code: s.discount_code.clone(),
            })
            .collect(),
        order_statuses: serde_json::from_str(&row.order_statuses).unwrap_or_default(),
        name: row.name,
        activated_at: row.activated_at.map(db::utc),
        created_at: db::utc(row.created_at),
        updated_at: db::utc(row.updated_at),
    }
}

fn save_steps(conn: &mut DbConn, campaign_id: i64, steps: &[CampaignStep]) -> AppResult<()> {
    let rows: Vec<db::campaigns::NewStep<'_>> = steps
        .iter()
        .map(|s| db::campaigns::NewStep {
            delay_minutes: i32::try_from(s.delay_minutes).unwrap_or(i32::MAX),
            body: &s.body,
            discount_code: s
                .discount_code
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty()),
        })
        .collect();
    Ok(db::campaigns::replace_steps(conn, campaign_id, &rows)?)
}

fn statuses_json(statuses: &[String]) -> String {
    serde_json::to_string(statuses).unwrap_or_else(|_| "[]".into())
}

pub fn get(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<CampaignDto> {
    let row =
        db::campaigns::find(conn, store_id, id).map_err(|_| AppError::not_found("campaign"))?;
    let steps = db::campaigns::steps_of(conn, &[row.id])?;
    Ok(dto(row, &steps))
}

pub fn list(conn: &mut DbConn, store_id: i64, page: IdPage) -> AppResult<Page<CampaignDto>> {
    let rows = db::campaigns::list(conn, store_id, page.before_id, page.fetch_limit())?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let steps = db::campaigns::steps_of(conn, &ids)?;
    Ok(page.finish(rows, |r| r.id, |r| dto(r, &steps)))
}

/// A new campaign starts as a draft: nothing is sent until it is activated.
pub fn create(
    conn: &mut DbConn,
    store_id: i64,
    request: &CreateCampaignRequest,
) -> AppResult<CampaignDto> {
    create_at(conn, store_id, request, db::now())
}

/// [`create`], dated `now` (the demo store replays a past).
pub fn create_at(
    conn: &mut DbConn,
    store_id: i64,
    request: &CreateCampaignRequest,
    now: NaiveDateTime,
) -> AppResult<CampaignDto> {
    AppError::check(campaigns::validate(
        request.kind,
        &request.name,
        &request.steps,
        &request.order_statuses,
    ))?;
    let id = db::write_transaction(conn, |conn| {
        let row = db::campaigns::insert(
            conn,
            store_id,
            request.kind.as_str(),
            request.name.trim(),
            &statuses_json(&request.order_statuses),
            now,
        )?;
        save_steps(conn, row.id, &request.steps)?;
        Ok(row.id)
    })?;
    get(conn, store_id, id)
}

/// Changes the definition; the whole result must still be valid.
pub fn update(
    conn: &mut DbConn,
    store_id: i64,
    id: i64,
    patch: &UpdateCampaignRequest,
) -> AppResult<CampaignDto> {
    let current = get(conn, store_id, id)?;
    let name = patch.name.clone().unwrap_or(current.name);
    let steps = patch.steps.clone().unwrap_or(current.steps);
    let statuses = patch
        .order_statuses
        .clone()
        .unwrap_or(current.order_statuses);
    AppError::check(campaigns::validate(current.kind, &name, &steps, &statuses))?;
    db::write_transaction(conn, |conn| {
        if current.status == CampaignStatus::Active && patch.order_statuses.is_some() {
            let row = db::campaigns::find(conn, store_id, id)?;
            refuse_overlap(conn, &row, &statuses)?;
        }
        db::campaigns::update_definition(
            conn,
            id,
            name.trim(),
            &statuses_json(&statuses),
            db::now(),
        )?;
        if patch.steps.is_some() {
            save_steps(conn, id, &steps)?;
        }
        Ok(())
    })?;
    get(conn, store_id, id)
}

pub fn delete(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<()> {
    let row =
        db::campaigns::find(conn, store_id, id).map_err(|_| AppError::not_found("campaign"))?;
    Ok(db::campaigns::delete(conn, row.id)?)
}

/// Turns the campaign on; SMS needs the store's number first (409 `number_required`).
pub fn activate(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<CampaignDto> {
    activate_at(conn, store_id, id, db::now())
}

/// [`activate`], from `now` on (the demo store replays a past).
pub fn activate_at(
    conn: &mut DbConn,
    store_id: i64,
    id: i64,
    now: NaiveDateTime,
) -> AppResult<CampaignDto> {
    db::write_transaction(conn, |conn| {
        let row =
            db::campaigns::find(conn, store_id, id).map_err(|_| AppError::not_found("campaign"))?;
        // Locked (PostgreSQL) until this commits: a release under way is waited for, and
        // then seen, so it cannot miss this campaign when it stops the store's campaigns.
        if db::phone_numbers::active_for_stores(conn, &[store_id])?.is_empty() {
            return Err(AppError::NumberRequired(
                "This store has no SMS number yet: reserve one, then activate the campaign.".into(),
            ));
        }
        if row.status != CampaignStatus::Active.as_str() {
            let statuses: Vec<String> =
                serde_json::from_str(&row.order_statuses).unwrap_or_default();
            refuse_overlap(conn, &row, &statuses)?;
            db::campaigns::set_status(
                conn,
                row.id,
                CampaignStatus::Active.as_str(),
                Some(now),
                now,
            )?;
        }
        Ok(())
    })?;
    get(conn, store_id, id)
}

/// 409 when another active campaign of the store would text the same customers about the
/// same thing as `row` with `statuses`: each would send its own text. Order updates may share
/// the statuses out between them.
fn refuse_overlap(conn: &mut DbConn, row: &CampaignRow, statuses: &[String]) -> AppResult<()> {
    let others = db::campaigns::active_of_kinds(conn, row.store_id, &[row.kind.as_str()])?;
    for other in others.into_iter().filter(|other| other.id != row.id) {
        if kind_of(row) != CampaignKind::OrderUpdate {
            return Err(AppError::Conflict(format!(
                "“{}” is active and sends the same kind of text, so customers would get both: \
                 pause it first.",
                other.name
            )));
        }
        let theirs: Vec<String> = serde_json::from_str(&other.order_statuses).unwrap_or_default();
        if let Some(shared) = statuses.iter().find(|s| theirs.contains(s)) {
            return Err(AppError::Conflict(format!(
                "“{}” is active and also texts when an order is {}, so customers would get \
                 both: pause it, or leave that status to one of them.",
                other.name,
                shared.replace('_', " ")
            )));
        }
    }
    Ok(())
}

pub fn pause(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<CampaignDto> {
    db::write_transaction(conn, |conn| pause_in(conn, store_id, id))
}

fn pause_in(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<CampaignDto> {
    let row =
        db::campaigns::find(conn, store_id, id).map_err(|_| AppError::not_found("campaign"))?;
    if row.status == CampaignStatus::Active.as_str() {
        let now = db::now();
        db::campaigns::set_status(
            conn,
            row.id,
            CampaignStatus::Paused.as_str(),
            row.activated_at,
            now,
        )?;
        // A paused flow ends: its pending texts are not sent on resume either.
        db::outbox::cancel(conn, Scope::Campaign(row.id), "campaign paused", now)?;
    }
    get(conn, store_id, id)
}
