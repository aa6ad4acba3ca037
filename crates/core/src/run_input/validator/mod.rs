//! Python `jsonschema` 4.26's Draft 2020-12 validator, keyword by keyword, as Prefect runs it
//! on resume: the same errors, met in the same order (schema keywords in the order the
//! schema lists them, depth first), worded as Python words them, with the paths and
//! `context` that `best_match` ranks.
//!
//! It is our own rather than a general-purpose crate because what the server answers is
//! defined by Python's iteration order and messages, which a general validator neither
//! keeps nor words the same; and because the `jsonschema` crate with its two regex engines
//! weighs over a megabyte of WebAssembly, three times the npm package's whole budget. The
//! differential test against Prefect's own validator keeps it honest.
//!
//! Formats are not asserted, as on resume, except `regex` while checking a stored schema
//! against the meta-schema (Python's `check_schema` does). The meta-schema documents in
//! `metaschema/` are json-schema.org's Draft 2020-12, as `jsonschema-specifications` ships them.

use std::sync::OnceLock;

use serde_json::Value;

use super::pattern::Searches;
use super::registry::Registry;

// The keyword families, as the `jsonschema` crate splits them.
mod applicators;
mod assertions;
mod compare;
mod unevaluated;
// Python's walk over a schema and an instance, keyword by keyword.
mod walk;

use walk::{At, Out, Walk};

/// One step of an instance or schema path, typed as Python's `error.path` holds it.
pub(crate) use super::validate::PathSegment as Step;

/// A validation error shaped like Python's `jsonschema.ValidationError`.
#[derive(Debug, Clone)]
pub(crate) struct PyError {
    /// Absolute path of the instance.
    pub(crate) path: Vec<Step>,
    /// Python's `error.absolute_schema_path`: the keywords and their keys walked to the
    /// failing keyword (`$ref` and `if` leave no step; `then` and `else` do).
    pub(crate) schema_path: Vec<Step>,
    /// Length of the enclosing `anyOf`/`oneOf` error's path: Python's `error.path` of a
    /// context error is relative to it.
    pub(crate) base: usize,
    /// `error.validator`: the keyword (`falseSchema` for a `false` schema).
    pub(crate) keyword: String,
    pub(crate) message: String,
    /// Python's `error._matches_type()`.
    pub(crate) matches_type: bool,
    pub(crate) context: Vec<PyError>,
}

/// Why validation stopped without a verdict of valid or invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A reference leads nowhere: `referencing.exceptions.Unresolvable`, with its message.
    Unresolvable(String),
    /// Python's `RecursionError`.
    Recursion,
    /// Python fails with another exception (the server answers 500).
    Crash(String),
    /// A pattern no engine here can run (or that runs elsewhere and has not answered); only
    /// the server can judge it. `message` is what the verdict's reason says of it.
    Pattern {
        message: String,
        why: crate::Undecided,
    },
}

/// Schema nesting beyond this is Python's `RecursionError` (its limit of 1,000 frames is
/// reached at about this depth of schema objects). A reference cycle that consumes no
/// input is caught long before, when a schema meets the same instance again.
const MAX_DEPTH: usize = 300;

/// Every error Python's `iter_errors` yields for `instance` against `schema`, in its order.
/// Pattern searches run where `searches` says.
pub(crate) fn iter_errors(
    schema: &Value,
    instance: &Value,
    searches: Searches<'_>,
) -> Result<Vec<PyError>, Stop> {
    // Python's validators resolve the specifications' own documents too.
    let registry = Registry::new(schema, Some(meta_registry()));
    Walk::new(&registry, schema, false, searches).run(schema, instance, false)
}

/// Python's `check_schema`: the first error of the schema against the Draft 2020-12
/// meta-schema (with the `regex` format asserted), as a message.
pub(crate) fn check_schema(schema: &Value) -> Result<(), Stop> {
    let Some((_, meta)) = meta_documents().first() else {
        return Err(Stop::Crash(
            "the Draft 2020-12 meta-schema is missing".into(),
        ));
    };
    // The meta-schema's own patterns are searched here: they are ours, and they end.
    let errors = Walk::new(meta_registry(), meta, true, Searches::HERE).run(meta, schema, true)?;
    match errors.first() {
        None => Ok(()),
        Some(error) => Err(Stop::Crash(format!(
            "the stored schema is not a valid Draft 2020-12 schema: {}",
            error.message
        ))),
    }
}

/// The meta-schema documents, indexed once.
fn meta_registry() -> &'static Registry<'static> {
    static REGISTRY: OnceLock<Registry<'static>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        static NONE: Value = Value::Null;
        let documents = meta_documents();
        let root = documents.first().map_or(&NONE, |(_, document)| document);
        let mut registry = Registry::new(root, None);
        for (id, document) in documents {
            registry.add(id, document);
        }
        registry
    })
}

