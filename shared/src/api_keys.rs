//! Per-store API keys for integrators and e-commerce platforms.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a key may do. Sessions (people in the app) may do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read any resource of the store.
    Read,
    /// Create, change and delete resources (and manage keys).
    Write,
    /// Post cart and order events (`/api/v1/events`).
    Events,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Events];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Events => "events",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    /// For people choosing scopes in the app.
    pub fn description(self) -> &'static str {
        match self {
            Scope::Read => "Read contacts, messages, campaigns and settings",
            Scope::Write => {
                "Change contacts, messages, campaigns and settings; send replies; manage API keys"
            }
            Scope::Events => "Post cart and order events from a store platform",
        }
    }
}

/// Where every key starts, so leaked keys are easy to recognise and scan for.
pub const KEY_PREFIX: &str = "tbk_";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyDto {
    pub id: i64,
    pub name: String,
    /// The key's visible start (`tbk_` and 8 characters), to tell keys apart.
    #[cfg_attr(feature = "openapi", schema(example = "tbk_3f9a2c1e"))]
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    /// Last successful use, to the minute; `null` if never used.
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// What the key is for, e.g. "Shopify sync" (1 to 100 characters).
    #[cfg_attr(feature = "openapi", schema(example = "Shopify sync"))]
    pub name: String,
    /// At least one scope.
    pub scopes: Vec<Scope>,
}

/// The new key. `secret` is shown this once; only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiKey {
    pub key: ApiKeyDto,
    /// Send as `Authorization: Bearer <secret>`.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "tbk_3f9a2c1e_Qm9uam91ciBsZSBtb25kZSBoZWxsbw")
    )]
    pub secret: String,
}
