use leptos::prelude::*;
use textback_shared::opt_out::OptOutDto;
use textback_shared::phone::format_national;

use crate::format;

/// How the number got on the list, as the store would say it.
pub fn source_label(source: Option<&str>) -> String {
    match source {
        Some("keyword") => "Texted STOP".into(),
        Some("manual") => "By the store".into(),
        Some("import") => "Imported".into(),
        Some("api") => "Through an integration".into(),
        Some("checkout") => "At checkout".into(),
        Some(other) => other.to_owned(),
        None => "Unknown".into(),
    }
}

#[component]
pub fn OptOutTable(
    #[prop(into)] items: Signal<Vec<OptOutDto>>,
    on_resubscribe: Callback<OptOutDto>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="opt-outs-table">
                <thead>
                    <tr>
                        <th scope="col">"Number"</th>
                        <th scope="col">"Opted out"</th>
                        <th scope="col">"How"</th>
                        <th scope="col">"Note"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || items.get() key=|o| (o.contact_id, o.opted_out_at) let:opt_out>
                        <OptOutRow opt_out on_resubscribe />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn OptOutRow(opt_out: OptOutDto, on_resubscribe: Callback<OptOutDto>) -> impl IntoView {
    let national = format_national(&opt_out.phone);
    let resubscribe_label = format!("Resubscribe {national}");
    let note = opt_out.note.clone().filter(|n| !n.trim().is_empty());
    let no_note = note.is_none();
    let row = opt_out.clone();

    view! {
        <tr data-testid="opt-out-row" data-phone=opt_out.phone.clone()>
            <td class="key-name" data-label="Number" data-testid="opt-out-phone">{national}</td>
            <td data-label="Opted out">{format::date_time(&opt_out.opted_out_at)}</td>
            <td data-label="How" data-testid="opt-out-source">{source_label(opt_out.source.as_deref())}</td>
            <td data-label="Note" class="opt-out-note" class:muted=no_note data-testid="opt-out-note">
                {note.unwrap_or_else(|| "—".into())}
            </td>
            <td class="row-actions">
                <button
                    type="button"
                    class="button button-quiet button-small"
                    aria-label=resubscribe_label
                    data-testid="resubscribe"
                    on:click=move |_| on_resubscribe.run(row.clone())
                >
                    "Resubscribe…"
                </button>
            </td>
        </tr>
    }
}
