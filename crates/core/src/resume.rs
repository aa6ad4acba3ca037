//! The resume verdict: what `POST /flow_runs/{id}/resume` will answer, decided locally.
//!
//! [`resume_verdict`] follows the server's decision order (Prefect 3.9.1,
//! `api/flow_runs.py::resume_flow_run` and the `HandleResumingPausedFlows` rule), first
//! match wins:
//!
//! 1. the request body itself: `run_input` that is not an object → HTTP 422;
//! 2. the run is not paused → ABORT;
//! 3. the pause asked for input → hydrate, find and parse the schema, validate → REJECT
//!    (with `abort_details`, as the server does) on the first failure;
//! 4. the pause reschedules and the run has no deployment → REJECT;
//! 5. the pause has timed out → REJECT into a new FAILED state (HTTP 201);
//! 6. otherwise ACCEPT into Running, or Scheduled "Resuming" for a suspended run.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::flow_run::FlowRun;
use crate::orchestration::{DetailsType, OrchestrationResult, SetStateStatus};
pub use crate::run_input::StoredSchema;
use crate::run_input::{InputCheck, Searches, Undecided, ValidationIssue, check_run_input_with};
use crate::state::{State, StateType};
use crate::version::ServerRules;

/// Reason of the ABORT for a run that is not paused.
pub const NOT_PAUSED: &str = "Cannot resume a flow run that is not paused.";
/// Reason when a suspended run has no deployment to be rescheduled by.
pub const RESCHEDULE_WITHOUT_DEPLOYMENT: &str =
    "Cannot reschedule a resuming flow run without a deployment.";
/// Reason when the pause has timed out.
pub const PAUSE_TIMED_OUT: &str = "The flow run pause has timed out and can no longer resume.";

/// What the server will answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResumeVerdict {
    /// An orchestration result, known exactly.
    Answer(Box<ExpectedAnswer>),
    /// The server refuses the request without orchestrating: 422 for a body it rejects,
    /// 500 where the server fails on the stored data.
    HttpError {
        /// The HTTP status.
        status: u16,
        /// What goes wrong.
        reason: String,
    },
    /// Only the server can decide (Jinja templates, workspace variables, a pattern no
    /// engine here runs as Python's `re` does).
    ServerDecides {
        /// Why the outcome cannot be known here, in words.
        reason: String,
        /// The same, as data.
        why: Undecided,
    },
}

/// An orchestration result predicted field by field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedAnswer {
    /// 201 when the server writes a new state (ACCEPT, and the timed-out REJECT), else 200.
    pub http_status: u16,
    /// ACCEPT, REJECT or ABORT.
    pub status: SetStateStatus,
    /// The `type` tag of the details.
    pub details_type: DetailsType,
    /// The reason, byte for byte.
    pub reason: Option<String>,
    /// The state in the answer; `None` for ABORT.
    pub state: Option<ExpectedState>,
    /// Every validation error, for forms (empty unless validation failed).
    pub errors: Vec<ValidationIssue>,
    /// On ACCEPT of a pause that asked for input: the (hydrated) input the server stores
    /// under the keyset's `response` key. `None` when nothing is stored.
    pub stored_input: Option<Value>,
}

/// The state in the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedState {
    /// Its type.
    pub state_type: StateType,
    /// Its name.
    pub name: Option<String>,
    /// Its message.
    pub message: Option<String>,
    /// Whether it is the run's current state, echoed unchanged.
    pub unchanged: bool,
}

/// Decides what `POST /flow_runs/{id}/resume` with body `{"run_input": run_input}` will
/// answer for `flow_run` at `now`, given the schema stored for its pause.
///
/// `run_input` is `None` when the body has no `run_input` (or it is `null`).
pub fn resume_verdict(
    flow_run: &FlowRun,
    schema: StoredSchema<'_>,
    run_input: Option<&Value>,
    now: DateTime<Utc>,
) -> ResumeVerdict {
    resume_verdict_with(
        flow_run,
        schema,
        run_input,
        now,
        Searches::HERE,
        ServerRules::BUILT_FOR,
    )
}

