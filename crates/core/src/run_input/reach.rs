//! What Python meets before it validates: `$ref` cycles and unresolvable references on the
//! parts of the schema the input actually reaches.
//!
//! Python's `jsonschema` follows references lazily: a reference cycle that never consumes
//! input recurses until Python raises `RecursionError` (the server's "circular references"
//! REJECT), and a reference that points nowhere fails only when validation reaches it. The
//! Rust validator would overflow its stack on the first and refuse the whole schema on the
//! second, so this walk runs first and decides both the way Python does.
//!
//! Known difference: Python stops at the first valid `anyOf` branch; this walk visits every
//! branch, so a cycle hidden behind an earlier valid branch is reported as circular.

use std::collections::HashSet;

use serde_json::Value;

use super::python_repr;

/// What the walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Nothing that stops validation.
    Clear,
    /// A reference cycle the input reaches (Python's `RecursionError`).
    Circular,
    /// A reference that cannot be resolved, with Python's message for it.
    Unresolvable(String),
}

/// Nesting beyond this many schema steps is treated as Python's `RecursionError`.
const MAX_DEPTH: usize = 400;

pub(crate) fn check(root: &Value, instance: &Value) -> Reach {
    let mut walker = Walker {
        root,
        active: HashSet::new(),
        depth: 0,
    };
    match walker.walk(root, instance) {
        Ok(()) => Reach::Clear,
        Err(found) => found,
    }
}

struct Walker<'a> {
    root: &'a Value,
    /// (schema node, instance node) pairs on the current path, by address.
    active: HashSet<(usize, usize)>,
    depth: usize,
}

/// A copy of `root` without the `$ref`s that point nowhere. Only for an input that
/// [`check`] found does not reach them: for it they change nothing, and the Rust validator
/// refuses a schema with any unresolvable reference, reached or not.
pub(crate) fn without_unresolvable_refs(root: &Value) -> Value {
    fn strip(node: &mut Value, root: &Value) {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    if matches!(target(root, reference), Target::Nowhere) {
                        map.shift_remove("$ref");
                    }
                }
                map.values_mut().for_each(|child| strip(child, root));
            }
            Value::Array(items) => items.iter_mut().for_each(|child| strip(child, root)),
            _ => {}
        }
    }
    let mut copy = root.clone();
    strip(&mut copy, root);
    copy
}

enum Target<'a> {
    Found(&'a Value),
    /// A JSON Pointer into this document that leads nowhere, or another document.
    Nowhere,
    /// A plain-name fragment (`#anchor`): left to the validator.
    Anchor,
}

fn target<'a>(root: &'a Value, reference: &str) -> Target<'a> {
    let Some(fragment) = reference.strip_prefix('#') else {
        return Target::Nowhere;
    };
    if !fragment.is_empty() && !fragment.starts_with('/') {
        return Target::Anchor;
    }
    match root.pointer(&percent_decode(fragment)) {
        Some(found) => Target::Found(found),
        None => Target::Nowhere,
    }
}

impl<'a> Walker<'a> {
    /// The schema a `$ref` leads to; `None` for an anchor, which is not followed.
    fn resolve(&self, reference: &str) -> Result<Option<&'a Value>, Reach> {
        match target(self.root, reference) {
            Target::Found(found) => return Ok(Some(found)),
            Target::Anchor => return Ok(None),
            Target::Nowhere => {}
        }
        let Some(fragment) = reference.strip_prefix('#') else {
            return Err(Reach::Unresolvable(format!("Unresolvable: {reference}")));
        };
        let pointer = percent_decode(fragment);
        Err(Reach::Unresolvable(format!(
            "PointerToNowhere: {} does not exist within {}",
            python_repr::str_repr(&pointer),
            python_repr::repr(self.root)
        )))
    }

    fn walk(&mut self, schema: &'a Value, instance: &Value) -> Result<(), Reach> {
        let Value::Object(map) = schema else {
            return Ok(());
        };
        let key = (
            schema as *const Value as usize,
            instance as *const Value as usize,
        );
        if self.depth > MAX_DEPTH || !self.active.insert(key) {
            return Err(Reach::Circular);
        }
        self.depth += 1;
        let result = self.walk_keywords(map, instance);
        self.depth -= 1;
        self.active.remove(&key);
        result
    }

    fn walk_keywords(
        &mut self,
        map: &'a serde_json::Map<String, Value>,
        instance: &Value,
    ) -> Result<(), Reach> {
        for (keyword, value) in map {
            match (keyword.as_str(), value) {
                ("$ref", Value::String(reference)) => {
                    if let Some(target) = self.resolve(reference)? {
                        self.walk(target, instance)?;
                    }
                }
                ("allOf" | "anyOf" | "oneOf", Value::Array(branches)) => {
                    for branch in branches {
                        self.walk(branch, instance)?;
                    }
                }
                ("not" | "if" | "then" | "else", sub) => self.walk(sub, instance)?,
                ("dependentSchemas", Value::Object(deps)) => {
                    if let Value::Object(object) = instance {
                        for (name, sub) in deps {
                            if object.contains_key(name) {
                                self.walk(sub, instance)?;
                            }
                        }
                    }
                }
                ("properties", Value::Object(props)) => {
                    if let Value::Object(object) = instance {
                        for (name, sub) in props {
                            if let Some(item) = object.get(name) {
                                self.walk(sub, item)?;
                            }
                        }
                    }
                }
                ("additionalProperties", sub) if !map.contains_key("patternProperties") => {
                    if let Value::Object(object) = instance {
                        let declared = map.get("properties").and_then(Value::as_object);
                        for (name, item) in object {
                            if declared.is_none_or(|props| !props.contains_key(name)) {
                                self.walk(sub, item)?;
                            }
                        }
                    }
                }
                ("prefixItems", Value::Array(subs)) => {
                    if let Value::Array(items) = instance {
                        for (sub, item) in subs.iter().zip(items) {
                            self.walk(sub, item)?;
                        }
                    }
                }
                ("items", sub) => {
                    if let Value::Array(items) = instance {
                        let skip = map
                            .get("prefixItems")
                            .and_then(Value::as_array)
                            .map_or(0, Vec::len);
                        for item in items.iter().skip(skip) {
                            self.walk(sub, item)?;
                        }
                    }
                }
                ("contains", sub) => {
                    if let Value::Array(items) = instance {
                        for item in items {
                            self.walk(sub, item)?;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Undoes `%XX` escapes in a URI fragment (JSON pointers in `$ref` may use them).
fn percent_decode(fragment: &str) -> String {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
