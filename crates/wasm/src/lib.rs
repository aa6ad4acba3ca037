//! The npm package `flowgate`: Flowgate's resume verdicts, run-input validation and Prefect
//! client for JS/TS apps.
//!
//! A thin layer: every export converts its arguments (`convert`), calls `flowgate-core` or
//! `flowgate-client`, and converts the result back. No logic lives here, and this is the
//! only crate with `#[wasm_bindgen]` exports. The TypeScript shapes are declared once, in
//! `types`.

mod abort;
mod client;
mod convert;
mod decide;
mod gate;
mod rules;
mod types;
mod watch;

use chrono::{DateTime, Utc};
use flowgate_core::run_input::{InputCheck, StoredSchema, ValidationIssue, check_run_input};
use flowgate_core::{
    ExpectedState, FlowRun, OrchestrationResult, PrefectVersion, ResumeVerdict, ServerRules,
    resume_verdict_with,
};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

pub use crate::client::PrefectClient;
use crate::convert::{Options, from_js, invalid_argument, model_from_js, to_js};
pub use crate::gate::check_policy;
pub use crate::watch::FlowRunWatch;

/// The verdict as JS sees it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Verdict {
    decided_by: &'static str,
    http_status: Option<u16>,
    status: Option<String>,
    details_type: Option<String>,
    reason: Option<String>,
    state: Option<VerdictState>,
    errors: Vec<ValidationIssue>,
    stored_input: Option<Value>,
}

impl Verdict {
    /// The verdict for an answer known field by field.
    fn answer(answer: &flowgate_core::ExpectedAnswer) -> Verdict {
        Verdict {
            decided_by: "client",
            http_status: Some(answer.http_status),
            status: Some(answer.status.to_string()),
            details_type: Some(answer.details_type.to_string()),
            reason: answer.reason.clone(),
            state: answer.state.as_ref().map(VerdictState::from),
            errors: answer.errors.clone(),
            stored_input: answer.stored_input.clone(),
        }
    }

    /// A verdict with no orchestration result: the server refuses or fails (an HTTP
    /// status), or only it can decide.
    fn unanswered(decided_by: &'static str, http_status: Option<u16>, reason: String) -> Verdict {
        Verdict {
            decided_by,
            http_status,
            status: None,
            details_type: None,
            reason: Some(reason),
            state: None,
            errors: Vec::new(),
            stored_input: None,
        }
    }
}

#[derive(Serialize)]
struct VerdictState {
    #[serde(rename = "type")]
    state_type: String,
    name: Option<String>,
    message: Option<String>,
    unchanged: bool,
}

impl From<&ExpectedState> for VerdictState {
    fn from(state: &ExpectedState) -> Self {
        VerdictState {
            state_type: state.state_type.to_string(),
            name: state.name.clone(),
            message: state.message.clone(),
            unchanged: state.unchanged,
        }
    }
}

/// The schema argument: an object, the stored JSON text, or nothing (none stored).
pub(crate) fn stored_schema(schema: &Value) -> StoredSchema<'_> {
    match schema {
        Value::Null => StoredSchema::Missing,
        Value::String(text) => StoredSchema::Text(text),
        other => StoredSchema::Json(other),
    }
}

/// Run input given as JSON text: unlike a JS object, it keeps `1.0` apart from `1`, as the
/// server (and Python's messages) do.
pub(crate) fn json_text(what: &str, text: &str) -> Result<Value, JsValue> {
    serde_json::from_str(text)
        .map_err(|err| invalid_argument(&format!("{what} is not valid JSON: {err}")))
}

/// The run input an options object gives: `runInputJson` (JSON text, which keeps `1.0` apart
/// from `1`), else `runInput`; `null` when it gives neither.
pub(crate) fn options_input(options: &Options) -> Result<Value, JsValue> {
    match options.get("runInputJson")? {
        text if text.is_undefined() || text.is_null() => {
            from_js("runInput", options.get("runInput")?)
        }
        text => match text.as_string() {
            Some(text) => json_text("runInputJson", &text),
            None => Err(invalid_argument(
                "runInputJson must be a string of JSON text",
            )),
        },
    }
}

/// `now` as a `Date`, an ISO 8601 string or milliseconds since the epoch; the current
/// time when absent.
pub(crate) fn instant(now: &JsValue) -> Result<DateTime<Utc>, JsValue> {
    let millis = if now.is_undefined() || now.is_null() {
        js_sys::Date::now()
    } else if let Some(date) = now.dyn_ref::<js_sys::Date>() {
        date.get_time()
    } else if let Some(ms) = now.as_f64() {
        ms
    } else if let Some(text) = now.as_string() {
        return flowgate_core::timestamp::parse(&text)
            .map_err(|err| invalid_argument(&format!("now: {err}")));
    } else {
        return Err(invalid_argument(
            "now must be a Date, an ISO 8601 string or milliseconds",
        ));
    };
    if !millis.is_finite() {
        return Err(invalid_argument("now is not a valid time"));
    }
    DateTime::from_timestamp_millis(millis as i64)
        .ok_or_else(|| invalid_argument("now is out of range"))
}