/// [`resume_verdict`], with the schema's pattern searches run where `searches` says (the
/// console hands them to a Web Worker), by the rules of the server's release. For a release
/// outside those measured (`rules.unmeasured`), an answer known for the measured ones becomes
/// [`ResumeVerdict::ServerDecides`] with [`Undecided::Release`].
pub fn resume_verdict_with(
    flow_run: &FlowRun,
    schema: StoredSchema<'_>,
    run_input: Option<&Value>,
    now: DateTime<Utc>,
    searches: Searches<'_>,
    rules: ServerRules,
) -> ResumeVerdict {
    let verdict = measured_verdict(flow_run, schema, run_input, now, searches, rules);
    match (rules.unmeasured, verdict) {
        (Some(release), ResumeVerdict::Answer(_) | ResumeVerdict::HttpError { .. }) => {
            ResumeVerdict::ServerDecides {
                reason: release.reason(),
                why: Undecided::Release { release },
            }
        }
        (_, verdict) => verdict,
    }
}

/// The verdict by `rules`, taken as exact.
fn measured_verdict(
    flow_run: &FlowRun,
    schema: StoredSchema<'_>,
    run_input: Option<&Value>,
    now: DateTime<Utc>,
    searches: Searches<'_>,
    rules: ServerRules,
) -> ResumeVerdict {
    let run_input = match run_input {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => {
            return ResumeVerdict::HttpError {
                status: 422,
                reason: "Input should be a valid dictionary".into(),
            };
        }
    };
    let Some(current) = flow_run
        .state
        .as_ref()
        .filter(|s| s.state_type == StateType::Paused)
    else {
        return answer(
            200,
            SetStateStatus::Abort,
            DetailsType::Abort,
            Some(NOT_PAUSED),
            None,
        );
    };
    let input_rejected = |reason: String, errors: Vec<ValidationIssue>| {
        ResumeVerdict::Answer(Box::new(ExpectedAnswer {
            errors,
            ..expected(
                200,
                SetStateStatus::Reject,
                DetailsType::Abort,
                Some(&reason),
                Some(ExpectedState::unchanged(current)),
            )
        }))
    };

    let mut stored_input = None;
    if let Some(keyset) = current.state_details.requested_input_keyset() {
        let schema = keyset.contains_key("schema").then_some(schema);
        match check_run_input_with(&run_input, schema, searches, rules) {
            InputCheck::Accepted { stored } => stored_input = stored,
            InputCheck::Rejected { reason, errors, .. } => return input_rejected(reason, errors),
            InputCheck::ServerDecides { reason, why } => {
                return ResumeVerdict::ServerDecides { reason, why };
            }
            InputCheck::ServerError { reason } => {
                return ResumeVerdict::HttpError {
                    status: 500,
                    reason,
                };
            }
        }
    }

    let details = &current.state_details;
    let proposed = if details.pause_reschedule {
        "resuming"
    } else {
        "running"
    };
    if let Some(refused) = leaving_pause(flow_run, current, proposed, true, now) {
        return ResumeVerdict::Answer(Box::new(refused));
    }
    let (state_type, name) = if details.pause_reschedule {
        (StateType::Scheduled, "Resuming")
    } else {
        (StateType::Running, "Running")
    };
    let new_state = ExpectedState {
        state_type,
        name: Some(name.into()),
        message: None,
        unchanged: false,
    };
    ResumeVerdict::Answer(Box::new(ExpectedAnswer {
        stored_input,
        ..expected(
            201,
            SetStateStatus::Accept,
            DetailsType::Accept,
            None,
            Some(new_state),
        )
    }))
}

/// The server's rule for a paused run asked to leave its pause (`HandleResumingPausedFlows`)
/// for a state named `proposed` (lower case, as the server words it): a pause that reschedules
/// needs a deployment (REJECT, run unchanged); then, if `check_timeout` (the server skips it
/// for CANCELLING), a timed-out pause fails the run. `None` when the rule lets the run go.
pub(crate) fn leaving_pause(
    flow_run: &FlowRun,
    current: &State,
    proposed: &str,
    check_timeout: bool,
    now: DateTime<Utc>,
) -> Option<ExpectedAnswer> {
    let details = &current.state_details;
    if details.pause_reschedule && flow_run.deployment_id.is_none() {
        return Some(expected(
            200,
            SetStateStatus::Reject,
            DetailsType::Reject,
            Some(&format!(
                "Cannot reschedule a {proposed} flow run without a deployment."
            )),
            Some(ExpectedState::unchanged(current)),
        ));
    }
    if check_timeout && details.pause_timeout.is_some_and(|timeout| timeout < now) {
        return Some(pause_timed_out(proposed));
    }
    None
}

