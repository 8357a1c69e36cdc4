//! Campaigns: abandoned-cart flows and order notifications, and the rules a campaign's
//! definition must follow (checked as the merchant edits, and again by the API).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::templates::{self, CampaignKind};

pub const MAX_STEPS: usize = 5;
/// The first reminder may not come sooner: a customer who just stepped away is not "lost".
pub const MIN_DELAY_MINUTES: u32 = 15;
/// Four weeks: a reminder later than that reaches someone who has moved on. Carts otherwise
/// expire after a week idle, but not while a step is still to be sent, so every delay up to
/// this goes out unless the customer orders or comes back.
pub const MAX_DELAY_MINUTES: u32 = 28 * 24 * 60;
pub const MAX_BODY_CHARS: usize = 1_000;

/// The order statuses an `order_update` campaign may follow.
pub const ORDER_STATUSES: [&str; 5] = ["placed", "updated", "shipped", "on_hold", "cancelled"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Saved, never sent.
    Draft,
    /// Sending.
    Active,
    /// Paused by the merchant; pending texts were cancelled.
    Paused,
    /// Stopped because the store's number was released; stays stopped until reactivated.
    Stopped,
}

impl CampaignStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Stopped => "stopped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Active, Self::Paused, Self::Stopped]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// One message of a campaign. For abandoned carts, sent `delay_minutes` after abandonment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignStep {
    /// Minutes after abandonment (abandoned-cart flows); 0 for order notifications.
    #[serde(default)]
    pub delay_minutes: u32,
    /// The message template, e.g. `Hi {{ first_name }}, your cart is waiting: {{ cart_url }}`.
    #[cfg_attr(
        feature = "openapi",
        schema(
            example = "Hi {{ first_name }}, you left something behind at {{ store_name }}: {{ cart_url }}"
        )
    )]
    pub body: String,
    /// Offered in this step as `{{ discount_code }}` (abandoned-cart flows).
    pub discount_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateCampaignRequest {
    pub kind: CampaignKind,
    #[cfg_attr(feature = "openapi", schema(example = "Cart reminders"))]
    pub name: String,
    pub steps: Vec<CampaignStep>,
    /// `order_update` only: which order statuses send the message.
    #[serde(default)]
    pub order_statuses: Vec<String>,
}

