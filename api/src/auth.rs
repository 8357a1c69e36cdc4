//! Who is calling: session tokens (JWT) for people, API keys for integrations, and the
//! `Caller` extractor that every `/api/v1` handler takes.

pub mod api_key;
pub mod caller;
pub mod password;
pub mod session;
pub mod throttle;

pub use caller::{Caller, scope};
