//! When a marketing text may go out: only in the recipient's local daytime (TCPA and the
//! states' "mini-TCPA" laws).
//!
//! The recipient's whereabouts come from their number's area code. That is where the number
//! was assigned, not where the person is now, but Florida (Fla. Stat. 501.059) and Oklahoma
//! presume exactly that, so it is also what a complaint would argue.
//!
//! The window is our default 8:00–20:00 local (federal TCPA allows 8:00–21:00), narrowed by
//! the rules of the area code's state(s), and it must hold in *every* time zone the area code
//! may be in: a text goes out only when it is daytime everywhere the recipient could be.
//!
//! A US or Canadian shipping state or province, when an order gave one, narrows this and
//! never widens it ([`Recipient::locate`]): its rules apply on top of the area code's and its
//! zones join the area code's. The address may be a gift's, and the area code is still what
//! Florida and Oklahoma presume.
//!
//! State rules are those of `tests/fixtures/us-state-texting-hours.json`, compiled from vendor
//! compliance tables and statute excerpts that disagree in places. Where a source conflicts
//! or is uncertain, the stricter reading is encoded (each case says so below), so a window
//! here can be narrower than the law. Transactional messages (order and shipping updates)
//! are not telephone solicitations; which messages go through this check is the caller's
//! decision.
//!
//! Canadian numbers and US territories get the default window: the fixture has no rules
//! for them.
//!
//! Times are taken as parameters: nothing here reads the clock. [`window_for`] is cheap to
//! call from the SPA; anything that converts to local time ([`is_allowed`], [`next_allowed`],
//! [`time_zones`]) links in chrono-tz's whole zone database, about 0.9 MB of wasm.

use std::sync::OnceLock;

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc, Weekday,
};
pub use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::nanp;
use crate::numbers::Country;
use crate::phone::Phone;

/// 47 CFR 64.1200(c)(1): no telephone solicitation before 8 a.m. or after 9 p.m. local time.
pub const FEDERAL_HOURS: Hours = Hours::new(8, 21);

/// Our default, an hour short of the federal limit: the common vendor practice, and already
/// the law in several states.
pub const DEFAULT_HOURS: Hours = Hours::new(8, 20);

/// How far ahead [`Window::next_allowed`] looks. The longest closed stretch encoded is a
/// few days (e.g. Saturday afternoon, Sunday and a Monday holiday in Pennsylvania).
const SEARCH_DAYS: u64 = 14;

/// A span of local clock hours on one day: from `start_hour`:00 up to, not including,
/// `end_hour`:00 (`20` means the last text goes out before 20:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hours {
    pub start_hour: u32,
    pub end_hour: u32,
}

impl Hours {
    pub const fn new(start_hour: u32, end_hour: u32) -> Hours {
        Hours {
            start_hour,
            end_hour,
        }
    }

    /// The hours both allow; `None` when they do not overlap.
    pub fn intersect(self, other: Hours) -> Option<Hours> {
        let start_hour = self.start_hour.max(other.start_hour);
        let end_hour = self.end_hour.min(other.end_hour);
        (start_hour < end_hour).then_some(Hours {
            start_hour,
            end_hour,
        })
    }

    pub fn contains(self, local: NaiveDateTime) -> bool {
        (self.start_hour..self.end_hour).contains(&local.hour())
    }
}

/// When marketing texts may go out, in the recipient's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Window {
    /// Allowed hours by weekday, Monday first; `None` closes the whole day.
    pub days: [Option<Hours>; 7],
    /// States (USPS codes) whose legal holidays close the whole day; see [`restricted_holiday`].
    pub holiday_calendars: Vec<String>,
}

impl Window {
    pub fn every_day(hours: Hours) -> Window {
        Window {
            days: [Some(hours); 7],
            holiday_calendars: Vec::new(),
        }
    }

    fn by_day(mon_fri: Hours, sat: Option<Hours>, sun: Option<Hours>) -> Window {
        let f = Some(mon_fri);
        Window {
            days: [f, f, f, f, f, sat, sun],
            holiday_calendars: Vec::new(),
        }
    }

    /// Allowed hours on `weekday`, ignoring holidays.
    pub fn hours(&self, weekday: Weekday) -> Option<Hours> {
        self.days[weekday.num_days_from_monday() as usize]
    }

    /// Allowed hours on a local date: `None` on a closed weekday or a restricted holiday.
    pub fn hours_on(&self, date: NaiveDate) -> Option<Hours> {
        if self
            .holiday_calendars
            .iter()
            .any(|state| restricted_holiday(state, date).is_some())
        {
            return None;
        }
        self.hours(date.weekday())
    }

    /// Whether a local wall-clock time is inside the window.
    pub fn is_open(&self, local: NaiveDateTime) -> bool {
        self.hours_on(local.date())
            .is_some_and(|hours| hours.contains(local))
    }

    /// What both windows allow: the narrower hours each day, and both holiday calendars.
    pub fn intersect(&self, other: &Window) -> Window {
        let mut days = [None; 7];
        for (i, day) in days.iter_mut().enumerate() {
            *day = self.days[i]
                .zip(other.days[i])
                .and_then(|(a, b)| a.intersect(b));
        }
        let mut holiday_calendars = self.holiday_calendars.clone();
        for state in &other.holiday_calendars {
            if !holiday_calendars.contains(state) {
                holiday_calendars.push(state.clone());
            }
        }
        holiday_calendars.sort();
        Window {
            days,
            holiday_calendars,
        }
    }

    /// Whether `at` is inside the window in every one of `zones` (and there is at least one).
    pub fn allows(&self, zones: &[Tz], at: DateTime<Utc>) -> bool {
        !zones.is_empty()
            && zones
                .iter()
                .all(|tz| self.is_open(at.with_timezone(tz).naive_local()))
    }

    /// `at` if the window allows it in every zone, else the first later instant that it does.
    /// `None` without zones, or if nothing opens within two weeks.
    pub fn next_allowed(&self, zones: &[Tz], at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.allows(zones, at) {
            return Some(at);
        }
        // The window, held in every zone, can only open when one zone's own window opens:
        // windows never span midnight or a DST change, so each zone's day starts are the only
        // candidates.
        let mut starts: Vec<DateTime<Utc>> = zones
            .iter()
            .flat_map(|tz| {
                let today = at.with_timezone(tz).date_naive();
                (0..=SEARCH_DAYS).filter_map(move |offset| {
                    let date = today.checked_add_days(Days::new(offset))?;
                    let hours = self.hours_on(date)?;
                    local_to_utc(tz, date.and_hms_opt(hours.start_hour, 0, 0)?)
                })
            })
            .filter(|start| *start > at)
            .collect();
        starts.sort();
        starts.into_iter().find(|start| self.allows(zones, *start))
    }
}

