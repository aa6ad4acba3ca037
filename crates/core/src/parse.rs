//! Parsing server JSON into the models, with errors that name the JSON path.

use serde::de::DeserializeOwned;
use serde_json::Value;

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

fn normalize(path: String) -> String {
    if path == "." { String::new() } else { path }
}

/// Parses JSON text into `T`, naming the path of the first value that does not fit.
///
/// The text is read into a [`Value`] first and converted from there, so each model has one
/// deserializer instance in the WebAssembly build rather than two.
pub fn from_str<T: DeserializeOwned>(what: &'static str, json: &str) -> Result<T, ParseError> {
    let value: Value = serde_json::from_str(json).map_err(|err| ParseError {
        what,
        path: String::new(),
        message: err.to_string(),
    })?;
    from_value(what, value)
}

/// Converts an already-parsed JSON value into `T`, naming the path of the first value that
/// does not fit.
pub fn from_value<T: DeserializeOwned>(what: &'static str, value: Value) -> Result<T, ParseError> {
    serde_path_to_error::deserialize(value).map_err(|err| ParseError {
        what,
        path: normalize(err.path().to_string()),
        message: err.into_inner().to_string(),
    })
}
