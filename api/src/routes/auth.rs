use std::time::Instant;

use actix_web::web::{Data, Json};
use actix_web::{HttpRequest, HttpResponse, post};
use textback_shared::auth::{ChangePasswordRequest, LoginRequest, SessionResponse, SignupRequest};
use textback_shared::validation::normalize_email;
use textback_shared::{FieldError, Problem};

use crate::app::AppState;
use crate::auth::caller::{Caller, Credential, scope};
use crate::auth::throttle::Attempt;
use crate::client_address::client_ip;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::services::accounts::{self, LoggedIn};

/// Create a store and its owner, and log in.
#[utoipa::path(
    tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Signed up and logged in", body = SessionResponse),
        (status = 409, description = "An account with this email exists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/signup")]
pub async fn signup(state: Data<AppState>, body: Json<SignupRequest>) -> AppResult<HttpResponse> {
    let logged_in = accounts::sign_up(&state.pool, body.into_inner()).await?;
    tracing::info!(
        store_id = logged_in.account.store.id,
        user_id = logged_in.account.user.id,
        "store signed up"
    );
    Ok(HttpResponse::Created().json(session_for(&state, &logged_in)?))
}

/// Log in with email and password.
///
/// After 5 failed attempts for one email within 15 minutes, further attempts answer 429 with
/// `Retry-After` until the window has passed.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = SessionResponse),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: Data<AppState>,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> AppResult<Json<SessionResponse>> {
    let request = body.into_inner();
    let attempt = Attempt::new(
        &normalize_email(&request.email),
        client_ip(&req, &state.settings.trusted_proxies),
    );
    let began = Instant::now();
    if let Err(wait) = state.login_throttle.begin(&attempt, began) {
        return Err(AppError::TooManyRequests {
            retry_after_secs: wait.as_secs(),
            detail: "Too many failed logins; wait before trying again.".into(),
        });
    }
    // The attempt already counts as a failure (see `LoginThrottle::begin`).
    let logged_in = accounts::log_in(&state.pool, request)
        .await
        .inspect_err(|_| state.login_throttle.undecided(&attempt, began))?;
    match logged_in {
        Some(logged_in) => {
            state.login_throttle.succeeded(&attempt, began);
            Ok(Json(session_for(&state, &logged_in)?))
        }
        None => Err(AppError::Unauthorized(
            "The email or password is wrong.".into(),
        )),
    }
}

/// End this session: its token is refused from now on. Other sessions of the same person (on
/// other devices) go on.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "No session, or it has already ended", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "An API key: keys are revoked, not logged out", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(state: Data<AppState>, caller: Caller<scope::Read>) -> AppResult<HttpResponse> {
    let Credential::Session { session_id, .. } = caller.credential else {
        return Err(AppError::Forbidden(
            "An API key is not logged out; revoke it with `DELETE /api/v1/api-keys/{id}`.".into(),
        ));
    };
    db::run(&state.pool, move |conn| accounts::log_out(conn, session_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change the password of the person logged in. Their other sessions end (this one goes on):
/// a password is changed because someone else may know it.
///
/// A wrong current password counts as a failed login (see `POST /api/v1/auth/login`).
#[utoipa::path(
    tag = "auth",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; the person's other sessions have ended"),
        (status = 403, description = "An API key: only a person has a password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The current password is wrong, or the new one too short or long", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password")]
pub async fn change_password(
    state: Data<AppState>,
    req: HttpRequest,
    caller: Caller<scope::Write>,
    body: Json<ChangePasswordRequest>,
) -> AppResult<HttpResponse> {
    let Credential::Session {
        user_id,
        session_id,
    } = caller.credential
    else {
        return Err(AppError::Forbidden(
            "Only a person logged in has a password to change.".into(),
        ));
    };
    let store_id = caller.store_id;
    let user = db::run(&state.pool, move |conn| {
        Ok(db::users::find_in_store(conn, store_id, user_id)?)
    })
    .await?;
    let attempt = Attempt::new(
        &user.email,
        client_ip(&req, &state.settings.trusted_proxies),
    );
    let began = Instant::now();
    if let Err(wait) = state.login_throttle.begin(&attempt, began) {
        return Err(AppError::TooManyRequests {
            retry_after_secs: wait.as_secs(),
            detail: "Too many wrong passwords; wait before trying again.".into(),
        });
    }
    let changed = accounts::change_password(&state.pool, user, session_id, body.into_inner())
        .await
        .inspect_err(|_| state.login_throttle.undecided(&attempt, began))?;
    if !changed {
        return Err(AppError::Validation(vec![FieldError::new(
            "current_password",
            "This is not your current password.",
        )]));
    }
    state.login_throttle.succeeded(&attempt, began);
    Ok(HttpResponse::NoContent().finish())
}

fn session_for(state: &AppState, logged_in: &LoggedIn) -> AppResult<SessionResponse> {
    let (token, expires_at) = state
        .sessions
        .issue(logged_in.session, db::utc(logged_in.at))
        .map_err(AppError::internal)?;
    Ok(SessionResponse {
        token,
        expires_at,
        user: logged_in.account.user_dto(),
        store: logged_in.account.store_dto(),
    })
}
