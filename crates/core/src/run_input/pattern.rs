//! `re.search(pattern, text)` for the regular expressions in schemas (`pattern`,
//! `patternProperties`, and `format: regex` when the stored schema itself is checked).
//!
//! Prefect runs Python's `re`. No engine matches it exactly, so the pattern is first
//! rewritten where Python's meaning differs from the engines' — `$` also matches before a
//! final newline, `\d` `\w` `\s` are Unicode classes, `\Z` `\A`, `(?P<name>…)` `(?P=name)`,
//! `{,n}`, braces and escapes that are literal in Python — and then run by the host's
//! `RegExp` in WebAssembly (it costs the package nothing) or by `fancy-regex` natively
//! (backtracking, with look-around and back-references, like Python's). A pattern neither
//! can compile is reported, never guessed: only the server can judge input against it.

use std::cell::RefCell;
use std::collections::HashMap;

#[cfg(feature = "search-elsewhere")]
pub(crate) mod elsewhere;

/// What Python's `\w` matches in a `str` pattern, as class members: letters, numbers, `_`.
const WORD: &str = r"\p{L}\p{N}_";

/// What Python's `\s` matches in a `str` pattern, as class members (`str.isspace()`).
const SPACE: &str = r"\t\n\x0B\f\r\x1C-\x20\x85\p{Z}";

/// Rewrites a Python pattern into the dialect both engines share (ECMAScript with the
/// `u` flag, which `fancy-regex` also reads). Returns the pattern and the flags that
/// leading inline flags (`(?i)`, `(?s)`, `(?m)`) turn into.
fn translate(pattern: &str) -> (String, String) {
    let mut chars: Vec<char> = pattern.chars().collect();
    let mut flags = String::new();
    // Python allows global inline flags at the very start.
    while chars.len() >= 4 && chars[0] == '(' && chars[1] == '?' {
        let Some(close) = chars.iter().position(|&c| c == ')') else {
            break;
        };
        let inner: String = chars[2..close].iter().collect();
        if inner.is_empty() || !inner.chars().all(|c| "ims".contains(c)) {
            break;
        }
        for flag in inner.chars() {
            if !flags.contains(flag) {
                flags.push(flag);
            }
        }
        chars.drain(..=close);
    }

    let mut out = String::with_capacity(pattern.len() + 16);
    let mut in_class = false;
    let mut class_start = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                let next = chars[i + 1];
                i += 2;
                match next {
                    'd' => out.push_str(r"\p{Nd}"),
                    'D' => out.push_str(r"\P{Nd}"),
                    'w' if in_class => out.push_str(WORD),
                    'w' => out.push_str(&format!("[{WORD}]")),
                    'W' if !in_class => out.push_str(&format!("[^{WORD}]")),
                    's' if in_class => out.push_str(SPACE),
                    's' => out.push_str(&format!("[{SPACE}]")),
                    'S' if !in_class => out.push_str(&format!("[^{SPACE}]")),
                    'Z' if !in_class => out.push('$'),
                    'A' if !in_class => out.push('^'),
                    c if c.is_ascii_alphanumeric() => {
                        out.push('\\');
                        out.push(c);
                    }
                    c if "^$\\.*+?()[]{}|/".contains(c) || (in_class && c == '-') => {
                        out.push('\\');
                        out.push(c);
                    }
                    // Python escapes any punctuation; ECMAScript's `u` mode refuses most.
                    c => out.push(c),
                }
                class_start = false;
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                class_start = true;
                out.push('[');
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                i += 1;
                continue;
            }
            // Python takes a `]` right after `[` or `[^` as a literal.
            ']' if in_class && class_start => out.push_str(r"\]"),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '[' => out.push_str(r"\["),
            '$' if !in_class => out.push_str(r"(?=\n?$)"),
            ']' | '}' if !in_class => {
                out.push('\\');
                out.push(c);
            }
            '{' if !in_class => match quantifier(&chars[i..]) {
                Some((text, len)) => {
                    out.push_str(&text);
                    i += len;
                    class_start = false;
                    continue;
                }
                None => out.push_str(r"\{"),
            },
            '(' if !in_class
                && chars.get(i + 1) == Some(&'?')
                && chars.get(i + 2) == Some(&'P') =>
            {
                match chars.get(i + 3) {
                    // `(?P<name>` → `(?<name>`
                    Some('<') => {
                        out.push_str("(?<");
                        i += 4;
                        continue;
                    }
                    // `(?P=name)` → `\k<name>`
                    Some('=') => {
                        if let Some(close) = chars[i..].iter().position(|&c| c == ')') {
                            let name: String = chars[i + 4..i + close].iter().collect();
                            out.push_str(&format!(r"\k<{name}>"));
                            i += close + 1;
                            continue;
                        }
                        out.push('(');
                    }
                    _ => out.push('('),
                }
            }
            _ => out.push(c),
        }
        class_start = false;
        i += 1;
    }
    (out, flags)
}

