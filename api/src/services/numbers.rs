//! Turning SMS on and off: finding a number, reserving it, releasing it.
//!
//! Reservation claims the store's single live slot in the database first (a unique index),
//! then asks the provider, so two concurrent reserves for one store have exactly one winner
//! and the loser never touches the provider.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use textback_shared::nanp;
use textback_shared::numbers::{
    AvailableNumberDto, AvailableNumbersPage, AvailableNumbersQuery, Country, NumberStatus,
    PhoneNumberDto, PhoneNumbersResponse,
};
use textback_shared::phone::{Phone, format_national};

use crate::app::AppState;
use crate::db::outbox::Scope;
use crate::db::{self, phone_numbers::PhoneNumberRow};
use crate::error::{AppError, AppResult};
use crate::sms::{AvailableNumber, NumberSearch, NumberWebhooks, ProviderError, ReservedNumber};

pub const DEFAULT_PAGE: u32 = 20;
pub const MAX_PAGE: u32 = 50;
/// "Load more" stops after this many numbers: enough to choose from, and the cursor stays short.
pub const MAX_SHOWN: usize = 200;
/// Area codes suggested in place of one without numbers, and how many are asked about.
const NEARBY_SHOWN: usize = 5;
const NEARBY_PROBED: usize = 10;
/// A claim older than this belongs to a reservation that died half-way.
const STALE_CLAIM: Duration = Duration::minutes(5);

/// A validated search.
struct Search {
    country: Country,
    area_code: Option<u16>,
    region: Option<String>,
    limit: u32,
    shown: Vec<u64>,
}

fn parse_query(query: &AvailableNumbersQuery) -> AppResult<Search> {
    let country = Country::parse(&query.country).ok_or_else(|| {
        AppError::invalid(
            "country",
            "Only the US and Canada are supported: use US or CA.",
        )
    })?;
    let area_code = match query
        .area_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => {
            let code: u16 = raw.parse().ok().filter(|_| raw.len() == 3).ok_or_else(|| {
                AppError::invalid("area_code", "An area code is three digits, e.g. 415.")
            })?;
            match nanp::lookup(code) {
                Some(a) if a.country == country => Some(code),
                _ => {
                    return Err(AppError::invalid(
                        "area_code",
                        format!("{code} is not an area code in {}.", country.name()),
                    ));
                }
            }
        }
    };
    let region = match query
        .region
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => {
            let region =
                nanp::region_code(raw).map_or_else(|| raw.to_ascii_uppercase(), str::to_owned);
            if nanp::in_region(country, &region).is_empty() {
                let kind = if country == Country::Ca {
                    "province or territory"
                } else {
                    "state"
                };
                return Err(AppError::invalid(
                    "region",
                    format!("{raw} is not a {kind} of {}.", country.name()),
                ));
            }
            Some(region)
        }
    };
    if area_code.is_some() && region.is_some() {
        return Err(AppError::invalid(
            "region",
            "Search by area code or by state/province, not both.",
        ));
    }
    let limit = match query.limit {
        None => DEFAULT_PAGE,
        Some(n) if (1..=MAX_PAGE).contains(&n) => n,
        Some(_) => {
            return Err(AppError::invalid(
                "limit",
                format!("limit must be between 1 and {MAX_PAGE}"),
            ));
        }
    };
    let shown = query
        .cursor
        .as_deref()
        .map(decode_shown)
        .transpose()?
        .unwrap_or_default();
    Ok(Search {
        country,
        area_code,
        region,
        limit,
        shown,
    })
}

