use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use textback_shared::Page;
use textback_shared::campaigns::{CampaignDto, CampaignStatsDto, CampaignStatus};
use textback_shared::templates::CampaignKind;

use crate::api::{self, ApiError};
use crate::components::campaigns::activation::Activation;
use crate::components::campaigns::status_badge::StatusBadge;
use crate::components::campaigns::{kind_description, kind_title};
use crate::components::dashboard::cents;
use crate::components::load_more::LoadMore;
use crate::components::states::{EmptyState, ErrorState, FormAlert, Loading};
use crate::contexts::session::use_session;

#[derive(Clone, PartialEq)]
enum ListState {
    Loading,
    Ready,
    Failed(ApiError),
}

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let session = use_session();
    let campaigns = RwSignal::new(Vec::<CampaignDto>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let list_state = RwSignal::new(ListState::Loading);
    let loading_more = RwSignal::new(false);
    let more_error = RwSignal::new(None::<String>);

    let load_first = move || {
        list_state.set(ListState::Loading);
        let client = session.client();
        spawn_local(async move {
            match api::campaigns::list(&client, None).await {
                Ok(page) => {
                    campaigns.set(Vec::new());
                    append(campaigns, next_cursor, page);
                    list_state.set(ListState::Ready);
                }
                Err(error) => list_state.set(ListState::Failed(error)),
            }
        });
    };
    load_first();

    let load_more = Callback::new(move |()| {
        let Some(cursor) = next_cursor.get_untracked() else {
            return;
        };
        loading_more.set(true);
        more_error.set(None);
        let client = session.client();
        spawn_local(async move {
            match api::campaigns::list(&client, Some(&cursor)).await {
                Ok(page) => append(campaigns, next_cursor, page),
                Err(error) => more_error.set(Some(error.message())),
            }
            loading_more.set(false);
        });
    });

    let activation = Activation::new(Callback::new(move |changed: CampaignDto| {
        campaigns.update(|list| {
            if let Some(c) = list.iter_mut().find(|c| c.id == changed.id) {
                *c = changed;
            }
        });
    }));

    let retry = Callback::new(move |()| load_first());
    let list = move || match list_state.get() {
        ListState::Loading => view! { <Loading label="Loading campaigns…" /> }.into_any(),
        ListState::Failed(error) => view! { <ErrorState error on_retry=retry /> }.into_any(),
        ListState::Ready if campaigns.with(Vec::is_empty) => view! { <NoCampaigns /> }.into_any(),
        ListState::Ready => view! {
            <CampaignSection group=Group::AbandonedCarts campaigns activation />
            <CampaignSection group=Group::OrderUpdates campaigns activation />
            <LoadMore
                visible=Signal::derive(move || next_cursor.with(Option::is_some))
                busy=loading_more
                error=more_error
                on_load=load_more
            />
        }
        .into_any(),
    };

    view! {
        <div class="page-header">
            <div>
                <h1>"Campaigns"</h1>
                <p class="muted">"Texts that go out on their own: cart reminders and order notifications."</p>
            </div>
            {move || campaigns.with(|c| !c.is_empty()).then(|| view! {
                <A href="/campaigns/new" attr:class="button button-primary" attr:data-testid="new-campaign">"Create a campaign"</A>
            })}
        </div>
        <FormAlert message=activation.error />
        {list}
    }
}

/// The two areas merchants know from the seed product.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    AbandonedCarts,
    OrderUpdates,
}

impl Group {
    fn holds(self, kind: CampaignKind) -> bool {
        (kind == CampaignKind::AbandonedCart) == (self == Group::AbandonedCarts)
    }

    fn title(self) -> &'static str {
        match self {
            Group::AbandonedCarts => "Abandoned Carts",
            Group::OrderUpdates => "Order Updates",
        }
    }

    fn blurb(self) -> &'static str {
        match self {
            Group::AbandonedCarts => "Reminders, in timed steps, for carts left at checkout.",
            Group::OrderUpdates => {
                "Notifications when an order is updated, ships or is put on hold."
            }
        }
    }

    fn test_id(self) -> &'static str {
        match self {
            Group::AbandonedCarts => "abandoned-carts",
            Group::OrderUpdates => "order-updates",
        }
    }
}

