use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConn;
use super::schema::{campaign_steps, campaigns};

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

/// Sets the campaign's steps, in order. Steps are updated in place by position, so texts
/// already scheduled for a step stay scheduled (and go out with its new wording), and sent
/// texts keep their step for the stats; steps beyond the new count are removed.
pub fn replace_steps(
    conn: &mut DbConn,
    campaign_id: i64,
    steps: &[NewStep<'_>],
) -> QueryResult<()> {
    let existing = steps_of(conn, &[campaign_id])?;
    for (position, step) in steps.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        match existing.iter().find(|s| s.position == position) {
            Some(row) => diesel::update(campaign_steps::table.find(row.id))
                .set((
                    campaign_steps::delay_minutes.eq(step.delay_minutes),
                    campaign_steps::body.eq(step.body),
                    campaign_steps::discount_code.eq(step.discount_code),
                ))
                .execute(conn)?,
            None => diesel::insert_into(campaign_steps::table)
                .values((
                    campaign_steps::campaign_id.eq(campaign_id),
                    campaign_steps::position.eq(position),
                    campaign_steps::delay_minutes.eq(step.delay_minutes),
                    campaign_steps::body.eq(step.body),
                    campaign_steps::discount_code.eq(step.discount_code),
                ))
                .execute(conn)?,
        };
    }
    let count = i32::try_from(steps.len()).unwrap_or(i32::MAX);
    diesel::delete(
        campaign_steps::table
            .filter(campaign_steps::campaign_id.eq(campaign_id))
            .filter(campaign_steps::position.ge(count)),
    )
    .execute(conn)?;
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
