use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use textback_shared::campaigns::MAX_STEPS;

use super::DbConn;
use super::schema::{campaign_steps, campaigns, outbox};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaigns)]
pub struct CampaignRow {
    pub id: i64,
    pub store_id: i64,
    pub kind: String,
    pub name: String,
    pub status: String,
    pub order_statuses: String,
    pub activated_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaign_steps)]
pub struct StepRow {
    pub id: i64,
    pub campaign_id: i64,
    pub position: i32,
    pub delay_minutes: i32,
    pub body: String,
    pub discount_code: Option<String>,
}

pub struct NewStep<'a> {
    pub delay_minutes: i32,
    pub body: &'a str,
    pub discount_code: Option<&'a str>,
}

pub fn insert(
    conn: &mut DbConn,
    store_id: i64,
    kind: &str,
    name: &str,
    order_statuses: &str,
    now: NaiveDateTime,
) -> QueryResult<CampaignRow> {
    diesel::insert_into(campaigns::table)
        .values((
            campaigns::store_id.eq(store_id),
            campaigns::kind.eq(kind),
            campaigns::name.eq(name),
            campaigns::status.eq("draft"),
            campaigns::order_statuses.eq(order_statuses),
            campaigns::created_at.eq(now),
            campaigns::updated_at.eq(now),
        ))
        .returning(campaigns::all_columns)
        .get_result(conn)
}

