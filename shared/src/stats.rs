//! The results dashboard: what texts achieved over a period, in the store's time zone.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::templates::CampaignKind;

/// The longest period one request may cover.
pub const MAX_DAYS: i64 = 366;
/// The period when none is given: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    #[default]
    Day,
    /// Weeks start on Monday.
    Week,
}

/// `GET /api/v1/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// The first day, in the store's time zone (default: 29 days before `to`).
    pub from: Option<NaiveDate>,
    /// The last day, included (default: today in the store's time zone).
    pub to: Option<NaiveDate>,
    pub granularity: Option<Granularity>,
}

/// What texts achieved. Texts count when written, clicks at the first click, replies and
/// opt-outs when they came (for the campaign whose text the customer got within the day
/// before), carts when abandoned, orders and revenue when placed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub messages_sent: u64,
    pub delivered: u64,
    pub failed: u64,
    pub segments: u64,
    /// Texts whose link was clicked.
    pub clicks: u64,
    pub replies: u64,
    /// Customers who told us to stop: by a keyword (STOP, …) or a reply asking for no more
    /// texts, or through their carrier. Numbers the merchant puts on the do-not-text list (one by
    /// one or a pasted list) are not counted; neither is a box left unticked at checkout. Campaign
    /// results' `opted_out` counts the same.
    pub opt_outs: u64,
    /// Opt-outs per text sent (0 to 1).
    pub opt_out_rate: f64,
    pub carts_abandoned: u64,
    /// Abandoned carts whose order is credited to a text.
    pub carts_recovered: u64,
    /// Carts recovered per cart abandoned (0 to 1).
    pub recovery_rate: f64,
    /// Orders credited to a text (the last one clicked within 7 days, else the last one sent
    /// within 24 hours).
    pub orders: u64,
    /// The totals of those orders in `StatsDto::revenue_currency`, in its minor units (cents).
    /// Orders in other currencies count in `orders`, but their totals are in
    /// `revenue_other_currencies`, never added here (campaign results leave them out).
    pub revenue_recovered_cents: i64,
    /// The totals of those orders in each other currency (a store selling in several, or one
    /// that changed currency), by currency code; empty for a store selling in one.
    pub revenue_other_currencies: Vec<CurrencyAmount>,
    /// What the texts cost: segments at the per-segment price, in millionths of
    /// `StatsDto::currency`.
    pub sms_charges_micros: i64,
}

/// An amount of money in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrencyAmount {
    /// ISO 4217 code.
    #[cfg_attr(feature = "openapi", schema(example = "CAD"))]
    pub currency: String,
    /// In the currency's minor units (cents).
    pub cents: i64,
}

