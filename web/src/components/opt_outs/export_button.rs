use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

use crate::api;
use crate::contexts::session::use_session;

/// Downloads the whole list as CSV. The export needs the session's token, which a plain link
/// cannot send, so the file is fetched here and handed to the browser as a download.
#[component]
pub fn ExportCsvButton() -> impl IntoView {
    let session = use_session();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let export = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let client = session.client();
        spawn_local(async move {
            match api::opt_outs::export_csv(&client).await {
                Ok(csv) => {
                    if offer_download(&csv, &file_name()).is_err() {
                        error.set(Some("Your browser did not accept the download.".into()));
                    }
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };

    view! {
        <div class="export-csv">
            <button
                type="button"
                class="button button-secondary"
                data-testid="export-opt-outs"
                disabled=move || busy.get()
                on:click=export
            >
                {move || if busy.get() { "Exporting…" } else { "Export CSV" }}
            </button>
            {move || error.get().map(|e| view! {
                <p class="field-error" role="alert" data-testid="export-error">{e}</p>
            })}
        </div>
    }
}

/// `opt-outs-2026-12-04.csv`, dated today in UTC like the file's timestamps.
fn file_name() -> String {
    let today: String = js_sys::Date::new_0().to_iso_string().into();
    format!("opt-outs-{}.csv", &today[..10])
}

fn offer_download(text: &str, file_name: &str) -> Result<(), JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let link: HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // Revoked a little later: revoking at once can cancel the download before it starts.
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    Ok(())
}
