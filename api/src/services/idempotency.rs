//! `Idempotency-Key` on requests that create something: the first answer is kept for a day,
//! and a retry with the same key gets that answer again and changes nothing. An integrator
//! whose request timed out can thus send it again without making a second campaign.
//!
//! Only successful answers are kept: a refused request changed nothing, so its key stays free
//! for the corrected request. A key sent again with another request is refused, as it is most
//! likely a client reusing keys by mistake.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};

/// How long an answer is kept; a key older than this is free again.
pub const KEPT_FOR: Duration = Duration::hours(24);

/// An answer to give: just made, or the one kept for the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// JSON.
    pub body: String,
    /// Kept from an earlier request with the same key.
    pub replayed: bool,
}

/// What identifies a request under its key: the operation (`POST /api/v1/campaigns`) and its
/// body as parsed, so formatting differences between a request and its retry do not matter.
pub fn fingerprint(operation: &str, request: &impl Serialize) -> AppResult<String> {
    let body = serde_json::to_string(request).map_err(AppError::internal)?;
    let digest = Sha256::new()
        .chain_update(operation)
        .chain_update("\n")
        .chain_update(body)
        .finalize();
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// Runs `create` (answered with `status`) unless the store already has an answer under `key`;
/// without a key, simply runs it.
pub fn once<T: Serialize>(
    conn: &mut DbConn,
    store_id: i64,
    key: Option<&str>,
    fingerprint: &str,
    status: u16,
    create: impl FnOnce(&mut DbConn) -> AppResult<T>,
) -> AppResult<Answer> {
    let fresh = |value: &T| -> AppResult<Answer> {
        Ok(Answer {
            status,
            body: serde_json::to_string(value).map_err(AppError::internal)?,
            replayed: false,
        })
    };
    let Some(key) = key else {
        return fresh(&create(conn)?);
    };
    let now = db::now();
    db::write_transaction(conn, |conn| {
        db::idempotency_keys::forget_if_older(conn, store_id, key, now - KEPT_FOR)?;
        if db::idempotency_keys::claim(conn, store_id, key, fingerprint, now)? {
            let answer = fresh(&create(conn)?)?;
            db::idempotency_keys::answer(
                conn,
                store_id,
                key,
                i32::from(answer.status),
                &answer.body,
            )?;
            return Ok(answer);
        }
        let kept = db::idempotency_keys::find(conn, store_id, key)?
            .ok_or_else(|| AppError::Unavailable("the key was forgotten meanwhile".into()))?;
        if kept.request_hash != fingerprint {
            return Err(AppError::invalid(
                "Idempotency-Key",
                "This key was already used for another request: send a new key with each \
                 new request.",
            ));
        }
        Ok(Answer {
            status: u16::try_from(kept.response_status).map_err(AppError::internal)?,
            body: kept.response_body,
            replayed: true,
        })
    })
}

/// Forgets answers older than `KEPT_FOR`; how many.
pub fn expire(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<usize> {
    Ok(db::idempotency_keys::forget_before(conn, now - KEPT_FOR)?)
}
