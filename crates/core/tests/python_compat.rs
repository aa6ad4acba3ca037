//! Python's wording, reproduced: `json.loads` errors (CPython 3.11) and `repr()` of values
//! as jsonschema quotes them. The expected strings were printed by CPython 3.11.7.

use flowgate_core::run_input::python_json::{PyJson, PyJsonError, Unrepresentable, loads};
use flowgate_core::run_input::python_repr::{float_repr, repr, str_repr};
use serde_json::json;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn error(text: &str) -> String {
    match loads(text) {
        PyJson::Error(PyJsonError(message)) => message,
        other => panic!("{text:?} parsed: {other:?}"),
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn json_errors_match_cpython() {
    let cases = [
        (
            "{bad",
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (
            "\"\\uZZZZ\"",
            "Invalid \\uXXXX escape: line 1 column 3 (char 2)",
        ),
        (
            "\"\\u12",
            "Invalid \\uXXXX escape: line 1 column 3 (char 2)",
        ),
        ("[1,]", "Expecting value: line 1 column 4 (char 3)"),
        ("{\"a\":}", "Expecting value: line 1 column 6 (char 5)"),
        (
            "\"abc",
            "Unterminated string starting at: line 1 column 1 (char 0)",
        ),
        ("\"a\\x\"", "Invalid \\escape: line 1 column 3 (char 2)"),
        ("01", "Extra data: line 1 column 2 (char 1)"),
        (
            "\u{feff}1",
            "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)",
        ),
        (
            "{\"a\" 1}",
            "Expecting ':' delimiter: line 1 column 6 (char 5)",
        ),
        ("[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)"),
        ("\n\n  x", "Expecting value: line 3 column 3 (char 4)"),
        ("", "Expecting value: line 1 column 1 (char 0)"),
        (
            "\"tab\there\"",
            "Invalid control character at: line 1 column 5 (char 4)",
        ),
        ("\"é\" x", "Extra data: line 1 column 5 (char 4)"),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), expected, "json.loads({text:?})");
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn json_accepts_what_cpython_accepts() {
    assert_eq!(
        loads(" {\"a\": [1, 2.5e3, true, null, \"\\u00e9\\ud83d\\ude00\"]} "),
        PyJson::Value(json!({"a": [1, 2500.0, true, null, "é😀"]}))
    );
    assert_eq!(
        loads("{\"a\": 1, \"a\": 2}"),
        PyJson::Value(json!({"a": 2}))
    );
    for text in ["NaN", "[Infinity]", "-Infinity", "1e400"] {
        assert_eq!(
            loads(text),
            PyJson::Unrepresentable(Unrepresentable::NonFiniteNumber),
            "{text}"
        );
    }
    assert_eq!(
        loads("\"\\ud800\""),
        PyJson::Unrepresentable(Unrepresentable::LoneSurrogate)
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn repr_matches_python() {
    assert_eq!(
        repr(&json!({"k": [1, 2.5, "x", true, null], "it's": "a\"b"})),
        "{'k': [1, 2.5, 'x', True, None], \"it's\": 'a\"b'}"
    );
    assert_eq!(str_repr("it's \"quoted\""), "'it\\'s \"quoted\"'");
    assert_eq!(
        str_repr("tab\tnew\nline\\ \u{7} é \u{a0}"),
        "'tab\\tnew\\nline\\\\ \\x07 é \\xa0'"
    );
    for (value, expected) in [
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (2.5, "2.5"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (123456789.125, "123456789.125"),
        (1.5e-7, "1.5e-07"),
        (3.0e300, "3e+300"),
        (0.1, "0.1"),
        // Exactly halfway between two 17-digit decimals (…466.25, …734.25): Python rounds
        // the tie to even.
        (-1967840887532466.3, "-1967840887532466.2"),
        (f64::from_bits(4831611634762831090), "1032054231128734.2"),
    ] {
        assert_eq!(float_repr(value), expected, "repr({value})");
    }
}
