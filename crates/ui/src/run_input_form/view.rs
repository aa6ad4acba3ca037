//! The widgets: one per [`Kind`], drawn recursively, each writing straight into the input
//! being built and showing the validation errors that point at it.
//!
//! A widget reads its starting text once and then owns it, so typing is never rewritten
//! under the caret ("1e3" stays "1e3"); lists and dictionaries redraw their rows only when
//! their length changes.

use flowgate_core::run_input::{PathSegment, ValidationIssue};
use leptos::prelude::*;
use serde_json::Value;

use super::doc::{self, Path, Step, child};
use super::fields::{Field, Kind};

// The dispatcher (`field_view`, `leaf_widget`) is here; the widgets are in these two.
mod composites;
mod widgets;

use composites::{dict_view, list_view, optional_view};
use widgets::{checkbox, json_editor, select, text_input};

/// What every widget shares.
#[derive(Clone, Copy)]
pub(crate) struct FormContext {
    /// The input being built.
    pub doc: RwSignal<Value>,
    /// The errors of the current verdict.
    pub errors: Signal<Vec<ValidationIssue>>,
    /// JSON sub-editors whose text is not JSON yet: their pointer and text (kept with the
    /// draft, and given back to the editor when the form is drawn again).
    pub unparsed: RwSignal<Vec<(String, String)>>,
    /// Called after every change to `doc`.
    pub changed: Callback<()>,
}

impl FormContext {
    fn update(self, change: impl FnOnce(&mut Value)) {
        self.doc.update(change);
        self.changed.run(());
    }

    fn write(self, path: &[Step], value: Option<Value>) {
        self.update(|doc| doc::set(doc, path, value));
    }

    fn read(self, path: &[Step]) -> Option<Value> {
        self.doc.with_untracked(|doc| doc::get(doc, path).cloned())
    }
}

/// What an emptied box means.
#[derive(Clone, Copy, PartialEq)]
enum Empty {
    /// The property is left out.
    Absent,
    /// `null` (an optional value).
    Null,
    /// An empty string (a list item or tuple slot, which cannot be left out).
    Blank,
}

fn empty_for(path: &[Step]) -> Empty {
    match path.last() {
        Some(Step::Key(_)) => Empty::Absent,
        _ => Empty::Blank,
    }
}

/// The whole form for `root`.
pub(crate) fn form_view(context: FormContext, root: Field) -> AnyView {
    view! {
        <div class="schema-form" data-testid="schema-form">
            {field_view(context, root, Vec::new(), String::new(), true)}
        </div>
    }
    .into_any()
}

/// What surrounds a field: its label, required mark, description, errors and place.
struct Frame {
    label: String,
    mark: Option<AnyView>,
    help: Option<AnyView>,
    errors: AnyView,
    place: Memo<String>,
}

impl Frame {
    /// A group of fields under a legend.
    fn fieldset(self, class: &'static str, body: impl IntoView + 'static) -> AnyView {
        view! {
            <fieldset class=class data-path=self.place>
                <legend>{self.label}{self.mark}</legend>{self.help}{self.errors}{body}
            </fieldset>
        }
        .into_any()
    }
}

