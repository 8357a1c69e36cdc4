use leptos::prelude::*;
use textback_shared::numbers::UsageDto;

use crate::format;

/// This month's texts and what they cost so far.
#[component]
pub fn UsageCard(usage: UsageDto) -> impl IntoView {
    let charges = usage.charges;
    let currency = charges.currency.clone();
    let money = move |amount: &str| format::money(amount, &currency);
    let segments_total = usage.outbound_segments + usage.inbound_segments;
    let days = usage.days_with_number;

    view! {
        <section class="card" aria-labelledby="usage-title" data-testid="usage">
            <h2 id="usage-title">"Usage in " {format::month(&usage.month)}</h2>
            <dl class="facts">
                <dt>"Texts sent"</dt>
                <dd data-testid="usage-outbound">{counted(usage.outbound_messages, "message")} " · " {counted(usage.outbound_segments, "segment")}</dd>
                <dt>"Texts received"</dt>
                <dd data-testid="usage-inbound">{counted(usage.inbound_messages, "message")} " · " {counted(usage.inbound_segments, "segment")}</dd>
                <dt>"Days with a number"</dt>
                <dd data-testid="usage-days">{days}</dd>
            </dl>
            <table class="charges-table" data-testid="usage-charges">
                <caption class="visually-hidden">"Charges this month"</caption>
                <tbody>
                    <tr>
                        <th scope="row">
                            "Message segments"
                            <span class="muted">{format!(" ({segments_total} × {})", money(&charges.price_per_segment))}</span>
                        </th>
                        <td>{money(&charges.segments)}</td>
                    </tr>
                    <tr>
                        <th scope="row">
                            "Number"
                            <span class="muted">{format!(" ({} per month, {})", money(&charges.price_per_number_month), counted(days, "day"))}</span>
                        </th>
                        <td>{money(&charges.number)}</td>
                    </tr>
                    <tr class="charges-total">
                        <th scope="row">"Total so far"</th>
                        <td data-testid="usage-total">{money(&charges.total)}</td>
                    </tr>
                </tbody>
            </table>
        </section>
    }
}

fn counted(n: i64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
