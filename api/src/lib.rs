//! The Textback server. `main.rs` is the CLI; everything else is here so the integration
//! tests build the very same application.

pub mod app;
pub mod auth;
pub mod background;
pub mod client_address;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod idempotency_key;
pub mod live;
pub mod metrics;
pub mod money;
pub mod nul_text;
pub mod openapi;
pub mod pagination;
pub mod platforms;
pub mod request_log;
pub mod routes;
pub mod security_headers;
pub mod services;
pub mod sms;
pub mod telemetry;
