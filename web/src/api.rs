//! Typed calls to `/api/v1`, over the `textback-shared` DTOs. Components call these functions
//! and never build URLs themselves.

pub mod api_keys;
pub mod auth;
pub mod campaigns;
pub mod client;
pub mod inbox;
pub mod live;
pub mod numbers;
pub mod opt_outs;
pub mod stats;
pub mod store;
pub mod usage;

pub use client::{ApiError, Client};
