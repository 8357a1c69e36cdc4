//! Advice on a campaign message that never keeps it from being saved: what the sender will
//! add to it, characters that make it cost more, and links that will not count clicks. The
//! editor shows these as the merchant types.

use crate::segments::{self, Encoding};
use crate::templates::{self, CampaignKind};

/// What the sender appends to a marketing text that has no STOP keyword of its own.
pub const OPT_OUT_LANGUAGE: &str = "Reply STOP to opt out.";

/// Variables whose values go out as short links that count clicks, and what they link to.
const LINK_VARIABLES: [(&str, &str); 2] = [
    ("cart_url", "the customer's cart"),
    ("tracking_url", "the carrier's tracking page"),
];

/// At most this many characters or links are named in one warning.
const NAMED_AT_MOST: usize = 5;

/// Something about a message worth knowing before it goes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageWarning {
    /// A marketing text without a STOP keyword: [`OPT_OUT_LANGUAGE`] is added when it is sent.
    NoOptOut,
    /// Characters outside GSM-7 force UCS-2, and the text takes more segments than it would
    /// without them.
    Ucs2Cost {
        /// Each character once, in order, together with what joins it (an emoji's variation
        /// selector or skin tone, the rest of a ZWJ sequence) so it shows as typed.
        chars: Vec<String>,
        segments: u32,
        segments_without: u32,
    },
    /// Links typed out rather than inserted as the kind's link variable.
    LiteralLink {
        /// Each link once, in order.
        links: Vec<String>,
        /// The kind's link variable and what it links to, when it has one.
        variable: Option<(&'static str, &'static str)>,
    },
}

impl MessageWarning {
    /// A short name for the kind of warning: `opt-out`, `ucs2-cost` or `literal-link`.
    pub fn kind(&self) -> &'static str {
        match self {
            MessageWarning::NoOptOut => "opt-out",
            MessageWarning::Ucs2Cost { .. } => "ucs2-cost",
            MessageWarning::LiteralLink { .. } => "literal-link",
        }
    }

    pub fn title(&self) -> &'static str {
        match self {
            MessageWarning::NoOptOut => "No opt-out language",
            MessageWarning::Ucs2Cost { .. } => "Costs more",
            MessageWarning::LiteralLink { .. } => "Link not using a variable",
        }
    }
}

impl std::fmt::Display for MessageWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MessageWarning::NoOptOut => write!(
                f,
                "Marketing texts must say how to opt out, so “{OPT_OUT_LANGUAGE}” is added at the \
                 end when this one is sent. To word it yourself, use the word STOP, e.g. “Text \
                 STOP to stop”."
            ),
            MessageWarning::Ucs2Cost {
                chars,
                segments,
                segments_without,
            } => {
                let verb = if chars.len() == 1 { "makes" } else { "make" };
                write!(
                    f,
                    "{} {verb} this {segments} segments instead of {segments_without}: each send \
                     is billed for {} more.",
                    quoted_list(chars),
                    segments - segments_without
                )
            }
            MessageWarning::LiteralLink { links, variable } => {
                let (verb, their) = if links.len() == 1 {
                    ("is", "its")
                } else {
                    ("are", "their")
                };
                write!(
                    f,
                    "{} {verb} sent as typed: not shortened, and {their} clicks are not tracked.",
                    quoted_list(links)
                )?;
                if let Some((name, target)) = variable {
                    write!(
                        f,
                        " To link to {target}, use {{{{ {name} }}}}: it is shortened and tracked."
                    )?;
                }
                Ok(())
            }
        }
    }
}

/// “a”, “b”, …
fn quoted_list(items: &[String]) -> String {
    let shown: Vec<String> = items
        .iter()
        .take(NAMED_AT_MOST)
        .map(|item| format!("“{item}”"))
        .collect();
    let more = if items.len() > NAMED_AT_MOST {
        ", …"
    } else {
        ""
    };
    format!("{}{more}", shown.join(", "))
}

/// Cart reminders are marketing; order notifications are transactional and carry no opt-out
/// language.
pub fn is_marketing(kind: CampaignKind) -> bool {
    kind == CampaignKind::AbandonedCart
}

