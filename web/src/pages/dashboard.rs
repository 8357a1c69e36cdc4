//! The landing page: what texts achieved in a period (headline figures against the period
//! before, charts over time, each campaign), then the store's setup.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use textback_shared::auth::MeResponse;
use textback_shared::numbers::PhoneNumberDto;
use textback_shared::phone::format_national;
use textback_shared::stats::{Granularity, StatsDto, StatsPoint};

use crate::api::client::api_base_url;
use crate::api::{self, ApiError};
use crate::components::dashboard::campaign_table::CampaignTable;
use crate::components::dashboard::chart::{Chart, Series, Style};
use crate::components::dashboard::headlines::Headlines;
use crate::components::dashboard::period_picker::{Period, PeriodPicker};
use crate::components::dashboard::{cents, count, is_empty};
use crate::components::states::{ErrorState, Loading};
use crate::contexts::session::use_session;
use crate::format;

/// The store's setup: who is calling, whether the store has any key yet, and its number.
#[derive(Clone)]
struct OverviewData {
    me: MeResponse,
    has_keys: bool,
    sms_number: Option<PhoneNumberDto>,
}

async fn load(client: api::Client) -> Result<OverviewData, ApiError> {
    let me = api::auth::me(&client).await?;
    let keys = api::api_keys::list(&client, None, Some(1)).await?;
    let numbers = api::numbers::list(&client).await?;
    Ok(OverviewData {
        me,
        has_keys: !keys.items.is_empty(),
        sms_number: numbers.active,
    })
}