/// A `{m}`, `{m,}`, `{m,n}` or Python's `{,n}` quantifier at the start of `chars`, written
/// for the engines, and how many characters it took; `None` when the brace is a literal.
fn quantifier(chars: &[char]) -> Option<(String, usize)> {
    let close = chars.iter().position(|&c| c == '}')?;
    let body: String = chars[1..close].iter().collect();
    let (low, high) = match body.split_once(',') {
        Some((low, high)) => (low, Some(high)),
        None => (body.as_str(), None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !digits(low)
        || !high.is_none_or(digits)
        || (low.is_empty() && high.is_none_or(str::is_empty))
    {
        return None;
    }
    let low = if low.is_empty() { "0" } else { low };
    let text = match high {
        None => format!("{{{low}}}"),
        Some(high) => format!("{{{low},{high}}}"),
    };
    Some((text, close + 1))
}

#[cfg(not(target_arch = "wasm32"))]
mod engine {
    /// A compiled pattern.
    pub(super) struct Compiled(fancy_regex::Regex);

    pub(super) fn compile(pattern: &str, flags: &str) -> Result<Compiled, String> {
        let inline = if flags.is_empty() {
            String::new()
        } else {
            format!("(?{flags})")
        };
        fancy_regex::RegexBuilder::new(&format!("{inline}{pattern}"))
            .backtrack_limit(1_000_000)
            .build()
            .map(Compiled)
            .map_err(|err| err.to_string())
    }

    impl Compiled {
        pub(super) fn search(&self, text: &str) -> Result<bool, String> {
            self.0.is_match(text).map_err(|err| err.to_string())
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod engine {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// The host's `RegExp` (called without `new`, which builds one all the same).
        #[wasm_bindgen(catch, js_name = RegExp)]
        fn reg_exp(pattern: &str, flags: &str) -> Result<js_sys::RegExp, JsValue>;
    }

    /// A compiled pattern.
    pub(super) struct Compiled(js_sys::RegExp);

    pub(super) fn compile(pattern: &str, flags: &str) -> Result<Compiled, String> {
        reg_exp(pattern, &format!("u{flags}"))
            .map(Compiled)
            .map_err(|err| {
                js_sys::Error::from(err)
                    .message()
                    .as_string()
                    .unwrap_or_else(|| "the pattern does not compile".into())
            })
    }

    impl Compiled {
        pub(super) fn search(&self, text: &str) -> Result<bool, String> {
            Ok(self.0.test(text))
        }
    }
}

type Cache = HashMap<String, Result<std::rc::Rc<engine::Compiled>, String>>;

thread_local! {
    /// Compiled patterns by their Python text: forms re-check one schema on every keystroke.
    static COMPILED: RefCell<Cache> = RefCell::new(HashMap::new());
}

/// The compiled form of a Python pattern, or why no engine here can run it.
fn compiled(pattern: &str) -> Result<std::rc::Rc<engine::Compiled>, String> {
    COMPILED.with(|cache| {
        if let Some(hit) = cache.borrow().get(pattern) {
            return hit.clone();
        }
        let (translated, flags) = translate(pattern);
        let compiled = engine::compile(&translated, &flags).map(std::rc::Rc::new);
        let mut cache = cache.borrow_mut();
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), compiled.clone());
        compiled
    })
}

/// Where pattern searches run: here, on the calling thread (the default), or handed out to
/// run elsewhere ([`SearchesElsewhere`], feature `search-elsewhere`). Passed into the
/// check, so a verdict is a function of its arguments.
#[derive(Debug, Clone, Copy, Default)]
pub struct Searches<'a> {
    #[cfg(feature = "search-elsewhere")]
    elsewhere: Option<&'a elsewhere::SearchesElsewhere>,
    here: std::marker::PhantomData<&'a ()>,
}

impl<'a> Searches<'a> {
    /// Every search runs on the calling thread.
    pub const HERE: Searches<'static> = Searches {
        #[cfg(feature = "search-elsewhere")]
        elsewhere: None,
        here: std::marker::PhantomData,
    };

    /// Every search is handed out to `searches` and its outcome read back from there.
    #[cfg(feature = "search-elsewhere")]
    pub fn elsewhere(searches: &'a elsewhere::SearchesElsewhere) -> Searches<'a> {
        Searches {
            elsewhere: Some(searches),
            here: std::marker::PhantomData,
        }
    }
}

/// Why a search has no answer here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PatternFailure {
    /// No engine here compiles the pattern (the engine's words).
    Compile(String),
    /// The engine failed while searching (its words).
    Engine(String),
    /// The search was handed out and has not answered yet.
    #[cfg_attr(not(feature = "search-elsewhere"), allow(dead_code))]
    Checking,
    /// The search handed out was stopped after this many milliseconds.
    #[cfg_attr(not(feature = "search-elsewhere"), allow(dead_code))]
    Stopped { after_ms: u32 },
}

