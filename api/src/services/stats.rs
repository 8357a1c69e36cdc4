//! The results dashboard's figures: read from daily sums (`db::stats`) in the store's time
//! zone, which the roll-up keeps current from the hourly ones, so a period costs one row per
//! day and campaign, never a scan of every message.
//!
//! The roll-up sums, every minute, the last two days again (deliveries, clicks and replies
//! keep coming for texts written then) and any hours it has not summed yet; the first run sums
//! all history. Something that lands more than two days in the past after that (an imported
//! order) is summed by `rebuild`.
//!
//! Revenue is summed per currency, and shown in the store's (`revenue_currency`): the totals
//! of orders in other currencies are listed beside it, never added to it.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use textback_shared::numbers::Country;
use textback_shared::quiet_hours::{Tz, region_time_zone};
use textback_shared::stats::{
    CampaignFigures, DEFAULT_DAYS, Figures, Granularity, MAX_DAYS, StatsDto, StatsPoint, StatsQuery,
};
use textback_shared::templates::CampaignKind;

use crate::config::Prices;
use crate::db::stats::{DayRevenue, HourRevenue, NO_CAMPAIGN, Sums};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};

/// How far back every roll-up sums again.
const RECOUNT: Duration = Duration::hours(48);
/// A store that has not said where it is keeps Eastern time.
const DEFAULT_TIME_ZONE: Tz = Tz::America__New_York;

/// Brings the hourly sums up to `now`.
pub fn roll_up(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<()> {
    db::write_transaction(conn, |conn| {
        let this_hour = hour_of(now);
        let from = match db::stats::lock_rolled_until(conn)? {
            Some(until) => until.min(this_hour - RECOUNT),
            None => db::stats::earliest(conn)?.map_or(this_hour, hour_of),
        };
        // The current hour too: the dashboard shows today as it goes.
        let to = this_hour + Duration::hours(1);
        db::stats::roll_up(conn, from, to)?;
        add_up_days(conn, from, to)?;
        db::stats::set_rolled_until(conn, this_hour)?;
        Ok(())
    })
}

/// Sums all history again (after importing old orders, say).
pub fn rebuild(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<()> {
    db::write_transaction(conn, |conn| {
        db::stats::clear(conn)?;
        roll_up(conn, now)
    })
}

/// How far outside `[from, to)` the hours of a local day that `[from, to)` touches may lie.
const DAY_MARGIN: Duration = Duration::days(2);

/// Adds up the hours into the local days that `[from, to)` touches, store by store, each in
/// its zone.
fn add_up_days(conn: &mut DbConn, from: NaiveDateTime, to: NaiveDateTime) -> AppResult<()> {
    let around = Some((from - DAY_MARGIN, to + DAY_MARGIN));
    let hours = db::stats::hours(conn, None, around)?;
    let revenues = db::stats::hour_revenues(conn, None, around)?;
    // Every hour with revenue has its `stats_hourly` row (its orders are counted there).
    let mut stores: Vec<i64> = hours.iter().map(|h| h.store_id).collect();
    stores.sort_unstable();
    stores.dedup();
    for store in db::stores::find_many(conn, &stores)? {
        let zone = zone_of(&store);
        let first = local_day(from, zone);
        let last = local_day(to - Duration::microseconds(1), zone);
        let window = (
            start_of(first, zone),
            start_of(last + Duration::days(1), zone),
        );
        let in_window = |store_id: i64, hour: NaiveDateTime| {
            store_id == store.id && hour >= window.0 && hour < window.1
        };
        let (days, revenue) = by_day(
            hours.iter().filter(|h| in_window(h.store_id, h.hour)),
            revenues.iter().filter(|r| in_window(r.store_id, r.hour)),
            zone,
        );
        let span = Some((first, last));
        db::stats::replace_days(conn, store.id, span, zone.name(), &days, &revenue)?;
    }
    Ok(())
}

/// A store that moved to another time zone has its days added up again in the new one.
pub fn store_moved(
    conn: &mut DbConn,
    before: &db::stores::StoreRow,
    after: &db::stores::StoreRow,
) -> AppResult<()> {
    let zone = zone_of(after);
    if zone_of(before) == zone {
        return Ok(());
    }
    add_up_all_days(conn, after.id, zone)
}

/// Adds up all the store's hours into days again, in `zone`.
fn add_up_all_days(conn: &mut DbConn, store_id: i64, zone: Tz) -> AppResult<()> {
    let hours = db::stats::hours(conn, Some(store_id), None)?;
    let revenues = db::stats::hour_revenues(conn, Some(store_id), None)?;
    let (days, revenue) = by_day(hours.iter(), revenues.iter(), zone);
    db::stats::replace_days(conn, store_id, None, zone.name(), &days, &revenue)?;
    Ok(())
}

/// The hours' sums by local day (of each hour's start) and campaign, and their revenue by
/// local day, campaign and currency.
fn by_day<'a>(
    hours: impl Iterator<Item = &'a db::stats::Hour>,
    revenues: impl Iterator<Item = &'a HourRevenue>,
    zone: Tz,
) -> (Vec<(NaiveDate, i64, Sums)>, Vec<DayRevenue>) {
    let mut days: HashMap<(NaiveDate, i64), Sums> = HashMap::new();
    for hour in hours {
        days.entry((local_day(hour.hour, zone), hour.campaign_id))
            .or_default()
            .add(&hour.sums);
    }
    let mut revenue: HashMap<(NaiveDate, i64, &str), i64> = HashMap::new();
    for r in revenues {
        *revenue
            .entry((local_day(r.hour, zone), r.campaign_id, r.currency.as_str()))
            .or_default() += r.cents;
    }
    let days = days
        .into_iter()
        .map(|((day, campaign), sums)| (day, campaign, sums))
        .collect();
    let revenue = revenue
        .into_iter()
        .map(|((day, campaign_id, currency), cents)| DayRevenue {
            day,
            campaign_id,
            currency: currency.to_owned(),
            cents,
        })
        .collect();
    (days, revenue)
}

/// The store's time zone, from its state or province.
fn zone_of(store: &db::stores::StoreRow) -> Tz {
    store
        .country
        .as_deref()
        .and_then(Country::parse)
        .zip(store.region.as_deref())
        .and_then(|(country, region)| region_time_zone(country, region))
        .unwrap_or(DEFAULT_TIME_ZONE)
}

/// The currency the store's revenue is in: the one most of its recent orders are in (a store
/// sells in one in practice: Shopify totals an order in the shop's currency, WooCommerce has
/// one store currency), else, before its first order, its country's.
pub fn revenue_currency(conn: &mut DbConn, store: &db::stores::StoreRow) -> AppResult<String> {
    let usual = db::stats::usual_order_currency(conn, store.id)?;
    Ok(usual.unwrap_or_else(|| {
        country_currency(store.country.as_deref().and_then(Country::parse)).to_owned()
    }))
}

/// A store that has not said where it is counts as a US one.
fn country_currency(country: Option<Country>) -> &'static str {
    match country {
        Some(Country::Ca) => "CAD",
        Some(Country::Us) | None => "USD",
    }
}

