//! The inbox: conversations on the left, the open one in the middle, the customer on the right.
//! The URL names the open thread (`/inbox/42`), so reload and back keep it open.

use std::collections::HashMap;
use std::time::Duration;

use leptos::html::{Div, Textarea};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use textback_shared::events::ContactDetailDto;
use textback_shared::inbox::{MessageDto, ReplyRequest, ThreadDto};
use textback_shared::phone::format_national;
use textback_shared::{Page, ProblemCode};
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::inbox::composer::Composer;
use crate::components::inbox::conversation::Conversation;
use crate::components::inbox::customer_panel::CustomerPanel;
use crate::components::inbox::thread_list::{ListState, ThreadList, ThreadListState};
use crate::components::inbox::thread_title;
use crate::components::states::{EmptyState, ErrorState, Loading};
use crate::contexts::session::use_session;
use crate::tasks::PageTasks;

/// Changes arrive on the live stream; this slow refresh is the fallback should the stream be
/// down, and keeps the "waiting" times current.
const REFRESH_EVERY: Duration = Duration::from_secs(60);
/// Changes arriving together (a dispatcher pass, a burst of replies) cause one refresh.
const COALESCE_CHANGES: Duration = Duration::from_millis(150);
/// How long typing must pause before the search runs.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);
/// Within this many pixels of the bottom, new messages keep the view at the bottom.
const STICK_TO_BOTTOM_PX: i32 = 80;
/// The API's default page size: a refresh of the first page covers this many threads.
const THREAD_PAGE: usize = 50;

const OPTED_OUT_REASON: &str = "This customer opted out of texts from your store, so you cannot \
     reply. If they text START, they are subscribed again and you can answer.";