/// Numbers the store can reserve now. The provider does not page its search, so "load more"
/// asks for more each time and leaves out what was already shown (the cursor lists it).
pub async fn search(
    state: &AppState,
    store_id: i64,
    query: &AvailableNumbersQuery,
) -> AppResult<AvailableNumbersPage> {
    let mut search = parse_query(query)?;
    if search.area_code.is_none() && search.region.is_none() {
        let store = db::run(&state.pool, move |conn| {
            Ok(db::stores::find(conn, store_id)?)
        })
        .await?;
        // The state names its country, which the store may not have given as well.
        let home_region = store
            .region
            .filter(|region| !nanp::in_region(search.country, region).is_empty());
        search.region = home_region;
    }
    let wanted = search.shown.len() as u32 + search.limit;
    // One more than this page needs: whether it exists says if "load more" has anything left.
    let provider_search = NumberSearch {
        country: search.country,
        area_code: search.area_code,
        region: search.region.clone(),
        page_size: wanted + 1,
    };
    let found = state
        .sms
        .search_available(&provider_search)
        .await
        .map_err(provider_error)?;
    let provider_has_more = found.len() as u32 > wanted;

    let candidates: Vec<AvailableNumber> = found
        .into_iter()
        .filter(|n| !search.shown.contains(&digits(&n.phone_number)))
        .collect();
    let numbers: Vec<String> = candidates.iter().map(|n| n.phone_number.clone()).collect();
    let taken = db::run(&state.pool, move |conn| {
        let stale_before = db::now() - STALE_CLAIM;
        Ok(db::phone_numbers::live_among(conn, &numbers, stale_before)?)
    })
    .await?;
    let mut offered: Vec<AvailableNumber> = candidates
        .into_iter()
        .filter(|n| !taken.contains(&n.phone_number))
        .collect();
    // The last page before `MAX_SHOWN` is cut to it, so every page size reaches it.
    let page = (search.limit as usize).min(MAX_SHOWN.saturating_sub(search.shown.len()));
    let left_over = offered.len() > page;
    offered.truncate(page);
    let items: Vec<AvailableNumberDto> = offered.into_iter().map(dto_of_available).collect();

    search
        .shown
        .extend(items.iter().map(|n| digits(&n.phone_number)));
    let more =
        (provider_has_more || left_over) && !items.is_empty() && search.shown.len() < MAX_SHOWN;
    let next_cursor = more.then(|| encode_shown(&search.shown));
    let (hint, nearby_area_codes) = if items.is_empty() && search.shown.is_empty() {
        empty_hint(state, &search).await
    } else {
        (None, Vec::new())
    };
    Ok(AvailableNumbersPage {
        items,
        next_cursor,
        hint,
        nearby_area_codes,
    })
}

async fn empty_hint(state: &AppState, search: &Search) -> (Option<String>, Vec<u16>) {
    let Some(code) = search.area_code else {
        return (
            Some("No numbers are available there right now. Try another state or province.".into()),
            Vec::new(),
        );
    };
    let regions = nanp::lookup(code)
        .map(|a| a.regions.clone())
        .unwrap_or_default();
    let mut candidates: Vec<u16> = regions
        .iter()
        .flat_map(|r| nanp::in_region(search.country, r))
        .map(|a| a.code)
        .filter(|c| *c != code)
        .collect();
    candidates.sort_by_key(|c| c.abs_diff(code));
    candidates.dedup();
    candidates.truncate(NEARBY_PROBED);
    let nearby = with_numbers(state, search.country, candidates).await;
    let place = regions
        .first()
        .and_then(|r| nanp::region_name(r))
        .unwrap_or("the same area");
    let hint = if nearby.is_empty() {
        format!(
            "No numbers are available in area code {code} right now; not every area code has numbers."
        )
    } else {
        let list: Vec<String> = nearby.iter().map(u16::to_string).collect();
        format!(
            "No numbers are available in area code {code} right now; not every area code has numbers. \
             Try a nearby area code in {place}: {}.",
            list.join(", ")
        )
    };
    (Some(hint), nearby)
}

