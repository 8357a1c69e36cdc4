//! The embedded SMS provider, used when no Twilio credentials are configured: a deterministic
//! inventory of numbers for every US and Canadian area code (a few have none, as in real
//! life), reservations, releases, and sent messages kept and marked delivered.
//!
//! Its state lives in memory; the database, not the simulator, is the record of which store
//! holds which number. It remembers the last `KEPT_TEXTS` texts sent, so a server left running
//! does not grow without end.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use textback_shared::nanp::{self, AreaCode};
use textback_shared::numbers::Capabilities;
use textback_shared::phone::format_national;

use super::{
    AvailableNumber, NumberSearch, NumberWebhooks, OutboundSms, ProviderError, ProviderMessage,
    ReservedNumber, SentMessage, SmsProvider,
};

/// Numbers per area code: three pages of twenty.
pub const NUMBERS_PER_AREA_CODE: usize = 60;
/// Sent texts remembered (a few tens of megabytes at most).
pub const KEPT_TEXTS: usize = 100_000;

#[derive(Default)]
pub struct Simulator {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// phone number -> provider sid
    reserved: HashMap<String, String>,
    /// The latest texts sent, oldest first.
    sent: VecDeque<SentSms>,
    /// Texts sent and forgotten since the start: `sent[0]` was the `forgotten`th one sent.
    forgotten: usize,
}

impl State {
    fn total_sent(&self) -> usize {
        self.forgotten + self.sent.len()
    }
}

/// A text the simulator "delivered".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentSms {
    pub provider_sid: String,
    pub from: String,
    pub to: String,
    pub body: String,
}

/// Whether an area code has numbers in the simulator (about one in thirteen has none).
pub fn has_inventory(area_code: u16) -> bool {
    u32::from(area_code).wrapping_mul(7919) % 13 != 0
}

/// The simulator's numbers for an area code, always the same ones.
pub fn inventory(area_code: &AreaCode) -> Vec<AvailableNumber> {
    if !has_inventory(area_code.code) {
        return Vec::new();
    }
    // Labels are "City, ST" or just the state's name; only the former names a locality.
    let locality = area_code
        .label
        .split_once(',')
        .map(|(city, _)| city.trim().to_owned());
    let mut seed = u64::from(area_code.code).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut seen = HashSet::new();
    let mut numbers = Vec::with_capacity(NUMBERS_PER_AREA_CODE);
    while numbers.len() < NUMBERS_PER_AREA_CODE {
        // xorshift: cheap, deterministic, well spread.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let exchange = 200 + seed % 800;
        let line = (seed >> 20) % 10_000;
        // 555 exchanges are reserved for fiction and directory assistance.
        if exchange == 555 || !seen.insert((exchange, line)) {
            continue;
        }
        let e164 = format!("+1{}{exchange:03}{line:04}", area_code.code);
        numbers.push(AvailableNumber {
            friendly_name: format_national(&e164),
            phone_number: e164,
            locality: locality.clone(),
            region: area_code.regions.first().cloned(),
            country: area_code.country,
            capabilities: Capabilities {
                sms: true,
                mms: true,
                voice: true,
            },
        });
    }
    numbers
}

fn sid(prefix: &str, seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

impl Simulator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Texts sent so far and still remembered, oldest first.
    pub fn sent(&self) -> Vec<SentSms> {
        self.lock().sent.iter().cloned().collect()
    }

    /// How many texts have been sent since the start, forgotten ones included.
    pub fn total_sent(&self) -> usize {
        self.lock().total_sent()
    }

    /// Texts sent after the first `skip` ever sent, oldest first: what a phone sees since it
    /// last looked (without those forgotten meanwhile).
    pub fn sent_since(&self, skip: usize) -> Vec<SentSms> {
        let state = self.lock();
        let skip = skip.saturating_sub(state.forgotten);
        state.sent.iter().skip(skip).cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn area_codes_for(search: &NumberSearch) -> Vec<&'static AreaCode> {
        match (search.area_code, &search.region) {
            (Some(code), _) => nanp::lookup(code)
                .filter(|a| a.country == search.country)
                .into_iter()
                .collect(),
            (None, Some(region)) => nanp::in_region(search.country, region),
            (None, None) => nanp::area_codes()
                .iter()
                .filter(|a| a.country == search.country)
                .collect(),
        }
    }
}

