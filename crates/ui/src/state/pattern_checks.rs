//! Schema patterns are searched in a Web Worker, never on the page's main thread.
//!
//! The browser's `RegExp` backtracks, so a schema `pattern` such as `^(a+)+$` against
//! `aaaa…a!` can keep it busy for hours, and on the main thread that freezes the tab while
//! the user types. The validator hands such searches out
//! ([`flowgate_core::run_input::run_searches_elsewhere`]); `pattern_checks.js` runs them one
//! at a time in a worker (`web/workers/pattern-check.js`) and ends the worker when a search
//! outlasts its budget; each outcome is given back, which works the verdict out again.

use flowgate_core::ResumeVerdict;
use flowgate_core::run_input::{
    CHECKING, run_searches_elsewhere, settle_pattern_check, take_pattern_checks,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;

/// How long one search may run. A schema pattern's search takes microseconds; one that takes
/// this long is backtracking and may not end.
pub(crate) const BUDGET_MS: u32 = 1_000;

/// What a search stopped for its budget says (its verdict's reason contains it).
const STOPPED: &str = "was stopped: the pattern backtracks on this input";

#[wasm_bindgen(module = "/src/state/pattern_checks.js")]
extern "C" {
    /// Resolves to `{ found }`, `{ timedOut: true }` or `{ error }`; never rejects.
    #[wasm_bindgen(js_name = searchElsewhere)]
    fn search_elsewhere(source: &str, flags: &str, text: &str, budget_ms: u32) -> js_sys::Promise;
}

/// Why a search the worker stopped for its budget could not be decided.
pub(crate) fn stopped_reason() -> String {
    format!(
        "the browser's RegExp was still searching after {BUDGET_MS} ms and {STOPPED}, and may \
         not finish"
    )
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
        let ResumeVerdict::ServerDecides { reason } = verdict else {
            return None;
        };
        if reason.contains(CHECKING) {
            Some(PatternHold::Checking)
        } else if reason.contains(STOPPED) {
            Some(PatternHold::Stopped)
        } else {
            None
        }
    }
}

/// The pattern checker, in the context of the whole console.
#[derive(Clone, Copy)]
pub(crate) struct PatternChecks {
    /// Counts settled searches: a verdict that reads it is worked out again when one settles.
    pub(crate) settled: RwSignal<u64>,
}

impl PatternChecks {
    /// Turns the validator's searches over to the worker, for the rest of the page's life.
    pub(crate) fn start() -> PatternChecks {
        run_searches_elsewhere();
        PatternChecks {
            settled: RwSignal::new(0),
        }
    }

    /// Sends the searches the validator handed out since the last call.
    pub(crate) fn dispatch(self) {
        for check in take_pattern_checks() {
            let answer = search_elsewhere(&check.source, &check.flags, &check.text, BUDGET_MS);
            spawn_local(async move {
                let answer = wasm_bindgen_futures::JsFuture::from(answer)
                    .await
                    .unwrap_or_default();
                let field = |name: &str| js_sys::Reflect::get(&answer, &name.into()).ok();
                let outcome = match field("found").and_then(|v| v.as_bool()) {
                    Some(found) => Ok(found),
                    None if field("timedOut").is_some_and(|v| v.is_truthy()) => {
                        Err(stopped_reason())
                    }
                    None => Err(field("error")
                        .and_then(|v| v.as_string())
                        .unwrap_or_else(|| "the browser's RegExp failed".into())),
                };
                settle_pattern_check(&check, outcome);
                self.settled.update(|n| *n += 1);
            });
        }
    }
}
