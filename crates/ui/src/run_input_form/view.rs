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

fn empty_value(empty: Empty, path: &[Step]) -> Option<Value> {
    let empty = if empty == Empty::Absent {
        empty_for(path)
    } else {
        empty
    };
    match empty {
        Empty::Absent => None,
        Empty::Null => Some(Value::Null),
        Empty::Blank => Some(Value::String(String::new())),
    }
}

fn starting_text(value: Option<Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text,
        Some(other) => other.to_string(),
    }
}

/// A text box; for numbers, what parses as a JSON number is sent as one and anything else
/// as the string typed, so the verdict names exactly what the server would.
fn text_input(
    context: FormContext,
    path: Path,
    empty: Empty,
    numeric: bool,
    placeholder: String,
) -> AnyView {
    let text = RwSignal::new(starting_text(context.read(&path)));
    let on_input = move |ev| {
        let typed = event_target_value(&ev);
        text.set(typed.clone());
        let value = if typed.is_empty() {
            match empty_value(empty, &path) {
                Some(Value::String(_)) if numeric => Some(Value::Null),
                other => other,
            }
        } else if numeric {
            match serde_json::from_str::<Value>(typed.trim()) {
                Ok(number @ Value::Number(_)) => Some(number),
                _ => Some(Value::String(typed)),
            }
        } else {
            Some(Value::String(typed))
        };
        context.write(&path, value);
    };
    let mode = if numeric { "decimal" } else { "text" };
    view! {
        <input type="text" inputmode=mode placeholder=placeholder
            prop:value=move || text.get() on:input=on_input/>
    }
    .into_any()
}

fn checkbox(context: FormContext, path: Path) -> AnyView {
    let checked = {
        let path = path.clone();
        move || {
            context
                .doc
                .with(|doc| doc::get(doc, &path) == Some(&Value::Bool(true)))
        }
    };
    let unset = {
        let path = path.clone();
        move || context.doc.with(|doc| doc::get(doc, &path).is_none())
    };
    view! {
        <input type="checkbox" prop:checked=checked
            on:change=move |ev| context.write(&path, Some(Value::Bool(event_target_checked(&ev))))/>
        {move || unset().then(|| view! { <small class="unset">"not set"</small> })}
    }
    .into_any()
}

