//! Building blocks shared by the pages.

pub mod api_keys;
pub mod auth_card;
pub mod campaigns;
pub mod confirm_dialog;
pub mod dashboard;
pub mod field;
pub mod inbox;
pub mod layout;
pub mod load_more;
pub mod numbers;
pub mod opt_outs;
pub mod password_card;
pub mod states;
pub mod store_settings;
