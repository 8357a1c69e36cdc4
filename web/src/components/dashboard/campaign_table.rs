//! What each campaign achieved in the period.

use leptos::prelude::*;
use leptos_router::components::A;
use textback_shared::stats::CampaignFigures;

use super::{cents, count, other_currencies, percent};

#[component]
pub fn CampaignTable(campaigns: Vec<CampaignFigures>, revenue_currency: String) -> impl IntoView {
    let rows = campaigns
        .into_iter()
        .map(|c| {
            let f = c.figures;
            view! {
                <tr data-testid="campaign-results-row">
                    <td>
                        <A href=format!("/campaigns/{}", c.campaign_id)>{c.name}</A>
                        <div class="muted">{c.kind.label()}</div>
                    </td>
                    <td class="num">{count(f.messages_sent)}</td>
                    <td class="num">{count(f.delivered)}</td>
                    <td class="num">{count(f.clicks)}</td>
                    <td class="num">{count(f.replies)}</td>
                    <td class="num">{format!("{} ({})", count(f.opt_outs), percent(f.opt_out_rate))}</td>
                    <td class="num">{count(f.orders)}</td>
                    <td class="num" data-testid="campaign-results-revenue">
                        {cents(f.revenue_recovered_cents, &revenue_currency)}
                        {other_currencies(&f.revenue_other_currencies).map(|also| view! { <div class="muted">{also}</div> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card card-flush" data-testid="campaign-results">
            <h2 class="card-title">"By campaign"</h2>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th>"Campaign"</th>
                            <th class="num">"Sent"</th>
                            <th class="num">"Delivered"</th>
                            <th class="num">"Clicks"</th>
                            <th class="num">"Replies"</th>
                            <th class="num">"Opt-outs"</th>
                            <th class="num">"Orders"</th>
                            <th class="num">"Revenue"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
