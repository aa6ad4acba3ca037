//! A client error in words a person can act on.

use flowgate_client::ClientError;
use leptos::prelude::*;

/// The error's own sentence (it never holds a credential).
#[component]
pub(crate) fn ErrorText(error: ClientError) -> impl IntoView {
    let kind = match &error {
        ClientError::Unreachable { .. } => "unreachable",
        ClientError::Timeout { .. } => "timeout",
        ClientError::Unauthorized { .. } => "unauthorized",
        ClientError::NotFound { .. } => "not-found",
        _ => "error",
    };
    view! { <span class="error" data-kind=kind>{error.to_string()}</span> }
}
