//! What the form draws for a stored run-input schema: a tree of fields read from the JSON
//! Schema that pydantic writes for a `RunInput` (Prefect stores it as written, before its
//! own preprocessing), with `$ref`s to `#/definitions/…` or `#/$defs/…` resolved.
//!
//! Anything the form cannot draw faithfully becomes [`Kind::Json`]: a small JSON editor for
//! that one value, so nothing is ever impossible to enter.

use serde_json::{Map, Value};

/// `$ref` chains deeper than this (a recursive model) are edited as JSON below that depth.
const MAX_DEPTH: usize = 12;

/// One field of the form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// The schema's `title`, if any.
    pub title: Option<String>,
    /// The schema's `description`, if any.
    pub description: Option<String>,
    /// The schema's `default`, if any.
    pub default: Option<Value>,
    /// What is drawn.
    pub kind: Kind,
}

/// The widget a field is drawn with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    /// A text box.
    Text {
        /// `format` (`date-time`, `email`, …), shown as a hint; the server does not check it.
        format: Option<String>,
        /// `pattern`, `minLength`, `maxLength` in words.
        hint: Option<String>,
    },
    /// A number box; what is typed is sent as a number when it is one.
    Number {
        /// `integer` rather than `number`.
        integer: bool,
        /// The bounds in words ("from 1 to 10").
        hint: Option<String>,
    },
    /// A checkbox.
    Boolean,
    /// A select of fixed values (`enum`, `Literal`, `const`).
    Choice(Vec<Value>),
    /// `anyOf [X, null]`: X, or nothing.
    Nullable(Box<Field>),
    /// Named properties.
    Object(Vec<Property>),
    /// `additionalProperties` only: key/value rows.
    Dict(Box<Field>),
    /// `items`: a list to add to and remove from.
    List {
        /// Each item.
        item: Box<Field>,
        /// `minItems`.
        min: Option<usize>,
        /// `maxItems`.
        max: Option<usize>,
    },
    /// `prefixItems`: a fixed number of positions.
    Tuple(Vec<Field>),
    /// Edited as JSON, and why.
    Json(String),
}

/// A named property of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Property {
    /// The key in the input.
    pub name: String,
    /// Listed in `required`.
    pub required: bool,
    /// Its field.
    pub field: Field,
}

impl Field {
    /// The field for the whole schema (its root).
    pub(crate) fn for_schema(root: &Value) -> Field {
        read(root, root, 0)
    }

