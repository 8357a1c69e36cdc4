//! Signing up (a store and its owner) and logging in.

use textback_shared::auth::{LoginRequest, SignupRequest, StoreDto, UserDto};
use textback_shared::validation::normalize_email;

use crate::auth::password;
use crate::db::{self, DbConn, stores::StoreRow, users::UserRow};
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

/// Creates a store and its owner in one transaction.
pub fn signup(conn: &mut DbConn, request: &SignupRequest) -> AppResult<Account> {
    signup_at(conn, request, db::now())
}

/// [`signup`], dated `now` (the demo store replays a past).
pub fn signup_at(
    conn: &mut DbConn,
    request: &SignupRequest,
    now: chrono::NaiveDateTime,
) -> AppResult<Account> {
    AppError::check(request.validate())?;
    let email = normalize_email(&request.email);
    let password_hash = password::hash(&request.password).map_err(AppError::internal)?;
    db::write_transaction(conn, |conn| {
        if db::users::find_by_email(conn, &email)?.is_some() {
            return Err(AppError::Conflict(
                "An account with this email already exists; log in instead.".into(),
            ));
        }
        let store = db::stores::insert(conn, request.store_name.trim(), now)?;
        let new_user = db::users::NewUser {
            store_id: store.id,
            email: &email,
            password_hash: &password_hash,
            created_at: now,
        };
        let user = db::users::insert(conn, &new_user)?;
        Ok(Account { user, store })
    })
}

/// The account whose credentials these are, or `None`: the caller must not learn which part
/// was wrong.
pub fn login(conn: &mut DbConn, request: &LoginRequest) -> AppResult<Option<Account>> {
    AppError::check(request.validate())?;
    let user = db::users::find_by_email(conn, &normalize_email(&request.email))?;
    let hash = user
        .as_ref()
        .map_or(password::dummy_hash(), |u| u.password_hash.as_str());
    let password_ok = password::verify(&request.password, hash);
    match user {
        Some(user) if password_ok => {
            let store = db::stores::find(conn, user.store_id)?;
            Ok(Some(Account { user, store }))
        }
        _ => Ok(None),
    }
}
