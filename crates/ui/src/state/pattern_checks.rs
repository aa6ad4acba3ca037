//! Schema patterns are searched in a Web Worker, never on the page's main thread.
//!
//! The browser's `RegExp` backtracks, so a schema `pattern` such as `^(a+)+$` against
//! `aaaa…a!` can keep it busy for hours, and on the main thread that freezes the tab while
//! the user types. The validator hands such searches out
//! ([`flowgate_core::run_input::SearchesElsewhere`], passed into each verdict);
//! `pattern_checks.js` runs them one
//! at a time in a worker (`web/workers/pattern-check.js`) and ends the worker when a search
//! outlasts its budget; each outcome is given back, which works the verdict out again.

use flowgate_core::run_input::{SearchOutcome, Searches, SearchesElsewhere};
use flowgate_core::{ResumeVerdict, Undecided};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;

/// How long one search may run. A schema pattern's search takes microseconds; one that takes
/// this long is backtracking and may not end.
pub(crate) const BUDGET_MS: u32 = 1_000;

#[wasm_bindgen(module = "/src/state/pattern_checks.js")]
extern "C" {
    /// Resolves to `{ found }`, `{ timedOut: true }` or `{ error }`; never rejects.
    #[wasm_bindgen(js_name = searchElsewhere)]
    fn search_elsewhere(source: &str, flags: &str, text: &str, budget_ms: u32) -> js_sys::Promise;
}

/// A verdict that waits on a pattern search, or that one had to be stopped for: either way
/// the input is not sent (the server would run the same search).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatternHold {
    /// A search is running in the worker.
    Checking,
    /// A search outlasted its budget and was stopped.
    Stopped,
}

impl PatternHold {
    /// What holds the verdict back, if a pattern search does.
    pub(crate) fn of(verdict: &ResumeVerdict) -> Option<PatternHold> {
        match verdict {
            ResumeVerdict::ServerDecides {
                why: Undecided::PatternChecking { .. },
                ..
            } => Some(PatternHold::Checking),
            ResumeVerdict::ServerDecides {
                why: Undecided::PatternStopped { .. },
                ..
            } => Some(PatternHold::Stopped),
            _ => None,
        }
    }
}

/// The pattern checker, in the context of the whole console.
#[derive(Clone, Copy)]
pub(crate) struct PatternChecks {
    /// Counts settled searches: a verdict that reads it is worked out again when one settles.
    pub(crate) settled: RwSignal<u64>,
    /// The searches handed out, and their outcomes.
    searches: StoredValue<SearchesElsewhere, LocalStorage>,
}

impl PatternChecks {
    /// A checker that runs the validator's searches in the worker, for the page's life.
    pub(crate) fn start() -> PatternChecks {
        PatternChecks {
            settled: RwSignal::new(0),
            searches: StoredValue::new_local(SearchesElsewhere::new()),
        }
    }

    /// Works `check` out with its pattern searches handed to the worker.
    pub(crate) fn with<R>(self, check: impl FnOnce(Searches<'_>) -> R) -> Option<R> {
        self.searches
            .try_with_value(|searches| check(Searches::elsewhere(searches)))
    }

    /// Sends the searches the validator handed out since the last call.
    pub(crate) fn dispatch(self) {
        let checks = self
            .searches
            .try_with_value(SearchesElsewhere::take)
            .unwrap_or_default();
        for check in checks {
            let answer = search_elsewhere(&check.source, &check.flags, &check.text, BUDGET_MS);
            spawn_local(async move {
                let answer = wasm_bindgen_futures::JsFuture::from(answer)
                    .await
                    .unwrap_or_default();
                let field = |name: &str| js_sys::Reflect::get(&answer, &name.into()).ok();
                let outcome = match field("found").and_then(|v| v.as_bool()) {
                    Some(found) => SearchOutcome::Found(found),
                    None if field("timedOut").is_some_and(|v| v.is_truthy()) => {
                        SearchOutcome::Stopped {
                            after_ms: BUDGET_MS,
                        }
                    }
                    None => SearchOutcome::Failed(
                        field("error")
                            .and_then(|v| v.as_string())
                            .unwrap_or_else(|| "the browser's RegExp failed".into()),
                    ),
                };
                let _ = self
                    .searches
                    .try_with_value(|searches| searches.settle(&check, outcome));
                self.settled.update(|n| *n += 1);
            });
        }
    }
}
