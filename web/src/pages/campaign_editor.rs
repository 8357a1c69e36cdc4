//! Creating and editing a campaign: `/campaigns/new?kind=…` and `/campaigns/:id`
//! (`?activate=1` on coming back from the number picker).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use textback_shared::campaigns::{
    self, CampaignDto, CampaignStatus, CampaignStep, CreateCampaignRequest, ORDER_STATUSES,
    UpdateCampaignRequest,
};
use textback_shared::templates::CampaignKind;
use textback_shared::{FieldError, ProblemCode};

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api::{self, ApiError};
use crate::components::campaigns::activation::Activation;
use crate::components::campaigns::status_badge::StatusBadge;
use crate::components::campaigns::step_editor::{StepDraft, StepEditor};
use crate::components::campaigns::{kind_description, kind_title};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::field::error_for;
use crate::components::states::{EmptyState, ErrorState, FormAlert, Loading};
use crate::contexts::session::use_session;

fn parse_kind(s: &str) -> Option<CampaignKind> {
    CampaignKind::ALL.into_iter().find(|k| k.as_str() == s)
}

#[component]
pub fn NewCampaignPage() -> impl IntoView {
    let query = use_query_map();
    let kind = Memo::new(move |_| query.with(|q| q.get("kind").as_deref().and_then(parse_kind)));
    move || match kind.get() {
        Some(kind) => view! { <CampaignEditor kind initial=None auto_activate=None /> }.into_any(),
        None => view! { <KindChooser /> }.into_any(),
    }
}

#[component]
fn KindChooser() -> impl IntoView {
    view! {
        <div class="page-header">
            <div>
                <p class="breadcrumb"><A href="/campaigns">"Campaigns"</A></p>
                <h1>"Create a campaign"</h1>
                <p class="muted">"What should it text your customers about?"</p>
            </div>
        </div>
        <div class="kind-grid">
            {CampaignKind::ALL.into_iter().map(|kind| view! {
                <A href=format!("/campaigns/new?kind={}", kind.as_str()) attr:class="card kind-card"
                    attr:data-testid=format!("choose-kind-{}", kind.as_str())>
                    <h2>{kind_title(kind)}</h2>
                    <p class="muted">{kind_description(kind)}</p>
                </A>
            }).collect_view()}
        </div>
    }
}

#[component]
pub fn EditCampaignPage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let auto_activate = use_query_map().with_untracked(|q| q.get("activate"));
    // Read once: leaving the page must not fetch again (the campaign may just have been deleted).
    let id = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let campaign = LocalResource::new(move || {
        let client = session.client();
        async move {
            match id {
                Some(id) => api::campaigns::get(&client, id).await,
                None => Err(ApiError::Problem {
                    problem: textback_shared::Problem::new(
                        ProblemCode::NotFound,
                        "There is no such campaign.",
                    ),
                    retry_after_secs: None,
                }),
            }
        }
    });
    let retry = Callback::new(move |()| campaign.refetch());
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading campaign…" /> }>
            {move || campaign.get().map(|result| match result {
                Ok(dto) => view! { <CampaignEditor kind=dto.kind initial=Some(dto) auto_activate=auto_activate.clone() /> }.into_any(),
                // A deleted campaign, or a mistyped link: trying again cannot help.
                Err(error) if error.code() == Some(ProblemCode::NotFound) => view! {
                    <div class="page-header">
                        <div>
                            <p class="breadcrumb"><A href="/campaigns">"Campaigns"</A></p>
                            <h1>"Campaign not found"</h1>
                        </div>
                    </div>
                    <EmptyState title="There is no such campaign">
                        <p>"It may have been deleted, or the link is not quite right."</p>
                        <A href="/campaigns" attr:class="button button-primary" attr:data-testid="back-to-campaigns">
                            "See your campaigns"
                        </A>
                    </EmptyState>
                }
                .into_any(),
                Err(error) => view! { <ErrorState error on_retry=retry /> }.into_any(),
            })}
        </Suspense>
    }
}

