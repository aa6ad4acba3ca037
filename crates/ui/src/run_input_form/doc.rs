//! The input being built, addressed by paths that survive edits: a dictionary row is found
//! by its position, so renaming its key does not move the row's widgets.

use flowgate_core::run_input::PathSegment;
use serde_json::{Map, Value};

/// One step into the input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// A named property of an object.
    Key(String),
    /// A position in a list or tuple.
    Index(usize),
    /// The n-th entry of a dictionary, whatever its key is now.
    Entry(usize),
}

/// Where a value lives in the input.
pub(crate) type Path = Vec<Step>;

/// The path one step further.
pub(crate) fn child(path: &[Step], step: Step) -> Path {
    let mut next = path.to_vec();
    next.push(step);
    next
}

/// The value at `path`, if there is one.
pub(crate) fn get<'a>(doc: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter()
        .try_fold(doc, |value, step| match (step, value) {
            (Step::Key(key), Value::Object(map)) => map.get(key),
            (Step::Entry(n), Value::Object(map)) => map.values().nth(*n),
            (Step::Index(i), Value::Array(items)) => items.get(*i),
            _ => None,
        })
}

fn get_mut<'a>(doc: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter()
        .try_fold(doc, |value, step| match (step, value) {
            (Step::Key(key), Value::Object(map)) => map.get_mut(key),
            (Step::Entry(n), Value::Object(map)) => map.values_mut().nth(*n),
            (Step::Index(i), Value::Array(items)) => items.get_mut(*i),
            _ => None,
        })
}

/// The place `path` names, made where it is missing: a missing or `null` parent becomes an
/// object (before a key) or a list (before a position, padded with `null`). `None` when a
/// parent holds something else (a string where an object belongs): that is left alone.
fn slot<'a>(doc: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(doc, |value, step| match step {
        Step::Key(key) => {
            if value.is_null() {
                *value = Value::Object(Map::new());
            }
            Some(
                value
                    .as_object_mut()?
                    .entry(key.clone())
                    .or_insert(Value::Null),
            )
        }
        Step::Index(i) => {
            if value.is_null() {
                *value = Value::Array(Vec::new());
            }
            let items = value.as_array_mut()?;
            if items.len() <= *i {
                items.resize(i + 1, Value::Null);
            }
            items.get_mut(*i)
        }
        Step::Entry(n) => value.as_object_mut()?.values_mut().nth(*n),
    })
}

/// Sets the value at `path`, making missing parents; `None` leaves a property out (and,
/// anywhere else, means `null`).
pub(crate) fn set(doc: &mut Value, path: &[Step], value: Option<Value>) {
    if let (Some((Step::Key(key), parent)), None) = (path.split_last(), &value) {
        if let Some(Value::Object(map)) = get_mut(doc, parent) {
            map.shift_remove(key);
        }
        return;
    }
    if let Some(place) = slot(doc, path) {
        *place = value.unwrap_or(Value::Null);
    }
}

/// Where `path` is in `doc` now, step by step, as validation errors name places (a
/// dictionary row by its current key).
pub(crate) fn segments(doc: &Value, path: &[Step]) -> Vec<PathSegment> {
    let mut out = Vec::with_capacity(path.len());
    let mut value = Some(doc);
    for step in path {
        out.push(match step {
            Step::Key(key) => PathSegment::Key(key.clone()),
            Step::Index(i) => PathSegment::Index(*i),
            Step::Entry(n) => PathSegment::Key(
                value
                    .and_then(Value::as_object)
                    .and_then(|map| map.keys().nth(*n).cloned())
                    .unwrap_or_default(),
            ),
        });
        value = value.and_then(|v| get(v, std::slice::from_ref(step)));
    }
    out
}

