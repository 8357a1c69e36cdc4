use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use textback_shared::auth::StoreDto;
use textback_shared::numbers::{
    AvailableNumberDto, Country, PhoneNumberDto, PhoneNumbersResponse, UsageCharges,
};
use textback_shared::phone::format_national;
use textback_shared::{FieldError, ProblemCode, nanp};

use crate::api::numbers::Near;
use crate::api::{self, ApiError};
use crate::components::load_more::LoadMore;
use crate::components::numbers::available_list::AvailableList;
use crate::components::numbers::charges_notice::ChargesNotice;
use crate::components::numbers::reserve_dialog::ReserveDialog;
use crate::components::numbers::search_form::{SearchBy, SearchForm, region_noun};
use crate::components::states::{EmptyState, ErrorState, Loading};
use crate::contexts::session::use_session;
use crate::navigation::safe_next;

/// What the page needs before it can offer numbers.
#[derive(Clone)]
struct Start {
    active: Option<PhoneNumberDto>,
    charges: UsageCharges,
    store: StoreDto,
}

async fn load_start(client: api::Client) -> Result<Start, ApiError> {
    let numbers = api::numbers::list(&client).await?;
    let usage = api::usage::current_month(&client).await?;
    let store = api::store::get(&client).await?;
    Ok(Start {
        active: numbers.active,
        charges: usage.charges,
        store,
    })
}

