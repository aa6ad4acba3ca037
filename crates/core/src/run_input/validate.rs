//! Validation of run input against its stored schema, as the server does it: Prefect's
//! preprocessing, Draft 2020-12 without `format` assertions, and the single error Python's
//! `jsonschema.best_match` picks, worded as Python words it.

use std::cell::RefCell;
use std::rc::Rc;

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{Draft, ValidationError};
use serde::Serialize;
use serde_json::Value;

use super::python_repr::{repr, str_repr};
use super::reach::{self, Reach};
use super::schema::{SchemaCrash, preprocess};

/// A compiled schema, or why the server fails on it.
type Compiled = Result<Rc<jsonschema::Validator>, String>;

thread_local! {
    /// The last schema compiled, by its preprocessed form. Forms re-check one schema on every
    /// keystroke, and compiling (with the meta-schema check, which the jsonschema crate
    /// rebuilds on every call on wasm32) costs far more than validating.
    static LAST_COMPILED: RefCell<Option<(Value, Compiled)>> = const { RefCell::new(None) };
}

/// The validator for a preprocessed schema: checked against the Draft 2020-12 meta-schema
/// (Python's `check_schema`; failing it makes the server answer 500) and compiled.
fn compiled(schema: &Value) -> Compiled {
    if let Some(hit) = LAST_COMPILED.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|(key, _)| key == schema)
            .map(|(_, compiled)| compiled.clone())
    }) {
        return hit;
    }
    let result = match jsonschema::draft202012::meta::validate(schema) {
        Err(err) => Err(format!(
            "the stored schema is not a valid Draft 2020-12 schema: {err}"
        )),
        Ok(()) => jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(false)
            .build(&reach::without_unresolvable_refs(schema))
            .map(Rc::new)
            .map_err(|err| format!("the stored schema cannot be compiled: {err}")),
    };
    LAST_COMPILED.with(|last| *last.borrow_mut() = Some((schema.clone(), result.clone())));
    result
}

/// One validation error, for showing next to a form field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationIssue {
    /// The field as Prefect names it: `""` for the whole input, `address`, `tags[1]`,
    /// `contact.address.city`.
    pub path: String,
    /// The same location as a JSON Pointer (`/tags/1`).
    pub pointer: String,
    /// The JSON Schema keyword that failed (`type`, `required`, …).
    pub keyword: String,
    /// jsonschema's message, as Python words it (`'abc' is not of type 'integer'`).
    pub message: String,
}

/// The server's judgement of run input against the stored schema.
#[derive(Debug, Clone, PartialEq)]
pub enum Validation {
    /// The input is valid.
    Valid,
    /// The input is invalid.
    Invalid {
        /// The server's reason without the `Reason: ` prefix, e.g.
        /// `Validation failed for field 'count'. Failure reason: 'abc' is not of type 'integer'`.
        reason: String,
        /// Every error, in the order the validator met them, for forms.
        errors: Vec<ValidationIssue>,
    },
    /// The schema's references loop (`Invalid schema: Unable to validate schema with
    /// circular references.`).
    CircularReferences,
    /// A `$ref` the input reaches points nowhere (`Validation failed. Failure reason: …`).
    Unresolvable {
        /// The server's reason without the `Reason: ` prefix.
        reason: String,
    },
    /// The stored schema makes the server fail with HTTP 500.
    ServerCrash(String),
}

/// Validates hydrated run input against the schema stored for the pause.
pub fn validate(input: &Value, stored_schema: &Value) -> Validation {
    let schema = match preprocess(stored_schema) {
        Ok(schema) => schema,
        Err(SchemaCrash(why)) => return Validation::ServerCrash(why),
    };
    // Python's `check_schema` runs before validation meets any reference.
    let validator = match compiled(&schema) {
        Ok(validator) => validator,
        Err(why) => return Validation::ServerCrash(why),
    };
    match reach::check(&schema, input) {
        Reach::Clear => {}
        Reach::Circular => return Validation::CircularReferences,
        Reach::Unresolvable(reason) => {
            return Validation::Unresolvable {
                reason: format!("Validation failed. Failure reason: {reason}"),
            };
        }
    }
    let mut errors: Vec<PyError> = validator
        .iter_errors(input)
        .map(|err| PyError::from_rust(&err, &schema, input, 0))
        .collect();
    errors.sort_by(|a, b| a.order.cmp(&b.order));
    let Some(best) = best_match(&errors) else {
        return Validation::Valid;
    };
    Validation::Invalid {
        reason: best.reason(),
        errors: flatten_for_forms(&errors),
    }
}

