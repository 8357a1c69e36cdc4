use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use textback_shared::numbers::PhoneNumberDto;
use textback_shared::phone::format_national;

use crate::components::confirm_dialog::ConfirmDialog;
use crate::format;

/// "Release number": what it means, and the number typed back before it can go ahead.
#[component]
pub fn ReleaseDialog(
    number: PhoneNumberDto,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let national = format_national(&number.phone_number);
    let expected = format::phone_digits(&number.phone_number);
    let typed = RwSignal::new(String::new());
    let ready = Signal::derive(move || format::phone_digits(&typed.get()) == expected);
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && ready.get_untracked() && !busy.get_untracked() {
            on_confirm.run(());
        }
    };

    view! {
        <ConfirmDialog
            title=format!("Release {national}?")
            message="Releasing the number turns SMS off for your store:"
            confirm_label="Release number"
            busy_label="Releasing…"
            busy
            error
            on_confirm
            on_cancel
            ready
        >
            <ul class="consequences" data-testid="release-consequences">
                <li>"Every SMS campaign stops immediately, and nothing scheduled goes out. They stay stopped until you activate them again, even once you have a new number."</li>
                <li>"The number is released and likely cannot be recovered: someone else may get it."</li>
                <li>"SMS charges stop as of today."</li>
            </ul>
            <div class="field">
                <label for="release-confirm-input">"Type " <strong>{national.clone()}</strong> " to confirm"</label>
                <input
                    id="release-confirm-input"
                    type="text"
                    inputmode="tel"
                    autocomplete="off"
                    data-testid="release-confirm-input"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                    on:keydown=on_keydown
                />
            </div>
        </ConfirmDialog>
    }
}
