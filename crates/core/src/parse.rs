//! Parsing server JSON into the models, with errors that name the JSON path.
//!
//! serde_json reads the text straight into the model. When a value does not fit, its error
//! says where in the text serde_json was — just after the value, or at the start of a value of
//! the wrong kind — and [`path_at`] walks the text up to there to name that value's path. The
//! path costs no code per model: tracking it while decoding (serde_path_to_error's wrappers
//! around each model's decoder) was ~16 KB gzipped of the console's run page and ~33 KB of
//! the npm package. A value checked after it was read (a custom `Deserialize` that reads a
//! map and then looks inside) is placed where serde_json stood when the check failed: the end
//! of that value, or of the object around it when it was that object's last entry. The
//! models' own checks happen while the value is read (timestamps, principals), which places
//! them exactly.

use std::fmt::Write as _;

use serde::Deserializer;
use serde::de::{DeserializeOwned, Visitor};
use serde_json::Value;
use serde_json::error::Category;

/// A document that does not fit the model: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{what} does not fit at {}: {message}", display_path(.path))]
pub struct ParseError {
    /// What was being read, e.g. "flow run".
    pub what: &'static str,
    /// The JSON path of the offending value (`state.state_details.pause_timeout`,
    /// `results[3].id`); empty for the document itself.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

fn display_path(path: &str) -> String {
    if path.is_empty() {
        "the top level".into()
    } else {
        format!("`{path}`")
    }
}

/// Parses JSON text into `T`, naming the path of the first value that does not fit.
pub fn from_str<T: DeserializeOwned>(what: &'static str, json: &str) -> Result<T, ParseError> {
    serde_json::from_str(json).map_err(|err| {
        let (path, message) = match err.classify() {
            Category::Data if err.line() > 0 => {
                let at = offset_of(json, err.line(), err.column());
                let message = err.to_string();
                let place = format!(" at line {} column {}", err.line(), err.column());
                let message = message.strip_suffix(&place).unwrap_or(&message).to_owned();
                (path_at(json, at), message)
            }
            // Text that is no JSON says where it broke, by line and column, as before.
            _ => (String::new(), err.to_string()),
        };
        ParseError {
            what,
            path,
            message,
        }
    })
}

/// Converts an already-parsed JSON value into `T`, naming the path of the first value that
/// does not fit. The value is written out and read as text, so that each model has one
/// decoder in the WebAssembly build (and the error its place in the text).
pub fn from_value<T: DeserializeOwned>(what: &'static str, value: Value) -> Result<T, ParseError> {
    from_str(what, &value.to_string())
}

/// Deserializes a value written as text by parsing the string in the visit of it, so that an
/// error is placed at the string itself (see the module's comment): for a `Deserialize` of a
/// type read from text (timestamps, principals).
pub(crate) fn parsed_str<'de, D: Deserializer<'de>, T>(
    d: D,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    struct Parsed<T>(fn(&str) -> Result<T, String>);

    impl<T> Visitor<'_> for Parsed<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
            (self.0)(text).map_err(E::custom)
        }
    }

    d.deserialize_str(Parsed(parse))
}

/// The byte offset of serde_json's line and column (1-based line; the column counts the bytes
/// since the line's start, so it is the offset of the byte after the one it points at).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start = match line {
        0 | 1 => 0,
        _ => text
            .match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(at, _)| at + 1),
    };
    (start + column).min(text.len())
}

/// Where the walk through the text stands in one open object or array.
enum Frame {
    /// An object, the key of its entry being read (an unknown key is placed at itself), and
    /// whether that entry's value has begun (a string then is no key).
    Object { key: Option<String>, colon: bool },
    /// An array, and the index of its element being read.
    Array { index: usize },
}

/// The path of the value at byte `end` of `text`: the value that ends there (a scalar, or an
/// object or array just closed) or begins there, inside the objects and arrays still open.
/// serde_json stands after a value it read that does not fit, after the `}` of an object
/// missing a field, and at the start of an object or array where it wanted another kind.
/// Written as serde_path_to_error wrote it: `state.timestamp`, `tags[1]`, `results[3].id`;
/// empty for the document itself.
fn path_at(text: &str, end: usize) -> String {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut at = 0;
    while at < end {
        match bytes[at] {
            b'{' => {
                stack.push(Frame::Object {
                    key: None,
                    colon: false,
                });
            }
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { key, colon }) => {
                    *key = None;
                    *colon = false;
                }
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { colon, .. }) = stack.last_mut() {
                    *colon = true;
                }
            }
            b'"' => {
                let close = string_end(bytes, at);
                if let Some(Frame::Object { key, colon: false }) = stack.last_mut() {
                    // Valid JSON up to the place (serde_json read it): the key decodes.
                    let quoted = text.get(at..close).unwrap_or_default();
                    *key = Some(serde_json::from_str(quoted).unwrap_or_default());
                }
                at = close;
                continue;
            }
            // Whitespace, and a number, `true`, `false` or `null`: they hold no structure.
            _ => {}
        }
        at += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object { key: Some(key), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Array { index } => {
                let _ = write!(path, "[{index}]");
            }
            _ => break,
        }
    }
    path
}