#[async_trait]
impl SmsProvider for Simulator {
    async fn search_available(
        &self,
        search: &NumberSearch,
    ) -> Result<Vec<AvailableNumber>, ProviderError> {
        let inventories: Vec<Vec<AvailableNumber>> = Self::area_codes_for(search)
            .into_iter()
            .map(inventory)
            .collect();
        let reserved = &self.lock().reserved;
        // Interleave area codes, so a state-wide search shows several of them at once.
        let longest = inventories.iter().map(Vec::len).max().unwrap_or(0);
        let numbers = (0..longest)
            .flat_map(|i| inventories.iter().filter_map(move |inv| inv.get(i)))
            .filter(|n| !reserved.contains_key(&n.phone_number))
            .take(search.page_size as usize)
            .cloned()
            .collect();
        Ok(numbers)
    }

    async fn reserve(
        &self,
        phone_number: &str,
        _webhooks: &NumberWebhooks,
    ) -> Result<ReservedNumber, ProviderError> {
        let area_code = phone_number
            .get(2..5)
            .and_then(|c| c.parse().ok())
            .and_then(nanp::lookup);
        let in_inventory =
            area_code.is_some_and(|a| inventory(a).iter().any(|n| n.phone_number == phone_number));
        let mut state = self.lock();
        if !in_inventory || state.reserved.contains_key(phone_number) {
            return Err(ProviderError::NumberUnavailable);
        }
        let provider_sid = sid("PN", phone_number);
        state
            .reserved
            .insert(phone_number.to_owned(), provider_sid.clone());
        Ok(ReservedNumber {
            provider_sid,
            phone_number: phone_number.to_owned(),
        })
    }

