//! Rejecting a paused run: which state Flowgate proposes, what the server will answer, and
//! what then happens to the run and to a flow process that is still waiting.
//!
//! Prefect has no "reject": a paused run is ended by proposing `CANCELLING` or `CANCELLED`
//! through `POST /flow_runs/{id}/set_state` (with `force: false`, so the server's rules
//! apply). [`cancel_verdict`] predicts the answer to either proposal from any state,
//! following `CoreFlowPolicy` of Prefect 3.9.1 in its order, first match wins:
//!
//! 1. from a terminal state: `CANCELLING` → ABORT `Run is already in terminal state X.`
//!    (with the current state, unlike the resume endpoint's ABORT);
//!    `CANCELLED` is accepted (the server does not protect finished runs from it, which is
//!    why Flowgate only ever sends a reject for a run it has just read as paused);
//! 2. from `CANCELLING`, `CANCELLING` again → REJECT, the run unchanged;
//! 3. `CANCELLING` from a scheduled run without infrastructure or a "Resuming" one, or from
//!    a suspended run → REJECT carrying a new `Cancelled` state (the run *is* cancelled);
//! 4. from a pause that reschedules, without a deployment → REJECT, unchanged;
//!    `CANCELLING` → ACCEPT even after the pause timed out; a timed-out pause otherwise →
//!    REJECT into a new `Failed` state;
//! 5. otherwise ACCEPT.
//!
//! [`reject_plan`] picks the proposal that ends a paused run Cancelled with the reason in
//! its message wherever the server allows it (see the core's README for the measurements).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::flow_run::FlowRun;
use crate::orchestration::{DetailsType, SetStateStatus};
use crate::resume::{ExpectedAnswer, ExpectedState, expected as answer, leaving_pause};
use crate::state::StateType;
use crate::version::{ServerRules, Unmeasured};

/// Reason when a suspended run is asked to go to CANCELLING.
pub const SUSPENDED_NO_INFRASTRUCTURE: &str =
    "Suspended flow run has no infrastructure to terminate.";
/// Reason when a scheduled (or resuming) run is asked to go to CANCELLING.
pub const SCHEDULED_NO_INFRASTRUCTURE: &str =
    "Scheduled flow run has no infrastructure to terminate.";
/// Reason when a cancelling run is asked to go to CANCELLING again.
pub const CANCELLING_ONLY_TO_CANCELLED: &str =
    "Cannot transition flows that are cancelling to a state other than Cancelled.";

/// Why Flowgate will not send a reject.
pub const ONLY_PAUSED: &str = "Only a paused run can be rejected";

/// The longest reason a person may give; the state message carries it whole.
pub const MAX_REASON_CHARS: usize = 2_000;

/// What becomes of the run, and of a flow process that may still be waiting, after the
/// reject the plan sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Aftermath {
    /// The run becomes Cancelling; the runner or worker that started it for its deployment
    /// stops the waiting process and marks the run Cancelled.
    StoppedByRunner,
    /// The run becomes Cancelled now, but its process has nothing to stop it: it keeps
    /// waiting until the pause times out at `until`, then gives up: it marks the run Failed
    /// on Prefect 3.6.29 and later, and leaves it Cancelled up to 3.6.11.
    IdleUntil {
        /// The pause's timeout.
        until: DateTime<Utc>,
        /// Whether the process marks the run Failed when it gives up (`None`: not measured
        /// for this release).
        #[serde(rename = "thenFailed")]
        then_failed: Option<bool>,
    },
    /// The run becomes Cancelled now and nothing waits (a suspended run has no process).
    NothingWaits,
    /// The pause timed out: the server will not cancel the run and ends it Failed instead
    /// (as it does for a resume); no process waits any more.
    FailedByServer,
    /// The server refuses; the run stays as it is.
    Unchanged,
}

impl Aftermath {
    /// The plain words for a person deciding, times in UTC.
    pub fn explain(&self) -> String {
        self.explain_with(minutes_utc)
    }

