//! An in-page confirmation for actions with consequences: destructive ones, and ones that cost
//! money.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(into)] confirm_label: String,
    #[prop(into)] busy_label: String,
    /// True while the action runs: both buttons wait.
    #[prop(into)]
    busy: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
    /// More to read or do before confirming, below the message.
    #[prop(optional)]
    children: Option<Children>,
    /// Whether the confirm button may be pressed yet (e.g. once the person typed a check).
    #[prop(into, optional)]
    ready: Option<Signal<bool>>,
    /// A positive action (a purchase) rather than a destructive one.
    #[prop(optional)]
    primary: bool,
) -> impl IntoView {
    let ready = ready.unwrap_or_else(|| Signal::stored(true));
    let confirm_class = if primary {
        "button button-primary"
    } else {
        "button button-danger"
    };
    let cancel_ref = NodeRef::<html::Button>::new();
    // Focus the safe choice, so Enter right after opening does not destroy anything.
    Effect::new(move |_| {
        if let Some(button) = cancel_ref.get() {
            let _ = button.focus();
        }
    });
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && !busy.get_untracked() {
            on_cancel.run(());
        }
    };

    view! {
        <div class="dialog-backdrop" on:keydown=on_keydown>
            <div
                class="dialog"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby="confirm-title"
                aria-describedby="confirm-message"
                data-testid="confirm-dialog"
            >
                <h2 id="confirm-title">{title}</h2>
                <p id="confirm-message">{message}</p>
                {children.map(|children| children())}
                {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                <div class="dialog-actions">
                    <button
                        type="button"
                        class="button button-secondary"
                        node_ref=cancel_ref
                        data-testid="confirm-cancel"
                        disabled=move || busy.get()
                        on:click=move |_| on_cancel.run(())
                    >
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class=confirm_class
                        data-testid="confirm-ok"
                        disabled=move || busy.get() || !ready.get()
                        on:click=move |_| on_confirm.run(())
                    >
                        {move || if busy.get() { busy_label.clone() } else { confirm_label.clone() }}
                    </button>
                </div>
            </div>
        </div>
    }
}
