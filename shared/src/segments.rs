//! SMS segment counting: which encoding a body goes out in and how many segments (the unit
//! carriers and Twilio bill by) it takes.
//!
//! A body that is entirely in the GSM 03.38 default alphabet (plus its extension table) is
//! sent as GSM-7; anything else forces UCS-2 for the whole message. An SMS carries 140
//! octets of user data: 160 septets or 70 UTF-16 code units on its own. A longer message is
//! split, and each part spends 6 octets on the concatenation header, leaving 153 septets or
//! 67 code units per segment.
//!
//! A character is never split across two segments: an extension character (escape + code) or
//! a surrogate pair that would straddle the boundary starts the next segment, leaving the
//! previous one a unit short. Twilio's published segment calculator goes one step further and
//! also keeps a whole grapheme cluster together (e.g. `❤️`, `👍🏽`, a flag); the two only differ
//! when such a cluster straddles a multipart UCS-2 boundary.
//!
//! Line breaks are counted as they are in the body: `\r\n` is two units, `\n` one.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// How a message body is encoded on the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// GSM 03.38 default alphabet; units are septets.
    Gsm7,
    /// UCS-2 (UTF-16 in practice); units are UTF-16 code units.
    Ucs2,
}

impl Encoding {
    /// Units that fit in a message sent as one segment.
    pub const fn single_segment_units(self) -> u32 {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// Units per segment once a message is split (the 6-octet header takes the rest).
    pub const fn multipart_segment_units(self) -> u32 {
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }

    /// Units `c` takes in this encoding. For `Gsm7`, `c` must be a GSM-7 character.
    fn units(self, c: char) -> u32 {
        match self {
            Encoding::Gsm7 => gsm7_septets(c).unwrap_or(1),
            // At most 2, so the cast is lossless.
            Encoding::Ucs2 => c.len_utf16() as u32,
        }
    }
}

/// The size of a message body in segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentCount {
    pub encoding: Encoding,
    /// Segments billed; 0 for an empty body, which cannot be sent.
    pub segments: u32,
    /// Code units used: GSM-7 septets (extension characters count 2) or UTF-16 code units.
    pub units: u32,
    /// Units left in the last segment before another segment is needed. A character that
    /// takes 2 units (extension character, emoji) needs 2 of them.
    pub remaining_in_segment: u32,
    /// Unicode scalar values (Rust `char`s): a flag or a ZWJ emoji sequence counts as several.
    pub chars: u32,
}

/// Counts the segments `body` takes when sent as an SMS.
pub fn count(body: &str) -> SegmentCount {
    let encoding = encoding_of(body);
    let (mut units, mut chars) = (0u32, 0u32);
    for c in body.chars() {
        units = units.saturating_add(encoding.units(c));
        chars = chars.saturating_add(1);
    }
    let (mut segments, mut last_units) = (0u32, 0u32);
    for_each_segment(body, encoding, units, |_, segment_units| {
        segments += 1;
        last_units = segment_units;
    });
    let capacity = if segments > 1 {
        encoding.multipart_segment_units()
    } else {
        encoding.single_segment_units()
    };
    SegmentCount {
        encoding,
        segments,
        units,
        remaining_in_segment: capacity - last_units,
        chars,
    }
}

/// The text of each segment, in order, as the message would be split (empty for an empty
/// body). Lets the editor show where the breaks fall.
pub fn split(body: &str) -> Vec<&str> {
    let encoding = encoding_of(body);
    let units = body
        .chars()
        .fold(0u32, |sum, c| sum.saturating_add(encoding.units(c)));
    let mut parts = Vec::new();
    for_each_segment(body, encoding, units, |range, _| parts.push(&body[range]));
    parts
}

/// The characters that force UCS-2, each once, in order of first appearance (e.g. a curly
/// quote pasted from a word processor). Empty when the body goes out as GSM-7.
pub fn non_gsm_chars(body: &str) -> Vec<char> {
    let mut found = Vec::new();
    for c in body.chars() {
        if !is_gsm7(c) && !found.contains(&c) {
            found.push(c);
        }
    }
    found
}

/// Whether `c` can be sent in GSM-7 (default alphabet or extension table).
pub fn is_gsm7(c: char) -> bool {
    gsm7_septets(c).is_some()
}

