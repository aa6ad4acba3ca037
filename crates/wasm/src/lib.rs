//! The npm package `flowgate`: Flowgate's verdicts, validation and Prefect client for
//! JS/TS apps.
//!
//! A thin layer: every export converts its arguments (in `convert`), calls
//! `flowgate-core` or `flowgate-client`, and converts the result back. No logic lives here,
//! and this is the only crate with `#[wasm_bindgen]` exports.

mod convert;

use flowgate_core::run_input::{InputCheck, StoredSchema, ValidationIssue, check_run_input};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::convert::{from_js, js_error, to_js};

/// The answer of `validateRunInput`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunInputValidation {
    /// `true` / `false`, or `null` when only the server can tell.
    valid: Option<bool>,
    /// The server's reason, byte for byte, when it is not valid.
    reason: Option<String>,
    /// Every validation error with its field path, for forms.
    errors: Vec<ValidationIssue>,
    /// `"client"` when decided here, `"server"` when only the server can tell.
    decided_by: &'static str,
}

/// Judges run input against the run-input schema a pause stored, as Prefect's resume
/// endpoint does: hydration of `__prefect_kind` placeholders, then validation.
///
/// `schema` is the stored schema as an object or as the stored JSON text.
#[wasm_bindgen(js_name = validateRunInput)]
pub fn validate_run_input(schema: JsValue, run_input: JsValue) -> Result<JsValue, JsValue> {
    let schema = from_js("schema", schema)?;
    let Value::Object(run_input) = from_js("runInput", run_input)? else {
        return Err(js_error("TypeError", "runInput must be a plain object"));
    };
    let stored = match &schema {
        Value::String(text) => StoredSchema::Text(text),
        other => StoredSchema::Json(other),
    };
    let answer = match check_run_input(&run_input, Some(stored)) {
        InputCheck::Accepted { .. } => RunInputValidation {
            valid: Some(true),
            reason: None,
            errors: Vec::new(),
            decided_by: "client",
        },
        InputCheck::Rejected { reason, errors } => RunInputValidation {
            valid: Some(false),
            reason: Some(reason),
            errors,
            decided_by: "client",
        },
        InputCheck::ServerDecides { reason } => RunInputValidation {
            valid: None,
            reason: Some(reason),
            errors: Vec::new(),
            decided_by: "server",
        },
        InputCheck::ServerError { reason } => RunInputValidation {
            valid: Some(false),
            reason: Some(format!(
                "The server fails on this input (HTTP 500): {reason}"
            )),
            errors: Vec::new(),
            decided_by: "client",
        },
    };
    to_js(&answer)
}