/// One step of an instance path, typed as Python's `error.path` holds it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
}

/// A validation error shaped like Python's `jsonschema.ValidationError`.
#[derive(Debug, Clone)]
struct PyError {
    /// Absolute path of the instance.
    path: Vec<Step>,
    /// Length of the parent error's path; `relevance` uses the path relative to it.
    base: usize,
    keyword: String,
    message: String,
    /// Python's `error._matches_type()`.
    matches_type: bool,
    context: Vec<PyError>,
    /// Where Python's depth-first, keyword-ordered walk meets this error; ties in
    /// relevance go to the error met first.
    order: Vec<usize>,
}

impl PyError {
    fn from_rust(err: &ValidationError<'_>, root: &Value, input: &Value, base: usize) -> PyError {
        let path = instance_steps(input, err.instance_path());
        let keyword = err.kind().keyword().to_owned();
        let schema = containing_schema(root, err.schema_path().as_str(), &keyword);
        let instance = err.instance().as_ref();
        let context = match err.kind() {
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                let mut inner: Vec<PyError> = context
                    .iter()
                    .flatten()
                    .map(|inner| PyError::from_rust(inner, root, input, path.len()))
                    .collect();
                inner.sort_by(|a, b| a.order.cmp(&b.order));
                inner
            }
            _ => Vec::new(),
        };
        PyError {
            message: message(err.kind(), &keyword, instance, schema),
            matches_type: schema.is_some_and(|schema| matches_type(schema, instance)),
            keyword,
            path,
            base,
            context,
            order: python_order(root, err.evaluation_path()),
        }
    }

    fn relative_path(&self) -> &[Step] {
        &self.path[self.base.min(self.path.len())..]
    }

    /// Python's `relevance` key: shallower, then greater path, then not `anyOf`/`oneOf`,
    /// then not matching the declared type.
    fn relevance(&self) -> (isize, &[Step], bool, bool) {
        let path = self.relative_path();
        let weak = matches!(self.keyword.as_str(), "anyOf" | "oneOf");
        (-(path.len() as isize), path, !weak, !self.matches_type)
    }

    /// `error.json_path` as jsonschema builds it.
    fn json_path(&self) -> String {
        let mut out = String::from("$");
        for step in &self.path {
            match step {
                Step::Index(index) => out.push_str(&format!("[{index}]")),
                Step::Key(key) if is_identifier(key) => {
                    out.push('.');
                    out.push_str(key);
                }
                Step::Key(key) => {
                    out.push_str("['");
                    out.push_str(&key.replace('\\', "\\\\").replace('\'', "\\'"));
                    out.push_str("']");
                }
            }
        }
        out
    }

    /// Prefect's wording of this error.
    fn reason(&self) -> String {
        let json_path = self.json_path();
        let head = if json_path == "$" {
            "Validation failed.".to_owned()
        } else {
            format!(
                "Validation failed for field {}.",
                str_repr(&json_path.replace("$.", ""))
            )
        };
        format!("{head} Failure reason: {}", self.message)
    }

    fn issue(&self) -> ValidationIssue {
        let json_path = self.json_path();
        let path = if json_path == "$" {
            String::new()
        } else {
            json_path.replace("$.", "")
        };
        let pointer = self
            .path
            .iter()
            .map(|step| match step {
                Step::Key(key) => format!("/{}", key.replace('~', "~0").replace('/', "~1")),
                Step::Index(index) => format!("/{index}"),
            })
            .collect();
        ValidationIssue {
            path,
            pointer,
            keyword: self.keyword.clone(),
            message: self.message.clone(),
        }
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The instance path as Python holds it: a key where the instance is an object (even a
/// key that looks like a number), an index where it is an array.
fn instance_steps(input: &Value, location: &jsonschema::paths::Location) -> Vec<Step> {
    let mut node = Some(input);
    location
        .iter()
        .map(|segment| {
            let text = segment.to_string();
            let step = match node {
                Some(Value::Array(_)) => match segment {
                    LocationSegment::Index(index) => Step::Index(index),
                    LocationSegment::Property(_) => Step::Key(text),
                },
                _ => Step::Key(text),
            };
            node = match (&step, node) {
                (Step::Index(index), Some(Value::Array(items))) => items.get(*index),
                (Step::Key(key), Some(Value::Object(map))) => map.get(key),
                _ => None,
            };
            step
        })
        .collect()
}

/// The position of each keyword along an evaluation path, in the schema objects it passes
/// through: Python iterates a schema's keywords, `properties`, and branch lists in order.
fn python_order(root: &Value, evaluation_path: &jsonschema::paths::Location) -> Vec<usize> {
    let mut order = Vec::new();
    let mut node = root;
    let mut segments = evaluation_path.iter().peekable();
    while let Some(segment) = segments.next() {
        let LocationSegment::Property(keyword) = segment else {
            break;
        };
        let Some(map) = node.as_object() else {
            break;
        };
        let Some(position) = map.keys().position(|k| k == keyword.as_ref()) else {
            break;
        };
        order.push(position);
        let Some(value) = map.get(keyword.as_ref()) else {
            break;
        };
        node = match (keyword.as_ref(), value) {
            ("$ref", Value::String(reference)) => {
                match reference
                    .strip_prefix('#')
                    .and_then(|pointer| root.pointer(pointer))
                {
                    Some(target) => target,
                    None => break,
                }
            }
            (_, Value::Object(children)) if takes_name(keyword.as_ref()) => {
                let Some(LocationSegment::Property(name)) = segments.next() else {
                    break;
                };
                order.push(
                    children
                        .keys()
                        .position(|k| k == name.as_ref())
                        .unwrap_or(usize::MAX),
                );
                match children.get(name.as_ref()) {
                    Some(child) => child,
                    None => break,
                }
            }
            (_, Value::Array(branches)) => {
                let Some(LocationSegment::Index(index)) = segments.next() else {
                    break;
                };
                order.push(index);
                match branches.get(index) {
                    Some(child) => child,
                    None => break,
                }
            }
            (_, child) => child,
        };
    }
    order
}

/// Keywords whose value maps names to subschemas.
fn takes_name(keyword: &str) -> bool {
    matches!(
        keyword,
        "properties" | "patternProperties" | "dependentSchemas" | "$defs" | "definitions"
    )
}

/// Python's `best_match`: the most relevant error (the first of equals), then down through
/// `anyOf`/`oneOf` context while one nested error is strictly least relevant.
fn best_match(errors: &[PyError]) -> Option<&PyError> {
    let mut best = errors.first()?;
    for err in &errors[1..] {
        if err.relevance() > best.relevance() {
            best = err;
        }
    }
    while !best.context.is_empty() {
        let mut order: Vec<&PyError> = best.context.iter().collect();
        order.sort_by(|a, b| a.relevance().cmp(&b.relevance()));
        if order.len() >= 2 && order[0].relevance() == order[1].relevance() {
            return Some(best);
        }
        best = order[0];
    }
    Some(best)
}

/// Every error for forms: leaves of `anyOf`/`oneOf` are reported as the combinator itself,
/// as Python's `iter_errors` does.
fn flatten_for_forms(errors: &[PyError]) -> Vec<ValidationIssue> {
    errors.iter().map(PyError::issue).collect()
}

/// The schema object holding the failing keyword (Python's `error.schema`), found from the
/// keyword location.
fn containing_schema<'a>(root: &'a Value, schema_path: &str, keyword: &str) -> Option<&'a Value> {
    let segments: Vec<&str> = schema_path.split('/').collect();
    let escaped = keyword.replace('~', "~0").replace('/', "~1");
    let at = segments.iter().rposition(|segment| *segment == escaped)?;
    let pointer = segments[..at].join("/");
    root.pointer(&pointer)
}

