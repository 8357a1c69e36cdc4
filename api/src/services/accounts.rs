//! Signing up (a store and its owner), logging in and out.

use actix_web::web;
use chrono::NaiveDateTime;
use textback_shared::auth::{
    ChangePasswordRequest, LoginRequest, SignupRequest, StoreDto, UserDto,
};
use textback_shared::validation::normalize_email;

use crate::auth::password;
use crate::auth::session::{SESSION_TTL, Session};
use crate::db::{self, DbConn, DbPool, stores::StoreRow, users::UserRow};
use crate::error::{AppError, AppResult};

pub struct Account {
    pub user: UserRow,
    pub store: StoreRow,
}

impl Account {
    pub fn user_dto(&self) -> UserDto {
        user_dto(&self.user)
    }

    pub fn store_dto(&self) -> StoreDto {
        store_dto(&self.store)
    }
}

pub fn user_dto(user: &UserRow) -> UserDto {
    UserDto {
        id: user.id,
        email: user.email.clone(),
        created_at: db::utc(user.created_at),
    }
}

pub fn store_dto(store: &StoreRow) -> StoreDto {
    StoreDto {
        id: store.id,
        name: store.name.clone(),
        created_at: db::utc(store.created_at),
        country: store
            .country
            .as_deref()
            .and_then(textback_shared::numbers::Country::parse),
        region: store.region.clone(),
        sending_hours: store
            .quiet_start_hour
            .zip(store.quiet_end_hour)
            .and_then(|(start, end)| {
                Some(textback_shared::quiet_hours::Hours::new(
                    u32::try_from(start).ok()?,
                    u32::try_from(end).ok()?,
                ))
            }),
        marketing_per_day: u32::try_from(store.marketing_per_day).unwrap_or(2),
    }
}

/// A login: the account and its session, the row its token names.
pub struct LoggedIn {
    pub account: Account,
    pub session: Session,
    pub at: NaiveDateTime,
}

/// Creates a store and its owner, and logs the owner in. The password is hashed before a
/// connection is taken: argon2 takes a while, and the pool is small.
pub async fn sign_up(pool: &DbPool, request: SignupRequest) -> AppResult<LoggedIn> {
    AppError::check(request.validate())?;
    let password = request.password.clone();
    let password_hash = web::block(move || password::hash(&password))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    db::run(pool, move |conn| {
        let now = db::now();
        db::write_transaction(conn, |conn| {
            let account = create(conn, &request, &password_hash, now)?;
            open_session(conn, account, now)
        })
    })
    .await
}

/// Creates a store and its owner, dated `now` (the demo store replays a past).
pub fn signup_at(
    conn: &mut DbConn,
    request: &SignupRequest,
    now: NaiveDateTime,
) -> AppResult<Account> {
    AppError::check(request.validate())?;
    let password_hash = password::hash(&request.password).map_err(AppError::internal)?;
    db::write_transaction(conn, |conn| create(conn, request, &password_hash, now))
}

fn create(
    conn: &mut DbConn,
    request: &SignupRequest,
    password_hash: &str,
    now: NaiveDateTime,
) -> AppResult<Account> {
    let email = normalize_email(&request.email);
    if db::users::find_by_email(conn, &email)?.is_some() {
        return Err(AppError::Conflict(
            "An account with this email already exists; log in instead.".into(),
        ));
    }
    let store = db::stores::insert(conn, request.store_name.trim(), now)?;
    let new_user = db::users::NewUser {
        store_id: store.id,
        email: &email,
        password_hash,
        created_at: now,
    };
    let user = db::users::insert(conn, &new_user)?;
    Ok(Account { user, store })
}

/// Logs in whoever these credentials are of, or `None`: the caller must not learn which part
/// was wrong. No connection is held while the password is checked.
pub async fn log_in(pool: &DbPool, request: LoginRequest) -> AppResult<Option<LoggedIn>> {
    AppError::check(request.validate())?;
    let email = normalize_email(&request.email);
    let user = db::run(pool, move |conn| {
        Ok(db::users::find_by_email(conn, &email)?)
    })
    .await?;
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    // The dummy hash too is made on the blocking pool (once, on first use).
    let password_ok = web::block(move || match &stored_hash {
        Some(hash) => password::verify(&request.password, hash),
        None => password::verify(&request.password, password::dummy_hash()),
    })
    .await
    .map_err(AppError::internal)?;
    let Some(user) = user.filter(|_| password_ok) else {
        return Ok(None);
    };
    db::run(pool, move |conn| {
        let store = db::stores::find(conn, user.store_id)?;
        open_session(conn, Account { user, store }, db::now()).map(Some)
    })
    .await
}

/// Gives the user `request.new_password` if `request.current_password` is theirs, and ends
/// their other sessions (a password is changed because it may be known to someone else).
/// `false` when the current password is wrong, and nothing changes. No connection is held
/// while argon2 works.
pub async fn change_password(
    pool: &DbPool,
    user: UserRow,
    session_id: i64,
    request: ChangePasswordRequest,
) -> AppResult<bool> {
    AppError::check(request.validate())?;
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = request;
    let (user_id, stored_hash) = (user.id, user.password_hash);
    let new_hash = web::block(move || {
        password::verify(&current_password, &stored_hash)
            .then(|| password::hash(&new_password))
            .transpose()
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::internal)?;
    let Some(new_hash) = new_hash else {
        return Ok(false);
    };
    db::run(pool, move |conn| {
        db::write_transaction(conn, |conn| {
            db::users::set_password_hash(conn, user_id, &new_hash)?;
            db::sessions::revoke_others(conn, user_id, session_id, db::now())?;
            Ok(())
        })
    })
    .await?;
    Ok(true)
}

/// Ends the session its token names; `false` when it had already ended.
pub fn log_out(conn: &mut DbConn, session_id: i64) -> AppResult<bool> {
    Ok(db::sessions::revoke(conn, session_id, db::now())?)
}

fn open_session(conn: &mut DbConn, account: Account, now: NaiveDateTime) -> AppResult<LoggedIn> {
    let expires_at = now + SESSION_TTL;
    let id = db::sessions::create(conn, account.user.id, now, expires_at)?;
    let session = Session {
        id,
        user_id: account.user.id,
        store_id: account.store.id,
    };
    Ok(LoggedIn {
        account,
        session,
        at: now,
    })
}
