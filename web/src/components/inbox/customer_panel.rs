//! The right pane: who the customer is, whether they may be texted, their cart and orders.

use leptos::prelude::*;
use textback_shared::events::{
    CartDto, ConsentStatus, ContactDetailDto, ContactDto, LineItem, OrderDto,
};
use textback_shared::inbox::ThreadDto;
use textback_shared::phone::format_national;

use super::unsubscribe_button::UnsubscribeButton;
use crate::api::ApiError;
use crate::components::states::Loading;
use crate::format::{date, date_time, money};

/// How many orders to show: the latest matter while answering.
const RECENT_ORDERS: usize = 3;

fn full_name(contact: &ContactDto) -> Option<String> {
    let name = [contact.first_name.as_deref(), contact.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

fn source_label(source: &str) -> &str {
    match source {
        "checkout" => "at checkout",
        "keyword" => "by text",
        "api" => "through an integration",
        "import" => "by import",
        "manual" => "by the store",
        other => other,
    }
}

/// "Opted out by text on Mar 3, 2026, 4:12 PM", "Subscribed at checkout on …".
fn consent_line(contact: &ContactDto) -> String {
    let how = contact
        .consent_source
        .as_deref()
        .map(|s| format!(" {}", source_label(s)))
        .unwrap_or_default();
    if let Some(at) = contact.opted_out_at {
        return format!("Opted out{how} on {}", date_time(&at));
    }
    let when = contact
        .consent_at
        .map(|at| format!(" on {}", date_time(&at)))
        .unwrap_or_default();
    match contact.sms_consent {
        ConsentStatus::Granted => format!("Subscribed to marketing{how}{when}"),
        ConsentStatus::Denied => format!("Declined marketing{how}{when}"),
        ConsentStatus::Unknown => "No marketing consent recorded".into(),
    }
}

fn status_text(status: &str) -> String {
    let spaced = status.replace('_', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

#[component]
fn Items(items: Vec<LineItem>, currency: String) -> impl IntoView {
    view! {
        <ul class="customer-items">
            {items.into_iter().map(|item| {
                let title = match &item.variant {
                    Some(v) if !v.is_empty() => format!("{} ({v})", item.title),
                    _ => item.title.clone(),
                };
                view! {
                    <li>
                        <span>{format!("{} × {title}", item.quantity)}</span>
                        <span class="muted">{money(&item.price, &currency)}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn OpenCart(cart: CartDto) -> impl IntoView {
    view! {
        <section class="customer-section" data-testid="customer-cart">
            <h3>{format!("{} cart", status_text(&cart.status))}</h3>
            <Items items=cart.line_items currency=cart.currency.clone() />
            <p class="customer-total">"Total " <strong>{money(&cart.total, &cart.currency)}</strong></p>
            {cart.recovery_url.map(|url| view! {
                <a href=url target="_blank" rel="noopener noreferrer" data-testid="customer-cart-link">"Open the cart link"</a>
            })}
        </section>
    }
}

#[component]
fn Order(order: OrderDto) -> impl IntoView {
    let title = order
        .number
        .clone()
        .map(|n| format!("Order {n}"))
        .unwrap_or_else(|| format!("Order {}", order.external_id));
    let tracking = order.tracking_url.clone().map(|url| {
        let label = match (&order.carrier, &order.tracking_number) {
            (Some(c), Some(n)) => format!("Track with {c} ({n})"),
            (None, Some(n)) => format!("Track {n}"),
            _ => "Track the parcel".to_owned(),
        };
        view! { <a href=url target="_blank" rel="noopener noreferrer">{label}</a> }
    });
    view! {
        <li class="customer-order" data-testid="customer-order">
            <div class="customer-order-head">
                <strong>{title}</strong>
                <span class="badge badge-off">{status_text(&order.status)}</span>
            </div>
            <p class="muted">{format!("{} · {}", date(&order.placed_at), money(&order.total, &order.currency))}</p>
            <Items items=order.line_items currency=order.currency.clone() />
            {(!order.timeline.is_empty()).then(|| view! {
                <ol class="customer-timeline">
                    {order.timeline.into_iter().map(|entry| view! {
                        <li>{status_text(&entry.status)} <span class="muted">{date_time(&entry.occurred_at)}</span></li>
                    }).collect_view()}
                </ol>
            })}
            {tracking}
        </li>
    }
}

#[component]
pub fn CustomerPanel(
    #[prop(into)] detail: Signal<Option<Result<ContactDetailDto, ApiError>>>,
    /// The open thread, which Unsubscribe acts on.
    #[prop(into)]
    thread_id: Signal<Option<i64>>,
    on_unsubscribed: Callback<ThreadDto>,
) -> impl IntoView {
    let body = move || match detail.get() {
        None => view! { <Loading label="Loading the customer…" /> }.into_any(),
        Some(Err(error)) => view! {
            <p class="alert alert-error" role="alert">{error.message()}</p>
        }
        .into_any(),
        Some(Ok(detail)) => {
            let contact = detail.contact;
            let name = full_name(&contact).unwrap_or_else(|| "Name unknown".into());
            let phone = contact.phone.as_deref().map(format_national);
            let consent = consent_line(&contact);
            let opted_out = contact.opted_out_at.is_some();
            let unsubscribe = thread_id.get().filter(|_| !opted_out).map(|thread_id| {
                let customer = full_name(&contact)
                    .or_else(|| phone.clone())
                    .unwrap_or_else(|| "this customer".into());
                view! { <UnsubscribeButton thread_id customer on_unsubscribed /> }
            });
            // The cart worth mentioning is one still waiting for an order.
            let cart = detail
                .carts
                .into_iter()
                .find(|c| c.status == "open" || c.status == "abandoned");
            let orders: Vec<OrderDto> = detail.orders.into_iter().take(RECENT_ORDERS).collect();
            view! {
                <section class="customer-section">
                    <h2 data-testid="customer-name">{name}</h2>
                    {phone.map(|p| view! { <p class="customer-phone" data-testid="customer-phone">{p}</p> })}
                    {contact.email.map(|e| view! { <p class="muted customer-email">{e}</p> })}
                    <p class="customer-consent" class:customer-opted-out=opted_out data-testid="customer-consent">
                        {consent}
                    </p>
                    {contact.not_textable_reason.map(|r| view! { <p class="muted">{r}</p> })}
                    {unsubscribe}
                </section>
                {cart.map(|cart| view! { <OpenCart cart /> })}
                <section class="customer-section">
                    <h3>"Recent orders"</h3>
                    {if orders.is_empty() {
                        view! { <p class="muted">"No orders yet."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="customer-orders" data-testid="customer-orders">
                                {orders.into_iter().map(|order| view! { <Order order /> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }}
                </section>
            }
            .into_any()
        }
    };
    view! {
        <aside class="inbox-customer" aria-label="Customer" data-testid="customer-panel">{body}</aside>
    }
}
