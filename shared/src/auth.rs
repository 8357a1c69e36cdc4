//! Sign-up, log-in and the caller's identity.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api_keys::Scope;
use crate::numbers::Country;
use crate::quiet_hours::Hours;

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

/// `POST /api/v1/auth/password`: a new password for the person logged in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[cfg_attr(feature = "openapi", schema(example = "correct horse battery"))]
    pub current_password: String,
    /// At least 10 characters.
    #[cfg_attr(feature = "openapi", schema(example = "staple battery horse"))]
    pub new_password: String,
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
    /// The store's own hours for marketing texts, in each recipient's local time, when it
    /// narrowed them; the law's (8:00–20:00, less where a state says so) otherwise.
    pub sending_hours: Option<Hours>,
    /// Marketing texts one customer may get in 24 hours (1 to 3).
    pub marketing_per_day: u32,
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
    /// Narrower hours for marketing texts (from 8 to 21 at the widest; state rules still
    /// apply within them).
    pub sending_hours: Option<Hours>,
    /// 1 to 3 marketing texts per customer per 24 hours.
    pub marketing_per_day: Option<u32>,
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