/// `PATCH`: only the fields sent change; the kind never does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateCampaignRequest {
    pub name: Option<String>,
    pub steps: Option<Vec<CampaignStep>>,
    pub order_statuses: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignDto {
    pub id: i64,
    pub kind: CampaignKind,
    pub name: String,
    pub status: CampaignStatus,
    pub steps: Vec<CampaignStep>,
    pub order_statuses: Vec<String>,
    pub activated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a campaign (or one of its steps) has done.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepStats {
    /// Texts planned and not yet sent (including ones deferred by quiet hours or caps).
    pub scheduled: u64,
    /// Texts the provider accepted.
    pub sent: u64,
    /// Of those, delivered to the handset as far as the carrier reported.
    pub delivered: u64,
    /// Texts the provider refused or could not deliver.
    pub failed: u64,
    /// Texts not sent: the cart was recovered, the customer opted out, no consent, …
    pub cancelled: u64,
    /// Texts whose link was opened at least once.
    pub clicked: u64,
    /// Texts the customer answered within 24 hours.
    pub replied: u64,
    /// Texts after which the customer opted out within 24 hours.
    pub opted_out: u64,
    /// Orders credited to a text: the last one clicked within 7 days, else the last one
    /// sent within 24 hours (as on the dashboard).
    pub orders: u64,
    /// Their value, in minor units (cents) of `CampaignStatsDto::currency`; orders in another
    /// currency are counted in `orders` but their totals are left out.
    pub revenue_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignStatsDto {
    pub campaign_id: i64,
    /// The whole campaign.
    pub total: StepStats,
    /// Per step, in order (one for order notifications).
    pub steps: Vec<StepStats>,
    /// The currency of `revenue_cents`: the store's, the one most of its recent orders are in
    /// (its country's until it has orders: CAD in Canada, else USD).
    #[cfg_attr(feature = "openapi", schema(example = "CAD"))]
    pub currency: String,
}

/// Everything wrong with a campaign definition, by field (`steps[1].body`, …).
pub fn validate(
    kind: CampaignKind,
    name: &str,
    steps: &[CampaignStep],
    order_statuses: &[String],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(message) = crate::validation::name_error(name) {
        errors.push(FieldError::new("name", message));
    }
    let flow = kind == CampaignKind::AbandonedCart;
    match (flow, steps.len()) {
        (true, 0) | (true, 6..) => errors.push(FieldError::new(
            "steps",
            format!("An abandoned-cart flow has 1 to {MAX_STEPS} steps."),
        )),
        (false, n) if n != 1 => errors.push(FieldError::new(
            "steps",
            "An order notification has exactly one message.",
        )),
        _ => {}
    }
    let mut previous_delay = None;
    for (i, step) in steps.iter().enumerate() {
        let field = |name: &str| format!("steps[{i}].{name}");
        if flow {
            if step.delay_minutes < MIN_DELAY_MINUTES || step.delay_minutes > MAX_DELAY_MINUTES {
                errors.push(FieldError::new(
                    field("delay_minutes"),
                    format!("Wait at least {MIN_DELAY_MINUTES} minutes and at most 28 days."),
                ));
            }
            if previous_delay.is_some_and(|previous| step.delay_minutes <= previous) {
                errors.push(FieldError::new(
                    field("delay_minutes"),
                    "Each step must come later than the one before.",
                ));
            }
            previous_delay = Some(step.delay_minutes);
        } else if step.delay_minutes != 0 {
            errors.push(FieldError::new(
                field("delay_minutes"),
                "Order notifications go out when the order changes: use 0.",
            ));
        }
        if step.body.chars().count() > MAX_BODY_CHARS {
            errors.push(FieldError::new(
                field("body"),
                format!("Keep messages under {MAX_BODY_CHARS} characters."),
            ));
        }
        for problem in templates::check(kind, &step.body) {
            errors.push(FieldError::new(field("body"), problem.to_string()));
        }
        let uses_code = templates::find_variables(&step.body)
            .iter()
            .any(|v| v.name == "discount_code");
        let code = step
            .discount_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if uses_code && code.is_none() {
            errors.push(FieldError::new(
                field("discount_code"),
                "The message uses {{ discount_code }}: give this step a code.",
            ));
        }
        if code.is_some_and(|c| c.len() > 64 || c.chars().any(char::is_whitespace)) {
            errors.push(FieldError::new(
                field("discount_code"),
                "A code is one word of at most 64 characters.",
            ));
        }
    }
    if kind == CampaignKind::OrderUpdate {
        if order_statuses.is_empty() {
            errors.push(FieldError::new(
                "order_statuses",
                "Choose at least one order status.",
            ));
        }
        if let Some(unknown) = order_statuses
            .iter()
            .find(|s| !ORDER_STATUSES.contains(&s.as_str()))
        {
            errors.push(FieldError::new(
                "order_statuses",
                format!(
                    "{unknown} is not an order status; use {}.",
                    ORDER_STATUSES.join(", ")
                ),
            ));
        }
    } else if !order_statuses.is_empty() {
        errors.push(FieldError::new(
            "order_statuses",
            "Only order-update campaigns follow order statuses.",
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(delay: u32, body: &str) -> CampaignStep {
        CampaignStep {
            delay_minutes: delay,
            body: body.into(),
            discount_code: None,
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_flow_passes() {
        let steps = [
            step(60, "Hi {{ first_name }}, your cart: {{ cart_url }}"),
            step(24 * 60, "Still there? {{ cart_url }}"),
        ];
        assert!(validate(CampaignKind::AbandonedCart, "Cart reminders", &steps, &[]).is_empty());
    }

    #[test]
    fn flow_rules() {
        let kind = CampaignKind::AbandonedCart;
        assert_eq!(fields(validate(kind, "x", &[], &[])), ["steps"]);
        assert_eq!(
            fields(validate(kind, "x", &[step(10, "Hi")], &[])),
            ["steps[0].delay_minutes"]
        );
        assert_eq!(
            fields(validate(kind, "x", &[step(60, "a"), step(60, "b")], &[])),
            ["steps[1].delay_minutes"]
        );
        let six: Vec<_> = (1..=6).map(|i| step(i * 60, "x")).collect();
        assert_eq!(fields(validate(kind, "x", &six, &[])), ["steps"]);
        assert_eq!(
            fields(validate(kind, "x", &[step(60, "Hi {{ frist_name }}")], &[])),
            ["steps[0].body"]
        );
        assert_eq!(
            fields(validate(
                kind,
                "x",
                &[step(60, "Save with {{ discount_code }}")],
                &[]
            )),
            ["steps[0].discount_code"]
        );
    }

    #[test]
    fn notification_rules() {
        let shipped = [step(
            0,
            "Order {{ order_number }} shipped: {{ tracking_url }}",
        )];
        assert!(validate(CampaignKind::OrderShipped, "Shipped", &shipped, &[]).is_empty());
        assert_eq!(
            fields(validate(
                CampaignKind::OrderShipped,
                "x",
                &[step(0, "a"), step(0, "b")],
                &[]
            )),
            ["steps"]
        );
        assert_eq!(
            fields(validate(
                CampaignKind::OrderOnHold,
                "x",
                &[step(0, "{{ cart_url }}")],
                &[]
            )),
            ["steps[0].body"]
        );
        let update = [step(0, "Order {{ order_number }} is {{ order_status }}")];
        assert_eq!(
            fields(validate(CampaignKind::OrderUpdate, "x", &update, &[])),
            ["order_statuses"]
        );
        assert_eq!(
            fields(validate(
                CampaignKind::OrderUpdate,
                "x",
                &update,
                &["lost".into()]
            )),
            ["order_statuses"]
        );
        assert!(
            validate(
                CampaignKind::OrderUpdate,
                "x",
                &update,
                &["placed".into(), "on_hold".into()]
            )
            .is_empty()
        );
    }
}
