//! Rejecting the run: a required reason, what Prefect will answer and what becomes of the
//! waiting process (said before sending), one request, the outcome in the same words as a
//! resume's.

use chrono::{DateTime, Utc};
use flowgate_core::{FlowRun, ResumeVerdict, Undecided, reject_message, reject_plan_on};
use leptos::prelude::*;

use super::decision::{Deciding, DecisionSignals};
use crate::components::decision_outcome::{Outcome, aftermath_text};
use crate::components::gate_asking::AskingForGate;
use crate::components::verdict_line::{verdict_text, with_nearest};
use crate::state::connection::{Connection, ServerVersion};
use crate::state::gate::GatePresence;

/// What a gate says of rejecting, when decisions go through one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GateSay {
    /// The person the gate signed in (the reject's message names them).
    pub(crate) user: String,
    /// Why they may not reject, if they may not.
    pub(crate) refused: Option<String>,
}

/// The reject form of a paused run.
#[component]
pub(crate) fn RejectPanel(
    run: FlowRun,
    /// The reason typed so far (kept by the page across reloads).
    reason: RwSignal<String>,
    /// The page's clock.
    clock: ReadSignal<DateTime<Utc>>,
    /// Locked when the run changed elsewhere.
    #[prop(into)]
    locked: Signal<bool>,
    /// Where the reject's answer goes, shared with the resume.
    decisions: DecisionSignals,
    /// With a gate: who is signed in and whether its policy lets them reject.
    #[prop(into)]
    gate: Signal<Option<GateSay>>,
) -> impl IntoView {
    let deciding = decisions.deciding;
    let connection = expect_context::<Connection>();
    // Until it is known whether a gate decides, it is not known where a reject goes.
    let presence = use_context::<GatePresence>().unwrap_or_else(GatePresence::absent);
    let id = run.id;
    // Through a gate the message names the person it signed in; else the name in Settings.
    let decider = move || match gate.get() {
        Some(say) => Some(say.user).filter(|u| !u.is_empty()),
        None => connection.settings.with(|s| s.decider()).name,
    };
    // The message as it will be sent, or why nothing can be sent yet.
    let message = Memo::new(move |_| {
        let name = decider();
        reject_message(name.as_deref(), &reason.get())
    });
    let refused = move || gate.get().and_then(|say| say.refused);
    let timeout = run
        .state
        .as_ref()
        .and_then(|s| s.state_details.pause_timeout);
    let timed_out = Memo::new(move |_| timeout.is_some_and(|t| t < clock.get()));
    // The plan: with a placeholder message until a reason is typed, so the page says what
    // will happen before anything is written.
    let server_rules = ServerVersion::use_rules();
    let plan = Memo::new(move |_| {
        let _ = timed_out.get();
        let text = message
            .get()
            .unwrap_or_else(|_| "Rejected: (reason)".into());
        reject_plan_on(&run, &text, clock.get_untracked(), server_rules())
    });
    let reject = move |_| {
        if message.with_untracked(Result::is_err) || untrack(|| presence.asking()) {
            return;
        }
        let client = connection.client_untracked();
        let reason = reason.get_untracked();
        let decider = connection.settings.get_untracked().decider();
        let through_gate = gate.get_untracked().is_some();
        decisions.send(Deciding::Reject, async move {
            if through_gate {
                return client?
                    .gate_reject::<flowgate_core::gate::GateReject>(id, &reason)
                    .await
                    .map(|r| Outcome::GateRejected(Box::new(r)));
            }
            client?
                .reject_decided(id, &reason, &decider, false)
                .await
                .map(|d| Outcome::Rejected(Box::new(d)))
        });
    };
    view! {
        <fieldset class="reject" disabled=locked data-testid="reject-panel">
            <h2>"Reject"</h2>
            <label>"Reason (required)"
                <textarea data-testid="reject-reason" rows="2" prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                    placeholder="e.g. image tag not signed"></textarea>
            </label>
            {move || match plan.get() {
                Err(why) => view! { <p class="verdict verdict-reject" data-testid="reject-plan">{why}</p> }.into_any(),
                Ok(plan) => {
                    let answer = ResumeVerdict::Answer(Box::new(plan.answer.clone()));
                    let (line, class) = match plan.unmeasured {
                        None => {
                            let (line, class) = verdict_text(&answer);
                            (format!("The reject {line}."), class)
                        }
                        // Worded as the resume's verdict line is, by the same function.
                        Some(release) => {
                            let undecided = ResumeVerdict::ServerDecides { reason: release.reason(), why: Undecided::Release { release } };
                            let (line, class) = with_nearest(verdict_text(&undecided), &undecided, Some(&answer));
                            (format!("The reject: {line}."), class)
                        }
                    };
                    view! {
                        <p class=format!("verdict verdict-{class}") data-testid="reject-verdict">{line}</p>
                        <p class="plan" data-testid="reject-plan">{aftermath_text(&plan.aftermath)}</p>
                    }.into_any()
                }
            }}
            <p class="hint" data-testid="reject-message">{move || match message.get() {
                Ok(text) => format!("The run's state message will read: {text}"),
                Err(why) => why,
            }}</p>
            {move || refused().map(|why| view! { <p class="verdict verdict-reject" data-testid="reject-policy">{why}</p> })}
            <AskingForGate what="you can reject"/>
            <button type="button" class="danger" data-testid="reject" on:click=reject
                disabled=move || deciding.with(Option::is_some) || message.with(Result::is_err) || plan.with(Result::is_err) || locked.get() || refused().is_some() || presence.asking()>
                {move || if deciding.get() == Some(Deciding::Reject) { "Rejecting…" } else { "Reject" }}
            </button>
        </fieldset>
    }
}