#[component]
fn CampaignSection(
    group: Group,
    campaigns: RwSignal<Vec<CampaignDto>>,
    activation: Activation,
) -> impl IntoView {
    let of_group = move || {
        campaigns.with(|all| {
            all.iter()
                .filter(|c| group.holds(c.kind))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let table = move || {
        if of_group().is_empty() {
            return view! {
                <p class="muted" data-testid="campaign-section-empty">"None yet."</p>
            }
            .into_any();
        }
        view! {
            <div class="card card-flush table-wrap">
                <table class="table" data-testid="campaign-table">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Kind"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Messages"</th>
                            <th scope="col">"Results"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=of_group key=|c| (c.id, c.status.as_str(), c.updated_at) let:campaign>
                            <CampaignRow campaign activation />
                        </For>
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="campaign-section" data-testid="campaign-section" data-group=group.test_id()>
            <h2>{group.title()}</h2>
            <p class="muted">{group.blurb()}</p>
            {table}
        </section>
    }
}

fn append(
    campaigns: RwSignal<Vec<CampaignDto>>,
    next_cursor: RwSignal<Option<String>>,
    page: Page<CampaignDto>,
) {
    campaigns.update(|c| c.extend(page.items));
    next_cursor.set(page.next_cursor);
}

#[component]
fn CampaignRow(campaign: CampaignDto, activation: Activation) -> impl IntoView {
    let id = campaign.id;
    let steps = campaign.steps.len();
    let messages = if campaign.kind == CampaignKind::AbandonedCart {
        format!("{steps} step{}", if steps == 1 { "" } else { "s" })
    } else {
        "1 message".to_owned()
    };
    let busy = move || activation.busy.get() == Some(id);
    let action = match campaign.status {
        CampaignStatus::Active => view! {
            <button type="button" class="button button-secondary button-small" data-testid="pause-campaign"
                disabled=busy on:click=move |_| activation.pause(id)>
                {move || if busy() { "Pausing…" } else { "Pause" }}
            </button>
        }
        .into_any(),
        _ => view! {
            <button type="button" class="button button-primary button-small" data-testid="activate-campaign"
                disabled=busy on:click=move |_| activation.activate(id)>
                {move || if busy() { "Activating…" } else { "Activate" }}
            </button>
        }
        .into_any(),
    };
    view! {
        <tr data-testid="campaign-row" data-id=id.to_string()>
            <td><A href=format!("/campaigns/{id}") attr:class="key-name" attr:data-testid="campaign-name">{campaign.name}</A></td>
            <td data-testid="campaign-kind">{kind_title(campaign.kind)}</td>
            <td><StatusBadge status=campaign.status /></td>
            <td data-testid="campaign-steps">{messages}</td>
            <td data-testid="campaign-results"><CampaignResults id /></td>
            <td class="row-actions">{action}</td>
        </tr>
    }
}

/// Sent, clicked and credited orders, from the campaign's stats; quiet while loading and
/// when they cannot be had (the row is still usable).
#[component]
fn CampaignResults(id: i64) -> impl IntoView {
    let session = use_session();
    let stats = RwSignal::new(None::<CampaignStatsDto>);
    let client = session.client();
    spawn_local(async move {
        if let Ok(loaded) = api::campaigns::stats(&client, id).await {
            stats.set(Some(loaded));
        }
    });
    move || {
        stats.get().map(|s| {
            let total = &s.total;
            let mut parts = vec![
                format!("{} sent", total.sent),
                format!("{} clicked", total.clicked),
            ];
            if total.scheduled > 0 {
                parts.push(format!("{} scheduled", total.scheduled));
            }
            parts.push(format!(
                "{} order{} ({})",
                total.orders,
                if total.orders == 1 { "" } else { "s" },
                cents(total.revenue_cents, &s.currency)
            ));
            parts.join(" · ")
        })
    }
}

#[component]
fn NoCampaigns() -> impl IntoView {
    view! {
        <EmptyState title="No campaigns yet">
            <p>"A campaign texts your customers when something happens in your store. There are four kinds:"</p>
            <ul class="kind-list">
                {CampaignKind::ALL.into_iter().map(|kind| view! {
                    <li><strong>{kind_title(kind)}</strong>" — "{kind_description(kind)}</li>
                }).collect_view()}
            </ul>
            <A href="/campaigns/new" attr:class="button button-primary" attr:data-testid="create-campaign">"Create a campaign"</A>
        </EmptyState>
    }
}
