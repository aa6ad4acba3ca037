//! Where a `$ref` or `$dynamicRef` leads, as Python's `referencing` resolves it without
//! fetching anything: schema resources by `$id` (joined to their base URI), JSON Pointer
//! fragments, `$anchor`s, and `$dynamicAnchor`s looked up through the dynamic scope.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::python_repr;

/// The schemas references can reach: the stored schema and, for checking it, the
/// Draft 2020-12 meta-schema documents.
pub(crate) struct Registry<'a> {
    /// Resources by absolute URI without fragment.
    resources: HashMap<String, &'a Value>,
    /// Resource URI → anchor name → the schema holding it, and whether it is dynamic.
    anchors: HashMap<String, HashMap<String, (&'a Value, bool)>>,
    /// Consulted for what this registry lacks (the meta-schema documents, built once).
    fallback: Option<&'a Registry<'a>>,
}

/// A resolved reference: the schema and the base URI inside it.
#[derive(Clone)]
pub(crate) struct Resolved<'a> {
    pub(crate) schema: &'a Value,
    pub(crate) base: String,
}

impl<'a> Registry<'a> {
    /// A registry holding `root` (its base is its `$id`, or the empty URI), falling back
    /// to `fallback` for other documents.
    pub(crate) fn new(root: &'a Value, fallback: Option<&'a Registry<'a>>) -> Registry<'a> {
        let mut registry = Registry {
            resources: HashMap::new(),
            anchors: HashMap::new(),
            fallback,
        };
        registry.add("", root);
        registry
    }

    fn resource(&self, uri: &str) -> Option<&'a Value> {
        match self.resources.get(uri) {
            Some(found) => Some(found),
            None => self.fallback.and_then(|fallback| fallback.resource(uri)),
        }
    }

    fn anchor(&self, uri: &str, name: &str) -> Option<(&'a Value, bool)> {
        match self.anchors.get(uri).and_then(|named| named.get(name)) {
            Some(found) => Some(*found),
            None => self
                .fallback
                .and_then(|fallback| fallback.anchor(uri, name)),
        }
    }

    /// Adds a document and every resource and anchor inside it.
    pub(crate) fn add(&mut self, base: &str, document: &'a Value) {
        self.resources.insert(base.to_owned(), document);
        self.index(base, document);
    }

    fn index(&mut self, base: &str, node: &'a Value) {
        let Value::Object(map) = node else {
            return;
        };
        let base = match map.get("$id") {
            Some(Value::String(id)) => {
                let (uri, _) = join(base, id);
                self.resources.insert(uri.clone(), node);
                uri
            }
            _ => base.to_owned(),
        };
        for (key, dynamic) in [("$anchor", false), ("$dynamicAnchor", true)] {
            if let Some(Value::String(name)) = map.get(key) {
                self.anchors
                    .entry(base.clone())
                    .or_default()
                    .insert(name.clone(), (node, dynamic));
            }
        }
        for_each_subschema(map, |child| self.index(&base, child));
    }

    /// The base URI inside `schema`, entered from `base`.
    pub(crate) fn base_of<'b>(base: &'b str, schema: &Value) -> Cow<'b, str> {
        match schema.get("$id") {
            Some(Value::String(id)) => Cow::Owned(join(base, id).0),
            _ => Cow::Borrowed(base),
        }
    }

    /// Resolves `reference` against `base`. `scope` holds the resources entered so far,
    /// outermost first; a `$dynamicAnchor` is looked up in the outermost one that has it.
    pub(crate) fn lookup(
        &self,
        base: &str,
        reference: &str,
        scope: &[String],
    ) -> Result<Resolved<'a>, String> {
        let (uri, fragment) = join(base, reference);
        let Some(resource) = self.resource(&uri) else {
            return Err(format!("Unresolvable: {reference}"));
        };
        if fragment.is_empty() {
            return Ok(Resolved {
                schema: resource,
                base: uri,
            });
        }
        if fragment.starts_with('/') {
            let pointer = percent_decode(&fragment);
            return match resource.pointer(&pointer) {
                Some(schema) => Ok(Resolved {
                    schema,
                    base: base_along(&uri, resource, &pointer),
                }),
                None => Err(pointer_to_nowhere(&pointer, resource)),
            };
        }
        let Some((schema, dynamic)) = self.anchor(&uri, &fragment) else {
            return Err(format!(
                "NoSuchAnchor: {} does not exist within {}",
                python_repr::str_repr(&fragment),
                python_repr::repr(resource)
            ));
        };
        if dynamic {
            for outer in scope {
                if let Some((schema, true)) = self.anchor(outer, &fragment) {
                    return Ok(Resolved {
                        schema,
                        base: outer.clone(),
                    });
                }
            }
        }
        Ok(Resolved { schema, base: uri })
    }
}