/// Sets the campaign's steps, in order. An existing step stays the same step (keeping the
/// texts scheduled for it, which go out with its new wording, and the stats of those sent)
/// when its wording is unchanged, else when its delay is, else in order among those left: so
/// inserting, removing or reordering steps neither sends a customer one reminder twice nor
/// another early. Scheduled texts move with their step's delay; a removed step's go with it.
pub fn replace_steps(
    conn: &mut DbConn,
    campaign_id: i64,
    steps: &[NewStep<'_>],
) -> QueryResult<()> {
    let existing = steps_of(conn, &[campaign_id])?;
    let kept = match_steps(&existing, steps);
    let removed: Vec<i64> = existing
        .iter()
        .filter(|row| !kept.contains(&Some(row.id)))
        .map(|row| row.id)
        .collect();
    diesel::delete(campaign_steps::table.filter(campaign_steps::id.eq_any(&removed)))
        .execute(conn)?;
    // Kept steps pass through positions past any in use, as (campaign, position) is unique.
    let parked = |position: usize| i32::try_from(position + 2 * MAX_STEPS).unwrap_or(i32::MAX);
    for (position, id) in kept.iter().enumerate() {
        let Some(id) = *id else { continue };
        diesel::update(campaign_steps::table.find(id))
            .set(campaign_steps::position.eq(parked(position)))
            .execute(conn)?;
    }
    let now = super::now();
    for (position, (step, id)) in steps.iter().zip(&kept).enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        let fields = (
            campaign_steps::position.eq(position),
            campaign_steps::delay_minutes.eq(step.delay_minutes),
            campaign_steps::body.eq(step.body),
            campaign_steps::discount_code.eq(step.discount_code),
        );
        match id.and_then(|id| existing.iter().find(|row| row.id == id)) {
            Some(row) => {
                diesel::update(campaign_steps::table.find(row.id))
                    .set(fields)
                    .execute(conn)?;
                let moved_by = i64::from(step.delay_minutes) - i64::from(row.delay_minutes);
                if moved_by != 0 {
                    move_scheduled(conn, row.id, Duration::minutes(moved_by), now)?;
                }
            }
            None => {
                diesel::insert_into(campaign_steps::table)
                    .values((campaign_steps::campaign_id.eq(campaign_id), fields))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

type SameStep = fn(&StepRow, &NewStep<'_>) -> bool;

/// Which existing step each new one is (`None`: a new step); see [`replace_steps`].
fn match_steps(existing: &[StepRow], steps: &[NewStep<'_>]) -> Vec<Option<i64>> {
    let mut kept: Vec<Option<i64>> = vec![None; steps.len()];
    // Same wording, else same delay, else whatever is left, in order.
    let rules: [SameStep; 3] = [
        |row, step| row.body == step.body,
        |row, step| row.delay_minutes == step.delay_minutes,
        |_, _| true,
    ];
    for rule in rules {
        for (i, step) in steps.iter().enumerate() {
            if kept[i].is_some() {
                continue;
            }
            kept[i] = existing
                .iter()
                .find(|row| !kept.contains(&Some(row.id)) && rule(row, step))
                .map(|row| row.id);
        }
    }
    kept
}

/// Moves the step's texts not yet sent by `by` (its delay changed); the dispatcher checks
/// again whether each may go out when it falls due.
fn move_scheduled(
    conn: &mut DbConn,
    step_id: i64,
    by: Duration,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let scheduled: Vec<(i64, NaiveDateTime)> = outbox::table
        .filter(outbox::step_id.eq(step_id))
        .filter(outbox::status.eq(super::outbox::SCHEDULED))
        .select((outbox::id, outbox::due_at))
        .load(conn)?;
    for (id, due_at) in scheduled {
        diesel::update(outbox::table.find(id))
            .set((outbox::due_at.eq(due_at + by), outbox::updated_at.eq(now)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConn, store_id: i64, id: i64) -> QueryResult<CampaignRow> {
    campaigns::table
        .filter(campaigns::store_id.eq(store_id))
        .filter(campaigns::id.eq(id))
        .select(CampaignRow::as_select())
        .first(conn)
}

pub fn list(
    conn: &mut DbConn,
    store_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<CampaignRow>> {
    let mut query = campaigns::table
        .filter(campaigns::store_id.eq(store_id))
        .select(CampaignRow::as_select())
        .order(campaigns::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before_id {
        query = query.filter(campaigns::id.lt(before));
    }
    query.load(conn)
}

/// The steps of these campaigns, by campaign then position.
pub fn steps_of(conn: &mut DbConn, campaign_ids: &[i64]) -> QueryResult<Vec<StepRow>> {
    campaign_steps::table
        .filter(campaign_steps::campaign_id.eq_any(campaign_ids))
        .order((campaign_steps::campaign_id, campaign_steps::position))
        .select(StepRow::as_select())
        .load(conn)
}

pub fn update_definition(
    conn: &mut DbConn,
    id: i64,
    name: &str,
    order_statuses: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(campaigns::table.find(id))
        .set((
            campaigns::name.eq(name),
            campaigns::order_statuses.eq(order_statuses),
            campaigns::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: &str,
    activated_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(campaigns::table.find(id))
        .set((
            campaigns::status.eq(status),
            campaigns::activated_at.eq(activated_at),
            campaigns::updated_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Stops every active campaign of the store (its number was released); returns how many.
pub fn stop_active(conn: &mut DbConn, store_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        campaigns::table
            .filter(campaigns::store_id.eq(store_id))
            .filter(campaigns::status.eq("active")),
    )
    .set((
        campaigns::status.eq("stopped"),
        campaigns::updated_at.eq(now),
    ))
    .execute(conn)
}

pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::delete(campaigns::table.find(id))
        .execute(conn)
        .map(drop)
}

/// The store's active campaigns of these kinds, oldest first.
pub fn active_of_kinds(
    conn: &mut DbConn,
    store_id: i64,
    kinds: &[&str],
) -> QueryResult<Vec<CampaignRow>> {
    campaigns::table
        .filter(campaigns::store_id.eq(store_id))
        .filter(campaigns::status.eq("active"))
        .filter(campaigns::kind.eq_any(kinds))
        .order(campaigns::id)
        .select(CampaignRow::as_select())
        .load(conn)
}

/// Many campaigns by id, with their steps (for the dispatcher's claimed texts).
pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<CampaignRow>> {
    campaigns::table
        .filter(campaigns::id.eq_any(ids))
        .select(CampaignRow::as_select())
        .load(conn)
}

/// A campaign's name with one of its steps, as the inbox labels campaign texts.
#[derive(Debug, Clone, Queryable)]
pub struct Label {
    pub campaign_id: i64,
    pub name: String,
    /// None for a campaign that has no steps left.
    pub step_id: Option<i64>,
    pub position: Option<i32>,
}

/// The labels of these campaigns' texts in one query: a row per step.
pub fn labels(conn: &mut DbConn, campaign_ids: &[i64]) -> QueryResult<Vec<Label>> {
    if campaign_ids.is_empty() {
        return Ok(Vec::new());
    }
    campaigns::table
        .left_join(campaign_steps::table.on(campaign_steps::campaign_id.eq(campaigns::id)))
        .filter(campaigns::id.eq_any(campaign_ids))
        .select((
            campaigns::id,
            campaigns::name,
            campaign_steps::id.nullable(),
            campaign_steps::position.nullable(),
        ))
        .load(conn)
}

pub fn steps_by_id(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<StepRow>> {
    campaign_steps::table
        .filter(campaign_steps::id.eq_any(ids))
        .select(StepRow::as_select())
        .load(conn)
}
