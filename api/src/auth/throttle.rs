//! Slows down password guessing: after too many failed logins for one email (or from one
//! address) within a window, further attempts get 429 until the oldest failure ages out.
//!
//! Kept in memory, per server process: with several instances an attacker gets a few more
//! tries per window, which still makes guessing hopeless.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_FAILURES_PER_EMAIL: usize = 5;
pub const MAX_FAILURES_PER_ADDRESS: usize = 30;

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// What a login attempt is counted against.
pub struct Attempt {
    email_key: String,
    address_key: Option<String>,
}

impl Attempt {
    pub fn new(normalized_email: &str, address: Option<std::net::IpAddr>) -> Self {
        Self {
            email_key: format!("email:{normalized_email}"),
            address_key: address.map(|ip| format!("ip:{ip}")),
        }
    }

    fn keys(&self) -> impl Iterator<Item = (&str, usize)> {
        std::iter::once((self.email_key.as_str(), MAX_FAILURES_PER_EMAIL)).chain(
            self.address_key
                .as_deref()
                .map(|k| (k, MAX_FAILURES_PER_ADDRESS)),
        )
    }
}

impl LoginThrottle {
    /// Admits an attempt, counting it as a failure at once, or `Err(wait)` when it must wait.
    /// Checking and counting under one lock is what makes the limit hold: were they apart,
    /// any number of guesses sent together would all pass the check before the first of
    /// them (a slow password hash later) was counted. The caller then reports the outcome
    /// with [`Self::succeeded`] or [`Self::undecided`], and a failure needs nothing more.
    pub fn begin(&self, attempt: &Attempt, now: Instant) -> Result<(), Duration> {
        let mut failures = self.lock();
        let mut wait = Duration::ZERO;
        for (key, max) in attempt.keys() {
            if let Some(times) = failures.get_mut(key) {
                prune(times, now);
                if times.len() >= max {
                    let oldest = times.front().copied().unwrap_or(now);
                    wait = wait.max(WINDOW.saturating_sub(now.duration_since(oldest)));
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait.max(Duration::from_secs(1)));
        }
        for (key, _) in attempt.keys() {
            failures.entry(key.to_owned()).or_default().push_back(now);
        }
        // Keep memory bounded under a spray of distinct emails.
        if failures.len() > 100_000 {
            failures.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        Ok(())
    }

    /// The attempt admitted at `began` logged in: its email's failures are cleared, and the
    /// address keeps its earlier failures but not this attempt.
    pub fn succeeded(&self, attempt: &Attempt, began: Instant) {
        let mut failures = self.lock();
        failures.remove(&attempt.email_key);
        if let Some(key) = &attempt.address_key {
            forget_one(&mut failures, key, began);
        }
    }

    /// The attempt admitted at `began` was not judged (invalid input, database down): it
    /// counts against nobody.
    pub fn undecided(&self, attempt: &Attempt, began: Instant) {
        let mut failures = self.lock();
        for (key, _) in attempt.keys() {
            forget_one(&mut failures, key, began);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn forget_one(failures: &mut HashMap<String, VecDeque<Instant>>, key: &str, at: Instant) {
    if let Some(times) = failures.get_mut(key)
        && let Some(index) = times.iter().position(|t| *t == at)
    {
        times.remove(index);
    }
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(throttle: &LoginThrottle, attempt: &Attempt, times: usize, now: Instant) {
        for _ in 0..times {
            assert!(throttle.begin(attempt, now).is_ok());
        }
    }

    #[test]
    fn blocks_after_the_limit_until_the_window_passes() {
        let throttle = LoginThrottle::default();
        let attempt = Attempt::new("a@b.co", None);
        let start = Instant::now();
        fail(&throttle, &attempt, MAX_FAILURES_PER_EMAIL, start);
        let wait = throttle.begin(&attempt, start).unwrap_err();
        assert!(wait <= WINDOW && wait > WINDOW - Duration::from_secs(1));
        assert!(throttle.begin(&attempt, start + WINDOW).is_ok());
    }

    #[test]
    fn attempts_in_flight_count_before_they_are_judged() {
        let throttle = LoginThrottle::default();
        let attempt = Attempt::new("a@b.co", None);
        let now = Instant::now();
        let admitted = (0..MAX_FAILURES_PER_EMAIL * 4)
            .filter(|_| throttle.begin(&attempt, now).is_ok())
            .count();
        assert_eq!(admitted, MAX_FAILURES_PER_EMAIL);
    }

    #[test]
    fn success_clears_the_email_but_not_the_address() {
        let throttle = LoginThrottle::default();
        let ip = std::net::IpAddr::from([192, 0, 2, 1]);
        let attempt = Attempt::new("a@b.co", Some(ip));
        let now = Instant::now();
        fail(&throttle, &attempt, MAX_FAILURES_PER_EMAIL - 1, now);
        let began = now + Duration::from_secs(1);
        assert!(throttle.begin(&attempt, began).is_ok());
        throttle.succeeded(&attempt, began);
        assert!(throttle.begin(&attempt, began).is_ok());
        let address = throttle.lock()[&format!("ip:{ip}")].len();
        assert_eq!(
            address, MAX_FAILURES_PER_EMAIL,
            "earlier failures and the new attempt"
        );
    }

    #[test]
    fn undecided_attempts_count_against_nobody() {
        let throttle = LoginThrottle::default();
        let attempt = Attempt::new("a@b.co", None);
        let now = Instant::now();
        for _ in 0..MAX_FAILURES_PER_EMAIL * 2 {
            assert!(throttle.begin(&attempt, now).is_ok());
            throttle.undecided(&attempt, now);
        }
    }

    #[test]
    fn other_emails_are_not_affected() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        fail(
            &throttle,
            &Attempt::new("a@b.co", None),
            MAX_FAILURES_PER_EMAIL,
            now,
        );
        assert!(throttle.begin(&Attempt::new("c@d.co", None), now).is_ok());
    }
}
