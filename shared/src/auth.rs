//! Sign-up, log-in and the caller's identity.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api_keys::Scope;
use crate::numbers::Country;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// The store's name as customers know it; it signs every text.
    #[cfg_attr(feature = "openapi", schema(example = "Maple & Pine Outfitters"))]
    pub store_name: String,
    #[cfg_attr(feature = "openapi", schema(example = "owner@mapleandpine.example"))]
    pub email: String,
    /// At least 10 characters.
    #[cfg_attr(feature = "openapi", schema(example = "correct horse battery"))]
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(example = "owner@mapleandpine.example"))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(example = "correct horse battery"))]
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserDto {
    pub id: i64,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreDto {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Where the store is, if known: numbers nearby are suggested first.
    pub country: Option<Country>,
    /// State or province code.
    pub region: Option<String>,
}

/// `PATCH /api/v1/store`: only the fields sent change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateStoreRequest {
    pub name: Option<String>,
    pub country: Option<Country>,
    /// A state or province code of `country` (or of the store's country when not sent).
    #[cfg_attr(feature = "openapi", schema(example = "CA"))]
    pub region: Option<String>,
}

/// A signed-in session: send `token` as `Authorization: Bearer <token>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserDto,
    pub store: StoreDto,
}

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    Session,
    ApiKey,
}

/// `GET /api/v1/me`: who is calling, for which store, with which rights.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeResponse {
    pub credential: CredentialKind,
    /// The signed-in user; `null` when calling with an API key.
    pub user: Option<UserDto>,
    pub store: StoreDto,
    /// What this credential may do (a session may do everything).
    pub scopes: Vec<Scope>,
    /// The API key's id when calling with one.
    pub api_key_id: Option<i64>,
}