/// The area codes among `candidates` the provider has a number in now, in their order, at
/// most `NEARBY_SHOWN`: a suggestion without numbers would only lead to another empty page.
/// One the provider cannot answer for is left out.
async fn with_numbers(state: &AppState, country: Country, candidates: Vec<u16>) -> Vec<u16> {
    let probes = candidates.iter().map(|&code| {
        let probe = NumberSearch {
            country,
            area_code: Some(code),
            region: None,
            page_size: 1,
        };
        async move { state.sms.search_available(&probe).await }
    });
    let found = futures_util::future::join_all(probes).await;
    candidates
        .into_iter()
        .zip(found)
        .filter(|(_, found)| found.as_ref().is_ok_and(|numbers| !numbers.is_empty()))
        .map(|(code, _)| code)
        .take(NEARBY_SHOWN)
        .collect()
}

fn dto_of_available(n: AvailableNumber) -> AvailableNumberDto {
    AvailableNumberDto {
        phone_number: n.phone_number,
        friendly_name: n.friendly_name,
        locality: n.locality,
        region: n.region,
        country: n.country,
        capabilities: n.capabilities,
    }
}

fn digits(e164: &str) -> u64 {
    e164.trim_start_matches("+1").parse().unwrap_or_default()
}

/// Ten-digit numbers fit in five bytes each.
fn encode_shown(shown: &[u64]) -> String {
    let bytes: Vec<u8> = shown
        .iter()
        .flat_map(|n| n.to_be_bytes()[3..].to_vec())
        .collect();
    URL_SAFE_NO_PAD.encode(bytes)
}

fn decode_shown(cursor: &str) -> AppResult<Vec<u64>> {
    let invalid = || AppError::invalid("cursor", "Use the next_cursor of a previous page.");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    if bytes.is_empty() || bytes.len() % 5 != 0 || bytes.len() / 5 > MAX_SHOWN {
        return Err(invalid());
    }
    Ok(bytes
        .chunks(5)
        .map(|chunk| chunk.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
        .collect())
}

pub fn dto(row: &PhoneNumberRow) -> PhoneNumberDto {
    PhoneNumberDto {
        id: row.id,
        friendly_name: format_national(&row.phone_number),
        phone_number: row.phone_number.clone(),
        country: Country::parse(&row.country).unwrap_or(Country::Us),
        region: row.region.clone(),
        locality: row.locality.clone(),
        status: if row.released_at.is_some() {
            NumberStatus::Released
        } else {
            NumberStatus::Active
        },
        reserved_at: db::utc(row.reserved_at),
        reserved_by_user_id: row.reserved_by_user_id,
        released_at: row.released_at.map(db::utc),
    }
}

pub async fn list(state: &AppState, store_id: i64) -> AppResult<PhoneNumbersResponse> {
    let rows = db::run(&state.pool, move |conn| {
        Ok(db::phone_numbers::list(conn, store_id)?)
    })
    .await?;
    let (active, released): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.released_at.is_none());
    Ok(PhoneNumbersResponse {
        active: active.first().map(|r| dto(r)),
        released: released.into_iter().map(dto).collect(),
    })
}

pub fn webhooks(state: &AppState) -> NumberWebhooks {
    let base = &state.settings.public_base_url;
    NumberWebhooks {
        sms_url: format!("{base}/webhooks/twilio/sms"),
    }
}

/// Reserves `phone_number` for the store: one live number per store.
pub async fn reserve(
    state: &AppState,
    store_id: i64,
    user_id: Option<i64>,
    phone_number: &str,
) -> AppResult<PhoneNumberDto> {
    reserve_at(state, store_id, user_id, phone_number, db::now()).await
}

