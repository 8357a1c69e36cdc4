//! One file per route.

pub mod api_keys;
pub mod login;
pub mod not_found;
pub mod overview;
pub mod signup;
