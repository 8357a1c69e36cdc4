//! The inbox's panes: threads, the conversation and its composer, the customer beside it.

pub mod canned_replies;
pub mod composer;
pub mod conversation;
pub mod customer_panel;
pub mod message_bubble;
pub mod thread_list;
pub mod thread_row;
pub mod unsubscribe_button;
pub mod when;

use textback_shared::inbox::ThreadDto;
use textback_shared::phone::format_national;

/// The customer's name, else their number as people write it.
pub fn thread_title(thread: &ThreadDto) -> String {
    match (&thread.name, &thread.phone) {
        (Some(name), _) if !name.trim().is_empty() => name.clone(),
        (_, Some(phone)) => format_national(phone),
        _ => "Unknown customer".into(),
    }
}