/// A starting point, so the merchant edits rather than faces an empty form.
fn starter_steps(kind: CampaignKind) -> Vec<CampaignStep> {
    let step = |delay_minutes, body: &str| CampaignStep {
        delay_minutes,
        body: body.to_owned(),
        discount_code: None,
    };
    match kind {
        CampaignKind::AbandonedCart => vec![step(
            60,
            "Hi {{ first_name }}, you left something in your cart at {{ store_name }}: {{ cart_url }}",
        )],
        CampaignKind::OrderUpdate => vec![step(
            0,
            "Hi {{ first_name }}, your order {{ order_number }} is {{ order_status }}.",
        )],
        CampaignKind::OrderShipped => vec![step(
            0,
            "Good news {{ first_name }}: order {{ order_number }} is on its way. Track it: {{ tracking_url }}",
        )],
        CampaignKind::OrderOnHold => vec![step(
            0,
            "Hi {{ first_name }}, order {{ order_number }} from {{ store_name }} is on hold. Reply to this text with any questions.",
        )],
    }
}

fn status_title(status: &str) -> String {
    let words = status.replace('_', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[component]
fn CampaignEditor(
    kind: CampaignKind,
    initial: Option<CampaignDto>,
    /// `now`: activate on arrival (just created); `1`: back from the number picker.
    auto_activate: Option<String>,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let flow = kind == CampaignKind::AbandonedCart;
    let saved = RwSignal::new(initial.clone());
    let name = RwSignal::new(
        initial
            .as_ref()
            .map_or_else(|| format!("{} texts", kind_title(kind)), |c| c.name.clone()),
    );
    let first_steps = initial
        .as_ref()
        .map_or_else(|| starter_steps(kind), |c| c.steps.clone());
    let next_key = StoredValue::new(first_steps.len() as u64);
    let steps = RwSignal::new(
        first_steps
            .iter()
            .enumerate()
            .map(|(i, s)| StepDraft::new(i as u64, s))
            .collect::<Vec<_>>(),
    );
    let statuses = RwSignal::new(
        initial
            .as_ref()
            .map(|c| c.order_statuses.clone())
            .unwrap_or_default(),
    );
    let name_touched = RwSignal::new(false);
    let statuses_touched = RwSignal::new(false);
    // After a save attempt every problem shows, not only those of fields already edited.
    let attempted = RwSignal::new(false);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let price = RwSignal::new(None::<(String, String)>);

    {
        let client = session.client();
        spawn_local(async move {
            // The cost estimate is a help, not a necessity: without prices it is left out.
            if let Ok(usage) = api::usage::current_month(&client).await {
                let _ = price.try_set(Some((
                    usage.charges.price_per_segment,
                    usage.charges.currency,
                )));
            }
        });
    }

    let current_steps = move || {
        steps
            .get()
            .into_iter()
            .map(|s| s.to_step(kind))
            .collect::<Vec<_>>()
    };
    let client_errors = Memo::new(move |_| {
        campaigns::validate(kind, &name.get(), &current_steps(), &statuses.get())
    });
    let shown_errors = Signal::derive(move || {
        let all = attempted.get();
        let drafts = steps.get();
        let mut shown: Vec<FieldError> = client_errors
            .get()
            .into_iter()
            .filter(|e| {
                all || match e.field.as_str() {
                    "name" => name_touched.get(),
                    "order_statuses" => statuses_touched.get(),
                    field => field
                        .strip_prefix("steps[")
                        .and_then(|rest| rest.split(']').next())
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| drafts.get(i))
                        .is_some_and(|d| d.touched.get()),
                }
            })
            .collect();
        shown.extend(server_errors.get());
        shown
    });
    let on_edit = Callback::new(move |()| {
        server_errors.set(Vec::new());
        notice.set(None);
        form_error.set(None);
    });

    // What the form held when it was loaded or last saved: leaving with anything else asks
    // first, so a flow of reminders is not lost to a stray click or a reload.
    let snapshot = move || {
        untrack(|| {
            (
                name.get().trim().to_owned(),
                steps
                    .get()
                    .into_iter()
                    .map(|s| s.to_step(kind))
                    .collect::<Vec<_>>(),
                statuses.get(),
            )
        })
    };
    let baseline = StoredValue::new(snapshot());
    let unsaved = move || {
        baseline
            .try_with_value(|b| *b != snapshot())
            .unwrap_or(false)
    };
    guard_unsaved_changes(unsaved);

    let activation = Activation::new(Callback::new(move |dto: CampaignDto| {
        let message = match dto.status {
            CampaignStatus::Active => "Campaign active: it texts customers from now on.",
            _ => "Campaign paused: no more texts go out until you activate it again.",
        };
        saved.set(Some(dto));
        notice.set(Some(message.to_owned()));
    }));

    // Saves, then (for "Activate") activates what was saved.
    let save = Callback::new({
        let navigate = navigate.clone();
        move |then_activate: bool| {
            attempted.set(true);
            notice.set(None);
            form_error.set(None);
            if !client_errors.get_untracked().is_empty() {
                form_error.set(Some(
                    "Fix the problems marked below, then save again.".into(),
                ));
                return;
            }
            saving.set(true);
            let client = session.client();
            let existing = saved.get_untracked().map(|c| c.id);
            let (name_now, steps_now, statuses_now) = (
                name.get_untracked().trim().to_owned(),
                steps
                    .get_untracked()
                    .into_iter()
                    .map(|s| s.to_step(kind))
                    .collect::<Vec<_>>(),
                statuses.get_untracked(),
            );
            let sent = (name_now.clone(), steps_now.clone(), statuses_now.clone());
            let navigate = navigate.clone();
            spawn_local(async move {
                let result = match existing {
                    Some(id) => {
                        let request = UpdateCampaignRequest {
                            name: Some(name_now),
                            steps: Some(steps_now),
                            order_statuses: Some(statuses_now),
                        };
                        api::campaigns::update(&client, id, &request).await
                    }
                    None => {
                        let request = CreateCampaignRequest {
                            kind,
                            name: name_now,
                            steps: steps_now,
                            order_statuses: statuses_now,
                        };
                        api::campaigns::create(&client, &request).await
                    }
                };
                let _ = saving.try_set(false);
                match result {
                    Ok(dto) if existing.is_none() => {
                        let _ = baseline.try_set_value(sent);
                        // The new campaign's own page, so reloading edits it rather than a copy.
                        let path = if then_activate {
                            format!("/campaigns/{}?activate=now", dto.id)
                        } else {
                            format!("/campaigns/{}?saved=1", dto.id)
                        };
                        navigate(
                            &path,
                            NavigateOptions {
                                replace: true,
                                ..Default::default()
                            },
                        );
                    }
                    Ok(dto) => {
                        let id = dto.id;
                        baseline.set_value(sent);
                        saved.set(Some(dto));
                        if then_activate {
                            activation.activate(id);
                        } else {
                            notice.set(Some("Saved.".into()));
                        }
                    }
                    Err(error) if error.code() == Some(ProblemCode::ValidationFailed) => {
                        server_errors.set(error.field_errors().to_vec());
                        form_error.set(Some(error.message()));
                    }
                    Err(error) => form_error.set(Some(error.message())),
                }
            });
        }
    });

    // Back from the number picker (or just created): finish what the merchant asked for.
    if let Some(dto) = initial.as_ref() {
        let id = dto.id;
        let query = use_query_map().get_untracked();
        if query.get("saved").is_some() {
            notice.set(Some("Saved.".into()));
        }
        match auto_activate.as_deref() {
            _ if dto.status == CampaignStatus::Active => {}
            Some("now") => activation.activate(id),
            Some(_) => activation.activate_on_return(id),
            None => {}
        }
        if auto_activate.is_some() || query.get("saved").is_some() {
            // A reload must not activate again; navigating waits until the page is drawn.
            let navigate = navigate.clone();
            Effect::new(move |_| {
                // Untracked: run once, not again whenever the location changes.
                untrack(|| {
                    navigate(
                        &format!("/campaigns/{id}"),
                        NavigateOptions {
                            replace: true,
                            ..Default::default()
                        },
                    )
                });
            });
        }
    }

    let add_step = move |_| {
        let last_delay = steps.with_untracked(|s| s.last().map(|d| d.to_step(kind).delay_minutes));
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        let delay = last_delay.map_or(60, |d| d.saturating_mul(2).max(60));
        let draft = StepDraft::new(
            key,
            &CampaignStep {
                delay_minutes: delay,
                body: "Still thinking it over? Your cart at {{ store_name }} is waiting: {{ cart_url }}"
                    .into(),
                discount_code: None,
            },
        );
        steps.update(|s| s.push(draft));
        on_edit.run(());
    };
    let remove_step = Callback::new(move |key: u64| {
        steps.update(|s| s.retain(|d| d.key != key));
        on_edit.run(());
    });
    let can_remove = Signal::derive(move || steps.with(|s| s.len() > 1));

    let confirming_delete = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);
    let confirm_delete = {
        let navigate = use_navigate();
        Callback::new(move |()| {
            let Some(id) = saved.get_untracked().map(|c| c.id) else {
                return;
            };
            deleting.set(true);
            // Deleted, its edits go with it: nothing to ask about on the way out.
            baseline.set_value(snapshot());
            let client = session.client();
            let navigate = navigate.clone();
            spawn_local(async move {
                match api::campaigns::delete(&client, id).await {
                    Ok(()) => navigate("/campaigns", Default::default()),
                    Err(error) if error.code() == Some(ProblemCode::NotFound) => {
                        navigate("/campaigns", Default::default())
                    }
                    Err(error) => {
                        delete_error.set(Some(error.message()));
                        deleting.set(false);
                    }
                }
            });
        })
    };

    let status = Signal::derive(move || saved.with(|s| s.as_ref().map(|c| c.status)));
    let busy = move || saving.get() || activation.busy.get().is_some();
    let name_error = Signal::derive(move || shown_errors.with(|e| error_for(e, "name")));
    let statuses_error =
        Signal::derive(move || shown_errors.with(|e| error_for(e, "order_statuses")));
    let steps_error = Signal::derive(move || shown_errors.with(|e| error_for(e, "steps")));

    view! {
        <div class="page-header">
            <div>
                <p class="breadcrumb"><A href="/campaigns">"Campaigns"</A></p>
                <h1>{move || if saved.with(Option::is_some) { name.get() } else { "New campaign".to_owned() }}</h1>
                <p class="muted">
                    <span data-testid="editor-kind">{kind_title(kind)}</span>" · "{kind_description(kind)}
                </p>
            </div>
            {move || status.get().map(|s| view! { <StatusBadge status=s /> })}
        </div>
        {move || notice.get().map(|n| view! { <div class="alert alert-info" role="status" data-testid="campaign-notice">{n}</div> })}
        <FormAlert message=Signal::derive(move || form_error.get().or_else(|| activation.error.get())) />
        <form class="form campaign-form" novalidate on:submit=move |ev| { ev.prevent_default(); save.run(false); }>
            <section class="card">
                <div class="field" class:field-invalid=move || name_error.with(Option::is_some)>
                    <label for="campaign-name">"Name"</label>
                    <p class="field-hint">"Only you see it."</p>
                    <input id="campaign-name" type="text" data-testid="campaign-name-input"
                        prop:value=move || name.get()
                        on:input=move |ev| { name.set(event_target_value(&ev)); name_touched.set(true); on_edit.run(()); } />
                    {move || name_error.get().map(|m| view! { <p class="field-error" data-testid="campaign-name-error">{m}</p> })}
                </div>
                {(kind == CampaignKind::OrderUpdate).then(|| view! {
                    <fieldset class="field" class:field-invalid=move || statuses_error.with(Option::is_some)>
                        <legend>"Send when an order becomes"</legend>
                        <div class="status-options">
                            {ORDER_STATUSES.into_iter().map(|s| view! {
                                <label class="checkbox">
                                    <input type="checkbox" data-testid=format!("order-status-{s}")
                                        prop:checked=move || statuses.with(|v| v.iter().any(|x| x == s))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            statuses.update(|v| {
                                                v.retain(|x| x != s);
                                                if on {
                                                    v.push(s.to_owned());
                                                }
                                                // The API's order, so saving twice changes nothing.
                                                v.sort_by_key(|x| ORDER_STATUSES.iter().position(|o| o == x));
                                            });
                                            statuses_touched.set(true);
                                            on_edit.run(());
                                        } />
                                    " "{status_title(s)}
                                </label>
                            }).collect_view()}
                        </div>
                        {move || statuses_error.get().map(|m| view! { <p class="field-error" data-testid="order-statuses-error">{m}</p> })}
                    </fieldset>
                })}
            </section>
            {move || steps_error.get().map(|m| view! { <p class="alert alert-error" data-testid="steps-error">{m}</p> })}
            <For
                each=move || steps.get().into_iter().enumerate()
                key=|(_, d)| d.key
                children=move |(_, draft)| {
                    let index = Signal::derive(move || {
                        steps.with(|s| s.iter().position(|d| d.key == draft.key).unwrap_or(0))
                    });
                    view! {
                        <StepEditor kind step=draft index errors=shown_errors price can_remove
                            on_remove=remove_step on_edit />
                    }
                }
            />
            {flow.then(|| view! {
                <div class="add-step">
                    <button type="button" class="button button-secondary" data-testid="add-step"
                        disabled=move || steps.with(|s| s.len() >= campaigns::MAX_STEPS)
                        on:click=add_step>
                        "Add a step"
                    </button>
                    <span class="muted">{format!("Up to {} steps.", campaigns::MAX_STEPS)}</span>
                </div>
            })}
            <div class="form-actions editor-actions">
                <button type="submit" class="button button-primary" data-testid="save-campaign" disabled=busy>
                    {move || if saving.get() { "Saving…" } else { "Save" }}
                </button>
                {move || match status.get() {
                    Some(CampaignStatus::Active) => view! {
                        <button type="button" class="button button-secondary" data-testid="pause-campaign"
                            disabled=busy
                            on:click=move |_| if let Some(id) = saved.get_untracked().map(|c| c.id) { activation.pause(id) }>
                            "Pause"
                        </button>
                    }.into_any(),
                    _ => view! {
                        <button type="button" class="button button-secondary" data-testid="activate-campaign"
                            disabled=busy on:click=move |_| save.run(true)>
                            "Activate"
                        </button>
                    }.into_any(),
                }}
                {move || saved.with(Option::is_some).then(|| view! {
                    <button type="button" class="button button-danger-quiet" data-testid="delete-campaign"
                        disabled=busy
                        on:click=move |_| { delete_error.set(None); confirming_delete.set(true); }>
                        "Delete"
                    </button>
                })}
            </div>
        </form>
        <Show when=move || confirming_delete.get()>
            <ConfirmDialog
                title=format!("Delete {}?", name.get_untracked())
                message="The campaign stops and its texts that have not gone out yet are cancelled. This cannot be undone."
                confirm_label="Delete campaign"
                busy_label="Deleting…"
                busy=deleting
                error=delete_error
                on_confirm=confirm_delete
                on_cancel=Callback::new(move |()| confirming_delete.set(false))
            />
        </Show>
    }
}

