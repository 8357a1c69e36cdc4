use leptos::prelude::*;
use textback_shared::FieldError;
use textback_shared::nanp;
use textback_shared::numbers::Country;

use crate::components::field::error_for;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchBy {
    AreaCode,
    Region,
}

/// "State" or "Province or territory", as the country calls them.
pub fn region_noun(country: Country) -> &'static str {
    match country {
        Country::Us => "State",
        Country::Ca => "Province or territory",
    }
}

/// Country, then an area code or a state/province. The page validates and searches.
///
/// Options carry `selected` rather than the select a `value`: the options are rendered after
/// the select, and a value set before they exist is lost.
#[component]
pub fn SearchForm(
    country: RwSignal<Country>,
    search_by: RwSignal<SearchBy>,
    area_code: RwSignal<String>,
    region: RwSignal<String>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
    #[prop(into)] busy: Signal<bool>,
    /// The country changed: earlier results no longer match the form.
    on_country_change: Callback<Country>,
    on_search: Callback<()>,
) -> impl IntoView {
    let error =
        move |field: &'static str| Signal::derive(move || errors.with(|e| error_for(e, field)));
    let country_error = error("country");
    let area_code_error = error("area_code");
    let region_error = error("region");

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
        on_country_change.run(chosen);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !busy.get_untracked() {
            on_search.run(());
        }
    };
    let choice = move |value: SearchBy, label: Signal<String>, testid: &'static str| {
        view! {
            <label class="segment">
                <input
                    type="radio"
                    name="search-by"
                    data-testid=testid
                    prop:checked=move || search_by.get() == value
                    on:change=move |_| search_by.set(value)
                />
                <span>{move || label.get()}</span>
            </label>
        }
    };

    view! {
        <section class="card" aria-labelledby="number-search-title">
            <h2 id="number-search-title">"Find a number"</h2>
            <form class="form search-form" novalidate=true on:submit=submit data-testid="number-search-form">
                <div class="search-row">
                    <div class="field" class:field-invalid=move || country_error.with(Option::is_some)>
                        <label for="number-country">"Country"</label>
                        <select
                            id="number-country"
                            data-testid="number-country"
                            on:change=change_country
                        >
                            {Country::ALL
                                .into_iter()
                                .map(|c| view! { <option value=c.code() prop:selected=move || country.get() == c>{c.name()}</option> })
                                .collect_view()}
                        </select>
                        {move || country_error.get().map(|m| view! { <p class="field-error" data-testid="number-country-error">{m}</p> })}
                    </div>
                    <fieldset class="field">
                        <legend>"Search by"</legend>
                        <div class="segmented">
                            {choice(SearchBy::AreaCode, Signal::stored("Area code".to_owned()), "search-by-area-code")}
                            {choice(
                                SearchBy::Region,
                                Signal::derive(move || region_noun(country.get()).to_owned()),
                                "search-by-region",
                            )}
                        </div>
                    </fieldset>
                </div>
                <div class="field" class:field-invalid=move || match search_by.get() {
                    SearchBy::AreaCode => area_code_error.with(Option::is_some),
                    SearchBy::Region => region_error.with(Option::is_some),
                }>
                    {move || match search_by.get() {
                        SearchBy::AreaCode => view! { <label for="number-area-code">"Area code"</label> }.into_any(),
                        SearchBy::Region => view! { <label for="number-region">{region_noun(country.get())}</label> }.into_any(),
                    }}
                    <div class="search-input-row">
                        {move || match search_by.get() {
                            SearchBy::AreaCode => view! {
                                <input
                                    id="number-area-code"
                                    type="text"
                                    inputmode="numeric"
                                    autocomplete="off"
                                    placeholder="e.g. 415"
                                    maxlength="5"
                                    class="area-code-input"
                                    data-testid="number-area-code"
                                    aria-invalid=move || area_code_error.with(Option::is_some).to_string()
                                    aria-describedby=move || area_code_error.with(Option::is_some).then_some("number-area-code-error")
                                    prop:value=move || area_code.get()
                                    on:input=move |ev| area_code.set(event_target_value(&ev))
                                />
                            }
                            .into_any(),
                            SearchBy::Region => view! {
                                <select
                                    id="number-region"
                                    data-testid="number-region"
                                    aria-invalid=move || region_error.with(Option::is_some).to_string()
                                    aria-describedby=move || region_error.with(Option::is_some).then_some("number-region-error")
                                    on:change=move |ev| region.set(event_target_value(&ev))
                                >
                                    <option value="" prop:selected=move || region.with(String::is_empty)>{move || format!("Choose a {}", region_noun(country.get()).to_lowercase())}</option>
                                    {move || {
                                        nanp::regions(country.get())
                                            .into_iter()
                                            .map(|(code, name)| view! { <option value=code prop:selected=move || region.get() == code>{name}</option> })
                                            .collect_view()
                                    }}
                                </select>
                            }
                            .into_any(),
                        }}
                        <button type="submit" class="button button-primary" data-testid="number-search-submit" disabled=move || busy.get()>
                            {move || if busy.get() { "Searching…" } else { "Search" }}
                        </button>
                    </div>
                    {move || {
                        let (id, message) = match search_by.get() {
                            SearchBy::AreaCode => ("number-area-code-error", area_code_error.get()),
                            SearchBy::Region => ("number-region-error", region_error.get()),
                        };
                        message.map(|m| view! { <p class="field-error" id=id data-testid=id>{m}</p> })
                    }}
                </div>
            </form>
        </section>
    }
}