/// Python's `error._matches_type()`: the instance has (one of) the schema's declared types.
fn matches_type(schema: &Value, instance: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(ty)) => is_type(instance, ty),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .any(|ty| is_type(instance, ty)),
        _ => false,
    }
}

/// jsonschema's Draft 2020-12 type checker.
fn is_type(instance: &Value, ty: &str) -> bool {
    match ty {
        "null" => instance.is_null(),
        "boolean" => instance.is_boolean(),
        "string" => instance.is_string(),
        "array" => instance.is_array(),
        "object" => instance.is_object(),
        "number" => instance.is_number(),
        "integer" => match instance {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        _ => false,
    }
}

/// The message Python's jsonschema 4.26 gives for this error.
fn message(
    kind: &ValidationErrorKind,
    keyword: &str,
    instance: &Value,
    schema: Option<&Value>,
) -> String {
    let inst = repr(instance);
    let at = |key: &str| schema.and_then(|s| s.get(key));
    let at_repr = |key: &str| at(key).map(repr).unwrap_or_default();
    let is_num = |key: &str, n: f64| at(key).and_then(Value::as_f64) == Some(n);
    match kind {
        ValidationErrorKind::Type { .. } => {
            let types = match at("type") {
                Some(Value::Array(types)) => types.iter().map(repr).collect::<Vec<_>>().join(", "),
                Some(other) => repr(other),
                None => String::new(),
            };
            format!("{inst} is not of type {types}")
        }
        ValidationErrorKind::Required { property } => {
            format!("{} is a required property", repr(property))
        }
        ValidationErrorKind::Enum { .. } => format!("{inst} is not one of {}", at_repr("enum")),
        ValidationErrorKind::Constant { .. } => format!("{} was expected", at_repr("const")),
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let mut extras = unexpected.clone();
            extras.sort();
            extras.dedup();
            let joined = extras
                .iter()
                .map(|e| str_repr(e))
                .collect::<Vec<_>>()
                .join(", ");
            if let Some(Value::Object(patterns)) = at("patternProperties") {
                let verb = if extras.len() == 1 { "does" } else { "do" };
                let mut names: Vec<&String> = patterns.keys().collect();
                names.sort();
                let patterns = names
                    .iter()
                    .map(|p| str_repr(p))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("{joined} {verb} not match any of the regexes: {patterns}")
            } else {
                let verb = if extras.len() == 1 { "was" } else { "were" };
                format!("Additional properties are not allowed ({joined} {verb} unexpected)")
            }
        }
        ValidationErrorKind::Minimum { .. } => {
            format!("{inst} is less than the minimum of {}", at_repr("minimum"))
        }
        ValidationErrorKind::Maximum { .. } => {
            format!(
                "{inst} is greater than the maximum of {}",
                at_repr("maximum")
            )
        }
        ValidationErrorKind::ExclusiveMinimum { .. } => {
            format!(
                "{inst} is less than or equal to the minimum of {}",
                at_repr("exclusiveMinimum")
            )
        }
        ValidationErrorKind::ExclusiveMaximum { .. } => format!(
            "{inst} is greater than or equal to the maximum of {}",
            at_repr("exclusiveMaximum")
        ),
        ValidationErrorKind::MultipleOf { .. } => {
            format!("{inst} is not a multiple of {}", at_repr("multipleOf"))
        }
        ValidationErrorKind::MinLength { .. } => {
            let says = if is_num("minLength", 1.0) {
                "should be non-empty"
            } else {
                "is too short"
            };
            format!("{inst} {says}")
        }
        ValidationErrorKind::MaxLength { .. } => {
            let says = if is_num("maxLength", 0.0) {
                "is expected to be empty"
            } else {
                "is too long"
            };
            format!("{inst} {says}")
        }
        ValidationErrorKind::MinItems { .. } => {
            let says = if is_num("minItems", 1.0) {
                "should be non-empty"
            } else {
                "is too short"
            };
            format!("{inst} {says}")
        }
        ValidationErrorKind::MaxItems { .. } => {
            let says = if is_num("maxItems", 0.0) {
                "is expected to be empty"
            } else {
                "is too long"
            };
            format!("{inst} {says}")
        }
        ValidationErrorKind::MinProperties { .. } => {
            let says = if is_num("minProperties", 1.0) {
                "should be non-empty"
            } else {
                "does not have enough properties"
            };
            format!("{inst} {says}")
        }
        ValidationErrorKind::MaxProperties { .. } => {
            let says = if is_num("maxProperties", 0.0) {
                "is expected to be empty"
            } else {
                "has too many properties"
            };
            format!("{inst} {says}")
        }
        ValidationErrorKind::UniqueItems => format!("{inst} has non-unique elements"),
        ValidationErrorKind::Pattern { .. } => {
            format!("{inst} does not match {}", at_repr("pattern"))
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            format!("{inst} is not valid under any of the given schemas")
        }
        ValidationErrorKind::Not { schema } => {
            format!("{inst} should not be valid under {}", repr(schema))
        }
        ValidationErrorKind::FalseSchema => format!("False schema does not allow {inst}"),
        ValidationErrorKind::AdditionalItems { .. } => {
            let prefix = at("prefixItems")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let items = instance.as_array().map(Vec::as_slice).unwrap_or_default();
            let extra = items.len().saturating_sub(prefix);
            let rest = if extra == 1 {
                repr(&items[prefix])
            } else {
                repr(&Value::Array(
                    items.get(prefix..).unwrap_or_default().to_vec(),
                ))
            };
            let item = if prefix == 1 { "item" } else { "items" };
            format!("Expected at most {prefix} {item} but found {extra} extra: {rest}")
        }
        _ => format!("{inst} is not valid under the schema's {keyword:?} keyword"),
    }
}
