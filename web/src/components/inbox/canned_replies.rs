//! The canned-reply picker beside the reply box, and its form for adding a reply.

use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use textback_shared::inbox::{CannedReplyDto, REPLY_VARIABLES};

use crate::api;
use crate::components::field::error_for;
use crate::contexts::session::use_session;

/// The replies whose name or text contains `filter` (what follows the "/"), ignoring case.
pub fn matching(replies: &[CannedReplyDto], filter: &str) -> Vec<CannedReplyDto> {
    let filter = filter.trim().to_lowercase();
    replies
        .iter()
        .filter(|r| {
            filter.is_empty()
                || r.name.to_lowercase().contains(&filter)
                || r.body.to_lowercase().contains(&filter)
        })
        .cloned()
        .collect()
}

/// What the picker lists: not loaded yet, the replies, or why they could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub enum RepliesState {
    Loading,
    Ready(Vec<CannedReplyDto>),
    Failed(String),
}

#[component]
pub fn CannedReplyPicker(
    state: RwSignal<RepliesState>,
    /// The replies that match what was typed after "/".
    #[prop(into)]
    matches: Signal<Vec<CannedReplyDto>>,
    /// Set while a chosen reply is being filled in, or why that failed.
    #[prop(into)]
    picking: Signal<bool>,
    #[prop(into)] pick_error: Signal<Option<String>>,
    on_pick: Callback<CannedReplyDto>,
    on_close: Callback<()>,
) -> impl IntoView {
    let show_form = RwSignal::new(false);
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            on_close.run(());
        }
    };
    let on_saved = Callback::new(move |reply: CannedReplyDto| {
        state.update(|s| {
            if let RepliesState::Ready(list) = s {
                list.push(reply);
                // The API lists them by name; a new one takes its place among them.
                list.sort_by_key(|r| r.name.to_lowercase());
            }
        });
        show_form.set(false);
    });

    view! {
        <div
            class="canned-picker"
            role="dialog"
            aria-label="Canned replies"
            data-testid="canned-picker"
            on:keydown=on_keydown
        >
            <div class="canned-picker-head">
                <strong>"Canned replies"</strong>
                <button
                    type="button"
                    class="button button-small"
                    data-testid="canned-picker-close"
                    on:click=move |_| on_close.run(())
                >
                    "Close"
                </button>
            </div>
            {move || pick_error.get().map(|e| view! {
                <p class="alert alert-error" role="alert" data-testid="canned-pick-error">{e}</p>
            })}
            {move || match state.get() {
                RepliesState::Loading => view! {
                    <p class="muted" data-testid="canned-loading">"Loading canned replies…"</p>
                }
                .into_any(),
                RepliesState::Failed(e) => view! {
                    <p class="alert alert-error" role="alert" data-testid="canned-load-error">{e}</p>
                }
                .into_any(),
                RepliesState::Ready(all) if all.is_empty() => view! {
                    <p class="muted" data-testid="canned-empty">
                        "No canned replies yet. Add one with \u{201c}New canned reply\u{201d} below; \
                         it is filled in for each customer when you pick it."
                    </p>
                }
                .into_any(),
                RepliesState::Ready(_) => {
                    let items = matches.get();
                    if items.is_empty() {
                        return view! {
                            <p class="muted" data-testid="canned-no-match">"No canned reply matches."</p>
                        }
                        .into_any();
                    }
                    view! {
                        <ul class="canned-list" data-testid="canned-list">
                            {items.into_iter().map(|reply| {
                                let name = reply.name.clone();
                                let body = reply.body.clone();
                                view! {
                                    <li>
                                        <button
                                            type="button"
                                            class="canned-item"
                                            data-testid="canned-reply-item"
                                            data-reply-id=reply.id
                                            disabled=move || picking.get()
                                            on:click=move |_| on_pick.run(reply.clone())
                                        >
                                            <span class="canned-item-name">{name}</span>
                                            <span class="canned-item-body muted">{body}</span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
            {move || if show_form.get() {
                view! { <NewCannedReplyForm on_saved on_cancel=Callback::new(move |()| show_form.set(false)) /> }.into_any()
            } else {
                view! {
                    <button
                        type="button"
                        class="button button-small"
                        data-testid="canned-new"
                        on:click=move |_| show_form.set(true)
                    >
                        "New canned reply"
                    </button>
                }
                .into_any()
            }}
        </div>
    }
}

/// Name and text of a new canned reply; the API checks the variables and that the name is new.
#[component]
fn NewCannedReplyForm(
    on_saved: Callback<CannedReplyDto>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let body_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let name_input = NodeRef::<Input>::new();
    // The form opens to be typed in.
    Effect::new(move |_| {
        if let Some(input) = name_input.get() {
            let _ = input.focus();
        }
    });

    let save = move || {
        if pending.get_untracked() {
            return;
        }
        name_error.set(None);
        body_error.set(None);
        form_error.set(None);
        pending.set(true);
        let client = session.client();
        let (n, b) = (name.get_untracked(), body.get_untracked());
        spawn_local(async move {
            match api::inbox::create_canned_reply(&client, n.trim(), &b).await {
                // `try_run`: the inbox may have been left meanwhile.
                Ok(reply) => {
                    let _ = on_saved.try_run(reply);
                }
                Err(error) => {
                    let fields = error.field_errors();
                    name_error.set(error_for(fields, "name"));
                    body_error.set(error_for(fields, "body"));
                    if fields.is_empty() {
                        form_error.set(Some(error.message()));
                    }
                }
            }
            pending.set(false);
        });
    };
    // Each variable kept whole on a line, so none reads as broken in two.
    let variables = REPLY_VARIABLES
        .iter()
        .map(|v| view! { <code class="canned-variable">{format!("{{{{ {v} }}}}")}</code> " " })
        .collect_view();

    // Not a <form>: it sits inside the composer's form, and forms do not nest.
    view! {
        <div class="canned-form" data-testid="canned-form">
            {move || form_error.get().map(|e| view! {
                <p class="alert alert-error" role="alert" data-testid="canned-form-error">{e}</p>
            })}
            <div class="field">
                <label for="canned-name">"Name"</label>
                <input
                    id="canned-name"
                    type="text"
                    node_ref=name_input
                    data-testid="canned-name"
                    aria-invalid=move || name_error.with(Option::is_some).to_string()
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        // Enter here would otherwise submit the composer around it.
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            save();
                        }
                    }
                />
                {move || name_error.get().map(|e| view! {
                    <p class="field-error" data-testid="canned-name-error">{e}</p>
                })}
            </div>
            <div class="field">
                <label for="canned-body">"Text"</label>
                <textarea
                    id="canned-body"
                    rows="3"
                    data-testid="canned-body"
                    aria-describedby="canned-variables"
                    aria-invalid=move || body_error.with(Option::is_some).to_string()
                    prop:value=move || body.get()
                    on:input=move |ev| body.set(event_target_value(&ev))
                ></textarea>
                <p id="canned-variables" class="muted canned-variables" data-testid="canned-variables">
                    "Variables filled in for each customer: " {variables}
                </p>
                {move || body_error.get().map(|e| view! {
                    <p class="field-error" data-testid="canned-body-error">{e}</p>
                })}
            </div>
            <div class="canned-form-actions">
                <button
                    type="button"
                    class="button button-primary button-small"
                    data-testid="canned-save"
                    disabled=move || pending.get()
                    on:click=move |_| save()
                >
                    {move || if pending.get() { "Saving…" } else { "Save reply" }}
                </button>
                <button
                    type="button"
                    class="button button-small"
                    data-testid="canned-cancel"
                    on:click=move |_| on_cancel.run(())
                >
                    "Cancel"
                </button>
            </div>
        </div>
    }
}
