//! Campaign message templates: which variables each kind of campaign offers, and the checks
//! the editor shows as the merchant types and the API enforces on save.
//!
//! The syntax is a strict subset of what the server's template engine (minijinja, with
//! undefined variables as errors) accepts: only `{{ identifier }}`, spaces inside the braces
//! optional (any Unicode whitespace: the sender rewrites each use as the engine spells it, since
//! the engine itself knows only ASCII whitespace). Blocks (`{% … %}`) and comments (`{# … #}`) are refused, so a template that
//! passes [`check`] renders there with nothing but the catalogue's variables defined.

use serde::{Deserialize, Serialize};

/// What a campaign's messages are about; it decides which variables are available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CampaignKind {
    AbandonedCart,
    OrderUpdate,
    OrderShipped,
    OrderOnHold,
}

impl CampaignKind {
    pub const ALL: [CampaignKind; 4] = [
        CampaignKind::AbandonedCart,
        CampaignKind::OrderUpdate,
        CampaignKind::OrderShipped,
        CampaignKind::OrderOnHold,
    ];

    /// The wire name, e.g. `abandoned_cart`.
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignKind::AbandonedCart => "abandoned_cart",
            CampaignKind::OrderUpdate => "order_update",
            CampaignKind::OrderShipped => "order_shipped",
            CampaignKind::OrderOnHold => "order_on_hold",
        }
    }

    /// For sentences: "abandoned cart messages".
    pub fn label(self) -> &'static str {
        match self {
            CampaignKind::AbandonedCart => "abandoned cart",
            CampaignKind::OrderUpdate => "order update",
            CampaignKind::OrderShipped => "order shipped",
            CampaignKind::OrderOnHold => "order on hold",
        }
    }
}

/// A template variable as the editor lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Variable {
    /// What goes between the braces: `{{ first_name }}`.
    pub name: &'static str,
    pub description: &'static str,
    /// The value the live preview shows.
    pub example: &'static str,
    /// Put in when the value is missing at send time, so "Hi {{ first_name }}" reads
    /// "Hi there". Empty for values that have no sensible stand-in.
    pub fallback: &'static str,
    /// A message that uses this variable is not sent without a value (the fallback is not
    /// used): a cart reminder without the cart link, or a code that is not there, is worse
    /// than no text.
    pub required: bool,
}

const FIRST_NAME: Variable = Variable {
    name: "first_name",
    description: "The customer's first name.",
    example: "Jamie",
    fallback: "there",
    required: false,
};

const STORE_NAME: Variable = Variable {
    name: "store_name",
    description: "Your store's name.",
    example: "Maple & Pine Outfitters",
    fallback: "our store",
    required: false,
};

const CART_URL: Variable = Variable {
    name: "cart_url",
    description: "A link that reopens the customer's cart.",
    example: "https://mapleandpine.example/cart/c1a2b3",
    fallback: "",
    required: true,
};

const CART_TOTAL: Variable = Variable {
    name: "cart_total",
    description: "The cart's total, with its currency.",
    example: "$84.00",
    fallback: "",
    required: false,
};

const DISCOUNT_CODE: Variable = Variable {
    name: "discount_code",
    description: "The discount code set for this campaign.",
    example: "COMEBACK10",
    fallback: "",
    required: true,
};

const ORDER_NUMBER: Variable = Variable {
    name: "order_number",
    description: "The order's number as the customer knows it.",
    example: "#1042",
    fallback: "",
    required: true,
};

const ORDER_STATUS: Variable = Variable {
    name: "order_status",
    description: "The order's current status, in words.",
    example: "being packed",
    fallback: "",
    required: true,
};

const TRACKING_URL: Variable = Variable {
    name: "tracking_url",
    description: "A link to the carrier's tracking page.",
    example: "https://tracking.example/1Z999AA10123456784",
    fallback: "",
    required: false,
};

const TRACKING_NUMBER: Variable = Variable {
    name: "tracking_number",
    description: "The shipment's tracking number.",
    example: "1Z999AA10123456784",
    fallback: "",
    required: false,
};

