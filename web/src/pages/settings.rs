use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use textback_shared::FieldError;
use textback_shared::auth::{StoreDto, UpdateStoreRequest};
use textback_shared::numbers::Country;
use textback_shared::phone::format_national;
use textback_shared::quiet_hours::{DEFAULT_HOURS, Hours};

use crate::api::{self, ApiError};
use crate::components::field::{TextField, error_for};
use crate::components::numbers::search_form::region_noun;
use crate::components::password_card::PasswordCard;
use crate::components::states::{ErrorState, FormAlert, Loading};
use crate::components::store_settings::location_fields::LocationFields;
use crate::components::store_settings::marketing_limits::MarketingLimits;
use crate::contexts::session::use_session;

/// The fields this page shows errors next to; any other field's error goes above the form.
const SHOWN_FIELDS: [&str; 5] = [
    "name",
    "country",
    "region",
    "sending_hours",
    "marketing_per_day",
];

/// Settings → Store: the store's name and place, and its own limits on marketing texts.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let session = use_session();
    let store = LocalResource::new(move || {
        let client = session.client();
        async move { api::store::get(&client).await }
    });
    let retry = Callback::new(move |()| store.refetch());

    view! {
        <div class="page-header">
            <div>
                <p class="breadcrumb">"Settings"</p>
                <h1>"Store"</h1>
                <p class="muted">"Your store's name and place, and when and how often customers may get marketing texts."</p>
            </div>
        </div>
        <Suspense fallback=|| view! { <Loading label="Loading your store…" /> }>
            {move || {
                store
                    .get()
                    .map(|result| match result {
                        Ok(store) => view! { <StoreSettingsForm store /> }.into_any(),
                        Err(error) => view! { <ErrorState error on_retry=retry /> }.into_any(),
                    })
            }}
        </Suspense>
        <SmsNumberCard />
        <PasswordCard />
    }
}

/// At the bottom of the store's settings, where merchants look for it: the SMS number, and
/// "Release Number" (to change it, or to stop SMS), which opens the release on its own page.
#[component]
fn SmsNumberCard() -> impl IntoView {
    let session = use_session();
    let numbers = LocalResource::new(move || {
        let client = session.client();
        async move { api::numbers::list(&client).await }
    });
    let active = move || {
        numbers
            .get()
            .and_then(Result::ok)
            .and_then(|numbers| numbers.active)
    };
    view! {
        <section class="card" aria-labelledby="settings-number-title" data-testid="settings-number">
            <h2 id="settings-number-title">"SMS number"</h2>
            {move || match active() {
                Some(number) => view! {
                    <p>
                        "Your store texts from "
                        <strong data-testid="settings-number-national">{format_national(&number.phone_number)}</strong>
                        ". To change it or to stop SMS, release it: every SMS campaign stops at once, \
                         the number is gone, and SMS charges stop as of today."
                    </p>
                    <A href="/settings/number?release" attr:class="button button-danger-quiet"
                        attr:data-testid="settings-release-number">"Release Number"</A>
                }
                .into_any(),
                None => view! {
                    <p class="muted">"No number: SMS is off. Pick one to turn it on."</p>
                    <A href="/settings/number" attr:class="button">"SMS number"</A>
                }
                .into_any(),
            }}
        </section>
    }
}

/// Everything the form holds, to compare with what was last saved.
#[derive(Debug, Clone, PartialEq)]
struct Choices {
    name: String,
    country: Country,
    /// Empty while no state or province is chosen.
    region: String,
    hours: Hours,
    per_day: u32,
}

impl Choices {
    fn of(store: &StoreDto) -> Choices {
        Choices {
            name: store.name.clone(),
            country: store.country.unwrap_or(Country::Us),
            region: store.region.clone().unwrap_or_default(),
            // A store that never chose hours gets ours, so that is what the pickers show.
            hours: store.sending_hours.unwrap_or(DEFAULT_HOURS),
            per_day: store.marketing_per_day,
        }
    }

    /// Every field as the API would take it, for the checks it makes.
    fn as_request(&self) -> UpdateStoreRequest {
        let located = !self.region.is_empty();
        UpdateStoreRequest {
            name: Some(self.name.clone()),
            country: located.then_some(self.country),
            region: located.then(|| self.region.clone()),
            sending_hours: Some(self.hours),
            marketing_per_day: Some(self.per_day),
        }
    }

    /// The shared checks, and one of this form's own: the API cannot forget a store's place,
    /// so once it has one, clearing the state (as changing the country does) must be refused
    /// here rather than leave the old state under the new country.
    fn problems(&self, saved: &StoreDto) -> Vec<FieldError> {
        let mut problems = self.as_request().validate();
        if self.region.is_empty() && saved.region.is_some() {
            problems.push(FieldError::new(
                "region",
                format!("Choose a {}.", region_noun(self.country).to_lowercase()),
            ));
        }
        problems
    }

