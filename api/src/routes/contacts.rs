use actix_web::get;
use actix_web::web::{Data, Json, Path, Query};
use textback_shared::Page;
use textback_shared::events::{ContactDetailDto, ContactDto, ContactsQuery};
use textback_shared::pagination::PageQuery;

use crate::app::AppState;
use crate::auth::{Caller, scope};
use crate::db;
use crate::error::AppResult;
use crate::pagination::IdPage;
use crate::services::contacts;

/// The store's contacts, newest first; `q` searches phone, email and name.
#[utoipa::path(tag = "contacts", params(ContactsQuery), responses((status = 200, description = "A page of contacts", body = Page<ContactDto>)))]
#[get("/contacts")]
pub async fn list_contacts(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    query: Query<ContactsQuery>,
) -> AppResult<Json<Page<ContactDto>>> {
    let query = query.into_inner();
    let page = IdPage::parse(&PageQuery {
        cursor: query.cursor,
        limit: query.limit,
    })?;
    let store_id = caller.store_id;
    let q = query.q;
    Ok(Json(
        db::run(&state.pool, move |conn| {
            contacts::list(conn, store_id, q.as_deref(), page)
        })
        .await?,
    ))
}

/// A contact with their consent history, carts and orders (each with its status timeline).
#[utoipa::path(
    tag = "contacts",
    params(("id" = i64, Path, description = "The contact's id")),
    responses((status = 200, description = "The contact", body = ContactDetailDto))
)]
#[get("/contacts/{id}")]
pub async fn get_contact(
    state: Data<AppState>,
    caller: Caller<scope::Read>,
    id: Path<i64>,
) -> AppResult<Json<ContactDetailDto>> {
    let (store_id, id) = (caller.store_id, id.into_inner());
    Ok(Json(
        db::run(&state.pool, move |conn| {
            contacts::detail(conn, store_id, id)
        })
        .await?,
    ))
}
