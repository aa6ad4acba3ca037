//! The answer the server will give, above the resume button.

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
}
