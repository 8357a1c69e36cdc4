//! Dates for people, in the browser's locale and time zone.

use chrono::{DateTime, Utc};
use wasm_bindgen::JsValue;

pub fn date_time(at: &DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string("default", &options).into()
}

pub fn date(at: &DateTime<Utc>) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    date.to_locale_date_string("default", &options).into()
}

/// `"2026-12"` → "December 2026"; anything else as it is.
pub fn month(year_month: &str) -> String {
    let parsed = year_month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<f64>().ok()?, m.parse::<f64>().ok()?)));
    let Some((year, month)) = parsed else {
        return year_month.to_owned();
    };
    let date = js_sys::Date::new(&JsValue::from_f64(js_sys::Date::utc(year, month - 1.0)));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"month".into(), &"long".into());
    let _ = js_sys::Reflect::set(&options, &"year".into(), &"numeric".into());
    // The month is a UTC month: west of UTC its first instant is still the month before.
    let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &"UTC".into());
    date.to_locale_date_string("default", &options).into()
}

/// An amount the API sent as a decimal string, in its currency: `"0.0079"` USD → "$0.0079".
/// Every decimal is kept, since prices per segment are fractions of a cent.
pub fn money(amount: &str, currency: &str) -> String {
    // Intl throws on a malformed currency code; such a code is shown as it is.
    let well_formed = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_alphabetic());
    if !well_formed || amount.parse::<f64>().is_err() {
        return format!("{amount} {currency}");
    }
    let decimals = amount
        .split_once('.')
        .map_or(0, |(_, f)| f.len())
        .clamp(2, 20);
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"style".into(), &"currency".into());
    let _ = js_sys::Reflect::set(&options, &"currency".into(), &currency.into());
    let digits = JsValue::from_f64(decimals as f64);
    let _ = js_sys::Reflect::set(&options, &"minimumFractionDigits".into(), &digits);
    let _ = js_sys::Reflect::set(&options, &"maximumFractionDigits".into(), &digits);
    let formatter = js_sys::Intl::NumberFormat::new(&js_sys::Array::new(), &options);
    // A numeric string is formatted exactly, with no detour through floating point.
    formatter
        .format()
        .call1(&formatter, &JsValue::from_str(amount))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{amount} {currency}"))
}

/// The ten digits of a US or Canadian number however it is written: `+1 (415) 555-0123` and
/// `415.555.0123` both give `4155550123`.
pub fn phone_digits(input: &str) -> String {
    let digits: String = input.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('1') {
        Some(rest) if digits.len() == 11 => rest.to_owned(),
        _ => digits,
    }
}

/// "San Francisco, CA"; without a town, the state or province by name ("California").
pub fn place(locality: Option<&str>, region: Option<&str>) -> Option<String> {
    let locality = locality.filter(|l| !l.is_empty());
    let region = region.filter(|r| !r.is_empty());
    match (locality, region) {
        (Some(town), Some(region)) => Some(format!("{town}, {region}")),
        (Some(town), None) => Some(town.to_owned()),
        (None, Some(region)) => Some(
            textback_shared::nanp::region_name(region)
                .unwrap_or(region)
                .to_owned(),
        ),
        (None, None) => None,
    }
}
