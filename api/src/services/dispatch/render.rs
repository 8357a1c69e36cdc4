//! A campaign text as it goes out: the template rendered with the customer's data (strict:
//! a name the template does not know is an error, never a silent gap), missing values
//! replaced by their fallbacks, links turned into counted short links, the sender named, and
//! opt-out language on marketing.

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior, Value};
use rand::Rng;
use textback_shared::message_warnings::{OPT_OUT_LANGUAGE, has_opt_out_language};
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
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let in_use = used.iter().any(|u| u.name == variable.name);
        let value = match given {
            Some(url) if in_use && LINK_VARIABLES.contains(&variable.name) => {
                let code = new_code();
                let short = format!("{}{code}", template.link_base);
                links.push((code, url.to_owned()));
                short
            }
            Some(value) => value.to_owned(),
            None if in_use && variable.required => return Err(RenderError::Missing(variable.name)),
            None => variable.fallback.to_owned(),
        };
        context.insert(variable.name.to_owned(), value);
    }
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let text = env
        .render_str(template.body, Value::from(context))
        .map_err(|e| RenderError::Template(e.to_string()))?;
    let mut body = tidy(&text);
    if !mentions(&body, template.store_name) {
        body = format!("{}: {body}", template.store_name.trim());
    }
    if template.marketing && !has_opt_out_language(&body) {
        body = format!("{body} {OPT_OUT_LANGUAGE}");
    }
    Ok(Rendered { body, links })
}

fn mentions(body: &str, store_name: &str) -> bool {
    let name = store_name.trim();
    name.is_empty() || body.to_lowercase().contains(&name.to_lowercase())
}

/// A value with no stand-in leaves a gap: close it (no doubled spaces, no space before
/// punctuation).
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for part in text.split(' ').filter(|p| !p.is_empty()) {
        let glue = !out.is_empty() && !part.starts_with([',', '.', '!', '?', ':', ';']);
        if glue && !out.ends_with('\n') {
            out.push(' ');
        }
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
}