    async fn release(&self, provider_sid: &str) -> Result<(), ProviderError> {
        let mut state = self.lock();
        let before = state.reserved.len();
        state.reserved.retain(|_, sid| sid != provider_sid);
        if state.reserved.len() == before {
            Err(ProviderError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn find_owned(
        &self,
        phone_number: &str,
    ) -> Result<Option<ReservedNumber>, ProviderError> {
        Ok(self
            .lock()
            .reserved
            .get(phone_number)
            .map(|sid| ReservedNumber {
                provider_sid: sid.clone(),
                phone_number: phone_number.to_owned(),
            }))
    }

    async fn send(&self, sms: &OutboundSms) -> Result<ProviderMessage, ProviderError> {
        let mut state = self.lock();
        let provider_sid = sid(
            "SM",
            &format!("{}:{}:{}", state.total_sent(), sms.to, sms.body),
        );
        if state.sent.len() == KEPT_TEXTS {
            state.sent.pop_front();
            state.forgotten += 1;
        }
        state.sent.push_back(SentSms {
            provider_sid: provider_sid.clone(),
            from: sms.from.clone(),
            to: sms.to.clone(),
            body: sms.body.clone(),
        });
        Ok(ProviderMessage {
            provider_sid,
            status: "delivered".into(),
            error_code: None,
            segments: None,
        })
    }

    async fn sent_messages(
        &self,
        from: &str,
        to: &str,
        _since: chrono::NaiveDate,
    ) -> Result<Vec<SentMessage>, ProviderError> {
        Ok(self
            .lock()
            .sent
            .iter()
            .rev()
            .filter(|s| s.from == from && s.to == to)
            .map(|s| SentMessage {
                message: ProviderMessage {
                    provider_sid: s.provider_sid.clone(),
                    status: "delivered".into(),
                    error_code: None,
                    segments: None,
                },
                body: s.body.clone(),
            })
            .collect())
    }

    async fn fetch_message(&self, provider_sid: &str) -> Result<ProviderMessage, ProviderError> {
        self.lock()
            .sent
            .iter()
            .find(|s| s.provider_sid == provider_sid)
            .map(|s| ProviderMessage {
                provider_sid: s.provider_sid.clone(),
                status: "delivered".into(),
                error_code: None,
                segments: None,
            })
            .ok_or(ProviderError::NotFound)
    }
}

/// Sends a customer's text to the running server the way Twilio would: a form POST to the
/// inbound webhook, signed with the server's webhook key. Returns the message's sid.
pub async fn inject_inbound(
    settings: &crate::config::Settings,
    from: &str,
    to: &str,
    body: &str,
) -> Result<String, String> {
    let message_sid = sid(
        "SM",
        &format!(
            "inbound:{from}:{to}:{body}:{}",
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ),
    );
    let params: Vec<(String, String)> = [
        ("MessageSid", message_sid.as_str()),
        ("SmsMessageSid", message_sid.as_str()),
        ("AccountSid", "ACsimulator0000000000000000000000"),
        ("From", from),
        ("To", to),
        ("Body", body),
        ("NumMedia", "0"),
        ("NumSegments", "1"),
        ("SmsStatus", "received"),
        ("ApiVersion", "2010-04-01"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let url = format!("{}/webhooks/twilio/sms", settings.public_base_url);
    let signature =
        super::signature::twilio_signature(&settings.webhook_signing_key(), &url, &params);
    let response = reqwest::Client::new()
        .post(&url)
        .header("X-Twilio-Signature", signature)
        .form(&params)
        .send()
        .await
        .map_err(|e| format!("cannot reach {url} (is `textback serve` running?): {e}"))?;
    if response.status().is_success() {
        Ok(message_sid)
    } else {
        Err(format!(
            "the server answered {}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use textback_shared::numbers::Country;

    fn search(area_code: Option<u16>, region: Option<&str>, page_size: u32) -> NumberSearch {
        NumberSearch {
            country: Country::Us,
            area_code,
            region: region.map(str::to_owned),
            page_size,
        }
    }

    fn hooks() -> NumberWebhooks {
        NumberWebhooks {
            sms_url: "http://x/sms".into(),
        }
    }

    #[test]
    fn inventory_is_deterministic_and_valid() {
        let sf = nanp::lookup(415).unwrap();
        let numbers = inventory(sf);
        assert_eq!(numbers, inventory(sf));
        assert_eq!(numbers.len(), NUMBERS_PER_AREA_CODE);
        for n in &numbers {
            let phone = textback_shared::phone::Phone::parse(&n.phone_number).unwrap();
            assert_eq!(phone.area_code(), 415);
        }
        assert_eq!(numbers[0].locality, None, "415's label is just the state");
        assert_eq!(
            inventory(nanp::lookup(212).unwrap())[0].locality.as_deref(),
            Some("New York")
        );
    }

    #[test]
    fn some_area_codes_have_no_numbers() {
        let empty = nanp::area_codes()
            .iter()
            .filter(|a| !has_inventory(a.code))
            .count();
        assert!(empty > 10 && empty < 60, "{empty}");
    }

    #[tokio::test]
    async fn reserve_release_cycle() {
        let sim = Simulator::new();
        let first = sim
            .search_available(&search(Some(415), None, 5))
            .await
            .unwrap();
        assert_eq!(first.len(), 5);
        let number = &first[0].phone_number;
        let reserved = sim.reserve(number, &hooks()).await.unwrap();
        assert!(reserved.provider_sid.starts_with("PN") && reserved.provider_sid.len() == 34);
        assert_eq!(
            sim.reserve(number, &hooks()).await,
            Err(ProviderError::NumberUnavailable)
        );
        let again = sim
            .search_available(&search(Some(415), None, 5))
            .await
            .unwrap();
        assert!(!again.iter().any(|n| &n.phone_number == number));
        sim.release(&reserved.provider_sid).await.unwrap();
        assert_eq!(
            sim.release(&reserved.provider_sid).await,
            Err(ProviderError::NotFound)
        );
        assert_eq!(
            sim.reserve("+14155550100", &hooks()).await,
            Err(ProviderError::NumberUnavailable)
        );
    }

    #[tokio::test]
    async fn region_search_mixes_area_codes() {
        let sim = Simulator::new();
        let numbers = sim
            .search_available(&search(None, Some("TX"), 10))
            .await
            .unwrap();
        let codes: HashSet<_> = numbers.iter().map(|n| &n.phone_number[2..5]).collect();
        assert!(codes.len() > 3, "{codes:?}");
        assert!(numbers.iter().all(|n| n.region.as_deref() == Some("TX")));
    }

    #[tokio::test]
    async fn only_the_latest_texts_are_remembered() {
        let sim = Simulator::new();
        let text = |n: usize| OutboundSms {
            from: "+16285550199".into(),
            to: "+14155550123".into(),
            body: format!("text {n}"),
            status_callback_url: None,
        };
        let mut sids = HashSet::new();
        for n in 0..KEPT_TEXTS + 2 {
            sids.insert(sim.send(&text(n)).await.unwrap().provider_sid);
        }
        assert_eq!(sids.len(), KEPT_TEXTS + 2, "every text has its own sid");
        assert_eq!(sim.total_sent(), KEPT_TEXTS + 2);
        let kept = sim.sent();
        assert_eq!(kept.len(), KEPT_TEXTS);
        assert_eq!(kept[0].body, "text 2");
        let since = sim.sent_since(KEPT_TEXTS);
        assert_eq!(
            since.iter().map(|t| t.body.as_str()).collect::<Vec<_>>(),
            [
                format!("text {KEPT_TEXTS}"),
                format!("text {}", KEPT_TEXTS + 1)
            ]
        );
        assert_eq!(
            sim.sent_since(0).len(),
            KEPT_TEXTS,
            "the forgotten are skipped"
        );
    }
}
