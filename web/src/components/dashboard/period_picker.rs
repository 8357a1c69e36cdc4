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

    /// The period a dashboard link names (`?days=90`, or `?from=…&to=…`, and `&by=week`),
    /// so a reload or a shared link shows the same one; the last 30 days otherwise. A
    /// preset stays relative: "the last 7 days" tomorrow are tomorrow's.
    pub fn from_query(get: impl Fn(&str) -> Option<String>, today: NaiveDate) -> Self {
        let date = |key: &str| get(key).and_then(|d| d.parse::<NaiveDate>().ok());
        let preset = get("days")
            .and_then(|d| d.parse::<i64>().ok())
            .filter(|d| PRESETS.contains(d));
        let mut period = match (preset, date("from"), date("to")) {
            (Some(days), _, _) => Self::last(days, today),
            (None, Some(from), Some(to)) if from <= to && (to - from).num_days() < MAX_DAYS => {
                Self {
                    from,
                    to,
                    granularity: Granularity::Day,
                }
            }
            _ => Self::last(30, today),
        };
        match get("by").as_deref() {
            Some("week") => period.granularity = Granularity::Week,
            Some("day") => period.granularity = Granularity::Day,
            _ => {}
        }
        period
    }

    /// The query that [`Period::from_query`] reads back.
    pub fn query(self, today: NaiveDate) -> String {
        let by = match self.granularity {
            Granularity::Day => "day",
            Granularity::Week => "week",
        };
        let preset = PRESETS.into_iter().find(|days| {
            let last = Self::last(*days, today);
            (last.from, last.to) == (self.from, self.to)
        });
        match preset {
            Some(days) => format!("days={days}&by={by}"),
            None => format!("from={}&to={}&by={by}", self.from, self.to),
        }
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
