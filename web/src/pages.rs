//! One file per route.

pub mod api_keys;
pub mod campaign_editor;
pub mod campaigns;
pub mod dashboard;
pub mod inbox;
pub mod login;
pub mod not_found;
pub mod number_settings;
pub mod numbers;
pub mod opt_outs;
pub mod settings;
pub mod signup;
