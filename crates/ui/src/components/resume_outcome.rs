//! What a resume did, in plain words: shared by the run page and the inbox's bulk resume.

use flowgate_client::{ClientError, Resumed};
use flowgate_core::{SetStateStatus, StateType};
use leptos::prelude::*;

use crate::components::error_view::ErrorText;

/// What happened, plainly.
pub(crate) fn outcome_view(outcome: Result<Resumed, ClientError>) -> AnyView {
    match outcome {
        Err(error) => view! { <p><ErrorText error=error/></p> }.into_any(),
        Ok(resumed) => {
            let result = resumed.result;
            let reason = result.details.reason().unwrap_or_default().to_owned();
            let state = result
                .state
                .as_ref()
                .and_then(|s| s.name.clone())
                .unwrap_or_default();
            let text = match &result.status {
                SetStateStatus::Accept => format!("Resumed: the run is now {state}."),
                SetStateStatus::Reject
                    if result
                        .state
                        .as_ref()
                        .is_some_and(|s| s.state_type == StateType::Failed) =>
                {
                    format!("Rejected: {reason} The run is now Failed.")
                }
                SetStateStatus::Reject => format!("Rejected: {reason}"),
                SetStateStatus::Abort => {
                    format!("Not resumed: {reason} Someone else may have resumed it already.")
                }
                other => format!("The server answered {other}: {reason}"),
            };
            view! { <p class="result" data-status=result.status.to_string()>{text}</p> }.into_any()
        }
    }
}
