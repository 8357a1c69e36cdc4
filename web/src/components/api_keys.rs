//! The pieces of Settings → API keys.

pub mod create_key_form;
pub mod key_table;
pub mod new_secret;
pub mod no_keys;
