//! The one place JS values become Rust values and back, and Rust failures become JS errors.

use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// A JS value as JSON. Numbers, strings, booleans, null, arrays and plain objects map one
/// to one; anything else (functions, symbols, BigInt) is a `TypeError`.
pub(crate) fn from_js(what: &str, value: JsValue) -> Result<Value, JsValue> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|err| js_error("TypeError", &format!("{what} is not JSON-like: {err}")))
}

/// A Rust value as a plain JS value: objects become plain objects, never `Map`s.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|err| js_error("Error", &format!("could not convert the result: {err}")))
}

/// A JS `Error` whose `name` says what kind of failure it is.
pub(crate) fn js_error(name: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name(name);
    error.into()
}
