//! Integration tests: one binary, so the server crate compiles once for all of them.

mod accounts;
mod api_keys;
mod campaigns;
mod canned_replies;
mod conventions;
mod demo;
mod dispatch;
mod dispatch_kill;
mod dispatch_provider;
mod events;
mod inbox;
mod isolation;
mod logs;
mod migrations;
mod numbers;
mod numbers_twilio;
mod openapi;
mod opt_out_list;
mod opt_outs;
mod platform_webhooks;
mod stats;
mod stream;
mod tokens;
mod twilio_client;
mod usage;
mod webhooks;