fn local_day(at: NaiveDateTime, zone: Tz) -> NaiveDate {
    Utc.from_utc_datetime(&at).with_timezone(&zone).date_naive()
}

/// The store's figures for the period the query names.
pub fn report(
    conn: &mut DbConn,
    store_id: i64,
    query: &StatsQuery,
    prices: &Prices,
    now: NaiveDateTime,
) -> AppResult<StatsDto> {
    let store = db::stores::find(conn, store_id)?;
    let zone = zone_of(&store);
    let today = local_day(now, zone);
    let (from, to) = period(query, today)?;
    let granularity = query.granularity.unwrap_or_default();
    let previous_from = from - Duration::days((to - from).num_days() + 1);

    let revenue_currency = revenue_currency(conn, &store)?;

    let days = db::stats::days(conn, store_id, previous_from, to)?;
    let revenues = db::stats::day_revenues(conn, store_id, previous_from, to)?;
    let rows = days
        .iter()
        .map(|row| (row.day, row.campaign_id, figures_of(&row.sums, prices)))
        .chain(revenues.iter().map(|r| {
            let figures = revenue_figures(r, &revenue_currency);
            (r.day, r.campaign_id, figures)
        }));
    let mut totals = Figures::default();
    let mut previous = Figures::default();
    let mut buckets: HashMap<NaiveDate, Figures> = HashMap::new();
    let mut by_campaign: HashMap<i64, Figures> = HashMap::new();
    for (day, campaign_id, figures) in rows {
        if day < from {
            previous.add(&figures);
            continue;
        }
        totals.add(&figures);
        buckets
            .entry(bucket_of(day, granularity))
            .or_default()
            .add(&figures);
        if campaign_id != NO_CAMPAIGN {
            by_campaign.entry(campaign_id).or_default().add(&figures);
        }
    }
    let series = bucket_starts(from, to, granularity)
        .map(|start| StatsPoint {
            start,
            figures: buckets.remove(&start).unwrap_or_default().with_rates(),
        })
        .collect();
    let campaigns = db::campaigns::list(conn, store_id, None, i64::MAX)?
        .into_iter()
        .map(|c| CampaignFigures {
            campaign_id: c.id,
            kind: CampaignKind::ALL
                .into_iter()
                .find(|k| k.as_str() == c.kind)
                .unwrap_or(CampaignKind::AbandonedCart),
            name: c.name,
            figures: by_campaign.remove(&c.id).unwrap_or_default().with_rates(),
        })
        .collect();
    Ok(StatsDto {
        from,
        to,
        granularity,
        time_zone: zone.name().to_owned(),
        currency: prices.currency.clone(),
        revenue_currency,
        totals: totals.with_rates(),
        previous: previous.with_rates(),
        series,
        campaigns,
    })
}