/// Choosing the store's SMS number. `?next=/path` comes back there once one is reserved.
#[component]
pub fn NumbersPage() -> impl IntoView {
    let session = use_session();
    let next = use_query_map().with_untracked(|q| safe_next(q.get("next").as_deref()));
    let start = LocalResource::new(move || load_start(session.client()));
    let retry = Callback::new(move |()| start.refetch());
    let back = next.clone();
    // Sent here by activating a campaign: say why, since the merchant asked for something else.
    let for_campaign = next
        .as_deref()
        .is_some_and(|n| n.starts_with("/campaigns/") && n.contains("activate=1"));

    view! {
        <div class="page-header">
            <div>
                <h1>"Choose your SMS number"</h1>
                <p class="muted">"Your store texts customers from this number, and they can reply to it."</p>
            </div>
            {back.map(|path| view! { <A href=path attr:class="button button-secondary" attr:data-testid="numbers-back">"Not now"</A> })}
        </div>
        {for_campaign.then(|| view! {
            <div class="alert alert-info" role="status" data-testid="number-required-notice">
                "SMS needs a number first. Choose one, and your campaign is activated right after."
            </div>
        })}
        <Suspense fallback=|| view! { <Loading label="Loading…" /> }>
            {move || {
                let next = next.clone();
                start
                    .get()
                    .map(|result| match result {
                        Ok(Start { active: Some(active), .. }) => view! { <AlreadyHasNumber active next /> }.into_any(),
                        Ok(start) => view! {
                            <NumberPicker charges=start.charges store=start.store next on_store_has_number=retry />
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorState error on_retry=retry /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

/// One number per store: say which, and where to change it.
#[component]
fn AlreadyHasNumber(active: PhoneNumberDto, next: Option<String>) -> impl IntoView {
    view! {
        <section class="card" data-testid="number-already">
            <h2>"Your store already has an SMS number"</h2>
            <p>
                "Texts go out from " <strong data-testid="number-already-national">{format_national(&active.phone_number)}</strong>
                ". A store has one number at a time: to change it, release this one first in Settings → SMS number."
            </p>
            <div class="form-actions">
                {next.map(|path| view! { <A href=path attr:class="button button-primary" attr:data-testid="numbers-continue">"Continue"</A> })}
                <A href="/settings/number" attr:class="button button-secondary" attr:data-testid="go-number-settings">
                    "Go to Settings → SMS number"
                </A>
            </div>
        </section>
    }
}

/// Why a reservation cannot go ahead.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Refusal {
    StoreHasNumber,
    Taken,
}

#[derive(Clone, PartialEq)]
enum Status {
    /// Nothing searched yet.
    Idle,
    Searching,
    Shown,
    Failed(ApiError),
}

#[component]
fn NumberPicker(
    charges: UsageCharges,
    store: StoreDto,
    next: Option<String>,
    /// The store turned out to have a number already (reserved elsewhere meanwhile).
    on_store_has_number: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();

    // Start where the store is, when it says.
    let home_country = store.country.unwrap_or(Country::Us);
    let home_region = store.region.filter(|r| {
        nanp::regions(home_country)
            .iter()
            .any(|(code, _)| code == r)
    });
    let country = RwSignal::new(home_country);
    let search_by = RwSignal::new(if home_region.is_some() {
        SearchBy::Region
    } else {
        SearchBy::AreaCode
    });
    let area_code = RwSignal::new(String::new());
    let region = RwSignal::new(home_region.clone().unwrap_or_default());
    let errors = RwSignal::new(Vec::<FieldError>::new());

    let status = RwSignal::new(Status::Idle);
    let searched = RwSignal::new(None::<(Country, Near)>);
    let numbers = RwSignal::new(Vec::<AvailableNumberDto>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let hint = RwSignal::new(None::<String>);
    let nearby = RwSignal::new(Vec::<u16>::new());
    let loading_more = RwSignal::new(false);
    let more_error = RwSignal::new(None::<String>);
    // Each search bumps this; answers to older searches are dropped when they arrive.
    let generation = StoredValue::new(0_u32);

    let to_reserve = RwSignal::new(None::<AvailableNumberDto>);
    let reserving = RwSignal::new(false);
    let reserve_error = RwSignal::new(None::<String>);
    // Set when the API refused the number for good: trying again cannot work.
    let refusal = RwSignal::new(None::<Refusal>);

    let run_search = move |chosen: Country, near: Near| {
        generation.update_value(|g| *g += 1);
        let this_search = generation.get_value();
        status.set(Status::Searching);
        searched.set(Some((chosen, near.clone())));
        loading_more.set(false);
        more_error.set(None);
        let client = session.client();
        spawn_local(async move {
            let result = api::numbers::search(&client, chosen, &near, None).await;
            // `try_`: the merchant may have left the page meanwhile (its values are gone).
            if generation.try_get_value() != Some(this_search) {
                return;
            }
            match result {
                Ok(page) => {
                    numbers.set(page.items);
                    next_cursor.set(page.next_cursor);
                    hint.set(page.hint);
                    nearby.set(page.nearby_area_codes);
                    status.set(Status::Shown);
                }
                Err(error) if !error.field_errors().is_empty() => {
                    errors.set(error.field_errors().to_vec());
                    status.set(Status::Idle);
                }
                Err(error) => status.set(Status::Failed(error)),
            }
        });
    };

    let search = Callback::new(move |()| {
        let chosen = country.get_untracked();
        let near = match search_by.get_untracked() {
            SearchBy::AreaCode => area_code.with_untracked(|code| check_area_code(code, chosen)),
            SearchBy::Region => region.with_untracked(|r| check_region(r, chosen)),
        };
        match near {
            Ok(near) => {
                errors.set(Vec::new());
                run_search(chosen, near);
            }
            Err(error) => errors.set(vec![error]),
        }
    });
    // A store that says where it is sees numbers there at once.
    if let Some(home) = home_region {
        run_search(home_country, Near::Region(home));
    }

    let search_nearby = move |code: u16| {
        search_by.set(SearchBy::AreaCode);
        area_code.set(code.to_string());
        errors.set(Vec::new());
        run_search(country.get_untracked(), Near::AreaCode(code.to_string()));
    };
    let on_country_change = Callback::new(move |_: Country| {
        generation.update_value(|g| *g += 1);
        errors.set(Vec::new());
        status.set(Status::Idle);
    });

    let load_more = Callback::new(move |()| {
        let (Some(cursor), Some((chosen, near))) =
            (next_cursor.get_untracked(), searched.get_untracked())
        else {
            return;
        };
        let this_search = generation.get_value();
        loading_more.set(true);
        more_error.set(None);
        let client = session.client();
        spawn_local(async move {
            let result = api::numbers::search(&client, chosen, &near, Some(&cursor)).await;
            if generation.try_get_value() != Some(this_search) {
                return;
            }
            match result {
                Ok(page) => {
                    numbers.update(|shown| {
                        let fresh: Vec<_> = page
                            .items
                            .into_iter()
                            .filter(|n| shown.iter().all(|old| old.phone_number != n.phone_number))
                            .collect();
                        shown.extend(fresh);
                    });
                    next_cursor.set(page.next_cursor);
                }
                Err(error) => more_error.set(Some(error.message())),
            }
            loading_more.set(false);
        });
    });

    let on_reserve = Callback::new(move |number: AvailableNumberDto| {
        reserve_error.set(None);
        refusal.set(None);
        to_reserve.set(Some(number));
    });
    let cancel_reserve = Callback::new(move |()| {
        match refusal.get_untracked() {
            // The page's whole offer is moot now: show the number the store has instead.
            Some(Refusal::StoreHasNumber) => on_store_has_number.run(()),
            Some(Refusal::Taken) => {
                if let Some(taken) = to_reserve.get_untracked() {
                    numbers.update(|n| n.retain(|x| x.phone_number != taken.phone_number));
                }
            }
            None => {}
        }
        refusal.set(None);
        to_reserve.set(None);
    });
    let confirm_reserve = Callback::new(move |()| {
        let Some(number) = to_reserve.get_untracked() else {
            return;
        };
        reserving.set(true);
        reserve_error.set(None);
        let client = session.client();
        let navigate = navigate.clone();
        let next = next.clone();
        spawn_local(async move {
            match api::numbers::reserve(&client, &number.phone_number).await {
                Ok(_) => {
                    let to = next.unwrap_or_else(|| "/settings/number?reserved".to_owned());
                    navigate(&to, Default::default());
                }
                Err(error) if error.code() == Some(ProblemCode::Conflict) => {
                    // One 409 means either "the store got a number meanwhile" (another tab)
                    // or "someone else took this one"; the store's numbers tell which.
                    let (why, message) = match api::numbers::list(&client).await {
                        Ok(PhoneNumbersResponse {
                            active: Some(active),
                            ..
                        }) => (
                            Refusal::StoreHasNumber,
                            format!(
                                "Your store already has a number: {}. A store has one number at a time.",
                                format_national(&active.phone_number)
                            ),
                        ),
                        _ => (
                            Refusal::Taken,
                            "Someone else just reserved this number. Choose another one."
                                .to_owned(),
                        ),
                    };
                    refusal.set(Some(why));
                    reserve_error.set(Some(message));
                }
                Err(error) => reserve_error.set(Some(error.message())),
            }
            reserving.set(false);
        });
    });

    let retry = Callback::new(move |()| {
        if let Some((chosen, near)) = searched.get_untracked() {
            run_search(chosen, near);
        }
    });
    let heading = move || {
        searched.with(|s| match s {
            Some((_, Near::AreaCode(code))) => format!("Numbers in area code {code}"),
            Some((c, Near::Region(r))) => format!(
                "Numbers in {}",
                nanp::regions(*c)
                    .into_iter()
                    .find(|(code, _)| code == r)
                    .map_or(r.as_str(), |(_, name)| name)
            ),
            None => String::new(),
        })
    };
    let results = move || {
        match status.get() {
        Status::Idle => view! {
            <p class="state state-prompt muted" data-testid="search-prompt">
                "Search by area code or by " {move || region_noun(country.get()).to_lowercase()} " to see the numbers you can reserve."
            </p>
        }
        .into_any(),
        Status::Searching => view! { <Loading label="Looking for numbers…" /> }.into_any(),
        Status::Failed(error) => view! { <ErrorState error on_retry=retry /> }.into_any(),
        Status::Shown if numbers.with(Vec::is_empty) => view! {
            <EmptyState title="No numbers here right now">
                <p data-testid="search-hint">
                    {move || hint.get().unwrap_or_else(|| "No numbers are available there right now. Try another area code.".into())}
                </p>
                <Show when=move || !nearby.with(Vec::is_empty)>
                    <div class="nearby" data-testid="nearby-area-codes">
                        <span class="muted">"Try nearby:"</span>
                        <For each=move || nearby.get() key=|code| *code let:code>
                            <button
                                type="button"
                                class="button button-secondary button-small"
                                data-testid="nearby-area-code"
                                on:click=move |_| search_nearby(code)
                            >
                                {code}
                            </button>
                        </For>
                    </div>
                </Show>
            </EmptyState>
        }
        .into_any(),
        Status::Shown => view! {
            <div class="results-header">
                <h2 data-testid="results-heading">{heading}</h2>
                <span class="muted" data-testid="results-count">
                    {move || match numbers.with(Vec::len) {
                        1 => "1 number".to_owned(),
                        n => format!("{n} numbers"),
                    }}
                </span>
            </div>
            <AvailableList numbers on_reserve />
            <LoadMore
                visible=Signal::derive(move || next_cursor.with(Option::is_some))
                busy=loading_more
                error=more_error
                on_load=load_more
            />
        }
        .into_any(),
    }
    };

    view! {
        <ChargesNotice charges=charges.clone() />
        <SearchForm
            country
            search_by
            area_code
            region
            errors
            busy=Signal::derive(move || status.get() == Status::Searching)
            on_country_change
            on_search=search
        />
        <section class="card card-flush" aria-label="Numbers you can reserve" aria-live="polite" data-testid="number-results">
            {results}
        </section>
        {move || to_reserve.get().map(|number| view! {
            <ReserveDialog
                number
                charges=charges.clone()
                busy=reserving
                error=reserve_error
                on_confirm=confirm_reserve
                on_cancel=cancel_reserve
                ready=Signal::derive(move || refusal.with(Option::is_none))
            />
        })}
    }
}

/// Three digits, and an area code of the chosen country (spaces and brackets are fine).
fn check_area_code(raw: &str, country: Country) -> Result<Near, FieldError> {
    let error = |message: String| FieldError {
        field: "area_code".into(),
        message,
    };
    let code: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '(' | ')'))
        .collect();
    if code.is_empty() {
        return Err(error("Enter an area code, e.g. 415.".into()));
    }
    let Some(number) = code
        .parse::<u16>()
        .ok()
        .filter(|_| code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()))
    else {
        return Err(error("An area code is three digits, e.g. 415.".into()));
    };
    match nanp::lookup(number) {
        None => Err(error(format!("{code} is not a US or Canadian area code."))),
        Some(area) if area.country != country => Err(error(format!(
            "{code} is an area code in {0}. Choose {0} above to search it.",
            area.country.name()
        ))),
        Some(_) => Ok(Near::AreaCode(code)),
    }
}

fn check_region(raw: &str, country: Country) -> Result<Near, FieldError> {
    if raw.is_empty() {
        return Err(FieldError {
            field: "region".into(),
            message: format!("Choose a {}.", region_noun(country).to_lowercase()),
        });
    }
    Ok(Near::Region(raw.to_owned()))
}