/// [`reserve`], with the charge period opening at `now` (the demo store replays a past).
pub async fn reserve_at(
    state: &AppState,
    store_id: i64,
    user_id: Option<i64>,
    phone_number: &str,
    now: chrono::NaiveDateTime,
) -> AppResult<PhoneNumberDto> {
    let phone =
        Phone::parse(phone_number).map_err(|e| AppError::invalid("phone_number", e.to_string()))?;
    let area = nanp::lookup(phone.area_code());
    let claim = {
        let phone = phone.clone();
        db::run(&state.pool, move |conn| {
            db::phone_numbers::delete_stale_claims(
                conn,
                store_id,
                phone.as_str(),
                now - STALE_CLAIM,
            )?;
            if db::phone_numbers::active_for_store(conn, store_id)?.is_some() {
                return Err(already_has_number());
            }
            let locality = area.and_then(|a| {
                a.label
                    .split_once(',')
                    .map(|(city, _)| city.trim().to_owned())
            });
            let new = db::phone_numbers::NewReservation {
                store_id,
                phone_number: phone.as_str(),
                country: phone.country().code(),
                region: area.and_then(|a| a.regions.first()).map(String::as_str),
                locality: locality.as_deref(),
                reserved_by_user_id: user_id,
                now,
            };
            match db::phone_numbers::claim(conn, &new) {
                Ok(claim) => Ok(claim),
                // Lost a race: say which one, so the merchant knows what to do next.
                Err(e) => match AppError::from(e) {
                    AppError::Conflict(_) if db::phone_numbers::has_live(conn, store_id)? => {
                        Err(already_has_number())
                    }
                    AppError::Conflict(_) => Err(number_taken()),
                    other => Err(other),
                },
            }
        })
        .await?
    };
    let purchase = match state.sms.reserve(phone.as_str(), &webhooks(state)).await {
        Err(error @ (ProviderError::NumberUnavailable | ProviderError::Unavailable(_))) => {
            bought_after_all(state, phone.as_str()).await.ok_or(error)
        }
        other => other,
    };
    match purchase {
        Ok(reserved) => {
            let row = db::run(&state.pool, move |conn| {
                Ok(db::phone_numbers::activate(
                    conn,
                    claim.id,
                    &reserved.provider_sid,
                )?)
            })
            .await?;
            tracing::info!(
                store_id,
                phone_number_id = row.id,
                "number reserved; SMS charge period opened"
            );
            Ok(dto(&row))
        }
        Err(error) => {
            db::run(&state.pool, move |conn| {
                Ok(db::phone_numbers::delete_claim(conn, claim.id)?)
            })
            .await?;
            Err(match error {
                ProviderError::NumberUnavailable => number_taken(),
                // Twilio's own reasons, e.g. 21631: the number needs an address on file.
                ProviderError::Rejected { message, .. } => AppError::Conflict(format!(
                    "The SMS provider would not reserve this number ({message}); choose another one."
                )),
                other => provider_error(other),
            })
        }
    }
}

/// The number, when a purchase that failed or went unanswered went through after all: a
/// timeout after Twilio bought it, or a retry of that purchase, which Twilio refuses as "not
/// available" because the account holds it. Such a number would otherwise stay bought and
/// paid for, with no store able to use it. Not one a store released and the provider is
/// still releasing: that one is going away.
async fn bought_after_all(state: &AppState, phone_number: &str) -> Option<ReservedNumber> {
    let owned = match state.sms.find_owned(phone_number).await {
        Ok(owned) => owned?,
        Err(error) => {
            tracing::warn!(%error, "could not learn whether a failed purchase went through");
            return None;
        }
    };
    let number = phone_number.to_owned();
    let leaving = db::run(&state.pool, move |conn| {
        Ok(db::phone_numbers::release_pending(conn, &number)?)
    })
    .await;
    match leaving {
        Ok(false) => {
            tracing::info!("a purchase reported as failed had gone through; the number is kept");
            Some(owned)
        }
        _ => None,
    }
}

fn already_has_number() -> AppError {
    AppError::Conflict(
        "This store already has a number. Release it first to change numbers.".into(),
    )
}

fn number_taken() -> AppError {
    AppError::Conflict("This number was just taken by someone else; choose another one.".into())
}

