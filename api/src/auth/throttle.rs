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
    /// `Err(wait)` when this attempt must wait before trying again.
    pub fn check(&self, attempt: &Attempt, now: Instant) -> Result<(), Duration> {
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
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait.max(Duration::from_secs(1)))
        }
    }

    pub fn record_failure(&self, attempt: &Attempt, now: Instant) {
        let mut failures = self.lock();
        for (key, _) in attempt.keys() {
            let times = failures.entry(key.to_owned()).or_default();
            prune(times, now);
            times.push_back(now);
        }
        // Keep memory bounded under a spray of distinct emails.
        if failures.len() > 100_000 {
            failures.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
    }

    /// A successful login clears its email's failures (not the address's).
    pub fn record_success(&self, attempt: &Attempt) {
        self.lock().remove(&attempt.email_key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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

    #[test]
    fn blocks_after_the_limit_until_the_window_passes() {
        let throttle = LoginThrottle::default();
        let attempt = Attempt::new("a@b.co", None);
        let start = Instant::now();
        for _ in 0..MAX_FAILURES_PER_EMAIL {
            assert!(throttle.check(&attempt, start).is_ok());
            throttle.record_failure(&attempt, start);
        }
        let wait = throttle.check(&attempt, start).unwrap_err();
        assert!(wait <= WINDOW && wait > WINDOW - Duration::from_secs(1));
        assert!(throttle.check(&attempt, start + WINDOW).is_ok());
    }

    #[test]
    fn success_clears_the_email() {
        let throttle = LoginThrottle::default();
        let attempt = Attempt::new("a@b.co", None);
        let now = Instant::now();
        for _ in 0..MAX_FAILURES_PER_EMAIL {
            throttle.record_failure(&attempt, now);
        }
        throttle.record_success(&attempt);
        assert!(throttle.check(&attempt, now).is_ok());
    }

    #[test]
    fn other_emails_are_not_affected() {
        let throttle = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..MAX_FAILURES_PER_EMAIL {
            throttle.record_failure(&Attempt::new("a@b.co", None), now);
        }
        assert!(throttle.check(&Attempt::new("c@d.co", None), now).is_ok());
    }
}