/// The base URI where a JSON Pointer ends: each schema it passes through with an `$id`
/// starts a new one.
fn base_along(uri: &str, resource: &Value, pointer: &str) -> String {
    let mut base = uri.to_owned();
    let mut node = resource;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match node {
            Value::Object(map) => map.get(&token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        let Some(next) = next else {
            break;
        };
        node = next;
        base = Registry::base_of(&base, node).into_owned();
    }
    base
}

/// Calls `visit` on every subschema directly inside a schema object, where Draft 2020-12
/// (and the `definitions` Prefect's pydantic schemas keep) puts them.
fn for_each_subschema<'a>(map: &'a Map<String, Value>, mut visit: impl FnMut(&'a Value)) {
    for (key, value) in map {
        match (key.as_str(), value) {
            (
                "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas",
                Value::Object(children),
            ) => children.values().for_each(&mut visit),
            ("allOf" | "anyOf" | "oneOf" | "prefixItems" | "items", Value::Array(children)) => {
                children.iter().for_each(&mut visit)
            }
            (
                "items"
                | "additionalProperties"
                | "not"
                | "if"
                | "then"
                | "else"
                | "contains"
                | "propertyNames"
                | "unevaluatedItems"
                | "unevaluatedProperties"
                | "contentSchema",
                child,
            ) => visit(child),
            _ => {}
        }
    }
}

/// RFC 3986 reference resolution, enough for schema URIs: returns the absolute URI without
/// its fragment, and the fragment (percent-encoded, without `#`).
pub(crate) fn join(base: &str, reference: &str) -> (String, String) {
    let (reference, fragment) = match reference.split_once('#') {
        Some((uri, fragment)) => (uri, fragment.to_owned()),
        None => (reference, String::new()),
    };
    let base = base.split('#').next().unwrap_or_default();
    let uri = if reference.is_empty() {
        base.to_owned()
    } else if has_scheme(reference) {
        remove_dot_segments(reference)
    } else if let Some(rest) = reference.strip_prefix("//") {
        format!("{}//{rest}", scheme(base))
    } else if reference.starts_with('/') {
        format!(
            "{}{}",
            authority_prefix(base),
            remove_dot_segments(reference)
        )
    } else {
        let directory = match base.rfind('/') {
            Some(slash) if slash + 1 > authority_prefix(base).len() => &base[..=slash],
            _ if base.contains("//") => {
                return (
                    format!("{}/{}", base, remove_dot_segments(reference)),
                    fragment,
                );
            }
            _ => "",
        };
        remove_dot_segments(&format!("{directory}{reference}"))
    };
    (uri, fragment)
}

fn has_scheme(uri: &str) -> bool {
    match uri.find(':') {
        Some(colon) => {
            let scheme = &uri[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// `https:` of `https://host/path`.
fn scheme(uri: &str) -> &str {
    match uri.find(':') {
        Some(colon) if has_scheme(uri) => &uri[..=colon],
        _ => "",
    }
}

/// `https://host` of `https://host/path`.
fn authority_prefix(uri: &str) -> &str {
    let scheme = scheme(uri);
    match uri[scheme.len()..].strip_prefix("//") {
        Some(rest) => {
            let end = rest.find('/').map_or(uri.len(), |i| scheme.len() + 2 + i);
            &uri[..end]
        }
        None => scheme,
    }
}

/// Removes `.` and `..` segments from the path part of a URI.
fn remove_dot_segments(uri: &str) -> String {
    if !uri.contains("./") && !uri.ends_with("/.") && !uri.ends_with("/..") {
        return uri.to_owned();
    }
    let prefix = authority_prefix(uri);
    let path = &uri[prefix.len()..];
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." if last => out.push(""),
            "." => {}
            ".." => {
                if out.len() > 1 || (out.len() == 1 && !out[0].is_empty()) {
                    out.pop();
                }
                if last {
                    out.push("");
                }
            }
            other => out.push(other),
        }
    }
    format!("{prefix}{}", out.join("/"))
}

/// `referencing`'s message for a JSON Pointer that leads nowhere in `document`.
pub(crate) fn pointer_to_nowhere(pointer: &str, document: &Value) -> String {
    format!(
        "PointerToNowhere: {} does not exist within {}",
        python_repr::str_repr(pointer),
        python_repr::repr(document)
    )
}

/// Undoes `%XX` escapes in a URI fragment (JSON pointers in `$ref` may use them).
pub(crate) fn percent_decode(fragment: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn joins_like_rfc_3986() {
        let base = "https://json-schema.org/draft/2020-12/schema";
        assert_eq!(
            join(base, "meta/core"),
            (
                "https://json-schema.org/draft/2020-12/meta/core".into(),
                String::new()
            )
        );
        assert_eq!(
            join(
                "https://json-schema.org/draft/2020-12/meta/core",
                "#/$defs/x"
            ),
            (
                "https://json-schema.org/draft/2020-12/meta/core".into(),
                "/$defs/x".into()
            )
        );
        assert_eq!(
            join("", "#/definitions/A"),
            (String::new(), "/definitions/A".into())
        );
        assert_eq!(
            join("http://x.org/a/b", "../c"),
            ("http://x.org/c".into(), String::new())
        );
        assert_eq!(
            join("http://x.org/a/b", "/c#n"),
            ("http://x.org/c".into(), "n".into())
        );
        assert_eq!(
            join("http://x.org", "c"),
            ("http://x.org/c".into(), String::new())
        );
        assert_eq!(join("", "other.json"), ("other.json".into(), String::new()));
    }

    #[test]
    fn finds_ids_anchors_and_pointers() {
        let schema = json!({
            "$defs": {
                "a": {"$id": "http://example.com/a", "$defs": {"b": {"$anchor": "bee", "type": "string"}}},
                "c": {"type": "integer"}
            }
        });
        let registry = Registry::new(&schema, None);
        let found = |base: &str, reference: &str| {
            registry
                .lookup(base, reference, &[])
                .map(|resolved| resolved.schema.clone())
        };
        assert_eq!(found("", "#/$defs/c"), Ok(json!({"type": "integer"})));
        assert_eq!(
            found("", "http://example.com/a#bee"),
            Ok(json!({"$anchor": "bee", "type": "string"}))
        );
        assert_eq!(
            found("http://example.com/a", "#/$defs/b/type"),
            Ok(json!("string"))
        );
        assert!(
            found("", "#nope")
                .is_err_and(|e| e.starts_with("NoSuchAnchor: 'nope' does not exist within {"))
        );
        assert_eq!(
            found("", "other.json"),
            Err("Unresolvable: other.json".into())
        );
        assert!(found("", "#/$defs/zz").is_err_and(|e| e.starts_with("PointerToNowhere")));
    }
}
