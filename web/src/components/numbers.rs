//! The pieces of the SMS number pages: choosing a number, and holding or releasing it.

pub mod available_list;
pub mod charges_notice;
pub mod current_number;
pub mod past_numbers;
pub mod release_dialog;
pub mod reserve_dialog;
pub mod search_form;
pub mod usage_card;
