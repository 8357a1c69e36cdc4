//! Labelled inputs that show their own validation message.

use leptos::prelude::*;
use textback_shared::FieldError;

use crate::api::ApiError;

/// The first message for `field`, if any.
pub fn error_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

/// A refused form's answer: field errors go next to their fields; anything else (such as a
/// 409, an email taken) above the form.
pub fn show_error(
    error: ApiError,
    errors: RwSignal<Vec<FieldError>>,
    form_error: RwSignal<Option<String>>,
) {
    let fields = error.field_errors().to_vec();
    if fields.is_empty() {
        form_error.set(Some(error.message()));
    } else {
        errors.set(fields);
    }
}

#[component]
pub fn TextField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into, default = "text".into())] input_type: String,
    #[prop(into, default = "off".into())] autocomplete: String,
    #[prop(into, optional)] hint: Option<String>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id, has_hint) = (error_id.clone(), hint_id.clone(), hint.is_some());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };

    view! {
        <div class="field" class:field-invalid=move || error.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id>{hint}</p> })}
            <input
                id=id.clone()
                name=id.clone()
                type=input_type
                autocomplete=autocomplete
                data-testid=id.clone()
                aria-invalid=move || error.with(Option::is_some).to_string()
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id=error_id.clone() data-testid=error_id.clone()>
                                {message}
                            </p>
                        }
                    })
            }}
        </div>
    }
}
