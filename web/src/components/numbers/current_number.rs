use leptos::prelude::*;
use leptos_router::components::A;
use textback_shared::numbers::PhoneNumberDto;
use textback_shared::phone::format_national;

use crate::contexts::session::use_session;
use crate::format;

/// The store's number while SMS is on.
#[component]
pub fn CurrentNumber(number: PhoneNumberDto, on_release: Callback<()>) -> impl IntoView {
    let session = use_session();
    let reserved_by = match number.reserved_by_user_id {
        None => "An integration, with an API key".to_owned(),
        Some(id) if Some(id) == session.user_id() => match session.user_email() {
            Some(email) => format!("You ({email})"),
            None => "You".to_owned(),
        },
        Some(_) => "Another member of your team".to_owned(),
    };
    let place = format::place(number.locality.as_deref(), number.region.as_deref())
        .map(|p| format!("{p}, {}", number.country.name()))
        .unwrap_or_else(|| number.country.name().to_owned());

    view! {
        <section class="card" aria-labelledby="current-number-title" data-testid="current-number">
            <div class="card-header">
                <h2 id="current-number-title">"Your SMS number"</h2>
                <span class="badge badge-on" data-testid="sms-status">"SMS is on"</span>
            </div>
            <p class="number-big" data-testid="current-number-national">{format_national(&number.phone_number)}</p>
            <dl class="facts">
                <dt>"Location"</dt>
                <dd>{place}</dd>
                <dt>"Reserved"</dt>
                <dd data-testid="current-number-since">{format::date_time(&number.reserved_at)}</dd>
                <dt>"Reserved by"</dt>
                <dd data-testid="current-number-by">{reserved_by}</dd>
            </dl>
            <div class="form-actions card-actions">
                <button type="button" class="button button-danger-quiet" data-testid="release-number" on:click=move |_| on_release.run(())>
                    "Release number"
                </button>
            </div>
        </section>
    }
}

/// No number: SMS is off until one is picked.
#[component]
pub fn SmsOff() -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="sms-off-title" data-testid="sms-off">
            <div class="card-header">
                <h2 id="sms-off-title">"SMS is off"</h2>
                <span class="badge badge-off" data-testid="sms-status">"No number"</span>
            </div>
            <p>"Your store has no SMS number, so no texts go out and customers cannot text you. Pick a number to turn SMS on."</p>
            <A href="/numbers" attr:class="button button-primary" attr:data-testid="pick-number">"Pick a number"</A>
        </section>
    }
}
