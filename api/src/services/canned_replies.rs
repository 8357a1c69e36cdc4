//! Canned replies: written once with template variables, filled in for the customer of the
//! conversation they are inserted into (their name, their latest cart and order).

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior, Value};
use textback_shared::inbox::{
    CannedReplyDto, CannedReplyRequest, REPLY_VARIABLES, RenderedReplyDto, canned_reply_errors,
};

use crate::db::{self, DbConn, canned_replies::CannedReplyRow};
use crate::error::{AppError, AppResult};
use crate::money;

pub fn list(conn: &mut DbConn, store_id: i64) -> AppResult<Vec<CannedReplyDto>> {
    Ok(db::canned_replies::list(conn, store_id)?
        .into_iter()
        .map(dto)
        .collect())
}

pub fn create(
    conn: &mut DbConn,
    store_id: i64,
    request: &CannedReplyRequest,
) -> AppResult<CannedReplyDto> {
    let name = request.name.as_deref().unwrap_or_default().trim();
    let body = request.body.as_deref().unwrap_or_default().trim();
    AppError::check(canned_reply_errors(name, body))?;
    db::canned_replies::insert(conn, store_id, name, body, db::now())?
        .map(dto)
        .ok_or_else(|| AppError::invalid("name", "A reply of that name exists already."))
}

pub fn update(
    conn: &mut DbConn,
    store_id: i64,
    id: i64,
    request: &CannedReplyRequest,
) -> AppResult<CannedReplyDto> {
    db::write_transaction(conn, |conn| {
        let row = find(conn, store_id, id)?;
        let name = request
            .name
            .as_deref()
            .unwrap_or(&row.name)
            .trim()
            .to_owned();
        let body = request
            .body
            .as_deref()
            .unwrap_or(&row.body)
            .trim()
            .to_owned();
        AppError::check(canned_reply_errors(&name, &body))?;
        let taken = db::canned_replies::list(conn, store_id)?
            .iter()
            .any(|other| other.id != id && other.name == name);
        if taken {
            return Err(AppError::invalid(
                "name",
                "A reply of that name exists already.",
            ));
        }
        db::canned_replies::update(conn, id, &name, &body, db::now())?;
        Ok(dto(find(conn, store_id, id)?))
    })
}

pub fn delete(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<()> {
    let row = find(conn, store_id, id)?;
    Ok(db::canned_replies::delete(conn, row.id)?)
}

/// The reply filled in for the thread's customer. A value they do not have reads as a
/// sensible stand-in ("there" for a name) or is left out.
pub fn render_for_thread(
    conn: &mut DbConn,
    store_id: i64,
    id: i64,
    thread_id: i64,
) -> AppResult<RenderedReplyDto> {
    let reply = find(conn, store_id, id)?;
    let thread =
        db::threads::find(conn, store_id, thread_id).map_err(|_| AppError::not_found("thread"))?;
    let contact = db::contacts::find(conn, store_id, thread.contact_id)?;
    let store = db::stores::find(conn, store_id)?;
    let cart = db::carts::of_contact(conn, store_id, contact.id)?
        .into_iter()
        .next();
    let order = db::orders::of_contact(conn, store_id, contact.id)?
        .into_iter()
        .next();
    let mut values: BTreeMap<String, String> = REPLY_VARIABLES
        .iter()
        .map(|name| ((*name).to_owned(), String::new()))
        .collect();
    let mut set = |name: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            values.insert(name.to_owned(), value);
        }
    };
    set(
        "first_name",
        Some(contact.first_name.unwrap_or_else(|| "there".into())),
    );
    set("store_name", Some(store.name));
    if let Some(cart) = cart {
        set("cart_url", cart.recovery_url);
        set(
            "cart_total",
            Some(money::display(cart.total_cents, &cart.currency)),
        );
    }
    if let Some(order) = order {
        set("order_number", order.number);
        set("order_status", Some(order.status.replace('_', " ")));
        set("tracking_url", order.tracking_url);
        set("tracking_number", order.tracking_number);
    }
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let body = env
        .render_str(&reply.body, Value::from(values))
        .map_err(|e| AppError::invalid("body", format!("This reply cannot be filled in: {e}")))?;
    // A value left out leaves a double space behind.
    let body = body
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(RenderedReplyDto { body })
}

fn find(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<CannedReplyRow> {
    db::canned_replies::find(conn, store_id, id)?.ok_or_else(|| AppError::not_found("canned reply"))
}

fn dto(row: CannedReplyRow) -> CannedReplyDto {
    CannedReplyDto {
        id: row.id,
        name: row.name,
        body: row.body,
        updated_at: db::utc(row.updated_at),
    }
}
