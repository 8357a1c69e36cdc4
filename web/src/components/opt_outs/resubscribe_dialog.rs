use leptos::prelude::*;
use textback_shared::opt_out::OptOutDto;
use textback_shared::phone::format_national;

use crate::components::confirm_dialog::ConfirmDialog;

/// The API's bounds for the evidence of new consent.
pub const MIN_EVIDENCE_CHARS: usize = 10;
pub const MAX_EVIDENCE_CHARS: usize = 500;

/// "Resubscribe…": only on evidence that the customer asked for texts again, which is kept.
#[component]
pub fn ResubscribeDialog(
    opt_out: OptOutDto,
    evidence: RwSignal<String>,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let national = format_national(&opt_out.phone);
    let length = move || evidence.with(|e| e.trim().chars().count());
    let ready =
        Signal::derive(move || (MIN_EVIDENCE_CHARS..=MAX_EVIDENCE_CHARS).contains(&length()));

    view! {
        <ConfirmDialog
            title=format!("Resubscribe {national}?")
            message="Texting someone who opted out is against the law (the TCPA) and your carrier's \
                     rules, unless they have since agreed to get texts again. Resubscribe only when \
                     they have, and say how: the note is kept in the customer's consent record."
            confirm_label="Resubscribe"
            busy_label="Resubscribing…"
            busy
            error
            on_confirm
            on_cancel
            ready
            primary=true
        >
            <div class="field">
                <label for="resubscribe-evidence">"Evidence of new consent"</label>
                <p class="field-hint" id="resubscribe-evidence-hint">
                    {format!("For example: “Texted START on Dec 4” or “Signed the SMS form in store”. {MIN_EVIDENCE_CHARS} to {MAX_EVIDENCE_CHARS} characters.")}
                </p>
                <textarea
                    id="resubscribe-evidence"
                    rows="3"
                    maxlength=MAX_EVIDENCE_CHARS.to_string()
                    data-testid="resubscribe-evidence"
                    aria-describedby="resubscribe-evidence-hint"
                    prop:value=move || evidence.get()
                    on:input=move |ev| evidence.set(event_target_value(&ev))
                ></textarea>
            </div>
        </ConfirmDialog>
    }
}