    /// [`Aftermath::explain`] with times written by `time` (the console: the browser's zone).
    pub fn explain_with(&self, time: impl Fn(&DateTime<Utc>) -> String) -> String {
        match self {
            Aftermath::StoppedByRunner => "The run becomes Cancelling; the runner or worker of its deployment stops the waiting flow process and marks the run Cancelled. The code after the pause never runs. If no runner or worker serves the deployment any more, the run stays Cancelling.".into(),
            Aftermath::IdleUntil { until, then_failed } => format!(
                "The run becomes Cancelled now and the code after the pause never runs. Its flow \
                 process has no runner to stop it: it keeps waiting until the pause times out at \
                 {}, then {}",
                time(until),
                match then_failed {
                    Some(true) => "marks the run Failed.",
                    Some(false) => "gives up, and the run stays Cancelled.",
                    None => "gives up; whether it then marks the run Failed was not measured for \
                             this Prefect release.",
                }
            ),
            Aftermath::NothingWaits => "The run becomes Cancelled now. It is suspended, so no flow process waits and nothing runs again.".into(),
            Aftermath::FailedByServer => "The pause has timed out: Prefect will not cancel the run and ends it Failed instead (\"The flow was cancelled and never resumed.\"), as it would for a resume. No flow process waits any more.".into(),
            Aftermath::Unchanged => "The server refuses; the run stays as it is.".into(),
        }
    }
}

/// `2026-11-30 10:42 UTC`, without chrono's format-string machinery (which would add tens of
/// kilobytes to the wasm builds).
fn minutes_utc(at: &DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// How Flowgate will reject a paused run, and what the server will answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejectPlan {
    /// The state proposed: `CANCELLING` or `CANCELLED`.
    pub proposed: StateType,
    /// The server's answer, field by field.
    pub answer: ExpectedAnswer,
    /// Whether the run's new state carries the reject message (false where the server
    /// writes its own Cancelled state instead).
    pub keeps_message: bool,
    /// What happens next.
    pub aftermath: Aftermath,
    /// `None` when the server's release is among those measured; otherwise why the answer
    /// above is that of the nearest measured release, and only the server can tell.
    pub unmeasured: Option<Unmeasured>,
}

/// The state message of a reject: `Rejected by ana: image tag not signed`, or
/// `Rejected: …` when no name is given; an error when the reason is blank or too long.
pub fn reject_message(decider: Option<&str>, reason: &str) -> Result<String, String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err("A reason is required to reject a run.".into());
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(format!(
            "The reason is longer than {MAX_REASON_CHARS} characters."
        ));
    }
    Ok(match decider.map(str::trim).filter(|d| !d.is_empty()) {
        Some(who) => format!("Rejected by {who}: {reason}"),
        None => format!("Rejected: {reason}"),
    })
}

/// Chooses the proposal that ends `flow_run` Cancelled, for a run that is paused now.
///
/// - suspended, with a deployment, pause not timed out: `CANCELLED`, accepted with the
///   message;
/// - suspended otherwise: `CANCELLING`, which the server turns into its own `Cancelled`;
/// - paused in its process, with a deployment: `CANCELLING`, so its runner or worker stops
///   the process;
/// - paused in its process, without one: `CANCELLED` (a `CANCELLING` run would stay so,
///   as nothing stops the process); once the pause timed out the server turns it into
///   `Failed`, which the plan says (a `CANCELLING` run would stay so for good).
pub fn reject_plan(
    flow_run: &FlowRun,
    message: &str,
    now: DateTime<Utc>,
) -> Result<RejectPlan, String> {
    reject_plan_on(flow_run, message, now, ServerRules::BUILT_FOR)
}