/// The offset just after the string that opens at `open` (its closing quote), or the end.
fn string_end(bytes: &[u8], open: usize) -> usize {
    let mut at = open + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_named_from_the_place_in_the_text() {
        let doc = r#"{"a": {"b": [1, {"c": true}], "d\"e": "x"}, "f": [[], [2, 3]]}"#;
        let path = |needle: &str, after: bool| {
            let at = doc.find(needle).expect("in the document");
            path_at(doc, if after { at + needle.len() } else { at })
        };
        assert_eq!(path("true", true), "a.b[1].c");
        assert_eq!(path("{\"c\"", false), "a.b[1]");
        assert_eq!(path("true}", true), "a.b[1]");
        assert_eq!(path("1,", false), "a.b[0]");
        assert_eq!(path("\"x\"", true), "a.d\"e");
        assert_eq!(path("[]", true), "f[0]");
        assert_eq!(path("3", true), "f[1][1]");
        assert_eq!(path("3]", true), "f[1]");
        assert_eq!(path("3]]", true), "f");
        assert_eq!(path_at(doc, doc.len()), "");
        assert_eq!(path_at(doc, 0), "");
    }

    #[test]
    fn lines_and_columns_are_byte_offsets() {
        let text = "{\n  \"a\": 1,\n  \"b\": x\n}";
        assert_eq!(offset_of(text, 1, 1), 1);
        assert_eq!(&text[offset_of(text, 3, 2)..][..3], "\"b\"");
        assert_eq!(offset_of(text, 9, 9), text.len());
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        n: u32,
        tags: Vec<String>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        inner: Inner,
        list: Vec<Inner>,
        last: Option<u8>,
    }

    #[test]
    fn errors_name_the_value_that_does_not_fit() {
        let fails = |text: &str| from_str::<Outer>("outer", text).expect_err("must not fit");
        let ok_inner = r#"{"n": 1, "tags": []}"#;
        let err = fails(r#"{"inner": {"n": "one", "tags": []}, "list": [], "last": null}"#);
        assert_eq!(
            (err.path.as_str(), err.message.as_str()),
            ("inner.n", "invalid type: string \"one\", expected u32")
        );
        let err = fails(&format!(
            r#"{{"inner": {ok_inner}, "list": [{ok_inner}, {{"n": 2, "tags": ["a", 7]}}], "last": 1}}"#
        ));
        assert_eq!(err.path, "list[1].tags[1]");
        let err = fails(&format!(
            r#"{{"inner": {ok_inner}, "list": [{ok_inner}, {{"tags": []}}], "last": 1}}"#
        ));
        assert_eq!(
            (err.path.as_str(), err.message.as_str()),
            ("list[1]", "missing field `n`")
        );
        let err = fails(r#"{"inner": [], "list": [], "last": 1}"#);
        assert_eq!(err.path, "inner");
        let err = fails(&format!(
            r#"{{"inner": {ok_inner}, "list": [], "last": 300}}"#
        ));
        assert_eq!(err.path, "last");
        let err = fails(&format!(r#"{{"inner": {ok_inner}, "last": 1}}"#));
        assert_eq!(
            (err.path.as_str(), err.to_string().as_str()),
            (
                "",
                "outer does not fit at the top level: missing field `list`"
            )
        );
        let err =
            fails("{\n  \"inner\": {\"n\": 1,\n  \"tags\": {}},\n  \"list\": [], \"last\": 1}");
        assert_eq!(err.path, "inner.tags");
        let err = fails(r#"{"inner": "#);
        assert_eq!(
            (err.path.as_str(), err.message.as_str()),
            ("", "EOF while parsing a value at line 1 column 10")
        );
        let err = from_value::<Outer>(
            "outer",
            serde_json::json!({"inner": {"n": 1, "tags": [null]}, "list": [], "last": 1}),
        )
        .expect_err("null is no string");
        assert_eq!(err.path, "inner.tags[0]");
    }
}
