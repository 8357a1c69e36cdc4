//! Store platforms' webhooks (Shopify, WooCommerce) turned into our events, which then go
//! through the same ingestion as `POST /api/v1/events`.
//!
//! The mappers are pure: signature checks and payload translation, no I/O. Payloads are read
//! leniently (a missing or odd field becomes `None`), because platforms add, drop and
//! reshape fields between API versions and a webhook we refuse is a webhook retried forever.

pub mod shopify;
pub mod woocommerce;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use textback_shared::events::{CustomerInput, EventRequest};
use textback_shared::phone::Phone;

/// What a platform delivery means for us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    Events(Vec<EventRequest>),
    /// Nothing to ingest; the text says why, for the log.
    Ignored(String),
}

/// `header` = base64(HMAC-SHA256(secret, body)), compared in constant time. Both Shopify and
/// WooCommerce sign this way.
fn verify_base64_hmac(secret: &[u8], raw_body: &[u8], header: &str) -> bool {
    use base64::Engine as _;
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(header.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(raw_body);
    // `verify_slice` compares in constant time and refuses a wrong length.
    mac.verify_slice(&expected).is_ok()
}

/// A non-empty, trimmed string or a number, as text: platforms send ids and codes either way.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `text` of `value[key]`, for objects that may themselves be absent or null.
fn text_at(value: Option<&Value>, key: &str) -> Option<String> {
    text(value?.get(key))
}

/// An address's state or province (`address[region]`), only when its country
/// (`address[country]`) is the US or Canada: quiet hours read it without its country, and
/// other countries' codes collide with ours (Mexico's "NL", Nuevo León, is Newfoundland and
/// Labrador's code).
fn us_or_ca_region(address: Option<&Value>, country: &str, region: &str) -> Option<String> {
    let country = text_at(address, country)?.to_ascii_uppercase();
    if country != "US" && country != "CA" {
        return None;
    }
    text_at(address, region)
}

/// An object member, `None` when absent or not an object (platforms send `null` for empty
/// addresses).
fn object(value: Option<&Value>) -> Option<&Value> {
    value.filter(|v| v.is_object())
}

/// A decimal amount (string or number) as a string with exactly two decimals, rounded half
/// up: what ingestion accepts. `None` for anything that is not a plain non-negative decimal.
fn money(value: Option<&Value>) -> Option<String> {
    let raw = text(value)?;
    let (whole, fraction) = raw.split_once('.').unwrap_or((&raw, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    // Float unit prices (WooCommerce) can carry many decimals; six are plenty to round to cents.
    let fraction = &fraction[..fraction.len().min(6)];
    let micros = crate::money::parse_micros(&format!("{whole}.{fraction}"))?;
    Some(crate::money::format_cents(micros))
}

/// A quantity; absent means one.
fn quantity(value: Option<&Value>) -> u32 {
    value
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
        .map_or(1, |q| u32::try_from(q).unwrap_or(u32::MAX))
}

/// An RFC 3339 time with any offset, in UTC.
fn rfc3339(value: Option<&Value>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value?.as_str()?.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Phone fields are free text on both platforms ("555-555-SHIP" is in Shopify's own sample).
/// The first candidate that is a valid US/Canadian number wins; failing that, the first that
/// looks like some phone number (8 to 15 digits, no letters), which ingestion keeps as not
/// textable; otherwise none.
fn pick_phone<'a>(candidates: impl IntoIterator<Item = Option<&'a str>>) -> Option<String> {
    let candidates: Vec<&str> = candidates
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if let Some(valid) = candidates.iter().find(|c| Phone::parse(c).is_ok()) {
        return Some((*valid).to_owned());
    }
    candidates
        .into_iter()
        .find(|c| {
            let digits = c.chars().filter(char::is_ascii_digit).count();
            (8..=15).contains(&digits) && !c.chars().any(char::is_alphabetic)
        })
        .map(str::to_owned)
}

/// An address's phone (`address[phone]`), read in the address's country (`address[country]`).
/// Address phones are typed without a country code, and many foreign national numbers are
/// ten digits that also spell a valid North American one: Mexico City's `55 1234 5678` would
/// otherwise be texted as +1 551-234-5678, a stranger in New Jersey. A number that is valid
/// in a country other than the US or Canada comes back in international form (not textable);
/// anything else comes back as typed.
fn address_phone(address: Option<&Value>, country: &str) -> Option<String> {
    let raw = text_at(address, "phone")?;
    // Letters would be read as a vanity number ("555-555-SHIP"): leave those as typed.
    if raw.starts_with('+') || raw.chars().any(char::is_alphabetic) {
        return Some(raw);
    }
    let region = text_at(address, country)
        .map(|c| c.to_ascii_uppercase())
        .and_then(|c| c.parse::<phonenumber::country::Id>().ok());
    let Some(region) = region else {
        return Some(raw);
    };
    if matches!(
        region,
        phonenumber::country::Id::US | phonenumber::country::Id::CA
    ) {
        return Some(raw);
    }
    match phonenumber::parse(Some(region), &raw) {
        Ok(number) if phonenumber::is_valid(&number) => {
            Some(number.format().mode(phonenumber::Mode::E164).to_string())
        }
        _ => Some(raw),
    }
}

/// `None` when the customer carries nothing to match or text on.
fn non_empty(customer: CustomerInput) -> Option<CustomerInput> {
    (customer != CustomerInput::default()).then_some(customer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn money_is_two_decimals() {
        assert_eq!(money(Some(&json!("398.00"))).as_deref(), Some("398.00"));
        assert_eq!(money(Some(&json!("398"))).as_deref(), Some("398.00"));
        assert_eq!(money(Some(&json!(3))).as_deref(), Some("3.00"));
        assert_eq!(money(Some(&json!(12.5))).as_deref(), Some("12.50"));
        assert_eq!(
            money(Some(&json!(3.333_333_333_333_333_5))).as_deref(),
            Some("3.33")
        );
        assert_eq!(money(Some(&json!("1.005"))).as_deref(), Some("1.01"));
        for bad in [
            json!(""),
            json!("-1.00"),
            json!("1e3"),
            json!(null),
            json!("abc"),
        ] {
            assert_eq!(money(Some(&bad)), None, "{bad}");
        }
        assert_eq!(money(None), None);
    }

    #[test]
    fn phones_prefer_a_textable_number_then_any_plausible_one() {
        assert_eq!(
            pick_phone([Some("555-555-SHIP"), Some("555-555-BILL")]),
            None
        );
        assert_eq!(pick_phone([None, Some("  ")]), None);
        // A valid later candidate beats a merely plausible earlier one.
        assert_eq!(
            pick_phone([Some("+44 20 7946 0958"), Some("(415) 555-0123")]).as_deref(),
            Some("(415) 555-0123")
        );
        // A foreign number is kept as given.
        assert_eq!(
            pick_phone([Some("555-555-SHIP"), Some("+44 20 7946 0958")]).as_deref(),
            Some("+44 20 7946 0958")
        );
        assert_eq!(pick_phone([Some("555-0123")]), None, "7 digits");
        assert_eq!(pick_phone([Some("1234567890123456")]), None, "16 digits");
        assert_eq!(pick_phone([Some("415 555 0123 ext 4")]), None, "letters");
    }

    #[test]
    fn hmac_accepts_only_the_exact_signature() {
        // base64(HMAC-SHA256("secret", "secret")), from the WooCommerce fixture.
        let good = "IQ09J2BdDuc3lSKUJlQAp8uhCXRq+s2EucsBOb9rfjo=";
        assert!(verify_base64_hmac(b"secret", b"secret", good));
        assert!(verify_base64_hmac(
            b"secret",
            b"secret",
            &format!(" {good}\n")
        ));
        assert!(!verify_base64_hmac(b"secret", b"secret ", good));
        assert!(!verify_base64_hmac(b"secrets", b"secret", good));
        assert!(!verify_base64_hmac(b"secret", b"secret", ""));
        assert!(!verify_base64_hmac(b"secret", b"secret", "not base64!"));
        assert!(!verify_base64_hmac(b"secret", b"secret", &good[..20]));
    }
}
