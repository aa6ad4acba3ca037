//! The gate's API as it answers (`crates/gate` writes these, `flowgate-client` reads them):
//! who the gate says you are, and what an approval or a reject did.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::orchestration::OrchestrationResult;
use crate::policy::Person;
use crate::state::StateType;

/// `GET /gate/capabilities`: a gate is in front of Prefect, and who you are to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GateCapabilities {
    /// The replica that answered (`FLOWGATE_GATE_ID`).
    pub gate: String,
    /// The gate's version.
    pub version: String,
    /// The person its proxy signed in.
    pub person: Person,
}

/// A decision's record: the event's id, or why it could not be written (the decision stands
/// either way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GateRecord {
    /// The recorded event's id.
    pub event_id: Option<Uuid>,
    /// Why there is none.
    pub error: Option<String>,
}

impl GateRecord {
    /// The record of a write that went as `result` says.
    pub fn of(result: Result<Uuid, String>) -> GateRecord {
        match result {
            Ok(id) => GateRecord {
                event_id: Some(id),
                error: None,
            },
            Err(error) => GateRecord {
                event_id: None,
                error: Some(error),
            },
        }
    }
}

/// What an approval did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ApprovalOutcome {
    /// Recorded; more approvals are needed.
    Recorded,
    /// This approval completed the gate and the run was resumed.
    Resumed,
    /// The approvals were complete and the run left its pause, by another request's resume
    /// (another replica's, for the same approvals) or by one whose answer was lost.
    AlreadyResumed,
}

/// `POST /gate/flow_runs/{id}/approve`: what the approval did. One flat object (its fields
/// say which outcome fills them), so a browser decodes it without serde's buffering of
/// tagged enums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GateApproval {
    /// What happened.
    pub outcome: ApprovalOutcome,
    /// Distinct approvals of the same input needed.
    pub needed: u32,
    /// Who approved the input so far, this approval included (for `resumed`: the input the
    /// run resumed with).
    pub approvers: Vec<String>,
    /// `recorded`: what the policy says now for the person who approved.
    #[serde(default)]
    pub message: Option<String>,
    /// `resumed`: Prefect's answer.
    #[serde(default)]
    pub result: Option<OrchestrationResult>,
    /// `resumed`: the decision's record.
    #[serde(default)]
    pub record: Option<GateRecord>,
    /// `alreadyResumed`: the state the run is in now.
    #[serde(default)]
    pub state_type: Option<StateType>,
}

/// `POST /gate/flow_runs/{id}/reject`: what the reject did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GateReject {
    /// Prefect's answer.
    pub result: OrchestrationResult,
    /// The state message written, e.g. `Rejected by carol: not signed`.
    pub message: String,
    /// The decision's record.
    pub record: GateRecord,
}

/// A refusal as the gate words it: `{"status", "error", "message"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRefusal {
    /// The HTTP status it would answer alone.
    pub status: u16,
    /// Its kind (`forbidden`, `conflict`, `notFound`, …).
    pub error: String,
    /// Its words.
    pub message: String,
}

/// One run's outcome in `POST /gate/flow_runs/approve`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GateBulkOutcome {
    /// The run.
    pub flow_run_id: Uuid,
    /// What the approval did, or `None` when it was refused.
    pub approval: Option<GateApproval>,
    /// Why it was refused.
    pub error: Option<GateRefusal>,
}

/// `POST /gate/flow_runs/approve`: each run's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateBulkAnswer {
    /// In completion order.
    pub outcomes: Vec<GateBulkOutcome>,
}

/// One run's line in `POST /gate/flow_runs/policy`: what the gate's policy says for the
/// person on it, as the gate computes it (core's `policy_verdict`, no input yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GateRowVerdict {
    /// The run.
    pub flow_run_id: Uuid,
    /// The verdict's message, e.g. "Only release-managers may approve this run."
    pub message: String,
    /// Whether the person may approve.
    pub may_approve: bool,
    /// Whether the person may reject.
    pub may_reject: bool,
}

/// `POST /gate/flow_runs/policy`: a line per run the gate could read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRowVerdicts {
    /// In the order asked.
    pub verdicts: Vec<GateRowVerdict>,
}
