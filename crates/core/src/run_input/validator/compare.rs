//! How Python `jsonschema` types and compares JSON values: `type`'s names, numbers
//! compared exactly across integers and floats, `multipleOf`, and `equal`.

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use super::Stop;

/// Python's `error._matches_type()`: the instance has (one of) the schema's declared types.
pub(super) fn matches_type(schema: &Map<String, Value>, instance: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(ty)) => is_type(instance, ty),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .any(|ty| is_type(instance, ty)),
        _ => false,
    }
}

/// Draft 2020-12's type checker (a float with no fraction is an integer; booleans are not
/// numbers).
pub(super) fn is_type(instance: &Value, ty: &str) -> bool {
    match ty {
        "null" => instance.is_null(),
        "boolean" => instance.is_boolean(),
        "string" => instance.is_string(),
        "array" => instance.is_array(),
        "object" => instance.is_object(),
        "number" => instance.is_number(),
        "integer" => match instance {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        _ => false,
    }
}

/// A JSON number as Python holds it.
#[derive(Clone, Copy)]
pub(super) enum Num {
    Int(i128),
    Float(f64),
}

pub(super) fn num(n: &Number) -> Num {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => Num::Int(i.into()),
        (None, Some(u)) => Num::Int(u.into()),
        _ => Num::Float(n.as_f64().unwrap_or(f64::NAN)),
    }
}

/// Python's exact comparison of ints and floats.
pub(super) fn cmp_num(a: &Number, b: &Number) -> Option<Ordering> {
    pub(super) fn int_float(i: i128, f: f64) -> Option<Ordering> {
        if f.is_nan() {
            return None;
        }
        if f >= 2f64.powi(126) {
            return Some(Ordering::Less);
        }
        if f < -(2f64.powi(126)) {
            return Some(Ordering::Greater);
        }
        let floor = f.floor();
        Some(match i.cmp(&(floor as i128)) {
            Ordering::Equal if f > floor => Ordering::Less,
            order => order,
        })
    }
    match (num(a), num(b)) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        (Num::Int(x), Num::Float(y)) => int_float(x, y),
        (Num::Float(x), Num::Int(y)) => int_float(y, x).map(Ordering::reverse),
    }
}

/// Python's `multipleOf` test: float division when the divisor is a float, else `%`.
pub(super) fn not_multiple(n: &Number, divisor: &Number) -> Result<bool, Stop> {
    Ok(match (num(n), num(divisor)) {
        (Num::Int(x), Num::Int(d)) if d != 0 => x % d != 0,
        (Num::Float(x), Num::Int(d)) if d != 0 => x % d as f64 != 0.0,
        (_, Num::Int(_)) => return Err(Stop::Crash("multipleOf is 0".into())),
        (x, Num::Float(d)) => {
            let x = match x {
                Num::Int(i) => i as f64,
                Num::Float(f) => f,
            };
            let quotient = x / d;
            if quotient.is_nan() {
                return Err(Stop::Crash("multipleOf divides to NaN".into()));
            }
            if quotient.is_infinite() {
                x % d != 0.0
            } else {
                quotient.trunc() != quotient
            }
        }
    })
}

/// Python `jsonschema`'s `equal`: `1 == 1.0`, but `True != 1`; strings, lists and dicts by
/// content.
pub(super) fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(key, x)| y.get(key).is_some_and(|y| equal(x, y)))
        }
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => cmp_num(x, y) == Some(Ordering::Equal),
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}
