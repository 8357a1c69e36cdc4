//! The reply box: Enter sends, Shift+Enter starts a new line.

use leptos::html::Textarea;
use leptos::prelude::*;
use textback_shared::inbox::MAX_REPLY_CHARS;

use crate::components::campaigns::step_editor::segment_summary;

#[component]
pub fn Composer(
    draft: RwSignal<String>,
    /// Why replying is impossible now (the customer opted out), if it is.
    #[prop(into)]
    blocked: Signal<Option<String>>,
    #[prop(into)] sending: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
    on_send: Callback<()>,
    input: NodeRef<Textarea>,
) -> impl IntoView {
    let disabled = move || blocked.with(Option::is_some);
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        // An IME composition uses Enter to pick a word, not to send.
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            on_send.run(());
        }
    };
    let too_long = move || draft.with(|d| d.trim().chars().count() > MAX_REPLY_CHARS);

    view! {
        <form
            class="composer"
            data-testid="composer"
            on:submit=move |ev| {
                ev.prevent_default();
                on_send.run(());
            }
        >
            {move || blocked.get().map(|reason| view! {
                <p class="composer-blocked" data-testid="composer-disabled-reason">{reason}</p>
            })}
            {move || error.get().map(|e| view! {
                <p class="alert alert-error composer-error" role="alert" data-testid="composer-error">{e}</p>
            })}
            <label class="visually-hidden" for="reply-input">"Reply"</label>
            <textarea
                id="reply-input"
                class="composer-input"
                rows="3"
                node_ref=input
                placeholder=move || if disabled() { "Replies are off for this customer" } else { "Write a reply… (Enter sends, Shift+Enter adds a line)" }
                data-testid="composer-input"
                disabled=disabled
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=on_keydown
            ></textarea>
            <div class="composer-foot">
                <span class="segment-counter" class:composer-too-long=too_long data-testid="segment-counter">
                    {move || draft.with(|d| segment_summary(d.trim()))}
                </span>
                <button
                    type="submit"
                    class="button button-primary"
                    data-testid="composer-send"
                    disabled=move || disabled() || sending.get() || draft.with(|d| d.trim().is_empty())
                >
                    {move || if sending.get() { "Sending…" } else { "Send" }}
                </button>
            </div>
        </form>
    }
}
