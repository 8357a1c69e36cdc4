use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use textback_shared::ProblemCode;
use textback_shared::campaigns::CampaignStatus;
use textback_shared::numbers::{PhoneNumberDto, PhoneNumbersResponse, UsageDto};
use textback_shared::phone::format_national;

use crate::api::{self, ApiError};
use crate::components::numbers::current_number::{CurrentNumber, SmsOff};
use crate::components::numbers::past_numbers::PastNumbers;
use crate::components::numbers::release_dialog::ReleaseDialog;
use crate::components::numbers::usage_card::UsageCard;
use crate::components::states::{ErrorState, Loading};
use crate::contexts::session::use_session;

#[derive(Clone)]
struct NumberData {
    numbers: PhoneNumbersResponse,
    usage: UsageDto,
    /// Campaigns a release stopped: a new number does not restart them.
    stopped_campaigns: usize,
}

async fn load(client: api::Client) -> Result<NumberData, ApiError> {
    let numbers = api::numbers::list(&client).await?;
    let usage = api::usage::current_month(&client).await?;
    // A reminder, not a necessity: without the campaigns the page still shows the number.
    let stopped_campaigns = api::campaigns::list(&client, None)
        .await
        .map(|page| {
            page.items
                .iter()
                .filter(|c| c.status == CampaignStatus::Stopped)
                .count()
        })
        .unwrap_or(0);
    Ok(NumberData {
        numbers,
        usage,
        stopped_campaigns,
    })
}

/// Settings → SMS number: the number, releasing it, past numbers, and this month's usage.
#[component]
pub fn NumberSettingsPage() -> impl IntoView {
    let session = use_session();
    // The numbers page comes here with `?reserved` right after a reservation.
    let just_reserved =
        RwSignal::new(use_query_map().with_untracked(|q| q.get("reserved").is_some()));
    let data = LocalResource::new(move || load(session.client()));
    let retry = Callback::new(move |()| data.refetch());

    let to_release = RwSignal::new(None::<PhoneNumberDto>);
    // Store settings' "Release Number" comes here with `?release`: the release is asked once
    // the number is known.
    let release_asked =
        StoredValue::new(use_query_map().with_untracked(|q| q.get("release").is_some()));
    Effect::new(move |_| {
        if let Some(Ok(loaded)) = data.get()
            && release_asked.get_value()
        {
            release_asked.set_value(false);
            to_release.set(loaded.numbers.active);
        }
    });
    let releasing = RwSignal::new(false);
    let release_error = RwSignal::new(None::<String>);
    let just_released = RwSignal::new(None::<String>);

    let confirm_release = Callback::new(move |()| {
        let Some(number) = to_release.get_untracked() else {
            return;
        };
        releasing.set(true);
        release_error.set(None);
        let client = session.client();
        spawn_local(async move {
            match api::numbers::release(&client, number.id).await {
                // Not found: it went elsewhere meanwhile; either way it is not the store's now.
                Ok(()) => released(number, to_release, just_released, just_reserved, data),
                Err(error) if error.code() == Some(ProblemCode::NotFound) => {
                    released(number, to_release, just_released, just_reserved, data)
                }
                Err(error) => release_error.set(Some(error.message())),
            }
            releasing.set(false);
        });
    });

    view! {
        <div class="page-header">
            <div>
                <p class="breadcrumb">"Settings"</p>
                <h1>"SMS number"</h1>
                <p class="muted">"The number your store texts customers from."</p>
            </div>
        </div>
        {move || just_released.get().map(|national| view! {
            <div class="alert alert-info" role="status" data-testid="released-notice">
                {format!(
                    "{national} was released. SMS is off: no texts go out. Campaigns that were active are stopped, \
                     and a new number does not restart them: once you pick one, activate them again in Campaigns."
                )}
            </div>
        })}
        <Transition fallback=|| view! { <Loading label="Loading your SMS number…" /> }>
            {move || {
                data.get()
                    .map(|result| match result {
                        Ok(NumberData { numbers, usage, stopped_campaigns }) => {
                            let on_release = Callback::new({
                                let active = numbers.active.clone();
                                move |()| {
                                    release_error.set(None);
                                    to_release.set(active.clone());
                                }
                            });
                            view! {
                                {match numbers.active {
                                    Some(active) => {
                                        let national = format_national(&active.phone_number);
                                        view! {
                                        <Show when=move || just_reserved.get()>
                                            <div class="alert alert-info" role="status" data-testid="reserved-notice">
                                                {format!("{national} is now your store's SMS number. SMS is on.")}
                                            </div>
                                        </Show>
                                        {(stopped_campaigns > 0).then(|| view! {
                                            <StoppedCampaigns count=stopped_campaigns />
                                        })}
                                        <CurrentNumber number=active on_release />
                                    }
                                    .into_any()
                                    }
                                    None => view! { <SmsOff /> }.into_any(),
                                }}
                                <UsageCard usage />
                                {(!numbers.released.is_empty()).then(|| view! { <PastNumbers numbers=numbers.released /> })}
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorState error on_retry=retry /> }.into_any(),
                    })
            }}
        </Transition>
        {move || to_release.get().map(|number| view! {
            <ReleaseDialog
                number
                busy=releasing
                error=release_error
                on_confirm=confirm_release
                on_cancel=Callback::new(move |()| to_release.set(None))
            />
        })}
    }
}

/// SMS is on again, but campaigns stopped by releasing the last number are still stopped.
#[component]
fn StoppedCampaigns(count: usize) -> impl IntoView {
    let what = if count == 1 {
        "1 campaign was stopped when your last number was released. It stays stopped until you activate it again.".to_owned()
    } else {
        format!(
            "{count} campaigns were stopped when your last number was released. They stay stopped until you activate them again."
        )
    };
    view! {
        <div class="alert alert-warning" role="status" data-testid="stopped-campaigns-notice">
            {what} " " <A href="/campaigns" attr:data-testid="stopped-campaigns-link">"Go to Campaigns"</A>
        </div>
    }
}

fn released(
    number: PhoneNumberDto,
    to_release: RwSignal<Option<PhoneNumberDto>>,
    just_released: RwSignal<Option<String>>,
    just_reserved: RwSignal<bool>,
    data: LocalResource<Result<NumberData, ApiError>>,
) {
    to_release.set(None);
    just_reserved.set(false);
    just_released.set(Some(format_national(&number.phone_number)));
    data.refetch();
}
