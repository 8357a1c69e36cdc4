//! Amounts: prices as integer millionths of a currency unit, so prices like 0.0079 add up
//! exactly; order and cart totals as cents, read and shown to customers.

/// `"0.0079"` → `7900`. At most six decimals; no sign, no exponent.
pub fn parse_micros(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !digits_only(whole)
        || !digits_only(fraction)
        || fraction.len() > 6
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: i64 = format!("{fraction:0<6}").parse().ok()?;
    whole.checked_mul(1_000_000)?.checked_add(fraction)
}

/// Rounded half up to cents: `7900` → `"0.01"`.
pub fn format_cents(micros: i64) -> String {
    let cents = (micros + 5_000).div_euclid(10_000);
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// As precise as given: `7900` → `"0.0079"`.
pub fn format_price(micros: i64) -> String {
    let text = format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000);
    let trimmed = text.trim_end_matches('0');
    match trimmed.split_once('.') {
        Some((_, fraction)) if fraction.len() < 2 => format!(
            "{trimmed:0<width$}",
            width = trimmed.len() + 2 - fraction.len()
        ),
        _ => trimmed.to_owned(),
    }
}

/// Currencies whose amounts have no minor unit (ISO 4217 exponent 0) among those stores
/// sell in: an amount in them reads without decimals.
const WHOLE_UNITS: [&str; 9] = [
    "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "PYG", "XAF", "XOF",
];

/// An amount as a customer reads it in a text: `$1,234.50`, `CA$84.00`, `€84.00`, `£84.00`,
/// `¥1,000`, or `84.00 CHF` for the rest. Stored amounts are hundredths of the unit whatever
/// the currency, as the platforms send them.
pub fn display(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let units = grouped(cents / 100);
    let number = if WHOLE_UNITS.contains(&currency) {
        units
    } else {
        format!("{units}.{:02}", cents % 100)
    };
    match currency {
        "USD" => format!("{sign}${number}"),
        "CAD" => format!("{sign}CA${number}"),
        "EUR" => format!("{sign}€{number}"),
        "GBP" => format!("{sign}£{number}"),
        "JPY" => format!("{sign}¥{number}"),
        other => format!("{sign}{number} {other}"),
    }
}

/// `1234567` → `"1,234,567"`.
fn grouped(units: u64) -> String {
    let digits = units.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(parse_micros("0.0079"), Some(7_900));
        assert_eq!(parse_micros("1.15"), Some(1_150_000));
        assert_eq!(parse_micros("2"), Some(2_000_000));
        assert_eq!(parse_micros(".5"), Some(500_000));
        for bad in ["", ".", "-1", "1e3", "0.0000001", "abc", "1,5"] {
            assert_eq!(parse_micros(bad), None, "{bad}");
        }
    }

    #[test]
    fn amounts_read_as_customers_expect() {
        assert_eq!(display(17_800, "USD"), "$178.00");
        assert_eq!(display(123_450, "USD"), "$1,234.50");
        assert_eq!(display(8_400, "CAD"), "CA$84.00");
        assert_eq!(display(8_400, "EUR"), "€84.00");
        assert_eq!(display(8_450, "GBP"), "£84.50");
        assert_eq!(display(100_000, "JPY"), "¥1,000");
        assert_eq!(display(1_500_000, "KRW"), "15,000 KRW");
        assert_eq!(display(8_400, "CHF"), "84.00 CHF");
        assert_eq!(display(5, "USD"), "$0.05");
        assert_eq!(display(-2_500, "USD"), "-$25.00");
        assert_eq!(display(12_345_678_900, "USD"), "$123,456,789.00");
    }

    #[test]
    fn formats() {
        assert_eq!(format_cents(7_900), "0.01");
        assert_eq!(format_cents(1_234_567), "1.23");
        assert_eq!(format_cents(0), "0.00");
        assert_eq!(format_price(7_900), "0.0079");
        assert_eq!(format_price(1_150_000), "1.15");
        assert_eq!(format_price(2_000_000), "2.00");
    }
}

/// `"178.00"` → `17800`: at most two decimals (the currencies served have cents).
pub fn parse_cents(raw: &str) -> Option<i64> {
    parse_micros(raw)
        .filter(|micros| micros % 10_000 == 0)
        .map(|micros| micros / 10_000)
}

#[cfg(test)]
mod cents_tests {
    #[test]
    fn cents() {
        assert_eq!(super::parse_cents("178.00"), Some(17_800));
        assert_eq!(super::parse_cents("0.5"), Some(50));
        assert_eq!(super::parse_cents("1.999"), None);
        assert_eq!(super::parse_cents("-1"), None);
    }
}
