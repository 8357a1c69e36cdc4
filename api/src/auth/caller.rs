//! The `Caller<S>` extractor: authenticates `Authorization: Bearer` (a session token or an API
//! key) and checks that the credential holds scope `S`. A handler's signature thus states
//! what it needs, and every query it makes is scoped by `caller.store_id`.

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use textback_shared::api_keys::Scope;

use super::api_key;
use crate::app::AppState;
use crate::db;
use crate::error::AppError;

/// Type-level scopes for `Caller<S>`.
pub mod scope {
    use textback_shared::api_keys::Scope;

    pub trait Required {
        const SCOPE: Scope;
    }
    /// Reading the store's data.
    pub struct Read;
    /// Changing it.
    pub struct Write;
    /// Posting cart and order events.
    pub struct Events;

    impl Required for Read {
        const SCOPE: Scope = Scope::Read;
    }
    impl Required for Write {
        const SCOPE: Scope = Scope::Write;
    }
    impl Required for Events {
        const SCOPE: Scope = Scope::Events;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Credential {
    Session { user_id: i64, session_id: i64 },
    ApiKey { key_id: i64 },
}

#[derive(Debug, Clone)]
pub struct Caller<S> {
    pub store_id: i64,
    pub credential: Credential,
    /// What the credential may do; sessions hold every scope.
    pub scopes: Vec<Scope>,
    _required: PhantomData<S>,
}

impl<S> Caller<S> {
    pub fn user_id(&self) -> Option<i64> {
        match self.credential {
            Credential::Session { user_id, .. } => Some(user_id),
            Credential::ApiKey { .. } => None,
        }
    }
}

impl<S: scope::Required + 'static> FromRequest for Caller<S> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("AppState missing"))?;
            let token = token.ok_or_else(|| {
                AppError::Unauthorized(
                    "Send `Authorization: Bearer <session token or API key>`.".into(),
                )
            })?;
            let caller = authenticate(&state, token).await?;
            if !caller.scopes.contains(&S::SCOPE) {
                return Err(AppError::Forbidden(format!(
                    "This API key lacks the `{}` scope.",
                    S::SCOPE.as_str()
                )));
            }
            Ok(caller)
        })
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

async fn authenticate<S>(state: &AppState, token: String) -> Result<Caller<S>, AppError> {
    let Some(prefix) = api_key::prefix_of(&token).map(str::to_owned) else {
        let session = state.sessions.verify(&token).ok_or_else(|| {
            AppError::Unauthorized("The session token is invalid or has expired.".into())
        })?;
        let credential = Credential::Session {
            user_id: session.user_id,
            session_id: session.id,
        };
        if !still_holds(state, credential).await? {
            return Err(AppError::Unauthorized(
                "The session has ended; log in again.".into(),
            ));
        }
        return Ok(Caller {
            store_id: session.store_id,
            credential,
            scopes: Scope::ALL.to_vec(),
            _required: PhantomData,
        });
    };
    let key = db::run(&state.pool, move |conn| {
        let Some(key) = db::api_keys::find_live_by_prefix(conn, &prefix)? else {
            return Ok(None);
        };
        if !api_key::matches(&token, &key.secret_hash) {
            return Ok(None);
        }
        // Record use at most once a minute: on SQLite every write takes the one write lock.
        let now = db::now();
        if key
            .last_used_at
            .is_none_or(|used| now - used >= chrono::Duration::minutes(1))
        {
            db::api_keys::touch(conn, key.id, now)?;
        }
        Ok(Some(key))
    })
    .await?
    .ok_or_else(|| AppError::Unauthorized("This API key is unknown or has been revoked.".into()))?;
    Ok(Caller {
        store_id: key.store_id,
        credential: Credential::ApiKey { key_id: key.id },
        scopes: api_key::decode_scopes(&key.scopes),
        _required: PhantomData,
    })
}

/// Whether `credential` still holds: its session not logged out or expired, its API key not
/// revoked. Checked again by whatever outlives the request that authenticated (the live stream).
pub async fn still_holds(state: &AppState, credential: Credential) -> Result<bool, AppError> {
    db::run(&state.pool, move |conn| {
        let holds = match credential {
            Credential::Session {
                user_id,
                session_id,
            } => db::sessions::is_live(conn, session_id, user_id, db::now())?,
            Credential::ApiKey { key_id } => db::api_keys::is_live(conn, key_id)?,
        };
        Ok(holds)
    })
    .await
}