/// `segments` as a JSON Pointer (`/tags/1`): the `data-path` of a field, and how a message
/// names a place. Errors are matched to fields by their segments, never by this text.
pub(crate) fn pointer(segments: &[PathSegment]) -> String {
    let mut out = String::new();
    for segment in segments {
        out.push('/');
        match segment {
            PathSegment::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            PathSegment::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

/// Appends `item` to the list at `path` (making it a list if it is not one).
pub(crate) fn push(doc: &mut Value, path: &[Step], item: Value) {
    match get_mut(doc, path) {
        Some(Value::Array(items)) => items.push(item),
        Some(other) => *other = Value::Array(vec![item]),
        None => set(doc, path, Some(Value::Array(vec![item]))),
    }
}

/// Removes position `index` of the list, or entry `index` of the dictionary, at `path`.
pub(crate) fn remove(doc: &mut Value, path: &[Step], index: usize) {
    match get_mut(doc, path) {
        Some(Value::Array(items)) if index < items.len() => {
            items.remove(index);
        }
        Some(Value::Object(map)) => {
            if let Some(key) = map.keys().nth(index).cloned() {
                map.shift_remove(&key);
            }
        }
        _ => {}
    }
}

/// Adds an entry to the dictionary at `path` under a key not used yet; returns the key.
pub(crate) fn add_entry(doc: &mut Value, path: &[Step], value: Value) -> Option<String> {
    if !matches!(get(doc, path), Some(Value::Object(_))) {
        set(doc, path, Some(Value::Object(Map::new())));
    }
    let Some(Value::Object(map)) = get_mut(doc, path) else {
        return None;
    };
    let key = (1..)
        .map(|n| {
            if n == 1 {
                "key".to_owned()
            } else {
                format!("key-{n}")
            }
        })
        .find(|key| !map.contains_key(key))?;
    map.insert(key.clone(), value);
    Some(key)
}

/// Renames entry `index` of the dictionary at `path`, keeping its place. Refused (false)
/// when another entry already has that key.
pub(crate) fn rename_entry(doc: &mut Value, path: &[Step], index: usize, key: &str) -> bool {
    let Some(Value::Object(map)) = get_mut(doc, path) else {
        return false;
    };
    let Some(current) = map.keys().nth(index).cloned() else {
        return false;
    };
    if current == key {
        return true;
    }
    if map.contains_key(key) {
        return false;
    }
    let entries = std::mem::take(map);
    *map = entries
        .into_iter()
        .map(|(k, v)| {
            if k == current {
                (key.to_owned(), v)
            } else {
                (k, v)
            }
        })
        .collect();
    true
}

/// The key of entry `index` of the dictionary at `path`.
pub(crate) fn entry_key(doc: &Value, path: &[Step], index: usize) -> Option<String> {
    get(doc, path)?.as_object()?.keys().nth(index).cloned()
}

/// How many items or entries the container at `path` has (0 when it is not one).
pub(crate) fn len(doc: &Value, path: &[Step]) -> usize {
    match get(doc, path) {
        Some(Value::Array(items)) => items.len(),
        Some(Value::Object(map)) => map.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dictionary_rows_keep_their_place_through_a_rename() {
        let mut doc = json!({"limits": {"a": 1, "b": 2, "c": 3}});
        let limits = vec![Step::Key("limits".into())];
        assert!(rename_entry(&mut doc, &limits, 1, "x/y"));
        assert_eq!(doc.to_string(), r#"{"limits":{"a":1,"x/y":2,"c":3}}"#);
        let at = segments(&doc, &child(&limits, Step::Entry(1)));
        assert_eq!(
            at,
            vec![
                PathSegment::Key("limits".into()),
                PathSegment::Key("x/y".into())
            ]
        );
        assert_eq!(pointer(&at), "/limits/x~1y");
        assert!(
            !rename_entry(&mut doc, &limits, 1, "a"),
            "a key in use is refused"
        );
        set(&mut doc, &child(&limits, Step::Entry(1)), Some(json!(5)));
        assert_eq!(get(&doc, &child(&limits, Step::Entry(1))), Some(&json!(5)));
        assert_eq!(
            add_entry(&mut doc, &limits, json!(0)).as_deref(),
            Some("key")
        );
        assert_eq!(
            add_entry(&mut doc, &limits, json!(0)).as_deref(),
            Some("key-2")
        );
        remove(&mut doc, &limits, 0);
        assert_eq!(
            doc.to_string(),
            r#"{"limits":{"x/y":5,"c":3,"key":0,"key-2":0}}"#
        );
    }

    #[test]
    fn properties_are_set_left_out_and_lists_grow_and_shrink() {
        let mut doc = json!({"note": "x"});
        set(&mut doc, &[Step::Key("note".into())], None);
        assert_eq!(doc, json!({}));
        let tags = vec![Step::Key("tags".into())];
        push(&mut doc, &tags, json!("a"));
        push(&mut doc, &tags, json!("b"));
        set(&mut doc, &child(&tags, Step::Index(1)), Some(json!("c")));
        assert_eq!(len(&doc, &tags), 2);
        remove(&mut doc, &tags, 0);
        assert_eq!(doc, json!({"tags": ["c"]}));
        set(
            &mut doc,
            &[Step::Key("a".into()), Step::Index(1)],
            Some(json!(1)),
        );
        assert_eq!(
            doc,
            json!({"tags": ["c"], "a": [null, 1]}),
            "missing parents are made"
        );
        set(
            &mut doc,
            &[Step::Key("tags".into()), Step::Key("b".into())],
            Some(json!(1)),
        );
        assert_eq!(
            doc,
            json!({"tags": ["c"], "a": [null, 1]}),
            "a list is not made an object"
        );
    }
}
