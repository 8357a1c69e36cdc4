//! The SMS provider: searching, reserving and releasing numbers, sending texts, and looking
//! sent ones up. `twilio` speaks Twilio's REST API; `simulator` is the embedded default when
//! no Twilio credentials are configured, so everything works without an account.

pub mod signature;
pub mod simulator;
pub mod twilio;

use std::time::Duration;

use async_trait::async_trait;
use textback_shared::numbers::{Capabilities, Country};

/// What to look for. `area_code` and `region` are alternatives (validated before this point).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberSearch {
    pub country: Country,
    pub area_code: Option<u16>,
    /// A state or province code, e.g. `CA`, `ON`.
    pub region: Option<String>,
    /// How many numbers to ask for (the provider may return fewer).
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailableNumber {
    /// E.164, e.g. `+14155550123`.
    pub phone_number: String,
    /// As the provider formats it, e.g. `(415) 555-0123`.
    pub friendly_name: String,
    pub locality: Option<String>,
    pub region: Option<String>,
    pub country: Country,
    pub capabilities: Capabilities,
}

/// Where the provider should send a reserved number's inbound texts. Delivery reports are
/// asked for with each text (`OutboundSms::status_callback_url`): a number's own status
/// callback, on Twilio, reports voice calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberWebhooks {
    pub sms_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservedNumber {
    /// The provider's id for the number (Twilio: `PN…`), needed to release it.
    pub provider_sid: String,
    pub phone_number: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundSms {
    pub from: String,
    pub to: String,
    pub body: String,
    pub status_callback_url: Option<String>,
}

/// A message's state at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderMessage {
    /// Twilio: `SM…`.
    pub provider_sid: String,
    /// The provider's status word, e.g. `queued`, `sent`, `delivered`, `failed`.
    pub status: String,
    pub error_code: Option<i64>,
    pub segments: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Our credentials are wrong: an operator must fix the configuration.
    #[error("the SMS provider refused our credentials")]
    Authentication,
    /// The number was taken by someone else since it was listed.
    #[error("the number is no longer available")]
    NumberUnavailable,
    /// The recipient's number is not a valid mobile destination.
    #[error("invalid recipient: {0}")]
    InvalidRecipient(String),
    /// The recipient has opted out at the carrier/provider (Twilio 21610).
    #[error("the recipient has unsubscribed")]
    Unsubscribed,
    /// The resource is not at the provider (e.g. a number already released).
    #[error("not found at the provider")]
    NotFound,
    /// Slow down; try again after the given time, if the provider said.
    #[error("rate limited by the SMS provider")]
    RateLimited { retry_after: Option<Duration> },
    /// A 5xx, a timeout, a dropped connection: worth retrying later.
    #[error("the SMS provider is unavailable: {0}")]
    Unavailable(String),
    /// Any other refusal, with the provider's code and message.
    #[error("the SMS provider refused the request ({code:?}): {message}")]
    Rejected { code: Option<i64>, message: String },
}

impl ProviderError {
    /// Whether the same request may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Unavailable(_))
    }
}

#[async_trait]
pub trait SmsProvider: Send + Sync {
    /// Numbers that can be reserved now. Not paged by the provider: ask for more with a larger
    /// `page_size` and drop the ones already shown.
    async fn search_available(
        &self,
        search: &NumberSearch,
    ) -> Result<Vec<AvailableNumber>, ProviderError>;
    async fn reserve(
        &self,
        phone_number: &str,
        webhooks: &NumberWebhooks,
    ) -> Result<ReservedNumber, ProviderError>;
    async fn release(&self, provider_sid: &str) -> Result<(), ProviderError>;
    /// The number, if the account holds it: whether a purchase whose answer never came (or
    /// came as a failure) went through after all.
    async fn find_owned(&self, phone_number: &str)
    -> Result<Option<ReservedNumber>, ProviderError>;
    async fn send(&self, sms: &OutboundSms) -> Result<ProviderMessage, ProviderError>;
    async fn fetch_message(&self, provider_sid: &str) -> Result<ProviderMessage, ProviderError>;
    /// Texts sent from `from` to `to` on or after `since`'s day (UTC), with their bodies: how
    /// the dispatcher finds out whether a send whose answer it never recorded went out.
    async fn sent_messages(
        &self,
        from: &str,
        to: &str,
        since: chrono::NaiveDate,
    ) -> Result<Vec<SentMessage>, ProviderError>;
    /// Whether the provider itself answers a customer's text that says only `body` (its own
    /// STOP, START and HELP handling), so that a confirmation of ours would be a second one.
    fn answers_keyword(&self, body: &str) -> bool {
        let _ = body;
        false
    }
}

/// A text as the provider's message list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub message: ProviderMessage,
    pub body: String,
}
