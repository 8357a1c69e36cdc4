use leptos::prelude::*;
use leptos_router::components::A;
use textback_shared::auth::MeResponse;
use textback_shared::numbers::PhoneNumberDto;
use textback_shared::phone::format_national;

use crate::api::client::api_base_url;
use crate::api::{self, ApiError};
use crate::components::states::{ErrorState, Loading};
use crate::contexts::session::use_session;
use crate::format;

/// What the overview needs: who is calling, whether the store has any key yet, and its number.
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

#[component]
pub fn OverviewPage() -> impl IntoView {
    let session = use_session();
    let data = LocalResource::new(move || load(session.client()));
    let retry = Callback::new(move |()| data.refetch());

    view! {
        <div class="page-header">
            <h1>"Overview"</h1>
        </div>
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
