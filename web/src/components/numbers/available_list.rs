use leptos::prelude::*;
use textback_shared::numbers::{AvailableNumberDto, Capabilities};
use textback_shared::phone::format_national;

use crate::format;

/// Numbers that can be reserved, each with its own button.
#[component]
pub fn AvailableList(
    #[prop(into)] numbers: Signal<Vec<AvailableNumberDto>>,
    on_reserve: Callback<AvailableNumberDto>,
) -> impl IntoView {
    view! {
        <ul class="number-list" data-testid="available-numbers">
            <For each=move || numbers.get() key=|n| n.phone_number.clone() let:number>
                <AvailableRow number on_reserve />
            </For>
        </ul>
    }
}

#[component]
fn AvailableRow(
    number: AvailableNumberDto,
    on_reserve: Callback<AvailableNumberDto>,
) -> impl IntoView {
    let national = format_national(&number.phone_number);
    let place = format::place(number.locality.as_deref(), number.region.as_deref());
    let label = format!("Reserve {national}");
    let e164 = number.phone_number.clone();

    view! {
        <li class="number-row" data-testid="available-number" data-number=e164>
            <div class="number-main">
                <span class="number-national" data-testid="number-national">{national}</span>
                {place.map(|p| view! { <span class="muted number-place">{p}</span> })}
            </div>
            <CapabilityChips capabilities=number.capabilities />
            <button
                type="button"
                class="button button-secondary button-small"
                data-testid="reserve-number"
                aria-label=label
                on:click=move |_| on_reserve.run(number.clone())
            >
                "Reserve this number"
            </button>
        </li>
    }
}

#[component]
fn CapabilityChips(capabilities: Capabilities) -> impl IntoView {
    let names = [
        (capabilities.sms, "SMS"),
        (capabilities.mms, "MMS"),
        (capabilities.voice, "Voice"),
    ];
    view! {
        <ul class="chips number-capabilities" aria-label="Can do">
            {names
                .into_iter()
                .filter(|(has, _)| *has)
                .map(|(_, name)| view! { <li class="chip">{name}</li> })
                .collect_view()}
        </ul>
    }
}