/// Whether `text` already tells the customer how to stop texts: the word "stop" (any case)
/// given as a keyword, after "reply", "text", "txt", "send", "sms" or "msg", or before "to"
/// or "2". The sender's rule: "Text STOP to end" and "STOP to opt out" count, while "Don't
/// stop shopping!" and "Nonstop deals" are no instructions, and get the opt-out line added.
pub fn has_opt_out_language(text: &str) -> bool {
    const ASKS: [&str; 6] = ["reply", "text", "txt", "send", "sms", "msg"];
    const LEADS: [&str; 2] = ["to", "2"];
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let is_one_of = |word: Option<&&str>, list: &[&str]| {
        word.is_some_and(|w| list.iter().any(|l| w.eq_ignore_ascii_case(l)))
    };
    words.iter().enumerate().any(|(i, word)| {
        word.eq_ignore_ascii_case("stop")
            && (is_one_of(i.checked_sub(1).and_then(|p| words.get(p)), &ASKS)
                || is_one_of(words.get(i + 1), &LEADS))
    })
}

/// What the sender puts before a text that does not name its store, `"Maple & Pine: "`, so
/// the customer knows who is texting; `None` when the template uses `{{ store_name }}` or its
/// own words (not a customer's data) contain the name.
pub fn sender_prefix(template: &str, store_name: &str) -> Option<String> {
    let name = store_name.trim();
    let uses_variable = templates::find_variables(template)
        .iter()
        .any(|v| v.name == "store_name");
    let own_words = templates::literal_text(template).to_lowercase();
    let named = name.is_empty() || uses_variable || own_words.contains(&name.to_lowercase());
    (!named).then(|| format!("{name}: "))
}

/// Whether the merchant's own words in `template` (not a customer's data, nor the store's
/// name) say how to opt out: the sender's rule for adding [`OPT_OUT_LANGUAGE`].
pub fn template_has_opt_out_language(template: &str) -> bool {
    has_opt_out_language(&templates::literal_text(template))
}

/// Whether the sender appends [`OPT_OUT_LANGUAGE`] to messages of `kind` from `template`.
/// Decided on the template, not on a rendered text, which can say STOP in a value (a store
/// called "Pit Stop").
pub fn adds_opt_out_language(kind: CampaignKind, template: &str) -> bool {
    is_marketing(kind) && !template.trim().is_empty() && !template_has_opt_out_language(template)
}

/// The template's preview for the store as it goes out, with the store's name and the
/// opt-out language the sender adds, so the segment count matches what is billed.
pub fn as_sent(kind: CampaignKind, template: &str, store_name: &str) -> String {
    // Trimmed, as the sender trims the text it renders.
    let preview = templates::preview_for(kind, template, store_name);
    let preview = preview.trim();
    let prefix = sender_prefix(template, store_name).unwrap_or_default();
    if adds_opt_out_language(kind, template) {
        format!("{prefix}{preview} {OPT_OUT_LANGUAGE}")
    } else {
        format!("{prefix}{preview}")
    }
}

/// Everything worth knowing about `template` as a message of `kind`, in the order the editor
/// lists them; none for an empty template, which [`templates::check`] already refuses.
pub fn warnings(kind: CampaignKind, template: &str, store_name: &str) -> Vec<MessageWarning> {
    if template.trim().is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    if adds_opt_out_language(kind, template) {
        found.push(MessageWarning::NoOptOut);
    }
    if let Some(cost) = ucs2_cost(&as_sent(kind, template, store_name)) {
        found.push(cost);
    }
    // Checked on the template: the preview's example values are links themselves.
    let links = literal_links(template);
    if !links.is_empty() {
        let variable = LINK_VARIABLES
            .into_iter()
            .find(|(name, _)| templates::variable(kind, name).is_some());
        found.push(MessageWarning::LiteralLink { links, variable });
    }
    found
}

/// A [`MessageWarning::Ucs2Cost`] when the characters outside GSM-7 add segments to `text`.
fn ucs2_cost(text: &str) -> Option<MessageWarning> {
    let with = segments::count(text);
    if with.encoding != Encoding::Ucs2 {
        return None;
    }
    let without: String = text.chars().filter(|c| segments::is_gsm7(*c)).collect();
    let segments_without = segments::count(&without).segments;
    // A text of nothing but such characters has nothing to compare with.
    (segments_without > 0 && with.segments > segments_without).then(|| MessageWarning::Ucs2Cost {
        chars: forcing_characters(text),
        segments: with.segments,
        segments_without,
    })
}

