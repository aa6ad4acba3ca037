//! Why decisions wait while the console asks whether a gate decides (`state/gate.rs`).

use leptos::prelude::*;

use crate::state::gate::GatePresence;

/// Why a decision's button is off while the console asks whether a gate decides, once that
/// takes longer than a moment. Nothing is sent meanwhile: with a gate, a decision sent straight
/// to Prefect would be refused by the proxy, or name the wrong person.
#[component]
pub(crate) fn AskingForGate(
    /// What waits, as the sentence ends: "you can resume", "you can reject", …
    what: &'static str,
) -> impl IntoView {
    let gate = use_context::<GatePresence>().unwrap_or_else(GatePresence::absent);
    move || {
        gate.slow().then(|| {
            view! {
                <p class="verdict verdict-pending" role="status" data-testid="gate-asking">
                    {format!("Asking whether a gate decides here; {what} once it answers.")}
                </p>
            }
        })
    }
}
