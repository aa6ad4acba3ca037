//! Prefect's preprocessing of a stored run-input schema before it validates against it
//! (`schema_tools.validation.preprocess_schema`), including where Python would crash.
//!
//! - a property that is not required, has a `type` other than `"null"` and no `default`
//!   becomes `anyOf: [{type: T}, {type: "null"}]`;
//! - a list-form `items` becomes `prefixItems`;
//! - the same inside nested `properties` and inside `definitions` (not `$defs`);
//! - a definition with a `block_type_slug` may also be referenced by block id.
//!
//! Python applies these steps to whatever JSON was stored; where a step meets a value of
//! the wrong kind it raises, and the server answers HTTP 500. [`preprocess`] reports those
//! cases as [`SchemaCrash`] instead of guessing.

use serde_json::{Map, Value, json};

/// The server would fail with HTTP 500 while preparing this schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemaCrash(pub(crate) String);

/// Applies Prefect's preprocessing to a stored schema.
pub(crate) fn preprocess(schema: &Value) -> Result<Value, SchemaCrash> {
    let mut schema = schema.clone();
    let Value::Object(root) = &mut schema else {
        // Python: `"properties" in schema` raises on numbers, booleans and null, and
        // `check_schema` rejects strings and lists; either way the server answers 500.
        return Err(SchemaCrash(format!(
            "the stored schema is {}, not an object",
            kind_of(&schema)
        )));
    };
    process_own_properties(root)?;
    if let Some(definitions) = root.get_mut("definitions") {
        let Value::Object(definitions) = definitions else {
            return Err(SchemaCrash("`definitions` is not an object".into()));
        };
        let mut block_types = Vec::new();
        for definition in definitions.values_mut() {
            if contains(definition, "properties", "a definition")? {
                let Value::Object(def) = definition else {
                    return Err(SchemaCrash("a definition is not an object".into()));
                };
                process_own_properties(def)?;
            }
            if contains(definition, "block_type_slug", "a definition")? {
                let title = match definition.get("title") {
                    Some(Value::String(title)) => title.clone(),
                    Some(other) => other.to_string(),
                    None => {
                        return Err(SchemaCrash(
                            "a block definition has no `title` (KeyError)".into(),
                        ));
                    }
                };
                block_types.push((title, definition.clone()));
            }
        }
        for (title, definition) in block_types {
            definitions.insert(title, block_reference_schema(definition));
        }
    }
    Ok(schema)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Python's `key in container`: membership for objects and lists, substring for strings,
/// a `TypeError` (500) for anything else.
fn contains(container: &Value, key: &str, what: &str) -> Result<bool, SchemaCrash> {
    match container {
        Value::Object(map) => Ok(map.contains_key(key)),
        Value::Array(items) => Ok(items.iter().any(|item| item.as_str() == Some(key))),
        Value::String(text) => Ok(text.contains(key)),
        other => Err(SchemaCrash(format!(
            "{what} is {}, where Prefect expects an object",
            kind_of(other)
        ))),
    }
}

/// `process_properties(schema["properties"], schema.get("required", []))` when the schema
/// has properties.
fn process_own_properties(schema: &mut Map<String, Value>) -> Result<(), SchemaCrash> {
    let required = schema.get("required").cloned().unwrap_or_else(|| json!([]));
    match schema.get_mut("properties") {
        Some(properties) => process_properties(properties, &required),
        None => Ok(()),
    }
}

fn process_properties(properties: &mut Value, required: &Value) -> Result<(), SchemaCrash> {
    let Value::Object(properties) = properties else {
        return Err(SchemaCrash("`properties` is not an object".into()));
    };
    for (key, schema) in properties.iter_mut() {
        fix_null_typing(key, schema, required)?;
        let Value::Object(sub) = schema else {
            return Err(SchemaCrash(format!(
                "property {key:?} has a schema that is {}, not an object",
                kind_of(schema)
            )));
        };
        fix_tuple_items(sub);
        process_own_properties(sub)?;
    }
    Ok(())
}

fn fix_null_typing(key: &str, schema: &mut Value, required: &Value) -> Result<(), SchemaCrash> {
    if contains(required, key, "`required`")? {
        return Ok(());
    }
    if !contains(schema, "type", &format!("property {key:?}"))? {
        return Ok(());
    }
    let Value::Object(sub) = schema else {
        return Err(SchemaCrash(format!(
            "property {key:?} has a schema that is not an object"
        )));
    };
    let Some(ty) = sub.get("type").cloned() else {
        return Ok(());
    };
    if ty == Value::String("null".into()) || sub.contains_key("default") {
        return Ok(());
    }
    sub.insert("anyOf".into(), json!([{ "type": ty }, { "type": "null" }]));
    sub.shift_remove("type");
    Ok(())
}

fn fix_tuple_items(schema: &mut Map<String, Value>) {
    let list_items = matches!(schema.get("items"), Some(Value::Array(items)) if !items.is_empty());
    let has_prefix = schema.get("prefixItems").is_some_and(truthy);
    if list_items
        && !has_prefix
        && let Some(items) = schema.shift_remove("items")
    {
        schema.insert("prefixItems".into(), items);
    }
}

/// Python truthiness of a JSON value.
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

fn block_reference_schema(definition: Value) -> Value {
    json!({
        "oneOf": [
            definition,
            {
                "type": "object",
                "properties": {
                    "$ref": {
                        "oneOf": [
                            { "type": "string", "format": "uuid" },
                            {
                                "type": "object",
                                "additionalProperties": { "type": "string" },
                                "minProperties": 1
                            }
                        ]
                    }
                },
                "required": ["$ref"]
            }
        ]
    })
}