impl PatternFailure {
    /// The words a verdict's reason gives, in parentheses after the pattern.
    pub(crate) fn words(&self) -> String {
        match self {
            PatternFailure::Compile(why) | PatternFailure::Engine(why) => why.clone(),
            PatternFailure::Checking => "it is being checked off the main thread".into(),
            PatternFailure::Stopped { after_ms } => format!(
                "its search was stopped after {after_ms} ms: the pattern backtracks on this \
                 input, and may not finish"
            ),
        }
    }

    /// The same, as data.
    pub(crate) fn undecided(&self, pattern: &str) -> crate::Undecided {
        let pattern = pattern.to_owned();
        match self {
            PatternFailure::Compile(_) | PatternFailure::Engine(_) => {
                crate::Undecided::Pattern { pattern }
            }
            PatternFailure::Checking => crate::Undecided::PatternChecking { pattern },
            PatternFailure::Stopped { after_ms } => crate::Undecided::PatternStopped {
                pattern,
                after_ms: *after_ms,
            },
        }
    }
}

/// Python's `re.search(pattern, text) is not None`, or why it cannot be decided here.
pub(crate) fn search(
    pattern: &str,
    text: &str,
    searches: Searches<'_>,
) -> Result<bool, PatternFailure> {
    let compiled = compiled(pattern).map_err(PatternFailure::Compile)?;
    #[cfg(feature = "search-elsewhere")]
    if let Some(elsewhere) = searches.elsewhere {
        return elsewhere.searched(pattern, text);
    }
    #[cfg(not(feature = "search-elsewhere"))]
    let _ = searches;
    compiled.search(text).map_err(PatternFailure::Engine)
}

/// Whether the pattern compiles (the `regex` format of the Draft 2020-12 meta-schema).
pub(crate) fn compiles(pattern: &str) -> Result<(), String> {
    compiled(pattern).map(|_| ())
}

#[cfg(test)]
mod tests {
    //! Run natively (fancy-regex) and in headless Chromium (the host's `RegExp`): both
    //! engines must read the rewritten patterns as Python does.
    use super::*;

    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    fn finds(pattern: &str, text: &str) -> bool {
        match search(pattern, text, Searches::HERE) {
            Ok(found) => found,
            Err(err) => panic!("{pattern:?} does not compile: {err:?}"),
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn dollar_also_matches_before_a_final_newline_as_in_python() {
        assert!(finds(r"^[a-z]+$", "abc"));
        assert!(finds(r"^[a-z]+$", "abc\n"));
        assert!(!finds(r"^[a-z]+$", "abc\n\n"));
        assert!(!finds(r"^[a-z]+\Z", "abc\n"));
        assert!(finds(r"[$]", "a$"));
        assert!(finds(r"\$", "a$"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn classes_are_unicode_as_in_python_str_patterns() {
        assert!(finds(r"^\d+$", "١٢٣"));
        assert!(finds(r"^\w+$", "héllo_1"));
        assert!(!finds(r"^\w+$", "a-b"));
        assert!(finds(r"^[\w-]+$", "a-b"));
        assert!(finds(r"^\s$", "\u{2003}"));
        assert!(finds(r"^\W$", "-"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn python_only_syntax_is_rewritten() {
        assert!(finds(r"(?P<year>\d{4})-(?P=year)", "2024-2024"));
        assert!(!finds(r"^(?P<year>\d{4})-(?P=year)$", "2024-2025"));
        assert!(finds(r"^a{,2}$", "aa"));
        assert!(!finds(r"^a{,2}$", "aaa"));
        assert!(finds(r"^{x}$", "{x}"));
        assert!(finds(r"^a]$", "a]"));
        assert!(finds(r"^[]a]+$", "]a"));
        assert!(finds(r"^\#\-\@$", "#-@"));
        assert!(finds(r"(?i)^abc$", "ABC"));
        assert!(finds(r"\Aab", "abc"));
        assert!(finds(r"^(?=.*\d)[a-z\d]{3}$", "ab1"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn search_is_unanchored() {
        assert!(finds("b", "abc"));
        assert!(!finds("^b", "abc"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn broken_patterns_are_reported() {
        assert!(compiles("(unclosed").is_err());
        assert!(search("[z-a]", "x", Searches::HERE).is_err());
        assert!(compiles("^ok$").is_ok());
    }
}
