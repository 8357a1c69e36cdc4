//! The centred card that holds the sign-up and log-in forms.

use leptos::prelude::*;

#[component]
pub fn AuthCard(
    #[prop(into)] title: String,
    #[prop(into)] subtitle: String,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="auth-page">
            <div class="auth-brand">
                <span class="brand-mark" aria-hidden="true">"T"</span>
                "Textback"
            </div>
            <main class="card auth-card">
                <h1>{title}</h1>
                <p class="muted">{subtitle}</p>
                {children()}
            </main>
        </div>
    }
}
