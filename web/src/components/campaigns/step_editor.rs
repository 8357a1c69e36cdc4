//! One message of a campaign: its wait, its text with the kind's variables, what it will
//! look like and cost, and what is worth knowing before it goes out.

use leptos::html;
use leptos::prelude::*;
use textback_shared::FieldError;
use textback_shared::campaigns::CampaignStep;
use textback_shared::message_warnings::{self, OPT_OUT_LANGUAGE};
use textback_shared::segments::{self, Encoding};
use textback_shared::templates::{self, CampaignKind};

use crate::contexts::session::use_session;
use crate::format;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelayUnit {
    Minutes,
    Hours,
    Days,
}

impl DelayUnit {
    const ALL: [DelayUnit; 3] = [DelayUnit::Minutes, DelayUnit::Hours, DelayUnit::Days];

    fn minutes(self) -> u32 {
        match self {
            DelayUnit::Minutes => 1,
            DelayUnit::Hours => 60,
            DelayUnit::Days => 24 * 60,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            DelayUnit::Minutes => "minutes",
            DelayUnit::Hours => "hours",
            DelayUnit::Days => "days",
        }
    }

    fn parse(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|u| u.as_str() == s)
            .unwrap_or(DelayUnit::Minutes)
    }
}

/// A step as it is being edited.
#[derive(Debug, Clone, Copy)]
pub struct StepDraft {
    /// Stable across removals, for keying the list.
    pub key: u64,
    pub delay: RwSignal<String>,
    pub unit: RwSignal<DelayUnit>,
    pub body: RwSignal<String>,
    pub discount_code: RwSignal<String>,
    /// Edited since loading: its problems show before the first save attempt.
    pub touched: RwSignal<bool>,
}

impl StepDraft {
    pub fn new(key: u64, step: &CampaignStep) -> Self {
        // The largest unit that states the wait exactly: 1440 minutes reads "1 days".
        let unit = [DelayUnit::Days, DelayUnit::Hours]
            .into_iter()
            .find(|u| step.delay_minutes > 0 && step.delay_minutes.is_multiple_of(u.minutes()))
            .unwrap_or(DelayUnit::Minutes);
        Self {
            key,
            delay: RwSignal::new((step.delay_minutes / unit.minutes()).to_string()),
            unit: RwSignal::new(unit),
            body: RwSignal::new(step.body.clone()),
            discount_code: RwSignal::new(step.discount_code.clone().unwrap_or_default()),
            touched: RwSignal::new(false),
        }
    }

    /// The step as the API takes it. A wait that is not a number becomes 0, which the rules
    /// reject with a message at the wait.
    pub fn to_step(self, kind: CampaignKind) -> CampaignStep {
        let flow = kind == CampaignKind::AbandonedCart;
        let delay_minutes = if flow {
            self.delay
                .with(|d| d.trim().parse::<u32>().ok())
                .map_or(0, |n| n.saturating_mul(self.unit.get().minutes()))
        } else {
            0
        };
        let code = self.discount_code.get();
        CampaignStep {
            delay_minutes,
            body: self.body.get(),
            discount_code: (flow && !code.trim().is_empty()).then(|| code.trim().to_owned()),
        }
    }
}

/// Every message for `field`, as one sentence block.
fn messages(errors: &[FieldError], field: &str) -> Option<String> {
    let found: Vec<&str> = errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| e.message.as_str())
        .collect();
    (!found.is_empty()).then(|| found.join(" "))
}

/// "2 segments · GSM-7 · 35 characters left", or why the message is sent as UCS-2.
pub fn segment_summary(text: &str) -> String {
    let count = segments::count(text);
    if count.segments == 0 {
        return "Empty message".into();
    }
    let plural = if count.segments == 1 { "" } else { "s" };
    let encoding = match count.encoding {
        Encoding::Gsm7 => "GSM-7".to_owned(),
        Encoding::Ucs2 => {
            let mut forcing: Vec<char> = Vec::new();
            for c in segments::non_gsm_chars(text) {
                if !forcing.contains(&c) {
                    forcing.push(c);
                }
            }
            let shown: Vec<String> = forcing.iter().take(5).map(|c| format!("“{c}”")).collect();
            let more = if forcing.len() > 5 { ", …" } else { "" };
            format!("UCS-2 because of {}{more}", shown.join(", "))
        }
    };
    format!(
        "{} segment{plural} · {encoding} · {} characters left",
        count.segments, count.remaining_in_segment
    )
}

