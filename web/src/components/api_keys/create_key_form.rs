use leptos::prelude::*;
use leptos::task::spawn_local;
use textback_shared::FieldError;
use textback_shared::api_keys::{CreateApiKeyRequest, CreatedApiKey, Scope};

use crate::api;
use crate::components::field::{TextField, error_for};
use crate::components::states::FormAlert;
use crate::contexts::session::use_session;

#[component]
pub fn CreateKeyForm(
    on_created: Callback<CreatedApiKey>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(Vec::<Scope>::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        form_error.set(None);
        // Canonical order, whatever order the boxes were ticked in.
        let chosen =
            scopes.with_untracked(|s| Scope::ALL.into_iter().filter(|x| s.contains(x)).collect());
        let request = CreateApiKeyRequest {
            name: name.get_untracked(),
            scopes: chosen,
        };
        let invalid = request.validate();
        errors.set(invalid.clone());
        if !invalid.is_empty() {
            return;
        }
        pending.set(true);
        let client = session.client();
        spawn_local(async move {
            match api::api_keys::create(&client, &request).await {
                // `try_run`: the page may have been left meanwhile.
                Ok(created) => {
                    let _ = on_created.try_run(created);
                }
                Err(error) if !error.field_errors().is_empty() => {
                    errors.set(error.field_errors().to_vec())
                }
                Err(error) => form_error.set(Some(error.message())),
            }
            pending.set(false);
        });
    };

    let name_error = Signal::derive(move || errors.with(|e| error_for(e, "name")));
    let scopes_error = move || errors.with(|e| error_for(e, "scopes"));

    view! {
        <section class="card" aria-labelledby="create-key-title">
            <h2 id="create-key-title">"Create an API key"</h2>
            <form class="form form-narrow" novalidate=true on:submit=submit data-testid="create-key-form">
                <FormAlert message=form_error />
                <TextField id="key-name" label="Name" value=name error=name_error hint="What the key is for, such as “Shopify sync”." />
                <fieldset class="field" class:field-invalid=move || scopes_error().is_some()>
                    <legend>"Scopes"</legend>
                    <p class="field-hint">"What the key may do. Choose at least one."</p>
                    <div class="scope-options">
                        {Scope::ALL.into_iter().map(|scope| view! { <ScopeOption scope scopes /> }).collect_view()}
                    </div>
                    {move || scopes_error().map(|m| view! { <p class="field-error" data-testid="key-scopes-error">{m}</p> })}
                </fieldset>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" data-testid="create-key-submit" disabled=move || pending.get()>
                        {move || if pending.get() { "Creating…" } else { "Create key" }}
                    </button>
                    <button type="button" class="button button-secondary" disabled=move || pending.get() on:click=move |_| on_cancel.run(())>
                        "Cancel"
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn ScopeOption(scope: Scope, scopes: RwSignal<Vec<Scope>>) -> impl IntoView {
    let id = format!("scope-{}", scope.as_str());
    let (label_for, testid) = (id.clone(), id.clone());
    let toggle = move |ev| {
        let checked = event_target_checked(&ev);
        scopes.update(|s| {
            s.retain(|x| *x != scope);
            if checked {
                s.push(scope);
            }
        });
    };

    view! {
        <label class="scope-option" for=label_for>
            <input
                type="checkbox"
                id=id
                data-testid=testid
                prop:checked=move || scopes.with(|s| s.contains(&scope))
                on:change=toggle
            />
            <span>
                <strong>{scope.as_str()}</strong>
                <span class="scope-description">{scope.description()}</span>
            </span>
        </label>
    }
}
