use std::ops::RangeInclusive;

use leptos::prelude::*;
use textback_shared::quiet_hours::FEDERAL_HOURS;

/// What `UpdateStoreRequest::validate` accepts: 3 is the most any state allows.
const PER_DAY_CHOICES: [u32; 3] = [1, 2, 3];

/// The store's own limits on marketing texts: sending hours and a daily cap per customer.
#[component]
pub fn MarketingLimits(
    start_hour: RwSignal<u32>,
    end_hour: RwSignal<u32>,
    per_day: RwSignal<u32>,
    #[prop(into)] hours_error: Signal<Option<String>>,
    #[prop(into)] per_day_error: Signal<Option<String>>,
) -> impl IntoView {
    // Every hour the law allows is offered; a start after the end is left to the shared check,
    // which says why.
    let starts = FEDERAL_HOURS.start_hour..=FEDERAL_HOURS.end_hour - 1;
    let ends = FEDERAL_HOURS.start_hour + 1..=FEDERAL_HOURS.end_hour;
    let lawful = format!(
        "The law allows marketing texts from {} to {} in the customer's local time. Stricter state rules still apply within the hours you choose: some states start later, stop earlier, or allow none on Sundays and holidays. Order notifications are not limited by these hours.",
        clock(FEDERAL_HOURS.start_hour),
        clock(FEDERAL_HOURS.end_hour),
    );
    let texts = move || {
        if per_day.get() == 1 {
            " marketing text per customer per day."
        } else {
            " marketing texts per customer per day."
        }
    };

    view! {
        <fieldset class="field" class:field-invalid=move || hours_error.with(Option::is_some)>
            <legend>"Sending hours"</legend>
            <p class="limit-sentence">
                "Marketing texts go out between "
                <HourSelect id="settings-start-hour" label="Earliest hour" hours=starts value=start_hour error=hours_error />
                " and "
                <HourSelect id="settings-end-hour" label="Latest hour" hours=ends value=end_hour error=hours_error />
                " in each customer's local time."
            </p>
            <p class="field-hint" data-testid="settings-hours-hint">{lawful}</p>
            {move || hours_error.get().map(|m| view! {
                <p class="field-error" id="settings-hours-error" data-testid="settings-hours-error">{m}</p>
            })}
        </fieldset>
        <fieldset class="field" class:field-invalid=move || per_day_error.with(Option::is_some)>
            <legend>"Texts per customer"</legend>
            <p class="limit-sentence" data-testid="settings-per-day-sentence">
                "At most "
                <span class="segmented">
                    {PER_DAY_CHOICES
                        .into_iter()
                        .map(|n| view! {
                            <label class="segment">
                                <input
                                    type="radio"
                                    name="marketing-per-day"
                                    value=n.to_string()
                                    data-testid=format!("settings-per-day-{n}")
                                    prop:checked=move || per_day.get() == n
                                    on:change=move |_| per_day.set(n)
                                />
                                <span>{n}</span>
                            </label>
                        })
                        .collect_view()}
                </span>
                {texts}
            </p>
            <p class="field-hint">"Counted over any 24 hours. Order notifications do not count."</p>
            {move || per_day_error.get().map(|m| view! {
                <p class="field-error" id="settings-per-day-error" data-testid="settings-per-day-error">{m}</p>
            })}
        </fieldset>
    }
}

#[component]
fn HourSelect(
    id: &'static str,
    label: &'static str,
    hours: RangeInclusive<u32>,
    value: RwSignal<u32>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let invalid = move || error.with(Option::is_some);
    view! {
        <select
            id=id
            class="inline-select"
            data-testid=id
            aria-label=label
            aria-invalid=move || invalid().to_string()
            aria-describedby=move || invalid().then_some("settings-hours-error")
            on:change=move |ev| {
                if let Ok(hour) = event_target_value(&ev).parse() {
                    value.set(hour);
                }
            }
        >
            {hours
                .map(|h| view! { <option value=h.to_string() prop:selected=move || value.get() == h>{clock(h)}</option> })
                .collect_view()}
        </select>
    }
}

/// `8` → "8:00", as the law and the checks write hours.
fn clock(hour: u32) -> String {
    format!("{hour}:00")
}
