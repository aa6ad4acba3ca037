//! The answer the server will give, above the resume button.

use crate::state::pattern_checks::STOPPED;
use flowgate_core::run_input::CHECKING;
use flowgate_core::{ResumeVerdict, SetStateStatus};
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
        ResumeVerdict::ServerDecides { reason } if reason.ends_with(&format!("({CHECKING})")) => (
            "checking the input against the schema's pattern, off the page's main thread…".into(),
            "other",
        ),
        // Prefect validates with Python's `re`, which backtracks as the browser's engine does
        // (and slower): sent, this search would hold the server, so it is not sent.
        ResumeVerdict::ServerDecides { reason } if reason.contains(STOPPED) => (
            format!(
                "not sent: {} Prefect's server would run the same search with Python's re, \
                 which backtracks the same way and can keep the server busy for hours. \
                 Change the input.",
                reason
                    .strip_prefix("Only the server can validate this input: ")
                    .unwrap_or(reason)
            ),
            "reject",
        ),
        ResumeVerdict::ServerDecides { reason } => {
            (format!("only the server can tell: {reason}"), "other")
        }
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
    use flowgate_core::ResumeVerdict;

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
        };
        assert_eq!(verdict_text(&undecided).1, "other");
    }

    #[test]
    fn a_pattern_search_running_or_stopped_is_said_so() {
        let checking = ResumeVerdict::ServerDecides {
            reason: format!(
                "Only the server can validate this input: the pattern 'x' cannot be run here ({})",
                flowgate_core::run_input::CHECKING
            ),
        };
        assert!(verdict_text(&checking).0.starts_with("checking the input"));
        let stopped = ResumeVerdict::ServerDecides {
            reason: format!(
                "Only the server can validate this input: the pattern 'x' cannot be run here (it {}).",
                crate::state::pattern_checks::STOPPED
            ),
        };
        let (text, class) = verdict_text(&stopped);
        assert!(
            text.starts_with("not sent: the pattern 'x' cannot be run here (it was stopped"),
            "{text}"
        );
        assert_eq!(class, "reject");
    }
}
