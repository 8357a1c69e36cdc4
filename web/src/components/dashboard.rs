//! The dashboard's parts: headline figures, charts over time, the per-campaign table and the
//! period picker.

pub mod campaign_table;
pub mod chart;
pub mod headlines;
pub mod period_picker;

use textback_shared::stats::{CurrencyAmount, Figures};

/// Cents as money in `currency`.
pub fn cents(amount: i64, currency: &str) -> String {
    let sign = if amount < 0 { "-" } else { "" };
    let amount = amount.unsigned_abs();
    crate::format::money(
        &format!("{sign}{}.{:02}", amount / 100, amount % 100),
        currency,
    )
}

/// Revenue in other currencies than the store's, to show beside it ("plus CA$12.00 and
/// €5.00"); `None` when there is none.
pub fn other_currencies(amounts: &[CurrencyAmount]) -> Option<String> {
    let mut shown: Vec<String> = amounts
        .iter()
        .filter(|a| a.cents != 0)
        .map(|a| cents(a.cents, &a.currency))
        .collect();
    let last = shown.pop()?;
    Some(if shown.is_empty() {
        format!("plus {last}")
    } else {
        format!("plus {} and {last}", shown.join(", "))
    })
}

/// A fraction as a percentage with one decimal: 0.0123 → "1.2%".
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// A count with thousands separators, as the browser writes them.
pub fn count(n: u64) -> String {
    js_sys::Intl::NumberFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .format()
        .call1(
            &wasm_bindgen::JsValue::NULL,
            &wasm_bindgen::JsValue::from_f64(n as f64),
        )
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| n.to_string())
}

/// Whether there is anything at all to show.
pub fn is_empty(figures: &Figures) -> bool {
    figures.messages_sent == 0
        && figures.replies == 0
        && figures.carts_abandoned == 0
        && figures.orders == 0
}
