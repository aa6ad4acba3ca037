//! Searches handed out to run elsewhere: the console runs them in a Web Worker it can stop
//! (crates/ui/src/state/pattern_checks.rs), because the browser's `RegExp` backtracks and a
//! search on a page's main thread can freeze it. Only the console turns this on; the npm
//! package runs patterns on the calling thread and does not carry this code.

use std::cell::RefCell;
use std::collections::HashMap;

use super::translate;

/// The outcome of a search handed out: `None` when searches run here, else the outcome
/// given back, or [`CHECKING`] until then.
pub(crate) fn searched(pattern: &str, text: &str) -> Option<Result<bool, String>> {
    ELSEWHERE.with(|cell| {
        let mut elsewhere = cell.borrow_mut();
        if !elsewhere.on {
            return None;
        }
        let key = search_key(pattern, text);
        if let Some(outcome) = elsewhere.outcomes.get(&key) {
            // Settled, or handed out and waiting (`None`).
            return Some(outcome.clone().unwrap_or_else(|| Err(CHECKING.to_owned())));
        }
        elsewhere.outcomes.insert(key, None);
        let (source, flags) = translate(pattern);
        elsewhere.waiting.push(PatternCheck {
            pattern: pattern.to_owned(),
            text: text.to_owned(),
            source,
            flags: format!("u{flags}"),
        });
        Some(Err(CHECKING.to_owned()))
    })
}

/// Why a search handed out to run elsewhere has no outcome yet.
pub const CHECKING: &str = "it is being checked off the main thread";

/// A search to run elsewhere by the host's `RegExp`: `new RegExp(source, flags).test(text)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternCheck {
    /// The pattern as the schema gives it (Python's dialect).
    pub pattern: String,
    /// The text searched.
    pub text: String,
    /// The pattern rewritten for `RegExp`.
    pub source: String,
    /// `RegExp`'s flags (`u` and the pattern's leading inline flags).
    pub flags: String,
}

/// Searches handed out and their outcomes.
#[derive(Default)]
struct Elsewhere {
    on: bool,
    /// Handed out and not yet taken by [`take_pattern_checks`].
    waiting: Vec<PatternCheck>,
    /// Every search handed out ([`search_key`]): its outcome, `None` until settled.
    outcomes: HashMap<String, Option<Result<bool, String>>>,
}

/// One key for a pattern and a text: the pattern's length first, so no two pairs share one.
fn search_key(pattern: &str, text: &str) -> String {
    format!("{}:{pattern}{text}", pattern.len())
}

thread_local! {
    static ELSEWHERE: RefCell<Elsewhere> = RefCell::new(Elsewhere::default());
}

/// From now on, validation on this thread never runs a pattern itself: a backtracking
/// pattern (`^(a+)+$` against `aaaa…a!`) can keep a browser's `RegExp` busy for minutes,
/// and on a page's main thread that freezes the tab. Each search is handed out instead
/// ([`take_pattern_checks`]) to be run where it can be stopped (a Web Worker), and its
/// outcome given back with [`settle_pattern_check`]; until then the pattern's verdict is
/// "only the server can tell" with the reason [`CHECKING`].
pub fn run_searches_elsewhere() {
    ELSEWHERE.with(|cell| cell.borrow_mut().on = true);
}

/// The searches handed out since the last call.
pub fn take_pattern_checks() -> Vec<PatternCheck> {
    ELSEWHERE.with(|cell| std::mem::take(&mut cell.borrow_mut().waiting))
}

/// Gives a search's outcome back: whether the pattern was found, or why it could not be
/// decided (the worker stopped it, or its engine failed). Validation that asks for the same
/// search again gets this outcome.
pub fn settle_pattern_check(check: &PatternCheck, outcome: Result<bool, String>) {
    ELSEWHERE.with(|cell| {
        let mut elsewhere = cell.borrow_mut();
        // Forms ask once per keystroke: keep the outcomes of the last few thousand.
        if elsewhere.outcomes.len() >= 4096 {
            elsewhere.outcomes.clear();
        }
        elsewhere
            .outcomes
            .insert(search_key(&check.pattern, &check.text), Some(outcome));
    });
}

// Native only: the switch is per thread, and wasm-bindgen-test runs every test on one.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::run_input::pattern::search;

    #[test]
    fn searches_run_elsewhere_are_handed_out_once_and_their_outcome_is_used() {
        use crate::run_input::{Validation, validate};
        use serde_json::json;
        run_searches_elsewhere();
        let schema = json!({"type": "object", "properties": {"code": {"type": "string", "pattern": "(?i)^(a+)+$"}}});
        let input = json!({"code": "aaaa!"});
        let undecided = Validation::ServerDecides(format!(
            "the pattern '(?i)^(a+)+$' cannot be run here ({CHECKING})"
        ));
        assert_eq!(validate(&input, &schema), undecided);
        assert_eq!(validate(&input, &schema), undecided);
        let checks = take_pattern_checks();
        assert_eq!(
            checks,
            vec![PatternCheck {
                pattern: "(?i)^(a+)+$".into(),
                text: "aaaa!".into(),
                source: "^(a+)+(?=\\n?$)".into(),
                flags: "ui".into(),
            }],
            "handed out once however often it is asked"
        );
        assert!(take_pattern_checks().is_empty());
        settle_pattern_check(&checks[0], Ok(false));
        assert!(matches!(
            validate(&input, &schema),
            Validation::Invalid { .. }
        ));
        settle_pattern_check(&checks[0], Err("stopped after 1000 ms".into()));
        assert_eq!(
            validate(&input, &schema),
            Validation::ServerDecides(
                "the pattern '(?i)^(a+)+$' cannot be run here (stopped after 1000 ms)".into()
            )
        );
        // A pattern that does not compile is still reported at once, never handed out.
        assert!(search("(unclosed", "x").is_err());
        assert!(take_pattern_checks().is_empty());
    }
}