    /// The label: the title, else the name as pydantic would title it (`canary_share` →
    /// `Canary Share`).
    pub(crate) fn label(&self, name: &str) -> String {
        self.title.clone().unwrap_or_else(|| {
            name.split('_')
                .filter(|word| !word.is_empty())
                .map(|word| {
                    let mut chars = word.chars();
                    chars
                        .next()
                        .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    /// The value a new, untouched field starts with: its default, else for objects the
    /// object of their own defaults, for tuples one starting value per position; `None`
    /// when nothing is typed yet.
    pub(crate) fn initial(&self) -> Option<Value> {
        if let Some(default) = &self.default {
            return Some(default.clone());
        }
        match &self.kind {
            Kind::Object(properties) => {
                let mut map = Map::new();
                for property in properties {
                    if (property.field.default.is_some() || property.required)
                        && let Some(value) = property.field.initial()
                    {
                        map.insert(property.name.clone(), value);
                    }
                }
                Some(Value::Object(map))
            }
            Kind::Dict(_) => Some(Value::Object(Map::new())),
            Kind::List { .. } => Some(Value::Array(Vec::new())),
            Kind::Tuple(items) => Some(Value::Array(
                items
                    .iter()
                    .map(|item| item.initial().unwrap_or_else(|| item.blank()))
                    .collect(),
            )),
            Kind::Nullable(_) => Some(Value::Null),
            _ => None,
        }
    }

    /// What a position that cannot be left out (a list item, a tuple slot) holds before
    /// anything is typed.
    pub(crate) fn blank(&self) -> Value {
        if let Some(value) = self.initial() {
            return value;
        }
        match &self.kind {
            Kind::Text { .. } => Value::String(String::new()),
            Kind::Boolean => Value::Bool(false),
            Kind::Choice(options) => options.first().cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }
}

fn read(schema: &Value, root: &Value, depth: usize) -> Field {
    let Some(map) = schema.as_object() else {
        return Field {
            title: None,
            description: None,
            default: None,
            kind: Kind::Json("any JSON value".into()),
        };
    };
    let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut field = Field {
        title: text("title"),
        description: text("description"),
        default: map.get("default").cloned(),
        kind: Kind::Json(String::new()),
    };
    if depth > MAX_DEPTH {
        field.kind = Kind::Json("nested too deeply to draw".into());
        return field;
    }
    // A reference (pydantic writes annotations beside it, or wraps it in a one-item allOf).
    let target = match (map.get("$ref"), map.get("allOf")) {
        (Some(Value::String(reference)), _) => Some(resolve(reference, root)),
        (None, Some(Value::Array(all))) if all.len() == 1 => Some(Some(&all[0])),
        _ => None,
    };
    if let Some(target) = target {
        let Some(target) = target else {
            field.kind = Kind::Json("its $ref cannot be resolved".into());
            return field;
        };
        let inner = read(target, root, depth + 1);
        return Field {
            title: field.title.or(inner.title),
            description: field.description.or(inner.description),
            default: field.default.or(inner.default),
            kind: inner.kind,
        };
    }
    field.kind = kind_of(map, root, depth);
    field
}

fn resolve<'a>(reference: &str, root: &'a Value) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

fn kind_of(map: &Map<String, Value>, root: &Value, depth: usize) -> Kind {
    if let Some(Value::Array(options)) = map.get("enum") {
        return Kind::Choice(options.clone());
    }
    if let Some(value) = map.get("const") {
        return Kind::Choice(vec![value.clone()]);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = map.get(key) {
            return alternatives(branches, root, depth);
        }
    }
    match map.get("type") {
        Some(Value::String(name)) => typed(name, map, root, depth),
        Some(Value::Array(names)) => {
            let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
            let others: Vec<&str> = names.iter().copied().filter(|n| *n != "null").collect();
            match others.as_slice() {
                [one] if names.len() == 2 => Kind::Nullable(Box::new(Field {
                    title: None,
                    description: None,
                    default: None,
                    kind: typed(one, map, root, depth),
                })),
                [one] => typed(one, map, root, depth),
                _ => Kind::Json(format!("one of the types {}", names.join(", "))),
            }
        }
        _ if map.contains_key("properties") => typed("object", map, root, depth),
        _ if map.contains_key("items") || map.contains_key("prefixItems") => {
            typed("array", map, root, depth)
        }
        _ => Kind::Json("any JSON value".into()),
    }
}

fn alternatives(branches: &[Value], root: &Value, depth: usize) -> Kind {
    let is_null = |b: &Value| b.get("type").and_then(Value::as_str) == Some("null");
    let others: Vec<&Value> = branches.iter().filter(|b| !is_null(b)).collect();
    let nullable = others.len() < branches.len();
    match others.as_slice() {
        [] => Kind::Choice(vec![Value::Null]),
        [one] => {
            let inner = read(one, root, depth + 1);
            if nullable {
                Kind::Nullable(Box::new(inner))
            } else {
                inner.kind
            }
        }
        many => {
            // Literal unions: every branch a fixed value.
            let mut options = Vec::new();
            for branch in many {
                match read(branch, root, depth + 1).kind {
                    Kind::Choice(values) => options.extend(values),
                    _ => return Kind::Json("one of several shapes".into()),
                }
            }
            if nullable {
                options.push(Value::Null);
            }
            Kind::Choice(options)
        }
    }
}

fn typed(name: &str, map: &Map<String, Value>, root: &Value, depth: usize) -> Kind {
    match name {
        "string" => Kind::Text {
            format: map.get("format").and_then(Value::as_str).map(str::to_owned),
            hint: text_hint(map),
        },
        "integer" | "number" => Kind::Number {
            integer: name == "integer",
            hint: bounds_hint(map),
        },
        "boolean" => Kind::Boolean,
        "null" => Kind::Choice(vec![Value::Null]),
        "object" => object(map, root, depth),
        "array" => array(map, root, depth),
        other => Kind::Json(format!("the type {other:?}")),
    }
}

fn object(map: &Map<String, Value>, root: &Value, depth: usize) -> Kind {
    let required: Vec<&str> = map
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    match (map.get("properties"), map.get("additionalProperties")) {
        (Some(Value::Object(properties)), _) if !properties.is_empty() => Kind::Object(
            properties
                .iter()
                .map(|(name, schema)| Property {
                    name: name.clone(),
                    required: required.contains(&name.as_str()),
                    field: read(schema, root, depth + 1),
                })
                .collect(),
        ),
        (_, Some(values @ Value::Object(_))) => Kind::Dict(Box::new(read(values, root, depth + 1))),
        _ => Kind::Json("an object of any keys".into()),
    }
}

fn array(map: &Map<String, Value>, root: &Value, depth: usize) -> Kind {
    let count = |key: &str| {
        map.get(key)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    match (map.get("prefixItems"), map.get("items")) {
        (Some(Value::Array(positions)), None | Some(Value::Bool(false))) => Kind::Tuple(
            positions
                .iter()
                .map(|schema| read(schema, root, depth + 1))
                .collect(),
        ),
        (None, Some(item @ Value::Object(_))) => Kind::List {
            item: Box::new(read(item, root, depth + 1)),
            min: count("minItems"),
            max: count("maxItems"),
        },
        _ => Kind::Json("a list of any values".into()),
    }
}

fn text_hint(map: &Map<String, Value>) -> Option<String> {
    let mut parts = Vec::new();
    let count = |key: &str| map.get(key).and_then(Value::as_u64);
    match (count("minLength"), count("maxLength")) {
        (Some(min), Some(max)) => parts.push(format!("{min} to {max} characters")),
        (Some(min), None) => parts.push(format!("at least {min} characters")),
        (None, Some(max)) => parts.push(format!("at most {max} characters")),
        (None, None) => {}
    }
    if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
        parts.push(format!("matching {pattern}"));
    }
    if let Some(format) = map.get("format").and_then(Value::as_str) {
        parts.push(format!("format {format} (not checked by the server)"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn bounds_hint(map: &Map<String, Value>) -> Option<String> {
    let bound = |key: &str| map.get(key).filter(|v| v.is_number()).map(Value::to_string);
    let low = bound("minimum")
        .map(|v| format!("≥ {v}"))
        .or_else(|| bound("exclusiveMinimum").map(|v| format!("> {v}")));
    let high = bound("maximum")
        .map(|v| format!("≤ {v}"))
        .or_else(|| bound("exclusiveMaximum").map(|v| format!("< {v}")));
    let multiple = bound("multipleOf").map(|v| format!("a multiple of {v}"));
    let parts: Vec<String> = [low, high, multiple].into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::{Field, Kind};
    use serde_json::json;

    /// What pydantic 2 writes for a RunInput with every feature the form draws (as Prefect's
    /// `create_v2_schema` stores it, references under `definitions`).
    fn release_schema() -> serde_json::Value {
        json!({
            "title": "Release", "type": "object", "additionalProperties": false,
            "definitions": {
                "Window": {"title": "Window", "type": "object", "required": ["start"],
                    "properties": {
                        "start": {"title": "Start", "type": "string", "format": "date-time"},
                        "hours": {"title": "Hours", "type": "integer", "default": 2, "minimum": 1, "maximum": 12}}}
            },
            "required": ["approver", "window"],
            "properties": {
                "approver": {"title": "Approver", "description": "Who signs off", "type": "string", "minLength": 2},
                "replicas": {"title": "Replicas", "type": "integer", "default": 3, "minimum": 1, "maximum": 50},
                "share": {"title": "Share", "type": "number", "default": 0.1, "exclusiveMinimum": 0},
                "notify": {"title": "Notify", "type": "boolean", "default": true},
                "channel": {"title": "Channel", "enum": ["stable", "beta"], "type": "string", "default": "stable"},
                "ticket": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "title": "Ticket"},
                "window": {"$ref": "#/definitions/Window", "description": "When"},
                "fallback": {"anyOf": [{"$ref": "#/definitions/Window"}, {"type": "null"}], "default": null},
                "regions": {"title": "Regions", "type": "array", "items": {"type": "string"}, "default": ["eu"]},
                "version": {"title": "Version", "type": "array", "minItems": 3, "maxItems": 3,
                    "prefixItems": [{"type": "integer"}, {"type": "integer"}, {"type": "integer"}]},
                "limits": {"title": "Limits", "type": "object", "additionalProperties": {"type": "integer"}, "default": {}},
                "level": {"anyOf": [{"const": "low"}, {"const": "high"}], "title": "Level"},
                "extra": {"title": "Extra"}
            }
        })
    }

    fn property<'a>(root: &'a Field, name: &str) -> &'a Field {
        let Kind::Object(properties) = &root.kind else {
            panic!("the root is not an object: {root:?}")
        };
        &properties
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no property {name}"))
            .field
    }

    #[test]
    fn every_pydantic_shape_gets_its_widget() {
        let root = Field::for_schema(&release_schema());
        assert!(matches!(&property(&root, "approver").kind,
            Kind::Text { hint: Some(hint), .. } if hint == "at least 2 characters"));
        assert_eq!(
            property(&root, "replicas").kind,
            Kind::Number {
                integer: true,
                hint: Some("≥ 1, ≤ 50".into())
            }
        );
        assert_eq!(
            property(&root, "share").kind,
            Kind::Number {
                integer: false,
                hint: Some("> 0".into())
            }
        );
        assert_eq!(property(&root, "notify").kind, Kind::Boolean);
        assert_eq!(
            property(&root, "channel").kind,
            Kind::Choice(vec![json!("stable"), json!("beta")])
        );
        assert!(matches!(&property(&root, "ticket").kind,
            Kind::Nullable(inner) if matches!(inner.kind, Kind::Text { .. })));
        let window = property(&root, "window");
        assert_eq!(window.description.as_deref(), Some("When"));
        assert_eq!(window.title.as_deref(), Some("Window"));
        assert!(
            matches!(&window.kind, Kind::Object(p) if p.len() == 2 && p[0].required && !p[1].required)
        );
        assert!(matches!(&property(&root, "fallback").kind,
            Kind::Nullable(inner) if matches!(inner.kind, Kind::Object(_))));
        assert!(matches!(&property(&root, "regions").kind,
            Kind::List { item, min: None, max: None } if matches!(item.kind, Kind::Text { .. })));
        assert!(matches!(&property(&root, "version").kind, Kind::Tuple(items) if items.len() == 3));
        assert!(matches!(&property(&root, "limits").kind,
            Kind::Dict(values) if matches!(values.kind, Kind::Number { integer: true, .. })));
        assert_eq!(
            property(&root, "level").kind,
            Kind::Choice(vec![json!("low"), json!("high")])
        );
        assert!(matches!(property(&root, "extra").kind, Kind::Json(_)));
    }

    #[test]
    fn a_new_form_starts_from_the_defaults() {
        let root = Field::for_schema(&release_schema());
        assert_eq!(
            root.initial(),
            Some(json!({
                "replicas": 3, "share": 0.1, "notify": true, "channel": "stable", "ticket": null,
                "window": {"hours": 2}, "fallback": null, "regions": ["eu"], "limits": {}
            }))
        );
        assert_eq!(
            property(&root, "version").blank(),
            json!([null, null, null])
        );
    }

    #[test]
    fn recursive_and_broken_references_fall_back_to_json() {
        let looped = json!({"$defs": {"Node": {"type": "object",
            "properties": {"next": {"$ref": "#/$defs/Node"}}}},
            "type": "object", "properties": {"head": {"$ref": "#/$defs/Node"}, "lost": {"$ref": "#/$defs/Gone"}}});
        let root = Field::for_schema(&looped);
        let mut field = property(&root, "head");
        let mut depth = 0;
        while let Kind::Object(_) = field.kind {
            field = property(field, "next");
            depth += 1;
        }
        assert!(
            matches!(&field.kind, Kind::Json(why) if why.contains("deeply")),
            "{field:?}"
        );
        assert!(depth > 3);
        assert!(matches!(&property(&root, "lost").kind, Kind::Json(why) if why.contains("$ref")));
    }
}
