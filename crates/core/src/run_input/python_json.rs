//! CPython's `json.loads`, reproduced: what it accepts and the exact message it raises.
//!
//! Hydrating a `{"__prefect_kind": "json"}` placeholder runs Python's `json.loads` on the
//! server, and a failure becomes the REJECT reason `Error hydrating run input: Invalid JSON:
//! <message>`. Python accepts more than RFC 8259 (`NaN`, `Infinity`, lone surrogates) and
//! words its errors its own way, with positions counted in code points. This follows the C
//! scanner of CPython 3.11 (`Modules/_json.c`), the interpreter the tested server runs.

use serde_json::{Map, Number, Value};

/// Why Python's `json.loads` refused the text: the message exactly as `str(JSONDecodeError)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyJsonError(pub String);

/// What Python parsed that a JSON value here cannot hold faithfully.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unrepresentable {
    /// `NaN`, `Infinity`, `-Infinity` or a float that overflows to infinity.
    NonFiniteNumber,
    /// A `\ud800`-style escape with no partner; Python keeps it, Rust strings cannot.
    LoneSurrogate,
}

/// The outcome of `json.loads(text)`.
#[derive(Debug, Clone, PartialEq)]
pub enum PyJson {
    /// Python parsed this value.
    Value(Value),
    /// Python parsed it, but into something only the server can judge further.
    Unrepresentable(Unrepresentable),
    /// Python raised `JSONDecodeError`.
    Error(PyJsonError),
}

