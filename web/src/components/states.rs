//! Loading, empty and error states, so every list and card looks the same while it waits or fails.

use leptos::prelude::*;

use crate::api::ApiError;

#[component]
pub fn Loading(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <div class="state state-loading" role="status" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            {label}
        </div>
    }
}

#[component]
pub fn EmptyState(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <div class="state state-empty" data-testid="empty-state">
            <h3>{title}</h3>
            {children()}
        </div>
    }
}

/// A failed load, with a way to try again.
#[component]
pub fn ErrorState(error: ApiError, on_retry: Callback<()>) -> impl IntoView {
    view! {
        <div class="state state-error" role="alert" data-testid="error-state">
            <h3>"Something went wrong"</h3>
            <p>{error.message()}</p>
            <button type="button" class="button" data-testid="retry" on:click=move |_| on_retry.run(())>
                "Try again"
            </button>
        </div>
    }
}

/// A message above a form: what went wrong with the whole request.
#[component]
pub fn FormAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|message| {
            view! {
                <div class="alert alert-error" role="alert" data-testid="form-error">
                    {message}
                </div>
            }
        })
    }
}
