use leptos::prelude::*;
use textback_shared::numbers::PhoneNumberDto;
use textback_shared::phone::format_national;

use crate::format;

/// Numbers the store held before, newest first.
#[component]
pub fn PastNumbers(numbers: Vec<PhoneNumberDto>) -> impl IntoView {
    view! {
        <section class="card card-flush" aria-labelledby="past-numbers-title" data-testid="past-numbers">
            <h2 id="past-numbers-title" class="card-flush-title">"Past numbers"</h2>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">"Number"</th>
                            <th scope="col">"Location"</th>
                            <th scope="col">"Reserved"</th>
                            <th scope="col">"Released"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {numbers.into_iter().map(|n| view! { <PastRow number=n /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn PastRow(number: PhoneNumberDto) -> impl IntoView {
    let place = format::place(number.locality.as_deref(), number.region.as_deref())
        .unwrap_or_else(|| number.country.name().to_owned());
    let released = number
        .released_at
        .as_ref()
        .map(format::date_time)
        .unwrap_or_default();

    view! {
        <tr data-testid="released-number">
            <td class="key-name" data-label="Number">{format_national(&number.phone_number)}</td>
            <td data-label="Location">{place}</td>
            <td data-label="Reserved">{format::date_time(&number.reserved_at)}</td>
            <td data-label="Released" data-testid="released-at">{released}</td>
        </tr>
    }
}
