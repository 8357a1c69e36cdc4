use leptos::prelude::*;

use crate::components::states::EmptyState;

/// The empty list: what keys are for, and the way to make the first one.
#[component]
pub fn NoKeys(form_open: RwSignal<bool>) -> impl IntoView {
    view! {
        <EmptyState title="No API keys yet">
            <p>
                "API keys let your store platform and other integrations talk to Textback: "
                "send cart and order events, read contacts and messages, and send texts on your behalf."
            </p>
            <p>"Each key has its own scopes, and you can revoke it at any time."</p>
            <Show when=move || !form_open.get()>
                <button
                    type="button"
                    class="button button-primary"
                    data-testid="empty-create-key"
                    on:click=move |_| form_open.set(true)
                >
                    "Create your first key"
                </button>
            </Show>
        </EmptyState>
    }
}
