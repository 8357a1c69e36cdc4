//! Twilio's REST API (version 2010-04-01): available numbers, incoming numbers, messages.
//!
//! HTTP Basic auth with the account SID and auth token, form-encoded bodies, JSON answers.
//! Twilio's error bodies (`{"code": 21610, "message": …, "more_info": …, "status": 400}`)
//! become typed [`ProviderError`]s; the codes are listed at <https://www.twilio.com/docs/errors>.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use textback_shared::numbers::{Capabilities, Country};

use super::{
    AvailableNumber, NumberSearch, NumberWebhooks, OutboundSms, ProviderError, ProviderMessage,
    ReservedNumber, SentMessage, SmsProvider,
};

const API_VERSION: &str = "2010-04-01";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// Twilio's largest page of available numbers.
const MAX_PAGE_SIZE: u32 = 1000;

/// "Authenticate": wrong account SID or auth token (HTTP 401).
const AUTHENTICATE: i64 = 20003;
const NOT_FOUND: i64 = 20404;
const TOO_MANY_REQUESTS: i64 = 20429;
/// "Attempt to send to unsubscribed recipient": the recipient texted STOP.
const UNSUBSCRIBED: i64 = 21610;
/// The `To` number cannot take a text: 21211 invalid 'To' number, 21408 no permission for
/// the destination region, 21612 Twilio cannot route to it, 21614 not a mobile number,
/// 21635 a landline.
const INVALID_RECIPIENT: [i64; 5] = [21211, 21408, 21612, 21614, 21635];
/// On purchase: 21422 "PhoneNumber is not available" (taken since it was listed),
/// 21452 "No phone numbers found" (none left where it was asked for).
const NUMBER_UNAVAILABLE: [i64; 2] = [21422, 21452];

/// The Twilio account this server sends from.
pub struct TwilioClient {
    http: reqwest::Client,
    account_sid: String,
    auth_token: String,
    api_base: String,
    request_timeout: Duration,
}

// Written by hand so that the auth token never reaches a log line.
impl fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioClient")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"<redacted>")
            .field("api_base", &self.api_base)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

/// What a request was for: some error codes mean different things per operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Search,
    Reserve,
    Release,
    FindOwned,
    Send,
    Fetch,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Self::Search => "search available numbers",
            Self::Reserve => "reserve a number",
            Self::Release => "release a number",
            Self::FindOwned => "look up the account's number",
            Self::Send => "send a message",
            Self::Fetch => "fetch a message",
        }
    }
}

impl TwilioClient {
    /// `api_base` is `https://api.twilio.com` in production (a trailing slash is ignored).
    pub fn new(account_sid: String, auth_token: String, api_base: String) -> Result<Self, String> {
        if !is_sid(&account_sid, &["AC"]) {
            return Err("the Twilio account SID must be AC followed by 32 hex digits".into());
        }
        if auth_token.trim().is_empty() {
            return Err("the Twilio auth token is empty".into());
        }
        let api_base = api_base.trim().trim_end_matches('/').to_owned();
        match reqwest::Url::parse(&api_base) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
            _ => {
                return Err(format!(
                    "the Twilio API base is not an http(s) URL: {api_base:?}"
                ));
            }
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // Twilio does not redirect API calls; following one would resend our credentials.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("textback/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client for Twilio: {e}"))?;
        Ok(Self {
            http,
            account_sid,
            auth_token,
            api_base,
            request_timeout: REQUEST_TIMEOUT,
        })
    }

    /// Overrides the whole-request deadline (connecting included), 15 s by default.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    fn account_url(&self, tail: &str) -> String {
        format!(
            "{}/{API_VERSION}/Accounts/{}/{tail}",
            self.api_base, self.account_sid
        )
    }

    /// Sends the request with our credentials; a 2xx answer's body, or the typed error.
    async fn execute(
        &self,
        request: RequestBuilder,
        operation: Operation,
    ) -> Result<Vec<u8>, ProviderError> {
        let response = request
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .timeout(self.request_timeout)
            .send()
            .await
            .map_err(|e| transport_error(&e, operation))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(&e, operation))?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        let error = error_from_response(status, &headers, &body, operation);
        tracing::warn!(
            operation = operation.name(),
            status = status.as_u16(),
            error = %error,
            "Twilio refused the request"
        );
        Err(error)
    }

    async fn fetch_json<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        operation: Operation,
    ) -> Result<T, ProviderError> {
        let body = self.execute(request, operation).await?;
        serde_json::from_slice(&body).map_err(|e| {
            // Not retryable: a send may have gone through even though its answer is unreadable.
            ProviderError::Rejected {
                code: None,
                message: format!("unreadable answer from Twilio to {}: {e}", operation.name()),
            }
        })
    }
}

