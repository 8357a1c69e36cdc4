//! A campaign text as it goes out: the template rendered with the customer's data (strict:
//! a name the template does not know is an error, never a silent gap), missing values
//! replaced by their fallbacks, links turned into counted short links, the sender named, and
//! opt-out language on marketing.

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior, Value};
use rand::Rng;
use textback_shared::message_warnings::{
    OPT_OUT_LANGUAGE, sender_prefix, template_has_opt_out_language,
};
use textback_shared::templates::{self, CampaignKind};

/// The data a template may use, by variable name; `None` or empty when unknown.
pub type Values<'a> = Vec<(&'static str, Option<String>)>;

/// Variables whose values are links: sent as short links that count clicks.
const LINK_VARIABLES: [&str; 2] = ["cart_url", "tracking_url"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub body: String,
    /// (code, target) of each short link in the body.
    pub links: Vec<(String, String)>,
}

/// Why a text cannot be rendered: it is then not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// A value the message cannot do without (the cart link, the order number) is missing.
    #[error("no {0} for this customer")]
    Missing(&'static str),
    #[error("the message template cannot be rendered: {0}")]
    Template(String),
}

pub struct Template<'a> {
    pub kind: CampaignKind,
    pub body: &'a str,
    pub store_name: &'a str,
    pub marketing: bool,
    /// `{PUBLIC_BASE_URL}/r/`, to which a link's code is appended.
    pub link_base: &'a str,
}

pub fn render(template: &Template<'_>, values: &Values<'_>) -> Result<Rendered, RenderError> {
    let used = templates::find_variables(template.body);
    let mut links = Vec::new();
    let mut context = BTreeMap::new();
    for variable in templates::variables(template.kind) {
        let given = values
            .iter()
            .find(|(name, _)| *name == variable.name)
            .and_then(|(_, value)| value.as_deref())
            .map(one_line)
            .filter(|v| !v.is_empty())
            .filter(|v| variable.name != "first_name" || is_usable_name(v));
        let in_use = used.iter().any(|u| u.name == variable.name);
        let value = match given {
            Some(url) if in_use && LINK_VARIABLES.contains(&variable.name) => {
                let code = new_code();
                let short = format!("{}{code}", template.link_base);
                links.push((code, url));
                short
            }
            Some(value) => value,
            None if in_use && variable.required => return Err(RenderError::Missing(variable.name)),
            None if variable.fallback.is_empty() => GAP.to_string(),
            None => variable.fallback.to_owned(),
        };
        context.insert(variable.name.to_owned(), value);
    }
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let text = env
        .render_str(&engine_source(template.body, &used), Value::from(context))
        .map_err(|e| RenderError::Template(e.to_string()))?;
    let mut body = close_gaps(&text);
    // Whether the text names the sender and says how to opt out is decided on the merchant's
    // own words, never on the customer's data: a store called "Pit Stop" or a customer
    // called "Stop" does not tell anyone how to opt out.
    // The same rules the editor counts segments with (`message_warnings`).
    if let Some(prefix) = sender_prefix(template.body, template.store_name) {
        body = format!("{prefix}{body}");
    }
    if template.marketing && !template_has_opt_out_language(template.body) {
        body = format!("{body} {OPT_OUT_LANGUAGE}");
    }
    Ok(Rendered { body, links })
}

/// The template as the engine reads it, each `{{ name }}` written plainly: the editor takes
/// any whitespace inside the braces (a non-breaking space pasted from a document) as
/// spacing, while the engine knows only ASCII whitespace and would refuse the template.
fn engine_source(body: &str, used: &[templates::VariableUse]) -> String {
    let mut out = String::with_capacity(body.len());
    let mut last = 0;
    for variable in used {
        out.push_str(&body[last..variable.span.start]);
        out.push_str(&format!("{{{{ {} }}}}", variable.name));
        last = variable.span.end;
    }
    out.push_str(&body[last..]);
    out
}

/// Stands in for a missing value that has no fallback, so the space around it can be closed.
/// A noncharacter: never in a template (`one_line` removes it from values).
const GAP: char = '\u{FDD0}';

/// A customer's first name longer than this is not a name (or not one to text back): the
/// fallback is used.
const MAX_FIRST_NAME_CHARS: usize = 40;

/// A value as it may appear inside a text: on one line, with no control or bidirectional
/// formatting characters (which could move or hide the text around it), spaces collapsed.
fn one_line(value: &str) -> String {
    let hidden = |c: &char| {
        (c.is_control() && !c.is_whitespace())
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            || *c == GAP
    };
    let visible = value.chars().filter(|c| !hidden(c));
    let mut out = String::with_capacity(value.len());
    for c in visible {
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_owned()
}

/// Whether a (cleaned) first name can be put in a text: a name is short and is no link, so
/// whoever types a stranger's number at checkout cannot make the store text them a message.
fn is_usable_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    name.chars().count() <= MAX_FIRST_NAME_CHARS
        && !lower.contains("://")
        && !lower.contains("www.")
}

