use leptos::prelude::*;
use textback_shared::numbers::{AvailableNumberDto, UsageCharges};
use textback_shared::phone::format_national;

use super::charges_notice::charges_sentence;
use crate::components::confirm_dialog::ConfirmDialog;

/// "Reserve this number", with what it will cost.
#[component]
pub fn ReserveDialog(
    number: AvailableNumberDto,
    charges: UsageCharges,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
    #[prop(into)] ready: Signal<bool>,
) -> impl IntoView {
    let national = format_national(&number.phone_number);

    view! {
        <ConfirmDialog
            title=format!("Reserve {national}?")
            message="It becomes your store's SMS number: your customers get texts from it and can reply to it."
            confirm_label="Reserve this number"
            busy_label="Reserving…"
            busy
            error
            on_confirm
            on_cancel
            primary=true
            ready
        >
            <p class="dialog-charges" data-testid="reserve-charges">{charges_sentence(&charges)}</p>
            <p>"You can release it later in Settings → SMS number; the charges stop that day."</p>
        </ConfirmDialog>
    }
}
