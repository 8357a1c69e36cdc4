//! The period the dashboard shows: the last 7, 30 or 90 days, or any dates, by day or week.

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use textback_shared::stats::{Granularity, MAX_DAYS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub granularity: Granularity,
}

impl Period {
    /// The last `days` days up to `today`, by day (by week beyond two months).
    pub fn last(days: i64, today: NaiveDate) -> Self {
        Self {
            from: today - Duration::days(days - 1),
            to: today,
            granularity: if days > 60 {
                Granularity::Week
            } else {
                Granularity::Day
            },
        }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

const PRESETS: [i64; 3] = [7, 30, 90];

#[component]
pub fn PeriodPicker(period: RwSignal<Period>, today: NaiveDate) -> impl IntoView {
    let presets = PRESETS
        .into_iter()
        .map(|days| {
            let chosen = move || period.get() == Period::last(days, today);
            view! {
                <button type="button" class="segmented-option" class:active=chosen
                    aria-pressed=move || chosen().to_string()
                    data-testid=format!("period-{days}")
                    on:click=move |_| period.set(Period::last(days, today))>
                    {format!("{days} days")}
                </button>
            }
        })
        .collect_view();
    let set_date = move |value: String, is_from: bool| {
        let Ok(date) = value.parse::<NaiveDate>() else {
            return;
        };
        period.update(|p| {
            if is_from {
                p.from = date;
            } else {
                p.to = date;
            }
            // Keep it a period the API takes: in order, and at most a year.
            if p.from > p.to {
                (p.from, p.to) = (p.to, p.from);
            }
            if p.days() > MAX_DAYS {
                p.from = p.to - Duration::days(MAX_DAYS - 1);
            }
        });
    };
    view! {
        <div class="period-picker" data-testid="period-picker">
            <div class="segmented" role="group" aria-label="Period">{presets}</div>
            <label class="period-date">
                "From"
                <input type="date" data-testid="period-from"
                    prop:value=move || period.get().from.to_string()
                    on:change=move |ev| set_date(event_target_value(&ev), true) />
            </label>
            <label class="period-date">
                "To"
                <input type="date" data-testid="period-to"
                    prop:value=move || period.get().to.to_string()
                    on:change=move |ev| set_date(event_target_value(&ev), false) />
            </label>
            <div class="segmented" role="group" aria-label="Show by">
                {[(Granularity::Day, "By day"), (Granularity::Week, "By week")]
                    .into_iter()
                    .map(|(granularity, label)| {
                        let chosen = move || period.get().granularity == granularity;
                        view! {
                            <button type="button" class="segmented-option" class:active=chosen
                                aria-pressed=move || chosen().to_string()
                                on:click=move |_| period.update(|p| p.granularity = granularity)>
                                {label}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        </div>
    }
}
