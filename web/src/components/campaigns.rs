//! Pieces shared by the campaigns list and the campaign editor.

pub mod activation;
pub mod status_badge;
pub mod step_editor;

use textback_shared::templates::CampaignKind;

/// "Abandoned cart", for headings and badges.
pub fn kind_title(kind: CampaignKind) -> String {
    let label = kind.label();
    let mut chars = label.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What each kind of campaign does, for the empty state and the kind chooser.
pub fn kind_description(kind: CampaignKind) -> &'static str {
    match kind {
        CampaignKind::AbandonedCart => {
            "Up to five reminders after a customer leaves items in their cart, with an optional discount code."
        }
        CampaignKind::OrderUpdate => "One text whenever an order reaches the statuses you choose.",
        CampaignKind::OrderShipped => "One text with the tracking link when an order ships.",
        CampaignKind::OrderOnHold => "One text when an order is put on hold.",
    }
}
