use textback_shared::auth::{
    ChangePasswordRequest, LoginRequest, MeResponse, SessionResponse, SignupRequest,
};

use super::{ApiError, Client};

pub async fn signup(client: &Client, request: &SignupRequest) -> Result<SessionResponse, ApiError> {
    client.post("/auth/signup", request).await
}

pub async fn login(client: &Client, request: &LoginRequest) -> Result<SessionResponse, ApiError> {
    client.post("/auth/login", request).await
}

pub async fn me(client: &Client) -> Result<MeResponse, ApiError> {
    client.get("/me").await
}

/// Ends the session on the server: its token is refused from then on.
pub async fn logout(client: &Client) -> Result<(), ApiError> {
    client.post_empty("/auth/logout").await
}

/// A new password; the person's other sessions end.
pub async fn change_password(
    client: &Client,
    request: &ChangePasswordRequest,
) -> Result<(), ApiError> {
    client.post_no_content("/auth/password", request).await
}