/// [`reject_plan`] for a server with `rules`: before Prefect 3.8.6 a paused run cannot be
/// proposed `CANCELLING`, so a run of a deployment is ended `CANCELLED` as if it had none
/// (its process is not stopped by a runner; it waits until its pause times out).
pub fn reject_plan_on(
    flow_run: &FlowRun,
    message: &str,
    now: DateTime<Utc>,
    rules: ServerRules,
) -> Result<RejectPlan, String> {
    let Some(current) = flow_run
        .state
        .as_ref()
        .filter(|s| s.state_type == StateType::Paused)
    else {
        let what = flow_run
            .state
            .as_ref()
            .map(|s| s.name.clone().unwrap_or_else(|| s.state_type.to_string()))
            .unwrap_or_else(|| "without a state".into());
        return Err(format!("{ONLY_PAUSED}; this one is {what}."));
    };
    let details = &current.state_details;
    let timed_out = details.pause_timeout.filter(|t| *t < now);
    let has_deployment = flow_run.deployment_id.is_some();
    let (proposed, aftermath) = if details.pause_reschedule {
        if has_deployment && timed_out.is_none() {
            (StateType::Cancelled, Aftermath::NothingWaits)
        } else {
            (StateType::Cancelling, Aftermath::NothingWaits)
        }
    } else if has_deployment && rules.paused_may_cancel_through_cancelling {
        (StateType::Cancelling, Aftermath::StoppedByRunner)
    } else if timed_out.is_some() {
        (StateType::Cancelled, Aftermath::FailedByServer)
    } else {
        match details.pause_timeout {
            Some(until) => {
                let then_failed = rules.idle_process_fails_rejected_run;
                let aftermath = Aftermath::IdleUntil { until, then_failed };
                (StateType::Cancelled, aftermath)
            }
            None => (StateType::Cancelled, Aftermath::NothingWaits),
        }
    };
    let answer = cancel_verdict_on(flow_run, &proposed, Some(message), now, rules);
    let keeps_message = answer
        .state
        .as_ref()
        .is_some_and(|s| !s.unchanged && s.message.as_deref() == Some(message));
    let aftermath = if answer.state.as_ref().is_none_or(|s| s.unchanged) {
        Aftermath::Unchanged
    } else {
        aftermath
    };
    Ok(RejectPlan {
        proposed,
        answer,
        keeps_message,
        aftermath,
        unmeasured: rules.unmeasured,
    })
}

/// Predicts the server's answer to `POST /flow_runs/{id}/set_state` with
/// `{"state": {"type": proposed, "name": <its name>, "message": message}, "force": false}`
/// for `proposed` `CANCELLING` or `CANCELLED`, from whatever state the run is in.
///
/// # Panics
/// Never; any other `proposed` is predicted as the server's generic ACCEPT.
pub fn cancel_verdict(
    flow_run: &FlowRun,
    proposed: &StateType,
    message: Option<&str>,
    now: DateTime<Utc>,
) -> ExpectedAnswer {
    cancel_verdict_on(flow_run, proposed, message, now, ServerRules::BUILT_FOR)
}