/// The single words Twilio answers itself on long codes by default (Advanced Opt-Out may
/// change them, and then reports `OptOutType` for those it answers):
/// the opt-outs (it then refuses to text the customer, error 21610), the opt-ins and HELP.
/// A longer text ("please stop") is left to us.
const TWILIO_KEYWORDS: [&str; 13] = [
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
    "START",
    "YES",
    "UNSTOP",
    "HELP",
    "INFO",
];

#[async_trait]
impl SmsProvider for TwilioClient {
    fn answers_keyword(&self, body: &str) -> bool {
        let word = body.trim();
        TWILIO_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
    }

    async fn search_available(
        &self,
        search: &NumberSearch,
    ) -> Result<Vec<AvailableNumber>, ProviderError> {
        let mut query: Vec<(&str, String)> = Vec::new();
        if let Some(area_code) = search.area_code {
            query.push(("AreaCode", area_code.to_string()));
        }
        if let Some(region) = &search.region {
            query.push(("InRegion", region.clone()));
        }
        query.push(("SmsEnabled", "true".into()));
        query.push((
            "PageSize",
            search.page_size.clamp(1, MAX_PAGE_SIZE).to_string(),
        ));

        let url = self.account_url(&format!(
            "AvailablePhoneNumbers/{}/Local.json",
            search.country.code()
        ));
        let list: AvailableNumberList = self
            .fetch_json(self.http.get(url).query(&query), Operation::Search)
            .await?;
        Ok(list
            .available_phone_numbers
            .into_iter()
            .filter_map(|n| n.into_available(search.country))
            .collect())
    }

    async fn reserve(
        &self,
        phone_number: &str,
        webhooks: &NumberWebhooks,
    ) -> Result<ReservedNumber, ProviderError> {
        let form = [
            ("PhoneNumber", phone_number),
            ("SmsUrl", webhooks.sms_url.as_str()),
            ("SmsMethod", "POST"),
        ];
        let url = self.account_url("IncomingPhoneNumbers.json");
        let number: IncomingNumberJson = self
            .fetch_json(self.http.post(url).form(&form), Operation::Reserve)
            .await?;
        let provider_sid = number
            .sid
            .filter(|sid| is_sid(sid, &["PN"]))
            .ok_or_else(|| unreadable(Operation::Reserve, "no phone number SID"))?;
        Ok(ReservedNumber {
            provider_sid,
            phone_number: number
                .phone_number
                .unwrap_or_else(|| phone_number.to_owned()),
        })
    }

    async fn release(&self, provider_sid: &str) -> Result<(), ProviderError> {
        if !is_sid(provider_sid, &["PN"]) {
            return Err(bad_sid("phone number", provider_sid));
        }
        let url = self.account_url(&format!("IncomingPhoneNumbers/{provider_sid}.json"));
        self.execute(self.http.delete(url), Operation::Release)
            .await?;
        Ok(())
    }

    async fn find_owned(
        &self,
        phone_number: &str,
    ) -> Result<Option<ReservedNumber>, ProviderError> {
        let url = self.account_url("IncomingPhoneNumbers.json");
        let query = [("PhoneNumber", phone_number)];
        let list: IncomingNumberList = self
            .fetch_json(self.http.get(url).query(&query), Operation::FindOwned)
            .await?;
        Ok(list.incoming_phone_numbers.into_iter().find_map(|n| {
            let sid = n.sid.filter(|sid| is_sid(sid, &["PN"]))?;
            (n.phone_number.as_deref() == Some(phone_number)).then(|| ReservedNumber {
                provider_sid: sid,
                phone_number: phone_number.to_owned(),
            })
        }))
    }

    async fn send(&self, sms: &OutboundSms) -> Result<ProviderMessage, ProviderError> {
        let mut form = vec![
            ("To", sms.to.as_str()),
            ("From", sms.from.as_str()),
            ("Body", sms.body.as_str()),
        ];
        if let Some(callback) = &sms.status_callback_url {
            form.push(("StatusCallback", callback.as_str()));
        }
        let url = self.account_url("Messages.json");
        let message: MessageJson = self
            .fetch_json(self.http.post(url).form(&form), Operation::Send)
            .await?;
        message.into_provider_message(Operation::Send)
    }