/// One day or week of the series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsPoint {
    /// The day, or the Monday of the week.
    pub start: NaiveDate,
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignFigures {
    pub campaign_id: i64,
    pub name: String,
    pub kind: CampaignKind,
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatsDto {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub granularity: Granularity,
    /// The store's time zone, which days begin and end in.
    #[cfg_attr(feature = "openapi", schema(example = "America/New_York"))]
    pub time_zone: String,
    /// Of the SMS charges: the price list's.
    #[cfg_attr(feature = "openapi", schema(example = "USD"))]
    pub currency: String,
    /// Of the revenue recovered: the store's, the one most of its recent orders are in (its
    /// country's until it has orders: CAD in Canada, else USD). Revenue in other currencies is
    /// listed apart, in each figure's `revenue_other_currencies`.
    #[cfg_attr(feature = "openapi", schema(example = "CAD"))]
    pub revenue_currency: String,
    pub totals: Figures,
    /// The same number of days just before `from`, for comparison.
    pub previous: Figures,
    pub series: Vec<StatsPoint>,
    /// Every campaign of the store, with what it achieved in the period.
    pub campaigns: Vec<CampaignFigures>,
}

impl Figures {
    /// The rates, from the counts.
    pub fn with_rates(mut self) -> Self {
        let ratio = |part: u64, whole: u64| {
            if whole == 0 {
                0.0
            } else {
                part as f64 / whole as f64
            }
        };
        self.opt_out_rate = ratio(self.opt_outs, self.messages_sent);
        self.recovery_rate = ratio(self.carts_recovered, self.carts_abandoned);
        self
    }

    /// Adds `other`'s counts (rates are recomputed by `with_rates`).
    pub fn add(&mut self, other: &Figures) {
        self.messages_sent += other.messages_sent;
        self.delivered += other.delivered;
        self.failed += other.failed;
        self.segments += other.segments;
        self.clicks += other.clicks;
        self.replies += other.replies;
        self.opt_outs += other.opt_outs;
        self.carts_abandoned += other.carts_abandoned;
        self.carts_recovered += other.carts_recovered;
        self.orders += other.orders;
        self.revenue_recovered_cents += other.revenue_recovered_cents;
        for amount in &other.revenue_other_currencies {
            self.add_other_currency(&amount.currency, amount.cents);
        }
        self.sms_charges_micros += other.sms_charges_micros;
    }

    /// Adds `cents` of `currency` to `revenue_other_currencies`, to the same currency only.
    pub fn add_other_currency(&mut self, currency: &str, cents: i64) {
        let others = &mut self.revenue_other_currencies;
        match others.binary_search_by(|a| a.currency.as_str().cmp(currency)) {
            Ok(i) => others[i].cents += cents,
            Err(i) => others.insert(
                i,
                CurrencyAmount {
                    currency: currency.to_owned(),
                    cents,
                },
            ),
        }
    }
}

/// The change from `before` to `now` as a fraction (0.25 is +25%); `None` when there was
/// nothing before to compare with.
pub fn change(now: f64, before: f64) -> Option<f64> {
    (before != 0.0).then(|| (now - before) / before)
}

/// A round number at or above `max` for the top of a chart's scale: 1, 2, 2.5 or 5 times a
/// power of ten (at least 1, so an empty chart still has a scale).
pub fn nice_ceiling(max: f64) -> f64 {
    if max.is_nan() || max <= 1.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|top| *top >= max)
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_come_from_the_counts_and_survive_empty_periods() {
        let figures = Figures {
            messages_sent: 200,
            opt_outs: 3,
            carts_abandoned: 40,
            carts_recovered: 6,
            ..Figures::default()
        }
        .with_rates();
        assert!((figures.opt_out_rate - 0.015).abs() < 1e-12);
        assert!((figures.recovery_rate - 0.15).abs() < 1e-12);
        let empty = Figures::default().with_rates();
        assert_eq!((empty.opt_out_rate, empty.recovery_rate), (0.0, 0.0));
    }

    #[test]
    fn other_currencies_add_up_each_apart_from_the_revenue() {
        let mut total = Figures {
            revenue_recovered_cents: 10_000,
            ..Figures::default()
        };
        let mut day = Figures::default();
        day.add_other_currency("USD", 2_200);
        day.add_other_currency("EUR", 500);
        total.add(&day);
        total.add(&day);
        assert_eq!(total.revenue_recovered_cents, 10_000);
        let amount = |currency: &str, cents| CurrencyAmount {
            currency: currency.to_owned(),
            cents,
        };
        assert_eq!(
            total.revenue_other_currencies,
            [amount("EUR", 1_000), amount("USD", 4_400)]
        );
    }

    #[test]
    fn scales_end_on_round_numbers() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(180.0), 200.0);
        assert_eq!(nice_ceiling(2_100.0), 2_500.0);
        assert_eq!(nice_ceiling(4_000.0), 5_000.0);
        assert_eq!(nice_ceiling(1_000.0), 1_000.0);
    }

    #[test]
    fn change_against_nothing_is_unknown() {
        assert_eq!(change(5.0, 4.0), Some(0.25));
        assert_eq!(change(5.0, 0.0), None);
    }
}
