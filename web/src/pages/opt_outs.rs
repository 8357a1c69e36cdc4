//! Opt-outs: who must never be texted, how they got there, adding a store's own list,
//! exporting it, and resubscribing one customer on evidence of new consent.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use textback_shared::opt_out::OptOutDto;
use textback_shared::{Page, ProblemCode};

use crate::api::{self, ApiError};
use crate::components::field::error_for;
use crate::components::load_more::LoadMore;
use crate::components::opt_outs::add_numbers_form::AddNumbersForm;
use crate::components::opt_outs::export_button::ExportCsvButton;
use crate::components::opt_outs::no_opt_outs::NoOptOuts;
use crate::components::opt_outs::opt_out_table::OptOutTable;
use crate::components::opt_outs::resubscribe_dialog::ResubscribeDialog;
use crate::components::states::{ErrorState, Loading};
use crate::contexts::session::use_session;

/// How long typing must pause before the search runs.
const SEARCH_DEBOUNCE: Duration = Duration::from_millis(300);

#[derive(Clone, PartialEq)]
enum ListState {
    Loading,
    Ready,
    Failed(ApiError),
}

#[component]
pub fn OptOutsPage() -> impl IntoView {
    let session = use_session();
    let items = RwSignal::new(Vec::<OptOutDto>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let list_state = RwSignal::new(ListState::Loading);
    let loading_more = RwSignal::new(false);
    let more_error = RwSignal::new(None::<String>);
    let search = RwSignal::new(String::new());
    let applied_search = RwSignal::new(String::new());
    // Answers for an older search must not overwrite a newer one.
    let generation = StoredValue::new(0_u64);
    let form_open = RwSignal::new(false);
    let to_resubscribe = RwSignal::new(None::<OptOutDto>);
    let evidence = RwSignal::new(String::new());
    let resubscribing = RwSignal::new(false);
    let resubscribe_error = RwSignal::new(None::<String>);

    let load_first = move |quiet: bool| {
        let current = generation.get_value() + 1;
        generation.set_value(current);
        if !quiet {
            list_state.set(ListState::Loading);
        }
        let q = applied_search.get_untracked();
        let client = session.client();
        spawn_local(async move {
            let result = api::opt_outs::list(&client, &q, None).await;
            // `try_`: the merchant may have left the page meanwhile (its values are gone).
            if generation.try_get_value() != Some(current) {
                return;
            }
            match result {
                Ok(page) => {
                    show_first_page(items, next_cursor, page);
                    list_state.set(ListState::Ready);
                }
                // A failed refresh after adding numbers keeps what is shown.
                Err(_) if quiet => {}
                Err(error) => list_state.set(ListState::Failed(error)),
            }
        });
    };

    Effect::new(move |_| {
        applied_search.track();
        load_first(false);
    });

    Effect::new(move |_| {
        let typed = search.get();
        set_timeout(
            move || {
                // `try_`: the merchant may have left the page meanwhile.
                if search.try_get_untracked().as_ref() == Some(&typed)
                    && applied_search.try_get_untracked().as_ref() != Some(&typed)
                {
                    applied_search.set(typed);
                }
            },
            SEARCH_DEBOUNCE,
        );
    });

    let load_more = Callback::new(move |()| {
        let Some(cursor) = next_cursor.get_untracked() else {
            return;
        };
        loading_more.set(true);
        more_error.set(None);
        let current = generation.get_value();
        let q = applied_search.get_untracked();
        let client = session.client();
        spawn_local(async move {
            let result = api::opt_outs::list(&client, &q, Some(&cursor)).await;
            if generation.try_get_value() == Some(current) {
                match result {
                    Ok(page) => append(items, next_cursor, page),
                    Err(error) => more_error.set(Some(error.message())),
                }
            }
            loading_more.set(false);
        });
    });

    let on_resubscribe = Callback::new(move |opt_out: OptOutDto| {
        evidence.set(String::new());
        resubscribe_error.set(None);
        to_resubscribe.set(Some(opt_out));
    });
    let confirm_resubscribe = Callback::new(move |()| {
        let Some(opt_out) = to_resubscribe.get_untracked() else {
            return;
        };
        resubscribing.set(true);
        resubscribe_error.set(None);
        let evidence = evidence.get_untracked().trim().to_owned();
        let client = session.client();
        spawn_local(async move {
            match api::opt_outs::resubscribe(&client, &opt_out.phone, &evidence).await {
                Ok(()) => removed(&opt_out, items, to_resubscribe),
                // Not found: resubscribed elsewhere already; either way it is off the list.
                Err(error) if error.code() == Some(ProblemCode::NotFound) => {
                    removed(&opt_out, items, to_resubscribe)
                }
                Err(error) => {
                    let message = error_for(error.field_errors(), "evidence")
                        .unwrap_or_else(|| error.message());
                    resubscribe_error.set(Some(message));
                }
            }
            resubscribing.set(false);
        });
    });

    let retry = Callback::new(move |()| load_first(false));
    let list = move || match list_state.get() {
        ListState::Loading => view! { <Loading label="Loading opt-outs…" /> }.into_any(),
        ListState::Failed(error) => view! { <ErrorState error on_retry=retry /> }.into_any(),
        ListState::Ready if items.with(Vec::is_empty) => {
            let searching = !applied_search.with(|s| s.trim().is_empty());
            view! { <NoOptOuts searching /> }.into_any()
        }
        ListState::Ready => view! {
            <OptOutTable items on_resubscribe />
            <LoadMore
                visible=Signal::derive(move || next_cursor.with(Option::is_some))
                busy=loading_more
                error=more_error
                on_load=load_more
            />
        }
        .into_any(),
    };

    view! {
        <div class="page-header">
            <div>
                <h1>"Opt-outs"</h1>
                <p class="muted">
                    "Numbers Textback never texts: customers who asked to stop, and numbers your store added."
                </p>
            </div>
            <div class="page-actions">
                <ExportCsvButton />
                <Show when=move || !form_open.get()>
                    <button type="button" class="button button-primary" data-testid="open-add-opt-outs" on:click=move |_| form_open.set(true)>
                        "Add numbers"
                    </button>
                </Show>
            </div>
        </div>
        <Show when=move || form_open.get()>
            <AddNumbersForm
                on_added=Callback::new(move |()| load_first(true))
                on_close=Callback::new(move |()| form_open.set(false))
            />
        </Show>
        <section class="card card-flush" aria-label="Opted-out numbers">
            <div class="list-toolbar">
                <input
                    type="search"
                    class="list-search"
                    placeholder="Search by number"
                    aria-label="Search opted-out numbers"
                    inputmode="tel"
                    data-testid="opt-outs-search"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
            </div>
            {list}
        </section>
        {move || to_resubscribe.get().map(|opt_out| view! {
            <ResubscribeDialog
                opt_out
                evidence
                busy=resubscribing
                error=resubscribe_error
                on_confirm=confirm_resubscribe
                on_cancel=Callback::new(move |()| to_resubscribe.set(None))
            />
        })}
    }
}

fn show_first_page(
    items: RwSignal<Vec<OptOutDto>>,
    next_cursor: RwSignal<Option<String>>,
    page: Page<OptOutDto>,
) {
    items.set(Vec::new());
    append(items, next_cursor, page);
}

fn append(
    items: RwSignal<Vec<OptOutDto>>,
    next_cursor: RwSignal<Option<String>>,
    page: Page<OptOutDto>,
) {
    items.update(|all| {
        // A number added while paging may arrive twice; keep one row per customer.
        let fresh: Vec<_> = page
            .items
            .into_iter()
            .filter(|new| all.iter().all(|old| old.contact_id != new.contact_id))
            .collect();
        all.extend(fresh);
    });
    next_cursor.set(page.next_cursor);
}

fn removed(
    opt_out: &OptOutDto,
    items: RwSignal<Vec<OptOutDto>>,
    to_resubscribe: RwSignal<Option<OptOutDto>>,
) {
    items.update(|all| all.retain(|o| o.contact_id != opt_out.contact_id));
    to_resubscribe.set(None);
}
