//! Settings: changing the password of the person logged in.

use leptos::prelude::*;
use leptos::task::spawn_local;
use textback_shared::FieldError;
use textback_shared::auth::ChangePasswordRequest;
use textback_shared::validation::MIN_PASSWORD_LEN;

use crate::api;
use crate::components::field::{TextField, error_for, show_error};
use crate::components::states::FormAlert;
use crate::contexts::session::use_session;

#[component]
pub fn PasswordCard() -> impl IntoView {
    let session = use_session();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let changed = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        form_error.set(None);
        changed.set(false);
        let request = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        let invalid = request.validate();
        errors.set(invalid.clone());
        if !invalid.is_empty() {
            return;
        }
        pending.set(true);
        let client = session.client();
        spawn_local(async move {
            match api::auth::change_password(&client, &request).await {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    changed.set(true);
                }
                Err(error) => show_error(error, errors, form_error),
            }
            pending.set(false);
        });
    };
    let field =
        move |name: &'static str| Signal::derive(move || errors.with(|e| error_for(e, name)));

    view! {
        <section class="card" aria-labelledby="settings-password-title" data-testid="settings-password">
            <h2 id="settings-password-title">"Your password"</h2>
            <p class="muted">"Changing it logs you out everywhere else; you stay logged in here."</p>
            <form class="form" novalidate=true on:submit=submit data-testid="password-form">
                <FormAlert message=form_error />
                <TextField
                    id="password-current"
                    label="Current password"
                    value=current
                    error=field("current_password")
                    input_type="password"
                    autocomplete="current-password"
                />
                <TextField
                    id="password-new"
                    label="New password"
                    value=new
                    error=field("new_password")
                    input_type="password"
                    autocomplete="new-password"
                    hint=format!("At least {MIN_PASSWORD_LEN} characters.")
                />
                <div class="form-actions">
                    <button type="submit" class="button" data-testid="password-submit" disabled=move || pending.get()>
                        {move || if pending.get() { "Changing…" } else { "Change password" }}
                    </button>
                    <span class="save-status" role="status">
                        {move || changed.get().then(|| view! { <span data-testid="password-changed">"Password changed."</span> })}
                    </span>
                </div>
            </form>
        </section>
    }
}
