//! Input rules the SPA checks as the user types and the API enforces; one copy, so they agree.

use crate::FieldError;
use crate::api_keys::CreateApiKeyRequest;
use crate::auth::{ChangePasswordRequest, LoginRequest, SignupRequest, UpdateStoreRequest};

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 256;
pub const MAX_NAME_LEN: usize = 100;
const MAX_EMAIL_LEN: usize = 254;

/// Trimmed and lower-cased: the form in which emails are stored and compared.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A deliberately plain check (one `@`, a dotted domain, no spaces): whether mail arrives
/// is the mail server's question, not ours.
pub fn email_error(email: &str) -> Option<&'static str> {
    let email = email.trim();
    if email.is_empty() {
        return Some("Enter an email address.");
    }
    if email.len() > MAX_EMAIL_LEN {
        return Some("This email address is too long.");
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    };
    (!valid).then_some("Enter an email address like name@example.com.")
}

pub fn password_error(password: &str) -> Option<&'static str> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_LEN {
        Some("Use at least 10 characters.")
    } else if chars > MAX_PASSWORD_LEN {
        Some("Use at most 256 characters.")
    } else {
        None
    }
}

/// For store names and key names: something visible, not too long.
pub fn name_error(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if name.is_empty() {
        Some("Enter a name.")
    } else if name.chars().count() > MAX_NAME_LEN {
        Some("Use at most 100 characters.")
    } else if name.chars().any(char::is_control) {
        Some("Names cannot contain control characters.")
    } else {
        None
    }
}

fn collect(
    checks: impl IntoIterator<Item = (&'static str, Option<&'static str>)>,
) -> Vec<FieldError> {
    checks
        .into_iter()
        .filter_map(|(field, error)| error.map(|message| FieldError::new(field, message)))
        .collect()
}

impl SignupRequest {
    pub fn validate(&self) -> Vec<FieldError> {
        collect([
            ("store_name", name_error(&self.store_name)),
            ("email", email_error(&self.email)),
            ("password", password_error(&self.password)),
        ])
    }
}

impl LoginRequest {
    pub fn validate(&self) -> Vec<FieldError> {
        collect([
            ("email", email_error(&self.email)),
            (
                "password",
                self.password.is_empty().then_some("Enter your password."),
            ),
        ])
    }
}

impl ChangePasswordRequest {
    pub fn validate(&self) -> Vec<FieldError> {
        collect([
            (
                "current_password",
                self.current_password
                    .is_empty()
                    .then_some("Enter your current password."),
            ),
            ("new_password", password_error(&self.new_password)),
        ])
    }
}

impl CreateApiKeyRequest {
    pub fn validate(&self) -> Vec<FieldError> {
        collect([
            ("name", name_error(&self.name)),
            (
                "scopes",
                self.scopes
                    .is_empty()
                    .then_some("Choose at least one scope."),
            ),
        ])
    }
}

impl UpdateStoreRequest {
    /// The region must belong to the country sent with it (or to any served country when
    /// sent alone).
    pub fn validate(&self) -> Vec<FieldError> {
        let region_error = self.region.as_deref().and_then(|region| {
            let countries = self
                .country
                .map_or(crate::numbers::Country::ALL.to_vec(), |c| vec![c]);
            let known = countries
                .iter()
                .any(|c| !crate::nanp::in_region(*c, region).is_empty());
            (!known).then_some("Use a US state or Canadian province code, e.g. CA or ON.")
        });
        let hours_error = self.sending_hours.and_then(|h| {
            let lawful = crate::quiet_hours::FEDERAL_HOURS;
            let ok = h.start_hour >= lawful.start_hour
                && h.end_hour <= lawful.end_hour
                && h.start_hour < h.end_hour;
            (!ok).then_some("Choose hours between 8:00 and 21:00, the start before the end.")
        });
        let per_day_error = self
            .marketing_per_day
            .filter(|n| !(1..=3).contains(n))
            .map(|_| "Choose 1 to 3 texts a day: 3 is the most any state allows.");
        collect([
            ("name", self.name.as_deref().and_then(name_error)),
            ("region", region_error),
            ("sending_hours", hours_error),
            ("marketing_per_day", per_day_error),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "a@b.co",
            " Owner@Store.Example ",
            "first.last+tag@sub.domain.ca",
        ] {
            assert_eq!(email_error(ok), None, "{ok}");
        }
        for bad in [
            "", "plain", "@b.co", "a@b", "a@.co", "a@b.", "a b@c.co", "a@b@c.co",
        ] {
            assert!(email_error(bad).is_some(), "{bad:?}");
        }
        assert_eq!(
            normalize_email(" Owner@Store.Example "),
            "owner@store.example"
        );
    }

    #[test]
    fn passwords_count_characters_not_bytes() {
        assert!(password_error("short").is_some());
        assert_eq!(password_error("éééééééééé"), None);
        assert!(password_error(&"x".repeat(257)).is_some());
    }

    #[test]
    fn names() {
        assert!(name_error("   ").is_some());
        assert!(name_error("bad\u{0007}name").is_some());
        assert!(name_error(&"n".repeat(101)).is_some());
        assert_eq!(name_error("Maple & Pine"), None);
    }

    #[test]
    fn signup_reports_every_bad_field() {
        let req = SignupRequest {
            store_name: "".into(),
            email: "x".into(),
            password: "y".into(),
        };
        let fields: Vec<_> = req.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["store_name", "email", "password"]);
    }
}