fn encoding_of(body: &str) -> Encoding {
    if body.chars().all(is_gsm7) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    }
}

/// Septets `c` takes in GSM-7: 1 in the default alphabet, 2 in the extension table (escape +
/// code), `None` if it cannot be sent in GSM-7 at all.
fn gsm7_septets(c: char) -> Option<u32> {
    match c {
        // Default alphabet (GSM 03.38 table 6.2.1), in Unicode order; 0x1B is the escape
        // itself and has no character of its own.
        '\n' | '\r' | ' '..='?' | '@' | 'A'..='Z' | '_' | 'a'..='z' => Some(1),
        '¡' | '£' | '¤' | '¥' | '§' | '¿' | 'Ä' | 'Å' | 'Æ' | 'Ç' | 'É' | 'Ñ' | 'Ö' | 'Ø' | 'Ü'
        | 'ß' | 'à' | 'ä' | 'å' | 'æ' | 'è' | 'é' | 'ì' | 'ñ' | 'ò' | 'ö' | 'ø' | 'ù' | 'ü' => {
            Some(1)
        }
        'Γ' | 'Δ' | 'Θ' | 'Λ' | 'Ξ' | 'Π' | 'Σ' | 'Φ' | 'Ψ' | 'Ω' => Some(1),
        // Extension table (6.2.1.1): form feed, ^ { } \ [ ~ ] | €.
        '\u{0C}' | '^' | '{' | '}' | '\\' | '[' | '~' | ']' | '|' | '€' => Some(2),
        _ => None,
    }
}

