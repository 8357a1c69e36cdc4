use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_query_map;
use textback_shared::auth::LoginRequest;
use textback_shared::{FieldError, ProblemCode};

use crate::api::{self, ApiError, Client};
use crate::components::auth_card::AuthCard;
use crate::components::field::{TextField, error_for};
use crate::components::states::FormAlert;
use crate::contexts::session::{Ending, use_session};
use crate::navigation::{replacing, safe_next};

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let next = move || {
        query
            .with(|q| safe_next(q.get("next").as_deref()))
            .unwrap_or_else(|| "/".to_owned())
    };
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        form_error.set(None);
        let request = LoginRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        let invalid = request.validate();
        errors.set(invalid.clone());
        if !invalid.is_empty() {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            match api::auth::login(&Client::anonymous(), &request).await {
                Ok(started) => session.start(started),
                Err(error) => form_error.set(Some(login_error_message(&error))),
            }
            pending.set(false);
        });
    };

    let field =
        move |name: &'static str| Signal::derive(move || errors.with(|e| error_for(e, name)));
    let notice = move || match session.ending() {
        Some(Ending::Expired) => Some("Your session has ended. Log in again to continue."),
        Some(Ending::LoggedOut) => Some("You have logged out."),
        None => None,
    };

    view! {
        <Show when=move || !session.is_logged_in() fallback=move || view! { <Redirect path=next() options=replacing() /> }>
            <AuthCard title="Log in to Textback" subtitle="Welcome back.">
                <form class="form" novalidate=true on:submit=submit data-testid="login-form">
                    {move || notice().map(|n| view! { <div class="alert alert-info" role="status" data-testid="login-notice">{n}</div> })}
                    <FormAlert message=form_error />
                    <TextField id="login-email" label="Email" value=email error=field("email") input_type="email" autocomplete="email" />
                    <TextField
                        id="login-password"
                        label="Password"
                        value=password
                        error=field("password")
                        input_type="password"
                        autocomplete="current-password"
                    />
                    <button type="submit" class="button button-primary button-block" data-testid="login-submit" disabled=move || pending.get()>
                        {move || if pending.get() { "Logging in…" } else { "Log in" }}
                    </button>
                </form>
                <p class="auth-switch">"New to Textback? " <A href="/signup">"Create an account"</A></p>
            </AuthCard>
        </Show>
    }
}

fn login_error_message(error: &ApiError) -> String {
    match (error.code(), error) {
        (Some(ProblemCode::Unauthorized), _) => "The email or password is wrong.".into(),
        (
            Some(ProblemCode::TooManyRequests),
            ApiError::Problem {
                retry_after_secs: Some(secs),
                ..
            },
        ) => {
            let minutes = secs.div_ceil(60).max(1);
            let unit = if minutes == 1 { "minute" } else { "minutes" };
            format!("Too many failed attempts. Try again in {minutes} {unit}.")
        }
        (Some(ProblemCode::TooManyRequests), _) => {
            "Too many failed attempts. Wait a few minutes and try again.".into()
        }
        _ => error.message(),
    }
}
