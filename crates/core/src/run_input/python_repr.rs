//! Values written as Python's `repr()` writes them, as jsonschema's messages quote them:
//! `'abc'`, `2`, `2.5`, `1e+16`, `True`, `None`, `['low', 'high']`, `{'k': 1}`.

use serde_json::{Number, Value};

/// `repr(value)` for the Python object `json.loads` would make of this JSON value.
pub fn repr(value: &Value) -> String {
    let mut out = String::new();
    write_repr(value, &mut out);
    out
}

fn write_repr(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => out.push_str(&number_repr(n)),
        Value::String(s) => out.push_str(&str_repr(s)),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_repr(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&str_repr(key));
                out.push_str(": ");
                write_repr(item, out);
            }
            out.push('}');
        }
    }
}

/// `repr()` of a JSON number: integers as integers, floats as Python's shortest repr.
pub(crate) fn number_repr(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        float_repr(n.as_f64().unwrap_or(f64::NAN))
    }
}

/// Python's `repr(float)`: the shortest round-tripping digits, positional when the
/// exponent is in `-4..=15`, else `d.ddde±XX`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let (negative, digits, exponent) = shortest_digits(f);
    let sign = if negative { "-" } else { "" };
    if (-4..=15).contains(&exponent) {
        let point = exponent + 1;
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat(point.unsigned_abs() as usize), digits)
        } else {
            let point = point as usize;
            if digits.len() <= point {
                format!("{}{}.0", digits, "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{sign}{first}{frac}e{exp_sign}{:02}",
            exponent.unsigned_abs()
        )
    }
}

/// A finite float's shortest round-tripping digits (as Python's repr picks them) and the
/// exponent of the first: `-1.2345e-7` is `(true, "12345", -7)`, zero `"0"` at 0. The digits
/// are serde_json's (which writes the same shortest digits, positional or with an exponent),
/// not `format!("{f:e}")`: that linked a second float printer, with its tables, into the wasm.
fn shortest_digits(f: f64) -> (bool, String, i32) {
    let text = serde_json::Number::from_f64(f).map_or_else(String::new, |n| n.to_string());
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (mantissa, exponent) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{whole}{fraction}");
    let leading_zeros = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_matches('0');
    if digits.is_empty() {
        return (negative, "0".into(), 0);
    }
    let first = whole.len() as i32 - 1 - leading_zeros as i32 + exponent;
    (negative, digits.to_owned(), first)
}

/// Python's `repr(str)`: single quotes unless the text has `'` and no `"`, with Python's
/// escapes for backslashes, the quote, `\t \n \r`, other control characters and
/// non-printable code points.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x7f => out.push(c),
            c if is_printable(c) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable()` for one non-ASCII character: false for controls, format
/// characters, separators other than the ASCII space, surrogates and private use.
/// (Unassigned code points, which Python also escapes, are not tracked here.)
fn is_printable(c: char) -> bool {
    let u = c as u32;
    let non_printable = matches!(u,
        0x80..=0xa0 | 0xad
        | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890..=0x891 | 0x8e2 | 0x1680 | 0x180e
        | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064 | 0x2066..=0x206f | 0x3000
        | 0xd800..=0xf8ff | 0xfdd0..=0xfdef | 0xfeff | 0xfff9..=0xfffb | 0xfffe..=0xffff
        | 0x110bd | 0x110cd | 0x13430..=0x1343f | 0x1bca0..=0x1bca3 | 0x1d173..=0x1d17a
        | 0xe0001 | 0xe0020..=0xe007f | 0xf0000..=0x10ffff
    ) || (u & 0xfffe) == 0xfffe;
    !non_printable
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::shortest_digits;
    use proptest::prelude::*;

    /// The digits and exponent of Rust's own shortest printer, `{:e}` ("-1.2345e-7"). It
    /// rounds a tie up where Python's repr (and serde_json) round it to even: the exact
    /// value 1032054231128734.25 is "...734.3" to Rust, "...734.2" to Python.
    fn lower_exp(f: f64) -> (bool, String, i32) {
        let sci = format!("{f:e}");
        let (mantissa, exponent) = sci.split_once('e').expect("an exponent");
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let digits = match digits.trim_end_matches('0') {
            "" => "0".to_owned(),
            kept => kept.to_owned(),
        };
        (
            mantissa.starts_with('-'),
            digits,
            exponent.parse().expect("an integer exponent"),
        )
    }

    /// The digits read back, the float they name.
    fn value_of((negative, digits, exponent): &(bool, String, i32)) -> f64 {
        let sign = if *negative { "-" } else { "" };
        format!("{sign}0.{digits}e{}", exponent + 1)
            .parse()
            .expect("a float")
    }

    /// Shortest digits that name `f` exactly, as many as Rust's and at the same exponent;
    /// where Rust's differ they are the other side of a tie, rounded to even.
    fn check(f: f64) -> Result<(), TestCaseError> {
        let ours = shortest_digits(f);
        let rusts = lower_exp(f);
        prop_assert_eq!(
            value_of(&ours).to_bits(),
            f.to_bits(),
            "{:?} names another float",
            ours
        );
        prop_assert_eq!(
            (ours.0, ours.1.len(), ours.2),
            (rusts.0, rusts.1.len(), rusts.2)
        );
        if ours.1 != rusts.1 {
            let last = |d: &str| d.bytes().last().map_or(0, |b| b - b'0');
            prop_assert_eq!(
                last(&ours.1) % 2,
                0,
                "{:?} against Rust's {:?}",
                ours,
                rusts
            );
            prop_assert_eq!(
                last(&ours.1) + 1,
                last(&rusts.1),
                "{:?} against {:?}",
                ours,
                rusts
            );
        }
        Ok(())
    }

    #[test]
    fn the_edges() {
        for f in [
            0.0,
            -0.0,
            5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            1e15,
            1e16,
            1e-5,
            0.1 + 0.2,
            9_007_199_254_740_993.0,
            123_456_789.125,
            -1_967_840_887_532_466.3,
        ] {
            check(f).unwrap_or_else(|err| panic!("{f:e}: {err}"));
        }
        assert_eq!(shortest_digits(-0.0), (true, "0".to_owned(), 0));
        assert_eq!(shortest_digits(-1.2345e-7), (true, "12345".to_owned(), -7));
    }

    proptest! {
        #[test]
        fn every_float(f in any::<f64>().prop_filter("finite", |f| f.is_finite())) {
            check(f)?;
        }

        #[test]
        fn every_float_of_every_magnitude(bits in any::<u64>()) {
            let f = f64::from_bits(bits);
            prop_assume!(f.is_finite());
            check(f)?;
        }
    }
}
