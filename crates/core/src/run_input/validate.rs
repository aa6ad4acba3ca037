//! Validation of run input against its stored schema, as the server does it: Prefect's
//! preprocessing, Draft 2020-12 without `format` assertions, and the single error Python's
//! `jsonschema.best_match` picks, worded as Python words it.

use std::cell::RefCell;

use serde::Serialize;
use serde_json::Value;

use super::pattern::Searches;
use super::python_repr::str_repr;
use super::schema::{SchemaCrash, preprocess};
use super::validator::{self, PyError, Step, Stop};

thread_local! {
    /// The last schema checked against the meta-schema, by its preprocessed form, and the
    /// outcome. Forms re-check one schema on every keystroke.
    static LAST_CHECKED: RefCell<Option<(Value, Result<(), Stop>)>> = const { RefCell::new(None) };
}

/// Python's `check_schema` on the preprocessed schema (failing it makes the server answer
/// 500), remembered for the last schema.
fn checked(schema: &Value) -> Result<(), Stop> {
    if let Some(hit) = LAST_CHECKED.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|(key, _)| key == schema)
            .map(|(_, outcome)| outcome.clone())
    }) {
        return hit;
    }
    let outcome = validator::check_schema(schema);
    LAST_CHECKED.with(|last| *last.borrow_mut() = Some((schema.clone(), outcome.clone())));
    outcome
}

/// One step of a path into the input or the schema: a property name or a list position.
/// In JSON, a string or a number (`["tags", 1]`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// A property of an object.
    Key(String),
    /// A position in an array.
    Index(usize),
}

/// The JSON Schema keyword an error is about, as Python's `error.validator` names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Keyword {
    /// `type`
    Type,
    /// `enum`
    Enum,
    /// `const`
    Const,
    /// `required`
    Required,
    /// `dependentRequired`
    DependentRequired,
    /// `minLength`
    MinLength,
    /// `maxLength`
    MaxLength,
    /// `pattern`
    Pattern,
    /// `format` (asserted only for `regex`, while checking a schema)
    Format,
    /// `minimum`
    Minimum,
    /// `maximum`
    Maximum,
    /// `exclusiveMinimum`
    ExclusiveMinimum,
    /// `exclusiveMaximum`
    ExclusiveMaximum,
    /// `multipleOf`
    MultipleOf,
    /// `minItems`
    MinItems,
    /// `maxItems`
    MaxItems,
    /// `uniqueItems`
    UniqueItems,
    /// `items` (`false`: no more items than `prefixItems`)
    Items,
    /// `contains`
    Contains,
    /// `minContains`
    MinContains,
    /// `maxContains`
    MaxContains,
    /// `minProperties`
    MinProperties,
    /// `maxProperties`
    MaxProperties,
    /// `additionalProperties`
    AdditionalProperties,
    /// `anyOf`
    AnyOf,
    /// `oneOf`
    OneOf,
    /// `not`
    Not,
    /// `unevaluatedItems`
    UnevaluatedItems,
    /// `unevaluatedProperties`
    UnevaluatedProperties,
    /// A `false` schema, which allows nothing.
    FalseSchema,
    /// A keyword not listed above.
    Other(String),
}

