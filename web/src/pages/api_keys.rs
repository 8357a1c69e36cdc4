use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use textback_shared::api_keys::{ApiKeyDto, CreatedApiKey};
use textback_shared::{Page, ProblemCode};

use crate::api::{self, ApiError};
use crate::components::api_keys::create_key_form::CreateKeyForm;
use crate::components::api_keys::key_table::KeyTable;
use crate::components::api_keys::new_secret::NewSecret;
use crate::components::api_keys::no_keys::NoKeys;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::load_more::LoadMore;
use crate::components::states::{ErrorState, Loading};
use crate::contexts::session::use_session;

#[derive(Clone, PartialEq)]
enum ListState {
    Loading,
    Ready,
    Failed(ApiError),
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let session = use_session();
    let keys = RwSignal::new(Vec::<ApiKeyDto>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let list_state = RwSignal::new(ListState::Loading);
    let loading_more = RwSignal::new(false);
    let more_error = RwSignal::new(None::<String>);
    // The overview's call to action links here with `?create` to open the form at once.
    let form_open = RwSignal::new(use_query_map().with_untracked(|q| q.get("create").is_some()));
    let created = RwSignal::new(None::<CreatedApiKey>);
    let to_revoke = RwSignal::new(None::<ApiKeyDto>);
    let revoking = RwSignal::new(false);
    let revoke_error = RwSignal::new(None::<String>);

    let load_first = move || {
        list_state.set(ListState::Loading);
        let client = session.client();
        spawn_local(async move {
            match api::api_keys::list(&client, None, None).await {
                Ok(page) => {
                    keys.set(Vec::new());
                    append(keys, next_cursor, page);
                    list_state.set(ListState::Ready);
                }
                Err(error) => list_state.set(ListState::Failed(error)),
            }
        });
    };
    load_first();

    let load_more = Callback::new(move |()| {
        let Some(cursor) = next_cursor.get_untracked() else {
            return;
        };
        loading_more.set(true);
        more_error.set(None);
        let client = session.client();
        spawn_local(async move {
            match api::api_keys::list(&client, Some(&cursor), None).await {
                Ok(page) => append(keys, next_cursor, page),
                Err(error) => more_error.set(Some(error.message())),
            }
            loading_more.set(false);
        });
    });

    let on_created = Callback::new(move |new: CreatedApiKey| {
        keys.update(|k| k.insert(0, new.key.clone()));
        form_open.set(false);
        created.set(Some(new));
    });
    let on_revoke = Callback::new(move |key: ApiKeyDto| {
        revoke_error.set(None);
        to_revoke.set(Some(key));
    });
    let confirm_revoke = Callback::new(move |()| {
        let Some(key) = to_revoke.get_untracked() else {
            return;
        };
        revoking.set(true);
        let client = session.client();
        spawn_local(async move {
            match api::api_keys::revoke(&client, key.id).await {
                // Not found: already revoked elsewhere; either way it is gone.
                Ok(()) => removed(key.id, keys, created, to_revoke),
                Err(error) if error.code() == Some(ProblemCode::NotFound) => {
                    removed(key.id, keys, created, to_revoke)
                }
                Err(error) => revoke_error.set(Some(error.message())),
            }
            revoking.set(false);
        });
    });

    let retry = Callback::new(move |()| load_first());
    let list = move || match list_state.get() {
        ListState::Loading => view! { <Loading label="Loading API keys…" /> }.into_any(),
        ListState::Failed(error) => view! { <ErrorState error on_retry=retry /> }.into_any(),
        ListState::Ready if keys.with(Vec::is_empty) => view! { <NoKeys form_open /> }.into_any(),
        ListState::Ready => view! {
            <KeyTable keys on_revoke />
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
                <p class="breadcrumb">"Settings"</p>
                <h1>"API keys"</h1>
                <p class="muted">"Keys let integrations call the Textback API for your store. Treat them like passwords."</p>
            </div>
            <Show when=move || !form_open.get() && created.with(Option::is_none)>
                <button type="button" class="button button-primary" data-testid="open-create-key" on:click=move |_| form_open.set(true)>
                    "Create key"
                </button>
            </Show>
        </div>
        {move || created.get().map(|new| view! { <NewSecret created=new on_done=Callback::new(move |()| created.set(None)) /> })}
        <Show when=move || form_open.get()>
            <CreateKeyForm on_created on_cancel=Callback::new(move |()| form_open.set(false)) />
        </Show>
        <section class="card card-flush" aria-label="Your API keys">{list}</section>
        {move || to_revoke.get().map(|key| view! {
            <ConfirmDialog
                title="Revoke API key"
                message=format!("Revoke {}? Integrations using it stop working at once.", key.name)
                confirm_label="Revoke key"
                busy_label="Revoking…"
                busy=revoking
                error=revoke_error
                on_confirm=confirm_revoke
                on_cancel=Callback::new(move |()| to_revoke.set(None))
            />
        })}
    }
}

fn append(
    keys: RwSignal<Vec<ApiKeyDto>>,
    next_cursor: RwSignal<Option<String>>,
    page: Page<ApiKeyDto>,
) {
    keys.update(|k| {
        // A key created on this page may also arrive in a later page; keep one copy.
        let fresh: Vec<_> = page
            .items
            .into_iter()
            .filter(|new| k.iter().all(|old| old.id != new.id))
            .collect();
        k.extend(fresh);
    });
    next_cursor.set(page.next_cursor);
}

fn removed(
    id: i64,
    keys: RwSignal<Vec<ApiKeyDto>>,
    created: RwSignal<Option<CreatedApiKey>>,
    to_revoke: RwSignal<Option<ApiKeyDto>>,
) {
    keys.update(|k| k.retain(|key| key.id != id));
    if created.with_untracked(|c| c.as_ref().is_some_and(|c| c.key.id == id)) {
        created.set(None);
    }
    to_revoke.set(None);
}
