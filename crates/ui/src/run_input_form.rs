//! The run-input editor: a form generated from the stored JSON Schema, or the input as raw
//! JSON for anything the form cannot draw. Both write the same text, which the run page
//! validates on every keystroke and keeps as a draft.

mod doc;
mod fields;
mod view;

use flowgate_core::run_input::ValidationIssue;
use leptos::prelude::*;
use serde_json::Value;

pub(crate) use fields::Field;
use view::{FormContext, form_view};

/// How the input is being edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EditMode {
    /// The generated form.
    Form,
    /// The raw JSON text.
    Json,
}

/// The form's field tree for a stored schema's text, when it is JSON.
pub(crate) fn form_fields(schema_text: Option<&str>) -> Option<Field> {
    let schema: Value = serde_json::from_str(schema_text?).ok()?;
    Some(Field::for_schema(&schema))
}

/// The input a new form starts with (the schema's defaults), as the text the page keeps.
pub(crate) fn starting_text(fields: &Field) -> String {
    let value = fields
        .initial()
        .unwrap_or_else(|| Value::Object(Default::default()));
    serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".into())
}

/// Why the form's text is not ready to send, if it is not: the first JSON sub-editor whose
/// text does not parse.
pub(crate) fn unfinished(unparsed: &[(String, String)]) -> Option<String> {
    unparsed.first().map(|(pointer, text)| {
        let place = if pointer.is_empty() { "/" } else { pointer };
        let message = serde_json::from_str::<Value>(text)
            .err()
            .map_or_else(String::new, |err| err.to_string());
        format!("the JSON at {place} is not finished ({message})")
    })
}

/// The editor: a mode switch, then the form or the JSON text.
#[component]
pub(crate) fn RunInputEditor(
    /// The input's text (what is validated, sent and kept as a draft).
    input: RwSignal<String>,
    /// Called with the new text after each edit.
    on_edit: Callback<String>,
    /// The form's fields; `None` when the schema cannot be read, so only JSON is offered.
    fields: Option<Field>,
    /// Form or JSON.
    mode: RwSignal<EditMode>,
    /// JSON sub-editors of the form whose text does not parse yet: pointer and text.
    unparsed: RwSignal<Vec<(String, String)>>,
    /// The errors of the current verdict, shown beside their fields.
    errors: Signal<Vec<ValidationIssue>>,
    /// Whether the text parses as JSON, as the page already works out for the verdict
    /// (consulted only in JSON mode, to allow going back to the form).
    input_parses: Signal<bool>,
) -> impl IntoView {
    let can_form = fields.is_some();
    if !can_form {
        mode.set(EditMode::Json);
    }
    let fields = StoredValue::new(fields);
    // The form keeps its own document; when the text is replaced from outside (a draft from
    // another tab, an earlier draft put back), not by the form's own edits, it is built again
    // from the new text.
    let last_written = StoredValue::new(None::<String>);
    let replaced = Memo::new(move |previous: Option<&u32>| {
        let text = input.get();
        let count = previous.copied().unwrap_or(0);
        if last_written.with_value(|w| w.as_deref() == Some(text.as_str())) {
            count
        } else {
            count + 1
        }
    });
    let form = move || {
        let fields = fields.get_value()?;
        let start = serde_json::from_str::<Value>(&input.get_untracked()).ok()?;
        let doc = RwSignal::new(start);
        let changed = Callback::new(move |()| {
            let text =
                doc.with_untracked(|doc| serde_json::to_string_pretty(doc).unwrap_or_default());
            last_written.set_value(Some(text.clone()));
            on_edit.run(text);
        });
        let context = FormContext {
            doc,
            errors,
            unparsed,
            changed,
        };
        Some(form_view(context, fields))
    };
    view! {
        <div class="modes" role="group" aria-label="How to edit the input">
            <button type="button" data-testid="mode-form"
                class:on=move || mode.get() == EditMode::Form
                disabled=move || !can_form || (mode.get() == EditMode::Json && !input_parses.get())
                title=move || if !can_form { "the schema cannot be read, so there is no form" }
                    else if mode.get() == EditMode::Json && !input_parses.get() { "the JSON must parse to go back to the form" }
                    else { "edit with the form" }
                on:click=move |_| mode.set(EditMode::Form)>"Form"</button>
            <button type="button" data-testid="mode-json"
                class:on=move || mode.get() == EditMode::Json
                on:click=move |_| { unparsed.set(Vec::new()); mode.set(EditMode::Json) }>"JSON"</button>
        </div>
        {move || match mode.get() {
            EditMode::Form => {
                // Read, not only tracked: a memo is worked out when read.
                let _ = replaced.get();
                form().into_any()
            }
            EditMode::Json => view! {
                <label>"Run input (JSON)"
                    <textarea data-testid="run-input" rows="10" prop:value=move || input.get()
                        on:input=move |ev| on_edit.run(event_target_value(&ev))></textarea>
                </label>
            }.into_any(),
        }}
    }
}
