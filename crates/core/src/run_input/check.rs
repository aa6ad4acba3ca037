//! The server's whole judgement of run input for a pause that asked for it: hydration,
//! the stored schema, validation — in the resume endpoint's order, first failure wins.

use serde::Serialize;
use serde_json::{Map, Value};

use super::hydrate::hydrate_on;
use super::pattern::Searches;
use super::schema::truthy;
use super::{Hydration, Validation, ValidationIssue, validate_with};
use crate::version::{ServerRules, Unmeasured};

/// Reason when the pause asked for input but no schema is stored.
pub const SCHEMA_NOT_FOUND: &str = "Run input schema not found.";
/// Reason when the stored schema is not JSON.
pub const SCHEMA_NOT_JSON: &str = "Run input schema is not valid JSON.";
/// Reason when the schema's references loop.
pub const CIRCULAR_SCHEMA: &str =
    "Invalid schema: Unable to validate schema with circular references.";

/// The schema the server has stored under the keyset's `schema` key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StoredSchema<'a> {
    /// Nothing is stored under the key (`GET /flow_runs/{id}/input/{key}` answers 404).
    Missing,
    /// The stored text, exactly as `GET /flow_runs/{id}/input/{key}` returns it.
    Text(&'a str),
    /// The stored schema, already parsed.
    Json(&'a Value),
}

/// What the server makes of run input.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InputCheck {
    /// The input passes.
    Accepted {
        /// The hydrated input the server stores under the keyset's `response` key; `None`
        /// when it is empty, as the server then stores nothing.
        stored: Option<Value>,
    },
    /// The server rejects it (REJECT with `abort_details`).
    Rejected {
        /// The reason, byte for byte (`Reason: Validation failed for field 'count'. …`).
        reason: String,
        /// Every validation error, for forms (empty for hydration and schema failures).
        errors: Vec<ValidationIssue>,
        /// The validation error the reason names (`None` for hydration and schema failures).
        cause: Option<ValidationIssue>,
    },
    /// Only the server can tell (Jinja templates, workspace variables, a pattern).
    ServerDecides {
        /// Why, in words.
        reason: String,
        /// Why, as data.
        why: Undecided,
    },
    /// The server fails with HTTP 500 on this input or schema.
    ServerError {
        /// What goes wrong.
        reason: String,
    },
}

/// Why only the server can decide: what a caller matches on (the reason beside it is for
/// people).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Undecided {
    /// The input holds what only the server resolves: a Jinja template, a workspace
    /// variable, or a value that JSON here cannot hold (`NaN`, a lone surrogate).
    ServerData,
    /// A schema pattern no engine here runs as Python's `re` does.
    Pattern {
        /// The pattern, as the schema gives it.
        pattern: String,
    },
    /// The pattern's search runs elsewhere (a Web Worker) and has not answered yet.
    PatternChecking {
        /// The pattern, as the schema gives it.
        pattern: String,
    },
    /// The pattern's search, run elsewhere, was stopped for its time budget: it backtracks
    /// on this input and may never end — on the server too, which runs the same search.
    PatternStopped {
        /// The pattern, as the schema gives it.
        pattern: String,
        /// How long it ran, in milliseconds.
        after_ms: u32,
    },
    /// The server's release is outside those Flowgate's verdicts were measured against, or
    /// could not be read: its answer is not known here (those of the nearest measured
    /// release are, through [`ServerRules::as_if_measured`]).
    Release {
        /// Why.
        release: Unmeasured,
    },
}

/// Judges `run_input` as the resume endpoint does. `schema` is `None` when the pause's
/// keyset names no `schema` key at all (the server fails with 500 after hydrating).
pub fn check_run_input(
    run_input: &Map<String, Value>,
    schema: Option<StoredSchema<'_>>,
) -> InputCheck {
    check_run_input_with(run_input, schema, Searches::HERE, ServerRules::BUILT_FOR)
}

/// [`check_run_input`], with pattern searches run where `searches` says, by the rules of a
/// server release.
pub fn check_run_input_with(
    run_input: &Map<String, Value>,
    schema: Option<StoredSchema<'_>>,
    searches: Searches<'_>,
    rules: ServerRules,
) -> InputCheck {
    let rejected = |reason: String| InputCheck::Rejected {
        reason,
        errors: Vec::new(),
        cause: None,
    };
    let hydrated = match hydrate_on(&Value::Object(run_input.clone()), rules) {
        Hydration::Value(value) if truthy(&value) => value,
        Hydration::Value(_) => Value::Object(Map::new()),
        Hydration::Error(message) => {
            return rejected(format!("Error hydrating run input: {message}"));
        }
        Hydration::ServerDecides(reason) => {
            return InputCheck::ServerDecides {
                reason: format!("Only the server can hydrate this input: {reason}."),
                why: Undecided::ServerData,
            };
        }
        Hydration::ServerCrash(reason) => return InputCheck::ServerError { reason },
    };
    let Some(schema) = schema else {
        return InputCheck::ServerError {
            reason: "the run-input keyset has no `schema` key".into(),
        };
    };
    let parsed;
    let schema = match schema {
        StoredSchema::Missing => return rejected(SCHEMA_NOT_FOUND.into()),
        StoredSchema::Json(value) => value,
        StoredSchema::Text(text) => match serde_json::from_str::<Value>(text) {
            Ok(value) => {
                parsed = value;
                &parsed
            }
            Err(_) => return rejected(SCHEMA_NOT_JSON.into()),
        },
    };
    match validate_with(&hydrated, schema, searches) {
        Validation::Valid => InputCheck::Accepted {
            stored: truthy(&hydrated).then_some(hydrated),
        },
        Validation::Invalid {
            reason,
            errors,
            cause,
        } => InputCheck::Rejected {
            reason: format!("Reason: {reason}"),
            errors,
            cause: Some(cause),
        },
        Validation::Unresolvable { reason } if rules.unresolvable_reference_rejects => {
            rejected(format!("Reason: {reason}"))
        }
        // Before Prefect 3.7.5 the referencing error escapes the validator.
        Validation::Unresolvable { reason } => InputCheck::ServerError {
            reason: format!("the schema has a reference that leads nowhere ({reason})"),
        },
        Validation::CircularReferences => rejected(CIRCULAR_SCHEMA.into()),
        Validation::ServerCrash(reason) => InputCheck::ServerError { reason },
        Validation::ServerDecides { reason, why } => InputCheck::ServerDecides {
            reason: format!("Only the server can validate this input: {reason}."),
            why,
        },
    }
}
