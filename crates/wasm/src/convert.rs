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

/// Whether `value` can be read safely: it nests at most `limit` arrays/objects deep (a value
/// that contains itself does not), and no getter or `Proxy` in it throws. Walked without
/// recursion, with `Reflect` calls that catch: the conversion after it reads the same
/// properties through bindings that would let an exception unwind through the module.
fn readable(value: &JsValue, limit: usize) -> Result<(), String> {
    let mut pending = vec![(value.clone(), 0usize)];
    while let Some((node, depth)) = pending.pop() {
        if !node.is_object() {
            continue;
        }
        if depth >= limit {
            return Err(format!(
                "is nested more than {limit} levels deep, or contains itself"
            ));
        }
        let keys = js_sys::Reflect::own_keys(&node)
            .map_err(|err| format!("cannot be read: {}", message_of(&err)))?;
        for key in keys.iter().filter(|key| key.is_string()) {
            let child = js_sys::Reflect::get(&node, &key).map_err(|err| {
                format!(
                    "cannot be read: reading {:?} threw: {}",
                    key.as_string().unwrap_or_default(),
                    message_of(&err)
                )
            })?;
            if child.is_object() {
                pending.push((child, depth + 1));
            }
        }
    }
    Ok(())
}

/// A JS value as JSON. Numbers, strings, booleans, null, arrays and plain objects map one
/// to one; anything else is an `invalidArgument` error.
pub(crate) fn from_js(what: &str, value: JsValue) -> Result<Value, JsValue> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    if let Err(why) = readable(&value, MAX_NESTING) {
        return Err(invalid_argument(&format!("{what} {why}")));
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
    // Every model is an object or a list: an id, a number or a boolean is a wrong argument
    // (an id passed for a run), not a document to parse.
    let parsed = match value.as_string() {
        Some(text) if uuid::Uuid::parse_str(text.trim()).is_ok() => {
            return Err(invalid_argument(&format!(
                "{what} must be an object (or its JSON text), not the id {text:?}: read the run first, e.g. with readFlowRun"
            )));
        }
        Some(text) => flowgate_core::parse::from_str(what, &text),
        None if value.as_f64().is_some() || value.as_bool().is_some() => {
            return Err(invalid_argument(&format!(
                "{what} must be an object, not {}",
                js_type(&value)
            )));
        }
        None => flowgate_core::parse::from_value(what, from_js(what, value)?),
    };
    parsed.map_err(|err| {
        // A key the model does not have is a misspelt argument, not a malformed document.
        if err.message.starts_with("unknown field") {
            flowgate_error(
                "invalidArgument",
                &err.to_string(),
                json!({ "kind": "invalidArgument", "message": err.to_string() }),
            )
        } else {
            parse_error(&err)
        }
    })
}

/// `object[key]`, or `undefined` when the object itself is absent.
/// An options argument, checked before anything reads it: `undefined` or `null` for none,
/// otherwise an object whose keys are all ones the call takes. Anything else, and a key
/// whose getter throws, is an `invalidArgument` that names it.
pub(crate) struct Options {
    what: &'static str,
    object: Option<js_sys::Object>,
}

impl Options {
    pub(crate) fn new(
        what: &'static str,
        value: &JsValue,
        allowed: &[&str],
    ) -> Result<Options, JsValue> {
        if value.is_undefined() || value.is_null() {
            return Ok(Options { what, object: None });
        }
        if !value.is_object() || js_sys::Array::is_array(value) || value.is_function() {
            return Err(invalid_argument(&format!(
                "{what} must be an object {{ {} }}, not {}",
                allowed.join(", "),
                js_type(value)
            )));
        }
        let object: js_sys::Object = value.clone().unchecked_into();
        let keys = js_sys::Reflect::own_keys(&object).map_err(|err| {
            invalid_argument(&format!("{what} cannot be read: {}", message_of(&err)))
        })?;
        only_keys(
            what,
            keys.iter()
                .map(|key| key.as_string().unwrap_or_else(|| "a symbol".to_owned()))
                .collect(),
            allowed,
        )?;
        Ok(Options {
            what,
            object: Some(object),
        })
    }

