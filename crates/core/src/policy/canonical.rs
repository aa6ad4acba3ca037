//! One text per JSON value, so that two approvals of the same input compare equal however
//! each client ordered its keys: object keys sorted by their UTF-16 code units (as RFC 8785
//! orders them), no whitespace, strings and numbers as `serde_json` writes them.

use serde_json::Value;

/// The canonical JSON text of `value`.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_and_spacing_do_not_matter_but_values_do() {
        let a: Value =
            serde_json::from_str(r#"{"b": [1, {"y": 2, "x": "é"}], "a": null}"#).expect("json");
        let b: Value = serde_json::from_str(r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#).expect("json");
        assert_eq!(canonical_json(&a), r#"{"a":null,"b":[1,{"x":"é","y":2}]}"#);
        assert_eq!(canonical_json(&a), canonical_json(&b));
        // 1 and 1.0 are different inputs to Prefect's validator and to the flow.
        assert_ne!(
            canonical_json(&json!({"n": 1})),
            canonical_json(&json!({"n": 1.0}))
        );
        // UTF-16 order: "\u{e9}" (é) sorts before "\u{1F600}" and after "z".
        assert_eq!(
            canonical_json(&json!({"😀": 1, "é": 2, "z": 3})),
            r#"{"z":3,"é":2,"😀":1}"#
        );
    }
}