/// The instant a local time names; a time inside a spring-forward gap (none of ours are)
/// is taken as the moment the clocks have jumped past it.
fn local_to_utc(tz: &Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// The window for texts to an area code: our default, narrowed by the rules of each state the
/// area code belongs to. Unknown area codes and non-US ones get the default.
pub fn window_for(area_code: u16) -> Window {
    area_code_rules(area_code, base_window())
}

/// The window for texts to a US state: our default narrowed by the state's own rules.
pub fn window_for_state(state: &str) -> Window {
    state_rules(state, base_window())
}

/// `base` narrowed by the rules of each US state the area code belongs to.
fn area_code_rules(area_code: u16, base: Window) -> Window {
    let Some(code) = nanp::lookup(area_code).filter(|a| a.country == Country::Us) else {
        return base;
    };
    code.regions
        .iter()
        .filter_map(|state| state_rule(state))
        .fold(base, |window, rule| window.intersect(&rule))
}

fn state_rules(state: &str, base: Window) -> Window {
    match state_rule(&state.trim().to_ascii_uppercase()) {
        Some(rule) => base.intersect(&rule),
        None => base,
    }
}

/// Our default, never wider than the federal rule.
fn base_window() -> Window {
    Window::every_day(DEFAULT_HOURS).intersect(&law_window())
}

/// The widest the law allows anywhere: the federal rule.
fn law_window() -> Window {
    Window::every_day(FEDERAL_HOURS)
}

/// Every time zone an area code may be in (empty for an unknown area code).
///
/// From the `tz_all` column of `shared/data/nanp-area-codes-us-ca.csv` (libphonenumber's
/// prefix → zone data), not only the primary zone: e.g. 850 (Florida panhandle) is both
/// Central and Eastern, 928 (Arizona) includes the Navajo Nation, which keeps DST.
/// libphonenumber lists `America/Puerto_Rico` for parts of Newfoundland and Labrador (709,
/// 879) where Labrador actually keeps `America/Goose_Bay` time; both are kept, which can only
/// narrow the window.
pub fn time_zones(area_code: u16) -> &'static [Tz] {
    static ZONES: OnceLock<Vec<(u16, Vec<Tz>)>> = OnceLock::new();
    ZONES
        .get_or_init(parse_zones)
        .iter()
        .find(|(code, _)| *code == area_code)
        .map_or(&[], |(_, zones)| zones.as_slice())
}

/// The time zone a store in `region` (a state or province code) keeps: the main zone of most
/// of the region's area codes (Indiana and Kentucky are Eastern, though an area code of each
/// reaches into Central). `None` for a region we do not know.
pub fn region_time_zone(country: Country, region: &str) -> Option<Tz> {
    let mut counted: Vec<(Tz, usize)> = Vec::new();
    for code in nanp::in_region(country, region) {
        let Ok(tz) = code.time_zone.parse::<Tz>() else {
            continue;
        };
        match counted.iter_mut().find(|(zone, _)| *zone == tz) {
            Some((_, count)) => *count += 1,
            None => counted.push((tz, 1)),
        }
    }
    // The first of the most common, so a tie goes to the lowest area code.
    let most = counted.iter().map(|(_, count)| *count).max()?;
    counted
        .into_iter()
        .find(|(_, count)| *count == most)
        .map(|(tz, _)| tz)
}

const NANP_TABLE: &str = include_str!("../data/nanp-area-codes-us-ca.csv");

fn parse_zones() -> Vec<(u16, Vec<Tz>)> {
    NANP_TABLE
        .lines()
        .skip(1)
        .filter_map(|line| {
            let code: u16 = line.split(',').next()?.parse().ok()?;
            // Only the label column is quoted (it may hold commas), so count from the end:
            // `…,tz_all,multi_tz`.
            let tz_all = line.rsplit(',').nth(1)?;
            let mut zones: Vec<Tz> = Vec::new();
            for tz in tz_all.split('|').filter_map(|z| z.parse().ok()) {
                push_new(&mut zones, tz);
            }
            if let Some(entry) = nanp::lookup(code) {
                if let Ok(tz) = entry.time_zone.parse() {
                    push_new(&mut zones, tz);
                }
                if entry.regions.iter().any(|r| r == "NL")
                    && zones.contains(&Tz::America__Puerto_Rico)
                {
                    push_new(&mut zones, Tz::America__Goose_Bay);
                }
            }
            Some((code, zones))
        })
        .collect()
}

fn push_new(zones: &mut Vec<Tz>, tz: Tz) {
    if !zones.contains(&tz) {
        zones.push(tz);
    }
}

/// Whether a marketing text to `area_code` may go out at `at`. `false` for an unknown area
/// code: without a place there is no local time to respect.
pub fn is_allowed_for_area_code(area_code: u16, at: DateTime<Utc>) -> bool {
    window_for(area_code).allows(time_zones(area_code), at)
}

/// `at` if allowed, else the start of the next allowed window for `area_code`.
pub fn next_allowed_for_area_code(area_code: u16, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    window_for(area_code).next_allowed(time_zones(area_code), at)
}

/// Where a marketing text's recipient is taken to be, and when they may be texted there.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    /// Our default hours within the law where the recipient is.
    pub window: Window,
    /// What the law allows there (federal and state rules): the most a store may choose.
    pub law: Window,
    /// Every zone the recipient may be in; the window must be open in all of them.
    pub zones: Vec<Tz>,
}

impl Recipient {
    /// From the number's area code: its states' rules, in every zone it may be in. A known US
    /// or Canadian shipping state or province narrows that, never widens it: its rules apply
    /// too and its zones are added, since a shipping address may be a gift's and Florida and
    /// Oklahoma presume the area code. `shipping_region` must be a US state or Canadian
    /// province code (callers drop other countries' regions); anything else is ignored.
    /// `None` for a number that is not a US or Canadian one.
    pub fn locate(phone: &str, shipping_region: Option<&str>) -> Option<Recipient> {
        let area_code = Phone::parse(phone).ok()?.area_code();
        let mut recipient = Recipient {
            window: area_code_rules(area_code, base_window()),
            law: area_code_rules(area_code, law_window()),
            zones: time_zones(area_code).to_vec(),
        };
        let region = shipping_region.map(str::trim).unwrap_or_default();
        let known = [Country::Us, Country::Ca].into_iter().find_map(|country| {
            let codes = nanp::in_region(country, region);
            (!region.is_empty() && !codes.is_empty()).then_some((country, codes))
        });
        if let Some((country, codes)) = known {
            for tz in codes.iter().flat_map(|a| time_zones(a.code)) {
                push_new(&mut recipient.zones, *tz);
            }
            if country == Country::Us {
                recipient.window = state_rules(region, recipient.window);
                recipient.law = state_rules(region, recipient.law);
            }
        }
        Some(recipient)
    }

    /// The same recipient under a store's own hours, which replace our default but never go
    /// past what the law allows there.
    pub fn narrowed(mut self, store_hours: Option<Hours>) -> Recipient {
        if let Some(hours) = store_hours {
            self.window = self.law.intersect(&Window::every_day(hours));
        }
        self
    }