/// Today where the merchant is (the API counts days in the store's time zone; near midnight
/// the two may differ by a day, which a preset period tolerates).
fn today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_default()
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let session = use_session();
    let today = today();
    let period = RwSignal::new(
        use_query_map().with_untracked(|query| Period::from_query(|key| query.get(key), today)),
    );
    // The chosen period goes into the address, replacing it: a reload or a shared link shows
    // the same period, and Back leaves the dashboard rather than stepping through periods.
    let navigate = use_navigate();
    Effect::new(move |first: Option<()>| {
        let query = period.get().query(today);
        if first.is_some() {
            navigate(
                &format!("/?{query}"),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    });
    let results = LocalResource::new(move || {
        let (period, client) = (period.get(), session.client());
        async move { api::stats::results(&client, period.from, period.to, period.granularity).await }
    });
    let retry_results = Callback::new(move |()| results.refetch());
    let data = LocalResource::new(move || load(session.client()));
    let retry = Callback::new(move |()| data.refetch());

    view! {
        <div class="page-header dashboard-header">
            <h1>"Dashboard"</h1>
            <PeriodPicker period today />
        </div>
        <Suspense fallback=|| view! { <Loading label="Loading your results…" /> }>
            {move || {
                // The first steps are ticked off as the store takes them.
                let has_number = data
                    .get()
                    .and_then(Result::ok)
                    .is_some_and(|d| d.sms_number.is_some());
                results
                    .get()
                    .map(|result| match result {
                        Ok(stats) => view! { <Results stats has_number /> }.into_any(),
                        Err(error) => view! { <ErrorState error on_retry=retry_results /> }.into_any(),
                    })
            }}
        </Suspense>
        <h2 class="section-title">"Your store"</h2>
        <Suspense fallback=|| view! { <Loading label="Loading your store…" /> }>
            {move || {
                data.get()
                    .map(|result| match result {
                        Ok(data) => view! { <OverviewCards data /> }.into_any(),
                        Err(error) => view! { <ErrorState error on_retry=retry /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// The period's results, or what to do first when there are none yet.
#[component]
fn Results(stats: StatsDto, has_number: bool) -> impl IntoView {
    if is_empty(&stats.totals) && is_empty(&stats.previous) {
        let has_campaigns = !stats.campaigns.is_empty();
        return view! { <GettingStarted has_number has_campaigns /> }.into_any();
    }
    let days = (stats.to - stats.from).num_days() + 1;
    let labels: Vec<String> = stats
        .series
        .iter()
        .map(|p| label(p, stats.granularity))
        .collect();
    let values = |pick: fn(&StatsPoint) -> f64| stats.series.iter().map(pick).collect::<Vec<_>>();
    let counts = Callback::new(|v: f64| count(v.round() as u64));
    // Revenue is in the store's currency, which need not be the SMS price list's.
    let revenue_currency = stats.revenue_currency.clone();
    let money = Callback::new(move |v: f64| cents(v.round() as i64, &revenue_currency));
    view! {
        <Headlines totals=stats.totals.clone() previous=stats.previous.clone() revenue_currency=stats.revenue_currency.clone() days />
        <div class="charts">
            <Chart
                title="Messages"
                testid="chart-messages"
                labels=labels.clone()
                style=Style::Lines
                format=counts
                series=vec![
                    Series { name: "Sent", class: "series-a", values: values(|p| p.figures.messages_sent as f64) },
                    Series { name: "Delivered", class: "series-b", values: values(|p| p.figures.delivered as f64) },
                ]
            />
            <Chart
                title="Clicks and replies"
                testid="chart-engagement"
                labels=labels.clone()
                style=Style::Lines
                format=counts
                series=vec![
                    Series { name: "Clicks", class: "series-a", values: values(|p| p.figures.clicks as f64) },
                    Series { name: "Replies", class: "series-c", values: values(|p| p.figures.replies as f64) },
                ]
            />
            <Chart
                title="Revenue recovered"
                testid="chart-revenue"
                labels
                style=Style::Bars
                format=money
                series=vec![Series {
                    name: "Revenue",
                    class: "series-b",
                    values: values(|p| p.figures.revenue_recovered_cents as f64),
                }]
            />
        </div>
        <CampaignTable campaigns=stats.campaigns revenue_currency=stats.revenue_currency />
        <p class="muted dashboard-note">
            {format!(
                "Days in {}. An order counts for the text the customer last clicked within 7 days, else the last one sent within 24 hours.",
                stats.time_zone,
            )}
        </p>
    }
    .into_any()
}

fn label(point: &StatsPoint, granularity: Granularity) -> String {
    match granularity {
        Granularity::Day => point.start.format("%b %-d").to_string(),
        Granularity::Week => point.start.format("Wk of %b %-d").to_string(),
    }
}

/// A store with nothing to show yet: the steps to its first results.
#[component]
fn GettingStarted(has_number: bool, has_campaigns: bool) -> impl IntoView {
    view! {
        <section class="card getting-started" data-testid="dashboard-empty">
            <h2>"Your results will appear here"</h2>
            <p>"Win back abandoned carts by text in three steps:"</p>
            <ol class="steps">
                <li class:done=has_number>
                    <A href="/numbers">"Pick your SMS number"</A>
                    " — customers get texts from it and reply to it."
                </li>
                <li class:done=has_campaigns>
                    <A href="/campaigns/new">"Create an abandoned-cart campaign"</A>
                    " — timed reminders with a link back to the cart."
                </li>
                <li>
                    <A href="/settings/api-keys?create">"Connect your store"</A>
                    " — your platform sends carts and orders with an API key."
                </li>
            </ol>
        </section>
    }
}

#[component]
fn OverviewCards(data: OverviewData) -> impl IntoView {
    let OverviewData {
        me,
        has_keys,
        sms_number,
    } = data;
    let base_url = api_base_url();

    view! {
        {(!has_keys)
            .then(|| {
                view! {
                    <section class="card callout" data-testid="create-key-cta">
                        <div>
                            <h2>"Connect your store"</h2>
                            <p>
                                "Create an API key so your store platform can send cart and order events to Textback and read your data."
                            </p>
                        </div>
                        <A href="/settings/api-keys?create" attr:class="button button-primary" attr:data-testid="create-key-cta-link">
                            "Create an API key"
                        </A>
                    </section>
                }
            })}
        <div class="grid">
            <SmsStatus number=sms_number />
            <section class="card" data-testid="overview-store">
                <h2>"Store"</h2>
                <dl class="facts">
                    <dt>"Name"</dt>
                    <dd data-testid="overview-store-name">{me.store.name.clone()}</dd>
                    <dt>"Created"</dt>
                    <dd>{format::date(&me.store.created_at)}</dd>
                </dl>
            </section>
            <section class="card" data-testid="overview-user">
                <h2>"Signed in as"</h2>
                <dl class="facts">
                    <dt>"Email"</dt>
                    <dd data-testid="overview-user-email">{me.user.as_ref().map(|u| u.email.clone()).unwrap_or_default()}</dd>
                    <dt>"Member since"</dt>
                    <dd>{me.user.as_ref().map(|u| format::date(&u.created_at)).unwrap_or_default()}</dd>
                </dl>
            </section>
            <section class="card card-wide" data-testid="overview-api">
                <h2>"API"</h2>
                <p>"Integrations call Textback at this address, sending an API key as " <code>"Authorization: Bearer <key>"</code> "."</p>
                <code class="code-block" data-testid="api-base-url">{base_url}</code>
                <p class="card-links">
                    <a href="/api-docs/" target="_blank" rel="noopener" data-testid="api-docs-link">"API documentation"</a>
                    {has_keys.then(|| view! { <A href="/settings/api-keys">"Manage API keys"</A> })}
                </p>
            </section>
        </div>
    }
}

/// Whether the store can text, and the way to change that.
#[component]
fn SmsStatus(number: Option<PhoneNumberDto>) -> impl IntoView {
    match number {
        Some(number) => view! {
            <section class="card card-wide sms-status" data-testid="overview-sms">
                <div>
                    <h2>"SMS"</h2>
                    <p>
                        <span class="badge badge-on">"On"</span>
                        " Texts go out from "
                        <strong data-testid="overview-sms-number">{format_national(&number.phone_number)}</strong>
                        {format!(", since {}.", format::date(&number.reserved_at))}
                    </p>
                </div>
                <A href="/settings/number" attr:class="button button-secondary" attr:data-testid="overview-sms-link">"Manage number"</A>
            </section>
        }
        .into_any(),
        None => view! {
            <section class="card card-wide sms-status" data-testid="overview-sms">
                <div>
                    <h2>"SMS"</h2>
                    <p data-testid="overview-sms-off">
                        <span class="badge badge-off">"Off"</span>
                        " SMS is off — pick a number to text your customers."
                    </p>
                </div>
                <A href="/numbers" attr:class="button button-primary" attr:data-testid="overview-sms-link">"Pick a number"</A>
            </section>
        }
        .into_any(),
    }
}
