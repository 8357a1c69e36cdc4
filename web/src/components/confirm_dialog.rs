//! An in-page confirmation for actions with consequences: destructive ones, and ones that cost
//! money.

use leptos::html;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::JsCast;

/// What Tab may reach inside the dialog.
const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), textarea:not([disabled]), \
     select:not([disabled]), a[href], [tabindex]:not([tabindex=\"-1\"])";

#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(into)] confirm_label: String,
    #[prop(into)] busy_label: String,
    /// True while the action runs: both buttons wait.
    #[prop(into)]
    busy: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
    /// More to read or do before confirming, below the message.
    #[prop(optional)]
    children: Option<Children>,
    /// Whether the confirm button may be pressed yet (e.g. once the person typed a check).
    #[prop(into, optional)]
    ready: Option<Signal<bool>>,
    /// A positive action (a purchase) rather than a destructive one.
    #[prop(optional)]
    primary: bool,
) -> impl IntoView {
    let ready = ready.unwrap_or_else(|| Signal::stored(true));
    let confirm_class = if primary {
        "button button-primary"
    } else {
        "button button-danger"
    };
    let cancel_ref = NodeRef::<html::Button>::new();
    let dialog_ref = NodeRef::<html::Div>::new();
    // Focus the safe choice, so Enter right after opening does not destroy anything.
    Effect::new(move |_| {
        if let Some(button) = cancel_ref.get() {
            let _ = button.focus();
        }
    });
    // Closed, the dialog hands focus back to what opened it, so a keyboard goes on from there
    // rather than from the top of the page.
    let opener = SendWrapper::new(
        document()
            .active_element()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
    );
    on_cleanup(move || {
        if let Some(opener) = opener.take()
            && opener.is_connected()
        {
            let _ = opener.focus();
        }
    });
    // Modal: Tab cycles through the dialog's own controls, and Escape cancels, wherever the
    // focus is (a click on the dialog's text leaves it on the page's body).
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let Some(dialog) = dialog_ref.get_untracked() else {
            return;
        };
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                if !busy.get_untracked() {
                    on_cancel.run(());
                }
            }
            "Tab" => {
                let controls = focusable_in(&dialog);
                let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
                    ev.prevent_default();
                    return;
                };
                let active = document().active_element();
                let inside = active.as_ref().is_some_and(|a| dialog.contains(Some(a)));
                let at = |el: &web_sys::HtmlElement| {
                    active
                        .as_ref()
                        .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
                };
                if !inside {
                    ev.prevent_default();
                    let _ = if ev.shift_key() {
                        last.focus()
                    } else {
                        first.focus()
                    };
                } else if ev.shift_key() && at(first) {
                    ev.prevent_default();
                    let _ = last.focus();
                } else if !ev.shift_key() && at(last) {
                    ev.prevent_default();
                    let _ = first.focus();
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    view! {
        <div class="dialog-backdrop">
            <div
                node_ref=dialog_ref
                class="dialog"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby="confirm-title"
                aria-describedby="confirm-message"
                data-testid="confirm-dialog"
            >
                <h2 id="confirm-title">{title}</h2>
                <p id="confirm-message">{message}</p>
                {children.map(|children| children())}
                {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                <div class="dialog-actions">
                    <button
                        type="button"
                        class="button button-secondary"
                        node_ref=cancel_ref
                        data-testid="confirm-cancel"
                        disabled=move || busy.get()
                        on:click=move |_| on_cancel.run(())
                    >
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class=confirm_class
                        data-testid="confirm-ok"
                        disabled=move || busy.get() || !ready.get()
                        on:click=move |_| on_confirm.run(())
                    >
                        {move || if busy.get() { busy_label.clone() } else { confirm_label.clone() }}
                    </button>
                </div>
            </div>
        </div>
    }
}

/// The controls inside `dialog` that Tab may reach, in document order.
fn focusable_in(dialog: &web_sys::HtmlElement) -> Vec<web_sys::HtmlElement> {
    // `querySelectorAll` through JS: its NodeList is iterable, which `Array::from` takes.
    let found = js_sys::Reflect::get(dialog, &"querySelectorAll".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call1(dialog, &FOCUSABLE.into()).ok());
    found
        .map(|list| js_sys::Array::from(&list))
        .map(|all| {
            all.iter()
                .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
                .collect()
        })
        .unwrap_or_default()
}
