//! Wire types and pure logic that both the API server and the SPA need.
//!
//! Nothing here does I/O, so it builds for `wasm32-unknown-unknown` and is tested natively.
//! With the `openapi` feature the DTOs also describe themselves for the OpenAPI document.

pub mod api_keys;
pub mod auth;
pub mod campaigns;
pub mod events;
pub mod inbox;
pub mod live;
pub mod message_warnings;
pub mod nanp;
pub mod numbers;
pub mod opt_out;
pub mod pagination;
pub mod phone;
pub mod problem;
pub mod quiet_hours;
pub mod segments;
pub mod stats;
pub mod templates;
pub mod validation;

pub use pagination::Page;
pub use problem::{FieldError, Problem, ProblemCode};