    /// `at` if a marketing text may go out then, else the next time it may; `None` if
    /// nothing opens within two weeks.
    pub fn next_allowed(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.window.next_allowed(&self.zones, at)
    }
}

/// Whether a marketing text to `phone` (E.164 or any form [`Phone::parse`] takes) may go out
/// at `at`. `false` for a number that is not a US or Canadian one.
pub fn is_allowed(phone: &str, at: DateTime<Utc>) -> bool {
    Phone::parse(phone).is_ok_and(|p| is_allowed_for_area_code(p.area_code(), at))
}

/// `at` if a marketing text to `phone` may go out then, else the start of the next allowed
/// window (DST, closed weekdays and holidays included). `None` for a number that is not a US
/// or Canadian one.
pub fn next_allowed(phone: &str, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let phone = Phone::parse(phone).ok()?;
    next_allowed_for_area_code(phone.area_code(), at)
}

/// States whose rules close marketing on legal holidays.
const HOLIDAY_STATES: [&str; 6] = ["AL", "LA", "MS", "PA", "RI", "UT"];

/// A state's own rules, as the fixture gives them (before our default narrows them).
fn state_rule(state: &str) -> Option<Window> {
    let h = Hours::new;
    let mut window = match state {
        // FL: Fla. Stat. 501.616(6)(a) (SB 1120, 2021), statute text seen. OK: Telephone
        // Solicitation Act of 2022. MD: Stop the Spam Calls Act (2024), covers texts.
        // WA: RCW 80.36.390 per vendors. MA: vendor table.
        "FL" | "OK" | "MD" | "WA" | "MA" => Window::every_day(h(8, 20)),
        // Sources conflict (8–20, 9–20, 9–21): the strictest, 9–20.
        "CT" => Window::every_day(h(9, 20)),
        // Sources conflict (8–21, 8–20): the stricter, 8–20.
        "NJ" => Window::every_day(h(8, 20)),
        // SB 140 (2025) per a vendor page: Monday–Saturday 9–21, Sunday 12–21.
        "TX" => Window::by_day(h(9, 21), Some(h(9, 21)), Some(h(12, 21))),
        // Weekdays 9–18, weekends 10–17, no calls on legal holidays.
        "RI" => Window::by_day(h(9, 18), Some(h(10, 17)), Some(h(10, 17))),
        // 8–20, no Sunday calls. The fixture gives no holiday rule for MS, but the
        // restricted-call-date lists it cites for AL/LA/RI (dnc.com) include Mississippi:
        // closed on holidays too.
        "MS" => Window::by_day(h(8, 20), Some(h(8, 20)), None),
        // AL: the rule may only bind telephone utilities (dnc.com); LA: exempts prior consent
        // in statute but not in the PSC order. Applied as written either way.
        "AL" | "LA" => Window::by_day(h(8, 20), Some(h(8, 20)), None),
        // Holidays only; exempts calls with prior express consent, applied regardless.
        "UT" => Window::every_day(FEDERAL_HOURS),
        "KY" => Window::every_day(h(10, 21)),
        "MI" | "MN" | "NM" => Window::every_day(h(9, 21)),
        "NV" => Window::every_day(h(9, 20)),
        // Vendor table: Monday–Friday 8–21, Saturday 8–12 "as printed", no calls on holidays.
        // Saturday 8–12 is kept: Pennsylvania law makes every Saturday afternoon a legal
        // half-holiday (44 P.S. § 11), which explains it. The table gives no Sunday hours;
        // the stricter reading is no Sunday texts.
        "PA" => Window::by_day(h(8, 21), Some(h(8, 12)), None),
        _ => return None,
    };
    if HOLIDAY_STATES.contains(&state) {
        window.holiday_calendars.push(state.to_owned());
    }
    Some(window)
}

/// The legal holiday on which `state` forbids marketing texts, if `date` is one.
///
/// Every state that closes on holidays gets the federal legal holidays (5 U.S.C. 6103) plus
/// its own, as listed by the restricted-call-date calendars the fixture cites. A fixed-date
/// holiday that falls on a weekend closes both its date and the weekday it is observed on
/// (Friday before a Saturday, Monday after a Sunday), since states differ on which. Days
/// proclaimed by a governor for one year only (Louisiana does this) are not known here.
pub fn restricted_holiday(state: &str, date: NaiveDate) -> Option<&'static str> {
    let state = state.trim().to_ascii_uppercase();
    if !HOLIDAY_STATES.contains(&state.as_str()) {
        return None;
    }
    FEDERAL_HOLIDAYS
        .iter()
        .chain(state_holidays(&state))
        .find(|holiday| holiday.rule.falls_on(date))
        .map(|holiday| holiday.name)
}

struct Holiday {
    name: &'static str,
    rule: HolidayRule,
}

enum HolidayRule {
    /// Month, day; also closes the observed weekday when it falls on a weekend.
    Fixed(u32, u32),
    /// The `n`th given weekday of a month.
    Nth(u32, Weekday, u8),
    /// The last given weekday of a month.
    Last(u32, Weekday),
    /// Days from (Western) Easter Sunday: −47 Mardi Gras, −2 Good Friday.
    Easter(i64),
    /// Days after the fourth Thursday of November.
    AfterThanksgiving(u64),
    /// The Tuesday after the first Monday of November.
    ElectionDay,
}

impl HolidayRule {
    fn falls_on(&self, date: NaiveDate) -> bool {
        let year = date.year();
        match *self {
            // A 1 January that falls on a Saturday is observed on 31 December before it.
            HolidayRule::Fixed(month, day) => [year, year + 1].into_iter().any(|y| {
                NaiveDate::from_ymd_opt(y, month, day)
                    .is_some_and(|actual| date == actual || date == observed(actual))
            }),
            HolidayRule::Nth(month, weekday, n) => {
                NaiveDate::from_weekday_of_month_opt(year, month, weekday, n) == Some(date)
            }
            HolidayRule::Last(month, weekday) => last_weekday(year, month, weekday) == Some(date),
            HolidayRule::Easter(offset) => {
                easter(year).and_then(|e| e.checked_add_signed(chrono::Duration::days(offset)))
                    == Some(date)
            }
            HolidayRule::AfterThanksgiving(days) => {
                NaiveDate::from_weekday_of_month_opt(year, 11, Weekday::Thu, 4)
                    .and_then(|t| t.checked_add_days(Days::new(days)))
                    == Some(date)
            }
            HolidayRule::ElectionDay => {
                NaiveDate::from_weekday_of_month_opt(year, 11, Weekday::Mon, 1)
                    .and_then(|m| m.checked_add_days(Days::new(1)))
                    == Some(date)
            }
        }
    }
}

/// The weekday a weekend holiday is observed on.
fn observed(actual: NaiveDate) -> NaiveDate {
    match actual.weekday() {
        Weekday::Sat => actual.pred_opt().unwrap_or(actual),
        Weekday::Sun => actual.succ_opt().unwrap_or(actual),
        _ => actual,
    }
}