    async fn sent_messages(
        &self,
        from: &str,
        to: &str,
        since: chrono::NaiveDate,
    ) -> Result<Vec<SentMessage>, ProviderError> {
        let date = since.format("%Y-%m-%d").to_string();
        let query = [
            ("From", from),
            ("To", to),
            ("DateSent>", date.as_str()),
            ("PageSize", "100"),
        ];
        let url = self.account_url("Messages.json");
        let list: MessageList = self
            .fetch_json(self.http.get(url).query(&query), Operation::Fetch)
            .await?;
        list.messages
            .into_iter()
            .map(|m| {
                let body = m.body.clone().unwrap_or_default();
                let message = m.into_provider_message(Operation::Fetch)?;
                Ok(SentMessage { message, body })
            })
            .collect()
    }

    async fn fetch_message(&self, provider_sid: &str) -> Result<ProviderMessage, ProviderError> {
        if !is_sid(provider_sid, &["SM", "MM"]) {
            return Err(bad_sid("message", provider_sid));
        }
        let url = self.account_url(&format!("Messages/{provider_sid}.json"));
        let message: MessageJson = self
            .fetch_json(self.http.get(url), Operation::Fetch)
            .await?;
        message.into_provider_message(Operation::Fetch)
    }
}

/// The list envelope's paging fields are not relied on: real answers may carry only the list.
#[derive(Deserialize)]
struct AvailableNumberList {
    #[serde(default)]
    available_phone_numbers: Vec<AvailableNumberJson>,
}

#[derive(Deserialize)]
struct AvailableNumberJson {
    phone_number: Option<String>,
    friendly_name: Option<String>,
    locality: Option<String>,
    region: Option<String>,
    iso_country: Option<String>,
    capabilities: Option<serde_json::Map<String, Value>>,
}

impl AvailableNumberJson {
    fn into_available(self, searched: Country) -> Option<AvailableNumber> {
        let phone_number = non_empty(self.phone_number)?;
        let mut capabilities = Capabilities::default();
        // Live answers say `SMS`/`MMS`/`voice`, the SDKs' mocks `sms`/`mms`/`voice`.
        for (key, value) in self.capabilities.unwrap_or_default() {
            let on = value
                .as_bool()
                .unwrap_or_else(|| value.as_str() == Some("true"));
            match key.to_ascii_lowercase().as_str() {
                "sms" => capabilities.sms = on,
                "mms" => capabilities.mms = on,
                "voice" => capabilities.voice = on,
                _ => {}
            }
        }
        Some(AvailableNumber {
            friendly_name: non_empty(self.friendly_name).unwrap_or_else(|| phone_number.clone()),
            phone_number,
            locality: non_empty(self.locality),
            region: non_empty(self.region),
            country: self
                .iso_country
                .as_deref()
                .and_then(Country::parse)
                .unwrap_or(searched),
            capabilities,
        })
    }
}

#[derive(Deserialize)]
struct IncomingNumberJson {
    sid: Option<String>,
    phone_number: Option<String>,
}

#[derive(Deserialize)]
struct IncomingNumberList {
    #[serde(default)]
    incoming_phone_numbers: Vec<IncomingNumberJson>,
}

#[derive(Deserialize)]
struct MessageJson {
    sid: Option<String>,
    body: Option<String>,
    status: Option<String>,
    error_code: Option<Value>,
    /// A string in Twilio's JSON (`"1"`).
    num_segments: Option<Value>,
}

impl MessageJson {
    fn into_provider_message(self, operation: Operation) -> Result<ProviderMessage, ProviderError> {
        let provider_sid = self
            .sid
            .filter(|sid| is_sid(sid, &["SM", "MM"]))
            .ok_or_else(|| unreadable(operation, "no message SID"))?;
        Ok(ProviderMessage {
            provider_sid,
            status: non_empty(self.status)
                .ok_or_else(|| unreadable(operation, "no message status"))?,
            error_code: self.error_code.as_ref().and_then(json_integer),
            segments: self
                .num_segments
                .as_ref()
                .and_then(json_integer)
                .and_then(|n| u32::try_from(n).ok()),
        })
    }
}

#[derive(Deserialize)]
struct MessageList {
    #[serde(default)]
    messages: Vec<MessageJson>,
}

#[derive(Deserialize)]
struct TwilioErrorBody {
    code: Option<Value>,
    message: Option<String>,
}

