//! The widgets that hold other fields: an optional value (present or `null`), a list, and a
//! dictionary whose rows carry their own keys.

use leptos::prelude::*;
use serde_json::Value;

use super::super::doc::{self, Path, Step, child};
use super::super::fields::Field;
use super::{FormContext, Frame, field_view, row_count};

/// An optional object, list or tuple: a box to give it, and its fields when given.
pub(super) fn optional_view(
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
pub(super) fn list_view(
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
pub(super) fn dict_view(context: FormContext, values: Field, path: Path, frame: Frame) -> AnyView {
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
