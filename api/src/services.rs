//! Workflows behind the routes, free of HTTP types so that the CLI, the dispatcher and the
//! tests can call them too.

pub mod accounts;
pub mod api_keys;
pub mod campaign_stats;
pub mod campaigns;
pub mod canned_replies;
pub mod contacts;
pub mod dispatch;
pub mod idempotency;
pub mod inbox;
pub mod ingest;
pub mod numbers;
pub mod opt_outs;
pub mod provider_webhooks;
pub mod scheduling;
pub mod short_links;
pub mod stats;
pub mod usage;
