//! Hydration: how the server replaces `{"__prefect_kind": …}` placeholders in run input
//! before validating it (Prefect's `schema_tools.hydrate` with `raise_on_error=True`).
//!
//! `json` and `none` are decided here exactly. `jinja` templates and `workspace_variable`
//! lookups need the server's templates and variables, so when the outcome depends on one the
//! answer is [`Hydration::ServerDecides`] — never a guess.

use serde_json::{Map, Value};

use super::python_json::{self, PyJson, Unrepresentable};

/// The outcome of hydrating run input as the server would.
#[derive(Debug, Clone, PartialEq)]
pub enum Hydration {
    /// The input after hydration (what gets validated and, on ACCEPT, stored).
    Value(Value),
    /// The server rejects the input: `Error hydrating run input: <message>`.
    Error(String),
    /// Only the server can tell (templates, workspace variables, values Python parses but
    /// JSON here cannot hold).
    ServerDecides(String),
    /// The server fails with HTTP 500 on this input.
    ServerCrash(String),
}

/// A stop in the middle of hydration.
enum Stop {
    Error(String),
    ServerDecides(String),
    ServerCrash(String),
}

/// What `_hydrate` returned for one value: a value, or Prefect's `RemoveValue` marker.
enum Hydrated {
    Keep(Value),
    Remove,
}

/// Hydrates the run input the way the resume endpoint does: the whole input, with
/// Prefect's `RemoveValue` at the top turned into `{}`.
pub fn hydrate(run_input: &Value) -> Hydration {
    match hydrate_value(run_input) {
        Ok(Hydrated::Keep(value)) => Hydration::Value(value),
        Ok(Hydrated::Remove) => Hydration::Value(Value::Object(Map::new())),
        Err(Stop::Error(message)) => Hydration::Error(message),
        Err(Stop::ServerDecides(why)) => Hydration::ServerDecides(why),
        Err(Stop::ServerCrash(why)) => Hydration::ServerCrash(why),
    }
}

fn hydrate_value(value: &Value) -> Result<Hydrated, Stop> {
    match value {
        Value::Object(map) => match map.get("__prefect_kind") {
            Some(kind) => call_handler(kind, map),
            None => {
                let mut out = Map::new();
                for (key, item) in map {
                    if let Hydrated::Keep(item) = hydrate_value(item)? {
                        out.insert(key.clone(), item);
                    }
                }
                Ok(Hydrated::Keep(Value::Object(out)))
            }
        },
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Hydrated::Keep(item) = hydrate_value(item)? {
                    out.push(item);
                }
            }
            Ok(Hydrated::Keep(Value::Array(out)))
        }
        other => Ok(Hydrated::Keep(other.clone())),
    }
}

fn missing_key(key: &str) -> Stop {
    Stop::Error(format!("Missing '{key}' key in __prefect object"))
}

fn call_handler(kind: &Value, obj: &Map<String, Value>) -> Result<Hydrated, Stop> {
    let kind = match kind {
        Value::String(kind) => kind.as_str(),
        // Python looks the kind up in a dict: lists and dicts are unhashable.
        Value::Array(_) | Value::Object(_) => {
            return Err(Stop::ServerCrash(
                "`__prefect_kind` is a list or an object, which the server cannot look up (TypeError: unhashable type)".into(),
            ));
        }
        _ => "",
    };
    match kind {
        "none" => match obj.get("value") {
            Some(value) => hydrate_value(value),
            None => Err(missing_key("value")),
        },
        "json" => json_handler(obj),
        "jinja" => server_side_handler(obj, "template", "a Jinja template the server renders"),
        "workspace_variable" => match obj.get("variable_name") {
            // Without a name the placeholder is dropped from its parent.
            None => Ok(Hydrated::Remove),
            Some(_) => server_side_handler(
                obj,
                "variable_name",
                "a workspace variable only the server can look up",
            ),
        },
        // An unknown kind yields its `value` as is, without hydrating it further.
        _ => Ok(Hydrated::Keep(
            obj.get("value").cloned().unwrap_or(Value::Null),
        )),
    }
}

fn json_handler(obj: &Map<String, Value>) -> Result<Hydrated, Stop> {
    let Some(value) = obj.get("value") else {
        // `{"__prefect_kind": "json"}` without a value is dropped from its parent.
        return Ok(Hydrated::Remove);
    };
    let text = match value {
        Value::Object(_) => match hydrate_value(value)? {
            Hydrated::Remove => return Ok(Hydrated::Remove),
            Hydrated::Keep(Value::String(text)) => text,
            Hydrated::Keep(other) => return Ok(Hydrated::Keep(other)),
        },
        Value::String(text) => text.clone(),
        other => return Ok(Hydrated::Keep(other.clone())),
    };
    match python_json::loads(&text) {
        PyJson::Value(parsed) => Ok(Hydrated::Keep(parsed)),
        PyJson::Error(err) => Err(Stop::Error(format!("Invalid JSON: {}", err.0))),
        PyJson::Unrepresentable(Unrepresentable::NonFiniteNumber) => Err(Stop::ServerDecides(
            "the JSON holds NaN or Infinity, which Python accepts; only the server can tell what it does with them".into(),
        )),
        PyJson::Unrepresentable(Unrepresentable::LoneSurrogate) => Err(Stop::ServerDecides(
            "the JSON holds an unpaired surrogate escape, which Python accepts; only the server can tell what it does with it".into(),
        )),
    }
}

/// `jinja` / `workspace_variable`: a nested placeholder in the key is hydrated first (its
/// errors are decided here); anything else is up to the server.
fn server_side_handler(obj: &Map<String, Value>, key: &str, what: &str) -> Result<Hydrated, Stop> {
    let Some(value) = obj.get(key) else {
        return Err(missing_key(key));
    };
    if value.is_object()
        && let Hydrated::Remove = hydrate_value(value)?
    {
        return Ok(Hydrated::Remove);
    }
    Err(Stop::ServerDecides(format!("the input holds {what}")))
}
