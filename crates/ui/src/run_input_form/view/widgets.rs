//! The widgets for one value: a text box (strings and numbers), a checkbox, a select (enums
//! and literals) and a JSON editor for what the form cannot draw field by field.

use leptos::prelude::*;
use serde_json::Value;

use super::super::doc::{self, Path, Step};
use super::super::fields::Kind;
use super::{Empty, FormContext, empty_for};

pub(super) fn empty_value(empty: Empty, path: &[Step]) -> Option<Value> {
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

pub(super) fn starting_text(value: Option<Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text,
        Some(other) => other.to_string(),
    }
}

/// A text box; for numbers, what parses as a JSON number is sent as one and anything else
/// as the string typed, so the verdict names exactly what the server would.
pub(super) fn text_input(
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

pub(super) fn checkbox(context: FormContext, path: Path) -> AnyView {
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

pub(super) fn option_label(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

pub(super) fn select(context: FormContext, path: Path, options: Vec<Value>) -> AnyView {
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
pub(super) fn json_editor(context: FormContext, path: Path, empty: Empty, kind: Kind) -> AnyView {
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