/// Closes the gap each missing value left ("your {{ cart_total }} cart", "Track: {{
/// tracking_url }}"): no doubled space, no space before punctuation, none at a line's ends.
/// Everything else stays as the merchant typed it, as the editor's preview shows it.
fn close_gaps(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space_removed = false;
    for (i, part) in text.split(GAP).enumerate() {
        let mut part = part;
        if i > 0 {
            let kept = out.trim_end_matches([' ', '\t']).len();
            space_removed |= kept < out.len();
            out.truncate(kept);
            let rest = part.trim_start_matches([' ', '\t']);
            space_removed |= rest.len() < part.len();
            part = rest;
        }
        if part.is_empty() {
            continue;
        }
        let mid_line = !out.is_empty() && !out.ends_with('\n');
        let before_punctuation = part.starts_with(['\r', '\n', ',', '.', '!', '?', ':', ';', ')']);
        if space_removed && mid_line && !before_punctuation {
            out.push(' ');
        }
        space_removed = false;
        out.push_str(part);
    }
    out.trim().to_owned()
}

/// Eight base-62 characters: 2 × 10^14 codes, so a collision is not a practical concern
/// (and the unique index would refuse one).
fn new_code() -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(8)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cart_template(body: &str) -> Template<'_> {
        Template {
            kind: CampaignKind::AbandonedCart,
            body,
            store_name: "Maple & Pine",
            marketing: true,
            link_base: "https://tb.example/r/",
        }
    }

    fn values(first_name: Option<&str>, cart_url: Option<&str>) -> Values<'static> {
        vec![
            ("first_name", first_name.map(str::to_owned)),
            ("store_name", Some("Maple & Pine".into())),
            ("cart_url", cart_url.map(str::to_owned)),
            ("cart_total", Some("$84.00".into())),
            ("discount_code", None),
        ]
    }

    #[test]
    fn renders_values_with_a_short_link_and_opt_out_language() {
        let template = cart_template(
            "Hi {{ first_name }}, your {{ cart_total }} cart at {{ store_name }}: {{ cart_url }}",
        );
        let out = render(
            &template,
            &values(Some("Ada"), Some("https://shop.example/c/1")),
        )
        .unwrap();
        let (code, target) = &out.links[0];
        assert_eq!(target, "https://shop.example/c/1");
        assert_eq!(
            out.body,
            format!(
                "Hi Ada, your $84.00 cart at Maple & Pine: https://tb.example/r/{code} Reply STOP to opt out."
            )
        );
    }

    #[test]
    fn a_missing_first_name_falls_back_and_the_sender_is_named() {
        let template = cart_template(
            "Hi {{ first_name }}, your cart is waiting: {{ cart_url }}. Text STOP to end.",
        );
        let out = render(&template, &values(None, Some("https://shop.example/c/1"))).unwrap();
        assert!(
            out.body.starts_with("Maple & Pine: Hi there, your cart"),
            "{}",
            out.body
        );
        assert!(
            !out.body.contains("Reply STOP"),
            "already has opt-out language: {}",
            out.body
        );
    }

    #[test]
    fn a_required_value_missing_means_no_text() {
        let template = cart_template("Come back: {{ cart_url }}");
        assert_eq!(
            render(&template, &values(Some("Ada"), None)),
            Err(RenderError::Missing("cart_url"))
        );
        let code = cart_template("Use {{ discount_code }} today");
        assert_eq!(
            render(&code, &values(Some("Ada"), None)),
            Err(RenderError::Missing("discount_code"))
        );
    }

    #[test]
    fn an_unknown_variable_is_an_error_not_a_gap() {
        let template = cart_template("Hi {{ nickname }}");
        assert!(matches!(
            render(&template, &values(None, None)),
            Err(RenderError::Template(_))
        ));
    }

    #[test]
    fn transactional_texts_carry_no_opt_out_language() {
        let template = Template {
            kind: CampaignKind::OrderShipped,
            body: "{{ store_name }}: order {{ order_number }} shipped. Track: {{ tracking_url }}",
            store_name: "Maple & Pine",
            marketing: false,
            link_base: "https://tb.example/r/",
        };
        let given = vec![
            ("store_name", Some("Maple & Pine".to_owned())),
            ("order_number", Some("#1001".to_owned())),
            ("tracking_url", None),
        ];
        let out = render(&template, &given).unwrap();
        assert_eq!(out.body, "Maple & Pine: order #1001 shipped. Track:");
        assert!(out.links.is_empty());
    }

    fn cart_values(store: &str, first_name: Option<&str>) -> Values<'static> {
        vec![
            ("first_name", first_name.map(str::to_owned)),
            ("store_name", Some(store.to_owned())),
            ("cart_url", Some("https://shop.example/c/1".into())),
            ("cart_total", None),
            ("discount_code", None),
        ]
    }

    #[test]
    fn opt_out_language_and_the_sender_depend_on_the_merchants_words_not_the_data() {
        let body = "Hi {{ first_name }}, your cart at {{ store_name }} is waiting: {{ cart_url }}";
        let mut template = cart_template(body);
        template.store_name = "Pit Stop Auto";
        let out = render(&template, &cart_values("Pit Stop Auto", Some("Ada"))).unwrap();
        assert!(
            out.body.starts_with("Hi Ada, your cart at Pit Stop Auto"),
            "{}",
            out.body
        );
        assert!(
            out.body.ends_with(" Reply STOP to opt out."),
            "{}",
            out.body
        );

        // "Stop" that is no instruction is no opt-out language either.
        let template = cart_template("Don't stop shopping, {{ first_name }}: {{ cart_url }}");
        let out = render(&template, &cart_values("Maple & Pine", Some("Ada"))).unwrap();
        assert!(
            out.body.ends_with(" Reply STOP to opt out."),
            "{}",
            out.body
        );

        // A customer's name is no opt-out language and does not name the store.
        let template = cart_template("Hi {{ first_name }}, your cart: {{ cart_url }}");
        for name in ["Stop", "Maple & Pine"] {
            let out = render(&template, &cart_values("Maple & Pine", Some(name))).unwrap();
            assert!(out.body.starts_with("Maple & Pine: Hi "), "{}", out.body);
            assert!(
                out.body.ends_with(" Reply STOP to opt out."),
                "{}",
                out.body
            );
        }
    }

    #[test]
    fn a_customers_name_goes_in_on_one_line_and_only_if_it_is_a_name() {
        let template = cart_template("Hi {{ first_name }}, your cart: {{ cart_url }}");
        let sent = |name: &str| {
            render(&template, &cart_values("Maple & Pine", Some(name)))
                .unwrap()
                .body
        };
        assert!(sent("Ada\r\nLovelace\t").starts_with("Maple & Pine: Hi Ada Lovelace, your"));
        // A right-to-left override would show the rest of the text backwards.
        assert!(sent("\u{202E}Ada").starts_with("Maple & Pine: Hi Ada, your"));
        assert!(sent("محمد 😀").starts_with("Maple & Pine: Hi محمد 😀, your"));
        assert!(sent("{{ cart_url }}").starts_with("Maple & Pine: Hi {{ cart_url }}, your"));
        for not_a_name in [
            "A".repeat(41),
            "Ada. Your account is locked: https://phish.example".into(),
            "visit www.phish.example".into(),
            "\n\u{202E} \n".into(),
        ] {
            assert!(
                sent(&not_a_name).starts_with("Maple & Pine: Hi there, your cart"),
                "{not_a_name:?}: {}",
                sent(&not_a_name)
            );
        }
    }

    #[test]
    fn only_the_gap_of_a_missing_value_is_closed() {
        let sent = |body: &str| {
            render(&cart_template(body), &cart_values("Maple & Pine", None))
                .unwrap()
                .body
        };
        assert_eq!(
            sent("Your {{ cart_total }} cart at {{ store_name }} is waiting :) {{ cart_url }}")
                .split(" https://")
                .next()
                .unwrap(),
            "Your cart at Maple & Pine is waiting :)"
        );
        assert!(
            sent("{{ store_name }}: total {{ cart_total }}.\n  See {{ cart_url }}")
                .starts_with("Maple & Pine: total.\n  See https://")
        );
        assert!(
            sent("{{ store_name }}:\n{{ cart_total }} {{ cart_total }}\nok {{ cart_url }}")
                .starts_with("Maple & Pine:\n\nok https://")
        );
    }

    #[test]
    fn any_spacing_the_editor_accepts_inside_the_braces_renders() {
        for body in [
            "Hi {{\u{A0}first_name }}: {{ cart_url }}",
            "Hi {{\u{3000}first_name\u{2003}}}: {{\u{0B}cart_url\u{85}}}",
            "Hi {{\r\nfirst_name\t}}: {{cart_url}}",
        ] {
            assert_eq!(templates::check(CampaignKind::AbandonedCart, body), []);
            let out = render(
                &cart_template(body),
                &cart_values("Maple & Pine", Some("Ada")),
            );
            assert!(
                out.as_ref()
                    .is_ok_and(|o| o.body.starts_with("Maple & Pine: Hi Ada: https://")),
                "{body:?}: {out:?}"
            );
        }
    }
}