/// Every variable any kind offers, for telling "unknown" from "not offered here".
const ALL_VARIABLES: &[Variable] = &[
    FIRST_NAME,
    STORE_NAME,
    CART_URL,
    CART_TOTAL,
    DISCOUNT_CODE,
    ORDER_NUMBER,
    ORDER_STATUS,
    TRACKING_URL,
    TRACKING_NUMBER,
];

/// The variables a kind of campaign offers, in the order the editor lists them.
pub fn variables(kind: CampaignKind) -> &'static [Variable] {
    match kind {
        CampaignKind::AbandonedCart => {
            &[FIRST_NAME, STORE_NAME, CART_URL, CART_TOTAL, DISCOUNT_CODE]
        }
        CampaignKind::OrderUpdate | CampaignKind::OrderOnHold => {
            &[FIRST_NAME, STORE_NAME, ORDER_NUMBER, ORDER_STATUS]
        }
        CampaignKind::OrderShipped => &[
            FIRST_NAME,
            STORE_NAME,
            ORDER_NUMBER,
            ORDER_STATUS,
            TRACKING_URL,
            TRACKING_NUMBER,
        ],
    }
}

/// The variable called `name` if `kind` offers it.
pub fn variable(kind: CampaignKind, name: &str) -> Option<&'static Variable> {
    variables(kind).iter().find(|v| v.name == name)
}

/// Byte offsets into the template, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

/// One `{{ name }}` in a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VariableUse {
    pub name: String,
    /// From the first `{` to the last `}`.
    pub span: Span,
}

/// Something that keeps a template from being saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum TemplateProblem {
    /// Nothing but whitespace.
    Empty,
    /// `{{ name }}` where no campaign kind has such a variable.
    UnknownVariable {
        name: String,
        span: Span,
        /// The closest offered name, for a "did you mean".
        suggestion: Option<String>,
        allowed: Vec<String>,
    },
    /// A real variable that this kind does not offer, e.g. `tracking_url` in a cart reminder.
    NotAvailable {
        name: String,
        span: Span,
        kind: CampaignKind,
        allowed: Vec<String>,
    },
    /// `{{` with no `}}` before the end or before the next `{{`.
    Unclosed { span: Span },
    /// `}}` with no `{{` before it.
    UnmatchedClose { span: Span },
    /// Something other than a bare variable name between `{{` and `}}`: `{{ }}`,
    /// `{{ first name }}`, `{{ name | upper }}`.
    InvalidExpression { span: Span, text: String },
    /// `{% … %}` or `{# … #}`: only `{{ variable }}` is supported.
    UnsupportedSyntax { span: Span },
}

impl TemplateProblem {
    /// Where in the template, for highlighting; `None` for a whole-template problem.
    pub fn span(&self) -> Option<Span> {
        match self {
            TemplateProblem::Empty => None,
            TemplateProblem::UnknownVariable { span, .. }
            | TemplateProblem::NotAvailable { span, .. }
            | TemplateProblem::Unclosed { span }
            | TemplateProblem::UnmatchedClose { span }
            | TemplateProblem::InvalidExpression { span, .. }
            | TemplateProblem::UnsupportedSyntax { span } => Some(*span),
        }
    }
}

impl std::fmt::Display for TemplateProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TemplateProblem::Empty => f.write_str("Write the message text."),
            TemplateProblem::UnknownVariable {
                name,
                suggestion,
                allowed,
                ..
            } => {
                write!(f, "There is no variable called {name}.")?;
                if let Some(suggestion) = suggestion {
                    write!(f, " Did you mean {{{{ {suggestion} }}}}?")?;
                }
                write!(f, " You can use: {}.", allowed.join(", "))
            }
            TemplateProblem::NotAvailable {
                name,
                kind,
                allowed,
                ..
            } => write!(
                f,
                "{name} is not available in {} messages. You can use: {}.",
                kind.label(),
                allowed.join(", ")
            ),
            TemplateProblem::Unclosed { .. } => {
                f.write_str("This {{ is not closed: end the variable with }}.")
            }
            TemplateProblem::UnmatchedClose { .. } => f.write_str("This }} has no {{ before it."),
            TemplateProblem::InvalidExpression { .. } => {
                f.write_str("Only a variable name can go between {{ and }}, like {{ first_name }}.")
            }
            TemplateProblem::UnsupportedSyntax { .. } => {
                f.write_str("Only {{ variable }} is supported here, not {% … %} or {# … #}.")
            }
        }
    }
}

