//! A month of SMS use and its charges, from the price list in configuration.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Utc};
use textback_shared::numbers::{UsageCharges, UsageDto};

use crate::app::AppState;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::money::{format_cents, format_price};

/// `YYYY-MM` → the month's first day; `None` means this month.
pub fn parse_month(raw: Option<&str>) -> AppResult<NaiveDate> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        let today = Utc::now().date_naive();
        return Ok(today.with_day(1).unwrap_or(today));
    };
    NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 7)
        .ok_or_else(|| AppError::invalid("month", "Use the form YYYY-MM, e.g. 2026-12."))
}

fn next_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first)
}

pub async fn for_month(
    state: &AppState,
    store_id: i64,
    first_day: NaiveDate,
) -> AppResult<UsageDto> {
    let from = first_day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let to = next_month(first_day)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let ((outbound_messages, outbound_segments), (inbound_messages, inbound_segments), held) =
        db::run(&state.pool, move |conn| {
            Ok((
                db::messages::usage_between(conn, store_id, db::messages::OUTBOUND, from, to)?,
                db::messages::usage_between(conn, store_id, db::messages::INBOUND, from, to)?,
                db::phone_numbers::held_between(conn, store_id, from, to)?,
            ))
        })
        .await?;
    let now = db::now();
    let periods: Vec<(NaiveDateTime, NaiveDateTime)> = held
        .iter()
        .map(|n| (n.reserved_at, n.released_at.unwrap_or(now)))
        .collect();
    let days_with_number = days_touched(&periods, from, to.min(now.max(from)));
    let days_in_month = (next_month(first_day) - first_day).num_days();

    let prices = &state.settings.prices;
    let segments_micros = (outbound_segments + inbound_segments) * prices.per_segment_micros;
    let number_micros = prices.per_number_month_micros * days_with_number / days_in_month.max(1);
    Ok(UsageDto {
        month: first_day.format("%Y-%m").to_string(),
        outbound_messages,
        outbound_segments,
        inbound_messages,
        inbound_segments,
        days_with_number,
        charges: UsageCharges {
            currency: prices.currency.clone(),
            price_per_segment: format_price(prices.per_segment_micros),
            price_per_number_month: format_price(prices.per_number_month_micros),
            segments: format_cents(segments_micros),
            number: format_cents(number_micros),
            total: format_cents(segments_micros + number_micros),
        },
    })
}

/// Calendar days (UTC) within `[from, to]` that any period touches: charges stop on the day
/// of release, and a day held in part is a day held.
fn days_touched(
    periods: &[(NaiveDateTime, NaiveDateTime)],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> i64 {
    let mut days = BTreeSet::new();
    for (start, end) in periods {
        let (start, end) = ((*start).max(from), (*end).min(to));
        if start > end {
            continue;
        }
        let mut day = start.date();
        while day <= end.date() {
            days.insert(day);
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    days.len() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn months() {
        assert_eq!(
            parse_month(Some("2026-02")).unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()
        );
        for bad in ["2026-13", "2026-2", "26-02", "february", "2026-02-01"] {
            assert!(parse_month(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn days_held_count_partial_days_and_overlaps_once() {
        let (from, to) = (at("2026-12-01 00:00"), at("2026-12-31 23:59"));
        assert_eq!(
            days_touched(
                &[(at("2026-12-03 10:00"), at("2026-12-05 09:00"))],
                from,
                to
            ),
            3
        );
        assert_eq!(
            days_touched(
                &[(at("2026-11-20 10:00"), at("2026-12-02 09:00"))],
                from,
                to
            ),
            2
        );
        let twice_same_day = [
            (at("2026-12-03 10:00"), at("2026-12-03 11:00")),
            (at("2026-12-03 12:00"), at("2026-12-04 00:30")),
        ];
        assert_eq!(days_touched(&twice_same_day, from, to), 2);
        assert_eq!(days_touched(&[], from, to), 0);
    }
}
