//! Sending a request that changes a paused run's state (a resume or a reject): never
//! retried blindly, and when the answer is lost, the run is read to tell whether it
//! happened.

use flowgate_core::{FlowRun, OrchestrationResult, StateType};
use serde::Serialize;
use uuid::Uuid;

use crate::request::Method;
use crate::{BUSY, Client, ClientError, backoff_ms, response, transport};

/// Requests re-sent after a busy answer, each only after reading that the run is paused.
const BUSY_RETRIES: u32 = 5;

/// Pauses between the reads that tell whether an interrupted request went through. Each
/// read already retries a network failure for about 3 s; with these pauses the client
/// keeps asking for about half a minute, long enough for a crashed server or a replica
/// behind a load balancer to come back (Prefect's API restarts in about 10 s on 2 cores).
const READ_BACK_PAUSES_MS: [i32; 4] = [1_000, 2_000, 4_000, 8_000];

pub(crate) fn is_paused(run: &FlowRun) -> bool {
    run.state
        .as_ref()
        .is_some_and(|s| s.state_type == StateType::Paused)
}

/// The server's answer to a state change it took.
pub(crate) struct Changed {
    /// ACCEPT, REJECT or ABORT, with the state.
    pub(crate) result: OrchestrationResult,
    /// HTTP 201: a new state was written.
    pub(crate) state_written: bool,
}

/// Builds the error for an interrupted request: whether the run left its pause (`None`:
/// unknown), and what went wrong.
pub(crate) type Interrupted = fn(Uuid, Option<bool>, ClientError) -> ClientError;

impl Client {
    /// Sends `body` to `path` once for the paused run `id`. A busy answer (503, nothing
    /// done) is re-sent only after reading that the run is still paused. A lost or unreadable
    /// answer (network failure, timeout, HTTP 500 from the server, 502 or 504 from a proxy, a
    /// 2xx body that is not an orchestration result) becomes `interrupted`, after reading the
    /// run; a 500 for an id that is no flow run becomes [`ClientError::NotFound`].
    pub(crate) async fn change_paused_run(
        &self,
        id: Uuid,
        path: &str,
        body: &impl Serialize,
        interrupted: Interrupted,
    ) -> Result<Changed, ClientError> {
        let mut busy_retries = 0;
        let answer = loop {
            let answer = match self.call(Method::Post, path, Some(body), false).await {
                Ok(answer) => answer,
                Err(cause @ (ClientError::Unreachable { .. } | ClientError::Timeout { .. })) => {
                    return Err(interrupted(id, self.left_pause(id).await, cause));
                }
                Err(other) => return Err(other),
            };
            if answer.status != BUSY {
                break answer;
            }
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
                _ => return Err(interrupted(id, self.left_pause(id).await, cause)),
            }
        };
        if let Err(cause) = self.check_answer(&answer, || format!("Flow run {id}")) {
            // Prefect answers 500 for an id that is no flow run.
            if answer.status == 500
                && let Err(ClientError::NotFound { .. }) = self.read_flow_run(id).await
            {
                return Err(ClientError::NotFound {
                    what: format!("Flow run {id}"),
                });
            }
            // The server failed on it (500), a proxy answered for it (502, 504) having passed
            // it on or not, or a 2xx came that is not Prefect's (an HTML page): whether the
            // run changed only the run tells. Any other refusal (401, 404, 422…) did nothing.
            return Err(
                if answer.status >= 500 || (200..300).contains(&answer.status) {
                    interrupted(id, self.left_pause(id).await, cause)
                } else {
                    cause
                },
            );
        }
        // A 2xx whose body cannot be read (a proxy that cut it short or replaced it): the
        // server acted, but on what it said only the run can tell.
        match response::decode(&answer.url, "orchestration result", &answer.body) {
            Ok(result) => Ok(Changed {
                result,
                state_written: answer.status == 201,
            }),
            Err(cause) => Err(interrupted(id, self.left_pause(id).await, cause)),
        }
    }

    /// Reads the run to tell whether it left its pause; a server that cannot be reached is
    /// asked again for about half a minute. `None` when it could not be read.
    async fn left_pause(&self, id: Uuid) -> Option<bool> {
        let mut pauses = READ_BACK_PAUSES_MS.iter();
        loop {
            match self.read_flow_run(id).await {
                Ok(run) => return Some(!is_paused(&run)),
                Err(ClientError::Unreachable { .. } | ClientError::Timeout { .. })
                | Err(ClientError::Http {
                    status: 500..=599, ..
                }) => match pauses.next() {
                    Some(ms) => transport::sleep(*ms).await,
                    None => return None,
                },
                Err(_) => return None,
            }
        }
    }
}
