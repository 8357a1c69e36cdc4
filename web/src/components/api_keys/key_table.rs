use leptos::prelude::*;
use textback_shared::api_keys::{ApiKeyDto, Scope};

use crate::format;

#[component]
pub fn KeyTable(
    #[prop(into)] keys: Signal<Vec<ApiKeyDto>>,
    on_revoke: Callback<ApiKeyDto>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="api-keys-table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Scopes"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || keys.get() key=|key| key.id let:key>
                        <KeyRow key on_revoke />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn KeyRow(key: ApiKeyDto, on_revoke: Callback<ApiKeyDto>) -> impl IntoView {
    let last_used = key
        .last_used_at
        .as_ref()
        .map_or_else(|| "Never".to_owned(), format::date_time);
    let revoke_label = format!("Revoke {}", key.name);
    let row_key = key.clone();

    view! {
        <tr data-testid="api-key-row" data-key-id=key.id.to_string()>
            <td class="key-name" data-label="Name">{key.name.clone()}</td>
            <td data-label="Key"><code>{format!("{}…", key.prefix)}</code></td>
            <td data-label="Scopes">
                <ul class="chips">
                    {ordered(&key.scopes).into_iter().map(|s| view! { <li class="chip" title=s.description()>{s.as_str()}</li> }).collect_view()}
                </ul>
            </td>
            <td data-label="Created">{format::date_time(&key.created_at)}</td>
            <td data-label="Last used" class:muted=key.last_used_at.is_none()>{last_used}</td>
            <td class="row-actions">
                <button
                    type="button"
                    class="button button-danger-quiet button-small"
                    aria-label=revoke_label
                    data-testid="revoke-key"
                    on:click=move |_| on_revoke.run(row_key.clone())
                >
                    "Revoke"
                </button>
            </td>
        </tr>
    }
}

/// The scopes in their canonical order, whatever order the server sent.
fn ordered(scopes: &[Scope]) -> Vec<Scope> {
    Scope::ALL
        .into_iter()
        .filter(|s| scopes.contains(s))
        .collect()
}
