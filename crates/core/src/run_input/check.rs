//! The server's whole judgement of run input for a pause that asked for it: hydration,
//! the stored schema, validation — in the resume endpoint's order, first failure wins.

use serde::Serialize;
use serde_json::{Map, Value};

use super::schema::truthy;
use super::{Hydration, Validation, ValidationIssue, hydrate, validate};

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
    /// Only the server can tell (Jinja templates, workspace variables).
    ServerDecides {
        /// Why.
        reason: String,
    },
    /// The server fails with HTTP 500 on this input or schema.
    ServerError {
        /// What goes wrong.
        reason: String,
    },
}

/// Judges `run_input` as the resume endpoint does. `schema` is `None` when the pause's
/// keyset names no `schema` key at all (the server fails with 500 after hydrating).
pub fn check_run_input(
    run_input: &Map<String, Value>,
    schema: Option<StoredSchema<'_>>,
) -> InputCheck {
    let rejected = |reason: String| InputCheck::Rejected {
        reason,
        errors: Vec::new(),
        cause: None,
    };
    let hydrated = match hydrate(&Value::Object(run_input.clone())) {
        Hydration::Value(value) if truthy(&value) => value,
        Hydration::Value(_) => Value::Object(Map::new()),
        Hydration::Error(message) => {
            return rejected(format!("Error hydrating run input: {message}"));
        }
        Hydration::ServerDecides(reason) => {
            return InputCheck::ServerDecides {
                reason: format!("Only the server can hydrate this input: {reason}."),
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
    match validate(&hydrated, schema) {
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
        Validation::Unresolvable { reason } => rejected(format!("Reason: {reason}")),
        Validation::CircularReferences => rejected(CIRCULAR_SCHEMA.into()),
        Validation::ServerCrash(reason) => InputCheck::ServerError { reason },
        Validation::ServerDecides(why) => InputCheck::ServerDecides {
            reason: format!("Only the server can validate this input: {why}."),
        },
    }
}
