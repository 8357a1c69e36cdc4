//! The foot of a paged list: fetch the next page while there is one.

use leptos::prelude::*;

#[component]
pub fn LoadMore(
    /// Whether there is a next page.
    visible: Signal<bool>,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
    on_load: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || visible.get()>
            <div class="load-more">
                <button
                    type="button"
                    class="button button-secondary"
                    data-testid="load-more"
                    disabled=move || busy.get()
                    on:click=move |_| on_load.run(())
                >
                    {move || if busy.get() { "Loading…" } else { "Load more" }}
                </button>
            </div>
        </Show>
        {move || error.get().map(|e| view! { <p class="alert alert-error load-more-error" role="alert">{e}</p> })}
    }
}