/// The characters of `text` that force UCS-2, each once, in order of first appearance,
/// grouped with the characters that join them so that "❤️", "👍🏽", "🇮🇹" or "1️⃣" show whole
/// rather than as invisible selectors and halves of flags.
fn forcing_characters(text: &str) -> Vec<String> {
    fn keep(found: &mut Vec<String>, current: &mut String) {
        let group = std::mem::take(current);
        if !group.is_empty() && !found.contains(&group) {
            found.push(group);
        }
    }
    let mut found = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let joins = !current.is_empty()
            && (modifies_previous(c)
                || previous == Some('\u{200D}')
                || (is_regional_indicator(c)
                    && current.chars().all(is_regional_indicator)
                    && current.chars().count() % 2 == 1));
        if joins {
            current.push(c);
        } else {
            keep(&mut found, &mut current);
            if !segments::is_gsm7(c) {
                // A mark on a GSM-7 character ("e" + combining acute, "1" + keycap) shows
                // with that character.
                if let Some(base) = previous.filter(|_| modifies_previous(c)) {
                    current.push(base);
                }
                current.push(c);
            }
        }
        previous = Some(c);
    }
    keep(&mut found, &mut current);
    found
}

/// Characters that change the one before them rather than stand alone.
fn modifies_previous(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' // combining diacritical marks
        | '\u{200D}' // zero-width joiner
        | '\u{20E3}' // combining keycap
        | '\u{FE00}'..='\u{FE0F}' // variation selectors
        | '\u{1F3FB}'..='\u{1F3FF}' // skin tones
        | '\u{E0020}'..='\u{E007F}' // tags (subdivision flags)
    )
}

/// Two in a row make a flag.
fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

/// Links typed into `template` (`http://…`, `https://…`, `www.…`, any case), each once, in
/// order. A link ends at whitespace or a brace, and punctuation that ends the sentence is not
/// part of it.
fn literal_links(template: &str) -> Vec<String> {
    // ASCII lowercasing keeps byte offsets, so positions found in it index `template`.
    let lower = template.to_ascii_lowercase();
    let mut links: Vec<String> = Vec::new();
    let mut from = 0;
    while let Some(start) = next_link_start(&lower, from) {
        let rest = &template[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '{' | '}' | '<' | '>' | '"'))
            .unwrap_or(rest.len());
        let link = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'']);
        // A bare "www." is more likely a word being typed than a link.
        if link.len() > "www.".len() && !links.iter().any(|l| l == link) {
            links.push(link.to_owned());
        }
        from = start + end;
    }
    links
}

