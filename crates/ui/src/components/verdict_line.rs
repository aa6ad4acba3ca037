//! The answer the server will give, above the resume button.

use flowgate_core::run_input::python_repr::str_repr;
use flowgate_core::{ResumeVerdict, SetStateStatus, Undecided};
use leptos::prelude::*;

/// "will be accepted" / "will be rejected: <exact reason>" and the like.
pub(crate) fn verdict_text(verdict: &ResumeVerdict) -> (String, &'static str) {
    match verdict {
        ResumeVerdict::Answer(answer) => {
            let reason = answer.reason.clone().unwrap_or_default();
            match answer.status {
                SetStateStatus::Accept => {
                    let into = answer
                        .state
                        .as_ref()
                        .and_then(|s| s.name.clone())
                        .unwrap_or_default();
                    (
                        format!("will be accepted: the run goes to {into}"),
                        "accept",
                    )
                }
                SetStateStatus::Reject => (format!("will be rejected: {reason}"), "reject"),
                SetStateStatus::Abort => (format!("will be aborted: {reason}"), "abort"),
                _ => (
                    format!("the server will answer {}: {reason}", answer.status),
                    "other",
                ),
            }
        }
        ResumeVerdict::HttpError { status, reason } => (
            format!("the server will refuse it (HTTP {status}): {reason}"),
            "reject",
        ),
        ResumeVerdict::ServerDecides { reason, why } => match why {
            Undecided::PatternChecking { .. } => (
                "checking the input against the schema's pattern, off the page's main thread…"
                    .into(),
                "other",
            ),
            // Prefect validates with Python's `re`, which backtracks as the browser's engine
            // does (and slower): sent, this search would hold the server, so it is not sent.
            Undecided::PatternStopped { pattern, after_ms } => (
                format!(
                    "not sent: the pattern {} cannot be run here (the browser's RegExp was still \
                     searching after {after_ms} ms and was stopped: the pattern backtracks on \
                     this input, and may not finish). Prefect's server would run the same search \
                     with Python's re, which backtracks the same way and can keep the server \
                     busy for hours. Change the input.",
                    str_repr(pattern)
                ),
                "reject",
            ),
            _ => (format!("only the server can tell: {reason}"), "other"),
        },
    }
}