/// The Draft 2020-12 meta-schema and its vocabularies, by `$id`, the meta-schema first.
fn meta_documents() -> &'static [(String, Value)] {
    static DOCUMENTS: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    DOCUMENTS.get_or_init(|| {
        [
            include_str!("metaschema/schema.json"),
            include_str!("metaschema/core.json"),
            include_str!("metaschema/applicator.json"),
            include_str!("metaschema/unevaluated.json"),
            include_str!("metaschema/validation.json"),
            include_str!("metaschema/meta-data.json"),
            include_str!("metaschema/format-annotation.json"),
            include_str!("metaschema/content.json"),
        ]
        .iter()
        .filter_map(|text| serde_json::from_str::<Value>(text).ok())
        .map(|document| {
            let id = document
                .get("$id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            (id, document)
        })
        .collect()
    })
}

#[cfg(test)]
mod tests {
    //! Run natively and in headless Chromium. Messages and ranking are compared with
    //! Python's on thousands of cases by the differential test; these pin what it cannot
    //! generate: recursion, and depth the browser's stack must survive.
    use super::*;
    use serde_json::json;

    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// A pydantic-style recursive model: `Node(value: int, next: Optional[Node])`.
    fn linked_list() -> Value {
        json!({
            "$ref": "#/$defs/Node",
            "$defs": {"Node": {
                "type": "object",
                "properties": {
                    "value": {"type": "integer"},
                    "next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}
                },
                "required": ["value"]
            }}
        })
    }

    fn nested(depth: usize, last: Value) -> Value {
        let mut node = json!({"value": depth, "next": last});
        for level in (0..depth).rev() {
            node = json!({"value": level, "next": node});
        }
        node
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn deep_recursive_input_is_validated_without_exhausting_the_stack() {
        let schema = linked_list();
        // serde_json reads at most 128 levels of nesting, so input is never deeper.
        assert!(
            matches!(iter_errors(&schema, &nested(64, Value::Null), Searches::HERE), Ok(e) if e.is_empty())
        );
        let errors =
            iter_errors(&schema, &nested(64, json!("end")), Searches::HERE).expect("no stop");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, [Step::Key("next".into())]);
        // Each level's `anyOf` holds the next level's failure as context, down to the end.
        let mut deepest = &errors[0];
        while let Some(inner) = deepest.context.first() {
            deepest = inner;
        }
        assert_eq!(deepest.path.len(), 65);
        assert_eq!(deepest.message, "'end' is not of type 'object'");
        // Deeper than Python's recursion limit allows (input built in code, not parsed).
        assert_eq!(
            iter_errors(&schema, &nested(200, Value::Null), Searches::HERE).err(),
            Some(Stop::Recursion)
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_reference_cycle_that_consumes_no_input_is_pythons_recursion_error() {
        let cycle = json!({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
                           "properties": {"x": {"$ref": "#/$defs/a"}}});
        assert_eq!(
            iter_errors(&cycle, &json!({"x": 1}), Searches::HERE).err(),
            Some(Stop::Recursion)
        );
        // Python follows references lazily: an input that never reaches the cycle passes.
        assert!(
            matches!(iter_errors(&cycle, &json!({"y": 1}), Searches::HERE), Ok(e) if e.is_empty())
        );
        assert_eq!(
            iter_errors(&json!({"$ref": "#"}), &json!(1), Searches::HERE).err(),
            Some(Stop::Recursion)
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn references_resolve_by_id_anchor_and_escaped_pointer() {
        let schema = json!({
            "$defs": {
                "t": {"$id": "https://example.com/t", "$defs": {"s": {"type": "string"}},
                      "properties": {"s": {"$ref": "#/$defs/s"}}},
                "n": {"$anchor": "num", "type": "number"}
            },
            "properties": {
                "a": {"$ref": "https://example.com/t"},
                "b": {"$ref": "#num"},
                "c": {"$ref": "#/%24defs/t/%24defs/s"},
                "d": {"$ref": "#/$defs/missing"}
            }
        });
        let messages = |instance: Value| {
            iter_errors(&schema, &instance, Searches::HERE)
                .map(|errors| errors.into_iter().map(|e| e.message).collect::<Vec<_>>())
        };
        assert_eq!(
            messages(json!({"a": {"s": 1}, "b": "x", "c": 2})),
            Ok(vec![
                "1 is not of type 'string'".to_owned(),
                "'x' is not of type 'number'".to_owned(),
                "2 is not of type 'string'".to_owned()
            ])
        );
        assert!(matches!(
            messages(json!({"d": 1})),
            Err(Stop::Unresolvable(m)) if m.starts_with("PointerToNowhere: '/$defs/missing' does not exist within {")
        ));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_meta_schema_check_catches_what_python_check_schema_does() {
        assert_eq!(
            check_schema(&json!({"type": "object", "properties": {"a": {"minimum": 1}}})),
            Ok(())
        );
        for bad in [
            json!({"type": "strin"}),
            json!({"properties": {"a": {"minLength": -1}}}),
            json!({"required": "a"}),
            json!({"$defs": {"x": {"enum": 3}}}),
            json!({"items": {"multipleOf": 0}}),
        ] {
            assert!(
                matches!(check_schema(&bad), Err(Stop::Crash(_))),
                "{bad} passed"
            );
        }
        // An unbalanced pattern fails Python's `format: regex`; here it cannot be judged.
        assert!(matches!(
            check_schema(&json!({"pattern": "(a"})),
            Err(Stop::Pattern { .. })
        ));
    }
}
