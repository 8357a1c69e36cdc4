use leptos::prelude::*;

use crate::components::states::EmptyState;

/// The empty list: what it is for, or that the search found nothing.
#[component]
pub fn NoOptOuts(searching: bool) -> impl IntoView {
    if searching {
        return view! {
            <EmptyState title="No opted-out numbers match">
                <p>"Try part of the number, written any way."</p>
            </EmptyState>
        }
        .into_any();
    }
    view! {
        <EmptyState title="No one has opted out">
            <p>
                "Customers who text STOP (or ask to stop in their own words) appear here, "
                "with numbers your store adds itself."
            </p>
            <p>"Textback never texts a number on this list: no campaigns, no replies."</p>
        </EmptyState>
    }
    .into_any()
}
