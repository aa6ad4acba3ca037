//! Searches handed out to run elsewhere: the console runs them in a Web Worker it can stop
//! (crates/ui/src/state/pattern_checks.rs), because the browser's `RegExp` backtracks and a
//! search on a page's main thread can freeze it. Only the console turns this on; the npm
//! package runs patterns on the calling thread and does not carry this code.

use std::cell::RefCell;
use std::collections::HashMap;

use super::{PatternFailure, translate};

/// Searches handed out and their outcomes. Whoever validates with
/// [`Searches::elsewhere`](super::Searches::elsewhere) owns one: validation never runs a
/// pattern itself then — a backtracking pattern (`^(a+)+$` against `aaaa…a!`) can keep a
/// browser's `RegExp` busy for minutes, and on a page's main thread that freezes the tab.
/// Each search is handed out instead ([`SearchesElsewhere::take`]) to be run where it can
/// be stopped (a Web Worker), and its outcome given back with [`SearchesElsewhere::settle`];
/// until then the verdict is [`Undecided::PatternChecking`](crate::Undecided::PatternChecking).
#[derive(Debug, Default)]
pub struct SearchesElsewhere {
    state: RefCell<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Handed out and not yet taken by [`SearchesElsewhere::take`].
    waiting: Vec<PatternCheck>,
    /// Every search handed out ([`search_key`]): its outcome, `None` until settled.
    outcomes: HashMap<String, Option<SearchOutcome>>,
}

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

/// How a search run elsewhere ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchOutcome {
    /// It ran to the end: whether the pattern was found.
    Found(bool),
    /// It was stopped after running this long (it backtracks, and may never end).
    Stopped {
        /// How long it ran, in milliseconds.
        after_ms: u32,
    },
    /// Its engine failed, in these words.
    Failed(String),
}

/// One key for a pattern and a text: the pattern's length first, so no two pairs share one.
fn search_key(pattern: &str, text: &str) -> String {
    format!("{}:{pattern}{text}", pattern.len())
}

impl SearchesElsewhere {
    /// No search handed out yet.
    pub fn new() -> SearchesElsewhere {
        SearchesElsewhere::default()
    }

    /// The outcome of a search: the one given back, or [`PatternFailure::Checking`] while
    /// it is handed out (handed out on the first ask only).
    pub(crate) fn searched(&self, pattern: &str, text: &str) -> Result<bool, PatternFailure> {
        let mut state = self.state.borrow_mut();
        let key = search_key(pattern, text);
        let outcome = match state.outcomes.get(&key) {
            Some(outcome) => outcome.clone(),
            None => {
                state.outcomes.insert(key, None);
                let (source, flags) = translate(pattern);
                state.waiting.push(PatternCheck {
                    pattern: pattern.to_owned(),
                    text: text.to_owned(),
                    source,
                    flags: format!("u{flags}"),
                });
                None
            }
        };
        match outcome {
            None => Err(PatternFailure::Checking),
            Some(SearchOutcome::Found(found)) => Ok(found),
            Some(SearchOutcome::Stopped { after_ms }) => Err(PatternFailure::Stopped { after_ms }),
            Some(SearchOutcome::Failed(why)) => Err(PatternFailure::Engine(why)),
        }
    }

    /// The searches handed out since the last call.
    pub fn take(&self) -> Vec<PatternCheck> {
        std::mem::take(&mut self.state.borrow_mut().waiting)
    }

    /// Gives a search's outcome back. Validation that asks for the same search again gets
    /// this outcome.
    pub fn settle(&self, check: &PatternCheck, outcome: SearchOutcome) {
        let mut state = self.state.borrow_mut();
        // Forms ask once per keystroke: keep the outcomes of the last few thousand.
        if state.outcomes.len() >= 4096 {
            state.outcomes.clear();
        }
        state
            .outcomes
            .insert(search_key(&check.pattern, &check.text), Some(outcome));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Undecided;
    use crate::run_input::pattern::{Searches, search};
    use crate::run_input::{Validation, validate_with};
    use serde_json::json;

    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn searches_run_elsewhere_are_handed_out_once_and_their_outcome_is_used() {
        let elsewhere = SearchesElsewhere::new();
        let searches = Searches::elsewhere(&elsewhere);
        let schema = json!({"type": "object", "properties": {"code": {"type": "string", "pattern": "(?i)^(a+)+$"}}});
        let input = json!({"code": "aaaa!"});
        let checking = Validation::ServerDecides {
            reason: "the pattern '(?i)^(a+)+$' cannot be run here (it is being checked off the \
                     main thread)"
                .into(),
            why: Undecided::PatternChecking {
                pattern: "(?i)^(a+)+$".into(),
            },
        };
        assert_eq!(validate_with(&input, &schema, searches), checking);
        assert_eq!(validate_with(&input, &schema, searches), checking);
        let checks = elsewhere.take();
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
        assert!(elsewhere.take().is_empty());
        elsewhere.settle(&checks[0], SearchOutcome::Found(false));
        assert!(matches!(
            validate_with(&input, &schema, searches),
            Validation::Invalid { .. }
        ));
        elsewhere.settle(&checks[0], SearchOutcome::Stopped { after_ms: 1000 });
        assert_eq!(
            validate_with(&input, &schema, searches),
            Validation::ServerDecides {
                reason: "the pattern '(?i)^(a+)+$' cannot be run here (its search was stopped \
                         after 1000 ms: the pattern backtracks on this input, and may not finish)"
                    .into(),
                why: Undecided::PatternStopped {
                    pattern: "(?i)^(a+)+$".into(),
                    after_ms: 1000,
                },
            }
        );
        // Searches here are untouched by what was handed out elsewhere.
        assert!(matches!(
            crate::run_input::validate(&input, &schema),
            Validation::Invalid { .. }
        ));
        // A pattern that does not compile is still reported at once, never handed out.
        assert!(search("(unclosed", "x", searches).is_err());
        assert!(elsewhere.take().is_empty());
    }
}
