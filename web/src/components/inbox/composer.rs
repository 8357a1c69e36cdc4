//! The reply box: Enter sends, Shift+Enter starts a new line; "/" or the button opens the
//! canned replies.

use leptos::html::Textarea;
use leptos::prelude::*;
use leptos::task::spawn_local;
use textback_shared::inbox::{CannedReplyDto, MAX_REPLY_CHARS};

use crate::api;
use crate::components::campaigns::step_editor::segment_summary;
use crate::components::inbox::canned_replies::{CannedReplyPicker, RepliesState, matching};
use crate::contexts::session::use_session;

/// How the picker was opened: after "/" in the empty box, what follows it filters the list and the
/// chosen reply replaces it; from the button, the list is whole and the reply follows the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PickerMode {
    Closed,
    Slash,
    Button,
}

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
    /// The open conversation, whose customer a canned reply is filled in for.
    #[prop(into)]
    thread: Signal<Option<i64>>,
) -> impl IntoView {
    let session = use_session();
    let disabled = move || blocked.with(Option::is_some);
    let mode = RwSignal::new(PickerMode::Closed);
    let replies = RwSignal::new(RepliesState::Loading);
    let picking = RwSignal::new(false);
    let pick_error = RwSignal::new(None::<String>);
    let matches = Memo::new(move |_| {
        let filter = match mode.get() {
            PickerMode::Slash => draft.with(|d| d.strip_prefix('/').unwrap_or_default().to_owned()),
            _ => String::new(),
        };
        replies.with(|r| match r {
            RepliesState::Ready(list) => matching(list, &filter),
            _ => Vec::new(),
        })
    });

    let open_picker = move |how: PickerMode| {
        mode.set(how);
        pick_error.set(None);
        // Loaded on every opening, so replies added elsewhere show up.
        replies.set(RepliesState::Loading);
        let client = session.client();
        spawn_local(async move {
            let state = match api::inbox::canned_replies(&client).await {
                Ok(list) => RepliesState::Ready(list),
                Err(error) => RepliesState::Failed(error.message()),
            };
            replies.set(state);
        });
    };
    let close_picker = Callback::new(move |()| {
        mode.set(PickerMode::Closed);
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    });
    let pick = Callback::new(move |reply: CannedReplyDto| {
        let Some(thread_id) = thread.get_untracked() else {
            return;
        };
        picking.set(true);
        pick_error.set(None);
        let client = session.client();
        spawn_local(async move {
            let result = api::inbox::render_canned_reply(&client, thread_id, reply.id).await;
            picking.set(false);
            // Another conversation opened meanwhile: this customer's text does not belong there.
            // (Or the inbox was left, and its values are gone.)
            if thread.try_get_untracked() != Some(Some(thread_id)) {
                return;
            }
            match result {
                Ok(body) => {
                    // The filled-in text replaces the "/…" that opened the picker; from the
                    // button it follows what was already written, which is never thrown away.
                    draft.update(|d| {
                        let kept = d.trim_end();
                        *d = if kept.is_empty() || kept.starts_with('/') {
                            body
                        } else {
                            format!("{kept} {body}")
                        };
                    });
                    close_picker.run(());
                }
                Err(error) => pick_error.set(Some(error.message())),
            }
        });
    });
    // A different conversation starts with the picker closed.
    Effect::new(move |previous: Option<Option<i64>>| {
        let current = thread.get();
        if previous.is_some_and(|p| p != current) {
            mode.set(PickerMode::Closed);
        }
        current
    });

    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let was_empty = draft.with_untracked(String::is_empty);
        if value == "/" && was_empty && mode.get_untracked() == PickerMode::Closed {
            open_picker(PickerMode::Slash);
        } else if mode.get_untracked() == PickerMode::Slash && !value.starts_with('/') {
            // The "/" was deleted: back to an ordinary reply.
            mode.set(PickerMode::Closed);
        }
        draft.set(value);
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let open = mode.get_untracked() != PickerMode::Closed;
        if open && ev.key() == "Escape" {
            ev.prevent_default();
            mode.set(PickerMode::Closed);
            return;
        }
        // An IME composition uses Enter to pick a word, not to send.
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            if mode.get_untracked() == PickerMode::Slash {
                // "/ship" then Enter takes the first match rather than sending "/ship".
                if let Some(first) = matches.with_untracked(|m| m.first().cloned())
                    && !picking.get_untracked()
                {
                    pick.run(first);
                }
                return;
            }
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
            // Escape closes the picker from anywhere in the composer: opened with its button,
            // the focus is still on that button.
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" && mode.get_untracked() != PickerMode::Closed {
                    ev.prevent_default();
                    close_picker.run(());
                }
            }
        >
            {move || blocked.get().map(|reason| view! {
                <p class="composer-blocked" data-testid="composer-disabled-reason">{reason}</p>
            })}
            {move || error.get().map(|e| view! {
                <p class="alert alert-error composer-error" role="alert" data-testid="composer-error">{e}</p>
            })}
            {move || (mode.get() != PickerMode::Closed).then(|| view! {
                <CannedReplyPicker
                    state=replies
                    matches
                    picking
                    pick_error
                    on_pick=pick
                    on_close=close_picker
                />
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
                aria-haspopup="dialog"
                aria-expanded=move || (mode.get() != PickerMode::Closed).to_string()
                on:input=on_input
                on:keydown=on_keydown
            ></textarea>
            <div class="composer-foot">
                <span class="segment-counter" class:composer-too-long=too_long data-testid="segment-counter">
                    {move || draft.with(|d| segment_summary(d.trim()))}
                </span>
                <span class="composer-actions">
                <button
                    type="button"
                    class="button button-small"
                    data-testid="canned-replies-button"
                    aria-expanded=move || (mode.get() != PickerMode::Closed).to_string()
                    disabled=disabled
                    on:click=move |_| {
                        if mode.get_untracked() == PickerMode::Closed {
                            open_picker(PickerMode::Button);
                        } else {
                            close_picker.run(());
                        }
                    }
                >
                    "Canned replies"
                </button>
                <button
                    type="submit"
                    class="button button-primary"
                    data-testid="composer-send"
                    disabled=move || disabled() || sending.get() || draft.with(|d| d.trim().is_empty())
                >
                    {move || if sending.get() { "Sending…" } else { "Send" }}
                </button>
                </span>
            </div>
        </form>
    }
}
