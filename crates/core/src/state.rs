//! States: what a run is doing now, and the details Prefect keeps with it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::open_enum::open_enum;

open_enum! {
    /// The type of a state (Prefect's `StateType`).
    pub enum StateType {
        /// Waiting for its scheduled time.
        Scheduled = "SCHEDULED",
        /// Picked up, about to run.
        Pending = "PENDING",
        /// Running.
        Running = "RUNNING",
        /// Finished successfully.
        Completed = "COMPLETED",
        /// Finished with an error.
        Failed = "FAILED",
        /// Cancelled.
        Cancelled = "CANCELLED",
        /// Its infrastructure died.
        Crashed = "CRASHED",
        /// Paused, waiting to be resumed (suspended runs too).
        Paused = "PAUSED",
        /// Being cancelled.
        Cancelling = "CANCELLING",
    }
}

impl StateType {
    /// Whether the run can no longer change on its own (Prefect's terminal states).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            StateType::Completed | StateType::Failed | StateType::Cancelled | StateType::Crashed
        )
    }
}

/// A state as the server returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The state's id.
    pub id: Uuid,
    /// Its type.
    #[serde(rename = "type")]
    pub state_type: StateType,
    /// Its name ("Paused", "Suspended", "Resuming", …).
    pub name: Option<String>,
    /// When the state was entered.
    #[serde(with = "crate::timestamp")]
    pub timestamp: DateTime<Utc>,
    /// A human message, e.g. why a run failed.
    pub message: Option<String>,
    /// The state's result reference, kept as sent.
    pub data: Option<Value>,
    /// Details of the state.
    pub state_details: StateDetails,
    /// Fields this build does not know, kept for a lossless round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Details kept with a state (Prefect 3.9.1's `StateDetails`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StateDetails {
    /// The flow run this state belongs to.
    pub flow_run_id: Option<Uuid>,
    /// The task run this state belongs to.
    pub task_run_id: Option<Uuid>,
    /// A subflow run started from this state.
    pub child_flow_run_id: Option<Uuid>,
    /// When a scheduled run is due.
    #[serde(with = "crate::timestamp::option")]
    pub scheduled_time: Option<DateTime<Utc>>,
    /// Cache key of a cached result.
    pub cache_key: Option<String>,
    /// When a cached result expires.
    #[serde(with = "crate::timestamp::option")]
    pub cache_expiration: Option<DateTime<Utc>>,
    /// Whether the run was deferred (`null` is seen on the wire).
    pub deferred: Option<bool>,
    /// Whether the result cannot be tracked.
    #[serde(default)]
    pub untrackable_result: bool,
    /// When a pause times out; resuming after it fails the run.
    #[serde(with = "crate::timestamp::option")]
    pub pause_timeout: Option<DateTime<Utc>>,
    /// Whether resuming reschedules the run (a suspended run) instead of running it in place.
    #[serde(default)]
    pub pause_reschedule: bool,
    /// The key of the pause.
    pub pause_key: Option<String>,
    /// Set when the pause asked for input: the run-input keys of `schema`, `response` and
    /// `description`.
    pub run_input_keyset: Option<BTreeMap<String, String>>,
    /// Whether to refresh a cache.
    pub refresh_cache: Option<bool>,
    /// Whether a failed run may be retried.
    pub retriable: Option<bool>,
    /// Client-chosen id that makes a transition idempotent.
    pub transition_id: Option<Uuid>,
    /// Task parameters id.
    pub task_parameters_id: Option<Uuid>,
    /// Trace context.
    pub traceparent: Option<String>,
    /// Lease held on a deployment concurrency slot (new in Prefect 3).
    pub deployment_concurrency_lease_id: Option<Uuid>,
    /// Fields this build does not know, kept for a lossless round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl StateDetails {
    /// The run-input keyset if the pause asked for input. Prefect treats an empty keyset as
    /// no keyset.
    pub fn requested_input_keyset(&self) -> Option<&BTreeMap<String, String>> {
        self.run_input_keyset
            .as_ref()
            .filter(|keys| !keys.is_empty())
    }
}