/// A piece of a template.
enum Token<'a> {
    /// `{{ … }}`, with what is between the braces (untrimmed).
    Expression {
        span: Span,
        inner: &'a str,
    },
    Unclosed(Span),
    UnmatchedClose(Span),
    Unsupported(Span),
}

/// Splits out everything brace-related; what is left between tokens is plain text.
fn tokens(template: &str) -> Vec<Token<'_>> {
    let bytes = template.as_bytes();
    let find = |needle: &str, from: usize| template[from..].find(needle).map(|i| from + i);
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        match &bytes[i..i + 2] {
            b"{{" => {
                let close = find("}}", i + 2);
                let next_open = find("{{", i + 2);
                match close {
                    Some(close) if next_open.is_none_or(|open| open > close) => {
                        out.push(Token::Expression {
                            span: Span::new(i, close + 2),
                            inner: &template[i + 2..close],
                        });
                        i = close + 2;
                    }
                    _ => {
                        out.push(Token::Unclosed(Span::new(i, i + 2)));
                        i += 2;
                    }
                }
            }
            open @ (b"{%" | b"{#") => {
                let closer = if open == b"{%" { "%}" } else { "#}" };
                let end = find(closer, i + 2).map_or(i + 2, |close| close + 2);
                out.push(Token::Unsupported(Span::new(i, end)));
                i = end;
            }
            b"}}" => {
                out.push(Token::UnmatchedClose(Span::new(i, i + 2)));
                i += 2;
            }
            _ => i += 1,
        }
    }
    out
}

/// What the engine takes as a variable name: an ASCII letter or `_`, then letters, digits
/// or `_`.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The name inside `{{ … }}`, if it is a bare identifier.
fn variable_name(inner: &str) -> Option<&str> {
    let name = inner.trim();
    is_identifier(name).then_some(name)
}

/// Every well-formed `{{ name }}` in `template`, in order, whether or not the name is known.
pub fn find_variables(template: &str) -> Vec<VariableUse> {
    tokens(template)
        .into_iter()
        .filter_map(|token| match token {
            Token::Expression { span, inner } => variable_name(inner).map(|name| VariableUse {
                name: name.to_owned(),
                span,
            }),
            _ => None,
        })
        .collect()
}

/// Everything wrong with `template` for a campaign of `kind`, in template order; empty when
/// it can be saved.
pub fn check(kind: CampaignKind, template: &str) -> Vec<TemplateProblem> {
    if template.trim().is_empty() {
        return vec![TemplateProblem::Empty];
    }
    let allowed = || -> Vec<String> { variables(kind).iter().map(|v| v.name.to_owned()).collect() };
    tokens(template)
        .into_iter()
        .filter_map(|token| match token {
            Token::Expression { span, inner } => {
                let Some(name) = variable_name(inner) else {
                    return Some(TemplateProblem::InvalidExpression {
                        span,
                        text: inner.trim().to_owned(),
                    });
                };
                if variable(kind, name).is_some() {
                    None
                } else if ALL_VARIABLES.iter().any(|v| v.name == name) {
                    Some(TemplateProblem::NotAvailable {
                        name: name.to_owned(),
                        span,
                        kind,
                        allowed: allowed(),
                    })
                } else {
                    Some(TemplateProblem::UnknownVariable {
                        name: name.to_owned(),
                        span,
                        suggestion: suggestion(kind, name).map(str::to_owned),
                        allowed: allowed(),
                    })
                }
            }
            Token::Unclosed(span) => Some(TemplateProblem::Unclosed { span }),
            Token::UnmatchedClose(span) => Some(TemplateProblem::UnmatchedClose { span }),
            Token::Unsupported(span) => Some(TemplateProblem::UnsupportedSyntax { span }),
        })
        .collect()
}

