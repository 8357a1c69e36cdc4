//! Creating, listing and revoking a store's API keys.

use textback_shared::Page;
use textback_shared::api_keys::{ApiKeyDto, CreateApiKeyRequest, CreatedApiKey, Scope};

use crate::auth::api_key;
use crate::db::{self, DbConn, api_keys::ApiKeyRow};
use crate::error::{AppError, AppResult};
use crate::pagination::IdPage;

fn dto(row: ApiKeyRow) -> ApiKeyDto {
    ApiKeyDto {
        id: row.id,
        scopes: api_key::decode_scopes(&row.scopes),
        name: row.name,
        prefix: row.prefix,
        created_at: db::utc(row.created_at),
        last_used_at: row.last_used_at.map(db::utc),
    }
}

/// `granting` is what the creator holds: a key can never mint a key with more rights.
pub fn create(
    conn: &mut DbConn,
    store_id: i64,
    granting: &[Scope],
    request: &CreateApiKeyRequest,
) -> AppResult<CreatedApiKey> {
    AppError::check(request.validate())?;
    if let Some(missing) = request.scopes.iter().find(|s| !granting.contains(s)) {
        return Err(AppError::Forbidden(format!(
            "A key without the `{}` scope cannot create a key with it.",
            missing.as_str()
        )));
    }
    let new_secret = api_key::generate();
    let scopes = api_key::encode_scopes(&request.scopes);
    let new = db::api_keys::NewApiKey {
        store_id,
        name: request.name.trim(),
        prefix: &new_secret.prefix,
        secret_hash: &new_secret.hash,
        scopes: &scopes,
        created_at: db::now(),
    };
    let row = db::api_keys::insert(conn, &new)?;
    Ok(CreatedApiKey {
        key: dto(row),
        secret: new_secret.secret,
    })
}

pub fn list(conn: &mut DbConn, store_id: i64, page: IdPage) -> AppResult<Page<ApiKeyDto>> {
    let rows = db::api_keys::list_live(conn, store_id, page.before_id, page.fetch_limit())?;
    Ok(page.finish(rows, |r| r.id, dto))
}

pub fn revoke(conn: &mut DbConn, store_id: i64, id: i64) -> AppResult<()> {
    if db::api_keys::revoke(conn, store_id, id, db::now())? {
        Ok(())
    } else {
        Err(AppError::not_found("API key"))
    }
}