/// The server's answer when a pause has timed out and the run is asked to leave it for a
/// state named `proposed` (lower case): REJECT into a new `Failed` state (HTTP 201).
fn pause_timed_out(proposed: &str) -> ExpectedAnswer {
    let failed = ExpectedState {
        state_type: StateType::Failed,
        name: Some("Failed".into()),
        message: Some(format!("The flow was {proposed} and never resumed.")),
        unchanged: false,
    };
    expected(
        201,
        SetStateStatus::Reject,
        DetailsType::Reject,
        Some(PAUSE_TIMED_OUT),
        Some(failed),
    )
}

pub(crate) fn expected(
    http_status: u16,
    status: SetStateStatus,
    details_type: DetailsType,
    reason: Option<&str>,
    state: Option<ExpectedState>,
) -> ExpectedAnswer {
    ExpectedAnswer {
        http_status,
        status,
        details_type,
        reason: reason.map(str::to_owned),
        state,
        errors: Vec::new(),
        stored_input: None,
    }
}

fn answer(
    http_status: u16,
    status: SetStateStatus,
    details_type: DetailsType,
    reason: Option<&str>,
    state: Option<ExpectedState>,
) -> ResumeVerdict {
    ResumeVerdict::Answer(Box::new(expected(
        http_status,
        status,
        details_type,
        reason,
        state,
    )))
}

impl ExpectedState {
    pub(crate) fn unchanged(state: &State) -> Self {
        ExpectedState {
            state_type: state.state_type.clone(),
            name: state.name.clone(),
            message: state.message.clone(),
            unchanged: true,
        }
    }
}

impl ExpectedAnswer {
    /// Compares this prediction with what the server actually answered, returning every
    /// field that differs (empty when the prediction was exact).
    pub fn differences(&self, http_status: u16, actual: &OrchestrationResult) -> Vec<String> {
        let mut diffs = Vec::new();
        let mut check = |field: &str, expected: String, got: String| {
            if expected != got {
                diffs.push(format!("{field}: predicted {expected}, server said {got}"));
            }
        };
        check(
            "HTTP status",
            self.http_status.to_string(),
            http_status.to_string(),
        );
        check("status", self.status.to_string(), actual.status.to_string());
        check(
            "details type",
            self.details_type.to_string(),
            actual.details.details_type().to_string(),
        );
        check(
            "reason",
            format!("{:?}", self.reason),
            format!("{:?}", actual.details.reason()),
        );
        let summary = |s: Option<(&StateType, &Option<String>, &Option<String>)>| match s {
            Some((t, name, message)) => format!("{t}/{name:?}/{message:?}"),
            None => "no state".into(),
        };
        check(
            "state",
            summary(
                self.state
                    .as_ref()
                    .map(|s| (&s.state_type, &s.name, &s.message)),
            ),
            summary(
                actual
                    .state
                    .as_ref()
                    .map(|s| (&s.state_type, &s.name, &s.message)),
            ),
        );
        diffs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_pause_rule_words_a_resume_as_the_published_reason() {
        // A suspended run without a deployment, as the real server returned it.
        let cases: Vec<Value> =
            serde_json::from_str(include_str!("../tests/fixtures/resume_cases.json"))
                .expect("fixture is JSON");
        let case = cases
            .iter()
            .find(|c| c["name"] == "suspended_without_deployment")
            .expect("the recorded case");
        let run: FlowRun =
            crate::parse::from_value("flow run", case["flow_run"].clone()).expect("a run");
        let verdict = resume_verdict(&run, StoredSchema::Missing, None, DateTime::<Utc>::MIN_UTC);
        let ResumeVerdict::Answer(answer) = verdict else {
            panic!("an answer");
        };
        assert_eq!(
            answer.reason.as_deref(),
            Some(RESCHEDULE_WITHOUT_DEPLOYMENT)
        );
    }
}