/// The offered name closest to a mistyped one (`firstname`, `First_Name`, `cart_link`),
/// if any is close enough to be a likely typo.
fn suggestion(kind: CampaignKind, name: &str) -> Option<&'static str> {
    let wanted = name.to_ascii_lowercase();
    variables(kind)
        .iter()
        .map(|v| (edit_distance(&wanted, v.name), v.name))
        .filter(|(distance, candidate)| *distance <= (candidate.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The template with each offered variable replaced by its example value, for the editor's
/// live preview. Anything else (unknown names, stray braces) is shown as typed, so the
/// merchant sees what [`check`] complains about.
pub fn preview(kind: CampaignKind, template: &str) -> String {
    preview_for(kind, template, "")
}

/// [`preview`] for a store: `{{ store_name }}` reads as `store_name` (when not blank).
pub fn preview_for(kind: CampaignKind, template: &str, store_name: &str) -> String {
    let store_name = store_name.trim();
    let mut out = String::with_capacity(template.len());
    let mut last = 0;
    for token in tokens(template) {
        let Token::Expression { span, inner } = token else {
            continue;
        };
        let Some(var) = variable_name(inner).and_then(|name| variable(kind, name)) else {
            continue;
        };
        out.push_str(&template[last..span.start]);
        match var.name {
            "store_name" if !store_name.is_empty() => out.push_str(store_name),
            _ => out.push_str(var.example),
        }
        last = span.end;
    }
    out.push_str(&template[last..]);
    out
}

/// The template without its `{{ variables }}` (each left as a space): the merchant's own
/// words, on which the sender decides what to add, never on a customer's data.
pub fn literal_text(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut last = 0;
    for used in find_variables(template) {
        out.push_str(&template[last..used.span.start]);
        out.push(' ');
        last = used.span.end;
    }
    out.push_str(&template[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(kind: CampaignKind) -> Vec<&'static str> {
        variables(kind).iter().map(|v| v.name).collect()
    }

    #[test]
    fn catalogue_per_kind() {
        assert_eq!(
            names(CampaignKind::AbandonedCart),
            [
                "first_name",
                "store_name",
                "cart_url",
                "cart_total",
                "discount_code"
            ]
        );
        assert_eq!(
            names(CampaignKind::OrderUpdate),
            ["first_name", "store_name", "order_number", "order_status"]
        );
        assert_eq!(
            names(CampaignKind::OrderOnHold),
            names(CampaignKind::OrderUpdate)
        );
        assert_eq!(
            names(CampaignKind::OrderShipped),
            [
                "first_name",
                "store_name",
                "order_number",
                "order_status",
                "tracking_url",
                "tracking_number"
            ]
        );
        // Every name is an identifier the engine accepts, listed once, and in the catalogue.
        for kind in CampaignKind::ALL {
            let list = names(kind);
            for (i, name) in list.iter().enumerate() {
                assert!(is_identifier(name), "{name}");
                assert!(!list[..i].contains(name), "{name} twice in {kind:?}");
                assert!(ALL_VARIABLES.iter().any(|v| v.name == *name), "{name}");
            }
        }
        for v in ALL_VARIABLES {
            assert!(
                !v.example.is_empty() && !v.description.is_empty(),
                "{}",
                v.name
            );
            assert!(
                CampaignKind::ALL
                    .iter()
                    .any(|k| variable(*k, v.name).is_some()),
                "{} is offered nowhere",
                v.name
            );
        }
        assert_eq!(
            variable(CampaignKind::AbandonedCart, "first_name").map(|v| v.fallback),
            Some("there")
        );
    }

    #[test]
    fn kinds_are_snake_case_on_the_wire() {
        for kind in CampaignKind::ALL {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.as_str());
            assert_eq!(serde_json::from_value::<CampaignKind>(json).unwrap(), kind);
        }
        assert_eq!(
            serde_json::to_value(CampaignKind::OrderOnHold).unwrap(),
            "order_on_hold"
        );
    }

    #[test]
    fn finds_variables_with_any_spacing() {
        let t = "Hi {{first_name}}, {{ store_name }} here: {{  cart_url  }}\t{{\tcart_total }}";
        let found = find_variables(t);
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|u| (u.name.as_str(), &t[u.span.range()]))
            .collect();
        assert_eq!(
            got,
            [
                ("first_name", "{{first_name}}"),
                ("store_name", "{{ store_name }}"),
                ("cart_url", "{{  cart_url  }}"),
                ("cart_total", "{{\tcart_total }}"),
            ]
        );
        assert_eq!(found[0].span, Span { start: 3, end: 17 });
    }

    #[test]
    fn spans_are_byte_offsets_after_multibyte_text() {
        let t = "Café ☕ {{ first_name }}";
        let found = find_variables(t);
        assert_eq!(found.len(), 1);
        assert_eq!(&t[found[0].span.range()], "{{ first_name }}");
        assert_eq!(found[0].span.start, "Café ☕ ".len());
    }

    #[test]
    fn find_skips_what_is_not_a_variable() {
        assert!(find_variables("{{ first name }} {{ }} {{ x | upper }} {{ 1st }}").is_empty());
        assert!(find_variables("no braces { at } all").is_empty());
        assert_eq!(
            find_variables("{{ unknown_thing }}")[0].name,
            "unknown_thing"
        );
    }

    #[test]
    fn a_good_template_has_no_problems() {
        let t = "Hi {{ first_name }}, you left {{cart_total}} at {{ store_name }}. \
                 Use {{ discount_code }}: {{ cart_url }}";
        assert_eq!(check(CampaignKind::AbandonedCart, t), []);
        assert_eq!(
            check(CampaignKind::OrderUpdate, "Plain text, no variables."),
            []
        );
        // Single braces are plain text to the engine.
        assert_eq!(check(CampaignKind::OrderUpdate, "Smile {:} {x}"), []);
    }

    #[test]
    fn empty_template() {
        for t in ["", "   ", "\n\t"] {
            assert_eq!(
                check(CampaignKind::AbandonedCart, t),
                [TemplateProblem::Empty]
            );
        }
    }

    #[test]
    fn unknown_variable_names_its_span_and_the_allowed_names() {
        let t = "Hi {{ firstname }}!";
        let problems = check(CampaignKind::OrderShipped, t);
        assert_eq!(problems.len(), 1);
        let TemplateProblem::UnknownVariable {
            name,
            span,
            suggestion,
            allowed,
        } = &problems[0]
        else {
            panic!("{problems:?}");
        };
        assert_eq!(name, "firstname");
        assert_eq!(&t[span.range()], "{{ firstname }}");
        assert_eq!(suggestion.as_deref(), Some("first_name"));
        assert_eq!(allowed, &names(CampaignKind::OrderShipped));
        assert!(
            problems[0]
                .to_string()
                .contains("Did you mean {{ first_name }}?")
        );

        let far = check(CampaignKind::OrderShipped, "{{ weather }}");
        assert!(matches!(
            &far[0],
            TemplateProblem::UnknownVariable {
                suggestion: None,
                ..
            }
        ));
        // Names are case-sensitive in the engine.
        assert!(matches!(
            &check(CampaignKind::OrderShipped, "{{ First_Name }}")[0],
            TemplateProblem::UnknownVariable { suggestion: Some(s), .. } if s == "first_name"
        ));
    }

    #[test]
    fn a_variable_of_another_kind_is_not_available() {
        let t = "Track it: {{ tracking_url }}";
        let problems = check(CampaignKind::AbandonedCart, t);
        assert_eq!(
            problems,
            [TemplateProblem::NotAvailable {
                name: "tracking_url".into(),
                span: Span { start: 10, end: 28 },
                kind: CampaignKind::AbandonedCart,
                allowed: names(CampaignKind::AbandonedCart)
                    .into_iter()
                    .map(String::from)
                    .collect(),
            }]
        );
        assert!(
            problems[0]
                .to_string()
                .starts_with("tracking_url is not available in abandoned cart messages.")
        );
        assert_eq!(check(CampaignKind::OrderShipped, t), []);
        assert!(!check(CampaignKind::OrderUpdate, "{{ cart_url }}").is_empty());
    }

    #[test]
    fn unclosed_and_unmatched_braces() {
        let t = "Hi {{ first_name, see {{ store_name }}";
        assert_eq!(
            check(CampaignKind::OrderUpdate, t),
            [TemplateProblem::Unclosed {
                span: Span { start: 3, end: 5 }
            }]
        );
        assert_eq!(
            check(CampaignKind::OrderUpdate, "Hi {{ first_name"),
            [TemplateProblem::Unclosed {
                span: Span { start: 3, end: 5 }
            }]
        );
        assert_eq!(
            check(CampaignKind::OrderUpdate, "Hi { first_name }}"),
            [TemplateProblem::UnmatchedClose {
                span: Span { start: 16, end: 18 }
            }]
        );
        assert_eq!(
            check(CampaignKind::OrderUpdate, "ends with {{"),
            [TemplateProblem::Unclosed {
                span: Span { start: 10, end: 12 }
            }]
        );
    }

    #[test]
    fn only_bare_names_between_the_braces() {
        for (t, text) in [
            ("{{ }}", ""),
            ("{{ first name }}", "first name"),
            ("{{ first_name | upper }}", "first_name | upper"),
            ("{{ first_name.x }}", "first_name.x"),
            ("{{- first_name -}}", "- first_name -"),
            ("{{ 'hi' }}", "'hi'"),
            ("{{{ first_name }}}", "{ first_name"),
        ] {
            let problems = check(CampaignKind::OrderUpdate, t);
            assert!(
                matches!(
                    problems.first(),
                    Some(TemplateProblem::InvalidExpression { text: got, span })
                        if got == text && span.start == 0
                ),
                "{t}: {problems:?}"
            );
        }
    }

    #[test]
    fn blocks_and_comments_are_refused() {
        let t = "{% if first_name %}Hi{% endif %} {# note #} {% broken";
        let problems = check(CampaignKind::OrderUpdate, t);
        let spans: Vec<&str> = problems
            .iter()
            .map(|p| {
                assert!(
                    matches!(p, TemplateProblem::UnsupportedSyntax { .. }),
                    "{p:?}"
                );
                &t[p.span().unwrap().range()]
            })
            .collect();
        assert_eq!(
            spans,
            ["{% if first_name %}", "{% endif %}", "{# note #}", "{%"]
        );
        assert!(
            problems[0]
                .to_string()
                .contains("Only {{ variable }} is supported")
        );
    }

    #[test]
    fn problems_come_in_template_order() {
        let t = "{{ nope }} {% x %} }} {{ tracking_url }} {{";
        let kinds: Vec<&str> = check(CampaignKind::AbandonedCart, t)
            .iter()
            .map(|p| match p {
                TemplateProblem::UnknownVariable { .. } => "unknown",
                TemplateProblem::UnsupportedSyntax { .. } => "unsupported",
                TemplateProblem::UnmatchedClose { .. } => "unmatched",
                TemplateProblem::NotAvailable { .. } => "not_available",
                TemplateProblem::Unclosed { .. } => "unclosed",
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "unknown",
                "unsupported",
                "unmatched",
                "not_available",
                "unclosed"
            ]
        );
    }

    #[test]
    fn problems_serialize_with_a_tag() {
        let json =
            serde_json::to_value(&check(CampaignKind::OrderUpdate, "{{ cart_url }}")[0]).unwrap();
        assert_eq!(json["problem"], "not_available");
        assert_eq!(json["kind"], "order_update");
        assert_eq!(json["span"], serde_json::json!({"start": 0, "end": 14}));
        let back: TemplateProblem = serde_json::from_value(json).unwrap();
        assert!(matches!(back, TemplateProblem::NotAvailable { .. }));
        assert_eq!(
            serde_json::to_value(TemplateProblem::Empty).unwrap(),
            serde_json::json!({"problem": "empty"})
        );
    }

    #[test]
    fn preview_fills_in_examples() {
        assert_eq!(
            preview(
                CampaignKind::OrderShipped,
                "Hi {{first_name}}, order {{ order_number }} is on its way: {{ tracking_url }}"
            ),
            "Hi Jamie, order #1042 is on its way: https://tracking.example/1Z999AA10123456784"
        );
        // Anything check() would complain about stays as typed.
        assert_eq!(
            preview(
                CampaignKind::AbandonedCart,
                "{{ first_name }} {{ nope }} {{ tracking_url }} }} {% x %} {{"
            ),
            "Jamie {{ nope }} {{ tracking_url }} }} {% x %} {{"
        );
        assert_eq!(preview(CampaignKind::AbandonedCart, ""), "");
        assert_eq!(preview(CampaignKind::AbandonedCart, "Café ☕"), "Café ☕");
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("firstname", "first_name"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(suggestion(CampaignKind::AbandonedCart, "cart_link"), None);
        assert_eq!(
            suggestion(CampaignKind::AbandonedCart, "cart_ur"),
            Some("cart_url")
        );
    }
}