    /// Only what differs from `saved`: hours the store never chose stay unchosen, so they
    /// follow our default rather than a copy of it.
    fn changes_from(&self, saved: &StoreDto) -> UpdateStoreRequest {
        let was = Choices::of(saved);
        let moved = !self.region.is_empty()
            && (Some(self.country) != saved.country
                || Some(self.region.as_str()) != saved.region.as_deref());
        UpdateStoreRequest {
            name: (self.name.trim() != was.name).then(|| self.name.clone()),
            country: moved.then_some(self.country),
            region: moved.then(|| self.region.clone()),
            sending_hours: (self.hours != was.hours).then_some(self.hours),
            marketing_per_day: (self.per_day != was.per_day).then_some(self.per_day),
        }
    }
}

#[component]
fn StoreSettingsForm(store: StoreDto) -> impl IntoView {
    let session = use_session();
    let initial = Choices::of(&store);
    let saved = StoredValue::new(store);

    let name = RwSignal::new(initial.name);
    let country = RwSignal::new(initial.country);
    let region = RwSignal::new(initial.region);
    let start_hour = RwSignal::new(initial.hours.start_hour);
    let end_hour = RwSignal::new(initial.hours.end_hour);
    let per_day = RwSignal::new(initial.per_day);
    let choices = Memo::new(move |_| Choices {
        name: name.get(),
        country: country.get(),
        region: region.get(),
        hours: Hours::new(start_hour.get(), end_hour.get()),
        per_day: per_day.get(),
    });

    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    // What the form held when it was last saved: the confirmation shows until it is edited.
    let saved_as = RwSignal::new(None::<Choices>);
    // After the first attempt, fields re-check as the person fixes them.
    let attempted = RwSignal::new(false);
    Effect::new(move |_| {
        let current = choices.get();
        if attempted.get_untracked() {
            errors.set(saved.with_value(|s| current.problems(s)));
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        attempted.set(true);
        form_error.set(None);
        let current = choices.get_untracked();
        let problems = saved.with_value(|s| current.problems(s));
        if !problems.is_empty() {
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        let request = saved.with_value(|s| current.changes_from(s));
        pending.set(true);
        let client = session.client();
        spawn_local(async move {
            match api::store::update(&client, &request).await {
                Ok(store) => {
                    // The rest of the form stays as it is; only the name comes back trimmed.
                    name.set(store.name.clone());
                    saved_as.set(Some(Choices {
                        name: store.name.clone(),
                        ..current
                    }));
                    saved.set_value(store.clone());
                    session.set_store(store);
                }
                Err(error) => show_error(error, errors, form_error),
            }
            pending.set(false);
        });
    };

    let field =
        move |name: &'static str| Signal::derive(move || errors.with(|e| error_for(e, name)));
    let location_error = Signal::derive(move || {
        errors.with(|e| error_for(e, "region").or_else(|| error_for(e, "country")))
    });
    let just_saved = move || saved_as.with(|s| s.as_ref() == Some(&choices.get()));

    view! {
        <form class="form settings-form" novalidate=true on:submit=submit data-testid="settings-form">
            <FormAlert message=form_error />
            <section class="card" aria-labelledby="settings-store-title">
                <h2 id="settings-store-title">"Your store"</h2>
                <div class="form">
                    <TextField
                        id="settings-name"
                        label="Store name"
                        value=name
                        error=field("name")
                        autocomplete="organization"
                        hint="As your customers know it; it signs every text."
                    />
                    <LocationFields country region error=location_error />
                </div>
            </section>
            <section class="card" aria-labelledby="settings-marketing-title">
                <h2 id="settings-marketing-title">"Marketing texts"</h2>
                <p class="muted">"Cart reminders, and any other text that promotes your store."</p>
                <div class="form">
                    <MarketingLimits
                        start_hour
                        end_hour
                        per_day
                        hours_error=field("sending_hours")
                        per_day_error=field("marketing_per_day")
                    />
                </div>
            </section>
            <div class="form-actions settings-actions">
                <button type="submit" class="button button-primary" data-testid="settings-save" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save settings" }}
                </button>
                <span class="save-status" role="status">
                    {move || just_saved().then(|| view! { <span data-testid="settings-saved">"Settings saved."</span> })}
                </span>
            </div>
        </form>
    }
}

/// Field errors go next to their fields; anything else above the form.
fn show_error(
    error: ApiError,
    errors: RwSignal<Vec<FieldError>>,
    form_error: RwSignal<Option<String>>,
) {
    let fields = error.field_errors().to_vec();
    if fields.is_empty()
        || fields
            .iter()
            .any(|e| !SHOWN_FIELDS.contains(&e.field.as_str()))
    {
        form_error.set(Some(error.message()));
    }
    errors.set(fields);
}
