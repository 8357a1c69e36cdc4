//! The demo store itself: the owner's login, where the store is, its number and its four
//! campaigns, each made through the service a merchant's request would use.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use textback_shared::auth::SignupRequest;
use textback_shared::campaigns::{CampaignStep, CreateCampaignRequest};
use textback_shared::numbers::AvailableNumbersQuery;
use textback_shared::templates::CampaignKind;

use crate::app::AppState;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::services::{accounts, campaigns, numbers};

/// The demo store as the simulation needs it.
pub struct Store {
    pub id: i64,
    pub number: String,
    pub abandon_after: chrono::Duration,
    pub cart_flow: i64,
    /// The flow's step ids, in order.
    pub cart_steps: Vec<i64>,
    pub on_hold: i64,
    pub shipped: i64,
}

/// Where the store is: Portland, Oregon (its number is local there).
const COUNTRY: &str = "US";
const REGION: &str = "OR";
const AREA_CODE: &str = "503";
pub const DISCOUNT_CODE: &str = "COMEBACK10";

pub async fn create(
    state: &AppState,
    name: &str,
    email: &str,
    password: &str,
    at: NaiveDateTime,
) -> AppResult<Store> {
    let request = SignupRequest {
        store_name: name.into(),
        email: email.into(),
        password: password.into(),
    };
    let account = db::run(&state.pool, move |conn| {
        let account = accounts::signup_at(conn, &request, at)?;
        // What Settings -> Store saves.
        db::stores::update(conn, account.store.id, None, Some(COUNTRY), Some(REGION))?;
        Ok(account)
    })
    .await?;
    let (store_id, user_id) = (account.store.id, account.user.id);
    let number = reserve_number(state, store_id, user_id, at).await?;
    let ids = db::run(&state.pool, move |conn| {
        create_campaigns(conn, store_id, at)
    })
    .await?;
    Ok(Store {
        id: store_id,
        number,
        abandon_after: chrono::Duration::minutes(i64::from(account.store.abandon_after_minutes)),
        cart_flow: ids.cart_flow,
        cart_steps: ids.cart_steps,
        on_hold: ids.on_hold,
        shipped: ids.shipped,
    })
}

/// The first number the simulator offers near the store, as the numbers page would show it.
async fn reserve_number(
    state: &AppState,
    store_id: i64,
    user_id: i64,
    at: NaiveDateTime,
) -> AppResult<String> {
    let query = AvailableNumbersQuery {
        country: COUNTRY.into(),
        area_code: Some(AREA_CODE.into()),
        region: None,
        cursor: None,
        limit: Some(5),
    };
    let page = numbers::search(state, store_id, &query).await?;
    let Some(offered) = page.items.first() else {
        return Err(AppError::internal("the simulator offers no number in 503"));
    };
    let reserved =
        numbers::reserve_at(state, store_id, Some(user_id), &offered.phone_number, at).await?;
    Ok(reserved.phone_number)
}

struct CampaignIds {
    cart_flow: i64,
    cart_steps: Vec<i64>,
    on_hold: i64,
    shipped: i64,
}

fn step(delay_minutes: u32, body: &str, discount_code: Option<&str>) -> CampaignStep {
    CampaignStep {
        delay_minutes,
        body: body.into(),
        discount_code: discount_code.map(str::to_owned),
    }
}

fn create_campaigns(
    conn: &mut db::DbConn,
    store_id: i64,
    at: NaiveDateTime,
) -> AppResult<CampaignIds> {
    let requests = [
        CreateCampaignRequest {
            kind: CampaignKind::AbandonedCart,
            name: "Cart reminders".into(),
            steps: vec![
                step(
                    45,
                    "Hi {{ first_name }}, you left something in your cart. It's saved for you here: {{ cart_url }}",
                    None,
                ),
                step(
                    24 * 60,
                    "Still thinking it over, {{ first_name }}? Your {{ cart_total }} cart is waiting: {{ cart_url }}",
                    None,
                ),
                step(
                    3 * 24 * 60,
                    "Last call, {{ first_name }}: take 10% off your cart with code {{ discount_code }}. {{ cart_url }}",
                    Some(DISCOUNT_CODE),
                ),
            ],
            order_statuses: Vec::new(),
        },
        CreateCampaignRequest {
            kind: CampaignKind::OrderUpdate,
            name: "Order confirmations".into(),
            steps: vec![step(
                0,
                "Thanks for your order {{ order_number }}, {{ first_name }}! It's {{ order_status }}; we'll text you when it ships.",
                None,
            )],
            order_statuses: vec!["placed".into(), "cancelled".into()],
        },
        CreateCampaignRequest {
            kind: CampaignKind::OrderShipped,
            name: "Shipping updates".into(),
            steps: vec![step(
                0,
                "Good news, {{ first_name }}: order {{ order_number }} is on its way! Track it here: {{ tracking_url }}",
                None,
            )],
            order_statuses: Vec::new(),
        },
        CreateCampaignRequest {
            kind: CampaignKind::OrderOnHold,
            name: "Orders on hold".into(),
            steps: vec![step(
                0,
                "Hi {{ first_name }}, order {{ order_number }} is on hold for a moment. Reply here and we'll sort it out.",
                None,
            )],
            order_statuses: Vec::new(),
        },
    ];
    let mut ids = HashMap::new();
    for request in &requests {
        let created = campaigns::create_at(conn, store_id, request, at)?;
        campaigns::activate_at(conn, store_id, created.id, at)?;
        ids.insert(request.kind.as_str(), created.id);
    }
    let id = |kind: CampaignKind| ids.get(kind.as_str()).copied().unwrap_or_default();
    let cart_flow = id(CampaignKind::AbandonedCart);
    let mut steps = db::campaigns::steps_of(conn, &[cart_flow])?;
    steps.sort_by_key(|s| s.position);
    Ok(CampaignIds {
        cart_flow,
        cart_steps: steps.iter().map(|s| s.id).collect(),
        on_hold: id(CampaignKind::OrderOnHold),
        shipped: id(CampaignKind::OrderShipped),
    })
}
