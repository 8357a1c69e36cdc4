use leptos::prelude::*;
use textback_shared::nanp;
use textback_shared::numbers::Country;

use crate::components::numbers::search_form::region_noun;

/// Country and state or province, from the same list the numbers page searches.
///
/// Options carry `selected` rather than the select a `value`: the options are rendered after
/// the select, and a value set before they exist is lost.
#[component]
pub fn LocationFields(
    country: RwSignal<Country>,
    region: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let change_country = move |ev| {
        let chosen = Country::parse(&event_target_value(&ev)).unwrap_or(Country::Us);
        // A state of one country is never a province of the other.
        if !nanp::regions(chosen)
            .iter()
            .any(|(code, _)| *code == region.get_untracked())
        {
            region.set(String::new());
        }
        country.set(chosen);
    };
    let invalid = move || error.with(Option::is_some);

    view! {
        <fieldset class="field" class:field-invalid=invalid>
            <legend>"Where your store is"</legend>
            <p class="field-hint">"SMS numbers near you are suggested first."</p>
            <div class="location-row">
                <div class="field">
                    <label for="settings-country">"Country"</label>
                    <select id="settings-country" data-testid="settings-country" on:change=change_country>
                        {Country::ALL
                            .into_iter()
                            .map(|c| view! { <option value=c.code() prop:selected=move || country.get() == c>{c.name()}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="settings-region">{move || region_noun(country.get())}</label>
                    <select
                        id="settings-region"
                        data-testid="settings-region"
                        aria-invalid=move || invalid().to_string()
                        aria-describedby=move || invalid().then_some("settings-region-error")
                        on:change=move |ev| region.set(event_target_value(&ev))
                    >
                        <option value="" prop:selected=move || region.with(String::is_empty)>
                            {move || format!("Choose a {}", region_noun(country.get()).to_lowercase())}
                        </option>
                        {move || {
                            nanp::regions(country.get())
                                .into_iter()
                                .map(|(code, name)| view! { <option value=code prop:selected=move || region.get() == code>{name}</option> })
                                .collect_view()
                        }}
                    </select>
                </div>
            </div>
            {move || error.get().map(|m| view! {
                <p class="field-error" id="settings-region-error" data-testid="settings-region-error">{m}</p>
            })}
        </fieldset>
    }
}
