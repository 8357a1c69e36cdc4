use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::auth_card::AuthCard;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <AuthCard title="Page not found" subtitle="There is nothing at this address.">
            <p><A href="/" attr:class="button button-primary">"Go to the overview"</A></p>
        </AuthCard>
    }
}