/// `price × segments`, exactly, as a decimal string.
fn times(price: &str, segments: u32) -> Option<String> {
    let (whole, fraction) = price.trim().split_once('.').unwrap_or((price.trim(), ""));
    let digits: u128 = format!("{whole}{fraction}").parse().ok()?;
    let total = (digits * u128::from(segments)).to_string();
    let scale = fraction.len();
    if scale == 0 {
        return Some(total);
    }
    let padded = format!("{total:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    Some(format!("{int}.{frac}"))
}

/// One step's fields. `index` is its place in the campaign, which names its errors
/// (`steps[1].body`).
#[component]
pub fn StepEditor(
    kind: CampaignKind,
    step: StepDraft,
    #[prop(into)] index: Signal<usize>,
    /// Every error to show now, for the whole campaign.
    #[prop(into)]
    errors: Signal<Vec<FieldError>>,
    /// `(price per segment, currency)`, once known.
    #[prop(into)]
    price: Signal<Option<(String, String)>>,
    #[prop(into)] can_remove: Signal<bool>,
    on_remove: Callback<u64>,
    on_edit: Callback<()>,
) -> impl IntoView {
    let flow = kind == CampaignKind::AbandonedCart;
    let textarea = NodeRef::<html::Textarea>::new();
    // Until the person has put the cursor somewhere, inserting appends.
    let had_focus = RwSignal::new(false);
    let error = move |name: &'static str| {
        Signal::derive(move || {
            let field = format!("steps[{}].{name}", index.get());
            errors.with(|e| messages(e, &field))
        })
    };
    let delay_error = error("delay_minutes");
    let body_error = error("body");
    let code_error = error("discount_code");
    let edited = move || {
        step.touched.set(true);
        on_edit.run(());
    };

    let insert = move |name: &'static str| {
        let token = format!("{{{{ {name} }}}}");
        let body = step.body.get_untracked();
        // The cursor is in UTF-16 units; without one, the variable goes at the end.
        let at = textarea
            .get_untracked()
            .filter(|_| had_focus.get_untracked())
            .and_then(|t| t.selection_start().ok().flatten())
            .map_or(body.len(), |units| byte_index(&body, units as usize));
        let mut new_body = body.clone();
        new_body.insert_str(at, &token);
        step.body.set(new_body.clone());
        edited();
        if let Some(t) = textarea.get_untracked() {
            t.set_value(&new_body);
            let cursor = new_body[..at + token.len()].encode_utf16().count() as u32;
            let _ = t.focus();
            let _ = t.set_selection_range(cursor, cursor);
        }
    };

    // The store's own name, as the sender puts it in: in the preview, and before a text that
    // does not name the store (billed too).
    let session = use_session();
    let store_name = Memo::new(move |_| session.store_name().unwrap_or_default());
    let preview = Memo::new(move |_| {
        store_name.with(|name| step.body.with(|b| templates::preview_for(kind, b, name)))
    });
    let sender = Memo::new(move |_| {
        store_name.with(|name| step.body.with(|b| message_warnings::sender_prefix(b, name)))
    });
    // The sender appends opt-out language to marketing without STOP; it is billed too.
    let adds_opt_out = Memo::new(move |_| {
        step.body
            .with(|b| message_warnings::adds_opt_out_language(kind, b))
    });
    let sent = Memo::new(move |_| {
        store_name.with(|name| step.body.with(|b| message_warnings::as_sent(kind, b, name)))
    });
    let warnings = Memo::new(move |_| {
        store_name.with(|name| {
            step.body
                .with(|b| message_warnings::warnings(kind, b, name))
        })
    });
    let cost = move || {
        let (price, currency) = price.get()?;
        let segments = sent.with(|s| segments::count(s).segments);
        let amount = times(&price, segments)?;
        Some(format!(
            "About {} per send",
            format::money(&amount, &currency)
        ))
    };
    let id = move |name: &str| format!("step-{}-{name}", index.get());

    view! {
        <section class="card step" data-testid="step">
            <div class="card-header">
                <h2>{move || if flow { format!("Step {}", index.get() + 1) } else { "Message".to_owned() }}</h2>
                {move || (flow && can_remove.get()).then(|| view! {
                    <button type="button" class="button button-quiet button-small" data-testid="remove-step"
                        on:click=move |_| on_remove.run(step.key)>"Remove"</button>
                })}
            </div>
            {flow.then(|| view! {
                <div class="field" class:field-invalid=move || delay_error.with(Option::is_some)>
                    <label for=move || id("delay")>"Send after"</label>
                    <p class="field-hint">"Time since the cart was left."</p>
                    <div class="delay-row">
                        <input type="number" min="1" inputmode="numeric" id=move || id("delay")
                            data-testid="step-delay"
                            aria-invalid=move || delay_error.with(Option::is_some).to_string()
                            prop:value=move || step.delay.get()
                            on:input=move |ev| { step.delay.set(event_target_value(&ev)); edited(); } />
                        <select data-testid="step-delay-unit" aria-label="Unit"
                            prop:value=move || step.unit.get().as_str()
                            on:change=move |ev| { step.unit.set(DelayUnit::parse(&event_target_value(&ev))); edited(); }>
                            {DelayUnit::ALL.into_iter().map(|u| view! {
                                <option value=u.as_str() selected=move || step.unit.get() == u>{u.as_str()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    {move || delay_error.get().map(|m| view! {
                        <p class="field-error" data-testid="step-delay-error">{m}</p>
                    })}
                </div>
            })}
            <div class="field" class:field-invalid=move || body_error.with(Option::is_some)>
                <label for=move || id("body")>"Text"</label>
                <div class="chips variable-chips" aria-label="Insert a variable">
                    {templates::variables(kind).iter().map(|v| {
                        let name = v.name;
                        view! {
                            <button type="button" class="chip chip-button" title=v.description
                                data-testid=format!("insert-{name}")
                                on:click=move |_| insert(name)>
                                {format!("{{{{ {name} }}}}")}
                            </button>
                        }
                    }).collect_view()}
                </div>
                <textarea id=move || id("body") rows="4" data-testid="step-body" node_ref=textarea
                    aria-invalid=move || body_error.with(Option::is_some).to_string()
                    prop:value=move || step.body.get()
                    on:focus=move |_| had_focus.set(true)
                    on:input=move |ev| { step.body.set(event_target_value(&ev)); edited(); }></textarea>
                <p class="segment-counter muted" data-testid="segment-counter">
                    {move || sent.with(|s| segment_summary(s))}
                    {move || sender.get().map(|prefix| format!(" · with “{}” before it", prefix.trim_end()))}
                    {move || adds_opt_out.get().then(|| format!(" · with the added “{OPT_OUT_LANGUAGE}”"))}
                    {move || cost().map(|c| view! { " · " <span data-testid="step-cost">{c}</span> })}
                </p>
                {move || body_error.get().map(|m| view! {
                    <p class="field-error" data-testid="step-body-error">{m}</p>
                })}
                <div class="message-warnings" aria-live="polite">
                    {move || warnings.get().into_iter().map(|w| view! {
                        <p class="alert alert-warning message-warning" data-testid="message-warning" data-kind=w.kind()>
                            <strong>{w.title()}</strong>" "{w.to_string()}
                        </p>
                    }).collect_view()}
                </div>
            </div>
            {flow.then(|| view! {
                <div class="field" class:field-invalid=move || code_error.with(Option::is_some)>
                    <label for=move || id("code")>"Discount code (optional)"</label>
                    <input type="text" id=move || id("code") data-testid="step-discount-code"
                        prop:value=move || step.discount_code.get()
                        on:input=move |ev| { step.discount_code.set(event_target_value(&ev)); edited(); } />
                    {move || code_error.get().map(|m| view! {
                        <p class="field-error" data-testid="step-code-error">{m}</p>
                    })}
                </div>
            })}
            <div class="preview">
                <p class="preview-label">
                    {move || match (sender.with(Option::is_some), adds_opt_out.get()) {
                        (false, false) => "Preview with example customer values",
                        (true, false) => "Preview with example customer values and your store's name added when sent",
                        (false, true) => "Preview with example customer values and the opt-out language added when sent",
                        (true, true) => "Preview with example customer values, and your store's name and the opt-out language added when sent",
                    }}
                </p>
                <div class="preview-bubble" data-testid="step-preview">
                    {move || sender.get().map(|prefix| view! {
                        <span class="preview-added" data-testid="preview-sender" title="Added when sent">
                            {prefix}
                        </span>
                    })}
                    {move || if adds_opt_out.get() { preview.with(|p| p.trim_end().to_owned()) } else { preview.get() }}
                    {move || adds_opt_out.get().then(|| view! {
                        <span class="preview-added" data-testid="preview-opt-out" title="Added when sent">
                            {format!(" {OPT_OUT_LANGUAGE}")}
                        </span>
                    })}
                </div>
            </div>
        </section>
    }
}

/// The byte offset of the `units`-th UTF-16 unit of `s` (clamped to its end).
fn byte_index(s: &str, units: usize) -> usize {
    let mut seen = 0;
    for (i, c) in s.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16();
    }
    s.len()
}