fn error_from_response(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    operation: Operation,
) -> ProviderError {
    let parsed: Option<TwilioErrorBody> = serde_json::from_slice(body).ok();
    let code = parsed
        .as_ref()
        .and_then(|b| b.code.as_ref())
        .and_then(json_integer);
    let message = parsed
        .and_then(|b| non_empty(b.message))
        .unwrap_or_else(|| format!("HTTP {status}"));

    if status == StatusCode::TOO_MANY_REQUESTS || code == Some(TOO_MANY_REQUESTS) {
        return ProviderError::RateLimited {
            retry_after: retry_after(headers),
        };
    }
    if status.is_server_error() {
        return ProviderError::Unavailable(format!(
            "Twilio answered HTTP {} to {}: {message}",
            status.as_u16(),
            operation.name()
        ));
    }
    if status == StatusCode::UNAUTHORIZED || code == Some(AUTHENTICATE) {
        return ProviderError::Authentication;
    }
    match code {
        Some(UNSUBSCRIBED) => return ProviderError::Unsubscribed,
        Some(c) if INVALID_RECIPIENT.contains(&c) => {
            return ProviderError::InvalidRecipient(message);
        }
        Some(c) if operation == Operation::Reserve && NUMBER_UNAVAILABLE.contains(&c) => {
            return ProviderError::NumberUnavailable;
        }
        _ => {}
    }
    if status == StatusCode::NOT_FOUND || code == Some(NOT_FOUND) {
        return ProviderError::NotFound;
    }
    ProviderError::Rejected { code, message }
}

/// `Retry-After` in seconds (Twilio does not send the HTTP-date form).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn transport_error(error: &reqwest::Error, operation: Operation) -> ProviderError {
    if error.is_builder() {
        return ProviderError::Rejected {
            code: None,
            message: format!("cannot build the request to {}", operation.name()),
        };
    }
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "connection failed"
    };
    // Without the URL: the message stays short and carries nothing but the account SID anyway.
    let detail = std::error::Error::source(error)
        .map(|s| format!(": {s}"))
        .unwrap_or_default();
    ProviderError::Unavailable(format!("{} to Twilio {what}{detail}", operation.name()))
}

fn unreadable(operation: Operation, what: &str) -> ProviderError {
    ProviderError::Rejected {
        code: None,
        message: format!(
            "unreadable answer from Twilio to {}: {what}",
            operation.name()
        ),
    }
}

fn bad_sid(kind: &str, sid: &str) -> ProviderError {
    let shown: String = sid.chars().take(40).collect();
    ProviderError::Rejected {
        code: None,
        message: format!("not a Twilio {kind} SID: {shown:?}"),
    }
}

/// A Twilio SID: one of the two-letter prefixes, then 32 hex digits. Checked before a SID
/// goes into a URL path.
fn is_sid(sid: &str, prefixes: &[&str]) -> bool {
    sid.len() == 34
        && prefixes.iter().any(|p| sid.starts_with(p))
        && sid[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// An integer sent as a JSON number or as a string of digits.
fn json_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_are_checked() {
        assert!(is_sid("PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &["PN"]));
        assert!(is_sid("SM9b7db369463c439384fe9abb09751af8", &["SM", "MM"]));
        assert!(is_sid("MM9b7db369463c439384fe9abb09751af8", &["SM", "MM"]));
        assert!(!is_sid("SM9b7db369463c439384fe9abb09751af8", &["PN"]));
        assert!(!is_sid("PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &["PN"]));
        assert!(!is_sid("PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &["PN"]));
        assert!(!is_sid("PN../aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &["PN"]));
        assert!(!is_sid("PNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaé", &["PN"]));
    }

    #[test]
    fn constructor_checks_its_settings() {
        let sid = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_owned();
        let ok = TwilioClient::new(
            sid.clone(),
            "token".into(),
            "https://api.twilio.com/".into(),
        )
        .unwrap();
        assert_eq!(ok.api_base, "https://api.twilio.com");
        assert!(
            TwilioClient::new(
                "AC123".into(),
                "token".into(),
                "https://api.twilio.com".into()
            )
            .is_err()
        );
        assert!(
            TwilioClient::new(sid.clone(), " ".into(), "https://api.twilio.com".into()).is_err()
        );
        assert!(TwilioClient::new(sid, "token".into(), "api.twilio.com".into()).is_err());
    }

    #[test]
    fn debug_output_hides_the_auth_token() {
        let client = TwilioClient::new(
            "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
            "very-secret-token".into(),
            "https://api.twilio.com".into(),
        )
        .unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("very-secret-token"), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