fn period(query: &StatsQuery, today: NaiveDate) -> AppResult<(NaiveDate, NaiveDate)> {
    // Dates at the calendar's edges would overflow the arithmetic of periods and buckets.
    let in_calendar = |field: &str, date: NaiveDate| {
        if (1970..=9999).contains(&date.year()) {
            Ok(date)
        } else {
            Err(AppError::invalid(field, "Give a date from 1970 to 9999."))
        }
    };
    let to = in_calendar("to", query.to.unwrap_or(today))?;
    let from = match query.from {
        Some(from) => in_calendar("from", from)?,
        None => to - Duration::days(DEFAULT_DAYS - 1),
    };
    if from > to {
        return Err(AppError::invalid("from", "`from` must not be after `to`."));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(AppError::invalid(
            "from",
            format!("A period is at most {MAX_DAYS} days."),
        ));
    }
    Ok((from, to))
}

fn figures_of(row: &Sums, prices: &Prices) -> Figures {
    let count = |n: i64| u64::try_from(n).unwrap_or_default();
    Figures {
        messages_sent: count(row.sent),
        delivered: count(row.delivered),
        failed: count(row.failed),
        segments: count(row.segments),
        clicks: count(row.clicks),
        replies: count(row.replies),
        opt_outs: count(row.opt_outs),
        carts_abandoned: count(row.carts_abandoned),
        carts_recovered: count(row.carts_recovered),
        orders: count(row.orders),
        sms_charges_micros: row.segments.saturating_mul(prices.per_segment_micros),
        ..Figures::default()
    }
}

/// A day's revenue in one currency: the revenue recovered when it is the store's currency,
/// else beside it.
fn revenue_figures(revenue: &DayRevenue, revenue_currency: &str) -> Figures {
    let mut figures = Figures::default();
    if revenue.currency == revenue_currency {
        figures.revenue_recovered_cents = revenue.cents;
    } else {
        figures.add_other_currency(&revenue.currency, revenue.cents);
    }
    figures
}

/// The UTC time the local `day` begins at in `zone` (the earliest, on a day with a gap).
fn start_of(day: NaiveDate, zone: Tz) -> NaiveDateTime {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&midnight)
        .earliest()
        // No zone this app knows skips midnight; if one did, 1 a.m. exists.
        .or_else(|| {
            zone.from_local_datetime(&(midnight + Duration::hours(1)))
                .earliest()
        })
        .map_or(midnight, |at| at.naive_utc())
}

fn hour_of(at: NaiveDateTime) -> NaiveDateTime {
    at.date().and_hms_opt(at.hour(), 0, 0).unwrap_or(at)
}

fn bucket_of(day: NaiveDate, granularity: Granularity) -> NaiveDate {
    match granularity {
        Granularity::Day => day,
        Granularity::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
    }
}

fn bucket_starts(
    from: NaiveDate,
    to: NaiveDate,
    granularity: Granularity,
) -> impl Iterator<Item = NaiveDate> {
    let step = match granularity {
        Granularity::Day => 1,
        Granularity::Week => 7,
    };
    let first = bucket_of(from, granularity);
    (0..)
        .map(move |i| first + Duration::days(i * step))
        .take_while(move |start| *start <= to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_cover_the_period() {
        // 2026-12-02 is a Wednesday.
        assert_eq!(
            bucket_of(date("2026-12-02"), Granularity::Week),
            date("2026-11-30")
        );
        let weeks: Vec<_> =
            bucket_starts(date("2026-12-02"), date("2026-12-14"), Granularity::Week).collect();
        assert_eq!(
            weeks,
            [date("2026-11-30"), date("2026-12-07"), date("2026-12-14")]
        );
        assert_eq!(
            bucket_starts(date("2026-12-02"), date("2026-12-04"), Granularity::Day).count(),
            3
        );
    }

    #[test]
    fn a_store_without_orders_counts_in_its_countrys_currency() {
        assert_eq!(country_currency(Some(Country::Ca)), "CAD");
        assert_eq!(country_currency(Some(Country::Us)), "USD");
        assert_eq!(country_currency(None), "USD");
    }

    #[test]
    fn local_days_begin_at_local_midnight() {
        let zone = Tz::America__Los_Angeles;
        assert_eq!(
            start_of(date("2026-07-01"), zone),
            date("2026-07-01").and_hms_opt(7, 0, 0).unwrap()
        );
        assert_eq!(
            start_of(date("2026-12-01"), zone),
            date("2026-12-01").and_hms_opt(8, 0, 0).unwrap()
        );
    }

    #[test]
    fn periods_default_to_thirty_days_and_are_bounded() {
        let today = date("2026-12-04");
        assert_eq!(
            period(&StatsQuery::default(), today).unwrap(),
            (date("2026-11-05"), today)
        );
        let backwards = StatsQuery {
            from: Some(date("2026-12-05")),
            to: Some(today),
            ..StatsQuery::default()
        };
        assert!(period(&backwards, today).is_err());
        let too_long = StatsQuery {
            from: Some(date("2024-01-01")),
            to: Some(today),
            ..StatsQuery::default()
        };
        assert!(period(&too_long, today).is_err());
    }
}
