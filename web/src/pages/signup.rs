use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Redirect};
use textback_shared::FieldError;
use textback_shared::auth::SignupRequest;
use textback_shared::validation::MIN_PASSWORD_LEN;

use crate::api::{self, Client};
use crate::components::auth_card::AuthCard;
use crate::components::field::{TextField, error_for, show_error};
use crate::components::states::FormAlert;
use crate::contexts::session::use_session;
use crate::navigation::replacing;

#[component]
pub fn SignupPage() -> impl IntoView {
    let session = use_session();
    let store_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    // After the first attempt, fields re-check as the person fixes them.
    let attempted = RwSignal::new(false);

    let request = move || SignupRequest {
        store_name: store_name.get(),
        email: email.get(),
        password: password.get(),
    };
    Effect::new(move |_| {
        let request = request();
        if attempted.get_untracked() {
            errors.set(request.validate());
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        attempted.set(true);
        form_error.set(None);
        let request = request();
        let invalid = request.validate();
        if !invalid.is_empty() {
            errors.set(invalid);
            return;
        }
        pending.set(true);
        spawn_local(async move {
            match api::auth::signup(&Client::anonymous(), &request).await {
                Ok(started) => session.start(started),
                Err(error) => show_error(error, errors, form_error),
            }
            pending.set(false);
        });
    };

    let field =
        move |name: &'static str| Signal::derive(move || errors.with(|e| error_for(e, name)));

    view! {
        <Show when=move || !session.is_logged_in() fallback=|| view! { <Redirect path="/" options=replacing() /> }>
            <AuthCard title="Create your Textback account" subtitle="Text your customers from your online store.">
                <form class="form" novalidate=true on:submit=submit data-testid="signup-form">
                    <FormAlert message=form_error />
                    <TextField
                        id="signup-store-name"
                        label="Store name"
                        value=store_name
                        error=field("store_name")
                        autocomplete="organization"
                        hint="As your customers know it; it signs every text."
                    />
                    <TextField id="signup-email" label="Email" value=email error=field("email") input_type="email" autocomplete="email" />
                    <TextField
                        id="signup-password"
                        label="Password"
                        value=password
                        error=field("password")
                        input_type="password"
                        autocomplete="new-password"
                        hint=format!("At least {MIN_PASSWORD_LEN} characters.")
                    />
                    <button type="submit" class="button button-primary button-block" data-testid="signup-submit" disabled=move || pending.get()>
                        {move || if pending.get() { "Creating account…" } else { "Create account" }}
                    </button>
                </form>
                <p class="auth-switch">"Already have an account? " <A href="/login">"Log in"</A></p>
            </AuthCard>
        </Show>
    }
}
