//! "Unsubscribe" in the customer pane: opts the customer out by hand, after a confirmation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use textback_shared::inbox::ThreadDto;

use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::contexts::session::use_session;

#[component]
pub fn UnsubscribeButton(
    thread_id: i64,
    /// Who, as the dialog names them.
    customer: String,
    /// The thread as it is now: opted out.
    on_unsubscribed: Callback<ThreadDto>,
) -> impl IntoView {
    let session = use_session();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let confirm = Callback::new(move |()| {
        busy.set(true);
        error.set(None);
        let client = session.client();
        spawn_local(async move {
            match api::inbox::unsubscribe(&client, thread_id).await {
                Ok(thread) => {
                    confirming.set(false);
                    // `try_run`: the inbox may have been left meanwhile.
                    let _ = on_unsubscribed.try_run(thread);
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    });

    view! {
        <button
            type="button"
            class="button button-danger-quiet button-small customer-unsubscribe"
            data-testid="customer-unsubscribe"
            on:click=move |_| {
                error.set(None);
                confirming.set(true);
            }
        >
            "Unsubscribe"
        </button>
        <Show when=move || confirming.get()>
            <ConfirmDialog
                title=format!("Unsubscribe {customer}?")
                message="They get no more texts from your store, not even replies, and anything \
                         scheduled for them is cancelled. They can subscribe again by texting START; \
                         you can resubscribe them on the Opt-outs page only with evidence of their \
                         new consent."
                confirm_label="Unsubscribe"
                busy_label="Unsubscribing…"
                busy
                error
                on_confirm=confirm
                on_cancel=Callback::new(move |()| confirming.set(false))
            />
        </Show>
    }
}
