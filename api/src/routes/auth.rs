use std::time::Instant;

use actix_web::web::{Data, Json};
use actix_web::{HttpRequest, HttpResponse, post};
use chrono::Utc;
use textback_shared::Problem;
use textback_shared::auth::{LoginRequest, SessionResponse, SignupRequest};
use textback_shared::validation::normalize_email;

use crate::app::AppState;
use crate::auth::session::Session;
use crate::auth::throttle::Attempt;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::services::accounts::{self, Account};

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
    let request = body.into_inner();
    let account = db::run(&state.pool, move |conn| accounts::signup(conn, &request)).await?;
    tracing::info!(
        store_id = account.store.id,
        user_id = account.user.id,
        "store signed up"
    );
    Ok(HttpResponse::Created().json(session_for(&state, &account)?))
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
        req.peer_addr().map(|a| a.ip()),
    );
    let began = Instant::now();
    if let Err(wait) = state.login_throttle.begin(&attempt, began) {
        return Err(AppError::TooManyRequests {
            retry_after_secs: wait.as_secs(),
            detail: "Too many failed logins; wait before trying again.".into(),
        });
    }
    // The attempt already counts as a failure (see `LoginThrottle::begin`).
    let account = db::run(&state.pool, move |conn| accounts::login(conn, &request))
        .await
        .inspect_err(|_| state.login_throttle.undecided(&attempt, began))?;
    match account {
        Some(account) => {
            state.login_throttle.succeeded(&attempt, began);
            Ok(Json(session_for(&state, &account)?))
        }
        None => Err(AppError::Unauthorized(
            "The email or password is wrong.".into(),
        )),
    }
}

fn session_for(state: &AppState, account: &Account) -> AppResult<SessionResponse> {
    let session = Session {
        user_id: account.user.id,
        store_id: account.store.id,
    };
    let (token, expires_at) = state
        .sessions
        .issue(session, Utc::now())
        .map_err(AppError::internal)?;
    Ok(SessionResponse {
        token,
        expires_at,
        user: account.user_dto(),
        store: account.store_dto(),
    })
}
