use leptos::prelude::*;
use textback_shared::numbers::UsageCharges;

use crate::format;

/// What SMS costs, said before anything is reserved.
#[component]
pub fn ChargesNotice(charges: UsageCharges) -> impl IntoView {
    let per_number = format::money(&charges.price_per_number_month, &charges.currency);
    let per_segment = format::money(&charges.price_per_segment, &charges.currency);

    view! {
        <section class="card notice-card" aria-labelledby="sms-charges-title" data-testid="sms-charges">
            <h2 id="sms-charges-title">"Using SMS adds charges to your account"</h2>
            <p>"Reserving a number turns SMS on for your store. From that day on, your account is charged:"</p>
            <ul class="charges-list">
                <li>
                    <strong data-testid="price-per-number">{per_number}</strong>
                    " per month for the number, for the days you keep it"
                </li>
                <li>
                    <strong data-testid="price-per-segment">{per_segment}</strong>
                    " per message segment, sent or received. A segment is up to 160 characters, or 70 if the text has emoji or some accented letters; longer texts use several."
                </li>
            </ul>
            <p class="muted">"Charges stop when you release the number."</p>
        </section>
    }
}

/// The same charges in one sentence, for the confirmation.
pub fn charges_sentence(charges: &UsageCharges) -> String {
    format!(
        "SMS charges start today: {} per month for the number, and {} per message segment sent or received.",
        format::money(&charges.price_per_number_month, &charges.currency),
        format::money(&charges.price_per_segment, &charges.currency),
    )
}
