use actix_web::get;
use actix_web::web::{Data, Json};
use textback_shared::auth::{CredentialKind, MeResponse};

use crate::app::AppState;
use crate::auth::caller::Credential;
use crate::auth::{Caller, scope};
use crate::db;
use crate::error::AppResult;
use crate::services::accounts;

/// Who is calling: the user (for a session) or the key (for an API key), the store, and the
/// credential's scopes.
#[utoipa::path(tag = "account", responses((status = 200, description = "The caller", body = MeResponse)))]
#[get("/me")]
pub async fn me(state: Data<AppState>, caller: Caller<scope::Read>) -> AppResult<Json<MeResponse>> {
    let (store_id, user_id) = (caller.store_id, caller.user_id());
    let (store, user) = db::run(&state.pool, move |conn| {
        let store = db::stores::find(conn, store_id)?;
        let user = user_id
            .map(|id| db::users::find_in_store(conn, store_id, id))
            .transpose()?;
        Ok((store, user))
    })
    .await?;
    let (credential, api_key_id) = match caller.credential {
        Credential::Session { .. } => (CredentialKind::Session, None),
        Credential::ApiKey { key_id } => (CredentialKind::ApiKey, Some(key_id)),
    };
    Ok(Json(MeResponse {
        credential,
        user: user.as_ref().map(accounts::user_dto),
        store: accounts::store_dto(&store),
        scopes: caller.scopes,
        api_key_id,
    }))
}