/// Calls `segment(byte_range, units)` for each segment of `body`, in order; `units` is the
/// body's total in `encoding`.
fn for_each_segment(
    body: &str,
    encoding: Encoding,
    units: u32,
    mut segment: impl FnMut(Range<usize>, u32),
) {
    if units == 0 {
        return;
    }
    if units <= encoding.single_segment_units() {
        segment(0..body.len(), units);
        return;
    }
    let limit = encoding.multipart_segment_units();
    let (mut start, mut used) = (0, 0);
    for (i, c) in body.char_indices() {
        let width = encoding.units(c);
        // Whole characters only: one that would straddle the boundary opens the next segment.
        if used + width > limit {
            segment(start..i, used);
            (start, used) = (i, 0);
        }
        used += width;
    }
    segment(start..body.len(), used);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const VECTORS: &str = include_str!("../../tests/fixtures/sms-segment-vectors.json");

    fn units_of(text: &str, encoding: Encoding) -> u32 {
        text.chars().map(|c| encoding.units(c)).sum()
    }

    fn repeat(s: &str, n: usize) -> String {
        s.repeat(n)
    }

    fn u32_of(v: &Value) -> u32 {
        u32::try_from(v.as_u64().expect("a number")).expect("fits u32")
    }

    /// Twilio's calculator (the primary source): every case, every field it gives.
    #[test]
    fn twilio_calculator_vectors() {
        let file: Value = serde_json::from_str(VECTORS).unwrap();
        let cases = file["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 54, "the fixture changed; review the new cases");
        let mut total_checked = 0;
        for case in cases {
            let body = case["body"].as_str().unwrap();
            let name = case["description"].as_str().unwrap();
            let got = count(body);
            let expected = case["expected"].as_object().unwrap();
            let bits_per_unit = match got.encoding {
                Encoding::Gsm7 => 7,
                Encoding::Ucs2 => 16,
            };
            let mut checked = 0;
            for (key, want) in expected {
                match key.as_str() {
                    "encoding" => {
                        let want = match want.as_str().unwrap() {
                            "GSM-7" => Encoding::Gsm7,
                            "UCS-2" => Encoding::Ucs2,
                            other => panic!("{name}: unknown encoding {other}"),
                        };
                        assert_eq!(got.encoding, want, "{name}");
                    }
                    "segments" => assert_eq!(got.segments, u32_of(want), "{name}"),
                    // Payload bits without headers, i.e. units × unit size.
                    "messageSize_bits" => {
                        assert_eq!(got.units * bits_per_unit, u32_of(want), "{name}")
                    }
                    // Plus 48 header bits per segment once the message is split.
                    "totalSize_bits" => {
                        let headers = if got.segments > 1 {
                            48 * got.segments
                        } else {
                            0
                        };
                        assert_eq!(got.units * bits_per_unit + headers, u32_of(want), "{name}");
                    }
                    "numberOfUnicodeScalars" => assert_eq!(got.chars, u32_of(want), "{name}"),
                    // The calculator reports septets for GSM-7 and grapheme clusters for
                    // UCS-2. Grapheme clusters don't affect the count here (segments split
                    // between scalar values), so only the GSM-7 meaning is checked; every
                    // UCS-2 case that gives it also gives its units or segments.
                    "numberOfCharacters" => {
                        if got.encoding == Encoding::Gsm7 {
                            assert_eq!(got.units, u32_of(want), "{name}");
                        } else {
                            continue;
                        }
                    }
                    "all_chars_gsm7" => {
                        let all = want.as_bool().unwrap();
                        assert_eq!(non_gsm_chars(body).is_empty(), all, "{name}");
                        assert_eq!(got.encoding == Encoding::Gsm7, all, "{name}");
                    }
                    "nonGsmCharacters" => {
                        let want: Vec<char> = want
                            .as_array()
                            .unwrap()
                            .iter()
                            .flat_map(|c| c.as_str().unwrap().chars())
                            .collect();
                        assert_eq!(non_gsm_chars(body), want, "{name}");
                    }
                    // The per-segment limits follow from a 6-octet header in 140 octets.
                    "udh_octets_per_segment" => {
                        let payload_bits = (140 - u32_of(want)) * 8;
                        assert_eq!(payload_bits / 7, Encoding::Gsm7.multipart_segment_units());
                        assert_eq!(payload_bits / 16, Encoding::Ucs2.multipart_segment_units());
                    }
                    // In these cases every unit is one octet of the 6-octet-header view the
                    // calculator prints, so the last segment holds exactly this many units.
                    "last_segment_length_including_udh" => {
                        let last = *split(body).last().unwrap();
                        assert_eq!(
                            units_of(last, got.encoding) + 6,
                            u32_of(want),
                            "{name}: {last:?}"
                        );
                    }
                    "last_char" => {
                        let last = *split(body).last().unwrap();
                        assert!(last.ends_with(want.as_str().unwrap()), "{name}: {last:?}");
                    }
                    other => panic!("{name}: unhandled expectation {other}"),
                }
                checked += 1;
            }
            assert!(checked > 0, "{name}: nothing checked");
            total_checked += checked;
        }
        // 181 expectations, less the 8 UCS-2 grapheme counts.
        assert_eq!(total_checked, 173);
    }

    /// instasent/sms-counter-php (secondary source). It counts code points rather than UTF-16
    /// units and ignores boundary straddling, but neither matters for these bodies.
    #[test]
    fn sms_counter_php_vectors() {
        let file: Value = serde_json::from_str(VECTORS).unwrap();
        let cases = file["secondary_cases"].as_array().unwrap();
        assert_eq!(cases.len(), 6, "the fixture changed; review the new cases");
        for case in cases {
            let body = case["body"].as_str().unwrap();
            let name = case["description"].as_str().unwrap();
            let expected = &case["expected"];
            let got = count(body);
            let encoding = match expected["encoding"].as_str().unwrap() {
                "GSM_7BIT" | "GSM_7BIT_EX" => Encoding::Gsm7,
                "UTF16" => Encoding::Ucs2,
                other => panic!("{name}: unknown encoding {other}"),
            };
            assert_eq!(got.encoding, encoding, "{name}");
            assert_eq!(got.units, u32_of(&expected["length"]), "{name}");
            assert_eq!(got.segments, u32_of(&expected["messages"]), "{name}");
            let per_message = if got.segments > 1 {
                encoding.multipart_segment_units()
            } else {
                encoding.single_segment_units()
            };
            assert_eq!(per_message, u32_of(&expected["per_message"]), "{name}");
            assert_eq!(
                got.remaining_in_segment,
                u32_of(&expected["remaining"]),
                "{name}"
            );
        }
    }

    #[test]
    fn empty_body_is_no_segments() {
        let got = count("");
        assert_eq!(
            got,
            SegmentCount {
                encoding: Encoding::Gsm7,
                segments: 0,
                units: 0,
                remaining_in_segment: 160,
                chars: 0,
            }
        );
        assert!(split("").is_empty());
        assert!(non_gsm_chars("").is_empty());
    }

    #[test]
    fn gsm7_single_segment_boundary() {
        let got = count(&repeat("a", 160));
        assert_eq!(
            (got.segments, got.units, got.remaining_in_segment),
            (1, 160, 0)
        );
        let got = count(&repeat("a", 161));
        assert_eq!(
            (got.segments, got.units, got.remaining_in_segment),
            (2, 161, 145)
        );
        assert_eq!(
            split(&repeat("a", 161))
                .iter()
                .map(|s| s.len())
                .collect::<Vec<_>>(),
            [153, 8]
        );
    }

    #[test]
    fn gsm7_multipart_boundary() {
        let got = count(&repeat("a", 306));
        assert_eq!((got.segments, got.remaining_in_segment), (2, 0));
        let got = count(&repeat("a", 307));
        assert_eq!((got.segments, got.remaining_in_segment), (3, 152));
    }

    #[test]
    fn extension_chars_cost_two_septets() {
        let got = count("{price} €5 | ~[x]^\\");
        assert_eq!(got.encoding, Encoding::Gsm7);
        assert_eq!(got.chars, 19);
        assert_eq!(got.units, 19 + 9);
        // Form feed is in the extension table too.
        assert_eq!(count("\u{0C}").units, 2);
        // Within one segment the extension char may sit anywhere, even across septet 153.
        let got = count(&format!("{}€{}", repeat("a", 152), repeat("a", 6)));
        assert_eq!(
            (got.segments, got.units, got.remaining_in_segment),
            (1, 160, 0)
        );
    }

    #[test]
    fn extension_char_at_septet_153_moves_to_next_segment() {
        // Escape would be septet 153 and the code septet 154: both go to segment 2.
        let body = format!("{}€{}", repeat("a", 152), repeat("a", 10));
        let got = count(&body);
        assert_eq!((got.segments, got.units), (2, 164));
        let parts = split(&body);
        assert_eq!(parts[0], repeat("a", 152));
        assert!(parts[1].starts_with('€'));
        assert_eq!(got.remaining_in_segment, 153 - 12);

        // 306 septets, which would fit 2 × 153, but the gap left in segment 1 costs a third.
        let got = count(&format!("{}€{}", repeat("a", 152), repeat("a", 152)));
        assert_eq!(
            (got.units, got.segments, got.remaining_in_segment),
            (306, 3, 152)
        );

        // Ending exactly on septet 153 is fine.
        let body = format!("{}€{}", repeat("a", 151), repeat("a", 10));
        assert_eq!(split(&body)[0], format!("{}€", repeat("a", 151)));
        assert_eq!(count(&body).segments, 2);
    }

    #[test]
    fn ucs2_boundaries() {
        let got = count(&repeat("ç", 70));
        assert_eq!(
            (got.encoding, got.segments, got.remaining_in_segment),
            (Encoding::Ucs2, 1, 0)
        );
        let got = count(&repeat("ç", 71));
        assert_eq!(
            (got.segments, got.units, got.remaining_in_segment),
            (2, 71, 63)
        );
        assert_eq!(count(&repeat("ç", 134)).segments, 2);
        assert_eq!(count(&repeat("ç", 135)).segments, 3);
        // GSM extension characters are ordinary 1-unit characters in UCS-2.
        assert_eq!(count(&format!("ç{}", repeat("]", 69))).segments, 1);
    }

    #[test]
    fn emoji_at_ucs2_boundary_moves_whole() {
        // The emoji would take units 67 and 68: the pair moves to segment 2.
        let body = format!("{}😀{}", repeat("ç", 66), repeat("ç", 10));
        let got = count(&body);
        assert_eq!((got.units, got.segments), (78, 2));
        let parts = split(&body);
        assert_eq!(parts[0], repeat("ç", 66));
        assert!(parts[1].starts_with('😀'));
        assert_eq!(got.remaining_in_segment, 67 - 12);

        // 134 units would fit 2 × 67, but the gap costs a third segment.
        let got = count(&format!("{}😀{}", repeat("ç", 66), repeat("ç", 66)));
        assert_eq!((got.units, got.segments), (134, 3));

        // Ending exactly on unit 67 is fine.
        let body = format!("{}😀{}", repeat("ç", 65), repeat("ç", 10));
        assert_eq!(split(&body)[0], format!("{}😀", repeat("ç", 65)));

        // A single segment holds 70 units however the emoji falls.
        let got = count(&format!("{}😀", repeat("ç", 68)));
        assert_eq!(
            (got.units, got.segments, got.remaining_in_segment),
            (70, 1, 0)
        );
    }

    #[test]
    fn line_breaks_count_as_sent() {
        assert_eq!(count("a\r\nb").units, 4);
        assert_eq!(count("a\nb").units, 3);
        assert_eq!(count("a\r\nb").encoding, Encoding::Gsm7);
    }

    #[test]
    fn gsm7_alphabet() {
        // All 127 characters of the default alphabet (0x1B is the escape), in table order.
        let basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                     ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
        assert_eq!(basic.chars().count(), 127);
        let got = count(basic);
        assert_eq!((got.encoding, got.units), (Encoding::Gsm7, 127));
        let extension = "\u{0C}^{}\\[~]|€";
        assert_eq!(count(extension).units, 20);

        // Look-alikes and near misses that are not in GSM-7.
        for c in [
            '`', 'ç', 'á', 'Á', 'ê', '’', '‘', '“', '”', '–', '—', '…', '\t', '\u{A0}', '\u{1B}',
            '\u{2126}', 'Ê', '•', '©',
        ] {
            assert!(!is_gsm7(c), "{c:?}");
            assert_eq!(count(&c.to_string()).encoding, Encoding::Ucs2, "{c:?}");
        }
    }

    #[test]
    fn non_gsm_chars_lists_each_once_in_order() {
        assert_eq!(
            non_gsm_chars("It’s “ready” — isn’t it?"),
            ['’', '“', '”', '—']
        );
        assert_eq!(non_gsm_chars("Çà va, ça va"), ['ç']);
        assert_eq!(non_gsm_chars("❤️"), ['❤', '\u{FE0F}']);
        assert!(non_gsm_chars("Plain text with {braces} and €").is_empty());
    }

    #[test]
    fn astral_chars_count_two_units() {
        let got = count("🇮🇹 🏳️‍🌈");
        assert_eq!(got.encoding, Encoding::Ucs2);
        assert_eq!(got.chars, 2 + 1 + 4);
        assert_eq!(got.units, 4 + 1 + 6);
    }

    /// Splitting invariants over many generated bodies mixing 1- and 2-unit characters.
    #[test]
    fn split_agrees_with_count() {
        let gsm = ['a', ' ', 'é', '€', '[', '\n', 'Ω'];
        let ucs = ['a', '€', 'ç', '😀', '’', '\u{FE0F}'];
        let mut seed = 0x2545_f491_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for round in 0..2000 {
            let palette: &[char] = if round % 2 == 0 { &gsm } else { &ucs };
            let len = next() as usize % 500;
            let body: String = (0..len)
                .map(|_| palette[next() as usize % palette.len()])
                .collect();
            let got = count(&body);
            let parts = split(&body);
            assert_eq!(parts.concat(), body);
            assert_eq!(parts.len(), got.segments as usize, "{body:?}");
            let limit = if parts.len() > 1 {
                got.encoding.multipart_segment_units()
            } else {
                got.encoding.single_segment_units()
            };
            let sizes: Vec<u32> = parts.iter().map(|p| units_of(p, got.encoding)).collect();
            assert_eq!(sizes.iter().sum::<u32>(), got.units);
            assert!(sizes.iter().all(|&s| s > 0 && s <= limit), "{sizes:?}");
            // Greedy: each segment is full up to the next character.
            for pair in parts.windows(2) {
                let next_char = pair[1].chars().next().unwrap();
                let first = units_of(pair[0], got.encoding);
                assert!(first + got.encoding.units(next_char) > limit);
            }
            assert_eq!(got.remaining_in_segment, limit - sizes.last().unwrap_or(&0));
        }
    }
}
