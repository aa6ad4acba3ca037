//! Resuming a paused run.

use flowgate_core::{OrchestrationResult, ResumeRequest, StateType};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::request::Method;
use crate::{BUSY, Client, ClientError, backoff_ms, response, transport};

/// Resumes re-sent after a busy answer, each only after reading that the run is paused.
const BUSY_RETRIES: u32 = 5;

/// Pauses between the reads that tell whether an interrupted resume went through. Each
/// read already retries a network failure for about 3 s; with these pauses the client
/// keeps asking for about half a minute, long enough for a crashed server or a replica
/// behind a load balancer to come back (Prefect's API restarts in about 10 s on 2 cores).
const READ_BACK_PAUSES_MS: [i32; 4] = [1_000, 2_000, 4_000, 8_000];

fn is_paused(run: &flowgate_core::FlowRun) -> bool {
    run.state
        .as_ref()
        .is_some_and(|s| s.state_type == StateType::Paused)
}

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
        let mut busy_retries = 0;
        let answer = loop {
            let answer = match self.call(Method::Post, &path, Some(&body), false).await {
                Ok(answer) => answer,
                Err(cause @ (ClientError::Unreachable { .. } | ClientError::Timeout { .. })) => {
                    return Err(self.interrupted(id, cause).await);
                }
                Err(other) => return Err(other),
            };
            if answer.status != BUSY {
                break answer;
            }
            // Busy (SQLite locked): re-sent only once the run is read and still paused, so
            // a resume is never sent twice.
            let cause = ClientError::Http {
                status: BUSY,
                message: response::server_message(&answer.body),
            };
            match self.read_flow_run(id).await {
                Ok(run) if is_paused(&run) && busy_retries < BUSY_RETRIES => {
                    busy_retries += 1;
                    transport::sleep(backoff_ms(busy_retries)).await;
                }
                Ok(run) if is_paused(&run) => return Err(cause),
                _ => return Err(self.interrupted(id, cause).await),
            }
        };
        if answer.status == 500 {
            let cause = ClientError::Http {
                status: 500,
                message: response::server_message(&answer.body),
            };
            return Err(match self.read_flow_run(id).await {
                Err(ClientError::NotFound { .. }) => ClientError::NotFound {
                    what: format!("Flow run {id}"),
                },
                _ => self.interrupted(id, cause).await,
            });
        }
        self.check_answer(&answer, || format!("Flow run {id}"))?;
        let result: OrchestrationResult =
            response::decode(&answer.url, "orchestration result", &answer.body)?;
        Ok(Resumed {
            result,
            state_written: answer.status == 201,
        })
    }

    /// Reads the run after an ambiguous failure to tell whether it left its pause; a
    /// server that cannot be reached is asked again for about half a minute.
    async fn interrupted(&self, id: Uuid, cause: ClientError) -> ClientError {
        let mut pauses = READ_BACK_PAUSES_MS.iter();
        let resumed = loop {
            match self.read_flow_run(id).await {
                Ok(run) => break Some(!is_paused(&run)),
                Err(ClientError::Unreachable { .. } | ClientError::Timeout { .. })
                | Err(ClientError::Http {
                    status: 500..=599, ..
                }) => match pauses.next() {
                    Some(ms) => transport::sleep(*ms).await,
                    None => break None,
                },
                Err(_) => break None,
            }
        };
        ClientError::ResumeInterrupted {
            flow_run_id: id,
            resumed,
            cause: Box::new(cause),
        }
    }
}