fn last_weekday(year: i32, month: u32, weekday: Weekday) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let mut day = NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()?;
    while day.weekday() != weekday {
        day = day.pred_opt()?;
    }
    Some(day)
}

/// Western Easter Sunday (the anonymous Gregorian algorithm).
fn easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

const fn fixed(name: &'static str, month: u32, day: u32) -> Holiday {
    Holiday {
        name,
        rule: HolidayRule::Fixed(month, day),
    }
}

const fn nth(name: &'static str, month: u32, weekday: Weekday, n: u8) -> Holiday {
    Holiday {
        name,
        rule: HolidayRule::Nth(month, weekday, n),
    }
}

const FEDERAL_HOLIDAYS: &[Holiday] = &[
    fixed("New Year's Day", 1, 1),
    nth("Martin Luther King Jr. Day", 1, Weekday::Mon, 3),
    nth("Washington's Birthday", 2, Weekday::Mon, 3),
    Holiday {
        name: "Memorial Day",
        rule: HolidayRule::Last(5, Weekday::Mon),
    },
    fixed("Juneteenth", 6, 19),
    fixed("Independence Day", 7, 4),
    nth("Labor Day", 9, Weekday::Mon, 1),
    nth("Columbus Day", 10, Weekday::Mon, 2),
    fixed("Veterans Day", 11, 11),
    nth("Thanksgiving Day", 11, Weekday::Thu, 4),
    fixed("Christmas Day", 12, 25),
];

const MARDI_GRAS: Holiday = Holiday {
    name: "Mardi Gras",
    rule: HolidayRule::Easter(-47),
};

const GOOD_FRIDAY: Holiday = Holiday {
    name: "Good Friday",
    rule: HolidayRule::Easter(-2),
};

/// State legal holidays beyond the federal ones that the restricted-call-date calendars list.
fn state_holidays(state: &str) -> &'static [Holiday] {
    match state {
        "AL" => ALABAMA_HOLIDAYS,
        "LA" => LOUISIANA_HOLIDAYS,
        "MS" => MISSISSIPPI_HOLIDAYS,
        "PA" => PENNSYLVANIA_HOLIDAYS,
        "RI" => RHODE_ISLAND_HOLIDAYS,
        "UT" => UTAH_HOLIDAYS,
        _ => &[],
    }
}

/// Mardi Gras is a holiday only in Baldwin and Mobile counties; an area code cannot tell
/// counties apart, so it applies statewide.
const ALABAMA_HOLIDAYS: &[Holiday] = &[
    nth("Confederate Memorial Day", 4, Weekday::Mon, 4),
    nth("Jefferson Davis's Birthday", 6, Weekday::Mon, 1),
    MARDI_GRAS,
    fixed("Rosa Parks Day", 12, 1),
];

const LOUISIANA_HOLIDAYS: &[Holiday] = &[
    fixed("Battle of New Orleans", 1, 8),
    fixed("Robert E. Lee Day", 1, 19),
    MARDI_GRAS,
    GOOD_FRIDAY,
    Holiday {
        name: "Day after Thanksgiving",
        rule: HolidayRule::AfterThanksgiving(1),
    },
];

const MISSISSIPPI_HOLIDAYS: &[Holiday] = &[Holiday {
    name: "Confederate Memorial Day",
    rule: HolidayRule::Last(4, Weekday::Mon),
}];

/// 44 P.S. § 11; its Saturday-afternoon half-holiday is the Saturday hours in [`state_rule`].
const PENNSYLVANIA_HOLIDAYS: &[Holiday] = &[
    GOOD_FRIDAY,
    fixed("Flag Day", 6, 14),
    Holiday {
        name: "Election Day",
        rule: HolidayRule::ElectionDay,
    },
];

const RHODE_ISLAND_HOLIDAYS: &[Holiday] = &[
    fixed("Rhode Island Independence Day", 5, 4),
    nth("Victory Day", 8, Weekday::Mon, 2),
];

