//! The middle pane's messages: oldest at the top, a separator for each day.

use leptos::html::Div;
use leptos::prelude::*;
use textback_shared::inbox::MessageDto;

use super::message_bubble::MessageBubble;
use super::when;

#[derive(Clone)]
enum Line {
    Day(String),
    Message(MessageDto),
}

impl Line {
    /// Changes when the line must be drawn again (a text's status moved on).
    fn key(&self) -> String {
        match self {
            Line::Day(label) => format!("day:{label}"),
            Line::Message(m) => format!("{}:{}:{:?}", m.id, m.status, m.error_code),
        }
    }
}

fn lines(messages: &[MessageDto], now_ms: f64) -> Vec<Line> {
    let mut lines = Vec::with_capacity(messages.len() + 4);
    let mut day = None;
    for message in messages {
        let key = when::day_key(&message.created_at);
        if day.as_ref() != Some(&key) {
            lines.push(Line::Day(when::day_label(&message.created_at, now_ms)));
            day = Some(key);
        }
        lines.push(Line::Message(message.clone()));
    }
    lines
}

#[component]
pub fn Conversation(
    /// Oldest first.
    #[prop(into)]
    messages: Signal<Vec<MessageDto>>,
    #[prop(into)] has_older: Signal<bool>,
    #[prop(into)] loading_older: Signal<bool>,
    /// Why the last request for older messages failed.
    #[prop(into)]
    older_error: Signal<Option<String>>,
    #[prop(into)] now: Signal<f64>,
    on_load_older: Callback<()>,
    scroller: NodeRef<Div>,
) -> impl IntoView {
    let on_scroll = move |_| {
        // Reaching the top asks for older texts, as chat apps do.
        let near_top = scroller
            .get_untracked()
            .is_some_and(|el| el.scroll_top() < 40);
        // Not again by itself after a failure: the button says what went wrong and retries.
        if near_top
            && has_older.get_untracked()
            && !loading_older.get_untracked()
            && older_error.with_untracked(Option::is_none)
        {
            on_load_older.run(());
        }
    };

    view! {
        <div class="conversation" node_ref=scroller on:scroll=on_scroll data-testid="conversation">
            <Show when=move || has_older.get()>
                <div class="load-older">
                    <button
                        type="button"
                        class="button button-quiet button-small"
                        data-testid="load-older"
                        disabled=move || loading_older.get()
                        on:click=move |_| on_load_older.run(())
                    >
                        {move || match (loading_older.get(), older_error.with(Option::is_some)) {
                            (true, _) => "Loading…",
                            (false, true) => "Try again",
                            (false, false) => "Load older messages",
                        }}
                    </button>
                    {move || older_error.get().map(|e| view! {
                        <p class="alert alert-error load-more-error" role="alert" data-testid="load-older-error">{e}</p>
                    })}
                </div>
            </Show>
            <For
                each=move || lines(&messages.get(), now.get_untracked())
                key=Line::key
                let:line
            >
                {match line {
                    Line::Day(label) => view! {
                        <div class="day-separator" role="separator"><span>{label}</span></div>
                    }
                    .into_any(),
                    Line::Message(message) => view! { <MessageBubble message /> }.into_any(),
                }}
            </For>
        </div>
    }
}