fn field_view(
    context: FormContext,
    field: Field,
    path: Path,
    name: String,
    required: bool,
) -> AnyView {
    // Where the field is now: a dictionary row's place changes with its key.
    let at = {
        let path = path.clone();
        Memo::new(move |_| context.doc.with(|doc| doc::segments(doc, &path)))
    };
    let place = Memo::new(move |_| at.with(|segments| doc::pointer(segments)));
    let frame = Frame {
        label: field.label(&name),
        mark: required
            .then(|| view! { <abbr class="required" title="required">"*"</abbr> }.into_any()),
        help: field
            .description
            .clone()
            .map(|text| view! { <small class="help">{text}</small> }.into_any()),
        errors: errors_at(context, at),
        place,
    };
    match field.kind {
        Kind::Object(properties) => {
            let body = properties
                .into_iter()
                .map(|p| {
                    let at = child(&path, Step::Key(p.name.clone()));
                    field_view(context, p.field, at, p.name, p.required)
                })
                .collect_view();
            if path.is_empty() {
                let Frame { help, errors, .. } = frame;
                view! { <div class="object" data-path=place>{help}{errors}{body}</div> }.into_any()
            } else {
                frame.fieldset("object", body)
            }
        }
        Kind::Nullable(inner) if is_composite(&inner.kind) => {
            let inner = Field {
                title: inner.title.or(field.title),
                description: None,
                default: None,
                kind: inner.kind,
            };
            optional_view(context, inner, path, name, frame)
        }
        Kind::List { item, min, max } => list_view(context, *item, path, (min, max), frame),
        Kind::Dict(values) => dict_view(context, *values, path, frame),
        Kind::Tuple(items) => {
            let body = items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    let at = child(&path, Step::Index(i));
                    field_view(context, item, at, format!("#{}", i + 1), true)
                })
                .collect_view();
            frame.fieldset("tuple", body)
        }
        kind => {
            let widget = leaf_widget(context, kind, path);
            let Frame {
                label,
                mark,
                help,
                errors,
                place,
            } = frame;
            view! {
                <div class="field" data-path=place>
                    <label><span class="label">{label}{mark}</span>{widget}</label>
                    {help}{errors}
                </div>
            }
            .into_any()
        }
    }
}

/// How many items or entries the container at `path` has; changes only when that does, so
/// typing inside a row does not redraw the rows.
fn row_count(context: FormContext, path: &[Step]) -> Memo<usize> {
    let path = path.to_vec();
    Memo::new(move |_| context.doc.with(|doc| doc::len(doc, &path)))
}

fn is_composite(kind: &Kind) -> bool {
    matches!(
        kind,
        Kind::Object(_) | Kind::List { .. } | Kind::Dict(_) | Kind::Tuple(_)
    )
}

/// The widget of a single value, beside its label.
fn leaf_widget(context: FormContext, kind: Kind, path: Path) -> AnyView {
    match kind {
        Kind::Text { format, hint } => {
            let placeholder = hint.or(format).unwrap_or_default();
            text_input(context, path, Empty::Absent, false, placeholder)
        }
        Kind::Number { integer, hint } => {
            let placeholder =
                hint.unwrap_or_else(|| if integer { "an integer" } else { "a number" }.into());
            text_input(context, path, Empty::Absent, true, placeholder)
        }
        Kind::Boolean => checkbox(context, path),
        Kind::Choice(options) => select(context, path, options),
        Kind::Nullable(inner) => match inner.kind {
            Kind::Text { format, hint } => {
                let placeholder = hint.or(format).unwrap_or_else(|| "empty means none".into());
                text_input(context, path, Empty::Null, false, placeholder)
            }
            Kind::Number { hint, .. } => {
                let placeholder = hint.unwrap_or_else(|| "empty means none".into());
                text_input(context, path, Empty::Null, true, placeholder)
            }
            Kind::Boolean => select(
                context,
                path,
                vec![Value::Bool(true), Value::Bool(false), Value::Null],
            ),
            Kind::Choice(mut options) => {
                if !options.contains(&Value::Null) {
                    options.push(Value::Null);
                }
                select(context, path, options)
            }
            other => json_editor(context, path, Empty::Null, other),
        },
        other => json_editor(context, path, Empty::Absent, other),
    }
}

/// The errors of the current verdict that point at the field (`at`, step by step).
fn errors_at(context: FormContext, at: Memo<Vec<PathSegment>>) -> AnyView {
    let messages = move || {
        context.errors.with(|errors| {
            errors
                .iter()
                .filter(|e| at.with(|at| e.instance_path == *at))
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
        })
    };
    view! {
        <ul class="field-error">
            {move || messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
        </ul>
    }
    .into_any()
}
