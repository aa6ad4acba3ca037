//! The keywords that apply no subschema (Python's `type`, `enum`, `const`, bounds,
//! `multipleOf`, sizes, `uniqueItems`, `pattern`, `format`, `required`,
//! `dependentRequired`): each fails with Python's message.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::super::pattern::{self, Searches};
use super::super::python_repr::{number_repr, repr};
use super::compare::{cmp_num, equal, is_type, not_multiple};
use super::{At, Stop};

/// The message of a keyword that applies no subschema, when it fails (Python's `type`,
/// `enum`, `const`, bounds, `multipleOf`, sizes, `uniqueItems`, `pattern`, `format`,
/// `required`, `dependentRequired`).
pub(super) fn assertion(
    at: &At<'_, '_>,
    regex_format: bool,
    searches: Searches<'_>,
) -> Result<Vec<String>, Stop> {
    let (value, instance) = (at.value, at.instance);
    let inst = || repr(instance);
    let message = match (at.keyword, instance) {
        ("type", _) => {
            let types: Vec<&Value> = match value {
                Value::Array(types) => types.iter().collect(),
                other => vec![other],
            };
            let matches = |ty: &&Value| ty.as_str().is_some_and(|ty| is_type(instance, ty));
            if types.iter().any(matches) {
                return Ok(Vec::new());
            }
            let reprs: Vec<String> = types.iter().map(|ty| repr(ty)).collect();
            format!("{} is not of type {}", inst(), reprs.join(", "))
        }
        ("enum", _) => match value {
            Value::Array(options) if !options.iter().any(|option| equal(option, instance)) => {
                format!("{} is not one of {}", inst(), repr(value))
            }
            _ => return Ok(Vec::new()),
        },
        ("const", _) if !equal(instance, value) => format!("{} was expected", repr(value)),
        ("minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum", Value::Number(n)) => {
            let Value::Number(limit) = value else {
                return Ok(Vec::new());
            };
            let Some(order) = cmp_num(n, limit) else {
                return Ok(Vec::new());
            };
            let (failed, words) = match at.keyword {
                "minimum" => (order == Ordering::Less, "is less than the minimum of"),
                "maximum" => (order == Ordering::Greater, "is greater than the maximum of"),
                "exclusiveMinimum" => (
                    order != Ordering::Greater,
                    "is less than or equal to the minimum of",
                ),
                _ => (
                    order != Ordering::Less,
                    "is greater than or equal to the maximum of",
                ),
            };
            if !failed {
                return Ok(Vec::new());
            }
            format!("{} {words} {}", inst(), number_repr(limit))
        }
        ("multipleOf", Value::Number(n)) => match value {
            Value::Number(divisor) if not_multiple(n, divisor)? => {
                format!("{} is not a multiple of {}", inst(), number_repr(divisor))
            }
            _ => return Ok(Vec::new()),
        },
        ("minItems" | "maxItems", Value::Array(items)) => {
            return Ok(sized(at, items.len(), "is too short", "is too long")
                .into_iter()
                .collect());
        }
        ("minLength" | "maxLength", Value::String(text)) => {
            let size = text.chars().count();
            return Ok(sized(at, size, "is too short", "is too long")
                .into_iter()
                .collect());
        }
        ("minProperties" | "maxProperties", Value::Object(object)) => {
            let says = ("does not have enough properties", "has too many properties");
            return Ok(sized(at, object.len(), says.0, says.1)
                .into_iter()
                .collect());
        }
        ("uniqueItems", Value::Array(items)) if value == &Value::Bool(true) => {
            let duplicate = items
                .iter()
                .enumerate()
                .any(|(i, a)| items[i + 1..].iter().any(|b| equal(a, b)));
            if !duplicate {
                return Ok(Vec::new());
            }
            format!("{} has non-unique elements", inst())
        }
        ("pattern", Value::String(text)) => match value {
            Value::String(regex) if !search(regex, text, searches)? => {
                format!("{} does not match {}", inst(), repr(value))
            }
            _ => return Ok(Vec::new()),
        },
        ("format", Value::String(text)) if regex_format && value.as_str() == Some("regex") => {
            pattern::compiles(text).map_err(|why| Stop::Pattern {
                message: format!("{} cannot be compiled here ({why})", inst()),
                why: crate::Undecided::Pattern {
                    pattern: text.clone(),
                },
            })?;
            return Ok(Vec::new());
        }
        ("required", Value::Object(object)) => {
            let names = value.as_array().map(Vec::as_slice).unwrap_or_default();
            return Ok(names
                .iter()
                .filter(|name| name.as_str().is_some_and(|name| !object.contains_key(name)))
                .map(|name| format!("{} is a required property", repr(name)))
                .collect());
        }
        ("dependentRequired", Value::Object(object)) => {
            let dependencies = value.as_object().into_iter().flatten();
            return Ok(dependencies
                .filter(|(name, _)| object.contains_key(*name))
                .flat_map(|(name, needed)| {
                    needed
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(move |each| (name, each))
                })
                .filter(|(_, each)| each.as_str().is_some_and(|each| !object.contains_key(each)))
                .map(|(name, each)| {
                    format!(
                        "{} is a dependency of {}",
                        repr(each),
                        repr(&Value::String(name.clone()))
                    )
                })
                .collect());
        }
        _ => return Ok(Vec::new()),
    };
    Ok(vec![message])
}

/// The message of a failed `min*`/`max*` size keyword, or `None` when the size fits.
pub(super) fn sized(at: &At<'_, '_>, size: usize, too_few: &str, too_many: &str) -> Option<String> {
    let limit = at.value.as_f64()?;
    let size = size as f64;
    let says = if at.keyword.starts_with("min") {
        if size >= limit {
            return None;
        }
        if limit == 1.0 {
            "should be non-empty"
        } else {
            too_few
        }
    } else {
        if size <= limit {
            return None;
        }
        if limit == 0.0 {
            "is expected to be empty"
        } else {
            too_many
        }
    };
    Some(format!("{} {says}", repr(at.instance)))
}

/// Python's `re.search`, or why it cannot be run here.
pub(super) fn search(regex: &str, text: &str, searches: Searches<'_>) -> Result<bool, Stop> {
    pattern::search(regex, text, searches).map_err(|failure| Stop::Pattern {
        message: format!(
            "{} cannot be run here ({})",
            repr(&Value::String(regex.to_owned())),
            failure.words()
        ),
        why: failure.undecided(regex),
    })
}

/// `find_additional_properties`: keys neither in `properties` nor matching any of the
/// `patternProperties` (Python joins them with `|`), in the instance's order.
pub(super) fn additional_properties<'i>(
    object: &'i Map<String, Value>,
    schema: &Map<String, Value>,
    searches: Searches<'_>,
) -> Result<Vec<&'i str>, Stop> {
    let properties = schema.get("properties").and_then(Value::as_object);
    let patterns = schema
        .get("patternProperties")
        .and_then(Value::as_object)
        .map(|patterns| patterns.keys().cloned().collect::<Vec<_>>().join("|"))
        .unwrap_or_default();
    let mut extras = Vec::new();
    for name in object.keys() {
        if properties.is_some_and(|properties| properties.contains_key(name)) {
            continue;
        }
        if !patterns.is_empty() && search(&patterns, name, searches)? {
            continue;
        }
        extras.push(name.as_str());
    }
    Ok(extras)
}

/// `", ".join(repr(each) for each in values)`.
pub(super) fn join_reprs(values: impl Iterator<Item = Value>) -> String {
    values
        .map(|value| repr(&value))
        .collect::<Vec<_>>()
        .join(", ")
}
