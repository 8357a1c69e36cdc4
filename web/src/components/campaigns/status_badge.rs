use leptos::prelude::*;
use textback_shared::campaigns::CampaignStatus;

pub fn status_label(status: CampaignStatus) -> &'static str {
    match status {
        CampaignStatus::Draft => "Draft",
        CampaignStatus::Active => "Active",
        CampaignStatus::Paused => "Paused",
        CampaignStatus::Stopped => "Stopped",
    }
}

/// The campaign's status; a stopped one says why, since the merchant did not stop it.
#[component]
pub fn StatusBadge(#[prop(into)] status: Signal<CampaignStatus>) -> impl IntoView {
    view! {
        <span class="status">
            <span
                class=move || format!("badge badge-{}", status.get().as_str())
                data-testid="campaign-status"
            >
                {move || status_label(status.get())}
            </span>
            {move || {
                (status.get() == CampaignStatus::Stopped)
                    .then(|| view! { <span class="status-note muted">"Stopped: the SMS number was released"</span> })
            }}
        </span>
    }
}
