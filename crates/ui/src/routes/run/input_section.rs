//! The input a paused run asks for: its description, the form (or raw JSON) and, beside raw
//! JSON, every error the verdict found.

use flowgate_client::RunInputRequest;
use flowgate_core::run_input::ValidationIssue;
use leptos::prelude::*;

use crate::components::markdown::LazyMarkdown;
use crate::run_input_form::{EditMode, Field, RunInputEditor};

/// The input's fieldset, locked when the run changed elsewhere.
#[component]
pub(super) fn InputSection(
    asks: RunInputRequest,
    input: RwSignal<String>,
    on_edit: Callback<String>,
    /// The schema's fields, if the form can draw it.
    fields: Option<Field>,
    mode: RwSignal<EditMode>,
    unparsed: RwSignal<Vec<(String, String)>>,
    /// The errors the verdict found (of the nearest measured release where only the server
    /// can tell).
    errors: Memo<Vec<ValidationIssue>>,
    /// Whether the text is JSON.
    input_parses: Signal<bool>,
    locked: Signal<bool>,
) -> impl IntoView {
    view! {
        <fieldset class="input" disabled=locked>
            <h2>"The input it asks for"</h2>
            {asks.description.map(|text| view! { <LazyMarkdown text=text/> })}
            {asks.schema.is_none().then(|| view! { <p class="error">"No input schema is stored for this pause."</p> })}
            <RunInputEditor input=input on_edit=on_edit fields=fields mode=mode
                unparsed=unparsed errors=errors.into() input_parses=input_parses/>
            // In the form each error sits beside its field; beside raw JSON, all are listed.
            <ul class="field-errors" data-testid="field-errors">
                {move || (mode.get() == EditMode::Json).then(|| errors.get().into_iter().map(|e| view! {
                    <li><code>{if e.path.is_empty() { "(input)".to_owned() } else { e.path.clone() }}</code>": "{e.message.clone()}</li>
                }).collect_view())}
            </ul>
        </fieldset>
    }
}
