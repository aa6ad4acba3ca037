//! What a decision did, in plain words, and whether it was recorded: shared by the run
//! page and the inbox's bulk actions, for resumes and rejects alike.

use flowgate_client::{ClientError, Decided, Rejected, Resumed};
use flowgate_core::gate::{ApprovalOutcome, GateApproval, GateRecord, GateReject};
use flowgate_core::reject::Aftermath;
use flowgate_core::{OrchestrationResult, SetStateStatus, StateType};
use leptos::prelude::*;
use uuid::Uuid;

use crate::components::error_view::ErrorText;
use crate::components::local_time::clock_time;

/// A decision's outcome.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// A resume.
    Resumed(Box<Decided<Resumed>>),
    /// A reject.
    Rejected(Box<Decided<Rejected>>),
    /// An approval through the gate.
    Approved(Box<GateApproval>),
    /// A reject through the gate.
    GateRejected(Box<GateReject>),
}

impl Outcome {
    /// Whether the decision changed the run (then nothing more is sent from its page).
    pub(crate) fn changed_run(&self) -> bool {
        match self {
            Outcome::Resumed(decided) => decided.outcome.state_written,
            Outcome::Rejected(decided) => decided.outcome.state_written,
            Outcome::Approved(approval) => approval.outcome != ApprovalOutcome::Recorded,
            Outcome::GateRejected(_) => true,
        }
    }
}

fn state_name(result: &OrchestrationResult) -> String {
    result
        .state
        .as_ref()
        .and_then(|s| s.name.clone())
        .unwrap_or_default()
}

fn ended_failed(result: &OrchestrationResult) -> bool {
    result
        .state
        .as_ref()
        .is_some_and(|s| s.state_type == StateType::Failed)
}

fn resume_text(result: &OrchestrationResult) -> String {
    let reason = result.details.reason().unwrap_or_default();
    match &result.status {
        SetStateStatus::Accept => {
            format!("Resumed: the server set the run to {}.", state_name(result))
        }
        SetStateStatus::Reject if ended_failed(result) => {
            format!("Not resumed: {reason} The server set the run to Failed.")
        }
        SetStateStatus::Reject => format!("Not resumed: {reason}"),
        SetStateStatus::Abort => {
            // Someone else, or an earlier copy of this very request: a browser re-sends a
            // request whose connection broke before the answer (web/tests/faults/).
            format!(
                "Not resumed: {reason} It may have been decided already — by someone else, or by this request if the connection broke and the browser sent it again."
            )
        }
        other => format!("The server answered {other}: {reason}"),
    }
}

/// What happens after a reject, with times in the browser's zone.
pub(crate) fn aftermath_text(aftermath: &Aftermath) -> String {
    aftermath.explain_with(|at| clock_time(*at))
}

fn reject_text(rejected: &Rejected) -> String {
    let result = &rejected.result;
    let reason = result.details.reason().unwrap_or_default();
    let cancelled = result.state.as_ref().is_some_and(|s| {
        matches!(s.state_type, StateType::Cancelled | StateType::Cancelling)
            && rejected.state_written
    });
    match &result.status {
        SetStateStatus::Accept => format!(
            "Rejected: the server set the run to {}. {}",
            state_name(result),
            aftermath_text(&rejected.plan.aftermath)
        ),
        SetStateStatus::Reject if cancelled => format!(
            "Rejected: the server set the run to {} (Prefect: {reason} The reason is kept in the decision record.)",
            state_name(result)
        ),
        SetStateStatus::Reject if ended_failed(result) => {
            format!("Not rejected: {reason} The server set the run to Failed.")
        }
        SetStateStatus::Reject | SetStateStatus::Abort => format!("Not rejected: {reason}"),
        other => format!("The server answered {other}: {reason}"),
    }
}

fn record_view(record: Option<Result<Uuid, ClientError>>) -> Option<AnyView> {
    Some(match record? {
        Ok(_) => view! {
            <span class="record" data-testid="record-ok">" Recorded as a Prefect event."</span>
        }
        .into_any(),
        Err(error) => view! {
            <span class="record missing" data-testid="record-missing">
                " The decision stands, but its record is missing: " <ErrorText error=error/>
            </span>
        }
        .into_any(),
    })
}

/// A gate's decision record, as the page says it.
fn gate_record_view(record: GateRecord) -> AnyView {
    match record.error {
        None => view! {
            <span class="record" data-testid="record-ok">" Recorded as a Prefect event, with the identity the gate checked."</span>
        }
        .into_any(),
        Some(error) => view! {
            <span class="record missing" data-testid="record-missing">
                " The decision stands, but its record is missing: " {error}
            </span>
        }
        .into_any(),
    }
}

/// "alice", "alice and bob", "alice, bob and carol".
fn names(people: &[String]) -> String {
    match people {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn approval_view(approval: GateApproval) -> AnyView {
    let GateApproval {
        outcome,
        needed,
        approvers,
        result,
        record,
        state_type,
        ..
    } = approval;
    match (outcome, result) {
        (ApprovalOutcome::Resumed, Some(result)) => {
            let status = result.status.to_string();
            let text = format!(
                "{} Approved by {}.",
                resume_text(&result),
                names(&approvers)
            );
            view! {
                <p class="result" data-status=status data-decision="approve">{text}{record.map(gate_record_view)}</p>
            }
            .into_any()
        }
        (ApprovalOutcome::AlreadyResumed, _) => {
            let now = state_type
                .map(|t| t.to_string())
                .unwrap_or_else(|| "in another state".into());
            view! {
                <p class="result" data-status="ALREADY" data-decision="approve">
                    {format!("The approvals were complete and the run was resumed by another request; it is now {now}.")}
                </p>
            }
            .into_any()
        }
        _ => {
            let text = format!(
                "Your approval is recorded: {} of {needed} so far ({}). The run stays paused until {needed} people approve the same input.",
                approvers.len(),
                names(&approvers),
            );
            view! { <p class="result" data-status="RECORDED" data-decision="approve">{text}</p> }
                .into_any()
        }
    }
}

/// What happened, plainly.
pub(crate) fn outcome_view(outcome: Result<Outcome, ClientError>) -> AnyView {
    match outcome {
        Err(error) => view! { <p><ErrorText error=error/></p> }.into_any(),
        Ok(Outcome::Resumed(decided)) => {
            let result = &decided.outcome.result;
            let status = result.status.to_string();
            let text = resume_text(result);
            view! {
                <p class="result" data-status=status data-decision="resume">{text}{record_view(decided.record)}</p>
            }
            .into_any()
        }
        Ok(Outcome::Approved(approval)) => approval_view(*approval),
        Ok(Outcome::GateRejected(rejected)) => {
            let status = rejected.result.status.to_string();
            let text = format!(
                "Rejected: the server set the run to {}. Its state message reads: {}",
                state_name(&rejected.result),
                rejected.message
            );
            view! {
                <p class="result" data-status=status data-decision="reject">{text}{gate_record_view(rejected.record)}</p>
            }
            .into_any()
        }
        Ok(Outcome::Rejected(decided)) => {
            let status = decided.outcome.result.status.to_string();
            let text = reject_text(&decided.outcome);
            view! {
                <p class="result" data-status=status data-decision="reject">{text}{record_view(decided.record)}</p>
            }
            .into_any()
        }
    }
}