impl Keyword {
    /// Every named keyword, with its spelling (one table, so that the npm package carries
    /// no two long matches).
    const NAMED: [(Keyword, &'static str); 30] = [
        (Keyword::Type, "type"),
        (Keyword::Enum, "enum"),
        (Keyword::Const, "const"),
        (Keyword::Required, "required"),
        (Keyword::DependentRequired, "dependentRequired"),
        (Keyword::MinLength, "minLength"),
        (Keyword::MaxLength, "maxLength"),
        (Keyword::Pattern, "pattern"),
        (Keyword::Format, "format"),
        (Keyword::Minimum, "minimum"),
        (Keyword::Maximum, "maximum"),
        (Keyword::ExclusiveMinimum, "exclusiveMinimum"),
        (Keyword::ExclusiveMaximum, "exclusiveMaximum"),
        (Keyword::MultipleOf, "multipleOf"),
        (Keyword::MinItems, "minItems"),
        (Keyword::MaxItems, "maxItems"),
        (Keyword::UniqueItems, "uniqueItems"),
        (Keyword::Items, "items"),
        (Keyword::Contains, "contains"),
        (Keyword::MinContains, "minContains"),
        (Keyword::MaxContains, "maxContains"),
        (Keyword::MinProperties, "minProperties"),
        (Keyword::MaxProperties, "maxProperties"),
        (Keyword::AdditionalProperties, "additionalProperties"),
        (Keyword::AnyOf, "anyOf"),
        (Keyword::OneOf, "oneOf"),
        (Keyword::Not, "not"),
        (Keyword::UnevaluatedItems, "unevaluatedItems"),
        (Keyword::UnevaluatedProperties, "unevaluatedProperties"),
        (Keyword::FalseSchema, "falseSchema"),
    ];

    fn from_name(name: &str) -> Keyword {
        Self::NAMED
            .iter()
            .find(|(_, spelled)| *spelled == name)
            .map_or_else(
                || Keyword::Other(name.to_owned()),
                |(keyword, _)| keyword.clone(),
            )
    }

    /// The keyword as the schema spells it (`falseSchema` for a `false` schema).
    pub fn as_str(&self) -> &str {
        match self {
            Keyword::Other(name) => name,
            known => Self::NAMED
                .iter()
                .find(|(keyword, _)| keyword == known)
                .map_or("", |(_, spelled)| spelled),
        }
    }
}

impl Serialize for Keyword {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One validation error, for showing next to a form field: where, by which keyword, and
/// Python's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationIssue {
    /// The field as Prefect names it: `""` for the whole input, `address`, `tags[1]`,
    /// `contact.address.city` — for people; place errors by `instance_path`.
    pub path: String,
    /// Where in the input, step by step (`["tags", 1]`; empty for the whole input).
    pub instance_path: Vec<PathSegment>,
    /// Where in the schema the failing keyword stands, as Python's
    /// `error.absolute_schema_path` (`["properties", "count", "type"]`).
    pub schema_path: Vec<PathSegment>,
    /// The JSON Schema keyword that failed.
    pub keyword: Keyword,
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
        /// The error the reason is about (Python's `best_match`), which may sit inside an
        /// `anyOf` or `oneOf` and so not be among `errors`.
        cause: ValidationIssue,
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
    /// Only the server can tell: the schema holds a regular expression that no engine
    /// here can run as Python's `re` does (or whose search runs elsewhere and has not
    /// answered).
    ServerDecides {
        /// What the verdict's reason says of it (`the pattern '…' cannot be run here (…)`).
        reason: String,
        /// The same, as data.
        why: crate::Undecided,
    },
}

impl From<Stop> for Validation {
    fn from(stop: Stop) -> Validation {
        match stop {
            Stop::Unresolvable(reason) => Validation::Unresolvable {
                reason: format!("Validation failed. Failure reason: {reason}"),
            },
            Stop::Recursion => Validation::CircularReferences,
            Stop::Crash(why) => Validation::ServerCrash(why),
            Stop::Pattern { message, why } => Validation::ServerDecides {
                reason: format!("the pattern {message}"),
                why,
            },
        }
    }
}

/// Validates hydrated run input against the schema stored for the pause, searching its
/// patterns here.
pub fn validate(input: &Value, stored_schema: &Value) -> Validation {
    validate_with(input, stored_schema, Searches::HERE)
}

/// [`validate`], with pattern searches run where `searches` says.
pub fn validate_with(input: &Value, stored_schema: &Value, searches: Searches<'_>) -> Validation {
    let schema = match preprocess(stored_schema) {
        Ok(schema) => schema,
        Err(SchemaCrash(why)) => return Validation::ServerCrash(why),
    };
    // Python's `check_schema` runs before validation meets any reference.
    if let Err(stop) = checked(&schema) {
        return stop.into();
    }
    let errors = match validator::iter_errors(&schema, input, searches) {
        Ok(errors) => errors,
        Err(stop) => return stop.into(),
    };
    let Some(best) = best_match(&errors) else {
        return Validation::Valid;
    };
    Validation::Invalid {
        reason: best.reason(),
        errors: flatten_for_forms(&errors),
        cause: best.issue(),
    }
}

impl PyError {
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
        ValidationIssue {
            path,
            instance_path: self.path.clone(),
            schema_path: self.schema_path.clone(),
            keyword: Keyword::from_name(&self.keyword),
            message: self.message.clone(),
        }
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
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
