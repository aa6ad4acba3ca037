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

/// A read that failed: its error, and a button that reads again by bumping `retry`, the
/// counter the read tracks (the page's other parts and anything typed stay as they are).
#[component]
pub(crate) fn ReadError(error: ClientError, retry: RwSignal<u64>) -> impl IntoView {
    view! { <TryAgain retry=retry><ErrorText error=error/></TryAgain> }
}

/// Something that failed, said as an alert (`children`), and a Try again button that bumps
/// `retry`, the counter the failed work tracks.
#[component]
pub(crate) fn TryAgain(retry: RwSignal<u64>, children: Children) -> impl IntoView {
    view! {
        <p class="read-error" role="alert">
            {children()}" "
            <button type="button" class="secondary" data-testid="try-again"
                on:click=move |_| retry.update(|n| *n += 1)>"Try again"</button>
        </p>
    }
}
