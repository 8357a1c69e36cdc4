//! One conversation in the left pane.

use leptos::prelude::*;
use textback_shared::inbox::ThreadDto;

use super::thread_title;
use super::when;

#[component]
pub fn ThreadRow(
    thread: ThreadDto,
    #[prop(into)] selected: Signal<bool>,
    /// The browser's clock, in milliseconds, ticking with the polls.
    #[prop(into)]
    now: Signal<f64>,
    on_select: Callback<i64>,
) -> impl IntoView {
    let id = thread.id;
    let unread = thread.unread_count > 0;
    let title = thread_title(&thread);
    let last_at = thread.last_message_at;
    let waiting_since = thread.waiting_since;
    let count_label = format!(
        "{} unread message{}",
        thread.unread_count,
        if thread.unread_count == 1 { "" } else { "s" }
    );

    view! {
        <li>
            <button
                type="button"
                class="thread-row"
                class:thread-unread=unread
                class:thread-selected=move || selected.get()
                aria-current=move || selected.get().then_some("true")
                data-testid="thread-row"
                data-thread-id=id.to_string()
                data-unread=unread.to_string()
                on:click=move |_| on_select.run(id)
            >
                <span class="thread-top">
                    <span class="thread-name" data-testid="thread-name">{title}</span>
                    <time class="thread-time" datetime=last_at.to_rfc3339()>
                        {move || when::relative(&last_at, now.get())}
                    </time>
                </span>
                <span class="thread-bottom">
                    <span class="thread-snippet" data-testid="thread-snippet">{thread.snippet}</span>
                    {unread.then(|| view! {
                        <span class="thread-count" data-testid="thread-unread-count" aria-label=count_label>
                            {thread.unread_count}
                        </span>
                    })}
                </span>
                {move || {
                    let waiting = when::waiting(waiting_since.as_ref(), now.get());
                    (thread.opted_out || waiting.is_some()).then(|| view! {
                        <span class="thread-flags">
                            {thread.opted_out.then(|| view! {
                                <span class="badge badge-off" data-testid="thread-opted-out">"Opted out"</span>
                            })}
                            {waiting.map(|w| view! {
                                <span class="badge badge-waiting" data-testid="thread-waiting">{w}</span>
                            })}
                        </span>
                    })
                }}
            </button>
        </li>
    }
}