/// Where the next link starts in `lower` at or after `from`: a scheme anywhere, `www.` only at
/// the start of a word.
fn next_link_start(lower: &str, from: usize) -> Option<usize> {
    let scheme = ["https://", "http://"]
        .into_iter()
        .filter_map(|prefix| lower[from..].find(prefix).map(|i| from + i))
        .min();
    let www = lower[from..]
        .match_indices("www.")
        .map(|(i, _)| from + i)
        .find(|&i| {
            !lower[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '.' | '-'))
        });
    scheme.into_iter().chain(www).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CART: CampaignKind = CampaignKind::AbandonedCart;

    fn kinds(kind: CampaignKind, template: &str) -> Vec<&'static str> {
        warnings(kind, template, "")
            .iter()
            .map(MessageWarning::kind)
            .collect()
    }

    #[test]
    fn stop_given_as_a_keyword_is_opt_out_language() {
        for text in [
            "Text STOP to end",
            "Reply stop to end",
            "Reply Stop.",
            "Reply STOP=end",
            "STOP to opt out",
            "Msg&data rates may apply. Txt STOP 2 quit",
            "Can't stop? Reply STOP",
        ] {
            assert!(has_opt_out_language(text), "{text}");
        }
        for text in [
            "Don't stop shopping!",
            "Stop by our store today",
            "Never stop exploring: https://shop.example",
            "(STOP)",
            "Texts from us? STOP!",
            "Nonstop deals",
            "Stopped by?",
            "STOPS",
            "S T O P",
            "st0p",
            "",
            "No opt out here",
        ] {
            assert!(!has_opt_out_language(text), "{text}");
        }
    }

    #[test]
    fn cart_reminders_without_stop_warn_and_are_counted_with_the_added_line() {
        let template = "Hi {{ first_name }}, your cart is waiting: {{ cart_url }}";
        assert_eq!(kinds(CART, template), ["opt-out"]);
        assert_eq!(
            as_sent(CART, template, ""),
            "Hi Jamie, your cart is waiting: https://mapleandpine.example/cart/c1a2b3 \
             Reply STOP to opt out."
        );
        // Trailing whitespace is not doubled before the added line.
        assert!(as_sent(CART, "Come back \n", "").ends_with("Come back Reply STOP to opt out."));

        let with_stop = "Hi {{ first_name }}: {{ cart_url }} Text STOP to stop";
        assert_eq!(kinds(CART, with_stop), Vec::<&str>::new());
        assert_eq!(
            as_sent(CART, with_stop, ""),
            templates::preview(CART, with_stop)
        );
    }

    #[test]
    fn the_counter_adds_what_the_sender_adds_whatever_the_store_is_called() {
        // The sender decides on the merchant's words: "Pit Stop to check out" says nothing
        // about opting out, so the line is added, and counted.
        let template = "Come back to {{ store_name }} to check out: {{ cart_url }}";
        assert!(as_sent(CART, template, "Pit Stop").ends_with(" Reply STOP to opt out."));
        assert_eq!(
            warnings(CART, template, "Pit Stop")[0],
            MessageWarning::NoOptOut
        );
        // The sender trims the text it renders; so is the count.
        assert_eq!(
            as_sent(
                CampaignKind::OrderUpdate,
                "\n Order {{ order_number }} is in.\n",
                ""
            ),
            "Order #1042 is in."
        );
    }

    #[test]
    fn the_store_name_the_sender_adds_is_counted() {
        let shipped = CampaignKind::OrderShipped;
        let template = "Order {{ order_number }} is on its way: {{ tracking_url }}";
        assert_eq!(
            sender_prefix(template, "Maple & Pine"),
            Some("Maple & Pine: ".into())
        );
        assert!(as_sent(shipped, template, "Maple & Pine").starts_with("Maple & Pine: Order "));
        // Named by the variable (with the store's own name) or by the merchant's words.
        assert_eq!(
            as_sent(shipped, "{{ store_name }}: shipped!", "Maple & Pine"),
            "Maple & Pine: shipped!"
        );
        assert_eq!(
            sender_prefix("Thanks from maple & pine!", "Maple & Pine"),
            None
        );
        // A customer's data never names the store: only the merchant's words count.
        assert!(sender_prefix("Hi {{ first_name }}!", "Ada").is_some());
        // 150 characters fit one segment; with the name the sender adds, they are billed two.
        let long = format!("{}Bye.", "Thanks for shopping with us. ".repeat(5));
        assert_eq!(long.len(), 149);
        assert_eq!(segments::count(&as_sent(shipped, &long, "")).segments, 1);
        assert_eq!(
            segments::count(&as_sent(shipped, &long, "Maple & Pine")).segments,
            2
        );
    }

    #[test]
    fn order_notifications_are_not_marketing() {
        for kind in [
            CampaignKind::OrderUpdate,
            CampaignKind::OrderShipped,
            CampaignKind::OrderOnHold,
        ] {
            let template = "Order {{ order_number }} is {{ order_status }}.";
            assert_eq!(kinds(kind, template), Vec::<&str>::new(), "{kind:?}");
            assert_eq!(
                as_sent(kind, template, ""),
                templates::preview(kind, template)
            );
        }
    }

    #[test]
    fn an_empty_template_has_no_warnings() {
        for template in ["", "  \n"] {
            assert_eq!(warnings(CART, template, ""), []);
        }
        assert_eq!(as_sent(CART, "", ""), "");
    }

    #[test]
    fn a_character_that_adds_a_segment_is_named_with_the_cost() {
        // 96 characters as sent: one GSM-7 segment (160) without the sparkle, two UCS-2 (70).
        let template = "Hi {{ first_name }}, your cart is waiting ✨ {{ cart_url }}";
        let found = warnings(CART, template, "");
        assert_eq!(
            found[1],
            MessageWarning::Ucs2Cost {
                chars: vec!["✨".into()],
                segments: 2,
                segments_without: 1,
            }
        );
        assert_eq!(
            found[1].to_string(),
            "“✨” makes this 2 segments instead of 1: each send is billed for 1 more."
        );
        // The added opt-out line counts: without it this text fits one UCS-2 segment.
        let short = "Hi {{ first_name }} ✨ come back: {{ cart_url }}";
        assert_eq!(
            segments::count(&templates::preview(CART, short)).segments,
            1
        );
        assert_eq!(kinds(CART, short), ["opt-out", "ucs2-cost"]);
        assert!(!kinds(CART, &format!("{short} Txt STOP")).contains(&"opt-out"));
    }

    #[test]
    fn ucs2_that_costs_nothing_extra_is_not_a_warning() {
        assert_eq!(
            kinds(CampaignKind::OrderUpdate, "Your order is on its way ✨"),
            Vec::<&str>::new()
        );
        // Nothing but such characters: nothing to compare with.
        assert_eq!(
            kinds(CampaignKind::OrderUpdate, &"✨".repeat(60)),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn several_characters_are_each_named_once_with_what_joins_them() {
        let text = format!(
            "It’s “ready” ❤️ 👍🏽 🇮🇹🇫🇷 1\u{FE0F}\u{20E3} 👨\u{200D}👩\u{200D}👧 e\u{301} it’s {}",
            "a".repeat(100)
        );
        let Some(MessageWarning::Ucs2Cost {
            chars,
            segments,
            segments_without,
        }) = ucs2_cost(&text)
        else {
            panic!("no cost for {text}");
        };
        assert_eq!(
            chars,
            [
                "’",
                "“",
                "”",
                "❤\u{FE0F}",
                "👍🏽",
                "🇮🇹",
                "🇫🇷",
                "1\u{FE0F}\u{20E3}",
                "👨\u{200D}👩\u{200D}👧",
                "e\u{301}",
            ]
        );
        assert_eq!((segments, segments_without), (3, 1));
        let message = MessageWarning::Ucs2Cost {
            chars,
            segments,
            segments_without,
        }
        .to_string();
        assert!(
            message.starts_with("“’”, ““”, “””, “❤\u{FE0F}”, “👍🏽”, … make this 3 segments"),
            "{message}"
        );
        assert!(message.ends_with("billed for 2 more."), "{message}");
    }

    #[test]
    fn literal_links_are_found_and_the_kinds_variable_suggested() {
        let template =
            "Sale at https://shop.example/sale, see www.Shop.example. Back: {{ cart_url }}";
        let found = warnings(CART, template, "");
        let MessageWarning::LiteralLink { links, variable } = &found[1] else {
            panic!("{found:?}");
        };
        assert_eq!(links, &["https://shop.example/sale", "www.Shop.example"]);
        assert_eq!(variable.map(|(name, _)| name), Some("cart_url"));
        assert_eq!(
            found[1].to_string(),
            "“https://shop.example/sale”, “www.Shop.example” are sent as typed: not shortened, \
             and their clicks are not tracked. To link to the customer's cart, use \
             {{ cart_url }}: it is shortened and tracked."
        );

        let shipped = warnings(
            CampaignKind::OrderShipped,
            "Track it: HTTP://carrier.example/t/1Z9",
            "",
        );
        assert_eq!(
            shipped[0].to_string(),
            "“HTTP://carrier.example/t/1Z9” is sent as typed: not shortened, and its clicks \
             are not tracked. To link to the carrier's tracking page, use {{ tracking_url }}: \
             it is shortened and tracked."
        );

        let update = warnings(
            CampaignKind::OrderUpdate,
            "Details: https://shop.example/orders",
            "",
        );
        assert_eq!(
            update[0].to_string(),
            "“https://shop.example/orders” is sent as typed: not shortened, and its clicks are \
             not tracked."
        );
    }

    #[test]
    fn link_variables_and_look_alikes_are_not_literal_links() {
        assert!(literal_links("Back: {{ cart_url }} or {{ tracking_url }}").is_empty());
        assert!(literal_links("awww. so cute, http or https: later; www.").is_empty());
        assert_eq!(
            literal_links("Go to https://a.example/x?c={{ cart_total }} or (www.b.example)"),
            ["https://a.example/x?c=", "www.b.example"]
        );
        // Each link once; a link that starts with "www." after a scheme is the same link.
        assert_eq!(
            literal_links("https://www.a.example and https://www.a.example!"),
            ["https://www.a.example"]
        );
        // While a link is being typed, it already counts.
        assert_eq!(literal_links("Shop at https://"), ["https://"]);
    }
}
