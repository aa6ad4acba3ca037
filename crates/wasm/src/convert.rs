//! The one place JS values become Rust values and back, and Rust failures become JS errors.

use flowgate_client::ClientError;
use flowgate_core::ParseError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;

/// How deep arrays and objects may nest: JSON text is held to the same limit by
/// `serde_json`. The conversion below recurses, so a deeper value (or one that contains
/// itself) would exhaust the stack and break the module for every later call.
const MAX_NESTING: usize = 128;

/// Whether `value` nests at most `limit` arrays/objects deep, measured without recursion.
fn nesting_within(value: &JsValue, limit: usize) -> bool {
    let mut pending = vec![(value.clone(), 0usize)];
    while let Some((node, depth)) = pending.pop() {
        if !node.is_object() {
            continue;
        }
        if depth >= limit {
            return false;
        }
        let children = if js_sys::Array::is_array(&node) {
            js_sys::Array::from(&node)
        } else {
            js_sys::Object::values(node.unchecked_ref())
        };
        pending.extend(
            children
                .iter()
                .filter(JsValue::is_object)
                .map(|child| (child, depth + 1)),
        );
    }
    true
}

/// A JS value as JSON. Numbers, strings, booleans, null, arrays and plain objects map one
/// to one; anything else is an `invalidArgument` error.
pub(crate) fn from_js(what: &str, value: JsValue) -> Result<Value, JsValue> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    if !nesting_within(&value, MAX_NESTING) {
        return Err(invalid_argument(&format!(
            "{what} is nested more than {MAX_NESTING} levels deep, or contains itself"
        )));
    }
    serde_wasm_bindgen::from_value(value)
        .map_err(|err| invalid_argument(&format!("{what} is not JSON-like: {err}")))
}

/// A JS value (a parsed object, or JSON text) read into a core model, naming the JSON path
/// of whatever does not fit.
pub(crate) fn model_from_js<T: DeserializeOwned>(
    what: &'static str,
    value: JsValue,
) -> Result<T, JsValue> {
    let parsed = match value.as_string() {
        Some(text) => flowgate_core::parse::from_str(what, &text),
        None => flowgate_core::parse::from_value(what, from_js(what, value)?),
    };
    parsed.map_err(|err| parse_error(&err))
}

/// `object[key]`, or `undefined` when the object itself is absent.
pub(crate) fn field(object: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    if object.is_undefined() || object.is_null() {
        Ok(JsValue::UNDEFINED)
    } else {
        js_sys::Reflect::get(object, &key.into())
    }
}

/// A Rust value as a plain JS value: objects become plain objects, never `Map`s.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|err| {
            flowgate_error(
                "internal",
                &format!("could not convert the result: {err}"),
                Value::Null,
            )
        })
}

/// A `FlowgateError`: a real JS `Error` with a stable `kind` and the failure's data.
pub(crate) fn flowgate_error(kind: &str, message: &str, details: Value) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("FlowgateError");
    let value: JsValue = error.into();
    let details = to_js(&details).unwrap_or(JsValue::NULL);
    let _ = js_sys::Reflect::set(&value, &"kind".into(), &kind.into());
    let _ = js_sys::Reflect::set(&value, &"details".into(), &details);
    value
}

pub(crate) fn invalid_argument(message: &str) -> JsValue {
    flowgate_error("invalidArgument", message, Value::Null)
}

pub(crate) fn parse_error(err: &ParseError) -> JsValue {
    flowgate_error(
        "parse",
        &err.to_string(),
        json!({"what": err.what, "path": err.path, "message": err.message}),
    )
}

/// The data of a client error as plain JSON (`kind` plus its fields).
pub(crate) fn client_error_data(err: &ClientError) -> Value {
    serde_json::to_value(err).unwrap_or(Value::Null)
}

pub(crate) fn client_error(err: &ClientError) -> JsValue {
    let data = client_error_data(err);
    let kind = data["kind"].as_str().unwrap_or("http").to_owned();
    flowgate_error(&kind, &err.to_string(), data)
}

/// A flow-run id argument: a JS string holding a UUID. Anything else (an object, a number,
/// nothing) is an `invalidArgument` error, never a trap in the string conversion.
pub(crate) fn flow_run_id(value: &JsValue) -> Result<uuid::Uuid, JsValue> {
    let Some(text) = value.as_string() else {
        let what = if value.is_undefined() || value.is_null() {
            "nothing".to_owned()
        } else {
            value.js_typeof().as_string().unwrap_or_default()
        };
        return Err(invalid_argument(&format!(
            "a flow run id must be a string (a UUID such as 5b2fef16-b6fd-4048-bf91-c59ed2f00e81), not {what}"
        )));
    };
    flowgate_client::parse_flow_run_id(&text).map_err(|err| client_error(&err))
}
