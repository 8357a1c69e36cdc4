//! The four numbers merchants look at first, each against the period before.

use leptos::prelude::*;
use textback_shared::stats::{Figures, change};

use super::{cents, count, other_currencies, percent};

/// Whether a rise is good news (revenue) or bad (opt-outs).
#[derive(Clone, Copy)]
enum Better {
    Higher,
    Lower,
}

#[component]
pub fn Headlines(
    totals: Figures,
    previous: Figures,
    revenue_currency: String,
    days: i64,
) -> impl IntoView {
    let against = format!("vs previous {days} days");
    view! {
        <div class="headlines" data-testid="headlines">
            <Headline
                testid="headline-revenue"
                label="Revenue recovered"
                value=cents(totals.revenue_recovered_cents, &revenue_currency)
                also=other_currencies(&totals.revenue_other_currencies)
                detail=format!("{} orders from texts", count(totals.orders))
                change=change(totals.revenue_recovered_cents as f64, previous.revenue_recovered_cents as f64)
                better=Better::Higher
                against=against.clone()
            />
            <Headline
                testid="headline-carts"
                label="Carts recovered"
                value=count(totals.carts_recovered)
                detail=format!(
                    "{} of {} abandoned",
                    percent(totals.recovery_rate),
                    count(totals.carts_abandoned),
                )
                change=change(totals.carts_recovered as f64, previous.carts_recovered as f64)
                better=Better::Higher
                against=against.clone()
            />
            <Headline
                testid="headline-sent"
                label="Messages sent"
                value=count(totals.messages_sent)
                detail=format!("{} delivered", count(totals.delivered))
                change=change(totals.messages_sent as f64, previous.messages_sent as f64)
                better=Better::Higher
                against=against.clone()
            />
            <Headline
                testid="headline-opt-out-rate"
                label="Opt-out rate"
                value=percent(totals.opt_out_rate)
                detail=format!("{} opt-outs", count(totals.opt_outs))
                change=change(totals.opt_out_rate, previous.opt_out_rate)
                better=Better::Lower
                against
            />
        </div>
    }
}

#[component]
fn Headline(
    testid: &'static str,
    label: &'static str,
    value: String,
    /// A short line under the value (revenue in other currencies).
    #[prop(optional_no_strip)]
    also: Option<String>,
    detail: String,
    change: Option<f64>,
    better: Better,
    against: String,
) -> impl IntoView {
    let (class, text) = match change {
        None => (
            "change change-none",
            "No earlier figures to compare".to_owned(),
        ),
        Some(c) if c.abs() < 0.0005 => ("change change-flat", format!("No change {against}")),
        Some(c) => {
            let good = (c > 0.0) == matches!(better, Better::Higher);
            let arrow = if c > 0.0 { "▲" } else { "▼" };
            (
                if good {
                    "change change-good"
                } else {
                    "change change-bad"
                },
                format!("{arrow} {} {against}", percent(c.abs())),
            )
        }
    };
    view! {
        <section class="card headline" data-testid=testid>
            <h2>{label}</h2>
            <p class="headline-value" data-testid="headline-value">{value}</p>
            {also.map(|also| view! { <p class="headline-detail" data-testid="headline-also">{also}</p> })}
            <p class="headline-detail">{detail}</p>
            <p class=class data-testid="headline-change">{text}</p>
        </section>
    }
}