/// Runs Python's `json.loads` on `text`.
pub fn loads(text: &str) -> PyJson {
    let chars: Vec<char> = text.chars().collect();
    let mut scanner = Scanner {
        s: &chars,
        unrepresentable: None,
    };
    if chars.first() == Some(&'\u{feff}') {
        return PyJson::Error(scanner.error("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0));
    }
    let start = scanner.skip_ws(0);
    let result = match scanner.scan_once(start) {
        Ok((value, end)) => {
            let end = scanner.skip_ws(end);
            if end != chars.len() {
                Err(scanner.error("Extra data", end))
            } else {
                Ok(value)
            }
        }
        Err(Fail::StopIteration(pos)) => Err(scanner.error("Expecting value", pos)),
        Err(Fail::Raised(err)) => Err(err),
    };
    match result {
        Err(err) => PyJson::Error(err),
        Ok(_) if scanner.unrepresentable.is_some() => PyJson::Unrepresentable(
            scanner
                .unrepresentable
                .unwrap_or(Unrepresentable::NonFiniteNumber),
        ),
        Ok(value) => PyJson::Value(value),
    }
}

enum Fail {
    /// The scanner found no value at this position (Python's `StopIteration(idx)`).
    StopIteration(usize),
    /// A `JSONDecodeError` raised deeper down.
    Raised(PyJsonError),
}

struct Scanner<'a> {
    s: &'a [char],
    unrepresentable: Option<Unrepresentable>,
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

impl Scanner<'_> {
    fn at(&self, idx: usize) -> Option<char> {
        self.s.get(idx).copied()
    }

    fn skip_ws(&self, mut idx: usize) -> usize {
        while self.at(idx).is_some_and(is_ws) {
            idx += 1;
        }
        idx
    }

    /// `JSONDecodeError(msg, doc, pos)` rendered as Python renders it.
    fn error(&self, msg: &str, pos: usize) -> PyJsonError {
        let before = &self.s[..pos.min(self.s.len())];
        let lineno = before.iter().filter(|c| **c == '\n').count() + 1;
        let colno = match before.iter().rposition(|c| *c == '\n') {
            Some(newline) => pos - newline,
            None => pos + 1,
        };
        PyJsonError(format!("{msg}: line {lineno} column {colno} (char {pos})"))
    }

    fn raise(&self, msg: &str, pos: usize) -> Fail {
        Fail::Raised(self.error(msg, pos))
    }

    fn starts_with(&self, idx: usize, word: &str) -> bool {
        (idx..)
            .zip(word.chars())
            .all(|(i, c)| self.at(i) == Some(c))
    }

    fn non_finite(&mut self) -> Value {
        self.unrepresentable
            .get_or_insert(Unrepresentable::NonFiniteNumber);
        Value::Null
    }

    fn scan_once(&mut self, idx: usize) -> Result<(Value, usize), Fail> {
        let Some(c) = self.at(idx) else {
            return Err(Fail::StopIteration(idx));
        };
        match c {
            '"' => {
                let (text, end) = self.scan_string(idx + 1)?;
                Ok((Value::String(text), end))
            }
            '{' => self.parse_object(idx + 1),
            '[' => self.parse_array(idx + 1),
            'n' if self.starts_with(idx, "null") => Ok((Value::Null, idx + 4)),
            't' if self.starts_with(idx, "true") => Ok((Value::Bool(true), idx + 4)),
            'f' if self.starts_with(idx, "false") => Ok((Value::Bool(false), idx + 5)),
            'N' if self.starts_with(idx, "NaN") => Ok((self.non_finite(), idx + 3)),
            'I' if self.starts_with(idx, "Infinity") => Ok((self.non_finite(), idx + 8)),
            '-' if self.starts_with(idx, "-Infinity") => Ok((self.non_finite(), idx + 9)),
            _ => self.match_number(idx),
        }
    }

    fn digits_from(&self, mut idx: usize) -> usize {
        while self.at(idx).is_some_and(|c| c.is_ascii_digit()) {
            idx += 1;
        }
        idx
    }

    fn match_number(&mut self, start: usize) -> Result<(Value, usize), Fail> {
        let mut idx = start;
        if self.at(idx) == Some('-') {
            idx += 1;
        }
        match self.at(idx) {
            Some('1'..='9') => idx = self.digits_from(idx + 1),
            Some('0') => idx += 1,
            _ => return Err(Fail::StopIteration(start)),
        }
        let mut is_float = false;
        if self.at(idx) == Some('.') && self.at(idx + 1).is_some_and(|c| c.is_ascii_digit()) {
            is_float = true;
            idx = self.digits_from(idx + 2);
        }
        if matches!(self.at(idx), Some('e' | 'E')) {
            let e_start = idx;
            let mut j = idx + 1;
            if matches!(self.at(j), Some('+' | '-')) {
                j += 1;
            }
            let end = self.digits_from(j);
            if end > j {
                is_float = true;
                idx = end;
            } else {
                idx = e_start;
            }
        }
        let text: String = self.s[start..idx].iter().collect();
        let value = if is_float {
            match text.parse::<f64>().ok().and_then(Number::from_f64) {
                Some(n) => Value::Number(n),
                None => self.non_finite(),
            }
        } else if let Ok(n) = text.parse::<i64>() {
            Value::from(n)
        } else if let Ok(n) = text.parse::<u64>() {
            Value::from(n)
        } else {
            // Python keeps big integers exact; the nearest float is the best a JSON value
            // here can carry.
            match text.parse::<f64>().ok().and_then(Number::from_f64) {
                Some(n) => Value::Number(n),
                None => self.non_finite(),
            }
        };
        Ok((value, idx))
    }

    fn scan_string(&mut self, mut end: usize) -> Result<(String, usize), Fail> {
        let begin = end - 1;
        let mut out = String::new();
        loop {
            let mut next = end;
            let mut c = None;
            while let Some(d) = self.at(next) {
                if d == '"' || d == '\\' {
                    c = Some(d);
                    break;
                }
                if (d as u32) <= 0x1f {
                    return Err(self.raise("Invalid control character at", next));
                }
                next += 1;
            }
            let Some(c) = c else {
                return Err(self.raise("Unterminated string starting at", begin));
            };
            out.extend(&self.s[end..next]);
            next += 1;
            if c == '"' {
                return Ok((out, next));
            }
            let Some(esc) = self.at(next) else {
                return Err(self.raise("Unterminated string starting at", begin));
            };
            if esc != 'u' {
                end = next + 1;
                let decoded = match esc {
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    _ => return Err(self.raise("Invalid \\escape", end - 2)),
                };
                out.push(decoded);
                continue;
            }
            next += 1;
            end = next + 4;
            if end >= self.s.len() {
                return Err(self.raise("Invalid \\uXXXX escape", next - 1));
            }
            let Some(mut unit) = self.hex4(next) else {
                return Err(self.raise("Invalid \\uXXXX escape", end - 5));
            };
            if (0xd800..0xdc00).contains(&unit)
                && end + 6 < self.s.len()
                && self.at(end) == Some('\\')
                && self.at(end + 1) == Some('u')
            {
                let Some(low) = self.hex4(end + 2) else {
                    return Err(self.raise("Invalid \\uXXXX escape", end + 1));
                };
                if (0xdc00..0xe000).contains(&low) {
                    unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                    end += 6;
                }
            }
            match char::from_u32(unit) {
                Some(ch) => out.push(ch),
                None => {
                    self.unrepresentable
                        .get_or_insert(Unrepresentable::LoneSurrogate);
                    out.push('\u{fffd}');
                }
            }
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let mut value = 0u32;
        for i in 0..4 {
            value = (value << 4) | self.at(at + i)?.to_digit(16)?;
        }
        Some(value)
    }

    fn parse_object(&mut self, start: usize) -> Result<(Value, usize), Fail> {
        let mut map = Map::new();
        let mut idx = self.skip_ws(start);
        if self.at(idx) != Some('}') {
            loop {
                if self.at(idx) != Some('"') {
                    return Err(
                        self.raise("Expecting property name enclosed in double quotes", idx)
                    );
                }
                let (key, next) = self.scan_string(idx + 1)?;
                idx = self.skip_ws(next);
                if self.at(idx) != Some(':') {
                    return Err(self.raise("Expecting ':' delimiter", idx));
                }
                idx = self.skip_ws(idx + 1);
                let (value, next) = self.scan_once(idx)?;
                map.insert(key, value);
                idx = self.skip_ws(next);
                if self.at(idx) == Some('}') {
                    break;
                }
                if self.at(idx) != Some(',') {
                    return Err(self.raise("Expecting ',' delimiter", idx));
                }
                idx = self.skip_ws(idx + 1);
            }
        }
        Ok((Value::Object(map), idx + 1))
    }

    fn parse_array(&mut self, start: usize) -> Result<(Value, usize), Fail> {
        let mut items = Vec::new();
        let mut idx = self.skip_ws(start);
        if self.at(idx) != Some(']') {
            loop {
                let (value, next) = self.scan_once(idx)?;
                items.push(value);
                idx = self.skip_ws(next);
                if self.at(idx) == Some(']') {
                    break;
                }
                if self.at(idx) != Some(',') {
                    return Err(self.raise("Expecting ',' delimiter", idx));
                }
                idx = self.skip_ws(idx + 1);
            }
        }
        Ok((Value::Array(items), idx + 1))
    }
}