#[component]
pub fn InboxPage() -> impl IntoView {
    let session = use_session();
    let tasks = PageTasks::new();
    let navigate = use_navigate();
    let params = use_params_map();
    let selected =
        Memo::new(move |_| params.with(|p| p.get("thread_id").and_then(|v| v.parse::<i64>().ok())));
    let has_selection = Memo::new(move |_| selected.get().is_some());

    let list = ThreadListState::new();
    let applied_search = RwSignal::new(String::new());
    // Requests for an older filter or search must not overwrite a newer one.
    let list_generation = StoredValue::new(0_u64);
    let more_pages_loaded = StoredValue::new(false);
    let now = RwSignal::new(js_sys::Date::now());

    let open_thread = RwSignal::new(None::<ThreadDto>);
    let messages = RwSignal::new(Vec::<MessageDto>::new());
    let messages_state = RwSignal::new(ListState::Loading);
    let older_cursor = RwSignal::new(None::<String>);
    let loading_older = RwSignal::new(false);
    // Why the older messages could not be had, shown by the button that asked for them.
    let older_error = RwSignal::new(None::<String>);
    let detail = RwSignal::new(None::<Result<ContactDetailDto, ApiError>>);
    let scroller = NodeRef::<Div>::new();
    let reply_input = NodeRef::<Textarea>::new();

    let draft = RwSignal::new(String::new());
    let drafts = StoredValue::new(HashMap::<i64, String>::new());
    let sending = RwSignal::new(false);
    let send_error = RwSignal::new(None::<String>);
    // The key of the last attempt: a retry of the same text to the same thread reuses it.
    let attempt = StoredValue::new(None::<(i64, String, String)>);

    let show_thread = move |thread: ThreadDto| {
        list.threads.update(|threads| {
            if let Some(t) = threads.iter_mut().find(|t| t.id == thread.id) {
                *t = thread.clone();
            }
        });
        // Only a change is set: a refresh that finds the same thread must not re-render the
        // panes (and close a dialog the merchant has open there).
        if selected.get_untracked() == Some(thread.id)
            && open_thread.with_untracked(|open| open.as_ref() != Some(&thread))
        {
            open_thread.set(Some(thread));
        }
    };

    let load_threads = move |quiet: bool| {
        let generation = list_generation.get_value() + 1;
        list_generation.set_value(generation);
        if !quiet {
            list.state.set(ListState::Loading);
            more_pages_loaded.set_value(false);
        }
        let (filter, search) = (list.filter.get_untracked(), applied_search.get_untracked());
        let client = session.client();
        tasks.spawn(async move {
            let result = api::inbox::list_threads(&client, filter, &search, None).await;
            if list_generation.get_value() != generation {
                return;
            }
            match result {
                Ok(page) => {
                    merge_first_page(list, page, more_pages_loaded.get_value());
                    list.state.set(ListState::Ready);
                }
                // A failed background refresh keeps what is shown; the next one may succeed.
                Err(_) if quiet => {}
                Err(error) => list.state.set(ListState::Failed(error)),
            }
        });
    };

    Effect::new(move |_| {
        list.filter.track();
        applied_search.track();
        load_threads(false);
    });

    Effect::new(move |_| {
        let typed = list.search.get();
        set_timeout(
            move || {
                // `try_`: the merchant may have left the page meanwhile.
                if list.search.try_get_untracked().as_ref() == Some(&typed)
                    && applied_search.try_get_untracked().as_ref() != Some(&typed)
                {
                    applied_search.set(typed);
                }
            },
            SEARCH_DEBOUNCE,
        );
    });

    let load_more = Callback::new(move |()| {
        let Some(cursor) = list.next_cursor.get_untracked() else {
            return;
        };
        list.loading_more.set(true);
        list.more_error.set(None);
        let generation = list_generation.get_value();
        let (filter, search) = (list.filter.get_untracked(), applied_search.get_untracked());
        let client = session.client();
        tasks.spawn(async move {
            let result = api::inbox::list_threads(&client, filter, &search, Some(&cursor)).await;
            if list_generation.get_value() == generation {
                match result {
                    Ok(page) => {
                        more_pages_loaded.set_value(true);
                        list.threads.update(|threads| {
                            for thread in page.items {
                                if !threads.iter().any(|t| t.id == thread.id) {
                                    threads.push(thread);
                                }
                            }
                        });
                        list.next_cursor.set(page.next_cursor);
                    }
                    Err(error) => list.more_error.set(Some(error.message())),
                }
            }
            list.loading_more.set(false);
        });
    });

    // Opening a thread: its latest messages, the customer, and marking it read.
    Effect::new(move |previous: Option<Option<i64>>| {
        let current = selected.get();
        if let Some(Some(previous)) = previous {
            let text = draft.get_untracked();
            drafts.update_value(|d| {
                d.insert(previous, text);
            });
        }
        let Some(id) = current else {
            open_thread.set(None);
            return current;
        };
        draft.set(drafts.with_value(|d| d.get(&id).cloned().unwrap_or_default()));
        send_error.set(None);
        messages.set(Vec::new());
        messages_state.set(ListState::Loading);
        older_cursor.set(None);
        older_error.set(None);
        detail.set(None);
        open_thread.set(
            list.threads
                .with_untracked(|ts| ts.iter().find(|t| t.id == id).cloned()),
        );
        let client = session.client();
        tasks.spawn(async move {
            match api::inbox::messages(&client, id, None).await {
                Ok(page) if selected.get_untracked() == Some(id) => {
                    older_cursor.set(page.next_cursor);
                    merge_messages(messages, page.items);
                    messages_state.set(ListState::Ready);
                    scroll_to_bottom(scroller);
                }
                Err(error) if selected.get_untracked() == Some(id) => {
                    messages_state.set(ListState::Failed(error));
                }
                _ => {}
            }
            match api::inbox::mark_read(&client, id).await {
                Ok(thread) => show_thread(thread),
                Err(error) if selected.get_untracked() == Some(id) => {
                    messages_state.set(ListState::Failed(error));
                }
                Err(_) => {}
            }
            let context = api::inbox::context(&client, id).await;
            if selected.get_untracked() == Some(id) {
                detail.set(Some(context));
            }
        });
        current
    });

    let refresh = move || {
        let hidden = document().hidden();
        if hidden {
            return;
        }
        now.set(js_sys::Date::now());
        let client = session.client();
        let open = selected.get_untracked();
        tasks.spawn(async move {
            if let Some(id) = open
                && messages_state.get_untracked() == ListState::Ready
            {
                if let Ok(page) = api::inbox::messages(&client, id, None).await
                    && selected.get_untracked() == Some(id)
                {
                    let at_bottom = near_bottom(scroller);
                    let before = messages.with_untracked(Vec::len);
                    merge_messages(messages, page.items);
                    if at_bottom && messages.with_untracked(Vec::len) != before {
                        scroll_to_bottom(scroller);
                    }
                }
                // The merchant is looking at it: what just arrived is read.
                let thread = match api::inbox::thread(&client, id).await {
                    Ok(t) if t.unread_count > 0 => api::inbox::mark_read(&client, id).await,
                    other => other,
                };
                if let Ok(thread) = thread {
                    show_thread(thread);
                }
                if let Ok(context) = api::inbox::context(&client, id).await
                    && selected.get_untracked() == Some(id)
                    && detail.with_untracked(|shown| {
                        shown.as_ref().and_then(|d| d.as_ref().ok()) != Some(&context)
                    })
                {
                    detail.set(Some(Ok(context)));
                }
            }
            if list.state.get_untracked() == ListState::Ready {
                load_threads(true);
            }
        });
    };
    if let Ok(handle) = set_interval_with_handle(refresh, REFRESH_EVERY) {
        on_cleanup(move || handle.clear());
    }
    let refresh_pending = StoredValue::new(false);
    let live = api::live::LiveStream::open(session.client(), move |_change| {
        // Every change concerns what the page shows (the list at least): fetch it again,
        // once for changes that arrive together. (`try_`: the page may be gone.)
        if refresh_pending.try_get_value() == Some(false) {
            refresh_pending.set_value(true);
            set_timeout(
                move || {
                    if refresh_pending.try_set_value(false).is_none() {
                        refresh();
                    }
                },
                COALESCE_CHANGES,
            );
        }
    });
    // Held by the cleanup itself: the page's stored values may be gone when it runs.
    let live = send_wrapper::SendWrapper::new(live);
    on_cleanup(move || live.close());
    // A hidden tab skips refreshes; catch up when it is shown again.
    let shown = window_event_listener_untyped("visibilitychange", move |_| refresh());
    on_cleanup(move || shown.remove());

    let select = {
        let navigate = navigate.clone();
        Callback::new(move |id: i64| navigate(&format!("/inbox/{id}"), Default::default()))
    };

    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || in_text_field(&ev) || modal_open() {
            return;
        }
        match ev.key().as_str() {
            "j" | "k" => {
                let step: isize = if ev.key() == "j" { 1 } else { -1 };
                let next = list.threads.with_untracked(|threads| {
                    let at = selected
                        .get_untracked()
                        .and_then(|id| threads.iter().position(|t| t.id == id));
                    let index = match at {
                        Some(i) => i.checked_add_signed(step).filter(|&i| i < threads.len()),
                        None => (!threads.is_empty()).then_some(0),
                    };
                    index.map(|i| threads[i].id)
                });
                if let Some(id) = next {
                    ev.prevent_default();
                    select.run(id);
                    reveal_row(id);
                }
            }
            "r" => {
                if let Some(input) = reply_input.get_untracked()
                    && !input.disabled()
                {
                    ev.prevent_default();
                    let _ = input.focus();
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    let blocked = Signal::derive(move || {
        open_thread.with(|t| {
            t.as_ref()
                .is_some_and(|t| t.opted_out)
                .then(|| OPTED_OUT_REASON.to_owned())
        })
    });

    let send = Callback::new(move |()| {
        let Some(id) = selected.get_untracked() else {
            return;
        };
        if sending.get_untracked() || blocked.get_untracked().is_some() {
            return;
        }
        let body = draft.get_untracked().trim().to_owned();
        let request = ReplyRequest { body: body.clone() };
        if let Some(problem) = request.problem() {
            send_error.set(Some(problem.to_owned()));
            return;
        }
        let key = match attempt.get_value() {
            Some((thread, text, key)) if thread == id && text == body => key,
            _ => new_idempotency_key(),
        };
        attempt.set_value(Some((id, body.clone(), key.clone())));
        sending.set(true);
        send_error.set(None);
        let client = session.client();
        tasks.spawn(async move {
            match api::inbox::reply(&client, id, &body, &key).await {
                Ok(message) => {
                    attempt.set_value(None);
                    drafts.update_value(|d| {
                        d.remove(&id);
                    });
                    if selected.get_untracked() == Some(id) {
                        draft.set(String::new());
                        merge_messages(messages, vec![message]);
                        scroll_to_bottom(scroller);
                    }
                    load_threads(true);
                }
                Err(error) => {
                    // Only an answer without a verdict may be retried under the same key.
                    if matches!(error, ApiError::Problem { .. }) {
                        attempt.set_value(None);
                    }
                    if error.code() == Some(ProblemCode::Conflict)
                        && let Ok(thread) = api::inbox::thread(&client, id).await
                    {
                        show_thread(thread);
                    }
                    if selected.get_untracked() == Some(id) {
                        send_error.set(Some(error.message()));
                    }
                }
            }
            sending.set(false);
        });
    });

    let load_older = Callback::new(move |()| {
        let (Some(id), Some(cursor)) = (selected.get_untracked(), older_cursor.get_untracked())
        else {
            return;
        };
        if loading_older.get_untracked() {
            return;
        }
        loading_older.set(true);
        older_error.set(None);
        let client = session.client();
        tasks.spawn(async move {
            let result = api::inbox::messages(&client, id, Some(&cursor)).await;
            if selected.get_untracked() != Some(id) {
                loading_older.set(false);
                return;
            }
            match result {
                Err(error) => older_error.set(Some(error.message())),
                Ok(page) => {
                    // Keep the messages on screen where they are while older ones go above.
                    let from_bottom = scroller
                        .get_untracked()
                        .map(|el| el.scroll_height() - el.scroll_top());
                    older_cursor.set(page.next_cursor);
                    merge_messages(messages, page.items);
                    if let Some(from_bottom) = from_bottom {
                        request_animation_frame(move || {
                            if let Some(el) = scroller.get_untracked() {
                                el.set_scroll_top(el.scroll_height() - from_bottom);
                            }
                        });
                    }
                }
            }
            loading_older.set(false);
        });
    });

    // The pane's Unsubscribe: the thread turns opted out at once; the customer's consent
    // line follows from a fresh context.
    let on_unsubscribed = Callback::new(move |thread: ThreadDto| {
        let id = thread.id;
        show_thread(thread);
        load_threads(true);
        let client = session.client();
        tasks.spawn(async move {
            if let Ok(context) = api::inbox::context(&client, id).await
                && selected.get_untracked() == Some(id)
            {
                detail.set(Some(Ok(context)));
            }
        });
    });

    let retry_threads = Callback::new(move |()| load_threads(false));
    let retry_messages = Callback::new(move |()| {
        // Re-running the opening effect is simplest: leave and come back to the same URL.
        if let Some(id) = selected.get_untracked() {
            messages_state.set(ListState::Loading);
            let client = session.client();
            tasks.spawn(async move {
                match api::inbox::messages(&client, id, None).await {
                    Ok(page) => {
                        older_cursor.set(page.next_cursor);
                        merge_messages(messages, page.items);
                        messages_state.set(ListState::Ready);
                        scroll_to_bottom(scroller);
                    }
                    Err(error) => messages_state.set(ListState::Failed(error)),
                }
            });
        }
    });

    // The URL names a conversation this store does not have (a mistyped or stale link).
    let missing = Memo::new(move |_| {
        messages_state.with(|s| {
            matches!(s, ListState::Failed(error) if error.code() == Some(ProblemCode::NotFound))
        })
    });

    let conversation = move || {
        if missing.get() {
            return view! {
                <div class="inbox-placeholder" data-testid="thread-not-found">
                    <EmptyState title="No such conversation">
                        <p>"This link does not lead to one of your store's conversations. Choose one on the left."</p>
                    </EmptyState>
                </div>
            }
            .into_any();
        }
        if !has_selection.get() {
            return view! {
                <div class="inbox-placeholder" data-testid="no-thread-selected">
                    <EmptyState title="No conversation open">
                        <p>"Choose a conversation on the left. Press j and k to move between them, r to reply."</p>
                    </EmptyState>
                </div>
            }
            .into_any();
        }
        view! {
            <header class="conversation-head">
                {move || open_thread.get().map(|thread| {
                    // Without a name the title is already the number.
                    let phone = thread.name.as_ref().and(thread.phone.as_deref()).map(format_national);
                    let title = thread_title(&thread);
                    view! {
                        <div>
                            <h2 data-testid="conversation-title">{title}</h2>
                            {phone.map(|p| view! { <p class="muted">{p}</p> })}
                        </div>
                        {thread.opted_out.then(|| view! {
                            <span class="badge badge-off" data-testid="conversation-opted-out">"Opted out"</span>
                        })}
                    }
                })}
            </header>
            {move || match messages_state.get() {
                ListState::Loading => view! { <Loading label="Loading messages…" /> }.into_any(),
                ListState::Failed(error) => view! { <ErrorState error on_retry=retry_messages /> }.into_any(),
                ListState::Ready => view! {
                    <Conversation
                        messages
                        has_older=Signal::derive(move || older_cursor.with(Option::is_some))
                        loading_older
                        older_error
                        now
                        on_load_older=load_older
                        scroller
                    />
                }
                .into_any(),
            }}
            <Composer draft blocked sending error=send_error on_send=send input=reply_input thread=selected />
        }
        .into_any()
    };

    view! {
        <h1 class="visually-hidden">"Inbox"</h1>
        <div class="inbox" class:inbox-open=move || has_selection.get() data-testid="inbox">
            <ThreadList
                list
                selected
                now
                on_select=select
                on_load_more=load_more
                on_retry=retry_threads
            />
            <section class="inbox-conversation" aria-label="Conversation">{conversation}</section>
            <Show
                when=move || has_selection.get() && !missing.get()
                fallback=|| view! { <aside class="inbox-customer inbox-customer-empty" aria-hidden="true"></aside> }
            >
                <CustomerPanel detail thread_id=selected on_unsubscribed />
            </Show>
        </div>
    }
}

/// A fresh first page in place of the old one; pages loaded beyond it stay below.
fn merge_first_page(list: ThreadListState, page: Page<ThreadDto>, more_pages_loaded: bool) {
    if !more_pages_loaded || page.items.len() < THREAD_PAGE {
        list.threads.set(page.items);
        list.next_cursor.set(page.next_cursor);
        return;
    }
    list.threads.update(|threads| {
        let rest: Vec<ThreadDto> = threads
            .drain(..)
            .filter(|old| !page.items.iter().any(|t| t.id == old.id))
            .collect();
        *threads = page.items;
        threads.extend(rest);
    });
}

/// Adds new messages and updates known ones (a status moved on), oldest first.
fn merge_messages(messages: RwSignal<Vec<MessageDto>>, incoming: Vec<MessageDto>) {
    messages.update(|all| {
        for message in incoming {
            match all.iter_mut().find(|m| m.id == message.id) {
                Some(known) => *known = message,
                None => all.push(message),
            }
        }
        all.sort_by_key(|m| (m.created_at, m.id));
    });
}

fn near_bottom(scroller: NodeRef<Div>) -> bool {
    scroller.get_untracked().is_none_or(|el| {
        el.scroll_height() - el.scroll_top() - el.client_height() < STICK_TO_BOTTOM_PX
    })
}

/// After the new messages are drawn.
fn scroll_to_bottom(scroller: NodeRef<Div>) {
    request_animation_frame(move || {
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    });
}

/// Keeps the row chosen with j/k on screen.
fn reveal_row(id: i64) {
    request_animation_frame(move || {
        let row = document()
            .query_selector(&format!("[data-thread-id=\"{id}\"]"))
            .ok()
            .flatten();
        if let Some(row) = row {
            row.scroll_into_view_with_bool(false);
        }
    });
}

/// Whether the key was typed into something that takes text: shortcuts must not steal it.
fn in_text_field(ev: &leptos::ev::KeyboardEvent) -> bool {
    let Some(element) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || element.is_content_editable()
}

/// Whether a confirmation (Unsubscribe, say) is open over the page: the page's shortcuts
/// wait until it is answered, or j would open another conversation behind it.
fn modal_open() -> bool {
    document()
        .query_selector("[aria-modal=\"true\"]")
        .ok()
        .flatten()
        .is_some()
}

/// Unique per send attempt; a retry of the same attempt sends the same key.
fn new_idempotency_key() -> String {
    let random = (js_sys::Math::random() * 1e16) as u64;
    format!("reply-{}-{random:x}", js_sys::Date::now() as u64)
}
