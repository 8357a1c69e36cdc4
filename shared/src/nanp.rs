//! The North American Numbering Plan area codes of the US and Canada: which country, state or
//! province, and time zone each belongs to. Embedded from `shared/data/` (see its SOURCE note).

use std::sync::OnceLock;

use crate::numbers::Country;

const TABLE: &str = include_str!("../data/nanp-area-codes-us-ca.csv");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaCode {
    pub code: u16,
    pub country: Country,
    /// USPS state or Canadian province codes; a few area codes span several (`NS`, `PE`).
    pub regions: Vec<String>,
    /// e.g. "San Antonio, TX" or "New Jersey".
    pub label: String,
    /// The IANA zone covering most of the area code.
    pub time_zone: String,
    /// Whether parts of the area code lie in other zones.
    pub multiple_time_zones: bool,
}

pub fn area_codes() -> &'static [AreaCode] {
    static CODES: OnceLock<Vec<AreaCode>> = OnceLock::new();
    CODES.get_or_init(|| TABLE.lines().skip(1).filter_map(parse_row).collect())
}

pub fn lookup(code: u16) -> Option<&'static AreaCode> {
    area_codes().iter().find(|a| a.code == code)
}

/// The area codes of a state or province, in numeric order.
pub fn in_region(country: Country, region: &str) -> Vec<&'static AreaCode> {
    let region = region.trim().to_ascii_uppercase();
    area_codes()
        .iter()
        .filter(|a| a.country == country && a.regions.contains(&region))
        .collect()
}

/// The states/provinces of a country that have area codes, with their names, by name.
pub fn regions(country: Country) -> Vec<(&'static str, &'static str)> {
    let mut found: Vec<_> = REGION_NAMES
        .iter()
        .filter(|(code, _)| {
            area_codes()
                .iter()
                .any(|a| a.country == country && a.regions.iter().any(|r| r == code))
        })
        .copied()
        .collect();
    found.sort_by_key(|(_, name)| *name);
    found
}

/// The code of a state or province given by its code or its name, in any case (`tx`,
/// `Texas`, `british columbia`): merchants type either.
pub fn region_code(code_or_name: &str) -> Option<&'static str> {
    let wanted = code_or_name.trim();
    REGION_NAMES
        .iter()
        .find(|(code, name)| code.eq_ignore_ascii_case(wanted) || name.eq_ignore_ascii_case(wanted))
        .map(|(code, _)| *code)
}

pub fn region_name(code: &str) -> Option<&'static str> {
    REGION_NAMES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map(|(_, name)| *name)
}

fn parse_row(line: &str) -> Option<AreaCode> {
    let fields = split_csv(line);
    let [
        code,
        country,
        regions,
        label,
        time_zone,
        _share,
        _all,
        multi,
    ] = fields.as_slice()
    else {
        return None;
    };
    Some(AreaCode {
        code: code.parse().ok()?,
        country: Country::parse(country)?,
        regions: regions.split('/').map(str::to_owned).collect(),
        label: label.clone(),
        time_zone: time_zone.clone(),
        multiple_time_zones: multi == "Y",
    })
}

/// Enough CSV for this table: commas, and double quotes around fields that contain them.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => fields.last_mut().into_iter().for_each(|f| f.push(c)),
        }
    }
    fields
}

const REGION_NAMES: &[(&str, &str)] = &[
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AS", "American Samoa"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("GU", "Guam"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("MP", "Northern Mariana Islands"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("PR", "Puerto Rico"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VI", "U.S. Virgin Islands"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("AB", "Alberta"),
    ("BC", "British Columbia"),
    ("MB", "Manitoba"),
    ("NB", "New Brunswick"),
    ("NL", "Newfoundland and Labrador"),
    ("NS", "Nova Scotia"),
    ("NT", "Northwest Territories"),
    ("NU", "Nunavut"),
    ("ON", "Ontario"),
    ("PE", "Prince Edward Island"),
    ("QC", "Quebec"),
    ("SK", "Saskatchewan"),
    ("YT", "Yukon"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_table_parses() {
        assert_eq!(area_codes().len(), TABLE.lines().count() - 1);
        for code in area_codes() {
            assert!((200..=999).contains(&code.code), "{code:?}");
            for region in &code.regions {
                assert!(region_name(region).is_some(), "no name for {region}");
            }
        }
    }

    #[test]
    fn lookups() {
        let sf = lookup(415).unwrap();
        assert_eq!(
            (sf.country, sf.regions.as_slice(), sf.time_zone.as_str()),
            (Country::Us, &["CA".to_owned()][..], "America/Los_Angeles")
        );
        assert_eq!(lookup(416).unwrap().country, Country::Ca);
        assert_eq!(lookup(210).unwrap().label, "San Antonio, TX");
        assert!(lookup(911).is_none());
        assert_eq!(lookup(902).unwrap().regions, ["NS", "PE"]);
    }

    #[test]
    fn regions_by_country() {
        assert!(in_region(Country::Us, "ca").iter().any(|a| a.code == 415));
        assert!(
            in_region(Country::Ca, "CA").is_empty(),
            "California is not in Canada"
        );
        assert!(in_region(Country::Ca, "PE").iter().any(|a| a.code == 902));
        let canada = regions(Country::Ca);
        assert!(canada.contains(&("ON", "Ontario")));
        assert!(!canada.iter().any(|(code, _)| *code == "TX"));
    }

    #[test]
    fn regions_by_code_or_name() {
        assert_eq!(region_code("tx"), Some("TX"));
        assert_eq!(region_code(" Texas "), Some("TX"));
        assert_eq!(region_code("NEWFOUNDLAND AND LABRADOR"), Some("NL"));
        assert_eq!(region_code("Tex"), None);
    }
}
