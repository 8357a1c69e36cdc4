//! The left pane: search, filter tabs and the conversations, most recent first.

use leptos::prelude::*;
use textback_shared::inbox::{ThreadDto, ThreadFilter};

use super::thread_row::ThreadRow;
use crate::api::ApiError;
use crate::api::inbox::filter_value;
use crate::components::load_more::LoadMore;
use crate::components::states::{EmptyState, ErrorState, Loading};

const FILTERS: [(ThreadFilter, &str); 4] = [
    (ThreadFilter::All, "All"),
    (ThreadFilter::Unread, "Unread"),
    (ThreadFilter::AwaitingReply, "Awaiting reply"),
    (ThreadFilter::OptedOut, "Opted out"),
];

#[derive(Debug, Clone, PartialEq)]
pub enum ListState {
    Loading,
    Ready,
    Failed(ApiError),
}

/// Everything the pane shows, owned by the page (polling and keyboard need it too).
#[derive(Clone, Copy)]
pub struct ThreadListState {
    pub threads: RwSignal<Vec<ThreadDto>>,
    pub next_cursor: RwSignal<Option<String>>,
    pub state: RwSignal<ListState>,
    pub filter: RwSignal<ThreadFilter>,
    /// What is typed in the search box; the page applies it after a pause.
    pub search: RwSignal<String>,
    pub loading_more: RwSignal<bool>,
    pub more_error: RwSignal<Option<String>>,
}

impl ThreadListState {
    pub fn new() -> Self {
        Self {
            threads: RwSignal::new(Vec::new()),
            next_cursor: RwSignal::new(None),
            state: RwSignal::new(ListState::Loading),
            filter: RwSignal::new(ThreadFilter::All),
            search: RwSignal::new(String::new()),
            loading_more: RwSignal::new(false),
            more_error: RwSignal::new(None),
        }
    }
}

#[component]
pub fn ThreadList(
    list: ThreadListState,
    #[prop(into)] selected: Signal<Option<i64>>,
    #[prop(into)] now: Signal<f64>,
    on_select: Callback<i64>,
    on_load_more: Callback<()>,
    on_retry: Callback<()>,
) -> impl IntoView {
    let rows = move || {
        match list.state.get() {
        ListState::Loading => view! { <Loading label="Loading conversations…" /> }.into_any(),
        ListState::Failed(error) => view! { <ErrorState error on_retry /> }.into_any(),
        ListState::Ready if list.threads.with(Vec::is_empty) => {
            let searching = !list.search.with(|s| s.trim().is_empty())
                || list.filter.get() != ThreadFilter::All;
            if searching {
                view! {
                    <EmptyState title="No conversations match">
                        <p>"Try another filter or search."</p>
                    </EmptyState>
                }
                .into_any()
            } else {
                view! {
                    <EmptyState title="No conversations yet">
                        <p>
                            "When customers text your store's number, or your campaigns text them, "
                            "the conversations appear here."
                        </p>
                    </EmptyState>
                }
                .into_any()
            }
        }
        ListState::Ready => view! {
            <ul class="thread-list" data-testid="thread-list">
                <For
                    each=move || list.threads.get()
                    // Keyed by what a row shows, so a changed thread is drawn again.
                    key=|t| (t.id, t.last_message_at, t.unread_count, t.opted_out, t.waiting_since, t.snippet.clone())
                    let:thread
                >
                    {
                        let id = thread.id;
                        view! {
                            <ThreadRow
                                thread
                                selected=Signal::derive(move || selected.get() == Some(id))
                                now
                                on_select
                            />
                        }
                    }
                </For>
            </ul>
            <LoadMore
                visible=Signal::derive(move || list.next_cursor.with(Option::is_some))
                busy=list.loading_more
                error=list.more_error
                on_load=on_load_more
            />
        }
        .into_any(),
    }
    };

    view! {
        <section class="inbox-threads" aria-label="Conversations">
            <div class="inbox-threads-head">
                <input
                    type="search"
                    class="inbox-search"
                    placeholder="Search name, email or number"
                    aria-label="Search conversations"
                    data-testid="inbox-search"
                    prop:value=move || list.search.get()
                    on:input=move |ev| list.search.set(event_target_value(&ev))
                />
                <div class="inbox-filters" role="tablist" aria-label="Show">
                    {FILTERS.into_iter().map(|(filter, label)| view! {
                        <button
                            type="button"
                            role="tab"
                            class="inbox-filter"
                            aria-selected=move || (list.filter.get() == filter).to_string()
                            data-testid=format!("inbox-filter-{}", filter_value(filter))
                            on:click=move |_| list.filter.set(filter)
                        >
                            {label}
                        </button>
                    }).collect_view()}
                </div>
            </div>
            <div class="inbox-threads-body">{rows}</div>
        </section>
    }
}
