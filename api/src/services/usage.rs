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
    // Four digits, a dash, two digits: the parser alone would also take `+202-01` or `-001-01`.
    let well_formed = raw.len() == 7
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| well_formed)
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
    // The current month so far: up to now.
    let days_with_number = days_touched(&periods, from, to.min(now.max(from)));
    let days_in_month = (next_month(first_day) - first_day).num_days();

    let prices = &state.settings.prices;
    // Each line is billed in whole cents and the total is their sum, so the bill adds up.
    let segments_micros =
        to_whole_cents((outbound_segments + inbound_segments) * prices.per_segment_micros);
    let number_micros =
        to_whole_cents(prices.per_number_month_micros * days_with_number / days_in_month.max(1));
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

/// Rounded half up to a whole cent, as `format_cents` shows it.
fn to_whole_cents(micros: i64) -> i64 {
    (micros + 5_000).div_euclid(10_000) * 10_000
}

/// Calendar days (UTC) of `[from, to)` that any period touches: charges stop on the day of
/// release, and a day held in part is a day held. Periods are half-open too, so a number held
/// past the month's end does not bill the next month's first day in this one.
fn days_touched(
    periods: &[(NaiveDateTime, NaiveDateTime)],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> i64 {
    let tick = chrono::Duration::microseconds(1);
    let mut days = BTreeSet::new();
    for (start, end) in periods {
        // Reserved and released at the same instant: still a day held.
        let end = (*end).max(*start + tick);
        let (start, end) = ((*start).max(from), end.min(to));
        if start >= end {
            continue;
        }
        let mut day = start.date();
        while day <= (end - tick).date() {
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
        for bad in [
            "2026-13",
            "2026-2",
            "26-02",
            "february",
            "2026-02-01",
            "+202-01",
            "-001-01",
        ] {
            assert!(parse_month(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn days_held_count_partial_days_and_overlaps_once() {
        let (from, to) = (at("2026-12-01 00:00"), at("2027-01-01 00:00"));
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

    #[test]
    fn days_held_stop_at_the_months_end_and_at_release() {
        let (from, to) = (at("2026-11-01 00:00"), at("2026-12-01 00:00"));
        let through_the_month = [(at("2026-10-20 10:00"), at("2026-12-05 09:00"))];
        assert_eq!(days_touched(&through_the_month, from, to), 30);
        let from_the_20th = [(at("2026-11-20 10:00"), at("2026-12-05 09:00"))];
        assert_eq!(days_touched(&from_the_20th, from, to), 11);
        let released_at_midnight = [(at("2026-11-20 10:00"), at("2026-11-22 00:00"))];
        assert_eq!(days_touched(&released_at_midnight, from, to), 2);
        let released_as_the_month_began = [(at("2026-10-20 10:00"), at("2026-11-01 00:00"))];
        assert_eq!(days_touched(&released_as_the_month_began, from, to), 0);
        let at_once = [(at("2026-11-03 10:00"), at("2026-11-03 10:00"))];
        assert_eq!(days_touched(&at_once, from, to), 1);
    }
}
