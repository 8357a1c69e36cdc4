//! US and Canadian phone numbers in E.164 (`+1NPANXXXXXX`).

use crate::nanp;
use crate::numbers::Country;

/// A valid NANP number of the US or Canada, in E.164.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// Not ten digits (after an optional leading 1 / +1).
    NotANumber,
    /// Ten digits, but not a US or Canadian area code in service.
    UnknownAreaCode,
    /// The exchange (digits 4–6) cannot start with 0 or 1.
    InvalidExchange,
}

impl std::fmt::Display for PhoneError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PhoneError::NotANumber => "Enter a 10-digit US or Canadian phone number.",
            PhoneError::UnknownAreaCode => "This is not a US or Canadian area code.",
            PhoneError::InvalidExchange => "This is not a valid US or Canadian phone number.",
        })
    }
}

impl Phone {
    /// Accepts the usual ways of writing a number: `+1 (415) 555-0123`, `415.555.0123`,
    /// `14155550123`.
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty()
            || trimmed
                .chars()
                .any(|c| !(c.is_ascii_digit() || " +-().".contains(c)))
        {
            return Err(PhoneError::NotANumber);
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let national = match digits.len() {
            10 => digits.as_str(),
            11 if digits.starts_with('1') => &digits[1..],
            _ => return Err(PhoneError::NotANumber),
        };
        let area_code: u16 = national[..3].parse().map_err(|_| PhoneError::NotANumber)?;
        nanp::lookup(area_code).ok_or(PhoneError::UnknownAreaCode)?;
        if matches!(national.as_bytes()[3], b'0' | b'1') {
            return Err(PhoneError::InvalidExchange);
        }
        Ok(Phone(format!("+1{national}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn area_code(&self) -> u16 {
        self.0[2..5].parse().unwrap_or_default()
    }

    pub fn country(&self) -> Country {
        nanp::lookup(self.area_code()).map_or(Country::Us, |a| a.country)
    }

    /// `(415) 555-0123`.
    pub fn national(&self) -> String {
        format_national(&self.0)
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `+14155550123` → `(415) 555-0123`; anything else is returned as it is.
pub fn format_national(e164: &str) -> String {
    match e164.strip_prefix("+1") {
        Some(n) if n.len() == 10 && n.bytes().all(|b| b.is_ascii_digit()) => {
            format!("({}) {}-{}", &n[..3], &n[3..6], &n[6..])
        }
        _ => e164.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        for input in [
            "+1 (415) 555-0123",
            "415.555.0123",
            "14155550123",
            "+14155550123",
            " 415 555 0123 ",
        ] {
            assert_eq!(
                Phone::parse(input).unwrap().as_str(),
                "+14155550123",
                "{input}"
            );
        }
        assert_eq!(
            Phone::parse("+1 416 555 0199").unwrap().country(),
            Country::Ca
        );
    }

    #[test]
    fn refuses_what_is_not_a_us_or_canadian_number() {
        assert_eq!(Phone::parse("555-555-SHIP"), Err(PhoneError::NotANumber));
        assert_eq!(
            Phone::parse("+44 20 7946 0958"),
            Err(PhoneError::NotANumber)
        );
        assert_eq!(Phone::parse("4155"), Err(PhoneError::NotANumber));
        assert_eq!(
            Phone::parse("(911) 555-0123"),
            Err(PhoneError::UnknownAreaCode)
        );
        assert_eq!(
            Phone::parse("(415) 155-0123"),
            Err(PhoneError::InvalidExchange)
        );
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(
            Phone::parse("4155550123").unwrap().national(),
            "(415) 555-0123"
        );
        assert_eq!(format_national("+447700900123"), "+447700900123");
    }
}