/// The rules of the server release an options object names in `serverVersion` (what
/// `client.serverVersion()` gives); 3.9.1's when it names none.
pub(crate) fn server_rules(options: &Options) -> Result<ServerRules, JsValue> {
    match options.get("serverVersion")? {
        v if v.is_undefined() || v.is_null() => Ok(ServerRules::BUILT_FOR),
        v => {
            let text = v.as_string().ok_or_else(|| {
                invalid_argument("serverVersion must be a string such as \"3.9.1\"")
            })?;
            let version = PrefectVersion::parse(&text).ok_or_else(|| {
                invalid_argument(&format!(
                    "serverVersion {text:?} is not a Prefect release such as \"3.9.1\""
                ))
            })?;
            Ok(ServerRules::of(Some(version)))
        }
    }
}

/// What Prefect's `POST /flow_runs/{id}/resume` will answer for this run and input.
#[wasm_bindgen(js_name = checkResume, unchecked_return_type = "ResumeVerdict")]
pub fn check_resume(
    #[wasm_bindgen(unchecked_param_type = "FlowRun | string")] flow_run: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CheckResumeOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let run: FlowRun = model_from_js("flow run", flow_run)?;
    let options = Options::new(
        "checkResume options",
        &options,
        &["schema", "runInput", "runInputJson", "now", "serverVersion"],
    )?;
    let get = |key: &str| options.get(key);
    let schema = from_js("schema", get("schema")?)?;
    let run_input = options_input(&options)?;
    let now = instant(&get("now")?)?;
    let run_input = (!run_input.is_null()).then_some(&run_input);
    let rules = server_rules(&options)?;
    let searches = flowgate_core::Searches::HERE;
    let schema = stored_schema(&schema);
    let verdict = match resume_verdict_with(&run, schema, run_input, now, searches, rules) {
        ResumeVerdict::Answer(answer) => Verdict::answer(&answer),
        ResumeVerdict::HttpError { status, reason } => {
            Verdict::unanswered("client", Some(status), reason)
        }
        ResumeVerdict::ServerDecides { reason, .. } => Verdict::unanswered("server", None, reason),
    };
    to_js(&verdict)
}

/// The answer of `validateRunInput`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunInputValidation {
    valid: Option<bool>,
    reason: Option<String>,
    errors: Vec<ValidationIssue>,
    /// The error the reason names, when validation failed.
    cause: Option<ValidationIssue>,
    decided_by: &'static str,
}

/// Judges run input against the schema a pause stored, as Prefect's resume endpoint does:
/// placeholders hydrated, then validated; the reason is the server's, word for word.
#[wasm_bindgen(js_name = validateRunInput, unchecked_return_type = "RunInputValidation")]
pub fn validate_run_input(
    #[wasm_bindgen(unchecked_param_type = "JsonSchema | string")] schema: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | string")] run_input: JsValue,
) -> Result<JsValue, JsValue> {
    let schema = from_js("schema", schema)?;
    let run_input = match run_input.as_string() {
        Some(text) => json_text("runInput", &text)?,
        None => from_js("runInput", run_input)?,
    };
    let Value::Object(run_input) = run_input else {
        return Err(invalid_argument(
            "runInput must be a plain object or the JSON text of one",
        ));
    };
    let answer = match check_run_input(&run_input, Some(stored_schema(&schema))) {
        InputCheck::Accepted { .. } => RunInputValidation {
            valid: Some(true),
            reason: None,
            errors: Vec::new(),
            cause: None,
            decided_by: "client",
        },
        InputCheck::Rejected {
            reason,
            errors,
            cause,
        } => RunInputValidation {
            valid: Some(false),
            reason: Some(reason),
            errors,
            cause,
            decided_by: "client",
        },
        InputCheck::ServerDecides { reason, .. } => RunInputValidation {
            valid: None,
            reason: Some(reason),
            errors: Vec::new(),
            cause: None,
            decided_by: "server",
        },
        InputCheck::ServerError { reason } => RunInputValidation {
            valid: Some(false),
            reason: Some(format!(
                "The server fails on this input (HTTP 500): {reason}"
            )),
            errors: Vec::new(),
            cause: None,
            decided_by: "client",
        },
    };
    to_js(&answer)
}

/// Reads a flow run (an object or JSON text) as Prefect returns it; throws a
/// `FlowgateError` of kind `parse` naming the JSON path of whatever does not fit.
#[wasm_bindgen(js_name = parseFlowRun, unchecked_return_type = "FlowRun")]
pub fn parse_flow_run(
    #[wasm_bindgen(unchecked_param_type = "unknown")] json: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(&model_from_js::<FlowRun>("flow run", json)?)
}

/// Reads an orchestration result (the body of a resume answer); errors as `parseFlowRun`.
#[wasm_bindgen(js_name = parseOrchestrationResult, unchecked_return_type = "OrchestrationResult")]
pub fn parse_orchestration_result(
    #[wasm_bindgen(unchecked_param_type = "unknown")] json: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(&model_from_js::<OrchestrationResult>(
        "orchestration result",
        json,
    )?)
}

/// Whether `value` is an error this package threw or rejected with (a `FlowgateError`): an
/// `Error` named `FlowgateError` with a `kind`. Narrows the type in TypeScript.
#[wasm_bindgen(js_name = isFlowgateError, unchecked_return_type = "value is FlowgateError")]
pub fn is_flowgate_error(#[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue) -> bool {
    value.is_instance_of::<js_sys::Error>()
        && js_sys::Reflect::get(&value, &"name".into())
            .is_ok_and(|name| name.as_string().as_deref() == Some("FlowgateError"))
        && js_sys::Reflect::get(&value, &"kind".into()).is_ok_and(|kind| kind.is_string())
}