const UTAH_HOLIDAYS: &[Holiday] = &[fixed("Pioneer Day", 7, 24)];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const FIXTURE: &str = include_str!("../../tests/fixtures/us-state-texting-hours.json");

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .with_timezone(&Utc)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// `phone` at a local wall-clock time in `tz`.
    fn allowed_local(phone: &str, tz: Tz, local: &str) -> bool {
        let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
        let at = tz.from_local_datetime(&naive).earliest().unwrap();
        is_allowed(phone, at.with_timezone(&Utc))
    }

    const NEW_YORK: &str = "+12125550123";
    const SAN_FRANCISCO: &str = "+14155550123";

    #[test]
    fn default_window_is_eight_to_eight_local() {
        // 2026-07-15 is a Wednesday; New York is UTC−4 in summer.
        assert!(!is_allowed(NEW_YORK, utc("2026-07-15T11:59:59Z")));
        assert!(is_allowed(NEW_YORK, utc("2026-07-15T12:00:00Z")));
        assert!(is_allowed(NEW_YORK, utc("2026-07-15T23:59:59Z")));
        assert!(!is_allowed(NEW_YORK, utc("2026-07-16T00:00:00Z")));
        assert_eq!(window_for(212), Window::every_day(Hours::new(8, 20)));
        assert_eq!(time_zones(212), [Tz::America__New_York]);
    }

    #[test]
    fn new_york_across_spring_forward_and_fall_back() {
        // 2026-03-08: clocks go from 02:00 EST (UTC−5) to 03:00 EDT (UTC−4).
        assert!(
            !is_allowed(NEW_YORK, utc("2026-03-08T11:59:00Z")),
            "07:59 EDT"
        );
        assert!(
            is_allowed(NEW_YORK, utc("2026-03-08T12:00:00Z")),
            "08:00 EDT"
        );
        assert!(
            is_allowed(NEW_YORK, utc("2026-03-08T23:59:00Z")),
            "19:59 EDT"
        );
        assert!(
            !is_allowed(NEW_YORK, utc("2026-03-09T00:00:00Z")),
            "20:00 EDT"
        );
        // The day before, still EST: 12:30 UTC is 07:30.
        assert!(!is_allowed(NEW_YORK, utc("2026-03-07T12:30:00Z")));
        assert_eq!(
            next_allowed(NEW_YORK, utc("2026-03-08T01:00:00Z")),
            Some(utc("2026-03-08T12:00:00Z")),
            "Saturday 20:00 EST → Sunday 08:00 EDT"
        );
        // 2026-11-01: clocks go from 02:00 EDT back to 01:00 EST (UTC−5).
        assert!(
            !is_allowed(NEW_YORK, utc("2026-11-01T12:30:00Z")),
            "07:30 EST"
        );
        assert_eq!(
            next_allowed(NEW_YORK, utc("2026-11-01T00:30:00Z")),
            Some(utc("2026-11-01T13:00:00Z")),
            "Saturday 20:30 EDT → Sunday 08:00 EST"
        );
        assert!(
            is_allowed(NEW_YORK, utc("2026-11-02T00:59:00Z")),
            "19:59 EST"
        );
        assert!(
            !is_allowed(NEW_YORK, utc("2026-11-02T01:00:00Z")),
            "20:00 EST"
        );
    }

    #[test]
    fn los_angeles_across_spring_forward_and_fall_back() {
        assert_eq!(time_zones(415), [Tz::America__Los_Angeles]);
        // 2026-03-08: PST (UTC−8) → PDT (UTC−7).
        assert!(!is_allowed(SAN_FRANCISCO, utc("2026-03-08T14:59:00Z")));
        assert!(is_allowed(SAN_FRANCISCO, utc("2026-03-08T15:00:00Z")));
        assert_eq!(
            next_allowed(SAN_FRANCISCO, utc("2026-03-08T10:00:00Z")),
            Some(utc("2026-03-08T15:00:00Z")),
            "02:00 PST, the hour that is skipped, → 08:00 PDT"
        );
        // 2026-11-01: PDT → PST.
        assert!(
            !is_allowed(SAN_FRANCISCO, utc("2026-11-01T15:30:00Z")),
            "07:30 PST"
        );
        assert!(
            is_allowed(SAN_FRANCISCO, utc("2026-11-01T16:00:00Z")),
            "08:00 PST"
        );
        assert!(
            is_allowed(SAN_FRANCISCO, utc("2026-11-02T03:59:00Z")),
            "19:59 PST"
        );
        assert_eq!(
            next_allowed(SAN_FRANCISCO, utc("2026-11-02T04:00:00Z")),
            Some(utc("2026-11-02T16:00:00Z"))
        );
    }

    #[test]
    fn arizona_keeps_standard_time_all_year() {
        let phoenix = "+16025550123";
        assert_eq!(time_zones(602), [Tz::America__Phoenix]);
        for day in ["2026-01-14", "2026-07-15"] {
            assert!(
                !is_allowed(phoenix, utc(&format!("{day}T14:59:00Z"))),
                "{day}"
            );
            assert!(
                is_allowed(phoenix, utc(&format!("{day}T15:00:00Z"))),
                "{day}"
            );
        }
        assert!(
            is_allowed(phoenix, utc("2026-07-16T02:59:00Z")),
            "19:59 MST"
        );
        assert!(
            !is_allowed(phoenix, utc("2026-07-16T03:00:00Z")),
            "20:00 MST"
        );
    }

    #[test]
    fn hawaii() {
        let honolulu = "+18085550123";
        assert_eq!(time_zones(808), [Tz::Pacific__Honolulu]);
        assert!(!is_allowed(honolulu, utc("2026-07-15T17:59:00Z")));
        assert!(is_allowed(honolulu, utc("2026-07-15T18:00:00Z")));
        assert!(is_allowed(honolulu, utc("2026-07-16T05:59:00Z")));
        assert_eq!(
            next_allowed(honolulu, utc("2026-07-16T06:00:00Z")),
            Some(utc("2026-07-16T18:00:00Z"))
        );
    }

    #[test]
    fn canadian_zones() {
        let halifax = "+19025550123";
        assert_eq!(time_zones(902), [Tz::America__Halifax]);
        // ADT (UTC−3) in summer, AST (UTC−4) in winter.
        assert!(is_allowed(halifax, utc("2026-07-15T11:00:00Z")));
        assert!(!is_allowed(halifax, utc("2026-01-14T11:00:00Z")));
        assert!(is_allowed(halifax, utc("2026-01-14T12:00:00Z")));

        // Newfoundland is UTC−3:30 (−2:30 in summer): the window ends on a half hour.
        let w = window_for(709);
        let st_johns = [Tz::America__St_Johns];
        assert!(
            w.allows(&st_johns, utc("2026-01-14T23:29:00Z")),
            "19:59 NST"
        );
        assert!(
            !w.allows(&st_johns, utc("2026-01-14T23:30:00Z")),
            "20:00 NST"
        );
        assert!(
            !w.allows(&st_johns, utc("2026-07-15T10:29:00Z")),
            "07:59 NDT"
        );
        assert!(
            w.allows(&st_johns, utc("2026-07-15T10:30:00Z")),
            "08:00 NDT"
        );
        assert_eq!(
            w.next_allowed(&st_johns, utc("2026-01-14T23:30:00Z")),
            Some(utc("2026-01-15T11:30:00Z"))
        );
    }

    #[test]
    fn an_area_code_in_several_zones_needs_daytime_in_all() {
        // 850, the Florida panhandle: Central and Eastern.
        let panhandle = "+18505550123";
        let zones = time_zones(850);
        assert!(zones.contains(&Tz::America__Chicago) && zones.contains(&Tz::America__New_York));
        assert!(
            !is_allowed(panhandle, utc("2026-07-15T12:30:00Z")),
            "08:30 ET, 07:30 CT"
        );
        assert!(
            is_allowed(panhandle, utc("2026-07-15T13:00:00Z")),
            "08:00 CT"
        );
        assert!(
            is_allowed(panhandle, utc("2026-07-15T23:59:00Z")),
            "19:59 ET"
        );
        assert!(
            !is_allowed(panhandle, utc("2026-07-16T00:30:00Z")),
            "20:30 ET, 19:30 CT"
        );
        assert_eq!(
            next_allowed(panhandle, utc("2026-07-15T12:30:00Z")),
            Some(utc("2026-07-15T13:00:00Z"))
        );

        // 928, Arizona including the Navajo Nation, which keeps DST: in summer it is an hour
        // ahead of Phoenix, so the evening ends an hour earlier than in 602.
        assert_eq!(time_zones(928), [Tz::America__Denver, Tz::America__Phoenix]);
        let at = utc("2026-07-16T02:30:00Z"); // 19:30 MST, 20:30 MDT
        assert!(is_allowed("+16025550123", at));
        assert!(!is_allowed("+19285550123", at));
        assert_eq!(
            next_allowed("+19285550123", at),
            Some(utc("2026-07-16T15:00:00Z")),
            "08:00 in Phoenix, the later of the two mornings"
        );

        // 709: Labrador's zone is added beside libphonenumber's Puerto Rico entry.
        let nl = time_zones(709);
        for tz in [
            Tz::America__St_Johns,
            Tz::America__Halifax,
            Tz::America__Puerto_Rico,
            Tz::America__Goose_Bay,
        ] {
            assert!(nl.contains(&tz), "{tz:?}");
        }
    }

    #[test]
    fn every_zone_in_the_table_is_known() {
        for line in NANP_TABLE.lines().skip(1) {
            let mut fields = line.rsplit(',');
            let (multi, tz_all) = (fields.next().unwrap(), fields.next().unwrap());
            for name in tz_all.split('|') {
                assert!(name.parse::<Tz>().is_ok(), "{name} in {line}");
            }
            let code: u16 = line[..3].parse().unwrap();
            let zones = time_zones(code);
            assert!(!zones.is_empty(), "{line}");
            assert_eq!(multi == "Y", zones.len() > 1, "{line}");
        }
        assert!(time_zones(911).is_empty());
    }

    #[test]
    fn next_allowed_at_the_edges() {
        let sf = SAN_FRANCISCO;
        // Wednesday 2026-07-15 in San Francisco (PDT, UTC−7).
        let at_1959 = utc("2026-07-16T02:59:00Z");
        assert_eq!(
            next_allowed(sf, at_1959),
            Some(at_1959),
            "19:59 is still allowed"
        );
        assert_eq!(
            next_allowed(sf, utc("2026-07-16T03:00:00Z")),
            Some(utc("2026-07-16T15:00:00Z")),
            "20:00 waits for 08:00 tomorrow"
        );
        assert_eq!(
            next_allowed(sf, utc("2026-07-15T10:00:00Z")),
            Some(utc("2026-07-15T15:00:00Z")),
            "03:00 waits for 08:00 today"
        );
        let exactly_eight = utc("2026-07-15T15:00:00Z");
        assert_eq!(next_allowed(sf, exactly_eight), Some(exactly_eight));
    }

    #[test]
    fn next_allowed_skips_forbidden_days() {
        // Alabama: no Sunday texts; Monday 2026-01-19 is Martin Luther King Jr. Day.
        let birmingham = "+12055550123";
        assert_eq!(
            next_allowed(birmingham, utc("2026-01-18T02:00:00Z")), // Saturday 20:00 CST
            Some(utc("2026-01-20T14:00:00Z")),                     // Tuesday 08:00 CST
        );
        // Pennsylvania: Saturday ends at noon, no Sunday, Good Friday 2026-04-03 is closed.
        let philadelphia = "+12155550123";
        assert_eq!(
            next_allowed(philadelphia, utc("2026-04-02T23:59:00Z")), // Thursday 19:59 EDT
            Some(utc("2026-04-02T23:59:00Z"))
        );
        assert_eq!(
            next_allowed(philadelphia, utc("2026-04-03T00:00:00Z")), // Thursday 20:00 EDT
            Some(utc("2026-04-04T12:00:00Z")),                       // Saturday 08:00
        );
        assert_eq!(
            next_allowed(philadelphia, utc("2026-04-04T16:00:00Z")), // Saturday 12:00
            Some(utc("2026-04-06T12:00:00Z")),                       // Monday 08:00
        );
    }

    #[test]
    fn unknown_numbers_are_never_allowed() {
        let noon = utc("2026-07-15T17:00:00Z");
        assert!(!is_allowed("+442079460958", noon));
        assert!(!is_allowed("not a number", noon));
        assert_eq!(next_allowed("+19115550123", noon), None);
        assert!(!is_allowed_for_area_code(911, noon));
    }

    /// The hours of `day` (each checked at :30) in which a state's window is open.
    fn open_hours(state: &str, day: NaiveDate) -> Vec<u32> {
        let w = window_for_state(state);
        (0..24)
            .filter(|h| w.is_open(day.and_hms_opt(*h, 30, 0).unwrap()))
            .collect()
    }

    fn span(start: u32, end: u32) -> Vec<u32> {
        (start..end).collect()
    }

    // A plain week: Monday 2026-07-13 … Sunday 2026-07-19 (no holidays in it).
    const MON: (i32, u32, u32) = (2026, 7, 13);
    const SAT: (i32, u32, u32) = (2026, 7, 18);
    const SUN: (i32, u32, u32) = (2026, 7, 19);

    fn on(d: (i32, u32, u32), state: &str) -> Vec<u32> {
        open_hours(state, date(d.0, d.1, d.2))
    }

    #[test]
    fn states_at_eight_to_eight() {
        for state in ["FL", "OK", "MD", "WA", "MA", "NJ", "NY", "CA", "ZZ"] {
            for day in [MON, SAT, SUN] {
                assert_eq!(on(day, state), span(8, 20), "{state} {day:?}");
            }
        }
        // Through the area code, for one of each.
        assert!(
            !is_allowed("+13055550123", utc("2026-07-16T00:30:00Z")),
            "Miami 20:30"
        );
        assert!(
            !is_allowed("+12015550123", utc("2026-07-16T00:30:00Z")),
            "NJ 20:30"
        );
    }

    #[test]
    fn connecticut_starts_at_nine() {
        assert_eq!(on(MON, "CT"), span(9, 20));
        assert_eq!(on(SUN, "CT"), span(9, 20));
        assert!(!allowed_local(
            "+18605550123",
            Tz::America__New_York,
            "2026-07-15 08:30"
        ));
        assert!(allowed_local(
            "+18605550123",
            Tz::America__New_York,
            "2026-07-15 09:00"
        ));
    }

    #[test]
    fn texas_starts_late_on_sunday() {
        assert_eq!(on(MON, "TX"), span(9, 20));
        assert_eq!(on(SAT, "TX"), span(9, 20));
        assert_eq!(on(SUN, "TX"), span(12, 20));
        let austin = "+15125550123";
        assert!(!allowed_local(
            austin,
            Tz::America__Chicago,
            "2026-07-19 11:59"
        ));
        assert!(allowed_local(
            austin,
            Tz::America__Chicago,
            "2026-07-19 12:00"
        ));
        assert!(!allowed_local(
            austin,
            Tz::America__Chicago,
            "2026-07-13 08:30"
        ));
    }

    #[test]
    fn rhode_island_hours_and_holidays() {
        assert_eq!(on(MON, "RI"), span(9, 18));
        assert_eq!(on(SAT, "RI"), span(10, 17));
        assert_eq!(on(SUN, "RI"), span(10, 17));
        // Victory Day, the second Monday of August; RI Independence Day, 4 May.
        assert_eq!(
            restricted_holiday("RI", date(2026, 8, 10)),
            Some("Victory Day")
        );
        assert_eq!(open_hours("RI", date(2026, 8, 10)), span(0, 0));
        assert!(restricted_holiday("RI", date(2026, 5, 4)).is_some());
        // Independence Day 2026 is a Saturday: Friday 3 July is closed as well.
        assert_eq!(open_hours("RI", date(2026, 7, 3)), span(0, 0));
        assert_eq!(open_hours("RI", date(2026, 7, 4)), span(0, 0));
        let providence = "+14015550123";
        assert!(allowed_local(
            providence,
            Tz::America__New_York,
            "2026-07-15 17:59"
        ));
        assert!(!allowed_local(
            providence,
            Tz::America__New_York,
            "2026-07-15 18:00"
        ));
    }

    #[test]
    fn mississippi_alabama_louisiana_close_sundays_and_holidays() {
        for state in ["MS", "AL", "LA"] {
            assert_eq!(on(MON, state), span(8, 20), "{state}");
            assert_eq!(on(SAT, state), span(8, 20), "{state}");
            assert_eq!(on(SUN, state), span(0, 0), "{state}");
            // Christmas 2026 is a Friday; Thanksgiving is 26 November.
            assert_eq!(open_hours(state, date(2026, 12, 25)), span(0, 0), "{state}");
            assert_eq!(open_hours(state, date(2026, 11, 26)), span(0, 0), "{state}");
        }
        // Easter 2026 is 5 April: Mardi Gras 17 February, Good Friday 3 April.
        assert_eq!(
            restricted_holiday("LA", date(2026, 2, 17)),
            Some("Mardi Gras")
        );
        assert_eq!(
            restricted_holiday("LA", date(2026, 4, 3)),
            Some("Good Friday")
        );
        assert_eq!(
            restricted_holiday("AL", date(2026, 4, 27)),
            Some("Confederate Memorial Day")
        );
        assert_eq!(
            restricted_holiday("MS", date(2026, 4, 27)),
            Some("Confederate Memorial Day")
        );
        assert!(
            !is_allowed("+15045550123", utc("2026-02-17T18:00:00Z")),
            "New Orleans, Mardi Gras noon"
        );
        assert!(
            !is_allowed("+16015550123", utc("2026-07-19T17:00:00Z")),
            "Jackson, Sunday noon"
        );
    }

    #[test]
    fn utah_closes_on_holidays_only() {
        assert_eq!(on(SUN, "UT"), span(8, 20));
        assert_eq!(
            restricted_holiday("UT", date(2026, 7, 24)),
            Some("Pioneer Day")
        );
        // 2027-07-24 is a Saturday: observed Friday the 23rd.
        assert!(restricted_holiday("UT", date(2027, 7, 23)).is_some());
        assert!(
            !is_allowed("+18015550123", utc("2026-07-24T18:00:00Z")),
            "noon MDT"
        );
        assert!(is_allowed("+18015550123", utc("2026-07-23T18:00:00Z")));
    }

    #[test]
    fn later_mornings() {
        assert_eq!(on(MON, "KY"), span(10, 20));
        assert_eq!(on(SUN, "KY"), span(10, 20));
        for state in ["MI", "MN", "NM", "NV"] {
            assert_eq!(on(MON, state), span(9, 20), "{state}");
            assert_eq!(on(SUN, state), span(9, 20), "{state}");
        }
        assert!(!allowed_local(
            "+15025550123",
            Tz::America__New_York,
            "2026-07-15 09:59"
        ));
        assert!(allowed_local(
            "+15025550123",
            Tz::America__New_York,
            "2026-07-15 10:00"
        ));
    }

    #[test]
    fn pennsylvania_saturday_mornings_only_and_no_sundays() {
        assert_eq!(on(MON, "PA"), span(8, 20));
        assert_eq!(on(SAT, "PA"), span(8, 12));
        assert_eq!(on(SUN, "PA"), span(0, 0));
        assert_eq!(
            restricted_holiday("PA", date(2026, 11, 3)),
            Some("Election Day")
        );
        // Flag Day 2026 is a Sunday: Monday 15 June is closed.
        assert_eq!(
            restricted_holiday("PA", date(2026, 6, 15)),
            Some("Flag Day")
        );
        assert_eq!(restricted_holiday("PA", date(2026, 6, 16)), None);
    }

    #[test]
    fn states_without_a_holiday_rule_ignore_holidays() {
        assert_eq!(restricted_holiday("NY", date(2026, 12, 25)), None);
        assert_eq!(open_hours("NY", date(2026, 12, 25)), span(8, 20));
        assert_eq!(
            restricted_holiday("ut", date(2026, 12, 25)),
            Some("Christmas Day")
        );
        // New Year's Day 2028 is a Saturday, observed Friday 31 December 2027.
        assert_eq!(
            restricted_holiday("AL", date(2027, 12, 31)),
            Some("New Year's Day")
        );
    }

    #[test]
    fn easter_dates() {
        for (y, m, d) in [
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
        ] {
            assert_eq!(easter(y), Some(date(y, m, d)));
        }
    }

    /// Parses `"09:00-21:00"` (and `"08:00-12:00 (as printed; …)"`) into hours.
    fn fixture_hours(v: &Value) -> Hours {
        let s = v.as_str().unwrap();
        let hour = |from: usize| s[from..from + 2].parse::<u32>().unwrap();
        assert_eq!(&s[2..3], ":", "{s}");
        Hours::new(hour(0), hour(6))
    }

    /// The fixture's own reading of a state's rules, for one weekday and whether it is a
    /// holiday: `None` when the day is closed, `Some(None)` when it gives no hours.
    fn fixture_day(rule: &Value, weekday: Weekday, holiday: bool) -> Option<Option<Hours>> {
        let no_calls = |key: &str| {
            rule.get(key)
                .and_then(Value::as_str)
                .is_some_and(|s| s.starts_with("no "))
        };
        if (holiday && no_calls("holidays")) || (weekday == Weekday::Sun && no_calls("sunday")) {
            return None;
        }
        let weekend = matches!(weekday, Weekday::Sat | Weekday::Sun);
        let keys: &[&str] = match weekday {
            Weekday::Sat => &["window_sat", "window_weekends", "window_mon_sat", "window"],
            Weekday::Sun => &["window_sun", "window_weekends", "window"],
            _ => &[
                "window_mon_fri",
                "window_weekdays",
                "window_mon_sat",
                "window",
            ],
        };
        let found = keys.iter().find_map(|k| rule.get(*k));
        if found.is_none() && rule.get("window_mon_fri").is_some() && weekend {
            // Hours given for some days only; the rest have none.
            return None;
        }
        Some(found.map(fixture_hours))
    }

    /// Every state in the fixture has a rule here, and no window here is looser than what the
    /// fixture (or the federal rule) says, on any weekday or holiday.
    #[test]
    fn never_looser_than_the_fixture() {
        let file: Value = serde_json::from_str(FIXTURE).unwrap();
        assert_eq!(fixture_hours(&file["federal"]["window"]), FEDERAL_HOURS);
        let states = file["states"].as_object().unwrap();
        assert_eq!(states.len(), 19, "the fixture changed; review its states");
        let christmas = date(2026, 12, 25); // a Friday
        for (state, rule) in states {
            assert!(state_rule(state).is_some(), "{state} has no rule");
            let mut days: Vec<(NaiveDate, bool)> =
                (13..=19).map(|d| (date(2026, 7, d), false)).collect();
            days.push((christmas, true));
            for (day, holiday) in days {
                let ours = window_for_state(state).hours_on(day);
                match fixture_day(rule, day.weekday(), holiday) {
                    None => assert_eq!(ours, None, "{state} {day}"),
                    Some(None) => {}
                    Some(Some(theirs)) => {
                        if let Some(ours) = ours {
                            assert_eq!(ours.intersect(theirs), Some(ours), "{state} {day}");
                        }
                    }
                }
                if let Some(ours) = ours {
                    assert_eq!(ours.intersect(FEDERAL_HOURS), Some(ours), "{state} {day}");
                }
            }
        }
    }

    #[test]
    fn a_multi_state_area_code_takes_every_state_rule() {
        let combined = window_for_state("TX").intersect(&window_for_state("RI"));
        assert_eq!(combined.hours(Weekday::Sun), Some(Hours::new(12, 17)));
        assert_eq!(combined.holiday_calendars, ["RI"]);
        // Canadian codes shared by provinces (902 NS/PE) have no state rules.
        assert_eq!(window_for(902), Window::every_day(DEFAULT_HOURS));
    }

    #[test]
    fn window_serializes_for_the_client() {
        let json = serde_json::to_value(window_for(215)).unwrap();
        assert_eq!(
            json["days"][5],
            serde_json::json!({"start_hour": 8, "end_hour": 12})
        );
        assert_eq!(json["days"][6], Value::Null);
        assert_eq!(json["holiday_calendars"], serde_json::json!(["PA"]));
    }

    #[test]
    fn a_shipping_state_narrows_the_area_code() {
        // 20:30 in Miami, 19:30 in Pensacola, 17:30 in San Francisco.
        let at = Utc.with_ymd_and_hms(2026, 6, 2, 0, 30, 0).unwrap();
        let by_number = Recipient::locate("+14155550123", None).unwrap();
        assert_eq!(by_number.next_allowed(at), Some(at));
        let in_florida = Recipient::locate("+14155550123", Some("fl")).unwrap();
        assert!(in_florida.zones.contains(&Tz::America__Chicago));
        assert!(in_florida.zones.contains(&Tz::America__Los_Angeles));
        // Florida closes at 20:00, and the number's zone still counts: the next moment open
        // everywhere is 8:00 in San Francisco.
        let eight_pacific = Utc.with_ymd_and_hms(2026, 6, 2, 15, 0, 0).unwrap();
        assert_eq!(in_florida.next_allowed(at), Some(eight_pacific));
    }

    /// A shipping address elsewhere (a gift, say) does not lift the rules and hours of where
    /// the number is: Florida and Oklahoma presume the area code.
    #[test]
    fn a_shipping_state_never_widens_the_area_code() {
        let utc = |d, h, m| Utc.with_ymd_and_hms(2026, 6, d, h, m, 0).unwrap();
        for (phone, shipped_to, at, next, why) in [
            (
                "+18085550123",
                "CA",
                utc(2, 15, 0),
                utc(2, 18, 0),
                "05:00 in Honolulu: wait for 08:00 there",
            ),
            (
                "+13055550123",
                "CA",
                utc(3, 2, 30),
                utc(3, 15, 0),
                "22:30 Eastern: wait for 08:00 Pacific, when Miami is open too",
            ),
            (
                "+12105550123",
                "NY",
                utc(7, 12, 0),
                utc(7, 17, 0),
                "Sunday 07:00 in San Antonio: Texas allows Sundays from 12:00",
            ),
            (
                "+14015550123",
                "MA",
                utc(2, 23, 0),
                utc(3, 13, 0),
                "Tuesday 19:00 in Providence: Rhode Island closes at 18:00, opens at 9:00",
            ),
        ] {
            let recipient = Recipient::locate(phone, Some(shipped_to)).unwrap();
            let by_number = Recipient::locate(phone, None).unwrap();
            assert!(
                by_number.zones.iter().all(|z| recipient.zones.contains(z)),
                "{why}"
            );
            assert_eq!(recipient.next_allowed(at), Some(next), "{why}");
        }
        // The law of the number's state holds too: a store's 21:00 close does not reach
        // 20:30 in Miami (17:30 in California, where the order went).
        let florida = Recipient::locate("+13055550123", Some("CA"))
            .unwrap()
            .narrowed(Some(Hours::new(8, 21)));
        let half_past_eight_pm_eastern = utc(3, 0, 30);
        assert_ne!(
            florida.next_allowed(half_past_eight_pm_eastern),
            Some(half_past_eight_pm_eastern)
        );
    }

    #[test]
    fn a_store_keeps_its_regions_time() {
        assert_eq!(
            region_time_zone(Country::Us, "CA"),
            Some(chrono_tz::America::Los_Angeles)
        );
        assert!(region_time_zone(Country::Ca, "QC").is_some());
        assert_eq!(region_time_zone(Country::Us, "ZZ"), None);
        // Not the alphabetically first zone any of their area codes touches.
        for state in ["IN", "KY"] {
            assert_eq!(
                region_time_zone(Country::Us, state),
                Some(chrono_tz::America::New_York),
                "{state}"
            );
        }
        assert_eq!(
            region_time_zone(Country::Ca, "NL"),
            Some(chrono_tz::America::St_Johns)
        );
        assert_eq!(
            region_time_zone(Country::Us, "TN"),
            Some(chrono_tz::America::Chicago)
        );
    }

    #[test]
    fn an_unknown_shipping_region_falls_back_to_the_number() {
        let unknown = Recipient::locate("+14155550123", Some("Greater London")).unwrap();
        assert_eq!(unknown, Recipient::locate("+14155550123", None).unwrap());
        assert!(Recipient::locate("+442071838750", Some("CA")).is_none());
    }

    #[test]
    fn a_store_chooses_its_hours_within_the_law() {
        let nine_am_pacific = Utc.with_ymd_and_hms(2026, 6, 2, 16, 0, 0).unwrap();
        let recipient = Recipient::locate("+14155550123", None).unwrap();
        let narrowed = recipient.clone().narrowed(Some(Hours::new(10, 18)));
        let ten_am_pacific = Utc.with_ymd_and_hms(2026, 6, 2, 17, 0, 0).unwrap();
        assert_eq!(narrowed.next_allowed(nine_am_pacific), Some(ten_am_pacific));
        // 20:30 is past our default but within federal law, so a store may choose it...
        let half_past_eight_pm = Utc.with_ymd_and_hms(2026, 6, 3, 3, 30, 0).unwrap();
        assert_ne!(
            recipient.next_allowed(half_past_eight_pm),
            Some(half_past_eight_pm)
        );
        let late = recipient.clone().narrowed(Some(Hours::new(8, 21)));
        assert_eq!(
            late.next_allowed(half_past_eight_pm),
            Some(half_past_eight_pm)
        );
        // ...but not 21:30, nor 20:30 for a Florida customer (their state stops at 20:00).
        let asked_wider = recipient.narrowed(Some(Hours::new(6, 23)));
        let half_past_nine_pm = Utc.with_ymd_and_hms(2026, 6, 3, 4, 30, 0).unwrap();
        assert_ne!(
            asked_wider.next_allowed(half_past_nine_pm),
            Some(half_past_nine_pm)
        );
        let florida = Recipient::locate("+13055550123", None)
            .unwrap()
            .narrowed(Some(Hours::new(8, 21)));
        let half_past_eight_pm_eastern = Utc.with_ymd_and_hms(2026, 6, 3, 0, 30, 0).unwrap();
        assert_ne!(
            florida.next_allowed(half_past_eight_pm_eastern),
            Some(half_past_eight_pm_eastern)
        );
    }
}
