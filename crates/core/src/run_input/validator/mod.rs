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

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::python_repr::repr;
use super::registry::{Registry, Resolved};

// The keyword families, as the `jsonschema` crate splits them.
mod applicators;
mod assertions;
mod compare;
mod unevaluated;

use assertions::assertion;
use compare::matches_type;

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
    /// A pattern no engine here can run; only the server can judge it.
    Pattern(String),
}

/// Schema nesting beyond this is Python's `RecursionError` (its limit of 1,000 frames is
/// reached at about this depth of schema objects). A reference cycle that consumes no
/// input is caught long before, when a schema meets the same instance again.
const MAX_DEPTH: usize = 300;

/// Every error Python's `iter_errors` yields for `instance` against `schema`, in its order.
pub(crate) fn iter_errors(schema: &Value, instance: &Value) -> Result<Vec<PyError>, Stop> {
    // Python's validators resolve the specifications' own documents too.
    let registry = Registry::new(schema, Some(meta_registry()));
    Walk::new(&registry, schema, false).run(schema, instance, false)
}

/// Python's `check_schema`: the first error of the schema against the Draft 2020-12
/// meta-schema (with the `regex` format asserted), as a message.
pub(crate) fn check_schema(schema: &Value) -> Result<(), Stop> {
    let Some((_, meta)) = meta_documents().first() else {
        return Err(Stop::Crash(
            "the Draft 2020-12 meta-schema is missing".into(),
        ));
    };
    let errors = Walk::new(meta_registry(), meta, true).run(meta, schema, true)?;
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

/// One run of the validator: where it is in the instance and in the dynamic scope.
struct Walk<'r, 'a> {
    registry: &'r Registry<'a>,
    /// Assert `format: regex` (only the meta-schema check does).
    regex_format: bool,
    path: Vec<Step>,
    /// The schema path walked to the keyword being applied.
    schema_path: Vec<Step>,
    /// Base URIs of the schema resources entered, outermost first.
    scope: Vec<String>,
    /// (schema, instance, stops at the first error) being validated, by address: meeting
    /// one again means Python would recurse forever. (A schema re-entered in the other mode
    /// may end: a validation that stops at its first error can stop before the cycle.)
    active: Vec<(usize, usize, bool)>,
    /// Where each `$ref` (by the address of its string) led: a reference's target depends
    /// only on where it stands in the document.
    resolved: HashMap<usize, Resolved<'a>>,
    depth: usize,
}

type Out = Result<(), Stop>;

/// A keyword being applied: its name and value, the schema object holding it, the instance,
/// the base URI, and whether to stop at the first error.
#[derive(Clone, Copy)]
struct At<'s, 'i> {
    keyword: &'s str,
    value: &'s Value,
    schema: &'s Map<String, Value>,
    instance: &'i Value,
    base: &'s str,
    first: bool,
}

impl<'r, 'a> Walk<'r, 'a> {
    fn new(registry: &'r Registry<'a>, root: &Value, regex_format: bool) -> Self {
        Walk {
            registry,
            regex_format,
            path: Vec::new(),
            schema_path: Vec::new(),
            scope: vec![Registry::base_of("", root).into_owned()],
            active: Vec::new(),
            resolved: HashMap::new(),
            depth: 0,
        }
    }

    fn run(&mut self, schema: &Value, instance: &Value, first: bool) -> Result<Vec<PyError>, Stop> {
        let mut errors = Vec::new();
        let base = self.scope[0].clone();
        self.descend(schema, instance, &base, &mut errors, first)?;
        Ok(errors)
    }

    /// Python's `descend`: every keyword of `schema` in order. With `first`, stops at the
    /// first error, as Python's lazy `is_valid` does.
    fn descend<'s>(
        &mut self,
        schema: &'s Value,
        instance: &Value,
        base: &str,
        errors: &mut Vec<PyError>,
        first: bool,
    ) -> Out
    where
        'a: 's,
    {
        let map = match schema {
            Value::Bool(true) => return Ok(()),
            Value::Bool(false) => {
                // No schema object holds it, so it matches no declared type.
                let message = format!("False schema does not allow {}", repr(instance));
                errors.push(self.error("falseSchema", message, &Map::new(), instance));
                return Ok(());
            }
            Value::Object(map) => map,
            other => {
                return Err(Stop::Crash(format!(
                    "a reference leads to {}, which is not a schema",
                    repr(other)
                )));
            }
        };
        let key = (
            schema as *const Value as usize,
            instance as *const Value as usize,
            first,
        );
        if self.depth >= MAX_DEPTH || self.active.contains(&key) {
            return Err(Stop::Recursion);
        }
        self.active.push(key);
        self.depth += 1;
        let base = Registry::base_of(base, schema);
        let entered = self.scope.last().map(String::as_str) != Some(&*base);
        if entered {
            self.scope.push(base.clone().into_owned());
        }
        for (keyword, value) in map {
            let at = At {
                keyword,
                value,
                schema: map,
                instance,
                base: &base,
                first,
            };
            // Python's `iter_errors` puts each keyword on its errors' schema path, except
            // `$ref` and `if`.
            let stepped = !matches!(keyword.as_str(), "$ref" | "if");
            if stepped {
                self.schema_path.push(Step::Key(keyword.clone()));
            }
            self.keyword(&at, errors)?;
            if stepped {
                self.schema_path.pop();
            }
            if first && !errors.is_empty() {
                break;
            }
        }
        if entered {
            self.scope.pop();
        }
        self.active.pop();
        self.depth -= 1;
        Ok(())
    }

    /// Python's `is_valid` for a subschema: validation up to the first error.
    fn is_valid<'s>(
        &mut self,
        schema: &'s Value,
        instance: &Value,
        base: &str,
    ) -> Result<bool, Stop>
    where
        'a: 's,
    {
        let mut errors = Vec::new();
        self.descend(schema, instance, base, &mut errors, true)?;
        Ok(errors.is_empty())
    }

    /// Records that the keyword at `at` fails, with Python's message.
    fn fail(&self, at: &At<'_, '_>, errors: &mut Vec<PyError>, message: String) {
        errors.push(self.error(at.keyword, message, at.schema, at.instance));
    }

    fn error(
        &self,
        keyword: &str,
        message: String,
        schema: &Map<String, Value>,
        instance: &Value,
    ) -> PyError {
        PyError {
            path: self.path.clone(),
            schema_path: self.schema_path.clone(),
            base: 0,
            keyword: keyword.to_owned(),
            message,
            matches_type: matches_type(schema, instance),
            context: Vec::new(),
        }
    }

    fn lookup(&self, base: &str, reference: &str) -> Result<Resolved<'a>, Stop> {
        self.registry
            .lookup(base, reference, &self.scope)
            .map_err(Stop::Unresolvable)
    }

    /// Descends into `schema` for `instance`, one `step` below the current instance when
    /// given, and one `schema_step` below the keyword on the schema path when given (the
    /// property, pattern or position of the subschema). `true` when the walk must stop: it
    /// looks for one error and has found it.
    fn child<'s>(
        &mut self,
        at: &At<'s, '_>,
        (step, schema_step): (Option<Step>, Option<Step>),
        schema: &'s Value,
        instance: &Value,
        errors: &mut Vec<PyError>,
    ) -> Result<bool, Stop>
    where
        'a: 's,
    {
        let stepped = step.is_some();
        let schema_stepped = schema_step.is_some();
        self.path.extend(step);
        self.schema_path.extend(schema_step);
        self.descend(schema, instance, at.base, errors, at.first)?;
        if stepped {
            self.path.pop();
        }
        if schema_stepped {
            self.schema_path.pop();
        }
        Ok(at.first && !errors.is_empty())
    }

    /// One keyword of a schema, as Python's `VALIDATORS[keyword]` handles it. Keywords that
    /// apply subschemas have functions of their own and the rest share [`assertion`], so
    /// that only small frames sit on the stack while validation recurses (deeply nested
    /// input must not exhaust the browser's stack).
    fn keyword<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        match at.keyword {
            "$ref" | "$dynamicRef" => self.reference(at, errors),
            "properties" | "patternProperties" | "additionalProperties" => {
                self.properties(at, errors)
            }
            "propertyNames" => self.property_names(at, errors),
            "dependentSchemas" | "allOf" => self.same_instance(at, errors),
            "items" | "prefixItems" => self.items(at, errors),
            "contains" => self.contains(at, errors),
            "anyOf" | "oneOf" => self.any_or_one_of(at, errors),
            "not" | "if" => self.not_or_if(at, errors),
            "unevaluatedItems" | "unevaluatedProperties" => self.unevaluated(at, errors),
            _ => {
                for message in assertion(at, self.regex_format)? {
                    self.fail(at, errors, message);
                }
                Ok(())
            }
        }
    }

    /// `$ref` and `$dynamicRef`.
    fn reference<'s>(&mut self, at: &At<'s, '_>, errors: &mut Vec<PyError>) -> Out
    where
        'a: 's,
    {
        let Value::String(reference) = at.value else {
            return Ok(());
        };
        // A `$ref`'s target depends only on where it stands; a `$dynamicRef`'s also on the
        // scope, so only the first is remembered.
        let resolved = if at.keyword == "$ref" {
            let key = reference as *const String as usize;
            match self.resolved.get(&key) {
                Some(resolved) => resolved.clone(),
                None => {
                    let resolved = self.lookup(at.base, reference)?;
                    self.resolved.insert(key, resolved.clone());
                    resolved
                }
            }
        } else {
            self.lookup(at.base, reference)?
        };
        self.descend(
            resolved.schema,
            at.instance,
            &resolved.base,
            errors,
            at.first,
        )
    }
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
        assert!(matches!(iter_errors(&schema, &nested(64, Value::Null)), Ok(e) if e.is_empty()));
        let errors = iter_errors(&schema, &nested(64, json!("end"))).expect("no stop");
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
            iter_errors(&schema, &nested(200, Value::Null)).err(),
            Some(Stop::Recursion)
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_reference_cycle_that_consumes_no_input_is_pythons_recursion_error() {
        let cycle = json!({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
                           "properties": {"x": {"$ref": "#/$defs/a"}}});
        assert_eq!(
            iter_errors(&cycle, &json!({"x": 1})).err(),
            Some(Stop::Recursion)
        );
        // Python follows references lazily: an input that never reaches the cycle passes.
        assert!(matches!(iter_errors(&cycle, &json!({"y": 1})), Ok(e) if e.is_empty()));
        assert_eq!(
            iter_errors(&json!({"$ref": "#"}), &json!(1)).err(),
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
            iter_errors(&schema, &instance)
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
            Err(Stop::Pattern(_))
        ));
    }
}
