//! Times in the inbox, relative to the browser's clock.

use chrono::{DateTime, Utc};
use wasm_bindgen::JsValue;

const MINUTE_MS: f64 = 60_000.0;
const HOUR_MS: f64 = 60.0 * MINUTE_MS;
const DAY_MS: f64 = 24.0 * HOUR_MS;

/// "now", "5m", "3h", "2d", then the date: short enough for a thread row.
pub fn relative(at: &DateTime<Utc>, now_ms: f64) -> String {
    let ago = (now_ms - at.timestamp_millis() as f64).max(0.0);
    if ago < MINUTE_MS {
        "now".into()
    } else if ago < HOUR_MS {
        format!("{}m", (ago / MINUTE_MS) as u64)
    } else if ago < DAY_MS {
        format!("{}h", (ago / HOUR_MS) as u64)
    } else if ago < 7.0 * DAY_MS {
        format!("{}d", (ago / DAY_MS) as u64)
    } else {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"month".into(), &"short".into());
        let _ = js_sys::Reflect::set(&options, &"day".into(), &"numeric".into());
        js_date(at)
            .to_locale_date_string("default", &options)
            .into()
    }
}

/// "waiting 2d" once the customer has waited a day or more for an answer.
pub fn waiting(since: Option<&DateTime<Utc>>, now_ms: f64) -> Option<String> {
    let waited = now_ms - since?.timestamp_millis() as f64;
    (waited >= DAY_MS).then(|| format!("waiting {}d", (waited / DAY_MS) as u64))
}

/// The local calendar day, to start a new group of messages when it changes.
pub fn day_key(at: &DateTime<Utc>) -> String {
    js_date(at).to_date_string().into()
}

/// "Today", "Yesterday" or the date, above each day's messages.
pub fn day_label(at: &DateTime<Utc>, now_ms: f64) -> String {
    let today = js_sys::Date::new(&JsValue::from_f64(now_ms)).to_date_string();
    let yesterday = js_sys::Date::new(&JsValue::from_f64(now_ms - DAY_MS)).to_date_string();
    let day = js_date(at).to_date_string();
    if day == today {
        "Today".into()
    } else if day == yesterday {
        "Yesterday".into()
    } else {
        crate::format::date(at)
    }
}

/// "3:42 PM", in the browser's locale.
pub fn clock(at: &DateTime<Utc>) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    js_date(at)
        .to_locale_time_string_with_options("default", &options)
        .into()
}

fn js_date(at: &DateTime<Utc>) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64))
}
