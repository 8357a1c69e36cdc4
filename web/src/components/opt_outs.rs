//! The pieces of the Opt-outs page.

pub mod add_numbers_form;
pub mod export_button;
pub mod no_opt_outs;
pub mod opt_out_table;
pub mod resubscribe_dialog;