    /// The value at `key`, `undefined` when absent.
    pub(crate) fn get(&self, key: &str) -> Result<JsValue, JsValue> {
        let Some(object) = &self.object else {
            return Ok(JsValue::UNDEFINED);
        };
        js_sys::Reflect::get(object, &key.into()).map_err(|err| {
            invalid_argument(&format!(
                "reading {}.{key} threw: {}",
                self.what,
                message_of(&err)
            ))
        })
    }
}

/// Refuses a key other than `allowed`, naming it and the allowed ones.
pub(crate) fn only_keys(what: &str, keys: Vec<String>, allowed: &[&str]) -> Result<(), JsValue> {
    for key in keys {
        if !allowed.contains(&key.as_str()) {
            return Err(invalid_argument(&format!(
                "{what} has no key {key:?}; it takes {}",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// What a thrown JS value says: an `Error`'s message, or the value as text.
fn message_of(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| js_type(error))
}

/// A JS value's kind for an error message: `null`, `an array`, or its `typeof`.
pub(crate) fn js_type(value: &JsValue) -> String {
    if value.is_null() {
        "null".to_owned()
    } else if value.is_undefined() {
        "nothing".to_owned()
    } else if js_sys::Array::is_array(value) {
        "an array".to_owned()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

/// A list of ids (of flow runs, of flows): an array of strings, each a UUID.
pub(crate) fn id_list(what: &str, value: &JsValue) -> Result<Vec<uuid::Uuid>, JsValue> {
    if !js_sys::Array::is_array(value) {
        return Err(invalid_argument(&format!(
            "{what} must be an array of ids (UUID strings), not {}",
            js_type(value)
        )));
    }
    js_sys::Array::from(value)
        .iter()
        .enumerate()
        .map(|(i, id)| {
            flow_run_id(&id).map_err(|_| {
                let text = id
                    .as_string()
                    .map_or_else(|| js_type(&id), |t| format!("{t:?}"));
                invalid_argument(&format!(
                    "{what}[{i}] must be an id (a UUID string), not {text}"
                ))
            })
        })
        .collect()
}

/// A Rust value as a plain JS value: objects become plain objects, never `Map`s.
///
/// Every type goes through `serde_json::Value` first, so the JS conversion is compiled once,
/// not once per type (measured: the package's wasm is 20 KB gzipped smaller for it).
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    serde_json::to_value(value)
        .map_err(|err| err.to_string())
        .and_then(|value| {
            value
                .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
                .map_err(|err| err.to_string())
        })
        .map_err(|err| plain_error("internal", &format!("could not convert the result: {err}")))
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
    plain_error("invalidArgument", message)
}

/// A `FlowgateError` whose details are its kind and message only.
pub(crate) fn plain_error(kind: &str, message: &str) -> JsValue {
    flowgate_error(kind, message, json!({ "kind": kind, "message": message }))
}

pub(crate) fn parse_error(err: &ParseError) -> JsValue {
    flowgate_error(
        "parse",
        &err.to_string(),
        json!({"kind": "parse", "what": err.what, "path": err.path, "message": err.message}),
    )
}

/// The data of a client error as plain JSON (`kind` plus its fields).
pub(crate) fn client_error_data(err: &ClientError) -> Value {
    serde_json::to_value(err).unwrap_or(Value::Null)
}

pub(crate) fn client_error(err: &ClientError) -> JsValue {
    flowgate_error(err.kind(), &err.to_string(), client_error_data(err))
}

/// A flow-run id argument: a JS string holding a UUID. Anything else (an object, a number,
/// nothing) is an `invalidArgument` error, never a trap in the string conversion.
pub(crate) fn flow_run_id(value: &JsValue) -> Result<uuid::Uuid, JsValue> {
    let Some(text) = value.as_string() else {
        let what = if value.is_null() {
            "nothing".to_owned()
        } else {
            js_type(value)
        };
        return Err(invalid_argument(&format!(
            "a flow run id must be a string (a UUID such as 5b2fef16-b6fd-4048-bf91-c59ed2f00e81), not {what}"
        )));
    };
    flowgate_client::parse_flow_run_id(&text).map_err(|err| client_error(&err))
}