/// [`cancel_verdict`] for a server with `rules`.
pub fn cancel_verdict_on(
    flow_run: &FlowRun,
    proposed: &StateType,
    message: Option<&str>,
    now: DateTime<Utc>,
    rules: ServerRules,
) -> ExpectedAnswer {
    let new_state = ExpectedState {
        state_type: proposed.clone(),
        name: Some(state_name(proposed).into()),
        message: message.map(str::to_owned),
        unchanged: false,
    };
    let server_cancelled = ExpectedState {
        state_type: StateType::Cancelled,
        name: Some("Cancelled".into()),
        message: None,
        unchanged: false,
    };
    let accept = || {
        answer(
            201,
            SetStateStatus::Accept,
            DetailsType::Accept,
            None,
            Some(new_state.clone()),
        )
    };
    let Some(current) = flow_run.state.as_ref() else {
        return accept();
    };
    let cancelling = *proposed == StateType::Cancelling;
    let unchanged = || Some(ExpectedState::unchanged(current));

    if current.state_type.is_final() {
        if cancelling {
            let reason = format!("Run is already in terminal state {}.", current.state_type);
            let reason = reason.as_str();
            return answer(
                200,
                SetStateStatus::Abort,
                DetailsType::Abort,
                Some(reason),
                // Unlike the resume endpoint's ABORT, this one carries the current state.
                unchanged(),
            );
        }
        return accept();
    }
    if current.state_type == StateType::Cancelling && cancelling {
        return answer(
            200,
            SetStateStatus::Reject,
            DetailsType::Reject,
            Some(CANCELLING_ONLY_TO_CANCELLED),
            unchanged(),
        );
    }
    if cancelling {
        let scheduled_without_infra = current.state_type == StateType::Scheduled
            && flow_run
                .infrastructure_pid
                .as_deref()
                .is_none_or(str::is_empty);
        if scheduled_without_infra || current.name.as_deref() == Some("Resuming") {
            return answer(
                201,
                SetStateStatus::Reject,
                DetailsType::Reject,
                Some(SCHEDULED_NO_INFRASTRUCTURE),
                Some(server_cancelled),
            );
        }
        if current.state_type == StateType::Paused && current.state_details.pause_reschedule {
            return answer(
                201,
                SetStateStatus::Reject,
                DetailsType::Reject,
                Some(SUSPENDED_NO_INFRASTRUCTURE),
                Some(server_cancelled),
            );
        }
    }
    if cancelling
        && current.state_type == StateType::Paused
        && !rules.paused_may_cancel_through_cancelling
    {
        // Before 3.8.6 the rule for runs leaving a pause lets only running, scheduled and
        // final states through (measured on 3.4.25).
        let reason = format!(
            "This run cannot transition to the {} state from the {} state.",
            python_state_type(proposed),
            python_state_type(&current.state_type)
        );
        return answer(
            200,
            SetStateStatus::Reject,
            DetailsType::Reject,
            Some(&reason),
            unchanged(),
        );
    }
    if current.state_type == StateType::Paused {
        let display = state_name(proposed).to_ascii_lowercase();
        if let Some(refused) = leaving_pause(flow_run, current, &display, !cancelling, now) {
            return refused;
        }
    }
    accept()
}

/// How Python prints a state type in Prefect's messages: `StateType.CANCELLING`.
fn python_state_type(state_type: &StateType) -> String {
    format!("StateType.{state_type}")
}