/// Releases the store's number: at once and in one transaction, the number stops being
/// live, every unsent message is cancelled, and the charge period ends; then the provider is
/// told (and retried later if it fails). Releasing a released number changes nothing.
pub async fn release(state: &AppState, store_id: i64, id: i64) -> AppResult<()> {
    let released = db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let row = db::phone_numbers::find(conn, store_id, id)
                .map_err(|_| AppError::not_found("number"))?;
            let now = db::now();
            if !db::phone_numbers::mark_released(conn, row.id, now)? {
                return Ok(None);
            }
            let cancelled = db::messages::cancel_unsent(conn, store_id, now)?
                + db::outbox::cancel(conn, Scope::Store(store_id), "number released", now)?;
            let stopped = db::campaigns::stop_active(conn, store_id, now)?;
            tracing::info!(
                store_id,
                phone_number_id = row.id,
                cancelled,
                campaigns_stopped = stopped,
                "number released; SMS stopped"
            );
            Ok(Some(row))
        })
    })
    .await?;
    if let Some(row) = released {
        release_at_provider(state, &row).await;
    }
    Ok(())
}

/// Tells the provider; a failure is logged and left for `retry_pending_releases`.
async fn release_at_provider(state: &AppState, row: &PhoneNumberRow) {
    let Some(sid) = row.provider_sid.as_deref() else {
        return;
    };
    match state.sms.release(sid).await {
        Ok(()) | Err(ProviderError::NotFound) => {
            let id = row.id;
            if let Err(e) = db::run(&state.pool, move |conn| {
                Ok(db::phone_numbers::mark_provider_released(
                    conn,
                    id,
                    db::now(),
                )?)
            })
            .await
            {
                tracing::warn!(phone_number_id = id, error = %e, "could not record the provider release");
            }
        }
        Err(e) => {
            tracing::warn!(phone_number_id = row.id, error = %e, "provider release failed; will retry")
        }
    }
}

/// Retries provider releases that failed; run periodically by the server.
pub async fn retry_pending_releases(state: &AppState) -> AppResult<usize> {
    let pending = db::run(&state.pool, |conn| {
        Ok(db::phone_numbers::pending_provider_release(conn, 50)?)
    })
    .await?;
    for row in &pending {
        release_at_provider(state, row).await;
    }
    Ok(pending.len())
}

fn provider_error(error: ProviderError) -> AppError {
    match error {
        ProviderError::Authentication => {
            tracing::error!(
                "the SMS provider refused our credentials: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
            );
            AppError::Unavailable("SMS provider authentication failed".into())
        }
        e if e.is_retryable() => AppError::Unavailable(e.to_string()),
        ProviderError::Rejected { message, .. } => {
            AppError::BadRequest(format!("The SMS provider refused this request: {message}"))
        }
        e => AppError::Internal(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_numbers_round_trip_through_the_cursor() {
        let shown = vec![4155550123, 9999999999, 2012000000];
        assert_eq!(decode_shown(&encode_shown(&shown)).unwrap(), shown);
        assert!(decode_shown("!!").is_err());
        assert!(decode_shown(&URL_SAFE_NO_PAD.encode([1, 2, 3])).is_err());
    }

    #[test]
    fn query_rules() {
        let q = |country: &str, area: Option<&str>, region: Option<&str>| AvailableNumbersQuery {
            country: country.into(),
            area_code: area.map(Into::into),
            region: region.map(Into::into),
            ..Default::default()
        };
        let field = |q: AvailableNumbersQuery| match parse_query(&q) {
            Err(AppError::Validation(errors)) => errors[0].field.clone(),
            other => panic!(
                "expected a validation error, got {:?}",
                other.map(|s| s.limit)
            ),
        };
        assert_eq!(field(q("GB", None, None)), "country");
        assert_eq!(field(q("US", Some("416"), None)), "area_code");
        assert_eq!(field(q("US", Some("41"), None)), "area_code");
        assert_eq!(field(q("CA", None, Some("TX"))), "region");
        assert_eq!(field(q("US", Some("415"), Some("CA"))), "region");
        assert!(parse_query(&q("us", Some("415"), None)).is_ok());
        assert!(parse_query(&q("CA", None, Some("on"))).is_ok());
    }
}
