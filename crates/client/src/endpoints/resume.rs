//! Resuming a paused run.

use flowgate_core::{OrchestrationResult, ResumeRequest};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::{Client, ClientError};

/// The server's answer to a resume.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resumed {
    /// The orchestration result (ACCEPT, REJECT, ABORT).
    pub result: OrchestrationResult,
    /// Whether a new state was written (HTTP 201): ACCEPT, and the timed-out REJECT.
    pub state_written: bool,
}

impl Client {
    /// HTTP POST /flow_runs/{id}/resume with `{"run_input": …}` (left out when `None`).
    ///
    /// Never retried. When the request fails in a way that leaves open whether it happened
    /// (network failure, timeout, HTTP 500), the run is read and the error says whether it
    /// left its pause. Prefect answers 500 for an id that is no flow run; that becomes
    /// [`ClientError::NotFound`].
    pub async fn resume(
        &self,
        id: Uuid,
        run_input: Option<&Value>,
    ) -> Result<Resumed, ClientError> {
        let body = ResumeRequest {
            run_input: run_input.cloned(),
        };
        let path = format!("/flow_runs/{id}/resume");
        let changed = self
            .change_paused_run(id, &path, &body, |flow_run_id, resumed, cause| {
                ClientError::ResumeInterrupted {
                    flow_run_id,
                    resumed,
                    cause: Box::new(cause),
                }
            })
            .await?;
        Ok(Resumed {
            result: changed.result,
            state_written: changed.state_written,
        })
    }
}
