//! The resume: the verdict line, what the gate's policy says, and the button that resumes the
//! run (or approves it, through a gate) with the input as typed.

use flowgate_core::gate::{ApprovalOutcome, GateApproval};
use flowgate_core::{FlowRun, SetStateStatus};
use leptos::prelude::*;
use serde_json::Value;

use super::decision::{Deciding, DecisionSignals};
use super::gate_policy::{GatePolicy, PolicyLine};
use crate::components::decision_outcome::Outcome;
use crate::components::gate_asking::AskingForGate;
use crate::components::verdict_line::VerdictLine;
use crate::state::connection::Connection;
use crate::state::drafts;
use crate::state::gate::GatePresence;

/// The verdict line and the resume button of a paused run.
#[component]
pub(super) fn ResumeControls(
    run: FlowRun,
    /// The input as JSON (`None`: the run asks for none), or why it is not JSON yet.
    parsed: Memo<Result<Option<Value>, String>>,
    /// The verdict as a sentence, with its class.
    line: Signal<(String, &'static str)>,
    policy: GatePolicy,
    /// A pattern the input must match is still being checked.
    pattern_holds: Memo<bool>,
    /// Locked when the run changed elsewhere.
    locked: Signal<bool>,
    decisions: DecisionSignals,
    /// Set when Resume is pressed: a decision attempted shows the form's errors.
    acted: RwSignal<bool>,
) -> impl IntoView {
    let connection = expect_context::<Connection>();
    let gate = use_context::<GatePresence>().unwrap_or_else(GatePresence::absent);
    let id = run.id;
    let run = StoredValue::new(run);
    let deciding = decisions.deciding;
    let resume = move |input: Option<Value>| {
        let client = connection.client_untracked();
        let run = run.get_value();
        let decider = connection.settings.get_untracked().decider();
        let through_gate = gate.present();
        decisions.send(Deciding::Resume, async move {
            let result = if through_gate {
                client?
                    .gate_approve::<GateApproval>(id, input.as_ref())
                    .await
                    .map(|a| Outcome::Approved(Box::new(a)))
            } else {
                client?
                    .resume_decided(id, input.as_ref(), Some(&run), &decider, false)
                    .await
                    .map(|d| Outcome::Resumed(Box::new(d)))
            };
            let resumed = match &result {
                Ok(Outcome::Resumed(r)) => r.outcome.result.status == SetStateStatus::Accept,
                Ok(Outcome::Approved(a)) => a.outcome == ApprovalOutcome::Resumed,
                _ => false,
            };
            if resumed {
                drafts::clear(&id.to_string());
            }
            result
        });
    };
    let label = move || match deciding.get() {
        Some(Deciding::Resume) if gate.present() => "Approving…",
        Some(Deciding::Resume) => "Resuming…",
        _ => policy.resume_word(),
    };
    let send = move |_| {
        acted.set(true);
        if let Ok(input) = parsed.get_untracked() {
            resume(input);
        }
    };
    let disabled = move || {
        deciding.with(Option::is_some)
            || parsed.with(Result::is_err)
            || pattern_holds.get()
            || locked.get()
            || policy.blocks.get()
    };
    view! {
        <VerdictLine text=line/>
        <PolicyLine policy=policy/>
        <AskingForGate what="you can resume"/>
        <button class="primary" data-testid="resume" on:click=send disabled=disabled>
            {label}
        </button>
    }
}
