use leptos::prelude::*;
use leptos::task::spawn_local;
use textback_shared::opt_out::{AddOptOutsRequest, AddOptOutsResponse, MAX_OPT_OUTS_PER_REQUEST};

use crate::api;
use crate::components::field::error_for;
use crate::components::states::FormAlert;
use crate::contexts::session::use_session;

/// The numbers in what was typed or pasted: one a line, or separated by commas or semicolons.
pub fn split_numbers(text: &str) -> Vec<String> {
    text.split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Adds numbers the store must never text; the answer says what became of each.
#[component]
pub fn AddNumbersForm(on_added: Callback<()>, on_close: Callback<()>) -> impl IntoView {
    let session = use_session();
    let numbers = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let numbers_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let result = RwSignal::new(None::<AddOptOutsResponse>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        form_error.set(None);
        let phones = numbers.with_untracked(|n| split_numbers(n));
        let problem = if phones.is_empty() {
            Some("Enter at least one number.".to_owned())
        } else if phones.len() > MAX_OPT_OUTS_PER_REQUEST {
            Some(format!(
                "Add at most 1,000 numbers at a time ({} entered).",
                phones.len()
            ))
        } else {
            None
        };
        numbers_error.set(problem.clone());
        if problem.is_some() {
            return;
        }
        let note = note.get_untracked().trim().to_owned();
        let request = AddOptOutsRequest {
            phones,
            note: (!note.is_empty()).then_some(note),
        };
        pending.set(true);
        let client = session.client();
        spawn_local(async move {
            match api::opt_outs::add(&client, &request).await {
                Ok(answer) => {
                    // What could not be read stays in the box, to be corrected and sent again.
                    numbers.set(answer.invalid.join("\n"));
                    result.set(Some(answer));
                    // `try_run`: the page may have been left meanwhile.
                    let _ = on_added.try_run(());
                }
                Err(error) => match error_for(error.field_errors(), "phones") {
                    Some(message) => numbers_error.set(Some(message)),
                    None => form_error.set(Some(error.message())),
                },
            }
            pending.set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="add-opt-outs-title">
            <h2 id="add-opt-outs-title">"Add numbers"</h2>
            <form class="form form-narrow" novalidate=true on:submit=submit data-testid="add-opt-outs-form">
                <FormAlert message=form_error />
                {move || result.get().map(|answer| view! { <AddResult answer /> })}
                <div class="field" class:field-invalid=move || numbers_error.with(Option::is_some)>
                    <label for="opt-out-numbers">"Numbers"</label>
                    <p class="field-hint" id="opt-out-numbers-hint">
                        "One per line, or separated by commas; written any usual way. Up to 1,000 at a time."
                    </p>
                    <textarea
                        id="opt-out-numbers"
                        rows="6"
                        data-testid="opt-out-numbers"
                        aria-describedby="opt-out-numbers-hint"
                        aria-invalid=move || numbers_error.with(Option::is_some).to_string()
                        prop:value=move || numbers.get()
                        on:input=move |ev| numbers.set(event_target_value(&ev))
                    ></textarea>
                    {move || numbers_error.get().map(|m| view! {
                        <p class="field-error" data-testid="opt-out-numbers-error">{m}</p>
                    })}
                </div>
                <div class="field">
                    <label for="opt-out-note">"Note " <span class="muted">"(optional)"</span></label>
                    <p class="field-hint">"Why, for your records, such as “asked by email”."</p>
                    <input
                        id="opt-out-note"
                        type="text"
                        autocomplete="off"
                        data-testid="opt-out-note-input"
                        prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))
                    />
                </div>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" data-testid="add-opt-outs-submit" disabled=move || pending.get()>
                        {move || if pending.get() { "Adding…" } else { "Add to the list" }}
                    </button>
                    <button type="button" class="button button-secondary" disabled=move || pending.get() on:click=move |_| on_close.run(())>
                        "Close"
                    </button>
                </div>
            </form>
        </section>
    }
}

/// What the last submission did: added, already there, and what could not be read.
#[component]
fn AddResult(answer: AddOptOutsResponse) -> impl IntoView {
    let added = match answer.added {
        1 => "1 number added.".to_owned(),
        n => format!("{n} numbers added."),
    };
    let already = match answer.already_opted_out {
        0 => None,
        1 => Some("1 was already on the list.".to_owned()),
        n => Some(format!("{n} were already on the list.")),
    };
    let invalid = answer.invalid;
    view! {
        <div class="alert alert-info" role="status" data-testid="add-opt-outs-result">
            <p>
                <span data-testid="add-result-added">{added}</span>
                {already.map(|a| view! { " " <span data-testid="add-result-already">{a}</span> })}
            </p>
            {(!invalid.is_empty()).then(|| view! {
                <p>"These could not be read as US or Canadian numbers, so nothing was done with them (they are left below to correct):"</p>
                <ul class="add-result-invalid" data-testid="add-result-invalid">
                    {invalid.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}