fn option_label(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

fn select(context: FormContext, path: Path, options: Vec<Value>) -> AnyView {
    let options = StoredValue::new(options);
    let selected = {
        let path = path.clone();
        move || {
            context.doc.with(|doc| {
                let current = doc::get(doc, &path);
                options.with_value(|options| {
                    current
                        .and_then(|value| options.iter().position(|o| o == value))
                        .map(|i| i.to_string())
                        .unwrap_or_default()
                })
            })
        }
    };
    let other_label = {
        let path = path.clone();
        move || {
            context.doc.with(|doc| match doc::get(doc, &path) {
                Some(value) if !options.with_value(|options| options.contains(value)) => {
                    format!("— {value} (not one of these) —")
                }
                _ => "— not set —".to_owned(),
            })
        }
    };
    let on_change = move |ev| {
        let picked = event_target_value(&ev);
        let value = picked
            .parse::<usize>()
            .ok()
            .and_then(|i| options.with_value(|options| options.get(i).cloned()));
        context.write(&path, value.or_else(|| empty_value(Empty::Absent, &path)));
    };
    view! {
        <select prop:value=selected on:change=on_change>
            <option value="">{other_label}</option>
            {options.get_value().iter().enumerate().map(|(i, value)| view! {
                <option value=i.to_string()>{option_label(value)}</option>
            }).collect_view()}
        </select>
    }
    .into_any()
}

/// A small JSON editor for a value the form cannot draw; until its text parses, the
/// input counts as unfinished.
fn json_editor(context: FormContext, path: Path, empty: Empty, kind: Kind) -> AnyView {
    let why = match kind {
        Kind::Json(why) if !why.is_empty() => why,
        _ => "a value".into(),
    };
    let pointer = context
        .doc
        .with_untracked(|doc| doc::pointer(&doc::segments(doc, &path)));
    let half_typed = context.unparsed.with_untracked(|list| {
        list.iter()
            .find(|(p, _)| *p == pointer)
            .map(|(_, text)| text.clone())
    });
    let problem = RwSignal::new(half_typed.as_deref().and_then(|text| {
        serde_json::from_str::<Value>(text)
            .err()
            .map(|err| err.to_string())
    }));
    let start = half_typed.unwrap_or_else(|| match context.read(&path) {
        None => String::new(),
        Some(value) => serde_json::to_string_pretty(&value).unwrap_or_default(),
    });
    let text = RwSignal::new(start);
    let on_input = move |ev| {
        let typed = event_target_value(&ev);
        text.set(typed.clone());
        let parsed = if typed.trim().is_empty() {
            Ok(empty_value(empty, &path))
        } else {
            serde_json::from_str::<Value>(&typed).map(Some)
        };
        let pointer = pointer.clone();
        match parsed {
            Ok(value) => {
                problem.set(None);
                context
                    .unparsed
                    .update(|list| list.retain(|(p, _)| *p != pointer));
                context.write(&path, value);
            }
            Err(err) => {
                problem.set(Some(err.to_string()));
                context.unparsed.update(|list| {
                    list.retain(|(p, _)| *p != pointer);
                    list.push((pointer, typed));
                });
            }
        }
    };
    view! {
        <textarea class="json" rows="3" placeholder=format!("JSON: {why}")
            prop:value=move || text.get() on:input=on_input></textarea>
        {move || problem.get().map(|p| view! { <small class="error">"not JSON yet: "{p}</small> })}
    }
    .into_any()
}

/// An optional object, list or tuple: a box to give it, and its fields when given.
fn optional_view(
    context: FormContext,
    inner: Field,
    path: Path,
    name: String,
    frame: Frame,
) -> AnyView {
    let given = {
        let path = path.clone();
        Memo::new(move |_| {
            context
                .doc
                .with(|doc| !matches!(doc::get(doc, &path), None | Some(Value::Null)))
        })
    };
    let start = inner.initial().unwrap_or_else(|| inner.blank());
    let toggle = {
        let path = path.clone();
        move |ev| {
            let on = event_target_checked(&ev);
            context.write(&path, Some(if on { start.clone() } else { Value::Null }));
        }
    };
    let inner = StoredValue::new(inner);
    let Frame {
        label,
        mark,
        help,
        errors,
        place,
    } = frame;
    view! {
        <fieldset class="optional" data-path=place>
            <legend>
                <label class="check"><input type="checkbox" prop:checked=given on:change=toggle/>{label}{mark}</label>
            </legend>
            {help}{errors}
            {move || given.get().then(|| {
                field_view(context, inner.get_value(), path.clone(), name.clone(), false)
            })}
        </fieldset>
    }
    .into_any()
}

/// A list: its items, each removable, and a button to add one (within `minItems` and
/// `maxItems`).
fn list_view(
    context: FormContext,
    item: Field,
    path: Path,
    (min, max): (Option<usize>, Option<usize>),
    frame: Frame,
) -> AnyView {
    let count = row_count(context, &path);
    let item = StoredValue::new(item);
    let rows = {
        let path = path.clone();
        move || {
            (0..count.get())
                .map(|i| {
                    let at = child(&path, Step::Index(i));
                    let path = path.clone();
                    let remove = move |_| context.update(|doc| doc::remove(doc, &path, i));
                    view! {
                        <li>
                            {field_view(context, item.get_value(), at, format!("#{}", i + 1), false)}
                            <button type="button" class="remove" on:click=remove
                                disabled=move || min.is_some_and(|min| count.get() <= min)>"Remove"</button>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    let add = move |_| {
        let blank = item.with_value(Field::blank);
        context.update(|doc| doc::push(doc, &path, blank));
    };
    frame.fieldset(
        "list",
        view! {
            <ol>{rows}</ol>
            <button type="button" class="add" on:click=add
                disabled=move || max.is_some_and(|max| count.get() >= max)>"Add item"</button>
        },
    )
}

/// A dictionary: key/value rows.
fn dict_view(context: FormContext, values: Field, path: Path, frame: Frame) -> AnyView {
    let count = row_count(context, &path);
    let values = StoredValue::new(values);
    let rows = {
        let path = path.clone();
        move || {
            (0..count.get())
                .map(|i| {
                    let start = context
                        .doc
                        .with_untracked(|doc| doc::entry_key(doc, &path, i));
                    let key = RwSignal::new(start.unwrap_or_default());
                    let clash = RwSignal::new(false);
                    let rename = {
                        let path = path.clone();
                        move |ev| {
                            let typed = event_target_value(&ev);
                            key.set(typed.clone());
                            let mut renamed = false;
                            context.update(|doc| renamed = doc::rename_entry(doc, &path, i, &typed));
                            clash.set(!renamed);
                        }
                    };
                    let remove = {
                        let path = path.clone();
                        move |_| context.update(|doc| doc::remove(doc, &path, i))
                    };
                    let at = child(&path, Step::Entry(i));
                    view! {
                        <li class="entry">
                            <input type="text" class="key" placeholder="key"
                                prop:value=move || key.get() on:input=rename/>
                            {move || clash.get().then(|| view! { <small class="error">"another row has this key; this one keeps its old key"</small> })}
                            {field_view(context, values.get_value(), at, "value".into(), false)}
                            <button type="button" class="remove" on:click=remove>"Remove"</button>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    let add = move |_| {
        let blank = values.with_value(Field::blank);
        context.update(|doc| {
            doc::add_entry(doc, &path, blank);
        });
    };
    frame.fieldset(
        "dict",
        view! {
            <ul>{rows}</ul>
            <button type="button" class="add" on:click=add>"Add entry"</button>
        },
    )
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
