use leptos::prelude::*;
use leptos::task::spawn_local;
use textback_shared::api_keys::CreatedApiKey;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

#[derive(Clone, Copy, PartialEq, Eq)]
enum CopyState {
    Idle,
    Copied,
    Failed,
}

/// The new key's secret, shown this once.
#[component]
pub fn NewSecret(created: CreatedApiKey, on_done: Callback<()>) -> impl IntoView {
    let copy_state = RwSignal::new(CopyState::Idle);
    let secret = created.secret.clone();
    let copy = move |_| {
        let secret = secret.clone();
        spawn_local(async move {
            let copied = copy_to_clipboard(&secret).await;
            copy_state.set(if copied {
                CopyState::Copied
            } else {
                CopyState::Failed
            });
        });
    };

    view! {
        <section class="card secret-card" role="region" aria-labelledby="new-secret-title" data-testid="new-key">
            <h2 id="new-secret-title">"Your new key “" {created.key.name.clone()} "”"</h2>
            <p class="secret-warning" data-testid="secret-warning">
                <strong>"Copy this key now. "</strong>
                "It will not be shown again: Textback keeps only a fingerprint of it. If you lose it, revoke it and create a new one."
            </p>
            <div class="secret-row">
                <code class="secret" data-testid="new-key-secret">{created.secret.clone()}</code>
                <button type="button" class="button button-secondary" data-testid="copy-secret" on:click=copy>
                    {move || if copy_state.get() == CopyState::Copied { "Copied" } else { "Copy" }}
                </button>
            </div>
            <p class="field-error" role="status">
                {move || {
                    (copy_state.get() == CopyState::Failed)
                        .then_some("Copying did not work here; select the key and copy it by hand.")
                }}
            </p>
            <div class="form-actions">
                <button type="button" class="button button-primary" data-testid="secret-done" on:click=move |_| on_done.run(())>
                    "Done"
                </button>
            </div>
        </section>
    }
}

async fn copy_to_clipboard(text: &str) -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    // Absent outside secure contexts; calling it would throw.
    let available = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|c| !c.is_undefined());
    available
        && JsFuture::from(navigator.clipboard().write_text(text))
            .await
            .is_ok()
}
