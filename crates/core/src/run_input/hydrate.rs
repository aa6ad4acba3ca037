//! Hydration: how the server replaces `{"__prefect_kind": …}` placeholders in run input
//! before validating it (Prefect's `schema_tools.hydrate` with `raise_on_error=True`).
//!
//! `json` and `none` are decided here exactly. `jinja` templates and `workspace_variable`
//! lookups need the server's templates and variables, so when the outcome depends on one the
//! answer is [`Hydration::ServerDecides`] — never a guess.

use serde_json::{Map, Value};

use super::python_json::{self, PyJson, Unrepresentable};
use crate::version::ServerRules;

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
    hydrate_on(run_input, ServerRules::BUILT_FOR)
}

/// [`hydrate`] as the server of `rules` does: before Prefect 3.6.24 a `json` placeholder
/// whose value is not text fails (Python's `json.loads` of a dict, number, … raises).
pub fn hydrate_on(run_input: &Value, rules: ServerRules) -> Hydration {
    match hydrate_value(run_input, rules) {
        Ok(Hydrated::Keep(value)) => Hydration::Value(value),
        Ok(Hydrated::Remove) => Hydration::Value(Value::Object(Map::new())),
        Err(Stop::Error(message)) => Hydration::Error(message),
        Err(Stop::ServerDecides(why)) => Hydration::ServerDecides(why),
        Err(Stop::ServerCrash(why)) => Hydration::ServerCrash(why),
    }
}

fn hydrate_value(value: &Value, rules: ServerRules) -> Result<Hydrated, Stop> {
    match value {
        Value::Object(map) => match map.get("__prefect_kind") {
            Some(kind) => call_handler(kind, map, rules),
            None => {
                let mut out = Map::new();
                for (key, item) in map {
                    if let Hydrated::Keep(item) = hydrate_value(item, rules)? {
                        out.insert(key.clone(), item);
                    }
                }
                Ok(Hydrated::Keep(Value::Object(out)))
            }
        },
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Hydrated::Keep(item) = hydrate_value(item, rules)? {
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

fn call_handler(
    kind: &Value,
    obj: &Map<String, Value>,
    rules: ServerRules,
) -> Result<Hydrated, Stop> {
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
            Some(value) => hydrate_value(value, rules),
            None => Err(missing_key("value")),
        },
        "json" => json_handler(obj, rules),
        "jinja" => server_side_handler(
            obj,
            "template",
            "a Jinja template the server renders",
            rules,
        ),
        "workspace_variable" => match obj.get("variable_name") {
            // Without a name the placeholder is dropped from its parent.
            None => Ok(Hydrated::Remove),
            Some(_) => server_side_handler(
                obj,
                "variable_name",
                "a workspace variable only the server can look up",
                rules,
            ),
        },
        // An unknown kind yields its `value` as is, without hydrating it further.
        _ => Ok(Hydrated::Keep(
            obj.get("value").cloned().unwrap_or(Value::Null),
        )),
    }
}

fn json_handler(obj: &Map<String, Value>, rules: ServerRules) -> Result<Hydrated, Stop> {
    let Some(value) = obj.get("value") else {
        // `{"__prefect_kind": "json"}` without a value is dropped from its parent.
        return Ok(Hydrated::Remove);
    };
    // From 3.6.24 a value that is not text is kept as it is; before, `json.loads` raised on it.
    let not_text = |other: Value| {
        if rules.json_placeholder_keeps_non_text {
            Ok(Hydrated::Keep(other))
        } else {
            Err(Stop::Error(format!(
                "Invalid JSON: the JSON object must be str, bytes or bytearray, not {}",
                python_type(&other)
            )))
        }
    };
    let text = match value {
        Value::Object(_) => match hydrate_value(value, rules)? {
            Hydrated::Remove => return Ok(Hydrated::Remove),
            Hydrated::Keep(Value::String(text)) => text,
            Hydrated::Keep(other) => return not_text(other),
        },
        Value::String(text) => text.clone(),
        other => return not_text(other.clone()),
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

/// The name of the Python type a JSON value is read as (what `TypeError`s name).
fn python_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// `jinja` / `workspace_variable`: a nested placeholder in the key is hydrated first (its
/// errors are decided here); anything else is up to the server.
fn server_side_handler(
    obj: &Map<String, Value>,
    key: &str,
    what: &str,
    rules: ServerRules,
) -> Result<Hydrated, Stop> {
    let Some(value) = obj.get(key) else {
        return Err(missing_key(key));
    };
    if value.is_object()
        && let Hydrated::Remove = hydrate_value(value, rules)?
    {
        return Ok(Hydrated::Remove);
    }
    Err(Stop::ServerDecides(format!("the input holds {what}")))
}

#[cfg(test)]
mod tests {
    use super::{Hydration, hydrate_on};
    use crate::version::{PrefectVersion, ServerRules};
    use serde_json::json;

    /// Found by the differential corpus made with each release's validator, and in the
    /// releases' `hydration.py`: 3.6.24 keeps a `json` placeholder's value that is not text.
    #[test]
    fn a_json_placeholder_that_is_not_text_fails_before_3_6_24() {
        let input = json!({"a": {"__prefect_kind": "json", "value": {"k": 1}}, "b": {"__prefect_kind": "json", "value": 0.5}});
        let old = ServerRules::of(Some(PrefectVersion::new(3, 6, 23)));
        assert_eq!(
            hydrate_on(&input, old),
            Hydration::Error(
                "Invalid JSON: the JSON object must be str, bytes or bytearray, not dict".into()
            )
        );
        let number = json!({"__prefect_kind": "json", "value": 0.5});
        assert_eq!(
            hydrate_on(&number, old),
            Hydration::Error(
                "Invalid JSON: the JSON object must be str, bytes or bytearray, not float".into()
            )
        );
        let new = ServerRules::of(Some(PrefectVersion::new(3, 6, 24)));
        assert_eq!(
            hydrate_on(&input, new),
            Hydration::Value(json!({"a": {"k": 1}, "b": 0.5}))
        );
        // Text is parsed on both.
        let text = json!({"__prefect_kind": "json", "value": "[1]"});
        assert_eq!(hydrate_on(&text, old), Hydration::Value(json!([1])));
    }
}
