//! Flow runs and flows as the server returns them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::state::{State, StateType};

/// A flow run (`GET /flow_runs/{id}`), every field Prefect 3.9.1 returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowRun {
    /// The run's id.
    pub id: Uuid,
    /// When the run was created.
    #[serde(with = "crate::timestamp::option")]
    pub created: Option<DateTime<Utc>>,
    /// When the run was last updated.
    #[serde(with = "crate::timestamp::option")]
    pub updated: Option<DateTime<Utc>>,
    /// The run's name, e.g. "cooperative-pug".
    pub name: String,
    /// The flow this run belongs to.
    pub flow_id: Uuid,
    /// The id of the current state.
    pub state_id: Option<Uuid>,
    /// The deployment that created the run; suspended runs need one to resume.
    pub deployment_id: Option<Uuid>,
    /// The deployment's version.
    pub deployment_version: Option<String>,
    /// Work queue id.
    pub work_queue_id: Option<Uuid>,
    /// Work queue name.
    pub work_queue_name: Option<String>,
    /// The flow's version.
    pub flow_version: Option<String>,
    /// The run's parameters.
    pub parameters: Map<String, Value>,
    /// Idempotency key.
    pub idempotency_key: Option<String>,
    /// Run context.
    pub context: Map<String, Value>,
    /// Retry and pause bookkeeping.
    pub empirical_policy: FlowRunPolicy,
    /// Tags.
    pub tags: Vec<String>,
    /// Labels (values are strings, numbers or booleans).
    pub labels: Map<String, Value>,
    /// The task run that started this run as a subflow.
    pub parent_task_run_id: Option<Uuid>,
    /// The current state's type.
    pub state_type: Option<StateType>,
    /// The current state's name.
    pub state_name: Option<String>,
    /// How many times the run has run.
    pub run_count: i64,
    /// When the run was expected to start.
    #[serde(with = "crate::timestamp::option")]
    pub expected_start_time: Option<DateTime<Utc>>,
    /// The next scheduled start.
    #[serde(with = "crate::timestamp::option")]
    pub next_scheduled_start_time: Option<DateTime<Utc>>,
    /// When the run started.
    #[serde(with = "crate::timestamp::option")]
    pub start_time: Option<DateTime<Utc>>,
    /// When the run ended.
    #[serde(with = "crate::timestamp::option")]
    pub end_time: Option<DateTime<Utc>>,
    /// Seconds spent running.
    pub total_run_time: f64,
    /// Estimated seconds running.
    pub estimated_run_time: f64,
    /// Estimated seconds between expected and actual start.
    pub estimated_start_time_delta: f64,
    /// Whether a schedule created the run.
    pub auto_scheduled: bool,
    /// Infrastructure document.
    pub infrastructure_document_id: Option<Uuid>,
    /// Infrastructure process id.
    pub infrastructure_pid: Option<String>,
    /// Who created the run.
    pub created_by: Option<CreatedBy>,
    /// Work pool id.
    pub work_pool_id: Option<Uuid>,
    /// Work pool name.
    pub work_pool_name: Option<String>,
    /// The current state.
    pub state: Option<State>,
    /// Job variables.
    pub job_variables: Option<Map<String, Value>>,
    /// Fields this build does not know, kept for a lossless round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A flow run's `empirical_policy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowRunPolicy {
    /// Deprecated retry count.
    pub max_retries: i64,
    /// Deprecated retry delay.
    pub retry_delay_seconds: f64,
    /// Retries.
    pub retries: Option<i64>,
    /// Retry delay in seconds.
    pub retry_delay: Option<i64>,
    /// Keys of pauses already taken by this run.
    pub pause_keys: Option<Vec<String>>,
    /// Whether the run is being resumed.
    pub resuming: Option<bool>,
    /// "in_process" or "reschedule".
    pub retry_type: Option<String>,
    /// Fields this build does not know, kept for a lossless round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Who created a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedBy {
    /// The creator's id.
    pub id: Option<Uuid>,
    /// The creator's kind, e.g. "DEPLOYMENT" or "AUTOMATION".
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// A name to show.
    pub display_value: Option<String>,
    /// Fields this build does not know, kept for a lossless round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A flow (`POST /flows/filter`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// The flow's id.
    pub id: Uuid,
    /// When it was created.
    #[serde(with = "crate::timestamp::option")]
    pub created: Option<DateTime<Utc>>,
    /// When it was last updated.
    #[serde(with = "crate::timestamp::option")]
    pub updated: Option<DateTime<Utc>>,
    /// The flow's name.
    pub name: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Labels.
    pub labels: Option<Map<String, Value>>,
    /// Fields this build does not know, kept for a lossless round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A deployment (`POST /deployments/filter`), for naming the deployment of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    /// The deployment's id.
    pub id: Uuid,
    /// Its name (shown as `flow-name/deployment-name` in Prefect's UI).
    pub name: String,
    /// The flow it deploys.
    pub flow_id: Uuid,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Fields this build does not know, kept for a lossless round trip.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A flow's or a deployment's id and name (`POST /flows/filter`, `/deployments/filter`): all
/// a page of runs shows of them. Its decoder reads two fields and skips the rest, where
/// [`Flow`]'s and [`Deployment`]'s keep every field (and each is code of its own in the wasm).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    /// The flow's or deployment's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
}

impl FlowRun {
    /// The current state's type, from the state itself (what the server decides on).
    pub fn current_state_type(&self) -> Option<&StateType> {
        self.state.as_ref().map(|state| &state.state_type)
    }

    /// The current state's details (the pause's timeout, key, keyset…); empty without a
    /// state.
    pub fn state_details(&self) -> crate::StateDetails {
        self.state
            .as_ref()
            .map(|state| state.state_details.clone())
            .unwrap_or_default()
    }
}