/// The name Flowgate gives a proposed state (Prefect's default names).
pub fn state_name(state_type: &StateType) -> &'static str {
    match state_type {
        StateType::Cancelling => "Cancelling",
        StateType::Cancelled => "Cancelled",
        StateType::Scheduled => "Scheduled",
        StateType::Pending => "Pending",
        StateType::Running => "Running",
        StateType::Completed => "Completed",
        StateType::Failed => "Failed",
        StateType::Crashed => "Crashed",
        StateType::Paused => "Paused",
        StateType::Unknown(_) => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::PrefectVersion;

    /// A plain paused run as the real server returned it, given a deployment.
    fn deployed_paused_run() -> FlowRun {
        let cases: Vec<serde_json::Value> =
            serde_json::from_str(include_str!("../tests/fixtures/resume_cases.json"))
                .expect("fixture is JSON");
        let case = cases
            .iter()
            .find(|c| c["name"] == "input_empty")
            .expect("the recorded case");
        let mut run = case["flow_run"].clone();
        run["deployment_id"] = "5b2fef16-b6fd-4048-bf91-c59ed2f00e81".into();
        crate::parse::from_value("flow run", run).expect("a run")
    }

    #[test]
    fn before_3_8_6_a_deployed_run_is_rejected_cancelled_as_the_server_refuses_cancelling() {
        let run = deployed_paused_run();
        let now = DateTime::<Utc>::MIN_UTC;
        let old = ServerRules::of(Some(PrefectVersion::new(3, 4, 25)));
        // The transition the server refuses before 3.8.6, in its words (measured on 3.4.25).
        let refused = cancel_verdict_on(&run, &StateType::Cancelling, Some("m"), now, old);
        assert_eq!(refused.status, SetStateStatus::Reject);
        assert_eq!(refused.http_status, 200);
        assert_eq!(
            refused.reason.as_deref(),
            Some(
                "This run cannot transition to the StateType.CANCELLING state from the \
                 StateType.PAUSED state."
            )
        );
        assert!(refused.state.as_ref().is_some_and(|s| s.unchanged));
        // So the plan proposes CANCELLED, which the server accepts; nothing stops the process.
        let plan = reject_plan_on(&run, "m", now, old).expect("paused");
        assert_eq!(plan.proposed, StateType::Cancelled);
        assert_eq!(plan.answer.status, SetStateStatus::Accept);
        assert!(
            matches!(
                plan.aftermath,
                Aftermath::IdleUntil {
                    then_failed: Some(false),
                    ..
                }
            ),
            "{:?}",
            plan.aftermath
        );
        assert!(
            plan.aftermath
                .explain()
                .ends_with("the run stays Cancelled.")
        );
        // From 3.8.6 the runner is asked to stop it.
        let plan = reject_plan(&run, "m", now).expect("paused");
        assert_eq!(plan.proposed, StateType::Cancelling);
        assert_eq!(plan.aftermath, Aftermath::StoppedByRunner);
        assert_eq!(plan.unmeasured, None);
    }

    #[test]
    fn outside_the_measured_releases_only_the_server_can_tell() {
        use crate::resume::{ResumeVerdict, StoredSchema, resume_verdict_with};
        use crate::run_input::{Searches, Undecided};
        use crate::version::Unmeasured;
        let run = deployed_paused_run();
        let now = DateTime::<Utc>::MIN_UTC;
        let verdict = |rules: ServerRules| {
            resume_verdict_with(
                &run,
                StoredSchema::Missing,
                None,
                now,
                Searches::HERE,
                rules,
            )
        };
        assert!(matches!(
            verdict(ServerRules::BUILT_FOR),
            ResumeVerdict::Answer(_)
        ));
        let newer = ServerRules::of(Some(PrefectVersion::new(3, 10, 0)));
        match verdict(newer) {
            ResumeVerdict::ServerDecides { reason, why } => {
                assert_eq!(
                    reason,
                    "This server runs Prefect 3.10.0, newer than the releases Flowgate's \
                     verdicts are exact for (3.4 to 3.9)."
                );
                assert_eq!(
                    why,
                    Undecided::Release {
                        release: Unmeasured::Newer {
                            version: PrefectVersion::new(3, 10, 0)
                        }
                    }
                );
            }
            other => panic!("not left to the server: {other:?}"),
        }
        // What 3.9.1 would answer is still there for the console to show beside it.
        assert_eq!(
            verdict(newer.as_if_measured()),
            verdict(ServerRules::BUILT_FOR)
        );
        let unread = ServerRules::of(None);
        assert!(matches!(
            verdict(unread),
            ResumeVerdict::ServerDecides {
                why: Undecided::Release {
                    release: Unmeasured::Unread
                },
                ..
            }
        ));
        // A reject is planned by the nearest measured release's rules, and marked.
        let older = ServerRules::of(Some(PrefectVersion::new(3, 3, 2)));
        let plan = reject_plan_on(&run, "m", now, older).expect("paused");
        assert_eq!(plan.proposed, StateType::Cancelled);
        assert_eq!(
            plan.unmeasured,
            Some(Unmeasured::Older {
                version: PrefectVersion::new(3, 3, 2)
            })
        );
        assert_eq!(plan.unmeasured.map(|u| u.nearest()), Some("3.4"));
    }
}