/// While `unsaved()` holds, a reload or closing the tab asks the browser's "Leave site?", and a
/// link inside the app asks whether to drop the changes.
fn guard_unsaved_changes(unsaved: impl Fn() -> bool + Clone + Send + Sync + 'static) {
    let reload_check = unsaved.clone();
    let before_unload = window_event_listener_untyped("beforeunload", move |ev| {
        if reload_check() {
            ev.prevent_default();
            // Older browsers ask only when `returnValue` is set.
            let _ = js_sys::Reflect::set(&ev, &"returnValue".into(), &"".into());
        }
    });
    on_cleanup(move || before_unload.remove());

    // On the document, so it runs before the router's own handler on the window, which leaves
    // a click alone once its default is prevented.
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let link = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten());
        let Some(link) = link else { return };
        if link.has_attribute("download")
            || link.get_attribute("target").is_some_and(|t| t != "_self")
            || !unsaved()
        {
            return;
        }
        let leave = window()
            .confirm_with_message("Leave this campaign? Your changes have not been saved.")
            .unwrap_or(true);
        if !leave {
            ev.prevent_default();
        }
    });
    let document = document();
    let _ = document.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    let held = send_wrapper::SendWrapper::new((document, on_click));
    on_cleanup(move || {
        let (document, on_click) = held.take();
        let _ = document
            .remove_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    });
}