/// `line` for `verdict`, followed, where only the server can tell because of its release, by
/// what the nearest measured release would answer (`nearest`).
pub(crate) fn with_nearest(
    line: (String, &'static str),
    verdict: &ResumeVerdict,
    nearest: Option<&ResumeVerdict>,
) -> (String, &'static str) {
    match (verdict, nearest) {
        (
            ResumeVerdict::ServerDecides {
                why: Undecided::Release { release },
                ..
            },
            Some(nearest),
        ) => (
            format!(
                "{} On Prefect {}, {}{}",
                line.0,
                release.nearest(),
                if matches!(nearest, ResumeVerdict::Answer(_)) {
                    "it "
                } else {
                    ""
                },
                verdict_text(nearest).0
            ),
            line.1,
        ),
        _ => line,
    }
}

/// The verdict line.
#[component]
pub(crate) fn VerdictLine(#[prop(into)] text: Signal<(String, &'static str)>) -> impl IntoView {
    view! {
        <p class=move || format!("verdict verdict-{}", text.get().1) data-testid="verdict">
            {move || text.get().0}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::verdict_text;
    use crate::state::pattern_checks::PatternHold;
    use flowgate_core::run_input::{
        InputCheck, SearchOutcome, Searches, SearchesElsewhere, StoredSchema, check_run_input_with,
    };
    use flowgate_core::{ResumeVerdict, Undecided};

    #[test]
    fn server_words_are_kept_verbatim() {
        let decided = ResumeVerdict::HttpError {
            status: 422,
            reason: "Input should be a valid dictionary".into(),
        };
        assert_eq!(
            verdict_text(&decided),
            (
                "the server will refuse it (HTTP 422): Input should be a valid dictionary"
                    .to_owned(),
                "reject"
            )
        );
        let undecided = ResumeVerdict::ServerDecides {
            reason: "a template".into(),
            why: Undecided::ServerData,
        };
        assert_eq!(
            verdict_text(&undecided),
            ("only the server can tell: a template".to_owned(), "other")
        );
    }

    #[test]
    fn outside_the_measured_releases_the_line_says_so_then_what_the_nearest_would_answer() {
        use flowgate_core::{PrefectVersion, Unmeasured};
        let release = Unmeasured::Older {
            version: PrefectVersion::new(3, 2, 0),
        };
        let undecided = ResumeVerdict::ServerDecides {
            reason: release.reason(),
            why: Undecided::Release { release },
        };
        let nearest = ResumeVerdict::HttpError {
            status: 422,
            reason: "Input should be a valid dictionary".into(),
        };
        let line = super::with_nearest(verdict_text(&undecided), &undecided, Some(&nearest));
        assert_eq!(
            line,
            (
                "only the server can tell: This server runs Prefect 3.2.0, older than the \
                 releases Flowgate's verdicts are exact for (3.4 to 3.9). On Prefect 3.4, the \
                 server will refuse it (HTTP 422): Input should be a valid dictionary"
                    .to_owned(),
                "other"
            )
        );
        // Any other verdict is left as it is.
        assert_eq!(
            super::with_nearest(verdict_text(&nearest), &nearest, Some(&undecided)),
            verdict_text(&nearest)
        );
    }

    /// The verdict core gives `input` against `schema`, with searches run elsewhere.
    fn undecided(
        schema: &serde_json::Value,
        input: serde_json::Value,
        searches: Searches<'_>,
    ) -> ResumeVerdict {
        let serde_json::Value::Object(input) = input else {
            panic!("an object")
        };
        let rules = flowgate_core::ServerRules::BUILT_FOR;
        match check_run_input_with(&input, Some(StoredSchema::Json(schema)), searches, rules) {
            InputCheck::ServerDecides { reason, why } => {
                ResumeVerdict::ServerDecides { reason, why }
            }
            other => panic!("not left to the server: {other:?}"),
        }
    }

    #[test]
    fn a_pattern_search_running_or_stopped_is_said_so_and_holds_the_input_back() {
        let elsewhere = SearchesElsewhere::new();
        let searches = Searches::elsewhere(&elsewhere);
        let schema =
            serde_json::json!({"properties": {"code": {"type": "string", "pattern": "^(a+)+$"}}});
        let input = serde_json::json!({"code": "aaaa!"});
        // While the worker searches.
        let checking = undecided(&schema, input.clone(), searches);
        assert_eq!(PatternHold::of(&checking), Some(PatternHold::Checking));
        assert_eq!(
            verdict_text(&checking),
            (
                "checking the input against the schema's pattern, off the page's main thread…"
                    .to_owned(),
                "other"
            )
        );
        // The worker stopped it.
        for check in elsewhere.take() {
            elsewhere.settle(&check, SearchOutcome::Stopped { after_ms: 1000 });
        }
        let stopped = undecided(&schema, input.clone(), searches);
        assert_eq!(PatternHold::of(&stopped), Some(PatternHold::Stopped));
        assert_eq!(
            verdict_text(&stopped),
            (
                "not sent: the pattern '^(a+)+$' cannot be run here (the browser's RegExp was \
                 still searching after 1000 ms and was stopped: the pattern backtracks on this \
                 input, and may not finish). Prefect's server would run the same search with \
                 Python's re, which backtracks the same way and can keep the server busy for \
                 hours. Change the input."
                    .to_owned(),
                "reject"
            )
        );
        // The worker's engine failed: only the server can tell, and nothing holds it back.
        let other_input = serde_json::json!({"code": "b"});
        undecided(&schema, other_input.clone(), searches);
        for check in elsewhere.take() {
            elsewhere.settle(&check, SearchOutcome::Failed("out of memory".into()));
        }
        let failed = undecided(&schema, other_input, searches);
        assert_eq!(PatternHold::of(&failed), None);
        assert_eq!(
            verdict_text(&failed).0,
            "only the server can tell: Only the server can validate this input: the pattern \
             '^(a+)+$' cannot be run here (out of memory)."
        );
    }
}
